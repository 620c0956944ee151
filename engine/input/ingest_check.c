/* ingest_check.c: the checks of one data row that both layouts make: its
 * unit and year (not after the evaluation year when the caller set one),
 * its indicator code, and its numbers (parsed strictly, within
 * +-INGEST_MAX_ABS, the value inside the indicator's declared [min, max]).
 *
 * Every check reports its own problem at the row's line and the column of
 * the field at fault, counts it in g->errors and returns -1 (or sets *bad),
 * so a row shows all its problems at once and the caller only decides
 * whether an observation is staged.
 *
 * Invariants: a check reports at most one problem per field; only
 * ingest_unit_year stages anything (a unit seen for the first time).
 */
#include <math.h>
#include <stdlib.h>

#include "ingest_int.h"

int ingest_value(struct ingest_stage *g, long col, double *v)
{
    struct csv *c = g->c;
    char msg[256];
    enum csv_num st = csv_parse_double(c->f[col - 1], c->flen[col - 1], v, msg, sizeof msg);
    if (st == CSV_NUM_MISSING)
        return 1;
    if (st == CSV_NUM_BAD) {
        csv_error(c, g->d, col, "%s", msg);
        g->errors++;
        return -1;
    }
    if (fabs(*v) > INGEST_MAX_ABS) {
        csv_error(c, g->d, col, "%.15g is beyond +-%g, too large for an indicator's numbers "
                  "(check the column's units)", *v, INGEST_MAX_ABS);
        g->errors++;
        *v = NAN;
        return -1;
    }
    return 0;
}

double ingest_opt_num(struct ingest_stage *g, long col, int *bad)
{
    if (!col)
        return NAN;
    double v;
    if (ingest_value(g, col, &v) < 0)
        *bad = 1;
    return v;   /* NaN when missing or bad */
}

int ingest_check_range(struct ingest_stage *g, const struct framework *fw, int ind, double v,
                       long col)
{
    if (ind >= fw->nind)
        return 0;
    const struct fw_node *nd = &fw->node[ind];
    if (v < nd->min) {
        csv_error(g->c, g->d, col, "value %.15g is below the minimum %.15g declared for '%s'",
                  v, nd->min, nd->code);
        g->errors++;
        return -1;
    }
    if (v > nd->max) {
        csv_error(g->c, g->d, col, "value %.15g is above the maximum %.15g declared for '%s'",
                  v, nd->max, nd->code);
        g->errors++;
        return -1;
    }
    return 0;
}

int ingest_indicator(struct ingest_stage *g, const struct framework *fw,
                     const struct ingest_codes *cd, const char *code, size_t len, long col)
{
    int i = strmap_get(fw->index, code, len);
    if (i >= 0 && i < fw->nind)
        return i;
    char q[64];
    csv_quote(code, len, q, sizeof q);
    if (i >= 0) {
        csv_error(g->c, g->d, col,
                  "'%s' is an aggregate of the framework; data are given for indicators only",
                  q);
    } else if ((i = strmap_get(cd->denom, code, len)) >= 0) {
        return fw->nnode + i;
    } else if (strmap_get(cd->group, code, len) >= 0) {
        csv_error(g->c, g->d, col,
                  "'%s' is a Group column of the framework, not an indicator", q);
    } else if (len == 0) {
        csv_error(g->c, g->d, col, "empty indicator code");
    } else {
        csv_error(g->c, g->d, col, "unknown indicator '%s' (not in the framework)", q);
    }
    g->errors++;
    return -1;
}

int ingest_unit_year(struct ingest_stage *g, long ucol, long ycol, int *u, int *year)
{
    struct csv *c = g->c;
    const char *code = c->f[ucol - 1];
    size_t cl = c->flen[ucol - 1];
    int bad = 0;
    if (csv_blank(code, cl)) {
        csv_error(c, g->d, ucol, "empty unit code");
        g->errors++;
        bad = 1;
    } else if ((*u = ingest_stage_unit(g, code, cl, ucol)) < 0) {
        bad = 1;
    }
    char msg[256];
    enum csv_num st = csv_parse_year(c->f[ycol - 1], c->flen[ycol - 1], year, msg, sizeof msg);
    if (st == CSV_NUM_MISSING) {
        csv_error(c, g->d, ycol, "empty year");
        g->errors++;
        bad = 1;
    } else if (st == CSV_NUM_BAD) {
        csv_error(c, g->d, ycol, "%s", msg);
        g->errors++;
        bad = 1;
    } else if (g->s->last_year && *year > g->s->last_year) {
        csv_error(c, g->d, ycol, "year %d is after the evaluation year %d of the batch", *year,
                  g->s->last_year);
        g->errors++;
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Values with a sample size, all in [0, 1], that make a percent indicator's
 * shares an error (ingest_check_proportions). */
#define SHARES_EVIDENCE 3

/* An observation the Monte Carlo stage draws as a survey proportion. */
static int is_proportion(const struct obs *o, const struct framework *fw)
{
    return o->ind >= 0 && o->ind < fw->nind && isfinite(o->n) && o->n > 0 &&
           !(isfinite(o->se) && o->se > 0);
}

/* The column of an indicator's values: the value column of a long file,
 * the indicator's own column of a wide one. */
static long col_of(const struct ingest_stage *g, int ind)
{
    if (!g->widx)
        return g->vcol;
    for (size_t j = 0; j < g->wwidth; j++)
        if (g->widx[j] == ind) return (long)j + 1;
    return 0;
}

void ingest_check_proportions(struct ingest_stage *g, const struct framework *fw)
{
    size_t ni = (size_t)fw->nind;
    /* per indicator: proportions seen, those in [0, 1], and the first one of
     * them strictly inside */
    size_t *seen = calloc(ni + 1, sizeof *seen), *small = calloc(ni + 1, sizeof *small);
    long *first = calloc(ni + 1, sizeof *first);
    if (!seen || !small || !first) {
        free(seen);
        free(small);
        free(first);
        ingest_stage_nomem(g);
        return;
    }
    size_t pct_seen = 0, pct_small = 0;   /* over every percent indicator */
    for (size_t k = 0; k < g->nobs; k++) {
        const struct obs *o = &g->obs[k];
        if (!is_proportion(o, fw)) continue;
        const struct fw_node *nd = &fw->node[o->ind];
        int pct = framework_unit_is_percent(nd->unit);
        double hi = pct ? 100.0 : 1.0;
        if (pct && (o->value < 0.0 || o->value > hi)) {
            diag_input(g->d, g->c->path, o->line, col_of(g, o->ind),
                         "value %.15g has a sample size but is not a percentage (0-100) "
                         "for '%s' (unit '%s')", o->value, nd->code, nd->unit);
            g->errors++;
            continue;
        }
        if (o->value < 0.0 || o->value > hi) continue;   /* not a proportion: exact */
        seen[o->ind]++;
        pct_seen += (size_t)pct;
        if (o->value <= 1.0) {
            small[o->ind]++;
            pct_small += (size_t)pct;
            if (!first[o->ind] && o->value > 0.0 && o->value < 1.0) first[o->ind] = o->line;
        }
    }
    int all_shares = pct_seen >= SHARES_EVIDENCE && pct_small == pct_seen;
    for (size_t i = 0; i < ni; i++) {
        const struct fw_node *nd = &fw->node[i];
        if (!seen[i] || small[i] != seen[i] || !first[i] ||
            !framework_unit_is_percent(nd->unit) ||
            (seen[i] < SHARES_EVIDENCE && !all_shares))
            continue;
        diag_input(g->d, g->c->path, first[i], col_of(g, (int)i),
                     "'%s' is in percent (unit '%s') but every value with a sample size in "
                     "this file is between 0 and 1: give shares in percent (x 100) or change "
                     "the unit", nd->code, nd->unit);
        g->errors++;
    }
    free(seen);
    free(small);
    free(first);
}
