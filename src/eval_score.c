/*
 * eval_score.c — score.py's rules, line for line, in C.
 *
 * Every choice here copies ../shared/eval/score.py (score_docs and
 * distance_metrics), including the ones that look arbitrary: predictions
 * without coordinates are dropped before matching, the first matching
 * prediction in prediction order is consumed, midpoints must be *less*
 * than 10 code points apart, errors are summed in sorted order, and the
 * AUC is the trapezoid over the sorted log errors. Lower-casing follows
 * Python's str.lower(): utf8proc per code point, plus the two mappings
 * Python applies that a per-code-point table cannot (U+0130 and the
 * final sigma).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "eval_score.h"
#include "internal.h"

#define NONE ((size_t)-1)

int eval_resolution_only(const char *corpus)
{
  return !strcmp(corpus, "wiktor") || !strcmp(corpus, "hu2014") ||
         !strcmp(corpus, "ju2016");
}

void eval_score_init(eval_score *s, eval_protocol protocol,
                     int resolution_only)
{
  memset(s, 0, sizeof *s);
  s->protocol = protocol;
  s->resolution_only = resolution_only;
}

void eval_score_free(eval_score *s)
{
  free(s->errors);
  free(s->lower);
  free(s->lower_at);
  free(s->used);
  memset(s, 0, sizeof *s);
}

double eval_haversine(double lat1, double lon1, double lat2, double lon2)
{
  /* math.radians(x) is x * (pi / 180) in CPython; same order, same bits */
  const double rad = M_PI / 180.0;
  double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  double a = pow(sin(dlat / 2), 2) +
             pow(sin(dlon / 2), 2) * cos(lat1 * rad) * cos(lat2 * rad);
  return 6371.0 * 2 * asin(fmin(1.0, sqrt(a)));
}

/* ------------------------------------------------------------ lower() */

/* A byte that is not UTF-8 travels through as this plus its value. */
#define RAW_BYTE 0x110000

static int is_cased(int32_t c)
{
  utf8proc_category_t cat;

  if (c >= RAW_BYTE)
    return 0;
  cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
         cat == UTF8PROC_CATEGORY_LT || utf8proc_tolower(c) != c ||
         utf8proc_toupper(c) != c;
}

/* Unicode's Case_Ignorable: marks, format characters, modifiers, and the
 * word-internal punctuation (apostrophes, periods, colons, middle dot). */
static int is_case_ignorable(int32_t c)
{
  utf8proc_category_t cat;

  if (c >= RAW_BYTE)
    return 0;
  if (c == '\'' || c == '.' || c == ':' || c == 0x00B7 || c == 0x2018 ||
      c == 0x2019 || c == 0x2024 || c == 0xFE52 || c == 0xFF07 ||
      c == 0xFF0E || c == 0x00AD || c == 0x0387 || c == 0x05F4 ||
      c == 0x2027 || c == 0xFE13 || c == 0xFE55 || c == 0xFF1A)
    return 1;
  cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME ||
         cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_LM ||
         cat == UTF8PROC_CATEGORY_SK;
}

/* Python lowers a capital sigma to the final form when a cased letter
 * comes before it and none after (case-ignorable characters skipped). */
static int final_sigma(const int32_t *cp, size_t n, size_t i)
{
  size_t j = i;

  while (j > 0 && is_case_ignorable(cp[j - 1]))
    j--;
  if (j == 0 || !is_cased(cp[j - 1]))
    return 0;
  for (j = i + 1; j < n && is_case_ignorable(cp[j]); j++)
    ;
  return j == n || !is_cased(cp[j]);
}

static char *put_cp(char *out, int32_t c)
{
  if (c >= RAW_BYTE) {
    *out++ = (char)(c - RAW_BYTE);
    return out;
  }
  return out + utf8proc_encode_char(c, (utf8proc_uint8_t *)out);
}

/* Decode s into code points (bytes that are not UTF-8 as RAW_BYTE+b). */
static int32_t *decode(const char *s, size_t len, size_t *n)
{
  int32_t *cp = malloc((len + 1) * sizeof *cp);
  size_t i = 0;

  *n = 0;
  if (!cp)
    return NULL;
  while (i < len) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), &c);
    if (k <= 0) {
      c = RAW_BYTE + (unsigned char)s[i];
      k = 1;
    }
    cp[(*n)++] = c;
    i += (size_t)k;
  }
  return cp;
}

char *eval_lower(const char *s)
{
  size_t len = s ? strlen(s) : 0, n;
  int32_t *cp = decode(s ? s : "", len, &n);
  /* a lower-case form is at most 3/2 the bytes of its upper case */
  char *out = cp ? malloc(2 * len + 4) : NULL, *o = out;

  if (!out) {
    free(cp);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    if (cp[i] == 0x0130) {         /* İ -> i + combining dot above */
      o = put_cp(put_cp(o, 'i'), 0x0307);
    } else if (cp[i] == 0x03A3) {  /* Σ */
      o = put_cp(o, final_sigma(cp, n, i) ? 0x03C2 : 0x03C3);
    } else {
      o = put_cp(o, cp[i] >= RAW_BYTE ? cp[i] : utf8proc_tolower(cp[i]));
    }
  }
  *o = '\0';
  free(cp);
  return out;
}

/* --------------------------------------------------------- matching */

static int push_error(eval_score *s, double km)
{
  if (gm__grow(&s->errors, &s->cap_errors, s->n_errors + 1, sizeof(double)))
    return -1;
  s->errors[s->n_errors++] = km;
  return 0;
}

/* Lower-case every name once per article: gold first, then predictions. */
static int lower_names(eval_score *s, const eval_toponym *gold,
                       size_t n_gold, const eval_toponym *pred,
                       size_t n_pred)
{
  size_t used = 0, n = n_gold + n_pred;

  if (gm__grow(&s->lower_at, &s->cap_lower_at, n + 1, sizeof(size_t)))
    return -1;
  for (size_t k = 0; k < n; k++) {
    const eval_toponym *t = k < n_gold ? &gold[k] : &pred[k - n_gold];
    char *low = eval_lower(t->name);
    size_t len;
    if (!low)
      return -1;
    len = strlen(low);
    if (gm__grow(&s->lower, &s->cap_lower, used + len + 1, 1)) {
      free(low);
      return -1;
    }
    memcpy(s->lower + used, low, len + 1);
    free(low);
    s->lower_at[k] = used;
    used += len + 1;
  }
  return 0;
}

static int eupeg_match(const eval_score *s, const eval_toponym *t, size_t gi,
                       const eval_toponym *q, size_t qi)
{
  return fabs((t->start + t->end) / 2.0 - (q->start + q->end) / 2.0) < 10 &&
         !strcmp(s->lower + s->lower_at[gi], s->lower + s->lower_at[qi]);
}

/* The first prediction still in play that matches gold toponym i. */
static size_t find_match(const eval_score *s, const eval_toponym *gold,
                         size_t n_gold, size_t i, const eval_toponym *pred,
                         size_t n_pred)
{
  for (size_t j = 0; j < n_pred; j++) {
    int ok;
    if (s->used[j])
      continue;
    if (s->protocol == EVAL_EUPEG)
      ok = eupeg_match(s, &gold[i], i, &pred[j], n_gold + j);
    else
      ok = pred[j].start == gold[i].start && pred[j].end == gold[i].end;
    if (ok)
      return j;
  }
  return NONE;
}

static int score_matching(eval_score *s, const eval_toponym *gold,
                          size_t n_gold, const eval_toponym *pred,
                          size_t n_pred, eval_report_fn report, void *arg)
{
  int rc = 0;

  for (size_t i = 0; i < n_gold && !rc; i++) {
    size_t j;
    double km;
    if (!gold[i].has_coords)
      continue;
    if ((j = find_match(s, gold, n_gold, i, pred, n_pred)) == NONE) {
      s->fn++;
      rc = report ? report(arg, EVAL_MISS, i, NONE, 0) : 0;
      continue;
    }
    s->used[j] = 1;
    s->tp++;
    km = eval_haversine(pred[j].lat, pred[j].lon, gold[i].lat, gold[i].lon);
    if (push_error(s, km))
      return -1;
    rc = report ? report(arg, EVAL_HIT, i, j, km) : 0;
  }
  for (size_t j = 0; j < n_pred && !rc && !s->resolution_only; j++)
    if (!s->used[j]) {
      s->fp++;
      rc = report ? report(arg, EVAL_FALSE_POSITIVE, NONE, j, 0) : 0;
    }
  return rc;
}

/* Oracle spans: the first prediction with exactly the gold span answers
 * it; no answer costs EVAL_MAX_ERROR_KM. */
static int score_gold(eval_score *s, const eval_toponym *gold, size_t n_gold,
                      const eval_toponym *pred, size_t n_pred,
                      eval_report_fn report, void *arg)
{
  int rc = 0;

  for (size_t i = 0; i < n_gold && !rc; i++) {
    size_t j = NONE;
    double km = EVAL_MAX_ERROR_KM;
    if (!gold[i].has_coords)
      continue;
    for (size_t k = 0; k < n_pred && j == NONE; k++)
      if (!s->used[k] && pred[k].start == gold[i].start &&
          pred[k].end == gold[i].end)
        j = k;
    if (j == NONE)
      s->missing++;
    else {
      s->tp++;
      km = eval_haversine(pred[j].lat, pred[j].lon, gold[i].lat, gold[i].lon);
    }
    if (push_error(s, km))
      return -1;
    if (report)
      rc = report(arg, j == NONE ? EVAL_MISS : EVAL_HIT, i, j, km);
  }
  return rc;
}

int eval_score_doc(eval_score *s, const eval_toponym *gold, size_t n_gold,
                   const eval_toponym *pred, size_t n_pred,
                   eval_report_fn report, void *arg)
{
  if (gm__grow(&s->used, &s->cap_used, n_pred + 1, 1))
    return -1;
  /* predictions without coordinates take no part at all */
  for (size_t j = 0; j < n_pred; j++)
    s->used[j] = !pred[j].has_coords;
  if (s->protocol == EVAL_GOLD)
    return score_gold(s, gold, n_gold, pred, n_pred, report, arg);
  if (s->protocol == EVAL_EUPEG &&
      lower_names(s, gold, n_gold, pred, n_pred))
    return -1;
  return score_matching(s, gold, n_gold, pred, n_pred, report, arg);
}

/* ---------------------------------------------------------- metrics */

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void distance_metrics(eval_score *s, eval_metrics *m)
{
  const double *e = s->errors;
  size_t n = s->n_errors, below = 0;
  double sum = 0;

  m->n_errors = n;
  if (n == 0)
    return;
  qsort(s->errors, n, sizeof *s->errors, by_value);
  m->median_km = n % 2 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2.0;
  for (size_t i = 0; i < n; i++) {
    sum += e[i];
    below += e[i] < EVAL_ACC_KM;
  }
  m->mean_km = sum / (double)n;
  m->acc161 = (double)below / (double)n;
  if (n > 1) {
    double lg = log(EVAL_MAX_ERROR_KM);
    double a = 0.5 * (log(1 + e[0]) / lg + log(1 + e[n - 1]) / lg);
    for (size_t i = 1; i + 1 < n; i++)
      a += log(1 + e[i]) / lg;
    m->auc = a / (double)(n - 1);
  }
}

void eval_score_finish(eval_score *s, eval_metrics *m)
{
  memset(m, 0, sizeof *m);
  m->tp = s->tp;
  m->fp = s->fp;
  m->fn = s->fn;
  m->missing = s->missing;
  m->n_gold = s->tp + s->missing;
  m->coverage = m->n_gold ? (double)s->tp / (double)m->n_gold : 0.0;
  if (s->tp + s->fn)
    m->accuracy = m->recall = (double)s->tp / (double)(s->tp + s->fn);
  if (s->tp + s->fp)
    m->precision = (double)s->tp / (double)(s->tp + s->fp);
  if (s->tp)
    m->f1 = 2 * m->precision * m->recall / (m->precision + m->recall);
  distance_metrics(s, m);
}

/* ----------------------------------------------------------- output */

void eval_float_repr(double v, char *out, size_t cap)
{
  char sci[40], digits[24], fixed[400];
  int prec, exp10, neg;
  size_t nd = 0, o = 0;

  if (isnan(v) || isinf(v)) {
    snprintf(out, cap, "%s", isnan(v) ? "NaN" : v > 0 ? "Infinity"
                                                       : "-Infinity");
    return;
  }
  /* the fewest significant digits that read back as v */
  for (prec = 1; prec <= 17; prec++) {
    snprintf(sci, sizeof sci, "%.*e", prec - 1, v);
    if (strtod(sci, NULL) == v)
      break;
  }
  neg = sci[0] == '-';
  for (const char *p = sci + neg; *p != 'e'; p++)
    if (*p != '.')
      digits[nd++] = *p;
  digits[nd] = '\0';
  exp10 = atoi(strchr(sci, 'e') + 1);
  if (exp10 < -4 || exp10 >= 16) {  /* 1e-05, 1.5e+16 */
    snprintf(out, cap, "%s%c%s%se%c%02d", neg ? "-" : "", digits[0],
             nd > 1 ? "." : "", digits + 1, exp10 < 0 ? '-' : '+',
             abs(exp10));
    return;
  }
  if (neg)
    fixed[o++] = '-';
  if (exp10 < 0) {                  /* 0.00123 */
    fixed[o++] = '0';
    fixed[o++] = '.';
    for (int i = -1; i > exp10; i--)
      fixed[o++] = '0';
    for (size_t i = 0; i < nd; i++)
      fixed[o++] = digits[i];
  } else {                          /* 12.5, 3.0, 120.0 */
    for (int i = 0; i <= exp10; i++)
      fixed[o++] = (size_t)i < nd ? digits[i] : '0';
    fixed[o++] = '.';
    if ((size_t)exp10 + 1 >= nd)
      fixed[o++] = '0';
    for (size_t i = (size_t)exp10 + 1; i < nd; i++)
      fixed[o++] = digits[i];
  }
  fixed[o] = '\0';
  snprintf(out, cap, "%s", fixed);
}

typedef struct item {
  const char *key;
  enum { INT, FLOAT, STR } type;
  size_t i;
  double f;
  const char *s;
} item;

/* score.py's keys, in the order its dict gets them. */
static size_t result_items(const eval_score *s, const eval_metrics *m,
                           const char *corpus, size_t n_docs_pred, item *it)
{
  static const char *const protocols[] = {"eupeg", "strict", "gold"};
  size_t n = 0;

#define I(k, v) it[n++] = (item){.key = k, .type = INT, .i = (v)}
#define F(k, v) it[n++] = (item){.key = k, .type = FLOAT, .f = (v)}
#define S(k, v) it[n++] = (item){.key = k, .type = STR, .s = (v)}
  S("protocol", protocols[s->protocol]);
  I("tp", m->tp);
  I("fp", m->fp);
  I("fn", m->fn);
  if (s->protocol == EVAL_GOLD) {
    I("n_gold", m->n_gold);
    I("missing", m->missing);
    F("coverage", m->coverage);
  } else {
    F("accuracy", m->accuracy);
    if (!s->resolution_only) {
      F("precision", m->precision);
      F("recall", m->recall);
      F("f1", m->f1);
    }
  }
  I("n_errors", m->n_errors);
  if (m->n_errors == 0) {
    F("mean_km", m->mean_km);
    F("median_km", m->median_km);
  } else {
    F("median_km", m->median_km);
    F("mean_km", m->mean_km);
  }
  F("acc161", m->acc161);
  F("auc", m->auc);
  S("corpus", corpus);
  I("n_docs_pred", n_docs_pred);
#undef I
#undef F
#undef S
  return n;
}

/* A JSON string as json.dumps writes it: ASCII only, \uXXXX beyond. */
static int put_json_string(FILE *f, const char *s)
{
  size_t len = strlen(s), n;
  int32_t *cp = decode(s, len, &n);
  int ok = cp && putc('"', f) != EOF;

  for (size_t i = 0; ok && i < n; i++) {
    int32_t c = cp[i] >= RAW_BYTE ? 0xFFFD : cp[i];
    if (c == '"' || c == '\\')
      ok = fprintf(f, "\\%c", (char)c) > 0;
    else if (c >= 0x20 && c < 0x7f)
      ok = putc(c, f) != EOF;
    else if (c < 0x10000)
      ok = fprintf(f, "\\u%04x", (unsigned)c) > 0;
    else
      ok = fprintf(f, "\\u%04x\\u%04x", 0xD800u + ((unsigned)(c - 0x10000) >> 10),
                   0xDC00u + ((unsigned)(c - 0x10000) & 0x3FF)) > 0;
  }
  free(cp);
  return ok && putc('"', f) != EOF ? 0 : -1;
}

static int put_value(FILE *f, const item *it, int json)
{
  char num[64];

  switch (it->type) {
  case INT:
    return fprintf(f, "%zu", it->i) > 0 ? 0 : -1;
  case FLOAT:
    if (json) {
      eval_float_repr(it->f, num, sizeof num);
    } else {  /* round(v, 4): the nearest 4-decimal value, then repr */
      snprintf(num, sizeof num, "%.4f", it->f);
      eval_float_repr(strtod(num, NULL), num, sizeof num);
    }
    return fputs(num, f) == EOF ? -1 : 0;
  case STR:
    return json ? put_json_string(f, it->s) : (fputs(it->s, f) == EOF ? -1 : 0);
  }
  return -1;
}

int eval_print(FILE *f, const eval_score *s, const eval_metrics *m,
               const char *corpus, size_t n_docs_pred, int json)
{
  item it[24];
  size_t n = result_items(s, m, corpus, n_docs_pred, it);
  int bad = 0;

  if (json)
    bad |= fputs("{\n", f) == EOF;
  for (size_t i = 0; i < n && !bad; i++) {
    if (json)
      bad |= fprintf(f, " \"%s\": ", it[i].key) < 0;
    else
      bad |= fprintf(f, "%s%s=", i ? "  " : "", it[i].key) < 0;
    bad |= put_value(f, &it[i], json) != 0;
    if (json && i + 1 < n)
      bad |= putc(',', f) == EOF;
    if (json)
      bad |= putc('\n', f) == EOF;
  }
  bad |= fputs(json ? "}\n" : "\n", f) == EOF;
  return bad ? -1 : 0;
}
