/* test_rank_plane.c: unit tests of engine/uncertainty/rank_plane.c: a hand-worked
 * plane, then both paths (bucket pass, AVX-512 network) against rank_run
 * (engine/stages/rank.c, a radix sort: an independent implementation of the same
 * ranks) on planes of every size class, with ties, NaN, -0 and +0, values
 * closer than one quantum, and ranges that are not finite.
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

#include "rank.h"
#include "rank_plane.h"

#define MAXN 1100

/* rank_run's descending ranks as rank_plane stores them (0 for NaN) */
static void reference(const double *x, size_t n, uint16_t *out)
{
    static double r[MAXN];
    static struct rank_pair pair[2 * MAXN];
    rank_run(x, n, 1, 1, r, pair);
    for (size_t k = 0; k < n; k++) out[k] = isnan(r[k]) ? 0 : (uint16_t)r[k];
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 11;
}

static double unif(uint64_t *s) { return (double)lcg(s) / 9007199254740992.0; }

/* A work area for n values on path p; NULL when this CPU lacks it. */
static struct rank_plane_work *work_on(size_t n, enum rank_plane_path p)
{
    struct rank_plane_work *w = rank_plane_work_alloc(n);
    assert_non_null(w);
    if (rank_plane_work_set_path(w, p) != 0) {
        rank_plane_work_free(w);
        return NULL;
    }
    return w;
}

/* Rank x on the given path and compare with rank_run; returns 1 when the
 * path is not available here. */
static int check(const double *x, size_t n, enum rank_plane_path path)
{
    struct rank_plane_work *w = work_on(n, path);
    if (!w) return 1;
    uint16_t got[MAXN], want[MAXN];
    memset(got, 0xAB, sizeof got);
    reference(x, n, want);
    rank_plane(x, n, got, w);
    for (size_t k = 0; k < n; k++) {
        if (got[k] != want[k])
            fail_msg("%s, n = %zu: unit %zu ranked %u, rank_run says %u",
                     rank_plane_path_name(path), n, k, got[k], want[k]);
    }
    rank_plane_work_free(w);
    return 0;
}

static int check_both(const double *x, size_t n)
{
    check(x, n, RANK_PLANE_BUCKET);
    return check(x, n, RANK_PLANE_AVX512);
}

/* Worked by hand: descending, ties at the smallest rank, NaN 0. */
static void test_by_hand(void **state)
{
    (void)state;
    const double x[] = {3.0, NAN, 5.0, 3.0, -1.0, -0.0, 0.0};
    /* 5 > 3 = 3 > -0 = +0 > -1 */
    const uint16_t want[] = {2, 0, 1, 2, 6, 4, 4};
    for (int path = 0; path < 2; path++) {
        struct rank_plane_work *w = work_on(7, (enum rank_plane_path)path);
        if (!w) continue;
        uint16_t got[7];
        rank_plane(x, 7, got, w);
        assert_memory_equal(got, want, sizeof want);
        rank_plane_work_free(w);
    }
}

/* Random planes across the network's size classes (up to 128, 256, 384 and
 * 512 values) and past them, plain, with ties and with NaN. */
/* rank_run_ties: average ties, as R's rank(ties.method = "average"):
 * rank(c(50, 70, 50, NA, 90), na.last = "keep") = 1.5 3 1.5 NA 4, and the
 * same descending: 3.5 2 3.5 NA 1. */
static void test_average_ties(void **state)
{
    (void)state;
    const double x[5] = {50, 70, 50, NAN, 90};
    double r[5];
    struct rank_pair pair[10];
    assert_int_equal(rank_run_ties(x, 5, 1, 0, 1, r, pair), 4);
    const double up[5] = {1.5, 3, 1.5, NAN, 4}, down[5] = {3.5, 2, 3.5, NAN, 1};
    for (int k = 0; k < 5; k++)
        assert_true(k == 3 ? isnan(r[k]) : r[k] == up[k]);
    rank_run_ties(x, 5, 1, 1, 1, r, pair);
    for (int k = 0; k < 5; k++)
        assert_true(k == 3 ? isnan(r[k]) : r[k] == down[k]);
}

static void test_random_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {1,   2,   3,   15,  16,  17,  100, 127,
                                   128, 129, 255, 256, 257, 356, 383, 384,
                                   385, 500, 511, 512, 513, 1000};
    uint64_t seed = 20161112;
    double x[MAXN];
    int skipped = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        for (int kind = 0; kind < 4; kind++)
            for (int rep = 0; rep < 5; rep++) {
                for (size_t k = 0; k < n; k++) {
                    double u = unif(&seed);
                    if (kind == 0) x[k] = 100.0 * u;               /* plain */
                    else if (kind == 1) x[k] = floor(8.0 * u);      /* ties */
                    else if (kind == 2) x[k] = u < 0.2 ? NAN : 50.0 * u - 10.0;
                    else x[k] = u < 0.5 ? 0.0 : -1e6 * u;           /* skewed */
                }
                skipped |= check_both(x, n);
            }
    }
    if (skipped) print_message("AVX-512F not available: network path skipped\n");
}

/* Values closer than (max - min) / 2^23 share a quantum: their order and
 * ties come from the doubles. */
static void test_within_one_quantum(void **state)
{
    (void)state;
    double x[356];
    uint64_t seed = 7;
    for (size_t k = 0; k < 356; k++) x[k] = 1e9 * unif(&seed);
    x[0] = 0.0;
    x[1] = 1e9;
    for (size_t k = 2; k < 40; k++) x[k] = 5e8 + (double)(k % 7) * 1e-6;
    x[40] = 5e8 + 3e-6;            /* ties with the k % 7 == 3 values */
    check_both(x, 356);
}

/* Degenerate planes: constant, all NaN, a single value, infinities (the
 * range is not finite: rank_run decides), the largest finite doubles. */
static void test_degenerate(void **state)
{
    (void)state;
    double x[300];
    for (size_t k = 0; k < 300; k++) x[k] = 42.0;
    check_both(x, 300);
    for (size_t k = 0; k < 300; k++) x[k] = NAN;
    check_both(x, 300);
    x[17] = 1.0;
    check_both(x, 300);
    for (size_t k = 0; k < 300; k++) x[k] = (double)(k % 13);
    x[5] = INFINITY;
    x[9] = -INFINITY;
    check_both(x, 300);
    for (size_t k = 0; k < 300; k++) x[k] = (k % 2 ? 1.0 : -1.0) * 1.7e308;
    x[3] = 0.0;
    check_both(x, 300);
}

static void test_limits(void **state)
{
    (void)state;
    assert_null(rank_plane_work_alloc(RANK_PLANE_MAX_UNITS + 1));
    struct rank_plane_work *w = rank_plane_work_alloc(600);
    assert_non_null(w);
    /* the network takes at most 512 values: a larger work area starts on
     * the bucket path */
    assert_int_equal(rank_plane_work_path(w), RANK_PLANE_BUCKET);
    rank_plane_work_free(w);
    rank_plane_work_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_average_ties),
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_within_one_quantum),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
