/*
 * out_json.c — the JSON writer behind every output file.
 *
 * Strings: whatever bytes the article held, the output is valid JSON in
 * valid UTF-8. Each byte that does not start a valid UTF-8 sequence (as
 * utf8proc_iterate, the tokenizer's decoder, judges it) becomes U+FFFD;
 * U+0000 and other controls are escaped, and so are U+2028 and U+2029,
 * which JSON allows raw but JavaScript source does not.
 *
 * Numbers: rounded to a fixed number of decimals, the digits printf's
 * "%.*f" prints in the C locale (the library never calls setlocale), so
 * the same input gives the same bytes on every run. They are made here
 * with integer arithmetic, exactly as printf rounds (the binary value to
 * nearest, ties to even), because printf was the writers' largest cost;
 * printf still writes what that arithmetic cannot hold.
 *
 * Strings: ASCII that needs no escape, most of any article, is copied in
 * runs found sixteen bytes at a time (SSE2; else eight, then a table);
 * utf8proc decides what is valid UTF-8.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "out_json.h"

/* Append len bytes (the buffer stays NUL-terminated). In place while
 * there is room, which is nearly always: the writers append a few bytes
 * at a time, and a call to grow each time cost more than the copy. */
static void put(gm__json *j, const char *s, size_t len)
{
  gm__buf *b = &j->out;

  if (j->status)
    return;
  if (b->len + len < b->cap) {
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
  } else if (gm__buf_append(b, s, len)) {
    j->status = GM_ENOMEM;
  }
}

/* put() of one character. */
static void put_char(gm__json *j, char c)
{
  gm__buf *b = &j->out;

  if (!j->status && b->len + 1 < b->cap) {
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
  } else {
    put(j, &c, 1);
  }
}

static void put_str(gm__json *j, const char *s)
{
  put(j, s, strlen(s));
}

/* The comma (or nothing) before a value or a key. Inline: it is called
 * for every value, most often right after a key, where it does nothing
 * but clear after_key. */
static GM__ALWAYS_INLINE void before_item(gm__json *j)
{
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth > 0) {
    if (j->has_items[j->depth - 1])
      put_char(j, ',');
    j->has_items[j->depth - 1] = 1;
  }
}

void gm__json_reset(gm__json *j)
{
  j->out.len = 0;
  if (j->out.data)
    j->out.data[0] = '\0';
  j->status = 0;
  j->depth = 0;
  j->after_key = 0;
}

void gm__json_free(gm__json *j)
{
  gm__buf_free(&j->out);
  memset(j, 0, sizeof *j);
}

static void open_container(gm__json *j, int array)
{
  before_item(j);
  if (j->depth >= GM__JSON_DEPTH) {
    if (!j->status)
      j->status = GM_ELIMIT;
    return;
  }
  j->has_items[j->depth] = 0;
  j->is_array[j->depth++] = (unsigned char)array;
  put_char(j, array ? '[' : '{');
}

void gm__json_object(gm__json *j)
{
  open_container(j, 0);
}

void gm__json_array(gm__json *j)
{
  open_container(j, 1);
}

void gm__json_end(gm__json *j)
{
  if (j->depth <= 0) {
    if (!j->status)
      j->status = GM_EINVAL;
    return;
  }
  j->depth--;
  put_char(j, j->is_array[j->depth] ? ']' : '}');
}


/* Escape one code point if JSON (or JavaScript) needs it; 1 if done. */
static int put_escape(gm__json *j, int32_t c)
{
  static const char hex[] = "0123456789abcdef";
  char u[7] = {'\\', 'u', '0', '0', 0, 0, 0};

  switch (c) {
  case '"': put(j, "\\\"", 2); return 1;
  case '\\': put(j, "\\\\", 2); return 1;
  case '\n': put(j, "\\n", 2); return 1;
  case '\r': put(j, "\\r", 2); return 1;
  case '\t': put(j, "\\t", 2); return 1;
  case '\b': put(j, "\\b", 2); return 1;
  case '\f': put(j, "\\f", 2); return 1;
  case 0x2028: put(j, "\\u2028", 6); return 1;
  case 0x2029: put(j, "\\u2029", 6); return 1;
  }
  if (c >= 0x20)
    return 0;
  u[4] = hex[c >> 4];
  u[5] = hex[c & 15];
  put(j, u, 6);
  return 1;
}

/* ASCII bytes a JSON string holds as they are: 1; a control, '"', '\\'
 * and every byte from 0x80 (which utf8proc decodes): 0. */
static const unsigned char plain_ascii[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,  /* 0x50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  /* 0x70 */
};

/* Whether all 8 bytes of w are plain_ascii: none below 0x20, none '"' or
 * '\\', none from 0x80 (the bit tricks of "Bit Twiddling Hacks", haszero
 * and hasless: exact as a yes or no for the whole word). */
static int plain_word(uint64_t w)
{
  const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');

  return !((((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
            ((backslash - ones) & ~backslash) | w) &
           high);
}

#ifdef __SSE2__
/* The bits of the bytes of p[0..16) that are not plain_ascii: below 0x20
 * or from 0x80 (negative as signed bytes, so below 0x20 too), '"' or
 * '\\'. SSE2 is in every x86-64. */
static unsigned not_plain16(const unsigned char *p)
{
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i bad = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

  return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/* How many of the n bytes at p, from the first, are plain_ascii: sixteen
 * at a time where SSE2 is (the last sixteen overlapping the ones before,
 * rather than a byte at a time), else eight, then one. Most of an
 * article's text is plain: this is most of the writers' string work. */
static size_t plain_prefix(const unsigned char *p, size_t n)
{
  size_t i = 0;
  uint64_t w;

#ifdef __SSE2__
  if (n >= 16) {
    unsigned bad;
    for (; n - i >= 16; i += 16)
      if ((bad = not_plain16(p + i)))
        return i + (size_t)__builtin_ctz(bad);
    if (i == n)
      return n;
    /* the bytes from i are the last n - i of the last sixteen */
    bad = not_plain16(p + n - 16) >> (16 - (n - i));
    return bad ? i + (size_t)__builtin_ctz(bad) : n;
  }
#endif
  while (n - i >= 8 && (memcpy(&w, p + i, 8), plain_word(w)))
    i += 8;
  /* Fewer than eight left after plain bytes, as in most short strings
   * (a name, a code, a signal): one word that ends with them, whether
   * all are plain, before a byte at a time. From eight bytes the word is
   * the last eight (overlapping plain ones); from four, the first and
   * last four. */
  if (n - i < 8 && n >= 4 && i < n) {
    uint32_t lo, hi;
    if (n >= 8) {
      memcpy(&w, p + n - 8, 8);
    } else {
      memcpy(&lo, p, 4);
      memcpy(&hi, p + n - 4, 4);
      w = lo | (uint64_t)hi << 32;
    }
    if (plain_word(w))
      return n;
  }
  while (i < n && plain_ascii[p[i]])
    i++;
  return i;
}

static void put_string(gm__json *j, const char *s, size_t len)
{
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  gm__buf *b = &j->out;
  size_t pos = plain_prefix(p, len), run = pos; /* run: bytes to copy as
                                                   they are */

  /* Plain all through, as most strings are (names, codes, ids, a
   * mention's text, many sentences): quoted and copied in place when
   * there is room, not a put() or put_char() for each part. */
  if (pos == len && !j->status && b->cap - b->len > len + 2) {
    char *at = b->data + b->len;
    *at = '"';
    memcpy(at + 1, s, len);
    at[len + 1] = '"';
    at[len + 2] = '\0';
    b->len += len + 2;
    return;
  }
  put_char(j, '"');
  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k;
    size_t plain = plain_prefix(p + pos, len - pos); /* 0 the first time */

    pos += plain;
    run += plain;
    if (pos == len)
      break;
    /* not plain ASCII: UTF-8 to keep, or to escape or replace */
    k = utf8proc_iterate(p + pos, (utf8proc_ssize_t)(len - pos), &c);
    if (k > 0 && (c >= 0x20 && c != '"' && c != '\\' && c != 0x2028 &&
                  c != 0x2029)) {
      pos += (size_t)k;
      run += (size_t)k;
      continue;
    }
    put(j, s + pos - run, run);
    run = 0;
    if (k <= 0) { /* one invalid byte, one replacement character */
      put(j, "\xef\xbf\xbd", 3);
      pos++;
    } else {
      put_escape(j, c);
      pos += (size_t)k;
    }
  }
  put(j, s + pos - run, run);
  put_char(j, '"');
}

/* gm__json_key when its few stores will not do: written through put(),
 * with before_item's comma (none at the top level), never escaped. */
void gm__json_key_slow(gm__json *j, const char *key, size_t n)
{
  before_item(j);
  put_char(j, '"');
  put(j, key, n);
  put(j, "\":", 2);
  j->after_key = 1;
}

void gm__json_string(gm__json *j, const char *s, size_t len)
{
  before_item(j);
  put_string(j, s, len);
}

void gm__json_cstring(gm__json *j, const char *s)
{
  if (s)
    gm__json_string(j, s, strlen(s));
  else
    gm__json_null(j);
}

void gm__json_null(gm__json *j)
{
  before_item(j);
  put(j, "null", 4);
}

void gm__json_bool(gm__json *j, int b)
{
  before_item(j);
  put_str(j, b ? "true" : "false");
}

/* "00" to "99": two digits a division, half the divisions. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

static const uint32_t pow10_32[10] = {1, 10, 100, 1000, 10000, 100000,
                                      1000000, 10000000, 100000000,
                                      1000000000};

/* The decimal digits of v at `at`; returns the end. A coordinate's
 * whole degrees have three digits at most, written at once; longer
 * numbers are counted first, then written backwards in place. */
static GM__ALWAYS_INLINE char *put_whole(char *at, uint32_t v)
{
  int n = 4;
  char *end;

  if (v < 10) {
    *at = (char)('0' + v);
    return at + 1;
  }
  if (v < 100) {
    memcpy(at, digit_pairs + 2 * v, 2);
    return at + 2;
  }
  if (v < 1000) {
    *at = (char)('0' + v / 100);
    memcpy(at + 1, digit_pairs + 2 * (v % 100), 2);
    return at + 3;
  }
  while (n < 10 && v >= pow10_32[n])
    n++;
  end = at + n;
  for (at = end; v >= 100; v /= 100) {
    at -= 2;
    memcpy(at, digit_pairs + 2 * (v % 100), 2);
  }
  if (v >= 10)
    memcpy(at - 2, digit_pairs + 2 * v, 2);
  else
    at[-1] = (char)('0' + v);
  return end;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight decimal digits of v < 10^8, leading zeros too, as the values
 * 0 to 9 of a word's bytes in reading order (the first digit in the
 * lowest byte, where a little-endian store puts it first): v split at
 * 10^4 into the word's two halves, then every half divided by 100 and
 * every quarter by 10 at once, by multiplications that are exact below
 * 10^4 (x 10486 >> 20) and 10^2 (x 103 >> 10) and never carry into the
 * next lane. The fraction of a coordinate in two multiplications, where
 * digit pairs took three divisions and their loop. */
static GM__ALWAYS_INLINE uint64_t eight_digits(uint32_t v)
{
  uint64_t x = (v / 10000) | ((uint64_t)(v % 10000) << 32);
  uint64_t q = ((x * 10486) >> 20) & 0x0000007f0000007fu;

  x = q | ((x - q * 100) << 16);
  q = ((x * 103) >> 10) & 0x000f000f000f000fu;
  return q | ((x - q * 10) << 8);
}
#define HAVE_EIGHT_DIGITS 1
#else
#define HAVE_EIGHT_DIGITS 0
#endif

/* The digits of a fraction of `decimals` places (1 to 17), not 0, at
 * `at`, without its trailing zeros; returns the end. Up to 8 places, one
 * word of digits stored whole (7 bytes past the end may be written). */
static GM__ALWAYS_INLINE char *put_fraction(char *at, uint64_t fraction,
                                            int decimals)
{
  char *digit;
  int k = decimals;

  if (HAVE_EIGHT_DIGITS && decimals <= 8) {
    /* the last `decimals` of the eight digits in the low bytes: its
     * zero high bytes are the places shifted out and the trailing zeros
     * (fraction is not 0: some byte is not) */
    uint64_t d = eight_digits((uint32_t)fraction) >> (8 * (8 - decimals));
    int kept = 8 - __builtin_clzll(d) / 8;
    d += 0x3030303030303030u;
    memcpy(at, &d, 8);
    return at + kept;
  }
  /* all the fraction's digits, leading zeros too, then the trailing
   * zeros taken back (there is a digit other than zero) */
  at += decimals;
  for (digit = at; k >= 2; k -= 2, fraction /= 100) {
    digit -= 2;
    memcpy(digit, digit_pairs + 2 * (fraction % 100), 2);
  }
  if (k)
    *--digit = (char)('0' + fraction);
  while (at[-1] == '0')
    at--;
  return at;
}

/* The decimal digits of v, written backwards from end; returns the first. */
static char *digits(uint64_t v, char *end)
{
  do {
    *--end = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return end;
}

/* put_whole for any uint64_t (20 bytes at most). */
static GM__ALWAYS_INLINE char *put_whole64(char *at, uint64_t v)
{
  char num[20], *end = num + sizeof num, *first;

  if (v <= UINT32_MAX)
    return put_whole(at, (uint32_t)v);
  first = digits(v, end);
  memcpy(at, first, (size_t)(end - first));
  return at + (end - first);
}

/* In place when there is room, as nearly always: the offsets and counts
 * of every citation, where a put() a number cost more than its digits. */
void gm__json_uint(gm__json *j, uint64_t v)
{
  gm__buf *b = &j->out;
  char num[20], *at;

  before_item(j);
  if (!j->status && b->cap - b->len > 20) {
    at = put_whole64(b->data + b->len, v);
    *at = '\0';
    b->len = (size_t)(at - b->data);
  } else {
    put(j, num, (size_t)(put_whole64(num, v) - num));
  }
}

/*
 * scaled's answer in double arithmetic, for nearly every number the
 * outputs hold (confidences, scores, coordinates). Below 2^31 the double
 * x = |v| x 10^decimals (0 to 9, each exact) is the exact product rounded
 * once, and rounding keeps order: the halfway point w + 1/2 is a double,
 * so x below it means the product is below it, x above means above, and
 * x on it is the one case left to scaled (a tie, or a product next to
 * one). x less its whole part is exact. The 128-bit multiplication and
 * shifts cost about 50 instructions a number; these, about 10.
 */
static GM__ALWAYS_INLINE int scaled_near(double v, int decimals,
                                         uint64_t *out)
{
  static const double pow10_double[10] = {1e0, 1e1, 1e2, 1e3, 1e4,
                                          1e5, 1e6, 1e7, 1e8, 1e9};
  double x = fabs(v) * pow10_double[decimals], fraction;
  uint64_t whole;

  if (!(x < 2147483648.0))
    return 0;
  whole = (uint64_t)x;
  fraction = x - (double)whole;
  if (fraction < 0.5) {
    *out = whole;
    return 1;
  }
  if (fraction > 0.5) {
    *out = whole + 1;
    return 1;
  }
  return 0;
}

#ifdef __SIZEOF_INT128__
/* |v| x 10^decimals rounded as printf rounds it, the binary value to the
 * nearest integer, ties to even: v = m x 2^e exactly, so v x 10^d is
 * m x 5^d x 2^(e+d), an integer (m < 2^53, 5^d < 2^40: 93 bits) shifted.
 * 0 when the result would not fit 64 bits (then printf does it). */
static GM__ALWAYS_INLINE int scaled(double v, int decimals, uint64_t *out)
{
  static const uint64_t pow5[18] = {
      1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625,
      48828125, 244140625, 1220703125, 6103515625, 30517578125,
      152587890625, 762939453125};
  /* |v| = m x 2^(e - 1075) from the bits (frexp and ldexp were two
   * library calls a coordinate); a subnormal's e is 1, no hidden bit */
  uint64_t bits, m;
  int e;
  unsigned __int128 n, q, rest, half;
  int shift;

  if (decimals <= 9 && scaled_near(v, decimals, out))
    return 1;
  memcpy(&bits, &v, sizeof bits);
  m = bits & (((uint64_t)1 << 52) - 1);
  e = (int)((bits >> 52) & 0x7ff);
  if (e)
    m |= (uint64_t)1 << 52;
  else
    e = 1;
  n = (unsigned __int128)m * pow5[decimals];
  shift = e - 1075 + decimals;           /* n x 2^shift */

  if (m == 0) {
    *out = 0;
    return 1;
  }
  if (shift >= 0) {
    if (shift > 10 || n >> (64 - shift))
      return 0;
    *out = (uint64_t)(n << shift);
    return 1;
  }
  shift = -shift;
  if (shift >= 127) {                    /* below half of one unit */
    *out = 0;
    return 1;
  }
  q = n >> shift;
  rest = n & (((unsigned __int128)1 << shift) - 1);
  half = (unsigned __int128)1 << (shift - 1);
  if (rest > half || (rest == half && (q & 1)))
    q++;
  if (q >> 64)
    return 0;
  *out = (uint64_t)q;
  return 1;
}
#else
static GM__ALWAYS_INLINE int scaled(double v, int decimals, uint64_t *out)
{
  return decimals <= 9 && scaled_near(v, decimals, out);
}
#endif

/* printf %.*f, then without trailing zeros; keep one when fraction. */
static void put_fixed_printf(gm__json *j, double v, int decimals,
                             int fraction)
{
  char num[400];
  int n;

  n = snprintf(num, sizeof num - 2, "%.*f", decimals, v);
  if (n < 0 || n >= (int)sizeof num - 2) {
    if (!j->status)
      j->status = GM_EINVAL;
    return;
  }
  if (strchr(num, '.')) {
    while (num[n - 1] == '0')
      num[--n] = '\0';
    if (num[n - 1] == '.')
      num[--n] = '\0';
  }
  if (fraction && !strchr(num, '.'))
    strcpy(num + n, ".0");
  /* -0.0001 rounded to 3 places is "-0": print zero without a sign. */
  put_str(j, strcmp(num, "-0") == 0     ? "0"
             : strcmp(num, "-0.0") == 0 ? "0.0"
                                        : num);
}

/* What put_fixed_printf writes, from the scaled integer: the integer
 * part, then the fraction's digits without trailing zeros ("0" when it
 * has none and a fraction is wanted), as the ring writes its positions.
 * Zero has no sign. */
static GM__ALWAYS_INLINE void put_fixed(gm__json *j, double v, int decimals,
                                         int fraction)
{
  static const uint64_t pow10[18] = {
      1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
      1000000000, 10000000000, 100000000000, 1000000000000,
      10000000000000, 100000000000000, 1000000000000000,
      10000000000000000, 100000000000000000};
  /* "-", 20 digits, ".", 17 digits, and what put_fraction writes past */
  enum { MAX = 48 };
  char num[MAX], *at;
  gm__buf *b = &j->out;
  int in_place = !j->status && b->cap - b->len > MAX; /* nearly always */
  uint64_t q, frac;

  if (!isfinite(v)) { /* JSON has no NaN or infinity */
    put(j, "null", 4);
    return;
  }
  if (decimals < 0)
    decimals = 0;
  if (decimals > 17)
    decimals = 17;
  if (!scaled(v, decimals, &q)) {
    put_fixed_printf(j, v, decimals, fraction);
    return;
  }
  at = in_place ? b->data + b->len : num;
  if (v < 0 && q)
    *at++ = '-';
  at = put_whole64(at, q / pow10[decimals]);
  if ((frac = q % pow10[decimals])) {
    *at++ = '.';
    at = put_fraction(at, frac, decimals);
  } else if (fraction) {
    *at++ = '.';
    *at++ = '0';
  }
  if (in_place) {
    *at = '\0';
    b->len = (size_t)(at - b->data);
  } else {
    put(j, num, (size_t)(at - num));
  }
}

/* put_fixed is inline, so that the precisions nearly every real has are
 * constants there: its scaling, divisions and shifts by them are worked
 * out when compiling. */
void gm__json_real(gm__json *j, double v, int decimals)
{
  before_item(j);
  if (decimals == 4) /* confidences, scores, reasons' values and weights */
    put_fixed(j, v, 4, 1);
  else if (decimals == 6) /* lat and lon, GM__PRECISION_DEFAULT */
    put_fixed(j, v, 6, 1);
  else
    put_fixed(j, v, decimals, 1);
}

void gm__json_coord(gm__json *j, double v, int decimals)
{
  before_item(j);
  if (decimals == 6) /* GM__PRECISION_DEFAULT */
    put_fixed(j, v, 6, 0);
  else
    put_fixed(j, v, decimals, 0);
}

#if HAVE_EIGHT_DIGITS
/* The three digits of 0 to 999 in a word's low bytes, in reading order
 * (little-endian), and in its high byte how many of them are left
 * without their trailing zeros (0 for 000). */
#define D3(h, t, o)                                                        \
  ((uint32_t)('0' + (h)) | (uint32_t)('0' + (t)) << 8 |                    \
   (uint32_t)('0' + (o)) << 16 |                                           \
   (uint32_t)((o) ? 3 : (t) ? 2 : (h) ? 1 : 0) << 24)
#define D3_TENS(h, t)                                                      \
  D3(h, t, 0), D3(h, t, 1), D3(h, t, 2), D3(h, t, 3), D3(h, t, 4),         \
      D3(h, t, 5), D3(h, t, 6), D3(h, t, 7), D3(h, t, 8), D3(h, t, 9)
#define D3_HUNDREDS(h)                                                     \
  D3_TENS(h, 0), D3_TENS(h, 1), D3_TENS(h, 2), D3_TENS(h, 3),              \
      D3_TENS(h, 4), D3_TENS(h, 5), D3_TENS(h, 6), D3_TENS(h, 7),          \
      D3_TENS(h, 8), D3_TENS(h, 9)
static const uint32_t three_digits[1000] = {
    D3_HUNDREDS(0), D3_HUNDREDS(1), D3_HUNDREDS(2), D3_HUNDREDS(3),
    D3_HUNDREDS(4), D3_HUNDREDS(5), D3_HUNDREDS(6), D3_HUNDREDS(7),
    D3_HUNDREDS(8), D3_HUNDREDS(9)};
#undef D3_HUNDREDS
#undef D3_TENS
#undef D3

/*
 * put_fraction of six places, the rings' (every stored shape's grid):
 * its two halves of three digits from a table, the trailing zeros
 * counted there too, where eight_digits took two rounds of
 * multiplications and a count of leading zeros. Writes 8 bytes (2 past
 * the digits). On the 10 MB archive's 700,000 region positions, the
 * rings' writing (write_multipolygon) went 105.8M -> 79.2M instructions
 * (callgrind, the whole --jobs 1 run: 1,997.0M -> 1,970.5M). The degrees
 * from the same table without branches (their length from two
 * comparisons, the leading zeros shifted out) took more: 83.8M of
 * write_multipolygon's own against 71.2M with put_whole.
 */
static GM__ALWAYS_INLINE char *put_fraction6(char *at, uint32_t fraction)
{
  uint32_t high = three_digits[fraction / 1000];
  uint32_t low = three_digits[fraction % 1000];
  uint64_t d = (high & 0xffffffu) | (uint64_t)(low & 0xffffffu) << 24;

  memcpy(at, &d, 8);
  return at + ((low >> 24) ? 3 + (low >> 24) : high >> 24);
}
#endif

/* u units of 10^-decimals (0 to 10) at `at`, as gm__json_coord writes
 * the double u x 10^-decimals; returns the end (13 bytes at most, and
 * put_fraction may write 7 past it). The double is within 2^-21 units of
 * u (|u| <= 2^31, two roundings of 2^-53 each), so printf's rounding of
 * it gives u back: its digits are u's, the point in place, trailing
 * zeros of the fraction dropped. Inline, so that the ring at the default
 * precision divides by a constant. */
static GM__ALWAYS_INLINE char *put_units(char *at, int32_t u,
                                         int decimals)
{
  uint32_t v = u < 0 ? 0u - (uint32_t)u : (uint32_t)u;
  uint32_t whole = decimals < 10 ? v / pow10_32[decimals] : 0;
  uint32_t fraction = decimals < 10 ? v % pow10_32[decimals] : v;

  if (u < 0)
    *at++ = '-';
  at = put_whole(at, whole);
  if (!fraction)
    return at;
  *at++ = '.';
#if HAVE_EIGHT_DIGITS
  if (decimals == 6)
    return put_fraction6(at, fraction);
#endif
  return put_fraction(at, fraction, decimals);
}

/* One position's text: "-" and 10 digits and "." at most, for either
 * coordinate, the brackets and two commas. */
#define POSITION_MAX (2 * 13 + 4)
/* The brackets around the ring, its NUL, and what put_fraction may write
 * past the last position. */
#define RING_EXTRA (3 + 7)

/* The ring's positions from `at`; returns the end. Inline, for the
 * default precision's constant. */
static GM__ALWAYS_INLINE char *put_positions(char *at,
                                             const int32_t *lonlat,
                                             size_t n, int decimals)
{
  for (size_t i = 0; i < n; i++) {
    if (i)
      *at++ = ',';
    *at++ = '[';
    at = put_units(at, lonlat[2 * i], decimals);
    *at++ = ',';
    at = put_units(at, lonlat[2 * i + 1], decimals);
    *at++ = ']';
  }
  return at;
}

void gm__json_ring_units(gm__json *j, const int32_t *lonlat, size_t n,
                         int decimals)
{
  gm__buf *b = &j->out;
  char *at;

  before_item(j);
  if (j->status)
    return;
  if (decimals < 0 || decimals > 10) {
    j->status = GM_EINVAL;
    return;
  }
  if (n > (SIZE_MAX - b->len - RING_EXTRA) / POSITION_MAX ||
      gm__grow(&b->data, &b->cap, b->len + n * POSITION_MAX + RING_EXTRA,
               1)) {
    j->status = GM_ENOMEM;
    return;
  }
  /* Straight into the buffer, room made once: rings are the bulk of a
   * region's bytes, and the calls and checks of a put() and a comma a
   * number cost more than its digits. */
  at = b->data + b->len;
  *at++ = '[';
  if (decimals == 6) /* GM__PRECISION_DEFAULT, every run's but a few */
    at = put_positions(at, lonlat, n, 6);
  else
    at = put_positions(at, lonlat, n, decimals);
  *at++ = ']';
  *at = '\0';
  b->len = (size_t)(at - b->data);
}

void gm__json_raw(gm__json *j, const char *s, size_t len)
{
  before_item(j);
  put(j, s, len);
}

void gm__json_repeat(gm__json *j, gm__json_span span)
{
  gm__buf *b = &j->out;

  if (j->status)
    return;
  if (span.at > b->len || span.len > b->len - span.at) {
    j->status = GM_EINVAL;
    return;
  }
  before_item(j);
  /* Grown first, so the copy's source, inside the same buffer, does not
   * move under it. */
  if (gm__grow(&b->data, &b->cap, b->len + span.len + 1, 1)) {
    j->status = GM_ENOMEM;
    return;
  }
  memcpy(b->data + b->len, b->data + span.at, span.len);
  b->len += span.len;
  b->data[b->len] = '\0';
}

int gm__json_repeat_text(gm__json *j, const gm__json_text_value *v,
                         size_t start, size_t end)
{
  if (!v->span.len || v->start != start || v->end != end)
    return 0;
  gm__json_repeat(j, v->span);
  return 1;
}

void gm__json_keep_text(const gm__json *j, gm__json_text_value *v,
                        size_t at, size_t start, size_t end)
{
  if (!j->status)
    *v = (gm__json_text_value){.start = start, .end = end,
                               .span = {.at = at, .len = j->out.len - at}};
}

/* The four offsets after a mention's text, keys and numbers written in
 * place with one check for room, when the text was written and room is
 * there (nearly always): what the four gm__json_next_key and
 * gm__json_uint calls write, without their tests and calls for each
 * number (every citation and --mentions entry has them). 0 when it was
 * not done. */
static int put_offsets(gm__json *j, const gm_mention *m)
{
  /* the keys' 9 + 7 + 14 + 12 bytes, 20 digits each at most, the NUL */
  enum { ROOM = 42 + 4 * 20 + 1 };
  gm__buf *b = &j->out;
  char *at;

  if (j->status || j->after_key || j->depth <= 0 ||
      !j->has_items[j->depth - 1] || b->cap - b->len <= ROOM)
    return 0;
  at = b->data + b->len;
  memcpy(at, ",\"start\":", 9);
  at = put_whole64(at + 9, m->cp_start);
  memcpy(at, ",\"end\":", 7);
  at = put_whole64(at + 7, m->cp_end);
  memcpy(at, ",\"byte_start\":", 14);
  at = put_whole64(at + 14, m->start);
  memcpy(at, ",\"byte_end\":", 12);
  at = put_whole64(at + 12, m->end);
  *at = '\0';
  b->len = (size_t)(at - b->data);
  return 1;
}

void gm__json_mention_span(gm__json *j, const char *text,
                           const gm_mention *m)
{
  gm__json_key(j, "text");
  gm__json_string(j, text + m->start, m->end - m->start);
  if (put_offsets(j, m))
    return;
  gm__json_next_key(j, ",\"start\":");
  gm__json_uint(j, m->cp_start);
  gm__json_next_key(j, ",\"end\":");
  gm__json_uint(j, m->cp_end);
  gm__json_next_key(j, ",\"byte_start\":");
  gm__json_uint(j, m->start);
  gm__json_next_key(j, ",\"byte_end\":");
  gm__json_uint(j, m->end);
}
