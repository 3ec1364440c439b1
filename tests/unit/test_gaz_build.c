/*
 * test_gaz_build.c — the gazetteer builder on GeoNames-format input
 * (src/gaz_build.c, src/gaz_geonames.c, src/io_lines.c).
 *
 * Reproducibility (the same inputs give the same bytes, wherever they
 * lie), layering (a later dump updates entries by geonameid and adds its
 * names), malformed rows (skipped, counted, never fatal), packed inputs
 * (gzip, a zip archive as GeoNames serves it) and failures that must
 * leave no output behind.
 */
#include <dirent.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <minizip/zip.h>
#include <zlib.h>

#include "gaz_format.h"
#include "gaz_reader.h"
#include "internal.h"
#include "tap.h"
#include "fixture.h"

/* ------------------------------------------------------------ helpers */

typedef struct built {
  char path[4200];
  gm_gazetteer *g;
  char messages[4096];   /* the builder's progress, one per line */
  char warnings[4096];   /* its warnings, one per line */
} built;

static void append(char *to, size_t size, const char *what)
{
  size_t n = strlen(to);
  snprintf(to + n, size - n, "%s\n", what);
}

static void progress(void *arg, const char *what)
{
  built *b = arg;
  append(b->messages, sizeof b->messages, what);
}

static void warning(void *arg, const char *what)
{
  built *b = arg;
  append(b->warnings, sizeof b->warnings, what);
}

/* Build from the given dumps alone into name; open the result. */
static int build(built *b, const char *name, const char *const *dumps,
                 size_t n, gm_error *err)
{
  gm_build_options opt = {0};
  int rc;

  memset(b, 0, sizeof *b);
  snprintf(b->path, sizeof b->path, "%s", fx_path(name));
  opt.geonames = dumps;
  opt.n_geonames = n;
  opt.skip_bundled = 1;
  opt.progress = progress;
  opt.progress_arg = b;
  opt.warning = warning;
  opt.warning_arg = b;
  rc = gm_gazetteer_build(&opt, b->path, err);
  if (rc == 0)
    rc = gm_gazetteer_open(b->path, &b->g, err);
  return rc;
}

static void unbuild(built *b)
{
  gm_gazetteer_close(b->g);
  b->g = NULL;
}

static int same_file(const char *a, const char *b)
{
  size_t la, lb;
  unsigned char *pa = fx_read(a, &la), *pb = fx_read(b, &lb);
  int same = pa && pb && la == lb && memcmp(pa, pb, la) == 0;
  free(pa);
  free(pb);
  return same;
}

static int same_section(const gm_gazetteer *a, const gm_gazetteer *b,
                        unsigned id, size_t record)
{
  return a->n[id] == b->n[id] &&
         memcmp(a->sec[id], b->sec[id], a->n[id] * record) == 0;
}

/* The META section as a string (it is not NUL-terminated on disk). */
static const char *meta(const gm_gazetteer *g)
{
  static char buf[4096];
  size_t n = g->n[GAZ_SEC_META] < sizeof buf - 1 ? g->n[GAZ_SEC_META]
                                                  : sizeof buf - 1;
  memcpy(buf, g->sec[GAZ_SEC_META], n);
  buf[n] = '\0';
  return buf;
}

/* The entries a name reaches: their geonameids, in posting order. */
static size_t reaches(const gm_gazetteer *g, const char *name, uint32_t *ids,
                      size_t cap, unsigned *how)
{
  char key[256];
  const gm_posting *p;
  size_t n = 0;
  int prefix, len = gm_normalize(name, strlen(name), key, sizeof key);

  if (len < 0 || gm_gazetteer_postings(g, key, (size_t)len, &p, &n, &prefix))
    return 0;
  for (size_t i = 0; i < n && i < cap; i++) {
    gm_entry e;
    ids[i] = gm_gazetteer_entry(g, p[i].entry, &e) == 0 ? e.geonameid : 0;
    if (how)
      how[i] = p[i].how;
  }
  return n;
}

static int entry_by_id(const gm_gazetteer *g, uint32_t id, gm_entry *e)
{
  uint32_t idx;
  return gm_gazetteer_find_geonameid(g, id, &idx) == 0 &&
         gm_gazetteer_entry(g, idx, e) == 0;
}

/* No file in the scratch directory is a builder's temporary. */
static int no_temporaries(void)
{
  DIR *d = opendir(fx_tmpdir());
  struct dirent *de;
  int clean = d != NULL;

  while (d && (de = readdir(d)))
    if (strstr(de->d_name, ".tmp-"))
      clean = 0;
  if (d)
    closedir(d);
  return clean;
}

static int is_fifo(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* ---------------------------------------------------- reproducibility */

static void test_reproducible(const char *small)
{
  built a, b, c;
  gm_error err = {0, ""};
  const char *dumps[1] = {small};
  char moved[4200];
  size_t len;
  unsigned char *text = fx_read(small, &len);
  int rc;

  rc = build(&a, "repro-a.gmz", dumps, 1, &err);
  ok(rc == 0, "build once (%s)", err.message);
  rc = build(&b, "repro-b.gmz", dumps, 1, &err);
  ok(rc == 0 && same_file(a.path, b.path),
     "the same dump built twice gives identical bytes");
  /* The same bytes under the same name in another directory. */
  snprintf(moved, sizeof moved, "%s", fx_path("elsewhere"));
  mkdir(moved, 0755);
  snprintf(moved + strlen(moved), sizeof moved - strlen(moved),
           "/geonames-small.txt");
  fx_write(moved, text, len);
  dumps[0] = moved;
  rc = build(&c, "repro-c.gmz", dumps, 1, &err);
  ok(rc == 0 && same_file(a.path, c.path),
     "the same dump in another directory gives identical bytes");
  unbuild(&c);
  /* One digit of one population changed: the checksum and the bytes
   * change too. */
  {
    char *p = strstr((char *)text, "\t250000\t");
    if (p)
      p[1] = '3';
    fx_write(moved, text, len);
    rc = build(&c, "repro-d.gmz", dumps, 1, &err);
    ok(rc == 0 && p && !same_file(a.path, c.path) &&
           strcmp(a.g->header->source_checksum,
                  c.g->header->source_checksum) != 0,
       "a changed population changes the source checksum and the file");
    unbuild(&c);
  }
  /* gm_gazetteer_write to a stream: the bytes gm_gazetteer_build puts in
   * place. */
  {
    gm_build_options opt = {.geonames = dumps, .n_geonames = 1,
                            .skip_bundled = 1};
    char streamed[4200];
    FILE *f;
    dumps[0] = small;
    snprintf(streamed, sizeof streamed, "%s", fx_path("repro-stream.gmz"));
    f = fopen(streamed, "w+b");
    rc = f ? gm_gazetteer_write(&opt, f, "stream", &err) : -1;
    ok(f && fclose(f) == 0 && rc == 0 && same_file(a.path, streamed),
       "gm_gazetteer_write gives gm_gazetteer_build's bytes (%s)",
       err.message);
    ok(gm_gazetteer_write(&opt, NULL, "x", &err) == GM_EINVAL &&
           gm_gazetteer_write(NULL, stdout, "x", &err) == GM_EINVAL,
       "gm_gazetteer_write without a stream or options is GM_EINVAL");
  }
  unbuild(&a);
  unbuild(&b);
  free(text);
}

/* ----------------------------------------------------------- layering */

static void test_layering(const char *small, const char *overlay)
{
  built one, two, twice;
  gm_error err = {0, ""};
  const char *dumps[2] = {small, overlay};
  uint32_t ids[8] = {0};
  unsigned how[8] = {0};
  gm_entry e;
  int rc;

  rc = build(&one, "layer-one.gmz", dumps, 1, &err);
  rc = rc ? rc : build(&two, "layer-two.gmz", dumps, 2, &err);
  if (!ok(rc == 0, "build the fixture alone and with the overlay (%s)",
          err.message))
    return;
  ok(one.g->n[GAZ_SEC_ENTRIES] == 12 && two.g->n[GAZ_SEC_ENTRIES] == 13,
     "the overlay adds one entry and merges two (12 -> %zu)",
     two.g->n[GAZ_SEC_ENTRIES]);
  ok(entry_by_id(two.g, 1001, &e) && strcmp(e.name, "Alderford") == 0 &&
         e.lat == 10.55 && e.lon == 20.3 && e.population == 260000,
     "1001 keeps its first name and takes the overlay's point and "
     "population (%s %.2f %.2f %u)", e.name, e.lat, e.lon, e.population);
  /* (Its ASCII name is indexed as an ASCII name, though the entry keeps
   * its first ASCII name: either way, not as the entry's name.) */
  ok(reaches(two.g, "Alderford City", ids, 8, how) == 1 && ids[0] == 1001 &&
         (how[0] == GM_HOW_ALTERNATE || how[0] == GM_HOW_ASCII),
     "the overlay's name for 1001 reaches it, not as its name (how %u)",
     how[0]);
  ok(reaches(two.g, "Aldrefort", ids, 8, NULL) == 1 && ids[0] == 1001,
     "the overlay's alternate name reaches 1001");
  ok(reaches(two.g, "Alderford", ids, 8, how) == 1 && ids[0] == 1001 &&
         how[0] == GM_HOW_NAME,
     "the first dump's name still reaches 1001, once, as its name");
  ok(reaches(two.g, "Олдерфорд", ids, 8, NULL) == 1 && ids[0] == 1001,
     "the first dump's alternates still reach 1001");
  ok(entry_by_id(two.g, 1003, &e) && e.population == 1200 &&
         e.lat == 11.05,
     "1003: a population of 0 in the overlay does not erase 1200, its "
     "point moves (%u, %.2f)", e.population, e.lat);
  ok(reaches(two.g, "Cedar Holm", ids, 8, NULL) == 1 && ids[0] == 1003 &&
         reaches(two.g, "Cedar Hollow", ids, 8, NULL) == 1 && ids[0] == 1003,
     "1003 is reached by its old and its new name");
  ok(entry_by_id(two.g, 1013, &e) && strcmp(e.name, "Fernwater") == 0 &&
         reaches(two.g, "Fern Water", ids, 8, NULL) == 1 && ids[0] == 1013,
     "a new row of the overlay is a new entry with its names");
  ok(entry_by_id(two.g, 1004, &e) && e.population == 300,
     "rows the overlay does not touch are as they were");
  ok(strstr(meta(two.g), "geonames=geonames-small.txt rows=12 skipped=0\n") &&
         strstr(meta(two.g),
                "geonames=geonames-overlay.txt rows=3 skipped=0\n"),
     "META records each dump and its row counts");

  /* The same dump layered on itself changes no entry and no posting. */
  dumps[1] = small;
  rc = build(&twice, "layer-twice.gmz", dumps, 2, &err);
  ok(rc == 0 && same_section(one.g, twice.g, GAZ_SEC_ENTRIES,
                             sizeof(gaz_entry)) &&
         same_section(one.g, twice.g, GAZ_SEC_KEYS, sizeof(gaz_key)) &&
         same_section(one.g, twice.g, GAZ_SEC_POSTINGS,
                      sizeof(gaz_posting)) &&
         same_section(one.g, twice.g, GAZ_SEC_STRINGS, 1),
     "a dump layered on itself gives the same entries, keys, postings "
     "and strings");
  unbuild(&twice);
  unbuild(&one);
  unbuild(&two);
}

/* A unit's size is the summed population of its places (PLACESPOP),
 * beside its own population, which stays GeoNames'. */
static void test_places_population(const char *small, const char *overlay)
{
  built one, two;
  gm_error err = {0, ""};
  const char *dumps[2] = {small, overlay};
  uint32_t unit, place;
  const gaz_entry *u;
  int rc;

  rc = build(&one, "places-one.gmz", dumps, 1, &err);
  rc = rc ? rc : build(&two, "places-two.gmz", dumps, 2, &err);
  if (!ok(rc == 0 && gm_gazetteer_find_geonameid(one.g, 1009, &unit) == 0 &&
              gm_gazetteer_find_geonameid(one.g, 1001, &place) == 0,
          "build the fixture alone and with the overlay (%s)", err.message))
    return;
  u = gm__gaz_entry(one.g, unit);
  ok(u && gm__gaz_places_population(one.g, u) == 250000 + 48000 &&
         u->population == 600000,
     "Northshire (XA.01) is sized by Alderford and Brookmere, 298000; its "
     "population stays GeoNames' 600000 (%u, %u)",
     u ? gm__gaz_places_population(one.g, u) : 0, u ? u->population : 0);
  ok(gm__gaz_places_population(one.g, gm__gaz_entry(one.g, place)) == 0,
     "a place has no places population");
  ok(gm_gazetteer_find_geonameid(two.g, 1009, &unit) == 0 &&
         gm__gaz_places_population(two.g, gm__gaz_entry(two.g, unit)) ==
             260000 + 48000,
     "a layered dump's population of Alderford counts in Northshire's");
  unbuild(&one);
  unbuild(&two);
}

/* -------------------------------------------------------- bad rows */

static void test_malformed(const char *malformed)
{
  built b;
  gm_error err = {0, ""};
  const char *dumps[1] = {malformed};
  uint32_t ids[8] = {0};
  gm_entry e;
  int rc = build(&b, "malformed.gmz", dumps, 1, &err);
  static const uint32_t good[] = {2001, 2003, 2004, 2005, 2017, 2018};
  size_t found = 0;

  if (!ok(rc == 0, "malformed rows are not fatal (%s)", err.message))
    return;
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    found += entry_by_id(b.g, good[i], &e);
  ok(found == 6 && b.g->n[GAZ_SEC_ENTRIES] == 6,
     "the 6 good rows are entries, and only they (%zu, %zu)", found,
     b.g->n[GAZ_SEC_ENTRIES]);
  ok(strstr(meta(b.g), "rows=6 skipped=14\n") != NULL,
     "META counts 6 rows and 14 skipped");
  ok(strstr(b.warnings, "geonames-malformed.txt:3: skipped: fewer than 18") &&
         strstr(b.warnings, "skipped 14 malformed rows") &&
         !strstr(b.messages, "skipped"),
     "warnings (not progress) name the first bad line and the count");
  ok(entry_by_id(b.g, 2017, &e) && e.population == 0,
     "a negative population reads as none, not 2^32-1 (%u)", e.population);
  ok(entry_by_id(b.g, 2018, &e) && strcmp(e.name, "Goodlastline") == 0,
     "the last line without a newline is read");
  ok(entry_by_id(b.g, 2001, &e) && strcmp(e.name, "Goodtown") == 0 &&
         reaches(b.g, "Goodtown", ids, 8, NULL) == 1,
     "a CR LF row is read without its CR");
  ok(reaches(b.g, "Good bytes", ids, 8, NULL) == 1 && ids[0] == 2004,
     "a name with an invalid byte is indexed with the byte as a space");
  ok(reaches(b.g, "Nul", ids, 8, NULL) == 0 &&
         reaches(b.g, "Shortrow", ids, 8, NULL) == 0 &&
         reaches(b.g, "Badlat", ids, 8, NULL) == 0,
     "no name of a skipped row is indexed");
  unbuild(&b);

  /* Something that is not a GeoNames dump at all. */
  dumps[0] = "/bin/ls";
  rc = build(&b, "ls.gmz", dumps, 1, &err);
  ok(rc == GM_EFORMAT && strstr(err.message, "/bin/ls: no GeoNames rows") &&
         access(b.path, F_OK) != 0 && no_temporaries(),
     "a binary as a dump is refused, naming it, with no output (%d %s)", rc,
     err.message);
  unbuild(&b);
}

/* ------------------------------------------------------ packed inputs */

static int write_gzip(const char *path, const unsigned char *p, size_t n)
{
  gzFile z = gzopen(path, "wb9");
  int bad;
  if (!z)
    return -1;
  bad = gzwrite(z, p, (unsigned)n) != (int)n;
  return (gzclose(z) != Z_OK || bad) ? -1 : 0;
}

static int write_zip(const char *path, const unsigned char *p, size_t n)
{
  zipFile z = zipOpen64(path, 0);
  static const char readme[] = "readme for this zip\tnot\ta\trow\n";
  zip_fileinfo info = {0};
  int bad = !z;

  /* GeoNames puts a readme.txt beside the dump: it must be passed over. */
  bad = bad || zipOpenNewFileInZip64(z, "readme.txt", &info, NULL, 0, NULL,
                                     0, NULL, Z_DEFLATED, 6, 0) != ZIP_OK ||
        zipWriteInFileInZip(z, readme, sizeof readme - 1) != ZIP_OK ||
        zipCloseFileInZip(z) != ZIP_OK;
  bad = bad || zipOpenNewFileInZip64(z, "XA.txt", &info, NULL, 0, NULL, 0,
                                     NULL, Z_DEFLATED, 6, 0) != ZIP_OK ||
        zipWriteInFileInZip(z, p, (unsigned)n) != ZIP_OK ||
        zipCloseFileInZip(z) != ZIP_OK;
  if (z && zipClose(z, NULL) != ZIP_OK)
    bad = 1;
  return bad ? -1 : 0;
}

static void test_packed(const char *small)
{
  built plain, gz, zip, cut;
  gm_error err = {0, ""};
  const char *dumps[1] = {small};
  char gz_path[4200], zip_path[4200], cut_path[4200];
  size_t len, gz_len;
  unsigned char *text = fx_read(small, &len), *packed;
  int rc;

  snprintf(gz_path, sizeof gz_path, "%s", fx_path("XA.txt.gz"));
  snprintf(zip_path, sizeof zip_path, "%s", fx_path("XA.zip"));
  snprintf(cut_path, sizeof cut_path, "%s", fx_path("XA-cut.txt.gz"));
  if (!ok(text && write_gzip(gz_path, text, len) == 0 &&
              write_zip(zip_path, text, len) == 0,
          "write the fixture gzipped and zipped"))
    return;
  rc = build(&plain, "plain.gmz", dumps, 1, &err);
  dumps[0] = gz_path;
  rc = rc ? rc : build(&gz, "gz.gmz", dumps, 1, &err);
  ok(rc == 0 && same_section(plain.g, gz.g, GAZ_SEC_ENTRIES,
                             sizeof(gaz_entry)) &&
         same_section(plain.g, gz.g, GAZ_SEC_POSTINGS, sizeof(gaz_posting)),
     "a gzipped dump gives the same entries and postings (%s)",
     rc ? err.message : "");
  dumps[0] = zip_path;
  rc = build(&zip, "zip.gmz", dumps, 1, &err);
  ok(rc == 0 && same_section(plain.g, zip.g, GAZ_SEC_ENTRIES,
                             sizeof(gaz_entry)) &&
         same_section(plain.g, zip.g, GAZ_SEC_POSTINGS, sizeof(gaz_posting)),
     "a zip with a readme and the dump gives the same entries (%s)",
     rc ? err.message : "");
  unbuild(&gz);
  unbuild(&zip);
  unbuild(&plain);

  /* A gzip stream cut short is an error, and leaves nothing behind. */
  packed = fx_read(gz_path, &gz_len);
  fx_write(cut_path, packed, gz_len / 2);
  dumps[0] = cut_path;
  rc = build(&cut, "cut.gmz", dumps, 1, &err);
  ok(rc == GM_EFORMAT && strstr(err.message, cut_path) &&
         access(cut.path, F_OK) != 0 && no_temporaries(),
     "a truncated gzip dump fails, naming it, with no output (%d %s)", rc,
     err.message);
  unbuild(&cut);
  /* A stored (uncompressed) member with one byte changed inflates
   * fine: only its CRC tells. */
  {
    zipFile z = zipOpen64(cut_path, 0);
    zip_fileinfo info = {0};
    unsigned char *zbytes;
    size_t zlen;
    int wrote = z && zipOpenNewFileInZip64(z, "XA.txt", &info, NULL, 0,
                                           NULL, 0, NULL, 0, 0, 0) == ZIP_OK &&
                zipWriteInFileInZip(z, text, (unsigned)len) == ZIP_OK &&
                zipCloseFileInZip(z) == ZIP_OK;
    if (z)
      zipClose(z, NULL);
    zbytes = fx_read(cut_path, &zlen);
    if (wrote && zbytes) {
      unsigned char *at = memmem(zbytes, zlen, "Brookmere", 9);
      if (at)
        at[0] = 'C';   /* Crookmere: still a good row */
      fx_write(cut_path, zbytes, zlen);
      rc = build(&cut, "cut.gmz", dumps, 1, &err);
      ok(at && rc == GM_EFORMAT && strstr(err.message, cut_path) &&
             strstr(err.message, "CRC") && access(cut.path, F_OK) != 0,
         "a stored zip member with a changed byte fails its CRC (%s)",
         err.message);
      unbuild(&cut);
    } else {
      ok(0, "write a stored zip");
    }
    free(zbytes);
  }
  /* A zip without a .txt member. */
  {
    zipFile z = zipOpen64(cut_path, 0);
    zip_fileinfo info = {0};
    if (z) {
      zipOpenNewFileInZip64(z, "readme.txt", &info, NULL, 0, NULL, 0, NULL,
                            Z_DEFLATED, 6, 0);
      zipWriteInFileInZip(z, "x\n", 2);
      zipCloseFileInZip(z);
      zipClose(z, NULL);
    }
    rc = build(&cut, "cut.gmz", dumps, 1, &err);
    ok(rc == GM_EFORMAT && strstr(err.message, cut_path) &&
           strstr(err.message, ".txt") && access(cut.path, F_OK) != 0,
       "a zip with no dump in it fails, naming it (%s)", err.message);
    unbuild(&cut);
  }
  free(packed);
  free(text);
}

/* A symlink out_path stays a symlink and the file it leads to is
 * replaced (the rename was over the link itself). */
static void test_through_symlink(const gm_build_options *opt)
{
  char target[4200], link[4200];
  gm_gazetteer *g = NULL;
  gm_error err = {0, ""};
  struct stat st;
  int rc;

  snprintf(target, sizeof target, "%s", fx_path("link-target.gmz"));
  snprintf(link, sizeof link, "%s", fx_path("link.gmz"));
  fx_write(target, "old", 3);
  unlink(link);
  rc = symlink("link-target.gmz", link) ? -1
                                         : gm_gazetteer_build(opt, link, &err);
  ok(rc == 0 && lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
         gm_gazetteer_open(target, &g, &err) == 0 && no_temporaries(),
     "a build through a symlink replaces its target and keeps the link (%s)",
     err.message);
  gm_gazetteer_close(g);
  unlink(link);
  unlink(target);
}

static void test_failures(const char *small)
{
  built b;
  gm_error err = {0, ""};
  const char *dumps[2] = {small, NULL};
  gm_build_options opt = {0};
  char out[4200];
  int rc;

  dumps[1] = fx_path("no-such-dump.txt");
  rc = build(&b, "missing.gmz", dumps, 2, &err);
  ok(rc == GM_EIO && strstr(err.message, "no-such-dump.txt") &&
         access(b.path, F_OK) != 0 && no_temporaries(),
     "a missing dump fails, naming it, with no output (%s)", err.message);
  unbuild(&b);

  opt.geonames = dumps;
  opt.n_geonames = 1;
  opt.skip_bundled = 1;
  snprintf(out, sizeof out, "%s/no/such/dir/x.gmz", fx_tmpdir());
  rc = gm_gazetteer_build(&opt, out, &err);
  ok(rc == GM_EIO && strstr(err.message, "no/such/dir"),
     "an output in a missing directory fails, naming it (%s)", err.message);
  ok(gm_gazetteer_build(NULL, out, &err) == GM_EINVAL &&
         gm_gazetteer_build(&opt, NULL, &err) == GM_EINVAL,
     "no options or no output path is GM_EINVAL");
  opt.skip_bundled = 0;
  ok(gm_gazetteer_build(&opt, out, &err) == GM_EINVAL,
     "bundled sources without a sources_dir is GM_EINVAL");

  /* A build over an existing file replaces it whole. */
  snprintf(out, sizeof out, "%s", fx_path("replaced.gmz"));
  fx_write(out, "old", 3);
  opt.skip_bundled = 1;
  rc = gm_gazetteer_build(&opt, out, &err);
  {
    gm_gazetteer *g = NULL;
    ok(rc == 0 && gm_gazetteer_open(out, &g, &err) == 0 && no_temporaries(),
       "a build over an existing file replaces it");
    gm_gazetteer_close(g);
  }
  /* Renamed over, a FIFO would become a regular file. */
  snprintf(out, sizeof out, "%s", fx_path("out.fifo"));
  unlink(out);
  rc = mkfifo(out, 0600) ? -1 : gm_gazetteer_build(&opt, out, &err);
  ok(rc == GM_EINVAL && strstr(err.message, "out.fifo: not a regular file") &&
         is_fifo(out) && no_temporaries(),
     "an output that is a FIFO is refused and left as it was (%s)",
     err.message);
  unlink(out);
  test_through_symlink(&opt);
}

int main(void)
{
  static char small[4200], overlay[4200], malformed[4200];

  snprintf(small, sizeof small, "%s", fx_data("geonames-small.txt"));
  snprintf(overlay, sizeof overlay, "%s", fx_data("geonames-overlay.txt"));
  snprintf(malformed, sizeof malformed, "%s",
           fx_data("geonames-malformed.txt"));
  test_reproducible(small);
  test_layering(small, overlay);
  test_places_population(small, overlay);
  test_malformed(malformed);
  test_packed(small);
  test_failures(small);
  return tap_done();
}
