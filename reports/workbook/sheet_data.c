/* sheet_data.c: the Data sheet: one row per unit and year, the raw value of
 * every indicator, then its normalised value (columns "CODE (normalised)"),
 * then for each indicator that has a flag somewhere its flags as given
 * (columns "CODE (flag)": Eurostat letters, SDMX OBS_STATUS codes, empty
 * where none); imputed cells have a light yellow fill and treated
 * (winsorised) cells a light blue one, blank cells included; an Excel table
 * named tblData.
 */
#include <stdio.h>
#include <string.h>

#include "workbook_int.h"

/* The table over rows 0..nrow: unit, name, year, the indicator codes, then
 * "CODE (normalised)" for each, then "CODE (flag)" for the flagged ones. */
static void data_table(struct wb *w, lxw_worksheet *ws, size_t nrow)
{
    const struct framework *fw = w->fw;
    struct wb_headers h = {0};
    char buf[XLSX_MAX_HEADER + 16];
    wb_headers_add(w, &h, "unit");
    wb_headers_add(w, &h, "name");
    wb_headers_add(w, &h, "year");
    for (size_t i = 0; i < w->data_ind; i++)
        wb_headers_add(w, &h, fw->node[i].code);
    for (size_t i = 0; i < w->data_ind; i++) {
        const char *code = fw->node[i].code;
        size_t len = wb_utf8_cut(code, strlen(code), XLSX_MAX_HEADER - 20);
        snprintf(buf, sizeof buf, "%.*s (normalised)", (int)len, code);
        wb_headers_add(w, &h, buf);
    }
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
    const struct results *r = w->r;
    size_t ni = w->data_ind;
    wb_put_unit(w, ws, row, u);
    wb_put_num(w, ws, row, 2, c->year[t], NULL, 0);
    for (size_t i = 0; i < ni; i++) {
        size_t ci = CUBE_AT(c, i, t, u);
        uint8_t fl = flag ? flag[ci] : 0;
        lxw_format *fr = NULL, *fn = w->f_2dp;   /* raw, normalised */
        if (fl & CUBE_IMPUTED) {
            fr = w->f_imp;
            fn = w->f_imp2;
        } else if (fl & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) {
            fr = w->f_trt;
            fn = w->f_trt2;
        }
        wb_put_num(w, ws, row, 3 + i, c->value[ci], fr, 1);
        wb_put_num(w, ws, row, 3 + ni + i, r->score[RES_AT(r, i, t, u)], fn, fn != w->f_2dp);
    }
    for (size_t j = 0; j < w->nflag_ind; j++)
        wb_put_str(w, ws, row, 3 + 2 * ni + j, cube_flag_at(c, CUBE_AT(c, w->flag_ind[j], t, u)),
                   NULL);
}

void wb_data_write(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    size_t total = c->nunit * c->nyear;
    size_t nrow = total < w->max_data_rows ? total : w->max_data_rows;
    const uint8_t *flag = w->r->flag ? w->r->flag : c->flag;

    data_table(w, ws, nrow);
    wb_check(w, worksheet_set_row(ws, 0, 30, NULL));
    wb_unit_widths(w, ws);
    wb_set_width(w, ws, 2, 2, 7, NULL);
    if (w->data_ind)
        wb_set_width(w, ws, 3, 2 + 2 * w->data_ind + w->nflag_ind, 12, NULL);
    worksheet_freeze_panes(ws, 1, 3);
    size_t row = 1;
    for (size_t u = 0; u < c->nunit; u++)
        for (size_t t = 0; t < c->nyear; t++, row++) {
            if (row > nrow)
                return;
            data_row(w, ws, row, u, t, flag);
        }
}
