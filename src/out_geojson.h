/*
 * out_geojson.h — GeoJSON for gazetteer entries and resolved mentions.
 */
#ifndef GM_OUT_GEOJSON_H
#define GM_OUT_GEOJSON_H

#include <stdio.h>

#include "geomention.h"
#include "internal.h"

/* The namespaced, stable id of an entry: region id (country:UA,
 * admin1:UA.05, region:donbas) when it has a polygon, else geonames:ID. */
void gm__entry_id(const gm_gazetteer *g, const gm_entry *e, char *out,
                  size_t cap);

/* A FeatureCollection of lookup candidates, best first. */
int gm__out_lookup(FILE *f, const gm_gazetteer *g, const gm_candidate *c,
                   size_t n);

/* Where an article came from, for its citations. Any field may be NULL. */
typedef struct gm__article {
  const char *id, *title, *url, *date;
  const char *source;   /* the file it was read from */
  size_t line;          /* its line in that file, 0 when not line-based */
} gm__article;

/* One feature per resolved place across many articles, with citations. */
typedef struct gm__places gm__places;
int gm__places_new(gm__places **out);
int gm__places_add(gm__places *pl, const gm__article *a, const char *text,
                   const gm_result *r);
/* Write the FeatureCollection (the citations move into it: call once). */
int gm__places_write(gm__places *pl, FILE *f, const gm_gazetteer *g);
void gm__places_free(gm__places *pl);

/* "place", "region", "demonym", "metonym" */
const char *gm__role_name(gm_role role);

/* One article's mentions as one line of JSON. */
int gm__out_mentions(FILE *f, const gm_gazetteer *g, const char *article_id,
                     const char *text, const gm_result *r);

#endif
