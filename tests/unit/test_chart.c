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

#include "chart.h"
#include "chart_geom.h"
#include "path.h"
#include "test_chart_fixture.h"
#include "testkit.h"
#include "testkit_fonts.h"

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

/* Charts written into a new temporary folder. */
struct written {
    char *dir;
    struct chart_list l;
    struct diag d;
};

static void write_charts(struct fixture *f, struct written *w)
{
    w->dir = tk_tmpdir("chart");
    assert_non_null(w->dir);
    diag_init(&w->d);
    chart_list_init(&w->l);
    assert_int_equal(charts_write_all(w->dir, &f->in, f->tr, &w->l, &w->d), 0);
}

static void written_free(struct written *w)
{
    chart_list_free(&w->l);
    path_remove_tree(w->dir);
    free(w->dir);
    diag_free(&w->d);
}

/* The text of the PDF chart DIR/NAME (pdftotext -layout). */
static char *pdf_text(const char *dir, const char *name)
{
    return tk_output("pdftotext -layout '%s/%s' -", dir, name);
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
    struct written out;
    write_charts(f, &out);
    const char *dir = out.dir;
    const struct chart_list *l = &out.l;
    /* 7 dot plots (IDX, A1, F1, F2, A2, F3, F4), 1 heatmap, progress,
     * trend-median, and 3 per unit */
    assert_int_equal(l->n, 7 + 1 + 1 + 1 + 18 * 3);
    const struct chart_item *dot = find(l, "dot-idx");
    assert_non_null(dot);
    /* short active titles: the unit's name without its Chinese name, the
     * root as "the index" (no level names in the fixture), a node by its
     * name; a unit leads only when no other unit's interval reaches its
     * lower bound (here two do) */
    assert_string_equal(dot->title,
                        "3 units are level at the top of the index in 2026, Sha Tin highest");
    const struct chart_item *da1 = find(l, "dot-a1"), *df2 = find(l, "dot-f2");
    assert_non_null(da1);
    assert_non_null(df2);
    assert_non_null(strstr(da1->title, " level at the top of Wider benefits in 2026"));
    /* plain words: a node's name however long, never its code */
    assert_non_null(strstr(df2->title, " level at the top of Economic development and "
                                       "cultural prosperity in 2026"));
    assert_non_null(strstr(dot->alt, "Sha Tin 沙田區 (74.4)"));
    assert_non_null(strstr(dot->alt, "Central and Western 中西區 (31.9)"));
    assert_non_null(find(l, "heatmap"));
    assert_non_null(find(l, "progress"));
    assert_non_null(find(l, "trend-st"));
    assert_null(strstr(find(l, "trend-st")->subtitle, "target"));   /* none here */
    assert_non_null(find(l, "radar-st"));
    /* "../../etc/IS" stays inside the folder */
    assert_non_null(find(l, "profile-etc-is"));
    for (size_t i = 0; i < l->n; i++) {
        assert_true(strlen(l->v[i].alt) > 20);
        for (int k = 0; k < 2; k++) {
            char p[512];
            snprintf(p, sizeof p, "%s/%s.%s", dir, l->v[i].stem, k ? "pdf" : "png");
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
    char *txt = pdf_text(dir, "dot-idx.pdf");
    assert_non_null(strstr(txt, "Sha Tin highest"));
    assert_non_null(strstr(txt, "74.4"));
    /* Chinese names are text in the single-chart PDFs: they can be searched
     * and copied */
    assert_non_null(strstr(txt, "沙田區"));
    assert_non_null(strstr(txt, "Central and Western"));
    assert_non_null(strstr(txt, "Score (normalised"));
    assert_non_null(strstr(txt, "0123456789abcdef"));
    assert_non_null(strstr(txt, "95% Monte Carlo over sampling error"));
    free(txt);

    /* reruns: byte-identical PDF and PNG, also drawn on three threads */
    struct written w2;
    f->in.threads = 3;
    write_charts(f, &w2);
    f->in.threads = 0;
    const char *check[] = {"dot-idx.pdf", "dot-idx.png", "trend-st.pdf", "heatmap.pdf",
                           "radar-st.png", "progress.pdf"};
    for (size_t i = 0; i < sizeof check / sizeof check[0]; i++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof p1, "%s/%s", dir, check[i]);
        snprintf(p2, sizeof p2, "%s/%s", w2.dir, check[i]);
        tk_assert_same_file(p1, p2);
    }
    written_free(&w2);
    written_free(&out);
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
    diag_free(&d);

    struct written w;
    write_charts(f, &w);
    const struct chart_list *l = &w.l;
    const struct chart_item *tu = find(l, "trend-st"), *tm = find(l, "trend-median");
    assert_non_null(tu);
    assert_non_null(tm);
    assert_non_null(strstr(tu->subtitle, "network median, target score"));
    assert_non_null(strstr(tu->alt, "the target score as a dashed line"));
    assert_non_null(strstr(tm->subtitle, "dashed: the score of a unit at every target"));
    char *txt = pdf_text(w.dir, "trend-st.pdf");
    assert_non_null(strstr(txt, "target score"));
    free(txt);
    written_free(&w);
    fx_free(f);
}

static void test_charts_no_ci(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 0);
    struct written w;
    write_charts(f, &w);
    assert_non_null(strstr(find(&w.l, "dot-idx")->alt, "without intervals"));
    char *txt = pdf_text(w.dir, "dot-idx.pdf");
    assert_non_null(strstr(txt, "were not computed"));
    free(txt);
    written_free(&w);
    fx_free(f);
}

/* 356 units: dot plots show the top and bottom 25 around a band; the
 * heatmap splits into ceil(356 / 18) = 20 pages of units as columns. Planning only, plus one
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
    const struct chart_item *dot = find(&l, "dot-idx"), *h8 = find(&l, "heatmap-20");
    assert_non_null(dot);
    assert_non_null(h8);
    assert_null(find(&l, "heatmap-21"));
    assert_int_equal(h8->npage, 20);
    /* 52 rows (25 + band of 2 + 25) at 12 pt */
    NEAR(dot->height, 72 + 28 + 52 * 12 + 34 + 34);
    assert_non_null(strstr(h8->alt, "units 339 to 356 of the 356 units with an index score"));
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

/* Ring labels of a radar (chart_radar_ring_gaps), by hand. Four axes,
 * half = cos(pi/4) = 0.7071; one series with radii 10, 10, 20, 20; rings 10
 * and 20, so labels at 7.071 and 14.142. Crossings 2ab half/(a+b): gap 0
 * 7.071, gaps 1 and 3 9.428, gap 2 14.142. Bisectors at 45 degrees: reach
 * 0.7071 (hw + hh).
 * hw = hh = 1 (reach 1.414): gap 1 slacks 2.357-1.414 = 0.943 and
 * 4.714-1.414 = 3.300, both clear (gap 0 and 2 have one ring on a crossing):
 * G = 1 for both rings (gap 3 ties, the first wins).
 * hw = hh = 2 (reach 2.828): every gap has one clear ring; the smallest
 * slacks are -2.828, -0.471, -2.828, -0.471, so G = 1; ring 10 is not clear
 * there and goes to its best gap, 2 (slack 7.071 - 2.828 = 4.243). */
static void test_radar_ring_gaps(void **state)
{
    (void)state;
    const double r[4] = {10, 10, 20, 20}, ring[2] = {10, 20};
    int gap[2] = {-1, -1};
    assert_int_equal(chart_radar_ring_gaps(r, 1, 4, ring, 2, 1, 1, gap), 1);
    assert_int_equal(gap[0], 1);
    assert_int_equal(gap[1], 1);
    assert_int_equal(chart_radar_ring_gaps(r, 1, 4, ring, 2, 2, 2, gap), 1);
    assert_int_equal(gap[0], 2);
    assert_int_equal(gap[1], 1);
    assert_int_equal(chart_radar_ring_gaps(r, 1, 1, ring, 2, 1, 1, gap), 0);
    assert_int_equal(gap[0], 0);
}

/* The pixel (x, y) of PNG DIR/NAME as 0xRRGGBB. */
static uint32_t png_pixel(const char *dir, const char *name, int x, int y)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    cairo_surface_t *img = cairo_image_surface_create_from_png(p);
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(img);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    uint32_t v = *(uint32_t *)(px + y * stride + x * 4) & 0xFFFFFF;
    cairo_surface_destroy(img);
    return v;
}

static int near_rgb(uint32_t a, uint32_t b, int tol)
{
    for (int s = 0; s < 24; s += 8)
        if (abs((int)((a >> s) & 0xFF) - (int)((b >> s) & 0xFF)) > tol)
            return 0;
    return 1;
}

/* Titles in plain words, the radar's intervals, the progress wording for
 * band-classed, target-classed and unavailable trends, and exact scores. */
static void test_chart_words(void **state)
{
    (void)state;
    struct fixture *f = fx_new(18, 5, 1);
    struct written w;
    write_charts(f, &w);
    /* no title names a node by its code */
    for (size_t i = 0; i < w.l.n; i++) {
        assert_null(strstr(w.l.v[i].title, "focus F"));
        assert_null(strstr(w.l.v[i].title, "area A"));
    }
    /* Sha Tin (u 15): F1 and F3 tie highest (k % 5 = 4), F1 first */
    assert_string_equal(find(&w.l, "radar-st")->title,
                        "Sha Tin is strongest in Individual empowerment");
    const struct chart_item *rd = find(&w.l, "radar-ssp");
    assert_non_null(rd);
    assert_non_null(strstr(rd->alt, "each score with its 95% interval"));
    assert_non_null(strstr(rd->alt, "highest Individual empowerment (70.7)"));
    /* Sham Shui Po (u 5, b 15, slope 0): F1 70.7, F2 66.8, intervals -/+ 3.5;
     * highest bound 74.2 -> rings 0..80 over R = 132 pt, 1.65 pt a unit;
     * centre (280, 277) pt; axes F1 top, F2 right, F3 bottom, F4 left; 150/72
     * px a pt. F2's whisker runs along the right axis from 63.3 (x = 384.4)
     * to 70.3 (396.0), the marker (r 2.6) covers 107.6..112.8 pt from the
     * centre, so (385.5, 277) pt = pixel (803, 577) is the dark whisker.
     * 3.5 pt above that axis the band lies between the low polygon
     * (x = 384.4 - 3.5 * 104.4/110.9 = 381.1) and the score line
     * (390.2 - 3.5 * 110.2/116.7 = 386.9 -/+ 1.2): (383, 273.5) pt = pixel
     * (797, 569) is Okabe-Ito blue #0072B2 at 22 % on white: 255 - 0.22 *
     * (255 - c) = (199, 224, 238). */
    assert_int_equal(png_pixel(w.dir, "radar-ssp.png", 803, 577), 0x333333);
    assert_true(near_rgb(png_pixel(w.dir, "radar-ssp.png", 797, 569), 0xC7E0EE, 2));
    char *txt = pdf_text(w.dir, "radar-ssp.pdf");
    assert_non_null(strstr(txt, "95% interval"));
    free(txt);
    /* progress, bands (no target score): root k % 5 = 3, slope (u % 4 - 1)
     * 0.8 a year; u % 4 = 2 or 3 grow 0.8 or 1.6 a year from at most 74.4,
     * a yearly growth of at least 0.8/74.4 = 1.1 % (moderate or better);
     * u % 4 = 1 is flat (limited), 0 falls: 8 of 18 units */
    assert_string_equal(find(&w.l, "progress")->title,
                        "8 of 18 units made at least moderate progress overall");
    written_free(&w);

    /* progress against the index's target score 60 (every year): scores in
     * 2026 are 31.9 + 2.5 b with b a permutation of 0..17, so b >= 12 meets
     * it (6 units). Of the rest, only u 3, 6, 11, 14 grow; R = observed /
     * needed CAGR from 2022 (target year 2030): u 3 0.0453/0.0776 = 0.58,
     * u 6 0.0178/0.0404 = 0.44, u 11 0.0397/0.0588 = 0.68, u 14
     * 0.0160/0.0264 = 0.61: none on track (>= 0.95). 6 of 18. */
    struct results *r = f->res;
    r->target_score = malloc(r->nnode * r->nyear * sizeof *r->target_score);
    assert_non_null(r->target_score);
    for (size_t k = 0; k < r->nnode * r->nyear; k++)
        r->target_score[k] = 60;   /* every indicator's target scores 60 */
    trends_free(f->tr);
    f->tr = NULL;
    struct diag d;
    diag_init(&d);
    assert_int_equal(trend_compute_all(&f->cfg, f->fw, f->cube, r, &f->tr, &d), 0);
    diag_free(&d);
    struct chart_ctx *c = chart_ctx_new(&f->in, f->tr, &d);
    struct chart_list l;
    chart_list_init(&l);
    assert_int_equal(chart_list_build(c, &l, &d), 0);
    assert_string_equal(find(&l, "progress")->title,
                        "6 of 18 units are on track or better towards the target "
                        "for the index");
    assert_non_null(strstr(find(&l, "progress")->subtitle, "target score, 60.0"));
    chart_list_free(&l);
    chart_ctx_free(c);
    fx_free(f);

    /* one year: trends unavailable; no sampling error (zero-width
     * intervals): no "95%" claimed */
    f = fx_new(18, 1, 1);
    for (size_t k = 0; k < f->res->nnode * f->res->nunit; k++)
        f->res->ci_low[k] = f->res->ci_high[k] = f->res->score[k];
    write_charts(f, &w);
    assert_string_equal(find(&w.l, "progress")->title,
                        "Progress cannot be judged yet: trends need at least 3 "
                        "years of scores, and this run has 1");
    assert_null(strstr(find(&w.l, "progress")->title, "moderate"));
    const struct chart_item *dot = find(&w.l, "dot-idx");
    assert_non_null(strstr(dot->alt, "no sampling error"));
    assert_non_null(strstr(find(&w.l, "radar-st")->alt, "no sampling error"));
    for (size_t i = 0; i < w.l.n; i++) {
        assert_null(strstr(w.l.v[i].subtitle, "interval"));
        assert_null(strstr(w.l.v[i].alt, "95%"));
    }
    txt = pdf_text(w.dir, "dot-idx.pdf");
    size_t o = 0;   /* one space for each run of blanks: lines wrap anywhere */
    for (size_t i = 0; txt[i]; i++)
        if (!(txt[i] == ' ' || txt[i] == '\n') || (o > 0 && txt[o - 1] != ' '))
            txt[o++] = txt[i] == '\n' ? ' ' : txt[i];
    txt[o] = 0;
    assert_non_null(strstr(txt, "No sampling error: every observation is exact"));
    assert_null(strstr(txt, "95%"));
    assert_null(strstr(txt, "interval above median"));
    free(txt);
    written_free(&w);
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
        struct written w;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        write_charts(f, &w);
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("charts: %zu units, %zu charts (PNG+PDF): %.2f s\n", sizes[k], w.l.n,
               (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
        written_free(&w);
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
        cmocka_unit_test(test_radar_ring_gaps),
        cmocka_unit_test(test_chart_words),
        cmocka_unit_test(test_bench),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tk_release_fonts();
    return rc;
}
