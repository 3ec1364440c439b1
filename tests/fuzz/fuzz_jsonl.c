/*
 * fuzz_jsonl.c — the JSON Lines records of a batch: each line of the input
 * made an article as `parse` makes it (cli_jsonl_article), and its id
 * noted as the batch notes it (cli_ids_note, then cli_ids_report).
 *
 * Every input is read twice: with the default field names and size limit,
 * and with other names (body, headline, link, published, key) and a
 * 64-byte limit, so that the same seeds reach field selection and the
 * limit. Checked: an accepted line is one JSON object and nothing after
 * it; an article's text is its text field's string, within
 * the limit and UTF-8 text; its id is the id field's string or number; a
 * rejected record says one of the documented reasons and keeps nothing;
 * a repeated id is reported exactly when an earlier good record of the
 * input had it, with that record's line, in input order.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ids.h"
#include "cli_jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const reasons[] = {
    "invalid JSON", "not a JSON object", "no \"", "field \"",
    "article over --max-article-bytes (", "not UTF-8 text",
};

static void check_rejected(const batch_article *a)
{
  size_t i, n = sizeof reasons / sizeof *reasons;

  if (a->text || a->id || a->title || a->url || a->date || a->len ||
      !memchr(a->reason, '\0', sizeof a->reason))
    abort();
  for (i = 0; i < n && strncmp(a->reason, reasons[i], strlen(reasons[i]));
       i++)
    ;
  if (i == n)
    abort();
}

/* The field as the article should hold it, checked against what it does. */
static void check_field(const cJSON *o, const char *key, const char *got)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

  if (cJSON_IsString(v)) {
    if (!got || strcmp(got, v->valuestring))
      abort();
  } else if (cJSON_IsNumber(v)) {
    if (!got || strtod(got, NULL) != v->valuedouble)
      abort();
  } else if (got) {
    abort();
  }
}

/* Whether line holds the six characters \u0000 (an escaped NUL, or a
 * backslash and "u0000" in a string: either way cJSON's reading is not
 * the article's, which has a space for each escaped NUL). */
static int nul_escaped(const char *line, size_t len)
{
  for (size_t i = 0; i + 6 <= len; i++)
    if (!memcmp(line + i, "\\u0000", 6))
      return 1;
  return 0;
}

static void check_article(const batch_options *opt, const char *line,
                          size_t len, const batch_article *a)
{
  const char *end = NULL;
  cJSON *o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
  const cJSON *text =
      cJSON_GetObjectItemCaseSensitive(o, opt->field[FIELD_TEXT]);

  /* the whole line is the one object: nothing after it but JSON
   * whitespace went unread */
  if (!cJSON_IsObject(o))
    abort();
  for (; end < line + len; end++)
    if (!memchr(" \t\r\n", *end, 4))
      abort();
  if (!a->text || strlen(a->text) != a->len ||
      a->len > opt->max_article_bytes || !batch_utf8_text(a->text, a->len) ||
      memchr(line, '\0', len))
    abort();
  if (!nul_escaped(line, len)) {
    /* cJSON's own reading of the untouched line agrees */
    if (!cJSON_IsString(text) || strcmp(text->valuestring, a->text))
      abort();
    check_field(o, opt->field[FIELD_ID], a->id);
    check_field(o, opt->field[FIELD_TITLE], a->title);
    check_field(o, opt->field[FIELD_URL], a->url);
    check_field(o, opt->field[FIELD_DATE], a->date);
  } else if (o && cJSON_IsString(text) &&
             strncmp(text->valuestring, a->text, strlen(text->valuestring))) {
    abort(); /* cJSON's text stops at the NUL; ours goes on, a space */
  }
  cJSON_Delete(o);
}

/* The ids of the good records so far, to find a repeat the slow way,
 * and the repeats expected: (line, first line, id) in input order. */
typedef struct seen {
  char **id;
  size_t *line, n;
  size_t *repeat, *repeat_first, n_repeats, reported;
  char **repeat_id;
} seen;

static size_t first_line(const seen *s, const char *id)
{
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->id[i], id))
      return s->line[i];
  return 0;
}

/* Append x to a growing array of n items; out of memory in a fuzzer:
 * nothing else to do. */
static void push(void *array, size_t n, size_t size, const void *x)
{
  void **p = array;
  char *grown = realloc(*p, (n + 1) * size);

  if (!grown)
    abort();
  memcpy(grown + n * size, x, size);
  *p = grown;
}

static void check_id(seen *s, cli_ids *ids, const batch_article *a)
{
  size_t first;
  char *id;

  if (cli_ids_note(ids, a))
    abort();
  if (a->reason[0] || !a->id)
    return;
  first = first_line(s, a->id);
  if (!(id = strdup(a->id)))
    abort();
  if (first) {
    push(&s->repeat, s->n_repeats, sizeof *s->repeat, &a->line);
    push(&s->repeat_first, s->n_repeats, sizeof *s->repeat_first, &first);
    push(&s->repeat_id, s->n_repeats++, sizeof *s->repeat_id, &id);
  } else {
    push(&s->id, s->n, sizeof *s->id, &id);
    push(&s->line, s->n++, sizeof *s->line, &a->line);
  }
}

/* Each repeat reported is the next one expected, its id cut to
 * CLI_ID_SHOWN bytes. */
static int check_repeat(void *ctx, const cli_duplicate *d)
{
  seen *s = ctx;
  size_t k = s->reported++;

  if (k >= s->n_repeats || d->line != s->repeat[k] ||
      d->first_line != s->repeat_first[k] ||
      d->source != d->first_source ||
      strncmp(d->id, s->repeat_id[k], CLI_ID_SHOWN) ||
      strlen(d->id) > CLI_ID_SHOWN)
    abort();
  return 0;
}

static void seen_free(seen *s)
{
  for (size_t i = 0; i < s->n; i++)
    free(s->id[i]);
  for (size_t i = 0; i < s->n_repeats; i++)
    free(s->repeat_id[i]);
  free(s->id);
  free(s->line);
  free(s->repeat);
  free(s->repeat_first);
  free(s->repeat_id);
}

/* A small budget, so that the ids go through runs on disk and merges. */
static void run(const batch_options *opt, const char *text, size_t size)
{
  static const char source[] = "fuzz.jsonl";
  cli_ids *ids = cli_ids_new(256);
  seen s = {0};
  size_t at = 0, number = 0;

  if (!ids)
    abort();
  while (at < size) {
    const char *nl = memchr(text + at, '\n', size - at);
    size_t len = nl ? (size_t)(nl - text - at) : size - at;
    batch_article a;

    memset(&a, 0, sizeof a);
    a.source = source;
    a.line = ++number;
    if (cli_jsonl_article(opt, text + at, len, &a) != 1)
      abort();
    if (a.reason[0])
      check_rejected(&a);
    else
      check_article(opt, text + at, len, &a);
    check_id(&s, ids, &a);
    batch_article_clear(&a);
    at += len + 1;
  }
  if (cli_ids_report(ids, check_repeat, &s) || s.reported != s.n_repeats)
    abort();
  seen_free(&s);
  cli_ids_free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const batch_options plain = {
      .field = {"id", "title", "url", "date", "text"},
      .max_article_bytes = (size_t)10 << 20};
  static const batch_options renamed = {
      .field = {"key", "headline", "link", "published", "body"},
      .max_article_bytes = 64};

  run(&plain, (const char *)data, size);
  run(&renamed, (const char *)data, size);
  return 0;
}
