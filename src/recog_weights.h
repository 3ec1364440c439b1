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
  X(bias, -2.034) \
  X(lower_case, -2.531) \
  X(sentence_initial, 1.308) \
  X(capitalised, 1.223) \
  X(digits, 0.000) \
  X(short, -3.768) \
  X(multi_word, 0.875) \
  X(can_be_country, 3.177) \
  X(can_be_region, 1.227) \
  X(log_population, 0.002) \
  X(alternate_name_of_small_place, -2.053) \
  X(small_places_only, -1.326) \
  X(common_word, -3.572) \
  X(given_name, 0.034) \
  X(given_name_then_capital, -1.079) \
  X(place_preposition, 1.878) \
  X(place_modifier, 1.107) \
  X(after_title, -3.621) \
  X(after_given_name, -2.772) \
  X(after_capital_the, -0.213) \
  X(capitalised_word_before, -1.538) \
  X(admin_suffix, -0.032) \
  X(city_suffix, 0.003) \
  X(organisation_word_after, -1.855) \
  X(capitalised_word_after, -1.168) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.915) \
  X(in_region, 0.348) \
  X(listed_with_place, 2.543) \
  X(country_in_document, 0.519) \
  X(admin1_in_document, 2.083) \
  X(hashtag, 2.120) \
  X(person_elsewhere, -1.792) \
  X(can_be_capital, 1.233) \
  X(place_elsewhere, 1.608)

#endif
