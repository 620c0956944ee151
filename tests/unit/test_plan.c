/* test_plan.c: engine/plans: the plan files (plan_load, plan_check_units,
 * the version) and the rule that judges an objective (objective_assess).
 *
 * Every expected number of the rule is worked by hand in the comment beside
 * it; the whole chain from data to objectives.csv is checked against R in
 * tests/e2e/plans.sh. Plans are read against tests/plans/framework.csv
 * (City > Access > rate, drop; City > Quality > libs; drop lower is better,
 * rate and drop declared in [0, 100]).
 */
#include "testkit.h"
#include "testkit_engine.h"

#include "objectives.h"
#include "plan.h"

static struct framework *fixture_fw(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/plans/framework.csv", LCME_SOURCE_DIR);
    return tk_framework_ok(path);
}

/* A config naming the n plan files in paths, evaluation year 2024. */
static struct config *plan_config(const char *const *paths, int n)
{
    struct config *c = tk_config_new(tk_method(NORM_MINMAX, SCOPE_POOLED, AGG_ARITHMETIC));
    c->year = 2024;
    c->base_year = 2016;
    c->nplan = n;
    for (int i = 0; i < n; i++) {
        c->plan[i] = strdup(paths[i]);
        c->plan_name[i] = strdup(paths[i]);
    }
    return c;
}

static void plan_config_free(struct config *c)
{
    for (int i = 0; i < c->nplan; i++) {
        free(c->plan[i]);
        free(c->plan_name[i]);
    }
    free(c);
}

/* Load one plan text; returns plan_load's result, the plan in *out. */
static int load_text(const char *text, struct framework *fw, struct plan **out,
                     struct diag *d, char *path, size_t len)
{
    snprintf(path, len, "%s", tk_write_tmp("plan", text));
    const char *paths[] = {path};
    struct config *c = plan_config(paths, 1);
    int rc = plan_load(out, c, fw, d);
    plan_config_free(c);
    return rc;
}

/* The first problem, as the command line prints it. */
static const char *first_problem(struct diag *d, char *buf, size_t len)
{
    diag_sort(d);
    return d->n ? diag_format(d, 0, buf, len) : "";
}

/* ---- the rule ------------------------------------------------------------ */

static const double T8[] = {2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024};

/* An objective 60 by 2026 from 40 in 2016, judged in 2024 on a series
 * rising 2 a year to latest (the last point set to latest). */
static struct objective_progress judge(double latest, double lo, double hi, int dir,
                                       double base, double target, int ty)
{
    double y[9];
    for (int i = 0; i < 9; i++)
        y[i] = base + (latest - base) * i / 8.0;
    struct objective_input in = {
        .target = target, .target_year = ty, .direction = dir, .baseline_year = 2016,
        .baseline = base, .latest_year = 2024, .latest = latest, .latest_low = lo,
        .latest_high = hi, .t = T8, .y = y, .n = 9,
    };
    struct objective_progress pr;
    objective_assess(&in, &pr);
    return pr;
}

static void test_assess_statuses(void **state)
{
    (void)state;
    /* planned(2024) = 40 + (60 - 40) * 8 / 10 = 56 */
    struct objective_progress pr = judge(61, 59, 63, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_ACHIEVED);      /* 61 >= 60 */
    tk_near(pr.planned, 56, 1e-15);
    tk_near(pr.gap, 5, 1e-15);                             /* 61 - 56 */
    assert_true(isnan(pr.required));                       /* nothing left to do */
    assert_true(isnan(pr.projected));
    tk_near(pr.observed, 21.0 / 8, 1e-14);                 /* straight line 40 -> 61 */

    pr = judge(57, 55, 59, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_ON_TRACK);      /* 57 >= 56 */
    tk_near(pr.required, 1.5, 1e-15);                      /* (60 - 57) / 2 */
    tk_near(pr.projected, 2024 + 3 / (17.0 / 8), 1e-14);  /* slope 17/8: 2025.41 */

    pr = judge(56, NAN, NAN, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_ON_TRACK);      /* exactly on the path */
    tk_near(pr.gap, 0, 1e-15);
    assert_false(signbit(pr.gap));

    pr = judge(55, 53, 57, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_BEHIND);        /* 56 in [53, 57] */
    tk_near(pr.gap, -1, 1e-15);
    tk_near(pr.required, 2.5, 1e-15);                      /* (60 - 55) / 2 */

    pr = judge(55, 53, 56, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_BEHIND);        /* 56 on the bound counts */

    pr = judge(55, 53, 55.9, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* 56 > 55.9 */

    pr = judge(55, NAN, NAN, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* a point: no interval */

    pr = judge(35, 33, 37, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_MOVING_AWAY);   /* 40 above 37 */
    tk_near(pr.required, 12.5, 1e-15);                     /* (60 - 35) / 2 */
    tk_near(pr.observed, -5.0 / 8, 1e-14);
    assert_true(isnan(pr.projected));                      /* moving away: never */

    pr = judge(39, 37, 41, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* worse, but 40 in [37, 41] */

    pr = judge(39, NAN, NAN, 1, 40, 60, 2026);
    assert_int_equal(pr.status, OBJECTIVE_MOVING_AWAY);   /* worse, and a point */
}

static void test_assess_lower_is_better(void **state)
{
    (void)state;
    /* 10 by 2026 from 20 in 2016: planned(2024) = 20 - 10 * 8 / 10 = 12 */
    struct objective_progress pr = judge(9.5, 9, 10, -1, 20, 10, 2026);
    assert_int_equal(pr.status, OBJECTIVE_ACHIEVED);
    tk_near(pr.gap, 2.5, 1e-15);                           /* -(9.5 - 12) */
    pr = judge(12.5, 11.5, 13.5, -1, 20, 10, 2026);
    assert_int_equal(pr.status, OBJECTIVE_BEHIND);
    tk_near(pr.gap, -0.5, 1e-15);
    tk_near(pr.required, -1.25, 1e-15);                    /* (10 - 12.5) / 2 */
    tk_near(pr.observed, -7.5 / 8, 1e-14);                 /* 20 -> 12.5 */
    tk_near(pr.projected, 2024 + 2.5 / (7.5 / 8), 1e-14); /* 2026.67 */
    pr = judge(14, 13, 15, -1, 20, 10, 2026);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* 12 below 13 */
    pr = judge(22, 21, 23, -1, 20, 10, 2026);
    assert_int_equal(pr.status, OBJECTIVE_MOVING_AWAY);   /* 20 below 21 */
    pr = judge(20.5, 19.5, 21.5, -1, 20, 10, 2026);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* 20 in [19.5, 21.5] */
}

static void test_assess_years(void **state)
{
    (void)state;
    /* target year passed: planned is the target, no required pace */
    struct objective_progress pr = judge(45, 44, 46, 1, 40, 50, 2022);
    assert_int_equal(pr.status, OBJECTIVE_OFF_TRACK);     /* 50 above 46 */
    tk_near(pr.planned, 50, 1e-15);
    assert_true(isnan(pr.required));
    tk_near(pr.projected, 2024 + 5 / (5.0 / 8), 1e-14);   /* 2032 */
    /* target year is the latest year: the same */
    pr = judge(45, 44, 46, 1, 40, 50, 2024);
    tk_near(pr.planned, 50, 1e-15);
    assert_true(isnan(pr.required));
    /* a target met exactly counts as met */
    pr = judge(50, 49, 51, 1, 40, 50, 2022);
    assert_int_equal(pr.status, OBJECTIVE_ACHIEVED);
    /* one point: no observed change, no projection; latest year == baseline
       year: planned is the baseline, so on track */
    double t = 2024, y = 30;
    struct objective_input in = {.target = 60, .target_year = 2030, .direction = 1,
                                 .baseline_year = 2024, .baseline = 30, .latest_year = 2024,
                                 .latest = 30, .latest_low = NAN, .latest_high = NAN,
                                 .t = &t, .y = &y, .n = 1};
    objective_assess(&in, &pr);
    assert_int_equal(pr.status, OBJECTIVE_ON_TRACK);
    assert_true(isnan(pr.observed));
    assert_true(isnan(pr.projected));
    tk_near(pr.required, 5, 1e-15);                        /* 30 / 6 */
    assert_string_equal(objective_status_name(OBJECTIVE_BEHIND), "behind");
    assert_string_equal(objective_status_name(OBJECTIVE_NONE), "");
    assert_string_equal(objective_status_name((enum objective_status)99), "");
}

/* ---- plan files ---------------------------------------------------------- */

static void test_plan_load(void **state)
{
    (void)state;
    struct framework *fw = fixture_fw();
    struct diag d;
    diag_init(&d);
    char path[128];
    struct plan *p = NULL;
    assert_int_equal(load_text("# a comment, before the header\n"
                               "Unit,NODE,target,target_year,baseline_year,label,owner,note\n"
                               "*,rate,60,2026,2016,long term,Education Bureau,\n"
                               "# a comment between rows\n"
                               "A,City,70.5,2030,,,,\"note, with a comma\"\n",
                               fw, &p, &d, path, sizeof path),
                     0);
    tk_print_diag(&d);
    assert_non_null(p);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->obj[0].unit, "*");
    assert_int_equal(p->obj[0].inode, framework_find(fw, "rate"));
    tk_near(p->obj[0].target, 60, 0);
    assert_int_equal(p->obj[0].year, 2026);
    assert_int_equal(p->obj[0].baseline_year, 2016);
    assert_string_equal(p->obj[0].owner, "Education Bureau");
    assert_int_equal(p->obj[0].line, 3);
    assert_int_equal(p->obj[1].baseline_year, 0);          /* not given */
    assert_string_equal(p->obj[1].label, "");
    assert_string_equal(p->obj[1].note, "note, with a comma");
    assert_int_equal(strlen(p->version), 16);
    assert_memory_equal(p->version, p->sha256, 16);
    char v1[17];
    memcpy(v1, p->version, sizeof v1);
    unlink(path);
    plan_free(p);

    /* the same objectives in another layout (columns, line ends, no
       comments): the same version; one target changed: another */
    static const char *const again[] = {
        "note,label,owner,unit,node,year,target,baseline_year\r\n"
        ",long term,Education Bureau,*,rate,2026,60,2016\r\n"
        "\"note, with a comma\",,,A,City,2030,70.5,\r\n",
        "unit,node,target,year,baseline_year,label,owner,note\n"
        "*,rate,61,2026,2016,long term,Education Bureau,\n"
        "A,City,70.5,2030,,,,\"note, with a comma\"\n",
    };
    for (int k = 0; k < 2; k++) {
        assert_int_equal(load_text(again[k], fw, &p, &d, path, sizeof path), 0);
        assert_int_equal(strcmp(p->version, v1) == 0, k == 0);
        unlink(path);
        plan_free(p);
    }

    /* no plan named: nothing, and no error */
    struct config *c = plan_config(NULL, 0);
    p = (struct plan *)1;
    assert_int_equal(plan_load(&p, c, fw, &d), 0);
    assert_null(p);
    plan_config_free(c);
    assert_int_equal(diag_count(&d), 0);
    plan_free(NULL);
    diag_free(&d);
    framework_free(fw);
}

/* Each bad plan and the first problem it gives (after FILE:). */
static void test_plan_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"unit,node,target\n*,rate,60\n", ":1:1: error: no 'year' column in the header"},
        {"unit,node,target,year,colour\n", ":1:5: error: unknown column 'colour'"},
        {"unit,node,target,year,node\n", ":1:5: error: duplicate column 'node' (also column 2)"},
        {"unit,node,target,year\n", ":1:1: error: the plan file holds no objective"},
        {"# only a comment\n", ":1:1: error: no header"},
        {"unit,node,target,year\n,rate,60,2026\n", ":2:1: error: empty unit code"},
        {"unit,node,target,year\n*,Rate,60,2026\n", ":2:2: error: 'Rate' is not a node"},
        {"unit,node,target,year\n*,rate,sixty,2026\n", ":2:3: error: 'sixty' is not a number"},
        {"unit,node,target,year\n*,rate,,2026\n", ":2:3: error: empty target"},
        {"unit,node,target,year\n*,rate,101,2026\n",
         ":2:3: error: target 101 is above the maximum 100 declared for 'rate'"},
        {"unit,node,target,year\n*,rate,60,26\n", ":2:4: error:"},
        {"unit,node,target,year\n*,rate,60,\n", ":2:4: error: empty target year"},
        {"unit,node,target,year,baseline_year\n*,rate,60,2026,2026\n",
         ":2:4: error: target year 2026 is not after the baseline year 2026"},
        {"unit,node,target,year,baseline_year\n*,rate,60,2030,2025\n",
         ":2:5: error: baseline year 2025 is after the evaluation year 2024"},
        {"unit,node,target,year\n*,rate,60,2026\nA,rate,70,2026\n*,rate,61,2026\n",
         ":4:1: error: duplicate objective for unit '*', node 'rate', target year 2026 "
         "(first given at "},
        {"unit,node,target,year\n*,rate,60,2026,x\n", ":2:5: error: row has 5 fields"},
    };
    struct framework *fw = fixture_fw();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        char path[128], buf[512];
        struct plan *p = (struct plan *)1;
        int rc = load_text(cases[i].text, fw, &p, &d, path, sizeof path);
        const char *got = first_problem(&d, buf, sizeof buf);
        if (rc != -1 || p != NULL || !strstr(got, cases[i].want) ||
            strncmp(got, path, strlen(path)) != 0)
            fail_msg("case %zu: got rc %d '%s', want '%s%s'", i, rc, got, path, cases[i].want);
        unlink(path);
        diag_free(&d);
    }
    framework_free(fw);
}

static void test_plan_units_and_files(void **state)
{
    (void)state;
    struct framework *fw = fixture_fw();
    struct diag d;
    diag_init(&d);
    char a[96], b[96];
    snprintf(a, sizeof a, "%s", tk_write_tmp("plan-a", "unit,node,target,year\n*,rate,60,2026\n"
                                                        "A,drop,10,2026\n"));
    snprintf(b, sizeof b, "%s", tk_write_tmp("plan-b", "unit,node,target,year\n"
                                                        "Z,libs,20,2026\n*,rate,60,2026\n"));
    const char *paths[] = {a, b};
    struct config *c = plan_config(paths, 2);
    struct plan *p = NULL;
    /* a duplicate across files names the first file */
    assert_int_equal(plan_load(&p, c, fw, &d), -1);
    char buf[512], want[512];
    snprintf(want, sizeof want, "%s:3:1: error: duplicate objective for unit '*', node 'rate', "
             "target year 2026 (first given at %s:2)", b, a);
    assert_string_equal(first_problem(&d, buf, sizeof buf), want);
    diag_free(&d);
    diag_init(&d);
    tk_write_file(b, "unit,node,target,year\nZ,libs,20,2026\n");
    assert_int_equal(plan_load(&p, c, fw, &d), 0);
    assert_int_equal(p->n, 3);
    assert_int_equal(p->nfile, 2);
    assert_int_equal(p->obj[2].file, 1);
    /* units: A is known, Z is not (reported at its file, line and column) */
    const char *units[] = {"B", "A"};
    assert_int_equal(plan_check_units(p, units, 2, &d), -1);
    snprintf(want, sizeof want, "%s:2:1: error: unit 'Z' is in neither the data, the units "
             "file nor the store", b);
    assert_string_equal(first_problem(&d, buf, sizeof buf), want);
    assert_int_equal(d.n, 1);
    const char *all[] = {"Z", "A"};
    diag_free(&d);
    diag_init(&d);
    assert_int_equal(plan_check_units(p, all, 2, &d), 0);
    plan_free(p);
    /* a file that cannot be opened is an input/output problem */
    unlink(b);
    assert_int_equal(plan_load(&p, c, fw, &d), -1);
    assert_int_equal(d.worst, LCME_EIO);
    unlink(a);
    plan_config_free(c);
    diag_free(&d);
    framework_free(fw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assess_statuses),
        cmocka_unit_test(test_assess_lower_is_better),
        cmocka_unit_test(test_assess_years),
        cmocka_unit_test(test_plan_load),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_plan_units_and_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
