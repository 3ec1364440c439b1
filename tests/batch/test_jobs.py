"""test_jobs.py — --jobs N gives the output of --jobs 1 byte for byte,
also when the citations are spilled to the temporary file and read back
through several runs (the writer thread, the shared geometry list);
--max-citations keeps the counts exact; a full disk under --jobs 2, or a
spill file that cannot grow, is one failure, reported once."""
import json
import os
import random
import resource
import signal
import subprocess
import sys

from batchtest import ARTICLES, GEOMENTION, TAP, jsonl, run, scratch, write


def archive(d):
    """Articles of one to six sentences, some long, in a fixed order."""
    rng = random.Random(6)
    recs = []
    for i in range(600):
        k = rng.choice([1, 2, 3, 6, 40])
        text = " ".join(rng.choice(ARTICLES) for _ in range(k))
        recs.append({"id": f"n{i}", "text": text})
    path = os.path.join(d, "archive.jsonl")
    write(path, jsonl(recs))
    return path


def identical(t, d, path):
    for extra in ([], ["--per", "mention", "--seq"], ["--mentions"],
                  ["--max-citations", "3"]):
        outs = []
        for jobs in ("1", "2", "5"):
            out = os.path.join(d, f"out-{jobs}.json")
            p = run(["parse", "-q", "--jobs", jobs, "-o", out] + extra +
                    [path])
            outs.append(open(out, "rb").read() if p.returncode == 0 else
                        p.stderr)
        t.ok(outs[0] == outs[1] == outs[2] and len(outs[0]) > 10000,
             f"--jobs 1, 2, 5 byte-identical {' '.join(extra)}",
             f"{len(outs[0])} {len(outs[1])} {len(outs[2])}")


def spilled(t, d, path):
    """Small budgets make many runs of the spill file, each read through
    its own window; the regions and places layers both come from them."""
    forms = ([], ["--max-citations", "3"], ["--layer", "regions"])
    for extra in forms:
        outs = []
        for budget, jobs in (("0", "1"), ("0", "2"), ("900", "5"),
                             ("50000", "2")):
            out = os.path.join(d, f"spill-{budget}-{jobs}.json")
            p = subprocess.run(
                [GEOMENTION, "parse", "-q", "--jobs", jobs, "-o", out] +
                extra + [path], capture_output=True,
                env=dict(os.environ, GEOMENTION_SPILL_BYTES=budget,
                         TMPDIR=d))
            outs.append(open(out, "rb").read() if p.returncode == 0 else
                        p.stderr)
        t.ok(all(o == outs[0] for o in outs) and len(outs[0]) > 10000,
             f"spilled (budget 0, 900, 50000), --jobs 1, 2, 5 "
             f"byte-identical {' '.join(extra)}",
             " ".join(str(len(o)) for o in outs))


def full_disk(t, path):
    """The writer thread's failed write stops the output: exit 1 and one
    message with the reason, whatever the size of the output."""
    p = run(["parse", "-q", "--jobs", "2", "-o", "/dev/full", path])
    err = p.stderr.decode(errors="replace")
    t.ok(p.returncode == 1 and err.count("write failed") == 1 and
         "No space left" in err,
         "--jobs 2 -o /dev/full: exit 1, \"write failed: No space left\" "
         "once", f"{p.returncode} {err}")


def spill_write_fails(t, d, path):
    """A write of the spill file that fails (the file size limit, EFBIG)
    stops the batch, on the spill thread (--jobs 2) as on the only one:
    exit 1, one message naming the temporary file and the reason, and no
    output."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100000, 100000))

    for jobs in ("1", "2"):
        out = os.path.join(d, f"efbig-{jobs}.json")
        p = subprocess.run(
            [GEOMENTION, "parse", "-q", "--jobs", jobs, "-o", out, path],
            capture_output=True, preexec_fn=limit,
            env=dict(os.environ, GEOMENTION_SPILL_BYTES="20000", TMPDIR=d))
        err = p.stderr.decode(errors="replace")
        t.ok(p.returncode == 1 and err.count("temporary file (TMPDIR)") == 1
             and "File too large" in err and not os.path.exists(out),
             f"--jobs {jobs}, the spill file over the size limit: exit 1, "
             "one message with the reason, no output",
             f"{p.returncode} {err}")


def places(path):
    with open(path, encoding="utf-8") as f:
        return {ft["properties"]["id"]: ft["properties"]
                for ft in json.load(f)["features"]}


def max_citations(t, d, path):
    full, capped = (os.path.join(d, n) for n in ("full.json", "cap.json"))
    run(["parse", "-q", "-o", full, path])
    p = run(["parse", "-q", "--max-citations", "2", "-o", capped, path])
    a, b = places(full), places(capped)
    t.ok(p.returncode == 0 and a and a.keys() == b.keys(),
         "--max-citations: the same places", p.stderr)
    t.ok(any(len(x["citations"]) > 2 for x in a.values()),
         "without the cap some place has more than 2 citations")
    t.ok(all(len(x["citations"]) == min(2, len(a[k]["citations"]))
             for k, x in b.items()), "with it at most 2, the first ones")
    t.ok(all(x["citations"] == a[k]["citations"][:2] for k, x in b.items()),
         "the kept citations are the first of the full run")
    keys = ("mention_count", "article_count", "articles", "confidence",
            "role", "first_sentence")
    diff = [(k, f) for k, x in b.items() for f in keys if x[f] != a[k][f]]
    t.ok(not diff, "mention_count, article_count, articles exact", diff)
    t.ok(all(x["mention_count"] == len(a[k]["citations"])
             for k, x in b.items()),
         "mention_count counts every mention, not the kept ones")


def main():
    t = TAP()
    d = scratch("jobs")
    path = archive(d)
    identical(t, d, path)
    spilled(t, d, path)
    full_disk(t, path)
    spill_write_fails(t, d, path)
    max_citations(t, d, path)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
