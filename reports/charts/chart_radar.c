/* chart_radar.c: draws radar-UNIT (planned with the profile in
 * chart_profile.c): the unit's areas of focus on a radar, each score's
 * interval as a whisker along its axis over a shaded band, the network
 * median dashed.
 *
 * Invariants: axes run clockwise from the top in framework order (c->focus),
 * whatever the scores, so radars of different units compare; each axis is
 * named (long names shortened at a word) with the unit's score under the
 * name; radii start at zero when every score is positive; rings carry nice
 * ticks, labelled in the gap between axes that the polygons cross farthest
 * from the labels (chart_radar_ring_gaps); a missing value breaks the
 * score and median lines and leaves out the band.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHART_PI 3.14159265358979323846
#define RADAR_R 132.0   /* radius of the outer ring */

/* A radar axis name: the node's name (its code when it has none), cut at
 * a word boundary with an ellipsis when longer than max bytes, so that
 * it wraps to at most about three lines at 7 pt in 118 pt (the longest
 * area-of-focus name of the UNESCO framework, 51 characters, takes two). */
static const char *axis_name(const struct chart_ctx *c, int node, char *buf,
                             size_t len, size_t max)
{
    const char *s = chart_node_short(c, node);
    size_t n = strlen(s);
    if (max + 4 > len)
        max = len > 4 ? len - 4 : 0;
    if (n <= max) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    size_t cut = max;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut == 0) {               /* one long word: cut at a character */
        cut = max;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == ',' ||
                       s[cut - 1] == ';' || s[cut - 1] == ':'))
        cut--;
    snprintf(buf, len, "%.*s\xE2\x80\xA6", (int)cut, s);
    return buf;
}

/* What one radar draws: the centre, the radial scale, the angle between
 * axes, and per axis the score, median, low and high bounds. */
struct radar {
    struct chart_pen *p;
    cairo_t *cr;
    const struct chart_ctx *c;
    int n;                  /* axes */
    int iv;                 /* intervals drawn */
    double cx, cy, step;
    struct chart_ticks tk;
    struct chart_scale sr;  /* value to radius */
    double *v, *vm, *vl, *vh;   /* n each, one block: the series the ring
                                   labels avoid */
    double *rad;            /* 4 n: the radii of v, vm, vl, vh */
};

/* The point at radius r on axis k. */
static double ax_x(const struct radar *rd, int k, double r)
{
    return rd->cx + r * cos(-CHART_PI / 2 + rd->step * k);
}

static double ax_y(const struct radar *rd, int k, double r)
{
    return rd->cy + r * sin(-CHART_PI / 2 + rd->step * k);
}

/* The radar's legend: score, interval (whisker over band) when drawn,
 * network median. */
static void radar_legend(struct chart_pen *p, const struct chart_ctx *c, double x,
                         double y)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    cairo_set_line_width(cr, 1.6);
    x += chart_legend_score(p, &f, x, y, 2.6) + 40;
    if (has_iv(c)) {
        cairo_rectangle(cr, x, y + 2, 14, 6);
        chart_rgba(cr, BLUE, 0.22);
        cairo_fill(cr);
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, 0x333333);
        cairo_move_to(cr, x + 1, y + 5);
        cairo_line_to(cr, x + 13, y + 5);
        cairo_move_to(cr, x + 1, y + 2);
        cairo_line_to(cr, x + 1, y + 8);
        cairo_move_to(cr, x + 13, y + 2);
        cairo_line_to(cr, x + 13, y + 8);
        cairo_stroke(cr);
        char b[64];
        snprintf(b, sizeof b, "%d%% interval", level_pct(c));
        chart_text(p, b, &f, x + 18, y, 1, &w);
        x += w + 40;
    }
    cairo_set_line_width(cr, 1.2);
    chart_legend_median(p, &f, x, y, NULL);
}

/* A closed polygon through radius r(v[k]) on each of the n radar axes;
 * returns 0 (nothing drawn) when some value is missing. */
static int radar_path(cairo_t *cr, double cx, double cy, const struct chart_scale *sr,
                      const double *v, int n)
{
    for (int k = 0; k < n; k++)
        if (!fin(v[k]))
            return 0;
    for (int k = 0; k < n; k++) {
        double a = -CHART_PI / 2 + 2 * CHART_PI * k / n, r = chart_scale_map(sr, v[k]);
        if (k == 0)
            cairo_move_to(cr, cx + r * cos(a), cy + r * sin(a));
        else
            cairo_line_to(cr, cx + r * cos(a), cy + r * sin(a));
    }
    cairo_close_path(cr);
    return 1;
}

/* A new path through the present values of v, axis k at angle
 * -pi/2 + step k, back to axis 0, broken over missing values (the caller
 * strokes it). */
static void radar_polyline(cairo_t *cr, double cx, double cy, const struct chart_scale *sr,
                           const double *v, int n, double step)
{
    int pen = 0;
    cairo_new_path(cr);
    for (int f = 0; f <= n; f++) {
        int k = f % n;
        if (!fin(v[k])) {
            pen = 0;
            continue;
        }
        double a = -CHART_PI / 2 + step * k, r = chart_scale_map(sr, v[k]);
        if (pen)
            cairo_line_to(cr, cx + r * cos(a), cy + r * sin(a));
        else
            cairo_move_to(cr, cx + r * cos(a), cy + r * sin(a));
        pen = 1;
    }
}

/* The values of each axis (bounds only where intervals are drawn and the
 * score is there) and the ticks over them, from zero when all are
 * positive. */
static void radar_values(struct radar *rd, size_t u)
{
    const struct chart_ctx *c = rd->c;
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < rd->n; f++) {
        rd->v[f] = score_at(c, c->focus[f], c->t, u);
        rd->vm[f] = chart_median(c, c->focus[f], c->t);
        rd->vl[f] = rd->iv && fin(rd->v[f]) ? lo_at(c, c->focus[f], c->t, u) : NAN;
        rd->vh[f] = rd->iv && fin(rd->v[f]) ? hi_at(c, c->focus[f], c->t, u) : NAN;
        double w[4] = {rd->v[f], rd->vm[f], rd->vl[f], rd->vh[f]};
        chart_widen(&lo, &hi, w, 4);
    }
    if (fin(lo) && lo > 0)
        lo = 0;
    chart_nice_ticks(lo, hi, 5, &rd->tk);
    rd->sr = (struct chart_scale){rd->tk.lo, rd->tk.hi, 0, RADAR_R};
}

/* The rings at ticks 1.. (their radii into ring[], returning how many)
 * and the spokes. */
static int radar_grid(const struct radar *rd, double *ring)
{
    cairo_t *cr = rd->cr;
    int nring = 0;
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xDDDDDD);
    for (int i = 1; i < rd->tk.n; i++) {
        double r = chart_scale_map(&rd->sr, chart_tick_value(&rd->tk, i));
        ring[nring++] = r;
        for (int f = 0; f <= rd->n; f++) {
            if (f == 0)
                cairo_move_to(cr, ax_x(rd, f % rd->n, r), ax_y(rd, f % rd->n, r));
            else
                cairo_line_to(cr, ax_x(rd, f % rd->n, r), ax_y(rd, f % rd->n, r));
        }
        cairo_stroke(cr);
    }
    chart_rgb(cr, 0xCCCCCC);
    for (int f = 0; f < rd->n; f++) {
        cairo_move_to(cr, rd->cx, rd->cy);
        cairo_line_to(cr, ax_x(rd, f, RADAR_R), ax_y(rd, f, RADAR_R));
        cairo_stroke(cr);
    }
    return nring;
}

/* The ring labels, each in the clearest gap between axes, on a white patch
 * over its ring. */
static void radar_ring_labels(const struct radar *rd, const double *ring, int nring)
{
    struct chart_pen *p = rd->p;
    cairo_t *cr = rd->cr;
    const struct chart_ticks *tk = &rd->tk;
    for (int k = 0; k < 4 * rd->n; k++)
        rd->rad[k] = fin(rd->v[k]) ? chart_scale_map(&rd->sr, rd->v[k]) : NAN;
    struct chart_font fr = {6, 0, 0x666666, CHART_CENTER, 0, 0};
    char b[160];
    double lw = 0, lh = 0;   /* the largest ring label, for the gap choice */
    for (int i = 1; i < tk->n; i++) {
        double tw;
        snprintf(b, sizeof b, "%.*f", tk->decimals, chart_tick_value(tk, i));
        lh = fmax(lh, chart_text(p, b, &fr, 0, 0, 0, &tw));
        lw = fmax(lw, tw);
    }
    int gap[CHART_TICKS_MAX];
    chart_radar_ring_gaps(rd->rad, 4, rd->n, ring, nring, lw / 2 + 2.5, lh / 2 + 1.5, gap);
    double half = cos(rd->step / 2);
    for (int i = 1; i < tk->n; i++) {
        double ag = -CHART_PI / 2 + rd->step * gap[i - 1] + rd->step / 2;
        double r = ring[i - 1] * half, tw;
        snprintf(b, sizeof b, "%.*f", tk->decimals, chart_tick_value(tk, i));
        double th = chart_text(p, b, &fr, 0, 0, 0, &tw);
        double x = rd->cx + r * cos(ag), y = rd->cy + r * sin(ag);
        cairo_rectangle(cr, x - tw / 2 - 1, y - th / 2, tw + 2, th);
        chart_rgb(cr, 0xFFFFFF);
        cairo_fill(cr);
        chart_text_mid(p, b, &fr, x, y);
    }
}

/* Axis names with the score under them, outside the outer ring on the
 * side the axis points to. */
static void radar_axis_names(const struct radar *rd)
{
    struct chart_font fa = {7, 0, INK, CHART_CENTER, 118, 1};
    char b[160];
    for (int f = 0; f < rd->n; f++) {
        double a = -CHART_PI / 2 + rd->step * f, ca = cos(a), sa = sin(a);
        char nm[96], v1[32];
        axis_name(rd->c, rd->c->focus[f], nm, sizeof nm, 56);
        snprintf(b, sizeof b, "%s\n%s", nm, chart_num1(v1, sizeof v1, rd->v[f]));
        fa.align = ca > 0.3 ? CHART_LEFT : ca < -0.3 ? CHART_RIGHT : CHART_CENTER;
        double h = chart_text(rd->p, b, &fa, 0, 0, 0, NULL);
        double px = rd->cx + (RADAR_R + 8) * ca, py = rd->cy + (RADAR_R + 8) * sa;
        /* top edge: above the point at the top, below it at the bottom,
         * centred on it at the sides */
        double y = py - h / 2 + sa * h / 2 + (sa < -0.3 ? -2 : sa > 0.3 ? 2 : 0);
        chart_text(rd->p, b, &fa, px, y, 1, NULL);
    }
}

/* Whiskers from the low to the high bound along each axis, with caps
 * across it. */
static void radar_whiskers(const struct radar *rd)
{
    cairo_t *cr = rd->cr;
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, 0x333333);
    for (int f = 0; f < rd->n; f++) {
        if (!fin(rd->vl[f]) || !fin(rd->vh[f]))
            continue;
        double a = -CHART_PI / 2 + rd->step * f, ca = cos(a), sa = sin(a);
        double r0 = chart_scale_map(&rd->sr, rd->vl[f]);
        double r1 = chart_scale_map(&rd->sr, rd->vh[f]);
        cairo_move_to(cr, rd->cx + r0 * ca, rd->cy + r0 * sa);
        cairo_line_to(cr, rd->cx + r1 * ca, rd->cy + r1 * sa);
        for (int e = 0; e < 2; e++) {
            double r = e ? r1 : r0;
            cairo_move_to(cr, rd->cx + r * ca + 3 * sa, rd->cy + r * sa - 3 * ca);
            cairo_line_to(cr, rd->cx + r * ca - 3 * sa, rd->cy + r * sa + 3 * ca);
        }
    }
    cairo_stroke(cr);
}

/* The series, bottom to top: the median dashed; the interval band (the
 * ring between the high and the low polygon) or, without intervals, the
 * score polygon's area shaded; the score line; the whiskers; the
 * markers. */
static void radar_series(const struct radar *rd)
{
    cairo_t *cr = rd->cr;
    double cx = rd->cx, cy = rd->cy;
    double dash[] = {3, 2};
    radar_polyline(cr, cx, cy, &rd->sr, rd->vm, rd->n, rd->step);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 1.2);
    chart_rgb(cr, GREY);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_new_path(cr);
    if (rd->iv) {
        if (radar_path(cr, cx, cy, &rd->sr, rd->vh, rd->n) &&
            radar_path(cr, cx, cy, &rd->sr, rd->vl, rd->n)) {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            chart_rgba(cr, BLUE, 0.22);
            cairo_fill(cr);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        }
        cairo_new_path(cr);
    } else if (radar_path(cr, cx, cy, &rd->sr, rd->v, rd->n)) {
        chart_rgba(cr, BLUE, 0.15);
        cairo_fill(cr);
    }
    radar_polyline(cr, cx, cy, &rd->sr, rd->v, rd->n, rd->step);
    cairo_set_line_width(cr, 1.6);
    chart_rgb(cr, BLUE);
    cairo_stroke(cr);
    if (rd->iv)
        radar_whiskers(rd);
    for (int f = 0; f < rd->n; f++) {
        if (!fin(rd->v[f]))
            continue;
        double r = chart_scale_map(&rd->sr, rd->v[f]);
        chart_marker(cr, CHART_CIRCLE, ax_x(rd, f, r), ax_y(rd, f, r), 2.6, BLUE);
    }
}

void chart_draw_radar(struct chart_pen *p, const struct chart_ctx *c,
                      const struct chart_item *it)
{
    int n = c->nfocus;
    char note[200], foot[320];
    chart_ci_note(c, note, sizeof note);
    snprintf(foot, sizeof foot, "%s Axes run clockwise from the top.", note);
    chart_frame(p, c, it, foot);
    if (n < 1)
        return;
    struct radar rd = {.p = p, .cr = chart_pen_cr(p), .c = c, .n = n, .iv = has_iv(c),
                       .cx = it->width / 2, .cy = CHART_HEAD + 205,
                       .step = 2 * CHART_PI / n};
    if (!(rd.v = malloc((size_t)n * 8 * sizeof *rd.v)))
        return;
    rd.vm = rd.v + n;
    rd.vl = rd.v + 2 * n;
    rd.vh = rd.v + 3 * n;
    rd.rad = rd.v + 4 * n;
    radar_values(&rd, (size_t)it->unit);
    double ring[CHART_TICKS_MAX];
    int nring = radar_grid(&rd, ring);
    radar_ring_labels(&rd, ring, nring);
    radar_axis_names(&rd);
    radar_series(&rd);
    radar_legend(p, c, 12, CHART_HEAD);
    free(rd.v);
}
