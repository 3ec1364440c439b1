/*
 * eval_score.h — the reference geoparsing scorer, ../shared/eval/score.py,
 * in C, so that `geomention eval` gives the figures the field publishes
 * without a Python run in between.
 *
 * The caller hands over one article at a time (its gold toponyms and the
 * predictions, both in code points, as score.py reads them); the scorer
 * counts and keeps the error distances, and prints the result with
 * score.py's keys, in score.py's order and number format.
 */
#ifndef GM_EVAL_SCORE_H
#define GM_EVAL_SCORE_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
  EVAL_EUPEG = 0,  /* same lower-cased name, span midpoints < 10 apart */
  EVAL_STRICT = 1, /* same span */
  EVAL_GOLD = 2    /* every gold span must be answered; missing = 20039 km */
} eval_protocol;

/* score.py's error of a missing answer, half the Earth's circumference. */
#define EVAL_MAX_ERROR_KM 20039.0
/* acc@161: an error counts as correct when it is below this. */
#define EVAL_ACC_KM 161.0

/* A toponym as score.py sees it. */
typedef struct eval_toponym {
  double start, end;  /* code points, end exclusive */
  const char *name;   /* UTF-8, NUL-terminated; NULL counts as "" */
  int has_coords;     /* lat and lon both given (not null) */
  double lat, lon;
} eval_toponym;

/* What became of a toponym, for the error analysis. */
typedef enum {
  EVAL_HIT,            /* gold matched by a prediction; see km */
  EVAL_MISS,           /* gold not matched (gold protocol: not answered) */
  EVAL_FALSE_POSITIVE  /* prediction left over; counted only when scored */
} eval_outcome;

/* Told about every gold toponym with coordinates and every counted false
 * positive: gold and pred index the arrays given to eval_score_doc
 * ((size_t)-1 for none). A non-zero return stops the scoring with it. */
typedef int (*eval_report_fn)(void *arg, eval_outcome outcome, size_t gold,
                              size_t pred, double km);

typedef struct eval_score {
  eval_protocol protocol;
  int resolution_only;       /* FP not counted (WikToR, Hu2014, Ju2016) */
  size_t tp, fp, fn, missing;
  double *errors;            /* km, one per matched (or missing) toponym */
  size_t n_errors, cap_errors;
  char *lower;               /* work space: lower-cased names */
  size_t cap_lower;
  size_t *lower_at;
  size_t cap_lower_at;
  unsigned char *used;
  size_t cap_used;
} eval_score;

/* score.py's result, computed by eval_score_finish. */
typedef struct eval_metrics {
  size_t tp, fp, fn, n_gold, missing, n_errors;
  double coverage, accuracy, precision, recall, f1;
  double mean_km, median_km, acc161, auc;
} eval_metrics;

/* score.py's rule: these corpora annotate one toponym per article, so
 * false positives mean nothing. corpus is the gold file's basename up to
 * its first dot. */
int eval_resolution_only(const char *corpus);

void eval_score_init(eval_score *s, eval_protocol protocol,
                     int resolution_only);
void eval_score_free(eval_score *s);

/* Score one article. Returns 0, -1 when out of memory, or what report
 * returned. */
int eval_score_doc(eval_score *s, const eval_toponym *gold, size_t n_gold,
                   const eval_toponym *pred, size_t n_pred,
                   eval_report_fn report, void *arg);

/* The metrics over every article scored so far (sorts the errors). */
void eval_score_finish(eval_score *s, eval_metrics *m);

/* Great-circle distance in km on score.py's sphere (haversine, R 6371). */
double eval_haversine(double lat1, double lon1, double lat2, double lon2);

/* Python's str.lower() of a UTF-8 name, per code point (utf8proc), into
 * a malloc'ed string; NULL when out of memory. */
char *eval_lower(const char *s);

/* Print the result as score.py does: one line of key=value with floats
 * rounded to 4 places, or with json the object json.dumps(indent=1)
 * writes. Returns 0, or -1 when the write failed. */
int eval_print(FILE *f, const eval_score *s, const eval_metrics *m,
               const char *corpus, size_t n_docs_pred, int json);

/* Python's repr() of a float: the shortest digits that read back the
 * same, in fixed notation from 1e-4 up to 1e16. */
void eval_float_repr(double v, char *out, size_t cap);

#endif
