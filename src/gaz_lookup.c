/*
 * gaz_lookup.c — every entry a name can mean, ranked without context.
 *
 * The rank is a sum of independent signals: how the name reached the
 * entry (primary, ASCII, alternate, code, demonym), the kind of entry
 * (country > admin-1 > capital > seat > place), log population, and the
 * caller's priors (a country, a point nearby). It is the gazetteer's own
 * answer to "which X?"; the resolver adds the document's context on top.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gaz_reader.h"
#include "geo.h"
#include "internal.h"
#include "resolve.h"

double gm__how_score(unsigned how)
{
  switch (how) {
  case GM_HOW_NAME:
    return 3.0;
  case GM_HOW_ASCII:
    return 2.8;
  case GM_HOW_ALTERNATE:
    return 2.0;
  case GM_HOW_CODE:
    return 1.0;
  case GM_HOW_DEMONYM:
    return 1.0;
  }
  return 0;
}

double gm__kind_score(const gaz_entry *e)
{
  /* Regions carry no population: their kind stands in for it. */
  if (e->fclass == 'A' && strncmp(e->fcode, "PCL", 3) == 0)
    return 6.0;
  if (e->fclass == 'L' && strcmp(e->fcode, "CONT") == 0)
    return 6.0;
  if (e->fclass == 'A' && strcmp(e->fcode, "ADM1") == 0)
    return 4.5;
  if (e->fclass == 'L' && strcmp(e->fcode, "RGN") == 0)
    return 4.5;
  if (e->fclass == 'P') {
    if (strcmp(e->fcode, "PPLC") == 0)
      return 2.0;
    if (strcmp(e->fcode, "PPLA") == 0)
      return 1.2;
    if (strncmp(e->fcode, "PPLA", 4) == 0)
      return 0.6;
    if (strcmp(e->fcode, "PPLX") == 0 || strcmp(e->fcode, "PPLH") == 0)
      return -1.0;
    return 0.0;
  }
  if (e->fclass == 'A')
    return 1.0;
  return -0.5;
}

double gm__population_score(uint32_t population)
{
  return 0.8 * log10(1.0 + population);
}

static int cmp_candidate(const void *a, const void *b)
{
  const gm_candidate *x = a, *y = b;
  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return (x->entry > y->entry) - (x->entry < y->entry);
}

int gm_lookup(const gm_gazetteer *g, const char *name, size_t len,
              const gm_lookup_options *opt, gm_candidate **out, size_t *n,
              gm_error *err)
{
  gm__tokens t = {0};
  gm__buf key = {0};
  const gm_posting *p;
  size_t np = 0, limit = opt && opt->limit ? opt->limit : 10;
  gm_candidate *c = NULL;
  int is_prefix, rc;

  *out = NULL;
  *n = 0;
  rc = gm__normalize_key(&t, name, len, &key);
  if (rc == 0 && key.len)
    rc = gm_gazetteer_postings(g, key.data, key.len, &p, &np, &is_prefix);
  if (rc == 0 && np && !(c = calloc(np, sizeof *c)))
    rc = GM_ENOMEM;
  for (size_t i = 0; rc == 0 && i < np; i++) {
    const gaz_entry *e = gm__gaz_entry(g, p[i].entry);
    double lat, lon;
    if (!e) {
      rc = GM_EGAZETTEER;
      break;
    }
    lat = e->lat_e7 / 1e7;
    lon = e->lon_e7 / 1e7;
    c[i] = (gm_candidate){.entry = p[i].entry, .how = p[i].how,
                          .distance_km = -1};
    c[i].score = gm__how_score(p[i].how) + gm__kind_score(e) +
                 gm__population_score(e->population);
    if (opt && opt->country && memcmp(e->country, opt->country, 2) == 0)
      c[i].score += 3.0;
    if (opt && opt->has_near) {
      c[i].distance_km = gm__geo_distance_km(opt->near_lat, opt->near_lon,
                                             lat, lon);
      c[i].score -= 2.0 * log1p(c[i].distance_km / 25.0);
    }
  }
  gm__tokens_free(&t);
  gm__buf_free(&key);
  if (rc) {
    free(c);
    return gm__error(err, rc, "%s: lookup failed: %s", g->path,
                     gm_strerror(rc));
  }
  if (np > 1)   /* c is NULL when np is 0, and qsort(NULL, 0) is UB */
    qsort(c, np, sizeof *c, cmp_candidate);
  *out = c;
  *n = np < limit ? np : limit;
  return 0;
}
