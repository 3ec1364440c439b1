/*
 * cli_gazetteer.c — `geomention gazetteer build|info|check|names`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void say(void *arg, const char *what)
{
  (void)arg;
  fprintf(stderr, "%s: %s\n", cli_program, what);
}

/* The gazetteer is written beside out and renamed over it (the header
 * last, by a seek): a device or FIFO there would be replaced by a regular
 * file — /dev/full among them — and the build "succeed", and an inherited
 * descriptor (/dev/stdout) may append, where the seek goes astray. 0, or
 * -1 when out is something other than a regular file (reported). */
static int check_output(const char *out)
{
  struct stat st;

  if (cli_output_descriptor(out) >= 0 ||
      (stat(out, &st) == 0 && !S_ISREG(st.st_mode))) {
    cli_warn("%s: not a regular file (a gazetteer is written beside it "
             "and renamed into place)", out);
    return -1;
  }
  return 0;
}

static void build_help(void)
{
  printf("Usage: geomention gazetteer build [OPTION]... -o FILE\n"
         "Compile the bundled sources, and any GeoNames dumps, into one\n"
         "gazetteer file.\n\n"
         "  -o, --output FILE      where to write it (required)\n"
         "  -s, --sources DIR      the bundled sources (default: %s)\n"
         "  -g, --geonames FILE    a GeoNames dump to layer on top: allCountries.txt,\n"
         "                         a country file (UA.txt or UA.zip), cities15000;\n"
         "                         repeatable, applied in order\n"
         "      --no-bundled       build from the GeoNames dumps alone\n"
         "      --simplify DEG     tolerance of the simplified polygons (0.01)\n"
         "  -q, --quiet            no progress on stderr (skipped rows are still\n"
         "                         said)\n",
         GM_SOURCES_DIR);
}

static int build(int argc, char **argv)
{
  static const struct option opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"sources", required_argument, NULL, 's'},
      {"geonames", required_argument, NULL, 'g'},
      {"no-bundled", no_argument, NULL, 'n'},
      {"simplify", required_argument, NULL, 'S'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {0}};
  gm_build_options opt = {.sources_dir = GM_SOURCES_DIR, .progress = say,
                          .warning = say};
  const char **dumps = calloc((size_t)argc + 1, sizeof *dumps);
  const char *out = NULL;
  cli_output file;
  gm_error err;
  int c, rc;

  if (!dumps)
    return cli_warn("out of memory"), EXIT_FAILURE_;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:s:g:qh", opts, NULL)) != -1) {
    switch (c) {
    case 'o': out = optarg; break;
    case 's': opt.sources_dir = optarg; break;
    case 'g': dumps[opt.n_geonames++] = optarg; break;
    case 'n': opt.skip_bundled = 1; break;
    case 'S': {
      char *end;
      opt.simplify_degrees = strtod(optarg, &end);
      if (*end || !(opt.simplify_degrees > 0 && opt.simplify_degrees < 10)) {
        free(dumps);
        return cli_usage("--simplify: expected degrees in (0, 10), got '%s'",
                         optarg);
      }
      break;
    }
    case 'q': opt.progress = NULL; break;
    case 'h': build_help(); free(dumps); return EXIT_OK;
    default: free(dumps); return cli_usage("gazetteer build: bad option");
    }
  }
  if (!out || optind != argc) {
    free(dumps);
    return cli_usage("gazetteer build: need -o FILE and no other arguments");
  }
  if (strcmp(out, "-") == 0) {
    free(dumps);
    return cli_usage("gazetteer build: -o -: a gazetteer is written to a "
                     "file (its header last, by a seek)");
  }
  if (opt.skip_bundled && opt.n_geonames == 0) {
    free(dumps);
    return cli_usage("gazetteer build: --no-bundled needs --geonames FILE");
  }
  if (check_output(out) || cli_output_open(&file, out)) {
    free(dumps);
    return EXIT_FAILURE_;
  }
  /* Written as every output is (cli_output_open): under a temporary name
   * that an interrupted build removes, renamed into place when complete. */
  opt.geonames = dumps;
  rc = gm_gazetteer_write(&opt, file.f, out, &err);
  free(dumps);
  if (rc) {
    cli_warn("%s", err.message);
    cli_output_discard(&file);
    return EXIT_FAILURE_;
  }
  return cli_output_close(&file, 1);
}

static int print_name(void *arg, const char *key, size_t len)
{
  FILE *f = arg;
  return fwrite(key, 1, len, f) != len || putc('\n', f) == EOF;
}

static void inspect_help(const char *what)
{
  printf("Usage: geomention gazetteer %s [[--gazetteer] FILE]\n%s\n"
         "The gazetteer is FILE, else $GEOMENTION_GAZETTEER, else the default "
         "one.\n",
         what,
         !strcmp(what, "info")
             ? "Print its versions, counts and attribution."
         : !strcmp(what, "check")
             ? "Verify every byte of it against its checksums."
             : "Print every name it indexes, normalised, one a line.");
}

/* info, check, names: one optional --gazetteer / FILE argument. */
static int inspect(const char *what, int argc, char **argv)
{
  gm_gazetteer *g;
  gm_gazetteer_info info;
  gm_error err;
  const char *path = NULL;
  int status, write_errno = 0;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      inspect_help(what);
      return EXIT_OK;
    }
    if (!strcmp(argv[i], "--gazetteer") && i + 1 < argc)
      path = argv[++i];
    else if (argv[i][0] != '-' && !path)
      path = argv[i];
    else
      return cli_usage("gazetteer %s: unexpected argument '%s'", what,
                       argv[i]);
  }
  if ((status = cli_open_gazetteer(path, &g)))
    return status;
  gm_gazetteer_get_info(g, &info);
  if (!strcmp(what, "info")) {
    printf("path\t%s\nformat\t%u.%u\ndata_version\t%s\nsource_checksum\t%s\n"
           "entries\t%u\nregions\t%u\nnames\t%u\nbytes\t%llu\n"
           "attribution\t%s\n",
           cli_gazetteer_path(path), info.format_major, info.format_minor,
           info.data_version, info.source_checksum, info.n_entries,
           info.n_regions, info.n_names, (unsigned long long)info.file_size,
           info.attribution);
  } else if (!strcmp(what, "check")) {
    if (gm_gazetteer_verify(g, &err)) {
      cli_warn("%s", err.message);
      status = EXIT_GAZETTEER;
    } else {
      printf("%s: ok\n", cli_gazetteer_path(path));
    }
  } else if (gm_gazetteer_each_name(g, print_name, stdout)) {
    write_errno = errno;   /* print_name's write failed */
    status = EXIT_FAILURE_;
  }
  gm_gazetteer_close(g);
  {
    int closed = cli_stdout_close(write_errno);
    if (closed)
      status = closed;
  }
  return status;
}

int cmd_gazetteer(int argc, char **argv)
{
  if (argc < 2)
    return cli_usage("gazetteer: expected a command: build, info, check or "
                     "names");
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    printf("Usage: geomention gazetteer COMMAND [OPTION]...\n\n"
           "  build -o FILE [--geonames DUMP]...   compile a gazetteer\n"
           "  info  [FILE]     versions, counts, attribution\n"
           "  check [FILE]     verify every byte against its checksum\n"
           "  names [FILE]     every indexed name, normalised, one a line\n");
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "build"))
    return build(argc - 1, argv + 1);
  if (!strcmp(argv[1], "info") || !strcmp(argv[1], "check") ||
      !strcmp(argv[1], "names"))
    return inspect(argv[1], argc - 1, argv + 1);
  return cli_usage("gazetteer: unknown command '%s'", argv[1]);
}
