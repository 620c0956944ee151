/* test_workbook_golden.c: golden-file tests of the workbook (reports/workbook/).
 *
 * Each case writes the hand-built fixture (reports_fixture.h) to an .xlsx,
 * unzips it and compares every part (workbook.xml, each sheet, the shared
 * strings, styles, tables, the native charts and their drawings, docProps,
 * the .rels files and [Content_Types].xml) byte for byte with the reference
 * files under tests/golden/workbook/CASE/, which hold the parts as lcme
 * wrote them (the output users have). The fixture fixes the creation time
 * (2022-03-04T05:06:07+02:00), so docProps/core.xml is stable. A part that
 * differs fails with its name and the first differing line (number, column
 * and both texts around the difference); a part missing on either side
 * fails with its name.
 *
 * Cases:
 *   book       intervals and trends, normal mode: eight Excel tables, the
 *              index chart with interval whiskers and the area medians
 *              chart on the Charts sheet
 *   streaming  no intervals, no trends, constant-memory mode (header rows
 *              with autofilters, inline strings) and at most 11 rows a sheet
 *              (the truncation notes)
 * Chart images are left out (their pixels depend on the fonts installed);
 * test_workbook.c checks how they are embedded.
 *
 * When an intended change alters a part, regenerate the references with
 *
 *     LCME_GOLDEN_UPDATE=1 build/test_workbook_golden
 *
 * (it rewrites tests/golden/workbook/ from the current output and passes),
 * then review `git diff tests/golden` and commit the references with the
 * change that explains them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports.h"
#include "reports_fixture.h"
#include "testkit.h"
#include "trend.h"
#include "workbook_tuning.h"

#define GOLDEN_DIR LCME_SOURCE_DIR "/tests/golden/workbook"

/* Trends for the fixture's 7 nodes and 3 units over 2020-2021, easy to
 * write by hand: slope(k, u) = k + u / 10, the other columns follow from it;
 * unit U1 has no trend for I2 (points 1). Area medians: 10 k + 1 + 0.5 t. */
static struct trends *fixture_trends(const struct fixture *f)
{
    struct trends *tr = trends_new(7, 3, 0.95);
    assert_non_null(tr);
    tr->nyear = 2;
    tr->median = malloc(7 * 2 * sizeof *tr->median);
    assert_non_null(tr->median);
    for (size_t k = 0; k < 7; k++) {
        for (size_t t = 0; t < 2; t++)
            tr->median[k * 2 + t] = 10.0 * (double)k + 1 + 0.5 * (double)t;
        for (size_t u = 0; u < 3; u++) {
            size_t i = TREND_AT(tr, k, u);
            double s = (double)k + (double)u / 10;
            tr->first_year[i] = f->year[0];
            tr->last_year[i] = f->year[1];
            tr->points[i] = 2;
            tr->base_year[i] = f->year[0];
            tr->slope[i] = s;
            tr->slope_low[i] = s - 1;
            tr->slope_high[i] = s + 1;
            tr->sen_slope[i] = s;
            tr->mk_s[i] = 1;
            tr->mk_z[i] = 0.5;
            tr->mk_p[i] = 0.25;
            tr->cagr[i] = s / 100;
            tr->change_since_base[i] = s;
            tr->change_low[i] = s - 2;
            tr->change_high[i] = s + 2;
            tr->change_excludes_zero[i] = s > 2;
            tr->prev_year[i] = f->year[0];
            tr->change_prev[i] = s;
            tr->change_prev_low[i] = s - 2;
            tr->change_prev_high[i] = s + 2;
            tr->change_prev_excludes_zero[i] = s > 2;
            tr->progress[i] = (enum trend_class)((k + u) % 9);
            tr->target[i] = k < 4 ? 80 : 50;
        }
    }
    size_t i = TREND_AT(tr, 1, 0);     /* U1, I2: one point only */
    tr->points[i] = 1;
    tr->first_year[i] = tr->last_year[i] = f->year[1];
    tr->prev_year[i] = 0;
    tr->progress[i] = TREND_UNAVAILABLE;
    double *nan[] = {tr->slope, tr->slope_low, tr->slope_high, tr->sen_slope, tr->mk_s,
                     tr->mk_z, tr->mk_p, tr->cagr, tr->change_since_base, tr->change_low,
                     tr->change_high, tr->change_prev, tr->change_prev_low,
                     tr->change_prev_high, tr->target};
    for (size_t j = 0; j < sizeof nan / sizeof nan[0]; j++)
        nan[j][i] = NAN;
    return tr;
}

/* Report the first line where a and b differ: its number, the column, and
 * up to 60 bytes of each around the difference. */
static void report_first_difference(const char *part, const char *want, size_t nw,
                                    const char *got, size_t ng)
{
    size_t i = 0, line = 1, bol = 0;
    while (i < nw && i < ng && want[i] == got[i]) {
        if (want[i] == '\n') {
            line++;
            bol = i + 1;
        }
        i++;
    }
    size_t from = i > bol + 30 ? i - 30 : bol;
    size_t rw = nw > from ? nw - from : 0, rg = ng > from ? ng - from : 0;
    int lw = (int)(rw < 60 ? rw : 60), lg = (int)(rg < 60 ? rg : 60);
    print_error("%s: line %zu differs from the reference at column %zu:\n"
                "  reference: ...%.*s...\n"
                "  written:   ...%.*s...\n",
                part, line, i - bol + 1, lw, want + from, lg, got + from);
}

/* The parts under dir, one path a line, sorted. Caller frees. */
static char *list_parts(const char *dir)
{
    return tk_output("cd '%s' && find . -type f | sed 's|^\\./||' | LC_ALL=C sort", dir);
}

/* Whether the line name is in list (lines each ended by a newline). */
static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p; p = strchr(p, '\n') + 1)
        if (strncmp(p, name, n) == 0 && p[n] == '\n')
            return 1;
    return 0;
}

/* Compare every part under got/ with its reference under want/; returns the
 * number of parts that differ, are missing or are extra. */
static int compare_parts(const char *want, const char *got)
{
    char *lw = list_parts(want), *lg = list_parts(got);
    int bad = 0;
    for (char *p = lw, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        *nl = '\0';
        size_t nref, nout;
        char *ref = tk_slurpf(&nref, "%s/%s", want, p);
        char *out = tk_slurpf(&nout, "%s/%s", got, p);
        if (!out) {
            print_error("%s: in the reference, not written\n", p);
            bad++;
        } else if (!ref || nref != nout || memcmp(ref, out, nref) != 0) {
            report_first_difference(p, ref ? ref : "", ref ? nref : 0, out, nout);
            bad++;
        }
        free(ref);
        free(out);
        *nl = '\n';
    }
    for (char *p = lg, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        *nl = '\0';
        if (!listed(lw, p)) {
            print_error("%s: written, not in the reference\n", p);
            bad++;
        }
        *nl = '\n';
    }
    free(lw);
    free(lg);
    return bad;
}

/* Write f to TMP/CASE.xlsx, unzip it, and compare it with (or, with
 * LCME_GOLDEN_UPDATE set, store it as) the reference GOLDEN_DIR/CASE. */
static void golden_case(struct fixture *f, const char *name, const struct workbook_tuning *tune)
{
    char path[512], dir[512], ref[512];
    snprintf(path, sizeof path, "%s/%s.xlsx", tk_dir, name);
    snprintf(dir, sizeof dir, "%s/%s", tk_dir, name);
    snprintf(ref, sizeof ref, "%s/%s", GOLDEN_DIR, name);
    struct diag d;
    diag_init(&d);
    int rc = workbook_write_tuned(path, &f->in, tune, &d);
    tk_print_diag(&d);
    diag_free(&d);
    assert_int_equal(rc, 0);
    const char *update = getenv("LCME_GOLDEN_UPDATE");
    const char *into = update && *update ? ref : dir;
    assert_int_equal(tk_sh("rm -rf '%s' && mkdir -p '%s' && unzip -q '%s' -d '%s'", into, into,
                           path, into), 0);
    if (into == ref) {
        print_message("%s: references rewritten from the current output\n", ref);
        return;
    }
    if (access(ref, F_OK) != 0)
        fail_msg("%s: no references (make them with LCME_GOLDEN_UPDATE=1)", ref);
    int bad = compare_parts(ref, dir);
    if (bad)
        fail_msg("%s: %d part%s differ from tests/golden/workbook/%s (regenerate with "
                 "LCME_GOLDEN_UPDATE=1 if the change is intended)",
                 name, bad, bad == 1 ? "" : "s", name);
}

static void test_book(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    struct trends *tr = fixture_trends(&f);
    f.in.trends = tr;
    golden_case(&f, "book", NULL);
    trends_free(tr);
}

static void test_streaming(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    struct workbook_tuning tune = workbook_tuning_default;
    tune.constant_memory_cells = 0;
    tune.max_rows = 11;
    golden_case(&f, "streaming", &tune);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_book),
        cmocka_unit_test(test_streaming),
    };
    return cmocka_run_group_tests(tests, tk_dir_setup, tk_dir_teardown);
}
