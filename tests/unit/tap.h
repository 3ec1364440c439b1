/*
 * tap.h — the smallest Test Anything Protocol producer, for the unit
 * tests (one executable per module, run by `meson test`, protocol tap).
 *
 * ok(cond, fmt, ...) prints "ok N - ..." or "not ok N - ..." and returns
 * cond, so a test can stop early when what follows depends on it.
 * tap_done() prints the plan and returns the exit status. tap_skip_all()
 * skips a whole executable (exit 77 is meson's "skipped" for non-TAP; with
 * TAP, "1..0 # SKIP why").
 */
#ifndef GM_TAP_H
#define GM_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count, tap_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int ok(int cond, const char *fmt, ...)
{
  va_list ap;

  tap_count++;
  if (!cond)
    tap_failed++;
  printf("%sok %d - ", cond ? "" : "not ", tap_count);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
  return cond;
}

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void diag(const char *fmt, ...)
{
  va_list ap;

  fputs("# ", stdout);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

static int tap_done(void)
{
  printf("1..%d\n", tap_count);
  if (tap_failed)
    diag("%d of %d failed", tap_failed, tap_count);
  return tap_failed ? 1 : 0;
}

#if defined(__GNUC__)
__attribute__((unused))
#endif
static int tap_skip_all(const char *why)
{
  printf("1..0 # SKIP %s\n", why);
  return 0;
}

#endif
