/* sheet_charts.c: the Charts sheet: a table of every chart file the run
 * wrote (charts/STEM.pdf, and STEM.png where there is one), each with its
 * title, kind, node or unit, a link to each file and its description (the
 * chart's alternative text); and beside it a native chart an analyst can
 * restyle, the index by unit with interval whiskers, drawn from the
 * Summary sheet's columns (units in index order there). The images are not
 * copied into the workbook: a Hong Kong workbook held 11.6 MB of them, the
 * files charts/ already has.
 *
 * The native chart: libxlsxwriter 1.1.4 has no per-point custom error
 * bars, so the whiskers are Excel's high-low lines: a line chart of three
 * series over the units -- score, lower bound, upper bound -- with no line
 * on any series, a marker on the score only, and chart_set_high_low_lines,
 * which joins the highest and lowest value of each category. Without
 * intervals only the score series is drawn; without an evaluation year or
 * a scored unit, no chart.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "workbook_int.h"

static const char *kind_name(enum chart_kind k)
{
    switch (k) {
    case CHART_DOT: return "dot plot";
    case CHART_HEATMAP: return "heatmap";
    case CHART_PROGRESS: return "progress classes";
    case CHART_TREND_MEDIAN: return "network trends";
    case CHART_TREND: return "unit trends";
    case CHART_PROFILE: return "unit profile";
    case CHART_RADAR: return "unit radar";
    case CHART_PLAN: return "action plan";
    default: return "chart";
    }
}

/* A link to charts/STEM.EXT in the cell, shown as the file name. */
static void file_link(struct wb *w, lxw_worksheet *ws, size_t row, size_t col,
                      const char *stem, const char *ext)
{
    size_t n = strlen(stem) + 32;
    char *url = malloc(n), *shown = malloc(n);
    if (!url || !shown) {
        w->nomem = 1;
    } else {
        snprintf(url, n, "external:charts/%s.%s", stem, ext);
        snprintf(shown, n, "charts/%s.%s", stem, ext);
        wb_check(w, worksheet_write_url_opt(ws, (lxw_row_t)row, (lxw_col_t)col, url, NULL,
                                            shown, NULL));
    }
    free(url);
    free(shown);
}

/* The native chart of the index by unit, from the Summary sheet. */
static void index_chart(struct wb *w, lxw_worksheet *ws, size_t nscored, size_t col)
{
    const struct cube *c = w->c;
    int has_ci = w->r->ci_low && w->r->ci_high;
    lxw_chart *ch = workbook_add_chart(w->book, LXW_CHART_LINE);
    if (!ch) {
        w->nomem = 1;
        return;
    }
    char buf[200];
    snprintf(buf, sizeof buf, "Index by unit in %d%s", c->year[w->ty],
             has_ci ? " with its interval" : "");
    chart_title_set_name(ch, buf);
    lxw_chart_line none = {.none = LXW_TRUE};
    const char *names[3] = {"Index score", "Lower bound", "Upper bound"};
    lxw_row_t r0 = WB_TOP + 1, r1 = (lxw_row_t)(WB_TOP + nscored);
    lxw_col_t vc = (lxw_col_t)(2 + c->nattr);   /* Summary: the index's score */
    for (int k = 0; k < (has_ci ? 3 : 1); k++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            w->nomem = 1;
            return;
        }
        chart_series_set_categories(se, "Summary", r0, 1, r1, 1);
        chart_series_set_values(se, "Summary", r0, (lxw_col_t)(vc + k), r1,
                                (lxw_col_t)(vc + k));
        chart_series_set_name(se, names[k]);
        chart_series_set_line(se, &none);
        chart_series_set_marker_type(se, k == 0 ? LXW_CHART_MARKER_CIRCLE
                                                : LXW_CHART_MARKER_NONE);
        if (k == 0)
            chart_series_set_marker_size(se, 6);
    }
    if (has_ci) {
        lxw_chart_line whisker = {.color = 0x444444, .width = 1.25};
        chart_set_high_low_lines(ch, &whisker);
    }
    chart_axis_set_name(ch->y_axis, "Score");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    snprintf(buf, sizeof buf, "Index score in %d for %zu units, from highest to lowest%s.",
             c->year[w->ty], nscored, has_ci ? ", with interval whiskers" : "");
    double xs = nscored > 20 ? (double)nscored / 20.0 : 1.0;   /* wider for many units */
    lxw_chart_options o = {.x_scale = xs > 3 ? 3 : xs, .y_scale = 1.25, .description = buf};
    wb_check(w, worksheet_insert_chart_opt(ws, WB_TOP, (lxw_col_t)col, ch, &o));
}

void wb_charts_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Title", "Kind", "Node", "Unit", "PDF file",
                                      "PNG file", "Description"};
    static const struct wb_cols width[] = {{0, 0, 50}, {1, 1, 16}, {2, 3, 10}, {4, 5, 28},
                                           {6, 6, 80}};
    const struct chart_list *cl = w->in->charts;
    size_t n = cl ? cl->n : 0;
    if (n > w->max_data_rows)
        n = w->max_data_rows;
    wb_sheet_head(w, ws, "Charts", "One row per chart file in charts/, beside this workbook: "
                  "its title, a link to its PDF (and PNG, where there is one) and its "
                  "description. The native chart beside the table is drawn from the Summary "
                  "sheet.", NULL, 0);
    wb_add_table_of(w, ws, "tblCharts", n, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 0);
    for (size_t i = 0; i < n; i++) {
        const struct chart_item *it = &cl->v[i];
        size_t row = WB_TOP + 1 + i;
        wb_put_str(w, ws, row, 0, it->title, NULL);
        wb_put_str(w, ws, row, 1, kind_name(it->kind), NULL);
        if (it->node >= 0)
            wb_put_str(w, ws, row, 2, w->fw->node[it->node].code, NULL);
        if (it->unit >= 0)
            wb_put_str(w, ws, row, 3, w->c->unit[it->unit], NULL);
        file_link(w, ws, row, 4, it->stem, "pdf");
        if (chart_has_png(w->in, it))
            file_link(w, ws, row, 5, it->stem, "png");
        wb_put_str(w, ws, row, 6, it->alt, NULL);
    }
    size_t nscored = 0;
    if (w->ty >= 0)
        for (size_t u = 0; u < w->c->nunit; u++)
            nscored += isfinite(w->r->score[RES_AT(w->r, w->fw->root, (size_t)w->ty, u)]);
    if (nscored)
        index_chart(w, ws, nscored, 8);
}
