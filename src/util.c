/*
 * util.c — error messages, growable arrays and strings, hashing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

const char *gm_strerror(int code)
{
  switch (code) {
#define GM_STRERROR_(name, value, text) \
  case GM_E##name:                      \
    return text;
    GM_ERRNO_MAP(GM_STRERROR_)
#undef GM_STRERROR_
  }
  return "unknown error";
}

const char *gm_version(void)
{
  return GM_VERSION;
}

int gm__error(gm_error *err, int code, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

int gm__grow_to(void *p, size_t *cap, size_t need, size_t elem)
{
  void **pp = p;
  size_t n = *cap ? *cap : 16;
  void *q;

  if (need <= *cap)
    return 0;
  while (n < need) {
    if (n > SIZE_MAX / 2 / elem)
      return GM_ENOMEM;
    n *= 2;
  }
  q = realloc(*pp, n * elem);
  if (!q)
    return GM_ENOMEM;
  *pp = q;
  *cap = n;
  return 0;
}

int gm__buf_append(gm__buf *b, const char *s, size_t len)
{
  if (gm__grow(&b->data, &b->cap, b->len + len + 1, 1))
    return GM_ENOMEM;
  if (len)
    memcpy(b->data + b->len, s, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int gm__buf_putc(gm__buf *b, char c)
{
  return gm__buf_append(b, &c, 1);
}

int gm__buf_printf(gm__buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return GM_EINVAL;
  if (gm__grow(&b->data, &b->cap, b->len + (size_t)n + 1, 1))
    return GM_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void gm__buf_free(gm__buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

FILE *gm__temp_file(const char *name)
{
  const char *dir = getenv("TMPDIR");
  gm__buf path = {0};
  FILE *f = NULL;
  int fd;

  if (!dir || !*dir)
    dir = "/tmp";
  if (gm__buf_printf(&path, "%s/geomention-%s-XXXXXX", dir, name)) {
    errno = ENOMEM;
    return NULL;
  }
  fd = mkstemp(path.data);
  if (fd >= 0) {
    unlink(path.data);
    if (!(f = fdopen(fd, "w+b"))) {
      int saved = errno;
      close(fd);
      errno = saved;
    }
  }
  gm__buf_free(&path);
  return f;
}

uint64_t gm__hash(const char *s, size_t len)
{
  return gm__hash_more(14695981039346656037ull, s, len);
}

/* Tried and not kept (session 21): four bytes a turn and a switch for
 * the rest (the same values): gm_parse on the fifth-line sample 303.1M ->
 * 302.7M out of line (no more than LTO's inlining moves it from build
 * to build), 304.1M inline in internal.h: the keys are short. A hash
 * of whole words would change the gazetteer's format and the other
 * users' values (cli_ids, resolve_context). */
uint64_t gm__hash_more(uint64_t h, const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

void *gm__dl_load(const char *what, const char *soname,
                  const gm__dl_symbol *syms, size_t n, char *why,
                  size_t why_size)
{
  const char *msg;
  void *lib;

  dlerror(); /* clear a stale message */
  if (!(lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL))) {
    msg = dlerror();
    snprintf(why, why_size, "cannot load %s (%s): %s", what, soname,
             msg ? msg : "dlopen failed");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    /* dlsym's void * cannot be assigned to a function pointer in ISO C,
     * but its bytes can be copied. */
    void *sym = dlsym(lib, syms[i].name);
    if (!sym) {
      msg = dlerror();
      snprintf(why, why_size, "cannot load %s (%s): no function %s: %s",
               what, soname, syms[i].name, msg ? msg : "dlsym failed");
      dlclose(lib);
      return NULL;
    }
    memcpy(syms[i].slot, &sym, syms[i].size);
  }
  return lib;
}
