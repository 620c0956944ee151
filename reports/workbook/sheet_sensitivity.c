/* sheet_sensitivity.c: the Sensitivity sheet, shown only for a batch with a
 * [sensitivity] section: below the sheet's title and its line (WB_TOP),
 * four Excel tables side by side, one blank column apart, headed in words,
 * written row by row across all of them:
 *
 *   tblSensitivity       unit code and name, nominal, mean and median rank,
 *                        5th and 95th percentile (sensitivity.csv's
 *                        columns), then in sa mode "Total index: KEY" per
 *                        assumption: the total index of the unit's own rank
 *                        (empty where the rank never moved); units in cube
 *                        order
 *   tblSobol             sobol.csv: assumption, first-order index and its
 *                        bounds, total index and its bounds (sa only)
 *   tblExclusion         component code and name, mean absolute rank
 *                        change: leaving each component out (exclude only)
 *   tblSensitivityRuns   sensitivity_runs.csv: every run with its settings
 *                        and mean absolute rank shift
 *
 * Rows past tuning.max_rows are left out (the CSV files have them all).
 */
#include <stdio.h>

#include "sensitivity.h"
#include "workbook_int.h"

int wb_sensitivity_present(const struct wb *w)
{
    return w->in->sens != NULL;
}

/* Where each table starts and how many rows it has. */
struct layout {
    size_t units, sobol, excl, runs;         /* first column of each table */
    size_t nunits, nsobol, nexcl, nruns;     /* its rows (0: not shown) */
    size_t unit_cols, run_cols;
};

static size_t cap_rows(const struct wb *w, size_t n)
{
    return n < w->max_data_rows ? n : w->max_data_rows;
}

static void plan_layout(const struct wb *w, const struct sensitivity *s, struct layout *L)
{
    int sa = s->mode == SENS_SA;
    L->unit_cols = 7 + (sa ? (size_t)s->d : 0);
    L->run_cols = 6 + (size_t)s->d;
    L->nunits = cap_rows(w, s->nunit);
    L->nsobol = sa ? (size_t)s->d : 0;
    L->nexcl = cap_rows(w, s->nexcl);
    L->nruns = cap_rows(w, s->nrun + s->nexcl);
    L->units = 0;
    L->sobol = L->unit_cols + 1;
    L->excl = L->sobol + (L->nsobol ? 8 : 0);
    L->runs = L->excl + (L->nexcl ? 4 : 0);
}

static void headers(struct wb *w, lxw_worksheet *ws, const struct sensitivity *s,
                    const struct layout *L)
{
    static const char *const unit_col[] = {"Unit code", "Unit name", "Nominal rank",
                                           "Mean rank", "Median rank",
                                           "Rank 5th percentile", "Rank 95th percentile"};
    static const char *const sobol_col[] = {"Assumption", "First-order index",
                                            "First-order: lower bound",
                                            "First-order: upper bound", "Total index",
                                            "Total: lower bound", "Total: upper bound"};
    static const char *const excl_col[] = {"Component code", "Component name",
                                           "Mean absolute rank change"};
    static const char *const run_col[] = {"Run", "Block", "Assumption varied", "Row"};
    char buf[96];
    struct wb_headers h = {0};
    for (size_t i = 0; i < 7; i++)
        wb_headers_add(w, &h, unit_col[i]);
    for (int a = 0; L->unit_cols > 7 && a < s->d; a++) {
        snprintf(buf, sizeof buf, "Total index: %s", sens_key_name((enum sens_key)s->key[a]));
        wb_headers_add(w, &h, buf);
    }
    wb_add_table_at(w, ws, "tblSensitivity", L->units, L->nunits, &h, w->f_head_wrap);
    wb_headers_free(&h);
    if (L->nsobol) {
        for (size_t i = 0; i < 7; i++)
            wb_headers_add(w, &h, sobol_col[i]);
        wb_add_table_at(w, ws, "tblSobol", L->sobol, L->nsobol, &h, w->f_head_wrap);
        wb_headers_free(&h);
    }
    if (L->nexcl) {
        for (size_t i = 0; i < 3; i++)
            wb_headers_add(w, &h, excl_col[i]);
        wb_add_table_at(w, ws, "tblExclusion", L->excl, L->nexcl, &h, w->f_head_wrap);
        wb_headers_free(&h);
    }
    for (size_t i = 0; i < 4; i++)
        wb_headers_add(w, &h, run_col[i]);
    for (int a = 0; a < s->d; a++)
        wb_headers_add(w, &h, sens_key_name((enum sens_key)s->key[a]));
    wb_headers_add(w, &h, "Mean absolute rank shift");
    wb_headers_add(w, &h, "Status");
    wb_add_table_at(w, ws, "tblSensitivityRuns", L->runs, L->nruns, &h, w->f_head_wrap);
    wb_headers_free(&h);
}

static void unit_row(struct wb *w, lxw_worksheet *ws, const struct sensitivity *s,
                     const struct layout *L, size_t row, size_t u)
{
    wb_put_unit(w, ws, row, u);
    const double v[] = {s->nominal_rank[u], s->mean_rank[u], s->median_rank[u],
                        s->rank_q05[u], s->rank_q95[u]};
    for (size_t i = 0; i < 5; i++)
        wb_put_num(w, ws, row, L->units + 2 + i, v[i], i == 1 ? w->f_2dp : NULL, 0);
    for (size_t a = 0; L->unit_cols > 7 && a < (size_t)s->d; a++)
        wb_put_num(w, ws, row, L->units + 7 + a, s->unit_sti[u * (size_t)s->d + a], w->f_2dp, 0);
}

static void sobol_row(struct wb *w, lxw_worksheet *ws, const struct sensitivity *s,
                      const struct layout *L, size_t row, int a)
{
    const struct sobol_index *x = &s->index[a];
    wb_put_str(w, ws, row, L->sobol, sens_key_name((enum sens_key)s->key[a]), NULL);
    const double v[] = {x->si, x->si_low, x->si_high, x->sti, x->sti_low, x->sti_high};
    for (size_t i = 0; i < 6; i++)
        wb_put_num(w, ws, row, L->sobol + 1 + i, v[i], w->f_2dp, 0);
}

static void excl_row(struct wb *w, lxw_worksheet *ws, const struct sensitivity *s,
                     const struct layout *L, size_t row, size_t k)
{
    const struct fw_node *n = &w->fw->node[s->excl_node[k]];
    wb_put_str(w, ws, row, L->excl, n->code, NULL);
    wb_put_str(w, ws, row, L->excl + 1, n->name, NULL);
    wb_put_num(w, ws, row, L->excl + 2, s->run[s->nrun + k].shift, w->f_2dp, 0);
}

static void run_row(struct wb *w, lxw_worksheet *ws, const struct sensitivity *s,
                    const struct layout *L, size_t row, size_t r)
{
    static const char *const block[] = {
        [SENS_BLOCK_A] = "A", [SENS_BLOCK_B] = "B", [SENS_BLOCK_AB] = "AB",
        [SENS_BLOCK_EXCLUDE] = "exclude",
    };
    const struct sens_run *run = &s->run[r];
    char buf[256];
    size_t c = L->runs;
    wb_put_num(w, ws, row, c, (double)(r + 1), NULL, 0);
    wb_put_str(w, ws, row, c + 1, block[run->block], NULL);
    if (run->varied >= 0)
        wb_put_str(w, ws, row, c + 2, sens_key_name((enum sens_key)s->key[run->varied]), NULL);
    wb_put_num(w, ws, row, c + 3, (double)(run->row + 1), NULL, 0);
    for (int a = 0; a < s->d; a++)
        wb_put_str(w, ws, row, c + 4 + (size_t)a,
                   sensitivity_value_text(s, w->cfg, w->fw, r, a, buf, sizeof buf), NULL);
    wb_put_num(w, ws, row, c + 4 + (size_t)s->d, run->shift, w->f_2dp, 0);
    wb_put_str(w, ws, row, c + 5 + (size_t)s->d, run->failed ? "failed" : "ok", NULL);
}

void wb_sensitivity_write(struct wb *w, lxw_worksheet *ws)
{
    const struct sensitivity *s = w->in->sens;
    if (!s)
        return;
    struct layout L;
    static const enum wb_note topics[] = {WBN_SENSITIVITY, WBN_RANKS};
    plan_layout(w, s, &L);
    int ntab = 2 + (L.nsobol > 0) + (L.nexcl > 0);
    wb_sheet_head_tables(w, ws, "How robust the ranks are", ntab,
                         "Side by side: each unit's ranks over the sensitivity runs; the Sobol "
                         "indices of each method choice (mode = sa); leaving each component "
                         "out (exclude); every run's settings.", topics, 2);
    headers(w, ws, s, &L);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 45, NULL));
    wb_unit_widths(w, ws);
    wb_set_width(w, ws, L.units + 2, L.unit_cols - 1, 12, NULL);
    wb_set_width(w, ws, L.sobol, L.sobol, 16, NULL);
    wb_set_width(w, ws, L.excl, L.excl + 1, 14, NULL);
    wb_set_width(w, ws, L.runs + 4, L.runs + 3 + (size_t)s->d, 16, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 0);
    size_t nrow = L.nunits;
    if (L.nsobol > nrow) nrow = L.nsobol;
    if (L.nexcl > nrow) nrow = L.nexcl;
    if (L.nruns > nrow) nrow = L.nruns;
    for (size_t i = 0; i < nrow && !w->nomem; i++) {
        size_t row = WB_TOP + 1 + i;
        if (i < L.nunits)
            unit_row(w, ws, s, &L, row, i);
        if (i < L.nsobol)
            sobol_row(w, ws, s, &L, row, (int)i);
        if (i < L.nexcl)
            excl_row(w, ws, s, &L, row, i);
        if (i < L.nruns)
            run_row(w, ws, s, &L, row, i);
    }
}
