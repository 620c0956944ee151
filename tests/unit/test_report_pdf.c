/* test_report_pdf.c: report.pdf for the hand-built run of
 * test_chart_fixture.h: page count (pdfinfo), titles and numbers in the
 * text (pdftotext), byte-identical reruns, a run without intervals or
 * trends, and timing at 18 and 356 units (LCME_CHART_BENCH). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "report_pdf.h"
#include "test_chart_fixture.h"
#include "testkit.h"
#include "testkit_fonts.h"

static int pages(const char *pdf)
{
    char *info = tk_output("pdfinfo '%s'", pdf);
    char *p = strstr(info, "Pages:");
    assert_non_null(p);
    int n = (int)strtol(p + 6, NULL, 10);
    free(info);
    return n;
}

static void test_report(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 1);
    struct diag d;
    diag_init(&d);
    char path[64], path2[64];
    tk_tmpfile(path, sizeof path, "report");
    tk_tmpfile(path2, sizeof path2, "report");
    assert_int_equal(report_pdf_write(path, &f->in, f->tr, NULL, &d), 0);
    /* cover, contents, summary (at most 2 pages), the index, A1 and A2 (a
     * page each: dot plot and the table of their areas of focus), key
     * features and trends (1-2 pages), 18 unit pages (one each), methods
     * (1-2 pages): 2 + 2 + 3 + 1 + 18 + 1 = 27 pages, give or take one. */
    int np = pages(path);
    assert_true(np >= 26 && np <= 30);
    char *txt = tk_output("pdftotext -layout '%s' -", path);
    assert_non_null(strstr(txt, "Hong Kong learning city evaluation 2026"));
    assert_non_null(strstr(txt, "Contents"));
    assert_non_null(strstr(txt, "3 units are level at the top of the index in 2026, Sha Tin "
                                "highest"));
    /* summary table: area names (wrapped) head the columns */
    assert_non_null(strstr(txt, "A1 Wider"));
    /* summary sentence and table: Sha Tin 74.4 [72.9–75.9] */
    assert_non_null(strstr(txt, "74.4 [72.9–75.9]"));
    assert_non_null(strstr(txt, "Central and Western 中西區"));
    /* median of the 18 index scores: the 9th and 10th are 54.4 and 51.9 ->
     * 53.15; 8 units' intervals lie above, 8 below (chart: 8 up-triangles) */
    assert_non_null(strstr(txt, "8 units have an interval entirely above the network"));
    assert_non_null(strstr(txt, "Methods and data quality"));
    assert_non_null(strstr(txt, "Geometric aggregation fell back to arithmetic for K2."));
    /* the dot plot names the node; its code in brackets (chart.c) */
    assert_non_null(strstr(txt, "Figure: Dot plot of Learning City Index (IDX) scores"));
    char last[32];
    snprintf(last, sizeof last, "page %d", np);
    assert_non_null(strstr(txt, last));
    free(txt);
    char *info = tk_output("pdfinfo '%s'", path);
    assert_non_null(strstr(info, "Hong Kong learning city evaluation 2026: report 2026"));
    assert_non_null(strstr(info, "CreationDate:    Thu Dec 31 00:00:00 2026"));
    free(info);

    /* rerun: the same bytes */
    assert_int_equal(report_pdf_write(path2, &f->in, f->tr, NULL, &d), 0);
    tk_assert_same_file(path, path2);
    unlink(path);
    unlink(path2);
    diag_free(&d);
    fx_free(f);
}

static void test_report_no_ci_no_trends(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 2, 0);
    struct diag d;
    diag_init(&d);
    char path[64];
    tk_tmpfile(path, sizeof path, "report");
    assert_int_equal(report_pdf_write(path, &f->in, NULL, NULL, &d), 0);
    char *txt = tk_output("pdftotext '%s' -", path);
    assert_non_null(strstr(txt, "Intervals were not computed"));
    assert_non_null(strstr(txt, "Trends were not computed"));
    free(txt);
    unlink(path);
    diag_free(&d);
    fx_free(f);
}

static void test_report_bad_path(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 3, 1);
    struct diag d;
    diag_init(&d);
    assert_int_equal(report_pdf_write("/nonexistent-dir/x/report.pdf", &f->in, f->tr,
                                      NULL, &d), -1);
    assert_true(diag_count(&d) > 0);
    diag_free(&d);
    fx_free(f);
}

static void test_bench(void **state)
{
    (void)state;
    const char *e = getenv("LCME_CHART_BENCH");
    if (!e || !*e)
        skip();
    size_t sizes[2] = {18, 356};
    for (int k = 0; k < 2; k++) {
        struct fixture *f = fx_new(sizes[k], 11, 1);
        struct diag d;
        diag_init(&d);
        char path[64];
        tk_tmpfile(path, sizeof path, "report");
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(report_pdf_write(path, &f->in, f->tr, NULL, &d), 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("report: %zu units, %d pages: %.2f s\n", sizes[k], pages(path),
               (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
        unlink(path);
        diag_free(&d);
        fx_free(f);
    }
}

/* ---- contents, settings, footer band, one year without sampling error ---- */

/* Every word set in the band below the body (its bottom lower than
 * 841.89 - 50 - 10 = 781.89 pt from the top of the A4 page) must belong to
 * the footer line "BATCH · page N" drawn at 811.89 pt. */
static void assert_footer_clear(const char *pdf, const char *batch)
{
    char *x = tk_output("pdftotext -bbox '%s' -", pdf);
    size_t bad = 0, words = 0;
    for (char *p = strstr(x, "<word "); p; p = strstr(p + 1, "<word ")) {
        char *q0 = strstr(p, "yMin=\""), *q1 = strstr(p, "yMax=\"");
        char *w = strchr(p, '>'), *e = strstr(p, "</word>");
        assert_true(q0 && q1 && w && e);
        double y0 = strtod(q0 + 6, NULL), y1 = strtod(q1 + 6, NULL);
        char word[256];
        snprintf(word, sizeof word, "%.*s", (int)(e - w - 1), w + 1);
        words++;
        if (y1 <= 781.89 + 0.5)
            continue;
        int digits = word[0] != '\0' && strspn(word, "0123456789") == strlen(word);
        int footer = y0 >= 805 && (digits || strcmp(word, "page") == 0 ||
                                   strcmp(word, "\xC2\xB7") == 0 ||
                                   strcmp(word, "&#183;") == 0 ||
                                   (word[0] && strstr(batch, word)));
        if (!footer) {
            bad++;
            print_message("in the footer band: '%s' (y %.1f to %.1f)\n", word, y0, y1);
        }
    }
    free(x);
    assert_true(words > 1000);
    assert_int_equal(bad, 0);
}

/* 51 units, one year, intervals of zero width (every observation exact),
 * level names and method settings as config_load leaves them (all 16
 * levels resolved), 120 notes that run over several pages. */
static void test_report_many_units_one_year(void **state)
{
    (void)state;
    struct fixture *f = fx_new(51, 1, 1);
    struct results *r = f->res;
    for (size_t i = 0; i < r->nnode * r->nyear * r->nunit; i++)
        r->ci_low[i] = r->ci_high[i] = r->score[i];
    f->in.obs_with_error = 0;
    f->cfg.path = (char *)"batch.ini";
    static char *names[6] = {NULL, "Indicator", "Key feature", "Pillar", "Sub-index", "Index"};
    f->cfg.nlevel_names = 5;
    for (int l = 1; l <= 5; l++)
        f->cfg.level_name[l] = names[l];
    struct method m = {.normalise = NORM_MINMAX, .norm_low = 0, .norm_high = 100,
                       .z_mean = 0, .z_sd = 1, .dist2target_cap = 1,
                       .scope = SCOPE_POOLED, .aggregate = AGG_ARITHMETIC,
                       .agg_p = 1, .min_coverage = 0.66, .gp_scale = 100,
                       .ref_index = -1};
    f->cfg.method = m;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++)
        f->cfg.level[l] = m;
    for (int s = 0; s < PREP_NSTAGE; s++)
        f->cfg.order[s] = s;
    f->cfg.winmax = 5;
    /* a node whose name is its code: printed once */
    free(f->fw->node[9].name);
    f->fw->node[9].name = fx_dup("F1");
    for (int i = 0; i < 120; i++)
        notes_add(&r->notes, "Note %d: a fallback explained at some length, so that the "
                  "notes run over more than one page and each must reach the reader "
                  "whole, in order, without touching the footer of the page.", i + 1);
    struct diag d;
    diag_init(&d);
    char path[64], path2[64];
    tk_tmpfile(path, sizeof path, "report");
    tk_tmpfile(path2, sizeof path2, "report");
    assert_int_equal(report_pdf_write(path, &f->in, f->tr, NULL, &d), 0);
    int np = pages(path);

    /* contents on page 2: the sections with their page numbers, and the
     * Methods entry's page holds the Methods heading. Beyond 50 units no
     * unit has a page of its own: the Units section lists all 51 in a
     * table that runs over pages. */
    char *toc = tk_output("pdftotext -layout -f 2 -l 2 '%s' -", path);
    assert_non_null(strstr(toc, "Units"));
    assert_null(strstr(toc, "Unit 0016"));
    char *m1 = strstr(toc, "Methods and data quality");
    assert_non_null(m1);
    long mp = strtol(m1 + strlen("Methods and data quality"), NULL, 10);
    assert_true(mp > 5 && mp <= np);
    assert_true(np <= 20);
    free(toc);
    char *ut = tk_output("pdftotext -layout '%s' -", path);
    char *us = strstr(ut, "All 51 units in index order");
    assert_non_null(us);
    for (int u = 1; u <= 51; u++) {
        char want[32];
        snprintf(want, sizeof want, "Unit %04d", u);
        if (!strstr(us, want))
            print_message("the Units table lacks %s\n", want);
        assert_non_null(strstr(us, want));
    }
    free(ut);
    char *mt = tk_output("pdftotext -f %ld -l %ld '%s' -", mp, mp, path);
    assert_non_null(strstr(mt, "Methods and data quality"));
    assert_non_null(strstr(mt, "Settings (from the batch file)"));
    free(mt);

    char *txt = tk_output("pdftotext '%s' -", path);
    /* settings: plain numbers, only keys that apply */
    assert_non_null(strstr(txt, "min-max to [0, 100]"));
    assert_non_null(strstr(txt, "at least 0.66 of its weight"));
    assert_null(strstr(txt, "0.66000"));
    assert_null(strstr(txt, "0.94999"));
    assert_null(strstr(txt, "level6"));
    assert_null(strstr(txt, "min_coverage"));
    assert_null(strstr(txt, "group="));
    /* level names head the areas' tables */
    assert_non_null(strstr(txt, "Pillar"));
    /* one year, no sampling error: U0016 is highest on the index with 30 +
     * 2.5 * 17 + 3 * 1.3 - 2 = 74.4 (fixture formula, t = ny - 1), level
     * with two others, printed without an interval */
    assert_non_null(strstr(txt, "3 units are level at the top in 2026 (equal scores), "
                                "Unit 0016 highest with\n74.4;"));
    assert_null(strstr(txt, "74.4 [74.4"));
    assert_null(strstr(txt, "interval entirely above"));
    assert_null(strstr(txt, "Monte Carlo intervals"));
    assert_non_null(strstr(txt, "no intervals"));
    assert_non_null(strstr(txt, "need at least 3 years of scores"));
    assert_non_null(strstr(txt, "changes at\nleast 2"));
    assert_null(strstr(txt, "made at least moderate progress"));
    assert_null(strstr(txt, " of 0 "));
    /* the notes flow over pages: the first and last are there whole */
    assert_non_null(strstr(txt, "Note 1: a fallback"));
    assert_non_null(strstr(txt, "Note 120: a fallback"));
    free(txt);
    assert_footer_clear(path, f->cfg.name);

    /* rerun: the same bytes */
    assert_int_equal(report_pdf_write(path2, &f->in, f->tr, NULL, &d), 0);
    tk_assert_same_file(path, path2);
    unlink(path);
    unlink(path2);
    f->cfg.path = NULL;
    for (int l = 1; l <= 5; l++)
        f->cfg.level_name[l] = NULL;
    diag_free(&d);
    fx_free(f);
}

/* Progress with targets: the fixture's aggregates have no target score, so
 * the index is classed with the bands without one; with intervals and 5
 * years the arrows legend says so and the footer band stays clear. */
static void test_report_progress_words(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 1);
    /* the learning-city batches' short level names read as the
     * framework's words in running text: never "the focuses" */
    static char *names[6] = {NULL, "indicator", "feature", "focus", "area", "index"};
    f->cfg.nlevel_names = 5;
    for (int l = 1; l <= 5; l++)
        f->cfg.level_name[l] = names[l];
    struct diag d;
    diag_init(&d);
    char path[64];
    tk_tmpfile(path, sizeof path, "report");
    assert_int_equal(report_pdf_write(path, &f->in, f->tr, NULL, &d), 0);
    char *txt = tk_output("pdftotext '%s' -", path);
    assert_non_null(strstr(txt, "areas of focus"));
    assert_null(strstr(txt, "focuses"));
    assert_null(strstr(txt, "the features"));
    assert_non_null(strstr(txt, "The index has no target score, so its progress is judged "
                                "by its pace"));
    assert_null(strstr(txt, "(or on track)"));
    assert_null(strstr(txt, "Learning city evaluation report"));
    free(txt);
    assert_footer_clear(path, f->cfg.name);
    unlink(path);
    for (int l = 1; l <= 5; l++)
        f->cfg.level_name[l] = NULL;
    f->cfg.nlevel_names = 0;
    diag_free(&d);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_no_ci_no_trends),
        cmocka_unit_test(test_report_bad_path),
        cmocka_unit_test(test_report_many_units_one_year),
        cmocka_unit_test(test_report_progress_words),
        cmocka_unit_test(test_bench),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tk_release_fonts();
    return rc;
}
