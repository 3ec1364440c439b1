/*
 * fixture.h — what the gazetteer unit tests share: a scratch directory
 * removed at exit, whole-file reads and writes, and small gazetteers
 * built from the hand-written GeoNames-format fixtures in tests/data/.
 */
#ifndef GM_TEST_FIXTURE_H
#define GM_TEST_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geomention.h"

static char fx_dir[4096];

static int fx_unlink(const char *path, const struct stat *st, int flag,
                     struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void fx_cleanup(void)
{
  if (fx_dir[0] && !getenv("GM_KEEP_TMP"))
    nftw(fx_dir, fx_unlink, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh scratch directory, removed at exit (kept with GM_KEEP_TMP=1). */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static const char *fx_tmpdir(void)
{
  const char *base = getenv("TMPDIR");

  if (fx_dir[0])
    return fx_dir;
  snprintf(fx_dir, sizeof fx_dir, "%s/gm-unit-XXXXXX",
           base && *base ? base : "/tmp");
  if (!mkdtemp(fx_dir)) {
    perror(fx_dir);
    exit(99);
  }
  atexit(fx_cleanup);
  return fx_dir;
}

/* dir/name in a static ring of buffers (several may be live at once). */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static const char *fx_path(const char *name)
{
  static char ring[8][4200];
  static int next;
  char *p = ring[next++ % 8];

  snprintf(p, sizeof ring[0], "%s/%s", fx_tmpdir(), name);
  return p;
}

/* A file of tests/data (GM_TEST_DATA, else the source-relative path). */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static const char *fx_data(const char *name)
{
  static char ring[4][4200];
  static int next;
  const char *dir = getenv("GM_TEST_DATA");
  char *p = ring[next++ % 4];

  snprintf(p, sizeof ring[0], "%s/%s", dir && *dir ? dir : "tests/data",
           name);
  return p;
}

/* The whole file, malloc'ed (NUL-terminated beyond *len), or NULL. */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static unsigned char *fx_read(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long n;

  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
      fread(buf, 1, (size_t)n, f) == (size_t)n) {
    buf[n] = 0;
    *len = (size_t)n;
  } else {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

#if defined(__GNUC__)
__attribute__((unused))
#endif
static int fx_write(const char *path, const void *p, size_t len)
{
  FILE *f = fopen(path, "wb");
  int bad;

  if (!f)
    return -1;
  bad = len && fwrite(p, 1, len, f) != len;
  return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* Build a gazetteer from GeoNames-format files alone (no bundled
 * sources). Returns the status; err gets the message. */
#if defined(__GNUC__)
__attribute__((unused))
#endif
static int fx_build(const char *out, const char *const *dumps, size_t n,
                    gm_error *err)
{
  gm_build_options opt = {0};

  opt.geonames = dumps;
  opt.n_geonames = n;
  opt.skip_bundled = 1;
  return gm_gazetteer_build(&opt, out, err);
}

#endif
