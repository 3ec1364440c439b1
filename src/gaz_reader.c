/*
 * gaz_reader.c — use a gazetteer file through mmap.
 *
 * Opening checks only what is small: the file's size, the header (magic,
 * version, its own checksum) and the section table (every section inside
 * the file, of a whole number of records). Nothing is parsed, so opening
 * costs the same for 1 MB and 3 GB. Every later access checks its index or
 * offset against the section it reads, so a corrupted body can give a
 * refusal but never a read outside the mapping; gm_gazetteer_verify()
 * reads every byte when certainty is worth the time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "gaz_format.h"
#include "gaz_reader.h"
#include "internal.h"

static const char *section_name(uint32_t id)
{
  static const char *names[] = {"", "strings", "entries", "regions",
                                "members", "geometry", "keys", "postings",
                                "slots", "by-id", "meta", "words",
                                "word slots", "shapes", "shape data",
                                "places population"};
  return id < GAZ_SEC_MAX_ ? names[id] : "unknown";
}

static int refuse(gm_error *err, const char *path, const char *what)
{
  return gm__error(err, GM_EGAZETTEER,
                   "%s: not a usable geomention gazetteer (%s)", path, what);
}

/* Check one section and point the reader at it. */
static int take_section(gm_gazetteer *g, const gaz_section *s, gm_error *err)
{
  static const size_t record[GAZ_SEC_MAX_] = {
      [GAZ_SEC_STRINGS] = 1,  [GAZ_SEC_ENTRIES] = sizeof(gaz_entry),
      [GAZ_SEC_REGIONS] = sizeof(gaz_region), [GAZ_SEC_MEMBERS] = 4,
      [GAZ_SEC_GEOMETRY] = 1, [GAZ_SEC_KEYS] = sizeof(gaz_key),
      [GAZ_SEC_POSTINGS] = sizeof(gaz_posting),
      [GAZ_SEC_SLOTS] = sizeof(gaz_slot),
      [GAZ_SEC_BYID] = 4,     [GAZ_SEC_META] = 1,
      [GAZ_SEC_WORDS] = sizeof(gaz_word), [GAZ_SEC_WORDSLOTS] = 4,
      [GAZ_SEC_SHAPES] = sizeof(gaz_shape), [GAZ_SEC_SHAPEDATA] = 4,
      [GAZ_SEC_PLACESPOP] = 4};
  char what[128];

  if (s->offset > g->size || s->size > g->size - s->offset ||
      s->offset % 8) {
    snprintf(what, sizeof what, "section %s lies outside the file: "
             "truncated?", section_name(s->id));
    return refuse(err, g->path, what);
  }
  if (s->id == 0 || s->id >= GAZ_SEC_MAX_)
    return 0;  /* a newer minor version's section */
  if (s->size % record[s->id] || s->size / record[s->id] > UINT32_MAX) {
    snprintf(what, sizeof what, "section %s has a bad size",
             section_name(s->id));
    return refuse(err, g->path, what);
  }
  g->sec[s->id] = g->base + s->offset;
  g->n[s->id] = (size_t)(s->size / record[s->id]);
  return 0;
}

/* The minor version that brought section id: a file of an older minor
 * version may lack it. */
static unsigned since_minor(uint32_t id)
{
  if (id == GAZ_SEC_PLACESPOP)
    return 2;
  return id >= GAZ_SEC_SHAPES ? 1 : 0;
}

static int check_header(gm_gazetteer *g, gm_error *err)
{
  gaz_header h;
  uint32_t crc;

  if (g->size < sizeof h)
    return refuse(err, g->path, g->size == 0 ? "empty file"
                                              : "shorter than a header");
  memcpy(&h, g->base, sizeof h);
  if (memcmp(h.magic, GAZ_MAGIC, 8) != 0)
    return refuse(err, g->path, "no GMGAZ magic: some other kind of file");
  if (h.major != GAZ_MAJOR)
    return gm__error(err, GM_EVERSION,
                     "%s: gazetteer format %u.%u, this geomention reads %u.x;"
                     " rebuild it with `geomention gazetteer build`",
                     g->path, h.major, h.minor, GAZ_MAJOR);
  crc = h.header_crc32;
  h.header_crc32 = 0;
  if (crc != (uint32_t)crc32(0, (const Bytef *)&h, sizeof h))
    return refuse(err, g->path, "header checksum mismatch: corrupted");
  if (h.header_size != sizeof h || h.n_sections > GAZ_MAX_SECTIONS)
    return refuse(err, g->path, "malformed header");
  if (h.file_size != g->size)
    return refuse(err, g->path, h.file_size > g->size
                                    ? "truncated: shorter than its header says"
                                    : "longer than its header says");
  g->header = (const gaz_header *)g->base;
  for (uint32_t i = 0; i < h.n_sections; i++) {
    int rc = take_section(g, &h.sections[i], err);
    if (rc)
      return rc;
  }
  for (uint32_t id = 1; id < GAZ_SEC_MAX_; id++)
    if (!g->sec[id] && h.minor >= since_minor(id)) {
      char what[64];
      snprintf(what, sizeof what, "section %s is missing", section_name(id));
      return refuse(err, g->path, what);
    }
  /* 2.0 files have no shapes; any other has one for every region. */
  if ((g->sec[GAZ_SEC_SHAPES] &&
       g->n[GAZ_SEC_SHAPES] != g->n[GAZ_SEC_REGIONS]) ||
      (!g->sec[GAZ_SEC_SHAPES] != !g->sec[GAZ_SEC_SHAPEDATA]))
    return refuse(err, g->path, "section shapes does not match regions");
  /* 2.1 files have no places population; any other has one an entry. */
  if (g->sec[GAZ_SEC_PLACESPOP] &&
      g->n[GAZ_SEC_PLACESPOP] != g->n[GAZ_SEC_ENTRIES])
    return refuse(err, g->path, "section places population does not match "
                                "entries");
  /* The string pool must end in NUL so no string runs off its end. */
  if (g->n[GAZ_SEC_STRINGS] == 0 ||
      g->sec[GAZ_SEC_STRINGS][g->n[GAZ_SEC_STRINGS] - 1] != '\0')
    return refuse(err, g->path, "string pool is not terminated");
  if (g->n[GAZ_SEC_SLOTS] == 0 ||
      (g->n[GAZ_SEC_SLOTS] & (g->n[GAZ_SEC_SLOTS] - 1)) ||
      g->n[GAZ_SEC_WORDSLOTS] == 0 ||
      (g->n[GAZ_SEC_WORDSLOTS] & (g->n[GAZ_SEC_WORDSLOTS] - 1)))
    return refuse(err, g->path, "hash table size is not a power of 2");
  return 0;
}

int gm_gazetteer_open(const char *path, gm_gazetteer **out, gm_error *err)
{
  gm_gazetteer *g;
  struct stat st;
  int fd, rc;

  *out = NULL;
  if (!path)
    return gm__error(err, GM_EINVAL, "no gazetteer path given");
  if (!(g = calloc(1, sizeof *g)) || !(g->path = strdup(path)) ||
      !(g->filter = calloc(1, sizeof *g->filter))) {
    if (g)
      free(g->path);
    free(g);
    return gm__error(err, GM_ENOMEM, "%s: out of memory", path);
  }
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    rc = gm__error(err, GM_EGAZETTEER, "%s: cannot open gazetteer: %s", path,
                   strerror(errno));
    goto fail;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = refuse(err, path, "not a regular file");
    goto fail;
  }
  g->size = (size_t)st.st_size;
  if (g->size > 0) {
    void *m = mmap(NULL, g->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      rc = gm__error(err, GM_EGAZETTEER, "%s: cannot map: %s", path,
                     strerror(errno));
      goto fail;
    }
    g->base = m;
  }
  close(fd);
  fd = -1;
  if ((rc = check_header(g, err)))
    goto fail;
  *out = g;
  return 0;
fail:
  if (fd >= 0)
    close(fd);
  gm_gazetteer_close(g);
  return rc;
}

void gm_gazetteer_close(gm_gazetteer *g)
{
  if (!g)
    return;
  if (g->base)
    munmap((void *)g->base, g->size);
  if (g->filter)
    free(g->filter->bits);
  free(g->filter);
  free(g->path);
  free(g);
}

void gm__gaz_filter_build(const gm_gazetteer *g)
{
  gm__gaz_filter *f = g->filter;
  const gaz_slot *slots = (const gaz_slot *)g->sec[GAZ_SEC_SLOTS];
  int idle = GM__GAZ_FILTER_IDLE;
  uint64_t *bits;

  if (!__atomic_compare_exchange_n(&f->state, &idle,
                                   GM__GAZ_FILTER_BUILDING, 0,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return;
  if (!(bits = calloc((size_t)1 << (GM__GAZ_FILTER_BITS - 6),
                      sizeof *bits)))
    return;   /* stays "building": nobody tries again */
  for (size_t i = 0; i < g->n[GAZ_SEC_SLOTS]; i++)
    if (slots[i].key) {
      uint32_t b = slots[i].hash >> (32 - GM__GAZ_FILTER_BITS);
      bits[b >> 6] |= (uint64_t)1 << (b & 63);
    }
  f->bits = bits;
  __atomic_store_n(&f->state, GM__GAZ_FILTER_READY, __ATOMIC_RELEASE);
}

int gm_gazetteer_verify(const gm_gazetteer *g, gm_error *err)
{
  size_t off = sizeof(gaz_header);
  uLong crc = crc32(0, NULL, 0);

  while (off < g->size) {
    size_t n = g->size - off > (1u << 30) ? (1u << 30) : g->size - off;
    crc = crc32(crc, g->base + off, (uInt)n);
    off += n;
  }
  if ((uint32_t)crc != g->header->body_crc32)
    return refuse(err, g->path, "body checksum mismatch: corrupted");
  return 0;
}

/* ------------------------------------------------------------ access */

static const char *meta_value(const gm_gazetteer *g, const char *key)
{
  const char *m = (const char *)g->sec[GAZ_SEC_META];
  size_t n = g->n[GAZ_SEC_META], klen = strlen(key);

  for (size_t i = 0; i + klen < n;) {
    const char *nl = memchr(m + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - m) : n;
    if (end - i > klen && memcmp(m + i, key, klen) == 0 &&
        m[i + klen] == '=')
      return m + i + klen + 1;
    i = end + 1;
  }
  return NULL;
}

void gm_gazetteer_get_info(const gm_gazetteer *g, gm_gazetteer_info *info)
{
  static __thread char attribution[512], version[40], checksum[80];
  const char *a = meta_value(g, "attribution");
  size_t n = 0;

  if (a) {
    const char *nl = memchr(a, '\n', (size_t)((const char *)g->sec[GAZ_SEC_META] +
                                              g->n[GAZ_SEC_META] - a));
    n = nl ? (size_t)(nl - a) : strlen(a);
  }
  snprintf(attribution, sizeof attribution, "%.*s", (int)n, a ? a : "");
  snprintf(version, sizeof version, "%.32s", g->header->data_version);
  snprintf(checksum, sizeof checksum, "%.72s", g->header->source_checksum);
  *info = (gm_gazetteer_info){
      .format_major = g->header->major, .format_minor = g->header->minor,
      .data_version = version, .source_checksum = checksum,
      .attribution = attribution,
      .n_entries = (uint32_t)g->n[GAZ_SEC_ENTRIES],
      .n_regions = (uint32_t)g->n[GAZ_SEC_REGIONS],
      .n_names = (uint32_t)g->n[GAZ_SEC_KEYS], .file_size = g->size};
}

int gm_gazetteer_entry(const gm_gazetteer *g, uint32_t index, gm_entry *out)
{
  const gaz_entry *e = gm__gaz_entry(g, index);

  if (!e)
    return GM_ENOTFOUND;
  *out = (gm_entry){
      .index = index, .geonameid = e->geonameid,
      .name = gm__gaz_str(g, e->name), .asciiname = gm__gaz_str(g, e->asciiname),
      .lat = e->lat_e7 / 1e7, .lon = e->lon_e7 / 1e7, .fclass = e->fclass,
      .admin1 = gm__gaz_str(g, e->admin1), .admin2 = gm__gaz_str(g, e->admin2),
      .population = e->population,
      .region = (e->region >= 0 && (size_t)e->region < g->n[GAZ_SEC_REGIONS])
                    ? e->region
                    : -1};
  out->fcode = e->fcode[sizeof e->fcode - 1] ? "" : e->fcode;
  if (e->country[0])
    memcpy(out->country, e->country, 2);
  return 0;
}

int gm_gazetteer_region(const gm_gazetteer *g, uint32_t index, gm_region *out)
{
  const gaz_region *r;

  if (index >= g->n[GAZ_SEC_REGIONS])
    return GM_ENOTFOUND;
  if (!(r = gm__gaz_region(g, index)))
    return GM_EGAZETTEER;
  *out = (gm_region){
      .index = index, .id = gm__gaz_str(g, r->id),
      .kind = (gm_region_kind)r->kind, .entry = r->entry,
      .wkb_full = r->full_len ? g->sec[GAZ_SEC_GEOMETRY] + r->full_off : NULL,
      .wkb_full_len = r->full_len,
      .wkb_simple =
          r->simple_len ? g->sec[GAZ_SEC_GEOMETRY] + r->simple_off : NULL,
      .wkb_simple_len = r->simple_len,
      .members = gm__gaz_members(g, r),
      .n_members = r->n_members};
  memcpy(out->bbox, r->bbox, sizeof out->bbox);
  return 0;
}

/* Whether n ends are in order, none past total, the last at total: each
 * ring (polygon) then has its points (rings) inside the shape. */
static int ends_in_order(const uint32_t *end, size_t n, size_t total)
{
  for (size_t i = 0; i < n; i++)
    if (end[i] > total || (i > 0 && end[i] < end[i - 1]))
      return 0;
  return n ? end[n - 1] == total : total == 0;
}

int gm__gaz_region_shape(const gm_gazetteer *g, uint32_t region,
                         int precision, gm__gaz_shape *out)
{
  const gaz_shape *s;
  size_t words = g->n[GAZ_SEC_SHAPEDATA];
  uint64_t need;

  if (!g->sec[GAZ_SEC_SHAPES] || region >= g->n[GAZ_SEC_SHAPES])
    return GM_ENOTFOUND;
  s = (const gaz_shape *)g->sec[GAZ_SEC_SHAPES] + region;
  if (precision < 0 || s->precision != (uint32_t)precision)
    return GM_ENOTFOUND;
  need = 2 * (uint64_t)s->n_points + s->n_rings + s->n_polys;
  if (s->data > words || need > words - s->data)
    return GM_EGAZETTEER;
  out->lonlat = (const int32_t *)g->sec[GAZ_SEC_SHAPEDATA] + s->data;
  out->precision = precision;
  out->ring_end = (const uint32_t *)out->lonlat + 2 * (size_t)s->n_points;
  out->poly_end = out->ring_end + s->n_rings;
  out->n_points = s->n_points;
  out->n_rings = s->n_rings;
  out->n_polys = s->n_polys;
  memcpy(out->bbox, s->bbox, sizeof out->bbox);
  if (!ends_in_order(out->ring_end, out->n_rings, out->n_points) ||
      !ends_in_order(out->poly_end, out->n_polys, out->n_rings))
    return GM_EGAZETTEER;
  return 0;
}

int gm_gazetteer_find_geonameid(const gm_gazetteer *g, uint32_t geonameid,
                                uint32_t *index)
{
  const uint32_t *by_id = (const uint32_t *)g->sec[GAZ_SEC_BYID];
  size_t lo = 0, hi = g->n[GAZ_SEC_BYID];

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const gaz_entry *e = gm__gaz_entry(g, by_id[mid]);
    if (!e)
      return GM_EGAZETTEER;
    if (e->geonameid < geonameid)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < g->n[GAZ_SEC_BYID]) {
    const gaz_entry *e = gm__gaz_entry(g, by_id[lo]);
    if (e && e->geonameid == geonameid) {
      *index = by_id[lo];
      return 0;
    }
  }
  return GM_ENOTFOUND;
}

int gm_gazetteer_find_region(const gm_gazetteer *g, const char *id,
                             uint32_t *index)
{
  const gaz_region *r = (const gaz_region *)g->sec[GAZ_SEC_REGIONS];

  /* A few thousand regions, asked for rarely: a scan is enough. */
  for (size_t i = 0; i < g->n[GAZ_SEC_REGIONS]; i++)
    if (strcmp(gm__gaz_str(g, r[i].id), id) == 0) {
      *index = (uint32_t)i;
      return 0;
    }
  return GM_ENOTFOUND;
}

int gm_gazetteer_postings(const gm_gazetteer *g, const char *key,
                          size_t key_len, const gm_posting **postings,
                          size_t *n, int *is_prefix)
{
  return gm__gaz_postings(g, key, key_len, gm__hash(key, key_len), postings,
                          n, is_prefix);
}

int gm__gaz_postings(const gm_gazetteer *g, const char *key, size_t key_len,
                     uint64_t hash, const gm_posting **postings, size_t *n,
                     int *is_prefix)
{
  const gaz_slot *slots = (const gaz_slot *)g->sec[GAZ_SEC_SLOTS];
  size_t mask = g->n[GAZ_SEC_SLOTS] - 1;
  uint32_t h = (uint32_t)hash;

  *postings = NULL;
  *n = 0;
  *is_prefix = 0;
  if (gm__gaz_surely_absent(g, h))
    return 0;
  for (size_t i = h & mask, probes = 0; probes <= mask;
       i = (i + 1) & mask, probes++) {
    const gaz_slot *slot = &slots[i];
    const char *s;
    uint32_t count;
    if (slot->key == 0)
      return 0;
    if (slot->hash != h)
      continue;
    s = gm__gaz_str(g, slot->key);
    if (strncmp(s, key, key_len) != 0 || s[key_len])
      continue;
    count = slot->n_postings & ~GAZ_SLOT_PREFIX;
    if (slot->postings > g->n[GAZ_SEC_POSTINGS] ||
        count > g->n[GAZ_SEC_POSTINGS] - slot->postings)
      return GM_EGAZETTEER;
    /* gm_posting mirrors gaz_posting's first two fields and size. */
    *postings = (const gm_posting *)((const gaz_posting *)
                                         g->sec[GAZ_SEC_POSTINGS] +
                                     slot->postings);
    *n = count;
    *is_prefix = (slot->n_postings & GAZ_SLOT_PREFIX) != 0;
    return 0;
  }
  return 0;
}

int gm_gazetteer_each_name(const gm_gazetteer *g,
                           int (*fn)(void *arg, const char *key, size_t len),
                           void *arg)
{
  const gaz_key *keys = (const gaz_key *)g->sec[GAZ_SEC_KEYS];

  for (size_t i = 0; i < g->n[GAZ_SEC_KEYS]; i++) {
    const char *s;
    int rc;
    if (keys[i].n_postings == 0)
      continue;
    s = gm__gaz_str(g, keys[i].key);
    if ((rc = fn(arg, s, strlen(s))))
      return rc;
  }
  return 0;
}

const gaz_word *gm__gaz_word(const gm_gazetteer *g, const char *key,
                             size_t key_len)
{
  const gaz_word *words = (const gaz_word *)g->sec[GAZ_SEC_WORDS];
  const uint32_t *slots = (const uint32_t *)g->sec[GAZ_SEC_WORDSLOTS];
  size_t mask = g->n[GAZ_SEC_WORDSLOTS] - 1;
  uint32_t h = (uint32_t)gm__hash(key, key_len);

  for (size_t i = h & mask, probes = 0; probes <= mask;
       i = (i + 1) & mask, probes++) {
    const char *s;
    if (slots[i] >= g->n[GAZ_SEC_WORDS])
      return NULL;  /* empty slot, or a corrupt one */
    if (words[slots[i]].hash != h)
      continue;
    s = gm__gaz_str(g, words[slots[i]].key);
    if (strncmp(s, key, key_len) == 0 && !s[key_len])
      return &words[slots[i]];
  }
  return NULL;
}
