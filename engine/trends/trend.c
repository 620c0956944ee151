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

/* Exact two-sided p of a Mann-Kendall S for n <= TREND_MK_EXACT_MAX
 * distinct values: the number of orderings with k inversions (Mahonian
 * numbers, by the recurrence over n), S = N - 2k with N = n(n-1)/2, and
 * p = min(1, 2 P(S >= |s|)) = min(1, 2 P(k <= (N - |s|)/2)). */
static double mk_exact_p(size_t n, long s)
{
    enum { KMAX = TREND_MK_EXACT_MAX * (TREND_MK_EXACT_MAX - 1) / 2 };
    double cnt[KMAX + 1] = {1.0}, nxt[KMAX + 1];
    size_t kmax = 0;
    for (size_t m = 2; m <= n; m++) {
        size_t km = kmax + (m - 1);
        for (size_t k = 0; k <= km; k++) {
            double v = 0.0;
            for (size_t j = 0; j < m && j <= k; j++)
                if (k - j <= kmax) v += cnt[k - j];
            nxt[k] = v;
        }
        kmax = km;
        memcpy(cnt, nxt, (kmax + 1) * sizeof *cnt);
    }
    double total = 0.0, tail = 0.0;
    long abs_s = s < 0 ? -s : s, N = (long)kmax;
    for (size_t k = 0; k <= kmax; k++) {
        total += cnt[k];
        if (N - 2 * (long)k >= abs_s) tail += cnt[k];
    }
    double p = 2.0 * tail / total;
    return p < 1.0 ? p : 1.0;
}

int trend_mann_kendall(const double *t, const double *y, size_t n,
                       struct trend_mk *mk)
{
    mk->s = mk->var_s = mk->z = mk->p = NAN;
    mk->exact = 0;
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
    if (n <= TREND_MK_EXACT_MAX && ties == 0) {
        mk->p = mk_exact_p(n, s);
        mk->exact = 1;
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

/* A ratio against the class thresholds of the Open SDG method. */
static enum trend_class ratio_class(double r)
{
    if (r >= 0.95 - TREND_EPS) return TREND_ON_TRACK;
    if (r >= 0.60 - TREND_EPS) return TREND_ACCELERATION_NEEDED;
    if (r >= -TREND_EPS) return TREND_LIMITED;
    return TREND_DETERIORATION;
}

/* A yearly rate against the bands without a target. */
static enum trend_class band_class(double g)
{
    if (g >= 0.015 - TREND_EPS) return TREND_SUBSTANTIAL;
    if (g >= 0.005 - TREND_EPS) return TREND_MODERATE;
    if (g >= -TREND_EPS) return TREND_LIMITED;
    return TREND_DETERIORATION;
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
        cls = band_class(direction * m);
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
            cls = ratio_class(m);
        }
    }
    if (measure)
        *measure = m;
    if (reason)
        *reason = why;
    return cls;
}

enum trend_class trend_progress_score(double x0, double t0, double xt, double t,
                                      double target, double target_year, double span,
                                      double *measure, const char **reason)
{
    const char *why = "";
    double m = NAN;
    enum trend_class cls = TREND_NOT_ASSESSED;
    if (!(is_fin(x0) && is_fin(xt) && is_fin(t0) && is_fin(t) && t > t0)) {
        why = "fewer than two usable points";
    } else if (!isnan(target)) {
        if (!is_fin(target)) {
            why = "target is not a finite number";
        } else if (xt >= target - TREND_EPS * fabs(target)) {
            cls = TREND_TARGET_MET;
        } else if (x0 >= target) {
            cls = TREND_DETERIORATION;
            why = "target was met in the base year and is no longer met";
        } else if (!(is_fin(target_year) && target_year > t0)) {
            why = "target year is not after the base year";
        } else {
            m = ((xt - x0) / (target - x0)) / ((t - t0) / (target_year - t0));
            cls = ratio_class(m);
        }
    } else if (!(is_fin(span) && span > 0)) {
        why = "the scores do not vary across units and years";
    } else {
        m = (xt - x0) / (t - t0) / span;
        cls = band_class(m);
    }
    if (measure) *measure = m;
    if (reason) *reason = why;
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
    tr->comparable = 1;
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
    unsigned char **flags[] = {&tr->change_assessed, &tr->change_excludes_zero,
                               &tr->change_significant, &tr->change_prev_assessed,
                               &tr->change_prev_excludes_zero,
                               &tr->change_prev_significant};
    double **num[] = {
        &tr->slope, &tr->slope_low, &tr->slope_high, &tr->sen_slope,
        &tr->mk_s, &tr->mk_z, &tr->mk_p, &tr->cagr, &tr->change_since_base,
        &tr->change_low, &tr->change_high, &tr->progress_measure,
        &tr->intercept, &tr->change_prev, &tr->change_prev_low,
        &tr->change_prev_high, &tr->target, &tr->change_p, &tr->change_prev_p,
    };
    int ok = tr->first_year && tr->last_year && tr->points && tr->base_year &&
             tr->weighted && tr->progress && tr->reason && tr->prev_year;
    for (size_t a = 0; a < sizeof flags / sizeof flags[0]; a++)
        ok &= (*flags[a] = calloc(k, 1)) != NULL;
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
    free(tr->change_assessed);
    free(tr->change_p);
    free(tr->change_excludes_zero);
    free(tr->change_significant);
    free(tr->change_prev_assessed);
    free(tr->change_prev_p);
    free(tr->change_prev_excludes_zero);
    free(tr->change_prev_significant);
    free(tr->target);
    free(tr);
}

