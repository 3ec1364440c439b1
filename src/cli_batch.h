/*
 * cli_batch.h — the input side of `geomention parse`: files, directories
 * and standard input, plain text (one article per file) or JSON Lines
 * (one article per line), gzip or not, read as a stream of articles in a
 * fixed order, each with its provenance (file, line) or the reason it was
 * rejected.
 */
#ifndef GM_CLI_BATCH_H
#define GM_CLI_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "geomention.h"

typedef enum {
  BATCH_FORMAT_AUTO = 0, /* by extension: .jsonl/.ndjson[.gz] are JSON Lines */
  BATCH_FORMAT_TEXT,
  BATCH_FORMAT_JSONL
} batch_format;

typedef struct batch_options {
  batch_format format;
  const char *glob;           /* file names in directories; NULL: all */
  const char *field[5];       /* id, title, url, date, text */
  size_t max_article_bytes;
} batch_options;

enum { FIELD_ID, FIELD_TITLE, FIELD_URL, FIELD_DATE, FIELD_TEXT };

/* One article, or one rejected record (reason set, text NULL). */
typedef struct batch_article {
  const char *source;         /* the input's path ("-" stdin); lives as
                                 long as the reader */
  size_t line;                /* where it starts, from 1 */
  char *id, *title, *url, *date;
  char *text;
  size_t len;
  uint64_t bytes;             /* input bytes it took (uncompressed) */
  char reason[640];           /* empty when the record is good */
  int io_error;               /* the reason is a failure to read */
  const char *dup_source;     /* a JSON Lines id seen before: where first */
  size_t dup_line;
} batch_article;

typedef struct batch_reader batch_reader;

/* The inputs named by paths (directories walked in name order, files in
 * them matched against the glob); none means stdin. An exit status:
 * a path that does not exist is reported and counted as an I/O failure
 * when the articles are read, not here. */
int batch_reader_open(batch_reader **out, char **paths, int n,
                      const batch_options *opt);
/* The next article into *a (cleared first): 1, or 0 at the end; -1 when
 * out of memory (reported). */
int batch_reader_next(batch_reader *r, batch_article *a);
/* The total input size in bytes when known (plain files only), else 0. */
uint64_t batch_reader_total(const batch_reader *r);
/* Directories skipped because a symbolic link led back into them. */
size_t batch_reader_loops(const batch_reader *r);
void batch_reader_close(batch_reader *r);

void batch_article_clear(batch_article *a);

/* Whether s[0..len) is UTF-8 text: at most a quarter of its bytes do not
 * begin a UTF-8 character. A stray bad byte (a Latin-1 letter, a cut
 * sequence) is tolerated — the writers show it as U+FFFD — but a binary
 * file (an image, an archive it cannot unpack) is not an article. */
int batch_utf8_text(const char *s, size_t len);

/* The memory budget of the per-place aggregation before it spills to a
 * temporary file: $GEOMENTION_SPILL_BYTES when set (tests use 0 to
 * spill every citation), else 64 MiB. */
size_t batch_spill_budget(void);

#endif
