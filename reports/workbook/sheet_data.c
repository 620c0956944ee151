/* sheet_data.c: the Data sheet: one row per unit and year, the raw value
 * of every indicator as loaded (columns headed by code and name), then how
 * many of the row's values were imputed and how many treated for outliers,
 * then for each indicator that has a flag somewhere its flags as given
 * (columns "CODE (flag)": Eurostat letters, SDMX OBS_STATUS codes, empty
 * where none). Imputed cells have a light yellow fill and treated
 * (winsorised) cells a light blue one, blank cells included, and the counts
 * say so in words, so colour is never the only mark; an Excel table named
 * tblData. The normalised values are on the Indicators sheet (the year
 * evaluated) and in scores.csv (every year).
 */
#include <stdio.h>
#include <string.h>

#include "workbook_int.h"

/* The table over the rows: unit code and name, year, the indicators, the
 * two counts, then "CODE (flag)" for the flagged indicators. */
static void data_table(struct wb *w, lxw_worksheet *ws, size_t nrow)
{
    const struct framework *fw = w->fw;
    struct wb_headers h = {0};
    char buf[XLSX_MAX_HEADER + 1];
    wb_headers_add(w, &h, "Unit code");
    wb_headers_add(w, &h, "Unit name");
    wb_headers_add(w, &h, "Year");
    for (size_t i = 0; i < w->data_ind; i++)
        wb_headers_add(w, &h, wb_node_label(&fw->node[i], buf, sizeof buf));
    wb_headers_add(w, &h, "Values imputed");
    wb_headers_add(w, &h, "Values treated");
    for (size_t j = 0; j < w->nflag_ind; j++) {
        const char *code = fw->node[w->flag_ind[j]].code;
        size_t len = wb_utf8_cut(code, strlen(code), XLSX_MAX_HEADER - 20);
        snprintf(buf, sizeof buf, "%.*s (flag)", (int)len, code);
        wb_headers_add(w, &h, buf);
    }
    wb_add_table(w, ws, "tblData", nrow, &h, w->f_head_wrap);
    wb_headers_free(&h);
}

/* Row row: unit u in year t; flag holds the imputed and treated marks. */
static void data_row(struct wb *w, lxw_worksheet *ws, size_t row, size_t u, size_t t,
                     const uint8_t *flag)
{
    const struct cube *c = w->c;
    size_t ni = w->data_ind, imputed = 0, treated = 0;
    wb_put_unit(w, ws, row, u);
    wb_put_num(w, ws, row, 2, c->year[t], NULL, 0);
    for (size_t i = 0; i < ni; i++) {
        size_t ci = CUBE_AT(c, i, t, u);
        uint8_t fl = flag ? flag[ci] : 0;
        lxw_format *fr = NULL;
        if (fl & CUBE_IMPUTED) {
            fr = w->f_imp;
            imputed++;
        } else if (fl & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) {
            fr = w->f_trt;
            treated++;
        }
        wb_put_num(w, ws, row, 3 + i, c->value[ci], fr, 1);
    }
    wb_put_num(w, ws, row, 3 + ni, (double)imputed, NULL, 0);
    wb_put_num(w, ws, row, 4 + ni, (double)treated, NULL, 0);
    for (size_t j = 0; j < w->nflag_ind; j++)
        wb_put_str(w, ws, row, 5 + ni + j, cube_flag_at(c, CUBE_AT(c, w->flag_ind[j], t, u)),
                   NULL);
}

void wb_data_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    size_t total = c->nunit * c->nyear;
    size_t nrow = total < w->max_data_rows ? total : w->max_data_rows;
    const uint8_t *flag = w->r->flag ? w->r->flag : c->flag;
    static const enum wb_note topics[] = {WBN_PREPARE, WBN_DATA, WBN_MISSING};

    wb_sheet_head(w, ws, "Indicators' raw values in every year",
                  "One row per unit and year: each indicator's value as loaded (code and "
                  "name), then how many were imputed and treated; yellow fill: imputed, blue "
                  "fill: treated.", topics, 3);
    data_table(w, ws, nrow);
    wb_check(w, worksheet_set_row(ws, WB_TOP, 75, NULL));
    wb_unit_widths(w, ws);
    wb_set_width(w, ws, 2, 2, 7, NULL);
    if (w->data_ind)
        wb_set_width(w, ws, 3, 4 + w->data_ind + w->nflag_ind, 14, NULL);
    worksheet_freeze_panes(ws, WB_TOP + 1, 3);
    size_t row = WB_TOP + 1, last = WB_TOP + nrow;
    for (size_t u = 0; u < c->nunit; u++)
        for (size_t t = 0; t < c->nyear; t++, row++) {
            if (row > last)
                return;
            data_row(w, ws, row, u, t, flag);
        }
}
