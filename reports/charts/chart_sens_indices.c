/* chart_sens_indices.c: sensitivity-indices, for a batch with [sensitivity]
 * and mode = sa: a row per assumption, by total index (largest first): the
 * total index as a blue circle and the first-order index as a vermillion
 * diamond, each with its bootstrap interval as a whisker and its value
 * printed beside it. Formats struct sensitivity; the only arithmetic is
 * sorting.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>

#include "sensitivity.h"

#define IDX_PITCH 30.0

static const struct sensitivity *sens(const struct chart_ctx *c) { return c->in->sens; }

/* Assumptions by total index, largest first (NaN last, then key order). */
static void index_order(const struct sensitivity *s, int *ord)
{
    for (int a = 0; a < s->d; a++)
        ord[a] = a;
    for (int i = 1; i < s->d; i++) {
        int a = ord[i], j = i;
        double v = s->index[a].sti;
        while (j > 0 && fin(v) && (!fin(s->index[ord[j - 1]].sti) || s->index[ord[j - 1]].sti < v)) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = a;
    }
}

int chart_plan_sens_indices(const struct chart_ctx *c, struct chart_item *it)
{
    const struct sensitivity *s = sens(c);
    int ord[SOBOL_MAX_D];
    index_order(s, ord);
    const struct sobol_index *x = &s->index[ord[0]];
    const char *top = sens_key_name((enum sens_key)s->key[ord[0]]);
    char ph[160], lst[1400];
    chart_node_phrase(c, s->target, ph, sizeof ph);
    if (fin(x->sti))
        it->title = chart_fmt("The choice of %s moves the ranks most: total index %.2f", top,
                              x->sti);
    else
        it->title = chart_fmt("No rank moved: the indices are not defined");
    it->subtitle = chart_fmt("Sobol indices of the mean absolute rank shift of %s in %d from "
                             "the nominal ranks, over %zu runs (N = %zu): total (circle) and "
                             "first order (diamond), with %d%% bootstrap intervals.", ph,
                             s->year, s->nrun, s->n, (int)lround(s->level * 100));
    size_t k = 0;
    lst[0] = '\0';
    for (int i = 0; i < s->d && k < sizeof lst; i++) {
        const struct sobol_index *q = &s->index[ord[i]];
        k += (size_t)snprintf(lst + k, sizeof lst - k, "%s%s total %.2f [%.2f, %.2f], first "
                              "order %.2f [%.2f, %.2f]", i ? "; " : "",
                              sens_key_name((enum sens_key)s->key[ord[i]]), q->sti, q->sti_low,
                              q->sti_high, q->si, q->si_low, q->si_high);
    }
    it->alt = chart_fmt("Sobol indices of the mean absolute rank shift of %s for %d "
                        "assumptions, largest total index first: %s.", ph, s->d, lst);
    it->width = CHART_W;
    it->height = CHART_HEAD + 28 + s->d * IDX_PITCH + 34 + CHART_FOOT;
    return 0;
}

static void indices_legend(struct chart_pen *p, double x, double y)
{
    chart_legend_mark(p, &x, y, CHART_CIRCLE, 3, BLUE, "total index (with interactions)");
    chart_legend_mark(p, &x, y, CHART_DIAMOND, 3.2, VERM, "first-order index (alone)");
}

/* One index as a whisker, a marker and its value. */
static void index_mark(struct chart_pen *p, const struct chart_scale *sx, double y, double v,
                       double lo, double hi, enum chart_shape sh, uint32_t col)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    if (!fin(v))
        return;
    double xr = chart_scale_map(sx, v);
    if (fin(lo) && fin(hi)) {
        xr = chart_scale_map(sx, hi);
        chart_whisker(cr, chart_scale_map(sx, lo), xr, y);
    }
    chart_marker(cr, sh, chart_scale_map(sx, v), y, 3.2, col);
    char b[32];
    snprintf(b, sizeof b, "%.2f", v);
    chart_text(p, b, &fv, fmax(xr, chart_scale_map(sx, v)) + 6, y - 4.5, 1, NULL);
}

void chart_draw_sens_indices(struct chart_pen *p, const struct chart_ctx *c,
                             const struct chart_item *it)
{
    const struct sensitivity *s = sens(c);
    cairo_t *cr = chart_pen_cr(p);
    int ord[SOBOL_MAX_D];
    index_order(s, ord);
    double lo = 0, hi = 1;
    for (int a = 0; a < s->d; a++) {
        const struct sobol_index *q = &s->index[a];
        double v[6] = {q->si, q->si_low, q->si_high, q->sti, q->sti_low, q->sti_high};
        chart_widen(&lo, &hi, v, 6);
    }
    char note[200];
    snprintf(note, sizeof note, "Intervals: %d%% bootstrap (%ld resamples) of the estimates, "
             "their Monte Carlo error.", (int)lround(s->level * 100), s->bootstrap);
    chart_frame(p, c, it, note);
    indices_legend(p, 12, CHART_HEAD);
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 8, &tk);
    double x0 = 130, x1 = it->width - 46, y0 = CHART_HEAD + 28;
    double y1 = y0 + s->d * IDX_PITCH;
    struct chart_scale sx = {tk.lo, tk.hi, x0, x1};
    for (int r = 0; r < s->d; r += 2) {
        cairo_rectangle(cr, 12, y0 + r * IDX_PITCH, x1 + 34 - 12, IDX_PITCH);
        chart_rgba(cr, 0xF3F3F3, 1);
        cairo_fill(cr);
    }
    chart_x_axis(p, &sx, &tk, y0 - 4, y1 + 2, "Share of the variance of the rank shift");
    double xz = chart_scale_map(&sx, 0);
    cairo_set_line_width(cr, 0.8);
    chart_rgb(cr, 0x999999);
    cairo_move_to(cr, xz, y0 - 4);
    cairo_line_to(cr, xz, y1 + 2);
    cairo_stroke(cr);
    struct chart_font fl = {8, 0, INK, CHART_RIGHT, 112, 0};
    for (int r = 0; r < s->d; r++) {
        const struct sobol_index *q = &s->index[ord[r]];
        double y = y0 + (r + 0.5) * IDX_PITCH;
        chart_text_mid(p, sens_key_name((enum sens_key)s->key[ord[r]]), &fl, 122, y);
        index_mark(p, &sx, y - 6, q->sti, q->sti_low, q->sti_high, CHART_CIRCLE, BLUE);
        index_mark(p, &sx, y + 6, q->si, q->si_low, q->si_high, CHART_DIAMOND, VERM);
    }
}
