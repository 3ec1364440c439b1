#!/usr/bin/env python3
"""Bad inputs, one TAP line each: what geomention says and how it exits.

Each row of CASES names an input, the command line, the exit status
expected and a regular expression the standard error must match; some
rows also check the output. Large inputs are generated in WORKDIR at test
time and deleted afterwards. Usage: badinput.py WORKDIR [ROW-SUBSTRING]
(env: GEOMENTION, GEOMENTION_GAZETTEER, GM_SOURCE_ROOT).

Notes:
- Tests run as root, for whom chmod 000 does not stop reading: the
  "unreadable file" row uses a path that fails for another reason (a
  file used as a directory, ENOTDIR).
- Invalid UTF-8 in an article (stray bytes, UTF-8-encoded surrogates such
  as ED A0 80) is parsed; each invalid byte is one code point of the
  offsets and becomes U+FFFD in the output, so the JSON stays valid and a
  citation is the article's text decoded that way. A file that is mostly
  invalid bytes (here: overlong forms) is not taken for text: exit 3.
- JSON Lines: each bad record sits between two good ones, which must
  both be parsed (the batch goes on); exit 3 and FILE:LINE: reason. A
  repeated id is no rejection: both parsed, a warning, exit 0 (README,
  "Batch"). An escaped NUL (\\u0000) is read as a space; a raw NUL byte
  makes a line invalid JSON.
- /dev/full rows count the message: one "write failed", not two.
- Rows marked `known` state behaviour the issue asks for that is not there
  yet: they print `not ok ... # TODO` while it is missing, `ok` after.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

GM = os.environ.get("GEOMENTION")
GAZ = os.environ.get("GEOMENTION_GAZETTEER")
SRC = os.environ.get("GM_SOURCE_ROOT", ".")
WORK = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "badinput-work")
ONLY = sys.argv[2] if len(sys.argv) > 2 else None
EXAMPLE = os.path.join(SRC, "examples", "donbas-front.txt")

# gaz_format.h: magic[8] major u16 minor u16 header_size u32 file_size u64
# data_version[32] source_checksum[72] body_crc32 u32 n_sections u32
# sections[16] {id u32, reserved u32, offset u64, size u64} header_crc32 u32
# pad u32.
HDR_SIZE = 8 + 4 + 4 + 8 + 32 + 72 + 4 + 4 + 16 * 24 + 8
SEC_AT = 8 + 4 + 4 + 8 + 32 + 72 + 4 + 4
CRC_AT = SEC_AT + 16 * 24


def path(name):
    return os.path.join(WORK, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


def run(args, stdin=None, timeout=600):
    p = subprocess.run([GM] + args, stdin=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, cwd=WORK)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def features(out):
    """The output parsed back as strict JSON (raises when it is not)."""
    d = json.loads(out.decode("utf-8"))
    assert d["type"] == "FeatureCollection", d.get("type")
    return d["features"]


def rehead(data, **fields):
    """The gazetteer bytes with header fields changed and its crc redone."""
    h = bytearray(data[:HDR_SIZE])
    if "major" in fields:
        struct.pack_into("<H", h, 8, fields["major"])
    struct.pack_into("<I", h, CRC_AT, 0)
    struct.pack_into("<I", h, CRC_AT, zlib.crc32(bytes(h)) & 0xffffffff)
    return bytes(h) + data[HDR_SIZE:]


def small_gazetteer():
    out = path("small.gmz")
    if not os.path.exists(out):
        subprocess.run([GM, "gazetteer", "build", "--quiet", "--no-bundled",
                        "--geonames", os.path.join(SRC, "tests", "data",
                                                   "geonames-small.txt"),
                        "-o", out], check=True)
    with open(out, "rb") as f:
        return f.read()


def sections(data):
    n = struct.unpack_from("<I", data, SEC_AT - 4)[0]
    return [struct.unpack_from("<IIQQ", data, SEC_AT + 24 * i)
            for i in range(n)]


# ------------------------------------------------------------------ rows
# Each returns None when it passes, else a string saying what was wrong.

def expect(rc, err, status, pattern):
    if rc != status:
        return "exit %d, expected %d; stderr: %s" % (rc, status, err[-400:])
    if pattern and not re.search(pattern, err):
        return "stderr does not match /%s/: %s" % (pattern, err[-400:])
    return None


def empty_file():
    rc, out, err = run(["parse", write("empty.txt", b"")])
    return expect(rc, err, 0, r"1 parsed") or (
        "features from nothing" if features(out) else None)


def nul_bytes():
    rc, out, err = run(["parse", write("nul.txt", b"\0" * 4096)])
    return expect(rc, err, 0, r"1 parsed") or (
        "features from NUL bytes" if features(out) else None)


def faithful(raw, out):
    """Every citation of out is the text it cites: raw decoded with each
    invalid byte as U+FFFD (what geomention writes, one per byte), by
    bytes and by code points; returns (problem or None, citations seen)."""
    text = raw.decode("utf-8", "replace")
    n = 0
    for f in features(out):
        for c in f["properties"]["citations"]:
            n += 1
            if raw[c["byte_start"]:c["byte_end"]].decode(
                    "utf-8", "replace") != c["text"]:
                return "citation bytes differ: %r" % c, n
            if text[c["start"]:c["end"]] != c["text"]:
                return "citation code points differ: %r" % c, n
            s = text[c["sentence_start"]:c["sentence_end"]]
            if s != c["sentence"]:
                return "sentence differs: %r vs %r" % (s, c["sentence"]), n
    return None, n


def invalid_utf8():
    raw = b"Kyiv \xff\xfe Lviv\n"
    rc, out, err = run(["parse", write("bad.txt", raw)])
    why = expect(rc, err, 0, r"1 parsed")
    if why:
        return why
    why, n = faithful(raw, out)
    return why or (None if n == 2 else "%d citations, expected 2" % n)


def overlong_utf8():
    # Mostly invalid bytes: not taken for text at all.
    rc, out, err = run(["parse", write("overlong.txt",
                                       b"Kyiv \xc0\xaf \xe0\x80\xaf Lviv\n")])
    return expect(rc, err, 3, r"overlong\.txt.*not UTF-8")


def surrogate_utf8():
    raw = b"Kyiv \xed\xa0\x80 Lviv\n"
    rc, out, err = run(["parse", write("surrogate.txt", raw)])
    why = expect(rc, err, 0, r"1 parsed")
    if why:
        return why
    why, n = faithful(raw, out)
    if not why and "\ufffd\ufffd\ufffd" not in out.decode():
        why = "the surrogate's bytes did not become U+FFFD"
    return why or (None if n == 2 else "%d citations, expected 2" % n)


def huge_line():
    p = path("huge.txt")
    try:
        with open(p, "wb") as f:
            chunk = b"Kyiv " * (1 << 20)  # 5 MiB
            for _ in range(40):            # 200 MiB, one line
                f.write(chunk)
        rc, out, err = run(["parse", p])
        return expect(rc, err, 3, r"huge\.txt:1: article over "
                                  r"--max-article-bytes \(10485760\)")
    finally:
        os.unlink(p)


def too_many_names():
    p = write("many.txt", b"Kyiv, " * 120_000)
    rc, out, err = run(["parse", p])
    return expect(rc, err, 3, r"many\.txt.*more than 100000 names")


def ten_million_spaces():
    p = write("spaces.txt", b" " * 10_000_000 + b"\n")
    try:
        rc, out, err = run(["parse", p])
        return expect(rc, err, 0, r"1 parsed") or (
            "features from spaces" if features(out) else None)
    finally:
        os.unlink(p)


def truncated_gz():
    with open(EXAMPLE, "rb") as f:
        gz = zlib.compressobj(9, zlib.DEFLATED, 31)
        data = gz.compress(f.read()) + gz.flush()
    rc, out, err = run(["parse", write("cut.txt.gz", data[:len(data) // 2])])
    if rc == 0:
        return "exit 0: a truncated .gz read as a whole article"
    return expect(rc, err, rc, r"cut\.txt\.gz.*truncated")


def symlink_loop():
    d = path("loop")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.symlink("..", os.path.join(d, "up"))
    os.symlink(".", os.path.join(d, "self"))
    try:
        rc, out, err = run(["parse", d], timeout=30)
    except subprocess.TimeoutExpired:
        return "still running after 30 s: the loop is followed forever"
    if rc not in (1, 3):
        return "exit %d, expected 1 or 3: %s" % (rc, err[-300:])
    return expect(rc, err, rc, r"loop.*(symbolic links|loop|directory)")


def unreadable():
    write("plain.txt", b"Kyiv\n")
    rc, out, err = run(["parse", path("plain.txt/inner.txt")])
    if rc not in (1, 3):
        return "exit %d, expected 1 or 3" % rc
    return expect(rc, err, rc, r"plain\.txt/inner\.txt.*Not a directory")


def gaz_rows():
    data = small_gazetteer()
    rows = []

    def lookup(gaz, status, pattern):
        rc, out, err = run(["lookup", "--gazetteer", gaz, "Alderford"])
        return expect(rc, err, status, pattern)

    rows.append(("gazetteer: the small one works",
                 lambda: lookup(path("small.gmz"), 0, None)))
    rows.append(("gazetteer: empty file",
                 lambda: lookup(write("g-empty.gmz", b""), 4,
                                r"g-empty\.gmz.*empty")))
    rows.append(("gazetteer: future format version",
                 lambda: lookup(write("g-future.gmz", rehead(data, major=99)),
                                4, r"g-future\.gmz.*format 99")))
    rows.append(("gazetteer: someone else's file (README.md)",
                 lambda: lookup(os.path.join(SRC, "README.md"), 4,
                                r"README\.md.*(magic|other kind)")))
    rows.append(("gazetteer: a directory",
                 lambda: lookup(WORK, 4, r"not a regular file")))
    cuts = {HDR_SIZE // 2, HDR_SIZE}
    for sid, _, off, size in sections(data):
        cuts.update({off, off + size - 1 if size else off})
    cuts = sorted(c for c in cuts if 0 < c < len(data))

    def truncations():
        bad = []
        for c in cuts:
            rc, out, err = run(["lookup", "--gazetteer",
                                write("g-cut.gmz", data[:c]), "Alderford"])
            if rc != 4 or not re.search(r"g-cut\.gmz.*(truncated|shorter)",
                                        err):
                bad.append("cut at %d: exit %d, %s" % (c, rc, err[-200:]))
        return "; ".join(bad) or None
    rows.append(("gazetteer: truncated at each of %d section boundaries"
                 % len(cuts), truncations))

    def corrupt_body():
        b = bytearray(data)
        b[-2] ^= 0xff
        p = write("g-corrupt.gmz", bytes(b))
        rc, out, err = run(["gazetteer", "check", p])
        return expect(rc, err, 4, r"g-corrupt\.gmz.*checksum")
    rows.append(("gazetteer: body changed after the header (check)",
                 corrupt_body))
    return rows


def once(err, what):
    """None when stderr says 'write failed' exactly once."""
    n = err.count("write failed")
    return None if n == 1 else "%s: 'write failed' %d times: %s" % (
        what, n, err[-400:])


# ------------------------------------------------------------ JSON Lines

def jsonl_rejected(name, line, reason):
    """One bad record between two good ones: the batch goes on (both good
    articles parsed), exit 3, FILE:LINE: reason on stderr."""
    def row():
        good = [json.dumps({"id": "g%d" % i, "text": "Shelling in Kharkiv."})
                for i in (1, 2)]
        p = write(name, ("\n".join([good[0], line, good[1]]) +
                         "\n").encode("utf-8", "surrogateescape"))
        rc, out, err = run(["parse", p])
        why = expect(rc, err, 3, re.escape("%s:2: %s" % (p, reason)))
        if why:
            return why
        if "3 articles read, 2 parsed, 1 rejected" not in err:
            return "summary: %s" % err[-300:]
        ids = {c["article"]["id"] for f in features(out)
               for c in f["properties"]["citations"]}
        return None if ids == {"g1", "g2"} else "article ids %r" % ids
    return row


JSONL_BAD = [
    ("JSON Lines: broken JSON (unclosed object)", "broken.jsonl",
     '{"id": "b", "text": "Kyiv"', "invalid JSON"),
    ("JSON Lines: not JSON at all", "words.jsonl", "Kyiv and Lviv",
     "invalid JSON"),
    ("JSON Lines: a line of NUL bytes", "nul.jsonl", "\0" * 64,
     "invalid JSON: a NUL byte"),
    ("JSON Lines: a NUL byte inside the text", "nultext.jsonl",
     '{"id": "z", "text": "Kyiv\0 Lviv"}', "invalid JSON: a NUL byte"),
    ("JSON Lines: two records on one line", "two.jsonl",
     '{"id": "x", "text": "Kyiv"}{"id": "y", "text": "Lviv"}',
     "invalid JSON: more after the first value"),
    ("JSON Lines: words after the record", "after.jsonl",
     '{"id": "x", "text": "Kyiv"} and more',
     "invalid JSON: more after the first value"),
    ("JSON Lines: an array, not an object", "array.jsonl",
     '["Kyiv"]', "not a JSON object"),
    ("JSON Lines: missing text field", "notext.jsonl",
     '{"id": "m", "title": "Kyiv"}', 'no "text" field'),
    ("JSON Lines: text is a number", "num.jsonl",
     '{"id": "n", "text": 42}', 'field "text" is not a string'),
    ("JSON Lines: text is null", "null.jsonl",
     '{"id": "n", "text": null}', 'field "text" is not a string'),
    ("JSON Lines: text is an object", "obj.jsonl",
     '{"id": "n", "text": {"body": "Kyiv"}}', 'field "text" is not a string'),
    ("JSON Lines: text is an array", "arr.jsonl",
     '{"id": "n", "text": ["Kyiv"]}', 'field "text" is not a string'),
    ("JSON Lines: text of invalid bytes (not UTF-8)", "bytes.jsonl",
     '{"id": "x", "text": "' + "\udcff\udcfe" * 40 + '"}', "not UTF-8 text"),
]


def jsonl_renamed_missing():
    """--text-field names a field the records do not have."""
    p = write("renamed.jsonl", b'{"id": "r", "text": "Kyiv"}\n')
    rc, out, err = run(["parse", "--text-field", "body", p])
    return expect(rc, err, 3, re.escape(p + ':1: no "body" field'))


def jsonl_over_limit():
    """A JSON text over --max-article-bytes is rejected by its length."""
    p = write("long.jsonl", (json.dumps({"id": "l", "text": "Kyiv " * 40}) +
                             "\n").encode())
    rc, out, err = run(["parse", "--max-article-bytes", "100", p])
    return expect(rc, err, 3, re.escape(
        p + ":1: article over --max-article-bytes (100)"))


def jsonl_escaped_nul():
    """An escaped NUL (\\u0000) in the text does not cut it short: it is
    read as a space, so the rest is parsed and the offsets stay exact."""
    p = write("escnul.jsonl", b'{"id": "z", "text": "Fighting in Kyiv.'
              b'\\u0000 Shelling in Lviv."}\n')
    rc, out, err = run(["parse", p])
    why = expect(rc, err, 0, r"1 articles read, 1 parsed, 0 rejected")
    if why:
        return why
    text = "Fighting in Kyiv.\0 Shelling in Lviv."
    cites = [c for f in features(out) for c in f["properties"]["citations"]]
    names = sorted(c["text"] for c in cites)
    if names != ["Kyiv", "Lviv"]:
        return "citations %r, expected Kyiv and Lviv" % names
    bad = [c for c in cites if text[c["start"]:c["end"]] != c["text"]]
    return "offsets differ: %r" % bad if bad else None


def jsonl_empty_file():
    """An empty JSON Lines file, or one of blank lines: no article, no
    complaint."""
    for name, data in (("empty.jsonl", b""), ("blank.jsonl", b"\n \n\t\r\n")):
        rc, out, err = run(["parse", write(name, data)])
        why = expect(rc, err, 0, r"0 articles read, 0 parsed, 0 rejected")
        if why or features(out):
            return "%s: %s" % (name, why or "features from nothing")
    return None


def jsonl_truncated_gz():
    """A .jsonl.gz cut short: the records before the cut are parsed, the
    cut is an I/O failure with its line (exit 1)."""
    recs = "".join(json.dumps({"id": "t%d" % i, "text": "Rain in Lviv."}) +
                   "\n" for i in range(3000)).encode()
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = gz.compress(recs) + gz.flush()
    p = write("cut.jsonl.gz", data[:len(data) // 2])
    rc, out, err = run(["parse", p])
    why = expect(rc, err, 1, re.escape(p) + r":\d+: read failed: .*truncated")
    if why:
        return why
    n = len({c["article"]["id"] for f in features(out)
             for c in f["properties"]["citations"]})
    return None if n > 100 else "only %d articles before the cut" % n


def jsonl_empty_text():
    """An empty text is an article with no places, like an empty file."""
    p = write("emptytext.jsonl", b'{"id": "e", "text": ""}\n')
    rc, out, err = run(["parse", p])
    return expect(rc, err, 0, r"1 articles read, 1 parsed, 0 rejected") or (
        "features from an empty text" if features(out) else None)


DUPS = [{"id": "7", "text": "Shelling in Kharkiv."},
        {"id": "8", "text": "Rain in Lviv."},
        {"id": 7, "text": "Sirens in Kharkiv again."}]


def duplicate_ids():
    """A repeated id (7 and "7" are the same id in the output): both
    articles are parsed, the second is a warning naming the first's
    FILE:LINE, on stderr, counted in the summary; the exit status stays 0."""
    a = write("dup-a.jsonl", "".join(json.dumps(d) + "\n"
                                     for d in DUPS).encode())
    b = write("dup-b.jsonl", b'{"id": "8", "text": "Kyiv."}\n')
    rc, out, err = run(["parse", a, b])
    why = expect(rc, err, 0, re.escape(
        '%s:3: duplicate id "7", first at %s:1; both parsed' % (a, a)))
    why = why or expect(rc, err, 0, re.escape(
        '%s:1: duplicate id "8", first at %s:2; both parsed' % (b, a)))
    why = why or expect(rc, err, 0, r"4 articles read, 4 parsed, 0 rejected, "
                                    r".*, 2 duplicate ids")
    if why:
        return why
    lines = sorted((c["article"]["id"], c["article"]["line"])
                   for f in features(out)
                   for c in f["properties"]["citations"]
                   if c["article"]["id"] == "7")
    return None if lines == [("7", 1), ("7", 3)] else (
        "both articles with id 7 should be cited: %r" % lines)


def duplicate_ids_errors():
    """With --errors the warning is a JSON line with a "warning" key (a
    rejection has "reason"), and stderr does not repeat it. Warnings come
    after the batch's rejections: the repeats are known once every id is
    in."""
    a = path("dup-a.jsonl")
    e = path("dup-errors.jsonl")
    rc, out, err = run(["parse", "--errors", e, a,
                        write("dup-bad.jsonl", b"{oops\n")])
    why = expect(rc, err, 3, r"4 articles read, 3 parsed, 1 rejected")
    if why:
        return why
    with open(e) as f:
        got = [json.loads(x) for x in f]
    want = [{"source": path("dup-bad.jsonl"), "line": 1,
             "reason": "invalid JSON"},
            {"source": a, "line": 3, "warning":
             'duplicate id "7", first at %s:1; both parsed' % a}]
    if got != want:
        return "--errors holds %r" % got
    return "repeated on stderr" if "first at" in err else None


def full_disk_o():
    rc, out, err = run(["parse", EXAMPLE, "-o", "/dev/full"])
    return expect(rc, err, 1, r"/dev/full: write failed: No space left") or \
        once(err, "-o /dev/full")


def to_full(args):
    with open("/dev/full", "wb") as full:
        p = subprocess.run([GM] + args, stdout=full, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode()


def full_disk_stdout():
    rc, err = to_full(["parse", EXAMPLE])
    return expect(rc, err, 1, r"standard output: write failed: No space "
                              r"left on device") or once(err, "stdout")


def full_disk_mentions():
    rc, err = to_full(["parse", "--mentions", EXAMPLE])
    return expect(rc, err, 1, r"standard output: write failed") or \
        once(err, "--mentions")


def option_rows():
    rows = []
    bad = [
        (["parse", "--jobs", "0"], r"--jobs"),
        (["parse", "--jobs", "-1"], r"--jobs"),
        (["parse", "--jobs", "99999999999999999999"], r"--jobs"),
        (["parse", "--precision", "-1"], r"--precision"),
        (["parse", "--precision", "11"], r"--precision"),
        (["parse", "--precision", "abc"], r"--precision"),
        (["parse", "--near", "91,0"], r"--near"),
        (["parse", "--near", "0,181"], r"--near"),
        (["parse", "--near", "nan,0"], r"--near"),
        (["parse", "--bbox", "1,2,3"], r"--bbox"),
        (["parse", "--bbox", "10,0,-200,5"], r"--bbox"),
        (["parse", "--max-article-bytes", "-5"], r"--max-article-bytes"),
        (["parse", "--max-citations", "-1"], r"--max-citations"),
        (["parse", "--jobs", "abc"], r"--jobs: expected 1 to 1024"),
        (["parse", "--jobs", "1.5"], r"--jobs: expected 1 to 1024"),
        (["parse", "--jobs", "1025"], r"--jobs: expected 1 to 1024"),
        (["parse", "--jobs", ""], r"--jobs"),
        (["parse", "--precision", "1e99"], r"--precision"),
        (["parse", "--precision", "2.5"], r"--precision"),
        (["parse", "--simplify", "0"], r"--simplify"),
        (["parse", "--simplify", "-1"], r"--simplify"),
        (["parse", "--simplify", "nan"], r"--simplify"),
        (["parse", "--simplify", "inf"], r"--simplify"),
        (["parse", "--near", "0,0,0"], r"--near"),
        (["parse", "--near", "0,0,-5"], r"--near"),
        (["parse", "--near", "0,0,inf"], r"--near"),
        (["parse", "--near", "0,0,nan"], r"--near"),
        (["parse", "--near", "0"], r"--near"),
        (["parse", "--bbox", "nan,0,1,1"], r"--bbox"),
        (["parse", "--bbox", "0,0,inf,1"], r"--bbox"),
        (["parse", "--bbox", "0,5,1,1"], r"--bbox"),
        (["parse", "--bbox", "0,-91,1,1"], r"--bbox"),
        (["parse", "--max-article-bytes", "0"], r"--max-article-bytes"),
        (["parse", "--max-article-bytes", "1e13"], r"--max-article-bytes"),
        (["parse", "--max-article-bytes", "1.5"], r"--max-article-bytes"),
        (["parse", "--max-article-bytes", "abc"], r"--max-article-bytes"),
        (["parse", "--max-citations", "0"], r"--max-citations"),
        (["parse", "--max-citations", "1e10"], r"--max-citations"),
        (["parse", "--max-citations", "abc"], r"--max-citations"),
        (["parse", "--mentions", "--alternatives", "0"], r"--alternatives"),
        (["parse", "--mentions", "--alternatives", "33"], r"--alternatives"),
        (["parse", "--mentions", "--alternatives", "-1"], r"--alternatives"),
        (["parse", "--country", "12"], r"--country"),
        (["parse", "--country", "U1"], r"--country"),
        # counts are decimal digits: an exponent, hex or a sign is a typo
        (["parse", "--jobs", "1e3"], r"--jobs"),
        (["parse", "--jobs", "0x10"], r"--jobs"),
        (["parse", "--jobs", "+2"], r"--jobs"),
        (["parse", "--jobs", " 2"], r"--jobs"),
        (["parse", "--max-citations", "1e3"], r"--max-citations"),
        (["lookup", "--limit", "1e2", "Kyiv"], r"--limit"),
        (["lookup", "--limit", "0", "Kyiv"], r"--limit"),
        (["lookup", "--limit", "1.5", "Kyiv"], r"--limit"),
        (["lookup", "--near", "nan,0", "Kyiv"], r"--near"),
        (["lookup", "--near", "0,inf", "Kyiv"], r"--near"),
        (["lookup", "--limit", "-1", "Kyiv"], r"--limit"),
        (["lookup", "--limit", "abc", "Kyiv"], r"--limit"),
        (["lookup", "--limit", "99999999999999999999999", "Kyiv"], r"--limit"),
        (["lookup", "--near", "100,0", "Kyiv"], r"--near"),
    ]
    for args, pattern in bad:
        def row(args=args, pattern=pattern):
            rc, out, err = run(args + [EXAMPLE] if args[0] == "parse"
                               else args, stdin=subprocess.DEVNULL)
            return expect(rc, err, 2, pattern) or (
                "wrote output on a usage error" if out else None)
        rows.append(("option: " + " ".join(args), row))
    return rows


HOSTILE = ('Fighting near "Kyiv\\" and\tKharkiv\u2028 Lviv\u2029 '
           '\u200fOdesa\u0001 said. Dnipro\u200e\u202e "quoted" \\\\ '
           'Zaporizhzhia\u0007\u001f end.\n').encode()


def hostile_text():
    """Quotes, backslashes, control characters, U+2028/2029, RLM/LRM/RLO:
    the GeoJSON parses back and each citation is the text it cites."""
    rc, out, err = run(["parse", write("hostile.txt", HOSTILE)])
    if rc != 0:
        return "exit %d: %s" % (rc, err[-300:])
    why, n = faithful(HOSTILE, out)
    return why or (None if n >= 4 else "only %d citations, expected >= 4" % n)


def hostile_mentions():
    """The same text through --mentions (JSON Lines): every line parses."""
    rc, out, err = run(["parse", "--mentions", path("hostile.txt")])
    if rc != 0:
        return "exit %d: %s" % (rc, err[-300:])
    lines = [json.loads(x) for x in out.decode("utf-8").splitlines() if x]
    return None if lines else "no JSON lines"


def main():
    if not GM or not os.path.exists(GM):
        print("1..0 # SKIP no GEOMENTION")
        return 77
    os.makedirs(WORK, exist_ok=True)
    rows = [
        ("empty file", empty_file),
        ("file of NUL bytes", nul_bytes),
        ("invalid UTF-8", invalid_utf8),
        ("overlong UTF-8", overlong_utf8),
        ("UTF-8-encoded lone surrogate (ED A0 80)", surrogate_utf8),
        ("a 200 MB single line", huge_line),
        ("a line of 10 million spaces", ten_million_spaces),
        ("more than 100000 names in one article", too_many_names),
        ("a truncated .gz", truncated_gz),
        ("a directory loop through symlinks", symlink_loop),
        ("an unreadable file (ENOTDIR; root reads chmod 000)", unreadable),
        ("full disk: -o /dev/full, reported once", full_disk_o),
        ("full disk: stdout > /dev/full, reported once", full_disk_stdout),
        ("full disk: --mentions > /dev/full, reported once",
         full_disk_mentions),
        ("JSON Lines: --text-field names an absent field",
         jsonl_renamed_missing),
        ("JSON Lines: a text over --max-article-bytes", jsonl_over_limit),
        ("JSON Lines: an empty text", jsonl_empty_text),
        ("JSON Lines: an empty file, a file of blank lines",
         jsonl_empty_file),
        ("JSON Lines: a truncated .jsonl.gz", jsonl_truncated_gz),
        ("JSON Lines: an escaped NUL (\\u0000) in the text",
         jsonl_escaped_nul),
        ("JSON Lines: duplicate ids, within and across files", duplicate_ids),
        ("JSON Lines: duplicate ids with --errors", duplicate_ids_errors),
        ("hostile text: GeoJSON valid, citations faithful", hostile_text),
        ("hostile text: --mentions lines valid", hostile_mentions),
    ] + [(n, jsonl_rejected(f, line, why)) for n, f, line, why in JSONL_BAD
         ] + gaz_rows() + option_rows()
    # Behaviour the issue asks for that the code does not have yet;
    # reported, not failing. (Every row that was here passes now and left
    # the set: it fails if that comes undone.)
    return tap(rows, known=set())


def run_rows(rows):
    """A test script's main: skip (77) without the program, else run the
    rows in a fresh WORK, each once (tap). An exit status."""
    if not GM or not os.path.exists(GM):
        print("1..0 # SKIP no GEOMENTION")
        return 77
    os.makedirs(WORK, exist_ok=True)
    return tap(rows, known=set())


def tap(rows, known):
    """Run the rows (name, fn) that ONLY selects, one TAP line each; rows
    named in known are reported as TODO, not failed. Removes WORK. An
    exit status."""
    failed = 0
    selected = [r for r in rows if not ONLY or ONLY in r[0]]
    for i, (name, fn) in enumerate(selected, 1):
        try:
            why = fn()
        except Exception as e:  # a crash of the test is a failure too
            why = "%s: %s" % (type(e).__name__, e)
        if why is None:
            print("ok %d - %s" % (i, name))
        elif name in known:
            print("not ok %d - %s # TODO %s"
                  % (i, name, " ".join(why.split())))
        else:
            failed += 1
            print("not ok %d - %s" % (i, name))
            print("# " + why.replace("\n", "\n# "))
        sys.stdout.flush()
    print("1..%d" % len(selected))
    shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
