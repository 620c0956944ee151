/* sensitivity.h: how robust the ranks are to the method choices: uncertainty
 * and sensitivity analysis of the assumptions of a batch's [sensitivity]
 * section (METHODS.md section 8; the JRC/OECD handbook's step 7; COINr's
 * get_sensitivity and remove_elements are the reference).
 *
 *   struct sensitivity *s;
 *   if (sensitivity_check(cfg, fw, d) != 0) ...     (at validation)
 *   sensitivity_run(cfg, fw, c, res, threads, progress, ctx, &s, d);
 *   ... s->median_rank[u], s->index[a].sti ...
 *   sensitivity_free(s);
 *
 * Assumptions (a = 0 .. d-1, in the order of enum sens_key): each key of
 * [sensitivity] that names a method choice. A run takes for each one a
 * value (par[a]):
 *   winmax, normalise, aggregate, impute   alternative k of the list (the
 *                   whole [method] setting of every level is replaced: a
 *                   normalisation with its parameters, an aggregation at
 *                   every aggregate level, as COINr's global specs do)
 *   exclude         0: nothing left out; k >= 1: component k's weight is 0
 *                   (COINr's remove_elements: screening, imputation and the
 *                   coverage counts still see its data; only the
 *                   aggregation leaves it out)
 *   weights_noise   a draw r: every weight of the chosen levels times
 *                   1 + noise (2U - 1), U uniform from the stream (seed, r)
 *   sampling_error  a draw r: the raw values of Monte Carlo replication r
 *                   (draws.h: streams from (seed, r, year))
 * and -1 for the batch's own setting. In a Sobol row the discrete
 * assumptions take alternative floor(u K) of their coordinate u; the drawn
 * ones take the row's index in its base matrix (A row j: j, B row j:
 * n + j), so that A_B^(i) rows repeat A's draws except for input i, and
 * run r draws from (seed, r) whatever thread runs it.
 *
 * A run is the whole pipeline (pipeline_evaluate: denominate ▸ screen ▸
 * impute ▸ treat ▸ normalise ▸ aggregate, every decision derived as in a
 * nominal run) on the run's settings, weights and raw values; the target
 * node's scores in the evaluation year are ranked (1 = best, ties share
 * the best rank). Only the years a run needs are evaluated: the evaluation
 * year alone when every evaluated setting is per year (scope = per-year and
 * no imputation over time), else every year (pooled bounds and treatment
 * depend on them all); the nominal ranks are those of the batch's run.
 *
 * Outputs: per unit the nominal, mean, median, 5th and 95th percentile
 * rank over the A and B runs (sa; the N runs in ua; as COINr's RankStats);
 * per assumption (sa) the first-order and total indices of the mean
 * absolute rank shift of a run from the nominal ranks (over units ranked in
 * both), with bootstrap intervals at the batch's [uncertainty] level, and
 * the same indices of each unit's rank (no intervals); per exclusion
 * component, the mean absolute rank shift of leaving it out with every
 * other setting nominal. A run the pipeline refuses (a geometric mean
 * meeting a value <= 0) is kept as failed, with no ranks; its rows are
 * left out of the estimators (sobol.h).
 *
 * Threads: runs are split among the threads; a run's numbers depend only
 * on its index, the seed and the data, so every output is byte-identical
 * for any thread count.
 */
#ifndef LCME_SENSITIVITY_H
#define LCME_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "pipeline.h"
#include "sobol.h"

/* Most runs (design and exclusion) of one analysis. */
#define SENSITIVITY_MAX_RUNS 10000000L

/* Blocks of runs. */
enum sens_block { SENS_BLOCK_A, SENS_BLOCK_B, SENS_BLOCK_AB, SENS_BLOCK_EXCLUDE };

struct sens_run {
    enum sens_block block;
    int varied;              /* AB: the assumption taken from B; -1 */
    long row;                /* row j of the design; exclusion: component */
    long par[SENS_NASSUMPTION]; /* per assumption a: alternative or draw;
                                   -1 the batch's own setting */
    double shift;            /* mean absolute rank shift from the nominal;
                                NaN when failed */
    int failed;              /* 1: the pipeline refused the run */
};

struct sensitivity {
    enum sens_mode mode;
    size_t n;                /* N */
    int d;                   /* assumptions */
    int key[SENS_NASSUMPTION]; /* assumption a's key (enum sens_key) */
    int nalt[SENS_NASSUMPTION]; /* its alternatives; 0 for drawn ones */
    int target;              /* node studied */
    int year;                /* the evaluation year */
    int year_index;          /* its index in the batch's cube and results */
    size_t nunit;            /* the cube's units */
    size_t years_held;       /* the cube's years */
    size_t years_evaluated;  /* 1, or the cube's years */
    unsigned long seed;
    long bootstrap;
    double level;            /* of the indices' intervals */
    int threads;
    double seconds;          /* wall time of the runs */

    size_t nrun;             /* design runs: N (ua) or N (d + 2) (sa) */
    size_t nexcl;            /* exclusion runs, after them */
    struct sens_run *run;    /* [nrun + nexcl] */
    uint16_t *rank;          /* [(nrun + nexcl) * nunit] 1 = best, 0 missing */
    size_t failed;           /* runs the pipeline refused */
    size_t unranked;         /* unit-runs of the rank statistics without a
                                rank although the unit has a nominal one
                                (screened out, below min_coverage) */
    char *first_failure;     /* the first refused run's reason, or NULL */

    /* per unit (NaN where a unit has no rank) */
    double *nominal_rank, *mean_rank, *median_rank, *rank_q05, *rank_q95;
    /* sa: per assumption, of the mean absolute rank shift */
    struct sobol_index index[SENS_NASSUMPTION];
    /* sa: per unit and assumption, of the unit's rank: [u * d + a] */
    double *unit_si, *unit_sti;
    /* exclusion: component node of each exclusion run, and its shift */
    int *excl_node;          /* [nexcl] */
};

/* The [sensitivity] settings that need the framework: the target is a node;
 * each exclude code a node under the target (not the target); each
 * weights_levels level one of the framework's. Errors at their batch-file
 * line and column. No section: nothing to check. Returns 0, or -1. */
int sensitivity_check(const struct config *cfg, const struct framework *fw, struct diag *d);

/* The analysis of cfg->sens for the batch's nominal run res
 * (pipeline_run(cfg, fw, c)), the ranks of the target in cfg->year.
 * threads <= 0: all online cores. progress (may be NULL) is called from
 * the calling thread only, with done rising to total. Returns 0 and *out
 * (free with sensitivity_free), or -1 with the reason in d: no section,
 * too many runs, out of memory, or every run refused. */
int sensitivity_run(const struct config *cfg, const struct framework *fw,
                    const struct cube *c, const struct results *res, int threads,
                    void (*progress)(void *ctx, long done, long total), void *ctx,
                    struct sensitivity **out, struct diag *d);

void sensitivity_free(struct sensitivity *s);   /* NULL is harmless */

/* The value assumption a took in run r, in words for the runs table:
 * "3", "minmax 1 100", "geometric", "mean", "draw 17", "none", a code, or
 * "nominal" for the batch's own setting. Returns buf. */
const char *sensitivity_value_text(const struct sensitivity *s, const struct config *cfg,
                                   const struct framework *fw, size_t r, int a, char *buf,
                                   size_t len);

/* Sentences for the Notes sheet: what was varied, how many runs, which
 * years were evaluated, failures, and which interval measures what
 * (sampling error against method uncertainty), appended to nt. */
void sensitivity_notes_add(const struct sensitivity *s, const struct config *cfg,
                           const struct framework *fw, struct notes *nt);

#endif
