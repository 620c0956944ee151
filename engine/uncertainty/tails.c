/* tails.c: tail quantiles of a cell's Monte Carlo replications; the
 * contract is in tails.h.
 *
 * A cell's quantiles at plo and phi need its a = floor(1 + (m - 1) plo) + 1
 * smallest values and m - floor(1 + (m - 1) phi) + 1 largest. tails_quantiles
 * keeps about 2 a + 16 candidates at each end with thresholds set from the
 * first 64 values, then selects among them: on AVX-512, by sorting up to
 * 128 candidates with the network of sortnet.h (their 32-bit order keys),
 * otherwise by a quickselect. Candidate filtering and NaN compaction use
 * AVX-512 compress stores, which keep the order of the values, so both
 * paths see the same candidates in the same order.
 *
 * Measured at network scale (tests/bench/bench_uncertainty 300 1 1, one
 * thread, cycles of the percentile pass's score tails): 1.63 G portable,
 * 1.14 G with the AVX-512 filter and compaction alone.
 *
 * Invariants: the results do not depend on the path (the selection returns
 * order statistics, which are unique as values; -0 and +0 compare equal).
 */
#include "tails.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sortnet.h"

#define HEAP_MAX 128       /* tail heaps up to this size, else full select */
#define FAST_HEAP 1024     /* pre-filtered tails up to this many values */
#define NET_KEYS 128       /* candidates the network selects among */

struct tails_work {
    int simd;                    /* AVX-512 kernels */
    size_t nmax;
    float heap[2 * HEAP_MAX];
    float *cand;                 /* [2 (nmax + 16)] both tails' candidates */
    uint32_t *keys;              /* [NET_KEYS] sorted candidate keys */
};

struct tails_work *tails_work_alloc(size_t nmax)
{
    struct tails_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->nmax = nmax;
    w->cand = malloc(2 * (nmax + 16) * sizeof *w->cand);
    w->keys = malloc(NET_KEYS * sizeof *w->keys);
    if (!w->cand || !w->keys) {
        tails_work_free(w);
        return NULL;
    }
    w->simd = simd_avx512();
    return w;
}

void tails_work_free(struct tails_work *w)
{
    if (!w) return;
    free(w->cand);
    free(w->keys);
    free(w);
}

int tails_work_set_simd(struct tails_work *w, int simd)
{
    w->simd = simd && simd_avx512();
    return simd && !w->simd ? -1 : 0;
}

/* ---- AVX-512 kernels ---------------------------------------------------- */

#if SIMD_AVX512
SIMD_TARGET static size_t
compact_avx512(const float *v, size_t n, float *dst)
{
    size_t a = 0, k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512 x = _mm512_loadu_ps(v + k);
        __mmask16 ok = _mm512_cmp_ps_mask(x, x, _CMP_ORD_Q);
        _mm512_storeu_ps(dst + a, _mm512_maskz_compress_ps(ok, x));
        a += (size_t)__builtin_popcount(ok);
    }
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    for (; k < n; k++) {
        dst[a] = v[k];
        a += !isnan(v[k]);
    }
    return a;
}

SIMD_TARGET static size_t
compact_diff_avx512(const float *x, const float *y, size_t n, float *dst)
{
    size_t a = 0, k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512d d0 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + k)),
                                   _mm512_cvtps_pd(_mm256_loadu_ps(y + k)));
        __m512d d1 = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(x + k + 8)),
                                   _mm512_cvtps_pd(_mm256_loadu_ps(y + k + 8)));
        __m512 d = _mm512_castpd_ps(_mm512_insertf64x4(
            _mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(d0))),
            _mm256_castps_pd(_mm512_cvtpd_ps(d1)), 1));
        __mmask16 ok = _mm512_cmp_ps_mask(d, d, _CMP_ORD_Q);
        _mm512_storeu_ps(dst + a, _mm512_maskz_compress_ps(ok, d));
        a += (size_t)__builtin_popcount(ok);
    }
    _mm256_zeroupper();
    for (; k < n; k++) {
        float d = (float)((double)x[k] - (double)y[k]);
        dst[a] = d;
        a += !isnan(d);
    }
    return a;
}

/* Values <= tlo into cl, the negated values >= thi into chh, in order. */
SIMD_TARGET static void
filter_avx512(const float *v, size_t m, float tlo, float thi, float *cl,
              size_t *nl, float *chh, size_t *nh)
{
    __m512 vlo = _mm512_set1_ps(tlo), vhi = _mm512_set1_ps(thi);
    __m512i sign = _mm512_set1_epi32(INT32_MIN);
    size_t a = 0, b = 0, k = 0;
    for (; k + 16 <= m; k += 16) {
        __m512 x = _mm512_loadu_ps(v + k);
        __mmask16 ml = _mm512_cmp_ps_mask(x, vlo, _CMP_LE_OQ);
        __mmask16 mh = _mm512_cmp_ps_mask(x, vhi, _CMP_GE_OQ);
        __m512 nx = _mm512_castsi512_ps(
            _mm512_xor_si512(_mm512_castps_si512(x), sign));
        _mm512_storeu_ps(cl + a, _mm512_maskz_compress_ps(ml, x));
        _mm512_storeu_ps(chh + b, _mm512_maskz_compress_ps(mh, nx));
        a += (size_t)__builtin_popcount(ml);
        b += (size_t)__builtin_popcount(mh);
    }
    _mm256_zeroupper();
    for (; k < m; k++) {
        float x = v[k];
        cl[a] = x;
        a += x <= tlo;
        chh[b] = -x;
        b += x >= thi;
    }
    *nl = a;
    *nh = b;
}

/* The order key of a float: unsigned comparison of keys is the order of the
 * values (-0 just below +0). */
SORTNET_INLINE __m512i float_keys(__m512 x)
{
    __m512i u = _mm512_castps_si512(x);
    __mmask16 neg = _mm512_cmplt_epi32_mask(u, _mm512_setzero_si512());
    return _mm512_mask_xor_epi32(
        _mm512_or_si512(u, _mm512_set1_epi32(INT32_MIN)), neg, u,
        _mm512_set1_epi32(-1));
}

/* smallest() on at most NET_KEYS candidates: sort their keys. */
SIMD_TARGET static void
smallest_avx512(const float *c, size_t n, size_t a, uint32_t *keys,
                float *s1, float *s2)
{
    __m512i r[8];
SIMD_UNROLL(8)
    for (int p = 0; p < 8; p++) {
        size_t b0 = (size_t)p * 16;
        size_t left = b0 < n ? n - b0 : 0;
        __mmask16 t = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
        __m512 x = _mm512_maskz_loadu_ps(t, c + (b0 < n ? b0 : 0));
        r[p] = _mm512_mask_mov_epi32(_mm512_set1_epi32(-1), t, float_keys(x));
    }
    sortnet_sort(r, 8, 7);
SIMD_UNROLL(8)
    for (int p = 0; p < 8; p++) _mm512_storeu_si512(keys + 16 * p, r[p]);
    _mm256_zeroupper();
    uint32_t k1 = keys[a - 1], k2 = keys[a >= 2 ? a - 2 : a - 1];
    k1 = (k1 & 0x80000000u) ? (k1 & 0x7FFFFFFFu) : ~k1;
    k2 = (k2 & 0x80000000u) ? (k2 & 0x7FFFFFFFu) : ~k2;
    memcpy(s1, &k1, sizeof *s1);
    memcpy(s2, &k2, sizeof *s2);
}
#endif

double tails_type7(double xk, double xk1, double h)
{
    /* + 0.0 turns -0 into +0: the AVX-512 selection orders -0 below +0,
     * the quickselect takes either, and the two must give the same bits */
    if (h > 0.0 && xk1 != xk) return (1.0 - h) * xk + h * xk1 + 0.0;
    return xk + 0.0;
}

/* Max-heap of at most cap floats: keeps the cap smallest values pushed. */
static inline void heap_sift_down(float *h, size_t n, size_t i)
{
    float v = h[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && h[c + 1] > h[c]) c++;
        if (!(h[c] > v)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = v;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Push x into the max-heap h of n values when it is below the top. */
static inline void heap_offer(float *h, size_t n, float x)
{
    if (x < h[0]) {
        h[0] = x;
        heap_sift_down(h, n, 0);
    }
}

/* Type-7 quantiles at plo and phi (plo <= phi) of the m present values
 * v[0..m) (no NaN). heap holds 2 * HEAP_MAX floats; v may be reordered.
 * Both tails come from one pass with two bounded heaps (the smallest
 * klo + 2 values, and the largest m - khi values negated), so a cell costs
 * about two compares per replication; past HEAP_MAX a full sort. */
static void tails(float *v, size_t m, double plo, double phi, float *heap,
                  double *qlo, double *qhi)
{
    double ilo = 1.0 + (double)(m - 1) * plo, ihi = 1.0 + (double)(m - 1) * phi;
    double flo = floor(ilo), fhi = floor(ihi);
    size_t klo = (size_t)flo - 1, khi = (size_t)fhi - 1;   /* 0-based */
    size_t alo = klo + 2 > m ? m : klo + 2;       /* smallest values needed */
    size_t ahi = m - khi;                         /* largest values needed */
    if (alo <= HEAP_MAX && ahi <= HEAP_MAX) {
        float *hl = heap, *hh = heap + HEAP_MAX;
        for (size_t k = 0; k < alo; k++) hl[k] = v[k];
        for (size_t k = alo / 2; k-- > 0;) heap_sift_down(hl, alo, k);
        for (size_t k = 0; k < ahi; k++) hh[k] = -v[k];
        for (size_t k = ahi / 2; k-- > 0;) heap_sift_down(hh, ahi, k);
        size_t k = alo;
        for (; k < ahi; k++) heap_offer(hl, alo, v[k]);
        for (k = ahi; k < alo; k++) heap_offer(hh, ahi, -v[k]);
        for (k = alo > ahi ? alo : ahi; k < m; k++) {
            float x = v[k];
            if (x < hl[0]) {
                hl[0] = x;
                heap_sift_down(hl, alo, 0);
            }
            if (-x < hh[0]) {
                hh[0] = -x;
                heap_sift_down(hh, ahi, 0);
            }
        }
        /* hl[0] = stat alo-1; the larger child = stat alo-2 */
        float a1 = hl[0], a2 = a1;
        if (alo > 1) a2 = alo > 2 && hl[2] > hl[1] ? hl[2] : hl[1];
        if (alo == klo + 2) *qlo = tails_type7(a2, a1, ilo - flo);
        else *qlo = a1;
        /* -hh[0] = stat khi; the next from the top = stat khi + 1 */
        float b1 = -hh[0], b2 = b1;
        if (ahi > 1) b2 = -(ahi > 2 && hh[2] > hh[1] ? hh[2] : hh[1]);
        *qhi = tails_type7(b1, b2, ihi - fhi);
        return;
    }
    qsort(v, m, sizeof *v, cmp_float);
    size_t k1 = klo + 1 < m ? klo + 1 : m - 1, k2 = khi + 1 < m ? khi + 1 : m - 1;
    *qlo = tails_type7(v[klo], v[k1], ilo - flo);
    *qhi = tails_type7(v[khi], v[k2], ihi - fhi);
}

/* The a smallest of c[0..n) (1 <= a <= n), c reordered: *s1 = the a-th
 * smallest, *s2 = the (a-1)-th (= *s1 when a == 1). Quickselect with a
 * branch-free Lomuto partition around a median of three; values equal to
 * the pivot are split off so that every round shrinks the range. After it,
 * c[0..a-1) holds values <= c[a-1], so *s2 is their maximum. Measured at
 * network scale, R = 1000 (about 70 candidates, a = 26): a third of the
 * time of the bounded heap it replaces. */
static void smallest_pair(float *c, size_t n, size_t a, float *s1, float *s2)
{
    size_t k = a - 1, lo = 0, hi = n;
    while (hi - lo > 16) {
        float x0 = c[lo], x1 = c[lo + (hi - lo) / 2], x2 = c[hi - 1];
        float p = x0 < x1 ? (x1 < x2 ? x1 : (x0 < x2 ? x2 : x0))
                          : (x0 < x2 ? x0 : (x1 < x2 ? x2 : x1));
        size_t i = lo;
        for (size_t j = lo; j < hi; j++) {
            float x = c[j];
            c[j] = c[i];
            c[i] = x;
            i += x < p;
        }
        if (k < i) {
            hi = i;
            continue;
        }
        size_t e = i;
        for (size_t j = i; j < hi; j++) {
            float x = c[j];
            c[j] = c[e];
            c[e] = x;
            e += x == p;
        }
        if (k < e) {            /* c[k] == p, and c[0..k) <= p */
            lo = hi = k;
            break;
        }
        lo = e;
    }
    for (size_t j = lo + 1; j < hi; j++) {    /* insertion sort the rest */
        float x = c[j];
        size_t q = j;
        while (q > lo && c[q - 1] > x) {
            c[q] = c[q - 1];
            q--;
        }
        c[q] = x;
    }
    *s1 = c[k];
    float m = c[k];
    if (k > 0) {
        m = c[0];
        for (size_t j = 1; j < k; j++) m = c[j] > m ? c[j] : m;
    }
    *s2 = m;
}

/* The a-th smallest (*s1) and (a-1)-th smallest (*s2; *s1 when a == 1) of
 * c[0..n), 1 <= a <= n; c may be reordered. */
static void smallest(struct tails_work *w, float *c, size_t n, size_t a,
                     float *s1, float *s2)
{
#if SIMD_AVX512
    if (w->simd && n <= NET_KEYS) {
        smallest_avx512(c, n, a, w->keys, s1, s2);
        return;
    }
#else
    (void)w;
#endif
    smallest_pair(c, n, a, s1, s2);
}

/* tails() with a pre-filter: thresholds mean -/+ c sd from the first 64
 * values (replications are independent, so they are a fair sample) keep,
 * in one branch-free pass, about 2 a + 16 candidates at each end, where a
 * order statistics are needed. When a tail has at least a candidates they
 * are exactly its a most extreme values (every other value lies beyond the
 * threshold), so a selection among the candidates gives them; otherwise
 * (skewed or tied values) the full tails() decides. Same results as
 * tails() in every case. */
void tails_quantiles(struct tails_work *w, float *v, size_t m, double plo,
                     double phi, double *qlo, double *qhi)
{
    float *heap = w->heap, *cand = w->cand;
    if (m < 256) {
        tails(v, m, plo, phi, heap, qlo, qhi);
        return;
    }
    double ilo = 1.0 + (double)(m - 1) * plo, ihi = 1.0 + (double)(m - 1) * phi;
    double flo = floor(ilo), fhi = floor(ihi);
    size_t klo = (size_t)flo - 1, khi = (size_t)fhi - 1;
    size_t alo = klo + 2, ahi = m - khi;
    if (alo > FAST_HEAP || ahi > FAST_HEAP || alo > m) {
        tails(v, m, plo, phi, heap, qlo, qhi);
        return;
    }
    double s = 0.0, ss = 0.0;
    for (size_t k = 0; k < 64; k++) s += v[k];
    double mean = s / 64.0;
    for (size_t k = 0; k < 64; k++) ss += ((double)v[k] - mean) * ((double)v[k] - mean);
    double sd = sqrt(ss / 63.0);
    size_t amax = alo > ahi ? alo : ahi;
    double frac = (2.0 * (double)amax + 16.0) / (double)m;
    if (frac >= 0.5) {
        tails(v, m, plo, phi, heap, qlo, qhi);
        return;
    }
    double cz = -gsl_cdf_ugaussian_Pinv(frac);
    float tlo = (float)(mean - cz * sd), thi = (float)(mean + cz * sd);
    float *cl = cand, *chh = cand + m + 16;
    size_t nl = 0, nh = 0;
#if SIMD_AVX512
    if (w->simd)
        filter_avx512(v, m, tlo, thi, cl, &nl, chh, &nh);
    else
#endif
        for (size_t k = 0; k < m; k++) {
            float x = v[k];
            cl[nl] = x;
            nl += x <= tlo;
            chh[nh] = -x;
            nh += x >= thi;
        }
    if (nl < alo || nh < ahi) {
        tails(v, m, plo, phi, heap, qlo, qhi);
        return;
    }
    float a1, a2, b1, b2;
    smallest(w, cl, nl, alo, &a1, &a2);
    *qlo = tails_type7(a2, a1, ilo - flo);
    smallest(w, chh, nh, ahi, &b1, &b2);
    *qhi = tails_type7(-b1, -b2, ihi - fhi);
}

void tails_rank_quantiles(uint32_t *hist, size_t lo, size_t hi, size_t m,
                          double plo, double phi, double *qlo, double *qhi)
{
    double ilo = 1.0 + (double)(m - 1) * plo, ihi = 1.0 + (double)(m - 1) * phi;
    double flo = floor(ilo), fhi = floor(ihi);
    size_t want[4] = {(size_t)flo - 1, (size_t)flo, (size_t)fhi - 1,
                      (size_t)fhi};
    double got[4];
    for (int j = 0; j < 4; j++)
        if (want[j] >= m) want[j] = m - 1;
    size_t cum = 0;
    int j = 0;
    for (size_t r = lo; r <= hi; r++) {
        cum += hist[r];
        while (j < 4 && want[j] < cum) got[j++] = (double)r;
        hist[r] = 0;
    }
    *qlo = tails_type7(got[0], got[1], ilo - flo);
    *qhi = tails_type7(got[2], got[3], ihi - fhi);
}

size_t tails_compact(const struct tails_work *w, const float *src, size_t n,
                     float *dst)
{
#if SIMD_AVX512
    if (w->simd) return compact_avx512(src, n, dst);
#else
    (void)w;
#endif
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        dst[m] = src[k];
        m += !isnan(src[k]);
    }
    return m;
}

size_t tails_compact_diff(const struct tails_work *w, const float *a,
                          const float *b, size_t n, float *dst)
{
#if SIMD_AVX512
    if (w->simd) return compact_diff_avx512(a, b, n, dst);
#else
    (void)w;
#endif
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        float d = (float)((double)a[k] - (double)b[k]);
        dst[m] = d;
        m += !isnan(d);
    }
    return m;
}
