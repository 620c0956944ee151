/* rank_plane.c: descending min-tie ranks of one plane of scores, on a
 * bucket pass or an AVX-512 sorting network; the contract is in
 * rank_plane.h.
 *
 * Bucket path: a pass over (max - x) scaled to nb >= n buckets puts the
 * values almost in order (the map is monotone, so values only move within
 * their bucket) and an insertion sort finishes; planes whose values crowd
 * into few buckets go to rank_run.
 *
 * AVX-512 path (n <= 512): each value becomes a 32-bit key
 *
 *     q << 9 | unit,   q = min((max - x) * (2^23 - 2) / (max - min), 2^23 - 2)
 *
 * truncated to an integer, and NaN the key 0xFFFFFFFF. q is a monotone
 * (non-increasing) function of x, so sorting the keys ascending sorts the
 * values descending except within runs of equal q, where the unit index
 * decides. Such runs (two values closer than (max - min) / 2^23, about one
 * plane in a hundred at network scale) are put in value order by an
 * insertion sort on the doubles, which also finds exact ties. The keys sit
 * in ceil(n / 16) zmm registers and are sorted by a bitonic network in
 * which every comparator sends the minimum to the lower index: the
 * registers a smaller plane leaves empty would hold only 0xFFFFFFFF, which
 * such a comparator never moves, so every comparator that touches them is
 * left out. Up to 24 registers (384 values) the keys stay in registers;
 * 32 spill a little.
 *
 * Measured on 40,000 planes of 356 values taken from the network-scale
 * benchmark's replications (gcc 12 -O3, shared 2-core AMD EPYC, best of 7):
 * bucket path 2.40 us a plane, AVX-512 path 0.73 us (24 registers; 1.18 us
 * with the unpruned 32), identical ranks.
 *
 * Invariants: rank_plane writes every one of its n outputs; both paths give
 * the ranks rank_run gives (tests/unit/test_rank_plane.c).
 */
#include "rank_plane.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"

#include "sortnet.h"

#define BUCKET_MOVES 16   /* the bucket path gives up above this many moves
                             a value */
#define NET_MAX 512       /* values the AVX-512 path takes */
#define UNIT_BITS 9       /* unit index bits of a key: NET_MAX = 2^9 */
#define QMAX ((1u << (32 - UNIT_BITS)) - 2u)   /* largest quantum */

struct rank_plane_work {
    size_t nunit;
    enum rank_plane_path path;
    size_t nb;                 /* buckets: a power of two >= nunit */
    uint32_t *cnt;             /* [nb + 1] */
    uint32_t *bk;              /* [max(nunit, NET_MAX)] buckets, or keys */
    double *sv;                /* [nunit] values in bucket order */
    uint32_t *si;              /* [nunit] their units */
    double *rk;                /* [nunit] rank_run's ranks */
    struct rank_pair *pair;    /* [2 nunit] rank_run's scratch */
};

struct rank_plane_work *rank_plane_work_alloc(size_t nunit)
{
    if (nunit > RANK_PLANE_MAX_UNITS) return NULL;
    struct rank_plane_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->nunit = nunit;
    w->nb = 1;
    while (w->nb < nunit) w->nb <<= 1;
    size_t n = nunit ? nunit : 1;
    w->cnt = malloc((w->nb + 1) * sizeof *w->cnt);
    w->bk = malloc((n > NET_MAX ? n : NET_MAX) * sizeof *w->bk);
    w->sv = malloc(n * sizeof *w->sv);
    w->si = malloc(n * sizeof *w->si);
    w->rk = malloc(n * sizeof *w->rk);
    w->pair = malloc(2 * n * sizeof *w->pair);
    if (!w->cnt || !w->bk || !w->sv || !w->si || !w->rk || !w->pair) {
        rank_plane_work_free(w);
        return NULL;
    }
    w->path = simd_avx512() && nunit <= NET_MAX ? RANK_PLANE_AVX512
                                                     : RANK_PLANE_BUCKET;
    return w;
}

void rank_plane_work_free(struct rank_plane_work *w)
{
    if (!w) return;
    free(w->cnt);
    free(w->bk);
    free(w->sv);
    free(w->si);
    free(w->rk);
    free(w->pair);
    free(w);
}

int rank_plane_work_set_path(struct rank_plane_work *w, enum rank_plane_path p)
{
    if (p == RANK_PLANE_AVX512 && !simd_avx512()) return -1;
    if (p != RANK_PLANE_AVX512 && p != RANK_PLANE_BUCKET) return -1;
    w->path = p;
    return 0;
}

enum rank_plane_path rank_plane_work_path(const struct rank_plane_work *w)
{
    return w->path;
}

const char *rank_plane_path_name(enum rank_plane_path p)
{
    return p == RANK_PLANE_AVX512 ? "AVX-512 sorting network"
                                  : "bucket pass and insertion sort";
}

static void rank_fallback(const double *x, size_t n, uint16_t *out,
                          struct rank_plane_work *w)
{
    rank_run(x, n, 1, 1, w->rk, w->pair);
    for (size_t k = 0; k < n; k++)
        out[k] = isnan(w->rk[k]) ? 0 : (uint16_t)w->rk[k];
}

/* ---- bucket path ------------------------------------------------------- */

/* Measured against rank_run's radix sort on 20,000 planes of 356 random
 * values (gcc -O2, shared 2-core machine): 4.5-5.0 us against 6.5-7.6 us a
 * plane, with identical ranks (ties and NaN included). The range (mn, mx)
 * of the m present values is the caller's. */
static void rank_bucket(const double *x, size_t n, size_t m, double mn,
                        double mx, uint16_t *out, struct rank_plane_work *w)
{
    double sc = (double)w->nb / (mx - mn);
    if (!isfinite(sc) || !isfinite(mx - mn)) {
        rank_fallback(x, n, out, w);
        return;
    }
    uint32_t *cnt = w->cnt;
    memset(cnt, 0, (w->nb + 1) * sizeof *cnt);
    uint32_t top = (uint32_t)w->nb - 1;
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        if (isnan(v)) continue;
        double f = (mx - v) * sc;
        uint32_t b = f >= (double)top ? top : (uint32_t)f;
        w->bk[k] = b;
        cnt[b + 1]++;
    }
    for (size_t b = 0; b < w->nb; b++) cnt[b + 1] += cnt[b];
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k])) {
            out[k] = 0;
            continue;
        }
        uint32_t pos = cnt[w->bk[k]]++;
        w->sv[pos] = x[k];
        w->si[pos] = (uint32_t)k;
    }
    /* insertion sort, descending. Values move only within their bucket,
     * mostly by one place or none: that first step is a branch-free
     * compare-exchange with the value carried in a register (a branch
     * there is mispredicted about as often as it is taken, and a store
     * and reload would chain the iterations); the rare longer moves take
     * the loop. Measured on 73,600 synthetic planes of 356 values (gcc
     * -O3, shared machine): 2.6 us a plane against 2.8 us for the plain
     * insertion sort, identical ranks. */
    double *sv = w->sv;
    uint32_t *si = w->si;
    size_t moves = 0, limit = BUCKET_MOVES * m;
    double cv = sv[0];               /* the value at position k - 1 */
    uint32_t ci = si[0];
    for (size_t k = 1; k < m; k++) {
        double v = sv[k];
        uint32_t id = si[k];
        int sw = cv < v;
        double hv = sw ? v : cv, lv = sw ? cv : v;
        uint32_t hi = sw ? id : ci, li = sw ? ci : id;
        sv[k - 1] = hv;
        si[k - 1] = hi;
        moves += (size_t)sw;
        if (k >= 2 && sv[k - 2] < hv) {
            /* v went to k - 1 and goes further up */
            size_t j = k - 1;
            while (j > 0 && sv[j - 1] < v) {
                sv[j] = sv[j - 1];
                si[j] = si[j - 1];
                j--;
            }
            sv[j] = v;
            si[j] = id;
            moves += k - 1 - j;
            if (moves > limit) {
                rank_fallback(x, n, out, w);
                return;
            }
        }
        cv = lv;
        ci = li;
    }
    sv[m - 1] = cv;
    si[m - 1] = ci;
    uint16_t rk = 1;
    for (size_t k = 0; k < m; k++) {
        if (k > 0 && sv[k] != sv[k - 1]) rk = (uint16_t)(k + 1);
        out[si[k]] = rk;
    }
}

/* ---- AVX-512 path ------------------------------------------------------ */

#if SIMD_AVX512
/* Keys of x[b0 .. b0 + 16) (b0 < n; NaN and positions >= n: 0xFFFFFFFF) */
SORTNET_INLINE __m512i keys16(const double *x, size_t n, size_t b0, __m512d vmx,
                             __m512d vsc)
{
    double tail[16];
    const double *src = x + b0;
    if (n - b0 < 16) {
        for (size_t k = 0; k < 16; k++) tail[k] = b0 + k < n ? x[b0 + k] : NAN;
        src = tail;
    }
    __m512d vq = _mm512_set1_pd((double)QMAX);
    __m512d v0 = _mm512_loadu_pd(src), v1 = _mm512_loadu_pd(src + 8);
    __mmask8 ok0 = _mm512_cmp_pd_mask(v0, v0, _CMP_ORD_Q);
    __mmask8 ok1 = _mm512_cmp_pd_mask(v1, v1, _CMP_ORD_Q);
    __m256i q0 = _mm512_cvttpd_epu32(
        _mm512_maskz_min_pd(ok0, _mm512_mul_pd(_mm512_sub_pd(vmx, v0), vsc), vq));
    __m256i q1 = _mm512_cvttpd_epu32(
        _mm512_maskz_min_pd(ok1, _mm512_mul_pd(_mm512_sub_pd(vmx, v1), vsc), vq));
    __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(q0), q1, 1);
    __m512i unit = _mm512_add_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32((int)b0));
    __m512i key = _mm512_or_si512(_mm512_slli_epi32(q, UNIT_BITS), unit);
    __mmask16 ok = (__mmask16)(ok0 | (unsigned)ok1 << 8);
    return _mm512_mask_mov_epi32(_mm512_set1_epi32(-1), ok, key);
}

/* The m sorted keys K[0..m) to ranks; same: some neighbours have equal
 * quanta. A run of equal quanta is put in value order first, and values
 * equal as doubles share a rank. */
static void keys_to_ranks(const double *x, uint32_t *K, size_t m, int same,
                          uint16_t *out)
{
    if (!same) {
        for (size_t k = 0; k < m; k++)
            out[K[k] & (NET_MAX - 1)] = (uint16_t)(k + 1);
        return;
    }
    for (size_t k = 1; k < m; k++) {
        uint32_t key = K[k];
        if ((key >> UNIT_BITS) != (K[k - 1] >> UNIT_BITS)) continue;
        double v = x[key & (NET_MAX - 1)];
        size_t j = k;
        while (j > 0 && (K[j - 1] >> UNIT_BITS) == (key >> UNIT_BITS) &&
               x[K[j - 1] & (NET_MAX - 1)] < v) {
            K[j] = K[j - 1];
            j--;
        }
        K[j] = key;
    }
    /* different quanta are different values (the quantum is a function
       of the value), so only equal quanta need the values compared */
    uint16_t rk = 1;
    for (size_t k = 0; k < m; k++) {
        uint32_t u = K[k] & (NET_MAX - 1);
        if (k > 0 && ((K[k] >> UNIT_BITS) != (K[k - 1] >> UNIT_BITS) ||
                      x[u] != x[K[k - 1] & (NET_MAX - 1)]))
            rk = (uint16_t)(k + 1);
        out[u] = rk;
    }
}

/* Ranks of x[0..n), n <= 16 nreg, into out; K holds 16 nreg keys. Returns
 * -1, having written nothing, when the range of the values is not finite
 * (the bucket path then calls rank_run). */
SORTNET_INLINE int rank_network(const double *x, size_t n, uint16_t *out,
                               uint32_t *K, const int nreg, const int lfull)
{
    __m512d vmn = _mm512_set1_pd(INFINITY), vmx = _mm512_set1_pd(-INFINITY);
    size_t m = 0, k = 0;
    for (; k + 8 <= n; k += 8) {
        __m512d v = _mm512_loadu_pd(x + k);
        __mmask8 ok = _mm512_cmp_pd_mask(v, v, _CMP_ORD_Q);
        vmn = _mm512_mask_min_pd(vmn, ok, vmn, v);
        vmx = _mm512_mask_max_pd(vmx, ok, vmx, v);
        m += (size_t)__builtin_popcount(ok);
    }
    double mn = _mm512_reduce_min_pd(vmn), mx = _mm512_reduce_max_pd(vmx);
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    for (; k < n; k++) {
        if (isnan(x[k])) continue;
        if (x[k] < mn) mn = x[k];
        if (x[k] > mx) mx = x[k];
        m++;
    }
    if (m == 0 || mn == mx) {
        for (k = 0; k < n; k++) out[k] = isnan(x[k]) ? 0 : 1;
        return 0;
    }
    double sc = (double)QMAX / (mx - mn);
    if (!isfinite(mx - mn) || !isfinite(sc)) return -1;
    if (m < n)
        for (k = 0; k < n; k++)
            if (isnan(x[k])) out[k] = 0;
    __m512d vmax = _mm512_set1_pd(mx), vsc = _mm512_set1_pd(sc);
    __m512i r[32];
SIMD_UNROLL(32)
    for (int p = 0; p < nreg; p++)
        r[p] = (size_t)p * 16 < n ? keys16(x, n, (size_t)p * 16, vmax, vsc)
                                  : _mm512_set1_epi32(-1);
    sortnet_sort(r, nreg, lfull);
SIMD_UNROLL(32)
    for (int p = 0; p < nreg; p++) _mm512_storeu_si512(K + 16 * p, r[p]);
    /* neighbours with equal quanta among the m present keys */
    __mmask16 same = 0;
    for (k = 1; k + 16 <= m; k += 16) {
        __m512i a = _mm512_srli_epi32(_mm512_loadu_si512(K + k), UNIT_BITS);
        __m512i b = _mm512_srli_epi32(_mm512_loadu_si512(K + k - 1), UNIT_BITS);
        same |= _mm512_cmpeq_epi32_mask(a, b);
    }
    for (; k < m; k++)
        same |= (K[k] >> UNIT_BITS) == (K[k - 1] >> UNIT_BITS);
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    keys_to_ranks(x, K, m, same != 0, out);
    return 0;
}

#define RANK_NETWORK_FN(NREG, LFULL)                                      \
    SIMD_TARGET __attribute__((noinline)) static int                      \
        rank_network_##NREG(const double *x, size_t n, uint16_t *out,     \
                            uint32_t *K)                                  \
    {                                                                     \
        return rank_network(x, n, out, K, NREG, LFULL);                    \
    }
RANK_NETWORK_FN(8, 7)
RANK_NETWORK_FN(16, 8)
RANK_NETWORK_FN(24, 9)
RANK_NETWORK_FN(32, 9)
#endif

/* ---- dispatch ------------------------------------------------------------ */

void rank_plane(const double *x, size_t n, uint16_t *out,
                struct rank_plane_work *w)
{
#if SIMD_AVX512
    if (w->path == RANK_PLANE_AVX512 && n <= NET_MAX) {
        int rc = n <= 128   ? rank_network_8(x, n, out, w->bk)
                 : n <= 256 ? rank_network_16(x, n, out, w->bk)
                 : n <= 384 ? rank_network_24(x, n, out, w->bk)
                            : rank_network_32(x, n, out, w->bk);
        if (rc == 0) return;
    }
#endif
    double mn = INFINITY, mx = -INFINITY;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        if (isnan(v)) continue;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        m++;
    }
    if (m == 0 || mn == mx) {
        for (size_t k = 0; k < n; k++) out[k] = isnan(x[k]) ? 0 : 1;
        return;
    }
    rank_bucket(x, n, m, mn, mx, out, w);
}
