/* test_chart.c: chart geometry (scales, nice ticks, label de-overlap,
 * colours) and the charts written for a small hand-built run
 * (test_chart_fixture.h): files, titles, PNG size and marker pixels, PDF
 * text, reruns, slugs, the network-scale layout. */
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

#include "chart.h"
#include "chart_geom.h"
#include "path.h"
#include "test_chart_fixture.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-9 * (1 + fabs((double)(b))))

static void test_scale(void **state)
{
    (void)state;
    struct chart_scale s = {0, 100, 100, 500};
    NEAR(chart_scale_map(&s, 25), 200);
    struct chart_scale up = {0, 100, 500, 100};   /* y axis: up is smaller */
    NEAR(chart_scale_map(&up, 25), 400);
    struct chart_scale deg = {5, 5, 0, 10};
    NEAR(chart_scale_map(&deg, 7), 5);
}

static void test_ticks(void **state)
{
    (void)state;
    struct chart_ticks t;
    /* range 87.3 -> nice 100, step nice(100/5 = 20) = 20 */
    assert_int_equal(chart_nice_ticks(0, 87.3, 6, &t), 6);
    NEAR(t.lo, 0);
    NEAR(t.hi, 100);
    NEAR(t.step, 20);
    for (int i = 0; i < 6; i++)
        NEAR(chart_tick_value(&t, i), 20.0 * i);
    assert_int_equal(t.decimals, 0);
    /* [0.12, 0.87]: range nice(0.75) = 1, step nice(0.25, round) = 0.2 */
    assert_int_equal(chart_nice_ticks(0.12, 0.87, 5, &t), 6);
    NEAR(chart_tick_value(&t, 3), 0.6);
    assert_int_equal(t.decimals, 1);
    /* [-3.2, 7.9]: range nice(11.1) = 20, step 5: -5, 0, 5, 10 */
    assert_int_equal(chart_nice_ticks(7.9, -3.2, 5, &t), 4);
    NEAR(t.lo, -5);
    NEAR(t.hi, 10);
    assert_true(chart_tick_value(&t, 1) == 0 && !signbit(chart_tick_value(&t, 1)));
    /* degenerate and missing ranges still give at least two ticks */
    assert_true(chart_nice_ticks(5, 5, 5, &t) >= 2);
    assert_true(t.lo <= 5 && t.hi >= 5 && t.lo < t.hi);
    assert_true(chart_nice_ticks(NAN, NAN, 5, &t) >= 2);
    NEAR(t.lo, 0);
    NEAR(t.hi, 1);
}

static void test_labels(void **state)
{
    (void)state;
    /* three labels 4 high wanted at 12, 10, 11: one cluster around the mean
     * 11, in order: 10 -> 7, 11 -> 11, 12 -> 15 */
    double pos[3] = {12, 10, 11}, size[3] = {4, 4, 4};
    assert_int_equal(chart_labels_spread(pos, size, 3, 0, 100, 0), 0);
    NEAR(pos[1], 7);
    NEAR(pos[2], 11);
    NEAR(pos[0], 15);
    /* apart already: unchanged */
    double p2[2] = {10, 50}, s2[2] = {4, 4};
    chart_labels_spread(p2, s2, 2, 0, 100, 1);
    NEAR(p2[0], 10);
    NEAR(p2[1], 50);
    /* near the top edge: the cluster (centres -0.5, 3.5) is pushed inside
     * [0, 100]: 2, 6 */
    double p3[2] = {1, 2}, s3[2] = {4, 4};
    chart_labels_spread(p3, s3, 2, 0, 100, 0);
    NEAR(p3[0], 2);
    NEAR(p3[1], 6);
    /* gap respected; a chain of clusters merges */
    double p4[4] = {0, 3, 6, 9}, s4[4] = {4, 4, 4, 4};
    chart_labels_spread(p4, s4, 4, -100, 100, 2);
    for (int i = 1; i < 4; i++)
        assert_true(p4[i] - p4[i - 1] >= 6 - 1e-9);
    NEAR((p4[0] + p4[1] + p4[2] + p4[3]) / 4, 4.5);
}

static void test_colours(void **state)
{
    (void)state;
    /* stops of R's viridisLite::viridis(10); 0.5 is halfway between stops
     * 4 (#26828E) and 5 (#1F9E89): (38+31)/2 = 34.5 -> 35, (130+158)/2 = 144,
     * (142+137)/2 = 139.5 -> 140, i.e. #23908C */
    assert_int_equal(chart_viridis(0), 0x440154);
    assert_int_equal(chart_viridis(1), 0xFDE725);
    assert_int_equal(chart_viridis(-3), 0x440154);
    assert_int_equal(chart_viridis(0.5), 0x23908C);
    assert_int_equal(chart_okabe_ito(1), 0xE69F00);
    assert_int_equal(chart_okabe_ito(13), 0x0072B2);
    assert_int_equal(chart_text_on(0xFDE725), 0x000000);
    assert_int_equal(chart_text_on(0x440154), 0xFFFFFF);
}

/* ---- charts on the fixture --------------------------------------------- */

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/lcme-chart-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

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

static char *pdf_text(const char *pdf)
{
    char cmd[2200], out[1024];
    snprintf(out, sizeof out, "%s.txt", pdf);
    snprintf(cmd, sizeof cmd, "pdftotext -layout '%s' '%s'", pdf, out);
    assert_int_equal(system(cmd), 0);
    size_t n;
    char *t = slurp(out, &n);
    unlink(out);
    return t;
}

static const struct chart_item *find(const struct chart_list *l, const char *stem)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].stem, stem) == 0)
            return &l->v[i];
    return NULL;
}

static void test_charts_small(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 1);
    char *dir = tmpdir();
    struct diag d;
    diag_init(&d);
    struct chart_list l;
    chart_list_init(&l);
    assert_int_equal(charts_write_all(dir, &f->in, f->tr, &l, &d), 0);
    /* 7 dot plots (IDX, A1, F1, F2, A2, F3, F4), 1 heatmap, progress,
     * trend-median, and 3 per unit */
    assert_int_equal(l.n, 7 + 1 + 1 + 1 + 18 * 3);
    const struct chart_item *dot = find(&l, "dot-idx");
    assert_non_null(dot);
    /* short active titles: the unit's name without its Chinese name, the
     * root as "the index" (no level names in the fixture), a node by its
     * name when at most three words, else by level and code */
    assert_string_equal(dot->title, "Sha Tin leads the index in 2026");
    const struct chart_item *da1 = find(&l, "dot-a1"), *df2 = find(&l, "dot-f2");
    assert_non_null(da1);
    assert_non_null(df2);
    assert_non_null(strstr(da1->title, " leads Wider benefits in 2026"));
    assert_non_null(strstr(df2->title, " leads focus F2 in 2026"));
    assert_non_null(strstr(dot->alt, "Sha Tin 沙田區 (74.4)"));
    assert_non_null(strstr(dot->alt, "Central and Western 中西區 (31.9)"));
    assert_non_null(find(&l, "heatmap"));
    assert_non_null(find(&l, "progress"));
    assert_non_null(find(&l, "trend-st"));
    assert_null(strstr(find(&l, "trend-st")->subtitle, "target"));   /* none here */
    assert_non_null(find(&l, "radar-st"));
    /* "../../etc/IS" stays inside the folder */
    assert_non_null(find(&l, "profile-etc-is"));
    for (size_t i = 0; i < l.n; i++) {
        assert_true(strlen(l.v[i].alt) > 20);
        for (int k = 0; k < 2; k++) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s.%s", dir, l.v[i].stem, k ? "pdf" : "png");
            assert_int_equal(access(p, R_OK), 0);
        }
    }

    /* PNG size: 560 x H points at 150 dpi, H = head 72 + legend/median 28 +
     * 18 rows x 12 + axis 34 + footer 34 = 384 -> 1167 x 800 pixels. */
    char p[512];
    snprintf(p, sizeof p, "%s/dot-idx.png", dir);
    cairo_surface_t *img = cairo_image_surface_create_from_png(p);
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(img), 1167);
    assert_int_equal(cairo_image_surface_get_height(img), 800);
    /* Sha Tin's marker: first row, centre y = 72 + 28 + 6 = 106 pt; x axis
     * 30..80 (data 30.4..75.9, nice step 10) over 172..514 pt, so 74.4 is at
     * 172 + 44.4/50 * 342 = 475.7 pt -> pixel (991, 221). Its interval
     * [72.9, 75.9] lies above the median, so the marker is the bluish green
     * (#009E73) up-triangle. Central and Western, last row (y = 100 + 17.5 *
     * 12 = 310 pt -> 646 px), 31.9 at 172 + 1.9/50*342 = 185.0 pt -> 385 px,
     * is the vermillion (#D55E00) down-triangle. */
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    uint32_t a = *(uint32_t *)(px + 221 * stride + 991 * 4) & 0xFFFFFF;
    uint32_t b = *(uint32_t *)(px + 646 * stride + 385 * 4) & 0xFFFFFF;
    uint32_t w = *(uint32_t *)(px + 5 * stride + 5 * 4) & 0xFFFFFF;
    assert_int_equal(a, 0x009E73);
    assert_int_equal(b, 0xD55E00);
    assert_int_equal(w, 0xFFFFFF);
    cairo_surface_destroy(img);

    /* PDF: one page, title, median, footer facts */
    snprintf(p, sizeof p, "%s/dot-idx.pdf", dir);
    char *txt = pdf_text(p);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "Sha Tin leads the index in 2026"));
    assert_non_null(strstr(txt, "74.4"));
    /* Chinese names are glyph outlines in the single-chart PDFs, so no CJK
     * font subset is embedded; the rest of a label stays text */
    assert_null(strstr(txt, "沙田區"));
    assert_non_null(strstr(txt, "Central and Western"));
    assert_non_null(strstr(txt, "Score (normalised"));
    assert_non_null(strstr(txt, "0123456789abcdef"));
    assert_non_null(strstr(txt, "95% Monte Carlo over sampling error"));
    free(txt);

    /* reruns: byte-identical PDF and PNG, also drawn on three threads */
    char *dir2 = tmpdir();
    struct chart_list l2;
    chart_list_init(&l2);
    f->in.threads = 3;
    assert_int_equal(charts_write_all(dir2, &f->in, f->tr, &l2, &d), 0);
    f->in.threads = 0;
    const char *check[] = {"dot-idx.pdf", "dot-idx.png", "trend-st.pdf", "heatmap.pdf",
                           "radar-st.png", "progress.pdf"};
    for (size_t i = 0; i < sizeof check / sizeof check[0]; i++) {
        char p1[512], p2[512];
        size_t n1, n2;
        snprintf(p1, sizeof p1, "%s/%s", dir, check[i]);
        snprintf(p2, sizeof p2, "%s/%s", dir2, check[i]);
        char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
        assert_non_null(b1);
        assert_non_null(b2);
        assert_int_equal(n1, n2);
        assert_memory_equal(b1, b2, n1);
        free(b1);
        free(b2);
    }
    chart_list_free(&l2);
    path_remove_tree(dir2);
    free(dir2);
    chart_list_free(&l);
    path_remove_tree(dir);
    free(dir);
    diag_free(&d);
    fx_free(f);
}

/* Target scores (results->target_score, set here by hand for every area of
 * focus: 60 in every year) appear in the trend charts as a dashed line
 * named in the legend, subtitle and alternative text; the y axis reaches
 * them. */
static void test_trend_target(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 1);
    struct results *r = f->res;
    r->target_score = malloc(r->nnode * r->nyear * sizeof *r->target_score);
    assert_non_null(r->target_score);
    for (size_t k = 0; k < r->nnode * r->nyear; k++)
        r->target_score[k] = NAN;
    struct diag d;
    diag_init(&d);
    struct chart_ctx *ctx = chart_ctx_new(&f->in, f->tr, &d);
    assert_non_null(ctx);
    assert_true(ctx->nfocus > 0);
    for (int i = 0; i < ctx->nfocus; i++)
        for (size_t t = 0; t < r->nyear; t++)
            r->target_score[(size_t)ctx->focus[i] * r->nyear + t] = 60;
    chart_ctx_free(ctx);

    char *dir = tmpdir();
    struct chart_list l;
    chart_list_init(&l);
    assert_int_equal(charts_write_all(dir, &f->in, f->tr, &l, &d), 0);
    const struct chart_item *tu = find(&l, "trend-st"), *tm = find(&l, "trend-median");
    assert_non_null(tu);
    assert_non_null(tm);
    assert_non_null(strstr(tu->subtitle, "the target score (a unit at every target)"));
    assert_non_null(strstr(tu->alt, "the target score as a dashed line"));
    assert_non_null(strstr(tm->subtitle, "dashed: the score of a unit at every target"));
    char p[512];
    snprintf(p, sizeof p, "%s/trend-st.pdf", dir);
    char *txt = pdf_text(p);
    assert_non_null(txt);
    assert_non_null(strstr(txt, "target score"));
    free(txt);
    chart_list_free(&l);
    path_remove_tree(dir);
    free(dir);
    diag_free(&d);
    fx_free(f);
}

static void test_charts_no_ci(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 0);
    char *dir = tmpdir();
    struct diag d;
    diag_init(&d);
    struct chart_list l;
    chart_list_init(&l);
    assert_int_equal(charts_write_all(dir, &f->in, f->tr, &l, &d), 0);
    assert_non_null(strstr(find(&l, "dot-idx")->alt, "without intervals"));
    char p[512];
    snprintf(p, sizeof p, "%s/dot-idx.pdf", dir);
    char *txt = pdf_text(p);
    assert_non_null(strstr(txt, "were not computed"));
    free(txt);
    chart_list_free(&l);
    path_remove_tree(dir);
    free(dir);
    diag_free(&d);
    fx_free(f);
}

/* 356 units: dot plots show the top and bottom 25 around a band; the
 * heatmap splits into ceil(356 / 50) = 8 pages. Planning only, plus one
 * dot plot and one heatmap page drawn. */
static void test_network_scale(void **state)
{
    (void)state;
    struct fixture *f = fx_new(356, 5, 1);
    struct diag d;
    diag_init(&d);
    struct chart_ctx *c = chart_ctx_new(&f->in, f->tr, &d);
    assert_non_null(c);
    struct chart_list l;
    chart_list_init(&l);
    assert_int_equal(chart_list_build(c, &l, &d), 0);
    const struct chart_item *dot = find(&l, "dot-idx"), *h8 = find(&l, "heatmap-8");
    assert_non_null(dot);
    assert_non_null(h8);
    assert_null(find(&l, "heatmap-9"));
    assert_int_equal(h8->npage, 8);
    /* 52 rows (25 + band of 2 + 25) at 12 pt */
    NEAR(dot->height, 72 + 28 + 52 * 12 + 34 + 34);
    assert_non_null(strstr(h8->alt, "ranked 351 to 356 of 356"));
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1200, 1800);
    cairo_t *cr = cairo_create(sf);
    struct chart_pen *p = chart_pen_new(cr);
    chart_render(p, c, dot);
    chart_render(p, c, h8);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    chart_pen_free(p);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
    chart_list_free(&l);
    chart_ctx_free(c);
    diag_free(&d);
    fx_free(f);
}

/* Timing of every chart (PNG + PDF) when LCME_CHART_BENCH is set. */
static void test_bench(void **state)
{
    (void)state;
    const char *e = getenv("LCME_CHART_BENCH");
    if (!e || !*e)
        skip();
    size_t sizes[2] = {18, 356};
    for (int k = 0; k < 2; k++) {
        struct fixture *f = fx_new(sizes[k], 11, 1);
        char *dir = tmpdir();
        struct diag d;
        diag_init(&d);
        struct chart_list l;
        chart_list_init(&l);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(charts_write_all(dir, &f->in, f->tr, &l, &d), 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("charts: %zu units, %zu charts (PNG+PDF): %.2f s\n", sizes[k], l.n,
               (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
        chart_list_free(&l);
        path_remove_tree(dir);
        free(dir);
        diag_free(&d);
        fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_colours),
        cmocka_unit_test(test_charts_small),
        cmocka_unit_test(test_trend_target),
        cmocka_unit_test(test_charts_no_ci),
        cmocka_unit_test(test_network_scale),
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
