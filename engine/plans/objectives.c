/* objectives.c: progress against an action plan's objectives (see
 * objectives.h for the rule): objective_assess, the pure rule;
 * objectives_compute, which finds each row's values, years and interval and
 * applies it; and the Notes sentences.
 *
 * Invariants: a row left without a status has a reason; a row's interval
 * is the replications' for an aggregate, and for an indicator (judged in
 * raw units) its observation's own sampling interval; nothing here reads
 * the clock or depends on the order of anything but the plan and the cube.
 */
#include "objectives.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "trend.h"

static const char *const status_names[] = {
#define OBJECTIVE_STATUS_NAME(code, name) name,
    OBJECTIVE_STATUS_LIST(OBJECTIVE_STATUS_NAME)
#undef OBJECTIVE_STATUS_NAME
};

const char *objective_status_name(enum objective_status s)
{
    return (unsigned)s < OBJECTIVE_NSTATUS ? status_names[s] : "";
}

/* The reasons a row gives for what it leaves empty. */
static const char R_NO_LATEST[] = "no value up to the evaluation year";
static const char R_NO_BASELINE[] = "no value in the baseline year";
static const char R_BEFORE_BASELINE[] = "no value since the baseline year";
static const char R_TARGET_YEAR[] = "the target year is not after the baseline year";
static const char R_PER_YEAR[] =
    "aggregate scores normalised per year are not comparable across years: no planned "
    "path, pace or status";

/* ---- the rule -------------------------------------------------------------- */

static double amax(double a, double b)
{
    a = fabs(a);
    b = fabs(b);
    return a > b ? a : b;
}

/* The rounding tolerance of the rule: 1e-12 of the largest magnitude. */
static double rule_tol(double a, double b, double c)
{
    return 1e-12 * amax(amax(1, a), amax(b, c));
}

int objective_met(double target, double latest, int direction)
{
    double d = direction < 0 ? -1.0 : 1.0;
    return d * (latest - target) >= -rule_tol(target, latest, 0);
}

void objective_assess(const struct objective_input *in, struct objective_progress *out)
{
    const double T = in->target, xb = in->baseline, xl = in->latest;
    const double d = in->direction < 0 ? -1.0 : 1.0;
    const double L = in->latest_year, B = in->baseline_year, Y = in->target_year;
    const double lo = in->latest_low, hi = in->latest_high;
    const double tol = rule_tol(T, xb, xl);
    const int has_iv = isfinite(lo) && isfinite(hi);

    out->planned = L >= Y ? T : xb + (T - xb) * (L - B) / (Y - B);
    out->gap = d * (xl - out->planned) + 0.0;   /* + 0.0: no negative zero */
    struct trend_fit fit;
    out->observed = in->n >= 2 && trend_ols(in->t, in->y, NULL, in->n, 0.95, &fit) == 0
                        ? fit.slope
                        : NAN;
    int achieved = d * (xl - T) >= -tol;
    out->required = !achieved && Y > L ? (T - xl) / (Y - L) : NAN;
    out->projected = !achieved && isfinite(out->observed) && d * out->observed > 0
                         ? L + (T - xl) / out->observed
                         : NAN;
    /* the better end of the interval: the high end when higher is better */
    double better = d > 0 ? hi : lo;
    if (achieved)
        out->status = OBJECTIVE_ACHIEVED;
    else if (out->gap >= -tol)
        out->status = OBJECTIVE_ON_TRACK;
    else if (d * (xl - xb) < -tol && (!has_iv || d * (xb - better) > tol))
        out->status = OBJECTIVE_MOVING_AWAY;
    else if (has_iv && out->planned >= lo - tol && out->planned <= hi + tol)
        out->status = OBJECTIVE_BEHIND;
    else
        out->status = OBJECTIVE_OFF_TRACK;
}

/* ---- one row --------------------------------------------------------------- */

/* What every row reads. */
struct obj_ctx {
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    const struct results *res;
    int per_year;        /* indicators normalised per year */
    double *t, *y;       /* nyear each: a row's series */
};

/* Node k's value for unit u in year index t: raw for an indicator, the
 * score for an aggregate. */
static double value_at(const struct obj_ctx *x, int k, size_t t, size_t u)
{
    if (k < x->fw->nind)
        return x->c->value[CUBE_AT(x->c, k, t, u)];
    return x->res->score[RES_AT(x->res, k, t, u)];
}

/* Indicator i's interval for unit u in year index t, in raw units: the
 * observation's own sampling interval at the run's level, as the Monte Carlo
 * draws it (draws.h): x -/+ z se, or for a survey proportion with n the
 * Wilson interval, censored at the indicator's range; an exact value's is
 * the value itself. An interval from the replications' scores would carry
 * the normalisation bounds' uncertainty, which raw units do not have.
 * Returns 0 and [*lo, *hi], or -1 when there is no value. */
static int raw_interval(const struct obj_ctx *x, int i, size_t t, size_t u, double *lo,
                        double *hi)
{
    const struct cube *c = x->c;
    size_t k = CUBE_AT(c, i, t, u);
    double v = c->value[k], se = c->se[k], n = c->n[k];
    if (!isfinite(v))
        return -1;
    const struct fw_node *nd = &x->fw->node[i];
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - x->cfg->ci_level) / 2.0);
    double rlo = isnan(nd->min) ? -INFINITY : nd->min, rhi = isnan(nd->max) ? INFINITY : nd->max;
    *lo = *hi = v;
    if (isfinite(se) && se > 0) {
        *lo = v - z * se;
        *hi = v + z * se;
    } else if (isfinite(n) && n > 0) {
        double scale = framework_unit_is_percent(nd->unit) ? 100.0 : 1.0, p = v / scale;
        if (p >= 0.0 && p <= 1.0) {
            double z2 = z * z, den = 1.0 + z2 / n;
            double centre = (p + z2 / (2.0 * n)) / den;
            double half = z / den * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
            *lo = (centre - half) * scale;
            *hi = (centre + half) * scale;
            rlo = fmax(rlo, 0.0);
            rhi = fmin(rhi, scale);
        }
    }
    *lo = fmin(fmax(*lo, rlo), rhi);
    *hi = fmin(fmax(*hi, rlo), rhi);
    return 0;
}

/* The row's baseline year and value: the objective's baseline year, else
 * the batch's base year when the unit has a value then, else the first
 * year with one (as the trends choose theirs). */
static void row_baseline(const struct obj_ctx *x, const struct plan_objective *o,
                         struct objective_row *rw, size_t tl)
{
    const struct cube *c = x->c;
    int want = o->baseline_year ? o->baseline_year : x->cfg->base_year;
    int tb = cube_year_index(c, want);
    rw->baseline_year = want;
    rw->baseline = tb >= 0 ? value_at(x, rw->node, (size_t)tb, rw->unit) : NAN;
    if (o->baseline_year || isfinite(rw->baseline))
        return;
    for (size_t t = 0; t <= tl; t++) {
        double v = value_at(x, rw->node, t, rw->unit);
        if (isfinite(v)) {
            rw->baseline_year = c->year[t];
            rw->baseline = v;
            return;
        }
    }
}

/* Fill row rw (unit and objective set) and assess it when it can be. */
static void row_assess(const struct obj_ctx *x, const struct plan_objective *o,
                       struct objective_row *rw, size_t *raw_iv)
{
    const struct cube *c = x->c;
    int k = rw->node;
    rw->direction = k < x->fw->nind && x->fw->node[k].direction < 0 ? -1 : 1;
    rw->baseline = rw->latest = rw->latest_low = rw->latest_high = NAN;
    rw->pr = (struct objective_progress){NAN, NAN, NAN, NAN, NAN, OBJECTIVE_NONE};
    rw->reason = "";
    long tl = -1;
    for (size_t t = 0; t < c->nyear && c->year[t] <= x->cfg->year; t++)
        if (isfinite(value_at(x, k, t, rw->unit)))
            tl = (long)t;
    if (tl < 0) {
        rw->baseline_year = o->baseline_year ? o->baseline_year : x->cfg->base_year;
        rw->reason = R_NO_LATEST;
        return;
    }
    rw->latest_year = c->year[tl];
    rw->latest = value_at(x, k, (size_t)tl, rw->unit);
    if (k >= x->fw->nind && x->res->ci_low && x->res->ci_high) {
        rw->latest_low = x->res->ci_low[RES_AT(x->res, k, tl, rw->unit)];
        rw->latest_high = x->res->ci_high[RES_AT(x->res, k, tl, rw->unit)];
    } else if (k < x->fw->nind &&
               raw_interval(x, k, (size_t)tl, rw->unit, &rw->latest_low, &rw->latest_high) == 0 &&
               rw->latest_low < rw->latest_high) {
        (*raw_iv)++;
    }
    row_baseline(x, o, rw, (size_t)tl);
    if (!isfinite(rw->baseline))
        rw->reason = R_NO_BASELINE;
    else if (rw->latest_year < rw->baseline_year)
        rw->reason = R_BEFORE_BASELINE;
    else if (o->year <= rw->baseline_year)
        rw->reason = R_TARGET_YEAR;
    else if (k >= x->fw->nind && x->per_year)
        rw->reason = R_PER_YEAR;
    if (rw->reason[0]) {
        if (rw->reason != R_PER_YEAR && objective_met(o->target, rw->latest, rw->direction))
            rw->pr.status = OBJECTIVE_ACHIEVED;   /* no path needed to say so */
        return;
    }
    size_t n = 0;
    for (size_t t = 0; t <= (size_t)tl; t++) {
        double v = value_at(x, k, t, rw->unit);
        if (c->year[t] >= rw->baseline_year && isfinite(v)) {
            x->t[n] = c->year[t];
            x->y[n++] = v;
        }
    }
    struct objective_input in = {
        .target = o->target, .target_year = o->year, .direction = rw->direction,
        .baseline_year = rw->baseline_year, .baseline = rw->baseline,
        .latest_year = rw->latest_year, .latest = rw->latest,
        .latest_low = rw->latest_low, .latest_high = rw->latest_high,
        .t = x->t, .y = x->y, .n = n,
    };
    objective_assess(&in, &rw->pr);
}

/* ---- every row ------------------------------------------------------------- */

/* 1 when objective i applies to unit code: it names the unit, or it is a *
 * objective and no objective names the unit with the same node and year. */
static int applies(const struct plan *p, size_t i, const char *code)
{
    const struct plan_objective *o = &p->obj[i];
    if (strcmp(o->unit, code) == 0)
        return 1;
    if (strcmp(o->unit, PLAN_ALL_UNITS) != 0)
        return 0;
    for (size_t j = 0; j < p->n; j++)
        if (j != i && p->obj[j].inode == o->inode && p->obj[j].year == o->year &&
            strcmp(p->obj[j].unit, code) == 0)
            return 0;
    return 1;
}

/* The order of a unit's rows: by node, in the order the plan first names
 * it, then target year, then plan order. */
static int row_before(const struct plan *p, const struct objective_row *a,
                      const struct objective_row *b)
{
    size_t fa = a->obj, fb = b->obj;
    for (size_t i = 0; i < a->obj; i++)
        if (p->obj[i].inode == a->node) {
            fa = i;
            break;
        }
    for (size_t i = 0; i < b->obj; i++)
        if (p->obj[i].inode == b->node) {
            fb = i;
            break;
        }
    if (fa != fb)
        return fa < fb;
    if (p->obj[a->obj].year != p->obj[b->obj].year)
        return p->obj[a->obj].year < p->obj[b->obj].year;
    return a->obj < b->obj;
}

/* Insertion sort of one unit's rows (a plan has tens of objectives). */
static void sort_unit_rows(const struct plan *p, struct objective_row *r, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct objective_row x = r[i];
        size_t j = i;
        while (j > 0 && row_before(p, &x, &r[j - 1])) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
}

int objectives_compute(const struct config *cfg, const struct framework *fw,
                       const struct cube *c, const struct results *res,
                       const struct plan *plan, struct objectives **out, struct diag *d)
{
    *out = NULL;
    if (!res || res->nnode != (size_t)fw->nnode || res->nyear != c->nyear ||
        res->nunit != c->nunit || c->nind != (size_t)fw->nind) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "objectives: results, framework and cube sizes do not match");
        return -1;
    }
    struct objectives *o = calloc(1, sizeof *o);
    struct obj_ctx x = {cfg, fw, c, res, config_method(cfg, 1)->scope == SCOPE_PER_YEAR,
                        malloc((c->nyear + 1) * sizeof(double)),
                        malloc((c->nyear + 1) * sizeof(double))};
    size_t nrow = 0;
    for (size_t u = 0; u < c->nunit; u++)
        for (size_t i = 0; i < plan->n; i++)
            nrow += (size_t)applies(plan, i, c->unit[u]);
    if (!o || !x.t || !x.y || !(o->row = calloc(nrow + 1, sizeof *o->row))) {
        free(x.t);
        free(x.y);
        objectives_free(o);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "objectives: out of memory");
        return -1;
    }
    o->plan = plan;
    o->year = cfg->year;
    for (size_t u = 0; u < c->nunit; u++) {
        size_t first = o->n;
        for (size_t i = 0; i < plan->n; i++) {
            if (!applies(plan, i, c->unit[u]))
                continue;
            struct objective_row *rw = &o->row[o->n++];
            rw->obj = i;
            rw->unit = u;
            rw->node = plan->obj[i].inode;
            row_assess(&x, &plan->obj[i], rw, &o->raw_interval);
            o->status_count[rw->pr.status]++;
            o->no_interval += rw->pr.status != OBJECTIVE_NONE &&
                              !(rw->latest_low < rw->latest_high);
        }
        sort_unit_rows(plan, o->row + first, o->n - first);
    }
    free(x.t);
    free(x.y);
    *out = o;
    return 0;
}

void objectives_free(struct objectives *o)
{
    if (!o)
        return;
    free(o->row);
    free(o);
}
