/*
 * gaz_geonames.c — read a GeoNames dump (allCountries.txt, a country file
 * such as UA.txt or UA.zip, cities500/15000) into the builder.
 *
 * Rows are the 19 tab-separated GeoNames columns. A row whose id is
 * already known updates that entry: GeoNames' own point and population
 * win over a polygon's label point, and its names are added. A PCL*,
 * ADM1 or ADM2 row is also matched to the country, admin-1 or admin-2
 * unit with the same codes that has no GeoNames id yet, so a layered dump
 * gives the bundled units GeoNames' ids and points. Malformed rows are
 * counted and skipped (the first reported), never fatal; a dump with no
 * good row is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaz_build.h"
#include "gaz_geonames.h"
#include "io_lines.h"

enum {
  COL_ID, COL_NAME, COL_ASCII, COL_ALTERNATES, COL_LAT, COL_LON, COL_FCLASS,
  COL_FCODE, COL_COUNTRY, COL_CC2, COL_ADMIN1, COL_ADMIN2, COL_ADMIN3,
  COL_ADMIN4, COL_POPULATION, COL_ELEVATION, COL_DEM, COL_TIMEZONE,
  COL_MODIFIED, N_COLS
};

static int parse_u32(const char *s, uint32_t *out)
{
  char *end;
  unsigned long long v;

  if (*s < '0' || *s > '9')
    return -1;
  v = strtoull(s, &end, 10);
  if (*end || v > UINT32_MAX)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

static int parse_coord(const char *s, double limit, double *out)
{
  char *end;

  *out = strtod(s, &end);
  return (end == s || *end || !(*out >= -limit && *out <= limit)) ? -1 : 0;
}

int gm__geonames_parse(char *line, gm__geonames_row *row, const char **why)
{
  char *f[N_COLS + 1];
  size_t n = gm__split_tabs(line, f, N_COLS + 1);
  uint64_t population;

  if (n < N_COLS - 1) {   /* some dumps omit the last column's value */
    *why = "fewer than 18 tab-separated columns";
    return -1;
  }
  if (parse_u32(f[COL_ID], &row->geonameid) || row->geonameid == 0) {
    *why = "geonameid is not a positive integer";
    return -1;
  }
  if (parse_coord(f[COL_LAT], 90, &row->lat) ||
      parse_coord(f[COL_LON], 180, &row->lon)) {
    *why = "latitude or longitude is not a number in range";
    return -1;
  }
  if (!f[COL_NAME][0]) {
    *why = "empty name";
    return -1;
  }
  row->name = f[COL_NAME];
  row->asciiname = f[COL_ASCII];
  row->alternates = f[COL_ALTERNATES];
  row->fclass = f[COL_FCLASS][0];
  row->fcode = f[COL_FCODE];
  row->country = f[COL_COUNTRY];
  row->admin1 = f[COL_ADMIN1];
  row->admin2 = f[COL_ADMIN2];
  /* strtoull reads "-5" as 2^64 - 5: only digits count as a population,
   * anything else (empty, negative, text) as none. */
  population = f[COL_POPULATION][0] >= '0' && f[COL_POPULATION][0] <= '9'
                   ? strtoull(f[COL_POPULATION], NULL, 10)
                   : 0;
  row->population = population > UINT32_MAX ? UINT32_MAX : (uint32_t)population;
  return 0;
}

/* An alternate name that is really a code: IATA/ICAO (IEV, UKBB), postal
 * or numeric identifiers. Kept, but marked, so text matching ignores it. */
static int looks_like_code(const char *s, size_t len)
{
  size_t upper = 0;

  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= '0' && c <= '9')
      return 1;
    upper += (c >= 'A' && c <= 'Z');
  }
  return len <= 4 && upper == len;
}

static int add_alternates(gm__builder *b, uint32_t entry, const char *list)
{
  const char *p = list;

  while (*p) {
    const char *q = strchr(p, ',');
    size_t n = q ? (size_t)(q - p) : strlen(p);
    int rc = gm__b_add_name(b, entry, p, n,
                            looks_like_code(p, n) ? GM_HOW_CODE
                                                  : GM_HOW_ALTERNATE);
    if (rc)
      return rc;
    p += n + (q != NULL);
  }
  return 0;
}

/* The entry this row updates: the same id, or the admin-1 or admin-2 unit
 * or country with the same codes that has no GeoNames id yet (a layered
 * allCountries gives GeoNames' own points to the bundled units instead of
 * a second entry for each). */
static int existing_entry(gm__builder *b, const gm__geonames_row *r,
                          uint32_t *entry)
{
  char id[64];
  uint32_t region;

  static const char *const countries[] = {"PCLI", "PCLD", "PCLF", "PCLS",
                                          "PCLIX", "PCL", NULL};
  int country = 0;

  if (gm__map32_get(&b->by_geonameid, r->geonameid, entry))
    return 1;
  if (r->fclass != 'A' || strlen(r->country) != 2)
    return 0;
  if (strcmp(r->fcode, "ADM2") == 0 && r->admin1[0] && r->admin2[0]) {
    uint32_t code;
    return gm__b_admin2_code(b, r->country, r->admin1, r->admin2, &code) ==
               0 &&
           gm__map32_get(&b->admin2_units, code, entry) &&
           b->entries[*entry].geonameid == 0;
  }
  for (const char *const *c = countries; *c; c++)
    country |= strcmp(r->fcode, *c) == 0;
  if (strcmp(r->fcode, "ADM1") == 0 && r->admin1[0])
    snprintf(id, sizeof id, "admin1:%s.%s", r->country, r->admin1);
  else if (country)
    snprintf(id, sizeof id, "country:%s", r->country);
  else
    return 0;
  /* Only a unit that has no GeoNames id yet takes this row's. */
  if (!gm__b_find_region(b, id, &region) ||
      b->entries[b->regions[region].entry].geonameid != 0)
    return 0;
  *entry = b->regions[region].entry;
  return 1;
}

static int fill_entry(gm__builder *b, gaz_entry *e, const gm__geonames_row *r)
{
  int rc;

  e->geonameid = r->geonameid;
  gm__b_set_point(e, r->lat, r->lon);
  if (r->population || !e->population)
    e->population = r->population;
  if ((rc = gm__b_intern(b, r->admin1, strlen(r->admin1), &e->admin1)) ||
      (rc = gm__b_intern(b, r->admin2, strlen(r->admin2), &e->admin2)))
    return rc;
  if (strlen(r->country) == 2)
    memcpy(e->country, r->country, 2);
  return 0;
}

static int add_row(gm__builder *b, const gm__geonames_row *r)
{
  uint32_t entry;
  int rc;

  if (existing_entry(b, r, &entry)) {
    gaz_entry *e = &b->entries[entry];
    uint32_t old = e->geonameid;
    if ((rc = fill_entry(b, e, r)))
      return rc;
    if (old != r->geonameid &&
        gm__map32_put(&b->by_geonameid, r->geonameid, entry))
      return GM_ENOMEM;
    rc = gm__b_add_name(b, entry, r->name, strlen(r->name), GM_HOW_ALTERNATE);
  } else {
    gaz_entry e = {.region = -1, .fclass = r->fclass};
    size_t n = strlen(r->fcode);
    memcpy(e.fcode, r->fcode, n < sizeof e.fcode ? n : sizeof e.fcode - 1);
    if ((rc = fill_entry(b, &e, r)) ||
        (rc = gm__b_intern(b, r->name, strlen(r->name), &e.name)) ||
        (rc = gm__b_intern(b, r->asciiname, strlen(r->asciiname),
                           &e.asciiname)) ||
        (rc = gm__b_add_entry(b, &e, &entry)))
      return rc;
    rc = gm__b_add_name(b, entry, r->name, strlen(r->name), GM_HOW_NAME);
  }
  if (rc == 0)
    rc = gm__b_add_name(b, entry, r->asciiname, strlen(r->asciiname),
                        GM_HOW_ASCII);
  if (rc == 0)
    rc = add_alternates(b, entry, r->alternates);
  return rc;
}

int gm__b_read_geonames(gm__builder *b, const char *path)
{
  gm__lines *in;
  char *line;
  size_t len, rows = 0, skipped = 0;
  int rc = gm__lines_open(path, &in, b->err);

  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

  if (rc)
    return rc;
  gm__b_checksum(b, base, strlen(base));
  while ((rc = gm__lines_next(in, &line, &len, b->err)) > 0) {
    gm__geonames_row row;
    const char *why;
    gm__b_checksum(b, line, len + 1);
    if (len == 0 || line[0] == '#')
      continue;
    /* The NUL test comes first: parsing turns the tabs into NULs. */
    if (memchr(line, '\0', len) ? (why = "NUL byte in row", 1)
                                 : gm__geonames_parse(line, &row, &why) != 0) {
      if (skipped++ == 0)
        gm__b_warn(b, "%s:%zu: skipped: %s", path, gm__lines_number(in), why);
      continue;
    }
    if ((rc = add_row(b, &row))) {
      gm__error(b->err, rc, "%s:%zu: %s", path, gm__lines_number(in),
                gm_strerror(rc));
      break;
    }
    rows++;
  }
  gm__lines_close(in);
  b->skipped_rows += skipped;
  if (rc < 0)
    return rc;
  /* An empty file, or one that is not a GeoNames dump at all, would
   * otherwise build a gazetteer without what was asked for. */
  if (rows == 0)
    return gm__error(b->err, GM_EFORMAT, "%s: no GeoNames rows (%zu "
                     "malformed)", path, skipped);
  gm__b_progress(b, "%s: %zu rows", path, rows);
  return gm__buf_printf(&b->meta, "geonames=%s rows=%zu skipped=%zu\n",
                        base, rows, skipped)
             ? GM_ENOMEM
             : 0;
}
