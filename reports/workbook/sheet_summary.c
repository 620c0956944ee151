/* sheet_summary.c: the Summary sheet: one row per unit in the year
 * evaluated: its code, name and every attribute of the units file, its
 * index score with the bounds of its interval, its status and coverage, its
 * rank with the rank's bounds (a score too little covered to be ranked has
 * the status "scored, not ranked: too little data"), its changes since the
 * year before and since the base year with their significance, its
 * progress class, and its score in each area (the level below the index),
 * the scores under a colour scale; an Excel table named tblSummary, units
 * in index order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "trend.h"
#include "workbook_int.h"

struct unit_key {
    size_t u;
    double rank;
};

static int by_rank(const void *a, const void *b)
{
    const struct unit_key *x = a, *y = b;
    int nx = !isfinite(x->rank), ny = !isfinite(y->rank);
    if (nx != ny)
        return nx - ny;
    if (!nx && x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->u < y->u ? -1 : x->u > y->u;
}

void wb_summary_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    const struct trends *tr = w->in->trends;
    int chg = tr && tr->comparable && tr->nunit == c->nunit;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    size_t na = c->nattr;
    int year = w->ty >= 0 ? c->year[w->ty] : 0;
    int base = w->cfg && w->cfg->base_year > 0 ? w->cfg->base_year : c->year[0];
    char b[300];
    struct wb_headers h = {0};

    static const enum wb_note topics[] = {WBN_MISSING, WBN_RANKS, WBN_INTERVALS,
                                          WBN_CHANGES, WBN_TRENDS, WBN_AGGREGATE};
    snprintf(b, sizeof b, "Units in %d", year);
    wb_sheet_head(w, ws, b, "One row per unit, in index order: its attributes, index score "
                  "and rank with their bounds, changes and their significance, progress "
                  "class and the score of each area.", topics, 6);
    wb_headers_add(w, &h, "Unit code");
    wb_headers_add(w, &h, "Unit name");
    for (size_t a = 0; a < na; a++)
        wb_headers_add(w, &h, c->attr_name[a]);
    snprintf(b, sizeof b, "%s score", fw->node[fw->root].name ? fw->node[fw->root].name
                                                             : fw->node[fw->root].code);
    wb_headers_add(w, &h, b);
    wb_headers_add(w, &h, "Lower bound");
    wb_headers_add(w, &h, "Upper bound");
    wb_headers_add(w, &h, "Status");
    wb_headers_add(w, &h, "Coverage");
    wb_headers_add(w, &h, "Rank");
    wb_headers_add(w, &h, "Rank lower bound");
    wb_headers_add(w, &h, "Rank upper bound");
    if (chg) {
        snprintf(b, sizeof b, "Change since %d", year - 1);
        wb_headers_add(w, &h, b);
        snprintf(b, sizeof b, "Change since %d: significance", year - 1);
        wb_headers_add(w, &h, b);
        snprintf(b, sizeof b, "Change since base year (%d)", base);
        wb_headers_add(w, &h, b);
        wb_headers_add(w, &h, "Change since base year: significance");
        wb_headers_add(w, &h, "Progress class");
    }
    for (int a = 0; a < w->narea_shown; a++)
        wb_headers_add(w, &h, wb_node_label(&fw->node[w->area[a]], b, sizeof b));
    size_t ncol = h.n, first_area = ncol - (size_t)w->narea_shown;
    wb_add_table(w, ws, "tblSummary", nrow, &h, w->f_head_wrap);
    wb_headers_free(&h);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 45, NULL));
    wb_unit_widths(w, ws);
    wb_set_width(w, ws, 2, ncol - 1, 13, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    if (w->ty < 0)
        return;
    size_t t = (size_t)w->ty;
    struct unit_key *k = malloc((c->nunit + 1) * sizeof *k);
    if (!k) {
        w->nomem = 1;
        return;
    }
    for (size_t u = 0; u < c->nunit; u++)
        k[u] = (struct unit_key){u, r->rank[RES_AT(r, fw->root, t, u)]};
    qsort(k, c->nunit, sizeof *k, by_rank);
    for (size_t i = 0; i < nrow; i++) {
        size_t u = k[i].u, row = WB_TOP + 1 + i, col = 2;
        size_t at = RES_AT(r, fw->root, t, u);
        wb_put_unit(w, ws, row, u);
        for (size_t a = 0; a < na; a++)
            wb_put_str(w, ws, row, col++, c->attr[u * na + a], NULL);
        wb_put_num(w, ws, row, col++, r->score[at], w->f_1dp, 0);
        wb_put_num(w, ws, row, col++, wb_at(r->ci_low, at), w->f_1dp, 0);
        wb_put_num(w, ws, row, col++, wb_at(r->ci_high, at), w->f_1dp, 0);
        wb_put_str(w, ws, row, col++, wb_score_status(w, fw->root, t, u), NULL);
        wb_put_num(w, ws, row, col++, wb_at(r->coverage, at), w->f_2dp, 0);
        wb_put_num(w, ws, row, col++, r->rank[at], NULL, 0);
        wb_put_num(w, ws, row, col++, wb_at(r->rank_low, at), w->f_1dp, 0);
        wb_put_num(w, ws, row, col++, wb_at(r->rank_high, at), w->f_1dp, 0);
        if (chg) {
            size_t ta = TREND_AT(tr, fw->root, u);
            wb_put_num(w, ws, row, col++, tr->change_prev[ta], w->f_1dp, 0);
            wb_put_str(w, ws, row, col++, wb_significance(tr, ta, 1), NULL);
            wb_put_num(w, ws, row, col++, tr->change_since_base[ta], w->f_1dp, 0);
            wb_put_str(w, ws, row, col++, wb_significance(tr, ta, 0), NULL);
            wb_put_str(w, ws, row, col++, trend_class_name(tr->progress[ta]), NULL);
        }
        wb_put_scores(w, ws, row, first_area, w->area, w->narea_shown, u);
    }
    free(k);
    if (w->narea_shown)
        wb_colour_scale(w, ws, WB_TOP + 1, first_area, WB_TOP + nrow, ncol - 1);
}
