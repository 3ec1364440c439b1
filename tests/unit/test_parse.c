/*
 * test_parse.c — gm_parse and gm_resolve_spans on the default gazetteer
 * (GEOMENTION_GAZETTEER): a text without capitals is read as if
 * capitalised, one with capitals keeps lower-case words out (but for
 * hashtags, "#malaysia"); the Y of "X, Y" is a region holding an X,
 * and a state after a list holds the list's places; a
 * span that is not a name is put at the nearest place of the text; a
 * county the text names draws a common name's sense to it;
 * region abbreviations ("La.", "MO.,", the project's "Cal.") are their
 * regions; a compass
 * word before a region is part of the mention ("Northern Italy"), not
 * before a demonym; "The city" is no name, "The Valley" is; the
 * recogniser's closed-class and Twitter cues are reported as its
 * reasons; a name inside a feature's ("Mississippi River", "Fort Yuma")
 * is no mention; "Troy Police" and "Even Portugal" are no person's
 * names; "the Napa earthquake" is Napa, and so is Louisiana in a
 * heading's "Areas In Louisiana"; "Twiggs Co." is Twiggs County,
 * "Ford Motor Co." no county; an army's commands ("Dept. of Kansas",
 * "U. S. Forces") are organisations, not places; a word that names a
 * place only as another name ("Google", Topeka; "CT", Connecticut) is no
 * place without a cue; without_reasons leaves out the reasons and
 * changes nothing else.
 */
#include <math.h>
#include <string.h>

#include "geomention.h"
#include "tap.h"

static gm_gazetteer *gaz;
static gm_parser *parser;
static gm_parser *all_matches;   /* reports rejected names too */

/* The mention whose text starts at byte `at`, copied to *out: 1, or 0
 * when none does, -1 when the parse fails. */
static int mention_at(const char *text, size_t at, gm_mention *out)
{
  gm_result *r;
  gm_error err;
  int found = 0;

  if (gm_parse(parser, text, strlen(text), &r, &err)) {
    ok(0, "parse '%s': %s", text, err.message);
    return -1;
  }
  for (size_t i = 0; i < gm_result_count(r) && !found; i++)
    if (gm_result_mention(r, i)->start == at) {
      *out = *gm_result_mention(r, i);
      found = 1;
    }
  gm_result_free(r);
  return found;
}

/* The gazetteer entry of the mention starting at `at`, in *e: 1, or 0
 * when no mention with an entry starts there, -1 when the parse fails. */
static int entry_at(const char *text, size_t at, gm_entry *e)
{
  gm_mention m;
  int rc = mention_at(text, at, &m);

  if (rc <= 0)
    return rc;
  return m.entry != GM_NO_ENTRY && gm_gazetteer_entry(gaz, m.entry, e) == 0;
}

/* The GeoNames id of the mention starting at `at`, 0 when none does, -1
 * when the parse fails. */
static long parse_at(const char *text, size_t at)
{
  gm_entry e;
  int rc = entry_at(text, at, &e);

  return rc < 0 ? -1 : rc ? (long)e.geonameid : 0;
}

static void test_uncased(void)
{
  const char *lower = "protesters marched in kyiv and kharkiv on sunday.";
  const char *cased = "Protesters marched in kyiv and kharkiv on Sunday.";

  ok(parse_at(lower, 22) == 703448, "uncased text: kyiv is Kyiv");
  ok(parse_at(lower, 31) == 706483, "uncased text: kharkiv is Kharkiv");
  ok(parse_at(lower, 11) == 0, "uncased text: 'marched' is no place");
  ok(parse_at(cased, 22) == 0, "cased text: lower-case kyiv is not kept");
  /* a hashtag's case tells nothing */
  ok(parse_at("Help the flood victims. #eastcoast #malaysia #donation", 36) ==
         1733045,
     "cased text: #malaysia is Malaysia");
  ok(parse_at("Help the flood victims in malaysia now.", 26) == 0,
     "cased text: lower-case malaysia outside a hashtag is not kept");
}

/* "X, Y": Y is the region that holds an X, not a city whose code Y also
 * is (IND, Indianapolis's airport). */
static void test_container(void)
{
  const char *text = "The company is based in Springfield, Ind. and "
                     "employs 300 people.";

  ok(parse_at(text, 37) == 4921868, "Springfield, Ind.: Ind. is Indiana");
  /* A container is its mention's: one sense per discourse yields to it. */
  ok(parse_at("The band played in Portland, Oregon on Friday and in "
              "Portland, Maine on Sunday.", 53) == 4975802,
     "Portland, Maine after Portland, Oregon is Maine's");
  /* A name that is also a region (a London borough) lies in its Y too. */
  ok(parse_at("The chain has stores in Lexington, Kentucky, Louisville, "
              "Kentucky and Richmond, Virginia.", 70) == 4781708,
     "Richmond, Virginia beside Kentucky's towns is Virginia's");
  /* "X, a city in Y", "X is a city in Y County, Z": Y (Z) holds X. */
  ok(parse_at("Salem, a small city in Ohio, was settled by families from "
              "Portland, Oregon and Eugene, Oregon.", 0) == 5170511,
     "Salem, a small city in Ohio: Ohio's Salem, not Oregon's capital");
  ok(parse_at("Columbus is a city in Bartholomew County, Indiana. Its first "
              "settlers came from Dayton, Ohio and Toledo, Ohio.", 0) ==
         4256038,
     "Columbus is a city in Bartholomew County, Indiana: Indiana's");
}

/* The state after a list holds every place of the list, and the X of
 * "X, Y" whose name can also be a province or a state (which the
 * recogniser does not make Y's): a softer cue than a container, as a list
 * may end with the only name the state holds (no Cordova in Tennessee). */
static void test_list_region(void)
{
  ok(parse_at("The company closed offices in Macon, Georgia, Nashville and "
              "Cordova, Tennessee, and Valdosta, Georgia.", 46) == 4644585,
     "Nashville and Cordova, Tennessee among Georgia's towns: Tennessee's");
  ok(parse_at("A Paris, Missouri, man was arrested in Tennessee on "
              "Tuesday.", 2) == 4402452,
     "a Paris, Missouri, man arrested in Tennessee: Missouri's Paris");
  ok(parse_at("It is a reprint of the 1906 book \"Picturesque Washington, "
              "Illinois.\"", 46) == 4915545,
     "Washington, Illinois: Illinois's, not the capital");
  ok(parse_at("Stores in Louisville and Lexington, Kentucky, Nashville and "
              "Cordova, Tennessee.", 10) == 4299276,
     "Louisville and Lexington, Kentucky: Kentucky's Louisville");
}

/* A county the text names puts a town of a common name beside it; and
 * an explicit "X, Y" keeps its own X inside Y however strongly the
 * county pulls the name's group elsewhere. */
static void test_near_named_admin2(void)
{
  ok(parse_at("Aurora lies in Hamilton County, Nebraska. The town was named "
              "after Aurora, Illinois, by a settler from that place.", 0) ==
         5063342,
     "Aurora in Hamilton County is Nebraska's");
  ok(parse_at("Aurora lies in Hamilton County, Nebraska. The town was named "
              "after Aurora, Illinois, by a settler from that place.", 67) ==
         4883817,
     "Aurora, Illinois in the same text is Illinois's");
}

/* An admin-1 unit is as near as can be to the document's places it
 * holds, whatever the distance from its point; when its name is also
 * its seat's, which the bare name means, only places far (161 km or
 * more) from the seat count: Montreal makes "Quebec" the province,
 * Lévis, across the river from Quebec City, leaves it the city. */
static void test_unit_holds_places(void)
{
  ok(parse_at("Two regiments left Savannah. The enemy means to draw troops "
              "from South Carolina and Georgia.", 84) == 4197000,
     "Georgia beside Savannah and South Carolina: the state");
  ok(parse_at("The group bought a mansion in the centre of Lviv. It also runs "
              "hotels in Nikolaev and Pochaev.", 44) == 702550,
     "Lviv beside a town of its oblast: still the city");
  ok(parse_at("Students marched through Montreal on Monday. Quebec will hold "
              "an election in the spring.", 45) == 6115047,
     "Quebec beside Montreal: the province");
  ok(parse_at("Ferries run from Levis across the river. Quebec will hold a "
              "festival in the spring.", 41) == 6325494,
     "Quebec beside Levis: the city");
}

/* The end (bytes) of the mention starting at `at`; 0 when none does. */
static size_t end_at(const char *text, size_t at)
{
  gm_mention m;

  return mention_at(text, at, &m) == 1 ? m.end : 0;
}

/* The start of the sentence of the mention starting at `at`; (size_t)-1
 * when none does. */
static size_t sentence_start_at(const char *text, size_t at)
{
  gm_mention m;

  return mention_at(text, at, &m) == 1 ? m.sentence_start : (size_t)-1;
}

/* A region's abbreviation with its period is the region, period
 * included: in capitals too where a comma follows the period; never a
 * place whose code the letters are (LA, Los Angeles). */
static void test_abbreviations(void)
{
  const char *caps = "NEOSHO, MO., February 1, 1864.";
  const char *la = "The regiment camped at Bayou Boeuf, La., January 20.";
  const char *us = "The troops came home to the US. Then they rested.";

  ok(parse_at(caps, 8) == 4398678 && end_at(caps, 8) == 11,
     "'MO.,' is Missouri, with its period");
  ok(parse_at(la, 36) == 4331987, "'La.' is Louisiana, not Los Angeles");
  ok(parse_at("He was born in Springfield, Ont. in 1950.", 28) == 6093943,
     "'Ont.' is Ontario, not Ontario, California (ONT)");
  ok(end_at(us, 28) == 30, "'US.' before a sentence: no period taken");
  /* a common word is an abbreviation only after a town and its comma */
  ok(parse_at("Thousands came to see the Man. It burned.", 26) == 0,
     "'the Man.': no Isle of Man, no Manitoba");
  ok(parse_at("The column left Jackson, Miss. on Monday.", 25) == 4436296,
     "'Jackson, Miss.' is Mississippi");
  /* the project's own table (gazetteer/admin1-abbrevs.tsv): forms
   * Natural Earth's abbreviations lack */
  ok(parse_at("Sacramento, Cal.: I have the honor to report.", 12) ==
         5332921 && end_at("Sacramento, Cal.: I have the honor.", 12) == 16,
     "'Cal.' is California, with its period");
  ok(parse_at("He wrote from Santa Fe, N. Mex., in March.", 24) == 5481136,
     "'N. Mex.' is New Mexico");
  ok(end_at("He wrote from Santa Fe, N. Mex., in March.", 24) == 31,
     "'N. Mex.' keeps its final period");
  ok(end_at("He went to St. Louis. Then he rested.", 11) == 20,
     "'St. Louis.' ends a sentence: no period taken");
  /* "Ter.", a territory's: part of the name, after a region's name or
   * abbreviation, in capitals too */
  ok(end_at("Fort Vancouver, Wash. Ter., October 7, 1862.", 16) == 26 &&
         parse_at("Fort Vancouver, Wash. Ter., October 7, 1862.", 16) ==
             5815135,
     "'Wash. Ter.' is Washington, with 'Ter.'");
  ok(end_at("Camp Lapwai, near Lewiston, Idaho Ter.: Sir,", 28) == 38,
     "'Idaho Ter.' takes 'Ter.'");
  ok(end_at("JUNCTION RANCH, COLO. TER., April 12, 1864.", 16) == 26,
     "'COLO. TER.' takes 'TER.'");
  ok(end_at("He went to Idaho. Ter. Smith came later.", 11) == 16,
     "'Idaho. Ter.': a sentence's end, no territory");
  ok(parse_at("He wrote from Santa Fe, N. Mex., in March.", 14) == 5490263,
     "'Santa Fe, N. Mex.' is Santa Fe, New Mexico");
  ok(sentence_start_at("LEXINGTON, KY., June 12, 1864, a patrol rode to "
                       "Paris.", 48) == 0,
     "'KY., June 12': a period before a comma ends no sentence");
}

/* A title's period ends no sentence ("Gen. Then ..." stays one), any
 * other word's does: each of the splitter's titles, and one word that
 * is none. */
static void test_title_ends_no_sentence(void)
{
  static const char *const titles[] = {
      "Mr", "Mrs", "Ms", "Dr", "St", "Ste", "Gen", "Col", "Lt", "Sgt",
      "Capt", "Rev", "Prof", "Sen", "Rep", "Gov", "Jr", "Sr", "No", "Vs",
      "Ft", "Mt", "Co", "Corp", "Inc", "Ltd", "Adm"};
  char text[96];
  size_t n = sizeof titles / sizeof *titles, kept = 0, paris;

  for (size_t k = 0; k < n; k++) {
    snprintf(text, sizeof text, "They met the %s. Then they went to Paris.",
             titles[k]);
    paris = (size_t)(strstr(text, "Paris") - text);
    kept += sentence_start_at(text, paris) == 0;
  }
  ok(kept == n, "each of the %zu titles' period ends no sentence (%zu did "
                "not)", n, n - kept);
  snprintf(text, sizeof text, "They met the Army. Then they went to Paris.");
  paris = (size_t)(strstr(text, "Paris") - text);
  ok(sentence_start_at(text, paris) == (size_t)(strstr(text, "Then") - text),
     "a word that is no title ends its sentence with its period");
}

/* "Northern Italy", "W. Africa": the corpora mark the whole, which lies
 * in the region named; "North American" stays an adjective. */
static void test_compass(void)
{
  const char *text = "Floods hit Northern Italy and W. Africa, said North "
                     "American officials.";

  ok(parse_at(text, 11) == 3175395 && end_at(text, 11) == 25,
     "Northern Italy is one mention of Italy");
  ok(parse_at(text, 30) == 6255146 && end_at(text, 30) == 39,
     "W. Africa is one mention of Africa");
  ok(end_at(text, 46) != 60, "North American is not a mention of the US");
}

/* A name of the form "The X" needs its capital X. */
static void test_the(void)
{
  const char *text = "Snow fell in Montreal. The city is urging residents "
                     "to stay home. Flights to The Valley resumed.";

  ok(end_at(text, 23) == 0, "'The city' is no mention of the City of London");
  ok(parse_at(text, 77) == 3573374, "The Valley is Anguilla's capital");
}

static void test_located_by_context(void)
{
  const char *text = "Flights to Toronto landed at Pearson International "
                     "Airport and Xyzzy Hall.";
  gm_span spans[2] = {{29, 58}, {63, 73}};
  gm_result *r;
  gm_error err;
  gm_entry e;

  if (gm_resolve_spans(parser, text, strlen(text), spans, 2, &r, &err)) {
    ok(0, "resolve spans: %s", err.message);
    return;
  }
  for (size_t i = 0; i < 2; i++) {
    const gm_mention *m = gm_result_mention(r, i);
    int located = m && m->n_reasons == 1 &&
                  strcmp(m->reasons[0].signal, "located_by_context") == 0;
    ok(m && gm_gazetteer_entry(gaz, m->entry, &e) == 0 &&
           e.geonameid == 6167865 && located && m->confidence < 0.5,
       "span %zu is put at Toronto, by context, with a low confidence", i);
  }
  gm_result_free(r);
}

/* The document's countries vote for a name's sense as much as their own
 * choices are sure: St. Thomas, Ontario (sure) outweighs a Middlesex the
 * gazetteer only has in the United States (a guess among three), so
 * London is Ontario's. */
static void test_sure_choices_weigh_more(void)
{
  const char *text = "The London Homeless Coalition met in St. Thomas on "
                     "Monday. Middlesex paramedics said London shelters "
                     "were full.";
  gm_span spans[4] = {{4, 10}, {37, 47}, {59, 68}, {85, 91}};
  gm_result *r;
  gm_error err;
  gm_entry e;

  if (gm_resolve_spans(parser, text, strlen(text), spans, 4, &r, &err)) {
    ok(0, "resolve spans: %s", err.message);
    return;
  }
  for (size_t i = 0; i < 4; i += 3) {
    const gm_mention *m = gm_result_mention(r, i);
    ok(m && gm_gazetteer_entry(gaz, m->entry, &e) == 0 &&
           e.geonameid == 6058560,
       "London %zu is London, Ontario, beside St. Thomas", i);
  }
  gm_result_free(r);
}

/* A building is put at the town named nearest, not at the country or
 * province named nearer still. */
static void test_located_at_a_town(void)
{
  const char *text = "Toronto police said a fire hit Canada's Xyzzy Hall "
                     "in Ontario.";
  gm_span span = {40, 50};
  gm_result *r;
  gm_error err;
  gm_entry e;
  const gm_mention *m;

  if (gm_resolve_spans(parser, text, strlen(text), &span, 1, &r, &err)) {
    ok(0, "resolve spans: %s", err.message);
    return;
  }
  m = gm_result_mention(r, 0);
  ok(m && gm_gazetteer_entry(gaz, m->entry, &e) == 0 &&
         e.geonameid == 6167865,
     "Xyzzy Hall is put at Toronto, not at Canada or Ontario");
  gm_result_free(r);
}

/* How many of the mention at byte `at`'s reasons carry `signal`; -1
 * when no mention starts there. */
static int count_reason(const char *text, size_t at, const char *signal)
{
  gm_result *r;
  gm_error err;
  int n = -1;

  if (gm_parse(all_matches, text, strlen(text), &r, &err)) {
    ok(0, "parse '%s': %s", text, err.message);
    return -1;
  }
  for (size_t i = 0; i < gm_result_count(r); i++) {
    const gm_mention *m = gm_result_mention(r, i);
    if (m->start != at)
      continue;
    n = 0;
    for (size_t k = 0; k < m->n_reasons; k++)
      n += strcmp(m->reasons[k].signal, signal) == 0;
  }
  gm_result_free(r);
  return n;
}

/* Whether the match starting at byte `at` carries the recognition
 * reason `signal`; -1 when no match starts there. */
static int has_reason(const char *text, size_t at, const char *signal)
{
  int n = count_reason(text, at, signal);

  return n > 0 ? 1 : n;
}

static void test_recognition_cues(void)
{
  const char *east = "Fighting goes on in the East. It began in August.";
  const char *part = "Rebels withdraw artillery in East Ukraine.";
  const char *handle = "RT @MSF_USA: vaccinations in USA and Liberia.";

  ok(has_reason(east, 24, "compass_word") == 1, "East is a compass word");
  ok(has_reason(part, 29, "compass_word") == 0,
     "East Ukraine, one mention, is none");
  ok(has_reason(east, 42, "calendar_word") == 1, "August is a date");
  ok(has_reason(handle, 8, "in_handle") == 1, "USA of @MSF_USA: a handle");
  ok(has_reason(handle, 29, "in_handle") == 0, "USA after 'in': no handle");
  /* and the fitted weights act on them: East alone is no place, East
   * Ukraine is Ukraine */
  ok(parse_at(east, 24) == 0, "the East: no place");
  ok(parse_at(part, 29) == 690791, "East Ukraine: Ukraine is kept");
  /* (a handle whose name stands after "in" elsewhere in the text takes
   * place_elsewhere too, and stays) */
  ok(parse_at("RT @MSF_USA: vaccinations begin in Liberia.", 8) == 0,
     "@MSF_USA: no place");
  ok(parse_at(handle, 29) == 6252001, "in USA: the United States");
  /* MT, a modified tweet, introduces the account's words */
  ok(has_reason("Sad news MT @Independent: Ebola virus spreads", 9,
                "before_handle") == 1,
     "MT @Independent: before a handle");
  ok(parse_at("Sad news MT @Independent: Ebola virus spreads", 9) == 0,
     "MT @Independent: no Montana");
  ok(has_reason("Sad news from MT: Ebola virus spreads", 14,
                "before_handle") == 0,
     "from MT: no handle after it");
}

/* Where a text puts a place: "beyond Strasburg", "up Grand River", "off
 * Hilo" are prepositions of place too; "against" is not ("protests
 * against Morsi"). */
static void test_place_prepositions(void)
{
  const char *beyond = "He was seen 6 miles beyond Strasburg in search of "
                       "him.";
  const char *against = "Protests against Morsi went on.";

  ok(has_reason(beyond, 27, "place_preposition") == 1,
     "beyond Strasburg: a preposition of place");
  ok(parse_at(beyond, 27) != 0, "beyond Strasburg: a place");
  ok(has_reason(against, 17, "place_preposition") == 0,
     "against Morsi: no preposition of place");
}

/* A given name before a capitalised word makes a person's name only when
 * that word is no common word: "Troy Smith" is a man, "Troy Police" are
 * a town's. */
static void test_given_name_then_capital(void)
{
  const char *man = "The report was written by Troy Smith on Monday.";
  const char *town = "The report was written by Troy Police on Monday.";

  ok(has_reason(man, 26, "given_name_then_capital") == 1,
     "Troy Smith: a given name, then a surname");
  ok(has_reason(town, 26, "given_name_then_capital") == 0,
     "Troy Police: a given name, then a common word");
  ok(has_reason("The report was written by Troy Creek on Monday.", 26,
                "given_name_then_capital") == 0,
     "Troy Creek: a given name, then a feature's head word");
}

/* A name after a given name is a surname, unless that given name is
 * mostly a common word: "John Kirby", but "Even Portugal", "Free Tibet". */
static void test_after_given_name(void)
{
  const char *person = "The spokesman John Kirby said so on Monday.";
  const char *even = "Even Portugal and Spain scored well.";

  ok(has_reason(person, 19, "after_given_name") == 1,
     "John Kirby: Kirby after a given name");
  ok(has_reason(even, 5, "after_given_name") == 0,
     "Even Portugal: 'Even' is a common word first");
  ok(parse_at(even, 5) == 2264397, "Even Portugal: Portugal is kept");
}

/* A continent's name is weighed apart from other regions'. */
static void test_continent(void)
{
  const char *text = "Trade grew in Europe and in Bavaria.";

  ok(has_reason(text, 14, "can_be_continent") == 1, "Europe: a continent");
  ok(has_reason(text, 14, "can_be_region") == 0, "Europe: no other region");
  ok(has_reason(text, 28, "can_be_continent") == 0, "Bavaria: no continent");
}

/* A title before a name is no place, though "Sen" and "Ms" are
 * regions' codes; a sentence's end between them breaks the tie. */
static void test_title_before_name(void)
{
  const char *sen = "It passed after Sen. Rand Paul spoke.";

  ok(has_reason(sen, 16, "title_before_name") == 1, "Sen. Rand: a title");
  ok(parse_at(sen, 16) == 0, "Sen. Rand: no place");
  ok(has_reason("They met the Minister Ali.", 13, "title_before_name") == 1,
     "Minister Ali: a title");
  ok(has_reason("They met the Minister. Officials said so.", 13,
                "title_before_name") == 0,
     "the Minister. Officials: a sentence's end, not a name's title");
}

/* A name after an initial is a surname: "W. T. Sherman". */
static void test_after_initial(void)
{
  const char *text = "Report of General W. T. Sherman from Atlanta.";

  ok(has_reason(text, 24, "after_initial") == 1, "W. T. Sherman: a surname");
  ok(parse_at(text, 24) == 0, "W. T. Sherman: no place");
  ok(has_reason(text, 37, "after_initial") == 0, "from Atlanta: no initial");
}

/* "named X" names towns as often as people: no title. */
static void test_named(void)
{
  const char *town = "The settlement was named Harrison in 1840.";
  const char *person = "The letter was signed by General Harrison in 1840.";

  ok(has_reason(town, 25, "after_title") == 0, "named Harrison: no title");
  ok(has_reason(person, 33, "after_title") == 1,
     "General Harrison: a title");
}

/* A feature's head word around a name makes it part of a longer name the
 * gazetteer does not hold: the river is not the state, the fort not the
 * town. */
static void test_feature_names(void)
{
  const char *river = "Barges moved up the Mississippi River to Memphis.";
  const char *fort = "The regiment marched to Fort Yuma in May.";
  const char *plain = "Barges moved up to Mississippi and Memphis.";

  /* in_feature_name gives way to whole_feature_name once the name
   * inside is taken whole (take_feature_names) */
  ok(has_reason(river, 20, "whole_feature_name") == 1,
     "Mississippi River: Mississippi is in a feature's name");
  ok(has_reason(fort, 24, "whole_feature_name") == 1,
     "Fort Yuma: Yuma is in a fort's name");
  ok(has_reason(plain, 19, "in_feature_name") == 0,
     "to Mississippi and Memphis: no feature name");
  ok(parse_at(river, 20) == 4436296,
     "Mississippi River: one mention of the river, answered by the state "
     "(test_feature_name_spans)");
  ok(parse_at(fort, 29) == 0, "Fort Yuma: no mention of the town");
  ok(parse_at(plain, 19) == 4436296, "to Mississippi: the state");
  ok(has_reason("The brigade crossed at Morton's Ford at dawn.", 23,
                "in_feature_name") == 1,
     "Morton's Ford: Morton is in a ford's name");
  ok(has_reason("The brigade reached Morton's camp at dawn.", 20,
                "in_feature_name") == 0,
     "Morton's camp: no feature's name");
  /* "Sea of Azov": the sea's name, which the gazetteer lacks, not the
   * town Azov; but a valley that has its own name lies in the land
   * after "of", and an island is the place it is named for */
  const char *sea = "The port city of Mariupol, on the Sea of Azov, fell in May.";
  ok(has_reason(sea, 41, "in_feature_name") == 1,
     "Sea of Azov: Azov is in a sea's name");
  ok(parse_at(sea, 41) == 0, "Sea of Azov: no mention of the town Azov");
  ok(has_reason("Ships sailed from Azov to Rostov.", 18,
                "in_feature_name") == 0,
     "from Azov: no feature's name");
  ok(has_reason("Apples grow in the Annapolis Valley of Nova Scotia.", 39,
                "in_feature_name") == 0,
     "Annapolis Valley of Nova Scotia: Nova Scotia is no part of it");
  ok(has_reason("He lives on the Island of Montreal now.", 26,
                "in_feature_name") == 0,
     "Island of Montreal: Montreal is the island");
  /* and an armed force's is an organisation's name */
  ok(has_reason("He led the Thirty-ninth Kansas Volunteers home.", 24,
                "organisation_word_after") == 1,
     "Kansas Volunteers: a regiment's name");
}

/* An organisation's word after an initialism's own period: "U. S.
 * Army" is the army, not the country; a comma ends the name. */
static void test_initialism_organisation(void)
{
  const char *army = "Report of Colonel Davies, U. S. Army, commanding.";
  const char *comma = "He fled the U. S., Army or not.";

  ok(has_reason(army, 26, "organisation_word_after") == 1,
     "U. S. Army: an organisation's word after the period");
  ok(has_reason(comma, 12, "organisation_word_after") == 0,
     "U. S., Army: a comma between");
}

/* A word of three or four capitals in a sentence of mixed case is an
 * acronym (the ITU is no town of Nigeria); in a shouted sentence it is
 * not, and a country's code keeps its other evidence. */
static void test_acronym(void)
{
  const char *itu = "The ITU met in Geneva on Monday.";
  const char *shout = "ITU MEETS IN GENEVA TODAY";

  ok(has_reason(itu, 4, "acronym") == 1, "the ITU: an acronym");
  ok(parse_at(itu, 4) == 0, "the ITU: no place");
  ok(has_reason(shout, 0, "acronym") == 0, "ITU MEETS: shouted, no acronym");
  ok(parse_at("He flew back to the USA last week.", 20) == 6252001,
     "to the USA: the United States");
}

/* A region by a given name before a surname is a person's name, and
 * only there: the evidence is not spread over the document. */
static void test_region_name_then_capital(void)
{
  const char *text = "The club hosted Diana Krall. Later they flew to Diana.";

  ok(has_reason(text, 16, "region_name_then_capital") == 1,
     "Diana Krall: a person's name");
  ok(has_reason(text, 48, "region_name_then_capital") == 0,
     "to Diana.: no surname after it");
  ok(has_reason(text, 48, "person_elsewhere") == 0,
     "to Diana.: not a person for Diana Krall's sake");
}

/* A person's name marked twice makes its other occurrences a person's
 * once: the weight counts the evidence, not how often it recurs. */
static void test_person_elsewhere_once(void)
{
  const char *text =
      "General Jackson came. General Jackson left. They rode to Jackson.";

  ok(count_reason(text, 57, "person_elsewhere") == 1,
     "Jackson after two General Jacksons: person_elsewhere once");
}

/* A name standing where places stand several times makes its other
 * occurrences a place's by each of them, in one reason: the reasons
 * are not filled with the same one. */
static void test_place_elsewhere_counted(void)
{
  const char *text = "He came from Selma. He rode to Selma. Selma fell.";
  gm_result *r;
  gm_error err;
  int found = 0;

  ok(count_reason(text, 38, "place_elsewhere") == 1,
     "Selma after two 'to Selma's: place_elsewhere in one reason");
  if (gm_parse(all_matches, text, strlen(text), &r, &err)) {
    ok(0, "parse: %s", err.message);
    return;
  }
  for (size_t i = 0; i < gm_result_count(r); i++) {
    const gm_mention *m = gm_result_mention(r, i);
    for (size_t k = 0; m->start == 38 && k < m->n_reasons; k++)
      found += strcmp(m->reasons[k].signal, "place_elsewhere") == 0 &&
               m->reasons[k].value > 1.5849 && m->reasons[k].value < 1.5850;
  }
  ok(found == 1, "Selma's place_elsewhere counts the two marked names: "
     "log2(1 + 2)");
  gm_result_free(r);
}

/* Twelve "from California"s count by their log: they no longer outweigh
 * the organisation around "First California Volunteer Cavalry" (as the
 * raw count did: 12 times place_elsewhere's weight). */
static void test_place_elsewhere_log(void)
{
  char text[1024] = "Colonel Carleton, First California Volunteer Cavalry, came.";
  gm_mention m;

  for (int i = 0; i < 12; i++)
    strcat(text, " Men came from California.");
  ok(mention_at(text, 24, &m) == 0,
     "First California Volunteer Cavalry: no place after 12 marked names");
  ok(mention_at(text, 74, &m) == 1, "from California: a place");
}

/* A city of over 100,000 people by its own name gets the feature; a
 * word that is only an alternate name of one ("She", of Shenyang's
 * millions by some spelling) does not. */
static void test_large_place_by_name(void)
{
  const char *text = "She lives in Chicago.";

  ok(has_reason(text, 13, "large_place_by_name") == 1,
     "Chicago: a large place by its own name");
  ok(has_reason(text, 0, "large_place_by_name") == 0,
     "She: an alternate name only");
}

/* A noun the place modifies as where something happens or whom it
 * serves ("the Napa earthquake", "Ferguson Police") is no organisation's
 * name: the place is the mention. */
static void test_local_noun_after(void)
{
  const char *quake = "Scientists studied the Napa earthquake again.";
  const char *council = "Nothing was said by the Napa council.";
  const char *police = "The Ferguson Police Department said nothing.";

  ok(has_reason(quake, 23, "local_noun_after") == 1,
     "Napa earthquake: a local noun after");
  ok(parse_at(quake, 23) == 5376095, "the Napa earthquake: Napa, California");
  ok(has_reason(council, 24, "local_noun_after") == 0,
     "Napa council: no local noun");
  ok(parse_at(council, 24) == 0, "the Napa council: no cue, no place");
  ok(has_reason(police, 4, "organisation_word_after") == 0,
     "Ferguson Police: police is no organisation's word");
  ok(has_reason(police, 4, "local_noun_after") == 1,
     "Ferguson Police: a local noun after");
}

/* A heading's capitalised preposition ("Areas In Louisiana") is a
 * preposition, not a capitalised word of a longer name. */
static void test_capitalised_preposition(void)
{
  const char *heading = "Tornado Watch Issued For The Following Areas In "
                        "Louisiana";
  const char *name = "Tornado Watch Issued For The Following Areas "
                     "Louisiana";

  ok(has_reason(heading, 48, "capitalised_preposition") == 1,
     "Areas In Louisiana: a capitalised preposition");
  ok(has_reason(heading, 48, "capitalised_word_before") == 0,
     "Areas In Louisiana: In is no word of a name");
  ok(parse_at(heading, 48) == 4331987, "Areas In Louisiana: the state");
  ok(has_reason(name, 45, "capitalised_word_before") == 1,
     "Areas Louisiana: a capitalised word before");
}

/* A name in capitals opening a line before a dash, an agency's bracket
 * or a comma and a date is a dateline, as before a word in mixed case
 * (the dash lost); not mid-line, and not before a comma without a date
 * (a signature). */
static void test_dateline(void)
{
  const char *news = "TORRINGTON \xe2\x80\x94 Mayor Ryan Bingham is "
                     "scheduled to offer a plan.";
  const char *dispatch = "Report.\nHUNTSVILLE, May 9, 1864.\nSIR: I have "
                         "the honor.";
  const char *agency = "BERLIN (AP) \xe2\x80\x94 Talks began.";
  const char *inline_caps = "He came to TORRINGTON \xe2\x80\x94 Mayor Ryan "
                            "Bingham said so.";
  const char *signature = "Report.\nHUNTSVILLE, Major-General.";
  const char *letter = "NINTH MINNESOTA VOLUNTEERS,\nMemphis, June 15, "
                       "1864.\nSIR: I have the honor.";
  const char *dash = "Report.\nMemphis \xe2\x80\x94 Mayor Smith spoke.";
  const char *dashless = "WASHINGTON Barack Obama pardoned his last turkey.";
  const char *code = "U.S. Secretary of State Rex Tillerson met him.";
  const char *signed_by = "With best wishes, I remain,\n\nDAVID D. PORTON,"
                          "\n\nRear-Admiral.";

  ok(has_reason(news, 0, "dateline") == 1, "TORRINGTON \xe2\x80\x94: a dateline");
  ok(parse_at(news, 0) > 0, "TORRINGTON \xe2\x80\x94: a place");
  ok(has_reason(dispatch, 8, "dateline") == 1, "HUNTSVILLE, May 9: a dateline");
  ok(has_reason(agency, 0, "dateline") == 1, "BERLIN (AP): a dateline");
  ok(has_reason(inline_caps, 11, "dateline") == 0,
     "mid-line TORRINGTON: no dateline");
  ok(has_reason(signature, 8, "dateline") == 0,
     "HUNTSVILLE, Major-General: no date, no dateline");
  ok(has_reason(letter, 28, "dateline") == 1,
     "Memphis, June 15 opening a line: a dateline in mixed case too");
  ok(parse_at(letter, 28) > 0, "Memphis, June 15: a place");
  ok(has_reason(dash, 8, "dateline") == 0,
     "Memphis \xe2\x80\x94: the dash's form stays in capitals");
  /* the dash lost: capitals before mixed case; not a code ("U.S.
   * Secretary") nor a signature's initial ("DAVID D. PORTON") */
  ok(has_reason(dashless, 0, "dateline") == 1,
     "WASHINGTON Barack Obama: a dateline without its dash");
  ok(parse_at(dashless, 0) > 0, "WASHINGTON Barack Obama: a place");
  ok(has_reason(code, 0, "dateline") == 0,
     "U.S. Secretary opening a line: no dateline");
  ok(has_reason(signed_by, 29, "dateline") == 0,
     "DAVID D. PORTON: a signature, no dateline");
}

/* A lower-case "in" after an organisation's name says where it is,
 * unless the name has "for" before it (the OSCE: part of the name). */
static void test_organisation_in_place(void)
{
  const char *hospital =
      "He was taken to the Scripps Memorial Hospital in La Jolla.";
  const char *osce = "Monitors of the Organisation for Security and "
                     "Cooperation in Europe arrived.";

  ok(has_reason(hospital, 49, "inside_organisation_name") == 0,
     "Hospital in La Jolla: where the hospital is");
  ok(parse_at(hospital, 49) > 0, "Hospital in La Jolla: a place");
  ok(has_reason(osce, 61, "inside_organisation_name") == 1,
     "Cooperation in Europe: inside the OSCE's name");
  ok(parse_at(osce, 61) == 0, "Cooperation in Europe: no place");
}

/* An ordinal before a name makes a unit of it ("39th New York", "First
 * California Volunteers"): a regiment, not the place. */
static void test_after_ordinal(void)
{
  const char *table = "Third Brigade: 39th New York. 12 men.";
  const char *words = "He led the Thirty-ninth New York Volunteers.";
  const char *place = "He moved to New York in 1862.";

  ok(has_reason(table, 20, "after_ordinal") == 1, "39th New York: an ordinal");
  ok(parse_at(table, 20) == 0, "39th New York: a regiment, no place");
  ok(has_reason(words, 24, "after_ordinal") == 1,
     "Thirty-ninth New York: an ordinal");
  ok(has_reason(place, 12, "after_ordinal") == 0, "to New York: no ordinal");
  ok(parse_at(place, 12) > 0, "to New York: a place");
}

/* A title written short with its period ("Mr. Williams") makes a
 * person's name as the title in full does; a sentence's end does not. */
static void test_after_abbreviated_title(void)
{
  const char *mr = "A letter from Mr. Williams arrived.";
  const char *end = "It was Mr. Then Williams spoke.";
  const char *place = "They rode to Williams. It rained.";

  ok(has_reason(mr, 18, "after_title") == 1, "Mr. Williams: after a title");
  ok(parse_at(mr, 18) == 0, "Mr. Williams: no place");
  ok(has_reason(end, 16, "after_title") == 0,
     "Mr. Then Williams: not after the title");
  ok(has_reason(place, 13, "after_title") == 0, "to Williams: no title");
}

/* A list's first names, before the one recognised on its own, take
 * listed_before_place; two names joined by a comma alone are no list
 * ("Fore Street, Edmonton": a street and where it is). */
static void test_listed_before_place(void)
{
  const char *list = "The ranking compares Vancouver, Calgary, Edmonton, "
                     "Saskatoon and Winnipeg.";
  const char *pair = "Storms continue to the east including Gainesville "
                     "and Athens.";
  const char *street = "Crews met at Fore Street, Edmonton, on Friday.";

  ok(has_reason(list, 32, "listed_before_place") == 1,
     "Calgary, Edmonton: listed before a place");
  ok(parse_at(list, 32) > 0, "Calgary before Edmonton: a place");
  ok(has_reason(pair, 38, "listed_before_place") == 1,
     "Gainesville and Athens: listed before a place");
  ok(parse_at(pair, 38) > 0, "Gainesville and Athens: a place");
  ok(has_reason(street, 18, "listed_before_place") == 0,
     "Fore Street, Edmonton: no list");
}

/* The members of a list are alike: a name listed beside states is the
 * state, though the document names a town's state (Wyoming, Ohio). */
static void test_listed_with_same_kind(void)
{
  const char *states = "The family moved from Indiana. They looked from Ohio "
                       "to Montana and Wyoming before settling in Monroe "
                       "County, Missouri.";

  ok(parse_at(states, 68) == 5843591,
     "Montana and Wyoming: the state, not Wyoming, Ohio");
  ok(has_reason(states, 68, "listed_with_same_kind") == 1,
     "Wyoming listed beside Montana: listed_with_same_kind");
}

/* A list's item ends with the suffix its mention took: California is
 * listed after "Washington Territory", beside states, so the state, not
 * the Missouri town the text's Missouri would draw it to. */
static void test_listed_after_suffix(void)
{
  const char *trail = "The train left Missouri in May. Emigrants to Oregon, "
                      "Washington Territory, California, Salt Lake, and "
                      "Denver were on this road.";

  ok(has_reason(trail, 75, "listed_with_place") == 1,
     "California after Washington Territory: listed with a place");
  ok(parse_at(trail, 75) == 5332921,
     "California after Washington Territory: the state");
}

/* A name before a capitalised organisation's word is part of the
 * organisation's name, a country's too ("Malaysia Airlines", "U. S.
 * Navy"): organisation_word_after, refitted, outweighs can_be_country;
 * the country named elsewhere stays. */
static void test_organisation_word_after_country(void)
{
  const char *airline = "Rebels are confiscating evidence at the Malaysia "
                        "Airlines crash site.";
  const char *navy = "Captain Selfridge, U. S. Navy, commanding the station.";
  const char *country = "Officials in Malaysia met the rebels.";

  ok(has_reason(airline, 40, "organisation_word_after") == 1,
     "Malaysia Airlines: an organisation's word after");
  ok(parse_at(airline, 40) == 0, "Malaysia Airlines: no place");
  ok(parse_at(navy, 19) == 0, "U. S. Navy: no place");
  ok(parse_at(country, 13) != 0, "in Malaysia: a place");
}

/* A venue or building named for where it stands ("the Sydney
 * Festival", "Copacabana Palace") is a name of its own, as a hotel's or
 * an airport's is; the city on its own stays a place. A building's
 * name the corpora mark as a place is one mention of the whole name
 * (test_whole_feature_name). */
static void test_venue_names(void)
{
  const char *festival = "The Sydney Festival will run until January 27.";
  const char *palace = "Luxury hotels like Copacabana Palace offer English "
                       "speaking staff.";
  const char *city = "The festival will run in Sydney until January 27.";

  ok(has_reason(festival, 4, "organisation_word_after") == 1,
     "Sydney Festival: a venue's word after");
  ok(parse_at(festival, 4) == 0, "Sydney Festival: no place");
  ok(has_reason(palace, 19, "whole_venue_name") == 1,
     "Copacabana Palace: a building's name");
  ok(parse_at(city, 25) != 0, "in Sydney: a place");
}

/* A name right before a verb of saying is the speaker: a news
 * agency's ("Xinhua reported"), which a gazetteer also holds as a
 * town's, and so everywhere in the text, as a person's name is. A
 * country speaks for its government and stays a place ("Ukraine says"),
 * as does a preposition's object ("a dispatch from Danville says"). */
static void test_speaker_names(void)
{
  const char *agency = "Floods hit Hunan province after heavy rain, Xinhua "
                       "reported.";
  const char *country = "Ukraine says the rebels have the missiles.";
  const char *dispatch = "A dispatch just from Danville says the road is "
                         "clear.";
  const char *of = "The ladies of West Liberty wrote to the governor.";
  const char *elsewhere = "The state news agency Xinhua gave no toll. "
                          "Landslides buried homes in Hunan province, "
                          "Xinhua reported.";

  ok(has_reason(agency, 44, "before_speech_verb") == 1,
     "Xinhua reported: before a verb of saying");
  ok(parse_at(agency, 44) == 0, "Xinhua reported: no place");
  ok(parse_at(agency, 11) != 0, "Hunan province: a place");
  ok(has_reason(country, 0, "before_speech_verb") == 0,
     "Ukraine says: a country is no speaker's name");
  ok(parse_at(country, 0) != 0, "Ukraine says: a place");
  ok(parse_at(dispatch, 21) != 0, "from Danville says: a place");
  ok(has_reason(of, 14, "before_speech_verb") == 0,
     "ladies of West Liberty wrote: the speaker is the ladies");
  ok(parse_at(of, 14) != 0, "of West Liberty: a place");
  ok(has_reason(elsewhere, 22, "person_elsewhere") == 1,
     "news agency Xinhua: a speaker elsewhere in the text");
  ok(parse_at(elsewhere, 22) == 0, "news agency Xinhua: no place");
}

/* A name right after a kind of organisation in lower case is that
 * organisation's ("the tour operator Hayes & Jarvis"); the same name
 * after a preposition stays a place. */
static void test_organisation_kind_before(void)
{
  const char *operator = "A report by the tour operator Hayes & Jarvis this "
                         "week suggested that resurgence is continuing.";
  const char *town = "A report by the tour operator in Hayes suggested "
                     "that resurgence is continuing.";

  ok(has_reason(operator, 30, "after_organisation_kind") == 1,
     "tour operator Hayes: after a kind of organisation");
  ok(parse_at(operator, 30) == 0, "tour operator Hayes: no place");
  ok(has_reason(town, 33, "after_organisation_kind") == 0,
     "operator in Hayes: no kind of organisation right before");
  ok(parse_at(town, 33) != 0, "operator in Hayes: a place");
}

/* A club's name opens with a word of its kind before its city's ("Real
 * Madrid", "Atletico Madrid"): the club, not the city; the city named
 * on its own stays a place. */
static void test_club_names(void)
{
  const char *club = "He was at the ceremony in Paris as Real Madrid had "
                     "traveled to Japan.";
  const char *city = "He was at the ceremony in Paris as Madrid had "
                     "traveled to Japan.";

  ok(has_reason(club, 40, "after_club_prefix") == 1,
     "Real Madrid: after a club's word");
  ok(parse_at(club, 40) == 0, "Real Madrid: no place");
  ok(has_reason(city, 35, "after_club_prefix") == 0,
     "as Madrid: no club's word before");
  ok(parse_at(city, 35) != 0, "as Madrid: a place");
}

/* A capitalised city word after a name makes one longer name that the
 * gazetteer lacks ("Black Rock City", "the Bay Area"; its own names,
 * "Mexico City", are matched whole first): no mention of the shorter
 * name, as with a feature's head ("Mississippi River"). In lower case it
 * says what the place is ("near Black Rock town"). */
static void test_city_word_names(void)
{
  const char *city = "A pop-up metropolis formed in the desert: Black "
                     "Rock City, whose population may top 60,000.";
  const char *town = "A pop-up metropolis formed in the desert near Black "
                     "Rock town, whose population may top 60,000.";
  const char *area = "An earthquake struck the Bay Area this morning.";
  gm_mention m;

  ok(has_reason(city, 42, "whole_feature_name") == 1,
     "Black Rock City: part of a longer name");
  ok(mention_at(city, 42, &m) == 1 && m.end == 57,
     "Black Rock City: one mention of the whole name, not of Black Rock "
     "(test_whole_feature_name)");
  ok(mention_at(area, 25, &m) == 1 && m.end == 33,
     "the Bay Area: one mention of the area, not of Bay "
     "(test_feature_name_spans)");
  ok(has_reason(town, 46, "city_suffix") == 1,
     "Black Rock town: a city word in lower case");
  ok(parse_at(town, 46) != 0, "Black Rock town: a place");
}

/* The "to" of "according to" names a source, not where something
 * goes: no preposition of place ("according to Xinhua"), as the same
 * word's "to" is after a verb of motion ("diverted to Xinhua"). */
static void test_according_to(void)
{
  const char *source = "Landslides buried a section of the river, "
                       "according to Xinhua.";
  const char *motion = "The flight was diverted to Xinhua.";

  ok(has_reason(source, 55, "place_preposition") == 0,
     "according to Xinhua: no preposition of place");
  ok(parse_at(source, 55) == 0, "according to Xinhua: no place");
  ok(has_reason(motion, 27, "place_preposition") == 1,
     "diverted to Xinhua: a preposition of place");
  ok(parse_at(motion, 27) != 0, "diverted to Xinhua: a place");
}

/* An army's commands and units are organisations named for where they
 * serve: "Dept. of Kansas" (its head written short, passed though its
 * period may start a sentence: "DEPT. OF THE MISSOURI"), "U. S.
 * Forces", "California Volunteer Cavalry"; the state named on its own
 * stays a place. */
static void test_army_command_names(void)
{
  const char *dept = "General Curtis, commanding Dept. of Kansas, Fort "
                     "Leavenworth.";
  const char *caps = "HDQRS. DEPT. OF THE MISSOURI, No. 100.";
  const char *forces = "HEADQUARTERS U. S. FORCES, Brasher City, La., "
                       "February 6.";
  const char *volunteer = "Captain Barry, of the California Volunteer "
                          "Cavalry, is at Hart's Mill.";
  const char *place = "Captain Barry rode from California to Hart's Mill.";
  const char *district = "Colonel Bowie, Commanding District of Arizona, "
                         "Tucson.";
  const char *division = "HEADQUARTERS DIVISION OF WEST MISSISSIPPI, May 25.";

  ok(has_reason(dept, 36, "inside_organisation_name") == 1,
     "Dept. of Kansas: inside an organisation's name");
  ok(parse_at(dept, 36) == 0, "Dept. of Kansas: no place");
  ok(parse_at(caps, 20) == 0, "DEPT. OF THE MISSOURI: no place");
  ok(parse_at(forces, 13) == 0, "U. S. FORCES: no place");
  ok(parse_at(volunteer, 22) == 0, "California Volunteer Cavalry: no place");
  ok(parse_at(place, 24) != 0, "from California: a place");
  ok(parse_at(district, 38) == 0, "District of Arizona: no place");
  ok(parse_at(division, 25) == 0, "DIVISION OF WEST MISSISSIPPI: no place");
}

/* A country named in an organisation's name is no mention, but says
 * which country the text is about: "Point Isabel" after "U. S. Forces"
 * is a place in the country the text names. */
static void test_organisation_names_country(void)
{
  const char *forces = "Captain Smith, U. S. Forces, reached Point Isabel "
                       "on Monday.";

  ok(parse_at(forces, 15) == 0, "U. S. Forces: no place");
  ok(has_reason(forces, 37, "country_in_document") == 1,
     "Point Isabel after U. S. Forces: the country is in the document");
}

/* "The Netherlands", an alternate name beside "Netherlands", is not
 * kept in the index (gaz_build.c, drop_article_names): the mention is
 * "Netherlands", as the corpora mark it, not "The Netherlands". "The
 * Hague", the city's own name, keeps its article. */
static void test_article_before_name(void)
{
  const char *text = "The Netherlands exported more tulips in May.";
  const char *hague = "The court in The Hague ruled on Monday.";

  ok(end_at(text, 0) == 0, "'The Netherlands': no mention from 'The'");
  ok(parse_at(text, 4) == 2750405 && end_at(text, 4) == 15,
     "'Netherlands' alone is the mention");
  ok(end_at(hague, 13) == 22, "'The Hague' keeps its article");
}

/* The region named inside an organisation's name is context for the
 * resolver too: Baldwin under the District of Florida's heading is the
 * Florida town, not Michigan's larger one. */
static void test_organisation_names_region(void)
{
  const char *heading = "HEADQUARTERS DISTRICT OF FLORIDA, February 20. "
                        "Colonel Noble will hold Baldwin with two "
                        "regiments.";
  gm_entry e;

  ok(parse_at(heading, 25) == 0, "DISTRICT OF FLORIDA: no place");
  ok(entry_at(heading, 71, &e) == 1 && !strcmp(e.country, "US") &&
         !strcmp(e.admin1, "FL"),
     "Baldwin under the District of Florida: Baldwin, Florida");
  /* Enfield's borough (GB-ENF) carries a code no place carries at either
   * level: only the places inside its polygon give it a size, without
   * which it could not outnumber the places called Enfield. */
  ok(parse_at("Pupils from an Edmonton school planted flowers in Hertford "
              "Road. Enfield Council said the project helps the community.",
              15) == 2650209,
     "Edmonton beside Enfield Council: London's, not Alberta's");
}

/* Whether the mention starting at `at` is a county (an admin-2 unit) of
 * the US state `state`: counties have no GeoNames id to compare. */
static int us_county_at(const char *text, size_t at, const char *state)
{
  gm_entry e;

  return entry_at(text, at, &e) == 1 && !strcmp(e.fcode, "ADM2") &&
         !strcmp(e.country, "US") && !strcmp(e.admin1, state);
}

/* "Co." after a name is "County", its period part of the mention; a
 * company's "Co." is no county ("Ford Motor Co."), nor is "Co" without
 * its period (a team's, "Berrien Co Rebels"). */
static void test_county_abbreviation(void)
{
  const char *dateline = "PLYMOUTH CO. - A suspect in a farm auction theft "
                         "near Hinton has been apprehended.";
  const char *tweet = "Damage to a trailer in Twiggs Co. Ga. is pretty "
                      "impressive.";
  const char *company = "Ford Motor Co. said on Tuesday it would cut jobs.";

  ok(us_county_at(dateline, 0, "IA") && end_at(dateline, 0) == 12,
     "'PLYMOUTH CO.' is Plymouth County, Iowa, with its period");
  ok(end_at(dateline, 9) == 0, "'CO.' after a county's name: no Colorado");
  ok(us_county_at(tweet, 23, "GA"), "'Twiggs Co.' is Twiggs County");
  ok(parse_at(company, 0) == 0 && end_at(company, 0) == 0 &&
         end_at(company, 11) == 0,
     "'Ford Motor Co.': no county, no place");
  ok(end_at("Berrien Co Rebels make the playoffs.", 0) == 0,
     "'Berrien Co Rebels': no county without the period");
}

/* Same-named units of one kind, matched alike, tie but for their size
 * (the population of their places): the larger is taken, where without
 * it the first posted was (India's Punjab; Orange County, Florida). */
static void test_smaller_namesake_unit(void)
{
  const char *punjab = "Floods hit Punjab on Monday.";
  const char *county = "A tornado watch for Orange County until 1 a.m.";

  ok(parse_at(punjab, 11) == 1167710,
     "Punjab alone: Pakistan's (27 M in its places), not India's (8 M)");
  ok(us_county_at(county, 20, "CA"),
     "Orange County alone: California's (3.1 M), not Florida's (0.9 M)");
  /* Natural Earth's admin-1 units that are GeoNames' admin-2 carry no
   * place's admin1 code: they are sized by their places' admin2. */
  ok(parse_at("Floods hit the Manchester region on Monday.", 15) == 3333169,
     "the Manchester region: Greater Manchester's district (GB.I2, sized "
     "by its places' admin-2 code), not Jamaica's parish");
}

/* A bare name of a city is the city, not the unit named after it, also
 * where the codes make the city no seat of the unit: England's unitary
 * authorities and metropolitan boroughs (unit_of_same_named_city). Nor
 * does a smaller unit of the name elsewhere take its place: Jamaica's
 * parish of Manchester (unit_below_namesake_city). The suffix still
 * asks for the unit (test_smaller_namesake_unit). */
static void test_unit_of_same_named_city(void)
{
  ok(parse_at("Fans in Manchester cheered.", 8) == 2643123,
     "Manchester alone: the city, not its district nor Jamaica's parish");
  ok(parse_at("Floods hit Bristol on Monday.", 11) == 2654675,
     "Bristol alone: the city, not the unit (GB.B7)");
}

/* A kind noun in lower case before a name, or before the list it
 * begins, says what the names are, as a suffix after one does: the
 * README example's "cities such as Kharkiv and Zaporizhzhia" are the
 * cities (GeoNames spells the second "Zaporizhzhya", and on its name
 * alone the oblast leads), "regions such as Donetsk and Luhansk" the
 * oblasts, "the state of Georgia" the US state. A plural before "of"
 * and one name is no cue ("the largest cities of Ukraine"). */
static void test_kind_before_name(void)
{
  const char *cities = "Officials in Kyiv say they need more air-defence "
                       "systems to protect cities such as Kharkiv and "
                       "Zaporizhzhia, which are struck by drones.";
  const char *regions = "Shelling hit regions such as Donetsk and Luhansk.";
  const char *state = "Storms hit the state of Georgia on Monday.";
  const char *country = "He visited the largest cities of Ukraine.";

  ok(parse_at(cities, 83) == 706483, "cities such as Kharkiv: the city");
  ok(parse_at(cities, 95) == 687700,
     "cities such as Kharkiv and Zaporizhzhia: the city, not the oblast");
  ok(parse_at(regions, 29) == 709716 && parse_at(regions, 41) == 702657,
     "regions such as Donetsk and Luhansk: the oblasts, not the cities");
  ok(parse_at(state, 24) == 4197000,
     "the state of Georgia: the US state, not the country");
  ok(parse_at(country, 33) == 690791,
     "the largest cities of Ukraine: the country");
}

/* Two listed names that lean to different kinds, each toward the
 * other's: the context rounds, each reading the round before's choices,
 * swapped Kharkiv's and Zaporizhzhia's kinds (the oblasts one round,
 * the cities the next) until Bakhmut's sentence, a place in the oblast
 * next door, left Zaporizhzhia the oblast after the second round. A
 * neighbour's kind counts as much as the neighbour is sure of it
 * (listed_kinds): Zaporizhzhia's oblast, unsure, does not turn
 * Kharkiv. */
static void test_listed_kinds_settle(void)
{
  const char *text =
      "Officials in Kyiv say they need more air-defence systems to protect "
      "cities such as Kharkiv and Zaporizhzhia, which are struck by drones "
      "almost every night. Aid groups working in Bakhmut before its fall "
      "say that thousands of elderly people remain in villages close to "
      "the front, without heating or running water.";

  ok(parse_at(text, 83) == 706483,
     "listed beside Zaporizhzhia: Kharkiv the city");
  ok(parse_at(text, 95) == 687700,
     "listed beside Kharkiv, Bakhmut later: Zaporizhzhia the city");
}

/* "Google" is only another name of Topeka (for a month of 2010) and a
 * word of the lexicon: after a list of countries it is the company. A
 * transliteration that is no word ("Kobane") keeps no such doubt. "CT"
 * is only another name of Connecticut, and a time zone. */
static void test_alternate_name_only(void)
{
  const char *text =
      "In Australia, Canada and France, Google sells its Chromebooks.";
  const char *zone = "Tornado warnings until 10:22pm CT tonight in Arkansas.";
  gm_mention m;

  ok(has_reason(text, 33, "alternate_name_only") == 1,
     "Google: a word that names a place only as another name");
  ok(mention_at(text, 33, &m) == 0, "Google after a list of countries: no place");
  ok(mention_at(text, 3, &m) == 1, "Australia is still a place");
  ok(has_reason(zone, 31, "alternate_region_name_only") == 1,
     "CT: a word that names a region only as another name");
  ok(mention_at(zone, 31, &m) == 0, "10:22pm CT: no place");
  ok(mention_at(zone, 45, &m) == 1, "Arkansas is still a place");
}

/* Whether mentions a and b agree in all but their reasons. */
static int same_but_reasons(const gm_mention *a, const gm_mention *b)
{
  if (a->start != b->start || a->end != b->end || a->entry != b->entry ||
      a->confidence != b->confidence || a->recognition != b->recognition ||
      a->role != b->role || a->n_alternatives != b->n_alternatives)
    return 0;
  for (size_t k = 0; k < a->n_alternatives; k++)
    if (a->alternatives[k].entry != b->alternatives[k].entry ||
        a->alternatives[k].score != b->alternatives[k].score)
      return 0;
  return 1;
}

/* without_reasons drops the reasons and nothing else: the same places,
 * confidences and alternatives to the bit. */
static void test_without_reasons(void)
{
  static const char text[] =
      "Shelling near Donetsk and Kramatorsk was reported on Tuesday. "
      "Officials in Paris, Texas, and in Kyiv said the talks in Geneva "
      "would go on. Springfield and Portland were named too.";
  gm_parser *bare;
  gm_result *with = NULL, *without = NULL;
  gm_error err;
  size_t same = 0, reasons = 0, bare_reasons = 0;

  if (gm_parser_new(gaz, &(gm_parse_options){.without_reasons = 1}, &bare,
                    &err)) {
    ok(0, "parser without reasons: %s", err.message);
    return;
  }
  if (gm_parse(parser, text, sizeof text - 1, &with, &err) ||
      gm_parse(bare, text, sizeof text - 1, &without, &err))
    ok(0, "parse: %s", err.message);
  else if (ok(gm_result_count(with) == gm_result_count(without) &&
                  gm_result_count(with) >= 8,
              "as many mentions either way (%zu, %zu)",
              gm_result_count(with), gm_result_count(without)))
    for (size_t i = 0; i < gm_result_count(with); i++) {
      const gm_mention *a = gm_result_mention(with, i);
      const gm_mention *b = gm_result_mention(without, i);
      same += same_but_reasons(a, b);
      reasons += a->n_reasons;
      bare_reasons += b->n_reasons;
    }
  ok(same == gm_result_count(with), "%zu of %zu mentions alike but reasons",
     same, gm_result_count(with));
  ok(reasons > 0 && bare_reasons == 0, "reasons %zu by default, %zu without",
     reasons, bare_reasons);
  gm_result_free(with);
  gm_result_free(without);
  gm_parser_free(bare);
}

/* --- Feature names the gazetteer lacks ("Panama Canal", "Baker Beach",
 * "Hottentots Holland Nature Reserve"): one mention of the whole name,
 * answered as a caller's span of that shape (session 21, acc21b). --- */

/* Whether the mention starting at `at` ends at `end`, is a place and
 * carries the confidence of a guess; its entry's GeoNames id in *id. */
static int feature_name_at(const char *text, size_t at, size_t end,
                           long *id)
{
  gm_mention m;
  gm_entry e;

  *id = 0;
  if (mention_at(text, at, &m) != 1 || m.end != end ||
      m.role != GM_ROLE_PLACE || m.confidence > 0.35 ||
      gm_gazetteer_entry(gaz, m.entry, &e) != 0)
    return 0;
  *id = (long)e.geonameid;
  return 1;
}

static void test_feature_name_spans(void)
{
  const char *canal = "Ships queued at the Panama Canal on Monday.";
  const char *beach = "Crowds gathered on Baker Beach in San Francisco.";
  const char *reserve = "Hikers crossed the Hottentots Holland Nature "
                        "Reserve near Cape Town.";
  long id;
  gm_mention m;

  ok(feature_name_at(canal, 20, 32, &id) && id == 3703430,
     "the Panama Canal: one mention, answered by Panama, a guess");
  ok(feature_name_at(beach, 19, 30, &id) && id == 5391959 &&
         has_reason(beach, 19, "located_by_context") == 1,
     "Baker Beach: put at San Francisco, as no Baker lies near");
  ok(feature_name_at(reserve, 19, 52, &id) && id == 3369157,
     "Hottentots Holland Nature Reserve: the word before and the two "
     "after Holland, put at Cape Town");
  ok(parse_at(reserve, 30) == 0, "and no mention of Holland");
  ok(feature_name_at("The river is the Mississippi River, not the state.",
                     17, 34, &id) && id == 4436296,
     "Mississippi River: the state, the only place the text names");
  /* not a longer name's part, nor a heading in title case */
  ok(mention_at("The Panama Canal Authority raised its fees.", 4, &m) == 0,
     "Panama Canal Authority: no mention");
  ok(mention_at("Tremor Shakes Iceland Volcano, Still No Ash", 7, &m) == 0,
     "Tremor Shakes Iceland Volcano: a heading, no feature's name");
  ok(mention_at("Fog hit the California Bay Area on Monday.", 12, &m) == 0,
     "California Bay Area: no mention of a California Bay");
  ok(feature_name_at("An earthquake struck the Bay Area this morning.", 25,
                     33, &id),
     "the Bay Area: one mention, a guess (Bay, the only name in it)");
}

/* --- whole_feature_name: a feature's name taken whole is weighed by
 * a fitted feature of its own, not by its inner name's logit alone
 * (session 22, acc22). --- */

/* The run is kept where the name inside would not be on its own: after
 * "to", which is no preposition of place for a fort, and after a colon
 * (main's gate, the inner logit > 0, left both out); a building's
 * name ends in a head of venue_heads; a prefix may be a match. */
static void test_whole_feature_name(void)
{
  const char *fort = "The regiment marched to Fort Yuma in May.";
  const char *city = "A pop-up metropolis formed in the desert: Black "
                     "Rock City, whose population may top 60,000.";
  long id;
  gm_mention m;

  ok(feature_name_at(fort, 24, 33, &id) && id == 5322053,
     "marched to Fort Yuma: one mention, answered by Yuma, a guess");
  ok(has_reason(fort, 24, "in_feature_name") == 0,
     "Fort Yuma: in_feature_name gave way to whole_feature_name");
  ok(feature_name_at(city, 42, 57, &id),
     "desert: Black Rock City: one mention of the whole name");
  /* a building's head (venue_heads) ends such a name too; a
   * festival's is no place's */
  ok(feature_name_at("We landed at Copenhagen Airport on Monday.", 13, 31,
                     &id) && id == 2618425,
     "Copenhagen Airport: one mention, answered by Copenhagen, a guess");
  ok(has_reason("We landed at Copenhagen Airport on Monday.", 13,
                "organisation_word_after") == 0,
     "Copenhagen Airport: organisation_word_after gave way");
  ok(mention_at("The Sydney Festival will run until January 27.", 4, &m) == 0,
     "Sydney Festival: no mention");
  /* a prefix the gazetteer holds as a name of its own ("Lake") */
  ok(feature_name_at("By the late 1960s, Lake Erie had become polluted.", 19,
                     28, &id),
     "Lake Erie: one mention, though Lake is a match of its own");
  ok(parse_at("By the late 1960s, Lake Erie had become polluted.", 24) == 0,
     "Lake Erie: no mention of Erie");
}

/* --- A feature's name put at the nearest place keeps the recogniser's
 * reasons (session 23, acc23): they say why it is a mention, and
 * bench/fit-recogniser fits on them. --- */

static void test_located_keeps_recognition(void)
{
  const char *beach = "Crowds gathered on Baker Beach in San Francisco.";
  const gm_mention *m = NULL;
  gm_result *r;
  gm_error err;
  double logit = 0;
  int located = 0, whole = 0;

  /* the result stays until its reasons are read: they live in it */
  if (gm_parse(parser, beach, strlen(beach), &r, &err)) {
    ok(0, "parse: %s", err.message);
    return;
  }
  for (size_t i = 0; i < gm_result_count(r) && !m; i++)
    if (gm_result_mention(r, i)->start == 19)
      m = gm_result_mention(r, i);
  if (ok(m != NULL, "Baker Beach is a mention")) {
    for (size_t i = 0; i < m->n_reasons; i++) {
      located += strcmp(m->reasons[i].signal, "located_by_context") == 0;
      whole += strcmp(m->reasons[i].signal, "whole_feature_name") == 0;
      logit += m->reasons[i].weight;
    }
    ok(located == 1 && whole == 1 && m->n_reasons > 2,
       "Baker Beach, put at San Francisco, keeps its recognition reasons "
       "(%zu reasons)", m->n_reasons);
    ok(fabs(1 / (1 + exp(-logit)) - m->recognition) < 1e-3,
       "and they weigh what it was recognised by (%.4f, %.4f)",
       1 / (1 + exp(-logit)), m->recognition);
  }
  gm_result_free(r);
}

int main(void)
{
  const char *path = getenv("GEOMENTION_GAZETTEER");
  gm_error err;

  if (!path || !*path)
    return tap_skip_all("GEOMENTION_GAZETTEER is not set");
  if (gm_gazetteer_open(path, &gaz, &err) ||
      gm_parser_new(gaz, NULL, &parser, &err) ||
      gm_parser_new(gaz, &(gm_parse_options){.all_matches = 1}, &all_matches,
                    &err)) {
    ok(0, "open %s: %s", path, err.message);
    return tap_done();
  }
  test_uncased();
  test_container();
  test_list_region();
  test_near_named_admin2();
  test_unit_holds_places();
  test_abbreviations();
  test_title_ends_no_sentence();
  test_compass();
  test_the();
  test_located_by_context();
  test_located_at_a_town();
  test_sure_choices_weigh_more();
  test_recognition_cues();
  test_feature_names();
  test_place_prepositions();
  test_given_name_then_capital();
  test_after_given_name();
  test_named();
  test_continent();
  test_title_before_name();
  test_after_initial();
  test_initialism_organisation();
  test_acronym();
  test_region_name_then_capital();
  test_person_elsewhere_once();
  test_place_elsewhere_counted();
  test_place_elsewhere_log();
  test_large_place_by_name();
  test_local_noun_after();
  test_capitalised_preposition();
  test_dateline();
  test_organisation_in_place();
  test_after_ordinal();
  test_after_abbreviated_title();
  test_listed_before_place();
  test_listed_with_same_kind();
  test_listed_after_suffix();
  test_organisation_word_after_country();
  test_venue_names();
  test_speaker_names();
  test_organisation_kind_before();
  test_club_names();
  test_city_word_names();
  test_according_to();
  test_army_command_names();
  test_organisation_names_country();
  test_organisation_names_region();
  test_article_before_name();
  test_county_abbreviation();
  test_smaller_namesake_unit();
  test_unit_of_same_named_city();
  test_alternate_name_only();
  test_kind_before_name();
  test_listed_kinds_settle();
  test_without_reasons();
  test_feature_name_spans();
  test_whole_feature_name();
  test_located_keeps_recognition();
  gm_parser_free(all_matches);
  gm_parser_free(parser);
  gm_gazetteer_close(gaz);
  return tap_done();
}
