/*
 * parse_speed.c — recognition and resolution alone, on one core:
 *
 *     parse_speed GAZETTEER ARCHIVE.jsonl [PASSES [DUMP]]
 *
 * Reads every article's "text" of a JSON Lines archive into memory first,
 * then runs gm_parse (tokens, sentences, name matching, recognition,
 * resolution in the article's context) over all of them PASSES times
 * (default 1) with one parser, and prints one JSON object: the CPU
 * seconds of the gm_parse calls only — no reading, JSON decoding or
 * output writing, which `bench/speed` measures with the CLI — and the
 * text megabytes (10^6 bytes of article text, not of the archive) per
 * CPU second. This is the figure issue 4's speed goal is about.
 *
 * With DUMP, an untimed pass first writes every mention with all its
 * numbers in full precision (alternatives and their reasons explained,
 * demonyms and rejected names included) to DUMP: two builds whose dumps
 * are the same byte for byte parse alike, which is what a change made
 * for speed must keep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "geomention.h"

typedef struct texts {
  char **v;
  size_t *len;
  size_t n, cap, bytes;
} texts;

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int push(texts *t, const char *s)
{
  size_t len = strlen(s);

  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 1024;
    char **v = realloc(t->v, cap * sizeof *v);
    size_t *l = v ? realloc(t->len, cap * sizeof *l) : NULL;
    if (v)
      t->v = v;
    if (!l)
      return -1;
    t->len = l;
    t->cap = cap;
  }
  if (!(t->v[t->n] = malloc(len + 1)))
    return -1;
  memcpy(t->v[t->n], s, len + 1);
  t->len[t->n++] = len;
  t->bytes += len;
  return 0;
}

/* Every line's "text"; a line without one is an error. */
static int load(const char *path, texts *t)
{
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t n;
  int rc = 0;

  if (!f) {
    perror(path);
    return -1;
  }
  while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
    cJSON *doc = cJSON_ParseWithLength(line, (size_t)n);
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(doc, "text");
    lineno++;
    if (!cJSON_IsString(text)) {
      fprintf(stderr, "parse_speed: %s:%zu: no \"text\" string\n", path,
              lineno);
      rc = -1;
    } else if (push(t, text->valuestring)) {
      fprintf(stderr, "parse_speed: out of memory\n");
      rc = -1;
    }
    cJSON_Delete(doc);
  }
  if (ferror(f)) {
    perror(path);
    rc = -1;
  }
  free(line);
  fclose(f);
  return rc;
}

static void dump_reasons(FILE *f, const gm_reason *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    fprintf(f, " %s=%.17g/%.17g", r[i].signal, r[i].value, r[i].weight);
}

static void dump_result(FILE *f, size_t article, const gm_result *r)
{
  for (size_t i = 0; i < gm_result_count(r); i++) {
    const gm_mention *m = gm_result_mention(r, i);
    fprintf(f, "%zu %zu-%zu %zu-%zu s%zu-%zu/%zu-%zu e%u c%.17g r%.17g role%d",
            article, m->start, m->end, m->cp_start, m->cp_end,
            m->sentence_start, m->sentence_end, m->sentence_cp_start,
            m->sentence_cp_end, (unsigned)m->entry, m->confidence,
            m->recognition, (int)m->role);
    dump_reasons(f, m->reasons, m->n_reasons);
    for (size_t k = 0; k < m->n_alternatives; k++) {
      fprintf(f, "\n  alt e%u %.17g", (unsigned)m->alternatives[k].entry,
              m->alternatives[k].score);
      dump_reasons(f, m->alternatives[k].reasons,
                   m->alternatives[k].n_reasons);
    }
    fputc('\n', f);
  }
}

/* Every article's mentions with these options; 0 or 1. */
static int dump_pass(FILE *f, const gm_gazetteer *g, const texts *t,
                     const gm_parse_options *opt)
{
  gm_parser *ps;
  gm_error err;

  if (gm_parser_new(g, opt, &ps, &err)) {
    fprintf(stderr, "parse_speed: %s\n", err.message);
    return 1;
  }
  fprintf(f, "options demonyms=%d all_matches=%d\n", opt->demonyms,
          opt->all_matches);
  for (size_t i = 0; i < t->n; i++) {
    gm_result *r;
    if (gm_parse(ps, t->v[i], t->len[i], &r, &err)) {
      fprintf(f, "%zu error %s\n", i, err.message);
      continue;
    }
    dump_result(f, i, r);
    gm_result_free(r);
  }
  gm_parser_free(ps);
  return 0;
}

/* The untimed passes that write DUMP (the kept mentions with demonyms,
 * then every match); 0 or 1. */
static int dump(const gm_gazetteer *g, const texts *t, const char *path)
{
  gm_parse_options kept = {.demonyms = 1, .max_alternatives = 5,
                           .explain_alternatives = 1};
  gm_parse_options all = {.all_matches = 1};
  FILE *f = fopen(path, "w");
  int rc = 0;

  if (!f) {
    perror(path);
    return 1;
  }
  if (dump_pass(f, g, t, &kept) || dump_pass(f, g, t, &all))
    rc = 1;
  if (ferror(f) | fclose(f)) {
    perror(path);
    rc = 1;
  }
  return rc;
}

int main(int argc, char **argv)
{
  int passes = argc > 3 ? atoi(argv[3]) : 1;
  texts t = {0};
  gm_gazetteer *g = NULL;
  gm_parser *ps = NULL;
  gm_error err;
  size_t mentions = 0, failed = 0;
  double t0, cpu;

  if (argc < 3 || passes < 1) {
    fprintf(stderr, "usage: parse_speed GAZETTEER ARCHIVE.jsonl "
            "[PASSES [DUMP]]\n");
    return 2;
  }
  if (load(argv[2], &t))
    return 1;
  if (gm_gazetteer_open(argv[1], &g, &err) ||
      gm_parser_new(g, NULL, &ps, &err)) {
    fprintf(stderr, "parse_speed: %s\n", err.message);
    return 1;
  }
  if (argc > 4 && dump(g, &t, argv[4]))
    return 1;
  t0 = cpu_seconds();
  for (int k = 0; k < passes; k++)
    for (size_t i = 0; i < t.n; i++) {
      gm_result *r;
      if (gm_parse(ps, t.v[i], t.len[i], &r, &err)) {
        failed++;
        continue;
      }
      mentions += gm_result_count(r);
      gm_result_free(r);
    }
  cpu = cpu_seconds() - t0;
  printf("{\"archive\": \"%s\", \"articles\": %zu, \"text_mb\": %.3f, "
         "\"passes\": %d, \"mentions\": %zu, \"failed\": %zu, "
         "\"cpu_seconds\": %.3f, \"text_mb_per_cpu_second\": %.2f, "
         "\"articles_per_cpu_second\": %.0f}\n",
         argv[2], t.n, t.bytes / 1e6, passes, mentions, failed, cpu,
         cpu > 0 ? t.bytes / 1e6 * passes / cpu : 0,
         cpu > 0 ? t.n * passes / cpu : 0);
  gm_parser_free(ps);
  gm_gazetteer_close(g);
  for (size_t i = 0; i < t.n; i++)
    free(t.v[i]);
  free(t.v);
  free(t.len);
  return failed ? 1 : 0;
}
