"""test_interrupt.py — what a stopped run leaves behind. SIGTERM and
SIGINT: no OUT.tmp-* file (the handler unlinks it), the checkpoint kept.
SIGKILL: the OUT.tmp-PID-* file it leaves is removed by the next run of
the same output, while a live run's is not. A checkpoint is resumed only
by the run that made it: other output options, inputs or gazetteer are
refused with a message and the checkpoint and output left untouched;
--jobs and --quiet may differ."""
import glob
import os
import random
import signal
import subprocess
import sys
import time

from batchtest import ARTICLES, GEOMENTION, TAP, jsonl, run, scratch, write


def archive(d, name="archive.jsonl", n=4000):
    rng = random.Random(9)
    recs = [{"id": f"i{i}",
             "text": " ".join(rng.choice(ARTICLES)
                              for _ in range(rng.choice([1, 3, 8])))}
            for i in range(n)]
    path = os.path.join(d, name)
    write(path, jsonl(recs))
    return path


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


def stop_after_progress(cmd, checkpoint, sig):
    """Start cmd and send sig once the checkpoint holds some records; the
    exit status (negative: the signal), or None when it ended first."""
    p = subprocess.Popen([GEOMENTION] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    while p.poll() is None:
        if size(checkpoint) > 4096:
            p.send_signal(sig)
            return p.wait()
        time.sleep(0.002)
    return None


def temps(out):
    return glob.glob(glob.escape(out) + ".tmp-*")


def signals(t, d, path):
    out = os.path.join(d, "sig.geojson")
    for sig in (signal.SIGTERM, signal.SIGINT):
        rc = stop_after_progress(["parse", "-q", "--jobs", "2", "--resume",
                                  "-o", out, path], out + ".checkpoint", sig)
        t.ok(rc == -sig and not temps(out) and not os.path.exists(out) and
             size(out + ".checkpoint") > 0,
             f"{signal.Signals(sig).name}: ended by it, no {out}.tmp-* left, "
             "the checkpoint kept", f"{rc} {temps(out)}")
    p = run(["parse", "-q", "--resume", "-o", out, path])
    t.ok(p.returncode == 0 and os.path.exists(out) and
         not os.path.exists(out + ".checkpoint"),
         "the interrupted run resumes to the end", p.stderr)


def stale(t, d, path):
    out = os.path.join(d, "stale.geojson")
    rc = stop_after_progress(["parse", "-q", "--jobs", "2", "--resume",
                              "-o", out, path], out + ".checkpoint",
                             signal.SIGKILL)
    left = temps(out)
    t.ok(rc == -signal.SIGKILL and len(left) == 1 and
         f".tmp-" in left[0], "SIGKILL leaves one OUT.tmp-PID-XXXXXX", left)
    # A live process's temporary (this test's own pid) is not touched.
    live = f"{out}.tmp-{os.getpid()}-abcdef"
    write(live, "a live run's partial output")
    p = run(["parse", "--resume", "-o", out, path])
    err = p.stderr.decode(errors="replace")
    t.ok(p.returncode == 0 and not any(os.path.exists(f) for f in left) and
         "removed, left by process" in err,
         "the next run removes the dead run's temporary, saying so", err)
    t.ok(os.path.exists(live) and temps(out) == [live],
         "a live process's temporary is left alone", temps(out))
    os.unlink(live)


def fingerprint(t, d, path):
    out = os.path.join(d, "fp.geojson")
    checkpoint = out + ".checkpoint"
    base = ["parse", "-q", "--resume", "--errors",
            os.path.join(d, "fp-errors.jsonl"), "-o", out]
    rc = stop_after_progress(base + ["--jobs", "2", path], checkpoint,
                             signal.SIGKILL)
    t.ok(rc == -signal.SIGKILL, "a checkpoint left by SIGKILL", rc)
    before = open(checkpoint, "rb").read()
    other = archive(d, "other.jsonl", 50)
    cases = [(base + ["--max-citations", "2", path], "--max-citations"),
             (base + ["--per", "mention", path], "mention"),
             (base + [path, other], "other.jsonl"),
             (base + ["--gazetteer", os.path.join(d, "copy.gmz"), path],
              "--gazetteer")]
    gaz = os.path.join(os.path.dirname(GEOMENTION), "geomention.gmz")
    if os.path.exists(gaz):
        with open(gaz, "rb") as f, open(os.path.join(d, "copy.gmz"),
                                        "wb") as g:
            g.write(f.read())
    for args, what in cases:
        p = run(args)
        err = p.stderr.decode(errors="replace")
        t.ok(p.returncode == 1 and "other arguments, gazetteer or inputs" in
             err and what in err and open(checkpoint, "rb").read() == before
             and not os.path.exists(out),
             f"resume with {what} differing: refused (exit 1), naming it; "
             "checkpoint and output untouched", err)
    # The same input file, modified: refused too.
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000000000))
    p = run(base + [path])
    err = p.stderr.decode(errors="replace")
    t.ok(p.returncode == 1 and "modified" in err,
         "an input modified since: refused", err)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    p = run(base + ["--jobs", "1", path])
    t.ok(p.returncode == 0 and os.path.exists(out) and
         not os.path.exists(checkpoint),
         "the same command with another --jobs resumes", p.stderr)
    want = os.path.join(d, "fp-want.geojson")
    run(["parse", "-q", "-o", want, path])
    t.ok(open(want, "rb").read() == open(out, "rb").read(),
         "and writes what an uninterrupted run writes")


def main():
    t = TAP()
    d = scratch("interrupt")
    path = archive(d)
    signals(t, d, path)
    stale(t, d, path)
    fingerprint(t, d, path)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
