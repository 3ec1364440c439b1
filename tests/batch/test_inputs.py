"""test_inputs.py — every kind of input of `geomention parse`, and what
happens to records that cannot be articles."""
import gzip
import json
import os
import re
import sys

from batchtest import ARTICLES, TAP, citations, jsonl, run, scratch, write


def tree(t, d):
    """Directories: recursive, sorted, --glob on the file name."""
    for i, text in enumerate(ARTICLES[:4]):
        write(os.path.join(d, "tree", "b" if i % 2 else "a", f"n{i}.txt"),
              text)
    write(os.path.join(d, "tree", "a", "notes.md"), ARTICLES[4])
    write(os.path.join(d, "tree", ".hidden.txt"), ARTICLES[5])
    out = os.path.join(d, "tree.geojson")
    p = run(["parse", "-q", "--glob", "*.txt", "-o", out,
             os.path.join(d, "tree")])
    t.ok(p.returncode == 0, "directory with --glob: exit 0", p.stderr)
    sources = {os.path.relpath(s, d) for _, s, _ in citations(out)}
    t.ok(sources == {f"tree/{'b' if i % 2 else 'a'}/n{i}.txt"
                     for i in range(4)},
         "every .txt file under the tree, no .md, no hidden file", sources)
    p = run(["parse", "-o", out, os.path.join(d, "tree")])
    t.ok(b"5 articles read, 5 parsed, 0 rejected" in p.stderr,
         "without --glob every visible file is an article", p.stderr)
    t.ok(re.search(rb"rejected, \d+ mentions, [1-9]\d* places\n", p.stderr),
         "the summary counts the places written", p.stderr)
    p = run(["parse", "--mentions", "-o", out, os.path.join(d, "tree")])
    t.ok(re.search(rb"rejected, [1-9]\d* mentions\n", p.stderr),
         "--mentions gathers no places: its summary counts none", p.stderr)


def json_lines(t, d):
    recs = [{"id": f"a{i}", "title": f"T{i}", "url": f"https://x/{i}",
             "date": "2024-02-0%d" % (i + 1), "text": text}
            for i, text in enumerate(ARTICLES)]
    path = os.path.join(d, "news.jsonl")
    write(path, "\n" + jsonl(recs[:3]) + "\n" + jsonl(recs[3:]))
    out = os.path.join(d, "news.geojson")
    p = run(["parse", "-q", "-o", out, path])
    t.ok(p.returncode == 0, "JSON Lines: exit 0", p.stderr)
    feats = json.load(open(out))["features"]
    arts = {c["article"]["id"]: c["article"]
            for f in feats for c in f["properties"]["citations"]}
    a1 = arts.get("a1", {})
    t.ok(a1.get("title") == "T1" and a1.get("url") == "https://x/1" and
         a1.get("date") == "2024-02-02" and a1.get("source") == path and
         a1.get("line") == 3,
         "citation carries id, title, url, date, source and line "
         "(blank lines counted)", a1)
    t.ok(len(arts) == len(ARTICLES), "every article cited", sorted(arts))

    # Other field names, gzip, detected by .ndjson.gz
    other = [{"key": r["id"], "body": r["text"], "headline": r["title"]}
             for r in recs]
    gz = os.path.join(d, "other.ndjson.gz")
    with gzip.open(gz, "wt") as f:
        f.write(jsonl(other))
    out2 = os.path.join(d, "other.geojson")
    p = run(["parse", "-q", "--id-field", "key", "--text-field", "body",
             "--title-field", "headline", "-o", out2, gz])
    ids = sorted({i for i, _, _ in citations(out2)})
    t.ok(p.returncode == 0 and ids == sorted(arts),
         ".ndjson.gz with --id-field/--text-field/--title-field", p.stderr)
    feats2 = json.load(open(out2))["features"]
    t.ok(all(c["article"]["title"].startswith("T")
             for f in feats2 for c in f["properties"]["citations"]),
         "--title-field read")

    # stdin as JSON Lines with --format, and a .txt that is JSON Lines
    p = run(["parse", "-q", "--format", "jsonl", "-o", out2],
            stdin=jsonl(recs).encode())
    t.ok(p.returncode == 0 and
         sorted({i for i, _, _ in citations(out2)}) == sorted(arts) and
         {s for _, s, _ in citations(out2)} == {None},
         "stdin --format jsonl: every article, source null", p.stderr)


def plain(t, d):
    gz = os.path.join(d, "plain", "kharkiv.txt.gz")
    os.makedirs(os.path.dirname(gz), exist_ok=True)
    with gzip.open(gz, "wt") as f:
        f.write(ARTICLES[0])
    out = os.path.join(d, "plain.geojson")
    p = run(["parse", "-q", "-o", out, gz])
    t.ok(p.returncode == 0 and citations(out) and
         all(c == ("kharkiv", gz, 1) for c in citations(out)),
         "gzip plain text: id without .txt.gz, line 1", citations(out))
    p = run(["parse", "-q", "-o", out], stdin=ARTICLES[1].encode())
    t.ok(p.returncode == 0 and citations(out) and
         all(c == ("stdin", None, 1) for c in citations(out)),
         "stdin: one article of text", citations(out))
    p = run(["parse", "-q", "-o", out, "-"], stdin=ARTICLES[1].encode())
    t.ok(p.returncode == 0 and citations(out), "'-' is stdin", p.stderr)


BAD = [
    ('{"id": "n", "text": 5}', 'field \\"text\\" is not a string'),
    ("not json", "invalid JSON"),
    ('{"id": "m"}', 'no \\"text\\" field'),
    ("[1, 2]", "not a JSON object"),
]


def bad_records(t, d):
    good = json.dumps({"id": "g", "text": ARTICLES[0]})
    # distinct ids: a repeated one is a warning line in --errors
    lines = [good] + [b for b, _ in BAD] + [good.replace('"g"', '"g2"')]
    path = os.path.join(d, "bad.jsonl")
    write(path, "\n".join(lines) + "\n")
    binary = os.path.join(d, "binary.txt")
    write(binary, bytes(range(128, 256)) * 4, "wb")
    big = os.path.join(d, "big.txt")
    write(big, ARTICLES[2] + " " * 5000)
    errors = os.path.join(d, "errors.jsonl")
    out = os.path.join(d, "bad.geojson")
    p = run(["parse", "--errors", errors, "--max-article-bytes", "4096",
             "-o", out, path, binary, big])
    t.ok(p.returncode == 3, "some records rejected: exit 3", p.returncode)
    t.ok(os.path.exists(out) and len(citations(out)) >= 2,
         "the good records still parsed and written")
    errs = [json.loads(x) for x in open(errors)]
    want = [{"source": path, "line": i + 2, "reason": r.replace('\\"', '"')}
            for i, (_, r) in enumerate(BAD)]
    want.append({"source": binary, "line": 1, "reason": "not UTF-8 text"})
    want.append({"source": big, "line": 1,
                 "reason": "article over --max-article-bytes (4096)"})
    t.ok(errs == want, "--errors: source, line, reason of each", errs)
    t.ok(b"8 articles read, 2 parsed, 6 rejected" in p.stderr,
         "summary: read, parsed, rejected", p.stderr)
    t.ok(b"not a string" not in p.stderr,
         "with --errors the records are not repeated on stderr", p.stderr)

    p = run(["parse", "-o", out, path])
    t.ok(p.returncode == 3 and
         f"geomention: {path}:3: invalid JSON".encode() in p.stderr,
         "without --errors: FILE:LINE: reason on stderr", p.stderr)

    # Stray bad bytes in an article are tolerated (U+FFFD in the output)
    latin = os.path.join(d, "latin.txt")
    write(latin, ARTICLES[0].encode() + b" caf\xe9.", "wb")
    p = run(["parse", "-q", "-o", out, latin])
    t.ok(p.returncode == 0 and citations(out),
         "a stray non-UTF-8 byte is tolerated", p.stderr)

    missing = os.path.join(d, "missing.txt")
    os.remove(out)
    p = run(["parse", "--errors", errors, "-o", out, missing, latin])
    errs = [json.loads(x) for x in open(errors)]
    t.ok(p.returncode == 1 and citations(out) and errs and
         errs[0]["source"] == missing and
         errs[0]["reason"].startswith("cannot open"),
         "an unreadable input: exit 1, the rest still written", p.stderr)

    trunc = os.path.join(d, "cut.jsonl.gz")
    whole = gzip.compress(("\n".join(
        good.replace('"g"', '"g%d"' % i) for i in range(2000)) +
        "\n").encode())
    write(trunc, whole[:len(whole) // 2], "wb")
    os.remove(out)
    p = run(["parse", "-q", "--errors", errors, "-o", out, trunc])
    errs = [json.loads(x) for x in open(errors)]
    t.ok(p.returncode == 1 and os.path.exists(out) and len(errs) == 1 and
         "truncated" in errs[0]["reason"] and errs[0]["line"] > 1,
         "a truncated gzip stream: exit 1, its line in --errors, the "
         "articles before it written", errs)


def usage(t, d):
    for args in (["--jobs", "0"], ["--jobs", "-2"], ["--jobs", "100000"],
                 ["--jobs", "two"], ["--format", "xml"],
                 ["--max-article-bytes", "0"], ["--max-citations", "0"]):
        p = run(["parse"] + args, stdin=b"")
        t.ok(p.returncode == 2 and p.stderr.startswith(b"geomention: "),
             f"usage error: {' '.join(args)}", p.stderr)


def main():
    t = TAP()
    d = scratch("inputs")
    tree(t, d)
    json_lines(t, d)
    plain(t, d)
    bad_records(t, d)
    usage(t, d)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
