/* chart_heatmap.c: heatmap[-P], the key features (rows, in framework order,
 * each named) by the units (columns, in index order) in the evaluation
 * year, on the viridis scale with each value printed in its cell.
 *
 *   +-------------------------------------------------------------+
 *   | title, subtitle                                             |
 *   |                              unit names, rotated   | legend |
 *   | K1_1_1 Every resident can read,  | 92 | 88 | 71 |  |        |
 *   |        write and count ...       |----+----+----|  |        |
 *   | ... (a darker rule between areas of focus)                  |
 *   | footer                                                      |
 *   +-------------------------------------------------------------+
 *
 * Invariants: the columns are the units with an index score in the year
 * (units without one are left out and the alternative text says so), at
 * most CHART_HEAT_COLS a page, the pages balanced (pages heatmap-1, -2, ...
 * when more than one); a row's name is one line, its type shrunk from 6
 * to 5.4 points to fit, or two lines of 5 points, never cut; one
 * colour scale for every page (nice ticks over every key feature's scores),
 * so pages compare; a missing score is a grey hatched cell, never a colour.
 * The report prints it at about 0.83 of its size (596 points wide).
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

#define HEAT_CW 13.0      /* cell width */
#define HEAT_CH 12.5      /* cell height: one line of a row's name */
#define HEAT_LABEL 300.0  /* width of the rows' names */
#define HEAT_TOP 118.0    /* height of the rotated unit names */

int chart_heatmap_pages(const struct chart_ctx *c)
{
    if (c->nfeat == 0 || c->nscored == 0)
        return 0;
    return (int)((c->nscored + CHART_HEAT_COLS - 1) / CHART_HEAT_COLS);
}

/* The units (positions in c->order) on page `page` of npage: [*first,
 * *last), the pages as even as they can be. */
static void heat_span(const struct chart_ctx *c, int page, int npage, size_t *first,
                      size_t *last)
{
    size_t n = c->nscored, np = npage > 0 ? (size_t)npage : 1, k = (size_t)(page - 1);
    *first = k * n / np;
    *last = (k + 1) * n / np;
}

/* How many key features unit u clearly tops: its score is the highest and
 * no other unit is level with it (an equal score, or with intervals an
 * interval that reaches its lower bound). Only units with enough data to
 * be ranked (ranked_at) count. Counted for the unit that tops
 * the most (the first such in index order) into *bu; -1 on ENOMEM. */
static int heat_leader(const struct chart_ctx *c, size_t *bu)
{
    size_t nu = c->in->cube->nunit;
    int *wins = calloc(nu ? nu : 1, sizeof *wins);
    if (!wins)
        return -1;
    for (int f = 0; f < c->nfeat; f++) {
        int node = c->feat[f];
        long best = -1;
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, node, c->t, u);
            if (fin(v) && ranked_at(c, node, c->t, u) &&
                (best < 0 || v > score_at(c, node, c->t, (size_t)best)))
                best = (long)u;
        }
        if (best < 0)
            continue;
        double v0 = score_at(c, node, c->t, (size_t)best);
        double l0 = lo_at(c, node, c->t, (size_t)best);
        int clear = 1;
        for (size_t u = 0; u < nu && clear; u++) {
            if ((long)u == best)
                continue;
            double v = score_at(c, node, c->t, u), h = hi_at(c, node, c->t, u);
            if (fin(v) && ranked_at(c, node, c->t, u))
                clear = has_iv(c) && fin(l0) && fin(h) ? h < l0 : v < v0;
        }
        wins[best] += clear;
    }
    int w = 0;
    *bu = 0;
    for (size_t r = 0; r < nu; r++) {
        size_t u = c->order[r];
        if (wins[u] > w) {
            w = wins[u];
            *bu = u;
        }
    }
    free(wins);
    return w;
}

int chart_plan_heatmap(const struct chart_ctx *c, struct chart_item *it)
{
    size_t first, last, bu;
    heat_span(c, it->page, it->npage, &first, &last);
    int wins = heat_leader(c, &bu);
    if (wins < 0)
        return -1;
    if (wins > 0)
        it->title = chart_fmt("%s is clearly highest in %d of %d key features in %d",
                              chart_unit_title(c, bu), wins, c->nfeat, c->year);
    else
        it->title = chart_fmt("No unit is clearly highest in any key feature in %d",
                              c->year);
    it->subtitle = chart_fmt("Score of each unit (columns, in index order) on each key "
                             "feature (rows) in %d; darker is lower, yellow is higher.%s",
                             c->year,
                             it->npage > 1 ? " Units split over several pages." : "");
    size_t nu = c->in->cube->nunit, left = nu - c->nscored;
    char out[160] = "";
    if (left)
        snprintf(out, sizeof out, "; %zu unit%s without an index score %s left out", left,
                 left == 1 ? "" : "s", left == 1 ? "is" : "are");
    it->alt = chart_fmt("Heatmap of %d key-feature scores (rows) in %d for units %zu to %zu "
                        "of the %zu units with an index score (columns, in index order, "
                        "ranked units first)%s, on a viridis colour scale with the value "
                        "printed in each cell.",
                        c->nfeat, c->year, first + 1, last, c->nscored, out);
    it->width = 12 + HEAT_LABEL + 6 + (double)CHART_HEAT_COLS * HEAT_CW + 12 + 32;
    it->height = CHART_HEAD + HEAT_TOP + (double)c->nfeat * HEAT_CH + 8 + CHART_FOOT;
    return 0;
}

/* One cell at (x, y): v's viridis colour with v printed in it, or grey
 * hatching when v is missing. */
static void heat_cell(struct chart_pen *p, const struct chart_ticks *tk, double x,
                      double y, double v)
{
    cairo_t *cr = chart_pen_cr(p);
    cairo_rectangle(cr, x, y, HEAT_CW, HEAT_CH);
    if (!fin(v)) {
        chart_rgb(cr, 0xEEEEEE);
        cairo_fill(cr);
        chart_hatch(cr, x, y, HEAT_CW, HEAT_CH, 0xAAAAAA, 0.5);
        return;
    }
    double z = (v - tk->lo) / (tk->hi - tk->lo);
    uint32_t col = chart_viridis(z);
    chart_rgb(cr, col);
    cairo_fill(cr);
    struct chart_font fv = {5.6, 0, chart_text_on(col), CHART_CENTER, 0, 0};
    char b[32];
    snprintf(b, sizeof b, "%.0f", v == 0 ? 0.0 : v);
    chart_text_mid(p, b, &fv, x + HEAT_CW / 2, y + HEAT_CH / 2);
}

/* The white grid between the cells of ncol columns from (x0, y0), and a
 * dark rule above each row whose area of focus differs from the row
 * above's. */
static void heat_grid(const struct chart_ctx *c, cairo_t *cr, size_t ncol, double x0,
                      double y0)
{
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xFFFFFF);
    for (size_t k = 0; k <= ncol; k++) {
        cairo_move_to(cr, x0 + (double)k * HEAT_CW, y0);
        cairo_line_to(cr, x0 + (double)k * HEAT_CW, y0 + c->nfeat * HEAT_CH);
    }
    for (int f = 0; f <= c->nfeat; f++) {
        cairo_move_to(cr, x0, y0 + f * HEAT_CH);
        cairo_line_to(cr, x0 + (double)ncol * HEAT_CW, y0 + f * HEAT_CH);
    }
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.9);
    chart_rgb(cr, 0x333333);
    for (int f = 1; f < c->nfeat; f++)
        if (nd(c, c->feat[f])->parent != nd(c, c->feat[f - 1])->parent) {
            cairo_move_to(cr, x0 - 3, y0 + f * HEAT_CH);
            cairo_line_to(cr, x0 + (double)ncol * HEAT_CW, y0 + f * HEAT_CH);
        }
    cairo_stroke(cr);
}

/* The legend at (lx, ly): a vertical colour bar at most 120 points high,
 * with the ticks. */
static void heat_legend(struct chart_pen *p, const struct chart_ticks *tk, double lx,
                        double ly)
{
    cairo_t *cr = chart_pen_cr(p);
    double lh = 120;
    for (int k = 0; k < 60; k++) {
        cairo_rectangle(cr, lx, ly + lh - (k + 1) * lh / 60, 10, lh / 60 + 0.3);
        chart_rgb(cr, chart_viridis((k + 0.5) / 60));
        cairo_fill(cr);
    }
    struct chart_font ft = {6.5, 0, INK, CHART_LEFT, 0, 0};
    char b[32];
    for (int i = 0; i < tk->n; i++) {
        double v = chart_tick_value(tk, i);
        double y = ly + lh - (v - tk->lo) / (tk->hi - tk->lo) * lh;
        snprintf(b, sizeof b, "%.*f", tk->decimals, v);
        chart_text_mid(p, b, &ft, lx + 13, y);
    }
    chart_text(p, "Score", &ft, lx, ly - 12, 1, NULL);
}

void chart_draw_heatmap(struct chart_pen *p, const struct chart_ctx *c,
                        const struct chart_item *it)
{
    size_t nu = c->in->cube->nunit, first, last;
    heat_span(c, it->page, it->npage, &first, &last);
    char note[200];
    snprintf(note, sizeof note, "Page %d of %d. Grey hatched cells: no score.", it->page,
             it->npage);
    chart_frame(p, c, it, note);
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfeat; f++)
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, c->feat[f], c->t, u);
            chart_widen(&lo, &hi, &v, 1);
        }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 5, &tk);
    double x0 = 12 + HEAT_LABEL + 6, y0 = CHART_HEAD + HEAT_TOP;
    struct chart_font fu = {6, 0, INK, CHART_LEFT, HEAT_TOP - 6, 0};
    for (size_t r = first; r < last; r++)
        chart_text_up(p, c->label[c->order[r]], &fu,
                      x0 + (double)(r - first) * HEAT_CW + HEAT_CW / 2 + 4, y0 - 3);
    char lab[300];
    for (int f = 0; f < c->nfeat; f++) {
        double y = y0 + f * HEAT_CH, w;
        struct chart_font fl = {6, 0, INK, CHART_LEFT, 0, 0};
        chart_node_label(nd(c, c->feat[f]), lab, sizeof lab);
        while (fl.size > 5.45 && (chart_text(p, lab, &fl, 0, 0, 0, &w), w > HEAT_LABEL))
            fl.size -= 0.2;
        fl.width = HEAT_LABEL;
        if (w > HEAT_LABEL) {   /* two lines of 5 points */
            fl.size = 5;
            fl.wrap = 1;
        }
        chart_text_mid(p, lab, &fl, 12, y + HEAT_CH / 2);
        for (size_t r = first; r < last; r++)
            heat_cell(p, &tk, x0 + (double)(r - first) * HEAT_CW, y,
                      score_at(c, c->feat[f], c->t, c->order[r]));
    }
    heat_grid(c, chart_pen_cr(p), last - first, x0, y0);
    heat_legend(p, &tk, x0 + (double)CHART_HEAT_COLS * HEAT_CW + 12, y0);
}
