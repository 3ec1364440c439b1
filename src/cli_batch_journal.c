/*
 * cli_batch_journal.c — the --resume checkpoint: one record per article
 * read, in input order, appended after the article's result has been
 * merged and flushed once per batch.
 *
 * A record is [u32 length][payload][u32 RECORD_END]; the payload holds the
 * article's fields, its reason when rejected, its resolved mentions'
 * offsets and the text of their sentences (not the whole article: the
 * journal stays a fraction of the archive). A record whose length runs
 * past the end of the file or whose end mark is wrong is the torn tail of
 * a killed write and is cut off. The number of whole records is the
 * number of articles to skip when reading the input again, which is why
 * the input order must be a function of the arguments alone — and why
 * the header keeps a fingerprint of the run (journal_fingerprint): the
 * arguments that shape the output, the gazetteer and every input file
 * with its size and modification time. A checkpoint of another run is
 * refused, never replayed into this one.
 */
#include <sys/stat.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "cli_batch_journal.h"
#include "internal.h"

static const char MAGIC[16] = "geomention-jnl2\n";
static const char MAGIC_1[16] = "geomention-jnl1\n"; /* no fingerprint */
#define RECORD_END 0x4a4e4c45u
#define NO_STRING UINT32_MAX

/* ------------------------------------------------------------- writing */

static int put_u64(gm__buf *b, uint64_t v)
{
  return gm__buf_append(b, (const char *)&v, sizeof v);
}

static int put_string(gm__buf *b, const char *s, size_t len)
{
  uint32_t n = s ? (uint32_t)len : NO_STRING;

  return gm__buf_append(b, (const char *)&n, sizeof n) ||
         (s && gm__buf_append(b, s, len));
}

static int put_cstring(gm__buf *b, const char *s)
{
  return put_string(b, s, s ? strlen(s) : 0);
}

static int put_mention(gm__buf *b, const gm_mention *m, size_t index)
{
  uint64_t v[] = {m->start, m->end, m->cp_start, m->cp_end,
                  m->sentence_start, m->sentence_end, m->sentence_cp_start,
                  m->sentence_cp_end, m->entry, (uint64_t)m->role, index};
  int rc = 0;

  for (size_t i = 0; i < sizeof v / sizeof *v && !rc; i++)
    rc = put_u64(b, v[i]);
  return rc || gm__buf_append(b, (const char *)&m->confidence,
                              sizeof m->confidence);
}

static int put_mentions(gm__buf *b, const batch_article *a,
                        const gm_mention *mentions, const size_t *index,
                        size_t n)
{
  int rc = put_u64(b, n);

  for (size_t i = 0; i < n && !rc; i++) {
    const gm_mention *m = &mentions[i];
    rc = put_mention(b, m, index[i]);
    /* The bytes the citation takes: its sentence, or the mention when it
     * runs past it (out_places widens the sentence then). */
    size_t from = m->sentence_start < m->start ? m->sentence_start : m->start;
    size_t to = m->sentence_end > m->end ? m->sentence_end : m->end;
    if (!rc && (from > to || to > a->len))
      from = to = 0;
    if (!rc)
      rc = put_u64(b, from) || put_string(b, a->text + from, to - from);
  }
  return rc;
}

int journal_append(journal *j, const batch_article *a,
                   const gm_mention *mentions, const size_t *index, size_t n)
{
  gm__buf b = {0};
  uint32_t len, end = RECORD_END;
  int rc = put_cstring(&b, a->source) || put_cstring(&b, a->id) ||
           put_cstring(&b, a->title) || put_cstring(&b, a->url) ||
           put_cstring(&b, a->date) ||
           put_cstring(&b, a->reason[0] ? a->reason : NULL) ||
           put_u64(&b, a->line) || put_u64(&b, a->bytes) ||
           put_u64(&b, a->len) || put_u64(&b, (uint64_t)a->io_error) ||
           put_mentions(&b, a, mentions, index, a->reason[0] ? 0 : n);

  if (rc || b.len > UINT32_MAX - 8) {
    gm__buf_free(&b);
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  len = (uint32_t)b.len;
  if (fwrite(&len, sizeof len, 1, j->f) != 1 ||
      (len && fwrite(b.data, len, 1, j->f) != 1) ||
      fwrite(&end, sizeof end, 1, j->f) != 1) {
    cli_warn("%s: write failed: %s", j->path, strerror(errno));
    rc = EXIT_FAILURE_;
  }
  gm__buf_free(&b);
  return rc;
}

int journal_flush(journal *j)
{
  if (fflush(j->f) || ferror(j->f)) {
    cli_warn("%s: write failed: %s", j->path, strerror(errno));
    return EXIT_FAILURE_;
  }
  return EXIT_OK;
}

/* ---------------------------------------------------------- fingerprint */

static int describe_file(gm__buf *b, const char *kind, const char *path)
{
  struct stat st;

  if (strcmp(path, "-") == 0 || stat(path, &st))
    return gm__buf_printf(b, "%s\t%s\n", kind, path);
  return gm__buf_printf(b, "%s\t%s\t%lld bytes\tmodified %lld.%09ld\n", kind,
                        path, (long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* Arguments that change nothing in the output: the threads, the
 * progress, --resume itself. */
static int neutral(const char *arg, int *skip_next)
{
  *skip_next = strcmp(arg, "-j") == 0 || strcmp(arg, "--jobs") == 0;
  return *skip_next || strncmp(arg, "-j", 2) == 0 ||
         strncmp(arg, "--jobs=", 7) == 0 || strcmp(arg, "-q") == 0 ||
         strcmp(arg, "--quiet") == 0 || strcmp(arg, "--resume") == 0;
}

int journal_fingerprint(gm__buf *out, int argc, char **argv,
                        const char *gazetteer, const batch_reader *in)
{
  int rc = gm__buf_printf(out, "geomention parse\n");

  for (int i = 1; i < argc && !rc; i++) {
    int skip_next;
    if (neutral(argv[i], &skip_next))
      i += skip_next;
    else
      rc = gm__buf_printf(out, "argument\t%s\n", argv[i]);
  }
  if (!rc)
    rc = describe_file(out, "gazetteer", gazetteer);
  for (size_t i = 0; !rc && i < batch_reader_count(in); i++)
    rc = describe_file(out, "input", batch_reader_path(in, i));
  return rc ? -1 : 0;
}

/* The first line where two fingerprints differ, for the message. */
static void first_difference(const char *a, size_t na, const char *b,
                             size_t nb, char *out, size_t cap)
{
  size_t i = 0, start = 0, end;

  while (i < na && i < nb && a[i] == b[i])
    if (a[i++] == '\n')
      start = i;
  for (end = start; end < nb && b[end] != '\n'; end++)
    ;
  if (end == start && start < na) { /* this run has fewer lines */
    for (end = start; end < na && a[end] != '\n'; end++)
      ;
    snprintf(out, cap, "it also has \"%.*s\"", (int)(end - start),
             a + start);
    return;
  }
  snprintf(out, cap, "this run has \"%.*s\"", (int)(end - start), b + start);
}

static void tabs_to_spaces(char *s)
{
  for (; *s; s++)
    if (*s == '\t')
      *s = ' ';
}

/* The header's fingerprint against this run's: EXIT_OK when they match. */
static int check_fingerprint(journal *j, const gm__buf *fp)
{
  uint32_t n;
  char *stored = NULL, diff[512];
  int status = EXIT_OK;

  if (fread(&n, sizeof n, 1, j->f) != 1 || !(stored = malloc(n + 1u)) ||
      (n && fread(stored, n, 1, j->f) != 1)) {
    free(stored);
    cli_warn("%s: not a geomention checkpoint (cut short)", j->path);
    return EXIT_FAILURE_;
  }
  if (n != fp->len || memcmp(stored, fp->data, n)) {
    first_difference(stored, n, fp->data, fp->len, diff, sizeof diff);
    tabs_to_spaces(diff);
    cli_warn("%s: the checkpoint of a run with other arguments, gazetteer "
             "or inputs (%s): run the same command again to resume it, or "
             "remove the checkpoint to start afresh", j->path, diff);
    status = EXIT_FAILURE_;
  }
  free(stored);
  return status;
}

static int write_header(journal *j, const gm__buf *fp)
{
  uint32_t n = (uint32_t)fp->len;

  return ftruncate(fileno(j->f), 0) || fseek(j->f, 0, SEEK_SET) ||
         fwrite(MAGIC, sizeof MAGIC, 1, j->f) != 1 ||
         fwrite(&n, sizeof n, 1, j->f) != 1 ||
         (n && fwrite(fp->data, n, 1, j->f) != 1);
}

/* ------------------------------------------------------------- reading */

typedef struct cursor {
  const char *p, *end;
  int bad;
} cursor;

static uint64_t get_u64(cursor *c)
{
  uint64_t v = 0;

  if ((size_t)(c->end - c->p) < sizeof v) {
    c->bad = 1;
    return 0;
  }
  memcpy(&v, c->p, sizeof v);
  c->p += sizeof v;
  return v;
}

/* A string of the record, pointing into it; NULL when absent or bad. */
static const char *get_string(cursor *c, size_t *len)
{
  uint32_t n;
  const char *s;

  if ((size_t)(c->end - c->p) < sizeof n) {
    c->bad = 1;
    return NULL;
  }
  memcpy(&n, c->p, sizeof n);
  c->p += sizeof n;
  *len = 0;
  if (n == NO_STRING)
    return NULL;
  if ((size_t)(c->end - c->p) < n) {
    c->bad = 1;
    return NULL;
  }
  s = c->p;
  c->p += n;
  *len = n;
  return s;
}

static int dup_string(cursor *c, char **out)
{
  size_t n;
  const char *s = get_string(c, &n);

  *out = NULL;
  if (!s)
    return 0;
  if (!(*out = malloc(n + 1)))
    return -1;
  memcpy(*out, s, n);
  (*out)[n] = '\0';
  return 0;
}

static void entry_free(journal_entry *e)
{
  free((char *)e->a.source);
  batch_article_clear(&e->a);
  free(e->mentions);
  free(e->index);
  memset(e, 0, sizeof *e);
}

static int get_mentions(cursor *c, journal_entry *e)
{
  size_t n = (size_t)get_u64(c);

  if (c->bad || n > (size_t)(c->end - c->p) / 8)
    return c->bad = 1, 0;
  e->mentions = calloc(n ? n : 1, sizeof *e->mentions);
  e->index = calloc(n ? n : 1, sizeof *e->index);
  if (!e->mentions || !e->index || !(e->a.text = calloc(e->a.len + 1, 1)))
    return -1;
  /* Bytes no sentence covers stay spaces: nothing reads them. */
  memset(e->a.text, ' ', e->a.len);
  for (size_t i = 0; i < n && !c->bad; i++) {
    gm_mention *m = &e->mentions[i];
    size_t from, len;
    const char *s;
    m->start = get_u64(c), m->end = get_u64(c);
    m->cp_start = get_u64(c), m->cp_end = get_u64(c);
    m->sentence_start = get_u64(c), m->sentence_end = get_u64(c);
    m->sentence_cp_start = get_u64(c), m->sentence_cp_end = get_u64(c);
    m->entry = (uint32_t)get_u64(c);
    m->role = (gm_role)get_u64(c);
    e->index[i] = get_u64(c);
    if ((size_t)(c->end - c->p) < sizeof m->confidence)
      return c->bad = 1, 0;
    memcpy(&m->confidence, c->p, sizeof m->confidence);
    c->p += sizeof m->confidence;
    from = get_u64(c);
    s = get_string(c, &len);
    if (c->bad || from > e->a.len || len > e->a.len - from)
      return c->bad = 1, 0;
    if (s)
      memcpy(e->a.text + from, s, len);
  }
  e->n_mentions = n;
  return 0;
}

/* Decode a payload; 0, -1 out of memory, 1 when it is not a record. */
static int decode(const char *p, size_t len, journal_entry *e)
{
  cursor c = {p, p + len, 0};
  char *reason = NULL, *source = NULL;
  int rc;

  memset(e, 0, sizeof *e);
  rc = dup_string(&c, &source) || dup_string(&c, &e->a.id) ||
       dup_string(&c, &e->a.title) || dup_string(&c, &e->a.url) ||
       dup_string(&c, &e->a.date) || dup_string(&c, &reason);
  e->a.source = source;
  if (reason)
    snprintf(e->a.reason, sizeof e->a.reason, "%s", reason);
  free(reason);
  e->a.line = (size_t)get_u64(&c);
  e->a.bytes = get_u64(&c);
  e->a.len = (size_t)get_u64(&c);
  e->a.io_error = (int)get_u64(&c);
  if (!rc && !c.bad && !e->a.reason[0] && e->a.len < ((size_t)1 << 40))
    rc = get_mentions(&c, e);
  if (rc)
    return -1;
  return c.bad || !e->a.source ? 1 : 0;
}

/* The next whole record: 1, 0 at the end or a torn tail. */
static int next_record(FILE *f, char **buf, size_t *cap, uint32_t *len)
{
  uint32_t end;

  if (fread(len, sizeof *len, 1, f) != 1)
    return 0;
  if (gm__grow(buf, cap, (size_t)*len + 1, 1))
    return -1;
  if ((*len && fread(*buf, *len, 1, f) != 1) ||
      fread(&end, sizeof end, 1, f) != 1 || end != RECORD_END)
    return 0;
  return 1;
}

static int replay_all(journal *j, int (*replay)(void *, const journal_entry *),
                      void *ctx, size_t *complete, long *good_end)
{
  char *buf = NULL;
  size_t cap = 0;
  uint32_t len;
  int rc, status = EXIT_OK;

  while (status == EXIT_OK && (rc = next_record(j->f, &buf, &cap, &len))) {
    journal_entry e;
    int d = rc < 0 ? -1 : decode(buf, len, &e);
    if (d == 1) {
      entry_free(&e);
      break;
    }
    if (d < 0) {
      entry_free(&e);
      cli_warn("out of memory");
      status = EXIT_FAILURE_;
      break;
    }
    status = replay(ctx, &e);
    entry_free(&e);
    (*complete)++;
    *good_end = ftell(j->f);
  }
  free(buf);
  return status;
}

int journal_open(journal *j, const char *path, const gm__buf *fingerprint,
                 int (*replay)(void *ctx, const journal_entry *e), void *ctx,
                 size_t *complete)
{
  char magic[sizeof MAGIC];
  long good_end;
  int status = EXIT_OK;

  *complete = 0;
  memset(j, 0, sizeof *j);
  if (!(j->path = strdup(path))) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  j->f = fopen(path, "r+b");
  if (!j->f && errno == ENOENT)
    j->f = fopen(path, "w+b");
  if (!j->f) {
    cli_warn("%s: %s", path, strerror(errno));
    return EXIT_FAILURE_;
  }
  if (fread(magic, sizeof magic, 1, j->f) != 1) {
    /* New, or killed before its header was out: start afresh. */
    if (write_header(j, fingerprint) || fflush(j->f))
      status = EXIT_FAILURE_;
  } else if (memcmp(magic, MAGIC, sizeof MAGIC)) {
    cli_warn("%s: %s", path,
             memcmp(magic, MAGIC_1, sizeof MAGIC)
                 ? "not a geomention checkpoint"
                 : "a checkpoint of an older geomention, which cannot tell "
                   "whether it is this run's: remove it to start afresh");
    fclose(j->f);
    j->f = NULL;
    return EXIT_FAILURE_;
  } else if (check_fingerprint(j, fingerprint)) {
    fclose(j->f); /* left as it is */
    j->f = NULL;
    return EXIT_FAILURE_;
  } else {
    good_end = ftell(j->f);
    status = replay_all(j, replay, ctx, complete, &good_end);
    /* Cut a torn tail so appending continues after the last whole one. */
    if (status == EXIT_OK &&
        (fflush(j->f) || ftruncate(fileno(j->f), (off_t)good_end) ||
         fseek(j->f, good_end, SEEK_SET)))
      status = EXIT_FAILURE_;
  }
  if (status == EXIT_FAILURE_ && errno)
    cli_warn("%s: %s", path, strerror(errno));
  return status;
}

void journal_close(journal *j, int remove_it)
{
  if (j->f)
    fclose(j->f);
  if (remove_it && j->path)
    unlink(j->path);
  free(j->path);
  memset(j, 0, sizeof *j);
}
