/* sheet_indicators.c: the Indicators sheet: one row per unit in the year
 * evaluated, one column per indicator (code and name) holding its
 * normalised value (the indicator's score); an Excel table named
 * tblIndicators. Raw values of every year are on the Data sheet; every
 * year's normalised values, with intervals and ranks, in scores.csv.
 */
#include <stdio.h>

#include "workbook_int.h"

void wb_indicators_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    struct wb_headers h = {0};
    char b[XLSX_MAX_HEADER + 1];
    static const enum wb_note topics[] = {WBN_MISSING, WBN_NORMALISE, WBN_PREPARE,
                                          WBN_READING};
    snprintf(b, sizeof b, "Indicators' normalised values in %d",
             w->ty >= 0 ? c->year[w->ty] : 0);
    wb_sheet_head(w, ws, b, "One row per unit, one column per indicator (code and name): "
                  "its value after preparation and normalisation, the score it contributes.",
                  topics, 4);
    wb_headers_add(w, &h, "Unit code");
    wb_headers_add(w, &h, "Unit name");
    for (size_t i = 0; i < w->data_ind; i++)
        wb_headers_add(w, &h, wb_node_label(&fw->node[i], b, sizeof b));
    wb_add_table(w, ws, "tblIndicators", nrow, &h, w->f_head_wrap);
    wb_headers_free(&h);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 75, NULL));
    wb_unit_widths(w, ws);
    if (w->data_ind)
        wb_set_width(w, ws, 2, 1 + w->data_ind, 16, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    if (w->ty < 0)
        return;
    for (size_t u = 0; u < nrow; u++) {
        size_t row = WB_TOP + 1 + u;
        wb_put_unit(w, ws, row, u);
        for (size_t i = 0; i < w->data_ind; i++)
            wb_put_num(w, ws, row, 2 + i, r->score[RES_AT(r, i, (size_t)w->ty, u)], w->f_2dp, 0);
    }
}
