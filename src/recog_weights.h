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
  X(bias, -1.820) \
  X(lower_case, -2.533) \
  X(sentence_initial, 1.331) \
  X(capitalised, 1.203) \
  X(digits, 0.000) \
  X(short, -2.994) \
  X(multi_word, 0.478) \
  X(can_be_country, 3.348) \
  X(can_be_region, 1.402) \
  X(log_max_population, 0.012) \
  X(alternate_name_of_small_place, -1.948) \
  X(small_places_only, -1.279) \
  X(capitalised_word, -1.005) \
  X(common_word, -4.105) \
  X(given_name, 0.139) \
  X(given_name_then_capital, -1.019) \
  X(place_preposition, 1.892) \
  X(place_modifier, 1.126) \
  X(after_title, -3.774) \
  X(after_given_name, -2.814) \
  X(after_capital_the, -0.210) \
  X(capitalised_word_before, -1.523) \
  X(admin_suffix, -0.239) \
  X(city_suffix, 0.097) \
  X(organisation_word_after, -5.171) \
  X(capitalised_word_after, -1.149) \
  X(inside_organisation_name, -3.000) \
  X(followed_by_region, 2.879) \
  X(in_region, 0.215) \
  X(listed_with_place, 2.480) \
  X(country_in_document, 0.529) \
  X(admin1_in_document, 2.001) \
  X(hashtag, 1.940) \
  X(hashtag_word, -0.910) \
  X(person_elsewhere, -1.824) \
  X(can_be_capital, 1.236) \
  X(place_elsewhere, 1.613) \
  X(in_handle, -3.964) \
  X(compass_word, -4.029) \
  X(calendar_word, -2.770) \
  X(in_feature_name, -4.997) \
  X(lower_case_hashtag, -0.374) \
  X(can_be_continent, 2.400) \
  X(before_handle, -1.133) \
  X(title_before_name, -2.811) \
  X(after_initial, -2.233) \
  X(acronym, -2.372) \
  X(region_name_then_capital, -3.000) \
  X(large_place_by_name, 0.383) \
  X(local_noun_after, 1.390) \
  X(capitalised_preposition, 0.695) \
  X(dateline, 2.109) \
  X(after_ordinal, -1.883) \
  X(listed_before_place, 0.640) \
  X(alternate_name_only, -3.701) \
  X(alternate_region_name_only, -0.814) \
  X(before_speech_verb, -3.560) \
  X(after_organisation_kind, -1.393) \
  X(after_club_prefix, -2.376) \
  X(whole_feature_name, 2.214) \
  X(whole_venue_name, 0.707)

#endif
