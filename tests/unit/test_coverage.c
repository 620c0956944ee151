/* test_coverage.c: coverage of the true score by the 95 % Monte Carlo
 * intervals (pipeline_run + uncertainty_run) on simulations with known
 * truth, with fixed bounds and with bounds from noisy data (issue 12).
 *
 * A trial draws true values mu ~ uniform(0, 100) for nind indicators and
 * nunit units, standard errors se ~ uniform(se_lo, se_hi), and observations
 * mu + normal(0, se); the root is the arithmetic mean of the indicators'
 * scores. Three runs of each trial:
 *   fixed     goalposts at -100 and 200 (wider than any observation, so
 *             never clipped): the score is a fixed linear map; truth: the
 *             score of mu under the same map;
 *   derived   min-max [0, 100] pooled, the bounds re-derived in every
 *             replication; truth: mu normalised with the TRUE values' min
 *             and max;
 *   shortcut  the old nominal-bounds shortcut, for comparison: min-max with
 *             the bounds fixed at the observed min and max (normalise =
 *             scaled with lower/upper set to them, which does not clip);
 *             same nominal scores and truth as derived.
 * Coverage: the share of (trial, unit) whose interval holds the truth, for
 * the root and for the indicators. Intervals of a trial share its bounds'
 * error, so the standard error of a coverage is taken from the spread of
 * the trials' coverages (not the binomial of all intervals).
 *
 * Settings: units 18 and 100; indicators 2 and 6; se small (1-3, about
 * 1/30 of the spread of the true values) and large (8-16, about 1/7).
 * LCME_COVERAGE_SCALE=k runs k times the trials; the figures kept in
 * tests/coverage/scale4.out come from k = 4. The basic (reflected)
 * interval, 2 s - [high, low], is reported beside the derived bounds'
 * percentile interval for comparison; nothing is asserted of it.
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

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "pipeline.h"
#include "testkit_engine.h"
#include "uncertainty.h"

enum { MAX_IND = 6, MAX_UNIT = 100, RUN_FIXED = 0, RUN_DERIVED, RUN_SHORTCUT, NRUN,
       RUN_BASIC = NRUN, NFIG };

static const char *run_name[NFIG] = {"fixed bounds", "derived bounds", "shortcut",
                                     "derived, basic"};

struct setting {
    size_t nunit;
    int nind;
    double se_lo, se_hi;
    int trials;
};

/* Sums over trials of a coverage and its square, per run and level (0 the
 * root, 1 the indicators). */
struct tally {
    double sum[NFIG][2], sum2[NFIG][2];
    int trials;
};

struct sim {
    struct framework fw;
    struct fw_node node[MAX_IND + 1];
    int kids[MAX_IND];
    struct cube *c;
    double mu[MAX_IND][MAX_UNIT];
};

static void sim_init(struct sim *s, const struct setting *st)
{
    static const char *codes[MAX_IND] = {"A", "B", "C", "D", "E", "F"};
    memset(s, 0, sizeof *s);
    for (int i = 0; i < st->nind; i++) {
        tk_node(&s->node[i], codes[i], 1);
        s->node[i].parent = st->nind;
        s->kids[i] = i;
    }
    tk_node(&s->node[st->nind], "root", 2);
    s->node[st->nind].nchild = st->nind;
    s->node[st->nind].child = s->kids;
    tk_fw(&s->fw, s->node, st->nind + 1, st->nind, 2);
    s->c = cube_new(st->nunit, (size_t)st->nind, 1, 0, 0);
    assert_non_null(s->c);
    for (size_t u = 0; u < st->nunit; u++) {
        char buf[32];
        snprintf(buf, sizeof buf, "U%zu", u + 1);
        free(s->c->unit[u]);
        s->c->unit[u] = strdup(buf);
    }
    s->c->year[0] = 2024;
}

/* A trial's truth and observations. */
static void sim_draw(struct sim *s, const struct setting *st, gsl_rng *g)
{
    for (int i = 0; i < st->nind; i++)
        for (size_t u = 0; u < st->nunit; u++) {
            double se = st->se_lo + (st->se_hi - st->se_lo) * gsl_rng_uniform(g);
            s->mu[i][u] = 100 * gsl_rng_uniform(g);
            s->c->value[CUBE_AT(s->c, i, 0, u)] = s->mu[i][u] + gsl_ran_gaussian(g, se);
            s->c->se[CUBE_AT(s->c, i, 0, u)] = se;
        }
}

/* The framework's posts for a run: fixed -100 and 200, or (shortcut) the
 * observed min and max; derived ignores them. */
static void sim_posts(struct sim *s, const struct setting *st, int run)
{
    for (int i = 0; i < st->nind; i++) {
        double lo = -100, hi = 200;
        if (run == RUN_SHORTCUT) {
            lo = INFINITY;
            hi = -INFINITY;
            for (size_t u = 0; u < st->nunit; u++) {
                double v = s->c->value[CUBE_AT(s->c, i, 0, u)];
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
        s->node[i].lower = lo;
        s->node[i].upper = hi;
    }
}

/* The true score of indicator i and unit u for a run. */
static double truth(const struct sim *s, const struct setting *st, int run, int i, size_t u)
{
    if (run == RUN_FIXED) return (s->mu[i][u] + 100) / 300 * 100;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t v = 0; v < st->nunit; v++) {
        lo = fmin(lo, s->mu[i][v]);
        hi = fmax(hi, s->mu[i][v]);
    }
    return (s->mu[i][u] - lo) / (hi - lo) * 100;
}

/* Whether [lo, hi] holds x, and whether its reflection about the nominal
 * score s, [2 s - hi, 2 s - lo] (the basic bootstrap interval), does. */
static void holds(double s, double lo, double hi, double x, size_t *pct, size_t *basic)
{
    *pct += lo <= x && x <= hi;
    *basic += 2 * s - hi <= x && x <= 2 * s - lo;
}

/* One run of a trial: the shares of root and indicator intervals that hold
 * the truth, into cover[0] and cover[1]; of their reflections (see holds),
 * into cover[2] and cover[3]. */
static void sim_run(struct sim *s, const struct setting *st, int run, unsigned long seed,
                    double cover[4])
{
    static const enum norm_method nm[NRUN] = {NORM_GOALPOSTS, NORM_MINMAX, NORM_SCALED};
    struct config *cfg = tk_config_new(tk_method(nm[run], SCOPE_POOLED, AGG_ARITHMETIC));
    cfg->ci_level = 0.95;
    cfg->replications = 1000;
    cfg->seed = seed;
    sim_posts(s, st, run);
    struct diag d;
    diag_init(&d);
    struct results *res = tk_pipeline_ok(cfg, &s->fw, s->c, &d);
    struct uncertainty_summary sum;
    assert_int_equal(uncertainty_run(cfg, &s->fw, s->c, res, NULL, 2, NULL, NULL, 0, &sum,
                                     &d), 0);
    size_t hit[4] = {0, 0, 0, 0};
    for (size_t u = 0; u < st->nunit; u++) {
        double root = 0;
        for (int i = 0; i < st->nind; i++) {
            double tv = truth(s, st, run, i, u);
            size_t k = RES_AT(res, i, 0, u);
            holds(res->score[k], res->ci_low[k], res->ci_high[k], tv, &hit[1], &hit[3]);
            root += tv / st->nind;
        }
        size_t k = RES_AT(res, st->nind, 0, u);
        holds(res->score[k], res->ci_low[k], res->ci_high[k], root, &hit[0], &hit[2]);
    }
    double nroot = (double)st->nunit, nind = (double)(st->nunit * (size_t)st->nind);
    cover[0] = (double)hit[0] / nroot;
    cover[1] = (double)hit[1] / nind;
    cover[2] = (double)hit[2] / nroot;
    cover[3] = (double)hit[3] / nind;
    results_free(res);
    free(cfg);
    diag_free(&d);
}

static int scale_trials(void)
{
    const char *e = getenv("LCME_COVERAGE_SCALE");
    int k = e ? atoi(e) : 1;
    return k > 0 ? k : 1;
}

/* Coverage (percent) and its standard error over the trials. */
static void tally_read(const struct tally *t, int run, int lvl, double *cov, double *se)
{
    double n = t->trials, m = t->sum[run][lvl] / n;
    double var = (t->sum2[run][lvl] / n - m * m) * n / (n - 1);
    *cov = 100 * m;
    *se = 100 * sqrt(fmax(var, 0) / n);
}

static void simulate(const struct setting *st, unsigned long seed, struct tally *t)
{
    struct sim s;
    sim_init(&s, st);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    memset(t, 0, sizeof *t);
    t->trials = st->trials * scale_trials();
    for (int trial = 0; trial < t->trials; trial++) {
        sim_draw(&s, st, g);
        for (int run = 0; run < NRUN; run++) {
            double cover[4];
            sim_run(&s, st, run, seed * 1000 + (unsigned long)trial, cover);
            for (int lvl = 0; lvl < 4; lvl++) {
                /* the reflections count only for the derived bounds */
                int fig = lvl < 2 ? run : run == RUN_DERIVED ? RUN_BASIC : -1;
                if (fig < 0) continue;
                t->sum[fig][lvl % 2] += cover[lvl];
                t->sum2[fig][lvl % 2] += cover[lvl] * cover[lvl];
            }
        }
    }
    for (int run = 0; run < NFIG; run++) {
        double cr, sr, ci, si;
        tally_read(t, run, 0, &cr, &sr);
        tally_read(t, run, 1, &ci, &si);
        print_message("units %3zu, indicators %d, se %2g-%-2g, %4d trials: %-14s root "
                      "%5.2f %% (se %.2f), indicators %5.2f %% (se %.2f)\n", st->nunit,
                      st->nind, st->se_lo, st->se_hi, t->trials, run_name[run], cr, sr, ci,
                      si);
    }
    gsl_rng_free(g);
    cube_free(s.c);
}

/* The settings, with what each asserts of the derived bounds (root and
 * indicators): GOAL within 2 points of 95 %; BETTER at least 2 points above
 * the shortcut; FLOOR only that the coverage stays above 78 %, a guard
 * against regressions where the goal is not reached (see the figures in
 * tests/coverage/scale4.out: with se about 1/7 of the spread the percentile
 * intervals cover 90-91 % with 18 units and 81 % with 100, no better than
 * the shortcut's 84-85 % there). Trials: about 1,100 root intervals each
 * at scale 1, enough for the fixed bounds' +-2 points (se of a coverage
 * near 0.6 points). */
enum { GOAL = 1, BETTER = 2, FLOOR = 4 };

static const struct setting settings[] = {
    {18, 2, 1, 3, 60},   {18, 2, 8, 16, 60},   {18, 6, 1, 3, 60},   {18, 6, 8, 16, 60},
    {100, 2, 1, 3, 12},  {100, 2, 8, 16, 12},  {100, 6, 1, 3, 12},  {100, 6, 8, 16, 12},
};
static const int expect[] = {
    GOAL | BETTER, FLOOR, GOAL | BETTER, FLOOR, BETTER, FLOOR, BETTER, FLOOR,
};

/* Within 2 points of 95 %, with 3 standard errors more so that a correct
 * engine does not fail on the simulation's own noise. */
static int near95(double cov, double se)
{
    return fabs(cov - 95.0) <= 2.0 + 3.0 * se;
}

static void check_setting(size_t k)
{
    struct tally t;
    simulate(&settings[k], 101 + k, &t);
    for (int lvl = 0; lvl < 2; lvl++) {
        const char *what = lvl ? "indicators" : "root";
        double cf, sf, cd, sd, cs, ss;
        tally_read(&t, RUN_FIXED, lvl, &cf, &sf);
        tally_read(&t, RUN_DERIVED, lvl, &cd, &sd);
        tally_read(&t, RUN_SHORTCUT, lvl, &cs, &ss);
        if (!near95(cf, sf))
            fail_msg("%s, fixed bounds: coverage %.2f %% (se %.2f)", what, cf, sf);
        if ((expect[k] & GOAL) && !near95(cd, sd))
            fail_msg("%s, derived bounds: coverage %.2f %% (se %.2f)", what, cd, sd);
        if ((expect[k] & BETTER) && !(cd - cs >= 2.0))
            fail_msg("%s, derived bounds %.2f %% not 2 points above the shortcut's %.2f %%",
                     what, cd, cs);
        if ((expect[k] & FLOOR) && !(cd >= 78.0))
            fail_msg("%s, derived bounds: coverage %.2f %% below 78 %%", what, cd);
    }
}

#define SETTING_TEST(k)                     \
    static void test_setting_##k(void **st) \
    {                                       \
        (void)st;                           \
        check_setting(k);                   \
    }
SETTING_TEST(0)
SETTING_TEST(1)
SETTING_TEST(2)
SETTING_TEST(3)
SETTING_TEST(4)
SETTING_TEST(5)
SETTING_TEST(6)
SETTING_TEST(7)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setting_0), cmocka_unit_test(test_setting_1),
        cmocka_unit_test(test_setting_2), cmocka_unit_test(test_setting_3),
        cmocka_unit_test(test_setting_4), cmocka_unit_test(test_setting_5),
        cmocka_unit_test(test_setting_6), cmocka_unit_test(test_setting_7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
