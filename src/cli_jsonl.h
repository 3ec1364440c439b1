/*
 * cli_jsonl.h — reading JSON Lines articles: for `eval` and `resolve`,
 * lines of any length from a plain or .xz file, code point to byte
 * offsets and the fields of a span; for `parse`'s batches, one line as an
 * article (or the reason it is not one).
 */
#ifndef GM_CLI_JSONL_H
#define GM_CLI_JSONL_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cli_batch.h"

/* A line reader. A path ending in ".xz" is read through `xz -dc` (the
 * xz-utils package); "-" is standard input. */
typedef struct cli_lines {
  const char *path;
  FILE *f;
  int piped;     /* f comes from popen */
  int at_end;    /* the whole input was read */
  char *line;
  size_t cap;
  size_t number; /* of the last line read, from 1 */
} cli_lines;

/* Open path, reporting failure; returns an exit status. */
int cli_lines_open(cli_lines *r, const char *path);
/* The next line without its newline, NUL-terminated, valid until the
 * next call: 1, 0 at the end, -1 on a read error (reported). */
int cli_lines_next(cli_lines *r, char **line, size_t *len);
/* Close; for xz input, report a failed decompression. Exit status. */
int cli_lines_close(cli_lines *r);

/* A line JSON Lines skips: JSON's whitespace only (spaces, tabs,
 * carriage returns). Anything else is a record, reported when it is not
 * JSON: a NUL byte too (eval's strchr on a set of blanks found the
 * set's terminator, and skipped a line of NULs unsaid). */
int cli_jsonl_blank(const char *s, size_t len);

/* The byte offset of every code point of text, and len at [*n_cp]: a
 * malloc'ed array of *n_cp + 1 offsets, NULL when out of memory. Each
 * byte that is not UTF-8 counts as one code point, as the tokenizer
 * counts them. */
size_t *cli_cp_offsets(const char *text, size_t len, size_t *n_cp);

/* The key an article id is looked up by, as Python's dict would tell
 * ids apart: a string is itself, a number is "#" and its value, so "1"
 * and 1 differ and 1 and 1.0 do not. Returns 0, or -1 when id is neither
 * a string nor a number. */
int cli_id_key(const cJSON *id, char *out, size_t cap);

/* A number field of an object that must be an integer in [0, max]. */
int cli_json_offset(const cJSON *o, const char *key, size_t max,
                    size_t *out);

/* One JSON line as cJSON reads it, but an escaped NUL (\u0000) read as
 * a space, as cli_jsonl_article does: cJSON's C strings would end the
 * text there. NULL when it is not JSON or memory ran out. */
cJSON *cli_json_parse(const char *line, size_t len);

/* One JSON Lines record of a batch as an article: its text and the
 * fields opt names, or a->reason saying why it is not one (invalid JSON,
 * not an object, no text field, a text that is not a string, over
 * opt->max_article_bytes, not UTF-8 text). An escaped NUL (\u0000) in
 * any field becomes a space, which C strings can hold and which keeps
 * the offsets. a must be cleared. Returns 1, or -1 when out of memory. */
int cli_jsonl_article(const batch_options *opt, const char *line, size_t len,
                      batch_article *a);

#endif
