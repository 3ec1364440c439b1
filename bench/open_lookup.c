/*
 * open_lookup.c — what one fresh process pays to use the gazetteer:
 *
 *     open_lookup GAZETTEER NAME
 *
 * Opens the gazetteer, looks NAME up with gm_lookup and reads the best
 * candidate's entry, then prints one JSON object: the time of open and of
 * the lookup inside the process (CLOCK_MONOTONIC), and the memory the
 * kernel counts for the process (/proc/self/status) before the open and
 * after the lookup: RssAnon is the process's own memory (heap, stacks),
 * RssFile the pages of mapped files it touched (the gazetteer's among
 * them), VmRSS the sum. It also counts the shared objects mapped after
 * the lookup and says whether PROJ or GEOS is among them: the library
 * loads them on first use, and a lookup needs neither. The
 * bench/gazetteer script runs it as a fresh process many times for the
 * wall time of the whole thing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr */
#endif
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geomention.h"

typedef struct mem {
  long vm_rss, rss_anon, rss_file;
} mem;

static mem read_mem(void)
{
  mem m = {-1, -1, -1};
  char line[256];
  FILE *f = fopen("/proc/self/status", "r");

  while (f && fgets(line, sizeof line, f)) {
    sscanf(line, "VmRSS: %ld", &m.vm_rss);
    sscanf(line, "RssAnon: %ld", &m.rss_anon);
    sscanf(line, "RssFile: %ld", &m.rss_file);
  }
  if (f)
    fclose(f);
  return m;
}

typedef struct objects {
  int n, proj, geos;
} objects;

static int count_object(struct dl_phdr_info *info, size_t size, void *arg)
{
  objects *o = arg;
  (void)size;
  if (!info->dlpi_name || !info->dlpi_name[0])
    return 0; /* the executable itself, or the vDSO */
  o->n++;
  o->proj |= strstr(info->dlpi_name, "/libproj.so") != NULL;
  o->geos |= strstr(info->dlpi_name, "/libgeos") != NULL;
  return 0;
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
  gm_gazetteer *g;
  gm_error err;
  gm_candidate *c = NULL;
  gm_entry e = {0};
  size_t n = 0;
  mem before, after;
  objects o = {0};
  double t0, t1, t2;

  if (argc != 3) {
    fprintf(stderr, "usage: open_lookup GAZETTEER NAME\n");
    return 2;
  }
  before = read_mem();
  t0 = now_ms();
  if (gm_gazetteer_open(argv[1], &g, &err)) {
    fprintf(stderr, "open_lookup: %s\n", err.message);
    return 1;
  }
  t1 = now_ms();
  if (gm_lookup(g, argv[2], strlen(argv[2]), NULL, &c, &n, &err) || n == 0 ||
      gm_gazetteer_entry(g, c[0].entry, &e)) {
    fprintf(stderr, "open_lookup: %s: no answer\n", argv[2]);
    return 1;
  }
  t2 = now_ms();
  after = read_mem();
  dl_iterate_phdr(count_object, &o);
  printf("{\"open_ms\": %.3f, \"lookup_ms\": %.3f, \"candidates\": %zu, "
         "\"first_geonameid\": %u, \"shared_objects\": %d, "
         "\"libproj_loaded\": %s, \"libgeos_loaded\": %s, "
         "\"before\": {\"VmRSS_kB\": %ld, \"RssAnon_kB\": %ld, "
         "\"RssFile_kB\": %ld}, "
         "\"after\": {\"VmRSS_kB\": %ld, \"RssAnon_kB\": %ld, "
         "\"RssFile_kB\": %ld}}\n",
         t1 - t0, t2 - t1, n, e.geonameid, o.n, o.proj ? "true" : "false",
         o.geos ? "true" : "false", before.vm_rss, before.rss_anon,
         before.rss_file, after.vm_rss, after.rss_anon, after.rss_file);
  free(c);
  gm_gazetteer_close(g);
  return 0;
}
