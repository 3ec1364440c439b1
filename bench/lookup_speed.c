/*
 * lookup_speed.c — exact name lookups per second on one core:
 *
 *     lookup_speed [GAZETTEER] [SECONDS]
 *
 * Collects every indexed name of the gazetteer (gm_gazetteer_each_name:
 * the normalised keys, as the text matcher asks for them), shuffles them
 * with a fixed seed, and looks them up with gm_gazetteer_postings for at
 * least SECONDS (default 2) of CPU time, whole passes at a time. The
 * shuffle defeats the key order's cache locality: each lookup is a cold
 * hash probe, as in a text. It also times gm_lookup (normalise the raw
 * name, then rank every candidate) over a sample, which is what
 * `geomention lookup` does. Prints one JSON object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geomention.h"

typedef struct names {
  char **v;
  size_t n, cap;
} names;

static int collect(void *arg, const char *key, size_t len)
{
  names *ns = arg;
  char *copy;

  if (ns->n == ns->cap) {
    size_t cap = ns->cap ? ns->cap * 2 : 1 << 16;
    char **v = realloc(ns->v, cap * sizeof *v);
    if (!v)
      return 1;
    ns->v = v;
    ns->cap = cap;
  }
  if (!(copy = malloc(len + 1)))
    return 1;
  memcpy(copy, key, len);
  copy[len] = '\0';
  ns->v[ns->n++] = copy;
  return 0;
}

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
  const char *path = argc > 1 ? argv[1] : getenv("GEOMENTION_GAZETTEER");
  double seconds = argc > 2 ? atof(argv[2]) : 2.0;
  gm_gazetteer *g;
  gm_error err;
  names ns = {0};
  uint64_t state = 0x2545F4914F6CDD1Dull, found = 0, postings = 0;
  size_t *len, lookups = 0, passes = 0, sample, full = 0, total = 0;
  char *keys = NULL;
  double t0, t, full_t;

  if (!path) {
    fprintf(stderr, "usage: lookup_speed GAZETTEER [SECONDS]\n");
    return 2;
  }
  if (gm_gazetteer_open(path, &g, &err)) {
    fprintf(stderr, "lookup_speed: %s\n", err.message);
    return 1;
  }
  if (gm_gazetteer_each_name(g, collect, &ns) || ns.n == 0) {
    fprintf(stderr, "lookup_speed: cannot collect names\n");
    return 1;
  }
  for (size_t i = ns.n - 1; i > 0; i--) {   /* Fisher-Yates, fixed seed */
    size_t j;
    char *tmp;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    j = (size_t)(state % (i + 1));
    tmp = ns.v[i];
    ns.v[i] = ns.v[j];
    ns.v[j] = tmp;
  }
  /* The keys, in shuffled order, laid out one after the other: reading
   * the next key costs what reading the next token of a text does, so
   * the time measured is the index's. */
  len = malloc(ns.n * sizeof *len);
  for (size_t i = 0; len && i < ns.n; i++)
    total += (len[i] = strlen(ns.v[i])) + 1;
  if (!len || !(keys = malloc(total)))
    return 1;
  for (size_t i = 0, off = 0; i < ns.n; i++) {
    memcpy(keys + off, ns.v[i], len[i] + 1);
    free(ns.v[i]);
    ns.v[i] = keys + off;
    off += len[i] + 1;
  }

  /* Exact lookups of normalised keys: whole passes until the time is up. */
  t0 = cpu_seconds();
  do {
    for (size_t i = 0; i < ns.n; i++) {
      const gm_posting *p;
      size_t n;
      int prefix;
      if (gm_gazetteer_postings(g, ns.v[i], len[i], &p, &n, &prefix) == 0 &&
          n) {
        found++;
        postings += p[0].entry;  /* touch the posting, as a caller would */
      }
    }
    lookups += ns.n;
    passes++;
    t = cpu_seconds() - t0;
  } while (t < seconds);

  /* gm_lookup on a sample: normalise, probe, rank. */
  sample = ns.n < 200000 ? ns.n : 200000;
  full_t = cpu_seconds();
  for (size_t i = 0; i < sample; i++) {
    gm_candidate *c;
    size_t n;
    if (gm_lookup(g, ns.v[i], len[i], NULL, &c, &n, &err) == 0) {
      full += n > 0;
      free(c);
    }
  }
  full_t = cpu_seconds() - full_t;

  printf("{\"gazetteer\": \"%s\", \"names\": %zu, \"passes\": %zu, "
         "\"lookups\": %zu, \"found\": %llu, \"cpu_seconds\": %.3f, "
         "\"lookups_per_second\": %.0f, \"ns_per_lookup\": %.1f, "
         "\"gm_lookup_sample\": %zu, \"gm_lookup_found\": %zu, "
         "\"gm_lookup_per_second\": %.0f, \"checksum\": %llu}\n",
         path, ns.n, passes, lookups, (unsigned long long)found, t,
         lookups / t, t / lookups * 1e9, sample, full,
         sample / full_t, (unsigned long long)postings);
  free(keys);
  free(ns.v);
  free(len);
  gm_gazetteer_close(g);
  return found == lookups ? 0 : 1;
}
