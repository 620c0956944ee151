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
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "report_pdf.h"
#include "test_chart_fixture.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

/* Output of "PROG 'ARG' TAIL". */
static char *run_cmd(const char *prog, const char *arg, const char *tail)
{
    char cmd[1024], out[] = "/tmp/lcme-report-out-XXXXXX";
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);
    snprintf(cmd, sizeof cmd, "%s '%s' %s", prog, arg, tail);
    char full[1200];
    snprintf(full, sizeof full, "%s > '%s'", cmd, out);
    assert_int_equal(system(full), 0);
    size_t n;
    char *t = slurp(out, &n);
    unlink(out);
    return t;
}

static int pages(const char *pdf)
{
    char *info = run_cmd("pdfinfo", pdf, "");
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
    char path[] = "/tmp/lcme-report-XXXXXX", path2[] = "/tmp/lcme-report2-XXXXXX";
    close(mkstemp(path));
    close(mkstemp(path2));
    assert_int_equal(report_pdf_write(path, &f->in, f->tr, NULL, &d), 0);
    /* cover, contents, summary (table + progress chart: 2 pages), A1 with
     * F1 and F2 and A2 with F3 and F4 (dot plots of 384 pt, two a page:
     * 3 pages each), key features and trends (1-2 pages), 18 unit pages,
     * methods (1 page): at least 2 + 2 + 6 + 1 + 18 + 1 = 30 pages. */
    int np = pages(path);
    assert_true(np >= 30 && np <= 40);
    char *txt = run_cmd("pdftotext -layout", path, "-");
    assert_non_null(strstr(txt, "Hong Kong learning city evaluation 2026"));
    assert_non_null(strstr(txt, "Contents"));
    assert_non_null(strstr(txt, "Sha Tin leads the index in 2026"));
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
    assert_non_null(strstr(txt, "Figure: Dot plot of IDX scores"));
    char last[32];
    snprintf(last, sizeof last, "page %d", np);
    assert_non_null(strstr(txt, last));
    free(txt);
    char *info = run_cmd("pdfinfo", path, "");
    assert_non_null(strstr(info, "Hong Kong learning city evaluation 2026: report 2026"));
    assert_non_null(strstr(info, "CreationDate:    Thu Dec 31 00:00:00 2026"));
    free(info);

    /* rerun: the same bytes */
    assert_int_equal(report_pdf_write(path2, &f->in, f->tr, NULL, &d), 0);
    size_t n1, n2;
    char *b1 = slurp(path, &n1), *b2 = slurp(path2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
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
    char path[] = "/tmp/lcme-report-XXXXXX";
    close(mkstemp(path));
    assert_int_equal(report_pdf_write(path, &f->in, NULL, NULL, &d), 0);
    char *txt = run_cmd("pdftotext", path, "-");
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
        char path[] = "/tmp/lcme-report-XXXXXX";
        close(mkstemp(path));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_report_no_ci_no_trends),
        cmocka_unit_test(test_report_bad_path),
        cmocka_unit_test(test_bench),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* release the process-wide font caches so that LeakSanitizer reports
     * only our own leaks: pango's font map, cairo's caches, then
     * fontconfig's configuration and caches (last: the others hold
     * fontconfig objects) */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
