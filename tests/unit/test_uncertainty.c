/* test_uncertainty.c: unit tests of engine/uncertainty/uncertainty.c: the Wilson
 * helper, the type-7 quantile and Benjamini-Hochberg against R, zero error
 * collapsing every interval onto the nominal values, a linear case against
 * the analytic normal interval, coverage of a simulated truth,
 * byte-identical results (intervals, p-values and flags) across thread
 * counts and chunkings, no change assessed without measured error, and the
 * observation counts.
 *
 * Expected numbers come from tests/uncertainty/expected.R (its output is
 * kept beside it in expected.txt).
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
#include "trend.h"
#include "draws.h"
#include "normal.h"
#include "uncertainty.h"

#define N NAN
#define Z95 1.9599639845400536

static void expect_rel(double got, double want, double rel)
{
    double tol = rel * fmax(1.0, fabs(want));
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (tolerance %g)", got, want, tol);
}

/* ---- fixtures ------------------------------------------------------------ */

/* A tree of nind indicators; aggregates given as child lists. */
struct tree {
    struct framework fw;
    struct fw_node node[16];
    int kids[16][8];
};

static void tree_init(struct tree *t, int nind, int nagg, const int *nkids,
                      const int (*kids)[8], const int *level)
{
    memset(t, 0, sizeof *t);
    int nn = nind + nagg;
    static const char *codes[16] = {"A", "B", "C", "D", "E", "F", "G", "H",
                                    "X1", "X2", "X3", "X4", "X5", "X6", "X7",
                                    "X8"};
    for (int n = 0; n < nn; n++) {
        struct fw_node *nd = &t->node[n];
        nd->code = (char *)codes[n < nind ? n : 8 + (n - nind)];
        nd->name = (char *)"";
        nd->unit = (char *)"";
        nd->level = n < nind ? 1 : level[n - nind];
        nd->type = n < nind ? NODE_INDICATOR : NODE_AGGREGATE;
        nd->weight = 1;
        nd->direction = 1;
        nd->target = nd->lower = nd->upper = nd->min = nd->max = NAN;
        nd->parent = -1;
    }
    for (int a = 0; a < nagg; a++) {
        struct fw_node *nd = &t->node[nind + a];
        nd->nchild = nkids[a];
        memcpy(t->kids[nind + a], kids[a], sizeof kids[a]);
        nd->child = t->kids[nind + a];
        for (int j = 0; j < nkids[a]; j++) t->node[kids[a][j]].parent = nind + a;
    }
    t->fw.node = t->node;
    t->fw.nnode = nn;
    t->fw.nind = nind;
    t->fw.root = nn - 1;
    t->fw.nlevel = t->node[nn - 1].level;
}

static struct config *make_config(enum norm_method nm, enum norm_scope scope,
                                  long R)
{
    struct config *c = tk_config_new(tk_method(nm, scope, AGG_ARITHMETIC));
    c->ci_level = 0.95;
    c->replications = R;
    c->seed = 20161112;
    c->base_year = 2020;
    return c;
}

static struct cube *make_cube(size_t nunit, size_t nind, size_t nyear,
                              int first_year)
{
    struct cube *c = cube_new(nunit, nind, nyear, 0, 0);
    assert_non_null(c);
    for (size_t u = 0; u < nunit; u++) {
        char buf[32];
        snprintf(buf, sizeof buf, "U%zu", u + 1);
        free(c->unit[u]);
        c->unit[u] = strdup(buf);
    }
    for (size_t t = 0; t < nyear; t++) c->year[t] = first_year + (int)t;
    return c;
}

static void clear_ci(struct results *r)
{
    free(r->ci_low);
    free(r->ci_high);
    free(r->rank_low);
    free(r->rank_high);
    r->ci_low = r->ci_high = r->rank_low = r->rank_high = NULL;
}

/* ---- helpers against R ---------------------------------------------------- */

static void test_wilson(void **state)
{
    (void)state;
    double c, h;
    draws_wilson(0.3, 50, Z95, &c, &h);
    expect_rel(c, 0.31426951982667173, 1e-14);
    expect_rel(h, 0.12323398481786224, 1e-14);
    /* prop.test(15, 50, correct = FALSE)$conf.int */
    expect_rel(c - h, 0.19103553500880949, 1e-13);
    expect_rel(c + h, 0.43750350464453397, 1e-13);
    draws_wilson(0, 20, Z95, &c, &h);
    expect_rel(c, 0.080562579026409648, 1e-14);
    expect_rel(h, 0.080562579026409648, 1e-14);
    draws_wilson(1, 1000, Z95, &c, &h);
    expect_rel(c, 0.99808662075722254, 1e-14);
    expect_rel(h, 0.0019133792427775608, 1e-13);
    draws_wilson(0.8347, 123.5, Z95, &c, &h);
    expect_rel(c, 0.82460323906139055, 1e-14);
    expect_rel(h, 0.065300908374272784, 1e-14);
    draws_wilson(1.2, 10, Z95, &c, &h);
    assert_true(isnan(c) && isnan(h));
    draws_wilson(0.5, 0, Z95, &c, &h);
    assert_true(isnan(c) && isnan(h));
}

static void test_quantile(void **state)
{
    (void)state;
    const double x0[8] = {3.5, -1, 7, 2, 2, 10, 0.25, 4};
    const double p[5] = {0.025, 0.5, 0.975, 0, 1};
    const double want[5] = {-0.78125, 2.75, 9.4750000000000014, -1, 10};
    for (int k = 0; k < 5; k++) {
        double x[9];
        memcpy(x, x0, sizeof x0);
        x[8] = NAN;   /* skipped */
        expect_rel(uncertainty_quantile(x, 9, p[k]), want[k], 1e-15);
    }
    double none[2] = {NAN, NAN};
    assert_true(isnan(uncertainty_quantile(none, 2, 0.5)));
}

/* Benjamini-Hochberg against R: flag = p.adjust(p, "BH") <= q over the
 * p-values present (expected.R block 4, "bh K ... flags"). Ties, NaN (not
 * tested) and p-values of the Monte Carlo form 2 (1 + m)/(R + 1) near the
 * step-up thresholds. */
static void test_bh(void **state)
{
    (void)state;
    static const struct {
        double q;
        size_t n;
        double p[8];
        unsigned char want[8];
    } cs[] = {
        {0.05, 8, {0.01, 0.04, 0.03, 0.005, 0.5, 0.2, 0.04, 0.9}, {1, 0, 0, 1, 0, 0, 0, 0}},
        {0.05, 7, {0.001, N, 0.0125, 0.0125, 0.03, N, 0.6}, {1, 0, 1, 1, 1, 0, 0}},
        {0.10, 4, {0.2, 0.3, 0.15, 0.4}, {0, 0, 0, 0}},
        {0.05, 4, {0.04, 0.04, 0.04, 0.04}, {1, 1, 1, 1}},
        {0.05, 6, {0.001996007984031936, 0.0499001996007984, 1, 0.012,
                   0.0259481037924152, 0.0379241516966068}, {1, 0, 0, 1, 0, 0}},
    };
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        unsigned char flag[8];
        size_t idx[8], want_n = 0;
        memset(flag, 7, sizeof flag);
        size_t got_n = uncertainty_bh(cs[c].p, cs[c].n, cs[c].q, flag, idx);
        for (size_t k = 0; k < cs[c].n; k++) {
            want_n += cs[c].want[k];
            if (flag[k] != cs[c].want[k])
                fail_msg("case %zu p[%zu] = %g: flag %d, want %d", c + 1, k, cs[c].p[k],
                         flag[k], cs[c].want[k]);
        }
        assert_int_equal(got_n, want_n);
    }
    /* nothing tested: nothing flagged */
    double none[2] = {N, N};
    unsigned char f2[2] = {1, 1};
    size_t i2[2];
    assert_int_equal(uncertainty_bh(none, 2, 0.05, f2, i2), 0);
    assert_true(f2[0] == 0 && f2[1] == 0);
}

/* ---- zero error ----------------------------------------------------------- */

/* A, B, C, D > X1 (A, B), X2 (C, D) > X3 (X1, X2); D lower is better.
 * 5 units, 3 years, some missing values and ties. */
static const int z_nk[3] = {2, 2, 2};
static const int z_kids[3][8] = {{0, 1}, {2, 3}, {4, 5}};
static const int z_lvl[3] = {2, 2, 3};

static void test_zero_error(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 4, 3, z_nk, z_kids, z_lvl);
    t.node[3].direction = -1;
    struct cube *c = make_cube(5, 4, 3, 2019);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t k = 0; k < 4 * 3 * 5; k++)
        c->value[k] = floor(10 * gsl_rng_uniform(g));   /* ties likely */
    c->value[CUBE_AT(c, 0, 1, 2)] = NAN;
    c->value[CUBE_AT(c, 2, 0, 4)] = NAN;
    c->value[CUBE_AT(c, 3, 0, 4)] = NAN;   /* X2 of U5 in 2019 missing */
    /* an n with a value outside [0, 100]: exact */
    c->value[CUBE_AT(c, 1, 2, 0)] = 250;
    c->n[CUBE_AT(c, 1, 2, 0)] = 100;
    gsl_rng_free(g);
    struct config *cfg = make_config(NORM_MINMAX, SCOPE_PER_YEAR, 50);
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    struct uncertainty_summary sum;
    struct uncertainty_change *ch = NULL;
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, &ch, 2, NULL, NULL, 0,
                                     &sum, &d), 0);
    size_t cells = res->nnode * res->nyear * res->nunit;
    assert_non_null(res->ci_low);
    for (size_t k = 0; k < cells; k++) {
        if (isnan(res->score[k])) {
            assert_true(isnan(res->ci_low[k]) && isnan(res->ci_high[k]));
            assert_true(isnan(res->rank_low[k]) && isnan(res->rank_high[k]));
            continue;
        }
        /* exactly the nominal values */
        assert_true(res->ci_low[k] == res->score[k]);
        assert_true(res->ci_high[k] == res->score[k]);
        assert_true(res->rank_low[k] == res->rank[k]);
        assert_true(res->rank_high[k] == res->rank[k]);
    }
    size_t nchange = 0;
    for (size_t k = 0; k < res->nnode * res->nunit; k++) {
        if (isnan(ch->base[k])) continue;
        nchange++;
        assert_true(ch->base_low[k] == ch->base[k]);
        assert_true(ch->base_high[k] == ch->base[k]);
        /* exact data: the change is not assessed, whatever its size */
        assert_int_equal(ch->base_assessed[k], 0);
        assert_true(isnan(ch->base_p[k]));
        assert_int_equal(ch->base_excludes_zero[k], 0);
        assert_int_equal(ch->base_significant[k], 0);
        if (isnan(ch->prev[k]))
            assert_true(isnan(ch->prev_low[k]) && isnan(ch->prev_high[k]));
        else
            assert_true(ch->prev_low[k] == ch->prev[k] &&
                        ch->prev_high[k] == ch->prev[k]);
    }
    assert_true(nchange > 20);
    assert_int_equal(sum.obs_present, 57);
    assert_int_equal(sum.obs_exact, 57);
    assert_int_equal(sum.wilson_ignored, 1);
    assert_int_equal(sum.obs_se + sum.obs_wilson, 0);
    assert_int_equal(sum.replications, 50);
    uncertainty_change_free(ch);
    results_free(res);
    cube_free(c);
    free(cfg);
    diag_free(&d);
}

/* ---- the linear case ------------------------------------------------------ */

static const int l_nk[1] = {2};
static const int l_kids[1][8] = {{0, 1}};
static const int l_lvl[1] = {2};

static void test_linear(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 2, 1, l_nk, l_kids, l_lvl);
    /* goalposts: fixed bounds, so each replication maps values linearly */
    t.node[0].lower = 0;
    t.node[0].upper = 100;
    t.node[1].lower = 0;
    t.node[1].upper = 20;
    struct cube *c = make_cube(3, 2, 2, 2020);
    const double A[3][2] = {{10, 20}, {30, 35}, {50, 40}};
    const double sA[3][2] = {{2, 3}, {1, 1}, {4, 2}};
    const double B[3][2] = {{5, 6}, {7, 8}, {9, 9}};
    for (int u = 0; u < 3; u++)
        for (int y = 0; y < 2; y++) {
            c->value[CUBE_AT(c, 0, y, u)] = A[u][y];
            c->se[CUBE_AT(c, 0, y, u)] = sA[u][y];
            c->value[CUBE_AT(c, 1, y, u)] = B[u][y];
        }
    struct config *cfg = make_config(NORM_GOALPOSTS, SCOPE_POOLED, 20000);
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    struct uncertainty_summary sum;
    struct uncertainty_change *ch = NULL;
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, &ch, 0, NULL, NULL, 0,
                                     &sum, &d), 0);
    /* From expected.R: root score, low, high and the sd of the normal.
     * Tolerance: the 2.5 % quantile of R = 20,000 normal draws has a
     * standard error of sqrt(p(1-p)/R)/phi(1.96) = 0.019 sd; 0.1 sd is
     * more than 5 of those, so a correct stage fails with probability
     * below 1e-6 per bound, while a wrong sd (even by 10 %) or a wrong
     * centre is caught. The draws are seeded, so the test is repeatable. */
    const double want[3][2][4] = {
        {{17.5, 15.540036015459947, 19.459963984540053, 1},
         {25, 22.06005402318992, 27.93994597681008, 1.5}},
        {{32.5, 31.520018007729973, 33.479981992270027, 0.5},
         {37.5, 36.520018007729973, 38.479981992270027, 0.5}},
        {{47.5, 43.580072030919894, 51.419927969080106, 2},
         {42.5, 40.540036015459947, 44.459963984540053, 1}}};
    for (int u = 0; u < 3; u++)
        for (int y = 0; y < 2; y++) {
            size_t k = RES_AT(res, 2, y, u);
            expect_rel(res->score[k], want[u][y][0], 1e-12);
            double tol = 0.1 * want[u][y][3];
            if (fabs(res->ci_low[k] - want[u][y][1]) > tol ||
                fabs(res->ci_high[k] - want[u][y][2]) > tol)
                fail_msg("U%d %d: [%g, %g], want [%g, %g] +- %g", u + 1,
                         2020 + y, res->ci_low[k], res->ci_high[k],
                         want[u][y][1], want[u][y][2], tol);
        }
    const double wch[3][4] = {
        {7.5, 3.9666246778390639, 11.033375322160936, 1.8027756377319946},
        {5, 3.6140961756503227, 6.3859038243496773, 0.70710678118654757},
        {-5, -9.3826127028829074, -0.61738729711709261, 2.2360679774997898}};
    for (int u = 0; u < 3; u++) {
        size_t k = TREND_AT(ch, 2, u);
        assert_int_equal(ch->base_year[k], 2020);
        assert_int_equal(ch->last_year[k], 2021);
        assert_int_equal(ch->prev_year[k], 2020);
        expect_rel(ch->base[k], wch[u][0], 1e-12);
        double tol = 0.1 * wch[u][3];
        if (fabs(ch->base_low[k] - wch[u][1]) > tol ||
            fabs(ch->base_high[k] - wch[u][2]) > tol)
            fail_msg("change U%d: [%g, %g], want [%g, %g] +- %g", u + 1,
                     ch->base_low[k], ch->base_high[k], wch[u][1], wch[u][2], tol);
        /* every change is far from 0 in sd units (>= 2.2 sd): assessed,
         * with a p-value below 0.05, the interval excluding 0 */
        assert_int_equal(ch->base_assessed[k], 1);
        assert_int_equal(ch->base_excludes_zero[k], 1);
        assert_true(ch->base_p[k] < 0.05);
        /* since last year is the same two years here */
        assert_true(ch->prev_low[k] == ch->base_low[k]);
        assert_true(ch->prev_p[k] == ch->base_p[k]);
    }
    assert_int_equal(sum.obs_se, 6);
    assert_int_equal(sum.obs_exact, 6);
    uncertainty_change_free(ch);
    results_free(res);
    cube_free(c);
    free(cfg);
    diag_free(&d);
}

/* ---- coverage ------------------------------------------------------------- */

/* Truth mu_A, mu_B per unit; observations mu + se * eps (se 2 to 8 on a
 * spread of 100). The 95 % interval of the root score (arithmetic mean of
 * the min-max normalised values, bounds re-derived in every replication)
 * must cover the true values normalised with the observed data's bounds
 * (the nominal run's) in 95 % of cases, within 2 points: 40 trials x 100
 * units = 4,000 intervals. tests/unit/test_coverage.c measures coverage
 * of the truth normalised with the TRUE values' bounds, in several
 * settings. */
static void test_coverage(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 2, 1, l_nk, l_kids, l_lvl);
    const size_t nu = 100;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    struct config *cfg = make_config(NORM_MINMAX, SCOPE_POOLED, 400);
    struct diag d;
    diag_init(&d);
    size_t covered = 0, total = 0;
    double mu[2][100];
    for (int trial = 0; trial < 40; trial++) {
        struct cube *c = make_cube(nu, 2, 1, 2020);
        for (int i = 0; i < 2; i++)
            for (size_t u = 0; u < nu; u++) {
                mu[i][u] = 100 * gsl_rng_uniform(g);
                double se = 2 + 6 * gsl_rng_uniform(g);
                c->value[CUBE_AT(c, i, 0, u)] = mu[i][u] +
                                                gsl_ran_gaussian(g, se);
                c->se[CUBE_AT(c, i, 0, u)] = se;
            }
        cfg->seed = 1000 + (unsigned long)trial;
        struct results *res = NULL;
        assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
        struct uncertainty_summary sum;
        assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, NULL, 1, NULL,
                                         NULL, 0, &sum, &d), 0);
        double mn[2], mx[2];
        for (int i = 0; i < 2; i++) {
            mn[i] = INFINITY;
            mx[i] = -INFINITY;
            for (size_t u = 0; u < nu; u++) {
                double v = c->value[CUBE_AT(c, i, 0, u)];
                mn[i] = fmin(mn[i], v);
                mx[i] = fmax(mx[i], v);
            }
        }
        for (size_t u = 0; u < nu; u++) {
            double truth = 0;
            for (int i = 0; i < 2; i++)
                truth += 0.5 * (mu[i][u] - mn[i]) / (mx[i] - mn[i]) * 100;
            size_t k = RES_AT(res, 2, 0, u);
            covered += res->ci_low[k] <= truth && truth <= res->ci_high[k];
            total++;
        }
        results_free(res);
        cube_free(c);
    }
    double cover = 100.0 * (double)covered / (double)total;
    if (fabs(cover - 95.0) > 2.0) fail_msg("coverage %.2f %%", cover);
    gsl_rng_free(g);
    free(cfg);
    diag_free(&d);
}

/* ---- reproducibility ------------------------------------------------------ */

static struct cube *mixed_cube(void)
{
    struct cube *c = make_cube(7, 4, 4, 2018);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 3);
    for (size_t i = 0; i < 4; i++)
        for (size_t t = 0; t < 4; t++)
            for (size_t u = 0; u < 7; u++) {
                size_t k = CUBE_AT(c, i, t, u);
                if (i == 1) {               /* survey percentages with n */
                    c->value[k] = 100 * gsl_rng_uniform(g);
                    c->n[k] = 50 + floor(500 * gsl_rng_uniform(g));
                } else if (i == 2) {        /* proportions with n */
                    c->value[k] = gsl_rng_uniform(g);
                    c->n[k] = 80;
                } else {
                    c->value[k] = 10 * gsl_rng_uniform(g);
                    if (i == 0) c->se[k] = 0.5 + gsl_rng_uniform(g);
                }
            }
    c->value[CUBE_AT(c, 0, 3, 6)] = NAN;
    c->value[CUBE_AT(c, 1, 3, 6)] = NAN;   /* X1 of U7 missing in 2021 */
    c->value[CUBE_AT(c, 2, 0, 5)] = NAN;
    gsl_rng_free(g);
    return c;
}

struct snapshot {
    double *a[4];
    struct uncertainty_change *ch;
    struct uncertainty_summary sum;
};

static void run_snapshot(const struct config *cfg, const struct framework *fw,
                         const struct cube *c, int threads, size_t budget,
                         struct snapshot *s)
{
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, fw, c, &res, &d), 0);
    assert_int_equal(uncertainty_run(cfg, fw, c, res, &s->ch, threads, NULL,
                                     NULL, budget, &s->sum, &d), 0);
    s->a[0] = res->ci_low;
    s->a[1] = res->ci_high;
    s->a[2] = res->rank_low;
    s->a[3] = res->rank_high;
    res->ci_low = res->ci_high = res->rank_low = res->rank_high = NULL;
    results_free(res);
    diag_free(&d);
}

static void snapshot_same(const struct snapshot *x, const struct snapshot *y,
                          size_t cells, size_t nu_cells)
{
    for (int k = 0; k < 4; k++)
        assert_memory_equal(x->a[k], y->a[k], cells * sizeof(double));
    assert_memory_equal(x->ch->base_low, y->ch->base_low, nu_cells * sizeof(double));
    assert_memory_equal(x->ch->base_high, y->ch->base_high, nu_cells * sizeof(double));
    assert_memory_equal(x->ch->prev_low, y->ch->prev_low, nu_cells * sizeof(double));
    assert_memory_equal(x->ch->prev_high, y->ch->prev_high, nu_cells * sizeof(double));
    /* the changes' p-values and flags */
    assert_memory_equal(x->ch->base_p, y->ch->base_p, nu_cells * sizeof(double));
    assert_memory_equal(x->ch->prev_p, y->ch->prev_p, nu_cells * sizeof(double));
    const unsigned char *fx[6] = {x->ch->base_assessed, x->ch->prev_assessed,
                                  x->ch->base_excludes_zero, x->ch->prev_excludes_zero,
                                  x->ch->base_significant, x->ch->prev_significant};
    const unsigned char *fy[6] = {y->ch->base_assessed, y->ch->prev_assessed,
                                  y->ch->base_excludes_zero, y->ch->prev_excludes_zero,
                                  y->ch->base_significant, y->ch->prev_significant};
    for (int k = 0; k < 6; k++) assert_memory_equal(fx[k], fy[k], nu_cells);
    assert_int_equal(x->sum.changes_assessed, y->sum.changes_assessed);
    assert_int_equal(x->sum.changes_significant, y->sum.changes_significant);
}

static void snapshot_free(struct snapshot *s)
{
    for (int k = 0; k < 4; k++) free(s->a[k]);
    uncertainty_change_free(s->ch);
}

static void check_identical(enum norm_method nm, enum norm_scope scope)
{
    struct tree t;
    tree_init(&t, 4, 3, z_nk, z_kids, z_lvl);
    t.node[1].unit = (char *)"percent (survey)";
    t.node[3].direction = -1;
    struct cube *c = mixed_cube();
    /* R: not a multiple of the batch (16), and large enough for a p-value
     * below 0.05 (the smallest is 2 / (R + 1)) */
    struct config *cfg = make_config(nm, scope, 237);
    size_t cells = 7 * 4 * 7, nu_cells = 7 * 7;
    struct snapshot s1, s2, s3, s4;
    run_snapshot(cfg, &t.fw, c, 1, 0, &s1);
    run_snapshot(cfg, &t.fw, c, 2, 0, &s2);
    run_snapshot(cfg, &t.fw, c, 3, 0, &s3);
    run_snapshot(cfg, &t.fw, c, 2, 1, &s4);   /* budget 1 byte: 1 year a chunk */
    snapshot_same(&s1, &s2, cells, nu_cells);
    snapshot_same(&s1, &s3, cells, nu_cells);
    snapshot_same(&s1, &s4, cells, nu_cells);
    assert_int_equal(s4.sum.chunks, 7);   /* budget 1 byte: one node a chunk */
    /* intervals are not degenerate; changes are assessed (A, B and C carry
     * errors), with p-values, and some are significant */
    size_t wide = 0, pvals = 0;
    for (size_t k = 0; k < cells; k++) wide += s1.a[1][k] > s1.a[0][k];
    assert_true(wide > cells / 2);
    for (size_t k = 0; k < nu_cells; k++) pvals += !isnan(s1.ch->base_p[k]);
    assert_true(pvals > nu_cells / 2);
    assert_true(s1.sum.changes_assessed > 0 && s1.sum.changes_significant > 0);
    /* a different seed gives different bounds */
    struct snapshot s5;
    cfg->seed++;
    run_snapshot(cfg, &t.fw, c, 2, 0, &s5);
    assert_true(memcmp(s1.a[0], s5.a[0], cells * sizeof(double)) != 0);
    /* counts: A se (27 present), B percent with n (27), C proportions (27),
     * D exact (28) */
    assert_int_equal(s1.sum.obs_present, 109);
    assert_int_equal(s1.sum.obs_se, 27);
    assert_int_equal(s1.sum.obs_wilson, 54);
    assert_int_equal(s1.sum.obs_percent, 27);
    assert_int_equal(s1.sum.obs_exact, 28);
    struct notes nt = {0};
    uncertainty_notes_add(&s1.sum, &nt);
    assert_true(nt.n >= 3);
    assert_non_null(strstr(nt.line[0], "95 %"));
    assert_non_null(strstr(nt.line[0], "237 Monte Carlo"));
    assert_non_null(strstr(nt.line[1], "27 of 109"));
    notes_free(&nt);
    /* with no observation carrying an error, one sentence says the
     * intervals have zero width, and no percentile wording follows */
    struct uncertainty_summary exact = s1.sum;
    exact.obs_se = exact.obs_wilson = exact.obs_percent = 0;
    exact.obs_exact = exact.obs_present;
    uncertainty_notes_add(&exact, &nt);
    assert_int_equal(nt.n, 1);
    assert_non_null(strstr(nt.line[0], "none of the 109 observations carries a sampling "
                                       "error"));
    assert_non_null(strstr(nt.line[0], "not assessed"));
    assert_null(strstr(nt.line[0], "percentile"));
    notes_free(&nt);
    snapshot_free(&s1);
    snapshot_free(&s2);
    snapshot_free(&s3);
    snapshot_free(&s4);
    snapshot_free(&s5);
    cube_free(c);
    free(cfg);
}

static void test_identical_minmax(void **state)
{
    (void)state;
    check_identical(NORM_MINMAX, SCOPE_POOLED);
}

/* Pooled ranks: every replication computes all years, so the chunking is
 * exercised for real. */
static void test_identical_pooled_rank(void **state)
{
    (void)state;
    check_identical(NORM_PRANK, SCOPE_POOLED);
}

/* Two indicators under one aggregate, 3 units x 2 years: values 1-5 in
 * turn, each with standard error se. */
static struct cube *small_case(struct tree *t, double se)
{
    tree_init(t, 2, 1, l_nk, l_kids, l_lvl);
    struct cube *c = make_cube(3, 2, 2, 2020);
    for (size_t k = 0; k < 12; k++) {
        c->value[k] = (double)(k % 5) + 1;
        c->se[k] = se;
    }
    return c;
}

static void test_skip_and_errors(void **state)
{
    (void)state;
    struct tree t;
    struct cube *c = small_case(&t, 0.1);
    struct config *cfg = make_config(NORM_MINMAX, SCOPE_POOLED, 0);
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    struct uncertainty_summary sum;
    struct uncertainty_change *ch = NULL;
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, &ch, 1, NULL, NULL, 0,
                                     &sum, &d), 0);
    assert_null(res->ci_low);
    assert_int_equal(sum.replications, 0);
    assert_int_equal(sum.obs_se, 12);
    assert_non_null(ch);
    assert_false(isnan(ch->base[TREND_AT(ch, 2, 0)]));
    assert_true(isnan(ch->base_low[TREND_AT(ch, 2, 0)]));
    uncertainty_change_free(ch);
    cfg->ci_level = 1.5;
    cfg->replications = 10;
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, NULL, 1, NULL, NULL, 0,
                                     &sum, &d), -1);
    assert_int_equal(d.worst, LCME_EINPUT);
    /* geometric mean over min-max [1, 100]: each replication re-derives the
     * bounds, so its values stay in [1, 100] and none leaves the mean's
     * domain, however large the errors */
    diag_clear(&d);
    cfg->ci_level = 0.95;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) {
        cfg->level[l].aggregate = AGG_GEOMETRIC;
        cfg->level[l].norm_low = 1;
    }
    for (size_t k = 0; k < 12; k++) c->se[k] = 5;
    results_free(res);
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, NULL, 2, NULL, NULL, 0,
                                     &sum, &d), 0);
    for (size_t k = 0; k < res->nnode * res->nyear * res->nunit; k++)
        assert_true(res->ci_low[k] >= 1.0 && res->ci_high[k] <= 100.0);
    results_free(res);
    cube_free(c);
    free(cfg);
    diag_free(&d);
}

/* A replication that fails: the geometric mean of raw values (no
 * normalisation, no bounds in the framework) whose draws go below 0. The
 * run stops with the first failing replication's own message, the same on
 * one thread and on two, which take the batch's rows as each is free. */
static void test_replication_error(void **state)
{
    (void)state;
    struct tree t;
    struct cube *c = small_case(&t, 0.01);
    c->se[7] = 4;   /* one value far from its error's scale: some draws < 0 */
    struct config *cfg = make_config(NORM_NONE, SCOPE_POOLED, 200);
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) cfg->level[l].aggregate = AGG_GEOMETRIC;
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    char msg[2][1024];
    for (int nt = 1; nt <= 2; nt++) {
        struct uncertainty_summary sum;
        diag_clear(&d);
        assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, NULL, nt, NULL, NULL, 0, &sum, &d),
                         -1);
        assert_int_equal(d.worst, LCME_EINPUT);
        assert_true(d.n >= 1);
        snprintf(msg[nt - 1], sizeof msg[0], "%s", d.v[d.n - 1].msg);
        clear_ci(res);
    }
    assert_non_null(strstr(msg[0], "uncertainty: Monte Carlo replication "));
    assert_non_null(strstr(msg[0], "needs"));
    assert_string_equal(msg[0], msg[1]);
    results_free(res);
    cube_free(c);
    free(cfg);
    diag_free(&d);
}

/* The streams as documented in draws.h and normal.h, rebuilt here:
 * replication r of year Y draws from eight xoshiro256++ lanes whose states
 * are the splitmix64 sequence of h, a splitmix64 hash of (seed, r, Y); the
 * q-th observation with error, in unit order, takes lane q mod 8's next
 * ziggurat normal (normal_next, checked on its own in test_normal). The
 * interval of each unit must equal the type-7 quantiles of value + se * z_r
 * (up to the float rounding of the stored deviations, 6e-8 relative). This
 * pins the tail selection exactly: neighbouring order statistics near the
 * 2.5 % point of 1,000 normals are about 0.017 sd apart. */
static uint64_t sm64(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static const int one_nk[1] = {1};
static const int one_kids[1][8] = {{0}};

/* One indicator under the root, nu units in 2024, no normalisation, run
 * through pipeline_run and uncertainty_run (2 threads) with R
 * replications; the caller fills c's values and standard errors through
 * fill(c). */
struct one_node {
    struct tree t;
    struct cube *c;
    struct config *cfg;
    struct results *res;
    struct diag d;
};

static void one_node_run(struct one_node *o, size_t nu, long R, void (*fill)(struct cube *))
{
    tree_init(&o->t, 1, 1, one_nk, one_kids, l_lvl);
    o->c = make_cube(nu, 1, 1, 2024);
    fill(o->c);
    o->cfg = make_config(NORM_NONE, SCOPE_POOLED, R);
    diag_init(&o->d);
    o->res = NULL;
    assert_int_equal(pipeline_run(o->cfg, &o->t.fw, o->c, &o->res, &o->d), 0);
    struct uncertainty_summary sum;
    assert_int_equal(uncertainty_run(o->cfg, &o->t.fw, o->c, o->res, NULL, 2, NULL, NULL, 0,
                                     &sum, &o->d), 0);
}

static void one_node_free(struct one_node *o)
{
    results_free(o->res);
    cube_free(o->c);
    free(o->cfg);
    diag_free(&o->d);
}

/* z set to the stream of replication r in `year`, rebuilt from the
 * documented derivation: h = splitmix64 of seed, r and year; lane j's state
 * words the splitmix64 outputs 4j+1 .. 4j+4 of h. */
static void stream_of(struct normal_lanes *z, unsigned long seed, long r, int year)
{
    uint64_t h = sm64(sm64(sm64(seed) ^ (uint64_t)r) ^ (uint64_t)year);
    for (int j = 0; j < NORMAL_LANES; j++)
        for (int w = 0; w < 4; w++)
            z->s[j][w] = sm64(h + (uint64_t)(4 * j + w) * 0x9e3779b97f4a7c15ULL);
}

/* draws_apply against its definition, bit for bit: 3 indicators (the
 * second bounded to [40, 60] by the framework, so that draws are censored)
 * x 2 years x 1,500 units (so that a year's 4,000-odd draws span several
 * chunks of the fill and runs split across them), some values missing and
 * some exact. The q-th observation with error of year Y takes lane q mod 8
 * of the stream of (seed, r, Y): value + se z, clamped. */
static void test_draws_apply(void **state)
{
    (void)state;
    enum { NU = 1500, NI = 3, NY = 2 };
    struct tree t;
    static const int nk[1] = {3};
    static const int kids[1][8] = {{0, 1, 2}};
    static const int lv[1] = {2};
    tree_init(&t, NI, 1, nk, kids, lv);
    t.node[1].min = 40;
    t.node[1].max = 60;
    struct cube *c = make_cube(NU, NI, NY, 2023);
    for (size_t i = 0; i < NI; i++)
        for (size_t y = 0; y < NY; y++)
            for (size_t u = 0; u < NU; u++) {
                size_t k = CUBE_AT(c, i, y, u);
                c->value[k] = (u * 7 + i * 3 + y) % 23 == 0 ? NAN : 50.0 + (double)(u % 11);
                c->se[k] = (u + i) % 9 == 0 ? NAN : 0.5 + (double)(u % 5);
            }
    struct draws_count cnt;
    struct draws *dr = draws_new(&t.fw, c, 0.95, &cnt);
    assert_non_null(dr);
    size_t ncell = (size_t)NI * NY * NU;
    double *x = malloc(ncell * sizeof *x), *want = malloc(ncell * sizeof *want);
    assert_non_null(x);
    assert_non_null(want);
    for (long r = 0; r < 3; r++) {
        memcpy(x, c->value, ncell * sizeof *x);
        memcpy(want, c->value, ncell * sizeof *want);
        draws_apply(dr, 77, r, x);
        for (size_t y = 0; y < NY; y++) {
            struct normal_lanes z;
            stream_of(&z, 77, r, 2023 + (int)y);
            size_t q = 0;
            for (size_t i = 0; i < NI; i++)
                for (size_t u = 0; u < NU; u++) {
                    size_t k = CUBE_AT(c, i, y, u);
                    if (isnan(c->value[k]) || !(c->se[k] > 0)) continue;
                    double v = c->value[k] + (double)(float)c->se[k] *
                                                 normal_next(z.s[q++ % NORMAL_LANES]);
                    if (i == 1 && v < 40) v = 40;
                    if (i == 1 && v > 60) v = 60;
                    want[k] = v;
                }
        }
        size_t censored = 0;
        for (size_t k = 0; k < ncell; k++) {
            assert_true(memcmp(&x[k], &want[k], sizeof *x) == 0 || (isnan(x[k]) && isnan(want[k])));
            censored += x[k] == 40.0 || x[k] == 60.0;
        }
        assert_true(censored > 0);
    }
    free(x);
    free(want);
    draws_free(dr);
    cube_free(c);
}

static void fill_three(struct cube *c)
{
    for (size_t u = 0; u < 3; u++) {
        c->value[u] = 10.0 * (double)(u + 1);
        c->se[u] = (double)(u + 1);
    }
}

static void check_streams(long R)
{
    struct one_node o;
    one_node_run(&o, 3, R, fill_three);
    const struct cube *c = o.c;
    const struct results *res = o.res;
    double *x[3];
    for (int u = 0; u < 3; u++) x[u] = malloc((size_t)R * sizeof(double));
    struct normal_lanes z;
    for (long r = 0; r < R; r++) {
        stream_of(&z, o.cfg->seed, r, 2024);
        for (int u = 0; u < 3; u++)
            x[u][r] = c->se[u] * normal_next(z.s[u]);
    }
    for (int u = 0; u < 3; u++) {
        double lo = uncertainty_quantile(x[u], (size_t)R, 0.025);
        double hi = uncertainty_quantile(x[u], (size_t)R, 0.975);
        for (size_t node = 0; node < 2; node++) {
            size_t k = RES_AT(res, node, 0, u);
            expect_rel(res->ci_low[k] - c->value[u], lo, 1e-6);
            expect_rel(res->ci_high[k] - c->value[u], hi, 1e-6);
        }
        free(x[u]);
    }
    one_node_free(&o);
}

/* Rank intervals from the same rebuilt streams: 20 units (more than one
 * 16-cell block of the percentile pass, and a worker split that is not a
 * block multiple) whose intervals overlap, so each unit's rank moves over
 * several places. Ranks computed here by counting (1 + the number of units
 * strictly above), then R's type-7 quantiles. R = 1001 leaves a remainder
 * after the pass's groups of four. */
enum { RANK_NU = 20 };

static void fill_twenty(struct cube *c)
{
    for (size_t u = 0; u < RANK_NU; u++) {
        c->value[u] = (double)((7 * u) % RANK_NU);     /* 0..19 in mixed order */
        c->se[u] = 0.5 + 0.1 * (double)(u % 7);
    }
}

static void check_rank_streams(long R)
{
    enum { NU = RANK_NU };
    struct one_node o;
    one_node_run(&o, NU, R, fill_twenty);
    const struct cube *c = o.c;
    const struct results *res = o.res;
    double *rk[NU];
    for (int u = 0; u < NU; u++) rk[u] = malloc((size_t)R * sizeof(double));
    struct normal_lanes z;
    for (long r = 0; r < R; r++) {
        stream_of(&z, o.cfg->seed, r, 2024);
        double x[NU];
        for (int u = 0; u < NU; u++)
            x[u] = c->value[u] + c->se[u] * normal_next(z.s[u % NORMAL_LANES]);
        for (int u = 0; u < NU; u++) {
            int above = 0;
            for (int v = 0; v < NU; v++) above += x[v] > x[u];
            rk[u][r] = 1.0 + above;
        }
    }
    size_t moving = 0;
    for (int u = 0; u < NU; u++) {
        double lo = uncertainty_quantile(rk[u], (size_t)R, 0.025);
        double hi = uncertainty_quantile(rk[u], (size_t)R, 0.975);
        moving += hi > lo;
        for (size_t node = 0; node < 2; node++) {
            size_t k = RES_AT(res, node, 0, u);
            expect_rel(res->rank_low[k], lo, 1e-12);
            expect_rel(res->rank_high[k], hi, 1e-12);
        }
        free(rk[u]);
    }
    assert_true(moving > NU / 2);
    one_node_free(&o);
}

static void test_rank_streams(void **state)
{
    (void)state;
    check_rank_streams(1001);
    check_rank_streams(40);
}

static void test_streams(void **state)
{
    (void)state;
    check_streams(1000);   /* heap path, interpolation weight 0.975 */
    check_streams(999);    /* index lands on a whole number */
    check_streams(8001);   /* past the heap: full sort */
}

/* A run as `lcme run` makes it (pooled min-max, R replications, base year
 * 2019, target year 2030): results, changes and trends with the changes
 * applied. The caller frees *cfg after the rest. */
struct change_run {
    struct config *cfg;
    struct results *res;
    struct uncertainty_change *ch;
    struct trends *tr;
    struct uncertainty_summary sum;
};

static void change_run(const struct framework *fw, const struct cube *c, long R,
                       struct change_run *cr)
{
    cr->cfg = make_config(NORM_MINMAX, SCOPE_POOLED, R);
    cr->cfg->base_year = 2019;
    cr->cfg->target_year = 2030;
    struct diag d;
    diag_init(&d);
    cr->res = tk_pipeline_ok(cr->cfg, fw, c, &d);
    assert_int_equal(uncertainty_run(cr->cfg, fw, c, cr->res, &cr->ch, 2, NULL, NULL, 0,
                                     &cr->sum, &d), 0);
    assert_int_equal(trend_compute_all(cr->cfg, fw, c, cr->res, &cr->tr, &d), 0);
    uncertainty_change_apply(cr->ch, cr->tr);
    diag_free(&d);
}

static void change_run_free(struct change_run *cr)
{
    trends_free(cr->tr);
    uncertainty_change_free(cr->ch);
    results_free(cr->res);
    free(cr->cfg);
}

/* uncertainty_change_apply copies into the trends of the same run. */
static void test_change_apply(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 4, 3, z_nk, z_kids, z_lvl);
    t.node[1].unit = (char *)"percent (survey)";
    struct cube *c = mixed_cube();
    struct change_run cr;
    change_run(&t.fw, c, 64, &cr);
    const struct trends *tr = cr.tr;
    const struct uncertainty_change *ch = cr.ch;
    size_t filled = 0;
    for (size_t k = 0; k < tr->nnode * tr->nunit; k++) {
        if (!isnan(tr->change_since_base[k])) {
            /* same base and last years, same nominal change */
            assert_int_equal(tr->base_year[k], ch->base_year[k]);
            expect_rel(tr->change_since_base[k], ch->base[k], 1e-12);
            assert_true(tr->change_low[k] == ch->base_low[k]);
            assert_true(tr->change_high[k] == ch->base_high[k]);
            assert_true(tr->change_low[k] <= tr->change_since_base[k] + 1e-9);
            assert_true(tr->change_high[k] >= tr->change_since_base[k] - 1e-9);
            filled++;
        }
        assert_int_equal(tr->prev_year[k], ch->prev_year[k]);
        assert_memory_equal(&tr->change_prev_low[k], &ch->prev_low[k],
                            sizeof(double));
    }
    assert_true(filled > 30);
    /* U7's X1 has no score in 2021: its last year is 2020, previous 2019 */
    size_t k7 = TREND_AT(ch, 4, 6);
    assert_int_equal(ch->last_year[k7], 2020);
    assert_int_equal(ch->prev_year[k7], 2019);
    change_run_free(&cr);
    cube_free(c);
}

/* ---- no significance without measured error --------------------------------- */

/* A, B > root; 6 units over 2019..2021 with large changes; pooled min-max,
 * R = 200. With no se or n anywhere, no change is assessed: no p-value, no
 * "excludes 0", no significance, however large the change. Then U1 gets an
 * se on A in every year (and is A's maximum, so the bounds move): U1's
 * changes of A and the root are assessed; every other unit's changes stay
 * not assessed although the moving bounds give some of them an interval of
 * positive width. Checked on the trends, after uncertainty_change_apply. */
static struct cube *exact_cube(void)
{
    struct cube *c = make_cube(6, 2, 3, 2019);
    for (size_t i = 0; i < 2; i++)
        for (size_t t = 0; t < 3; t++)
            for (size_t u = 0; u < 6; u++)
                c->value[CUBE_AT(c, i, t, u)] =
                    10.0 * (double)u + (i ? 5.0 : 9.0) * (double)t + (u == 0 ? 60 : 0);
    return c;
}

/* The change of cell k (either kind) is not assessed: no p, no flags. */
static void expect_not_assessed(const struct trends *tr, size_t k)
{
    assert_int_equal(tr->change_assessed[k], 0);
    assert_true(isnan(tr->change_p[k]));
    assert_int_equal(tr->change_excludes_zero[k], 0);
    assert_int_equal(tr->change_significant[k], 0);
    assert_int_equal(tr->change_prev_assessed[k], 0);
    assert_true(isnan(tr->change_prev_p[k]));
    assert_int_equal(tr->change_prev_excludes_zero[k], 0);
    assert_int_equal(tr->change_prev_significant[k], 0);
}

static void test_no_significance_exact(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 2, 1, l_nk, l_kids, l_lvl);
    struct cube *c = exact_cube();
    struct change_run cr;
    change_run(&t.fw, c, 200, &cr);
    const struct trends *tr = cr.tr;
    assert_int_equal(cr.sum.replications, 200);
    assert_int_equal(cr.sum.changes_assessed, 0);
    assert_int_equal(cr.sum.changes_significant, 0);
    assert_int_equal(cr.sum.changes_not_assessed, 36);   /* 3 nodes x 6 units x 2 kinds */
    for (size_t k = 0; k < tr->nnode * tr->nunit; k++) {
        assert_false(isnan(tr->change_since_base[k]));
        assert_true(fabs(tr->change_since_base[k]) >= 5);   /* large changes */
        assert_true(tr->change_low[k] == tr->change_since_base[k]);
        expect_not_assessed(tr, k);
    }
    change_run_free(&cr);

    for (size_t y = 0; y < 3; y++) c->se[CUBE_AT(c, 0, y, 0)] = 4;
    change_run(&t.fw, c, 200, &cr);
    tr = cr.tr;
    size_t wide = 0;
    for (size_t n = 0; n < 3; n++)
        for (size_t u = 0; u < 6; u++) {
            size_t k = TREND_AT(tr, n, u);
            if (u == 0 && n != 1) {
                assert_int_equal(tr->change_assessed[k], 1);
                assert_int_equal(tr->change_prev_assessed[k], 1);
                assert_true(tr->change_p[k] > 0 && tr->change_p[k] <= 1);
                continue;
            }
            expect_not_assessed(tr, k);
            wide += tr->change_high[k] > tr->change_low[k];
        }
    assert_true(wide >= 4);
    assert_int_equal(cr.sum.changes_assessed, 4);    /* U1: A and root, both kinds */
    assert_int_equal(cr.sum.changes_not_assessed, 32);
    change_run_free(&cr);
    cube_free(c);
}

static long last_done, last_total, calls;
static void progress_cb(void *ctx, long done, long total)
{
    (void)ctx;
    assert_true(done >= last_done);
    last_done = done;
    last_total = total;
    calls++;
}

static void test_progress(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t, 2, 1, l_nk, l_kids, l_lvl);
    struct cube *c = make_cube(3, 2, 2, 2020);
    for (size_t k = 0; k < 12; k++) {
        c->value[k] = (double)k;
        c->se[k] = 1;
    }
    struct config *cfg = make_config(NORM_MINMAX, SCOPE_POOLED, 100);
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    assert_int_equal(pipeline_run(cfg, &t.fw, c, &res, &d), 0);
    struct uncertainty_summary sum;
    assert_int_equal(uncertainty_run(cfg, &t.fw, c, res, NULL, 2, progress_cb,
                                     NULL, 0, &sum, &d), 0);
    assert_true(calls >= 3);
    assert_int_equal(last_done, last_total);
    assert_true(last_total >= 100);
    clear_ci(res);
    results_free(res);
    cube_free(c);
    free(cfg);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_bh),
        cmocka_unit_test(test_zero_error),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_draws_apply),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_rank_streams),
        cmocka_unit_test(test_identical_minmax),
        cmocka_unit_test(test_identical_pooled_rank),
        cmocka_unit_test(test_skip_and_errors),
        cmocka_unit_test(test_replication_error),
        cmocka_unit_test(test_change_apply),
        cmocka_unit_test(test_no_significance_exact),
        cmocka_unit_test(test_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
