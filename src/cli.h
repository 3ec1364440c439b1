/*
 * cli.h — what the command-line tool's files share: the subcommands, the
 * gazetteer selection rule, and messages in one format.
 */
#ifndef GM_CLI_H
#define GM_CLI_H

#include <stdio.h>

#include "geomention.h"

/* Exit statuses (README: "Exit status"). */
enum {
  EXIT_OK = 0,
  EXIT_FAILURE_ = 1,
  EXIT_USAGE = 2,
  EXIT_REJECTED = 3,
  EXIT_GAZETTEER = 4
};

extern const char *cli_program;
/* The subcommand running ("parse", "lookup", ...), for usage messages. */
extern const char *cli_command;

/* "geomention: message" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the message, a pointer to --help, status 2. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A count given on the command line or in the environment: decimal
 * digits only (no sign, space, exponent or hex: "1e3" and "0x10" are
 * typos, not numbers), in [min, max]. 0, or -1 when it is not. */
int cli_count(const char *s, unsigned long long min, unsigned long long max,
              unsigned long long *v);

/* A country given on the command line: an ISO 3166-1 alpha-2 code, two
 * ASCII letters, upper-cased into out. 0, or -1 when it is not. */
int cli_country(const char *s, char out[3]);
/* EXIT_OK when cc (NULL: none given) is a country the gazetteer holds,
 * else a usage error naming it: --country XX must not be ignored. */
int cli_check_country(const gm_gazetteer *gaz, const char *cc);

/* The gazetteer to use: --gazetteer FILE, else $GEOMENTION_GAZETTEER,
 * else geomention.gmz beside the executable (a build tree), else the
 * installed default. */
const char *cli_gazetteer_path(const char *option);
/* Open it, reporting failure; returns an exit status. */
int cli_open_gazetteer(const char *option, gm_gazetteer **out);

/* Output written to a temporary name beside path and renamed by
 * cli_output_close when complete; path NULL or "-" is stdout. A symlink
 * path is followed (the file it leads to is replaced: target), a device
 * or FIFO written as it is, an inherited descriptor (/dev/stdout)
 * written through; a directory is refused at once. */
typedef struct cli_output {
  FILE *f;
  char *path, *tmp;
  char *target; /* where the temporary goes when path is a symlink */
  int err; /* errno of a write that failed before the close, its reason */
} cli_output;

int cli_output_open(cli_output *o, const char *path);
/* The descriptor path names when it is an inherited one (/dev/stdout,
 * /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1. */
int cli_output_descriptor(const char *path);
/* Flush, check, rename; on failure remove the temporary. Exit status. */
int cli_output_close(cli_output *o, int ok);
/* Close o and remove its temporary without a word: for a command that
 * failed and has said why (a close would flush, fail again and say it
 * twice). */
void cli_output_discard(cli_output *o);
/* A write to o failed, errno still the failed call's: its reason is kept
 * for cli_output_close, which reports it once. A failure that left the
 * stream without an error was no write: reported here as otherwise.
 * Returns EXIT_FAILURE_. */
int cli_output_failed(cli_output *o, const char *otherwise);
/* cli_output_close for standard output written directly: flushed,
 * checked, a failed write reported with its reason (write_errno: the
 * errno of a write that failed before, else 0). Exit status. */
int cli_stdout_close(int write_errno);

int cmd_gazetteer(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_resolve(int argc, char **argv);

#endif
