"""batchtest.py — what the batch tests share: TAP, running geomention,
a scratch directory, and articles with known places."""
import json
import os
import shutil
import subprocess
import sys

GEOMENTION = os.environ.get("GEOMENTION", "geomention")
ROOT = os.environ.get("GM_SOURCE_ROOT",
                      os.path.join(os.path.dirname(__file__), "..", ".."))

# Short articles whose places the parser finds (Kharkiv, Donetsk, Kyiv...).
ARTICLES = [
    "Shelling hit Donetsk and Kharkiv overnight, officials said.",
    "The president spoke in Kyiv on Monday about the war.",
    "Fighting continued near Bakhmut, in the Donetsk region.",
    "Residents of Kharkiv and Kyiv sheltered in metro stations.",
    "Farmers in Poltava worried about the harvest.",
    "Odesa's port reopened as ships left for Istanbul.",
]


class TAP:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'' if cond else 'not '}ok {self.n} - {what}", flush=True)
        if not cond and detail is not None:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
        return cond

    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def run(args, stdin=None, cwd=None):
    return subprocess.run([GEOMENTION] + args, input=stdin,
                          capture_output=True, cwd=cwd)


def scratch(name):
    d = os.path.abspath(name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def features(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


def citations(path):
    """Every citation's article, as (id, source, line)."""
    out = []
    for feat in features(path):
        for c in feat["properties"].get("citations", []):
            a = c["article"]
            out.append((a["id"], a["source"], a["line"]))
    return out


def jsonl(records):
    return "".join(json.dumps(r) + "\n" for r in records)
