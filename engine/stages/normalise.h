/* normalise.h: direction and normalisation of indicator planes.
 *
 * Works on plain arrays in the cube's layout (CUBE_AT): for indicator i,
 * year t and unit u the value is x[(i*nyear + t)*nunit + u]; NaN is missing
 * and is skipped by every statistic and left NaN by every transform.
 *
 * The stage is split in two: parameters from the data, then their
 * application. Every pipeline evaluation (the nominal run, each Monte Carlo
 * replication, each sensitivity run) computes the parameters from its own
 * values; a replication then holds the nominal run's decisions
 * (normalise_params_hold_range: the method after fallbacks and which
 * slices are constant) and re-derives the bounds (METHODS.md, "Monte Carlo
 * replications"):
 *
 *   normalise_direction       x <- direction * x, per indicator (METHODS §1)
 *   normalise_params_compute  per indicator and scope slice: min, max, mean,
 *                             sample sd, count; the effective method after
 *                             fallbacks; goalposts and target with direction
 *                             applied; the constant flag
 *   normalise_apply           y = f(x; params) for every indicator plane
 *
 * A typical nominal run:
 *
 *   struct normalise_params *p = normalise_params_alloc(nind, nyear);
 *   struct normalise_work *w = normalise_work_alloc(nunit, nyear);
 *   normalise_direction(fw, x, nunit, nyear);
 *   normalise_params_compute(p, m, fw, x, nunit, d);
 *   normalise_apply(p, x, y, nunit, w);
 *
 * and a replication the same, with
 * normalise_params_hold_range(p, nominal, 0, nind) between the last two,
 * reusing p and w (no allocation).
 *
 * Methods (METHODS.md §4; COINr's n_* functions are the reference):
 *   NORM_NONE        y = x
 *   NORM_MINMAX      (x - min)/(max - min)*(high - low) + low
 *   NORM_ZSCORE      (x - mean)/sd*z_sd + z_mean   (sample sd, n - 1)
 *   NORM_GOALPOSTS   (x - lo)/(hi - lo) clipped to [0, 1], times gp_scale
 *                    (100 when gp_scale is not positive), where
 *                    (lo, hi) = (lower, upper) for direction +1 and
 *                    (-upper, -lower) for direction -1 (x is already
 *                    negated, so the posts swap: raw 'lower' scores 100)
 *   NORM_RANK        rank, ascending, ties at the minimum rank (1 = lowest)
 *   NORM_PRANK       (rank - 1)/(n - 1)
 *   NORM_DIST2TARGET (x - min)/(target - min), capped at 1 when
 *                    dist2target_cap; target is direction*target
 *   NORM_DIST2MAX    1 - (max - x)/(max - min)
 *   NORM_FRACMAX     x / max
 *   NORM_SCALED      (x - l)/(u - l)*100 (COINr n_scaled), (l, u) the
 *                    framework's (lower, upper) when both are given, else
 *                    the method's range (norm_low, norm_high); applied to
 *                    x after direction, as COINr does (no swap)
 *   NORM_DIST2REF    1 - (xref - x)/(xref - min) (COINr n_dist2ref), xref
 *                    the value of unit m->ref_index in the same year (NaN
 *                    when it is missing: the slice is NaN); capped at 1
 *                    when dist2target_cap; xref == min scores 1
 *   NORM_BORDA       rank - 1 (COINr n_borda), ties at the minimum rank
 *
 * Fallbacks, recorded per indicator in params->fallback:
 *   goalposts without lower/upper (or lower == upper) -> minmax
 *   dist2target without a target                      -> minmax
 *   fracmax when max <= 0 (x/max meaningless)         -> dist2max
 *
 * Constant slices: when a slice's present values are all equal (max == min,
 * hence sd == 0; a single present value counts) it normalises to the
 * midpoint of the method's range instead of dividing by zero: minmax
 * (low + high)/2, zscore z_mean, rank (n + 1)/2, prank, dist2target, dist2max
 * and fracmax 0.5. Goalposts do not depend on the data and are never
 * constant. A dist2target slice whose minimum equals the target (every unit
 * has reached it) scores 1.
 */
#ifndef LCME_NORMALISE_H
#define LCME_NORMALISE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include "framework.h"

/* Why an indicator's effective method differs from the requested one. */
enum normalise_fallback {
    NORM_FALLBACK_NONE,
    NORM_FALLBACK_NO_GOALPOSTS,  /* goalposts -> minmax */
    NORM_FALLBACK_NO_TARGET,     /* dist2target -> minmax */
    NORM_FALLBACK_FRACMAX_NONPOSITIVE, /* fracmax -> dist2max (max <= 0) */
};

/* Parameters of one normalisation, computed from one evaluation's data.
 * Slice arrays are indexed [i*nyear + t]; with pooled scope every year of
 * an indicator holds the same pooled values. */
struct normalise_params {
    size_t nind, nyear;
    struct method m;             /* the method settings used (a copy) */
    enum norm_method *method;    /* [nind] effective method */
    uint8_t *fallback;           /* [nind] enum normalise_fallback */
    double *lo, *hi;             /* [nind] goalposts, direction applied */
    double *target;              /* [nind] target, direction applied; NaN none */
    double *min, *max;           /* [nind*nyear] over present values; NaN when none */
    double *ref;                 /* [nind*nyear] dist2ref reference value */
    double *mean, *sd;           /* [nind*nyear] sd is the sample sd (NaN when n < 2) */
    size_t *count;               /* [nind*nyear] present values */
    uint8_t *constant;           /* [nind*nyear] 1: slice normalises to the midpoint */
};

/* Parameters for nind indicators over nyear years. NULL on ENOMEM. */
struct normalise_params *normalise_params_alloc(size_t nind, size_t nyear);
void normalise_params_free(struct normalise_params *p);   /* NULL is harmless */

/* Scratch space for normalise_apply (the rank methods sort a slice), sized
 * for slices of up to nunit*nyear values. NULL on ENOMEM. */
struct normalise_work;
struct normalise_work *normalise_work_alloc(size_t nunit, size_t nyear);
void normalise_work_free(struct normalise_work *w);       /* NULL is harmless */

/* x <- direction * x for every indicator plane (fw->node[i].direction,
 * i < p->nind = fw->nind). x holds fw->nind*nyear*nunit doubles. Cannot fail. */
void normalise_direction(const struct framework *fw, double *x, size_t nunit,
                         size_t nyear);
/* The same for indicators [i0, i1) only (x still points at indicator 0). */
void normalise_direction_range(const struct framework *fw, double *x, size_t nunit,
                               size_t nyear, size_t i0, size_t i1);

/* Compute p from the prepared values x (direction already applied; p->nind
 * must equal fw->nind) with the settings m (scope, method, range). Fills
 * every field of p; never allocates. Returns 0, or -1 with a diag entry
 * when m->normalise is a method this module does not implement. */
int normalise_params_compute(struct normalise_params *p, const struct method *m,
                             const struct framework *fw, const double *x,
                             size_t nunit, struct diag *d);

/* The same for indicators [i0, i1) only: their fields of p, from their
 * planes of x (x still points at indicator 0). Ranges starting at
 * multiples of NORMALISE_BLOCK indicators give the same parameters, bit
 * for bit, as one call over all. */
#define NORMALISE_BLOCK 8
int normalise_params_compute_range(struct normalise_params *p, const struct method *m,
                                   const struct framework *fw, const double *x,
                                   size_t nunit, size_t i0, size_t i1, struct diag *d);

/* Hold the decisions of the nominal parameters `held` (same sizes) in p,
 * computed from a replication's values, for indicators [i0, i1): the
 * effective method, fallback, goalposts and target of each indicator, and
 * every slice constant in held stays constant (normalised to the
 * midpoint). The bounds, means, standard deviations and reference values
 * stay p's own. Cannot fail. */
void normalise_params_hold_range(struct normalise_params *p,
                                 const struct normalise_params *held, size_t i0, size_t i1);

/* Number of indicators with at least one constant slice. */
size_t normalise_params_constant_count(const struct normalise_params *p);

/* y = f(x; p) for every indicator plane. x and y hold p->nind*p->nyear*nunit
 * doubles and may be the same array (in place). The minmax, zscore,
 * goalposts, dist2target, dist2max and fracmax methods use p's bounds as
 * they are (values outside the nominal range map outside [low, high]); rank
 * and prank rank x itself within each scope slice. No allocation; cannot
 * fail. */
void normalise_apply(const struct normalise_params *p, const double *x,
                     double *y, size_t nunit, struct normalise_work *w);

/* The same for one indicator: x and y point at its first plane (nyear*nunit
 * doubles). */
void normalise_apply_one(const struct normalise_params *p, size_t i,
                         const double *x, double *y, size_t nunit,
                         struct normalise_work *w);

#endif
