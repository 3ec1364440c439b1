/*
 * geomention — find the places a news article mentions, resolve each one
 * against a gazetteer, and describe the result.
 *
 * This is the only public header: what is not declared here is not API.
 *
 * Errors. Every function that can fail returns an int status: 0 (GM_OK) on
 * success, a negative GM_E* code on failure. Functions that can fail for a
 * reason worth explaining also take a `gm_error *`, which may be NULL; on
 * failure it receives the code and a one-line message naming the file and
 * what was expected. The library never prints, exits or aborts.
 *
 * Text. Text crosses the API as (const char *s, size_t len), UTF-8, never
 * assumed to be NUL-terminated. Invalid UTF-8 is tolerated everywhere: it
 * never moves an offset and never matches a name.
 *
 * Ownership. Inputs are borrowed; what the library keeps, it copies.
 * Objects returned through out-parameters belong to the caller until the
 * matching gm_*_free(); every gm_*_free(NULL) is a no-op. Strings read from
 * the gazetteer point into its memory mapping and stay valid until
 * gm_gazetteer_close().
 *
 * Threads. A gm_gazetteer is read-only once open and may be shared by any
 * number of threads. Everything else belongs to one thread at a time.
 */
#ifndef GEOMENTION_H
#define GEOMENTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GM_VERSION "0.1.0"

/* Status codes, append-only: the numbers are part of the API. */
#define GM_ERRNO_MAP(XX)                                                   \
  XX(OK, 0, "success")                                                     \
  XX(NOMEM, -1, "out of memory")                                           \
  XX(IO, -2, "input/output error")                                         \
  XX(INVAL, -3, "invalid argument")                                        \
  XX(FORMAT, -4, "malformed input")                                        \
  XX(GAZETTEER, -5, "unusable gazetteer file")                             \
  XX(VERSION, -6, "unsupported gazetteer format version")                  \
  XX(NOTFOUND, -7, "not found")                                            \
  XX(GEOMETRY, -8, "geometry operation failed")                            \
  XX(LIMIT, -9, "limit exceeded")

typedef enum {
#define GM_ENUM_(name, value, text) GM_E##name = (value),
  GM_ERRNO_MAP(GM_ENUM_)
#undef GM_ENUM_
} gm_status;

#define GM_OK GM_EOK

/* What went wrong, in a form a command-line tool can print as it is. */
typedef struct gm_error {
  int code;
  char message[512];
} gm_error;

/* The fixed text of a status code ("out of memory"); never NULL. */
const char *gm_strerror(int code);

/* The library version, GM_VERSION as compiled. */
const char *gm_version(void);

/* ------------------------------------------------------------------ text */

/*
 * Normalise a name the way the gazetteer index does: split into word
 * tokens (letters, marks, digits), NFKC, case-fold, strip diacritics, and
 * join the tokens with single spaces ("Kruta  Balka" -> "kruta balka",
 * "Donets'k" -> "donets k", "KYIV" -> "kyiv"). Writes at most cap bytes
 * (always NUL-terminated when cap > 0) and returns the full length the
 * result needs, or a negative status.
 */
int gm_normalize(const char *s, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------ gazetteer */

typedef struct gm_gazetteer gm_gazetteer;

/* Feature kinds of regions (entries with a polygon). */
typedef enum {
  GM_REGION_COUNTRY = 1,
  GM_REGION_ADMIN1 = 2,
  GM_REGION_COMPOSITE = 3
} gm_region_kind;

/* How a name reached an entry; a signal for recognition and resolution. */
typedef enum {
  GM_HOW_NAME = 1,      /* the entry's primary name */
  GM_HOW_ASCII = 2,     /* its ASCII name */
  GM_HOW_ALTERNATE = 3, /* one of its alternate names */
  GM_HOW_CODE = 4,      /* an abbreviation or code (US, UK, IEV) */
  GM_HOW_DEMONYM = 5    /* an adjective of nationality (Ukrainian) */
} gm_how;

/* One gazetteer entry: a populated place, a country, an admin-1 unit or a
 * composite region. Strings point into the gazetteer's mapping. */
typedef struct gm_entry {
  uint32_t index;      /* position in the gazetteer, stable for the file */
  uint32_t geonameid;  /* 0 when the entry has none (composite regions) */
  const char *name;
  const char *asciiname;
  double lat, lon;     /* WGS84 degrees; GeoNames' point where known */
  char fclass;         /* GeoNames feature class: P, A, L, ... */
  const char *fcode;   /* GeoNames feature code: PPL, PCLI, ADM1, RGN ... */
  char country[3];     /* ISO 3166-1 alpha-2, "" when none */
  const char *admin1;  /* GeoNames admin1 code within the country, "05" */
  const char *admin2;
  uint32_t population;
  int32_t region;      /* index of its region (polygon), -1 when none */
} gm_entry;

typedef struct gm_region {
  uint32_t index;
  const char *id;      /* namespaced and stable: country:UA, admin1:UA.05,
                          region:donbas */
  gm_region_kind kind;
  uint32_t entry;      /* the entry that names it */
  double bbox[4];      /* west, south, east, north */
  const unsigned char *wkb_full;   /* full detail, for containment */
  size_t wkb_full_len;
  const unsigned char *wkb_simple; /* topology-preserving simplified copy */
  size_t wkb_simple_len;
  const uint32_t *members; /* regions a composite is made of */
  size_t n_members;
} gm_region;

typedef struct gm_gazetteer_info {
  unsigned format_major, format_minor;
  const char *data_version;    /* gazetteer/VERSION of the sources */
  const char *source_checksum; /* hex digest of every source byte */
  const char *attribution;     /* licences to display with the data */
  uint32_t n_entries, n_regions, n_names;
  uint64_t file_size;
} gm_gazetteer_info;

/*
 * Map a gazetteer file. Nothing is parsed: the header and section table
 * are checked (magic, version, sizes, checksum of the header) and every
 * later access is bounds-checked. A missing, truncated, foreign or newer
 * file fails with GM_EGAZETTEER or GM_EVERSION and a message naming the
 * path. On success *out is an open handle for gm_gazetteer_close().
 */
int gm_gazetteer_open(const char *path, gm_gazetteer **out, gm_error *err);
void gm_gazetteer_close(gm_gazetteer *gaz);

/* Read every byte and compare with the stored body checksum; for
 * `geomention gazetteer check`, too slow for every open. */
int gm_gazetteer_verify(const gm_gazetteer *gaz, gm_error *err);

void gm_gazetteer_get_info(const gm_gazetteer *gaz, gm_gazetteer_info *info);
int gm_gazetteer_entry(const gm_gazetteer *gaz, uint32_t index,
                       gm_entry *out);
int gm_gazetteer_region(const gm_gazetteer *gaz, uint32_t index,
                        gm_region *out);
/* The entry with this GeoNames id, or GM_ENOTFOUND. */
int gm_gazetteer_find_geonameid(const gm_gazetteer *gaz, uint32_t geonameid,
                                uint32_t *index);
/* The region with this id (country:UA, admin1:UA.05, region:donbas). */
int gm_gazetteer_find_region(const gm_gazetteer *gaz, const char *id,
                             uint32_t *index);

/* One posting of the name index: this normalised name reaches that entry. */
typedef struct gm_posting {
  uint32_t entry;
  uint8_t how;  /* gm_how */
} gm_posting;

/*
 * The postings of an already normalised key ("kruta balka"), or n = 0.
 * *is_prefix tells whether a longer indexed name starts with key and a
 * space, which is how the text matcher knows when to stop extending.
 * The array points into the mapping.
 */
int gm_gazetteer_postings(const gm_gazetteer *gaz, const char *key,
                          size_t key_len, const gm_posting **postings,
                          size_t *n, int *is_prefix);

/* Call fn for every indexed name (normalised), in index order; stops and
 * returns fn's value when it is non-zero. */
int gm_gazetteer_each_name(const gm_gazetteer *gaz,
                           int (*fn)(void *arg, const char *key, size_t len),
                           void *arg);

/* ---------------------------------------------------------------- build */

typedef struct gm_build_options {
  const char *sources_dir;   /* the project's gazetteer/ directory */
  const char *const *geonames; /* GeoNames dumps to layer on top, or NULL */
  size_t n_geonames;
  double simplify_degrees;   /* tolerance of the simplified copy; 0 = 0.01 */
  int skip_bundled;          /* build from the GeoNames dumps only */
  void (*progress)(void *arg, const char *what);
  void *progress_arg;
  /* Input skipped without failing the build (malformed GeoNames rows);
   * NULL: not said. A quiet build keeps these. */
  void (*warning)(void *arg, const char *what);
  void *warning_arg;
} gm_build_options;

/*
 * Compile the sources (and any GeoNames dumps) into one gazetteer file at
 * out_path, written under a temporary name and renamed when complete (an
 * existing out_path that is not a regular file is refused: GM_EINVAL; a
 * symlink stays one, the file it leads to replaced). The same inputs
 * always give the same bytes.
 */
int gm_gazetteer_build(const gm_build_options *opt, const char *out_path,
                       gm_error *err);

/*
 * The same, written to f: an empty stream open for writing that can seek
 * (the header is written last), named name in messages. The caller
 * closes f, checks that close, and puts the file in place.
 */
int gm_gazetteer_write(const gm_build_options *opt, FILE *f,
                       const char *name, gm_error *err);

/* --------------------------------------------------------------- lookup */

typedef struct gm_lookup_options {
  const char *country;  /* ISO alpha-2 to prefer, or NULL */
  int has_near;
  double near_lat, near_lon;
  size_t limit;         /* 0 = 10 */
} gm_lookup_options;

typedef struct gm_candidate {
  uint32_t entry;
  uint8_t how;
  double score;         /* higher is better; comparable within one call */
  double distance_km;   /* geodesic distance to `near`, or -1 */
} gm_candidate;

/*
 * Every entry a name can mean, best first. *out is an array of *n
 * candidates for free(); n may be 0.
 */
int gm_lookup(const gm_gazetteer *gaz, const char *name, size_t len,
              const gm_lookup_options *opt, gm_candidate **out, size_t *n,
              gm_error *err);

/* ---------------------------------------------------------------- parse */

/*
 * A gm_parser finds and resolves the places in articles. It borrows the
 * gazetteer (which must outlive it), keeps its work space between calls,
 * and belongs to one thread; make one per thread.
 */
typedef struct gm_parser gm_parser;

typedef struct gm_parse_options {
  const char *country;     /* prior: the publication's country (alpha-2) */
  int has_bbox;            /* prior: places inside west,south,east,north */
  double bbox[4];
  int has_near;            /* prior: places within near_km of a point */
  double near_lat, near_lon, near_km;
  int demonyms;            /* also report demonyms (Ukrainian) as mentions */
  int all_matches;         /* also report the names the recogniser rejected
                              (recognition < 0.5, entry GM_NO_ENTRY), for
                              study and for fitting its weights */
  size_t max_alternatives; /* per mention; 0 = 3, at most
                              GM_MAX_ALTERNATIVES */
  int explain_alternatives; /* give each alternative its resolution
                               reasons too (why it lost) */
  int without_reasons;     /* mentions carry no reasons (n_reasons 0),
                              for callers that read only the places and
                              confidences: explaining a resolution costs
                              about a twentieth of the parse */
  size_t max_mentions;     /* per article; 0 = 100000, GM_ELIMIT beyond */
} gm_parse_options;

typedef enum {
  GM_ROLE_PLACE = 1,    /* a populated place or other point feature */
  GM_ROLE_REGION = 2,   /* a country, admin unit or composite region */
  GM_ROLE_DEMONYM = 3,  /* "Ukrainian": the country, by its adjective */
  GM_ROLE_METONYM = 4   /* "the Kremlin said", "Kyiv announced" */
} gm_role;

/* One signal that moved a mention's score, and by how much. */
typedef struct gm_reason {
  const char *signal;   /* static string: "population", "place_preposition" */
  double value;         /* the signal's value (1 for a yes/no cue) */
  double weight;        /* what it added to the score */
} gm_reason;

#define GM_MAX_ALTERNATIVES 32

typedef struct gm_alternative {
  uint32_t entry;
  double score;         /* probability among the candidates, [0, 1] */
  const gm_reason *reasons;   /* its resolution signals, with
                                 explain_alternatives; else NULL */
  size_t n_reasons;
} gm_alternative;

typedef struct gm_mention {
  size_t start, end;            /* bytes in the article, end exclusive */
  size_t cp_start, cp_end;      /* the same in code points */
  size_t sentence_start, sentence_end;       /* bytes */
  size_t sentence_cp_start, sentence_cp_end; /* code points */
  uint32_t entry;               /* the resolved gazetteer entry */
  double confidence;            /* [0, 1]: is a place here, and this one */
  double recognition;           /* [0, 1]: is a place here at all */
  gm_role role;
  const gm_alternative *alternatives;  /* best first, the chosen one too */
  size_t n_alternatives;
  const gm_reason *reasons;     /* recognition, then resolution signals */
  size_t n_reasons;
} gm_mention;

typedef struct gm_result gm_result;

/* A caller-given mention, for callers that run their own recogniser. */
typedef struct gm_span {
  size_t start, end;            /* bytes */
} gm_span;

int gm_parser_new(const gm_gazetteer *gaz, const gm_parse_options *opt,
                  gm_parser **out, gm_error *err);
void gm_parser_free(gm_parser *p);

/*
 * Find, recognise and resolve the places of one article. On success *out
 * holds the mentions in text order, for gm_result_free(). Text need not
 * be valid UTF-8. Fails with GM_ELIMIT when the article holds more than
 * max_mentions candidate names.
 */
int gm_parse(gm_parser *p, const char *text, size_t len, gm_result **out,
             gm_error *err);

/*
 * Resolve caller-given spans instead of recognising: every span gets a
 * mention, in the order given. A span that is not a gazetteer name is
 * answered by the longest name inside it, or, when there is none or it
 * lies over 500 km from the nearest place of the text, is put at that
 * place (reason "located_by_context", confidence 0.35); entry GM_NO_ENTRY
 * only when the text has no place at all.
 */
int gm_resolve_spans(gm_parser *p, const char *text, size_t len,
                     const gm_span *spans, size_t n, gm_result **out,
                     gm_error *err);

#define GM_NO_ENTRY 0xffffffffu

size_t gm_result_count(const gm_result *r);
const gm_mention *gm_result_mention(const gm_result *r, size_t i);
void gm_result_free(gm_result *r);

#ifdef __cplusplus
}
#endif
#endif /* GEOMENTION_H */
