/* workbook_cells.c: the cell, width, table and colour-scale helpers every
 * sheet writes with (contracts in workbook_int.h).
 *
 * Text is always written with worksheet_write_string, never as a formula,
 * made fit for XML (report_text: no control character reaches a sheet,
 * whichever way libxlsxwriter stores it) and cut on a UTF-8 boundary to
 * Excel's 32,767 bytes; numbers as numbers; a
 * missing value (NaN) is an empty cell. Tables have unique, valid column
 * names. Every libxlsxwriter error goes through wb_check, which keeps the
 * first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepare.h"
#include "report_util.h"
#include "strmap.h"
#include "trend.h"
#include "workbook_int.h"

/* Colour scale, low to high: orange, near-white, blue (ColorBrewer's
 * diverging orange-blue, which readers with red-green colour blindness
 * tell apart). Pale shades keep black text legible. */
#define SCALE_LOW 0xFDB863
#define SCALE_MID 0xF7F7F7
#define SCALE_HIGH 0x92C5DE

void wb_check(struct wb *w, lxw_error e)
{
    if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR)
        w->err = e;
}

size_t wb_utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

void wb_put_str(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, const char *s,
                lxw_format *f)
{
    if (!s || !*s)
        return;
    char *owned;
    s = report_text(s, &owned);
    size_t len = strlen(s);
    if (len > XLSX_MAX_STRING) {
        size_t n = wb_utf8_cut(s, len, XLSX_MAX_STRING);
        memcpy(w->tmpbuf, s, n);
        w->tmpbuf[n] = '\0';
        s = w->tmpbuf;
    }
    wb_check(w, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f));
    free(owned);
}

void wb_put_num(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, double v,
                lxw_format *f, int blank_fill)
{
    if (isfinite(v))
        wb_check(w, worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v, f));
    else if (blank_fill && f)
        wb_check(w, worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)col, f));
}

void wb_set_width(struct wb *w, lxw_worksheet *ws, size_t first, size_t last, double width,
                  lxw_format *f)
{
    if (last < first)
        return;
    wb_check(w, worksheet_set_column(ws, (lxw_col_t)first, (lxw_col_t)last, width, f));
}

void wb_set_widths(struct wb *w, lxw_worksheet *ws, const struct wb_cols *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wb_set_width(w, ws, cols[i].first, cols[i].last, cols[i].width, NULL);
}

void wb_sheet_head(struct wb *w, lxw_worksheet *ws, const char *title, const char *about,
                   const enum wb_note *topic, int n)
{
    wb_sheet_head_tables(w, ws, title, 1, about, topic, n);
}

void wb_sheet_head_tables(struct wb *w, lxw_worksheet *ws, const char *title, int ntables,
                          const char *about, const enum wb_note *topic, int n)
{
    static const char *const count[] = {"no tables", "one table", "two tables",
                                        "three tables", "four tables"};
    char b[2048];
    size_t l = (size_t)snprintf(b, sizeof b, "This worksheet contains %s. %s",
                                ntables >= 0 && ntables <= 4 ? count[ntables] : "tables",
                                about ? about : "");
    int k = 0;
    for (int no = 1; no <= (int)w->notes.n && l < sizeof b; no++)   /* in the notes' order */
        for (int i = 0; i < n; i++)
            if (w->note_no[topic[i]] == no) {
                l += (size_t)snprintf(b + l, sizeof b - l, "%s[note %d]",
                                      k++ ? ", " : " Notes: ", no);
                break;
            }
    if (k && l < sizeof b)
        snprintf(b + l, sizeof b - l, " (Notes sheet).");
    wb_put_str(w, ws, 0, 0, title, w->f_title);
    wb_put_str(w, ws, 1, 0, b, NULL);
}

const char *wb_score_status(const struct wb *w, int node, size_t t, size_t u)
{
    const struct results *r = w->r;
    size_t at = RES_AT(r, node, t, u);
    if (isfinite(r->score[at]))
        return r->coverage && r->rank_threshold &&
                       r->coverage[at] < r->rank_threshold[node] * (1 - 1e-12)
                   ? "scored, not ranked: too little data"
                   : "scored";
    const struct prepare_report *p = r->prep;
    if (p && p->dropped && p->dropped[t * r->nunit + u])
        return "screened out";
    const struct fw_node *x = &w->fw->node[node];
    if (x->type == NODE_INDICATOR)
        return "no data";
    for (int k = 0; k < x->nchild; k++) {
        const char *s = wb_score_status(w, x->child[k], t, u);
        if (s[0] == 's' || s[0] == 't')   /* scored, or too little data below */
            return "too little data";
    }
    return "no data";
}

const char *wb_significance(const struct trends *tr, size_t at, int prev)
{
    double v = prev ? tr->change_prev[at] : tr->change_since_base[at];
    const unsigned char *as = prev ? tr->change_prev_assessed : tr->change_assessed;
    const unsigned char *sg = prev ? tr->change_prev_significant : tr->change_significant;
    if (!isfinite(v))
        return "";
    if (!as || !as[at])
        return "not assessed";
    if (sg && sg[at])
        return v > 0 ? "significant rise" : "significant fall";
    return "no significant change";
}

const char *wb_node_label(const struct fw_node *n, char *buf, size_t len)
{
    if (n->name && n->name[0] && strcmp(n->name, n->code) != 0)
        snprintf(buf, len, "%s %s", n->code, n->name);
    else
        snprintf(buf, len, "%s", n->code);
    return buf;
}

void wb_unit_widths(struct wb *w, lxw_worksheet *ws)
{
    wb_set_width(w, ws, 0, 0, 14, NULL);
    wb_set_width(w, ws, 1, 1, 30, NULL);
}

void wb_put_unit(struct wb *w, lxw_worksheet *ws, size_t row, size_t u)
{
    const struct cube *c = w->c;
    wb_put_str(w, ws, row, 0, c->unit[u], NULL);
    wb_put_str(w, ws, row, 1, c->unit_name ? c->unit_name[u] : NULL, NULL);
}

void wb_put_scores(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, const int *node,
                   int n, size_t u)
{
    const struct results *r = w->r;
    for (int j = 0; j < n; j++)
        wb_put_num(w, ws, row, col + (size_t)j, r->score[RES_AT(r, node[j], (size_t)w->ty, u)],
                   w->f_1dp, 0);
}

/* ---- table headers ------------------------------------------------------ */

void wb_headers_free(struct wb_headers *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->name[i]);
    free(h->name);
    strmap_free(h->seen);
    free(h->col);
    free(h->ptr);
    memset(h, 0, sizeof *h);
}

void wb_headers_add(struct wb *w, struct wb_headers *h, const char *text)
{
    if (w->nomem)
        return;
    if (!h->seen && !(h->seen = strmap_new()))
        goto nomem;
    if (h->n == h->alloc) {
        size_t na = h->alloc ? 2 * h->alloc : 16;
        char **t = realloc(h->name, na * sizeof *t);
        if (!t)
            goto nomem;
        h->name = t;
        h->alloc = na;
    }
    if (!text || !*text)
        text = "column";
    char *owned;
    text = report_text(text, &owned);
    size_t len = wb_utf8_cut(text, strlen(text), XLSX_MAX_HEADER - 8);
    char *s = malloc(len + 16), *key = malloc(len + 16);
    if (!s || !key) {
        free(s);
        free(key);
        free(owned);
        goto nomem;
    }
    for (size_t i = 0; i < len; i++)
        s[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
    s[len] = '\0';
    free(owned);
    for (int k = 2;; k++) {
        size_t kl = strlen(s);
        for (size_t i = 0; i <= kl; i++)
            key[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
        if (strmap_get(h->seen, key, kl) < 0)
            break;
        snprintf(s + len, 16, " %d", k);
    }
    if (strmap_put(h->seen, key, strlen(key), 1) != 0) {
        free(s);
        free(key);
        goto nomem;
    }
    free(key);
    h->name[h->n++] = s;
    return;
nomem:
    w->nomem = 1;
}

/* ---- tables and conditional formats ------------------------------------ */

void wb_add_table(struct wb *w, lxw_worksheet *ws, const char *name, size_t nrows,
                  struct wb_headers *h, lxw_format *header_format)
{
    wb_add_table_at(w, ws, name, 0, nrows, h, header_format);
}

void wb_add_table_at(struct wb *w, lxw_worksheet *ws, const char *name, size_t first_col,
                     size_t nrows, struct wb_headers *h, lxw_format *header_format)
{
    if (w->nomem || h->n == 0)
        return;
    if (w->streaming) {
        for (size_t i = 0; i < h->n; i++)
            wb_put_str(w, ws, WB_TOP, first_col + i, h->name[i],
                       header_format ? header_format : w->f_bold);
        if (first_col == 0)
            wb_check(w, worksheet_autofilter(ws, WB_TOP, 0,
                                             (lxw_row_t)(WB_TOP + (nrows ? nrows : 1)),
                                             (lxw_col_t)(h->n - 1)));
        return;
    }
    h->col = calloc(h->n, sizeof *h->col);
    h->ptr = calloc(h->n + 1, sizeof *h->ptr);
    if (!h->col || !h->ptr) {
        w->nomem = 1;
        return;
    }
    for (size_t i = 0; i < h->n; i++) {
        h->col[i].header = h->name[i];
        h->col[i].header_format = header_format;
        h->ptr[i] = &h->col[i];
    }
    lxw_table_options opt;
    memset(&opt, 0, sizeof opt);
    opt.name = (char *)name;
    opt.style_type = LXW_TABLE_STYLE_TYPE_MEDIUM;
    opt.style_type_number = 2;
    opt.columns = h->ptr;
    wb_check(w, worksheet_add_table(ws, WB_TOP, (lxw_col_t)first_col,
                                    (lxw_row_t)(WB_TOP + (nrows ? nrows : 1)),
                                    (lxw_col_t)(first_col + h->n - 1), &opt));
}

void wb_add_table_of(struct wb *w, lxw_worksheet *ws, const char *name, size_t nrows,
                     const char *const *col, size_t ncol)
{
    struct wb_headers h = {0};
    for (size_t i = 0; i < ncol; i++)
        wb_headers_add(w, &h, col[i]);
    wb_add_table(w, ws, name, nrows, &h, w->f_head_wrap);
    wb_headers_free(&h);
}

void wb_colour_scale(struct wb *w, lxw_worksheet *ws, size_t first_row, size_t first_col,
                     size_t last_row, size_t last_col)
{
    if (last_row < first_row || last_col < first_col)
        return;
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
    cf.min_color = SCALE_LOW;
    cf.mid_color = SCALE_MID;
    cf.max_color = SCALE_HIGH;
    wb_check(w, worksheet_conditional_format_range(ws, (lxw_row_t)first_row,
                                                   (lxw_col_t)first_col, (lxw_row_t)last_row,
                                                   (lxw_col_t)last_col, &cf));
}
