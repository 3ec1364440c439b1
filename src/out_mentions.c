/*
 * out_mentions.c — one article's parse as one line of JSON: every mention
 * with its offsets, sentence, resolved entry, confidence, alternatives
 * and the reasons behind the score (`geomention parse --mentions`).
 *
 * Strings go through the same writer as the GeoJSON (out_json.c), so an
 * article with invalid UTF-8 or NUL bytes still gives valid JSON.
 */
#include <stdio.h>
#include <string.h>

#include "out_geojson.h"
#include "out_json.h"

const char *gm__role_name(gm_role role)
{
  switch (role) {
  case GM_ROLE_PLACE: return "place";
  case GM_ROLE_REGION: return "region";
  case GM_ROLE_DEMONYM: return "demonym";
  case GM_ROLE_METONYM: return "metonym";
  }
  return "place";
}

static void string_key(gm__json *j, const char *key, const char *s)
{
  gm__json_key(j, key);
  gm__json_cstring(j, s);
}

/* The entry's members, inside an object the caller opened. */
static int entry_members(gm__json *j, const gm_gazetteer *g, uint32_t index)
{
  gm_entry e;
  char id[128], fclass[2];

  if (gm_gazetteer_entry(g, index, &e))
    return GM_EGAZETTEER;
  gm__entry_id(g, &e, id, sizeof id);
  fclass[0] = e.fclass;
  fclass[1] = '\0';
  string_key(j, "id", id);
  gm__json_key(j, "geonameid");
  if (e.geonameid)
    gm__json_uint(j, e.geonameid);
  else
    gm__json_null(j);
  string_key(j, "name", e.name);
  string_key(j, "feature_class", fclass);
  string_key(j, "feature_code", e.fcode);
  string_key(j, "country", e.country);
  string_key(j, "admin1", e.admin1);
  gm__json_key(j, "lat");
  gm__json_real(j, e.lat, 6);
  gm__json_key(j, "lon");
  gm__json_real(j, e.lon, 6);
  gm__json_key(j, "population");
  gm__json_uint(j, e.population);
  return 0;
}

/* "sentence": {text, start, end}; last, the sentence object written
 * last, which the mentions after it in the same sentence repeat as it
 * was written, not escaped again: mentions come in text order, and half
 * of them share their sentence with the one before. */
static void sentence(gm__json *j, const char *text, const gm_mention *m,
                     gm__json_text_value *last)
{
  size_t at;

  gm__json_key(j, "sentence");
  if (gm__json_repeat_text(j, last, m->sentence_start, m->sentence_end))
    return;
  at = j->out.len;
  gm__json_object(j);
  gm__json_key(j, "text");
  gm__json_string(j, text + m->sentence_start,
                  m->sentence_end - m->sentence_start);
  gm__json_key(j, "start");
  gm__json_uint(j, m->sentence_cp_start);
  gm__json_key(j, "end");
  gm__json_uint(j, m->sentence_cp_end);
  gm__json_end(j);
  gm__json_keep_text(j, last, at, m->sentence_start, m->sentence_end);
}

static void offsets(gm__json *j, const char *text, const gm_mention *m,
                    gm__json_text_value *last)
{
  gm__json_mention_span(j, text, m);
  string_key(j, "role", gm__role_name(m->role));
  gm__json_key(j, "confidence");
  gm__json_real(j, m->confidence, 4);
  gm__json_key(j, "recognition");
  gm__json_real(j, m->recognition, 4);
  sentence(j, text, m, last);
}

/* "reasons": [{signal, value, weight}...] */
static void reasons(gm__json *j, const gm_reason *r, size_t n)
{
  gm__json_key(j, "reasons");
  gm__json_array(j);
  for (size_t i = 0; i < n; i++) {
    gm__json_object(j);
    string_key(j, "signal", r[i].signal);
    gm__json_key(j, "value");
    gm__json_real(j, r[i].value, 4);
    gm__json_key(j, "weight");
    gm__json_real(j, r[i].weight, 4);
    gm__json_end(j);
  }
  gm__json_end(j);
}

static int add_mention(gm__json *j, const gm_gazetteer *g, const char *text,
                       const gm_mention *m, gm__json_text_value *last)
{
  gm__json_object(j);
  offsets(j, text, m, last);
  gm__json_key(j, "entry");
  if (m->entry == GM_NO_ENTRY) {
    gm__json_null(j);
  } else {
    gm__json_object(j);
    if (entry_members(j, g, m->entry))
      return GM_EGAZETTEER;
    gm__json_end(j);
  }
  gm__json_key(j, "alternatives");
  gm__json_array(j);
  for (size_t i = 0; i < m->n_alternatives; i++) {
    gm__json_object(j);
    if (entry_members(j, g, m->alternatives[i].entry))
      return GM_EGAZETTEER;
    gm__json_key(j, "score");
    gm__json_real(j, m->alternatives[i].score, 4);
    if (m->alternatives[i].reasons)
      reasons(j, m->alternatives[i].reasons, m->alternatives[i].n_reasons);
    gm__json_end(j);
  }
  gm__json_end(j);
  reasons(j, m->reasons, m->n_reasons);
  gm__json_end(j);
  return 0;
}

int gm__mentions_render(gm__buf *out, const gm_gazetteer *g,
                        const char *article_id, const char *text,
                        const gm_result *r)
{
  gm__json j = {.out = *out}; /* lent to the writer, taken back */
  size_t start = out->len;
  gm__json_text_value last = {0};
  int rc = 0;

  gm__json_object(&j);
  string_key(&j, "id", article_id);
  gm__json_key(&j, "mentions");
  gm__json_array(&j);
  for (size_t i = 0; i < gm_result_count(r) && !rc; i++)
    rc = add_mention(&j, g, text, gm_result_mention(r, i), &last);
  gm__json_end(&j);
  gm__json_end(&j);
  gm__json_raw(&j, "\n", 1);
  if (!rc && j.status)
    rc = j.status;
  *out = j.out;
  if (rc && out->data) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}

int gm__out_mentions(FILE *f, const gm_gazetteer *g, const char *article_id,
                     const char *text, const gm_result *r)
{
  gm__buf line = {0};
  int rc = gm__mentions_render(&line, g, article_id, text, r);

  if (!rc && fwrite(line.data, 1, line.len, f) != line.len)
    rc = GM_EIO;
  gm__buf_free(&line);
  return rc;
}
