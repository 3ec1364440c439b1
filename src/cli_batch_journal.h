/*
 * cli_batch_journal.h — the checkpoint of `geomention parse --resume`:
 * an append-only journal of what each article of the input gave, so that
 * a killed run continues where it stopped without parsing any article
 * twice or skipping one.
 */
#ifndef GM_CLI_BATCH_JOURNAL_H
#define GM_CLI_BATCH_JOURNAL_H

#include <stdio.h>

#include "cli_batch.h"
#include "geomention.h"

typedef struct journal {
  FILE *f;
  char *path;
} journal;

/* One article as the journal gives it back: the record (reason set when
 * rejected), its resolved mentions with their 0-based indices, and a
 * text of the article's length holding the bytes of their sentences. */
typedef struct journal_entry {
  batch_article a;
  gm_mention *mentions;
  size_t *index;
  size_t n_mentions;
} journal_entry;

/* What makes a run's output, for the checkpoint's header: the arguments
 * (argv[1..], without -j/--jobs, -q/--quiet, --resume), the gazetteer
 * file and every input file, each with its size and modification time.
 * 0, or -1 when out of memory. */
int journal_fingerprint(gm__buf *out, int argc, char **argv,
                        const char *gazetteer, const batch_reader *in);
/* Open or create path for appending; *complete counts the records it
 * holds and each is passed to replay (which returns an exit status) in
 * order. A torn last record, from a run killed while writing it, is cut
 * off. A checkpoint whose fingerprint is not this run's is refused with
 * a message naming the first difference and left untouched. An exit
 * status. */
int journal_open(journal *j, const char *path, const gm__buf *fingerprint,
                 int (*replay)(void *ctx, const journal_entry *e), void *ctx,
                 size_t *complete);
/* Append one article's record with its n resolved mentions (each with
 * its index among all the article's mentions; alternatives and reasons
 * are not read); it is on disk, as far as a killed process goes, after
 * journal_flush. An exit status. */
int journal_append(journal *j, const batch_article *a,
                   const gm_mention *mentions, const size_t *index,
                   size_t n);
int journal_flush(journal *j);
/* Close; remove the file when the run is complete. */
void journal_close(journal *j, int remove_it);

#endif
