/*
 * geo_proj.c — the ellipsoid and the circle of longitudes: geodesic
 * distance on WGS84 with PROJ's geodesic routines (Karney), never flat
 * degrees; local projections in metres for simplification; and the
 * smallest longitude interval holding a set of intervals, which is what a
 * bbox must be for a feature that straddles the antimeridian.
 *
 * PROJ is loaded with dlopen on first use, not linked: libproj brings in
 * some 40 shared objects (curl, TLS, SQLite, TIFF, ...) whose mapping and
 * relocation cost a fresh process about 10 ms, several times what opening
 * the gazetteer and a lookup cost (bench/GAZETTEER.md). A process that only
 * looks names up never maps it. proj.h and geodesic.h still give the
 * types and prototypes; GM_PROJ_SONAME (the versioned soname, found by
 * meson at configure time) names the library. The functions below are
 * called through the table `api`, filled once under pthread_once, which
 * also makes it visible to every thread that passes the same once.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geodesic.h>
#include <proj.h>

#include "geo.h"
#include "internal.h"

#ifndef GM_PROJ_SONAME
#error "GM_PROJ_SONAME (PROJ's versioned soname) is set by meson.build"
#endif

/* Every PROJ function this file calls. */
#define GM__PROJ_FUNCTIONS(X)                                              \
  X(geod_init)                                                             \
  X(geod_inverse)                                                          \
  X(proj_context_create)                                                   \
  X(proj_context_destroy)                                                  \
  X(proj_log_level)                                                        \
  X(proj_create)                                                           \
  X(proj_destroy)                                                          \
  X(proj_errno)                                                            \
  X(proj_errno_reset)                                                      \
  X(proj_trans_generic)                                                    \
  X(proj_torad)                                                            \
  X(proj_todeg)

static struct {
#define GM__PROJ_SLOT(name) __typeof__(name) *name;
  GM__PROJ_FUNCTIONS(GM__PROJ_SLOT)
#undef GM__PROJ_SLOT
} api;

static void *proj_lib;          /* NULL until PROJ is loaded */
static char proj_failure[400];  /* why it could not be, else "" */
static pthread_once_t proj_once = PTHREAD_ONCE_INIT;
static struct geod_geodesic wgs84;

static void load_proj(void)
{
#define GM__PROJ_SYMBOL(name) {#name, &api.name, sizeof api.name},
  static const gm__dl_symbol symbols[] = {GM__PROJ_FUNCTIONS(GM__PROJ_SYMBOL)};
#undef GM__PROJ_SYMBOL
  void *lib = gm__dl_load("PROJ", GM_PROJ_SONAME, symbols,
                          sizeof symbols / sizeof *symbols, proj_failure,
                          sizeof proj_failure);

  if (!lib)
    return;
  api.geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
  proj_lib = lib;
}

int gm__proj_load(gm_error *err)
{
  pthread_once(&proj_once, load_proj);
  if (!proj_lib)
    return gm__error(err, GM_EGEOMETRY, "%s", proj_failure);
  return 0;
}

const char *gm__proj_failure(void)
{
  pthread_once(&proj_once, load_proj);
  return proj_failure;
}

double gm__geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2)
{
  double s12 = 0;

  if (gm__proj_load(NULL))
    return NAN;
  api.geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  return s12 / 1000.0;
}

/* ---------------------------------------------------- longitude extents */

int gm__extent_add(gm__extent *e, double west, double south, double east,
                   double north)
{
  int first = e->n == 0;

  if (gm__grow(&e->lon, &e->cap, e->n + 2, sizeof *e->lon))
    return GM_ENOMEM;
  if (west > east) { /* already wraps: keep the two sides apart */
    e->lon[e->n][0] = west;
    e->lon[e->n++][1] = 180;
    west = -180;
  }
  e->lon[e->n][0] = west;
  e->lon[e->n++][1] = east;
  if (first || south < e->south)
    e->south = south;
  if (first || north > e->north)
    e->north = north;
  return 0;
}

static int by_west(const void *a, const void *b)
{
  const double *x = a, *y = b;
  return (x[0] > y[0]) - (x[0] < y[0]);
}

/*
 * Sort the intervals, and find the widest stretch of longitude that none
 * of them covers. The box is the rest of the circle. Only when that gap
 * is strictly wider than the one across the antimeridian, and than
 * GAP_MIN, does the box wrap, so ordinary features keep ordinary boxes.
 */
/* Narrower than a tenth of --precision 10's grid: no gap but two pieces
 * that meet, their shared edge a last bit apart after snapping. Without
 * it Antarctica (at --precision 2 --simplify 10) got the box
 * [-174.42,-90,-174.42,-60.52]: the whole circle but for 1e-14 degrees. */
#define GAP_MIN 1e-11
int gm__extent_bbox(gm__extent *e, double bbox[4])
{
  double reach, gap, west, east;

  if (e->n == 0)
    return GM_ENOTFOUND;
  qsort(e->lon, e->n, sizeof *e->lon, by_west);
  west = e->lon[0][0];
  reach = e->lon[0][1];
  for (size_t i = 1; i < e->n; i++)
    if (e->lon[i][1] > reach)
      reach = e->lon[i][1];
  east = reach;
  gap = (west + 360) - reach; /* the gap across the antimeridian */
  reach = e->lon[0][1];
  for (size_t i = 1; i < e->n; i++) {
    if (e->lon[i][0] - reach > gap && e->lon[i][0] - reach > GAP_MIN) {
      gap = e->lon[i][0] - reach;
      west = e->lon[i][0];
      east = reach;
    }
    if (e->lon[i][1] > reach)
      reach = e->lon[i][1];
  }
  bbox[0] = west;
  bbox[1] = e->south;
  bbox[2] = east;
  bbox[3] = e->north;
  return 0;
}

void gm__extent_free(gm__extent *e)
{
  free(e->lon);
  e->lon = NULL;
  e->n = e->cap = 0;
}

/* ----------------------------------------------------------- projection */

struct gm__proj {
  PJ_CONTEXT *ctx;
  PJ *pj;
};

int gm__proj_aeqd_new(double lat0, double lon0, gm__proj **out)
{
  gm__proj *p;
  char def[160];

  *out = NULL;
  if (gm__proj_load(NULL)) /* why: gm__proj_failure() */
    return GM_EGEOMETRY;
  if (!(p = calloc(1, sizeof *p)))
    return GM_ENOMEM;
  snprintf(def, sizeof def,
           "+proj=aeqd +lat_0=%.9f +lon_0=%.9f +ellps=WGS84 +units=m", lat0,
           lon0);
  /* The library never prints: PROJ's own log would go to stderr. */
  if (!(p->ctx = api.proj_context_create()))
    goto fail;
  api.proj_log_level(p->ctx, PJ_LOG_NONE);
  if (!(p->pj = api.proj_create(p->ctx, def)))
    goto fail;
  *out = p;
  return 0;
fail:
  gm__proj_free(p);
  return GM_EGEOMETRY;
}

int gm__proj_trans(gm__proj *p, double *xy, size_t n, size_t stride,
                   int inverse)
{
  size_t step = stride * sizeof *xy;

  /* A bare projection (not a CRS) works in radians on the angular side. */
  if (!inverse)
    for (size_t i = 0; i < n; i++) {
      xy[i * stride] = api.proj_torad(xy[i * stride]);
      xy[i * stride + 1] = api.proj_torad(xy[i * stride + 1]);
    }
  api.proj_errno_reset(p->pj);
  if (api.proj_trans_generic(p->pj, inverse ? PJ_INV : PJ_FWD, xy, step,
                             n, xy + 1, step, n, NULL, 0, 0, NULL, 0,
                             0) != n ||
      api.proj_errno(p->pj))
    return GM_EGEOMETRY;
  if (inverse)
    for (size_t i = 0; i < n; i++) {
      xy[i * stride] = api.proj_todeg(xy[i * stride]);
      xy[i * stride + 1] = api.proj_todeg(xy[i * stride + 1]);
    }
  for (size_t i = 0; i < n * stride; i += stride)
    if (!isfinite(xy[i]) || !isfinite(xy[i + 1]))
      return GM_EGEOMETRY;
  return 0;
}

void gm__proj_free(gm__proj *p)
{
  if (!p)
    return;
  if (p->pj)
    api.proj_destroy(p->pj);
  if (p->ctx)
    api.proj_context_destroy(p->ctx);
  free(p);
}
