/*
 * test_lookup.c — issue 2's acceptance lookups against the default
 * gazetteer (GEOMENTION_GAZETTEER), through gm_lookup, with the polygons
 * checked independently by GEOS: Kyiv in three spellings, Donbass as the
 * union of the Donetsk and Luhansk oblasts, Crimea with its polygon,
 * Paris, regions that are no unit of today's map (Tohoku, Lorraine,
 * the USSR). (tests/golden/ runs the same through the command line.)
 */
#include <math.h>
#include <string.h>

#include <geos_c.h>

#include "geomention.h"
#include "tap.h"

static gm_gazetteer *gaz;
static GEOSContextHandle_t geos;
static GEOSWKBReader *wkb_reader;

/* The first candidate's entry for name, or GM_NO_ENTRY. */
static uint32_t first(const char *name, gm_entry *e)
{
  gm_candidate *c = NULL;
  size_t n = 0;
  gm_error err;
  uint32_t entry = GM_NO_ENTRY;

  if (gm_lookup(gaz, name, strlen(name), NULL, &c, &n, &err) == 0 && n > 0)
    entry = c[0].entry;
  free(c);
  if (entry != GM_NO_ENTRY && gm_gazetteer_entry(gaz, entry, e) != 0)
    entry = GM_NO_ENTRY;
  return entry;
}

static GEOSGeometry *read_wkb(const unsigned char *wkb, size_t len)
{
  return wkb && len ? GEOSWKBReader_read_r(geos, wkb_reader, wkb, len) : NULL;
}

/* The full and simplified polygons of the region of the entry with this
 * geonameid. */
static int region_of(uint32_t geonameid, gm_region *r, GEOSGeometry **full,
                     GEOSGeometry **simple)
{
  uint32_t idx;
  gm_entry e;

  *full = *simple = NULL;
  if (gm_gazetteer_find_geonameid(gaz, geonameid, &idx) ||
      gm_gazetteer_entry(gaz, idx, &e) || e.region < 0 ||
      gm_gazetteer_region(gaz, (uint32_t)e.region, r))
    return -1;
  *full = read_wkb(r->wkb_full, r->wkb_full_len);
  *simple = read_wkb(r->wkb_simple, r->wkb_simple_len);
  return *full && *simple ? 0 : -1;
}

static GEOSGeometry *point_of(uint32_t geonameid)
{
  uint32_t idx;
  gm_entry e;
  GEOSCoordSequence *s;

  if (gm_gazetteer_find_geonameid(gaz, geonameid, &idx) ||
      gm_gazetteer_entry(gaz, idx, &e) ||
      !(s = GEOSCoordSeq_create_r(geos, 1, 2)))
    return NULL;
  GEOSCoordSeq_setXY_r(geos, s, 0, e.lon, e.lat);
  return GEOSGeom_createPoint_r(geos, s);
}

/* 1 when geom contains the point of the entry with this geonameid. */
static int contains_place(const GEOSGeometry *geom, uint32_t geonameid)
{
  GEOSGeometry *p = point_of(geonameid);
  int in = p && geom ? GEOSContains_r(geos, geom, p) == 1 : 0;
  GEOSGeom_destroy_r(geos, p);
  return in;
}

static int contains_xy(const GEOSGeometry *geom, double lon, double lat)
{
  GEOSCoordSequence *s = GEOSCoordSeq_create_r(geos, 1, 2);
  GEOSGeometry *p;
  int in;

  GEOSCoordSeq_setXY_r(geos, s, 0, lon, lat);
  p = GEOSGeom_createPoint_r(geos, s);
  in = p && geom ? GEOSContains_r(geos, geom, p) == 1 : 0;
  GEOSGeom_destroy_r(geos, p);
  return in;
}

static double area(const GEOSGeometry *g)
{
  double a = -1;
  if (!g || GEOSArea_r(geos, g, &a) != 1)
    return -1;
  return a;
}

/* Area of part that lies outside whole, as a share of part's area. */
static double outside_share(const GEOSGeometry *part,
                            const GEOSGeometry *whole)
{
  GEOSGeometry *d = GEOSDifference_r(geos, part, whole);
  double share = d ? area(d) / area(part) : 1;
  GEOSGeom_destroy_r(geos, d);
  return share;
}

static void test_kyiv(void)
{
  static const char *const spellings[] = {"Kyiv", "Київ", "Kiev", "KYIV",
                                          "kyiv", "КИЇВ", "KIEV"};
  for (size_t i = 0; i < sizeof spellings / sizeof *spellings; i++) {
    gm_entry e = {0};
    uint32_t entry = first(spellings[i], &e);
    ok(entry != GM_NO_ENTRY && e.geonameid == 703448,
       "lookup %s: 703448 first (got %u %s)", spellings[i], e.geonameid,
       e.name ? e.name : "");
  }
}

static void test_donbass(void)
{
  static const char *const names[] = {"Donbass", "Donbas", "Donets Basin",
                                      "DONBAS"};
  gm_entry e = {0};
  gm_region donbas, donetsk, luhansk;
  GEOSGeometry *full = NULL, *simple = NULL, *d_full, *d_simple, *l_full,
               *l_simple;
  uint32_t entry = first("Donbass", &e);
  int members = 0;

  if (!ok(entry != GM_NO_ENTRY && e.region >= 0 &&
              gm_gazetteer_region(gaz, (uint32_t)e.region, &donbas) == 0 &&
              donbas.kind == GM_REGION_COMPOSITE,
          "lookup Donbass: a composite region first (%s, %s)",
          e.name ? e.name : "", e.fcode ? e.fcode : ""))
    return;
  for (size_t i = 1; i < sizeof names / sizeof *names; i++) {
    gm_entry other = {0};
    ok(first(names[i], &other) == entry, "lookup %s: the same region",
       names[i]);
  }
  ok(region_of(709716, &donetsk, &d_full, &d_simple) == 0 &&
         region_of(702657, &luhansk, &l_full, &l_simple) == 0,
     "Donetsk (709716) and Luhansk (702657) oblasts have polygons");
  for (size_t i = 0; i < donbas.n_members; i++)
    members |= (donbas.members[i] == donetsk.index) |
               (donbas.members[i] == luhansk.index) << 1;
  ok(donbas.n_members == 2 && members == 3,
     "its members are exactly the two oblasts (%s, %s)", donetsk.id,
     luhansk.id);
  full = read_wkb(donbas.wkb_full, donbas.wkb_full_len);
  simple = read_wkb(donbas.wkb_simple, donbas.wkb_simple_len);
  ok(full && GEOSisValid_r(geos, full) == 1 && !GEOSisEmpty_r(geos, full),
     "its full polygon is valid and not empty");
  ok(simple && GEOSisValid_r(geos, simple) == 1 &&
         !GEOSisEmpty_r(geos, simple),
     "its simplified polygon is valid and not empty");
  if (full && d_full && l_full) {
    double a = area(full), ad = area(d_full), al = area(l_full);
    ok(outside_share(d_full, full) < 1e-6 &&
           outside_share(l_full, full) < 1e-6,
       "the full polygon covers both oblasts (outside: %.2g, %.2g)",
       outside_share(d_full, full), outside_share(l_full, full));
    ok(fabs(a - (ad + al)) / (ad + al) < 0.001,
       "its area is the two oblasts' (%.4f vs %.4f + %.4f square degrees)",
       a, ad, al);
  }
  if (simple && d_simple && l_simple)
    ok(outside_share(d_simple, simple) < 0.01 &&
           outside_share(l_simple, simple) < 0.01,
       "the simplified polygon covers the simplified oblasts to 1%%");
  ok(contains_place(full, 709716) && contains_place(full, 702657) &&
         contains_place(simple, 709716) && contains_place(simple, 702657),
     "both polygons contain both oblasts' label points");
  ok(contains_place(full, 704508) && contains_place(full, 709717) &&
         contains_place(full, 702658),
     "Kramatorsk, Donetsk and Luhansk (cities) lie inside");
  ok(!contains_place(full, 703448) && !contains_place(full, 706483) &&
         !contains_place(full, 687700),
     "Kyiv, Kharkiv and Zaporizhzhia lie outside");
  ok(contains_xy(full, e.lon, e.lat) && e.lon > 36 && e.lon < 41,
     "its label point lies inside it (%.2f, %.2f)", e.lat, e.lon);
  GEOSGeom_destroy_r(geos, full);
  GEOSGeom_destroy_r(geos, simple);
  GEOSGeom_destroy_r(geos, d_full);
  GEOSGeom_destroy_r(geos, d_simple);
  GEOSGeom_destroy_r(geos, l_full);
  GEOSGeom_destroy_r(geos, l_simple);
}

static void test_crimea(void)
{
  gm_entry e = {0};
  gm_region r;
  GEOSGeometry *full = NULL, *simple = NULL, *ua_full = NULL,
               *ua_simple = NULL;
  uint32_t entry = first("Crimea", &e);
  int rc;

  if (!ok(entry != GM_NO_ENTRY && e.geonameid == 703883,
          "lookup Crimea: 703883 first (got %u %s)", e.geonameid,
          e.name ? e.name : ""))
    return;
  rc = region_of(703883, &r, &full, &simple);
  ok(rc == 0 && r.kind == GM_REGION_ADMIN1 &&
         GEOSisValid_r(geos, full) == 1 && GEOSisValid_r(geos, simple) == 1 &&
         area(full) > 1.0,
     "it has valid full and simplified polygons (%s, %.2f square degrees)",
     rc == 0 ? r.id : "", area(full));
  ok(contains_place(full, 693805) && contains_place(full, 688533) &&
         contains_place(full, 706524) && contains_place(simple, 693805),
     "Simferopol, Yalta and Kerch lie inside");
  /* Sevastopol is an admin-1 unit of its own (UA.20). */
  ok(!contains_place(full, 694423), "Sevastopol lies outside");
  ok(!contains_place(full, 703448) && !contains_place(full, 709717),
     "Kyiv and Donetsk lie outside");
  /* The README's choice: a country is the union of its ISO 3166-2 units,
   * so Crimea (UA-43) is inside Ukraine. */
  ok(region_of(690791, &r, &ua_full, &ua_simple) == 0 &&
         r.kind == GM_REGION_COUNTRY && contains_place(ua_full, 693805),
     "Ukraine's polygon (690791) contains Simferopol");
  GEOSGeom_destroy_r(geos, full);
  GEOSGeom_destroy_r(geos, simple);
  GEOSGeom_destroy_r(geos, ua_full);
  GEOSGeom_destroy_r(geos, ua_simple);
}

/* Territories Natural Earth files under another country get only the
 * units near them: Martinique is FR-MQ, not also Libya's LY-MQ (Murzuq);
 * Puerto Rico US-PR, not Brazil's BR-PR; Mayotte FR-YT, not Canada's
 * CA-YT (Yukon). The Caribbean region is then in the Caribbean. */
static void test_overseas(void)
{
  static const struct {
    const char *name;
    double west, south, east, north;
  } within[] = {{"Martinique", -62, 14, -60, 15.5},
                {"Puerto Rico", -68.5, 17, -65, 19},
                {"Mayotte", 44.5, -13.5, 45.5, -12.5},
                {"Caribbean", -86, 9, -58, 28}};

  for (size_t i = 0; i < sizeof within / sizeof *within; i++) {
    gm_entry e = {0};
    gm_region r = {0};
    int found = first(within[i].name, &e) != GM_NO_ENTRY && e.region >= 0 &&
                gm_gazetteer_region(gaz, (uint32_t)e.region, &r) == 0;
    ok(found && r.bbox[0] >= within[i].west && r.bbox[1] >= within[i].south &&
           r.bbox[2] <= within[i].east && r.bbox[3] <= within[i].north,
       "%s: its polygon lies within %g,%g,%g,%g (bbox %g,%g,%g,%g)",
       within[i].name, within[i].west, within[i].south, within[i].east,
       within[i].north, r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3]);
  }
}

static void test_paris(void)
{
  gm_entry e = {0};
  gm_lookup_options near_texas = {.has_near = 1, .near_lat = 33.66,
                                  .near_lon = -95.55};
  gm_candidate *c = NULL;
  size_t n = 0;
  gm_error err;
  uint32_t idx;

  first("Paris", &e);
  ok(e.geonameid == 2988507, "lookup Paris: 2988507 first (got %u)",
     e.geonameid);
  /* --near moves the Paris in Texas (4717560) to the front. */
  if (gm_lookup(gaz, "Paris", 5, &near_texas, &c, &n, &err) != 0)
    n = 0;
  ok(n > 1 && gm_gazetteer_find_geonameid(gaz, 4717560, &idx) == 0 &&
         c[0].entry == idx && c[0].distance_km >= 0 &&
         c[0].distance_km < 10,
     "lookup Paris near 33.66,-95.55: Paris, Texas first, %.1f km away",
     n ? c[0].distance_km : -1);
  free(c);
}

/* How name reaches the country cc's own entry (GM_HOW_*), 0 if not at
 * all. */
static unsigned how_country(const char *name, const char *cc)
{
  gm_candidate *c = NULL;
  size_t n = 0;
  gm_error err;
  unsigned how = 0;

  if (gm_lookup(gaz, name, strlen(name), NULL, &c, &n, &err) != 0)
    n = 0;
  for (size_t i = 0; i < n && !how; i++) {
    gm_entry e;
    if (gm_gazetteer_entry(gaz, c[i].entry, &e) == 0 &&
        strcmp(e.country, cc) == 0 && strncmp(e.fcode, "PCL", 3) == 0)
      how = c[i].how;
  }
  free(c);
  return how;
}

/* A word the sources give a country both as a name and as its demonym
 * ("Saudi", "Thai") is the demonym only; its own name stays a name. */
static void test_demonym_names(void)
{
  static const struct {
    const char *name, *cc;
    unsigned how;
  } cases[] = {{"Saudi", "SA", GM_HOW_DEMONYM},
               {"Thai", "TH", GM_HOW_DEMONYM},
               {"Argentine", "AR", GM_HOW_DEMONYM},
               {"Saudi Arabia", "SA", GM_HOW_NAME},
               {"Argentina", "AR", GM_HOW_NAME},
               {"Djibouti", "DJ", GM_HOW_NAME},
               {"Vatican", "VA", GM_HOW_ALTERNATE}};

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    unsigned how = how_country(cases[i].name, cases[i].cc);
    ok(how == cases[i].how, "%s reaches %s as how %u (got %u)",
       cases[i].name, cases[i].cc, cases[i].how, how);
  }
  /* An organisation of states: its names are demonyms, its entry stays. */
  for (int i = 0; i < 2; i++) {
    const char *name = i ? "European Union" : "EU";
    gm_candidate *c = NULL;
    size_t n = 0, as_name = 0, as_demonym = 0;
    gm_error err;
    if (gm_lookup(gaz, name, strlen(name), NULL, &c, &n, &err) != 0)
      n = 0;
    for (size_t k = 0; k < n; k++) {
      gm_entry e;
      if (gm_gazetteer_entry(gaz, c[k].entry, &e) != 0 ||
          strcmp(e.name, "European Union") != 0)
        continue;
      as_demonym += c[k].how == GM_HOW_DEMONYM;
      as_name += c[k].how != GM_HOW_DEMONYM;
    }
    free(c);
    ok(as_demonym > 0 && as_name == 0,
       "%s reaches the European Union only as a demonym (%zu, %zu)", name,
       as_demonym, as_name);
  }
}

/* Natural Earth's map labels are no names outside the US, Canada and
 * Australia ("U.N." is not Upper Nile), while "Calif." and "N.S.W." stay;
 * England is a region of its own, not Leicestershire's label. */
/* The regions that are no unit of today's map: a country's group of
 * first-level units (Japan's Tohoku), a region France merged in 2016
 * (Lorraine), an island group (Mindanao) and a former state (the USSR):
 * each name leads to its composite of exactly the units or countries
 * regions.tsv lists (by admin-1 code, or ISO 3166-2 code where NE gives
 * none: Mindanao), and each member lies in the country it should. */
static void test_former_and_grouped_regions(void)
{
  static const struct {
    const char *name, *id, *country;
    size_t n_members;
  } cases[] = {
      {"Tohoku", "region:tohoku", "JP", 6},
      {"Lorraine", "region:lorraine", "FR", 4},
      {"Mindanao", "region:mindanao", "PH", 32},
      {"USSR", "region:soviet-union", NULL, 15},
      {"Soviet Union", "region:soviet-union", NULL, 15},
  };

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    gm_entry e = {0};
    gm_region r = {0};
    size_t in_country = 0;
    int found = first(cases[i].name, &e) != GM_NO_ENTRY && e.region >= 0 &&
                gm_gazetteer_region(gaz, (uint32_t)e.region, &r) == 0;

    if (!ok(found && r.kind == GM_REGION_COMPOSITE &&
                strcmp(r.id, cases[i].id) == 0,
            "lookup %s: %s first (got %s, %s)", cases[i].name, cases[i].id,
            e.name ? e.name : "nothing", found ? r.id : "no region"))
      continue;
    for (size_t k = 0; k < r.n_members; k++) {
      gm_region m;
      gm_entry me;
      in_country +=
          gm_gazetteer_region(gaz, r.members[k], &m) == 0 &&
          gm_gazetteer_entry(gaz, m.entry, &me) == 0 &&
          (cases[i].country ? m.kind == GM_REGION_ADMIN1 &&
                                  strcmp(me.country, cases[i].country) == 0
                            : m.kind == GM_REGION_COUNTRY);
    }
    ok(r.n_members == cases[i].n_members && in_country == r.n_members,
       "%s has %zu members, %zu of them %s (expected %zu)", r.id,
       r.n_members, in_country,
       cases[i].country ? "admin-1 units in that country" : "countries",
       cases[i].n_members);
  }
}

static void test_abbreviations(void)
{
  static const struct {
    const char *name, *country, *fcode;
  } cases[] = {{"Calif.", "US", "ADM1"}, {"N.S.W.", "AU", "ADM1"},
               {"England", "GB", "RGN"}};
  gm_candidate *c = NULL;
  size_t n = 0, sudan = 0;
  gm_error err;

  if (gm_lookup(gaz, "U.N.", 4, NULL, &c, &n, &err) != 0)
    n = 0;
  for (size_t i = 0; i < n; i++) {
    gm_entry e;
    sudan += gm_gazetteer_entry(gaz, c[i].entry, &e) == 0 &&
             strcmp(e.country, "SS") == 0;
  }
  free(c);
  ok(sudan == 0, "U.N. names nothing in South Sudan (%zu candidates)", sudan);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    gm_entry e = {0};
    int found = first(cases[i].name, &e) != GM_NO_ENTRY;
    ok(found && strcmp(e.country, cases[i].country) == 0 &&
           strcmp(e.fcode, cases[i].fcode) == 0,
       "%s: first a %s in %s (got %s in %s)", cases[i].name, cases[i].fcode,
       cases[i].country, found ? e.fcode : "-", found ? e.country : "-");
  }
}

int main(void)
{
  const char *path = getenv("GEOMENTION_GAZETTEER");
  gm_error err;

  if (!path || !*path)
    return tap_skip_all("GEOMENTION_GAZETTEER is not set");
  if (gm_gazetteer_open(path, &gaz, &err)) {
    ok(0, "open %s: %s", path, err.message);
    return tap_done();
  }
  geos = GEOS_init_r();
  wkb_reader = GEOSWKBReader_create_r(geos);
  test_kyiv();
  test_donbass();
  test_crimea();
  test_paris();
  test_overseas();
  test_demonym_names();
  test_abbreviations();
  test_former_and_grouped_regions();
  GEOSWKBReader_destroy_r(geos, wkb_reader);
  GEOS_finish_r(geos);
  gm_gazetteer_close(gaz);
  return tap_done();
}
