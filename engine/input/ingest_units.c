/* ingest_units.c: the units file: unit (or uCode), name (or uName), and any
 * attribute columns (name_zh, region, ...), one row per unit.
 *
 * A unit may appear once; an empty code is an error. Names given here
 * replace names known from earlier files, and once the file is committed the
 * units are fixed: a data row naming any other unit is an error. Like a data
 * file, the file is committed whole or not at all.
 *
 * Invariants: units_fixed is set only after a clean commit; a later units
 * file may still add units (units_fixed is lifted while it stages them).
 */
#include <stdlib.h>

#include "ingest_int.h"

/* What each column of the header is. */
struct units_cols {
    long ucol, ncol;         /* 1-based; 0 when absent */
    int *acol;               /* [width]: attribute index, -1 for none */
};

/* Classify every header column, reporting duplicates, empty names and a
 * missing unit column. */
static void units_header(struct ingest_stage *g, struct units_cols *h)
{
    struct csv *c = g->c;
    char q[64];
    for (size_t i = 0; i < c->nf; i++) {
        h->acol[i] = -1;
        const char *f = c->f[i];
        size_t fl = c->flen[i];
        long cc = (long)i + 1;
        if (csv_name_is(f, fl, "unit") || csv_name_is(f, fl, "uCode")) {
            if (h->ucol) {
                csv_error(c, g->d, cc, "duplicate unit column '%s'",
                          csv_quote(f, fl, q, sizeof q));
                g->errors++;
            }
            h->ucol = cc;
        } else if (csv_name_is(f, fl, "name") || csv_name_is(f, fl, "uName")) {
            if (h->ncol) {
                csv_error(c, g->d, cc, "duplicate name column '%s'",
                          csv_quote(f, fl, q, sizeof q));
                g->errors++;
            }
            h->ncol = cc;
        } else if (csv_blank(f, fl)) {
            csv_error(c, g->d, cc, "empty column name in the header");
            g->errors++;
        } else {
            for (size_t j = 0; j < i; j++)
                if (h->acol[j] >= 0 && csv_name_is(c->f[j], c->flen[j], f)) {
                    csv_error(c, g->d, cc, "duplicate column '%s'",
                              csv_quote(f, fl, q, sizeof q));
                    g->errors++;
                }
            h->acol[i] = ingest_stage_attr_name(g, f);
        }
    }
    if (!h->ucol) {
        csv_error(c, g->d, 1, "no 'unit' column (nor COINr's 'uCode') in the units header");
        g->errors++;
    }
}

/* Units seen so far in this file, for reporting a repeated one. */
struct units_seen {
    struct strmap *code;     /* code -> index into line */
    long *line;
    size_t n, alloc;
};

/* Check and stage the current row. Returns 0, or -1 when memory ran out. */
static int units_row(struct ingest_stage *g, const struct units_cols *h,
                     struct units_seen *seen)
{
    struct csv *c = g->c;
    const char *code = c->f[h->ucol - 1];
    size_t cl = c->flen[h->ucol - 1];
    if (csv_blank(code, cl)) {
        csv_error(c, g->d, h->ucol, "empty unit code");
        g->errors++;
        return 0;
    }
    int prev = strmap_get(seen->code, code, cl);
    if (prev >= 0) {
        char q[64];
        csv_error(c, g->d, h->ucol, "duplicate unit '%s' (first on line %ld)",
                  csv_quote(code, cl, q, sizeof q), seen->line[prev]);
        g->errors++;
        return 0;
    }
    if (GROW(seen->line, seen->n, seen->alloc) != 0 ||
        strmap_put(seen->code, code, cl, (int)seen->n) != 0) {
        ingest_stage_nomem(g);
        return -1;
    }
    seen->line[seen->n++] = c->line_no;
    /* a units file may add units even after an earlier one fixed them */
    int saved = g->s->units_fixed;
    g->s->units_fixed = 0;
    int u = ingest_stage_unit(g, code, cl, h->ucol);
    g->s->units_fixed = saved;
    if (u < 0)
        return 0;
    if (h->ncol)
        ingest_stage_name(g, u, c->f[h->ncol - 1]);
    for (size_t i = 0; i < c->nf; i++)
        if (h->acol[i] >= 0)
            ingest_stage_attr(g, u, h->acol[i], c->f[i]);
    return 0;
}

/* Read the rows after the header. Returns what the last csv_next did (0 at
 * the end, -1 on a malformed file). */
static int units_rows(struct ingest_stage *g, const struct units_cols *h, size_t width)
{
    struct units_seen seen = {strmap_new(), NULL, 0, 0};
    if (!seen.code) {
        ingest_stage_nomem(g);
        return 0;
    }
    int r = 0;
    while (!g->stop && (r = csv_next(g->c, g->d)) > 0) {
        if (csv_check_width(g->c, g->d, width) != 0) {
            g->errors++;
            continue;
        }
        if (units_row(g, h, &seen) != 0)
            break;
    }
    strmap_free(seen.code);
    free(seen.line);
    return r;
}

int ingest_units(struct obsset *s, const char *path, struct diag *d)
{
    struct ingest_stage g;
    struct units_cols h = {0, 0, NULL};
    int rc = -1;
    if (ingest_stage_init(&g, s, d) != 0) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if (csv_open(&g.c, path, d) != 0 || csv_header(g.c, d) <= 0)
        goto done;
    size_t width = g.c->nf;
    if (!(h.acol = calloc(width, sizeof *h.acol))) {
        ingest_stage_nomem(&g);
        goto done;
    }
    units_header(&g, &h);
    if (g.errors)
        goto done;
    int r = units_rows(&g, &h, width);
    if (r >= 0 && !g.errors && g.c->nrec == 1) {
        diag_input(d, path, 1, 1, "no data rows (only a header)");
        g.errors++;
    }
    if (r < 0 || g.errors)
        goto done;
    if (ingest_stage_commit(&g, NULL, 1) != 0) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    s->units_fixed = 1;
    rc = 0;
done:
    free(h.acol);
    ingest_stage_free(&g);
    return rc;
}
