/* compare_int.h: what the files of the comparison module share (compare.c:
 * ends, compositions and counts; compare_pass.c: recomputation over a
 * composition; compare_events.c: the composition changes); not for other
 * modules.
 *
 * A pass recomputes every node for every unit at once, through
 * aggregate_tree, on planes of nslot "years" (a slot is one year per unit):
 *
 *   x[(node * nslot + s) * nunit + u] =
 *       indicators: mask[i * nunit + u] ? source(i, slot_t[s * nunit + u], u) : NaN
 *       aggregates: aggregate_tree of the indicators
 *
 * Changes use passes of two slots (their two ends), one pass per distinct
 * pair of ends a unit needs; trend series use passes of nyear slots (the
 * years themselves), one per distinct set of years.
 */
#ifndef LCME_COMPARE_INT_H
#define LCME_COMPARE_INT_H

#include "aggregate.h"
#include "compare.h"
#include "pipeline.h"

struct compare_pass {
    size_t nslot;
    int *slot_t;             /* [nslot * nunit] year index, -1 none */
    uint8_t *mask;           /* [nind * nunit] 1: the indicator is taken */
};

/* A growable list of passes. */
struct compare_passes {
    size_t n, alloc;
    struct compare_pass *v;
};

struct compare_plan {
    struct compare_passes rep;   /* the changes' passes, replayed by each
                                    replication */
    size_t *out_first;           /* [rep.n + 1]: extras of pass k are
                                    [out_first[k], out_first[k + 1]) */
    size_t *out_cell;            /* [nextra] cell of its pass's planes */
    size_t maxslot;              /* most slots of a pass (work area size) */
    /* What a replication evaluates of pass k: only its units (those with a
     * slot), packed: unit[unit_first[k] .. unit_first[k + 1]) in order,
     * and out_packed[j] the cell of extra j in the packed planes. Every
     * other unit's indicators are NaN in the pass, so leaving it out
     * changes no value of the others (its aggregates are NaN, a mean
     * reads only its own cell, and no change above a Copeland node is
     * recomputed). */
    size_t *unit_first;          /* [rep.n + 1] */
    size_t *unit;
    size_t *out_packed;          /* [nextra] */
    /* The score cell each value of pass k's packed indicator planes reads,
     * or PASS_NONE (a NaN): src[src_first[k] ..], in the order of those
     * planes; found once, so a replication's fill is a gather. NULL when
     * the score planes pass UINT32 cells. */
    size_t *src_first;           /* [rep.n + 1] */
    uint32_t *src;
};

#define PASS_NONE UINT32_MAX

struct compare_work {
    double *x;                   /* [nnode * maxslot * nunit] */
    struct aggregate_work *aw;
};

/* What compare_new's steps share. */
struct compare_ctx {
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    const struct method *lm;
    const double *weight;
    const struct results *res;
    size_t nu, ny, nn, ni;
    uint8_t *copeland;           /* [nnode] 1: the node or one below it is
                                    aggregated by Copeland */
    int **leaves;                /* [nnode] indicators under each aggregate */
    int *nleaves;
    struct compare_work *w;      /* the nominal evaluations' work area */
};

/* An indicator cell: value observed (in the data, not imputed, not
 * screened out) / present in the published scores (observed or imputed). */
int compare_observed(const struct compare_ctx *x, size_t i, size_t t, size_t u);
int compare_present(const struct compare_ctx *x, size_t i, size_t t, size_t u);
/* A break in series of indicator i for unit u in (ta, tb] (ta < tb), unless
 * across_breaks. */
int compare_break_between(const struct compare_ctx *x, size_t i, size_t u, int ta, int tb);

/* How change `kind` of aggregate n for unit u compares, from its ends
 * (t0, t1 set): CONSTANT with the published values, COMMON (values NaN
 * until recomputed), or NONE for Copeland. */
void compare_decide(const struct compare_ctx *x, struct compare *cm, int kind, size_t n,
                    size_t u);
/* A change whose common indicators fail the coverage rule: a base-year
 * change moves its last end back to the node's previous point after t0
 * and is decided again; a change since the previous year, anchored at the
 * base-year change's last end, has none. Returns 1 when it still needs
 * recomputing, 0 when settled (CONSTANT, or NONE with COMPARE_NO_COMMON
 * when no point is left). */
int compare_step_back(const struct compare_ctx *x, struct compare *cm, int kind, size_t n,
                      size_t u);
/* The change since the previous year of aggregate n for unit u, at the
 * base-year change's last end (settled): from the calendar year before it
 * when that is a point; decided as compare_decide does. Without a
 * base-year change, its own ends (the last point) are kept. */
void compare_anchor_prev(const struct compare_ctx *x, struct compare *cm, size_t n, size_t u);

/* ---- compare_pass.c ---- */

/* Append an empty pass of nslot slots (slots -1, mask 0); its index, or -1
 * on ENOMEM. */
long compare_passes_add(struct compare_passes *ps, size_t nslot, size_t nunit, size_t nind);
void compare_passes_free(struct compare_passes *ps);

/* Evaluate pass ps into w->x: indicators from score (RES layout) or, when
 * target is not NULL, from target[i * nyear + t] (results->target_score);
 * then every aggregate. Returns 0, or -1 when the aggregation refused a
 * value (only target values can: then every aggregate is NaN). */
int compare_pass_eval(const struct framework *fw, const struct method *lm,
                      const double *weight, size_t nunit, size_t nyear,
                      const struct compare_pass *ps, const double *score,
                      const double *target, struct compare_work *w);

/* compare_pass_eval from score on the nu units unit[0..nu) of the pass
 * only: the planes in w->x hold nu units (cell (n * nslot + s) * nu + j for
 * unit[j]). Returns as compare_pass_eval. */
int compare_pass_eval_units(const struct framework *fw, const struct method *lm,
                            const double *weight, size_t nunit, size_t nyear,
                            const struct compare_pass *ps, const double *score,
                            const size_t *unit, size_t nu, struct compare_work *w);
/* The packed units and cells of every replication pass (plan->unit_first,
 * unit, out_packed, src_first, src) for ni indicators of nunit units and
 * nyear years, once the passes and out_cell are final. 0, or -1 on
 * ENOMEM. */
int compare_plan_pack(struct compare_plan *pl, size_t ni, size_t nunit, size_t nyear,
                      size_t nextra);

/* Cell of node n, slot s, unit u in a pass's planes. */
static inline size_t compare_cell(size_t n, size_t s, size_t nslot, size_t nunit, size_t u)
{
    return (n * nslot + s) * nunit + u;
}

/* Work area for passes of up to maxslot slots. */
struct compare_work *compare_work_alloc(const struct framework *fw, size_t nunit,
                                        size_t maxslot);

/* ---- compare.c steps in other files ---- */

/* Changes of aggregates over their common indicators: group, evaluate,
 * assign replication cells (compare_pass.c). 0, or -1 on ENOMEM. */
int compare_changes_common(struct compare_ctx *x, struct compare *cm);
/* Aggregates' trend series and target comparisons (compare_pass.c). 0, or
 * -1 on ENOMEM. */
int compare_series_common(struct compare_ctx *x, struct compare *cm);
int compare_targets(struct compare_ctx *x, struct compare *cm);
/* Composition changes of the published scores (compare_events.c). 0, or -1
 * on ENOMEM. */
int compare_events(const struct compare_ctx *x, struct compare *cm);

#endif
