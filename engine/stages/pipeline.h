/* pipeline.h: the statistical stages from raw observations to scores and
 * ranks, as one pipeline every evaluation goes through, and the results
 * every report formats.
 *
 * One evaluation takes raw values in the cube's layout (raw units, NaN
 * missing) and runs, in this order and with the same code every time:
 *
 *   denominate ▸ screen ▸ impute ▸ treat   (in the batch's order; METHODS.md
 *                                           "Data preparation")
 *   ▸ direction ▸ normalise ▸ aggregate up the tree ▸ rank every plane
 *
 * The nominal run (pipeline_run) evaluates the cube's own values and
 * DERIVES every data-dependent decision. A Monte Carlo replication
 * (pipeline_replicate) evaluates perturbed raw values and HOLDS some of the
 * nominal decisions while re-deriving the rest (METHODS.md "Monte Carlo
 * replications"):
 *
 *   held:       which unit-years screening dropped; which slices treatment
 *               winsorised (and how many values on each side) or
 *               transformed; each indicator's normalisation method after
 *               fallbacks and which slices are constant;
 *   re-derived: imputed values; the winsorisation limits (the next value
 *               after the held count) and log_CT's min and max; the
 *               normalisation bounds, means, standard deviations, ranks and
 *               reference values; every aggregate and rank.
 *
 * So a replication can never skip a stage, and its intervals cover the
 * uncertainty of the bounds as well as of the unit's own data.
 *
 * Nothing is printed; what a reader must know (constant indicators, missing
 * nodes, every fallback) goes into results->notes.
 */
#ifndef LCME_PIPELINE_H
#define LCME_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"

struct prepare_report;
struct coherence;
struct normalise_params;
struct compare;

struct notes {
    size_t n, alloc;
    char **line;         /* owned */
};
void notes_add(struct notes *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *nt);

/* A run's settings resolved for evaluation (methods per level, groups for
 * imputation, the reference unit, weights) and, after the nominal run, the
 * decisions replications hold. Borrows the config, framework and cube it
 * was made from: they must outlive it. */
struct pipeline;

/* Scratch space of one evaluation at a time (one per thread): flags, the
 * preparation report, normalisation parameters and the stages' work areas.
 * Its size is that of the cube's planes (about 2.5 bytes per cube cell plus
 * one plane of each stage's buffers). */
struct pipeline_work;

/* Results use the cube's layout with framework nodes in place of indicators:
 * RES_AT(r, node, t, u). */
#define RES_AT(r, node, t, u) \
    (((size_t)(node) * (r)->nyear + (size_t)(t)) * (r)->nunit + (size_t)(u))

struct results {
    size_t nnode, nyear, nunit;
    double *score;       /* normalised value (indicators) or aggregate; NaN missing */
    double *rank;        /* 1 = best, ties share the minimum rank; NaN missing
                            or not ranked (coverage below rank_threshold) */
    double *coverage;    /* share of the node's framework weight present: 1
                            for an indicator with a value; for an aggregate
                            sum w_c cov_c / sum w_c over its children (those
                            without a score count 0); NaN where the score is */
    double *rank_threshold; /* [nnode] coverage a score needs to be ranked
                               (config_rank_min_coverage of its level) */
    size_t unranked;     /* scores not ranked for their coverage */
    double *ci_low, *ci_high;     /* NULL until uncertainty is computed */
    double *rank_low, *rank_high; /* NULL until uncertainty is computed */
    size_t *present;     /* [nyear] finite indicator values after direction
                            and data preparation (observed or imputed, not
                            screened out); the prepared planes are not kept */
    uint8_t *flag;       /* cube flags after preparation [nind planes] */
    double *eff_weight;  /* [nnode] effective weights (framework_effective_weights) */
    size_t constant_indicators;   /* normalised to the midpoint */
    struct notes notes;  /* methods and fallbacks, one sentence each */
    struct prepare_report *prep;  /* what denominate, screen, impute and
                                     treat did; never NULL after a run */
    size_t imputed;      /* cells imputed (flag CUBE_IMPUTED) */
    size_t treated;      /* cells winsorised (CUBE_TREATED_HIGH/LOW) */
    size_t treated_indicators; /* indicator-years winsorised or transformed */
    size_t screened;     /* unit-years screened out (CUBE_SCREENED) */
    struct coherence *coherence;  /* statistical coherence in the
                                     evaluation year; NULL if not computed */
    /* Target scores [node * nyear + t]: the score of a unit whose every
     * indicator with a target stood exactly at it in year t, normalised
     * with that year's parameters and aggregated with the same weights and
     * methods (indicators without a target count as missing, under the
     * usual coverage rule). NaN where it cannot be said exactly: no target
     * below the node, a denominated or log/Box-Cox-transformed indicator, a
     * constant slice, the rank-based normalisations (rank, prank, borda) or
     * Copeland aggregation. For indicators it is the normalised target. */
    double *target_score;
    size_t target_indicators;     /* indicators with a target score */
    struct compare *compare;      /* comparisons over time (compare.h) */
    struct pipeline *pipeline;    /* the settings and nominal decisions
                                     pipeline_replicate needs; owned */
};

/* The nominal run: evaluate the cube's values, deriving every decision.
 * Returns 0 and *out (free with results_free), or -1 with the reason in d
 * (e.g. geometric aggregation of a non-positive value, more units than
 * ranks hold). cfg, fw and c are borrowed and must outlive *out (its
 * pipeline refers to them). */
int pipeline_run(const struct config *cfg, const struct framework *fw,
                 const struct cube *c, struct results **out, struct diag *d);

void results_free(struct results *r);   /* NULL is harmless */

/* The coverage plane depends only on which scores are present and on the
 * run's weights, so a caller short of memory may drop it over stages that
 * do not read it (the Monte Carlo replications: 16 MB at 1,000 units):
 * results_coverage_drop frees r->coverage (NULL after);
 * results_coverage_restore computes it again, the numbers pipeline_run
 * gave (nothing when it is there). 0, or -1 on ENOMEM. */
void results_coverage_drop(struct results *r);
int results_coverage_restore(struct results *r);

/* Most units a plane's ranks hold (RANK_PLANE_MAX_UNITS). */
#define PIPELINE_MAX_UNITS 65534

/* A work area for evaluations of p. NULL on ENOMEM. */
struct pipeline_work *pipeline_work_new(const struct pipeline *p);
void pipeline_work_free(struct pipeline_work *w);   /* NULL is harmless */

/* A reader of the score row: an evaluation in work area w calls fn(ctx,
 * score, k0, k1) whenever cells [k0, k1) of its score row are final (each
 * indicator's planes as soon as they are normalised and ranked, then the
 * aggregates and the recomputed change values after them: every cell once,
 * in that order), so that the caller reads them while they are still in
 * the cache. fn NULL: none (the default). ctx is the caller's. */
typedef void (*pipeline_cells_fn)(void *ctx, const double *score, size_t k0, size_t k1);
void pipeline_work_set_reader(struct pipeline_work *w, pipeline_cells_fn fn, void *ctx);

/* One Monte Carlo replication: evaluate the raw values x (nind planes in
 * the cube's layout and units; overwritten: on return x holds the prepared
 * values) holding the nominal run's decisions (see the top of this file).
 * score (pipeline_row_cells doubles) receives every node's score (nnode
 * planes, RES layout) followed by the values of the changes recomputed on
 * their own composition (compare.h: results->compare->nextra of them);
 * rank (may be NULL) the plane ranks as uint16 (1 = best, 0 missing or not
 * ranked: the nominal coverage rule). Thread-safe for distinct work areas.
 * Returns 0, or -1 with the reason in d (a geometric, harmonic or
 * generalised mean meeting a value outside its domain). */
int pipeline_replicate(const struct pipeline *p, struct pipeline_work *w, double *x,
                       double *score, uint16_t *rank, struct diag *d);

/* Another evaluation of the same cube under other settings (a sensitivity
 * run): cfg's methods, imputation, treatment and screening, resolved for fw
 * and c like pipeline_run's (NULL with the reason in d: a dist2ref
 * reference unit not in the data, a missing group attribute, ENOMEM).
 * Borrows cfg, fw and c. Free with pipeline_free. */
struct pipeline *pipeline_new(const struct config *cfg, const struct framework *fw,
                              const struct cube *c, struct diag *d);
void pipeline_free(struct pipeline *p);   /* NULL is harmless */

/* Weights to aggregate with instead of the framework's (fw->nnode values,
 * borrowed; NULL: the framework's). Not for a pipeline replications are
 * using. */
void pipeline_set_weights(struct pipeline *p, const double *weight);

/* Evaluate x (raw values as for pipeline_replicate; overwritten) under p's
 * settings, DERIVING every decision as a nominal run does (screening,
 * treatment, normalisation bounds and fallbacks) but writing no notes and
 * keeping nothing in p: thread-safe for distinct work areas, so sensitivity
 * runs can share p's settings. score and rank as pipeline_replicate. Set an
 * indicator's values to NaN in x to leave it out. Returns 0, or -1 with the
 * reason in d. */
int pipeline_evaluate(const struct pipeline *p, struct pipeline_work *w, double *x,
                      double *score, uint16_t *rank, struct diag *d);

/* Cells of a replication's score row: nnode * nyear * nunit node scores
 * and the recomputed change values after them. */
size_t pipeline_row_cells(const struct pipeline *p);

/* The nominal normalisation parameters (for the reports and trends). */
const struct normalise_params *pipeline_nominal_params(const struct pipeline *p);

/* Facts about a run that every output carries. */
struct run_info {
    char id[17];         /* first 16 hex digits of the run digest */
    char digest[65];     /* SHA-256 of inputs, settings, seed and version */
    const char *version; /* LCME_VERSION */
    const char *created; /* ISO 8601, fixed from the batch (config->created) */
    unsigned long seed;
    long replications;
    int threads;
};

#endif
