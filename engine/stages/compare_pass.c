/* compare_pass.c: recomputing aggregates over a chosen set of indicators
 * (passes, compare_int.h), for the changes whose composition differs
 * between their two ends, the trend series and the target comparisons;
 * and the same passes replayed by each Monte Carlo replication
 * (compare_replicate).
 *
 * Grouping: a unit's changes of one kind mostly share their two ends, and
 * the indicators common to two years do not depend on the node (a node
 * reads only the indicators under it). So the changes are grouped by
 * (unit, ends): the k-th distinct pair of ends of each unit goes into the
 * k-th pass of the kind, and one pass recomputes every node of every unit.
 * A pass costs one aggregation of two years; a batch needs as many passes
 * per kind as a unit has distinct pairs (1 or 2 in practice).
 *
 * Invariants: the nominal run and every replication evaluate the same
 * passes with the same code (compare_pass_eval); a recomputed value's
 * cell in the replication row is fixed here, in pass order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "compare_int.h"

/* ---- passes ------------------------------------------------------------------- */

long compare_passes_add(struct compare_passes *ps, size_t nslot, size_t nunit, size_t nind)
{
    if (array_grow((void **)&ps->v, &ps->alloc, ps->n + 1, sizeof *ps->v) != 0) return -1;
    struct compare_pass *p = &ps->v[ps->n];
    p->nslot = nslot;
    p->slot_t = malloc((nslot * nunit + 1) * sizeof *p->slot_t);
    p->mask = calloc(nind * nunit + 1, 1);
    if (!p->slot_t || !p->mask) {
        free(p->slot_t);
        free(p->mask);
        return -1;
    }
    for (size_t k = 0; k < nslot * nunit; k++) p->slot_t[k] = -1;
    return (long)ps->n++;
}

void compare_passes_free(struct compare_passes *ps)
{
    for (size_t k = 0; k < ps->n; k++) {
        free(ps->v[k].slot_t);
        free(ps->v[k].mask);
    }
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

struct compare_work *compare_work_alloc(const struct framework *fw, size_t nunit,
                                        size_t maxslot)
{
    struct compare_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->x = malloc(((size_t)fw->nnode * maxslot * nunit + 1) * sizeof *w->x);
    w->aw = aggregate_work_alloc(fw, nunit ? nunit : 1, maxslot ? maxslot : 1);
    if (!w->x || !w->aw) {
        compare_work_free(w);
        return NULL;
    }
    return w;
}

void compare_work_free(struct compare_work *w)
{
    if (!w) return;
    free(w->x);
    aggregate_work_free(w->aw);
    free(w);
}

struct compare_work *compare_work_new(const struct compare *cm, const struct framework *fw)
{
    return compare_work_alloc(fw, cm->nunit, cm->plan->maxslot ? cm->plan->maxslot : 2);
}

/* The aggregates of a pass's planes in w->x (nunit units, ns slots); every
 * aggregate NaN and -1 when the aggregation refused a value, else 0. */
static int pass_aggregate(const struct framework *fw, const struct method *lm,
                          const double *weight, size_t nunit, size_t ns,
                          struct compare_work *w)
{
    size_t plane = ns * nunit;
    struct diag quiet;
    diag_init(&quiet);
    int rc = aggregate_tree(fw, lm, weight, w->x, nunit, ns, NULL, NULL, w->aw, NULL, &quiet);
    diag_free(&quiet);
    if (rc != 0) {
        for (size_t k = (size_t)fw->nind * plane; k < (size_t)fw->nnode * plane; k++)
            w->x[k] = NAN;
        return -1;
    }
    return 0;
}

/* Whether pass ps takes indicator i of unit u in slot s, and the year
 * index it reads (0 when it does not take it). */
static inline int pass_take(const struct compare_pass *ps, size_t nunit, size_t i, size_t s,
                            size_t u, size_t *t)
{
    int st = ps->slot_t[s * nunit + u];
    int take = st >= 0 && ps->mask[i * nunit + u];
    *t = take ? (size_t)st : 0;
    return take;
}

/* The indicator planes of pass ps into x, for the nu units unit[0..nu)
 * (unit NULL: every unit, nu = nunit), from score or target as
 * compare_pass_eval says. */
static void pass_fill(size_t ni, size_t nunit, size_t nyear, const struct compare_pass *ps,
                      const double *score, const double *target, const size_t *unit,
                      size_t nu, double *x)
{
    size_t ns = ps->nslot;
    for (size_t i = 0; i < ni; i++)
        for (size_t s = 0; s < ns; s++) {
            double *row = x + (i * ns + s) * nu;
            for (size_t j = 0; j < nu; j++) {
                /* read year 0 where the cell is not taken, and drop it
                   (no branch on the mask, which has no pattern) */
                size_t u = unit ? unit[j] : j, t;
                int take = pass_take(ps, nunit, i, s, u, &t);
                double v = target ? target[i * nyear + t] : score[(i * nyear + t) * nunit + u];
                row[j] = take ? v : NAN;
            }
        }
}

int compare_pass_eval(const struct framework *fw, const struct method *lm,
                      const double *weight, size_t nunit, size_t nyear,
                      const struct compare_pass *ps, const double *score,
                      const double *target, struct compare_work *w)
{
    pass_fill((size_t)fw->nind, nunit, nyear, ps, score, target, NULL, nunit, w->x);
    return pass_aggregate(fw, lm, weight, nunit, ps->nslot, w);
}

int compare_pass_eval_units(const struct framework *fw, const struct method *lm,
                            const double *weight, size_t nunit, size_t nyear,
                            const struct compare_pass *ps, const double *score,
                            const size_t *unit, size_t nu, struct compare_work *w)
{
    pass_fill((size_t)fw->nind, nunit, nyear, ps, score, NULL, unit, nu, w->x);
    return pass_aggregate(fw, lm, weight, nu, ps->nslot, w);
}

/* plan->src of the packed passes (plan->unit, unit_first): pass_fill's
 * cells, each the score cell it reads or PASS_NONE. Left NULL when the
 * score planes have more cells than a uint32 holds (compare_replicate then
 * fills by pass_fill). 0, or -1 on ENOMEM. */
static int plan_sources(struct compare_plan *pl, size_t ni, size_t nunit, size_t nyear)
{
    size_t np = pl->rep.n, total = 0;
    if (ni * nyear * nunit >= PASS_NONE) return 0;
    pl->src_first = malloc((np + 1) * sizeof *pl->src_first);
    if (!pl->src_first) return -1;
    for (size_t k = 0; k < np; k++) {
        pl->src_first[k] = total;
        total += ni * pl->rep.v[k].nslot * (pl->unit_first[k + 1] - pl->unit_first[k]);
    }
    pl->src_first[np] = total;
    pl->src = malloc((total + 1) * sizeof *pl->src);
    if (!pl->src) return -1;
    for (size_t k = 0; k < np; k++) {
        const struct compare_pass *ps = &pl->rep.v[k];
        const size_t *unit = pl->unit + pl->unit_first[k];
        size_t nu = pl->unit_first[k + 1] - pl->unit_first[k];
        uint32_t *src = pl->src + pl->src_first[k];
        for (size_t i = 0; i < ni; i++)
            for (size_t s = 0; s < ps->nslot; s++)
                for (size_t j = 0; j < nu; j++) {
                    size_t t;
                    int take = pass_take(ps, nunit, i, s, unit[j], &t);
                    *src++ = take ? (uint32_t)((i * nyear + t) * nunit + unit[j]) : PASS_NONE;
                }
    }
    return 0;
}

int compare_plan_pack(struct compare_plan *pl, size_t ni, size_t nunit, size_t nyear,
                      size_t nextra)
{
    size_t np = pl->rep.n, nu_all = 0;
    size_t *pos = malloc((nunit + 1) * sizeof *pos);
    pl->unit_first = malloc((np + 1) * sizeof *pl->unit_first);
    pl->unit = malloc((np * nunit + 1) * sizeof *pl->unit);
    pl->out_packed = malloc((nextra + 1) * sizeof *pl->out_packed);
    if (!pos || !pl->unit_first || !pl->unit || !pl->out_packed) {
        free(pos);
        return -1;
    }
    for (size_t k = 0; k < np; k++) {
        const struct compare_pass *ps = &pl->rep.v[k];
        size_t nu = 0;
        pl->unit_first[k] = nu_all;
        for (size_t u = 0; u < nunit; u++) {
            int any = 0;
            for (size_t s = 0; s < ps->nslot; s++) any |= ps->slot_t[s * nunit + u] >= 0;
            pos[u] = nu;
            if (any) pl->unit[nu_all + nu++] = u;
        }
        for (size_t j = pl->out_first[k]; j < pl->out_first[k + 1]; j++) {
            size_t cell = pl->out_cell[j];
            pl->out_packed[j] = cell / nunit * nu + pos[cell % nunit];
        }
        nu_all += nu;
    }
    pl->unit_first[np] = nu_all;
    free(pos);
    return plan_sources(pl, ni, nunit, nyear);
}

/* The slot of unit u in pass list ps from `first` holding ends (ta, tb):
 * an existing one, or the next free one (a new pass when all are taken),
 * with the indicators common to the two ends as u's mask there. The pass
 * index, or -1 on ENOMEM. */
static long pair_pass(const struct compare_ctx *x, struct compare_passes *ps, size_t first,
                      size_t u, int ta, int tb, int need_target, const double *target)
{
    size_t nu = x->nu;
    size_t k = first;
    for (; k < ps->n; k++) {
        const int *st = ps->v[k].slot_t;
        if (st[u] == ta && st[nu + u] == tb) return (long)k;
        if (st[u] < 0) break;
    }
    if (k == ps->n && compare_passes_add(ps, 2, nu, x->ni) < 0) return -1;
    struct compare_pass *p = &ps->v[k];
    p->slot_t[u] = ta;
    p->slot_t[nu + u] = tb;
    for (size_t i = 0; i < x->ni; i++) {
        int take = compare_observed(x, i, (size_t)ta, u) &&
                   compare_observed(x, i, (size_t)tb, u) &&
                   !compare_break_between(x, i, u, ta, tb);
        if (need_target) take = take && !isnan(target[i * x->ny + (size_t)tb]);
        p->mask[i * nu + u] = (uint8_t)take;
    }
    return (long)k;
}

/* ---- changes over their common indicators ---------------------------------------- */

/* Growable outputs of the replication passes. */
struct outs {
    size_t n, alloc_cell, alloc_val;
    size_t *cell;
    double *val;
};

static int outs_add(struct outs *o, size_t cell, double v)
{
    if (array_grow((void **)&o->cell, &o->alloc_cell, o->n + 1, sizeof *o->cell) != 0 ||
        array_grow((void **)&o->val, &o->alloc_val, o->n + 1, sizeof *o->val) != 0)
        return -1;
    o->cell[o->n] = cell;
    o->val[o->n++] = v;
    return 0;
}

/* Settle the ends of every change of kind ch still to recompute: group them
 * into passes, evaluate on the nominal scores, and step the last end of
 * those whose common indicators fail the coverage rule back (compare.c),
 * until none is left to try. */
static int settle_ends(struct compare_ctx *x, struct compare *cm, int kind, long *pidx)
{
    struct compare_change *ch = &cm->ch[kind];
    for (;;) {
        struct compare_passes ps = {0};
        for (size_t k = 0; k < x->nn * x->nu; k++) pidx[k] = -1;
        for (size_t u = 0; u < x->nu; u++)
            for (size_t n = x->ni; n < x->nn; n++) {
                size_t cell = n * x->nu + u;
                if (ch->how[cell] != COMPARE_COMMON || !isnan(ch->x0[cell])) continue;
                pidx[cell] = pair_pass(x, &ps, 0, u, ch->t0[cell], ch->t1[cell], 0, NULL);
                if (pidx[cell] < 0) {
                    compare_passes_free(&ps);
                    return -1;
                }
            }
        if (ps.n == 0) return 0;
        for (size_t k = 0; k < ps.n; k++) {
            compare_pass_eval(x->fw, x->lm, x->weight, x->nu, x->ny, &ps.v[k], x->res->score,
                              NULL, x->w);
            for (size_t n = x->ni; n < x->nn; n++)
                for (size_t u = 0; u < x->nu; u++) {
                    size_t cell = n * x->nu + u;
                    if (pidx[cell] != (long)k) continue;
                    double v0 = x->w->x[compare_cell(n, 0, 2, x->nu, u)];
                    double v1 = x->w->x[compare_cell(n, 1, 2, x->nu, u)];
                    if (!isnan(v0) && !isnan(v1)) {
                        ch->x0[cell] = v0;
                        ch->x1[cell] = v1;
                    } else {
                        compare_step_back(x, cm, kind, n, u);
                    }
                }
        }
        compare_passes_free(&ps);
    }
}

/* The replication passes of kind ch: the settled recomputed changes grouped
 * by (unit, ends); each gets the cells of its two values in the row. */
static int replication_passes(struct compare_ctx *x, struct compare *cm, int kind,
                              long *pidx, size_t **first, struct outs *o)
{
    struct compare_plan *pl = cm->plan;
    struct compare_change *ch = &cm->ch[kind];
    size_t base = pl->rep.n;
    for (size_t k = 0; k < x->nn * x->nu; k++) pidx[k] = -1;
    for (size_t u = 0; u < x->nu; u++)
        for (size_t n = x->ni; n < x->nn; n++) {
            size_t cell = n * x->nu + u;
            if (ch->how[cell] != COMPARE_COMMON) continue;
            pidx[cell] = pair_pass(x, &pl->rep, base, u, ch->t0[cell], ch->t1[cell], 0, NULL);
            if (pidx[cell] < 0) return -1;
        }
    size_t *nf = realloc(*first, (pl->rep.n + 1) * sizeof *nf);
    if (!nf) return -1;
    *first = nf;
    for (size_t k = base; k < pl->rep.n; k++) {
        nf[k] = o->n;
        for (size_t n = x->ni; n < x->nn; n++)
            for (size_t u = 0; u < x->nu; u++) {
                size_t cell = n * x->nu + u;
                if (pidx[cell] != (long)k) continue;
                ch->at0[cell] = (long)(cm->nres + o->n);
                if (outs_add(o, compare_cell(n, 0, 2, x->nu, u), ch->x0[cell]) != 0) return -1;
                ch->at1[cell] = (long)(cm->nres + o->n);
                if (outs_add(o, compare_cell(n, 1, 2, x->nu, u), ch->x1[cell]) != 0) return -1;
            }
    }
    return 0;
}

int compare_changes_common(struct compare_ctx *x, struct compare *cm)
{
    struct compare_plan *pl = cm->plan;
    struct outs o = {0};
    long *pidx = malloc((x->nn * x->nu + 1) * sizeof *pidx);
    size_t *first = NULL;
    int rc = -1;
    if (!pidx) goto done;
    for (int kind = 0; kind < COMPARE_NKIND; kind++) {
        if (kind == COMPARE_PREV)
            for (size_t n = x->ni; n < x->nn; n++)
                for (size_t u = 0; u < x->nu; u++) compare_anchor_prev(x, cm, n, u);
        if (settle_ends(x, cm, kind, pidx) != 0 ||
            replication_passes(x, cm, kind, pidx, &first, &o) != 0)
            goto done;
    }
    size_t *nf = realloc(first, (pl->rep.n + 1) * sizeof *nf);
    if (!nf) goto done;
    first = nf;
    first[pl->rep.n] = o.n;
    pl->out_first = first;
    pl->out_cell = o.cell;
    pl->maxslot = 2;
    cm->extra = o.val;
    cm->nextra = o.n;
    first = NULL;
    o.cell = NULL;
    o.val = NULL;
    rc = compare_plan_pack(pl, x->ni, x->nu, x->ny, cm->nextra);
done:
    free(pidx);
    free(first);
    free(o.cell);
    free(o.val);
    return rc;
}

void compare_replicate(const struct compare *cm, const struct framework *fw,
                       const struct method *lm, const double *weight, const double *score,
                       double *extra, struct compare_work *w)
{
    const struct compare_plan *pl = cm->plan;
    for (size_t k = 0; k < pl->rep.n; k++) {
        size_t j0 = pl->out_first[k], j1 = pl->out_first[k + 1];
        if (j0 == j1) continue;
        const size_t *unit = pl->unit + pl->unit_first[k];
        size_t nu = pl->unit_first[k + 1] - pl->unit_first[k];
        if (pl->src) {
            /* pass_fill's values from the cells it reads, found once */
            const uint32_t *src = pl->src + pl->src_first[k];
            size_t n = pl->src_first[k + 1] - pl->src_first[k];
            for (size_t q = 0; q < n; q++)
                w->x[q] = src[q] != PASS_NONE ? score[src[q]] : NAN;
            pass_aggregate(fw, lm, weight, nu, pl->rep.v[k].nslot, w);
        } else {
            compare_pass_eval_units(fw, lm, weight, cm->nunit, cm->nyear, &pl->rep.v[k],
                                    score, unit, nu, w);
        }
        for (size_t j = j0; j < j1; j++) extra[j] = w->x[pl->out_packed[j]];
    }
}

/* ---- trend series ---------------------------------------------------------------- */

/* The indicators observed in every year of u's year set (years[t] = 1)
 * with no break inside it, into take[0..nind): a unit's set, whatever the
 * node. Returns 1 when, for node n, those are exactly the indicators
 * present in each of the years (the published series compares like with
 * like already). */
static int series_take(const struct compare_ctx *x, size_t n, size_t u, const uint8_t *years,
                       int tfirst, int tlast, uint8_t *take)
{
    for (size_t i = 0; i < x->ni; i++) {
        int all = !compare_break_between(x, i, u, tfirst, tlast);
        for (size_t t = 0; t < x->ny && all; t++)
            if (years[t] && !compare_observed(x, i, t, u)) all = 0;
        take[i] = (uint8_t)all;
    }
    for (int k = 0; k < x->nleaves[n]; k++) {
        size_t i = (size_t)x->leaves[n][k];
        for (size_t t = 0; t < x->ny; t++)
            if (years[t] && compare_present(x, i, t, u) != take[i]) return 0;
    }
    return 1;
}

/* Pass of unit u for the year set `years` (the slots are the years
 * themselves; other years are -1) taking the indicators take: an existing
 * one with the same set, or the next free one. Index, or -1 on ENOMEM. */
static long series_pass(const struct compare_ctx *x, struct compare_passes *ps, size_t u,
                        const uint8_t *years, const uint8_t *take)
{
    size_t nu = x->nu, k = 0;
    for (; k < ps->n; k++) {
        const int *st = ps->v[k].slot_t;
        int free_slot = 1, same = 1;
        for (size_t t = 0; t < x->ny; t++) {
            if (st[t * nu + u] >= 0) free_slot = 0;
            if ((st[t * nu + u] >= 0) != (years[t] != 0)) same = 0;
        }
        if (same && !free_slot) return (long)k;
        if (free_slot) break;
    }
    if (k == ps->n && compare_passes_add(ps, x->ny, nu, x->ni) < 0) return -1;
    for (size_t t = 0; t < x->ny; t++) ps->v[k].slot_t[t * nu + u] = years[t] ? (int)t : -1;
    for (size_t i = 0; i < x->ni; i++) ps->v[k].mask[i * nu + u] = take[i];
    return (long)k;
}

/* Copy or mark for recomputation n's series for u (pidx: its pass): its
 * published years up to the base-year change's last end. */
static int series_cell(struct compare_ctx *x, struct compare *cm, struct compare_passes *ps,
                       size_t n, size_t u, uint8_t *years, uint8_t *take, long *pidx)
{
    size_t cell = n * x->nu + u;
    const struct compare_change *ch = &cm->ch[COMPARE_BASE];
    int tfirst = -1, tlast = ch->t1[cell];
    if (tlast < 0) {
        cm->series_reason[cell] = ch->reason[cell];
        return 0;
    }
    for (size_t t = 0; t < x->ny; t++) {
        years[t] = (uint8_t)((int)t <= tlast && compare_present(x, n, t, u));
        if (years[t] && tfirst < 0) tfirst = (int)t;
    }
    if (series_take(x, n, u, years, tfirst, tlast, take)) {
        for (size_t t = 0; t < x->ny; t++)
            if (years[t])
                cm->series[RES_AT(x->res, n, t, u)] = x->res->score[RES_AT(x->res, n, t, u)];
        return 0;
    }
    if (x->copeland[n]) {
        cm->series_reason[cell] = COMPARE_COPELAND;
        return 0;
    }
    pidx[cell] = series_pass(x, ps, u, years, take);
    return pidx[cell] < 0 ? -1 : 0;
}

int compare_series_common(struct compare_ctx *x, struct compare *cm)
{
    struct compare_passes ps = {0};
    long *pidx = malloc((x->nn * x->nu + 1) * sizeof *pidx);
    uint8_t *years = malloc(x->ny + 1), *take = malloc(x->ni + 1);
    int rc = -1;
    if (!pidx || !years || !take) goto done;
    for (size_t k = 0; k < x->nn * x->nu; k++) pidx[k] = -1;
    for (size_t u = 0; u < x->nu; u++)
        for (size_t n = x->ni; n < x->nn; n++)
            if (series_cell(x, cm, &ps, n, u, years, take, pidx) != 0) goto done;
    for (size_t k = 0; k < ps.n; k++) {
        compare_pass_eval(x->fw, x->lm, x->weight, x->nu, x->ny, &ps.v[k], x->res->score, NULL,
                          x->w);
        for (size_t n = x->ni; n < x->nn; n++)
            for (size_t u = 0; u < x->nu; u++) {
                size_t cell = n * x->nu + u;
                if (pidx[cell] != (long)k) continue;
                int all = 1;
                for (size_t t = 0; t < x->ny; t++)
                    if (ps.v[k].slot_t[t * x->nu + u] >= 0 &&
                        isnan(x->w->x[compare_cell(n, t, x->ny, x->nu, u)]))
                        all = 0;
                if (!all) {
                    cm->series_reason[cell] = COMPARE_NO_COMMON;
                    cm->n.trend_none++;
                    continue;
                }
                cm->n.trend_recomputed++;
                for (size_t t = 0; t < x->ny; t++)
                    if (ps.v[k].slot_t[t * x->nu + u] >= 0)
                        cm->series[RES_AT(x->res, n, t, u)] =
                            x->w->x[compare_cell(n, t, x->ny, x->nu, u)];
            }
    }
    rc = 0;
done:
    compare_passes_free(&ps);
    free(pidx);
    free(years);
    free(take);
    return rc;
}

/* ---- targets ------------------------------------------------------------------------ */

/* Do all the indicators of n that cell's change compares have a target
 * score in its last year? Then the unit's score over them is the change's
 * own two values. */
static int all_targeted(const struct compare_ctx *x, const struct compare_change *ch,
                        size_t n, size_t u)
{
    size_t cell = n * x->nu + u;
    int ta = ch->t0[cell], tb = ch->t1[cell];
    for (int k = 0; k < x->nleaves[n]; k++) {
        size_t i = (size_t)x->leaves[n][k];
        int common = compare_observed(x, i, (size_t)ta, u) &&
                     compare_observed(x, i, (size_t)tb, u) &&
                     !compare_break_between(x, i, u, ta, tb);
        if (common && isnan(x->res->target_score[i * x->ny + (size_t)tb])) return 0;
    }
    return 1;
}

/* Does n have an indicator with a target score in year t? */
static int has_target(const struct compare_ctx *x, size_t n, int t)
{
    const double *ts = x->res->target_score;
    for (int k = 0; k < x->nleaves[n]; k++)
        if (!isnan(ts[(size_t)x->leaves[n][k] * x->ny + (size_t)t])) return 1;
    return 0;
}

int compare_targets(struct compare_ctx *x, struct compare *cm)
{
    const double *ts = x->res->target_score;
    if (!ts) return 0;
    const struct compare_change *ch = &cm->ch[COMPARE_BASE];
    struct compare_passes ps = {0};
    long *pidx = malloc((x->nn * x->nu + 1) * sizeof *pidx);
    double *vx = malloc(((size_t)x->nn * 2 * x->nu + 1) * sizeof *vx);
    int rc = -1;
    if (!pidx || !vx) goto done;
    for (size_t u = 0; u < x->nu; u++)
        for (size_t n = x->ni; n < x->nn; n++) {
            size_t cell = n * x->nu + u;
            pidx[cell] = -1;
            if (ch->how[cell] == COMPARE_NONE || !has_target(x, n, ch->t1[cell])) continue;
            pidx[cell] = pair_pass(x, &ps, 0, u, ch->t0[cell], ch->t1[cell], 1, ts);
            if (pidx[cell] < 0) goto done;
        }
    size_t plane = (size_t)x->nn * 2 * x->nu;
    for (size_t k = 0; k < ps.n; k++) {
        compare_pass_eval(x->fw, x->lm, x->weight, x->nu, x->ny, &ps.v[k], x->res->score, NULL,
                          x->w);
        memcpy(vx, x->w->x, plane * sizeof *vx);
        compare_pass_eval(x->fw, x->lm, x->weight, x->nu, x->ny, &ps.v[k], NULL, ts, x->w);
        for (size_t n = x->ni; n < x->nn; n++)
            for (size_t u = 0; u < x->nu; u++) {
                size_t cell = n * x->nu + u;
                if (pidx[cell] != (long)k) continue;
                double a = vx[compare_cell(n, 0, 2, x->nu, u)];
                double b = vx[compare_cell(n, 1, 2, x->nu, u)];
                if (all_targeted(x, ch, n, u)) {
                    a = ch->x0[cell];
                    b = ch->x1[cell];
                }
                double g = x->w->x[compare_cell(n, 1, 2, x->nu, u)];
                if (isnan(a) || isnan(b) || isnan(g)) {
                    cm->n.targets_uncovered++;
                    continue;
                }
                cm->tx0[cell] = a;
                cm->tx1[cell] = b;
                cm->ttarget[cell] = g;
                cm->n.targets_like++;
            }
    }
    rc = 0;
done:
    compare_passes_free(&ps);
    free(pidx);
    free(vx);
    return rc;
}
