/* chart_heatmap.c: heatmap[-P], the units (rows, in index order) by the
 * key features (columns) in the evaluation year, on the viridis scale with
 * each value printed in its cell.
 *
 * Invariants: at most CHART_HEAT_ROWS units a page, pages heatmap-1, -2,
 * ... when more are needed; one colour scale for every page (nice ticks
 * over every key feature's scores), so pages compare; a missing score is a
 * grey hatched cell, never a colour.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

#define HEAT_CW 18.0   /* cell width */
#define HEAT_CH 12.0   /* cell height */

int chart_heatmap_pages(const struct chart_ctx *c)
{
    if (c->nfeat == 0)
        return 0;
    int np = (int)((c->in->cube->nunit + CHART_HEAT_ROWS - 1) / CHART_HEAT_ROWS);
    return np < 1 ? 1 : np;
}

/* The unit with the highest score in the most key features (the first
 * such in cube order); *wins receives how many. Only units with enough data
 * to be ranked count, and a first place shared by two units is no one's. */
static size_t heat_leader(const struct chart_ctx *c, int *nwins)
{
    size_t nu = c->in->cube->nunit;
    int *wins = calloc(nu ? nu : 1, sizeof *wins);
    *nwins = -1;
    if (!wins)
        return 0;
    for (int f = 0; f < c->nfeat; f++) {
        long best = -1;
        double bv = -INFINITY;
        int tie = 0;
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, c->feat[f], c->t, u);
            if (!fin(v) || !ranked_at(c, c->feat[f], c->t, u))
                continue;
            tie = v == bv ? 1 : v > bv ? 0 : tie;
            if (v > bv) {
                bv = v;
                best = (long)u;
            }
        }
        if (best >= 0 && !tie)   /* a shared first place tops nothing alone */
            wins[best]++;
    }
    size_t bu = 0;
    for (size_t u = 1; u < nu; u++)
        if (wins[u] > wins[bu])
            bu = u;
    *nwins = wins[bu];
    free(wins);
    return bu;
}

int chart_plan_heatmap(const struct chart_ctx *c, struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    size_t first = (size_t)(it->page - 1) * CHART_HEAT_ROWS;
    size_t last = first + CHART_HEAT_ROWS;
    if (last > nu)
        last = nu;
    int wins;
    size_t bu = heat_leader(c, &wins);
    if (wins < 0)
        return -1;
    if (c->nfeat > 0 && wins > 0)
        it->title = chart_fmt("%s tops %d of %d key features in %d",
                              chart_unit_title(c, bu), wins, c->nfeat, c->year);
    else
        it->title = chart_fmt("Key feature scores in %d", c->year);
    it->subtitle = chart_fmt("Score of each unit (rows, in index order) on each key "
                             "feature (columns) in %d; darker is lower, yellow is higher."
                             "%s", c->year,
                             it->npage > 1 ? " Units split over several pages." : "");
    it->alt = chart_fmt("Heatmap of %d key-feature scores in %d for units %zu to %zu of "
                        "%zu in the order of the index (ranked units first), on a viridis "
                        "colour scale with the value printed in each cell.",
                        c->nfeat, c->year, first + 1, last, nu);
    it->width = 12 + 150 + (double)c->nfeat * HEAT_CW + 80;
    if (it->width < 520)
        it->width = 520;
    it->height = CHART_HEAD + 60 + (double)(last - first) * HEAT_CH + 10 + CHART_FOOT;
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
        cairo_save(cr);
        cairo_rectangle(cr, x, y, HEAT_CW, HEAT_CH);
        cairo_clip(cr);
        chart_rgb(cr, 0xAAAAAA);
        cairo_set_line_width(cr, 0.5);
        for (double k = -HEAT_CH; k < HEAT_CW; k += 4) {
            cairo_move_to(cr, x + k, y + HEAT_CH);
            cairo_line_to(cr, x + k + HEAT_CH, y);
        }
        cairo_stroke(cr);
        cairo_restore(cr);
        return;
    }
    double z = (v - tk->lo) / (tk->hi - tk->lo);
    uint32_t col = chart_viridis(z);
    chart_rgb(cr, col);
    cairo_fill(cr);
    struct chart_font fv = {6, 0, chart_text_on(col), CHART_CENTER, 0, 0};
    char b[32];
    snprintf(b, sizeof b, "%.0f", v == 0 ? 0.0 : v);
    chart_text_mid(p, b, &fv, x + HEAT_CW / 2, y + HEAT_CH / 2);
}

/* The white grid between the cells of nrow rows from (x0, y0). */
static void heat_grid(cairo_t *cr, int nfeat, size_t nrow, double x0, double y0)
{
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xFFFFFF);
    for (int f = 0; f <= nfeat; f++) {
        cairo_move_to(cr, x0 + f * HEAT_CW, y0);
        cairo_line_to(cr, x0 + f * HEAT_CW, y0 + (double)nrow * HEAT_CH);
    }
    for (size_t r = 0; r <= nrow; r++) {
        cairo_move_to(cr, x0, y0 + (double)r * HEAT_CH);
        cairo_line_to(cr, x0 + nfeat * HEAT_CW, y0 + (double)r * HEAT_CH);
    }
    cairo_stroke(cr);
}

/* The legend at (lx, ly): a vertical colour bar at most 120 points high
 * (no higher than the nrow rows and 40 points), with the ticks. */
static void heat_legend(struct chart_pen *p, const struct chart_ticks *tk, double lx,
                        double ly, size_t nrow)
{
    cairo_t *cr = chart_pen_cr(p);
    double lh = 120;
    if (lh > (double)nrow * HEAT_CH + 40)
        lh = (double)nrow * HEAT_CH + 40;
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
        chart_text(p, b, &ft, lx + 13, y - 4, 1, NULL);
    }
    chart_text(p, "Score", &ft, lx, ly - 12, 1, NULL);
}

void chart_draw_heatmap(struct chart_pen *p, const struct chart_ctx *c,
                        const struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    size_t first = (size_t)(it->page - 1) * CHART_HEAT_ROWS;
    size_t last = first + CHART_HEAT_ROWS < nu ? first + CHART_HEAT_ROWS : nu;
    char note[200];
    snprintf(note, sizeof note, "Page %d of %d. Grey hatched cells: no score.",
             it->page, it->npage);
    chart_frame(p, c, it, note);
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfeat; f++)
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, c->feat[f], c->t, u);
            chart_widen(&lo, &hi, &v, 1);
        }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 5, &tk);
    double x0 = 162, y0 = CHART_HEAD + 52;
    struct chart_font fc = {6.5, 0, INK, CHART_LEFT, 0, 0};
    for (int f = 0; f < c->nfeat; f++)
        chart_text_up(p, nd(c, c->feat[f])->code, &fc, x0 + f * HEAT_CW + HEAT_CW / 2 + 4,
                      y0 - 3);
    struct chart_font fl = {7, 0, INK, CHART_RIGHT, 146, 0};
    for (size_t r = first; r < last; r++) {
        size_t u = c->order[r];
        double y = y0 + (double)(r - first) * HEAT_CH;
        chart_text_mid(p, c->label[u], &fl, x0 - 4, y + HEAT_CH / 2);
        for (int f = 0; f < c->nfeat; f++)
            heat_cell(p, &tk, x0 + f * HEAT_CW, y, score_at(c, c->feat[f], c->t, u));
    }
    heat_grid(chart_pen_cr(p), c->nfeat, last - first, x0, y0);
    heat_legend(p, &tk, x0 + c->nfeat * HEAT_CW + 16, y0, last - first);
}
