/*
 * cli_jsonl.c — JSON Lines input for `eval` and `resolve`.
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
