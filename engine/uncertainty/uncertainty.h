/* uncertainty.h: confidence intervals of every score, rank and change by
 * Monte Carlo propagation of the observations' sampling error through the
 * whole pipeline (METHODS.md "Confidence intervals").
 *
 * Replication r (0 <= r < R): the cube's raw values with every observation
 * that carries an error replaced by its draw (draws.h: streams from
 * (seed, r, year), censored at what the value can be), evaluated by
 * pipeline_replicate: the same denominate ▸ screen ▸ impute ▸ treat ▸
 * direction ▸ normalise ▸ aggregate ▸ rank code as the nominal run,
 * holding the nominal run's screening and treatment decisions and
 * re-deriving imputed values, winsorisation limits and normalisation
 * bounds (pipeline.h). A replication's numbers depend only on (seed, r) and
 * the data: results are byte-identical for any thread count.
 *
 * Intervals: R's default quantile (type 7) over the replications that have
 * a value, at p_lo = (1 - level)/2 and p_hi = 1 - p_lo: the percentile
 * interval of each score, rank and change (rank_low is the better, smaller
 * rank; rank bounds may be fractional, as in COINr's get_sensitivity). A
 * score's interval is computed as the nominal score plus the quantiles of
 * the replications' deviations from it (float deviations: their rounding,
 * 6e-8 of the deviation, is far below Monte Carlo error). An interval is
 * extended to its nominal score (rank, change) when the replications all lie
 * on one side of it, as with units tied at a bound. Cells with a NaN
 * nominal score get NaN bounds. Order statistics come from bounded
 * candidate buffers (tails.h), not from storing every replication.
 *
 * Changes (since the base year and since the previous year) of each node
 * and unit: the replications' change is the nominal change plus the
 * difference of the two years' deviations. A change is ASSESSED when some
 * observation of the unit under that node carries a measured error in one
 * of its two years (se, lower/upper or n; an imputed value counts when an
 * observation it was imputed from does); a change computed from exact
 * observations only is "not assessed" (no p-value, no significance), even
 * when other units' errors give it an interval through the bounds. For an
 * assessed change: the two-sided Monte Carlo p-value
 *   p = min(1, 2 (1 + min(#{change_r <= 0}, #{change_r >= 0})) / (n + 1))
 * over its n replications (Davison and Hinkley 1997, eq. 4.11), and the
 * Benjamini-Hochberg step-up flag at q = 1 - level among the assessed
 * changes of the same node, kind and last year (the units tested together).
 *
 * Memory: tails.h's buffers for every node x year x unit cell and for the
 * changes (257 MB at network scale, R = 1000; 201 MB at 1,000 units,
 * R = 200), plus a batch of
 * replications in flight (up to UNCERTAINTY_BATCH rows of a float and a
 * uint16 per cell, as many as UNCERTAINTY_BATCH_BYTES hold, at least 2,
 * a multiple of the threads; TAILS_BLOCK_ROWS (16) where they fit in
 * UNCERTAINTY_BLOCK_BYTES: 16 at network scale (69 MB), 2 at 1,000 units)
 * and per thread one evaluation's planes, which are freed before the
 * quantiles are read. When the buffers would pass the budget, the nodes
 * are split into chunks that each rerun the replications (sum->chunks > 1:
 * the same numbers, chunks times the time).
 *
 * Threads: each thread takes the batch's next replication as soon as it is
 * free; then its rows are fed to the buffers by blocks of cells, each
 * block taken by the next free thread. On a shared host a thread slowed by
 * other work leaves more of the batch to the other instead of holding it
 * up at the end of each phase. Which thread takes what changes no output:
 * a replication's values depend on (seed, r) alone, a cell's buffers on
 * its values alone, and a failing run reports its first failing
 * replication with that replication's message.
 */
#ifndef LCME_UNCERTAINTY_H
#define LCME_UNCERTAINTY_H

#include <stddef.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "pipeline.h"
#include "trend.h"

/* Most replications accepted. */
#define UNCERTAINTY_MAX_REPLICATIONS 1000000L

/* Default budget for the order-statistic buffers (bytes); see above. */
#define UNCERTAINTY_DEFAULT_BUDGET ((size_t)768 << 20)

/* Replications in flight between the two phases of a batch: at most
 * UNCERTAINTY_BATCH, and no more than UNCERTAINTY_BATCH_BYTES of rows hold
 * (at least 2, rounded down to a multiple of the threads). Fewer rows cost
 * no measurable time: with 32 MB (7 rows at network scale, 4 at 1,000
 * units) the order statistics took 16.8 s where 128 MB (29 and 10 rows)
 * took 17.8 s (network scale, R = 1000, one thread), and the peak memory
 * fell by 96 MB and 73 MB; at 1,000 units (R = 200, two threads) 2 rows
 * took 4.6 and 5.3 s where 4 took 4.7 and 5.3 s, and 25 MB less. */
#define UNCERTAINTY_BATCH 32
#define UNCERTAINTY_BATCH_BYTES ((size_t)32 << 20)

/* But a full block of tails.h's rows (TAILS_BLOCK_ROWS) where it takes no
 * more than this: at network scale, R = 1000, one thread, the stage took
 * 22.0-23.3 s of CPU time in batches of 16 rows against 26.9-27.9 s in
 * batches of 6 (32 MB; pairs run back to back), for 43 MB more. */
#define UNCERTAINTY_BLOCK_BYTES ((size_t)128 << 20)

/* What a run did, for the Notes sheet and the run record. */
struct uncertainty_summary {
    long replications;       /* R used; 0 when skipped */
    double level;            /* confidence level */
    unsigned long seed;
    int threads;             /* threads used */
    size_t obs_present;      /* observations with a value */
    size_t obs_se;           /* with a standard error (se or lower/upper) */
    size_t obs_wilson;       /* survey proportions with n (Wilson normal) */
    size_t obs_percent;      /*   of which given in percent */
    size_t obs_exact;        /* present without error: taken as exact */
    size_t wilson_ignored;   /* n given, value not a proportion: exact
                                (included in obs_exact) */
    size_t obs_bounded;      /* with error and a bounded range */
    size_t chunks;           /* node chunks (> 1 when over the budget) */
    size_t store_bytes;      /* order-statistic buffers of one chunk */
    size_t unstable_cells;   /* cells whose score was missing in some
                                replication although present nominally
                                (bounds then use the replications with one) */
    size_t changes_assessed; /* changes with a p-value (both kinds) */
    size_t changes_not_assessed; /* changes from exact observations only */
    size_t changes_significant;  /* assessed and BH-significant */
    double loop_seconds;     /* wall time of the replications (draws and
                                pipeline) */
    double summary_seconds;  /* wall time of feeding and reading the order
                                statistics */
};

/* Change of each node and unit's score and its interval: since the base
 * year (the "stocktake") and since the previous year. Indexed
 * TREND_AT(ch, node, u). Years follow trend_compute_all: the last year is
 * the last with a score; the base year is cfg->base_year when the unit has a
 * score then, else the first year with one; the previous year is the
 * calendar year before the last, when it has a score. */
struct uncertainty_change {
    size_t nnode, nunit;
    int *base_year, *last_year, *prev_year;   /* 0 when none */
    double *base, *base_low, *base_high;      /* score(last) - score(base);
                                                 NaN when base == last */
    double *prev, *prev_low, *prev_high;      /* score(last) - score(last-1) */
    unsigned char *base_assessed, *prev_assessed; /* 1: a measured error
                                                     enters the change */
    double *base_p, *prev_p;                  /* Monte Carlo p-value; NaN
                                                 when not assessed */
    unsigned char *base_excludes_zero;        /* 1: assessed and the interval
                                                 excludes 0 */
    unsigned char *prev_excludes_zero;
    unsigned char *base_significant;          /* 1: assessed and significant
                                                 after Benjamini-Hochberg */
    unsigned char *prev_significant;
};

void uncertainty_change_free(struct uncertainty_change *ch); /* NULL harmless */

/* Copy ch into tr (made by trend_compute_all for the same run): the change
 * intervals, assessment, p-values and flags where tr's base and last years
 * agree with ch's, and the since-last-year fields. Cannot fail. */
void uncertainty_change_apply(const struct uncertainty_change *ch,
                              struct trends *tr);

/* Monte Carlo intervals of every score and rank of res.
 *
 * res comes from pipeline_run(cfg, fw, c, ...). R = cfg->replications; with
 * R == 0 nothing is computed, the interval arrays stay NULL and *sum still
 * gets the observation counts. Otherwise res->ci_low, ci_high, rank_low and
 * rank_high are allocated (owned by res) and filled.
 *
 * chg: NULL, or receives the changes with their intervals (free with
 * uncertainty_change_free); with R == 0 it holds the nominal changes, NaN
 * intervals and no change assessed.
 * threads <= 0: all online cores. progress (may be NULL) is called from
 * the calling thread only, with done rising to total. budget: bytes for the
 * order-statistic buffers, 0 = UNCERTAINTY_DEFAULT_BUDGET.
 *
 * Intended order in `lcme run`: pipeline_run; uncertainty_run (fills the
 * intervals trend_compute_all uses to weight its fits); trend_compute_all;
 * uncertainty_change_apply.
 *
 * Returns 0, or -1 with the reason in d: bad settings (level not in (0, 1),
 * R out of range), out of memory, or a replication the pipeline refused
 * (the first such replication is named). On failure res's interval arrays
 * are NULL. */
int uncertainty_run(const struct config *cfg, const struct framework *fw,
                    const struct cube *c, struct results *res,
                    struct uncertainty_change **chg, int threads,
                    void (*progress)(void *ctx, long done, long total),
                    void *ctx, size_t budget,
                    struct uncertainty_summary *sum, struct diag *d);

/* Sentences for the Notes sheet (method, R, level, seed, what a replication
 * re-derives and holds, counts of observations with error and exact, the
 * changes assessed and significant), appended to nt. */
void uncertainty_notes_add(const struct uncertainty_summary *sum, struct notes *nt);

/* type-7 quantile at prob p (0..1) of the n values x (NaN skipped); x is
 * reordered. NaN when no value is present. Exposed for tests. */
double uncertainty_quantile(double *x, size_t n, double p);

/* Benjamini-Hochberg step-up at level q over the n p-values p (NaN: not
 * tested, flag 0): flag[k] = 1 when p[k] <= p_(j) for the largest j with
 * p_(j) <= j q / m, m the number tested. idx holds n size_t (scratch).
 * Returns the number flagged. */
size_t uncertainty_bh(const double *p, size_t n, double q, unsigned char *flag,
                      size_t *idx);

#endif
