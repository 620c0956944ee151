/* draws.h: the sampling error of each observation, and one replication's
 * perturbed raw values (METHODS.md "Sampling error of an observation").
 *
 * Every present cube cell (indicator i, year t, unit u) is one of:
 *   - se finite and > 0 (lower/upper were turned into se = (upper -
 *     lower)/(2 z) by the loader): normal(value, se);
 *   - else n finite and > 0: a survey proportion. An indicator whose unit
 *     text contains '%' or "percent" (any case) is in percent (0-100),
 *     any other in shares (0-1). The draw is the normal with the Wilson
 *     centre and sd = Wilson half-width / z (z = Phi^-1(1 - (1 - level)/2)):
 *     its `level` interval is the Wilson interval, it does not collapse at
 *     p = 0 or 1 as binomial(n, p) does, n may be an effective (non-integer)
 *     sample size, and it costs one draw. A value outside its scale, or
 *     n <= 0, is taken as exact and counted (wilson_ignored);
 *   - else exact.
 * Draws respect what a value can be: each is a normal censored at the
 * indicator's range, the intersection of the framework's min/max (when
 * declared) and, for proportions, [0, 1] or [0, 100]: a draw beyond a bound
 * takes the bound. Censoring keeps the Wilson interval at p = 0 or 1 (its
 * lower or upper end is the bound: 0 % with n = 30 gives [0, 11.35]),
 * where a truncated normal would exclude the observed value.
 *
 * Streams: replication r perturbs year Y's observations from its own
 * stream of normals (normal.h: eight xoshiro256++ lanes and a ziggurat)
 * seeded with h = splitmix64(splitmix64(splitmix64(seed) ^ r) ^ Y), the
 * q-th observation with error of the year (indicator-major, unit-minor
 * order) taking the stream's q-th draw, so a replication's values depend
 * only on (seed, r) and the data, not on the thread that draws them.
 */
#ifndef LCME_DRAWS_H
#define LCME_DRAWS_H

#include <stddef.h>

#include "cube.h"
#include "framework.h"

/* Counts of the observations by kind, for the Notes and the run record. */
struct draws_count {
    size_t present;          /* observations with a value */
    size_t se;               /* with a standard error (se or lower/upper) */
    size_t wilson;           /* survey proportions with n */
    size_t percent;          /*   of which given in percent */
    size_t exact;            /* present without error: taken as exact */
    size_t wilson_ignored;   /* n given, value outside its scale: exact
                                (included in exact) */
    size_t bounded;          /* with error and a bounded range */
};

struct draws;

/* The observations with error of cube c (framework fw gives units and
 * ranges) at confidence level `level` (for the Wilson sd). NULL on ENOMEM.
 * *count receives the counts. */
struct draws *draws_new(const struct framework *fw, const struct cube *c, double level,
                        struct draws_count *count);
void draws_free(struct draws *dr);   /* NULL harmless */

/* Observations with error. */
size_t draws_size(const struct draws *dr);

/* mask[k] = 1 for every cube cell k with an error (mask holds the cube's
 * nind planes of bytes; other cells are left as they are). */
void draws_mark(const struct draws *dr, unsigned char *mask);

/* The cells of x that draws_apply does not write (missing, exact) from
 * value (the cube's raw values, nind planes): with draws_apply, x gets a
 * replication's raw values without a copy of the whole cube. Cannot
 * fail. */
void draws_start(const struct draws *dr, const double *value, double *x);

/* Replication r: overwrite every cell with error in x (the cube's raw
 * values, nind planes) by its draw; exact cells are not touched. Cannot
 * fail. */
void draws_apply(const struct draws *dr, unsigned long seed, long r, double *x);

/* Wilson score interval of a proportion p from n trials at normal quantile
 * z (Brown, Cai and DasGupta 2001): *centre = (p + z^2/2n)/(1 + z^2/n),
 * *half = z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2). NaN unless
 * 0 <= p <= 1, n > 0 and z > 0. */
void draws_wilson(double p, double n, double z, double *centre, double *half);

#endif
