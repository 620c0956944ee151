/* test_chart_png.c: chart_png_write against libpng's reader (an independent
 * decoder: it checks every chunk CRC and the zlib stream's Adler-32). The
 * images exercise the rows coded in chart_png.c (runs of rows equal to the
 * row above), zlib's rows, a row too wide for a copy of the row above, and
 * the chunks: size, colour type, pHYs at 150 dpi, rerun bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "chart_png.h"

/* A deterministic generator for test pixels (xorshift32). */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static char *tmp_path(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/lcme-test-chart-png-%ld-%s", (long)getpid(), name);
    return buf;
}

/* Decode path with libpng and compare every pixel with the surface. */
static void check_file(cairo_surface_t *sf, const char *path)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    assert_true(png_image_begin_read_from_file(&im, path));
    int w = cairo_image_surface_get_width(sf), h = cairo_image_surface_get_height(sf);
    assert_int_equal(im.width, w);
    assert_int_equal(im.height, h);
    assert_int_equal(im.format & PNG_FORMAT_FLAG_COLOR, PNG_FORMAT_FLAG_COLOR);
    assert_int_equal(im.format & PNG_FORMAT_FLAG_ALPHA, 0);   /* RGB, no alpha */
    im.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
    assert_non_null(px);
    assert_true(png_image_finish_read(&im, NULL, px, 0, NULL));
    const unsigned char *data = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    long bad = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t v = ((const uint32_t *)(const void *)(data + (size_t)y * stride))[x];
            const unsigned char *p = px + ((size_t)y * w + x) * 3;
            if (p[0] != ((v >> 16) & 0xFF) || p[1] != ((v >> 8) & 0xFF) || p[2] != (v & 0xFF))
                bad++;
        }
    free(px);
    assert_int_equal(bad, 0);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return b;
}

/* A chart-like picture: white, grey grid lines, a few flat bars, noise
 * (anti-aliasing-like) in a band, and long runs of equal rows. */
static cairo_surface_t *chart_like(int w, int h, uint32_t seed)
{
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    assert_int_equal(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
    unsigned char *data = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    uint32_t s = seed;
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            uint32_t v = 0xFFFFFF;
            if (x % 97 == 0)
                v = 0xDDDDDD;                       /* vertical grid: equal rows */
            if (y % 50 == 0)
                v = 0x777777;                       /* horizontal line */
            if (y >= h / 3 && y < h / 3 + 20 && x > 10 && x < w / 2)
                v = 0x0072B2;                       /* a bar: equal rows */
            if (y >= h / 2 && y < h / 2 + 15 && x > w / 4 && x < w / 4 + 300)
                v = rnd(&s) & 0xFFFFFF;             /* noise */
            if (y == h - 1 && x == w - 1)
                v = 0x123456;                       /* the last pixel */
            row[x] = 0xFF000000u | v;
        }
    }
    cairo_surface_mark_dirty(sf);
    return sf;
}

static void test_round_trip(void **state)
{
    (void)state;
    const int sizes[][2] = {{1, 1}, {2, 7}, {1167, 800}, {300, 5}, {64, 400}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cairo_surface_t *sf = chart_like(sizes[i][0], sizes[i][1], 7 + (uint32_t)i);
        const char *path = tmp_path("rt.png");
        assert_int_equal(chart_png_write(sf, path, 150), 0);
        check_file(sf, path);
        unlink(path);
        cairo_surface_destroy(sf);
    }
}

/* Rows of 3 * 11000 + 1 bytes are farther apart than deflate's 32 KB
 * window: no copies of the row above are coded; zlib does it all. */
static void test_wide_rows(void **state)
{
    (void)state;
    cairo_surface_t *sf = chart_like(11000, 60, 3);
    const char *path = tmp_path("wide.png");
    assert_int_equal(chart_png_write(sf, path, 150), 0);
    check_file(sf, path);
    unlink(path);
    cairo_surface_destroy(sf);
}

/* Pure noise: nothing to copy, every row through zlib; and an image of one
 * colour: after the first row, every row a copy. */
static void test_noise_and_flat(void **state)
{
    (void)state;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 257, 33);
    unsigned char *data = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf);
    uint32_t s = 99;
    for (int y = 0; y < 33; y++)
        for (int x = 0; x < 257; x++)
            ((uint32_t *)(void *)(data + (size_t)y * stride))[x] = 0xFF000000u | (rnd(&s) & 0xFFFFFF);
    cairo_surface_mark_dirty(sf);
    const char *path = tmp_path("noise.png");
    assert_int_equal(chart_png_write(sf, path, 0), 0);
    check_file(sf, path);
    cairo_surface_destroy(sf);

    sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 500, 900);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
    cairo_paint(cr);
    cairo_destroy(cr);
    assert_int_equal(chart_png_write(sf, path, 150), 0);
    check_file(sf, path);
    size_t n;
    unsigned char *b = slurp(path, &n);
    /* 900 rows of 1501 bytes, one colour: after the first row, 899 * 1501
     * = 1349399 bytes of copies of the row above, 5231 copies of at most 258
     * bytes at 8 + 5 + 9 bits each (length code 285; distance 1501: code
     * 20, 9 extra bits): about 14.4 KB, against 1.35 MB raw */
    assert_true(n < 16000);
    free(b);
    unlink(path);
    cairo_surface_destroy(sf);
}

/* Signature, IHDR (8-bit RGB, not interlaced), pHYs of 150 dpi = 5906
 * pixels per metre (150 / 0.0254 = 5905.5 rounded), and the same bytes on
 * a second write. */
static void test_chunks_and_rerun(void **state)
{
    (void)state;
    cairo_surface_t *sf = chart_like(400, 300, 11);
    const char *a = tmp_path("a.png");
    assert_int_equal(chart_png_write(sf, a, 150), 0);
    size_t n, m;
    unsigned char *b = slurp(a, &n);
    assert_true(n > 8 + 25 + 21 + 12);
    assert_memory_equal(b, "\x89PNG\r\n\x1A\n", 8);
    assert_memory_equal(b + 8, "\x00\x00\x00\x0DIHDR", 8);
    assert_memory_equal(b + 16, "\x00\x00\x01\x90\x00\x00\x01\x2C\x08\x02\x00\x00\x00", 13);
    assert_memory_equal(b + 33, "\x00\x00\x00\x09pHYs\x00\x00\x17\x12\x00\x00\x17\x12\x01", 17);
    assert_memory_equal(b + n - 12, "\x00\x00\x00\x00IEND\xAE\x42\x60\x82", 12);
    assert_int_equal(chart_png_write(sf, a, 150), 0);
    unsigned char *c = slurp(a, &m);
    assert_int_equal(n, m);
    assert_memory_equal(b, c, n);
    free(b);
    free(c);
    /* errors: a folder that does not exist, a surface of another format */
    assert_int_equal(chart_png_write(sf, "/nonexistent-lcme-dir/x.png", 150), -1);
    cairo_surface_t *a8 = cairo_image_surface_create(CAIRO_FORMAT_A8, 10, 10);
    assert_int_equal(chart_png_write(a8, a, 150), -1);
    cairo_surface_destroy(a8);
    unlink(a);
    cairo_surface_destroy(sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wide_rows),
        cmocka_unit_test(test_noise_and_flat),
        cmocka_unit_test(test_chunks_and_rerun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
