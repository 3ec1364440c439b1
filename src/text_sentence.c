/*
 * text_sentence.c — split tokens into sentences.
 *
 * A sentence ends at a line break (news text keeps one paragraph, title
 * or list item per line) or at a stop (. ! ?) followed by a token that
 * starts with a capital or a digit, unless a comma follows the stop
 * ("Ky., February 1") or the token before the stop is an abbreviation: a
 * single capital (U.S.), or a short title (Mr., Gen., St.). The
 * sentence's text runs from its first token to the last non-space byte
 * before the next sentence, so a citation quotes it verbatim with its
 * final punctuation.
 */
#include <stdint.h>
#include <string.h>

#include "pipeline.h"

/* Up to four bytes as one number, the first in the low byte: a title
 * compared in one step. */
#define PACK(a, b, c, d)                                                  \
  ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |             \
   (uint32_t)(d) << 24)

static int is_abbreviation(const gm__tokens *t, size_t i)
{
  const gm__token *tok = &t->v[i];
  const unsigned char *n = (const unsigned char *)gm__token_norm(t, i);
  uint32_t word = 0;

  if (tok->end - tok->start == 1 && (tok->flags & GM__TOK_CAP))
    return 1;
  if (tok->norm_len > 4)   /* longer than any title: most words */
    return 0;
  /* A normalised form holds no NUL, so the zero bytes after a short one
   * match no title's letter. */
  for (size_t k = 0; k < tok->norm_len; k++)
    word |= (uint32_t)n[k] << (8 * k);
  /* The titles: a switch is a few comparisons, not one for each. */
  switch (word) {
  case PACK('m', 'r', 0, 0): case PACK('m', 'r', 's', 0):
  case PACK('m', 's', 0, 0): case PACK('d', 'r', 0, 0):
  case PACK('s', 't', 0, 0): case PACK('s', 't', 'e', 0):
  case PACK('g', 'e', 'n', 0): case PACK('c', 'o', 'l', 0):
  case PACK('l', 't', 0, 0): case PACK('s', 'g', 't', 0):
  case PACK('c', 'a', 'p', 't'): case PACK('r', 'e', 'v', 0):
  case PACK('p', 'r', 'o', 'f'): case PACK('s', 'e', 'n', 0):
  case PACK('r', 'e', 'p', 0): case PACK('g', 'o', 'v', 0):
  case PACK('j', 'r', 0, 0): case PACK('s', 'r', 0, 0):
  case PACK('n', 'o', 0, 0): case PACK('v', 's', 0, 0):
  case PACK('f', 't', 0, 0): case PACK('m', 't', 0, 0):
  case PACK('c', 'o', 0, 0): case PACK('c', 'o', 'r', 'p'):
  case PACK('i', 'n', 'c', 0): case PACK('l', 't', 'd', 0):
  case PACK('a', 'd', 'm', 0):
    return 1;
  default:
    return 0;
  }
}

static int starts_sentence(const gm__tokens *t, size_t i)
{
  const gm__token *tok = &t->v[i];

  if (i == 0)
    return 1;
  if (tok->sep & (GM__SEP_NEWLINE | GM__SEP_PARAGRAPH))
    return 1;
  /* "Ky., February 1": a comma after the stop makes it an abbreviation's
   * period; no sentence ends so */
  if (!(tok->sep & GM__SEP_STOP) || (tok->sep & GM__SEP_COMMA))
    return 0;
  if (!(tok->flags & (GM__TOK_CAP | GM__TOK_DIGIT)) &&
      !(tok->sep & GM__SEP_QUOTE))
    return 0;
  return !is_abbreviation(t, i - 1);
}

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t trim_end(const char *text, size_t from, size_t to)
{
  while (to > from && is_space(text[to - 1]))
    to--;
  return to;
}

int gm__sentences(gm__pipeline *p, const char *text, size_t len)
{
  const gm__tokens *t = &p->tokens;
  /* The separators without which no token but the first starts a
   * sentence: most tokens have none of them. */
  const unsigned may_start =
      GM__SEP_NEWLINE | GM__SEP_PARAGRAPH | GM__SEP_STOP;
  const gm__token *v = t->v;

  p->n_sentences = 0;
  for (size_t i = 0; i < t->n; i++) {
    gm__sentence *s;
    /* Four tokens a step while none of them may start one: most of a
     * sentence's, where a token a step cost ten instructions a token
     * (3.0M of the fifth-line sample's 4.7M in this file). */
    while (i > 0 && i + 4 <= t->n &&
           !((v[i].sep | v[i + 1].sep | v[i + 2].sep | v[i + 3].sep) &
             may_start))
      i += 4;
    if (i == t->n)
      break;
    if ((i > 0 && !(v[i].sep & may_start)) || !starts_sentence(t, i))
      continue;
    if (gm__grow(&p->sentences, &p->cap_sentences, p->n_sentences + 1,
                 sizeof *p->sentences))
      return GM_ENOMEM;
    s = &p->sentences[p->n_sentences++];
    s->tok_start = i;
    s->start = t->v[i].start;
    s->cp_start = t->v[i].cp_start;
  }
  for (size_t k = 0; k < p->n_sentences; k++) {
    gm__sentence *s = &p->sentences[k];
    int last = k + 1 == p->n_sentences;
    size_t next = last ? len : p->sentences[k + 1].start;
    size_t end = trim_end(text, s->start, next);
    s->tok_end = last ? t->n : p->sentences[k + 1].tok_start;
    s->end = end;
    s->cp_end = t->v[s->tok_end - 1].cp_end +
                gm__cp_count(text + t->v[s->tok_end - 1].end,
                             end - t->v[s->tok_end - 1].end);
  }
  return 0;
}
