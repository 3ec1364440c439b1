/*
 * geo_geos.c — polygons through GEOS: reading, repairing, union,
 * simplification, WKB, containment, and the shapes the GeoJSON writer
 * prints (cut at the antimeridian, simplified in metres, snapped to a
 * grid, oriented as RFC 7946 wants).
 *
 * Uses the re-entrant _r API only, one context per gm__geo, and routes
 * GEOS's messages into the gm__geo instead of stderr.
 *
 * GEOS is loaded with dlopen on first use, not linked, like PROJ in
 * geo_proj.c: libgeos_c brings libgeos, libstdc++ and some 7,000
 * relocations, about 3 ms of CPU for every fresh process, which a
 * lookup that prints only points never needs (bench/GAZETTEER.md).
 * geos_c.h still gives the types and prototypes; GM_GEOS_SONAME (found by
 * meson) names the library. A gm__geo's context is made on its first
 * geometry: every GEOSGeometry comes from gm__geo_from_wkt or
 * gm__geo_from_wkb, so those two load GEOS (through ready()) and every
 * other function, handed a geometry, finds it loaded.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "geo.h"
#include "internal.h"

#ifndef GM_GEOS_SONAME
#error "GM_GEOS_SONAME (libgeos_c's versioned soname) is set by meson.build"
#endif

/* Every GEOS function this file calls. */
#define GM__GEOS_FUNCTIONS(X)                                              \
  X(GEOS_finish_r)                                                         \
  X(GEOS_init_r)                                                           \
  X(GEOSContains_r)                                                        \
  X(GEOSContext_setErrorMessageHandler_r)                                  \
  X(GEOSContext_setNoticeMessageHandler_r)                                 \
  X(GEOSCoordSeq_copyFromBuffer_r)                                         \
  X(GEOSCoordSeq_copyToBuffer_r)                                           \
  X(GEOSCoordSeq_getSize_r)                                                \
  X(GEOSFree_r)                                                            \
  X(GEOSGeomGetX_r)                                                        \
  X(GEOSGeomGetY_r)                                                        \
  X(GEOSGeomTypeId_r)                                                      \
  X(GEOSGeom_clone_r)                                                      \
  X(GEOSGeom_createCollection_r)                                           \
  X(GEOSGeom_createLinearRing_r)                                           \
  X(GEOSGeom_createPointFromXY_r)                                          \
  X(GEOSGeom_createPolygon_r)                                              \
  X(GEOSGeom_createRectangle_r)                                            \
  X(GEOSGeom_destroy_r)                                                    \
  X(GEOSGeom_getCoordSeq_r)                                                \
  X(GEOSGeom_getXMax_r)                                                    \
  X(GEOSGeom_getXMin_r)                                                    \
  X(GEOSGeom_getYMax_r)                                                    \
  X(GEOSGeom_getYMin_r)                                                    \
  X(GEOSGeom_setPrecision_r)                                               \
  X(GEOSGetCentroid_r)                                                     \
  X(GEOSGetExteriorRing_r)                                                 \
  X(GEOSGetGeometryN_r)                                                    \
  X(GEOSGetInteriorRingN_r)                                                \
  X(GEOSGetNumGeometries_r)                                                \
  X(GEOSGetNumInteriorRings_r)                                             \
  X(GEOSIntersectionPrec_r)                                                \
  X(GEOSIntersection_r)                                                    \
  X(GEOSMakeValidParams_create_r)                                          \
  X(GEOSMakeValidParams_destroy_r)                                         \
  X(GEOSMakeValidParams_setKeepCollapsed_r)                                \
  X(GEOSMakeValidParams_setMethod_r)                                       \
  X(GEOSMakeValidWithParams_r)                                             \
  X(GEOSMakeValid_r)                                                       \
  X(GEOSPointOnSurface_r)                                                  \
  X(GEOSPrepare_r)                                                         \
  X(GEOSPreparedContains_r)                                                \
  X(GEOSPreparedGeom_destroy_r)                                            \
  X(GEOSTopologyPreserveSimplify_r)                                        \
  X(GEOSUnaryUnion_r)                                                      \
  X(GEOSWKBReader_create_r)                                                \
  X(GEOSWKBReader_destroy_r)                                               \
  X(GEOSWKBReader_read_r)                                                  \
  X(GEOSWKBWriter_create_r)                                                \
  X(GEOSWKBWriter_destroy_r)                                               \
  X(GEOSWKBWriter_setByteOrder_r)                                          \
  X(GEOSWKBWriter_write_r)                                                 \
  X(GEOSWKTReader_create_r)                                                \
  X(GEOSWKTReader_destroy_r)                                               \
  X(GEOSWKTReader_read_r)                                                  \
  X(GEOSisEmpty_r)                                                         \
  X(GEOSisValid_r)

static struct {
#define GM__GEOS_SLOT(name) __typeof__(name) *name;
  GM__GEOS_FUNCTIONS(GM__GEOS_SLOT)
#undef GM__GEOS_SLOT
} geos_api;

static void *geos_lib;          /* NULL until GEOS is loaded */
static char geos_failure[256];  /* why it could not be, else "" */
static pthread_once_t geos_once = PTHREAD_ONCE_INIT;

static void load_geos(void)
{
#define GM__GEOS_SYMBOL(name) {#name, &geos_api.name, sizeof geos_api.name},
  static const gm__dl_symbol symbols[] = {GM__GEOS_FUNCTIONS(GM__GEOS_SYMBOL)};
#undef GM__GEOS_SYMBOL

  geos_lib = gm__dl_load("GEOS", GM_GEOS_SONAME, symbols,
                         sizeof symbols / sizeof *symbols, geos_failure,
                         sizeof geos_failure);
}

/* From here on, each GEOS function's name calls it through its slot. */
#define GEOS_finish_r (*geos_api.GEOS_finish_r)
#define GEOS_init_r (*geos_api.GEOS_init_r)
#define GEOSContains_r (*geos_api.GEOSContains_r)
#define GEOSContext_setErrorMessageHandler_r                               \
  (*geos_api.GEOSContext_setErrorMessageHandler_r)
#define GEOSContext_setNoticeMessageHandler_r                              \
  (*geos_api.GEOSContext_setNoticeMessageHandler_r)
#define GEOSCoordSeq_copyFromBuffer_r (*geos_api.GEOSCoordSeq_copyFromBuffer_r)
#define GEOSCoordSeq_copyToBuffer_r (*geos_api.GEOSCoordSeq_copyToBuffer_r)
#define GEOSCoordSeq_getSize_r (*geos_api.GEOSCoordSeq_getSize_r)
#define GEOSFree_r (*geos_api.GEOSFree_r)
#define GEOSGeomGetX_r (*geos_api.GEOSGeomGetX_r)
#define GEOSGeomGetY_r (*geos_api.GEOSGeomGetY_r)
#define GEOSGeomTypeId_r (*geos_api.GEOSGeomTypeId_r)
#define GEOSGeom_clone_r (*geos_api.GEOSGeom_clone_r)
#define GEOSGeom_createCollection_r (*geos_api.GEOSGeom_createCollection_r)
#define GEOSGeom_createLinearRing_r (*geos_api.GEOSGeom_createLinearRing_r)
#define GEOSGeom_createPointFromXY_r (*geos_api.GEOSGeom_createPointFromXY_r)
#define GEOSGeom_createPolygon_r (*geos_api.GEOSGeom_createPolygon_r)
#define GEOSGeom_createRectangle_r (*geos_api.GEOSGeom_createRectangle_r)
#define GEOSGeom_destroy_r (*geos_api.GEOSGeom_destroy_r)
#define GEOSGeom_getCoordSeq_r (*geos_api.GEOSGeom_getCoordSeq_r)
#define GEOSGeom_getXMax_r (*geos_api.GEOSGeom_getXMax_r)
#define GEOSGeom_getXMin_r (*geos_api.GEOSGeom_getXMin_r)
#define GEOSGeom_getYMax_r (*geos_api.GEOSGeom_getYMax_r)
#define GEOSGeom_getYMin_r (*geos_api.GEOSGeom_getYMin_r)
#define GEOSGeom_setPrecision_r (*geos_api.GEOSGeom_setPrecision_r)
#define GEOSGetCentroid_r (*geos_api.GEOSGetCentroid_r)
#define GEOSGetExteriorRing_r (*geos_api.GEOSGetExteriorRing_r)
#define GEOSGetGeometryN_r (*geos_api.GEOSGetGeometryN_r)
#define GEOSGetInteriorRingN_r (*geos_api.GEOSGetInteriorRingN_r)
#define GEOSGetNumGeometries_r (*geos_api.GEOSGetNumGeometries_r)
#define GEOSGetNumInteriorRings_r (*geos_api.GEOSGetNumInteriorRings_r)
#define GEOSIntersectionPrec_r (*geos_api.GEOSIntersectionPrec_r)
#define GEOSIntersection_r (*geos_api.GEOSIntersection_r)
#define GEOSMakeValidParams_create_r (*geos_api.GEOSMakeValidParams_create_r)
#define GEOSMakeValidParams_destroy_r (*geos_api.GEOSMakeValidParams_destroy_r)
#define GEOSMakeValidParams_setKeepCollapsed_r                             \
  (*geos_api.GEOSMakeValidParams_setKeepCollapsed_r)
#define GEOSMakeValidParams_setMethod_r                                    \
  (*geos_api.GEOSMakeValidParams_setMethod_r)
#define GEOSMakeValidWithParams_r (*geos_api.GEOSMakeValidWithParams_r)
#define GEOSMakeValid_r (*geos_api.GEOSMakeValid_r)
#define GEOSPointOnSurface_r (*geos_api.GEOSPointOnSurface_r)
#define GEOSPrepare_r (*geos_api.GEOSPrepare_r)
#define GEOSPreparedContains_r (*geos_api.GEOSPreparedContains_r)
#define GEOSPreparedGeom_destroy_r (*geos_api.GEOSPreparedGeom_destroy_r)
#define GEOSTopologyPreserveSimplify_r                                     \
  (*geos_api.GEOSTopologyPreserveSimplify_r)
#define GEOSUnaryUnion_r (*geos_api.GEOSUnaryUnion_r)
#define GEOSWKBReader_create_r (*geos_api.GEOSWKBReader_create_r)
#define GEOSWKBReader_destroy_r (*geos_api.GEOSWKBReader_destroy_r)
#define GEOSWKBReader_read_r (*geos_api.GEOSWKBReader_read_r)
#define GEOSWKBWriter_create_r (*geos_api.GEOSWKBWriter_create_r)
#define GEOSWKBWriter_destroy_r (*geos_api.GEOSWKBWriter_destroy_r)
#define GEOSWKBWriter_setByteOrder_r (*geos_api.GEOSWKBWriter_setByteOrder_r)
#define GEOSWKBWriter_write_r (*geos_api.GEOSWKBWriter_write_r)
#define GEOSWKTReader_create_r (*geos_api.GEOSWKTReader_create_r)
#define GEOSWKTReader_destroy_r (*geos_api.GEOSWKTReader_destroy_r)
#define GEOSWKTReader_read_r (*geos_api.GEOSWKTReader_read_r)
#define GEOSisEmpty_r (*geos_api.GEOSisEmpty_r)
#define GEOSisValid_r (*geos_api.GEOSisValid_r)

struct gm__geo {
  GEOSContextHandle_t ctx;
  GEOSWKTReader *wkt;
  GEOSWKBReader *wkb_in;
  GEOSWKBWriter *wkb_out;
  int status;          /* why the last shape operation failed, or 0 */
  char message[256];
};

static void on_message(const char *msg, void *arg)
{
  gm__geo *g = arg;
  snprintf(g->message, sizeof g->message, "%s", msg);
}

int gm__geo_new(gm__geo **out)
{
  *out = calloc(1, sizeof **out);
  return *out ? 0 : GM_ENOMEM;
}

/* Back to a context-less gm__geo: what ready() made, undone. */
static void teardown(gm__geo *g)
{
  if (!g->ctx)
    return;
  if (g->wkt)
    GEOSWKTReader_destroy_r(g->ctx, g->wkt);
  if (g->wkb_in)
    GEOSWKBReader_destroy_r(g->ctx, g->wkb_in);
  if (g->wkb_out)
    GEOSWKBWriter_destroy_r(g->ctx, g->wkb_out);
  GEOS_finish_r(g->ctx);
  g->ctx = NULL;
  g->wkt = NULL;
  g->wkb_in = NULL;
  g->wkb_out = NULL;
}

/* GEOS loaded and g's context made, or GM_EGEOMETRY / GM_ENOMEM with the
 * reason in g->message. */
static int ready(gm__geo *g)
{
  if (g->ctx)
    return 0;
  pthread_once(&geos_once, load_geos);
  if (!geos_lib) {
    snprintf(g->message, sizeof g->message, "%s", geos_failure);
    return GM_EGEOMETRY;
  }
  if (!(g->ctx = GEOS_init_r()))
    goto fail;
  GEOSContext_setErrorMessageHandler_r(g->ctx, on_message, g);
  GEOSContext_setNoticeMessageHandler_r(g->ctx, NULL, NULL);
  g->wkt = GEOSWKTReader_create_r(g->ctx);
  g->wkb_in = GEOSWKBReader_create_r(g->ctx);
  g->wkb_out = GEOSWKBWriter_create_r(g->ctx);
  if (!g->wkt || !g->wkb_in || !g->wkb_out)
    goto fail;
  GEOSWKBWriter_setByteOrder_r(g->ctx, g->wkb_out, GEOS_WKB_NDR);
  return 0;
fail:
  teardown(g);
  snprintf(g->message, sizeof g->message, "GEOS: out of memory");
  return GM_ENOMEM;
}

void gm__geo_free(gm__geo *g)
{
  if (!g)
    return;
  teardown(g);
  free(g);
}

const char *gm__geo_message(const gm__geo *g)
{
  return g->message;
}

static GEOSGeometry *valid(gm__geo *g, GEOSGeometry *geom)
{
  GEOSGeometry *fixed;

  if (!geom || GEOSisValid_r(g->ctx, geom) == 1)
    return geom;
  fixed = GEOSMakeValid_r(g->ctx, geom);
  GEOSGeom_destroy_r(g->ctx, geom);
  return fixed;
}

GEOSGeometry *gm__geo_from_wkt(gm__geo *g, const char *wkt)
{
  if (ready(g))
    return NULL;
  return valid(g, GEOSWKTReader_read_r(g->ctx, g->wkt, wkt));
}

GEOSGeometry *gm__geo_from_wkb(gm__geo *g, const unsigned char *wkb,
                               size_t len)
{
  if (ready(g))
    return NULL;
  return GEOSWKBReader_read_r(g->ctx, g->wkb_in, wkb, len);
}

void gm__geo_destroy(gm__geo *g, GEOSGeometry *geom)
{
  if (geom)
    GEOSGeom_destroy_r(g->ctx, geom);
}

GEOSGeometry *gm__geo_union(gm__geo *g, GEOSGeometry *const *parts, size_t n)
{
  GEOSGeometry **clones = calloc(n ? n : 1, sizeof *clones);
  GEOSGeometry *all, *u = NULL;
  size_t i;

  if (!clones || n == 0 || n > 0x7fffffff) {
    free(clones);
    return NULL;
  }
  for (i = 0; i < n; i++)
    if (!(clones[i] = GEOSGeom_clone_r(g->ctx, parts[i])))
      goto done;
  all = GEOSGeom_createCollection_r(g->ctx, GEOS_GEOMETRYCOLLECTION, clones,
                                    (unsigned)n);
  if (!all)
    goto done;
  i = 0; /* the collection owns the clones now */
  u = valid(g, GEOSUnaryUnion_r(g->ctx, all));
  GEOSGeom_destroy_r(g->ctx, all);
  free(clones);
  return u;
done:
  while (i > 0)
    GEOSGeom_destroy_r(g->ctx, clones[--i]);
  free(clones);
  return NULL;
}

static int to_wkb(gm__geo *g, const GEOSGeometry *geom, unsigned char **out,
                  size_t *len)
{
  unsigned char *w = GEOSWKBWriter_write_r(g->ctx, g->wkb_out, geom, len);

  *out = NULL;
  if (!w)
    return GM_EGEOMETRY;
  *out = malloc(*len);
  if (*out)
    memcpy(*out, w, *len);
  GEOSFree_r(g->ctx, w);
  return *out ? 0 : GM_ENOMEM;
}

int gm__geo_encode(gm__geo *g, const GEOSGeometry *geom, double tolerance,
                   unsigned char **full, size_t *full_len,
                   unsigned char **simple, size_t *simple_len,
                   double bbox[4])
{
  GEOSGeometry *s;
  int rc;

  *full = *simple = NULL;
  if (GEOSGeom_getXMin_r(g->ctx, geom, &bbox[0]) != 1 ||
      GEOSGeom_getYMin_r(g->ctx, geom, &bbox[1]) != 1 ||
      GEOSGeom_getXMax_r(g->ctx, geom, &bbox[2]) != 1 ||
      GEOSGeom_getYMax_r(g->ctx, geom, &bbox[3]) != 1)
    return GM_EGEOMETRY;
  rc = to_wkb(g, geom, full, full_len);
  if (rc)
    return rc;
  s = GEOSTopologyPreserveSimplify_r(g->ctx, geom, tolerance);
  if (!s)
    return GM_EGEOMETRY;
  rc = to_wkb(g, s, simple, simple_len);
  GEOSGeom_destroy_r(g->ctx, s);
  return rc;
}

int gm__geo_contains(gm__geo *g, const unsigned char *wkb, size_t len,
                     double lon, double lat)
{
  GEOSGeometry *poly = gm__geo_from_wkb(g, wkb, len), *pt;
  char r;

  if (!poly)
    return GM_EGEOMETRY;
  pt = GEOSGeom_createPointFromXY_r(g->ctx, lon, lat);
  if (!pt) {
    GEOSGeom_destroy_r(g->ctx, poly);
    return GM_EGEOMETRY;
  }
  r = GEOSContains_r(g->ctx, poly, pt);
  GEOSGeom_destroy_r(g->ctx, pt);
  GEOSGeom_destroy_r(g->ctx, poly);
  return r == 2 ? GM_EGEOMETRY : r;
}

int gm__geo_label_point(gm__geo *g, const GEOSGeometry *geom, double *lat,
                        double *lon)
{
  GEOSGeometry *p = GEOSGetCentroid_r(g->ctx, geom);
  int rc = GM_EGEOMETRY;

  if (p && GEOSContains_r(g->ctx, geom, p) != 1) {
    GEOSGeom_destroy_r(g->ctx, p);
    p = GEOSPointOnSurface_r(g->ctx, geom);
  }
  if (p && GEOSGeomGetX_r(g->ctx, p, lon) == 1 &&
      GEOSGeomGetY_r(g->ctx, p, lat) == 1)
    rc = 0;
  if (p)
    GEOSGeom_destroy_r(g->ctx, p);
  return rc;
}

gm__geo_prepared *gm__geo_prepare(gm__geo *g, const GEOSGeometry *geom)
{
  return (gm__geo_prepared *)GEOSPrepare_r(g->ctx, geom);
}

int gm__geo_prepared_contains(gm__geo *g, const gm__geo_prepared *pg,
                              double lon, double lat)
{
  /* GEOSPreparedContainsXY_r needs GEOS 3.12; Debian 12 has 3.11. */
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->ctx, lon, lat);
  char r;

  if (!pt)
    return GM_EGEOMETRY;
  r = GEOSPreparedContains_r(g->ctx, (const GEOSPreparedGeometry *)pg, pt);
  GEOSGeom_destroy_r(g->ctx, pt);
  return r == 2 ? GM_EGEOMETRY : r;
}

void gm__geo_prepared_free(gm__geo *g, gm__geo_prepared *pg)
{
  if (pg)
    GEOSPreparedGeom_destroy_r(g->ctx, (const GEOSPreparedGeometry *)pg);
}

/* ------------------------------------------------------ output geometry */

/* Polygons on their way into one MultiPolygon; the array owns them. */
typedef struct parts {
  GEOSGeometry **v;
  size_t n, cap;
} parts;

static void parts_free(gm__geo *g, parts *p)
{
  for (size_t i = 0; i < p->n; i++)
    GEOSGeom_destroy_r(g->ctx, p->v[i]);
  free(p->v);
  memset(p, 0, sizeof *p);
}

static int fail(gm__geo *g, int status)
{
  if (!g->status)
    g->status = status;
  return status;
}

/* Keep copies of the non-empty polygons of geom, at any depth. */
static int parts_add(gm__geo *g, parts *p, const GEOSGeometry *geom)
{
  int type = GEOSGeomTypeId_r(g->ctx, geom), n;
  GEOSGeometry *copy;

  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(g->ctx, geom))
      return 0;
    if (gm__grow(&p->v, &p->cap, p->n + 1, sizeof *p->v))
      return fail(g, GM_ENOMEM);
    if (!(copy = GEOSGeom_clone_r(g->ctx, geom)))
      return fail(g, GM_EGEOMETRY);
    p->v[p->n++] = copy;
    return 0;
  }
  if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
    return 0; /* lines and points left over by an overlay */
  n = GEOSGetNumGeometries_r(g->ctx, geom);
  for (int i = 0; i < n; i++)
    if (parts_add(g, p, GEOSGetGeometryN_r(g->ctx, geom, i)))
      return g->status;
  return 0;
}

/* parts_add, then destroy geom (NULL is a failure already recorded). */
static int parts_take(gm__geo *g, parts *p, GEOSGeometry *geom)
{
  int rc;

  if (!geom)
    return fail(g, GM_EGEOMETRY);
  rc = parts_add(g, p, geom);
  GEOSGeom_destroy_r(g->ctx, geom);
  return rc;
}

/* One MultiPolygon of the parts, which it takes; p is left empty. */
static GEOSGeometry *parts_build(gm__geo *g, parts *p)
{
  GEOSGeometry *multi;

  if (p->n > 0x7fffffff) {
    fail(g, GM_ELIMIT);
    return NULL;
  }
  multi = GEOSGeom_createCollection_r(g->ctx, GEOS_MULTIPOLYGON, p->v,
                                      (unsigned)p->n);
  if (!multi)
    fail(g, GM_EGEOMETRY);
  /* Ownership of the polygons passes with the call (geos_c.h); after a
   * failure it is unclear who freed them, so leak rather than free twice. */
  free(p->v);
  memset(p, 0, sizeof *p);
  return multi;
}

/* The positions of a ring as x, y, z triples (z NaN when it has none). */
static double *ring_xyz(gm__geo *g, const GEOSGeometry *ring, size_t *n)
{
  const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(g->ctx, ring);
  unsigned size = 0;
  double *xyz;

  if (!seq || !GEOSCoordSeq_getSize_r(g->ctx, seq, &size)) {
    fail(g, GM_EGEOMETRY);
    return NULL;
  }
  if (!(xyz = malloc((size ? size : 1) * 3 * sizeof *xyz))) {
    fail(g, GM_ENOMEM);
    return NULL;
  }
  if (!GEOSCoordSeq_copyToBuffer_r(g->ctx, seq, xyz, 1, 0)) {
    free(xyz);
    fail(g, GM_EGEOMETRY);
    return NULL;
  }
  *n = size;
  return xyz;
}

/* A ring of x, y, z triples, keeping z only when asked (in place). */
static GEOSGeometry *ring_build(gm__geo *g, double *xyz, size_t n, int keep_z)
{
  GEOSCoordSequence *seq;
  GEOSGeometry *ring;

  if (!keep_z)
    for (size_t i = 0; i < n; i++) {
      xyz[2 * i] = xyz[3 * i];
      xyz[2 * i + 1] = xyz[3 * i + 1];
    }
  seq = GEOSCoordSeq_copyFromBuffer_r(g->ctx, xyz, (unsigned)n, keep_z, 0);
  ring = seq ? GEOSGeom_createLinearRing_r(g->ctx, seq) : NULL;
  if (!ring)
    fail(g, GM_EGEOMETRY);
  return ring;
}

/* Rewrite the positions of one ring in place; ring 0 is the exterior. */
typedef int (*ring_fn)(double *xyz, size_t n, size_t ring, void *arg);

/* A copy of a polygon whose rings went through fn. */
static GEOSGeometry *polygon_map(gm__geo *g, const GEOSGeometry *poly,
                                 ring_fn fn, void *arg, int keep_z)
{
  int holes = GEOSGetNumInteriorRings_r(g->ctx, poly), done = 0;
  GEOSGeometry **ring = calloc((size_t)(holes > 0 ? holes : 0) + 1,
                               sizeof *ring), *out = NULL;

  if (holes < 0 || !ring) {
    fail(g, ring ? GM_EGEOMETRY : GM_ENOMEM);
    goto done;
  }
  for (; done <= holes; done++) {
    const GEOSGeometry *src =
        done ? GEOSGetInteriorRingN_r(g->ctx, poly, done - 1)
             : GEOSGetExteriorRing_r(g->ctx, poly);
    size_t n = 0;
    double *xyz = src ? ring_xyz(g, src, &n) : NULL;
    int rc = xyz ? fn(xyz, n, (size_t)done, arg) : fail(g, GM_EGEOMETRY);
    ring[done] = rc ? NULL : ring_build(g, xyz, n, keep_z);
    free(xyz);
    if (rc)
      fail(g, rc);
    if (!ring[done])
      goto done;
  }
  /* The rings pass to GEOS with the call (not the array); after a
   * failure, leak rather than risk freeing them twice. */
  out = GEOSGeom_createPolygon_r(g->ctx, ring[0], ring + 1, (unsigned)holes);
  done = 0;
  if (!out)
    fail(g, GM_EGEOMETRY);
done:
  while (done > 0)
    GEOSGeom_destroy_r(g->ctx, ring[--done]);
  free(ring);
  return out;
}

/* Call fn on every non-empty polygon of geom, at any depth. */
typedef int (*polygon_fn)(gm__geo *g, const GEOSGeometry *poly, void *arg);

static int each_polygon(gm__geo *g, const GEOSGeometry *geom, polygon_fn fn,
                        void *arg)
{
  int type = GEOSGeomTypeId_r(g->ctx, geom), n, rc;

  if (type == GEOS_POLYGON)
    return GEOSisEmpty_r(g->ctx, geom) ? 0 : fn(g, geom, arg);
  if (type != GEOS_MULTIPOLYGON && type != GEOS_GEOMETRYCOLLECTION)
    return 0;
  n = GEOSGetNumGeometries_r(g->ctx, geom);
  for (int i = 0; i < n; i++)
    if ((rc = each_polygon(g, GEOSGetGeometryN_r(g->ctx, geom, i), fn, arg)))
      return rc;
  return 0;
}

typedef struct map_arg {
  parts out;
  ring_fn fn;
  void *arg;
  int keep_z;
} map_arg;

static int map_one(gm__geo *g, const GEOSGeometry *poly, void *arg)
{
  map_arg *m = arg;
  return parts_take(g, &m->out, polygon_map(g, poly, m->fn, m->arg, m->keep_z));
}

/* A MultiPolygon of the polygons of geom, each ring through fn. */
static GEOSGeometry *geom_map(gm__geo *g, const GEOSGeometry *geom,
                              ring_fn fn, void *arg, int keep_z)
{
  map_arg m = {.fn = fn, .arg = arg, .keep_z = keep_z};
  GEOSGeometry *out = NULL;

  if (each_polygon(g, geom, map_one, &m) == 0)
    out = parts_build(g, &m.out);
  parts_free(g, &m.out);
  return out;
}

static int shift_ring(double *xyz, size_t n, size_t ring, void *arg)
{
  double dx = *(const double *)arg;
  (void)ring;
  for (size_t i = 0; i < n; i++)
    xyz[3 * i] += dx;
  return 0;
}

/* The part of poly between two meridians, moved east by shift degrees. */
static int clip(gm__geo *g, parts *out, const GEOSGeometry *poly,
                double west, double east, double shift)
{
  GEOSGeometry *box = GEOSGeom_createRectangle_r(g->ctx, west, -90, east, 90);
  GEOSGeometry *piece = box ? GEOSIntersection_r(g->ctx, poly, box) : NULL;
  GEOSGeometry *moved;

  if (box)
    GEOSGeom_destroy_r(g->ctx, box);
  if (!piece || shift == 0)
    return parts_take(g, out, piece);
  moved = geom_map(g, piece, shift_ring, &shift, 0);
  GEOSGeom_destroy_r(g->ctx, piece);
  return parts_take(g, out, moved);
}

static int envelope(gm__geo *g, const GEOSGeometry *geom, double *west,
                    double *east)
{
  return GEOSGeom_getXMin_r(g->ctx, geom, west) == 1 &&
                 GEOSGeom_getXMax_r(g->ctx, geom, east) == 1
             ? 0
             : fail(g, GM_EGEOMETRY);
}

/* Whether a ring jumps across the antimeridian between two positions.
 * An edge along a pole (from (180, -90) to (-180, -90)) does not. */
static int ring_wraps(const double *xyz, size_t n)
{
  for (size_t i = 1; i < n; i++)
    if (fabs(xyz[3 * i] - xyz[3 * i - 3]) > 180 &&
        !(fabs(xyz[3 * i + 1]) == 90 && fabs(xyz[3 * i - 2]) == 90))
      return 1;
  return 0;
}

typedef struct halve_arg {
  parts out;
  double grid;
} halve_arg;

typedef struct unwrap_arg {
  double west, east; /* of the unwrapped exterior */
  int open;          /* the exterior went round a pole: cannot unwrap */
} unwrap_arg;

/* Make longitudes continuous (179, 181 rather than 179, -179); holes
 * move by whole turns to sit inside their exterior. */
static int unwrap_ring(double *xyz, size_t n, size_t ring, void *arg)
{
  unwrap_arg *u = arg;
  double prev = xyz[0], shift = 0, turn = 0;

  for (size_t i = 1; i < n; i++) {
    double x = xyz[3 * i], d = x - prev;
    prev = x;
    shift += d > 180 ? -360 : d < -180 ? 360 : 0;
    xyz[3 * i] = x + shift;
  }
  if (ring == 0) {
    u->open = n > 0 && xyz[3 * (n - 1)] != xyz[0];
    u->west = u->east = xyz[0];
    for (size_t i = 1; i < n; i++) {
      u->west = fmin(u->west, xyz[3 * i]);
      u->east = fmax(u->east, xyz[3 * i]);
    }
    return 0;
  }
  if (n && xyz[0] < u->west)
    turn = 360;
  else if (n && xyz[0] > u->east)
    turn = -360;
  return turn != 0 ? shift_ring(xyz, n, ring, &turn) : 0;
}

/* Cut an unwrapped polygon at every antimeridian it crosses and bring
 * each piece back into [-180, 180]. */
static int cut_unwrapped(gm__geo *g, parts *out, const GEOSGeometry *poly)
{
  double west, east;
  parts pieces = {0};
  int rc = 0;

  if (envelope(g, poly, &west, &east))
    return g->status;
  for (double k = floor((west + 180) / 360); k * 360 - 180 < east && !rc;
       k++)
    rc = clip(g, &pieces, poly, k * 360 - 180, k * 360 + 180, -k * 360);
  for (size_t i = 0; i < pieces.n && !rc; i++)
    rc = parts_add(g, out, pieces.v[i]);
  parts_free(g, &pieces);
  return rc;
}

typedef struct cut_arg {
  parts out;
  int cut; /* a polygon crossed the antimeridian */
} cut_arg;

static int cut_polygon(gm__geo *g, const GEOSGeometry *poly, void *arg)
{
  cut_arg *c = arg;
  const GEOSGeometry *shell = GEOSGetExteriorRing_r(g->ctx, poly);
  unwrap_arg u = {0};
  GEOSGeometry *unwrapped;
  size_t n = 0;
  double *xyz = shell ? ring_xyz(g, shell, &n) : NULL;
  int wraps, rc;

  if (!xyz)
    return fail(g, GM_EGEOMETRY);
  wraps = ring_wraps(xyz, n);
  free(xyz);
  if (!wraps)
    return parts_add(g, &c->out, poly);
  if (!(unwrapped = polygon_map(g, poly, unwrap_ring, &u, 0)))
    return g->status;
  c->cut = 1;
  /* A ring round a pole has no unwrapped form; keep it as it came. */
  if (u.open)
    rc = parts_add(g, &c->out, poly);
  else
    rc = cut_unwrapped(g, &c->out, unwrapped);
  GEOSGeom_destroy_r(g->ctx, unwrapped);
  return rc;
}

/* geom's polygons as one MultiPolygon, cut at the antimeridian; *cut
 * tells whether any polygon crossed it (else the same polygons, the
 * empty ones left out). */
static GEOSGeometry *cut_antimeridian(gm__geo *g, const GEOSGeometry *geom,
                                      int *cut)
{
  cut_arg c = {0};
  GEOSGeometry *multi = NULL;

  if (each_polygon(g, geom, cut_polygon, &c) == 0)
    multi = parts_build(g, &c.out);
  parts_free(g, &c.out);
  *cut = c.cut;
  return multi;
}

/*
 * A polygon more than 180 degrees wide (Natural Earth's Antarctica runs
 * from -180 to 180 and along the pole) is cut at the prime meridian too,
 * so that no ring of the output spans more than half the globe and
 * readers that guess "crosses the antimeridian" from the width of a ring
 * guess right. This runs after snapping (a snapped union would weld the
 * halves again), so the cut is made on the same grid.
 */
static int halve_polygon(gm__geo *g, const GEOSGeometry *poly, void *arg)
{
  halve_arg *h = arg;
  double west, east;
  int rc = 0;

  if (envelope(g, poly, &west, &east))
    return g->status;
  if (east - west <= 180)
    return parts_add(g, &h->out, poly);
  for (int half = 0; half < 2 && !rc; half++) {
    GEOSGeometry *box = GEOSGeom_createRectangle_r(
        g->ctx, half ? 0 : west, -90, half ? east : 0, 90);
    rc = parts_take(g, &h->out, box ? GEOSIntersectionPrec_r(g->ctx, poly, box,
                                                             h->grid)
                                    : NULL);
    gm__geo_destroy(g, box);
  }
  return rc;
}

static GEOSGeometry *halve_wide(gm__geo *g, const GEOSGeometry *geom,
                                double grid)
{
  halve_arg h = {.grid = grid};
  GEOSGeometry *multi = NULL;

  if (each_polygon(g, geom, halve_polygon, &h) == 0)
    multi = parts_build(g, &h.out);
  parts_free(g, &h.out);
  return multi;
}

/*
 * Simplification in metres. The polygons go into a local azimuthal
 * equidistant projection centred on their box, with each position's
 * index in z; GEOS simplifies there (Douglas-Peucker keeps a subset of
 * the positions and their z), and the kept positions come back exactly
 * as they were, so nothing drifts off the antimeridian or the pole.
 */
typedef struct simplify_arg {
  gm__proj *proj;
  double *lonlat;
  size_t n, cap;
} simplify_arg;

static int to_metres(double *xyz, size_t n, size_t ring, void *arg)
{
  simplify_arg *s = arg;
  (void)ring;
  if (gm__grow(&s->lonlat, &s->cap, s->n + n, 2 * sizeof *s->lonlat))
    return GM_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    s->lonlat[2 * (s->n + i)] = xyz[3 * i];
    s->lonlat[2 * (s->n + i) + 1] = xyz[3 * i + 1];
    xyz[3 * i + 2] = (double)(s->n + i);
  }
  s->n += n;
  return gm__proj_trans(s->proj, xyz, n, 3, 0);
}

static int to_degrees(double *xyz, size_t n, size_t ring, void *arg)
{
  simplify_arg *s = arg;
  (void)ring;
  for (size_t i = 0; i < n; i++) {
    double z = xyz[3 * i + 2];
    int rc;
    if (z >= 0 && z < (double)s->n && z == floor(z)) {
      xyz[3 * i] = s->lonlat[2 * (size_t)z];
      xyz[3 * i + 1] = s->lonlat[2 * (size_t)z + 1];
    } else if ((rc = gm__proj_trans(s->proj, xyz + 3 * i, 1, 3, 1))) {
      return rc; /* a position GEOS made up: project it back */
    }
  }
  return 0;
}

static int add_envelope(gm__geo *g, const GEOSGeometry *poly, void *arg)
{
  double w, s, e, n;

  if (GEOSGeom_getXMin_r(g->ctx, poly, &w) != 1 ||
      GEOSGeom_getYMin_r(g->ctx, poly, &s) != 1 ||
      GEOSGeom_getXMax_r(g->ctx, poly, &e) != 1 ||
      GEOSGeom_getYMax_r(g->ctx, poly, &n) != 1)
    return fail(g, GM_EGEOMETRY);
  return gm__extent_add(arg, w, s, e, n) ? fail(g, GM_ENOMEM) : 0;
}

/* The centre of the smallest box, which may straddle the antimeridian. */
static int centre(gm__geo *g, const GEOSGeometry *geom, double *lat,
                  double *lon)
{
  gm__extent e = {0};
  double box[4];
  int rc = each_polygon(g, geom, add_envelope, &e);

  if (!rc && gm__extent_bbox(&e, box))
    rc = fail(g, GM_EGEOMETRY);
  gm__extent_free(&e);
  if (rc)
    return rc;
  *lat = (box[1] + box[3]) / 2;
  *lon = (box[0] + box[2] + (box[0] > box[2] ? 360 : 0)) / 2;
  if (*lon > 180)
    *lon -= 360;
  return 0;
}

static GEOSGeometry *simplify_metres(gm__geo *g, const GEOSGeometry *geom,
                                     double metres)
{
  simplify_arg s = {0};
  GEOSGeometry *projected = NULL, *simple = NULL, *out = NULL;
  double lat, lon;
  int rc;

  if (centre(g, geom, &lat, &lon))
    return NULL;
  if ((rc = gm__proj_aeqd_new(lat, lon, &s.proj))) {
    if (*gm__proj_failure()) /* PROJ could not be loaded: say why */
      snprintf(g->message, sizeof g->message, "%s", gm__proj_failure());
    fail(g, rc);
    return NULL;
  }
  if ((projected = geom_map(g, geom, to_metres, &s, 1)) &&
      !(simple = GEOSTopologyPreserveSimplify_r(g->ctx, projected, metres)))
    fail(g, GM_EGEOMETRY);
  if (simple)
    out = geom_map(g, simple, to_degrees, &s, 0);
  gm__geo_destroy(g, projected);
  gm__geo_destroy(g, simple);
  gm__proj_free(s.proj);
  free(s.lonlat);
  return out;
}

/*
 * Repair for output: the "structure" method of MakeValid keeps areas as
 * they were meant (shells minus holes) and is about twice as fast as the
 * default on big composite regions. Takes geom. *valid says whether GEOS
 * found a Polygon or MultiPolygon valid as it came (validity checks are
 * the writer's largest cost; see gm__geo_shape).
 */
static GEOSGeometry *repair(gm__geo *g, GEOSGeometry *geom, int *valid)
{
  GEOSMakeValidParams *params;
  GEOSGeometry *fixed = NULL;
  int type;

  *valid = 0;
  if (!geom)
    return NULL;
  if (GEOSisValid_r(g->ctx, geom) == 1) {
    type = GEOSGeomTypeId_r(g->ctx, geom);
    *valid = type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON;
    return geom;
  }
  params = GEOSMakeValidParams_create_r(g->ctx);
  if (params &&
      GEOSMakeValidParams_setMethod_r(g->ctx, params,
                                      GEOS_MAKE_VALID_STRUCTURE) &&
      GEOSMakeValidParams_setKeepCollapsed_r(g->ctx, params, 0))
    fixed = GEOSMakeValidWithParams_r(g->ctx, geom, params);
  if (params)
    GEOSMakeValidParams_destroy_r(g->ctx, params);
  GEOSGeom_destroy_r(g->ctx, geom);
  return fixed;
}

/*
 * Positions onto the grid. Rounding each position alone is several times
 * faster than GEOS's snap-rounding (which nodes and unions everything)
 * and nearly always leaves the polygons valid at fine grids; when it does
 * not (a sliver collapsed, two rings now cross), snap-round properly.
 */
static GEOSGeometry *snap(gm__geo *g, const GEOSGeometry *geom, double grid)
{
  GEOSGeometry *fast = GEOSGeom_setPrecision_r(g->ctx, geom, grid,
                                               GEOS_PREC_NO_TOPO);
  GEOSGeometry *snapped;
  int valid;

  if (fast && GEOSisValid_r(g->ctx, fast) == 1)
    return fast;
  snapped = GEOSGeom_setPrecision_r(g->ctx, geom, grid,
                                    GEOS_PREC_VALID_OUTPUT);
  if (snapped || !fast) {
    gm__geo_destroy(g, fast);
    return snapped;
  }
  /* GEOS 3.11's snap-rounding can throw on a coarse grid (Kazakhstan in
   * full detail at --precision 0: "side location conflict"); the rounded
   * positions, repaired and snap-rounded again, are noded already. */
  fast = repair(g, fast, &valid);
  snapped = fast ? GEOSGeom_setPrecision_r(g->ctx, fast, grid,
                                           GEOS_PREC_VALID_OUTPUT)
                 : NULL;
  gm__geo_destroy(g, fast);
  return snapped;
}

/* Twice the signed area: positive when the ring turns counter-clockwise. */
static double ring_area2(const double *xy, size_t n)
{
  double a = 0;

  for (size_t i = 0; i + 1 < n; i++)
    a += (xy[2 * i] - xy[0]) * (xy[2 * i + 3] - xy[1]) -
         (xy[2 * i + 2] - xy[0]) * (xy[2 * i + 1] - xy[1]);
  return a;
}

static void ring_reverse(double *xy, size_t n)
{
  for (size_t i = 0, j = n - 1; i < j; i++, j--) {
    double x = xy[2 * i], y = xy[2 * i + 1];
    xy[2 * i] = xy[2 * j];
    xy[2 * i + 1] = xy[2 * j + 1];
    xy[2 * j] = x;
    xy[2 * j + 1] = y;
  }
}

/* Append one ring to the shape, exterior counter-clockwise, holes
 * clockwise (RFC 7946 section 3.1.6). */
static int shape_add_ring(gm__geo *g, gm__shape *s, const GEOSGeometry *ring,
                          int exterior)
{
  size_t n = 0;
  double *xyz = ring ? ring_xyz(g, ring, &n) : NULL, *xy, area;

  if (!xyz)
    return fail(g, GM_EGEOMETRY);
  if (n > UINT32_MAX - s->n_points || s->n_rings >= UINT32_MAX) {
    free(xyz);
    return fail(g, GM_ELIMIT); /* ends are 32 bits (gm__shape) */
  }
  if (gm__grow(&s->xy, &s->points_cap, s->n_points + n, 2 * sizeof *s->xy) ||
      gm__grow(&s->ring_end, &s->rings_cap, s->n_rings + 1,
               sizeof *s->ring_end)) {
    free(xyz);
    return fail(g, GM_ENOMEM);
  }
  xy = s->xy + 2 * s->n_points;
  for (size_t i = 0; i < n; i++) {
    xy[2 * i] = xyz[3 * i];
    xy[2 * i + 1] = xyz[3 * i + 1];
  }
  free(xyz);
  area = ring_area2(xy, n);
  if (exterior ? area < 0 : area > 0)
    ring_reverse(xy, n);
  s->n_points += n;
  s->ring_end[s->n_rings++] = (uint32_t)s->n_points;
  return 0;
}

typedef struct shape_arg {
  gm__shape *shape;
  gm__extent extent;
} shape_arg;

static int shape_add_polygon(gm__geo *g, const GEOSGeometry *poly, void *arg)
{
  shape_arg *a = arg;
  gm__shape *s = a->shape;
  int holes = GEOSGetNumInteriorRings_r(g->ctx, poly);

  if (holes < 0)
    return fail(g, GM_EGEOMETRY);
  if (shape_add_ring(g, s, GEOSGetExteriorRing_r(g->ctx, poly), 1))
    return g->status;
  for (int i = 0; i < holes; i++)
    if (shape_add_ring(g, s, GEOSGetInteriorRingN_r(g->ctx, poly, i), 0))
      return g->status;
  if (gm__grow(&s->poly_end, &s->polys_cap, s->n_polys + 1,
               sizeof *s->poly_end))
    return fail(g, GM_ENOMEM);
  s->poly_end[s->n_polys++] = (uint32_t)s->n_rings;
  return add_envelope(g, poly, &a->extent);
}

/* Replace *geom by next (NULL: a failure, already recorded). */
static int step(gm__geo *g, GEOSGeometry **geom, GEOSGeometry *next)
{
  gm__geo_destroy(g, *geom);
  *geom = next;
  return next ? 0 : fail(g, GM_EGEOMETRY);
}

/*
 * Read, cut at the antimeridian, simplify, repair, snap, then copy out.
 * Snapping to the grid with GEOS (snap-rounding, not printf rounding)
 * keeps the printed polygons valid and lets the orientation be decided
 * on exactly the positions that get printed.
 *
 * The second repair is skipped when neither the cut nor simplification
 * changed a Polygon or MultiPolygon GEOS found valid: the same non-empty
 * polygons in a MultiPolygon are valid too, and GEOSisValid_r on the
 * whole shape was about a third of the writer's CPU.
 */
int gm__geo_shape(gm__geo *g, const unsigned char *wkb, size_t len,
                  const gm__shape_options *opt, gm__shape *out)
{
  shape_arg a = {.shape = out};
  double grid = gm__geo_grid(opt->precision);
  GEOSGeometry *geom;
  int valid, cut, rc;

  memset(out, 0, sizeof *out);
  g->status = 0;
  if (opt->precision < 0 || opt->precision > 10)
    return GM_EINVAL;
  geom = repair(g, gm__geo_from_wkb(g, wkb, len), &valid);
  if (!geom || step(g, &geom, cut_antimeridian(g, geom, &cut)))
    goto failed;
  if (opt->simplify_m > 0) {
    if (step(g, &geom, simplify_metres(g, geom, opt->simplify_m)))
      goto failed;
    valid = 0;
  }
  if ((!valid || cut) && !(geom = repair(g, geom, &valid)))
    goto failed;
  if (step(g, &geom, snap(g, geom, grid)) ||
      step(g, &geom, halve_wide(g, geom, grid)))
    goto failed;
  rc = each_polygon(g, geom, shape_add_polygon, &a);
  if (!rc && out->n_polys)
    gm__extent_bbox(&a.extent, out->bbox);
  goto done;
failed:
  rc = fail(g, GM_EGEOMETRY);
done:
  gm__extent_free(&a.extent);
  gm__geo_destroy(g, geom);
  return rc;
}

void gm__shape_free(gm__shape *s)
{
  if (!s)
    return;
  free(s->xy);
  free(s->ring_end);
  free(s->poly_end);
  memset(s, 0, sizeof *s);
}
