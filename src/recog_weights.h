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
  X(bias, -1.975) \
  X(lower_case, -2.390) \
  X(sentence_initial, 1.228) \
  X(capitalised, 1.162) \
  X(digits, 0.000) \
  X(short, -4.208) \
  X(multi_word, 0.613) \
  X(can_be_country, 3.221) \
  X(can_be_region, 1.141) \
  X(log_population, 0.144) \
  X(alternate_name_of_small_place, -2.020) \
  X(small_places_only, -0.883) \
  X(common_word, -3.536) \
  X(given_name, 0.016) \
  X(given_name_then_capital, -0.414) \
  X(place_preposition, 1.538) \
  X(place_modifier, 1.004) \
  X(after_title, -3.513) \
  X(after_given_name, -2.499) \
  X(after_capital_the, -0.151) \
  X(capitalised_word_before, -1.379) \
  X(admin_suffix, -0.495) \
  X(city_suffix, 0.217) \
  X(organisation_word_after, -1.768) \
  X(capitalised_word_after, -1.206) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.303) \
  X(in_region, -0.295) \
  X(listed_with_place, 2.066) \
  X(country_in_document, 0.345) \
  X(admin1_in_document, 0.870) \
  X(person_elsewhere, -1.207)

#endif
