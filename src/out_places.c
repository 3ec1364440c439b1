/*
 * out_places.c — the places many articles mention, each with the
 * citations of its mentions, written as GeoJSON features: one per place
 * (with mention_count, article_count, first_sentence, articles and a
 * citations array) or one per mention (the citation's fields flat).
 *
 * What the features need is copied when an article is added (its fields,
 * each sentence once, each matched text), so the caller may free the
 * article as soon as it is parsed. Places keep the order of their first
 * mention and citations the order of the input: the output is a function
 * of the input alone, byte for byte.
 *
 * The schema is fixed (README "Output"): every property is present in
 * every feature with one JSON type, null when unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "out_feature.h"

#define NONE UINT32_MAX

typedef struct article {
  char *id, *title, *url, *date, *source;
  size_t line;
} article;

typedef struct sentence {
  char *text;
  size_t len;
} sentence;

typedef struct citation {
  uint32_t article, place, sentence;
  uint32_t next;             /* the place's next citation, or NONE */
  uint32_t mention;          /* 1-based, among the article's mentions */
  gm_role role;
  double confidence;
  size_t start, end;         /* code points in the article */
  size_t byte_start, byte_end;
  size_t sentence_start, sentence_end; /* code points */
  char *text;                /* the matched text, as it was */
  size_t text_len;
} citation;

typedef struct place {
  uint32_t entry;
  uint32_t first, last;      /* its citations, a list through next */
  size_t mentions, articles;
  size_t cited;              /* citations kept */
  size_t last_article;       /* the ordinal of the article that last
                                mentioned it, from 1; 0 none */
  double confidence;         /* the highest of its mentions */
  gm__buf article_ids;       /* ids joined by ';' */
  gm__geometry geometry;     /* while writing */
} place;

struct gm__places {
  article *articles;
  size_t n_articles, articles_cap;
  sentence *sentences;
  size_t n_sentences, sentences_cap;
  citation *citations;
  size_t n_citations, citations_cap;
  place *places;
  size_t n_places, places_cap;
  uint32_t *slot;            /* entry -> place (open addressing) */
  size_t n_slots;
  size_t max_citations;      /* a place's citations kept */
  size_t n_seen;             /* articles added, kept or not */
  /* while adding an article: whether it and its current sentence have
   * been copied (only when a citation needs them, so that capped places
   * cost no memory for the articles that mention them) */
  int article_copied, sentence_copied;
  size_t sentence_start, sentence_end; /* the current sentence, bytes */
};

int gm__places_new(gm__places **out)
{
  *out = calloc(1, sizeof **out);
  if (*out)
    (*out)->max_citations = SIZE_MAX;
  return *out ? 0 : GM_ENOMEM;
}

void gm__places_set_max_citations(gm__places *pl, size_t max)
{
  pl->max_citations = max;
}

size_t gm__places_count(const gm__places *pl)
{
  return pl->n_places;
}

static void article_free(article *a)
{
  free(a->id);
  free(a->title);
  free(a->url);
  free(a->date);
  free(a->source);
}

void gm__places_free(gm__places *pl)
{
  if (!pl)
    return;
  for (size_t i = 0; i < pl->n_articles; i++)
    article_free(&pl->articles[i]);
  for (size_t i = 0; i < pl->n_sentences; i++)
    free(pl->sentences[i].text);
  for (size_t i = 0; i < pl->n_citations; i++)
    free(pl->citations[i].text);
  for (size_t i = 0; i < pl->n_places; i++) {
    gm__buf_free(&pl->places[i].article_ids);
    gm__geometry_free(&pl->places[i].geometry);
  }
  free(pl->articles);
  free(pl->sentences);
  free(pl->citations);
  free(pl->places);
  free(pl->slot);
  free(pl);
}

/* ------------------------------------------------------------- adding */

static char *copy_slice(const char *s, size_t len)
{
  char *c = malloc(len + 1);

  if (c) {
    memcpy(c, s, len);
    c[len] = '\0';
  }
  return c;
}

/* strdup that keeps NULL (unknown) as NULL; 0 or GM_ENOMEM. */
static int copy_field(char **out, const char *s)
{
  *out = s ? strdup(s) : NULL;
  return s && !*out ? GM_ENOMEM : 0;
}

static int add_article(gm__places *pl, const gm__article *a)
{
  article *c;

  if (pl->n_articles >= NONE)
    return GM_ELIMIT;
  if (gm__grow(&pl->articles, &pl->articles_cap, pl->n_articles + 1,
               sizeof *pl->articles))
    return GM_ENOMEM;
  c = &pl->articles[pl->n_articles];
  memset(c, 0, sizeof *c);
  c->line = a->line;
  if (copy_field(&c->id, a->id) || copy_field(&c->title, a->title) ||
      copy_field(&c->url, a->url) || copy_field(&c->date, a->date) ||
      copy_field(&c->source, a->source)) {
    article_free(c);
    return GM_ENOMEM;
  }
  pl->n_articles++;
  return 0;
}

static int add_sentence(gm__places *pl, const char *s, size_t len)
{
  if (pl->n_sentences >= NONE)
    return GM_ELIMIT;
  if (gm__grow(&pl->sentences, &pl->sentences_cap, pl->n_sentences + 1,
               sizeof *pl->sentences))
    return GM_ENOMEM;
  if (!(pl->sentences[pl->n_sentences].text = copy_slice(s, len)))
    return GM_ENOMEM;
  pl->sentences[pl->n_sentences++].len = len;
  return 0;
}

static size_t slot_of(uint32_t entry, size_t n_slots)
{
  return (entry * 2654435761u) & (n_slots - 1);
}

/* Keep the table at most half full. */
static int rehash(gm__places *pl)
{
  size_t n = pl->n_slots ? pl->n_slots * 2 : 256;
  uint32_t *s;

  if ((pl->n_places + 1) * 2 <= pl->n_slots)
    return 0;
  if (n > SIZE_MAX / sizeof *s || !(s = malloc(n * sizeof *s)))
    return GM_ENOMEM;
  memset(s, 0xff, n * sizeof *s);
  for (size_t i = 0; i < pl->n_places; i++) {
    size_t j = slot_of(pl->places[i].entry, n);
    while (s[j] != NONE)
      j = (j + 1) & (n - 1);
    s[j] = (uint32_t)i;
  }
  free(pl->slot);
  pl->slot = s;
  pl->n_slots = n;
  return 0;
}

/* The place of an entry, new when it was not seen before. */
static int find_place(gm__places *pl, uint32_t entry, uint32_t *out)
{
  size_t j;

  if (rehash(pl))
    return GM_ENOMEM;
  for (j = slot_of(entry, pl->n_slots); pl->slot[j] != NONE;
       j = (j + 1) & (pl->n_slots - 1))
    if (pl->places[pl->slot[j]].entry == entry) {
      *out = pl->slot[j];
      return 0;
    }
  if (pl->n_places >= NONE - 1)
    return GM_ELIMIT;
  if (gm__grow(&pl->places, &pl->places_cap, pl->n_places + 1,
               sizeof *pl->places))
    return GM_ENOMEM;
  pl->places[pl->n_places] = (place){
      .entry = entry, .first = NONE, .last = NONE};
  pl->slot[j] = (uint32_t)pl->n_places;
  *out = (uint32_t)pl->n_places++;
  return 0;
}

/* Count a mention into its place, kept as a citation or not: mentions,
 * articles, confidence and article ids are exact whatever the cap. */
static int count_mention(gm__places *pl, place *p, const gm__article *a,
                         double confidence)
{
  p->mentions++;
  if (confidence > p->confidence)
    p->confidence = confidence;
  if (p->last_article == pl->n_seen)
    return 0;
  p->last_article = pl->n_seen;
  p->articles++;
  if (!a->id)
    return 0;
  if ((p->article_ids.len && gm__buf_putc(&p->article_ids, ';')) ||
      gm__buf_append(&p->article_ids, a->id, strlen(a->id)))
    return GM_ENOMEM;
  return 0;
}

static void link_citation(gm__places *pl, uint32_t ci)
{
  place *p = &pl->places[pl->citations[ci].place];

  if (p->last == NONE)
    p->first = ci;
  else
    pl->citations[p->last].next = ci;
  p->last = ci;
  p->cited++;
}

static int add_citation(gm__places *pl, const char *text, const gm_mention *m,
                        size_t index, uint32_t place_index)
{
  citation *c;

  if (pl->n_citations >= NONE)
    return GM_ELIMIT;
  if (gm__grow(&pl->citations, &pl->citations_cap, pl->n_citations + 1,
               sizeof *pl->citations))
    return GM_ENOMEM;
  c = &pl->citations[pl->n_citations];
  *c = (citation){.article = (uint32_t)(pl->n_articles - 1),
                  .sentence = (uint32_t)(pl->n_sentences - 1),
                  .place = place_index,
                  .next = NONE,
                  .mention = (uint32_t)(index + 1),
                  .role = m->role,
                  .confidence = m->confidence,
                  .start = m->cp_start,
                  .end = m->cp_end,
                  .byte_start = m->start,
                  .byte_end = m->end,
                  .sentence_start = m->sentence_cp_start,
                  .sentence_end = m->sentence_cp_end,
                  .text_len = m->end - m->start};
  if (!(c->text = copy_slice(text + m->start, m->end - m->start)))
    return GM_ENOMEM;
  link_citation(pl, (uint32_t)pl->n_citations++);
  return 0;
}

/* Keep a citation of m: the article and the sentence are copied the
 * first time one of their mentions is kept. */
static int cite(gm__places *pl, const gm__article *a, const char *text,
                size_t len, const gm_mention *m, size_t index, uint32_t pi)
{
  int rc;

  if (!pl->article_copied && (rc = add_article(pl, a)))
    return rc;
  pl->article_copied = 1;
  if (!pl->sentence_copied &&
      (rc = add_sentence(pl, text + m->sentence_start,
                         m->sentence_end - m->sentence_start)))
    return rc;
  pl->sentence_copied = 1;
  (void)len;
  return add_citation(pl, text, m, index, pi);
}

static int add_mention(gm__places *pl, const gm__article *a, const char *text,
                       size_t len, const gm_mention *m, size_t index)
{
  uint32_t pi;
  int rc;

  if (m->start > m->end || m->end > len || m->sentence_start > m->start ||
      m->sentence_end < m->end || m->sentence_end > len)
    return GM_EINVAL;
  if ((rc = find_place(pl, m->entry, &pi)) ||
      (rc = count_mention(pl, &pl->places[pi], a, m->confidence)))
    return rc;
  if (pl->places[pi].cited >= pl->max_citations)
    return 0;
  return cite(pl, a, text, len, m, index, pi);
}

/*
 * A mention that runs past its sentence ("Sault Ste. | Marie", where the
 * sentence splitter took the abbreviation's period for an end) gets a
 * sentence widened to hold it, so a citation's text always lies inside
 * its sentence; the article is not lost for it.
 */
static const gm_mention *within_sentence(const char *text, size_t len,
                                         const gm_mention *m,
                                         gm_mention *widened)
{
  if (m->start > m->end || m->end > len ||
      (m->sentence_start <= m->start && m->sentence_end >= m->end) ||
      m->sentence_start > m->sentence_end || m->sentence_end > len)
    return m;
  *widened = *m;
  if (m->sentence_start > m->start) {
    widened->sentence_cp_start -=
        gm__cp_count(text + m->start, m->sentence_start - m->start);
    widened->sentence_start = m->start;
  }
  if (m->sentence_end < m->end) {
    widened->sentence_cp_end +=
        gm__cp_count(text + m->sentence_end, m->end - m->sentence_end);
    widened->sentence_end = m->end;
  }
  return widened;
}

void gm__places_begin(gm__places *pl)
{
  pl->n_seen++;
  pl->article_copied = 0;
  pl->sentence_copied = 0;
  pl->sentence_start = SIZE_MAX;
  pl->sentence_end = 0;
}

int gm__places_mention(gm__places *pl, const gm__article *a,
                       const char *text, size_t len, const gm_mention *m,
                       size_t index)
{
  gm_mention widened;

  m = within_sentence(text, len, m, &widened);
  /* Mentions come in text order: a sentence is copied once. */
  if (m->sentence_start != pl->sentence_start ||
      m->sentence_end != pl->sentence_end) {
    pl->sentence_start = m->sentence_start;
    pl->sentence_end = m->sentence_end;
    pl->sentence_copied = 0;
  }
  return add_mention(pl, a, text, len, m, index);
}

int gm__places_add(gm__places *pl, const gm__article *a, const char *text,
                   size_t len, const gm_result *r)
{
  int rc = 0;

  gm__places_begin(pl);
  for (size_t i = 0; i < gm_result_count(r) && !rc; i++) {
    const gm_mention *m = gm_result_mention(r, i);
    if (m->entry != GM_NO_ENTRY)
      rc = gm__places_mention(pl, a, text, len, m, i);
  }
  return rc;
}

/* ------------------------------------------------------------ writing */

static void article_properties(gm__json *j, const article *a)
{
  gm__json_key(j, "id");
  gm__json_cstring(j, a->id);
  gm__json_key(j, "title");
  gm__json_cstring(j, a->title);
  gm__json_key(j, "url");
  gm__json_cstring(j, a->url);
  gm__json_key(j, "date");
  gm__json_cstring(j, a->date);
  gm__json_key(j, "source");
  gm__json_cstring(j, a->source);
  gm__json_key(j, "line");
  if (a->line)
    gm__json_uint(j, a->line);
  else
    gm__json_null(j);
}

/* mention ... sentence_end: the fields a citation and a mention feature
 * share, after the article. */
static void mention_properties(gm__json *j, const gm__places *pl,
                               const citation *c)
{
  const sentence *s = &pl->sentences[c->sentence];

  gm__json_key(j, "mention");
  gm__json_uint(j, c->mention);
  gm__json_key(j, "role");
  gm__json_cstring(j, gm__role_name(c->role));
  gm__json_key(j, "confidence");
  gm__json_real(j, c->confidence, 4);
  gm__json_key(j, "text");
  gm__json_string(j, c->text, c->text_len);
  gm__json_key(j, "start");
  gm__json_uint(j, c->start);
  gm__json_key(j, "end");
  gm__json_uint(j, c->end);
  gm__json_key(j, "byte_start");
  gm__json_uint(j, c->byte_start);
  gm__json_key(j, "byte_end");
  gm__json_uint(j, c->byte_end);
  gm__json_key(j, "sentence");
  gm__json_string(j, s->text, s->len);
  gm__json_key(j, "sentence_start");
  gm__json_uint(j, c->sentence_start);
  gm__json_key(j, "sentence_end");
  gm__json_uint(j, c->sentence_end);
}

static void citation_object(gm__json *j, const gm__places *pl,
                            const citation *c)
{
  gm__json_object(j);
  gm__json_key(j, "article");
  gm__json_object(j);
  article_properties(j, &pl->articles[c->article]);
  gm__json_end(j);
  mention_properties(j, pl, c);
  gm__json_end(j);
}

static int place_feature(gm__writer *w, const gm__places *pl, const place *p,
                         const gm_entry *e)
{
  gm__json *j = &w->json;
  const citation *first = &pl->citations[p->first];
  const sentence *s = &pl->sentences[first->sentence];

  gm__feature_begin(w, &p->geometry);
  gm__entry_properties(j, w->gaz, e, w->opt.precision);
  gm__json_key(j, "role");
  gm__json_cstring(j, gm__role_name(first->role));
  gm__json_key(j, "confidence");
  gm__json_real(j, p->confidence, 4);
  gm__json_key(j, "mention_count");
  gm__json_uint(j, p->mentions);
  gm__json_key(j, "article_count");
  gm__json_uint(j, p->articles);
  gm__json_key(j, "first_sentence");
  gm__json_string(j, s->text, s->len);
  gm__json_key(j, "articles");
  gm__json_string(j, p->article_ids.data ? p->article_ids.data : "",
                  p->article_ids.len);
  gm__json_key(j, "citations");
  gm__json_array(j);
  for (uint32_t ci = p->first; ci != NONE; ci = pl->citations[ci].next)
    citation_object(j, pl, &pl->citations[ci]);
  gm__json_end(j);
  return gm__feature_end(w);
}

static int mention_feature(gm__writer *w, const gm__places *pl,
                           const citation *c, const gm_entry *e)
{
  static const char *keys[] = {"article_id", "article_title", "article_url",
                               "article_date", "article_source"};
  const article *a = &pl->articles[c->article];
  const char *values[] = {a->id, a->title, a->url, a->date, a->source};
  gm__json *j = &w->json;

  gm__feature_begin(w, &pl->places[c->place].geometry);
  gm__entry_properties(j, w->gaz, e, w->opt.precision);
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    gm__json_key(j, keys[i]);
    gm__json_cstring(j, values[i]);
  }
  gm__json_key(j, "article_line");
  if (a->line)
    gm__json_uint(j, a->line);
  else
    gm__json_null(j);
  mention_properties(j, pl, c);
  return gm__feature_end(w);
}

static int entry_of(gm__writer *w, const place *p, gm_entry *e)
{
  if (gm_gazetteer_entry(w->gaz, p->entry, e))
    return gm__error(w->err, GM_EGAZETTEER, "entry %u: not in the gazetteer",
                     p->entry);
  return 0;
}

/* Every place of the output gets its geometry, and the collection its
 * extent, before the first feature is written: the bbox comes first. */
static int prepare(gm__writer *w, gm__places *pl)
{
  for (size_t i = 0; i < pl->n_places; i++) {
    place *p = &pl->places[i];
    gm_entry e;
    int rc;
    gm__geometry_free(&p->geometry);
    if ((rc = entry_of(w, p, &e)))
      return rc;
    p->geometry.layer = gm__entry_layer(w->gaz, &e, NULL);
    if (!(w->opt.layers & (unsigned)p->geometry.layer))
      continue;
    if ((rc = gm__entry_geometry(w, &e, &p->geometry)) ||
        (rc = gm__writer_extend(w, &p->geometry)))
      return rc;
  }
  return 0;
}

/* The features of one layer, in the order of first mention. */
static int write_layer(gm__writer *w, gm__places *pl, int layer)
{
  gm_entry e;
  int rc = 0;

  if (w->opt.per_mention) {
    for (size_t i = 0; i < pl->n_citations && !rc; i++) {
      const citation *c = &pl->citations[i];
      const place *p = &pl->places[c->place];
      if (p->geometry.layer == layer && !(rc = entry_of(w, p, &e)))
        rc = mention_feature(w, pl, c, &e);
    }
    return rc;
  }
  for (size_t i = 0; i < pl->n_places && !rc; i++) {
    const place *p = &pl->places[i];
    if (p->geometry.layer == layer && !(rc = entry_of(w, p, &e)))
      rc = place_feature(w, pl, p, &e);
  }
  return rc;
}

/*
 * Regions come before places when one output holds both, so that a web
 * map drawing features in order puts the points on top of the polygons.
 */
int gm__places_write(gm__places *pl, FILE *f, const gm_gazetteer *g,
                     const gm__geojson_options *opt, gm_error *err)
{
  gm__writer w;
  int rc = gm__writer_init(&w, f, g, opt, err);

  if (!rc)
    rc = prepare(&w, pl);
  if (!rc)
    rc = gm__writer_head(&w);
  if (!rc && (w.opt.layers & GM__LAYER_REGIONS))
    rc = write_layer(&w, pl, GM__LAYER_REGIONS);
  if (!rc && (w.opt.layers & GM__LAYER_PLACES))
    rc = write_layer(&w, pl, GM__LAYER_PLACES);
  if (!rc)
    rc = gm__writer_tail(&w);
  for (size_t i = 0; i < pl->n_places; i++)
    gm__geometry_free(&pl->places[i].geometry);
  gm__writer_free(&w);
  return rc;
}
