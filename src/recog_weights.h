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
  X(bias, -1.832) \
  X(lower_case, -2.418) \
  X(sentence_initial, 1.278) \
  X(capitalised, 1.140) \
  X(digits, 0.000) \
  X(short, -4.176) \
  X(multi_word, 0.591) \
  X(can_be_country, 3.204) \
  X(can_be_region, 1.168) \
  X(log_population, 0.122) \
  X(alternate_name_of_small_place, -2.167) \
  X(small_places_only, -1.006) \
  X(common_word, -3.557) \
  X(given_name, 0.040) \
  X(given_name_then_capital, -0.551) \
  X(place_preposition, 1.566) \
  X(place_modifier, 1.027) \
  X(after_title, -3.491) \
  X(after_given_name, -2.506) \
  X(after_capital_the, -0.419) \
  X(capitalised_word_before, -1.417) \
  X(admin_suffix, -0.641) \
  X(city_suffix, 0.258) \
  X(organisation_word_after, -1.714) \
  X(capitalised_word_after, -1.220) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.523) \
  X(in_region, 0.123) \
  X(listed_with_place, 2.028) \
  X(country_in_document, 0.364) \
  X(admin1_in_document, 0.878) \
  X(person_elsewhere, -1.206)

#endif
