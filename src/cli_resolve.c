/*
 * cli_resolve.c — `geomention resolve --spans FILE`: resolve mentions the
 * caller found (its own NER, or a corpus's gold spans) instead of
 * recognising them.
 *
 * Input is JSON Lines, one article a line: {"id", "text", "spans":
 * [{"start", "end"}]} in code points, as Python counts them; "toponyms"
 * is read when "spans" is absent, so an evaluation corpus works as it
 * is. Output is one line per article in the format of `parse
 * --mentions`, every span in the order given; a span that is not a name
 * may be put at the nearest place of the text (gm_resolve_spans).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_jsonl.h"
#include "out_geojson.h"

static void help(void)
{
  printf("Usage: geomention resolve --spans FILE [OPTION]...\n"
         "Resolve the mentions a caller found: FILE holds one article a\n"
         "line, {\"id\": ..., \"text\": ..., \"spans\": [{\"start\": S, "
         "\"end\": E}]}\n"
         "with code-point offsets (end exclusive); \"toponyms\" is read\n"
         "when \"spans\" is absent. - is stdin; FILE.xz is read through\n"
         "`xz -dc`. Writes one JSON line per article, as parse --mentions:\n"
         "every span in the order given with its entry (id, geonameid,\n"
         "name, lat, lon, ...), confidence and alternatives. A span that\n"
         "is not a gazetteer name (a street, a building) is put at the\n"
         "nearest place of the text (reason located_by_context,\n"
         "confidence 0.35); \"entry\" is null when the text has none.\n\n"
         "  -s, --spans FILE        the articles and their spans\n"
         "  -o, --output FILE       write to FILE (complete or not at all)\n"
         "  -c, --country CC        prior: the publication's country\n"
         "  -G, --gazetteer FILE    the gazetteer to use\n");
}

typedef struct resolve_run {
  gm_gazetteer *gaz;
  gm_parser *parser;
  cli_output *out;
  gm_span *spans;
  size_t cap;
  const char *path;
  size_t n_rejected;
} resolve_run;

/* The spans of doc in bytes; NULL or what is wrong. */
static const char *read_spans(resolve_run *r, const cJSON *doc,
                              const char *text, size_t len, size_t *n)
{
  const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "spans"), *s;
  size_t n_cp, *cp_at;
  const char *problem = NULL;

  if (!list)
    list = cJSON_GetObjectItemCaseSensitive(doc, "toponyms");
  if (!cJSON_IsArray(list))
    return "no \"spans\" array";
  *n = 0;
  if (gm__grow(&r->spans, &r->cap, (size_t)cJSON_GetArraySize(list),
               sizeof *r->spans))
    return "out of memory";
  if (!(cp_at = cli_cp_offsets(text, len, &n_cp)))
    return "out of memory";
  cJSON_ArrayForEach(s, list)
  {
    size_t a, b;
    if (cli_json_offset(s, "start", n_cp, &a) ||
        cli_json_offset(s, "end", n_cp, &b) || a > b) {
      problem = "a span's start and end are not code-point offsets "
                "inside the text with start <= end";
      break;
    }
    r->spans[(*n)++] = (gm_span){cp_at[a], cp_at[b]};
  }
  free(cp_at);
  return problem;
}

/* The id as parse --mentions writes it, a string of any length (a
 * number's in number[32]); NULL when it is neither. */
static const char *id_text(const cJSON *id, char number[32])
{
  if (cJSON_IsString(id))
    return id->valuestring;
  if (!cJSON_IsNumber(id))
    return NULL;
  snprintf(number, 32, "%.17g", id->valuedouble);
  return number;
}

/* One article; returns an exit status (rejections are counted). */
static int resolve_line(resolve_run *r, const char *line, size_t len,
                        const char *where, size_t number)
{
  cJSON *doc = cli_json_parse(line, len);
  const cJSON *text = cJSON_GetObjectItemCaseSensitive(doc, "text");
  const char *problem = NULL, *id = NULL;
  char id_number[32];
  gm_result *res = NULL;
  gm_error err;
  size_t n = 0;
  int status = EXIT_OK, rc;

  if (!doc || !cJSON_IsObject(doc))
    problem = "not a JSON object";
  else if (!(id = id_text(cJSON_GetObjectItemCaseSensitive(doc, "id"),
                          id_number)))
    problem = "no usable \"id\" (a string or a number)";
  else if (!cJSON_IsString(text))
    problem = "no \"text\" string";
  else
    problem = read_spans(r, doc, text->valuestring,
                         strlen(text->valuestring), &n);
  if (!problem &&
      (rc = gm_resolve_spans(r->parser, text->valuestring,
                             strlen(text->valuestring), r->spans, n, &res,
                             &err)))
    problem = err.message;
  if (problem) {
    cli_warn("%s:%zu: %s", where, number, problem);
    r->n_rejected++;
  } else if ((rc = gm__out_mentions(r->out->f, r->gaz, id,
                                     text->valuestring, res))) {
    status = cli_output_failed(r->out, gm_strerror(rc));
  }
  gm_result_free(res);
  cJSON_Delete(doc);
  return status;
}

static int resolve_file(resolve_run *r)
{
  cli_lines in;
  char *line;
  size_t len;
  int rc = 0, status = cli_lines_open(&in, r->path);

  while (!status && (rc = cli_lines_next(&in, &line, &len)) > 0)
    if (len > strspn(line, " \t\r"))
      status = resolve_line(r, line, len, in.path, in.number);
  if (!status && rc < 0)
    status = EXIT_FAILURE_;
  rc = cli_lines_close(&in);
  return status ? status : rc;
}

int cmd_resolve(int argc, char **argv)
{
  static const struct option opts[] = {
      {"spans", required_argument, NULL, 's'},
      {"output", required_argument, NULL, 'o'},
      {"country", required_argument, NULL, 'c'},
      {"gazetteer", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  gm_parse_options popt = {0};
  const char *output = NULL, *gaz_path = NULL;
  char country[3];
  resolve_run r = {0};
  cli_output out;
  gm_error err;
  int ch, status;

  optind = 1;
  while ((ch = getopt_long(argc, argv, "s:o:c:G:h", opts, NULL)) != -1) {
    switch (ch) {
    case 's': r.path = optarg; break;
    case 'o': output = optarg; break;
    case 'c':
      if (cli_country(optarg, country))
        return cli_usage("--country: expected ISO alpha-2, got '%s'", optarg);
      popt.country = country;
      break;
    case 'G': gaz_path = optarg; break;
    case 'h': help(); return EXIT_OK;
    default: return cli_usage("resolve: bad option");
    }
  }
  if (!r.path && optind < argc)
    r.path = argv[optind++];
  if (!r.path)
    return cli_usage("resolve: --spans FILE is required");
  if (optind < argc)
    return cli_usage("resolve: unexpected argument '%s'", argv[optind]);
  if ((status = cli_open_gazetteer(gaz_path, &r.gaz)))
    return status;
  if ((status = cli_check_country(r.gaz, popt.country))) {
    /* said */
  } else if (gm_parser_new(r.gaz, &popt, &r.parser, &err)) {
    cli_warn("%s", err.message);
    status = EXIT_FAILURE_;
  } else if (!(status = cli_output_open(&out, output))) {
    int closed;
    r.out = &out;
    status = resolve_file(&r);
    if ((closed = cli_output_close(&out, status == EXIT_OK)))
      status = closed;
  }
  free(r.spans);
  gm_parser_free(r.parser);
  gm_gazetteer_close(r.gaz);
  if (status == EXIT_OK && r.n_rejected)
    status = EXIT_REJECTED;
  return status;
}
