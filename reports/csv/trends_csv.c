/* trends_csv.c: writes trends.csv (DESIGN.md "Outputs") from struct trends.
 *
 * Formats only: every number comes from trend_compute_all. Every write is
 * checked; the first failure stops the writer and is reported once, with
 * errno's text. Numbers are written with %.17g so they read back exactly;
 * LC_NUMERIC is "C" throughout lcme, so the decimal point is '.'.
 */
#include "trends_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "csvout.h"

/* A text cell: formula guard, then RFC 4180 quoting when needed. */
static int put_text(FILE *f, const char *s)
{
    if (!s)
        s = "";
    int guard = csvout_guarded(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote && fputc('"', f) == EOF)
        return -1;
    if (guard && fputc('\'', f) == EOF)
        return -1;
    for (const char *p = s; *p; p++) {
        if (quote && *p == '"' && fputc('"', f) == EOF)
            return -1;
        if (fputc((unsigned char)*p, f) == EOF)
            return -1;
    }
    if (quote && fputc('"', f) == EOF)
        return -1;
    return 0;
}

/* ",number" with NaN (or any non-finite value) as an empty cell. */
static int put_num(FILE *f, double x)
{
    if (!isfinite(x))
        return fputc(',', f) == EOF ? -1 : 0;
    return fprintf(f, ",%.17g", x) < 0 ? -1 : 0;
}

static int put_int(FILE *f, int present, int v)
{
    if (!present)
        return fputc(',', f) == EOF ? -1 : 0;
    return fprintf(f, ",%d", v) < 0 ? -1 : 0;
}

/* ",constant,indicators" of one change: 1 when it compares the published
 * scores (the same indicators at both ends), 0 when recomputed over the
 * indicators common to both; empty when there is no change. */
static int put_composition(FILE *f, const struct compare *cm, int kind, size_t k)
{
    const struct compare_change *ch = cm ? &cm->ch[kind] : NULL;
    int has = ch && ch->how[k] != COMPARE_NONE;
    return put_int(f, has, has && ch->how[k] == COMPARE_CONSTANT) ||
           put_int(f, has, has ? ch->nind[k] : 0);
}

static int put_row(FILE *f, const char *unit, const char *node,
                   const struct trends *tr, const struct compare *cm, size_t k)
{
    int has = tr->points[k] > 0 || tr->base_year[k] > 0;
    if (put_text(f, unit) || fputc(',', f) == EOF || put_text(f, node))
        return -1;
    if (put_int(f, has, tr->first_year[k]) || put_int(f, has, tr->last_year[k]) ||
        put_int(f, 1, tr->points[k]))
        return -1;
    const double num[] = {
        tr->slope[k], tr->slope_low[k], tr->slope_high[k], tr->sen_slope[k],
        tr->mk_s[k], tr->mk_z[k], tr->mk_p[k], tr->cagr[k],
        tr->change_since_base[k], tr->change_low[k], tr->change_high[k],
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        if (put_num(f, num[i]))
            return -1;
    if (fputc(',', f) == EOF || put_text(f, trend_class_name(tr->progress[k])))
        return -1;
    /* After the contract's columns: the base year, the change since the
     * year before the last, whether each change's interval excludes 0,
     * the target the progress class was judged against, and each change's
     * Monte Carlo p-value and Benjamini-Hochberg flag. The flags and
     * p-values are empty where the change is not assessed (computed from
     * exact observations only, or no replications). */
    int has_prev = tr->prev_year && tr->prev_year[k] > 0;
    int base_as = isfinite(tr->change_low[k]) && tr->change_assessed[k];
    int prev_as = has_prev && isfinite(tr->change_prev_low[k]) && tr->change_prev_assessed[k];
    if (put_int(f, has && tr->base_year[k] > 0, tr->base_year[k]) ||
        put_int(f, base_as, tr->change_excludes_zero[k]) ||
        put_int(f, has_prev, has_prev ? tr->prev_year[k] : 0) ||
        put_num(f, has_prev ? tr->change_prev[k] : NAN) ||
        put_num(f, has_prev ? tr->change_prev_low[k] : NAN) ||
        put_num(f, has_prev ? tr->change_prev_high[k] : NAN) ||
        put_int(f, prev_as, tr->change_prev_excludes_zero[k]) ||
        put_num(f, tr->target[k]) ||
        put_num(f, base_as ? tr->change_p[k] : NAN) ||
        put_int(f, base_as, tr->change_significant[k]) ||
        put_num(f, prev_as ? tr->change_prev_p[k] : NAN) ||
        put_int(f, prev_as, tr->change_prev_significant[k]) ||
        put_composition(f, tr->comparable ? cm : NULL, COMPARE_BASE, k) ||
        put_composition(f, tr->comparable && has_prev ? cm : NULL, COMPARE_PREV, k) ||
        fputc('\n', f) == EOF)
        return -1;
    return 0;
}

int trends_csv_write(const char *path, const struct report_input *in,
                     const struct trends *tr, struct diag *d)
{
    if (!in || !in->fw || !in->cube || !tr || in->fw->nnode < 0 ||
        tr->nnode != (size_t)in->fw->nnode || tr->nunit != in->cube->nunit) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0,
                 "trends.csv: trends, framework and cube sizes do not match");
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot open for writing: %s",
                 strerror(errno));
        return -1;
    }
    errno = 0;
    int bad = fputs("unit,node,first_year,last_year,points,slope,slope_low,"
                    "slope_high,sen_slope,mk_s,mk_z,mk_p,cagr,change_since_base,"
                    "change_low,change_high,progress,base_year,change_excludes_zero,"
                    "prev_year,change_since_prev,change_prev_low,change_prev_high,"
                    "change_prev_excludes_zero,target,change_p,change_significant,"
                    "change_prev_p,change_prev_significant,change_constant,"
                    "change_indicators,change_prev_constant,change_prev_indicators\n",
                    f) == EOF;
    const struct compare *cm = in->res ? in->res->compare : NULL;
    for (size_t u = 0; !bad && u < tr->nunit; u++)
        for (size_t node = 0; !bad && node < tr->nnode; node++)
            bad = put_row(f, in->cube->unit[u], in->fw->node[node].code, tr, cm,
                          TREND_AT(tr, node, u)) != 0;
    int err = errno;
    if (!bad && ferror(f)) {
        bad = 1;
        err = errno;
    }
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write: %s",
                 err ? strerror(err) : "write failed");
        return -1;
    }
    return 0;
}
