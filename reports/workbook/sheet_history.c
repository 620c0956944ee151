/* sheet_history.c: the History sheet, the aggregates' scores over the
 * years: one row per aggregate (the index, then down the levels to the key
 * features, w->node_order) and unit, with unit, node and level, then one
 * column per year, the latest first; an Excel table named tblHistory. A
 * node's block of rows, years across, is what a line chart of its units
 * over time needs.
 *
 * Size: units x aggregates rows (at most 400,000 for 2,000 units x 200
 * nodes) and 3 + years columns: any number of years fits. Indicators' own
 * history (their normalised values) is on the Data sheet; intervals and
 * ranks of every year are in scores.csv and the store.
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
    size_t ny = c->nyear < XLSX_MAX_COLS - 3 ? c->nyear : XLSX_MAX_COLS - 3;
    struct wb_headers h = {0};
    char buf[16];
    wb_headers_add(w, &h, "unit");
    wb_headers_add(w, &h, "node");
    wb_headers_add(w, &h, "level");
    for (size_t j = 0; j < ny; j++) {
        snprintf(buf, sizeof buf, "%d", c->year[c->nyear - 1 - j]);
        wb_headers_add(w, &h, buf);
    }
    wb_add_table(w, ws, "tblHistory", nrow, &h, NULL);
    wb_headers_free(&h);
    wb_set_width(w, ws, 0, 0, 14, NULL);
    wb_set_width(w, ws, 1, 1, 16, NULL);
    wb_set_width(w, ws, 2, 2, 7, NULL);
    if (ny)
        wb_set_width(w, ws, 3, 2 + ny, 9, NULL);
    worksheet_freeze_panes(ws, 1, 3);

    size_t row = 1;
    for (size_t j = 0; j < nagg; j++) {
        int k = w->node_order[j];   /* the aggregates come first */
        const char *code = fw->node[k].code;
        double level = fw->node[k].level;
        for (size_t u = 0; u < r->nunit; u++, row++) {
            if (row > nrow)
                return;
            lxw_row_t rr = (lxw_row_t)row;
            wb_check(w, worksheet_write_string(ws, rr, 0, c->unit[u], NULL));
            wb_check(w, worksheet_write_string(ws, rr, 1, code, NULL));
            wb_check(w, worksheet_write_number(ws, rr, 2, level, NULL));
            for (size_t y = 0; y < ny; y++) {
                size_t t = c->nyear - 1 - y;
                wb_put_num(w, ws, row, 3 + y, r->score[RES_AT(r, (size_t)k, t, u)], w->f_2dp,
                           0);
            }
        }
    }
}
