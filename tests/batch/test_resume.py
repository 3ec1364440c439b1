"""test_resume.py — --resume: a run killed with SIGKILL at several points
and resumed each time writes what an uninterrupted run writes, byte for
byte, with the same errors and exit status; a torn checkpoint record (a
kill in the middle of a write) is cut off, not misread."""
import os
import random
import signal
import subprocess
import sys
import time

from batchtest import ARTICLES, GEOMENTION, TAP, jsonl, run, scratch, write


def archive(d):
    rng = random.Random(7)
    lines = []
    for i in range(2500):
        if i % 400 == 17:
            lines.append("{broken\n")
            continue
        k = rng.choice([1, 2, 4, 8])
        text = " ".join(rng.choice(ARTICLES) for _ in range(k))
        lines.append(jsonl([{"id": f"r{i}", "text": text}]))
    path = os.path.join(d, "archive.jsonl")
    write(path, "".join(lines))
    return path


def args(d, path, out):
    return ["parse", "-q", "--jobs", "2", "--resume", "--errors",
            os.path.join(d, "errors.jsonl"), "-o", out, path]


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def kill_after_progress(cmd, checkpoint, least):
    """Start cmd; SIGKILL it once the checkpoint is larger than least.
    The size at the kill, or None when the run ended first."""
    p = subprocess.Popen([GEOMENTION] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    while p.poll() is None:
        s = size(checkpoint)
        if s > least:
            p.send_signal(signal.SIGKILL)
            p.wait()
            return s
        time.sleep(0.002)
    return None


def main():
    t = TAP()
    d = scratch("resume")
    path = archive(d)
    full = os.path.join(d, "full.geojson")
    p = run(["parse", "-q", "--errors", os.path.join(d, "full-errors.jsonl"),
             "-o", full, path])
    t.ok(p.returncode == 3, "uninterrupted run: exit 3 (broken lines)",
         p.stderr)
    want = open(full, "rb").read()
    want_errors = open(os.path.join(d, "full-errors.jsonl"), "rb").read()

    out = os.path.join(d, "out.geojson")
    checkpoint = out + ".checkpoint"
    kills, last = [], 16
    for i in range(4):
        s = kill_after_progress(args(d, path, out), checkpoint, last)
        if s is None:
            break
        kills.append(s)
        if i == 1:  # a kill in the middle of writing a record
            with open(checkpoint, "r+b") as f:
                f.truncate(s - 7)
            s -= 7
        last = s + 20000
    t.ok(len(kills) >= 2 and kills == sorted(kills),
         "killed at several points, each further on", kills)
    t.ok(not os.path.exists(out), "a killed run leaves no output file")
    p = run(args(d, path, out))
    t.ok(p.returncode == 3, "resumed run: exit 3 as uninterrupted", p.stderr)
    got = open(out, "rb").read() if os.path.exists(out) else b""
    t.ok(got == want, "resumed output byte-identical to the uninterrupted",
         f"{len(got)} vs {len(want)} bytes")
    got_errors = open(os.path.join(d, "errors.jsonl"), "rb").read()
    t.ok(got_errors == want_errors, "the same rejected records, once each",
         got_errors.decode(errors="replace"))
    t.ok(not os.path.exists(checkpoint), "the checkpoint goes when done")

    # A checkpoint that is not one is refused, not overwritten.
    write(checkpoint, "hello\n" * 10)
    p = run(args(d, path, out))
    t.ok(p.returncode == 1 and b"not a geomention checkpoint" in p.stderr and
         open(checkpoint).read() == "hello\n" * 10,
         "a foreign checkpoint: exit 1, left alone", p.stderr)
    p = run(["parse", "--resume", path])
    t.ok(p.returncode == 2, "--resume without --output: usage error")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
