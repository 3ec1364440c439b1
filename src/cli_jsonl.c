/*
 * cli_jsonl.c — JSON Lines input: whole files for `eval` and `resolve`,
 * one line at a time as an article for `parse` (cli_batch.c reads the
 * lines; the article is made here, where a fuzz target can reach it).
 *
 * Lines are read whole with getline(), so an article of any length is
 * one line (WikToR's run to tens of kilobytes). Compressed input is
 * handed to xz rather than linked against liblzma: the evaluation corpora
 * are the only .xz files the tool meets, and xz-utils is in the quick
 * start's package list.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "cli_jsonl.h"
#include "internal.h"

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* `xz -dc -- 'path'`, the path quoted for the shell. */
static char *xz_command(const char *path)
{
  size_t n = strlen(path), o = 0;
  char *cmd = malloc(4 * n + 32);

  if (!cmd)
    return NULL;
  o += (size_t)sprintf(cmd, "xz -dc -- '");
  for (size_t i = 0; i < n; i++) {
    if (path[i] == '\'') {
      memcpy(cmd + o, "'\\''", 4);
      o += 4;
    } else {
      cmd[o++] = path[i];
    }
  }
  strcpy(cmd + o, "'");
  return cmd;
}

int cli_lines_open(cli_lines *r, const char *path)
{
  memset(r, 0, sizeof *r);
  r->path = path;
  if (!strcmp(path, "-")) {
    r->path = "standard input";
    r->f = stdin;
    return EXIT_OK;
  }
  if (ends_with(path, ".xz")) {
    char *cmd = xz_command(path);
    if (!cmd) {
      cli_warn("out of memory");
      return EXIT_FAILURE_;
    }
    r->f = popen(cmd, "r");
    r->piped = 1;
    free(cmd);
  } else {
    r->f = fopen(path, "r");
  }
  if (!r->f) {
    cli_warn("%s: %s", path, strerror(errno));
    return EXIT_FAILURE_;
  }
  return EXIT_OK;
}

int cli_lines_next(cli_lines *r, char **line, size_t *len)
{
  ssize_t n;

  errno = 0;
  if ((n = getline(&r->line, &r->cap, r->f)) < 0) {
    if (ferror(r->f)) {
      cli_warn("%s:%zu: read failed: %s", r->path, r->number + 1,
               strerror(errno ? errno : EIO));
      return -1;
    }
    r->at_end = 1;
    return 0;
  }
  r->number++;
  while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
    r->line[--n] = '\0';
  *line = r->line;
  *len = (size_t)n;
  return 1;
}

int cli_lines_close(cli_lines *r)
{
  int status = EXIT_OK;

  free(r->line);
  r->line = NULL;
  if (!r->f || r->f == stdin)
    return EXIT_OK;
  if (r->piped) {
    int ws = pclose(r->f);
    /* stopping early makes xz die of SIGPIPE: only a complete read can
     * tell that decompression failed */
    if (r->at_end && (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0)) {
      cli_warn("%s: xz -dc failed (%s)", r->path,
               ws != -1 && WIFEXITED(ws) && WEXITSTATUS(ws) == 127
                   ? "is xz-utils installed?"
                   : "corrupt or unreadable file");
      status = EXIT_FAILURE_;
    }
  } else {
    fclose(r->f);
  }
  r->f = NULL;
  return status;
}

int cli_jsonl_blank(const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

size_t *cli_cp_offsets(const char *text, size_t len, size_t *n_cp)
{
  size_t *at = malloc((len + 1) * sizeof *at), n = 0, i = 0;
  const unsigned char *s = (const unsigned char *)text;

  if (!at)
    return NULL;
  while (i < len) {
    size_t k = 1;
    /* a lead byte followed by the continuation bytes it announces */
    size_t want = s[i] >= 0xF0 && s[i] < 0xF5   ? 4
                  : s[i] >= 0xE0 && s[i] < 0xF0 ? 3
                  : s[i] >= 0xC2 && s[i] < 0xE0 ? 2
                                                : 1;
    while (k < want && i + k < len && (s[i + k] & 0xC0) == 0x80)
      k++;
    if (k < want)
      k = 1;
    at[n++] = i;
    i += k;
  }
  at[n] = len;
  *n_cp = n;
  return at;
}

int cli_id_key(const cJSON *id, char *out, size_t cap)
{
  int n;

  if (cJSON_IsString(id))
    n = snprintf(out, cap, "%s", id->valuestring);
  else if (cJSON_IsNumber(id))
    n = snprintf(out, cap, "#%.17g", id->valuedouble);
  else
    return -1;
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int cli_json_offset(const cJSON *o, const char *key, size_t max, size_t *out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  double d;

  if (!cJSON_IsNumber(v))
    return -1;
  d = v->valuedouble;
  if (!(d >= 0) || d > (double)max || floor(d) != d)
    return -1;
  *out = (size_t)d;
  return 0;
}

/* ------------------------------------------------- a batch's articles */

/* A field's string, a number's shortest form, or NULL when absent, null or
 * of another type. */
static int field_copy(const cJSON *o, const char *key, char **out)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  char num[64];

  *out = NULL;
  if (cJSON_IsString(v))
    *out = strdup(v->valuestring);
  else if (cJSON_IsNumber(v)) {
    snprintf(num, sizeof num, "%.17g", v->valuedouble);
    *out = strdup(num);
  } else
    return 0;
  return *out ? 0 : -1;
}

static void reject(batch_article *a, const char *fmt, const char *what)
{
  snprintf(a->reason, sizeof a->reason, fmt, what);
}

/* Whether s[0..len) is only JSON whitespace. */
static int json_space(const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return 0;
  return 1;
}

/* Where the first \u0000 escape of line is, or NULL. Backslashes only
 * appear in strings of valid JSON, so escapes can be read pairwise. */
static char *nul_escape(const char *line, size_t len)
{
  const char *end = line + len, *at = line;

  /* memchr skips the bytes between escapes (most lines have none) */
  while ((at = memchr(at, '\\', (size_t)(end - at))) && end - at > 1) {
    if (at[1] == 'u' && end - at >= 6 && !memcmp(at + 2, "0000", 4))
      return (char *)at;
    at += 2;
  }
  return NULL;
}

/* cJSON gives strings as C strings: an escaped NUL would cut the text
 * there and drop the rest unseen. Each becomes a space (\u0020), which
 * keeps every code point and byte offset after it. A copy of line, or
 * NULL when out of memory. */
static char *without_nul(const char *line, size_t len, char *first)
{
  char *copy = malloc(len), *at;

  if (!copy)
    return NULL;
  memcpy(copy, line, len);
  for (at = copy + (first - line); at;
       at = nul_escape(at + 6, len - (size_t)(at + 6 - copy)))
    memcpy(at + 2, "0020", 4);
  return copy;
}

cJSON *cli_json_parse(const char *line, size_t len)
{
  char *nul = nul_escape(line, len), *copy = NULL;
  cJSON *o;

  if (nul && !(line = copy = without_nul(line, len, nul)))
    return NULL;
  o = cJSON_ParseWithLength(line, len);
  free(copy);
  return o;
}

/* ------------------------------------------ the common record, fast */

/*
 * Most records are plain: one object of strings, numbers, literals and
 * arrays, with no \u escape. fast_article reads those without a cJSON
 * tree (parsing, allocating and freeing the tree, then copying the text
 * out of it, was most of a batch's reading), and copies the text once.
 * It accepts a subset of what cJSON accepts, with the same strings:
 * strict JSON, whitespace as JSON has it, \u escapes (and so the escaped
 * NUL) left out, a key's first value taken as cJSON takes it. Whatever
 * it is not sure of, and every record to reject, goes to cJSON, so the
 * reasons given for bad records are cJSON's path's alone.
 */
#define FAST_DEPTH 32 /* deeper records go to cJSON */

typedef struct scan {
  const char *at, *end;
} scan;

static void skip_space(scan *s)
{
  while (s->at < s->end && (*s->at == ' ' || *s->at == '\t' ||
                            *s->at == '\r' || *s->at == '\n'))
    s->at++;
}

static int next_is(scan *s, char c)
{
  skip_space(s);
  if (s->at < s->end && *s->at == c) {
    s->at++;
    return 1;
  }
  return 0;
}

/* The character an escape stands for, as cJSON reads it; 0 for \u (left
 * to cJSON) and for what is no escape. */
static char unescaped(char c)
{
  switch (c) {
  case '"': case '\\': case '/': return c;
  case 'b': return '\b';
  case 'f': return '\f';
  case 'n': return '\n';
  case 'r': return '\r';
  case 't': return '\t';
  }
  return 0;
}

/* Past the string at s->at (its opening quote): 0, or -1 for cJSON. */
static int skip_string(scan *s)
{
  const char *p = s->at + 1, *quote, *escape;

  for (;;) {
    if (!(quote = memchr(p, '"', (size_t)(s->end - p))))
      return -1;
    if (!(escape = memchr(p, '\\', (size_t)(quote - p))))
      break;
    if (!unescaped(escape[1])) /* escape < quote: escape[1] is there */
      return -1;
    p = escape + 2;
  }
  s->at = quote + 1;
  return 0;
}

/* The bytes from p to quote, a string skip_string has passed (so its
 * escapes are good), decoded into out with a NUL; its length. Its end
 * known, the copy needs no second search for the quote. */
static size_t copy_string(const char *p, const char *quote, char *out)
{
  const char *escape;
  size_t o = 0;

  while ((escape = memchr(p, '\\', (size_t)(quote - p)))) {
    memcpy(out + o, p, (size_t)(escape - p));
    o += (size_t)(escape - p);
    out[o++] = unescaped(escape[1]);
    p = escape + 2;
  }
  memcpy(out + o, p, (size_t)(quote - p));
  o += (size_t)(quote - p);
  out[o] = '\0';
  return o;
}

static int is_digit(const scan *s)
{
  return s->at < s->end && *s->at >= '0' && *s->at <= '9';
}

/* A number as JSON writes it. cJSON reads the same characters: it takes
 * the longest run of [0-9+-.eE], and none of the characters that may
 * follow a JSON number is one of them. */
static int skip_number(scan *s)
{
  if (s->at < s->end && *s->at == '-')
    s->at++;
  if (!is_digit(s))
    return -1;
  if (*s->at++ != '0')
    while (is_digit(s))
      s->at++;
  if (s->at < s->end && *s->at == '.') {
    s->at++;
    if (!is_digit(s))
      return -1;
    while (is_digit(s))
      s->at++;
  }
  if (s->at < s->end && (*s->at == 'e' || *s->at == 'E')) {
    s->at++;
    if (s->at < s->end && (*s->at == '+' || *s->at == '-'))
      s->at++;
    if (!is_digit(s))
      return -1;
    while (is_digit(s))
      s->at++;
  }
  return 0;
}

static int skip_literal(scan *s, const char *word, size_t n)
{
  if ((size_t)(s->end - s->at) < n || memcmp(s->at, word, n))
    return -1;
  s->at += n;
  return 0;
}

static int skip_value(scan *s, int depth);

/* An array or object's members after its opening bracket. */
static int skip_members(scan *s, int object, int depth)
{
  if (next_is(s, object ? '}' : ']'))
    return 0;
  do {
    skip_space(s);
    if (object && (s->at == s->end || *s->at != '"' ||
                   skip_string(s) || !next_is(s, ':')))
      return -1;
    skip_space(s);
    if (skip_value(s, depth))
      return -1;
  } while (next_is(s, ','));
  return next_is(s, object ? '}' : ']') ? 0 : -1;
}

static int skip_value(scan *s, int depth)
{
  if (s->at == s->end)
    return -1;
  switch (*s->at) {
  case '"': return skip_string(s);
  case '{':
  case '[':
    if (depth >= FAST_DEPTH)
      return -1;
    s->at++;
    return skip_members(s, s->at[-1] == '{', depth + 1);
  case 't': return skip_literal(s, "true", 4);
  case 'f': return skip_literal(s, "false", 5);
  case 'n': return skip_literal(s, "null", 4);
  }
  return skip_number(s);
}

/* Where each field's first value starts and ends, found in one pass over
 * the record. */
typedef struct fields {
  const char *start[5], *end[5];
} fields;

static int find_fields(const batch_options *opt, scan *s, fields *f)
{
  memset(f, 0, sizeof *f);
  if (!next_is(s, '{') || next_is(s, '}')) /* {} has no text: cJSON's */
    return -1;
  do {
    const char *key, *quote;
    size_t n;
    skip_space(s);
    if (s->at == s->end || *s->at != '"')
      return -1;
    key = s->at + 1;
    quote = memchr(key, '"', (size_t)(s->end - key));
    if (!quote || memchr(key, '\\', (size_t)(quote - key)))
      return -1;
    n = (size_t)(quote - key);
    s->at = quote + 1;
    if (!next_is(s, ':'))
      return -1;
    skip_space(s);
    /* The first character first: most of a record's keys are none of
     * the five, and a call to compare each with each was a fifth of
     * reading a record. */
    for (int i = 0; i < 5; i++)
      if (opt->field[i] && !f->start[i] &&
          opt->field[i][0] == (n ? key[0] : '\0') &&
          !strncmp(opt->field[i], key, n) && !opt->field[i][n])
        f->start[i] = s->at;
    if (skip_value(s, 1))
      return -1;
    for (int i = 0; i < 5; i++)
      if (f->start[i] && !f->end[i])
        f->end[i] = s->at;
  } while (next_is(s, ','));
  if (!next_is(s, '}'))
    return -1;
  skip_space(s);
  return s->at == s->end ? 0 : -1;
}

/* A field's string (NULL when absent or not a string or a number), 0;
 * -1 for cJSON (a number: its shortest form is cJSON's), -2 when out of
 * memory. */
static int fast_field(const fields *f, int i, char **out, size_t *n)
{
  scan s = {f->start[i], f->end[i]};

  *out = NULL;
  if (!s.at)
    return 0;
  if (*s.at != '"')
    return *s.at == '-' || (*s.at >= '0' && *s.at <= '9') ? -1 : 0;
  if (!(*out = malloc((size_t)(s.end - s.at))))
    return -2;
  /* find_fields ended the field just past its closing quote */
  *n = copy_string(s.at + 1, s.end - 1, *out);
  return 0;
}

/* A good record as cJSON's path makes it: 1; 0 when cJSON must read it
 * (nothing kept); -1 when out of memory. */
static int fast_article(const batch_options *opt, const char *line,
                        size_t len, batch_article *a)
{
  scan s = {line, line + len};
  char **out[] = {&a->id, &a->title, &a->url, &a->date};
  fields f;
  size_t n;
  int rc;

  if (find_fields(opt, &s, &f) || !f.start[FIELD_TEXT] ||
      *f.start[FIELD_TEXT] != '"')
    return 0;
  if ((rc = fast_field(&f, FIELD_TEXT, &a->text, &a->len)))
    return rc == -2 ? -1 : 0;
  if (a->len > opt->max_article_bytes || !batch_utf8_text(a->text, a->len))
    rc = -1; /* to be rejected, by cJSON's path */
  else
    for (int i = 0; i < 4 && !rc; i++)
      rc = fast_field(&f, i, out[i], &n);
  if (!rc)
    return 1;
  for (int i = 0; i < 4; i++) {
    free(*out[i]);
    *out[i] = NULL;
  }
  free(a->text);
  a->text = NULL;
  a->len = 0;
  return rc == -2 ? -1 : 0;
}

int cli_jsonl_article(const batch_options *opt, const char *line, size_t len,
                      batch_article *a)
{
  const char *end = NULL;
  char *nul, *copy = NULL;
  cJSON *o;
  const cJSON *text;
  const char *tf = opt->field[FIELD_TEXT];
  int rc = 1;

  /* JSON never holds a NUL byte; cJSON would end a string at one */
  if (memchr(line, '\0', len)) {
    reject(a, "%s", "invalid JSON: a NUL byte");
    a->len = 0;
    return 1;
  }
  /* The fast path leaves every \u escape to cJSON, so a record it takes
   * holds no escaped NUL: the line is searched for one only when it
   * does not (a pass over every record's bytes before). */
  if ((rc = fast_article(opt, line, len, a)))
    return rc;
  rc = 1;
  nul = nul_escape(line, len);
  if (nul && !(line = copy = without_nul(line, len, nul)))
    return -1;
  /* cJSON stops after the first value; what follows must be checked, or
   * a second record on the same line would be dropped unseen. */
  o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
  if (o && !json_space(end, len - (size_t)(end - line))) {
    reject(a, "%s", "invalid JSON: more after the first value");
    goto done;
  }
  if (!cJSON_IsObject(o)) {
    reject(a, "%s", o ? "not a JSON object" : "invalid JSON");
    goto done;
  }
  text = cJSON_GetObjectItemCaseSensitive(o, tf);
  if (!text) {
    reject(a, "no \"%s\" field", tf);
    goto done;
  }
  if (!cJSON_IsString(text)) {
    reject(a, "field \"%s\" is not a string", tf);
    goto done;
  }
  a->len = strlen(text->valuestring);
  if (a->len > opt->max_article_bytes) {
    snprintf(a->reason, sizeof a->reason,
             "article over --max-article-bytes (%zu)",
             opt->max_article_bytes);
    goto done;
  }
  if (!batch_utf8_text(text->valuestring, a->len)) {
    reject(a, "%s", "not UTF-8 text");
    goto done;
  }
  if (!(a->text = strdup(text->valuestring)) ||
      field_copy(o, opt->field[FIELD_ID], &a->id) ||
      field_copy(o, opt->field[FIELD_TITLE], &a->title) ||
      field_copy(o, opt->field[FIELD_URL], &a->url) ||
      field_copy(o, opt->field[FIELD_DATE], &a->date))
    rc = -1;
done:
  if (a->reason[0])
    a->len = 0;
  cJSON_Delete(o);
  free(copy);
  return rc;
}
