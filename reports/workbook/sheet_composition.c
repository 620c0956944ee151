/* sheet_composition.c: the Composition sheet: one row per composition
 * change of a published aggregate score (results->compare->event,
 * compare.h): unit, node, level, year, the node's previous scored year,
 * indicator, and "in" or "out"; an Excel table named tblComposition. Rows
 * by unit, node, year, then the indicators in tree order; at most
 * max_data_rows (Notes counts them all).
 */
#include "compare.h"
#include "workbook_int.h"

void wb_composition_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"unit", "node", "level", "year", "since",
                                      "indicator", "change"};
    static const struct wb_cols width[] = {{0, 0, 14}, {1, 1, 14}, {2, 4, 7},
                                           {5, 5, 16}, {6, 6, 8}};
    const struct compare *cm = w->r->compare;
    size_t n = cm ? cm->nevent : 0;
    size_t nrow = n < w->max_data_rows ? n : w->max_data_rows;
    wb_add_table_of(w, ws, "tblComposition", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, 1, 0);
    for (size_t k = 0; k < nrow; k++) {
        const struct compare_event *e = &cm->event[k];
        size_t row = k + 1;
        wb_put_str(w, ws, row, 0, w->c->unit[e->unit], NULL);
        wb_put_str(w, ws, row, 1, w->fw->node[e->node].code, NULL);
        wb_put_num(w, ws, row, 2, w->fw->node[e->node].level, NULL, 0);
        wb_put_num(w, ws, row, 3, w->c->year[e->year], NULL, 0);
        wb_put_num(w, ws, row, 4, w->c->year[e->from], NULL, 0);
        wb_put_str(w, ws, row, 5, w->fw->node[e->ind].code, NULL);
        wb_put_str(w, ws, row, 6, e->in ? "in" : "out", NULL);
    }
}
