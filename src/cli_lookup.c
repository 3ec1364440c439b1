/*
 * cli_lookup.c — `geomention lookup NAME`: the entries a name can mean,
 * best first, as a GeoJSON FeatureCollection (regions with their
 * simplified polygon, places as points).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "out_geojson.h"

static void help(void)
{
  printf("Usage: geomention lookup [OPTION]... NAME\n"
         "Print the gazetteer entries NAME can mean, best first, as GeoJSON.\n\n"
         "  -c, --country CC        prefer entries in this country (ISO alpha-2)\n"
         "  -n, --near LAT,LON      prefer entries near this point\n"
         "  -l, --limit N           at most N entries (10)\n"
         "  -G, --gazetteer FILE    the gazetteer to use\n");
}

static int parse_near(const char *s, gm_lookup_options *opt)
{
  char *end;
  opt->near_lat = strtod(s, &end);
  if (*end != ',' || !(opt->near_lat >= -90 && opt->near_lat <= 90))
    return -1;
  opt->near_lon = strtod(end + 1, &end);
  if (*end || !(opt->near_lon >= -180 && opt->near_lon <= 180))
    return -1;
  opt->has_near = 1;
  return 0;
}

int cmd_lookup(int argc, char **argv)
{
  static const struct option opts[] = {
      {"country", required_argument, NULL, 'c'},
      {"near", required_argument, NULL, 'n'},
      {"limit", required_argument, NULL, 'l'},
      {"gazetteer", required_argument, NULL, 'G'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  gm_lookup_options opt = {0};
  const char *gaz_path = NULL;
  gm_gazetteer *g;
  gm_candidate *c;
  gm_error err;
  size_t n;
  int ch, status, rc, write_errno;
  char country[3];

  optind = 1;
  while ((ch = getopt_long(argc, argv, "c:n:l:G:h", opts, NULL)) != -1) {
    switch (ch) {
    case 'c':
      if (cli_country(optarg, country))
        return cli_usage("--country: expected an ISO alpha-2 code, got '%s'",
                         optarg);
      opt.country = country;
      break;
    case 'n':
      if (parse_near(optarg, &opt))
        return cli_usage("--near: expected LAT,LON in degrees, got '%s'",
                         optarg);
      break;
    case 'l': {
      unsigned long long v;
      if (cli_count(optarg, 1, 100000, &v))
        return cli_usage("--limit: expected 1..100000, got '%s'", optarg);
      opt.limit = (size_t)v;
      break;
    }
    case 'G': gaz_path = optarg; break;
    case 'h': help(); return EXIT_OK;
    default: return cli_usage("lookup: bad option");
    }
  }
  if (optind + 1 != argc)
    return cli_usage("lookup: expected one NAME");
  if ((status = cli_open_gazetteer(gaz_path, &g)))
    return status;
  if ((status = cli_check_country(g, opt.country))) {
    gm_gazetteer_close(g);
    return status;
  }
  if (gm_lookup(g, argv[optind], strlen(argv[optind]), &opt, &c, &n, &err)) {
    cli_warn("%s", err.message);
    gm_gazetteer_close(g);
    return EXIT_FAILURE_;
  }
  rc = gm__out_lookup(stdout, g, c, n);
  write_errno = rc && ferror(stdout) ? errno : 0;
  free(c);
  gm_gazetteer_close(g);
  /* a failed write is reported with its reason; anything else by name */
  if ((status = cli_stdout_close(write_errno)) == EXIT_OK && rc) {
    cli_warn("lookup: %s", gm_strerror(rc));
    status = EXIT_FAILURE_;
  }
  return status;
}
