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

/* Most values a buffer holds: 683, which bounds a cell's buffers at 8 KB
 * and takes R up to 27,280 at p = 0.025 (tails_max_replications). */
#define TAILS_MAX_M 683u

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
