/*
 * gaz_reader.h — the open gazetteer, for the library's own modules (the
 * matcher and resolver read entries without copying them out).
 */
#ifndef GM_GAZ_READER_H
#define GM_GAZ_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gaz_format.h"
#include "geomention.h"

/* The keys' filter: a bit for each key's hash (the top
 * GM__GAZ_FILTER_BITS bits of its 32), so that a clear bit says a key is
 * absent without reading the slots, a cache miss on a file this large.
 * Most keys a text asks for are absent ("the president", "in March"),
 * more than the matcher's probe cache remembers. Built by the first
 * caller of gm__gaz_filter_build, while the others go on without it:
 * state goes from idle to building to ready (or stays building when
 * there is no room), and only a ready filter is read. */
#define GM__GAZ_FILTER_BITS 22   /* 512 KiB */
typedef struct gm__gaz_filter {
  int state;                     /* GM__GAZ_FILTER_*, atomic */
  uint64_t *bits;
} gm__gaz_filter;
enum { GM__GAZ_FILTER_IDLE, GM__GAZ_FILTER_BUILDING, GM__GAZ_FILTER_READY };

struct gm_gazetteer {
  char *path;
  const unsigned char *base;   /* the mapping */
  size_t size;
  const gaz_header *header;
  const unsigned char *sec[GAZ_SEC_MAX_];  /* by section id */
  size_t n[GAZ_SEC_MAX_];                   /* records in each */
  gm__gaz_filter *filter;      /* never NULL once open */
};

/* The entry at i, or NULL when i is out of range. Inline: the matcher,
 * recogniser and resolver call these for every candidate of every name. */
static inline const gaz_entry *gm__gaz_entry(const gm_gazetteer *g,
                                             uint32_t i)
{
  return i < g->n[GAZ_SEC_ENTRIES]
             ? (const gaz_entry *)g->sec[GAZ_SEC_ENTRIES] + i
             : NULL;
}

/* The summed population of the gazetteer's places inside entry e (an
 * entry gm__gaz_entry gave), a country, admin unit or composite region:
 * PLACESPOP's figure, 0 for a place, a unit without known places, or a
 * file older than 2.2. */
static inline uint32_t gm__gaz_places_population(const gm_gazetteer *g,
                                                 const gaz_entry *e)
{
  size_t i = (size_t)(e - (const gaz_entry *)g->sec[GAZ_SEC_ENTRIES]);
  return i < g->n[GAZ_SEC_PLACESPOP]
             ? ((const uint32_t *)g->sec[GAZ_SEC_PLACESPOP])[i]
             : 0;
}

/* The string at off, or "" when off is out of range. */
static inline const char *gm__gaz_str(const gm_gazetteer *g, uint32_t off)
{
  return off < g->n[GAZ_SEC_STRINGS]
             ? (const char *)g->sec[GAZ_SEC_STRINGS] + off
             : "";
}

/* Whether the strings at offsets a and b are equal: the builder interns
 * every string (gm__b_intern), so equal strings share one offset and no
 * byte of the pool need be read. */
static inline int gm__gaz_same_str(uint32_t a, uint32_t b)
{
  return a == b;
}

/* Region i's record, checked as gm_gazetteer_region checks it (its
 * geometry, members and entry inside their sections), or NULL. Inline,
 * and without filling a gm_region: the resolver walks a composite's
 * members for every candidate it tests against one. */
static inline const gaz_region *gm__gaz_region(const gm_gazetteer *g,
                                               uint32_t i)
{
  const gaz_region *r;
  size_t geo = g->n[GAZ_SEC_GEOMETRY];

  if (i >= g->n[GAZ_SEC_REGIONS])
    return NULL;
  r = (const gaz_region *)g->sec[GAZ_SEC_REGIONS] + i;
  if (r->full_off > geo || r->full_len > geo - r->full_off ||
      r->simple_off > geo || r->simple_len > geo - r->simple_off ||
      r->members > g->n[GAZ_SEC_MEMBERS] ||
      r->n_members > g->n[GAZ_SEC_MEMBERS] - r->members ||
      r->entry >= g->n[GAZ_SEC_ENTRIES])
    return NULL;
  return r;
}

/* Whether region i's record says it is a composite region, from its kind
 * alone: the resolver asks it of every region it tests a candidate
 * against, nearly all of them countries and admin units, and checks the
 * whole record (gm__gaz_region) only for the few composite ones. */
static inline int gm__gaz_region_is_composite(const gm_gazetteer *g,
                                              uint32_t i)
{
  return i < g->n[GAZ_SEC_REGIONS] &&
         ((const gaz_region *)g->sec[GAZ_SEC_REGIONS])[i].kind ==
             GM_REGION_COMPOSITE;
}

/* The member regions of a record gm__gaz_region returned (n_members). */
static inline const uint32_t *gm__gaz_members(const gm_gazetteer *g,
                                              const gaz_region *r)
{
  return (const uint32_t *)g->sec[GAZ_SEC_MEMBERS] + r->members;
}

/* Whether an entry's feature code is (starts with) a literal: strcmp
 * (strncmp) on the NUL-terminated code without a call, for the resolver's
 * and recogniser's tests of every candidate. The literal has at most 5
 * characters. */
#define GM__FCODE_IS(e, lit) (memcmp((e)->fcode, lit, sizeof lit) == 0)
#define GM__FCODE_STARTS(e, lit) (memcmp((e)->fcode, lit, sizeof lit - 1) == 0)

/* The entry's kind by its GeoNames class and code: a country (PCLI,
 * PCLD, ...), a first- or second-level administrative unit. */
static inline int gm__gaz_is_country(const gaz_entry *e)
{
  return e->fclass == 'A' && GM__FCODE_STARTS(e, "PCL");
}

static inline int gm__gaz_is_admin1(const gaz_entry *e)
{
  return e->fclass == 'A' && GM__FCODE_IS(e, "ADM1");
}

static inline int gm__gaz_is_admin2(const gaz_entry *e)
{
  return e->fclass == 'A' && GM__FCODE_IS(e, "ADM2");
}

/* Build g's keys' filter, unless another caller has (or is building
 * it): a scan of every slot, which pays only over many lookups, so
 * the matcher asks for it after many (GM__FILTER_AFTER). Without room,
 * lookups go on without it. */
void gm__gaz_filter_build(const gm_gazetteer *g);

/* Whether g's keys' filter is built and says that no key has hash h
 * (gm__hash's low 32 bits). 0 says nothing. */
static inline int gm__gaz_surely_absent(const gm_gazetteer *g, uint32_t h)
{
  const gm__gaz_filter *f = g->filter;
  uint32_t b = h >> (32 - GM__GAZ_FILTER_BITS);

  return __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) ==
             GM__GAZ_FILTER_READY &&
         !(f->bits[b >> 6] >> (b & 63) & 1);
}

/* gm_gazetteer_postings for a key whose gm__hash the caller has. */
int gm__gaz_postings(const gm_gazetteer *g, const char *key, size_t key_len,
                     uint64_t hash, const gm_posting **postings, size_t *n,
                     int *is_prefix);

/* A region's stored output shape (gaz_shape), pointing into the mapping:
 * the gm__shape that gm__geo_shape gives for the region's simplified
 * copy at `precision` decimals without --simplify. */
typedef struct gm__gaz_shape {
  const int32_t *lonlat;     /* lon, lat pairs in units of the grid:
                                degrees / gm__geo_grid(precision) */
  int precision;
  const uint32_t *ring_end;  /* as in gm__shape */
  const uint32_t *poly_end;
  size_t n_points, n_rings, n_polys;  /* n_polys 0: nothing on the grid */
  double bbox[4];
} gm__gaz_shape;

/* 0 and region's stored shape at this precision; GM_ENOTFOUND when the
 * file holds none (a 2.0 file, another precision, a region without a
 * polygon or one GEOS could not shape at build time): draw it with GEOS;
 * GM_EGAZETTEER when the record points outside SHAPEDATA or its ends are
 * not in order (a corrupt file). */
int gm__gaz_region_shape(const gm_gazetteer *g, uint32_t region,
                         int precision, gm__gaz_shape *out);

/* The lexicon's record of a normalised word, or NULL. */
const gaz_word *gm__gaz_word(const gm_gazetteer *g, const char *key,
                             size_t key_len);

#endif
