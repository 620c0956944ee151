/* trend.c: slopes, Mann-Kendall, growth rates and progress classes over the
 * years of a batch (METHODS.md section 7).
 *
 * Invariants: the building blocks read only the arrays they are given and
 * keep nothing; trend_compute_all reads res/c/fw/cfg and writes only the
 * struct trends it returns. Every statistic that cannot be computed is NaN,
 * and the reason for a class that says so is a static string.
 *
 * Series are short (one point per year of the batch, typically <= 30), so
 * trend_compute_all gathers each node x unit series into small scratch
 * arrays allocated once for the run (nyear doubles each) and the O(n^2)
 * pairwise steps cost nothing worth optimising.
 */
#include "trend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* A value on a class boundary up to rounding goes to the higher class. */
#define TREND_EPS 1e-12

/* Series up to this length keep their weights on the stack (a batch has one
 * point per year, far fewer than this). */
#define TREND_SMALL 128

static int is_fin(double x) { return isfinite(x) != 0; }

static void fit_nan(struct trend_fit *f, size_t n)
{
    f->intercept = f->slope = f->se_slope = NAN;
    f->slope_low = f->slope_high = NAN;
    f->n = n;
    f->weighted = 0;
}

int trend_ols(const double *t, const double *y, const double *se, size_t n,
              double level, struct trend_fit *fit)
{
    fit_nan(fit, n);
    if (n < 2)
        return -1;
    int distinct = 0;
    for (size_t i = 1; i < n; i++)
        if (t[i] != t[0]) { distinct = 1; break; }
    if (!distinct)
        return -1;

    int weighted = se != NULL;
    for (size_t i = 0; weighted && i < n; i++)
        if (!(is_fin(se[i]) && se[i] > 0))
            weighted = 0;

    double c0, c1, cov00, cov01, cov11, ss;
    if (weighted) {
        double wbuf[TREND_SMALL];
        double *w = n <= TREND_SMALL ? wbuf : malloc(n * sizeof *w);
        if (!w)
            return -1;
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0 / (se[i] * se[i]);
        gsl_fit_wlinear(t, 1, w, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &ss);
        if (w != wbuf)
            free(w);
        /* R's lm: scale the known-weights covariance by s^2 = chisq/(n-2). */
        if (n > 2)
            cov11 *= ss / (double)(n - 2);
        else
            cov11 = NAN;
    } else {
        /* gsl_fit_linear already scales by sumsq/(n-2) (NaN/inf when n == 2). */
        gsl_fit_linear(t, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &ss);
        if (n == 2)
            cov11 = NAN;
    }
    fit->intercept = c0;
    fit->slope = c1;
    fit->weighted = weighted;
    if (n > 2 && is_fin(cov11) && cov11 >= 0) {
        fit->se_slope = sqrt(cov11);
        if (level > 0 && level < 1) {
            double q = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 2));
            fit->slope_low = c1 - q * fit->se_slope;
            fit->slope_high = c1 + q * fit->se_slope;
        }
    }
    return 0;
}

int trend_sen(const double *t, const double *y, size_t n, double *slope)
{
    *slope = NAN;
    if (n < 2)
        return 0;
    size_t m = n * (n - 1) / 2, k = 0;
    double *d = malloc(m * sizeof *d);
    if (!d)
        return -1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (t[j] != t[i])
                d[k++] = (y[j] - y[i]) / (t[j] - t[i]);
    if (k > 0) {
        gsl_sort(d, 1, k);
        *slope = gsl_stats_median_from_sorted_data(d, 1, k);
    }
    free(d);
    return 0;
}

static int sgn(double x) { return (x > 0) - (x < 0); }

int trend_mann_kendall(const double *t, const double *y, size_t n,
                       struct trend_mk *mk)
{
    mk->s = mk->var_s = mk->z = mk->p = NAN;
    if (n < 2)
        return -1;
    long s = 0;
    double ties = 0;   /* sum over tie groups of g(g-1)(2g+5) */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++)
            s += sgn(t[j] - t[i]) * sgn(y[j] - y[i]);
        /* Count the tie group of y[i] once, at its first member. */
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            if (y[j] == y[i])
                first = 0;
        if (first) {
            double g = 0;
            for (size_t j = i; j < n; j++)
                if (y[j] == y[i])
                    g++;
            if (g > 1)
                ties += g * (g - 1) * (2 * g + 5);
        }
    }
    double dn = (double)n;
    mk->s = (double)s;
    mk->var_s = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18.0;
    if (s == 0 || !(mk->var_s > 0)) {
        mk->z = 0;
        mk->p = 1;
    } else {
        double num = s > 0 ? (double)s - 1 : (double)s + 1;
        mk->z = num / sqrt(mk->var_s);
        /* 2 (1 - Phi(|z|)) via the upper tail, which keeps small p exact. */
        mk->p = 2 * gsl_cdf_ugaussian_Q(fabs(mk->z));
    }
    return 0;
}

double trend_cagr(double y_first, double t_first, double y_last, double t_last)
{
    if (!(is_fin(y_first) && is_fin(y_last) && is_fin(t_first) && is_fin(t_last)))
        return NAN;
    if (!(y_first > 0 && y_last > 0 && t_last > t_first))
        return NAN;
    return pow(y_last / y_first, 1.0 / (t_last - t_first)) - 1;
}

const char *trend_class_name(enum trend_class c)
{
    switch (c) {
#define TREND_CLASS_CASE(code, name) case code: return name;
        TREND_CLASS_LIST(TREND_CLASS_CASE)
#undef TREND_CLASS_CASE
    }
    return "unknown";
}

enum trend_class trend_progress(double x0, double t0, double xt, double t,
                                double target, double target_year,
                                int direction, double *measure,
                                const char **reason)
{
    const char *why = "";
    double m = NAN;
    enum trend_class cls = TREND_NOT_ASSESSED;
    int has_target = !isnan(target);

    if (direction != 1 && direction != -1) {
        why = "direction is neither 1 nor -1";
    } else if (!(is_fin(x0) && is_fin(xt) && is_fin(t0) && is_fin(t) && t > t0)) {
        why = "fewer than two usable points";
    } else if (has_target && !is_fin(target)) {
        why = "target is not a finite number";
    } else if (has_target && (direction > 0 ? xt >= target : xt <= target)) {
        cls = TREND_TARGET_MET;
    } else if (!(x0 > 0 && xt > 0)) {
        why = "growth rates need positive values";
    } else if (!has_target) {
        m = pow(xt / x0, 1.0 / (t - t0)) - 1;
        double g = direction * m;
        if (g >= 0.015 - TREND_EPS)
            cls = TREND_SUBSTANTIAL;
        else if (g >= 0.005 - TREND_EPS)
            cls = TREND_MODERATE;
        else if (g >= -TREND_EPS)
            cls = TREND_LIMITED;
        else
            cls = TREND_DETERIORATION;
    } else if (!(target > 0)) {
        why = "growth rates need a positive target";
    } else if (!(is_fin(target_year) && target_year > t0)) {
        why = "target year is not after the base year";
    } else {
        double observed = pow(xt / x0, 1.0 / (t - t0)) - 1;
        double needed = pow(target / x0, 1.0 / (target_year - t0)) - 1;
        if (!(direction * needed > 0)) {
            /* The base year already met the target; now it is missed. */
            cls = TREND_DETERIORATION;
            why = "target was met in the base year and is no longer met";
        } else {
            m = observed / needed;
            if (m >= 0.95 - TREND_EPS)
                cls = TREND_ON_TRACK;
            else if (m >= 0.60 - TREND_EPS)
                cls = TREND_ACCELERATION_NEEDED;
            else if (m >= -TREND_EPS)
                cls = TREND_LIMITED;
            else
                cls = TREND_DETERIORATION;
        }
    }
    if (measure)
        *measure = m;
    if (reason)
        *reason = why;
    return cls;
}

/* ---- struct trends ----------------------------------------------------- */

struct trends *trends_new(size_t nnode, size_t nunit, double level)
{
    struct trends *tr = calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->nnode = nnode;
    tr->nunit = nunit;
    tr->level = level;
    size_t m = nnode * nunit;
    if (nunit != 0 && m / nunit != nnode) {
        free(tr);
        return NULL;
    }
    size_t k = m ? m : 1;   /* calloc(0) may return NULL */
    tr->first_year = calloc(k, sizeof *tr->first_year);
    tr->last_year = calloc(k, sizeof *tr->last_year);
    tr->points = calloc(k, sizeof *tr->points);
    tr->base_year = calloc(k, sizeof *tr->base_year);
    tr->weighted = calloc(k, sizeof *tr->weighted);
    tr->progress = calloc(k, sizeof *tr->progress);
    tr->reason = calloc(k, sizeof *tr->reason);
    tr->prev_year = calloc(k, sizeof *tr->prev_year);
    tr->change_excludes_zero = calloc(k, sizeof *tr->change_excludes_zero);
    tr->change_prev_excludes_zero =
        calloc(k, sizeof *tr->change_prev_excludes_zero);
    double **num[] = {
        &tr->slope, &tr->slope_low, &tr->slope_high, &tr->sen_slope,
        &tr->mk_s, &tr->mk_z, &tr->mk_p, &tr->cagr, &tr->change_since_base,
        &tr->change_low, &tr->change_high, &tr->progress_measure,
        &tr->intercept, &tr->change_prev, &tr->change_prev_low,
        &tr->change_prev_high, &tr->target,
    };
    int ok = tr->first_year && tr->last_year && tr->points && tr->base_year &&
             tr->weighted && tr->progress && tr->reason && tr->prev_year &&
             tr->change_excludes_zero && tr->change_prev_excludes_zero;
    for (size_t a = 0; a < sizeof num / sizeof num[0]; a++) {
        *num[a] = malloc(k * sizeof **num[a]);
        if (!*num[a])
            ok = 0;
        else
            for (size_t i = 0; i < k; i++)
                (*num[a])[i] = NAN;
    }
    if (!ok) {
        trends_free(tr);
        return NULL;
    }
    for (size_t i = 0; i < k; i++) {
        tr->progress[i] = TREND_UNAVAILABLE;
        tr->reason[i] = "";
    }
    return tr;
}

void trends_free(struct trends *tr)
{
    if (!tr)
        return;
    free(tr->first_year);
    free(tr->last_year);
    free(tr->points);
    free(tr->base_year);
    free(tr->weighted);
    free(tr->progress);
    free(tr->reason);
    free(tr->slope);
    free(tr->slope_low);
    free(tr->slope_high);
    free(tr->sen_slope);
    free(tr->mk_s);
    free(tr->mk_z);
    free(tr->mk_p);
    free(tr->cagr);
    free(tr->change_since_base);
    free(tr->change_low);
    free(tr->change_high);
    free(tr->progress_measure);
    free(tr->intercept);
    free(tr->median);
    free(tr->prev_year);
    free(tr->change_prev);
    free(tr->change_prev_low);
    free(tr->change_prev_high);
    free(tr->change_excludes_zero);
    free(tr->change_prev_excludes_zero);
    free(tr->target);
    free(tr);
}

/* ---- every node and unit ---------------------------------------------- */

/* Scratch arrays for one series, nyear long each. */
struct series {
    double *t, *y, *se;   /* score series and its se (NaN when unknown) */
    size_t n;
};

/* One node x unit cell. Returns 0, or -1 on ENOMEM. */
static int trend_cell(struct trends *tr, size_t cell, const struct series *s,
                      const struct config *cfg, const struct fw_node *nd,
                      int is_indicator, const struct cube *c, size_t node,
                      size_t u, double target_score)
{
    size_t n = s->n;
    tr->points[cell] = (int)n;
    if (n == 0) {
        tr->reason[cell] = "no year has a score";
        return 0;
    }
    tr->first_year[cell] = (int)s->t[0];
    tr->last_year[cell] = (int)s->t[n - 1];
    if (n < 3) {
        tr->reason[cell] = "fewer than three years with a score";
        return 0;
    }

    struct trend_fit fit;
    if (trend_ols(s->t, s->y, s->se, n, cfg->ci_level, &fit) == 0) {
        tr->slope[cell] = fit.slope;
        tr->intercept[cell] = fit.intercept;
        tr->slope_low[cell] = fit.slope_low;
        tr->slope_high[cell] = fit.slope_high;
        tr->weighted[cell] = (unsigned char)fit.weighted;
    }
    if (trend_sen(s->t, s->y, n, &tr->sen_slope[cell]) != 0)
        return -1;
    struct trend_mk mk;
    if (trend_mann_kendall(s->t, s->y, n, &mk) == 0) {
        tr->mk_s[cell] = mk.s;
        tr->mk_z[cell] = mk.z;
        tr->mk_p[cell] = mk.p;
    }

    size_t b = 0;   /* base point: the base year if scored, else the first */
    for (size_t k = 0; k < n; k++)
        if ((int)s->t[k] == cfg->base_year) { b = k; break; }
    tr->base_year[cell] = (int)s->t[b];
    tr->change_since_base[cell] = s->y[n - 1] - s->y[b];

    double x0, t0, xt, tt, first, tfirst, target;
    int direction;
    if (is_indicator) {
        /* Raw values: the first, the base year's (else first) and the last
         * year with a value. */
        long kf = -1, kb = -1, kl = -1;
        for (size_t t = 0; t < c->nyear; t++) {
            double v = c->value[CUBE_AT(c, node, t, u)];
            if (isnan(v))
                continue;
            if (kf < 0)
                kf = (long)t;
            if (c->year[t] == cfg->base_year)
                kb = (long)t;
            kl = (long)t;
        }
        if (kb < 0)
            kb = kf;
        x0 = kb >= 0 ? c->value[CUBE_AT(c, node, kb, u)] : NAN;
        t0 = kb >= 0 ? c->year[kb] : NAN;
        xt = kl >= 0 ? c->value[CUBE_AT(c, node, kl, u)] : NAN;
        tt = kl >= 0 ? c->year[kl] : NAN;
        first = kf >= 0 ? c->value[CUBE_AT(c, node, kf, u)] : NAN;
        tfirst = kf >= 0 ? c->year[kf] : NAN;
        target = nd->target;
        direction = nd->direction;
    } else {
        x0 = s->y[b];
        t0 = s->t[b];
        first = s->y[0];
        tfirst = s->t[0];
        xt = s->y[n - 1];
        tt = s->t[n - 1];
        target = target_score;   /* NaN: the bands without a target */
        direction = 1;
    }
    tr->target[cell] = target;
    tr->cagr[cell] = trend_cagr(first, tfirst, xt, tt);
    tr->progress[cell] = trend_progress(x0, t0, xt, tt, target,
                                        (double)cfg->target_year, direction,
                                        &tr->progress_measure[cell],
                                        &tr->reason[cell]);
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
    size_t ny = res->nyear ? res->nyear : 1;
    s.t = malloc(ny * sizeof *s.t);
    s.y = malloc(ny * sizeof *s.y);
    s.se = malloc(ny * sizeof *s.se);
    if (!tr || !s.t || !s.y || !s.se)
        goto nomem;

    int have_ci = res->ci_low && res->ci_high;
    double z = NAN;
    if (have_ci && cfg->ci_level > 0 && cfg->ci_level < 1)
        z = gsl_cdf_ugaussian_Pinv(1 - (1 - cfg->ci_level) / 2);

    for (size_t node = 0; node < res->nnode; node++) {
        int is_ind = node < (size_t)fw->nind;
        for (size_t u = 0; u < res->nunit; u++) {
            s.n = 0;
            size_t tlast = 0;
            for (size_t t = 0; t < res->nyear; t++) {
                size_t at = RES_AT(res, node, t, u);
                double v = res->score[at];
                if (isnan(v))
                    continue;
                tlast = t;
                s.t[s.n] = c->year[t];
                s.y[s.n] = v;
                s.se[s.n] = have_ci ? (res->ci_high[at] - res->ci_low[at]) / (2 * z)
                                    : NAN;
                s.n++;
            }
            double ts = !is_ind && s.n > 0 && res->target_score
                            ? res->target_score[node * res->nyear + tlast]
                            : NAN;
            if (trend_cell(tr, TREND_AT(tr, node, u), &s, cfg, &fw->node[node],
                           is_ind, c, node, u, ts) != 0)
                goto nomem;
        }
    }
    if (trend_medians(tr, res) != 0)
        goto nomem;
    free(s.t);
    free(s.y);
    free(s.se);
    *out = tr;
    return 0;

nomem:
    free(s.t);
    free(s.y);
    free(s.se);
    trends_free(tr);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "trends: out of memory");
    return -1;
}

/* ---- Notes ------------------------------------------------------------- */

void trend_notes_add(const struct config *cfg, const struct framework *fw,
                     const struct trends *tr, struct notes *nt)
{
    if (!cfg || !fw || !tr || !nt || fw->nind < 0)
        return;
    size_t nind = (size_t)fw->nind;
    size_t unavailable = 0, weighted = 0, fitted = 0, moved_base = 0;
    size_t ind_target = 0, agg_target = 0, agg_bands = 0, not_assessed = 0;
    const char *why[8];   /* the distinct reasons for 'not assessed' */
    size_t nwhy[8], kinds = 0, other = 0;
    for (size_t node = 0; node < tr->nnode; node++)
        for (size_t u = 0; u < tr->nunit; u++) {
            size_t cell = TREND_AT(tr, node, u);
            enum trend_class k = tr->progress[cell];
            if (k == TREND_UNAVAILABLE) {
                unavailable++;
                continue;
            }
            fitted++;
            weighted += tr->weighted[cell];
            if (tr->base_year[cell] != cfg->base_year)
                moved_base++;
            if (k == TREND_NOT_ASSESSED) {
                not_assessed++;
                const char *r = tr->reason[cell] ? tr->reason[cell] : "";
                size_t j = 0;
                while (j < kinds && strcmp(why[j], r) != 0)
                    j++;
                if (j == kinds && kinds < 8) {
                    why[kinds] = r;
                    nwhy[kinds++] = 0;
                }
                if (j < kinds)
                    nwhy[j]++;
                else
                    other++;
                continue;
            }
            int targeted = !isnan(tr->target[cell]);
            if (node < nind)
                ind_target += (size_t)targeted;
            else if (targeted)
                agg_target++;
            else
                agg_bands++;
        }
    notes_add(nt, "Trends (Trends sheet, trends.csv): for each node and unit over the "
              "years with a score; fewer than 3 give 'trend unavailable' (%zu of %zu "
              "rows). OLS slope of the score on the year with its %g %% t interval "
              "(slope +/- t(1 - a/2, n - 2) se), weighted by 1/se^2 when every year "
              "has an interval (se = interval width / 2z; %zu of %zu fits weighted); "
              "Sen's slope (median of the pairwise slopes); Mann-Kendall S, Z and the "
              "two-sided p with the tie correction of the variance.",
              unavailable, tr->nnode * tr->nunit, 100.0 * cfg->ci_level, weighted,
              fitted);
    notes_add(nt, "Growth and progress: CAGR = (last / first)^(1 / years) - 1, on the "
              "raw values for indicators (positive values only) and on the scores "
              "for aggregates. Progress runs from the base year %d (the first year "
              "with a value where %d has none: %zu rows) to the last year. Against "
              "a target (Open SDG method), the ratio of the observed CAGR to the CAGR "
              "needed to reach the target in %d: >= 0.95 on track, 0.60-0.95 "
              "progress, acceleration needed, 0-0.60 limited progress, < 0 "
              "deterioration; a target already met counts as met, and one met in "
              "the base year but missed now as deterioration. Without a target: "
              "CAGR >= 1.5 %% substantial, 0.5-1.5 %% moderate, 0-0.5 %% limited "
              "progress, < 0 deterioration (signs flipped where lower is better).",
              cfg->base_year, cfg->base_year, moved_base, cfg->target_year);
    notes_add(nt, "Targets used: indicators their framework target, in raw units "
              "(%zu rows); aggregates their target score in the last year, the "
              "score a unit would have with every indicator that has a target exactly "
              "at it, those without one counting as missing (Framework sheet; %zu "
              "rows), or the bands without a target where no target score is defined "
              "(%zu rows).",
              ind_target, agg_target, agg_bands);
    if (not_assessed > 0) {
        char buf[512];
        size_t len = 0;
        buf[0] = '\0';
        for (size_t j = 0; j < kinds && len < sizeof buf; j++) {
            int w = snprintf(buf + len, sizeof buf - len, "%s%s (%zu)",
                             j ? "; " : "", why[j], nwhy[j]);
            if (w < 0)
                break;
            len += (size_t)w;
        }
        if (other > 0 && len < sizeof buf)
            snprintf(buf + len, sizeof buf - len, "; other reasons (%zu)", other);
        notes_add(nt, "Not assessed: %zu row%s whose progress cannot be classed: %s.",
                  not_assessed, not_assessed == 1 ? "" : "s", buf);
    }
}
