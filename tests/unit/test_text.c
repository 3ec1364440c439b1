/*
 * test_text.c — the tokenizer and normaliser (src/text_token.c).
 *
 * Names in every script must normalise the way the gazetteer index does
 * (case, diacritics, NFKC, apostrophes), and no input — invalid UTF-8
 * included — may crash the tokenizer or shift an offset: token byte
 * offsets point at the token's own bytes, and code-point offsets count
 * each invalid byte as one code point.
 */
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"
#include "tap.h"

/* ------------------------------------------------------------ helpers */

/* s with control bytes escaped, so a TAP line stays one line. */
static const char *shown(const char *s, char *buf, size_t cap)
{
  size_t n = 0;
  for (; *s && n + 5 < cap; s++)
    n += (unsigned char)*s < 0x20
             ? (size_t)snprintf(buf + n, cap - n, "\\x%02x", *s)
             : (size_t)snprintf(buf + n, cap - n, "%c", *s);
  buf[n] = '\0';
  return buf;
}

static int norm_is(const char *in, const char *want)
{
  char out[512], esc[512];
  int n = gm_normalize(in, strlen(in), out, sizeof out);

  return ok(n == (int)strlen(want) && strcmp(out, want) == 0,
            "normalize \"%s\" -> \"%s\" (got %d \"%s\")",
            shown(in, esc, sizeof esc), want, n, n >= 0 ? out : "");
}

/* Code points of valid UTF-8, counted independently of utf8proc: every
 * byte that is not a continuation byte starts one. */
static size_t cps_valid(const char *s, size_t len)
{
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

static int valid_utf8(const char *s, size_t len)
{
  size_t pos = 0;
  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                          (utf8proc_ssize_t)(len - pos), &c);
    if (k <= 0)
      return 0;
    pos += (size_t)k;
  }
  return 1;
}

/* Everything that must hold for any input; returns the number of
 * violations (and describes the first one). */
static int invariants(const char *s, size_t len, const gm__tokens *t,
                      char *why, size_t cap)
{
  gm__tokens again = {0};
  gm__buf key = {0};
  size_t done = 0, cp_done = 0;  /* gm__cp_count(s, done), incrementally */
  int bad = 0;

  for (size_t i = 0; i < t->n && !bad; i++) {
    const gm__token *k = &t->v[i];
    const char *norm = gm__token_norm(t, i);
    size_t cp_start = 0;
    if (k->start >= done && k->start <= len) {
      cp_done += gm__cp_count(s + done, k->start - done);
      done = k->start;
      cp_start = cp_done;
    }
    if (!(k->start < k->end && k->end <= len) ||
        (i > 0 && k->start < t->v[i - 1].end)) {
      snprintf(why, cap, "token %zu [%zu,%zu) out of order or range", i,
               k->start, k->end);
      bad++;
    } else if (!valid_utf8(s + k->start, k->end - k->start)) {
      snprintf(why, cap, "token %zu [%zu,%zu) holds invalid UTF-8", i,
               k->start, k->end);
      bad++;
    } else if (k->cp_start != cp_start ||
               k->cp_end - k->cp_start !=
                   cps_valid(s + k->start, k->end - k->start)) {
      snprintf(why, cap, "token %zu: code points [%zu,%zu), bytes [%zu,%zu)",
               i, k->cp_start, k->cp_end, k->start, k->end);
      bad++;
    } else if (k->norm_len == 0 || strlen(norm) != k->norm_len ||
               !valid_utf8(norm, k->norm_len)) {
      snprintf(why, cap, "token %zu: bad normalised form", i);
      bad++;
    } else if (gm__normalize_key(&again, norm, k->norm_len, &key) != 0 ||
               key.len != k->norm_len || memcmp(key.data, norm, key.len)) {
      /* Normalising twice changes nothing: the index and a text agree. */
      snprintf(why, cap, "token %zu: \"%s\" normalises again to \"%s\"", i,
               norm, key.data ? key.data : "");
      bad++;
    }
  }
  if (!bad && gm__cp_count(s, len) < (t->n ? t->v[t->n - 1].cp_end : 0)) {
    snprintf(why, cap, "text has fewer code points than its last token ends");
    bad++;
  }
  gm__tokens_free(&again);
  gm__buf_free(&key);
  return bad;
}

/* ------------------------------------------------------ normalisation */

static void test_normalize(void)
{
  /* case */
  norm_is("KYIV", "kyiv");
  norm_is("Kyiv", "kyiv");
  norm_is("kYiV", "kyiv");
  norm_is("КИЇВ", "киів");
  norm_is("Київ", "киів");
  /* diacritics, precomposed and decomposed */
  norm_is("Zürich", "zurich");
  norm_is("Zu\xcc\x88rich", "zurich");
  norm_is("São Paulo", "sao paulo");
  norm_is("Kraków", "krakow");
  norm_is("KRAKÓW", "krakow");
  norm_is("Dnipró", "dnipro");
  norm_is("Ελλάδα", "ελλαδα");
  /* Greek final sigma and German sharp s fold like their capitals */
  norm_is("Οδησσός", "οδησσοσ");
  norm_is("ΟΔΗΣΣΟΣ", "οδησσοσ");
  norm_is("Straße", "strasse");
  norm_is("STRASSE", "strasse");
  norm_is("İstanbul", "istanbul");
  /* compatibility forms: ligatures, full-width, superscripts */
  norm_is("\xef\xac\x81nland", "finland");            /* ﬁnland */
  norm_is("ＫＹＩＶ", "kyiv");
  norm_is("Ｋｙｉｖ", "kyiv");
  norm_is("\xe2\x85\xa0", "i");                        /* Ⅰ, roman one */
  /* ... and compatibility forms that expand to non-word characters give
   * what the expansion gives when written out in a text */
  norm_is("½", "1 2");
  norm_is("1\xe2\x81\x84" "2", "1 2");                   /* 1⁄2 */
  norm_is("⑴", "1");
  norm_is("(1)", "1");
  norm_is("ŉ", "n");
  norm_is("\xef\xb7\xba", "صلى الله عليه وسلم");         /* U+FDFA */
  norm_is("صلى الله عليه وسلم", "صلى الله عليه وسلم");
  /* apostrophes of transliteration all separate the same way */
  norm_is("Donets'k", "donets k");
  norm_is("Donets\xe2\x80\x99k", "donets k");          /* ’ */
  norm_is("Donets\xca\xb9k", "donets k");              /* ʹ modifier prime */
  norm_is("Donets\xca\xbck", "donets k");              /* ʼ */
  norm_is("Luhans`k", "luhans k");
  /* spacing, hyphens, punctuation */
  norm_is("Kruta  Balka", "kruta balka");
  norm_is("  Kruta\tBalka \n", "kruta balka");   /* tab, newline */
  norm_is("Ivano-Frankivsk", "ivano frankivsk");
  norm_is("St. Louis", "st louis");
  norm_is("", "");
  norm_is(" ,.;- ", "");
  /* scripts without case or with marks */
  norm_is("北京", "北京");
  norm_is("東京都", "東京都");
  norm_is("서울", "서울");
  norm_is("دمشق", "دمشق");
  norm_is("دِمَشْق", "دمشق");                              /* harakat dropped */
  norm_is("תל אביב", "תל אביב");
  /* mixed scripts in one name keep each word */
  norm_is("Kyiv Київ Κίεβο 基辅 كييف", "kyiv киів κιεβο 基辅 كييف");
  norm_is("KyivКиїв", "kyivкиів");

  /* The buffer contract: the full length is returned, the copy is cut
   * and NUL-terminated. */
  {
    char small[4] = "xxx";
    int n = gm_normalize("Zürich", strlen("Zürich"), small, sizeof small);
    ok(n == 6 && strcmp(small, "zur") == 0,
       "normalize into 4 bytes returns 6 and writes \"zur\" (got %d \"%s\")",
       n, small);
    n = gm_normalize("Zürich", strlen("Zürich"), NULL, 0);
    ok(n == 6, "normalize with no buffer returns the length 6 (got %d)", n);
  }
  /* Not NUL-terminated input: only len bytes are read. */
  {
    char out[32];
    int n = gm_normalize("KyivXXXX", 4, out, sizeof out);
    ok(n == 4 && strcmp(out, "kyiv") == 0, "normalize reads only len bytes");
  }
}

/* The normalised form of one token the way text_token.c found it before
 * its folds of two-byte characters (session 22): utf8proc on the whole
 * token, then its word characters, a space where others stood between
 * them. The folds must give the same on any token. */
#define OLD_OPTIONS                                                      \
  (UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |                \
   UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

static int old_word_char(int32_t c)
{
  if (c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x02BC ||
      c == 0x02B9 || c == 0x02BB || c == 0x0060 || c == 0x00B4)
    return 0;
  switch (utf8proc_category(c)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return 1;
  default:
    return 0;
  }
}

static size_t old_normalize(const char *s, size_t len, char *out)
{
  static int32_t work[1024];
  utf8proc_ssize_t n = utf8proc_decompose_custom(
      (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, work, 1024,
      OLD_OPTIONS, NULL, NULL);
  size_t pos = 0, o = 0;
  int gap = 0;

  if (n > 0)
    n = utf8proc_reencode(work, n, OLD_OPTIONS);
  while (n > 0 && pos < (size_t)n) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(
        (const utf8proc_uint8_t *)work + pos, n - (utf8proc_ssize_t)pos, &c);
    if (k <= 0)
      break;
    if (!old_word_char(c)) {
      gap = 1;
    } else {
      if (gap && o > 0)
        out[o++] = ' ';
      gap = 0;
      memcpy(out + o, (const char *)work + pos, (size_t)k);
      o += (size_t)k;
    }
    pos += (size_t)k;
  }
  out[o] = '\0';
  return o;
}

/* Whether the token of the word characters s, normalised by gm__tokenize
 * through t (whose folds are remembered from the calls before), is what
 * old_normalize gives; the first difference is described in why. */
static int same_as_old(gm__tokens *t, const char *s, size_t len, char *why,
                       size_t cap)
{
  char want[256], esc[128];
  size_t n = old_normalize(s, len, want);
  int rc = gm__tokenize(s, len, t);
  const char *got = rc == 0 && t->n == 1 ? gm__token_norm(t, 0) : "";

  if (rc == 0 && t->n <= 1 && strlen(got) == n && memcmp(got, want, n) == 0)
    return 1;
  snprintf(why, cap, "\"%s\": %zu tokens, \"%s\", before \"%s\"",
           shown(s, esc, sizeof esc), t->n, got, want);
  return 0;
}

/* The two-byte characters' folds against utf8proc on whole tokens: each
 * word character from U+0080 to U+07FF after a letter, doubled, and
 * between others that fold alike or not; tricky ones (marks, "ß", "İ",
 * "ǅ", "ŉ", "½", "ΐ", U+0587, singleton decompositions) three at a time,
 * with ASCII and three-byte characters around them, so a token is
 * started in folds and finished by utf8proc. */
static void test_folds(void)
{
  static const char *const tricky[] = {
      "a", "Z", "7", "\xcc\x80", "\xcc\x81", "\xcc\x88", "\xcc\xa7",
      "\xcd\x85", "\xd9\x93", "\xd6\xbc", "\xcd\x80", "\xcd\x81", "ß", "İ",
      "ı", "ǅ", "Ǆ", "ŉ", "½", "²", "ª", "ſ", "ΐ", "ς", "Σ", "\xd6\x87",
      "\xd8\xa2", "\xd8\xa7", "א", "Й", "и", "\xcc\x86", "Ї", "ĳ", "ǈ",
      "٠", "۰", "\xdf\x80", "\xcd\xb4", "北", "\xe1\xba\x9e", "ﬁ", "Ｋ"};
  size_t nt = sizeof tricky / sizeof *tricky, failures = 0, runs = 0;
  gm__tokens t = {0};
  char s[64], why[400] = "";

  for (int32_t c = 0x80; c < 0x800; c++) {
    utf8proc_uint8_t b[4];
    utf8proc_ssize_t k = utf8proc_encode_char(c, b);
    if (!old_word_char(c))
      continue;
    /* after a letter (a mark starts no token), doubled, and after a
     * three-byte character (utf8proc's way for the whole token) */
    snprintf(s, sizeof s, "a%.*s%.*sb", (int)k, b, (int)k, b);
    failures += !same_as_old(&t, s, strlen(s), why, sizeof why);
    snprintf(s, sizeof s, "k%.*s\xe5\x8c\x97%.*s", (int)k, b, (int)k, b);
    failures += !same_as_old(&t, s, strlen(s), why, sizeof why);
    runs += 2;
  }
  ok(failures == 0, "every word character of U+0080-U+07FF normalises in a "
     "token as before the folds (%zu of %zu differ) %s", failures, runs,
     failures ? why : "");

  failures = runs = 0;
  for (size_t i = 0; i < nt; i++)
    for (size_t j = 0; j < nt; j++)
      for (size_t k = 0; k < nt; k++) {
        snprintf(s, sizeof s, "x%s%s%s", tricky[i], tricky[j], tricky[k]);
        failures += !same_as_old(&t, s, strlen(s), why, sizeof why);
        runs++;
      }
  ok(failures == 0, "%zu tokens of three tricky characters normalise as "
     "before the folds (%zu differ) %s", runs, failures, failures ? why : "");

  /* A fold found while reading one token is the one another gets. */
  {
    gm__tokens u = {0};
    const char *text = "Zürich ½ü İstanbul ŉü Zürich";
    int rc = gm__tokenize(text, strlen(text), &u);
    ok(rc == 0 && u.n == 5 && strcmp(gm__token_norm(&u, 0), "zurich") == 0 &&
           strcmp(gm__token_norm(&u, 1), "1 2u") == 0 &&
           strcmp(gm__token_norm(&u, 2), "istanbul") == 0 &&
           strcmp(gm__token_norm(&u, 3), "nu") == 0 &&
           strcmp(gm__token_norm(&u, 4), "zurich") == 0 &&
           u.v[4].cp_start == 22 && u.v[4].start == 28,
       "folds remembered across tokens: \"%s\" -> %zu tokens", text, u.n);
    gm__tokens_free(&u);
  }
  gm__tokens_free(&t);
}

/* ------------------------------------------------------------ offsets */

static void test_offsets_valid(void)
{
  const char *s = "Zürich, São Paulo — Kraków; KYIV/Київ 北京 (Αθήνα)";
  const char *words[] = {"Zürich", "São", "Paulo", "Kraków", "KYIV",
                         "Київ", "北京", "Αθήνα"};
  const char *norms[] = {"zurich", "sao", "paulo", "krakow", "kyiv",
                         "киів", "北京", "αθηνα"};
  size_t nw = sizeof words / sizeof *words;
  gm__tokens t = {0};
  char why[200] = "";
  int rc = gm__tokenize(s, strlen(s), &t);

  ok(rc == 0 && t.n == nw, "mixed-script line gives %zu tokens (got %zu)",
     nw, t.n);
  for (size_t i = 0; rc == 0 && i < nw && i < t.n; i++) {
    const char *at = strstr(s, words[i]);
    size_t start = (size_t)(at - s);
    ok(t.v[i].start == start && t.v[i].end == start + strlen(words[i]) &&
           t.v[i].cp_start == cps_valid(s, start) &&
           t.v[i].cp_end == cps_valid(s, start + strlen(words[i])) &&
           strcmp(gm__token_norm(&t, i), norms[i]) == 0,
       "token %zu is \"%s\" at bytes [%zu,%zu), code points [%zu,%zu) -> %s",
       i, words[i], t.v[i].start, t.v[i].end, t.v[i].cp_start, t.v[i].cp_end,
       gm__token_norm(&t, i));
  }
  ok(invariants(s, strlen(s), &t, why, sizeof why) == 0, "invariants %s", why);
  gm__tokens_free(&t);
}

/* Invalid sequences between two words, with no space around them: the
 * second word keeps its byte offset and its code-point offset counts
 * each invalid byte once. */
static void test_offsets_invalid(void)
{
  static const struct {
    const char *what, *bytes;
  } bad[] = {
      {"lone continuation byte", "\x80"},
      {"two continuation bytes", "\xbf\xbf"},
      {"overlong '/' (C0 AF)", "\xc0\xaf"},
      {"overlong NUL (C0 80)", "\xc0\x80"},
      {"overlong 3-byte (E0 80 AF)", "\xe0\x80\xaf"},
      {"overlong 4-byte (F0 80 80 AF)", "\xf0\x80\x80\xaf"},
      {"UTF-8 surrogate U+D800", "\xed\xa0\x80"},
      {"UTF-8 surrogate U+DFFF", "\xed\xbf\xbf"},
      {"surrogate pair as CESU-8", "\xed\xa0\xbd\xed\xb8\x80"},
      {"beyond U+10FFFF (F4 90 80 80)", "\xf4\x90\x80\x80"},
      {"5-byte form", "\xf8\x88\x80\x80\x80"},
      {"truncated 2-byte", "\xd0"},
      {"truncated 3-byte", "\xe2\x82"},
      {"truncated 4-byte", "\xf0\x9f\x98"},
      {"FE", "\xfe"},
      {"FF", "\xff"},
      {"C1", "\xc1"},
      {"F5", "\xf5\x80\x80\x80"},
  };
  static const char *const sides[][2] = {
      {"Kyiv", "Lviv"}, {"Київ", "Львів"}, {"北京", "Αθήνα"}, {"Kyiv", "é"}};

  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    for (size_t j = 0; j < sizeof sides / sizeof *sides; j++) {
      char s[128];
      const char *a = sides[j][0], *b = sides[j][1];
      size_t la = strlen(a), lb = strlen(bad[i].bytes), lc = strlen(b);
      gm__tokens t = {0};
      char why[200] = "";
      int rc;

      memcpy(s, a, la);
      memcpy(s + la, bad[i].bytes, lb);
      memcpy(s + la + lb, b, lc);
      rc = gm__tokenize(s, la + lb + lc, &t);
      ok(rc == 0 && t.n == 2 && t.v[0].start == 0 && t.v[0].end == la &&
             t.v[1].start == la + lb && t.v[1].end == la + lb + lc &&
             t.v[1].cp_start == cps_valid(a, la) + lb &&
             t.v[1].cp_end == cps_valid(a, la) + lb + cps_valid(b, lc) &&
             (t.v[1].sep & GM__SEP_INVALID) &&
             gm__cp_count(s, la + lb + lc) ==
                 cps_valid(a, la) + lb + cps_valid(b, lc),
         "%s between %s and %s: second token at byte %zu, code point %zu "
         "(got rc %d, %zu tokens, [%zu,%zu) cp %zu)",
         bad[i].what, a, b, la + lb, cps_valid(a, la) + lb, rc, t.n,
         t.n > 1 ? t.v[1].start : 0, t.n > 1 ? t.v[1].end : 0,
         t.n > 1 ? t.v[1].cp_start : 0);
      ok(invariants(s, la + lb + lc, &t, why, sizeof why) == 0,
         "%s between %s and %s: invariants %s", bad[i].what, a, b, why);
      gm__tokens_free(&t);
    }
  }
  /* A name with invalid bytes never normalises to the name itself. */
  {
    char out[64];
    int n = gm_normalize("Ky\xffiv", 5, out, sizeof out);
    ok(n == 5 && strcmp(out, "ky iv") == 0,
       "an invalid byte inside a word splits it (\"ky iv\", got \"%s\")",
       n >= 0 ? out : "");
    n = gm_normalize("\xff\xfe\x80", 3, out, sizeof out);
    ok(n == 0 && out[0] == '\0', "only invalid bytes normalise to \"\"");
  }
  /* Invalid bytes at the very start and end. */
  {
    const char s[] = "\x80\x80Kyiv\xe2\x82";
    gm__tokens t = {0};
    int rc = gm__tokenize(s, sizeof s - 1, &t);
    ok(rc == 0 && t.n == 1 && t.v[0].start == 2 && t.v[0].end == 6 &&
           t.v[0].cp_start == 2 && t.v[0].cp_end == 6 &&
           gm__cp_count(s, sizeof s - 1) == 8,
       "invalid bytes before and after a word: [2,6), cp [2,6), 8 in all");
    gm__tokens_free(&t);
  }
  /* An embedded NUL is a separator, not the end of the text. */
  {
    const char s[] = "Kyiv\0Lviv";
    gm__tokens t = {0};
    int rc = gm__tokenize(s, sizeof s - 1, &t);
    ok(rc == 0 && t.n == 2 && t.v[1].start == 5 && t.v[1].cp_start == 5,
       "NUL inside the text separates and counts as one code point");
    gm__tokens_free(&t);
  }
}

/* ------------------------------------------------------ flags, seps */

static void test_flags(void)
{
  const char *s = "KYIV Kyiv київ K 42nd Zürich, \"Lviv\" (Odesa) Kharkiv. "
                  "Izium\n\nKupiansk Donets'k";
  gm__tokens t = {0};
  int rc = gm__tokenize(s, strlen(s), &t);

  if (!ok(rc == 0 && t.n == 13, "flag sample gives 13 tokens (got %zu)", t.n)) {
    gm__tokens_free(&t);
    return;
  }
  ok((t.v[0].flags & (GM__TOK_CAP | GM__TOK_ALLCAPS | GM__TOK_ASCII)) ==
         (GM__TOK_CAP | GM__TOK_ALLCAPS | GM__TOK_ASCII),
     "KYIV: capitalised, all caps, ASCII");
  ok((t.v[1].flags & GM__TOK_CAP) && !(t.v[1].flags & GM__TOK_ALLCAPS),
     "Kyiv: capitalised, not all caps");
  ok((t.v[2].flags & GM__TOK_LOWER) && !(t.v[2].flags & GM__TOK_ASCII) &&
         !(t.v[2].flags & GM__TOK_CAP),
     "київ: lower case, not ASCII");
  ok((t.v[3].flags & GM__TOK_CAP) && !(t.v[3].flags & GM__TOK_ALLCAPS),
     "K: one capital letter is not all caps");
  ok(t.v[4].flags & GM__TOK_DIGIT, "42nd: has a digit");
  ok((t.v[0].sep & GM__SEP_START) && !(t.v[1].sep & GM__SEP_START),
     "only the first token starts the text");
  ok(t.v[6].sep & GM__SEP_COMMA, "comma before \"Lviv\" (sep %#x)",
     t.v[6].sep);
  ok(t.v[6].sep & GM__SEP_QUOTE, "quote before Lviv");
  ok(t.v[7].sep & GM__SEP_BRACKET, "bracket before Odesa");
  ok(t.v[9].sep & GM__SEP_STOP, "stop before Izium");
  ok((t.v[10].sep & GM__SEP_PARAGRAPH) && (t.v[10].sep & GM__SEP_NEWLINE),
     "blank line before Kupiansk is a paragraph break");
  ok(t.v[12].sep & GM__SEP_APOS, "apostrophe inside Donets'k");
  ok(t.v[12].sep == GM__SEP_APOS && gm__sep_joins(&t, 12),
     "Donets'k is one name across its apostrophe");
  ok(!gm__sep_joins(&t, 9), "a sentence stop does not join Kharkiv. Izium");
  ok(!gm__sep_joins(&t, 6), "a comma does not join");
  gm__tokens_free(&t);

  /* Abbreviations join, sentence ends do not. */
  {
    const char *u = "St. Louis U.S. Army Kyiv. Lviv";
    rc = gm__tokenize(u, strlen(u), &t);
    ok(rc == 0 && t.n == 7, "abbreviation sample gives 7 tokens");
    ok(t.n == 7 && gm__sep_joins(&t, 1), "St. Louis joins");
    ok(t.n == 7 && gm__sep_joins(&t, 3), "U.S joins");
    ok(t.n == 7 && !gm__sep_joins(&t, 6), "Kyiv. Lviv does not join");
    gm__tokens_free(&t);
  }
  /* A hashtag's words are tokens of their own, joined; other words are
   * not split at their capitals. */
  {
    const char *u = "a #GazaUnderAttack #NYCFerguson #Unity4Malaysia "
                    "#ferguson McDonald";
    static const char *const want[] = {"a", "gaza", "under", "attack", "nyc",
                                       "ferguson", "unity", "4", "malaysia",
                                       "ferguson", "mcdonald"};
    size_t n = sizeof want / sizeof *want, same = 0;
    rc = gm__tokenize(u, strlen(u), &t);
    for (size_t i = 0; rc == 0 && i < t.n && i < n; i++)
      same += strcmp(gm__token_norm(&t, i), want[i]) == 0;
    ok(rc == 0 && t.n == n && same == n, "hashtag words: %zu tokens, %zu "
       "as expected", t.n, same);
    ok(t.n == n && t.v[2].start == 7 && t.v[2].end == 12 &&
           t.v[2].cp_start == 7 && t.v[2].sep == GM__SEP_CAMEL &&
           gm__sep_joins(&t, 2),
       "Under: its own offsets, joined to Gaza");
    ok(t.n == n && (t.v[4].flags & GM__TOK_ALLCAPS) &&
           (t.v[5].flags & GM__TOK_CAP) && (t.v[7].flags & GM__TOK_DIGIT),
       "NYC all caps, Ferguson capitalised, 4 a digit");
    ok(t.n == n && (t.v[1].flags & GM__TOK_HASHTAG) &&
           (t.v[9].flags & GM__TOK_HASHTAG) &&
           !(t.v[10].flags & GM__TOK_HASHTAG) && !(t.v[1].sep & GM__SEP_CAMEL),
       "hashtag words are flagged, McDonald is not");
    gm__tokens_free(&t);
  }
  /* A combining mark after a space belongs to no word. */
  {
    const char *u = "a \xcc\x81" "bc";
    rc = gm__tokenize(u, strlen(u), &t);
    ok(rc == 0 && t.n == 2 && t.v[1].start == 4 && t.v[1].cp_start == 3,
       "a mark after a space starts no token");
    gm__tokens_free(&t);
  }
  /* A word that normalises to nothing (a Hangul filler, default
   * ignorable) is dropped, and the separators around it are kept. */
  {
    const char *u = "Kyiv.\xe3\x85\xa4 Lviv";   /* U+3164 */
    rc = gm__tokenize(u, strlen(u), &t);
    ok(rc == 0 && t.n == 2 && (t.v[1].sep & GM__SEP_STOP) &&
           (t.v[1].sep & GM__SEP_SPACE) && t.v[1].start == 9 &&
           t.v[1].cp_start == 7,
       "an ignorable-only word leaves the stop before Lviv (sep %#x)",
       t.n == 2 ? t.v[1].sep : 0);
    gm__tokens_free(&t);
  }
}

/* ------------------------------------------------------- alignment */

/* Whether tokens b are tokens a moved by k bytes and code points (the
 * first's separator aside: spaces before it). */
static int moved_by(const gm__tokens *a, const gm__tokens *b, size_t k)
{
  if (a->n != b->n)
    return 0;
  for (size_t i = 0; i < a->n; i++) {
    const gm__token *x = &a->v[i], *y = &b->v[i];
    unsigned spaces = i == 0 ? GM__SEP_SPACE : 0;
    if (y->start != x->start + k || y->end != x->end + k ||
        y->cp_start != x->cp_start + k || y->cp_end != x->cp_end + k ||
        (y->sep & ~spaces) != (x->sep & ~spaces) || y->flags != x->flags ||
        strcmp(gm__token_norm(a, i), gm__token_norm(b, i)) != 0)
      return 0;
  }
  return 1;
}

/* The tokenizer reads ASCII 32 bytes at a time (push_window) and words
 * of other kinds, at the text's end, after '#' or longer than sixteen
 * bytes another way: the same text from any of 40 places past a run of
 * spaces gives the same tokens, wherever the windows fall. */
static void test_alignment(void)
{
  static const char *const texts[] = {
      "Officials said shelling hit Kramatorsk, in the Donetsk region, on "
      "Tuesday. KYIV (Reuters) -- U.S. St. Louis\n\nNew paragraph\r\n",
      "#GazaUnderAttack and #Unity4Malaysia #sierraleone a#b ##NYC #x",
      "Luhans\xca\xb9k, Kyiv\xe2\x80\x99s Zu\xcc\x88rich Krak\xc3\xb3w "
      "abc\xd0\x9a\xd0\xb8 x\xff y\x80z \xc2\xa0nbsp",
      "Mississippi-Missouri abcdefghijklmnopq ABCDEFGHIJKLMNOPQRSTUVWXYZ "
      "0123456789012345 a1B2c3D4e5F6g7H8 I J KL M",
      "a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G",
      "ends with a word"};
  size_t n = sizeof texts / sizeof *texts;
  gm__tokens a = {0}, b = {0};
  char s[512];

  for (size_t j = 0; j < n; j++) {
    size_t len = strlen(texts[j]), bad = 0;
    int rc = gm__tokenize(texts[j], len, &a);
    for (size_t k = 1; rc == 0 && k <= 40; k++) {
      memset(s, ' ', k);
      memcpy(s + k, texts[j], len);
      /* no form may keep bytes the last text left behind */
      if (b.norm.data)
        memset(b.norm.data, 'X', b.norm.cap);
      if (gm__tokenize(s, k + len, &b) != 0 || !moved_by(&a, &b, k))
        bad++;
    }
    ok(rc == 0 && a.n > 0 && bad == 0,
       "text %zu: the same %zu tokens after 1-40 spaces (%zu differ)", j,
       a.n, bad);
  }
  gm__tokens_free(&a);
  gm__tokens_free(&b);
}

/* ---------------------------------------------------- random inputs */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t next_rand(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

/* gm__cp_count as it was before its ASCII step (session 22): utf8proc
 * on every byte, one code point for each byte that is not UTF-8. */
static size_t old_cp_count(const char *s, size_t len)
{
  size_t pos = 0, n = 0;

  while (pos < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + pos,
                                          (utf8proc_ssize_t)(len - pos), &c);
    pos += k > 0 ? (size_t)k : 1;
    n++;
  }
  return n;
}

static void test_random(void)
{
  /* Fragments that stress the decoder and the normaliser. */
  static const char *const frag[] = {
      "a", "Z", "k", "9", " ", "  ", "\n", "\n\n", ".", ",", "-", "'", "\"",
      "(", "é", "E\xcc\x81", "\xcc\x81", "ü", "Київ", "Σ", "ς", "ß", "İ",
      "北", "京", "د", "\xd9\x90", "ﬁ", "Ｋ", "①", "½", "\xe2\x80\x99",
      "\xca\xb9", "\xe2\x80\x8d", "\xc2\xad", "\xe3\x85\xa4", "\xef\xb7\xba",
      "\xf0\x9f\x98\x80", "\xef\xbf\xbe", "\x80", "\xbf", "\xc0", "\xc1\xbf",
      "\xe0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x9f", "\xff",
      "\xfe", "\xe2", "\x00", "\xf0\x9f\x98", "\xe2\x82", "ǅ", "ŉ",
      "ΐ", "\xd6\x87", "\xcd\x85", "ı", "ſ", "²"};
  size_t nf = sizeof frag / sizeof *frag;
  gm__tokens t = {0};
  char s[512], why[200] = "";
  size_t failures = 0, cp_failures = 0, runs = 20000;

  for (size_t r = 0; r < runs; r++) {
    size_t len = 0, parts = next_rand() % 24;
    for (size_t p = 0; p < parts; p++) {
      const char *f = frag[next_rand() % nf];
      size_t fl = f[0] ? strlen(f) : 1;   /* "\x00" is one NUL byte */
      memcpy(s + len, f, fl);
      len += fl;
    }
    if (gm__cp_count(s, len) != old_cp_count(s, len))
      cp_failures++;
    if (gm__tokenize(s, len, &t) != 0 || invariants(s, len, &t, why,
                                                     sizeof why)) {
      if (failures++ == 0) {
        diag("first failing input (%zu bytes):", len);
        for (size_t i = 0; i < len; i++)
          printf("%s%02x", i ? " " : "# ", (unsigned char)s[i]);
        printf("\n# %s\n", why);
      }
    }
  }
  ok(failures == 0, "%zu random fragment strings keep every invariant "
     "(%zu failed)", runs, failures);
  ok(cp_failures == 0, "gm__cp_count counts as utf8proc byte by byte did on "
     "%zu random fragment strings (%zu differ)", runs, cp_failures);

  /* Raw random bytes, 1 MB at once. */
  {
    size_t len = 1 << 20;
    char *big = malloc(len);
    failures = 0;
    for (size_t i = 0; big && i < len; i++)
      big[i] = (char)(next_rand() & 0xff);
    if (big && (gm__tokenize(big, len, &t) != 0 ||
                invariants(big, len, &t, why, sizeof why)))
      failures++;
    ok(big && failures == 0, "1 MB of random bytes keeps every invariant %s",
       failures ? why : "");
    free(big);
  }
  gm__tokens_free(&t);
}

/* A trademark sign inside a name joins its words as a space does
 * ("Universal Orlando® Resort", TUD-Loc); it stays out of every token. */
static void test_trademark(void)
{
  const char *s = "Universal Orlando\u00AE Resort, SeaWorld\u2122Orlando";
  gm__tokens t = {0};
  int rc = gm__tokenize(s, strlen(s), &t);

  ok(rc == 0 && t.n == 5, "trademark sample gives 5 tokens (got %zu)", t.n);
  ok(t.n == 5 && t.v[2].sep == GM__SEP_SPACE && gm__sep_joins(&t, 2),
     "Orlando\u00AE Resort joins as one name (sep %#x)",
     t.n == 5 ? t.v[2].sep : 0);
  ok(t.n == 5 && t.v[4].sep == GM__SEP_SPACE && gm__sep_joins(&t, 4),
     "SeaWorld\u2122Orlando joins as one name");
  ok(t.n == 5 && strcmp(gm__token_norm(&t, 1), "orlando") == 0,
     "the sign is no part of Orlando's form");
  gm__tokens_free(&t);
}

int main(void)
{
  test_normalize();
  test_folds();
  test_offsets_valid();
  test_offsets_invalid();
  test_flags();
  test_alignment();
  test_random();
  test_trademark();
  return tap_done();
}
