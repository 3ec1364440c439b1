#!/usr/bin/env python3
"""Run one golden test of the geomention command line.

    run.py CASE_DIR        (env: GEOMENTION, GEOMENTION_GAZETTEER, GM_SHARED)

A case is a directory (tests/golden/NNN-name/) of small files:

  args             the arguments, one per line (no shell, no quoting);
                   ${GM_SHARED}, ${TMP} and ${GEOMENTION_GAZETTEER} expand
  input.txt        standard input (else none)
  needs            paths under GM_SHARED the case needs, one per line: the
                   test is skipped (exit 77) when one is missing
  gazetteer        arguments of `geomention gazetteer build`, one per line:
                   a gazetteer is built into TMP first and used instead of
                   the default (GEOMENTION_GAZETTEER is set to it)
  expected.exit    the exit status (default 0)
  expected.stderr  lines that must each occur in standard error
  expected.stdout  lines that must each occur in standard output
  expected.geojson a pattern the JSON on standard output must match

The pattern is compared structurally, not as text: an object matches if
each of its keys matches the same key of the output (other keys are
free); a list matches the first elements of the output's list, one by
one; integers match exactly, other numbers within a relative tolerance
of 1e-6 (1e-9 absolute).
Objects with one key starting with "$" are operators:

  {"$all": [P, Q]}       the value matches every pattern of the list
  {"$any": P}            some element of the output's list matches P
  {"$none": P}           no element of the output's list matches P
  {"$in": [A, B]}        the value equals one of A, B
  {"$len": N}            the list has exactly N elements
  {"$approx": [X, TOL]}  a number within TOL of X
  {"$contains_points": [[lon, lat], ...]}   a GeoJSON Polygon or
                         MultiPolygon geometry that contains every point
  {"$excludes_points": [[lon, lat], ...]}   ... and contains none of these

Exit status: 0 pass, 1 fail (with the differences on stderr), 77 skip.
"""
import json
import os
import subprocess
import sys
import tempfile


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.rstrip("\n") != ""]


def expand(s, env):
    for k, v in env.items():
        s = s.replace("${%s}" % k, v)
    return s


# ------------------------------------------------------------- geometry

def ring_contains(ring, x, y):
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xc:
                inside = not inside
    return inside


def polygon_contains(rings, x, y):
    return ring_contains(rings[0], x, y) and \
        not any(ring_contains(h, x, y) for h in rings[1:])


def geometry_contains(geom, x, y):
    if not isinstance(geom, dict):
        return False
    if geom.get("type") == "Polygon":
        return polygon_contains(geom["coordinates"], x, y)
    if geom.get("type") == "MultiPolygon":
        return any(polygon_contains(p, x, y) for p in geom["coordinates"])
    return False


# -------------------------------------------------------------- matching

def match(pattern, value, path, errors):
    """Append to errors what does not match; return True when all does."""
    n = len(errors)
    if isinstance(pattern, dict) and len(pattern) == 1 and \
            next(iter(pattern)).startswith("$"):
        op, arg = next(iter(pattern.items()))
        if op == "$all":
            for p in arg:
                match(p, value, path, errors)
        elif op in ("$any", "$none"):
            if not isinstance(value, list):
                errors.append("%s: expected a list, got %r" % (path, value))
            else:
                hits = [i for i, v in enumerate(value) if match(arg, v, path, [])]
                if op == "$any" and not hits:
                    errors.append("%s: no element matches %s" % (path, json.dumps(arg)))
                if op == "$none" and hits:
                    errors.append("%s[%d] matches %s" % (path, hits[0], json.dumps(arg)))
        elif op == "$in":
            if value not in arg:
                errors.append("%s: %r is not one of %r" % (path, value, arg))
        elif op == "$len":
            if not isinstance(value, list) or len(value) != arg:
                errors.append("%s: expected %d elements, got %s" % (
                    path, arg, len(value) if isinstance(value, list) else value))
        elif op == "$approx":
            if not isinstance(value, (int, float)) or abs(value - arg[0]) > arg[1]:
                errors.append("%s: %r is not %r +- %r" % (path, value, arg[0], arg[1]))
        elif op in ("$contains_points", "$excludes_points"):
            want = op == "$contains_points"
            for x, y in arg:
                if geometry_contains(value, x, y) != want:
                    errors.append("%s: point %r,%r is %s" % (
                        path, x, y, "outside" if want else "inside"))
        else:
            errors.append("%s: unknown operator %s" % (path, op))
    elif isinstance(pattern, dict):
        if not isinstance(value, dict):
            errors.append("%s: expected an object, got %r" % (path, value))
        else:
            for k, p in pattern.items():
                if k not in value:
                    errors.append("%s.%s: missing" % (path, k))
                else:
                    match(p, value[k], "%s.%s" % (path, k), errors)
    elif isinstance(pattern, list):
        if not isinstance(value, list) or len(value) < len(pattern):
            errors.append("%s: expected a list of at least %d, got %s" % (
                path, len(pattern), json.dumps(value)[:200]))
        else:
            for i, p in enumerate(pattern):
                match(p, value[i], "%s[%d]" % (path, i), errors)
    elif isinstance(pattern, bool) or pattern is None or isinstance(pattern, str):
        if pattern != value or type(pattern) != type(value):
            errors.append("%s: expected %r, got %r" % (path, pattern, value))
    elif isinstance(pattern, int):   # ids, counts, ranks: exactly
        if isinstance(value, bool) or value != pattern:
            errors.append("%s: expected %r, got %r" % (path, pattern, value))
    elif isinstance(pattern, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                abs(value - pattern) > max(1e-9, 1e-6 * abs(pattern)):
            errors.append("%s: expected %r, got %r" % (path, pattern, value))
    return len(errors) == n


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    case = sys.argv[1]
    name = os.path.basename(os.path.normpath(case))
    exe = os.environ.get("GEOMENTION")
    shared = os.environ.get("GM_SHARED", "")
    if not exe:
        print("%s: GEOMENTION is not set" % name, file=sys.stderr)
        return 1

    def f(n):
        return os.path.join(case, n)

    if os.path.exists(f("needs")):
        for need in lines(f("needs")):
            if not shared or not os.path.exists(os.path.join(shared, need)):
                print("%s: skipped: needs %s" % (name, os.path.join(shared, need)))
                return 77

    with tempfile.TemporaryDirectory(prefix="gm-golden-") as tmp:
        env = dict(os.environ)
        sub = {"GM_SHARED": shared, "TMP": tmp,
               "GEOMENTION_GAZETTEER": env.get("GEOMENTION_GAZETTEER", "")}
        if os.path.exists(f("gazetteer")):
            gaz = os.path.join(tmp, "case.gmz")
            build = [exe, "gazetteer", "build", "--quiet", "-o", gaz] + \
                [expand(a, sub) for a in lines(f("gazetteer"))]
            p = subprocess.run(build, capture_output=True, text=True)
            if p.returncode != 0:
                print("%s: building its gazetteer failed: %s\n%s" % (
                    name, " ".join(build), p.stderr), file=sys.stderr)
                return 1
            env["GEOMENTION_GAZETTEER"] = sub["GEOMENTION_GAZETTEER"] = gaz
        args = [expand(a, sub) for a in lines(f("args"))]
        stdin = open(f("input.txt"), "rb").read() \
            if os.path.exists(f("input.txt")) else b""
        p = subprocess.run([exe] + args, input=stdin, capture_output=True,
                           env=env, timeout=600)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    errors = []
    want_exit = int(lines(f("expected.exit"))[0]) \
        if os.path.exists(f("expected.exit")) else 0
    if p.returncode != want_exit:
        errors.append("exit status %d, expected %d" % (p.returncode, want_exit))
    for which, text in (("stderr", err), ("stdout", out)):
        if os.path.exists(f("expected." + which)):
            for want in lines(f("expected." + which)):
                if expand(want, sub) not in text:
                    errors.append("%s lacks %r" % (which, expand(want, sub)))
    if os.path.exists(f("expected.geojson")):
        pattern = json.load(open(f("expected.geojson"), encoding="utf-8"))
        try:
            value = json.loads(out)
        except ValueError as e:
            errors.append("stdout is not JSON (%s): %r" % (e, out[:300]))
        else:
            match(pattern, value, "$", errors)
    print("%s: geomention %s -> exit %d" % (name, " ".join(args), p.returncode))
    if errors:
        for e in errors:
            print("%s: %s" % (name, e), file=sys.stderr)
        print("%s: stderr was: %s" % (name, err[-2000:]), file=sys.stderr)
        return 1
    print("%s: ok" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
