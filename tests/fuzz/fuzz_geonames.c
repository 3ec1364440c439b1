/*
 * fuzz_geonames.c — the GeoNames dump parser on one arbitrary line.
 *
 * gm__geonames_parse modifies its NUL-terminated line in place; whatever
 * it accepts must have its string fields inside that line.
 */
#include <stdlib.h>
#include <string.h>

#include "gaz_geonames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *field, const char *line, size_t size)
{
  if (field && (field < line || field > line + size))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *line = malloc(size + 1);
  gm__geonames_row row;
  const char *why = NULL;

  if (!line)
    return 0;
  memcpy(line, data, size);
  line[size] = '\0';
  if (gm__geonames_parse(line, &row, &why) == 0) {
    inside(row.name, line, size);
    inside(row.asciiname, line, size);
    inside(row.alternates, line, size);
    inside(row.fcode, line, size);
    inside(row.country, line, size);
    inside(row.admin1, line, size);
    inside(row.admin2, line, size);
    if (row.geonameid == 0 || !(row.lat >= -90 && row.lat <= 90) ||
        !(row.lon >= -180 && row.lon <= 180))
      abort();
  } else if (!why) {
    abort();  /* a refusal must say why */
  }
  free(line);
  return 0;
}
