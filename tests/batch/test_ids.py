"""test_ids.py — the duplicate-id check over 33,000 ids: every repeated
JSON Lines id, and only those, is a warning naming the first article's
FILE:LINE, in input order, across files (the same file given twice
included), blank lines and bad records, one id on 300 lines; whatever
--jobs, whatever the memory budget (GEOMENTION_SPILL_BYTES=0 puts every
id in a run of its own on disk, merged in several passes), leaving no
temporary file, and
failing with exit 1 when it cannot make one; and a run killed with SIGKILL
and resumed gives the same warnings."""
import json
import os
import random
import signal
import subprocess
import sys
import time

from batchtest import GEOMENTION, TAP, run, scratch, write

FILES = 3
LINES = 12000


def inputs(d):
    """JSON Lines files whose ids repeat within and across files, some as
    numbers (7 and "7" are one id); blank lines and bad records between.
    The paths as given (the first file twice) and the expected warnings:
    (source, line, id, first source, first line), in input order."""
    rng = random.Random(6)
    paths = []
    for k in range(FILES):
        lines = []
        for _ in range(LINES):
            r = rng.random()
            if r < 0.02:
                lines.append("")
            elif r < 0.04:
                lines.append("{not json")
            else:
                n = rng.randrange(30000)
                lines.append(json.dumps({"id": n if r < 0.3 else str(n),
                                         "text": "x"}))
        paths.append(os.path.join(d, f"part{k}.jsonl"))
        write(paths[-1], "\n".join(lines) + "\n")
    paths.append(paths[0])
    first, want = {}, []
    for path in paths:
        with open(path) as f:
            for line, text in enumerate(f, 1):
                try:
                    rec = json.loads(text) if text.strip() else None
                except ValueError:
                    continue
                if rec is None:
                    continue
                key = str(rec["id"])
                if key in first:
                    want.append((path, line, key) + first[key])
                else:
                    first[key] = (path, line)
    return paths, want


def warnings_of(errors):
    with open(errors) as f:
        got = [json.loads(x) for x in f]
    return [(w["source"], w["line"], w["warning"]) for w in got
            if "warning" in w]


def killed_and_resumed(d, paths, errors):
    """A --resume run killed with SIGKILL once its checkpoint has grown,
    then resumed to the end: the number of kills and the resumed run."""
    out = os.path.join(d, "resumed.geojson")
    cmd = [GEOMENTION, "parse", "-q", "--jobs", "2", "--resume", "--errors",
           errors, "-o", out] + paths
    kills = 0
    for least in (4096, 400000):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        while p.poll() is None:
            try:
                size = os.path.getsize(out + ".checkpoint")
            except OSError:
                size = 0
            if size > least:
                p.send_signal(signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.002)
        p.wait()
    return kills, subprocess.run(cmd, capture_output=True)


def main():
    t = TAP()
    d = scratch("ids")
    tmp = scratch("ids-tmp")
    paths, want = inputs(d)
    expect = [(s, n, 'duplicate id "%s", first at %s:%d; both parsed'
               % (i, fs, fn)) for s, n, i, fs, fn in want]
    t.ok(len(want) > 10000 and
         any(w[0] != w[3] for w in want) and any(w[0] == w[3] for w in want),
         "the inputs repeat ids within and across files", len(want))
    for jobs, budget in (("1", None), ("2", None), ("2", "0"), ("1", "3000")):
        errors = os.path.join(d, f"errors-{jobs}-{budget}.jsonl")
        env = dict(os.environ, TMPDIR=tmp)
        if budget is not None:
            env["GEOMENTION_SPILL_BYTES"] = budget
        what = f"--jobs {jobs}" + (f", budget {budget}" if budget else "")
        p = subprocess.run([GEOMENTION, "parse", "-q", "--jobs", jobs,
                            "--errors", errors, "-o",
                            os.path.join(d, "out.geojson")] + paths,
                           capture_output=True, env=env)
        t.ok(p.returncode == 3, f"{what}: exit 3 (bad records)", p.stderr)
        warnings = warnings_of(errors)
        bad = [(a, b) for a, b in zip(warnings, expect) if a != b]
        t.ok(warnings == expect,
             f"{what}: each repeated id, and only those, names its first "
             f"FILE:LINE, in input order", "%d warnings, %d expected; first "
             "differences: %r" % (len(warnings), len(expect), bad[:3]))
    t.ok(os.listdir(tmp) == [], "no temporary file left behind",
         os.listdir(tmp))
    # --mentions spills nothing else: the ids alone need the directory
    p = subprocess.run([GEOMENTION, "parse", "-q", "--mentions", "-o",
                        os.path.join(d, "never.jsonl")] + paths,
                       capture_output=True,
                       env=dict(os.environ, GEOMENTION_SPILL_BYTES="0",
                                TMPDIR=os.path.join(tmp, "no-such-dir")))
    t.ok(p.returncode == 1 and b"temporary file (TMPDIR)" in p.stderr and
         not os.path.exists(os.path.join(d, "never.jsonl")),
         "an unwritable TMPDIR: exit 1, the message names the temporary "
         "file, no output", p.stderr)
    # One id on 300 lines among others: its records share the whole
    # hash, which no byte of it tells apart, so they are ordered by line
    # alone (the sort's last resort, past its radix passes).
    many = os.path.join(d, "many.jsonl")
    write(many, "".join(json.dumps({"id": "same" if k % 3 else str(k),
                                    "text": "x"}) + "\n"
                        for k in range(900)))
    errors = os.path.join(d, "errors-many.jsonl")
    p = subprocess.run([GEOMENTION, "parse", "-q", "--errors", errors, "-o",
                        os.path.join(d, "many.geojson"), many],
                       capture_output=True)
    same = [k + 1 for k in range(900) if k % 3]
    t.ok(p.returncode == 0 and warnings_of(errors) ==
         [(many, n, 'duplicate id "same", first at %s:%d; both parsed'
           % (many, same[0])) for n in same[1:]],
         "an id on 300 lines: 299 warnings in input order, each naming its "
         "first line", p.stderr)
    errors = os.path.join(d, "errors-resumed.jsonl")
    kills, p = killed_and_resumed(d, paths, errors)
    t.ok(kills >= 1 and p.returncode == 3, "killed and resumed: exit 3",
         f"{kills} kills; {p.stderr}")
    with open(os.path.join(d, "errors-2-None.jsonl"), "rb") as f, \
            open(errors, "rb") as g:
        t.ok(f.read() == g.read(), "killed and resumed: the same errors "
             "file, warnings included, as an uninterrupted run")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
