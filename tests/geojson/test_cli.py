#!/usr/bin/env python3
"""test_cli.py — the output options of `geomention parse` do what the
README says: usage errors, file names and framing, --split's two files,
--precision, --full-geometry and --simplify; identical input gives
identical bytes; and an article full of invalid UTF-8, NUL and control
bytes still gives strict JSON whose strings and offsets fit the original
bytes. TAP."""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gjtest  # noqa: E402
import rfc7946  # noqa: E402

ARTICLES = gjtest.ARTICLES


def usage_errors(t, d):
    target = os.path.join(d, "never.geojson")
    cases = [
        ["--layer", "points"], ["--per", "sentence"], ["--precision", "11"],
        ["--precision", "2.5"], ["--simplify", "-3"], ["--simplify", "x"],
        ["--split", os.path.join(d, "s"), "-o", target],
        ["--split", os.path.join(d, "s"), "--layer", "places"],
        ["--simplify", "100", "--full-geometry"],
        ["--mentions", "--seq"], ["--mentions", "--per", "mention"],
    ]
    for args in cases:
        p = gjtest.run(["parse", *args, "-o", target, gjtest.EXAMPLE]
                       if "-o" not in args and "--split" not in args
                       else ["parse", *args, gjtest.EXAMPLE], expect=2)
        t.ok(p.stderr.startswith(b"geomention: ") and not os.path.exists(target),
             f"usage error: {' '.join(a for a in args if not a.startswith('/'))}")


def framing(t, d):
    out = gjtest.run(["parse", *ARTICLES]).stdout.decode()
    doc = json.loads(out)
    t.ok(doc["type"] == "FeatureCollection" and "bbox" in doc and
         {f["geometry"]["type"] for f in doc["features"]} == {"Point", "MultiPolygon"},
         "stdout: one FeatureCollection of both layers")
    seqs = os.path.join(d, "x.geojsons")
    gjtest.run(["parse", "-o", seqs, *ARTICLES])
    text = open(seqs, encoding="utf-8").read()
    records = text.split("\x1e")[1:]
    t.ok(text.startswith("\x1e") and all(r.endswith("\n") and r.count("\n") == 1
                                         for r in records) and
         len(records) == len(doc["features"]),
         f"-o FILE.geojsons: RFC 8142, {len(records)} RS-framed features")
    lines = os.path.join(d, "x.geojsonl")
    gjtest.run(["parse", "-o", lines, "--seq", *ARTICLES])
    text = open(lines, encoding="utf-8").read()
    t.ok("\x1e" not in text and len(text.splitlines()) == len(doc["features"]) and
         all(json.loads(line)["type"] == "Feature" for line in text.splitlines()),
         "-o FILE.geojsonl: one feature a line, no RS")
    sub = os.path.join(d, "split")
    os.makedirs(sub, exist_ok=True)
    for f in os.listdir(sub):
        os.unlink(os.path.join(sub, f))
    gjtest.run(["parse", "--split", os.path.join(sub, "news"), *ARTICLES])
    t.ok(sorted(os.listdir(sub)) == ["news.places.geojson", "news.regions.geojson"],
         "--split: the two files and nothing else", os.listdir(sub))


def positions(path):
    n = 0
    for f in gjtest.features(path):
        g = f["geometry"]
        if g and g["type"] == "MultiPolygon":
            n += sum(len(r) for poly in g["coordinates"] for r in poly)
    return n


def geometry_options(t, d):
    paths = {}
    for name, extra in (("default", []), ("full", ["--full-geometry"]),
                        ("coarse", ["--simplify", "20000"]),
                        ("p2", ["--precision", "2"])):
        paths[name] = os.path.join(d, f"geometry-{name}.geojson")
        gjtest.run(["parse", "--layer", "regions", "-o", paths[name], *extra, gjtest.EXAMPLE])
    n = {k: positions(v) for k, v in paths.items()}
    t.ok(n["full"] > n["default"] > n["coarse"] > 0,
         f"positions: full {n['full']} > simplified copy {n['default']} > "
         f"20 km {n['coarse']}")
    found = rfc7946.check_file(paths["p2"], precision=2)
    two = sum(1 for f in gjtest.features(paths["p2"])
              for poly in f["geometry"]["coordinates"] for r in poly for x, y in r
              if rfc7946.decimals(x) == 2)
    t.ok(not found and two > 0, f"--precision 2: at most 2 decimals ({two} with 2)",
         "\n".join(found))


def determinism(t, d):
    for args in (["--per", "place"], ["--per", "mention", "--seq"],
                 ["--layer", "regions", "--simplify", "5000"]):
        a = gjtest.run(["parse", *args, *ARTICLES]).stdout
        b = gjtest.run(["parse", *args, *ARTICLES]).stdout
        t.ok(a == b and len(a) > 1000, f"byte-identical runs: {' '.join(args)}")


NASTY = (b"KRAMATORSK, Ukraine \xe2\x80\x94 Shelling hit Kramatorsk\xff\xfe overnight. "
         b"A NUL\x00 and an ESC\x1b in Kyiv, \"quoted\" and back\\slashed. "
         b"Bad \xc3\x28 bytes \xe2\x82 near Donetsk\xed\xa0\x80 and Kharkiv;\r\n"
         b"\tline\xe2\x80\xa8separator in Sloviansk \xc0\x80 too.\n")


def replace_invalid(raw):
    """Each byte that does not start a valid UTF-8 character: U+FFFD."""
    out, i = [], 0
    while i < len(raw):
        for k in (1, 2, 3, 4):
            try:
                ch = raw[i:i + k].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append(ch)
                i += k
                break
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def escaping(t, d):
    article = os.path.join(d, "nasty.txt")
    with open(article, "wb") as f:
        f.write(NASTY)
    path = os.path.join(d, "nasty.geojson")
    gjtest.run(["parse", "--per", "mention", "-o", path, article])
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")  # strict
    t.ok(not any(ord(c) < 0x20 and c != "\n" for c in text),
         "no raw control characters in the output")
    t.ok("\\u0000" in text and "\\u001b" in text,
         "NUL and ESC escaped (U+2028 ends a sentence: test_shape.c has it)")
    feats = json.loads(text)["features"]
    t.ok(len(feats) >= 4, f"{len(feats)} mentions found around the bad bytes")
    bad = []
    for f in feats:
        p = f["properties"]
        want = replace_invalid(NASTY[p["byte_start"]:p["byte_end"]])
        s = p["sentence"]
        cut = s[p["start"] - p["sentence_start"]:p["end"] - p["sentence_start"]]
        if p["text"] != want or cut != p["text"]:
            bad.append(f"{p['text']!r}: bytes give {want!r}, code points {cut!r}")
    t.ok(feats and not bad, "text = the bytes at byte_start..byte_end, and "
         "start..end index the sentence as written", "\n".join(bad))
    whole = replace_invalid(NASTY)
    t.ok(all(whole[p["sentence_start"]:p["sentence_end"]] == p["sentence"]
             for p in (f["properties"] for f in feats)),
         "sentence_start..sentence_end index the article (U+FFFD per bad byte)")
    t.ok("\ufffd" in "".join(f["properties"]["sentence"] for f in feats),
         "invalid bytes became U+FFFD")


def main():
    t = gjtest.TAP()
    d = gjtest.workdir("cli")
    usage_errors(t, d)
    framing(t, d)
    geometry_options(t, d)
    determinism(t, d)
    escaping(t, d)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
