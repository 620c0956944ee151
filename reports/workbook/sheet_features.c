/* sheet_features.c: the Features sheet: one row per unit in the year
 * evaluated, one column per key feature (level-2 node) under a colour
 * scale; an Excel table named tblFeatures.
 */
#include "workbook_int.h"

void wb_features_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    struct wb_headers h = {0};

    wb_headers_add(w, &h, "unit");
    wb_headers_add(w, &h, "name");
    for (int f = 0; f < w->nfeat_shown; f++)
        wb_headers_add(w, &h, fw->node[w->feat[f]].code);
    wb_add_table(w, ws, "tblFeatures", nrow, &h, NULL);
    wb_headers_free(&h);
    wb_unit_widths(w, ws);
    if (w->nfeat_shown)
        wb_set_width(w, ws, 2, 1 + (size_t)w->nfeat_shown, 10, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    if (w->ty < 0)
        return;
    for (size_t u = 0; u < nrow; u++) {
        wb_put_unit(w, ws, u + 1, u);
        wb_put_scores(w, ws, u + 1, 2, w->feat, w->nfeat_shown, u);
    }
    if (w->nfeat_shown)
        wb_colour_scale(w, ws, 1, 2, nrow, 1 + (size_t)w->nfeat_shown);
}
