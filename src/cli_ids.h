/*
 * cli_ids.h — the duplicate ids of a batch's JSON Lines articles, found
 * in a fixed amount of memory whatever the size of the archive: ids are
 * noted as the articles are merged, and the repeats are reported once
 * the whole input has been read.
 */
#ifndef GM_CLI_IDS_H
#define GM_CLI_IDS_H

#include <stddef.h>

#include "cli_batch.h"

/* The bytes of an id a warning shows (the rest is not kept). */
#define CLI_ID_SHOWN 500

typedef struct cli_ids cli_ids;

/* An empty table holding at most about budget bytes of ids in memory
 * before it sorts them out to a temporary file in $TMPDIR (else /tmp),
 * unlinked when created. NULL when out of memory. */
cli_ids *cli_ids_new(size_t budget);

/* Note a->id of a good article (none, or a rejected record: nothing to
 * do). Articles are noted in input order; a->source must live until
 * cli_ids_report. 0, or -1 when out of memory or the temporary file
 * failed (reported). */
int cli_ids_note(cli_ids *ids, const batch_article *a);

/* An article whose id was seen before, and where it was first seen. */
typedef struct cli_duplicate {
  const char *source;
  size_t line;
  const char *first_source;
  size_t first_line;
  const char *id;             /* its first CLI_ID_SHOWN bytes */
} cli_duplicate;

/* After the last note: report(ctx, d) for each article whose id an
 * earlier one had, in input order. An exit status: EXIT_OK, the first
 * report's that is not, or EXIT_FAILURE_ when out of memory or the
 * temporary file failed (reported). */
int cli_ids_report(cli_ids *ids, int (*report)(void *ctx,
                                               const cli_duplicate *d),
                   void *ctx);

void cli_ids_free(cli_ids *ids);

#endif
