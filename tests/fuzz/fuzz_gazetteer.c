/*
 * fuzz_gazetteer.c — the gazetteer reader on arbitrary files.
 *
 * The input is written to a temporary file and opened. Whatever opens is
 * used the way geomention uses it: info, entries, regions, the id and
 * region indexes, postings of a few keys, every name, the word lexicon,
 * verify, a lookup and a short parse. None of it may read outside the
 * mapping; a refusal must come with a message.
 *
 * Random bytes never pass the header checksum, so when an input starts
 * with the magic and the last byte of its header's padding is 0 (as in
 * every real file), the header's file size and checksum are recomputed
 * before writing: mutations then reach the sections behind the header.
 * A non-zero byte there keeps the input as it is, checksum test and all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "gaz_format.h"
#include "gaz_reader.h"
#include "geomention.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
  if (path[0])
    unlink(path);
}

static int count_name(void *arg, const char *key, size_t len)
{
  size_t *n = arg;
  (void)key;
  *n += len > 0;
  return *n > 2000;  /* enough for one input */
}

static void use(gm_gazetteer *g)
{
  static const char *keys[] = {"kyiv", "donetsk", "ukraine", "kruta balka",
                               "paris", "", "a"};
  static const char text[] =
      "KRAMATORSK, Ukraine — Shelling hit Kyiv, Donetsk region and Paris.";
  gm_gazetteer_info info;
  gm_entry e;
  gm_region r;
  uint32_t idx;
  size_t n_names = 0;
  gm_error err;
  gm_candidate *cand = NULL;
  size_t n_cand = 0;
  gm_parser *p = NULL;
  gm_result *res = NULL;

  gm_gazetteer_get_info(g, &info);
  for (uint32_t i = 0; i < info.n_entries && i < 512; i++)
    if (gm_gazetteer_entry(g, i, &e) == 0 && (!e.name || !e.admin1))
      abort();
  (void)gm_gazetteer_entry(g, info.n_entries, &e);
  for (uint32_t i = 0; i < info.n_regions && i < 512; i++)
    if (gm_gazetteer_region(g, i, &r) == 0 && !r.id)
      abort();
  (void)gm_gazetteer_find_geonameid(g, 703448, &idx);
  (void)gm_gazetteer_find_region(g, "country:UA", &idx);
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
    const gm_posting *post;
    size_t n;
    int prefix;
    if (gm_gazetteer_postings(g, keys[k], strlen(keys[k]), &post, &n,
                              &prefix) == 0)
      for (size_t j = 0; j < n; j++)
        (void)gm_gazetteer_entry(g, post[j].entry, &e);
    (void)gm__gaz_word(g, keys[k], strlen(keys[k]));
  }
  (void)gm_gazetteer_each_name(g, count_name, &n_names);
  (void)gm_gazetteer_verify(g, &err);
  if (gm_lookup(g, "Kyiv", 4, NULL, &cand, &n_cand, &err) == 0)
    free(cand);
  if (gm_parser_new(g, NULL, &p, &err) == 0) {
    if (gm_parse(p, text, sizeof text - 1, &res, &err) == 0)
      gm_result_free(res);
    gm_parser_free(p);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  gm_gazetteer *g = NULL;
  gm_error err;
  FILE *f;

  if (!path[0]) {
    int fd;
    snprintf(path, sizeof path, "/tmp/gm-fuzz-gaz-XXXXXX");
    if ((fd = mkstemp(path)) < 0)
      abort();
    close(fd);
    atexit(cleanup);
  }
  if (size >= sizeof(gaz_header) && memcmp(data, GAZ_MAGIC, 8) == 0 &&
      data[sizeof(gaz_header) - 1] == 0) {
    gaz_header h;
    memcpy(&h, data, sizeof h);
    h.file_size = size;
    h.header_crc32 = 0;
    h.header_crc32 = (uint32_t)crc32(0, (const Bytef *)&h, sizeof h);
    if (!(f = fopen(path, "wb")) || fwrite(&h, 1, sizeof h, f) != sizeof h ||
        fwrite(data + sizeof h, 1, size - sizeof h, f) != size - sizeof h ||
        fclose(f) != 0)
      abort();
  } else if (!(f = fopen(path, "wb")) ||
             (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    abort();
  }
  err.message[0] = '\0';
  if (gm_gazetteer_open(path, &g, &err) != 0) {
    if (g || !err.message[0])
      abort();
    return 0;
  }
  use(g);
  gm_gazetteer_close(g);
  return 0;
}
