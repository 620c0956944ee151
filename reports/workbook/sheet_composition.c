/* sheet_composition.c: the Composition sheet: one row per composition
 * change of a published aggregate score (results->compare->event,
 * compare.h): unit code and name, node code and name, level, year, the
 * node's previous scored year, indicator code and name, and "in" or "out";
 * an Excel table named tblComposition. Rows by unit, node, year, then the
 * indicators in tree order; at most max_data_rows (Notes counts them all).
 */
#include "compare.h"
#include "workbook_int.h"

void wb_composition_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Unit code", "Unit name", "Node code", "Node name",
                                      "Level", "Year", "Previous scored year",
                                      "Indicator code", "Indicator name", "Change"};
    static const struct wb_cols width[] = {{2, 2, 12}, {3, 3, 30}, {4, 6, 9},
                                           {7, 7, 14}, {8, 8, 36}, {9, 9, 8}};
    static const enum wb_note topics[] = {WBN_CHANGES, WBN_AGGREGATE};
    const struct compare *cm = w->r->compare;
    size_t n = cm ? cm->nevent : 0;
    size_t nrow = n < w->max_data_rows ? n : w->max_data_rows;
    wb_sheet_head(w, ws, "Changes in the indicators behind aggregate scores",
                  "One row each time an indicator entered (in) or left (out) a unit's "
                  "aggregate score from one scored year to the next; changes over time "
                  "compare the indicators both years have.", topics, 2);
    wb_add_table_of(w, ws, "tblComposition", nrow, col, sizeof col / sizeof col[0]);
    wb_unit_widths(w, ws);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    for (size_t k = 0; k < nrow; k++) {
        const struct compare_event *e = &cm->event[k];
        const struct fw_node *nd = &w->fw->node[e->node], *ind = &w->fw->node[e->ind];
        size_t row = WB_TOP + 1 + k;
        wb_put_unit(w, ws, row, e->unit);
        wb_put_str(w, ws, row, 2, nd->code, NULL);
        wb_put_str(w, ws, row, 3, nd->name, NULL);
        wb_put_num(w, ws, row, 4, nd->level, NULL, 0);
        wb_put_num(w, ws, row, 5, w->c->year[e->year], NULL, 0);
        wb_put_num(w, ws, row, 6, w->c->year[e->from], NULL, 0);
        wb_put_str(w, ws, row, 7, ind->code, NULL);
        wb_put_str(w, ws, row, 8, ind->name, NULL);
        wb_put_str(w, ws, row, 9, e->in ? "in" : "out", NULL);
    }
}
