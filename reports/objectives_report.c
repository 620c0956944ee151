/* objectives_report.c: an action plan's rows as words, for the report,
 * the charts and the workbook (objectives_report.h). Formatting only: the
 * rounding of a projected year up to a whole year is the one arithmetic
 * done here.
 */
#include "objectives_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DASH "\xE2\x80\x93"
#define MINUS "\xE2\x88\x92"

const char *objectives_num(char *buf, size_t len, double v, int with_sign)
{
    if (!isfinite(v)) {
        snprintf(buf, len, DASH);
        return buf;
    }
    double a = fabs(v);
    int dec = a >= 100 ? 0 : a >= 10 ? 1 : 2;
    const char *sign = v < 0 ? MINUS : with_sign ? "+" : "";
    if (v < 0 && a < 0.5 * pow(10, -dec))
        sign = with_sign ? "+" : "";   /* "-0.00" reads as nothing */
    snprintf(buf, len, "%s%.*f", sign, dec, a);
    return buf;
}

/* A stream writing into buf (len bytes, always NUL-terminated when
 * closed with text_close, cut when full): sentences are composed with
 * fprintf. NULL when it cannot be opened (buf is then ""). */
static FILE *text_open(char *buf, size_t len)
{
    buf[0] = '\0';
    return len > 1 ? fmemopen(buf, len - 1, "w") : NULL;
}

static const char *text_close(FILE *f, char *buf, size_t len)
{
    if (f) {
        long n = ftell(f);
        fclose(f);
        buf[n >= 0 && (size_t)n < len ? (size_t)n : len - 1] = '\0';
    }
    return buf;
}

const char *objectives_title(const struct report_input *in, const struct objective_row *rw,
                             char *buf, size_t len)
{
    const struct plan_objective *o = &in->objectives->plan->obj[rw->obj];
    const struct fw_node *nd = &in->fw->node[rw->node];
    FILE *f = text_open(buf, len);
    if (!f)
        return buf;
    if (nd->name && nd->name[0] && strcmp(nd->name, nd->code) != 0)
        fprintf(f, "%s (%s)", nd->name, nd->code);
    else
        fputs(nd->code, f);
    if (o->label[0])
        fprintf(f, ", %s", o->label);
    fprintf(f, " (%d)", o->year);
    if (o->owner[0])
        fprintf(f, ", %s", o->owner);
    return text_close(f, buf, len);
}

/* "24.8 [22.2–27.9]", or without the interval when it has none. */
static const char *with_iv(const struct objective_row *rw, char *buf, size_t len)
{
    char a[32], b[32], c[32];
    objectives_num(a, sizeof a, rw->latest, 0);
    if (isfinite(rw->latest_low) && isfinite(rw->latest_high) &&
        rw->latest_low != rw->latest_high)
        snprintf(buf, len, "%s [%s" DASH "%s]", a, objectives_num(b, sizeof b, rw->latest_low, 0),
                 objectives_num(c, sizeof c, rw->latest_high, 0));
    else
        snprintf(buf, len, "%s", a);
    return buf;
}

/* The paces: what is needed from now against what was observed, and when
 * the observed pace would reach the target. */
static void paces(FILE *f, const struct plan_objective *o, const struct objective_row *rw)
{
    char a[32], b[32];
    const struct objective_progress *pr = &rw->pr;
    int said = 1;
    if (isfinite(pr->required))
        fprintf(f, " Getting there by %d needs %s a year from now", o->year,
                objectives_num(a, sizeof a, pr->required, 1));
    else if (o->year < rw->latest_year)
        fprintf(f, " The target year %d has passed", o->year);
    else if (o->year == rw->latest_year)
        fprintf(f, " %d is the target year", o->year);
    else
        said = 0;
    const char *lead = said ? "; t" : " T";
    if (isfinite(pr->observed))
        fprintf(f, "%she observed change is %s a year", lead,
                objectives_num(b, sizeof b, pr->observed, 1));
    else
        fprintf(f, "%soo few years for an observed change", lead);
    if (isfinite(pr->projected))
        fprintf(f, ", which would reach the target by %.0f.", ceil(pr->projected - 1e-9));
    else if (isfinite(pr->observed))
        fputs(", which does not lead to the target.", f);
    else
        fputc('.', f);
}

const char *objectives_sentence(const struct report_input *in,
                                const struct objective_row *rw, char *buf, size_t len)
{
    const struct plan_objective *o = &in->objectives->plan->obj[rw->obj];
    const struct objective_progress *pr = &rw->pr;
    char v[128], t[32], p[32], g[32], x[32];
    FILE *f = text_open(buf, len);
    if (!f)
        return buf;
    objectives_num(t, sizeof t, o->target, 0);
    if (rw->latest_year)
        with_iv(rw, v, sizeof v);
    if (!rw->latest_year) {
        fprintf(f, "Target %s by %d; no status: %s.", t, o->year, rw->reason);
    } else if (pr->status == OBJECTIVE_NONE) {
        fprintf(f, "%s in %d, target %s by %d; no status: %s.", v, rw->latest_year, t,
                o->year, rw->reason);
    } else if (pr->status == OBJECTIVE_ACHIEVED) {
        fprintf(f, "%s in %d: the target %s (by %d) is reached.", v, rw->latest_year, t,
                o->year);
    } else {
        fprintf(f, "%s in %d against %s planned on the path from %s in %d to %s in %d: %s", v,
                rw->latest_year, objectives_num(p, sizeof p, pr->planned, 0),
                objectives_num(x, sizeof x, rw->baseline, 0), rw->baseline_year, t, o->year,
                objective_status_name(pr->status));
        if (pr->status == OBJECTIVE_ON_TRACK)
            fprintf(f, ", %s ahead of the path.", objectives_num(g, sizeof g, pr->gap, 0));
        else if (pr->status == OBJECTIVE_MOVING_AWAY)
            fprintf(f, " from the target (worse than in %d).", rw->baseline_year);
        else
            fprintf(f, ", %s short of the path.", objectives_num(g, sizeof g, -pr->gap, 0));
        paces(f, o, rw);
    }
    return text_close(f, buf, len);
}

size_t objectives_unit_rows(const struct report_input *in, size_t u, size_t *out)
{
    size_t n = 0;
    for (size_t i = 0; in->objectives && i < in->objectives->n; i++)
        if (in->objectives->row[i].unit == u)
            out[n++] = i;
    return n;
}
