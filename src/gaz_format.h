/*
 * gaz_format.h — the on-disk layout of a gazetteer file, shared by the
 * builder (gaz_build.c) and the reader (gaz_reader.c).
 *
 * A file is a header, a section table, and sections, all little-endian and
 * 8-byte aligned. Every reference is an offset or an index into a section,
 * so the reader uses the file through mmap without parsing anything.
 *
 *   header      magic, version, sizes, checksums, data version
 *   sections    STRINGS  NUL-terminated UTF-8, referenced by u32 offset;
 *                        offset 0 is the empty string; each string is
 *                        there once (interned), so equal offsets are
 *                        equal strings and readers compare offsets
 *               ENTRIES  gaz_entry[n]
 *               REGIONS  gaz_region[n]
 *               MEMBERS  u32[] region indexes of composite regions
 *               GEOMETRY WKB blobs, referenced by (u32 offset, u32 length)
 *               KEYS     gaz_key[n], sorted by normalised name
 *               POSTINGS gaz_posting[] grouped by key
 *               SLOTS    gaz_slot[2^k]: open-addressing hash of KEYS
 *                        that holds what a lookup needs (hash, string,
 *                        postings), so a lookup reads one slot and the
 *                        key's string, not a key record too
 *               BYID     u32[] entry indexes sorted by geonameid
 *               META     key=value\n lines (attribution, sources)
 *               WORDS    gaz_word[n]: the recogniser's lexicon (how
 *                        common a word is in English, given names)
 *               WORDSLOTS u32[2^k] open-addressing hash of WORDS
 *               SHAPES   gaz_shape[n regions]: each region's finished
 *                        output shape (gm__shape), made once at build
 *                        time so that writing a region needs no GEOS
 *               SHAPEDATA u32[]: the shapes' positions and ends
 *               PLACESPOP u32[n entries]: for each country, admin unit
 *                        and composite region, the summed population
 *                        of the gazetteer's places inside it (by admin
 *                        codes; a composite: its members'), a size the
 *                        resolver can compare units by; 0 for places
 *                        and units no place is known in. Not GeoNames'
 *                        population of the unit, and never printed as
 *                        one
 *
 * Compatibility: a reader accepts any file with its own major version and
 * any minor version; sections it does not know are ignored. A change that
 * an old reader would misread bumps the major version. SHAPES and
 * SHAPEDATA came with 2.1 (2.0 readers ignore them): a 2.0 file has
 * neither, and its regions are drawn with GEOS as before. PLACESPOP
 * came with 2.2: a 2.0 or 2.1 file has none, and its units have no size
 * (the resolver's smaller_namesake_unit is 0 for all).
 */
#ifndef GM_GAZ_FORMAT_H
#define GM_GAZ_FORMAT_H

#include <stdint.h>

#define GAZ_MAGIC "GMGAZ\r\n\032"  /* 8 bytes; catches text-mode copies */
/* 2: SLOTS holds gaz_slot records instead of u32 indexes into KEYS. */
#define GAZ_MAJOR 2
/* 2.1: SHAPES and SHAPEDATA. 2.2: PLACESPOP. */
#define GAZ_MINOR 2
#define GAZ_NO_INDEX 0xffffffffu

enum gaz_section_id {
  GAZ_SEC_STRINGS = 1,
  GAZ_SEC_ENTRIES = 2,
  GAZ_SEC_REGIONS = 3,
  GAZ_SEC_MEMBERS = 4,
  GAZ_SEC_GEOMETRY = 5,
  GAZ_SEC_KEYS = 6,
  GAZ_SEC_POSTINGS = 7,
  GAZ_SEC_SLOTS = 8,
  GAZ_SEC_BYID = 9,
  GAZ_SEC_META = 10,
  GAZ_SEC_WORDS = 11,
  GAZ_SEC_WORDSLOTS = 12,
  GAZ_SEC_SHAPES = 13,
  GAZ_SEC_SHAPEDATA = 14,
  GAZ_SEC_PLACESPOP = 15,
  GAZ_SEC_MAX_
};

typedef struct gaz_section {
  uint32_t id;
  uint32_t reserved;
  uint64_t offset;  /* from the start of the file */
  uint64_t size;    /* bytes */
} gaz_section;

#define GAZ_MAX_SECTIONS 16

typedef struct gaz_header {
  char magic[8];
  uint16_t major, minor;
  uint32_t header_size;       /* sizeof(gaz_header) */
  uint64_t file_size;
  char data_version[32];      /* NUL-padded */
  char source_checksum[72];   /* hex, NUL-padded */
  uint32_t body_crc32;        /* zlib crc32 of every byte after the header */
  uint32_t n_sections;
  gaz_section sections[GAZ_MAX_SECTIONS];
  uint32_t header_crc32;      /* crc32 of this struct with this field 0 */
  uint32_t pad;
} gaz_header;

typedef struct gaz_entry {
  uint32_t geonameid;
  uint32_t name;        /* string offsets */
  uint32_t asciiname;
  int32_t lat_e7;       /* degrees * 1e7 */
  int32_t lon_e7;
  uint32_t population;
  uint32_t admin1;
  uint32_t admin2;
  int32_t region;       /* -1 when none */
  char country[2];
  char fclass;
  char fcode[6];        /* NUL-terminated */
  char pad[3];
} gaz_entry;            /* 48 bytes */

typedef struct gaz_region {
  uint32_t id;          /* string offset */
  uint32_t entry;
  uint32_t kind;        /* gm_region_kind */
  uint32_t members;     /* index into MEMBERS */
  uint32_t n_members;
  uint32_t full_off, full_len;     /* into GEOMETRY */
  uint32_t simple_off, simple_len;
  uint32_t pad;
  double bbox[4];
} gaz_region;           /* 72 bytes */

typedef struct gaz_key {
  uint32_t key;         /* string offset of the normalised name */
  uint32_t hash;        /* low 32 bits of gm__hash(key) */
  uint32_t postings;    /* index of the first posting */
  uint32_t n_postings;  /* 0 for a key that is only a prefix */
  uint32_t flags;       /* GAZ_KEY_PREFIX */
} gaz_key;              /* 20 bytes */

#define GAZ_KEY_PREFIX 1u  /* a longer key starts with this one + ' ' */

/* One slot of the name index's hash table (linear probing, load <= 3/4).
 * A lookup compares hashes in the slots, then the one string whose hash
 * matches: two cache misses for a key, where a table of indexes into KEYS
 * costs three or four. */
typedef struct gaz_slot {
  uint32_t hash;        /* low 32 bits of gm__hash(key) */
  uint32_t key;         /* string offset of the key; 0 = empty slot */
  uint32_t postings;    /* index of the first posting */
  uint32_t n_postings;  /* GAZ_SLOT_PREFIX | number of postings */
} gaz_slot;             /* 16 bytes */

#define GAZ_SLOT_PREFIX 0x80000000u  /* the key's GAZ_KEY_PREFIX */

typedef struct gaz_posting {
  uint32_t entry;
  uint8_t how;          /* gm_how */
  uint8_t pad[3];
} gaz_posting;

/* A normalised word of the recogniser's lexicon. */
typedef struct gaz_word {
  uint32_t key;         /* string offset */
  uint32_t hash;        /* low 32 bits of gm__hash(key) */
  uint32_t lower;       /* occurrences in SUBTLEX-US written lower-case:
                           how common it is as an ordinary word */
  uint32_t upper;       /* ... written capitalised: as a proper noun */
  uint32_t flags;       /* GAZ_WORD_* */
} gaz_word;

#define GAZ_WORD_GIVEN_F 1u   /* an English female given name */
#define GAZ_WORD_GIVEN_M 2u   /* an English male given name */

/*
 * A region's shape as the GeoJSON writer prints it by default: what
 * gm__geo_shape makes of the region's simplified copy (simple_off) at
 * `precision` decimals, without --simplify: polygons cut at the
 * antimeridian, snapped to the grid, halved when wider than 180 degrees,
 * rings oriented. Writing the regions of a batch from these takes no
 * GEOS; other precisions and --full-geometry / --simplify still do.
 *
 * At SHAPEDATA index `data`: int32 lonlat[2 * n_points], positions in
 * units of the grid, round(degrees / gm__geo_grid(precision)) (at most 7
 * decimals: 180 degrees in units of 1e-7 still fit an int32); then
 * u32 ring_end[n_rings] (ring i is points [ring_end[i-1], ring_end[i]));
 * then u32 poly_end[n_polys] (polygon j is rings [poly_end[j-1],
 * poly_end[j])). n_polys 0: nothing survived the grid (written as a
 * null geometry). A position times the grid is a double that prints at
 * `precision` decimals as GEOS's snapped one does (the builder checks
 * it), and the writer prints them at that precision only.
 */
typedef struct gaz_shape {
  uint32_t data;        /* index of its first u32 in SHAPEDATA */
  uint32_t n_points;
  uint32_t n_rings;
  uint32_t n_polys;
  uint32_t precision;   /* decimals of its grid; GAZ_NO_SHAPE: none (no
                           polygon, GEOS could not make it, or a position
                           off the grid) */
  uint32_t pad;
  double bbox[4];       /* west, south, east, north; west > east wraps */
} gaz_shape;            /* 56 bytes */

#define GAZ_NO_SHAPE 0xffffffffu

#endif /* GM_GAZ_FORMAT_H */
