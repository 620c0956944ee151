/* chart_pen.c: text through pango and simple marks for the charts and the
 * report (see chart_pen.h). One PangoLayout per pen, reused for every text,
 * with hinting off so that the same text measures the same everywhere.
 */
#include "chart_pen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pango/pangocairo.h>

#define PEN_PI 3.14159265358979323846

struct chart_pen {
    cairo_t *cr;
    PangoLayout *layout;
    PangoFontDescription *font[2];   /* regular, bold; size set per call */
    int outline_cjk;                 /* CJK text drawn as filled outlines */
};

struct chart_pen *chart_pen_new(cairo_t *cr)
{
    struct chart_pen *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cr = cr;
    p->layout = pango_cairo_create_layout(cr);
    p->font[0] = pango_font_description_from_string(CHART_FONT " 9");
    p->font[1] = pango_font_description_from_string(CHART_FONT " Bold 9");
    cairo_font_options_t *fo = cairo_font_options_create();
    if (!p->layout || !p->font[0] || !p->font[1] || !fo) {
        cairo_font_options_destroy(fo);
        chart_pen_free(p);
        return NULL;
    }
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    PangoContext *ctx = pango_layout_get_context(p->layout);
    pango_cairo_context_set_font_options(ctx, fo);
    pango_context_changed(ctx);
    pango_layout_context_changed(p->layout);
    cairo_font_options_destroy(fo);
    return p;
}

void chart_pen_free(struct chart_pen *p)
{
    if (!p)
        return;
    if (p->layout)
        g_object_unref(p->layout);
    for (int i = 0; i < 2; i++)
        if (p->font[i])
            pango_font_description_free(p->font[i]);
    free(p);
}

cairo_t *chart_pen_cr(const struct chart_pen *p) { return p->cr; }

void chart_pen_outline_cjk(struct chart_pen *p, int on) { p->outline_cjk = on != 0; }

/* Text (n bytes) with a code point from U+2E80 (CJK radicals) up, which
 * falls back to the Noto CJK fonts. */
static int has_cjk(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++)
        if (u[i] >= 0xE2 && (u[i] > 0xE2 || (i + 1 < n && u[i + 1] >= 0xBA)))
            return 1;
    return 0;
}

/* Show the pen's layout with its top-left corner at the current point: as
 * text, or, on an outlining pen, run by run, with the runs of CJK text as
 * filled glyph outlines and every other run as text (the same places as
 * pango_cairo_show_layout: each run at its logical x and the line's
 * baseline). */
static void show(struct chart_pen *p, const char *text)
{
    cairo_t *cr = p->cr;
    pango_cairo_update_layout(cr, p->layout);
    if (!p->outline_cjk || !has_cjk(text, strlen(text))) {
        pango_cairo_show_layout(cr, p->layout);
        return;
    }
    double x0, y0;
    cairo_get_current_point(cr, &x0, &y0);
    const char *all = pango_layout_get_text(p->layout);
    PangoLayoutIter *it = pango_layout_get_iter(p->layout);
    if (!it)
        return;
    do {
        PangoLayoutRun *run = pango_layout_iter_get_run_readonly(it);
        if (!run)
            continue;
        PangoRectangle lr;
        pango_layout_iter_get_run_extents(it, NULL, &lr);
        double bx = x0 + (double)lr.x / PANGO_SCALE;
        double by = y0 + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        cairo_move_to(cr, bx, by);
        if (has_cjk(all + run->item->offset, (size_t)run->item->length)) {
            pango_cairo_glyph_string_path(cr, run->item->analysis.font, run->glyphs);
            cairo_fill(cr);
        } else {
            pango_cairo_show_glyph_string(cr, run->item->analysis.font, run->glyphs);
        }
    } while (pango_layout_iter_next_run(it));
    pango_layout_iter_free(it);
    cairo_new_path(cr);
}

static void set_style(struct chart_pen *p, const char *text,
                      const struct chart_font *f)
{
    PangoFontDescription *fd = p->font[f->bold ? 1 : 0];
    pango_font_description_set_size(fd, (gint)lround(f->size * PANGO_SCALE));
    pango_layout_set_font_description(p->layout, fd);
    pango_layout_set_text(p->layout, text ? text : "", -1);
    if (f->width > 0) {
        pango_layout_set_width(p->layout, (int)lround(f->width * PANGO_SCALE));
        pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_ellipsize(p->layout, f->wrap ? PANGO_ELLIPSIZE_NONE
                                                      : PANGO_ELLIPSIZE_END);
    } else {
        pango_layout_set_width(p->layout, -1);
        pango_layout_set_ellipsize(p->layout, PANGO_ELLIPSIZE_NONE);
    }
    /* wrapped lines line up on the side the text is anchored to */
    pango_layout_set_alignment(p->layout,
                               f->width <= 0 || !f->wrap ? PANGO_ALIGN_LEFT
                               : f->align == CHART_RIGHT ? PANGO_ALIGN_RIGHT
                               : f->align == CHART_CENTER ? PANGO_ALIGN_CENTER
                                                          : PANGO_ALIGN_LEFT);
}

double chart_text(struct chart_pen *p, const char *text, const struct chart_font *f,
                  double x, double y, int draw, double *w)
{
    set_style(p, text, f);
    PangoRectangle lr;
    pango_layout_get_extents(p->layout, NULL, &lr);
    double tw = (double)lr.width / PANGO_SCALE, th = (double)lr.height / PANGO_SCALE;
    if (w)
        *w = tw;
    if (draw) {
        double x0 = x - (double)lr.x / PANGO_SCALE;
        if (f->align == CHART_CENTER)
            x0 -= tw / 2;
        else if (f->align == CHART_RIGHT)
            x0 -= tw;
        cairo_save(p->cr);
        chart_rgb(p->cr, f->rgb);
        cairo_move_to(p->cr, x0, y);
        show(p, text);
        cairo_restore(p->cr);
    }
    return th;
}

void chart_text_mid(struct chart_pen *p, const char *text, const struct chart_font *f,
                    double x, double ymid)
{
    double h = chart_text(p, text, f, 0, 0, 0, NULL);
    chart_text(p, text, f, x, ymid - h / 2, 1, NULL);
}

void chart_text_up(struct chart_pen *p, const char *text, const struct chart_font *f,
                   double x, double y)
{
    set_style(p, text, f);
    PangoRectangle lr;
    pango_layout_get_extents(p->layout, NULL, &lr);
    double th = (double)lr.height / PANGO_SCALE;
    cairo_save(p->cr);
    chart_rgb(p->cr, f->rgb);
    cairo_translate(p->cr, x - th, y);
    cairo_rotate(p->cr, -PEN_PI / 2);
    cairo_move_to(p->cr, 0, 0);
    show(p, text);
    cairo_restore(p->cr);
    pango_cairo_update_layout(p->cr, p->layout);
}

void chart_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0,
                         ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

void chart_rgba(cairo_t *cr, uint32_t rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0,
                          ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0,
                          alpha);
}

void chart_marker(cairo_t *cr, enum chart_shape s, double x, double y, double r,
                  uint32_t fill)
{
    cairo_new_path(cr);
    switch (s) {
    case CHART_SQUARE:
        cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
        break;
    case CHART_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.2);
        cairo_line_to(cr, x + r * 1.2, y);
        cairo_line_to(cr, x, y + r * 1.2);
        cairo_line_to(cr, x - r * 1.2, y);
        cairo_close_path(cr);
        break;
    case CHART_TRI_UP:
        cairo_move_to(cr, x, y - r * 1.25);
        cairo_line_to(cr, x + r * 1.15, y + r * 0.85);
        cairo_line_to(cr, x - r * 1.15, y + r * 0.85);
        cairo_close_path(cr);
        break;
    case CHART_TRI_DOWN:
        cairo_move_to(cr, x, y + r * 1.25);
        cairo_line_to(cr, x + r * 1.15, y - r * 0.85);
        cairo_line_to(cr, x - r * 1.15, y - r * 0.85);
        cairo_close_path(cr);
        break;
    case CHART_CIRCLE:
    default:
        cairo_arc(cr, x, y, r, 0, 2 * PEN_PI);
        break;
    }
    chart_rgb(cr, fill);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0x222222);
    cairo_stroke(cr);
}
