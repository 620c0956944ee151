/* test_tails.c: unit tests of engine/uncertainty/tails.c: the tail quantiles of a
 * cell's replications on the portable and the AVX-512 paths against
 * uncertainty_quantile (a full qsort and R's type-7 rule, itself checked
 * against R in test_uncertainty.c), over sizes on both sides of the
 * pre-filter's 256 values and of the network's 128 candidates, with normal,
 * skewed, tied and constant values; the rank quantiles against the same
 * rule on the expanded ranks; and the compaction kernels against a plain
 * loop. A worked example: the 2.5 % and 97.5 % quantiles of 1..1000 are
 * 1 + 999 * 0.025 = 25.975 and 1 + 999 * 0.975 = 975.025.
 *
 * The AVX-512 cases are skipped, with a message, on a CPU without AVX-512F.
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

#include "tails.h"
#include "testkit.h"
#include "uncertainty.h"

#define MAXM 4000

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static double unif(uint64_t *s) { return (double)lcg(s) / 9007199254740992.0; }

static double normal(uint64_t *s)
{
    double u = unif(s), v = unif(s);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* A work area for m values on the portable (simd 0) or AVX-512 path; NULL
 * when this CPU lacks the path. */
static struct tails_work *work_on(size_t m, int simd)
{
    struct tails_work *w = tails_work_alloc(m);
    assert_non_null(w);
    if (tails_work_set_simd(w, simd) != 0) {
        tails_work_free(w);
        return NULL;
    }
    return w;
}

/* Quantiles of v[0..m) at plo, phi on one path, and the reference. */
static int check(const float *v, size_t m, double plo, double phi, int simd)
{
    static float work[MAXM];
    static double ref[MAXM];
    struct tails_work *w = work_on(m, simd);
    if (!w) return 1;
    for (size_t k = 0; k < m; k++) ref[k] = v[k];
    double want_lo = uncertainty_quantile(ref, m, plo);
    for (size_t k = 0; k < m; k++) ref[k] = v[k];
    double want_hi = uncertainty_quantile(ref, m, phi);
    memcpy(work, v, m * sizeof *v);
    double lo, hi;
    tails_quantiles(w, work, m, plo, phi, &lo, &hi);
    if (lo != want_lo || hi != want_hi)
        fail_msg("simd %d, m = %zu, p = %g/%g: got %.9g/%.9g, want %.9g/%.9g",
                 simd, m, plo, phi, lo, hi, want_lo, want_hi);
    tails_work_free(w);
    return 0;
}

static void test_worked_example(void **state)
{
    (void)state;
    static float v[1000];
    for (int k = 0; k < 1000; k++) v[k] = (float)((k * 389) % 1000 + 1);
    for (int simd = 0; simd < 2; simd++) {
        struct tails_work *w = work_on(1000, simd);
        if (!w) continue;
        double lo, hi;
        tails_quantiles(w, v, 1000, 0.025, 0.975, &lo, &hi);
        tk_near(lo, 25.975, 1e-12);
        tk_near(hi, 975.025, 1e-12);
        tails_work_free(w);
    }
}

static void test_against_full_sort(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 40, 255, 256, 300, 999, 1000,
                                   1001, 2000, 4000};
    static const double levels[][2] = {{0.025, 0.975}, {0.05, 0.95},
                                       {0.005, 0.995}, {0.25, 0.75}};
    static float v[MAXM];
    uint64_t seed = 20161112;
    int skipped = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int kind = 0; kind < 5; kind++)
            for (size_t l = 0; l < 4; l++) {
                size_t m = sizes[s];
                for (size_t k = 0; k < m; k++) {
                    double z = normal(&seed);
                    if (kind == 0) v[k] = (float)(3.0 * z);
                    else if (kind == 1) v[k] = (float)exp(2.0 * z);   /* skewed */
                    else if (kind == 2) v[k] = (float)floor(2.0 * z); /* ties */
                    else if (kind == 3) v[k] = 1.5f;                   /* constant */
                    else v[k] = (float)(k < m / 2 ? -z * z : 1e-3 * z); /* two lumps */
                }
                check(v, m, levels[l][0], levels[l][1], 0);
                skipped |= check(v, m, levels[l][0], levels[l][1], 1);
            }
    if (skipped) print_message("AVX-512F not available: SIMD path skipped\n");
}

/* Replications with zeros of both signs: the network orders -0 below +0,
 * the quickselect takes either; both paths give the same bits, and a zero
 * quantile is +0. (Found by review: 369 of 2,000 such cells differed in
 * the sign of a zero before type 7 made zeros canonical.) */
static void test_signed_zeros(void **state)
{
    (void)state;
    static float v[1000], work[1000];
    uint64_t seed = 99;
    int skipped = 0;
    for (int trial = 0; trial < 200; trial++) {
        double got[2][2];
        for (int k = 0; k < 1000; k++) {
            double u = unif(&seed);
            v[k] = u < 0.06 ? (u < 0.03 ? -0.0f : 0.0f) : (float)(0.5 + unif(&seed));
        }
        for (int simd = 0; simd < 2; simd++) {
            struct tails_work *w = work_on(1000, simd);
            if (!w) {
                skipped = 1;
                got[1][0] = got[0][0];
                got[1][1] = got[0][1];
                continue;
            }
            memcpy(work, v, sizeof v);
            tails_quantiles(w, work, 1000, 0.025, 0.975, &got[simd][0],
                            &got[simd][1]);
            tails_work_free(w);
        }
        assert_memory_equal(got[0], got[1], sizeof got[0]);
        if (got[0][0] == 0.0) assert_false(signbit(got[0][0]));
    }
    if (skipped) print_message("AVX-512F not available: SIMD path skipped\n");
}

/* Ranks 1..8 with known counts: the quantiles of the expanded list. */
static void test_rank_quantiles(void **state)
{
    (void)state;
    uint32_t hist[10] = {0, 3, 0, 250, 500, 200, 40, 0, 7, 0};
    static double expanded[1000];
    size_t m = 0;
    for (int r = 0; r < 10; r++)
        for (uint32_t c = 0; c < hist[r]; c++) expanded[m++] = r;
    /* uncertainty_quantile sorts in place: the multiset stays the same */
    double want_lo = uncertainty_quantile(expanded, m, 0.025);
    double want_hi = uncertainty_quantile(expanded, m, 0.975);
    double lo, hi;
    tails_rank_quantiles(hist, 1, 8, m, 0.025, 0.975, &lo, &hi);
    assert_true(lo == want_lo && hi == want_hi);
    for (int r = 0; r < 10; r++) assert_int_equal(hist[r], 0);
}

static void test_compaction(void **state)
{
    (void)state;
    static float a[1037], b[1037], got[1037 + 16], want[1037];
    uint64_t seed = 3;
    for (size_t k = 0; k < 1037; k++) {
        a[k] = unif(&seed) < 0.1 ? NAN : (float)normal(&seed);
        b[k] = unif(&seed) < 0.1 ? NAN : (float)normal(&seed);
    }
    for (int simd = 0; simd < 2; simd++) {
        struct tails_work *w = work_on(1037, simd);
        if (!w) continue;
        for (size_t n = 0; n <= 1037; n += n < 40 ? 1 : 333) {
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (!isnan(a[k])) want[m++] = a[k];
            assert_int_equal(tails_compact(w, a, n, got), m);
            assert_memory_equal(got, want, m * sizeof *got);
            m = 0;
            for (size_t k = 0; k < n; k++) {
                float d = (float)((double)a[k] - (double)b[k]);
                if (!isnan(d)) want[m++] = d;
            }
            assert_int_equal(tails_compact_diff(w, a, b, n, got), m);
            assert_memory_equal(got, want, m * sizeof *got);
        }
        tails_work_free(w);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_against_full_sort),
        cmocka_unit_test(test_signed_zeros),
        cmocka_unit_test(test_rank_quantiles),
        cmocka_unit_test(test_compaction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
