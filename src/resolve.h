/*
 * resolve.h — the context-free parts of ranking an entry, shared by
 * gm_lookup() and the document resolver.
 */
#ifndef GM_RESOLVE_H
#define GM_RESOLVE_H

#include "gaz_format.h"

double gm__how_score(unsigned how);
double gm__kind_score(const gaz_entry *e);
double gm__population_score(uint32_t population);

#endif
