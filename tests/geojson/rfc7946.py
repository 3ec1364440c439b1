#!/usr/bin/env python3
"""rfc7946.py — check GeoJSON files against RFC 7946 and our own rules.

Usage: rfc7946.py [--precision N] [--one-type] FILE...

A FILE is a FeatureCollection, an RFC 8142 text sequence (records start
with RS) or newline-delimited GeoJSON (one feature a line). Checked:

  - no "crs" member anywhere (RFC 7946 section 4);
  - positions are [lon, lat] inside [-180, 180] x [-90, 90], with at most
    N decimals as written in the file (not as Python reads them);
  - rings closed, at least 4 positions, exterior counter-clockwise and
    holes clockwise by signed area (section 3.1.6);
  - antimeridian (section 3.1.9): no edge jumps more than 180 degrees of
    longitude and no ring spans more than 180;
  - bbox (section 5) on every Polygon/MultiPolygon feature and on every
    non-empty collection: four numbers, south <= north, holding every
    position (west > east means it wraps the antimeridian) and tight:
    each side is touched by some position;
  - one schema: every feature has the same property names, each with one
    JSON type (null aside);
  - with --one-type: one geometry type in the file (a QGIS/OGR layer).

Python standard library only. Exit 0 when every file passes, 1 otherwise,
printing one line per problem.
"""
import decimal
import json
import sys

RS = "\x1e"


class Problems:
    def __init__(self, path):
        self.path = path
        self.found = []

    def add(self, where, what):
        if len(self.found) < 50:
            self.found.append(f"{self.path}: {where}: {what}")


def load(path):
    """The features of a file and the collection (or None), numbers as
    Decimal so that the written digits can be counted."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")  # strict: invalid UTF-8 is a failure
    parse = lambda s: json.loads(s, parse_float=decimal.Decimal)
    if text.startswith(RS):
        if not text.endswith("\n"):
            raise ValueError("RFC 8142: the last record does not end in LF")
        records = text.split(RS)[1:]
        return [parse(r) for r in records], None, "seq"
    stripped = text.strip()
    if stripped.startswith('{"type":"FeatureCollection"') or \
            '"FeatureCollection"' in stripped[:200]:
        doc = parse(text)
        if doc.get("type") == "FeatureCollection":
            return doc.get("features"), doc, "collection"
    lines = [line for line in text.split("\n") if line.strip()]
    return [parse(line) for line in lines], None, "lines"


def decimals(v):
    if isinstance(v, decimal.Decimal):
        exp = v.as_tuple().exponent
        return -exp if exp < 0 else 0
    return 0


def positions_of(geom):
    t = geom["type"]
    c = geom["coordinates"]
    if t == "Point":
        return [c]
    if t in ("MultiPoint", "LineString"):
        return list(c)
    if t in ("MultiLineString", "Polygon"):
        return [p for part in c for p in part]
    if t == "MultiPolygon":
        return [p for poly in c for ring in poly for p in ring]
    raise ValueError(f"geometry type {t}")


def polygons_of(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    return []


def signed_area2(ring):
    a = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        a += float(x1) * float(y2) - float(x2) * float(y1)
    return a


def check_ring(p, where, ring, exterior):
    if len(ring) < 4:
        p.add(where, f"ring of {len(ring)} positions (at least 4)")
        return
    if ring[0] != ring[-1]:
        p.add(where, "ring not closed")
    area = signed_area2(ring)
    if exterior and area <= 0:
        p.add(where, "exterior ring clockwise (must be counter-clockwise)")
    if not exterior and area >= 0:
        p.add(where, "hole counter-clockwise (must be clockwise)")
    xs = [float(x) for x, _ in ring]
    if max(xs) - min(xs) > 180:
        p.add(where, f"ring spans {max(xs) - min(xs):.1f} degrees of longitude")
    for a, b in zip(ring, ring[1:]):
        if abs(float(a[0]) - float(b[0])) > 180:
            p.add(where, f"edge {a} -> {b} crosses the antimeridian")
            break


def check_positions(p, where, positions, precision):
    for pos in positions:
        if len(pos) != 2:
            p.add(where, f"position {pos}: expected [lon, lat]")
            continue
        lon, lat = pos
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            p.add(where, f"position {pos} outside [-180,180] x [-90,90]")
        if precision is not None and max(decimals(lon), decimals(lat)) > precision:
            p.add(where, f"position {pos}: more than {precision} decimals")
            break


def lon_in(lon, west, east):
    return west <= lon <= east if west <= east else lon >= west or lon <= east


def check_bbox(p, where, bbox, positions):
    if not (isinstance(bbox, list) and len(bbox) == 4 and
            all(isinstance(v, (int, decimal.Decimal)) for v in bbox)):
        p.add(where, f"bbox {bbox}: expected [west, south, east, north]")
        return
    west, south, east, north = bbox
    if south > north:
        p.add(where, f"bbox {bbox}: south > north")
    lats = [pos[1] for pos in positions]
    lons = [pos[0] for pos in positions]
    outside = [pos for pos in positions
               if not (lon_in(pos[0], west, east) and south <= pos[1] <= north)]
    if outside:
        p.add(where, f"bbox {bbox} does not hold {outside[0]}")
    if positions and (min(lats) != south or max(lats) != north or
                      west not in lons or east not in lons):
        p.add(where, f"bbox {bbox} is not tight")


def json_type(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, decimal.Decimal):
        return "real"
    return {str: "string", list: "array", dict: "object"}[type(v)]


def has_crs(v):
    """A "crs" member on a collection, a feature or a geometry (not inside
    properties, where "crs" would just be a name)."""
    if isinstance(v, list):
        return any(has_crs(x) for x in v)
    if not isinstance(v, dict):
        return False
    return "crs" in v or has_crs(v.get("features")) or has_crs(v.get("geometry"))


def check_feature(p, i, feat, precision, schema):
    where = f"feature {i}"
    if feat.get("type") != "Feature":
        p.add(where, "not a Feature")
        return None
    geom = feat.get("geometry")
    props = feat.get("properties")
    if not isinstance(props, dict):
        p.add(where, "properties is not an object")
    else:
        for k, v in props.items():
            t = json_type(v)
            if t is not None and schema.setdefault(k, t) != t:
                p.add(where, f"property {k}: {t}, elsewhere {schema[k]}")
    if geom is None:
        return None
    positions = positions_of(geom)
    check_positions(p, where, positions, precision)
    for poly in polygons_of(geom):
        for r, ring in enumerate(poly):
            check_ring(p, where, ring, r == 0)
    if polygons_of(geom):
        if "bbox" not in feat:
            p.add(where, "polygon feature without bbox")
        else:
            check_bbox(p, where, feat["bbox"], positions)
    return geom["type"], positions


def check_file(path, precision=6, one_type=False):
    p = Problems(path)
    try:
        features, collection, kind = load(path)
    except (ValueError, UnicodeDecodeError) as e:
        p.add("file", f"not valid JSON/UTF-8: {e}")
        return p.found
    if has_crs(collection) or has_crs(features):
        p.add("file", 'a "crs" member (RFC 7946 removed it)')
    schema, types, everywhere, keysets = {}, set(), [], set()
    for i, feat in enumerate(features):
        got = check_feature(p, i, feat, precision, schema)
        if isinstance(feat.get("properties"), dict):
            keysets.add(tuple(sorted(feat["properties"])))
        if got:
            types.add(got[0])
            everywhere.extend(got[1])
    if len(keysets) > 1:
        p.add("schema", f"{len(keysets)} different property sets")
    if one_type and len(types) > 1:
        p.add("layer", f"geometry types {sorted(types)} in one layer")
    if collection is not None and features:
        if "bbox" not in collection:
            p.add("collection", "no bbox")
        else:
            check_bbox(p, "collection", collection["bbox"], everywhere)
    return p.found


def main(argv):
    precision, one_type, paths = 6, False, []
    it = iter(argv)
    for a in it:
        if a == "--precision":
            precision = int(next(it))
        elif a == "--one-type":
            one_type = True
        else:
            paths.append(a)
    bad = 0
    for path in paths:
        for line in check_file(path, precision, one_type):
            print(line)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
