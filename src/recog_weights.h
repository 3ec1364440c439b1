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
  X(bias, -2.378) \
  X(lower_case, -2.618) \
  X(sentence_initial, 1.392) \
  X(capitalised, 1.226) \
  X(digits, 0.000) \
  X(short, -4.129) \
  X(multi_word, 0.620) \
  X(can_be_country, 3.411) \
  X(can_be_region, 1.489) \
  X(log_population, 0.142) \
  X(alternate_name_of_small_place, -2.184) \
  X(small_places_only, -0.992) \
  X(common_word, -3.640) \
  X(given_name, -0.256) \
  X(given_name_then_capital, -0.397) \
  X(place_preposition, 1.693) \
  X(place_modifier, 1.176) \
  X(after_title, -3.800) \
  X(after_given_name, -2.667) \
  X(after_capital_the, -0.354) \
  X(capitalised_word_before, -1.524) \
  X(admin_suffix, -0.573) \
  X(city_suffix, 0.046) \
  X(organisation_word_after, -1.886) \
  X(capitalised_word_after, -1.353) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.548) \
  X(in_region, -0.029) \
  X(listed_with_place, 2.144) \
  X(country_in_document, 0.652) \
  X(admin1_in_document, 2.191) \
  X(hashtag, 1.869) \
  X(person_elsewhere, -1.369)

#endif
