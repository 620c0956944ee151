/* test_compare.c: unit tests of engine/stages/compare*.c (like-with-like
 * comparisons over time) and of the coverage rule of ranks
 * (pipeline_cover.c), on a framework R = mean(i1, i2, i3) with
 * normalise = none, so every expected number is worked by hand:
 *
 *   unit  2020 (i1, i2, i3)   2021 (i1, i2, i3)      R 2020   R 2021
 *   U     40, 60, -           50, 60, 100            50       70
 *   V     30, 40, 60          -(carried 30), 50, 70  43.33    50
 *   W     10, 10, 10          20, 90 (break), 20     10       43.33
 *   X     -                   80, -, -               -        80
 *
 * min_coverage 0.3 (one indicator of three is enough for R), ranks need
 * coverage 0.5, impute = latest. tests/e2e/comparisons.sh runs the same
 * cases end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "pipeline.h"
#include "testkit_engine.h"

#define N NAN

struct fixture {
    struct framework fw;
    struct fw_node node[4];
    int kids[3];
    struct config *cfg;
    struct cube *c;
};

static const double fx_value[4][2][3] = {   /* [unit][year][indicator] */
    {{40, 60, N}, {50, 60, 100}},
    {{30, 40, 60}, {N, 50, 70}},
    {{10, 10, 10}, {20, 90, 20}},
    {{N, N, N}, {80, N, N}},
};

static void fixture_init(struct fixture *f, enum agg_method root_agg)
{
    memset(f, 0, sizeof *f);
    static const char *codes[4] = {"i1", "i2", "i3", "R"};
    for (int n = 0; n < 4; n++) tk_node(&f->node[n], codes[n], n < 3 ? 1 : 2);
    for (int i = 0; i < 3; i++) {
        f->kids[i] = i;
        f->node[i].parent = 3;
    }
    f->node[3].nchild = 3;
    f->node[3].child = f->kids;
    f->node[0].target = 100;
    tk_fw(&f->fw, f->node, 4, 3, 2);
    f->cfg = tk_config_new(tk_method(NORM_NONE, SCOPE_POOLED, AGG_ARITHMETIC));
    f->cfg->level[2].aggregate = root_agg;
    f->cfg->level[2].min_coverage = 0.3;
    f->cfg->level[2].rank_min_coverage = 0.5;
    f->cfg->impute = IMPUTE_LATEST;
    f->cfg->base_year = 2020;
    f->cfg->target_year = 2030;
    f->cfg->year = 2021;
    for (int s = 0; s < PREP_NSTAGE; s++) f->cfg->order[s] = s;
    f->c = cube_new(4, 3, 2, 0, 0);
    assert_non_null(f->c);
    static const char *units[4] = {"U", "V", "W", "X"};
    for (size_t u = 0; u < 4; u++) {
        free(f->c->unit[u]);
        f->c->unit[u] = strdup(units[u]);
    }
    f->c->year[0] = 2020;
    f->c->year[1] = 2021;
    for (size_t u = 0; u < 4; u++)
        for (size_t t = 0; t < 2; t++)
            for (size_t i = 0; i < 3; i++)
                f->c->value[CUBE_AT(f->c, i, t, u)] = fx_value[u][t][i];
    f->c->flag[CUBE_AT(f->c, 1, 1, 2)] = CUBE_FLAGGED | CUBE_BREAK;   /* W i2 2021 */
}

static void fixture_free(struct fixture *f)
{
    cube_free(f->c);
    free(f->cfg);
}

static struct results *run(struct fixture *f)
{
    struct diag d;
    diag_init(&d);
    struct results *r = tk_pipeline_ok(f->cfg, &f->fw, f->c, &d);
    diag_free(&d);
    assert_non_null(r->compare);
    return r;
}

#define CELL(node, u) ((size_t)(node) * 4 + (size_t)(u))

/* One replication of the nominal values (nothing perturbed): its row
 * (pipeline_row_cells, caller frees) and ranks into rk (may be NULL). */
static double *replicate_nominal(const struct results *r, const struct fixture *f,
                                 uint16_t *rk)
{
    struct pipeline_work *pw = pipeline_work_new(r->pipeline);
    double *x = malloc(24 * sizeof *x), *s = malloc(pipeline_row_cells(r->pipeline) * sizeof *s);
    assert_non_null(pw);
    assert_non_null(x);
    assert_non_null(s);
    memcpy(x, f->c->value, 24 * sizeof *x);
    struct diag d;
    diag_init(&d);
    assert_int_equal(pipeline_replicate(r->pipeline, pw, x, s, rk, &d), 0);
    diag_free(&d);
    free(x);
    pipeline_work_free(pw);
    return s;
}

static void test_changes_like_with_like(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f, AGG_ARITHMETIC);
    struct results *r = run(&f);
    const struct compare *cm = r->compare;
    const struct compare_change *b = &cm->ch[COMPARE_BASE];
    /* U: i3 enters in 2021; compared over i1, i2: 50 -> 55 */
    assert_int_equal(b->how[CELL(3, 0)], COMPARE_COMMON);
    assert_int_equal(b->t0[CELL(3, 0)], 0);
    assert_int_equal(b->t1[CELL(3, 0)], 1);
    tk_near(b->x0[CELL(3, 0)], 50, 1e-12);
    tk_near(b->x1[CELL(3, 0)], 55, 1e-12);
    assert_int_equal(b->nind[CELL(3, 0)], 2);
    assert_true(b->at0[CELL(3, 0)] >= (long)cm->nres);
    /* V: i1 of 2021 carried, no observation: over i2, i3: 50 -> 60 */
    assert_int_equal(b->how[CELL(3, 1)], COMPARE_COMMON);
    tk_near(b->x1[CELL(3, 1)] - b->x0[CELL(3, 1)], 10, 1e-12);
    /* W: i2 breaks in 2021: over i1, i3: 10 -> 20 */
    tk_near(b->x1[CELL(3, 2)] - b->x0[CELL(3, 2)], 10, 1e-12);
    assert_int_equal(b->broke[CELL(3, 2)], 1);
    /* X: one year, no change */
    assert_int_equal(b->how[CELL(3, 3)], COMPARE_NONE);
    assert_int_equal(b->reason[CELL(3, 3)], COMPARE_FEW_POINTS);
    /* indicators: V's i1 and W's i2 have one observed point */
    assert_int_equal(b->how[CELL(0, 1)], COMPARE_NONE);
    assert_int_equal(b->how[CELL(1, 2)], COMPARE_NONE);
    assert_true(isnan(cm->series[RES_AT(r, 1, 0, 2)]));   /* W i2 2020: cut */
    tk_near(cm->series[RES_AT(r, 1, 1, 2)], 90, 0);
    /* U's i1 is observed in both years: a constant change of 10 */
    assert_int_equal(b->how[CELL(0, 0)], COMPARE_CONSTANT);
    tk_near(b->x1[CELL(0, 0)] - b->x0[CELL(0, 0)], 10, 0);
    /* the previous year is the base year here: the same changes */
    tk_near(cm->ch[COMPARE_PREV].x0[CELL(3, 0)], 50, 1e-12);
    /* one composition change: U's i3 enters R in 2021 */
    assert_int_equal(cm->nevent, 1);
    assert_int_equal(cm->event[0].unit, 0);
    assert_int_equal(cm->event[0].node, 3);
    assert_int_equal(cm->event[0].year, 1);
    assert_int_equal(cm->event[0].from, 0);
    assert_int_equal(cm->event[0].ind, 2);
    assert_int_equal(cm->event[0].in, 1);
    assert_int_equal(cm->n.breaks, 1);
    assert_int_equal(cm->n.series_split, 1);
    /* targets: U over i1 (40 -> 50, target 100); W over i1 (10 -> 20); V
     * has no observed i1 in 2021: none */
    tk_near(cm->tx0[CELL(3, 0)], 40, 1e-12);
    tk_near(cm->tx1[CELL(3, 0)], 50, 1e-12);
    tk_near(cm->ttarget[CELL(3, 0)], 100, 1e-12);
    tk_near(cm->tx1[CELL(3, 2)], 20, 1e-12);
    assert_true(isnan(cm->ttarget[CELL(3, 1)]));
    results_free(r);
    fixture_free(&f);
}

/* A replication on the nominal values recomputes exactly the nominal
 * values, through pipeline_replicate as through compare_replicate. */
static void test_replicate_reproduces(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f, AGG_ARITHMETIC);
    struct results *r = run(&f);
    const struct compare *cm = r->compare;
    assert_true(cm->nextra > 0);
    double *extra = calloc(cm->nextra, sizeof *extra);
    struct compare_work *cw = compare_work_new(cm, &f.fw);
    assert_non_null(extra);
    assert_non_null(cw);
    const struct method *lm = f.cfg->level;
    compare_replicate(cm, &f.fw, lm, NULL, r->score, extra, cw);
    for (size_t j = 0; j < cm->nextra; j++) assert_true(extra[j] == cm->extra[j]);

    assert_int_equal(pipeline_row_cells(r->pipeline), cm->nres + cm->nextra);
    double *s = replicate_nominal(r, &f, NULL);
    for (size_t k = 0; k < cm->nres; k++)
        assert_true(isnan(r->score[k]) ? isnan(s[k]) : s[k] == r->score[k]);
    for (size_t j = 0; j < cm->nextra; j++) assert_true(s[cm->nres + j] == cm->extra[j]);
    free(s);
    compare_work_free(cw);
    free(extra);
    results_free(r);
    fixture_free(&f);
}

static void test_across_breaks(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f, AGG_ARITHMETIC);
    f.cfg->across_breaks = 1;
    struct results *r = run(&f);
    const struct compare_change *b = &r->compare->ch[COMPARE_BASE];
    /* W compares the published scores: 10 -> 130/3; i2 has its change */
    assert_int_equal(b->how[CELL(3, 2)], COMPARE_CONSTANT);
    tk_near(b->x1[CELL(3, 2)] - b->x0[CELL(3, 2)], 130.0 / 3 - 10, 1e-12);
    tk_near(b->x1[CELL(1, 2)] - b->x0[CELL(1, 2)], 80, 0);
    assert_int_equal(r->compare->n.series_split, 0);
    results_free(r);
    fixture_free(&f);
}

/* Copeland scores are compared only on a constant composition. */
static void test_copeland(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f, AGG_COPELAND);
    struct results *r = run(&f);
    const struct compare_change *b = &r->compare->ch[COMPARE_BASE];
    assert_int_equal(b->how[CELL(3, 0)], COMPARE_NONE);
    assert_int_equal(b->reason[CELL(3, 0)], COMPARE_COPELAND);
    results_free(r);
    fixture_free(&f);
}

/* Coverage: U, V, W cover R fully in 2021, X 1/3; X (80) is not ranked,
 * so U 70 ranks 1, V 50 2, W 43.33 3. */
static void test_coverage_ranks(void **state)
{
    (void)state;
    struct fixture f;
    fixture_init(&f, AGG_ARITHMETIC);
    struct results *r = run(&f);
    tk_near(r->coverage[RES_AT(r, 3, 1, 3)], 1.0 / 3, 1e-15);
    tk_near(r->coverage[RES_AT(r, 3, 1, 0)], 1, 0);
    tk_near(r->coverage[RES_AT(r, 3, 0, 0)], 2.0 / 3, 1e-15);
    assert_true(isnan(r->coverage[RES_AT(r, 3, 0, 3)]));   /* no score */
    assert_true(isnan(r->rank[RES_AT(r, 3, 1, 3)]));
    tk_near(r->rank[RES_AT(r, 3, 1, 0)], 1, 0);
    tk_near(r->rank[RES_AT(r, 3, 1, 1)], 2, 0);
    tk_near(r->rank[RES_AT(r, 3, 1, 2)], 3, 0);
    tk_near(r->rank_threshold[3], 0.5, 0);
    assert_int_equal(r->unranked, 1);
    /* replications rank the same units */
    uint16_t rk[4 * 2 * 4];
    free(replicate_nominal(r, &f, rk));
    assert_int_equal(rk[RES_AT(r, 3, 1, 3)], 0);
    assert_int_equal(rk[RES_AT(r, 3, 1, 0)], 1);
    results_free(r);
    fixture_free(&f);
}

static void test_flag_is_break(void **state)
{
    (void)state;
    static const struct {
        const char *flag;
        int brk;
    } cases[] = {{"b", 1},   {"B", 1},      {"bep", 1}, {"ep", 0},   {"e", 0},
                 {"B, E", 1}, {"E;B", 1},   {"p", 0},   {"", 0},     {"break", 0},
                 {"estimated", 0}, {"12b", 0}, {"b e", 1}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        if (cube_flag_is_break(cases[k].flag) != cases[k].brk)
            fail_msg("'%s': expected %d", cases[k].flag, cases[k].brk);
    assert_int_equal(cube_flag_is_break(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_like_with_like),
        cmocka_unit_test(test_replicate_reproduces),
        cmocka_unit_test(test_across_breaks),
        cmocka_unit_test(test_copeland),
        cmocka_unit_test(test_coverage_ranks),
        cmocka_unit_test(test_flag_is_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
