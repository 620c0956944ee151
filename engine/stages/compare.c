/* compare.c: the comparisons of a nominal run (compare_new): every node and
 * unit's points, the two ends of each change, whether its composition is
 * constant, the counts; the rules are in compare.h and METHODS.md section 11.
 *
 * Order of the steps: indicators' points and ends (indicator_ends);
 * aggregates' ends and, where the indicators differ between the two ends,
 * recomputation over the common ones (aggregate_ends, then
 * compare_changes_common); the trend series (compare_series_common); the
 * target comparisons (compare_targets); the composition changes of the
 * published scores (compare_events).
 *
 * Invariants: res, c and the framework are only read; every array of a
 * struct compare is allocated once in compare_new; an end is -1 exactly
 * when how is COMPARE_NONE.
 */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_int.h"

static const char *const reason_text[] = {
#define COMPARE_REASON_TEXT(code, text) text,
    COMPARE_REASON_LIST(COMPARE_REASON_TEXT)
#undef COMPARE_REASON_TEXT
};

const char *compare_reason_text(enum compare_reason r)
{
    return (size_t)r < sizeof reason_text / sizeof *reason_text ? reason_text[r] : "";
}

double compare_nominal_at(const struct compare *cm, const double *res_score, long at)
{
    if (at < 0) return NAN;
    if ((size_t)at < cm->nres) return res_score[at];
    return cm->extra[(size_t)at - cm->nres];
}

/* ---- cells ------------------------------------------------------------------ */

int compare_present(const struct compare_ctx *x, size_t i, size_t t, size_t u)
{
    return !isnan(x->res->score[RES_AT(x->res, i, t, u)]);
}

int compare_observed(const struct compare_ctx *x, size_t i, size_t t, size_t u)
{
    size_t k = CUBE_AT(x->c, i, t, u);
    return compare_present(x, i, t, u) && !isnan(x->c->value[k]) &&
           !(x->res->flag && (x->res->flag[k] & CUBE_IMPUTED));
}

int compare_break_between(const struct compare_ctx *x, size_t i, size_t u, int ta, int tb)
{
    if (x->cfg->across_breaks || !x->c->flag) return 0;
    for (int t = ta + 1; t <= tb; t++)
        if (x->c->flag[CUBE_AT(x->c, i, (size_t)t, u)] & CUBE_BREAK) return 1;
    return 0;
}

/* ---- allocation -------------------------------------------------------------- */

static void change_free(struct compare_change *ch)
{
    free(ch->t0);
    free(ch->t1);
    free(ch->x0);
    free(ch->x1);
    free(ch->at0);
    free(ch->at1);
    free(ch->how);
    free(ch->reason);
    free(ch->nind);
    free(ch->broke);
}

static int change_alloc(struct compare_change *ch, size_t k)
{
    ch->t0 = malloc(k * sizeof *ch->t0);
    ch->t1 = malloc(k * sizeof *ch->t1);
    ch->x0 = malloc(k * sizeof *ch->x0);
    ch->x1 = malloc(k * sizeof *ch->x1);
    ch->at0 = malloc(k * sizeof *ch->at0);
    ch->at1 = malloc(k * sizeof *ch->at1);
    ch->how = calloc(k, 1);
    ch->reason = calloc(k, 1);
    ch->nind = calloc(k, sizeof *ch->nind);
    ch->broke = calloc(k, 1);
    if (!ch->t0 || !ch->t1 || !ch->x0 || !ch->x1 || !ch->at0 || !ch->at1 || !ch->how ||
        !ch->reason || !ch->nind || !ch->broke)
        return -1;
    for (size_t j = 0; j < k; j++) {
        ch->t0[j] = ch->t1[j] = -1;
        ch->x0[j] = ch->x1[j] = NAN;
        ch->at0[j] = ch->at1[j] = -1;
    }
    return 0;
}

void compare_free(struct compare *cm)
{
    if (!cm) return;
    for (int k = 0; k < COMPARE_NKIND; k++) change_free(&cm->ch[k]);
    free(cm->series);
    free(cm->series_reason);
    free(cm->tx0);
    free(cm->tx1);
    free(cm->ttarget);
    free(cm->event);
    free(cm->extra);
    if (cm->plan) {
        compare_passes_free(&cm->plan->rep);
        free(cm->plan->out_first);
        free(cm->plan->out_cell);
        free(cm->plan->unit_first);
        free(cm->plan->unit);
        free(cm->plan->out_packed);
        free(cm->plan->src_first);
        free(cm->plan->src);
        free(cm->plan);
    }
    free(cm);
}

static struct compare *compare_alloc(size_t nn, size_t ny, size_t nu)
{
    struct compare *cm = calloc(1, sizeof *cm);
    if (!cm) return NULL;
    cm->nnode = nn;
    cm->nyear = ny;
    cm->nunit = nu;
    cm->nres = nn * ny * nu;
    size_t k = nn * nu > 0 ? nn * nu : 1;
    int ok = (cm->plan = calloc(1, sizeof *cm->plan)) != NULL;
    for (int j = 0; j < COMPARE_NKIND; j++) ok &= change_alloc(&cm->ch[j], k) == 0;
    cm->series = malloc((cm->nres + 1) * sizeof *cm->series);
    cm->series_reason = calloc(k, 1);
    cm->tx0 = malloc(k * sizeof *cm->tx0);
    cm->tx1 = malloc(k * sizeof *cm->tx1);
    cm->ttarget = malloc(k * sizeof *cm->ttarget);
    if (!ok || !cm->series || !cm->series_reason || !cm->tx0 || !cm->tx1 || !cm->ttarget) {
        compare_free(cm);
        return NULL;
    }
    for (size_t j = 0; j < cm->nres; j++) cm->series[j] = NAN;
    for (size_t j = 0; j < k; j++) cm->tx0[j] = cm->tx1[j] = cm->ttarget[j] = NAN;
    return cm;
}

/* ---- the context --------------------------------------------------------------- */

static void ctx_free(struct compare_ctx *x)
{
    if (x->leaves)
        for (size_t n = 0; n < x->nn; n++) free(x->leaves[n]);
    free(x->leaves);
    free(x->nleaves);
    free(x->copeland);
    compare_work_free(x->w);
}

/* Indicators under each aggregate, and which nodes depend on a Copeland
 * aggregation. Nodes come children first, so one pass upwards suffices. */
static int ctx_init(struct compare_ctx *x)
{
    const struct framework *fw = x->fw;
    x->leaves = calloc(x->nn + 1, sizeof *x->leaves);
    x->nleaves = calloc(x->nn + 1, sizeof *x->nleaves);
    x->copeland = calloc(x->nn + 1, 1);
    x->w = compare_work_alloc(fw, x->nu, x->ny > 2 ? x->ny : 2);
    if (!x->leaves || !x->nleaves || !x->copeland || !x->w) return -1;
    for (size_t n = 0; n < x->nn; n++) {
        const struct fw_node *nd = &fw->node[n];
        if ((int)n < fw->nind) {
            if (!(x->leaves[n] = malloc(sizeof(int)))) return -1;
            x->leaves[n][0] = (int)n;
            x->nleaves[n] = 1;
            continue;
        }
        int total = 0;
        for (int j = 0; j < nd->nchild; j++) total += x->nleaves[nd->child[j]];
        if (!(x->leaves[n] = malloc(((size_t)total + 1) * sizeof(int)))) return -1;
        x->copeland[n] = x->lm[nd->level].aggregate == AGG_COPELAND;
        for (int j = 0; j < nd->nchild; j++) {
            int ch = nd->child[j];
            memcpy(x->leaves[n] + x->nleaves[n], x->leaves[ch],
                   (size_t)x->nleaves[ch] * sizeof(int));
            x->nleaves[n] += x->nleaves[ch];
            x->copeland[n] |= x->copeland[ch];
        }
    }
    return 0;
}

/* ---- indicators ------------------------------------------------------------------- */

/* Base and previous-year ends of one cell from its points (t indices in
 * pts[0..np), ascending). */
static void set_ends(const struct compare_ctx *x, struct compare *cm, size_t cell,
                     const int *pts, size_t np)
{
    const int *year = x->c->year;
    if (np == 0) return;
    int last = pts[np - 1], base = pts[0], prev = -1;
    for (size_t k = 0; k < np; k++) {
        if (year[pts[k]] == x->cfg->base_year) base = pts[k];
        if (year[pts[k]] == year[last] - 1) prev = pts[k];
    }
    struct compare_change *b = &cm->ch[COMPARE_BASE], *p = &cm->ch[COMPARE_PREV];
    b->reason[cell] = COMPARE_FEW_POINTS;
    p->reason[cell] = np < 2 ? COMPARE_FEW_POINTS : COMPARE_NO_PREV;
    if (base != last) {
        b->t0[cell] = base;
        b->t1[cell] = last;
        b->reason[cell] = COMPARE_OK;
    }
    if (prev >= 0) {
        p->t0[cell] = prev;
        p->t1[cell] = last;
        p->reason[cell] = COMPARE_OK;
    }
}

/* An indicator's points: observed years from its last break on. */
static void indicator_ends(const struct compare_ctx *x, struct compare *cm, int *pts)
{
    for (size_t i = 0; i < x->ni; i++)
        for (size_t u = 0; u < x->nu; u++) {
            size_t np = 0, first = 0, cell = i * x->nu + u;
            int published_last = -1;
            for (size_t t = 0; t < x->ny; t++) {
                if (compare_present(x, i, t, u)) published_last = (int)t;
                if (!compare_observed(x, i, t, u)) continue;
                if (np > 0 && !x->cfg->across_breaks && x->c->flag &&
                    (x->c->flag[CUBE_AT(x->c, i, t, u)] & CUBE_BREAK)) {
                    cm->n.series_split++;
                    first = np;
                }
                pts[np++] = (int)t;
            }
            if (published_last >= 0 && x->res->flag &&
                (x->res->flag[CUBE_AT(x->c, i, (size_t)published_last, u)] & CUBE_IMPUTED))
                for (int k = 0; k < COMPARE_NKIND; k++) cm->n.ind_imputed_end[k]++;
            set_ends(x, cm, cell, pts + first, np - first);
            for (size_t k = first; k < np; k++)
                cm->series[RES_AT(x->res, i, pts[k], u)] =
                    x->res->score[RES_AT(x->res, i, pts[k], u)];
            for (int k = 0; k < COMPARE_NKIND; k++) {
                struct compare_change *ch = &cm->ch[k];
                if (ch->t0[cell] < 0) continue;
                ch->how[cell] = COMPARE_CONSTANT;
                ch->nind[cell] = 1;
                ch->at0[cell] = (long)RES_AT(x->res, i, ch->t0[cell], u);
                ch->at1[cell] = (long)RES_AT(x->res, i, ch->t1[cell], u);
                ch->x0[cell] = x->res->score[ch->at0[cell]];
                ch->x1[cell] = x->res->score[ch->at1[cell]];
                cm->n.ind_changes[k]++;
            }
        }
}

/* ---- aggregates ---------------------------------------------------------------------- */

/* Is the composition of n for u the same at ta and tb and all observed
 * without a break between? Also counts the indicators compared. */
static int same_composition(const struct compare_ctx *x, size_t n, size_t u, int ta, int tb,
                            unsigned *ncommon, int *broke)
{
    int same = 1;
    *ncommon = 0;
    for (int k = 0; k < x->nleaves[n]; k++) {
        size_t i = (size_t)x->leaves[n][k];
        int pa = compare_present(x, i, (size_t)ta, u), pb = compare_present(x, i, (size_t)tb, u);
        int common = compare_observed(x, i, (size_t)ta, u) &&
                     compare_observed(x, i, (size_t)tb, u);
        if (common && compare_break_between(x, i, u, ta, tb)) {
            common = 0;
            *broke = 1;
        }
        *ncommon += (unsigned)common;
        if (pa != common || pb != common) same = 0;
    }
    return same;
}

void compare_decide(const struct compare_ctx *x, struct compare *cm, int kind, size_t n,
                    size_t u)
{
    struct compare_change *ch = &cm->ch[kind];
    size_t cell = n * x->nu + u;
    int ta = ch->t0[cell], tb = ch->t1[cell];
    unsigned common;
    int broke = 0;
    int same = same_composition(x, n, u, ta, tb, &common, &broke);
    ch->nind[cell] = (uint16_t)(common > UINT16_MAX ? UINT16_MAX : common);
    ch->x0[cell] = ch->x1[cell] = NAN;
    ch->at0[cell] = ch->at1[cell] = -1;
    if (!same && x->copeland[n]) {
        ch->t0[cell] = ch->t1[cell] = -1;
        ch->how[cell] = COMPARE_NONE;
        ch->reason[cell] = COMPARE_COPELAND;
        return;
    }
    ch->reason[cell] = COMPARE_OK;
    ch->how[cell] = same ? COMPARE_CONSTANT : COMPARE_COMMON;
    ch->broke[cell] = (uint8_t)broke;
    if (!same) return;
    ch->at0[cell] = (long)RES_AT(x->res, n, ta, u);
    ch->at1[cell] = (long)RES_AT(x->res, n, tb, u);
    ch->x0[cell] = x->res->score[ch->at0[cell]];
    ch->x1[cell] = x->res->score[ch->at1[cell]];
}

int compare_step_back(const struct compare_ctx *x, struct compare *cm, int kind, size_t n,
                      size_t u)
{
    struct compare_change *ch = &cm->ch[kind];
    size_t cell = n * x->nu + u;
    int t1 = -1;
    for (int t = ch->t1[cell] - 1; kind == COMPARE_BASE && t > ch->t0[cell] && t1 < 0; t--)
        if (compare_present(x, n, (size_t)t, u)) t1 = t;
    if (t1 < 0) {
        ch->t0[cell] = ch->t1[cell] = -1;
        ch->how[cell] = COMPARE_NONE;
        ch->reason[cell] = COMPARE_NO_COMMON;
        ch->x0[cell] = ch->x1[cell] = NAN;
        return 0;
    }
    ch->t1[cell] = t1;
    compare_decide(x, cm, kind, n, u);
    return ch->how[cell] == COMPARE_COMMON;
}

void compare_anchor_prev(const struct compare_ctx *x, struct compare *cm, size_t n, size_t u)
{
    const struct compare_change *b = &cm->ch[COMPARE_BASE];
    struct compare_change *p = &cm->ch[COMPARE_PREV];
    size_t cell = n * x->nu + u;
    int last = b->t1[cell];
    if (last < 0 || p->t1[cell] == last) {
        if (p->t0[cell] >= 0) compare_decide(x, cm, COMPARE_PREV, n, u);
        return;
    }
    p->t0[cell] = p->t1[cell] = -1;
    p->how[cell] = COMPARE_NONE;
    p->reason[cell] = COMPARE_NO_PREV;
    const int *year = x->c->year;
    if (last > 0 && year[last - 1] == year[last] - 1 &&
        compare_present(x, n, (size_t)last - 1, u)) {
        p->t0[cell] = last - 1;
        p->t1[cell] = last;
        compare_decide(x, cm, COMPARE_PREV, n, u);
    }
}

/* An aggregate's points are its published years; the ends follow, and
 * compare_decide says how the base-year change compares. Those recomputed
 * over their common indicators get their values from
 * compare_changes_common, which then anchors the changes since the
 * previous year at the same last year (compare_anchor_prev). */
static void aggregate_ends(const struct compare_ctx *x, struct compare *cm, int *pts)
{
    for (size_t n = x->ni; n < x->nn; n++)
        for (size_t u = 0; u < x->nu; u++) {
            size_t np = 0, cell = n * x->nu + u;
            for (size_t t = 0; t < x->ny; t++)
                if (compare_present(x, n, t, u)) pts[np++] = (int)t;
            set_ends(x, cm, cell, pts, np);
            if (cm->ch[COMPARE_BASE].t0[cell] >= 0) compare_decide(x, cm, COMPARE_BASE, n, u);
        }
}

static void count_changes(const struct compare_ctx *x, struct compare *cm)
{
    for (int k = 0; k < COMPARE_NKIND; k++)
        for (size_t n = x->ni; n < x->nn; n++)
            for (size_t u = 0; u < x->nu; u++) {
                size_t cell = n * x->nu + u;
                const struct compare_change *ch = &cm->ch[k];
                int had_ends = ch->how[cell] != COMPARE_NONE ||
                               ch->reason[cell] == COMPARE_NO_COMMON ||
                               ch->reason[cell] == COMPARE_COPELAND;
                if (had_ends) cm->n.changes[k][ch->how[cell]]++;
                if (ch->how[cell] == COMPARE_NONE) continue;
                cm->n.break_left_out += ch->broke[cell];
                for (size_t t = (size_t)ch->t1[cell] + 1; t < x->ny; t++)
                    if (compare_present(x, n, t, u)) {
                        cm->n.stepped_back[k]++;
                        break;
                    }
            }
}

struct compare *compare_new(const struct config *cfg, const struct framework *fw,
                            const struct cube *c, const struct method *lm,
                            const double *weight, const struct results *res,
                            struct diag *d)
{
    struct compare_ctx x = {cfg, fw, c, lm, weight, res, c->nunit, c->nyear,
                            (size_t)fw->nnode, c->nind, NULL, NULL, NULL, NULL};
    struct compare *cm = compare_alloc(x.nn, x.ny, x.nu);
    int *pts = malloc((x.ny + 1) * sizeof *pts);
    int ok = cm && pts && ctx_init(&x) == 0;
    if (ok) {
        cm->across_breaks = cfg->across_breaks;
        for (size_t k = 0; c->flag && k < x.ni * x.ny * x.nu; k++)
            cm->n.breaks += (c->flag[k] & CUBE_BREAK) != 0;
        indicator_ends(&x, cm, pts);
        aggregate_ends(&x, cm, pts);
        ok = compare_changes_common(&x, cm) == 0 && compare_series_common(&x, cm) == 0 &&
             compare_targets(&x, cm) == 0 && compare_events(&x, cm) == 0;
        if (ok) count_changes(&x, cm);
    }
    free(pts);
    ctx_free(&x);
    if (!ok) {
        compare_free(cm);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "comparisons over time: out of memory");
        return NULL;
    }
    return cm;
}
