/* chart_dot.c: dot-NODE, the units sorted by their score of a node in the
 * evaluation year, each with its interval as a whisker, against the
 * network median.
 *
 * Invariants: rows sit at a fixed pitch (DOT_PITCH), so the chart grows in
 * height with the units; up to CHART_DOT_ALL scored units every unit is a
 * row, missing ones last ("no score"); above that only the top and bottom
 * CHART_DOT_EDGE scored units are drawn, around a band two rows high that
 * gives how many were left out and the median. The planner and the drawer
 * count the rows with the same function (dot_rows).
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

#define DOT_PITCH 12.0

/* Rows of a dot plot with nscored scored units; *split is set when only
 * the edges are drawn. */
static size_t dot_rows(const struct chart_ctx *c, size_t nscored, int *split)
{
    size_t nu = c->in->cube->nunit;
    *split = nscored > CHART_DOT_ALL;
    if (*split)
        return 2 * CHART_DOT_EDGE + 2;   /* the band takes two rows */
    return nu;                           /* every unit, missing ones last */
}

/* How many of the ns scored units in ord (best first) are level with the
 * first: it and every unit whose interval reaches the first's lower bound
 * (when intervals are drawn), or whose score equals the first's (when they
 * are not). A title names a single leader only when this is 1. */
static size_t dot_level_at_top(const struct chart_ctx *c, int node, const size_t *ord,
                               size_t ns)
{
    size_t n = 1;
    double v0 = score_at(c, node, c->t, ord[0]), l0 = lo_at(c, node, c->t, ord[0]);
    for (size_t k = 1; k < ns; k++) {
        double v = score_at(c, node, c->t, ord[k]), h = hi_at(c, node, c->t, ord[k]);
        n += has_iv(c) && fin(l0) && fin(h) ? h >= l0 : v == v0;
    }
    return n;
}

/* The active title and the alternative text, from the first and last of
 * the ns scored units in ord. */
static void dot_titles(const struct chart_ctx *c, struct chart_item *it, const size_t *ord,
                       size_t ns)
{
    const struct fw_node *x = nd(c, it->node);
    char a[32], b[32], ph[160];
    if (ns == 0) {
        it->title = chart_fmt("No unit has a %s score in %d", chart_node_short(c, it->node),
                              c->year);
        it->alt = chart_fmt("Dot plot of %s (%s) scores in %d: no unit has a score.",
                            chart_node_short(c, it->node), x->code, c->year);
        return;
    }
    size_t top = ord[0], bot = ord[ns - 1];
    size_t lead = dot_level_at_top(c, it->node, ord, ns);
    chart_node_phrase(c, it->node, ph, sizeof ph);
    if (lead == 1)
        it->title = chart_fmt("%s leads %s in %d", chart_unit_title(c, top), ph, c->year);
    else if (lead == 2 && !has_iv(c))
        it->title = chart_fmt("%s and %s share the lead in %s in %d",
                              chart_unit_title(c, top), chart_unit_title(c, ord[1]), ph,
                              c->year);
    else if (lead == 2)
        it->title = chart_fmt("%s and %s lead %s in %d, level within their intervals",
                              chart_unit_title(c, top), chart_unit_title(c, ord[1]), ph,
                              c->year);
    else
        it->title = chart_fmt("%zu units are level at the top of %s in %d, %s highest",
                              lead, ph, c->year, chart_unit_title(c, top));
    char shown[96] = "";
    if (ns > CHART_DOT_ALL)
        snprintf(shown, sizeof shown, " (the top and bottom %d shown)", CHART_DOT_EDGE);
    it->alt = chart_fmt("Dot plot of %s (%s) scores in %d for %zu units%s, sorted "
                        "from %s (%s) to %s (%s)%s.",
                        chart_node_short(c, it->node), x->code, c->year, ns, shown,
                        c->label[top],
                        chart_num1(a, sizeof a, score_at(c, it->node, c->t, top)),
                        c->label[bot],
                        chart_num1(b, sizeof b, score_at(c, it->node, c->t, bot)),
                        has_iv(c) ? ", with interval whiskers and the network median"
                        : c->exact ? ", with the network median; there is no "
                                     "sampling error, so no intervals"
                                   : ", without intervals");
}

int chart_plan_dot(const struct chart_ctx *c, struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord)
        return -1;
    size_t ns = chart_sort_units(c, it->node, c->t, ord);
    const struct fw_node *x = nd(c, it->node);
    dot_titles(c, it, ord, ns);
    it->subtitle = chart_fmt("%s %s: score in %d%s, units sorted by score.", x->code,
                             x->name && x->name[0] ? x->name : "", c->year,
                             has_iv(c) ? " with its interval"
                             : c->exact ? " (exact: no sampling error)" : "");
    int split;
    size_t rows = dot_rows(c, ns, &split);
    it->width = CHART_W;
    it->height = CHART_HEAD + 14 + 14 + (double)rows * DOT_PITCH + 34 + CHART_FOOT;
    free(ord);
    return 0;
}

/* The frame with its footer note (intervals, and which units are shown
 * when split) and the legend. */
static void dot_frame(struct chart_pen *p, const struct chart_ctx *c,
                      const struct chart_item *it, size_t ns, int split)
{
    size_t nu = c->in->cube->nunit;
    char note[160], extra[360];
    chart_ci_note(c, note, sizeof note);
    if (split)
        snprintf(extra, sizeof extra, "%s Showing the top and bottom %d of %zu "
                 "units with a score%s.", note, CHART_DOT_EDGE, ns,
                 nu > ns ? "; units without a score are left out" : "");
    else
        snprintf(extra, sizeof extra, "%s", note);
    chart_frame(p, c, it, extra);
    chart_median_legend(p, c, 12, CHART_HEAD, 1);
}

/* Nice ticks over the scores and bounds of the ns scored units in ord and
 * the median. */
static void dot_ticks(const struct chart_ctx *c, int node, const size_t *ord, size_t ns,
                      double med, struct chart_ticks *tk)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < ns; k++) {
        size_t u = ord[k];
        double v[3] = {score_at(c, node, c->t, u), lo_at(c, node, c->t, u),
                       hi_at(c, node, c->t, u)};
        chart_widen(&lo, &hi, v, 3);
    }
    chart_widen(&lo, &hi, &med, 1);
    chart_nice_ticks(lo, hi, 6, tk);
}

/* The band of a split dot plot, two rows from the row centred on y: how
 * many of the ns units are not shown, and the median. */
static void dot_band(struct chart_pen *p, double x0, double x1, double y, size_t ns,
                     double med)
{
    cairo_t *cr = chart_pen_cr(p);
    char band[160], b[32];
    cairo_rectangle(cr, x0, y - DOT_PITCH / 2 + 1, x1 - x0, 2 * DOT_PITCH - 2);
    chart_rgba(cr, 0xEEEEEE, 1);
    cairo_fill(cr);
    snprintf(band, sizeof band, "\xE2\x80\xA6 %zu units, %d to %zu in score order, "
             "not shown (median %s) \xE2\x80\xA6",
             ns - 2 * CHART_DOT_EDGE, CHART_DOT_EDGE + 1,
             ns - CHART_DOT_EDGE, chart_num1(b, sizeof b, med));
    struct chart_font fb = {7.5, 0, 0x444444, CHART_CENTER, 0, 0};
    chart_text_mid(p, band, &fb, (x0 + x1) / 2, y + DOT_PITCH / 2);
}

/* The median as a dashed vertical line from y0 - 4 to y1, labelled above. */
static void dot_median(struct chart_pen *p, const struct chart_scale *sx, double y0,
                       double y1, double med)
{
    cairo_t *cr = chart_pen_cr(p);
    char b[32], m[48];
    double xm = chart_scale_map(sx, med);
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, xm, y0 - 4);
    cairo_line_to(cr, xm, y1);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    snprintf(m, sizeof m, "median %s", chart_num1(b, sizeof b, med));
    struct chart_font fm = {6.5, 0, 0x555555, CHART_CENTER, 0, 0};
    chart_text(p, m, &fm, xm, y0 - 13, 1, NULL);
}

void chart_draw_dot(struct chart_pen *p, const struct chart_ctx *c,
                    const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t nu = c->in->cube->nunit;
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord)
        return;
    int node = it->node, t = c->t, split;
    size_t ns = chart_sort_units(c, node, t, ord);
    double med = chart_median(c, node, t);
    size_t rows = dot_rows(c, ns, &split);
    dot_frame(p, c, it, ns, split);
    struct chart_ticks tk;
    dot_ticks(c, node, ord, ns, med, &tk);
    double x0 = 172, x1 = it->width - 46;
    double y0 = CHART_HEAD + 28, y1 = y0 + (double)rows * DOT_PITCH;
    struct chart_scale sx = {tk.lo, tk.hi, x0, x1};
    for (size_t r = 0; r < rows; r += 2) {   /* stripes on every other row */
        cairo_rectangle(cr, 12, y0 + (double)r * DOT_PITCH, x1 - 12, DOT_PITCH);
        chart_rgba(cr, 0xF3F3F3, 1);
        cairo_fill(cr);
    }
    chart_x_axis(p, &sx, &tk, y0 - 4, y1 + 2, "Score (normalised; higher is better)");
    struct chart_font fl = {7.5, 0, INK, CHART_RIGHT, 156, 0};
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    for (size_t r = 0; r < rows; r++) {
        double y = y0 + ((double)r + 0.5) * DOT_PITCH;
        if (split && r == CHART_DOT_EDGE)
            dot_band(p, x0, x1, y, ns, med);
        if (split && (r == CHART_DOT_EDGE || r == CHART_DOT_EDGE + 1))
            continue;
        size_t u = ord[!split || r < CHART_DOT_EDGE ? r : ns - (rows - r)];
        char lb[300];   /* after the ranked units: those with too little data */
        if (!ranked_at(c, node, t, u))
            snprintf(lb, sizeof lb, "%s (not ranked)", c->label[u]);
        chart_text_mid(p, ranked_at(c, node, t, u) ? c->label[u] : lb, &fl, 164, y);
        chart_dot_row(p, &sx, &fv, x0, y, score_at(c, node, t, u), lo_at(c, node, t, u),
                      hi_at(c, node, t, u), med, 3);
    }
    if (fin(med))
        dot_median(p, &sx, y0, y1, med);
    free(ord);
}
