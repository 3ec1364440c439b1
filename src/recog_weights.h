/*
 * recog_weights.h — the recogniser's weights: a logistic model, one
 * weight per feature of recog_place.c; a mention is kept when the sum is
 * above 0 (probability 0.5).
 *
 * Initial values set by hand from the seed article's needs and the
 * prototype's findings (see issue 4); bench/fit-recogniser refits them on
 * the development corpora and rewrites this file.
 */
#ifndef GM_RECOG_WEIGHTS_H
#define GM_RECOG_WEIGHTS_H

#define RW_BIAS -1.0
#define RW_LOWER_CASE -6.0
#define RW_SENTENCE_INITIAL 0.8
#define RW_CAPITALISED 1.8
#define RW_DIGITS -4.0
#define RW_SHORT -3.0
#define RW_MULTI_WORD 1.0
#define RW_CAN_BE_COUNTRY 3.0
#define RW_CAN_BE_REGION 1.5
#define RW_LOG_POPULATION 0.25
#define RW_ALTERNATE_SMALL -2.5
#define RW_COMMON_WORD -3.0
#define RW_GIVEN_NAME -1.0
#define RW_PLACE_PREPOSITION 1.5
#define RW_PLACE_MODIFIER 0.7
#define RW_AFTER_TITLE -4.0
#define RW_AFTER_GIVEN_NAME -4.0
#define RW_AFTER_CAPITAL_THE -2.0
#define RW_ADMIN_SUFFIX 2.0
#define RW_ORG_AFTER -3.0
#define RW_CAP_AFTER -1.5
#define RW_INSIDE_ORG -4.0
#define RW_CONTAINER 1.5
#define RW_CAP_BEFORE -1.5
#define RW_SMALL_ONLY -1.5
#define RW_LISTED 1.5
#define RW_GIVEN_THEN_CAP -3.0
#define RW_PERSON_ELSEWHERE -4.0

#endif
