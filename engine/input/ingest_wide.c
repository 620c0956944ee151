/* ingest_wide.c: the wide layout (COINr's iData), one row per unit and
 * year: unit (or uCode), name (or uName), year (or Time), then one column
 * per indicator or denominator code, and attribute columns (a framework
 * Group code, or an attribute the units file or an earlier file named).
 *
 * Any other column is an error, as is an aggregate's code. Each non-empty
 * indicator cell is one observation, without se or n; empty cells are none.
 * Duplicates are found once the whole file is read, and reported at the
 * column of their indicator.
 *
 * Invariants: rows are read only when every header column is a key,
 * indicator, denominator or attribute column, each indicator has one column,
 * and the unit and year columns are there.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

enum wkind { W_NONE, W_UNIT, W_NAME, W_YEAR, W_IND, W_ATTR };

/* What each column of the header is. */
struct wide_cols {
    enum wkind *kind;        /* [width] */
    int *idx;                /* [width]: W_IND: obs ind; W_ATTR: attribute index */
    long ucol, ncol, ycol;   /* key columns, 1-based; 0 when absent */
};

/* 1 when the set already has an attribute column of this name (from the
 * units file or an earlier data file). */
static int has_attr(const struct obsset *s, const char *h, size_t hl)
{
    for (size_t a = 0; a < s->nattr; a++)
        if (strlen(s->attr_name[a]) == hl && memcmp(s->attr_name[a], h, hl) == 0)
            return 1;
    return 0;
}

/* A key column (unit, name, year under either spelling): its kind, and the
 * slot in w that records where it is; W_NONE when h is no key column. */
static enum wkind wide_key(struct wide_cols *w, const char *h, size_t hl, long **slot)
{
    if (csv_name_is(h, hl, "unit") || csv_name_is(h, hl, "uCode")) {
        *slot = &w->ucol;
        return W_UNIT;
    }
    if (csv_name_is(h, hl, "name") || csv_name_is(h, hl, "uName")) {
        *slot = &w->ncol;
        return W_NAME;
    }
    if (csv_name_is(h, hl, "year") || csv_name_is(h, hl, "Time")) {
        *slot = &w->ycol;
        return W_YEAR;
    }
    return W_NONE;
}

/* Classify column i (not a key column): indicator, denominator, attribute,
 * or an error. */
static void wide_data_col(struct ingest_stage *g, const struct framework *fw,
                          const struct ingest_codes *cd, struct wide_cols *w, size_t i,
                          const char *q)
{
    const char *h = g->c->f[i];
    size_t hl = g->c->flen[i];
    long cc = (long)i + 1;
    int n = strmap_get(fw->index, h, hl);
    if (n >= 0 && n < fw->nind) {
        w->kind[i] = W_IND;
        w->idx[i] = n;
    } else if (n >= 0) {
        csv_error(g->c, g->d, cc,
                  "column '%s' is an aggregate of the framework; data are given for "
                  "indicators only", q);
        g->errors++;
    } else if ((n = strmap_get(cd->denom, h, hl)) >= 0) {
        w->kind[i] = W_IND;
        w->idx[i] = fw->nnode + n;
    } else if (strmap_get(cd->group, h, hl) >= 0 || has_attr(g->s, h, hl)) {
        w->kind[i] = W_ATTR;
        w->idx[i] = ingest_stage_attr_name(g, h);
    } else {
        csv_error(g->c, g->d, cc,
                  "column '%s' is neither an indicator of the framework, a Group or "
                  "Denominator column, nor a unit attribute", q);
        g->errors++;
    }
    if (w->kind[i] == W_IND)
        for (size_t j = 0; j < i; j++)
            if (w->kind[j] == W_IND && w->idx[j] == w->idx[i]) {
                csv_error(g->c, g->d, cc, "duplicate column '%s' (also column %zu)", q, j + 1);
                g->errors++;
            }
}

/* Classify every header column, reporting unknown and duplicate columns and
 * missing key columns. */
static void wide_header(struct ingest_stage *g, const struct framework *fw,
                        const struct ingest_codes *cd, struct wide_cols *w)
{
    struct csv *c = g->c;
    char q[64];
    for (size_t i = 0; i < c->nf; i++) {
        csv_quote(c->f[i], c->flen[i], q, sizeof q);
        long *slot = NULL;
        enum wkind k = wide_key(w, c->f[i], c->flen[i], &slot);
        if (k == W_NONE) {
            wide_data_col(g, fw, cd, w, i, q);
            continue;
        }
        if (*slot) {
            csv_error(c, g->d, (long)i + 1, "duplicate column '%s' (also column %ld)", q,
                      *slot);
            g->errors++;
        }
        *slot = (long)i + 1;
        w->kind[i] = k;
    }
    if (!w->ucol) {
        csv_error(c, g->d, 1, "no 'unit' column (nor COINr's 'uCode') in the header");
        g->errors++;
    }
    if (!w->ycol) {
        csv_error(c, g->d, 1, "no 'year' column (nor COINr's 'Time') in the header");
        g->errors++;
    }
}

/* Check the current row and stage its name, attributes and one observation
 * per non-empty indicator cell that passes. */
static void wide_row(struct ingest_stage *g, const struct framework *fw,
                     const struct wide_cols *w, size_t width)
{
    struct csv *c = g->c;
    int u = -1, year = 0;
    if (ingest_unit_year(g, w->ucol, w->ycol, &u, &year) != 0)
        return;
    if (w->ncol)
        ingest_stage_name(g, u, c->f[w->ncol - 1]);
    for (size_t i = 0; i < width && !g->stop; i++) {
        if (w->kind[i] == W_ATTR) {
            if (w->idx[i] >= 0)
                ingest_stage_attr(g, u, w->idx[i], c->f[i]);
            continue;
        }
        if (w->kind[i] != W_IND)
            continue;
        long cc = (long)i + 1;
        double v;
        if (ingest_value(g, cc, &v) != 0 || ingest_check_range(g, fw, w->idx[i], v, cc) != 0)
            continue;
        struct obs o = {u, w->idx[i], year, g->fileidx, c->line_no, v, NAN, NAN, NAN, NAN, 0};
        ingest_stage_obs(g, &o, cc);
    }
}

void ingest_read_wide(struct ingest_stage *g, const struct framework *fw,
                      const struct ingest_codes *cd)
{
    struct csv *c = g->c;
    size_t width = c->nf;
    struct wide_cols w = {calloc(width, sizeof *w.kind), calloc(width, sizeof *w.idx), 0, 0,
                          0};
    if (!w.kind || !w.idx) {
        ingest_stage_nomem(g);
        goto out;
    }
    wide_header(g, fw, cd, &w);
    if (g->errors)
        goto out;
    while (!g->stop && csv_next(c, g->d) > 0) {
        if (csv_check_width(c, g->d, width) != 0) {
            g->errors++;
            continue;
        }
        wide_row(g, fw, &w, width);
    }
    if (!g->stop) {
        /* duplicates are shown at their indicator's column */
        for (size_t i = 0; i < width; i++)
            if (w.kind[i] != W_IND)
                w.idx[i] = -1;
        g->widx = w.idx;
        g->wwidth = width;
        ingest_dedup(g, fw);
        ingest_check_proportions(g, fw);
        g->widx = NULL;
    }
out:
    free(w.kind);
    free(w.idx);
}
