/* aggregate.h: weighted aggregation up the indicator tree.
 *
 * Works on plain arrays of node planes in the results layout (RES_AT):
 * x[(node*nyear + t)*nunit + u] for every framework node. The indicator
 * planes (nodes 0 .. fw->nind-1) hold normalised values on entry;
 * aggregate_tree fills every aggregate plane, walking the nodes in
 * framework order (children before parents), so a parent always reads
 * finished children. NaN is missing.
 *
 * For each aggregate node n, year t and unit u, with children c of weight
 * w_c (the framework's weights, or the caller's override array):
 *   - present children are those with a non-NaN value;
 *   - the node is missing (NaN) when no child is present, when the present
 *     weight is 0, or when the present weight is below min_coverage times
 *     the total child weight (min_coverage of the method of n's level);
 *   - otherwise weights are renormalised among the present children and
 *     the method of n's level combines them (METHODS.md §5):
 *       AGG_ARITHMETIC  sum w x / sum w
 *       AGG_GEOMETRIC   exp(sum w ln x / sum w)       needs x > 0
 *       AGG_HARMONIC    sum w / sum (w / x)           needs x > 0
 *       AGG_GENMEAN     (sum w x^p / sum w)^(1/p), p = agg_p; p = 0 is the
 *                       geometric mean; needs x > 0 when p <= 0, x >= 0
 *                       otherwise
 *       AGG_MEDIAN      weighted median: sort x, normalise w to sum 1, take
 *                       the first x whose cumulative weight reaches 1/2; if
 *                       the cumulative weight equals 1/2 exactly (relative
 *                       1e-12) average that x and the next (so equal
 *                       weights give the ordinary median)
 *       AGG_COPELAND    across the units of the year that are not missing:
 *                       for each pair (a, b), d = sum of w over the children
 *                       present for both on which a > b, minus those on
 *                       which b > a (ties count half for each side, so they
 *                       cancel); a gets +1 and b -1 when d > 0, both 0 when
 *                       |d| <= 1e-12 * sum w, and the reverse when d < 0;
 *                       the score is the sum over all pairs, in
 *                       [-(n-1), n-1]
 *
 * Usage (every pipeline evaluation alike; the planes are then ranked by
 * rank_plane.h):
 *
 *   struct aggregate_work *w = aggregate_work_alloc(fw, nunit, nyear);
 *   aggregate_tree(fw, level_method, NULL, x, nunit, nyear, units, years,
 *                  w, &low, d);
 */
#ifndef LCME_AGGREGATE_H
#define LCME_AGGREGATE_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "framework.h"

struct aggregate_work;

/* Scratch space for a framework and cube size: the present weight and
 * count of each of nyear*nunit cells (median, Copeland) and buffers of the
 * children of a node. NULL on ENOMEM. */
struct aggregate_work *aggregate_work_alloc(const struct framework *fw,
                                            size_t nunit, size_t nyear);
void aggregate_work_free(struct aggregate_work *w);   /* NULL is harmless */

/* A reader of the node planes: aggregate_tree in work area w calls
 * fn(ctx, n) as soon as node n's plane is written (every aggregate node in
 * turn, children before parents), so that the caller reads it while it is
 * still in the cache. fn NULL: none (the default). */
void aggregate_work_set_reader(struct aggregate_work *w, void (*fn)(void *ctx, int node),
                               void *ctx);

/* Aggregate every non-indicator node of fw into x (fw->nnode planes of
 * nyear*nunit doubles; indicator planes are read, aggregate planes written).
 *
 * level_method[L] is the method for the nodes of level L (as
 * config_method(cfg, L)); it must have at least fw->nlevel + 1 entries
 * (entries 0 and 1 are not read). weight is NULL for the framework's
 * weights, or fw->nnode weights to use instead (sensitivity analysis).
 * unit (nunit codes) and year (nyear years) only label error messages and
 * may be NULL. *low_coverage (when not NULL) receives the number of node
 * cells left missing although some child was present (coverage below
 * min_coverage or zero present weight).
 *
 * Returns 0, or -1 with an LCME_EINPUT entry in d naming the node, the unit,
 * the year and the offending child when a geometric, harmonic or
 * generalised mean meets a value outside its domain; the planes after the
 * failing node are then unspecified. No allocation. */
int aggregate_tree(const struct framework *fw, const struct method *level_method,
                   const double *weight, double *x, size_t nunit, size_t nyear,
                   const char *const *unit, const int *year,
                   struct aggregate_work *w, size_t *low_coverage,
                   struct diag *d);

#endif
