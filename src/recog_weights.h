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
  X(bias, -2.141) \
  X(lower_case, -2.568) \
  X(sentence_initial, 1.328) \
  X(capitalised, 1.240) \
  X(digits, 0.000) \
  X(short, -3.773) \
  X(multi_word, 0.881) \
  X(can_be_country, 3.212) \
  X(can_be_region, 1.248) \
  X(log_population, 0.005) \
  X(alternate_name_of_small_place, -2.039) \
  X(small_places_only, -1.362) \
  X(common_word, -3.611) \
  X(given_name, 0.101) \
  X(given_name_then_capital, -1.134) \
  X(place_preposition, 1.893) \
  X(place_modifier, 1.121) \
  X(after_title, -3.613) \
  X(after_given_name, -2.774) \
  X(after_capital_the, -0.199) \
  X(capitalised_word_before, -1.537) \
  X(admin_suffix, -0.024) \
  X(city_suffix, 0.005) \
  X(organisation_word_after, -1.855) \
  X(capitalised_word_after, -1.158) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.959) \
  X(in_region, 0.369) \
  X(listed_with_place, 2.538) \
  X(country_in_document, 0.538) \
  X(admin1_in_document, 2.084) \
  X(hashtag, 2.068) \
  X(hashtag_word, -0.853) \
  X(person_elsewhere, -1.787) \
  X(can_be_capital, 1.232) \
  X(place_elsewhere, 1.618)

#endif
