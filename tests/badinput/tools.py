#!/usr/bin/env python3
"""Bad inputs and full disks for the commands other than parse (eval,
resolve, lookup, gazetteer, --help, --version), one TAP line each: what
geomention says and how it exits. The helpers are badinput.py's.

Usage: tools.py WORKDIR [ROW-SUBSTRING] (env as badinput.py's).

Notes:
- Every run fails its row on a sanitizer report (the sanitize suite runs
  these rows under ASan, whose exit status 1 is also a row's expected).
- Nothing here writes a gazetteer to /dev/full: a build that renamed its
  file over the device would leave a regular file there for everyone
  (that was a bug); a FIFO in WORKDIR stands for it.
"""
import json
import os
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import badinput as bi  # noqa: E402  (WORKDIR is argv[1] for both)

GEONAMES = os.path.join(bi.SRC, "tests", "data", "geonames-small.txt")


def no_sanitizer_report(fn):
    """fn (bi.run, bi.to_full) raising on an ASan/UBSan report: in the
    sanitize suite a leak on a path that exits 1 anyway would pass."""
    def checked(*args, **kwargs):
        result = fn(*args, **kwargs)
        if "Sanitizer" in result[-1]:
            raise AssertionError("sanitizer report: " + result[-1][-1500:])
        return result
    return checked


bi.run = no_sanitizer_report(bi.run)
bi.to_full = no_sanitizer_report(bi.to_full)


def build_to_fifo():
    """-o a FIFO (or a device): refused, the FIFO left as it was."""
    fifo = bi.path("out.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    rc, out, err = bi.run(["gazetteer", "build", "-q", "--no-bundled",
                           "--geonames", GEONAMES, "-o", fifo])
    if not stat.S_ISFIFO(os.stat(fifo).st_mode):
        return "the FIFO was replaced by a regular file"
    return bi.expect(rc, err, 1, r"out\.fifo: not a regular file")


def build_interrupted():
    """SIGINT while the build waits on its GeoNames dump (a FIFO no one
    writes): the process ends by the signal and leaves no temporary."""
    d = bi.path("interrupt")
    os.makedirs(d, exist_ok=True)
    fifo = os.path.join(d, "dump.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    p = subprocess.Popen([bi.GM, "gazetteer", "build", "-q", "--no-bundled",
                          "--geonames", fifo, "-o",
                          os.path.join(d, "x.gmz")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(100):   # until the temporary exists (the build began)
        if any(".tmp-" in n for n in os.listdir(d)):
            break
        time.sleep(0.05)
    else:
        p.kill()
        p.wait()
        return "no temporary output appeared: %r" % os.listdir(d)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=60)
    left = sorted(n for n in os.listdir(d) if n != "dump.fifo")
    if p.returncode != -signal.SIGINT:
        return "exit status %d, not the signal's" % p.returncode
    return "left behind: %r" % left if left else None


def build_dump(content, status, pattern, quiet=True):
    """--no-bundled --geonames DUMP (content written to dump.txt, or a
    directory when content is None): status and pattern on stderr."""
    def row():
        dump = bi.path("dumpdir") if content is None else \
            bi.write("dump.txt", content)
        if content is None:
            os.makedirs(dump, exist_ok=True)
        rc, out, err = bi.run(["gazetteer", "build"] + (["-q"] if quiet
                              else []) + ["--no-bundled", "--geonames", dump,
                                          "-o", bi.path("dump.gmz")])
        return bi.expect(rc, err, status, pattern)
    return row


def geonames_rows():
    """Every row of the small GeoNames fixture, the third cut short."""
    with open(GEONAMES, "rb") as f:
        rows = f.read().splitlines(keepends=True)
    rows[2] = b"\t".join(rows[2].split(b"\t")[:5]) + b"\n"
    return b"".join(rows)


def sources_row(rows, pattern):
    """A sources dir whose first table, countries-geonames.tsv, holds
    rows: the build stops on it with pattern."""
    def row():
        d = bi.path("sources")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "countries-geonames.tsv"), "w") as f:
            f.write("#iso2\tgeonameid\tlat\tlon\torigin\n" + rows)
        rc, out, err = bi.run(["gazetteer", "build", "-q", "-s", d, "-o",
                               bi.path("x.gmz")])
        return bi.expect(rc, err, 1, pattern)
    return row


def pred_ids_not_in_gold():
    """--pred lines whose id no gold article has (here "1" for 1, and a
    typo) are not scored, as score.py does, but said, with the first
    line: scores of 0 for a file of mismatched ids are no silent result."""
    gold = gold_corpus()
    preds = [{"id": "a1", "toponyms": []}, {"id": "0", "toponyms": []},
             {"id": "a3", "toponyms": []}, {"id": "a333", "toponyms": []}]
    pred = bi.write("pred.jsonl", "".join(json.dumps(d) + "\n"
                                          for d in preds).encode())
    rc, out, err = bi.run(["eval", "--gold", gold, "--pred", pred])
    return bi.expect(rc, err, 0, r"pred\.jsonl:2: no article of .*gold\.jsonl"
                                 r" has this id; 2 such lines, not scored") \
        or (None if b"n_docs_pred=2" in out else "stdout: %r" % out)


def gold_nul_line():
    """A gold line of NUL bytes is a bad line, said, not a blank one
    skipped unsaid (eval's own blank test found the terminator of its set
    of blanks for a NUL)."""
    gold = bi.write("nulline.jsonl", b'{"id":"a","text":"Kyiv.","toponyms":'
                    b'[]}\n\0\0\0\n \t\r\n{"id":"b","text":"Lviv.",'
                    b'"toponyms":[]}\n')
    rc, out, err = bi.run(["eval", "--gold", gold])
    return bi.expect(rc, err, 3, r"nulline\.jsonl:2: not a JSON object\n"
                                 r".*1 line rejected") or \
        (None if b"n_docs_pred=2" in out else "stdout: %r" % out)


def gold_spans_outside():
    """--protocol gold, one article with two spans past its text: one
    message for the line, which counts once (it was two lines)."""
    doc = {"id": "x", "text": "Kyiv.", "toponyms": [
        {"start": 0, "end": 40, "name": "Kyiv", "lat": 50.45, "lon": 30.52},
        {"start": 0, "end": 4, "name": "Kyiv", "lat": 50.45, "lon": 30.52},
        {"start": 9, "end": 12, "name": "Lviv", "lat": 49.8, "lon": 24.0}]}
    gold = bi.write("spans.jsonl", (json.dumps(doc) + "\n").encode())
    rc, out, err = bi.run(["eval", "--gold", gold, "--protocol", "gold"])
    return bi.expect(rc, err, 3, r"spans\.jsonl:1: 2 toponyms' spans lie "
                                 r"outside the text; left unanswered\n"
                                 r".*1 line rejected") or \
        (None if err.count("spans.jsonl:1") == 1 else "stderr: " + err)


def output_in_missing_dir():
    """An output in a directory that does not exist: the message names
    the output given, not the temporary name beside it."""
    rc, out, err = bi.run(["eval", "--gold", gold_corpus(), "--write-pred",
                           bi.path("nodir/pred.jsonl")])
    return bi.expect(rc, err, 1, r"nodir/pred\.jsonl: cannot create: No "
                                 r"such file or directory") or \
        ("names the temporary: " + err if ".tmp-" in err else None)


def long_id():
    """A gold id over eval's 1023 bytes is refused as too long, not as
    "no usable id" (it is a string)."""
    doc = {"id": "x" * 2000, "text": "Kyiv.", "toponyms": []}
    gold = bi.write("longid.jsonl", (json.dumps(doc) + "\n").encode())
    rc, out, err = bi.run(["eval", "--gold", gold])
    return bi.expect(rc, err, 3, r"longid\.jsonl:1: \"id\" is longer than "
                                 r"1023 bytes")


def resolve_long_id():
    """resolve took a string id over 1023 bytes for no id at all (parse
    --mentions writes it): now it is written as it is."""
    doc = {"id": "x" * 2000, "text": "Kyiv.", "spans": [
        {"start": 0, "end": 4}]}
    spans = bi.write("longid.jsonl", (json.dumps(doc) + "\n").encode())
    rc, out, err = bi.run(["resolve", "--spans", spans])
    return bi.expect(rc, err, 0, None) or (
        None if json.loads(out)["id"] == doc["id"] else "stdout: %r" % out)


def nul_in_text(command):
    """An escaped NUL (\\u0000) in an article's text is a space, as parse
    reads it: eval and resolve cut the text there (cJSON's C strings), so
    a gold place after it fell outside the text and resolve refused the
    line."""
    text = "Shelling\u0000hit Kharkiv."
    if command == "eval":
        doc = {"id": "n1", "text": text, "toponyms": [
            {"start": 13, "end": 20, "name": "Kharkiv", "lat": 49.98,
             "lon": 36.25}]}
        args = ["eval", "--gold"]
    else:
        doc = {"id": "n1", "text": text, "spans": [{"start": 13, "end": 20}]}
        args = ["resolve", "--spans"]
    corpus = bi.write("nul.jsonl", (json.dumps(doc) + "\n").encode())
    rc, out, err = bi.run(args + [corpus])
    if command == "eval":
        return bi.expect(rc, err, 0, None) or (
            None if b"tp=1 " in out else "stdout: %r" % out)
    mentions = json.loads(out)["mentions"]
    return bi.expect(rc, err, 0, None) or (
        None if [m["entry"]["name"] for m in mentions] == ["Kharkiv"]
        else "stdout: %r" % out)


def usage(args, pattern):
    """A usage error: exit 2, pattern on stderr, nothing on stdout."""
    def row():
        rc, out, err = bi.run(args, stdin=subprocess.DEVNULL)
        return bi.expect(rc, err, 2, pattern) or (
            "wrote to standard output on a usage error" if out else None)
    return (" ".join(["usage:"] + args), row)


def subcommand_help(what):
    """gazetteer WHAT --help: its usage on stdout, exit 0."""
    def row():
        rc, out, err = bi.run(["gazetteer", what, "--help"])
        return bi.expect(rc, err, 0, None) or (
            None if out.startswith(b"Usage: geomention gazetteer " +
                                   what.encode()) else "stdout: %r" % out)
    return ("gazetteer %s --help" % what, row)


def stdout_full(args):
    """args with standard output on a full disk: exit 1, the failure
    reported once, with its reason."""
    def row():
        rc, err = bi.to_full(args)
        return bi.expect(rc, err, 1, r"standard output: write failed: No "
                                     r"space left on device") or \
            bi.once(err, " ".join(args))
    return ("stdout full: " + " ".join(args), row)


def gold_corpus():
    """A corpus in ../shared/eval's format, large enough that its outputs
    overflow a stdio buffer: each article also marks a made-up town
    geomention misses, a group of its own in --errors."""
    docs = []
    for i in range(300):
        text = "Shelling hit Kharkiv and Zqx%04d." % i
        docs.append({"id": "a%d" % i if i % 2 else i, "text": text,
                     "toponyms": [
                         {"start": 13, "end": 20, "name": "Kharkiv",
                          "lat": 49.98, "lon": 36.25},
                         {"start": 25, "end": 32, "name": text[25:32],
                          "lat": 10.0, "lon": 10.0}]})
    return bi.write("gold.jsonl", "".join(json.dumps(d) + "\n"
                                          for d in docs).encode())


def file_full(args):
    """args writing a file to /dev/full: exit 1, reported once, with the
    file's name and the reason."""
    def row():
        rc, out, err = bi.run(args(), stdin=subprocess.DEVNULL)
        return bi.expect(rc, err, 1, r"/dev/full: write failed: No space "
                                     r"left on device") or \
            bi.once(err, " ".join(args()))
    return row


ROWS = [
    ("gazetteer build -o FIFO: refused, FIFO untouched", build_to_fifo),
    ("gazetteer build: SIGINT leaves no temporary", build_interrupted),
    ("gazetteer build --geonames: an empty dump", build_dump(
        b"", 1, r"dump\.txt: no GeoNames rows \(0 malformed\)")),
    ("gazetteer build --geonames: not a dump at all", build_dump(
        b"id,name\n1,Kyiv\n", 1,
        r"dump\.txt: no GeoNames rows \(2 malformed\)")),
    ("gazetteer build --geonames: a directory", build_dump(
        None, 1, r"dumpdir: read error: Is a directory")),
    ("gazetteer build -q: a malformed row is still said",
     lambda: build_dump(geonames_rows(), 0,
                        r"dump\.txt:3: skipped: fewer than 18 tab-separated "
                        r"columns\n.*skipped 1 malformed rows")()),
    usage(["gazetteer", "build", "-o", "-"], r"-o -: a gazetteer is "
          r"written to a file"),
    ("sources: a TSV row with a column missing", sources_row(
        "AD\t3041565\t42.5\t1.5\tx\nAE\t290557\t24\t54\n",
        r"countries-geonames\.tsv:3: 4 columns, expected 5")),
    ("sources: a TSV row with a column too many", sources_row(
        "AD\t3041565\t42.5\t1.5\tx\nAE\t290557\t24\t54\tx\ty\n",
        r"countries-geonames\.tsv:3: more than 5 columns")),
    ("eval --pred: ids that are not in the gold", pred_ids_not_in_gold),
    ("eval --protocol gold: spans past the text", gold_spans_outside),
    ("eval: a gold line of NUL bytes", gold_nul_line),
    ("eval --write-pred DIR/FILE, DIR missing", output_in_missing_dir),
    ("eval: an id over 1023 bytes", long_id),
    ("resolve: an id over 1023 bytes", resolve_long_id),
    ("eval: an escaped NUL in the text", lambda: nul_in_text("eval")),
    ("resolve: an escaped NUL in the text", lambda: nul_in_text("resolve")),
] + [subcommand_help(w) for w in ("info", "check", "names")] + [
    usage(["gazetteer"], r"gazetteer: expected a command"),
    # parse refused these; lookup and resolve took them for a country
    usage(["lookup", "--country", "12", "Kyiv"], r"--country"),
    usage(["lookup", "--country", "U1", "Kyiv"], r"--country"),
    usage(["resolve", "--country", "1!", "--spans", "-"], r"--country"),
] + [stdout_full(a) for a in (
    # --help of a command: main did not check standard output after one
    ["eval", "--help"], ["lookup", "--help"], ["resolve", "--help"],
    ["gazetteer", "--help"], ["gazetteer", "build", "--help"],
    ["--help"], ["--version"],
    # each command's own output: the reason was missing
    ["lookup", "Kyiv"], ["lookup", "Ukraine"], ["gazetteer", "info"],
    ["gazetteer", "check"], ["gazetteer", "names"])] + [
    ("stdout full: eval's scores",
     lambda: stdout_full(["eval", "--gold", gold_corpus()])[1]()),
    ("stdout full: resolve --spans",
     lambda: stdout_full(["resolve", "--spans", gold_corpus()])[1]()),
    ("file full: eval --write-pred /dev/full", file_full(
        lambda: ["eval", "--gold", gold_corpus(), "--write-pred",
                 "/dev/full"])),
    ("file full: eval --errors /dev/full", file_full(
        lambda: ["eval", "--gold", gold_corpus(), "--errors", "/dev/full"])),
    ("file full: resolve -o /dev/full", file_full(
        lambda: ["resolve", "--spans", gold_corpus(), "-o", "/dev/full"])),
]


def main():
    return bi.run_rows(ROWS)


if __name__ == "__main__":
    sys.exit(main())
