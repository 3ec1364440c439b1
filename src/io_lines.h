/*
 * io_lines.h — line-by-line reading of plain, gzip and zip files.
 */
#ifndef GM_IO_LINES_H
#define GM_IO_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "geomention.h"

typedef struct gm__lines gm__lines;

/* Open path ("-" for stdin); the packing is detected from its bytes. */
int gm__lines_open(const char *path, gm__lines **out, gm_error *err);

/* The next line, without its end-of-line, NUL-terminated in place and
 * valid until the next call. Returns 1, 0 at the end, <0 on error (a
 * truncated gzip stream is an error, with the line it stopped at). */
int gm__lines_next(gm__lines *r, char **line, size_t *len, gm_error *err);

size_t gm__lines_number(const gm__lines *r);   /* of the last line read */
uint64_t gm__lines_bytes(const gm__lines *r);  /* uncompressed, consumed */
const char *gm__lines_path(const gm__lines *r);
void gm__lines_close(gm__lines *r);

#endif
