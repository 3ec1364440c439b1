/*
 * cli_eval.c — `geomention eval`: run geomention over an evaluation
 * corpus (or read another system's predictions) and score the result by
 * the rules of ../shared/eval/score.py (eval_score.c).
 *
 * The gold corpus is streamed one article at a time; only a prediction
 * file given with --pred is held in memory, by article id, because its
 * articles may come in any order. A line that cannot be read is reported
 * as FILE:LINE and skipped, and the run ends with status 3.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_jsonl.h"
#include "eval_score.h"
#include "internal.h"

#define NONE ((size_t)-1)
#define ID_MAX 1024     /* an id's key and its NUL (id_key's message) */
#define CONTEXT_CP 50   /* code points of context either side of an error */
#define EXAMPLES 3      /* examples kept per group of errors */

static void help(void)
{
  printf(
      "Usage: geomention eval --gold CORPUS.jsonl [OPTION]...\n"
      "Geoparse every article of an evaluation corpus (../shared/eval\n"
      "format) and score the result exactly as ../shared/eval/score.py\n"
      "does: precision, recall, F1, and over the matched toponyms mean and\n"
      "median error (km, haversine), acc@161 and AUC. WikToR, Hu2014 and\n"
      "Ju2016 (told by the file name) are scored for resolution only.\n"
      "A FILE ending in .xz is read through `xz -dc` (xz-utils).\n\n"
      "  -g, --gold FILE         the corpus: one article a line, with id,\n"
      "                          text and toponyms (code-point offsets)\n"
      "  -P, --protocol NAME     eupeg (default: same lower-cased name,\n"
      "                          midpoints < 10 apart), strict (same span)\n"
      "                          or gold (geomention resolves the gold\n"
      "                          spans; an unanswered one counts 20039 km)\n"
      "  -j, --json              print the scores as score.py --json does\n"
      "  -p, --pred FILE         score this PRED file (score.py's format)\n"
      "                          instead of running geomention\n"
      "  -w, --write-pred FILE   save geomention's predictions as a PRED\n"
      "                          file: {id, toponyms: [{start, end, name,\n"
      "                          lat, lon, geonameid}]} per article\n"
      "  -e, --errors FILE       write the error analysis as JSON Lines:\n"
      "                          one line per kind and surface text, most\n"
      "                          frequent first: {kind, surface, count,\n"
      "                          examples: [{article, start, end, context,\n"
      "                          chosen, gold, km}]}, kind being\n"
      "                          false_positive, miss, wrong (matched\n"
      "                          but 161 km or more off) or wrong_point\n"
      "                          (as wrong, but the gold geonameid: the\n"
      "                          corpus puts that entry elsewhere)\n"
      "  -d, --demonyms          report demonyms (Ukrainian) as mentions\n"
      "  -G, --gazetteer FILE    the gazetteer to use\n\n"
      "Exit status 3 when some lines were rejected (each one reported as\n"
      "FILE:LINE); the scores then cover the lines that were read.\n");
}

/* ------------------------------------------------------------ toponyms */

/* What the error analysis shows beside what the scorer sees. */
typedef struct topo_extra {
  char *name;          /* owned; the eval_toponym's name points here */
  char *label;         /* owned: the gazetteer's name of the entry, or NULL */
  double geonameid;    /* -1 when unknown */
} topo_extra;

typedef struct topo_list {
  eval_toponym *v;
  topo_extra *x;
  size_t n, cap_v, cap_x;
} topo_list;

static char *copy_text(const char *s, size_t len)
{
  char *c = malloc(len + 1);
  if (c) {
    memcpy(c, s, len);
    c[len] = '\0';
  }
  return c;
}

/* Room for one more toponym in both arrays. */
static int topo_reserve(topo_list *l)
{
  return gm__grow(&l->v, &l->cap_v, l->n + 1, sizeof *l->v) ||
                 gm__grow(&l->x, &l->cap_x, l->n + 1, sizeof *l->x)
             ? -1
             : 0;
}

/* Append a toponym, copying its name and label. */
static int topo_push(topo_list *l, const eval_toponym *t, const char *name,
                     size_t name_len, const char *label, double geonameid)
{
  topo_extra x = {NULL, NULL, geonameid};

  if (topo_reserve(l))
    return -1;
  if ((name && !(x.name = copy_text(name, name_len))) ||
      (label && !(x.label = copy_text(label, strlen(label))))) {
    free(x.name);
    return -1;
  }
  l->v[l->n] = *t;
  l->v[l->n].name = x.name;
  l->x[l->n++] = x;
  return 0;
}

static void topo_clear(topo_list *l)
{
  for (size_t i = 0; i < l->n; i++) {
    free(l->x[i].name);
    free(l->x[i].label);
  }
  l->n = 0;
}

static void topo_free(topo_list *l)
{
  topo_clear(l);
  free(l->v);
  free(l->x);
  memset(l, 0, sizeof *l);
}

/* lat or lon: null or absent means "no coordinates". */
static const char *read_coord(const cJSON *o, const char *key, double *v,
                              int *has)
{
  const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, key);

  if (!c || cJSON_IsNull(c)) {
    *has = 0;
    return NULL;
  }
  if (!cJSON_IsNumber(c))
    return !strcmp(key, "lat") ? "lat is not a number"
                               : "lon is not a number";
  *v = c->valuedouble;
  return NULL;
}

/* One toponym object of a gold or PRED line into l; NULL, or what is
 * wrong with it. */
static const char *read_toponym(const cJSON *o, topo_list *l)
{
  const cJSON *start = cJSON_GetObjectItemCaseSensitive(o, "start");
  const cJSON *end = cJSON_GetObjectItemCaseSensitive(o, "end");
  const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
  const cJSON *label = cJSON_GetObjectItemCaseSensitive(o, "gaz_name");
  const cJSON *gid = cJSON_GetObjectItemCaseSensitive(o, "geonameid");
  eval_toponym t = {0};
  const char *problem;

  if (!cJSON_IsObject(o))
    return "a toponym is not an object";
  if (!cJSON_IsNumber(start) || !cJSON_IsNumber(end))
    return "a toponym lacks a numeric start or end";
  if (name && !cJSON_IsNull(name) && !cJSON_IsString(name))
    return "a toponym's name is not a string";
  t.start = start->valuedouble;
  t.end = end->valuedouble;
  t.has_coords = 1;
  if ((problem = read_coord(o, "lat", &t.lat, &t.has_coords)) ||
      (problem = read_coord(o, "lon", &t.lon, &t.has_coords)))
    return problem;
  if (topo_push(l, &t, cJSON_IsString(name) ? name->valuestring : NULL,
                cJSON_IsString(name) ? strlen(name->valuestring) : 0,
                cJSON_IsString(label) ? label->valuestring : NULL,
                cJSON_IsNumber(gid) ? gid->valuedouble : -1))
    return "out of memory";
  return NULL;
}

static const char *read_toponyms(const cJSON *doc, const char *key,
                                 int required, topo_list *l)
{
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, key), *t;
  const char *problem;

  if (!list && !required)
    return NULL;
  if (!cJSON_IsArray(list))
    return required ? "no \"toponyms\" array" : "\"toponyms\" is not an array";
  cJSON_ArrayForEach(t, list)
  if ((problem = read_toponym(t, l)))
    return problem;
  return NULL;
}

/* --------------------------------------------------------- string map */

/* Keys to indices, open addressing; the map owns copies of the keys. */
typedef struct strmap {
  struct slot {
    char *key;
    size_t value;
  } *slot;
  size_t cap, n;
} strmap;

static uint64_t hash(const char *s)
{
  return gm__hash(s, strlen(s));
}

static size_t strmap_get(const strmap *m, const char *key)
{
  if (!m->cap)
    return NONE;
  for (size_t i = hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->slot[i].key)
      return NONE;
    if (!strcmp(m->slot[i].key, key))
      return m->slot[i].value;
  }
}

static int strmap_grow(strmap *m)
{
  strmap g = {calloc(m->cap ? 2 * m->cap : 64, sizeof *g.slot),
              m->cap ? 2 * m->cap : 64, m->n};

  if (!g.slot)
    return -1;
  for (size_t i = 0; i < m->cap; i++) {
    size_t j = hash(m->slot[i].key ? m->slot[i].key : "") & (g.cap - 1);
    if (!m->slot[i].key)
      continue;
    while (g.slot[j].key)
      j = (j + 1) & (g.cap - 1);
    g.slot[j] = m->slot[i];
  }
  free(m->slot);
  *m = g;
  return 0;
}

/* Add key -> value; the key must not be there yet. */
static int strmap_put(strmap *m, const char *key, size_t value)
{
  size_t i;
  char *copy;

  if ((2 * (m->n + 1) > m->cap && strmap_grow(m)) ||
      !(copy = copy_text(key, strlen(key))))
    return -1;
  for (i = hash(key) & (m->cap - 1); m->slot[i].key; i = (i + 1) & (m->cap - 1))
    ;
  m->slot[i].key = copy;
  m->slot[i].value = value;
  m->n++;
  return 0;
}

static void strmap_free(strmap *m)
{
  for (size_t i = 0; i < m->cap; i++)
    free(m->slot[i].key);
  free(m->slot);
  memset(m, 0, sizeof *m);
}

/* ----------------------------------------------------------- articles */

typedef struct article {
  cJSON *json;
  const cJSON *id;
  char key[ID_MAX];
  const char *text;
  size_t len;
  size_t *cp_at;        /* byte offset of each code point, len at [n_cp] */
  size_t n_cp;
  topo_list gold, pred;
} article;

static void article_clear(article *a)
{
  cJSON_Delete(a->json);
  free(a->cp_at);
  a->json = NULL;
  a->cp_at = NULL;
  topo_clear(&a->gold);
  topo_clear(&a->pred);
}

/* The key of an article id (cli_id_key) into key[ID_MAX]; NULL, or why
 * there is none. */
static const char *id_key(const cJSON *id, char *key)
{
  if (!cli_id_key(id, key, ID_MAX))
    return NULL;
  return cJSON_IsString(id) || cJSON_IsNumber(id)
             ? "\"id\" is longer than 1023 bytes"
             : "no usable \"id\" (a string or a number)";
}

/* Parse one gold line; NULL or what is wrong with it. */
static const char *article_load(article *a, const char *line, size_t len)
{
  const cJSON *text;
  const char *problem;

  article_clear(a);
  if (!(a->json = cli_json_parse(line, len)) ||
      !cJSON_IsObject(a->json))
    return "not a JSON object";
  a->id = cJSON_GetObjectItemCaseSensitive(a->json, "id");
  if ((problem = id_key(a->id, a->key)))
    return problem;
  text = cJSON_GetObjectItemCaseSensitive(a->json, "text");
  if (!cJSON_IsString(text))
    return "no \"text\" string";
  a->text = text->valuestring;
  a->len = strlen(a->text);
  if (!(a->cp_at = cli_cp_offsets(a->text, a->len, &a->n_cp)))
    return "out of memory";
  return read_toponyms(a->json, "toponyms", 1, &a->gold);
}

/* Python's text[start:end] in bytes: negative indices count from the
 * end, both are clamped; a non-integral offset gives nothing. */
static void cp_slice(const article *a, double start, double end, size_t *b0,
                     size_t *b1)
{
  double n = (double)a->n_cp;

  *b0 = *b1 = 0;
  if (floor(start) != start || floor(end) != end)
    return;
  start = start < 0 ? fmax(start + n, 0) : fmin(start, n);
  end = end < 0 ? fmax(end + n, 0) : fmin(end, n);
  if (end <= start)
    return;
  *b0 = a->cp_at[(size_t)start];
  *b1 = a->cp_at[(size_t)end];
}

/* ---------------------------------------------------- error analysis */

typedef struct error_group {
  const char *kind;
  char *surface;
  size_t count;
  cJSON *examples;
} error_group;

typedef struct error_groups {
  error_group *v;
  size_t n, cap;
  strmap index;         /* kind, tab, surface -> v */
} error_groups;

static void error_groups_free(error_groups *g)
{
  for (size_t i = 0; i < g->n; i++) {
    free(g->v[i].surface);
    cJSON_Delete(g->v[i].examples);
  }
  free(g->v);
  strmap_free(&g->index);
}

static error_group *error_group_get(error_groups *g, const char *kind,
                                    const char *surface)
{
  size_t klen = strlen(kind), slen = strlen(surface), i;
  char *key = malloc(klen + slen + 2);
  error_group *e = NULL;

  if (!key)
    return NULL;
  sprintf(key, "%s\t%s", kind, surface);
  if ((i = strmap_get(&g->index, key)) != NONE) {
    free(key);
    return &g->v[i];
  }
  if (gm__grow(&g->v, &g->cap, g->n + 1, sizeof *g->v))
    goto done;
  e = &g->v[g->n];
  *e = (error_group){kind, copy_text(surface, slen), 0, cJSON_CreateArray()};
  if (!e->surface || !e->examples || strmap_put(&g->index, key, g->n)) {
    free(e->surface);
    cJSON_Delete(e->examples);
    e = NULL;
    goto done;
  }
  g->n++;
done:
  free(key);
  return e;
}

/* The text around a span, the span in [[ ]], its white space squeezed
 * to single spaces so that it reads as one line. */
static char *context(const article *a, double start, double end)
{
  size_t s0, s1, c0, c1;
  double from = fmax(start - CONTEXT_CP, 0), to = fmin(end + CONTEXT_CP,
                                                       (double)a->n_cp);
  char *out, *o;

  cp_slice(a, start, end, &s0, &s1);
  cp_slice(a, from, to, &c0, &c1);
  if (s1 == 0 || c0 > s0 || c1 < s1)
    c0 = s0 = s1 = c1 = 0;
  if (!(o = out = malloc(c1 - c0 + 16)))
    return NULL;
  for (size_t i = c0; i <= c1; i++) {
    int space = i < c1 && strchr(" \r\n\t\f\v", a->text[i]);
    if (i == s0 && s1)
      o += sprintf(o, "[[");
    if (i == s1 && s1)
      o += sprintf(o, "]]");
    if (i < c1 && !(space && o > out && o[-1] == ' '))
      *o++ = space ? ' ' : a->text[i];
  }
  *o = '\0';
  return out;
}

static cJSON *entry_json(const eval_toponym *t, const topo_extra *x)
{
  cJSON *o = cJSON_CreateObject();
  const char *name = x->label ? x->label : t->name ? t->name : "";

  if (!o || !cJSON_AddStringToObject(o, "name", name) ||
      !(x->geonameid >= 0 ? cJSON_AddNumberToObject(o, "geonameid",
                                                    x->geonameid)
                          : cJSON_AddNullToObject(o, "geonameid")) ||
      !(t->has_coords ? cJSON_AddNumberToObject(o, "lat", t->lat) &&
                            cJSON_AddNumberToObject(o, "lon", t->lon)
                      : cJSON_AddNullToObject(o, "lat") &&
                            cJSON_AddNullToObject(o, "lon"))) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

static int add_json(cJSON *o, const char *key, cJSON *item)
{
  if (!item || !cJSON_AddItemToObject(o, key, item)) {
    cJSON_Delete(item);
    return -1;
  }
  return 0;
}

static cJSON *example_json(const article *a, size_t gi, size_t pj,
                           double km, int answered)
{
  const eval_toponym *t = gi != NONE ? &a->gold.v[gi] : &a->pred.v[pj];
  cJSON *o = cJSON_CreateObject();
  char *ctx = context(a, t->start, t->end);

  if (!o || !ctx || add_json(o, "article", cJSON_Duplicate(a->id, 0)) ||
      !cJSON_AddNumberToObject(o, "start", t->start) ||
      !cJSON_AddNumberToObject(o, "end", t->end) ||
      !cJSON_AddStringToObject(o, "context", ctx) ||
      add_json(o, "chosen", pj != NONE ? entry_json(&a->pred.v[pj],
                                                    &a->pred.x[pj])
                                       : cJSON_CreateNull()) ||
      add_json(o, "gold", gi != NONE ? entry_json(&a->gold.v[gi],
                                                  &a->gold.x[gi])
                                     : cJSON_CreateNull()) ||
      add_json(o, "km", answered ? cJSON_CreateNumber(round(km * 10) / 10)
                                 : cJSON_CreateNull())) {
    cJSON_Delete(o);
    o = NULL;
  }
  free(ctx);
  return o;
}

typedef struct doc_errors {
  error_groups *groups;
  const article *a;
} doc_errors;

/* The right entry, far from the gold point: the corpus and GeoNames
 * place it differently (a province's centre, say), which is no
 * resolution error to chase. */
static int same_entry(const article *a, size_t gi, size_t pj)
{
  return gi != NONE && pj != NONE && a->gold.x[gi].geonameid >= 0 &&
         a->gold.x[gi].geonameid == a->pred.x[pj].geonameid;
}

static int on_outcome(void *arg, eval_outcome what, size_t gi, size_t pj,
                      double km)
{
  doc_errors *d = arg;
  const eval_toponym *t = gi != NONE ? &d->a->gold.v[gi] : &d->a->pred.v[pj];
  const char *kind = what == EVAL_FALSE_POSITIVE ? "false_positive"
                     : what == EVAL_MISS        ? "miss"
                     : same_entry(d->a, gi, pj) ? "wrong_point"
                                                : "wrong";
  size_t b0, b1;
  char *surface;
  error_group *g;
  cJSON *ex;

  if (what == EVAL_HIT && km < EVAL_ACC_KM)
    return 0;
  cp_slice(d->a, t->start, t->end, &b0, &b1);
  surface = b1 > b0 ? copy_text(d->a->text + b0, b1 - b0)
                    : copy_text(t->name ? t->name : "",
                                t->name ? strlen(t->name) : 0);
  g = surface ? error_group_get(d->groups, kind, surface) : NULL;
  free(surface);
  if (!g)
    return -1;
  if (g->count++ >= EXAMPLES)
    return 0;
  if (!(ex = example_json(d->a, gi, pj, km, what != EVAL_MISS)) ||
      !cJSON_AddItemToArray(g->examples, ex)) {
    cJSON_Delete(ex);
    return -1;
  }
  return 0;
}

static int by_count(const void *a, const void *b)
{
  const error_group *x = a, *y = b;
  int k;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  if ((k = strcmp(x->kind, y->kind)))
    return k;
  return strcmp(x->surface, y->surface);
}

static int write_errors(error_groups *g, FILE *f)
{
  qsort(g->v, g->n, sizeof *g->v, by_count);
  for (size_t i = 0; i < g->n; i++) {
    cJSON *o = cJSON_CreateObject();
    char *line = NULL;
    int bad = !o || !cJSON_AddStringToObject(o, "kind", g->v[i].kind) ||
              !cJSON_AddStringToObject(o, "surface", g->v[i].surface) ||
              !cJSON_AddNumberToObject(o, "count", (double)g->v[i].count) ||
              !cJSON_AddItemReferenceToObject(o, "examples",
                                              g->v[i].examples) ||
              !(line = cJSON_PrintUnformatted(o)) || fputs(line, f) == EOF ||
              putc('\n', f) == EOF;
    free(line);
    cJSON_Delete(o);
    if (bad)
      return -1;
  }
  return 0;
}

/* -------------------------------------------------------------- a run */

typedef struct eval_run {
  /* options */
  const char *gold_path, *pred_path, *write_pred_path, *errors_path;
  const char *gaz_path;
  eval_protocol protocol;
  int json;
  gm_parse_options popt;
  /* state */
  gm_gazetteer *gaz;
  gm_parser *parser;
  gm_span *spans;
  size_t *span_gold;     /* the gold toponym of each span */
  size_t cap_spans, cap_span_gold;
  strmap pred_index;     /* article key -> preds */
  struct pred_doc {
    topo_list toponyms;
    size_t line;         /* of the PRED file */
    int scored;          /* a gold article has its id */
  } *preds;
  size_t n_preds, cap_preds;
  eval_score score;
  cli_output write_pred, errors;
  error_groups groups;
  size_t n_docs_pred, n_rejected;
} eval_run;

static void reject(eval_run *r, const char *path, size_t line,
                   const char *problem)
{
  cli_warn("%s:%zu: %s", path, line, problem);
  r->n_rejected++;
}

/* ------------------------------------------------- predictions: a file */

static const char *pred_line(eval_run *r, const char *line, size_t len,
                             size_t number)
{
  cJSON *doc = cli_json_parse(line, len);
  char key[ID_MAX];
  topo_list l = {0};
  const char *problem = NULL;
  size_t i;

  if (!doc || !cJSON_IsObject(doc))
    problem = "not a JSON object";
  else if (!(problem = id_key(cJSON_GetObjectItemCaseSensitive(doc, "id"),
                               key)))
    problem = read_toponyms(doc, "toponyms", 0, &l);
  cJSON_Delete(doc);
  if (problem) {
    topo_free(&l);
    return problem;
  }
  /* a later line with the same id replaces the earlier, as in a dict */
  if ((i = strmap_get(&r->pred_index, key)) != NONE) {
    topo_free(&r->preds[i].toponyms);
    r->preds[i] = (struct pred_doc){l, number, 0};
    return NULL;
  }
  if (gm__grow(&r->preds, &r->cap_preds, r->n_preds + 1, sizeof *r->preds) ||
      strmap_put(&r->pred_index, key, r->n_preds))
    return topo_free(&l), "out of memory";
  r->preds[r->n_preds++] = (struct pred_doc){l, number, 0};
  return NULL;
}

static int load_preds(eval_run *r)
{
  cli_lines in;
  char *line;
  size_t len;
  int rc, status = cli_lines_open(&in, r->pred_path);

  while (!status && (rc = cli_lines_next(&in, &line, &len)) > 0) {
    const char *problem;
    if (cli_jsonl_blank(line, len))
      continue;
    if ((problem = pred_line(r, line, len, in.number))) {
      if (!strcmp(problem, "out of memory"))
        status = EXIT_FAILURE_;
      reject(r, r->pred_path, in.number, problem);
    }
  }
  if (!status && rc < 0)
    status = EXIT_FAILURE_;
  rc = cli_lines_close(&in);
  return status ? status : rc;
}

/* The stored predictions for a, names filled from its text where
 * missing, as score.py does. Returns 0, or -1 when out of memory. */
static int preds_from_file(eval_run *r, article *a)
{
  size_t i = strmap_get(&r->pred_index, a->key);
  const topo_list *l;

  if (i == NONE)
    return 0;
  r->n_docs_pred++;
  r->preds[i].scored = 1;
  l = &r->preds[i].toponyms;
  for (size_t k = 0; k < l->n; k++) {
    const eval_toponym *t = &l->v[k];
    const char *name = t->name;
    size_t b0 = 0, b1 = 0;
    if (!name || !*name)
      cp_slice(a, t->start, t->end, &b0, &b1);
    if (topo_push(&a->pred, t, name && *name ? name : a->text + b0,
                  name && *name ? strlen(name) : b1 - b0, l->x[k].label,
                  l->x[k].geonameid))
      return -1;
  }
  return 0;
}

/* PRED lines no gold article asked for: score.py passes over them too,
 * but a file whose ids do not meet the gold's ("1" for 1) would score
 * nothing without a word. */
static void warn_unscored(const eval_run *r)
{
  size_t n = 0, first = 0;

  for (size_t i = 0; i < r->n_preds; i++)
    if (!r->preds[i].scored && (n++ == 0 || r->preds[i].line < first))
      first = r->preds[i].line;
  if (n)
    cli_warn("%s:%zu: no article of %s has this id; %zu such line%s, not "
             "scored", r->pred_path, first, r->gold_path, n,
             n > 1 ? "s" : "");
}

/* -------------------------------------------- predictions: geomention */

/* The gold spans in bytes, for the gold protocol; spans outside the
 * text are left unanswered, and the line reported once. */
static int gold_spans(eval_run *r, const article *a, size_t line,
                      size_t *n)
{
  size_t outside = 0;

  *n = 0;
  if (gm__grow(&r->spans, &r->cap_spans, a->gold.n, sizeof *r->spans) ||
      gm__grow(&r->span_gold, &r->cap_span_gold, a->gold.n,
               sizeof *r->span_gold))
    return -1;
  for (size_t i = 0; i < a->gold.n; i++) {
    const eval_toponym *t = &a->gold.v[i];
    if (!(t->start >= 0 && t->start <= t->end &&
          t->end <= (double)a->n_cp && floor(t->start) == t->start &&
          floor(t->end) == t->end)) {
      outside++;
      continue;
    }
    r->spans[*n] = (gm_span){a->cp_at[(size_t)t->start],
                             a->cp_at[(size_t)t->end]};
    r->span_gold[(*n)++] = i;
  }
  if (outside) {
    char problem[128];
    snprintf(problem, sizeof problem, "%zu toponym%s span%s outside the "
             "text; left unanswered", outside,
             outside > 1 ? "s'" : "'s", outside > 1 ? "s lie" : " lies");
    reject(r, r->gold_path, line, problem);
  }
  return 0;
}

static int push_mention(eval_run *r, article *a, const gm_mention *m,
                        size_t gold)
{
  eval_toponym t = {0};
  gm_entry e;

  if (m->entry == GM_NO_ENTRY ||
      gm_gazetteer_entry(r->gaz, m->entry, &e) != GM_OK)
    return 0;
  t.start = gold != NONE ? a->gold.v[gold].start : (double)m->cp_start;
  t.end = gold != NONE ? a->gold.v[gold].end : (double)m->cp_end;
  t.has_coords = 1;
  t.lat = e.lat;
  t.lon = e.lon;
  return topo_push(&a->pred, &t, a->text + m->start, m->end - m->start,
                   e.name, e.geonameid ? (double)e.geonameid : -1);
}

/* Run geomention on a; a failure on this article is reported and leaves
 * it without predictions. Returns an exit status. */
static int preds_from_pipeline(eval_run *r, article *a, size_t line)
{
  gm_result *res = NULL;
  gm_error err;
  size_t n = 0;
  int rc;

  if (r->protocol == EVAL_GOLD) {
    if (gold_spans(r, a, line, &n))
      return cli_warn("out of memory"), EXIT_FAILURE_;
    rc = gm_resolve_spans(r->parser, a->text, a->len, r->spans, n, &res,
                          &err);
  } else {
    rc = gm_parse(r->parser, a->text, a->len, &res, &err);
  }
  if (rc) {
    reject(r, r->gold_path, line, err.message);
    return rc == GM_ENOMEM ? EXIT_FAILURE_ : EXIT_OK;
  }
  r->n_docs_pred++;
  for (size_t i = 0; i < gm_result_count(res) && !rc; i++)
    rc = push_mention(r, a, gm_result_mention(res, i),
                      r->protocol == EVAL_GOLD && i < n ? r->span_gold[i]
                                                        : NONE);
  gm_result_free(res);
  if (rc)
    return cli_warn("out of memory"), EXIT_FAILURE_;
  return EXIT_OK;
}

/* One line of the PRED file for a. */
static int write_pred(FILE *f, const article *a)
{
  cJSON *doc = cJSON_CreateObject(), *list;
  char *out = NULL;
  int rc = -1;

  if (!doc || add_json(doc, "id", cJSON_Duplicate(a->id, 0)) ||
      !(list = cJSON_AddArrayToObject(doc, "toponyms")))
    goto done;
  for (size_t i = 0; i < a->pred.n; i++) {
    const eval_toponym *t = &a->pred.v[i];
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(list, o)) {
      cJSON_Delete(o);
      goto done;
    }
    if (!cJSON_AddNumberToObject(o, "start", t->start) ||
        !cJSON_AddNumberToObject(o, "end", t->end) ||
        !cJSON_AddStringToObject(o, "name", t->name ? t->name : "") ||
        !cJSON_AddNumberToObject(o, "lat", t->lat) ||
        !cJSON_AddNumberToObject(o, "lon", t->lon) ||
        !(a->pred.x[i].geonameid >= 0
              ? cJSON_AddNumberToObject(o, "geonameid", a->pred.x[i].geonameid)
              : cJSON_AddNullToObject(o, "geonameid")))
      goto done;
  }
  if ((out = cJSON_PrintUnformatted(doc)) && fputs(out, f) != EOF &&
      putc('\n', f) != EOF)
    rc = 0;
done:
  free(out);
  cJSON_Delete(doc);
  return rc;
}

/* ------------------------------------------------------- the gold pass */

static int eval_article(eval_run *r, article *a, size_t line)
{
  doc_errors d = {&r->groups, a};
  int status = EXIT_OK;

  if (r->pred_path) {
    if (preds_from_file(r, a))
      return cli_warn("out of memory"), EXIT_FAILURE_;
  } else if ((status = preds_from_pipeline(r, a, line))) {
    return status;
  }
  if (r->write_pred.f && write_pred(r->write_pred.f, a))
    return cli_output_failed(&r->write_pred, "out of memory");
  if (eval_score_doc(&r->score, a->gold.v, a->gold.n, a->pred.v, a->pred.n,
                     r->errors.f ? on_outcome : NULL, &d)) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  return EXIT_OK;
}

static int gold_pass(eval_run *r)
{
  cli_lines in;
  article a = {0};
  char *line;
  size_t len;
  int rc = 0, status = cli_lines_open(&in, r->gold_path);

  while (!status && (rc = cli_lines_next(&in, &line, &len)) > 0) {
    const char *problem;
    if (cli_jsonl_blank(line, len))
      continue;
    if ((problem = article_load(&a, line, len))) {
      reject(r, r->gold_path, in.number, problem);
      if (!strcmp(problem, "out of memory"))
        status = EXIT_FAILURE_;
      continue;
    }
    status = eval_article(r, &a, in.number);
  }
  if (!status && rc < 0)
    status = EXIT_FAILURE_;
  article_clear(&a);
  topo_free(&a.gold);
  topo_free(&a.pred);
  rc = cli_lines_close(&in);
  return status ? status : rc;
}

/* The corpus name score.py goes by: the basename up to its first dot. */
static char *corpus_name(const char *path)
{
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  return copy_text(base, strcspn(base, "."));
}

static int report(eval_run *r, const char *corpus)
{
  eval_metrics m;
  int rc, status;

  eval_score_finish(&r->score, &m);
  /* a failed write is reported with its reason; else eval_print ran out
   * of memory */
  rc = eval_print(stdout, &r->score, &m, corpus, r->n_docs_pred, r->json);
  if ((status = cli_stdout_close(rc && ferror(stdout) ? errno : 0)))
    return status;
  if (rc)
    return cli_warn("out of memory"), EXIT_FAILURE_;
  if (r->errors.f && write_errors(&r->groups, r->errors.f))
    return cli_output_failed(&r->errors, "out of memory");
  return EXIT_OK;
}

static int open_outputs(eval_run *r)
{
  int status = EXIT_OK;

  if (r->write_pred_path)
    status = cli_output_open(&r->write_pred, r->write_pred_path);
  if (!status && r->errors_path)
    status = cli_output_open(&r->errors, r->errors_path);
  return status;
}

static int close_outputs(eval_run *r, int ok)
{
  int status = EXIT_OK, rc;

  if (r->write_pred.f && (rc = cli_output_close(&r->write_pred, ok)))
    status = rc;
  if (r->errors.f && (rc = cli_output_close(&r->errors, ok)))
    status = rc;
  return status;
}

static int run(eval_run *r)
{
  char *corpus = corpus_name(r->gold_path);
  gm_error err;
  int status;

  if (!corpus)
    return cli_warn("out of memory"), EXIT_FAILURE_;
  eval_score_init(&r->score, r->protocol, eval_resolution_only(corpus));
  if (r->pred_path)
    status = load_preds(r);
  else if (!(status = cli_open_gazetteer(r->gaz_path, &r->gaz)) &&
           gm_parser_new(r->gaz, &r->popt, &r->parser, &err)) {
    cli_warn("%s", err.message);
    status = EXIT_FAILURE_;
  }
  if (!status)
    status = open_outputs(r);
  if (!status)
    status = gold_pass(r);
  if (!status && r->pred_path)
    warn_unscored(r);
  if (!status)
    status = report(r, corpus);
  {
    int closed = close_outputs(r, status == EXIT_OK);
    if (closed)
      status = closed;
  }
  free(corpus);
  return status;
}

static void run_free(eval_run *r)
{
  for (size_t i = 0; i < r->n_preds; i++)
    topo_free(&r->preds[i].toponyms);
  free(r->preds);
  strmap_free(&r->pred_index);
  error_groups_free(&r->groups);
  eval_score_free(&r->score);
  free(r->spans);
  free(r->span_gold);
  gm_parser_free(r->parser);
  gm_gazetteer_close(r->gaz);
}

static int parse_protocol(const char *s, eval_protocol *p)
{
  static const char *const names[] = {"eupeg", "strict", "gold"};
  for (int i = 0; i < 3; i++)
    if (!strcmp(s, names[i])) {
      *p = (eval_protocol)i;
      return 0;
    }
  return -1;
}

int cmd_eval(int argc, char **argv)
{
  static const struct option opts[] = {
      {"gold", required_argument, NULL, 'g'},
      {"protocol", required_argument, NULL, 'P'},
      {"json", no_argument, NULL, 'j'},
      {"pred", required_argument, NULL, 'p'},
      {"write-pred", required_argument, NULL, 'w'},
      {"errors", required_argument, NULL, 'e'},
      {"demonyms", no_argument, NULL, 'd'},
      {"gazetteer", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  eval_run r = {0};
  int ch, status;

  optind = 1;
  while ((ch = getopt_long(argc, argv, "g:P:jp:w:e:dG:h", opts, NULL)) != -1) {
    switch (ch) {
    case 'g': r.gold_path = optarg; break;
    case 'P':
      if (parse_protocol(optarg, &r.protocol))
        return cli_usage("--protocol: expected eupeg, strict or gold, got "
                         "'%s'", optarg);
      break;
    case 'j': r.json = 1; break;
    case 'p': r.pred_path = optarg; break;
    case 'w': r.write_pred_path = optarg; break;
    case 'e': r.errors_path = optarg; break;
    case 'd': r.popt.demonyms = 1; break;
    case 'G': r.gaz_path = optarg; break;
    case 'h': help(); return EXIT_OK;
    default: return cli_usage("eval: bad option");
    }
  }
  if (optind < argc)
    return cli_usage("eval: unexpected argument '%s'", argv[optind]);
  if (!r.gold_path)
    return cli_usage("eval: --gold CORPUS.jsonl is required");
  if (r.pred_path && (r.write_pred_path || r.popt.demonyms || r.gaz_path))
    return cli_usage("eval: --pred scores a file; --write-pred, --demonyms "
                     "and --gazetteer need a geomention run");
  status = run(&r);
  run_free(&r);
  if (status == EXIT_OK && r.n_rejected) {
    cli_warn("%zu line%s rejected", r.n_rejected, r.n_rejected > 1 ? "s" : "");
    status = EXIT_REJECTED;
  }
  return status;
}
