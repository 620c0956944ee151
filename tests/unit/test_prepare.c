/* test_prepare.c: denominate, screen, impute and treat on small cubes.
 * Expected values come from base R (tests/conformance/pipelines/
 * unit_values.R, which reuses the COINr re-implementation in pipelines.R)
 * or by hand where stated. Doubles compare at relative 1e-12.
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

#include "cube.h"
#include "prepare.h"

#define TOL 1e-12
static void near(double got, double want)
{
    if (isnan(want)) {
        assert_true(isnan(got));
        return;
    }
    if (fabs(got - want) > TOL * fmax(1.0, fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* One indicator, one year, n units with values v. */
static struct cube *cube1(const double *v, size_t n)
{
    struct cube *c = cube_new(n, 1, 1, 0, 0);
    assert_non_null(c);
    c->year[0] = 2020;
    for (size_t u = 0; u < n; u++) {
        char code[32];
        snprintf(code, sizeof code, "U%02zu", u);
        free(c->unit[u]);
        c->unit[u] = strdup(code);
        c->value[u] = v[u];
    }
    return c;
}

static void test_skew_kurt(void **s)
{
    (void)s;
    double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100};
    near(prepare_skew(x, 12), 3.0632410342394985);
    near(prepare_kurt(x, 12), 9.7413908345691436);
    double y[] = {1, NAN, 2};
    assert_true(isnan(prepare_kurt(y, 3)));   /* fewer than 4 */
    double k[] = {5, 5, 5, 5, 5};
    assert_true(isnan(prepare_skew(k, 5)));   /* no spread */
}

static void test_winsorise(void **s)
{
    (void)s;
    double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100};
    struct cube *c = cube1(x, 12);
    struct prepare_report *rep = prepare_report_new(c);
    struct prepare_treat_opts o = {TREAT_WINSORISE, 5, 2, 3.5, 1, 0};
    assert_int_equal(prepare_treat(c, c->value, c->flag, &o, rep, NULL), 0);
    /* R: winsorise(x) -> 100 becomes 30, one point, then passes */
    for (int u = 0; u < 11; u++) near(c->value[u], x[u]);
    near(c->value[11], 30);
    assert_int_equal(c->flag[11], CUBE_TREATED_HIGH);
    assert_int_equal(c->flag[10], 0);
    assert_int_equal(rep->treat[0].how, PREP_TREAT_WINSORISED);
    assert_int_equal(rep->treat[0].nwin, 1);
    assert_false(rep->treat[0].pass0);
    assert_true(rep->treat[0].pass1);
    assert_int_equal(rep->treated_points, 1);
    prepare_report_free(rep);
    cube_free(c);
}

static void test_log_ct_fallback(void **s)
{
    (void)s;
    double z[48];
    for (int k = 0; k < 40; k++) z[k] = k + 1;
    double big[] = {1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3};
    memcpy(z + 40, big, sizeof big);
    struct cube *c = cube1(z, 48);
    struct prepare_report *rep = prepare_report_new(c);
    /* R: winsorise(z, winmax = 2) still fails, so log_CT of the original */
    struct prepare_treat_opts o = {TREAT_WINSORISE, 2, 2, 3.5, 1, 0};
    assert_int_equal(prepare_treat(c, c->value, c->flag, &o, rep, NULL), 0);
    assert_int_equal(rep->treat[0].how, PREP_TREAT_LOG_CT);
    assert_int_equal(rep->treat[0].nwin, 2);
    near(c->value[0], 7.1546075443831452);
    near(c->value[40], 7.7314876413466322);
    near(c->value[47], 11.769728061224404);
    near(rep->treat[0].skew1, 2.8421098285744804);
    near(rep->treat[0].kurt1, 7.4388048785797363);
    assert_false(rep->treat[0].pass1);
    for (int u = 0; u < 48; u++) assert_int_equal(c->flag[u], 0);
    assert_int_equal(rep->treated_slices, 1);
    prepare_report_free(rep);
    cube_free(c);
}

/* One unit, one indicator, five years 2010, 2012, 2015, 2016, 2019 with
 * values NA, 4, NA, 10, NA. */
static struct cube *series(void)
{
    struct cube *c = cube_new(1, 1, 5, 0, 0);
    int yr[] = {2010, 2012, 2015, 2016, 2019};
    double v[] = {NAN, 4, NAN, 10, NAN};
    for (int t = 0; t < 5; t++) {
        c->year[t] = yr[t];
        c->value[t] = v[t];
    }
    return c;
}

static void test_impute_time(void **s)
{
    (void)s;
    /* R approx(rule = 2): linear 4 4 8.5 10 10; constant 4 4 4 10 10;
       latest (by hand: carry forward only) NA 4 4 10 10 */
    const double lin[] = {4, 4, 8.5, 10, 10}, con[] = {4, 4, 4, 10, 10},
                 lat[] = {NAN, 4, 4, 10, 10};
    enum impute_method m[] = {IMPUTE_LINEAR, IMPUTE_CONSTANT, IMPUTE_LATEST};
    const double *want[] = {lin, con, lat};
    size_t nimp[] = {3, 3, 2};
    for (int k = 0; k < 3; k++) {
        struct cube *c = series();
        struct prepare_report *rep = prepare_report_new(c);
        assert_int_equal(prepare_impute(c, c->value, c->flag, m[k], NULL, rep, NULL), 0);
        for (int t = 0; t < 5; t++) near(c->value[t], want[k][t]);
        assert_int_equal(rep->imputed, nimp[k]);
        assert_int_equal(c->flag[1], 0);
        assert_int_equal(c->flag[2], CUBE_IMPUTED);
        assert_int_equal(rep->impute_left, 3 - nimp[k]);
        prepare_report_free(rep);
        cube_free(c);
    }
    /* a single known value fills the series (linear) */
    struct cube *c = series();
    c->value[3] = NAN;
    struct prepare_report *rep = prepare_report_new(c);
    assert_int_equal(prepare_impute(c, c->value, c->flag, IMPUTE_LINEAR, NULL, rep, NULL), 0);
    for (int t = 0; t < 5; t++) near(c->value[t], 4);
    prepare_report_free(rep);
    cube_free(c);
}

/* The value a time-series method gives year t of a series known where
 * v[t] is not NaN, by a plain scan (the definition); NaN when none. */
static double series_want(enum impute_method m, const double *v, int ny, int t)
{
    int prev = -1, next = -1;
    for (int j = 0; j < ny; j++)
        if (!isnan(v[j])) {
            if (j < t) prev = j;
            if (j > t && next < 0) next = j;
        }
    if (m == IMPUTE_LATEST) return prev >= 0 ? v[prev] : NAN;
    if (prev < 0) return next >= 0 ? v[next] : NAN;
    if (next < 0 || m == IMPUTE_CONSTANT) return v[prev];
    return v[prev] + (v[next] - v[prev]) * ((double)(t - prev) / (double)(next - prev));
}

/* Series of 12 years (held as bits of the known years) and of 70 (more
 * than the bits hold: scanned), 9 units (a vector of 8 and one more), with
 * gaps, a series with no value, a full one and a unit-year screened out:
 * every method against the scan, and the counts. */
static void test_impute_long_and_wide(void **s)
{
    (void)s;
    enum { NU = 9, NI = 2 };
    enum impute_method m[] = {IMPUTE_LINEAR, IMPUTE_CONSTANT, IMPUTE_LATEST};
    int years[] = {12, 70};
    for (int yk = 0; yk < 2; yk++)
        for (int mk = 0; mk < 3; mk++) {
            int ny = years[yk];
            struct cube *c = cube_new(NU, NI, (size_t)ny, 0, 0);
            for (int t = 0; t < ny; t++) c->year[t] = 2000 + t;
            for (int i = 0; i < NI; i++)
                for (int t = 0; t < ny; t++)
                    for (int u = 0; u < NU; u++) {
                        int hole = (t * 7 + u * 3 + i) % 5 == 0 && u != 8;
                        c->value[CUBE_AT(c, i, t, u)] =
                            hole || (i == 0 && u == 7) ? NAN : 3 + 0.5 * t * (u + 1) + i;
                    }
            struct prepare_report *rep = prepare_report_new(c);
            rep->dropped[4 * NU + 2] = 1;   /* unit 2 in year 4, screened out */
            for (int i = 0; i < NI; i++) c->value[CUBE_AT(c, i, 4, 2)] = NAN;
            double *before = malloc((size_t)(NI * ny * NU) * sizeof *before);
            memcpy(before, c->value, (size_t)(NI * ny * NU) * sizeof *before);
            assert_int_equal(prepare_impute(c, c->value, c->flag, m[mk], NULL, rep, NULL), 0);
            size_t filled = 0, left = 0;
            double v[70];
            for (int i = 0; i < NI; i++)
                for (int u = 0; u < NU; u++) {
                    for (int t = 0; t < ny; t++) v[t] = before[CUBE_AT(c, i, t, u)];
                    for (int t = 0; t < ny; t++) {
                        size_t k = CUBE_AT(c, i, t, u);
                        if (!isnan(v[t])) {
                            assert_true(c->value[k] == v[t]);
                            continue;
                        }
                        double want = t == 4 && u == 2 ? NAN : series_want(m[mk], v, ny, t);
                        near(c->value[k], want);
                        assert_int_equal(c->flag[k], isnan(want) ? 0 : CUBE_IMPUTED);
                        filled += !isnan(want);
                        left += isnan(want) && !(t == 4 && u == 2);
                    }
                }
            assert_int_equal(rep->imputed, filled);
            assert_int_equal(rep->impute_left, left);
            free(before);
            prepare_report_free(rep);
            cube_free(c);
        }
}

static void test_impute_group_and_screen(void **s)
{
    (void)s;
    /* 5 units x 2 indicators, attribute region = A A A B B */
    struct cube *c = cube_new(5, 2, 1, 1, 0);
    c->year[0] = 2020;
    free(c->attr_name[0]);
    c->attr_name[0] = strdup("region");
    const char *reg[] = {"A", "A", "A", "B", "B"};
    for (int u = 0; u < 5; u++) {
        free(c->unit[u]);
        char code[8];
        snprintf(code, sizeof code, "U%d", u);
        c->unit[u] = strdup(code);
        free(c->attr[u]);
        c->attr[u] = strdup(reg[u]);
    }
    double v0[] = {1, 2, NAN, 10, NAN};   /* indicator 0 */
    double v1[] = {4, NAN, 6, NAN, NAN};  /* indicator 1: U4 has nothing */
    memcpy(c->value, v0, sizeof v0);
    memcpy(c->value + 5, v1, sizeof v1);
    struct prepare_report *rep = prepare_report_new(c);
    struct diag d;
    diag_init(&d);
    /* U4 has 0 of 2 present: dropped at dat_thresh 0.5; U1 (1 of 2) kept */
    struct prepare_screen_opts so = {SCREEN_BYNA, 0.5, 0.05, NULL, NULL};
    assert_int_equal(prepare_screen(c, c->value, c->flag, &so, rep, &d), 0);
    assert_int_equal(rep->screened, 1);
    assert_true(rep->dropped[4]);
    near(rep->avail[1], 0.5);
    assert_true(c->flag[4] & CUBE_SCREENED);
    assert_int_equal(prepare_impute(c, c->value, c->flag, IMPUTE_GROUP_MEAN,
                                    "region", rep, &d), 0);
    near(c->value[2], 1.5);         /* mean of A: (1 + 2)/2 */
    assert_true(isnan(c->value[4])); /* screened: not imputed */
    near(c->value[5 + 1], 5);       /* A: (4 + 6)/2 */
    assert_true(isnan(c->value[5 + 3])); /* B has no value of indicator 1 */
    assert_int_equal(rep->imputed, 2);
    assert_int_equal(rep->impute_left, 1);
    /* unknown group attribute and unknown forced unit are errors */
    assert_int_equal(prepare_impute(c, c->value, c->flag, IMPUTE_GROUP_MEDIAN,
                                    "nope", rep, &d), -1);
    struct prepare_screen_opts bad = {SCREEN_BYNA, 0.5, 0.05, NULL, "ZZ"};
    assert_int_equal(prepare_screen(c, c->value, c->flag, &bad, rep, &d), -1);
    assert_true(d.total >= 2);
    /* force_include keeps a unit below the threshold */
    struct prepare_screen_opts fi = {SCREEN_BYNA, 1.0, 0.05, "U1, U4", NULL};
    assert_int_equal(prepare_screen(c, c->value, c->flag, &fi, rep, &d), 0);
    assert_false(rep->dropped[1]);
    assert_false(rep->dropped[4]);
    diag_free(&d);
    prepare_report_free(rep);
    cube_free(c);
}

static void test_denominate(void **s)
{
    (void)s;
    /* by hand: 10 / (4 / 1000) = 2500; missing denominator -> missing */
    struct framework fw;
    memset(&fw, 0, sizeof fw);
    struct fw_node nodes[2];
    memset(nodes, 0, sizeof nodes);
    nodes[0].code = "gdp";
    nodes[0].denominator = "pop";
    nodes[1].code = "plain";
    fw.node = nodes;
    fw.nind = 2;
    fw.nnode = 2;
    char *dn[] = {"pop"};
    fw.denom = dn;
    fw.ndenom = 1;
    struct cube *c = cube_new(2, 2, 1, 0, 1);
    c->year[0] = 2020;
    double v[] = {10, 20, 7, 8};
    memcpy(c->value, v, sizeof v);
    c->denom[0] = 4;
    c->denom[1] = NAN;
    struct prepare_report *rep = prepare_report_new(c);
    struct diag d;
    diag_init(&d);
    assert_int_equal(prepare_denominate(&fw, c, c->value, 1000, rep, &d), 0);
    near(c->value[0], 2500);
    assert_true(isnan(c->value[1]));
    near(c->value[2], 7);
    assert_int_equal(rep->denominated, 1);
    assert_int_equal(rep->denom_missing, 1);
    nodes[1].denominator = "area";   /* not declared */
    assert_int_equal(prepare_denominate(&fw, c, c->value, 1, rep, &d), -1);
    diag_free(&d);
    prepare_report_free(rep);
    cube_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skew_kurt),
        cmocka_unit_test(test_impute_long_and_wide),
        cmocka_unit_test(test_winsorise),
        cmocka_unit_test(test_log_ct_fallback),
        cmocka_unit_test(test_impute_time),
        cmocka_unit_test(test_impute_group_and_screen),
        cmocka_unit_test(test_denominate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
