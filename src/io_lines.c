/*
 * io_lines.c — read a file line by line, whatever it is packed in: plain,
 * gzip (zlib) or a zip archive as GeoNames serves its dumps (minizip; the
 * first member ending in .txt that is not a readme).
 *
 * The kind is told by the file's first bytes, not its name. Lines may be
 * of any length; the terminating "\n" (and a "\r" before it) is removed.
 * A NUL byte is kept: callers that need text check for it themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <minizip/unzip.h>
#include <zlib.h>

#include "internal.h"
#include "io_lines.h"

enum { KIND_PLAIN, KIND_GZIP, KIND_ZIP };

struct gm__lines {
  int kind;
  FILE *plain;
  gzFile gz;
  unzFile zip;
  char *path;
  char *buf;          /* bytes read and not yet returned */
  size_t start, end, cap;
  int eof;
  int zip_done;       /* the zip member is read to its end and closed */
  size_t line_no;
  uint64_t bytes;     /* consumed so far (uncompressed) */
};

static int open_zip_member(gm__lines *r, gm_error *err)
{
  char name[512];
  int rc = unzGoToFirstFile(r->zip);

  for (; rc == UNZ_OK; rc = unzGoToNextFile(r->zip)) {
    size_t n;
    if (unzGetCurrentFileInfo64(r->zip, NULL, name, sizeof name, NULL, 0,
                                NULL, 0) != UNZ_OK)
      break;
    n = strlen(name);
    if (n > 4 && strcasecmp(name + n - 4, ".txt") == 0 &&
        strncasecmp(name, "readme", 6) != 0) {
      if (unzOpenCurrentFile(r->zip) != UNZ_OK)
        break;
      return 0;
    }
  }
  return gm__error(err, GM_EFORMAT,
                   "%s: zip archive holds no readable .txt member", r->path);
}

int gm__lines_open(const char *path, gm__lines **out, gm_error *err)
{
  unsigned char magic[4] = {0};
  gm__lines *r = calloc(1, sizeof *r);
  FILE *f;
  size_t got;

  *out = NULL;
  if (!r || !(r->path = strdup(path))) {
    free(r);
    return gm__error(err, GM_ENOMEM, "%s: out of memory", path);
  }
  f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    int e = errno;
    gm__lines_close(r);
    return gm__error(err, GM_EIO, "%s: %s", path, strerror(e));
  }
  got = f == stdin ? 0 : fread(magic, 1, sizeof magic, f);
  if (f != stdin)
    rewind(f);
  if (got >= 4 && memcmp(magic, "PK\003\004", 4) == 0) {
    fclose(f);
    r->kind = KIND_ZIP;
    r->zip = unzOpen64(path);
    if (!r->zip) {
      gm__lines_close(r);
      return gm__error(err, GM_EFORMAT, "%s: not a readable zip archive",
                       path);
    }
    if (open_zip_member(r, err)) {
      gm__lines_close(r);
      return GM_EFORMAT;
    }
  } else if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    int fd = dup(fileno(f));
    fclose(f);
    r->kind = KIND_GZIP;
    r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!r->gz) {
      gm__lines_close(r);
      return gm__error(err, GM_EIO, "%s: cannot open gzip stream", path);
    }
    gzbuffer(r->gz, 1 << 17);
  } else {
    r->kind = KIND_PLAIN;
    r->plain = f;
  }
  *out = r;
  return 0;
}

/* Read more bytes into the buffer; 0 at end of input, <0 on error. */
static int fill(gm__lines *r, gm_error *err)
{
  long n = 0;

  if (r->start > 0) {
    memmove(r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  if (r->cap - r->end < 65536 &&
      gm__grow(&r->buf, &r->cap, r->end + 65536 + 1, 1))
    return gm__error(err, GM_ENOMEM, "%s: out of memory", r->path);
  switch (r->kind) {
  case KIND_PLAIN:
    n = (long)fread(r->buf + r->end, 1, r->cap - r->end - 1, r->plain);
    if (n == 0 && ferror(r->plain))
      return gm__error(err, GM_EIO, "%s: read error: %s", r->path,
                       strerror(errno));
    break;
  case KIND_GZIP: {
    int e;
    n = gzread(r->gz, r->buf + r->end, (unsigned)(r->cap - r->end - 1));
    if (n < 0 || (n == 0 && !gzeof(r->gz))) {
      const char *m = gzerror(r->gz, &e);
      return gm__error(err, GM_EFORMAT, "%s: line %zu: gzip: %s", r->path,
                       r->line_no + 1, m && *m ? m : "read error");
    }
    /* zlib reports a stream cut short as a clean end; say it is not. */
    if (n == 0) {
      gzerror(r->gz, &e);
      if (e == Z_BUF_ERROR)
        return gm__error(err, GM_EFORMAT,
                         "%s: line %zu: gzip stream is truncated", r->path,
                         r->line_no + 1);
    }
    break;
  }
  case KIND_ZIP:
    n = unzReadCurrentFile(r->zip, r->buf + r->end,
                           (unsigned)(r->cap - r->end - 1));
    if (n < 0)
      return gm__error(err, GM_EFORMAT, "%s: line %zu: zip member is corrupt",
                       r->path, r->line_no + 1);
    /* minizip checks the member's CRC only when it is closed: a member
     * whose bytes changed but still inflate (or are stored) is caught
     * here, at its end, or not at all. */
    if (n == 0 && !r->zip_done) {
      r->zip_done = 1;
      if (unzCloseCurrentFile(r->zip) == UNZ_CRCERROR)
        return gm__error(err, GM_EFORMAT,
                         "%s: zip member fails its CRC check: corrupt",
                         r->path);
    }
    break;
  }
  r->end += (size_t)n;
  return n > 0;
}

int gm__lines_next(gm__lines *r, char **line, size_t *len, gm_error *err)
{
  for (;;) {
    char *nl = r->end > r->start
                   ? memchr(r->buf + r->start, '\n', r->end - r->start)
                   : NULL;
    if (nl || (r->eof && r->end > r->start)) {
      char *s = r->buf + r->start;
      size_t n = nl ? (size_t)(nl - s) : r->end - r->start;
      r->start += n + (nl != NULL);
      r->bytes += n + (nl != NULL);
      if (n > 0 && s[n - 1] == '\r')
        n--;
      s[n] = '\0';
      *line = s;
      *len = n;
      r->line_no++;
      return 1;
    }
    if (r->eof)
      return 0;
    int rc = fill(r, err);
    if (rc < 0)
      return rc;
    if (rc == 0)
      r->eof = 1;
  }
}

size_t gm__lines_number(const gm__lines *r)
{
  return r->line_no;
}

uint64_t gm__lines_bytes(const gm__lines *r)
{
  return r->bytes;
}

const char *gm__lines_path(const gm__lines *r)
{
  return r->path;
}

void gm__lines_close(gm__lines *r)
{
  if (!r)
    return;
  if (r->plain && r->plain != stdin)
    fclose(r->plain);
  if (r->gz)
    gzclose(r->gz);
  if (r->zip) {
    if (!r->zip_done)
      unzCloseCurrentFile(r->zip);
    unzClose(r->zip);
  }
  free(r->buf);
  free(r->path);
  free(r);
}
