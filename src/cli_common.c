/*
 * cli_common.c — messages, gazetteer selection and safe output files.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_program = "geomention";
const char *cli_command;

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
  /* the command's own --help lists its options; the top one does not */
  fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n",
          cli_program, cli_command ? " " : "", cli_command ? cli_command : "");
  return EXIT_USAGE;
}

int cli_count(const char *s, unsigned long long min, unsigned long long max,
              unsigned long long *v)
{
  unsigned long long n = 0;

  if (!*s)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || n > (ULLONG_MAX - 9) / 10)
      return -1;
    n = n * 10 + (unsigned long long)(*s - '0');
  }
  if (n < min || n > max)
    return -1;
  *v = n;
  return 0;
}

int cli_country(const char *s, char out[3])
{
  for (int i = 0; i < 2; i++) {
    char upper = (char)(s[i] & ~0x20);
    if (upper < 'A' || upper > 'Z')
      return -1;
    out[i] = upper;
  }
  if (s[2])
    return -1;
  out[2] = '\0';
  return 0;
}

int cli_check_country(const gm_gazetteer *gaz, const char *cc)
{
  char id[16];
  uint32_t index;
  gm_gazetteer_info info;
  gm_entry e;

  if (!cc)
    return EXIT_OK;
  snprintf(id, sizeof id, "country:%s", cc);
  if (gm_gazetteer_find_region(gaz, id, &index) == 0)
    return EXIT_OK;
  /* A country the gazetteer has no polygon for, or one built from
   * GeoNames dumps alone: any entry in it will do. A scan, but only for
   * those and for a code that is wrong. */
  gm_gazetteer_get_info(gaz, &info);
  for (uint32_t i = 0; i < info.n_entries; i++)
    if (gm_gazetteer_entry(gaz, i, &e) == 0 && !strcmp(e.country, cc))
      return EXIT_OK;
  /* A prior on no country would steer nothing, silently: "UK" is the
   * usual slip (the United Kingdom is GB). */
  return cli_usage("--country: no country %s in the gazetteer (ISO 3166-1 "
                   "alpha-2 codes: UA, US, GB for the United Kingdom)", cc);
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

/*
 * Temporary outputs are named OUT.tmp-PID-XXXXXX. The ones of this
 * process are unlinked by the handler of a signal that ends it (SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE); those a SIGKILL left behind are removed by
 * the next run that writes the same output, once kill(PID, 0) says that
 * process is gone — a live concurrent run's file is never touched.
 */
#define MAX_TEMPS 16
static char *volatile temps[MAX_TEMPS];

static void unlink_temps(int sig)
{
  for (int i = 0; i < MAX_TEMPS; i++) {
    char *t = temps[i];
    if (t)
      unlink(t);
  }
  raise(sig); /* SA_RESETHAND: ends the process as the signal would */
}

static void temp_register(char *path)
{
  static int installed;
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = unlink_temps;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
      sigaction(sigs[i], &sa, NULL);
    installed = 1;
  }
  for (int i = 0; i < MAX_TEMPS; i++)
    if (!temps[i]) {
      temps[i] = path;
      return;
    }
}

static void temp_unregister(const char *path)
{
  for (int i = 0; i < MAX_TEMPS; i++)
    if (temps[i] == path)
      temps[i] = NULL;
}

/* NAME.tmp-PID-XXXXXX of path's directory whose PID is gone: removed. */
static void remove_stale_temps(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0, n = strlen(base);
  char dir[PATH_MAX], stale[PATH_MAX];
  struct dirent *e;
  DIR *d;

  if (dir_len >= sizeof dir)
    return;
  memcpy(dir, slash ? path : ".", slash ? dir_len : 1);
  dir[slash ? dir_len : 1] = '\0';
  if (!(d = opendir(dir)))
    return;
  while ((e = readdir(d))) {
    char *end;
    long pid;
    if (strncmp(e->d_name, base, n) || strncmp(e->d_name + n, ".tmp-", 5))
      continue;
    errno = 0;
    pid = strtol(e->d_name + n + 5, &end, 10);
    if (errno || pid <= 0 || *end != '-' || strlen(end + 1) != 6 ||
        pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    if (snprintf(stale, sizeof stale, "%s%s", slash ? dir : "", e->d_name) <
            (int)sizeof stale &&
        unlink(stale) == 0)
      cli_warn("%s: removed, left by process %ld which is gone", stale, pid);
  }
  closedir(d);
}

/* The descriptor a path names when it is one the process inherited
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1.
 * stat() sees through such a path to the file behind the descriptor, so
 * without this a temporary renamed "over" /dev/stdout would replace the
 * /dev/stdout symlink itself whenever standard output is a regular file. */
int cli_output_descriptor(const char *path)
{
  static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/"};
  unsigned long long fd;

  if (!strcmp(path, "/dev/stdout"))
    return 1;
  if (!strcmp(path, "/dev/stderr"))
    return 2;
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
    if (!strncmp(path, dirs[i], strlen(dirs[i])) &&
        cli_count(path + strlen(dirs[i]), 0, INT_MAX, &fd) == 0)
      return (int)fd;
  return -1;
}

/* Write through a copy of inherited descriptor fd, at its own offset and
 * mode (a `>>` redirection keeps appending), as a shell would. */
static int output_descriptor(cli_output *o, const char *path, int fd)
{
  int copy = dup(fd);

  o->path = strdup(path);
  if (copy < 0 || !o->path || !(o->f = fdopen(copy, "w"))) {
    cli_warn("%s: cannot write: %s", path,
             o->path ? strerror(errno) : "out of memory");
    if (copy >= 0)
      close(copy);
    free(o->path);
    o->path = NULL;
    return EXIT_FAILURE_;
  }
  return EXIT_OK;
}

/* A device or pipe (/dev/full, a FIFO) is written as it is: a temporary
 * beside it renamed over it would replace the device with a regular
 * file. */
static int output_device(cli_output *o, const char *path)
{
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

int cli_output_open(cli_output *o, const char *path)
{
  struct stat st;
  const char *place = path;
  int fd;

  memset(o, 0, sizeof *o);
  if (!path || strcmp(path, "-") == 0) {
    o->f = stdout;
    return EXIT_OK;
  }
  if ((fd = cli_output_descriptor(path)) >= 0)
    return output_descriptor(o, path, fd);
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    /* said now, not after a batch of hours when the rename fails */
    cli_warn("%s: cannot write: %s", path, strerror(EISDIR));
    return EXIT_FAILURE_;
  }
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return output_device(o, path);
  /* A symlink stays one: the file it leads to is replaced, with the
   * temporary beside that file (the same file system, so the rename
   * holds). A dangling link is replaced as a missing file would be. */
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
      (o->target = realpath(path, NULL)))
    place = o->target;
  o->path = strdup(path);
  o->tmp = malloc(strlen(place) + 40);
  if (!o->path || !o->tmp) {
    cli_warn("out of memory");
    goto fail;
  }
  remove_stale_temps(place);
  sprintf(o->tmp, "%s.tmp-%ld-XXXXXX", place, (long)getpid());
  fd = mkstemp(o->tmp);
  if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
    /* named as given: the temporary's name is ours, not the user's */
    cli_warn("%s: cannot create: %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(o->tmp);   /* made by mkstemp: not to be left behind */
    }
    goto fail;
  }
  fchmod(fd, 0644);
  temp_register(o->tmp);
  return EXIT_OK;
fail:
  free(o->tmp);
  free(o->path);
  free(o->target);
  o->tmp = o->path = o->target = NULL;
  return EXIT_FAILURE_;
}

/* Forget o's closed stream and, unless it was renamed into place,
 * remove its temporary. */
static void output_end(cli_output *o, int renamed)
{
  if (o->tmp) {
    if (!renamed)
      unlink(o->tmp);
    temp_unregister(o->tmp); /* after: a signal in between finds it gone */
  }
  free(o->tmp);
  free(o->path);
  free(o->target);
  o->f = NULL;
  o->tmp = o->path = o->target = NULL;
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
  if (o->tmp && ok && status == EXIT_OK &&
      rename(o->tmp, o->target ? o->target : o->path) != 0) {
    cli_warn("%s: cannot rename into place: %s", o->path, strerror(errno));
    status = EXIT_FAILURE_;
  }
  output_end(o, o->tmp && ok && status == EXIT_OK);
  return status;
}

void cli_output_discard(cli_output *o)
{
  if (!o->f)
    return;
  if (o->f != stdout)
    fclose(o->f);
  output_end(o, 0);
}

int cli_output_failed(cli_output *o, const char *otherwise)
{
  if (ferror(o->f))
    o->err = errno;
  else
    cli_warn("%s: %s", o->path ? o->path : "standard output", otherwise);
  return EXIT_FAILURE_;
}

int cli_stdout_close(int write_errno)
{
  cli_output out;

  cli_output_open(&out, NULL); /* standard output: cannot fail */
  out.err = write_errno;
  return cli_output_close(&out, 1);
}
