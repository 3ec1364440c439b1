/*
 * out_places.c — the places many articles mention, each with the
 * citations of its mentions, written as GeoJSON features: one per place
 * (with mention_count, article_count, first_sentence, articles and a
 * citations array) or one per mention (the citation's fields flat).
 *
 * Memory is bounded by the number of distinct places (at most the
 * gazetteer's entries) and a fixed budget, not by the archive:
 *
 * - counts are exact without lists: articles come one at a time, so a
 *   place's "last article that mentioned it" tells a new article;
 * - what grows with the archive — each kept citation and each place's
 *   article ids — is rendered as the JSON the output will hold when the
 *   article is added (gm__places_render may do that on a worker thread)
 *   and kept in one pending buffer, a chain of pieces per place and
 *   stream (ids, citations);
 * - when the pending bytes pass half the budget they are spilled to a
 *   temporary file, unlinked at creation, as one "run": per-place output
 *   writes each place's pieces together, places in order (a run holds
 *   blocks [place][ids bytes][citation bytes] sorted by place, the
 *   regions' blocks first, then the places', so that writing a layer
 *   reads its own section of each run alone: the half's pieces are put
 *   in that order by a counting sort of their arrivals, a place and an
 *   offset each, not by walking the chains), while per-mention output
 *   appends the pieces as they came; with threads, a spill thread writes
 *   one half while adding fills the other;
 * - writing walks the places in order of first mention with one cursor
 *   per run and streams each place's bytes from the runs, then memory,
 *   into the feature, so no feature is ever built whole in memory; each
 *   run is read through a window (the pending buffer's memory, empty by
 *   then) and the output goes out in 1 MiB writes, on a writer thread
 *   when there are threads, so that assembling overlaps writing.
 *
 * Places keep the order of their first mention and citations the order
 * of the input: the output is a function of the input alone, byte for
 * byte, whatever the budget. The schema is fixed (README "Output"): every
 * property is present in every feature with one JSON type, null when
 * unknown.
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>                     /* fallocate */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_feature.h"

#define NONE UINT32_MAX
#define BUDGET_DEFAULT GM__PLACES_BUDGET
#define OUT_CHUNK ((size_t)1 << 20)   /* bytes a write of the output */
#define WINDOW_MIN ((size_t)4 << 10)  /* bytes a run's window, at least */
#define WINDOW_MAX ((size_t)256 << 10)
#define WINDOWS_TOTAL ((size_t)8 << 20) /* all runs' windows, at most: */
                                        /* not more as runs add up */
/*
 * The spill file's write buffer. With stdio's default (the block size, 4
 * KiB), spilling the 100 MB archive's 430 MB of citations took 100,000
 * write calls, each a page of the page cache prepared alone, and the
 * file's pages stayed small: in a test program on this machine's ext4,
 * 440 MB written 4 KiB at a time took 0.53 CPU s and freeing them at the
 * close 0.13 s, against 0.13-0.18 s and 0.03 s written 1 MiB at a time.
 * The closing is part of --jobs 2's serial end. The buffer is the spill's
 * own, not stdio's: the pieces are copied into it in place, where an
 * fwrite each (1.5 million of them) cost about 160 instructions of
 * locking and bookkeeping beside the copy; it goes out with pwrite at
 * the offset it stands for, so the stream is never written or seeked.
 */
#define SPILL_BUFFER ((size_t)1 << 20)
/*
 * Writing gives the spill file's pages back as it reads past them, in
 * aligned blocks of GIVE_BACK bytes (a hole punched: the file is never
 * read there again). The output then takes the page cache's pages the
 * spill just freed: on this machine (a VM whose memory the host takes
 * back once freed) writing 1.3 GB into pages not recently used took
 * 2-3 CPU s of the kernel, into pages just freed 0.2 s, and that writing
 * is --jobs 2's serial tail. Measured on the 300 MB archive, alternated
 * with the code before (three pairs, a loaded machine): the tail after
 * the last worker 3.2-5.6 s -> 1.2-1.6 s, the writer's CPU 2.0-2.4 s ->
 * 0.4-0.6 s, and at one job (one pair) the kernel's CPU 3.5 -> 1.6 s.
 *
 * What the spill's own writing costs varies from run to run for the
 * same reason, and so does a --jobs 2 run's CPU beside a --jobs 1 run's
 * (batch20; the host's balloon takes back free pages it is told of):
 * a program writing 430 MB in 1 MiB pwrites took 0.105 s of CPU into
 * pages freed just before and 0.29-0.65 s into pages freed 8 s before.
 * perf (cpu-clock, 2 kHz, the 100 MB archive, two alternated pairs)
 * found 587 and 151 samples of --jobs 1 and 1,447 and 133 of --jobs 2
 * in copy_folio_from_iter_atomic, the kernel's copy into the page cache
 * (the spill's pwrites and the output's writes): in the pair where
 * --jobs 2 took more CPU (+528 samples) the kernel took +1,000 and the
 * user-mode samples, the parsing's, were 3.7 % fewer.
 */
#define GIVE_BACK ((uint64_t)1 << 20)
/*
 * The output file's blocks are reserved ahead of its writes, RESERVE_AHEAD
 * bytes at a time (fallocate, the size kept): otherwise ext4 reserves and
 * records each 4 KiB block as a write first reaches it (delayed
 * allocation), a third of the writer's kernel time in --jobs 2's serial
 * tail (perf: ext4_da_get_block_prep, the extent status tree, quota).
 * A test program writing 1.2 GB in 1 MiB writes on this machine's ext4
 * (three alternated pairs): 0.30-0.31 CPU s of the kernel -> 0.21-0.22 s
 * with 64 MiB reserved at a time (0.21 s with the whole file at once).
 * What is reserved past the end is given back when the sink closes.
 *
 * Tried, not kept (batch22): the spill file's blocks reserved the same
 * way. The spill thread's kernel CPU went 0.31/0.35 -> 0.28/0.26 s (300
 * MB, --jobs 2, two pairs), but punching holes (GIVE_BACK) in blocks
 * allocated, not delayed, waited for their dirty pages to be written to
 * the disk first: the tail from the workers' end to the exit 0.75 ->
 * 4.7-4.9 s.
 */
#define RESERVE_AHEAD ((uint64_t)64 << 20)

enum { STREAM_IDS, STREAM_CITATIONS, N_STREAMS };

/* A piece of pending output: header, then len bytes of JSON. */
typedef struct piece {
  uint64_t next;             /* the place's next piece of the stream:
                                offset + 1 in pending, 0 none */
  uint32_t place;
  uint32_t len;
} piece;

/* A piece as it came: its place and stream, and where it is in its half
 * (a half is less than 4 GiB: a piece that does not fit is one alone). */
typedef struct arrival {
  uint32_t chain;            /* place * N_STREAMS + stream */
  uint32_t at;
} arrival;

/* A place's chains in the half handed to the spill thread: their
 * pieces and payload bytes (counted as they were appended: walking each
 * chain to count it before writing it went through the half's memory
 * twice). */
typedef struct chains {
  uint32_t place;
  int layer;                 /* the place's: the run's section */
  uint32_t pieces[N_STREAMS];
  uint64_t len[N_STREAMS];
} chains;

/* A per-place run: where it starts on the spill file, and where its
 * places' section follows its regions'; it ends where the next begins. */
typedef struct run {
  uint64_t start, places;
} run;

/* A per-place run's block header, followed by ids then citations. */
typedef struct block {
  uint32_t place;
  uint32_t pad;
  uint64_t len[N_STREAMS];
} block;

typedef struct place {
  uint32_t entry;
  int layer;                 /* GM__LAYER_*: the run section of its blocks */
  gm_role role;              /* its first mention's */
  size_t mentions, articles;
  size_t cited;              /* citations kept */
  size_t last_article;       /* the ordinal of the article that last
                                mentioned it, from 1; 0 none */
  double confidence;         /* the highest of its mentions */
  char *first_sentence;
  size_t first_sentence_len;
  uint64_t ids_len;          /* bytes of its ids joined so far */
  uint64_t head[N_STREAMS], tail[N_STREAMS]; /* pending: offset + 1 */
  uint64_t pending_bytes[N_STREAMS]; /* the chains' payload bytes */
  uint32_t pending_pieces[N_STREAMS]; /* and pieces */
  gm__geometry geometry;     /* while writing */
} place;

/* ------------------------------------------------- background writing */

/*
 * One half written while the other fills, for the spill file and the
 * output alike: the caller fills one half while a thread writes the
 * other with write(arg). The caller hands a full half over (bg_hand) only
 * once the thread is done with the one before (bg_wait), so the halves
 * change hands only while the thread is idle and neither is ever touched
 * by both. Without a thread (none asked for, or one could not be made:
 * slower only) bg_hand writes on the calling thread. The first failure is
 * kept with its errno: nothing more is written after it, and every later
 * call returns it. Locking and waiting fail only when misused (POSIX:
 * EINVAL, EPERM, EDEADLK), but they are checked all the same: a failure
 * is GM_EIO with the error number as failed_errno, and the thread ends.
 */
typedef struct background {
  int (*write)(void *arg);   /* the half handed over: 0, or a GM_ code
                                with errno set */
  void *arg;
  const char *name;          /* the thread's, for bench/batch */
  int threaded;              /* the thread runs */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;    /* busy or closing changed; broadcast */
  int busy;                  /* a half handed over and not yet written */
  int closing;               /* nothing more: the thread ends */
  int rc;                    /* the first failure */
  int failed_errno;          /* errno with it */
} background;

static void bg_init(background *b, const char *name, int (*write)(void *),
                    void *arg)
{
  *b = (background){.write = write, .arg = arg, .name = name};
}

/* Keep the first failure; return it (the first, not this one). */
static int bg_failed(background *b, int rc, int e)
{
  if (!b->rc) {
    b->rc = rc;
    b->failed_errno = e;
  }
  return b->rc;
}

/* A pthread call's result: its error number is a failure. */
static int bg_check(background *b, int e)
{
  if (e)
    bg_failed(b, GM_EIO, e);
  return e;
}

/* Write the half handed over, unless a failure came first. */
static void bg_write(background *b)
{
  int rc;

  if (b->rc)
    return;
  errno = 0;
  if ((rc = b->write(b->arg)))
    bg_failed(b, rc, errno);
}

/* The lock could not be taken again after a write (misuse only): the
 * failure is kept, and busy cleared and bg_wait woken without the lock,
 * since it cannot be had; otherwise bg_wait would wait for ever. The
 * thread ends. */
static void *bg_abandon(background *b)
{
  b->busy = 0;
  bg_check(b, pthread_cond_broadcast(&b->changed));
  return NULL;
}

static void *bg_thread(void *arg)
{
  background *b = arg;

  /* The name is for bench/batch's CPU by thread: without it, only that
   * table's row is missing. */
  (void)pthread_setname_np(pthread_self(), b->name);
  if (bg_check(b, pthread_mutex_lock(&b->lock)))
    return NULL;
  for (;;) {
    while (!b->busy && !b->closing)
      if (bg_check(b, pthread_cond_wait(&b->changed, &b->lock)))
        goto out;
    if (!b->busy)
      break;
    /* The half is the thread's alone while busy: written unlocked. */
    if (bg_check(b, pthread_mutex_unlock(&b->lock)))
      goto out; /* still held: nothing written */
    bg_write(b);
    if (bg_check(b, pthread_mutex_lock(&b->lock)))
      return bg_abandon(b);
    b->busy = 0;
    if (bg_check(b, pthread_cond_broadcast(&b->changed)))
      break;
  }
out:
  /* After a failure too: nothing is being written, and bg_wait, which
   * waits for busy to clear, must hear so. */
  b->busy = 0;
  bg_check(b, pthread_cond_broadcast(&b->changed));
  bg_check(b, pthread_mutex_unlock(&b->lock));
  return NULL;
}

/* The thread, unless it runs already; without it (its mutex, condition or
 * thread could not be made), halves are written by bg_hand. */
static void bg_start(background *b)
{
  if (b->threaded)
    return;
  if (pthread_mutex_init(&b->lock, NULL))
    return;
  if (pthread_cond_init(&b->changed, NULL)) {
    pthread_mutex_destroy(&b->lock);
    return;
  }
  b->threaded = pthread_create(&b->thread, NULL, bg_thread, b) == 0;
  if (!b->threaded) {
    pthread_cond_destroy(&b->changed);
    pthread_mutex_destroy(&b->lock);
  }
}

/* The half handed over written; the first failure. */
static int bg_wait(background *b)
{
  int rc, e;

  if (!b->threaded)
    return b->rc;
  if (bg_check(b, pthread_mutex_lock(&b->lock)))
    return b->rc;
  for (e = 0; !e && b->busy;)
    e = bg_check(b, pthread_cond_wait(&b->changed, &b->lock));
  rc = b->rc;
  if (bg_check(b, pthread_mutex_unlock(&b->lock)))
    rc = b->rc;
  return rc;
}

/* Write the half the caller filled: on the thread, which must be idle
 * (bg_wait), or here. The first failure, or 0. */
static int bg_hand(background *b)
{
  int e;

  if (b->rc)
    return b->rc;
  if (!b->threaded) {
    bg_write(b);
    return b->rc;
  }
  if (bg_check(b, pthread_mutex_lock(&b->lock)))
    return b->rc;
  b->busy = 1;
  e = bg_check(b, pthread_mutex_unlock(&b->lock));
  /* Woken after the unlock, so that it does not wake only to wait for
   * the lock (cli_batch_run.c). */
  if (!e)
    bg_check(b, pthread_cond_broadcast(&b->changed));
  return b->rc;
}

/* Wait for the last half, end the thread; the first failure. */
static int bg_stop(background *b)
{
  int rc = bg_wait(b);

  if (!b->threaded)
    return rc;
  if (!bg_check(b, pthread_mutex_lock(&b->lock))) {
    b->closing = 1;
    bg_check(b, pthread_cond_broadcast(&b->changed));
    bg_check(b, pthread_mutex_unlock(&b->lock));
  }
  bg_check(b, pthread_join(b->thread, NULL));
  bg_check(b, pthread_cond_destroy(&b->changed));
  bg_check(b, pthread_mutex_destroy(&b->lock));
  b->threaded = 0;
  return b->rc;
}

struct gm__places {
  const gm_gazetteer *gaz;   /* each place's layer, when first mentioned */
  place *places;
  size_t n_places, places_cap;
  uint32_t *slot;            /* entry -> place (open addressing) */
  size_t n_slots;
  size_t max_citations;      /* a place's citations kept */
  size_t n_seen;             /* articles added, kept or not */
  int per_mention;           /* what is rendered: feature tails */
  size_t budget;             /* pending bytes before a spill: two halves */
  size_t threads;            /* for the geometries when writing, and
                                more than 1: a spill thread */
  gm__buf pending;           /* pieces, and their arrivals at its back */
  size_t n_arrivals;
  size_t n_handed;           /* halves handed to spilling so far */
  /*
   * The spiller's while it is busy: the half it writes and its places'
   * chains; and the spill file, its runs and err below. The adding thread
   * touches them only after bg_wait.
   */
  gm__buf spilling;
  chains *spilling_chains;
  size_t n_spilling_chains, spilling_chains_cap;
  size_t n_spilling_arrivals; /* at the back of spilling */
  uint32_t *run_order;       /* the half's pieces in the run's order */
  size_t run_order_cap;
  uint32_t *next_in_order;   /* a place's and stream's next there */
  size_t next_in_order_cap;
  background spiller;        /* writes spilling to the spill file */
  gm__buf scratch;           /* an article's mentions rendered */
  gm__json id_json;          /* an article id escaped, and its length */
  size_t id_len;
  size_t id_article;         /* the n_seen it was escaped for; 0 none */
  FILE *spill;               /* NULL until the first spill */
  char *spill_buffer;        /* its write buffer, SPILL_BUFFER bytes */
  size_t spill_staged;       /* bytes in it: the last of spill_end */
  uint64_t spill_end;
  run *runs;                 /* per-place runs */
  size_t n_runs, runs_cap;
  unsigned written;          /* the layers whose sections were read and
                                given back (GIVE_BACK) */
  int no_holes;              /* the spill's file system punches none */
  gm_error err;              /* the first spill failure */
};

static int spill_half(void *arg);
static int spill_stop(gm__places *pl);

int gm__places_new(gm__places **out, const gm_gazetteer *g)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return GM_ENOMEM;
  (*out)->gaz = g;
  (*out)->max_citations = SIZE_MAX;
  (*out)->budget = BUDGET_DEFAULT;
  bg_init(&(*out)->spiller, "gm-spill", spill_half, *out);
  return 0;
}

void gm__places_set_max_citations(gm__places *pl, size_t max)
{
  pl->max_citations = max;
}

void gm__places_set_per_mention(gm__places *pl, int per_mention)
{
  pl->per_mention = per_mention != 0;
}

void gm__places_set_budget(gm__places *pl, size_t bytes)
{
  pl->budget = bytes;
}

void gm__places_set_threads(gm__places *pl, size_t threads)
{
  pl->threads = threads;
}

size_t gm__places_count(const gm__places *pl)
{
  return pl->n_places;
}

const char *gm__places_errmsg(const gm__places *pl)
{
  return pl->err.message[0] ? pl->err.message : gm_strerror(pl->err.code);
}

void gm__places_free(gm__places *pl)
{
  if (!pl)
    return;
  spill_stop(pl);
  for (size_t i = 0; i < pl->n_places; i++) {
    free(pl->places[i].first_sentence);
    gm__geometry_free(&pl->places[i].geometry);
  }
  if (pl->spill)
    fclose(pl->spill);
  free(pl->spill_buffer);
  free(pl->places);
  free(pl->slot);
  free(pl->runs);
  gm__buf_free(&pl->pending);
  gm__buf_free(&pl->spilling);
  free(pl->spilling_chains);
  free(pl->run_order);
  free(pl->next_in_order);
  gm__buf_free(&pl->scratch);
  gm__json_free(&pl->id_json);
  free(pl);
}

/* ---------------------------------------------------------- rendering */

static void article_properties(gm__json *j, const gm__article *a)
{
  gm__json_key(j, "id");
  gm__json_cstring(j, a->id);
  gm__json_next_key(j, ",\"title\":");
  gm__json_cstring(j, a->title);
  gm__json_next_key(j, ",\"url\":");
  gm__json_cstring(j, a->url);
  gm__json_next_key(j, ",\"date\":");
  gm__json_cstring(j, a->date);
  gm__json_next_key(j, ",\"source\":");
  gm__json_cstring(j, a->source);
  gm__json_next_key(j, ",\"line\":");
  if (a->line)
    gm__json_uint(j, a->line);
  else
    gm__json_null(j);
}

/* What an article's citations repeat, written for the first that has it
 * and copied for the others rather than escaped again: the "article"
 * object, which all of them carry, and the last sentence, which the
 * mentions after it in the same sentence carry (mentions come in text
 * order; in the 10 MB archive half of the citations share their
 * sentence with the one before, 55 % of the sentences' bytes). */
typedef struct {
  gm__json_span article;
  gm__json_text_value sentence;
} rendered_before;

/* The mention's sentence as a string value: copied when it is the
 * sentence rendered last, else escaped and its place kept in done. */
static void sentence_string(gm__json *j, const char *text,
                            const gm_mention *m, rendered_before *done)
{
  size_t at = j->out.len;

  if (gm__json_repeat_text(j, &done->sentence, m->sentence_start,
                           m->sentence_end))
    return;
  gm__json_string(j, text + m->sentence_start,
                  m->sentence_end - m->sentence_start);
  gm__json_keep_text(j, &done->sentence, at, m->sentence_start,
                     m->sentence_end);
}

/* mention ... sentence_end: the fields a citation and a mention feature
 * share, after the article. */
static void mention_properties(gm__json *j, const char *text,
                               const gm_mention *m, size_t index,
                               rendered_before *done)
{
  gm__json_next_key(j, ",\"mention\":");
  gm__json_uint(j, index + 1);
  gm__json_next_key(j, ",\"role\":");
  gm__json_cstring(j, gm__role_name(m->role));
  gm__json_next_key(j, ",\"confidence\":");
  gm__json_real(j, m->confidence, 4);
  gm__json_mention_span(j, text, m);
  gm__json_next_key(j, ",\"sentence\":");
  sentence_string(j, text, m, done);
  gm__json_next_key(j, ",\"sentence_start\":");
  gm__json_uint(j, m->sentence_cp_start);
  gm__json_next_key(j, ",\"sentence_end\":");
  gm__json_uint(j, m->sentence_cp_end);
}

/* The "article" object's value: copied from where it was rendered for
 * the article's first citation, else rendered and its place kept. */
static void article_object(gm__json *j, const gm__article *a,
                           gm__json_span *done)
{
  size_t at = j->out.len;

  if (done->len) {
    gm__json_repeat(j, *done);
    return;
  }
  gm__json_object(j);
  article_properties(j, a);
  gm__json_end(j);
  if (!j->status)
    *done = (gm__json_span){.at = at, .len = j->out.len - at};
}

/* Per place: the citation object, its "article" as article_object.
 * Per mention: the feature's properties after the entry's, without
 * braces ("article_id":...,"sentence_end":N), spliced in after them when
 * written. */
static void render_mention(gm__json *j, int per_mention, const gm__article *a,
                           rendered_before *done, const char *text,
                           const gm_mention *m, size_t index)
{
  static const char *keys[] = {"article_id", "article_title", "article_url",
                               "article_date", "article_source"};
  const char *values[] = {a->id, a->title, a->url, a->date, a->source};

  gm__json_object(j);
  if (per_mention) {
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
      gm__json_key(j, keys[i]);
      gm__json_cstring(j, values[i]);
    }
    gm__json_key(j, "article_line");
    if (a->line)
      gm__json_uint(j, a->line);
    else
      gm__json_null(j);
  } else {
    gm__json_key(j, "article");
    article_object(j, a, &done->article);
  }
  mention_properties(j, text, m, index, done);
  gm__json_end(j);
}

/*
 * A mention that runs past its sentence ("Sault Ste. | Marie", where the
 * sentence splitter took the abbreviation's period for an end) gets a
 * sentence widened to hold it, so a citation's text always lies inside
 * its sentence; the article is not lost for it. NULL: offsets out of the
 * text (the parser's bug), which rejects the article.
 */
static int offsets_valid(size_t len, const gm_mention *m)
{
  return m->start <= m->end && m->end <= len &&
         m->sentence_start <= m->sentence_end && m->sentence_end <= len;
}

static const gm_mention *within_sentence(const char *text, size_t len,
                                         const gm_mention *m,
                                         gm_mention *widened)
{
  if (!offsets_valid(len, m))
    return NULL;
  if (m->sentence_start <= m->start && m->sentence_end >= m->end)
    return m;
  *widened = *m;
  if (m->sentence_start > m->start) {
    widened->sentence_cp_start -=
        gm__cp_count(text + m->start, m->sentence_start - m->start);
    widened->sentence_start = m->start;
  }
  if (m->sentence_end < m->end) {
    widened->sentence_cp_end +=
        gm__cp_count(text + m->sentence_end, m->end - m->sentence_end);
    widened->sentence_end = m->end;
  }
  return widened;
}

/*
 * One mention's JSON appended to j's buffer as [u32 length][bytes]: the
 * writer writes in place, after the length, which is filled in when the
 * object is complete. (A writer of its own, copied from, was a buffer
 * grown and freed for every article: 700,000 of the 5.7 million
 * allocations of a 100 MB batch.) Objects follow one another at the
 * writer's top level, where no comma goes between them. done NULL: a
 * mention rendered alone (a resumed run's replay), nothing before it to
 * copy.
 */
static int render_one(gm__json *j, int per_mention, const gm__article *a,
                      rendered_before *done, const char *text, size_t len,
                      const gm_mention *m, size_t index)
{
  rendered_before alone = {0};
  gm_mention widened;
  uint32_t n;
  size_t at;

  if (!done)
    done = &alone;
  if (!(m = within_sentence(text, len, m, &widened)))
    return GM_EINVAL;
  /* the length's room, as gm__buf_append would make it, without a call
   * to copy what is filled in below */
  if (gm__grow(&j->out.data, &j->out.cap, j->out.len + sizeof n + 1, 1))
    return GM_ENOMEM;
  j->out.len += sizeof n;
  j->out.data[j->out.len] = '\0';
  at = j->out.len;
  render_mention(j, per_mention, a, done, text, m, index);
  if (j->status)
    return j->status;
  if (j->out.len - at > UINT32_MAX)
    return GM_ELIMIT;
  n = (uint32_t)(j->out.len - at);
  memcpy(j->out.data + at - sizeof n, &n, sizeof n);
  return 0;
}

/* render_one into b: its memory is lent to a writer, and taken back. */
static int render_into(gm__buf *b, int per_mention, const gm__article *a,
                       rendered_before *done, const char *text, size_t len,
                       const gm_mention *m, size_t index)
{
  gm__json j = {.out = *b};
  int rc = render_one(&j, per_mention, a, done, text, len, m, index);

  *b = j.out;
  return rc;
}

int gm__places_render(gm__buf *out, int per_mention, const gm__article *a,
                      const char *text, size_t len, const gm_result *r)
{
  size_t start = out->len;
  rendered_before done = {0};
  int rc = 0;

  for (size_t i = 0; i < gm_result_count(r) && !rc; i++) {
    const gm_mention *m = gm_result_mention(r, i);
    if (m->entry != GM_NO_ENTRY)
      rc = render_into(out, per_mention, a, &done, text, len, m, i);
  }
  if (rc && out->data) {
    out->len = start;
    out->data[start] = '\0';
  }
  return rc;
}

/* ------------------------------------------------------------- adding */

static size_t slot_of(uint32_t entry, size_t n_slots)
{
  return (entry * 2654435761u) & (n_slots - 1);
}

/* Keep the table at most half full. */
static int rehash(gm__places *pl)
{
  size_t n = pl->n_slots ? pl->n_slots * 2 : 256;
  uint32_t *s;

  if ((pl->n_places + 1) * 2 <= pl->n_slots)
    return 0;
  if (n > SIZE_MAX / sizeof *s || !(s = malloc(n * sizeof *s)))
    return GM_ENOMEM;
  memset(s, 0xff, n * sizeof *s);
  for (size_t i = 0; i < pl->n_places; i++) {
    size_t j = slot_of(pl->places[i].entry, n);
    while (s[j] != NONE)
      j = (j + 1) & (n - 1);
    s[j] = (uint32_t)i;
  }
  free(pl->slot);
  pl->slot = s;
  pl->n_slots = n;
  return 0;
}

/* The layer of an entry's features (gm__entry_layer); an entry not in
 * the gazetteer is written as none at all (entry_of), anywhere. */
static int entry_layer(const gm_gazetteer *g, uint32_t entry)
{
  gm_entry e;

  if (gm_gazetteer_entry(g, entry, &e))
    return GM__LAYER_PLACES;
  return gm__entry_layer(g, &e, NULL);
}

/* The place of an entry, new when it was not seen before. */
static int find_place(gm__places *pl, uint32_t entry, uint32_t *out)
{
  size_t j;

  if (rehash(pl))
    return GM_ENOMEM;
  for (j = slot_of(entry, pl->n_slots); pl->slot[j] != NONE;
       j = (j + 1) & (pl->n_slots - 1))
    if (pl->places[pl->slot[j]].entry == entry) {
      *out = pl->slot[j];
      return 0;
    }
  if (pl->n_places >= UINT32_MAX / N_STREAMS) /* an arrival's chain */
    return GM_ELIMIT;
  if (gm__grow(&pl->places, &pl->places_cap, pl->n_places + 1,
               sizeof *pl->places))
    return GM_ENOMEM;
  pl->places[pl->n_places] = (place){.entry = entry,
                                      .layer = entry_layer(pl->gaz, entry)};
  pl->slot[j] = (uint32_t)pl->n_places;
  *out = (uint32_t)pl->n_places++;
  return 0;
}

static int spill(gm__places *pl);

/*
 * Room for the budget at once, and no more: gm__grow's power of two would
 * have made 64 MiB of the 32 MiB budget, and a piece that did not fit
 * doubled it too. Reading touched only the budget's pages, but the
 * writing phase shares the whole buffer out as windows on the spill
 * file's runs: past 128 runs (about 1 GB of input) it touched the other
 * half, 32 MB more peak RSS at 2 GB than at 100 MB. The budget is two
 * halves, pending's and spilling's.
 */
static size_t pending_room(const gm__places *pl)
{
  return (pl->budget < BUDGET_DEFAULT ? pl->budget : BUDGET_DEFAULT) + 4096;
}

/*
 * A half's arrivals (per-place output's) are carved from the back of its
 * own memory, growing toward its pieces, so that the budget holds them:
 * kept in arrays of their own, both halves' took 3 MB of peak RSS more
 * beside it (142 -> 145 MB at 300 MB, --jobs 2). Arrival k of a half:
 */
static char *arrival_at(const gm__buf *half, size_t k)
{
  return half->data + half->cap - (k + 1) * sizeof(arrival);
}

/* The room n arrivals take in pending. */
static size_t arrivals_room(const gm__places *pl, size_t n)
{
  return pl->per_mention ? 0 : n * sizeof(arrival);
}

static int pending_reserve(gm__places *pl, size_t need)
{
  int rc;

  /* A piece that does not fit, with its arrival, goes after a spill: one
   * larger than the whole half still grows it (the half is then empty,
   * with no arrivals to move). */
  if (pl->pending.len &&
      pl->pending.len + need + arrivals_room(pl, pl->n_arrivals + 1) >=
          pl->pending.cap &&
      (rc = spill(pl)))
    return rc;
  if (!pl->pending.cap) { /* the first, or the half spilling had */
    if (!(pl->pending.data = malloc(pending_room(pl) / 2)))
      return GM_ENOMEM;
    pl->pending.cap = pending_room(pl) / 2;
  }
  return 0;
}

/* Append a piece to pending; per place, link it into the place's chain
 * of that stream. Pieces are a few hundred bytes, so a u32 is ample. The
 * header, the separator and the bytes are copied in place once room is
 * made: three appends, each with its growth check and NUL, cost the
 * merging thread more than the copies (1.35 million pieces in the 100 MB
 * archive). The separator is one character or none ('\0'), stored
 * as such: a string's strlen and copy were a fifth of a piece's cost. */
static int append_piece(gm__places *pl, uint32_t pi, int stream, char sep,
                        const char *s, size_t len)
{
  size_t at, k = sep != '\0';
  piece h = {0, pi, (uint32_t)(k + len)};
  place *p = &pl->places[pi];
  char *to;
  int rc;

  if (k + len > UINT32_MAX)
    return GM_ELIMIT;
  if ((rc = pending_reserve(pl, sizeof h + k + len)))
    return rc;
  at = pl->pending.len;
  if (at > UINT32_MAX) /* past an arrival's reach: a piece of GiBs */
    return GM_ELIMIT;
  /* room as gm__buf_append would make it, and the arrival's: a piece
   * larger than the half still grows it */
  if (gm__grow(&pl->pending.data, &pl->pending.cap,
               at + sizeof h + k + len + 1 +
                   arrivals_room(pl, pl->n_arrivals + 1),
               1))
    return GM_ENOMEM;
  to = pl->pending.data + at;
  memcpy(to, &h, sizeof h);
  to[sizeof h] = sep; /* overwritten by s when there is none */
  memcpy(to + sizeof h + k, s, len);
  pl->pending.len = at + sizeof h + k + len;
  if (pl->per_mention)
    return 0;
  memcpy(arrival_at(&pl->pending, pl->n_arrivals++),
         &(arrival){pi * N_STREAMS + (uint32_t)stream, (uint32_t)at},
         sizeof(arrival));
  if (p->tail[stream])
    memcpy(pl->pending.data + p->tail[stream] - 1 + offsetof(piece, next),
           &(uint64_t){at + 1}, sizeof(uint64_t));
  else
    p->head[stream] = at + 1;
  p->tail[stream] = at + 1;
  p->pending_bytes[stream] += k + len;
  p->pending_pieces[stream]++;
  return 0;
}

/* A place's id list grows by the article's id, JSON-escaped without its
 * quotes: escaping is done per character, and ';' ends any broken UTF-8
 * sequence, so the pieces join into the escaped joined list. The id is
 * escaped once an article, not once for each of its places (half a
 * million escapes over the 100 MB archive). */
static int add_article_id(gm__places *pl, uint32_t pi, const char *id)
{
  place *p = &pl->places[pi];
  gm__json *j = &pl->id_json;
  int rc;

  if (pl->id_article != pl->n_seen) {
    pl->id_article = pl->n_seen;
    pl->id_len = strlen(id);
    gm__json_reset(j);
    gm__json_string(j, id, pl->id_len);
  }
  rc = j->status ? j->status
                 : append_piece(pl, pi, STREAM_IDS, p->ids_len ? ';' : '\0',
                                j->out.data + 1, j->out.len - 2);
  p->ids_len += (p->ids_len ? 1 : 0) + pl->id_len;
  return rc;
}

/* Count a mention into its place, and keep its rendered citation while
 * the place has fewer than max: mentions, articles, confidence and
 * article ids are exact whatever the cap. */
static int add_rendered_one(gm__places *pl, const gm__article *a,
                            const char *text, size_t len, const gm_mention *m,
                            const char *json, size_t json_len)
{
  gm_mention widened;
  uint32_t pi;
  place *p;
  int rc;

  if (!(m = within_sentence(text, len, m, &widened)))
    return GM_EINVAL;
  if ((rc = find_place(pl, m->entry, &pi)))
    return rc;
  p = &pl->places[pi];
  if (!p->mentions) {
    p->role = m->role;
    p->first_sentence_len = m->sentence_end - m->sentence_start;
    if (!(p->first_sentence = malloc(p->first_sentence_len + 1)))
      return GM_ENOMEM;
    memcpy(p->first_sentence, text + m->sentence_start,
           p->first_sentence_len);
    p->first_sentence[p->first_sentence_len] = '\0';
  }
  p->mentions++;
  if (m->confidence > p->confidence)
    p->confidence = m->confidence;
  if (p->last_article != pl->n_seen) {
    p->last_article = pl->n_seen;
    p->articles++;
    if (a->id && !pl->per_mention && (rc = add_article_id(pl, pi, a->id)))
      return rc;
  }
  if (p->cited < pl->max_citations) {
    if ((rc = append_piece(pl, pi, STREAM_CITATIONS,
                           p->cited && !pl->per_mention ? ',' : '\0',
                           json, json_len)))
      return rc;
    p->cited++;
  }
  if (pl->pending.len + arrivals_room(pl, pl->n_arrivals) > pl->budget / 2)
    rc = spill(pl);
  return rc;
}

void gm__places_begin(gm__places *pl)
{
  pl->n_seen++;
}

int gm__places_mention(gm__places *pl, const gm__article *a,
                       const char *text, size_t len, const gm_mention *m,
                       size_t index)
{
  uint32_t n;
  int rc;

  pl->scratch.len = 0;
  rc = render_into(&pl->scratch, pl->per_mention, a, NULL, text, len, m,
                   index);
  if (rc)
    return rc;
  memcpy(&n, pl->scratch.data, sizeof n);
  return add_rendered_one(pl, a, text, len, m, pl->scratch.data + sizeof n,
                          n);
}

/*
 * The places of the next n mentions asked for ahead of their adding:
 * their slots first, then the place each slot names (its first probe;
 * a collision only asks for a line in vain). Merging is the main
 * thread's, and 74 % of add_rendered_one's time was the lookup's two
 * misses, the slot's and the place's, one after the other for every
 * mention, and most of append_piece's was the place's second line
 * (perf, 300 MB at --jobs 2). Asked for together, an article's misses
 * overlap. Only a hint: the table may grow while they are added.
 */
#define PREFETCH_GROUP 16

/* Inlined by force: a function of prefetches alone has no effect gcc can
 * see, and it deleted the call (the first build of this had none). */
static inline __attribute__((always_inline)) void
prefetch_places(const gm__places *pl, const gm_mention *m, size_t n)
{
  if (!pl->n_slots)
    return;
  for (size_t i = 0; i < n; i++)
    if (m[i].entry != GM_NO_ENTRY)
      __builtin_prefetch(&pl->slot[slot_of(m[i].entry, pl->n_slots)]);
  for (size_t i = 0; i < n; i++) {
    uint32_t k;
    const char *p;
    if (m[i].entry == GM_NO_ENTRY ||
        (k = pl->slot[slot_of(m[i].entry, pl->n_slots)]) == NONE)
      continue;
    p = (const char *)&pl->places[k];
    /* what adding touches: the place up to its geometry (136 bytes) */
    __builtin_prefetch(p, 1);
    __builtin_prefetch(p + 64, 1);
    __builtin_prefetch(p + offsetof(place, geometry) - 1, 1);
  }
}

int gm__places_add_rendered(gm__places *pl, const gm__article *a,
                            const char *text, size_t len,
                            const gm_mention *mentions, size_t n_mentions,
                            const gm__buf *rendered)
{
  size_t at = 0;
  int rc = 0;

  /* Every offset is checked before anything is counted: a rejected
   * article leaves no trace. */
  for (size_t i = 0; i < n_mentions; i++)
    if (mentions[i].entry != GM_NO_ENTRY && !offsets_valid(len, &mentions[i]))
      return GM_EINVAL;
  gm__places_begin(pl);
  for (size_t i = 0; i < n_mentions && !rc; i++) {
    const gm_mention *m = &mentions[i];
    uint32_t n;
    if (i % PREFETCH_GROUP == 0)
      prefetch_places(pl, m, n_mentions - i < PREFETCH_GROUP
                                 ? n_mentions - i
                                 : PREFETCH_GROUP);
    if (m->entry == GM_NO_ENTRY)
      continue;
    if (rendered->len - at < sizeof n)
      return GM_EINVAL;
    memcpy(&n, rendered->data + at, sizeof n);
    at += sizeof n;
    if (rendered->len - at < n)
      return GM_EINVAL;
    rc = add_rendered_one(pl, a, text, len, m, rendered->data + at, n);
    at += n;
  }
  return rc;
}

/* ------------------------------------------------------------ spilling */

static int spill_failed(gm__places *pl, const char *what)
{
  return gm__error(&pl->err, GM_EIO, "temporary file (TMPDIR): %s: %s",
                   what, strerror(errno));
}

/* The spill file (gm__temp_file: nothing is left behind however the
 * process ends). */
static int spill_open(gm__places *pl)
{
  if (!pl->spill_buffer && !(pl->spill_buffer = malloc(SPILL_BUFFER)))
    return GM_ENOMEM;
  if (!(pl->spill = gm__temp_file("spill")))
    return errno == ENOMEM ? GM_ENOMEM : spill_failed(pl, "cannot create");
  return 0;
}

/* len bytes to the spill file at offset at, whatever pwrite takes at a
 * time. */
static int spill_pwrite(gm__places *pl, const char *s, size_t len,
                        uint64_t at)
{
  while (len) {
    ssize_t n = pwrite(fileno(pl->spill), s, len, (off_t)at);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return spill_failed(pl, "write failed");
    s += n;
    len -= (size_t)n;
    at += (uint64_t)n;
  }
  return 0;
}

/* The buffer's bytes to the file: they end at spill_end. */
static int spill_flush(gm__places *pl)
{
  size_t n = pl->spill_staged;

  pl->spill_staged = 0;
  return spill_pwrite(pl, pl->spill_buffer, n, pl->spill_end - n);
}

/* Bytes appended to the spill: copied into the buffer, or, when they
 * would fill it alone, written as they are after it. */
static int spill_write(gm__places *pl, const void *s, size_t len)
{
  int rc;

  if (len > SPILL_BUFFER - pl->spill_staged && (rc = spill_flush(pl)))
    return rc;
  pl->spill_end += len;
  if (len >= SPILL_BUFFER)
    return spill_pwrite(pl, s, len, pl->spill_end - len);
  memcpy(pl->spill_buffer + pl->spill_staged, s, len);
  pl->spill_staged += len;
  return 0;
}

/*
 * The offsets of the half's pieces in the order the run holds them (its
 * chains', places in run order, each place's ids then citations, each
 * chain in arrival order): a counting sort of the half's arrivals.
 * Walking the chains instead made each piece's header a cache miss that
 * the next piece's address waited for (the pieces of a chain lie
 * anywhere in the half): nearly all of the spill's own time, and
 * prefetching along the chains did not hide it. In run order every
 * piece's address is known ahead, so the copy asks for them in advance.
 * Measured on the 300 MB archive at --jobs 2, alternated with the chain
 * walk: the spill thread's user CPU 0.39-0.45 -> 0.18-0.22 s (three
 * pairs), its CPU 0.6 -> 0.4 s (three bench/batch pairs); peak RSS
 * 142 -> 145 MB in the same runs (both halves' arrivals and the order,
 * 8 + 8 + 4 bytes a piece, ~54,000 pieces a half; the arrivals are now
 * carved from the halves, arrival_at). Sorting by a
 * pass through the half's headers instead, without arrivals, cost more
 * than the chains (user CPU 0.59-0.66 s): each header's address waits
 * for the last's.
 */
static int run_order(gm__places *pl, size_t *n_pieces)
{
  size_t n = 0, places = 1;

  for (size_t i = 0; i < pl->n_spilling_chains; i++)
    if (pl->spilling_chains[i].place >= places)
      places = (size_t)pl->spilling_chains[i].place + 1;
  if (gm__grow(&pl->next_in_order, &pl->next_in_order_cap,
               places * N_STREAMS, sizeof *pl->next_in_order))
    return GM_ENOMEM;
  for (size_t i = 0; i < pl->n_spilling_chains; i++)
    for (int s = 0; s < N_STREAMS; s++) {
      const chains *ch = &pl->spilling_chains[i];
      pl->next_in_order[(size_t)ch->place * N_STREAMS + s] = (uint32_t)n;
      n += ch->pieces[s];
    }
  if (gm__grow(&pl->run_order, &pl->run_order_cap, n ? n : 1,
               sizeof *pl->run_order))
    return GM_ENOMEM;
  for (size_t k = 0; k < pl->n_spilling_arrivals; k++) {
    arrival a;
    memcpy(&a, arrival_at(&pl->spilling, k), sizeof a);
    pl->run_order[pl->next_in_order[a.chain]++] = a.at;
  }
  *n_pieces = n;
  return 0;
}

/* Pieces asked for ahead of their copy: enough to cover a miss. */
#define PIECES_AHEAD 8

/* The payloads of pieces [from, to) of the run's order. */
static int spill_pieces(gm__places *pl, size_t from, size_t to, size_t n)
{
  const char *data = pl->spilling.data;
  int rc = 0;

  for (size_t k = from; k < to && !rc; k++) {
    piece h;
    if (k + PIECES_AHEAD < n)
      __builtin_prefetch(data + pl->run_order[k + PIECES_AHEAD]);
    memcpy(&h, data + pl->run_order[k], sizeof h);
    rc = spill_write(pl, data + pl->run_order[k] + sizeof h, h.len);
  }
  return rc;
}

/* Per place: the half being spilled as one run of blocks, places in
 * order. */
static int spill_run(gm__places *pl)
{
  size_t n, k = 0;
  run *r;
  int rc = 0;

  if (gm__grow(&pl->runs, &pl->runs_cap, pl->n_runs + 1, sizeof *pl->runs) ||
      run_order(pl, &n))
    return GM_ENOMEM;
  r = &pl->runs[pl->n_runs++];
  *r = (run){pl->spill_end, UINT64_MAX};
  for (size_t i = 0; i < pl->n_spilling_chains && !rc; i++) {
    const chains *ch = &pl->spilling_chains[i];
    block b = {.place = ch->place};
    if (r->places == UINT64_MAX && ch->layer != GM__LAYER_REGIONS)
      r->places = pl->spill_end;
    memcpy(b.len, ch->len, sizeof b.len);
    rc = spill_write(pl, &b, sizeof b);
    for (int s = 0; s < N_STREAMS && !rc; s++) {
      rc = spill_pieces(pl, k, k + ch->pieces[s], n);
      k += ch->pieces[s];
    }
  }
  if (r->places == UINT64_MAX) /* regions alone */
    r->places = pl->spill_end;
  return rc;
}

/* The half handed over, to the spill file; it is left empty (its memory
 * is kept: the budget bounds it). The spiller's write: on its thread when
 * there is one. */
static int spill_half(void *arg)
{
  gm__places *pl = arg;
  int rc;

  if (!pl->spill && (rc = spill_open(pl)))
    return rc;
  /* Per mention, the pieces are the log itself, headers included. */
  rc = pl->per_mention ? spill_write(pl, pl->spilling.data, pl->spilling.len)
                       : spill_run(pl);
  if (!rc)
    rc = spill_flush(pl); /* the half on file before it is read */
  pl->spilling.len = 0;
  return rc;
}

/* rc, with pl->err saying what failed when the spilling did not say it
 * (out of memory, or the spill thread's locking). */
static int spill_status(gm__places *pl, int rc)
{
  if (rc && !pl->err.code)
    gm__error(&pl->err, rc, "spilling: %s",
              rc == GM_EIO ? strerror(pl->spiller.failed_errno)
                           : gm_strerror(rc));
  return rc;
}

/* The spiller's thread ended, if it runs; the first failure. */
static int spill_stop(gm__places *pl)
{
  return spill_status(pl, bg_stop(&pl->spiller));
}

/* Per place: the chains of pending's places, for its spilling, and the
 * places' chains started again; the regions' first, then the places',
 * each in place order (the sections of the run). */
static int take_chains(gm__places *pl)
{
  pl->n_spilling_chains = 0;
  for (int section = 0; section < 2; section++)
    for (size_t i = 0; i < pl->n_places; i++) {
      place *p = &pl->places[i];
      chains *ch;
      if ((p->layer == GM__LAYER_REGIONS) != (section == 0) ||
          (!p->head[STREAM_IDS] && !p->head[STREAM_CITATIONS]))
        continue;
      if (gm__grow(&pl->spilling_chains, &pl->spilling_chains_cap,
                   pl->n_spilling_chains + 1, sizeof *pl->spilling_chains))
        return GM_ENOMEM;
      ch = &pl->spilling_chains[pl->n_spilling_chains++];
      ch->place = (uint32_t)i;
      ch->layer = p->layer;
      memcpy(ch->pieces, p->pending_pieces, sizeof p->pending_pieces);
      memcpy(ch->len, p->pending_bytes, sizeof p->pending_bytes);
      memset(p->head, 0, sizeof p->head);
      memset(p->tail, 0, sizeof p->tail);
      memset(p->pending_bytes, 0, sizeof p->pending_bytes);
      memset(p->pending_pieces, 0, sizeof p->pending_pieces);
    }
  return 0;
}

/* The pending pieces' arrivals, in its memory, become the spilling
 * half's. */
static void swap_arrivals(gm__places *pl)
{
  pl->n_spilling_arrivals = pl->n_arrivals;
  pl->n_arrivals = 0;
}

/*
 * Hand the pending pieces over to be spilled, and fill the other half:
 * the spill thread writes them (a spill of 16 MiB took 25-45 ms, during
 * which merging stopped and the ring of chunks drained), else they are
 * written here. Spills are written in the order they are handed over.
 */
static int spill(gm__places *pl)
{
  gm__buf t;
  int rc;

  if (!pl->pending.len)
    return 0;
  /* With threads, from the first spill on. */
  if (!pl->n_handed && pl->threads > 1)
    bg_start(&pl->spiller);
  if ((rc = bg_wait(&pl->spiller)))
    return spill_status(pl, rc);
  if (!pl->per_mention && (rc = take_chains(pl)))
    return spill_status(pl, rc);
  t = pl->spilling;
  pl->spilling = pl->pending;
  pl->pending = t;
  swap_arrivals(pl);
  pl->n_handed++;
  return spill_status(pl, bg_hand(&pl->spiller));
}

/* ------------------------------------------------------------ writing */

static int read_failed(gm__writer *w)
{
  return gm__error(w->err, GM_EIO, "temporary file (TMPDIR): read failed: %s",
                   errno ? strerror(errno) : "unexpected end");
}

/*
 * Per place, the output goes out in writes of OUT_CHUNK bytes: features
 * are assembled in a buffer, for they are made of hundreds of thousands
 * of small pieces (headers, blocks of the spill file), which would
 * otherwise be as many stdio calls and 4 KiB writes. With more than one
 * thread, a writer thread writes each full buffer while the next is
 * filled, so that reading the spill file overlaps writing the output.
 */
typedef struct sink {
  gm__writer *w;
  gm__buf fill;              /* being filled */
  gm__buf full;              /* handed to the writer */
  background writer;         /* writes full to w->f */
  /* RESERVE_AHEAD: the writer's while it runs, like full. */
  int reserving;             /* w->f is a regular file written at its end */
  int reserved_some;         /* blocks were reserved: some past the end */
  uint64_t file_at;          /* where the writes end (stdio may hold a
                                few bytes of the head more) */
  uint64_t reserved;         /* blocks reserved up to here */
  /* GIVE_BACK: the spill's blocks read, given back by the writer. */
  int spill_fd;              /* -1: nothing to give back */
  int no_holes;              /* the spill's file system punches none */
  gm__buf holes, holes_full; /* hole: offset and length (uint64_t each),
                                with fill and with full */
} sink;

/*
 * Reserving is only a saving: a file system that cannot (EOPNOTSUPP, or
 * no room to reserve) is written as before, and so is anything but a
 * regular file whose size is where writing stands (a pipe; a file written
 * in its middle, whose blocks past the end could not be told apart).
 */
static void reserve_begin(sink *k)
{
  struct stat st;
  int fd = fileno(k->w->f);
  off_t at;

  if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
      (at = lseek(fd, 0, SEEK_CUR)) < 0 || at != st.st_size)
    return;
  k->reserving = 1;
  k->file_at = k->reserved = (uint64_t)at;
}

/* The blocks for len more bytes reserved, unless they are. */
static void reserve(sink *k, size_t len)
{
  uint64_t need;

  k->file_at += len;
  if (!k->reserving || k->file_at <= k->reserved)
    return;
  need = k->file_at - k->reserved;
  if (need < RESERVE_AHEAD)
    need = RESERVE_AHEAD;
  if (fallocate(fileno(k->w->f), FALLOC_FL_KEEP_SIZE, (off_t)k->reserved,
                (off_t)need))
    k->reserving = 0;
  else {
    k->reserved += need;
    k->reserved_some = 1;
  }
}

/* The blocks reserved past the file's end given back: ext4 truncates
 * them even when the size stays. The bytes stdio still holds are written
 * later from that end, as any. */
static void reserve_end(sink *k)
{
  struct stat st;
  int fd = fileno(k->w->f);

  if (k->reserved_some && !fstat(fd, &st))
    (void)ftruncate(fd, st.st_size);
}

/* The spill's blocks [at, at + len) given back: see GIVE_BACK. */
static void punch(sink *k, uint64_t at, uint64_t len)
{
  if (!k->no_holes &&
      fallocate(k->spill_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                (off_t)at, (off_t)len))
    k->no_holes = 1;
}

/* The writer's write, after the holes handed over with it: the pages
 * they free are the ones its writing then takes. */
static int sink_write(void *arg)
{
  sink *k = arg;
  uint64_t hole[2];
  int rc;

  for (size_t at = 0; at + sizeof hole <= k->holes_full.len;
       at += sizeof hole) {
    memcpy(hole, k->holes_full.data + at, sizeof hole);
    punch(k, hole[0], hole[1]);
  }
  k->holes_full.len = 0;
  reserve(k, k->full.len);
  rc = k->full.len && fwrite(k->full.data, 1, k->full.len, k->w->f) !=
                          k->full.len
           ? GM_EIO
           : 0;
  k->full.len = 0;
  return rc;
}

/* A write failed: the message, and errno for the caller (the writer's,
 * not this thread's). */
static int sink_failed(sink *k)
{
  int rc = gm__error(k->w->err, GM_EIO, "write failed");

  errno = k->writer.failed_errno;
  return rc;
}

static int sink_open(sink *k, gm__writer *w, int threaded)
{
  *k = (sink){.w = w, .spill_fd = -1};
  bg_init(&k->writer, "gm-writer", sink_write, k);
  if (gm__grow(&k->fill.data, &k->fill.cap, OUT_CHUNK + 4096, 1) ||
      gm__grow(&k->full.data, &k->full.cap, OUT_CHUNK + 4096, 1))
    return gm__error(w->err, GM_ENOMEM, "out of memory");
  reserve_begin(k);
  if (threaded)
    bg_start(&k->writer);
  return 0;
}

/* Write what is filled: hand it to the writer once it is done with the
 * previous buffer. */
static int sink_flush(sink *k)
{
  gm__buf b;

  if (bg_wait(&k->writer))
    return sink_failed(k);
  if (!k->fill.len)
    return 0;
  b = k->full;
  k->full = k->fill;
  k->fill = b;
  b = k->holes_full;
  k->holes_full = k->holes;
  k->holes = b;
  return bg_hand(&k->writer) ? sink_failed(k) : 0;
}

static int sink_put(sink *k, const char *s, size_t len)
{
  if (gm__buf_append(&k->fill, s, len))
    return gm__error(k->w->err, GM_ENOMEM, "out of memory");
  return k->fill.len >= OUT_CHUNK ? sink_flush(k) : 0;
}

/* Write the rest (unless rc says the output failed already), stop the
 * writer, free the buffers; rc or the first failure. */
static int sink_close(sink *k, int rc)
{
  if (!rc)
    rc = sink_flush(k);
  if (bg_stop(&k->writer) && !rc)
    rc = sink_failed(k);
  reserve_end(k);
  gm__buf_free(&k->fill);
  gm__buf_free(&k->full);
  gm__buf_free(&k->holes);
  gm__buf_free(&k->holes_full);
  return rc;
}

/*
 * Where each run stands while places are written in order, and a window
 * on its bytes: the runs are read in large reads rather than in two or
 * three small ones a block (the spill holds hundreds of thousands).
 */
typedef struct cursor {
  uint64_t at, end;          /* the current block; the run's end */
  uint64_t given;            /* given back up to here (GIVE_BACK) */
  block b;                   /* place NONE: the run is done */
  char *window;              /* the run's bytes from window_at */
  size_t cap, len;
  uint64_t window_at;
  sink *out;                 /* which gives back what was read */
} cursor;

/*
 * The spill file's whole GIVE_BACK blocks of c's run before offset at,
 * which the layer's pass has read, given back. Only a saving: when the
 * file system cannot punch holes the pages stay until the file is
 * closed, as before, and the output is the same.
 *
 * The holes are punched by the output's writer, before the write they
 * are handed over with (sink_write), not here: freeing the pages was
 * a fifth of this thread's CPU in --jobs 2's serial tail (perf), and
 * since the output's blocks are reserved ahead (RESERVE_AHEAD) the
 * writer waits for this thread at every buffer. A hole that cannot be
 * noted (out of memory) is not punched (punched here, it would race with
 * the writer's no_holes); nor are those noted after the last buffer: the
 * spill is closed soon after.
 */
static void give_back(cursor *c, uint64_t at)
{
  uint64_t to = at / GIVE_BACK * GIVE_BACK;
  uint64_t hole[2] = {c->given, to - c->given};

  if (to <= c->given)
    return;
  (void)gm__buf_append(&c->out->holes, (const char *)hole, sizeof hole);
  c->given = to;
}

/* Up to want bytes of the spill file from offset at, which lies in c's
 * run: *s points at them in the window, refilled unless it holds them
 * (or a window's worth of them), and *got says how many (fewer than
 * want only when want is more than a window). */
static int run_bytes(gm__writer *w, gm__places *pl, cursor *c, uint64_t at,
                     uint64_t want, const char **s, size_t *got)
{
  uint64_t avail = at >= c->window_at && at - c->window_at < c->len
                       ? c->window_at + c->len - at
                       : 0;

  if (!avail || (avail < want && avail < c->cap)) {
    size_t n = c->end - at < c->cap ? (size_t)(c->end - at) : c->cap;
    give_back(c, at);
    c->window_at = at;
    c->len = 0;
    while (c->len < n) {
      ssize_t r;
      errno = 0;
      r = pread(fileno(pl->spill), c->window + c->len, n - c->len,
                (off_t)(at + c->len));
      if (r <= 0)
        return read_failed(w);
      c->len += (size_t)r;
    }
    avail = c->len;
  }
  if (avail < want && avail < c->cap) {
    errno = 0;
    return read_failed(w);   /* the run ends before its block does */
  }
  *s = c->window + (at - c->window_at);
  *got = (size_t)(want < avail ? want : avail);
  return 0;
}

static int cursor_read(gm__writer *w, gm__places *pl, cursor *c)
{
  const char *s;
  size_t got;
  int rc;

  c->b.place = NONE;
  if (c->at >= c->end)
    return 0;
  if ((rc = run_bytes(w, pl, c, c->at, sizeof c->b, &s, &got)))
    return rc;
  memcpy(&c->b, s, sizeof c->b);
  return 0;
}

/* Copy len bytes of c's run from offset at to the output. */
static int copy_spilled(gm__writer *w, gm__places *pl, cursor *c,
                        sink *out, uint64_t at, uint64_t len)
{
  while (len) {
    const char *s;
    size_t got;
    int rc;
    if ((rc = run_bytes(w, pl, c, at, len, &s, &got)) ||
        (rc = sink_put(out, s, got)))
      return rc;
    at += got;
    len -= got;
  }
  return 0;
}

/* A cursor at the start of each run's section of the layer, with its
 * window: a layer's pass reads none of the other layer's blocks (before
 * the sections, the regions' pass read the whole spill file through, as
 * the places' pass did, for the few regions' blocks). Once everything is
 * spilled (finish_adding) the pending buffer is empty: its memory, the
 * budget, holds the windows, at least WINDOW_MIN bytes each and together
 * no more than WINDOWS_TOTAL unless that minimum needs it: sharing out the
 * whole budget touched all its pages past ~128 runs, so the peak grew with
 * the archive (a 2 GB archive spills ~1,000 runs). */
static int cursors_open(gm__writer *w, gm__places *pl, int layer,
                        sink *k, cursor **out)
{
  cursor *c = calloc(pl->n_runs ? pl->n_runs : 1, sizeof *c);
  size_t share;
  int rc = 0;

  if (!c || (pl->n_runs &&
             (pl->n_runs > SIZE_MAX / WINDOW_MIN ||
              gm__grow(&pl->pending.data, &pl->pending.cap,
                       pl->n_runs * WINDOW_MIN, 1)))) {
    free(c);
    return gm__error(w->err, GM_ENOMEM, "out of memory");
  }
  share = pl->n_runs ? pl->pending.cap / pl->n_runs : 0;
  if (pl->n_runs && share > WINDOWS_TOTAL / pl->n_runs)
    share = WINDOWS_TOTAL / pl->n_runs;
  if (share < WINDOW_MIN)
    share = WINDOW_MIN;
  if (share > WINDOW_MAX)
    share = WINDOW_MAX;
  for (size_t r = 0; r < pl->n_runs && !rc; r++) {
    uint64_t end = r + 1 < pl->n_runs ? pl->runs[r + 1].start : pl->spill_end;
    c[r].at = layer == GM__LAYER_REGIONS ? pl->runs[r].start
                                          : pl->runs[r].places;
    c[r].end = layer == GM__LAYER_REGIONS ? pl->runs[r].places : end;
    /* The first whole block: the one before holds another section's
     * bytes too. */
    c[r].given = (c[r].at + GIVE_BACK - 1) / GIVE_BACK * GIVE_BACK;
    c[r].window = pl->pending.data + r * share;
    c[r].cap = share;
    c[r].out = k;
    rc = cursor_read(w, pl, &c[r]);
  }
  if (rc)
    free(c);
  else
    *out = c;
  return rc;
}

/* Move every cursor to place pi's block, or past where it would be. */
static int cursors_seek(gm__writer *w, gm__places *pl, cursor *c, size_t n,
                        uint32_t pi)
{
  int rc = 0;

  for (size_t r = 0; r < n && !rc; r++)
    while (!rc && c[r].b.place < pi) {
      c[r].at += sizeof c[r].b + c[r].b.len[STREAM_IDS] +
                 c[r].b.len[STREAM_CITATIONS];
      rc = cursor_read(w, pl, &c[r]);
    }
  return rc;
}

/* One stream of a place: its blocks in every run, then what is still in
 * memory. */
static int copy_stream(gm__writer *w, gm__places *pl, cursor *c, size_t n,
                       uint32_t pi, int stream, sink *out)
{
  uint64_t at;
  int rc = 0;

  for (size_t r = 0; r < n && !rc; r++)
    if (c[r].b.place == pi)
      rc = copy_spilled(w, pl, &c[r], out,
                        c[r].at + sizeof c[r].b +
                            (stream ? c[r].b.len[STREAM_IDS] : 0),
                        c[r].b.len[stream]);
  for (at = pl->places[pi].head[stream]; at && !rc;) {
    piece h;
    memcpy(&h, pl->pending.data + at - 1, sizeof h);
    rc = sink_put(out, pl->pending.data + at - 1 + sizeof h, h.len);
    at = h.next;
  }
  return rc;
}

/*
 * gm__feature_end's framing, for a feature whose citations are streamed
 * rather than built in w->json: one feature a line in a collection.
 */
static const char *frame_before(const gm__writer *w)
{
  if (w->opt.frame == GM__FRAME_COLLECTION)
    return w->n_features ? ",\n" : "\n";
  return w->opt.frame == GM__FRAME_SEQ ? "\x1e" : "";
}

static const char *frame_after(const gm__writer *w)
{
  return w->opt.frame == GM__FRAME_COLLECTION ? "" : "\n";
}

/*
 * The feature's head, up to its "geometry" key, to the sink, then the
 * geometry from where it was rendered: copied into w->json first, as
 * gm__feature_begin does, a region's polygons went through memory twice
 * on the way out (gm__json_raw's copy: 13.9M of the 10 MB archive's
 * --jobs 1 run of 1,956M instructions, callgrind; without it 1,943.9M).
 * w->json is emptied of the head, its state kept, and marked as having
 * its value there.
 */
static int place_geometry(gm__writer *w, const gm__geometry *geom, sink *out)
{
  gm__json *j = &w->json;
  int rc;

  gm__feature_head(w, geom);
  if (j->status)
    return gm__error(w->err, j->status, "feature: %s",
                     gm_strerror(j->status));
  if ((rc = sink_put(out, frame_before(w), strlen(frame_before(w)))) ||
      (rc = sink_put(out, j->out.data, j->out.len)) ||
      (rc = sink_put(out, geom->json.data, geom->json.len)))
    return rc;
  j->out.len = 0;
  j->out.data[0] = '\0';
  gm__json_raw(j, "", 0); /* the geometry: the value after its key */
  gm__feature_properties(w);
  return 0;
}

static int place_feature(gm__writer *w, gm__places *pl, uint32_t pi,
                         const gm_entry *e, cursor *c, size_t n, sink *out)
{
  const place *p = &pl->places[pi];
  gm__json *j = &w->json;
  int rc;

  if ((rc = place_geometry(w, &p->geometry, out)))
    return rc;
  gm__entry_properties(j, w->gaz, e, w->opt.precision);
  gm__json_key(j, "role");
  gm__json_cstring(j, gm__role_name(p->role));
  gm__json_key(j, "confidence");
  gm__json_real(j, p->confidence, 4);
  gm__json_key(j, "mention_count");
  gm__json_uint(j, p->mentions);
  gm__json_key(j, "article_count");
  gm__json_uint(j, p->articles);
  gm__json_key(j, "first_sentence");
  gm__json_string(j, p->first_sentence, p->first_sentence_len);
  gm__json_key(j, "articles");
  if (j->status)
    return gm__error(w->err, j->status, "feature: %s",
                     gm_strerror(j->status));
  if ((rc = sink_put(out, j->out.data, j->out.len)) ||
      (rc = sink_put(out, "\"", 1)) ||
      (rc = copy_stream(w, pl, c, n, pi, STREAM_IDS, out)) ||
      (rc = sink_put(out, "\",\"citations\":[", 15)) ||
      (rc = copy_stream(w, pl, c, n, pi, STREAM_CITATIONS, out)) ||
      (rc = sink_put(out, "]}}", 3)) ||
      (rc = sink_put(out, frame_after(w), strlen(frame_after(w)))))
    return rc;
  w->n_features++;
  return 0;
}

static int entry_of(gm__writer *w, const place *p, gm_entry *e)
{
  if (gm_gazetteer_entry(w->gaz, p->entry, e))
    return gm__error(w->err, GM_EGAZETTEER, "entry %u: not in the gazetteer",
                     p->entry);
  return 0;
}

/* Per place: the features of one layer, in the order of first mention,
 * each place's bytes gathered from every run. */
static int write_places(gm__writer *w, gm__places *pl, int layer, sink *out)
{
  cursor *c = NULL;
  gm_entry e;
  int rc = cursors_open(w, pl, layer, out, &c);

  if (rc)
    return rc;
  for (uint32_t i = 0; i < pl->n_places && !rc; i++) {
    const place *p = &pl->places[i];
    if (p->geometry.layer != layer)
      continue;
    if (!(rc = cursors_seek(w, pl, c, pl->n_runs, i)) &&
        !(rc = entry_of(w, p, &e)))
      rc = place_feature(w, pl, i, &e, c, pl->n_runs, out);
  }
  free(c);
  return rc;
}

static int mention_feature(gm__writer *w, const gm__places *pl, uint32_t pi,
                           const char *tail, size_t len)
{
  const place *p = &pl->places[pi];
  gm_entry e;
  int rc;

  if ((rc = entry_of(w, p, &e)))
    return rc;
  gm__feature_begin(w, &p->geometry);
  gm__entry_properties(&w->json, w->gaz, &e, w->opt.precision);
  /* The rendered object without its braces. */
  gm__json_raw(&w->json, tail + 1, len - 2);
  return gm__feature_end(w);
}

/* Per mention: the log of pieces, spilled then pending, in input order;
 * the features of one layer. */
static int write_mentions(gm__writer *w, gm__places *pl, int layer,
                          gm__buf *tail)
{
  uint64_t at = 0;
  int rc = 0;

  while (at < pl->spill_end && !rc) {
    piece h;
    if (pread(fileno(pl->spill), &h, sizeof h, (off_t)at) != sizeof h)
      return read_failed(w);
    at += sizeof h;
    if (pl->places[h.place].geometry.layer == layer) {
      if (gm__grow(&tail->data, &tail->cap, h.len + 1, 1))
        return gm__error(w->err, GM_ENOMEM, "out of memory");
      if (pread(fileno(pl->spill), tail->data, h.len, (off_t)at) !=
          (ssize_t)h.len)
        return read_failed(w);
      rc = mention_feature(w, pl, h.place, tail->data, h.len);
    }
    at += h.len;
  }
  for (at = 0; at < pl->pending.len && !rc;) {
    piece h;
    memcpy(&h, pl->pending.data + at, sizeof h);
    at += sizeof h;
    if (pl->places[h.place].geometry.layer == layer)
      rc = mention_feature(w, pl, h.place, pl->pending.data + at, h.len);
    at += h.len;
  }
  return rc;
}

/*
 * The geometries of every place, on --jobs threads, each with its own
 * writer (its own GEOS context). GEOS's snapping of a country's polygons
 * is the bulk of it and the costs are uneven (a few countries take most
 * of the time), so the threads take places one at a time from a shared
 * list, the costliest first (the size of the polygons they read stands
 * for the cost): a fixed share each left one thread working alone on its
 * last countries while the others waited.
 */
typedef struct geometry_queue {
  gm__places *pl;
  const gm_gazetteer *gaz;
  const gm__geojson_options *opt;
  uint32_t *order;           /* places, costliest first */
  size_t next;               /* the next of order to take */
  pthread_mutex_t lock;
} geometry_queue;

typedef struct geometry_job {
  geometry_queue *q;
  gm_error err;
  size_t failed_at;          /* the first place that failed, or SIZE_MAX */
  int rc;
  pthread_t thread;
} geometry_job;

static size_t geometry_take(geometry_queue *q)
{
  size_t i;

  pthread_mutex_lock(&q->lock);
  i = q->next < q->pl->n_places ? q->next++ : SIZE_MAX;
  pthread_mutex_unlock(&q->lock);
  return i;
}

/* Every failure is kept at its place, not only a job's first, so that
 * the first in place order is found whatever the threads took. */
static void *geometries(void *arg)
{
  geometry_job *job = arg;
  geometry_queue *q = job->q;
  gm_error err = {0};
  gm__writer w;
  size_t k;
  int rc;

  job->failed_at = SIZE_MAX;
  if ((job->rc = gm__writer_init(&w, NULL, q->gaz, q->opt, &job->err))) {
    job->failed_at = 0;
    return NULL;
  }
  w.err = &err;
  while ((k = geometry_take(q)) != SIZE_MAX) {
    size_t i = q->order[k];
    place *p = &q->pl->places[i];
    gm_entry e;
    gm__geometry_free(&p->geometry);
    if (!(rc = entry_of(&w, p, &e))) {
      p->geometry.layer = gm__entry_layer(w.gaz, &e, NULL);
      if (w.opt.layers & (unsigned)p->geometry.layer)
        rc = gm__entry_geometry(&w, &e, &p->geometry);
    }
    if (rc && i < job->failed_at) {
      job->failed_at = i;
      job->rc = rc;
      job->err = err;
    }
  }
  gm__writer_free(&w);
  return NULL;
}

/* What a place's geometry costs: the bytes of polygons it reads. */
static size_t geometry_cost(const geometry_queue *q, uint32_t i)
{
  int full = q->opt->full_geometry || q->opt->simplify_m > 0;
  gm_region r;
  gm_entry e;

  if (gm_gazetteer_entry(q->gaz, q->pl->places[i].entry, &e) ||
      gm__entry_layer(q->gaz, &e, &r) != GM__LAYER_REGIONS)
    return 0;
  return full ? r.wkb_full_len : r.wkb_simple_len;
}

typedef struct costed {
  size_t cost;
  uint32_t place;
} costed;

static int by_cost(const void *a, const void *b)
{
  const costed *x = a, *y = b;

  if (x->cost != y->cost)
    return x->cost < y->cost ? 1 : -1;
  return x->place < y->place ? -1 : x->place > y->place;
}

/*
 * q->order: the places, costliest first. Only regions cost anything, and
 * they are few: the places that cost nothing follow them in place order,
 * which is where sorting them all (by_cost's tie) put them. Sorting every
 * place was 6.1M instructions of the 10 MB archive's run (12,000 places),
 * on the calling thread before the geometries' threads start.
 */
static int geometry_order(geometry_queue *q)
{
  size_t n = q->pl->n_places, n_costly = 0, costly = 0, costless = 0;
  costed *c = malloc((n ? n : 1) * sizeof *c);

  if (!c || !(q->order = malloc((n ? n : 1) * sizeof *q->order))) {
    free(c);
    return GM_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    c[i] = (costed){geometry_cost(q, (uint32_t)i), (uint32_t)i};
    n_costly += c[i].cost != 0;
  }
  /* The costly to the front of c (never past where they were read), the
   * costless straight to their places after them. */
  for (size_t i = 0; i < n; i++)
    if (c[i].cost)
      c[costly++] = c[i];
    else
      q->order[n_costly + costless++] = (uint32_t)i;
  qsort(c, n_costly, sizeof *c, by_cost);
  for (size_t i = 0; i < n_costly; i++)
    q->order[i] = c[i].place;
  free(c);
  return 0;
}

/* Every place of the output gets its geometry, and the collection its
 * extent, before the first feature is written: the bbox comes first. The
 * first failure in place order is reported, whatever the threads. */
static int prepare(gm__writer *w, gm__places *pl)
{
  size_t n = pl->threads > 1 && pl->n_places > 1 ? pl->threads : 1;
  geometry_queue q = {.pl = pl, .gaz = w->gaz, .opt = &w->opt};
  geometry_job *jobs = calloc(n, sizeof *jobs), *failed = NULL;
  size_t started = 1;
  int rc = 0;

  if (!jobs || geometry_order(&q)) {
    free(jobs);
    free(q.order);
    return gm__error(w->err, GM_ENOMEM, "out of memory");
  }
  pthread_mutex_init(&q.lock, NULL);
  for (size_t k = 0; k < n; k++)
    jobs[k].q = &q;
  /* A thread that does not start leaves its share to the others. */
  for (; started < n; started++)
    if (pthread_create(&jobs[started].thread, NULL, geometries,
                       &jobs[started]))
      break;
  geometries(&jobs[0]);
  for (size_t k = 1; k < started; k++)
    pthread_join(jobs[k].thread, NULL);
  for (size_t k = 0; k < started; k++)
    if (jobs[k].rc && (!failed || jobs[k].failed_at < failed->failed_at))
      failed = &jobs[k];
  if (failed) {
    if (w->err)
      *w->err = failed->err;
    rc = failed->rc;
  }
  for (size_t i = 0; i < pl->n_places && !rc; i++)
    if (w->opt.layers & (unsigned)pl->places[i].geometry.layer)
      rc = gm__writer_extend(w, &pl->places[i].geometry);
  pthread_mutex_destroy(&q.lock);
  free(q.order);
  free(jobs);
  return rc;
}

/* The features of the layers the options ask for, regions first. */
static int write_features(gm__writer *w, gm__places *pl)
{
  static const int layers[] = {GM__LAYER_REGIONS, GM__LAYER_PLACES};
  gm__buf tail = {0};
  sink out;
  int rc;

  if (pl->per_mention) {
    rc = 0;
    for (size_t i = 0; i < 2 && !rc; i++)
      if (w->opt.layers & (unsigned)layers[i])
        rc = write_mentions(w, pl, layers[i], &tail);
    gm__buf_free(&tail);
    return rc;
  }
  /* Read once: its section of the spill is given back as it is read. */
  if (pl->written & w->opt.layers)
    return gm__error(w->err, GM_EINVAL, "a layer's places were written");
  if ((rc = sink_open(&out, w, pl->threads > 1)))
    return sink_close(&out, rc);
  out.spill_fd = pl->spill ? fileno(pl->spill) : -1;
  out.no_holes = pl->no_holes;
  for (size_t i = 0; i < 2 && !rc; i++)
    if (w->opt.layers & (unsigned)layers[i]) {
      pl->written |= (unsigned)layers[i];
      rc = write_places(w, pl, layers[i], &out);
    }
  rc = sink_close(&out, rc);
  pl->no_holes = out.no_holes;
  return rc;
}

/* The arrivals and the spill's sorting, for a spill no more: everything
 * is on file. */
static void free_run_orders(gm__places *pl)
{
  free(pl->run_order);
  free(pl->next_in_order);
  pl->run_order = pl->next_in_order = NULL;
  pl->n_arrivals = pl->n_spilling_arrivals = 0;
  pl->run_order_cap = pl->next_in_order_cap = 0;
}

/* Writing shares the pending memory out as windows on the runs: the
 * whole budget's, both halves' (the spilling half is given back). */
static int windows_reserve(gm__places *pl)
{
  size_t room = pending_room(pl);

  gm__buf_free(&pl->spilling);
  free_run_orders(pl);
  if (pl->pending.cap >= room)
    return 0;
  gm__buf_free(&pl->pending);
  if (!(pl->pending.data = malloc(room)))
    return GM_ENOMEM;
  pl->pending.cap = room;
  return 0;
}

/* Once spilled, everything goes to the file, so that writing reads the
 * runs alone (and a second write, --split's other layer, the same). */
static int finish_adding(gm__writer *w, gm__places *pl)
{
  int rc = pl->n_handed && !pl->per_mention ? spill(pl) : 0;
  int stopped = spill_stop(pl);

  if (rc || stopped)
    return gm__error(w->err, GM_EIO, "%s", gm__places_errmsg(pl));
  if (pl->n_handed && !pl->per_mention && windows_reserve(pl))
    return gm__error(w->err, GM_ENOMEM, "out of memory");
  return 0;
}

/*
 * Regions come before places when one output holds both, so that a web
 * map drawing features in order puts the points on top of the polygons.
 */
int gm__places_write(gm__places *pl, FILE *f, const gm_gazetteer *g,
                     const gm__geojson_options *opt, gm_error *err)
{
  gm__writer w;
  int rc = gm__writer_init(&w, f, g, opt, err);

  if (!rc && (opt->per_mention != 0) != pl->per_mention)
    rc = gm__error(err, GM_EINVAL, "places were collected for %s output",
                   pl->per_mention ? "per-mention" : "per-place");
  /* The runs' sections are the layers of that gazetteer's entries. */
  if (!rc && g != pl->gaz)
    rc = gm__error(err, GM_EINVAL,
                   "places were collected with another gazetteer");
  if (!rc)
    rc = finish_adding(&w, pl);
  if (!rc)
    rc = prepare(&w, pl);
  if (!rc)
    rc = gm__writer_head(&w);
  if (!rc)
    rc = write_features(&w, pl);
  if (!rc)
    rc = gm__writer_tail(&w);
  for (size_t i = 0; i < pl->n_places; i++)
    gm__geometry_free(&pl->places[i].geometry);
  gm__writer_free(&w);
  return rc;
}
