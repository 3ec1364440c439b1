/*
 * resolve.h — the features a candidate entry is ranked by, shared by
 * gm_lookup() (the context-free ones) and the document resolver (all).
 * The features and their fitted weights are listed once, in
 * resolve_weights.h.
 */
#ifndef GM_RESOLVE_H
#define GM_RESOLVE_H

#include "gaz_format.h"
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

/* The weighted sum of a feature vector. */
double gm__feature_score(const double *f);

#endif
