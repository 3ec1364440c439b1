/*
 * cli_parse.c — `geomention parse [FILE]...`: geoparse articles and write
 * GeoJSON of the places they mention: one FeatureCollection of both
 * layers, one layer (--layer), both layers to two files (--split), as
 * text sequences (--seq), one feature per place or per mention (--per);
 * or with --mentions one JSON line per article listing every mention
 * with its reasons.
 *
 * Each FILE is one article of plain UTF-8 text; no FILE or "-" reads
 * standard input. One option table drives both getopt_long and --help.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "out_geojson.h"

enum {
  OPT_LAYER = 256,
  OPT_SPLIT,
  OPT_SEQ,
  OPT_PER,
  OPT_PRECISION,
  OPT_SIMPLIFY,
  OPT_FULL_GEOMETRY,
  OPT_ALL_MATCHES
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
    {"country", 1, 'c', "CC", "prior: the publication's country"},
    {"bbox", 1, 'b', "W,S,E,N", "prior: places inside this box"},
    {"near", 1, 'n', "LAT,LON[,KM]", "prior: places near this point (100 km)"},
    {"demonyms", 0, 'd', NULL, "report demonyms (Ukrainian) as mentions"},
    {"gazetteer", 1, 'G', "FILE", "the gazetteer to use"},
    {"help", 0, 'h', NULL, "this help"},
};
#define N_DOCS (sizeof docs / sizeof *docs)

static void help(void)
{
  printf("Usage: geomention parse [OPTION]... [FILE]...\n"
         "Find the places each article mentions, resolve them, and write\n"
         "GeoJSON: one feature per place with citations of its mentions.\n"
         "Each FILE is one article (UTF-8 text); none or - reads stdin.\n\n");
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
    if (end == s)
      return -1;
    if (*end == '\0')
      break;
    if (*end != ',')
      return -1;
    s = end + 1;
  }
  return n >= min && *end == '\0' ? n : -1;
}

static int read_all(const char *path, char **out, size_t *len)
{
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  size_t cap = 0, n = 0;
  char *buf = NULL;

  if (!f)
    return -1;
  for (;;) {
    size_t got;
    if (cap - n < 65536) {
      char *nb = realloc(buf, cap = cap * 2 + 65536 + 1);
      if (!nb) {
        free(buf);
        if (f != stdin)
          fclose(f);
        errno = ENOMEM;
        return -1;
      }
      buf = nb;
    }
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0)
      break;
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    if (f != stdin)
      fclose(f);
    errno = e;
    return -1;
  }
  if (f != stdin)
    fclose(f);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

/* The article id of a file: its name without directory and extension. */
static char *article_id(const char *path)
{
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  char *id = strdup(strcmp(path, "-") == 0 ? "stdin" : base), *dot;

  if (id && (dot = strrchr(id, '.')) && dot != id)
    *dot = '\0';
  return id;
}

typedef struct config {
  gm_parse_options popt;
  char country[3];
  const char *output, *split, *gaz_path;
  int mentions, seq, geojson_options; /* geojson_options: any given */
  gm__geojson_options geo;
} config;

typedef struct run {
  gm_gazetteer *gaz;
  gm_parser *parser;
  gm__places *places;
  FILE *out;
  int mentions;
} run;

static int parse_file(run *r, const char *path)
{
  char *text = NULL, *id = NULL;
  size_t len;
  gm_result *res = NULL;
  gm_error err;
  int rc, is_stdin = strcmp(path, "-") == 0;

  if (read_all(path, &text, &len)) {
    cli_warn("%s: %s", path, strerror(errno));
    return EXIT_REJECTED;
  }
  if (!(id = article_id(path))) {
    free(text);
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  rc = gm_parse(r->parser, text, len, &res, &err);
  if (rc) {
    cli_warn("%s: %s", path, err.message);
    rc = rc == GM_ENOMEM ? EXIT_FAILURE_ : EXIT_REJECTED;
  } else if (r->mentions) {
    rc = gm__out_mentions(r->out, r->gaz, id, text, res) ? EXIT_FAILURE_ : 0;
  } else {
    /* A whole file is one article, starting on its first line. */
    gm__article a = {.id = id, .source = is_stdin ? NULL : path, .line = 1};
    rc = gm__places_add(r->places, &a, text, len, res);
    if (rc)
      cli_warn("%s: %s", path, gm_strerror(rc));
    rc = rc ? EXIT_FAILURE_ : 0;
  }
  gm_result_free(res);
  free(text);
  free(id);
  return rc;
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
  double v[4];
  int n;

  switch (ch) {
  case 'o': c->output = arg; return 0;
  case 'm': c->mentions = 1; return 0;
  case 'c':
    if (strlen(arg) != 2)
      return cli_usage("--country: expected ISO alpha-2, got '%s'", arg);
    c->country[0] = (char)(arg[0] & ~0x20);
    c->country[1] = (char)(arg[1] & ~0x20);
    c->country[2] = '\0';
    c->popt.country = c->country;
    return 0;
  case 'b':
    if (parse_numbers(arg, v, 4, 4) != 4 || v[0] < -180 || v[2] > 180 ||
        v[1] < -90 || v[3] > 90 || v[1] > v[3])
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
  case 'G': c->gaz_path = arg; return 0;
  }
  return output_option(c, ch, arg);
}

/* Options that cannot go together, and what the file name implies. */
static int check_config(config *c)
{
  if (c->mentions && c->geojson_options)
    return cli_usage("--mentions writes JSON lines, not GeoJSON: it takes "
                     "none of --layer, --split, --seq, --per, --precision, "
                     "--simplify, --full-geometry");
  if (c->split && c->output)
    return cli_usage("--split writes two files: give it no --output");
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

  memset(c, 0, sizeof *c);
  c->geo.precision = GM__PRECISION_DEFAULT;
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

static int read_inputs(run *r, int argc, char **argv)
{
  int status = EXIT_OK;

  for (int i = optind; i < argc || (i == optind && optind == argc); i++) {
    int rc = parse_file(r, i < argc ? argv[i] : "-");
    if (rc == EXIT_FAILURE_)
      return rc;
    if (rc)
      status = EXIT_REJECTED;
  }
  return status;
}

/* Write one layer (or both) to out; an exit status. */
static int write_output(run *r, const config *c, cli_output *out,
                        unsigned layers)
{
  gm__geojson_options opt = c->geo;
  gm_error err = {0};

  opt.layers = layers;
  if (gm__places_write(r->places, out->f, r->gaz, &opt, &err)) {
    cli_warn("%s: %s", out->path ? out->path : "standard output",
             err.message[0] ? err.message : gm_strerror(err.code));
    return EXIT_FAILURE_;
  }
  return EXIT_OK;
}

/* --split: both files are written before either is renamed into place. */
static int write_split(run *r, const config *c)
{
  static const char *layer_names[] = {"places", "regions"};
  const char *ext = c->geo.frame ? "geojsons" : "geojson";
  cli_output out[2] = {{0}};
  int status = EXIT_OK, opened = 0;

  for (; opened < 2 && status == EXIT_OK; opened++) {
    size_t n = strlen(c->split) + 32;
    char *path = malloc(n);
    if (!path) {
      cli_warn("out of memory");
      status = EXIT_FAILURE_;
      break;
    }
    snprintf(path, n, "%s.%s.%s", c->split, layer_names[opened], ext);
    status = cli_output_open(&out[opened], path);
    free(path);
    if (status == EXIT_OK)
      status = write_output(r, c, &out[opened],
                            opened ? GM__LAYER_REGIONS : GM__LAYER_PLACES);
    if (status == EXIT_OK && (fflush(out[opened].f) || ferror(out[opened].f)))
      status = EXIT_FAILURE_; /* reported by cli_output_close */
  }
  for (int i = 0; i < opened; i++) {
    int closed = cli_output_close(&out[i], status == EXIT_OK);
    if (closed && status == EXIT_OK)
      status = closed;
  }
  return status;
}

static int start(run *r, const config *c)
{
  gm_error err = {0};
  int status = cli_open_gazetteer(c->gaz_path, &r->gaz);

  if (status)
    return status;
  if (gm_parser_new(r->gaz, &c->popt, &r->parser, &err)) {
    cli_warn("%s", err.message);
    return EXIT_FAILURE_;
  }
  if (gm__places_new(&r->places)) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  r->mentions = c->mentions;
  return EXIT_OK;
}

int cmd_parse(int argc, char **argv)
{
  config c;
  run r = {0};
  cli_output out;
  int status = parse_options(argc, argv, &c), closed;

  if (status)
    return status < 0 ? EXIT_OK : status;
  if ((status = start(&r, &c)))
    goto done;
  if (c.split) {
    if ((status = read_inputs(&r, argc, argv)) != EXIT_FAILURE_) {
      int written = write_split(&r, &c);
      status = written ? written : status;
    }
    goto done;
  }
  if ((status = cli_output_open(&out, c.output)))
    goto done;
  r.out = out.f;
  status = read_inputs(&r, argc, argv);
  if (status != EXIT_FAILURE_ && !r.mentions) {
    int written = write_output(&r, &c, &out,
                               c.geo.layers ? c.geo.layers : GM__LAYER_ALL);
    status = written ? written : status;
  }
  closed = cli_output_close(&out, status != EXIT_FAILURE_);
  if (closed)
    status = closed;
done:
  gm__places_free(r.places);
  gm_parser_free(r.parser);
  gm_gazetteer_close(r.gaz);
  return status;
}
