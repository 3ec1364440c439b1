/*
 * cli_batch.c — the articles of `geomention parse`, one after another,
 * from files, directories and standard input.
 *
 * The order is a function of the arguments alone: paths as given, a
 * directory's entries sorted by name (bytewise) and walked depth first,
 * so that two runs over the same tree see the same articles in the same
 * order (what --jobs and --resume rely on). A plain-text input is one
 * article; a JSON Lines input one article per non-blank line. Both may be
 * gzip-compressed: zlib reads an uncompressed file through the same calls,
 * and JSON Lines go through io_lines, which tells the packing by bytes.
 *
 * A record that cannot be an article is returned with a reason rather
 * than skipped, so the caller can report it: nothing is lost silently.
 */
#define _DEFAULT_SOURCE /* DT_DIR */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stddef.h>                   /* offsetof */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "cli.h"
#include "cli_batch.h"
#include "cli_ids.h"
#include "cli_jsonl.h"
#include "out_geojson.h"
#include "internal.h"
#include "io_lines.h"

struct batch_reader {
  batch_options opt;
  char **files;               /* every input, in reading order */
  size_t n_files, cap_files, next_file;
  gm__lines *lines;           /* the JSON Lines input being read */
  const char *lines_path;
  uint64_t total;             /* sum of sizes; 0 when unknown */
  int total_unknown;
  struct visited {            /* directories walked, against symlink loops */
    dev_t dev;
    ino_t ino;
  } *visited;
  size_t n_visited, cap_visited;
  size_t loops;               /* directories skipped as loops */
  cli_ids *ids;               /* JSON Lines ids seen, for duplicates */
  gm__buf line;               /* batch_reader_next's record */
};

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int add_file(batch_reader *r, const char *path)
{
  char *copy = strdup(path);
  struct stat st;

  if (!copy || gm__grow(&r->files, &r->cap_files, r->n_files + 1,
                        sizeof *r->files)) {
    free(copy);
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  r->files[r->n_files++] = copy;
  /* A compressed size says nothing of the bytes the articles will take. */
  if (strcmp(path, "-") == 0 || ends_with(path, ".gz") || stat(path, &st))
    r->total_unknown = 1;
  else
    r->total += (uint64_t)st.st_size;
  return EXIT_OK;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(batch_reader *r, const char *dir);

/* One entry of a directory: a subdirectory is walked, a file matched. */
static int walk_entry(batch_reader *r, const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *path = malloc(n);
  struct stat st;
  int status = EXIT_OK;

  if (!path) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  snprintf(path, n, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", name);
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    status = walk(r, path);
  else if (!r->opt.glob || fnmatch(r->opt.glob, name, 0) == 0)
    status = add_file(r, path);
  free(path);
  return status;
}

/* Hidden entries are skipped: temporary files of a run still writing
 * (".x.tmp") and version-control directories are not articles. */
static int walk(batch_reader *r, const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, cap = 0;
  int status = EXIT_OK;

  struct stat st;

  if (!d)
    return add_file(r, dir); /* reading it reports why */
  /* A directory reached twice came back through a symbolic link: walking
   * it again would never end. */
  if (fstat(dirfd(d), &st) == 0) {
    for (size_t i = 0; i < r->n_visited; i++)
      if (r->visited[i].dev == st.st_dev && r->visited[i].ino == st.st_ino) {
        closedir(d);
        cli_warn("%s: directory loop through symbolic links, skipped", dir);
        r->loops++;
        return EXIT_OK;
      }
    if (gm__grow(&r->visited, &r->cap_visited, r->n_visited + 1,
                 sizeof *r->visited)) {
      closedir(d);
      cli_warn("out of memory");
      return EXIT_FAILURE_;
    }
    r->visited[r->n_visited++] = (struct visited){st.st_dev, st.st_ino};
  }
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (gm__grow(&names, &cap, n + 1, sizeof *names) ||
        !(names[n] = strdup(e->d_name))) {
      cli_warn("out of memory");
      status = EXIT_FAILURE_;
      break;
    }
    n++;
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, by_name);
  for (size_t i = 0; i < n; i++) {
    if (status == EXIT_OK)
      status = walk_entry(r, dir, names[i]);
    free(names[i]);
  }
  free(names);
  return status;
}

int batch_reader_open(batch_reader **out, char **paths, int n,
                      const batch_options *opt)
{
  batch_reader *r = calloc(1, sizeof *r);
  int status = EXIT_OK;
  struct stat st;

  *out = r;
  if (!r) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  r->opt = *opt;
  if (n == 0)
    return add_file(r, "-");
  for (int i = 0; i < n && status == EXIT_OK; i++)
    status = strcmp(paths[i], "-") && stat(paths[i], &st) == 0 &&
                     S_ISDIR(st.st_mode)
                 ? walk(r, paths[i])
                 : add_file(r, paths[i]);
  return status;
}

uint64_t batch_reader_total(const batch_reader *r)
{
  return r->total_unknown ? 0 : r->total;
}

size_t batch_reader_count(const batch_reader *r)
{
  return r->n_files;
}

const char *batch_reader_path(const batch_reader *r, size_t i)
{
  return r->files[i];
}

size_t batch_reader_loops(const batch_reader *r)
{
  return r ? r->loops : 0;
}

void batch_reader_close(batch_reader *r)
{
  if (!r)
    return;
  gm__lines_close(r->lines);
  for (size_t i = 0; i < r->n_files; i++)
    free(r->files[i]);
  free(r->files);
  free(r->visited);
  cli_ids_free(r->ids);
  gm__buf_free(&r->line);
  free(r);
}

/*
 * An article emptied: every field zero, the reason an empty string. The
 * reason's other 639 bytes are left: every reader stops at its NUL.
 * Clearing them for every record, with the two gm_errors (516 bytes
 * each) the reader cleared beside it, was 94 % of batch_reader_next_raw's
 * own time and 8 % of the merging thread's (perf, 300 MB at --jobs 2).
 */
static void article_reset(batch_article *a)
{
  size_t after = offsetof(batch_article, reason) + sizeof a->reason;

  memset(a, 0, offsetof(batch_article, reason));
  a->reason[0] = '\0';
  memset((char *)a + after, 0, sizeof *a - after);
}

/* No error yet, without clearing the message's 512 bytes (article_reset). */
static void error_reset(gm_error *err)
{
  err->code = 0;
  err->message[0] = '\0';
}

void batch_article_clear(batch_article *a)
{
  free(a->id);
  free(a->title);
  free(a->url);
  free(a->date);
  free(a->text);
  article_reset(a);
}

/* ---------------------------------------------------------------- UTF-8 */

/* The length of the UTF-8 character at p (no overlong forms, no
 * surrogates), or 0 when p does not start one. */
static size_t utf8_char(const unsigned char *p, const unsigned char *end)
{
  unsigned c = *p, cp, min;
  size_t n;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    n = 1, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    n = 2, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 3, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if ((size_t)(end - p) <= n)
    return 0;
  for (size_t i = 1; i <= n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n + 1;
}

int batch_utf8_text(const char *s, size_t len)
{
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  size_t invalid = 0;

  while (p < end) {
    size_t n;
    uint64_t word, w[4];
    /* ASCII, most of any news text, 32 bytes at a time while they are
     * (eight at a time took 1.5 instructions a byte of every article),
     * then eight */
    while (end - p >= 32) {
      memcpy(w, p, sizeof w);
      if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080u)
        break;
      p += 32;
    }
    if (end - p >= 8) {
      memcpy(&word, p, sizeof word);
      if (!(word & 0x8080808080808080u)) {
        p += 8;
        continue;
      }
    }
    n = utf8_char(p, end);
    invalid += n == 0;
    p += n ? n : 1;
  }
  return invalid * 4 <= len;
}

/* ----------------------------------------------------------- plain text */

static void reject(batch_article *a, int io_error, const char *fmt,
                   const char *what)
{
  snprintf(a->reason, sizeof a->reason, fmt, what);
  a->io_error = io_error;
}

/* The article id of a file: its name without directory and extensions
 * (.txt, .gz); "stdin" for standard input. */
static char *file_id(const char *path)
{
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  char *id = strdup(strcmp(path, "-") == 0 ? "stdin" : base), *dot;

  if (id && ends_with(id, ".gz") && strlen(id) > 3)
    id[strlen(id) - 3] = '\0';
  if (id && (dot = strrchr(id, '.')) && dot != id)
    *dot = '\0';
  return id;
}

/* Read at most max + 1 bytes of a file, plain or gzip, into a->text. */
static int read_text(batch_article *a, gzFile gz, size_t max)
{
  size_t cap = 0, n = 0;
  int got;

  do {
    if (cap - n < 65536) {
      char *t = realloc(a->text, cap = cap * 2 + 65536 + 1);
      if (!t)
        return -1;
      a->text = t;
    }
    size_t want = cap - n - 1;
    if (want > (size_t)1 << 30)
      want = (size_t)1 << 30;
    if (n + want > max + 1)
      want = max + 1 - n;
    got = gzread(gz, a->text + n, (unsigned)want);
    if (got > 0)
      n += (size_t)got;
  } while (got > 0 && n <= max);
  a->text[n] = '\0';
  a->len = n;
  a->bytes = n;
  if (got == 0) {
    int zerr;
    gzerror(gz, &zerr);
    if (zerr == Z_BUF_ERROR)  /* zlib's word for a stream cut short */
      return 2;
  }
  return got < 0 ? 1 : 0;
}

static int text_article(batch_reader *r, const char *path, batch_article *a)
{
  int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY);
  gzFile gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
  int rc, e = errno;

  a->line = 1;
  if (!gz) {
    if (fd >= 0)
      close(fd);
    reject(a, 1, "cannot open: %s", strerror(e));
    return 1;
  }
  rc = read_text(a, gz, r->opt.max_article_bytes);
  if (rc == 1) {
    int zerr;
    const char *msg = gzerror(gz, &zerr);
    reject(a, 1, "read failed: %s",
           zerr == Z_ERRNO ? strerror(errno) : msg);
  }
  else if (rc == 2)
    reject(a, 1, "%s", "gzip stream is truncated");
  gzclose(gz);
  if (rc < 0)
    return -1;
  if (rc == 0 && a->len > r->opt.max_article_bytes)
    snprintf(a->reason, sizeof a->reason,
             "article over --max-article-bytes (%zu)",
             r->opt.max_article_bytes);
  else if (rc == 0 && !batch_utf8_text(a->text, a->len))
    reject(a, 0, "%s", "not UTF-8 text");
  else if (rc == 0 && !(a->id = file_id(path)))
    return -1;
  if (a->reason[0]) {
    free(a->text);
    a->text = NULL;
    a->len = 0;
  }
  return 1;
}

/* ------------------------------------------- JSON Lines (cli_jsonl.c) */

/* The next article of the open JSON Lines input, its line appended to
 * lines: 1, 0 at its end. */
static int next_line(batch_reader *r, batch_article *a, gm__buf *lines)
{
  gm_error err;
  char *line;
  size_t len;
  int rc;

  error_reset(&err);

  while ((rc = gm__lines_next(r->lines, &line, &len, &err)) == 1)
    if (!cli_jsonl_blank(line, len))
      break;
  a->source = r->lines_path;
  a->line = gm__lines_number(r->lines);
  if (rc == 1) {
    /* Decoded later, on a worker thread: the reader only copies. */
    a->bytes = len + 1;
    a->raw_at = lines->len;
    if (gm__buf_append(lines, line, len) || gm__buf_putc(lines, '\0'))
      return -1;
    a->len = len;
    a->jsonl = a->raw = 1;
    return 1;
  }
  gm__lines_close(r->lines);
  r->lines = NULL;
  if (rc == 0)
    return 0;
  reject(a, 1, "read failed: %s", err.message[0] ? err.message
                                                : gm_strerror(rc));
  return 1;
}

static int is_jsonl(const batch_reader *r, const char *path)
{
  if (r->opt.format != BATCH_FORMAT_AUTO)
    return r->opt.format == BATCH_FORMAT_JSONL;
  return ends_with(path, ".jsonl") || ends_with(path, ".ndjson") ||
         ends_with(path, ".jsonl.gz") || ends_with(path, ".ndjson.gz");
}

int batch_article_decode(const batch_options *opt, batch_article *a,
                         const char *line)
{
  size_t len = a->len;

  if (!a->raw)
    return 0;
  a->len = 0;
  a->raw = 0;
  return cli_jsonl_article(opt, line, len, a) < 0 ? -1 : 0;
}

int batch_reader_note(batch_reader *r, const batch_article *a)
{
  if (!a->jsonl)
    return 0;
  if (!r->ids && !(r->ids = cli_ids_new(batch_spill_budget() / 4))) {
    cli_warn("out of memory");
    return -1;
  }
  return cli_ids_note(r->ids, a);
}

int batch_reader_duplicates(batch_reader *r,
                            int (*report)(void *ctx, const cli_duplicate *d),
                            void *ctx)
{
  return cli_ids_report(r->ids, report, ctx);
}

const batch_options *batch_reader_options(const batch_reader *r)
{
  return &r->opt;
}

int batch_reader_next(batch_reader *r, batch_article *a)
{
  int rc;

  r->line.len = 0;
  rc = batch_reader_next_raw(r, a, &r->line);
  if (rc == 1 && a->raw &&
      batch_article_decode(&r->opt, a, r->line.data + a->raw_at)) {
    batch_article_clear(a);
    cli_warn("out of memory");
    rc = -1;
  } else if (rc == 1 && batch_reader_note(r, a)) { /* reported */
    batch_article_clear(a);
    rc = -1;
  }
  return rc;
}

int batch_reader_next_raw(batch_reader *r, batch_article *a, gm__buf *lines)
{
  int rc = 0;

  article_reset(a);
  for (;;) {
    const char *path;
    gm_error err;
    error_reset(&err);
    if (r->lines && (rc = next_line(r, a, lines)) != 0)
      break;
    if (r->next_file == r->n_files)
      return 0;
    path = r->files[r->next_file++];
    a->source = path;
    if (!is_jsonl(r, path)) {
      rc = text_article(r, path, a);
      break;
    }
    if (gm__lines_open(path, &r->lines, &err)) {
      r->lines = NULL;
      reject(a, 1, "cannot open: %s", err.message);
      return 1;
    }
    r->lines_path = path;
  }
  if (rc < 0) {
    batch_article_clear(a);
    cli_warn("out of memory");
  }
  return rc;
}

size_t batch_spill_budget(void)
{
  const char *s = getenv("GEOMENTION_SPILL_BYTES");
  unsigned long long n;

  if (!s || !*s || cli_count(s, 0, SIZE_MAX, &n))
    return GM__PLACES_BUDGET;
  return (size_t)n;
}
