/* test_pipeline.c: unit tests of engine/stages/pipeline.c: pipeline_run on a small
 * hand-built framework, cube and config (direction, per-year min-max, a
 * constant indicator, weighted aggregation, ranks, effective weights, notes),
 * its refusal of a geometric mean over zeros, target scores, and the notes
 * helpers.
 *
 * Every expected number is worked by hand in the comment beside it.
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

#include "pipeline.h"
#include "testkit_engine.h"

#define N NAN

static struct fw_node nodes[3];
static int root_kids[2] = {0, 1};
static struct framework fw;

/* A (w 1, higher is better) and B (w 3, lower is better) under root IDX. */
static void make_fw(void)
{
    const char *codes[] = {"A", "B", "IDX"};
    for (int i = 0; i < 3; i++) {
        tk_node(&nodes[i], codes[i], i < 2 ? 1 : 2);
        nodes[i].parent = i < 2 ? 2 : -1;
    }
    nodes[1].weight = 3;
    nodes[1].direction = -1;
    nodes[2].nchild = 2;
    nodes[2].child = root_kids;
    tk_fw(&fw, nodes, 3, 2, 2);
}

static struct config *make_config(enum norm_scope scope, enum agg_method a)
{
    /* min-max [0, 100], min_coverage 0, no imputation or treatment */
    return tk_config_new(tk_method(NORM_MINMAX, scope, a));
}

/* Units U1..U3, years 2020 and 2021.
 *        A 2020   B 2020   A 2021   B 2021
 *   U1     1        30       5        10
 *   U2     2        20       5       NaN
 *   U3     3        10       5        40  */
static struct cube *make_cube(void)
{
    struct cube *c = cube_new(3, 2, 2, 0, 0);
    assert_non_null(c);
    const char *u[] = {"U1", "U2", "U3"};
    for (int k = 0; k < 3; k++) {
        free(c->unit[k]);
        c->unit[k] = strdup(u[k]);
    }
    c->year[0] = 2020;
    c->year[1] = 2021;
    double v[] = {1, 2, 3, 5, 5, 5,        /* A: 2020, 2021 */
                  30, 20, 10, 10, N, 40};  /* B: 2020, 2021 */
    memcpy(c->value, v, sizeof v);
    c->flag[CUBE_AT(c, 1, 0, 2)] = CUBE_FLAGGED;
    return c;
}

static int notes_have(const struct notes *nt, const char *text)
{
    for (size_t i = 0; i < nt->n; i++)
        if (strstr(nt->line[i], text)) return 1;
    return 0;
}

static void test_run(void **state)
{
    (void)state;
    make_fw();
    struct config *cfg = make_config(SCOPE_PER_YEAR, AGG_ARITHMETIC);
    struct cube *c = make_cube();
    double before[12];
    memcpy(before, c->value, sizeof before);
    struct results *r = NULL;
    struct diag d;
    diag_init(&d);
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), 0);
    assert_non_null(r);
    assert_int_equal(r->nnode, 3);
    assert_int_equal(r->nyear, 2);
    assert_int_equal(r->nunit, 3);
    /* the cube is untouched */
    tk_expect_vec(c->value, before, 12);

    /* prepared (B negated: 1, 2, 3, 5, 5, 5, -30, -20, -10, -10, N, -40):
     * 6 values in 2020, 5 in 2021 */
    assert_int_equal(r->present[0], 6);
    assert_int_equal(r->present[1], 5);
    assert_int_equal(r->flag[CUBE_AT(c, 1, 0, 2)], CUBE_FLAGGED);

    /* scores:
     * A 2020 min-max 1..3: 0, 50, 100; A 2021 constant -> 50 each
     * B 2020 -30..-10: 0, 50, 100; B 2021 -40..-10: U1 100, U2 NaN, U3 0
     * IDX = (A + 3 B)/4: 2020 0, 50, 100;
     *   2021 U1 (50 + 300)/4 = 87.5, U2 only A: 50, U3 (50 + 0)/4 = 12.5 */
    tk_expect_vec(r->score, (double[]){0, 50, 100, 50, 50, 50,
                                       0, 50, 100, 100, N, 0,
                                       0, 50, 100, 87.5, 50, 12.5}, 18);
    /* ranks (1 = highest): A 2021 all tie at 1; B 2021 U1 1, U3 2 */
    tk_expect_vec(r->rank, (double[]){3, 2, 1, 1, 1, 1,
                                      3, 2, 1, 1, N, 2,
                                      3, 2, 1, 1, 2, 3}, 18);
    /* effective weights: A 1/4, B 3/4, root 1 */
    tk_expect_vec(r->eff_weight, (double[]){0.25, 0.75, 1}, 3);
    assert_int_equal(r->constant_indicators, 1);
    assert_null(r->ci_low);
    assert_null(r->ci_high);
    assert_null(r->rank_low);
    assert_null(r->rank_high);

    assert_true(notes_have(&r->notes, "Normalisation: min-max to [0, 100], within each year."));
    assert_true(notes_have(&r->notes, "Indicator A is constant in 2021"));
    /* the coherence flags and their thresholds are stated once */
    assert_true(notes_have(&r->notes, "flagged collinear (r > 0.9) or negative (r < -0.4)"));
    assert_true(notes_have(&r->notes, "Outliers (|skew| > 2 and kurtosis > 3.5)"));
    assert_true(notes_have(&r->notes, "where lower is better (B)"));
    assert_true(notes_have(&r->notes, "weighted arithmetic mean"));
    assert_true(notes_have(&r->notes, "at least one child present"));
    assert_true(notes_have(&r->notes, "Ranks:"));
    results_free(r);

    /* pooled: A over both years 1..5: 0, 25, 50, 100, 100, 100;
     * B over -40..-10: (x+40)/30*100: -30 -> 100/3, -20 -> 200/3, -10 -> 100,
     *   -10 -> 100, NaN, -40 -> 0 */
    struct config *cfg2 = make_config(SCOPE_POOLED, AGG_ARITHMETIC);
    assert_int_equal(pipeline_run(cfg2, &fw, c, &r, &d), 0);
    tk_expect_vec(r->score, (double[]){0, 25, 50, 100, 100, 100,
                                       100.0 / 3, 200.0 / 3, 100, 100, N, 0}, 12);
    assert_int_equal(r->constant_indicators, 0);
    assert_true(notes_have(&r->notes, "pooled over 2020\u20132021"));
    results_free(r);

    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
    free(cfg);
    free(cfg2);
    cube_free(c);
}

static void test_geometric_zero(void **state)
{
    (void)state;
    make_fw();
    /* min-max to [0, 100] puts a 0 in every indicator: geometric refuses */
    struct config *cfg = make_config(SCOPE_PER_YEAR, AGG_GEOMETRIC);
    struct cube *c = make_cube();
    struct results *r = (struct results *)1;
    struct diag d;
    diag_init(&d);
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), -1);
    assert_null(r);
    assert_int_equal(d.worst, LCME_EINPUT);
    assert_non_null(strstr(d.v[0].msg, "geometric mean of 'IDX'"));
    assert_non_null(strstr(d.v[0].msg, "'U1'"));
    diag_free(&d);

    /* with the range [1, 100] it works: 2020 U1 A = 1, B = 1 -> 1 */
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) cfg->level[l].norm_low = 1;
    diag_init(&d);
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), 0);
    assert_true(fabs(r->score[RES_AT(r, 2, 0, 0)] - 1.0) < 1e-12);
    /* 2020 U2: A = B = 50.5 -> 50.5 */
    assert_true(fabs(r->score[RES_AT(r, 2, 0, 1)] - 50.5) < 1e-12);
    assert_true(notes_have(&r->notes, "weighted geometric mean"));
    results_free(r);
    diag_free(&d);
    free(cfg);
    cube_free(c);
}

static void test_mismatch(void **state)
{
    (void)state;
    make_fw();
    struct config *cfg = make_config(SCOPE_PER_YEAR, AGG_ARITHMETIC);
    struct cube *c = cube_new(3, 3, 1, 0, 0); /* 3 indicators, framework 2 */
    struct results *r = NULL;
    struct diag d;
    diag_init(&d);
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), -1);
    assert_null(r);
    assert_int_equal(diag_count(&d), 1);
    diag_free(&d);
    free(cfg);
    cube_free(c);
    results_free(NULL);
}

static void test_notes(void **state)
{
    (void)state;
    struct notes nt = {0};
    for (int i = 0; i < 40; i++) notes_add(&nt, "note %d of %s", i, "forty");
    assert_int_equal(nt.n, 40);
    assert_string_equal(nt.line[0], "note 0 of forty");
    assert_string_equal(nt.line[39], "note 39 of forty");
    notes_free(&nt);
    assert_int_equal(nt.n, 0);
    assert_null(nt.line);
    notes_free(&nt);   /* twice is harmless */
    notes_free(NULL);
}

/* Target scores: A's target 4 (higher is better), B's 15 (lower is better),
 * the cube of make_cube, per-year min-max [0, 100]:
 *   A 2020 over 1..3: (4 - 1)/(3 - 1) 100 = 150; A 2021 is constant: NaN
 *   B 2020 over -30..-10: (-15 + 30)/20 100 = 75;
 *   B 2021 over -40..-10: (-15 + 40)/30 100 = 250/3
 *   IDX 2020 (150 + 3 x 75)/4 = 93.75; IDX 2021 only B: 250/3
 * Without any target nothing is scored; rank normalisation gives none. */
static void test_target_scores(void **state)
{
    (void)state;
    make_fw();
    nodes[0].target = 4;
    nodes[1].target = 15;
    struct config *cfg = make_config(SCOPE_PER_YEAR, AGG_ARITHMETIC);
    struct cube *c = make_cube();
    struct results *r = NULL;
    struct diag d;
    diag_init(&d);
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), 0);
    assert_non_null(r->target_score);
    tk_expect_vec(r->target_score, (double[]){150, N, 75, 250.0 / 3, 93.75, 250.0 / 3}, 6);
    assert_int_equal(r->target_indicators, 2);
    assert_true(notes_have(&r->notes, "Target scores: the score of a unit with every "
                                      "indicator that has a target (2 of 2)"));
    results_free(r);

    /* only A has a target: IDX 2020 = A's 150, IDX 2021 none */
    nodes[1].target = NAN;
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), 0);
    tk_expect_vec(r->target_score, (double[]){150, N, N, N, 150, N}, 6);
    results_free(r);

    /* rank normalisation: no target score */
    nodes[1].target = 15;
    cfg->method.normalise = NORM_RANK;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) cfg->level[l].normalise = NORM_RANK;
    assert_int_equal(pipeline_run(cfg, &fw, c, &r, &d), 0);
    tk_expect_vec(r->target_score, (double[]){N, N, N, N, N, N}, 6);
    assert_int_equal(r->target_indicators, 0);
    assert_false(notes_have(&r->notes, "Target scores"));
    results_free(r);

    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
    free(cfg);
    cube_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_geometric_zero),
        cmocka_unit_test(test_mismatch),
        cmocka_unit_test(test_notes),
        cmocka_unit_test(test_target_scores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
