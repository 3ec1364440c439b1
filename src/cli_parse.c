/*
 * cli_parse.c — `geomention parse [FILE]...`: geoparse articles and write
 * GeoJSON of the places they mention: one FeatureCollection of both
 * layers, one layer (--layer), both layers to two files (--split), as
 * text sequences (--seq), one feature per place or per mention (--per);
 * or with --mentions one JSON line per article listing every mention
 * with its reasons.
 *
 * Inputs are files, directories and standard input, one article of text
 * per file or one per line of JSON Lines (cli_batch.c). Articles are
 * parsed by --jobs threads, one gm_parser each, and merged in input
 * order (cli_batch_run.c), so the output does not depend on the number
 * of threads;
 * --resume journals each merged article (cli_batch_journal.c). One option
 * table drives both getopt_long and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_batch.h"
#include "cli_batch_journal.h"
#include "cli_ids.h"
#include "out_geojson.h"
#include "out_json.h"

#define MAX_JOBS 1024

enum {
  OPT_LAYER = 256,
  OPT_SPLIT,
  OPT_SEQ,
  OPT_PER,
  OPT_PRECISION,
  OPT_SIMPLIFY,
  OPT_FULL_GEOMETRY,
  OPT_ALL_MATCHES,
  OPT_ALTERNATIVES,
  OPT_EXPLAIN,
  OPT_FORMAT,
  OPT_GLOB,
  OPT_ID_FIELD,
  OPT_TITLE_FIELD,
  OPT_URL_FIELD,
  OPT_DATE_FIELD,
  OPT_TEXT_FIELD,
  OPT_MAX_ARTICLE_BYTES,
  OPT_ERRORS,
  OPT_MAX_CITATIONS,
  OPT_RESUME
};

typedef struct option_doc {
  const char *name;
  int has_arg, val;
  const char *arg, *help; /* help: lines separated by '\n' */
} option_doc;

static const option_doc docs[] = {
    {"output", 1, 'o', "FILE",
     "write to FILE, complete or not at all; a\n"
     "FILE.geojsons implies --seq, a FILE.geojsonl is\n"
     "newline-delimited (--seq without the RS)"},
    {"layer", 1, OPT_LAYER, "places|regions",
     "one layer: places (Point) or regions\n"
     "(MultiPolygon)"},
    {"split", 1, OPT_SPLIT, "PREFIX",
     "both layers, to PREFIX.places.geojson and\n"
     "PREFIX.regions.geojson (.geojsons with --seq)"},
    {"seq", 0, OPT_SEQ, NULL,
     "GeoJSON text sequence (RFC 8142): RS, one\n"
     "feature, newline"},
    {"per", 1, OPT_PER, "place|mention",
     "one feature per place (default) or per mention"},
    {"precision", 1, OPT_PRECISION, "N", "decimals of coordinates (6)"},
    {"simplify", 1, OPT_SIMPLIFY, "METRES",
     "regions in full detail simplified to METRES"},
    {"full-geometry", 0, OPT_FULL_GEOMETRY, NULL,
     "regions in full detail (default: simplified copy)"},
    {"mentions", 0, 'm', NULL,
     "one JSON line per article instead: every mention,\n"
     "its sentence, entry, alternatives, reasons"},
    {"all-matches", 0, OPT_ALL_MATCHES, NULL,
     "with --mentions: also the names the recogniser\n"
     "rejected (recognition < 0.5), for study"},
    {"alternatives", 1, OPT_ALTERNATIVES, "N",
     "with --mentions: the N best entries a mention\n"
     "may mean (3; at most 32)"},
    {"explain", 0, OPT_EXPLAIN, NULL,
     "with --mentions: each alternative with its\n"
     "resolution reasons too (why it lost)"},
    {"country", 1, 'c', "CC", "prior: the publication's country"},
    {"bbox", 1, 'b', "W,S,E,N", "prior: places inside this box"},
    {"near", 1, 'n', "LAT,LON[,KM]", "prior: places near this point (100 km)"},
    {"demonyms", 0, 'd', NULL, "report demonyms (Ukrainian) as mentions"},
    {"gazetteer", 1, 'G', "FILE", "the gazetteer to use"},
    {"format", 1, OPT_FORMAT, "text|jsonl",
     "how inputs hold articles (default: .jsonl,\n"
     ".ndjson, .jsonl.gz, .ndjson.gz are JSON Lines,\n"
     "anything else one article of text per file)"},
    {"glob", 1, OPT_GLOB, "PATTERN",
     "in directories, only files whose name matches"},
    {"id-field", 1, OPT_ID_FIELD, "NAME", "JSON Lines: the article id (id)"},
    {"title-field", 1, OPT_TITLE_FIELD, "NAME", "JSON Lines: title (title)"},
    {"url-field", 1, OPT_URL_FIELD, "NAME", "JSON Lines: url (url)"},
    {"date-field", 1, OPT_DATE_FIELD, "NAME", "JSON Lines: date (date)"},
    {"text-field", 1, OPT_TEXT_FIELD, "NAME", "JSON Lines: the text (text)"},
    {"max-article-bytes", 1, OPT_MAX_ARTICLE_BYTES, "N",
     "reject articles longer than N bytes (10485760)"},
    {"errors", 1, OPT_ERRORS, "FILE",
     "rejected records to FILE, one JSON line each:\n"
     "source, line, reason (default: on stderr)"},
    {"jobs", 1, 'j', "N", "parse with N threads (default: the CPUs)"},
    {"max-citations", 1, OPT_MAX_CITATIONS, "N",
     "keep at most N citations a place (counts stay\n"
     "exact)"},
    {"resume", 0, OPT_RESUME, NULL,
     "keep a checkpoint beside the output (OUT.checkpoint)\n"
     "and continue from it when a killed run left one"},
    {"quiet", 0, 'q', NULL, "no progress and no summary on stderr"},
    {"help", 0, 'h', NULL, "this help"},
};
#define N_DOCS (sizeof docs / sizeof *docs)

static void help(void)
{
  printf("Usage: geomention parse [OPTION]... [FILE]...\n"
         "Find the places each article mentions, resolve them, and write\n"
         "GeoJSON: one feature per place with citations of its mentions.\n"
         "A FILE is one article of text, or JSON Lines (one article a\n"
         "line) when named .jsonl or .ndjson (.gz); a directory is read\n"
         "recursively; none or - reads stdin. gzip is read either way.\n\n");
  for (size_t i = 0; i < N_DOCS; i++) {
    const option_doc *d = &docs[i];
    char left[48];
    const char *h = d->help, *nl;
    if (d->val < 256)
      snprintf(left, sizeof left, "-%c, --%s%s%s", d->val, d->name,
               d->arg ? " " : "", d->arg ? d->arg : "");
    else
      snprintf(left, sizeof left, "    --%s%s%s", d->name, d->arg ? " " : "",
               d->arg ? d->arg : "");
    for (int first = 1; h; first = 0, h = nl ? nl + 1 : NULL) {
      nl = strchr(h, '\n');
      printf("  %-28s%.*s\n", first ? left : "",
             (int)(nl ? (size_t)(nl - h) : strlen(h)), h);
    }
  }
  printf("\nLayers: places are entries without a polygon (towns, villages),\n"
         "regions those with one (countries, admin-1 units, composite\n"
         "regions). With neither --layer nor --split both go into one\n"
         "FeatureCollection, regions first. See README.md, \"Output\".\n");
}

/* The getopt tables, built from docs. */
static void option_tables(struct option *longs, char *shorts)
{
  for (size_t i = 0; i < N_DOCS; i++) {
    longs[i] = (struct option){docs[i].name, docs[i].has_arg, NULL,
                               docs[i].val};
    if (docs[i].val < 256) {
      *shorts++ = (char)docs[i].val;
      if (docs[i].has_arg)
        *shorts++ = ':';
    }
  }
  longs[N_DOCS] = (struct option){0};
  *shorts = '\0';
}

static int parse_numbers(const char *s, double *v, int min, int max)
{
  int n = 0;
  char *end;

  while (n < max) {
    v[n++] = strtod(s, &end);
    if (end == s || !isfinite(v[n - 1]))
      return -1;
    if (*end == '\0')
      break;
    if (*end != ',')
      return -1;
    s = end + 1;
  }
  return n >= min && *end == '\0' ? n : -1;
}

typedef struct config {
  gm_parse_options popt;
  char country[3];
  const char *output, *split, *gaz_path, *errors;
  int mentions, seq, geojson_options; /* geojson_options: any given */
  int jobs, quiet, resume;
  gm__geojson_options geo;
  batch_options input;
  size_t max_citations;
} config;

/* One article of a batch, parsed by any thread, merged by the first. */
typedef batch_item slot;

typedef struct run {
  gm_gazetteer *gaz;
  gm_parser **parsers;          /* one per job */
  int jobs;
  gm__places *places;
  cli_output *out;              /* --mentions: each article's lines */
  int mentions;
  cli_output errors;
  int errors_open;
  journal journal;
  int journal_open;
  batch_reader *in;
  int show;                     /* progress */
  double t0, shown;
  /* the summary */
  size_t read, parsed, rejected, n_mentions, duplicates;
  uint64_t bytes;
  int io_failed;
} run;

static int output_option(config *c, int ch, const char *arg);

/* A whole number in [min, max]; 0, or -1 with *v untouched. */
/* The options of the inputs; 0 or a usage status. */
static int batch_option(config *c, int ch, const char *arg)
{
  unsigned long long count;

  switch (ch) {
  case OPT_FORMAT:
    if (strcmp(arg, "text") && strcmp(arg, "jsonl"))
      return cli_usage("--format: expected text or jsonl, got '%s'", arg);
    c->input.format = arg[0] == 't' ? BATCH_FORMAT_TEXT : BATCH_FORMAT_JSONL;
    return 0;
  case OPT_GLOB: c->input.glob = arg; return 0;
  case OPT_ID_FIELD: c->input.field[FIELD_ID] = arg; return 0;
  case OPT_TITLE_FIELD: c->input.field[FIELD_TITLE] = arg; return 0;
  case OPT_URL_FIELD: c->input.field[FIELD_URL] = arg; return 0;
  case OPT_DATE_FIELD: c->input.field[FIELD_DATE] = arg; return 0;
  case OPT_TEXT_FIELD: c->input.field[FIELD_TEXT] = arg; return 0;
  case OPT_MAX_ARTICLE_BYTES:
    if (cli_count(arg, 1, 1000000000000ull, &count))
      return cli_usage("--max-article-bytes: expected bytes > 0, got '%s'",
                       arg);
    c->input.max_article_bytes = (size_t)count;
    return 0;
  case OPT_ERRORS: c->errors = arg; return 0;
  case 'j':
    /* More threads than this is a typo, not a machine. */
    if (cli_count(arg, 1, MAX_JOBS, &count))
      return cli_usage("--jobs: expected 1 to %d, got '%s'", MAX_JOBS, arg);
    c->jobs = (int)count;
    return 0;
  case OPT_MAX_CITATIONS:
    /* A place's role and first sentence come from its first citation. */
    if (cli_count(arg, 1, 1000000000ull, &count))
      return cli_usage("--max-citations: expected 1 to 1000000000, got '%s'",
                       arg);
    c->max_citations = (size_t)count;
    return 0;
  case 'q': c->quiet = 1; return 0;
  case OPT_RESUME: c->resume = 1; return 0;
  }
  return output_option(c, ch, arg);
}

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The options of the GeoJSON output; 0 or a usage status. */
static int output_option(config *c, int ch, const char *arg)
{
  char *end;
  double v;

  c->geojson_options = 1;
  switch (ch) {
  case OPT_LAYER:
    if (strcmp(arg, "places") && strcmp(arg, "regions"))
      return cli_usage("--layer: expected places or regions, got '%s'", arg);
    c->geo.layers = arg[0] == 'p' ? GM__LAYER_PLACES : GM__LAYER_REGIONS;
    return 0;
  case OPT_SPLIT:
    if (!*arg)
      return cli_usage("--split: expected a file name prefix");
    c->split = arg;
    return 0;
  case OPT_SEQ: c->seq = 1; return 0;
  case OPT_PER:
    if (strcmp(arg, "place") && strcmp(arg, "mention"))
      return cli_usage("--per: expected place or mention, got '%s'", arg);
    c->geo.per_mention = arg[0] == 'm';
    return 0;
  case OPT_PRECISION:
    v = strtod(arg, &end);
    if (end == arg || *end || v != floor(v) || v < 0 || v > 10)
      return cli_usage("--precision: expected 0 to 10, got '%s'", arg);
    c->geo.precision = (int)v;
    return 0;
  case OPT_SIMPLIFY:
    v = strtod(arg, &end);
    if (end == arg || *end || !(v > 0) || !isfinite(v))
      return cli_usage("--simplify: expected metres > 0, got '%s'", arg);
    c->geo.simplify_m = v;
    return 0;
  case OPT_FULL_GEOMETRY: c->geo.full_geometry = 1; return 0;
  }
  return cli_usage("parse: bad option");
}

/* The priors and the rest; 0, or an exit status (help is EXIT_OK). */
static int input_option(config *c, int ch, const char *arg)
{
  unsigned long long count;
  double v[4];
  int n;

  switch (ch) {
  case 'o': c->output = arg; return 0;
  case 'm': c->mentions = 1; return 0;
  case 'c':
    if (cli_country(arg, c->country))
      return cli_usage("--country: expected ISO alpha-2, got '%s'", arg);
    c->popt.country = c->country;
    return 0;
  case 'b':
    /* West may exceed east: a box across the antimeridian (RFC 7946). */
    if (parse_numbers(arg, v, 4, 4) != 4 || fabs(v[0]) > 180 ||
        fabs(v[2]) > 180 || v[1] < -90 || v[3] > 90 || v[1] > v[3])
      return cli_usage("--bbox: expected W,S,E,N in degrees, got '%s'", arg);
    c->popt.has_bbox = 1;
    memcpy(c->popt.bbox, v, sizeof c->popt.bbox);
    return 0;
  case 'n':
    n = parse_numbers(arg, v, 2, 3);
    if (n < 0 || v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180 ||
        (n == 3 && !(v[2] > 0)))
      return cli_usage("--near: expected LAT,LON[,KM], got '%s'", arg);
    c->popt.has_near = 1;
    c->popt.near_lat = v[0];
    c->popt.near_lon = v[1];
    c->popt.near_km = n == 3 ? v[2] : 100;
    return 0;
  case 'd': c->popt.demonyms = 1; return 0;
  case OPT_ALL_MATCHES: c->popt.all_matches = 1; return 0;
  case OPT_ALTERNATIVES:
    if (cli_count(arg, 1, GM_MAX_ALTERNATIVES, &count))
      return cli_usage("--alternatives: expected 1 to %d, got '%s'",
                       GM_MAX_ALTERNATIVES, arg);
    c->popt.max_alternatives = (size_t)count;
    return 0;
  case OPT_EXPLAIN: c->popt.explain_alternatives = 1; return 0;
  case 'G': c->gaz_path = arg; return 0;
  }
  return batch_option(c, ch, arg);
}

/* Options that cannot go together, and what the file name implies. */
/* A path --resume can keep a checkpoint beside: a regular file, or none
 * yet. An inherited descriptor (/dev/stdout, /dev/fd/N), a device or a
 * FIFO has no "beside" to write PATH.checkpoint into. */
static int regular_or_new(const char *path)
{
  struct stat st;

  if (cli_output_descriptor(path) >= 0)
    return 0;
  return stat(path, &st) != 0 || S_ISREG(st.st_mode);
}

static int check_config(config *c)
{
  if (c->mentions && c->geojson_options)
    return cli_usage("--mentions writes JSON lines, not GeoJSON: it takes "
                     "none of --layer, --split, --seq, --per, --precision, "
                     "--simplify, --full-geometry");
  if (!c->mentions && (c->popt.max_alternatives ||
                       c->popt.explain_alternatives))
    return cli_usage("--alternatives and --explain go with --mentions");
  if (c->split && c->output)
    return cli_usage("--split writes two files: give it no --output");
  /* GeoJSON cites places with their confidence, never why. */
  c->popt.without_reasons = !c->mentions;
  if (c->resume && c->mentions)
    return cli_usage("--resume: not with --mentions, which writes as it goes");
  if (c->resume && !c->split && (!c->output || !strcmp(c->output, "-")))
    return cli_usage("--resume keeps its checkpoint beside the output: "
                     "give it --output FILE or --split PREFIX");
  if (c->resume && !c->split && !regular_or_new(c->output))
    return cli_usage("--resume keeps its checkpoint beside the output: "
                     "%s is no regular file", c->output);
  if (c->split && c->geo.layers)
    return cli_usage("--split writes both layers: give it no --layer");
  if (c->geo.simplify_m > 0 && c->geo.full_geometry)
    return cli_usage("--simplify and --full-geometry exclude each other");
  if (c->output && ends_with(c->output, ".geojsonl"))
    c->geo.frame = GM__FRAME_LINES;
  else if (c->seq || (c->output && ends_with(c->output, ".geojsons")))
    c->geo.frame = GM__FRAME_SEQ;
  return 0;
}

static int parse_options(int argc, char **argv, config *c)
{
  struct option longs[N_DOCS + 1];
  char shorts[2 * N_DOCS + 1];
  int ch, status;

  long cpus = sysconf(_SC_NPROCESSORS_ONLN);

  memset(c, 0, sizeof *c);
  c->geo.precision = GM__PRECISION_DEFAULT;
  c->jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
  c->input.field[FIELD_ID] = "id";
  c->input.field[FIELD_TITLE] = "title";
  c->input.field[FIELD_URL] = "url";
  c->input.field[FIELD_DATE] = "date";
  c->input.field[FIELD_TEXT] = "text";
  c->input.max_article_bytes = (size_t)10 << 20;
  c->max_citations = SIZE_MAX;
  option_tables(longs, shorts);
  optind = 1;
  while ((ch = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
    if (ch == 'h') {
      help();
      return -1;
    }
    if (ch == '?' || ch == ':')
      return cli_usage("parse: bad option");
    if ((status = input_option(c, ch, optarg)))
      return status;
  }
  return check_config(c);
}

/* ------------------------------------------------------------ the run */

/* A record's reason or warning: to --errors as one JSON line (key), else
 * to stderr. */
static int record_line(run *r, const char *source, size_t line,
                       const char *key, const char *text)
{
  gm__json j = {0};
  int rc = 0;

  if (!r->errors_open) {
    cli_warn("%s:%zu: %s", source, line, text);
    return 0;
  }
  gm__json_object(&j);
  gm__json_key(&j, "source");
  gm__json_cstring(&j, source);
  gm__json_key(&j, "line");
  gm__json_uint(&j, line);
  gm__json_key(&j, key);
  gm__json_cstring(&j, text);
  gm__json_end(&j);
  if (j.status || fwrite(j.out.data, 1, j.out.len, r->errors.f) != j.out.len ||
      putc('\n', r->errors.f) == EOF) {
    cli_warn("%s: write failed", r->errors.path);
    rc = EXIT_FAILURE_;
  }
  gm__json_free(&j);
  return rc;
}

static int record_rejection(run *r, const batch_article *a,
                            const char *reason)
{
  r->rejected++;
  return record_line(r, a->source, a->line, "reason", reason);
}

/* A JSON Lines id seen before: both articles are parsed (nothing is
 * dropped on a guess), and the second is reported with the first's place
 * as a "warning" line, which does not change the exit status. They come
 * after the batch, in input order (cli_ids.c finds them in fixed memory
 * only once every id is in). */
static int record_duplicate(void *ctx, const cli_duplicate *d)
{
  run *r = ctx;
  char why[640];

  r->duplicates++;
  snprintf(why, sizeof why, "duplicate id \"%.500s\", first at %s:%zu; "
           "both parsed", d->id, d->first_source, d->first_line);
  return record_line(r, d->source, d->line, "warning", why);
}

/* Add one parsed article to the output, in input order. Exit status. */
static int merge(run *r, slot *s)
{
  batch_article *a = &s->a;
  int rc;

  r->read++;
  r->bytes += a->bytes;
  if (a->reason[0]) {
    r->io_failed |= a->io_error;
    return record_rejection(r, a, a->reason);
  }
  if (s->rc == GM_ENOMEM) {
    cli_warn("%s:%zu: out of memory", a->source, a->line);
    return EXIT_FAILURE_;
  }
  if (s->rc) { /* the reason goes into the checkpoint with the record */
    snprintf(a->reason, sizeof a->reason, "%s",
             s->err.message[0] ? s->err.message : gm_strerror(s->rc));
    return record_rejection(r, a, a->reason);
  }
  r->parsed++;
  r->n_mentions += s->n_mentions;
  if (r->mentions) { /* the line was rendered by the worker */
    rc = s->render_rc;
    if (!rc && fwrite(s->rendered.data, 1, s->rendered.len, r->out->f) !=
                   s->rendered.len)
      rc = GM_EIO;
    return rc ? cli_output_failed(r->out, gm_strerror(rc)) : EXIT_OK;
  }
  gm__article ga = {.id = a->id, .title = a->title, .url = a->url,
                    .date = a->date,
                    .source = strcmp(a->source, "-") ? a->source : NULL,
                    .line = a->line};
  rc = s->render_rc ? s->render_rc
                    : gm__places_add_rendered(r->places, &ga, a->text, a->len,
                                              s->mentions, s->n_mentions,
                                              &s->rendered);
  if (rc == GM_ENOMEM || rc == GM_ELIMIT || rc == GM_EIO) {
    cli_warn("%s:%zu: %s", a->source, a->line,
             rc == GM_EIO ? gm__places_errmsg(r->places) : gm_strerror(rc));
    return EXIT_FAILURE_;
  }
  if (rc) { /* a mention with offsets out of the text: the parser's bug */
    r->parsed--;
    snprintf(a->reason, sizeof a->reason, "%s", gm_strerror(rc));
    return record_rejection(r, a, a->reason);
  }
  return EXIT_OK;
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One line of progress, rewritten in place; on a terminal only. */
static void progress(const run *r, uint64_t total, double t0, int last)
{
  double dt = now() - t0, mb = (double)r->bytes / 1e6;
  char eta[32] = "";

  if (total && r->bytes && !last && dt > 0)
    snprintf(eta, sizeof eta, ", ETA %.0f s",
             dt * ((double)total - (double)r->bytes) / (double)r->bytes);
  fprintf(stderr, "\r%s: %zu articles, %.1f MB, %.0f articles/s%s\033[K%s",
          cli_program, r->read, mb, dt > 0 ? (double)r->read / dt : 0.0, eta,
          last ? "\n" : "");
}

/* An article of the checkpoint, counted and added as merge did. */
static int replay(void *ctx, const journal_entry *e)
{
  run *r = ctx;
  const batch_article *a = &e->a;
  int rc = 0;

  r->read++;
  r->bytes += a->bytes;
  if (a->reason[0]) {
    r->io_failed |= a->io_error;
    return record_rejection(r, a, a->reason);
  }
  r->parsed++;
  r->n_mentions += e->n_mentions;
  gm__article ga = {.id = a->id, .title = a->title, .url = a->url,
                    .date = a->date,
                    .source = strcmp(a->source, "-") ? a->source : NULL,
                    .line = a->line};
  gm__places_begin(r->places);
  for (size_t i = 0; i < e->n_mentions && !rc; i++)
    rc = gm__places_mention(r->places, &ga, a->text, a->len, &e->mentions[i],
                            e->index[i]);
  if (rc)
    cli_warn("%s: %s:%zu: %s", r->journal.path, a->source, a->line,
             gm_strerror(rc));
  return rc ? EXIT_FAILURE_ : EXIT_OK;
}

/* --resume: replay the checkpoint, then pass over the articles it holds.
 * A checkpoint that is not this run's, or holds more articles than the
 * input, is a failure: it and the output are left as they are. */
static int resume(run *r, const config *c, batch_reader *in, int argc,
                  char **argv)
{
  const char *base = c->split ? c->split : c->output;
  size_t n = strlen(base) + 16, done = 0;
  char *path = malloc(n);
  gm__buf fingerprint = {0};
  int status;

  if (!path || journal_fingerprint(&fingerprint, argc, argv,
                                   cli_gazetteer_path(c->gaz_path), in)) {
    free(path);
    gm__buf_free(&fingerprint);
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  snprintf(path, n, "%s.checkpoint", base);
  status = journal_open(&r->journal, path, &fingerprint, replay, r, &done);
  free(path);
  gm__buf_free(&fingerprint);
  r->journal_open = 1;
  for (size_t i = 0; i < done && status == EXIT_OK; i++) {
    batch_article a;
    int rc = batch_reader_next(in, &a); /* notes its id, for warnings */
    batch_article_clear(&a);
    if (rc <= 0) {
      cli_warn("%s: holds more articles than the input: remove it",
               r->journal.path);
      status = EXIT_FAILURE_;
    }
  }
  return status;
}

/* Each article as it is merged, then its checkpoint record. */
static int merge_journal(void *ctx, batch_item *it)
{
  run *r = ctx;
  int status = merge(r, it);

  if (status == EXIT_OK && r->journal_open)
    status = journal_append(&r->journal, &it->a, it->mentions, it->index,
                            it->n_mentions);
  return status;
}

/* After a few articles: the checkpoint on disk, progress on a terminal. */
static int chunk_done(void *ctx)
{
  run *r = ctx;
  int status = r->journal_open ? journal_flush(&r->journal) : EXIT_OK;

  if (r->show && now() - r->shown > 0.25) {
    progress(r, batch_reader_total(r->in), r->t0, 0);
    r->shown = now();
  }
  return status;
}

static int read_inputs(run *r, const config *c, int argc, char **argv)
{
  batch_reader *in = NULL;
  int status = batch_reader_open(&in, argv + optind, argc - optind, &c->input);
  int show = !c->quiet && isatty(2);
  double t0 = now();
  batch_run_options o = {.jobs = r->jobs, .parsers = r->parsers,
                         .gaz = r->gaz, .mentions = r->mentions,
                         .per_mention = c->geo.per_mention,
                         .merge = merge_journal, .chunk_done = chunk_done,
                         .ctx = r};

  r->rejected += batch_reader_loops(in);  /* reported, counted, skipped */

  if (status == EXIT_OK && c->resume)
    status = resume(r, c, in, argc, argv);
  r->in = in;
  r->show = show;
  r->t0 = r->shown = t0;
  if (status == EXIT_OK)
    status = batch_run(in, &o);
  if (status == EXIT_OK)
    status = batch_reader_duplicates(in, record_duplicate, r);
  if (show)
    progress(r, batch_reader_total(in), t0, 1);
  batch_reader_close(in);
  /* An input that could not be read is in --errors like a bad record;
   * the outputs are still written, and cmd_parse makes the status 1. */
  if (status == EXIT_OK && (r->rejected || r->io_failed))
    status = EXIT_REJECTED;
  return status;
}

static void summary(const run *r, const config *c)
{
  char dups[48] = "", places[48] = "";

  if (c->quiet)
    return;
  if (r->duplicates)
    snprintf(dups, sizeof dups, ", %zu duplicate ids", r->duplicates);
  /* --mentions gathers no places: "0 places" would say none were found */
  if (!c->mentions)
    snprintf(places, sizeof places, ", %zu places",
             r->places ? gm__places_count(r->places) : 0);
  cli_warn("%zu articles read, %zu parsed, %zu rejected, %zu mentions%s%s",
           r->read, r->parsed, r->rejected, r->n_mentions, places, dups);
}

/* Write one layer (or both) to out; an exit status. */
static int write_output(run *r, const config *c, cli_output *out,
                        unsigned layers)
{
  gm__geojson_options opt = c->geo;
  gm_error err = {0};

  opt.layers = layers;
  if (gm__places_write(r->places, out->f, r->gaz, &opt, &err))
    return cli_output_failed(out, err.message[0] ? err.message
                                                 : gm_strerror(err.code));
  return EXIT_OK;
}

/* --split: both files are opened before the input is read (a missing
 * directory is said at once, not after the batch), and both written
 * before either is renamed into place. */
static int open_split(const config *c, cli_output out[2])
{
  static const char *layer_names[] = {"places", "regions"};
  const char *ext = c->geo.frame ? "geojsons" : "geojson";

  for (int i = 0; i < 2; i++) {
    size_t n = strlen(c->split) + 32;
    char *path = malloc(n);
    int status;
    if (!path) {
      cli_warn("out of memory");
      status = EXIT_FAILURE_;
    } else {
      snprintf(path, n, "%s.%s.%s", c->split, layer_names[i], ext);
      status = cli_output_open(&out[i], path);
      free(path);
    }
    if (status) {
      if (i)
        cli_output_discard(&out[0]);
      return status;
    }
  }
  return EXIT_OK;
}

/* Write both layers into the open outputs (unless the batch failed) and
 * close them: renamed into place only when both were written. */
static int write_split(run *r, const config *c, cli_output out[2], int status)
{
  for (int i = 0; i < 2 && status != EXIT_FAILURE_; i++) {
    int written = write_output(r, c, &out[i],
                               i ? GM__LAYER_REGIONS : GM__LAYER_PLACES);
    if (written)
      status = written;
    else if (fflush(out[i].f) || ferror(out[i].f))
      status = EXIT_FAILURE_; /* reported by cli_output_close */
  }
  for (int i = 0; i < 2; i++) {
    int closed = cli_output_close(&out[i], status != EXIT_FAILURE_);
    if (closed && status != EXIT_FAILURE_)
      status = closed;
  }
  return status;
}

static int start(run *r, const config *c)
{
  gm_error err = {0};
  int status = cli_open_gazetteer(c->gaz_path, &r->gaz);

  if (status || (status = cli_check_country(r->gaz, c->popt.country)))
    return status;
  r->jobs = c->jobs;
  if (!(r->parsers = calloc((size_t)c->jobs, sizeof *r->parsers))) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  for (int i = 0; i < c->jobs; i++)
    if (gm_parser_new(r->gaz, &c->popt, &r->parsers[i], &err)) {
      cli_warn("%s", err.message);
      return EXIT_FAILURE_;
    }
  if (gm__places_new(&r->places, r->gaz)) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  gm__places_set_max_citations(r->places, c->max_citations);
  gm__places_set_per_mention(r->places, c->geo.per_mention);
  gm__places_set_budget(r->places, batch_spill_budget());
  gm__places_set_threads(r->places, (size_t)c->jobs);
  r->mentions = c->mentions;
  if (c->errors) {
    if ((status = cli_output_open(&r->errors, c->errors)))
      return status;
    r->errors_open = 1;
  }
  return EXIT_OK;
}

/* Read everything, then write the GeoJSON (or the mentions as they come). */
static int run_all(run *r, const config *c, int argc, char **argv)
{
  cli_output out;
  int status, closed;

  if (c->split) {
    cli_output split[2];
    if ((status = open_split(c, split)))
      return status;
    return write_split(r, c, split, read_inputs(r, c, argc, argv));
  }
  if ((status = cli_output_open(&out, c->output)))
    return status;
  r->out = &out;
  status = read_inputs(r, c, argc, argv);
  if (status != EXIT_FAILURE_ && !r->mentions) {
    int written = write_output(r, c, &out,
                               c->geo.layers ? c->geo.layers : GM__LAYER_ALL);
    status = written ? written : status;
  }
  closed = cli_output_close(&out, status != EXIT_FAILURE_);
  return closed ? closed : status;
}

int cmd_parse(int argc, char **argv)
{
  config c;
  run r = {0};
  int status = parse_options(argc, argv, &c);

  if (status)
    return status < 0 ? EXIT_OK : status;
  if ((status = start(&r, &c)) == EXIT_OK)
    status = run_all(&r, &c, argc, argv);
  if (r.errors_open) {
    /* The errors file is kept whenever the run got through its input. */
    int closed = cli_output_close(&r.errors, status != EXIT_FAILURE_);
    status = closed ? closed : status;
  }
  summary(&r, &c);
  /* The checkpoint goes once the outputs are in place. */
  if (r.journal_open)
    journal_close(&r.journal, status != EXIT_FAILURE_);
  if (status == EXIT_REJECTED && r.io_failed)
    status = EXIT_FAILURE_;
  gm__places_free(r.places);
  for (int i = 0; r.parsers && i < r.jobs; i++)
    gm_parser_free(r.parsers[i]);
  free(r.parsers);
  gm_gazetteer_close(r.gaz);
  return status;
}
