/*
 * out_feature.h — what the GeoJSON writers share: the geometry of an
 * entry as RFC 7946 text, the feature and collection framing, and the
 * properties every entry feature carries. For out_*.c only.
 */
#ifndef GM_OUT_FEATURE_H
#define GM_OUT_FEATURE_H

#include <stdio.h>

#include "geo.h"
#include "out_geojson.h"
#include "out_json.h"

/* An entry's geometry, written once and reused by every feature of it. */
typedef struct gm__geometry {
  int layer;            /* GM__LAYER_PLACES or GM__LAYER_REGIONS */
  gm__buf json;         /* the geometry object, or "null" */
  int has_bbox;         /* regions that kept some polygon */
  double bbox[4];       /* west, south, east, north; west > east wraps */
} gm__geometry;

void gm__geometry_free(gm__geometry *geom);

/* One output being written: the options, the stream, the extent of what
 * it holds (the collection's bbox), and work space. */
typedef struct gm__writer {
  FILE *f;
  const gm_gazetteer *gaz;
  gm__geojson_options opt;
  gm_error *err;
  gm__geo *geo;
  gm__json json;        /* the feature being built */
  gm__extent extent;
  size_t n_features;
} gm__writer;

int gm__writer_init(gm__writer *w, FILE *f, const gm_gazetteer *g,
                    const gm__geojson_options *opt, gm_error *err);
void gm__writer_free(gm__writer *w);

/* Which layer an entry belongs to; *region gets its region when it has a
 * polygon. */
int gm__entry_layer(const gm_gazetteer *g, const gm_entry *e,
                    gm_region *region);
/* The entry's geometry under the writer's options. */
int gm__entry_geometry(gm__writer *w, const gm_entry *e, gm__geometry *out);
/* Count a geometry into the collection's bbox. */
int gm__writer_extend(gm__writer *w, const gm__geometry *geom);

/* The collection's opening (with its bbox) or nothing for a sequence. */
int gm__writer_head(gm__writer *w);
/* Start a feature in w->json, up to the opened "properties" object. */
void gm__feature_begin(gm__writer *w, const gm__geometry *geom);
/* gm__feature_begin in two parts, for a writer that sends the geometry's
 * bytes out itself rather than have them copied into w->json: the head
 * up to the "geometry" key; then, once the caller has taken the head
 * out of w->json (emptied it, the writer's state kept) and written the
 * geometry, the opened "properties" object. */
void gm__feature_head(gm__writer *w, const gm__geometry *geom);
void gm__feature_properties(gm__writer *w);
/* Close the feature and write it to the stream, framed. */
int gm__feature_end(gm__writer *w);
int gm__writer_tail(gm__writer *w);

/* id, name, kind, geonameid, feature_class, feature_code, country,
 * admin1, population, lat, lon: the README's schema, in that order. */
void gm__entry_properties(gm__json *j, const gm_gazetteer *g,
                          const gm_entry *e, int precision);

#endif
