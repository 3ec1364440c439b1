/*
 * out_geojson.h — GeoJSON (RFC 7946) for gazetteer entries and for the
 * places articles mention, as FeatureCollections or text sequences
 * (RFC 8142), one layer or both, one feature per place or per mention.
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

/* Where an article came from, for its citations. Any string may be NULL
 * (written as null: unknown). */
typedef struct gm__article {
  const char *id, *title, *url, *date;
  const char *source;   /* the file it was read from */
  size_t line;          /* the line of that file it starts on, 0 unknown */
} gm__article;

/* Which features an output holds: places are entries without a polygon
 * (Point), regions are entries with one (MultiPolygon). */
enum {
  GM__LAYER_PLACES = 1,
  GM__LAYER_REGIONS = 2,
  GM__LAYER_ALL = 3
};

/* How features are framed. */
typedef enum {
  GM__FRAME_COLLECTION = 0, /* one FeatureCollection */
  GM__FRAME_SEQ = 1,        /* RFC 8142: RS, feature, LF (.geojsons) */
  GM__FRAME_LINES = 2       /* feature, LF: newline-delimited (.geojsonl) */
} gm__frame;

typedef struct gm__geojson_options {
  unsigned layers;      /* GM__LAYER_*; 0 means all */
  int per_mention;      /* one feature per mention, not per place */
  gm__frame frame;
  int precision;        /* decimals of coordinates, 0..10 */
  int full_geometry;    /* regions in full detail, not the simplified copy */
  double simplify_m;    /* > 0: full detail simplified to this many metres */
} gm__geojson_options;

#define GM__PRECISION_DEFAULT 6

/*
 * The places of many articles and the citations of each: add every
 * article's result, then write once or more (once per layer, say). A
 * place is a resolved gazetteer entry; features keep the order in which
 * places were first mentioned. Memory grows with the distinct places and
 * a budget; the citations and article ids past the budget wait in a
 * temporary file in $TMPDIR (else /tmp), unlinked when created.
 */
typedef struct gm__places gm__places;
/* Places of g's entries: g is the gazetteer every write is given. */
int gm__places_new(gm__places **out, const gm_gazetteer *g);
/* Keep at most max citations a place (SIZE_MAX: all; the default); its
 * mention_count and article_count still count every mention. Set it
 * before the first article is added. */
void gm__places_set_max_citations(gm__places *pl, size_t max);
/* Collect for one feature per mention (--per mention) rather than per
 * place; before the first article. Writing the other way is GM_EINVAL. */
void gm__places_set_per_mention(gm__places *pl, int per_mention);
/* Bytes of rendered citations and ids held in memory before they are
 * spilled (default GM__PLACES_BUDGET; 0 spills every citation). */
#define GM__PLACES_BUDGET ((size_t)32 << 20)
void gm__places_set_budget(gm__places *pl, size_t bytes);
/* Threads that compute the features' geometries when writing (default
 * 1: the caller's alone); with more than one, a thread also writes the
 * output while the caller assembles what follows. */
void gm__places_set_threads(gm__places *pl, size_t threads);
/* An article's resolved mentions rendered as the output will hold them,
 * appended to out (so that one buffer can hold many articles'): a pure
 * function of its arguments, so worker threads render while one thread
 * adds. GM_EINVAL when a mention's offsets lie outside the text;
 * GM_ENOMEM. On failure out is as it was. */
int gm__places_render(gm__buf *out, int per_mention, const gm__article *a,
                      const char *text, size_t len, const gm_result *r);
/* Add an article rendered by gm__places_render (per_mention as set),
 * given its result's mentions (those without an entry are passed over,
 * and may be left out; alternatives and reasons are not read). The
 * place order, counts and citations are those of the order of the
 * calls. GM_EINVAL (nothing added), GM_ENOMEM, GM_ELIMIT, GM_EIO (the
 * temporary file: gm__places_errmsg). */
int gm__places_add_rendered(gm__places *pl, const gm__article *a,
                            const char *text, size_t len,
                            const gm_mention *mentions, size_t n_mentions,
                            const gm__buf *rendered);
/* An article added mention by mention, for a result kept elsewhere (a
 * checkpoint): begin an article, then each of its resolved mentions in
 * text order; index is its place among all the article's mentions, from
 * 0. Text need hold only the bytes of the mentions' sentences. */
void gm__places_begin(gm__places *pl);
int gm__places_mention(gm__places *pl, const gm__article *a,
                       const char *text, size_t len, const gm_mention *m,
                       size_t index);
/* GM_EIO when a write to f or a read of the temporary file failed;
 * GM_EGEOMETRY, GM_ENOMEM with err. Each layer once (--split: one call
 * a layer): per place, writing frees the temporary file's bytes it has
 * read; GM_EINVAL for a layer written before. */
int gm__places_write(gm__places *pl, FILE *f, const gm_gazetteer *g,
                     const gm__geojson_options *opt, gm_error *err);
void gm__places_free(gm__places *pl);
/* The distinct places so far. */
size_t gm__places_count(const gm__places *pl);
/* What the last GM_EIO of adding was about. */
const char *gm__places_errmsg(const gm__places *pl);

/* "place", "region", "demonym", "metonym" */
const char *gm__role_name(gm_role role);

/* One article's mentions as one line of JSON, its newline included,
 * appended to out (a worker renders into its chunk's buffer: no stream,
 * no copy). GM_EGAZETTEER, GM_ENOMEM, GM_ELIMIT; on failure out is as it
 * was. */
int gm__mentions_render(gm__buf *out, const gm_gazetteer *g,
                        const char *article_id, const char *text,
                        const gm_result *r);
/* The same line written to f; GM_EIO when the write fails. */
int gm__out_mentions(FILE *f, const gm_gazetteer *g, const char *article_id,
                     const char *text, const gm_result *r);

#endif
