/* groups.h: scores compared across groups of units, the groups being the
 * values of a unit attribute of the units file (region, country, income
 * group, ...): for each group and node, in one year, how many units score,
 * the median, lowest and highest score, the median change since the base
 * year and since the year before, and how many of the group's changes are
 * significant rises or falls (struct trends' Benjamini-Hochberg flags).
 *
 *   struct groups *g;
 *   if (groups_compute(cube, res, tr, attr, t, nodes, nnode, &g, d) != 0)
 *       ...;                                    // ENOMEM, bad index
 *   for (size_t k = 0; k < g->ngroup; k++)
 *       printf("%s: %zu units, median %.1f\n", g->value[k], g->units[k],
 *              g->median[GROUPS_AT(g, k, 0)]);
 *   groups_free(g);
 *
 * Groups are the attribute's distinct non-empty values in byte order, then
 * the units without a value as a last group whose value is "" (only when
 * there are some). A median of an even count is the mean of the middle
 * two. Nothing here prints; the cost is one sort per group and node.
 */
#ifndef LCME_GROUPS_H
#define LCME_GROUPS_H

#include <stddef.h>

#include "cube.h"
#include "diag.h"
#include "pipeline.h"
#include "trend.h"

/* Index of group k and the j-th node compared in the per-cell arrays. */
#define GROUPS_AT(g, k, j) ((size_t)(k) * (size_t)(g)->nnode + (size_t)(j))

struct groups {
    int attr;                /* the cube's attribute column */
    const char *attr_name;   /* borrowed from the cube */
    size_t ngroup;
    const char **value;      /* [ngroup] borrowed from the cube; "" for the
                                units without a value */
    size_t *units;           /* [ngroup] units in each group */
    size_t *member;          /* the units of group k are member[first[k]] ..
                                member[first[k] + units[k] - 1], cube order */
    size_t *first;           /* [ngroup] */
    int nnode, *node;        /* the nodes compared (a copy) */
    int year;                /* the year compared */
    /* per group and node, GROUPS_AT(g, k, j): */
    size_t *scored;          /* units with a score in the year */
    double *median, *low, *high;     /* of those scores; NaN when none */
    double *base_median;     /* median change since the base year; NaN
                                when no unit has one */
    double *prev_median;     /* median change since the year before */
    size_t *base_rise, *base_fall;   /* changes since the base year that are
                                        significant (change_significant) */
    size_t *prev_rise, *prev_fall;   /* the same since the year before */
};

/* 1 when attribute column attr of c forms groups worth comparing: at least
 * two distinct non-empty values, fewer distinct values than units with a
 * value (so not a second name or an identifier), and not "name_zh" (the
 * Chinese names of the units). */
int groups_attr_usable(const struct cube *c, int attr);

/* Compare the groups of attribute attr in year index t for the nnode nodes
 * in node (copied). r: the scores (borrowed); tr: the changes (borrowed; NULL
 * or sizes other than r's: every change NaN and every count 0). Returns 0
 * and *out (free with groups_free), or -1 with *out NULL and the reason in d
 * (attr or t out of range, a node out of range, out of memory). */
int groups_compute(const struct cube *c, const struct results *r, const struct trends *tr,
                   int attr, int t, const int *node, int nnode, struct groups **out,
                   struct diag *d);

void groups_free(struct groups *g);   /* NULL is harmless */

#endif
