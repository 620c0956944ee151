/* tails.h: exact type-7 tail quantiles of many streams of Monte Carlo
 * replications, kept without storing the replications.
 *
 * A percentile interval at level L over R replications needs, of each
 * cell, only the order statistics around (R - 1) * (1 - L)/2 from each
 * end: with p = (1 - L)/2 and m = floor((R - 1) p) + 2, the m smallest and
 * the m largest values hold every order statistic R's type-7 quantile at p
 * and 1 - p reads, whatever number n <= R of them is present. So a stream
 * keeps two sorted buffers of m values and a threshold each (the m-th): a
 * value beyond a threshold is inserted in its buffer in place, the least
 * extreme dropping out. After warm-up a value is a candidate with
 * probability about m / r at replication r, so the common path is two
 * comparisons and a stream takes about m ln(R/m) insertions over R
 * replications.
 *
 *   struct tails *t = tails_new(ncell, R, p);          // once
 *   tails_add(t, row, c0, c1);                         // per replication
 *   tails_quantiles(t, cell, &lo, &hi, &n);            // at the end
 *
 * The result is the type-7 quantile a full sort of the stream gives, bit
 * for bit, and does not depend on the order the values came in (so not on
 * how replications were split among threads). Rows may be added to
 * disjoint cell ranges from different threads at once.
 *
 * Memory: tails_bytes(), per cell 8 m + 12 bytes for a float stream and
 * 4 m + 8 for its ranks: at network scale (720,544 cells, R = 1000,
 * L = 0.95: m = 26) 228 MB for the score and rank streams; at 1,000 units
 * (2,024,000 cells, R = 200: m = 6) 178 MB. (Buffers of m + max(16, m/2)
 * values compacted by sorts took 371 MB and 579 MB, and the feed took
 * 1.4 times (R = 1000) to 2 times (R = 200) the CPU time.)
 *
 * Speed: where the CPU has AVX-512 (F and BW) and m <= 32, tails.c takes
 * the rows in blocks of up to 16 (TAILS_BLOCK_ROWS): a cell's block is
 * compared with both thresholds at once, a lone candidate goes in by one
 * insertion in registers, and a crowded block is sorted by a bitonic
 * network and merged into the buffers. Blocks of fewer than 12 rows go
 * value by value, each candidate by one insertion in registers. The feed
 * alone (720,000 cells, R = 1000, m = 26, one thread, CPU time, three
 * alternating runs on a loaded host): 6.9-7.4 s in blocks of 16 rows
 * against 10.5-11.1 s value by value in rows of 6; blocks of 12 rows
 * 8.9-9.1 s, of 8 rows 10.6-10.9 s, which is why blocks under 12 rows go
 * value by value. At 1,000 units (2,024,000 cells, R = 200, rows of 2:
 * value by value either way) 7.0-7.9 s against 7.7 s. The insertions in
 * registers, one value at a time, took 11.5-11.9 s against 18.6 s with
 * the portable insertion loop (network scale, whole stage's feed).
 * A block's values reach a cell's register by a transpose: 16 cells' part
 * of each of the 16 rows is one load, and 64 shuffles give 16 cells their
 * blocks. With a 16-lane gather a cell (about 25 cycles on the benchmark
 * host) and the ranks copied through memory, the feed took 6.39-7.61 s
 * against 4.13-5.28 s (network scale, R = 1000, one thread, alternating
 * runs on a loaded host). Tiles of 1,024 cells taking every block of a
 * batch of 32 rows, so that a cell's buffers serve two blocks while in
 * cache: no change (7.75 s against 7.63 s).
 * Dropped, measured value by value (rows of 6, 8.9-11.0 s as is):
 * screening 16 cells' values at once against their thresholds, 9.2-10.8 s;
 * buffers padded to 32 values at cache lines, 11.1-12.6 s; buffers in huge
 * pages, 10.2-10.6 s; prefetching the rows' values 256 cells ahead, no
 * change; and in blocks: the uint16 ranks gathered as 32-bit words, no
 * change.
 *
 * Two value types share the logic: float streams (score deviations and
 * changes) and uint16 streams (ranks, 0 = missing); NaN is missing.
 */
#ifndef LCME_TAILS_H
#define LCME_TAILS_H

#include <stddef.h>
#include <stdint.h>

struct tails;

/* Rows tails_add_rows takes as one block (tails.c, and Speed above):
 * batches of a multiple of it feed fastest. */
#define TAILS_BLOCK_ROWS 16

/* Streams for ncell cells of at most R replications each, for quantiles at
 * p and 1 - p (0 < p <= 0.5); ranks: 1 to keep a uint16 rank stream beside
 * each float stream. NULL when out of memory, the sizes overflow or R is
 * above tails_max_replications(p). */
struct tails *tails_new(size_t ncell, long R, double p, int ranks);
void tails_free(struct tails *t);   /* NULL harmless */

/* The most replications tails_new takes at tail probability p (27,280 at
 * p = 0.025, 2,728 at p = 0.25). */
long tails_max_replications(double p);

/* Bytes tails_new(ncell, R, p, ranks) allocates (for budgets and notes). */
size_t tails_bytes(size_t ncell, long R, double p, int ranks);

/* One replication's values of cells [c0, c1): v[k - c0] is cell k's value
 * (NaN missing); rk (NULL when the streams have no ranks) its rank
 * (0 missing). */
void tails_add(struct tails *t, const float *v, const uint16_t *rk, size_t c0, size_t c1);

/* nb replications at once: row b's values of cells [c0, c1) are
 * v[b * stride + (k - c0)] (and rk likewise). The same as nb calls of
 * tails_add, faster: a cell's state stays in registers across the rows. */
void tails_add_rows(struct tails *t, const float *v, const uint16_t *rk, size_t stride,
                    long nb, size_t c0, size_t c1);

/* Feed t with the portable code even where the AVX-512 insertions run (for
 * tests: both paths give the same buffers, bit for bit). */
void tails_set_portable(struct tails *t);

/* Type-7 quantiles at p and 1 - p of cell's values: *lo, *hi (NaN when no
 * value was present); *n the number present. */
void tails_quantiles(const struct tails *t, size_t cell, double *lo, double *hi,
                     size_t *n);

/* The same of its ranks (NaN when none). */
void tails_rank_quantiles(const struct tails *t, size_t cell, double *lo, double *hi);

/* R's type-7 rule: x[lo] + h (x[hi] - x[lo]) for the sorted order statistics
 * xk = x[lo], xk1 = x[hi] and the fractional part h of 1 + (n - 1) p; a zero
 * result is +0. */
double tails_type7(double xk, double xk1, double h);

#endif
