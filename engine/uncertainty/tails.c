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

/* Rows below which a block is fed value by value (tails.h, Speed). */
#define TAILS_BLOCK_MIN 12

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
/* The same in AVX-512 registers, for m <= TAILS_SIMD_M, a block of up to
 * 16 rows of one cell at a time: the block's values are gathered into one
 * register and compared with both thresholds at once. Then
 *   - no candidate: nothing more (the common case late in the stream);
 *   - at most one candidate a buffer, once the buffers are full: it goes
 *     in as a single insertion (ins_f, ins_u);
 *   - otherwise (the filling and the early, crowded blocks): the block is
 *     sorted by Batcher's bitonic network and merged into each buffer that
 *     has a candidate, keeping the m most extreme of the two (merge).
 * A merge and a run of insertions keep the same multiset of values, so the
 * quantiles are the portable code's, bit for bit (between -0 and +0 the
 * order within a buffer may differ; the type-7 rule gives the same result
 * whichever it reads). The high buffers go through the same code as the
 * low ones with their values negated, which is exact. Rank streams take
 * their values as floats (exact for uint16). Against the one-value-at-a-
 * time insertions: tails.h (Speed). */

/* Lane i of a shifted uint16 buffer reads lane i - 1 (lane 0: any). */
static const uint16_t tails_left[32] = {0,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,
                                        10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                        21, 22, 23, 24, 25, 26, 27, 28, 29, 30};

/* v into the full float buffer in A (lanes 0-15) and B (16-31), ascending
 * (high: descending); every lane holding more (high: less) than v takes
 * its left neighbour and the first of them takes v, so v follows the
 * values equal to it. Returns the new m-th value (the threshold). */
SIMD_TARGET_BW static inline float ins_f(__m512 *A, __m512 *B, float v, uint32_t m, int high)
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

/* The same for the full uint16 buffer in A (32 lanes). */
SIMD_TARGET_BW static inline uint16_t ins_u(__m512i *A, uint16_t v, uint32_t m, int high)
{
    __m512i V = _mm512_set1_epi16((short)v), left = _mm512_loadu_si512(tails_left);
    __mmask32 g = high ? _mm512_cmplt_epu16_mask(*A, V) : _mm512_cmpgt_epu16_mask(*A, V);
    __mmask32 f = g & ~(g << 1);
    *A = _mm512_mask_blend_epi16(
        f, _mm512_mask_blend_epi16(g, *A, _mm512_permutexvar_epi16(left, *A)), V);
    __m512i at = _mm512_set1_epi16((short)(m - 1));
    return (uint16_t)_mm_cvtsi128_si32(_mm512_castsi512_si128(_mm512_permutexvar_epi16(at, *A)));
}

/* Lanes 0..15. */
SIMD_TARGET static inline __m512i iota16(void)
{
    return _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
}

/* One compare-exchange stage of a bitonic network: lane i meets lane
 * i ^ j, and the lanes in keep take the larger. Equal values trade places,
 * so the register keeps its multiset bit for bit. */
SIMD_TARGET static inline __m512 cx(__m512 v, int j, __mmask16 keep)
{
    __m512 p = _mm512_permutexvar_ps(_mm512_xor_si512(iota16(), _mm512_set1_epi32(j)), v);
    return _mm512_mask_blend_ps(keep, _mm512_min_ps(v, p), _mm512_max_ps(v, p));
}

/* A bitonic register into ascending order. */
SIMD_TARGET static inline __m512 clean16(__m512 v)
{
    v = cx(v, 8, 0xFF00);
    v = cx(v, 4, 0xF0F0);
    v = cx(v, 2, 0xCCCC);
    return cx(v, 1, 0xAAAA);
}

/* The 16 lanes in ascending order: runs of 2, 4 and 8 sorted in
 * alternating directions, then the bitonic halves merged (Batcher 1968). */
SIMD_TARGET static inline __m512 sort16(__m512 v)
{
    v = cx(v, 1, 0x6666);
    v = cx(v, 2, 0x3C3C);
    v = cx(v, 1, 0x5A5A);
    v = cx(v, 4, 0x0FF0);
    v = cx(v, 2, 0x33CC);
    v = cx(v, 1, 0x55AA);
    return clean16(v);
}

/* The 32 smallest of the ascending buffer (A0, A1) and the ascending
 * block C, ascending, into (A0, A1): with Y = C and 16 infinities, the
 * lanes min(A[i], Y[31 - i]) hold the 32 smallest as a bitonic sequence,
 * which one exchange across the registers and clean16 put in order. */
SIMD_TARGET static inline void merge(__m512 *A0, __m512 *A1, __m512 C)
{
    __m512i rev = _mm512_sub_epi32(_mm512_set1_epi32(15), iota16());
    __m512 l1 = _mm512_min_ps(*A1, _mm512_permutexvar_ps(rev, C));
    __m512 lo = _mm512_min_ps(*A0, l1), hi = _mm512_max_ps(l1, *A0);
    *A0 = clean16(lo);
    *A1 = clean16(hi);
}

/* Lane i of (A0, A1). */
SIMD_TARGET static inline float lane(__m512 A0, __m512 A1, uint32_t i)
{
    __m512i at = _mm512_set1_epi32((int)(i & 15));
    return _mm512_cvtss_f32(_mm512_permutexvar_ps(at, i > 15 ? A1 : A0));
}

/* The mask of a buffer's first f <= 32 lanes. */
static inline uint32_t first_lanes(uint32_t f)
{
    return f >= 32 ? 0xFFFFFFFFu : (1u << f) - 1u;
}

/* The same in two registers' halves. */
static inline void lanes(uint32_t f, __mmask16 *ka, __mmask16 *kb)
{
    uint32_t all = first_lanes(f);
    *ka = (__mmask16)(all & 0xFFFF);
    *kb = (__mmask16)(all >> 16);
}

SIMD_TARGET static inline __m512 negate(__m512 x)
{
    return _mm512_castsi512_ps(
        _mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u)));
}

/* A buffer's first lanes as floats in ascending order (the high buffer's
 * negated), +inf past them; and back. */
SIMD_TARGET static inline __m512 load_f(const float *b, __mmask16 k, int high)
{
    __m512 x = _mm512_maskz_loadu_ps(k, b);
    return _mm512_mask_blend_ps(k, _mm512_set1_ps(INFINITY), high ? negate(x) : x);
}
SIMD_TARGET static inline void store_f(float *b, __mmask16 k, __m512 x, int high)
{
    _mm512_mask_storeu_ps(b, k, high ? negate(x) : x);
}
SIMD_TARGET_BW static inline __m512 load_u(const uint16_t *b, __mmask16 k, int high)
{
    __m512i w = _mm512_maskz_loadu_epi16((__mmask32)k, b);
    __m512 x = _mm512_cvtepi32_ps(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(w)));
    return _mm512_mask_blend_ps(k, _mm512_set1_ps(INFINITY), high ? negate(x) : x);
}
SIMD_TARGET_BW static inline void store_u(uint16_t *b, __mmask16 k, __m512 x, int high)
{
    _mm512_mask_cvtepi32_storeu_epi16(b, k, _mm512_cvtps_epi32(high ? negate(x) : x));
}

/* One candidate below the low threshold (cl) and one above the high (ch)
 * at most, both buffers full: single insertions. */
SIMD_TARGET_BW static inline void few_f(float *bl, float *bh, float *lot, float *hit,
                                        uint32_t m, __m512 v, __mmask16 cl, __mmask16 ch)
{
    __mmask16 ka, kb;
    lanes(m, &ka, &kb);
    float *b[2] = {bl, bh}, *tau[2] = {lot, hit};
    __mmask16 c[2] = {cl, ch};
    for (int high = 0; high < 2; high++) {
        if (!c[high]) continue;
        __m512i at = _mm512_set1_epi32(__builtin_ctz(c[high]));
        float w = _mm512_cvtss_f32(_mm512_permutexvar_ps(at, v));
        __m512 A = _mm512_maskz_loadu_ps(ka, b[high]);
        __m512 B = _mm512_maskz_loadu_ps(kb, b[high] + 16);
        *tau[high] = ins_f(&A, &B, w, m, high);
        _mm512_mask_storeu_ps(b[high], ka, A);
        _mm512_mask_storeu_ps(b[high] + 16, kb, B);
    }
}
SIMD_TARGET_BW static inline void few_u(uint16_t *bl, uint16_t *bh, uint16_t *lot,
                                        uint16_t *hit, uint32_t m, __m512 v, __mmask16 cl,
                                        __mmask16 ch)
{
    __mmask32 km = (__mmask32)first_lanes(m);
    uint16_t *b[2] = {bl, bh}, *tau[2] = {lot, hit};
    __mmask16 c[2] = {cl, ch};
    for (int high = 0; high < 2; high++) {
        if (!c[high]) continue;
        __m512i at = _mm512_set1_epi32(__builtin_ctz(c[high]));
        float w = _mm512_cvtss_f32(_mm512_permutexvar_ps(at, v));
        __m512i A = _mm512_maskz_loadu_epi16(km, b[high]);
        *tau[high] = ins_u(&A, (uint16_t)w, m, high);
        _mm512_mask_storeu_epi16(b[high], km, A);
    }
}

/* One block of a stream: v its values as floats (NaN past the rows and
 * where missing), present the lanes with a value; the buffers bl (low),
 * bh (high) of m values, their thresholds and count. */
#define TAILS_BLOCK(name, type, load, store, few)                                     \
    SIMD_TARGET_BW static inline void name(type *bl, type *bh, type *lot, type *hit,   \
                                           uint32_t *np, uint32_t m, __m512 v,         \
                                           __mmask16 present)                          \
    {                                                                                  \
        uint32_t n = *np, p = (uint32_t)__builtin_popcount(present);                   \
        __mmask16 cl = present, ch = present;                                          \
        if (n >= m) {                                                                  \
            cl = _mm512_mask_cmp_ps_mask(present, v, _mm512_set1_ps((float)*lot),      \
                                         _CMP_LT_OQ);                                  \
            ch = _mm512_mask_cmp_ps_mask(present, v, _mm512_set1_ps((float)*hit),      \
                                         _CMP_GT_OQ);                                  \
        }                                                                              \
        uint32_t n1 = n + p, fo = n < m ? n : m, fn = n1 < m ? n1 : m;                 \
        *np = n1;                                                                      \
        if (!(cl | ch)) return;                                                        \
        if (n >= m && !(cl & (cl - 1)) && !(ch & (ch - 1))) {                          \
            few(bl, bh, lot, hit, m, v, cl, ch);                                       \
            return;                                                                    \
        }                                                                              \
        __m512 inf = _mm512_set1_ps(INFINITY);                                         \
        __m512 C = sort16(_mm512_mask_blend_ps(present, inf, v));                      \
        __mmask16 ka, kb, sa, sb;                                                      \
        lanes(fo, &ka, &kb);                                                           \
        lanes(fn, &sa, &sb);                                                           \
        if (cl) {                                                                      \
            __m512 A0 = load(bl, ka, 0), A1 = load(bl + 16, kb, 0);                    \
            merge(&A0, &A1, C);                                                        \
            store(bl, sa, A0, 0);                                                      \
            store(bl + 16, sb, A1, 0);                                                 \
            *lot = (type)lane(A0, A1, fn - 1);                                         \
        }                                                                              \
        if (ch) {                                                                      \
            /* the present values negated, largest first: lane j takes               \
               C[p - 1 - j] */                                                         \
            __m512i at = _mm512_and_si512(                                             \
                _mm512_sub_epi32(_mm512_set1_epi32((int)p - 1), iota16()),             \
                _mm512_set1_epi32(15));                                                \
            __m512 D = _mm512_mask_blend_ps((__mmask16)((1u << p) - 1u), inf,          \
                                            negate(_mm512_permutexvar_ps(at, C)));     \
            __m512 H0 = load(bh, ka, 1), H1 = load(bh + 16, kb, 1);                    \
            merge(&H0, &H1, D);                                                        \
            store(bh, sa, H0, 1);                                                      \
            store(bh + 16, sb, H1, 1);                                                 \
            *hit = (type)-lane(H0, H1, fn - 1);                                        \
        }                                                                              \
    }
TAILS_BLOCK(block_f, float, load_f, store_f, few_f)
TAILS_BLOCK(block_u, uint16_t, load_u, store_u, few_u)

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
    __mmask16 ka, kb;
    lanes(m, &ka, &kb);
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
            lo = ins_f(&la, &lb, v, m, 0);
        }
        if (v > hi) {
            if (!hin) {
                ha = _mm512_maskz_loadu_ps(ka, bh);
                hb = _mm512_maskz_loadu_ps(kb, bh + 16);
                hin = 1;
            }
            hi = ins_f(&ha, &hb, v, m, 1);
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
                                       size_t stride, long nb)
{
    uint32_t m = t->m, n = t->rnp[k];
    if (n < m) {
        feed_u(t, k, x, stride, nb);
        return;
    }
    uint16_t lo = t->rlo_tau[k], hi = t->rhi_tau[k];
    uint16_t *bl = t->rlo_buf + k * m, *bh = t->rhi_buf + k * m;
    __mmask32 km = (__mmask32)first_lanes(m);
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
            lo = ins_u(&la, v, m, 0);
        }
        if (v > hi) {
            if (!hin) {
                ha = _mm512_maskz_loadu_epi16(km, bh);
                hin = 1;
            }
            hi = ins_u(&ha, v, m, 1);
        }
    }
    if (lin) _mm512_mask_storeu_epi16(bl, km, la);
    if (hin) _mm512_mask_storeu_epi16(bh, km, ha);
    t->rlo_tau[k] = lo;
    t->rhi_tau[k] = hi;
    t->rnp[k] = n;
    _mm256_zeroupper();
}

/* Cell k's buffers, float (ranks 0) or rank, on their way: most cells
 * take a candidate in most batches. */
static inline void prefetch(const struct tails *t, size_t k, int ranks)
{
    size_t m = t->m;
    if (ranks) {
        __builtin_prefetch(t->rlo_buf + k * m, 1);
        __builtin_prefetch(t->rhi_buf + k * m, 1);
        return;
    }
    const char *l = (const char *)(t->lo_buf + k * m), *h = (const char *)(t->hi_buf + k * m);
    __builtin_prefetch(l, 1);
    __builtin_prefetch(l + 4 * m - 1, 1);
    __builtin_prefetch(h, 1);
    __builtin_prefetch(h + 4 * m - 1, 1);
}

/* A few rows, value by value: each cell's thresholds stay in registers
 * across the rows, and a buffer is loaded at its first candidate and
 * stored after the last. */
SIMD_TARGET_BW static void add_values(struct tails *t, const float *v, const uint16_t *rk,
                                      size_t stride, long nb, size_t c0, size_t c1)
{
    for (size_t k = c0; k < c1; k++) {
        if (k + TAILS_AHEAD < c1) prefetch(t, k + TAILS_AHEAD, 0);
        feed_f_simd(t, k, v + (k - c0), stride, nb);
    }
    if (!rk || !t->rnp) return;
    for (size_t k = c0; k < c1; k++) {
        if (k + TAILS_AHEAD < c1) prefetch(t, k + TAILS_AHEAD, 1);
        feed_u_simd(t, k, rk + (k - c0), stride, nb);
    }
}

/* r[b] lane j into r[j] lane b: the rows of 16 cells' block into one
 * register a cell, by unpacks and 128-bit lane shuffles (64 of them). */
SIMD_TARGET static inline void transpose16(__m512 r[16])
{
    __m512 t[16], u[16];
    for (int a = 0; a < 16; a += 2) {
        t[a] = _mm512_unpacklo_ps(r[a], r[a + 1]);
        t[a + 1] = _mm512_unpackhi_ps(r[a], r[a + 1]);
    }
    for (int a = 0; a < 16; a += 4)
        for (int q = 0; q < 2; q++) {
            __m512d x = _mm512_castps_pd(t[a + q]), y = _mm512_castps_pd(t[a + 2 + q]);
            u[a + 2 * q] = _mm512_castpd_ps(_mm512_unpacklo_pd(x, y));
            u[a + 2 * q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x, y));
        }
    for (int a = 0; a < 16; a += 8)
        for (int q = 0; q < 4; q++) {
            t[a + q] = _mm512_shuffle_f32x4(u[a + q], u[a + 4 + q], 0x88);
            t[a + 4 + q] = _mm512_shuffle_f32x4(u[a + q], u[a + 4 + q], 0xdd);
        }
    for (int q = 0; q < 8; q++) {
        r[q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0x88);
        r[8 + q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0xdd);
    }
}

/* One block of at most 16 rows, 16 cells at a time (block_f, block_u):
 * the 16 cells' part of each row is one load, and a transpose gives each
 * cell its block in one register; rows past the block and cells past c1
 * read as missing (NaN, rank 0). Against a 16-lane gather a cell and a
 * copy of the ranks through memory: tails.h (Speed). */
SIMD_TARGET_BW static void add_block(struct tails *t, const float *v, const uint16_t *rk,
                                     size_t stride, long rows, size_t c0, size_t c1)
{
    uint32_t m = t->m;
    __m512 nan = _mm512_set1_ps(NAN), r[16];
    for (size_t k0 = c0; k0 < c1; k0 += 16) {
        size_t nk = c1 - k0 < 16 ? c1 - k0 : 16;
        __mmask16 kc = (__mmask16)((1u << nk) - 1u);
        for (long b = 0; b < 16; b++)
            r[b] = b < rows ? _mm512_mask_loadu_ps(nan, kc, v + (size_t)b * stride + (k0 - c0))
                            : nan;
        transpose16(r);
        for (size_t j = 0; j < nk; j++) {
            size_t k = k0 + j;
            if (k + TAILS_AHEAD < c1) prefetch(t, k + TAILS_AHEAD, 0);
            __mmask16 pr = _mm512_cmp_ps_mask(r[j], r[j], _CMP_ORD_Q);
            block_f(t->lo_buf + k * m, t->hi_buf + k * m, &t->lo_tau[k], &t->hi_tau[k],
                    &t->np[k], m, r[j], pr);
        }
    }
    if (!rk || !t->rnp) return;
    __m512 zero = _mm512_setzero_ps();
    for (size_t k0 = c0; k0 < c1; k0 += 16) {
        size_t nk = c1 - k0 < 16 ? c1 - k0 : 16;
        __mmask16 kc = (__mmask16)((1u << nk) - 1u);
        for (long b = 0; b < 16; b++)
            r[b] = b < rows ? _mm512_cvtepi32_ps(_mm512_cvtepu16_epi32(_mm512_castsi512_si256(
                                  _mm512_maskz_loadu_epi16(
                                      (__mmask32)kc, rk + (size_t)b * stride + (k0 - c0)))))
                            : zero;
        transpose16(r);
        for (size_t j = 0; j < nk; j++) {
            size_t k = k0 + j;
            if (k + TAILS_AHEAD < c1) prefetch(t, k + TAILS_AHEAD, 1);
            block_u(t->rlo_buf + k * m, t->rhi_buf + k * m, &t->rlo_tau[k], &t->rhi_tau[k],
                    &t->rnp[k], m, r[j], _mm512_cmp_ps_mask(r[j], zero, _CMP_NEQ_UQ));
        }
    }
}

/* The rows in blocks of TAILS_BLOCK_ROWS; a block of fewer than
 * TAILS_BLOCK_MIN rows value by value, which is faster there (tails.h). */
SIMD_TARGET_BW static void add_rows_simd(struct tails *t, const float *v, const uint16_t *rk,
                                         size_t stride, long nb, size_t c0, size_t c1)
{
    for (long b0 = 0; b0 < nb; b0 += TAILS_BLOCK_ROWS) {
        long rows = nb - b0 < TAILS_BLOCK_ROWS ? nb - b0 : TAILS_BLOCK_ROWS;
        const float *vb = v + (size_t)b0 * stride;
        const uint16_t *rb = rk ? rk + (size_t)b0 * stride : NULL;
        if (rows >= TAILS_BLOCK_MIN) add_block(t, vb, rb, stride, rows, c0, c1);
        else add_values(t, vb, rb, stride, rows, c0, c1);
    }
    _mm256_zeroupper();
}
#endif

void tails_add_rows(struct tails *t, const float *v, const uint16_t *rk, size_t stride,
                    long nb, size_t c0, size_t c1)
{
#if SIMD_AVX512
    if (t->simd && stride <= (size_t)INT32_MAX / 16) {   /* gather offsets in int32 */
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
