/*
 * cli_batch_run.c — the articles of a batch through --jobs threads, and
 * back in input order.
 *
 * Three kinds of thread share a ring of chunks (a few dozen articles
 * each): one reader fills free chunks in input order with records as read
 * (a JSON line still undecoded, into the chunk's buffer of lines; a text
 * file read whole); --jobs workers
 * take filled chunks in turn and do everything that depends on one
 * article alone — decode the JSON, parse, render the output (the places'
 * citations, or the --mentions line); the calling thread merges parsed
 * chunks strictly in sequence, which is cheap (counts, appending rendered
 * bytes, the checkpoint), hands what their articles own back to the
 * worker that parsed them (which frees it), and frees the chunks for the
 * reader. So reading and merging overlap the parsing instead of holding
 * it up, and the output is the same whatever the number of workers: only
 * the merge, in order, touches shared state.
 *
 * Memory in flight is the ring: at most RING_PER_JOB chunks a worker, each
 * of at most CHUNK_ARTICLES articles or CHUNK_BYTES of text, and each
 * with its buffers — its articles' lines as read, their rendered output
 * and the resolved mentions the merge reads — reused from chunk to chunk
 * up to KEEP_BUFFER, larger ones through a shelf of SHELF_BYTES; what the
 * parsed chunks waiting to be merged hold is about HELD_MAX at most. With
 * one job there are no threads: the same steps run one after the other.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>                   /* mallopt, malloc_trim */
#endif

#include "cli.h"
#include "cli_batch.h"
#include "out_geojson.h"

/* A deep ring of small chunks: merging is in order, so a worker held up
 * on one chunk (a long article, or descheduled) stalls the others once
 * they have filled the ring behind it. With 4 chunks a worker of 32
 * articles, the two workers of --jobs 2 waited 15 % of the time on a
 * full ring; with 16 of 64, about 4 %. Chunks of at most 256 KiB keep
 * the text in flight as it was (8 MiB at --jobs 2). */
#define CHUNK_ARTICLES 64
#define CHUNK_BYTES ((size_t)256 << 10)
#define RING_PER_JOB 16
/*
 * The reader, once the ring is full, sleeps until a quarter of it is
 * free again and then fills that quarter in one go. Woken for every
 * chunk merged, it slept and woke 1,900-2,100 times over the 100 MB
 * archive at --jobs 2, and each wake took a core from a worker (their
 * involuntary context switches); the three quarters still read ahead
 * keep the workers fed.
 */
#define REFILL_PART 4
/*
 * The same for the merger: a worker wakes it when MERGE_RUN chunks from
 * the oldest unmerged one on are parsed, or fewer that hold MERGE_HELD,
 * not whenever that oldest one is, which with two workers taking turns
 * was nearly every chunk (900-1,700 wakes over the 100 MB archive; now
 * 670-730). Without MERGE_HELD, runs of long chunks passed HELD_MAX
 * before they were merged, and the workers waited for room 210-230
 * times instead of 15-80.
 */
#define MERGE_RUN 4
#define MERGE_HELD (HELD_MAX / 2)
/*
 * Tried, not kept (batch20): HELD_MAX and SHELF_BYTES 8 MiB, so that
 * the merger is woken for longer runs. Over the 100 MB archive at
 * --jobs 2 the calling thread's voluntary switches went 666-699 ->
 * 475-505 (its waits on the output's writer at the end count in them
 * too) and the peak RSS 146.2 -> 150.6-150.9 MB; what it did to the
 * seconds could not be measured (both cores busy with other work, load
 * 8-9).
 */
/*
 * A chunk's rendered output is kept in one buffer, reused, rather than one
 * per article: each of the ring's 2048 article slots (--jobs 2) kept a
 * buffer as large as the largest article it had rendered, so the heap
 * grew with the archive, as the largest of more and more articles (46 MB
 * of them after 100 MB of input, 77 MB after 470). The same for its JSON
 * lines as read.
 *
 * A chunk's buffers are kept only up to KEEP_BUFFER, and a larger one
 * leaves its chunk (for the shelf, below, or freed); it is mostly its
 * own mapping (MMAP_FROM), as glibc maps a request that large unless the
 * arena's free top can serve it (mem10, session 10). Keeping up to 1 MiB
 * each made the ring's resident memory the largest chunk each slot had
 * held, which grows with the archive: in the 100 MB archive a chunk's
 * output is 31 KB at the median but 400-720 KB for a quarter of them (long
 * articles), and the 32 slots' buffers held 15 MB after 100 MB of input
 * and more after 2 GB, where the 32 chunks in flight never held more than
 * 14.5 MB of output and 2.8 MB of lines at once. A freed buffer must be
 * unmapped, not kept in glibc's arena: glibc raises its mmap threshold to
 * the size of every mapped block freed, after which blocks of that size
 * come from the arena, whose freed memory stays resident; a fixed
 * threshold keeps them mapped.
 */
#define KEEP_BUFFER ((size_t)128 << 10)
#define MMAP_FROM KEEP_BUFFER
/*
 * What the parsed chunks waiting to be merged may hold (their rendered
 * output, kept mentions and decoded text) before a worker waits to take
 * the next: the ring bounds the chunks, not what they hold. When a worker
 * is held up on a long chunk at the head, the other parses on through
 * the ring, and the chunks waiting behind the head held at most 2.9 MB of
 * rendered output and kept mentions in the 100 MB archive but 11.7 MB in
 * the 2 GB one (rarer crowds of long articles), which made the peak RSS
 * grow with the archive. A worker checks before it takes a chunk, so
 * the bound can be passed by what the workers then parse (3.3 MB held at
 * most over the 100 MB archive).
 */
#define HELD_MAX ((size_t)2 << 20)
/*
 * The chunks' buffers past KEEP_BUFFER (rendered output and kept
 * mentions) are put on a shelf when their chunk is merged, up to
 * SHELF_BYTES in all, and a worker whose chunk outgrows KEEP_BUFFER takes
 * one from there rather than growing its own: unmapped after every chunk,
 * they were mapped afresh by the next large one and every page of them
 * faulted in and zeroed again. Over the 100 MB archive at --jobs 2 that
 * was 90,000 of the 120,000 page faults, 0.17 CPU s of the workers',
 * and the merging thread's munmaps, which interrupt the other core to
 * flush its TLB, another 0.07 s (perf). The shelf is bounded, so memory
 * stays bounded by the work in flight; a buffer that does not fit on it
 * is freed as before.
 */
#define SHELF_BYTES ((size_t)4 << 20)
#define SHELF_MAX 16
/* The 100 MB archive's GeoJSON is 4.3 times its size. */
#define RENDERED_PER_BYTE 5

enum { CHUNK_FREE, CHUNK_READ, CHUNK_PARSED };

typedef struct worker worker;

typedef struct chunk {
  batch_item *items;
  size_t n, cap;
  int state;
  worker *parsed_by;
  gm__buf lines;              /* the items' JSON lines as read, filled and
                                 reused by the reader */
  gm__buf rendered;           /* the items' rendered output, in order: each
                                 item's is a view into it */
  gm__buf kept, kept_index;   /* the items' resolved mentions (gm_mention)
                                 and their indices (size_t), the same */
  size_t held;                /* once parsed: the bytes above and the
                                 items' decoded text, for HELD_MAX */
} chunk;

/* Buffers of more than KEEP_BUFFER bytes, for the next chunks that need
 * one; its own lock, taken by the merger and the workers alike. */
typedef struct shelf {
  pthread_mutex_t lock;
  gm__buf bufs[SHELF_MAX];
  size_t n, bytes;            /* buffers, and their capacities' sum */
} shelf;

typedef struct pipeline {
  batch_reader *in;
  const batch_run_options *o;
  chunk *ring;
  size_t n_ring;
  shelf shelf;
  pthread_mutex_t lock;
  /* One condition per kind of waiter, signalled only by the change it
   * waits for: a broadcast to all on every change woke the reader, both
   * workers and the merger about four times a chunk, and on two cores
   * those context switches were CPU taken from the parsing. */
  pthread_cond_t freed;       /* the reader's: the oldest chunk is free */
  pthread_cond_t filled;      /* workers': a chunk is read, or no more */
  pthread_cond_t parsed;      /* the merger's: the next chunk is parsed */
  pthread_cond_t room;        /* workers': held is back under HELD_MAX */
  size_t n_read, n_taken, n_merged; /* chunks, in sequence */
  size_t refill;              /* free chunks the reader waits for */
  size_t held;                /* what the parsed, unmerged chunks hold */
  int room_wanted;            /* workers waiting on room */
  int read_done;              /* n_read is final */
  int read_failed;            /* out of memory while reading */
  int stop;                   /* the merge failed: everyone stops */
} pipeline;

/*
 * A worker's articles are freed by the worker itself, not by the merger
 * (their results it frees at once: keep_mentions): glibc's malloc gives
 * each thread its own arena, and a free from another thread takes that
 * arena's lock, which the worker holds for every malloc. Freeing the
 * results on the merging thread made it wait for that lock thousands of
 * times a run, each wait a sleep and a wake. So the merger hands what a
 * merged article owns (its decoded fields) back to the worker that
 * parsed it, which frees it before its next chunk. The merger gathers
 * them without the pipeline's lock (in handed), and under it only swaps
 * the gathered buffer in when the worker has taken the last one: the
 * lock, which the workers, the reader and the merger all take for every
 * chunk, is held for a few assignments, not 64 records' appends.
 */
typedef struct leftover {
  char *id, *title, *url, *date, *text;
} leftover;

struct worker {
  pipeline *p;
  gm_parser *parser;
  gm__buf handed;             /* leftover records gathered by the merger,
                                 its own */
  gm__buf leftovers;          /* handed over, for the worker to take;
                                 under the pipeline's lock */
  gm__buf freeing;            /* taken by the worker, freed outside the
                                 lock */
  pthread_t thread;
};

static void item_clear(batch_item *it)
{
  batch_article_clear(&it->a);
  it->rc = 0;
  it->render_rc = 0;
  it->err.code = 0;
  it->err.message[0] = '\0';
  it->rendered = (gm__buf){0};
  it->n_mentions = 0;
  it->mentions = NULL;
  it->index = NULL;
}

/* b's memory onto the shelf if there is room for it, else freed; b is
 * left empty either way. */
static void shelf_put(shelf *sh, gm__buf *b)
{
  pthread_mutex_lock(&sh->lock);
  if (sh->n < SHELF_MAX && sh->bytes + b->cap <= SHELF_BYTES) {
    b->len = 0;
    sh->bufs[sh->n++] = *b;
    sh->bytes += b->cap;
    *b = (gm__buf){0};
  }
  pthread_mutex_unlock(&sh->lock);
  gm__buf_free(b);
}

static void shelf_free(shelf *sh)
{
  for (size_t i = 0; i < sh->n; i++)
    gm__buf_free(&sh->bufs[i]);
  sh->n = sh->bytes = 0;
  pthread_mutex_destroy(&sh->lock);
}

/* Whether a buffer of cap bytes serves need better than one of best. */
static int fits_better(size_t cap, size_t best, size_t need)
{
  if (cap >= need)
    return best < need || cap < best; /* the smallest that fits */
  return best < need && cap > best;   /* none fits: the largest */
}

/* The shelf's smallest buffer of at least need bytes, else its largest
 * (it will grow, but less of it is new): 1, or 0 when it is empty. */
static int shelf_take(shelf *sh, size_t need, gm__buf *out)
{
  size_t best = SIZE_MAX;

  pthread_mutex_lock(&sh->lock);
  for (size_t i = 0; i < sh->n; i++)
    if (best == SIZE_MAX || fits_better(sh->bufs[i].cap,
                                        sh->bufs[best].cap, need))
      best = i;
  if (best != SIZE_MAX) {
    *out = sh->bufs[best];
    sh->bytes -= out->cap;
    sh->bufs[best] = sh->bufs[--sh->n];
  }
  pthread_mutex_unlock(&sh->lock);
  return best != SIZE_MAX;
}

/* Room for need more bytes in b: once that would take b past
 * KEEP_BUFFER, a buffer from the shelf takes its place (its bytes
 * copied), when the shelf has one. Otherwise b grows when it is
 * appended to, as before: the shelf saves page faults, nothing more. */
static void shelf_reserve(shelf *sh, gm__buf *b, size_t need)
{
  gm__buf kept;

  if (b->len + need < b->cap || b->len + need <= KEEP_BUFFER ||
      !shelf_take(sh, b->len + need + 1, &kept))
    return;
  if (kept.cap <= b->cap) { /* b is no smaller: back on the shelf */
    shelf_put(sh, &kept);
    return;
  }
  if (b->len)
    memcpy(kept.data, b->data, b->len + 1); /* its NUL too */
  kept.len = b->len;
  gm__buf_free(b);
  *b = kept;
}

/* Read the next records into c: 1 when more may follow, 0 at the end
 * (c may still hold some), -1 out of memory.
 *
 * Tried, not kept (batch20): a chunk's lines kept up to 4 * CHUNK_BYTES
 * rather than KEEP_BUFFER (a chunk of long articles passes it, and its
 * lines were freed and grown again at the next fill): the reader's page
 * faults over the 100 MB archive at --jobs 2 went 3,265 -> 2,030, but
 * the peak RSS 146.6 -> 150.0 MB (the ring's free chunks kept their
 * lines), for about 3 ms of faults (2.2 us a fault on this machine). */
static int fill(pipeline *p, chunk *c)
{
  size_t bytes = 0;

  c->n = 0;
  c->lines.len = 0;
  if (c->lines.cap > KEEP_BUFFER) /* freed where it was allocated */
    gm__buf_free(&c->lines);
  while (c->n < CHUNK_ARTICLES && bytes < CHUNK_BYTES) {
    batch_item *it = &c->items[c->n];
    int rc = batch_reader_next_raw(p->in, &it->a, &c->lines);
    if (rc <= 0)
      return rc;
    bytes += it->a.len;
    c->n++;
  }
  return 1;
}

/* The --mentions line of a parsed article, appended to out. */
static int render_mentions(const pipeline *p, const batch_item *it,
                           const gm_result *res, gm__buf *out)
{
  char line[32];

  snprintf(line, sizeof line, "%zu", it->a.line);
  return gm__mentions_render(out, p->o->gaz, it->a.id ? it->a.id : line,
                             it->a.text, res);
}

/*
 * What the merge reads of a result: the number of its resolved mentions
 * and, for the places (not --mentions), those mentions without their
 * alternatives and reasons, appended to c's buffers. GM_ENOMEM leaves the
 * buffers as they were.
 *
 * The result itself is then freed by the worker, right after rendering:
 * kept until its chunk was merged, the results (alternatives and reasons
 * are most of their bytes) outlived the parses around them, whose
 * short-lived memory was freed in the holes between, and the workers'
 * arenas grew with the length of the run.
 */
static int keep_mentions(pipeline *p, batch_item *it, chunk *c,
                         const gm_result *res)
{
  size_t n = gm_result_count(res);

  if (p->o->mentions) {
    for (size_t i = 0; i < n; i++)
      it->n_mentions += gm_result_mention(res, i)->entry != GM_NO_ENTRY;
    return 0;
  }
  shelf_reserve(&p->shelf, &c->kept, n * sizeof(gm_mention));
  shelf_reserve(&p->shelf, &c->kept_index, n * sizeof(size_t));
  /* Room for every mention at once, and the NUL a gm__buf keeps: then
   * each is copied in place, where an append of each mention and of its
   * index (1.75 million over the 100 MB archive) cost a call and a
   * growth check apiece. */
  if (gm__grow(&c->kept.data, &c->kept.cap,
               c->kept.len + n * sizeof(gm_mention) + 1, 1) ||
      gm__grow(&c->kept_index.data, &c->kept_index.cap,
               c->kept_index.len + n * sizeof(size_t) + 1, 1))
    return GM_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    gm_mention m = *gm_result_mention(res, i);
    if (m.entry == GM_NO_ENTRY)
      continue;
    it->n_mentions++;
    m.alternatives = NULL;
    m.n_alternatives = 0;
    m.reasons = NULL;
    m.n_reasons = 0;
    memcpy(c->kept.data + c->kept.len, &m, sizeof m);
    c->kept.len += sizeof m;
    memcpy(c->kept_index.data + c->kept_index.len, &i, sizeof i);
    c->kept_index.len += sizeof i;
  }
  c->kept.data[c->kept.len] = '\0';
  c->kept_index.data[c->kept_index.len] = '\0';
  return 0;
}

/* Everything that depends on the article alone; its rendered output is
 * appended to c's buffer, its length in it->rendered.len. */
static void process(pipeline *p, gm_parser *parser, batch_item *it,
                    chunk *c)
{
  batch_article *a = &it->a;
  gm__buf *out = &c->rendered;
  size_t start = out->len;
  gm_result *res = NULL;

  if (a->raw && batch_article_decode(batch_reader_options(p->in), a,
                                     c->lines.data + a->raw_at)) {
    it->rc = GM_ENOMEM;
    return;
  }
  if (a->reason[0] ||
      (it->rc = gm_parse(parser, a->text, a->len, &res, &it->err)))
    return;
  /* A guess, which only decides when a buffer comes from the shelf (a
   * wrong one costs page faults, never output). */
  shelf_reserve(&p->shelf, out, RENDERED_PER_BYTE * a->len);
  if (p->o->mentions)
    it->render_rc = render_mentions(p, it, res, out);
  else {
    gm__article ga = {.id = a->id, .title = a->title, .url = a->url,
                      .date = a->date,
                      .source = strcmp(a->source, "-") ? a->source : NULL,
                      .line = a->line};
    it->render_rc = gm__places_render(out, p->o->per_mention, &ga,
                                      a->text, a->len, res);
  }
  it->rendered.len = out->len - start;
  if (keep_mentions(p, it, c, res))
    it->rc = GM_ENOMEM;
  gm_result_free(res);
}

/* Every article of c, then each item's views pointed at: the chunk's
 * buffers move while they grow. */
static void process_chunk(pipeline *p, gm_parser *parser, chunk *c)
{
  size_t at = 0, kept = 0, bytes = 0;

  c->rendered.len = 0;
  c->kept.len = 0;
  c->kept_index.len = 0;
  /* The chunk's output guessed at once, while the buffer is empty (the
   * guess article by article in process stays, for a chunk that renders
   * more): guessed only article by article, a buffer came from the shelf
   * once the chunk's output passed KEEP_BUFFER, and what the chunk's
   * buffer held was copied into it, after copies as it grew. On the 10
   * MB archive those copies were 19M of the 2,988M instructions. */
  for (size_t i = 0; i < c->n; i++)
    bytes += c->items[i].a.len;
  shelf_reserve(&p->shelf, &c->rendered, RENDERED_PER_BYTE * bytes);
  for (size_t i = 0; i < c->n; i++)
    process(p, parser, &c->items[i], c);
  c->held = c->rendered.len + c->kept.len + c->kept_index.len;
  for (size_t i = 0; i < c->n; i++) {
    batch_item *it = &c->items[i];
    c->held += it->a.text ? it->a.len : 0;
    it->rendered.data = c->rendered.data ? c->rendered.data + at : NULL;
    at += it->rendered.len;
    if (p->o->mentions || !it->n_mentions)
      continue;
    it->mentions = (const gm_mention *)(const void *)c->kept.data + kept;
    it->index = (const size_t *)(const void *)c->kept_index.data + kept;
    kept += it->n_mentions;
  }
}

/* Merge a parsed chunk in order; an exit status. The chunk is cleared
 * by the caller. */
static int merge_chunk(pipeline *p, chunk *c)
{
  int status = EXIT_OK;

  for (size_t i = 0; i < c->n && status == EXIT_OK; i++) {
    batch_item *it = &c->items[i];
    if (batch_reader_note(p->in, &it->a))
      status = EXIT_FAILURE_; /* reported */
    else
      status = p->o->merge(p->o->ctx, it);
  }
  if (status == EXIT_OK && p->o->chunk_done)
    status = p->o->chunk_done(p->o->ctx);
  return status;
}

static void chunk_clear(pipeline *p, chunk *c)
{
  gm__buf *bufs[] = {&c->rendered, &c->kept, &c->kept_index};

  for (size_t i = 0; i < c->n; i++)
    item_clear(&c->items[i]);
  c->n = 0;
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
    bufs[i]->len = 0;
    if (bufs[i]->cap > KEEP_BUFFER)
      shelf_put(&p->shelf, bufs[i]);
  }
}

/* What c's articles own, gathered for the worker that parsed them, and
 * c cleared; what cannot be handed over (out of memory) is freed here. */
static void chunk_hand_back(pipeline *p, chunk *c)
{
  worker *w = c->parsed_by;

  for (size_t i = 0; i < c->n; i++) {
    batch_item *it = &c->items[i];
    batch_article *a = &it->a;
    leftover l = {a->id, a->title, a->url, a->date, a->text};
    if (!gm__buf_append(&w->handed, (const char *)&l, sizeof l)) {
      a->id = a->title = a->url = a->date = a->text = NULL;
    }
  }
  chunk_clear(p, c);
}

static void free_leftovers(gm__buf *b)
{
  leftover l;

  for (size_t at = 0; at + sizeof l <= b->len; at += sizeof l) {
    memcpy(&l, b->data + at, sizeof l);
    free(l.id);
    free(l.title);
    free(l.url);
    free(l.date);
    free(l.text);
  }
  b->len = 0;
}

static int run_serial(pipeline *p)
{
  chunk *c = &p->ring[0];
  int more = 1, status = EXIT_OK;

  while (status == EXIT_OK && more > 0) {
    if ((more = fill(p, c)) < 0)
      break;
    process_chunk(p, p->o->parsers[0], c);
    status = merge_chunk(p, c);
    chunk_clear(p, c);
  }
  chunk_clear(p, c);
  if (more < 0) {
    cli_warn("out of memory");
    return EXIT_FAILURE_;
  }
  return status;
}

/* Under the lock: the chunks the reader may fill before it waits (the
 * next one to fill is free when this is not 0). */
static size_t free_chunks(const pipeline *p)
{
  return p->n_ring - (p->n_read - p->n_merged);
}

static void *read_all(void *arg)
{
  pipeline *p = arg;

  pthread_setname_np(pthread_self(), "gm-reader"); /* for bench/batch */
  for (;;) {
    chunk *c;
    int rc, filled;
    pthread_mutex_lock(&p->lock);
    if (!free_chunks(p))
      while (!p->stop && free_chunks(p) < p->refill)
        pthread_cond_wait(&p->freed, &p->lock);
    c = &p->ring[p->n_read % p->n_ring];
    rc = !p->stop;
    pthread_mutex_unlock(&p->lock);
    if (rc)
      rc = fill(p, c);
    pthread_mutex_lock(&p->lock);
    if ((filled = c->n && rc >= 0)) {
      c->state = CHUNK_READ;
      p->n_read++;
    }
    if (rc <= 0) {
      p->read_done = 1;
      p->read_failed = rc < 0;
    }
    pthread_mutex_unlock(&p->lock);
    /* Signalled after the unlock (here and below): a waiter woken while
     * the lock is held runs at once on two cores, only to wait for the
     * lock, a second sleep and wake. */
    if (rc <= 0) {
      pthread_cond_broadcast(&p->filled);
      pthread_cond_signal(&p->parsed); /* it may wait for the end */
      return NULL;
    }
    if (filled)
      pthread_cond_signal(&p->filled);
  }
}

static void swap_bufs(gm__buf *x, gm__buf *y)
{
  gm__buf t = *x;

  *x = *y;
  *y = t;
}

/* Under the lock: until a chunk is read and the parsed ones hold no more
 * than HELD_MAX, or there is nothing more to take. No worker waits
 * forever on room: what is held belongs to chunks after the merged ones
 * and up to the taken ones, so the head is parsed or being parsed by a
 * worker that is not waiting, and its merge makes room. */
static void wait_for_chunk(pipeline *p)
{
  for (;;) {
    while (!p->stop && p->n_taken == p->n_read && !p->read_done)
      pthread_cond_wait(&p->filled, &p->lock);
    if (p->stop || p->n_taken == p->n_read || p->held <= HELD_MAX)
      return;
    p->room_wanted++;
    pthread_cond_wait(&p->room, &p->lock);
    p->room_wanted--;
  }
}

/* Under the lock: how many chunks from the oldest unmerged one on are
 * parsed, up to MERGE_RUN. */
static size_t parsed_run(const pipeline *p)
{
  size_t n = 0;

  while (n < MERGE_RUN && p->n_merged + n < p->n_taken &&
         p->ring[(p->n_merged + n) % p->n_ring].state == CHUNK_PARSED)
    n++;
  return n;
}

static void *work(void *arg)
{
  worker *w = arg;
  pipeline *p = w->p;
  chunk *c = NULL;

  pthread_setname_np(pthread_self(), "gm-worker");
  for (;;) {
    size_t run = 0, held;
    pthread_mutex_lock(&p->lock);
    if (c) {
      c->state = CHUNK_PARSED;
      p->held += c->held;
      run = parsed_run(p); /* what the merger waits for */
    }
    /* A worker about to wait wakes the merger for any run: the merges
     * make the room, and read the chunks, it would wait for. */
    if (run && (p->n_taken == p->n_read || p->held > HELD_MAX)) {
      pthread_cond_signal(&p->parsed); /* no unlock before a wait */
      run = 0;
    }
    wait_for_chunk(p);
    if (p->stop || p->n_taken == p->n_read) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    held = p->held;
    c = &p->ring[p->n_taken++ % p->n_ring];
    c->parsed_by = w;
    swap_bufs(&w->leftovers, &w->freeing);
    pthread_mutex_unlock(&p->lock);
    if (run == MERGE_RUN || (run && held >= MERGE_HELD))
      pthread_cond_signal(&p->parsed);
    free_leftovers(&w->freeing);
    process_chunk(p, w->parser, c);
  }
}

/* The calling thread: merge chunk after chunk as they are parsed. */
static int merge_all(pipeline *p)
{
  int status = EXIT_OK, room, refill;

  for (;;) {
    chunk *c = &p->ring[p->n_merged % p->n_ring];
    pthread_mutex_lock(&p->lock);
    while (!(p->n_merged < p->n_read && c->state == CHUNK_PARSED) &&
           !(p->read_done && p->n_merged == p->n_read))
      pthread_cond_wait(&p->parsed, &p->lock);
    if (p->n_merged == p->n_read) { /* and reading is done */
      pthread_mutex_unlock(&p->lock);
      break;
    }
    pthread_mutex_unlock(&p->lock);
    status = merge_chunk(p, c);
    chunk_hand_back(p, c);
    pthread_mutex_lock(&p->lock);
    if (!c->parsed_by->leftovers.len)
      swap_bufs(&c->parsed_by->leftovers, &c->parsed_by->handed);
    c->state = CHUNK_FREE;
    p->n_merged++;
    p->held -= c->held;
    room = p->room_wanted && p->held <= HELD_MAX;
    refill = free_chunks(p) >= p->refill;
    pthread_mutex_unlock(&p->lock);
    if (refill) /* no call into the kernel when the reader is not waiting */
      pthread_cond_signal(&p->freed);
    if (room)
      pthread_cond_broadcast(&p->room);
    if (status != EXIT_OK)
      break;
  }
  return status;
}

/* Everyone stops waiting and returns. */
static void stop(pipeline *p)
{
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_cond_broadcast(&p->freed);
  pthread_cond_broadcast(&p->filled);
  pthread_cond_broadcast(&p->parsed);
  pthread_cond_broadcast(&p->room);
  pthread_mutex_unlock(&p->lock);
}

static int run_threads(pipeline *p)
{
  worker w[BATCH_MAX_JOBS];
  pthread_t reader;
  int started = 0, status;

  if (pthread_create(&reader, NULL, read_all, p)) {
    cli_warn("cannot start a thread");
    return EXIT_FAILURE_;
  }
  for (; started < p->o->jobs; started++) {
    w[started] = (worker){.p = p, .parser = p->o->parsers[started]};
    if (pthread_create(&w[started].thread, NULL, work, &w[started]))
      break;
  }
  /* With fewer workers than asked (a thread limit), it is slower only. */
  status = started ? merge_all(p) : EXIT_FAILURE_;
  if (!started)
    cli_warn("cannot start a thread");
  stop(p);
  pthread_join(reader, NULL);
  for (int i = 0; i < started; i++) {
    pthread_join(w[i].thread, NULL);
    free_leftovers(&w[i].handed);
    free_leftovers(&w[i].leftovers);
    free_leftovers(&w[i].freeing);
    gm__buf_free(&w[i].handed);
    gm__buf_free(&w[i].leftovers);
    gm__buf_free(&w[i].freeing);
  }
  if (status == EXIT_OK && p->read_failed) {
    cli_warn("out of memory");
    status = EXIT_FAILURE_;
  }
  return status;
}

int batch_run(batch_reader *in, const batch_run_options *o)
{
  pipeline p = {.in = in, .o = o};
  int status;

#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, (int)MMAP_FROM); /* fixed: see KEEP_BUFFER */
#endif
  pthread_mutex_init(&p.shelf.lock, NULL);
  p.n_ring = o->jobs > 1 ? (size_t)o->jobs * RING_PER_JOB : 1;
  p.refill = p.n_ring / REFILL_PART ? p.n_ring / REFILL_PART : 1;
  if (!(p.ring = calloc(p.n_ring, sizeof *p.ring)))
    goto no_memory;
  for (size_t i = 0; i < p.n_ring; i++) {
    if (!(p.ring[i].items = calloc(CHUNK_ARTICLES, sizeof *p.ring[i].items)))
      goto no_memory;
    p.ring[i].cap = CHUNK_ARTICLES;
  }
  if (o->jobs > 1) {
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.freed, NULL);
    pthread_cond_init(&p.filled, NULL);
    pthread_cond_init(&p.parsed, NULL);
    pthread_cond_init(&p.room, NULL);
    status = run_threads(&p);
    pthread_cond_destroy(&p.room);
    pthread_cond_destroy(&p.parsed);
    pthread_cond_destroy(&p.filled);
    pthread_cond_destroy(&p.freed);
    pthread_mutex_destroy(&p.lock);
  } else
    status = run_serial(&p);
  for (size_t i = 0; i < p.n_ring; i++) {
    for (size_t k = 0; k < p.ring[i].n; k++)
      item_clear(&p.ring[i].items[k]);
    gm__buf_free(&p.ring[i].lines);
    gm__buf_free(&p.ring[i].rendered);
    gm__buf_free(&p.ring[i].kept);
    gm__buf_free(&p.ring[i].kept_index);
    free(p.ring[i].items);
  }
  free(p.ring);
  shelf_free(&p.shelf);
#ifdef __GLIBC__
  /* The workers' arenas keep what the ring's articles and results freed,
   * out of reach of the output's writing on this thread: given back, the
   * peak RSS of --jobs 2 on the 100 MB archive is 212 MB, not 244 (main
   * had 210 with a ring an eighth the size). */
  malloc_trim(0);
#endif
  return status;
no_memory:
  for (size_t i = 0; p.ring && i < p.n_ring; i++)
    free(p.ring[i].items);
  free(p.ring);
  shelf_free(&p.shelf);
  cli_warn("out of memory");
  return EXIT_FAILURE_;
}
