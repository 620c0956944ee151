/* cube_builder.h: the one way observations become a cube, whichever place
 * they come from (an obsset just read, the store's observation table).
 *
 *     struct cube_builder *b;
 *     if (cube_builder_new(&b, fw->nind, fw->ndenom, 0.95, d) != 0)
 *         return -1;                                  // problem is in d
 *     int u = cube_builder_unit(b, "HKG", 3, "Hong Kong");
 *     int a = cube_builder_attr(b, "region");
 *     cube_builder_set_attr(b, u, a, "east");
 *     cube_builder_add(b, &(struct cube_obs){.unit = u, .ind = 0, .year = 2024,
 *                                            .value = 45.5, .se = NAN, .n = NAN,
 *                                            .lower = 40, .upper = 54});
 *     struct cube *c;
 *     int rc = cube_builder_finish(b, &c, d);        // checks once, at the end
 *     cube_builder_free(b);
 *
 * The cube it makes:
 *  - units: every unit declared, with or without observations, in code order
 *    (strcmp: bytewise, so "B10" < "B9"); a unit's name is the one given
 *    when it was first declared ("" when none);
 *  - years: the distinct years of the observations added, ascending;
 *  - attribute columns in the order they were first declared; a cell holds
 *    the last value set for it, "" when none was;
 *  - indicators 0..nind-1 and denominators 0..ndenom-1 (framework order):
 *    value, n and flag text as given (each distinct text once, in order
 *    of first appearance; bits CUBE_FLAGGED, and CUBE_BREAK for a break,
 *    cube_flag_is_break); se as given when finite, otherwise
 *    (upper - lower) / (2 z) when both bounds are finite, with z the normal
 *    quantile of 1 - (1 - ci_level) / 2, otherwise NaN. Of a denominator
 *    only the value is kept. An observation added twice for the same cell:
 *    the last one wins.
 *
 * Errors are sticky (as in SQLite's string builder): a call that runs out of
 * memory or is given an index the builder does not hold returns -1 or does
 * nothing and marks the builder; cube_builder_finish then reports the first
 * such problem and builds nothing. The caller need not check each call.
 *
 * Cost: one strmap probe per unit code and per flagged observation (none for a code repeating the
 * previous call's, the order a table sorted by unit gives), 40 bytes per
 * observation held until cube_builder_finish, then a sort of the units and
 * one pass over the observations.
 */
#ifndef LCME_CUBE_BUILDER_H
#define LCME_CUBE_BUILDER_H

#include <stddef.h>

#include "cube.h"
#include "diag.h"

struct cube_builder;

/* One observation, as cube_builder_add takes it. */
struct cube_obs {
    int unit;          /* index from cube_builder_unit */
    int ind;           /* indicator 0..nind-1, or nind + k for denominator k */
    int year;
    double value;      /* never NaN: a missing value is no observation */
    double se, n;      /* NaN when absent */
    double lower, upper; /* confidence interval of value at ci_level; NaN when absent */
    const char *flag;  /* the data file's flag text; NULL or "" when none (copied) */
};

/* A builder for a cube of nind indicators and ndenom denominators, turning
 * confidence intervals into standard errors at ci_level. Returns 0 and *out,
 * or -1 with *out NULL and the problem in d: LCME_EUSAGE when ci_level is not
 * strictly between 0 and 1, LCME_ENOMEM. Free with cube_builder_free. */
int cube_builder_new(struct cube_builder **out, size_t nind, size_t ndenom,
                     double ci_level, struct diag *d);

void cube_builder_free(struct cube_builder *b);   /* NULL is harmless */

/* Index of the unit with code (len bytes, need not be NUL-terminated),
 * declaring it with name (NULL: "") when new; a unit already declared keeps
 * its name. Indices count from 0 in order of first declaration. -1 on
 * ENOMEM (sticky). Code and name are copied. */
int cube_builder_unit(struct cube_builder *b, const char *code, size_t len,
                      const char *name);

/* Index of the attribute column name, declaring it when new (columns count
 * from 0 in order of first declaration). -1 on ENOMEM (sticky). Copied. */
int cube_builder_attr(struct cube_builder *b, const char *name);

/* Set unit's value of attribute attr (indices from the two calls above;
 * others mark the builder as misused). value is copied. */
void cube_builder_set_attr(struct cube_builder *b, int unit, int attr, const char *value);

/* Add one observation (copied). A unit or ind outside what the builder holds
 * marks it as misused (sticky). */
void cube_builder_add(struct cube_builder *b, const struct cube_obs *o);

/* Build the cube described at the top. Returns 0 and *out (caller frees with
 * cube_free), or -1 with *out NULL and the first problem in d (LCME_ENOMEM,
 * or LCME_EINTERNAL for an index the builder did not hold). The unit and
 * attribute strings move into the cube: call it once, then
 * cube_builder_free. */
int cube_builder_finish(struct cube_builder *b, struct cube **out, struct diag *d);

#endif
