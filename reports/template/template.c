/* template.c: a data-entry workbook (template.h) written with
 * libxlsxwriter: its Instructions, Data and Framework sheets, the Data
 * sheet's protection and validations, and the document properties.
 *
 * The Data sheet's columns are the rows of tcols[] below: header, width,
 * whether the cell is open for entry, and the sentence the Instructions
 * sheet gives it, so the two sheets cannot disagree. ingest_long.c reads
 * them back (its template_cols names the columns it accepts and skips).
 *
 * Invariants: text is written with worksheet_write_string, never as a
 * formula; the first libxlsxwriter error is kept (sticky) and reported
 * once; a workbook that failed leaves no file behind.
 */
#define _DEFAULT_SOURCE   /* timegm */
#include "template.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#ifndef LCME_VERSION
#define LCME_VERSION "0.0.0"
#endif

enum tkind { T_KEY, T_ENTRY, T_PREV };
enum tcol_id { C_UNIT, C_UNIT_NAME, C_YEAR, C_IND, C_IND_NAME, C_MEASURE, C_VALUE, C_PREV,
               C_PREV_YEAR, C_SE, C_N, C_LOWER, C_UPPER, C_SOURCE, C_COMMENT, C_NCOL };

static const struct tcol {
    const char *name;
    double width;
    enum tkind kind;
    const char *help;
} tcols[C_NCOL] = {
    [C_UNIT] = {"unit", 8, T_KEY, "the unit's code (locked)"},
    [C_UNIT_NAME] = {"unit_name", 24, T_KEY, "the unit's name (locked)"},
    [C_YEAR] = {"year", 6, T_KEY, "the year the value is for (locked)"},
    [C_IND] = {"indicator", 10, T_KEY, "the indicator's code (locked)"},
    [C_IND_NAME] = {"indicator_name", 50, T_KEY, "what the indicator measures (locked)"},
    [C_MEASURE] = {"unit_of_measure", 16, T_KEY, "how the value is expressed (locked)"},
    [C_VALUE] = {"value", 11, T_ENTRY, "the value: a number, or empty when not available"},
    [C_PREV] = {"previous_value", 13, T_PREV,
                "the latest value held before this year, for comparison (locked, not read "
                "back)"},
    [C_PREV_YEAR] = {"previous_year", 12, T_PREV, "the year of previous_value (locked)"},
    [C_SE] = {"se", 8, T_ENTRY, "optional: the value's standard error (0 or more)"},
    [C_N] = {"n", 8, T_ENTRY, "optional: the sample size of a survey (more than 0)"},
    [C_LOWER] = {"lower", 8, T_ENTRY, "optional: the lower end of the value's interval"},
    [C_UPPER] = {"upper", 8, T_ENTRY, "optional: the upper end of the value's interval"},
    [C_SOURCE] = {"source", 24, T_ENTRY, "optional: where the figure comes from"},
    [C_COMMENT] = {"comment", 32, T_ENTRY, "optional: any remark"},
};

#define FILL_KEY 0xF2F2F2     /* locked cells: light grey */
#define FILL_ENTRY 0xFFF2CC   /* cells to fill in: light yellow */
#define FILL_HEAD 0xD9E1F2    /* the header row: light blue */

struct tpl {
    lxw_workbook *book;
    const struct template_req *req;
    const struct template_part *part;
    lxw_error err;            /* first libxlsxwriter error; sticky */
    lxw_format *f_title, *f_bold, *f_wrap, *f_head, *f_key, *f_year, *f_entry, *f_prev;
};

static void check(struct tpl *t, lxw_error e)
{
    if (t->err == LXW_NO_ERROR)
        t->err = e;
}

static void put_str(struct tpl *t, lxw_worksheet *ws, size_t r, size_t c, const char *s,
                    lxw_format *f)
{
    check(t, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s ? s : "", f));
}

/* A number, or a blank cell in format f when v is missing. */
static void put_num(struct tpl *t, lxw_worksheet *ws, size_t r, size_t c, double v,
                    lxw_format *f)
{
    if (isfinite(v))
        check(t, worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, f));
    else
        check(t, worksheet_write_blank(ws, (lxw_row_t)r, (lxw_col_t)c, f));
}

/* s cut to at most max characters (UTF-8) into buf (size len). */
static char *cut_chars(const char *s, size_t max, char *buf, size_t len)
{
    size_t k = 0, chars = 0;
    for (; s[k] && k + 1 < len; k++) {
        if (((unsigned char)s[k] & 0xC0) != 0x80 && chars++ == max)
            break;
    }
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)   /* whole characters */
        k--;
    memcpy(buf, s, k);
    buf[k] = '\0';
    return buf;
}

/* ---- formats ------------------------------------------------------------ */

static lxw_format *fill_format(lxw_workbook *b, unsigned fill, int locked)
{
    lxw_format *f = workbook_add_format(b);
    format_set_bg_color(f, fill);
    if (!locked)
        format_set_unlocked(f);
    format_set_border(f, LXW_BORDER_HAIR);
    format_set_border_color(f, 0xBFBFBF);
    return f;
}

static void make_formats(struct tpl *t)
{
    lxw_workbook *b = t->book;
    t->f_title = workbook_add_format(b);
    format_set_bold(t->f_title);
    format_set_font_size(t->f_title, 16);
    t->f_bold = workbook_add_format(b);
    format_set_bold(t->f_bold);
    t->f_wrap = workbook_add_format(b);
    format_set_text_wrap(t->f_wrap);
    format_set_align(t->f_wrap, LXW_ALIGN_VERTICAL_TOP);
    t->f_head = workbook_add_format(b);
    format_set_bold(t->f_head);
    format_set_bg_color(t->f_head, FILL_HEAD);
    format_set_bottom(t->f_head, LXW_BORDER_THIN);
    t->f_key = fill_format(b, FILL_KEY, 1);
    t->f_year = fill_format(b, FILL_KEY, 1);
    format_set_num_format(t->f_year, "0");
    t->f_prev = fill_format(b, FILL_KEY, 1);
    format_set_italic(t->f_prev);
    format_set_font_color(t->f_prev, 0x7F7F7F);
    t->f_entry = fill_format(b, FILL_ENTRY, 0);
}

/* ---- Instructions ------------------------------------------------------- */

static void write_instructions(struct tpl *t, lxw_worksheet *ws)
{
    const struct config *cfg = t->req->cfg;
    char line[1024];
    size_t r = 0;
    check(t, worksheet_set_column(ws, 0, 0, 22, NULL));
    check(t, worksheet_set_column(ws, 1, 1, 100, t->f_wrap));
    snprintf(line, sizeof line, "%s: data for %d", cfg->name ? cfg->name : "", cfg->year);
    put_str(t, ws, r++, 0, line, t->f_title);
    snprintf(line, sizeof line, "For %s. Written by lcme %s.", t->part->for_whom,
             LCME_VERSION);
    put_str(t, ws, r++, 0, line, NULL);
    r++;
    static const char *const steps[] = {
        "Fill in the sheet 'Data': one row per unit and indicator. Type each value for the "
        "year in the column 'value' (the yellow cells); the grey cells are locked.",
        "Write numbers with a decimal point (12.5), without thousands separators (12500, not "
        "12,500), without units or % signs: a percentage is a number from 0 to 100.",
        "Leave a cell empty when the figure is not available; do not write n/a, - or 0 for "
        "it. A value outside the indicator's range is refused as you type it.",
        "Optional: se (standard error), n (the sample size of a survey), or lower and upper "
        "(an interval), the source of the figure and a comment.",
        "Do not add, delete or move rows or columns, and keep the sheet's name 'Data'. "
        "Formulas are fine: the value they show is read.",
        "Save the workbook as .xlsx and return it. Any cell that cannot be read is reported "
        "by its place, e.g. Data!G14, with what is wrong.",
    };
    put_str(t, ws, r++, 0, "How to fill it in", t->f_bold);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        snprintf(line, sizeof line, "%zu.", i + 1);
        put_str(t, ws, r, 0, line, NULL);
        put_str(t, ws, r++, 1, steps[i], t->f_wrap);
    }
    r++;
    put_str(t, ws, r++, 0, "Columns of 'Data'", t->f_bold);
    for (int c = 0; c < C_NCOL; c++) {
        put_str(t, ws, r, 0, tcols[c].name, NULL);
        put_str(t, ws, r++, 1, tcols[c].help, t->f_wrap);
    }
    worksheet_protect(ws, NULL, NULL);
}

/* ---- Data --------------------------------------------------------------- */

/* The value cells of rows first..last (sheet rows), all of indicator ind:
 * a number in its declared [min, max]. */
static void value_validation(struct tpl *t, lxw_worksheet *ws, size_t first, size_t last,
                             int ind)
{
    const struct fw_node *nd = &t->req->fw->node[ind];
    char title[64], msg[1024], emsg[512], cut[1024];
    lxw_data_validation v;
    memset(&v, 0, sizeof v);
    v.validate = LXW_VALIDATION_TYPE_DECIMAL;
    int lo = isfinite(nd->min), hi = isfinite(nd->max);
    v.criteria = lo && hi ? LXW_VALIDATION_CRITERIA_BETWEEN
                 : lo     ? LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO
                 : hi     ? LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO
                          : LXW_VALIDATION_CRITERIA_BETWEEN;
    v.minimum_number = lo ? nd->min : -1e300;
    v.maximum_number = hi ? nd->max : 1e300;
    v.value_number = lo ? nd->min : nd->max;
    if (lo && hi)
        snprintf(emsg, sizeof emsg, "a number from %.15g to %.15g", nd->min, nd->max);
    else if (lo || hi)
        snprintf(emsg, sizeof emsg, "a number %s %.15g", lo ? "of at least" : "of at most",
                 lo ? nd->min : nd->max);
    else
        snprintf(emsg, sizeof emsg, "a number");
    snprintf(msg, sizeof msg, "%s%s%s%s. Type %s, or leave the cell empty.", nd->name,
             nd->unit[0] ? " (" : "", nd->unit, nd->unit[0] ? ")" : "", emsg);
    v.input_title = cut_chars(nd->code, 32, title, sizeof title);
    v.input_message = cut_chars(msg, 255, cut, sizeof cut);
    snprintf(msg, sizeof msg, "The value of %s must be %s, written with a decimal point and "
             "no thousands separators.", nd->code, emsg);
    v.error_title = "Not a valid value";
    v.error_message = cut_chars(msg, 255, emsg, sizeof emsg);
    check(t, worksheet_data_validation_range(ws, (lxw_row_t)first, C_VALUE, (lxw_row_t)last,
                                             C_VALUE, &v));
}

/* se >= 0, n > 0, lower and upper any number, for rows 1..last. */
static void error_validations(struct tpl *t, lxw_worksheet *ws, size_t last)
{
    static const struct {
        int col;
        uint8_t criteria;
        double min;
        const char *msg;
    } cols[] = {
        {C_SE, LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO, 0,
         "The standard error must be a number of 0 or more."},
        {C_N, LXW_VALIDATION_CRITERIA_GREATER_THAN, 0,
         "The sample size must be a number greater than 0."},
        {C_LOWER, LXW_VALIDATION_CRITERIA_BETWEEN, -1e300, "The lower end must be a number."},
        {C_UPPER, LXW_VALIDATION_CRITERIA_BETWEEN, -1e300, "The upper end must be a number."},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        lxw_data_validation v;
        memset(&v, 0, sizeof v);
        v.validate = LXW_VALIDATION_TYPE_DECIMAL;
        v.criteria = cols[i].criteria;
        v.value_number = cols[i].min;
        v.minimum_number = cols[i].min;
        v.maximum_number = 1e300;
        v.error_title = "Not a number";
        v.error_message = (char *)cols[i].msg;
        check(t, worksheet_data_validation_range(ws, 1, (lxw_col_t)cols[i].col,
                                                 (lxw_row_t)last, (lxw_col_t)cols[i].col, &v));
    }
}

/* Row r of the Data sheet: unit u, indicator ind. */
static void data_row(struct tpl *t, lxw_worksheet *ws, size_t r, size_t u, int ind)
{
    const struct template_req *q = t->req;
    const struct fw_node *nd = &q->fw->node[ind];
    size_t k = u * (size_t)q->fw->nind + (size_t)ind;
    double prev = q->prev_value ? q->prev_value[k] : NAN;
    put_str(t, ws, r, C_UNIT, q->unit[u].code, t->f_key);
    put_str(t, ws, r, C_UNIT_NAME, q->unit[u].name, t->f_key);
    put_num(t, ws, r, C_YEAR, q->cfg->year, t->f_year);
    put_str(t, ws, r, C_IND, nd->code, t->f_key);
    put_str(t, ws, r, C_IND_NAME, nd->name, t->f_key);
    put_str(t, ws, r, C_MEASURE, nd->unit, t->f_key);
    put_num(t, ws, r, C_PREV, prev, t->f_prev);
    put_num(t, ws, r, C_PREV_YEAR, isfinite(prev) ? q->prev_year[k] : NAN, t->f_prev);
    for (int c = 0; c < C_NCOL; c++)
        if (tcols[c].kind == T_ENTRY)
            check(t, worksheet_write_blank(ws, (lxw_row_t)r, (lxw_col_t)c, t->f_entry));
}

static void write_data(struct tpl *t, lxw_worksheet *ws)
{
    const struct template_part *p = t->part;
    for (int c = 0; c < C_NCOL; c++) {
        check(t, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, tcols[c].width, NULL));
        put_str(t, ws, 0, (size_t)c, tcols[c].name, t->f_head);
    }
    size_t n = p->nunits * p->ninds, r = 1, run = 1;
    for (size_t k = 0; k < n; k++, r++) {
        size_t u = p->by_indicator ? k % p->nunits : k / p->ninds;
        size_t i = p->by_indicator ? k / p->nunits : k % p->ninds;
        data_row(t, ws, r, p->units[u], p->inds[i]);
        /* one validation per run of rows of the same indicator */
        size_t inext = p->by_indicator ? (k + 1) / p->nunits : (k + 1) % p->ninds;
        if (k + 1 == n || p->inds[inext] != p->inds[i]) {
            value_validation(t, ws, run, r, p->inds[i]);
            run = r + 1;
        }
    }
    if (n) {
        error_validations(t, ws, n);
        check(t, worksheet_autofilter(ws, 0, 0, (lxw_row_t)n, C_NCOL - 1));
    }
    worksheet_freeze_panes(ws, 1, 0);
    lxw_protection prot;
    memset(&prot, 0, sizeof prot);
    prot.format_columns = 1;   /* widen a column to read it */
    prot.autofilter = 1;
    worksheet_protect(ws, NULL, &prot);
    worksheet_activate(ws);
}

/* ---- Framework ---------------------------------------------------------- */

static int by_line(const void *a, const void *b, void *fw)
{
    const struct fw_node *n = ((const struct framework *)fw)->node;
    long la = n[*(const int *)a].line, lb = n[*(const int *)b].line;
    return (la > lb) - (la < lb);
}

/* Sort idx[0..n) by the framework file's line (insertion sort: a framework
 * has a few hundred nodes). */
static void sort_by_line(int *idx, int n, const struct framework *fw)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && by_line(&idx[j - 1], &idx[j], (void *)fw) > 0; j--) {
            int tmp = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = tmp;
        }
}

static int write_framework(struct tpl *t, lxw_worksheet *ws)
{
    const struct framework *fw = t->req->fw;
    static const char *const head[] = {"code", "parent", "name", "level", "type", "weight",
                                       "direction", "unit", "min", "max", "target"};
    static const double width[] = {10, 10, 60, 6, 10, 7, 9, 18, 8, 8, 8};
    int *idx = malloc(((size_t)fw->nnode + 1) * sizeof *idx);
    if (!idx)
        return -1;
    for (int k = 0; k < fw->nnode; k++)
        idx[k] = k;
    sort_by_line(idx, fw->nnode, fw);
    for (size_t c = 0; c < sizeof head / sizeof head[0]; c++) {
        check(t, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, width[c], NULL));
        put_str(t, ws, 0, c, head[c], t->f_head);
    }
    for (int j = 0; j < fw->nnode; j++) {
        const struct fw_node *nd = &fw->node[idx[j]];
        size_t r = (size_t)j + 1;
        put_str(t, ws, r, 0, nd->code, NULL);
        put_str(t, ws, r, 1, nd->parent >= 0 ? fw->node[nd->parent].code : "", NULL);
        put_str(t, ws, r, 2, nd->name, NULL);
        put_num(t, ws, r, 3, nd->level, NULL);
        put_str(t, ws, r, 4, nd->type == NODE_INDICATOR ? "Indicator" : "Aggregate", NULL);
        put_num(t, ws, r, 5, nd->weight, NULL);
        put_num(t, ws, r, 6, nd->type == NODE_INDICATOR ? nd->direction : NAN, NULL);
        put_str(t, ws, r, 7, nd->unit, NULL);
        put_num(t, ws, r, 8, nd->min, NULL);
        put_num(t, ws, r, 9, nd->max, NULL);
        put_num(t, ws, r, 10, nd->target, NULL);
    }
    free(idx);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_protect(ws, NULL, NULL);
    return 0;
}

/* ---- the workbook ------------------------------------------------------- */

/* Title and the batch's time, so reruns give the same bytes. */
static void set_properties(struct tpl *t, char *title)
{
    const struct config *cfg = t->req->cfg;
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = title;
    props.author = "lcme";
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (cfg->created && sscanf(cfg->created, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
                               &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                               &tm.tm_sec) == 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        props.created = timegm(&tm);
    }
    check(t, workbook_set_properties(t->book, &props));
}

int template_write(const char *path, const struct template_req *req,
                   const struct template_part *part, struct diag *d)
{
    struct tpl t;
    memset(&t, 0, sizeof t);
    t.req = req;
    t.part = part;
    FILE *fp = fopen(path, "wb");   /* an unwritable path is reported here */
    if (!fp) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    fclose(fp);
    t.book = workbook_new(path);
    if (!t.book) {
        unlink(path);
        diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot write '%s': out of memory", path);
        return -1;
    }
    make_formats(&t);
    lxw_worksheet *wi = workbook_add_worksheet(t.book, "Instructions");
    lxw_worksheet *wd = workbook_add_worksheet(t.book, "Data");
    lxw_worksheet *wf = workbook_add_worksheet(t.book, "Framework");
    int nomem = !wi || !wd || !wf;
    if (!nomem) {
        write_instructions(&t, wi);
        write_data(&t, wd);
        nomem = write_framework(&t, wf) != 0;
    }
    char title[512];
    snprintf(title, sizeof title, "%s: data for %d, %s", req->cfg->name ? req->cfg->name : "",
             req->cfg->year, part->for_whom);
    set_properties(&t, title);
    lxw_error e = workbook_close(t.book);
    if (t.err == LXW_NO_ERROR)
        t.err = e;
    if (nomem || t.err != LXW_NO_ERROR) {
        unlink(path);
        if (nomem)
            diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot write '%s': out of memory", path);
        else
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path,
                     lxw_strerror(t.err));
        return -1;
    }
    return 0;
}
