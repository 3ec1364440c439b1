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
  X(bias, -1.963) \
  X(lower_case, -2.411) \
  X(sentence_initial, 1.252) \
  X(capitalised, 1.159) \
  X(digits, 0.000) \
  X(short, -4.211) \
  X(multi_word, 0.608) \
  X(can_be_country, 3.258) \
  X(can_be_region, 1.161) \
  X(log_population, 0.144) \
  X(alternate_name_of_small_place, -2.034) \
  X(small_places_only, -0.875) \
  X(common_word, -3.564) \
  X(given_name, 0.006) \
  X(given_name_then_capital, -0.389) \
  X(place_preposition, 1.531) \
  X(place_modifier, 0.999) \
  X(after_title, -3.530) \
  X(after_given_name, -2.523) \
  X(after_capital_the, -0.157) \
  X(capitalised_word_before, -1.401) \
  X(admin_suffix, -0.502) \
  X(city_suffix, 0.198) \
  X(organisation_word_after, -1.768) \
  X(capitalised_word_after, -1.227) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.451) \
  X(in_region, -0.123) \
  X(listed_with_place, 2.060) \
  X(country_in_document, 0.349) \
  X(admin1_in_document, 0.896) \
  X(person_elsewhere, -1.235)

#endif
