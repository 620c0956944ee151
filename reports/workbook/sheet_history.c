/* sheet_history.c: the History sheet, the aggregates' scores over the
 * years: one row per aggregate (the index, then down the levels to the key
 * features, w->node_order) and unit, with unit code and name, node code and
 * name and level, then one column per year, the latest first; an Excel
 * table named tblHistory. A node's block of rows, years across, is what a
 * line chart of its units over time needs.
 *
 * Size: units x aggregates rows (at most 400,000 for 2,000 units x 200
 * nodes) and 5 + years columns: any number of years fits. Indicators' own
 * history (their raw values) is on the Data sheet; intervals and ranks of
 * every year are in scores.csv and the store.
 */
#include <stdio.h>

#include "workbook_int.h"

void wb_history_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nagg = (size_t)(fw->nnode - fw->nind);
    size_t nrow = w->history_rows < w->max_data_rows ? w->history_rows : w->max_data_rows;
    size_t ny = c->nyear < XLSX_MAX_COLS - 5 ? c->nyear : XLSX_MAX_COLS - 5;
    struct wb_headers h = {0};
    char buf[16];
    static const enum wb_note topics[] = {WBN_MISSING, WBN_NORMALISE, WBN_AGGREGATE};
    wb_sheet_head(w, ws, "Scores of every aggregate over the years",
                  "One row per aggregate and unit, one column per year, the latest first.",
                  topics, 3);
    wb_headers_add(w, &h, "Unit code");
    wb_headers_add(w, &h, "Unit name");
    wb_headers_add(w, &h, "Node code");
    wb_headers_add(w, &h, "Node name");
    wb_headers_add(w, &h, "Level");
    for (size_t j = 0; j < ny; j++) {
        snprintf(buf, sizeof buf, "%d", c->year[c->nyear - 1 - j]);
        wb_headers_add(w, &h, buf);
    }
    wb_add_table(w, ws, "tblHistory", nrow, &h, NULL);
    wb_headers_free(&h);
    wb_set_width(w, ws, 0, 0, 12, NULL);
    wb_set_width(w, ws, 1, 1, 24, NULL);
    wb_set_width(w, ws, 2, 2, 12, NULL);
    wb_set_width(w, ws, 3, 3, 40, NULL);
    wb_set_width(w, ws, 4, 4, 7, NULL);
    if (ny)
        wb_set_width(w, ws, 5, 4 + ny, 9, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 5);

    size_t row = WB_TOP + 1, last = WB_TOP + nrow;
    for (size_t j = 0; j < nagg; j++) {
        int k = w->node_order[j];   /* the aggregates come first */
        const struct fw_node *x = &fw->node[k];
        for (size_t u = 0; u < r->nunit; u++, row++) {
            if (row > last)
                return;
            wb_put_unit(w, ws, row, u);
            wb_put_str(w, ws, row, 2, x->code, NULL);
            wb_put_str(w, ws, row, 3, x->name, NULL);
            wb_put_num(w, ws, row, 4, x->level, NULL, 0);
            for (size_t y = 0; y < ny; y++) {
                size_t t = c->nyear - 1 - y;
                wb_put_num(w, ws, row, 5 + y, r->score[RES_AT(r, (size_t)k, t, u)], w->f_2dp,
                           0);
            }
        }
    }
}
