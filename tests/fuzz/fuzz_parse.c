/*
 * fuzz_parse.c — the whole parse of one article against the default
 * gazetteer: tokens, matches, recognition, resolution, the result.
 *
 * The gazetteer is $GM_FUZZ_GAZETTEER, else $GEOMENTION_GAZETTEER, else
 * the one this build made (GM_FUZZ_DEFAULT_GAZETTEER). Odd-sized inputs
 * go through a second parser with every option on, so both paths run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "geomention.h"

#ifndef GM_FUZZ_DEFAULT_GAZETTEER
#define GM_FUZZ_DEFAULT_GAZETTEER "geomention.gmz"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gm_gazetteer *gaz;
static gm_parser *plain, *every;

static void setup(void)
{
  const char *path = getenv("GM_FUZZ_GAZETTEER");
  gm_parse_options opt = {0};
  gm_error err;

  if (!path)
    path = getenv("GEOMENTION_GAZETTEER");
  if (!path)
    path = GM_FUZZ_DEFAULT_GAZETTEER;
  if (gm_gazetteer_open(path, &gaz, &err) != 0) {
    fprintf(stderr, "fuzz_parse: %s\n", err.message);
    exit(2);
  }
  if (gm_parser_new(gaz, NULL, &plain, &err) != 0)
    exit(2);
  opt.country = "UA";
  opt.has_bbox = 1;
  opt.bbox[0] = 22, opt.bbox[1] = 44, opt.bbox[2] = 41, opt.bbox[3] = 53;
  opt.has_near = 1;
  opt.near_lat = 48.0, opt.near_lon = 37.8, opt.near_km = 200;
  opt.demonyms = 1;
  opt.all_matches = 1;
  opt.max_alternatives = 5;
  opt.max_mentions = 5000;
  if (gm_parser_new(gaz, &opt, &every, &err) != 0)
    exit(2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  gm_result *r = NULL;
  gm_error err;
  gm_entry e;
  size_t prev = 0;

  if (!gaz)
    setup();
  if (gm_parse(size & 1 ? every : plain, (const char *)data, size, &r,
               &err) != 0) {
    if (r || err.code == GM_ENOMEM)
      abort();
    return 0;
  }
  for (size_t i = 0; i < gm_result_count(r); i++) {
    const gm_mention *m = gm_result_mention(r, i);
    if (m->start < prev || m->end < m->start || m->end > size ||
        m->sentence_start > m->start || m->sentence_end < m->end ||
        m->sentence_end > size || m->cp_end < m->cp_start ||
        m->cp_end > m->end || !(m->confidence >= 0 && m->confidence <= 1))
      abort();
    if (m->entry != GM_NO_ENTRY && gm_gazetteer_entry(gaz, m->entry, &e) != 0)
      abort();
    for (size_t j = 0; j < m->n_alternatives; j++)
      if (gm_gazetteer_entry(gaz, m->alternatives[j].entry, &e) != 0)
        abort();
    for (size_t j = 0; j < m->n_reasons; j++)
      if (!m->reasons[j].signal)
        abort();
    prev = m->start;
  }
  gm_result_free(r);
  return 0;
}
