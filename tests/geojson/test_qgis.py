#!/usr/bin/env python3
"""test_qgis.py — QGIS 3 loads every layered output as a valid vector layer
with the expected geometry type, CRS EPSG:4326, feature count and field
types; the mixed FeatureCollection offers one Point and one Polygon
sublayer; and the two layers of the bundled example render over each other
into a PNG (kept as a test artifact: qgis/layers.png under the build's
tests/geojson) that is not blank. TAP.

The bindings belong to Debian's own python3 (python3-qgis), which need not
be the first python3 on PATH: when `import qgis` fails here, the script
re-runs itself under /usr/bin/python3, and skips (77) only when that has
no QGIS either. Headless: QT_QPA_PLATFORM=offscreen."""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp/runtime-" + str(os.getuid()))
DEBIAN_PYTHON = "/usr/bin/python3"

try:
    from qgis.core import (QgsApplication, QgsFillSymbol, QgsMapRendererSequentialJob,
                           QgsMapSettings, QgsMarkerSymbol, QgsRectangle,
                           QgsVectorLayer, QgsWkbTypes)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON) and \
            os.access(DEBIAN_PYTHON, os.X_OK):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    print("1..0 # SKIP no QGIS Python bindings (Debian python3-qgis)")
    sys.exit(77)

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gjtest  # noqa: E402

QT_TYPES = {"string": {10}, "integer": {2, 4}, "real": {6}, "array": {8}}
WKB = {"places": "Point", "regions": "MultiPolygon"}
GEOMETRY = {"places": QgsWkbTypes.PointGeometry, "regions": QgsWkbTypes.PolygonGeometry}


def expected_types(out, feats):
    """QVariant types of the README's types; a property null in every
    feature is a String (OGR has nothing else to go by)."""
    want = {}
    for name, t in gjtest.schema_for(out.per).items():
        if all(f["properties"][name] is None for f in feats):
            want[name] = {10}
        else:
            want[name] = QT_TYPES[t.replace(" or null", "")]
    return want


def check_layer(t, out):
    name = os.path.basename(out.path)
    feats = gjtest.features(out.path)
    layer = QgsVectorLayer(out.path, name, "ogr")
    if not t.ok(layer.isValid(), f"QGIS loads {name}"):
        return
    t.ok(layer.geometryType() == GEOMETRY[out.layer] and
         QgsWkbTypes.displayString(layer.wkbType()) == WKB[out.layer],
         f"{name}: {QgsWkbTypes.displayString(layer.wkbType())}")
    t.ok(layer.crs().authid() == "EPSG:4326", f"{name}: CRS {layer.crs().authid()}")
    t.ok(layer.featureCount() == len(feats) > 0, f"{name}: {layer.featureCount()} features")
    got = {f.name(): f.type() for f in layer.fields()}
    want = expected_types(out, feats)
    bad = [f"{k}: {got.get(k)} not in {v}" for k, v in want.items() if got.get(k) not in v]
    t.ok(set(got) == set(want) and not bad, f"{name}: field names and types",
         "\n".join(bad) or f"{sorted(set(got) ^ set(want))}")


def check_mixed(t, out):
    """Without --split: QGIS offers a Point and a Polygon sublayer."""
    feats = gjtest.features(out.path)
    layer = QgsVectorLayer(out.path, "mixed", "ogr")
    subs = sorted(tuple(s.split("!!::!!")[2:4]) for s in layer.dataProvider().subLayers())
    points = sum(1 for f in feats if f["geometry"]["type"] == "Point")
    want = sorted([(str(points), "Point"), (str(len(feats) - points), "Polygon")])
    t.ok(layer.isValid() and subs == want,
         f"{os.path.basename(out.path)}: sublayers {subs}", f"want {want}")


def render(t, places_path, regions_path, png):
    """Regions (blue fill) under places (red dots), over the places'
    extent; the image must show both colours."""
    regions = QgsVectorLayer(regions_path, "regions", "ogr")
    places = QgsVectorLayer(places_path, "places", "ogr")
    regions.renderer().setSymbol(QgsFillSymbol.createSimple(
        {"color": "70,110,220,160", "outline_color": "20,40,120", "outline_width": "0.3"}))
    places.renderer().setSymbol(QgsMarkerSymbol.createSimple(
        {"name": "circle", "color": "230,30,30", "size": "3", "outline_style": "no"}))
    extent = QgsRectangle(places.extent())
    extent.scale(1.4)
    settings = QgsMapSettings()
    settings.setLayers([places, regions])  # first drawn on top
    settings.setDestinationCrs(regions.crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(900, 600))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    t.ok(image.save(png, "PNG"), f"rendered to {png}")
    red = blue = other = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = QColor(image.pixel(x, y))
            r, g, b = c.red(), c.green(), c.blue()
            if (r, g, b) == (255, 255, 255):
                continue
            if r > 180 and g < 90 and b < 90:
                red += 1
            elif b > r + 40:
                blue += 1
            else:
                other += 1
    t.ok(red > 50, f"the image shows the places ({red} red pixels)")
    t.ok(blue > 5000, f"the image shows the regions ({blue} blue pixels)")


def main():
    app = QgsApplication([], False)
    app.setPrefixPath("/usr", True)
    app.initQgis()
    t = gjtest.TAP()
    outdir = gjtest.workdir("qgis")
    for out in gjtest.make_outputs(outdir):
        if out.layer == "both":
            check_mixed(t, out)
        else:
            check_layer(t, out)
    prefix = os.path.join(outdir, "example")
    gjtest.run(["parse", "--split", prefix, gjtest.EXAMPLE])
    render(t, prefix + ".places.geojson", prefix + ".regions.geojson",
           os.path.join(outdir, "layers.png"))
    status = t.done()
    app.exitQgis()
    return status


if __name__ == "__main__":
    sys.exit(main())
