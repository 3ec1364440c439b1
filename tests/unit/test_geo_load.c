/*
 * test_geo_load.c — src/geo_proj.c and geo_geos.c load PROJ and GEOS on
 * first use, not at exec.
 *
 * Built twice (tests/unit/meson.build):
 *   geo_load          against the library: neither libproj nor libgeos_c
 *                     is in the process at start, nor after
 *                     gm_gazetteer_open + gm_lookup, nor after a parse
 *                     without --near; the first distances,
 *                     asked by several threads at once, load PROJ and are
 *                     WGS84 geodesics; a lookup with --near and a local
 *                     projection then work; the first geometry loads GEOS.
 *   geo_load_no_proj, geo_load_no_geos
 *                     geo_proj.c and geo_geos.c compiled with the soname
 *                     of a PROJ, or a GEOS, that does not exist: loading
 *                     fails with a message naming the library, distances
 *                     are NaN, projections, simplification in metres and
 *                     geometries are refused with that message, and
 *                     nothing aborts.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr */
#endif
#include <link.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "geomention.h"
#include "tap.h"

typedef struct search {
  const char *name;
  int found;
} search;

static int has_object(struct dl_phdr_info *info, size_t size, void *arg)
{
  search *s = arg;
  (void)size;
  if (info->dlpi_name && strstr(info->dlpi_name, s->name))
    s->found = 1;
  return 0;
}

/* Whether a shared object whose path contains name is mapped here. */
static int loaded(const char *name)
{
  search s = {name, 0};
  dl_iterate_phdr(has_object, &s);
  return s.found;
}

static int proj_loaded(void)
{
  return loaded("/libproj.so");
}

static int geos_loaded(void)
{
  return loaded("/libgeos_c.so") || loaded("/libgeos.so");
}

static const char *square = "POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))";

/* One degree of longitude on the WGS84 equator is a * pi / 180 metres;
 * on a sphere of radius 6371 km it would be 111.195 km. */
#define EQUATOR_DEGREE_KM (6378137.0 * M_PI / 180 / 1000)

#if defined(GM_TEST_PROJ_MISSING) || defined(GM_TEST_GEOS_MISSING)

#ifdef GM_TEST_PROJ_MISSING
static void proj_missing(void)
{
  gm_error err = {0};
  gm__proj *p = (gm__proj *)1;
  gm__geo *geo = NULL;
  struct GEOSGeom_t *g;
  unsigned char *full = NULL, *simple = NULL;
  size_t full_len = 0, simple_len = 0;
  double bbox[4];
  gm__shape shape;
  gm__shape_options simplify = {.simplify_m = 1000, .precision = 6};

  ok(gm__proj_load(&err) == GM_EGEOMETRY, "gm__proj_load fails");
  ok(err.code == GM_EGEOMETRY &&
         strstr(err.message, "cannot load PROJ (" GM_PROJ_SONAME ")"),
     "the message names the library: %s", err.message);
  ok(strstr(err.message, "No such file") != NULL ||
         strstr(err.message, "cannot open") != NULL,
     "and gives the loader's reason");
  ok(strcmp(gm__proj_failure(), err.message) == 0,
     "gm__proj_failure says the same");
  ok(isnan(gm__geo_distance_km(0, 0, 0, 1)), "a distance is NaN");
  ok(gm__proj_aeqd_new(48, 37, &p) == GM_EGEOMETRY && p == NULL,
     "a projection is refused");
  ok(gm__proj_load(NULL) == GM_EGEOMETRY, "and stays refused");

  /* Simplifying in metres needs PROJ; GEOS is there. */
  if (!ok(gm__geo_new(&geo) == 0 && (g = gm__geo_from_wkt(geo, square)),
          "a geometry without PROJ"))
    return;
  ok(gm__geo_encode(geo, g, 0.01, &full, &full_len, &simple, &simple_len,
                    bbox) == 0,
     "its WKB");
  ok(gm__geo_shape(geo, full, full_len, &simplify, &shape) == GM_EGEOMETRY &&
         strstr(gm__geo_message(geo), "cannot load PROJ (" GM_PROJ_SONAME),
     "simplifying it in metres fails naming PROJ: %s",
     gm__geo_message(geo));
  gm__shape_free(&shape);
  free(full);
  free(simple);
  gm__geo_destroy(geo, g);
  gm__geo_free(geo);
}
#endif

#ifdef GM_TEST_GEOS_MISSING
static void geos_missing(void)
{
  gm__geo *geo = NULL;

  if (!ok(gm__geo_new(&geo) == 0 && geo, "gm__geo_new needs no GEOS"))
    return;
  ok(gm__geo_from_wkt(geo, square) == NULL, "a geometry is refused");
  ok(strstr(gm__geo_message(geo), "cannot load GEOS (" GM_GEOS_SONAME "): ") !=
         NULL,
     "the message names the library: %s", gm__geo_message(geo));
  ok(gm__geo_contains(geo, (const unsigned char *)"", 0, 0, 0) ==
         GM_EGEOMETRY,
     "a containment test is refused");
  gm__geo_free(geo);
}
#endif

int main(void)
{
  ok(!proj_loaded() && !geos_loaded(), "no libproj, no libgeos at start");
#ifdef GM_TEST_PROJ_MISSING
  proj_missing();
#endif
#ifdef GM_TEST_GEOS_MISSING
  geos_missing();
#endif
  return tap_done();
}

#else

typedef struct race {
  double lat, lon, km;
} race;

static void *distance_thread(void *arg)
{
  race *r = arg;
  r->km = gm__geo_distance_km(r->lat, r->lon, r->lat, r->lon + 1);
  return NULL;
}

/* Several threads ask for their first distance at the same moment: each
 * must see PROJ loaded once and get the geodesic. */
static void first_use_from_threads(void)
{
  enum { N = 8 };
  pthread_t t[N];
  race r[N];
  int started[N], n_started = 0, right = 0;

  for (int i = 0; i < N; i++) {
    r[i] = (race){.lat = 0, .lon = 10.0 * i, .km = -1};
    started[i] = pthread_create(&t[i], NULL, distance_thread, &r[i]) == 0;
  }
  for (int i = 0; i < N; i++)
    if (started[i]) {
      pthread_join(t[i], NULL);
      n_started++;
      right += fabs(r[i].km - EQUATOR_DEGREE_KM) < 1e-6;
    }
  ok(n_started > 1, "%d threads started", n_started);
  ok(right == n_started, "%d of %d first distances are one degree of the "
                         "WGS84 equator (%.6f km)",
     right, n_started, EQUATOR_DEGREE_KM);
}

/* Look name up; the number of candidates, and the distance of the one
 * with this geonameid (-2 when it is not among them). */
static size_t lookup(gm_gazetteer *gaz, const char *name,
                     const gm_lookup_options *opt, uint32_t geonameid,
                     double *distance_km)
{
  gm_candidate *c = NULL;
  size_t n = 0;
  gm_error err;
  gm_entry e;

  *distance_km = -2;
  if (gm_lookup(gaz, name, strlen(name), opt, &c, &n, &err))
    n = 0;
  for (size_t i = 0; i < n; i++)
    if (gm_gazetteer_entry(gaz, c[i].entry, &e) == 0 &&
        e.geonameid == geonameid)
      *distance_km = c[i].distance_km;
  free(c);
  return n;
}

static void projection(void)
{
  double xy[2] = {37.8, 48.0};
  gm__proj *p = NULL;
  int rc;

  if (!ok(gm__proj_aeqd_new(48.0, 37.8, &p) == 0 && p, "aeqd projection"))
    return;
  rc = gm__proj_trans(p, xy, 1, 2, 0);
  ok(rc == 0 && fabs(xy[0]) < 1e-6 && fabs(xy[1]) < 1e-6,
     "its centre projects to (0, 0): %g %g", xy[0], xy[1]);
  xy[0] = 1000;
  xy[1] = 0;
  rc = gm__proj_trans(p, xy, 1, 2, 1);
  ok(rc == 0 && fabs(xy[1] - 48.0) < 0.01 && xy[0] > 37.8 && xy[0] < 37.9,
     "1 km east of it is back in degrees: %.6f %.6f", xy[0], xy[1]);
  gm__proj_free(p);
}

static void geometry(void)
{
  gm__geo *geo = NULL;
  struct GEOSGeom_t *g;

  if (!ok(gm__geo_new(&geo) == 0 && geo, "gm__geo_new"))
    return;
  ok(!geos_loaded(), "no libgeos after gm__geo_new");
  g = gm__geo_from_wkt(geo, square);
  ok(g != NULL && geos_loaded(), "the first geometry loads GEOS");
  if (g) {
    double lat = 0, lon = 0;
    int rc = gm__geo_label_point(geo, g, &lat, &lon);
    ok(rc == 0 && fabs(lat - 0.5) < 1e-9 && fabs(lon - 0.5) < 1e-9,
       "the square's label point is its centre: %g %g", lat, lon);
  }
  gm__geo_destroy(geo, g);
  gm__geo_free(geo);
}

/* A parse whose caller gives no point to be near: the resolver's
 * distances are its own (gm__geo_arc_km), so PROJ stays out. */
/* A parser without options (no --near), or NULL, said. */
static gm_parser *plain_parser(gm_gazetteer *gaz)
{
  gm_parser *ps;
  gm_error err;

  if (!ok(gm_parser_new(gaz, NULL, &ps, &err) == 0, "a parser")) {
    diag("%s", err.message);
    return NULL;
  }
  return ps;
}

static void parse_without_near(gm_gazetteer *gaz)
{
  static const char text[] = "Shelling near Donetsk and Kramatorsk.";
  gm_parser *ps = plain_parser(gaz);
  gm_result *r;
  gm_error err;

  if (!ps)
    return;
  if (ok(gm_parse(ps, text, sizeof text - 1, &r, &err) == 0,
         "a parse without --near"))
    ok(gm_result_count(r) == 2, "finds %zu places", gm_result_count(r));
  gm_result_free(r);
  gm_parser_free(ps);
}

/* Caller-given spans, one not a name: put at the text's nearest place
 * or answered by the name inside by a distance from the chord, which
 * needs no PROJ. */
static void spans_without_near(gm_gazetteer *gaz)
{
  static const char text[] =
      "A strike hit the Kramatorsk Machine Works near Donetsk.";
  gm_span spans[] = {{17, 41}, {47, 54}};   /* the works, Donetsk */
  gm_parser *ps = plain_parser(gaz);
  gm_result *r;
  gm_error err;

  if (!ps)
    return;
  if (ok(gm_resolve_spans(ps, text, sizeof text - 1, spans, 2, &r, &err) ==
             0,
         "spans resolved without --near"))
    ok(gm_result_count(r) == 2 &&
           gm_result_mention(r, 0)->entry != GM_NO_ENTRY,
       "the works are put somewhere");
  gm_result_free(r);
  gm_parser_free(ps);
}

int main(void)
{
  const char *path = getenv("GEOMENTION_GAZETTEER");
  gm_lookup_options near = {.has_near = 1, .near_lat = 49.83826,
                            .near_lon = 24.02324}; /* Lviv */
  gm_gazetteer *gaz;
  gm_error err;
  double km;

  if (!path)
    return tap_skip_all("GEOMENTION_GAZETTEER is not set");
  /* When these fail, the executable was linked to PROJ or GEOS. */
  ok(!proj_loaded(), "no libproj in the process at start");
  ok(!geos_loaded(), "no libgeos in the process at start");
  if (!ok(gm_gazetteer_open(path, &gaz, &err) == 0, "open %s", path)) {
    diag("%s", err.message);
    return tap_done();
  }
  ok(lookup(gaz, "Kyiv", NULL, 703448, &km) > 0 && km == -1,
     "lookup Kyiv: 703448 among the candidates, no distance");
  ok(!proj_loaded(), "no libproj after open + lookup");
  ok(!geos_loaded(), "no libgeos after open + lookup");
  parse_without_near(gaz);
  ok(!proj_loaded(), "no libproj after a parse without --near");
  spans_without_near(gaz);
  ok(!proj_loaded(), "no libproj after caller-given spans without --near");

  first_use_from_threads();
  ok(proj_loaded(), "libproj is loaded after the first distance");
  ok(gm__proj_load(&err) == 0 && gm__proj_failure()[0] == '\0',
     "gm__proj_load succeeds, no failure recorded");
  ok(fabs(gm__geo_distance_km(0, 0, 1, 0) - 110.574389) < 1e-5,
     "one degree of the meridian at the equator: %.6f km",
     gm__geo_distance_km(0, 0, 1, 0));

  lookup(gaz, "Kyiv", &near, 703448, &km);
  ok(km > 460 && km < 475, "lookup Kyiv --near Lviv: 703448 at %.1f km", km);
  projection();
  geometry();
  gm_gazetteer_close(gaz);
  return tap_done();
}

#endif
