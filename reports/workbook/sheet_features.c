/* sheet_features.c: the Features sheet: one row per unit in the year
 * evaluated, one column per key feature (level-2 node) headed by its code
 * and name, under a colour scale; an Excel table named tblFeatures.
 */
#include <stdio.h>

#include "workbook_int.h"

void wb_features_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    struct wb_headers h = {0};
    char b[XLSX_MAX_HEADER + 1];
    static const enum wb_note topics[] = {WBN_MISSING, WBN_AGGREGATE};
    snprintf(b, sizeof b, "Key feature scores in %d", w->ty >= 0 ? c->year[w->ty] : 0);
    wb_sheet_head(w, ws, b, "One row per unit, one column per key feature (code and name).",
                  topics, 2);
    wb_headers_add(w, &h, "Unit code");
    wb_headers_add(w, &h, "Unit name");
    for (int f = 0; f < w->nfeat_shown; f++)
        wb_headers_add(w, &h, wb_node_label(&fw->node[w->feat[f]], b, sizeof b));
    wb_add_table(w, ws, "tblFeatures", nrow, &h, w->f_head_wrap);
    wb_headers_free(&h);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 75, NULL));
    wb_unit_widths(w, ws);
    if (w->nfeat_shown)
        wb_set_width(w, ws, 2, 1 + (size_t)w->nfeat_shown, 16, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    if (w->ty < 0)
        return;
    for (size_t u = 0; u < nrow; u++) {
        wb_put_unit(w, ws, WB_TOP + 1 + u, u);
        wb_put_scores(w, ws, WB_TOP + 1 + u, 2, w->feat, w->nfeat_shown, u);
    }
    if (w->nfeat_shown)
        wb_colour_scale(w, ws, WB_TOP + 1, 2, WB_TOP + nrow, 1 + (size_t)w->nfeat_shown);
}
