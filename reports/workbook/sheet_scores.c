/* sheet_scores.c: the Scores sheet, the tidy table of every score (the
 * columns of scores.csv): unit, year, node, level, score, ci_low, ci_high,
 * rank, rank_low, rank_high, one row per year, node (framework order) and
 * unit; an Excel table named tblScores. The interval and rank-interval
 * columns are empty when the run computed no intervals. It is the largest
 * sheet (years x nodes x units rows): the unit, year, node and level cells,
 * never empty, are written without wb_put_str's and wb_put_num's tests.
 */
#include "workbook_int.h"

void wb_scores_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"unit", "year", "node", "level", "score", "ci_low",
                                      "ci_high", "rank", "rank_low", "rank_high"};
    static const struct wb_cols width[] = {{0, 0, 14}, {1, 1, 7},  {2, 2, 16},
                                           {3, 3, 7},  {4, 6, 10}, {7, 9, 10}};
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = w->score_rows < w->max_data_rows ? w->score_rows : w->max_data_rows;
    wb_add_table_of(w, ws, "tblScores", nrow, col, sizeof col / sizeof col[0]);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, 1, 0);

    int has_ci = r->ci_low != NULL;
    size_t row = 1;
    for (size_t t = 0; t < r->nyear; t++) {
        double year = c->year[t];
        for (size_t k = 0; k < r->nnode; k++) {
            const char *code = fw->node[k].code;
            double level = fw->node[k].level;
            for (size_t u = 0; u < r->nunit; u++, row++) {
                if (row > nrow)
                    return;
                size_t i = RES_AT(r, k, t, u);
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
            }
        }
    }
}
