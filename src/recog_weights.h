/*
 * recog_weights.h — the recogniser's weights: a logistic model with one
 * weight per feature of recog_place.c (the feature's name is the signal
 * its reasons carry). A match is kept when the weighted sum of its
 * feature values is above 0, probability 0.5.
 *
 * Written by bench/fit-recogniser, which fits the weights on the
 * development corpora; edit by hand only to add a feature (with weight 0
 * until the next fit).
 */
#ifndef GM_RECOG_WEIGHTS_H
#define GM_RECOG_WEIGHTS_H

#define GM__RECOG_FEATURES(X) \
  X(bias, -2.174) \
  X(lower_case, -2.613) \
  X(sentence_initial, 1.348) \
  X(capitalised, 1.266) \
  X(digits, 0.000) \
  X(short, -4.569) \
  X(multi_word, 0.634) \
  X(can_be_country, 2.881) \
  X(can_be_region, 0.922) \
  X(log_population, 0.178) \
  X(alternate_name_of_small_place, -2.083) \
  X(small_places_only, -0.968) \
  X(common_word, -3.793) \
  X(given_name, -0.198) \
  X(given_name_then_capital, -0.111) \
  X(place_preposition, 1.658) \
  X(place_modifier, 1.243) \
  X(after_title, -3.649) \
  X(after_given_name, -2.698) \
  X(after_capital_the, -0.313) \
  X(capitalised_word_before, -1.550) \
  X(admin_suffix, -0.473) \
  X(city_suffix, 0.452) \
  X(organisation_word_after, -1.824) \
  X(capitalised_word_after, -1.487) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.738) \
  X(in_region, 0.000) \
  X(listed_with_place, 2.266) \
  X(person_elsewhere, -1.276)

#endif
