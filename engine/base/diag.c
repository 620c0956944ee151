/* diag.c: the error record. Entries are kept up to a cap; beyond it only the
 * count grows, so a file with a million bad rows costs constant memory. A
 * place is FILE:LINE:COL in a text file and FILE:SHEET!CELL in a workbook's
 * sheet (diag_place). */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_msg[] = {
#define LCME_STATUS_STR(code, msg) msg,
    LCME_STATUS_LIST(LCME_STATUS_STR)
#undef LCME_STATUS_STR
};

const char *lcme_status_str(enum lcme_status st)
{
    size_t n = sizeof status_msg / sizeof status_msg[0];
    return (size_t)st < n ? status_msg[st] : "unknown status";
}

int lcme_status_exit(enum lcme_status st)
{
    switch (st) {
    case LCME_OK: return 0;
    case LCME_EINPUT: return 1;
    case LCME_ELIMIT: return 1;
    case LCME_EUSAGE: return 2;
    default: return 3;
    }
}

void diag_init(struct diag *d)
{
    memset(d, 0, sizeof *d);
    d->cap = DIAG_DEFAULT_CAP;
}

void diag_clear(struct diag *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
        free(d->v[i].sheet);
    }
    d->n = 0;
    d->total = 0;
    d->worst = LCME_OK;
}

void diag_free(struct diag *d)
{
    if (!d)
        return;
    diag_clear(d);
    free(d->v);
    d->v = NULL;
    d->alloc = 0;
}

void diag_vadd(struct diag *d, enum lcme_status st, const char *file, long line,
               long col, const char *fmt, va_list ap)
{
    diag_vadd_cell(d, st, file, NULL, line, col, fmt, ap);
}

void diag_vadd_cell(struct diag *d, enum lcme_status st, const char *file, const char *sheet,
                    long line, long col, const char *fmt, va_list ap)
{
    d->total++;
    if (d->worst == LCME_OK)
        d->worst = st;
    if (d->n >= d->cap)
        return;
    if (d->n == d->alloc) {
        size_t na = d->alloc ? d->alloc * 2 : 16;
        struct diag_entry *nv = realloc(d->v, na * sizeof *nv);
        if (!nv)
            return;
        d->v = nv;
        d->alloc = na;
    }
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    struct diag_entry *e = &d->v[d->n];
    e->status = st;
    e->file = file ? strdup(file) : NULL;
    e->line = line;
    e->col = col;
    e->msg = strdup(buf);
    e->sheet = sheet ? strdup(sheet) : NULL;
    if (!e->msg || (sheet && !e->sheet)) {
        free(e->file);
        free(e->msg);
        free(e->sheet);
        return;
    }
    d->n++;
}

void diag_add_cell(struct diag *d, enum lcme_status st, const char *file, const char *sheet,
                   long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd_cell(d, st, file, sheet, line, col, fmt, ap);
    va_end(ap);
}

void diag_add(struct diag *d, enum lcme_status st, const char *file, long line,
              long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, st, file, line, col, fmt, ap);
    va_end(ap);
}

char *diag_column_name(long col, char buf[8])
{
    char tmp[8];
    int n = 0;
    if (col < 1 || col > 16384L * 26) {
        strcpy(buf, "?");
        return buf;
    }
    for (long c = col; c > 0 && n < 7; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

/* Whether a sheet name must be quoted in a cell reference: anything but
 * ASCII letters, digits, '_', '.' and UTF-8 letters' bytes, or a digit
 * first. */
static int sheet_needs_quotes(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
            return 1;
    return 0;
}

/* The sheet's name as a reference writes it: 'It''s here' for a name with
 * a quote in it. */
static void sheet_ref(const char *sheet, char *buf, size_t len)
{
    if (!sheet_needs_quotes(sheet)) {
        snprintf(buf, len, "%s", sheet);
        return;
    }
    size_t k = 0;
    if (len < 3) {
        buf[0] = '\0';
        return;
    }
    buf[k++] = '\'';
    for (const char *p = sheet; *p && k + 3 < len; p++) {
        if (*p == '\'')
            buf[k++] = '\'';
        buf[k++] = *p;
    }
    buf[k++] = '\'';
    buf[k] = '\0';
}

char *diag_place(const char *file, const char *sheet, long line, long col, char *buf,
                 size_t len)
{
    if (!file) {
        if (len)
            buf[0] = '\0';
        return buf;
    }
    if (sheet && line > 0) {
        char ref[256], letters[8];
        sheet_ref(sheet, ref, sizeof ref);
        if (col > 0)
            snprintf(buf, len, "%s:%s!%s%ld", file, ref, diag_column_name(col, letters), line);
        else
            snprintf(buf, len, "%s:%s!%ld:%ld", file, ref, line, line);
    } else if (line > 0 && col > 0) {
        snprintf(buf, len, "%s:%ld:%ld", file, line, col);
    } else if (line > 0) {
        snprintf(buf, len, "%s:%ld", file, line);
    } else {
        snprintf(buf, len, "%s", file);
    }
    return buf;
}

char *diag_format(const struct diag *d, size_t i, char *buf, size_t len)
{
    const struct diag_entry *e = &d->v[i];
    if (!e->file) {
        snprintf(buf, len, "error: %s", e->msg);
        return buf;
    }
    char place[2048];
    diag_place(e->file, e->sheet, e->line, e->col, place, sizeof place);
    snprintf(buf, len, "%s: error: %s", place, e->msg);
    return buf;
}

void diag_sort(struct diag *d)
{
    /* Insertion sort: stable, and the kept entries are at most cap (100). */
    for (size_t i = 1; i < d->n; i++) {
        struct diag_entry t = d->v[i];
        size_t j = i;
        while (j > 0) {
            const struct diag_entry *p = &d->v[j - 1];
            int c = strcmp(p->file ? p->file : "", t.file ? t.file : "");
            if (c < 0 || (c == 0 && (p->line < t.line || (p->line == t.line && p->col <= t.col))))
                break;
            d->v[j] = d->v[j - 1];
            j--;
        }
        d->v[j] = t;
    }
}
