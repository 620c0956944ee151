/* compare.h: comparisons over time that compare like with like
 * (METHODS.md section 11): which years a change or a trend of each node and
 * unit compares, over which indicators, and the values it compares.
 *
 * A published score series (results->score) stays as it is: each year's
 * aggregate is made from the children present that year. A change or a
 * trend is not read off it directly, because the indicators behind a score
 * may differ from one year to the next (an indicator starts being
 * published, a value is carried forward by imputation, a survey changes its
 * method). The rules, applied to every node and unit:
 *
 *   points      a year counts for an indicator when its value was observed
 *               (present in the data, not imputed, not screened out); for
 *               an aggregate when it has a published score;
 *   breaks      an observation flagged as a break in series (CUBE_BREAK)
 *               starts a new series: an indicator's points are those from
 *               its last break on, and an indicator with a break between
 *               two years is left out of an aggregate's comparison of them
 *               (unless [trend] across_breaks = yes);
 *   ends        a change since the base year runs from the base year when
 *               it is a point, else the first point, to the last point; a
 *               change since the previous year from the calendar year
 *               before the last point, when that is a point, to the last.
 *               An aggregate whose last point cannot be compared with the
 *               base (too few indicators observed in both) is compared at
 *               its latest point that can (the change's years say which:
 *               a carried value makes an aggregate's last published year
 *               no observation), and its change since the previous year
 *               ends at that same year;
 *   composition an aggregate's change is computed over the indicators under
 *               it observed at both ends (with no break between them): the
 *               node is aggregated again from those alone, with the same
 *               weights, methods and coverage rule (aggregate_tree); its
 *               trend over the indicators observed in every one of its
 *               points. When those are exactly the indicators present in
 *               the published scores, the published scores are the values
 *               compared (the change is "on a constant composition").
 *               When the common indicators fail the coverage rule, there
 *               is no change (COMPARE_NO_COMMON);
 *   targets     an aggregate's progress against its target compares the
 *               unit's score over the indicators that have a target (among
 *               those of its change) with the target score over the same
 *               indicators (tx0, tx1, ttarget), under the coverage rule;
 *               NaN when those indicators carry too little weight.
 *
 * Under per-year scope the comparisons are made all the same, but the
 * trends claim none of an aggregate's (scores of different years are not
 * comparable: COMPARE_PER_YEAR); indicators' ends serve progress on raw
 * values. Copeland scores count wins among the
 * units of one year, so an aggregate at or above a Copeland level is
 * compared only on a constant composition (else COMPARE_COPELAND).
 *
 * Monte Carlo: each replication computes the same comparisons with the
 * same code (compare_replicate, called by pipeline_replicate): a change's
 * two ends are cells of the replication's row, at[k] for k < nres a node
 * score (RES_AT) and nres + j the j-th value recomputed on the change's own
 * composition (nextra of them), so a change's interval follows the rule
 * its value follows. The composition (which indicators each change
 * compares) is the nominal run's decision: presence, imputation and flags
 * do not vary between replications.
 */
#ifndef LCME_COMPARE_H
#define LCME_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"

struct results;
struct notes;

/* Why a comparison was not made; names by compare_reason_text. New reasons
 * go at the end. */
#define COMPARE_REASON_LIST(X)                                                   \
    X(COMPARE_OK, "")                                                            \
    X(COMPARE_FEW_POINTS, "fewer than two years to compare")                     \
    X(COMPARE_NO_COMMON, "the indicators observed in both years carry too "     \
                         "little of the node's weight")                          \
    X(COMPARE_PER_YEAR, "scores are normalised within each year, so they are "  \
                        "not comparable over time")                              \
    X(COMPARE_COPELAND, "Copeland scores count wins within a year; they are "   \
                        "compared only when the indicators are the same")        \
    X(COMPARE_NO_PREV, "the year before the last has no score")

enum compare_reason {
#define COMPARE_REASON_ENUM(code, text) code,
    COMPARE_REASON_LIST(COMPARE_REASON_ENUM)
#undef COMPARE_REASON_ENUM
};

/* The sentence of a reason ("" for COMPARE_OK); never NULL. */
const char *compare_reason_text(enum compare_reason r);

enum compare_kind { COMPARE_BASE, COMPARE_PREV, COMPARE_NKIND };

/* How a change's two values were obtained. */
enum compare_how {
    COMPARE_NONE,        /* no change (reason says why) */
    COMPARE_CONSTANT,    /* the published scores: same indicators at both ends */
    COMPARE_COMMON,      /* recomputed over the indicators common to both ends */
};

/* One kind of change of every node and unit, indexed node * nunit + u. */
struct compare_change {
    int *t0, *t1;            /* year indices of the two ends; -1 when none */
    double *x0, *x1;         /* the values compared (x1 - x0 is the change) */
    long *at0, *at1;         /* their cells in a replication's row (see top) */
    uint8_t *how;            /* enum compare_how */
    uint8_t *reason;         /* enum compare_reason */
    uint16_t *nind;          /* aggregates: indicators compared; 1 for an
                                indicator with a change */
    uint8_t *broke;          /* 1: an indicator was left out for a break in
                                series between the ends */
};

/* A composition change: indicator ind enters (in = 1) or leaves (in = 0)
 * the published score of node for unit in year (an index), against the
 * node's previous year with a score. An indicator "is in" a node's score
 * when it has a value (observed or imputed) and every node from it up to
 * node has a score. */
struct compare_event {
    int unit, node, year, ind, in;
    int from;            /* year index of the node's previous score */
};

struct compare_counts {
    size_t changes[COMPARE_NKIND][3];   /* aggregates: [kind][how] */
    size_t ind_changes[COMPARE_NKIND];  /* indicators with a change */
    size_t ind_imputed_end[COMPARE_NKIND]; /* indicators whose change an
                                             imputed end value would have
                                             made (now from observed ends
                                             or none) */
    size_t breaks;           /* observations flagged as a break */
    size_t series_split;     /* indicator x unit series cut at a break
                                (a break after their first observed year) */
    size_t break_left_out;   /* aggregate changes (both kinds) that left an
                                indicator out for a break between the ends */
    size_t stepped_back[COMPARE_NKIND]; /* aggregate changes ending before
                                the node's last published year */
    size_t trend_recomputed; /* aggregate trend series recomputed over the
                                indicators observed in every year */
    size_t trend_none;       /* aggregate series with no common indicators */
    size_t units_changed;    /* units with a composition change */
    size_t targets_like;     /* aggregate changes with a like-with-like
                                target comparison */
    size_t targets_uncovered;/* with a target score but too little target
                                weight among the compared indicators */
};

struct compare {
    size_t nnode, nyear, nunit, nres;  /* nres = nnode * nyear * nunit */
    int across_breaks;       /* [trend] across_breaks */
    struct compare_change ch[COMPARE_NKIND];
    /* The series trends are computed on, RES layout: an indicator's points
     * (observed, from its last break on), an aggregate's scores in its
     * published years up to its base-year change's last end, over the
     * indicators observed in every one of them (NaN where not a point; all
     * NaN when those carry too little weight). */
    double *series;
    uint8_t *series_reason;  /* [node * nunit + u] */
    /* Aggregates' target comparison for the base-year change, [node *
     * nunit + u]: the unit's scores at its two ends and the target score
     * at the last, all over the indicators of the change that have a
     * target score; NaN when there is none or too little weight. */
    double *tx0, *tx1, *ttarget;
    size_t nevent;
    struct compare_event *event;     /* by unit, node, year, indicator */
    size_t nextra;           /* recomputed values a replication appends */
    double *extra;           /* [nextra] their nominal values */
    struct compare_counts n;
    struct compare_plan *plan;       /* what compare_replicate needs; owned */
};

/* The comparisons of a nominal run. res must hold the run's scores, and
 * may hold its flags (res->flag: CUBE_IMPUTED; NULL: nothing imputed) and
 * target scores (NULL: none); c gives the observations (presence,
 * CUBE_BREAK). lm and weight are the aggregation settings the
 * run used (weight NULL: the framework's). Returns NULL with the reason in
 * d on ENOMEM. cfg, fw and c are borrowed; nothing of res is kept. */
struct compare *compare_new(const struct config *cfg, const struct framework *fw,
                            const struct cube *c, const struct method *lm,
                            const double *weight, const struct results *res,
                            struct diag *d);

void compare_free(struct compare *cm);   /* NULL is harmless */

/* Work area for compare_replicate (one per thread). NULL on ENOMEM. */
struct compare_work;
struct compare_work *compare_work_new(const struct compare *cm, const struct framework *fw);
void compare_work_free(struct compare_work *w);   /* NULL is harmless */

/* A replication's recomputed values: score holds its node scores (RES
 * layout, nres cells); extra receives cm->nextra values, each the same
 * recomputation as the nominal one on these scores. Cannot fail (the
 * aggregation's domain errors cannot arise on a subset of values the
 * replication already aggregated). */
void compare_replicate(const struct compare *cm, const struct framework *fw,
                       const struct method *lm, const double *weight, const double *score,
                       double *extra, struct compare_work *w);

/* Sentences for the Notes sheet: the like-with-like rule and how many
 * changes followed which way, composition changes, imputed ends, breaks in
 * series, aggregate targets; appended to nt. */
void compare_notes_add(const struct compare *cm, struct notes *nt);

/* Value of cell `at` of a nominal row: res_score[at] for at < nres, else
 * cm->extra[at - nres]. */
double compare_nominal_at(const struct compare *cm, const double *res_score, long at);

#endif
