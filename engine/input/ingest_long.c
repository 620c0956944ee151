/* ingest_long.c: the long layout, one observation a row:
 * unit (or uCode), year, indicator, value, and optionally se, n, lower,
 * upper, flag, source, name, in any order. The columns a data-entry
 * template adds (reports/template: unit_name, read as name, and the ones in
 * template_cols) are accepted, so a returned template reads as it is.
 *
 * A row with an empty value is no observation (and is not checked further
 * than its unit, year and indicator); any other row is staged only when all
 * its fields pass, and every problem in it is reported. Duplicates are found
 * once the whole file is read.
 *
 * Invariants: a staged observation has a unit, a year, an indicator (inside
 * its declared [min, max]) or a denominator, and, where given, se >= 0,
 * n > 0 and lower <= upper; rows are read only when the header has unit,
 * year, indicator and value columns and no unknown or repeated column.
 */
#include <math.h>

#include "ingest_int.h"

enum lcol { L_UNIT, L_YEAR, L_IND, L_VALUE, L_SE, L_N, L_LOWER, L_UPPER, L_FLAG,
            L_SOURCE, L_NAME, L_NCOL };
static const char *const lcol_name[L_NCOL] = {
    "unit", "year", "indicator", "value", "se", "n", "lower", "upper", "flag",
    "source", "name",
};

/* Columns of a data-entry template that are there for the person filling
 * it in: accepted and not read. */
static const char *const template_cols[] = {
    "indicator_name", "unit_of_measure", "previous_year", "previous_value", "comment",
};

static int is_template_col(const char *s, size_t len)
{
    for (size_t j = 0; j < sizeof template_cols / sizeof template_cols[0]; j++)
        if (csv_name_is(s, len, template_cols[j]))
            return 1;
    return 0;
}

int ingest_is_long(const struct csv *c)
{
    for (size_t i = 0; i < c->nf; i++)
        if (csv_name_is(c->f[i], c->flen[i], "indicator") ||
            csv_name_is(c->f[i], c->flen[i], "value"))
            return 1;
    return 0;
}

/* Map the header's columns into col[] (1-based, 0 when absent), reporting
 * unknown and duplicate columns and missing required ones. */
static void long_header(struct ingest_stage *g, long col[L_NCOL])
{
    struct csv *c = g->c;
    char q[64];
    for (size_t i = 0; i < c->nf; i++) {
        int k = -1;
        for (int j = 0; j < L_NCOL; j++)
            if (csv_name_is(c->f[i], c->flen[i], lcol_name[j]))
                k = j;
        if (k < 0 && (csv_name_is(c->f[i], c->flen[i], "uCode")))
            k = L_UNIT;
        if (k < 0 && (csv_name_is(c->f[i], c->flen[i], "unit_name")))
            k = L_NAME;
        if (k < 0 && is_template_col(c->f[i], c->flen[i]))
            continue;
        if (k < 0) {
            csv_error(c, g->d, (long)i + 1,
                      "unknown column '%s' (long format columns are unit, year, indicator, "
                      "value, se, n, lower, upper, flag, source, name)",
                      csv_quote(c->f[i], c->flen[i], q, sizeof q));
            g->errors++;
        } else if (col[k]) {
            csv_error(c, g->d, (long)i + 1, "duplicate column '%s' (also column %ld)",
                      csv_quote(c->f[i], c->flen[i], q, sizeof q), col[k]);
            g->errors++;
        } else {
            col[k] = (long)i + 1;
        }
    }
    for (int j = L_UNIT; j <= L_VALUE; j++)
        if (!col[j]) {
            csv_error(c, g->d, 1, "no '%s' column in the header (long format needs unit, "
                      "year, indicator and value)", lcol_name[j]);
            g->errors++;
        }
}

/* se, n, lower and upper must make sense together; sets *bad after
 * reporting each problem. */
static void long_check_error(struct ingest_stage *g, const long *col, const struct obs *o,
                             int *bad)
{
    struct csv *c = g->c;
    if (o->se < 0) {
        csv_error(c, g->d, col[L_SE], "negative standard error %.15g", o->se);
        g->errors++;
        *bad = 1;
    }
    if (o->n <= 0) {
        csv_error(c, g->d, col[L_N], "sample size n must be greater than 0, not %.15g", o->n);
        g->errors++;
        *bad = 1;
    }
    if (o->lower > o->upper) {
        csv_error(c, g->d, col[L_UPPER], "lower %.15g is greater than upper %.15g", o->lower,
                  o->upper);
        g->errors++;
        *bad = 1;
    }
}

/* Check the current row and stage its observation when it has one and all
 * its fields pass. */
static void long_row(struct ingest_stage *g, const struct framework *fw,
                     const struct ingest_codes *cd, const long *col)
{
    struct csv *c = g->c;
    int u = -1, year = 0, bad = 0;
    if (ingest_unit_year(g, col[L_UNIT], col[L_YEAR], &u, &year) != 0)
        bad = 1;
    long icol = col[L_IND];
    int ind = ingest_indicator(g, fw, cd, c->f[icol - 1], c->flen[icol - 1], icol);
    if (ind < 0)
        bad = 1;
    if (col[L_NAME] && u >= 0)
        ingest_stage_name(g, u, c->f[col[L_NAME] - 1]);
    long vcol = col[L_VALUE];
    double v;
    int st = ingest_value(g, vcol, &v);
    if (st > 0)
        return;   /* missing: not an observation */
    if (st < 0 || (ind >= 0 && ingest_check_range(g, fw, ind, v, vcol) != 0))
        bad = 1;
    struct obs o;
    o.unit = u;
    o.ind = ind;
    o.year = year;
    o.file = g->fileidx;
    o.line = c->line_no;
    o.value = v;
    o.se = ingest_opt_num(g, col[L_SE], &bad);
    o.n = ingest_opt_num(g, col[L_N], &bad);
    o.lower = ingest_opt_num(g, col[L_LOWER], &bad);
    o.upper = ingest_opt_num(g, col[L_UPPER], &bad);
    o.flag = 0;
    if (col[L_FLAG] && (o.flag = ingest_stage_flag(g, c->f[col[L_FLAG] - 1],
                                                   c->flen[col[L_FLAG] - 1])) < 0)
        bad = 1;
    long_check_error(g, col, &o, &bad);
    if (!bad)
        ingest_stage_obs(g, &o, vcol);
}

void ingest_read_long(struct ingest_stage *g, const struct framework *fw,
                      const struct ingest_codes *cd)
{
    struct csv *c = g->c;
    long col[L_NCOL] = {0};
    size_t width = c->nf;
    long_header(g, col);
    if (g->errors)
        return;
    while (!g->stop && csv_next(c, g->d) > 0) {
        if (csv_check_width(c, g->d, width) != 0) {
            g->errors++;
            continue;
        }
        long_row(g, fw, cd, col);
    }
    if (!g->stop) {
        g->vcol = col[L_VALUE];
        ingest_dedup(g, fw);
        ingest_check_proportions(g, fw);
    }
}
