/* sheet_charts.c: the Charts sheet: native charts an analyst can restyle,
 * each drawn from a small range on the sheet itself, then the chart images.
 *
 * (a) Index by unit with interval whiskers. libxlsxwriter 1.1.4 has no
 *     per-point custom error bars, so the whiskers are Excel's high-low
 *     lines: a line chart of three series over the units (sorted by score,
 *     best first) -- score, interval low, interval high -- with no line on
 *     any series, a marker on the score only, and chart_set_high_low_lines,
 *     which joins the highest and lowest value of each category. Without
 *     intervals only the score series is drawn; without an evaluation year,
 *     no chart.
 * (b) Area medians over the years: one line per area, the network median
 *     from struct trends (median[node * nyear + t]); absent without trends.
 * Images: every chart PNG for networks of at most CHART_PNG_UNITS units,
 *     else only the dot plots (index, areas, areas of focus) and the
 *     progress chart, each with its alternative text as the description.
 *
 * Layout: a title and a sentence in rows 1-2; the ranges' titles in row 3,
 * their headers in row 4, their data from row 5, (a) in A:D and (b) from F;
 * the charts, then the images, to the right of the ranges, one below the
 * other. Cells are written row by row, so the sheet also works in
 * constant-memory mode; charts and images are drawing objects and need no
 * cell order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "report_util.h"
#include "trend.h"
#include "workbook_int.h"

#define CHART_SHEET_FIRST 4      /* first data row of the ranges (0-based) */
#define CHART_SHEET_PITCH 21     /* rows from one native chart to the next */

struct unit_score {
    size_t u;
    double v;
};

/* Where everything goes, worked out before the first cell. */
struct charts_layout {
    struct unit_score *us;    /* units with an index score, best first */
    size_t nu;
    int has_ci;               /* intervals: the whiskers of (a) */
    int has_med;              /* trends with medians: chart (b) */
    size_t ny;                /* rows of range (b): years, 0 without it */
    size_t hr, first;         /* header row and first data row of the ranges */
    size_t rows;              /* data rows: the longer of the two ranges */
    size_t col_b;             /* first column of range (b) */
    size_t col_chart;         /* column of the charts and images */
    size_t chart_row;         /* row of the next chart */
};

/* Highest score first; ties in unit order. */
static int unit_score_cmp(const void *a, const void *b)
{
    const struct unit_score *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->u < y->u ? -1 : x->u > y->u;
}

/* Sort the units by index score and place the ranges and charts; -1 when
 * out of memory. */
static int charts_plan(struct wb *w, struct charts_layout *L)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct trends *tr = w->in->trends;
    memset(L, 0, sizeof *L);
    L->has_ci = r->ci_low && r->ci_high;
    L->has_med = tr && tr->median && tr->nyear == c->nyear && tr->nnode == r->nnode &&
                 w->narea > 0;
    L->us = malloc((c->nunit ? c->nunit : 1) * sizeof *L->us);
    if (!L->us)
        return -1;
    if (w->ty >= 0)
        for (size_t u = 0; u < c->nunit; u++) {
            double v = r->score[RES_AT(r, w->fw->root, (size_t)w->ty, u)];
            if (isfinite(v))
                L->us[L->nu++] = (struct unit_score){u, v};
        }
    qsort(L->us, L->nu, sizeof *L->us, unit_score_cmp);
    L->hr = CHART_SHEET_FIRST - 1;
    L->first = CHART_SHEET_FIRST;
    L->ny = L->has_med ? c->nyear : 0;
    L->rows = L->nu > L->ny ? L->nu : L->ny;
    L->col_b = 5;
    L->col_chart = L->col_b + (L->has_med ? (size_t)w->narea + 2 : 0);
    L->chart_row = L->hr;
    return 0;
}

/* Rows 1 to 4 and the data of both ranges, row by row. */
static void charts_ranges(struct wb *w, lxw_worksheet *ws, const struct charts_layout *L)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct trends *tr = w->in->trends;
    size_t hr = L->hr, col_b = L->col_b;
    char buf[160];
    wb_set_width(w, ws, 0, 0, 24, NULL);
    wb_set_width(w, ws, 1, 3, 12, NULL);
    wb_put_str(w, ws, 0, 0, "Charts", w->f_title);
    wb_put_str(w, ws, 1, 0,
               "Native charts drawn from the ranges below them: restyle or copy them in "
               "Excel. Whiskers are high-low lines between the interval low and high "
               "series (both hidden); areas over the years are network medians.", NULL);
    if (w->ty >= 0) {
        snprintf(buf, sizeof buf, "Index by unit in %d", c->year[w->ty]);
        wb_put_str(w, ws, hr - 1, 0, buf, w->f_bold);
    }
    if (L->has_med)
        wb_put_str(w, ws, hr - 1, col_b, "Area medians over the years", w->f_bold);
    wb_put_str(w, ws, hr, 0, "Unit", w->f_bold);
    wb_put_str(w, ws, hr, 1, "Index score", w->f_bold);
    wb_put_str(w, ws, hr, 2, "Interval low", w->f_bold);
    wb_put_str(w, ws, hr, 3, "Interval high", w->f_bold);
    if (L->has_med) {
        wb_put_str(w, ws, hr, col_b, "Year", w->f_bold);
        for (int a = 0; a < w->narea; a++)
            wb_put_str(w, ws, hr, col_b + 1 + (size_t)a, w->fw->node[w->area[a]].code,
                       w->f_bold);
    }
    for (size_t i = 0; i < L->rows; i++) {
        size_t row = L->first + i;
        if (i < L->nu) {
            size_t u = L->us[i].u;
            const char *nm = c->unit_name && c->unit_name[u] && c->unit_name[u][0]
                                 ? c->unit_name[u] : c->unit[u];
            size_t at = RES_AT(r, w->fw->root, (size_t)w->ty, u);
            wb_put_str(w, ws, row, 0, nm, NULL);
            wb_put_num(w, ws, row, 1, L->us[i].v, w->f_1dp, 0);
            if (L->has_ci) {
                wb_put_num(w, ws, row, 2, r->ci_low[at], w->f_1dp, 0);
                wb_put_num(w, ws, row, 3, r->ci_high[at], w->f_1dp, 0);
            }
        }
        if (i < L->ny) {
            wb_put_num(w, ws, row, col_b, c->year[i], NULL, 0);
            for (int a = 0; a < w->narea; a++)
                wb_put_num(w, ws, row, col_b + 1 + (size_t)a,
                           tr->median[(size_t)w->area[a] * tr->nyear + i], w->f_1dp, 0);
        }
    }
}

/* Chart (a) from range A:D; -1 when out of memory. */
static int chart_index(struct wb *w, lxw_worksheet *ws, struct charts_layout *L)
{
    const struct cube *c = w->c;
    lxw_row_t r0 = (lxw_row_t)L->first, r1 = (lxw_row_t)(L->first + L->nu - 1);
    char buf[160];
    lxw_chart *ch = workbook_add_chart(w->book, LXW_CHART_LINE);
    if (!ch)
        return -1;
    snprintf(buf, sizeof buf, "Index by unit in %d%s", c->year[w->ty],
             L->has_ci ? " with its interval" : "");
    chart_title_set_name(ch, buf);
    lxw_chart_line none = {.none = LXW_TRUE};
    const char *names[3] = {"Index score", "Interval low", "Interval high"};
    for (int k = 0; k < (L->has_ci ? 3 : 1); k++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            w->nomem = 1;
            break;
        }
        chart_series_set_categories(se, "Charts", r0, 0, r1, 0);
        chart_series_set_values(se, "Charts", r0, (lxw_col_t)(1 + k), r1, (lxw_col_t)(1 + k));
        chart_series_set_name(se, names[k]);
        chart_series_set_line(se, &none);
        if (k == 0) {
            chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
            chart_series_set_marker_size(se, 6);
        } else {
            chart_series_set_marker_type(se, LXW_CHART_MARKER_NONE);
        }
    }
    if (L->has_ci) {
        lxw_chart_line whisker = {.color = 0x444444, .width = 1.25};
        chart_set_high_low_lines(ch, &whisker);
    }
    chart_axis_set_name(ch->y_axis, "Score");
    chart_axis_set_min(ch->y_axis, 0);
    chart_axis_set_max(ch->y_axis, 100);
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    snprintf(buf, sizeof buf, "Index score in %d for %zu units, sorted from highest "
             "to lowest%s.", c->year[w->ty], L->nu,
             L->has_ci ? ", with interval whiskers" : "");
    double xs = L->nu > 20 ? (double)L->nu / 20.0 : 1.0;   /* wider for many units */
    lxw_chart_options o = {.x_scale = xs > 3 ? 3 : xs, .y_scale = 1.25, .description = buf};
    wb_check(w, worksheet_insert_chart_opt(ws, (lxw_row_t)L->chart_row,
                                           (lxw_col_t)L->col_chart, ch, &o));
    L->chart_row += CHART_SHEET_PITCH;
    return 0;
}

/* Chart (b) from the range at col_b; -1 when out of memory. */
static int chart_medians(struct wb *w, lxw_worksheet *ws, struct charts_layout *L)
{
    const struct cube *c = w->c;
    char buf[160];
    lxw_chart *ch = workbook_add_chart(w->book, LXW_CHART_LINE);
    if (!ch)
        return -1;
    chart_title_set_name(ch, "Area medians over the years");
    lxw_row_t y0 = (lxw_row_t)L->first, y1 = (lxw_row_t)(L->first + L->ny - 1);
    for (int a = 0; a < w->narea; a++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            w->nomem = 1;
            break;
        }
        chart_series_set_categories(se, "Charts", y0, (lxw_col_t)L->col_b, y1,
                                    (lxw_col_t)L->col_b);
        lxw_col_t vc = (lxw_col_t)(L->col_b + 1 + (size_t)a);
        chart_series_set_values(se, "Charts", y0, vc, y1, vc);
        chart_series_set_name_range(se, "Charts", (lxw_row_t)L->hr, vc);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
    }
    chart_axis_set_name(ch->y_axis, "Median score");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    snprintf(buf, sizeof buf, "Network median score of each of %d areas from %d to %d.",
             w->narea, c->year[0], c->year[c->nyear - 1]);
    lxw_chart_options o = {.x_scale = 1.25, .y_scale = 1.25, .description = buf};
    wb_check(w, worksheet_insert_chart_opt(ws, (lxw_row_t)L->chart_row,
                                           (lxw_col_t)L->col_chart, ch, &o));
    L->chart_row += CHART_SHEET_PITCH;
    return 0;
}

/* The chart images written already (in->charts, in->charts_dir), below the
 * native charts and below the last data row: in constant-memory mode a cell
 * may not go above a row already written. */
static void chart_images(struct wb *w, lxw_worksheet *ws, const struct charts_layout *L)
{
    const struct chart_list *cl = w->in->charts;
    const char *dir = w->in->charts_dir;
    if (!cl || !dir || cl->n == 0)
        return;
    int all = w->c->nunit <= CHART_PNG_UNITS;   /* every chart has a PNG */
    size_t last = L->first + L->rows;
    size_t row = (L->chart_row > last ? L->chart_row : last) + 1;
    wb_put_str(w, ws, row - 1, L->col_chart,
               all ? "Chart images (also in charts/ as PNG and PDF)"
                   : "Chart images: dot plots and progress (every chart is in charts/)",
               w->f_bold);
    for (size_t i = 0; i < cl->n && !w->nomem; i++) {
        const struct chart_item *it = &cl->v[i];
        if (!all && it->kind != CHART_DOT && it->kind != CHART_PROGRESS)
            continue;
        size_t len = strlen(dir) + strlen(it->stem) + 6;
        char *path = malloc(len);
        if (!path) {
            w->nomem = 1;
            break;
        }
        snprintf(path, len, "%s/%s.png", dir, it->stem);
        /* PNGs carry 150 dpi: at scale 0.75 a chart of H points shows H
         * pixels high (H * 150/72 * 96/150 * 0.75) */
        char *owned;
        lxw_image_options o = {.x_scale = 0.75, .y_scale = 0.75,
                               .description = (char *)report_text(it->alt, &owned)};
        wb_check(w, worksheet_insert_image_opt(ws, (lxw_row_t)row, (lxw_col_t)L->col_chart,
                                               path, &o));
        free(owned);
        free(path);
        row += (size_t)ceil(it->height / 20.0) + 1;
    }
}

void wb_charts_write(struct wb *w, lxw_worksheet *ws)
{
    struct charts_layout L;
    if (charts_plan(w, &L) != 0) {
        w->nomem = 1;
        return;
    }
    charts_ranges(w, ws, &L);
    int rc = 0;
    if (L.nu > 0)
        rc = chart_index(w, ws, &L);
    if (rc == 0 && L.has_med && L.ny > 0)
        rc = chart_medians(w, ws, &L);
    free(L.us);
    if (rc != 0) {
        w->nomem = 1;
        return;
    }
    chart_images(w, ws, &L);
}
