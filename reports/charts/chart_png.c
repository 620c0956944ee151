/* chart_png.c: writes chart image surfaces as PNG: the chunks (IHDR, pHYs,
 * IDAT of at most 1 MB, IEND) are written here; the image data is deflated
 * by zlib at a low level with no row filter, except runs of rows equal to
 * the row above, which are coded here directly as copies of that row (see
 * chart_png.h). zlib also gives the CRC-32 and Adler-32 checksums.
 */
#include "chart_png.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* Tuned on the sample batch's 73 chart images: zlib level 2 with no row
 * filter writes them faster than level 1 (fewer, longer matches) and the
 * files come out smaller than with cairo's writer (every filter tried per
 * row at the default level): charts are mostly runs of one colour, which
 * deflate finds without a filter, while Sub/Up/Paeth turn anti-aliased edges
 * into noise.
 *
 * About a third of the rows of a chart equal the row above (white space,
 * vertical lines and bars). zlib finds those copies too, but at about the
 * same cost a byte as everything else; a run of at least DUP_MIN such
 * rows is instead written here as one fixed-Huffman deflate block of
 * back-references to the row above (distance: one row), between a zlib full
 * flush and a preset dictionary holding that row, so that zlib goes on with
 * the row above as its only history. The stream stays a plain zlib stream
 * that every PNG reader decodes. */
#define PNG_LEVEL 2
#define DUP_MIN 4

/* ---- output buffer and bits ------------------------------------------- */

struct obuf {
    unsigned char *p;
    size_t n, cap;
    int fail;
    uint32_t bits;       /* pending bits, LSB first (deflate order) */
    int nbits;
};

static int ob_reserve(struct obuf *o, size_t more)
{
    if (o->fail)
        return -1;
    if (o->n + more <= o->cap)
        return 0;
    size_t cap = o->cap ? o->cap : 65536;
    while (cap < o->n + more)
        cap *= 2;
    unsigned char *q = realloc(o->p, cap);
    if (!q) {
        o->fail = 1;
        return -1;
    }
    o->p = q;
    o->cap = cap;
    return 0;
}

static void ob_put(struct obuf *o, const void *src, size_t n)
{
    if (ob_reserve(o, n) == 0) {
        memcpy(o->p + o->n, src, n);
        o->n += n;
    }
}

static void ob_be32(struct obuf *o, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    ob_put(o, b, 4);
}

/* n bits of v (n <= 16), least significant first */
static void bits_put(struct obuf *o, uint32_t v, int n)
{
    o->bits |= v << o->nbits;
    o->nbits += n;
    while (o->nbits >= 8) {
        unsigned char b = (unsigned char)o->bits;
        ob_put(o, &b, 1);
        o->bits >>= 8;
        o->nbits -= 8;
    }
}

/* a Huffman code of n bits, sent most significant bit first */
static void code_put(struct obuf *o, uint32_t code, int n)
{
    uint32_t r = 0;
    for (int i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    bits_put(o, r, n);
}

/* ---- the copy block (RFC 1951, fixed Huffman codes) --------------------- */

static const unsigned short len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const unsigned char len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* fixed literal/length code of symbol s (257..287 here, or 256) */
static void lit_put(struct obuf *o, int s)
{
    if (s <= 279)
        code_put(o, (uint32_t)(s - 256), 7);          /* 0000000 .. 0010111 */
    else
        code_put(o, (uint32_t)(0xC0 + s - 280), 8);   /* 11000000 .. */
}

static void match_put(struct obuf *o, unsigned len, unsigned dist)
{
    int l = 28;
    while (len_base[l] > len)
        l--;
    lit_put(o, 257 + l);
    if (len_extra[l])
        bits_put(o, len - len_base[l], len_extra[l]);
    int d = 29;
    while (dist_base[d] > dist)
        d--;
    code_put(o, (uint32_t)d, 5);
    if (dist_extra[d])
        bits_put(o, dist - dist_base[d], dist_extra[d]);
}

/* A non-final fixed block copying total bytes from dist back, then an empty
 * stored block so that the stream is byte-aligned again for zlib. */
static void copy_block(struct obuf *o, size_t total, unsigned dist)
{
    bits_put(o, 0, 1);     /* not final */
    bits_put(o, 1, 2);     /* fixed Huffman */
    while (total > 0) {
        size_t l = total > 258 ? 258 : total;
        if (total > 258 && total - 258 < 3)
            l = total - 3;   /* leave a tail of at least 3 */
        match_put(o, (unsigned)l, dist);
        total -= l;
    }
    lit_put(o, 256);
    bits_put(o, 0, 3);     /* stored, not final */
    if (o->nbits > 0)
        bits_put(o, 0, 8 - o->nbits);
    ob_put(o, "\x00\x00\xFF\xFF", 4);
}

/* ---- zlib ---------------------------------------------------------------- */

/* Deflate len bytes (flush: Z_NO_FLUSH, Z_FULL_FLUSH or Z_FINISH) into o. */
static int z_feed(z_stream *z, struct obuf *o, const unsigned char *src, size_t len,
                  int flush)
{
    z->next_in = (unsigned char *)(uintptr_t)src;
    z->avail_in = (uInt)len;
    for (;;) {
        if (ob_reserve(o, 65536) != 0)
            return -1;
        z->next_out = o->p + o->n;
        z->avail_out = (uInt)(o->cap - o->n);
        int rc = deflate(z, flush);
        o->n = o->cap - z->avail_out;
        if (rc == Z_STREAM_ERROR)
            return -1;
        if (z->avail_in == 0 && z->avail_out > 0 && (flush != Z_FINISH || rc == Z_STREAM_END))
            return 0;
    }
}

/* ---- PNG ------------------------------------------------------------------ */

static void chunk(struct obuf *o, const char *type, const unsigned char *data, size_t n)
{
    ob_be32(o, (uint32_t)n);
    ob_put(o, type, 4);
    if (n)
        ob_put(o, data, n);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (n)
        crc = crc32(crc, data, (uInt)n);
    ob_be32(o, (uint32_t)crc);
}

/* The zlib stream of the image rows (filter byte 0, then RGB) into zo.
 * Returns 0, or -1 on ENOMEM or a zlib error. */
static int image_stream(cairo_surface_t *sf, struct obuf *zo)
{
    int w = cairo_image_surface_get_width(sf);
    int h = cairo_image_surface_get_height(sf);
    int stride = cairo_image_surface_get_stride(sf);
    const unsigned char *data = cairo_image_surface_get_data(sf);
    size_t rowlen = (size_t)w * 3 + 1;
    int copies = rowlen <= 32768;   /* a row must be within deflate's window */
    unsigned char *row = malloc(rowlen);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!row || deflateInit2(&z, PNG_LEVEL, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(row);
        return -1;
    }
    ob_put(zo, "\x78\x01", 2);     /* zlib header: deflate, 32 KB window */
    uLong adler = adler32(0L, NULL, 0);
    int rc = 0;
    for (int y = 0; y < h && rc == 0;) {
        /* rows y+1 .. y+k equal to row y are coded as copies */
        int k = 0;
        const unsigned char *line = data + (size_t)y * (size_t)stride;
        if (y > 0 && copies)
            while (y + k < h &&
                   memcmp(data + (size_t)(y + k) * (size_t)stride,
                          data + (size_t)(y - 1) * (size_t)stride, (size_t)w * 4) == 0)
                k++;
        if (k >= DUP_MIN) {
            /* row (the row above, already filtered) is the history */
            rc = z_feed(&z, zo, NULL, 0, Z_FULL_FLUSH);
            if (rc == 0) {
                copy_block(zo, (size_t)k * rowlen, (unsigned)rowlen);
                rc = deflateSetDictionary(&z, row, (uInt)rowlen) == Z_OK ? 0 : -1;
            }
            uLong ra = adler32(1L, row, (uInt)rowlen);
            for (int i = 0; i < k; i++)
                adler = adler32_combine(adler, ra, (z_off_t)rowlen);
            y += k;
            continue;
        }
        /* cairo stores native-endian 32-bit 0xAARRGGBB words */
        const uint32_t *src = (const uint32_t *)(const void *)line;
        unsigned char *dst = row;
        *dst++ = 0;   /* filter: none */
        for (int x = 0; x < w; x++) {
            uint32_t v = src[x];
            dst[0] = (unsigned char)(v >> 16);
            dst[1] = (unsigned char)(v >> 8);
            dst[2] = (unsigned char)v;
            dst += 3;
        }
        adler = adler32(adler, row, (uInt)rowlen);
        rc = z_feed(&z, zo, row, rowlen, Z_NO_FLUSH);
        y++;
    }
    if (rc == 0)
        rc = z_feed(&z, zo, NULL, 0, Z_FINISH);
    deflateEnd(&z);
    free(row);
    if (rc == 0)
        ob_be32(zo, (uint32_t)adler);
    return rc == 0 && !zo->fail ? 0 : -1;
}

int chart_png_write(cairo_surface_t *sf, const char *path, int dpi)
{
    if (!sf || cairo_surface_get_type(sf) != CAIRO_SURFACE_TYPE_IMAGE ||
        cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
        return -1;
    cairo_format_t fmt = cairo_image_surface_get_format(sf);
    if (fmt != CAIRO_FORMAT_RGB24 && fmt != CAIRO_FORMAT_ARGB32)
        return -1;
    int w = cairo_image_surface_get_width(sf);
    int h = cairo_image_surface_get_height(sf);
    if (w <= 0 || h <= 0 || w > 0x7FFFFFF)
        return -1;
    cairo_surface_flush(sf);

    struct obuf zo = {0}, out = {0};
    int rc = image_stream(sf, &zo);
    if (rc == 0) {
        ob_put(&out, "\x89PNG\r\n\x1A\n", 8);
        unsigned char ihdr[13] = {
            (unsigned char)(w >> 24), (unsigned char)(w >> 16), (unsigned char)(w >> 8),
            (unsigned char)w, (unsigned char)(h >> 24), (unsigned char)(h >> 16),
            (unsigned char)(h >> 8), (unsigned char)h,
            8, 2, 0, 0, 0};   /* 8-bit RGB, deflate, no filter method, not interlaced */
        chunk(&out, "IHDR", ihdr, sizeof ihdr);
        if (dpi > 0) {
            uint32_t ppm = (uint32_t)lround(dpi / 0.0254);
            unsigned char phys[9] = {
                (unsigned char)(ppm >> 24), (unsigned char)(ppm >> 16),
                (unsigned char)(ppm >> 8), (unsigned char)ppm,
                (unsigned char)(ppm >> 24), (unsigned char)(ppm >> 16),
                (unsigned char)(ppm >> 8), (unsigned char)ppm, 1};   /* per metre */
            chunk(&out, "pHYs", phys, sizeof phys);
        }
        /* IDAT chunks of at most 1 MB */
        for (size_t off = 0; off < zo.n; off += (size_t)1 << 20) {
            size_t n = zo.n - off < ((size_t)1 << 20) ? zo.n - off : (size_t)1 << 20;
            chunk(&out, "IDAT", zo.p + off, n);
        }
        chunk(&out, "IEND", NULL, 0);
        rc = out.fail ? -1 : 0;
    }
    if (rc == 0) {
        FILE *fp = fopen(path, "wb");
        if (!fp)
            rc = -1;
        else {
            if (fwrite(out.p, 1, out.n, fp) != out.n)
                rc = -1;
            if (fclose(fp) != 0)
                rc = -1;
        }
    }
    free(zo.p);
    free(out.p);
    return rc;
}
