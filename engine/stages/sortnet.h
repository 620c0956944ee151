/* sortnet.h: an AVX-512 sorting network on 32-bit keys held in zmm
 * registers, shared by the Monte Carlo hot paths (rank_plane.c ranks a
 * plane of scores, tails.c picks a cell's tail order statistics). Static
 * inline, for callers that check simd_avx512() first (simd.h).
 */
#ifndef LCME_SORTNET_H
#define LCME_SORTNET_H

#include "simd.h"

#if SIMD_AVX512
#define SORTNET_INLINE \
    __attribute__((target("avx512f"), always_inline)) static inline

/* r with lane l taken from lane l ^ d (d = 1, 2, 4, 8) */
SORTNET_INLINE __m512i sortnet_lanes_xor(__m512i r, int d)
{
    switch (d) {
    case 1: return _mm512_shuffle_epi32(r, (_MM_PERM_ENUM)0xB1);
    case 2: return _mm512_shuffle_epi32(r, (_MM_PERM_ENUM)0x4E);
    case 4: return _mm512_shuffle_i32x4(r, r, 0xB1);
    default: return _mm512_shuffle_i32x4(r, r, 0x4E);
    }
}

/* r with lane l taken from lane l ^ (s - 1): each group of s lanes
 * reversed (s = 2, 4, 8, 16) */
SORTNET_INLINE __m512i sortnet_lanes_reverse(__m512i r, int s)
{
    switch (s) {
    case 2: return _mm512_shuffle_epi32(r, (_MM_PERM_ENUM)0xB1);
    case 4: return _mm512_shuffle_epi32(r, (_MM_PERM_ENUM)0x1B);
    case 8:
        return _mm512_permutexvar_epi32(
            _mm512_setr_epi32(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10,
                              9, 8), r);
    default:
        return _mm512_permutexvar_epi32(
            _mm512_setr_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2,
                              1, 0), r);
    }
}

/* Lanes l with (l & d) == 0: the lower end of each comparator at
 * distance d (d = 1, 2, 4, 8). */
SORTNET_INLINE __mmask16 sortnet_lanes_low(int d)
{
    return (__mmask16)(d == 1 ? 0x5555 : d == 2 ? 0x3333 : d == 4 ? 0x0F0F
                                                                  : 0x00FF);
}

/* Sort the keys of r[0..nreg) ascending (index = 16 register + lane). The
 * network is bitonic sort on 2^lfull >= 16 nreg keys in its
 * one-direction form: each merge of size s starts by comparing i with
 * i ^ (s - 1), then i with i ^ d for d = s/4 .. 1, always sending the
 * minimum to the lower index. */
SORTNET_INLINE void sortnet_sort(__m512i *r, const int nreg, const int lfull)
{
    /* counted loops over log2 sizes, so that gcc unrolls them completely
     * and keeps r in registers */
SIMD_UNROLL(16)
    for (int ls = 1; ls <= lfull; ls++) {
        const int s = 1 << ls;
        if (s <= 16) {
SIMD_UNROLL(32)
            for (int p = 0; p < nreg; p++) {
                __m512i o = sortnet_lanes_reverse(r[p], s);
                __m512i lo = _mm512_min_epu32(r[p], o);
                __m512i hi = _mm512_max_epu32(r[p], o);
                r[p] = _mm512_mask_blend_epi32(sortnet_lanes_low(s >> 1), hi, lo);
            }
        } else {
SIMD_UNROLL(32)
            for (int p = 0; p < nreg; p++) {
                int q = p ^ ((s >> 4) - 1);
                if (q <= p || q >= nreg) continue;
                __m512i o = sortnet_lanes_reverse(r[q], 16);
                __m512i lo = _mm512_min_epu32(r[p], o);
                __m512i hi = _mm512_max_epu32(r[p], o);
                r[p] = lo;
                r[q] = sortnet_lanes_reverse(hi, 16);
            }
        }
SIMD_UNROLL(16)
        for (int ld = ls - 2; ld >= 0; ld--) {
            const int d = 1 << ld;
            if (d >= 16) {
SIMD_UNROLL(32)
                for (int p = 0; p < nreg; p++) {
                    int q = p | (d >> 4);
                    if (q == p || q >= nreg) continue;
                    __m512i lo = _mm512_min_epu32(r[p], r[q]);
                    __m512i hi = _mm512_max_epu32(r[p], r[q]);
                    r[p] = lo;
                    r[q] = hi;
                }
            } else {
SIMD_UNROLL(32)
                for (int p = 0; p < nreg; p++) {
                    __m512i o = sortnet_lanes_xor(r[p], d);
                    __m512i lo = _mm512_min_epu32(r[p], o);
                    __m512i hi = _mm512_max_epu32(r[p], o);
                    r[p] = _mm512_mask_blend_epi32(sortnet_lanes_low(d), hi, lo);
                }
            }
        }
    }
}

#endif

#endif
