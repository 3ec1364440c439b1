/*
 * resolve_context.c — which entry does each recognised mention mean?
 *
 * Mentions with the same name (and the same admin suffix) form a group
 * and get one sense per document. Each group's candidates are scored by
 * signals that add up:
 *   prior      how the name matched, the kind of entry, log population
 *   cues       "X region" wants an admin unit; "X, Y" wants X inside Y,
 *              and a state after a list ("A and B, Y") the list's places;
 *              a list's members are of one kind (places, states)
 *   document   countries and admin-1 units the document names (by code:
 *              a composite region counts as its members)
 *   space      geodesic distance to the other groups' choices and to
 *              the admin-2 units (counties) their names can mean, from
 *              the chord (gm__geo_arc_km: within 2 m of PROJ's WGS84
 *              geodesic under the 500 km cap)
 *   caller     --country, --bbox, --near
 * Three rounds: context-free; then with the document's regions and the
 * first round's places as anchors; then with the second round's places.
 * Work per round is groups x candidates x a bounded number of anchors,
 * so it stays linear in the number of mentions.
 */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "geo.h"
#include "pipeline.h"
#include "resolve.h"

#define MAX_CANDIDATES 64
#define MAX_ANCHORS 16
#define MAX_ADMIN2 64          /* admin-2 units the text's names can mean */
#define MAX_CONTEXT 128
#define MAX_LISTED 4           /* list neighbours a group keeps */
#define DISTANCE_CAP_KM 500.0  /* farther says nothing more */
#define CONTEXT_ROUNDS 2       /* after the context-free one */
#define FAR_FROM_SEAT_KM 161.0 /* see holds_a_far_anchor */
#define ADMIN1_MASK_WORDS 8    /* of 64 bits: see context's admin1_mask */
#define ADMIN1_MASK_BITS 9     /* 2^9 = 64 * ADMIN1_MASK_WORDS */
#define COUNTRY_SLOTS (26 * 26) /* two capital letters: see country_slot */
#define KIND_LEVELS 4          /* kind_level's values */

struct gm__group {
  const gm__work *first;   /* a representative mention */
  uint32_t entry;          /* current choice */
  double score;
  double recog;            /* best recognition probability in the group */
  uint32_t max_population; /* of the candidates (most_populous) */
  uint32_t counted;        /* the entry the current context counts */
  double sure;             /* the current choice's probability among the
                              candidates (softmax of their scores), as
                              of the last round a context counts */
  double counted_sure;     /* sure when counted */
  double kind_sure[KIND_LEVELS]; /* the probability among the candidates
                                    (as sure's) of each kind_level: how
                                    sure the choice's kind is */
  size_t size;
  /* The last round's score of each candidate (as cands), and the container
   * it was scored with: the alternatives reuse them when the mention's
   * container is the same, rather than score every candidate again. */
  double *scores;
  const gaz_entry *scored_container;
  int scored;
  /* What no round changes of each candidate that can be its sense
   * (score_space), in posting order. */
  gm__candidate *cands;
  size_t n_usable;         /* candidates that can be its sense: cands
                              and scores hold these only */
  int has_seat;            /* a candidate is the seat of a unit of the
                              same name (seat_of_same_named_unit) */
  const gm__work *contained;  /* the X of an "X, Y" that this group is
                                 the Y of, or NULL */
  /* The region mention after the list the group's first mention ends or
   * stands in ("Nashville and Cordova, Tennessee"), or NULL (list_links). */
  const gm__work *list_region;
  /* Groups named beside one of this group's mentions in a list ("Hong
   * Kong, New York and Tokyo"), not as its container or contained: their
   * choices say which kind of entry the list is of (listed_like). */
  uint32_t listed[MAX_LISTED];
  size_t n_listed;
  /* The chosen sense as explained to its first mention (explain_sense):
   * reasons in p->sense_reasons, alternatives in p->alts, and what they
   * depend on besides the group. */
  int explained;
  const gm_posting *ex_postings;
  size_t ex_n_postings;
  const gaz_entry *ex_container;
  int ex_demonym;
  size_t ex_reasons, ex_n_reasons, ex_alt_start, ex_n_alts;
};
typedef gm__group group;

/* A point the distance signals measure from: a place chosen for another
 * group, or an admin-2 unit another group's name can mean. */
typedef struct anchor {
  double lat, lon;
  double xyz[3];           /* on the ellipsoid, km: see
                              gm__geo_ecef_km */
  uint32_t group;
  uint32_t entry;
} anchor;

/* The least box, on the ellipsoid's axes, that holds a list of anchors'
 * points (box_of), as its middle and how far a point may lie from it
 * along each axis and still be within DISTANCE_CAP_KM of one of them:
 * a chord is no shorter than its span along any axis, so a point
 * farther out than that is farther than the cap from every anchor in it
 * (beyond_cap). */
typedef struct anchor_box {
  double mid[3], reach[3];
} anchor_box;

struct gm__context {
  char countries[MAX_CONTEXT][2];
  size_t n_countries;
  struct {
    char country[2];
    uint32_t admin1;       /* string offset (interned) */
    uint32_t group;        /* the group that names it, or GM_NO_ENTRY */
  } admin1[MAX_CONTEXT];
  size_t n_admin1;
  /* A bit for each list member's hash (gm__country_bit, gm__admin1_bit;
   * pipeline.h): a clear bit says "not in the list" without reading it,
   * which is the answer for most candidates, round after round. The
   * units' mask has 512 bits: a text that lists states puts dozens of
   * units in the list, and with 64 bits most candidates then read all of
   * it for nothing. */
  uint64_t country_mask, admin1_mask[ADMIN1_MASK_WORDS];
  /* By a country's slot (country_slot): whether countries holds it, and
   * where resolved does (its index + 1; 0: nowhere). has_country and
   * country_share ask for every candidate in every round, and a walk of
   * the lists cost more than the rest of country_share; a code of other
   * characters still walks them. Equal to the lists (forget_countries). */
  uint8_t named_country[COUNTRY_SLOTS];
  uint8_t resolved_at[COUNTRY_SLOTS];
  anchor anchors[MAX_ANCHORS];
  size_t n_anchors;
  anchor_box anchors_box;   /* of anchors, set with them */
  /* Every admin-2 unit (county) the document's names can mean, whatever
   * sense their groups take: "Hempstead County" puts the Washington
   * beside it in Arkansas even while "Washington County" is still one
   * of thirty. Set once per document (find_admin2), not per round. */
  anchor admin2[MAX_ADMIN2];
  size_t n_admin2;
  anchor_box admin2_box;    /* of admin2, set with them */
  struct {
    char country[2];
    double groups;        /* resolved groups in this country, each
                             counted by how sure its choice is */
  } resolved[MAX_CONTEXT];
  size_t n_resolved_countries;
  double n_resolved;      /* resolved groups with a country, so counted */
  double far_signal;      /* the distance signal at DISTANCE_CAP_KM: most
                             candidates' value, computed once */
};
typedef gm__context context;

/* What round_features asks of a group alone, the same for each of its
 * candidates: found once a group's round (fill_round_group), not once a
 * candidate; and its place, which a round's call for each candidate
 * then passes as one argument rather than five. */
typedef struct round_group {
  const gm__pipeline *p;
  const gm__context *c;          /* NULL: none yet */
  const struct gm__group *gs;
  uint32_t gi;                   /* the group: gs[gi] */
  const gaz_entry *container;    /* the sense of its "X, Y"'s Y, or NULL */
  int container_kind;            /* CONTAINER_*: what inside_container
                                    asks of a candidate */
  const gaz_entry *list_admin1;  /* the region after its list, when an
                                    admin-1 unit, else NULL */
  uint32_t admin1_skip;          /* has_admin1's skip */
  double listed_kinds[KIND_LEVELS]; /* how sure its list neighbours are
                                       of each kind (listed_kinds) */
  /* country_share's discount of the group's own current choice: its
   * country (NULL: none), how sure it is, the total less it. */
  const char *own_country;
  double own_sure;
  double total;
} round_group;

/* A candidate's fixed features (fixed_features) as its score in a round
 * uses them. A score adds the weighted features up in feature order
 * (gm__feature_score), and every fixed feature but a few comes before
 * every feature a round sets (round_features): those are added up once,
 * into head, and a round's score starts from it, then adds the rest
 * (tail) and its own in feature order: the same additions in the same
 * order, so the same number to the bit. Beside them, what the rounds ask
 * of the candidate's entry (entry_facts): kept in the fixed memo's slot
 * with them, they cost nothing where the memo knows the candidate, and
 * asked of the entry, as every candidate's round did, they cost more
 * than the rest of round_features' tests. */
#define FIXED_TAIL 4
typedef struct fixed_score {
  double head;                 /* the sum of the features before
                                  FIRST_ROUND_FEATURE, weighted */
  double tail[FIXED_TAIL];     /* the others, weighted, in feature order */
  uint8_t tail_index[FIXED_TAIL];
  int16_t country;             /* the entry's country_slot */
  uint8_t n_tail;              /* > FIXED_TAIL: too many to keep; the
                                  score is computed whole (score()) */
  uint8_t facts;               /* FACT_* bits */
} fixed_score;

/* A candidate's facts (fixed_score): its fixed features' seat pin, and
 * what kind of entry it is. */
enum {
  FACT_SEAT = 1,       /* seat_of_same_named_unit is set (has_seat) */
  FACT_COUNTRY = 2,    /* gm__gaz_is_country */
  FACT_ADMIN1 = 4,     /* gm__gaz_is_admin1 */
  FACT_REGION = 8,     /* gm__entry_is_region */
  FACT_CONTINENT = 16  /* feature code CONT */
};

/* The lowest feature round_features sets: features below it are added
 * before any of a round's. */
#define FIRST_ROUND_FEATURE GM__RF_inside_following_region

/* What the resolver keeps of one candidate for all the rounds: its fixed
 * features (score_space) and, once the distance signal has needed them,
 * the forms of its position that signal uses. */
struct gm__candidate {
  const gaz_entry *entry;  /* the gazetteer's, looked up once rather
                              than every round */
  fixed_score fixed;
  double cos_lat;          /* when known & KNOWN_POINT */
  double xyz[3];           /* when known & KNOWN_POINT: see
                              gm__geo_ecef_km */
  double admin2_signal;    /* when known & KNOWN_ADMIN2: see
                              near_named_admin2 */
  unsigned known;
  uint32_t posting;        /* its posting in the group's first mention's */
};
enum { KNOWN_POINT = 1, KNOWN_ADMIN2 = 2 };

/* The fixed features of posting k of a name's postings under the
 * group's suffix cues (candidate_fixed). */
struct gm__fixed_slot {
  const gm_posting *postings;     /* NULL: empty */
  uint32_t n_postings;
  uint16_t k;                     /* < MAX_CANDIDATES * 4 */
  uint8_t cues;
  fixed_score fixed;
};                                /* 64 bytes: one cache line */
_Static_assert(sizeof(gm__fixed_slot) == 64, "a fixed slot is a line");

int gm__entry_is_region(const gaz_entry *e)
{
  return e->region >= 0 ||
         (e->fclass == 'A' && (GM__FCODE_STARTS(e, "PCL") ||
                               GM__FCODE_STARTS(e, "ADM"))) ||
         (e->fclass == 'L' && (GM__FCODE_IS(e, "RGN") ||
                               GM__FCODE_IS(e, "CONT")));
}

/* A container whose inside the codes can tell. */
static int is_region_kind(const gaz_entry *e)
{
  return gm__gaz_is_country(e) || gm__gaz_is_admin1(e) || e->region >= 0;
}

static double lat_of(const gaz_entry *e) { return e->lat_e7 / 1e7; }
static double lon_of(const gaz_entry *e) { return e->lon_e7 / 1e7; }

static int in_admin1_mask(const context *c, uint32_t bit)
{
  return (c->admin1_mask[bit >> 6] >> (bit & 63)) & 1;
}

/* Country cc's slot in the context's tables by country, or -1 for a code
 * that is not two capital letters (GeoNames' all are). */
static int country_slot(const char *cc)
{
  unsigned a = (unsigned char)cc[0] - 'A', b = (unsigned char)cc[1] - 'A';

  return a < 26 && b < 26 ? (int)(a * 26 + b) : -1;
}

/* The kind of entry e as FACT_* bits. */
static unsigned kind_facts(const gaz_entry *e)
{
  return (gm__gaz_is_country(e) ? FACT_COUNTRY : 0) |
         (gm__gaz_is_admin1(e) ? FACT_ADMIN1 : 0) |
         (gm__entry_is_region(e) ? FACT_REGION : 0) |
         (GM__FCODE_IS(e, "CONT") ? FACT_CONTINENT : 0);
}

/* Entry e's facts into s, beside its seat pin (fixed_from_dense's). */
static void entry_facts(const gaz_entry *e, fixed_score *s)
{
  s->country = (int16_t)country_slot(e->country);
  s->facts = (uint8_t)((s->facts & FACT_SEAT) | kind_facts(e));
}

/* Whether the context names country cc, of slot slot (country_slot). */
static int has_country(const context *c, const char *cc, int slot)
{
  if (slot >= 0)
    return c->named_country[slot];
  if (!cc[0] || !(c->country_mask & gm__country_bit(cc)))
    return 0;
  for (size_t i = 0; i < c->n_countries; i++)
    if (memcmp(c->countries[i], cc, 2) == 0)
      return 1;
  return 0;
}

/* Where country cc, of slot slot (country_slot), is in the context's
 * resolved counts, or n_resolved_countries when it is not. */
static inline size_t resolved_index(const context *c, const char *cc,
                                    int slot)
{
  size_t i;

  if (slot >= 0)
    return c->resolved_at[slot] ? c->resolved_at[slot] - 1u
                                : c->n_resolved_countries;
  for (i = 0; i < c->n_resolved_countries; i++)
    if (memcmp(c->resolved[i].country, cc, 2) == 0)
      break;
  return i;
}

/* Whether the context names e's admin-1 unit, leaving out the choice of
 * group skip (GM_NO_ENTRY: none; see round_features). The units the
 * caller or the text gives as context alone (group GM_NO_ENTRY) are
 * never left out. */
static int has_admin1(const context *c, const gaz_entry *e, uint32_t skip)
{
  if (!e->admin1 ||   /* offset 0: the empty string */
      !in_admin1_mask(c, gm__admin1_bit(e->country, e->admin1,
                                        ADMIN1_MASK_BITS)))
    return 0;
  /* The unit's string first: it tells most units apart alone. */
  for (size_t i = 0; i < c->n_admin1; i++)
    if (gm__gaz_same_str(c->admin1[i].admin1, e->admin1) &&
        memcmp(c->admin1[i].country, e->country, 2) == 0 &&
        (skip == GM_NO_ENTRY || c->admin1[i].group != skip))
      return 1;
  return 0;
}

/* Entry r's region when it is a composite one (Donbas, the Baltic
 * states, Europe), else NULL. */
static const gaz_region *composite_of(const gm__pipeline *p,
                                      const gaz_entry *r)
{
  if (r->region < 0 ||
      !gm__gaz_region_is_composite(p->gaz, (uint32_t)r->region))
    return NULL;
  return gm__gaz_region(p->gaz, (uint32_t)r->region);
}

/* The entry that names member m of composite region reg, or NULL. */
static const gaz_entry *member_entry(const gm__pipeline *p,
                                     const gaz_region *reg, size_t m)
{
  const gaz_region *mr =
      gm__gaz_region(p->gaz, gm__gaz_members(p->gaz, reg)[m]);

  return mr ? gm__gaz_entry(p->gaz, mr->entry) : NULL;
}

/* What a region r holds by the codes. A round finds it once for the
 * container it asks about (round_group's container_kind), not once a
 * candidate. */
enum {
  CONTAINER_NONE,       /* holds no entry by the codes */
  CONTAINER_COUNTRY,    /* holds its country's entries */
  CONTAINER_ADMIN1,     /* holds its unit's entries */
  CONTAINER_COMPOSITE   /* holds its members' */
};

static int container_kind(const gm__pipeline *p, const gaz_entry *r)
{
  if (composite_of(p, r))
    return CONTAINER_COMPOSITE;
  if (!r->country[0])
    return CONTAINER_NONE;
  if (gm__gaz_is_country(r))
    return CONTAINER_COUNTRY;
  return gm__gaz_is_admin1(r) ? CONTAINER_ADMIN1 : CONTAINER_NONE;
}

static int inside_composite(const gm__pipeline *p, const gaz_entry *e,
                            const gaz_entry *r);

/* gm__entry_inside, r's kind given: small enough to inline where a
 * round asks it of every candidate (inside_container). */
static inline int inside_kind(const gm__pipeline *p, const gaz_entry *e,
                              const gaz_entry *r, int kind)
{
  if (e == r)
    return 0;
  switch (kind) {
  case CONTAINER_COMPOSITE:
    return inside_composite(p, e, r);
  case CONTAINER_COUNTRY:
    return memcmp(e->country, r->country, 2) == 0;
  case CONTAINER_ADMIN1:
    return memcmp(e->country, r->country, 2) == 0 &&
           gm__gaz_same_str(e->admin1, r->admin1);
  default:
    return 0;
  }
}

/* Inside any of composite region r's members. */
static int inside_composite(const gm__pipeline *p, const gaz_entry *e,
                            const gaz_entry *r)
{
  const gaz_region *reg = composite_of(p, r);

  for (size_t m = 0; m < reg->n_members; m++) {
    const gaz_entry *me = member_entry(p, reg, m);
    if (me && gm__entry_inside(p, e, me))
      return 1;
  }
  return 0;
}

/* By codes (pipeline.h). */
int gm__entry_inside(const gm__pipeline *p, const gaz_entry *e,
                     const gaz_entry *r)
{
  return inside_kind(p, e, r, container_kind(p, r));
}

static uint32_t entry_index(const gm__pipeline *p, const gaz_entry *e)
{
  return (uint32_t)(e - (const gaz_entry *)p->gaz->sec[GAZ_SEC_ENTRIES]);
}

/* The point memo's slot for entry e. */
static gm__point_slot *point_slot(const gm__pipeline *p, const gaz_entry *e)
{
  return &p->point_memo[(entry_index(p, e) * 0x9E3779B1u) >>
                        (32 - GM__POINT_SLOT_BITS)];
}

/* Entry e (index a)'s cos(lat) and point into cand, and into the point
 * memo's slot for it when there is one (locate). */
static void compute_point(const gaz_entry *e, uint32_t a,
                          gm__point_slot *slot, gm__candidate *cand)
{
  cand->cos_lat = cos(lat_of(e) * M_PI / 180);
  gm__geo_ecef_km(lat_of(e), lon_of(e), cand->xyz);
  if (slot) {
    slot->entry_1 = a + 1;
    slot->cos_lat = cand->cos_lat;
    memcpy(slot->xyz, cand->xyz, sizeof slot->xyz);
  }
}

/* Entry e's cos(lat) and point on the ellipsoid, into cand: from the
 * parser's memo when an earlier article needed them (the same places
 * come back, and their sines and cosines cost more than the rest of the
 * distance signal), else computed and remembered. Inline, with the
 * computation apart: most calls find the memo's, and a whole locate
 * called saved the registers the computation needs every time (2.5M of
 * 520M instructions on 2.5 MB of WikToR). */
static inline void locate(const gm__pipeline *p, const gaz_entry *e,
                          gm__candidate *cand)
{
  uint32_t a = entry_index(p, e);
  gm__point_slot *slot = p->point_memo ? point_slot(p, e) : NULL;

  if (slot && slot->entry_1 == a + 1) {
    cand->cos_lat = slot->cos_lat;
    memcpy(cand->xyz, slot->xyz, sizeof cand->xyz);
  } else {
    compute_point(e, a, slot, cand);
  }
  cand->known |= KNOWN_POINT;
}

/* The geodesic distance between entry e and anchor an, or
 * DISTANCE_CAP_KM when it is surely farther: past the cap the distance
 * signal says nothing more, and the chord is never longer than the
 * geodesic. Under the cap, from the chord on the mean sphere
 * (gm__geo_arc_km): within 1.6 m of PROJ's WGS84 geodesic there, which
 * tests/unit/test_geo_distance.c checks, at a small part of a PROJ
 * call's cost (a PROJ call cost more than all the rest of a candidate's
 * score, and a memo of its answers helped only text that repeats). */
static double anchor_km(const gm__pipeline *p, const anchor *an,
                        const gaz_entry *e, gm__candidate *cand)
{
  double chord;

  if (!(cand->known & KNOWN_POINT))
    locate(p, e, cand);
  chord = gm__geo_chord_km(cand->xyz, an->xyz);
  return chord > DISTANCE_CAP_KM ? DISTANCE_CAP_KM : gm__geo_arc_km(chord);
}

/* The box of anchors[0..n) (for none, one no point is within). The
 * 1 km to spare in its reach covers the rounding of a chord and of the
 * box's own arithmetic. */
static void box_of(const anchor *anchors, size_t n, anchor_box *b)
{
  for (int a = 0; a < 3; a++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
      if (anchors[i].xyz[a] < lo)
        lo = anchors[i].xyz[a];
      if (anchors[i].xyz[a] > hi)
        hi = anchors[i].xyz[a];
    }
    b->mid[a] = n ? (lo + hi) / 2 : 0;
    b->reach[a] = n ? (hi - lo) / 2 + DISTANCE_CAP_KM + 1 : -1;
  }
}

/* Whether point xyz is surely farther than DISTANCE_CAP_KM from every
 * anchor in box b: the distance signals' answer for all of them is then
 * the cap's, whichever is nearest, and none need be looked at (most
 * candidates of a name lie far from the places the text is about). All
 * three axes without a branch each: one is as likely as another. */
static int beyond_cap(const anchor_box *b, const double xyz[3])
{
  return (fabs(xyz[0] - b->mid[0]) > b->reach[0]) |
         (fabs(xyz[1] - b->mid[1]) > b->reach[1]) |
         (fabs(xyz[2] - b->mid[2]) > b->reach[2]);
}

/* Whether anchors[0..n) has one of a group other than gi. */
static int has_other_group(const anchor *anchors, size_t n, uint32_t gi)
{
  for (size_t i = 0; i < n; i++)
    if (anchors[i].group != gi)
      return 1;
  return 0;
}

/* The nearest to e of anchors[0..n) of a group other than gi, by a flat
 * approximation, or NULL: one distance to compute per candidate, not one
 * per anchor. Measured and not kept (session 18): each candidate keeping
 * its nearest anchor for the next round, which then looks only at the
 * anchors its new choices add (the others keep their order, so the kept
 * one is still the first nearest of them). On 2.5 MB of WikToR this
 * search's calls for the anchors fell 106,656 -> 69,835 and their cost
 * 15.9M -> 8.3M instructions, but the keeping cost 4.7M and gcc inlined
 * differently around it: gm_parse 526.1M -> 527.6M (sample 332.8M ->
 * 334.1M). Inline (session 19): called out of line, its 160k calls there
 * cost 4.7M of 511M instructions in their calls. Measured and not kept
 * (session 20), on the fifth-line sample and 2.5 MB of WikToR (322.0M,
 * 503.6M before): no test of each anchor's group, the search run over
 * the anchors before and after the group's own (one run of them, since
 * collect_context and find_admin2 add them group by group), 322.4M and
 * 503.4M; that with two anchors a time in SSE2 (each lane the same
 * operations in the same order), 328.0M and 515.3M: a search reads 4
 * anchors on average there, and the vectors' setting up and the lanes'
 * merging cost more than the halved loop saved. An anchor farther in
 * latitude alone than the nearest so far skipped before its longitude
 * is looked at (session 22): gm_parse 308.4M -> 307.5M on the
 * fifth-line sample, 490.4M -> 488.2M on 2.5 MB of WikToR. Measured and
 * not kept (session 22): the anchors kept sorted by latitude and
 * searched outwards from the candidate's (a binary search for the
 * start, then north and south until dy * dy passes the nearest's d):
 * the anchors read fell 1.21M -> 0.44M on WikToR, but the start's
 * search and the call (gcc no longer inlined it) cost more, 311.0M and
 * 493.6M; beyond_cap's box split into up to 4 boxes of up to 1,000 km
 * (a text's places in a few clusters), 310.2M and 493.1M; 2 boxes of
 * up to 2,000 or 4,000 km, 310.3M and 494.0M: the searches the boxes
 * saved cost less than testing them for every candidate. */
static inline const anchor *nearest_anchor(const gm__pipeline *p,
                                    const anchor *anchors, size_t n,
                                    uint32_t gi, const gaz_entry *e,
                                    gm__candidate *cand)
{
  double flat = INFINITY, lat = lat_of(e), lon = lon_of(e), k;
  size_t nearest = n;   /* none yet */

  if (!(cand->known & KNOWN_POINT))
    locate(p, e, cand);
  k = cand->cos_lat;
  for (size_t i = 0; i < n; i++) {
    double dx, dy, d;
    if (anchors[i].group == gi)
      continue;
    dy = lat - anchors[i].lat;
    /* d is no less than dy * dy (rounding is monotone): an anchor
     * farther in latitude alone than the nearest so far is not
     * nearer. */
    if (dy * dy > flat)
      continue;
    dx = fabs(lon - anchors[i].lon);
    dx = (dx > 180 ? 360 - dx : dx) * k;
    d = dx * dx + dy * dy;
    /* Strictly nearer: of equals, the first (every d is finite). */
    if (d < flat) {
      flat = d;
      nearest = i;
    }
  }
  return nearest < n ? &anchors[nearest] : NULL;
}

/* Whether admin-1 unit e holds an anchor of a group other than gi: a
 * unit's point says little of where its places lie, so it is as near as
 * can be to the places it holds (Georgia beside Savannah and Macon is
 * the state, not the country). */
static int holds_an_anchor(const gm__pipeline *p, const anchor *anchors,
                           size_t n, uint32_t gi, const gaz_entry *e)
{
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *a = gm__gaz_entry(p->gaz, anchors[i].entry);
    if (anchors[i].group != gi && a && gm__entry_inside(p, a, e))
      return 1;
  }
  return 0;
}

static size_t n_candidates(const group *g);

/* Group g's candidate that is the seat of a unit of its name in country
 * cc, located (its point known), or NULL. */
static gm__candidate *seat_in(const gm__pipeline *p, const group *g,
                              const char *cc)
{
  for (size_t k = 0; k < g->n_usable; k++) {
    gm__candidate *s = &g->cands[k];
    if ((s->fixed.facts & FACT_SEAT) &&
        memcmp(s->entry->country, cc, 2) == 0) {
      if (!(s->known & KNOWN_POINT))
        locate(p, s->entry, s);
      return s;
    }
  }
  return NULL;
}

/* Whether admin-1 unit e, which a candidate of group gi is the seat of
 * (Quebec City of Quebec, Lviv of its oblast), holds an anchor of
 * another group FAR_FROM_SEAT_KM or more from that seat: the text names
 * places across the unit, not around its city (Montreal beside a bare
 * "Quebec"), and means the unit. Towns around their seat (Lviv among
 * the oblast's towns) leave the bare name the city's. From the chord
 * (gm__geo_arc_km), as every distance here. */
static int holds_a_far_anchor(const gm__pipeline *p, const group *g,
                              const anchor *anchors, size_t n, uint32_t gi,
                              const gaz_entry *e)
{
  const gm__candidate *seat = NULL;

  for (size_t i = 0; i < n; i++) {
    const gaz_entry *a = gm__gaz_entry(p->gaz, anchors[i].entry);
    if (anchors[i].group == gi || !a || !gm__entry_inside(p, a, e))
      continue;
    /* Found only now: most units hold none of the anchors. */
    if (!seat && !(seat = seat_in(p, g, e->country)))
      return 0;
    if (gm__geo_arc_km(gm__geo_chord_km(seat->xyz, anchors[i].xyz)) >=
        FAR_FROM_SEAT_KM)
      return 1;
  }
  return 0;
}

/* Its geodesic distance in km, or -1 (DISTANCE_CAP_KM when surely
 * farther, see anchor_km). */
static double nearest_anchor_km(const gm__pipeline *p, const anchor *anchors,
                                size_t n, const anchor_box *box, uint32_t gi,
                                const gaz_entry *e, gm__candidate *cand)
{
  const anchor *an;

  if (!(cand->known & KNOWN_POINT))
    locate(p, e, cand);
  if (beyond_cap(box, cand->xyz))
    return has_other_group(anchors, n, gi) ? DISTANCE_CAP_KM : -1;
  an = nearest_anchor(p, anchors, n, gi, e, cand);
  return an ? anchor_km(p, an, e, cand) : -1;
}

/* The near_named_admin2 signal of e: how near the nearest admin-2 unit
 * of other groups' names is, on the distance signal's scale turned round
 * (0 at DISTANCE_CAP_KM and beyond, or with none). Remembered in cand:
 * unlike the chosen places, the units are the same in every round.
 * From the chord (gm__geo_arc_km), as anchor_km. */
static double near_named_admin2(const gm__pipeline *p, const context *c,
                                uint32_t gi, const gaz_entry *e,
                                gm__candidate *cand)
{
  if (!(cand->known & KNOWN_ADMIN2)) {
    const anchor *an = NULL;
    double km;
    /* Beyond the cap, or none: 0 either way. */
    if (!(cand->known & KNOWN_POINT))
      locate(p, e, cand);
    if (!beyond_cap(&c->admin2_box, cand->xyz))
      an = nearest_anchor(p, c->admin2, c->n_admin2, gi, e, cand);
    km = an ? gm__geo_arc_km(gm__geo_chord_km(cand->xyz, an->xyz)) : -1;
    cand->admin2_signal = km >= 0 && km < DISTANCE_CAP_KM
                              ? c->far_signal - log1p(km / 20.0)
                              : 0;
    cand->known |= KNOWN_ADMIN2;
  }
  return cand->admin2_signal;
}

/* The share of the document's other resolved groups that lie in e's
 * country: news about Alberta says "Edmonton" and means Canada's. Each
 * group counts as much as its choice is sure: a name the resolver all
 * but guessed (Middlesex, New Jersey, beside "London" and "St. Thomas")
 * must not outvote a sure one. */
static double country_share(const context *c, const gaz_entry *e,
                            int slot, const round_group *rg)
{
  double same = 0;
  size_t i;

  if (!e->country[0])
    return 0;
  if ((i = resolved_index(c, e->country, slot)) < c->n_resolved_countries)
    same = c->resolved[i].groups;
  /* Not the group itself: its own current choice is in the counts. */
  if (rg->own_country && memcmp(rg->own_country, e->country, 2) == 0)
    same -= rg->own_sure;
  return rg->total > 1e-9 && same > 0 ? same / rg->total : 0;
}

/* Whether region e holds one of the places x can name: "Springfield,
 * Ind." is Indiana, which has a Springfield, not Indianapolis (IND). */
static int holds_a_candidate(const gm__pipeline *p, const gaz_entry *e,
                             const gm__work *x)
{
  size_t n = x->n_postings < MAX_CANDIDATES * 4 ? x->n_postings
                                                : MAX_CANDIDATES * 4;
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *c = gm__gaz_entry(p->gaz, x->postings[i].entry);
    if (c && gm__entry_inside(p, c, e))
      return 1;
  }
  return 0;
}

/* The features of entry e for group g that no round changes: how the
 * name reached it, its kind and population, the group's cues, the
 * "X, Y" it is the Y of, the caller's priors (f zeroed by the caller). */
static void fixed_features(const gm__pipeline *p, const group *g,
                           const gaz_entry *e, unsigned how, double *f)
{
  const gm_parse_options *o = &p->opt;
  unsigned cues = g->first->cues;

  /* Tried, not kept (session 19): no matched_alternate for a PPLA whose
   * alternate is its same-named admin-1 unit's own name (GeoNames'
   * "Zaporizhzhya" matched as "Zaporizhzhia"). It made the README
   * example's "Kharkiv and Zaporizhzhia" the cities, but 14 names of the
   * dev corpora other entries (Oklahoma the city, Geneva, Basra,
   * Santiago): TUD-Loc acc@161 0.9506 -> 0.9499, mean 85.2 -> 89.4 km. */
  gm__candidate_features(p->gaz, g->first->postings, g->first->n_postings,
                         e, how, g->max_population, f);
  if (cues & GM__CUE_ADMIN_SUFFIX) {
    /* "Donetsk region": the suffix says which, not the city's name. */
    f[GM__RF_named_after_its_city] = 0;
    f[GM__RF_seat_of_same_named_unit] = 0;
    f[GM__RF_unit_of_same_named_city] = 0;
    if (gm__entry_is_region(e) && !gm__gaz_is_country(e))
      f[GM__RF_admin_suffix_region] = 1;
    else
      f[GM__RF_admin_suffix_not_region] = 1;
  }
  if ((cues & GM__CUE_CITY_SUFFIX) && e->fclass == 'P')
    f[GM__RF_city_suffix_place] = 1;
  if (g->contained && gm__entry_is_region(e) &&
      holds_a_candidate(p, e, g->contained))
    f[GM__RF_contains_preceding_place] = 1;
  if (o->country && e->country[0] &&
      memcmp(e->country, o->country, 2) == 0)
    f[GM__RF_country_prior] = 1;
  if (o->has_bbox) {
    double lat = lat_of(e), lon = lon_of(e);
    int in = lat >= o->bbox[1] && lat <= o->bbox[3] &&
             (o->bbox[0] <= o->bbox[2]
                  ? lon >= o->bbox[0] && lon <= o->bbox[2]
                  : lon >= o->bbox[0] || lon <= o->bbox[2]);
    f[in ? GM__RF_bbox_inside : GM__RF_bbox_outside] = 1;
  }
  if (o->has_near && o->near_km > 0)
    f[GM__RF_near_prior] = log1p(gm__geo_distance_km(o->near_lat, o->near_lon,
                                                    lat_of(e), lon_of(e)) /
                                 o->near_km);
}

_Static_assert(GM__N_RESOLVE_FEATURES <= 64, "a feature a bit of 64");

/* The features of vector f that are not zero, as bits (bit i: f[i] !=
 * 0): a candidate has a few of the forty, and a test and a branch for
 * each cost fixed_from_dense and feature_reasons more than the rest of
 * their work. Two at a time with SSE2 (every x86-64 has it; cmpneq is
 * C's !=, a NaN not zero). */
static uint64_t nonzero_features(const double *f)
{
  uint64_t bits = 0;
  int i = 0;

#ifdef __SSE2__
  /* Unrolled, its shifts constants: 3.1M of 499M instructions on 2.5 MB
   * of WikToR. */
#pragma GCC unroll 32
  for (; i + 2 <= GM__N_RESOLVE_FEATURES; i += 2)
    bits |= (uint64_t)_mm_movemask_pd(_mm_cmpneq_pd(_mm_loadu_pd(f + i),
                                                    _mm_setzero_pd()))
            << i;
#endif
  for (; i < GM__N_RESOLVE_FEATURES; i++)
    bits |= (uint64_t)(f[i] != 0) << i;
  return bits;
}

/* f, a whole vector of fixed features, as s. */
static void fixed_from_dense(fixed_score *s, const double *f)
{
  uint64_t bits = nonzero_features(f);
  double head = 0;

  /* The nonzero ones only, in feature order: a zero's product (+0 or
   * -0) changes no sum that does not start at -0, and head starts at
   * +0. */
  for (; bits & ((1ull << FIRST_ROUND_FEATURE) - 1); bits &= bits - 1) {
    int i = __builtin_ctzll(bits);
    head += f[i] * gm__resolve_feature_weights[i];
  }
  s->head = head;
  s->n_tail = 0;
  s->facts = f[GM__RF_seat_of_same_named_unit] != 0 ? FACT_SEAT : 0;
  for (; bits; bits &= bits - 1) {
    int i = __builtin_ctzll(bits);
    if (s->n_tail == FIXED_TAIL) {
      s->n_tail = FIXED_TAIL + 1;
      return;
    }
    s->tail_index[s->n_tail] = (uint8_t)i;
    s->tail[s->n_tail++] = f[i] * gm__resolve_feature_weights[i];
  }
}

/* The fixed memo's slot for candidate k of group g, or NULL when its
 * fixed features are not a function of the name's postings, k and the
 * suffix cues alone (see candidate_fixed). */
static gm__fixed_slot *fixed_slot(const gm__pipeline *p, const group *g,
                                  size_t k)
{
  const gm__work *w = g->first;
  unsigned cues = w->cues & (GM__CUE_ADMIN_SUFFIX | GM__CUE_CITY_SUFFIX);
  uint64_t h;

  if (!p->fixed_memo || g->contained)
    return NULL;
  h = ((uint64_t)(uintptr_t)w->postings * 0x9E3779B97F4A7C15ull) ^
      ((uint64_t)k * 0xC2B2AE3D27D4EB4Full) ^
      ((uint64_t)w->n_postings << 32) ^ cues;
  return &p->fixed_memo[(h * 0x9E3779B97F4A7C15ull) >>
                        (64 - GM__FIXED_SLOT_BITS)];
}

/* Candidate k's fixed features for group g (entry e), as a score uses
 * them, into out: remembered for the parser's life, in slot (fixed_slot),
 * when they are a function of the name's postings, the candidate and the
 * group's suffix cues alone (no "X, Y" it is the Y of; the caller's
 * priors are the parser's), since the same names come back article
 * after article with the same candidates, and a candidate's features
 * cost more than its rounds. */
static void candidate_fixed(const gm__pipeline *p, const group *g, size_t k,
                            const gaz_entry *e, gm__fixed_slot *slot,
                            fixed_score *out)
{
  const gm__work *w = g->first;
  unsigned cues = w->cues & (GM__CUE_ADMIN_SUFFIX | GM__CUE_CITY_SUFFIX);
  double f[GM__N_RESOLVE_FEATURES];

  if (slot) {
    if (slot->postings == w->postings && slot->n_postings == w->n_postings &&
        slot->k == k && slot->cues == cues) {
      *out = slot->fixed;
      return;
    }
  }
  /* Zeroed only now: most candidates come from the memo. */
  memset(f, 0, sizeof f);
  fixed_features(p, g, e, w->postings[k].how, f);
  fixed_from_dense(out, f);
  entry_facts(e, out);
  if (slot)
    *slot = (gm__fixed_slot){.postings = w->postings,
                             .n_postings = (uint32_t)w->n_postings,
                             .k = (uint16_t)k, .cues = (uint8_t)cues,
                             .fixed = *out};
}

/* Where round_features puts what it finds: into a whole vector, or
 * added straight to a score (sum) that began with a candidate's fixed
 * head, its fixed tail (tail, next: the first not yet added) merged in
 * on the way. round_features sets its features in feature order, so
 * each one's product is added at its place in the order, after the
 * fixed ones before it: the additions of gm__feature_score, less its
 * zeros (adding a zero changes no sum that does not start at -0). */
typedef struct feature_sink {
  double *dense;
  const fixed_score *tail;
  int next;
  int next_feature;   /* tail_index[next], or INT_MAX past the last
                         (tail_at): one test a set() for most */
  double sum;
} feature_sink;

/* The feature of the fixed tail's t's member next, or INT_MAX past the
 * last. */
static inline int tail_at(const fixed_score *t, int next)
{
  return next < t->n_tail ? t->tail_index[next] : INT_MAX;
}

/* The fixed tail's features before feature i into k's sum. */
static inline void add_tail_before(feature_sink *k, int i)
{
  while (k->next_feature < i) {
    k->sum += k->tail->tail[k->next++];
    k->next_feature = tail_at(k->tail, k->next);
  }
}

/* inline: round_features calls it up to nine times a candidate a round,
 * and gcc -O2 left it a call, its branch on the sink with it. */
static inline void set(feature_sink *k, int i, double v)
{
  if (k->dense) {
    k->dense[i] = v;
  } else if (v != 0) {
    add_tail_before(k, i);
    k->sum += v * gm__resolve_feature_weights[i];
  }
}

/* Which kind of entry of kind facts (kind_facts) is, as a list's
 * members share it: a place (0), a country, an admin-1 unit, another
 * region. */
static int kind_level(unsigned facts)
{
  if (facts & FACT_COUNTRY)
    return 1;
  if (facts & FACT_ADMIN1)
    return 2;
  return facts & FACT_REGION ? 3 : 0;
}

/* How sure (kind_sure) the groups listed beside group gi are of each
 * kind, the surest of them, into kinds; a candidate of gi of a kind
 * gets listed_with_same_kind, at that value: the members of a list are
 * alike ("Hong Kong, New York and Tokyo" are cities; "Montana and
 * Wyoming" states). Any neighbour, not the share of them: the share
 * (plain, or each neighbour weighing as much as its choice is sure), its
 * weight refitted alone (2.46 and 2.62, still rising), changed no F1 or
 * acc@161 on the seven dev corpora (session 12). A group's listed
 * neighbours are the names just before and after its mentions, so the
 * share differs from "any" only where a name sits between names of two
 * kinds: in WoTR's "Oregon, Washington Territory, California, Salt Lake,
 * and Denver", which "any" gets wrong (California, Missouri),
 * California's one neighbour is Salt Lake.
 *
 * How sure, not the kind of the neighbour's choice (1 for it, as until
 * session 20): each round reads the choices of the round before, and two
 * names that lean to different kinds, each on the other's kind, swapped
 * them round after round, so that the answer was the parity of the
 * round count's: in "cities such as Kharkiv and Zaporizhzhia" the first
 * context round made Kharkiv the oblast (after Zaporizhzhia's oblast of
 * the context-free round) and Zaporizhzhia the city, the second the
 * reverse. Weighed by how sure the neighbour is (Zaporizhzhia's oblast
 * 0.60), the lean of the less sure one does not turn the surer. Against
 * the kind of the choice: 8 predictions changed on the seven dev
 * corpora (ev.sh: TUD-Loc acc@161 0.9506 -> 0.9502, mean 85.24 -> 85.35
 * km; the others' figures as they were), 1 right->wrong (TUD-Loc's
 * "departments of ... Huehuetenango and San Marcos": San Marcos a town
 * far off, Huehuetenango the department now), none wrong->right; of
 * the others, Berlin, Ulsan and Santa Ana in WikToR's lists of cities
 * the cities now, Tabuk (TUD-Loc) the province and Hidalgo in WikToR's
 * "the states of ..." a town;
 * bench/fit-resolver --only listed_with_same_kind: 1.746 -> 1.846 (from
 * 1.725 with the kind: the weight stays). Tried and not kept: only
 * neighbours whose kind the last two rounds agree on (Zaporizhzhia
 * stays the oblast; TUD-Loc's San Marcos right->wrong too); the choices
 * made earlier in the same round (Gauss-Seidel, in text order: Kharkiv
 * and Zaporizhzhia both the oblasts, "New York and Tokyo" Tokyo's
 * prefecture); only neighbours surer than the group (Georgia the
 * country in WoTR's "S. Carolina, Georgia, and Florida", acc@161 0.8528
 * -> 0.8521); how sure, averaged over the last two rounds (TR-News's
 * "Montana and Wyoming" right->wrong). Swaps remain where both names are
 * sure of their own kinds ("New York and Tokyo"), and the other context
 * signals swap choices between rounds too: 3 context rounds rather than
 * 2 change 360 predictions on WikToR, 101 on Ju2016, and 4 change them
 * back. */
static void listed_kinds(const group *gs, uint32_t gi,
                         double kinds[KIND_LEVELS])
{
  for (size_t k = 0; k < gs[gi].n_listed; k++) {
    const group *n = &gs[gs[gi].listed[k]];
    for (int l = 0; l < KIND_LEVELS; l++)
      if (n->kind_sure[l] > kinds[l])
        kinds[l] = n->kind_sure[l];
  }
}

/* gm__entry_inside(p, e, rg->container), its kind found once a round. */
static int inside_container(const round_group *rg, const gaz_entry *e)
{
  return inside_kind(rg->p, e, rg->container, rg->container_kind);
}

/* Group gi's round_group under context c (NULL: none) and container
 * (NULL: none), into rg: written in place, not returned, as a returned
 * struct of its size was built apart and then copied (round_group_of's
 * copy cost 0.9M of 482M instructions on 2.5 MB of WikToR). */
static void fill_round_group(round_group *rg, const gm__pipeline *p,
                             const context *c, const group *gs, uint32_t gi,
                             const gaz_entry *container)
{
  const group *g = &gs[gi];

  *rg = (round_group){.p = p, .c = c, .gs = gs, .gi = gi,
                      .container = container,
                      .admin1_skip = g->has_seat ? gi : GM_NO_ENTRY};
  if (container)
    rg->container_kind = container_kind(p, container);

  if (g->list_region) {
    const gaz_entry *r = gm__gaz_entry(p->gaz, gs[g->list_region->group].entry);
    if (r && gm__gaz_is_admin1(r))
      rg->list_admin1 = r;
  }
  if (c) {
    const gaz_entry *own = gm__gaz_entry(p->gaz, g->counted);
    listed_kinds(gs, gi, rg->listed_kinds);
    rg->total = c->n_resolved;
    if (own && own->country[0]) {
      rg->own_country = own->country;
      rg->own_sure = g->counted_sure;
      rg->total -= g->counted_sure;
    }
  }
}

/* round_features sets its features in this order, which a sum of them
 * as they come (feature_sink) takes to be the features' own. */
_Static_assert(GM__RF_inside_following_region <
                       GM__RF_outside_following_region &&
                   GM__RF_outside_following_region <
                       GM__RF_inside_listed_region &&
                   GM__RF_inside_listed_region < GM__RF_country_context &&
                   GM__RF_country_context < GM__RF_admin1_context &&
                   GM__RF_admin1_context < GM__RF_distance_to_other_places &&
                   GM__RF_distance_to_other_places <
                       GM__RF_near_named_admin2 &&
                   GM__RF_near_named_admin2 < GM__RF_country_share &&
                   GM__RF_country_share < GM__RF_listed_with_same_kind,
               "round features are set in feature order");

/* A round's features of e for group rg->gi: "X, Y" with the container's
 * current sense, and the document's context (when there is one). None
 * is one of fixed_features'. Measured and not kept (session 20): forced
 * inline (GM__ALWAYS_INLINE) into its three callers, gm_parse 319.0M ->
 * 328.0M on the fifth-line sample, 498.8M -> 515.4M on 2.5 MB of WikToR
 * (why, not looked into). Measured and not kept (session 23): forced
 * inline into features() and into an out-of-line round_sum that made
 * round_score's sink its own, so that gcc saw no dense vector there
 * and dropped set()'s test for one: gcc then left nearest_anchor_km,
 * near_named_admin2, country_share and has_admin1 out of line, 304.1M
 * -> 313.5M on the fifth-line sample, 482.0M -> 500.0M on WikToR. */
static void round_features(const round_group *rg, const gaz_entry *e,
                           gm__candidate *cand, feature_sink *k)
{
  const gm__pipeline *p = rg->p;
  const context *c = rg->c;
  const group *gs = rg->gs;
  uint32_t gi = rg->gi;
  const gaz_entry *container = rg->container;
  unsigned facts = cand->fixed.facts;

  if (container && inside_container(rg, e))
    set(k, GM__RF_inside_following_region, 1);
  else if (container)
    set(k, GM__RF_outside_following_region, 1);
  /* The state after a list holds its places: not a hard container
   * (best_candidate's), as a list may end with the only name it holds. */
  if (rg->list_admin1 && !(facts & FACT_REGION) &&
      gm__entry_inside(p, e, rg->list_admin1))
    set(k, GM__RF_inside_listed_region, 1);
  if (c) {
    if (!(facts & FACT_COUNTRY) &&
        has_country(c, e->country, cand->fixed.country))
      set(k, GM__RF_country_context, 1);
    /* A seat's own unit, when the group chose it, is no context for
     * the seat: counted, it made a unit chosen in one round the seat in
     * the next (seat_of_same_named_unit decides between the two). */
    if (!(facts & FACT_ADMIN1) && has_admin1(c, e, rg->admin1_skip))
      set(k, GM__RF_admin1_context, 1);
    /* Countries and continents are too large for a point's distance to
     * mean anything; admin units and places are not. Beyond 500 km
     * distance says nothing more. */
    if (c->n_anchors && !(facts & (FACT_COUNTRY | FACT_CONTINENT))) {
      /* When the name is also a seat's, only places far from the seat:
       * a bare "Lviv" among the oblast's towns is still the city
       * (seat_of_same_named_unit), "Quebec" beside Montreal the
       * province. */
      int holds = (facts & FACT_ADMIN1) &&
                  (gs[gi].has_seat
                       ? holds_a_far_anchor(p, &gs[gi], c->anchors,
                                            c->n_anchors, gi, e)
                       : holds_an_anchor(p, c->anchors, c->n_anchors, gi, e));
      double km = holds ? 0
                        : nearest_anchor_km(p, c->anchors, c->n_anchors,
                                            &c->anchors_box, gi, e, cand);
      if (km >= 0)
        set(k, GM__RF_distance_to_other_places,
            km < DISTANCE_CAP_KM ? log1p(km / 20.0) : c->far_signal);
    }
    /* A place near a county another name can mean. */
    if (c->n_admin2 && !(facts & FACT_REGION)) {
      double v = near_named_admin2(p, c, gi, e, cand);
      if (v != 0)
        set(k, GM__RF_near_named_admin2, v);
    }
    set(k, GM__RF_country_share,
        country_share(c, e, cand->fixed.country, rg));
    if (gs[gi].n_listed && rg->listed_kinds[kind_level(facts)] > 0)
      set(k, GM__RF_listed_with_same_kind,
          rg->listed_kinds[kind_level(facts)]);
  }
}

/* The features of entry e for group gi, into f (all of it written);
 * cand, when not NULL, is what the rounds keep of e as a candidate of
 * gi (its point, its distance to the admin-2 units, its facts), which it
 * reuses. */
static void features(const gm__pipeline *p, const context *c,
                     const group *gs, uint32_t gi, const gaz_entry *e,
                     unsigned how, const gaz_entry *container,
                     gm__candidate *cand, double *f)
{
  feature_sink k = {.dense = f};
  gm__candidate fresh = {.known = 0};
  round_group rg;

  fill_round_group(&rg, p, c, gs, gi, container);

  for (int i = 0; i < GM__N_RESOLVE_FEATURES; i++)
    f[i] = 0;
  fixed_features(p, &gs[gi], e, how, f);
  if (!cand)
    entry_facts(e, &fresh.fixed);
  round_features(&rg, e, cand ? cand : &fresh, &k);
}

/* The score of entry e for group gi: the weighted sum of its features.
 * A function of its arguments, the context and group gi's own fields
 * only: alternatives() reuses the last round's scores (choose). */
static double score(const gm__pipeline *p, const context *c, const group *gs,
                    uint32_t gi, const gaz_entry *e, unsigned how,
                    const gaz_entry *container, gm__candidate *cand,
                    double *f)
{
  features(p, c, gs, gi, e, how, container, cand, f);
  return gm__feature_score(f);
}

/* score(), the same number, from a candidate's fixed features (kept
 * before the first round) and this round's others: each round computes
 * only what can have changed. Inline: best_candidate calls it for every
 * candidate of every round, and the call cost 6.1M of 517M instructions
 * on 2.5 MB of WikToR. */
static inline double round_score(const round_group *rg, const gaz_entry *e,
                                 gm__candidate *cand)
{
  feature_sink k = {.tail = &cand->fixed,
                    .next_feature = tail_at(&cand->fixed, 0),
                    .sum = cand->fixed.head};

  /* Without a context, a container or a list's region (most groups'
   * first round) there is none of a round's features to find. */
  if (rg->c || rg->container || rg->list_admin1)
    round_features(rg, e, cand, &k);
  add_tail_before(&k, GM__N_RESOLVE_FEATURES);
  return k.sum;
}

/* Append the nonzero features to a reason list: value and contribution. */
static size_t feature_reasons(const double *f, gm_reason *out, size_t max)
{
  size_t n = 0;

  for (uint64_t bits = nonzero_features(f); bits && n < max;
       bits &= bits - 1) {
    int i = __builtin_ctzll(bits);
    out[n++] = (gm_reason){gm__resolve_feature_names[i], f[i],
                           f[i] * gm__resolve_feature_weights[i]};
  }
  return n;
}

/* ------------------------------------------------------------ groups */

/* Whether posting i of w (entry e) can be w's sense: demonym postings for
 * demonym mentions, name postings for the others; and a region's
 * abbreviation with its period names a region, never a place whose code
 * the same letters are ("La." is Louisiana, not LA, Los Angeles; "Ont."
 * not the ONT of Ontario, California). */
static int candidate_role(const gm__work *w, size_t i, const gaz_entry *e)
{
  if ((w->cues & GM__CUE_ABBREVIATION) &&
      w->postings[i].how == GM_HOW_CODE && !gm__entry_is_region(e))
    return 0;
  return (w->postings[i].how == GM_HOW_DEMONYM) ==
         (w->role == GM_ROLE_DEMONYM);
}

static uint64_t group_hash(const gm__pipeline *p, const gm__work *w)
{
  uint64_t h = 14695981039346656037ull;
  for (size_t i = w->tok_start; i < w->tok_end; i++) {
    h ^= gm__hash(gm__token_norm(&p->tokens, i), p->tokens.v[i].norm_len);
    h *= 1099511628211ull;
  }
  return h ^ (w->cues & (GM__CUE_ADMIN_SUFFIX | GM__CUE_ABBREVIATION));
}

static int same_name(const gm__pipeline *p, const gm__work *a,
                     const gm__work *b)
{
  unsigned cues = GM__CUE_ADMIN_SUFFIX | GM__CUE_ABBREVIATION;
  return (a->cues & cues) == (b->cues & cues) &&
         gm__same_name(p, a, b);
}

/* The kept mention before work index i, or -1. */
static ptrdiff_t kept_before(const gm__pipeline *p, size_t i)
{
  while (i-- > 0)
    if (p->work[i].keep)
      return (ptrdiff_t)i;
  return -1;
}

/* A region after a list reaches back over the whole list: in "Louisville
 * and Lexington, Kentucky" and "Nashville and Cordova, Tennessee" every
 * place named lies in the state, not only the last, which the recogniser
 * makes its container (and not even that one when the name can also be a
 * province: "Paris, Missouri", "Cordova" for Córdoba). The walk stops at
 * a region before that last name (in "Lexington, Kentucky, Nashville"
 * Kentucky ends a list). Only a group's first mention speaks for the
 * group, as its container does (container_of): "Bedford in England ...
 * Bedford, Indiana" in an article about Bedford, Iowa. */
static void list_links(const gm__pipeline *p, group *g)
{
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *y = &p->work[i];
    ptrdiff_t j;
    if (!y->keep || y->role != GM_ROLE_REGION)
      continue;
    /* "X, Y": a comma only. */
    j = kept_before(p, i);
    if (j < 0 || p->work[j].tok_end != y->tok_start ||
        !gm__listed_after(p, &p->work[j], y))
      continue;
    for (const gm__work *x = &p->work[j], *w = x;;) {
      if (w->role != GM_ROLE_PLACE && w != x)
        break;
      if (w->container < 0 && g[w->group].first == w)
        g[w->group].list_region = y;
      j = kept_before(p, (size_t)(w - p->work));
      if (j < 0 || !gm__listed_after(p, &p->work[j], w))
        break;
      w = &p->work[j];
    }
  }
}

static void add_listed(group *g, uint32_t other)
{
  for (size_t k = 0; k < g->n_listed; k++)
    if (g->listed[k] == other)
      return;
  if (g->n_listed < MAX_LISTED)
    g->listed[g->n_listed++] = other;
}

/* The groups named beside each other in a list ("A, B and C"): not an
 * "X, Y" whose Y holds X (the recogniser's container), nor the region
 * after a list (list_links), which hold their places rather than being
 * like them. */
static void list_neighbours(const gm__pipeline *p, group *g)
{
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *y = &p->work[i], *x;
    ptrdiff_t j;
    if (!y->keep || (j = kept_before(p, i)) < 0)
      continue;
    x = &p->work[j];
    if (x->group == y->group || !gm__listed_after(p, x, y) ||
        x->container == (int32_t)i || y->container == (int32_t)j ||
        g[x->group].list_region == y)
      continue;
    add_listed(&g[x->group], y->group);
    add_listed(&g[y->group], x->group);
  }
}

/* Give every kept mention a group index; the groups in p->groups (room
 * kept for the next article: every group made is written whole). */
static int make_groups(gm__pipeline *p, group **out, size_t *n_groups)
{
  size_t cap = 16, n = 0;
  uint32_t *slots;
  group *g;

  while (cap < p->n_work * 2)
    cap *= 2;
  if (gm__grow(&p->group_slots, &p->cap_group_slots, cap,
               sizeof *p->group_slots) ||
      gm__grow(&p->groups, &p->cap_groups, p->n_work ? p->n_work : 1,
               sizeof *p->groups))
    return GM_ENOMEM;
  slots = p->group_slots;
  g = p->groups;
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
      g[n++] = (group){.first = w, .entry = GM_NO_ENTRY,
                       .max_population = gm__max_population(p->gaz, w->postings, w->n_postings)};
    }
    w->group = slots[j];
    g[w->group].size++;
    w->recog_inverse = 1 + exp(-w->recog_logit);
    double r = 1 / w->recog_inverse;
    if (r > g[w->group].recog)
      g[w->group].recog = r;
  }
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *x = &p->work[i];
    if (x->keep && x->container >= 0 && p->work[x->container].keep)
      g[p->work[x->container].group].contained = x;
  }
  list_links(p, g);
  list_neighbours(p, g);
  *out = g;
  *n_groups = n;
  return 0;
}

/* ------------------------------------------------------------ rounds */

/* The region w lies in: its container's sense; through a container that
 * codes cannot tell the inside of (a county) to that one's own ("X is a
 * town in Y County, Ohio": Ohio). */
static const gaz_entry *container_of(const gm__pipeline *p, const group *gs,
                                     const gm__work *w)
{
  const gaz_entry *e = NULL;

  for (int hops = 0; hops < 2; hops++) {
    if (w->container < 0 || !p->work[w->container].keep)
      break;
    w = &p->work[w->container];
    e = gm__gaz_entry(p->gaz, gs[w->group].entry);
    if (!e || is_region_kind(e))
      break;
  }
  return e;
}

/* The number of group g's candidates the resolver looks at. */
static size_t n_candidates(const group *g)
{
  return g->first->n_postings < MAX_CANDIDATES * 4 ? g->first->n_postings
                                                    : MAX_CANDIDATES * 4;
}

/* Group gi's best candidate under container cont: its entry, with its
 * score in *best; each candidate's score into scores (as g->cands) when
 * given. With within, a container whose inside the codes tell ("X, Maine") takes the best
 * candidate inside it when there is one, however the others score: the
 * text says where this X is, which no document-wide signal outweighs.
 * (The group's sense, chosen under its first mention's container, does
 * not: the same name elsewhere in the text may mean another X.)
 * Measured and not kept (session 23): choose's calls (every score kept,
 * no container to be inside of) in a loop of their own, without the
 * tests of either: gm_parse 302.3M -> 302.5M on the fifth-line sample,
 * 479.0M -> 479.2M on 2.5 MB of WikToR (round_score inlined twice). */
static uint32_t best_candidate(const gm__pipeline *p, const context *c,
                               group *gs, uint32_t gi, const gaz_entry *cont,
                               int within, double *scores, double *best)
{
  group *g = &gs[gi];
  const gm__work *w = g->first;
  double f[GM__N_RESOLVE_FEATURES];
  double top = -INFINITY, in_best = -INFINITY;
  uint32_t chosen = GM_NO_ENTRY, in_chosen = GM_NO_ENTRY;
  int inside_wanted = within && is_region_kind(cont);
  round_group rg;

  fill_round_group(&rg, p, c, gs, gi, cont);

  for (size_t k = 0; k < g->n_usable; k++) {
    gm__candidate *cand = &g->cands[k];
    const gaz_entry *e = cand->entry;
    const gm_posting *ps = &w->postings[cand->posting];
    double s = cand->fixed.n_tail <= FIXED_TAIL
                   ? round_score(&rg, e, cand)
                   : score(p, c, gs, gi, e, ps->how, cont, cand, f);
    if (scores)
      scores[k] = s;
    if (s > top) {
      top = s;
      chosen = ps->entry;
    }
    if (inside_wanted && s > in_best && gm__entry_inside(p, e, cont)) {
      in_best = s;
      in_chosen = ps->entry;
    }
  }
  *best = top;
  if (in_chosen != GM_NO_ENTRY && in_chosen != chosen) {
    *best = in_best;
    chosen = in_chosen;
  }
  return chosen;
}

/* How sure group g's choice is: its probability among the candidates,
 * the softmax of their scores as the last round left them in g->scores
 * (choose), from the sum of exp(score - top), top the best score so far;
 * and, from the same sum, how sure its kind is (g->kind_sure), for a
 * list's member only (listed_kinds reads no other): gm_parse on the
 * fifth-line sample 301.4M (build-m28) -> 303.1M instructions; for every
 * group (and round_features' test for every candidate, not only a list
 * member's), 305.3M; in a function apart for a list's members, with its
 * own exp()s, 303.4M.
 * Only a context collected from a round's choices reads it, so it is
 * computed once that context is sure to be (sure_of_groups): after a
 * round that changed no choice there is none, and its exp() a candidate
 * would be for nothing. Looked at and not done (session 23): no exp()
 * where its value could not change the sum (under 2^-53 of a sum of 1
 * or more): of the 81,300 and 134,446 exp()s of alternatives on the
 * fifth-line sample and 2.5 MB of WikToR none was under 1e-16 (scores
 * lie close), and sure_of's are no smaller (its top is no higher). */
static double sure_of(group *g)
{
  const double *scores = g->scores;
  size_t n = g->n_usable;
  double top, total = 1, kinds[KIND_LEVELS] = {0};

  if (n == 0) {
    for (int l = 0; g->n_listed && l < KIND_LEVELS; l++)
      g->kind_sure[l] = 0;
    return 0;
  }
  /* The first candidate without a call: 0 * exp(-inf) + 1 is 1. Then a
   * loop for a list's member, which sums the kinds too, and one for the
   * rest (most groups), which tests for none of it: the same additions
   * and products in the same order as a loop of both. */
  top = scores[0];
  if (!g->n_listed) {
    for (size_t i = 1; i < n; i++) {
      double s = scores[i];
      if (s > top) {
        total *= exp(top - s);
        top = s;
        total += 1;
      } else {
        total += exp(s - top);
      }
    }
    return total > 0 ? 1 / total : 0;
  }
  kinds[kind_level(g->cands[0].fixed.facts)] = 1;
  for (size_t i = 1; i < n; i++) {
    double s = scores[i], v = 1;
    if (s > top) {
      double f = exp(top - s);
      total *= f;
      for (int l = 0; l < KIND_LEVELS; l++)
        kinds[l] *= f;
      top = s;
    } else {
      v = exp(s - top);
    }
    total += v;
    kinds[kind_level(g->cands[i].fixed.facts)] += v;
  }
  for (int l = 0; l < KIND_LEVELS; l++)
    g->kind_sure[l] = total > 0 ? kinds[l] / total : 0;
  return total > 0 ? 1 / total : 0;
}

/* Every group's sure (sure_of), for the context of the next round. */
static void sure_of_groups(group *gs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    gs[i].sure = sure_of(&gs[i]);
}

/* Group gi's sense under the context c (NULL: none yet) and its score,
 * and every candidate's score in g->scores. */
static void choose(gm__pipeline *p, const context *c, group *gs, uint32_t gi)
{
  group *g = &gs[gi];
  const gaz_entry *cont = container_of(p, gs, g->first);
  double best;
  uint32_t chosen;

  /* One candidate: no round changes the choice, nor how sure it is
   * (1), nor the alternatives (its score less the group's, 0), so the
   * first round's score stands and the context's signals, a PROJ
   * distance among them, are not computed again for nothing. */
  if (c && g->scored && g->n_usable == 1) {
    g->scored_container = cont;
    return;
  }
  chosen = best_candidate(p, c, gs, gi, cont, 0, g->scores, &best);

  /* Set after the loop: country_share discounts the group's own
   * current choice. */
  g->entry = chosen;
  g->score = best;
  g->scored_container = cont;
  g->scored = 1;
}

/* Ask for the memory lines group g's candidates will be read from, all
 * at once, before reading any: their gazetteer entries (in the mapped
 * file), their fixed memo slots (into slots) and their point memo slots
 * (the distance signals locate most). Each is a cache miss more often
 * than not on a long run (the two memos are 1.1 MiB together, the
 * entries spread over the file); asked for one by one, as the reading loop
 * reaches them, their waits add up, and asked for together they
 * overlap. Measured and not kept (session 22): a posting of another
 * role than the mention's (a demonym's for a name) skipped here and in
 * score_space before its entry is read: gm_parse 304.6M -> 305.5M on
 * the fifth-line sample, 483.4M -> 484.9M on 2.5 MB of WikToR. */
static void request_lines(const gm__pipeline *p, const group *g,
                          gm__fixed_slot **slots)
{
  const gm__work *w = g->first;

  for (size_t k = 0; k < n_candidates(g); k++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[k].entry);
    if ((slots[k] = fixed_slot(p, g, k)))
      __builtin_prefetch(slots[k]);
    if (!e)
      continue;
    __builtin_prefetch(e);
    if (p->point_memo)
      __builtin_prefetch(point_slot(p, e));
  }
}

/* Every group's room for its candidates' scores, in p->cand_scores, and
 * what no round changes of them, in p->cands, with their fixed features
 * computed now. */
static int score_space(gm__pipeline *p, group *gs, size_t n)
{
  size_t total = 0;

  for (size_t i = 0; i < n; i++)
    total += n_candidates(&gs[i]);
  if (gm__grow(&p->cand_scores, &p->cap_cand_scores, total ? total : 1,
               sizeof *p->cand_scores) ||
      gm__grow(&p->cands, &p->cap_cands, total ? total : 1,
               sizeof *p->cands))
    return GM_ENOMEM;
  total = 0;
  for (size_t i = 0; i < n; i++) {
    group *g = &gs[i];
    const gm__work *w = g->first;
    gs[i].scores = p->cand_scores + total;
    gs[i].cands = p->cands + total;
    gm__fixed_slot *slots[MAX_CANDIDATES * 4];
    request_lines(p, g, slots);
    for (size_t k = 0; k < n_candidates(g); k++) {
      const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[k].entry);
      gm__candidate *cand = &g->cands[g->n_usable];
      if (!e || !candidate_role(w, k, e))
        continue;
      g->n_usable++;
      cand->entry = e;
      cand->posting = (uint32_t)k;
      candidate_fixed(p, g, k, e, slots[k], &cand->fixed);
      g->has_seat |= cand->fixed.facts & FACT_SEAT;
      cand->known = 0;
    }
    total += n_candidates(g);
  }
  return 0;
}

/* Count entry e, chosen with probability sure, in the resolved groups
 * per country. */
static void count_resolved(context *c, const gaz_entry *e, double sure)
{
  size_t i;
  int slot;

  if (!e->country[0])
    return;
  slot = country_slot(e->country);
  i = resolved_index(c, e->country, slot);
  if (i == MAX_CONTEXT)
    return;
  if (i == c->n_resolved_countries) {
    if (slot >= 0)
      c->resolved_at[slot] = (uint8_t)(i + 1);
    memcpy(c->resolved[i].country, e->country, 2);
    c->resolved[i].groups = 0;
    c->n_resolved_countries++;
  }
  c->resolved[i].groups += sure;
  c->n_resolved += sure;
}

/* Country e into the context's countries (the caller checks there is
 * room). */
static void add_country(context *c, const gaz_entry *e)
{
  int slot = country_slot(e->country);

  if (slot >= 0)
    c->named_country[slot] = 1;
  memcpy(c->countries[c->n_countries++], e->country, 2);
  c->country_mask |= gm__country_bit(e->country);
}

/* Admin-1 unit e into the context's units (the caller checks there is
 * room). */
static void add_admin1(context *c, const gaz_entry *e, uint32_t group)
{
  uint32_t bit = gm__admin1_bit(e->country, e->admin1, ADMIN1_MASK_BITS);

  c->admin1[c->n_admin1].group = group;
  memcpy(c->admin1[c->n_admin1].country, e->country, 2);
  c->admin1[c->n_admin1++].admin1 = e->admin1;
  c->admin1_mask[bit >> 6] |= (uint64_t)1 << (bit & 63);
}

/* The countries and admin-1 units e, group's choice (GM_NO_ENTRY: the
 * caller's), names (a composite region: its members'). */
static void add_regions(const gm__pipeline *p, context *c, const gaz_entry *e,
                        uint32_t group)
{
  const gaz_region *r;

  if (gm__gaz_is_country(e) && c->n_countries < MAX_CONTEXT) {
    add_country(c, e);
  } else if (gm__gaz_is_admin1(e) && c->n_admin1 < MAX_CONTEXT) {
    add_admin1(c, e, group);
  } else if ((r = composite_of(p, e))) {
    for (size_t m = 0; m < r->n_members; m++) {
      const gaz_entry *me = member_entry(p, r, m);
      if (!me)
        continue;
      if (gm__gaz_is_admin1(me) && c->n_admin1 < MAX_CONTEXT)
        add_admin1(c, me, group);
      else if (gm__gaz_is_country(me) && c->n_countries < MAX_CONTEXT)
        add_country(c, me);
    }
  }
}

/* Entry e (index entry) of group as anchor an. */
static void set_anchor(const gm__pipeline *p, anchor *an, const gaz_entry *e,
                       uint32_t entry, uint32_t group)
{
  gm__candidate point = {.known = 0};

  locate(p, e, &point);
  an->lat = lat_of(e);
  an->lon = lon_of(e);
  memcpy(an->xyz, point.xyz, sizeof point.xyz);
  an->entry = entry;
  an->group = group;
}

/* A place (not a region) as an anchor of the distance signal; group is
 * GM_NO_ENTRY for the article's places outside caller-given spans. */
static void add_anchor(const gm__pipeline *p, context *c, const gaz_entry *e,
                       uint32_t entry, uint32_t group)
{
  if (c->n_anchors >= MAX_ANCHORS || gm__entry_is_region(e))
    return;
  set_anchor(p, &c->anchors[c->n_anchors++], e, entry, group);
}

/* The admin-2 units among the candidates of groups gs[0..n), in text
 * order up to MAX_ADMIN2, into c->admin2: whichever sense a county's
 * name takes, the places near any of them are more likely meant. */
static void find_admin2(const gm__pipeline *p, const group *gs, size_t n,
                        context *c)
{
  c->n_admin2 = 0;
  for (size_t i = 0; i < n; i++) {
    const gm__work *w = gs[i].first;
    for (size_t k = 0; k < gs[i].n_usable; k++) {
      const gaz_entry *e = gs[i].cands[k].entry;
      if (!gm__gaz_is_admin2(e))
        continue;
      if (c->n_admin2 == MAX_ADMIN2)
        return;
      set_anchor(p, &c->admin2[c->n_admin2++], e,
                 w->postings[gs[i].cands[k].posting].entry, (uint32_t)i);
    }
  }
}

/* Clear the context's tables by country of its lists' countries, as the
 * lists are emptied. */
static void forget_countries(context *c)
{
  int slot;

  for (size_t i = 0; i < c->n_countries; i++)
    if ((slot = country_slot(c->countries[i])) >= 0)
      c->named_country[slot] = 0;
  for (size_t i = 0; i < c->n_resolved_countries; i++)
    if ((slot = country_slot(c->resolved[i].country)) >= 0)
      c->resolved_at[slot] = 0;
}

/* The context of a round: every kept group's choice counts, whatever
 * its recognition and however it was reached. Tried, not kept (session
 * 23, ev.sh against 902b19f):
 * - groups recognised below 0.5 left out (as they are of the anchors):
 *   only the gold spans move, TR-News gold acc@161 0.9051 -> 0.9043;
 * - groups whose mention is a feature's name answered by the name inside
 *   (w->partial: WoTR's "CAMP NELSON" -> Nelson, New Zealand, which
 *   then makes "Richmond" New Zealand's) left out of the countries,
 *   units and anchors: GeoCorpora 0.9029 -> 0.9034 but WoTR 0.8027 ->
 *   0.7986, WikToR 0.7425 -> 0.7415, TR-News gold 0.9051 -> 0.9020;
 * - only out of country_share's counts: acc@161 the same everywhere
 *   (WoTR's two Richmonds right, its two Stono Rivers wrong), WoTR mean
 *   425 -> 397 km, WikToR accuracy 0.8567 -> 0.8566; counted at 0.35
 *   (their confidence): acc@161 the same, WoTR mean 425 -> 432 km;
 * - a group whose choice is a country left out of country_share's
 *   counts (country_context has it already: "Russia's troops shelled
 *   Donetsk" puts Donetsk in Russia by both, 6.4 against the seat's
 *   4.0): TUD-Loc 0.9397 -> 0.9358, TR-News 0.9122 -> 0.9112, WikToR
 *   0.7425 -> 0.7399, GeoCorpora 0.9029 -> 0.9034; bench/fit-resolver
 *   on it (not written) put the right candidate first on TR-News,
 *   TUD-Loc, GeoCorpora, WikToR 0.958/0.969/0.943/0.966 of the time,
 *   against 0.966/0.969/0.944/0.971 with main's code and weights;
 * - demonym groups out of the context (or only out of country_share's
 *   counts: the same figures): GeoCorpora 0.9029 -> 0.9047 ("Pro-Russian
 *   rebels in Donetsk", "an American fighting for Pro-Moscow rebels":
 *   the demonym names an actor, 4 right, Holland Township 1 wrong), but
 *   WikToR 0.7425 -> 0.7422 (11 right, 17 wrong: "a Canadian town",
 *   "Turkish" Aksu: there the demonym says where), the rest the same. */
static void collect_context(const gm__pipeline *p, group *gs, size_t n,
                            context *c)
{
  /* Every list is read only up to its count: emptying the counts
   * empties the context (a memset of its 5 KB cost more, every round). */
  forget_countries(c);
  c->n_countries = c->n_admin1 = c->n_anchors = 0;
  c->country_mask = 0;
  memset(c->admin1_mask, 0, sizeof c->admin1_mask);
  c->n_resolved_countries = c->n_resolved = 0;
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, gs[i].entry);
    gs[i].counted = GM_NO_ENTRY;
    if (!e)
      continue;
    count_resolved(c, e, gs[i].sure);
    gs[i].counted = gs[i].entry;
    gs[i].counted_sure = gs[i].sure;
    add_regions(p, c, e, (uint32_t)i);
  }
  /* Anchors: the most confidently recognised places (not regions). */
  for (size_t i = 0; i < n; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, gs[i].entry);
    if (e && gs[i].recog >= 0.5)
      add_anchor(p, c, e, gs[i].entry, (uint32_t)i);
  }
  for (size_t i = 0; i < p->n_context_entries; i++) {
    uint32_t entry = p->context_entries[i].entry;
    const gaz_entry *e = gm__gaz_entry(p->gaz, entry);
    if (!e)
      continue;
    count_resolved(c, e, 1);
    add_regions(p, c, e, GM_NO_ENTRY);
    add_anchor(p, c, e, entry, GM_NO_ENTRY);
  }
  box_of(c->anchors, c->n_anchors, &c->anchors_box);
}

/* Keep alternative k's resolution signals (for explain_alternatives):
 * in p->alt_reasons, found by p->alt_reason_start[k]; parse.c turns
 * them into pointers when it makes the result. */
static int explain_alternative(gm__pipeline *p, size_t k, const double *f)
{
  gm_reason r[GM__MAX_REASONS];
  size_t n = feature_reasons(f, r, GM__MAX_REASONS);

  if (gm__grow(&p->alt_reasons, &p->cap_alt_reasons, p->n_alt_reasons + n,
               sizeof *p->alt_reasons) ||
      gm__grow(&p->alt_reason_start, &p->cap_alt_reason_start, k + 1,
               sizeof *p->alt_reason_start))
    return GM_ENOMEM;
  p->alt_reason_start[k] = p->n_alt_reasons;
  memcpy(p->alt_reasons + p->n_alt_reasons, r, n * sizeof *r);
  p->n_alt_reasons += n;
  p->alts[k].n_reasons = n;
  return 0;
}

/* Whether mention w's candidates are its group g's (g->cands): the same
 * postings, a demonym or not alike. */
static int same_candidates(const group *g, const gm__work *w)
{
  return w->n_postings == g->first->n_postings &&
         w->postings == g->first->postings &&
         (w->role == GM_ROLE_DEMONYM) == (g->first->role == GM_ROLE_DEMONYM);
}

/* Posting i of mention w's entry when it can be w's sense, else NULL. */
static const gaz_entry *usable_entry(const gm__pipeline *p, const gm__work *w,
                                     size_t i)
{
  const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[i].entry);

  return e && candidate_role(w, i, e) ? e : NULL;
}

/* Alternative x (a candidate's exp, not yet divided by the sum), of
 * entry entry, found at j of alternatives' loop, into the best max so
 * far, top[0..*n_top), largest x first, of equals the earlier. */
static inline void rank_alternative(gm_alternative *top, size_t *from,
                                    size_t *n_top, size_t max,
                                    uint32_t entry, double x, size_t j)
{
  size_t k;

  for (k = *n_top; k > 0 && top[k - 1].score < x; k--)
    if (k < max) {
      top[k] = top[k - 1];
      from[k] = from[k - 1];
    }
  if (k < max) {
    top[k] = (gm_alternative){.entry = entry, .score = x};
    from[k] = j;
    if (*n_top < max)
      (*n_top)++;
  }
}

/* Alternatives as probabilities (softmax of the scores), best first.
 * Measured and not kept (session 20): exp(0), 1 to the bit, taken
 * without the call for the candidate whose score is the group's: the
 * test for every candidate cost more than the calls it saved (319.4M ->
 * 319.5M on the fifth-line sample, 499.7M -> 500.0M on 2.5 MB of
 * WikToR). */
static int alternatives(gm__pipeline *p, const context *c, group *gs,
                        uint32_t gi, gm__work *w)
{
  size_t max = p->opt.max_alternatives ? p->opt.max_alternatives : 3;
  const gaz_entry *cont = container_of(p, gs, w);
  gm_alternative top[GM__MAX_ALTERNATIVES];
  size_t from[GM__MAX_ALTERNATIVES];   /* where the loop found each top
                                          entry: its j */
  size_t n_top = 0;
  double sum = 0, f[GM__N_RESOLVE_FEATURES];
  /* The group's candidates (gs[gi].cands) are w's: the last round's
   * scores serve when the container is the same too, and under another
   * one the candidates' fixed features still do (round_score). */
  int same = same_candidates(&gs[gi], w);
  int reuse = same && gs[gi].scored && gs[gi].scored_container == cont;
  size_t n = same ? gs[gi].n_usable
                  : w->n_postings < MAX_CANDIDATES * 4 ? w->n_postings
                                                       : MAX_CANDIDATES * 4;
  /* Only a score not reused reads it: found only then (most groups
   * reuse theirs, and finding it cost 4.8M of the 1,965M instructions
   * of a GeoJSON run over 10 MB). */
  round_group rg;

  if (!reuse)
    fill_round_group(&rg, p, c, gs, gi, cont);

  if (max > GM__MAX_ALTERNATIVES)
    max = GM__MAX_ALTERNATIVES;
  /* The group's candidates, or else w's postings that can be its sense:
   * the same entries in the same (posting) order either way. The last
   * round's scores (most groups) in a loop of their own, which asks
   * nothing else of a candidate: the same numbers in the same order. */
  if (reuse) {
    const group *g = &gs[gi];
    double best = g->score;
    for (size_t j = 0; j < n; j++) {
      double x = exp(g->scores[j] - best);
      sum += x;
      rank_alternative(top, from, &n_top, max,
                       w->postings[g->cands[j].posting].entry, x, j);
    }
  }
  for (size_t j = 0; !reuse && j < n; j++) {
    gm__candidate *cand = same ? &gs[gi].cands[j] : NULL;
    size_t i = cand ? cand->posting : j;
    const gaz_entry *e = cand ? cand->entry : usable_entry(p, w, i);
    double x;
    if (!e)
      continue;
    /* w's postings are its group's first mention's: the same name. */
    x = exp((cand && cand->fixed.n_tail <= FIXED_TAIL
                 ? round_score(&rg, e, cand)
                 : score(p, c, gs, gi, e, w->postings[i].how, cont, cand,
                         f)) -
            gs[gi].score);
    sum += x;
    rank_alternative(top, from, &n_top, max, w->postings[i].entry, x, j);
  }
  w->alt_start = p->n_alts;
  w->n_alts = n_top;
  if (gm__grow(&p->alts, &p->cap_alts, p->n_alts + n_top, sizeof *p->alts))
    return GM_ENOMEM;
  for (size_t k = 0; k < n_top; k++) {
    size_t at = p->n_alts++;
    top[k].score /= sum;
    p->alts[at] = top[k];
    if (p->opt.explain_alternatives) {
      gm__candidate *cand = same ? &gs[gi].cands[from[k]] : NULL;
      const gm_posting *ps = &w->postings[cand ? cand->posting : from[k]];
      features(p, c, gs, gi, gm__gaz_entry(p->gaz, ps->entry), ps->how, cont,
               cand, f);
      if (explain_alternative(p, at, f))
        return GM_ENOMEM;
    }
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
    if (**v == *w && strcmp(w, *v) == 0)
      return 1;
  return 0;
}

/* The first of w's postings that reaches entry, or w->n_postings. */
static size_t posting_of(const gm__work *w, uint32_t entry)
{
  size_t i = 0;

  while (i < w->n_postings && w->postings[i].entry != entry)
    i++;
  return i;
}

/* What the rounds keep of posting i of mention w as a candidate of its
 * group g, or NULL when w's candidates are not g's or i is none of them. */
static gm__candidate *kept_candidate(group *g, const gm__work *w, size_t i)
{
  if (!same_candidates(g, w))
    return NULL;
  /* In posting order: past i, none is. */
  for (size_t k = 0; k < g->n_usable && g->cands[k].posting <= i; k++)
    if (g->cands[k].posting == i)
      return &g->cands[k];
  return NULL;
}

/* Mention w's resolution signals for its chosen entry into r, and how
 * many: none when the caller reads no reasons (without_reasons), which
 * saves computing the features once more. */
static size_t sense_reasons(gm__pipeline *p, const context *c, group *gs,
                            const gm__work *w, const gaz_entry *cont,
                            gm_reason *r)
{
  double f[GM__N_RESOLVE_FEATURES];
  size_t i;

  if (p->opt.without_reasons)
    return 0;
  i = posting_of(w, w->entry);
  features(p, c, gs, w->group, gm__gaz_entry(p->gaz, w->entry),
           i < w->n_postings ? w->postings[i].how : GM_HOW_NAME, cont,
           kept_candidate(&gs[w->group], w, i), f);
  return feature_reasons(f, r, GM__MAX_REASONS);
}

/* Mention w's resolution reasons and alternatives. The group's other
 * mentions with the same postings, container and role get the same ones
 * (a function of those, the group and the context): they are computed
 * for the first and copied for the rest, which share its alternatives
 * in p->alts. */
static int explain_sense(gm__pipeline *p, const context *c, group *gs,
                         gm__work *w)
{
  group *g = &gs[w->group];
  const gaz_entry *cont = container_of(p, gs, w);
  int demonym = w->role == GM_ROLE_DEMONYM, rc;
  gm_reason r[GM__MAX_REASONS];
  size_t n_r;

  if (g->explained && g->ex_postings == w->postings &&
      g->ex_n_postings == w->n_postings && g->ex_container == cont &&
      g->ex_demonym == demonym) {
    for (size_t k = 0; k < g->ex_n_reasons; k++) {
      const gm_reason *x = &p->sense_reasons[g->ex_reasons + k];
      gm__reason(w, x->signal, x->value, x->weight);
    }
    w->alt_start = g->ex_alt_start;
    w->n_alts = g->ex_n_alts;
    return 0;
  }
  n_r = sense_reasons(p, c, gs, w, cont, r);
  for (size_t k = 0; k < n_r; k++)
    gm__reason(w, r[k].signal, r[k].value, r[k].weight);
  if ((rc = alternatives(p, c, gs, w->group, w)))
    return rc;
  if (gm__grow(&p->sense_reasons, &p->cap_sense_reasons,
               p->n_sense_reasons + n_r, sizeof *p->sense_reasons))
    return GM_ENOMEM;
  if (n_r)   /* no room is allocated for none: memcpy takes no NULL */
    memcpy(p->sense_reasons + p->n_sense_reasons, r, n_r * sizeof *r);
  g->explained = 1;
  g->ex_postings = w->postings;
  g->ex_n_postings = w->n_postings;
  g->ex_container = cont;
  g->ex_demonym = demonym;
  g->ex_reasons = p->n_sense_reasons;
  g->ex_n_reasons = n_r;
  g->ex_alt_start = w->alt_start;
  g->ex_n_alts = w->n_alts;
  p->n_sense_reasons += n_r;
  return 0;
}

int gm__resolve(gm__pipeline *p)
{
  group *gs;
  size_t n;
  context *c;
  int rc;

  /* The context's room is the parser's, kept from one article to the
   * next like the groups'; its lists empty (calloc) at first. */
  if (!p->context && !(p->context = calloc(1, sizeof *p->context)))
    return GM_ENOMEM;
  c = p->context;
  if ((rc = make_groups(p, &gs, &n)))
    return rc;
  c->far_signal = log1p(DISTANCE_CAP_KM / 20.0);
  p->n_alts = 0;
  p->n_alt_reasons = 0;
  p->n_sense_reasons = 0;
  /* Room for remembered features and points, all empty (without room,
   * they are computed each time). Both are calloc'd: the kernel's zero
   * pages are empty slots, and a short text touches few of them (a
   * memset of the fixed slots' 2 MiB cost a fresh process on a 2 KB
   * article 0.9 of its 6.6 ms). A fixed slot is a cache line when the
   * table starts on one, and a large calloc'd block starts 16 bytes past
   * a page: the table starts at the block's first whole line. */
  if (!p->fixed_block &&
      (p->fixed_block = calloc(1, (sizeof *p->fixed_memo
                                   << GM__FIXED_SLOT_BITS) + 63)))
    p->fixed_memo =
        (gm__fixed_slot *)(((uintptr_t)p->fixed_block + 63) & ~(uintptr_t)63);
  if (!p->point_memo)
    p->point_memo =
        calloc((size_t)1 << GM__POINT_SLOT_BITS, sizeof *p->point_memo);
  if ((rc = score_space(p, gs, n)))
    return rc;
  for (size_t i = 0; i < n; i++)
    choose(p, NULL, gs, (uint32_t)i);
  sure_of_groups(gs, n);
  find_admin2(p, gs, n, c);
  box_of(c->admin2, c->n_admin2, &c->admin2_box);
  /* Each round reads the round before's choices of every group (a
   * Jacobi update), and the rounds do not in general reach a fixed
   * point: 10 context rounds against 11 change 297 predictions on
   * WikToR, 84 on Ju2016, 11 TUD-Loc, 8 GeoCorpora, 3 TR-News, 3 WoTR
   * (session 21, the count made settable in a scratch build), so the
   * answers are those of the round count's parity. Two causes, seen by
   * tracing each changed group's round features:
   * - a group's own choice as its own context: "New York" the state
   *   puts NY in admin1_context, which the city gets next round, and
   *   the city's round drops it again (has_admin1 skips the group's own
   *   unit for a seat only); so Sirak, Aisen, "NY"; the same through
   *   country_context, rarely;
   * - two groups each taking the candidate near the other's last
   *   choice (distance_to_other_places, near_named_admin2,
   *   country_share): (a0, b0) -> (a1, b1) -> (a0, b0), Montgomery and
   *   Greenville, Queenstown and Alice.
   * Tried and not kept (the weights as fitted; pdiff of the seven
   * corpora's predictions against 22275ae, right->wrong / wrong->right
   * at 161 km):
   * - no group's own choice as its context (admin-1 units and countries
   *   for every group), 2 rounds: 10 against 11 rounds' changes WikToR
   *   297 -> 208, TUD-Loc 11 -> 3, GeoCorpora 8 -> 2, TR-News and WoTR
   *   3 -> 0; but TUD-Loc 4/0 (acc@161 0.9502 -> 0.9488: "New York"
   *   stays the state, and Lima, Boston, Hartford in its list of
   *   consulates go to New York State), WoTR 1/0, Ju2016 2/0;
   * - Gauss-Seidel sweeps in text order, each group reading the
   *   choices already made in its sweep (the context collected again
   *   after each change), until a sweep changes nothing (8 and 16
   *   sweeps: the same answers but for WikToR's "New York", the
   *   self-context cycle): WikToR 3/28 (0.7417 -> 0.7428), Ju2016 2/11
   *   (0.156 -> 0.1583), but TR-News 1/0 ("Montana and Wyoming":
   *   Wyoming a town), TR-News gold spans 0.9051 -> 0.9043, TUD-Loc 2/0
   *   (Santiago, Chile -> Cuba; 0.9502 -> 0.9495, mean 85.3 -> 89.5 km),
   *   GeoCorpora 1/0 (Queenstown; 0.9097 -> 0.9093), WoTR 1/0 ("New
   *   York" the state; 0.8528 -> 0.8521); gm_parse +6.8M instructions
   *   on the fifth-line sample, +5.3M on 2.5 MB of WikToR (callgrind,
   *   against the same scratch build's 2 Jacobi rounds);
   * - both: a true fixed point (8 and 16 sweeps identical on all seven
   *   corpora), but TUD-Loc 7/0 (0.9477, mean 97.0 km), and the rest as
   *   Gauss-Seidel's; refitted with bench/fit-resolver on it, worse:
   *   TR-News gold 0.8973, WikToR 0.7410, WoTR 0.8513, TUD-Loc 0.9499
   *   (the fit moves main's own weights as far: kind_capital 0.48 ->
   *   0.00, most_populous 1.11 -> 1.58, admin1_context 3.83 -> 3.44);
   * - Gauss-Seidel surest group first (softmax of the context-free
   *   round): TUD-Loc 4/0 (0.9488), WikToR 3/14, Ju2016 4/5;
   * - these Jacobi rounds until none changes a choice, and on a
   *   2-cycle (every choice that of two rounds before) the round of
   *   the two whose choices' scores add up to more (one more round
   *   when it is the earlier): the same answers at caps 16 and 32 on
   *   all seven corpora; WikToR 3/19 (0.7417 -> 0.7424), TR-News,
   *   TUD-Loc, WoTR, Ju2016 as many right->wrong as wrong->right, but
   *   GeoCorpora 3/1 (0.9097 -> 0.9088: "NY" the city twice, Arizona);
   *   most changes are "New York", whose city earns its own
   *   admin1_context in the cycle; gm_parse +7.8M instructions on the
   *   fifth-line sample, +14.0M on 2.5 MB of WikToR (+2.5 %, +2.9 %).
   * Odd round counts (3, 5) score better on WikToR (0.7427), Ju2016,
   * TR-News (0.9139) and worse on GeoCorpora (0.9088) and TUD-Loc's
   * mean (89.4 km): the parity, not the evidence. */
  for (int round = 0; round < CONTEXT_ROUNDS; round++) {
    int changed = 0;
    collect_context(p, gs, n, c);
    for (size_t i = 0; i < n; i++) {
      uint32_t before = gs[i].entry;
      choose(p, c, gs, (uint32_t)i);
      changed |= gs[i].entry != before;
    }
    /* A round that changed no choice leaves the context as it found it,
     * so the next would repeat it exactly. */
    if (!changed)
      break;
    if (round + 1 < CONTEXT_ROUNDS)
      sure_of_groups(gs, n);
  }
  for (size_t i = 0; rc == 0 && i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    group *g;
    const gaz_entry *e, *cont;
    double best;
    if (!w->keep)
      continue;
    g = &gs[w->group];
    w->entry = g->entry;
    /* A container of its own, other than the group's ("Portland, Maine"
     * after a bare "Portland" that chose Oregon): the group's best
     * candidate under it. One sense per discourse holds where the text
     * gives no container; an explicit one outranks it for its mention. */
    cont = container_of(p, gs, w);
    e = gm__gaz_entry(p->gaz, w->entry);
    if (cont && (cont != g->scored_container ||
                 (e && is_region_kind(cont) && !gm__entry_inside(p, e, cont))))
      w->entry = best_candidate(p, c, gs, w->group, cont, 1, NULL, &best);
    e = gm__gaz_entry(p->gaz, w->entry);
    if (!e)
      continue;
    /* "X in Y", "X, Y" where the gazetteer has no X inside Y: the place
     * meant is not in the gazetteer; better no answer than a wrong one
     * (unless the caller asks for an answer for every span). */
    if (cont && !p->spans && is_region_kind(cont) &&
        !gm__entry_inside(p, e, cont)) {
      w->entry = GM_NO_ENTRY;
      continue;
    }
    rc = explain_sense(p, c, gs, w);
    w->confidence = (w->n_alts ? p->alts[w->alt_start].score : 0) /
                    w->recog_inverse;
    if (w->role != GM_ROLE_DEMONYM)
      w->role = gm__entry_is_region(e) ? GM_ROLE_REGION : GM_ROLE_PLACE;
    /* "Moscow denied", "Ukraine said": a capital or country as the
     * subject of a verb of saying; not "officials in Kyiv say". */
    if ((gm__gaz_is_country(e) || GM__FCODE_IS(e, "PPLC")) &&
        w->tok_end < p->tokens.n &&
        is_speech_verb(gm__token_norm(&p->tokens, w->tok_end)) &&
        !(w->cues & GM__CUE_AFTER_PREPOSITION))
      w->role = GM_ROLE_METONYM;
  }
  return rc;
}
