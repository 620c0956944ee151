/* chart_profile.c: profile-UNIT, the unit's areas of focus sorted by score
 * in the evaluation year, each a dot-plot row with its interval and the
 * network median; and the planning of radar-UNIT (chart_radar.c draws
 * it), which shows the same scores and so shares the titles.
 *
 * Invariants: rows are the areas of focus with a score, best first, then
 * those without one ("no score"); the row pitch is fixed, so the chart's
 * height follows the number of areas of focus; a row's name wraps to two
 * lines rather than being cut; every unit's profile has the same axis
 * (nice ticks over every unit's scores, bounds and the medians of the
 * areas of focus in the year), so profiles compare side by side.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

#define PROFILE_PITCH 20.0

/* Areas of focus of unit u by score in the evaluation year, best first,
 * into out[nfocus], those without a score last; returns the count with a
 * score. */
static int sort_focus(const struct chart_ctx *c, size_t u, int *out)
{
    int n = 0;
    for (int f = 0; f < c->nfocus; f++)
        if (fin(score_at(c, c->focus[f], c->t, u)))
            out[n++] = c->focus[f];
    /* insertion sort: nfocus is small (12 in the UNESCO framework) */
    for (int i = 1; i < n; i++) {
        int k = out[i], j = i;
        double v = score_at(c, k, c->t, u);
        while (j > 0 && score_at(c, out[j - 1], c->t, u) < v) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = k;
    }
    int m = n;
    for (int f = 0; f < c->nfocus; f++)
        if (!fin(score_at(c, c->focus[f], c->t, u)))
            out[m++] = c->focus[f];
    return n;
}

/* The title and alternative text of a profile or (radar) a radar, from
 * the n scored areas of focus in ord, best first. */
static void focus_titles(const struct chart_ctx *c, struct chart_item *it, const int *ord,
                         int n, int radar)
{
    size_t u = (size_t)it->unit;
    char a[32], b[32], f1[64], fn[64], ph[160], iv[96];
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    if (n == 0) {
        it->title = chart_fmt("%s has no %s scores in %d", chart_unit_title(c, u), f1,
                              c->year);
        it->alt = chart_fmt("%s of %s in %d: no %s has a score.",
                            radar ? "Radar chart" : "Dot plot", c->label[u], c->year, f1);
        return;
    }
    chart_node_phrase(c, ord[0], ph, sizeof ph);
    if (n == 1)   /* nothing to be strongest against */
        it->title = chart_fmt("%s has a score in one %s only, %s", chart_unit_title(c, u),
                              f1, ph);
    else
        it->title = radar ? chart_fmt("%s is strongest in %s", chart_unit_title(c, u), ph)
                          : chart_fmt("%s scores highest in %s", chart_unit_title(c, u), ph);
    if (has_iv(c))
        snprintf(iv, sizeof iv, ", each score with its %d%% interval%s", level_pct(c),
                 radar ? " (a whisker along its axis over a shaded band)" : "");
    else if (c->exact)
        snprintf(iv, sizeof iv, "; no sampling error, so no intervals");
    else
        snprintf(iv, sizeof iv, "; intervals were not computed");
    it->alt = chart_fmt("%s of %s's scores in %d %s in %d%s%s, highest "
                        "%s (%s), lowest %s (%s), with the network median.",
                        radar ? "Radar chart" : "Dot plot", c->label[u], n, fn, c->year,
                        radar ? ", axes in framework order" : ", sorted by score", iv,
                        chart_node_short(c, ord[0]),
                        chart_num1(a, sizeof a, score_at(c, ord[0], c->t, u)),
                        chart_node_short(c, ord[n - 1]),
                        chart_num1(b, sizeof b, score_at(c, ord[n - 1], c->t, u)));
}

/* Plans a profile, or (radar) a radar. */
static int plan_focus(const struct chart_ctx *c, struct chart_item *it, int radar)
{
    size_t u = (size_t)it->unit;
    int *ord = malloc((size_t)c->nfocus * sizeof *ord);
    if (!ord)
        return -1;
    int n = sort_focus(c, u, ord);
    focus_titles(c, it, ord, n, radar);
    char f1[64];
    FOCUS_WORDS(c, 0, f1);
    it->subtitle = radar
        ? chart_fmt("%s: score in each %s in %d (blue%s)%s, network median "
                    "dashed; axes in framework order.", c->label[u], f1, c->year,
                    c->exact ? "; exact: no sampling error" : "",
                    has_iv(c) ? ", its interval as a whisker over a shaded band" : "")
        : chart_fmt("%s: score in each %s in %d%s, sorted; network median "
                    "marked.", c->label[u], f1, c->year,
                    has_iv(c) ? " with its interval"
                    : c->exact ? " (exact: no sampling error)" : "");
    it->width = CHART_W;
    it->height = radar ? CHART_HEAD + 400 + CHART_FOOT
                       : CHART_HEAD + 14 + 14 + c->nfocus * PROFILE_PITCH + 34 + CHART_FOOT;
    free(ord);
    return 0;
}

int chart_plan_profile(const struct chart_ctx *c, struct chart_item *it)
{
    return plan_focus(c, it, 0);
}

int chart_plan_radar(const struct chart_ctx *c, struct chart_item *it)
{
    return plan_focus(c, it, 1);
}

void chart_draw_profile(struct chart_pen *p, const struct chart_ctx *c,
                        const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t u = (size_t)it->unit;
    char note[200];
    chart_ci_note(c, note, sizeof note);
    chart_frame(p, c, it, note);
    chart_median_legend(p, c, 12, CHART_HEAD, 1);
    int *ord = malloc((size_t)c->nfocus * sizeof *ord);
    if (!ord)
        return;
    sort_focus(c, u, ord);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < c->in->cube->nunit; k++)
        for (int f = 0; f < c->nfocus; f++) {
            double w[4] = {score_at(c, ord[f], c->t, k), lo_at(c, ord[f], c->t, k),
                           hi_at(c, ord[f], c->t, k), chart_median(c, ord[f], c->t)};
            chart_widen(&lo, &hi, w, 4);
        }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 6, &tk);
    double x0 = 236, x1 = it->width - 46;
    double y0 = CHART_HEAD + 28, y1 = y0 + c->nfocus * PROFILE_PITCH;
    struct chart_scale sx = {tk.lo, tk.hi, x0, x1};
    chart_x_axis(p, &sx, &tk, y0 - 4, y1 + 2, "Score (normalised; higher is better)");
    struct chart_font fl = {7.2, 0, INK, CHART_RIGHT, 222, 1};
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    char lab[300];
    for (int f = 0; f < c->nfocus; f++) {
        int node = ord[f];
        double y = y0 + (f + 0.5) * PROFILE_PITCH;
        chart_node_label(nd(c, node), lab, sizeof lab);
        chart_text_mid(p, lab, &fl, x0 - 8, y);
        double m = chart_median(c, node, c->t);
        if (fin(m)) {   /* the median: a grey tick through the row */
            double xm = chart_scale_map(&sx, m);
            cairo_set_line_width(cr, 1.6);
            chart_rgb(cr, GREY);
            cairo_move_to(cr, xm, y - 5);
            cairo_line_to(cr, xm, y + 5);
            cairo_stroke(cr);
        }
        chart_dot_row(p, &sx, &fv, x0, y, score_at(c, node, c->t, u),
                      lo_at(c, node, c->t, u), hi_at(c, node, c->t, u), m, 3.4);
    }
    free(ord);
}
