/*
 * test_gaz_reader.c — opening gazetteer files (src/gaz_reader.c).
 *
 * A small gazetteer is built from tests/data/geonames-small.txt; then
 * copies of it are cut, flipped, re-versioned and swapped for files of
 * other kinds. Every bad file must be refused at open with GM_EGAZETTEER
 * or GM_EVERSION and a message that names its path; a flipped body byte
 * must be caught by gm_gazetteer_verify; and a body of garbage behind a
 * valid header may give refusals but never a read outside the mapping.
 */
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "gaz_format.h"
#include "gaz_reader.h"
#include "geo.h"
#include "internal.h"
#include "out_geojson.h"
#include "out_json.h"
#include "tap.h"
#include "fixture.h"

static unsigned char *good;   /* the small gazetteer's bytes */
static size_t good_len;

/* ------------------------------------------------------------ helpers */

static int opens(const char *path, gm_error *err)
{
  gm_gazetteer *g = NULL;
  int rc = gm_gazetteer_open(path, &g, err);
  if (rc == 0)
    gm_gazetteer_close(g);
  else if (g)
    rc = 12345;  /* a handle on failure: a leak and a lie */
  return rc;
}

/* Open path and expect a refusal: code (0 = GM_EGAZETTEER or
 * GM_EVERSION), a message naming the path and containing text. */
static int refused(const char *path, int code, const char *text,
                   const char *what)
{
  gm_error err = {0, ""};
  int rc = opens(path, &err);
  int good_code = code ? rc == code
                       : (rc == GM_EGAZETTEER || rc == GM_EVERSION);

  return ok(good_code && err.code == rc && strstr(err.message, path) &&
                (!text || strstr(err.message, text)),
            "%s: refused (%d) \"%s\"", what, rc, err.message);
}

static void refuse_bytes(const void *p, size_t len, int code,
                         const char *text, const char *what)
{
  const char *path = fx_path("bad.gmz");
  if (fx_write(path, p, len) != 0) {
    ok(0, "%s: cannot write %s", what, path);
    return;
  }
  refused(path, code, text, what);
}

static gaz_header header_of(const unsigned char *p)
{
  gaz_header h;
  memcpy(&h, p, sizeof h);
  return h;
}

/* Put h back into p with a fresh header checksum, as a writer would. */
static void reseal(unsigned char *p, gaz_header h)
{
  h.header_crc32 = 0;
  h.header_crc32 = (uint32_t)crc32(0, (const Bytef *)&h, sizeof h);
  memcpy(p, &h, sizeof h);
}

static unsigned char *copy_good(void)
{
  unsigned char *p = malloc(good_len);
  if (!p)
    exit(99);
  memcpy(p, good, good_len);
  return p;
}

static const gaz_section *find_section(const gaz_header *h, uint32_t id)
{
  for (uint32_t i = 0; i < h->n_sections; i++)
    if (h->sections[i].id == id)
      return &h->sections[i];
  return NULL;
}

static int cmp_size(const void *a, const void *b)
{
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

/* ------------------------------------------------------- a good file */

static void test_good(const char *path)
{
  gm_gazetteer *g = NULL;
  gm_gazetteer_info info;
  gm_error err = {0, ""};
  int rc = gm_gazetteer_open(path, &g, &err);
  char key[128];
  const gm_posting *p;
  size_t n;
  int prefix;
  uint32_t idx;
  gm_entry e;

  if (!ok(rc == 0 && g, "the small gazetteer opens (%s)", err.message))
    return;
  gm_gazetteer_get_info(g, &info);
  ok(info.format_major == GAZ_MAJOR && info.n_entries == 12 &&
         info.n_regions == 0 && info.file_size == good_len &&
         strcmp(info.data_version, "custom+geonames") == 0 &&
         strncmp(info.source_checksum, "fnv1a64:", 8) == 0 &&
         strstr(info.attribution, "GeoNames") &&
         strstr(info.attribution, "CC BY 4.0"),
     "info: format %u, %u entries, %u regions, %llu bytes, %s, %s, "
     "attribution \"%s\"",
     info.format_major, info.n_entries, info.n_regions,
     (unsigned long long)info.file_size, info.data_version,
     info.source_checksum, info.attribution);
  ok(gm_gazetteer_verify(g, &err) == 0, "a good file verifies");

  gm_normalize("Alderford", 9, key, sizeof key);
  rc = gm_gazetteer_postings(g, key, strlen(key), &p, &n, &prefix);
  ok(rc == 0 && n == 1 && p[0].how == GM_HOW_NAME && !prefix &&
         gm_gazetteer_entry(g, p[0].entry, &e) == 0 && e.geonameid == 1001 &&
         strcmp(e.name, "Alderford") == 0 && e.population == 250000 &&
         e.lat == 10.5 && e.lon == 20.25 && e.fclass == 'P' &&
         strcmp(e.fcode, "PPLC") == 0 && strcmp(e.country, "XA") == 0 &&
         strcmp(e.admin1, "01") == 0 && e.region == -1,
     "\"alderford\" reaches 1001 once, as its name, with its facts");
  gm_normalize("ОЛДЕРФОРД", strlen("ОЛДЕРФОРД"), key, sizeof key);
  rc = gm_gazetteer_postings(g, key, strlen(key), &p, &n, &prefix);
  ok(rc == 0 && n == 1 && p[0].how == GM_HOW_ALTERNATE,
     "a Cyrillic alternate name reaches it as an alternate");
  gm_normalize("Ᾰλντερφορντ", strlen("Ᾰλντερφορντ"), key, sizeof key);
  rc = gm_gazetteer_postings(g, key, strlen(key), &p, &n, &prefix);
  ok(rc == 0 && n == 1 && strcmp(key, "αλντερφορντ") == 0,
     "a Greek alternate with a breve reaches it as \"%s\"", key);
  rc = gm_gazetteer_postings(g, "aldf", 4, &p, &n, &prefix);
  ok(rc == 0 && n == 1 && p[0].how == GM_HOW_CODE,
     "an all-capitals 4-letter alternate is indexed as a code");
  rc = gm_gazetteer_postings(g, "kruta balka", 11, &p, &n, &prefix);
  ok(rc == 0 && n == 2 && p[0].entry != p[1].entry,
     "\"kruta balka\" reaches both villages");
  rc = gm_gazetteer_postings(g, "kruta", 5, &p, &n, &prefix);
  ok(rc == 0 && n == 0 && prefix, "\"kruta\" is only a prefix");
  rc = gm_gazetteer_postings(g, "cedar", 5, &p, &n, &prefix);
  ok(rc == 0 && n == 1 && prefix, "\"cedar\" is a name and a prefix");
  rc = gm_gazetteer_postings(g, "balka", 5, &p, &n, &prefix);
  ok(rc == 0 && n == 0 && !prefix, "\"balka\" is neither");
  rc = gm_gazetteer_postings(g, "kruta balk", 10, &p, &n, &prefix);
  ok(rc == 0 && n == 0 && !prefix, "a key cut inside a word is not found");
  rc = gm_gazetteer_postings(g, "donets k ridge", 14, &p, &n, &prefix);
  ok(rc == 0 && n == 1, "Donets'k, Donets’k and Donetsʹk are one key");
  rc = gm_gazetteer_postings(g, "høyfjell", strlen("høyfjell"), &p, &n,
                             &prefix);
  ok(rc == 0 && n == 1, "ø is kept (not a diacritic): \"høyfjell\"");
  ok(gm_gazetteer_find_geonameid(g, 1011, &idx) == 0 &&
         gm_gazetteer_entry(g, idx, &e) == 0 && e.population == UINT32_MAX &&
         e.lat == -33.5 && e.lon == -70.25,
     "1011: the largest population survives, negative coordinates too");
  ok(gm_gazetteer_find_geonameid(g, 1012, &idx) == 0 &&
         gm_gazetteer_entry(g, idx, &e) == 0 && e.lon == -179.999,
     "1012: a longitude near the antimeridian is kept to 1e-7");
  ok(gm_gazetteer_find_geonameid(g, 999, &idx) == GM_ENOTFOUND &&
         gm_gazetteer_find_geonameid(g, 5000, &idx) == GM_ENOTFOUND,
     "unknown geonameids are not found");
  ok(gm_gazetteer_entry(g, 12, &e) == GM_ENOTFOUND &&
         gm_gazetteer_entry(g, UINT32_MAX, &e) == GM_ENOTFOUND,
     "entries past the end are not found");
  {
    gm_region r;
    ok(gm_gazetteer_region(g, 0, &r) == GM_ENOTFOUND,
       "no regions in a GeoNames-only gazetteer");
  }
  gm_gazetteer_close(g);
  gm_gazetteer_close(NULL);
  ok(1, "gm_gazetteer_close(NULL) is a no-op");
}

/* ------------------------------------------------- the keys' filter */

static int remember_key(void *arg, const char *key, size_t len)
{
  uint32_t *hashes = arg;
  if (hashes[0] < 255)
    hashes[++hashes[0]] = (uint32_t)gm__hash(key, len);
  return 0;
}

/* Built, the filter passes every indexed key and turns away nearly every
 * other one; before, it says nothing. */
static void test_filter(const char *path)
{
  gm_gazetteer *g = NULL;
  gm_error err = {0, ""};
  uint32_t keys[256] = {0};
  unsigned before = 0, after = 0, lost = 0;
  const unsigned n_absent = 1000;

  if (!ok(gm_gazetteer_open(path, &g, &err) == 0, "open for the filter"))
    return;
  gm_gazetteer_each_name(g, remember_key, keys);
  for (unsigned i = 0; i < n_absent; i++) {
    char key[32];
    int len = snprintf(key, sizeof key, "no such place %u", i);
    before += gm__gaz_surely_absent(g, (uint32_t)gm__hash(key, (size_t)len));
  }
  gm__gaz_filter_build(g);
  gm__gaz_filter_build(g);   /* a second call leaves it as it is */
  for (unsigned i = 0; i < n_absent; i++) {
    char key[32];
    int len = snprintf(key, sizeof key, "no such place %u", i);
    after += gm__gaz_surely_absent(g, (uint32_t)gm__hash(key, (size_t)len));
  }
  for (uint32_t i = 1; i <= keys[0]; i++)
    lost += gm__gaz_surely_absent(g, keys[i]);
  ok(keys[0] >= 10 && before == 0 && after >= n_absent - 10 && lost == 0,
     "filter: %u keys, none turned away (%u); of %u absent keys %u turned "
     "away before the build, %u after",
     keys[0], lost, n_absent, before, after);
  gm_gazetteer_close(g);
}

/* --------------------------------------------------- refused at open */

static void test_not_files(void)
{
  const char *missing = fx_path("no-such-file.gmz");
  gm_gazetteer *g = (gm_gazetteer *)&g;
  gm_error err;

  refused(missing, GM_EGAZETTEER, "No such file", "a missing file");
  refused(fx_tmpdir(), GM_EGAZETTEER, "not a regular file", "a directory");
  refused("/dev/null", GM_EGAZETTEER, "not a regular file", "/dev/null");
  ok(gm_gazetteer_open(NULL, &g, &err) == GM_EINVAL && g == NULL,
     "a NULL path is GM_EINVAL and *out is NULL");
}

static void test_foreign(void)
{
  static const unsigned char png[] = {
      0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
      'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4,
      0x89};
  unsigned char *buf = calloc(1, 4096);
  size_t len;
  unsigned char *p;

  memcpy(buf, png, sizeof png);
  refuse_bytes(buf, 4096, GM_EGAZETTEER, "magic", "a PNG image");
  refuse_bytes(png, sizeof png, GM_EGAZETTEER, "shorter than a header",
               "a PNG smaller than a header");
  free(buf);
  if ((p = fx_read("/bin/ls", &len))) {
    refuse_bytes(p, len, GM_EGAZETTEER, "magic", "a copy of /bin/ls");
    free(p);
  } else {
    ok(0, "cannot read /bin/ls");
  }
  if ((p = fx_read(fx_data("geonames-small.txt"), &len))) {
    refuse_bytes(p, len, GM_EGAZETTEER, "magic", "a GeoNames text file");
    free(p);
  }
  refuse_bytes("", 0, GM_EGAZETTEER, "empty file", "an empty file");
  buf = calloc(1, good_len);
  refuse_bytes(buf, good_len, GM_EGAZETTEER, "magic", "a file of NULs");
  refuse_bytes(buf, sizeof(gaz_header), GM_EGAZETTEER, "magic",
               "a header's worth of NULs");
  free(buf);
  /* A text-mode copy turns "\r\n" into "\n" and ends at ^Z: the magic
   * catches it. */
  p = copy_good();
  memmove(p + 5, p + 6, good_len - 6);
  refuse_bytes(p, good_len - 1, GM_EGAZETTEER, "magic",
               "a copy with CR LF turned into LF");
  free(p);
  /* Only the magic: everything after it is wrong. */
  p = copy_good();
  memset(p + 8, 0, sizeof(gaz_header) - 8);
  refuse_bytes(p, good_len, 0, NULL, "the magic and a zeroed header");
  free(p);
}

static void test_truncated(void)
{
  gaz_header h = header_of(good);
  size_t cuts[128], n = 0;
  char what[128];

  /* Every section boundary, a byte either side of it, and a few more. */
  cuts[n++] = 1;
  cuts[n++] = 7;
  cuts[n++] = 8;
  cuts[n++] = 64;
  cuts[n++] = sizeof h - 1;
  cuts[n++] = sizeof h;
  cuts[n++] = sizeof h + 1;
  cuts[n++] = good_len / 2;
  cuts[n++] = good_len - 8;
  cuts[n++] = good_len - 1;
  for (uint32_t i = 0; i < h.n_sections && n + 4 < 128; i++) {
    cuts[n++] = h.sections[i].offset;
    cuts[n++] = h.sections[i].offset + 1;
    cuts[n++] = h.sections[i].offset + h.sections[i].size;
    if (h.sections[i].size > 0)
      cuts[n++] = h.sections[i].offset + h.sections[i].size - 1;
  }
  qsort(cuts, n, sizeof *cuts, cmp_size);
  for (size_t i = 0; i < n; i++) {
    if (cuts[i] == 0 || cuts[i] >= good_len ||
        (i > 0 && cuts[i] == cuts[i - 1]))
      continue;
    snprintf(what, sizeof what, "cut to %zu of %zu bytes", cuts[i],
             good_len);
    refuse_bytes(good, cuts[i], GM_EGAZETTEER,
                 cuts[i] < sizeof h ? "shorter than a header" : "truncated",
                 what);
  }
  /* The last section ends before the file does (padding): still a cut. */
  ok(h.sections[h.n_sections - 1].offset + h.sections[h.n_sections - 1].size
         <= good_len,
     "the last section lies inside the file");
  {
    unsigned char *p = malloc(good_len + 1);
    memcpy(p, good, good_len);
    p[good_len] = 0;
    refuse_bytes(p, good_len + 1, GM_EGAZETTEER, "longer",
                 "a byte appended");
    free(p);
  }
}

static void test_header_bytes(void)
{
  unsigned char *p = copy_good();
  size_t failures = 0, eversion = 0;
  const char *path = fx_path("flip.gmz");

  /* Every bit pattern change of every header byte is refused. */
  for (size_t i = 0; i < sizeof(gaz_header); i++) {
    gm_error err = {0, ""};
    int rc;
    p[i] ^= 0x5a;
    if (fx_write(path, p, good_len) != 0)
      exit(99);
    rc = opens(path, &err);
    p[i] ^= 0x5a;
    if (rc == GM_EVERSION)
      eversion++;
    if (!((rc == GM_EGAZETTEER || rc == GM_EVERSION) &&
          strstr(err.message, path))) {
      if (failures++ == 0)
        diag("header byte %zu flipped: rc %d \"%s\"", i, rc, err.message);
    }
  }
  ok(failures == 0, "each of the %zu header bytes flipped is refused "
     "(%zu not)", sizeof(gaz_header), failures);
  ok(eversion == 2, "flipping a byte of the major version says so (%zu)",
     eversion);
  p[offsetof(gaz_header, data_version)] ^= 1;
  refuse_bytes(p, good_len, GM_EGAZETTEER, "header checksum",
               "a flipped data-version byte");
  free(p);
}

static void test_versions(void)
{
  unsigned char *p = copy_good();
  gaz_header h = header_of(good);
  char want[64];
  const char *path = fx_path("minor.gmz");
  gm_error err = {0, ""};

  h.major = GAZ_MAJOR + 1;
  reseal(p, h);
  snprintf(want, sizeof want, "format %d.%d", GAZ_MAJOR + 1, GAZ_MINOR);
  refuse_bytes(p, good_len, GM_EVERSION, want, "a future major version");
  h.major = 0;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EVERSION, "format 0.", "major version 0");

  /* A 2.0 file (no shapes: its regions are drawn with GEOS) opens. */
  h = header_of(good);
  h.minor = 0;
  for (uint32_t i = 0; i < h.n_sections; i++)
    if (h.sections[i].id == GAZ_SEC_SHAPES ||
        h.sections[i].id == GAZ_SEC_SHAPEDATA)
      h.sections[i].id = 77;
  reseal(p, h);
  fx_write(path, p, good_len);
  {
    gm_gazetteer *g = NULL;
    gm__gaz_shape shape;
    int rc = gm_gazetteer_open(path, &g, &err);
    ok(rc == 0 && gm__gaz_region_shape(g, 0, GM__PRECISION_DEFAULT,
                                       &shape) == GM_ENOTFOUND,
       "a 2.0 file without shapes opens and has none (%s)",
       rc ? err.message : "");
    gm_gazetteer_close(g);
  }

  /* A 2.1 file (no places population) opens; its units have no size. */
  h = header_of(good);
  h.minor = 1;
  for (uint32_t i = 0; i < h.n_sections; i++)
    if (h.sections[i].id == GAZ_SEC_PLACESPOP)
      h.sections[i].id = 77;
  reseal(p, h);
  fx_write(path, p, good_len);
  {
    gm_gazetteer *g = NULL;
    uint32_t unit;
    int rc = gm_gazetteer_open(path, &g, &err);
    ok(rc == 0 && gm_gazetteer_find_geonameid(g, 1009, &unit) == 0 &&
           gm__gaz_places_population(g, gm__gaz_entry(g, unit)) == 0,
       "a 2.1 file without places population opens, its units unsized "
       "(%s)", rc ? err.message : "");
    gm_gazetteer_close(g);
  }

  /* A newer minor version, with a section this reader does not know,
   * is read as it is. */
  h = header_of(good);
  h.minor = GAZ_MINOR + 3;
  if (h.n_sections < GAZ_MAX_SECTIONS) {
    gaz_section extra = {.id = 40, .offset = h.sections[0].offset,
                         .size = 8};
    h.sections[h.n_sections++] = extra;
  }
  reseal(p, h);
  fx_write(path, p, good_len);
  {
    gm_gazetteer *g = NULL;
    const gm_posting *post;
    size_t n = 0;
    int prefix, rc = gm_gazetteer_open(path, &g, &err);
    ok(rc == 0 && gm_gazetteer_postings(g, "alderford", 9, &post, &n,
                                        &prefix) == 0 && n == 1,
       "a newer minor version with an unknown section opens and answers "
       "(%s)", rc ? err.message : "");
    gm_gazetteer_close(g);
  }
  free(p);
}

/* Headers whose checksum is right but whose section table is not. */
static void test_section_table(void)
{
  gaz_header h0 = header_of(good), h;
  unsigned char *p = copy_good();
  gaz_section *s;

  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_ENTRIES);
  s->offset = good_len + 8;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "section entries lies outside",
               "the entries section past the end");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_KEYS);
  s->size = UINT64_MAX - 4;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "outside",
               "a keys section of 2^64 bytes (no overflow)");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_POSTINGS);
  s->offset += 4;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "outside",
               "a misaligned postings section");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_ENTRIES);
  s->size -= 4;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "entries has a bad size",
               "entries of a fractional number of records");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_SLOTS);
  s->size = 3 * sizeof(gaz_slot);
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "power of 2",
               "a hash table of 3 slots");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_BYID);
  s->id = 77;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "section by-id is missing",
               "no by-id section");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_SHAPES);
  s->id = 77;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "section shapes is missing",
               "a 2.1 file without shapes");
  h.minor = 0;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "shapes does not match",
               "a 2.0 file with shape data but no shapes");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_PLACESPOP);
  s->id = 77;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER,
               "section places population is missing",
               "a 2.2 file without places population");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_PLACESPOP);
  s->size -= 4;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER,
               "places population does not match",
               "places population for one entry fewer");
  h = h0;
  s = (gaz_section *)find_section(&h, GAZ_SEC_SHAPES);
  s->offset = find_section(&h, GAZ_SEC_STRINGS)->offset;
  s->size = sizeof(gaz_shape);
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "shapes does not match",
               "a shape for a region the file does not have");
  h = h0;
  h.n_sections = 3;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "missing", "3 sections only");
  h = h0;
  h.n_sections = GAZ_MAX_SECTIONS + 1;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "malformed header",
               "17 sections");
  h = h0;
  h.header_size += 8;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "malformed header",
               "a header of the wrong size");
  h = h0;
  h.file_size = good_len + 4096;
  reseal(p, h);
  refuse_bytes(p, good_len, GM_EGAZETTEER, "truncated",
               "a header that claims 4 KB more");
  /* The body is not checksummed at open, but the string pool's end is
   * checked, so no string can run off the mapping. */
  memcpy(p, good, good_len);
  s = (gaz_section *)find_section(&h0, GAZ_SEC_STRINGS);
  p[s->offset + s->size - 1] = 'x';
  refuse_bytes(p, good_len, GM_EGAZETTEER, "string pool",
               "an unterminated string pool");
  free(p);
}

static void test_verify(void)
{
  gaz_header h = header_of(good);
  const size_t offsets[] = {sizeof h, find_section(&h, GAZ_SEC_ENTRIES)->offset + 5,
                            good_len / 2, good_len - 1};
  const char *path = fx_path("body.gmz");

  for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
    unsigned char *p = copy_good();
    gm_gazetteer *g = NULL;
    gm_error err = {0, ""};
    int rc;
    p[offsets[i]] ^= 0x10;
    fx_write(path, p, good_len);
    rc = gm_gazetteer_open(path, &g, &err);
    if (g) {
      rc = gm_gazetteer_verify(g, &err);
      ok(rc == GM_EGAZETTEER && strstr(err.message, path) &&
             strstr(err.message, "body checksum"),
         "a body byte flipped at %zu: opens, and verify refuses it (%s)",
         offsets[i], err.message);
      gm_gazetteer_close(g);
    } else {
      ok(rc == GM_EGAZETTEER, "a body byte flipped at %zu: refused at open",
         offsets[i]);
    }
    free(p);
  }
}

/* ------------------------------------------- garbage behind a header */

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)rng;
}

static int count_name(void *arg, const char *key, size_t len)
{
  (void)key;
  (void)len;
  ++*(size_t *)arg;
  return 0;
}

/* Run every accessor over g; count answers that point outside the file
 * (a string out of range reads as a static ""). */
static size_t sweep(const gm_gazetteer *g, const char *const *names,
                    size_t n_names)
{
  size_t bad = 0, count = 0;
  const unsigned char *lo = g->base, *hi = g->base + g->size;
  gm_entry e;
  gm_region r;
  gm__gaz_shape s;
  uint32_t idx;

  for (uint32_t i = 0; i < g->n[GAZ_SEC_ENTRIES] + 2; i++)
    if (gm_gazetteer_entry(g, i, &e) == 0)
      bad += !(e.region == -1 ||
               (uint32_t)e.region < g->n[GAZ_SEC_REGIONS]) ||
             (((const unsigned char *)e.name < lo ||
               (const unsigned char *)e.name >= hi) && e.name[0]);
  for (uint32_t i = 0; i < g->n[GAZ_SEC_REGIONS] + 2; i++)
    if (gm_gazetteer_region(g, i, &r) == 0)
      bad += (r.wkb_full && (r.wkb_full < lo ||
                             r.wkb_full + r.wkb_full_len > hi)) ||
             (r.wkb_simple && (r.wkb_simple < lo ||
                               r.wkb_simple + r.wkb_simple_len > hi)) ||
             (r.n_members &&
              ((const unsigned char *)r.members < lo ||
               (const unsigned char *)(r.members + r.n_members) > hi)) ||
             r.entry >= g->n[GAZ_SEC_ENTRIES];
  for (uint32_t i = 0; i < g->n[GAZ_SEC_REGIONS] + 2; i++)
    if (gm__gaz_region_shape(g, i, GM__PRECISION_DEFAULT, &s) == 0)
      bad += (s.n_points && ((const unsigned char *)s.lonlat < lo ||
                             (const unsigned char *)(s.lonlat +
                                                     2 * s.n_points) > hi)) ||
             (const unsigned char *)(s.poly_end + s.n_polys) > hi ||
             (s.n_rings && s.ring_end[s.n_rings - 1] != s.n_points) ||
             (s.n_polys && s.poly_end[s.n_polys - 1] != s.n_rings);
  for (uint32_t id = 0; id < 2000; id += 7)
    if (gm_gazetteer_find_geonameid(g, id, &idx) == 0)
      bad += idx >= g->n[GAZ_SEC_ENTRIES];
  gm_gazetteer_find_region(g, "region:donbas", &idx);
  gm_gazetteer_each_name(g, count_name, &count);
  for (size_t i = 0; i < n_names; i++) {
    const gm_posting *p;
    size_t n = 0;
    int prefix;
    gm_candidate *c = NULL;
    gm_error err;
    char key[256];
    int len = gm_normalize(names[i], strlen(names[i]), key, sizeof key);
    if (gm_gazetteer_postings(g, key, (size_t)len, &p, &n, &prefix) == 0)
      bad += n && ((const unsigned char *)p < lo ||
                   (const unsigned char *)(p + n) > hi);
    if (gm_lookup(g, names[i], strlen(names[i]), NULL, &c, &n, &err) == 0)
      for (size_t k = 0; k < n; k++)
        bad += c[k].entry >= g->n[GAZ_SEC_ENTRIES];
    free(c);
    gm__gaz_word(g, key, (size_t)len);
  }
  return bad;
}

/* Fill each section in turn with random bytes (the string pool keeps its
 * final NUL, which open checks), and sweep the accessors. */
static void test_garbage(const char *source, const char *label,
                         unsigned sections, const char *const *names,
                         size_t n_names)
{
  size_t len;
  unsigned char *orig = fx_read(source, &len), *p;
  gaz_header h;
  const char *path = fx_path("garbage.gmz");

  if (!orig) {
    ok(0, "%s: cannot read %s", label, source);
    return;
  }
  h = header_of(orig);
  p = malloc(len);
  for (uint32_t s = 0; s < h.n_sections; s++) {
    const gaz_section *sec = &h.sections[s];
    size_t bad = 0;
    int rc;
    gm_gazetteer *g = NULL;
    gm_error err;
    if (sec->id >= 32 || !(sections & (1u << sec->id)))
      continue;
    memcpy(p, orig, len);
    for (size_t i = 0; i < sec->size; i++)
      p[sec->offset + i] = (unsigned char)next_rand();
    if (sec->id == GAZ_SEC_STRINGS && sec->size)
      p[sec->offset + sec->size - 1] = 0;
    fx_write(path, p, len);
    rc = gm_gazetteer_open(path, &g, &err);
    if (rc == 0) {
      bad = sweep(g, names, n_names);
      gm_gazetteer_close(g);
    }
    ok((rc == 0 || rc == GM_EGAZETTEER) && bad == 0,
       "%s: section %u of random bytes: %s, no answer outside the file "
       "(%zu) %s", label, sec->id, rc ? "refused" : "opens", bad,
       rc ? err.message : "");
  }
  free(p);
  free(orig);
}

/* ------------------------------------------------ the stored shapes */

/* v as the GeoJSON writer prints a position (out_json.c). */
static const char *printed(gm__json *j, double v)
{
  gm__json_reset(j);
  gm__json_coord(j, v, GM__PRECISION_DEFAULT);
  return j->status ? "" : j->out.data;
}

/* Whether a stored shape prints as GEOS's: the same rings and polygons,
 * every position the same digits, the same bbox. */
static int prints_as(const gm__gaz_shape *s, const gm__shape *want)
{
  double grid = gm__geo_grid(GM__PRECISION_DEFAULT);
  gm__json a = {0}, b = {0};
  int same = s->n_points == want->n_points && s->n_rings == want->n_rings &&
             s->n_polys == want->n_polys &&
             memcmp(s->bbox, want->bbox, sizeof s->bbox) == 0 &&
             (!s->n_rings || memcmp(s->ring_end, want->ring_end,
                                    s->n_rings * sizeof *s->ring_end) == 0) &&
             (!s->n_polys || memcmp(s->poly_end, want->poly_end,
                                    s->n_polys * sizeof *s->poly_end) == 0);

  for (size_t i = 0; same && i < 2 * s->n_points; i++)
    same = strcmp(printed(&a, s->lonlat[i] * grid),
                  printed(&b, want->xy[i])) == 0;
  gm__json_free(&a);
  gm__json_free(&b);
  return same;
}

/* Every region of the default gazetteer with a polygon has its shape
 * stored for the default options, and it prints as what GEOS makes of
 * the simplified copy; other precisions have none (GEOS draws them). */
static void test_shapes(const char *path)
{
  gm_gazetteer *g = NULL;
  gm__geo *geo = NULL;
  gm_error err = {0, ""};
  size_t polygons = 0, stored = 0, same = 0, other = 0;
  uint32_t differs = UINT32_MAX;

  if (!ok(gm_gazetteer_open(path, &g, &err) == 0 && gm__geo_new(&geo) == 0,
          "open %s (%s)", path, err.message))
    goto done;
  for (uint32_t i = 0; i < g->n[GAZ_SEC_REGIONS]; i++) {
    gm__shape_options so = {.precision = GM__PRECISION_DEFAULT};
    gm_region r;
    gm__gaz_shape s;
    gm__shape want;
    if (gm_gazetteer_region(g, i, &r) || !r.wkb_simple_len)
      continue;
    polygons++;
    other += gm__gaz_region_shape(g, i, GM__PRECISION_DEFAULT - 1, &s) !=
                 GM_ENOTFOUND ||
             gm__gaz_region_shape(g, i, GM__PRECISION_DEFAULT + 1, &s) !=
                 GM_ENOTFOUND;
    if (gm__gaz_region_shape(g, i, GM__PRECISION_DEFAULT, &s))
      continue;
    stored++;
    if (gm__geo_shape(geo, r.wkb_simple, r.wkb_simple_len, &so, &want) == 0 &&
        prints_as(&s, &want))
      same++;
    else if (differs == UINT32_MAX)
      differs = i;
    gm__shape_free(&want);
  }
  ok(polygons > 4000 && stored == polygons,
     "each of the %zu regions with a polygon has a stored shape (%zu)",
     polygons, stored);
  ok(same == stored,
     "%zu of %zu print as GEOS's shape of the simplified copy (first "
     "difference: region %u)", same, stored, differs);
  ok(other == 0, "none is stored for other precisions (%zu)", other);
done:
  gm__geo_free(geo);
  gm_gazetteer_close(g);
}

/* Stored shapes spoilt in a copy of the default gazetteer: each is
 * refused with GM_EGAZETTEER, the writer says so, the others stay. */
static void test_bad_shapes(const char *path)
{
  static const char *what[] = {"data past the section's end",
                               "2^32 - 1 points", "ring ends out of order",
                               "a ring fewer than its ends"};
  size_t len;
  unsigned char *p = fx_read(path, &len);
  const char *copy = fx_path("bad-shapes.gmz");
  gm_gazetteer *g = NULL;
  gm_error err = {0, ""};
  gaz_header h;
  gaz_shape *rec;
  uint32_t pick[5], n = 0, words;
  int rc;

  if (!ok(p != NULL, "read %s", path))
    return;
  h = header_of(p);
  rec = (gaz_shape *)(p + find_section(&h, GAZ_SEC_SHAPES)->offset);
  words = (uint32_t)(find_section(&h, GAZ_SEC_SHAPEDATA)->size / 4);
  /* Five shapes of two rings or more: four to spoil, one kept. */
  for (uint32_t i = 0; n < 5 && i < find_section(&h, GAZ_SEC_SHAPES)->size /
                                         sizeof *rec; i++)
    if (rec[i].precision == GM__PRECISION_DEFAULT && rec[i].n_rings >= 2)
      pick[n++] = i;
  if (!ok(n == 5, "five shapes of two rings or more"))
    goto done;
  rec[pick[0]].data = words - 1;
  rec[pick[1]].n_points = UINT32_MAX;
  {
    uint32_t *ends = (uint32_t *)(p +
                                  find_section(&h, GAZ_SEC_SHAPEDATA)->offset) +
                     rec[pick[2]].data + 2 * (size_t)rec[pick[2]].n_points;
    ends[0] = ends[1] + 1;
  }
  rec[pick[3]].n_rings--;
  fx_write(copy, p, len);
  if (!ok((rc = gm_gazetteer_open(copy, &g, &err)) == 0,
          "the copy opens (%s)", err.message))
    goto done;
  for (uint32_t k = 0; k < 4; k++) {
    gm__gaz_shape s;
    gm_region r;
    gm_candidate c = {.distance_km = -1};
    FILE *f = tmpfile();
    rc = gm__gaz_region_shape(g, pick[k], GM__PRECISION_DEFAULT, &s);
    if (gm_gazetteer_region(g, pick[k], &r) == 0)
      c.entry = r.entry;
    ok(rc == GM_EGAZETTEER && f &&
           gm__out_lookup(f, g, &c, 1) == GM_EGAZETTEER,
       "%s: refused, and lookup's GeoJSON fails with GM_EGAZETTEER", what[k]);
    if (f)
      fclose(f);
  }
  {
    gm__gaz_shape s;
    ok(gm__gaz_region_shape(g, pick[4], GM__PRECISION_DEFAULT, &s) == 0,
       "a shape left alone is still read");
  }
done:
  gm_gazetteer_close(g);
  free(p);
}

int main(void)
{
  static char small[4200];   /* fx_path's buffers are reused */
  const char *dumps[1];
  const char *gaz = getenv("GEOMENTION_GAZETTEER");
  static const char *const names[] = {
      "Alderford", "Kruta Balka", "Cedar", "Kruta", "Олдерфорд", "Høyfjell",
      "Donets'k Ridge", "Kyiv", "Donbas", "Crimea", "Paris", "Ukraine"};
  gm_error err = {0, ""};
  int rc;

  snprintf(small, sizeof small, "%s", fx_path("small.gmz"));
  dumps[0] = fx_data("geonames-small.txt");
  rc = fx_build(small, dumps, 1, &err);
  if (!ok(rc == 0, "build the small gazetteer from %s (%s)", dumps[0],
          err.message) ||
      !(good = fx_read(small, &good_len)))
    return tap_done();
  test_good(small);
  test_filter(small);
  test_not_files();
  test_foreign();
  test_truncated();
  test_header_bytes();
  test_versions();
  test_section_table();
  test_verify();
  test_garbage(small, "small", ~0u, names, sizeof names / sizeof *names);
  /* The default gazetteer has regions, members, geometry, shapes and
   * words. */
  if (gaz && *gaz) {
    test_shapes(gaz);
    test_bad_shapes(gaz);
  }
  if (gaz && *gaz)
    test_garbage(gaz, "default",
                 1u << GAZ_SEC_REGIONS | 1u << GAZ_SEC_MEMBERS |
                     1u << GAZ_SEC_KEYS | 1u << GAZ_SEC_SLOTS |
                     1u << GAZ_SEC_WORDS | 1u << GAZ_SEC_WORDSLOTS |
                     1u << GAZ_SEC_SHAPES | 1u << GAZ_SEC_SHAPEDATA,
                 names, sizeof names / sizeof *names);
  free(good);
  return tap_done();
}
