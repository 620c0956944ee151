/* test_chart_pen.c: the pen's kept layouts. Text drawn from a kept layout
 * gives the same pixels as a new pen drawing it; a pen moved to another
 * cairo context (chart_pen_set_cr) draws there and only there; measuring
 * does not depend on what was kept (also past the cache's capacity and
 * across many transformations); a measuring pen draws nothing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chart_pen.h"

#define W 400
#define H 120

static const char *const TEXT = "Central and Western \xE4\xB8\xAD\xE8\xA5\xBF\xE5\x8D\x80 82.4";

static cairo_surface_t *white(void)
{
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_destroy(cr);
    return sf;
}

static long ink(cairo_surface_t *sf)
{
    cairo_surface_flush(sf);
    const unsigned char *d = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    long n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if ((((const uint32_t *)(const void *)(d + (size_t)y * stride))[x] & 0xFFFFFF) != 0xFFFFFF)
                n++;
    return n;
}

static int same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
    cairo_surface_flush(a);
    cairo_surface_flush(b);
    const unsigned char *p = cairo_image_surface_get_data(a), *q = cairo_image_surface_get_data(b);
    int stride = cairo_image_surface_get_stride(a);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if ((((const uint32_t *)(const void *)(p + (size_t)y * stride))[x] & 0xFFFFFF) !=
                (((const uint32_t *)(const void *)(q + (size_t)y * stride))[x] & 0xFFFFFF))
                return 0;
    return 1;
}

static void draw_some(struct chart_pen *p)
{
    struct chart_font f = {9, 0, 0x222222, CHART_LEFT, 0, 0};
    struct chart_font b = {11, 1, 0x0072B2, CHART_RIGHT, 0, 0};
    struct chart_font wr = {7, 0, 0x444444, CHART_CENTER, 150, 1};
    chart_text(p, TEXT, &f, 5, 5, 1, NULL);
    chart_text(p, "Index 2026", &b, 390, 30, 1, NULL);
    chart_text(p, "A subtitle long enough to wrap over two or three lines here", &wr, 200, 50, 1,
               NULL);
}

static void test_kept_layout_same_pixels(void **state)
{
    (void)state;
    cairo_surface_t *s1 = white(), *s2 = white(), *s3 = white();
    cairo_t *c1 = cairo_create(s1), *c2 = cairo_create(s2), *c3 = cairo_create(s3);
    struct chart_pen *p = chart_pen_new(c1);
    assert_non_null(p);
    draw_some(p);
    assert_true(ink(s1) > 100);
    chart_pen_set_cr(p, c2);   /* the same texts again, from the kept layouts */
    draw_some(p);
    struct chart_pen *q = chart_pen_new(c3);   /* a new pen */
    assert_non_null(q);
    draw_some(q);
    long before = ink(s1);
    assert_true(same_pixels(s2, s3));
    assert_true(same_pixels(s1, s3));
    assert_int_equal(ink(s1), before);   /* nothing more drawn on the first surface */
    chart_pen_free(p);
    chart_pen_free(q);
    cairo_destroy(c1);
    cairo_destroy(c2);
    cairo_destroy(c3);
    cairo_surface_destroy(s1);
    cairo_surface_destroy(s2);
    cairo_surface_destroy(s3);
}

static void test_measure(void **state)
{
    (void)state;
    cairo_surface_t *sf = white();
    cairo_t *cr = cairo_create(sf);
    struct chart_pen *p = chart_pen_new(cr);
    struct chart_font f = {9, 0, 0, CHART_LEFT, 0, 0};
    double w1, w2, w3;
    double h1 = chart_text(p, TEXT, &f, 0, 0, 0, &w1);
    double h2 = chart_text(p, TEXT, &f, 0, 0, 0, &w2);
    assert_true(w1 > 50 && h1 > 5);
    assert_true(w1 == w2 && h1 == h2);
    /* a different size or weight is a different layout */
    struct chart_font g = {18, 0, 0, CHART_LEFT, 0, 0};
    chart_text(p, TEXT, &g, 0, 0, 0, &w3);
    assert_true(w3 > 1.8 * w1 && w3 < 2.2 * w1);
    struct chart_font fb = {9, 1, 0, CHART_LEFT, 0, 0};
    chart_text(p, TEXT, &fb, 0, 0, 0, &w3);
    assert_true(w3 > w1);
    /* wrapping to a width makes it taller */
    struct chart_font fw = {9, 0, 0, CHART_LEFT, 60, 1};
    double hw = chart_text(p, TEXT, &fw, 0, 0, 0, &w3);
    assert_true(hw > 2 * h1 && w3 <= 60 + 1e-9);
    /* past the number of kept layouts, text still measures the same */
    char b[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(b, sizeof b, "label %d", i);
        chart_text(p, b, &f, 0, 0, 0, NULL);
    }
    struct chart_pen *q = chart_pen_new(cr);
    double wq, wp;
    chart_text(q, "label 4999", &f, 0, 0, 0, &wq);
    chart_text(p, "label 4999", &f, 0, 0, 0, &wp);
    assert_true(wp == wq);
    h2 = chart_text(p, TEXT, &f, 0, 0, 0, &w2);
    assert_true(w1 == w2 && h1 == h2);
    chart_pen_free(q);
    chart_pen_free(p);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
}

/* Many transformations (more than the pen keeps): text is drawn at each,
 * and the width measured in user space stays the same (no hinting). */
static void test_transformations(void **state)
{
    (void)state;
    cairo_surface_t *sf = white();
    cairo_t *cr = cairo_create(sf);
    struct chart_pen *p = chart_pen_new(cr);
    struct chart_font f = {6, 0, 0x222222, CHART_LEFT, 0, 0};
    double w0;
    chart_text(p, "Wan Chai", &f, 0, 0, 0, &w0);
    for (int k = 0; k < 12; k++) {
        cairo_save(cr);
        cairo_scale(cr, 0.5 + 0.1 * k, 0.5 + 0.1 * k);
        double w;
        chart_text(p, "Wan Chai", &f, 2, 2 + 8 * k, 1, &w);
        chart_text(p, "Wan Chai", &f, 2, 2 + 8 * k, 0, &w);
        assert_true(fabs(w - w0) < 0.02 * w0);
        struct chart_font u = {6, 0, 0x222222, CHART_LEFT, 0, 0};
        chart_text_up(p, "up", &u, 300 + 5 * k, 100);
        cairo_restore(cr);
    }
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    assert_true(ink(sf) > 100);
    chart_pen_free(p);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
}

static void test_measure_only(void **state)
{
    (void)state;
    cairo_surface_t *sf = white();
    cairo_t *cr = cairo_create(sf);
    struct chart_pen *p = chart_pen_new(cr);
    chart_pen_measure_only(p, 1);
    struct chart_font f = {12, 1, 0, CHART_LEFT, 0, 0};
    double w;
    double h = chart_text(p, TEXT, &f, 10, 10, 1, &w);
    assert_true(h > 5 && w > 50);
    chart_text_mid(p, TEXT, &f, 10, 60);
    chart_text_up(p, TEXT, &f, 300, 110);
    assert_int_equal(ink(sf), 0);
    chart_pen_measure_only(p, 0);
    double w2;
    chart_text(p, TEXT, &f, 10, 10, 1, &w2);
    assert_true(w2 == w);
    assert_true(ink(sf) > 100);
    chart_pen_free(p);
    chart_pen_free(NULL);
    cairo_destroy(cr);
    cairo_surface_destroy(sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_layout_same_pixels),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_transformations),
        cmocka_unit_test(test_measure_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
