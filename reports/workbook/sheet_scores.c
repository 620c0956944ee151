/* sheet_scores.c: the Scores sheet, every score of the year evaluated with
 * its interval and rank: the columns of scores.csv (unit, year, node,
 * level, score, ci_low, ci_high, rank, rank_low, rank_high, coverage), one row per
 * node and unit of that year; an Excel table named tblScores. Nodes run
 * from the index down the levels (index, areas, ..., indicators; framework
 * order within a level, w->node_order), units in cube order, so filtering a
 * node gives one block of units. The interval and rank-interval columns are
 * empty when the run computed no intervals; without an evaluation year the
 * table is empty.
 *
 * Size: units x nodes rows, 400,000 for 2,000 units x 200 nodes, within a
 * worksheet's 1,048,575 whatever the number of years: the other years are
 * on the History sheet (the aggregates) and in scores.csv and the store
 * (everything). The unit and node codes go through wb_put_str (names are
 * cleaned for XML); the year and level, never empty, are written directly.
 */
#include "workbook_int.h"

void wb_scores_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"unit", "year", "node", "level", "score", "ci_low",
                                      "ci_high", "rank", "rank_low", "rank_high",
                                      "coverage"};
    static const struct wb_cols width[] = {{0, 0, 14}, {1, 1, 7},  {2, 2, 16},  {3, 3, 7},
                                           {4, 6, 10}, {7, 9, 10}, {10, 10, 10}};
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = w->score_rows < w->max_data_rows ? w->score_rows : w->max_data_rows;
    wb_add_table_of(w, ws, "tblScores", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, 1, 0);
    if (w->ty < 0)
        return;

    size_t t = (size_t)w->ty;
    double year = c->year[t];
    int has_ci = r->ci_low != NULL;
    size_t row = 1;
    for (size_t j = 0; j < r->nnode; j++) {
        int k = w->node_order[j];
        const char *code = fw->node[k].code;
        double level = fw->node[k].level;
        for (size_t u = 0; u < r->nunit; u++, row++) {
            if (row > nrow)
                return;
            size_t i = RES_AT(r, (size_t)k, t, u);
            lxw_row_t rr = (lxw_row_t)row;
            wb_put_str(w, ws, row, 0, c->unit[u], NULL);
            wb_check(w, worksheet_write_number(ws, rr, 1, year, NULL));
            wb_put_str(w, ws, row, 2, code, NULL);
            wb_check(w, worksheet_write_number(ws, rr, 3, level, NULL));
            wb_put_num(w, ws, row, 4, r->score[i], w->f_2dp, 0);
            if (has_ci) {
                wb_put_num(w, ws, row, 5, r->ci_low[i], w->f_2dp, 0);
                wb_put_num(w, ws, row, 6, wb_at(r->ci_high, i), w->f_2dp, 0);
            }
            wb_put_num(w, ws, row, 7, wb_at(r->rank, i), NULL, 0);
            if (has_ci) {
                wb_put_num(w, ws, row, 8, wb_at(r->rank_low, i), NULL, 0);
                wb_put_num(w, ws, row, 9, wb_at(r->rank_high, i), NULL, 0);
            }
            wb_put_num(w, ws, row, 10, wb_at(r->coverage, i), w->f_2dp, 0);
        }
    }
}
