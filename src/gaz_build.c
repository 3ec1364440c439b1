/*
 * gaz_build.c — compile the gazetteer sources into one file (see
 * gaz_format.h for the layout).
 *
 * The sources are read into memory (gaz_sources.c, gaz_geonames.c):
 * interned strings, entries, (name, entry) pairs and regions with their
 * GEOS geometry. Then the names are sorted and grouped into the key and
 * posting tables, a hash table is laid over the keys, and every section is
 * written in order under a temporary name that is renamed when complete.
 *
 * Reproducible: the inputs are read in a fixed order, every sort has a
 * total order, and nothing depends on time or addresses, so the same
 * sources give the same bytes.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "gaz_build.h"
#include "out_geojson.h"  /* GM__PRECISION_DEFAULT, the shapes' grid */

/* ------------------------------------------------------------- map32 */

static size_t map_slot(uint32_t key, size_t cap)
{
  return (size_t)((key * 2654435761u) & (cap - 1));
}

static int map32_resize(gm__map32 *m, size_t cap)
{
  gm__map32 next = {calloc(cap, sizeof(uint32_t)),
                    calloc(cap, sizeof(uint32_t)), 0, cap};

  if (!next.keys || !next.values) {
    free(next.keys);
    free(next.values);
    return GM_ENOMEM;
  }
  for (size_t i = 0; i < m->cap; i++)
    if (m->keys[i])
      gm__map32_put(&next, m->keys[i], m->values[i]);
  gm__map32_free(m);
  *m = next;
  return 0;
}

int gm__map32_put(gm__map32 *m, uint32_t key, uint32_t value)
{
  size_t i;

  if ((m->n + 1) * 2 > m->cap && map32_resize(m, m->cap ? m->cap * 2 : 1024))
    return GM_ENOMEM;
  for (i = map_slot(key, m->cap); m->keys[i] && m->keys[i] != key;
       i = (i + 1) & (m->cap - 1))
    ;
  if (!m->keys[i])
    m->n++;
  m->keys[i] = key;
  m->values[i] = value;
  return 0;
}

int gm__map32_get(const gm__map32 *m, uint32_t key, uint32_t *value)
{
  if (!m->cap)
    return 0;
  for (size_t i = map_slot(key, m->cap); m->keys[i];
       i = (i + 1) & (m->cap - 1))
    if (m->keys[i] == key) {
      *value = m->values[i];
      return 1;
    }
  return 0;
}

void gm__map32_free(gm__map32 *m)
{
  free(m->keys);
  free(m->values);
  memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------ strings */

static int pool_resize(gm__builder *b, size_t nslots)
{
  uint64_t *slots = calloc(nslots, sizeof *slots);

  if (!slots)
    return GM_ENOMEM;
  for (size_t i = 0; i < b->pool_nslots; i++) {
    uint64_t v = b->pool_slots[i];
    size_t j;
    if (!v)
      continue;
    for (j = (size_t)(v >> 32) & (nslots - 1); slots[j];
         j = (j + 1) & (nslots - 1))
      ;
    slots[j] = v;
  }
  free(b->pool_slots);
  b->pool_slots = slots;
  b->pool_nslots = nslots;
  return 0;
}

/* The pool's slot of string s: the one that holds it (*found 1), or the
 * empty one where it would go. The pool has slots (pool_nslots > 0). */
static size_t pool_slot(const gm__builder *b, const char *s, size_t len,
                        uint32_t h, int *found)
{
  size_t i;

  for (i = h & (b->pool_nslots - 1); b->pool_slots[i];
       i = (i + 1) & (b->pool_nslots - 1)) {
    uint64_t v = b->pool_slots[i];
    const char *t = b->pool.data + (uint32_t)v;
    if ((uint32_t)(v >> 32) == h && strncmp(t, s, len) == 0 && !t[len]) {
      *found = 1;
      return i;
    }
  }
  *found = 0;
  return i;
}

int gm__b_intern(gm__builder *b, const char *s, size_t len, uint32_t *off)
{
  uint32_t h;
  size_t i;
  int found;

  if (len == 0) {
    *off = 0;
    return 0;
  }
  if ((b->pool_count + 1) * 2 > b->pool_nslots &&
      pool_resize(b, b->pool_nslots ? b->pool_nslots * 2 : 1 << 16))
    return GM_ENOMEM;
  h = (uint32_t)gm__hash(s, len);
  i = pool_slot(b, s, len, h, &found);
  if (found) {
    *off = (uint32_t)b->pool_slots[i];
    return 0;
  }
  if (b->pool.len + len + 1 > UINT32_MAX)
    return GM_ELIMIT;
  *off = (uint32_t)b->pool.len;
  if (gm__buf_append(&b->pool, s, len) || gm__buf_putc(&b->pool, '\0'))
    return GM_ENOMEM;
  b->pool_slots[i] = (uint64_t)h << 32 | *off;
  b->pool_count++;
  return 0;
}

uint32_t gm__b_find_str(const gm__builder *b, const char *s, size_t len)
{
  int found = 0;
  size_t i;

  if (len == 0 || b->pool_nslots == 0)
    return 0;
  i = pool_slot(b, s, len, (uint32_t)gm__hash(s, len), &found);
  return found ? (uint32_t)b->pool_slots[i] : 0;
}

/* ------------------------------------------------------ entries, names */

void gm__b_set_point(gaz_entry *e, double lat, double lon)
{
  e->lat_e7 = (int32_t)lround(lat * 1e7);
  e->lon_e7 = (int32_t)lround(lon * 1e7);
}

int gm__b_add_entry(gm__builder *b, const gaz_entry *e, uint32_t *index)
{
  if (b->n_entries >= GAZ_NO_INDEX - 1)
    return GM_ELIMIT;
  if (gm__grow(&b->entries, &b->cap_entries, b->n_entries + 1,
               sizeof *b->entries))
    return GM_ENOMEM;
  *index = (uint32_t)b->n_entries;
  b->entries[b->n_entries++] = *e;
  if (e->geonameid) {
    uint32_t old;
    if (!gm__map32_get(&b->by_geonameid, e->geonameid, &old) &&
        gm__map32_put(&b->by_geonameid, e->geonameid, *index))
      return GM_ENOMEM;
  }
  return 0;
}

static int push_name(gm__builder *b, uint32_t key, uint32_t entry,
                     unsigned how)
{
  if (gm__grow(&b->names, &b->cap_names, b->n_names + 1, sizeof *b->names))
    return GM_ENOMEM;
  b->names[b->n_names++] = (bname){key, entry, how};
  return 0;
}

int gm__b_add_name(gm__builder *b, uint32_t entry, const char *s, size_t len,
                   unsigned how)
{
  uint32_t key;
  int rc = gm__normalize_key(&b->tokens, s, len, &b->key);

  if (rc == GM_EFORMAT)  /* not UTF-8: not a name anyone can match */
    return 0;
  if (rc || b->key.len == 0)
    return rc;
  if ((rc = gm__b_intern(b, b->key.data, b->key.len, &key)) ||
      (rc = push_name(b, key, entry, how)))
    return rc;
  /* Every proper prefix at a word boundary, so the text matcher knows
   * when extending a match can still succeed. */
  for (size_t i = 0; i < b->key.len; i++) {
    uint32_t prefix;
    if (b->key.data[i] != ' ')
      continue;
    if ((rc = gm__b_intern(b, b->key.data, i, &prefix)) ||
        (rc = push_name(b, prefix, GAZ_NO_INDEX, 0)))
      return rc;
  }
  return 0;
}

const char *gm__b_list_next(const char **p, char sep, size_t *n)
{
  const char *item = *p, *q;

  if (!*item)
    return NULL;
  q = strchr(item, sep);
  *n = q ? (size_t)(q - item) : strlen(item);
  *p = item + *n + (q != NULL);
  return item;
}

int gm__b_add_names(gm__builder *b, uint32_t entry, const char *list,
                    char sep, unsigned how)
{
  const char *item;
  size_t n;

  while ((item = gm__b_list_next(&list, sep, &n))) {
    int rc = gm__b_add_name(b, entry, item, n, how);
    if (rc)
      return rc;
  }
  return 0;
}

int gm__b_add_word(gm__builder *b, const char *s, size_t len, uint32_t count,
                   uint32_t flags)
{
  uint32_t key, i;
  int rc = gm__normalize_key(&b->tokens, s, len, &b->key);

  if (rc == GM_EFORMAT || (rc == 0 && b->key.len == 0))
    return 0;
  if (rc || (rc = gm__b_intern(b, b->key.data, b->key.len, &key)))
    return rc;
  if (!gm__map32_get(&b->word_by_key, key, &i)) {
    if (gm__grow(&b->words, &b->cap_words, b->n_words + 1, sizeof *b->words))
      return GM_ENOMEM;
    i = (uint32_t)b->n_words++;
    b->words[i] = (bword){key, 0, 0, 0};
    if (gm__map32_put(&b->word_by_key, key, i))
      return GM_ENOMEM;
  }
  uint32_t *slot = (b->tokens.n && (b->tokens.v[0].flags & GM__TOK_CAP))
                       ? &b->words[i].upper
                       : &b->words[i].lower;
  *slot = *slot > UINT32_MAX - count ? UINT32_MAX : *slot + count;
  b->words[i].flags |= flags;
  return 0;
}

/* ------------------------------------------------------------ regions */

int gm__b_add_region(gm__builder *b, const char *id, unsigned kind,
                     uint32_t entry, uint32_t *index)
{
  uint32_t off;
  int rc = gm__b_intern(b, id, strlen(id), &off);

  if (rc)
    return rc;
  if (gm__grow(&b->regions, &b->cap_regions, b->n_regions + 1,
               sizeof *b->regions))
    return GM_ENOMEM;
  *index = (uint32_t)b->n_regions;
  b->regions[b->n_regions++] = (bregion){.id = off, .entry = entry,
                                         .kind = kind};
  b->entries[entry].region = (int32_t)*index;
  return gm__map32_put(&b->by_region_id, off, *index);
}

int gm__b_find_region(gm__builder *b, const char *id, uint32_t *index)
{
  uint32_t off;

  /* Interning a missing id costs a few bytes; lookups are rare. */
  if (gm__b_intern(b, id, strlen(id), &off))
    return 0;
  return gm__map32_get(&b->by_region_id, off, index);
}

void gm__b_checksum(gm__builder *b, const char *s, size_t len)
{
  uint64_t h = b->checksum;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  b->checksum = h;
}

static void say(void (*fn)(void *, const char *), void *arg, const char *fmt,
                va_list ap)
{
  char msg[512];

  if (!fn)
    return;
  vsnprintf(msg, sizeof msg, fmt, ap);
  fn(arg, msg);
}

void gm__b_progress(gm__builder *b, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  say(b->opt->progress, b->opt->progress_arg, fmt, ap);
  va_end(ap);
}

void gm__b_warn(gm__builder *b, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  say(b->opt->warning, b->opt->warning_arg, fmt, ap);
  va_end(ap);
}

size_t gm__split_tabs(char *line, char **fields, size_t max)
{
  size_t n = 0;

  if (max == 0)
    return 0;
  fields[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == '\t') {
      *p = '\0';
      fields[n++] = p + 1;
    }
  return n;
}

/* -------------------------------------------------------- the index */

typedef struct index_tables {
  gaz_key *keys;
  size_t n_keys;
  gaz_posting *postings;
  size_t n_postings;
  gaz_slot *slots;
  size_t n_slots;
  uint32_t *by_id;
  size_t n_by_id;
} index_tables;

static int cmp_name(const void *a, const void *b)
{
  const bname *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->entry != y->entry)
    return x->entry < y->entry ? -1 : 1;
  return (x->how > y->how) - (x->how < y->how);
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Whether names[0..n) (sorted by cmp_name) give entry the key at off. */
static int has_name(const bname *names, size_t n, uint32_t off,
                    uint32_t entry)
{
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (names[mid].key < off ||
        (names[mid].key == off && names[mid].entry < entry))
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && names[lo].key == off && names[lo].entry == entry;
}

/* Drop the alternate names "the X" of entries that X names too
 * ("The Netherlands", "The Big Apple" beside "Big Apple"): the article
 * is no part of the name where the corpora mark it ("The
 * [[Netherlands]]"), and matched with it the mention's span takes a word
 * too many. An entry's own name keeps its article ("The Hague", whose
 * "Hague" is the alternate). */
static void drop_article_names(gm__builder *b)
{
  const uint32_t dropped = UINT32_MAX;
  size_t kept = 0;

  /* Marked first, removed after: has_name searches the whole array. */
  for (size_t i = 0; i < b->n_names; i++) {
    bname *nm = &b->names[i];
    const char *s = gm__b_str(b, nm->key);
    uint32_t rest;
    if (nm->how == GM_HOW_ALTERNATE && strncmp(s, "the ", 4) == 0 &&
        (rest = gm__b_find_str(b, s + 4, strlen(s + 4))) &&
        has_name(b->names, b->n_names, rest, nm->entry))
      nm->how = dropped;
  }
  for (size_t i = 0; i < b->n_names; i++)
    if (b->names[i].how != dropped)
      b->names[kept++] = b->names[i];
  b->n_names = kept;
}

static int build_index(gm__builder *b, index_tables *t)
{
  size_t i = 0, k = 0;

  if (b->n_names > 1)   /* names is NULL when there are none */
    qsort(b->names, b->n_names, sizeof *b->names, cmp_name);
  drop_article_names(b);
  t->keys = calloc(b->n_names ? b->n_names : 1, sizeof *t->keys);
  t->postings = calloc(b->n_names ? b->n_names : 1, sizeof *t->postings);
  if (!t->keys || !t->postings)
    return GM_ENOMEM;
  while (i < b->n_names) {
    gaz_key *key = &t->keys[t->n_keys++];
    const char *s = gm__b_str(b, b->names[i].key);
    key->key = b->names[i].key;
    key->hash = (uint32_t)gm__hash(s, strlen(s));
    key->postings = (uint32_t)t->n_postings;
    for (; i < b->n_names && b->names[i].key == key->key; i++) {
      const bname *nm = &b->names[i];
      if (nm->entry == GAZ_NO_INDEX)
        key->flags |= GAZ_KEY_PREFIX;
      else if (i == 0 || nm[-1].key != nm->key || nm[-1].entry != nm->entry)
        t->postings[t->n_postings++] =
            (gaz_posting){.entry = nm->entry, .how = (uint8_t)nm->how};
    }
    key->n_postings = (uint32_t)(t->n_postings - key->postings);
  }
  /* Load at most 3/4: with the hashes in the slots, a longer probe
   * mostly stays in the same cache line. */
  for (t->n_slots = 1024; t->n_slots / 4 * 3 < t->n_keys; t->n_slots *= 2)
    ;
  t->slots = calloc(t->n_slots, sizeof *t->slots);
  t->by_id = malloc((b->n_entries ? b->n_entries : 1) * sizeof *t->by_id);
  if (!t->slots || !t->by_id)
    return GM_ENOMEM;
  for (k = 0; k < t->n_keys; k++) {
    const gaz_key *key = &t->keys[k];
    size_t j = key->hash & (t->n_slots - 1);
    if (key->n_postings & GAZ_SLOT_PREFIX)
      return GM_ELIMIT;
    while (t->slots[j].key != 0)
      j = (j + 1) & (t->n_slots - 1);
    t->slots[j] = (gaz_slot){
        .hash = key->hash, .key = key->key, .postings = key->postings,
        .n_postings = key->n_postings |
                      (key->flags & GAZ_KEY_PREFIX ? GAZ_SLOT_PREFIX : 0)};
  }
  /* Sort (geonameid, index) pairs, then keep the indexes. */
  uint64_t *pairs = malloc((b->n_entries ? b->n_entries : 1) * sizeof *pairs);
  if (!pairs)
    return GM_ENOMEM;
  for (k = 0; k < b->n_entries; k++)
    if (b->entries[k].geonameid)
      pairs[t->n_by_id++] = (uint64_t)b->entries[k].geonameid << 32 | k;
  qsort(pairs, t->n_by_id, sizeof *pairs, cmp_u64);
  for (k = 0; k < t->n_by_id; k++)
    t->by_id[k] = (uint32_t)pairs[k];
  free(pairs);
  return 0;
}

/* The lexicon and its hash table, in the order words were first seen. */
static int build_words(gm__builder *b, gaz_word **words, uint32_t **slots,
                       size_t *n_slots)
{
  *words = calloc(b->n_words ? b->n_words : 1, sizeof **words);
  for (*n_slots = 64; *n_slots < b->n_words * 2; *n_slots *= 2)
    ;
  *slots = malloc(*n_slots * sizeof **slots);
  if (!*words || !*slots)
    return GM_ENOMEM;
  memset(*slots, 0xff, *n_slots * sizeof **slots);
  for (size_t i = 0; i < b->n_words; i++) {
    const char *s = gm__b_str(b, b->words[i].key);
    uint32_t h = (uint32_t)gm__hash(s, strlen(s));
    size_t j = h & (*n_slots - 1);
    (*words)[i] = (gaz_word){b->words[i].key, h, b->words[i].lower,
                             b->words[i].upper, b->words[i].flags};
    while ((*slots)[j] != GAZ_NO_INDEX)
      j = (j + 1) & (*n_slots - 1);
    (*slots)[j] = (uint32_t)i;
  }
  return 0;
}

static void index_free(index_tables *t)
{
  free(t->keys);
  free(t->postings);
  free(t->slots);
  free(t->by_id);
}

/* ----------------------------------------------------------- geometry */

/*
 * s's positions in units of the grid into q, when each is on the grid.
 * GEOS's snapped doubles are within an ulp of q x grid but not always
 * the same double (its overlays divide where setPrecision multiplies);
 * the writer only prints them at this precision, and printing rounds
 * |x| x 10^precision exactly (out_json.c), so a position within 1/1000
 * of a grid unit prints as q x grid does, digit for digit.
 */
static int positions_on_grid(const gm__shape *s, double grid, int32_t *q)
{
  for (size_t i = 0; i < 2 * s->n_points; i++) {
    double units = s->xy[i] / grid;
    if (!(fabs(units) < INT32_MAX))
      return 0;
    q[i] = (int32_t)lround(units);
    if (fabs(units - q[i]) > 1e-3)
      return 0;
  }
  return 1;
}

/* The finished output shape of a region's simplified copy at the
 * writer's default precision (gaz_shape), appended to data; *o says
 * GAZ_NO_SHAPE when GEOS cannot make it (or a position is off the
 * grid), so that the writer draws it with GEOS and reports why for the
 * region it is asked to write. */
static int store_shape(gm__builder *b, const unsigned char *wkb, size_t len,
                       gaz_shape *o, gm__buf *data)
{
  gm__shape_options so = {.precision = GM__PRECISION_DEFAULT};
  double grid = gm__geo_grid(GM__PRECISION_DEFAULT);
  gm__shape s;
  int rc = gm__geo_shape(b->geo, wkb, len, &so, &s);
  int32_t *q = NULL;

  *o = (gaz_shape){.precision = GAZ_NO_SHAPE};
  if (rc) {
    rc = rc == GM_ENOMEM ? rc : 0;
    goto done;
  }
  if (!(q = malloc((2 * s.n_points + 1) * sizeof *q))) {
    rc = GM_ENOMEM;
    goto done;
  }
  if (!positions_on_grid(&s, grid, q))
    goto done;
  if (data->len / 4 + 2 * s.n_points + s.n_rings + s.n_polys > UINT32_MAX) {
    rc = GM_ELIMIT;
    goto done;
  }
  *o = (gaz_shape){.data = (uint32_t)(data->len / 4),
                   .n_points = (uint32_t)s.n_points,
                   .n_rings = (uint32_t)s.n_rings,
                   .n_polys = (uint32_t)s.n_polys,
                   .precision = GM__PRECISION_DEFAULT};
  memcpy(o->bbox, s.bbox, sizeof o->bbox);
  if (gm__buf_append(data, (const char *)q, 2 * s.n_points * sizeof *q) ||
      gm__buf_append(data, (const char *)s.ring_end,
                     s.n_rings * sizeof *s.ring_end) ||
      gm__buf_append(data, (const char *)s.poly_end,
                     s.n_polys * sizeof *s.poly_end))
    rc = GM_ENOMEM;
done:
  free(q);
  gm__shape_free(&s);
  return rc;
}

static int encode_regions(gm__builder *b, gm__buf *geometry,
                          gaz_region *out, gm__buf *members,
                          gaz_shape *shapes, gm__buf *shape_data)
{
  double tol = b->opt->simplify_degrees > 0 ? b->opt->simplify_degrees : 0.01;

  for (size_t i = 0; i < b->n_regions; i++) {
    bregion *r = &b->regions[i];
    gaz_region *o = &out[i];
    unsigned char *full = NULL, *simple = NULL;
    size_t full_len = 0, simple_len = 0;
    int rc;

    *o = (gaz_region){.id = r->id, .entry = r->entry, .kind = r->kind,
                      .members = (uint32_t)(members->len / 4),
                      .n_members = (uint32_t)r->n_members};
    shapes[i] = (gaz_shape){.precision = GAZ_NO_SHAPE};
    if (gm__buf_append(members, (const char *)r->members,
                       r->n_members * sizeof *r->members))
      return GM_ENOMEM;
    if (!r->geom)
      continue;
    rc = gm__geo_encode(b->geo, r->geom, tol, &full, &full_len, &simple,
                        &simple_len, o->bbox);
    if (rc == 0 && geometry->len + full_len + simple_len + 16 > UINT32_MAX)
      rc = GM_ELIMIT;
    if (rc == 0) {
      o->full_off = (uint32_t)geometry->len;
      o->full_len = (uint32_t)full_len;
      rc = gm__buf_append(geometry, (const char *)full, full_len);
      while (rc == 0 && geometry->len % 8)
        rc = gm__buf_putc(geometry, 0);
      o->simple_off = (uint32_t)geometry->len;
      o->simple_len = (uint32_t)simple_len;
      if (rc == 0)
        rc = gm__buf_append(geometry, (const char *)simple, simple_len);
      while (rc == 0 && geometry->len % 8)
        rc = gm__buf_putc(geometry, 0);
    }
    if (rc == 0)
      rc = store_shape(b, simple, simple_len, &shapes[i], shape_data);
    free(full);
    free(simple);
    if (rc)
      return gm__error(b->err, rc, "region %s: cannot encode geometry: %s",
                       gm__b_str(b, r->id), gm__geo_message(b->geo));
  }
  return 0;
}

/* --------------------------------------------------------- the writer */

typedef struct writer {
  FILE *f;
  uint64_t pos;
  uLong crc;
  gaz_header h;
} writer;

static int put(writer *w, const void *p, size_t n)
{
  if (n && fwrite(p, 1, n, w->f) != n)
    return GM_EIO;
  w->pos += n;
  while (n > 0) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
    w->crc = crc32(w->crc, p, chunk);
    p = (const char *)p + chunk;
    n -= chunk;
  }
  return 0;
}

static int put_section(writer *w, uint32_t id, const void *p, size_t n)
{
  static const char zeros[8];
  gaz_section *s = &w->h.sections[w->h.n_sections++];

  s->id = id;
  s->offset = w->pos;
  s->size = n;
  if (put(w, p, n))
    return GM_EIO;
  return put(w, zeros, (8 - w->pos % 8) % 8);
}

static int write_file(gm__builder *b, const char *path, FILE *f)
{
  index_tables t = {0};
  gm__buf geometry = {0}, members = {0}, shape_data = {0};
  gaz_word *words = NULL;
  uint32_t *word_slots = NULL;
  size_t n_word_slots = 0;
  gaz_region *regions = calloc(b->n_regions ? b->n_regions : 1,
                               sizeof *regions);
  gaz_shape *shapes = calloc(b->n_regions ? b->n_regions : 1,
                             sizeof *shapes);
  writer w = {.f = f, .crc = crc32(0, NULL, 0)};
  int rc = regions && shapes ? 0 : GM_ENOMEM;
  char version[64] = "";
  FILE *vf;
  char vpath[PATH_MAX];

  if (rc == 0)
    rc = encode_regions(b, &geometry, regions, &members, shapes,
                        &shape_data);
  if (rc == 0 && (rc = build_index(b, &t)) == GM_ELIMIT)
    gm__error(b->err, rc, "%s: a name with 2^31 entries or more", path);
  if (rc == 0)
    rc = build_words(b, &words, &word_slots, &n_word_slots);
  if (rc) {
    if (rc == GM_ENOMEM)
      gm__error(b->err, rc, "%s: out of memory while building", path);
    goto done;
  }
  gm__b_progress(b, "%zu entries, %zu regions, %zu names, %zu postings",
                 b->n_entries, b->n_regions, t.n_keys, t.n_postings);

  memcpy(w.h.magic, GAZ_MAGIC, 8);
  w.h.major = GAZ_MAJOR;
  w.h.minor = GAZ_MINOR;
  w.h.header_size = sizeof w.h;
  snprintf(vpath, sizeof vpath, "%s/VERSION",
           b->opt->sources_dir ? b->opt->sources_dir : ".");
  if (!b->opt->skip_bundled && (vf = fopen(vpath, "r"))) {
    if (!fgets(version, sizeof version, vf))
      version[0] = '\0';
    fclose(vf);
    version[strcspn(version, "\r\n")] = '\0';
  }
  snprintf(w.h.data_version, sizeof w.h.data_version, "%s%s",
           version[0] ? version : "custom", b->opt->n_geonames ? "+geonames" : "");
  snprintf(w.h.source_checksum, sizeof w.h.source_checksum,
           "fnv1a64:%016llx", (unsigned long long)b->checksum);

  /* The header goes last, once offsets and the body checksum are known. */
  if (fseek(f, sizeof w.h, SEEK_SET))
    rc = GM_EIO;
  w.pos = sizeof w.h;
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_STRINGS, b->pool.data, b->pool.len + 1);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_ENTRIES, b->entries,
                     b->n_entries * sizeof *b->entries);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_REGIONS, regions,
                     b->n_regions * sizeof *regions);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_MEMBERS, members.data, members.len);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_GEOMETRY, geometry.data, geometry.len);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_KEYS, t.keys, t.n_keys * sizeof *t.keys);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_POSTINGS, t.postings,
                     t.n_postings * sizeof *t.postings);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_SLOTS, t.slots, t.n_slots * sizeof *t.slots);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_BYID, t.by_id, t.n_by_id * sizeof *t.by_id);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_META, b->meta.data, b->meta.len);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_WORDS, words, b->n_words * sizeof *words);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_WORDSLOTS, word_slots,
                     n_word_slots * sizeof *word_slots);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_SHAPES, shapes,
                     b->n_regions * sizeof *shapes);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_SHAPEDATA, shape_data.data, shape_data.len);
  if (rc == 0)
    rc = put_section(&w, GAZ_SEC_PLACESPOP, b->places_population,
                     b->n_entries * sizeof *b->places_population);
  if (rc == 0) {
    w.h.file_size = w.pos;
    w.h.body_crc32 = (uint32_t)w.crc;
    w.h.header_crc32 = 0;
    w.h.header_crc32 = (uint32_t)crc32(0, (const Bytef *)&w.h, sizeof w.h);
    if (fseek(f, 0, SEEK_SET) || fwrite(&w.h, sizeof w.h, 1, f) != 1)
      rc = GM_EIO;
  }
  if (rc == GM_EIO)
    gm__error(b->err, rc, "%s: write failed: %s", path, strerror(errno));
done:
  index_free(&t);
  gm__buf_free(&geometry);
  gm__buf_free(&members);
  gm__buf_free(&shape_data);
  free(regions);
  free(shapes);
  free(words);
  free(word_slots);
  return rc;
}

static void builder_free(gm__builder *b)
{
  for (size_t i = 0; i < b->n_regions; i++) {
    bregion *r = &b->regions[i];
    free(r->members);
    free(r->parts);
    if (b->geo)
      gm__geo_destroy(b->geo, r->geom);
  }
  free(b->regions);
  gm__geo_free(b->geo);
  gm__buf_free(&b->pool);
  free(b->pool_slots);
  free(b->entries);
  free(b->places_population);
  free(b->names);
  free(b->words);
  gm__map32_free(&b->word_by_key);
  gm__map32_free(&b->by_geonameid);
  gm__map32_free(&b->by_region_id);
  gm__map32_free(&b->admin1_names);
  gm__map32_free(&b->admin2_names);
  gm__map32_free(&b->admin2_units);
  free(b->facts);
  gm__tokens_free(&b->tokens);
  gm__buf_free(&b->key);
  gm__buf_free(&b->meta);
}

/* Read the bundled sources and the GeoNames dumps opt names into b. */
static int read_sources(gm__builder *b)
{
  const gm_build_options *opt = b->opt;
  int rc;

  if (gm__buf_putc(&b->pool, '\0') || gm__geo_new(&b->geo))
    return gm__error(b->err, GM_ENOMEM, "out of memory");
  b->pool.len = 1;  /* offset 0 is the empty string */
  if (!opt->skip_bundled && (rc = gm__b_read_bundled(b)))
    return rc;
  /* GeoNames alone still asks for its CC BY attribution. */
  if (opt->skip_bundled &&
      gm__buf_printf(&b->meta, "attribution=Contains data from GeoNames "
                               "(geonames.org), CC BY 4.0\n"))
    return gm__error(b->err, GM_ENOMEM, "out of memory");
  for (size_t i = 0; i < opt->n_geonames; i++)
    if ((rc = gm__b_read_geonames(b, opt->geonames[i])))
      return rc;
  if (b->skipped_rows)
    gm__b_warn(b, "skipped %zu malformed rows", b->skipped_rows);
  /* Last: a layered dump's places count in the units' sizes too. */
  return gm__b_sum_places(b);
}

int gm_gazetteer_write(const gm_build_options *opt, FILE *f, const char *name,
                       gm_error *err)
{
  gm__builder b = {.err = err, .opt = opt, .checksum = 14695981039346656037ull};
  int rc;

  if (!opt || !f || !name || (!opt->sources_dir && !opt->skip_bundled))
    return gm__error(err, GM_EINVAL, "gazetteer build: no sources given");
  rc = read_sources(&b);
  if (rc == 0)
    rc = write_file(&b, name, f);
  builder_free(&b);
  return rc;
}

int gm_gazetteer_build(const gm_build_options *opt, const char *out_path,
                       gm_error *err)
{
  struct stat st;
  char *tmp, *target = NULL;
  const char *place = out_path;
  FILE *f = NULL;
  int fd, rc;

  if (!opt || !out_path || (!opt->sources_dir && !opt->skip_bundled))
    return gm__error(err, GM_EINVAL, "gazetteer build: no sources given");
  /* Renamed over, a device or FIFO would become a regular file (/dev/full
   * among them) and the build "succeed". */
  if (stat(out_path, &st) == 0 && !S_ISREG(st.st_mode))
    return gm__error(err, GM_EINVAL, "%s: not a regular file", out_path);
  /* A symlink stays one, as the CLI's outputs do: the file it leads to is
   * replaced, the temporary made beside that file (the same file system,
   * so the rename holds). A dangling link is replaced like a missing file. */
  if (lstat(out_path, &st) == 0 && S_ISLNK(st.st_mode) &&
      (target = realpath(out_path, NULL)))
    place = target;
  if (!(tmp = malloc(strlen(place) + 16))) {
    free(target);
    return gm__error(err, GM_ENOMEM, "out of memory");
  }
  sprintf(tmp, "%s.tmp-XXXXXX", place);
  fd = mkstemp(tmp);
  if (fd >= 0)
    fchmod(fd, 0644);  /* mkstemp's 0600 would hide an installed file */
  if (fd < 0 || !(f = fdopen(fd, "wb"))) {
    rc = gm__error(err, GM_EIO, "%s: cannot create: %s", out_path,
                   strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(tmp);
    }
    free(tmp);
    free(target);
    return rc;
  }
  rc = gm_gazetteer_write(opt, f, out_path, err);
  if (fclose(f) != 0 && rc == 0)
    rc = gm__error(err, GM_EIO, "%s: write failed: %s", out_path,
                   strerror(errno));
  if (rc == 0 && rename(tmp, place) != 0)
    rc = gm__error(err, GM_EIO, "%s: cannot rename into place: %s", out_path,
                   strerror(errno));
  if (rc)
    unlink(tmp);
  free(tmp);
  free(target);
  return rc;
}
