/* sheet_trends.c: the Trends sheet: one row per unit and node (units in
 * cube order, nodes in framework order) with the columns of trends.csv, same
 * names and order, and the node's level after its code; an Excel table
 * named tblTrends. Empty when the run computed no trends.
 */
#include "compare.h"
#include "trend.h"
#include "workbook_int.h"

/* How change `kind` compared, as trends.csv: constant (1) or recomputed
 * over the common indicators (0), and how many, in columns col, col + 1. */
static void composition_cells(struct wb *w, lxw_worksheet *ws, size_t row, size_t col,
                              int kind, size_t i)
{
    const struct compare *cm = w->r->compare;
    if (!cm || !w->in->trends->comparable || cm->ch[kind].how[i] == COMPARE_NONE)
        return;
    wb_put_num(w, ws, row, col, cm->ch[kind].how[i] == COMPARE_CONSTANT, NULL, 0);
    wb_put_num(w, ws, row, col + 1, cm->ch[kind].nind[i], NULL, 0);
}

/* Row row: unit u, node k. */
static void trends_row(struct wb *w, lxw_worksheet *ws, size_t row, size_t u, size_t k)
{
    const struct trends *tr = w->in->trends;
    const struct framework *fw = w->fw;
    size_t i = TREND_AT(tr, k, u);
    wb_put_str(w, ws, row, 0, w->c->unit[u], NULL);
    wb_put_str(w, ws, row, 1, fw->node[k].code, NULL);
    wb_put_num(w, ws, row, 2, fw->node[k].level, NULL, 0);
    int has = tr->points[i] > 0 || tr->base_year[i] > 0;
    if (has) {
        wb_put_num(w, ws, row, 3, tr->first_year[i], NULL, 0);
        wb_put_num(w, ws, row, 4, tr->last_year[i], NULL, 0);
    }
    wb_put_num(w, ws, row, 5, tr->points[i], NULL, 0);
    const double v[] = {tr->slope[i], tr->slope_low[i], tr->slope_high[i],
                        tr->sen_slope[i], tr->mk_s[i], tr->mk_z[i], tr->mk_p[i],
                        tr->cagr[i], tr->change_since_base[i], tr->change_low[i],
                        tr->change_high[i]};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)   /* mk_p, cagr: no rounding */
        wb_put_num(w, ws, row, 6 + j, v[j], j == 6 || j == 7 ? NULL : w->f_2dp, 0);
    wb_put_str(w, ws, row, 17, trend_class_name(tr->progress[i]), NULL);
    /* as trends.csv: flags and p-values only where the change is assessed */
    int has_prev = tr->prev_year[i] > 0;
    int base_as = isfinite(tr->change_low[i]) && tr->change_assessed[i];
    int prev_as = has_prev && isfinite(tr->change_prev_low[i]) && tr->change_prev_assessed[i];
    if (has && tr->base_year[i] > 0)
        wb_put_num(w, ws, row, 18, tr->base_year[i], NULL, 0);
    if (base_as)
        wb_put_num(w, ws, row, 19, tr->change_excludes_zero[i], NULL, 0);
    if (has_prev) {
        wb_put_num(w, ws, row, 20, tr->prev_year[i], NULL, 0);
        wb_put_num(w, ws, row, 21, tr->change_prev[i], w->f_2dp, 0);
        wb_put_num(w, ws, row, 22, tr->change_prev_low[i], w->f_2dp, 0);
        wb_put_num(w, ws, row, 23, tr->change_prev_high[i], w->f_2dp, 0);
    }
    if (prev_as)
        wb_put_num(w, ws, row, 24, tr->change_prev_excludes_zero[i], NULL, 0);
    /* raw units for indicators: no rounding format */
    wb_put_num(w, ws, row, 25, tr->target[i], k < (size_t)fw->nind ? NULL : w->f_2dp, 0);
    if (base_as) {
        wb_put_num(w, ws, row, 26, tr->change_p[i], NULL, 0);
        wb_put_num(w, ws, row, 27, tr->change_significant[i], NULL, 0);
    }
    if (prev_as) {
        wb_put_num(w, ws, row, 28, tr->change_prev_p[i], NULL, 0);
        wb_put_num(w, ws, row, 29, tr->change_prev_significant[i], NULL, 0);
    }
    composition_cells(w, ws, row, 30, COMPARE_BASE, i);
    if (has_prev)
        composition_cells(w, ws, row, 32, COMPARE_PREV, i);
}

void wb_trends_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {
        "unit", "node", "level", "first_year", "last_year", "points", "slope",
        "slope_low", "slope_high", "sen_slope", "mk_s", "mk_z", "mk_p", "cagr",
        "change_since_base", "change_low", "change_high", "progress", "base_year",
        "change_excludes_zero", "prev_year", "change_since_prev", "change_prev_low",
        "change_prev_high", "change_prev_excludes_zero", "target", "change_p",
        "change_significant", "change_prev_p", "change_prev_significant", "change_constant",
        "change_indicators", "change_prev_constant", "change_prev_indicators"};
    static const struct wb_cols width[] = {{0, 1, 14}, {2, 33, 11}, {17, 17, 30}};
    const struct trends *tr = w->in->trends;
    size_t nrow = tr ? tr->nunit * tr->nnode : 0;
    if (nrow > w->max_data_rows)
        nrow = w->max_data_rows;
    wb_add_table_of(w, ws, "tblTrends", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, 1, 2);
    if (!tr || tr->nunit != w->c->nunit || tr->nnode != (size_t)w->fw->nnode)
        return;
    size_t row = 1;
    for (size_t u = 0; u < tr->nunit; u++)
        for (size_t k = 0; k < tr->nnode; k++, row++) {
            if (row > nrow)
                return;
            trends_row(w, ws, row, u, k);
        }
}
