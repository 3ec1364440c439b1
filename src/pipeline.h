/*
 * pipeline.h — the stages of a parse and the record they pass along.
 *
 *   text_token.c     text -> tokens (normalised, with case and separators)
 *   text_sentence.c  tokens -> sentences
 *   match_names.c    tokens -> candidate names (longest gazetteer match)
 *   recog_place.c    candidate -> is it a place here? (scored features)
 *   resolve_context.c place -> which entry? (candidates scored in context)
 *   parse.c          runs the stages, owns the work space and the result
 *
 * Each stage reads what the ones before it wrote into gm__work and adds
 * its own fields; none reaches back.
 */
#ifndef GM_PIPELINE_H
#define GM_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "gaz_reader.h"
#include "internal.h"

#define GM__MAX_REASONS 24
#define GM__MAX_ALTERNATIVES GM_MAX_ALTERNATIVES
#define GM__MAX_NAME_TOKENS 8
#define GM__POINT_SLOT_BITS 14
/* 2^15 fixed slots (2 MiB): a 10 MB archive has more names' candidates
 * than 2^13 slots held, and a miss costs the candidate's features again
 * (whole one-thread run 2,246M -> 2,222M instructions, parse_speed on
 * 100 MB no slower; +1.5 MiB a parser). */
#define GM__FIXED_SLOT_BITS 15

typedef struct gm__sentence {
  size_t tok_start, tok_end;  /* tokens */
  size_t start, end;          /* bytes */
  size_t cp_start, cp_end;
} gm__sentence;

/* One candidate mention as it moves through the stages. */
/* A place found in the article: its entry and where its text starts. */
typedef struct gm__placed {
  uint32_t entry;
  size_t start;                   /* byte offset */
} gm__placed;

/* A place a span may be put at (parse.c's nearest_place): its entry,
 * where its text starts, and its rank among the candidates, which
 * settles a tie of two at one start. */
typedef struct gm__nearby {
  size_t start;
  uint32_t entry, rank;
} gm__nearby;

typedef struct gm__work {
  /* match */
  size_t tok_start, tok_end;      /* tokens [start, end) */
  const gm_posting *postings;
  size_t n_postings;
  size_t span_tokens;             /* tokens of the mention's text: the
                                     name plus a suffix ("Metcalfe County") */
  size_t lead_tokens;             /* tokens of the mention's text before
                                     the name ("Hottentots Holland
                                     Mountains": recog_place.c's
                                     take_feature_names) */
  int trailing_period;            /* the text ends with an abbreviation's
                                     period ("U.S.", "Ky.") */
  int partial;                    /* a caller's span of which only a part
                                     is a name ("Xavier University") */
  uint32_t sentence;
  /* recognise */
  double recog_logit;
  int keep;                       /* recognised as a place mention */
  gm_role role;
  unsigned cues;                  /* GM__CUE_* found around it */
  int region_or_demonym;          /* a posting names a region or is a
                                     demonym: the match may say which
                                     country or unit the text is about */
  gm_reason reasons[GM__MAX_REASONS];
  size_t n_reasons;
  uint64_t recog_features;        /* bit f: reasons holds the recogniser's
                                     feature f (recog_place.c) */
  /* resolve */
  double recog_inverse;           /* 1 + exp(-recog_logit), one over the
                                     recognition probability, when kept:
                                     computed once (make_groups) for the
                                     group's and the confidence's */
  uint32_t group;                 /* mentions resolved as one sense */
  int32_t container;              /* the Y of "X, Y", or -1 */
  uint32_t entry;                 /* GM_NO_ENTRY until resolved */
  double confidence;
  size_t alt_start, n_alts;       /* into gm__pipeline.alts */
} gm__work;

/* Whether a posting's name is its entry's own (GeoNames' name or its
 * ASCII form), not an alternate name, a code or a demonym. */
static inline int gm__by_own_name(unsigned how)
{
  return how == GM_HOW_NAME || how == GM_HOW_ASCII;
}

/* The filters that spare a pass over the text's countries and admin-1
 * units (recog_place.c's document_features, resolve_context.c's
 * context): country cc's bit in a 64-bit set, and admin-1 unit admin1's
 * place in a set of 2^bits, the country mixed in before the multiply as
 * a unit's code ("05") is one interned string in many countries. */
static inline uint64_t gm__country_bit(const char cc[2])
{
  return (uint64_t)1
         << (((unsigned char)cc[0] * 7u + (unsigned char)cc[1]) & 63);
}

static inline uint32_t gm__admin1_bit(const char cc[2], uint32_t admin1,
                                      unsigned bits)
{
  uint32_t key = admin1 ^ ((uint32_t)(unsigned char)cc[0] << 24) ^
                 ((uint32_t)(unsigned char)cc[1] << 16);
  return (key * 0x9E3779B1u) >> (32 - bits);
}

/* Cues the recogniser finds that the resolver uses too. */
enum {
  GM__CUE_ADMIN_SUFFIX = 1 << 0,  /* "Donetsk region", "Kent county" */
  GM__CUE_CITY_SUFFIX = 1 << 1,   /* "Kansas City" is a name; "X city" */
  GM__CUE_CONTAINER = 1 << 2,     /* followed by ", Y" with Y a region */
  GM__CUE_AFTER_PREPOSITION = 1 << 3, /* "in X", "near X" */
  GM__CUE_ABBREVIATION = 1 << 4   /* a region's abbreviation with its
                                     period: "La.", "Ont.", "MO.," */
};

/* One remembered answer of the name index (matcher): the same
 * capitalised words ("The", "He", a name said again) are looked up over
 * and over, and each probe of the index is a cache miss or two. Valid for
 * the parser's gazetteer, which does not change. */
#define GM__PROBE_SLOTS 16384
#define GM__PROBE_KEY 22
typedef struct gm__probe_slot {
  const gm_posting *postings;
  const gaz_word *word;           /* the lexicon's, once word_known */
  uint32_t n_postings;
  uint8_t len;                    /* of the key; 0 = an empty slot */
  uint8_t prefix;
  uint8_t word_known;
  char key[GM__PROBE_KEY];
} gm__probe_slot;                 /* 48 bytes */

/* The names a parser looks up before it has the gazetteer build its
 * keys' filter (gm__gaz_filter_build): the scan of the whole index
 * (about 11 ms, most of it first touches of the mapped slots) pays only
 * over some 30 MB of text. After 262,144 names (about 6 MB of news) it
 * cost TUD-Loc's and WoTR's texts repeated ten times (6 and 4 MB) 5-10 %
 * of their time, for 1-2 % gained on the 100 MB archive; after 2^20
 * (about 25 MB) runs that short never build it. */
#define GM__FILTER_AFTER 1048576

/* One remembered entry position (resolver): cos(lat) and the point on
 * the ellipsoid, as the distance signal uses them; a function of the
 * entry alone. */
typedef struct gm__point_slot {
  uint32_t entry_1;               /* its entry's index + 1; 0: empty
                                     (calloc'd) */
  double cos_lat;
  double xyz[3];
} gm__point_slot;

/* One remembered log10(1 + n) (recogniser): of a population or a word's
 * count, which the same names bring back article after article. A slot
 * fresh from calloc (n = 0, 0.0) holds the right answer for 0. */
#define GM__LOG_SLOT_BITS 12
typedef struct gm__log_slot {
  uint32_t n;
  double log;
} gm__log_slot;

/* One remembered answer of what a posting list can name (recogniser).
 * 2^12 slots (224 KiB, and the log memo 64 KiB): 2^10 left a third of
 * the matches of bench/'s archive to read their postings again. */
#define GM__KINDS_SLOT_BITS 12
typedef struct gm__kinds_slot gm__kinds_slot;

/* One remembered set of a candidate's fixed features (resolver). */
typedef struct gm__fixed_slot gm__fixed_slot;

/* The resolver's record of one candidate entry, of one group of
 * mentions, and of an article's context (resolve_context.c). */
typedef struct gm__candidate gm__candidate;
typedef struct gm__group gm__group;
typedef struct gm__context gm__context;

typedef struct gm__pipeline {
  const gm_gazetteer *gaz;
  const char *text;               /* the article being parsed */
  int spans;                      /* resolving caller-given spans */
  int uncased;                    /* the text has no capital letter (a
                                     lower-cased corpus, some tweets):
                                     case says nothing about names */
  size_t text_len;
  gm_parse_options opt;
  gm__tokens tokens;
  gm__sentence *sentences;
  size_t n_sentences, cap_sentences;
  gm__work *work;
  size_t n_work, cap_work;
  gm__buf key;                    /* matcher's key of two or more tokens */
  const char *key_text;           /* the key: key.data, or a one-token
                                     key's normalised form in tokens */
  size_t key_len;
  uint64_t key_hash;              /* gm__hash of the key */
  gm__probe_slot *probes;         /* GM__PROBE_SLOTS, or NULL */
  size_t gaz_probes;              /* names looked up (postings) */
  gm_alternative *alts;
  size_t n_alts, cap_alts;
  /* explain_alternatives: the alternatives' reasons, alts[k]'s from
   * alt_reason_start[k] (pointers are made with the result) */
  gm_reason *alt_reasons;
  size_t n_alt_reasons, cap_alt_reasons;
  /* Places and regions the resolver takes as context only: the regions
   * named inside organisations' names, and, resolving caller-given
   * spans, the article's other places, found by a parse of the whole
   * text. */
  gm__placed *context_entries;
  size_t n_context_entries, cap_context_entries;
  /* The places a span not named may be put at (parse.c's
   * locate_by_context): towns and the like, then regions, each by
   * where its text starts. */
  gm__nearby *nearby;
  size_t cap_nearby;
  size_t *alt_reason_start;
  size_t cap_alt_reason_start;
  double *cand_scores;            /* resolver's work space: the last
                                     round's score of each candidate */
  size_t cap_cand_scores;
  gm__candidate *cands;           /* and what the rounds keep of each */
  size_t cap_cands;
  gm__group *groups;              /* the article's groups of mentions */
  size_t cap_groups;
  uint32_t *group_slots;          /* and the hash table that makes them */
  size_t cap_group_slots;
  gm__context *context;           /* NULL until the first article */
  gm_reason *sense_reasons;       /* each group's resolution reasons */
  size_t n_sense_reasons, cap_sense_reasons;
  gm__point_slot *point_memo;     /* 2^GM__POINT_SLOT_BITS, or NULL:
                                     entry positions, direct-mapped */
  gm__fixed_slot *fixed_memo;     /* 2^GM__FIXED_SLOT_BITS, or NULL:
                                     candidates' fixed features, a
                                     cache line each (2 MiB), in: */
  void *fixed_block;              /* its allocation */
  gm__log_slot log_memo[1 << GM__LOG_SLOT_BITS];   /* direct-mapped */
  gm__kinds_slot *kinds_memo;     /* 2^GM__KINDS_SLOT_BITS, or NULL:
                                     what posting lists can name */
} gm__pipeline;

int gm__sentences(gm__pipeline *p, const char *text, size_t len);
int gm__match_names(gm__pipeline *p, const char *text);
/* Postings for the tokens [a, b) alone (for caller-given spans): of the
 * name they make, else of the longest name inside them (w->partial). */
int gm__match_span(gm__pipeline *p, size_t a, size_t b, gm__work *w);
/* Whether two matches are the same normalised name ("Kyiv", "KYIV"). */
int gm__same_name(const gm__pipeline *p, const gm__work *a, const gm__work *b);
/* gm__gaz_word of token i's normalised form, through the matcher's cache
 * of the index's answers when the word is there. */
const gaz_word *gm__token_word(const gm__pipeline *p, size_t i);
/* Whether a normalised word is a compass or position word ("northern",
 * "central"): the recogniser weighs one standing alone, the matcher joins
 * one to the region after it ("Northern Italy"). */
int gm__compass_word(const char *norm);
void gm__recognise(gm__pipeline *p, const char *text);
/* Append to p->context_entries the regions named inside organisations'
 * names ("U. S. Forces", "DISTRICT OF FLORIDA"): no mentions, but they
 * say where the text is, for the resolver as for the recogniser. */
int gm__organisation_regions(gm__pipeline *p);
int gm__resolve(gm__pipeline *p);

/* Append a reason to a mention (ignored past GM__MAX_REASONS). */
void gm__reason(gm__work *w, const char *signal, double value,
                double weight);

/* Whether an entry is a region-like feature (country, admin unit,
 * composite region) rather than a point. */
int gm__entry_is_region(const gaz_entry *e);

/* Whether entry e lies inside region entry r, by their country and
 * admin-1 codes (a composite region: inside one of its members). */
int gm__entry_inside(const gm__pipeline *p, const gaz_entry *e,
                     const gaz_entry *r);

/* Whether only a list separator stands between matches a and b (b after
 * a): a comma, or the word "and"/"or" (with or without a comma). */
int gm__listed_after(const gm__pipeline *p, const gm__work *a,
                     const gm__work *b);

#endif
