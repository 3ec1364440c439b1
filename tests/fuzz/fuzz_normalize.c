/*
 * fuzz_normalize.c — the tokenizer and normaliser on arbitrary bytes.
 *
 * gm__tokenize must accept any bytes: every token lies inside the text,
 * in order, with code-point offsets that never run backwards; and
 * gm_normalize must report a length it then writes when given room.
 */
#include <stdlib.h>
#include <string.h>

#include "geomention.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static gm__tokens t;  /* reused, as the parser reuses it */
  const char *s = (const char *)data;
  char small[8];
  int need;

  if (gm__tokenize(s, size, &t) == 0) {
    size_t prev_end = 0, prev_cp = 0;
    for (size_t i = 0; i < t.n; i++) {
      const gm__token *k = &t.v[i];
      if (k->start < prev_end || k->end <= k->start || k->end > size ||
          k->cp_start < prev_cp || k->cp_end < k->cp_start ||
          (size_t)k->norm + k->norm_len > t.norm.len)
        abort();
      prev_end = k->end;
      prev_cp = k->cp_end;
      (void)gm__sep_joins(&t, i);
    }
    if (prev_cp > gm__cp_count(s, size))
      abort();
  }

  need = gm_normalize(s, size, small, sizeof small);
  if (need >= 0) {
    char *out = malloc((size_t)need + 1);
    if (!out)
      return 0;
    if (gm_normalize(s, size, out, (size_t)need + 1) != need ||
        strlen(out) != (size_t)need)
      abort();
    free(out);
  }
  return 0;
}
