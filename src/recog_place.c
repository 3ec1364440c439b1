/*
 * recog_place.c — is a matched name a place mention here?
 *
 * Each match gets a set of features: its case and position, the words
 * around it (a preposition of place, a title, an admin suffix, an
 * organisation's head word), how common it is as an ordinary English word
 * and as a given name (the lexicon compiled into the gazetteer from
 * SUBTLEX-US and the stdlib name lists), and what kinds of entry it can
 * name. A logistic model turns them into a probability; the weights live
 * in recog_weights.h, one number per feature, so they can be refitted on
 * the evaluation corpora without touching this code.
 *
 * The cue lists below are closed classes of English (prepositions,
 * titles, admin terms), not lists of place names.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "recog_weights.h"

static const char *const strong_preps[] = {
    "in", "near", "from", "outside", "into", "across", "toward", "towards",
    "around", "throughout", "via", "between", "within", "inside", "through",
    "at", "to", "nearby", "outskirts", "across", "beyond", "below", "above",
    "past", "along", "opposite", "off", "up", NULL};
static const char *const weak_preps[] = {
    "of", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "central", "northeastern", "northwestern",
    "southeastern", "southwestern", "northeast", "northwest", "southeast",
    "southwest", "occupied", "annexed", "neighbouring", "neighboring", NULL};
static const char *const titles[] = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "general", "gen",
    "president", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "minister", "senator", "sen", "rep", "representative", "gov", "governor",
    "judge", "justice", "prof", "professor", "king", "queen", "prince",
    "princess", "pope", "captain", "capt", "colonel", "col", "lieutenant",
    "lt", "sergeant", "sgt", "officer", "chairman", "chairwoman", "ceo",
    "coach", "director", "ambassador", "chancellor", "commander", "admiral",
    "mayor", "deputy", "premier", "father", "brother", "sister", "uncle",
    "aunt", "actor", "actress", "singer", "player", "striker", "manager",
    "author", "journalist", "reporter", "analyst", NULL};
static const char *const admin_suffixes[] = {
    "region", "regions", "oblast", "province", "provinces", "county",
    "state", "district", "governorate", "prefecture", "municipality",
    "territory", "raion", "rayon", "canton", "department", "voivodeship",
    "krai", "republic", "emirate", "parish", "borough", NULL};
/* In lower case after a name they say what it is ("Kramatorsk city");
 * capitalised, as a feature's head, they end a longer name that the
 * gazetteer lacks ("Black Rock City", "the Bay Area"). */
static const char *const city_suffixes[] = {"city", "town", "village",
                                            "port", "area", NULL};
static const char *const org_after[] = {
    "university", "times", "post", "herald", "news", "airlines", "airways",
    "bank", "council", "party", "club", "institute", "college", "school",
    "hospital", "press", "journal", "tribune", "daily", "magazine", "group",
    "inc", "corp", "company", "association", "foundation", "league",
    "street", "road", "avenue", "square", "hotel", "fc", "united",
    "stadium", "museum", "church", "cathedral", "gazette", "chronicle",
    "telegraph", "globe", "observer", "review", "mail", "express", "star",
    "sun", "standard", "guardian", "examiner", "courier", "dispatch",
    "register", "ltd", "plc", "llc", "agency", "ministry",
    "airport", "station", "bridge", "park", "mall", "theatre", "theater",
    /* venues and buildings named for where they stand: "Copacabana
     * Palace", "Shanghai Tower", "Sydney Festival", "Honolulu Academy" */
    "palace", "tower", "festival", "academy", "centre", "center", "castle",
    "highway", "resort", "zoo", "library", "gallery", "hall", "plaza",
    "market", "garden", "gardens", "temple", "mosque", "cemetery",
    "monument", "arena", "pier",
    /* armed forces: "Thirty-ninth New York Volunteers", "Texas National
     * Guard", "U. S. Forces", "California Volunteer Cavalry" */
    "army", "navy", "marines", "guard", "guards", "troops", "militia",
    "regiment", "regiments", "battalion", "brigade", "corps", "cavalry",
    "infantry", "artillery", "volunteers", "volunteer", "rifles",
    "battery", "forces", "engineers", NULL};
static const char *const org_heads[] = {
    "organisation", "organization", "council", "committee", "ministry",
    "department", "agency", "union", "association", "centre", "center",
    "institute", "bank", "fund", "court", "commission", "office", "service",
    "services", "forces", "party", "alliance", "treaty", "university",
    "college", "school", "company", "corporation", "society", "foundation",
    "board", "authority", "administration", "bureau", "network",
    "federation", "league", "congress", "parliament", "assembly", "senate",
    "tribunal", "mission", "programme", "program", "initiative", "forum",
    "chiefs", "staff", "security", "cooperation", "development", "trade",
    "international", "national", "global", "world", "museum", "hospital",
    /* commands and units of an army, named for where they serve:
     * "Dept. of Kansas", "District of Arizona", "Division of the
     * Mississippi", "Army of the Potomac", "First Cavalry of Colorado";
     * a district in lower case ("the district of Kandahar") is no head,
     * as no head is */
    "dept", "dist", "district", "div", "division", "army", "armies",
    "cavalry", "infantry", "artillery", "regiment", "brigade", NULL};
/* Capitalised words that follow a place without being part of a name:
 * "Toronto Saturday", "Kyiv March 3". */
static const char *const calendar_words[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    NULL};
/* Compass and position words: before a region they name a part of it,
 * and the matcher joins them to it ("East Ukraine", "Central Africa");
 * alone ("the East", "the Southern Front") they are no place, even where
 * a gazetteer entry has the word as its whole name. */
static const char *const compass_words[] = {
    "north", "south", "east", "west", "northern", "southern", "eastern",
    "western", "central", "northeast", "northwest", "southeast",
    "southwest", "northeastern", "northwestern", "southeastern",
    "southwestern", NULL};
/* Head words of geographic features and forts: capitalised after a name
 * ("Mississippi River", "Baker Beach") or before it ("Fort Yuma", "Camp
 * Nelson") they make it part of a longer feature's name, which the
 * gazetteer does not hold (its own names are matched whole first: "Lake
 * Placid", "Rhode Island"). The corpora mark the longer name: 7 of the
 * 387 such matches in the dev corpora are a gold toponym ("Earthquake
 * Shakes Iceland Volcano"). */
static const char *const feature_heads[] = {
    "river", "rivers", "creek", "canal", "channel", "strait", "straits",
    "bay", "gulf", "harbor", "harbour", "cove", "inlet", "sea", "coast",
    "beach", "island", "islands", "peninsula", "lake", "lakes", "falls",
    "dam", "valley", "basin", "gap", "ford", "mountain", "mountains",
    "hill", "hills", "ridge", "plateau", "desert", "forest", "reserve",
    "reservation", "glacier", "volcano", "trail", "levels", NULL};
/* Heads of org_after's words that end a building's or a venue's name
 * the corpora mark as a place ("Copenhagen Airport", "Pala Mesa
 * Resort", "Golden Gate Bridge", "Tahrir Square"): of org_after's words,
 * those that ended a gold toponym in most of their capitalised runs in
 * TR-News, TUD-Loc (train, validation), GeoCorpora and WoTR (acc22;
 * not "center", "church", "festival", "hall", "market": mostly no
 * place there). A run ending in one is taken whole as a feature's name
 * is (take_feature_names), weighed by its own fitted feature. With
 * "street", "road" and "avenue" too (whole_venue_name fitted -0.365),
 * ev.sh: TUD-Loc F1 0.8494 either way ("Collins Avenue" 4 found,
 * "Al-Rashid Street" 2 wrong), but TR-News precision 0.9413 -> 0.9355:
 * it marks its streets without coordinates, which the scorer counts
 * as false positives ("Hertford Road"); left out. */
static const char *const venue_heads[] = {
    "square", "hotel", "resort", "airport", "bridge", "park", "palace",
    "tower", "stadium", "pier", "castle", "cathedral", "museum", "mall",
    "plaza", "zoo", NULL};
static const char *const feature_prefixes[] = {
    "fort", "camp", "battery", "redoubt", "mount", "lake", "cape", NULL};
/* Nouns a place name modifies to say where something happens or whom it
 * serves: an event ("Napa earthquake", "the Ferguson riot", "Peshawar
 * Massacre") or a local body ("Ferguson Police", "Gaza residents"). Unlike
 * org_after's words they make no longer name of their own, so the place
 * stays the mention; war is left out, as a war's name ("the Crimean
 * War", "Civil War") is a name of its own. */
static const char *const local_nouns[] = {
    "earthquake", "earthquakes", "quake", "quakes", "aftershock",
    "aftershocks", "flood", "floods", "flooding", "fire", "fires",
    "wildfire", "wildfires", "blaze", "riot", "riots", "rioting", "protest",
    "protests", "protesters", "protestors", "demonstration",
    "demonstrations", "rally", "tornado", "tornadoes", "storm", "storms",
    "hurricane", "typhoon", "cyclone", "outbreak", "epidemic", "massacre",
    "attack", "attacks", "bombing", "bombings", "shooting", "shootings",
    "blast", "explosion", "violence", "unrest", "clashes", "crisis",
    "siege", "uprising", "disaster", "police", "residents", "authorities",
    "officials", NULL};
/* Ordinals before a name make a unit of it ("First California
 * Volunteers", "Thirty-ninth New York", "the 108th New York"): a
 * regiment, not the place. The digit forms are read apart
 * (ordinal_token). */
static const char *const ordinals[] = {
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
    "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
    "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth", "twentieth", "thirtieth", "fortieth", "fiftieth", NULL};
/* Verbs of saying: a name right before one ("Xinhua reported", "Brent
 * told CTV") is the speaker, a news agency's, a company's or a person's
 * name. Not a country's or a region's ("Ukraine says", "the US said"):
 * the corpora mark those, a government speaking for its land; nor a
 * preposition's object ("crew based at Heathrow said", "ladies of West
 * Liberty wrote"), which is not the speaker. */
static const char *const speech_verbs[] = {
    "said", "says", "told", "tells", "reported", "announced", "stated",
    "added", "warned", "wrote", "writes", NULL};
/* Nouns of a kind of organisation: a name right after one in lower case
 * is that organisation's, in apposition ("state news agency Xinhua",
 * "the tour operator Hayes & Jarvis", "sister brand Vauxhall"). */
static const char *const org_kinds[] = {
    "agency", "airline", "carrier", "broadcaster", "newspaper", "daily",
    "company", "firm", "network", "magazine", "brand", "retailer",
    "operator", "maker", "publisher", "insurer", "lender", "group", NULL};
/* Words that open a sports club's name before its city's: "Real
 * Madrid", "Atletico Madrid", "Deportivo La Coruna", "Olympique
 * Marseille", "Dynamo Kyiv". Capitalised before a name they make it the
 * club's. */
static const char *const club_prefixes[] = {
    "real", "atletico", "deportivo", "sporting", "olympique",
    "dynamo", "dinamo", "racing", "athletic", "inter", NULL};
/* Kind nouns: lower case before a name or a list of names ("the city
 * of X", "cities such as Kharkiv and Zaporizhzhia", "the state of X",
 * "regions like Donetsk") they say what the names are (kind_before).
 * Not the units whose names are their towns' (a municipality, district,
 * canton, parish, borough or department of X is most often the town X
 * in WikToR), nor "area", "territory" or "republic", which name a
 * country's land as often: with all of admin_suffixes and city_suffixes
 * WikToR's acc@161 fell 0.7400 -> 0.7396 and its mean rose 1445 -> 1468
 * km (48 names right -> wrong, 39 wrong -> right: "the municipality of
 * Ocampo" a group apart from "Ocampo", whose Mexican unit then drew the
 * town to Mexico); with these lists 0.7400 -> 0.7417, 1445 -> 1438 km
 * (36 wrong -> right, none right -> wrong). */
static const char *const city_kinds[] = {
    "city", "cities", "town", "towns", "village", "villages",
    "settlement", "settlements", "port", "ports", NULL};
static const char *const admin_kinds[] = {
    "region", "regions", "province", "provinces", "state", "states",
    "oblast", "oblasts", "county", "counties", "governorate",
    "governorates", "prefecture", "prefectures", NULL};
static const char *const function_words[] = {"for", "and", "of", "in", "the",
                                             "on", "de", "du", "la", "del",
                                             NULL};

/* Membership in the lists above through one hash table of their words,
 * each with a bit per list it is in: a match asks about the words around
 * it a dozen times, and scanning the lists was most of the recogniser's
 * time. */
static const char *const *const cue_lists[] = {
    strong_preps, weak_preps,     titles,         admin_suffixes,
    city_suffixes, org_after,     org_heads,      calendar_words,
    compass_words, function_words, feature_heads, feature_prefixes,
    local_nouns, ordinals, speech_verbs, org_kinds, club_prefixes,
    city_kinds, admin_kinds, venue_heads};
/* A word's lists as bits (cues_of), in cue_lists' order: a match asks
 * about the same word before and after it up to five times, and one
 * lookup answers them all. */
enum {
  STRONG_PREP = 1 << 0, WEAK_PREP = 1 << 1, TITLE = 1 << 2,
  ADMIN_SUFFIX = 1 << 3, CITY_SUFFIX = 1 << 4, ORG_AFTER = 1 << 5,
  ORG_HEAD = 1 << 6, CALENDAR_WORD = 1 << 7, COMPASS_WORD = 1 << 8,
  FUNCTION_WORD = 1 << 9, FEATURE_HEAD = 1 << 10, FEATURE_PREFIX = 1 << 11,
  LOCAL_NOUN = 1 << 12, ORDINAL = 1 << 13, SPEECH_VERB = 1 << 14,
  ORG_KIND = 1 << 15, CLUB_PREFIX = 1 << 16, CITY_KIND = 1 << 17,
  ADMIN_KIND = 1 << 18, VENUE_HEAD = 1 << 19
};
_Static_assert(VENUE_HEAD ==
                   1 << (sizeof cue_lists / sizeof *cue_lists - 1),
               "one bit per list of cue_lists, in its order");
/* A power of two, over four times the words: most words asked about are
 * in no list, and a miss probes until an empty slot, about 1.1 slots at
 * this load and twice as many at half of it (1024 slots: cues_of 8.7M
 * instructions of gm_parse's 347M on the sample, 2048: 7.6M). An entry
 * is 16 bytes: the table's 32 KB fit in L1 as the 24 KB of 1024 wider
 * ones did. */
#define CUE_SLOTS 2048
static struct {
  const char *word;
  uint32_t hash;         /* cue_hash(word, len) */
  unsigned len : 8;      /* the lists' words are short (a dozen bytes) */
  unsigned lists : 24;   /* bit i: in cue_lists[i] */
} cue_table[CUE_SLOTS];
_Static_assert(sizeof cue_table[0] == 16, "a cue slot is 16 bytes");
_Static_assert(VENUE_HEAD < 1 << 24, "every list's bit fits in lists");
static pthread_once_t cue_once = PTHREAD_ONCE_INIT;

/* The table's own hash: of the length and the first, second and last
 * bytes, read without a pass over the word (tokens know their length),
 * since hashing every byte of every word asked about was most of a
 * lookup. Any hash serves: the table is made with this one, and a
 * lookup compares whole words. */
static uint32_t cue_hash(const char *word, size_t len)
{
  const unsigned char *w = (const unsigned char *)word;
  uint32_t h = (uint32_t)len * 0x9E3779B1u;

  if (len)
    h ^= (w[0] | (uint32_t)w[len - 1] << 8 | (uint32_t)w[len > 1] << 16) *
         0x85EBCA77u;
  return h ^ (h >> 15);
}

static size_t cue_slot(const char *word, size_t len, uint32_t *hash)
{
  uint32_t h = cue_hash(word, len);
  size_t i = h & (CUE_SLOTS - 1);

  while (cue_table[i].word &&
         (cue_table[i].hash != h || cue_table[i].len != len ||
          memcmp(cue_table[i].word, word, len) != 0))
    i = (i + 1) & (CUE_SLOTS - 1);
  *hash = h;
  return i;
}

static void init_cue_table(void)
{
  for (size_t l = 0; l < sizeof cue_lists / sizeof *cue_lists; l++)
    for (const char *const *w = cue_lists[l]; *w; w++) {
      uint32_t h;
      size_t len = strlen(*w), i = cue_slot(*w, len, &h);
      cue_table[i].word = *w;
      cue_table[i].len = len;
      cue_table[i].hash = h;
      cue_table[i].lists |= 1u << l;
    }
}

/* The lists a word of len bytes is in, as bits (STRONG_PREP, ...): what
 * cue_slot finds, with the bytes compared in a loop, not by memcmp. The
 * words are short and nearly half of those asked about are in the table,
 * and without a call this is a leaf function: the call and the registers
 * it saved cost more than the comparing. */
static unsigned cues_of(const char *word, size_t len)
{
  uint32_t h = cue_hash(word, len);

  for (size_t i = h & (CUE_SLOTS - 1); cue_table[i].word;
       i = (i + 1) & (CUE_SLOTS - 1)) {
    size_t k = 0;
    if (cue_table[i].hash != h || cue_table[i].len != len)
      continue;
    while (k < len && cue_table[i].word[k] == word[k])
      k++;
    if (k == len)
      return cue_table[i].lists;
  }
  return 0;
}

/* The lists token i's normalised form is in. */
static unsigned token_cues(const gm__tokens *t, size_t i)
{
  return cues_of(gm__token_norm(t, i), t->v[i].norm_len);
}

int gm__compass_word(const char *norm)
{
  pthread_once(&cue_once, init_cue_table);
  return (cues_of(norm, strlen(norm)) & COMPASS_WORD) != 0;
}

static int is_cap(const gm__token *t)
{
  return (t->flags & (GM__TOK_CAP | GM__TOK_ALLCAPS)) != 0;
}

/* The token before/after a match when nothing but spaces (or a hyphen)
 * stands between them; -1 otherwise. */
static long adjacent_before(const gm__tokens *t, size_t i)
{
  if (i == 0 || (t->v[i].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_HYPHEN)))
    return -1;
  return (long)i - 1;
}

static long adjacent_after(const gm__tokens *t, size_t end)
{
  if (end >= t->n ||
      (t->v[end].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_HYPHEN)))
    return -1;
  return (long)end;
}

/* "Dept. of Kansas", "DIST. OF MINN.": whether token i is an
 * organisation's head word written short (four letters at most, as a
 * sentence's last word "District." is not), capitalised with its
 * period, which the scan for a name's head may pass. */
static int abbreviated_head(const gm__pipeline *p, size_t i)
{
  const gm__token *head = &p->tokens.v[i];

  return is_cap(head) && head->end - head->start <= 4 &&
         head->end < p->text_len && p->text[head->end] == '.' &&
         (token_cues(&p->tokens, i) & ORG_HEAD);
}

/* Does the match sit inside a longer capitalised name with an
 * organisation's head word ("Organisation for Security and Cooperation in
 * Europe", "International Centre for Defense and Security")? Scans back
 * through capitalised words and the function words that join them. A
 * lower-case "in" right before the match says where the organisation is
 * ("Scripps Memorial Hospital in La Jolla", "Biola University in La
 * Mirada"), unless the name has "for" before it: then the place is the
 * field of what the organisation is for, part of its name (the OSCE).
 * Across TR-News, TUD-Loc, GeoCorpora and WoTR, 38 of the 40 names the
 * old rule took inside a name after such an "in" were gold places. */
static int inside_org_name(const gm__pipeline *p, size_t start,
                           size_t sent_start)
{
  const gm__tokens *t = &p->tokens;
  size_t caps = 0;
  int head = 0, located = 0;

  for (size_t i = start; i > 0;) {
    const gm__token *cur = &t->v[i];
    unsigned cues,
        sep = cur->sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_HYPHEN |
                                     GM__SEP_APOS);
    /* the period of "DEPT. OF" may also have started a sentence */
    if ((sep || i <= sent_start) &&
        !(sep == GM__SEP_STOP && abbreviated_head(p, i - 1)))
      break;
    i--;
    cues = token_cues(t, i);
    if (is_cap(&t->v[i])) {
      caps++;
      head |= (cues & ORG_HEAD) != 0;
      if (head && !located)
        return 1;
    } else if (!(cues & FUNCTION_WORD)) {
      break;
    } else if (i + 1 == start && strcmp(gm__token_norm(t, i), "in") == 0) {
      located = 1;
    } else if (head && strcmp(gm__token_norm(t, i), "for") == 0) {
      return 1;
    }
    if (caps > 6)
      break;
  }
  return 0;
}

/* "Burning Man.", "Oh.", "Me.": an abbreviation that is also a common
 * word ends a sentence as that word unless it stands where a state's
 * abbreviation does, after a town and its comma ("Salem, Ore.",
 * "Jackson, Miss."). */
static int common_word_alone(const gm__pipeline *p, size_t i)
{
  const gaz_word *word = gm__token_word(p, i);

  return word && word->lower > word->upper &&
         !(p->tokens.v[i].sep & GM__SEP_COMMA);
}

/* Whether token i is "Ter." ("TER."), the abbreviation of
 * "Territory" ("Wash. Ter.", "COLO. TER."). */
static int territory_word(const gm__pipeline *p, size_t i)
{
  const gm__tokens *t = &p->tokens;

  return i < t->n && (t->v[i].flags & GM__TOK_CAP) &&
         t->v[i].end < p->text_len && p->text[t->v[i].end] == '.' &&
         strcmp(gm__token_norm(t, i), "ter") == 0;
}

/* Whether the match is one word, or words joined by periods ("N.
 * Mex", "S. Dak"): the words an abbreviation may have. */
static int abbreviated_words(const gm__tokens *t, const gm__work *w)
{
  for (size_t i = w->tok_start + 1; i < w->tok_end; i++)
    if (!(t->v[i].sep & GM__SEP_STOP))
      return 0;
  return 1;
}

/* "Ky.", "Calif.", "Alta.", "N. Mex.": a region's abbreviation with its
 * period — a capitalised token of two to five letters (alone or after
 * words joined by periods), a '.' right after it, which reaches a
 * region by an alternate name or a code of three letters or more (the
 * AP forms: Ky., Calif., Alta.; a two-letter code in mixed
 * case, "Ms." or "Co.", is something else) and no region by its primary
 * name ("Dubai." ends a sentence; Alta, Norway, does not make "Alta."
 * less Alberta's). In capitals the period usually ends a sentence ("the
 * US."), so a code in capitals ("MO.", "KY." of the 1860s reports: any
 * length, as codes are) counts only where a comma or semicolon follows
 * the period, which no sentence end has ("NEOSHO, MO., February 1"), or
 * "TER." ("COLO. TER."). */
static int region_abbreviation(const gm__pipeline *p, const gm__work *w)
{
  const gm__token *last = &p->tokens.v[w->tok_end - 1];
  size_t len = last->end - last->start;
  int caps = (last->flags & GM__TOK_ALLCAPS) != 0;
  int region = 0;

  if (!abbreviated_words(&p->tokens, w) || !(last->flags & GM__TOK_CAP) ||
      len < 2 || len > 5 || last->end >= p->text_len ||
      p->text[last->end] != '.')
    return 0;
  if (caps && (last->end + 1 >= p->text_len ||
               (p->text[last->end + 1] != ',' &&
                p->text[last->end + 1] != ';')) &&
      !territory_word(p, w->tok_end))
    return 0;
  if (common_word_alone(p, w->tok_end - 1))
    return 0;
  for (size_t i = 0; i < w->n_postings; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[i].entry);
    unsigned how = w->postings[i].how;
    if (!e || !gm__entry_is_region(e))
      continue;
    if (gm__by_own_name(how))
      return 0;
    if (how == GM_HOW_ALTERNATE ||
        (how == GM_HOW_CODE && (len >= 3 || caps)))
      region = 1;
  }
  return region;
}

/* A character a Twitter handle may hold: ASCII letters, digits, '_'. */
static int handle_char(char c)
{
  return c == '_' || (c >= '0' && c <= '9') ||
         ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* "@MSF_USA", "@News10_CA": a word of a Twitter handle names an account,
 * not a place. Looks back over the handle's characters (at most 15, the
 * longest handle) for its '@'. */
static int in_handle(const gm__pipeline *p, const gm__token *first)
{
  size_t i = first->start, stop = i > 16 ? i - 16 : 0;

  while (i > stop && handle_char(p->text[i - 1]))
    i--;
  return i > 0 && p->text[i - 1] == '@';
}

/* A word that, capitalised after a name, makes it part of a longer
 * name: no surname ("Huntington Creek", "Madison Avenue", "Huntington
 * North High School"; SUBTLEX-US capitalises "Creek" of Dawson's Creek). */
static int names_a_part(unsigned next_cues)
{
  return (next_cues & (FEATURE_HEAD | ORG_AFTER | ADMIN_SUFFIX |
                       CITY_SUFFIX | COMPASS_WORD)) != 0;
}

/* "MT @Independent:", "RT @user": a word right before an @handle
 * introduces the account's words (MT, a modified tweet) more often than
 * it names a place. */
static int before_handle(const gm__pipeline *p, const gm__token *last)
{
  size_t i = last->end;

  while (i < p->text_len && p->text[i] == ' ')
    i++;
  return i + 1 < p->text_len && p->text[i] == '@' &&
         handle_char(p->text[i + 1]);
}

/* Whether token `next` is a capitalised name a title can stand before:
 * after spaces, or after the period of an abbreviated title ("Sen.
 * Rand"), not after a sentence's end ("... the King. Officials said"). */
static int title_of_name(const gm__tokens *t, size_t next)
{
  const gm__token *title = &t->v[next - 1];
  unsigned sep;

  if (next >= t->n || !is_cap(&t->v[next]))
    return 0;
  sep = t->v[next].sep;
  if (sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_STOP))
    return 0;
  return !(sep & GM__SEP_STOP) || title->end - title->start <= 4;
}

/* "Morton's Ford", "Cole's Island": a feature named for its owner; token
 * `end` is the "s" after the name's apostrophe. */
static int possessive_feature(const gm__tokens *t, size_t end)
{
  if (end + 1 >= t->n || t->v[end].sep != GM__SEP_APOS ||
      t->v[end].end - t->v[end].start != 1 ||
      strcmp(gm__token_norm(t, end), "s") != 0 ||
      t->v[end + 1].sep != GM__SEP_SPACE || !is_cap(&t->v[end + 1]))
    return 0;
  return (token_cues(t, end + 1) & FEATURE_HEAD) != 0;
}

/* "Sea of Azov", "Gulf of Mexico", "Bay of Biscay": whether a capitalised
 * feature head and "of" stand right before token i (a name's first, in
 * the sentence from token `from`), which makes the name part of the
 * feature's, as "Mississippi River" does: the gazetteer holds no seas,
 * and "Azov" alone is a town. Not an island's: "the Island of
 * Montreal", "the Island of Tobago" name the island by the place it is
 * (with island, WikToR lost those five names). On the seven corpora
 * the rule took 75 names out: one "Gulf of Mexico" TUD-Loc does not
 * mark (F1 0.8405 -> 0.8407), and 74 in WikToR, which scores its gold
 * only (none of them; 66 of a gulf, bay, sea or strait, 7 of a valley,
 * basin, lake or mountains); its "the state of Georgia and the Gulf of
 * Mexico" became the US state. */
static int after_feature_of(const gm__tokens *t, size_t i, size_t from)
{
  long of = adjacent_before(t, i), head, pre;
  const char *word;

  if (of < 0 || (size_t)of <= from ||
      strcmp(gm__token_norm(t, (size_t)of), "of") != 0)
    return 0;
  head = adjacent_before(t, (size_t)of);
  if (head < 0 || !is_cap(&t->v[head]) ||
      !(token_cues(t, (size_t)head) & FEATURE_HEAD))
    return 0;
  /* a name before the head is the feature's own, and the name after
   * "of" the land it lies in: "the Annapolis Valley of Nova Scotia",
   * "the Upper Peninsula of Michigan" (without this WikToR lost 20 more
   * names, 18 of them such) */
  pre = adjacent_before(t, (size_t)head);
  if (pre >= 0 && is_cap(&t->v[pre]) &&
      strcmp(gm__token_norm(t, (size_t)pre), "the") != 0)
    return 0;
  word = gm__token_norm(t, (size_t)head);
  return strcmp(word, "island") != 0 && strcmp(word, "islands") != 0;
}

/* "according to Xinhua", "according to Fairfax Media": token i is the
 * "to" of "according to", which names a source, not a place. */
static int according_to(const gm__tokens *t, size_t i)
{
  return i > 0 && strcmp(gm__token_norm(t, i), "to") == 0 &&
         t->v[i].sep == GM__SEP_SPACE &&
         strcmp(gm__token_norm(t, i - 1), "according") == 0;
}

/* "W. T. SHERMAN", "Huey P. Newton": a name right after an initial (one
 * capital letter and its period) is a surname. Unlike a title's, this
 * evidence is not spread over the document (person_evidence): a town
 * "named for James P. Kirkwood" is Kirkwood everywhere else. */
static int after_initial(const gm__pipeline *p, size_t i)
{
  const gm__tokens *t = &p->tokens;
  const gm__token *initial;

  if (i == 0 || !(t->v[i].sep & GM__SEP_STOP) ||
      (t->v[i].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_STOP)))
    return 0;
  initial = &t->v[i - 1];
  return initial->end - initial->start == 1 && (initial->flags & GM__TOK_CAP) &&
         p->text[initial->end] == '.';
}

/* "Mr. Williams", "Gen. Grant": a name right after a title written
 * short with its period (adjacent_before stops at the period, so the
 * title's cue is read here). */
static int after_abbreviated_title(const gm__pipeline *p, size_t i)
{
  const gm__tokens *t = &p->tokens;
  const gm__token *title;

  if (i == 0 || t->v[i].sep != (GM__SEP_SPACE | GM__SEP_STOP))
    return 0;
  title = &t->v[i - 1];
  return title->end - title->start <= 4 && (title->flags & GM__TOK_CAP) &&
         p->text[title->end] == '.' && (token_cues(t, i - 1) & TITLE);
}

/* The word after an initialism's own period ("U. S. Army", "U.S.
 * Navy"): the period belongs to the name (take_periods), so what
 * follows may still be the organisation the name is part of. -1 when
 * the match does not end in an initial, or more than the period and
 * spaces stand between. Used for organisation words only: after a
 * sentence's end a capitalised word ("the U.S. Although") is no cue. */
static long after_initialism(const gm__pipeline *p, const gm__work *w)
{
  const gm__tokens *t = &p->tokens;
  const gm__token *last = &t->v[w->tok_end - 1];

  if (w->tok_end >= t->n || last->end - last->start != 1 ||
      !(last->flags & GM__TOK_CAP) || p->text[last->end] != '.' ||
      (t->v[w->tok_end].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_STOP)) ||
      !(t->v[w->tok_end].sep & GM__SEP_SPACE))
    return -1;
  return (long)w->tok_end;
}

static const gaz_word *word_of(const gm__pipeline *p, size_t i)
{
  return gm__token_word(p, i);
}

/* log10(1 + n), remembered: four of a match's features are one, and
 * log10 cost more than the rest of their work. */
static double log10_1p(gm__pipeline *p, uint32_t n)
{
  gm__log_slot *slot =
      &p->log_memo[(n * 0x9E3779B1u) >> (32 - GM__LOG_SLOT_BITS)];

  if (slot->n != n) {
    slot->n = n;
    slot->log = log10(1.0 + n);
  }
  return slot->log;
}

/* What the match's usable postings can name. */
typedef struct kinds {
  int region, country, continent, demonym_only, demonym, primary, code;
  int capital;   /* a national or provincial capital by its own name */
  uint32_t max_population;
  uint32_t named_population;   /* the largest place by its own name */
} kinds;

static kinds kinds_of_postings(const gm__pipeline *p, const gm__work *w)
{
  kinds k = {.demonym_only = 1};

  for (size_t i = 0; i < w->n_postings; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[i].entry);
    unsigned how = w->postings[i].how;
    if (!e)
      continue;
    if (how != GM_HOW_DEMONYM)
      k.demonym_only = 0;
    else
      k.demonym = 1;
    if (how == GM_HOW_CODE)
      k.code = 1;
    if (gm__by_own_name(how) ||
        (how == GM_HOW_CODE && gm__entry_is_region(e)))
      k.primary = 1;
    if (gm__entry_is_region(e))
      k.region = 1;
    if (gm__by_own_name(how) && e->fclass == 'P' &&
        (GM__FCODE_IS(e, "PPLC") || GM__FCODE_IS(e, "PPLA")))
      k.capital = 1;
    if (gm__gaz_is_country(e))
      k.country = 1;
    if (e->fclass == 'L' && GM__FCODE_IS(e, "CONT"))
      k.continent = 1;
    if (e->population > k.max_population)
      k.max_population = e->population;
    if (gm__by_own_name(how) && !gm__entry_is_region(e) &&
        e->population > k.named_population)
      k.named_population = e->population;
  }
  return k;
}

/* One remembered answer of kinds_of: a function of the posting list
 * alone, which the same name brings back in every article that names it
 * ("U.S.", "Kyiv"), and reading every posting's entry was a sixth of the
 * recogniser's time. */
struct gm__kinds_slot {
  const gm_posting *postings;   /* NULL: an empty slot */
  size_t n_postings;
  kinds kinds;
};

/* What the match's usable postings can name, through the parser's memo
 * (when it has one). */
static kinds kinds_of(gm__pipeline *p, const gm__work *w)
{
  gm__kinds_slot *slot;
  uintptr_t h = (uintptr_t)w->postings;

  if (!p->kinds_memo || !w->postings)
    return kinds_of_postings(p, w);
  slot = &p->kinds_memo[((uint64_t)h * 0x9E3779B97F4A7C15ull) >>
                        (64 - GM__KINDS_SLOT_BITS)];
  if (slot->postings != w->postings || slot->n_postings != w->n_postings)
    *slot = (gm__kinds_slot){.postings = w->postings,
                             .n_postings = w->n_postings,
                             .kinds = kinds_of_postings(p, w)};
  return slot->kinds;
}

void gm__reason(gm__work *w, const char *signal, double value, double weight)
{
  if (w->n_reasons < GM__MAX_REASONS && value != 0)
    w->reasons[w->n_reasons++] = (gm_reason){signal, value, weight};
}

/* The features, their names (the reasons' signals) and weights. */
enum {
#define GM__FEATURE_ENUM(name, weight) F_##name,
  GM__RECOG_FEATURES(GM__FEATURE_ENUM)
#undef GM__FEATURE_ENUM
  N_FEATURES
};

static const char *const feature_names[N_FEATURES] = {
#define GM__FEATURE_NAME(name, weight) #name,
    GM__RECOG_FEATURES(GM__FEATURE_NAME)
#undef GM__FEATURE_NAME
};

static const double feature_weights[N_FEATURES] = {
#define GM__FEATURE_WEIGHT(name, weight) weight,
    GM__RECOG_FEATURES(GM__FEATURE_WEIGHT)
#undef GM__FEATURE_WEIGHT
};

_Static_assert(N_FEATURES <= 64, "a bit of recog_features per feature");

/* Add feature f to w's logit and reasons, and mark it in
 * w->recog_features when its reason is kept (has_feature asks). */
static void feature(gm__work *w, int f, double value)
{
  double contribution = feature_weights[f] * value;
  size_t before = w->n_reasons;

  w->recog_logit += contribution;
  gm__reason(w, feature_names[f], value, contribution);
  if (w->n_reasons > before)
    w->recog_features |= (uint64_t)1 << f;
}

/* Whether most of a sentence's words of two letters or more are in
 * capitals: a shouted tweet or a dateline, where a word in capitals is
 * no acronym ("FREETOWN", "MOROCCO"). */
static int shouted(const gm__tokens *t, const gm__sentence *s)
{
  size_t words = 0, caps = 0;

  for (size_t i = s->tok_start; i < s->tok_end; i++) {
    if (t->v[i].end - t->v[i].start < 2 || (t->v[i].flags & GM__TOK_DIGIT))
      continue;
    words++;
    caps += (t->v[i].flags & GM__TOK_ALLCAPS) != 0;
  }
  return 2 * caps > words;
}

/* "ITU", "FSA", "YAO", "TPP": a word of three or four capitals in a
 * sentence of mixed case is an acronym, which a gazetteer also holds as
 * a small place's name, an airport's code or an alternate name far more
 * often than the writer means the place (NYC and USA have their other
 * evidence: a country, "in NYC"). The sentence's case is read last,
 * and once (*shout, -1 until then): most matches are no such word, and
 * reading every sentence that has a match cost more than the test. */
static int acronym_word(const gm__pipeline *p, const gm__work *w, int single,
                        int *shout)
{
  const gm__token *first = &p->tokens.v[w->tok_start];
  size_t len = first->end - first->start;

  if (!single || !(first->flags & GM__TOK_ALLCAPS) ||
      !(first->flags & GM__TOK_ASCII) || len < 3 || len > 4)
    return 0;
  if (*shout < 0)
    *shout = shouted(&p->tokens, &p->sentences[w->sentence]);
  return !*shout;
}

/* "Texas National Guard", "U. S. Army": a capitalised organisation's
 * word right after the name (token `after`, or the word after an
 * initialism's period). */
static int org_word_after(const gm__pipeline *p, const gm__work *w,
                          long after)
{
  const gm__tokens *t = &p->tokens;

  if (after < 0)
    after = after_initialism(p, w);
  return after >= 0 && is_cap(&t->v[after]) &&
         (token_cues(t, (size_t)after) & ORG_AFTER);
}

/* "WASHINGTON Barack Obama pardoned", "DETROIT The U.S. Transportation
 * Department": a dateline whose dash the text lost. A name in capitals
 * that opens a line before a word in mixed case; words of two letters
 * or more, as codes and initials ("U.S. Secretary", "U. S. Navy",
 * "DRC Malaria Team") open lines too; and no initial after it, which
 * signs a letter ("DAVID D. PORTON,"). */
static int dateline_without_dash(const gm__tokens *t, const gm__work *w)
{
  const gm__token *next = &t->v[w->tok_end];

  for (size_t i = w->tok_start; i < w->tok_end; i++)
    if (!(t->v[i].flags & GM__TOK_ALLCAPS) || t->v[i].end - t->v[i].start < 2)
      return 0;
  return t->v[w->tok_end - 1].end - t->v[w->tok_start].start >= 4 &&
         (next->flags & GM__TOK_CAP) && !(next->flags & GM__TOK_ALLCAPS) &&
         next->end - next->start >= 2;
}

/* "TORRINGTON — Mayor Ryan Bingham", "BERLIN (AP) —", "HUNTSVILLE, May
 * 9, 1864.": a name that opens a line, followed by a dash or a bracket
 * after a space (in capitals), or by a comma and a date (in capitals or
 * not: "Memphis, June 15, 1864."), is a news report's or a dispatch's
 * dateline: the place it was written in. A person's name in capitals
 * signs a letter there ("SAM. JONES,") with no date after it. */
static int dateline(const gm__pipeline *p, const gm__work *w)
{
  const gm__tokens *t = &p->tokens;
  const gm__token *first = &t->v[w->tok_start], *last = &t->v[w->tok_end - 1];
  unsigned sep;

  if (!is_cap(first) ||
      (w->tok_start > 0 &&
       !(first->sep & (GM__SEP_NEWLINE | GM__SEP_PARAGRAPH | GM__SEP_START))) ||
      w->tok_end >= t->n)
    return 0;
  sep = t->v[w->tok_end].sep;
  if (sep & (GM__SEP_HYPHEN | GM__SEP_BRACKET))
    return (first->flags & GM__TOK_ALLCAPS) &&
           (last->flags & GM__TOK_ALLCAPS) && p->text[last->end] == ' ' &&
           !(sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_HYPHEN |
                               GM__SEP_BRACKET));
  if (sep == GM__SEP_SPACE)
    return dateline_without_dash(t, w);
  return sep == (GM__SEP_COMMA | GM__SEP_SPACE) &&
         (token_cues(t, w->tok_end) & CALENDAR_WORD) &&
         is_cap(&t->v[w->tok_end]);
}

/* Whether token i is an ordinal: a word of the list ("First") or
 * digits with an ordinal's ending ("108th", "2d", "1st"). */
static int ordinal_token(const gm__tokens *t, size_t i, unsigned cues)
{
  const char *w = gm__token_norm(t, i);
  size_t n = t->v[i].norm_len, digits = 0;

  if (cues & ORDINAL)
    return 1;
  while (digits < n && w[digits] >= '0' && w[digits] <= '9')
    digits++;
  if (digits == 0 || digits == n)
    return 0;
  w += digits;
  n -= digits;
  return (n == 1 && w[0] == 'd') ||
         (n == 2 && (!strcmp(w, "st") || !strcmp(w, "nd") ||
                     !strcmp(w, "rd") || !strcmp(w, "th")));
}

static void recognise_one(gm__pipeline *p, gm__work *w, int *shout)
{
  const gm__tokens *t = &p->tokens;
  const gm__token *first = &t->v[w->tok_start];
  const gm__sentence *s = &p->sentences[w->sentence];
  int sentence_initial = w->tok_start == s->tok_start;
  long before = adjacent_before(t, w->tok_start);
  long after = adjacent_after(t, w->tok_end);
  const char *prev = before >= 0 ? gm__token_norm(t, (size_t)before) : "";
  unsigned prev_cues = before >= 0 ? token_cues(t, (size_t)before) : 0;
  unsigned next_cues = after >= 0 ? token_cues(t, (size_t)after) : 0;
  int single = w->tok_end - w->tok_start == 1;
  kinds k = kinds_of(p, w);

  w->recog_logit = 0;
  w->n_reasons = 0;
  w->recog_features = 0;
  w->cues = 0;
  w->span_tokens = w->tok_end - w->tok_start;
  w->lead_tokens = 0;
  feature(w, F_bias, 1);
  /* An adjective of nationality that is also a town's name ("Canadian",
   * Texas) is the adjective. */
  w->role = k.demonym && is_cap(first) ? GM_ROLE_DEMONYM
            : k.region                 ? GM_ROLE_REGION
                                       : GM_ROLE_PLACE;
  w->region_or_demonym = k.region || k.demonym;
  if (w->role == GM_ROLE_DEMONYM)
    k.demonym_only = 1;

  /* "#Ferguson": a hashtag, as tweets name places */
  if (first->flags & GM__TOK_HASHTAG) {
    int alone = !(first->sep & GM__SEP_CAMEL) &&
                !(w->tok_end < t->n && (t->v[w->tok_end].sep & GM__SEP_CAMEL));
    feature(w, alone ? F_hashtag : F_hashtag_word, 1);
  }
  if (in_handle(p, first))
    feature(w, F_in_handle, 1);
  else if (before_handle(p, &t->v[w->tok_end - 1]))
    feature(w, F_before_handle, 1);

  /* case and position; in a text without capitals every name is read
   * as if capitalised, and the other signals decide (Ju2016) */
  if (p->uncased)
    feature(w, sentence_initial ? F_sentence_initial : F_capitalised, 1);
  else if (first->flags & GM__TOK_LOWER)
    /* a hashtag's case is the writer's whim ("#ferguson", "#malaysia"):
     * the fit weighs it apart */
    feature(w, first->flags & GM__TOK_HASHTAG ? F_lower_case_hashtag
                                                : F_lower_case, 1);
  else if (sentence_initial)
    feature(w, F_sentence_initial, 1);
  else if (is_cap(first))
    feature(w, F_capitalised, 1);
  if (first->flags & GM__TOK_DIGIT)
    feature(w, F_digits, 1);
  int abbreviation = region_abbreviation(p, w);
  if (single && first->end - first->start <= 2 && !abbreviation &&
      !(first->flags & GM__TOK_ALLCAPS))
    feature(w, F_short, 1);
  if (!single)
    feature(w, F_multi_word, 1);
  if (acronym_word(p, w, single, shout))
    feature(w, F_acronym, 1);

  /* what it can name */
  if (k.country)
    feature(w, F_can_be_country, 1);
  else if (k.continent)
    feature(w, F_can_be_continent, 1);
  else if (k.region)
    feature(w, F_can_be_region, 1);
  feature(w, F_log_max_population, log10_1p(p, k.max_population));
  /* "this is my Chicago", "Chicago teens": a large city by its own name
   * is meant even without a cue. The largest population over all names
   * cannot say so: "She", "Part" and "Mil" are alternate names of
   * cities of millions, which is why log_max_population weighs nearly
   * nothing. Counted above 100,000 people, where the corpora's share of
   * places among bare capitalised names turns. */
  if (k.named_population > 100000)
    feature(w, F_large_place_by_name, log10_1p(p, k.named_population) - 5);
  if (k.capital)
    feature(w, F_can_be_capital, 1);
  if (!k.primary && !k.demonym_only && !k.region && k.max_population < 10000)
    feature(w, F_alternate_name_of_small_place, 1);
  else if (!k.region && !k.demonym_only && k.max_population < 5000)
    feature(w, F_small_places_only, 1);

  /* the lexicon: a common word, a given name */
  if (single) {
    const gaz_word *word = word_of(p, w->tok_start);
    /* "US", "UK": an acronym in capitals is not the word "us". */
    int acronym = ((first->flags & GM__TOK_ALLCAPS) && k.code) || abbreviation;
    if (word && word->lower > 0 && !acronym) {
      double share = (double)word->lower / ((double)word->lower + word->upper + 1);
      feature(w, F_common_word, share * log10_1p(p, word->lower) / 4);
    }
    /* SUBTLEXus gives each word once, in its usual case: "Come", "Well",
     * "Miss", "God" stand capitalised at the start of subtitle lines, as
     * do names ("London"); the fit weighs how often. */
    else if (word && word->upper > 0 && !acronym)
      feature(w, F_capitalised_word, log10_1p(p, word->upper) / 4);
    /* "Google" (Topeka took it as its name for a month of 2010),
     * "Ramadan": a word of the lexicon that no place bears as its own
     * name, however large the places that bear it as another. Weighed by
     * how common the word is, as the two features above. */
    if (word && !acronym && !k.primary && !k.demonym_only && !k.region &&
        k.max_population >= 10000)
      feature(w, F_alternate_name_only,
              log10_1p(p, word->lower + word->upper) / 4);
    /* "Unite" (a union), "Hail", "CT" (Central Time): the same for a
     * region's other name, weighed apart, since a region is more often
     * meant by one */
    else if (word && !acronym && !k.primary && !k.demonym_only && k.region)
      feature(w, F_alternate_region_name_only,
              log10_1p(p, word->lower + word->upper) / 4);
    if (word && (word->flags & (GAZ_WORD_GIVEN_F | GAZ_WORD_GIVEN_M))) {
      /* a region by a given name ("Georgia", "Victoria") is no less a
       * region for it, but before a surname it is often a person
       * ("Diana Krall", "Georgia O'Keeffe"): a feature of its own, not
       * spread over the document as a person's (person_evidence), since
       * "Odessa Tiller" makes no other Odessa a person */
      if (!k.region)
        feature(w, F_given_name, 1);
      /* "Troy Smith" is a person; "Troy Police", "Montgomery County",
       * "Ferguson Protest" are not: a capitalised common word is no
       * surname (and one "Montgomery County" marked as a person made
       * every Montgomery of the document one: person_elsewhere). */
      const gaz_word *next_word =
          after >= 0 ? word_of(p, (size_t)after) : NULL;
      if (after >= 0 && is_cap(&t->v[after]) &&
          !(t->v[after].flags & GM__TOK_ALLCAPS) &&
          !(next_word && next_word->lower > next_word->upper) &&
          !names_a_part(next_cues))
        feature(w, k.region ? F_region_name_then_capital
                            : F_given_name_then_capital, 1);
    }
  }

  /* closed classes that a gazetteer also holds as names: "East",
   * "Southern" (parts of something), "August", "Sunday" (dates), and a
   * title before a name ("Sen. Rand Paul", "Ms. Jennings": codes and
   * alternate names of regions) */
  if (single) {
    unsigned cues = token_cues(t, w->tok_start);
    if (cues & COMPASS_WORD)
      feature(w, F_compass_word, 1);
    else if (cues & CALENDAR_WORD)
      feature(w, F_calendar_word, 1);
    else if ((cues & TITLE) && title_of_name(t, w->tok_end))
      feature(w, F_title_before_name, 1);
  }

  /* the words around it */
  int preposition = before >= 0 && (prev_cues & STRONG_PREP) &&
                    !according_to(t, (size_t)before);
  if (preposition && !is_cap(&t->v[before])) {
    feature(w, F_place_preposition, 1);
    w->cues |= GM__CUE_AFTER_PREPOSITION;
  }
  /* "Measles Flare Up In Mecklenburg County", "In Kashmir": a heading's
   * or a sentence's first word; the fit weighs it apart from the
   * running text's "in", and it is no capitalised word of a longer name */
  else if (preposition)
    feature(w, F_capitalised_preposition, 1);
  else if (prev_cues & WEAK_PREP)
    feature(w, F_place_modifier, 1);
  if ((prev_cues & TITLE) || after_abbreviated_title(p, w->tok_start))
    feature(w, F_after_title, 1);
  else if (after_initial(p, w->tok_start))
    feature(w, F_after_initial, 1);
  if (before >= 0 && is_cap(&t->v[before]) && (size_t)before >= s->tok_start) {
    const gaz_word *word = word_of(p, (size_t)before);
    if (prev_cues & FEATURE_PREFIX)
      feature(w, F_in_feature_name, 1);
    else if (prev_cues & CLUB_PREFIX)
      feature(w, F_after_club_prefix, 1);
    /* a given name that is mostly a common word ("Even Portugal", "Free
     * Tibet", "Will") starts a sentence or a slogan as often as a name */
    else if (word && (word->flags & (GAZ_WORD_GIVEN_F | GAZ_WORD_GIVEN_M)) &&
             word->lower <= word->upper)
      feature(w, F_after_given_name, 1);
    else if (strcmp(prev, "the") == 0 && !sentence_initial &&
             (size_t)before != s->tok_start)
      feature(w, F_after_capital_the, 1);
    else if ((size_t)before != s->tok_start &&
             !(prev_cues & (TITLE | STRONG_PREP)))
      feature(w, F_capitalised_word_before, 1);
  } else if (after_feature_of(t, w->tok_start, s->tok_start)) {
    feature(w, F_in_feature_name, 1);
  }
  /* "Metcalfe County man", "Donetsk region"; not "Kentucky State Police",
   * where the capitalised suffix begins an organisation's name. */
  long after2 = after >= 0 ? adjacent_after(t, (size_t)after + 1) : -1;
  int suffix = (next_cues & ADMIN_SUFFIX) && !k.country &&
               !(is_cap(&t->v[after]) && after2 >= 0 &&
                 is_cap(&t->v[after2]));
  if (suffix) {
    feature(w, F_admin_suffix, 1);
    w->cues |= GM__CUE_ADMIN_SUFFIX;
    /* A capitalised suffix is part of the proper name ("Metcalfe
     * County"); a generic one is not ("Idlib province"): so the gold
     * standards of TR-News, TUD-Loc and GeoCorpora all mark them. */
    if (is_cap(&t->v[after]))
      w->span_tokens = w->tok_end - w->tok_start + 1;
  } else if ((next_cues & CITY_SUFFIX) && !is_cap(&t->v[after])) {
    feature(w, F_city_suffix, 1);
    w->cues |= GM__CUE_CITY_SUFFIX;
  } else if (org_word_after(p, w, after)) {
    feature(w, F_organisation_word_after, 1);
  } else if (((next_cues & (FEATURE_HEAD | CITY_SUFFIX)) &&
              is_cap(&t->v[after])) ||
             possessive_feature(t, w->tok_end)) {
    feature(w, F_in_feature_name, 1);
  } else if (next_cues & LOCAL_NOUN) {
    feature(w, F_local_noun_after, 1);
  } else if (after >= 0 && is_cap(&t->v[after]) && !k.region &&
             !(next_cues & CALENDAR_WORD)) {
    feature(w, F_capitalised_word_after, 1);
  }
  if ((next_cues & SPEECH_VERB) && !is_cap(&t->v[after]) && !k.region &&
      !(prev_cues & (STRONG_PREP | WEAK_PREP)))
    feature(w, F_before_speech_verb, 1);
  if ((prev_cues & ORG_KIND) && !is_cap(&t->v[before]) && is_cap(first))
    feature(w, F_after_organisation_kind, 1);
  if (inside_org_name(p, w->tok_start, s->tok_start))
    feature(w, F_inside_organisation_name, 1);
  if (dateline(p, w))
    feature(w, F_dateline, 1);
  if (before >= 0 && ordinal_token(t, (size_t)before, prev_cues))
    feature(w, F_after_ordinal, 1);
}

/* A list's item ends with its mention's text, the suffix the mention
 * took included: "Oregon, Washington Territory, California" lists
 * California after the territory. */
int gm__listed_after(const gm__pipeline *p, const gm__work *a,
                     const gm__work *b)
{
  const gm__tokens *t = &p->tokens;
  unsigned sep = t->v[b->tok_start].sep;
  size_t end = a->tok_start + a->span_tokens;
  const char *w;

  if (end < a->tok_end)
    end = a->tok_end;
  if (b->tok_start == end)
    return (sep & GM__SEP_COMMA) &&
           !(sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_COMMA));
  if (b->tok_start != end + 1)
    return 0;
  w = gm__token_norm(t, end);
  return (!strcmp(w, "and") || !strcmp(w, "or")) &&
         !(sep & ~(unsigned)GM__SEP_SPACE) &&
         !(t->v[end].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_COMMA));
}

/* The next match after i that starts with a capital: lower-case matches
 * ("in", "and" are names of places somewhere) are not mentions to chain. */
static size_t next_capitalised(const gm__pipeline *p, size_t i)
{
  while (++i < p->n_work && !is_cap(&p->tokens.v[p->work[i].tok_start]))
    ;
  return i;
}

/* Whether entry e of an X can lie in region r of its Y: a place (a
 * large one, as the city that gives a province its name is in
 * named_after_city, when X can also name a province), or a county in
 * its state ("Henderson County, Tennessee"). */
static int can_lie_in(const gm__pipeline *p, const gaz_entry *e,
                      const gaz_entry *r, int province_name)
{
  int kind_fits =
      !gm__entry_is_region(e)
          ? !province_name || e->population >= 50000 ||
                GM__FCODE_IS(e, "PPLA") || GM__FCODE_IS(e, "PPLC")
          : e->fclass == 'A' && e->region < 0 && !GM__FCODE_IS(e, "ADM1") &&
                GM__FCODE_IS(r, "ADM1");
  return kind_fits && gm__entry_inside(p, e, r);
}

/* Whether a name that can be a region, but not a country, lies in
 * region y: "Richmond, Virginia" (Richmond is also a London borough) is
 * X in Y; "Russia, U.S." is a list although Russia, Ohio lies in the
 * other. A province's name needs a large place there: "Portland, Oregon"
 * (Portland Parish, Jamaica), while "England, USA" and "Minnesota, US"
 * are lists, not England, Arkansas. Y a country says too little: "Henry
 * Warren, U. S. Volunteers", "El Paso, Mexico" (1862, El Paso del
 * Norte). */
static int place_inside(const gm__pipeline *p, const gm__work *x,
                        const gm__work *y)
{
  int province_name = 0;

  for (size_t i = 0; i < x->n_postings; i++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, x->postings[i].entry);
    if (!e || !gm__entry_is_region(e))
      continue;
    if (gm__gaz_is_country(e))
      return 0;
    if (e->region >= 0 || e->fclass != 'A' || GM__FCODE_IS(e, "ADM1"))
      province_name = 1;
  }
  for (size_t j = 0; j < y->n_postings; j++) {
    const gaz_entry *r = gm__gaz_entry(p->gaz, y->postings[j].entry);
    if (!r || y->postings[j].how == GM_HOW_DEMONYM ||
        !gm__entry_is_region(r) || GM__FCODE_STARTS(r, "PCL"))
      continue;
    for (size_t i = 0; i < x->n_postings; i++) {
      const gaz_entry *e = gm__gaz_entry(p->gaz, x->postings[i].entry);
      if (e && x->postings[i].how != GM_HOW_DEMONYM &&
          can_lie_in(p, e, r, province_name))
        return 1;
    }
  }
  return 0;
}

/* Only a place lies in a region: "Russia, Iran and Turkey" is a list;
 * but for a name that can be a place (or a county) there (place_inside). */
static void set_container(gm__pipeline *p, gm__work *z, size_t container,
                          int f)
{
  if (z->role != GM_ROLE_PLACE &&
      !(z->role == GM_ROLE_REGION &&
        place_inside(p, z, &p->work[container])))
    return;
  z->container = (int32_t)container;
  z->cues |= GM__CUE_CONTAINER;
  feature(z, f, 1);
}

/* The token that ends the list item before the item starting at token k:
 * "A, B" and "A and B" (", and" too). Returns 0 when there is none. */
static int item_before(const gm__tokens *t, size_t k, size_t *end)
{
  unsigned sep = t->v[k].sep;
  const char *w;

  if (k >= 1 && (sep & GM__SEP_COMMA) &&
      !(sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_COMMA))) {
    *end = k - 1;
    return is_cap(&t->v[k - 1]);
  }
  if (k < 2 || (sep & ~(unsigned)GM__SEP_SPACE))
    return 0;
  w = gm__token_norm(t, k - 1);
  if ((strcmp(w, "and") && strcmp(w, "or")) ||
      (t->v[k - 1].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_COMMA)))
    return 0;
  *end = k - 2;
  return is_cap(&t->v[k - 2]);
}

/* Give the container to every match inside tokens [first, last]; w is a
 * match index at or after them, moved back as the walk goes. */
static void contain_items(gm__pipeline *p, size_t *w, size_t first,
                          size_t last, size_t container)
{
  while (*w > 0 && p->work[*w - 1].tok_start >= first) {
    --*w;
    if (p->work[*w].tok_end <= last + 1)
      set_container(p, &p->work[*w], container, F_in_region);
  }
}

/* "near A, B, C and D in Y": every matched name among A..D lies in Y, and
 * the items need not all be known names. Walks back item by item (runs of
 * capitalised words) from the word before "in". */
static void mark_list_before_in(gm__pipeline *p, size_t container)
{
  const gm__tokens *t = &p->tokens;
  size_t in = p->work[container].tok_start - 1, w = container, end, item;

  if (in == 0 || !is_cap(&t->v[in - 1]))
    return;
  end = in - 1;
  for (int items = 0; items < 32; items++) {
    item = end;
    while (item > 0 && is_cap(&t->v[item - 1]) &&
           t->v[item].sep == GM__SEP_SPACE)
      item--;
    contain_items(p, &w, item, end, container);
    if (!item_before(t, item, &end))
      break;
  }
}

/* "X is a town in Y", "X, a small city in Y" (how encyclopaedias open):
 * Y holds X. The word before "in" is a settlement's (city_suffixes);
 * between it and "is", "was" or the comma, at most 4 lower-case words. */
static void mark_settlement_in(gm__pipeline *p, size_t container)
{
  const gm__tokens *t = &p->tokens;
  size_t k = p->work[container].tok_start, i;

  if (k < 4 || !(token_cues(t, k - 2) & CITY_SUFFIX))
    return;
  for (i = k - 3; i > 0 && i + 8 > k; i--) {
    const char *w = gm__token_norm(t, i);
    if (t->v[i].sep != GM__SEP_SPACE && !(t->v[i].sep & GM__SEP_COMMA))
      return;
    if (t->v[i].sep & GM__SEP_COMMA)
      break;   /* X, a city in Y: X ends before token i */
    if (!strcmp(w, "is") || !strcmp(w, "was"))
      break;   /* X is a city in Y: X ends before "is" */
    if (is_cap(&t->v[i]))
      return;
  }
  if (i == 0 || i + 8 <= k)
    return;
  for (size_t m = container; m-- > 0;)
    if (p->work[m].tok_end == i) {
      set_container(p, &p->work[m], container, F_in_region);
      return;
    } else if (p->work[m].tok_end < i) {
      return;
    }
}

/* Containers: "X, Y" and "X in Y" with Y a region make Y the place X lies
 * in, for X and every name listed before it ("A, B and C in D region"). */
static void find_containers(gm__pipeline *p)
{
  const gm__tokens *t = &p->tokens;
  size_t prev = p->n_work;

  for (size_t j = next_capitalised(p, (size_t)-1); j < p->n_work;
       prev = j, j = next_capitalised(p, j)) {
    const gm__work *y = &p->work[j];
    size_t k = y->tok_start;
    if (y->role != GM_ROLE_REGION || k < 2)
      continue;
    if (prev < p->n_work && p->work[prev].tok_end == k &&
        (t->v[k].sep & GM__SEP_COMMA) &&
        !(t->v[k].sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_COMMA)))
      set_container(p, &p->work[prev], j, F_followed_by_region);
    else if (!strcmp(gm__token_norm(t, k - 1), "in") &&
             t->v[k].sep == GM__SEP_SPACE &&
             t->v[k - 1].sep == GM__SEP_SPACE) {
      mark_list_before_in(p, j);
      mark_settlement_in(p, j);
    }
  }
}

/* The capitalised match before match i; (size_t)-1 when there is none. */
static size_t prev_capitalised(const gm__pipeline *p, size_t i)
{
  while (i-- > 0 && !is_cap(&p->tokens.v[p->work[i].tok_start]))
    ;
  return i;
}

/* Whether w's reasons carry feature f, as person_evidence asks; a
 * reason past GM__MAX_REASONS goes unseen. A bit, not a scan of the
 * reasons: spread_evidence asks about every match. */
static int has_feature(const gm__work *w, int f)
{
  return (w->recog_features >> f) & 1;
}

/* "compares Vancouver, Calgary, Edmonton": a list's first names can
 * stand before the one that is recognised on its own, where no name
 * before them lends them listed_with_place. Walked from the end, so that
 * each name passes what it gains to the one before it. Two names joined
 * by a comma alone are no list: "Fore Street, Edmonton", "General
 * Kelly, U. S. Army" name a thing and where it is; so a comma counts
 * only before a name listed with the next ("A, B, C", "A, B and C"). */
static void find_lists_backward(gm__pipeline *p)
{
  size_t next = p->n_work, after_next = p->n_work;

  for (size_t i = prev_capitalised(p, p->n_work); i != (size_t)-1;
       after_next = next, next = i, i = prev_capitalised(p, i)) {
    gm__work *x = &p->work[i];
    const gm__work *y = next < p->n_work ? &p->work[next] : NULL;
    if (!y || !gm__listed_after(p, x, y) || y->recog_logit <= 0 ||
        x->recog_logit >= 1.5 || has_feature(x, F_listed_with_place))
      continue;
    if (y->tok_start == x->tok_end &&   /* a comma, no "and" */
        !(after_next < p->n_work &&
          gm__listed_after(p, y, &p->work[after_next])))
      continue;
    feature(x, F_listed_before_place, 1);
  }
}

/* A name listed after a recognised one shares its evidence; after the
 * containers and the document's regions, which strengthen whole lists. */
static void find_lists(gm__pipeline *p)
{
  size_t prev = p->n_work;

  for (size_t i = next_capitalised(p, (size_t)-1); i < p->n_work;
       prev = i, i = next_capitalised(p, i)) {
    gm__work *x = &p->work[i];
    if (prev < p->n_work && gm__listed_after(p, &p->work[prev], x) &&
        p->work[prev].recog_logit > 0 && x->recog_logit < 1.5)
      feature(x, F_listed_with_place, 1);
  }
  find_lists_backward(p);
}

/* Whether a separator is blank: spaces, a line's end. */
static int blank(unsigned sep)
{
  return sep && !(sep & ~(unsigned)(GM__SEP_SPACE | GM__SEP_NEWLINE));
}

/* The suffix cue (GM__CUE_ADMIN_SUFFIX, GM__CUE_CITY_SUFFIX) that a kind
 * noun in lower case right before w's name gives it, or 0: "the city of
 * X", "the state of X", "cities such as X", "regions like X",
 * "provinces, including X". *plural_of tells a plural before "of",
 * which names the places of X as often as X itself ("the cities of
 * Ukraine"): find_kinds takes it only before a list. */
static unsigned kind_before(const gm__tokens *t, const gm__work *w,
                            int *plural_of)
{
  size_t link = w->tok_start - 1, noun, len;
  const char *word;
  unsigned cues;
  int of;

  *plural_of = 0;
  if (w->tok_start < 2 || !blank(t->v[w->tok_start].sep) ||
      is_cap(&t->v[link]))
    return 0;
  /* Most names follow no such word: compared with its length known,
   * which the compiler does inline (strcmp was a call for every "in"). */
  len = t->v[link].norm_len;
  word = gm__token_norm(t, link);
  of = len == 2 && memcmp(word, "of", 2) == 0;
  if (len == 2 && memcmp(word, "as", 2) == 0 && link >= 2 &&
      blank(t->v[link].sep) && t->v[link - 1].norm_len == 4 &&
      memcmp(gm__token_norm(t, link - 1), "such", 4) == 0)
    link--;
  else if (!of && !(len == 4 && memcmp(word, "like", 4) == 0) &&
           !(len == 9 && memcmp(word, "including", 9) == 0))
    return 0;
  /* "cities, including X"; not "the city, of X" */
  if (!blank(t->v[link].sep) &&
      (of || t->v[link].sep != (GM__SEP_SPACE | GM__SEP_COMMA)))
    return 0;
  noun = link - 1;
  if (is_cap(&t->v[noun]))
    return 0;
  cues = token_cues(t, noun);
  if (!(cues & (ADMIN_KIND | CITY_KIND)))
    return 0;
  /* the lists' plurals, and only they, end in "s" */
  *plural_of = of && gm__token_norm(t, noun)[t->v[noun].norm_len - 1] == 's';
  return cues & ADMIN_KIND ? GM__CUE_ADMIN_SUFFIX : GM__CUE_CITY_SUFFIX;
}

/* A kind noun before a name, or before the list it begins, says what
 * each name is, as a suffix after one does ("Kramatorsk city", "Donetsk
 * region"), and gives the resolver the same cue: "cities such as Kharkiv
 * and Zaporizhzhia" are cities, though GeoNames spells the second city
 * "Zaporizhzhya" and the oblast leads on its name alone. A name with a
 * suffix of its own keeps it. A list is asked about only after a kind
 * noun: a name listed after one without ("Kyiv and Kharkiv") has none
 * before it either.
 * Tried, not kept (session 20): a weight of its own for a place after a
 * city's kind noun (kind_before_place beside city_suffix_place, a cue
 * bit of its own): bench/fit-resolver --only kind_before_place leaves it
 * at 1.354, as the 139 ambiguous fitting mentions it marks (TR-News 12,
 * TUD-Loc 7, GeoCorpora 2, WikToR 118) are 137 right first already; nor
 * does the fit move city_suffix_place (1.354) or the admin suffix's
 * pair (3.354 -> 3.283, -2.354 -> -2.283) with the cue. The README
 * example's Zaporizhzhia stays the oblast. */
static void find_kinds(gm__pipeline *p)
{
  unsigned kind = 0;
  size_t prev = p->n_work;

  for (size_t i = next_capitalised(p, (size_t)-1); i < p->n_work;
       prev = i, i = next_capitalised(p, i)) {
    gm__work *x = &p->work[i];
    if (!kind || !gm__listed_after(p, &p->work[prev], x)) {
      int plural_of;
      size_t next;
      kind = kind_before(&p->tokens, x, &plural_of);
      if (plural_of && ((next = next_capitalised(p, i)) >= p->n_work ||
                        !gm__listed_after(p, x, &p->work[next])))
        kind = 0;
    }
    if (!(x->cues & (GM__CUE_ADMIN_SUFFIX | GM__CUE_CITY_SUFFIX)))
      x->cues |= kind;
  }
}

/* One sense per discourse for people too: a name that is a person's once
 * ("Michael Steele", "Mr Obama") is a person's wherever it recurs, and so
 * is a speaker's ("Xinhua reported": "the news agency Xinhua"). */
static int person_evidence(const gm__pipeline *p, const gm__work *w)
{
  (void)p;
  return has_feature(w, F_after_given_name) ||
         has_feature(w, F_after_title) ||
         has_feature(w, F_given_name_then_capital) ||
         has_feature(w, F_before_speech_verb);
}

/* A name that stands where places stand ("in X", "X, Y") somewhere in
 * the document is more likely a place everywhere in it ("X's latest
 * offer"). */
static int place_evidence(const gm__pipeline *p, const gm__work *w)
{
  return (w->cues & (GM__CUE_AFTER_PREPOSITION | GM__CUE_CONTAINER)) &&
         is_cap(&p->tokens.v[w->tok_start]);
}

/* What two names must share to be the same name (gm__same_name): their
 * number of tokens, their first word's length and first byte, in one
 * number. spread_evidence compares up to 64 names with every name of the
 * text: keys that differ settle nearly every pair without the call,
 * which had cost a fifth of a 1.6 MB article's parse. */
static uint64_t name_key(const gm__pipeline *p, const gm__work *w)
{
  const gm__token *x = &p->tokens.v[w->tok_start];
  uint64_t n = w->tok_end - w->tok_start;

  if (n == 0)   /* a caller's span may hold no token */
    return 0;
  return n << 40 | (uint64_t)x->norm_len << 8 |
         (unsigned char)p->tokens.norm.data[x->norm];
}

/* Key k's bit in a set of name keys (spread_evidence's). */
static uint64_t key_bit(uint64_t k)
{
  return (uint64_t)1 << ((k * 0x9E3779B97F4A7C15ull) >> 58);
}

/* Give feature f to every match without the evidence that shares its
 * name with one that has it, as one reason whose value is 1 or, when
 * `counted`, log2(1 + the number of such names). Quadratic only in the
 * marked names, which are few; bounded: the first 64 of them. A person's
 * evidence counts once: "Tibet" after eight "Free Tibet"s had taken
 * eight times the weight. A place's counts more the more there is of it
 * (counted once: WikToR -1 point, TR-News F1 -0.1), but by its log: one
 * name counts 1, as when the weight was fitted, while the twenty "from
 * California"s of a WoTR report had added 32 to the logit of every
 * "First California Volunteer Cavalry" in it, more than its organisation
 * evidence could take back (the raw count: WoTR F1 -0.0025, TUD-Loc
 * -0.0010, WikToR's recall +0.0017 but acc@161 -0.0010). In one reason:
 * the "CALIFORNIA" of a report with eighteen "from California"s had
 * filled its reasons (GM__MAX_REASONS) with the same one. */
static void spread_evidence(gm__pipeline *p,
                            int (*evidence)(const gm__pipeline *,
                                            const gm__work *),
                            int f, int counted)
{
  size_t marked[64], n_marked = 0, asked = 0, m = 0;
  uint64_t key[64], keys = 0;

  for (; asked < p->n_work && n_marked < 64; asked++)
    if (evidence(p, &p->work[asked])) {
      key[n_marked] = name_key(p, &p->work[asked]);
      keys |= key_bit(key[n_marked]);
      marked[n_marked++] = asked;
    }
  for (size_t j = 0; n_marked && j < p->n_work; j++) {
    double n = 0;
    uint64_t kj;
    /* Names before `asked` were asked above: marked[] holds those that
     * answered yes, in order. Only past the 64th are names asked again. */
    if (j < asked ? m < n_marked && marked[m] == j && ++m
                  : evidence(p, &p->work[j]))
      continue;
    kj = name_key(p, &p->work[j]);
    /* A bit clear in keys: no marked name has its key (most names). */
    if (!(keys & key_bit(kj)))
      continue;
    for (size_t k = 0; k < n_marked && (counted || n == 0); k++)
      n += key[k] == kj &&
           gm__same_name(p, &p->work[marked[k]], &p->work[j]) != 0;
    if (n > 0)
      feature(&p->work[j], f, counted ? log2(1 + n) : n);
  }
}

/* "U.S.", "Ky.": the period belongs to the abbreviation; and a region's
 * abbreviation names the region (the resolver reads the cue). */
static void take_period(gm__pipeline *p, const char *text, gm__work *w)
{
  const gm__token *last = &p->tokens.v[w->tok_end - 1];
  int abbreviation;

  /* An initialism's last letter ("U.S.") or a region's abbreviation
   * ("Ky."); a code in capitals ("US.") ends a sentence instead. */
  if (last->end >= p->text_len || text[last->end] != '.' ||
      !(last->flags & GM__TOK_CAP))
    return;
  abbreviation = region_abbreviation(p, w);
  if (abbreviation)
    w->cues |= GM__CUE_ABBREVIATION;
  if (abbreviation || last->end - last->start == 1)
    w->trailing_period = 1;
}

/* "Wash. Ter.", "Idaho Ter.": after a region's name or abbreviation,
 * "Ter." is "Territory", which belongs to the name as a capitalised
 * admin suffix does ("Idaho Territory"): WoTR marks it so 19 times of
 * 21. Spaces only before it, or the abbreviation's period. */
static void take_territory(gm__pipeline *p, gm__work *w)
{
  unsigned sep;

  if (w->role != GM_ROLE_REGION || !territory_word(p, w->tok_end))
    return;
  sep = p->tokens.v[w->tok_end].sep;
  if (sep != GM__SEP_SPACE &&
      !(sep == (GM__SEP_SPACE | GM__SEP_STOP) && w->trailing_period))
    return;
  w->span_tokens++;
  w->trailing_period = 1;
  w->cues |= GM__CUE_ADMIN_SUFFIX;
}

static void take_periods(gm__pipeline *p, const char *text)
{
  for (size_t i = 0; i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    if (w->span_tokens != w->tok_end - w->tok_start)
      continue;   /* a suffix's word ends it ("Metcalfe County") */
    take_period(p, text, w);
    take_territory(p, w);
  }
}

/* The countries and admin-1 units the document names (by recognised
 * country names, demonyms, admin-1 names): a small place inside one of
 * them is far more likely meant than one elsewhere. Each is listed once,
 * though a text names its country again and again: every candidate of
 * every name is looked up in the lists. The first 64 namings of each
 * kind fill them, repeats counted (the *_named counts), so the same
 * regions enter as when repeats were listed too. */
typedef struct doc_regions {
  char countries[64][2];
  size_t n_countries, countries_named;
  /* gm__country_bit of the countries listed, gm__admin1_bit of the
   * admin-1 units (pipeline.h): a candidate whose bit is clear in one is
   * in none of that list, found without a pass over it. Most candidates of a namesake-rich name lie
   * in none of the text's admin-1 units (document_features on 2.5 MB of
   * WikToR 10.39M -> 8.91M instructions, on the sample 1.68M -> 1.29M).
   * Keyed by the country alone, the admin-1 filter saved nothing on
   * WikToR, whose texts name the country of most candidates. */
  uint64_t country_bits, admin1_bits;
  struct {
    char country[2];
    uint32_t admin1;   /* string offset */
  } admin1[64];
  size_t n_admin1, admin1_named;
} doc_regions;


static void add_country(doc_regions *d, const gaz_entry *e)
{
  for (size_t c = 0; c < d->n_countries; c++)
    if (!memcmp(d->countries[c], e->country, 2))
      return;
  memcpy(d->countries[d->n_countries++], e->country, 2);
  d->country_bits |= gm__country_bit(e->country);
}

static void add_admin1(doc_regions *d, const gaz_entry *e)
{
  for (size_t a = 0; a < d->n_admin1; a++)
    if (!memcmp(d->admin1[a].country, e->country, 2) &&
        gm__gaz_same_str(d->admin1[a].admin1, e->admin1))
      return;
  memcpy(d->admin1[d->n_admin1].country, e->country, 2);
  d->admin1[d->n_admin1++].admin1 = e->admin1;
  d->admin1_bits |= (uint64_t)1 << gm__admin1_bit(e->country, e->admin1, 6);
}

/* Whether w names a place or region, or would but for the
 * organisation whose name it is part of: "U. S. Forces", "the Dept. of
 * Texas", "Malaysia Airlines" are no mentions, but say which country or
 * state the text is about as well as one. */
static int names_region_of_text(const gm__work *w)
{
  double logit = w->recog_logit;

  /* most matches are kept, or too far below to be lifted by taking
   * both organisation features away: their reasons need no reading */
  if (logit > 0)
    return 1;
  if (logit - feature_weights[F_organisation_word_after] -
          feature_weights[F_inside_organisation_name] <= 0)
    return 0;
  for (size_t i = 0; i < w->n_reasons; i++)
    if (w->reasons[i].signal == feature_names[F_organisation_word_after] ||
        w->reasons[i].signal == feature_names[F_inside_organisation_name])
      logit -= w->reasons[i].weight;
  return logit > 0;
}

/* The region a match names for the resolver when the recogniser
 * dropped it only for the organisation whose name holds it: of its
 * countries and admin-1 units, the one whose places hold the most people
 * (Florida the state in "DISTRICT OF FLORIDA", not Uruguay's department),
 * if they outnumber the people of each place of the name; else
 * GM_NO_ENTRY. A school or a club is named for its town as often as for
 * its region: "Leon Central School" is in Leon, New York, and León,
 * Mexico (1.6 M) outnumbers Nicaragua's León department. */
static uint32_t region_of_organisation(const gm__pipeline *p,
                                       const gm__work *w)
{
  uint32_t best = GM_NO_ENTRY, size = 0, town = 0;

  if (w->keep || !names_region_of_text(w))
    return GM_NO_ENTRY;
  for (size_t k = 0; k < w->n_postings; k++) {
    const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[k].entry);
    uint32_t s;
    if (!e)
      continue;
    if (e->fclass == 'P' && e->population > town)
      town = e->population;
    if (!(gm__gaz_is_country(e) || gm__gaz_is_admin1(e)))
      continue;
    s = gm__gaz_places_population(p->gaz, e);
    if (s > size) {
      size = s;
      best = w->postings[k].entry;
    }
  }
  return size > town ? best : GM_NO_ENTRY;
}

int gm__organisation_regions(gm__pipeline *p)
{
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *w = &p->work[i];
    uint32_t entry = region_of_organisation(p, w);
    if (entry == GM_NO_ENTRY)
      continue;
    if (gm__grow(&p->context_entries, &p->cap_context_entries,
                 p->n_context_entries + 1, sizeof *p->context_entries))
      return GM_ENOMEM;
    p->context_entries[p->n_context_entries++] = (gm__placed){
        .entry = entry, .start = p->tokens.v[w->tok_start].start};
  }
  return 0;
}

static void collect_regions(const gm__pipeline *p, doc_regions *d)
{
  d->n_countries = d->n_admin1 = 0;
  d->countries_named = d->admin1_named = 0;
  d->country_bits = d->admin1_bits = 0;
  for (size_t i = 0; i < p->n_work; i++) {
    const gm__work *w = &p->work[i];
    /* a country or an admin-1 unit is a region: a name of towns alone
     * (most) needs no pass over its postings */
    if (!w->region_or_demonym || !names_region_of_text(w))
      continue;
    for (size_t k = 0; k < w->n_postings; k++) {
      const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[k].entry);
      if (!e || !e->country[0])
        continue;
      if ((gm__gaz_is_country(e) ||
           w->postings[k].how == GM_HOW_DEMONYM) &&
          d->countries_named < 64) {
        d->countries_named++;
        add_country(d, e);
      } else if (gm__gaz_is_admin1(e) && e->admin1 &&
                 d->admin1_named < 64) {
        d->admin1_named++;
        add_admin1(d, e);
      }
    }
  }
}

static void document_features(gm__pipeline *p)
{
  doc_regions d;
  collect_regions(p, &d);
  for (size_t i = 0; i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    int in_country = 0, in_admin1 = 0;
    if (w->role != GM_ROLE_PLACE)
      continue;
    /* Until the answer can change no more: an admin-1 unit outranks a
     * country, and a country settles it when no admin-1 unit can. */
    for (size_t k = 0; k < w->n_postings && !in_admin1 &&
                       !(in_country && d.n_admin1 == 0);
         k++) {
      const gaz_entry *e = gm__gaz_entry(p->gaz, w->postings[k].entry);
      if (!e || !e->country[0])
        continue;
      if (d.country_bits & gm__country_bit(e->country))
        for (size_t c = 0; c < d.n_countries && !in_country; c++)
          in_country = !memcmp(d.countries[c], e->country, 2);
      if (d.admin1_bits >> gm__admin1_bit(e->country, e->admin1, 6) & 1)
        for (size_t a = 0; a < d.n_admin1 && !in_admin1; a++)
          in_admin1 = !memcmp(d.admin1[a].country, e->country, 2) &&
                      e->admin1 &&
                      gm__gaz_same_str(e->admin1, d.admin1[a].admin1);
    }
    if (in_admin1)
      feature(w, F_admin1_in_document, 1);
    else if (in_country)
      feature(w, F_country_in_document, 1);
  }
}

/* Take feature f out of w's logit and reasons, if its reason is there. */
static void drop_feature(gm__work *w, int f)
{
  const char *signal = feature_names[f];

  for (size_t i = 0; i < w->n_reasons; i++)
    if (w->reasons[i].signal == signal) {
      w->recog_logit -= w->reasons[i].weight;
      memmove(w->reasons + i, w->reasons + i + 1,
              (w->n_reasons - i - 1) * sizeof *w->reasons);
      w->n_reasons--;
      w->recog_features &= ~((uint64_t)1 << f);
      return;
    }
}

/* A feature's or a venue's name as one match (take_feature_names):
 * in_feature_name and organisation_word_after, which said the name
 * inside is no mention of its own, leave its logit and reasons, and f
 * (whole_feature_name, whole_venue_name) takes their place, so that
 * what the reasons weigh is the logit the match is kept by
 * (bench/fit-recogniser fits on the reasons). */
static void whole_name(gm__work *w, int f)
{
  drop_feature(w, F_in_feature_name);
  drop_feature(w, F_organisation_word_after);
  feature(w, f, 1);
}

/* Capitalised words that may stand between a name and its feature's
 * head: "Hottentots Holland Nature Reserve", "Hocking Hills State Park". */
#define FEATURE_RUN_WORDS 2

/* The token after the head of the feature's name that match k begins
 * ("Panama Canal", "Black Rock Desert", "Black Rock City"): up to
 * FEATURE_RUN_WORDS capitalised words after the match and a capitalised
 * feature head (feature_heads, or a city suffix as in_feature_name
 * reads it), joined by single spaces, in its sentence; 0 when there is
 * none. A word after the match that begins another ends the search
 * there (a head's word may: "Baker Beach"), as does an organisation's
 * word ("Mexico News GAZA CITY"); a capitalised word after the head
 * makes the whole another name ("Panama Canal Authority", "Hudson River
 * Park", "California Bay Area": California and the Bay Area). */
static size_t feature_name_end(const gm__pipeline *p, size_t k)
{
  const gm__tokens *t = &p->tokens;
  const gm__work *w = &p->work[k];
  size_t stop = p->sentences[w->sentence].tok_end, end = 0;

  for (size_t i = w->tok_end; i < stop && i <= w->tok_end + FEATURE_RUN_WORDS;
       i++) {
    unsigned cues;
    int named;   /* token i begins another match */
    if (t->v[i].sep != GM__SEP_SPACE || !is_cap(&t->v[i]))
      break;
    cues = token_cues(t, i);
    while (k + 1 < p->n_work && p->work[k + 1].tok_start < i)
      k++;
    named = k + 1 < p->n_work && p->work[k + 1].tok_start == i;
    if (cues & (FEATURE_HEAD | CITY_SUFFIX | VENUE_HEAD))
      end = i + 1;
    else if (cues & (ORG_AFTER | ORG_HEAD))
      break;
    if (named)
      break;
  }
  if (end && end < stop && t->v[end].sep == GM__SEP_SPACE &&
      is_cap(&t->v[end]))
    return 0;
  return end;
}

/* Whether token a - 1 is a capitalised word joined to token a by a
 * space in the same sentence, s its first token, and part of no match
 * before match i (which starts at a or after). */
static int capital_before(const gm__pipeline *p, size_t i, size_t a,
                          size_t s)
{
  const gm__tokens *t = &p->tokens;

  return a > s && t->v[a].sep == GM__SEP_SPACE && is_cap(&t->v[a - 1]) &&
         (i == 0 || p->work[i - 1].tok_end < a);
}

/* Whether match i - 1 is token a - 1 alone, a capitalised feature's
 * prefix joined to match i (at a) by a space in its sentence (s its
 * first token): "Lake Erie", "Lake Nokomis", where the gazetteer holds
 * "Lake" as a name of its own. */
static int prefix_match_before(const gm__pipeline *p, size_t i, size_t a,
                               size_t s)
{
  const gm__tokens *t = &p->tokens;

  return i > 0 && a > s && t->v[a].sep == GM__SEP_SPACE &&
         p->work[i - 1].tok_start == a - 1 && p->work[i - 1].tok_end == a &&
         is_cap(&t->v[a - 1]) && (token_cues(t, a - 1) & FEATURE_PREFIX);
}

/* The tokens before match i that begin the feature's name it is part
 * of: a feature's prefix ("Fort Yuma", "Lake Nokomis"; a match of its
 * own or not), or before a feature's head one capitalised word
 * ("Hottentots Holland Mountains", "Greater Toronto Area") that is no
 * sentence's first (a heading's or a sentence's verb: "Visit Panama
 * Canal") and in no list of cues ("The", "In", "Mr", "North", "Monday",
 * "University"). */
static size_t feature_lead(const gm__pipeline *p, size_t i, int head)
{
  const gm__tokens *t = &p->tokens;
  size_t a = p->work[i].tok_start, s = p->sentences[p->work[i].sentence].tok_start;
  unsigned cues;

  if (prefix_match_before(p, i, a, s))
    return 1;
  if (!capital_before(p, i, a, s))
    return 0;
  cues = token_cues(t, a - 1);
  if (cues & FEATURE_PREFIX)
    return 1;
  return head && a - 1 > s && cues == 0;
}

/* A name in a feature's longer name the gazetteer lacks ("the Panama
 * Canal", "Baker Beach", "Hottentots Holland Nature Reserve", "Fort
 * Yuma", "Copenhagen Airport") becomes one match of the whole name,
 * weighed as the name is but for being inside it and with
 * whole_feature_name or whole_venue_name: the corpora mark the whole
 * name. One not kept still spans the whole name (--all-matches shows
 * it so, and the fit labels it so). Only part of it is a name
 * (w->partial), so it is answered as a caller's span of that shape is
 * (parse.c, locate_by_context): by the name inside, or by the text's
 * nearest place when that lies far from it. The matches inside the
 * run are no mentions of their own. Not in a heading in title case,
 * where every word is capitalised ("Earthquake Shakes Iceland
 * Volcano": a capitalised word before the name that is no article or
 * preposition, as "The" or "At" are), and not for a caller's span,
 * which is the mention as given. */
static void take_feature_names(gm__pipeline *p)
{
  const gm__tokens *t = &p->tokens;
  size_t taken = 0;   /* the end of the last run taken */

  if (p->spans || p->uncased)
    return;
  for (size_t i = 0; i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    size_t end, lead, start, s = p->sentences[w->sentence].tok_start;
    if (w->tok_start < taken || !is_cap(&t->v[w->tok_start]))
      continue;
    end = feature_name_end(p, i);
    /* a feature's prefix before the name gave it in_feature_name
     * (recognise_one): most capitalised matches need no look back */
    if (!end && !has_feature(w, F_in_feature_name))
      continue;
    lead = feature_lead(p, i, end != 0);
    if (!end && !(lead && (token_cues(t, w->tok_start - 1) & FEATURE_PREFIX)))
      continue;
    start = w->tok_start - lead;
    if (capital_before(p, i, start, s) &&
        !(token_cues(t, start - 1) & (FUNCTION_WORD | STRONG_PREP | WEAK_PREP)))
      continue;
    /* The name's own logit gated the run once (logit > 0 without
     * in_feature_name): TUD-Loc missed "to Black Rock Desert", where
     * "to" is no preposition of place. Taking every such run whatever
     * that logit ("James River", "Fort Yuma" after "to") was measured
     * (ev.sh against the gate): WoTR F1 0.7447 -> 0.7743, TUD-Loc
     * 0.8448 -> 0.8460, but TR-News precision 0.9421 -> 0.9396 (F1
     * 0.8824 -> 0.8813: "Peace River Valley", "Mile Hill", "Crescent
     * Conservation Area", which it does not mark). Now the run is a
     * feature of its own, whole_feature_name (whole_venue_name for a
     * building's), weighed by the fit: each fitted alone with --only,
     * whole_feature_name first (2.648), then whole_venue_name (0.539).
     * Both refitted together (2.676, 0.085): TUD-Loc F1 0.8498 ->
     * 0.8493, GeoCorpora 0.7640 -> 0.7638; not kept. Refitted together
     * again (2.214, 0.707) once the fit saw the reasons of the names
     * put at the nearest place (parse.c, recognition_reasons): TUD-Loc
     * 0.8502 -> 0.8505, WoTR 0.7719 -> 0.7720, the rest the same; kept.
     * A whole refit then (every weight) gave TUD-Loc 0.8508, WoTR
     * 0.7860, GeoCorpora 0.7651, but TR-News 0.8821 -> 0.8791, Hu2014
     * 0.8688 -> 0.8187, WikToR 0.8567 -> 0.8093; not kept. A head in lower
     * case ("Copacabana beach", "Skopje airport") is left out: TUD-Loc
     * (train, validation) marks the name alone before one 17 times and
     * the whole 3 times (GeoCorpora 4 and 7, TR-News 3 and 0). */
    whole_name(w, end && (token_cues(t, end - 1) & VENUE_HEAD)
                      ? F_whole_venue_name
                      : F_whole_feature_name);
    if (end)
      w->span_tokens = end - w->tok_start;
    w->lead_tokens = lead;
    /* a feature's name is no abbreviation: a period after it ends the
     * sentence ("at Fort Baker."; with it WoTR's F1 0.7447 -> 0.7441) */
    w->trailing_period = 0;
    w->keep = w->recog_logit > 0;
    if (!w->keep)
      continue;
    w->partial = 1;
    if (lead && i > 0 && p->work[i - 1].tok_end > start)
      p->work[i - 1].keep = 0;   /* the prefix matched alone */
    taken = w->tok_start + w->span_tokens;
    for (size_t j = i + 1; j < p->n_work && p->work[j].tok_start < taken; j++)
      p->work[j].keep = 0;
  }
}

void gm__recognise(gm__pipeline *p, const char *text)
{
  size_t s = 0;
  int shout = -1;   /* shouted(sentence s), once acronym_word asks */

  pthread_once(&cue_once, init_cue_table);
  /* Without room for the memo, every match reads its postings. */
  if (!p->kinds_memo)
    p->kinds_memo =
        calloc((size_t)1 << GM__KINDS_SLOT_BITS, sizeof *p->kinds_memo);
  for (size_t i = 0; i < p->n_work; i++) {
    gm__work *w = &p->work[i];
    while (s + 1 < p->n_sentences && p->sentences[s + 1].tok_start <= w->tok_start) {
      s++;
      shout = -1;
    }
    w->sentence = (uint32_t)s;
    recognise_one(p, w, &shout);
  }
  spread_evidence(p, person_evidence, F_person_elsewhere, 0);
  take_periods(p, text);
  find_containers(p);
  document_features(p);
  find_lists(p);
  spread_evidence(p, place_evidence, F_place_elsewhere, 1);
  find_kinds(p);
  for (size_t i = 0; i < p->n_work; i++)
    p->work[i].keep = p->work[i].recog_logit > 0;
  take_feature_names(p);
}
