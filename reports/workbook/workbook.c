/* workbook.c: NAME.xlsx, the analysts' workbook, written with libxlsxwriter.
 *
 * Sheets, in order:
 *
 *   Cover      title in A1, run facts, contents with links to every sheet
 *   Notes      one sentence per row: methods, data facts, every run note
 *   Summary    units x (root, areas, root rank) in the evaluation year
 *   Scores     tidy: unit, year, node, level, score, ci_low, ci_high, rank,
 *              rank_low, rank_high for every year, node and unit
 *   Features   units x key features (level-2 nodes) in the evaluation year
 *   Data       one row per unit and year: raw values, then normalised values
 *   Framework  the tree in pre-order with effective weights
 *
 * Invariants:
 * - Every sheet is written strictly row by row, top to bottom, so the same
 *   code serves libxlsxwriter's constant-memory mode, which the workbook uses
 *   when Scores would pass tuning.constant_memory_rows (200,000 by default:
 *   in normal mode libxlsxwriter keeps every cell in memory; 356 units x 184
 *   nodes x 11 years, 720,544 Scores rows, peaked at 1.0 GB there against
 *   43 MB in constant-memory mode). Tables are added before their rows, since
 *   worksheet_add_table writes the header cells itself.
 * - Speed: that same workbook takes 10.2 s of CPU (median of 5), against
 *   10.7 s for bare libxlsxwriter calls writing the same cells without
 *   formats, tables or notes; the time is libxlsxwriter's number printing and
 *   zlib, not ours.
 * - Every table, header row included, is a real Excel table with unique
 *   column names (case-insensitive, as Excel requires) and a valid name;
 *   except in constant-memory mode, where libxlsxwriter 1.1.4 refuses
 *   tables: there each sheet gets a bold header row with an autofilter, and
 *   Notes says so.
 * - Text is always written with worksheet_write_string, never as a formula;
 *   numbers as numbers; a missing value (NaN) is an empty cell.
 * - The document's creation time is parsed from run->created, so reruns of a
 *   batch give byte-identical files.
 * - A sheet holds at most tuning.max_rows rows; what does not fit is left out
 *   and Notes says so (scores.csv always has every row).
 * - libxlsxwriter errors are sticky: the first one is kept, the rest of the
 *   writing goes on harmlessly and workbook_write reports it once.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "chart.h"
#include "quality.h"
#include "report_util.h"
#include "reports.h"
#include "trend.h"
#include "strmap.h"
#include "workbook_tuning.h"

const struct workbook_tuning workbook_tuning_default = {
    .constant_memory_rows = 200000,
    .max_rows = 1048576,
};

#define XLSX_MAX_COLS 16384
#define XLSX_MAX_STRING 32767
#define XLSX_MAX_HEADER 255

/* Colour scale, low to high: orange, near-white, blue (ColorBrewer's
 * diverging orange-blue, which readers with red-green colour blindness
 * tell apart). Pale shades keep black text legible. */
#define SCALE_LOW 0xFDB863
#define SCALE_MID 0xF7F7F7
#define SCALE_HIGH 0x92C5DE
#define FILL_IMPUTED 0xFFF2CC   /* light yellow */
#define FILL_TREATED 0xDDEBF7   /* light blue */

/* Notes text: lines with a flag for section headings. */
struct lines {
    size_t n, alloc;
    char **text;
    unsigned char *heading;
};

struct wb {
    lxw_workbook *book;
    const struct report_input *in;
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    const struct results *r;
    const struct run_info *run;
    lxw_error err;            /* first libxlsxwriter error; sticky */
    int streaming;            /* constant-memory mode: no tables */
    int nomem;                /* an allocation failed; sticky */

    int ty;                   /* evaluation year index, -1 when none */
    int year_fallback;        /* cfg->year not held: the latest year is used */
    int *area, narea;         /* level nlevel-1 nodes, in node order */
    int *feat, nfeat;         /* level-2 nodes, in node order */
    size_t max_data_rows;     /* rows below a header */
    size_t score_rows;        /* rows Scores needs */
    size_t data_ind;          /* indicators shown on Data (column limit) */
    int narea_shown, nfeat_shown;

    struct lines notes;
    char *tmpbuf;             /* for strings cut to Excel's limit */

    lxw_format *f_title, *f_heading, *f_bold, *f_wrap, *f_head_wrap;
    lxw_format *f_1dp, *f_2dp;
    lxw_format *f_imp, *f_imp2, *f_trt, *f_trt2;
};

/* ---- small helpers ------------------------------------------------------ */

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->text[i]);
    free(l->text);
    free(l->heading);
    memset(l, 0, sizeof *l);
}

static void lines_vadd(struct wb *w, int heading, const char *fmt, va_list ap)
{
    struct lines *l = &w->notes;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? 2 * l->alloc : 32;
        char **t = realloc(l->text, na * sizeof *t);
        if (!t) {
            w->nomem = 1;
            return;
        }
        l->text = t;
        unsigned char *h = realloc(l->heading, na);
        if (!h) {
            w->nomem = 1;
            return;
        }
        l->heading = h;
        l->alloc = na;
    }
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s) {
        w->nomem = 1;
        return;
    }
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    l->text[l->n] = s;
    l->heading[l->n] = (unsigned char)heading;
    l->n++;
}

__attribute__((format(printf, 2, 3)))
static void note(struct wb *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lines_vadd(w, 0, fmt, ap);
    va_end(ap);
}

static void heading(struct wb *w, const char *text)
{
    struct lines *l = &w->notes;
    size_t n = l->n;
    note(w, "%s", text);
    if (l->n > n)
        l->heading[n] = 1;
}

static void check(struct wb *w, lxw_error e)
{
    if (e != LXW_NO_ERROR && w->err == LXW_NO_ERROR)
        w->err = e;
}

/* Length of s cut to at most max bytes on a UTF-8 character boundary. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Write a text cell; NULL or "" leaves the cell empty. */
static void put_str(struct wb *w, lxw_worksheet *ws, size_t row, size_t col,
                    const char *s, lxw_format *f)
{
    if (!s || !*s)
        return;
    size_t len = strlen(s);
    if (len > XLSX_MAX_STRING) {
        size_t n = utf8_cut(s, len, XLSX_MAX_STRING);
        memcpy(w->tmpbuf, s, n);
        w->tmpbuf[n] = '\0';
        s = w->tmpbuf;
    }
    check(w, worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, s, f));
}

/* Write a number cell; a missing value leaves the cell empty (or blank with
 * f's fill when blank_fill is set). */
static void put_num(struct wb *w, lxw_worksheet *ws, size_t row, size_t col,
                    double v, lxw_format *f, int blank_fill)
{
    if (isfinite(v))
        check(w, worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v, f));
    else if (blank_fill && f)
        check(w, worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)col, f));
}

static void set_width(struct wb *w, lxw_worksheet *ws, size_t first, size_t last,
                      double width, lxw_format *f)
{
    if (last < first)
        return;
    check(w, worksheet_set_column(ws, (lxw_col_t)first, (lxw_col_t)last, width, f));
}

/* The unit and name columns that open the Summary, Features and Data
 * sheets: their widths, and unit u's two cells in a row. */
static void unit_widths(struct wb *w, lxw_worksheet *ws)
{
    set_width(w, ws, 0, 0, 14, NULL);
    set_width(w, ws, 1, 1, 30, NULL);
}

static void put_unit(struct wb *w, lxw_worksheet *ws, size_t row, size_t u)
{
    const struct cube *c = w->c;
    put_str(w, ws, row, 0, c->unit[u], NULL);
    put_str(w, ws, row, 1, c->unit_name ? c->unit_name[u] : NULL, NULL);
}

static double at(const double *a, size_t i)
{
    return a ? a[i] : (double)NAN;
}

static const char *level_name(const struct wb *w, int level)
{
    if (w->cfg && level >= 1 && level <= w->cfg->nlevel_names &&
        level <= CONFIG_MAX_LEVELS && w->cfg->level_name[level])
        return w->cfg->level_name[level];
    return NULL;
}

/* ---- table headers ------------------------------------------------------ */

/* Column names of one table: unique (case-insensitively), at most 255 bytes,
 * without control characters. */
struct headers {
    size_t n, alloc;
    char **name;
    struct strmap *seen;      /* lower-cased names */
    lxw_table_column *col;
    lxw_table_column **ptr;   /* NULL-terminated, for lxw_table_options */
};

static void headers_free(struct headers *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->name[i]);
    free(h->name);
    strmap_free(h->seen);
    free(h->col);
    free(h->ptr);
    memset(h, 0, sizeof *h);
}

static void headers_add(struct wb *w, struct headers *h, const char *text)
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
    size_t len = utf8_cut(text, strlen(text), XLSX_MAX_HEADER - 8);
    char *s = malloc(len + 16), *key = malloc(len + 16);
    if (!s || !key) {
        free(s);
        free(key);
        goto nomem;
    }
    for (size_t i = 0; i < len; i++)
        s[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
    s[len] = '\0';
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

/* Add a table with h's columns over rows 0..nrows (header in row 0). Excel
 * wants at least one data row, so an empty table gets one empty row.
 * libxlsxwriter 1.1.4 makes no tables in constant-memory mode, so there the
 * header row is written in bold with an autofilter over the same range. */
static void add_table(struct wb *w, lxw_worksheet *ws, const char *name,
                      size_t nrows, struct headers *h, lxw_format *header_format)
{
    if (w->nomem || h->n == 0)
        return;
    if (w->streaming) {
        for (size_t i = 0; i < h->n; i++)
            put_str(w, ws, 0, i, h->name[i], header_format ? header_format : w->f_bold);
        check(w, worksheet_autofilter(ws, 0, 0, (lxw_row_t)(nrows ? nrows : 1),
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
    check(w, worksheet_add_table(ws, 0, 0, (lxw_row_t)(nrows ? nrows : 1),
                                 (lxw_col_t)(h->n - 1), &opt));
}

/* add_table with column names from a fixed list. */
static void add_table_of(struct wb *w, lxw_worksheet *ws, const char *name, size_t nrows,
                         const char *const *col, size_t ncol)
{
    struct headers h = {0};
    for (size_t i = 0; i < ncol; i++)
        headers_add(w, &h, col[i]);
    add_table(w, ws, name, nrows, &h, NULL);
    headers_free(&h);
}

static void colour_scale(struct wb *w, lxw_worksheet *ws, size_t first_row,
                         size_t first_col, size_t last_row, size_t last_col)
{
    if (last_row < first_row || last_col < first_col)
        return;
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_3_COLOR_SCALE;
    cf.min_color = SCALE_LOW;
    cf.mid_color = SCALE_MID;
    cf.max_color = SCALE_HIGH;
    check(w, worksheet_conditional_format_range(ws, (lxw_row_t)first_row,
                                                (lxw_col_t)first_col, (lxw_row_t)last_row,
                                                (lxw_col_t)last_col, &cf));
}

/* ---- creation time ------------------------------------------------------ */

static int digits(const char *s, int n, long *out)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long long)era * 146097 + doe - 719468;
}

/* Parse "YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM|-HH:MM]" as UTC seconds. */
static int parse_iso8601(const char *s, time_t *out)
{
    long y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970)
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
            return -1;
        p += 6;
        if (*p == ':') {
            if (digits(p + 1, 2, &se))
                return -1;
            p += 3;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++) {
                }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
    }
    long off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        long oh, om = 0;
        if (digits(p + 1, 2, &oh))
            return -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (*q && digits(q, 2, &om))
            return -1;
        if (*q)
            q += 2;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p = q;
    }
    if (*p)
        return -1;
    long long t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se - off;
    if (t <= 0)
        return -1;
    *out = (time_t)t;
    return 0;
}

static time_t created_time(const struct wb *w)
{
    time_t t;
    if (w->run && parse_iso8601(w->run->created, &t) == 0)
        return t;
    if (w->cfg && parse_iso8601(w->cfg->created, &t) == 0)
        return t;
    long y = w->cfg && w->cfg->year >= 1970 && w->cfg->year <= 9999 ? w->cfg->year : 2000;
    return (time_t)(days_from_civil(y, 12, 31) * 86400LL);
}

/* ---- planning ----------------------------------------------------------- */

static int plan(struct wb *w, const struct workbook_tuning *tune)
{
    const struct framework *fw = w->fw;
    w->ty = report_eval_year_index(w->in, &w->year_fallback);
    w->area = malloc((size_t)fw->nnode * sizeof *w->area + 1);
    w->feat = malloc((size_t)fw->nnode * sizeof *w->feat + 1);
    w->tmpbuf = malloc(XLSX_MAX_STRING + 1);
    if (!w->area || !w->feat || !w->tmpbuf)
        return -1;
    for (int k = 0; k < fw->nnode; k++) {
        if (k != fw->root && fw->node[k].level == fw->nlevel - 1)
            w->area[w->narea++] = k;
        if (fw->node[k].level == 2)
            w->feat[w->nfeat++] = k;
    }
    w->max_data_rows = tune->max_rows > 1 ? tune->max_rows - 1 : 1;
    w->score_rows = w->r->nyear * w->r->nnode * w->r->nunit;
    size_t ni = (size_t)fw->nind;
    w->data_ind = ni <= (XLSX_MAX_COLS - 3) / 2 ? ni : (XLSX_MAX_COLS - 3) / 2;
    w->narea_shown = w->narea <= XLSX_MAX_COLS - 4 ? w->narea : XLSX_MAX_COLS - 4;
    w->nfeat_shown = w->nfeat <= XLSX_MAX_COLS - 2 ? w->nfeat : XLSX_MAX_COLS - 2;
    return 0;
}

static void make_formats(struct wb *w)
{
    lxw_workbook *b = w->book;
    w->f_title = workbook_add_format(b);
    format_set_bold(w->f_title);
    format_set_font_size(w->f_title, 18);
    w->f_heading = workbook_add_format(b);
    format_set_bold(w->f_heading);
    format_set_font_size(w->f_heading, 13);
    w->f_bold = workbook_add_format(b);
    format_set_bold(w->f_bold);
    w->f_wrap = workbook_add_format(b);
    format_set_text_wrap(w->f_wrap);
    format_set_align(w->f_wrap, LXW_ALIGN_VERTICAL_TOP);
    w->f_head_wrap = workbook_add_format(b);
    format_set_bold(w->f_head_wrap);
    format_set_text_wrap(w->f_head_wrap);
    format_set_align(w->f_head_wrap, LXW_ALIGN_VERTICAL_TOP);
    w->f_1dp = workbook_add_format(b);
    format_set_num_format(w->f_1dp, "0.0");
    w->f_2dp = workbook_add_format(b);
    format_set_num_format(w->f_2dp, "0.00");
    w->f_imp = workbook_add_format(b);
    format_set_bg_color(w->f_imp, FILL_IMPUTED);
    w->f_imp2 = workbook_add_format(b);
    format_set_bg_color(w->f_imp2, FILL_IMPUTED);
    format_set_num_format(w->f_imp2, "0.00");
    w->f_trt = workbook_add_format(b);
    format_set_bg_color(w->f_trt, FILL_TREATED);
    w->f_trt2 = workbook_add_format(b);
    format_set_bg_color(w->f_trt2, FILL_TREATED);
    format_set_num_format(w->f_trt2, "0.00");
    if (!w->f_title || !w->f_heading || !w->f_bold || !w->f_wrap || !w->f_head_wrap ||
        !w->f_1dp || !w->f_2dp || !w->f_imp || !w->f_imp2 || !w->f_trt || !w->f_trt2)
        w->nomem = 1;
}

/* ---- Notes text --------------------------------------------------------- */

static void pct_text(char *buf, size_t len, double share)
{
    char num[REPORT_NUM_MAX];
    report_fmt_double(num, share * 100.0);
    snprintf(buf, len, "%s%%", num);
}

static void compose_notes(struct wb *w)
{
    const struct config *cfg = w->cfg;
    const struct framework *fw = w->fw;
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct report_input *in = w->in;
    char a[REPORT_NUM_MAX], b[REPORT_NUM_MAX], pct[REPORT_NUM_MAX + 2];

    heading(w, "Reading this workbook");
    if (w->ty >= 0 && w->year_fallback && cfg)
        note(w, "The batch evaluates %d, but no data are held for that year, so the Summary "
                "and Features sheets show the latest year held, %d.",
             cfg->year, c->year[w->ty]);
    else if (w->ty >= 0)
        note(w, "The Summary and Features sheets show the year under evaluation, %d; the "
                "Scores and Data sheets hold every year.", c->year[w->ty]);
    note(w, "Empty cells are missing values: an indicator without an observation, or an "
            "aggregate whose children cover less than the required share of its weight; "
            "missing values are never written as text.");
    note(w, "Rank 1 is the best score of a node in a year; tied units share the better rank.");
    note(w, "The Scores sheet and scores.csv list rows by year, then node in framework order "
            "(indicators first, each aggregate after its children, the index last), then unit.");
    note(w, "Indicator scores are normalised values; aggregate scores combine their children's "
            "scores with the weights shown on the Framework sheet.");
    note(w, "On the Data sheet, imputed cells have a light yellow fill and treated (winsorised) "
            "cells a light blue fill.");
    if (w->streaming)
        note(w, "This workbook is large (%zu score rows), so it was written row by row to keep "
                "memory low; in that mode the sheets carry a filtered header row instead of an "
                "Excel table (Home > Format as Table turns any of them into one).",
             w->score_rows);
    if (w->score_rows > w->max_data_rows)
        note(w, "The Scores sheet is truncated: it holds the first %zu of %zu rows, the most a "
                "worksheet can hold; scores.csv has all rows.",
             w->max_data_rows, w->score_rows);
    if (c->nunit * c->nyear > w->max_data_rows)
        note(w, "The Data sheet is truncated: it holds the first %zu of %zu unit-year rows.",
             w->max_data_rows, c->nunit * c->nyear);
    if (w->data_ind < (size_t)fw->nind)
        note(w, "The Data sheet shows the first %zu of %d indicators, the most that fit in a "
                "worksheet's columns; scores.csv has the normalised values of all of them.",
             w->data_ind, fw->nind);
    if (w->nfeat_shown < w->nfeat)
        note(w, "The Features sheet shows the first %d of %d key features.", w->nfeat_shown,
             w->nfeat);
    if (w->narea_shown < w->narea)
        note(w, "The Summary sheet shows the first %d of %d areas.", w->narea_shown, w->narea);

    heading(w, "Method");
    if (cfg) {
        const struct method *m = &cfg->level[1];
        if (m->normalise == NORM_MINMAX) {
            report_fmt_double(a, m->norm_low);
            report_fmt_double(b, m->norm_high);
            note(w, "Indicators are normalised with the %s method onto the range %s to %s.",
                 norm_method_name(m->normalise), a, b);
        } else if (m->normalise == NORM_ZSCORE) {
            report_fmt_double(a, m->z_mean);
            report_fmt_double(b, m->z_sd);
            note(w, "Indicators are normalised with the %s method to mean %s and standard "
                    "deviation %s.", norm_method_name(m->normalise), a, b);
        } else {
            note(w, "Indicators are normalised with the %s method.",
                 norm_method_name(m->normalise));
        }
        if (m->scope == SCOPE_POOLED)
            note(w, "Normalisation is pooled over all years (scope = pooled), so scores are "
                    "comparable across years.");
        else
            note(w, "Normalisation is done year by year (scope = per-year), so scores compare "
                    "units within a year, not across years.");
        for (int l = 2; l <= fw->nlevel && l <= CONFIG_MAX_LEVELS; l++) {
            const struct method *ml = &cfg->level[l];
            const char *ln = level_name(w, l);
            pct_text(pct, sizeof pct, ml->min_coverage);
            report_fmt_double(a, ml->min_coverage);
            if (ml->aggregate == AGG_GENMEAN) {
                report_fmt_double(b, ml->agg_p);
                note(w, "Nodes of level %d%s%s%s combine their children with the %s method "
                        "(exponent %s) and need at least %s of their children's weight present "
                        "(min_coverage = %s).", l, ln ? " (" : "", ln ? ln : "", ln ? ")" : "",
                     agg_method_name(ml->aggregate), b, pct, a);
            } else {
                note(w, "Nodes of level %d%s%s%s combine their children with the %s method "
                        "and need at least %s of their children's weight present "
                        "(min_coverage = %s).", l, ln ? " (" : "", ln ? ln : "", ln ? ")" : "",
                     agg_method_name(ml->aggregate), pct, a);
            }
        }
        if (cfg->impute == IMPUTE_NONE)
            note(w, "Missing values are not imputed (impute = none).");
        else
            note(w, "Missing values are imputed with the %s method.",
                 impute_method_name(cfg->impute));
        if (cfg->treat == TREAT_NONE)
            note(w, "Outliers are not treated (treat = none).");
        else
            note(w, "Outlying indicators are winsorised, at most %d points each, when their "
                    "skew and kurtosis pass the limits; a log transform is the fallback.",
                 cfg->winmax);
    }
    {
        double lvl = cfg ? cfg->ci_level : NAN;
        long reps = w->run ? w->run->replications : cfg ? cfg->replications : 0;
        unsigned long seed = w->run ? w->run->seed : cfg ? cfg->seed : 0;
        if (r->ci_low) {
            pct_text(pct, sizeof pct, lvl);
            note(w, "Intervals are %s intervals from %ld Monte Carlo replications over the "
                    "sampling error of the data (level = %s, seed = %lu).", pct, reps,
                 report_fmt_double(a, lvl) ? a : "", seed);
        } else if (reps <= 0) {
            note(w, "No uncertainty analysis was run (replications = %ld), so the interval "
                    "columns are empty.", reps);
        } else {
            note(w, "No intervals were computed for this run, so the interval columns are "
                    "empty.");
        }
    }

    heading(w, "Data");
    note(w, "The data hold %zu observations for %zu units, %d indicators and %zu years; %zu "
            "of them carry a sampling error (standard error, sample size or interval).",
         in->obs_total, c->nunit, fw->nind, c->nyear, in->obs_with_error);
    note(w, "This batch revised %zu observation%s already in the store.", in->obs_revised,
         in->obs_revised == 1 ? "" : "s");
    note(w, "%zu stored observation%s of indicators outside this framework %s skipped.",
         in->obs_skipped, in->obs_skipped == 1 ? "" : "s",
         in->obs_skipped == 1 ? "was" : "were");
    if (r->constant_indicators)
        note(w, "%zu indicator%s constant and %s normalised to the midpoint of the range.",
             r->constant_indicators, r->constant_indicators == 1 ? " was" : "s were",
             r->constant_indicators == 1 ? "was" : "were");
    else
        note(w, "No indicator was constant.");

    if (r->notes.n) {
        heading(w, "Run notes");
        for (size_t i = 0; i < r->notes.n; i++)
            note(w, "%s", r->notes.line[i] ? r->notes.line[i] : "");
    }
}

/* ---- sheets ------------------------------------------------------------- */

static const struct {
    const char *name, *what;
} sheet_list[] = {
    {"Cover", "Title, run facts and these contents."},
    {"Notes", "Methods, settings, data facts and every fallback, one sentence per row."},
    {"Summary", "Each unit's index and area scores and its index rank in the year evaluated."},
    {"Scores", "Every score: one row per unit, year and node, with intervals and ranks."},
    {"Features", "Each unit's key feature scores in the year evaluated."},
    {"Trends", "Each unit and node over the years: slope with its interval, Sen's slope, "
               "Mann-Kendall test, growth rate, change since the base year and progress."},
    {"Quality", "Coverage, imputed and treated counts, outlier treatment and coherence "
                "(correlations, Cronbach's alpha, principal components)."},
    {"Data", "Raw and normalised indicator values, one row per unit and year."},
    {"Framework", "The indicator tree with weights, effective weights, directions, targets "
                  "and each node's target score in the evaluation year (see Notes); "
                  "'adapted' marks a row whose wording paraphrases the source framework."},
    {"Charts", "Native Excel charts (index by unit with intervals, area medians over the "
               "years) on their data, and the chart images with their alternative text."},
};
#define NSHEET (sizeof sheet_list / sizeof sheet_list[0])

static void write_cover(struct wb *w, lxw_worksheet *ws)
{
    const struct config *cfg = w->cfg;
    const struct run_info *run = w->run;
    const struct cube *c = w->c;
    char buf[256];
    size_t row = 0;

    set_width(w, ws, 0, 0, 30, NULL);
    set_width(w, ws, 1, 1, 80, NULL);
    put_str(w, ws, row++, 0, cfg && cfg->name ? cfg->name : "lcme evaluation", w->f_title);
    row++;
    put_str(w, ws, row++, 0, "Run facts", w->f_heading);
    put_str(w, ws, row, 0, "Year evaluated", w->f_bold);
    if (w->ty >= 0)
        put_num(w, ws, row, 1, c->year[w->ty], NULL, 0);
    row++;
    put_str(w, ws, row, 0, "Run id", w->f_bold);
    put_str(w, ws, row++, 1, run ? run->id : "", NULL);
    put_str(w, ws, row, 0, "Seed", w->f_bold);   /* < 2^32: exact as a number */
    put_num(w, ws, row++, 1, (double)(run ? run->seed : cfg ? cfg->seed : 0), NULL, 0);
    put_str(w, ws, row, 0, "Replications", w->f_bold);
    put_num(w, ws, row++, 1, (double)(run ? run->replications : cfg ? cfg->replications : 0),
            NULL, 0);
    put_str(w, ws, row, 0, "Engine version", w->f_bold);
    snprintf(buf, sizeof buf, "lcme %s", run && run->version ? run->version : "");
    put_str(w, ws, row++, 1, buf, NULL);
    put_str(w, ws, row, 0, "Created", w->f_bold);
    put_str(w, ws, row++, 1, run && run->created ? run->created : cfg ? cfg->created : "", NULL);
    put_str(w, ws, row, 0, "Framework", w->f_bold);
    put_str(w, ws, row++, 1,
            report_basename(cfg && cfg->framework ? cfg->framework : w->fw->path), NULL);
    put_str(w, ws, row, 0, "Units", w->f_bold);
    put_num(w, ws, row++, 1, (double)c->nunit, NULL, 0);
    put_str(w, ws, row, 0, "Indicators", w->f_bold);
    put_num(w, ws, row++, 1, (double)w->fw->nind, NULL, 0);
    put_str(w, ws, row, 0, "Framework nodes", w->f_bold);
    put_num(w, ws, row++, 1, (double)w->fw->nnode, NULL, 0);
    put_str(w, ws, row, 0, "Years held", w->f_bold);
    if (c->nyear)
        snprintf(buf, sizeof buf, "%d to %d (%zu years)", c->year[0], c->year[c->nyear - 1],
                 c->nyear);
    else
        snprintf(buf, sizeof buf, "none");
    put_str(w, ws, row++, 1, buf, NULL);
    put_str(w, ws, row, 0, "Observations", w->f_bold);
    put_num(w, ws, row++, 1, (double)w->in->obs_total, NULL, 0);
    put_str(w, ws, row, 0, "with sampling error", w->f_bold);
    put_num(w, ws, row++, 1, (double)w->in->obs_with_error, NULL, 0);
    row++;
    put_str(w, ws, row++, 0, "Contents", w->f_heading);
    for (size_t i = 0; i < NSHEET; i++, row++) {
        snprintf(buf, sizeof buf, "internal:'%s'!A1", sheet_list[i].name);
        check(w, worksheet_write_url_opt(ws, (lxw_row_t)row, 0, buf, NULL, sheet_list[i].name,
                                         NULL));
        put_str(w, ws, row, 1, sheet_list[i].what, NULL);
    }
}

static void write_notes(struct wb *w, lxw_worksheet *ws)
{
    set_width(w, ws, 0, 0, 120, NULL);
    put_str(w, ws, 0, 0, "Notes", w->f_title);
    size_t row = 1;
    for (size_t i = 0; i < w->notes.n; i++, row++) {
        if (w->notes.heading[i])
            row++;              /* a blank row before each heading */
        put_str(w, ws, row, 0, w->notes.text[i], w->notes.heading[i] ? w->f_heading : w->f_wrap);
    }
}

static const char *node_label(const struct fw_node *n)
{
    return n->name && *n->name ? n->name : n->code;
}

static void write_summary(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    size_t ncol = 3 + (size_t)w->narea_shown;   /* unit, name, root, areas; then rank */
    struct headers h = {0};

    headers_add(w, &h, "unit");
    headers_add(w, &h, "name");
    headers_add(w, &h, node_label(&fw->node[fw->root]));
    for (int a = 0; a < w->narea_shown; a++)
        headers_add(w, &h, node_label(&fw->node[w->area[a]]));
    headers_add(w, &h, "rank");
    add_table(w, ws, "tblSummary", nrow, &h, w->f_head_wrap);
    headers_free(&h);
    check(w, worksheet_set_row(ws, 0, 45, NULL));
    unit_widths(w, ws);
    set_width(w, ws, 2, ncol - 1, 14, NULL);
    set_width(w, ws, ncol, ncol, 8, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    if (w->ty < 0)
        return;
    size_t t = (size_t)w->ty;
    for (size_t u = 0; u < nrow; u++) {
        size_t row = u + 1;
        put_unit(w, ws, row, u);
        put_num(w, ws, row, 2, r->score[RES_AT(r, fw->root, t, u)], w->f_1dp, 0);
        for (int a = 0; a < w->narea_shown; a++)
            put_num(w, ws, row, 3 + (size_t)a, r->score[RES_AT(r, w->area[a], t, u)], w->f_1dp, 0);
        put_num(w, ws, row, ncol, at(r->rank, RES_AT(r, fw->root, t, u)), NULL, 0);
    }
    colour_scale(w, ws, 1, 2, nrow, ncol - 1);
}

static void write_scores(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"unit", "year", "node", "level", "score", "ci_low",
                                      "ci_high", "rank", "rank_low", "rank_high"};
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = w->score_rows < w->max_data_rows ? w->score_rows : w->max_data_rows;
    add_table_of(w, ws, "tblScores", nrow, col, sizeof col / sizeof col[0]);
    set_width(w, ws, 0, 0, 14, NULL);
    set_width(w, ws, 1, 1, 7, NULL);
    set_width(w, ws, 2, 2, 16, NULL);
    set_width(w, ws, 3, 3, 7, NULL);
    set_width(w, ws, 4, 6, 10, NULL);
    set_width(w, ws, 7, 9, 10, NULL);
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
                check(w, worksheet_write_string(ws, rr, 0, c->unit[u], NULL));
                check(w, worksheet_write_number(ws, rr, 1, year, NULL));
                check(w, worksheet_write_string(ws, rr, 2, code, NULL));
                check(w, worksheet_write_number(ws, rr, 3, level, NULL));
                put_num(w, ws, row, 4, r->score[i], w->f_2dp, 0);
                if (has_ci) {
                    put_num(w, ws, row, 5, r->ci_low[i], w->f_2dp, 0);
                    put_num(w, ws, row, 6, at(r->ci_high, i), w->f_2dp, 0);
                }
                put_num(w, ws, row, 7, at(r->rank, i), NULL, 0);
                if (has_ci) {
                    put_num(w, ws, row, 8, at(r->rank_low, i), NULL, 0);
                    put_num(w, ws, row, 9, at(r->rank_high, i), NULL, 0);
                }
            }
        }
    }
}

static void write_features(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t nrow = c->nunit < w->max_data_rows ? c->nunit : w->max_data_rows;
    struct headers h = {0};

    headers_add(w, &h, "unit");
    headers_add(w, &h, "name");
    for (int f = 0; f < w->nfeat_shown; f++)
        headers_add(w, &h, fw->node[w->feat[f]].code);
    add_table(w, ws, "tblFeatures", nrow, &h, NULL);
    headers_free(&h);
    unit_widths(w, ws);
    if (w->nfeat_shown)
        set_width(w, ws, 2, 1 + (size_t)w->nfeat_shown, 10, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    if (w->ty < 0)
        return;
    size_t t = (size_t)w->ty;
    for (size_t u = 0; u < nrow; u++) {
        size_t row = u + 1;
        put_unit(w, ws, row, u);
        for (int f = 0; f < w->nfeat_shown; f++)
            put_num(w, ws, row, 2 + (size_t)f, r->score[RES_AT(r, w->feat[f], t, u)], w->f_1dp, 0);
    }
    if (w->nfeat_shown)
        colour_scale(w, ws, 1, 2, nrow, 1 + (size_t)w->nfeat_shown);
}

/* Trends: one row per unit and node (units in cube order, nodes in
 * framework order): the columns of trends.csv, same names and order, with
 * the node's level after its code. Empty when the run computed no trends. */
static void write_trends(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {
        "unit", "node", "level", "first_year", "last_year", "points", "slope",
        "slope_low", "slope_high", "sen_slope", "mk_s", "mk_z", "mk_p", "cagr",
        "change_since_base", "change_low", "change_high", "progress", "base_year",
        "change_excludes_zero", "prev_year", "change_since_prev", "change_prev_low",
        "change_prev_high", "change_prev_excludes_zero", "target"};
    const struct trends *tr = w->in->trends;
    const struct framework *fw = w->fw;
    const struct cube *c = w->c;
    size_t nrow = tr ? tr->nunit * tr->nnode : 0;
    if (nrow > w->max_data_rows)
        nrow = w->max_data_rows;
    add_table_of(w, ws, "tblTrends", nrow, col, sizeof col / sizeof col[0]);
    set_width(w, ws, 0, 1, 14, NULL);
    set_width(w, ws, 2, 25, 11, NULL);
    set_width(w, ws, 17, 17, 30, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    if (!tr || tr->nunit != c->nunit || tr->nnode != (size_t)fw->nnode)
        return;
    size_t row = 1;
    for (size_t u = 0; u < tr->nunit; u++) {
        for (size_t k = 0; k < tr->nnode; k++, row++) {
            if (row > nrow)
                return;
            size_t i = TREND_AT(tr, k, u);
            put_str(w, ws, row, 0, c->unit[u], NULL);
            put_str(w, ws, row, 1, fw->node[k].code, NULL);
            put_num(w, ws, row, 2, fw->node[k].level, NULL, 0);
            if (tr->points[i] > 0) {
                put_num(w, ws, row, 3, tr->first_year[i], NULL, 0);
                put_num(w, ws, row, 4, tr->last_year[i], NULL, 0);
            }
            put_num(w, ws, row, 5, tr->points[i], NULL, 0);
            const double v[] = {tr->slope[i], tr->slope_low[i], tr->slope_high[i],
                                tr->sen_slope[i], tr->mk_s[i], tr->mk_z[i], tr->mk_p[i],
                                tr->cagr[i], tr->change_since_base[i], tr->change_low[i],
                                tr->change_high[i]};
            for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
                put_num(w, ws, row, 6 + j, v[j], j == 6 || j == 7 ? NULL : w->f_2dp, 0);
            put_str(w, ws, row, 17, trend_class_name(tr->progress[i]), NULL);
            /* as trends.csv: the flags are 1/0 only where there is an interval */
            int has_prev = tr->prev_year && tr->prev_year[i] > 0;
            int base_ci = isfinite(tr->change_low[i]) && isfinite(tr->change_high[i]);
            int prev_ci = has_prev && tr->change_prev_low && isfinite(tr->change_prev_low[i]) &&
                          isfinite(tr->change_prev_high[i]);
            if (tr->points[i] > 0 && tr->base_year[i] > 0)
                put_num(w, ws, row, 18, tr->base_year[i], NULL, 0);
            if (base_ci)
                put_num(w, ws, row, 19,
                        tr->change_excludes_zero && tr->change_excludes_zero[i], NULL, 0);
            if (has_prev) {
                put_num(w, ws, row, 20, tr->prev_year[i], NULL, 0);
                put_num(w, ws, row, 21, tr->change_prev[i], w->f_2dp, 0);
            }
            if (prev_ci) {
                put_num(w, ws, row, 22, tr->change_prev_low[i], w->f_2dp, 0);
                put_num(w, ws, row, 23, tr->change_prev_high[i], w->f_2dp, 0);
                put_num(w, ws, row, 24,
                        tr->change_prev_excludes_zero && tr->change_prev_excludes_zero[i],
                        NULL, 0);
            }
            if (tr->target)   /* raw units for indicators: no rounding format */
                put_num(w, ws, row, 25, tr->target[i],
                        k < (size_t)fw->nind ? NULL : w->f_2dp, 0);
        }
    }
}

static void write_data(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct framework *fw = w->fw;
    size_t total = c->nunit * c->nyear;
    size_t nrow = total < w->max_data_rows ? total : w->max_data_rows;
    size_t ni = w->data_ind;
    const uint8_t *flag = r->flag ? r->flag : c->flag;
    struct headers h = {0};
    char buf[XLSX_MAX_HEADER + 16];

    headers_add(w, &h, "unit");
    headers_add(w, &h, "name");
    headers_add(w, &h, "year");
    for (size_t i = 0; i < ni; i++)
        headers_add(w, &h, fw->node[i].code);
    for (size_t i = 0; i < ni; i++) {
        size_t len = utf8_cut(fw->node[i].code, strlen(fw->node[i].code), XLSX_MAX_HEADER - 20);
        snprintf(buf, sizeof buf, "%.*s (normalised)", (int)len, fw->node[i].code);
        headers_add(w, &h, buf);
    }
    add_table(w, ws, "tblData", nrow, &h, w->f_head_wrap);
    headers_free(&h);
    check(w, worksheet_set_row(ws, 0, 30, NULL));
    unit_widths(w, ws);
    set_width(w, ws, 2, 2, 7, NULL);
    if (ni)
        set_width(w, ws, 3, 2 + 2 * ni, 12, NULL);
    worksheet_freeze_panes(ws, 1, 3);

    size_t row = 1;
    for (size_t u = 0; u < c->nunit; u++) {
        for (size_t t = 0; t < c->nyear; t++, row++) {
            if (row > nrow)
                return;
            put_unit(w, ws, row, u);
            put_num(w, ws, row, 2, c->year[t], NULL, 0);
            for (size_t i = 0; i < ni; i++) {
                size_t ci = CUBE_AT(c, i, t, u);
                uint8_t fl = flag ? flag[ci] : 0;
                lxw_format *fr = NULL, *fn = w->f_2dp;
                if (fl & CUBE_IMPUTED) {
                    fr = w->f_imp;
                    fn = w->f_imp2;
                } else if (fl & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) {
                    fr = w->f_trt;
                    fn = w->f_trt2;
                }
                put_num(w, ws, row, 3 + i, c->value[ci], fr, 1);
                put_num(w, ws, row, 3 + ni + i, r->score[RES_AT(r, i, t, u)], fn,
                        fn != w->f_2dp);
            }
        }
    }
}

static const char *type_name(enum node_type t)
{
    return t == NODE_INDICATOR ? "Indicator" : "Aggregate";
}

static void write_framework(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"code", "parent", "name", "level", "type", "weight",
                                      "effective weight", "direction", "unit", "target",
                                      "lower", "upper", "adapted", "target score"};
    const struct framework *fw = w->fw;
    size_t nn = (size_t)fw->nnode;
    size_t nrow = nn < w->max_data_rows ? nn : w->max_data_rows;
    add_table_of(w, ws, "tblFramework", nrow, col, sizeof col / sizeof col[0]);
    set_width(w, ws, 0, 1, 14, NULL);
    set_width(w, ws, 2, 2, 50, NULL);
    set_width(w, ws, 3, 4, 10, NULL);
    set_width(w, ws, 5, 6, 12, NULL);
    set_width(w, ws, 7, 7, 9, NULL);
    set_width(w, ws, 8, 8, 14, NULL);
    set_width(w, ws, 9, 11, 10, NULL);
    set_width(w, ws, 12, 12, 30, NULL);
    set_width(w, ws, 13, 13, 12, NULL);
    worksheet_freeze_panes(ws, 1, 0);

    /* Pre-order from the root: each aggregate above its children, in file
     * order; any node the walk misses follows in node order. */
    int *order = malloc((nn + 1) * sizeof *order);
    int *stack = malloc((nn + 1) * sizeof *stack);
    unsigned char *seen = calloc(nn + 1, 1);
    if (!order || !stack || !seen) {
        w->nomem = 1;
        goto out;
    }
    size_t no = 0, sp = 0;
    if (nn) {
        stack[sp++] = fw->root;
        seen[fw->root] = 1;
    }
    while (sp) {
        int k = stack[--sp];
        order[no++] = k;
        const struct fw_node *n = &fw->node[k];
        for (int j = n->nchild - 1; j >= 0; j--) {
            int ch = n->child[j];
            if (ch >= 0 && (size_t)ch < nn && !seen[ch] && sp < nn) {
                seen[ch] = 1;
                stack[sp++] = ch;
            }
        }
    }
    for (size_t k = 0; k < nn; k++)
        if (!seen[k])
            order[no++] = (int)k;

    for (size_t j = 0; j < nrow; j++) {
        const struct fw_node *n = &fw->node[order[j]];
        size_t row = j + 1;
        put_str(w, ws, row, 0, n->code, NULL);
        if (n->parent >= 0 && n->parent < fw->nnode)
            put_str(w, ws, row, 1, fw->node[n->parent].code, NULL);
        put_str(w, ws, row, 2, n->name, NULL);
        put_num(w, ws, row, 3, n->level, NULL, 0);
        put_str(w, ws, row, 4, type_name(n->type), NULL);
        put_num(w, ws, row, 5, n->weight, NULL, 0);
        put_num(w, ws, row, 6, at(w->r->eff_weight, (size_t)order[j]), NULL, 0);
        put_num(w, ws, row, 7, n->direction, NULL, 0);
        put_str(w, ws, row, 8, n->unit, NULL);
        put_num(w, ws, row, 9, n->target, NULL, 0);
        put_num(w, ws, row, 10, n->lower, NULL, 0);
        put_num(w, ws, row, 11, n->upper, NULL, 0);
        put_str(w, ws, row, 12, n->adapted, NULL);
        /* the node's target score in the evaluation year (pipeline.h) */
        if (w->r->target_score && w->ty >= 0)
            put_num(w, ws, row, 13,
                    w->r->target_score[(size_t)order[j] * w->r->nyear + (size_t)w->ty],
                    w->f_2dp, 0);
    }
out:
    free(order);
    free(stack);
    free(seen);
}

/* ---- entry points ------------------------------------------------------- */

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    size_t n = s ? (size_t)(s - path) : 0;
    if (s && n == 0)
        n = 1;                  /* "/x.xlsx" lives in "/" */
    char *d = malloc(n + 2);
    if (!d)
        return NULL;
    if (s)
        memcpy(d, path, n);
    else
        d[n++] = '.';
    d[n] = '\0';
    return d;
}

/* ---- Charts sheet --------------------------------------------------------
 *
 * Native charts an analyst can restyle, each drawn from a small range on
 * the sheet itself, then the chart images.
 *
 * (a) Index by unit with interval whiskers. libxlsxwriter 1.1.4 has no
 *     per-point custom error bars, so the whiskers are Excel's high-low
 *     lines: a line chart of three series over the units (sorted by score,
 *     best first) -- score, interval low, interval high -- with no line on
 *     any series, a marker on the score only, and chart_set_high_low_lines,
 *     which joins the highest and lowest value of each category. Without
 *     intervals only the score series is drawn.
 * (b) Area medians over the years: one line per area, the network median
 *     from struct trends (median[node * nyear + t]); absent without trends.
 * Images: every chart PNG for networks of at most CHART_SHEET_ALL units,
 *     else only the dot plots (index, areas, areas of focus) and the
 *     progress chart, each with its alternative text as the description.
 *
 * Cells are written row by row (data (a) in A:D, data (b) from F), so the
 * sheet also works in constant-memory mode; charts and images are drawing
 * objects and need no cell order. */
#define CHART_SHEET_ALL 30
#define CHART_SHEET_FIRST 4      /* header row of the data ranges */

struct unit_score {
    size_t u;
    double v;
};

static int unit_score_cmp(const void *a, const void *b)
{
    const struct unit_score *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->u < y->u ? -1 : x->u > y->u;
}

static void write_charts(struct wb *w, lxw_worksheet *ws)
{
    const struct cube *c = w->c;
    const struct results *r = w->r;
    const struct trends *tr = w->in->trends;
    int root = w->fw->root;
    int has_ci = r->ci_low && r->ci_high;
    int has_med = tr && tr->median && tr->nyear == c->nyear && tr->nnode == r->nnode &&
                  w->narea > 0;
    size_t nu = 0;
    struct unit_score *us = malloc((c->nunit ? c->nunit : 1) * sizeof *us);
    if (!us) {
        w->nomem = 1;
        return;
    }
    if (w->ty >= 0)
        for (size_t u = 0; u < c->nunit; u++) {
            double v = r->score[RES_AT(r, root, (size_t)w->ty, u)];
            if (isfinite(v))
                us[nu++] = (struct unit_score){u, v};
        }
    qsort(us, nu, sizeof *us, unit_score_cmp);

    set_width(w, ws, 0, 0, 24, NULL);
    set_width(w, ws, 1, 3, 12, NULL);
    put_str(w, ws, 0, 0, "Charts", w->f_title);
    put_str(w, ws, 1, 0,
            "Native charts drawn from the ranges below them: restyle or copy them in "
            "Excel. Whiskers are high-low lines between the interval low and high "
            "series (both hidden); areas over the years are network medians.", NULL);
    size_t hr = CHART_SHEET_FIRST - 1, first = CHART_SHEET_FIRST;
    size_t ny = has_med ? c->nyear : 0;
    size_t col_b = 5, col_chart = col_b + (has_med ? (size_t)w->narea + 2 : 0);
    char buf[160];
    if (w->ty >= 0) {
        snprintf(buf, sizeof buf, "Index by unit in %d", c->year[w->ty]);
        put_str(w, ws, hr - 1, 0, buf, w->f_bold);
    }
    if (has_med)
        put_str(w, ws, hr - 1, col_b, "Area medians over the years", w->f_bold);
    put_str(w, ws, hr, 0, "Unit", w->f_bold);
    put_str(w, ws, hr, 1, "Index score", w->f_bold);
    put_str(w, ws, hr, 2, "Interval low", w->f_bold);
    put_str(w, ws, hr, 3, "Interval high", w->f_bold);
    if (has_med) {
        put_str(w, ws, hr, col_b, "Year", w->f_bold);
        for (int a = 0; a < w->narea; a++)
            put_str(w, ws, hr, col_b + 1 + (size_t)a, w->fw->node[w->area[a]].code, w->f_bold);
    }
    size_t rows = nu > ny ? nu : ny;
    for (size_t i = 0; i < rows; i++) {
        size_t row = first + i;
        if (i < nu) {
            size_t u = us[i].u;
            const char *nm = c->unit_name && c->unit_name[u] && c->unit_name[u][0]
                                 ? c->unit_name[u] : c->unit[u];
            size_t at = RES_AT(r, root, (size_t)w->ty, u);
            put_str(w, ws, row, 0, nm, NULL);
            put_num(w, ws, row, 1, us[i].v, w->f_1dp, 0);
            if (has_ci) {
                put_num(w, ws, row, 2, r->ci_low[at], w->f_1dp, 0);
                put_num(w, ws, row, 3, r->ci_high[at], w->f_1dp, 0);
            }
        }
        if (i < ny) {
            put_num(w, ws, row, col_b, c->year[i], NULL, 0);
            for (int a = 0; a < w->narea; a++)
                put_num(w, ws, row, col_b + 1 + (size_t)a,
                        tr->median[(size_t)w->area[a] * tr->nyear + i], w->f_1dp, 0);
        }
    }

    lxw_row_t r0 = (lxw_row_t)first, r1 = (lxw_row_t)(first + (nu ? nu : 1) - 1);
    size_t chart_row = hr;
    if (nu > 0) {
        lxw_chart *ch = workbook_add_chart(w->book, LXW_CHART_LINE);
        if (!ch) {
            w->nomem = 1;
            free(us);
            return;
        }
        snprintf(buf, sizeof buf, "Index by unit in %d%s", c->year[w->ty],
                 has_ci ? " with its interval" : "");
        chart_title_set_name(ch, buf);
        lxw_chart_line none = {.none = LXW_TRUE};
        const char *names[3] = {"Index score", "Interval low", "Interval high"};
        for (int k = 0; k < (has_ci ? 3 : 1); k++) {
            lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
            if (!se) {
                w->nomem = 1;
                break;
            }
            chart_series_set_categories(se, "Charts", r0, 0, r1, 0);
            chart_series_set_values(se, "Charts", r0, (lxw_col_t)(1 + k), r1,
                                    (lxw_col_t)(1 + k));
            chart_series_set_name(se, names[k]);
            chart_series_set_line(se, &none);
            if (k == 0) {
                chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
                chart_series_set_marker_size(se, 6);
            } else {
                chart_series_set_marker_type(se, LXW_CHART_MARKER_NONE);
            }
        }
        if (has_ci) {
            lxw_chart_line whisker = {.color = 0x444444, .width = 1.25};
            chart_set_high_low_lines(ch, &whisker);
        }
        chart_axis_set_name(ch->y_axis, "Score");
        chart_axis_set_min(ch->y_axis, 0);
        chart_axis_set_max(ch->y_axis, 100);
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        snprintf(buf, sizeof buf, "Index score in %d for %zu units, sorted from highest "
                 "to lowest%s.", c->year[w->ty], nu,
                 has_ci ? ", with interval whiskers" : "");
        double xs = nu > 20 ? (double)nu / 20.0 : 1.0;
        lxw_chart_options o = {.x_scale = xs > 3 ? 3 : xs, .y_scale = 1.25,
                               .description = buf};
        check(w, worksheet_insert_chart_opt(ws, (lxw_row_t)chart_row, (lxw_col_t)col_chart,
                                            ch, &o));
        chart_row += 21;
    }
    if (has_med && ny > 0) {
        lxw_chart *ch = workbook_add_chart(w->book, LXW_CHART_LINE);
        if (!ch) {
            w->nomem = 1;
            free(us);
            return;
        }
        chart_title_set_name(ch, "Area medians over the years");
        lxw_row_t y0 = (lxw_row_t)first, y1 = (lxw_row_t)(first + ny - 1);
        for (int a = 0; a < w->narea; a++) {
            lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
            if (!se) {
                w->nomem = 1;
                break;
            }
            chart_series_set_categories(se, "Charts", y0, (lxw_col_t)col_b, y1,
                                        (lxw_col_t)col_b);
            lxw_col_t vc = (lxw_col_t)(col_b + 1 + (size_t)a);
            chart_series_set_values(se, "Charts", y0, vc, y1, vc);
            chart_series_set_name_range(se, "Charts", (lxw_row_t)hr, vc);
            chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
        }
        chart_axis_set_name(ch->y_axis, "Median score");
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        snprintf(buf, sizeof buf, "Network median score of each of %d areas from %d to %d.",
                 w->narea, c->year[0], c->year[c->nyear - 1]);
        lxw_chart_options o = {.x_scale = 1.25, .y_scale = 1.25, .description = buf};
        check(w, worksheet_insert_chart_opt(ws, (lxw_row_t)chart_row, (lxw_col_t)col_chart,
                                            ch, &o));
        chart_row += 21;
    }
    free(us);

    const struct chart_list *cl = w->in->charts;
    const char *dir = w->in->charts_dir;
    if (!cl || !dir || cl->n == 0)
        return;
    int all = c->nunit <= CHART_SHEET_ALL;
    /* below the native charts and below the last data row: in
     * constant-memory mode a cell may not go above a row already written */
    size_t row = (chart_row > first + rows ? chart_row : first + rows) + 1;
    put_str(w, ws, row - 1, col_chart,
            all ? "Chart images (also in charts/ as PNG and PDF)"
                : "Chart images: dot plots and progress (every chart is in charts/)",
            w->f_bold);
    for (size_t i = 0; i < cl->n && !w->nomem; i++) {
        const struct chart_item *it = &cl->v[i];
        if (!all && it->kind != CHART_DOT && it->kind != CHART_PROGRESS)
            continue;
        size_t len = strlen(dir) + strlen(it->stem) + 6;
        char *path = malloc(len);
        if (!path) {
            w->nomem = 1;
            break;
        }
        snprintf(path, len, "%s/%s.png", dir, it->stem);
        /* PNGs carry 150 dpi: at scale 0.75 a chart of H points shows H
         * pixels high (H * 150/72 * 96/150 * 0.75) */
        lxw_image_options o = {.x_scale = 0.75, .y_scale = 0.75,
                               .description = it->alt};
        check(w, worksheet_insert_image_opt(ws, (lxw_row_t)row, (lxw_col_t)col_chart, path,
                                            &o));
        free(path);
        row += (size_t)ceil(it->height / 20.0) + 1;
    }
}

int workbook_write_tuned(const char *path, const struct report_input *in,
                         const struct workbook_tuning *tune, struct diag *d)
{
    struct wb w;
    int rc = -1;
    char *tmpdir = NULL, *title = NULL, *subject = NULL, *comments = NULL;

    if (!tune)
        tune = &workbook_tuning_default;
    memset(&w, 0, sizeof w);
    w.in = in;
    w.cfg = in->cfg;
    w.fw = in->fw;
    w.c = in->cube;
    w.r = in->res;
    w.run = in->run;
    w.ty = -1;
    if (w.r->nunit != w.c->nunit || w.r->nyear != w.c->nyear ||
        w.r->nnode != (size_t)w.fw->nnode || w.fw->nind < 0 ||
        w.c->nind != (size_t)w.fw->nind) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0,
                 "cannot write '%s': results do not match the cube and framework", path);
        return -1;
    }
    if (plan(&w, tune) != 0 || !(tmpdir = dir_of(path)))
        goto nomem;
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    opt.constant_memory = w.score_rows > tune->constant_memory_rows ? LXW_TRUE : LXW_FALSE;
    opt.tmpdir = tmpdir;
    w.streaming = opt.constant_memory;
    compose_notes(&w);
    if (w.nomem)
        goto nomem;

    /* Open the output once ourselves: an unwritable path is then reported
     * here, instead of by libxlsxwriter on stderr at close. */
    {
        FILE *probe = fopen(path, "wb");
        if (!probe) {
            int e = errno;
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(e));
            goto done;
        }
        fclose(probe);
    }
    w.book = workbook_new_opt(path, &opt);
    if (!w.book)
        goto nomem;
    make_formats(&w);

    /* Sheets in tab order; Quality is added and written by quality.c. */
    static void (*const writer[NSHEET])(struct wb *, lxw_worksheet *) = {
        write_cover, write_notes, write_summary, write_scores, write_features,
        write_trends, NULL, write_data, write_framework, write_charts,
    };
    for (size_t i = 0; i < NSHEET && !w.nomem; i++) {
        if (!writer[i]) {
            if (quality_sheet_add(w.book, in, !w.streaming, d) != 0)
                goto done_close;
            continue;
        }
        lxw_worksheet *ws = workbook_add_worksheet(w.book, sheet_list[i].name);
        if (!ws)
            w.nomem = 1;
        else
            writer[i](&w, ws);
    }

    /* Document properties; the fixed creation time makes reruns identical. */
    {
        const char *name = w.cfg && w.cfg->name ? w.cfg->name : "lcme evaluation";
        size_t len = strlen(name) + 64;
        title = malloc(len);
        subject = malloc(len);
        comments = malloc(256);
        if (!title || !subject || !comments) {
            w.nomem = 1;
        } else {
            snprintf(title, len, "%s", name);
            if (w.ty >= 0)
                snprintf(subject, len, "Learning city evaluation %d", w.c->year[w.ty]);
            else
                snprintf(subject, len, "Learning city evaluation");
            snprintf(comments, 256, "Run %s, seed %lu, lcme %s", w.run ? w.run->id : "",
                     w.run ? w.run->seed : w.cfg ? w.cfg->seed : 0,
                     w.run && w.run->version ? w.run->version : "");
            lxw_doc_properties props;
            memset(&props, 0, sizeof props);
            props.title = title;
            props.subject = subject;
            props.author = "lcme";
            props.comments = comments;
            props.created = created_time(&w);
            check(&w, workbook_set_properties(w.book, &props));
        }
    }

    errno = 0;
    lxw_error e = workbook_close(w.book);   /* frees the workbook in any case */
    int saved = errno;
    w.book = NULL;
    if (w.nomem)
        goto nomem;
    if (e == LXW_NO_ERROR)
        e = w.err;
    if (e != LXW_NO_ERROR) {
        if (saved && (e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ||
                      e == LXW_ERROR_ZIP_FILE_OPERATION || e == LXW_ERROR_ZIP_CLOSE ||
                      e == LXW_ERROR_ZIP_FILE_ADD))
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s (%s)", path,
                     lxw_strerror(e), strerror(saved));
        else
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, lxw_strerror(e));
        unlink(path);
        goto done;
    }
    rc = 0;
    goto done;

nomem:
    diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot write '%s': out of memory", path);
done_close:
    if (w.book)
        workbook_close(w.book);
    unlink(path);
done:
    free(title);
    free(subject);
    free(comments);
    free(tmpdir);
    free(w.area);
    free(w.feat);
    free(w.tmpbuf);
    lines_free(&w.notes);
    return rc;
}

int workbook_write(const char *path, const struct report_input *in, struct diag *d)
{
    return workbook_write_tuned(path, in, NULL, d);
}
