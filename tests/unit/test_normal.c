/* test_normal.c: unit tests of engine/uncertainty/normal.c, the Monte
 * Carlo stage's normal draws.
 *
 * Where the expected values come from:
 *   - xoshiro256++: its first six outputs from the state {1, 2, 3, 4},
 *     computed by a Python transcription of the generator's published
 *     definition (Blackman and Vigna 2021), kept below;
 *   - the ziggurat's tables: recomputed here from their definition
 *     (Doornik 2005) in double, and every layer's area checked against V;
 *   - the draws: their distribution against GSL's normal CDF (Kolmogorov-
 *     Smirnov on 2 x 10^6 draws), the share beyond the base layer's edge r
 *     (the tail path) against 2 (1 - Phi(r)), the shares beyond -1 and 1,
 *     and the first two moments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "normal.h"

/* The six outputs, from this transcription (Python 3):
 *   M = 2**64 - 1; rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & M
 *   s = [1, 2, 3, 4]
 *   for _ in range(6):
 *       r = (rotl((s[0] + s[3]) & M, 23) + s[0]) & M; t = (s[1] << 17) & M
 *       s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
 *       s[3] = rotl(s[3], 45); print(hex(r))
 */
static void test_xoshiro(void **state)
{
    (void)state;
    static const uint64_t want[6] = {0x2800001ULL, 0x3800067ULL, 0xcc00003800067ULL,
                                     0xcc201994400b2ULL, 0x8012a2019ac433cdULL,
                                     0x8a69978acdee33baULL};
    uint64_t s[4] = {1, 2, 3, 4};
    for (int k = 0; k < 6; k++) assert_true(normal_xoshiro(s) == want[k]);
}

/* Each lane's state is the splitmix64 sequence of h, 4 words a lane. */
static void test_seed(void **state)
{
    (void)state;
    struct normal_lanes z;
    normal_seed(&z, 12345);
    uint64_t x = 12345;
    for (int j = 0; j < NORMAL_LANES; j++)
        for (int w = 0; w < 4; w++) assert_true(z.s[j][w] == normal_splitmix64(&x));
    /* lanes differ */
    assert_true(z.s[0][0] != z.s[1][0]);
}

/* The tables from their definition: x_1 = r, x_(i+1) = sqrt(-2 log(V/x_i +
 * f(x_i))), x_0 = V / f(r), x_128 = 0; every layer i >= 1 has area
 * x_i (f(x_(i+1)) - f(x_i)) = V, and the ratios are x_(i+1) / x_i (to 2
 * ulps: both were rounded from long double). */
static void test_tables(void **state)
{
    (void)state;
    const double R = NORMAL_ZIG_R, V = 9.91256303526217e-3;
    double f = exp(-0.5 * R * R), x = R;
    assert_true(fabs(normal_zig_x[0] - V / f) <= 1e-14 * normal_zig_x[0]);
    assert_true(normal_zig_x[1] == R);
    assert_true(normal_zig_x[NORMAL_ZIG_LAYERS] == 0.0);
    for (int i = 2; i < NORMAL_ZIG_LAYERS; i++) {
        x = sqrt(-2.0 * log(V / x + f));
        f = exp(-0.5 * x * x);
        assert_true(fabs(normal_zig_x[i] - x) <= 1e-12 * x);
    }
    for (int i = 1; i < NORMAL_ZIG_LAYERS - 1; i++) {
        double a = normal_zig_x[i] * (exp(-0.5 * normal_zig_x[i + 1] * normal_zig_x[i + 1]) -
                                      exp(-0.5 * normal_zig_x[i] * normal_zig_x[i]));
        assert_true(fabs(a - V) <= 1e-10 * V);
    }
    for (int i = 0; i < NORMAL_ZIG_LAYERS; i++)
        assert_true(fabs(normal_zig_ratio[i] - normal_zig_x[i + 1] / normal_zig_x[i]) <=
                    4.5e-16 * normal_zig_ratio[i]);
}

/* normal_fill, in chunks of 1,024 and a remainder, on both paths, gives
 * the stream's draws as normal_next takes them from lane q mod 8, bit for
 * bit (the AVX-512 path runs where the CPU has it; 20,003 draws pass the
 * slow paths about 240 times). */
static void test_fill(void **state)
{
    (void)state;
    enum { N = 20003 };
    double *want = malloc(N * sizeof *want), *got = malloc(N * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    struct normal_lanes a, b;
    normal_seed(&a, 99);
    for (size_t q = 0; q < N; q++) want[q] = normal_next(a.s[q % NORMAL_LANES]);
    for (int portable = 0; portable < 2; portable++) {
        normal_seed(&b, 99);
        for (size_t q = 0; q < N; q += 1024)
            normal_fill(&b, got + q, N - q < 1024 ? N - q : 1024, portable);
        for (size_t q = 0; q < N; q++) assert_true(memcmp(&got[q], &want[q], sizeof *got) == 0);
    }
    free(want);
    free(got);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 2 x 10^6 draws over the eight lanes, as draws.c takes them. */
static void test_distribution(void **state)
{
    (void)state;
    enum { N = 2000000 };
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    struct normal_lanes z;
    normal_seed(&z, 20161112);
    double sum = 0, sum2 = 0;
    size_t tail = 0;
    for (size_t q = 0; q < N; q++) {
        v[q] = normal_next(z.s[q % NORMAL_LANES]);
        sum += v[q];
        sum2 += v[q] * v[q];
        tail += fabs(v[q]) > NORMAL_ZIG_R;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    assert_true(fabs(mean) < 5.0 / sqrt(N));
    assert_true(fabs(var - 1.0) < 5.0 * sqrt(2.0 / N));
    /* the tail path: 2 (1 - Phi(r)) = 5.76e-4, about 1,152 of N */
    double pt = 2.0 * gsl_cdf_ugaussian_Q(NORMAL_ZIG_R), et = pt * N;
    assert_true(fabs((double)tail - et) < 5.0 * sqrt(et));
    /* Kolmogorov-Smirnov: sqrt(N) D above 1.95 has probability 0.001 */
    qsort(v, N, sizeof *v, cmp_dbl);
    double D = 0;
    for (size_t q = 0; q < N; q++) {
        double F = gsl_cdf_ugaussian_P(v[q]);
        D = fmax(D, fmax(fabs(F - (double)q / N), fabs((double)(q + 1) / N - F)));
    }
    assert_true(sqrt((double)N) * D < 1.95);
    /* symmetric: as many below -1 as above 1 */
    size_t below = 0, above = 0;
    for (size_t q = 0; q < N; q++) {
        below += v[q] < -1.0;
        above += v[q] > 1.0;
    }
    double e1 = gsl_cdf_ugaussian_Q(1.0) * N;
    assert_true(fabs((double)below - e1) < 5.0 * sqrt(e1));
    assert_true(fabs((double)above - e1) < 5.0 * sqrt(e1));
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xoshiro),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_distribution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
