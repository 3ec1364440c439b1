/*
 * test_out_json.c — src/out_json.c: numbers carry exactly the digits of
 * printf's "%.*f" (trailing zeros dropped, one kept after the point for a
 * real, zero without a sign), however they are made, a stored shape's
 * integer positions too; strings are valid JSON in valid UTF-8 whatever
 * the bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "geo.h"
#include "out_json.h"
#include "tap.h"

/* What the writer printed with printf before it made its own digits. */
static void reference(char *num, size_t cap, double v, int decimals,
                      int fraction)
{
  int n;

  if (!isfinite(v)) {
    snprintf(num, cap, "null");
    return;
  }
  n = snprintf(num, cap - 2, "%.*f", decimals, v);
  if (strchr(num, '.')) {
    while (num[n - 1] == '0')
      num[--n] = '\0';
    if (num[n - 1] == '.')
      num[--n] = '\0';
  }
  if (fraction && !strchr(num, '.'))
    strcpy(num + n, ".0");
  if (strcmp(num, "-0") == 0)
    strcpy(num, "0");
  else if (strcmp(num, "-0.0") == 0)
    strcpy(num, "0.0");
}

/* The writer's number, as a string. */
static const char *written(gm__json *j, double v, int decimals, int fraction)
{
  gm__json_reset(j);
  if (fraction)
    gm__json_real(j, v, decimals);
  else
    gm__json_coord(j, v, decimals);
  return j->status ? "(error)" : j->out.data;
}

static int same(gm__json *j, double v, int decimals, int fraction)
{
  char want[400];
  const char *got = written(j, v, decimals, fraction);

  reference(want, sizeof want, v, decimals, fraction);
  if (strcmp(got, want) != 0) {
    printf("# %.17g to %d places (%s): wrote %s, printf %s\n", v, decimals,
           fraction ? "real" : "coord", got, want);
    return 0;
  }
  return 1;
}

/* A deterministic stream of doubles of every magnitude the outputs see
 * (and some they do not). */
static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static double any_double(void)
{
  uint64_t r = next();
  double unit = (double)(r >> 11) / 9007199254740992.0; /* [0, 1) */
  int exp10 = (int)(next() % 40) - 20;                   /* 1e-20..1e19 */
  double v = unit * pow(10, exp10);
  return (r & 1) ? -v : v;
}

static uint64_t pow10_64(int d)
{
  uint64_t p = 1;

  while (d-- > 0)
    p *= 10;
  return p;
}

static void numbers(void)
{
  gm__json j = {0};
  static const struct {
    double v;
    int decimals, fraction;
    const char *want;
  } cases[] = {
      {0.125, 2, 1, "0.12"},    /* a tie, to even */
      {0.375, 2, 1, "0.38"},
      {2.5, 0, 1, "2.0"},
      {3.5, 0, 0, "4"},
      {49.0, 4, 1, "49.0"},
      {37.58793, 6, 0, "37.58793"},
      {-0.00001, 4, 1, "0.0"},  /* zero has no sign */
      {-0.00001, 4, 0, "0"},
      {-0.0, 6, 1, "0.0"},
      {0.69349999, 4, 1, "0.6935"},
      {-168.994618, 6, 0, "-168.994618"},
      {147145.0, 0, 0, "147145"},
      {1e300, 4, 1, NULL},      /* printf's own: too large to scale */
      {4.9406564584124654e-324, 17, 1, "0.0"},  /* subnormals */
      {-2.2250738585072009e-308, 10, 0, "0"},
      {2.2250738585072014e-308, 17, 0, "0"},    /* the least normal */
      {NAN, 4, 1, "null"},
      {INFINITY, 6, 0, "null"},
  };
  size_t bad = 0, n = 0;

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *got = written(&j, cases[i].v, cases[i].decimals,
                              cases[i].fraction);
    if (cases[i].want)
      ok(strcmp(got, cases[i].want) == 0, "%.17g to %d places: %s (%s)",
         cases[i].v, cases[i].decimals, got, cases[i].want);
    ok(same(&j, cases[i].v, cases[i].decimals, cases[i].fraction),
       "%.17g to %d places as printf has it", cases[i].v, cases[i].decimals);
  }
  for (int i = 0; i < 300000; i++) {
    double v = any_double();
    int decimals = (int)(next() % 18);
    n++;
    bad += !same(&j, v, decimals, (int)(next() & 1));
    /* Halfway cases at the writers' precisions: k / 2^m */
    v = ldexp((double)(next() % 1000000), -(int)(next() % 24));
    n++;
    bad += !same(&j, v, (int)(next() % 11), 1);
  }
  ok(bad == 0, "%zu of %zu random numbers as printf has them", n - bad, n);
  /* Next to the rounding boundaries at the writers' precisions (4:
   * confidences, scores; 6: coordinates): (k + 1/2) / 10^d and the
   * doubles either side of it, and k / 10^d, trailing zeros and all. */
  bad = n = 0;
  for (int d = 3; d <= 7; d++)
    for (int i = 0; i < 40000; i++) {
      double k = (double)(next() % 400000000) - 200000000;
      double half = (k + 0.5) / (double)pow10_64(d);
      double at[] = {half, nextafter(half, INFINITY),
                     nextafter(half, -INFINITY), k / (double)pow10_64(d)};
      for (size_t a = 0; a < sizeof at / sizeof *at; a++, n += 2)
        bad += !same(&j, at[a], d, 1) + !same(&j, at[a], d, 0);
    }
  ok(bad == 0, "%zu of %zu numbers at rounding boundaries as printf has them",
     n - bad, n);
  /* in place or through put() by the room left in a fixed-size buffer */
  bad = n = 0;
  for (size_t cap = 8; cap <= 136; cap += 32)
    for (size_t fill = 0; fill < cap; fill++) {
      double v = any_double();
      int decimals = (int)(next() % 18);
      char filler[160], num[400], want[600];
      gm__json k = {0};
      memset(filler, 'x', fill);
      reference(num, sizeof num, v, decimals, 1);
      snprintf(want, sizeof want, "[\"%.*s\",%s]", (int)fill, filler, num);
      if (!(k.out.data = malloc(cap)))
        continue;
      k.out.cap = cap;
      k.out.data[0] = '\0';
      gm__json_array(&k);
      gm__json_string(&k, filler, fill);
      gm__json_real(&k, v, decimals);
      gm__json_end(&k);
      bad += k.status || strcmp(k.out.data, want) != 0;
      n++;
      gm__json_free(&k);
    }
  ok(bad == 0, "%zu of %zu numbers at every fill of a buffer", n - bad, n);
  gm__json_uint(&j, 0);
  gm__json_reset(&j);
  gm__json_uint(&j, UINT64_MAX);
  ok(strcmp(j.out.data, "18446744073709551615") == 0, "uint: %s",
     j.out.data);
  gm__json_free(&j);
}

/* One uint as the writer writes it, against printf's "%llu". */
static int same_uint(gm__json *j, uint64_t v)
{
  char want[24];

  snprintf(want, sizeof want, "%llu", (unsigned long long)v);
  gm__json_reset(j);
  gm__json_uint(j, v);
  if (!j->status && strcmp(j->out.data, want) == 0)
    return 1;
  printf("# uint %s: wrote %s\n", want, j->out.data ? j->out.data : "");
  return 0;
}

/* Unsigned integers written in place (put_whole, put_whole64) against
 * printf: every value below 10^6, each power of ten and one either side,
 * 32 bits' end and one past, random ones of every length; and in an
 * array at every fill of a fixed-size buffer, in place or through put()
 * by the room left, the same bytes. */
static void uints(void)
{
  gm__json j = {0};
  size_t bad = 0, n = 0;

  for (uint64_t v = 0; v < 1000000; v++, n++)
    bad += !same_uint(&j, v);
  for (uint64_t p = 10; p; p = p <= UINT64_MAX / 10 ? p * 10 : 0)
    for (uint64_t v = p - 1; v <= p + 1; v++, n++)
      bad += !same_uint(&j, v);
  for (uint64_t v = (uint64_t)UINT32_MAX - 2; v <= (uint64_t)UINT32_MAX + 2;
       v++, n++)
    bad += !same_uint(&j, v);
  for (int i = 0; i < 200000; i++, n++)
    bad += !same_uint(&j, next() >> (next() % 64));
  bad += !same_uint(&j, UINT64_MAX);
  n++;
  ok(bad == 0, "%zu of %zu uints as printf has them", n - bad, n);
  gm__json_free(&j);

  bad = n = 0;
  for (size_t cap = 8; cap <= 72; cap += 32)
    for (size_t fill = 0; fill < cap; fill++) {
      uint64_t v = next() >> (fill % 64);
      char filler[96], want[160];
      memset(filler, 'x', fill);
      if (!(j.out.data = malloc(cap)))
        continue;
      j.out.cap = cap;
      j.out.data[0] = '\0';
      gm__json_array(&j);
      gm__json_string(&j, filler, fill);
      gm__json_uint(&j, v);
      gm__json_uint(&j, 7);
      gm__json_end(&j);
      snprintf(want, sizeof want, "[\"%.*s\",%llu,7]", (int)fill, filler,
               (unsigned long long)v);
      bad += j.status || strcmp(j.out.data, want) != 0;
      n++;
      gm__json_free(&j);
    }
  ok(bad == 0, "%zu of %zu uints at every fill of a buffer", n - bad, n);
}

/* A ring of positions in units of the grid, written from the integers
 * (gm__json_ring_units) and as the writer wrote it from the doubles
 * before: each unit times gm__geo_grid, through gm__json_coord. 1 when
 * the bytes are equal; else says where they first differ. */
static int same_ring(gm__json *units, gm__json *doubles,
                     const int32_t *lonlat, size_t n, int decimals)
{
  double grid = gm__geo_grid(decimals);
  size_t at = 0;

  gm__json_reset(units);
  gm__json_ring_units(units, lonlat, n, decimals);
  gm__json_reset(doubles);
  gm__json_array(doubles);
  for (size_t i = 0; i < n; i++) {
    gm__json_array(doubles);
    gm__json_coord(doubles, lonlat[2 * i] * grid, decimals);
    gm__json_coord(doubles, lonlat[2 * i + 1] * grid, decimals);
    gm__json_end(doubles);
  }
  gm__json_end(doubles);
  if (!units->status && !doubles->status &&
      units->out.len == doubles->out.len &&
      memcmp(units->out.data, doubles->out.data, units->out.len) == 0)
    return 1;
  while (at < units->out.len && at < doubles->out.len &&
         units->out.data[at] == doubles->out.data[at])
    at++;
  printf("# %d decimals, status %d/%d: from byte %zu, %.40s against %.40s\n",
         decimals, units->status, doubles->status, at,
         units->out.data ? units->out.data + at : "",
         doubles->out.data ? doubles->out.data + at : "");
  return 0;
}

/* Every integer of -10^6..10^6 at the stored shapes' precision (6); at
 * every precision the writer takes (0 to 10), every integer near zero
 * and each power of ten, one either side of it, +-180 degrees, the ends
 * of int32 and random ones. */
static void rings_in_units(void)
{
  enum { RING = 1000 };
  gm__json units = {0}, doubles = {0};
  static int32_t lonlat[48000]; /* the integers near zero and more */
  size_t n = 0, bad = 0, rings = 0;

  for (int64_t u = -1000000; u <= 1000000; u++) {
    lonlat[n++] = (int32_t)u;
    lonlat[n++] = (int32_t)-u;
    if (n == 2 * RING || u == 1000000) {
      bad += !same_ring(&units, &doubles, lonlat, n / 2, 6);
      rings++;
      n = 0;
    }
  }
  for (int d = 0; d <= 10; d++) {
    int64_t ends[] = {INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1};
    n = 0;
    for (int64_t u = -20000; u <= 20000; u++)
      lonlat[n++] = (int32_t)u;
    for (int64_t p = 10; p <= INT32_MAX; p *= 10)
      for (int64_t u = p - 1; u <= p + 1; u++) {
        lonlat[n++] = (int32_t)u;
        lonlat[n++] = (int32_t)-u;
      }
    for (size_t e = 0; e < sizeof ends / sizeof *ends; e++)
      lonlat[n++] = (int32_t)ends[e];
    if (d <= 7) { /* 180 degrees in units of 10^-d fits an int32 */
      lonlat[n++] = (int32_t)(180 * (int64_t)pow10_64(d));
      lonlat[n++] = (int32_t)(-180 * (int64_t)pow10_64(d));
    }
    while (n % 2 || n < 2 * RING)
      lonlat[n++] = (int32_t)next();
    for (size_t from = 0; from + 2 <= n; from += 2 * RING) {
      size_t k = (n - from) / 2 < RING ? (n - from) / 2 : RING;
      bad += !same_ring(&units, &doubles, lonlat + from, k, d);
      rings++;
    }
    for (int r = 0; r < 200; r++) {
      for (size_t i = 0; i < 2 * RING; i++)
        lonlat[i] = (int32_t)next();
      bad += !same_ring(&units, &doubles, lonlat, RING, d);
      rings++;
    }
  }
  ok(bad == 0, "%zu of %zu rings in units as from the doubles", rings - bad,
     rings);
  gm__json_reset(&units);
  gm__json_ring_units(&units, lonlat, 0, 6);
  ok(!units.status && strcmp(units.out.data, "[]") == 0, "no positions: %s",
     units.out.data);
  gm__json_reset(&units);
  gm__json_array(&units);
  gm__json_ring_units(&units, lonlat, 0, 6);
  gm__json_ring_units(&units, (const int32_t[]){-5, 1200000}, 1, 6);
  gm__json_end(&units);
  ok(!units.status && strcmp(units.out.data, "[[],[[-0.000005,1.2]]]") == 0,
     "rings in an array: %s", units.out.data);
  gm__json_reset(&units);
  gm__json_ring_units(&units, lonlat, 1, 11);
  ok(units.status == GM_EINVAL, "11 decimals refused");
  gm__json_free(&units);
  gm__json_free(&doubles);
}

static void strings(void)
{
  gm__json j = {0};
  static const struct {
    const char *in;
    size_t len;
    const char *want;
  } cases[] = {
      {"Kramatorsk", 10, "\"Kramatorsk\""},
      {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
      {"tab\there\nnl\x01", 12, "\"tab\\there\\nnl\\u0001\""},
      {"nul\0x", 5, "\"nul\\u0000x\""},
      {"Київ", 8, "\"Київ\""},
      {"line\xe2\x80\xa8sep", 10, "\"line\\u2028sep\""},
      {"bad\xff\xc3(", 6, "\"bad\xef\xbf\xbd\xef\xbf\xbd(\""},
      {"cut\xe2\x80", 5, "\"cut\xef\xbf\xbd\xef\xbf\xbd\""},
      {"\xed\xa0\x80", 3,   /* a surrogate: three invalid bytes */
       "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""},
      {"\xf0\x9f\x8c\x8d ok", 7, "\"\xf0\x9f\x8c\x8d ok\""},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    gm__json_reset(&j);
    gm__json_string(&j, cases[i].in, cases[i].len);
    ok(!j.status && strcmp(j.out.data, cases[i].want) == 0,
       "string %zu: %s", i, j.out.data);
  }
  gm__json_free(&j);
}

/* What one byte among plain letters becomes in a JSON string. */
static void escaped(char *out, unsigned char b)
{
  static const char *named = "\"\"\\\\\nn\rr\tt\bb\ff";

  for (const char *n = named; *n; n += 2)
    if ((unsigned char)n[0] == b) {
      sprintf(out, "\\%c", n[1]);
      return;
    }
  if (b < 0x20)
    sprintf(out, "\\u%04x", b);
  else if (b >= 0x80) /* alone, never valid UTF-8 */
    strcpy(out, "\xef\xbf\xbd");
  else
    sprintf(out, "%c", b);
}

/* Strings are scanned sixteen or eight bytes at a time where they are
 * plain, the last sixteen overlapping: every byte value, at every
 * position of every length up to 40 (whole blocks, tails, overlaps), is
 * escaped as it would be alone. */
static void strings_by_word(void)
{
  gm__json j = {0};
  size_t bad = 0, n = 0;

  for (size_t len = 1; len <= 40; len++)
    for (size_t at = 0; at < len; at++)
      for (int b = 0; b < 256; b++) {
        char in[48], want[128], esc[8];
        memset(in, 'a', len);
        in[at] = (char)b;
        escaped(esc, (unsigned char)b);
        snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)at, in, esc,
                 (int)(len - at - 1), in + at + 1);
        gm__json_reset(&j);
        gm__json_string(&j, in, len);
        bad += j.status || strcmp(j.out.data, want) != 0;
        n++;
      }
  ok(bad == 0, "%zu of %zu strings with one byte among letters", n - bad, n);
  gm__json_free(&j);
}

/* The string as the writer escaped it a character at a time, before
 * plain runs were found by blocks: each code point utf8proc_iterate
 * decodes kept, escaped or, for each byte it refuses, U+FFFD. */
static void reference_string(gm__buf *out, const char *s, size_t len)
{
  static const char *named = "\"\"\\\\\nn\rr\tt\bb\ff";
  size_t pos = 0;

  out->len = 0;
  gm__buf_append(out, "\"", 1);
  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                          (utf8proc_ssize_t)(len - pos), &c);
    char esc[8] = "";
    if (k <= 0) {
      gm__buf_append(out, "\xef\xbf\xbd", 3);
      pos++;
      continue;
    }
    for (const char *n = named; *n; n += 2)
      if (n[0] == c)
        snprintf(esc, sizeof esc, "\\%c", n[1]);
    if (!*esc && (c < 0x20 || c == 0x2028 || c == 0x2029))
      snprintf(esc, sizeof esc, "\\u%04x", (unsigned)c);
    if (*esc)
      gm__buf_append(out, esc, strlen(esc));
    else
      gm__buf_append(out, s + pos, (size_t)k);
    pos += (size_t)k;
  }
  gm__buf_append(out, "\"", 1);
}

/* Random strings of every length to 80, mostly plain letters with some
 * of everything else at random places (controls, '"', '\\', UTF-8 of
 * two to four bytes, U+2028, sequences cut short, lone bytes from 0x80),
 * as the reference escapes them. */
static void strings_random(void)
{
  static const char *pieces[] = {
      "\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xd0\x9a",
      "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\x94", "\xf0\x9f\x8c\x8d",
      "\xe2\x80", "\xc3", "\xff", "\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
  gm__json j = {0};
  gm__buf want = {0};
  size_t bad = 0, n = 0;

  for (int r = 0; r < 100000; r++) {
    char in[128];
    size_t len = 0, target = (size_t)(next() % 81);
    while (len < target) {
      uint64_t x = next();
      const char *piece = pieces[(x >> 20) % (sizeof pieces / sizeof *pieces)];
      size_t k = strlen(piece);
      if (x % 16 == 0 && len + k <= target) { /* about one in sixteen */
        memcpy(in + len, piece, k);
        len += k;
      } else {
        in[len++] = (char)(' ' + (x >> 8) % 95);
      }
    }
    if (r % 7 == 0 && len)
      in[next() % len] = '\0';
    reference_string(&want, in, len);
    gm__json_reset(&j);
    gm__json_string(&j, in, len);
    bad += j.status || j.out.len != want.len ||
           memcmp(j.out.data, want.data, want.len) != 0;
    n++;
  }
  ok(bad == 0, "%zu of %zu random strings as escaped a character at a time",
     n - bad, n);
  gm__buf_free(&want);
  gm__json_free(&j);
}

/* A key is written in place when there is room and through put() when
 * not: at every fill of a buffer of a fixed size around the point where
 * the room runs out, every key length gives the same bytes, after a
 * member (a comma) or first in its object (none), with the buffer's NUL. */
static void keys(void)
{
  static const char name[] = "abcdefghijklmnopqrstuvwxyz_0123456789";
  size_t bad = 0, n = 0;

  for (size_t cap = 16; cap <= 80; cap += 32)
    for (size_t fill = 0; fill < cap; fill++)
      for (size_t k = 0; k < sizeof name; k++)
        for (int first = 0; first <= 1; first++) {
          gm__json j = {0};
          char key[sizeof name], filler[96], want[256];
          memcpy(key, name, k);
          key[k] = '\0';
          memset(filler, 'x', fill);
          if (!(j.out.data = malloc(cap)))
            continue;
          j.out.cap = cap;
          j.out.data[0] = '\0';
          gm__json_object(&j);
          if (!first) {
            gm__json_key(&j, "f");
            gm__json_string(&j, filler, fill);
          }
          gm__json_key(&j, key);
          gm__json_uint(&j, 7);
          gm__json_end(&j);
          if (first)
            snprintf(want, sizeof want, "{\"%s\":7}", key);
          else
            snprintf(want, sizeof want, "{\"f\":\"%.*s\",\"%s\":7}",
                     (int)fill, filler, key);
          bad += j.status || j.out.len != strlen(want) ||
                 strcmp(j.out.data, want) != 0;
          n++;
          gm__json_free(&j);
        }
  ok(bad == 0, "%zu of %zu keys at every fill of a buffer", n - bad, n);
}

/* gm__json_next_key gives gm__json_key's bytes wherever it is called:
 * after a member (its literal copied, at every fill of the buffer around
 * where the room runs out), first in its object, where its comma must
 * not go, after a key, at the top level and after a failure. */
static void next_keys(void)
{
  static const char name[] = "abcdefghijklmnopqrstuvwxyz_0123456789";
  size_t bad = 0, n = 0;

  for (size_t cap = 16; cap <= 80; cap += 32)
    for (size_t fill = 0; fill < cap; fill++)
      for (size_t k = 0; k < sizeof name; k++)
        for (int first = 0; first <= 1; first++) {
          gm__json j = {0}, want = {0};
          char comma_key[sizeof name + 4], filler[96];
          snprintf(comma_key, sizeof comma_key, ",\"%.*s\":", (int)k, name);
          memset(filler, 'x', fill);
          if (!(j.out.data = malloc(cap)))
            continue;
          j.out.cap = cap;
          j.out.data[0] = '\0';
          gm__json_object(&j);
          gm__json_object(&want);
          if (!first) {
            gm__json_key(&j, "f");
            gm__json_string(&j, filler, fill);
            gm__json_key(&want, "f");
            gm__json_string(&want, filler, fill);
          }
          gm__json_next_key(&j, comma_key);
          gm__json_uint(&j, 7);
          gm__json_end(&j);
          comma_key[k + 2] = '\0';
          gm__json_key(&want, comma_key + 2);
          gm__json_uint(&want, 7);
          gm__json_end(&want);
          bad += j.status || want.status || j.out.len != want.out.len ||
                 strcmp(j.out.data, want.out.data) != 0;
          n++;
          gm__json_free(&j);
          gm__json_free(&want);
        }
  ok(bad == 0, "%zu of %zu next keys as gm__json_key's", n - bad, n);

  gm__json j = {0};
  gm__json_next_key(&j, ",\"top\":");
  gm__json_uint(&j, 1);
  gm__json_object(&j);
  gm__json_next_key(&j, ",\"a\":");
  gm__json_next_key(&j, ",\"b\":");
  gm__json_uint(&j, 2);
  gm__json_end(&j);
  gm__json_end(&j); /* one too many: GM_EINVAL, sticky */
  gm__json_next_key(&j, ",\"after\":");
  ok(j.status == GM_EINVAL &&
         strcmp(j.out.data, "\"top\":1{\"a\":\"b\":2}") == 0,
     "next keys at the top, first, after a key, after a failure: %s",
     j.out.data);
  gm__json_free(&j);
}

/* Keys out of place and after a failure, as before_item has them: no
 * comma at the top level, none after a key, nothing once failed. */
static void keys_out_of_place(void)
{
  gm__json j = {0};

  gm__json_key(&j, "top");
  gm__json_uint(&j, 1);
  ok(!j.status && strcmp(j.out.data, "\"top\":1") == 0, "a key at the top: %s",
     j.out.data);
  gm__json_reset(&j);
  gm__json_object(&j);
  gm__json_key(&j, "a");
  gm__json_key(&j, "b");
  gm__json_uint(&j, 2);
  gm__json_end(&j);
  ok(!j.status && strcmp(j.out.data, "{\"a\":\"b\":2}") == 0,
     "a key after a key: %s", j.out.data);
  gm__json_reset(&j);
  gm__json_object(&j);
  gm__json_end(&j);
  gm__json_end(&j); /* one too many: GM_EINVAL, sticky */
  gm__json_key(&j, "after");
  ok(j.status == GM_EINVAL && strcmp(j.out.data, "{}") == 0,
     "nothing after a failure: %s", j.out.data);
  gm__json_free(&j);
}

/* A value written again from where it stands: the same bytes as a value
 * in its place (a comma before it, none after a key), also when the copy
 * makes the buffer grow and so move (its source is inside the buffer);
 * a span outside what was written fails, and nothing is written. */
static void repeats(void)
{
  gm__json j = {0};
  gm__json_span span;
  char want[256];

  gm__json_array(&j);
  span.at = j.out.len;
  gm__json_string(&j, "Kyiv, \"Ukraine\"", 15);
  span.len = j.out.len - span.at;
  gm__json_repeat(&j, span);
  gm__json_object(&j);
  gm__json_key(&j, "s");
  gm__json_repeat(&j, span);
  gm__json_end(&j);
  gm__json_end(&j);
  ok(!j.status &&
         strcmp(j.out.data, "[\"Kyiv, \\\"Ukraine\\\"\",\"Kyiv, "
                            "\\\"Ukraine\\\"\",{\"s\":\"Kyiv, "
                            "\\\"Ukraine\\\"\"}]") == 0,
     "repeated after an item and after a key: %s", j.out.data);
  gm__json_free(&j);

  /* the buffer full to the last byte: the repeat must grow it */
  size_t bad = 0;
  for (size_t fill = 1; fill < 40; fill++) {
    char filler[64];
    memset(filler, 'x', fill);
    if (!(j.out.data = malloc(fill + 4)))
      continue;
    j.out.cap = fill + 4; /* [ " fill " NUL */
    j.out.data[0] = '\0';
    gm__json_array(&j);
    gm__json_string(&j, filler, fill);
    span = (gm__json_span){.at = 1, .len = fill + 2};
    gm__json_repeat(&j, span);
    gm__json_end(&j);
    snprintf(want, sizeof want, "[\"%.*s\",\"%.*s\"]", (int)fill, filler,
             (int)fill, filler);
    bad += j.status || strcmp(j.out.data, want) != 0;
    gm__json_free(&j);
  }
  ok(bad == 0, "%zu of 39 repeats that grow the buffer", 39 - bad);

  gm__json_array(&j);
  gm__json_uint(&j, 7);
  gm__json_repeat(&j, (gm__json_span){.at = 1, .len = j.out.len});
  ok(j.status == GM_EINVAL && strcmp(j.out.data, "[7") == 0,
     "a span past the end refused: %s", j.out.data);
  gm__json_free(&j);
}

int main(void)
{
  numbers();
  uints();
  rings_in_units();
  strings();
  strings_by_word();
  strings_random();
  keys();
  keys_out_of_place();
  next_keys();
  repeats();
  return tap_done();
}
