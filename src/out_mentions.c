/*
 * out_mentions.c — one article's parse as JSON: every mention with its
 * offsets, sentence, resolved entry, confidence, alternatives and the
 * reasons behind the score (`geomention parse --mentions`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "out_geojson.h"

static const char *role_name(gm_role role)
{
  switch (role) {
  case GM_ROLE_PLACE: return "place";
  case GM_ROLE_REGION: return "region";
  case GM_ROLE_DEMONYM: return "demonym";
  case GM_ROLE_METONYM: return "metonym";
  }
  return "place";
}

const char *gm__role_name(gm_role role)
{
  return role_name(role);
}

/* cJSON wants NUL-terminated strings: copy the slice. */
static cJSON *slice(const char *s, size_t len)
{
  char *copy = malloc(len + 1);
  cJSON *item;

  if (!copy)
    return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  item = cJSON_CreateString(copy);
  free(copy);
  return item;
}

static int add_slice(cJSON *o, const char *key, const char *s, size_t len)
{
  cJSON *item = slice(s, len);
  if (!item)
    return -1;
  if (!cJSON_AddItemToObject(o, key, item)) {
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

static cJSON *entry_object(const gm_gazetteer *g, uint32_t index)
{
  cJSON *o = cJSON_CreateObject();
  gm_entry e;
  char id[128], fclass[2];

  if (!o || gm_gazetteer_entry(g, index, &e)) {
    cJSON_Delete(o);
    return NULL;
  }
  gm__entry_id(g, &e, id, sizeof id);
  fclass[0] = e.fclass;
  fclass[1] = '\0';
  if (!cJSON_AddStringToObject(o, "id", id) ||
      !(e.geonameid ? cJSON_AddNumberToObject(o, "geonameid", e.geonameid)
                    : cJSON_AddNullToObject(o, "geonameid")) ||
      !cJSON_AddStringToObject(o, "name", e.name) ||
      !cJSON_AddStringToObject(o, "feature_class", fclass) ||
      !cJSON_AddStringToObject(o, "feature_code", e.fcode) ||
      !cJSON_AddStringToObject(o, "country", e.country) ||
      !cJSON_AddStringToObject(o, "admin1", e.admin1) ||
      !cJSON_AddNumberToObject(o, "lat", e.lat) ||
      !cJSON_AddNumberToObject(o, "lon", e.lon) ||
      !cJSON_AddNumberToObject(o, "population", e.population)) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_mention(cJSON *list, const gm_gazetteer *g, const char *text,
                       const gm_mention *m)
{
  cJSON *o = cJSON_CreateObject(), *s, *alts, *reasons, *entry;

  if (!o || !cJSON_AddItemToArray(list, o))
    return cJSON_Delete(o), -1;
  if (add_slice(o, "text", text + m->start, m->end - m->start) ||
      !cJSON_AddNumberToObject(o, "start", (double)m->cp_start) ||
      !cJSON_AddNumberToObject(o, "end", (double)m->cp_end) ||
      !cJSON_AddNumberToObject(o, "byte_start", (double)m->start) ||
      !cJSON_AddNumberToObject(o, "byte_end", (double)m->end) ||
      !cJSON_AddStringToObject(o, "role", role_name(m->role)) ||
      !cJSON_AddNumberToObject(o, "confidence", m->confidence) ||
      !cJSON_AddNumberToObject(o, "recognition", m->recognition) ||
      !(s = cJSON_AddObjectToObject(o, "sentence")) ||
      add_slice(s, "text", text + m->sentence_start,
                m->sentence_end - m->sentence_start) ||
      !cJSON_AddNumberToObject(s, "start", (double)m->sentence_cp_start) ||
      !cJSON_AddNumberToObject(s, "end", (double)m->sentence_cp_end))
    return -1;
  if (m->entry == GM_NO_ENTRY) {
    if (!cJSON_AddNullToObject(o, "entry"))
      return -1;
  } else if (!(entry = entry_object(g, m->entry)) ||
             !cJSON_AddItemToObject(o, "entry", entry)) {
    cJSON_Delete(entry);
    return -1;
  }
  if (!(alts = cJSON_AddArrayToObject(o, "alternatives")) ||
      !(reasons = cJSON_AddArrayToObject(o, "reasons")))
    return -1;
  for (size_t i = 0; i < m->n_alternatives; i++) {
    cJSON *a = entry_object(g, m->alternatives[i].entry);
    if (!a || !cJSON_AddItemToArray(alts, a) ||
        !cJSON_AddNumberToObject(a, "score", m->alternatives[i].score))
      return cJSON_Delete(a), -1;
  }
  for (size_t i = 0; i < m->n_reasons; i++) {
    cJSON *r = cJSON_CreateObject();
    if (!r || !cJSON_AddItemToArray(reasons, r) ||
        !cJSON_AddStringToObject(r, "signal", m->reasons[i].signal) ||
        !cJSON_AddNumberToObject(r, "weight", m->reasons[i].weight))
      return cJSON_Delete(r), -1;
  }
  return 0;
}

int gm__out_mentions(FILE *f, const gm_gazetteer *g, const char *article_id,
                     const char *text, const gm_result *r)
{
  cJSON *doc = cJSON_CreateObject(), *list;
  char *out = NULL;
  int rc = GM_ENOMEM;

  if (!doc || !cJSON_AddStringToObject(doc, "id", article_id) ||
      !(list = cJSON_AddArrayToObject(doc, "mentions")))
    goto done;
  for (size_t i = 0; i < gm_result_count(r); i++)
    if (add_mention(list, g, text, gm_result_mention(r, i)))
      goto done;
  if (!(out = cJSON_PrintUnformatted(doc)))
    goto done;
  rc = (fputs(out, f) == EOF || putc('\n', f) == EOF) ? GM_EIO : 0;
done:
  free(out);
  cJSON_Delete(doc);
  return rc;
}
