/*
 * out_json.h — a small JSON writer for the output files: exact control of
 * member order, number formats and string escaping, which cJSON does not
 * give (it passes invalid UTF-8 through, stops at a NUL byte, and prints
 * 0.1 as 0.10000000000000001).
 *
 * Errors are sticky: every call after a failure does nothing, and the
 * caller checks `status` once when the value is complete.
 */
#ifndef GM_OUT_JSON_H
#define GM_OUT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define GM__JSON_DEPTH 16

typedef struct gm__json {
  gm__buf out;
  int status;                         /* 0, or the first failure */
  int depth;
  unsigned char has_items[GM__JSON_DEPTH]; /* a comma before the next */
  unsigned char is_array[GM__JSON_DEPTH];  /* ']' closes it, not '}' */
  int after_key;                      /* the next value follows a key */
} gm__json;

/* Forget what was written (keep the memory) to start the next value. */
void gm__json_reset(gm__json *j);
void gm__json_free(gm__json *j);

void gm__json_object(gm__json *j);
void gm__json_array(gm__json *j);
void gm__json_end(gm__json *j);      /* closes the innermost one */

/* The key of an object's next member. Keys are the writers' own names,
 * plain ASCII without '"', '\\' or controls, written as they are (not
 * escaped). Inline, because a key is a string literal nearly always:
 * its length is then known where it is written, and the key, its quotes
 * and the comma before it are a few stores (a call that measured and
 * scanned it cost about 130 instructions a key, more than half of
 * rendering the citations). gm__json_key_slow does the rest: no room, a
 * failure, a key out of place. */
void gm__json_key_slow(gm__json *j, const char *key, size_t n);
static inline void gm__json_key(gm__json *j, const char *key)
{
  size_t n = strlen(key);
  gm__buf *b = &j->out;
  char *at;

  if (j->status || j->after_key || j->depth <= 0 || n + 5 > b->cap - b->len) {
    gm__json_key_slow(j, key, n);
    return;
  }
  at = b->data + b->len;
  *at = ',';                               /* kept when an item came before */
  at += j->has_items[j->depth - 1];
  j->has_items[j->depth - 1] = 1;
  *at = '"';
  memcpy(at + 1, key, n);
  memcpy(at + 1 + n, "\":", 3);           /* and the terminating NUL */
  b->len = (size_t)(at + n + 3 - b->data);
  j->after_key = 1;
}

/* The key of a member after its object's first, given with the comma
 * before it as one literal, ",\"start\":": what gm__json_key writes
 * there, in one copy, without working out the comma and storing that
 * the object has members. For objects whose members are fixed, such as
 * a citation's after its first: about 7 instructions fewer a key, 5 %
 * of rendering the citations. Where no comma would go (no member
 * before, a key before, a failure) or there is no room, it is
 * gm__json_key of the key inside the literal, so the bytes are always
 * gm__json_key's. */
static inline void gm__json_next_key(gm__json *j, const char *comma_key)
{
  size_t n = strlen(comma_key);
  gm__buf *b = &j->out;

  if (j->status || j->after_key || j->depth <= 0 ||
      !j->has_items[j->depth - 1] || n + 1 > b->cap - b->len) {
    gm__json_key_slow(j, comma_key + 2, n - 4);
    return;
  }
  memcpy(b->data + b->len, comma_key, n + 1); /* and the NUL */
  b->len += n;
  j->after_key = 1;
}

/* A string of len bytes. Bytes that are not UTF-8 become U+FFFD, one
 * for each byte, as gm__cp_count counts them, so code-point offsets
 * computed on the original text still fit the string written. */
void gm__json_string(gm__json *j, const char *s, size_t len);
/* A NUL-terminated string, or null when s is NULL. */
void gm__json_cstring(gm__json *j, const char *s);
void gm__json_null(gm__json *j);
void gm__json_bool(gm__json *j, int b);
void gm__json_uint(gm__json *j, uint64_t v);
/* A number rounded to decimals places, always with a fraction ("1.0"),
 * so readers that type columns by the first value (OGR) see a real. */
void gm__json_real(gm__json *j, double v, int decimals);
/* A coordinate rounded to decimals places, shortest form ("37.5", "38"). */
void gm__json_coord(gm__json *j, double v, int decimals);
/* A ring of n positions given in units of 10^-decimals (0 to 10), lon
 * and lat pairs as the gazetteer stores shapes, as one array of
 * [lon, lat] arrays: the very bytes gm__json_coord writes for each
 * u x gm__geo_grid(decimals), without the doubles. */
void gm__json_ring_units(gm__json *j, const int32_t *lonlat, size_t n,
                         int decimals);
/* Text that is already JSON, as one value. */
void gm__json_raw(gm__json *j, const char *s, size_t len);

/* Where a value stands in a writer's buffer (len 0: not written). */
typedef struct gm__json_span {
  size_t at, len;
} gm__json_span;

/* The value at span, written before into this writer's own buffer, as
 * the next value: a copy, not built and escaped again (an article's
 * object or a sentence that its mentions repeat). GM_EINVAL when span is
 * not inside what was written. */
void gm__json_repeat(gm__json *j, gm__json_span span);

/* A value written from bytes [start, end) of a text, and where it stands
 * (span.len 0: none yet): the mentions of one sentence repeat the
 * sentence written for the first of them. */
typedef struct gm__json_text_value {
  size_t start, end;
  gm__json_span span;
} gm__json_text_value;

/* 1, the value repeated, when v was written from bytes [start, end);
 * else 0 and nothing written. */
int gm__json_repeat_text(gm__json *j, const gm__json_text_value *v,
                         size_t start, size_t end);
/* The value written since at, from bytes [start, end), kept in v (not
 * when the writer has failed). */
void gm__json_keep_text(const gm__json *j, gm__json_text_value *v,
                        size_t at, size_t start, size_t end);

/* A mention's surface text and where it stands, as every output gives
 * them: "text", "start", "end" (code points), "byte_start", "byte_end". */
void gm__json_mention_span(gm__json *j, const char *text,
                           const gm_mention *m);

#endif
