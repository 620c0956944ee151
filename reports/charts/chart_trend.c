/* chart_trend.c: the trend small multiples, one panel per area of focus
 * over the years:
 *   trend-median  the network median, every unit's series in light grey
 *                 behind it;
 *   trend-UNIT    the unit's score with its interval band, its OLS line
 *                 over the fitted years, the network median dashed, and
 *                 under the panel the change since the base year, the
 *                 slope and whether its interval excludes 0, and the
 *                 progress class (so a rising slope beside a
 *                 'deterioration' reads as what it is: the class compares
 *                 the base year with the last).
 * Both draw the target score (results->target_score: the score of a unit
 * at every target) as a black dashed line when some area of focus has one.
 *
 * Invariants: every panel of every chart of a run shares one y scale, the
 * scores' own: nice ticks over every unit's scores of the areas of focus in
 * every year, the medians and the target scores, so panels and units
 * compare; intervals and trend lines are clipped to it. Tick labels are
 * printed on the first panel of each row only, and the years under every
 * panel, clear of them. Panels run four to a row in c->focus order;
 * slopes, intercepts, medians and classes come from struct trends, never
 * computed here; a missing year breaks a line, and a lone year with an
 * interval is a small box.
 */
#include "chart_int.h"
#include "compare.h"
#include "report_util.h"

#include <stdio.h>
#include <stdlib.h>

#define PANEL_COLS 4        /* panels a row, at most */
#define PANEL_TOP 35.0      /* panel title above the plot area */
#define PANEL_PLOT 66.0     /* height of the plot area */
#define PANEL_PITCH 150.0   /* from one row of panels to the next */

/* The node's target score in year index t (results->target_score), NaN
 * when there is none. */
static double target_at(const struct chart_ctx *c, int node, int t)
{
    const struct results *r = c->in->res;
    if (!r || !r->target_score || node < 0 || (size_t)node >= r->nnode || t < 0 ||
        (size_t)t >= r->nyear)
        return NAN;
    return r->target_score[(size_t)node * r->nyear + (size_t)t];
}

/* 1 when some area of focus has a target score in some year. */
static int focus_has_target(const struct chart_ctx *c)
{
    for (int f = 0; f < c->nfocus; f++)
        for (size_t t = 0; t < c->in->cube->nyear; t++)
            if (fin(target_at(c, c->focus[f], (int)t)))
                return 1;
    return 0;
}

/* ---- planning ----------------------------------------------------------- */

static void trend_size(const struct chart_ctx *c, struct chart_item *it)
{
    int cols = c->nfocus < PANEL_COLS ? c->nfocus : PANEL_COLS;
    int rows = (c->nfocus + cols - 1) / cols;
    it->width = CHART_W;
    it->height = CHART_HEAD + 18 + rows * PANEL_PITCH + CHART_FOOT;
}

int chart_plan_trend_median(const struct chart_ctx *c, struct chart_item *it)
{
    const struct cube *cb = c->in->cube;
    int base = c->in->cfg ? c->in->cfg->base_year : cb->year[0];
    int tb = cube_year_index(cb, base);
    if (tb < 0)
        tb = 0;
    int rose = 0, known = 0;
    for (int f = 0; f < c->nfocus; f++) {
        double m0 = chart_median(c, c->focus[f], tb), m1 = chart_median(c, c->focus[f], c->t);
        if (fin(m0) && fin(m1)) {
            known++;
            rose += m1 > m0;
        }
    }
    char f1[64], fn[64];
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    if (!known)
        it->title = chart_fmt("Network median by %s", f1);
    else if (known == c->nfocus)
        it->title = chart_fmt("Network median rose in %d of %d %s since %d", rose, known,
                              fn, cb->year[tb]);
    else
        it->title = chart_fmt("Network median rose in %d of the %d %s with a median in "
                              "%d and %d", rose, known, fn, cb->year[tb], c->year);
    int tg = focus_has_target(c);
    it->subtitle = chart_fmt("Median score across units (black) in each %s, "
                             "%d to %d; each unit's series in grey%s.", f1,
                             cb->year[0], cb->year[cb->nyear - 1],
                             tg ? "; dashed: the score of a unit at every target" : "");
    it->alt = chart_fmt("Small multiples of the network median score in %d %s "
                        "from %d to %d, drawn over every unit's series in grey%s.",
                        c->nfocus, fn, cb->year[0], cb->year[cb->nyear - 1],
                        tg ? ", with the target score as a dashed line" : "");
    trend_size(c, it);
    return 0;
}

int chart_plan_trend(const struct chart_ctx *c, struct chart_item *it)
{
    const struct cube *cb = c->in->cube;
    size_t u = (size_t)it->unit;
    int up = 0, known = 0, sig_up = 0, sig_down = 0, assessed = 0;
    for (int f = 0; f < c->nfocus; f++) {
        size_t at = TREND_AT(c->tr, c->focus[f], u);
        double ch = c->tr->change_since_base[at];
        if (fin(ch)) {
            known++;
            up += ch > 0;
        }
        if (c->tr->change_assessed && c->tr->change_assessed[at]) {
            assessed++;
            sig_up += c->tr->change_significant[at] && ch > 0;
            sig_down += c->tr->change_significant[at] && ch < 0;
        }
    }
    int base = c->in->cfg ? c->in->cfg->base_year : cb->year[0];
    char f1[64], fn[64], sig[160] = "";
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    if (assessed)
        snprintf(sig, sizeof sig, " (significant rises in %d, falls in %d)", sig_up, sig_down);
    it->title = known ? chart_fmt("%s gained in %d of %d %s since %d%s",
                                  chart_unit_title(c, u), up, known, fn, base, sig)
                      : chart_fmt("%s: too few years for trends", chart_unit_title(c, u));
    int tg = focus_has_target(c);
    it->subtitle = chart_fmt("%s: score in each %s, %d\xE2\x80\x93%d%s, OLS trend, "
                             "network median%s; under each panel: change since %d, slope a year "
                             "and whether it differs significantly from 0, progress class.",
                             c->label[u], f1, cb->year[0], cb->year[cb->nyear - 1],
                             has_iv(c) ? ", interval" : "", tg ? ", target score" : "", base);
    it->alt = chart_fmt("Small multiples of %s's scores in %d %s from %d to "
                        "%d%s, with OLS trend lines, the network median%s; scores rose "
                        "since the base year in %d of %d %s.",
                        c->label[u], c->nfocus, fn, cb->year[0], cb->year[cb->nyear - 1],
                        has_iv(c) ? " with interval bands" : "",
                        tg ? " and the target score as a dashed line" : "", up, known, fn);
    trend_size(c, it);
    return 0;
}

/* ---- drawing ------------------------------------------------------------ */

/* What every panel of one chart shares. */
struct trend_draw {
    struct chart_pen *p;
    cairo_t *cr;
    const struct chart_ctx *c;
    const int *years;       /* the cube's years */
    size_t ny;              /* how many */
    size_t u;               /* the unit (trend-UNIT) */
    int median_only;        /* trend-median */
    int has_target;         /* some area of focus has a target score */
    struct chart_ticks tk;  /* the y ticks of every panel */
    double *v, *vl, *vh;    /* ny values each: the series being drawn */
};

/* One panel's plot area and scales. */
struct panel {
    double ax0, ax1, ay0, ay1;
    struct chart_scale sx, sy;
};

static void polyline(cairo_t *cr, const struct chart_scale *sx,
                     const struct chart_scale *sy, const int *years,
                     const double *v, size_t n)
{
    int pen = 0;
    for (size_t t = 0; t < n; t++) {
        if (!fin(v[t])) {
            pen = 0;
            continue;
        }
        double x = chart_scale_map(sx, years[t]), y = chart_scale_map(sy, v[t]);
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = 1;
    }
}

/* The y ticks every panel of every chart shares: over every unit's scores
 * of the areas of focus in every year, the medians and the target scores
 * (the unit's own intervals are clipped to them). */
static void trend_ticks(struct trend_draw *td)
{
    const struct chart_ctx *c = td->c;
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfocus; f++)
        for (size_t t = 0; t < td->ny; t++) {
            double w[2] = {chart_median(c, c->focus[f], (int)t),
                           target_at(c, c->focus[f], (int)t)};
            chart_widen(&lo, &hi, w, 2);
            for (size_t k = 0; k < c->in->cube->nunit; k++) {
                double v = score_at(c, c->focus[f], (int)t, k);
                chart_widen(&lo, &hi, &v, 1);
            }
        }
    chart_nice_ticks(lo, hi, 4, &td->tk);
}

/* The legend line: median and units (trend-median) or score, interval,
 * OLS trend and median (trend-UNIT), then the target score when drawn. */
static void trend_legend(const struct trend_draw *td)
{
    struct chart_pen *p = td->p;
    cairo_t *cr = td->cr;
    struct chart_font fl = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double lx = 12, ly = CHART_HEAD, w;
    cairo_set_line_width(cr, 1.4);
    if (td->median_only) {
        chart_rgb(cr, 0x111111);
        chart_legend_line(cr, lx, ly);
        chart_marker(cr, CHART_SQUARE, lx + 7, ly + 5, 2.2, 0x111111);
        chart_text(p, "network median", &fl, lx + 18, ly, 1, &w);
        lx += w + 40;
        chart_rgb(cr, 0xC8C8C8);
        cairo_set_line_width(cr, 0.6);
        chart_legend_line(cr, lx, ly);
        chart_text(p, "each unit", &fl, lx + 18, ly, 1, &w);
        lx += w + 30;
    } else {
        lx += chart_legend_score(p, &fl, lx, ly, 2.2) + 30;
        if (has_iv(td->c)) {
            cairo_rectangle(cr, lx, ly + 1, 14, 8);
            chart_rgba(cr, BLUE, 0.2);
            cairo_fill(cr);
            chart_text(p, "interval", &fl, lx + 18, ly, 1, &w);
            lx += w + 30;
        }
        chart_rgb(cr, VERM);
        cairo_set_line_width(cr, 1);
        chart_legend_line(cr, lx, ly);
        chart_text(p, "OLS trend", &fl, lx + 18, ly, 1, &w);
        lx += w + 30;
        chart_legend_median(p, &fl, lx, ly, &w);
        lx += w + 30;
    }
    if (td->has_target) {
        cairo_set_line_width(cr, 1.2);
        chart_rgb(cr, 0x000000);
        double dash[] = {4, 2};
        cairo_set_dash(cr, dash, 2, 0);
        chart_legend_line(cr, lx, ly);
        cairo_set_dash(cr, NULL, 0, 0);
        chart_text(p, "target score", &fl, lx + 18, ly, 1, NULL);
    }
}

/* Panel f of width pw: its title, plot area, y grid (tick labels on the
 * first panel of a row) and the first and last year under the plot, below
 * the lowest tick label; fills pn with its area and scales. */
static void panel_axes(const struct trend_draw *td, int f, double pw, struct panel *pn)
{
    struct chart_pen *p = td->p;
    cairo_t *cr = td->cr;
    const struct chart_ticks *tk = &td->tk;
    int cols = td->c->nfocus < PANEL_COLS ? td->c->nfocus : PANEL_COLS;
    double px = 12 + (f % cols) * (pw + 10), py = CHART_HEAD + 18 + (f / cols) * PANEL_PITCH;
    char b[96];
    /* panel titles wrap (up to three lines) rather than being cut */
    struct chart_font ft = {7, 1, INK, CHART_LEFT, pw, 1};
    chart_node_label(nd(td->c, td->c->focus[f]), b, sizeof b);
    chart_text(p, b, &ft, px, py - 2, 1, NULL);
    pn->ax0 = px + 22;
    pn->ax1 = px + pw - 4;
    pn->ay0 = py + PANEL_TOP;
    pn->ay1 = pn->ay0 + PANEL_PLOT;
    pn->sx = (struct chart_scale){td->years[0], td->years[td->ny - 1], pn->ax0, pn->ax1};
    pn->sy = (struct chart_scale){tk->lo, tk->hi, pn->ay1, pn->ay0};
    cairo_rectangle(cr, pn->ax0, pn->ay0, pn->ax1 - pn->ax0, pn->ay1 - pn->ay0);
    chart_rgb(cr, 0xFAFAFA);
    cairo_fill(cr);
    cairo_set_line_width(cr, 0.4);
    struct chart_font fa = {6.5, 0, 0x555555, CHART_RIGHT, 0, 0};
    for (int i = 0; i < tk->n; i++) {
        double tv = chart_tick_value(tk, i), y = chart_scale_map(&pn->sy, tv);
        chart_rgb(cr, 0xE0E0E0);
        cairo_move_to(cr, pn->ax0, y);
        cairo_line_to(cr, pn->ax1, y);
        cairo_stroke(cr);
        if (f % cols == 0) {
            snprintf(b, sizeof b, "%.*f", tk->decimals, tv);
            chart_text_mid(p, b, &fa, pn->ax0 - 3, y);
        }
    }
    fa.align = CHART_LEFT;
    snprintf(b, sizeof b, "%d", td->years[0]);
    chart_text(p, b, &fa, pn->ax0, pn->ay1 + 5, 1, NULL);
    if (td->ny > 1) {
        fa.align = CHART_RIGHT;
        snprintf(b, sizeof b, "%d", td->years[td->ny - 1]);
        chart_text(p, b, &fa, pn->ax1, pn->ay1 + 5, 1, NULL);
    }
}

/* The node's target score over the years, black and dashed. */
static void panel_target(const struct trend_draw *td, int node, const struct panel *pn)
{
    cairo_t *cr = td->cr;
    for (size_t t = 0; t < td->ny; t++)
        td->vh[t] = target_at(td->c, node, (int)t);
    cairo_set_line_width(cr, 1.2);
    chart_rgb(cr, 0x000000);
    double dash[] = {4, 2};
    cairo_set_dash(cr, dash, 2, 0);
    polyline(cr, &pn->sx, &pn->sy, td->years, td->vh, td->ny);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* trend-median's panel: every unit's series in light grey, the median (in
 * td->v) in black with square markers, its value in the evaluation year
 * under the panel. */
static void panel_medians(const struct trend_draw *td, int node, const struct panel *pn,
                          const struct chart_font *fs)
{
    const struct chart_ctx *c = td->c;
    cairo_t *cr = td->cr;
    const double *v = td->v;
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xC8C8C8);
    for (size_t k = 0; k < c->in->cube->nunit; k++) {
        for (size_t t = 0; t < td->ny; t++)
            td->vl[t] = score_at(c, node, (int)t, k);
        polyline(cr, &pn->sx, &pn->sy, td->years, td->vl, td->ny);
        cairo_stroke(cr);
    }
    cairo_set_line_width(cr, 1.6);
    chart_rgb(cr, 0x111111);
    polyline(cr, &pn->sx, &pn->sy, td->years, v, td->ny);
    cairo_stroke(cr);
    for (size_t t = 0; t < td->ny; t++)
        if (fin(v[t]))
            chart_marker(cr, CHART_SQUARE, chart_scale_map(&pn->sx, td->years[t]),
                         chart_scale_map(&pn->sy, v[t]), 1.8, 0x111111);
    char b[96], b2[32];
    snprintf(b, sizeof b, "median %s in %d", chart_num1(b2, sizeof b2, v[c->t]), c->year);
    chart_text(td->p, b, fs, pn->ax0 - 22, pn->ay1 + 15, 1, NULL);
}

/* The interval band between td->vl and td->vh: one polygon per run of
 * years with both bounds, a lone year as a box half a year wide. */
static void panel_band(const struct trend_draw *td, const struct panel *pn)
{
    cairo_t *cr = td->cr;
    const double *vl = td->vl, *vh = td->vh;
    const int *yr = td->years;
    for (size_t t = 0; t < td->ny;) {
        if (!fin(vl[t]) || !fin(vh[t])) {
            t++;
            continue;
        }
        size_t e = t;
        while (e + 1 < td->ny && fin(vl[e + 1]) && fin(vh[e + 1]))
            e++;
        double half = e == t ? 0.25 : 0;
        cairo_move_to(cr, chart_scale_map(&pn->sx, yr[t] - half),
                      chart_scale_map(&pn->sy, vl[t]));
        for (size_t k = t; k <= e; k++)
            cairo_line_to(cr, chart_scale_map(&pn->sx, yr[k] + (k == e ? half : 0)),
                          chart_scale_map(&pn->sy, vl[k]));
        for (size_t k = e + 1; k-- > t;)
            cairo_line_to(cr, chart_scale_map(&pn->sx, yr[k] - (k == t ? half : 0)),
                          chart_scale_map(&pn->sy, vh[k]));
        cairo_close_path(cr);
        chart_rgba(cr, BLUE, 0.2);
        cairo_fill(cr);
        t = e + 1;
    }
}

/* The OLS line of trends cell over its fitted years, clipped to the plot
 * area. */
static void panel_ols(const struct trend_draw *td, size_t cell, const struct panel *pn)
{
    const struct trends *tr = td->c->tr;
    cairo_t *cr = td->cr;
    double sl = tr->slope[cell];
    double ic = tr->intercept ? tr->intercept[cell] : NAN;
    if (!fin(sl) || !fin(ic) || tr->points[cell] < 2)
        return;
    double ya = tr->first_year[cell], yb = tr->last_year[cell];
    cairo_save(cr);
    cairo_rectangle(cr, pn->ax0, pn->ay0, pn->ax1 - pn->ax0, pn->ay1 - pn->ay0);
    cairo_clip(cr);
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, VERM);
    cairo_move_to(cr, chart_scale_map(&pn->sx, ya), chart_scale_map(&pn->sy, ic + sl * ya));
    cairo_line_to(cr, chart_scale_map(&pn->sx, yb), chart_scale_map(&pn->sy, ic + sl * yb));
    cairo_stroke(cr);
    cairo_restore(cr);
}

/* Under a unit's panel, from (x, y), three lines: the change since the
 * base year, the OLS slope and whether its interval excludes 0 (or why
 * there is none), and the progress class. */
static void panel_words(const struct trend_draw *td, size_t cell, double x, double y,
                        const struct chart_font *fs)
{
    const struct trends *tr = td->c->tr;
    char b[128];
    double ch = tr->change_since_base[cell];
    if (fin(ch) && tr->base_year[cell] > 0) {
        snprintf(b, sizeof b, "%+.1f since %d", report_plain_zero(ch, 1), tr->base_year[cell]);
        chart_text(td->p, b, fs, x, y, 1, NULL);
    }
    double sl = tr->slope[cell], l = tr->slope_low[cell], h = tr->slope_high[cell];
    if (fin(sl)) {
        if (fin(l) && fin(h))
            snprintf(b, sizeof b, "%+.2f/yr, %s", report_plain_zero(sl, 2),   /* the subtitle says "slope" */
                     l > 0 || h < 0 ? "significant" : "not significant");
        else
            snprintf(b, sizeof b, "%+.2f/yr", report_plain_zero(sl, 2));
        chart_text(td->p, b, fs, x, y + 9, 1, NULL);
    } else if (fin(ch)) {   /* a change but no slope: say why, briefly */
        const struct compare *cm = td->c->in->res->compare;
        int why = cm && cm->series_reason ? cm->series_reason[cell] : COMPARE_OK;
        chart_text(td->p, why == COMPARE_NO_COMMON ? "no slope: indicators changed"
                          : why == COMPARE_FEW_POINTS ? "no slope: too few years"
                                                      : "no slope",
                   fs, x, y + 9, 1, NULL);
    }
    enum trend_class k = tr->progress[cell];   /* the long class name, shortened to fit */
    chart_text(td->p, k == TREND_ACCELERATION_NEEDED ? "acceleration needed"
                                                     : trend_class_name(k),
               fs, x, y + 18, 1, NULL);
}

/* trend-UNIT's panel: the median (in td->v) dashed, the unit's interval
 * band, its OLS line, its scores on top, and under the panel the slope and
 * the progress class. */
static void panel_unit(const struct trend_draw *td, int node, const struct panel *pn,
                       const struct chart_font *fs)
{
    const struct chart_ctx *c = td->c;
    cairo_t *cr = td->cr;
    double *v = td->v;
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    polyline(cr, &pn->sx, &pn->sy, td->years, v, td->ny);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t t = 0; t < td->ny; t++) {
        td->vl[t] = lo_at(c, node, (int)t, td->u);
        td->vh[t] = hi_at(c, node, (int)t, td->u);
        v[t] = score_at(c, node, (int)t, td->u);
    }
    cairo_save(cr);
    cairo_rectangle(cr, pn->ax0, pn->ay0, pn->ax1 - pn->ax0, pn->ay1 - pn->ay0);
    cairo_clip(cr);
    panel_band(td, pn);
    cairo_restore(cr);
    size_t cell = TREND_AT(c->tr, node, td->u);
    panel_ols(td, cell, pn);
    cairo_set_line_width(cr, 1.4);
    chart_rgb(cr, BLUE);
    polyline(cr, &pn->sx, &pn->sy, td->years, v, td->ny);
    cairo_stroke(cr);
    for (size_t t = 0; t < td->ny; t++)
        if (fin(v[t]))
            chart_marker(cr, CHART_CIRCLE, chart_scale_map(&pn->sx, td->years[t]),
                         chart_scale_map(&pn->sy, v[t]), 1.9, BLUE);
    panel_words(td, cell, pn->ax0 - 22, pn->ay1 + 15, fs);
}

/* Both kinds: the frame, the shared ticks, the legend, then each panel. */
static void draw_trend(struct chart_pen *p, const struct chart_ctx *c,
                       const struct chart_item *it, int median_only)
{
    const struct cube *cb = c->in->cube;
    struct trend_draw td = {.p = p, .cr = chart_pen_cr(p), .c = c, .years = cb->year,
                            .ny = cb->nyear, .u = it->unit < 0 ? 0 : (size_t)it->unit,
                            .median_only = median_only};
    char note[200];
    chart_ci_note(c, note, sizeof note);
    chart_frame(p, c, it, median_only ? "" : note);
    if (!(td.v = malloc(td.ny * 3 * sizeof *td.v)))
        return;
    td.vl = td.v + td.ny;
    td.vh = td.v + 2 * td.ny;
    trend_ticks(&td);
    td.has_target = focus_has_target(c);
    trend_legend(&td);
    int cols = c->nfocus < PANEL_COLS ? c->nfocus : PANEL_COLS;
    double pw = (it->width - 24 - (cols - 1) * 10.0) / cols;
    struct chart_font fs = {6.5, 0, 0x444444, CHART_LEFT, pw, 0};
    for (int f = 0; f < c->nfocus; f++) {
        int node = c->focus[f];
        struct panel pn;
        panel_axes(&td, f, pw, &pn);
        if (td.has_target)
            panel_target(&td, node, &pn);
        for (size_t t = 0; t < td.ny; t++)
            td.v[t] = chart_median(c, node, (int)t);
        if (median_only)
            panel_medians(&td, node, &pn, &fs);
        else
            panel_unit(&td, node, &pn, &fs);
    }
    free(td.v);
}

void chart_draw_trend_median(struct chart_pen *p, const struct chart_ctx *c,
                             const struct chart_item *it)
{
    draw_trend(p, c, it, 1);
}

void chart_draw_trend(struct chart_pen *p, const struct chart_ctx *c,
                      const struct chart_item *it)
{
    draw_trend(p, c, it, 0);
}
