/* chart_pen.h: drawing helpers shared by the charts and the PDF report:
 * text through pango (so Chinese names and long titles lay out), markers,
 * colours. Page units are PostScript points.
 *
 * A pen wraps one cairo context and pango layouts whose font options are
 * fixed (no hinting, no metric hinting), so that text measures the same on
 * a PNG surface and on a PDF surface and page breaks and label positions do
 * not depend on the output format. A pen keeps the text it has laid out
 * (a few thousand texts for each of a few transformations), so that
 * drawing the same label again costs no layout: keep one pen for many
 * charts (chart_pen_set_cr) drawn on the same kind of surface. What a pen
 * draws does not depend on what it has kept.
 */
#ifndef LCME_CHART_PEN_H
#define LCME_CHART_PEN_H

#include <stdint.h>

#include <cairo.h>

/* Latin first (DejaVu), then Chinese from Droid Sans Fallback (Debian's
 * fonts-droid-fallback), a TrueType font, with the Noto CJK fonts after it
 * where it is missing. Chinese text is text in every PDF, so it can be
 * searched and copied: embedding a subset of the TrueType font costs about
 * what drawing the glyphs as outlines did (a Hong Kong run's charts: 16 MB
 * and 5.0 s both ways), where a subset of Noto CJK (CFF, about 20 MB a
 * font) cost 50 ms and 110 KB a file (21 MB and 6.3 s). */
#define CHART_FONT "DejaVu Sans, Droid Sans Fallback, Noto Sans CJK HK, Noto Sans CJK SC"

struct chart_pen;

/* A pen on cr (borrowed; cr must outlive the pen). NULL on ENOMEM. */
struct chart_pen *chart_pen_new(cairo_t *cr);
void chart_pen_free(struct chart_pen *p);     /* NULL is harmless */
cairo_t *chart_pen_cr(const struct chart_pen *p);

/* Draw on cr (borrowed) from now on, keeping the laid-out text. cr must
 * have the same kind of target surface (same font options) as the context
 * the pen was made on; its transformation may differ. */
void chart_pen_set_cr(struct chart_pen *p, cairo_t *cr);

/* on: chart_text and chart_text_mid lay text out and measure it as usual
 * but draw nothing; chart_text_up does nothing. The report's first pass,
 * which only finds where pages break, uses it: its measurements are the
 * same as when drawing (same layout, same font options) at a fraction of
 * the cost. */
void chart_pen_measure_only(struct chart_pen *p, int on);

enum chart_align { CHART_LEFT, CHART_CENTER, CHART_RIGHT };

/* Text style for chart_text. */
struct chart_font {
    double size;         /* points */
    int bold;
    uint32_t rgb;
    enum chart_align align;
    double width;        /* > 0: wrap (wrap 1) or ellipsize (wrap 0) to this */
    int wrap;
};

/* Lay out text (UTF-8; not markup) and, when draw, show it with its top
 * edge at y and x at the left edge, centre or right edge per align. Returns
 * the height of the laid-out text; *w (may be NULL) gets its width.
 * Wrapped text breaks between words, never inside a run of Chinese
 * characters (a district's name such as 離島區 stays on one line), and
 * inside a word only when the word is wider than the line. */
double chart_text(struct chart_pen *p, const char *text, const struct chart_font *f,
                  double x, double y, int draw, double *w);

/* chart_text centred vertically on ymid (drawn). */
void chart_text_mid(struct chart_pen *p, const char *text, const struct chart_font *f,
                    double x, double ymid);

/* Like chart_text, rotated 90 degrees anticlockwise: the text reads bottom
 * to top with its baseline side at x and its start at y. */
void chart_text_up(struct chart_pen *p, const char *text, const struct chart_font *f,
                   double x, double y);

void chart_rgb(cairo_t *cr, uint32_t rgb);
void chart_rgba(cairo_t *cr, uint32_t rgb, double alpha);

enum chart_shape {
    CHART_CIRCLE, CHART_SQUARE, CHART_DIAMOND, CHART_TRI_UP, CHART_TRI_DOWN
};

/* A filled marker of the given shape, radius r, with a thin dark outline.
 * Leaves the line width at 0.5 and the source at the outline's colour. */
void chart_marker(cairo_t *cr, enum chart_shape s, double x, double y, double r,
                  uint32_t fill);

#endif
