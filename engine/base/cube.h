/* cube.h: units x indicators x years, the engine's working data set.
 *
 * Layout: indicator-major planes. Every array of nind*nyear*nunit doubles is
 * indexed by CUBE_AT(c, i, t, u) = (i*nyear + t)*nunit + u, so one indicator
 * in one year is a contiguous run of nunit values (per-year normalisation),
 * one indicator over all years is contiguous too (pooled normalisation), and
 * aggregation adds whole planes. Scores use the same layout with nodes in
 * place of indicators.
 *
 * Missing is NaN. se is the standard error of a value (NaN = exact or unknown),
 * n the sample size of a survey proportion (NaN = none).
 *
 * Flags as given: flagid[cell] is 0 for an observation without a flag and k
 * for flagtext[k - 1], the data file's 'flag' text kept as written (letters
 * such as Eurostat's "b" or "ep", SDMX OBS_STATUS codes such as "B"); each
 * distinct text is held once. The flag bits record what the text means to
 * the engine: CUBE_FLAGGED for any flag, CUBE_BREAK for a break in series
 * (cube_flag_is_break).
 */
#ifndef LCME_CUBE_H
#define LCME_CUBE_H

#include <stddef.h>
#include <stdint.h>

#define CUBE_AT(c, i, t, u) \
    (((size_t)(i) * (c)->nyear + (size_t)(t)) * (c)->nunit + (size_t)(u))

/* flag bits */
enum {
    CUBE_IMPUTED = 1u << 0,
    CUBE_TREATED_HIGH = 1u << 1,
    CUBE_TREATED_LOW = 1u << 2,
    CUBE_FLAGGED = 1u << 3,   /* the data file's 'flag' column was set */
    CUBE_SCREENED = 1u << 4,
    CUBE_BREAK = 1u << 5,     /* the flag marks a break in series: the value
                                 is not comparable with earlier years */
};

/* Most distinct flag texts a cube holds (flagid is 16 bits). */
#define CUBE_MAX_FLAGTEXT 65535

struct cube {
    size_t nunit, nind, nyear;
    char **unit;         /* unit codes [nunit], owned */
    char **unit_name;    /* display names [nunit], owned; "" when none */
    size_t nattr;        /* unit attribute columns (region, group, ...) */
    char **attr_name;    /* [nattr], owned */
    char **attr;         /* [u*nattr + a], owned; "" when none */
    int *year;           /* [nyear], ascending */
    double *value;       /* [nind*nyear*nunit] */
    double *se;          /* same layout; NaN = exact */
    double *n;           /* same layout; NaN = none */
    uint8_t *flag;       /* same layout */
    uint16_t *flagid;    /* same layout: 0 none, k: flagtext[k - 1] */
    size_t nflagtext;
    char **flagtext;     /* [nflagtext] distinct flags as given, owned */
    size_t ndenom;       /* denominator columns (framework->denom order) */
    double *denom;       /* [(k*nyear + t)*nunit + u]; NaN missing; NULL when ndenom 0 */
};

/* A cube of the given size, values NaN, flags 0, names empty, no flag
 * texts. NULL on ENOMEM. Unit codes and years are filled by the caller. */
struct cube *cube_new(size_t nunit, size_t nind, size_t nyear, size_t nattr,
                      size_t ndenom);

/* Make room for n flag texts (all NULL until cube_set_flagtext). 0, or -1 on
 * ENOMEM or n > CUBE_MAX_FLAGTEXT. */
int cube_alloc_flagtext(struct cube *c, size_t n);

/* A deep copy; NULL on ENOMEM. */
struct cube *cube_clone(const struct cube *c);

void cube_free(struct cube *c);   /* NULL is harmless */

/* 1 when the flag text marks a break in series: one of its codes is "b"
 * (Eurostat) or "B" (SDMX OBS_STATUS). The codes of a flag are its letters
 * when it is one to four letters and nothing else (Eurostat writes several
 * letters together: "bep"), else its words separated by spaces, commas,
 * semicolons or '|' ("B, E"). A NULL or empty flag is no break. */
int cube_flag_is_break(const char *flag);

/* Set cube flag text number id (1-based, as flagid holds) of a cube whose
 * flagtext has room for it; copies text. 0, or -1 on ENOMEM. */
int cube_set_flagtext(struct cube *c, size_t id, const char *text);

/* The flag text of cell k, or NULL when it has none. */
const char *cube_flag_at(const struct cube *c, size_t k);

/* Index of a year, or -1. */
int cube_year_index(const struct cube *c, int year);

/* In ascending years[0..n): the index of the first year >= year, that is
 * where year is or would be inserted (n when all are smaller). */
size_t cube_year_slot(const int *years, size_t n, int year);

/* Index of a unit code, or -1 (linear; build a strmap for hot paths). */
int cube_unit_index(const struct cube *c, const char *code);

/* Index of an attribute column, or -1. */
int cube_attr_index(const struct cube *c, const char *name);

#endif
