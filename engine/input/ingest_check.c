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
