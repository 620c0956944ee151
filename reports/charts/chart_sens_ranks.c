/* chart_sens_ranks.c: sensitivity-ranks, for a batch with [sensitivity]:
 * each unit's median rank of the target node with its 5-95% range over the
 * sensitivity runs and its nominal rank, units in their nominal order. Up
 * to CHART_DOT_ALL units a labelled row each (rank along x, 1 on the
 * left); above that a column each (rank down y, 1 at the top, the nominal
 * rank as a dashed diagonal), without unit labels: the title and the
 * alternative text name the units whose rank moves most.
 *
 * Formats struct sensitivity; the only arithmetic is sorting, counting and
 * the width of a range. Planner and drawer choose the form with the same
 * function (rank_rows).
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensitivity.h"

#define ROW_PITCH 12.0
#define COLUMN_H 300.0     /* plot height of the column form */
#define STABLE_PLACES 2    /* a range this narrow counts as stable */

static const struct sensitivity *sens(const struct chart_ctx *c) { return c->in->sens; }

/* Units by nominal rank (ties by cube order), units without one last.
 * Returns the number ranked. */
static size_t nominal_order(const struct chart_ctx *c, size_t *ord)
{
    const struct sensitivity *s = sens(c);
    size_t n = 0;
    for (size_t u = 0; u < s->nunit; u++)
        if (fin(s->nominal_rank[u]))
            ord[n++] = u;
    for (size_t i = 1; i < n; i++) {   /* insertion sort: stable, n is small */
        size_t u = ord[i], j = i;
        while (j > 0 && s->nominal_rank[ord[j - 1]] > s->nominal_rank[u]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = u;
    }
    size_t k = n;
    for (size_t u = 0; u < s->nunit; u++)
        if (!fin(s->nominal_rank[u]))
            ord[k++] = u;
    return n;
}

static double range_of(const struct sensitivity *s, size_t u)
{
    return fin(s->rank_q95[u]) && fin(s->rank_q05[u]) ? s->rank_q95[u] - s->rank_q05[u] : NAN;
}

/* "winmax, normalise and aggregate" into b. */
static const char *varied(const struct sensitivity *s, char *b, size_t len)
{
    size_t k = 0;
    b[0] = '\0';
    for (int a = 0; a < s->d && k < len; a++)
        k += (size_t)snprintf(b + k, len - k, "%s%s", a == 0 ? "" : a == s->d - 1 ? " and " : ", ",
                              sens_key_name((enum sens_key)s->key[a]));
    return b;
}

/* The runs the rank statistics are over. */
static size_t stat_runs(const struct sensitivity *s)
{
    return s->mode == SENS_SA ? 2 * s->n : s->n;
}

/* Rows of the row form (every unit), or 0 for the column form. */
static size_t rank_rows(const struct chart_ctx *c)
{
    size_t nu = sens(c)->nunit;
    return nu <= CHART_DOT_ALL ? nu : 0;
}

/* The units whose range is widest, best nominal rank first among equals:
 * up to k of them into top. Returns how many. */
static size_t widest(const struct sensitivity *s, const size_t *ord, size_t ns, size_t *top,
                     size_t k)
{
    size_t n = 0;
    for (size_t i = 0; i < ns; i++) {
        size_t u = ord[i];
        double w = range_of(s, u);
        if (!fin(w))
            continue;
        size_t j = n < k ? n++ : k;
        if (j == k && !(w > range_of(s, top[k - 1])))
            continue;
        if (j == k)
            j = k - 1;
        while (j > 0 && w > range_of(s, top[j - 1])) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = u;
    }
    return n;
}

int chart_plan_sens_ranks(const struct chart_ctx *c, struct chart_item *it)
{
    const struct sensitivity *s = sens(c);
    size_t nu = s->nunit, *ord = malloc((nu ? nu : 1) * sizeof *ord), top[3];
    if (!ord)
        return -1;
    size_t ns = nominal_order(c, ord), stable = 0;
    for (size_t i = 0; i < ns; i++)
        stable += fin(range_of(s, ord[i])) && range_of(s, ord[i]) <= STABLE_PLACES;
    size_t nw = widest(s, ord, ns, top, 3);
    const char *tcode = nd(c, s->target)->code;
    char v[256], ph[160], lst[600];
    chart_node_phrase(c, s->target, ph, sizeof ph);
    varied(s, v, sizeof v);
    if (nw == 0 || range_of(s, top[0]) == 0) {
        it->title = chart_fmt("No unit's rank in %s moves under the method choices tested", ph);
    } else {
        it->title = chart_fmt("%zu of %zu units stay within %d places; %s moves most "
                              "(ranks %.0f to %.0f)", stable, ns, STABLE_PLACES,
                              chart_unit_title(c, top[0]), s->rank_q05[top[0]],
                              s->rank_q95[top[0]]);
    }
    size_t k = 0;
    lst[0] = '\0';
    for (size_t i = 0; i < nw && k < sizeof lst; i++)
        k += (size_t)snprintf(lst + k, sizeof lst - k, "%s%s (%.0f to %.0f)", i ? ", " : "",
                              c->label[top[i]], s->rank_q05[top[i]], s->rank_q95[top[i]]);
    it->subtitle = chart_fmt("%s %s: median rank in %d with its 5-95%% range over %zu runs "
                             "varying %s; units in their nominal order (diamond: the nominal "
                             "rank).", tcode, nd(c, s->target)->name ? nd(c, s->target)->name
                                                                     : "",
                             s->year, stat_runs(s), v);
    it->alt = chart_fmt("Rank ranges of %s (%s) in %d for %zu units in nominal order: the "
                        "median rank with the 5th to 95th percentile over %zu runs varying "
                        "%s. %zu units stay within %d places; the widest ranges: %s.",
                        ph, tcode, s->year, ns, stat_runs(s), v, stable, STABLE_PLACES,
                        nw ? lst : "none");
    size_t rows = rank_rows(c);
    it->width = CHART_W;
    it->height = CHART_HEAD + 28 + (rows ? (double)rows * ROW_PITCH : COLUMN_H + 10) + 34 +
                 CHART_FOOT;
    free(ord);
    return 0;
}

/* Legend: median, range, nominal rank. */
static void ranks_legend(struct chart_pen *p, double x, double y)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    chart_legend_mark(p, &x, y, CHART_CIRCLE, 3, BLUE, "median rank");
    cairo_set_line_width(cr, 3);
    chart_rgba(cr, BLUE, 0.35);
    chart_legend_line(cr, x, y);
    chart_text(p, "5-95% range", &f, x + 18, y, 1, &w);
    x += w + 40;
    chart_legend_mark(p, &x, y, CHART_DIAMOND, 2.6, 0xFFFFFF, "nominal rank");
}

/* The range of unit u as a bar from (a0, b0) to (a1, b1), its median at m
 * and its nominal rank at nm (page points along the rank axis), at the
 * cross position y; horizontal when horiz. */
static void range_mark(cairo_t *cr, int horiz, double y, double q0, double q1, double m,
                       double nm, double width, double r)
{
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    chart_rgba(cr, BLUE, 0.35);
    if (horiz) {
        cairo_move_to(cr, q0, y);
        cairo_line_to(cr, q1, y);
    } else {
        cairo_move_to(cr, y, q0);
        cairo_line_to(cr, y, q1);
    }
    cairo_stroke(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    if (fin(nm) && r > 1.5)
        chart_marker(cr, CHART_DIAMOND, horiz ? nm : y, horiz ? y : nm, r * 0.85, 0xFFFFFF);
    if (fin(m))
        chart_marker(cr, CHART_CIRCLE, horiz ? m : y, horiz ? y : m, r, BLUE);
}

/* Ticks for ranks 1..maxr: nice ticks from 0 (drawn at 1 instead of 0);
 * the scale's domain starts at 0.5 so that rank 1 sits just inside the
 * axis. */
static void rank_ticks(double maxr, struct chart_ticks *tk)
{
    chart_nice_ticks(0, maxr, 7, tk);
}

/* The rank axis: grid lines across [g0, g1] at rank 1 and at the ticks
 * after 0, labelled; horizontal (x axis, labels under g1) or vertical (y
 * axis, labels left of g0, rank 1 at the top). */
static void rank_axis(struct chart_pen *p, const struct chart_scale *s,
                      const struct chart_ticks *tk, int horiz, double g0, double g1)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7, 0, 0x444444, horiz ? CHART_CENTER : CHART_RIGHT, 0, 0};
    cairo_set_line_width(cr, 0.4);
    for (int i = 0; i < tk->n; i++) {
        double v = i == 0 ? 1 : chart_tick_value(tk, i), at = chart_scale_map(s, v);
        if (v > tk->hi)
            break;
        chart_rgb(cr, 0xE4E4E4);
        cairo_move_to(cr, horiz ? at : g0, horiz ? g0 : at);
        cairo_line_to(cr, horiz ? at : g1, horiz ? g1 : at);
        cairo_stroke(cr);
        char b[32];
        snprintf(b, sizeof b, "%.0f", v);
        if (horiz)
            chart_text(p, b, &f, at, g1 + 2, 1, NULL);
        else
            chart_text_mid(p, b, &f, g0 - 4, at);
    }
    f.align = CHART_CENTER;
    if (horiz)
        chart_text(p, "Rank (1 = best)", &f, (s->r0 + s->r1) / 2, g1 + 13, 1, NULL);
    else
        chart_text_up(p, "Rank (1 = best)", &f, 14, (s->r0 + s->r1) / 2 + 30);
}

/* The row form: a row per unit, rank along x. */
static void ranks_rows(struct chart_pen *p, const struct chart_ctx *c,
                       const struct chart_item *it, const size_t *ord, double maxr)
{
    const struct sensitivity *s = sens(c);
    cairo_t *cr = chart_pen_cr(p);
    size_t rows = rank_rows(c);
    struct chart_ticks tk;
    rank_ticks(maxr, &tk);
    double x0 = 172, x1 = it->width - 60, y0 = CHART_HEAD + 28;
    double y1 = y0 + (double)rows * ROW_PITCH;
    struct chart_scale sx = {0.5, tk.hi, x0, x1};
    for (size_t r = 0; r < rows; r += 2) {
        cairo_rectangle(cr, 12, y0 + (double)r * ROW_PITCH, x1 + 50 - 12, ROW_PITCH);
        chart_rgba(cr, 0xF3F3F3, 1);
        cairo_fill(cr);
    }
    rank_axis(p, &sx, &tk, 1, y0 - 4, y1 + 2);
    struct chart_font fl = {7.5, 0, INK, CHART_RIGHT, 156, 0};
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    for (size_t r = 0; r < rows; r++) {
        size_t u = ord[r];
        double y = y0 + ((double)r + 0.5) * ROW_PITCH;
        chart_text_mid(p, c->label[u], &fl, 164, y);
        if (!fin(s->median_rank[u])) {
            chart_text(p, "not ranked", &fv, x0 + 2, y - 4.5, 1, NULL);
            continue;
        }
        double q1 = chart_scale_map(&sx, s->rank_q95[u]);
        range_mark(cr, 1, y, chart_scale_map(&sx, s->rank_q05[u]), q1,
                   chart_scale_map(&sx, s->median_rank[u]),
                   fin(s->nominal_rank[u]) ? chart_scale_map(&sx, s->nominal_rank[u]) : NAN,
                   4, 3);
        char b[48];
        snprintf(b, sizeof b, "%.0f (%.0f-%.0f)", s->median_rank[u], s->rank_q05[u],
                 s->rank_q95[u]);
        chart_text(p, b, &fv, fmax(q1, chart_scale_map(&sx, s->nominal_rank[u])) + 6, y - 4.5,
                   1, NULL);
    }
}

/* The column form: a column per ranked unit, rank down y. */
static void ranks_columns(struct chart_pen *p, const struct chart_ctx *c,
                          const struct chart_item *it, const size_t *ord, size_t ns,
                          double maxr)
{
    const struct sensitivity *s = sens(c);
    cairo_t *cr = chart_pen_cr(p);
    struct chart_ticks tk;
    rank_ticks(maxr, &tk);
    double x0 = 52, x1 = it->width - 20, y0 = CHART_HEAD + 28, y1 = y0 + COLUMN_H;
    struct chart_scale sy = {0.5, tk.hi, y0, y1};   /* rank 1 at the top */
    rank_axis(p, &sy, &tk, 0, x0, x1);
    double step = ns ? (x1 - x0) / (double)ns : 0;
    /* the nominal rank: the diagonal through the columns */
    cairo_set_line_width(cr, 0.8);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    for (size_t i = 0; i < ns; i++) {
        double x = x0 + ((double)i + 0.5) * step, y = chart_scale_map(&sy, s->nominal_rank[ord[i]]);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    for (size_t i = 0; i < ns; i++) {
        size_t u = ord[i];
        if (!fin(s->median_rank[u]))
            continue;
        double x = x0 + ((double)i + 0.5) * step;
        range_mark(cr, 0, x, chart_scale_map(&sy, s->rank_q05[u]),
                   chart_scale_map(&sy, s->rank_q95[u]), chart_scale_map(&sy, s->median_rank[u]),
                   NAN, fmax(0.6, fmin(3, step * 0.8)), fmax(0.8, fmin(3, step * 0.6)));
    }
    struct chart_font fa = {7, 0, 0x444444, CHART_CENTER, 0, 0};
    chart_text(p, "Units in their nominal rank order (dashed: the nominal rank)", &fa,
               (x0 + x1) / 2, y1 + 6, 1, NULL);
}

void chart_draw_sens_ranks(struct chart_pen *p, const struct chart_ctx *c,
                           const struct chart_item *it)
{
    const struct sensitivity *s = sens(c);
    size_t nu = s->nunit, *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord)
        return;
    size_t ns = nominal_order(c, ord);
    double maxr = 1;
    for (size_t u = 0; u < nu; u++) {
        double v[2] = {s->rank_q95[u], s->nominal_rank[u]};
        for (int i = 0; i < 2; i++)
            if (fin(v[i]) && v[i] > maxr)
                maxr = v[i];
    }
    char note[300];
    int with_error = 0;
    for (int a = 0; a < s->d; a++)
        with_error |= s->key[a] == SENS_KEY_SAMPLING_ERROR;
    snprintf(note, sizeof note, "Ranges: 5th to 95th percentile over %zu runs; they measure "
             "method uncertainty%s.", stat_runs(s),
             with_error ? " and sampling error together" : " (observed values held)");
    chart_frame(p, c, it, note);
    ranks_legend(p, 12, CHART_HEAD);
    if (rank_rows(c))
        ranks_rows(p, c, it, ord, maxr);
    else
        ranks_columns(p, c, it, ord, ns, maxr);
    free(ord);
}

