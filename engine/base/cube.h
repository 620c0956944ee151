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
};

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
    size_t ndenom;       /* denominator columns (framework->denom order) */
    double *denom;       /* [(k*nyear + t)*nunit + u]; NaN missing; NULL when ndenom 0 */
};

/* A cube of the given size, values NaN, flags 0, names empty. NULL on ENOMEM.
 * Unit codes and years are filled by the caller. */
struct cube *cube_new(size_t nunit, size_t nind, size_t nyear, size_t nattr,
                      size_t ndenom);

/* A deep copy; NULL on ENOMEM. */
struct cube *cube_clone(const struct cube *c);

void cube_free(struct cube *c);   /* NULL is harmless */

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
