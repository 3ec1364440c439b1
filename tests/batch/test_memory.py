"""test_memory.py — the per-place aggregation spills citations and
article ids past its memory budget to a temporary file and streams them
back: the output is byte-identical whatever the budget (0 spills every
citation), for every output form, and no temporary file stays behind."""
import os
import random
import subprocess
import sys

from batchtest import ARTICLES, GEOMENTION, TAP, jsonl, scratch, write


def archive(d):
    """Articles with ids (some odd: quotes, non-ASCII, none) and places
    mentioned in many articles, so ids and citations cross runs."""
    rng = random.Random(11)
    recs = []
    for i in range(900):
        k = rng.choice([1, 2, 3, 7])
        rec = {"text": " ".join(rng.choice(ARTICLES) for _ in range(k))}
        if i % 50:
            rec["id"] = f"m{i}" if i % 7 else f"«q\"{i}»"
        recs.append(rec)
    path = os.path.join(d, "archive.jsonl")
    write(path, jsonl(recs))
    return path


def parse(args, budget, tmpdir):
    env = dict(os.environ, TMPDIR=tmpdir)
    if budget is not None:
        env["GEOMENTION_SPILL_BYTES"] = str(budget)
    return subprocess.run([GEOMENTION, "parse", "-q"] + args, env=env,
                          capture_output=True)


def outputs(d, name, path, extra, budgets, tmpdir):
    """The output of parse path (its two layers' files joined for
    --split) under each spill budget, or its stderr when it failed."""
    outs = []
    for budget in budgets:
        if "--split" in extra:
            prefix = os.path.join(d, f"{name}-{budget}")
            p = parse(["--split", prefix, path], budget, tmpdir)
            got = b"".join(open(f"{prefix}.{layer}.geojson", "rb").read()
                           for layer in ("places", "regions"))
        else:
            out = os.path.join(d, f"{name}-{budget}.json")
            p = parse(["-o", out] + extra + [path], budget, tmpdir)
            got = open(out, "rb").read()
        outs.append(got if p.returncode == 0 else p.stderr)
    return outs


def identical(t, d, path, tmpdir):
    forms = ([], ["--per", "mention"], ["--max-citations", "2"],
             ["--seq", "--layer", "places"], ["--split", "SPLIT"])
    for extra in forms:
        outs = outputs(d, "out", path, extra, (None, 0, 700, 20000), tmpdir)
        t.ok(all(o == outs[0] for o in outs) and len(outs[0]) > 10000,
             f"budget default, 0, 700, 20000 byte-identical {' '.join(extra)}",
             " ".join(str(len(o)) for o in outs))


def given_back(t, d, tmpdir):
    """Runs of a few MB, whose sections hold whole MiB blocks: writing
    gives each block back once it has read past it, and what it reads
    next is never in one (a block given back too soon reads as zeros)."""
    rng = random.Random(12)
    recs = [{"id": f"g{i}",
             "text": " ".join(rng.choice(ARTICLES)
                              for _ in range(rng.choice([3, 5, 7])))}
            for i in range(4000)]
    path = os.path.join(d, "long.jsonl")
    write(path, jsonl(recs))
    for extra in ([], ["--jobs", "1"], ["--split", "SPLIT"]):
        outs = outputs(d, "long", path, extra, (None, 5000000, 8000000),
                       tmpdir)
        t.ok(all(o == outs[0] for o in outs) and len(outs[0]) > 10000000,
             f"spilled runs of MBs byte-identical {' '.join(extra)}",
             " ".join(str(len(o)) for o in outs))


def spill_fails(t, d, path):
    """A temporary directory that cannot be written: exit 1, named."""
    p = parse(["-o", os.path.join(d, "never.json"), path], 0,
              os.path.join(d, "no-such-dir"))
    err = p.stderr.decode(errors="replace")
    t.ok(p.returncode == 1 and "temporary file" in err and
         not os.path.exists(os.path.join(d, "never.json")),
         "an unwritable TMPDIR: exit 1, the message names the temporary "
         "file, no output", f"{p.returncode} {err}")


def main():
    t = TAP()
    d = scratch("memory")
    tmpdir = os.path.join(d, "tmp")
    os.makedirs(tmpdir)
    path = archive(d)
    identical(t, d, path, tmpdir)
    given_back(t, d, tmpdir)
    t.ok(os.listdir(tmpdir) == [], "the spill file is unlinked: TMPDIR "
         "is empty afterwards", os.listdir(tmpdir))
    spill_fails(t, d, path)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
