"""What bench/fit-recogniser and bench/fit-resolver share: reading the
development corpora, running geomention over them, finding the gold
toponym a mention stands for (the EUPEG rule of ../shared/eval/score.py),
and reading/writing a weights header (X(name, weight) lines)."""
import json
import lzma
import math
import os
import re
import subprocess
import sys
import tempfile


def load(shared, corpus, splits=None):
    """The articles of ../shared/eval/CORPUS.jsonl[.xz], optionally only
    those of the given splits."""
    path = os.path.join(shared, "eval", corpus + ".jsonl")
    if not os.path.exists(path):
        path += ".xz"
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        docs = [json.loads(l) for l in f if l.strip()]
    return [d for d in docs if splits is None or d.get("split") in splits]


def mentions(geomention, docs, args):
    """Run `geomention parse --mentions ARGS` over every article; returns
    (article index, mention dict) pairs."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, d in enumerate(docs):
            name = os.path.join(tmp, "%06d.txt" % i)
            with open(name, "w", encoding="utf-8") as f:
                f.write(d["text"])
            names.append(name)
        for k in range(0, len(names), 500):
            run = subprocess.run([geomention, "parse", "--mentions"] + args +
                                 names[k:k + 500],
                                 capture_output=True, text=True, check=False)
            if run.returncode not in (0, 3):
                sys.exit("geomention failed: " + run.stderr[-500:])
            for line in run.stdout.splitlines():
                r = json.loads(line)
                out += [(int(r["id"]), m) for m in r["mentions"]]
    return out


def gold_for(doc, m):
    """The gold toponym (with coordinates) the mention m matches under
    the EUPEG rule: same lower-cased text, span midpoints less than 10
    code points apart; None when there is none."""
    mid = (m["start"] + m["end"]) / 2.0
    for t in doc["toponyms"]:
        if t.get("lat") is None:
            continue
        if abs((t["start"] + t["end"]) / 2.0 - mid) < 10 and \
                t["name"].lower() == m["text"].lower():
            return t
    return None


def haversine_km(lat1, lon1, lat2, lon2):
    """score.py's distance: a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + \
        math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def read_weights(path):
    text = open(path, encoding="utf-8").read()
    return [(n, float(v)) for n, v in
            re.findall(r"X\((\w+), (-?[0-9.e]+)\)", text)]


def write_weights(path, names, w):
    text = open(path, encoding="utf-8").read()
    for n, v in zip(names, w):
        text = re.sub(r"X\(%s, -?[0-9.e]+\)" % n, "X(%s, %.3f)" % (n, v),
                      text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def feature_vector(reasons, names):
    """The feature values a reasons list reports, in the order of names."""
    index = {n: i for i, n in enumerate(names)}
    x = [0.0] * len(names)
    for r in reasons:
        i = index.get(r["signal"])
        if i is not None:
            x[i] = r["value"]
    return x
