/*
 * out_json.c — the JSON writer behind every output file.
 *
 * Strings: whatever bytes the article held, the output is valid JSON in
 * valid UTF-8. Each byte that does not start a valid UTF-8 sequence (as
 * utf8proc_iterate, the tokenizer's decoder, judges it) becomes U+FFFD;
 * U+0000 and other controls are escaped, and so are U+2028 and U+2029,
 * which JSON allows raw but JavaScript source does not.
 *
 * Numbers: printed with printf in the C locale (the library never calls
 * setlocale), rounded to a fixed number of decimals, so the same input
 * gives the same bytes on every run.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "out_json.h"

static void put(gm__json *j, const char *s, size_t len)
{
  if (!j->status && gm__buf_append(&j->out, s, len))
    j->status = GM_ENOMEM;
}

static void put_str(gm__json *j, const char *s)
{
  put(j, s, strlen(s));
}

/* The comma (or nothing) before a value or a key. */
static void before_item(gm__json *j)
{
  if (j->after_key) {
    j->after_key = 0;
    return;
  }
  if (j->depth > 0) {
    if (j->has_items[j->depth - 1])
      put(j, ",", 1);
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
  put(j, array ? "[" : "{", 1);
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
  put(j, j->is_array[j->depth] ? "]" : "}", 1);
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

static void put_string(gm__json *j, const char *s, size_t len)
{
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  size_t pos = 0, run = 0; /* run: bytes to copy as they are */

  put(j, "\"", 1);
  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k =
        utf8proc_iterate(p + pos, (utf8proc_ssize_t)(len - pos), &c);
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
  put(j, "\"", 1);
}

void gm__json_key(gm__json *j, const char *key)
{
  before_item(j);
  put_string(j, key, strlen(key));
  put(j, ":", 1);
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

void gm__json_uint(gm__json *j, uint64_t v)
{
  char num[24];

  before_item(j);
  snprintf(num, sizeof num, "%llu", (unsigned long long)v);
  put_str(j, num);
}

/* printf %.*f, then without trailing zeros; keep one when fraction. */
static void put_fixed(gm__json *j, double v, int decimals, int fraction)
{
  char num[400];
  int n;

  if (!isfinite(v)) { /* JSON has no NaN or infinity */
    put(j, "null", 4);
    return;
  }
  if (decimals < 0)
    decimals = 0;
  if (decimals > 17)
    decimals = 17;
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

void gm__json_real(gm__json *j, double v, int decimals)
{
  before_item(j);
  put_fixed(j, v, decimals, 1);
}

void gm__json_coord(gm__json *j, double v, int decimals)
{
  before_item(j);
  put_fixed(j, v, decimals, 0);
}

void gm__json_raw(gm__json *j, const char *s, size_t len)
{
  before_item(j);
  put(j, s, len);
}
