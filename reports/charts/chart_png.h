/* chart_png.h: a fast PNG writer for the chart image surfaces.
 *
 * cairo_surface_write_to_png compresses at zlib's default level with every
 * PNG filter tried per row, which made PNG encoding most of the time lcme
 * spent on charts. Charts are flat colours on white: no row filter and a
 * low zlib level give files of about the same size several times faster,
 * and runs of rows equal to the row above are coded directly as copies of
 * it (chart_png.c). Output depends only on the pixels (no time stamp, no
 * text chunks), so reruns give the same bytes.
 */
#ifndef LCME_CHART_PNG_H
#define LCME_CHART_PNG_H

#include <cairo.h>

/* Write an image surface of format CAIRO_FORMAT_RGB24 or ARGB32 (alpha is
 * dropped: charts are opaque) to exactly path as an 8-bit RGB PNG with a
 * pHYs chunk for dpi. Returns 0, or -1 (cannot open or write the file,
 * another surface type or format, or ENOMEM). */
int chart_png_write(cairo_surface_t *sf, const char *path, int dpi);

#endif
