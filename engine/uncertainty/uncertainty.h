/* uncertainty.h: confidence intervals of every score and rank by Monte Carlo
 * propagation of the observations' sampling error (METHODS.md section 6).
 *
 * Sampling error of one observation (cube cell i, t, u with a value):
 *   - se finite and > 0: normal(value, se) (lower/upper were already turned
 *     into se = (upper - lower)/(2 z) by the loader);
 *   - else n finite and > 0 and the value a proportion: the normal with the
 *     Wilson centre and sd = Wilson half-width / z (z = Phi^-1(1 - (1 -
 *     level)/2)), clipped to [0, 1]. Chosen over binomial(n, p)/n because
 *     (a) it is the sampling distribution whose 'level' interval is the
 *     Wilson interval METHODS.md reports for a single proportion, (b) it does
 *     not collapse to an exact value at p = 0 or 1, where binomial(n, p) has
 *     no variance, (c) n may be an effective (non-integer) sample size, and
 *     (d) it costs one ziggurat draw like an se observation;
 *     An indicator's proportions are percentages (scaled by 1/100 before and
 *     100 after) when its unit text contains '%' or "percent" (any case) or
 *     any of its values with an n is above 1; a value outside [0, 1] after
 *     scaling, or n <= 0, is taken as exact and counted in wilson_ignored;
 *   - else exact.
 * The draw is made in raw units and direction is applied after it (se draws
 * are symmetric, so they are added to results->prepared directly).
 *
 * Replication r (0 <= r < R) of year Y perturbs every observation of year Y
 * with draws from its own GSL mt19937 stream, seeded with
 *   h = splitmix64(splitmix64(splitmix64(seed) ^ r) ^ Y)
 * folded to 32 bits (mt19937 takes a 32-bit seed), in indicator-major,
 * unit-minor order. It then normalises with the NOMINAL parameters
 * (normalise_params_compute on the unperturbed prepared values, computed
 * once), aggregates up the tree with the nominal methods and ranks every
 * node plane. Because the parameters are fixed, years are independent
 * (except for rank/prank normalisation pooled over years, which ranks all
 * years of an indicator together: then every replication computes all years,
 * at nyear/years-per-chunk times the cost). A replication's numbers depend only on
 * (seed, r, Y): results are byte-identical for any thread count and any
 * memory budget.
 *
 * Percentile rule: R's default quantile (type 7) over the R replications,
 * at p_lo = (1 - level)/2 and p_hi = 1 - p_lo: h = (R - 1) p,
 * q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]) with x sorted
 * ascending (0-based). The same rule for ranks, so rank bounds may be
 * fractional (as in COINr's get_sensitivity). rank_low is the better
 * (smaller) rank. A score interval is the nominal score plus the quantiles
 * of the replications' deviations from it, so zero error gives exactly the
 * nominal score. Cells with a NaN nominal score get NaN bounds.
 *
 * Memory: exact percentiles need all R values of a cell at once. Years are
 * processed in chunks, last year first; a chunk keeps, per node x year x
 * unit cell, R deviations as float (their rounding, 6e-8 of the deviation,
 * is far below Monte Carlo error) and R ranks as uint16; with changes
 * requested, R floats per node x unit more (the last year's deviations).
 * With fixed parameters years are independent, so a chunk is one year (no
 * work is repeated); with pooled rank/prank normalisation a chunk holds as
 * many years as the budget allows (at least one). Store bytes =
 * R' * nnode * nunit * (6 * years_per_chunk + 4), R' = R rounded up to a
 * multiple of 16. Network scale (184 nodes x 356 units, R = 1000): 393 MB
 * a year + 262 MB for changes; measured peak RSS of the benchmark 713 MB.
 * Each thread adds one replication's planes and about 96 KB of block
 * buffers for the percentile pass (R = 1000).
 *
 * Speed: on CPUs with AVX-512F, the ranks of a plane and the tail
 * selection run on AVX-512 kernels (simd.h); the results are the same
 * bits as on the portable path, so they do not depend on the machine
 * either.
 *
 * Threads: each chunk's replications are split into contiguous blocks, one
 * per thread (pthreads), each replication writing its own row of the store;
 * the percentile step splits cells the same way.
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

/* Default budget for the replication store (bytes); see above. */
#define UNCERTAINTY_DEFAULT_BUDGET ((size_t)768 << 20)

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
    size_t chunks;           /* year chunks processed */
    size_t years_per_chunk;
    int all_years_per_replication; /* 1: pooled rank normalisation */
    size_t store_bytes;      /* replication store (largest chunk) */
    size_t unstable_cells;   /* cells whose score was missing in some
                                replication although present nominally
                                (bounds then use the replications with one) */
    double loop_seconds;     /* wall time of the replications (draws,
                                normalise, aggregate, ranks) */
    double summary_seconds;  /* wall time of the percentile pass */
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
    unsigned char *base_excludes_zero;        /* 1: interval excludes 0 */
    unsigned char *prev_excludes_zero;
};

void uncertainty_change_free(struct uncertainty_change *ch); /* NULL harmless */

/* Copy ch into tr (made by trend_compute_all for the same run):
 * change_low/change_high where tr's base and last years agree with ch's,
 * and the since-last-year fields appended to struct trends. Cannot fail. */
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
 * uncertainty_change_free); with R == 0 it holds the nominal changes and
 * NaN intervals.
 * threads <= 0: all online cores. progress (may be NULL) is called from
 * the calling thread only, with done rising to total. budget: bytes for the
 * replication store, 0 = UNCERTAINTY_DEFAULT_BUDGET.
 *
 * Intended order in `lcme run`: pipeline_run; uncertainty_run (fills the
 * intervals trend_compute_all uses to weight its fits); trend_compute_all;
 * uncertainty_change_apply.
 *
 * Returns 0, or -1 with the reason in d: bad settings (level not in (0, 1),
 * R < 0), more than 65,534 units, out of memory, or a replication whose
 * perturbed values leave the domain of a geometric/harmonic mean (the
 * first such replication is named). On failure res's interval arrays are
 * NULL. */
int uncertainty_run(const struct config *cfg, const struct framework *fw,
                    const struct cube *c, struct results *res,
                    struct uncertainty_change **chg, int threads,
                    void (*progress)(void *ctx, long done, long total),
                    void *ctx, size_t budget,
                    struct uncertainty_summary *sum, struct diag *d);

/* Sentences for the Notes sheet (method, R, level, seed, counts of
 * observations with error and exact, fallbacks), appended to nt. */
void uncertainty_notes_add(const struct uncertainty_summary *sum, struct notes *nt);

/* Wilson score interval of a proportion p from n trials at normal quantile
 * z (Brown, Cai and DasGupta 2001): *centre = (p + z^2/2n)/(1 + z^2/n),
 * *half = z/(1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2). NaN unless
 * 0 <= p <= 1, n > 0 and z > 0. */
void uncertainty_wilson(double p, double n, double z, double *centre,
                        double *half);

/* type-7 quantile at prob p (0..1) of the n values x (NaN skipped); x is
 * reordered. NaN when no value is present. Exposed for tests. */
double uncertainty_quantile(double *x, size_t n, double p);

#endif
