/* objectives.h: progress against each objective of an action plan
 * (plan.h), for every unit it applies to, in the latest year (METHODS.md,
 * "Action plans").
 *
 * For an objective (target T in year Y, baseline year B) and a unit whose
 * value was x_B in B and is x_L in its latest year L (the last year up to
 * the evaluation year with a value), d the direction (+1 higher is better,
 * -1 lower is better):
 *
 *   planned   p(L) = x_B + (T - x_B)(L - B)/(Y - B), and T from Y on
 *   gap       d (x_L - p(L)): above 0 ahead of the plan, below 0 behind it
 *   status    achieved     d (x_L - T) >= 0
 *             on track     else gap >= 0
 *             moving away  else d (x_L - x_B) < 0 and x_B lies beyond x_L's
 *                          interval on the better side (any worsening when
 *                          x_L has no interval)
 *             behind       else p(L) lies inside x_L's interval
 *             off track    else (the whole interval falls short of p(L))
 *   required  (T - x_L)/(Y - L), the change a year needed from now; none
 *             once achieved or when Y <= L
 *   observed  the OLS slope (trend_ols, unweighted) of the values of the
 *             years B..L that have one; none with fewer than 2
 *   projected L + (T - x_L)/observed, when not achieved and the observed
 *             change moves toward T (d * observed > 0)
 * Comparisons allow a rounding tolerance of 1e-12 of the largest magnitude
 * involved, so a value on a boundary up to rounding counts as reaching it.
 *
 * Values: an indicator's raw values (the cube's; targets are in raw units)
 * and its direction; an aggregate's scores (score points) with d = +1. The
 * interval of x_L: an aggregate's is results->ci_low/ci_high, from the
 * Monte Carlo replications; an indicator's, in raw units, is its latest
 * observation's own sampling interval (value -/+ z se, or the Wilson
 * interval of a survey proportion, within the indicator's range). An exact
 * value, or an aggregate without replications, has no interval and is
 * compared as a point (Notes says how often).
 *
 * Scope: aggregate scores normalised per year ([method] scope = per-year)
 * are not comparable across years, so an aggregate's planned path, gap,
 * paces and status are not given then (reason says so); indicators keep
 * theirs (raw values are comparable).
 *
 * A unit's rows: every objective naming it, and every * objective except
 * where one naming the unit has the same node and target year. Units in
 * cube order; a unit's rows by node (in the order the plan first names it),
 * then target year, then plan order.
 */
#ifndef LCME_OBJECTIVES_H
#define LCME_OBJECTIVES_H

#include <stddef.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "pipeline.h"
#include "plan.h"

/* Statuses, in the order of the rule above; names by objective_status_name
 * (objectives.csv writes them). New ones go at the end. */
#define OBJECTIVE_STATUS_LIST(X)                  \
    X(OBJECTIVE_NONE, "")                         \
    X(OBJECTIVE_ACHIEVED, "achieved")             \
    X(OBJECTIVE_ON_TRACK, "on track")             \
    X(OBJECTIVE_BEHIND, "behind")                 \
    X(OBJECTIVE_OFF_TRACK, "off track")           \
    X(OBJECTIVE_MOVING_AWAY, "moving away")

enum objective_status {
#define OBJECTIVE_STATUS_ENUM(code, name) code,
    OBJECTIVE_STATUS_LIST(OBJECTIVE_STATUS_ENUM)
#undef OBJECTIVE_STATUS_ENUM
    OBJECTIVE_NSTATUS
};

/* The text of a status ("" for OBJECTIVE_NONE); never NULL. */
const char *objective_status_name(enum objective_status s);

/* One objective for one unit: what objective_assess reads. */
struct objective_input {
    double target;       /* T */
    int target_year;     /* Y */
    int direction;       /* d: +1 or -1 */
    int baseline_year;   /* B */
    double baseline;     /* x_B */
    int latest_year;     /* L, B <= L */
    double latest;       /* x_L */
    double latest_low, latest_high;  /* x_L's interval; NaN: none (a point) */
    const double *t, *y; /* the years B..L with a value and their values */
    size_t n;
};

/* What objective_assess gives; NaN where not defined. */
struct objective_progress {
    double planned, gap, required, observed, projected;
    enum objective_status status;
};

/* 1 when latest meets target in direction d (>= when higher is better,
 * <= when lower), up to the rule's rounding tolerance. */
int objective_met(double target, double latest, int direction);

/* The rule above, a pure function. The input must be complete (finite T,
 * x_B, x_L; B <= L; B < Y); status is then never OBJECTIVE_NONE. */
void objective_assess(const struct objective_input *in, struct objective_progress *out);

/* One row of objectives.csv. */
/* A row without a baseline value (or no value since the baseline year)
 * has no planned path, gap, paces or status, except that a latest value
 * meeting the target is still achieved. */
struct objective_row {
    size_t obj;          /* index into plan->obj */
    size_t unit;         /* cube unit index */
    int node;            /* framework node index */
    int direction;       /* d */
    int baseline_year;   /* 0 when the unit has no baseline value */
    double baseline;
    int latest_year;     /* 0 when the unit has no value up to the year */
    double latest, latest_low, latest_high;
    struct objective_progress pr;  /* status OBJECTIVE_NONE when not assessed */
    const char *reason;  /* static sentence when something is left empty,
                            "" otherwise; never freed */
};

struct objectives {
    const struct plan *plan;      /* borrowed: must outlive this */
    int year;                     /* the evaluation year */
    size_t n;
    struct objective_row *row;    /* owned */
    size_t status_count[OBJECTIVE_NSTATUS];
    size_t no_interval;           /* rows assessed with x_L as a point */
    size_t raw_interval;          /* indicator rows with their observation's
                                     sampling interval */
};

/* Progress of every objective of plan for every unit it applies to, in the
 * latest year up to cfg->year. res must carry the run's scores (and its
 * intervals when replications were run: uncertainty_run); c is the cube res
 * was computed from. Borrowed: everything. Returns 0 and *out (free with
 * objectives_free), or -1 with the reason in d (sizes that do not match,
 * out of memory). */
int objectives_compute(const struct config *cfg, const struct framework *fw,
                       const struct cube *c, const struct results *res,
                       const struct plan *plan, struct objectives **out, struct diag *d);

void objectives_free(struct objectives *o);   /* NULL is harmless */

/* Sentences for the Notes sheet: the plan version and files, the rule and
 * its thresholds, the rows by status, and how many rows were left without
 * a status or an interval and why; appended to nt. */
void objectives_notes_add(const struct config *cfg, const struct objectives *o,
                          struct notes *nt);

#endif
