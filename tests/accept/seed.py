#!/usr/bin/python3
"""Issue 4's acceptance case: the seed article (../shared/seeds), with UA.zip
layered and with the default gazetteer alone; and with UA.zip layered, one
entry per raion (GeoNames' ADM2 row updates the bundled admin-2 unit).
Skips (77) without ../shared.

Usage: seed.py  (env: GEOMENTION, GEOMENTION_GAZETTEER, GM_SHARED)
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

GM = os.environ["GEOMENTION"]
DEFAULT = os.environ["GEOMENTION_GAZETTEER"]
SHARED = os.environ.get("GM_SHARED", "")
SEED = os.path.join(SHARED, "seeds", "independent-2021-04-blinken-ukraine.txt")
UA = os.path.join(SHARED, "data", "geonames", "UA.zip")

# surface text -> acceptable entries (geonameid, or region id)
EXPECTED = {
    "Ukraine": {690791}, "Russia": {2017370}, "US": {6252001},
    "Crimea": {703883}, "Donbass": {"region:donbas"},
    "Donetsk region": {709716}, "Betmanove": {9113199},
    "Vasylivka": {9113207, 9114082}, "Spartak": {9113069},
    "Kruta Balka": {9113204}, "Kyiv": {703448}, "Spain": {2510769},
    "Sweden": {2661886}, "Germany": {2921044}, "Paris": {2988507},
}
NOT_PLACES = ["Kirby", "Cher", "Milley", "Mark", "Read", "Join",
              "Independent", "Nato", "Europe"]
NEVER = {"Vasylivka": {686729}, "Kruta Balka": {703925}}
POLYGON = {"Crimea", "Donbass", "Donetsk region"}

failures = []


def check(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)
    if not ok:
        failures.append(what)


def mentions(gazetteer):
    out = subprocess.run([GM, "parse", "--mentions", "--gazetteer", gazetteer,
                          SEED], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["mentions"]


def ids(entry):
    return {entry["geonameid"], entry["id"]}


def contains(gazetteer, text, want):
    """Whether the gazetteer holds one of the wanted entries for text."""
    name = text.replace(" region", "")
    out = subprocess.run([GM, "lookup", "--gazetteer", gazetteer, "--limit",
                          "1000", name], capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout)["features"]
    return any(ids(f["properties"]) & want for f in found)


def run(gazetteer, tag):
    by_text = {}
    with open(SEED, encoding="utf-8") as f:
        article = f.read()
    for m in mentions(gazetteer):
        by_text.setdefault(m["text"], []).append(m)
        # A generic suffix is not part of the name: "Donetsk region" is
        # the mention "Donetsk", which the suffix makes the oblast.
        if article[m["end"]:m["end"] + 7] == " region":
            by_text.setdefault(m["text"] + " region", []).append(m)
    for text, want in EXPECTED.items():
        got = by_text.get(text, [])
        check(all(not (ids(m["entry"]) & NEVER.get(text, set()))
                  for m in got),
              "%s: '%s' never resolves to a forbidden entry" % (tag, text))
        if not contains(gazetteer, text, want):
            continue  # the default gazetteer lacks the villages
        check(bool(got) and all(ids(m["entry"]) & want for m in got),
              "%s: every '%s' resolves to %s (got %s)" %
              (tag, text, sorted(map(str, want)),
               sorted({m["entry"]["id"] for m in got})))
    for text in NOT_PLACES:
        check(text not in by_text, "%s: no place for '%s'" % (tag, text))
    for text in POLYGON:
        for m in by_text.get(text, []):
            check(m["entry"]["id"].startswith(("admin1:", "region:",
                                               "country:")),
                  "%s: '%s' is a region with a polygon" % (tag, text))


def ua_admin2_units(n):
    """The first n ADM2 rows of UA.zip: (geonameid, name)."""
    out = []
    with zipfile.ZipFile(UA) as z, z.open("UA.txt") as f:
        for line in io.TextIOWrapper(f, encoding="utf-8"):
            col = line.split("\t")
            if col[7] == "ADM2":
                out.append((int(col[0]), col[1]))
                if len(out) == n:
                    break
    return out


def admin2_entries(gazetteer, name):
    """The ids of the admin-2 entries that name means."""
    out = subprocess.run([GM, "lookup", "--gazetteer", gazetteer, "--limit",
                          "100", name], capture_output=True, text=True,
                         check=True)
    return sorted(f["properties"]["id"]
                  for f in json.loads(out.stdout)["features"]
                  if f["properties"].get("feature_code") == "ADM2")


def main():
    if not os.path.exists(SEED):
        print("1..0 # SKIP ../shared is absent")
        return 77
    run(DEFAULT, "default gazetteer")
    if os.path.exists(UA):
        with tempfile.TemporaryDirectory() as tmp:
            gaz = os.path.join(tmp, "ua.gmz")
            subprocess.run([GM, "gazetteer", "build", "--quiet", "--geonames",
                            UA, "-o", gaz], check=True)
            run(gaz, "UA.zip layered")
            for text in ("Betmanove", "Spartak", "Kruta Balka", "Vasylivka"):
                check(contains(gaz, text, EXPECTED[text]),
                      "UA.zip layered: the gazetteer holds %s" % text)
            for geonameid, name in ua_admin2_units(20):
                got = admin2_entries(gaz, name)
                check(got == ["geonames:%d" % geonameid],
                      "UA.zip layered: one entry for the raion %s, "
                      "GeoNames' own (got %s)" % (name, got))
    print("%d failed" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
