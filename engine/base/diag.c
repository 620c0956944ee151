/* diag.c: the error record. Entries are kept up to a cap; beyond it only the
 * count grows, so a file with a million bad rows costs constant memory. */
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
    if (!e->msg) {
        free(e->file);
        return;
    }
    d->n++;
}

void diag_add(struct diag *d, enum lcme_status st, const char *file, long line,
              long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, st, file, line, col, fmt, ap);
    va_end(ap);
}

char *diag_format(const struct diag *d, size_t i, char *buf, size_t len)
{
    const struct diag_entry *e = &d->v[i];
    if (e->file && e->line > 0 && e->col > 0)
        snprintf(buf, len, "%s:%ld:%ld: error: %s", e->file, e->line, e->col, e->msg);
    else if (e->file && e->line > 0)
        snprintf(buf, len, "%s:%ld: error: %s", e->file, e->line, e->msg);
    else if (e->file)
        snprintf(buf, len, "%s: error: %s", e->file, e->msg);
    else
        snprintf(buf, len, "error: %s", e->msg);
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
