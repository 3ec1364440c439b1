/*
 * geo_geos.c — polygons through GEOS: reading, repairing, union,
 * simplification, WKB, containment.
 *
 * Uses the re-entrant _r API only, one context per gm__geo, and routes
 * GEOS's messages into the gm__geo instead of stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <geos_c.h>

#include "geo.h"
#include "internal.h"

struct gm__geo {
  GEOSContextHandle_t ctx;
  GEOSWKTReader *wkt;
  GEOSWKBReader *wkb_in;
  GEOSWKBWriter *wkb_out;
  char message[256];
};

static void on_message(const char *msg, void *arg)
{
  gm__geo *g = arg;
  snprintf(g->message, sizeof g->message, "%s", msg);
}

int gm__geo_new(gm__geo **out)
{
  gm__geo *g = calloc(1, sizeof *g);

  *out = NULL;
  if (!g)
    return GM_ENOMEM;
  g->ctx = GEOS_init_r();
  if (!g->ctx)
    goto fail;
  GEOSContext_setErrorMessageHandler_r(g->ctx, on_message, g);
  GEOSContext_setNoticeMessageHandler_r(g->ctx, NULL, NULL);
  g->wkt = GEOSWKTReader_create_r(g->ctx);
  g->wkb_in = GEOSWKBReader_create_r(g->ctx);
  g->wkb_out = GEOSWKBWriter_create_r(g->ctx);
  if (!g->wkt || !g->wkb_in || !g->wkb_out)
    goto fail;
  GEOSWKBWriter_setByteOrder_r(g->ctx, g->wkb_out, GEOS_WKB_NDR);
  *out = g;
  return 0;
fail:
  gm__geo_free(g);
  return GM_ENOMEM;
}

void gm__geo_free(gm__geo *g)
{
  if (!g)
    return;
  if (g->ctx) {
    if (g->wkt)
      GEOSWKTReader_destroy_r(g->ctx, g->wkt);
    if (g->wkb_in)
      GEOSWKBReader_destroy_r(g->ctx, g->wkb_in);
    if (g->wkb_out)
      GEOSWKBWriter_destroy_r(g->ctx, g->wkb_out);
    GEOS_finish_r(g->ctx);
  }
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
  return valid(g, GEOSWKTReader_read_r(g->ctx, g->wkt, wkt));
}

GEOSGeometry *gm__geo_from_wkb(gm__geo *g, const unsigned char *wkb,
                               size_t len)
{
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

char *gm__geo_wkb_to_geojson(gm__geo *g, const unsigned char *wkb, size_t len)
{
  GEOSGeometry *geom = gm__geo_from_wkb(g, wkb, len);
  GEOSGeoJSONWriter *w;
  char *json = NULL, *copy = NULL;

  if (!geom)
    return NULL;
  w = GEOSGeoJSONWriter_create_r(g->ctx);
  if (w)
    json = GEOSGeoJSONWriter_writeGeometry_r(g->ctx, w, geom, -1);
  if (json) {
    copy = strdup(json);
    GEOSFree_r(g->ctx, json);
  }
  if (w)
    GEOSGeoJSONWriter_destroy_r(g->ctx, w);
  GEOSGeom_destroy_r(g->ctx, geom);
  return copy;
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
