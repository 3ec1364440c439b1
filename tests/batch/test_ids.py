"""test_ids.py — the duplicate-id check over enough ids that its table
grows many times: every repeated JSON Lines id, and only those, is a
warning naming the first article's FILE:LINE, across files (the same
file given twice included), blank lines and bad records, and whatever
--jobs."""
import json
import os
import random
import sys

from batchtest import TAP, run, scratch, write

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


def main():
    t = TAP()
    d = scratch("ids")
    paths, want = inputs(d)
    t.ok(len(want) > 10000 and
         any(w[0] != w[3] for w in want) and any(w[0] == w[3] for w in want),
         "the inputs repeat ids within and across files", len(want))
    for jobs in ("1", "2"):
        errors = os.path.join(d, f"errors-{jobs}.jsonl")
        p = run(["parse", "-q", "--jobs", jobs, "--errors", errors,
                 "-o", os.path.join(d, "out.geojson")] + paths)
        with open(errors) as f:
            got = [json.loads(x) for x in f]
        warnings = [(w["source"], w["line"], w["warning"]) for w in got
                    if "warning" in w]
        expect = [(s, n, 'duplicate id "%s", first at %s:%d; both parsed'
                   % (i, fs, fn)) for s, n, i, fs, fn in want]
        t.ok(p.returncode == 3, f"--jobs {jobs}: exit 3 (bad records)",
             p.stderr)
        bad = [(a, b) for a, b in zip(warnings, expect) if a != b]
        t.ok(warnings == expect,
             f"--jobs {jobs}: each repeated id, and only those, names its "
             f"first FILE:LINE", "%d warnings, %d expected; first "
             "differences: %r" % (len(warnings), len(expect), bad[:3]))
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
