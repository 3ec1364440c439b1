/*
 * resolve_weights.h — the resolver's weights: one per feature of a
 * candidate entry in resolve_context.c (the feature's name is the signal
 * its reasons carry). A mention's candidates compete in a softmax of the
 * weighted sums of their feature values: the best sum wins, and the
 * alternatives' probabilities are the softmax.
 *
 * Written by bench/fit-resolver, which fits the weights on the
 * development corpora (a conditional logit over each mention's
 * candidates); edit by hand only to add a feature (with weight 0 until
 * the next fit). The caller's priors (country_prior, bbox_*, near_prior)
 * are pinned: no corpus gives them; so is seat_of_same_named_unit (the
 * contract, not the corpora: a bare "Kyiv" is the city, see
 * bench/fit-resolver), and unit_of_same_named_city, the same contract
 * borne by a unit whose city is no seat by the codes (Bristol); so is
 * inside_listed_region (the weight of inside_following_region, the same
 * evidence: see bench/fit-resolver); so is kind_region_point (a
 * GeoNames region without an outline, which only a layered dump brings:
 * the default gazetteer has none to fit it on).
 */
#ifndef GM_RESOLVE_WEIGHTS_H
#define GM_RESOLVE_WEIGHTS_H

#define GM__RESOLVE_FEATURES(X) \
  X(matched_ascii, -0.249) \
  X(matched_alternate, -2.180) \
  X(matched_code, -0.500) \
  X(kind_country, 9.269) \
  X(kind_continent, 7.077) \
  X(kind_admin1, 6.969) \
  X(kind_region_point, -0.500) \
  X(kind_region, 7.226) \
  X(kind_admin2, 1.116) \
  X(kind_admin_other, 1.000) \
  X(kind_capital, 0.482) \
  X(kind_admin1_seat, -0.264) \
  X(kind_admin_seat, 0.608) \
  X(kind_historical, -0.791) \
  X(kind_other, -0.500) \
  X(log_population, 0.437) \
  X(most_populous, 1.113) \
  X(smaller_namesake_unit, -1.983) \
  X(unit_below_namesake_city, -1.717) \
  X(admin_suffix_region, 3.354) \
  X(admin_suffix_not_region, -2.354) \
  X(seat_of_same_named_unit, 4.000) \
  X(unit_of_same_named_city, -4.000) \
  X(named_after_its_city, -0.936) \
  X(city_suffix_place, 1.354) \
  X(inside_following_region, 3.707) \
  X(contains_preceding_place, 3.707) \
  X(outside_following_region, 0.293) \
  X(inside_listed_region, 3.707) \
  X(country_context, 1.625) \
  X(admin1_context, 3.830) \
  X(distance_to_other_places, -1.223) \
  X(near_named_admin2, 1.531) \
  X(country_share, 4.756) \
  X(listed_with_same_kind, 1.746) \
  X(country_prior, 2.500) \
  X(bbox_inside, 2.000) \
  X(bbox_outside, -1.000) \
  X(near_prior, -1.500)

#endif
