/*
 * resolve.h — the features a candidate entry is ranked by, shared by
 * gm_lookup() (the context-free ones) and the document resolver (all).
 * The features and their fitted weights are listed once, in
 * resolve_weights.h.
 */
#ifndef GM_RESOLVE_H
#define GM_RESOLVE_H

#include "gaz_format.h"
#include "geomention.h"
#include "resolve_weights.h"

enum {
#define GM__RF_ENUM(name, weight) GM__RF_##name,
  GM__RESOLVE_FEATURES(GM__RF_ENUM)
#undef GM__RF_ENUM
  GM__N_RESOLVE_FEATURES
};

extern const char *const gm__resolve_feature_names[GM__N_RESOLVE_FEATURES];
extern const double gm__resolve_feature_weights[GM__N_RESOLVE_FEATURES];

/* Set the context-free features of entry e matched as how (GM_HOW_*):
 * how the name matched, the kind of entry, its population. */
void gm__prior_features(const gaz_entry *e, unsigned how, double *f);

/* The largest population among the populated places p[0..n) reach by
 * name (not by demonym). */
uint32_t gm__max_population(const gm_gazetteer *g, const gm_posting *p,
                            size_t n);

/* The features of entry e among the candidates p[0..n) of one name,
 * without a document: the prior features, whether e is the most
 * populous candidate (max_population: the largest), whether e is a city
 * that an admin unit is named after and has as its seat (Kyiv, Donetsk,
 * Moscow: the bare name means the city), and whether e is an admin unit
 * named after another city of its country (New York), or after the city
 * it is mostly made of (Bristol), or smaller than a place of its name. */
void gm__candidate_features(const gm_gazetteer *g, const gm_posting *p,
                            size_t n, const gaz_entry *e, unsigned how,
                            uint32_t max_population, double *f);

/* The weighted sum of a feature vector. */
double gm__feature_score(const double *f);

#endif
