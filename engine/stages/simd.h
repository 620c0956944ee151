/* simd.h: whether this CPU runs lcme's AVX-512 kernels.
 *
 * The kernels (rank_plane.c, tails.c) are
 * compiled with target("avx512f") function attributes, so the rest of lcme
 * keeps the baseline x86-64 instruction set; each caller checks
 * simd_avx512() (the CPU and the operating system support AVX-512F) and
 * keeps a portable path that gives the same results, bit for bit.
 *
 * An AVX-512 kernel must end with _mm256_zeroupper() before any scalar code
 * runs: gcc 12 leaves out its own vzeroupper on some paths, and with the
 * upper register halves dirty the SSE code that runs next (normalise,
 * aggregate) ran 3 to 6 times slower on this project's AMD EPYC machines
 * (a division loop timed before and after).
 */
#ifndef LCME_SIMD_H
#define LCME_SIMD_H

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define SIMD_AVX512 1
#include <immintrin.h>
#define SIMD_TARGET __attribute__((target("avx512f")))
#define SIMD_TARGET_BW __attribute__((target("avx512f,avx512bw")))
#define SIMD_TARGET_DQ __attribute__((target("avx512f,avx512dq")))
#else
#define SIMD_AVX512 0
#endif

/* SIMD_UNROLL(n): unroll the next loop n times, so that a kernel's
 * register arrays stay in registers. gcc only: clang unrolls such loops
 * on its own where it can and warns where it cannot (the fuzzing build's
 * instrumentation). */
#if defined(__GNUC__) && !defined(__clang__)
#define SIMD_PRAGMA(x) _Pragma(#x)
#define SIMD_UNROLL(n) SIMD_PRAGMA(GCC unroll n)
#else
#define SIMD_UNROLL(n)
#endif

/* 1 when this CPU runs the AVX-512F kernels, else 0. */
static inline int simd_avx512(void)
{
#if SIMD_AVX512
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

/* 1 when this CPU also runs the AVX-512BW kernels (16-bit lanes: tails.c),
 * else 0. */
static inline int simd_avx512bw(void)
{
#if SIMD_AVX512
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
#else
    return 0;
#endif
}

/* 1 when this CPU also runs the AVX-512DQ kernels (64-bit integers to
 * doubles: normal.c), else 0. */
static inline int simd_avx512dq(void)
{
#if SIMD_AVX512
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") ? 1 : 0;
#else
    return 0;
#endif
}

#endif
