/*
 * gaz_geonames.h — one row of a GeoNames dump, parsed in place.
 */
#ifndef GM_GAZ_GEONAMES_H
#define GM_GAZ_GEONAMES_H

#include <stdint.h>

typedef struct gm__geonames_row {
  uint32_t geonameid;
  const char *name, *asciiname, *alternates;
  double lat, lon;
  char fclass;
  const char *fcode, *country, *admin1, *admin2;
  uint32_t population;
} gm__geonames_row;

/* Parse one line (modified in place). Returns 0, or -1 with *why saying
 * what is wrong with it. */
int gm__geonames_parse(char *line, gm__geonames_row *row, const char **why);

#endif
