/*
 * text_token.c — UTF-8 text to word tokens, each with its normalised form.
 *
 * A token is a maximal run of letters, combining marks and digits; all
 * else separates tokens, and what it was (space, comma, stop, hyphen, ...)
 * is kept as a bit set on the following token. The normalised form is
 * NFKC, case-folded, with diacritics and default-ignorable characters
 * removed (utf8proc). The gazetteer's name index is made of the same
 * tokens joined by single spaces, so a name and its mention in a text
 * normalise alike by construction.
 *
 * Invariants: offsets are bytes (and code points) of the original text;
 * bytes that are not valid UTF-8 count as one code point each, are never
 * part of a token, and never shift an offset.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "internal.h"

#define NORM_OPTIONS                                                     \
  (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |                \
   UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

/* Modifier letters used as apostrophes in transliterations (Luhansʹk):
 * Unicode calls them letters, news writers mean an apostrophe. */
static int is_apostrophe(int32_t cp)
{
  return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC ||
         cp == 0x02B9 || cp == 0x02BB || cp == 0x0060 || cp == 0x00B4;
}

static int is_word_char(int32_t cp, int *upper, int *lower, int *digit)
{
  utf8proc_category_t c = utf8proc_category(cp);

  *upper = *lower = *digit = 0;
  if (is_apostrophe(cp))
    return 0;
  switch (c) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LT:
    *upper = 1;
    return 1;
  case UTF8PROC_CATEGORY_LL:
    *lower = 1;
    return 1;
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
    return 1;
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    *digit = 1;
    return 1;
  default:
    return 0;
  }
}

static unsigned separator_bit(int32_t cp)
{
  switch (cp) {
  case ' ':
  case '\t':
  case 0xA0:
  case 0x2009:
  case 0x202F:
  /* A trademark sign is no part of a name's words but does not end the
   * name either: "Universal Orlando® Resort" reads "Universal Orlando
   * Resort". */
  case 0x00AE:
  case 0x2122:
    return GM__SEP_SPACE;
  case '\n':
  case '\r':
  case 0x2028:
  case 0x2029:
    return GM__SEP_NEWLINE;
  case '.':
  case '!':
  case '?':
  case 0x2026:
    return GM__SEP_STOP;
  case ',':
    return GM__SEP_COMMA;
  case '-':
  case 0x2010:
  case 0x2011:
  case 0x2012:
  case 0x2013:
  case 0x2014:
    return GM__SEP_HYPHEN;
  case '"':
  case 0x201C:
  case 0x201D:
  case 0x00AB:
  case 0x00BB:
    return GM__SEP_QUOTE;
  case '(':
  case ')':
  case '[':
  case ']':
    return GM__SEP_BRACKET;
  }
  if (is_apostrophe(cp))
    return GM__SEP_APOS;
  if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS)
    return GM__SEP_SPACE;
  return GM__SEP_OTHER;
}

/* Append the word characters of normalised UTF-8 to t->norm. NFKC can
 * turn one word character into code points that are not all word
 * characters (U+00BD -> "1\u20442", U+2474 -> "(1)", U+0149 -> "\u02BCn"):
 * those become single spaces between words, as they would in a text, so
 * that normalising a normalised name changes nothing. */
static int append_words(gm__tokens *t, const char *s, size_t len)
{
  size_t pos = 0, before = t->norm.len;
  int gap = 0;

  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                          (utf8proc_ssize_t)(len - pos), &c);
    int upper, lower, digit;
    if (k <= 0)
      return GM_EFORMAT;
    if (!is_word_char(c, &upper, &lower, &digit)) {
      gap = 1;
    } else {
      if (gap && t->norm.len > before && gm__buf_putc(&t->norm, ' '))
        return GM_ENOMEM;
      gap = 0;
      if (gm__buf_append(&t->norm, s + pos, (size_t)k))
        return GM_ENOMEM;
    }
    pos += (size_t)k;
  }
  return 0;
}

/* Append the lower case of an ASCII token to t->norm: all the
 * normalisation an ASCII word needs (NFKC and diacritics change nothing).
 * Its bytes are letters and digits, and for those OR-ing 0x20 is lower
 * case (digits have the bit already), eight at a time. */
static inline int lower_ascii(gm__tokens *t, const char *s, size_t len,
                       size_t readable)
{
  const uint64_t bits = 0x2020202020202020ull;
  char *d;
  size_t i = 0;

  /* Room for whole 8-byte words: what they write past the token is
   * overwritten by its NUL and the next token. */
  if (t->norm.len + len + 9 > t->norm.cap &&
      gm__grow(&t->norm.data, &t->norm.cap, t->norm.len + len + 9, 1))
    return GM_ENOMEM;
  d = t->norm.data + t->norm.len;
  /* Whole words while the text has 8 bytes to read; bytes at its end. */
  for (; i < len && i + 8 <= readable; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    w |= bits;
    memcpy(d + i, &w, 8);
  }
  for (; i < len; i++)
    d[i] = (char)(s[i] | 0x20);
  t->norm.len += len;
  t->norm.data[t->norm.len] = '\0';
  return 0;
}

/* The normalised form of the valid UTF-8 [s, s + len) as utf8proc gives
 * it, every code point kept, in t->scratch's bytes; its length in *n (0
 * when it held only default-ignorable characters, U+3164). 0 or a
 * negative status. */
static int utf8proc_form(gm__tokens *t, const char *s, size_t len,
                         size_t *n)
{
  utf8proc_ssize_t k;

  for (;;) {
    k = utf8proc_decompose_custom((const utf8proc_uint8_t *)s,
                                  (utf8proc_ssize_t)len, t->scratch,
                                  (utf8proc_ssize_t)t->scratch_cap,
                                  NORM_OPTIONS, NULL, NULL);
    if (k < 0)
      return GM_EFORMAT;
    if ((size_t)k <= t->scratch_cap)
      break;
    if (gm__grow(&t->scratch, &t->scratch_cap, (size_t)k, sizeof *t->scratch))
      return GM_ENOMEM;
  }
  *n = 0;
  if (k == 0)
    return 0;
  k = utf8proc_reencode(t->scratch, k, NORM_OPTIONS);
  if (k < 0)
    return GM_EFORMAT;
  *n = (size_t)k;
  return 0;
}

/* The flags a token starts with: ASCII until a character says otherwise,
 * and its first character's case. */
static unsigned start_flags(int upper, int lower)
{
  return GM__TOK_ASCII | (upper ? GM__TOK_CAP : 0) |
         (lower ? GM__TOK_LOWER : 0);
}

/* What an ASCII byte is to the scanner: a word character and its case,
 * or the separator bit it sets (separator_bit's answer, in a table). */
enum { A_LOWER = 1 << 12, A_UPPER = 1 << 13, A_DIGIT = 1 << 14 };
#define A_WORD (A_LOWER | A_UPPER | A_DIGIT)
static unsigned short ascii_class[128];
static pthread_once_t ascii_once = PTHREAD_ONCE_INIT;

/* What each byte adds to an ASCII word's counts, in one sum: letters in
 * bits 0-19, lower-case letters in bits 20-39, digits from bit 40; 0 for
 * a byte that is no ASCII letter or digit. */
static uint64_t ascii_counts[256];

/* start_flags of a token whose first character is an ASCII byte. */
static unsigned char ascii_start_flags[128];
#define COUNT_LOWER ((uint64_t)1 << 20)
#define COUNT_DIGIT ((uint64_t)1 << 40)

static void init_ascii_class(void)
{
  for (int c = 0; c < 128; c++) {
    ascii_class[c] = c >= 'a' && c <= 'z'   ? A_LOWER
                     : c >= 'A' && c <= 'Z' ? A_UPPER
                     : c >= '0' && c <= '9' ? A_DIGIT
                                            : (unsigned short)separator_bit(c);
    ascii_counts[c] = ascii_class[c] == A_LOWER   ? 1 + COUNT_LOWER
                      : ascii_class[c] == A_UPPER ? 1
                      : ascii_class[c] == A_DIGIT ? COUNT_DIGIT
                                                  : 0;
    ascii_start_flags[c] = (unsigned char)start_flags(
        ascii_class[c] == A_UPPER, ascii_class[c] == A_LOWER);
  }
}

/* The form of one code point from U+0080 to U+07FF (two bytes of
 * UTF-8), where it may stand for the character in any token: word
 * characters alone, at most FOLD_MAX bytes ("u" for "ü", "ss" for "ß",
 * "" for a combining mark). Else, as for "½" ("1 2") or "ŉ" ("\u02BCn",
 * whose apostrophe splits "aŉ" into "a n"), the whole token takes
 * utf8proc's way. The forms of a token's characters, each taken alone,
 * are its form: utf8proc removes the marks before it composes, and no
 * two characters whose forms are kept here compose with each other
 * (every pair of them, with each other and with the ASCII letters and
 * digits, was checked against normalize_token's utf8proc way when this
 * was written, session 22). */
enum { FOLD_FIRST = 0x80, FOLD_END = 0x800, FOLD_MAX = 6 };
enum { FOLD_UNKNOWN, FOLD_KEPT, FOLD_UTF8PROC };
struct gm__fold {
  unsigned char state;   /* FOLD_* */
  unsigned char len;
  char form[FOLD_MAX];
};

/* Find f, the fold of code point c (FOLD_FIRST <= c < FOLD_END). 0 or a
 * negative status. */
static int find_fold(gm__tokens *t, int32_t c, struct gm__fold *f)
{
  utf8proc_uint8_t bytes[4];
  utf8proc_ssize_t k = utf8proc_encode_char(c, bytes);
  size_t n, pos = 0;
  int rc = utf8proc_form(t, (const char *)bytes, (size_t)k, &n);
  const char *form = (const char *)t->scratch;

  if (rc)
    return rc;
  f->state = n <= FOLD_MAX ? FOLD_KEPT : FOLD_UTF8PROC;
  while (pos < n && f->state == FOLD_KEPT) {
    utf8proc_int32_t d;
    int upper, lower, digit;
    k = utf8proc_iterate((const utf8proc_uint8_t *)form + pos,
                         (utf8proc_ssize_t)(n - pos), &d);
    if (k <= 0 || !is_word_char(d, &upper, &lower, &digit))
      f->state = FOLD_UTF8PROC;
    pos += k > 0 ? (size_t)k : 1;
  }
  if (f->state == FOLD_KEPT) {
    f->len = (unsigned char)n;
    if (n)   /* an ignorable character's: none, and no scratch yet */
      memcpy(f->form, form, n);
  }
  return 0;
}

/* Append the normalised form of a token of ASCII letters and digits and
 * two-byte characters whose folds are kept (most words of European
 * languages but English) to t->norm, one fold a character: what
 * utf8proc's way gives, without its ~2,500 instructions a token. 1 when
 * some character is none of those (t->norm unchanged), 0 when appended,
 * or a negative status. */
static int fold_token(gm__tokens *t, const char *s, size_t len)
{
  char *d;
  int rc;

  if (!t->fold &&
      !(t->fold = calloc(FOLD_END - FOLD_FIRST, sizeof *t->fold)))
    return GM_ENOMEM;
  /* A fold is at most three times its two bytes; each is copied whole,
   * FOLD_MAX bytes, what lies past it overwritten by the next. */
  if (gm__grow(&t->norm.data, &t->norm.cap, t->norm.len + 3 * len + 1, 1))
    return GM_ENOMEM;
  d = t->norm.data + t->norm.len;
  for (size_t i = 0; i < len;) {
    unsigned char b = (unsigned char)s[i], b2;
    struct gm__fold *f;
    if (b < 0x80) {
      if (!(ascii_class[b] & A_WORD))
        return 1;
      *d++ = (char)(b | 0x20);
      i++;
      continue;
    }
    if (b < 0xC2 || b > 0xDF || i + 1 == len ||
        ((b2 = (unsigned char)s[i + 1]) & 0xC0) != 0x80)
      return 1;
    f = &t->fold[((b & 0x1F) << 6 | (b2 & 0x3F)) - FOLD_FIRST];
    if (f->state == FOLD_UNKNOWN &&
        (rc = find_fold(t, (b & 0x1F) << 6 | (b2 & 0x3F), f)))
      return rc;
    if (f->state != FOLD_KEPT)
      return 1;
    memcpy(d, f->form, FOLD_MAX);
    d += f->len;
    i += 2;
  }
  *d = '\0';
  t->norm.len = (size_t)(d - t->norm.data);
  return 0;
}

/* Append the normalised form of one token (valid UTF-8) to t->norm. */
static int normalize_token(gm__tokens *t, const char *s, size_t len)
{
  size_t n;
  int ascii = 1, rc;

  for (size_t i = 0; i < len; i++)
    ascii &= ((unsigned char)s[i] < 0x80);
  if (ascii)
    return lower_ascii(t, s, len, len);
  if ((rc = fold_token(t, s, len)) <= 0)
    return rc;
  if ((rc = utf8proc_form(t, s, len, &n)))
    return rc;
  return n ? append_words(t, (const char *)t->scratch, n) : 0;
}

/* The scanner's state between characters. */
typedef struct scan {
  size_t start, cp_start;     /* of the token being read */
  unsigned sep;               /* GM__SEP_* since the last token */
  unsigned flags;
  size_t letters, lowers;     /* ALLCAPS: two or more, none lower case */
  int in_token, newlines;
} scan;

/* Begin a token at pos whose first character's case is in flags
 * (start_flags). */
static void begin_token(scan *z, size_t pos, size_t cp, unsigned flags)
{
  z->in_token = 1;
  z->start = pos;
  z->cp_start = cp;
  z->flags = flags;
  z->letters = z->lowers = 0;
}

/* Normalise the bytes [tok.start, tok.end) of s and push them as token
 * tok; 1 when pushed, 0 when they hold only ignorable characters (no
 * token), or a negative status. Inlined, as end_token: every token
 * takes both steps, and GCC kept them out of line (three callers and
 * two), where the calls cost more than their bodies. */
static GM__ALWAYS_INLINE int push_token(gm__tokens *t, const char *s,
                                        size_t len, gm__token tok)
{
  size_t before = t->norm.len, n = tok.end - tok.start;
  int rc;

  if (t->n == t->cap && gm__grow(&t->v, &t->cap, t->n + 1, sizeof *t->v))
    return GM_ENOMEM;
  rc = (tok.flags & GM__TOK_ASCII)
           ? lower_ascii(t, s + tok.start, n, len - tok.start)
           : normalize_token(t, s + tok.start, n);
  if (rc)
    return rc;
  if (t->norm.len == before)
    return 0;
  t->norm.len++;   /* keep the NUL the normaliser wrote after the token */
  tok.norm = (uint32_t)before;
  tok.norm_len = (uint32_t)(t->norm.len - before - 1);
  t->v[t->n++] = tok;
  return 1;
}

/* Where the next word of an ASCII hashtag starts ("#GazaUnderAttack",
 * "#NYCFerguson", "#Unity4Malaysia"): at a capital after a lower-case
 * letter, at the last capital of a run followed by a lower-case letter,
 * and where letters and digits meet. */
static size_t camel_next(const char *s, size_t i, size_t end)
{
  for (i++; i < end; i++) {
    unsigned a = ascii_class[(unsigned char)s[i - 1]] & A_WORD;
    unsigned b = ascii_class[(unsigned char)s[i]] & A_WORD;
    unsigned c = i + 1 < end ? ascii_class[(unsigned char)s[i + 1]] & A_WORD
                             : 0;
    if ((a == A_LOWER && b == A_UPPER) || (a == A_DIGIT) != (b == A_DIGIT) ||
        (a == A_UPPER && b == A_UPPER && c == A_LOWER))
      return i;
  }
  return end;
}

/* Push the words of an ASCII hashtag [z->start, pos) as tokens of their
 * own, joined by GM__SEP_CAMEL: tweets write "#SierraLeone", and the
 * corpora mark the place inside "#GazaUnderAttack". 1 (pushed), or a
 * negative status. */
static int push_hashtag(gm__tokens *t, const char *s, size_t len,
                        const scan *z, size_t pos)
{
  unsigned sep = z->sep;

  for (size_t a = z->start, b; a < pos; a = b) {
    unsigned letters = 0, lowers = 0, flags = GM__TOK_ASCII | GM__TOK_HASHTAG;
    unsigned first = ascii_class[(unsigned char)s[a]] & A_WORD;
    int rc;
    b = camel_next(s, a, pos);
    for (size_t i = a; i < b; i++) {
      unsigned k = ascii_class[(unsigned char)s[i]] & A_WORD;
      letters += k != A_DIGIT;
      lowers += k == A_LOWER;
      flags |= k == A_DIGIT ? GM__TOK_DIGIT : 0;
    }
    flags |= first == A_UPPER ? GM__TOK_CAP : first == A_LOWER ? GM__TOK_LOWER
                                                               : 0;
    if (letters >= 2 && lowers == 0)
      flags |= GM__TOK_ALLCAPS;
    rc = push_token(t, s, len, (gm__token){
        .start = a, .end = b, .cp_start = z->cp_start + (a - z->start),
        .cp_end = z->cp_start + (b - z->start), .sep = (uint16_t)sep,
        .flags = (uint16_t)flags});
    if (rc < 0)
      return rc;
    sep = GM__SEP_CAMEL;
  }
  return 1;
}

/* End the token being read at pos and push it; 0 or a negative status. */
static GM__ALWAYS_INLINE int end_token(gm__tokens *t, const char *s,
                                       size_t len, scan *z, size_t pos,
                                       size_t cp)
{
  unsigned flags = z->flags;
  int rc;

  z->in_token = 0;
  if (z->letters >= 2 && z->lowers == 0)
    flags |= GM__TOK_ALLCAPS;
  if (z->start > 0 && s[z->start - 1] == '#')
    flags |= GM__TOK_HASHTAG;
  if ((flags & GM__TOK_HASHTAG) && (flags & GM__TOK_ASCII))
    rc = push_hashtag(t, s, len, z, pos);
  else
    rc = push_token(t, s, len, (gm__token){
        .start = z->start, .end = pos, .cp_start = z->cp_start, .cp_end = cp,
        .sep = (uint16_t)z->sep, .flags = (uint16_t)flags});
  if (rc <= 0)
    return rc;   /* 0: only ignorable characters, the separators go on */
  z->sep = 0;
  z->newlines = 0;
  return 0;
}

static void add_separator(scan *z, unsigned bit, int32_t c)
{
  if (bit == GM__SEP_NEWLINE && c == '\n' && ++z->newlines >= 2)
    bit |= GM__SEP_PARAGRAPH;
  else if (bit != GM__SEP_SPACE && bit != GM__SEP_NEWLINE)
    z->newlines = 0;
  z->sep |= bit;
}

/* The end of the ASCII letters and digits from pos, and in *sum their
 * counts (ascii_counts); at most 2^19 bytes at a time, so that no count
 * overflows its bits. */
static size_t ascii_word_end(const char *s, size_t pos, size_t len,
                             uint64_t *sum)
{
  size_t stop = len - pos > ((size_t)1 << 19) ? pos + ((size_t)1 << 19) : len;
  uint64_t total = 0, k;

  /* One bound check for four bytes while four remain: most of a word. */
  for (; pos + 4 <= stop; pos += 4) {
    if (!(k = ascii_counts[(unsigned char)s[pos]]))
      goto end;
    total += k;
    if (!(k = ascii_counts[(unsigned char)s[pos + 1]])) {
      pos += 1;
      goto end;
    }
    total += k;
    if (!(k = ascii_counts[(unsigned char)s[pos + 2]])) {
      pos += 2;
      goto end;
    }
    total += k;
    if (!(k = ascii_counts[(unsigned char)s[pos + 3]])) {
      pos += 3;
      goto end;
    }
    total += k;
  }
  while (pos < stop && (k = ascii_counts[(unsigned char)s[pos]]) != 0) {
    total += k;
    pos++;
  }
end:
  *sum = total;
  return pos;
}

/* Add the counts of ascii_word_end to the token being read. */
static void count_ascii(scan *z, uint64_t sum)
{
  z->letters += sum & (COUNT_LOWER - 1);
  z->lowers += (sum >> 20) & (COUNT_LOWER - 1);
  if (sum >> 40)
    z->flags |= GM__TOK_DIGIT;
}

/* Push the ASCII word [pos, end) as a whole token, its counts in sum and
 * its first byte c: a word that starts after a separator and ends at an
 * ASCII one or the text's end, and no hashtag (most tokens). The token
 * begin_token, count_ascii and end_token would push, without the
 * scanner's state for a token that may go on (with the separator read
 * by the caller, gm__tokenize on the sample 62.3M -> 56.7M
 * instructions). 0 or GM_ENOMEM.
 * Tried and not kept (session 19): words read eight bytes at a time,
 * their classes found at once in the high bits of a 64-bit word (SWAR),
 * a short word lower-cased by one store, and the words with their
 * separators pushed in a loop that keeps the tokens and forms in locals.
 * Same tokens (600k random texts against this code), but gm__tokenize on
 * /tmp/lead/cg's sample 28.86M -> 28.79M and on 2.5 MB of WikToR 78.51M
 * -> 78.46M, and gm_parse 95.01M -> 95.43M as LTO inlined differently:
 * most words are shorter than eight bytes, where a table lookup a byte
 * costs what the word's twenty-odd operations and their constants do. */
static GM__ALWAYS_INLINE int push_ascii_word(gm__tokens *t, const char *s,
                                             size_t len, scan *z, size_t pos,
                                             size_t end, size_t cp,
                                             unsigned c, uint64_t sum)
{
  unsigned flags = ascii_start_flags[c];
  int rc;

  if (sum >> 40)
    flags |= GM__TOK_DIGIT;
  if ((sum & (COUNT_LOWER - 1)) >= 2 && ((sum >> 20) & (COUNT_LOWER - 1)) == 0)
    flags |= GM__TOK_ALLCAPS;
  rc = push_token(t, s, len, (gm__token){
      .start = pos, .end = end, .cp_start = cp, .cp_end = cp + (end - pos),
      .sep = (uint16_t)z->sep, .flags = (uint16_t)flags});
  if (rc < 0)
    return rc;
  z->sep = 0;
  z->newlines = 0;
  return 0;
}

/* The ASCII letters and digits among sixteen bytes, one bit a byte (bit
 * i for byte i), and the bytes from 0x80 (UTF-8 beyond ASCII). */
typedef struct ascii16 {
  unsigned upper, lower, digit, high;
} ascii16;

#ifdef __SSE2__
/* The bits of the bytes of x in [lo, hi]: moved so that lo is the least
 * signed byte, the range is what lies below lo's place plus its width
 * (SSE2 compares signed bytes only). SSE2 is in every x86-64. */
static inline unsigned in_range16(__m128i x, char lo, char hi)
{
  __m128i moved = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - lo)));
  __m128i limit = _mm_set1_epi8((char)(-128 + (hi - lo + 1)));

  return (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(moved, limit));
}
#endif

/* ascii16 of the sixteen bytes at s: at once with SSE2, else one by one
 * through ascii_class (the same bits). */
static inline ascii16 classify16(const char *s)
{
  ascii16 a;
#ifdef __SSE2__
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);

  a.upper = in_range16(x, 'A', 'Z');
  a.lower = in_range16(x, 'a', 'z');
  a.digit = in_range16(x, '0', '9');
  a.high = (unsigned)_mm_movemask_epi8(x);
#else
  a.upper = a.lower = a.digit = a.high = 0;
  for (unsigned i = 0; i < 16; i++) {
    unsigned c = (unsigned char)s[i];
    unsigned k = c < 0x80 ? ascii_class[c] : 0;
    a.upper |= (unsigned)(k == A_UPPER) << i;
    a.lower |= (unsigned)(k == A_LOWER) << i;
    a.digit |= (unsigned)(k == A_DIGIT) << i;
    a.high |= (unsigned)(c >= 0x80) << i;
  }
#endif
  return a;
}

/* The lower case of the sixteen ASCII bytes at s to d: OR-ing 0x20
 * (lower_ascii's way), all sixteen at once; what lies past the word
 * is overwritten by its NUL and the next token. */
static inline void lower16(char *d, const char *s)
{
#ifdef __SSE2__
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
  _mm_storeu_si128((__m128i *)(void *)d,
                   _mm_or_si128(x, _mm_set1_epi8(0x20)));
#else
  const uint64_t bits = 0x2020202020202020ull;
  uint64_t w[2];
  memcpy(w, s, 16);
  w[0] |= bits;
  w[1] |= bits;
  memcpy(d, w, 16);
#endif
}

/* The bytes of a window of 32 from a word's start: letters, digits and
 * the bytes from 0x80 as in ascii16, 32 bits each, and which bytes
 * exist (all but past the text's end). */
typedef struct window {
  uint32_t upper, lower, digit, high, exists;
} window;

/* The window of the text at pos, read at w: s + pos while 48 bytes are
 * left (a word of up to sixteen bytes from any of the 32 can be read
 * sixteen at a time), else a copy of the rest in pad, zeros after. */
static inline window window_at(const char *s, size_t pos, size_t len,
                               char pad[48], const char **w)
{
  ascii16 a, b;
  window win;

  if (len - pos >= 48) {
    *w = s + pos;
    win.exists = 0xFFFFFFFFu;
  } else {
    memset(pad, 0, 48);
    memcpy(pad, s + pos, len - pos);
    *w = pad;
    win.exists = len - pos >= 32 ? 0xFFFFFFFFu
                                 : ((uint32_t)1 << (len - pos)) - 1;
  }
  a = classify16(*w);
  b = classify16(*w + 16);
  win.upper = a.upper | b.upper << 16;
  win.lower = a.lower | b.lower << 16;
  win.digit = a.digit | b.digit << 16;
  win.high = a.high | b.high << 16;
  return win;
}

/* Push the ASCII words from pos, and read the ASCII separators after
 * each, while they lie in the 32 bytes from pos: the tokens and
 * separators push_ascii_word and the scanner's loop would give, found by
 * bit scans of window's bits rather than a byte at a time (most words of
 * a news text). A word stops this where it would stop
 * push_ascii_word's caller: when the window does not hold its end, a
 * byte from 0x80 follows it, or '#' is before it; and from seventeen
 * bytes, more than one lower16 writes. No token is being read at pos,
 * and a word starts there. Returns the bytes read (0 when the first
 * word is such a one), or GM_ENOMEM. */
static ptrdiff_t push_window(gm__tokens *t, const char *s, size_t len,
                             scan *z, size_t pos, size_t cp)
{
  char pad[48];
  const char *w;
  window win = window_at(s, pos, len, pad, &w);
  /* upper, lower and digit stay at the window's places, read through
   * each word's bits shifted up to it; only word and between move down
   * as words are read (bit 0 is byte i). With all five shifted, and a
   * mask of where words may start (not after '#'), GCC kept three of
   * them on the stack: 72 instructions a word, now 67 (gm__tokenize
   * on the fifth-line sample, session 22). */
  uint64_t upper = win.upper, lower = win.lower, digit = win.digit;
  uint64_t word = (upper | lower | digit) & win.exists;
  uint64_t between = ~(word | win.high) & win.exists;
  /* The tokens, their forms and the scanner's state in locals while the
   * window is read: stores through t->v could change t's own fields for
   * all the compiler knows, which it then read again for each word. */
  gm__token *v;
  char *norm;
  size_t n_tokens = t->n, norm_len = t->norm.len;
  scan y = *z;
  uint32_t i = 0;

  if (pos > 0 && s[pos - 1] == '#')
    return 0;
  /* Room for the most the window can push: sixteen one-byte words, and
   * their forms of up to 33 bytes, the last written sixteen wide. */
  if ((n_tokens + 16 > t->cap &&
       gm__grow(&t->v, &t->cap, n_tokens + 16, sizeof *t->v)) ||
      (norm_len + 64 > t->norm.cap &&
       gm__grow(&t->norm.data, &t->norm.cap, norm_len + 64, 1)))
    return GM_ENOMEM;
  v = t->v;
  norm = t->norm.data;
  for (;;) {
    /* the byte after the word: the lowest bit not in word (the bits
     * above the window's are none); in: the word's bytes, in the
     * window's places */
    uint64_t after = ~word & (word + 1), in = (after - 1) << i;
    uint64_t uppers = upper & in;
    uint32_t n = (uint32_t)__builtin_ctzll(after), k;
    unsigned flags = ascii_start_flags[(unsigned char)w[i]];
    /* An ASCII separator must follow inside the window (between has no
     * bits past it); a word at the text's end is the scanner's. */
    if (n > 16 || !(between & after))
      break;
    if (digit & in)
      flags |= GM__TOK_DIGIT;
    /* two or more letters, none lower case: two or more capitals */
    if (!(lower & in) && (uppers & (uppers - 1)))
      flags |= GM__TOK_ALLCAPS;
    lower16(norm + norm_len, w + i);
    norm[norm_len + n] = '\0';
    v[n_tokens++] = (gm__token){
        .start = pos + i, .end = pos + i + n, .cp_start = cp + i,
        .cp_end = cp + i + n, .norm = (uint32_t)norm_len, .norm_len = n,
        .sep = (uint16_t)y.sep, .flags = (uint16_t)flags};
    norm_len += n + 1;
    y.newlines = 0;
    /* the separators after it, up to the next word or a byte from 0x80:
     * mostly one space, which add_separator would make GM__SEP_SPACE */
    k = n + (uint32_t)__builtin_ctzll(~(between >> n));
    if (k == n + 1 && w[i + n] == ' ') {
      y.sep = GM__SEP_SPACE;
    } else if (k == n + 2 && w[i + n + 1] == ' ' && w[i + n] != '\n') {
      /* ", " and ". ", mostly: add_separator counts no newline */
      y.sep = ascii_class[(unsigned char)w[i + n]] | GM__SEP_SPACE;
    } else {
      y.sep = 0;
      for (uint32_t b = i + n; b < i + k; b++)
        add_separator(&y, ascii_class[(unsigned char)w[b]], (int32_t)w[b]);
      /* a word after '#' is a hashtag's: push_hashtag's */
      if (w[i + k - 1] == '#') {
        i += k;
        break;
      }
    }
    i += k;
    word >>= k;
    between >>= k;
    if (!(word & 1))
      break;
  }
  t->n = n_tokens;
  t->norm.len = norm_len;
  *z = y;
  return (ptrdiff_t)i;
}

/* One character that is not ASCII at pos: its length in bytes (1 for a
 * byte that is not UTF-8), or a negative status. */
static int scan_other(gm__tokens *t, const char *s, size_t len, scan *z,
                      size_t pos, size_t cp, size_t *n_bytes)
{
  utf8proc_int32_t c;
  utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                        (utf8proc_ssize_t)(len - pos), &c);
  int upper = 0, lower = 0, digit = 0, rc;
  int word = n > 0 && is_word_char(c, &upper, &lower, &digit);

  /* A mark after a separator starts nothing: it belongs to no word. */
  if (word && !z->in_token && utf8proc_category(c) >= UTF8PROC_CATEGORY_MN &&
      utf8proc_category(c) <= UTF8PROC_CATEGORY_ME)
    word = 0;
  if (word) {
    if (!z->in_token)
      begin_token(z, pos, cp, start_flags(upper, lower));
    z->flags &= ~(unsigned)GM__TOK_ASCII;
    if (digit)
      z->flags |= GM__TOK_DIGIT;
    z->letters += (upper || lower);
    z->lowers += lower;
  } else {
    if (z->in_token && (rc = end_token(t, s, len, z, pos, cp)) < 0)
      return rc;
    if (n <= 0) {
      z->sep |= GM__SEP_INVALID;
      n = 1;
    } else {
      add_separator(z, separator_bit(c), c);
    }
  }
  *n_bytes = (size_t)n;
  return 0;
}

int gm__tokenize(const char *s, size_t len, gm__tokens *t)
{
  scan z = {.sep = GM__SEP_START};
  size_t pos = 0, cp = 0;
  int rc;

  pthread_once(&ascii_once, init_ascii_class);
  t->n = 0;
  t->norm.len = 0;
  if (len > UINT32_MAX / 2)
    return GM_ELIMIT;
  while (pos < len) {
    unsigned c = (unsigned char)s[pos], k;
    size_t n;
    /* ASCII, most of any news text, without utf8proc's tables: the
     * words and separators of 32 bytes at a time from their bits
     * (push_window), else the rest of an ASCII word in one tight loop. */
    if (c < 0x80 && ((k = ascii_class[c]) & A_WORD)) {
      uint64_t sum;
      if (!z.in_token) {
        ptrdiff_t read = push_window(t, s, len, &z, pos, cp);
        if (read < 0)
          return (int)read;
        if (read > 0) {
          pos += (size_t)read;
          cp += (size_t)read;
          continue;
        }
      }
      size_t end = ascii_word_end(s, pos, len, &sum);
      unsigned after = end < len ? (unsigned char)s[end] : 0;
      /* The whole token, when nothing before or after it can join it
       * (a letter of another script, the rest of a word past 2^19
       * bytes) and no '#' makes it a hashtag. */
      if (!z.in_token && after < 0x80 && !ascii_counts[after] &&
          (pos == 0 || s[pos - 1] != '#')) {
        if ((rc = push_ascii_word(t, s, len, &z, pos, end, cp, c, sum)) < 0)
          return rc;
        /* and the separator after it (mostly a space), read here
         * rather than by another turn of the loop */
        if (end < len) {
          add_separator(&z, ascii_class[after], (int32_t)after);
          end++;
        }
      } else {
        if (!z.in_token)
          begin_token(&z, pos, cp, ascii_start_flags[c]);
        count_ascii(&z, sum);
      }
      cp += end - pos;
      pos = end;
      continue;
    }
    if (c < 0x80) {
      if (z.in_token && (rc = end_token(t, s, len, &z, pos, cp)) < 0)
        return rc;
      add_separator(&z, k, (int32_t)c);
      pos++;
      cp++;
      continue;
    }
    if ((rc = scan_other(t, s, len, &z, pos, cp, &n)) < 0)
      return rc;
    pos += n;
    cp++;
  }
  if (z.in_token && (rc = end_token(t, s, len, &z, pos, cp)) < 0)
    return rc;
  return 0;
}

void gm__tokens_free(gm__tokens *t)
{
  free(t->v);
  gm__buf_free(&t->norm);
  free(t->scratch);
  free(t->fold);
  memset(t, 0, sizeof *t);
}

int gm__sep_joins(const gm__tokens *t, size_t i)
{
  unsigned sep = t->v[i].sep;
  const gm__token *prev;

  if (i == 0 || sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_HYPHEN |
                                  GM__SEP_APOS | GM__SEP_STOP |
                                  GM__SEP_CAMEL))
    return 0;
  if (!(sep & GM__SEP_STOP))
    return 1;
  prev = &t->v[i - 1];
  /* Initialisms: "U.S.", "U.K." */
  if (sep == GM__SEP_STOP && t->v[i].start - prev->end == 1 &&
      prev->end - prev->start == 1 && t->v[i].end - t->v[i].start == 1 &&
      (prev->flags & GM__TOK_CAP) && (t->v[i].flags & GM__TOK_CAP))
    return 1;
  /* "St. Louis", "Ft. Worth": a period right after a short capitalised
   * abbreviation, then one space. */
  return (sep & (GM__SEP_HYPHEN | GM__SEP_APOS)) == 0 &&
         (prev->flags & GM__TOK_CAP) && prev->end - prev->start <= 3 &&
         prev->end < t->v[i].start && t->v[i].start - prev->end == 2;
}

int gm__normalize_key(gm__tokens *t, const char *s, size_t len,
                      gm__buf *out)
{
  int rc = gm__tokenize(s, len, t);

  out->len = 0;
  if (rc)
    return rc;
  for (size_t i = 0; i < t->n; i++) {
    if ((i > 0 && gm__buf_putc(out, ' ')) ||
        gm__buf_append(out, gm__token_norm(t, i), t->v[i].norm_len))
      return GM_ENOMEM;
  }
  return 0;
}

int gm_normalize(const char *s, size_t len, char *out, size_t cap)
{
  gm__tokens t = {0};
  gm__buf key = {0};
  int rc = gm__normalize_key(&t, s, len, &key);

  if (rc == 0 && key.len > INT32_MAX)
    rc = GM_ELIMIT;
  if (rc == 0) {
    if (cap > 0) {
      size_t n = key.len < cap ? key.len : cap - 1;
      if (n)
        memcpy(out, key.data, n);
      out[n] = '\0';
    }
    rc = (int)key.len;
  }
  gm__tokens_free(&t);
  gm__buf_free(&key);
  return rc;
}

/* An ASCII byte is one code point without utf8proc's call: most of what
 * is counted (the separators after a sentence's last token) is ASCII. */
size_t gm__cp_count(const char *s, size_t len)
{
  size_t pos = 0, n = 0;

  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k;
    if ((unsigned char)s[pos] < 0x80) {
      pos++;
      n++;
      continue;
    }
    k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                         (utf8proc_ssize_t)(len - pos), &c);
    pos += k > 0 ? (size_t)k : 1;
    n++;
  }
  return n;
}
