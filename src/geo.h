/*
 * geo.h — the geometry the library needs, behind a small interface: only
 * geo_geos.c includes geos_c.h and only geo_proj.c includes PROJ.
 *
 * A gm__geo holds one GEOS context and belongs to one thread.
 */
#ifndef GM_GEO_H
#define GM_GEO_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "geomention.h"

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

/* PROJ is loaded on first use (dlopen, see geo_proj.c), so that a
 * process that never needs it never maps its 40-odd libraries. Returns 0
 * once it is loaded, or GM_EGEOMETRY with err naming the library and the
 * loader's reason. Thread-safe; the first call does the loading. Callers
 * with an error path call it before gm__geo_distance_km. */
int gm__proj_load(gm_error *err);
/* Why PROJ could not be loaded, or "" (loads it when not yet tried). */
const char *gm__proj_failure(void);

/* Geodesic distance on WGS84 in km (PROJ's geod_inverse); NaN when PROJ
 * cannot be loaded (gm__proj_load says why). */
double gm__geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2);

/* A point of the WGS84 ellipsoid in Earth-centred coordinates, km. */
static inline void gm__geo_ecef_km(double lat, double lon, double xyz[3])
{
  const double a = 6378.137, f = 1 / 298.257223563, e2 = f * (2 - f);
  double sp = sin(lat * M_PI / 180), cp = cos(lat * M_PI / 180);
  double n = a / sqrt(1 - e2 * sp * sp);

  xyz[0] = n * cp * cos(lon * M_PI / 180);
  xyz[1] = n * cp * sin(lon * M_PI / 180);
  xyz[2] = n * (1 - e2) * sp;
}

/* The straight line between two points of the ellipsoid: never longer
 * than the geodesic between them. */
static inline double gm__geo_chord_km(const double a[3], const double b[3])
{
  double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}

/* The geodesic distance whose chord is chord_km, taken on the mean
 * sphere (6371.0088 km): the geodesic exceeds its chord c by about
 * c^3 / (24 rho^2), rho the ellipsoid's radius of curvature along it,
 * and rho lies between 6335.4 km (along a meridian at the equator) and
 * 6399.6 km (at the poles), within 0.57 % of the sphere's. So the
 * answer is within 1.2 % of that excess of PROJ's WGS84 geodesic
 * (gm__geo_distance_km): 1.6 m at 500 km, 2.7 m at 600 km
 * (tests/unit/test_geo_distance.c holds it to that). Farther the error
 * grows as c^3 (1.4 km at 5,000 km): for short distances only. */
static inline double gm__geo_arc_km(double chord_km)
{
  static const double r = 6371.0088;
  double half = chord_km / (2 * r);
  return 2 * r * asin(half < 1 ? half : 1);
}

/* ------------------------------------------------------ output geometry */

/*
 * A polygonal geometry as plain arrays, in the form RFC 7946 asks for:
 * polygons of rings, each ring closed, exterior first and
 * counter-clockwise, holes clockwise; no ring crosses the antimeridian or
 * spans more than 180 degrees of longitude; every position on the grid of
 * the requested precision. bbox is the smallest box holding it, west >
 * east when that box crosses the antimeridian (RFC 7946 section 5.2).
 */
typedef struct gm__shape {
  double *xy;          /* lon, lat pairs */
  size_t n_points;
  uint32_t *ring_end;  /* ring i: points [ring_end[i-1], ring_end[i]); 32
                          bits as the gazetteer stores them (gaz_shape) */
  size_t n_rings;
  uint32_t *poly_end;  /* polygon j: rings [poly_end[j-1], poly_end[j]) */
  size_t n_polys;      /* 0 when nothing survived the precision grid */
  double bbox[4];      /* west, south, east, north; unset when empty */
  size_t points_cap, rings_cap, polys_cap;
} gm__shape;

typedef struct gm__shape_options {
  double simplify_m;   /* > 0: simplify with this tolerance in metres, in a
                          local azimuthal equidistant projection */
  int precision;       /* decimals of the grid positions snap to, 0..10 */
} gm__shape_options;

/* The size of the grid of `precision` decimals that gm__geo_shape snaps
 * positions to; the gazetteer's stored shapes count in its units. */
static inline double gm__geo_grid(int precision)
{
  return pow(10, -(double)precision);
}

/* The shape of a WKB polygon or multipolygon, cut at the antimeridian,
 * simplified when asked, snapped to the grid and oriented. *out is the
 * caller's for gm__shape_free, also on failure. */
int gm__geo_shape(gm__geo *g, const unsigned char *wkb, size_t len,
                  const gm__shape_options *opt, gm__shape *out);
void gm__shape_free(gm__shape *s);

/* ---------------------------------------------------- longitude extents */

/*
 * The smallest longitude interval holding a set of intervals, on the
 * circle: what a bbox must be for something that straddles the
 * antimeridian (Fiji, Russia: west > east). Add [west, east] intervals
 * (west > east wraps), then ask for the box.
 */
typedef struct gm__extent {
  double (*lon)[2];
  size_t n, cap;
  double south, north;
} gm__extent;

int gm__extent_add(gm__extent *e, double west, double south, double east,
                   double north);
/* 0 and the box, or GM_ENOTFOUND when nothing was added. */
int gm__extent_bbox(gm__extent *e, double bbox[4]);
void gm__extent_free(gm__extent *e);

/* ----------------------------------------------------------- projection */

/* A local azimuthal equidistant projection on WGS84 (PROJ), metres.
 * GM_EGEOMETRY when PROJ cannot be loaded (gm__proj_failure says why). */
typedef struct gm__proj gm__proj;
int gm__proj_aeqd_new(double lat0, double lon0, gm__proj **out);
/* Project n positions in place, stride doubles apart (lon, lat first):
 * degrees to metres, or back with inverse. */
int gm__proj_trans(gm__proj *p, double *xy, size_t n, size_t stride,
                   int inverse);
void gm__proj_free(gm__proj *p);

#endif
