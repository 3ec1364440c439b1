/*
 * out_geojson.c — GeoJSON (RFC 7946) for gazetteer entries.
 *
 * Features are built with cJSON; a region's polygon comes from its
 * simplified WKB through GEOS's GeoJSON writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "geo.h"
#include "internal.h"
#include "out_geojson.h"

static const char *how_name(unsigned how)
{
  static const char *names[] = {"", "name", "ascii", "alternate", "code",
                                "demonym"};
  return how < sizeof names / sizeof *names ? names[how] : "";
}

void gm__entry_id(const gm_gazetteer *g, const gm_entry *e, char *out,
                  size_t cap)
{
  gm_region r;

  if (e->region >= 0 && gm_gazetteer_region(g, (uint32_t)e->region, &r) == 0)
    snprintf(out, cap, "%s", r.id);
  else
    snprintf(out, cap, "geonames:%u", e->geonameid);
}

static cJSON *point(double lon, double lat)
{
  cJSON *geom = cJSON_CreateObject(), *coords;
  double xy[2] = {lon, lat};

  if (!geom || !cJSON_AddStringToObject(geom, "type", "Point") ||
      !(coords = cJSON_CreateDoubleArray(xy, 2)) ||
      !cJSON_AddItemToObject(geom, "coordinates", coords)) {
    cJSON_Delete(geom);
    return NULL;
  }
  return geom;
}

/* Properties every entry feature carries, whatever its kind. */
static int entry_properties(cJSON *p, const gm_gazetteer *g,
                            const gm_entry *e)
{
  char id[128], fclass[2] = {e->fclass, '\0'};

  gm__entry_id(g, e, id, sizeof id);
  return !cJSON_AddStringToObject(p, "id", id) ||
         !(e->geonameid ? cJSON_AddNumberToObject(p, "geonameid", e->geonameid)
                        : cJSON_AddNullToObject(p, "geonameid")) ||
         !cJSON_AddStringToObject(p, "name", e->name) ||
         !cJSON_AddStringToObject(p, "feature_class", fclass) ||
         !cJSON_AddStringToObject(p, "feature_code", e->fcode) ||
         !cJSON_AddStringToObject(p, "country", e->country) ||
         !cJSON_AddStringToObject(p, "admin1", e->admin1) ||
         !cJSON_AddNumberToObject(p, "population", e->population) ||
         !cJSON_AddNumberToObject(p, "lat", e->lat) ||
         !cJSON_AddNumberToObject(p, "lon", e->lon);
}

static cJSON *entry_geometry(const gm_gazetteer *g, gm__geo *geo,
                             const gm_entry *e)
{
  gm_region r;
  char *json;
  cJSON *raw;

  if (e->region < 0 || gm_gazetteer_region(g, (uint32_t)e->region, &r) ||
      !r.wkb_simple)
    return point(e->lon, e->lat);
  json = gm__geo_wkb_to_geojson(geo, r.wkb_simple, r.wkb_simple_len);
  raw = json ? cJSON_CreateRaw(json) : NULL;
  free(json);
  return raw;
}

int gm__out_lookup(FILE *f, const gm_gazetteer *g, const gm_candidate *c,
                   size_t n)
{
  cJSON *fc = cJSON_CreateObject(), *features;
  gm__geo *geo = NULL;
  char *text = NULL;
  int rc = GM_ENOMEM;

  if (!fc || gm__geo_new(&geo) ||
      !cJSON_AddStringToObject(fc, "type", "FeatureCollection") ||
      !(features = cJSON_AddArrayToObject(fc, "features")))
    goto done;
  for (size_t i = 0; i < n; i++) {
    cJSON *feat = cJSON_CreateObject(), *props, *geom;
    gm_entry e;
    if (!feat || !cJSON_AddItemToArray(features, feat))
      goto oom;
    if (gm_gazetteer_entry(g, c[i].entry, &e)) {
      rc = GM_EGAZETTEER;
      goto done;
    }
    if (!cJSON_AddStringToObject(feat, "type", "Feature") ||
        !(geom = entry_geometry(g, geo, &e)))
      goto oom;
    if (!cJSON_AddItemToObject(feat, "geometry", geom)) {
      cJSON_Delete(geom);
      goto oom;
    }
    if (!(props = cJSON_AddObjectToObject(feat, "properties")) ||
        !cJSON_AddNumberToObject(props, "rank", (double)(i + 1)) ||
        entry_properties(props, g, &e) ||
        !cJSON_AddStringToObject(props, "matched_as", how_name(c[i].how)) ||
        !cJSON_AddNumberToObject(props, "score", c[i].score) ||
        !(c[i].distance_km >= 0
              ? cJSON_AddNumberToObject(props, "distance_km", c[i].distance_km)
              : cJSON_AddNullToObject(props, "distance_km")))
      goto oom;
  }
  if (!(text = cJSON_PrintUnformatted(fc)))
    goto oom;
  rc = (fputs(text, f) == EOF || putc('\n', f) == EOF) ? GM_EIO : 0;
  goto done;
oom:
  rc = GM_ENOMEM;
done:
  free(text);
  cJSON_Delete(fc);
  gm__geo_free(geo);
  return rc;
}

/* ------------------------------------------------------- places layer */

typedef struct place {
  uint32_t entry;
  size_t mentions, articles;
  size_t last_article;     /* 1-based sequence of the last article seen */
  double confidence;       /* the highest of its mentions */
  gm_role role;
  cJSON *citations;
  char *first_sentence;
  gm__buf article_ids;     /* ids joined by ';' */
} place;

struct gm__places {
  place *v;
  size_t n, cap;
  uint32_t *slot;          /* entry -> index in v (open addressing) */
  size_t n_slots;
  size_t articles;
};

int gm__places_new(gm__places **out)
{
  *out = calloc(1, sizeof **out);
  return *out ? 0 : GM_ENOMEM;
}

void gm__places_free(gm__places *pl)
{
  if (!pl)
    return;
  for (size_t i = 0; i < pl->n; i++) {
    cJSON_Delete(pl->v[i].citations);
    free(pl->v[i].first_sentence);
    gm__buf_free(&pl->v[i].article_ids);
  }
  free(pl->v);
  free(pl->slot);
  free(pl);
}

static place *find_place(gm__places *pl, uint32_t entry)
{
  size_t mask = pl->n_slots - 1;

  if ((pl->n + 1) * 2 > pl->n_slots) {
    size_t n = pl->n_slots ? pl->n_slots * 2 : 256;
    uint32_t *s = malloc(n * sizeof *s);
    if (!s)
      return NULL;
    memset(s, 0xff, n * sizeof *s);
    for (size_t i = 0; i < pl->n; i++) {
      size_t j = (pl->v[i].entry * 2654435761u) & (n - 1);
      while (s[j] != 0xffffffffu)
        j = (j + 1) & (n - 1);
      s[j] = (uint32_t)i;
    }
    free(pl->slot);
    pl->slot = s;
    pl->n_slots = n;
    mask = n - 1;
  }
  size_t j = (entry * 2654435761u) & mask;
  for (; pl->slot[j] != 0xffffffffu; j = (j + 1) & mask)
    if (pl->v[pl->slot[j]].entry == entry)
      return &pl->v[pl->slot[j]];
  if (gm__grow(&pl->v, &pl->cap, pl->n + 1, sizeof *pl->v))
    return NULL;
  pl->slot[j] = (uint32_t)pl->n;
  pl->v[pl->n] = (place){.entry = entry, .citations = cJSON_CreateArray()};
  if (!pl->v[pl->n].citations)
    return NULL;
  return &pl->v[pl->n++];
}

static char *copy_slice(const char *s, size_t len)
{
  char *c = malloc(len + 1);
  if (c) {
    memcpy(c, s, len);
    c[len] = '\0';
  }
  return c;
}

static int add_string_or_null(cJSON *o, const char *key, const char *value)
{
  return value ? cJSON_AddStringToObject(o, key, value) != NULL
               : cJSON_AddNullToObject(o, key) != NULL;
}

static cJSON *citation(const gm__article *a, const char *text,
                       const gm_mention *m)
{
  cJSON *c = cJSON_CreateObject(), *art;
  char *sentence = copy_slice(text + m->sentence_start,
                              m->sentence_end - m->sentence_start);
  char *surface = copy_slice(text + m->start, m->end - m->start);
  int ok = c && sentence && surface &&
           (art = cJSON_AddObjectToObject(c, "article")) &&
           add_string_or_null(art, "id", a->id) &&
           add_string_or_null(art, "title", a->title) &&
           add_string_or_null(art, "url", a->url) &&
           add_string_or_null(art, "date", a->date) &&
           add_string_or_null(art, "source", a->source) &&
           (a->line ? cJSON_AddNumberToObject(art, "line", (double)a->line)
                    : cJSON_AddNullToObject(art, "line")) &&
           cJSON_AddStringToObject(c, "sentence", sentence) &&
           cJSON_AddStringToObject(c, "text", surface) &&
           cJSON_AddNumberToObject(c, "start", (double)m->cp_start) &&
           cJSON_AddNumberToObject(c, "end", (double)m->cp_end) &&
           cJSON_AddNumberToObject(c, "byte_start", (double)m->start) &&
           cJSON_AddNumberToObject(c, "byte_end", (double)m->end) &&
           cJSON_AddNumberToObject(c, "confidence", m->confidence);
  free(sentence);
  free(surface);
  if (!ok) {
    cJSON_Delete(c);
    return NULL;
  }
  return c;
}

int gm__places_add(gm__places *pl, const gm__article *a, const char *text,
                   const gm_result *r)
{
  pl->articles++;
  for (size_t i = 0; i < gm_result_count(r); i++) {
    const gm_mention *m = gm_result_mention(r, i);
    place *p;
    cJSON *c;
    if (m->entry == GM_NO_ENTRY)
      continue;
    if (!(p = find_place(pl, m->entry)) || !(c = citation(a, text, m)))
      return GM_ENOMEM;
    if (!cJSON_AddItemToArray(p->citations, c)) {
      cJSON_Delete(c);
      return GM_ENOMEM;
    }
    p->mentions++;
    if (m->confidence > p->confidence)
      p->confidence = m->confidence;
    if (p->mentions == 1) {
      p->role = m->role;
      p->first_sentence = copy_slice(text + m->sentence_start,
                                     m->sentence_end - m->sentence_start);
      if (!p->first_sentence)
        return GM_ENOMEM;
    }
    if (p->last_article != pl->articles) {
      p->last_article = pl->articles;
      p->articles++;
      if ((p->article_ids.len && gm__buf_putc(&p->article_ids, ';')) ||
          gm__buf_append(&p->article_ids, a->id ? a->id : "",
                         a->id ? strlen(a->id) : 0))
        return GM_ENOMEM;
    }
  }
  return 0;
}

int gm__places_write(gm__places *pl, FILE *f, const gm_gazetteer *g)
{
  cJSON *fc = cJSON_CreateObject(), *features;
  gm__geo *geo = NULL;
  int rc = GM_ENOMEM;
  char *text = NULL;

  if (!fc || gm__geo_new(&geo) ||
      !cJSON_AddStringToObject(fc, "type", "FeatureCollection") ||
      !(features = cJSON_AddArrayToObject(fc, "features")))
    goto done;
  for (size_t i = 0; i < pl->n; i++) {
    place *p = &pl->v[i];
    cJSON *feat = cJSON_CreateObject(), *props, *geom;
    gm_entry e;
    if (!feat || !cJSON_AddItemToArray(features, feat)) {
      cJSON_Delete(feat);
      goto done;
    }
    if (gm_gazetteer_entry(g, p->entry, &e)) {
      rc = GM_EGAZETTEER;
      goto done;
    }
    if (!cJSON_AddStringToObject(feat, "type", "Feature") ||
        !(geom = entry_geometry(g, geo, &e)))
      goto done;
    if (!cJSON_AddItemToObject(feat, "geometry", geom)) {
      cJSON_Delete(geom);
      goto done;
    }
    if (!(props = cJSON_AddObjectToObject(feat, "properties")) ||
        entry_properties(props, g, &e) ||
        !cJSON_AddStringToObject(props, "role", gm__role_name(p->role)) ||
        !cJSON_AddNumberToObject(props, "confidence", p->confidence) ||
        !cJSON_AddNumberToObject(props, "mention_count", (double)p->mentions) ||
        !cJSON_AddNumberToObject(props, "article_count", (double)p->articles) ||
        !cJSON_AddStringToObject(props, "first_sentence", p->first_sentence) ||
        !cJSON_AddStringToObject(props, "articles",
                                 p->article_ids.data ? p->article_ids.data : ""))
      goto done;
    /* The citations move into the feature; the place keeps none. */
    if (!cJSON_AddItemToObject(props, "citations", p->citations))
      goto done;
    p->citations = NULL;
  }
  if (!(text = cJSON_PrintUnformatted(fc)))
    goto done;
  rc = (fputs(text, f) == EOF || putc('\n', f) == EOF) ? GM_EIO : 0;
done:
  free(text);
  cJSON_Delete(fc);
  gm__geo_free(geo);
  return rc;
}
