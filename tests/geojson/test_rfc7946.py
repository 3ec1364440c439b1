#!/usr/bin/env python3
"""test_rfc7946.py — every kind of output, and the golden tests' expected
GeoJSON, through our RFC 7946 checker (rfc7946.py); the properties against
the README's table; the two granularities against each other. TAP."""
import glob
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gjtest  # noqa: E402
import rfc7946  # noqa: E402

TYPES = {  # README type -> the JSON types it allows (rfc7946.json_type)
    "string": {"string"}, "string or null": {"string", None},
    "integer": {"integer"}, "integer or null": {"integer", None},
    "real": {"real"}, "array": {"array"},
}


def check(t, path, precision=6, one_type=False):
    found = rfc7946.check_file(path, precision, one_type)
    t.ok(not found, f"RFC 7946: {os.path.basename(path)}", "\n".join(found))


def check_schema(t, out):
    feats = gjtest.features(out.path)
    want = gjtest.schema_for(out.per)
    bad = []
    for f in feats:
        props = f["properties"]
        if set(props) != set(want):
            bad.append(f"names {sorted(set(props) ^ set(want))} differ")
            break
        for k, v in props.items():
            if rfc7946.json_type(v) not in TYPES[want[k]]:
                bad.append(f"{k} = {v!r} is not {want[k]}")
    t.ok(feats and not bad, f"README schema: {out}", "\n".join(bad[:10]))


def check_layers(t, out):
    types = {f["geometry"]["type"] for f in gjtest.features(out.path)}
    want = {"places": {"Point"}, "regions": {"MultiPolygon"},
            "both": {"Point", "MultiPolygon"}}[out.layer]
    t.ok(types == want, f"geometry types {sorted(types)}: {out}")


def check_granularities(t, outs):
    """Per place and per mention describe the same mentions."""
    by = {(o.per, o.layer, o.frame): gjtest.features(o.path) for o in outs}
    places = by[("place", "both", "collection")]
    mentions = by[("mention", "both", "collection")]
    t.ok(sum(f["properties"]["mention_count"] for f in places) == len(mentions),
         "mention_count adds up to the per-mention features")
    t.ok(sum(len(f["properties"]["citations"]) for f in places) == len(mentions),
         "citations add up to the per-mention features")
    t.ok([f["properties"]["id"] for f in places] ==
         list(dict.fromkeys(f["properties"]["id"] for f in mentions)),
         "the same places in the same order")
    for per in ("place", "mention"):
        for layer in ("places", "regions"):
            seq = by[(per, layer, "seq")]
            t.ok(by[(per, layer, "collection")] == seq and seq,
                 f"{per} {layer}: the collection and the sequence agree")
        t.ok(by[(per, "both", "collection")] ==
             by[(per, "regions", "collection")] + by[(per, "places", "collection")],
             f"{per}: both layers = regions, then places")
        t.ok(by[(per, "regions", "lines")] == by[(per, "regions", "seq")],
             f"{per}: .geojsonl holds the same features")
    both_articles = [f for f in places if f["properties"]["article_count"] == 2]
    t.ok(all(f["properties"]["articles"] == "donbas-front;pacific"
             for f in both_articles) and both_articles,
         "a place in both articles: article_count 2, articles joined by ;",
         [f["properties"]["id"] for f in both_articles])


def check_mentions_output(t, outs, outdir):
    """--mentions (a separate writer) resolves as many mentions."""
    lines = gjtest.run(["parse", "--mentions", *gjtest.ARTICLES]).stdout
    import json
    resolved = sum(1 for line in lines.decode().splitlines()
                   for m in json.loads(line)["mentions"] if m["entry"])
    per_mention = [o for o in outs if o.per == "mention" and o.layer == "both"]
    t.ok(resolved == len(gjtest.features(per_mention[0].path)),
         f"--mentions and --per mention agree: {resolved} mentions")


def mutate(t, outdir, source):
    """The checker must catch each kind of fault, or its passes mean
    nothing: break a correct file one way at a time."""
    import json
    with open(source) as f:
        doc = json.load(f)
    region = next(f for f in doc["features"] if f["geometry"]["type"] == "MultiPolygon")
    ring = region["geometry"]["coordinates"][0][0]

    def reverse(d): ring.reverse()
    def crs(d): d["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    def no_bbox(d): del region["bbox"]
    def loose_bbox(d): region["bbox"][3] += 1
    def digits(d): ring[1][0] += 1e-9
    def wrap(d): ring[1][0] = ring[1][0] - 360 if ring[1][0] > 0 else ring[1][0] + 360
    def schema(d): region["properties"]["name"] = 5
    def latitude(d): ring[1][1] = 95

    cases = {"exterior ring clockwise": reverse, "crs": crs,
             "without bbox": no_bbox, "not tight": loose_bbox,
             "decimals": digits, "antimeridian": wrap, "elsewhere": schema,
             "outside": latitude}
    for want, fn in cases.items():
        with open(source) as f:
            doc = json.load(f)
        region = next(f for f in doc["features"] if f["geometry"]["type"] == "MultiPolygon")
        ring = region["geometry"]["coordinates"][0][0]
        fn(doc)
        path = os.path.join(outdir, f"broken-{fn.__name__}.geojson")
        with open(path, "w") as f:
            json.dump(doc, f)
        found = rfc7946.check_file(path, 6)
        t.ok(any(want in line for line in found),
             f"the checker catches: {fn.__name__}", "\n".join(found) or "nothing found")


def golden_cases(t, outdir):
    """Run each golden case (tests/golden/NNN-name/: args one per line,
    input.txt as stdin) whose output is GeoJSON, and check that output;
    its expected.geojson is a pattern, not the output itself. Cases that
    build their own gazetteer (~30 s) are left to the golden suite."""
    env = {"GEOMENTION_GAZETTEER": os.environ.get("GEOMENTION_GAZETTEER", ""),
           "GM_SHARED": os.environ.get("GM_SHARED", ""), "TMP": outdir}
    for case in sorted(glob.glob(os.path.join(gjtest.ROOT, "tests", "golden", "*", "args"))):
        d = os.path.dirname(case)
        name = os.path.basename(d)
        exit_file = os.path.join(d, "expected.exit")
        if not os.path.exists(os.path.join(d, "expected.geojson")) or \
                (os.path.exists(exit_file) and open(exit_file).read().strip() != "0"):
            continue
        if os.path.exists(os.path.join(d, "gazetteer")):
            print(f"ok {t.n + 1} - golden {name} # SKIP builds its own gazetteer")
            t.n += 1
            continue
        args = [line.rstrip("\n") for line in open(case, encoding="utf-8") if line.strip()]
        for k, v in env.items():
            args = [a.replace("${%s}" % k, v) for a in args]
        stdin = os.path.join(d, "input.txt")
        out = gjtest.run(args, stdin=open(stdin, "rb").read()
                         if os.path.exists(stdin) else None).stdout
        path = os.path.join(outdir, f"golden-{name}.geojson")
        with open(path, "wb") as f:
            f.write(out)
        precision = int(args[args.index("--precision") + 1]) if "--precision" in args else 6
        check(t, path, precision)


def main():
    t = gjtest.TAP()
    outdir = gjtest.workdir("rfc7946")
    outs = gjtest.make_outputs(outdir)
    for out in outs:
        check(t, out.path, one_type=out.layer != "both")
        check_schema(t, out)
        check_layers(t, out)
    check_granularities(t, outs)
    check_mentions_output(t, outs, outdir)
    for name in ("Fiji", "Russia", "Antarctica", "United States", "Kiribati"):
        path = os.path.join(outdir, f"lookup-{name}.geojson")
        with open(path, "wb") as f:
            f.write(gjtest.run(["lookup", name, "--limit", "3"]).stdout)
        check(t, path)
    for extra, precision in ((["--precision", "2"], 2), (["--full-geometry"], 6),
                             (["--simplify", "3000", "--precision", "4"], 4)):
        path = os.path.join(outdir, f"options{'_'.join(extra)}.geojson")
        gjtest.run(["parse", "-o", path, *extra, *gjtest.ARTICLES])
        check(t, path, precision)
    small = os.path.join(outdir, "small.geojson")
    gjtest.run(["parse", "-o", small],
               stdin=b"Fishing boats from Fiji and Tonga docked in Suva on Monday.\n")
    check(t, small)
    mutate(t, outdir, small)
    golden_cases(t, outdir)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
