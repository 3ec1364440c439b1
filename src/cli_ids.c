/*
 * cli_ids.c — the duplicate ids of a batch, by an external sort, so that
 * memory stays fixed however many articles the archive holds.
 *
 * Each noted id becomes a record: the 64-bit hash of the id, where its
 * article is, and the id's first CLI_ID_SHOWN bytes (for the warning).
 * Records gather in a buffer of a fixed budget; when it is full they are
 * sorted by (hash, where) and appended as one "run" to a temporary file,
 * and the buffer starts again. When the batch has been read, the runs and
 * what is still in the buffer are merged: the records of one hash come
 * together, the first article first, and every later one is a duplicate
 * of it. The duplicates go through the same kind of sort again, keyed by
 * where, so that they are reported in input order. A batch whose ids fit
 * the buffer never makes the file.
 *
 * Memory: the two buffers (half the budget each) and, while merging, a
 * read buffer for each of at most FAN_IN runs (more runs are first merged
 * into fewer, on disk). The file takes about 43 bytes an id.
 *
 * "where" is a line number counted across the sources in the order they
 * are noted (a source's base plus the line), so one 64-bit number names
 * file and line and orders the articles; ids are noted in input order, so
 * the sources' bases increase and a binary search finds the file again.
 *
 * Two different ids with the same hash are taken for one: the later
 * article gets a false "duplicate id" warning (both are parsed all the
 * same, the output does not change). For n ids the chance that any two
 * collide is about n^2 / 2^65: 3e-6 at 10 million ids, 3e-4 at 100
 * million — acceptable for a warning, where comparing whole ids would
 * have to keep ids of any length.
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_ids.h"
#include "internal.h"

#define FAN_IN 64                   /* runs merged at once */
#define READ_BUF ((size_t)16 << 10) /* per run merged; > a whole record */
#define HEAD 18                     /* a record on disk: key, order (8
                                       bytes each), text length (2), text */
#define MAX_BUDGET ((size_t)1 << 30) /* text offsets fit 32 bits */

/* A record in memory: what it is sorted by, and its text. */
typedef struct record {
  uint64_t key, order;
  uint32_t text_at, text_len; /* in the sorter's text */
} record;

typedef struct run {
  uint64_t at, end;           /* bytes of the file */
} run;

/* Records sorted by (key, order), in memory up to a budget, then in runs
 * on a temporary file. */
typedef struct sorter {
  size_t budget;
  record *records;
  size_t n, cap;
  gm__buf text;
  FILE *file;                 /* NULL until the first run */
  uint64_t file_end;
  run *runs;                  /* runs[first_run..n_runs) are unmerged */
  size_t n_runs, cap_runs, first_run;
} sorter;

typedef struct id_source {
  const char *path;           /* lives until the report */
  uint64_t base;              /* where = base + line */
} id_source;

struct cli_ids {
  sorter by_id;               /* every id: (hash, where) */
  sorter repeats;             /* the duplicates: (where, first's where) */
  id_source *sources;         /* in input order; bases increasing */
  size_t n_sources, cap_sources;
  uint64_t last_where;        /* the greatest where noted */
};

static void temp_failed(const char *what)
{
  cli_warn("temporary file (TMPDIR): %s: %s", what,
           errno ? strerror(errno) : "unexpected end");
}

static int out_of_memory(void)
{
  cli_warn("out of memory");
  return -1;
}

/* ------------------------------------------------- sorting, in memory */

static int by_key(const void *pa, const void *pb)
{
  const record *a = pa, *b = pb;

  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static void sift_down(record *r, size_t i, size_t n)
{
  for (;;) {
    size_t c = 2 * i + 1;
    record t;
    if (c >= n)
      return;
    if (c + 1 < n && by_key(&r[c], &r[c + 1]) < 0)
      c++;
    if (by_key(&r[i], &r[c]) >= 0)
      return;
    t = r[i];
    r[i] = r[c];
    r[c] = t;
    i = c;
  }
}

/* Heapsort: in place, and n log n whatever the keys. */
static void heap_sort(record *r, size_t n)
{
  for (size_t i = n / 2; i-- > 0;)
    sift_down(r, i, n);
  for (size_t end = n; end > 1; end--) {
    record t = r[0];
    r[0] = r[end - 1];
    r[end - 1] = t;
    sift_down(r, 0, end - 1);
  }
}

static void insertion_sort(record *r, size_t n)
{
  for (size_t i = 1; i < n; i++) {
    record t = r[i];
    size_t k = i;
    for (; k > 0 && by_key(&r[k - 1], &t) > 0; k--)
      r[k] = r[k - 1];
    r[k] = t;
  }
}

#define SMALL_SORT 32 /* records: fewer are sorted by insertion */

/*
 * The records sorted by (key, order) in place: by the key's bytes from
 * the highest (an in-place radix sort, "American flag sort"), each
 * bucket in turn by the next byte, until a bucket is small enough for an
 * insertion sort by (key, order), or its records share the whole key
 * (the same id: a heapsort by order). The keys of by_id are hashes, so
 * the buckets are even; the heapsort of the whole buffer that this
 * replaces compared each record about 2 log2 n times.
 */
static void radix_sort(record *r, size_t n, int shift);

/* One radix pass of n > SMALL_SORT records by the byte at shift, then
 * each bucket sorted by the bytes after it. */
static void radix_pass(record *r, size_t n, int shift)
{
  size_t next[256] = {0}, end[256], at = 0, start = 0;

  for (size_t i = 0; i < n; i++)
    next[(r[i].key >> shift) & 255]++;
  for (int b = 0; b < 256; b++) {
    size_t count = next[b];
    next[b] = at;
    end[b] = at += count;
  }
  /* Each record to its bucket: the one at a bucket's next place goes
   * to its own bucket, displacing one that moves on in turn, until one
   * belongs where the cycle began. */
  for (unsigned b = 0; b < 256; b++)
    while (next[b] < end[b]) {
      record t = r[next[b]];
      unsigned d = (unsigned)(t.key >> shift) & 255;
      while (d != b) {
        record u = r[next[d]];
        r[next[d]++] = t;
        t = u;
        d = (unsigned)(t.key >> shift) & 255;
      }
      r[next[b]++] = t;
    }
  for (int b = 0; b < 256; start = end[b++])
    if (end[b] - start > 1)
      radix_sort(r + start, end[b] - start, shift - 8);
}

static void radix_sort(record *r, size_t n, int shift)
{
  if (n <= SMALL_SORT)
    insertion_sort(r, n);
  else if (shift < 0)
    heap_sort(r, n);
  else
    radix_pass(r, n, shift);
}

/*
 * The records sorted by (key, order) in place. glibc's qsort is a merge
 * sort whose scratch, as large as the records (2 MB at a full buffer),
 * is mapped, touched and unmapped at every sort: 2 MB more resident for
 * a moment at each run, which a long archive, making a run every few
 * seconds, met at its busiest moments (peak RSS up to 2 MB higher at the
 * first runs of the 300 MB archive). No two records are equal (order
 * names one article), so any correct sort gives the same output.
 */
static void sort_records(record *r, size_t n)
{
  radix_sort(r, n, 56);
}

/* The runs' file (gm__temp_file: nothing is left behind however the
 * process ends). */
static int temp_open(sorter *s)
{
  if (!(s->file = gm__temp_file("ids"))) {
    if (errno == ENOMEM)
      return out_of_memory();
    temp_failed("cannot create");
    return -1;
  }
  return 0;
}

static int put_record(sorter *s, uint64_t key, uint64_t order,
                      const char *text, size_t len)
{
  unsigned char head[HEAD];
  uint16_t n = (uint16_t)len;

  memcpy(head, &key, 8);
  memcpy(head + 8, &order, 8);
  memcpy(head + 16, &n, 2);
  if (fwrite(head, 1, HEAD, s->file) != HEAD ||
      (len && fwrite(text, 1, len, s->file) != len)) {
    temp_failed("write failed");
    return -1;
  }
  s->file_end += HEAD + len;
  return 0;
}

static int run_begin(sorter *s)
{
  if (!s->file && temp_open(s))
    return -1;
  if (gm__grow(&s->runs, &s->cap_runs, s->n_runs + 1, sizeof *s->runs))
    return out_of_memory();
  s->runs[s->n_runs++] = (run){s->file_end, s->file_end};
  return 0;
}

/* The records of the buffer, sorted, as a new run; the buffer empty. */
static int spill(sorter *s)
{
  sort_records(s->records, s->n);
  if (run_begin(s))
    return -1;
  for (size_t i = 0; i < s->n; i++) {
    const record *r = &s->records[i];
    if (put_record(s, r->key, r->order, s->text.data + r->text_at,
                   r->text_len))
      return -1;
  }
  s->runs[s->n_runs - 1].end = s->file_end;
  s->n = 0;
  s->text.len = 0;
  return 0;
}

static int sorter_add(sorter *s, uint64_t key, uint64_t order,
                      const char *text, size_t len)
{
  size_t need = (s->n + 1) * sizeof *s->records + s->text.len + len;

  if (s->n && need > s->budget && spill(s))
    return -1;
  if (gm__grow(&s->records, &s->cap, s->n + 1, sizeof *s->records) ||
      gm__buf_append(&s->text, text, len))
    return out_of_memory();
  s->records[s->n++] = (record){key, order, (uint32_t)(s->text.len - len),
                                (uint32_t)len};
  return 0;
}

static void sorter_free(sorter *s)
{
  free(s->records);
  gm__buf_free(&s->text);
  if (s->file)
    fclose(s->file);
  free(s->runs);
  memset(s, 0, sizeof *s);
}

/* --------------------------------------------------- merging the runs */

/* Where one run (or the buffer) stands in a merge, and its record. */
typedef struct cursor {
  const sorter *memory;       /* the buffer's sorted records; NULL: a run */
  size_t i;
  int fd;
  uint64_t at, end;           /* of the run's bytes not yet read */
  char *buf;                  /* READ_BUF bytes: [pos, len) read */
  size_t pos, len;
  int done;
  uint64_t key, order;        /* the record */
  const char *text;
  size_t text_len;
} cursor;

/* At least want bytes in the buffer, unless the run ends first. */
static int fill(cursor *c, size_t want)
{
  memmove(c->buf, c->buf + c->pos, c->len - c->pos);
  c->len -= c->pos;
  c->pos = 0;
  while (c->len < want && c->at < c->end) {
    size_t room = READ_BUF - c->len;
    ssize_t got;
    if (room > c->end - c->at)
      room = (size_t)(c->end - c->at);
    errno = 0;
    if ((got = pread(c->fd, c->buf + c->len, room, (off_t)c->at)) <= 0) {
      temp_failed("read failed");
      return -1;
    }
    c->len += (size_t)got;
    c->at += (uint64_t)got;
  }
  return 0;
}

static int run_next(cursor *c)
{
  uint16_t n;

  if (c->len - c->pos < HEAD && fill(c, HEAD))
    return -1;
  if (c->len == c->pos) {
    c->done = 1;
    return 0;
  }
  if (c->len - c->pos < HEAD)
    goto torn;
  memcpy(&c->key, c->buf + c->pos, 8);
  memcpy(&c->order, c->buf + c->pos + 8, 8);
  memcpy(&n, c->buf + c->pos + 16, 2);
  if (c->len - c->pos < HEAD + (size_t)n && fill(c, HEAD + (size_t)n))
    return -1;
  if (c->len - c->pos < HEAD + (size_t)n)
    goto torn;
  c->text = c->buf + c->pos + HEAD;
  c->text_len = n;
  c->pos += HEAD + (size_t)n;
  return 0;
torn:
  errno = 0;
  temp_failed("read failed");
  return -1;
}

/* The cursor's next record, or done. */
static int cursor_next(cursor *c)
{
  const record *r;

  if (!c->memory)
    return run_next(c);
  if (c->i == c->memory->n) {
    c->done = 1;
    return 0;
  }
  r = &c->memory->records[c->i++];
  c->key = r->key;
  c->order = r->order;
  c->text = c->memory->text.data + r->text_at;
  c->text_len = r->text_len;
  return 0;
}

/* What a merge does with each record, in order: 0 to go on, else the
 * merge stops and returns it. */
typedef int (*emit_fn)(void *ctx, const cursor *c);

/* Merge the runs [from, to) of s, and its buffer when with_memory, into
 * emit. At most FAN_IN runs. */
static int merge(sorter *s, size_t from, size_t to, int with_memory,
                 emit_fn emit, void *ctx)
{
  cursor c[FAN_IN + 1];
  size_t n = 0;
  char *bufs = malloc((to - from) * READ_BUF + 1);
  int rc = 0;

  if (!bufs)
    return out_of_memory();
  for (size_t r = from; r < to; r++, n++)
    c[n] = (cursor){.fd = fileno(s->file), .at = s->runs[r].at,
                    .end = s->runs[r].end, .buf = bufs + n * READ_BUF};
  if (with_memory)
    c[n++] = (cursor){.memory = s};
  for (size_t i = 0; i < n && !rc; i++)
    rc = cursor_next(&c[i]);
  while (!rc) {
    cursor *least = NULL;
    for (size_t i = 0; i < n; i++)
      if (!c[i].done && (!least || c[i].key < least->key ||
                         (c[i].key == least->key && c[i].order < least->order)))
        least = &c[i];
    if (!least)
      break;
    if (!(rc = emit(ctx, least)))
      rc = cursor_next(least);
  }
  free(bufs);
  return rc;
}

static int append_record(void *ctx, const cursor *c)
{
  return put_record(ctx, c->key, c->order, c->text, c->text_len);
}

/* Merge runs FAN_IN at a time into longer ones at the end of the file
 * until the buffer and the runs left can be merged at once. */
static int reduce(sorter *s)
{
  while (s->n_runs - s->first_run > FAN_IN - 1) {
    size_t from = s->first_run;
    if (run_begin(s) || merge(s, from, from + FAN_IN, 0, append_record, s))
      return -1;
    s->runs[s->n_runs - 1].end = s->file_end;
    s->first_run += FAN_IN;
    if (fflush(s->file)) {
      temp_failed("write failed");
      return -1;
    }
  }
  return 0;
}

/* Every record of s, sorted, into emit. */
static int sorter_drain(sorter *s, emit_fn emit, void *ctx)
{
  if (s->n) /* records is NULL until the first */
    sort_records(s->records, s->n);
  if (s->file && (fflush(s->file) || ferror(s->file))) {
    temp_failed("write failed");
    return -1;
  }
  if (s->file && reduce(s))
    return -1;
  return merge(s, s->first_run, s->n_runs, 1, emit, ctx);
}

/* ------------------------------------------------------ ids and sources */

cli_ids *cli_ids_new(size_t budget)
{
  cli_ids *ids = calloc(1, sizeof *ids);

  if (budget > MAX_BUDGET)
    budget = MAX_BUDGET;
  if (ids)
    ids->by_id.budget = ids->repeats.budget = budget / 2;
  return ids;
}

/* The where of a's line: its source's base (a new source gets the next
 * base) plus the line. */
static int id_where(cli_ids *s, const batch_article *a, uint64_t *where)
{
  id_source *last = s->n_sources ? &s->sources[s->n_sources - 1] : NULL;

  if (!last || last->path != a->source) {
    if (gm__grow(&s->sources, &s->cap_sources, s->n_sources + 1,
                 sizeof *s->sources))
      return out_of_memory();
    last = &s->sources[s->n_sources++];
    *last = (id_source){a->source, s->last_where};
  }
  *where = last->base + a->line;
  if (*where > s->last_where)
    s->last_where = *where;
  return 0;
}

/* The source and line of a where. */
static void id_origin(const cli_ids *s, uint64_t where, const char **source,
                      size_t *line)
{
  size_t lo = 0, hi = s->n_sources; /* the last source with base < where */

  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->sources[mid].base < where)
      lo = mid;
    else
      hi = mid;
  }
  *source = s->sources[lo].path;
  *line = (size_t)(where - s->sources[lo].base);
}

int cli_ids_note(cli_ids *ids, const batch_article *a)
{
  uint64_t where;
  size_t len;

  if (!a->id || a->reason[0])
    return 0;
  if (id_where(ids, a, &where))
    return -1;
  len = strlen(a->id);
  return sorter_add(&ids->by_id, gm__hash(a->id, len), where, a->id,
                    len < CLI_ID_SHOWN ? len : CLI_ID_SHOWN);
}

/* The by_id merge: the first record of a hash is the first article with
 * that id; each after it, a duplicate. */
typedef struct grouping {
  cli_ids *ids;
  int any;
  uint64_t hash, first;
} grouping;

static int group(void *ctx, const cursor *c)
{
  grouping *g = ctx;

  if (g->any && c->key == g->hash)
    return sorter_add(&g->ids->repeats, c->order, g->first, c->text,
                      c->text_len);
  *g = (grouping){g->ids, 1, c->key, c->order};
  return 0;
}

typedef struct reporting {
  const cli_ids *ids;
  int (*report)(void *ctx, const cli_duplicate *d);
  void *ctx;
} reporting;

static int report_one(void *ctx, const cursor *c)
{
  const reporting *r = ctx;
  char id[CLI_ID_SHOWN + 1];
  cli_duplicate d = {.id = id};

  memcpy(id, c->text, c->text_len);
  id[c->text_len] = '\0';
  id_origin(r->ids, c->key, &d.source, &d.line);
  id_origin(r->ids, c->order, &d.first_source, &d.first_line);
  return r->report(r->ctx, &d);
}

int cli_ids_report(cli_ids *ids, int (*report)(void *ctx,
                                               const cli_duplicate *d),
                   void *ctx)
{
  grouping g = {ids, 0, 0, 0};
  reporting r = {ids, report, ctx};
  int rc;

  if (!ids)
    return EXIT_OK;
  rc = sorter_drain(&ids->by_id, group, &g);
  sorter_free(&ids->by_id);
  if (!rc)
    rc = sorter_drain(&ids->repeats, report_one, &r);
  sorter_free(&ids->repeats);
  return rc < 0 ? EXIT_FAILURE_ : rc;
}

void cli_ids_free(cli_ids *ids)
{
  if (!ids)
    return;
  sorter_free(&ids->by_id);
  sorter_free(&ids->repeats);
  free(ids->sources);
  free(ids);
}
