#!/usr/bin/env python3
"""Where outputs go, and priors that name nothing: one TAP line each.

Usage: outputs.py WORKDIR [ROW-SUBSTRING] (env as badinput.py's).

- `-o` through a symlink writes the file it leads to, and the link stays
  (a temporary renamed over the link replaced it with a regular file).
- `-o /dev/fd/1` (as /dev/stdout) writes through standard output also
  when that is a regular file, and keeps a `>>` redirection appending
  (stat sees the file behind the descriptor, and the temporary was made
  beside the descriptor's name: for /dev/stdout that replaced the
  system's /dev/stdout symlink with a regular file, so no row here names
  /dev/stdout itself).
- `-o DIR` and `--split` into a missing directory are refused before any
  input is read: the input here is a FIFO no one writes, so a run that
  reads first would hang (was: the whole batch parsed, then the rename
  failed).
- `--country XX` names no country: a usage error (exit 2), not a prior
  that silently steers nothing.
- A usage error points at the command's own --help, which lists its
  options (was: `geomention --help`, which lists only the commands).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import badinput as bi  # noqa: E402  (WORKDIR is argv[1] for both)


def collection(data):
    doc = json.loads(data)
    if doc.get("type") != "FeatureCollection" or not doc["features"]:
        raise AssertionError("not a FeatureCollection with features")
    return doc


def through_symlink(name, args, check):
    """ARGS -o LINK: the target in another directory holds what check()
    accepts, LINK is still the same symlink, and no temporary is left in
    either place."""
    real_dir, link_dir = bi.path("real"), bi.path("links")
    os.makedirs(real_dir, exist_ok=True)
    os.makedirs(link_dir, exist_ok=True)
    target = os.path.join(real_dir, name)
    link = os.path.join(link_dir, name)
    with open(target, "w") as f:
        f.write("old\n")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.path.join("..", "real", name), link)
    rc, out, err = bi.run(args + ["-o", link])
    if rc != 0:
        return "exit %d: %s" % (rc, err)
    if not os.path.islink(link):
        return "the symlink was replaced by a regular file"
    with open(target, "rb") as f:
        check(f.read())
    left = [n for d in (real_dir, link_dir) for n in os.listdir(d)
            if ".tmp-" in n]
    return "temporaries left: %r" % left if left else None


def gazetteer_file(data):
    if not data.startswith(b"GMGAZ"):
        raise AssertionError("not a gazetteer: %r" % data[:8])


def descriptor(append):
    """-o /dev/fd/1 with standard output a regular file (> or >>)."""
    out = bi.path("stdout.geojson")
    with open(out, "w") as f:
        f.write("before\n" if append else "")
    with open(out, "a" if append else "w") as f:
        p = subprocess.run([bi.GM, "parse", "-q", "--layer", "places",
                            "-o", "/dev/fd/1", bi.EXAMPLE], stdout=f,
                           stderr=subprocess.PIPE, cwd=bi.WORK, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, err)
    with open(out, "rb") as f:
        data = f.read()
    if append:
        if not data.startswith(b"before\n"):
            return "the >> file was truncated: %r" % data[:40]
        data = data[len(b"before\n"):]
    collection(data)
    return None


def refused_before_reading(args, pattern):
    """args on an input FIFO no one writes: exit 1 with pattern at once."""
    fifo = bi.path("never.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    try:
        rc, out, err = bi.run(args + [fifo], timeout=20)
    except subprocess.TimeoutExpired:
        return "read its input before refusing the output (hung)"
    return bi.expect(rc, err, 1, pattern)


def to_directory():
    os.makedirs(bi.path("adir"), exist_ok=True)
    why = refused_before_reading(["parse", "-q", "--format", "text", "-o",
                                  bi.path("adir")], r"adir: .*directory")
    return why or (None if os.path.isdir(bi.path("adir")) else
                   "the directory is gone")


def split_missing_dir():
    return refused_before_reading(
        ["parse", "-q", "--format", "text", "--split",
         bi.path("missing/out")],
        r"missing/out\.places\.geojson: cannot create: No such file")


def gazetteer_to_descriptor():
    """gazetteer build -o /dev/fd/1: refused like a device (it is written
    beside its name and renamed; its header last, by a seek)."""
    out = bi.path("gaz.stdout")
    with open(out, "w") as f:
        p = subprocess.run([bi.GM, "gazetteer", "build", "-q",
                            "-o", "/dev/fd/1"], stdout=f,
                           stderr=subprocess.PIPE, cwd=bi.WORK, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    return bi.expect(p.returncode, err, 1, r"/dev/fd/1: not a regular file")


def unknown_country(args):
    def row():
        rc, out, err = bi.run(args, stdin=subprocess.DEVNULL)
        return bi.expect(rc, err, 2, r"--country: no country XX") or (
            "wrote output on a usage error" if out else None)
    return ("--country XX: " + args[0], row)


def known_country():
    """A code the gazetteer holds in any case is accepted: ua is UA."""
    rc, out, err = bi.run(["lookup", "--country", "ua", "--limit", "1",
                           "Vasylivka"])
    if rc != 0:
        return "exit %d: %s" % (rc, err)
    feature = collection(out)["features"][0]
    return None if feature["properties"]["country"] == "UA" else \
        "not Ukraine's: %r" % feature["properties"]


def resume_to_descriptor():
    """--resume -o /dev/fd/1: no place for the checkpoint beside it, said
    as a usage error before anything is read (was: exit 1, "/dev/fd/1.
    checkpoint: No such file or directory")."""
    rc, out, err = bi.run(["parse", "-q", "--resume", "-o", "/dev/fd/1",
                           bi.EXAMPLE], stdin=subprocess.DEVNULL)
    return bi.expect(rc, err, 2, r"--resume keeps its checkpoint beside "
                     r"the output: /dev/fd/1 is no regular file") or (
        "wrote output on a usage error" if out else None)


def usage_points_at_command_help(args, command):
    def row():
        rc, out, err = bi.run(args, stdin=subprocess.DEVNULL)
        return bi.expect(rc, err, 2, r"Try 'geomention %s --help'" % command)
    return ("usage error: " + " ".join(args), row)


ROWS = [
    ("-o through a symlink: the target written, the link kept",
     lambda: through_symlink("places.geojson",
                             ["parse", "-q", bi.EXAMPLE], collection)),
    ("gazetteer build -o through a symlink: the link kept",
     lambda: through_symlink("linked.gmz",
                             ["gazetteer", "build", "-q", "--no-bundled",
                              "--geonames", os.path.join(
                                  bi.SRC, "tests", "data",
                                  "geonames-small.txt")],
                             gazetteer_file)),
    ("-o /dev/fd/1, stdout a regular file (>)", lambda: descriptor(False)),
    ("-o /dev/fd/1, stdout a regular file (>>): appended",
     lambda: descriptor(True)),
    ("-o DIR: refused before the input is read", to_directory),
    ("--split into a missing directory: refused before the input is read",
     split_missing_dir),
    ("gazetteer build -o /dev/fd/1: refused", gazetteer_to_descriptor),
    ("--resume -o /dev/fd/1: a usage error", resume_to_descriptor),
    ("--country ua: accepted, upper-cased", known_country),
    unknown_country(["parse", "--country", "XX", bi.EXAMPLE]),
    unknown_country(["lookup", "--country", "XX", "Kyiv"]),
    unknown_country(["resolve", "--country", "XX", "--spans", "/dev/null"]),
    usage_points_at_command_help(["parse", "--jobs", "0"], "parse"),
    usage_points_at_command_help(["lookup"], "lookup"),
    usage_points_at_command_help(["resolve"], "resolve"),
    usage_points_at_command_help(["gazetteer", "bogus"], "gazetteer"),
]


def main():
    return bi.run_rows(ROWS)


if __name__ == "__main__":
    sys.exit(main())
