/* trend.h: trends over the years of a batch and progress towards targets
 * (METHODS.md section 7).
 *
 * The building blocks (trend_ols, trend_sen, trend_mann_kendall, trend_cagr,
 * trend_progress) are pure functions of the arrays they are given: they never
 * print and never keep a pointer. trend_compute_all runs them for every node
 * and unit of a run and returns a struct trends that the reports format.
 *
 * Times are years held as doubles; a series is given as parallel arrays t[]
 * and y[] of n points with no NaN in them (callers drop missing years first).
 */
#ifndef LCME_TREND_H
#define LCME_TREND_H

#include <stddef.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "pipeline.h"

/* ---- ordinary and weighted least squares ------------------------------ */

struct trend_fit {
    double intercept;
    double slope;
    double se_slope;     /* standard error of the slope; NaN when n < 3 */
    double slope_low;    /* slope -/+ t(1 - alpha/2, n - 2) * se_slope; */
    double slope_high;   /*   NaN when n < 3 or level is not in (0, 1)  */
    size_t n;            /* points used */
    int weighted;        /* 1: weights 1/se^2 were used */
};

/* Straight-line fit y = intercept + slope * t at confidence level `level`
 * (e.g. 0.95).
 *
 * Unweighted (gsl_fit_linear) unless se is non-NULL and every se[i] is
 * positive and finite; then weighted by w = 1/se^2 (gsl_fit_wlinear).
 *
 * The slope's variance in the weighted case: gsl_fit_wlinear's cov11 treats
 * the weights as known inverse variances. R's lm(y ~ t, weights = 1/se^2)
 * instead scales that covariance by the residual variance
 * s^2 = chisq / (n - 2), chisq = sum w (y - fit)^2, and confint() then uses
 * t(n - 2). lcme follows R: se_slope = sqrt(cov11 * chisq / (n - 2)), so the
 * interval equals confint(lm(..., weights = 1/se^2)). The se values thus set
 * the relative weight of the years; the width of the interval comes from
 * the scatter about the line. (In the unweighted case gsl_fit_linear already
 * scales by the residual variance, like lm.)
 *
 * Returns 0 and fills *fit; -1 when n < 2 or all t are equal (no slope),
 * or when a weighted fit of more than 128 points cannot get memory, with
 * *fit set to NaN. For n == 2 the slope is defined but the interval is
 * NaN (no degrees of freedom). */
int trend_ols(const double *t, const double *y, const double *se, size_t n,
              double level, struct trend_fit *fit);

/* ---- Sen's slope and the Mann-Kendall test ---------------------------- */

/* Sen's slope: the median of the pairwise slopes (y[j] - y[i]) / (t[j] - t[i])
 * over i < j with t[j] != t[i] (for an even count, the mean of the middle
 * two). Sets *slope (NaN when there is no pair with distinct times).
 * Returns 0, or -1 when memory runs out (n(n-1)/2 doubles are allocated). */
int trend_sen(const double *t, const double *y, size_t n, double *slope);

struct trend_mk {
    int exact;           /* 1: p from the exact distribution of S */
    double s;            /* sum over i < j of sign(t_j - t_i) * sign(y_j - y_i) */
    double var_s;        /* [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18,
                            t_g the sizes of groups of tied y values */
    double z;            /* (S - 1)/sqrt(var) for S > 0, (S + 1)/sqrt(var)
                            for S < 0, 0 for S == 0 */
    double p;            /* two-sided p-value (see trend_mann_kendall) */
};

/* Series up to this length without ties get the exact p-value. */
#define TREND_MK_EXACT_MAX 10

/* Mann-Kendall test for a monotonic trend. The times must be distinct (one
 * value per year); their order does not matter. S, its variance with the
 * tie correction, and Z with the continuity correction are always given.
 * The p-value: for n <= TREND_MK_EXACT_MAX and no tied y, the exact
 * two-sided p of S under independence (every ordering of the y equally
 * likely; S = n(n-1)/2 - 2 x inversions, whose counts are the Mahonian
 * numbers): p = min(1, 2 P(S >= |s|)), as R's cor.test(t, y, method =
 * "kendall", exact = TRUE); otherwise the normal approximation
 * 2 (1 - Phi(|z|)), as cor.test(..., exact = FALSE, continuity = TRUE).
 * Returns 0, or -1 with every field NaN when n < 2. Never allocates
 * (O(n^2) time; the exact case O(n^4) on at most 46 counts). */
int trend_mann_kendall(const double *t, const double *y, size_t n,
                       struct trend_mk *mk);

/* ---- growth and progress ---------------------------------------------- */

/* Compound annual growth rate (y_last / y_first)^(1 / (t_last - t_first)) - 1.
 * NaN unless both values are positive and finite and t_last > t_first. */
double trend_cagr(double y_first, double t_first, double y_last, double t_last);

/* Progress classes. Names by trend_class_name; new classes go at the end. */
#define TREND_CLASS_LIST(X)                                              \
    X(TREND_UNAVAILABLE, "trend unavailable")                           \
    X(TREND_NOT_ASSESSED, "not assessed")                               \
    X(TREND_TARGET_MET, "target met")                                   \
    X(TREND_ON_TRACK, "on track")                                       \
    X(TREND_ACCELERATION_NEEDED, "progress, acceleration needed")       \
    X(TREND_LIMITED, "limited progress")                                \
    X(TREND_DETERIORATION, "deterioration")                             \
    X(TREND_SUBSTANTIAL, "substantial progress")                        \
    X(TREND_MODERATE, "moderate progress")

enum trend_class {
#define TREND_CLASS_ENUM(code, name) code,
    TREND_CLASS_LIST(TREND_CLASS_ENUM)
#undef TREND_CLASS_ENUM
};

/* The text of a class, as written to trends.csv; never NULL. */
const char *trend_class_name(enum trend_class c);

/* Progress class (Open SDG / Statistics Canada; METHODS.md section 7) of a
 * series that moved from x0 in base year t0 to xt in year t, in the series'
 * own units (raw units for an indicator, so that targets apply).
 *
 * target is NaN when there is none; then target_year is ignored.
 * direction is +1 (higher is better) or -1 (lower is better).
 *
 * With a target:
 *   - xt >= target (direction +1) or xt <= target (-1): target met;
 *   - else R = observed CAGR / needed CAGR, observed = (xt/x0)^(1/(t-t0)) - 1,
 *     needed = (target/x0)^(1/(target_year-t0)) - 1:
 *     R >= 0.95 on track; 0.60 <= R < 0.95 progress, acceleration needed;
 *     0 <= R < 0.60 limited progress; R < 0 deterioration.
 *     A target that was met in the base year but is no longer met is
 *     deterioration (the needed rate would point the wrong way).
 * Without a target, on g = direction * observed CAGR:
 *   g >= 1.5 % substantial; 0.5 % <= g < 1.5 % moderate;
 *   0 <= g < 0.5 % limited; g < 0 deterioration.
 * Boundaries are compared with a tolerance of 1e-12, so a value that lies on
 * a boundary up to rounding is put in the higher class.
 *
 * Not assessed (with *reason saying why) when a value is missing, t <= t0
 * (fewer than two usable points), a value or the target is not positive
 * (growth rates need positive values), the direction is not +-1, or the
 * target year is not after the base year.
 *
 * *measure (may be NULL) receives R with a target, the observed CAGR
 * without one, NaN otherwise. *reason (may be NULL) receives a static
 * sentence, "" when the class needs no explanation. */
enum trend_class trend_progress(double x0, double t0, double xt, double t,
                                double target, double target_year,
                                int direction, double *measure,
                                const char **reason);

/* Progress class of an aggregate score (an interval scale whose origin and
 * unit the normalisation's range fixes), by a rule invariant to rescaling
 * the scores (a x + b, a > 0), so that the same data with range = 0, 100 or
 * 10, 20 give the same classes:
 *
 * With a target score (target not NaN):
 *   - xt >= target: target met;
 *   - x0 >= target (met in the base year, missed now): deterioration;
 *   - else R = [(xt - x0)/(target - x0)] / [(t - t0)/(target_year - t0)],
 *     the share of the distance to the target closed against the share of
 *     the time elapsed, with the thresholds of trend_progress (>= 0.95 on
 *     track, 0.60-0.95 acceleration needed, 0-0.60 limited, < 0
 *     deterioration).
 * Without one, g = (xt - x0)/(t - t0)/span, the annual change as a share of
 * span (the node's score range across units and years, > 0), with the
 * thresholds of the growth rate (1.5 %, 0.5 %, 0).
 * Not assessed (with *reason) when a value is missing, t <= t0, the target
 * year is not after the base year, or span is not positive. *measure: R or
 * g; NaN otherwise. */
enum trend_class trend_progress_score(double x0, double t0, double xt, double t,
                                      double target, double target_year, double span,
                                      double *measure, const char **reason);

/* ---- every node and unit of a run ------------------------------------- */

/* Per node x unit arrays, indexed by TREND_AT(tr, node, u). */
#define TREND_AT(tr, node, u) ((size_t)(node) * (tr)->nunit + (size_t)(u))

struct trends {
    size_t nnode, nunit;
    double level;            /* confidence level of the slope intervals */
    int *first_year;         /* first and last year of the comparison */
    int *last_year;          /*   series (compare.h); 0 when none */
    int *points;             /* years in it */
    double *slope, *slope_low, *slope_high; /* OLS (weighted when se known) */
    double *intercept;       /* of the same OLS line: y = intercept + slope * year */
    unsigned char *weighted; /* 1: the fit was weighted by 1/se^2 */
    double *sen_slope;
    double *mk_s, *mk_z, *mk_p;
    double *cagr;            /* raw values (the rate when denominated) for
                                indicators; NaN for aggregates, whose scores
                                are not on a ratio scale */
    double *change_since_base;  /* the comparison's x1 - x0: last minus base
                                   year, over the same indicators */
    double *change_low, *change_high; /* NaN until a Monte Carlo stage fills them */
    int *base_year;          /* year change and progress are measured from */
    enum trend_class *progress;
    double *progress_measure;/* R with a target, CAGR without; NaN otherwise */
    const char **reason;     /* static text for 'not assessed' and
                                'trend unavailable'; "" otherwise; never freed */
    int comparable;          /* 1: scores are comparable over time (pooled
                                normalisation); 0 (per-year scope): no slope,
                                change or score-based progress is computed */
    size_t nyear;            /* years of the run; 0 when median is NULL */
    double *median;          /* [node * nyear + t]: median score across the
                                units that have one in year t (NaN when none);
                                NULL from trends_new, filled by
                                trend_compute_all */
    /* Monte Carlo changes (trends_new sets them to NaN / 0,
     * uncertainty_change_apply fills them): */
    int *prev_year;          /* calendar year before last_year when it has a
                                score, else 0 */
    double *change_prev;     /* score(last) - score(prev_year) */
    double *change_prev_low, *change_prev_high; /* its Monte Carlo interval */
    unsigned char *change_assessed;           /* 1: a measured error enters it */
    double *change_p;                         /* Monte Carlo p-value; NaN when
                                                 not assessed */
    unsigned char *change_excludes_zero;      /* 1: assessed and [change_low,
                                                 change_high] excludes 0 */
    unsigned char *change_significant;        /* 1: assessed and significant
                                                 after Benjamini-Hochberg */
    unsigned char *change_prev_assessed;      /* the same, since last year */
    double *change_prev_p;
    unsigned char *change_prev_excludes_zero;
    unsigned char *change_prev_significant;
    double *target;          /* the target progress was judged against: the
                                framework target in raw units for indicators,
                                the target score over the unit's indicators
                                with a target in the last year for
                                aggregates; NaN when classed without one */
};

/* Empty trends: counts 0, numbers NaN, class TREND_UNAVAILABLE, reason "",
 * median NULL (nyear 0). NULL on ENOMEM. Free with trends_free. */
struct trends *trends_new(size_t nnode, size_t nunit, double level);

void trends_free(struct trends *tr);   /* NULL is harmless */

/* Trends of every node and unit over the years of res, on the run's
 * comparisons (res->compare, compare.h: which years are points, the two
 * ends of each change and the indicators it compares).
 *
 * - Points: the comparison series (an indicator's observed years from its
 *   last break in series on; an aggregate's scores over the indicators
 *   observed in every year it is scored). points, first_year and
 *   last_year describe it (last_year and base_year are the change's ends
 *   when it has them).
 * - Fewer than 3 points: no slope, Sen slope or Mann-Kendall test.
 * - Slope and interval at cfg->ci_level (trend_ols) on the series; when
 *   res->ci_low/ci_high exist and every point is a published score with a
 *   positive width, se = (ci_high - ci_low) / (2 z), z = Phi^-1(1 - (1 -
 *   level)/2), and the fit is weighted. Sen's slope and Mann-Kendall on the
 *   series.
 * - change_since_base: the comparison's x1 - x0 (the base year when it is a
 *   point, else the first point, to the last point), like with like.
 * - Indicators: CAGR and progress on the raw values c->value (targets are
 *   in raw units) with the node's target, direction and cfg->target_year,
 *   at the comparison's points.
 * - Aggregates: progress on the change's two values by
 *   trend_progress_score, against the target score over the indicators of
 *   the change that have a target (res->compare->tx0, tx1, ttarget) when
 *   they carry enough weight and it lies on the score scale, else with the
 *   bands without a target.
 * - median[node * nyear + t]: the median across units of the node's scores
 *   in year t (units without a score skipped; NaN when none has one), for
 *   the charts' network reference line.
 *
 * Borrowed: cfg, fw, c (raw values as loaded; same units and years as res),
 * res. Returns 0 and *out (free with trends_free), or -1 with *out NULL and
 * the reason in d (sizes that do not match, results without comparisons,
 * out of memory). */
int trend_compute_all(const struct config *cfg, const struct framework *fw,
                      const struct cube *c, const struct results *res,
                      struct trends **out, struct diag *d);

/* Sentences for the Notes sheet: the trend statistics, the growth rates,
 * the progress classes and their thresholds, which targets were used, and
 * how many rows were 'trend unavailable' or 'not assessed' and why;
 * appended to nt. Borrowed: cfg, fw, tr. */
void trend_notes_add(const struct config *cfg, const struct framework *fw,
                     const struct trends *tr, struct notes *nt);

#endif
