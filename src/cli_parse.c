/*
 * cli_parse.c — `geomention parse [FILE]...`: geoparse articles and write
 * one GeoJSON FeatureCollection of the places they mention (one feature
 * per place, with citations), or with --mentions one JSON line per
 * article listing every mention with its reasons.
 *
 * Each FILE is one article of plain UTF-8 text; no FILE or "-" reads
 * standard input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "out_geojson.h"

static void help(void)
{
  printf("Usage: geomention parse [OPTION]... [FILE]...\n"
         "Find the places each article mentions, resolve them, and write\n"
         "GeoJSON: one feature per place with citations of its mentions.\n"
         "Each FILE is one article (UTF-8 text); none or - reads stdin.\n\n"
         "  -o, --output FILE       write to FILE (complete or not at all)\n"
         "  -m, --mentions          one JSON line per article: every mention,\n"
         "                          its sentence, entry, alternatives, reasons\n"
         "  -c, --country CC        prior: the publication's country\n"
         "  -b, --bbox W,S,E,N      prior: places inside this box\n"
         "  -n, --near LAT,LON[,KM] prior: places near this point (100 km)\n"
         "  -d, --demonyms          report demonyms (Ukrainian) as mentions\n"
         "  -G, --gazetteer FILE    the gazetteer to use\n");
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
  int rc;

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
    gm__article a = {.id = id, .source = path};
    rc = gm__places_add(r->places, &a, text, res) ? EXIT_FAILURE_ : 0;
  }
  gm_result_free(res);
  free(text);
  free(id);
  return rc;
}

int cmd_parse(int argc, char **argv)
{
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"mentions", no_argument, NULL, 'm'},
      {"country", required_argument, NULL, 'c'},
      {"bbox", required_argument, NULL, 'b'},
      {"near", required_argument, NULL, 'n'},
      {"demonyms", no_argument, NULL, 'd'},
      {"gazetteer", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  gm_parse_options popt = {0};
  const char *output = NULL, *gaz_path = NULL;
  char country[3];
  run r = {0};
  cli_output out;
  gm_error err;
  int ch, status = EXIT_OK;

  optind = 1;
  while ((ch = getopt_long(argc, argv, "o:mc:b:n:dG:h", opts, NULL)) != -1) {
    double v[4];
    switch (ch) {
    case 'o': output = optarg; break;
    case 'm': r.mentions = 1; break;
    case 'c':
      if (strlen(optarg) != 2)
        return cli_usage("--country: expected ISO alpha-2, got '%s'", optarg);
      country[0] = (char)(optarg[0] & ~0x20);
      country[1] = (char)(optarg[1] & ~0x20);
      country[2] = '\0';
      popt.country = country;
      break;
    case 'b':
      if (parse_numbers(optarg, v, 4, 4) != 4 || v[0] < -180 || v[2] > 180 ||
          v[1] < -90 || v[3] > 90 || v[1] > v[3])
        return cli_usage("--bbox: expected W,S,E,N in degrees, got '%s'",
                         optarg);
      popt.has_bbox = 1;
      memcpy(popt.bbox, v, sizeof popt.bbox);
      break;
    case 'n': {
      int n = parse_numbers(optarg, v, 2, 3);
      if (n < 0 || v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180 ||
          (n == 3 && !(v[2] > 0)))
        return cli_usage("--near: expected LAT,LON[,KM], got '%s'", optarg);
      popt.has_near = 1;
      popt.near_lat = v[0];
      popt.near_lon = v[1];
      popt.near_km = n == 3 ? v[2] : 100;
      break;
    }
    case 'd': popt.demonyms = 1; break;
    case 'G': gaz_path = optarg; break;
    case 'h': help(); return EXIT_OK;
    default: return cli_usage("parse: bad option");
    }
  }
  if ((status = cli_open_gazetteer(gaz_path, &r.gaz)))
    return status;
  if (gm_parser_new(r.gaz, &popt, &r.parser, &err) ||
      gm__places_new(&r.places)) {
    cli_warn("%s", err.message);
    status = EXIT_FAILURE_;
    goto done;
  }
  if ((status = cli_output_open(&out, output)))
    goto done;
  r.out = out.f;
  for (int i = optind; i < argc || (i == optind && optind == argc); i++) {
    int rc = parse_file(&r, i < argc ? argv[i] : "-");
    if (rc == EXIT_FAILURE_) {
      status = rc;
      break;
    }
    if (rc)
      status = EXIT_REJECTED;
  }
  if (status != EXIT_FAILURE_ && !r.mentions &&
      gm__places_write(r.places, out.f, r.gaz)) {
    cli_warn("%s: write failed", output ? output : "standard output");
    status = EXIT_FAILURE_;
  }
  {
    int closed = cli_output_close(&out, status != EXIT_FAILURE_);
    if (closed)
      status = closed;
  }
done:
  gm__places_free(r.places);
  gm_parser_free(r.parser);
  gm_gazetteer_close(r.gaz);
  return status;
}
