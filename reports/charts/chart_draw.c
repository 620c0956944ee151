/* chart_draw.c: the parts several kinds draw (chart_int.h): the frame of
 * title, subtitle and footer, the interval note, the x axis, legend
 * samples, and the row of a dot plot that the node dot plots and the unit
 * profiles share.
 *
 * Every chart is drawn in points on any cairo context: the PNG writer
 * scales an image surface by CHART_DPI/72, the PDF writer and the report
 * draw as vectors. Colour is never the only cue: markers differ in shape,
 * values are printed next to marks or inside cells, and series are
 * labelled directly. Each function here leaves the dash off.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

/* The sentence that says there is no sampling error. */
#define NO_SAMPLING_ERROR "No sampling error: every observation is exact, so " \
                          "scores have no interval."

static const struct chart_font F_TITLE = {13, 1, 0x111111, CHART_LEFT, 0, 0};

void chart_frame(struct chart_pen *p, const struct chart_ctx *c,
                 const struct chart_item *it, const char *note)
{
    cairo_t *cr = chart_pen_cr(p);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, it->width, it->height);
    chart_rgb(cr, 0xFFFFFF);
    cairo_fill(cr);
    cairo_restore(cr);
    /* the title is never cut: it shrinks to fit one line (13 to 10 pt) and
     * wraps at 10 pt when it still does not fit */
    struct chart_font f = F_TITLE;
    double avail = it->width - 24, tw;
    while (f.size > 10 && (chart_text(p, it->title, &f, 0, 0, 0, &tw), tw > avail))
        f.size -= 1;
    f.width = avail;
    f.wrap = 1;
    double h = chart_text(p, it->title, &f, 12, 10, 1, NULL);
    /* the subtitle shrinks (8.5 to 7 pt) when a wrapped title would push it
     * into the legend line at CHART_HEAD */
    struct chart_font s = {8.5, 0, 0x444444, CHART_LEFT, it->width - 24, 1};
    while (s.size > 7 &&
           10 + h + 2 + chart_text(p, it->subtitle, &s, 0, 0, 0, NULL) > CHART_HEAD - 3)
        s.size -= 0.5;
    chart_text(p, it->subtitle, &s, 12, 10 + h + 2, 1, NULL);
    struct chart_font ft = {6.5, 0, 0x666666, CHART_LEFT, it->width - 24, 1};
    char *txt = chart_fmt("%s%s%s", c->footer, note && note[0] ? " " : "", note ? note : "");
    chart_text(p, txt ? txt : c->footer, &ft, 12, it->height - CHART_FOOT + 8, 1, NULL);
    free(txt);
}

const char *chart_ci_note(const struct chart_ctx *c, char *buf, size_t len)
{
    if (c->exact)
        snprintf(buf, len, "%s", NO_SAMPLING_ERROR);
    else if (c->has_ci)
        snprintf(buf, len, "Intervals: %d%% Monte Carlo over sampling error "
                 "(%ld replications).", level_pct(c), c->in->run->replications);
    else
        snprintf(buf, len, "Intervals were not computed for this run.");
    return buf;
}

void chart_x_axis(struct chart_pen *p, const struct chart_scale *sx,
                  const struct chart_ticks *tk, double ytop, double ybot,
                  const char *title)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7, 0, 0x444444, CHART_CENTER, 0, 0};
    cairo_set_line_width(cr, 0.4);
    for (int i = 0; i < tk->n; i++) {
        double v = chart_tick_value(tk, i), x = chart_scale_map(sx, v);
        chart_rgb(cr, 0xE4E4E4);
        cairo_move_to(cr, x, ytop);
        cairo_line_to(cr, x, ybot);
        cairo_stroke(cr);
        char b[32];
        snprintf(b, sizeof b, "%.*f", tk->decimals, v);
        chart_text(p, b, &f, x, ybot + 2, 1, NULL);
    }
    chart_text(p, title, &f, (sx->r0 + sx->r1) / 2, ybot + 13, 1, NULL);
}

/* ---- legends ------------------------------------------------------------ */

void chart_legend_line(cairo_t *cr, double x, double y)
{
    cairo_move_to(cr, x, y + 5);
    cairo_line_to(cr, x + 14, y + 5);
    cairo_stroke(cr);
}

void chart_legend_median(struct chart_pen *p, const struct chart_font *f, double x,
                         double y, double *w)
{
    cairo_t *cr = chart_pen_cr(p);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    chart_legend_line(cr, x, y);
    cairo_set_dash(cr, NULL, 0, 0);
    chart_text(p, "network median", f, x + 18, y, 1, w);
}

double chart_legend_score(struct chart_pen *p, const struct chart_font *f, double x,
                          double y, double r)
{
    cairo_t *cr = chart_pen_cr(p);
    double w;
    chart_rgb(cr, BLUE);
    chart_legend_line(cr, x, y);
    chart_marker(cr, CHART_CIRCLE, x + 7, y + 5, r, BLUE);
    chart_text(p, "score", f, x + 18, y, 1, &w);
    return w;
}

void chart_legend_mark(struct chart_pen *p, double *x, double y, enum chart_shape sh, double r,
                       uint32_t col, const char *text)
{
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    chart_marker(chart_pen_cr(p), sh, *x + 4, y + 5, r, col);
    chart_text(p, text, &f, *x + 10, y, 1, &w);
    *x += w + 32;
}

void chart_median_legend(struct chart_pen *p, const struct chart_ctx *c, double x,
                         double y, int with_shapes)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    if (with_shapes && c->has_ci) {
        /* exact scores: the shapes compare the score itself with the median */
        chart_marker(cr, CHART_TRI_UP, x + 4, y + 5, 3.2, GREEN);
        chart_text(p, c->exact ? "above median" : "interval above median", &f,
                   x + 10, y, 1, &w);
        x += w + 22;
        chart_marker(cr, CHART_CIRCLE, x + 4, y + 5, 3, BLUE);
        chart_text(p, c->exact ? "at median" : "overlaps median", &f, x + 10, y,
                   1, &w);
        x += w + 22;
        chart_marker(cr, CHART_TRI_DOWN, x + 4, y + 5, 3.2, VERM);
        chart_text(p, "below median", &f, x + 10, y, 1, &w);
        x += w + 22;
    } else {
        chart_marker(cr, CHART_CIRCLE, x + 4, y + 5, 3, BLUE);
        chart_text(p, "score", &f, x + 10, y, 1, &w);
        x += w + 22;
    }
    cairo_set_line_width(cr, 1);
    chart_legend_median(p, &f, x, y, NULL);
}

/* ---- the dot row -------------------------------------------------------- */

/* Marker by the interval's position against the median: above, below, or
 * overlapping (or unknown). */
static enum chart_shape vs_median(double lo, double hi, double med, uint32_t *col)
{
    if (fin(lo) && fin(hi) && fin(med)) {
        if (lo > med) {
            *col = GREEN;
            return CHART_TRI_UP;
        }
        if (hi < med) {
            *col = VERM;
            return CHART_TRI_DOWN;
        }
    }
    *col = BLUE;
    return CHART_CIRCLE;
}

void chart_whisker(cairo_t *cr, double xl, double xh, double y)
{
    cairo_set_line_width(cr, 0.9);
    chart_rgb(cr, 0x555555);
    cairo_move_to(cr, xl, y);
    cairo_line_to(cr, xh, y);
    cairo_move_to(cr, xl, y - 2.5);
    cairo_line_to(cr, xl, y + 2.5);
    cairo_move_to(cr, xh, y - 2.5);
    cairo_line_to(cr, xh, y + 2.5);
    cairo_stroke(cr);
}

void chart_dot_row(struct chart_pen *p, const struct chart_scale *sx,
                   const struct chart_font *fv, double x0, double y, double v, double l,
                   double h, double med, double r)
{
    cairo_t *cr = chart_pen_cr(p);
    char b[32];
    if (!fin(v)) {
        chart_text(p, "no score", fv, x0 + 2, y - 4.5, 1, NULL);
        return;
    }
    double xv = chart_scale_map(sx, v), xr = xv;
    if (fin(l) && fin(h)) {
        xr = chart_scale_map(sx, h);
        chart_whisker(cr, chart_scale_map(sx, l), xr, y);
    }
    uint32_t col;
    enum chart_shape sh = vs_median(l, h, med, &col);
    chart_marker(cr, sh, xv, y, r, col);
    chart_num1(b, sizeof b, v);
    double tw, xt = xr + 5;
    chart_text(p, b, fv, 0, 0, 0, &tw);
    struct chart_font f = *fv;
    if (fin(med)) {
        double xm = chart_scale_map(sx, med);
        double xl = fmin(fin(l) && fin(h) ? chart_scale_map(sx, l) : xv, xv - r) - 4;
        if (xm >= xt - 2.5 && xm <= xt + tw + 2.5 && xl - tw >= x0) {
            f.align = CHART_RIGHT;
            xt = xl;
        }
    }
    chart_text(p, b, &f, xt, y - 4.5, 1, NULL);
}

void chart_hatch(cairo_t *cr, double x, double y, double w, double h, uint32_t rgb,
                 double lw)
{
    cairo_save(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    cairo_set_line_width(cr, lw);
    chart_rgb(cr, rgb);
    for (double d = -h; d < w; d += 4) {
        cairo_move_to(cr, x + d, y + h);
        cairo_line_to(cr, x + d + h, y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}
