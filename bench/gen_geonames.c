/*
 * gen_geonames.c — write a synthetic GeoNames dump (the 19 tab-separated
 * columns of allCountries.txt) for the gazetteer build benchmark:
 *
 *     gen_geonames ROWS OUT [SEED]
 *
 * The rows have the shapes of the real dump, not its facts: made-up names
 * from syllables (some multi-word, some with diacritics), ASCII names,
 * zero to a dozen alternate names (most rows have none, a few have many,
 * as in allCountries) in Latin, Cyrillic, Greek and CJK script, code-like
 * alternates, coordinates over the globe, feature classes and codes in
 * roughly GeoNames' proportions, country and admin codes, populations
 * (mostly 0), elevations, time zones and dates. Base names repeat with a
 * long-tailed frequency, as "Vasylivka" or "San José" do, so the name
 * index sees realistic posting lists. The same arguments always give the
 * same bytes. (C rather than a script: 12 million rows in seconds.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static uint32_t below(uint32_t n)
{
  return rnd() % n;
}

static double uniform(double lo, double hi)
{
  return lo + (hi - lo) * (rnd() / 4294967296.0);
}

#define N(a) (sizeof(a) / sizeof *(a))

static const char *const syllables[] = {
    "ka", "ri", "no", "ve", "la", "to", "mi", "sa", "de", "lo", "ban",
    "chi", "gor", "vil", "ton", "berg", "burg", "ham", "ford", "mar", "nov",
    "sk", "pol", "dor", "en", "ar", "ur", "os", "in", "el", "al", "bu",
    "zo", "ya", "kha", "zhe", "lyu", "tse", "dni", "pro", "kyr", "myk",
    "hai", "tor", "gra", "dal", "mun", "fel", "ros", "lin"};
static const char *const suffixes[] = {
    "", "", "", "", "ivka", "ovo", "ino", "ville", "ton", "sk", "ia",
    "stadt", "hausen", "pur", "abad", "grad", "polis"};
static const char *const prefixes[] = {
    "", "", "", "", "", "", "", "", "San ", "Nova ", "Velyka ", "Mala ",
    "North ", "Saint-", "Bad ", "El ", "Kruta ", "New "};
static const char *const countries[] = {
    "US", "CN", "IN", "RU", "BR", "MX", "ID", "DE", "FR", "GB", "IT", "ES",
    "UA", "PL", "NO", "SE", "FI", "CA", "AU", "JP", "KR", "TR", "IR", "EG",
    "NG", "ZA", "KE", "AR", "CL", "PE", "CO", "VE", "PK", "BD", "VN", "TH",
    "PH", "MY"};
static const char *const zones[] = {
    "Europe/Kyiv", "America/New_York", "Asia/Shanghai", "Europe/Berlin",
    "Asia/Kolkata", "America/Sao_Paulo", "Africa/Lagos", "Etc/UTC"};
static const char *const cjk[] = {"北", "京", "上", "海", "东", "南", "西",
                                  "山", "川", "田", "中", "村", "口", "大"};

static const struct fclass {
  char c;
  int weight;
  const char *codes[8];
} classes[] = {
    {'P', 30, {"PPL", "PPL", "PPL", "PPL", "PPLA", "PPLA2", "PPLX", "PPLL"}},
    {'H', 20, {"STM", "LK", "RSV", "SPNG", "WLL", "BAY", "STM", "LK"}},
    {'S', 20, {"HTL", "SCH", "CH", "FRM", "BLDG", "RSTN", "HTL", "FRM"}},
    {'T', 16, {"MT", "HLL", "PK", "VAL", "PASS", "RDGE", "MT", "HLL"}},
    {'L', 5, {"AREA", "PRK", "LCTY", "RGN", "AREA", "PRK", "LCTY", "AREA"}},
    {'A', 4, {"ADM4", "ADM3", "ADM2", "ADMD", "ADM4", "ADM3", "ADM4", "ADM3"}},
    {'V', 3, {"FRST", "GRSLD", "FRST", "GRSLD", "FRST", "GRSLD", "FRST",
              "GRSLD"}},
    {'R', 1, {"RD", "TRL", "RD", "TRL", "RD", "TRL", "RD", "TRL"}},
    {'U', 1, {"SMU", "TRGH", "SMU", "TRGH", "SMU", "TRGH", "SMU", "TRGH"}}};

/* Transliterate an ASCII lower-case name into another script, letter by
 * letter (enough to give the normaliser real non-Latin work). */
static void translit(const char *s, const char *const table[26], char *out,
                     size_t cap)
{
  size_t n = 0;
  for (; *s && n + 4 < cap; s++) {
    const char *t;
    char c = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
    t = c >= 'a' && c <= 'z' ? table[c - 'a'] : NULL;
    if (!t) {
      out[n++] = c;
      continue;
    }
    memcpy(out + n, t, strlen(t));
    n += strlen(t);
  }
  out[n] = '\0';
}

static const char *const cyrillic[26] = {
    "а", "б", "ц", "д", "е", "ф", "г", "х", "і", "й", "к", "л", "м",
    "н", "о", "п", "к", "р", "с", "т", "у", "в", "в", "кс", "и", "з"};
static const char *const greek[26] = {
    "α", "β", "κ", "δ", "ε", "φ", "γ", "η", "ι", "ι", "κ", "λ", "μ",
    "ν", "ο", "π", "κ", "ρ", "σ", "τ", "υ", "β", "ου", "ξ", "υ", "ζ"};

/* Replace some vowels with accented ones (UTF-8). */
static void accent(const char *s, char *out, size_t cap)
{
  size_t n = 0;
  for (; *s && n + 3 < cap; s++) {
    const char *t = NULL;
    switch (*s) {
    case 'a': t = "á"; break;
    case 'e': t = "é"; break;
    case 'o': t = "ö"; break;
    case 'u': t = "ü"; break;
    case 'c': t = "č"; break;
    case 's': t = "š"; break;
    }
    if (t && below(3) == 0) {
      memcpy(out + n, t, strlen(t));
      n += strlen(t);
    } else {
      out[n++] = *s;
    }
  }
  out[n] = '\0';
}

int main(int argc, char **argv)
{
  unsigned long long rows;
  size_t n_pool;
  char (*pool)[48];
  FILE *f;
  int total_weight = 0;

  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: gen_geonames ROWS OUT [SEED]\n");
    return 2;
  }
  rows = strtoull(argv[1], NULL, 10);
  if (argc == 4)
    rng ^= strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ull;
  n_pool = rows / 6 > 1000 ? (size_t)(rows / 6) : 1000;
  pool = malloc(n_pool * sizeof *pool);
  if (!pool || !(f = fopen(argv[2], "w"))) {
    perror(argv[2]);
    return 1;
  }
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  for (size_t i = 0; i < n_pool; i++) {
    int k = 2 + (int)below(3);
    pool[i][0] = '\0';
    for (int j = 0; j < k; j++)
      strcat(pool[i], syllables[below(N(syllables))]);
    pool[i][0] = (char)(pool[i][0] - 32);
  }
  for (size_t i = 0; i < N(classes); i++)
    total_weight += classes[i].weight;

  for (unsigned long long i = 0; i < rows; i++) {
    char ascii[160], name[320], alts[2048], tmp[320], admin2[8] = "";
    const char *base;
    const struct fclass *fc = classes;
    int w = (int)below((uint32_t)total_weight), k;
    uint32_t r;
    unsigned long pop = 0;
    size_t an = 0;

    /* Half the rows take a name from a long-tailed head of the pool. */
    if (below(2)) {
      double u = (rnd() + 1.0) / 4294967297.0;
      size_t idx = (size_t)(7.0 / (u * u + 1e-9)) % n_pool;
      base = pool[idx];
    } else {
      base = pool[below((uint32_t)n_pool)];
    }
    snprintf(ascii, sizeof ascii, "%s%s%s", prefixes[below(N(prefixes))],
             base, suffixes[below(N(suffixes))]);
    if (below(100) < 12) {
      size_t n = strlen(ascii);
      snprintf(ascii + n, sizeof ascii - n, " %s",
               pool[below((uint32_t)n_pool)]);
    }
    if (below(100) < 15)
      accent(ascii, name, sizeof name);
    else
      snprintf(name, sizeof name, "%s", ascii);

    r = below(100);
    k = r < 70 ? 0 : r < 82 ? 1 : r < 95 ? 3 : 5 + (int)below(10);
    alts[0] = '\0';
    for (int j = 0; j < k; j++) {
      uint32_t t = below(10);
      if (an + 330 > sizeof alts)
        break;
      if (t < 3) {
        translit(ascii, cyrillic, tmp, sizeof tmp);
      } else if (t < 4) {
        translit(ascii, greek, tmp, sizeof tmp);
      } else if (t < 5) {
        int m = 2 + (int)below(3);
        tmp[0] = '\0';
        for (int c = 0; c < m; c++)
          strcat(tmp, cjk[below(N(cjk))]);
      } else if (t < 6) {
        size_t c;
        for (c = 0; c < 4 && ascii[c] && ascii[c] != ' '; c++)
          tmp[c] = (char)(ascii[c] >= 'a' && ascii[c] <= 'z' ? ascii[c] - 32
                                                               : ascii[c]);
        tmp[c] = '\0';
      } else if (t < 8) {
        snprintf(tmp, sizeof tmp, "%s %s", below(2) ? "Old" : "Upper",
                 pool[below((uint32_t)n_pool)]);
      } else {
        snprintf(tmp, sizeof tmp, "%s%s", ascii, suffixes[below(N(suffixes))]);
      }
      an += (size_t)snprintf(alts + an, sizeof alts - an, "%s%s",
                             j ? "," : "", tmp);
    }
    while (w >= fc->weight) {
      w -= fc->weight;
      fc++;
    }
    if (below(2))
      snprintf(admin2, sizeof admin2, "%u", 1 + below(300));
    if (fc->c == 'P' && below(10) >= 6) {
      double u = (rnd() + 1.0) / 4294967297.0;
      pop = (unsigned long)(50.0 / u);
      if (pop > 40000000)
        pop = 40000000;
    }
    fprintf(f,
            "%llu\t%s\t%s\t%s\t%.5f\t%.5f\t%c\t%s\t%s\t\t%02u\t%s\t\t\t%lu\t"
            "%s\t%d\t%s\t20%02u-%02u-%02u\n",
            1000000ull + i * 7 + below(7), name, ascii, alts,
            uniform(-60, 75), uniform(-180, 180), fc->c,
            fc->codes[below(8)], countries[below(N(countries))],
            1 + below(40), admin2, pop,
            below(10) ? "" : "250", (int)below(3500) - 5,
            zones[below(N(zones))], 10 + below(16), 1 + below(12),
            1 + below(28));
  }
  free(pool);
  if (fclose(f) != 0) {
    perror(argv[2]);
    return 1;
  }
  return 0;
}
