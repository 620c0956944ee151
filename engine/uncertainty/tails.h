/* tails.h: the two tail quantiles of one cell's Monte Carlo replications
 * (R's type 7, METHODS.md section 6), and the kernels that feed them.
 *
 * uncertainty.c gathers a cell's R deviations (or changes) and ranks from
 * the replication store and calls these; they never allocate after
 * tails_work_alloc. Where the CPU has AVX-512F, compaction, the candidate
 * filter and the selection among candidates run on it; every result is
 * the same as on the portable path (tests/unit/test_tails.c).
 */
#ifndef LCME_TAILS_H
#define LCME_TAILS_H

#include <stddef.h>
#include <stdint.h>

struct tails_work;

/* A work area for cells of up to nmax values, using AVX-512 where this CPU
 * has it. Returns NULL when out of memory. */
struct tails_work *tails_work_alloc(size_t nmax);
void tails_work_free(struct tails_work *w);            /* NULL harmless */

/* simd = 0: portable code only; 1: AVX-512 where available. Returns 0, or
 * -1 when simd = 1 and this CPU or build lacks AVX-512 (then portable).
 * For tests and benchmarks. */
int tails_work_set_simd(struct tails_work *w, int simd);

/* The non-NaN values of src[0..n) into dst, in order; returns how many.
 * dst holds n + 16 floats. */
size_t tails_compact(const struct tails_work *w, const float *src, size_t n,
                     float *dst);

/* The non-NaN differences (float)((double)a[k] - (double)b[k]), k < n,
 * into dst, in order; returns how many. dst holds n + 16 floats. */
size_t tails_compact_diff(const struct tails_work *w, const float *a,
                          const float *b, size_t n, float *dst);

/* Type-7 quantiles at plo and phi (0 <= plo <= phi <= 1) of the m >= 1
 * values v[0..m) (no NaN, m <= nmax); v may be reordered. */
void tails_quantiles(struct tails_work *w, float *v, size_t m, double plo,
                     double phi, double *qlo, double *qhi);

/* The same for m >= 1 ranks counted in hist[lo..hi] (hist[r] = how many
 * replications gave rank r); hist[lo..hi] is cleared on return.
 * O(m + hi - lo). */
void tails_rank_quantiles(uint32_t *hist, size_t lo, size_t hi, size_t m,
                          double plo, double phi, double *qlo, double *qhi);

/* R's type-7 rule on the sorted order statistics xk = x[lo-1] and
 * xk1 = x[hi-1], given the fractional part h of index = 1 + (m - 1) p.
 * A zero result is +0, whichever zeros the order statistics were. */
double tails_type7(double xk, double xk1, double h);

#endif
