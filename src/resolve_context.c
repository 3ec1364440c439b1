/*
 * resolve_context.c — which entry does each recognised mention mean?
 *
 * Mentions with the same name (and the same admin suffix) form a group
 * and get one sense per document. Each group's candidates are scored by
 * signals that add up:
 *   prior      how the name matched, the kind of entry, log population
 *   cues       "X region" wants an admin unit; "X, Y" wants X inside Y
 *   document   countries and admin-1 units the document names (by code:
 *              a composite region counts as its members)
 *   space      geodesic distance (PROJ) to the other groups' choices
 *   caller     --country, --bbox, --near
 * Three rounds: context-free; then with the document's regions and the
 * first round's places as anchors; then with the second round's places.
 * Work per round is groups x candidates x a bounded number of anchors,
 * so it stays linear in the number of mentions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "pipeline.h"
#include "resolve.h"

#define MAX_CANDIDATES 64
#define MAX_ANCHORS 16
#define MAX_CONTEXT 128

typedef struct group {
  const gm__work *first;   /* a representative mention */
  uint32_t entry;          /* current choice */
  double score, margin;
  double recog;            /* best recognition probability in the group */
  size_t size;
} group;

typedef struct context {
  char countries[MAX_CONTEXT][2];
  size_t n_countries;
  struct {
    char country[2];
    const char *admin1;
  } admin1[MAX_CONTEXT];
  size_t n_admin1;
  struct {
    double lat, lon;
    uint32_t group;
  } anchors[MAX_ANCHORS];
  size_t n_anchors;
} context;

int gm__entry_is_region(const gaz_entry *e)
{
  return e->region >= 0 ||
         (e->fclass == 'A' && (strncmp(e->fcode, "PCL", 3) == 0 ||
                               strncmp(e->fcode, "ADM", 3) == 0)) ||
         (e->fclass == 'L' && (strcmp(e->fcode, "RGN") == 0 ||
                               strcmp(e->fcode, "CONT") == 0));
}

static int is_country(const gaz_entry *e)
{
  return e->fclass == 'A' && strncmp(e->fcode, "PCL", 3) == 0;
}

static int is_admin1(const gaz_entry *e)
{
  return e->fclass == 'A' && strcmp(e->fcode, "ADM1") == 0;
}

/* A container whose inside the codes can tell. */
static int is_region_kind(const gaz_entry *e)
{
  return is_country(e) || is_admin1(e) || e->region >= 0;
}

static double lat_of(const gaz_entry *e) { return e->lat_e7 / 1e7; }
static double lon_of(const gaz_entry *e) { return e->lon_e7 / 1e7; }

static int has_country(const context *c, const char *cc)
{
  for (size_t i = 0; i < c->n_countries; i++)
    if (memcmp(c->countries[i], cc, 2) == 0)
      return 1;
  return 0;
}

static int has_admin1(const gm__pipeline *p, const context *c,
                      const gaz_entry *e)
{
  const char *a1 = gm__gaz_str(p->gaz, e->admin1);
  if (!*a1)
    return 0;
  for (size_t i = 0; i < c->n_admin1; i++)
    if (memcmp(c->admin1[i].country, e->country, 2) == 0 &&
        strcmp(c->admin1[i].admin1, a1) == 0)
      return 1;
  return 0;
}

/* Is e inside the region entry r, by codes? */
static int inside(const gm__pipeline *p, const gaz_entry *e,
                  const gaz_entry *r)
{
  gm_region reg;

  if (e == r)
    return 0;
  /* A composite region (Donbas, the Baltic states, Europe): inside any of
   * its members. */
  if (r->region >= 0 &&
      gm_gazetteer_region(p->gaz, (uint32_t)r->region, &reg) == 0 &&
      reg.kind == GM_REGION_COMPOSITE) {
    for (size_t m = 0; m < reg.n_members; m++) {
      gm_region mr;
      const gaz_entry *me;
      if (gm_gazetteer_region(p->gaz, reg.members[m], &mr) == 0 &&
          (me = gm__gaz_entry(p->gaz, mr.entry)) && inside(p, e, me))
        return 1;
    }
    return 0;
  }
  if (!r->country[0] || memcmp(e->country, r->country, 2) != 0)
    return 0;
  if (is_country(r))
    return 1;
  if (is_admin1(r))
    return strcmp(gm__gaz_str(p->gaz, e->admin1),
                  gm__gaz_str(p->gaz, r->admin1)) == 0;
  return 0;
}

/* An admin unit named after a city of its country (Kyiv, Donetsk, Moscow;
 * the city may be a unit of its own): a bare mention means the city unless
 * a suffix says "region". */
static int named_after_its_city(const gm__pipeline *p, const gm__work *w,
                                const gaz_entry *e)
{
  if (!is_admin1(e))
    return 0;
  for (size_t i = 0; i < w->n_postings; i++) {
    const gaz_entry *c = gm__gaz_entry(p->gaz, w->postings[i].entry);
    if (c && c->fclass == 'P' && memcmp(c->country, e->country, 2) == 0 &&
        (c->population >= 50000 || strcmp(c->fcode, "PPLA") == 0 ||
         strcmp(c->fcode, "PPLC") == 0))
      return 1;
  }
  return 0;
}

/* The score of entry e for group g; reasons go to w when it is given. */
static double score(const gm__pipeline *p, const context *c, const group *g,
                    uint32_t gi, const gaz_entry *e, unsigned how,
                    const gaz_entry *container, gm__work *w)
{
  const gm_parse_options *o = &p->opt;
  double s = 0, v;
  unsigned cues = g->first->cues;

#define SIGNAL(name, value)            \
  do {                                 \
    v = (value);                       \
    s += v;                            \
    if (w)                             \
      gm__reason(w, name, v, v);       \
  } while (0)

  SIGNAL("matched_as", gm__how_score(how) - 3.0);
  SIGNAL("feature_kind", gm__kind_score(e));
  SIGNAL("population", gm__population_score(e->population));
  if (cues & GM__CUE_ADMIN_SUFFIX)
    SIGNAL("admin_suffix", gm__entry_is_region(e) && !is_country(e) ? 4.0 : -3.0);
  else if (named_after_its_city(p, g->first, e))
    SIGNAL("named_after_its_city", -3.0);
  if (cues & GM__CUE_CITY_SUFFIX)
    SIGNAL("city_suffix", e->fclass == 'P' ? 1.5 : 0);
  if (container)
    SIGNAL("inside_following_region", inside(p, e, container) ? 5.0 : -1.0);
  if (c) {
    if (!is_country(e) && e->country[0] && has_country(c, e->country))
      SIGNAL("country_context", 2.0);
    if (!is_admin1(e) && has_admin1(p, c, e))
      SIGNAL("admin1_context", 2.5);
    /* Countries and continents are too large for a point's distance to
     * mean anything; admin units and places are not. */
    if (c->n_anchors && !is_country(e) && strcmp(e->fcode, "CONT") != 0) {
      /* The nearest anchor by a flat approximation, then its geodesic
       * distance: one PROJ call per candidate, not one per anchor. */
      double best = -1, flat = -1, lat = lat_of(e), lon = lon_of(e);
      double k = cos(lat * M_PI / 180);
      size_t nearest = 0;
      for (size_t i = 0; i < c->n_anchors; i++) {
        double dx, dy, d;
        if (c->anchors[i].group == gi)
          continue;
        dx = fabs(lon - c->anchors[i].lon);
        dx = (dx > 180 ? 360 - dx : dx) * k;
        dy = lat - c->anchors[i].lat;
        d = dx * dx + dy * dy;
        if (flat < 0 || d < flat) {
          flat = d;
          nearest = i;
        }
      }
      if (flat >= 0)
        best = gm__geo_distance_km(lat, lon, c->anchors[nearest].lat,
                                   c->anchors[nearest].lon);
      /* Local evidence: beyond 500 km distance says nothing more. */
      if (best >= 0)
        SIGNAL("distance_to_other_places",
               -1.0 * log1p((best < 500 ? best : 500) / 20.0));
    }
  }
  if (o->country && e->country[0])
    SIGNAL("country_prior", memcmp(e->country, o->country, 2) == 0 ? 2.5 : 0);
  if (o->has_bbox) {
    double lat = lat_of(e), lon = lon_of(e);
    int in = lat >= o->bbox[1] && lat <= o->bbox[3] &&
             (o->bbox[0] <= o->bbox[2]
                  ? lon >= o->bbox[0] && lon <= o->bbox[2]
                  : lon >= o->bbox[0] || lon <= o->bbox[2]);
    SIGNAL("bbox_prior", in ? 2.0 : -1.0);
  }
  if (o->has_near && o->near_km > 0)
    SIGNAL("near_prior", -1.5 * log1p(gm__geo_distance_km(
                                          o->near_lat, o->near_lon, lat_of(e),
                                          lon_of(e)) /
                                      o->near_km));
#undef SIGNAL
  return s;
}

/* ------------------------------------------------------------ groups */

static uint64_t group_hash(const gm__pipeline *p, const gm__work *w)
{
  uint64_t h = 14695981039346656037ull;
  for (size_t i = w->tok_start; i < w->tok_end; i++) {
    h ^= gm__hash(gm__token_norm(&p->tokens, i), p->tokens.v[i].norm_len);
    h *= 1099511628211ull;
  }
  return h ^ (w->cues & GM__CUE_ADMIN_SUFFIX);
}

static int same_name(const gm__pipeline *p, const gm__work *a,
                     const gm__work *b)
{
  return (a->cues & GM__CUE_ADMIN_SUFFIX) ==
             (b->cues & GM__CUE_ADMIN_SUFFIX) &&
         gm__same_name(p, a, b);
}

/* Give every kept mention a group index; returns the number of groups. */
static int make_groups(gm__pipeline *p, group **out, size_t *n_groups)
{
  size_t cap = 16, n = 0;
  uint32_t *slots;
  group *g;

  while (cap < p->n_work * 2)
    cap *= 2;
  slots = malloc(cap * sizeof *slots);
  g = calloc(p->n_work ? p->n_work : 1, sizeof *g);
  if (!slots || !g) {
    free(slots);
    free(g);
    return GM_ENOMEM;
  }
  memset(slots, 0xff, cap * sizeof *slots);
  for (size_t i = 0; i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    size_t j;
    if (!w->keep)
      continue;
    for (j = group_hash(p, w) & (cap - 1); slots[j] != GAZ_NO_INDEX;
         j = (j + 1) & (cap - 1))
      if (same_name(p, g[slots[j]].first, w))
        break;
    if (slots[j] == GAZ_NO_INDEX) {
      slots[j] = (uint32_t)n;
      g[n++] = (group){.first = w, .entry = GM_NO_ENTRY};
    }
    w->group = slots[j];
    g[w->group].size++;
    double r = 1 / (1 + exp(-w->recog_logit));
    if (r > g[w->group].recog)
      g[w->group].recog = r;
  }
  free(slots);
  *out = g;
  *n_groups = n;
  return 0;
}

/* ------------------------------------------------------------ rounds */

static const gaz_entry *container_of(const gm__pipeline *p, const group *gs,
                                     const gm__work *w)
{
  if (w->container < 0 || !p->work[w->container].keep)
    return NULL;
  return gm__gaz_entry(p->gaz, gs[p->work[w->container].group].entry);
}

static void choose(gm__pipeline *p, const context *c, group *gs, uint32_t gi)
{
  group *g = &gs[gi];
  const gm__work *w = g->first;
  const gaz_entry *cont = container_of(p, gs, w);
  size_t n = w->n_postings < MAX_CANDIDATES * 4 ? w->n_postings
                                                 : MAX_CANDIDATES * 4;
  double best = -INFINITY, second = -INFINITY;

  g->entry = GM_NO_ENTRY;
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[i].entry);
    double s;
    if (!e || (w->postings[i].how == GM_HOW_DEMONYM) !=
                  (w->role == GM_ROLE_DEMONYM))
      continue;
    s = score(p, c, g, gi, e, w->postings[i].how, cont, NULL);
    if (s > best) {
      second = best;
      best = s;
      g->entry = w->postings[i].entry;
    } else if (s > second) {
      second = s;
    }
  }
  g->score = best;
  g->margin = best - second;
}

static void collect_context(const gm__pipeline *p, const group *gs, size_t n,
                            context *c)
{
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, gs[i].entry);
    gm_region r;
    if (!e)
      continue;
    if (is_country(e) && c->n_countries < MAX_CONTEXT) {
      memcpy(c->countries[c->n_countries++], e->country, 2);
    } else if (is_admin1(e) && c->n_admin1 < MAX_CONTEXT) {
      memcpy(c->admin1[c->n_admin1].country, e->country, 2);
      c->admin1[c->n_admin1++].admin1 = gm__gaz_str(p->gaz, e->admin1);
    } else if (e->region >= 0 &&
               gm_gazetteer_region(p->gaz, (uint32_t)e->region, &r) == 0 &&
               r.kind == GM_REGION_COMPOSITE) {
      for (size_t m = 0; m < r.n_members; m++) {
        gm_region mr;
        const gaz_entry *me;
        if (gm_gazetteer_region(p->gaz, r.members[m], &mr) ||
            !(me = gm__gaz_entry(p->gaz, mr.entry)))
          continue;
        if (is_admin1(me) && c->n_admin1 < MAX_CONTEXT) {
          memcpy(c->admin1[c->n_admin1].country, me->country, 2);
          c->admin1[c->n_admin1++].admin1 = gm__gaz_str(p->gaz, me->admin1);
        } else if (is_country(me) && c->n_countries < MAX_CONTEXT) {
          memcpy(c->countries[c->n_countries++], me->country, 2);
        }
      }
    }
  }
  /* Anchors: the most confidently recognised places (not regions). */
  for (size_t i = 0; i < n && c->n_anchors < MAX_ANCHORS; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, gs[i].entry);
    if (!e || gm__entry_is_region(e) || gs[i].recog < 0.5)
      continue;
    c->anchors[c->n_anchors].lat = lat_of(e);
    c->anchors[c->n_anchors].lon = lon_of(e);
    c->anchors[c->n_anchors++].group = (uint32_t)i;
  }
}

/* Alternatives as probabilities (softmax of the scores), best first. */
static int alternatives(gm__pipeline *p, const context *c, group *gs,
                        uint32_t gi, gm__work *w)
{
  size_t max = p->opt.max_alternatives ? p->opt.max_alternatives : 3;
  const gaz_entry *cont = container_of(p, gs, w);
  gm_alternative top[16];
  size_t n_top = 0;
  double sum = 0;

  if (max > 16)
    max = 16;
  for (size_t i = 0; i < w->n_postings && i < MAX_CANDIDATES * 4; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[i].entry);
    double s, x;
    size_t k;
    if (!e || (w->postings[i].how == GM_HOW_DEMONYM) !=
                  (w->role == GM_ROLE_DEMONYM))
      continue;
    s = score(p, c, &gs[gi], gi, e, w->postings[i].how, cont, NULL);
    x = exp(s - gs[gi].score);
    sum += x;
    for (k = n_top; k > 0 && top[k - 1].score < x; k--)
      if (k < max)
        top[k] = top[k - 1];
    if (k < max) {
      top[k] = (gm_alternative){w->postings[i].entry, x};
      if (n_top < max)
        n_top++;
    }
  }
  w->alt_start = p->n_alts;
  w->n_alts = n_top;
  if (gm__grow(&p->alts, &p->cap_alts, p->n_alts + n_top, sizeof *p->alts))
    return GM_ENOMEM;
  for (size_t k = 0; k < n_top; k++) {
    top[k].score /= sum;
    p->alts[p->n_alts++] = top[k];
  }
  return 0;
}

static int is_speech_verb(const char *w)
{
  static const char *const verbs[] = {
      "said", "says", "say", "announced", "denied", "claimed", "warned",
      "accused", "insisted", "stated", "responded", "rejected", "confirmed",
      "urged", "demanded", "wants", "threatened", "agreed", "signed", NULL};
  for (const char *const *v = verbs; *v; v++)
    if (strcmp(w, *v) == 0)
      return 1;
  return 0;
}

static unsigned how_of(const gm__work *w, uint32_t entry)
{
  for (size_t i = 0; i < w->n_postings; i++)
    if (w->postings[i].entry == entry)
      return w->postings[i].how;
  return GM_HOW_NAME;
}

int gm__resolve(gm__pipeline *p)
{
  group *gs;
  size_t n;
  context *c = malloc(sizeof *c);
  int rc = c ? make_groups(p, &gs, &n) : GM_ENOMEM;

  if (rc) {
    free(c);
    return rc;
  }
  p->n_alts = 0;
  for (size_t i = 0; i < n; i++)
    choose(p, NULL, gs, (uint32_t)i);
  for (int round = 0; round < 2; round++) {
    collect_context(p, gs, n, c);
    for (size_t i = 0; i < n; i++)
      choose(p, c, gs, (uint32_t)i);
  }
  for (size_t i = 0; rc == 0 && i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    group *g;
    const gaz_entry *e;
    if (!w->keep)
      continue;
    g = &gs[w->group];
    w->entry = g->entry;
    e = gm__gaz_entry(p->gaz, w->entry);
    if (!e)
      continue;
    /* "X in Y", "X, Y" where the gazetteer has no X inside Y: the place
     * meant is not in the gazetteer; better no answer than a wrong one
     * (unless the caller asks for an answer for every span). */
    {
      const gaz_entry *cont = container_of(p, gs, w);
      if (cont && !p->spans && is_region_kind(cont) && !inside(p, e, cont)) {
        w->entry = GM_NO_ENTRY;
        continue;
      }
    }
    score(p, c, g, w->group, e, how_of(w, w->entry), container_of(p, gs, w),
          w);
    rc = alternatives(p, c, gs, w->group, w);
    w->confidence = (w->n_alts ? p->alts[w->alt_start].score : 0) /
                    (1 + exp(-w->recog_logit));
    if (w->role != GM_ROLE_DEMONYM)
      w->role = gm__entry_is_region(e) ? GM_ROLE_REGION : GM_ROLE_PLACE;
    /* "Moscow denied", "Ukraine said": a capital or country as the
     * subject of a verb of saying; not "officials in Kyiv say". */
    if ((is_country(e) || strcmp(e->fcode, "PPLC") == 0) &&
        w->tok_end < p->tokens.n &&
        is_speech_verb(gm__token_norm(&p->tokens, w->tok_end)) &&
        !(w->cues & GM__CUE_AFTER_PREPOSITION))
      w->role = GM_ROLE_METONYM;
  }
  free(gs);
  free(c);
  return rc;
}
