/*
 * cli_common.c — messages, gazetteer selection and safe output files.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_program = "geomention";

void cli_warn(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: ", cli_program);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_usage(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: ", cli_program);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry '%s --help' for more information.\n", cli_program);
  return EXIT_USAGE;
}

const char *cli_gazetteer_path(const char *option)
{
  static char beside[PATH_MAX];
  const char *env = getenv("GEOMENTION_GAZETTEER");
  ssize_t n;

  if (option)
    return option;
  if (env && *env)
    return env;
  n = readlink("/proc/self/exe", beside, sizeof beside - 32);
  if (n > 0) {
    char *slash;
    beside[n] = '\0';
    slash = strrchr(beside, '/');
    if (slash) {
      strcpy(slash + 1, "geomention.gmz");
      if (access(beside, R_OK) == 0)
        return beside;
    }
  }
  return GM_DATADIR "/geomention.gmz";
}

int cli_open_gazetteer(const char *option, gm_gazetteer **out)
{
  gm_error err;
  int rc = gm_gazetteer_open(cli_gazetteer_path(option), out, &err);

  if (rc) {
    cli_warn("%s", err.message);
    return EXIT_GAZETTEER;
  }
  return EXIT_OK;
}

int cli_output_open(cli_output *o, const char *path)
{
  struct stat st;
  int fd;

  memset(o, 0, sizeof *o);
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return EXIT_OK;
  }
  /* A device or pipe (/dev/full, /dev/stdout, a FIFO) is written as it
   * is: a temporary beside it renamed over it would replace the device
   * with a regular file. */
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    o->path = strdup(path);
    if (!o->path || !(o->f = fopen(path, "w"))) {
      cli_warn("%s: cannot open: %s", path, o->path ? strerror(errno)
                                                    : "out of memory");
      free(o->path);
      o->path = NULL;
      return EXIT_FAILURE_;
    }
    return EXIT_OK;
  }
  o->path = strdup(path);
  o->tmp = malloc(strlen(path) + 16);
  if (!o->path || !o->tmp) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  sprintf(o->tmp, "%s.tmp-XXXXXX", path);
  fd = mkstemp(o->tmp);
  if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
    cli_warn("%s: cannot create: %s", o->tmp, strerror(errno));
    if (fd >= 0)
      close(fd);
    free(o->tmp);
    o->tmp = NULL;
    return EXIT_FAILURE_;
  }
  fchmod(fd, 0644);
  return EXIT_OK;
}

int cli_output_close(cli_output *o, int ok)
{
  const char *name = o->path ? o->path : "standard output";
  int status = EXIT_OK;

  if (!o->f)
    return EXIT_FAILURE_;
  errno = 0;
  if (fflush(o->f) != 0 || ferror(o->f)) {
    /* errno is the flush's; a write that failed earlier left only the
     * stream's error flag, and its reason in o->err when it was kept */
    int e = errno ? errno : o->err;
    cli_warn("%s: write failed%s%s", name, e ? ": " : "",
             e ? strerror(e) : "");
    status = EXIT_FAILURE_;
  }
  if (o->f != stdout && fclose(o->f) != 0 && status == EXIT_OK) {
    cli_warn("%s: write failed: %s", name, strerror(errno));
    status = EXIT_FAILURE_;
  }
  if (o->tmp) {
    if (ok && status == EXIT_OK && rename(o->tmp, o->path) != 0) {
      cli_warn("%s: cannot rename into place: %s", o->path, strerror(errno));
      status = EXIT_FAILURE_;
    }
    if (!ok || status != EXIT_OK)
      unlink(o->tmp);
  }
  free(o->tmp);
  free(o->path);
  o->f = NULL;
  return status;
}
