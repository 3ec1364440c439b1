/*
 * gaz_build.h — the gazetteer builder's state, shared by the modules that
 * feed it (gaz_sources.c: the bundled sources; gaz_geonames.c: GeoNames
 * dumps) and the one that writes the file (gaz_build.c).
 */
#ifndef GM_GAZ_BUILD_H
#define GM_GAZ_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "gaz_format.h"
#include "geo.h"
#include "internal.h"

/* A u32 -> u32 open-addressing map; key 0 is reserved (empty). */
typedef struct gm__map32 {
  uint32_t *keys, *values;
  size_t n, cap;
} gm__map32;

int gm__map32_put(gm__map32 *m, uint32_t key, uint32_t value);
int gm__map32_get(const gm__map32 *m, uint32_t key, uint32_t *value);
void gm__map32_free(gm__map32 *m);

typedef struct bname {
  uint32_t key;    /* interned normalised name */
  uint32_t entry;  /* GAZ_NO_INDEX marks a prefix of a longer name */
  uint32_t how;
} bname;

typedef struct bregion {
  uint32_t id, entry, kind;
  uint32_t iso;               /* ISO 3166-2 code of an admin-1 unit */
  uint32_t *members;
  size_t n_members, cap_members;
  struct GEOSGeom_t *geom;
  struct GEOSGeom_t **parts;  /* borrowed: what a country is the union of */
  size_t n_parts, cap_parts;
} bregion;

/* A country's GeoNames id and point, written by hand in
 * gazetteer/countries-geonames.tsv; where that has no point, GeoNames'
 * point from sources/country-points.tsv. */
typedef struct country_fact {
  char iso2[3];
  uint32_t geonameid;
  double lat, lon;
  int has_point;
} country_fact;

/* Shown by --version and kept in the file's META section. */
#define GM__ATTRIBUTION                                                    \
  "Contains data from GeoNames (geonames.org), CC BY 4.0; Natural Earth "  \
  "admin-1 polygons (public domain); world-countries (ODbL); Debian "      \
  "iso-codes (LGPL-2.1+)"

typedef struct bword {
  uint32_t key, lower, upper, flags;
} bword;

typedef struct gm__builder {
  gm_error *err;
  gm__geo *geo;
  gm__buf pool;               /* strings; offset 0 is "" */
  uint64_t *pool_slots;       /* hash << 32 | offset, 0 = empty */
  size_t pool_nslots, pool_count;
  gaz_entry *entries;
  size_t n_entries, cap_entries;
  bname *names;
  size_t n_names, cap_names;
  bregion *regions;
  size_t n_regions, cap_regions;
  bword *words;               /* the recogniser's lexicon */
  size_t n_words, cap_words;
  gm__map32 word_by_key;      /* interned key -> index in words */
  gm__map32 by_geonameid;     /* geonameid -> entry */
  gm__map32 by_region_id;     /* interned region id -> region */
  gm__tokens tokens;          /* normalisation work space */
  gm__buf key;
  uint64_t checksum;          /* FNV-1a over every source line */
  gm__buf meta;
  size_t skipped_rows;
  country_fact *facts;        /* gaz_sources.c's, while reading */
  size_t n_facts, cap_facts;
  gm__map32 admin1_names;     /* interned admin-1 code -> interned name */
  gm__map32 admin2_names;     /* interned admin-2 code -> interned name */
  gm__map32 admin2_units;     /* interned admin-2 code -> the entry made
                                 for it (gaz_sources.c), which a layered
                                 GeoNames ADM2 row then updates */
  uint32_t *places_population; /* PLACESPOP, one an entry: made last,
                                  by gm__b_sum_places */
  const gm_build_options *opt;
} gm__builder;

int gm__b_intern(gm__builder *b, const char *s, size_t len, uint32_t *off);
/* The offset of s if it is interned, else 0 (nothing is added). */
uint32_t gm__b_find_str(const gm__builder *b, const char *s, size_t len);
/* The interned admin-2 code "CC.A1.A2" (the key of admin2_names). */
int gm__b_admin2_code(gm__builder *b, const char *country,
                      const char *admin1, const char *admin2, uint32_t *code);
static inline const char *gm__b_str(const gm__builder *b, uint32_t off)
{
  return b->pool.data + off;
}
int gm__b_add_entry(gm__builder *b, const gaz_entry *e, uint32_t *index);
int gm__b_add_name(gm__builder *b, uint32_t entry, const char *s, size_t len,
                   unsigned how);
/* The item of a sep-joined list at *p (its length in *n), *p moved past
 * it and its separator; NULL at the list's end. */
const char *gm__b_list_next(const char **p, char sep, size_t *n);
/* Each item of a list separated by sep, e.g. "Kiev|Kyiv" or "Kiev,Kyiv". */
int gm__b_add_names(gm__builder *b, uint32_t entry, const char *list,
                    char sep, unsigned how);
/* Add to a lexicon word's counts and flags: the count goes to its lower-
 * or upper-case usage by the case of the word's first letter. */
int gm__b_add_word(gm__builder *b, const char *s, size_t len, uint32_t count,
                   uint32_t flags);
int gm__b_add_region(gm__builder *b, const char *id, unsigned kind,
                     uint32_t entry, uint32_t *index);
int gm__b_find_region(gm__builder *b, const char *id, uint32_t *index);
void gm__b_checksum(gm__builder *b, const char *s, size_t len);
void gm__b_progress(gm__builder *b, const char *fmt, ...) GM__PRINTF(2, 3);
/* Input skipped without failing the build: said even by a quiet build. */
void gm__b_warn(gm__builder *b, const char *fmt, ...) GM__PRINTF(2, 3);
void gm__b_set_point(gaz_entry *e, double lat, double lon);

/* Split a line at tabs in place; returns the number of fields (at most
 * max; the last field keeps any further tabs). */
size_t gm__split_tabs(char *line, char **fields, size_t max);

/* gaz_sources.c: the bundled sources under opt->sources_dir. */
int gm__b_read_bundled(gm__builder *b);
/* gaz_sources.c: each unit's places population (b->places_population),
 * once every source is read. */
int gm__b_sum_places(gm__builder *b);
/* gaz_geonames.c: one GeoNames dump, layered on what is there. */
int gm__b_read_geonames(gm__builder *b, const char *path);

#endif
