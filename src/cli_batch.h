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
#include "internal.h"

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
  int jsonl;                  /* a JSON Lines record */
  int raw;                    /* a JSON line not yet decoded: its bytes
                                 are in the buffer given to
                                 batch_reader_next_raw, from raw_at */
  size_t raw_at;
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
/* The same in steps, for threads: the next record as read, in order —
 * a JSON Lines record still undecoded (a->raw), its line appended to
 * *lines (NUL-terminated, from a->raw_at, a->len bytes) — then, on any
 * thread, batch_article_decode with those bytes, then, in input order
 * again, batch_reader_note (its id, for batch_reader_duplicates). The
 * lines go into the caller's buffer, reused, rather than one allocation
 * each: what the reading thread allocated, other threads freed, and
 * glibc's malloc makes such frees wait for the reading thread's arena. */
int batch_reader_next_raw(batch_reader *r, batch_article *a, gm__buf *lines);
/* a's fields from its JSON line (nothing to do unless a->raw); 0, or -1
 * when out of memory (not reported: the caller's thread may not be the
 * one that talks). */
int batch_article_decode(const batch_options *opt, batch_article *a,
                         const char *line);
/* 0, or -1 when out of memory or the ids' temporary file failed
 * (reported). */
int batch_reader_note(batch_reader *r, const batch_article *a);
/* After the last article: report(ctx, d) for each JSON Lines article
 * whose id an earlier one had, in input order (cli_ids.h). An exit
 * status: EXIT_OK, the first report's that is not, or EXIT_FAILURE_
 * (reported). */
struct cli_duplicate;
int batch_reader_duplicates(batch_reader *r,
                            int (*report)(void *ctx,
                                          const struct cli_duplicate *d),
                            void *ctx);
/* The options the reader was opened with. */
const batch_options *batch_reader_options(const batch_reader *r);

/* The input files, in reading order ("-": stdin). */
size_t batch_reader_count(const batch_reader *r);
const char *batch_reader_path(const batch_reader *r, size_t i);

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

/* --------------------------------------------- the batch through threads */

#define BATCH_MAX_JOBS 1024

/* One article on its way: read, parsed and rendered by a worker, then
 * merged in input order. The worker frees the parse's result once it is
 * rendered, keeping only what the merge reads of it. */
typedef struct batch_item {
  batch_article a;
  int rc;                     /* gm_parse's */
  gm_error err;
  int render_rc;              /* rendering's (GM_EINVAL: bad offsets) */
  gm__buf rendered;           /* the --mentions line, or the article's
                                 citations (gm__places_render): a view
                                 into its chunk's buffer, not owned */
  size_t n_mentions;          /* resolved mentions */
  /* Without --mentions, those mentions in text order, without their
   * alternatives and reasons, and each one's place among all the
   * article's mentions, from 0: views into the chunk's buffers. */
  const gm_mention *mentions;
  const size_t *index;
} batch_item;

typedef struct batch_run_options {
  int jobs;                   /* workers, 1 to BATCH_MAX_JOBS */
  gm_parser **parsers;        /* one per job */
  const gm_gazetteer *gaz;
  int mentions;               /* render --mentions lines */
  int per_mention;            /* else the places' citations, per mention */
  /* On the calling thread, in input order: each item, then after each
   * few items; an exit status (not EXIT_OK stops the batch). */
  int (*merge)(void *ctx, batch_item *it);
  int (*chunk_done)(void *ctx);
  void *ctx;
} batch_run_options;

/* Read every article of in, parse and render on o->jobs threads (one job:
 * none), merge in input order. An exit status: EXIT_OK, a merge's
 * failure, or EXIT_FAILURE_ (out of memory, no thread; reported). */
int batch_run(batch_reader *in, const batch_run_options *o);

/* The memory budget of the per-place aggregation before it spills to a
 * temporary file: $GEOMENTION_SPILL_BYTES when set (tests use 0 to
 * spill every citation), else GM__PLACES_BUDGET (32 MiB). The ids'
 * two buffers (batch_reader_note) take a quarter of it more. */
size_t batch_spill_budget(void);

#endif
