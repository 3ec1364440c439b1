#!/usr/bin/env python3
"""test_ogr.py — GDAL reads every kind of output as the README says: the
driver, the geometry type, the feature count and each field's name and
type (`ogrinfo -al -so`), every feature (`ogrinfo -al`), and converts each
to a GeoPackage without a word on stderr (`ogr2ogr -f GPKG`). TAP; exit 77
only when GDAL's tools are not installed."""
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gjtest  # noqa: E402

OGR_TYPES = {"string": "String", "integer": "Integer", "real": "Real",
             "array": "String(JSON)"}
GEOMETRY = {"places": "Point", "regions": "Multi Polygon", "both": "Unknown (any)"}
DRIVER = {"collection": "GeoJSON", "seq": "GeoJSONSeq", "lines": "GeoJSONSeq"}


def ogr(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def summary(path):
    p = ogr("ogrinfo", "-ro", "-al", "-so", path)
    driver = re.search(r"using driver `([^']+)'", p.stdout)
    geometry = re.search(r"^Geometry: (.+)$", p.stdout, re.M)
    count = re.search(r"^Feature Count: (\d+)$", p.stdout, re.M)
    fields = dict(re.findall(r"^(\w+): (\S+) \(", p.stdout, re.M))
    fields.pop("Geometry", None)  # "Geometry: Unknown (any)" is no field
    return p, (driver and driver.group(1), geometry and geometry.group(1),
               count and int(count.group(1)), fields)


def expected_fields(out, feats):
    """The README's types as OGR names them; a property null in every
    feature is a String to OGR, which has nothing else to go by."""
    want = {}
    for name, t in gjtest.schema_for(out.per).items():
        if all(f["properties"][name] is None for f in feats):
            want[name] = "String"
        else:
            want[name] = OGR_TYPES[t.replace(" or null", "")]
    return want


def check(t, out, outdir):
    feats = gjtest.features(out.path)
    p, (driver, geometry, count, fields) = summary(out.path)
    name = os.path.basename(out.path)
    t.ok(p.returncode == 0 and not p.stderr, f"ogrinfo -so {name}", p.stderr)
    t.ok(driver == DRIVER[out.frame], f"{name}: driver {driver}")
    t.ok(geometry == GEOMETRY[out.layer], f"{name}: geometry {geometry}")
    t.ok(count == len(feats) and count > 0, f"{name}: {count} features")
    want = expected_fields(out, feats)
    t.ok(fields == want, f"{name}: field names and types",
         f"got  {fields}\nwant {want}")
    p = ogr("ogrinfo", "-ro", "-al", out.path)
    t.ok(p.returncode == 0 and not p.stderr and
         p.stdout.count("OGRFeature(") == len(feats),
         f"ogrinfo -al {name} reads every feature", p.stderr)
    gpkg = os.path.join(outdir, name + ".gpkg")
    if os.path.exists(gpkg):
        os.unlink(gpkg)
    p = ogr("ogr2ogr", "-f", "GPKG", gpkg, out.path)
    _, (_, g_geometry, g_count, _) = summary(gpkg)
    t.ok(p.returncode == 0 and not p.stderr and not p.stdout and
         g_count == len(feats),
         f"ogr2ogr -f GPKG {name}: silent, {g_count} features",
         p.stderr + p.stdout)
    if out.layer != "both":
        t.ok(g_geometry == GEOMETRY[out.layer],
             f"{name}.gpkg: geometry {g_geometry}")


def main():
    if not (shutil.which("ogrinfo") and shutil.which("ogr2ogr")):
        gjtest.skip_all("GDAL's ogrinfo/ogr2ogr not installed (Debian gdal-bin)")
    t = gjtest.TAP()
    outdir = gjtest.workdir("ogr")
    for out in gjtest.make_outputs(outdir):
        check(t, out, outdir)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
