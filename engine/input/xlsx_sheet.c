/* xlsx_sheet.c: one worksheet streamed through the XML reader, row by row,
 * into a table of cells, and the table handed to ingest as a csv_source
 * (the records of a CSV file: xlsx_read.h says what each cell becomes).
 *
 * The sheet's XML is <sheetData><row r="14"><c r="G14" t="s" s="3"><f>..</f>
 * <v>..</v><is><t>..</t></is></c>...</row>...</sheetData>. A cell's text is
 * gathered from its <v> (or its inline string's <t> runs) and decided when
 * the cell ends; a row is kept when it ends with a non-empty cell and no
 * problem. The first row kept is the header: its last non-empty column is
 * the width, and every later row is reserved that many cells up front, so a
 * cell lands in its slot directly and missing cells stay "".
 *
 * What follows </sheetData> (protection, filters, validations: in a
 * returned template, more than half the sheet's XML) reaches no handler
 * (xlsx_done), but the XML reader still reads it to the end of the part,
 * so that a sheet malformed anywhere is refused, before the rows as after.
 * It costs a returned template (61 KB of its 114 KB of sheet XML after
 * the rows, data validations mostly) 0.12 ms of CPU: its whole read went
 * from 0.66 to 0.78 ms (medians of seven alternating runs of 401 reads).
 * The reader now checks such a muted rest in one pass without its tokens
 * when it can (xlsx_xml.c's skim), which halved that cost.
 *
 * When the part is inflated whole, the XML reader stops right after the
 * <sheetData> tag and hands the rows to xlsx_scan.c, which reads the
 * shapes workbooks have through the same row, cell and text functions
 * below; on anything else it declines, the table and this parse are put
 * back as they were (sheet_rest), and the reader reads the rows itself.
 * When the scanner read them, the reader reads on after </sheetData>.
 *
 * Dates: a number is shown as a date by its cell's style. Which styles
 * are dates is in the styles part, which is read once the rows are, and
 * only when some number kept is in a cell with a style (t->styled lists
 * them; a plain export has none, and its styles part is never read):
 * styled_dates then turns those that are dates into their text.
 *
 * Invariants: rows and cells arrive in increasing order (else reading
 * stops); every kept row has exactly `width` cells; a cell is a pointer
 * into the text blocks (shared strings are not copied) or to a static "";
 * nothing right of the header's last column is kept; cells, text and bytes
 * stay within the book's limits.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "xlsx_int.h"

#define XLSX_MAX_ROW 1048576L   /* Excel's last row */
#define XLSX_MAX_COL 16384L     /* its last column, XFD */

static char empty_cell[1];      /* "" for every missing cell; never written */
static char text_true[] = "TRUE", text_false[] = "FALSE";

struct xlsx_rec {
    long row;                  /* the sheet's row number */
    size_t first;              /* its first cell in s[] and len[] */
};

struct xlsx_styled {
    size_t k;                  /* the cell in s[] */
    long style;                /* its s attribute */
    long row, col;             /* where it is, for a message */
};

struct xlsx_table {
    char **s;                  /* cell text, row after row */
    size_t *len;
    size_t ncell, acell, alen;
    struct xlsx_rec *rec;
    size_t nrec, arec;
    size_t width;              /* cells per row: the header's */
    unsigned char *zeros;      /* width zero bytes: c->quoted */
    size_t next;               /* next row csv_next returns */
    int problems;              /* rows were left out: end with -1 */
    struct xlsx_text text;     /* what s points into */
    struct xlsx_styled *styled;   /* kept numbers whose cell has a style */
    size_t nstyled, astyled;
};

/* ---- problems ----------------------------------------------------------- */

/* A problem that stops reading, at the current cell (or row). */
static void sheet_fatal(struct xlsx_sheet *p, enum lcme_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sheet_fatal(struct xlsx_sheet *p, enum lcme_status st, const char *fmt, ...)
{
    va_list ap;
    if (p->scanning) {   /* the scanner declines; the reader will report it */
        p->declined = 1;
        return;
    }
    va_start(ap, fmt);
    if (p->at.row > 0)
        diag_vadd_cell(p->x.b->d, st, p->x.b->file, p->at.sheet, p->at.row, p->at.col, fmt,
                       ap);
    else
        diag_vadd(p->x.b->d, st, p->x.b->file, 0, 0, fmt, ap);
    va_end(ap);
    xlsx_stop(&p->x);
}

/* A problem in one cell: its row is left out and the file refused; in the
 * header row it stops reading (nothing after it could be read right). */
static void cell_problem(struct xlsx_sheet *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void cell_problem(struct xlsx_sheet *p, const char *fmt, ...)
{
    va_list ap;
    if (p->scanning) {
        p->declined = 1;
        return;
    }
    va_start(ap, fmt);
    diag_vadd_cell(p->x.b->d, LCME_EINPUT, p->x.b->file, p->at.sheet, p->at.row, p->at.col,
                   fmt, ap);
    va_end(ap);
    p->x.b->problems++;
    p->row_bad = 1;
    if (!p->header)
        xlsx_stop(&p->x);
}

static void sheet_nomem(struct xlsx_sheet *p)
{
    sheet_fatal(p, LCME_ENOMEM, "out of memory");
}

static void cell_too_long(struct xlsx_sheet *p)
{
    sheet_fatal(p, LCME_ELIMIT, "the cell's text is longer than the %zu bytes a cell may hold",
                p->x.b->lim.max_cell);
}

/* ---- rows and cells ----------------------------------------------------- */

/* Make room for cells up to row_first + n, new ones empty. 0, or -1 after
 * reporting (the cell limit, ENOMEM). */
static int reserve_cells(struct xlsx_sheet *p, size_t n)
{
    struct xlsx_table *t = p->t;
    size_t need = p->row_first + n;
    if (need > p->x.b->lim.max_cells) {
        sheet_fatal(p, LCME_ELIMIT, "the sheet has more than %zu cells (counting the empty "
                    "ones inside the header's columns)", p->x.b->lim.max_cells);
        return -1;
    }
    if (array_grow((void **)&t->s, &t->acell, need, sizeof *t->s) != 0 ||
        array_grow((void **)&t->len, &t->alen, need, sizeof *t->len) != 0) {
        sheet_nomem(p);
        return -1;
    }
    for (size_t i = t->ncell; i < need; i++) {
        t->s[i] = empty_cell;
        t->len[i] = 0;
    }
    if (need > t->ncell)
        t->ncell = need;
    return 0;
}

/* A number of at most max written in the n digits at s alone: the number,
 * else -1. */
static long parse_uint(const char *s, size_t n, long max)
{
    long v = 0;
    if (!n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > max)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

/* A row number (1 to max), else -1. */
static long parse_index(const char *s, size_t n, long max)
{
    long v = parse_uint(s, n, max);
    return v >= 1 ? v : -1;
}

void xlsx_sheet_row(struct xlsx_sheet *p, const char *r, size_t rn)
{
    long row = r ? parse_index(r, rn, XLSX_MAX_ROW) : p->last_row + 1;   /* digits only */
    p->at.row = row > 0 ? row : p->last_row + 1;
    p->at.col = 0;
    if (row < 0) {
        p->at.row = 0;   /* no row to point at */
        sheet_fatal(p, LCME_EINPUT, "row number '%.*s' in the sheet '%s' is not one of a "
                    "sheet's rows (1 to %ld)", (int)(rn < 20 ? rn : 20), r ? r : "", p->at.sheet,
                    XLSX_MAX_ROW);
        return;
    }
    if (row <= p->last_row) {
        sheet_fatal(p, LCME_EINPUT, "rows out of order: row %ld comes after row %ld", row,
                    p->last_row);
        return;
    }
    /* its digits, for ref_column: as written, or written out */
    if (rn && rn <= sizeof p->row_digits && r[0] != '0') {
        memcpy(p->row_digits, r, rn);
        p->row_ndigits = rn;
    } else {   /* row <= XLSX_MAX_ROW: seven digits at most */
        char d[sizeof p->row_digits + 1];
        p->row_ndigits = (size_t)snprintf(d, sizeof d, "%ld", row);
        memcpy(p->row_digits, d, p->row_ndigits);
    }
    p->in_row = 1;
    p->last_col = 0;
    p->row_last = 0;
    p->row_bad = 0;
    p->row_first = p->t->ncell;
    if (p->header)
        reserve_cells(p, p->t->width);
}

void xlsx_sheet_row_end(struct xlsx_sheet *p)
{
    struct xlsx_table *t = p->t;
    p->in_row = 0;
    p->last_row = p->at.row;
    p->at.col = 0;
    if (p->row_bad || p->row_last == 0) {   /* left out, or empty */
        t->ncell = p->row_first;
        while (t->nstyled && t->styled[t->nstyled - 1].k >= p->row_first)
            t->nstyled--;
        return;
    }
    if (!p->header) {
        t->width = (size_t)p->row_last;
        t->ncell = p->row_first + t->width;
        p->header = 1;
    }
    if (array_grow((void **)&t->rec, &t->arec, t->nrec + 1, sizeof *t->rec) != 0) {
        sheet_nomem(p);
        return;
    }
    t->rec[t->nrec++] = (struct xlsx_rec){p->at.row, p->row_first};
}

void xlsx_sheet_expect(struct xlsx_sheet *p, size_t rows)
{
    struct xlsx_table *t = p->t;
    size_t most = p->x.b->lim.max_cells / (t->width ? t->width : 1);
    if (!p->header)
        return;
    if (rows > most)
        rows = most;
    size_t cells = t->ncell + rows * t->width;
    if (array_grow((void **)&t->s, &t->acell, cells, sizeof *t->s) == 0)
        (void)array_grow((void **)&t->len, &t->alen, cells, sizeof *t->len);
    (void)array_grow((void **)&t->rec, &t->arec, t->nrec + rows, sizeof *t->rec);
}

/* Column of a reference such as "G14" (n bytes) in the current row, else
 * -1. Its digits are compared with the row's as written (row_digits)
 * before they are read as a number ("G014" is row 14 too). */
static long ref_column(const struct xlsx_sheet *p, const char *r, size_t n)
{
    long col = 0;
    size_t letters = 0;
    for (; letters < n && ((r[letters] >= 'A' && r[letters] <= 'Z') ||
                           (r[letters] >= 'a' && r[letters] <= 'z')); letters++) {
        if (letters == 3)
            return -1;
        col = col * 26 + ((r[letters] | 0x20) - 'a' + 1);
    }
    if (!letters)
        return -1;
    if (n - letters == p->row_ndigits) {
        size_t i = 0;
        while (i < p->row_ndigits && r[letters + i] == p->row_digits[i])
            i++;
        if (i == p->row_ndigits)
            return col;
    }
    return parse_index(r + letters, n - letters, XLSX_MAX_ROW) == p->at.row ? col : -1;
}

/* The type a cell's t attribute (n bytes) names. */
static enum xlsx_ctype cell_type(const char *t, size_t n)
{
    static const struct { const char *name; enum xlsx_ctype type; } types[] = {
        {"n", T_NUM}, {"s", T_SST}, {"str", T_STR}, {"inlineStr", T_INLINE},
        {"b", T_BOOL}, {"e", T_ERR}, {"d", T_DATE},
    };
    if (!t)
        return T_NUM;
    if (n == 1 && t[0] == 's')   /* the common ones first */
        return T_SST;
    if (n == 1 && t[0] == 'n')
        return T_NUM;
    if (n == 9 && memcmp(t, "inlineStr", 9) == 0)
        return T_INLINE;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i].name) == n && memcmp(t, types[i].name, n) == 0)
            return types[i].type;
    return T_UNKNOWN;
}

/* The r, t and s attributes of a cell in one pass (called for every cell:
 * xlsx_attr would pass over the attributes three times). */
static void cell_attrs(const char **atts, const char **r, const char **t, const char **s)
{
    *r = *t = *s = NULL;
    for (size_t i = 0; atts[i]; i += 2) {
        const char *n = atts[i];
        if (n[0] && !n[1]) {
            if (n[0] == 'r')
                *r = atts[i + 1];
            else if (n[0] == 't')
                *t = atts[i + 1];
            else if (n[0] == 's')
                *s = atts[i + 1];
        } else if (strchr(n, ':')) {   /* a prefixed attribute: by its local name */
            const char *l = xlsx_local(n);
            if (strcmp(l, "r") == 0 || strcmp(l, "t") == 0 || strcmp(l, "s") == 0)
                *(l[0] == 'r' ? r : l[0] == 't' ? t : s) = atts[i + 1];
        }
    }
}

void xlsx_sheet_cell(struct xlsx_sheet *p, const char *r, size_t rn, const char *t, size_t tn,
                     const char *s, size_t sn)
{
    long col = r ? ref_column(p, r, rn) : p->last_col + 1;
    if (col < 0) {
        sheet_fatal(p, LCME_EINPUT, "cell reference '%.*s' is not a cell of row %ld",
                    (int)(rn < 20 ? rn : 20), r, p->at.row);
        return;
    }
    p->at.col = col;
    if (col > XLSX_MAX_COL) {
        sheet_fatal(p, LCME_EINPUT, "a cell right of the last column a sheet has (XFD)");
        return;
    }
    if (col <= p->last_col) {
        char prev[8];
        sheet_fatal(p, LCME_EINPUT, "cells out of order: this cell comes after column %s of "
                    "its row", diag_column_name(p->last_col, prev));
        return;
    }
    p->last_col = col;
    p->in_cell = 1;
    p->type = cell_type(t, tn);
    if (p->type == T_UNKNOWN)   /* kept for the message */
        snprintf(p->tname, sizeof p->tname, "%.*s",
                 (int)(tn < sizeof p->tname ? tn : sizeof p->tname), t);
    p->style = s ? parse_uint(s, sn, 1L << 30) : -1;
    p->has_f = p->has_v = p->has_is = 0;
    p->blen = 0;
}

/* ---- what a cell holds -------------------------------------------------- */

/* A date serial as text: "2026-03-31", with "T08:30:00" for a time of day,
 * "08:30:00" for a time alone. 0 when v is no date (negative, past
 * 9999-12-31): the number is kept. Serial 1 is 1900-01-01 (1904-01-02 in
 * the 1904 system); Excel counts a 1900-02-29, its serial 60, so serials
 * below it are a day later than a plain count from 1899-12-31 would make
 * them. The calendar is gmtime_r's, on days counted from 1970-01-01. */
static size_t date_text(double v, int date1904, char out[32])
{
    if (!(v >= 0 && v < 2958466))
        return 0;
    long day = (long)floor(v);
    long secs = lround((v - (double)day) * 86400.0);
    if (secs >= 86400) {
        day++;
        secs -= 86400;
    }
    if (!date1904 && day == 0)
        return (size_t)snprintf(out, 32, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60,
                                secs % 60);
    if (!date1904 && day == 60)
        return (size_t)snprintf(out, 32, "1900-02-29");
    /* days from 1970-01-01 back to day 0: 1904-01-01, 1899-12-31 (before
     * the false 29 February) or 1899-12-30 */
    long long epoch = date1904 ? -24107 : day < 60 ? -25568 : -25569;
    time_t t = (time_t)((epoch + day) * 86400LL + secs);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 0;
    size_t n = strftime(out, 32, secs ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d", &tm);
    return n;
}

/* Keep a copy of s[0..n) in the table's text. NULL after reporting. */
static char *keep_text(struct xlsx_sheet *p, const char *s, size_t n)
{
    struct xlsx_table *t = p->t;
    if (t->text.total + n + 1 > p->x.b->lim.max_text) {
        sheet_fatal(p, LCME_ELIMIT, "the sheet holds more than the %zu MiB of text a workbook "
                    "may", p->x.b->lim.max_text >> 20);
        return NULL;
    }
    char *k = xlsx_text_put(&t->text, s, n);
    if (!k)
        sheet_nomem(p);
    return k;
}

/* 1 when s looks like a number as spreadsheets store one: digits, sign,
 * point and exponent only, a digit among them. Checked without strtod,
 * since ingest parses the numbers it needs anyway. */
static int looks_numeric(const char *s, size_t n)
{
    int digit = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            digit = 1;
        else if (ch != '.' && ch != '-' && ch != '+' && ch != 'e' && ch != 'E')
            return 0;
    }
    return digit;
}

/* The text of the ended cell, s[0..n): s is the cell buffer (NUL after
 * it), or, from the scanner's one pass, the text in the part (no NUL
 * after it, and never written). Returns what the cell holds (*len bytes;
 * NULL, or *len = 0: empty or left out); *styled = 1 when it is a number
 * in a cell with a style, which may show it as a date (xlsx_sheet_read
 * decides once the rows are read). */
static char *cell_value(struct xlsx_sheet *p, const char *s, size_t n, size_t *len,
                        int *styled)
{
    const struct xlsx_book *b = p->x.b;
    char q[64];
    *len = 0;
    *styled = 0;
    if (p->has_f && !p->has_v && !p->has_is) {
        cell_problem(p, "a formula without a cached value (the workbook was saved without "
                     "calculating it: open it in a spreadsheet program and save it again)");
        return NULL;
    }
    if (n == 0 && p->type != T_ERR)
        return NULL;
    switch (p->type) {
    case T_SST: {
        long i = parse_uint(s, n, 1L << 30);   /* 0-based */
        if (i < 0 || (size_t)i >= b->nsst) {
            cell_problem(p, "the cell refers to shared string '%s' but the workbook has %zu",
                         csv_quote(s, n, q, sizeof q), b->nsst);
            return NULL;
        }
        *len = b->sst_len[i];
        return b->sst[i];
    }
    case T_NUM:
        if (!looks_numeric(s, n)) {
            cell_problem(p, "a number cell holds '%s', which is not a number",
                         csv_quote(s, n, q, sizeof q));
            return NULL;
        }
        *styled = p->style >= 0;
        *len = n;
        return keep_text(p, s, n);
    case T_BOOL:
        if (n == 1 && (s[0] == '1' || s[0] == '0')) {
            *len = s[0] == '1' ? 4 : 5;
            return s[0] == '1' ? text_true : text_false;
        }
        cell_problem(p, "a true/false cell holds '%s'", csv_quote(s, n, q, sizeof q));
        return NULL;
    case T_ERR:
        cell_problem(p, "the cell holds the error %s (a formula failed: correct it or clear "
                     "the cell)", n ? csv_quote(s, n, q, sizeof q) : "value");
        return NULL;
    case T_STR:
    case T_INLINE:
        if (xlsx_maybe_escape(s, n)) {   /* undone in the buffer */
            if (s != p->buf) {
                if (n + 1 > p->balloc && array_grow((void **)&p->buf, &p->balloc, n + 1, 1) != 0) {
                    sheet_nomem(p);
                    return NULL;
                }
                memcpy(p->buf, s, n);
                p->buf[n] = '\0';
                s = p->buf;
            }
            xlsx_unescape(p->buf, &n);
        }
        *len = n;
        return n ? keep_text(p, s, n) : NULL;
    case T_DATE:
        *len = n;
        return keep_text(p, s, n);
    case T_UNKNOWN:
        break;
    }
    cell_problem(p, "unknown cell type '%s'", p->tname);
    return NULL;
}

/* The cell ends with the text s[0..n) (cell_value says what s is). */
static void cell_done(struct xlsx_sheet *p, const char *text, size_t n)
{
    p->in_cell = p->in_v = p->in_t = p->rph = 0;
    int styled;
    char *s = cell_value(p, text, n, &n, &styled);
    if (!s || n == 0 || p->x.stopped)
        return;
    struct xlsx_table *t = p->t;
    if (p->header && (size_t)p->at.col > t->width) {
        char last[8];
        cell_problem(p, "a value right of the header (the header row ends at column %s)",
                     diag_column_name((long)t->width, last));
        return;
    }
    if (!p->header && reserve_cells(p, (size_t)p->at.col) != 0)
        return;
    size_t k = p->row_first + (size_t)p->at.col - 1;
    t->s[k] = s;
    t->len[k] = n;
    p->row_last = p->at.col;
    if (styled) {
        if (array_grow((void **)&t->styled, &t->astyled, t->nstyled + 1, sizeof *t->styled) != 0) {
            sheet_nomem(p);
            return;
        }
        t->styled[t->nstyled++] = (struct xlsx_styled){k, p->style, p->at.row, p->at.col};
    }
}

void xlsx_sheet_cell_end(struct xlsx_sheet *p)
{
    if (p->buf)
        p->buf[p->blen] = '\0';
    cell_done(p, p->buf ? p->buf : "", p->blen);
}

void xlsx_sheet_cell_text(struct xlsx_sheet *p, const char *s, size_t n, int is)
{
    if (n > p->x.b->lim.max_cell) {
        cell_too_long(p);
        return;
    }
    if (is)
        p->has_is = 1;
    else
        p->has_v = 1;
    cell_done(p, s, n);
}

/* Dates in the cells that styles show as dates: the kept numbers of cells
 * with a style, once the rows are read; the styles part is read only when
 * there are such cells (a plain export has none). A date's text replaces
 * its number's in the count of the text held (lim.max_text), whose bytes
 * stay in their block. 0, or -1 after reporting. */
static int styled_dates(struct xlsx_book *b, struct xlsx_table *t, const char *sheet)
{
    if (t->nstyled == 0)
        return 0;
    if (xlsx_read_styles(b) != 0)
        return -1;
    for (size_t i = 0; i < t->nstyled; i++) {
        const struct xlsx_styled *c = &t->styled[i];
        const struct xlsx_at at = {sheet, c->row, c->col};
        char date[32];
        size_t dl, was = t->len[c->k] + 1;   /* the number's bytes, which no longer count */
        if ((size_t)c->style >= b->nxf || !b->xf_date[c->style] ||
            (dl = date_text(strtod(t->s[c->k], NULL), b->date1904, date)) == 0)
            continue;
        if (t->text.total - was + dl + 1 > b->lim.max_text) {
            xlsx_error(b, &at, LCME_ELIMIT, "the sheet holds more than the %zu MiB of text a "
                       "workbook may", b->lim.max_text >> 20);
            return -1;
        }
        char *k = xlsx_text_add(&t->text, date, dl);
        if (!k) {
            xlsx_error(b, &at, LCME_ENOMEM, "out of memory");
            return -1;
        }
        t->text.total -= was;
        t->s[c->k] = k;
        t->len[c->k] = dl;
    }
    return 0;
}

/* ---- the handlers ------------------------------------------------------- */

/* The elements the sheet's handlers act on, told apart by their local name
 * without a string comparison each: they are called for every cell. */
enum elem { E_OTHER, E_C, E_V, E_F, E_IS, E_T, E_RPH, E_ROW, E_SHEETDATA };

static enum elem elem_of(const char *name)
{
    const char *n = name;
    if (name[1]) {   /* a one-letter name (c, v, t, f) has no prefix */
        for (const char *q = name; *q; q++)   /* the local name, after any prefix */
            if (*q == ':')
                n = q + 1;
    }
    switch (n[0]) {
    case 'c': return n[1] ? E_OTHER : E_C;
    case 'v': return n[1] ? E_OTHER : E_V;
    case 'f': return n[1] ? E_OTHER : E_F;
    case 't': return n[1] ? E_OTHER : E_T;
    case 'i': return n[1] == 's' && !n[2] ? E_IS : E_OTHER;
    case 'r':
        if (strcmp(n, "row") == 0)
            return E_ROW;
        return strcmp(n, "rPh") == 0 ? E_RPH : E_OTHER;
    case 's': return strcmp(n, "sheetData") == 0 ? E_SHEETDATA : E_OTHER;
    default: return E_OTHER;
    }
}

/* The rows after <sheetData> to the scanner (xlsx_handoff): 0 when it read
 * them, to </sheetData> (*used bytes); 1 when it declined, with the table
 * and the parse as they were, for the reader to read them again. */
static int sheet_rest(struct xlsx_pctx *ctx, const char *s, size_t n, size_t *used)
{
    struct xlsx_sheet *p = (struct xlsx_sheet *)ctx;   /* ctx is its first member */
    struct xlsx_table *t = p->t;
    struct xlsx_sheet saved = *p;
    size_t ncell = t->ncell, nrec = t->nrec, width = t->width, nstyled = t->nstyled;
    struct xlsx_text_mark m = xlsx_text_tell(&t->text);
    p->scanning = 1;
    int r = xlsx_scan_rows(p, s, n, used);
    p->scanning = 0;
    if (r == 0) {
        p->scanned = 1;
        return 0;
    }
    saved.buf = p->buf;   /* the cell buffer may have moved */
    saved.balloc = p->balloc;
    *p = saved;
    t->ncell = ncell;
    t->nrec = nrec;
    t->width = width;
    t->nstyled = nstyled;
    xlsx_text_rewind(&t->text, m);
    return 1;
}

static void sheet_start(void *ud, const char *name, const char **atts)
{
    struct xlsx_sheet *p = ud;
    if (p->x.stopped)
        return;
    enum elem e = elem_of(name);
    if (p->in_cell) {
        if (e == E_V) {
            p->in_v = p->has_v = 1;
            p->blen = 0;
        } else if (e == E_F) {
            p->has_f = 1;
        } else if (e == E_IS) {
            p->has_is = 1;
            p->blen = 0;
        } else if (e == E_RPH) {
            p->rph++;
        } else if (e == E_T && p->has_is && !p->rph) {
            p->in_t = 1;
        }
    } else if (p->in_row) {
        if (e == E_C) {
            const char *r, *t, *s;
            cell_attrs(atts, &r, &t, &s);
            xlsx_sheet_cell(p, r, r ? strlen(r) : 0, t, t ? strlen(t) : 0, s, s ? strlen(s) : 0);
        }
    } else if (p->in_data) {
        if (e == E_ROW) {
            const char *r = xlsx_attr(atts, "r");
            xlsx_sheet_row(p, r, r ? strlen(r) : 0);
        }
    } else if (e == E_SHEETDATA) {
        p->in_data = 1;
        size_t n = strlen(name);
        if (p->scan && n < sizeof p->data_name) {   /* the rows, the short way */
            memcpy(p->data_name, name, n + 1);
            xlsx_handoff(&p->x, sheet_rest);
        }
    }
}

static void sheet_end(void *ud, const char *name)
{
    struct xlsx_sheet *p = ud;
    if (p->x.stopped)
        return;
    enum elem e = elem_of(name);
    if (p->in_cell) {
        if (e == E_C)
            xlsx_sheet_cell_end(p);
        else if (e == E_V)
            p->in_v = 0;
        else if (e == E_T)
            p->in_t = 0;
        else if (e == E_RPH && p->rph)
            p->rph--;
    } else if (p->in_row) {
        if (e == E_ROW)
            xlsx_sheet_row_end(p);
    } else if (p->in_data && e == E_SHEETDATA) {
        p->in_data = 0;
        p->at.row = 0;      /* a message from here on points at the part alone */
        xlsx_done(&p->x);   /* what follows the cells (validations, ...) is only checked */
    }
}

void xlsx_sheet_text(void *ud, const char *s, int len)
{
    struct xlsx_sheet *p = ud;
    if ((!p->in_v && !p->in_t) || p->x.stopped)
        return;
    size_t need = p->blen + (size_t)len;
    if (need > p->x.b->lim.max_cell) {
        cell_too_long(p);
        return;
    }
    if (need + 1 > p->balloc &&
        array_grow((void **)&p->buf, &p->balloc, need + 1, 1) != 0) {
        sheet_nomem(p);
        return;
    }
    memcpy(p->buf + p->blen, s, (size_t)len);
    p->blen = need;
}

/* ---- the table as records ----------------------------------------------- */

static int table_next(void *ctx, struct csv *c, struct diag *d)
{
    (void)d;
    struct xlsx_table *t = ctx;
    if (t->next >= t->nrec)
        return t->problems ? -1 : 0;
    const struct xlsx_rec *r = &t->rec[t->next++];
    c->f = &t->s[r->first];
    c->flen = &t->len[r->first];
    c->quoted = t->zeros;
    c->nf = t->width;
    c->line_no = r->row;
    return 1;
}

static void table_free(void *ctx)
{
    struct xlsx_table *t = ctx;
    if (!t)
        return;
    free(t->s);
    free(t->len);
    free(t->rec);
    free(t->zeros);
    free(t->styled);
    xlsx_text_free(&t->text);
    free(t);
}

int xlsx_sheet_read(struct xlsx_book *b, size_t k, struct csv **out)
{
    const struct xlsx_sheetref *ref = &b->sheet[k];
    struct xlsx_table *t = calloc(1, sizeof *t);
    struct xlsx_sheet p;
    memset(&p, 0, sizeof p);
    if (!t) {
        xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
        return -1;
    }
    t->text = b->text;   /* the shared strings move with the records */
    memset(&b->text, 0, sizeof b->text);
    p.t = t;
    p.at.sheet = ref->name;
    p.scan = (b->scan & XLSX_SCAN_ROWS) != 0;
    const struct xlsx_handlers h = {sheet_start, sheet_end, xlsx_sheet_text};
    int rc = xlsx_parse_part(&p.x, b, &p.at, ref->part, b->lim.max_part, &h);
    b->scanned = p.scanned;
    free(p.buf);
    if (rc > 0)
        xlsx_error(b, NULL, LCME_EINPUT, "the sheet '%s' is listed in the workbook but its "
                   "part '%s' is missing from the package", ref->name, ref->part);
    if (rc == 0 && styled_dates(b, t, ref->name) != 0)
        rc = -1;
    if (rc == 0 && !(t->zeros = calloc(t->width + 1, 1))) {
        xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
        rc = -1;
    }
    if (rc != 0) {
        table_free(t);
        return -1;
    }
    t->problems = b->problems;
    struct csv_source src = {table_next, table_free, t, t->nrec};
    return csv_open_source(out, b->file, ref->name, &src, b->d);
}
