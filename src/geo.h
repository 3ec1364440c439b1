/*
 * geo.h — the geometry the library needs, behind a small interface: only
 * geo_geos.c includes geos_c.h and only geo_proj.c includes PROJ.
 *
 * A gm__geo holds one GEOS context and belongs to one thread.
 */
#ifndef GM_GEO_H
#define GM_GEO_H

#include <stddef.h>

struct GEOSGeom_t;
typedef struct gm__geo gm__geo;

int gm__geo_new(gm__geo **out);
void gm__geo_free(gm__geo *g);
/* The last message GEOS gave, or "". */
const char *gm__geo_message(const gm__geo *g);

/* Parse WKT, repairing an invalid polygon with GEOSMakeValid. NULL on
 * failure (see gm__geo_message). */
struct GEOSGeom_t *gm__geo_from_wkt(gm__geo *g, const char *wkt);
struct GEOSGeom_t *gm__geo_from_wkb(gm__geo *g, const unsigned char *wkb,
                                    size_t len);
/* The union of n geometries, which stay the caller's. */
struct GEOSGeom_t *gm__geo_union(gm__geo *g, struct GEOSGeom_t *const *parts,
                                 size_t n);
void gm__geo_destroy(gm__geo *g, struct GEOSGeom_t *geom);

/* Little-endian WKB of geom and of its topology-preserving simplification
 * with the given tolerance (degrees), and its bounding box. The blobs are
 * malloc'ed and the caller's. Returns 0 or a negative status. */
int gm__geo_encode(gm__geo *g, const struct GEOSGeom_t *geom,
                   double tolerance, unsigned char **full, size_t *full_len,
                   unsigned char **simple, size_t *simple_len,
                   double bbox[4]);

/* A point to label a polygon with: its centroid when that falls inside,
 * else a point on its surface. */
int gm__geo_label_point(gm__geo *g, const struct GEOSGeom_t *geom,
                        double *lat, double *lon);

/* A polygon prepared for many point-in-polygon tests (GEOSPrepare). */
typedef struct gm__geo_prepared gm__geo_prepared;
gm__geo_prepared *gm__geo_prepare(gm__geo *g, const struct GEOSGeom_t *geom);
/* 1 inside, 0 outside, <0 on error. */
int gm__geo_prepared_contains(gm__geo *g, const gm__geo_prepared *pg,
                              double lon, double lat);
void gm__geo_prepared_free(gm__geo *g, gm__geo_prepared *pg);

/* Whether the WKB polygon contains the point (lon, lat); <0 on error. */
int gm__geo_contains(gm__geo *g, const unsigned char *wkb, size_t len,
                     double lon, double lat);

/* The GeoJSON text of a WKB geometry (GEOS's writer), malloc'ed; NULL on
 * failure. */
char *gm__geo_wkb_to_geojson(gm__geo *g, const unsigned char *wkb,
                             size_t len);

/* Geodesic distance on WGS84 in km (PROJ's geod_inverse). */
double gm__geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2);

#endif
