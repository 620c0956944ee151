/* test_normalise.c: unit tests of engine/stages/normalise.c (direction, every
 * normaliser, scopes, constant slices, fallbacks, fixed-bounds apply, the
 * statistics of many slices at once against their definition).
 *
 * Frameworks are built by hand (plain structs, indicators only). Every
 * expected number is worked by hand in the comment beside it.
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

#include "normalise.h"
#include "testkit_engine.h"

#define N NAN

static struct fw_node nodes[4];
static struct framework fw;

static void make_fw(int nind)
{
    memset(nodes, 0, sizeof nodes);
    static const char *codes[] = {"A", "B", "C", "D"};
    for (int i = 0; i < nind; i++)
        tk_node(&nodes[i], codes[i], 1);
    tk_fw(&fw, nodes, nind, nind, 1);
}

static struct method defaults(enum norm_method nm, enum norm_scope scope)
{
    return tk_method(nm, scope, AGG_ARITHMETIC);
}

/* Normalise x (nind planes, nyear x nunit) with method m; returns the
 * params (caller frees) and writes y. */
static struct normalise_params *run(const struct method *m, double *x,
                                    double *y, size_t nunit, size_t nyear)
{
    struct normalise_params *p = normalise_params_alloc((size_t)fw.nind, nyear);
    struct normalise_work *w = normalise_work_alloc(nunit, nyear);
    struct diag d;
    diag_init(&d);
    assert_non_null(p);
    assert_non_null(w);
    normalise_direction(&fw, x, nunit, nyear);
    assert_int_equal(normalise_params_compute(p, m, &fw, x, nunit, &d), 0);
    normalise_apply(p, x, y, nunit, w);
    normalise_work_free(w);
    diag_free(&d);
    return p;
}

static void test_minmax(void **state)
{
    (void)state;
    make_fw(1);
    /* x = 2, 4, NaN, 6, 10: min 2, max 10, range 8.
     * [0,100]: (x-2)/8*100 = 0, 25, NaN, 50, 100 */
    double x[] = {2, 4, N, 6, 10}, y[5];
    struct method m = defaults(NORM_MINMAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 5, 1);
    tk_expect_vec(y, (double[]){0, 25, N, 50, 100}, 5);
    assert_int_equal(p->count[0], 4);
    assert_int_equal(normalise_params_constant_count(p), 0);
    normalise_params_free(p);

    /* [1,100]: 4 -> 2/8*99 + 1 = 25.75; 6 -> 4/8*99 + 1 = 50.5 */
    double x2[] = {2, 4, N, 6, 10};
    m.norm_low = 1;
    p = run(&m, x2, y, 5, 1);
    tk_expect_vec(y, (double[]){1, 25.75, N, 50.5, 100}, 5);
    normalise_params_free(p);
}

static void test_minmax_direction(void **state)
{
    (void)state;
    make_fw(1);
    nodes[0].direction = -1;
    /* lower is better: raw 2, 4, 10 -> -2, -4, -10; min -10, max -2:
     * (-2+10)/8*100 = 100 (the lowest raw value scores 100), (-4+10)/8 = 75,
     * (-10+10) = 0 */
    double x[] = {2, 4, 10}, y[3];
    struct method m = defaults(NORM_MINMAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 3, 1);
    tk_expect_vec(x, (double[]){-2, -4, -10}, 3); /* direction applied in place */
       tk_expect_vec(y, (double[]){100, 75, 0}, 3);
    normalise_params_free(p);
}

static void test_zscore(void **state)
{
    (void)state;
    make_fw(1);
    /* x = 2, 4, NaN, 6, 10: mean 22/4 = 5.5; deviations -3.5 -1.5 0.5 4.5;
     * squares 12.25 + 2.25 + 0.25 + 20.25 = 35; sample var 35/3, sd
     * 3.4156502553198660. z = dev/sd: -1.0246950765959598,
     * -0.43915503282684, 0.14638501094227998, 1.3174650984805198 */
    double x[] = {2, 4, N, 6, 10}, y[5];
    struct method m = defaults(NORM_ZSCORE, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 5, 1);
    tk_expect_vec(y, (double[]){-1.0246950765959598, -0.43915503282684, N,
                                0.14638501094227998, 1.3174650984805198}, 5);
    assert_true(fabs(p->sd[0] - 3.4156502553198660) < 1e-12);
    normalise_params_free(p);

    /* target mean 10, sd 2: 10 + 2*z -> 7.950609846808080, ... */
    double x2[] = {2, 4, N, 6, 10};
    m.z_mean = 10;
    m.z_sd = 2;
    p = run(&m, x2, y, 5, 1);
    tk_expect_vec(y, (double[]){7.950609846808080, 9.12168993434632, N,
                                10.29277002188456, 12.63493019696104}, 5);
    normalise_params_free(p);
}

static void test_goalposts(void **state)
{
    (void)state;
    make_fw(2);
    /* A: posts [0, 8], direction +1: x = -2, 4, 10, 6 ->
     *   (x-0)/8 = -0.25 -> 0, 0.5, 1.25 -> 1, 0.75; times 100.
     * B: same posts, direction -1 (lower is better, raw 0 best, 8 worst):
     *   raw 4 -> (8-4)/8 = 50; raw 6 -> 25; raw -2 -> 1.25 -> 100;
     *   raw 10 -> -0.25 -> 0. */
    nodes[0].lower = 0;
    nodes[0].upper = 8;
    nodes[1].lower = 0;
    nodes[1].upper = 8;
    nodes[1].direction = -1;
    double x[] = {-2, 4, 10, 6, -2, 4, 10, 6}, y[8];
    struct method m = defaults(NORM_GOALPOSTS, SCOPE_POOLED);
    struct normalise_params *p = run(&m, x, y, 4, 1);
    tk_expect_vec(y, (double[]){0, 50, 100, 75, 100, 50, 0, 25}, 8);
    assert_int_equal(p->fallback[0], NORM_FALLBACK_NONE);
    normalise_params_free(p);

    /* scale 1 instead of 100 */
    double x2[] = {-2, 4, 10, 6, -2, 4, 10, 6};
    m.gp_scale = 1;
    p = run(&m, x2, y, 4, 1);
    tk_expect_vec(y, (double[]){0, 0.5, 1, 0.75, 1, 0.5, 0, 0.25}, 8);
    normalise_params_free(p);
}

static void test_goalposts_fallback(void **state)
{
    (void)state;
    make_fw(1);
    /* no posts: min-max instead: x = 1, 3, 5 -> 0, 50, 100 */
    double x[] = {1, 3, 5}, y[3];
    struct method m = defaults(NORM_GOALPOSTS, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 3, 1);
    assert_int_equal(p->fallback[0], NORM_FALLBACK_NO_GOALPOSTS);
    assert_int_equal(p->method[0], NORM_MINMAX);
    tk_expect_vec(y, (double[]){0, 50, 100}, 3);
    normalise_params_free(p);
}

static void test_rank_prank(void **state)
{
    (void)state;
    make_fw(1);
    /* x = 3, 1, 3, NaN, 2: ascending, ties at the minimum:
     * 1 -> 1, 2 -> 2, the two 3s -> 3 and 3 (4 unused). */
    double x[] = {3, 1, 3, N, 2}, y[5];
    struct method m = defaults(NORM_RANK, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 5, 1);
    tk_expect_vec(y, (double[]){3, 1, 3, N, 2}, 5);
    normalise_params_free(p);

    /* prank: n = 4 present, (r-1)/3 = 2/3, 0, 2/3, NaN, 1/3 */
    double x2[] = {3, 1, 3, N, 2};
    m.normalise = NORM_PRANK;
    p = run(&m, x2, y, 5, 1);
    tk_expect_vec(y, (double[]){2.0 / 3, 0, 2.0 / 3, N, 1.0 / 3}, 5);
    normalise_params_free(p);
}

static void test_dist2target(void **state)
{
    (void)state;
    make_fw(2);
    /* A: x = 2, 4, 6, 10, target 8: (x-2)/(8-2) = 0, 1/3, 2/3, 4/3 -> cap 1.
     * B: lower is better, raw 2, 4, 6, 10, target 3: prepared -2 -4 -6 -10,
     *   min -10, target -3: (x+10)/7 = 8/7 -> 1, 6/7, 4/7, 0
     *   (COINr's form (max - x)/(max - target): (10-4)/(10-3) = 6/7). */
    nodes[0].target = 8;
    nodes[1].target = 3;
    nodes[1].direction = -1;
    double x[] = {2, 4, 6, 10, 2, 4, 6, 10}, y[8];
    struct method m = defaults(NORM_DIST2TARGET, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 4, 1);
    tk_expect_vec(y, (double[]){0, 1.0 / 3, 2.0 / 3, 1, 1, 6.0 / 7, 4.0 / 7, 0}, 8);
    normalise_params_free(p);

    /* uncapped: 10 -> 8/6 = 4/3; B raw 2 -> 8/7 */
    double x2[] = {2, 4, 6, 10, 2, 4, 6, 10};
    m.dist2target_cap = 0;
    p = run(&m, x2, y, 4, 1);
    tk_expect_vec(y, (double[]){0, 1.0 / 3, 2.0 / 3, 4.0 / 3, 8.0 / 7, 6.0 / 7,
                                4.0 / 7, 0}, 8);
    normalise_params_free(p);

    /* no target: falls back to min-max: A 0, 25, 50, 100 */
    double x3[] = {2, 4, 6, 10, 2, 4, 6, 10};
    nodes[0].target = NAN;
    p = run(&m, x3, y, 4, 1);
    assert_int_equal(p->fallback[0], NORM_FALLBACK_NO_TARGET);
    assert_int_equal(p->fallback[1], NORM_FALLBACK_NONE);
    tk_expect_vec(y, (double[]){0, 25, 50, 100}, 4);
    normalise_params_free(p);
}

static void test_dist2max_fracmax(void **state)
{
    (void)state;
    make_fw(1);
    /* dist2max: x = 2, 4, 6, 10: 1 - (10-x)/8 = 0, 0.25, 0.5, 1 */
    double x[] = {2, 4, 6, 10}, y[4];
    struct method m = defaults(NORM_DIST2MAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 4, 1);
    tk_expect_vec(y, (double[]){0, 0.25, 0.5, 1}, 4);
    normalise_params_free(p);

    /* fracmax: x/10 = 0.2, 0.4, 0.6, 1 */
    double x2[] = {2, 4, 6, 10};
    m.normalise = NORM_FRACMAX;
    p = run(&m, x2, y, 4, 1);
    tk_expect_vec(y, (double[]){0.2, 0.4, 0.6, 1}, 4);
    normalise_params_free(p);

    /* fracmax with max <= 0 (x = -4, -2, 0 -> max 0): falls back to dist2max:
     * 1 - (0-x)/4 = 0, 0.5, 1 */
    double x3[] = {-4, -2, 0, N};
    p = run(&m, x3, y, 4, 1);
    assert_int_equal(p->fallback[0], NORM_FALLBACK_FRACMAX_NONPOSITIVE);
    tk_expect_vec(y, (double[]){0, 0.5, 1, N}, 4);
    normalise_params_free(p);
}

static void test_constant(void **state)
{
    (void)state;
    make_fw(2);
    /* A constant (5, 5, NaN, 5) -> midpoint 50; B not constant. */
    double x[] = {5, 5, N, 5, 1, 2, 3, N}, y[8];
    struct method m = defaults(NORM_MINMAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 4, 1);
    tk_expect_vec(y, (double[]){50, 50, N, 50, 0, 50, 100, N}, 8);
    assert_int_equal(p->constant[0], 1);
    assert_int_equal(p->constant[1], 0);
    assert_int_equal(normalise_params_constant_count(p), 1);
    normalise_params_free(p);

    /* zscore of a constant: the target mean, 3; B: mean 2, sd 1, so
     * 3 + (x-2) = 2, 3, 4 */
    double x2[] = {5, 5, N, 5, 1, 2, 3, N};
    m = defaults(NORM_ZSCORE, SCOPE_PER_YEAR);
    m.z_mean = 3;
    p = run(&m, x2, y, 4, 1);
    tk_expect_vec(y, (double[]){3, 3, N, 3, 2, 3, 4, N}, 8);
    normalise_params_free(p);

    /* rank of a constant with 3 present: (3+1)/2 = 2; prank 0.5 */
    double x3[] = {5, 5, N, 5, 1, 2, 3, N};
    m = defaults(NORM_RANK, SCOPE_PER_YEAR);
    p = run(&m, x3, y, 4, 1);
    tk_expect_vec(y, (double[]){2, 2, N, 2, 1, 2, 3, N}, 8);
    normalise_params_free(p);
}

static void test_scope(void **state)
{
    (void)state;
    make_fw(1);
    /* 2 years x 2 units: 2020 = 0, 10; 2021 = 5, 20.
     * per-year: 2020 0, 100; 2021 (5-5)/15 = 0, 100.
     * pooled: min 0, max 20: 0, 50, 25, 100. */
    double x[] = {0, 10, 5, 20}, y[4];
    struct method m = defaults(NORM_MINMAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 2, 2);
    tk_expect_vec(y, (double[]){0, 100, 0, 100}, 4);
    normalise_params_free(p);

    m.scope = SCOPE_POOLED;
    p = run(&m, x, y, 2, 2);
    tk_expect_vec(y, (double[]){0, 50, 25, 100}, 4);
    assert_true(p->min[0] == 0 && p->min[1] == 0 && p->max[1] == 20);
    normalise_params_free(p);

    /* pooled rank over both years: 0 -> 1, 10 -> 3, 5 -> 2, 20 -> 4 */
    m.normalise = NORM_RANK;
    p = run(&m, x, y, 2, 2);
    tk_expect_vec(y, (double[]){1, 3, 2, 4}, 4);
    normalise_params_free(p);
}

/* The statistics of one slice by their definition (two passes, R's sd),
 * for test_stats_many_slices. */
static void naive_stats(const double *x, size_t n, double *mn, double *mx, double *mean,
                        double *sd, size_t *count)
{
    double lo = INFINITY, hi = -INFINITY, s = 0, ss = 0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k])) continue;
        if (x[k] < lo) lo = x[k];
        if (x[k] > hi) hi = x[k];
        s += x[k];
        m++;
    }
    *count = m;
    double mu = m ? s / (double)m : NAN;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k])) ss += (x[k] - mu) * (x[k] - mu);
    *mn = m ? lo : NAN;
    *mx = m ? hi : NAN;
    *mean = mu;
    *sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
}

/* 13 indicators x 3 years x 5 units, pooled (13 slices of 15 values) and
 * per year (39 slices of 5): the slices are computed several at a time
 * (8 and 4 abreast, the rest alone), each equal bit for bit to its
 * definition, missing values, a zero of each sign (the first one met is
 * the minimum) and an all-missing slice included. */
static void test_stats_many_slices(void **state)
{
    (void)state;
    enum { NI = 13, NY = 3, NU = 5, CELLS = NI * NY * NU };
    static struct fw_node many[NI];
    static const char *codes[NI] = {"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L",
                                    "M"};
    memset(many, 0, sizeof many);
    for (int i = 0; i < NI; i++) tk_node(&many[i], codes[i], 1);
    tk_fw(&fw, many, NI, NI, 1);
    double x[CELLS];
    for (int k = 0; k < CELLS; k++)
        x[k] = k % 11 == 4 ? N : (double)((k * 53) % 29) / 7.0 - 1.5;
    for (int k = 0; k < 2 * NY * NU; k++) x[k] = fabs(x[k]) + 1.0; /* A and B >= 1 */
    x[3] = 0.0;            /* indicator A: +0 before -0, its minimum */
    x[4] = -0.0;
    x[NY * NU + 1] = -0.0; /* indicator B: -0 before +0 */
    x[NY * NU + 2] = 0.0;
    for (int k = 0; k < NU; k++) x[(2 * NY + 1) * NU + k] = N; /* C, year 1 */
    for (int scope = 0; scope <= 1; scope++) {
        struct method m = defaults(NORM_MINMAX, scope ? SCOPE_POOLED : SCOPE_PER_YEAR);
        struct normalise_params *p = normalise_params_alloc(NI, NY);
        struct diag d;
        diag_init(&d);
        assert_int_equal(normalise_params_compute(p, &m, &fw, x, NU, &d), 0);
        for (size_t i = 0; i < NI; i++)
            for (size_t t = 0; t < NY; t++) {
                size_t sl = i * NY + t, n = scope ? NY * NU : NU;
                const double *xs = x + (scope ? i * NY : sl) * NU;
                double mn, mx, mean, sd;
                size_t count;
                naive_stats(xs, n, &mn, &mx, &mean, &sd, &count);
                assert_int_equal(p->count[sl], count);
                assert_memory_equal(&p->min[sl], &mn, sizeof mn);
                assert_memory_equal(&p->max[sl], &mx, sizeof mx);
                assert_memory_equal(&p->mean[sl], &mean, sizeof mean);
                assert_memory_equal(&p->sd[sl], &sd, sizeof sd);
            }
        assert_true(p->min[0] == 0 && !signbit(p->min[0]));   /* A, year 0: +0 */
        assert_true(p->min[NY] == 0 && signbit(p->min[NY]));  /* B, year 0: -0 */
        diag_free(&d);
        normalise_params_free(p);
    }
}

static void test_fixed_bounds_apply(void **state)
{
    (void)state;
    make_fw(1);
    /* x = 0, 10 -> min 0, max 10. Other values -5, 20 applied with these
     * parameters: (-5-0)/10*100 = -50, 200 (apply uses the bounds it is
     * given). In place (x == y). */
    double x[] = {0, 10}, y[2];
    struct method m = defaults(NORM_MINMAX, SCOPE_PER_YEAR);
    struct normalise_params *p = run(&m, x, y, 2, 1);
    struct normalise_work *w = normalise_work_alloc(2, 1);
    double pert[] = {-5, 20};
    normalise_apply(p, pert, pert, 2, w);
    tk_expect_vec(pert, (double[]){-50, 200}, 2);
    normalise_work_free(w);
    normalise_params_free(p);
}

static void test_unsupported(void **state)
{
    (void)state;
    make_fw(1);
    double x[] = {1, 2};
    /* borda, scaled and dist2ref are implemented now: an out-of-range
       method value is what must be refused */
    struct method m = defaults((enum norm_method)999, SCOPE_PER_YEAR);
    struct normalise_params *p = normalise_params_alloc(1, 1);
    struct diag d;
    diag_init(&d);
    assert_int_equal(normalise_params_compute(p, &m, &fw, x, 2, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    diag_free(&d);
    normalise_params_free(p);
    normalise_params_free(NULL);
    normalise_work_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minmax),
        cmocka_unit_test(test_minmax_direction),
        cmocka_unit_test(test_zscore),
        cmocka_unit_test(test_goalposts),
        cmocka_unit_test(test_goalposts_fallback),
        cmocka_unit_test(test_rank_prank),
        cmocka_unit_test(test_dist2target),
        cmocka_unit_test(test_dist2max_fracmax),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_fixed_bounds_apply),
        cmocka_unit_test(test_stats_many_slices),
        cmocka_unit_test(test_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
