/*
 * test_shape.c — the pieces of the GeoJSON output that the real data
 * cannot reach on demand: a ring that wraps across the antimeridian, a
 * polar cap, wrong winding, snapping, simplification in metres, the
 * longitude extent, and the JSON writer's strings and numbers. TAP.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "out_json.h"

static int n_tests, n_failed;

static void ok(int cond, const char *what)
{
  n_tests++;
  if (!cond)
    n_failed++;
  printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, what);
}

/* The shape of a WKT polygon, through WKB as the gazetteer holds it. */
static int shape_of(gm__geo *geo, const char *wkt, int precision,
                    double simplify_m, gm__shape *s)
{
  struct GEOSGeom_t *g = gm__geo_from_wkt(geo, wkt);
  unsigned char *full = NULL, *simple = NULL;
  size_t full_len, simple_len;
  double bbox[4];
  gm__shape_options opt = {.precision = precision, .simplify_m = simplify_m};
  int rc = -1;

  memset(s, 0, sizeof *s);
  if (g && gm__geo_encode(geo, g, 1e-9, &full, &full_len, &simple,
                          &simple_len, bbox) == 0)
    rc = gm__geo_shape(geo, full, full_len, &opt, s);
  gm__geo_destroy(geo, g);
  free(full);
  free(simple);
  return rc;
}

static double ring_area2(const gm__shape *s, size_t ring)
{
  size_t a = ring ? s->ring_end[ring - 1] : 0, b = s->ring_end[ring];
  double area = 0;

  for (size_t i = a; i + 1 < b; i++)
    area += s->xy[2 * i] * s->xy[2 * i + 3] - s->xy[2 * i + 2] * s->xy[2 * i + 1];
  return area;
}

static double ring_span(const gm__shape *s, size_t ring)
{
  size_t a = ring ? s->ring_end[ring - 1] : 0, b = s->ring_end[ring];
  double lo = 999, hi = -999;

  for (size_t i = a; i < b; i++) {
    lo = fmin(lo, s->xy[2 * i]);
    hi = fmax(hi, s->xy[2 * i]);
  }
  return hi - lo;
}

/* Exteriors counter-clockwise, holes clockwise, no ring over 180. */
static int well_formed(const gm__shape *s)
{
  size_t ring = 0;

  for (size_t p = 0; p < s->n_polys; p++)
    for (size_t first = ring; ring < s->poly_end[p]; ring++) {
      double a = ring_area2(s, ring);
      if ((ring == first ? a <= 0 : a >= 0) || ring_span(s, ring) > 180)
        return 0;
    }
  return s->n_polys > 0;
}

static void test_antimeridian(gm__geo *geo)
{
  gm__shape s;
  /* Fiji-like: a box from 170E across the antimeridian to 170W, written
   * as a planar ring that jumps from 170 to -170. */
  int rc = shape_of(geo,
                    "POLYGON((170 -10, -170 -10, -170 10, 170 10, 170 -10))",
                    6, 0, &s);

  ok(rc == 0, "wrapping polygon: shape");
  ok(s.n_polys == 2, "wrapping polygon: cut into two polygons");
  ok(well_formed(&s), "wrapping polygon: winding and spans");
  ok(s.bbox[0] == 170 && s.bbox[2] == -170 && s.bbox[1] == -10 &&
         s.bbox[3] == 10,
     "wrapping polygon: bbox west > east (RFC 7946 5.2)");
  gm__shape_free(&s);
}

static void test_polar_cap(gm__geo *geo)
{
  gm__shape s;
  /* Natural Earth's Antarctica: along the coast from -180 to 180, down
   * the antimeridian to the pole, along the pole, back up. */
  int rc = shape_of(geo,
                    "POLYGON((-180 -60, -90 -65, 0 -60, 90 -65, 180 -60, "
                    "180 -90, -180 -90, -180 -60))",
                    6, 0, &s);

  ok(rc == 0, "polar cap: shape");
  ok(s.n_polys == 2, "polar cap: halved at the prime meridian");
  ok(well_formed(&s), "polar cap: winding and spans");
  ok(s.bbox[0] == -180 && s.bbox[2] == 180 && s.bbox[1] == -90,
     "polar cap: bbox the whole circle, not wrapped");
  gm__shape_free(&s);
}

static void test_winding(gm__geo *geo)
{
  gm__shape s;
  /* Exterior clockwise, hole counter-clockwise: both backwards. */
  int rc = shape_of(geo,
                    "POLYGON((0 0, 0 10, 10 10, 10 0, 0 0),"
                    "(2 2, 8 2, 8 8, 2 8, 2 2))",
                    6, 0, &s);

  ok(rc == 0 && s.n_polys == 1 && s.n_rings == 2, "winding: one polygon, "
                                                 "one hole");
  ok(well_formed(&s), "winding: exterior CCW, hole CW");
  ok(s.xy[0] == s.xy[2 * s.ring_end[0] - 2] &&
         s.xy[1] == s.xy[2 * s.ring_end[0] - 1],
     "winding: ring closed");
  gm__shape_free(&s);
}

static void test_precision(gm__geo *geo)
{
  gm__shape s;
  int on_grid = 1;
  int rc = shape_of(geo,
                    "POLYGON((0.123456 0.111111, 5.987654 0.222222, "
                    "5.5 5.55555, 0.123456 0.111111))",
                    2, 0, &s);

  for (size_t i = 0; rc == 0 && i < 2 * s.n_points; i++)
    on_grid &= fabs(s.xy[i] * 100 - round(s.xy[i] * 100)) < 1e-6;
  ok(rc == 0 && s.n_points == 4 && on_grid, "precision 2: snapped to 0.01");
  gm__shape_free(&s);
  rc = shape_of(geo, "POLYGON((0 0, 0.001 0, 0.001 0.001, 0 0))", 1, 0, &s);
  ok(rc == 0 && s.n_polys == 0, "precision 1: a 100 m triangle vanishes");
  gm__shape_free(&s);
}

/* A circle of radius r degrees around (lon, lat), n vertices. */
static char *circle_wkt(double lon, double lat, double r, int n)
{
  gm__buf b = {0};

  gm__buf_printf(&b, "POLYGON((");
  for (int i = 0; i <= n; i++) {
    double a = 2 * M_PI * (i % n) / n;
    gm__buf_printf(&b, "%s%.9f %.9f", i ? ", " : "", lon + r * cos(a),
                   lat + r * sin(a));
  }
  gm__buf_printf(&b, "))");
  return b.data;
}

static void test_simplify(gm__geo *geo)
{
  char *wkt = circle_wkt(30, 60, 1, 720);
  gm__shape full, coarse;
  int rc1 = shape_of(geo, wkt, 9, 0, &full);
  int rc2 = shape_of(geo, wkt, 9, 5000, &coarse);
  int kept = 1;

  ok(rc1 == 0 && rc2 == 0, "simplify: shapes");
  ok(coarse.n_points < full.n_points / 4 && coarse.n_points >= 8,
     "simplify 5 km: far fewer positions, still a polygon");
  /* Douglas-Peucker keeps positions: each must be one of the input's. */
  for (size_t i = 0; i < coarse.n_points && kept; i++) {
    int found = 0;
    for (size_t k = 0; k < full.n_points && !found; k++)
      found = coarse.xy[2 * i] == full.xy[2 * k] &&
              coarse.xy[2 * i + 1] == full.xy[2 * k + 1];
    kept = found;
  }
  ok(kept, "simplify: positions come back exactly, not re-projected");
  ok(well_formed(&coarse), "simplify: winding");
  gm__shape_free(&full);
  gm__shape_free(&coarse);
  free(wkt);
}

static void test_extent(void)
{
  gm__extent e = {0};
  double b[4];

  ok(gm__extent_bbox(&e, b) == GM_ENOTFOUND, "extent: empty has no box");
  gm__extent_add(&e, -10, 0, 10, 1);
  gm__extent_add(&e, 20, -5, 30, 2);
  ok(gm__extent_bbox(&e, b) == 0 && b[0] == -10 && b[2] == 30 &&
         b[1] == -5 && b[3] == 2,
     "extent: ordinary box");
  gm__extent_free(&e);
  gm__extent_add(&e, 170, 0, 180, 1);
  gm__extent_add(&e, -180, 0, -170, 1);
  gm__extent_add(&e, 175, 0, 176, 1);
  ok(gm__extent_bbox(&e, b) == 0 && b[0] == 170 && b[2] == -170,
     "extent: two sides of the antimeridian wrap");
  gm__extent_free(&e);
  gm__extent_add(&e, 160, 0, -160, 1); /* already wrapped */
  gm__extent_add(&e, 0, 0, 1, 1);
  ok(gm__extent_bbox(&e, b) == 0 && b[0] == 0 && b[2] == -160,
     "extent: a wrapped box joins the widest gap rule");
  gm__extent_free(&e);
}

static int json_is(void (*fn)(gm__json *), const char *want)
{
  gm__json j = {0};
  int same;

  fn(&j);
  same = j.status == 0 && j.out.len == strlen(want) &&
         memcmp(j.out.data, want, j.out.len) == 0;
  if (!same)
    printf("# got: %.*s\n# want: %s\n", (int)j.out.len,
           j.out.data ? j.out.data : "", want);
  gm__json_free(&j);
  return same;
}

static void bad_bytes(gm__json *j)
{
  /* A lone continuation byte, a truncated sequence, an overlong NUL, a
   * surrogate, a real NUL, quote, backslash, tab, U+2028, valid é. */
  static const char s[] = "a\x80" "b\xe2\x82" "c\xc0\x80" "d\xed\xa0\x80"
                          "e\0f\"\\\t\xe2\x80\xa8\xc3\xa9";
  gm__json_string(j, s, sizeof s - 1);
}

static void numbers(gm__json *j)
{
  gm__json_array(j);
  gm__json_real(j, 1, 4);
  gm__json_real(j, 0.1, 4);
  gm__json_real(j, -0.00001, 4);
  gm__json_coord(j, 38.0, 6);
  gm__json_coord(j, -0.0000001, 6);
  gm__json_coord(j, 47.8612400001, 6);
  gm__json_real(j, NAN, 4);
  gm__json_uint(j, 4294967295u);
  gm__json_end(j);
}

static void nesting(gm__json *j)
{
  gm__json_object(j);
  gm__json_key(j, "a");
  gm__json_array(j);
  gm__json_null(j);
  gm__json_object(j);
  gm__json_end(j);
  gm__json_end(j);
  gm__json_key(j, "b");
  gm__json_bool(j, 1);
  gm__json_end(j);
}

static void test_json(void)
{
  ok(json_is(bad_bytes,
             "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
             "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
             "e\\u0000f\\\"\\\\\\t\\u2028\xc3\xa9\""),
     "json: each invalid byte one U+FFFD, NUL and controls escaped");
  ok(json_is(numbers, "[1.0,0.1,0.0,38,0,47.86124,null,4294967295]"),
     "json: reals keep a fraction, coordinates the shortest form, no -0");
  ok(json_is(nesting, "{\"a\":[null,{}],\"b\":true}"), "json: commas");
}

int main(void)
{
  gm__geo *geo;

  if (gm__geo_new(&geo)) {
    printf("Bail out! no GEOS context\n");
    return 1;
  }
  test_antimeridian(geo);
  test_polar_cap(geo);
  test_winding(geo);
  test_precision(geo);
  test_simplify(geo);
  test_extent();
  test_json();
  gm__geo_free(geo);
  printf("1..%d\n", n_tests);
  return n_failed ? 1 : 0;
}
