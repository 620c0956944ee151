/* trend_all.c: trends, changes and progress of every node and unit of a
 * run (trend_compute_all); the rules are in trend.h and METHODS.md
 * "Trends and progress".
 *
 * Each node x unit series is gathered into small scratch arrays allocated
 * once for the run (nyear doubles each): series are one point a year, so
 * the O(n^2) pairwise steps cost nothing worth optimising.
 *
 * What is computed on what (the points, ends and compositions are the
 * run's comparisons, res->compare: compare.h):
 *   - slope, Sen and Mann-Kendall: on the comparison series (an
 *     indicator's observed years from its last break on; an aggregate's
 *     scores over the indicators observed in every year it is scored),
 *     only when scores are comparable over time (pooled normalisation);
 *     they need 3 points; the fit is weighted only where every point is a
 *     published score with an interval;
 *   - the change since the base year: the two values its comparison
 *     compares (x1 - x0), like with like;
 *   - indicators' CAGR and progress class: on the raw values (the rate
 *     x / (d / scale) when the batch denominates the indicator), whose
 *     targets are in the same units, at the comparison's points; 2 points
 *     are enough;
 *   - aggregates' progress: trend_progress_score on the change's two
 *     values; against a target when the indicators of the change that
 *     have a target carry enough weight (the unit's and the target's score
 *     over those indicators, compare.h), else without one (span: the
 *     node's score range).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "compare.h"
#include "normalise.h"
#include "trend.h"

/* Scratch arrays for one series, nyear long each. */
struct series {
    double *t, *y, *se;   /* score series and its se (NaN when unknown) */
    size_t n;
};

/* What every cell of a run shares. */
struct trend_ctx {
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    const struct results *res;
    const struct compare *cm;   /* res->compare, or own */
    struct compare *own;        /* made here for results without one */
    struct method *lm;          /* [nlevel + 1] the batch's methods, for own */
    int *denom;            /* [nind] denominator plane of the indicator, -1 */
    double *span;          /* [nnode] score range across units and years */
    double scale_lo, scale_hi;   /* bounds of the score scale (+-inf: open) */
};

/* Raw value of indicator i (the rate when the batch denominates it). */
static double raw_value(const struct trend_ctx *x, size_t i, size_t t, size_t u)
{
    const struct cube *c = x->c;
    double v = c->value[CUBE_AT(c, i, t, u)];
    int k = x->denom[i];
    if (k < 0 || isnan(v)) return v;
    double d = c->denom[((size_t)k * c->nyear + t) * c->nunit + u];
    if (isnan(d) || d == 0.0) return NAN;
    return v / (d / x->cfg->denominate_scale);
}

/* Score statistics of one series: OLS, Sen, Mann-Kendall. Returns 0, or -1
 * on ENOMEM. */
static int score_stats(struct trends *tr, size_t cell, const struct series *s, double level)
{
    size_t n = s->n;
    if (n < 3) return 0;
    struct trend_fit fit;
    if (trend_ols(s->t, s->y, s->se, n, level, &fit) == 0) {
        tr->slope[cell] = fit.slope;
        tr->intercept[cell] = fit.intercept;
        tr->slope_low[cell] = fit.slope_low;
        tr->slope_high[cell] = fit.slope_high;
        tr->weighted[cell] = (unsigned char)fit.weighted;
    }
    if (trend_sen(s->t, s->y, n, &tr->sen_slope[cell]) != 0) return -1;
    struct trend_mk mk;
    if (trend_mann_kendall(s->t, s->y, n, &mk) == 0) {
        tr->mk_s[cell] = mk.s;
        tr->mk_z[cell] = mk.z;
        tr->mk_p[cell] = mk.p;
    }
    return 0;
}

/* CAGR and progress of indicator i for unit u on its raw values at the
 * comparison's points: from the base end to the last. */
static void indicator_progress(struct trends *tr, size_t cell, const struct trend_ctx *x,
                               size_t i, size_t u)
{
    const struct cube *c = x->c;
    const struct compare_change *ch = &x->cm->ch[COMPARE_BASE];
    const double *series = x->cm->series;
    long kf = -1, kb = ch->t0[cell], kl = ch->t1[cell];
    for (size_t t = 0; t < c->nyear && kf < 0; t++)
        if (!isnan(series[RES_AT(x->res, i, t, u)]) && !isnan(raw_value(x, i, t, u)))
            kf = (long)t;
    const struct fw_node *nd = &x->fw->node[i];
    tr->target[cell] = nd->target;
    if (kb < 0 || kf < 0) {
        tr->progress[cell] = TREND_UNAVAILABLE;
        tr->reason[cell] = ch->reason[cell] == COMPARE_OK || ch->reason[cell] == COMPARE_FEW_POINTS
                               ? "fewer than two years with an observed value"
                               : compare_reason_text(ch->reason[cell]);
        return;
    }
    double x0 = raw_value(x, i, (size_t)kb, u), xt = raw_value(x, i, (size_t)kl, u);
    double first = raw_value(x, i, (size_t)kf, u);
    tr->cagr[cell] = trend_cagr(first, c->year[kf], xt, c->year[kl]);
    tr->progress[cell] = trend_progress(x0, c->year[kb], xt, c->year[kl], nd->target,
                                        (double)x->cfg->target_year, nd->direction,
                                        &tr->progress_measure[cell], &tr->reason[cell]);
}

/* Progress of an aggregate from its base-year change (the values its
 * comparison compares), against the target over the indicators that have
 * one when they carry enough weight. */
static void aggregate_progress(struct trends *tr, size_t cell, const struct trend_ctx *x)
{
    const struct compare *cm = x->cm;
    const struct compare_change *ch = &cm->ch[COMPARE_BASE];
    if (!tr->comparable) {
        tr->progress[cell] = TREND_NOT_ASSESSED;
        tr->reason[cell] = compare_reason_text(COMPARE_PER_YEAR);
        return;
    }
    if (ch->how[cell] == COMPARE_NONE) {
        enum compare_reason why = (enum compare_reason)ch->reason[cell];
        tr->progress[cell] = why == COMPARE_COPELAND ? TREND_NOT_ASSESSED : TREND_UNAVAILABLE;
        tr->reason[cell] = why == COMPARE_FEW_POINTS ? "fewer than two years with a score"
                                                     : compare_reason_text(why);
        return;
    }
    const int *year = x->c->year;
    double t0 = year[ch->t0[cell]], t1 = year[ch->t1[cell]];
    double ts = cm->ttarget[cell];
    if (!(ts >= x->scale_lo && ts <= x->scale_hi)) ts = NAN;   /* none, or off the scale */
    tr->target[cell] = ts;
    if (!isnan(ts)) {
        tr->progress[cell] = trend_progress_score(cm->tx0[cell], t0, cm->tx1[cell], t1, ts,
                                                  (double)x->cfg->target_year,
                                                  x->span[cell / x->res->nunit],
                                                  &tr->progress_measure[cell],
                                                  &tr->reason[cell]);
        return;
    }
    tr->progress[cell] = trend_progress_score(ch->x0[cell], t0, ch->x1[cell], t1, NAN,
                                              (double)x->cfg->target_year,
                                              x->span[cell / x->res->nunit],
                                              &tr->progress_measure[cell], &tr->reason[cell]);
}

/* Has node a published score for u in some year? */
static int published(const struct results *res, size_t node, size_t u)
{
    for (size_t t = 0; t < res->nyear; t++)
        if (!isnan(res->score[RES_AT(res, node, t, u)])) return 1;
    return 0;
}

/* One node x unit cell. Returns 0, or -1 on ENOMEM. */
static int trend_cell(struct trends *tr, size_t cell, const struct series *s,
                      const struct trend_ctx *x, size_t node, size_t u)
{
    const struct compare_change *ch = &x->cm->ch[COMPARE_BASE];
    const int *year = x->c->year;
    size_t n = s->n;
    tr->points[cell] = (int)n;
    int is_ind = node < (size_t)x->fw->nind;
    if (n > 0) {
        tr->first_year[cell] = (int)s->t[0];
        tr->last_year[cell] = (int)s->t[n - 1];
    }
    if (ch->t0[cell] >= 0) {
        tr->base_year[cell] = year[ch->t0[cell]];
        tr->last_year[cell] = year[ch->t1[cell]];
        if (n == 0) tr->first_year[cell] = year[ch->t0[cell]];
        if (tr->comparable) tr->change_since_base[cell] = ch->x1[cell] - ch->x0[cell];
    } else if (n > 0) {
        tr->base_year[cell] = (int)s->t[0];
    }
    if (tr->comparable && score_stats(tr, cell, s, x->cfg->ci_level) != 0)
        return -1;
    if (is_ind)
        indicator_progress(tr, cell, x, node, u);
    else if (!published(x->res, node, u))
        tr->reason[cell] = "no year has a score";
    else
        aggregate_progress(tr, cell, x);
    return 0;
}

/* median[node * nyear + t] across the units with a score. 0, or -1 on ENOMEM. */
static int trend_medians(struct trends *tr, const struct results *res)
{
    size_t m = res->nnode * res->nyear;
    tr->median = malloc((m ? m : 1) * sizeof *tr->median);
    double *v = malloc((res->nunit ? res->nunit : 1) * sizeof *v);
    if (!tr->median || !v) {
        free(v);
        return -1;
    }
    tr->nyear = res->nyear;
    for (size_t node = 0; node < res->nnode; node++)
        for (size_t t = 0; t < res->nyear; t++) {
            size_t k = 0;
            for (size_t u = 0; u < res->nunit; u++) {
                double x = res->score[RES_AT(res, node, t, u)];
                if (!isnan(x))
                    v[k++] = x;
            }
            double med = NAN;
            if (k > 0) {
                gsl_sort(v, 1, k);
                med = gsl_stats_median_from_sorted_data(v, 1, k);
            }
            tr->median[node * res->nyear + t] = med;
        }
    free(v);
    return 0;
}

/* The bounds of the score scale: the range of minmax and goalposts, open
 * for the other normalisations. */
static void score_scale(const struct config *cfg, double *lo, double *hi)
{
    const struct method *m = config_method(cfg, 1);
    *lo = -INFINITY;
    *hi = INFINITY;
    if (m->normalise == NORM_MINMAX) {
        *lo = fmin(m->norm_low, m->norm_high);
        *hi = fmax(m->norm_low, m->norm_high);
    } else if (m->normalise == NORM_GOALPOSTS) {
        *lo = 0.0;
        *hi = m->gp_scale > 0 ? m->gp_scale : 100.0;
    }
}

static int ctx_new(struct trend_ctx *x, const struct config *cfg, const struct framework *fw,
                   const struct cube *c, const struct results *res)
{
    memset(x, 0, sizeof *x);
    x->cfg = cfg;
    x->fw = fw;
    x->c = c;
    x->res = res;
    x->denom = malloc(((size_t)fw->nind + 1) * sizeof *x->denom);
    x->span = malloc((res->nnode + 1) * sizeof *x->span);
    if (!x->denom || !x->span) return -1;
    for (int i = 0; i < fw->nind; i++) {
        x->denom[i] = -1;
        const char *dn = fw->node[i].denominator;
        for (int k = 0; cfg->denominate && dn && k < fw->ndenom; k++)
            if (strcmp(fw->denom[k], dn) == 0 && (size_t)k < c->ndenom) x->denom[i] = k;
    }
    size_t plane = res->nyear * res->nunit;
    for (size_t node = 0; node < res->nnode; node++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t k = 0; k < plane; k++) {
            double v = res->score[node * plane + k];
            if (isnan(v)) continue;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        x->span[node] = hi > lo ? hi - lo : NAN;
    }
    score_scale(cfg, &x->scale_lo, &x->scale_hi);
    x->cm = res->compare;
    if (!x->cm) {
        /* results made without pipeline_run (tests): the comparisons with
           the batch's methods and the framework's weights */
        struct diag q;
        diag_init(&q);
        int top = fw->nlevel;   /* a framework built by hand may leave nlevel 0 */
        for (int n = 0; n < fw->nnode; n++)
            if (fw->node[n].level > top) top = fw->node[n].level;
        x->lm = calloc((size_t)top + 2, sizeof *x->lm);
        for (int level = 0; x->lm && level <= top; level++)
            x->lm[level] = *config_method(cfg, level);
        x->cm = x->own = x->lm ? compare_new(cfg, fw, c, x->lm, NULL, res, &q) : NULL;
        diag_free(&q);
        if (!x->cm) return -1;
    }
    return 0;
}

static void ctx_free(struct trend_ctx *x)
{
    free(x->denom);
    free(x->span);
    compare_free(x->own);
    free(x->lm);
}

/* Gather node's comparison series for unit u (compare.h); a point's se
 * comes from its interval when it is the published score. */
static void gather(struct series *s, const struct trend_ctx *x, size_t node, size_t u,
                   double z)
{
    const struct results *res = x->res;
    const struct cube *c = x->c;
    int have_ci = res->ci_low && res->ci_high;
    const double *series = x->cm->series;
    s->n = 0;
    for (size_t t = 0; t < res->nyear; t++) {
        size_t at = RES_AT(res, node, t, u);
        double v = series[at];
        if (isnan(v)) continue;
        s->t[s->n] = c->year[t];
        s->y[s->n] = v;
        s->se[s->n] = have_ci && v == res->score[at]
                          ? (res->ci_high[at] - res->ci_low[at]) / (2 * z) : NAN;
        s->n++;
    }
}

int trend_compute_all(const struct config *cfg, const struct framework *fw,
                      const struct cube *c, const struct results *res,
                      struct trends **out, struct diag *d)
{
    *out = NULL;
    if (!cfg || !fw || !c || !res || fw->nnode < 0 || fw->nind < 0 ||
        res->nnode != (size_t)fw->nnode || c->nind != (size_t)fw->nind ||
        c->nyear != res->nyear || c->nunit != res->nunit) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "trends: results, cube and framework sizes do not match");
        return -1;
    }
    struct trends *tr = trends_new(res->nnode, res->nunit, cfg->ci_level);
    struct series s = {0};
    struct trend_ctx x;
    int ok = ctx_new(&x, cfg, fw, c, res) == 0;
    size_t ny = res->nyear ? res->nyear : 1;
    s.t = malloc(ny * sizeof *s.t);
    s.y = malloc(ny * sizeof *s.y);
    s.se = malloc(ny * sizeof *s.se);
    if (!ok || !tr || !s.t || !s.y || !s.se) goto nomem;
    tr->comparable = config_method(cfg, 1)->scope == SCOPE_POOLED || res->nyear <= 1;
    double z = NAN;
    if (cfg->ci_level > 0 && cfg->ci_level < 1)
        z = gsl_cdf_ugaussian_Pinv(1 - (1 - cfg->ci_level) / 2);
    for (size_t node = 0; node < res->nnode; node++)
        for (size_t u = 0; u < res->nunit; u++) {
            gather(&s, &x, node, u, z);
            if (trend_cell(tr, TREND_AT(tr, node, u), &s, &x, node, u) != 0)
                goto nomem;
        }
    if (trend_medians(tr, res) != 0) goto nomem;
    ctx_free(&x);
    free(s.t);
    free(s.y);
    free(s.se);
    *out = tr;
    return 0;
nomem:
    ctx_free(&x);
    free(s.t);
    free(s.y);
    free(s.se);
    trends_free(tr);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "trends: out of memory");
    return -1;
}
