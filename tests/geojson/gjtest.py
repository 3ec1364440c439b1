"""gjtest.py — what the geojson tests share: running geomention, making
every kind of output from the same articles, and the README's schema.

Environment (set by tests/meson.build): GEOMENTION, GEOMENTION_GAZETTEER,
GM_SOURCE_ROOT. Python standard library only, so that Debian's python3
(the one with the QGIS bindings) can import it too.
"""
import decimal
import json
import os
import re
import subprocess
import sys

GEOMENTION = os.environ.get("GEOMENTION", "geomention")
ROOT = os.environ.get("GM_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(ROOT, "examples", "donbas-front.txt")
PACIFIC = os.path.join(HERE, "data", "pacific.txt")
ARTICLES = [EXAMPLE, PACIFIC]
RS = "\x1e"


class TAP:
    """Minimal TAP: ok(cond, what), then done() as the exit status."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'' if cond else 'not '}ok {self.n} - {what}", flush=True)
        if not cond and detail:
            for line in str(detail).splitlines()[:20]:
                print(f"# {line}")
        return cond

    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def skip_all(why):
    print(f"1..0 # SKIP {why}")
    sys.exit(77)


def run(args, expect=0, stdin=None):
    """Run geomention; fail loudly when the exit status is not expect."""
    p = subprocess.run([GEOMENTION] + args, input=stdin, capture_output=True)
    if p.returncode != expect:
        raise AssertionError(
            f"geomention {' '.join(args)}: exit {p.returncode}, expected "
            f"{expect}\n{p.stderr.decode(errors='replace')}")
    return p


def workdir(name):
    d = os.path.join(os.environ.get("GM_GEOJSON_OUT", os.getcwd()), name)
    os.makedirs(d, exist_ok=True)
    return d


class Output:
    def __init__(self, path, layer, per, frame):
        self.path, self.layer, self.per, self.frame = path, layer, per, frame

    def __repr__(self):
        return os.path.basename(self.path)


def make_outputs(outdir, articles=ARTICLES, extra=()):
    """Every kind of output for the same articles: per place and per
    mention; a FeatureCollection of both layers; both layers split, as
    collections and as RFC 8142 sequences; one layer newline-delimited."""
    made = []
    for per in ("place", "mention"):
        base = os.path.join(outdir, per)
        run(["parse", "--per", per, "-o", base + ".geojson", *extra, *articles])
        made.append(Output(base + ".geojson", "both", per, "collection"))
        for frame, seq in (("collection", []), ("seq", ["--seq"])):
            prefix = f"{base}-{frame}"
            run(["parse", "--per", per, "--split", prefix, *seq, *extra, *articles])
            ext = "geojsons" if seq else "geojson"
            for layer in ("places", "regions"):
                made.append(Output(f"{prefix}.{layer}.{ext}", layer, per, frame))
        path = f"{base}-regions.geojsonl"
        run(["parse", "--per", per, "--layer", "regions", "-o", path, *extra, *articles])
        made.append(Output(path, "regions", per, "lines"))
    return made


def features(path):
    """The features of any of our outputs (collection, RS or lines), reals
    as Decimal: exactly the digits written."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    loads = lambda s: json.loads(s, parse_float=decimal.Decimal)
    if text.startswith(RS):
        return [loads(r) for r in text.split(RS)[1:]]
    if text.startswith('{"type":"FeatureCollection"'):
        return loads(text)["features"]
    return [loads(line) for line in text.splitlines() if line.strip()]


def readme_schema():
    """The README's property table: {name: (json type, place, mention)}.
    Type is as written: "string", "string or null", "integer", ..."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    begin = text.index("<!-- output:begin -->")
    end = text.index("<!-- output:end -->")
    schema = {}
    for line in text[begin:end].splitlines():
        m = re.match(r"\|\s*`([a-z_0-9]+)`\s*\|\s*([a-z ]+?)\s*\|\s*(\S*)\s*\|\s*(\S*)\s*\|", line)
        if m:
            schema[m.group(1)] = (m.group(2), m.group(3) == "✓", m.group(4) == "✓")
    return schema


def schema_for(per):
    """{name: json type} of the features of one granularity."""
    return {k: t for k, (t, place, mention) in readme_schema().items()
            if (place if per == "place" else mention)}
