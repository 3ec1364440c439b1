/*
 * test_geo_proj.c — src/geo_proj.c loads PROJ on first use, not at exec.
 *
 * Built twice (tests/unit/meson.build):
 *   geo_proj          against the library: libproj is not in the process
 *                     at start, nor after gm_gazetteer_open + gm_lookup;
 *                     the first distances, asked by several threads at
 *                     once, load it and are WGS84 geodesics; a lookup
 *                     with --near and a local projection then work.
 *   geo_proj_missing  geo_proj.c compiled with GM_PROJ_SONAME naming a
 *                     library that does not exist: gm__proj_load fails
 *                     with a message naming it, distances are NaN and a
 *                     projection is refused, and nothing aborts.
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

static int has_proj(struct dl_phdr_info *info, size_t size, void *found)
{
  (void)size;
  if (info->dlpi_name && strstr(info->dlpi_name, "libproj.so"))
    *(int *)found = 1;
  return 0;
}

/* Whether a libproj is mapped in this process. */
static int proj_loaded(void)
{
  int found = 0;
  dl_iterate_phdr(has_proj, &found);
  return found;
}

/* One degree of longitude on the WGS84 equator is a * pi / 180 metres;
 * on a sphere of radius 6371 km it would be 111.195 km. */
#define EQUATOR_DEGREE_KM (6378137.0 * M_PI / 180 / 1000)

#ifdef GM_TEST_PROJ_MISSING

int main(void)
{
  gm_error err = {0};
  gm__proj *p = (gm__proj *)1;

  ok(!proj_loaded(), "no libproj in the process at start");
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

static void lookup(gm_gazetteer *gaz, const char *name,
                   const gm_lookup_options *opt, gm_entry *e,
                   double *distance_km)
{
  gm_candidate *c = NULL;
  size_t n = 0;
  gm_error err;

  e->geonameid = 0;
  *distance_km = -2;
  if (gm_lookup(gaz, name, strlen(name), opt, &c, &n, &err) == 0 && n > 0 &&
      gm_gazetteer_entry(gaz, c[0].entry, e) == 0)
    *distance_km = c[0].distance_km;
  free(c);
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

int main(void)
{
  const char *path = getenv("GEOMENTION_GAZETTEER");
  gm_lookup_options near = {.has_near = 1, .near_lat = 49.83826,
                            .near_lon = 24.02324}; /* Lviv */
  gm_gazetteer *gaz;
  gm_error err;
  gm_entry e;
  double km;

  if (!path)
    return tap_skip_all("GEOMENTION_GAZETTEER is not set");
  /* When this fails, the executable was linked to PROJ (DT_NEEDED). */
  ok(!proj_loaded(), "no libproj in the process at start");
  if (!ok(gm_gazetteer_open(path, &gaz, &err) == 0, "open %s", path)) {
    diag("%s", err.message);
    return tap_done();
  }
  lookup(gaz, "Kyiv", NULL, &e, &km);
  ok(e.geonameid == 703448, "lookup Kyiv: %u", e.geonameid);
  ok(!proj_loaded(), "no libproj after open + lookup");

  first_use_from_threads();
  ok(proj_loaded(), "libproj is loaded after the first distance");
  ok(gm__proj_load(&err) == 0 && gm__proj_failure()[0] == '\0',
     "gm__proj_load succeeds, no failure recorded");
  ok(fabs(gm__geo_distance_km(0, 0, 1, 0) - 110.574389) < 1e-5,
     "one degree of the meridian at the equator: %.6f km",
     gm__geo_distance_km(0, 0, 1, 0));

  lookup(gaz, "Kyiv", &near, &e, &km);
  ok(e.geonameid == 703448 && km > 460 && km < 475,
     "lookup Kyiv --near Lviv: %u at %.1f km", e.geonameid, km);
  projection();
  gm_gazetteer_close(gaz);
  return tap_done();
}

#endif
