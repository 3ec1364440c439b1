#!/usr/bin/env python3
"""Tests of `geomention eval` against the reference scorer.

  check_eval.py peers      every peer output in $GM_SHARED/eval/peers: our
                           scores equal score.py's to three decimals (eupeg;
                           strict and gold too on TR-News)
  check_eval.py roundtrip  --write-pred on TR-News, scored by score.py,
                           gives exactly our own figures (eupeg and gold)
  check_eval.py edges      a small corpus of awkward cases (names left to
                           the text, non-ASCII case, null coordinates,
                           repeated ids, blank lines) scored both ways
  check_eval.py badlines   malformed lines are reported as FILE:LINE,
                           skipped, and the run exits 3 with the scores of
                           the good lines (needs no ../shared)
  check_eval.py resolve    resolve --spans answers every span in order
                           (needs no ../shared)

$GEOMENTION is the tool, $GM_SHARED the ../shared directory; a test that
needs ../shared exits 77 (skip) without it.
"""
import concurrent.futures
import json
import lzma
import os
import subprocess
import sys
import tempfile

TOOL = os.environ.get("GEOMENTION", "geomention")
SHARED = os.environ.get("GM_SHARED", "")
EVAL = os.path.join(SHARED, "eval")
SCORER = os.path.join(EVAL, "score.py")
SKIP = 77
failures = []


def need_shared():
    if not (SHARED and os.path.isfile(SCORER)):
        print("skip: no %s" % (SCORER if SHARED else "$GM_SHARED"))
        sys.exit(SKIP)


def run(args, ok=(0,)):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode not in ok:
        raise RuntimeError("%s: exit %d\n%s" % (" ".join(args), p.returncode,
                                                p.stderr))
    return p


def score_py(gold, pred, protocol):
    out = run([sys.executable, SCORER, gold, pred, "--protocol", protocol,
               "--json"]).stdout
    return json.loads(out)


def score_ours(gold, pred, protocol, extra=()):
    args = [TOOL, "eval", "--gold", gold, "--protocol", protocol, "--json"]
    if pred:
        args += ["--pred", pred]
    return json.loads(run(args + list(extra)).stdout)


def differences(ours, theirs):
    """Keys that disagree; floats must agree to three decimals."""
    bad = []
    for k in sorted(set(ours) | set(theirs)):
        a, b = ours.get(k), theirs.get(k)
        if isinstance(a, float) or isinstance(b, float):
            same = isinstance(a, (int, float)) and isinstance(b, (int, float)) \
                and abs(a - b) < 0.0005
        else:
            same = a == b
        if not same:
            bad.append("%s: ours %r, score.py %r" % (k, a, b))
    return bad


def check(name, ours, theirs):
    bad = differences(ours, theirs)
    print("%s %s" % ("FAIL" if bad else "ok  ", name))
    for b in bad:
        print("     " + b)
    if bad:
        failures.append(name)


def unpack(path, tmp):
    """A .xz file decompressed once into tmp, keeping the name score.py
    reads the corpus from (its basename up to the first dot)."""
    if not path.endswith(".xz"):
        return path
    corpus = os.path.basename(os.path.dirname(path))
    name = os.path.basename(path)[:-3]
    if os.path.dirname(path) == EVAL:
        dst = os.path.join(tmp, name)
    else:
        os.makedirs(os.path.join(tmp, corpus), exist_ok=True)
        dst = os.path.join(tmp, corpus, name)
    with lzma.open(path, "rb") as f, open(dst, "wb") as out:
        out.write(f.read())
    return dst


def gold_of(corpus):
    for name in (corpus + ".jsonl", corpus + ".jsonl.xz"):
        if os.path.exists(os.path.join(EVAL, name)):
            return os.path.join(EVAL, name)
    raise RuntimeError("no gold file for peers/%s" % corpus)


def test_peers():
    need_shared()
    peers = os.path.join(EVAL, "peers")
    jobs = []
    with tempfile.TemporaryDirectory(prefix="gm-eval-") as tmp:
        for corpus in sorted(os.listdir(peers)):
            gold = unpack(gold_of(corpus), tmp)
            for f in sorted(os.listdir(os.path.join(peers, corpus))):
                pred = unpack(os.path.join(peers, corpus, f), tmp)
                system = f.split(".")[0]
                protocols = ["eupeg"]
                if corpus == "trnews":
                    protocols += ["strict", "gold"]
                for proto in protocols:
                    jobs.append(("%s/%s %s" % (corpus, system, proto), gold,
                                 pred, proto))
        if not jobs:
            raise RuntimeError("no peer outputs under %s" % peers)
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
            results = ex.map(lambda j: (j[0], score_ours(*j[1:]),
                                        score_py(*j[1:])), jobs)
            for name, ours, theirs in results:
                check(name, ours, theirs)
    print("%d comparisons" % len(jobs))


def test_roundtrip():
    need_shared()
    gold = os.path.join(EVAL, "trnews.jsonl")
    with tempfile.TemporaryDirectory(prefix="gm-eval-") as tmp:
        for proto in ("eupeg", "gold"):
            pred = os.path.join(tmp, "trnews-%s.pred.jsonl" % proto)
            ours = score_ours(gold, None, proto, ["--write-pred", pred])
            theirs = score_py(gold, pred, proto)
            if ours != theirs:  # exact: the same numbers from the same file
                print("FAIL roundtrip %s\n     ours %s\n     score.py %s" % (
                    proto, ours, theirs))
                failures.append("roundtrip " + proto)
            else:
                print("ok   roundtrip %s: %s" % (proto, ours))
            if ours["tp"] == 0:
                failures.append("roundtrip %s: nothing matched" % proto)


# Awkward cases: a prediction without a name (taken from the text), names
# differing only by case (including İ and a final sigma), null
# coordinates on both sides, a prediction id given twice (the last wins),
# a numeric id, an article the predictions lack, blank lines.
EDGE_GOLD = [
    {"id": "a", "text": "From ISTANBUL to Ankara and Paris, then ΑΘΗΝΑΣ.",
     "toponyms": [
         {"start": 5, "end": 13, "name": "ISTANBUL", "lat": 41.01, "lon": 28.95},
         {"start": 17, "end": 23, "name": "Ankara", "lat": 39.92, "lon": 32.85},
         {"start": 28, "end": 33, "name": "Paris", "lat": None, "lon": None},
         {"start": 40, "end": 46, "name": "ΑΘΗΝΑΣ", "lat": 37.98, "lon": 23.73}]},
    {"id": 7, "text": "İzmir, İzmir and Kyiv",
     "toponyms": [
         {"start": 0, "end": 5, "name": "İzmir", "lat": 38.41, "lon": 27.13},
         {"start": 7, "end": 12, "name": "İzmir", "lat": 38.41, "lon": 27.13},
         {"start": 17, "end": 21, "name": "Kyiv", "lat": 50.45, "lon": 30.52}]},
    {"id": "unpredicted", "text": "Lviv", "toponyms": [
        {"start": 0, "end": 4, "name": "Lviv", "lat": 49.84, "lon": 24.03}]},
]
EDGE_PRED = [
    {"id": "a", "toponyms": [{"start": 0, "end": 1, "lat": 1, "lon": 1}]},
    {"id": "a", "toponyms": [
        {"start": 4, "end": 13, "lat": 41.0, "lon": 29.0},
        {"start": 5, "end": 13, "name": "istanbul", "lat": 41.0, "lon": 29.0},
        {"start": 17, "end": 23, "name": "ANKARA", "lat": None, "lon": 3},
        {"start": 17, "end": 23, "name": "ankara", "lat": 40.5, "lon": 35.0},
        {"start": 28, "end": 33, "name": "Paris", "lat": 48.85, "lon": 2.35},
        {"start": 40, "end": 46, "name": "αθηνας", "lat": 37.9, "lon": 23.7}]},
    {"id": 7, "toponyms": [
        {"start": 0, "end": 5, "name": "i̇zmir", "lat": 38.0, "lon": 27.0},
        {"start": 8, "end": 12, "name": "zmir", "lat": 38.0, "lon": 27.0},
        {"start": 17, "end": 21, "name": "", "lat": -33.9, "lon": 151.2}]},
    {"id": "7", "toponyms": [
        {"start": 17, "end": 21, "name": "Kyiv", "lat": 50.45, "lon": 30.52}]},
]


def write_jsonl(path, docs, blank=False):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
            if blank:
                f.write("  \n")


def test_edges():
    need_shared()
    with tempfile.TemporaryDirectory(prefix="gm-eval-") as tmp:
        for corpus in ("edges", "hu2014"):  # hu2014: resolution only
            gold = os.path.join(tmp, corpus + ".jsonl")
            pred = os.path.join(tmp, corpus + ".pred.jsonl")
            write_jsonl(gold, EDGE_GOLD, blank=True)
            write_jsonl(pred, EDGE_PRED)
            for proto in ("eupeg", "strict", "gold"):
                ours = score_ours(gold, pred, proto)
                theirs = score_py(gold, pred, proto)
                check("edges %s %s" % (corpus, proto), ours, theirs)
                if ours != theirs:
                    failures.append("edges %s %s: not identical" % (corpus,
                                                                    proto))
        ours = score_ours(os.path.join(tmp, "edges.jsonl"),
                          os.path.join(tmp, "edges.pred.jsonl"), "eupeg")
        # İstanbul, Ankara, ΑΘΗΝΑΣ, İzmir and Kyiv match; the second İzmir
        # does not (name "zmir"); Lviv was never predicted.
        if (ours["tp"], ours["fn"], ours["n_docs_pred"]) != (5, 2, 2):
            failures.append("edges: expected tp=5 fn=2 n_docs_pred=2, got "
                            "%s" % ours)


def test_badlines():
    with tempfile.TemporaryDirectory(prefix="gm-eval-") as tmp:
        gold = os.path.join(tmp, "bad.jsonl")
        good = os.path.join(tmp, "good.jsonl")
        pred = os.path.join(tmp, "bad.pred.jsonl")
        docs = [json.dumps(d, ensure_ascii=False) for d in EDGE_GOLD]
        lines = [docs[0], "{not json", '{"id": "x", "toponyms": []}',
                 '{"id": "y", "text": "t", "toponyms": [{"start": "0"}]}',
                 docs[1], '["an", "array"]', docs[2]]
        with open(gold, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        write_jsonl(good, EDGE_GOLD)
        with open(pred, "w", encoding="utf-8") as f:
            f.write("\n".join([json.dumps(d) for d in EDGE_PRED] +
                              ['{"toponyms": []}', "nonsense"]) + "\n")
        p = run([TOOL, "eval", "--gold", gold, "--pred", pred, "--json"],
                ok=(3,))
        want = ["%s:%d:" % (gold, n) for n in (2, 3, 4, 6)] + \
               ["%s:%d:" % (pred, n) for n in (5, 6)]
        for w in want:
            if not any(l.startswith("geomention: " + w)
                       for l in p.stderr.splitlines()):
                failures.append("badlines: no message for %s\n%s" % (
                    w, p.stderr))
        clean = run([TOOL, "eval", "--gold", good, "--pred", pred, "--json"],
                    ok=(3,))  # the prediction file is still bad
        ours, expect = json.loads(p.stdout), json.loads(clean.stdout)
        ours.pop("corpus"), expect.pop("corpus")
        if ours != expect or ours["tp"] == 0:
            failures.append("badlines: scores %s, expected %s" % (ours, expect))
        print("%s badlines" % ("FAIL" if failures else "ok  "))


def test_resolve():
    """resolve --spans: every span answered in order, code points turned
    into bytes (the text starts with a two-byte letter), a span no name
    fits is put at the nearest place of the text (reason
    located_by_context, low confidence) or, with no place in the text,
    gets "entry": null; a bad line is reported and skipped."""
    text = "Ölçü: shelling hit Kyiv, then Lviv and Xyzzyqville."
    def span(word):
        i = text.index(word)
        return {"start": i, "end": i + len(word)}
    lines = [json.dumps({"id": "a", "text": text,
                         "spans": [span("Lviv"), span("Kyiv"),
                                   span("Xyzzyqville")]}, ensure_ascii=False),
             "{broken",
             json.dumps({"id": 2, "text": "Kyiv", "toponyms": [
                 {"start": 0, "end": 4}]}),
             json.dumps({"id": "c", "text": "Kyiv", "spans": [
                 {"start": 0, "end": 9}]}),
             json.dumps({"id": "d", "text": "Xyzzyqville", "spans": [
                 {"start": 0, "end": 11}]})]
    with tempfile.TemporaryDirectory(prefix="gm-eval-") as tmp:
        path = os.path.join(tmp, "spans.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        p = run([TOOL, "resolve", "--spans", path], ok=(3,))
    docs = [json.loads(l) for l in p.stdout.splitlines()]
    got = [(d["id"], [(m["text"], m["start"], m["end"],
                       m["entry"] and m["entry"]["geonameid"])
                      for m in d["mentions"]]) for d in docs]
    want = [("a", [("Lviv", 30, 34, 702550), ("Kyiv", 19, 23, 703448),
                   ("Xyzzyqville", 39, 50, 702550)]),
            ("2", [("Kyiv", 0, 4, 703448)]),
            ("d", [("Xyzzyqville", 0, 11, None)])]
    if got != want:
        failures.append("resolve: got %s, want %s" % (got, want))
    located = docs[0]["mentions"][2] if docs else {}
    signals = [r.get("signal") for r in located.get("reasons", [])]
    if signals != ["located_by_context"] or \
            not 0 < located.get("confidence", 1) < 0.5:
        failures.append("resolve: the unknown span is not marked as "
                        "located by context: %s" % located)
    for n in (2, 4):
        if "geomention: %s:%d: " % (path, n) not in p.stderr:
            failures.append("resolve: no message for line %d:\n%s" % (
                n, p.stderr))
    print("%s resolve" % ("FAIL" if failures else "ok  "))


def main():
    tests = {"peers": test_peers, "roundtrip": test_roundtrip,
             "edges": test_edges, "badlines": test_badlines,
             "resolve": test_resolve}
    if len(sys.argv) != 2 or sys.argv[1] not in tests:
        sys.exit("usage: check_eval.py %s" % "|".join(tests))
    tests[sys.argv[1]]()
    if failures:
        print("%d failure(s):\n  %s" % (len(failures), "\n  ".join(failures)))
        sys.exit(1)


if __name__ == "__main__":
    main()
