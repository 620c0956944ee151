/* sheet_scores.c: the Scores sheet, every aggregate's score in the year
 * evaluated with its interval, status and rank: unit code and name, node
 * code and name, level, score, lower and upper bound, status, coverage, rank
 * and the rank's bounds; one row per aggregate and unit; an Excel table named
 * tblScores. Nodes run from the index down the levels to the key features
 * (framework order within a level, w->node_order), units in cube order, so
 * filtering a node gives one block of units. The indicators' normalised
 * values are on the Indicators sheet; their intervals and ranks, and every
 * other year, in scores.csv (Notes say so). The interval and rank-bound
 * columns are empty when the run computed no intervals; without an
 * evaluation year the table is empty.
 *
 * Size: units x aggregates rows (at most 400,000 for 2,000 units x 200
 * nodes), within a worksheet's 1,048,575.
 */
#include <stdio.h>

#include "workbook_int.h"

void wb_scores_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Unit code", "Unit name", "Node code", "Node name",
                                      "Level", "Score", "Lower bound", "Upper bound",
                                      "Status", "Coverage", "Rank", "Rank lower bound",
                                      "Rank upper bound"};
    static const struct wb_cols width[] = {{0, 0, 12}, {1, 1, 24}, {2, 2, 12}, {3, 3, 40},
                                           {4, 4, 7},  {5, 7, 11}, {8, 8, 16}, {9, 12, 11}};
    static const enum wb_note topics[] = {WBN_MISSING, WBN_RANKS, WBN_INTERVALS,
                                          WBN_AGGREGATE, WBN_READING};
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = w->score_rows < w->max_data_rows ? w->score_rows : w->max_data_rows;
    char title[96];
    snprintf(title, sizeof title, "Scores of every aggregate in %d",
             w->ty >= 0 ? c->year[w->ty] : 0);
    wb_sheet_head(w, ws, title, "One row per aggregate (index down to key features) and "
                  "unit: score, interval, status and rank.", topics, 5);
    wb_add_table_of(w, ws, "tblScores", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 0);
    if (w->ty < 0)
        return;

    size_t t = (size_t)w->ty, nagg = (size_t)(fw->nnode - fw->nind);
    int has_ci = r->ci_low != NULL;
    size_t row = WB_TOP + 1, last = WB_TOP + nrow;
    for (size_t j = 0; j < nagg; j++) {
        int k = w->node_order[j];   /* the aggregates come first */
        const struct fw_node *x = &fw->node[k];
        for (size_t u = 0; u < r->nunit; u++, row++) {
            if (row > last)
                return;
            size_t i = RES_AT(r, (size_t)k, t, u);
            wb_put_unit(w, ws, row, u);
            wb_put_str(w, ws, row, 2, x->code, NULL);
            wb_put_str(w, ws, row, 3, x->name, NULL);
            wb_put_num(w, ws, row, 4, x->level, NULL, 0);
            wb_put_num(w, ws, row, 5, r->score[i], w->f_2dp, 0);
            if (has_ci) {
                wb_put_num(w, ws, row, 6, r->ci_low[i], w->f_2dp, 0);
                wb_put_num(w, ws, row, 7, wb_at(r->ci_high, i), w->f_2dp, 0);
            }
            wb_put_str(w, ws, row, 8, wb_score_status(w, k, t, u), NULL);
            wb_put_num(w, ws, row, 9, wb_at(r->coverage, i), w->f_2dp, 0);
            wb_put_num(w, ws, row, 10, wb_at(r->rank, i), NULL, 0);
            if (has_ci) {
                wb_put_num(w, ws, row, 11, wb_at(r->rank_low, i), w->f_1dp, 0);
                wb_put_num(w, ws, row, 12, wb_at(r->rank_high, i), w->f_1dp, 0);
            }
        }
    }
}
