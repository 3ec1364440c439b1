/*
 * test_gaz_build_default.c — the default gazetteer is reproducible: built
 * twice from gazetteer/ (GM_SOURCES_DIR) it gives the same bytes, and
 * those are the bytes of the build tree's own geomention.gmz
 * (GEOMENTION_GAZETTEER) when that was built from the bundled sources
 * alone. Slow (two full builds, ~40 s): meson gives it a long timeout.
 */
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
