/*
 * parse.c — gm_parse() and gm_resolve_spans(): run the stages of
 * pipeline.h over one article and copy what they found into a result
 * the caller owns.
 *
 * The parser keeps every work buffer between articles, so a batch of
 * articles allocates only while the largest one grows them.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "pipeline.h"

struct gm_parser {
  gm__pipeline p;
  char country[3];
};

struct gm_result {
  gm_mention *mentions;
  size_t n;
  gm_alternative *alts;
  gm_reason *reasons;
  gm_reason *alt_reasons;
};

int gm_parser_new(const gm_gazetteer *gaz, const gm_parse_options *opt,
                  gm_parser **out, gm_error *err)
{
  gm_parser *ps;
  int rc;

  *out = NULL;
  if (!gaz)
    return gm__error(err, GM_EINVAL, "parser: no gazetteer");
  if (opt && opt->country && strlen(opt->country) != 2)
    return gm__error(err, GM_EINVAL, "parser: country '%s' is not ISO alpha-2",
                     opt->country);
  /* PROJ measures the distance to the caller's point (near_prior), or
   * the message comes now. The resolver's own distances need no PROJ
   * (gm__geo_arc_km), and a process that never loads it starts in half
   * the time. */
  if (opt && opt->has_near && (rc = gm__proj_load(err)))
    return rc;
  if (!(ps = calloc(1, sizeof *ps)))
    return gm__error(err, GM_ENOMEM, "parser: out of memory");
  ps->p.gaz = gaz;
  if (opt)
    ps->p.opt = *opt;
  if (opt && opt->country) {
    memcpy(ps->country, opt->country, 2);
    ps->p.opt.country = ps->country;
  }
  *out = ps;
  return 0;
}

void gm_parser_free(gm_parser *ps)
{
  if (!ps)
    return;
  gm__tokens_free(&ps->p.tokens);
  free(ps->p.sentences);
  free(ps->p.work);
  gm__buf_free(&ps->p.key);
  free(ps->p.alts);
  free(ps->p.alt_reasons);
  free(ps->p.context_entries);
  free(ps->p.nearby);
  free(ps->p.alt_reason_start);
  free(ps->p.cand_scores);
  free(ps->p.cands);
  free(ps->p.groups);
  free(ps->p.group_slots);
  free(ps->p.context);
  free(ps->p.sense_reasons);
  free(ps->p.point_memo);
  free(ps->p.fixed_block);
  free(ps->p.kinds_memo);
  free(ps->p.probes);
  free(ps);
}

static int emitted(const gm__pipeline *p, const gm__work *w, int spans)
{
  if (spans || p->opt.all_matches)
    return 1;
  return w->keep && w->entry != GM_NO_ENTRY &&
         (w->role != GM_ROLE_DEMONYM || p->opt.demonyms);
}

/* The end of n elements of elem bytes placed at offset at of a block,
 * rounded up so that what follows them is aligned for any type;
 * SIZE_MAX on overflow (and so for an at of SIZE_MAX). */
static size_t block_end(size_t at, size_t n, size_t elem)
{
  const size_t align = _Alignof(max_align_t);
  size_t end;

  if (at > SIZE_MAX - align || n > (SIZE_MAX - align - at) / elem)
    return SIZE_MAX;
  end = at + n * elem;
  return (end + align - 1) / align * align;
}

/* A result with room for n mentions, n_alts alternatives, n_reasons
 * reasons and n_alt_reasons alternatives' reasons, in one block (one
 * allocation an article, not five; gm_result_free frees it whole), its
 * count 0; NULL when out of memory. The arrays are not zeroed: every
 * element the result shows is written by make_result, and zeroing them
 * cost more than the copying. */
static gm_result *new_result(size_t n, size_t n_alts, size_t n_reasons,
                             size_t n_alt_reasons)
{
  size_t mentions = block_end(0, 1, sizeof(gm_result));
  size_t alts = block_end(mentions, n, sizeof(gm_mention));
  size_t reasons = block_end(alts, n_alts, sizeof(gm_alternative));
  size_t alt_reasons = block_end(reasons, n_reasons, sizeof(gm_reason));
  size_t size = block_end(alt_reasons, n_alt_reasons, sizeof(gm_reason));
  char *block;
  gm_result *r;

  if (size == SIZE_MAX || !(block = malloc(size)))
    return NULL;
  r = (gm_result *)(void *)block;
  *r = (gm_result){.mentions = (gm_mention *)(void *)(block + mentions),
                   .alts = (gm_alternative *)(void *)(block + alts),
                   .reasons = (gm_reason *)(void *)(block + reasons),
                   .alt_reasons = (gm_reason *)(void *)(block + alt_reasons)};
  return r;
}

/* The probability that w names a place: the resolver keeps its inverse
 * for kept mentions (make_groups), the same double, so only the rest
 * (--all-matches) still pay for an exp. A work starts zeroed, and the
 * inverse, 1 + exp(..), is at least 1 when set. */
static double recognition(const gm__work *w)
{
  if (w->recog_inverse > 0)
    return 1 / w->recog_inverse;
  return 1 / (1 + exp(-w->recog_logit));
}

/* The reasons mention w carries into the result. */
static size_t n_reasons_of(const gm__pipeline *p, const gm__work *w)
{
  return p->opt.without_reasons ? 0 : w->n_reasons;
}

/* Copy the pipeline's findings into one result with three arrays. */
static int make_result(const gm__pipeline *p, int spans, gm_result **out)
{
  gm_result *r;
  size_t n = 0, n_alts = 0, n_reasons = 0, n_alt_reasons = 0;
  size_t a = 0, k = 0, ak = 0;

  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *w = &p->work[i];
    if (!emitted(p, w, spans))
      continue;
    n++;
    n_alts += w->n_alts;
    n_reasons += n_reasons_of(p, w);
    /* Mentions of one sense share their alternatives (gm__resolve):
     * each copy has its own reasons. */
    for (size_t j = 0; j < w->n_alts; j++)
      n_alt_reasons += p->alts[w->alt_start + j].n_reasons;
  }
  if (!(r = new_result(n, n_alts, n_reasons, n_alt_reasons)))
    return GM_ENOMEM;
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *w = &p->work[i];
    const gm__sentence *s = p->n_sentences ? &p->sentences[w->sentence] : NULL;
    gm_mention *m;
    if (!emitted(p, w, spans))
      continue;
    m = &r->mentions[r->n++];
    if (w->n_alts) /* p->alts is NULL until the first alternative */
      memcpy(r->alts + a, p->alts + w->alt_start,
             w->n_alts * sizeof *r->alts);
    for (size_t j = 0; j < w->n_alts; j++) {
      gm_alternative *alt = &r->alts[a + j];
      if (!alt->n_reasons)
        continue;
      memcpy(r->alt_reasons + ak,
             p->alt_reasons + p->alt_reason_start[w->alt_start + j],
             alt->n_reasons * sizeof *r->alt_reasons);
      alt->reasons = r->alt_reasons + ak;
      ak += alt->n_reasons;
    }
    memcpy(r->reasons + k, w->reasons,
           n_reasons_of(p, w) * sizeof *r->reasons);
    *m = (gm_mention){
        .entry = w->entry, .confidence = w->confidence,
        .recognition = recognition(w), .role = w->role,
        .alternatives = r->alts + a, .n_alternatives = w->n_alts,
        .reasons = r->reasons + k, .n_reasons = n_reasons_of(p, w)};
    if (w->span_tokens > 0) {
      const gm__token *last = &p->tokens.v[w->tok_start + w->span_tokens - 1];
      const gm__token *first = &p->tokens.v[w->tok_start - w->lead_tokens];
      m->start = first->start;
      m->cp_start = first->cp_start;
      m->end = last->end + (w->trailing_period != 0);
      m->cp_end = last->cp_end + (w->trailing_period != 0);
    }
    if (s) {
      m->sentence_start = s->start;
      m->sentence_end = s->end;
      m->sentence_cp_start = s->cp_start;
      m->sentence_cp_end = s->cp_end;
    }
    a += w->n_alts;
    k += n_reasons_of(p, w);
  }
  *out = r;
  return 0;
}

/* A text without a capital letter: lower-cased by its source (Ju2016,
 * tweets), so lower case does not mean a common word there. */
static int uncased(const gm__tokens *t)
{
  size_t lower = 0;
  for (size_t i = 0; i < t->n; i++)
    if (t->v[i].flags & (GM__TOK_CAP | GM__TOK_ALLCAPS))
      return 0;
    else
      lower += (t->v[i].flags & GM__TOK_LOWER) != 0;
  return lower > 0;
}

static int fail(int rc, gm_error *err)
{
  return gm__error(err, rc, "parse: %s", gm_strerror(rc));
}

static int locate_by_context(gm__pipeline *p, const gm_span *spans,
                             size_t n);

int gm_parse(gm_parser *ps, const char *text, size_t len, gm_result **out,
             gm_error *err)
{
  gm__pipeline *p = &ps->p;
  int rc;

  *out = NULL;
  p->text = text;
  p->text_len = len;
  p->spans = 0;
  if ((rc = gm__tokenize(text, len, &p->tokens)) ||
      (rc = gm__sentences(p, text, len)))
    return fail(rc, err);
  p->uncased = uncased(&p->tokens);
  if ((rc = gm__match_names(p, text)))
    return rc == GM_ELIMIT
               ? gm__error(err, rc, "article holds more than %zu names",
                           p->opt.max_mentions ? p->opt.max_mentions : 100000)
               : fail(rc, err);
  gm__recognise(p, text);
  p->n_context_entries = 0;
  if ((rc = gm__organisation_regions(p)) || (rc = gm__resolve(p)) ||
      (rc = locate_by_context(p, NULL, p->n_work)) ||
      (rc = make_result(p, 0, out)))
    return fail(rc, err);
  return 0;
}

static int overlaps_span(const gm__pipeline *p, const gm__work *w,
                         const gm_span *spans, size_t n)
{
  size_t a = p->tokens.v[w->tok_start].start;
  size_t b = p->tokens.v[w->tok_end - 1].end;
  for (size_t i = 0; i < n; i++)
    if (a < spans[i].end && spans[i].start < b)
      return 1;
  return 0;
}

/* The article's own places outside the spans, as the spans' context:
 * a caller that marks one span (WikToR, a user's own recogniser) still
 * gets "Georgetown" resolved among the other places of the text. */
static int context_from_text(gm__pipeline *p, const char *text,
                             const gm_span *spans, size_t n)
{
  int rc;

  p->spans = 0;
  p->n_context_entries = 0;
  if ((rc = gm__match_names(p, text)))
    return rc == GM_ELIMIT ? 0 : rc;   /* too many names: no context */
  gm__recognise(p, text);
  if ((rc = gm__organisation_regions(p)) || (rc = gm__resolve(p)))
    return rc;
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *w = &p->work[i];
    /* a feature's name (take_feature_names) is a guess, as it is no
     * place for locate_by_context's nearest_place */
    if (!w->keep || w->partial || w->entry == GM_NO_ENTRY ||
        overlaps_span(p, w, spans, n))
      continue;
    if (gm__grow(&p->context_entries, &p->cap_context_entries,
                 p->n_context_entries + 1, sizeof *p->context_entries))
      return GM_ENOMEM;
    p->context_entries[p->n_context_entries++] = (gm__placed){
        .entry = w->entry, .start = p->tokens.v[w->tok_start].start};
  }
  p->spans = 1;
  return 0;
}

/* Where mention i starts: its caller's span, or in a parse of the
 * text (spans NULL) its first token. */
static size_t mention_start(const gm__pipeline *p, const gm_span *spans,
                            size_t i)
{
  return spans ? spans[i].start : p->tokens.v[p->work[i].tok_start].start;
}

/* qsort's order of p->nearby: by start, then by rank. */
static int by_start(const void *a, const void *b)
{
  const gm__nearby *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Candidate k of the places a span may be put at (the first n are the
 * mentions, then p->context_entries) into *c: its entry when it has one
 * and is not a span put so itself (partial), else NULL. */
static const gaz_entry *nearby_candidate(const gm__pipeline *p,
                                         const gm_span *spans, size_t n,
                                         size_t k, gm__nearby *c)
{
  gm__placed placed;

  if (k < n) {
    const gm__work *w = &p->work[k];
    if (w->partial || w->entry == GM_NO_ENTRY)
      return NULL;
    placed = (gm__placed){.entry = w->entry,
                          .start = mention_start(p, spans, k)};
  } else {
    placed = p->context_entries[k - n];
  }
  *c = (gm__nearby){.start = placed.start, .entry = placed.entry,
                    .rank = (uint32_t)k};
  return gm__gaz_entry(p->gaz, placed.entry);
}

/* p->nearby: the places the spans (or mentions) and p->context_entries
 * give, towns and the like first (*n_points of them), then regions,
 * each part by start; *n_all in all. Built once, before any span is put
 * anywhere: a span answered by its nearest place is no place for
 * another. A search per span, not a pass over all: a text of 40,000
 * "Panama Canal"s took 33 s with one (session 21). 0 or GM_ENOMEM. */
static int collect_nearby(gm__pipeline *p, const gm_span *spans, size_t n,
                          size_t *n_points, size_t *n_all)
{
  size_t total = n + p->n_context_entries, m = 0;

  if (total > UINT32_MAX ||
      gm__grow(&p->nearby, &p->cap_nearby, total ? total : 1,
               sizeof *p->nearby))
    return GM_ENOMEM;
  for (int region = 0; region < 2; region++) {
    size_t first = m;
    for (size_t k = 0; k < total; k++) {
      gm__nearby c;
      const gaz_entry *e = nearby_candidate(p, spans, n, k, &c);
      if (e && gm__entry_is_region(e) == region)
        p->nearby[m++] = c;
    }
    qsort(p->nearby + first, m - first, sizeof *p->nearby, by_start);
    if (!region)
      *n_points = m;
  }
  *n_all = m;
  return 0;
}

/* The first of the v[0..n) (by start) whose start is over at, or
 * at or over when inclusive. */
static size_t first_after(const gm__nearby *v, size_t n, size_t at,
                          int inclusive)
{
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid].start > at || (inclusive && v[mid].start == at))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* The place of v[0..n) nearest byte at, GM_NO_ENTRY when none: the one
 * whose start lies fewest bytes away, the earlier of two as near, none
 * at at itself; of several at one start before at the last candidate,
 * after it the first (as a pass over the candidates in order that
 * takes a nearer one, or an as near one before, finds). */
static uint32_t nearest_of(const gm__nearby *v, size_t n, size_t at)
{
  size_t before = first_after(v, n, at, 1), after = first_after(v, n, at, 0);

  if (after < n &&
      (before == 0 || v[after].start - at < at - v[before - 1].start))
    return v[after].entry;
  return before > 0 ? v[before - 1].entry : GM_NO_ENTRY;
}

/* The place of the text nearest the text at byte at: among the other
 * spans' answers and the places of the text outside them (p->nearby,
 * collect_nearby), the one whose start lies fewest bytes away; towns
 * and other points first, countries and admin units only when the text
 * has none. A street or a building lies in a town: put at the country
 * or province named nearest, it is nearly always 161 km or more from
 * the corpora's point (1 in 18 right on TR-News's gold spans, 13 in 172
 * on TUD-Loc's), put at the nearest town far more often. */
static uint32_t nearest_place(const gm__pipeline *p, size_t n_points,
                              size_t n_all, size_t at)
{
  uint32_t town = nearest_of(p->nearby, n_points, at);

  return town != GM_NO_ENTRY
             ? town
             : nearest_of(p->nearby + n_points, n_all - n_points, at);
}

/* A span that is not a name ("Pearson International Airport", "Xavier
 * University") is answered by the name inside it ("Pearson", Georgia),
 * unless that lies more than LOCATE_KM from the nearest place of the
 * text: then the span is put at that place (Toronto), as a street or a
 * building is said among the places around it. A span with no name in
 * it at all is put there too. Measured on the gold spans of TR-News,
 * TUD-Loc, GeoCorpora, WoTR and WikToR (bench/accuracy.md): better on
 * each than the inner name alone or the nearest place alone. */
#define LOCATE_KM 500.0
/* Such an answer is a guess: 36-63 % of them lie within 161 km of the
 * corpora's point for the span, 50 % over the five (same measurement,
 * nearest town first); it stays below the answers the gazetteer names. */
#define LOCATED_CONFIDENCE 0.35

/* The geodesic distance between two entries, from their chord
 * (gm__geo_arc_km: within 1.6 m of PROJ's at LOCATE_KM), as the
 * resolver measures: a parse needs no PROJ for it. */
static double distance_km(const gaz_entry *a, const gaz_entry *b)
{
  double pa[3], pb[3];

  gm__geo_ecef_km(a->lat_e7 / 1e7, a->lon_e7 / 1e7, pa);
  gm__geo_ecef_km(b->lat_e7 / 1e7, b->lon_e7 / 1e7, pb);
  return gm__geo_arc_km(gm__geo_chord_km(pa, pb));
}

/* A feature's name answered by the name inside it ("Panama Canal":
 * Panama) names a feature, not the unit, and is as much a guess as one
 * put at the nearest place: of such answers in the dev corpora
 * (TUD-Loc's train and validation, WoTR, GeoCorpora, TR-News), 38 of 68
 * lay within 161 km of the gold point, and 22 of 82 put at the nearest
 * place. */
static void inner_answer(gm__work *w)
{
  if (w->confidence > LOCATED_CONFIDENCE)
    w->confidence = LOCATED_CONFIDENCE;
  if (w->role != GM_ROLE_DEMONYM)
    w->role = GM_ROLE_PLACE;
}

/* Whether mention i is one locate_by_context answers: a caller's span
 * with no name or only part of one, or in a parse of the text (spans
 * NULL) a mention the recogniser made longer than its name
 * (take_feature_names: "Baker Beach"). */
static int to_locate(const gm__pipeline *p, const gm_span *spans, size_t i)
{
  const gm__work *w = &p->work[i];

  if (!spans)
    return w->partial && w->keep;
  return w->partial || !gm__gaz_entry(p->gaz, w->entry);
}

/* How many of w's reasons are the recogniser's: the first ones, one a
 * feature marked in w->recog_features (recog_place.c's feature). A
 * feature's name put at the nearest place keeps them, so that its
 * reasons still say why it is a mention and bench/fit-recogniser sees
 * what it was kept by (with none, the fit saw 35 of TUD-Loc's kept
 * feature names and 120 of WoTR's as matches of logit 0). */
static size_t recognition_reasons(const gm__work *w)
{
  size_t n = 0;

  for (uint64_t f = w->recog_features; f; f &= f - 1)
    n++;
  return n < w->n_reasons ? n : w->n_reasons;
}

/* The first n mentions (spans, or NULL for a parse's: n = p->n_work),
 * answered as to_locate says. 0 or GM_ENOMEM. */
static int locate_by_context(gm__pipeline *p, const gm_span *spans, size_t n)
{
  size_t n_points = 0, n_all = 0, i = 0;
  int rc;

  while (i < n && !to_locate(p, spans, i))
    i++;
  if (i == n)
    return 0;
  if ((rc = collect_nearby(p, spans, n, &n_points, &n_all)))
    return rc;
  for (; i < n; i++) {
    gm__work *w = &p->work[i];
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->entry), *at;
    uint32_t place;
    if (!to_locate(p, spans, i))
      continue;
    place = nearest_place(p, n_points, n_all, mention_start(p, spans, i));
    at = gm__gaz_entry(p->gaz, place);
    if (!at || (e && distance_km(e, at) <= LOCATE_KM)) {
      if (!spans)
        inner_answer(w);
      continue;
    }
    w->entry = place;
    w->n_reasons = spans ? 0 : recognition_reasons(w);
    gm__reason(w, "located_by_context", 1, 0);
    w->confidence = LOCATED_CONFIDENCE;
    if (w->role != GM_ROLE_DEMONYM)
      w->role = GM_ROLE_PLACE;
  }
  return 0;
}

int gm_resolve_spans(gm_parser *ps, const char *text, size_t len,
                     const gm_span *spans, size_t n, gm_result **out,
                     gm_error *err)
{
  gm__pipeline *p = &ps->p;
  size_t t = 0;
  int rc;

  *out = NULL;
  p->text = text;
  p->text_len = len;
  p->spans = 1;
  for (size_t i = 0; i < n; i++)
    if (spans[i].start > spans[i].end || spans[i].end > len)
      return gm__error(err, GM_EINVAL, "span %zu (%zu-%zu) lies outside the "
                       "text (%zu bytes)", i, spans[i].start, spans[i].end,
                       len);
  if ((rc = gm__tokenize(text, len, &p->tokens)) ||
      (rc = gm__sentences(p, text, len)))
    return fail(rc, err);
  p->uncased = uncased(&p->tokens);
  if ((rc = context_from_text(p, text, spans, n)))
    return fail(rc, err);
  p->n_work = 0;
  if (gm__grow(&p->work, &p->cap_work, n, sizeof *p->work))
    return fail(GM_ENOMEM, err);
  for (size_t i = 0; i < n; i++) {
    size_t a, b;
    /* Spans usually come in text order: start the search where the last
     * one was found, and from the beginning when they do not. */
    if (t > 0 && t <= p->tokens.n && p->tokens.v[t - 1].end > spans[i].start)
      t = 0;
    while (t < p->tokens.n && p->tokens.v[t].start < spans[i].start)
      t++;
    a = t;
    for (b = a; b < p->tokens.n && p->tokens.v[b].end <= spans[i].end; b++)
      ;
    if ((rc = gm__match_span(p, a, b, &p->work[p->n_work])))
      return fail(rc, err);
    p->n_work++;
  }
  gm__recognise(p, text);
  for (size_t i = 0; i < p->n_work; i++)
    p->work[i].keep = p->work[i].n_postings > 0;
  if ((rc = gm__resolve(p)) || (rc = locate_by_context(p, spans, n)) ||
      (rc = make_result(p, 1, out)))
    return fail(rc, err);
  /* Spans that matched nothing keep the caller's offsets. */
  for (size_t i = 0; i < (*out)->n; i++)
    if (p->work[i].tok_end <= p->work[i].tok_start) {
      (*out)->mentions[i].start = spans[i].start;
      (*out)->mentions[i].end = spans[i].end;
    }
  return 0;
}

size_t gm_result_count(const gm_result *r)
{
  return r ? r->n : 0;
}

const gm_mention *gm_result_mention(const gm_result *r, size_t i)
{
  return r && i < r->n ? &r->mentions[i] : NULL;
}

void gm_result_free(gm_result *r)
{
  free(r);   /* its arrays are in its block (new_result) */
}
