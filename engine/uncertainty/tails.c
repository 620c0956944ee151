/* tails.c: exact type-7 tail quantiles of many streams, from bounded
 * candidate buffers; the contract and the memory are in tails.h.
 *
 * Layout: one stream per cell and value type; each has a low and a high
 * buffer of `cap` values at buf + cell * cap, a count, and a threshold:
 *
 *   lo_buf[cell * cap + j], lo_n[cell], lo_tau[cell]   (m smallest kept)
 *   hi_buf[cell * cap + j], hi_n[cell], hi_tau[cell]   (m largest kept)
 *
 * Invariant: the buffer holds every one of the m most extreme values seen
 * so far (as a multiset). Before its first compaction the threshold admits
 * every value; a compaction sorts the buffer, keeps its m most extreme and
 * sets the threshold to the m-th, and from then on only a value strictly
 * beyond the threshold can be among the m most extreme (a value equal to it
 * would rank m + 1). The thresholds sit in arrays of their own so that the
 * common path (no candidate) reads 4 or 2 bytes a stream and value.
 *
 * cap = m + max(16, m / 2): a buffer fills every max(16, m / 2) candidates
 * and a compaction is a quickselect over cap values, so a stream spends
 * O(m log(R/m)) appends and about as many operations in compactions over
 * R replications. (With a slack of 4 instead of 16, the compactions took
 * a fifth of the stage at R = 200.)
 */
#include "tails.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Most values a buffer holds (tails_max_replications: R up to 27,280 at
 * level 0.95); the compactions and reads keep their copies on the stack. */
#define TAILS_STACK 1024

struct tails {
    size_t ncell;
    uint32_t m, cap;
    double p;                     /* lower tail probability */
    /* float streams */
    float *lo_buf, *hi_buf;       /* [ncell * cap] */
    float *lo_tau, *hi_tau;       /* [ncell] */
    uint32_t *lo_n, *hi_n;        /* [ncell] values buffered */
    uint32_t *np;                 /* [ncell] values present */
    /* uint16 rank streams (NULL without ranks) */
    uint16_t *rlo_buf, *rhi_buf;
    uint16_t *rlo_tau, *rhi_tau;
    uint32_t *rlo_n, *rhi_n;
    uint32_t *rnp;
};

static uint32_t tails_m(long R, double p)
{
    double h = floor((double)(R > 1 ? R - 1 : 0) * p);
    return (uint32_t)h + 2u;
}

static uint32_t tails_cap(uint32_t m)
{
    uint32_t slack = m / 2 > 16 ? m / 2 : 16;
    return m + slack;
}

long tails_max_replications(double p)
{
    long lo = 1, hi = 100000000L;
    while (lo < hi) {    /* the largest R whose buffers fit TAILS_STACK */
        long mid = lo + (hi - lo + 1) / 2;
        if (tails_cap(tails_m(mid, p)) <= TAILS_STACK) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

size_t tails_bytes(size_t ncell, long R, double p, int ranks)
{
    uint32_t cap = tails_cap(tails_m(R, p));
    size_t per = 2 * (size_t)cap * sizeof(float) + 2 * sizeof(float) + 3 * sizeof(uint32_t);
    if (ranks)
        per += 2 * (size_t)cap * sizeof(uint16_t) + 2 * sizeof(uint16_t) +
               3 * sizeof(uint32_t);
    return ncell * per;
}

void tails_free(struct tails *t)
{
    if (!t) return;
    free(t->lo_buf);
    free(t->hi_buf);
    free(t->lo_tau);
    free(t->hi_tau);
    free(t->lo_n);
    free(t->hi_n);
    free(t->np);
    free(t->rlo_buf);
    free(t->rhi_buf);
    free(t->rlo_tau);
    free(t->rhi_tau);
    free(t->rlo_n);
    free(t->rhi_n);
    free(t->rnp);
    free(t);
}

struct tails *tails_new(size_t ncell, long R, double p, int ranks)
{
    if (!(p > 0.0 && p <= 0.5) || R < 0) return NULL;
    struct tails *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->ncell = ncell;
    t->p = p;
    t->m = tails_m(R, p);
    t->cap = tails_cap(t->m);
    if (t->cap > TAILS_STACK) goto fail;
    size_t nc = ncell ? ncell : 1;
    if (nc > SIZE_MAX / t->cap / sizeof(float)) goto fail;
    size_t nb = nc * t->cap;
    t->lo_buf = malloc(nb * sizeof *t->lo_buf);
    t->hi_buf = malloc(nb * sizeof *t->hi_buf);
    t->lo_tau = malloc(nc * sizeof *t->lo_tau);
    t->hi_tau = malloc(nc * sizeof *t->hi_tau);
    t->lo_n = calloc(nc, sizeof *t->lo_n);
    t->hi_n = calloc(nc, sizeof *t->hi_n);
    t->np = calloc(nc, sizeof *t->np);
    if (!t->lo_buf || !t->hi_buf || !t->lo_tau || !t->hi_tau || !t->lo_n || !t->hi_n ||
        !t->np)
        goto fail;
    for (size_t k = 0; k < nc; k++) {
        t->lo_tau[k] = INFINITY;
        t->hi_tau[k] = -INFINITY;
    }
    if (ranks) {
        t->rlo_buf = malloc(nb * sizeof *t->rlo_buf);
        t->rhi_buf = malloc(nb * sizeof *t->rhi_buf);
        t->rlo_tau = malloc(nc * sizeof *t->rlo_tau);
        t->rhi_tau = calloc(nc, sizeof *t->rhi_tau);
        t->rlo_n = calloc(nc, sizeof *t->rlo_n);
        t->rhi_n = calloc(nc, sizeof *t->rhi_n);
        t->rnp = calloc(nc, sizeof *t->rnp);
        if (!t->rlo_buf || !t->rhi_buf || !t->rlo_tau || !t->rhi_tau || !t->rlo_n ||
            !t->rhi_n || !t->rnp)
            goto fail;
        for (size_t k = 0; k < nc; k++) t->rlo_tau[k] = UINT16_MAX;
    }
    return t;
fail:
    tails_free(t);
    return NULL;
}

/* Insertion sorts of a buffer, ascending (low tail) or descending (high
 * tail), for the final read; qsort above 64 values. */
#define TAILS_CMP(name, type, dir)                                      \
    static int name(const void *pa, const void *pb)                     \
    {                                                                   \
        type a = *(const type *)pa, b = *(const type *)pb;              \
        return dir * ((a > b) - (a < b));                               \
    }
TAILS_CMP(cmp_up_f, float, 1)
TAILS_CMP(cmp_down_f, float, -1)
TAILS_CMP(cmp_up_u, uint16_t, 1)
TAILS_CMP(cmp_down_u, uint16_t, -1)

#define TAILS_SORT(name, type, before, cmp)                             \
    static void name(type *v, uint32_t n)                               \
    {                                                                   \
        if (n > 64) {                                                   \
            qsort(v, n, sizeof *v, cmp);                                \
            return;                                                     \
        }                                                               \
        for (uint32_t i = 1; i < n; i++) {                              \
            type x = v[i];                                              \
            uint32_t j = i;                                             \
            while (j > 0 && before(x, v[j - 1])) {                      \
                v[j] = v[j - 1];                                        \
                j--;                                                    \
            }                                                           \
            v[j] = x;                                                   \
        }                                                               \
    }
#define LESS(a, b) ((a) < (b))
#define MORE(a, b) ((a) > (b))
TAILS_SORT(sort_up_f, float, LESS, cmp_up_f)
TAILS_SORT(sort_down_f, float, MORE, cmp_down_f)
TAILS_SORT(sort_up_u, uint16_t, LESS, cmp_up_u)
TAILS_SORT(sort_down_u, uint16_t, MORE, cmp_down_u)

/* Compaction of a full buffer v[0..cap): keep its m most extreme values,
 * in order, in v[0..m) and return the m-th, the new threshold. After the
 * first compaction v[0..m) stays sorted and only the cap - m values
 * appended since need sorting; the two runs are then merged, which takes
 * about 150 ns on a buffer of 42 where a quickselect of the whole buffer
 * took 650 ns. tmp holds m values. */
#define TAILS_COMPACT(name, type, sort, before)                                  \
    static type name(type *v, uint32_t cap, uint32_t m, int first, type *tmp)    \
    {                                                                            \
        if (first) {                                                             \
            sort(v, cap);                                                        \
            return v[m - 1];                                                     \
        }                                                                        \
        sort(v + m, cap - m);                                                    \
        uint32_t i = 0, j = m;                                                   \
        for (uint32_t q = 0; q < m; q++)                                         \
            tmp[q] = (j < cap && before(v[j], v[i])) ? v[j++] : v[i++];          \
        memcpy(v, tmp, m * sizeof *v);                                           \
        return v[m - 1];                                                         \
    }
TAILS_COMPACT(compact_lo_f, float, sort_up_f, LESS)
TAILS_COMPACT(compact_hi_f, float, sort_down_f, MORE)
TAILS_COMPACT(compact_lo_u, uint16_t, sort_up_u, LESS)
TAILS_COMPACT(compact_hi_u, uint16_t, sort_down_u, MORE)

/* Feed one cell the nb values x[b * stride] (b < nb): each beyond a
 * threshold is appended, a full buffer compacted. The cell's state stays
 * in registers for the nb values. */
#define TAILS_FEED(name, type, missing, clo, chi, lo0, hi0, lob, hib, lot, hit, lon, hin, npr) \
    static void name(struct tails *t, size_t k, const type *x, size_t stride, long nb) \
    {                                                                           \
        uint32_t m = t->m, cap = t->cap, nl = t->lon[k], nh = t->hin[k];        \
        type lo = t->lot[k], hi = t->hit[k];                                    \
        type *bl = t->lob + k * cap, *bh = t->hib + k * cap;                    \
        type tmp[TAILS_STACK];                                                  \
        uint32_t gone = 0;                                                      \
        for (long b = 0; b < nb; b++) {                                         \
            type v = x[(size_t)b * stride];                                     \
            if (missing(v)) {                                                   \
                gone++;                                                         \
                continue;                                                       \
            }                                                                   \
            /* a buffer's memory is touched only for a candidate: most    \
               values are none, and the buffers of all cells are far       \
               larger than the caches */                                   \
            if (v < lo) {                                                       \
                bl[nl++] = v;                                                   \
                if (nl == cap) {                                                \
                    lo = clo(bl, cap, m, lo == lo0, tmp);                       \
                    nl = m;                                                     \
                }                                                               \
            }                                                                   \
            if (v > hi) {                                                       \
                bh[nh++] = v;                                                   \
                if (nh == cap) {                                                \
                    hi = chi(bh, cap, m, hi == hi0, tmp);                       \
                    nh = m;                                                     \
                }                                                               \
            }                                                                   \
        }                                                                       \
        t->lon[k] = nl;                                                         \
        t->hin[k] = nh;                                                         \
        t->lot[k] = lo;                                                         \
        t->hit[k] = hi;                                                         \
        t->npr[k] += (uint32_t)nb - gone;                                       \
    }
#define MISSING_F(v) isnan(v)
#define MISSING_U(v) ((v) == 0)
TAILS_FEED(feed_f, float, MISSING_F, compact_lo_f, compact_hi_f, INFINITY, -INFINITY,
           lo_buf, hi_buf, lo_tau, hi_tau, lo_n, hi_n, np)
TAILS_FEED(feed_u, uint16_t, MISSING_U, compact_lo_u, compact_hi_u, UINT16_MAX, 0,
           rlo_buf, rhi_buf, rlo_tau, rhi_tau, rlo_n, rhi_n, rnp)

void tails_add_rows(struct tails *t, const float *v, const uint16_t *rk, size_t stride,
                    long nb, size_t c0, size_t c1)
{
    for (size_t k = c0; k < c1; k++) feed_f(t, k, v + (k - c0), stride, nb);
    if (!rk || !t->rnp) return;
    for (size_t k = c0; k < c1; k++) feed_u(t, k, rk + (k - c0), stride, nb);
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

/* Type-7 quantile at prob of n values, read from the sorted smallest
 * (low, ascending) or largest (high, descending) of them, whichever is
 * given: both hold every order statistic the quantile reads (tails.h). */
static double quantile_from(const double *low, const double *high, size_t n, double prob)
{
    double index = 1.0 + (double)(n - 1) * prob;
    double fl = floor(index);
    size_t klo = (size_t)fl - 1, khi = (size_t)ceil(index) - 1;
    if (khi >= n) khi = n - 1;
    /* order statistic k (ascending) from whichever end holds it */
    double a = low ? low[klo] : high[n - 1 - klo];
    double b = low ? low[khi] : high[n - 1 - khi];
    return tails_type7(a, b, index - fl);
}

/* A stream's quantiles: copy its buffers, sort them, convert to double and
 * read the order statistics. The copies live on the stack up to
 * TAILS_STACK values a buffer (every R tails_new takes), else on the heap;
 * a failed allocation gives NaN. */
#define TAILS_QUANT(name, type, sort_up, sort_down, lob, hib, lon, hin, npres)  \
    static void name(const struct tails *t, size_t cell, double *lo, double *hi, \
                     size_t *nout)                                               \
    {                                                                            \
        size_t n = t->npres[cell];                                               \
        if (nout) *nout = n;                                                     \
        *lo = *hi = NAN;                                                         \
        if (n == 0) return;                                                      \
        type sa[TAILS_STACK], sb[TAILS_STACK];                                   \
        double sda[TAILS_STACK], sdb[TAILS_STACK];                               \
        type *a = sa, *b = sb;                                                   \
        double *da = sda, *db = sdb;                                             \
        if (t->cap > TAILS_STACK) {                                              \
            a = malloc(2 * (size_t)t->cap * sizeof *a);                          \
            da = malloc(2 * (size_t)t->cap * sizeof *da);                        \
            if (!a || !da) {                                                     \
                free(a);                                                         \
                free(da);                                                        \
                return;                                                          \
            }                                                                    \
            b = a + t->cap;                                                      \
            db = da + t->cap;                                                    \
        }                                                                        \
        uint32_t na = t->lon[cell], nb = t->hin[cell];                           \
        memcpy(a, t->lob + cell * t->cap, na * sizeof *a);                       \
        memcpy(b, t->hib + cell * t->cap, nb * sizeof *b);                       \
        sort_up(a, na);                                                          \
        sort_down(b, nb);                                                        \
        for (uint32_t j = 0; j < na; j++) da[j] = (double)a[j];                  \
        for (uint32_t j = 0; j < nb; j++) db[j] = (double)b[j];                  \
        *lo = quantile_from(da, NULL, n, t->p);                                  \
        *hi = quantile_from(NULL, db, n, 1.0 - t->p);                            \
        if (a != sa) {                                                           \
            free(a);                                                             \
            free(da);                                                            \
        }                                                                        \
    }
TAILS_QUANT(quant_f, float, sort_up_f, sort_down_f, lo_buf, hi_buf, lo_n, hi_n, np)
TAILS_QUANT(quant_u, uint16_t, sort_up_u, sort_down_u, rlo_buf, rhi_buf, rlo_n, rhi_n, rnp)

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
