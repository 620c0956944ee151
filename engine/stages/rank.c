/* rank.c: min-tie ranking of runs of doubles with an allocation-free radix
 * sort.
 *
 * Key: for a double v (negated for descending ranks, -0 turned into +0),
 * take its IEEE bits u; negative values map to ~u, others to u | 2^63. The
 * map is strictly increasing on non-NaN doubles, so equal keys are exactly
 * equal values: ties are detected without a tolerance.
 *
 * Invariants: rank_run writes every one of its n outputs (a rank or NaN).
 */
#include "rank.h"

#include <math.h>
#include <string.h>

static uint64_t order_key(double v)
{
    if (v == 0.0) v = 0.0;        /* -0 and +0 tie */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

/* Sort a[0..m) by key using b[0..m) as the second buffer; returns the
 * buffer holding the sorted pairs (a or b). */
static struct rank_pair *radix_sort(struct rank_pair *a, struct rank_pair *b,
                                    size_t m)
{
    uint32_t cnt[8][256];
    memset(cnt, 0, sizeof cnt);
    for (size_t k = 0; k < m; k++) {
        uint64_t key = a[k].key;
        for (int d = 0; d < 8; d++) cnt[d][(key >> (8 * d)) & 0xff]++;
    }
    struct rank_pair *src = a, *dst = b;
    for (int d = 0; d < 8; d++) {
        uint32_t *c = cnt[d];
        if (m == 0 || c[(src[0].key >> (8 * d)) & 0xff] == m) continue;
        uint32_t off = 0;
        for (int v = 0; v < 256; v++) {
            uint32_t t = c[v];
            c[v] = off;
            off += t;
        }
        for (size_t k = 0; k < m; k++) {
            unsigned dig = (unsigned)((src[k].key >> (8 * d)) & 0xff);
            dst[c[dig]++] = src[k];
        }
        struct rank_pair *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

/* The ranks of the sorted pairs s[0..m) into r: ties share the smallest
 * rank of their group, or (average) its mean. */
static void assign(const struct rank_pair *s, size_t m, size_t stride, int average, double *r)
{
    for (size_t a = 0; a < m;) {
        size_t b = a + 1;
        while (b < m && s[b].key == s[a].key) b++;
        double rk = average ? 0.5 * ((double)a + 1.0 + (double)b) : (double)(a + 1);
        for (size_t k = a; k < b; k++) r[s[k].i * stride] = rk;
        a = b;
    }
}

size_t rank_run(const double *x, size_t n, size_t stride, int descending,
                double *r, struct rank_pair *scratch)
{
    return rank_run_ties(x, n, stride, descending, 0, r, scratch);
}

size_t rank_run_ties(const double *x, size_t n, size_t stride, int descending, int average,
                     double *r, struct rank_pair *scratch)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        double v = x[k * stride];
        if (isnan(v)) continue;
        scratch[m].key = order_key(descending ? -v : v);
        scratch[m].i = k;
        m++;
    }
    /* NaN after reading, so that r may alias x. */
    for (size_t k = 0; k < n; k++)
        if (isnan(x[k * stride])) r[k * stride] = NAN;
    struct rank_pair *s = radix_sort(scratch, scratch + m, m);
    assign(s, m, stride, average, r);
    return m;
}
