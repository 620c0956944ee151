/* sheet_objectives.c: the Objectives sheet, there only when the batch has a
 * plan: one row per objective and unit with the columns of objectives.csv,
 * same names and order, and the node's level after its code; an Excel
 * table named tblObjectives. Values keep their units (raw for indicators,
 * score points for aggregates), so they are written without rounding
 * formats, as Trends writes its raw targets.
 */
#include "objectives_report.h"
#include "workbook_int.h"

int wb_objectives_present(const struct wb *w)
{
    return w->in->objectives != NULL;
}

/* Row row from objectives row rw. */
static void objectives_row(struct wb *w, lxw_worksheet *ws, size_t row,
                           const struct objective_row *rw)
{
    const struct objectives *ob = w->in->objectives;
    const struct plan_objective *o = &ob->plan->obj[rw->obj];
    const struct fw_node *nd = &w->fw->node[rw->node];
    size_t col = 0;
    wb_put_str(w, ws, row, col++, w->c->unit[rw->unit], NULL);
    wb_put_str(w, ws, row, col++, nd->code, NULL);
    wb_put_num(w, ws, row, col++, nd->level, NULL, 0);
    wb_put_str(w, ws, row, col++, o->label, NULL);
    wb_put_str(w, ws, row, col++, o->owner, NULL);
    wb_put_num(w, ws, row, col++, rw->baseline_year ? rw->baseline_year : NAN, NULL, 0);
    wb_put_num(w, ws, row, col++, rw->baseline, NULL, 0);
    wb_put_num(w, ws, row, col++, o->target, NULL, 0);
    wb_put_num(w, ws, row, col++, o->year, NULL, 0);
    wb_put_num(w, ws, row, col++, rw->latest_year ? rw->latest_year : NAN, NULL, 0);
    const double v[] = {rw->latest, rw->latest_low, rw->latest_high, rw->pr.planned,
                        rw->pr.gap};
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
        wb_put_num(w, ws, row, col++, v[j], NULL, 0);
    wb_put_str(w, ws, row, col++, objective_status_name(rw->pr.status), NULL);
    wb_put_num(w, ws, row, col++, rw->pr.required, NULL, 0);
    wb_put_num(w, ws, row, col++, rw->pr.observed, NULL, 0);
    wb_put_num(w, ws, row, col++, rw->pr.projected, w->f_1dp, 0);
    wb_put_str(w, ws, row, col++, ob->plan->version, NULL);
    wb_put_str(w, ws, row, col++, o->note, NULL);
    wb_put_str(w, ws, row, col, rw->reason, NULL);
}

void wb_objectives_write(struct wb *w, lxw_worksheet *ws)
{
#define OBJECTIVES_NAME(name) #name,
    static const char *const csv_col[] = {OBJECTIVES_COLUMNS(OBJECTIVES_NAME)};
#undef OBJECTIVES_NAME
    enum { NCSV = sizeof csv_col / sizeof csv_col[0] };
    const char *col[NCSV + 1];
    col[0] = csv_col[0];
    col[1] = csv_col[1];
    col[2] = "level";
    for (size_t j = 2; j < NCSV; j++)
        col[j + 1] = csv_col[j];
    static const struct wb_cols width[] = {
        {0, 2, 9}, {3, 3, 14}, {4, 4, 26}, {5, 14, 11}, {15, 15, 12}, {16, 19, 13},
        {20, 20, 18}, {21, 22, 40}};
    const struct objectives *ob = w->in->objectives;
    size_t nrow = ob ? ob->n : 0;
    if (nrow > w->max_data_rows)
        nrow = w->max_data_rows;
    static const enum wb_note topics[] = {WBN_MISSING, WBN_INTERVALS};
    wb_sheet_head(w, ws, "Progress against the action plan",
                  "One row per objective and unit, the columns of objectives.csv.", topics, 2);
    wb_add_table_of(w, ws, "tblObjectives", nrow, col, NCSV + 1);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    worksheet_freeze_panes(ws, WB_TOP + 1, 2);
    for (size_t i = 0; i < nrow; i++)
        objectives_row(w, ws, WB_TOP + 1 + i, &ob->row[i]);
}
