/*
 * standalone_main.c — run a libFuzzer target over files without
 * libFuzzer, so an ordinary `meson test` replays every corpus file and
 * every crasher ever found (after libvips fuzz/StandaloneFuzzTargetMain.c).
 *
 * Arguments are files or directories (one level deep, every regular file
 * in it). Prints a TAP line per file; a crash is the failure a sanitizer
 * or abort() reports, and a missing argument fails too.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_run;

static int run_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t len = 0, cap = 0, got;

  if (!f) {
    printf("not ok %d - %s: cannot open\n", ++n_run, path);
    return 1;
  }
  do {
    if (len == cap) {
      unsigned char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
      if (!nb) {
        fclose(f);
        free(buf);
        printf("not ok %d - %s: out of memory\n", ++n_run, path);
        return 1;
      }
      buf = nb;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  fclose(f);
  /* A copy of exactly len bytes, so ASan sees reads past the end. */
  {
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
      free(buf);
      return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
  }
  printf("ok %d - %s (%zu bytes)\n", ++n_run, path, len);
  fflush(stdout);
  return 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0;
  int failed = 0;

  if (!d)
    return run_file(dir);
  while ((de = readdir(d))) {
    char **nn;
    if (de->d_name[0] == '.')
      continue;
    if (!(nn = realloc(names, (n + 1) * sizeof *names)))
      break;
    names = nn;
    if (!(names[n] = malloc(strlen(dir) + strlen(de->d_name) + 2)))
      break;
    sprintf(names[n++], "%s/%s", dir, de->d_name);
  }
  closedir(d);
  if (n > 1)  /* qsort(NULL, 0) is undefined */
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
      failed |= run_file(names[i]);
    free(names[i]);
  }
  free(names);
  return failed;
}

int main(int argc, char **argv)
{
  int failed = 0;

  for (int i = 1; i < argc; i++)
    failed |= run_dir(argv[i]);
  if (n_run == 0) {
    printf("not ok 1 - no input files\n");
    failed = 1;
    n_run = 1;
  }
  printf("1..%d\n", n_run);
  return failed;
}
