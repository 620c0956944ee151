/* sheet_trends.c: the Trends sheet: one row per unit and aggregate (units
 * in cube order, aggregates from the index down, w->node_order) with, in
 * words: the change since the base year and since the year before, each
 * with its interval, Monte Carlo p-value, significance and composition
 * (the same indicators both years, or those both years have, and how
 * many), the OLS slope a
 * year with its interval, the years with a score, the progress class and
 * the target score it was judged against; an Excel table named tblTrends.
 * Every column of every node, indicators included (CAGR, Sen's slope,
 * Mann-Kendall), is in trends.csv (Notes say so). Empty when the run
 * computed no trends.
 *
 * The columns are TREND_COLS below, in order; a new column is a header
 * there and its cell in trends_row.
 */
#include "compare.h"
#include "trend.h"
#include "workbook_int.h"

static const char *const TREND_COLS[] = {
    "Unit code", "Unit name", "Node code", "Node name", "Level",
    "Base year", "Last year", "Change since base year", "Change since base: lower bound",
    "Change since base: upper bound", "Change since base: p-value",
    "Change since base: significance", "Change since base: composition",
    "Change since base: indicators compared",
    "Previous year", "Change since previous year", "Change since previous: lower bound",
    "Change since previous: upper bound", "Change since previous: p-value",
    "Change since previous: significance", "Change since previous: composition",
    "Change since previous: indicators compared",
    "Slope a year", "Slope: lower bound", "Slope: upper bound", "Years with a score",
    "Progress class", "Target score",
};
#define NCOL (sizeof TREND_COLS / sizeof TREND_COLS[0])

/* How change `kind` compared, as trends.csv's composition columns, in
 * words: "same indicators" (constant composition) or "common indicators"
 * (recomputed over the indicators both years have), and how many, in
 * columns col, col + 1; empty when the change was not compared. */
static void composition_cells(struct wb *w, lxw_worksheet *ws, size_t row, size_t col,
                              int kind, size_t i)
{
    const struct compare *cm = w->r->compare;
    if (!cm || !w->in->trends->comparable || cm->ch[kind].how[i] == COMPARE_NONE)
        return;
    wb_put_str(w, ws, row, col, cm->ch[kind].how[i] == COMPARE_CONSTANT ? "same indicators"
                                                                        : "common indicators",
               NULL);
    wb_put_num(w, ws, row, col + 1, cm->ch[kind].nind[i], NULL, 0);
}

/* Row row: unit u, node k. */
static void trends_row(struct wb *w, lxw_worksheet *ws, size_t row, size_t u, int k)
{
    const struct trends *tr = w->in->trends;
    const struct fw_node *x = &w->fw->node[k];
    size_t i = TREND_AT(tr, k, u), col = 2;
    int base_as = tr->change_assessed && tr->change_assessed[i];
    int prev_as = tr->prev_year[i] > 0 && tr->change_prev_assessed &&
                  tr->change_prev_assessed[i];
    wb_put_unit(w, ws, row, u);
    wb_put_str(w, ws, row, col++, x->code, NULL);
    wb_put_str(w, ws, row, col++, x->name, NULL);
    wb_put_num(w, ws, row, col++, x->level, NULL, 0);
    int has = tr->points[i] > 0 || tr->base_year[i] > 0;
    wb_put_num(w, ws, row, col++, has && tr->base_year[i] > 0 ? tr->base_year[i] : NAN, NULL, 0);
    wb_put_num(w, ws, row, col++, has ? tr->last_year[i] : NAN, NULL, 0);
    wb_put_num(w, ws, row, col++, tr->change_since_base[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->change_low[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->change_high[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, base_as ? tr->change_p[i] : NAN, w->f_3dp, 0);
    wb_put_str(w, ws, row, col++, wb_significance(tr, i, 0), NULL);
    composition_cells(w, ws, row, col, COMPARE_BASE, i);
    col += 2;
    wb_put_num(w, ws, row, col++, tr->prev_year[i] > 0 ? tr->prev_year[i] : NAN, NULL, 0);
    wb_put_num(w, ws, row, col++, tr->change_prev[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->change_prev_low[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->change_prev_high[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, prev_as ? tr->change_prev_p[i] : NAN, w->f_3dp, 0);
    wb_put_str(w, ws, row, col++, wb_significance(tr, i, 1), NULL);
    if (tr->prev_year[i] > 0)
        composition_cells(w, ws, row, col, COMPARE_PREV, i);
    col += 2;
    wb_put_num(w, ws, row, col++, tr->slope[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->slope_low[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->slope_high[i], w->f_2dp, 0);
    wb_put_num(w, ws, row, col++, tr->points[i], NULL, 0);
    wb_put_str(w, ws, row, col++, trend_class_name(tr->progress[i]), NULL);
    wb_put_num(w, ws, row, col, tr->target[i], w->f_2dp, 0);
}

void wb_trends_write(struct wb *w, lxw_worksheet *ws)
{
    static const struct wb_cols width[] = {{0, 0, 12}, {1, 1, 22}, {2, 2, 12},
                                           {3, 3, 36}, {4, 25, 12}, {26, 26, 28},
                                           {27, 27, 12}};
    static const enum wb_note topics[] = {WBN_CHANGES, WBN_TRENDS, WBN_INTERVALS,
                                          WBN_MISSING, WBN_READING};
    const struct trends *tr = w->in->trends;
    const struct framework *fw = w->fw;
    size_t nagg = (size_t)(fw->nnode - fw->nind);
    int ok = tr && tr->nunit == w->c->nunit && tr->nnode == (size_t)fw->nnode;
    size_t nrow = ok ? tr->nunit * nagg : 0;
    if (nrow > w->max_data_rows)
        nrow = w->max_data_rows;
    wb_sheet_head(w, ws, "Changes and trends of every aggregate",
                  "One row per unit and aggregate: changes with their intervals, p-values "
                  "and significance, the slope a year and the progress class (indicators: "
                  "trends.csv).", topics, 5);
    wb_add_table_of(w, ws, "tblTrends", nrow, TREND_COLS, NCOL);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 45, NULL));
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    if (!ok)
        return;
    size_t row = WB_TOP + 1, last = WB_TOP + nrow;
    for (size_t u = 0; u < tr->nunit; u++)
        for (size_t j = 0; j < nagg; j++, row++) {
            if (row > last)
                return;
            trends_row(w, ws, row, u, w->node_order[j]);
        }
}
