/* sobol.h: variance-based sensitivity indices of a model output from the
 * Saltelli (2010) sample design, with bootstrap intervals (METHODS.md section 8
 * "Sobol indices"). Pure arithmetic on arrays: the engine's sensitivity runs
 * use it on the mean absolute rank shift and on each unit's rank, the tests
 * on functions with known indices (Ishigami, Sobol's g-function).
 *
 * Design. Point j (0 <= j < n) of GSL's 2d-dimensional Sobol sequence
 * (gsl_qrng_sobol; its first point is (0.5, ..., 0.5), the all-zero point
 * is never returned) gives row j of two n x d matrices: A its first d
 * coordinates, B its last d. The model runs on n (d + 2) rows in this
 * order (the run index):
 *
 *   [0, n)                      A
 *   [n, 2n)                     B
 *   [(2 + i) n, (3 + i) n)      A_B^(i): A with column i taken from B
 *
 * Estimators (Saltelli et al. 2010, Table 2, (b) and (f)), over the rows j
 * where f(A)_j, f(B)_j and f(A_B^i)_j are all finite (n_i of them):
 *
 *   V     = sample variance (n - 1) of the finite f(A) and f(B) values
 *   S_i   = (1/n_i) sum_j f(B)_j (f(A_B^i)_j - f(A)_j) / V
 *   ST_i  = (1/(2 n_i)) sum_j (f(A)_j - f(A_B^i)_j)^2 / V      (Jansen 1999)
 *
 * (COINr's SA_estimate computes the same two.) NaN when V is 0 or not
 * defined, or n_i is 0.
 *
 * Bootstrap: resample b (0 <= b < nboot) draws n row indices with
 * replacement from its own mt19937 stream seeded from (seed, b) and
 * recomputes V, S_i and ST_i on them (every index of a resample shares its
 * rows); the interval is the type-7 percentile interval at level (e.g. 0.95:
 * the 2.5% and 97.5% quantiles). It measures the estimates' Monte Carlo
 * error, not any uncertainty of the model. The same seed gives the same
 * intervals; nothing depends on threads.
 */
#ifndef LCME_SOBOL_H
#define LCME_SOBOL_H

#include <stddef.h>

/* Most assumptions: GSL's Sobol sequence has 40 dimensions, the design 2d. */
#define SOBOL_MAX_D 20

/* Rows j of A and B: a[j * d + i], b[j * d + i] in (0, 1), for n rows and d
 * dimensions (1 <= d <= SOBOL_MAX_D). Returns 0, or -1 (d out of range or
 * out of memory). */
int sobol_design(size_t n, int d, double *a, double *b);

/* The point estimates and intervals of one input. */
struct sobol_index {
    double si, si_low, si_high;    /* first order */
    double sti, sti_low, sti_high; /* total */
    size_t rows;                   /* rows used (n_i) */
};

/* Indices of every input from y, the n (d + 2) outputs in run order (NaN
 * where a run gave no output). nboot = 0: the intervals are NaN. Returns 0,
 * or -1 on ENOMEM. out receives d entries. */
int sobol_estimate(const double *y, size_t n, int d, long nboot, double level,
                   unsigned long seed, struct sobol_index *out);

/* The point estimates only (no bootstrap, no allocation): si[i], sti[i]. */
void sobol_point(const double *y, size_t n, int d, double *si, double *sti);

#endif
