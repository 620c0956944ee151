/* test_trend.c: unit tests of engine/trends/trend.c, trend_all.c and
 * reports/csv/trends_csv.c.
 *
 * Expected numbers come from R (base stats: lm, confint, cor.test) by
 * tests/trend/expected.R; its output is kept in tests/trend/expected.out and
 * each literal below names the block ([ols], [wls], ...) it was copied from.
 * Progress classes are also checked by hand from the printed ratios.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "testkit_engine.h"
#include "trend.h"
#include "trends_csv.h"

#define REL 1e-9

static void near(double got, double want, double rel, const char *what)
{
    double tol = rel * fmax(1.0, fabs(want));
    if (!(fabs(got - want) <= tol)) {
        print_error("%s: got %.17g, want %.17g\n", what, got, want);
        fail();
    }
}
#define NEAR(got, want) near((got), (want), REL, #got)

/* [ols] */
static const double T6[] = {2016, 2017, 2018, 2019, 2020, 2021};
static const double Y6[] = {52.1, 53.4, 53.0, 55.2, 56.8, 56.1};
static const double SE6[] = {1.2, 0.8, 1.0, 0.5, 0.9, 1.5};

static void test_ols_unweighted(void **state)
{
    (void)state;
    struct trend_fit f;
    assert_int_equal(trend_ols(T6, Y6, NULL, 6, 0.95, &f), 0);
    assert_int_equal(f.weighted, 0);
    assert_int_equal(f.n, 6);
    NEAR(f.slope, 0.92571428571437497);
    NEAR(f.se_slope, 0.190366635160473);
    NEAR(f.slope_low, 0.39717177333010556);
    NEAR(f.slope_high, 1.45425679809864450);
    assert_int_equal(trend_ols(T6, Y6, NULL, 6, 0.90, &f), 0);
    NEAR(f.slope_low, 0.51988178632370274);
    NEAR(f.slope_high, 1.33154678510504709);

    /* One se missing: falls back to the unweighted fit. */
    double se[6];
    memcpy(se, SE6, sizeof se);
    se[2] = NAN;
    assert_int_equal(trend_ols(T6, Y6, se, 6, 0.95, &f), 0);
    assert_int_equal(f.weighted, 0);
    NEAR(f.slope_low, 0.39717177333010556);
    se[2] = 0;   /* a zero se cannot be a weight either */
    assert_int_equal(trend_ols(T6, Y6, se, 6, 0.95, &f), 0);
    assert_int_equal(f.weighted, 0);
}

static void test_ols_weighted(void **state)
{
    (void)state;
    struct trend_fit f;
    assert_int_equal(trend_ols(T6, Y6, SE6, 6, 0.95, &f), 0);
    assert_int_equal(f.weighted, 1);
    /* [wls] lm(y ~ t, weights = 1/se^2); confint */
    NEAR(f.slope, 1.0152938320917322);
    NEAR(f.se_slope, 0.20377958728263834);
    NEAR(f.slope_low, 0.44951099444162446);
    NEAR(f.slope_high, 1.58107666974183991);
}

static void test_ols_degenerate(void **state)
{
    (void)state;
    struct trend_fit f;
    const double t[] = {2016, 2016, 2016}, y[] = {1, 2, 3};
    assert_int_equal(trend_ols(t, y, NULL, 3, 0.95, &f), -1);
    assert_true(isnan(f.slope));
    assert_int_equal(trend_ols(T6, Y6, NULL, 1, 0.95, &f), -1);
    /* Two points: slope by hand (53.4 - 52.1) / 1, no interval. */
    assert_int_equal(trend_ols(T6, Y6, NULL, 2, 0.95, &f), 0);
    NEAR(f.slope, 1.3);
    assert_true(isnan(f.slope_low) && isnan(f.slope_high) && isnan(f.se_slope));
    assert_int_equal(trend_ols(T6, Y6, SE6, 2, 0.95, &f), 0);
    NEAR(f.slope, 1.3);
    assert_true(isnan(f.slope_low));
    /* A level outside (0, 1) leaves the interval NaN. */
    assert_int_equal(trend_ols(T6, Y6, NULL, 6, 1.5, &f), 0);
    assert_true(isnan(f.slope_low));
}

static void test_sen(void **state)
{
    (void)state;
    double s;
    /* [sen] n = 4, 6 pairs (even count: mean of the middle two) */
    const double t4[] = {2016, 2017, 2019, 2020}, y4[] = {10, 12, 11, 15};
    assert_int_equal(trend_sen(t4, y4, 4, &s), 0);
    NEAR(s, 1.125);
    /* [sen] n = 6, 15 pairs (odd) */
    assert_int_equal(trend_sen(T6, Y6, 6, &s), 0);
    NEAR(s, 1.0333333333333339);
    /* [sen] n = 3, 3 pairs */
    const double t3[] = {2016, 2018, 2021}, y3[] = {4, 9, 7};
    assert_int_equal(trend_sen(t3, y3, 3, &s), 0);
    NEAR(s, 0.59999999999999998);
    assert_int_equal(trend_sen(t3, y3, 1, &s), 0);
    assert_true(isnan(s));
}

static void test_mann_kendall(void **state)
{
    (void)state;
    struct trend_mk mk;
    /* [mk_ties] y with ties 5,5 and 7,7,7 */
    const double t[] = {1, 2, 3, 4, 5, 6, 7, 8};
    const double y[] = {3, 5, 5, 4, 7, 7, 7, 9};
    assert_int_equal(trend_mann_kendall(t, y, 8, &mk), 0);
    NEAR(mk.s, 20);
    NEAR(mk.var_s, 60.666666666666664);
    NEAR(mk.z, 2.4393748073122037);
    NEAR(mk.p, 0.01471269958503877);
    /* Order of the points does not matter (the times carry it). */
    const double tr[] = {8, 7, 6, 5, 4, 3, 2, 1};
    const double yr[] = {9, 7, 7, 7, 4, 5, 5, 3};
    assert_int_equal(trend_mann_kendall(tr, yr, 8, &mk), 0);
    NEAR(mk.s, 20);
    NEAR(mk.z, 2.4393748073122037);

    assert_int_equal(mk.exact, 0);   /* ties: the normal approximation */

    /* [mk_down] S < 0, no ties: S, its variance and Z as ever, the p-value
     * exact ([mk_exact] cor.test(..., exact = TRUE); the normal
     * approximation would give 0.060289173990602123) */
    const double yd[] = {9.1, 8.7, 8.9, 7.5, 7.9, 6.2};
    assert_int_equal(trend_mann_kendall(t, yd, 6, &mk), 0);
    NEAR(mk.s, -11);
    NEAR(mk.var_s, 28.333333333333332);
    NEAR(mk.z, -1.8786728732554487);
    assert_int_equal(mk.exact, 1);
    NEAR(mk.p, 0.055555555555555552);

    /* [mk_exact] the last exact length, 10 points, and the first normal
     * one, 11 */
    const double t11[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const double y11[] = {3.1, 2.7, 4.4, 5.0, 4.1, 6.3, 5.9, 7.2, 6.8, 8.5, 7.9};
    assert_int_equal(trend_mann_kendall(t11, y11, 10, &mk), 0);
    assert_int_equal(mk.exact, 1);
    NEAR(mk.p, 0.0009463183421516419);
    assert_int_equal(trend_mann_kendall(t11, y11, 11, &mk), 0);
    assert_int_equal(mk.exact, 0);
    NEAR(mk.p, 0.0010766328645878012);
    /* [mk_exact] n = 3, S = 3: 2 x 1/6 */
    const double y3[] = {1, 2, 3};
    assert_int_equal(trend_mann_kendall(t, y3, 3, &mk), 0);
    NEAR(mk.p, 0.33333333333333326);

    /* S == 0: Z 0, p 1 (by hand: +1 -1 0 ... for 1, 2, 1) */
    const double y0[] = {1, 2, 1};
    assert_int_equal(trend_mann_kendall(t, y0, 3, &mk), 0);
    NEAR(mk.s, 0);
    NEAR(mk.z, 0);
    NEAR(mk.p, 1);
    /* All tied: variance 0 by hand (3*2*11 - 3*2*11)/18. */
    const double yc[] = {4, 4, 4};
    assert_int_equal(trend_mann_kendall(t, yc, 3, &mk), 0);
    NEAR(mk.var_s, 0);
    NEAR(mk.p, 1);
    assert_int_equal(trend_mann_kendall(t, y, 1, &mk), -1);
    assert_true(isnan(mk.s));
}

static void test_cagr(void **state)
{
    (void)state;
    /* [cagr] */
    NEAR(trend_cagr(80, 2016, 88, 2019), 0.03228011545636722);
    NEAR(trend_cagr(50, 2016, 50, 2020), 0);
    assert_true(isnan(trend_cagr(0, 2016, 88, 2019)));
    assert_true(isnan(trend_cagr(80, 2016, -1, 2019)));
    assert_true(isnan(trend_cagr(80, 2019, 88, 2019)));
    assert_true(isnan(trend_cagr(NAN, 2016, 88, 2019)));
}

/* A class and its measure (NaN: none) as expected, with a reason. */
static void expect_class(enum trend_class got, enum trend_class want, double m,
                         double want_m, const char *why, double x0, double xt,
                         double target)
{
    if (got != want) {
        print_error("progress %g->%g target %g: got '%s', want '%s'\n", x0, xt, target,
                    trend_class_name(got), trend_class_name(want));
        fail();
    }
    assert_non_null(why);
    if (isnan(want_m))
        assert_true(isnan(m));
    else
        near(m, want_m, REL, "progress measure");
}

static void check_class(double x0, double t0, double xt, double t, double target,
                        double ty, int dir, enum trend_class want, double want_m)
{
    double m;
    const char *why = NULL;
    enum trend_class got = trend_progress(x0, t0, xt, t, target, ty, dir, &m, &why);
    expect_class(got, want, m, want_m, why, x0, xt, target);
}

static void test_progress(void **state)
{
    (void)state;
    /* [progress] with a target 80 in 2030 from 50 in 2016, now 2022 */
    check_class(50, 2016, 62, 2022, 80, 2030, 1, TREND_ON_TRACK, 1.0691458757516172);
    check_class(50, 2016, 57, 2022, 80, 2030, 1, TREND_ACCELERATION_NEEDED,
                0.64666724310992063);
    check_class(50, 2016, 52, 2022, 80, 2030, 1, TREND_LIMITED, 0.19208828726577967);
    check_class(50, 2016, 48, 2022, 80, 2030, 1, TREND_DETERIORATION,
                -0.19860164450785661);
    check_class(50, 2016, 82, 2022, 80, 2030, 1, TREND_TARGET_MET, NAN);
    check_class(50, 2016, 80, 2022, 80, 2030, 1, TREND_TARGET_MET, NAN);
    /* lower is better: 20 -> target 10 */
    check_class(20, 2016, 15, 2022, 10, 2030, -1, TREND_ON_TRACK, 0.96917203802251306);
    check_class(20, 2016, 22, 2022, 10, 2030, -1, TREND_DETERIORATION,
                -0.33147538541851701);
    check_class(20, 2016, 9, 2022, 10, 2030, -1, TREND_TARGET_MET, NAN);
    /* met in the base year (85 >= 80), missed now */
    check_class(85, 2016, 78, 2022, 80, 2030, 1, TREND_DETERIORATION, NAN);
    /* without a target */
    check_class(100, 2016, 110, 2022, NAN, 2030, 1, TREND_SUBSTANTIAL,
                0.016011867773387367);
    check_class(100, 2016, 105, 2022, NAN, 2030, 1, TREND_MODERATE,
                0.0081648460519010424);
    check_class(100, 2016, 101, 2022, NAN, 2030, 1, TREND_LIMITED,
                0.0016597643621756308);
    check_class(100, 2016, 100, 2022, NAN, 2030, 1, TREND_LIMITED, 0);
    check_class(100, 2016, 98, 2022, NAN, 2030, 1, TREND_DETERIORATION,
                -0.003361455501911359);
    check_class(100, 2016, 90, 2022, NAN, 2030, -1, TREND_SUBSTANTIAL,
                -0.017406806147310161);
    check_class(100, 2016, 103, 2022, NAN, 2030, -1, TREND_DETERIORATION,
                0.004938622031196882);
    /* not assessed, each with a reason */
    const char *why = NULL;
    assert_int_equal(trend_progress(0, 2016, 5, 2022, NAN, 2030, 1, NULL, &why),
                     TREND_NOT_ASSESSED);
    assert_string_equal(why, "growth rates need positive values");
    assert_int_equal(trend_progress(5, 2016, 5, 2016, NAN, 2030, 1, NULL, &why),
                     TREND_NOT_ASSESSED);
    assert_string_equal(why, "fewer than two usable points");
    assert_int_equal(trend_progress(NAN, 2016, 5, 2022, 9, 2030, 1, NULL, &why),
                     TREND_NOT_ASSESSED);
    assert_int_equal(trend_progress(5, 2016, 6, 2022, 9, 2016, 1, NULL, &why),
                     TREND_NOT_ASSESSED);
    assert_string_equal(why, "target year is not after the base year");
    assert_int_equal(trend_progress(5, 2016, 6, 2022, 9, 2030, 0, NULL, &why),
                     TREND_NOT_ASSESSED);
    /* A met target needs no positive values. */
    assert_int_equal(trend_progress(-3, 2016, 0, 2022, 0, 2030, 1, NULL, NULL),
                     TREND_TARGET_MET);

    assert_string_equal(trend_class_name(TREND_ACCELERATION_NEEDED),
                        "progress, acceleration needed");
    assert_string_equal(trend_class_name(TREND_UNAVAILABLE), "trend unavailable");
    assert_string_equal(trend_class_name(TREND_NOT_ASSESSED), "not assessed");
    assert_string_equal(trend_class_name(TREND_MODERATE), "moderate progress");
}

/* ---- trend_compute_all on a hand-built run ----------------------------
 * Years 2016..2019, units A and B, nodes lit (indicator, target 150, dir +1),
 * drop (indicator, target 5, dir -1), root (aggregate). base_year 2017,
 * target_year 2030, level 0.95. Values as in tests/trend/expected.R [all]. */

struct fixture {
    struct config cfg;
    struct framework fw;
    struct fw_node node[3];
    struct cube c;
    struct results res;
    int year[4];
    char *unit[2];
    double value[2 * 4 * 2];
    double score[3 * 4 * 2], lo[3 * 4 * 2], hi[3 * 4 * 2];
};

static void fixture_fill(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->cfg.ci_level = 0.95;
    fx->cfg.base_year = 2017;
    fx->cfg.target_year = 2030;
    static char lit[] = "lit", drop[] = "=drop", root[] = "root, all";
    static char ua[] = "A", ub[] = "B \"north\"";
    fx->node[0] = (struct fw_node){.code = lit, .type = NODE_INDICATOR, .level = 1,
                                   .direction = 1, .target = 150, .parent = 2};
    fx->node[1] = (struct fw_node){.code = drop, .type = NODE_INDICATOR, .level = 1,
                                   .direction = -1, .target = 5, .parent = 2};
    fx->node[2] = (struct fw_node){.code = root, .type = NODE_AGGREGATE, .level = 2,
                                   .direction = 1, .target = NAN, .parent = -1};
    fx->fw.nnode = 3;
    fx->fw.nind = 2;
    fx->fw.root = 2;
    fx->fw.node = fx->node;
    for (int t = 0; t < 4; t++)
        fx->year[t] = 2016 + t;
    fx->unit[0] = ua;
    fx->unit[1] = ub;
    fx->c.nunit = 2;
    fx->c.nind = 2;
    fx->c.nyear = 4;
    fx->c.unit = fx->unit;
    fx->c.year = fx->year;
    fx->c.value = fx->value;
    fx->res.nnode = 3;
    fx->res.nyear = 4;
    fx->res.nunit = 2;
    fx->res.score = fx->score;

    const double raw[2][2][4] = {          /* [ind][unit][year] */
        {{80, 82, 85, 88}, {70, NAN, 75, NAN}},
        {{10, 9, 8, 7}, {6, 6.5, 7, 7.5}},
    };
    const double sc[3][2][4] = {           /* [node][unit][year] */
        {{10, 20, 30, 50}, {40, NAN, 45, NAN}},
        {{40, 50, 60, 70}, {80, 70, 60, 50}},
        {{25, 35, 45, 60}, {NAN, 30, 28, 29.5}},
    };
    const double seA[4] = {2, 1, 1.5, 3};  /* se of unit A, node lit */
    double z = gsl_cdf_ugaussian_Pinv(0.975);
    for (int i = 0; i < 2; i++)
        for (int u = 0; u < 2; u++)
            for (int t = 0; t < 4; t++)
                fx->value[CUBE_AT(&fx->c, i, t, u)] = raw[i][u][t];
    for (int k = 0; k < 3; k++)
        for (int u = 0; u < 2; u++)
            for (int t = 0; t < 4; t++) {
                size_t at = RES_AT(&fx->res, k, t, u);
                double s = sc[k][u][t];
                double h = (k == 0 && u == 0) ? z * seA[t] : 0; /* width 0: unweighted */
                fx->score[at] = s;
                fx->lo[at] = s - h;
                fx->hi[at] = s + h;
            }
}

static void test_compute_all(void **state)
{
    (void)state;
    static struct fixture fx;
    fixture_fill(&fx);
    struct diag d;
    diag_init(&d);
    struct trends *tr = NULL;

    /* Without intervals: every fit unweighted. */
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    assert_int_equal(tr->weighted[TREND_AT(tr, 0, 0)], 0);
    trends_free(tr);

    fx.res.ci_low = fx.lo;
    fx.res.ci_high = fx.hi;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    assert_non_null(tr);

    /* A, lit: weighted fit [all A lit] */
    size_t k = TREND_AT(tr, 0, 0);
    assert_int_equal(tr->points[k], 4);
    assert_int_equal(tr->first_year[k], 2016);
    assert_int_equal(tr->last_year[k], 2019);
    assert_int_equal(tr->base_year[k], 2017);
    assert_int_equal(tr->weighted[k], 1);
    NEAR(tr->slope[k], 11.88524590163985);
    NEAR(tr->slope_low[k], 4.1609069316367062);
    NEAR(tr->slope_high[k], 19.6095848716429941);
    NEAR(tr->sen_slope[k], 11.666666666666668);
    NEAR(tr->mk_s[k], 6);   /* by hand: all 6 pairs increase */
    NEAR(tr->mk_z[k], 1.698415551216893693);
    NEAR(tr->mk_p[k], 0.083333333333333259);         /* [mk_exact] 2/24 */
    NEAR(tr->cagr[k], 0.03228011545636722);          /* raw 80 -> 88 */
    NEAR(tr->change_since_base[k], 30);               /* 50 - 20 */
    assert_true(isnan(tr->change_low[k]) && isnan(tr->change_high[k]));
    assert_int_equal(tr->progress[k], TREND_ACCELERATION_NEEDED);
    NEAR(tr->progress_measure[k], 0.75581004619872005);

    /* A, root: unweighted (zero-width intervals) [all A root]; scores are
     * not on a ratio scale, so no CAGR, and progress by the change per year
     * as a share of the root's score range (25 .. 60) [score_progress] */
    k = TREND_AT(tr, 2, 0);
    assert_int_equal(tr->weighted[k], 0);
    NEAR(tr->slope[k], 11.499999999999998);
    NEAR(tr->slope_low[k], 7.7737934323745019);
    NEAR(tr->slope_high[k], 15.2262065676254945);
    assert_true(isnan(tr->cagr[k]));
    NEAR(tr->change_since_base[k], 25);               /* 60 - 35 */
    assert_int_equal(tr->progress[k], TREND_SUBSTANTIAL);
    NEAR(tr->progress_measure[k], 0.35714285714285715);

    /* A, drop: raw 9 (2017) -> 7 (2019), target 5 by 2030: by hand
     * observed (7/9)^(1/2)-1 = -0.1181, needed (5/9)^(1/13)-1 = -0.0442,
     * R = 2.67: on track. */
    k = TREND_AT(tr, 1, 0);
    assert_int_equal(tr->progress[k], TREND_ON_TRACK);
    NEAR(tr->change_since_base[k], 20);

    /* B, lit: two scored years (2016, 2018; the base year 2017 has none,
     * so the base is 2016): no slope, Sen or Mann-Kendall, which need
     * three, but a change (45 - 40 by hand), a CAGR and a progress class
     * [two_points]: R = 0.627, progress, acceleration needed */
    k = TREND_AT(tr, 0, 1);
    assert_int_equal(tr->points[k], 2);
    assert_int_equal(tr->first_year[k], 2016);
    assert_int_equal(tr->last_year[k], 2018);
    assert_int_equal(tr->base_year[k], 2016);
    assert_true(isnan(tr->slope[k]) && isnan(tr->sen_slope[k]) && isnan(tr->mk_p[k]));
    NEAR(tr->change_since_base[k], 5);
    NEAR(tr->cagr[k], 0.035098339013531321);
    assert_int_equal(tr->progress[k], TREND_ACCELERATION_NEEDED);
    NEAR(tr->progress_measure[k], 0.62734292198245867);
    NEAR(tr->target[k], 150);

    /* B, drop: lower is better, raw rising 6.5 -> 7.5 [all B drop] */
    k = TREND_AT(tr, 1, 1);
    assert_int_equal(tr->progress[k], TREND_DETERIORATION);
    NEAR(tr->progress_measure[k], -3.7124067028595258);
    NEAR(tr->cagr[k], 0.077217345015941907);
    NEAR(tr->slope[k], -10);                          /* by hand: 80 70 60 50 */
    NEAR(tr->change_since_base[k], -20);              /* 50 - 70 */

    /* B, root: 2017..2019 [all B root] */
    k = TREND_AT(tr, 2, 1);
    assert_int_equal(tr->points[k], 3);
    assert_int_equal(tr->first_year[k], 2017);
    NEAR(tr->slope[k], -0.24999999999983588);
    NEAR(tr->slope_low[k], -13.087878768423018);
    NEAR(tr->slope_high[k], 12.587878768423344);
    NEAR(tr->sen_slope[k], -0.25);
    NEAR(tr->mk_s[k], -1);
    NEAR(tr->mk_z[k], 0);
    NEAR(tr->mk_p[k], 1);                             /* [mk_exact] */
    NEAR(tr->change_since_base[k], -0.5);
    assert_true(isnan(tr->cagr[k]));
    assert_int_equal(tr->progress[k], TREND_DETERIORATION);
    NEAR(tr->progress_measure[k], -0.0071428571428571426); /* [score_progress] */

    /* trends.csv */
    char path[] = "/tmp/lcme_test_trendXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *tmp = fdopen(fd, "w");
    assert_non_null(tmp);
    fclose(tmp);
    struct report_input in = {.cfg = &fx.cfg, .fw = &fx.fw, .cube = &fx.c, .res = &fx.res};
    assert_int_equal(trends_csv_write(path, &in, tr, &d), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t nread = fread(buf, 1, sizeof buf - 1, f);
    buf[nread] = 0;
    fclose(f);
    remove(path);
    const char *want_head =
        "unit,node,first_year,last_year,points,slope,slope_low,slope_high,sen_slope,"
        "mk_s,mk_z,mk_p,cagr,change_since_base,change_low,change_high,progress,"
        "base_year,change_excludes_zero,prev_year,change_since_prev,change_prev_low,"
        "change_prev_high,change_prev_excludes_zero,target,change_p,change_significant,"
        "change_prev_p,change_prev_significant,change_constant,change_indicators,"
        "change_prev_constant,change_prev_indicators\n"
        "A,lit,2016,2019,4,";
    assert_memory_equal(buf, want_head, strlen(want_head));
    /* formula guard on "=drop", RFC 4180 on the quoted names and the class */
    assert_non_null(strstr(buf, "\nA,'=drop,2016,2019,4,10,"));
    /* appended: the base year (cfg.base_year 2017); no Monte Carlo change
     * here, so no interval, no flag and no change since the year before;
     * the target lit was judged against (150); last, no p-value and no
     * significance flag (not assessed); an indicator's changes carry no
     * composition columns */
    assert_non_null(strstr(buf, ",,\"progress, acceleration needed\",2017,,,,,,,150,,,,,,,,\n"));
    /* two points: no slope, Sen or Mann-Kendall; a CAGR, a change (5) and a
     * progress class from the base 2016 */
    assert_non_null(strstr(buf, "\n\"B \"\"north\"\"\",lit,2016,2018,2,,,,,,,,0.0350983"));
    assert_non_null(strstr(buf, ",5,,,\"progress, acceleration needed\",2016,,,,,,,150,,,,,,,,\n"));
    assert_non_null(strstr(buf, "\"B \"\"north\"\"\",\"root, all\",2017,2019,3,"));
    /* 7 lines: header + 2 units x 3 nodes */
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    /* the weighted slope reads back exactly (%.17g) */
    char *row = strstr(buf, "A,lit,2016,2019,4,");
    double back = strtod(row + strlen("A,lit,2016,2019,4,"), NULL);
    assert_true(back == tr->slope[TREND_AT(tr, 0, 0)]);

    /* An unwritable path is reported, not printed. */
    size_t before = diag_count(&d);
    assert_int_equal(trends_csv_write("/nonexistent-dir/trends.csv", &in, tr, &d), -1);
    assert_true(diag_count(&d) > before);

    trends_free(tr);
    trends_free(NULL);

    /* Sizes that do not match are an internal error. */
    fx.res.nunit = 3;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), -1);
    assert_null(tr);
    diag_free(&d);
}

/* Aggregates are classed against their target score in the last year with
 * a score, by the scale-invariant rule of trend_progress_score. Root target
 * scores by year 2016..2019: 10, 10, 10, 80 (the earlier years' 10 would
 * read as "target met" if they were used). [score_progress]:
 *   A: 35 (2017) -> 60 (2019), target 80 by 2030:
 *      R = (25/45) / (2/13) = 3.6111: on track;
 *   B: 30 -> 29.5 (drop is its one indicator in both years, a constant
 *      composition), against drop's target score 80:
 *      R = (-0.5/50) / (2/13) = -0.065: deterioration.
 * With target score 55 in 2019, A's 60 has met it. With no target score
 * (NaN), or one off the score scale (150 under min-max to [0, 100]), the
 * bands on the change per year as a share of the score range: A
 * substantial (0.357). */
static void test_aggregate_target(void **state)
{
    (void)state;
    static struct fixture fx;
    fixture_fill(&fx);
    double ts[3 * 4];
    for (int k = 0; k < 3 * 4; k++)
        ts[k] = NAN;
    /* the root's target scores, and its two indicators' (an aggregate's
     * target compares like with like: the unit's score over the indicators
     * that have a target score against the target score over the same
     * indicators; both have one here, so these are the root's own) */
    for (int n = 0; n < 3; n++) {
        ts[n * 4 + 0] = ts[n * 4 + 1] = ts[n * 4 + 2] = 10;
        ts[n * 4 + 3] = 80;
    }
    fx.res.target_score = ts;
    /* the root's children (weights 1), so that its changes and targets can
     * be taken over its indicators: A's root is the mean of lit and drop in
     * every year; B has drop alone in 2017 and 2019 (lit has no value then),
     * a constant composition */
    static int kids[2] = {0, 1};
    fx.node[2].nchild = 2;
    fx.node[2].child = kids;
    fx.fw.nlevel = 2;
    fx.node[0].weight = fx.node[1].weight = 1;
    struct diag d;
    diag_init(&d);
    struct trends *tr = NULL;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    size_t a = TREND_AT(tr, 2, 0), b = TREND_AT(tr, 2, 1);
    assert_int_equal(tr->progress[a], TREND_ON_TRACK);
    NEAR(tr->progress_measure[a], 3.6111111111111112);
    NEAR(tr->target[a], 80);
    assert_int_equal(tr->progress[b], TREND_DETERIORATION);
    NEAR(tr->progress_measure[b], -0.065000000000000002);
    /* indicators keep their framework targets in raw units */
    NEAR(tr->target[TREND_AT(tr, 0, 0)], 150);
    trends_free(tr);

    ts[0 * 4 + 3] = ts[1 * 4 + 3] = ts[2 * 4 + 3] = 55;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    assert_int_equal(tr->progress[TREND_AT(tr, 2, 0)], TREND_TARGET_MET);
    trends_free(tr);

    /* a target score off the scale of min-max [0, 100] is not used */
    ts[0 * 4 + 3] = ts[1 * 4 + 3] = ts[2 * 4 + 3] = 150;
    fx.cfg.level[1].normalise = NORM_MINMAX;
    fx.cfg.level[1].norm_low = 0;
    fx.cfg.level[1].norm_high = 100;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    assert_int_equal(tr->progress[a], TREND_SUBSTANTIAL);
    NEAR(tr->progress_measure[a], 0.35714285714285715);
    assert_true(isnan(tr->target[a]));
    trends_free(tr);

    ts[0 * 4 + 3] = ts[1 * 4 + 3] = ts[2 * 4 + 3] = NAN;
    assert_int_equal(trend_compute_all(&fx.cfg, &fx.fw, &fx.c, &fx.res, &tr, &d), 0);
    assert_int_equal(tr->progress[a], TREND_SUBSTANTIAL);
    assert_true(isnan(tr->target[a]));

    /* the Notes count the rows classed against a target and on the bands:
     * indicators 4 with a target (lit and drop of A and B), aggregates 2
     * on the bands */
    struct notes nt = {0};
    trend_notes_add(&fx.cfg, &fx.fw, tr, &nt);
    int found = 0;
    for (size_t i = 0; i < nt.n; i++) {
        found += strstr(nt.line[i], "Progress of indicators") != NULL &&
                 strstr(nt.line[i], "deterioration (4 rows)") != NULL &&
                 strstr(nt.line[i], "where lower is better (0 rows)") != NULL;
        found += strstr(nt.line[i], "Progress of aggregates") != NULL &&
                 strstr(nt.line[i], "thresholds above (0 rows)") != NULL &&
                 strstr(nt.line[i], "< 0 deterioration (2 rows)") != NULL;
    }
    assert_int_equal(found, 2);
    notes_free(&nt);
    trends_free(tr);
    diag_free(&d);
}

static void check_score_class(double x0, double xt, double target, double span,
                              enum trend_class want, double want_m)
{
    double m;
    const char *why = NULL;
    enum trend_class got = trend_progress_score(x0, 2016, xt, 2022, target, 2030, span, &m,
                                                &why);
    expect_class(got, want, m, want_m, why, x0, xt, target);
    /* the same class and measure on any scale a x + b, a > 0 */
    const double sa[3] = {0.1, 1, 37.5}, sb[3] = {10, -50, 3};
    for (int k = 0; k < 3; k++) {
        double m2;
        enum trend_class g2 = trend_progress_score(
            sa[k] * x0 + sb[k], 2016, sa[k] * xt + sb[k], 2022, sa[k] * target + sb[k],
            2030, sa[k] * span, &m2, NULL);
        assert_int_equal(g2, want);
        if (isnan(want_m))
            assert_true(isnan(m2));
        else
            near(m2, want_m, 1e-12, "rescaled measure");
    }
}

/* trend_progress_score on its own: from 40 in 2016 to xt in 2022 against a
 * target score of 70 by 2030 [score_progress], or on the bands with span
 * 20; each case also under three rescalings. */
static void test_progress_score(void **state)
{
    (void)state;
    check_score_class(40, 55, 70, 20, TREND_ON_TRACK, 1.1666666666666667);
    check_score_class(40, 52, 70, 20, TREND_ACCELERATION_NEEDED, 0.93333333333333346);
    check_score_class(40, 46, 70, 20, TREND_LIMITED, 0.46666666666666673);
    check_score_class(40, 41, 70, 20, TREND_LIMITED, 0.077777777777777779);
    check_score_class(40, 38, 70, 20, TREND_DETERIORATION, -0.15555555555555556);
    check_score_class(40, 70, 70, 20, TREND_TARGET_MET, NAN);
    check_score_class(75, 72, 70, 20, TREND_TARGET_MET, NAN);
    check_score_class(75, 65, 70, 20, TREND_DETERIORATION, NAN); /* met, then missed */
    check_score_class(40, 43, NAN, 20, TREND_SUBSTANTIAL, 0.025000000000000001);
    check_score_class(40, 41, NAN, 20, TREND_MODERATE, 0.0083333333333333332);
    check_score_class(40, 40, NAN, 20, TREND_LIMITED, 0);
    check_score_class(40, 39, NAN, 20, TREND_DETERIORATION, -1.0 / 120);
    /* not assessed, each with its reason: last year, target, target year,
     * span */
    const struct {
        double t, target, ty, span;
        const char *why;
    } na[] = {
        {2022, NAN, 2030, 0, "the scores do not vary across units and years"},
        {2016, NAN, 2030, 5, "fewer than two usable points"},
        {2022, 70, 2016, 5, "target year is not after the base year"},
    };
    for (size_t k = 0; k < sizeof na / sizeof na[0]; k++) {
        const char *why = NULL;
        double m = 0;
        assert_int_equal(trend_progress_score(40, 2016, 43, na[k].t, na[k].target, na[k].ty,
                                              na[k].span, &m, &why),
                         TREND_NOT_ASSESSED);
        assert_string_equal(why, na[k].why);
        assert_true(isnan(m));
    }
}

/* ---- range invariance through the pipeline ------------------------------
 * Six indicators (A..F; C and F lower is better) under P1 (A, B, C) and P2
 * (D, E, F) under the root; 12 units over 2019..2023 with trends, noise and
 * gaps (U12 has only 2019 and 2023, U11 only 2019..2020 for A); targets on
 * A, C, D (inside the data's range) and E (beyond every value, so the
 * target scores of P2 and the root are off the scale). The
 * same data normalised by min-max to [0, 100] and to [10, 20] must give
 * the same progress class for every node and unit, and for aggregates the
 * same measure (the rules are invariant to a x + b). */
static struct cube *range_cube(void)
{
    struct cube *c = cube_new(12, 6, 5, 0, 0);
    assert_non_null(c);
    for (size_t u = 0; u < 12; u++) {
        char buf[32];
        snprintf(buf, sizeof buf, "U%zu", u + 1);
        free(c->unit[u]);
        c->unit[u] = strdup(buf);
    }
    for (size_t t = 0; t < 5; t++) c->year[t] = 2019 + (int)t;
    unsigned long x = 12345;
    for (size_t i = 0; i < 6; i++)
        for (size_t u = 0; u < 12; u++) {
            double level = 20 + 5.0 * (double)((u * 7 + i * 3) % 12);
            double slope = ((double)((u + 2 * i) % 7) - 2.5) * 1.3;
            for (size_t t = 0; t < 5; t++) {
                x = x * 6364136223846793005UL + 1442695040888963407UL;
                double noise = (double)(x >> 40) / (double)(1UL << 24) - 0.5;
                c->value[CUBE_AT(c, i, t, u)] = level + slope * (double)t + 3 * noise;
            }
        }
    for (size_t i = 0; i < 6; i++)
        for (size_t t = 1; t < 4; t++) c->value[CUBE_AT(c, i, t, 11)] = NAN;
    for (size_t t = 2; t < 5; t++) c->value[CUBE_AT(c, 0, t, 10)] = NAN;
    return c;
}

static const int range_kids[3][3] = {{0, 1, 2}, {3, 4, 5}, {6, 7, 0}};

static void range_fw(struct framework *fw, struct fw_node *node)
{
    static const char *codes[9] = {"A", "B", "C", "D", "E", "F", "P1", "P2", "root"};
    for (int n = 0; n < 9; n++) tk_node(&node[n], codes[n], n < 6 ? 1 : n < 8 ? 2 : 3);
    for (int a = 0; a < 3; a++) {
        node[6 + a].nchild = a < 2 ? 3 : 2;
        node[6 + a].child = (int *)range_kids[a];
        for (int j = 0; j < node[6 + a].nchild; j++) node[range_kids[a][j]].parent = 6 + a;
    }
    node[2].direction = node[5].direction = -1;
    node[0].target = 60;
    node[2].target = 30;
    node[3].target = 70;
    node[4].target = 500;
    tk_fw(fw, node, 9, 6, 3);
}

/* A run of c normalised by min-max to [low, high] and its trends; *cfg and
 * *res are the caller's to free (after the trends). */
static struct trends *range_trends(const struct framework *fw, const struct cube *c,
                                   double low, double high, struct config **cfg,
                                   struct results **res)
{
    *cfg = tk_config_new(tk_method(NORM_MINMAX, SCOPE_POOLED, AGG_ARITHMETIC));
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) {
        (*cfg)->level[l].norm_low = low;
        (*cfg)->level[l].norm_high = high;
    }
    (*cfg)->ci_level = 0.95;
    (*cfg)->base_year = 2019;
    (*cfg)->target_year = 2030;
    struct diag d;
    diag_init(&d);
    *res = tk_pipeline_ok(*cfg, fw, c, &d);
    struct trends *tr = NULL;
    assert_int_equal(trend_compute_all(*cfg, fw, c, *res, &tr, &d), 0);
    diag_free(&d);
    return tr;
}

static void test_range_invariance(void **state)
{
    (void)state;
    struct framework fw;
    struct fw_node node[9];
    range_fw(&fw, node);
    struct cube *c = range_cube();
    struct results *r1, *r2;
    struct config *c1, *c2;
    struct trends *a = range_trends(&fw, c, 0, 100, &c1, &r1);
    struct trends *b = range_trends(&fw, c, 10, 20, &c2, &r2);
    size_t classed = 0, targeted = 0, banded = 0;
    int seen[16] = {0};
    for (size_t n = 0; n < 9; n++)
        for (size_t u = 0; u < 12; u++) {
            size_t k = TREND_AT(a, n, u);
            if (a->progress[k] != b->progress[k])
                fail_msg("node %s U%zu: '%s' on [0, 100], '%s' on [10, 20]", node[n].code,
                         u + 1, trend_class_name(a->progress[k]),
                         trend_class_name(b->progress[k]));
            assert_int_equal(isnan(a->target[k]), isnan(b->target[k]));
            if (isnan(a->progress_measure[k]))
                assert_true(isnan(b->progress_measure[k]));
            else
                near(b->progress_measure[k], a->progress_measure[k], 1e-9, "measure");
            if (n < 6) continue;
            seen[a->progress[k]] = 1;
            classed += a->progress[k] != TREND_UNAVAILABLE &&
                       a->progress[k] != TREND_NOT_ASSESSED;
            targeted += !isnan(a->target[k]);
            banded += isnan(a->target[k]) && !isnan(a->progress_measure[k]);
            /* P1's target score (A and C on the scale) is used and maps as
             * the scores do, 10 + x / 10; P2's and the root's include E's
             * target far beyond the data, off the scale: the bands */
            if (n == 6)
                near(b->target[k], 10 + a->target[k] / 10, 1e-9, "target score");
            else
                assert_true(isnan(a->target[k]));
        }
    /* every aggregate cell is classed (U12 from its 2 points), 12 against
     * a target score and 24 on the bands, in several classes */
    assert_int_equal(classed, 36);
    assert_int_equal(targeted, 12);
    assert_int_equal(banded, 24);
    int kinds = 0;
    for (int k = 0; k < 16; k++) kinds += seen[k];
    assert_true(kinds >= 3);
    trends_free(a);
    trends_free(b);
    results_free(r1);
    results_free(r2);
    free(c1);
    free(c2);
    cube_free(c);
}

static void test_trends_new(void **state)
{
    (void)state;
    struct trends *tr = trends_new(2, 3, 0.9);
    assert_non_null(tr);
    assert_int_equal(tr->points[TREND_AT(tr, 1, 2)], 0);
    assert_true(isnan(tr->change_low[5]));
    assert_int_equal(tr->progress[5], TREND_UNAVAILABLE);
    trends_free(tr);
    tr = trends_new(0, 0, 0.95);
    assert_non_null(tr);
    trends_free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ols_unweighted),
        cmocka_unit_test(test_ols_weighted),
        cmocka_unit_test(test_ols_degenerate),
        cmocka_unit_test(test_sen),
        cmocka_unit_test(test_mann_kendall),
        cmocka_unit_test(test_cagr),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_compute_all),
        cmocka_unit_test(test_aggregate_target),
        cmocka_unit_test(test_progress_score),
        cmocka_unit_test(test_range_invariance),
        cmocka_unit_test(test_trends_new),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
