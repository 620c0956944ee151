/* tails.c: exact type-7 tail quantiles of many streams, from bounded
 * sorted buffers; the contract and the memory are in tails.h.
 *
 * Layout: one stream per cell and value type; each has a low and a high
 * buffer of m values at buf + cell * m, a threshold of each, and the count
 * of values present:
 *
 *   lo_buf[cell * m + j]  ascending: the min(n, m) smallest so far
 *   hi_buf[cell * m + j]  descending: the min(n, m) largest so far
 *   lo_tau[cell], hi_tau[cell]   lo_buf[m - 1], hi_buf[m - 1] once n >= m
 *   np[cell]                     n, the values present so far
 *
 * Invariant: each buffer holds, sorted, the min(n, m) most extreme values
 * seen so far (as a multiset), so it fills with the first m values and its
 * fill needs no counter of its own. Once full, only a value strictly beyond
 * the threshold can be among the m most extreme (a value equal to it would
 * rank m + 1); it is inserted in place (the values past it shift by one, the
 * last drops out) and the new m-th becomes the threshold. The thresholds sit
 * in arrays of their own so that the common path (no candidate) reads 4 or
 * 2 bytes a stream and value; reading the quantiles needs no sort.
 *
 * After warm-up a value is a candidate with probability about m / r at
 * replication r: about m ln(R/m) insertions of at most m moves each over R
 * replications. (Buffers of m + max(16, m / 2) values cut back by merge
 * compactions, with a sort at the read, took 3.3 times the memory at
 * R = 200 and more time: tails.h.)
 */
#include "tails.h"

#include <math.h>
#include <stdlib.h>

#include "simd.h"

/* Most values a buffer holds: 683, which bounds a cell's buffers at 8 KB
 * and takes R up to 27,280 at p = 0.025 (tails_max_replications). */
#define TAILS_MAX_M 683u

/* Most values a buffer holds for the AVX-512 insertions: two registers of
 * floats, one of uint16 ranks (R up to 1,240 at p = 0.025). */
#define TAILS_SIMD_M 32u

/* Cells ahead whose buffers the AVX-512 feed prefetches. */
#ifndef TAILS_AHEAD
#define TAILS_AHEAD 4
#endif

struct tails {
    size_t ncell;
    uint32_t m;                   /* values a buffer holds */
    double p;                     /* lower tail probability */
    /* float streams */
    float *lo_buf, *hi_buf;       /* [ncell * m] */
    float *lo_tau, *hi_tau;       /* [ncell] */
    uint32_t *np;                 /* [ncell] values present */
    /* uint16 rank streams (NULL without ranks) */
    uint16_t *rlo_buf, *rhi_buf;
    uint16_t *rlo_tau, *rhi_tau;
    uint32_t *rnp;
    int simd;                     /* 1: full buffers take insertions in
                                     AVX-512 registers (m <= 32) */
};

static uint32_t tails_m(long R, double p)
{
    double h = floor((double)(R > 1 ? R - 1 : 0) * p);
    return h < (double)TAILS_MAX_M ? (uint32_t)h + 2u : TAILS_MAX_M + 1u;
}

long tails_max_replications(double p)
{
    long lo = 1, hi = 100000000L;
    while (lo < hi) {    /* the largest R whose buffers hold TAILS_MAX_M */
        long mid = lo + (hi - lo + 1) / 2;
        if (tails_m(mid, p) <= TAILS_MAX_M) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

size_t tails_bytes(size_t ncell, long R, double p, int ranks)
{
    uint32_t m = tails_m(R, p);
    size_t per = 2 * (size_t)m * sizeof(float) + 2 * sizeof(float) + sizeof(uint32_t);
    if (ranks)
        per += 2 * (size_t)m * sizeof(uint16_t) + 2 * sizeof(uint16_t) + sizeof(uint32_t);
    return ncell * per;
}

void tails_free(struct tails *t)
{
    if (!t) return;
    free(t->lo_buf);
    free(t->hi_buf);
    free(t->lo_tau);
    free(t->hi_tau);
    free(t->np);
    free(t->rlo_buf);
    free(t->rhi_buf);
    free(t->rlo_tau);
    free(t->rhi_tau);
    free(t->rnp);
    free(t);
}

/* The buffers are malloc'ed and the rest calloc'ed: a page is touched only
 * when a stream first needs it (a threshold is read only once its buffer is
 * full, so zero is as good a start as any). */
struct tails *tails_new(size_t ncell, long R, double p, int ranks)
{
    if (!(p > 0.0 && p <= 0.5) || R < 0) return NULL;
    struct tails *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ncell = ncell;
    t->p = p;
    t->m = tails_m(R, p);
    if (t->m > TAILS_MAX_M) goto fail;
    t->simd = t->m <= TAILS_SIMD_M && simd_avx512bw();
    size_t nc = ncell ? ncell : 1;
    if (nc > SIZE_MAX / t->m / sizeof(float)) goto fail;
    size_t nb = nc * t->m;
    t->lo_buf = malloc(nb * sizeof *t->lo_buf);
    t->hi_buf = malloc(nb * sizeof *t->hi_buf);
    t->lo_tau = calloc(nc, sizeof *t->lo_tau);
    t->hi_tau = calloc(nc, sizeof *t->hi_tau);
    t->np = calloc(nc, sizeof *t->np);
    if (!t->lo_buf || !t->hi_buf || !t->lo_tau || !t->hi_tau || !t->np) goto fail;
    if (ranks) {
        t->rlo_buf = malloc(nb * sizeof *t->rlo_buf);
        t->rhi_buf = malloc(nb * sizeof *t->rhi_buf);
        t->rlo_tau = calloc(nc, sizeof *t->rlo_tau);
        t->rhi_tau = calloc(nc, sizeof *t->rhi_tau);
        t->rnp = calloc(nc, sizeof *t->rnp);
        if (!t->rlo_buf || !t->rhi_buf || !t->rlo_tau || !t->rhi_tau || !t->rnp) goto fail;
    }
    return t;
fail:
    tails_free(t);
    return NULL;
}

/* Insert v into the sorted run v[0..n) (before(a, b): a goes first) at its
 * place after any equal values; the run grows to n + 1 (n < m), or, full
 * (n == m), its last value drops out. */
#define TAILS_INSERT(buf, n, v, before)                                     do {                                                                        uint32_t j_ = (n);                                                      while (j_ > 0 && before((v), (buf)[j_ - 1])) {                              (buf)[j_] = (buf)[j_ - 1];                                              j_--;                                                               }                                                                       (buf)[j_] = (v);                                                    } while (0)

#define LESS(a, b) ((a) < (b))
#define MORE(a, b) ((a) > (b))

/* Feed one cell the nb values x[b * stride] (b < nb): the first m present
 * fill both buffers; then a value beyond a threshold is inserted in its
 * buffer. The cell's state stays in registers for the nb values; a
 * buffer's memory is touched only for a candidate: most values are none,
 * and the buffers of all cells are far larger than the caches. */
#define TAILS_FEED(name, type, missing, lob, hib, lot, hit, npr)                \
    static void name(struct tails *t, size_t k, const type *x, size_t stride, long nb) \
    {                                                                           \
        uint32_t m = t->m, n = t->npr[k];                                       \
        type lo = t->lot[k], hi = t->hit[k];                                    \
        type *bl = t->lob + k * m, *bh = t->hib + k * m;                        \
        for (long b = 0; b < nb; b++) {                                         \
            type v = x[(size_t)b * stride];                                     \
            if (missing(v)) continue;                                           \
            if (n < m) {                                                        \
                TAILS_INSERT(bl, n, v, LESS);                                   \
                TAILS_INSERT(bh, n, v, MORE);                                   \
                n++;                                                            \
                lo = bl[n - 1];                                                 \
                hi = bh[n - 1];                                                 \
                continue;                                                       \
            }                                                                   \
            n++;                                                                \
            if (v < lo) {                                                       \
                TAILS_INSERT(bl, m - 1, v, LESS);                               \
                lo = bl[m - 1];                                                 \
            }                                                                   \
            if (v > hi) {                                                       \
                TAILS_INSERT(bh, m - 1, v, MORE);                               \
                hi = bh[m - 1];                                                 \
            }                                                                   \
        }                                                                       \
        t->lot[k] = lo;                                                         \
        t->hit[k] = hi;                                                         \
        t->npr[k] = n;                                                          \
    }
#define MISSING_F(v) isnan(v)
#define MISSING_U(v) ((v) == 0)
TAILS_FEED(feed_f, float, MISSING_F, lo_buf, hi_buf, lo_tau, hi_tau, np)
TAILS_FEED(feed_u, uint16_t, MISSING_U, rlo_buf, rhi_buf, rlo_tau, rhi_tau, rnp)

#if SIMD_AVX512
/* The same in AVX-512 registers, for m <= TAILS_SIMD_M: a full buffer is
 * one or two registers, and a value goes in without a branch: in an
 * ascending (low) buffer every lane holding more than v takes its left
 * neighbour, and the first of them takes v (so v follows the values equal
 * to it, as TAILS_INSERT places it); in a descending (high) buffer the
 * lanes holding less than v do. Lanes past m are never stored, and lane i
 * reads only lanes < i, so what they hold does not matter. A buffer is
 * loaded at its first candidate of the rows and stored after the last.
 * Against TAILS_INSERT: tails.h (Speed). */

/* v into the full float buffer in A (lanes 0-15) and B (16-31); returns
 * its new m-th value (the threshold). */
SIMD_TARGET_BW static inline float simd_ins_f(__m512 *A, __m512 *B, float v, uint32_t m,
                                              int high)
{
    __m512 V = _mm512_set1_ps(v);
    __mmask16 ga, gb;
    if (high) {
        ga = _mm512_cmp_ps_mask(*A, V, _CMP_LT_OQ);
        gb = _mm512_cmp_ps_mask(*B, V, _CMP_LT_OQ);
    } else {
        ga = _mm512_cmp_ps_mask(*A, V, _CMP_GT_OQ);
        gb = _mm512_cmp_ps_mask(*B, V, _CMP_GT_OQ);
    }
    uint32_t g = (uint32_t)ga | (uint32_t)gb << 16, f = g & ~(g << 1);
    __m512i ai = _mm512_castps_si512(*A), bi = _mm512_castps_si512(*B);
    __m512 sa = _mm512_castsi512_ps(_mm512_alignr_epi32(ai, ai, 15));
    __m512 sb = _mm512_castsi512_ps(_mm512_alignr_epi32(bi, ai, 15));
    *A = _mm512_mask_blend_ps((__mmask16)f, _mm512_mask_blend_ps(ga, *A, sa), V);
    *B = _mm512_mask_blend_ps((__mmask16)(f >> 16), _mm512_mask_blend_ps(gb, *B, sb), V);
    __m512i at = _mm512_set1_epi32((int)((m - 1) & 15));
    return _mm512_cvtss_f32(_mm512_permutexvar_ps(at, m > 16 ? *B : *A));
}

/* v into the full uint16 buffer in A (32 lanes); returns its new m-th. */
SIMD_TARGET_BW static inline uint16_t simd_ins_u(__m512i *A, uint16_t v, uint32_t m, int high,
                                                 __m512i left)
{
    __m512i V = _mm512_set1_epi16((short)v);
    __mmask32 g = high ? _mm512_cmplt_epu16_mask(*A, V) : _mm512_cmpgt_epu16_mask(*A, V);
    __mmask32 f = g & ~(g << 1);
    *A = _mm512_mask_blend_epi16(f, _mm512_mask_blend_epi16(g, *A, _mm512_permutexvar_epi16(left, *A)), V);
    __m512i at = _mm512_set1_epi16((short)(m - 1));
    return (uint16_t)_mm_cvtsi128_si32(_mm512_castsi512_si128(_mm512_permutexvar_epi16(at, *A)));
}

SIMD_TARGET_BW static void feed_f_simd(struct tails *t, size_t k, const float *x,
                                       size_t stride, long nb)
{
    uint32_t m = t->m, n = t->np[k];
    if (n < m) {            /* filling: the portable path */
        feed_f(t, k, x, stride, nb);
        return;
    }
    float lo = t->lo_tau[k], hi = t->hi_tau[k];
    float *bl = t->lo_buf + k * m, *bh = t->hi_buf + k * m;
    __mmask16 ka = m >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << m) - 1);
    __mmask16 kb = m > 16 ? (__mmask16)((1u << (m - 16)) - 1) : 0;
    __m512 la = _mm512_setzero_ps(), lb = la, ha = la, hb = la;
    int lin = 0, hin = 0;
    for (long b = 0; b < nb; b++) {
        float v = x[(size_t)b * stride];
        if (isnan(v)) continue;
        n++;
        if (v < lo) {
            if (!lin) {
                la = _mm512_maskz_loadu_ps(ka, bl);
                lb = _mm512_maskz_loadu_ps(kb, bl + 16);
                lin = 1;
            }
            lo = simd_ins_f(&la, &lb, v, m, 0);
        }
        if (v > hi) {
            if (!hin) {
                ha = _mm512_maskz_loadu_ps(ka, bh);
                hb = _mm512_maskz_loadu_ps(kb, bh + 16);
                hin = 1;
            }
            hi = simd_ins_f(&ha, &hb, v, m, 1);
        }
    }
    if (lin) {
        _mm512_mask_storeu_ps(bl, ka, la);
        _mm512_mask_storeu_ps(bl + 16, kb, lb);
    }
    if (hin) {
        _mm512_mask_storeu_ps(bh, ka, ha);
        _mm512_mask_storeu_ps(bh + 16, kb, hb);
    }
    t->lo_tau[k] = lo;
    t->hi_tau[k] = hi;
    t->np[k] = n;
    _mm256_zeroupper();   /* before scalar code: see simd.h */
}

SIMD_TARGET_BW static void feed_u_simd(struct tails *t, size_t k, const uint16_t *x,
                                       size_t stride, long nb, __m512i left)
{
    uint32_t m = t->m, n = t->rnp[k];
    if (n < m) {
        feed_u(t, k, x, stride, nb);
        return;
    }
    uint16_t lo = t->rlo_tau[k], hi = t->rhi_tau[k];
    uint16_t *bl = t->rlo_buf + k * m, *bh = t->rhi_buf + k * m;
    __mmask32 km = m >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << m) - 1);
    __m512i la = _mm512_setzero_si512(), ha = la;
    int lin = 0, hin = 0;
    for (long b = 0; b < nb; b++) {
        uint16_t v = x[(size_t)b * stride];
        if (v == 0) continue;
        n++;
        if (v < lo) {
            if (!lin) {
                la = _mm512_maskz_loadu_epi16(km, bl);
                lin = 1;
            }
            lo = simd_ins_u(&la, v, m, 0, left);
        }
        if (v > hi) {
            if (!hin) {
                ha = _mm512_maskz_loadu_epi16(km, bh);
                hin = 1;
            }
            hi = simd_ins_u(&ha, v, m, 1, left);
        }
    }
    if (lin) _mm512_mask_storeu_epi16(bl, km, la);
    if (hin) _mm512_mask_storeu_epi16(bh, km, ha);
    t->rlo_tau[k] = lo;
    t->rhi_tau[k] = hi;
    t->rnp[k] = n;
    _mm256_zeroupper();
}

SIMD_TARGET_BW static void add_rows_simd(struct tails *t, const float *v, const uint16_t *rk,
                                         size_t stride, long nb, size_t c0, size_t c1)
{
    size_t m = t->m;
    for (size_t k = c0; k < c1; k++) {
        /* most cells take a candidate in most batches: their buffers are
           fetched a few cells ahead */
        if (k + TAILS_AHEAD < c1) {
            const char *l = (const char *)(t->lo_buf + (k + TAILS_AHEAD) * m);
            const char *h = (const char *)(t->hi_buf + (k + TAILS_AHEAD) * m);
            __builtin_prefetch(l, 1);
            __builtin_prefetch(l + 4 * m - 1, 1);
            __builtin_prefetch(h, 1);
            __builtin_prefetch(h + 4 * m - 1, 1);
        }
        feed_f_simd(t, k, v + (k - c0), stride, nb);
    }
    if (rk && t->rnp) {
        /* lane i of a shifted buffer reads lane i - 1 (lane 0: any) */
        static const uint16_t from[32] = {0,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                          10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                          21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
        __m512i left = _mm512_loadu_si512(from);
        for (size_t k = c0; k < c1; k++) {
            if (k + TAILS_AHEAD < c1) {
                __builtin_prefetch(t->rlo_buf + (k + TAILS_AHEAD) * m, 1);
                __builtin_prefetch(t->rhi_buf + (k + TAILS_AHEAD) * m, 1);
            }
            feed_u_simd(t, k, rk + (k - c0), stride, nb, left);
        }
    }
    _mm256_zeroupper();
}
#endif

void tails_add_rows(struct tails *t, const float *v, const uint16_t *rk, size_t stride,
                    long nb, size_t c0, size_t c1)
{
#if SIMD_AVX512
    if (t->simd) {
        add_rows_simd(t, v, rk, stride, nb, c0, c1);
        return;
    }
#endif
    for (size_t k = c0; k < c1; k++) feed_f(t, k, v + (k - c0), stride, nb);
    if (!rk || !t->rnp) return;
    for (size_t k = c0; k < c1; k++) feed_u(t, k, rk + (k - c0), stride, nb);
}

void tails_set_portable(struct tails *t)
{
    t->simd = 0;
}

void tails_add(struct tails *t, const float *v, const uint16_t *rk, size_t c0, size_t c1)
{
    tails_add_rows(t, v, rk, 0, 1, c0, c1);
}

double tails_type7(double xk, double xk1, double h)
{
    double q = xk + h * (xk1 - xk);
    return q == 0.0 ? 0.0 : q;
}

/* Where the type-7 quantile at prob of n values reads: the ascending order
 * statistics *klo and *khi (0-based) and the weight *h of the second. */
static void type7_at(size_t n, double prob, size_t *klo, size_t *khi, double *h)
{
    double index = 1.0 + (double)(n - 1) * prob;
    double fl = floor(index);
    *klo = (size_t)fl - 1;
    *khi = (size_t)ceil(index) - 1;
    if (*khi >= n) *khi = n - 1;
    *h = index - fl;
}

/* A stream's quantiles, read in place: the low buffer holds the order
 * statistics at p (ascending from the smallest), the high buffer those at
 * 1 - p (descending from the largest; tails.h). */
#define TAILS_QUANT(name, type, lob, hib, npres)                                 \
    static void name(const struct tails *t, size_t cell, double *lo, double *hi, \
                     size_t *nout)                                               \
    {                                                                            \
        size_t n = t->npres[cell], a, b;                                         \
        double h;                                                                \
        if (nout) *nout = n;                                                     \
        *lo = *hi = NAN;                                                         \
        if (n == 0) return;                                                      \
        const type *bl = t->lob + cell * t->m, *bh = t->hib + cell * t->m;       \
        type7_at(n, t->p, &a, &b, &h);                                           \
        *lo = tails_type7((double)bl[a], (double)bl[b], h);                      \
        type7_at(n, 1.0 - t->p, &a, &b, &h);                                     \
        *hi = tails_type7((double)bh[n - 1 - a], (double)bh[n - 1 - b], h);      \
    }
TAILS_QUANT(quant_f, float, lo_buf, hi_buf, np)
TAILS_QUANT(quant_u, uint16_t, rlo_buf, rhi_buf, rnp)

void tails_quantiles(const struct tails *t, size_t cell, double *lo, double *hi, size_t *n)
{
    quant_f(t, cell, lo, hi, n);
}

void tails_rank_quantiles(const struct tails *t, size_t cell, double *lo, double *hi)
{
    if (!t->rnp) {
        *lo = *hi = NAN;
        return;
    }
    quant_u(t, cell, lo, hi, NULL);
}
