/* prepare.h: data preparation before normalisation: denomination,
 * screening of units, imputation and outlier treatment (METHODS.md §1-3;
 * COINr's Denominate, Screen, Impute and Treat are the reference).
 *
 * Every stage works in place on an array x of indicator planes in the
 * cube's layout (CUBE_AT: x[(i*nyear + t)*nunit + u], NaN missing) and its
 * flag array of the same layout, with the sizes, unit codes, attributes and
 * denominators taken from the cube c (whose own values are not read).
 * Values are in the data's own direction (direction is applied later, at
 * normalisation, as COINr does: the log transforms are not symmetric).
 *
 * What each stage did is accumulated in a struct prepare_report (counts,
 * the screening table and the treatment table) for the notes and Quality.
 *
 *   struct prepare_report *rep = prepare_report_new(c);
 *   prepare_denominate(fw, c, x, scale, rep, d);
 *   prepare_screen(c, x, flag, &screen_opts, rep, d);
 *   prepare_impute(c, x, flag, IMPUTE_GROUP_MEAN, "EurAsia_group", rep, d);
 *   prepare_treat(c, x, flag, &treat_opts, rep, d);
 */
#ifndef LCME_PREPARE_H
#define LCME_PREPARE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"

/* What treatment an indicator slice (indicator x year) received. */
enum prepare_treat_how {
    PREP_TREAT_NOT_NEEDED,  /* passed the skew/kurtosis test untreated */
    PREP_TREAT_WINSORISED,  /* winsorised until it passed */
    PREP_TREAT_LOG_CT,      /* log(x - min + 0.01 (max - min)) */
    PREP_TREAT_LOG,         /* log(x) */
    PREP_TREAT_BOXCOX,      /* ((x - min + 1)^lambda - 1)/lambda, or log */
    PREP_TREAT_TOO_FEW,     /* fewer than 4 values: not tested */
    PREP_TREAT_CONSTANT,    /* no spread: skew undefined, not tested */
};

/* One row of the treatment table, per indicator and year. Skew and kurtosis
 * are the type-2 (Excel SKEW/KURT) estimators; NaN where not computed. */
struct prepare_treat_row {
    int ind, year;          /* indicator index, cube year index */
    size_t n;               /* values present */
    double skew0, kurt0;    /* before treatment */
    int pass0;              /* |skew| < 2 or kurt < 3.5 */
    int nwin;               /* points winsorised in the last attempt (COINr's
                               count: the points sharing the winsorised value) */
    double skew_win, kurt_win; /* after winsorisation (NaN if not tried) */
    double skew1, kurt1;    /* of the values kept */
    int pass1;              /* the kept values pass */
    enum prepare_treat_how how;
    size_t nhigh, nlow;     /* points flagged CUBE_TREATED_HIGH / _LOW */
    int whigh, wlow;        /* values the winsorisation changed on each side
                               (the decision a replication holds, see
                               prepare_treat_hold) */
};

struct prepare_report {
    size_t nunit, nind, nyear;
    /* denominate */
    size_t denominated;        /* cells divided */
    size_t denom_missing;      /* present cells left NaN: denominator missing or 0 */
    size_t denom_indicators;   /* indicators with a denominator */
    /* screen */
    int screened_done;
    double *avail;             /* [t*nunit + u] share of indicators present */
    double *nonzero;           /* [t*nunit + u] share of present values != 0 */
    uint8_t *dropped;          /* [t*nunit + u] 1: unit-year screened out */
    size_t screened;           /* unit-years dropped */
    /* impute */
    size_t imputed;            /* cells filled */
    size_t impute_left;        /* cells still missing after imputation (not
                                  counting screened unit-years) */
    size_t *imputed_by_unit;   /* [t*nunit + u] */
    /* treat */
    struct prepare_treat_row *treat; /* [i*nyear + t]; how == NOT_NEEDED when
                                        treatment was off */
    int treat_done;
    int treat_pooled;          /* 1: one decision per indicator over every
                                  year (pooled scope), held in the rows of
                                  year index 0; the other rows copy it */
    size_t treated_points;     /* cells flagged high or low */
    size_t treated_slices;     /* indicator-years winsorised or transformed */
    size_t *treated_by_unit;   /* [t*nunit + u] */
};

/* A report sized for cube c, all counts 0. NULL on ENOMEM. */
struct prepare_report *prepare_report_new(const struct cube *c);
void prepare_report_free(struct prepare_report *r);   /* NULL is harmless */

/* x <- x / (d / scale) for every indicator whose framework row names a
 * denominator column (fw->node[i].denominator one of fw->denom, whose values
 * are c->denom plane k). A missing or zero denominator leaves the cell
 * missing (counted). Returns 0, or -1 with an LCME_EINPUT entry when an
 * indicator names a denominator the framework does not declare or the cube
 * lacks. */
int prepare_denominate(const struct framework *fw, const struct cube *c,
                       double *x, double scale, struct prepare_report *rep,
                       struct diag *d);

struct prepare_screen_opts {
    enum screen_method method;
    double dat_thresh;        /* keep when share present >= dat_thresh */
    double nonzero_thresh;    /* keep when share non-zero >= nonzero_thresh */
    const char *force_include; /* comma-separated unit codes, or NULL */
    const char *force_exclude;
};

/* COINr Screen, per year: a unit's share of present indicators (and of
 * non-zero present values) is computed; a unit below the threshold(s) the
 * method uses is dropped for that year (force_exclude drops, force_include
 * keeps, whatever the data): its cells become NaN and get CUBE_SCREENED.
 * A unit with no present value at all has nonzero share 1 (nothing to
 * count). Returns 0, or -1 with an LCME_EINPUT entry for an unknown code in
 * the force lists. */
int prepare_screen(const struct cube *c, double *x, uint8_t *flag,
                   const struct prepare_screen_opts *o,
                   struct prepare_report *rep, struct diag *d);

/* Fill missing cells (not those of screened unit-years) by method:
 *   IMPUTE_MEAN, IMPUTE_MEDIAN     per indicator and year, over the units
 *   IMPUTE_GROUP_MEAN, _MEDIAN     the same within the unit's value of the
 *                                  attribute `group` (a unit with an empty
 *                                  attribute is left alone; a group with no
 *                                  value leaves its cells missing)
 *   IMPUTE_LATEST                  per unit and indicator over the years:
 *                                  the last earlier known value
 *   IMPUTE_CONSTANT                as latest, and before the first known
 *                                  value that value (R approx, method
 *                                  "constant", rule = 2)
 *   IMPUTE_LINEAR                  linear between known years, constant
 *                                  beyond the ends (approx rule = 2); a
 *                                  single known value fills the series
 * Imputed cells get CUBE_IMPUTED (flag may be NULL: no flags, as a Monte
 * Carlo replication, whose flags nothing reads). Returns 0, or -1 with an
 * LCME_EINPUT entry when a group method has no attribute `group` in the
 * cube. */
int prepare_impute(const struct cube *c, double *x, uint8_t *flag,
                   enum impute_method method, const char *group,
                   struct prepare_report *rep, struct diag *d);

/* The same with the groups already resolved (prepare_groups): grp[u] is
 * unit u's group (-1: none) among ngrp, or grp NULL for the methods that do
 * not use groups. Returns 0, or -1 on ENOMEM. */
int prepare_impute_grouped(const struct cube *c, double *x, uint8_t *flag,
                           enum impute_method method, const int *grp, int ngrp,
                           struct prepare_report *rep, struct diag *d);

/* Resolve the unit attribute `group` into *grp (nunit ints, owned by the
 * caller; -1 for a unit with an empty attribute) and *ngrp groups, numbered
 * in order of first appearance. Returns 0, or -1 with an LCME_EINPUT entry
 * naming `method` when the cube has no such attribute (or ENOMEM). */
int prepare_groups(const struct cube *c, const char *group,
                   enum impute_method method, int **grp, int *ngrp,
                   struct diag *d);

/* Screening held at an earlier decision: every unit-year marked in dropped
 * ([t*nunit + u], as prepare_report's) becomes NaN with CUBE_SCREENED (flag
 * may be NULL). Cannot fail. */
void prepare_screen_hold(const struct cube *c, double *x, uint8_t *flag,
                         const uint8_t *dropped);

struct prepare_treat_opts {
    enum treat_method method;
    int winmax;               /* most points winsorised; default 5 */
    double skew_thresh;       /* 2 */
    double kurt_thresh;       /* 3.5 */
    double boxcox_lambda;
    int pooled;               /* 1: one slice per indicator over every year
                                 (pooled scope), else one per year */
};

/* Outlier treatment per indicator and year (COINr Treat): a slice fails
 * when |skew| >= skew_thresh and kurt >= kurt_thresh.
 *   TREAT_WINSORISE  while it fails and fewer than winmax points are
 *                    treated: if skew >= 0 the largest value(s) take the
 *                    next largest, else the smallest the next smallest; if it
 *                    still fails, log_CT of the original values instead
 *   TREAT_LOG_CT, TREAT_LOG, TREAT_BOXCOX  that transform of a failing slice
 *                    (log of a slice with a value <= 0 falls back to log_CT)
 * Winsorised cells get CUBE_TREATED_HIGH or _LOW; the table records every
 * slice. Slices with fewer than 4 values or no spread are not tested.
 * A slice is one indicator in one year, or with o->pooled one indicator
 * over every year (so that a pooled normalisation compares like with like
 * across the years: one decision, one set of limits); then the decision is
 * recorded in the row of year index 0 and copied to the others.
 * Returns 0; cannot fail (d is kept for symmetry). */
int prepare_treat(const struct cube *c, double *x, uint8_t *flag,
                  const struct prepare_treat_opts *o,
                  struct prepare_report *rep, struct diag *d);

/* Treatment held at the decisions of an earlier prepare_treat (held: its
 * report): a slice winsorised there has its whigh largest values replaced
 * by the next largest of its values here, and its wlow smallest by the
 * next smallest (the count is held, the limit re-derived from x); a slice
 * transformed there gets the same transform of its values here (log_CT's
 * min and max taken from x; under log, a value <= 0 becomes missing, NaN,
 * as log has none, rather than the slice falling back to log_CT); other
 * slices are left alone. o gives the
 * method and lambda and must match the earlier call's slices (pooled).
 * Ties among the largest (smallest) values are broken by position.
 * ibuf holds winmax + 1 indices (the longest slice, nunit or nyear*nunit
 * when pooled, is always enough). Cannot fail. */
void prepare_treat_hold(const struct cube *c, double *x,
                        const struct prepare_treat_opts *o,
                        const struct prepare_report *held, size_t *ibuf);

/* Type-2 sample skewness and kurtosis (Excel SKEW, KURT; e1071 type 2) of
 * the non-NaN values of x[0..n). NaN when fewer than 3 (skew) or 4 (kurt)
 * values or no spread. */
double prepare_skew(const double *x, size_t n);
double prepare_kurt(const double *x, size_t n);

const char *prepare_treat_how_name(enum prepare_treat_how h);

#endif
