/* test_conformance_asem.c: lcme's composite arithmetic against COINr 1.1.14
 * on the ASEM data set (tests/conformance and /work/shared/conformance/asem,
 * see its README for the COINr calls that made the reference files).
 *
 * The inputs go through the real readers (framework_load, ingest_file,
 * obsset_to_cube) and pipeline_run with a config built by hand:
 *   1. ASEM_iData.csv (2018), min-max to [0, 100] per year, arithmetic mean,
 *      min_coverage 0, against minmax_per_year_normalised.csv and
 *      minmax_per_year_aggregated.csv;
 *   2. ASEM_iData_p.csv (2018-2022), min-max pooled over the five years,
 *      against minmax_pooled_aggregated_2018_2022.csv.
 * Every cell of every reference row is compared: relative error <= 1e-9
 * (absolute 1e-9 below magnitude 1), an empty reference cell <=> NaN.
 * Reference rows are keyed by uCode (and Time); the cube sorts units by code.
 *
 * The data folder is the first of tk_asem_dir()'s ($LCME_ASEM_DIR, else
 * LCME_SOURCE_DIR/tests/conformance/asem, else the shared copy); the test is
 * skipped when none exists.
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

#include "csv.h"
#include "testkit_engine.h"

#define REL_TOL 1e-9
#define MAX_REPORTED 10

static const char *asem_dir;

static int find_dir(void)
{
    asem_dir = tk_asem_dir();
    return asem_dir != NULL;
}

static void path_of(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", asem_dir, name);
}

/* Load the framework and one data file, run the pipeline with min-max to
 * [0, 100] over scope, the arithmetic mean, min_coverage 0. */
static void run_asem(const char *data, enum norm_scope scope,
                     struct framework **fw, struct cube **cube,
                     struct results **res)
{
    tk_asem_load(asem_dir, data, fw, cube);
    struct config *cfg = tk_config_new(tk_method(NORM_MINMAX, scope, AGG_ARITHMETIC));
    cfg->ci_level = 0.95;
    struct diag d;
    diag_init(&d);
    *res = tk_pipeline_ok(cfg, *fw, *cube, &d);
    free(cfg);
    diag_free(&d);
}

/* Compare every cell of a reference file with the results. indicators_only:
 * columns must be indicators. Returns the number of cells compared. */
static size_t compare_file(const char *name, const struct framework *fw,
                           const struct cube *c, const struct results *r,
                           int indicators_only, size_t *rows_out)
{
    char path[1200];
    path_of(path, sizeof path, name);
    struct csv *cv;
    struct diag d;
    diag_init(&d);
    if (csv_open(&cv, path, &d) != 0) {
        tk_print_diag(&d);
        fail_msg("cannot read %s", name);
    }
    assert_true(csv_next(cv, &d) > 0);
    size_t ncol = cv->nf;
    int *node = calloc(ncol, sizeof *node);
    int col_ucode = -1, col_time = -1;
    for (size_t j = 0; j < ncol; j++) {
        node[j] = -1;
        const char *h = cv->f[j];
        if (strcmp(h, "uCode") == 0) col_ucode = (int)j;
        else if (strcmp(h, "Time") == 0) col_time = (int)j;
        else if (strcmp(h, "uName") == 0) continue;
        else {
            node[j] = framework_find(fw, h);
            if (node[j] < 0) fail_msg("%s: column '%s' is not a node", name, h);
            if (indicators_only && node[j] >= fw->nind)
                fail_msg("%s: column '%s' is not an indicator", name, h);
        }
    }
    assert_true(col_ucode >= 0);
    size_t compared = 0, bad = 0, rows = 0;
    double worst = 0;
    int rc;
    while ((rc = csv_next(cv, &d)) > 0) {
        assert_int_equal(cv->nf, ncol);
        rows++;
        int u = cube_unit_index(c, cv->f[col_ucode]);
        if (u < 0) fail_msg("%s:%ld: unit %s not in the cube", name, cv->line_no,
                            cv->f[col_ucode]);
        int t = 0;
        if (col_time >= 0) {
            double yv;
            assert_int_equal(tk_parse_cell(cv->f[col_time], &yv), 0);
            t = cube_year_index(c, (int)yv);
            if (t < 0) fail_msg("%s:%ld: year %s not in the cube", name,
                                cv->line_no, cv->f[col_time]);
        } else {
            assert_int_equal(c->nyear, 1);
        }
        for (size_t j = 0; j < ncol; j++) {
            if (node[j] < 0) continue;
            double want;
            if (tk_parse_cell(cv->f[j], &want) != 0)
                fail_msg("%s:%ld:%zu: bad number '%s'", name, cv->line_no, j + 1,
                         cv->f[j]);
            double got = r->score[RES_AT(r, node[j], t, u)];
            int ok = tk_cell_agrees(got, want, REL_TOL, &worst);
            compared++;
            if (!ok) {
                if (bad < MAX_REPORTED)
                    print_error("%s:%ld: %s %s: got %.17g, COINr %.17g\n", name,
                                cv->line_no, cv->f[col_ucode],
                                fw->node[node[j]].code, got, want);
                bad++;
            }
        }
    }
    assert_int_equal(rc, 0);
    print_message("%s: %zu cells compared, worst relative error %.3g\n", name,
                  compared, worst);
    free(node);
    csv_free(cv);
    diag_free(&d);
    if (bad) fail_msg("%s: %zu of %zu cells differ from COINr", name, bad, compared);
    *rows_out = rows;
    return compared;
}

static void test_per_year(void **state)
{
    (void)state;
    if (!find_dir()) skip();
    struct framework *fw = NULL;
    struct cube *c = NULL;
    struct results *r = NULL;
    run_asem("ASEM_iData.csv", SCOPE_PER_YEAR, &fw, &c, &r);
    /* 49 indicators, 8 pillars, 2 sub-indices, 1 index; 51 units; 2018 */
    assert_int_equal(fw->nind, 49);
    assert_int_equal(fw->nnode, 60);
    assert_int_equal(c->nunit, 51);
    assert_int_equal(c->nyear, 1);
    size_t rows;
    size_t n = compare_file("minmax_per_year_normalised.csv", fw, c, r, 1, &rows);
    assert_int_equal(rows, 51);
    assert_int_equal(n, 51 * 49);
    n = compare_file("minmax_per_year_aggregated.csv", fw, c, r, 0, &rows);
    assert_int_equal(rows, 51);
    assert_int_equal(n, 51 * 60);
    results_free(r);
    cube_free(c);
    framework_free(fw);
}

static void test_pooled_panel(void **state)
{
    (void)state;
    if (!find_dir()) skip();
    struct framework *fw = NULL;
    struct cube *c = NULL;
    struct results *r = NULL;
    run_asem("ASEM_iData_p.csv", SCOPE_POOLED, &fw, &c, &r);
    assert_int_equal(c->nunit, 51);
    assert_int_equal(c->nyear, 5);
    size_t rows;
    size_t n = compare_file("minmax_pooled_aggregated_2018_2022.csv", fw, c, r,
                            0, &rows);
    assert_int_equal(rows, 255);
    assert_int_equal(n, 255 * 60);
    results_free(r);
    cube_free(c);
    framework_free(fw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_year),
        cmocka_unit_test(test_pooled_panel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
