/*
 * test_gaz_build_default.c — the default gazetteer is reproducible: built
 * twice from gazetteer/ (GM_SOURCES_DIR) it gives the same bytes, and
 * those are the bytes of the build tree's own geomention.gmz
 * (GEOMENTION_GAZETTEER) when that was built from the bundled sources
 * alone, and its countries stand at GeoNames' points. Slow (two full
 * builds, ~40 s): meson gives it a long timeout.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "geomention.h"
#include "tap.h"
#include "fixture.h"

#ifndef GM_DEFAULT_GEONAMES
#define GM_DEFAULT_GEONAMES 0   /* -Dgeonames dumps in the build tree's */
#endif

static int build(const char *sources, const char *out, gm_error *err)
{
  gm_build_options opt = {0};
  opt.sources_dir = sources;
  return gm_gazetteer_build(&opt, out, err);
}

/* Whether country:ISO2's entry stands at lat, lon (to 1e-4 degrees). */
static int country_at(const gm_gazetteer *g, const char *iso2, double lat,
                      double lon)
{
  char id[16];
  uint32_t index;
  gm_region r;
  gm_entry e;

  snprintf(id, sizeof id, "country:%s", iso2);
  return gm_gazetteer_find_region(g, id, &index) == 0 &&
         gm_gazetteer_region(g, index, &r) == 0 &&
         gm_gazetteer_entry(g, r.entry, &e) == 0 &&
         fabs(e.lat - lat) < 1e-4 && fabs(e.lon - lon) < 1e-4;
}

static size_t first_difference(const unsigned char *a, size_t la,
                               const unsigned char *b, size_t lb)
{
  size_t i = 0;
  while (i < la && i < lb && a[i] == b[i])
    i++;
  return i;
}

int main(void)
{
  const char *sources = getenv("GM_SOURCES_DIR");
  const char *tree = getenv("GEOMENTION_GAZETTEER");
  char a[4200], b[4200];
  unsigned char *pa = NULL, *pb = NULL, *pt = NULL;
  size_t la = 0, lb = 0, lt = 0;
  gm_error err = {0, ""};
  gm_gazetteer *g = NULL;
  int rc;

  if (!sources || !*sources)
    return tap_skip_all("GM_SOURCES_DIR is not set");
  snprintf(a, sizeof a, "%s", fx_path("default-a.gmz"));
  snprintf(b, sizeof b, "%s", fx_path("default-b.gmz"));
  rc = build(sources, a, &err);
  if (!ok(rc == 0, "build the default gazetteer from %s (%s)", sources,
          err.message))
    return tap_done();
  rc = build(sources, b, &err);
  ok(rc == 0, "build it again (%s)", err.message);
  pa = fx_read(a, &la);
  pb = fx_read(b, &lb);
  ok(pa && pb && la == lb && memcmp(pa, pb, la) == 0,
     "two builds are identical, %zu bytes (first difference at %zu)", la,
     pa && pb ? first_difference(pa, la, pb, lb) : 0);
  rc = gm_gazetteer_open(a, &g, &err);
  ok(rc == 0 && gm_gazetteer_verify(g, &err) == 0,
     "the build opens and verifies (%s)", err.message);
  /* countries-geonames.tsv has no point for Libya: GeoNames' own (28, 17,
   * sources/country-points.tsv) rather than world-countries' 25, 17; its
   * hand-written points stay (India 20, 77, where the package has 22, 79) */
  ok(rc == 0 && country_at(g, "LY", 28, 17),
     "a country without a hand-written point stands at GeoNames' point");
  ok(rc == 0 && country_at(g, "IN", 20, 77),
     "a hand-written point is kept over the package's");
  gm_gazetteer_close(g);
  if (tree && *tree && !GM_DEFAULT_GEONAMES) {
    pt = fx_read(tree, &lt);
    ok(pt && lt == la && memcmp(pt, pa, la) == 0,
       "and equal to the build tree's %s (first difference at %zu)", tree,
       pt ? first_difference(pa, la, pt, lt) : 0);
  }
  free(pa);
  free(pb);
  free(pt);
  return tap_done();
}
