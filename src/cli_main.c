/*
 * cli_main.c — `geomention`: the subcommand table, --help and --version.
 *
 * `geomention FILE...` is short for `geomention parse FILE...`.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"parse", cmd_parse, "find and resolve the places articles mention; "
                         "write GeoJSON"},
    {"lookup", cmd_lookup, "list the entries a name can mean, best first"},
    {"gazetteer", cmd_gazetteer, "build, check, describe a gazetteer file"},
    {"resolve", cmd_resolve, "resolve caller-given mentions (JSON Lines)"},
    {"eval", cmd_eval, "score geomention on an evaluation corpus"},
};

static void help(void)
{
  printf("Usage: geomention [COMMAND] [OPTION]... [FILE]...\n"
         "Find the places news articles mention, resolve each against a\n"
         "gazetteer, and write them as GeoJSON.\n\nCommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    printf("  %-10s %s\n", commands[i].name, commands[i].summary);
  printf("\nWithout a command, `geomention FILE...` runs `parse`.\n"
         "`geomention COMMAND --help` describes each command's options.\n\n"
         "  -h, --help      show this help\n"
         "  -V, --version   show the library and gazetteer versions\n\n"
         "The gazetteer is --gazetteer FILE, else $GEOMENTION_GAZETTEER,\n"
         "else the default one built with geomention.\n");
}

static int version(void)
{
  gm_gazetteer *g;
  gm_gazetteer_info info;
  gm_error err;
  const char *path = cli_gazetteer_path(NULL);

  printf("geomention %s\n", gm_version());
  if (gm_gazetteer_open(path, &g, &err) != 0) {
    printf("gazetteer: none usable (%s)\n", err.message);
    return EXIT_OK;
  }
  gm_gazetteer_get_info(g, &info);
  printf("gazetteer %s (format %u.%u, %s)\n  %s\n"
         "  %u entries, %u regions, %u names\n  %s\n",
         info.data_version, info.format_major, info.format_minor,
         info.source_checksum, path, info.n_entries, info.n_regions,
         info.n_names, info.attribution);
  gm_gazetteer_close(g);
  return EXIT_OK;
}

int main(int argc, char **argv)
{
  int status;

  if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    help();
    status = EXIT_OK;
  } else if (argc >= 2 &&
             (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
    status = version();
  } else {
    const struct command *cmd = &commands[0];
    int shift = 0;
    for (size_t i = 0; argc >= 2 && i < sizeof commands / sizeof *commands;
         i++)
      if (!strcmp(argv[1], commands[i].name)) {
        cmd = &commands[i];
        shift = 1;
      }
    cli_command = cmd->name;
    status = cmd->run(argc - shift, argv + shift);
  }
  /* A command that failed has said why; after any other, what it printed
   * (a --help too) must have reached standard output. */
  if (status != EXIT_FAILURE_) {
    int closed = cli_stdout_close(0);
    if (closed)
      status = closed;
  }
  return status;
}
