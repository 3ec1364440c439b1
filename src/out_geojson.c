/*
 * out_geojson.c — GeoJSON (RFC 7946) features for gazetteer entries: the
 * geometry, the framing of features into a FeatureCollection or a text
 * sequence (RFC 8142), and the properties every entry carries. The
 * places of articles (out_places.c) and lookup candidates (here) are
 * written through it.
 *
 * Invariants of every output: positions are [lon, lat] rounded to the
 * requested decimals; there is no "crs" member; a place is a Point and a
 * region always a MultiPolygon, so each layer has one geometry type
 * (OGR calls a layer of mixed Polygon and MultiPolygon "Unknown"); a
 * region's rings are cut at the antimeridian, exterior counter-clockwise
 * and holes clockwise (gm__geo_shape); every region feature and every
 * FeatureCollection has a bbox, west > east when it straddles the
 * antimeridian (RFC 7946 section 5.2).
 *
 * With the default options a region's shape is read from the gazetteer,
 * where the builder stored what gm__geo_shape makes of it (gaz_shape):
 * GEOS's validity checks, cuts and snapping are done once per gazetteer,
 * not once per run. Other options draw it with GEOS as it is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaz_reader.h"
#include "out_feature.h"

static const char *how_name(unsigned how)
{
  static const char *names[] = {"", "name", "ascii", "alternate", "code",
                                "demonym"};
  return how < sizeof names / sizeof *names ? names[how] : "";
}

/* "geonames:ID" into out as snprintf would write it (cut to cap - 1
 * bytes), without printf: the id of nearly every feature. */
static void geonames_id(uint32_t id, char *out, size_t cap)
{
  char s[20], digits[10];
  size_t n = 0, len = 9;

  memcpy(s, "geonames:", 9);
  do {
    digits[n++] = (char)('0' + id % 10);
    id /= 10;
  } while (id);
  while (n > 0)
    s[len++] = digits[--n];
  if (cap == 0)
    return;
  len = len < cap ? len : cap - 1;
  memcpy(out, s, len);
  out[len] = '\0';
}

/* s appended to the *len bytes of out, cut as snprintf cuts (at cap - 1
 * bytes, NUL-terminated; cap is not 0). A region's id through snprintf's
 * "%s" cost 750 instructions, a tenth of a --mentions run. */
static void append_id(char *out, size_t cap, size_t *len, const char *s)
{
  size_t n = strlen(s);

  if (n > cap - 1 - *len)
    n = cap - 1 - *len;
  memcpy(out + *len, s, n);
  *len += n;
  out[*len] = '\0';
}

void gm__entry_id(const gm_gazetteer *g, const gm_entry *e, char *out,
                  size_t cap)
{
  const char *admin2[] = {"admin2:", e->country, ".", e->admin1, ".",
                          e->admin2};
  gm_region r;
  size_t len = 0;

  if (cap == 0)
    return;
  if (e->region >= 0 && gm_gazetteer_region(g, (uint32_t)e->region, &r) == 0)
    append_id(out, cap, &len, r.id);
  else if (e->geonameid)
    geonames_id(e->geonameid, out, cap);
  else /* an admin-2 unit made from its places' codes */
    for (size_t i = 0; i < sizeof admin2 / sizeof *admin2; i++)
      append_id(out, cap, &len, admin2[i]);
}

/* ------------------------------------------------------------ geometry */

void gm__geometry_free(gm__geometry *geom)
{
  gm__buf_free(&geom->json);
  memset(geom, 0, sizeof *geom);
}

int gm__entry_layer(const gm_gazetteer *g, const gm_entry *e,
                    gm_region *region)
{
  gm_region r;

  /* A region without polygons (the gazetteer has a few) is a place. */
  if (e->region < 0 || gm_gazetteer_region(g, (uint32_t)e->region, &r) ||
      !r.wkb_simple_len || !r.wkb_full_len)
    return GM__LAYER_PLACES;
  if (region)
    *region = r;
  return GM__LAYER_REGIONS;
}

static void write_bbox(gm__json *j, const double bbox[4], int precision)
{
  gm__json_array(j);
  for (int i = 0; i < 4; i++)
    gm__json_coord(j, bbox[i], precision);
  gm__json_end(j);
}

/* {"type":"Point","coordinates":[lon,lat]} at any precision, with room to
 * spare for the numbers' in-place writing. */
#define POINT_ROOM 128

static void write_point(gm__json *j, double lon, double lat, int precision)
{
  /* Room made once: a point is a geometry's buffer of its own, which
   * grew from nothing in four reallocations and then wrote each
   * coordinate through put() for want of room (2,000 instructions a
   * point, against 1,200 with the room). */
  if (!j->status &&
      gm__grow(&j->out.data, &j->out.cap, j->out.len + POINT_ROOM, 1))
    j->status = GM_ENOMEM;
  gm__json_object(j);
  gm__json_key(j, "type");
  gm__json_cstring(j, "Point");
  gm__json_key(j, "coordinates");
  gm__json_array(j);
  gm__json_coord(j, lon, precision);
  gm__json_coord(j, lat, precision);
  gm__json_end(j);
  gm__json_end(j);
}

static void write_ring(gm__json *j, const double *xy, size_t n,
                       int precision)
{
  gm__json_array(j);
  for (size_t i = 0; i < n; i++) {
    gm__json_array(j);
    gm__json_coord(j, xy[2 * i], precision);
    gm__json_coord(j, xy[2 * i + 1], precision);
    gm__json_end(j);
  }
  gm__json_end(j);
}

/* A shape's polygons, or null when nothing was left on a coarse grid:
 * positions in degrees (xy, gm__shape's arrays) or, when xy is NULL, in
 * units of the grid of `precision` (units, a stored gm__gaz_shape's). */
static void write_multipolygon(gm__json *j, const double *xy,
                               const int32_t *units,
                               const uint32_t *ring_end,
                               const uint32_t *poly_end, size_t n_polys,
                               int precision)
{
  size_t ring = 0, point = 0;

  if (n_polys == 0) {
    gm__json_null(j);
    return;
  }
  gm__json_object(j);
  gm__json_key(j, "type");
  gm__json_cstring(j, "MultiPolygon");
  gm__json_key(j, "coordinates");
  gm__json_array(j);
  for (size_t p = 0; p < n_polys; p++) {
    gm__json_array(j);
    for (; ring < poly_end[p]; ring++) {
      size_t n = ring_end[ring] - point;
      if (xy)
        write_ring(j, xy + 2 * point, n, precision);
      else
        gm__json_ring_units(j, units + 2 * point, n, precision);
      point = ring_end[ring];
    }
    gm__json_end(j);
  }
  gm__json_end(j);
  gm__json_end(j);
}

static void shape_bbox(gm__geometry *out, const double bbox[4],
                       size_t n_polys)
{
  if (n_polys == 0)
    return;
  memcpy(out->bbox, bbox, sizeof out->bbox);
  out->has_bbox = 1;
}

/* The shape the gazetteer stores for the default options (gaz_shape):
 * the same polygons gm__geo_shape would make, without GEOS. 0 when
 * written, GM_ENOTFOUND when there is none for these options. */
static int stored_geometry(gm__writer *w, const gm_region *r, gm__json *j,
                           gm__geometry *out)
{
  gm__gaz_shape s;
  int rc;

  if (w->opt.full_geometry || w->opt.simplify_m > 0)
    return GM_ENOTFOUND;
  rc = gm__gaz_region_shape(w->gaz, r->index, w->opt.precision, &s);
  if (rc == GM_EGAZETTEER)
    return gm__error(w->err, rc, "%s: stored shape out of bounds or "
                     "disordered: corrupt gazetteer", r->id);
  if (rc)
    return rc;
  /* The integers are the very doubles GEOS snapped to, in units of the
   * grid (gaz_shape): written as they are, they print as those do. */
  write_multipolygon(j, NULL, s.lonlat, s.ring_end, s.poly_end, s.n_polys,
                     w->opt.precision);
  shape_bbox(out, s.bbox, s.n_polys);
  return 0;
}

/* The region's polygons as the options want them: the simplified copy
 * (stored finished at the default precision), full detail, or full detail
 * simplified again in metres. */
static int region_geometry(gm__writer *w, const gm_region *r, gm__json *j,
                           gm__geometry *out)
{
  gm__shape_options so = {.precision = w->opt.precision};
  int full = w->opt.full_geometry || w->opt.simplify_m > 0;
  gm__shape s;
  int rc = stored_geometry(w, r, j, out);

  if (rc != GM_ENOTFOUND)
    return rc;
  so.simplify_m = w->opt.simplify_m;
  rc = gm__geo_shape(w->geo, full ? r->wkb_full : r->wkb_simple,
                     full ? r->wkb_full_len : r->wkb_simple_len, &so, &s);
  if (rc) {
    gm__shape_free(&s);
    return gm__error(w->err, rc, "%s: geometry: %s", r->id,
                     *gm__geo_message(w->geo) ? gm__geo_message(w->geo)
                                              : gm_strerror(rc));
  }
  write_multipolygon(j, s.xy, NULL, s.ring_end, s.poly_end, s.n_polys,
                     w->opt.precision);
  shape_bbox(out, s.bbox, s.n_polys);
  gm__shape_free(&s);
  return 0;
}

int gm__entry_geometry(gm__writer *w, const gm_entry *e, gm__geometry *out)
{
  gm__json j = {0};
  gm_region r;
  int rc = 0;

  memset(out, 0, sizeof *out);
  out->layer = gm__entry_layer(w->gaz, e, &r);
  if (out->layer == GM__LAYER_REGIONS) {
    rc = region_geometry(w, &r, &j, out);
  } else {
    write_point(&j, e->lon, e->lat, w->opt.precision);
    out->bbox[0] = out->bbox[2] = e->lon;
    out->bbox[1] = out->bbox[3] = e->lat;
    out->has_bbox = 1;
  }
  if (!rc && j.status)
    rc = gm__error(w->err, j.status, "out of memory");
  if (rc)
    gm__json_free(&j);
  else
    out->json = j.out; /* the geometry takes the buffer */
  return rc;
}

/* ------------------------------------------------------------- framing */

int gm__writer_init(gm__writer *w, FILE *f, const gm_gazetteer *g,
                    const gm__geojson_options *opt, gm_error *err)
{
  memset(w, 0, sizeof *w);
  w->f = f;
  w->gaz = g;
  w->opt = *opt;
  if (!w->opt.layers)
    w->opt.layers = GM__LAYER_ALL;
  w->err = err;
  if (w->opt.precision < 0 || w->opt.precision > 10)
    return gm__error(err, GM_EINVAL, "precision %d: expected 0 to 10",
                     w->opt.precision);
  if (gm__geo_new(&w->geo))
    return gm__error(err, GM_ENOMEM, "out of memory");
  return 0;
}

void gm__writer_free(gm__writer *w)
{
  gm__geo_free(w->geo);
  gm__json_free(&w->json);
  gm__extent_free(&w->extent);
  memset(w, 0, sizeof *w);
}

int gm__writer_extend(gm__writer *w, const gm__geometry *geom)
{
  if (!geom->has_bbox)
    return 0;
  if (gm__extent_add(&w->extent, geom->bbox[0], geom->bbox[1], geom->bbox[2],
                     geom->bbox[3]))
    return gm__error(w->err, GM_ENOMEM, "out of memory");
  return 0;
}

static int put(gm__writer *w, const char *s, size_t len)
{
  if (len && fwrite(s, 1, len, w->f) != len)
    return gm__error(w->err, GM_EIO, "write failed");
  return 0;
}

int gm__writer_head(gm__writer *w)
{
  double bbox[4];
  int rc;

  if (w->opt.frame != GM__FRAME_COLLECTION)
    return 0;
  gm__json_reset(&w->json);
  gm__json_raw(&w->json, "{\"type\":\"FeatureCollection\",", 28);
  /* An empty collection has no coordinates to bound: no bbox. */
  if (gm__extent_bbox(&w->extent, bbox) == 0) {
    gm__json_raw(&w->json, "\"bbox\":", 7);
    write_bbox(&w->json, bbox, w->opt.precision);
    gm__json_raw(&w->json, ",", 1);
  }
  gm__json_raw(&w->json, "\"features\":[", 12);
  if (w->json.status)
    return gm__error(w->err, w->json.status, "out of memory");
  rc = put(w, w->json.out.data, w->json.out.len);
  gm__json_reset(&w->json);
  return rc;
}

void gm__feature_head(gm__writer *w, const gm__geometry *geom)
{
  gm__json *j = &w->json;

  gm__json_reset(j);
  gm__json_object(j);
  gm__json_key(j, "type");
  gm__json_cstring(j, "Feature");
  if (geom->layer == GM__LAYER_REGIONS && geom->has_bbox) {
    gm__json_key(j, "bbox");
    write_bbox(j, geom->bbox, w->opt.precision);
  }
  gm__json_key(j, "geometry");
}

void gm__feature_properties(gm__writer *w)
{
  gm__json_key(&w->json, "properties");
  gm__json_object(&w->json);
}

void gm__feature_begin(gm__writer *w, const gm__geometry *geom)
{
  gm__feature_head(w, geom);
  gm__json_raw(&w->json, geom->json.data, geom->json.len);
  gm__feature_properties(w);
}

int gm__feature_end(gm__writer *w)
{
  const char *before = "", *after = "";
  int rc;

  gm__json_end(&w->json); /* properties */
  gm__json_end(&w->json); /* feature */
  if (w->json.status || w->json.depth)
    return gm__error(w->err, w->json.status ? w->json.status : GM_EINVAL,
                     "feature: %s", gm_strerror(w->json.status));
  switch (w->opt.frame) {
  case GM__FRAME_COLLECTION:
    /* One feature a line in a collection too: diffs and grep stay
     * readable. */
    before = w->n_features ? ",\n" : "\n";
    break;
  case GM__FRAME_SEQ: before = "\x1e"; after = "\n"; break;
  case GM__FRAME_LINES: after = "\n"; break;
  }
  if ((rc = put(w, before, strlen(before))) ||
      (rc = put(w, w->json.out.data, w->json.out.len)) ||
      (rc = put(w, after, strlen(after))))
    return rc;
  w->n_features++;
  return 0;
}

int gm__writer_tail(gm__writer *w)
{
  if (w->opt.frame != GM__FRAME_COLLECTION)
    return 0;
  return w->n_features ? put(w, "\n]}\n", 4) : put(w, "]}\n", 3);
}

/* ---------------------------------------------------------- properties */

static const char *entry_kind(const gm_gazetteer *g, const gm_entry *e)
{
  gm_region r;

  if (e->region < 0 || gm_gazetteer_region(g, (uint32_t)e->region, &r))
    return "place";
  switch (r.kind) {
  case GM_REGION_COUNTRY: return "country";
  case GM_REGION_ADMIN1: return "admin1";
  case GM_REGION_COMPOSITE: return "region";
  }
  return "region";
}

/* A string, or null when the gazetteer has it empty (unknown). */
static void string_or_null(gm__json *j, const char *key, const char *s)
{
  gm__json_key(j, key);
  gm__json_cstring(j, s && *s ? s : NULL);
}

void gm__entry_properties(gm__json *j, const gm_gazetteer *g,
                          const gm_entry *e, int precision)
{
  char id[128], fclass[2] = {e->fclass, '\0'};

  gm__entry_id(g, e, id, sizeof id);
  string_or_null(j, "id", id);
  string_or_null(j, "name", e->name);
  string_or_null(j, "kind", entry_kind(g, e));
  gm__json_key(j, "geonameid");
  if (e->geonameid)
    gm__json_uint(j, e->geonameid);
  else
    gm__json_null(j);
  string_or_null(j, "feature_class", fclass);
  string_or_null(j, "feature_code", e->fcode);
  string_or_null(j, "country", e->country);
  string_or_null(j, "admin1", e->admin1);
  /* GeoNames writes 0 for an unknown population. */
  gm__json_key(j, "population");
  if (e->population)
    gm__json_uint(j, e->population);
  else
    gm__json_null(j);
  gm__json_key(j, "lat");
  gm__json_real(j, e->lat, precision);
  gm__json_key(j, "lon");
  gm__json_real(j, e->lon, precision);
}

/* -------------------------------------------------------------- lookup */

static int lookup_feature(gm__writer *w, const gm_candidate *c, size_t rank,
                          const gm_entry *e, const gm__geometry *geom)
{
  gm__json *j = &w->json;

  gm__feature_begin(w, geom);
  gm__json_key(j, "rank");
  gm__json_uint(j, rank);
  gm__entry_properties(j, w->gaz, e, w->opt.precision);
  gm__json_key(j, "matched_as");
  gm__json_cstring(j, how_name(c->how));
  gm__json_key(j, "score");
  gm__json_real(j, c->score, 4);
  gm__json_key(j, "distance_km");
  if (c->distance_km >= 0)
    gm__json_real(j, c->distance_km, 3);
  else
    gm__json_null(j);
  return gm__feature_end(w);
}

int gm__out_lookup(FILE *f, const gm_gazetteer *g, const gm_candidate *c,
                   size_t n)
{
  gm__geojson_options opt = {.precision = GM__PRECISION_DEFAULT};
  gm__geometry *geom = calloc(n ? n : 1, sizeof *geom);
  gm__writer w;
  gm_entry e;
  size_t i;
  int rc = gm__writer_init(&w, f, g, &opt, NULL);

  if (!geom)
    rc = GM_ENOMEM;
  for (i = 0; i < n && !rc; i++) {
    if (gm_gazetteer_entry(g, c[i].entry, &e))
      rc = GM_EGAZETTEER;
    else if (!(rc = gm__entry_geometry(&w, &e, &geom[i])))
      rc = gm__writer_extend(&w, &geom[i]);
  }
  if (!rc)
    rc = gm__writer_head(&w);
  for (i = 0; i < n && !rc; i++)
    rc = gm_gazetteer_entry(g, c[i].entry, &e)
             ? GM_EGAZETTEER
             : lookup_feature(&w, &c[i], i + 1, &e, &geom[i]);
  if (!rc)
    rc = gm__writer_tail(&w);
  for (i = 0; geom && i < n; i++)
    gm__geometry_free(&geom[i]);
  free(geom);
  gm__writer_free(&w);
  return rc;
}
