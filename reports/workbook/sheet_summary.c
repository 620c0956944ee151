/* sheet_summary.c: the Summary sheet: one row per unit in the year
 * evaluated, with its index score, its score in each area (the level below
 * the index), its index rank and the coverage beside it, the scores under a
 * colour scale; an Excel table named tblSummary. A unit with an index score
 * too little covered to be ranked reads "not ranked: too little data".
 */
#include "workbook_int.h"

/* A node's name, or its code when it has none. */
static const char *node_label(const struct fw_node *n)
{
    return n->name && *n->name ? n->name : n->code;
}

void wb_summary_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    size_t ncol = 3 + (size_t)w->narea_shown;   /* unit, name, root, areas; then rank,
                                                   coverage */
    struct wb_headers h = {0};

    wb_headers_add(w, &h, "unit");
    wb_headers_add(w, &h, "name");
    wb_headers_add(w, &h, node_label(&fw->node[fw->root]));
    for (int a = 0; a < w->narea_shown; a++)
        wb_headers_add(w, &h, node_label(&fw->node[w->area[a]]));
    wb_headers_add(w, &h, "rank");
    wb_headers_add(w, &h, "coverage");
    wb_add_table(w, ws, "tblSummary", nrow, &h, w->f_head_wrap);
    wb_headers_free(&h);
    wb_check(w, worksheet_set_row(ws, 0, 45, NULL));
    wb_unit_widths(w, ws);
    wb_set_width(w, ws, 2, ncol - 1, 14, NULL);
    wb_set_width(w, ws, ncol, ncol + 1, 10, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    if (w->ty < 0)
        return;
    size_t t = (size_t)w->ty;
    for (size_t u = 0; u < nrow; u++) {
        size_t row = u + 1;
        wb_put_unit(w, ws, row, u);
        wb_put_scores(w, ws, row, 2, &fw->root, 1, u);
        wb_put_scores(w, ws, row, 3, w->area, w->narea_shown, u);
        size_t k = RES_AT(r, fw->root, t, u);
        if (isnan(wb_at(r->rank, k)) && !isnan(r->score[k]))
            wb_put_str(w, ws, row, ncol, "not ranked: too little data", NULL);
        else
            wb_put_num(w, ws, row, ncol, wb_at(r->rank, k), NULL, 0);
        wb_put_num(w, ws, row, ncol + 1, wb_at(r->coverage, k), w->f_2dp, 0);
    }
    wb_colour_scale(w, ws, 1, 2, nrow, ncol - 1);
}
