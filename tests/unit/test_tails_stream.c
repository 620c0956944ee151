/* test_tails_stream.c: unit tests of engine/uncertainty/tails.c, the
 * streaming order statistics: on random streams (ties, NaN, signed zeros,
 * cells with fewer values than the buffers keep, R from 1 to 5,000 and
 * several tail probabilities) the type-7 quantiles read from the bounded
 * buffers must equal, bit for bit, those of a full sort of every value the
 * stream received, whatever order the replications arrive in and however
 * the cells are split; and the same for uint16 rank streams (0 missing).
 *
 * Rows are fed one replication at a time (tails_add) and in batches
 * (tails_add_rows), which the AVX-512 code takes in blocks of up to 16
 * rows or value by value.
 *
 * The reference is computed here from its definition (R's quantile type 7:
 * index 1 + (n - 1) p, x[floor] + h (x[ceil] - x[floor]) on the sorted
 * values, h the fractional part; a zero result is +0, as tails.h states),
 * not through any function of the engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tails.h"

/* ---- the reference: a full sort ------------------------------------------ */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Type-7 quantile at p of the n sorted values x; NaN when n == 0. */
static double ref_type7(const double *x, size_t n, double p)
{
    if (n == 0) return NAN;
    double index = 1.0 + (double)(n - 1) * p;
    double fl = floor(index);
    size_t lo = (size_t)fl - 1, hi = (size_t)ceil(index) - 1;
    if (hi > n - 1) hi = n - 1;
    double q = x[lo] + (index - fl) * (x[hi] - x[lo]);
    return q == 0.0 ? 0.0 : q;
}

/* Quantiles at p and 1 - p of the present values of column `cell` of the
 * R x ncell matrix v (NaN missing); *n the number present. buf holds R. */
static void ref_quantiles(const float *v, long R, size_t ncell, size_t cell, double p,
                          double *buf, double *lo, double *hi, size_t *n)
{
    size_t m = 0;
    for (long r = 0; r < R; r++) {
        float x = v[(size_t)r * ncell + cell];
        if (!isnan(x)) buf[m++] = (double)x;
    }
    qsort(buf, m, sizeof *buf, cmp_dbl);
    *n = m;
    *lo = ref_type7(buf, m, p);
    *hi = ref_type7(buf, m, 1.0 - p);
}

static void ref_rank_quantiles(const uint16_t *rk, long R, size_t ncell, size_t cell,
                               double p, double *buf, double *lo, double *hi)
{
    size_t m = 0;
    for (long r = 0; r < R; r++) {
        uint16_t x = rk[(size_t)r * ncell + cell];
        if (x) buf[m++] = (double)x;
    }
    qsort(buf, m, sizeof *buf, cmp_dbl);
    *lo = ref_type7(buf, m, p);
    *hi = ref_type7(buf, m, 1.0 - p);
}

/* Bit for bit, so that -0 against +0 or a last-bit difference fails; two
 * NaN agree. */
static void same_bits(double got, double want, const char *what, long R, double p,
                      size_t cell)
{
    if (isnan(got) && isnan(want)) return;
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s: R %ld p %g cell %zu: got %.17g, want %.17g", what, R, p, cell, got,
                 want);
}

/* ---- random streams ------------------------------------------------------ */

/* Kinds of cell, by cell index modulo NKIND. */
enum {
    K_NORMAL,      /* continuous, no ties */
    K_TIES,        /* integers in [-3, 3]: heavy ties, signed zeros */
    K_SPARSE,      /* present with probability 0.01: often n < m */
    K_HALF,        /* present with probability 0.5, coarse ties */
    K_CONST,       /* one value repeated */
    K_EMPTY,       /* never present */
    K_DRIFT,       /* rising with r: the extremes arrive last */
    K_FALL,        /* falling with r: the extremes arrive first */
    NKIND
};

static float draw_value(gsl_rng *g, size_t cell, long r, long R)
{
    switch (cell % NKIND) {
    case K_NORMAL: return (float)gsl_ran_gaussian(g, 1.0 + (double)cell);
    case K_TIES: {
        double x = floor(7.0 * gsl_rng_uniform(g)) - 3.0;
        if (x == 0.0 && gsl_rng_uniform(g) < 0.5) x = -0.0;
        return (float)x;
    }
    case K_SPARSE:
        return gsl_rng_uniform(g) < 0.01 ? (float)gsl_ran_gaussian(g, 1.0) : NAN;
    case K_HALF:
        return gsl_rng_uniform(g) < 0.5 ? (float)(0.25 * floor(8 * gsl_rng_uniform(g)))
                                        : NAN;
    case K_CONST: return 2.5f;
    case K_EMPTY: return NAN;
    case K_DRIFT: return (float)((double)r / (double)R + 1e-3 * gsl_rng_uniform(g));
    default: return (float)((double)(R - r) + 0.5 * floor(4 * gsl_rng_uniform(g)));
    }
}

/* Ranks: 0 (missing) one time in five, else 1..nu with ties. */
static uint16_t draw_rank(gsl_rng *g, size_t cell)
{
    if (cell % 5 == 4 && gsl_rng_uniform(g) < 0.98) return 0;   /* sparse */
    if (gsl_rng_uniform(g) < 0.2) return 0;
    size_t nu = 2 + cell % 40;
    return (uint16_t)(1 + gsl_rng_uniform_int(g, nu));
}

enum { NCELL = 3 * NKIND + 1 };

/* Feed the R x NCELL matrices to t in the replication order `order`,
 * each row split into the cell ranges [0, cut) and [cut, NCELL) (added in
 * that order or the reverse, as a second thread might). nb > 0: by
 * tails_add_rows, nb replications at a time (rows taken in `order` and
 * copied into a batch); nb == 0: by tails_add, one at a time. */
static void feed(struct tails *t, const float *v, const uint16_t *rk, const long *order,
                 long R, size_t cut, long nb)
{
    if (nb == 0) {
        for (long j = 0; j < R; j++) {
            size_t row = (size_t)order[j] * NCELL;
            if (j % 2) {
                tails_add(t, v + row + cut, rk + row + cut, cut, NCELL);
                tails_add(t, v + row, rk + row, 0, cut);
            } else {
                tails_add(t, v + row, rk + row, 0, cut);
                tails_add(t, v + row + cut, rk + row + cut, cut, NCELL);
            }
        }
        return;
    }
    float *bv = malloc((size_t)nb * NCELL * sizeof *bv);
    uint16_t *br = malloc((size_t)nb * NCELL * sizeof *br);
    assert_true(bv && br);
    for (long j0 = 0; j0 < R; j0 += nb) {
        long n = R - j0 < nb ? R - j0 : nb;
        for (long b = 0; b < n; b++) {
            memcpy(bv + (size_t)b * NCELL, v + (size_t)order[j0 + b] * NCELL,
                   NCELL * sizeof *bv);
            memcpy(br + (size_t)b * NCELL, rk + (size_t)order[j0 + b] * NCELL,
                   NCELL * sizeof *br);
        }
        tails_add_rows(t, bv + cut, br + cut, NCELL, n, cut, NCELL);
        tails_add_rows(t, bv, br, NCELL, n, 0, cut);
    }
    free(bv);
    free(br);
}

static void check_stream(long R, double p, unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    size_t nv = (size_t)R * NCELL + 1;
    float *v = malloc(nv * sizeof *v);
    uint16_t *rk = malloc(nv * sizeof *rk);
    long *fwd = malloc(((size_t)R + 1) * sizeof *fwd);
    long *shuf = malloc(((size_t)R + 1) * sizeof *shuf);
    double *buf = malloc(((size_t)R + 1) * sizeof *buf);
    assert_true(v && rk && fwd && shuf && buf);
    for (long r = 0; r < R; r++)
        for (size_t k = 0; k < NCELL; k++) {
            v[(size_t)r * NCELL + k] = draw_value(g, k, r, R);
            rk[(size_t)r * NCELL + k] = draw_rank(g, k);
        }
    for (long r = 0; r < R; r++) fwd[r] = shuf[r] = r;
    if (R > 1) gsl_ran_shuffle(g, shuf, (size_t)R, sizeof *shuf);

    /* in order, one range; shuffled, two ranges; shuffled in batches of
     * 32 (two blocks of 16), of 13 (blocks of 13) and of 7 (value by
     * value); and batches of 7 through the portable code (the others take
     * the AVX-512 code where the CPU has it and m <= 32) */
    enum { NS = 6 };
    struct tails *ts[NS];
    const long *orders[NS] = {fwd, shuf, shuf, shuf, shuf, shuf};
    const size_t cuts[NS] = {NCELL, NCELL / 3, NCELL / 2, 1, NCELL / 2, NCELL / 5};
    const long nbs[NS] = {0, 0, 32, 7, 7, 13};
    for (int s = 0; s < NS; s++) {
        ts[s] = tails_new(NCELL, R, p, 1);
        assert_non_null(ts[s]);
        if (s == 4) tails_set_portable(ts[s]);
        feed(ts[s], v, rk, orders[s], R, cuts[s], nbs[s]);
    }
    for (size_t k = 0; k < NCELL; k++) {
        double wlo, whi;
        size_t wn;
        ref_quantiles(v, R, NCELL, k, p, buf, &wlo, &whi, &wn);
        for (int s = 0; s < NS; s++) {
            double lo, hi;
            size_t n;
            tails_quantiles(ts[s], k, &lo, &hi, &n);
            assert_int_equal(n, wn);
            same_bits(lo, wlo, "low", R, p, k);
            same_bits(hi, whi, "high", R, p, k);
        }
        ref_rank_quantiles(rk, R, NCELL, k, p, buf, &wlo, &whi);
        for (int s = 0; s < NS; s++) {
            double lo, hi;
            tails_rank_quantiles(ts[s], k, &lo, &hi);
            same_bits(lo, wlo, "rank low", R, p, k);
            same_bits(hi, whi, "rank high", R, p, k);
        }
    }
    for (int s = 0; s < NS; s++) tails_free(ts[s]);
    free(v);
    free(rk);
    free(fwd);
    free(shuf);
    free(buf);
    gsl_rng_free(g);
}

/* R around the buffer sizes (m = floor((R - 1) p) + 2: R = 39, 40, 41 put
 * the 2.5 % index on both sides of a whole number; at p = 0.025, 600 and
 * 601 give m = 16 and 17 (one AVX-512 register of floats, or two), 1,201
 * and 1,241 m = 32 and 33 (the largest the AVX-512 insertions take, and
 * the portable code past it); 5,000 many insertions), tail probabilities from 0.005 to the median, and the
 * largest R the buffers take at each p (tails_max_replications; one more
 * is refused), except at p = 0.005 (over 100,000). */
static void test_streams(void **state)
{
    (void)state;
    const long Rs[] = {1, 2, 3, 7, 39, 40, 41, 100, 600, 601, 1000, 1001, 1201, 1241, 5000, 0};
    const double ps[] = {0.025, 0.05, 0.005, 0.25, 0.5};
    unsigned long seed = 1;
    for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
        long rmax = tails_max_replications(ps[j]);
        assert_true(rmax >= 1000);
        struct tails *over = tails_new(1, rmax + 1, ps[j], 1);
        assert_null(over);
        for (size_t i = 0; i < sizeof Rs / sizeof Rs[0]; i++) {
            long R = Rs[i] ? Rs[i] : rmax;
            if (R <= rmax && (Rs[i] != 0 || ps[j] != 0.005))
                check_stream(R, ps[j], seed++);
        }
    }
}

/* Streams without ranks answer NaN for ranks; cells that never got a value
 * answer NaN with n = 0; bad settings give NULL. */
static void test_edges(void **state)
{
    (void)state;
    struct tails *t = tails_new(3, 10, 0.025, 0);
    assert_non_null(t);
    const float row[3] = {1.0f, NAN, -2.0f};
    tails_add(t, row, NULL, 0, 3);
    double lo, hi;
    size_t n = 99;
    tails_quantiles(t, 1, &lo, &hi, &n);
    assert_int_equal(n, 0);
    assert_true(isnan(lo) && isnan(hi));
    tails_quantiles(t, 2, &lo, &hi, &n);
    assert_int_equal(n, 1);
    assert_true(lo == -2.0 && hi == -2.0);
    tails_rank_quantiles(t, 0, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    tails_free(t);
    tails_free(NULL);
    assert_null(tails_new(3, 10, 0.0, 1));
    assert_null(tails_new(3, 10, 0.6, 1));
    assert_null(tails_new(3, -1, 0.025, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
