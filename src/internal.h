/*
 * internal.h — what the library's modules share and the API does not show:
 * error reporting, growable arrays, hashing, and the token stream.
 *
 * Internal non-static names carry the gm__ prefix.
 */
#ifndef GM_INTERNAL_H
#define GM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geomention.h"

#if defined(__GNUC__)
#define GM__PRINTF(f, a) __attribute__((format(printf, f, a)))
/* For the few small steps of a hot loop that GCC keeps out of line (it
 * weighs their callers, not their cost) or where a constant argument
 * must reach the body. */
#define GM__ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GM__PRINTF(f, a)
#define GM__ALWAYS_INLINE inline
#endif

/* Fill err (when not NULL) and return code, so callers can write
 * `return gm__error(err, GM_EIO, "%s: %s", path, strerror(errno));`. */
int gm__error(gm_error *err, int code, const char *fmt, ...) GM__PRINTF(3, 4);

/* Grow *p (an array of elem-sized items with capacity *cap) to hold at
 * least need items. Returns 0 or GM_ENOMEM, leaving *p intact on failure.
 * Inline up to the test whether it must grow, which is nearly always
 * no: the parser asks once or more per token. */
int gm__grow_to(void *p, size_t *cap, size_t need, size_t elem);
static inline int gm__grow(void *p, size_t *cap, size_t need, size_t elem)
{
  return need <= *cap ? 0 : gm__grow_to(p, cap, need, elem);
}

/* A growable byte string; data is NUL-terminated whenever len > 0. */
typedef struct gm__buf {
  char *data;
  size_t len, cap;
} gm__buf;

int gm__buf_append(gm__buf *b, const char *s, size_t len);
int gm__buf_putc(gm__buf *b, char c);
int gm__buf_printf(gm__buf *b, const char *fmt, ...) GM__PRINTF(2, 3);
void gm__buf_free(gm__buf *b);

/* A temporary file for reading and writing, created in $TMPDIR (else
 * /tmp) as geomention-NAME-XXXXXX and unlinked at once: nothing is left
 * behind however the process ends. NULL with errno set on failure. */
FILE *gm__temp_file(const char *name);

/* FNV-1a, 64 bits: the hash of the on-disk name index. */
uint64_t gm__hash(const char *s, size_t len);
/* gm__hash of a key that is the one hashed into h followed by s:
 * gm__hash(a + b) = gm__hash_more(gm__hash(a), b), so a key that grows
 * (the matcher's) is hashed one piece at a time. */
uint64_t gm__hash_more(uint64_t h, const char *s, size_t len);

/* ---------------------------------------------------------------- tokens */

/* What stands between a token and the one before it (bits, OR-ed). */
enum {
  GM__SEP_SPACE = 1 << 0,    /* spaces or tabs */
  GM__SEP_NEWLINE = 1 << 1,
  GM__SEP_PARAGRAPH = 1 << 2,/* a blank line */
  GM__SEP_STOP = 1 << 3,     /* . ! ? … */
  GM__SEP_COMMA = 1 << 4,
  GM__SEP_HYPHEN = 1 << 5,   /* - and dashes */
  GM__SEP_APOS = 1 << 6,     /* ' ’ ʼ */
  GM__SEP_QUOTE = 1 << 7,    /* " “ ” « » */
  GM__SEP_BRACKET = 1 << 8,  /* ( ) [ ] */
  GM__SEP_OTHER = 1 << 9,    /* any other punctuation or symbol */
  GM__SEP_INVALID = 1 << 10, /* bytes that are not UTF-8 */
  GM__SEP_START = 1 << 11,   /* the token is the first of the text */
  GM__SEP_CAMEL = 1 << 12    /* none: the next word of a hashtag
                                ("#Gaza|Under|Attack") */
};

/* Case and shape of a token. */
enum {
  GM__TOK_CAP = 1 << 0,      /* starts with an upper-case letter */
  GM__TOK_ALLCAPS = 1 << 1,  /* two or more letters, all upper case */
  GM__TOK_DIGIT = 1 << 2,    /* contains a digit */
  GM__TOK_ASCII = 1 << 3,    /* only ASCII bytes */
  GM__TOK_LOWER = 1 << 4,    /* starts with a lower-case letter */
  GM__TOK_HASHTAG = 1 << 5   /* a word of a hashtag ("#SierraLeone") */
};

/* Tried and not kept (session 21): 32-bit offsets, 32 bytes a token
 * (gm__tokenize refuses texts of 2 GiB already, so they would fit).
 * cachegrind on the fifth-line sample: D1 misses 3.02M -> 2.81M, but
 * instructions up, as GCC put the four 32-bit fields together in vector
 * registers before storing them (or stored them one by one, the same
 * count): gm_parse 303.1M -> 305.0M (304.9M field by field), on 2.5 MB
 * of WikToR 479.3M -> 481.7M. */
typedef struct gm__token {
  size_t start, end;         /* bytes in the text */
  size_t cp_start, cp_end;   /* code points in the text */
  uint32_t norm, norm_len;   /* the normalised form, in gm__tokens.norm */
  uint16_t sep;              /* GM__SEP_* before this token */
  uint16_t flags;            /* GM__TOK_* */
  uint32_t probe;            /* 1 + the parser's probe cache slot of the
                                normalised form once the matcher has
                                hashed it alone, else 0: gm__token_word
                                then needs no second hash (in the
                                struct's padding) */
} gm__token;

typedef struct gm__tokens {
  gm__token *v;
  size_t n, cap;
  gm__buf norm;              /* normalised tokens, each NUL-terminated */
  int32_t *scratch;          /* utf8proc work space */
  size_t scratch_cap;
  struct gm__fold *fold;     /* the forms of U+0080-U+07FF, each found
                                once (text_token.c), or NULL */
} gm__tokens;

/* Split text into word tokens (letters, marks, digits) and normalise each
 * one. Reuses the storage of t; invalid UTF-8 becomes a separator. */
int gm__tokenize(const char *s, size_t len, gm__tokens *t);
void gm__tokens_free(gm__tokens *t);

static inline const char *gm__token_norm(const gm__tokens *t, size_t i)
{
  return t->norm.data + t->v[i].norm;
}

/* Code points in s as the tokenizer counts them: each byte that is not
 * valid UTF-8 counts as one. */
size_t gm__cp_count(const char *s, size_t len);

/* The index key of a name: its normalised tokens joined by single spaces,
 * written to out (replacing what it held). t is work space. */
int gm__normalize_key(gm__tokens *t, const char *s, size_t len,
                      gm__buf *out);

/* Whether the separator before a token lets a multi-word name continue
 * across it: spaces, hyphens, apostrophes, the period of an abbreviation
 * such as "St. Louis", and none inside a hashtag ("#SierraLeone"). */
int gm__sep_joins(const gm__tokens *t, size_t i);

/* One function of a library loaded at run time: its name and the slot
 * (a function pointer of size bytes) its address goes to. */
typedef struct gm__dl_symbol {
  const char *name;
  void *slot;
  size_t size;
} gm__dl_symbol;

/* dlopen soname and fill every slot; the handle, or NULL with why (what:
 * "PROJ", "GEOS") saying which library or function could not be had. */
void *gm__dl_load(const char *what, const char *soname,
                  const gm__dl_symbol *syms, size_t n, char *why,
                  size_t why_size);

#endif /* GM_INTERNAL_H */
