/* test_aggregate.c: unit tests of engine/stages/aggregate.c: every aggregator on a
 * 3-unit x 3-child example, the coverage rule, a two-level tree with a
 * method per level, the domain errors, ranks with ties, and the means of a
 * plane longer than a vector block against a child-by-child pass.
 *
 * Frameworks are built by hand. Every expected number is worked by hand in
 * the comment beside it.
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

#include "aggregate.h"
#include "testkit_engine.h"

#define N NAN

static struct fw_node nodes[8];
static int kids[8][4];
static struct framework fw;
static struct method lm[4];

static void set_node(int i, const char *code, int level, double weight)
{
    tk_node(&nodes[i], code, level);
    nodes[i].weight = weight;
    nodes[i].child = kids[i];
}

static void add_child(int parent, int child)
{
    nodes[parent].child[nodes[parent].nchild++] = child;
    nodes[child].parent = parent;
}

static void set_methods(enum agg_method a, double p, double min_cov)
{
    for (int l = 0; l < 4; l++) {
        memset(&lm[l], 0, sizeof lm[l]);
        lm[l].normalise = NORM_MINMAX;
        lm[l].aggregate = a;
        lm[l].agg_p = p;
        lm[l].min_coverage = min_cov;
    }
}

/* Three indicators X (w 1), Y (w 2), Z (w 1) under root R. */
static void make_flat(void)
{
    memset(&fw, 0, sizeof fw);
    set_node(0, "X", 1, 1);
    set_node(1, "Y", 1, 2);
    set_node(2, "Z", 1, 1);
    set_node(3, "R", 2, 1);
    for (int i = 0; i < 3; i++) add_child(3, i);
    tk_fw(&fw, nodes, 4, 3, 2);
}

/* 3 units, 1 year; planes X, Y, Z, R (R is output):
 *        X    Y    Z
 *   u0  10   20   60
 *   u1  30  NaN   50
 *   u2  50   40   20  */
static const double data3[] = {
    10, 30, 50,   /* X */
    20, N, 40,    /* Y */
    60, 50, 20,   /* Z */
    -1, -1, -1,   /* R */
};
static const char *units3[] = {"U0", "U1", "U2"};
static const int years1[] = {2020};

/* Aggregate data3 with one method; returns root plane in out[3]. */
static int run_flat(enum agg_method a, double p, double min_cov, double *out,
                    size_t *low, struct diag *d)
{
    make_flat();
    set_methods(a, p, min_cov);
    double x[12];
    memcpy(x, data3, sizeof x);
    struct aggregate_work *w = aggregate_work_alloc(&fw, 3, 1);
    assert_non_null(w);
    int rc = aggregate_tree(&fw, lm, NULL, x, 3, 1, units3, years1, w, low, d);
    aggregate_work_free(w);
    memcpy(out, x + 9, 3 * sizeof *out);
    return rc;
}

static void test_arithmetic(void **state)
{
    (void)state;
    double r[3];
    size_t low = 99;
    struct diag d;
    diag_init(&d);
    /* u0: (10*1 + 20*2 + 60*1)/4 = 110/4 = 27.5
     * u1: Y missing, weights 1+1: (30 + 50)/2 = 40
     * u2: (50 + 80 + 20)/4 = 37.5 */
    assert_int_equal(run_flat(AGG_ARITHMETIC, 1, 0, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){27.5, 40, 37.5}, 3);
    assert_int_equal(low, 0);
    /* generalised mean with p = 1 is the arithmetic mean */
    assert_int_equal(run_flat(AGG_GENMEAN, 1, 0, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){27.5, 40, 37.5}, 3);
    diag_free(&d);
}

static void test_geometric_harmonic_genmean(void **state)
{
    (void)state;
    double r[3];
    struct diag d;
    diag_init(&d);
    /* geometric: u0 (10 * 20^2 * 60)^(1/4) = 240000^(1/4) = 22.133638394006432
     *            u1 (30 * 50)^(1/2) = sqrt(1500) = 38.729833462074170
     *            u2 (50 * 40^2 * 20)^(1/4) = 1600000^(1/4) = 35.565588200778457 */
    assert_int_equal(run_flat(AGG_GEOMETRIC, 1, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){22.133638394006432, 38.729833462074170,
                                35.565588200778457}, 3);
    /* genmean p = 0 is the geometric mean */
    assert_int_equal(run_flat(AGG_GENMEAN, 0, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){22.133638394006432, 38.729833462074170,
                                35.565588200778457}, 3);
    /* harmonic: u0 4/(1/10 + 2/20 + 1/60) = 4/(13/60) = 240/13
     *           u1 2/(1/30 + 1/50) = 2/(8/150) = 37.5
     *           u2 4/(1/50 + 2/40 + 1/20) = 4/0.12 = 100/3 */
    assert_int_equal(run_flat(AGG_HARMONIC, 1, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){240.0 / 13, 37.5, 100.0 / 3}, 3);
    /* genmean p = 2: u0 sqrt((100 + 2*400 + 3600)/4) = sqrt(1125)
     *               u1 sqrt((900 + 2500)/2) = sqrt(1700)
     *               u2 sqrt((2500 + 2*1600 + 400)/4) = sqrt(1525) */
    assert_int_equal(run_flat(AGG_GENMEAN, 2, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){sqrt(1125.0), sqrt(1700.0), sqrt(1525.0)}, 3);
    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
}

static void test_median(void **state)
{
    (void)state;
    double r[3];
    struct diag d;
    diag_init(&d);
    /* weights normalised 0.25, 0.5, 0.25.
     * u0 sorted 10 (.25) 20 (.5) 60 (.25): cumulative .25, .75 -> 20
     * u1 30 (.5) 50 (.5): cumulative exactly .5 at 30 -> (30 + 50)/2 = 40
     * u2 sorted 20 (.25) 40 (.5) 50 (.25): cumulative .25, .75 -> 40 */
    assert_int_equal(run_flat(AGG_MEDIAN, 1, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){20, 40, 40}, 3);
    diag_free(&d);
}

static void test_copeland(void **state)
{
    (void)state;
    double r[3];
    struct diag d;
    diag_init(&d);
    /* pairs, over the children present for both (weights X 1, Y 2, Z 1):
     * (u0,u1): X 10<30 u1 +1; Z 60>50 u0 +1 -> d = 0: tie, 0 each
     * (u0,u2): X 10<50 u2 +1; Y 20<40 u2 +2; Z 60>20 u0 +1 -> d = -2:
     *          u2 +1, u0 -1
     * (u1,u2): X 30<50 u2 +1; Z 50>20 u1 +1 -> d = 0: tie
     * scores: u0 -1, u1 0, u2 +1 */
    assert_int_equal(run_flat(AGG_COPELAND, 1, 0, r, NULL, &d), 0);
    tk_expect_vec(r, (double[]){-1, 0, 1}, 3);
    diag_free(&d);
}

static void test_coverage(void **state)
{
    (void)state;
    double r[3];
    size_t low = 0;
    struct diag d;
    diag_init(&d);
    /* u1 has X and Z present: weight 2 of 4 = 0.5.
     * min_coverage 0.6: u1 missing, counted once as low coverage */
    assert_int_equal(run_flat(AGG_ARITHMETIC, 1, 0.6, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){27.5, N, 37.5}, 3);
    assert_int_equal(low, 1);
    /* min_coverage 0.5: exactly enough */
    assert_int_equal(run_flat(AGG_ARITHMETIC, 1, 0.5, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){27.5, 40, 37.5}, 3);
    assert_int_equal(low, 0);
    /* the rule applies to the median and Copeland too: u1 missing; Copeland
     * over u0, u2 only: u2 +1, u0 -1 */
    assert_int_equal(run_flat(AGG_MEDIAN, 1, 0.6, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){20, N, 40}, 3);
    assert_int_equal(run_flat(AGG_COPELAND, 1, 0.6, r, &low, &d), 0);
    tk_expect_vec(r, (double[]){-1, N, 1}, 3);
    diag_free(&d);

    /* min_coverage 0 and no child present: missing, not "low coverage" */
    make_flat();
    set_methods(AGG_ARITHMETIC, 1, 0);
    double x[] = {N, 1, 3, N, 2, N, N, 3, N, 0, 0, 0};
    struct aggregate_work *w = aggregate_work_alloc(&fw, 3, 1);
    diag_init(&d);
    assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 3, 1, NULL, NULL, w,
                                    &low, &d), 0);
    /* u0 none -> NaN; u1 (1 + 2*2 + 3)/4 = 2; u2 only X: 3 */
    tk_expect_vec(x + 9, (double[]){N, 2, 3}, 3);
    assert_int_equal(low, 0);
    aggregate_work_free(w);
    diag_free(&d);
}

static void test_weight_override(void **state)
{
    (void)state;
    make_flat();
    set_methods(AGG_ARITHMETIC, 1, 0);
    double x[12];
    memcpy(x, data3, sizeof x);
    /* equal weights instead of 1, 2, 1:
     * u0 (10 + 20 + 60)/3 = 30; u1 40; u2 (50 + 40 + 20)/3 = 110/3 */
    double wt[4] = {1, 1, 1, 1};
    struct aggregate_work *w = aggregate_work_alloc(&fw, 3, 1);
    struct diag d;
    diag_init(&d);
    assert_int_equal(aggregate_tree(&fw, lm, wt, x, 3, 1, NULL, NULL, w, NULL,
                                    &d), 0);
    tk_expect_vec(x + 9, (double[]){30, 40, 110.0 / 3}, 3);
    aggregate_work_free(w);
    diag_free(&d);
}

static void test_two_levels(void **state)
{
    (void)state;
    /* A, B under P (level 2, arithmetic); C, D under Q (level 2);
     * P (w 1) and Q (w 3) under R (level 3, geometric). 2 units, 2 years.
     * Node order: A B C D P Q R. */
    set_node(0, "A", 1, 1);
    set_node(1, "B", 1, 1);
    set_node(2, "C", 1, 1);
    set_node(3, "D", 1, 1);
    set_node(4, "P", 2, 1);
    set_node(5, "Q", 2, 3);
    set_node(6, "R", 3, 1);
    add_child(4, 0);
    add_child(4, 1);
    add_child(5, 2);
    add_child(5, 3);
    add_child(6, 4);
    add_child(6, 5);
    tk_fw(&fw, nodes, 7, 4, 3);
    set_methods(AGG_ARITHMETIC, 1, 0);
    lm[3].aggregate = AGG_GEOMETRIC;
    /* planes [year0 u0 u1][year1 u0 u1] */
    double x[7 * 4] = {
        10, 20, 30, 40,   /* A */
        30, 40, N, 60,    /* B */
        40, 10, 20, 20,   /* C */
        60, 30, 20, 80,   /* D */
    };
    /* P = (A+B)/2: y0 20, 30; y1 30 (B missing), 50
     * Q = (C+D)/2: y0 50, 20; y1 20, 50
     * R = exp((ln P + 3 ln Q)/4) = (P * Q^3)^(1/4):
     *   y0 u0 (20 * 125000)^(1/4) = 2500000^(1/4) = 39.763536438352531
     *   y0 u1 (30 * 8000)^(1/4) = 240000^(1/4) = 22.133638394006432
     *   y1 u0 (30 * 8000)^(1/4) = 22.133638394006432
     *   y1 u1 50 */
    static const char *u2[] = {"U0", "U1"};
    static const int yrs[] = {2020, 2021};
    struct aggregate_work *w = aggregate_work_alloc(&fw, 2, 2);
    struct diag d;
    diag_init(&d);
    assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 2, 2, u2, yrs, w, NULL,
                                    &d), 0);
    tk_expect_vec(x + 16, (double[]){20, 30, 30, 50}, 4);
    tk_expect_vec(x + 20, (double[]){50, 20, 20, 50}, 4);
    tk_expect_vec(x + 24, (double[]){39.763536438352531, 22.133638394006432,
                                     22.133638394006432, 50}, 4);

    /* geometric refuses a zero: C for U1 in 2021 -> P fine, Q = (0+80)/2 = 40
     * still positive; put the zero in P instead: A and B both 0 for U0 2020 */
    x[0] = 0;
    x[4] = 0;
    assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 2, 2, u2, yrs, w, NULL,
                                    &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_int_equal(d.v[0].status, LCME_EINPUT);
    const char *msg = d.v[0].msg;
    assert_non_null(strstr(msg, "geometric mean of 'R'"));
    assert_non_null(strstr(msg, "'U0'"));
    assert_non_null(strstr(msg, "'P'"));
    assert_non_null(strstr(msg, "2020"));
    assert_non_null(strstr(msg, "above 0"));
    aggregate_work_free(w);
    diag_free(&d);
}

static void test_harmonic_refuses_zero(void **state)
{
    (void)state;
    make_flat();
    set_methods(AGG_HARMONIC, 1, 0);
    double x[12];
    memcpy(x, data3, sizeof x);
    x[5] = 0; /* X of U2 */
    struct aggregate_work *w = aggregate_work_alloc(&fw, 3, 1);
    struct diag d;
    diag_init(&d);
    assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 3, 1, NULL, NULL, w, NULL,
                                    &d), -1);
    assert_non_null(strstr(d.v[0].msg, "harmonic mean of 'R'"));
    assert_non_null(strstr(d.v[0].msg, "#3")); /* unlabelled unit 3 */
    aggregate_work_free(w);
    diag_free(&d);
}

/* The means of planes longer than a vector block (3 units x 7 years = 21
 * cells: two blocks of 8 and a tail of 5), with missing values and a
 * coverage rule, equal bit for bit to a child-by-child pass over whole
 * planes (the definition: each cell adds w, then w f(x), child by child
 * from 0.0); and the first domain error named child by child. */
static void naive_mean(const double *x, int harm, double min_cov, double *out, size_t cells)
{
    const double w[3] = {1, 2, 1};
    double sw[21] = {0}, acc[21] = {0}, wtot = 0;
    unsigned np[21] = {0};
    for (int j = 0; j < 3; j++) {
        wtot += w[j];
        for (size_t k = 0; k < cells; k++) {
            double v = x[(size_t)j * cells + k];
            if (isnan(v)) continue;
            sw[k] += w[j];
            acc[k] += harm ? w[j] / v : w[j] * v;
            np[k]++;
        }
    }
    for (size_t k = 0; k < cells; k++) {
        int cov = np[k] && sw[k] > 0 && !(min_cov > 0 && sw[k] < min_cov * wtot * (1.0 - 1e-12));
        out[k] = !cov ? NAN : harm ? sw[k] / acc[k] : acc[k] / sw[k];
    }
}

static void test_means_wide_plane(void **state)
{
    (void)state;
    enum { CELLS = 21 };
    make_flat();
    double x0[4 * CELLS], x[4 * CELLS], want[CELLS];
    for (int k = 0; k < 3 * CELLS; k++)
        x0[k] = k % 7 == 3 ? N : 0.37 + (double)((k * 37) % 23) / 3.0;
    struct aggregate_work *w = aggregate_work_alloc(&fw, 3, 7);
    assert_non_null(w);
    struct diag d;
    diag_init(&d);
    for (int harm = 0; harm <= 1; harm++)
        for (int cov = 0; cov <= 1; cov++) {
            set_methods(harm ? AGG_HARMONIC : AGG_ARITHMETIC, 1, cov ? 0.6 : 0);
            memcpy(x, x0, sizeof x);
            size_t low = 0;
            assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 3, 7, NULL, NULL, w, &low, &d),
                             0);
            naive_mean(x0, harm, cov ? 0.6 : 0, want, CELLS);
            assert_memory_equal(x + 3 * CELLS, want, sizeof want);
        }
    /* zeros in Z at cell 2 and in X at cell 10: X comes first (cell 10 is
       unit 2 of year 4) */
    set_methods(AGG_HARMONIC, 1, 0);
    memcpy(x, x0, sizeof x);
    x[2 * CELLS + 2] = 0;
    x[10] = 0;
    assert_int_equal(aggregate_tree(&fw, lm, NULL, x, 3, 7, NULL, NULL, w, NULL, &d), -1);
    assert_non_null(strstr(d.v[0].msg, "'X'"));
    assert_non_null(strstr(d.v[0].msg, "#2"));
    assert_non_null(strstr(d.v[0].msg, "year #4"));
    aggregate_work_free(w);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_geometric_harmonic_genmean),
        cmocka_unit_test(test_median),
        cmocka_unit_test(test_copeland),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_weight_override),
        cmocka_unit_test(test_two_levels),
        cmocka_unit_test(test_harmonic_refuses_zero),
        cmocka_unit_test(test_means_wide_plane),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
