/* aggregate.c: aggregation of node planes up the tree.
 *
 * Each aggregate node is computed plane by plane. The means take the cells
 * of its plane one by one (the arithmetic and harmonic means 8 at a time in
 * AVX-512F vectors where the CPU has them, simd.h): for a cell the
 * children, in their order, add their weight to the present weight and
 * w f(x) to the sum, held in registers, and the cell is finished from the
 * two; so every cell gets the additions in the order of a child-by-child
 * pass over whole planes, with one read of each child plane and one write
 * of the node's. The weighted median gathers
 * the children of one cell into a small buffer; Copeland compares every
 * pair of units within a year (O(nunit^2 * nchild), fine for a few hundred
 * units).
 *
 *   x: [node 0 plane][node 1 plane]...   plane = [year 0: u0..un][year 1: ...]
 *   w->sw[k]  present child weight of cell k = t*nunit + u (median, Copeland)
 *   w->np[k]  present children
 *
 * Invariants: a node cell is NaN or a finite combination of present child
 * values; nothing is allocated after aggregate_work_alloc.
 */
#include "aggregate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "simd.h"

/* Relative slack for the coverage comparison, so that 2/3 coverage against
 * min_coverage = 2/3 written as a decimal is not lost to rounding. */
#define COVERAGE_EPS 1e-12
#define TIE_EPS 1e-12     /* Copeland: |d| below this share of the weight is a tie */
#define MEDIAN_EPS 1e-12  /* weighted median: cumulative weight "exactly" 1/2 */

struct aggregate_work {
    size_t nunit, nyear;
    double *sw;                  /* [nyear*nunit] */
    unsigned *np;                /* [nyear*nunit] */
    size_t maxchild;
    double *cx, *cw;             /* [maxchild] one cell's children, or a
                                    node's child weights (means) */
    const double **cp;           /* [maxchild] a node's child planes */
    int avx512;                  /* the means run on AVX-512F */
    void (*reader)(void *, int); /* NULL, or the node planes' reader */
    void *reader_ctx;
};

struct aggregate_work *aggregate_work_alloc(const struct framework *fw,
                                            size_t nunit, size_t nyear)
{
    struct aggregate_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    size_t cells = nunit * nyear;
    if (cells == 0) cells = 1;
    w->nunit = nunit;
    w->nyear = nyear;
    for (int n = 0; n < fw->nnode; n++)
        if ((size_t)fw->node[n].nchild > w->maxchild)
            w->maxchild = (size_t)fw->node[n].nchild;
    size_t mc = w->maxchild ? w->maxchild : 1;
    w->sw = malloc(cells * sizeof *w->sw);
    w->np = malloc(cells * sizeof *w->np);
    w->cx = malloc(mc * sizeof *w->cx);
    w->cw = malloc(mc * sizeof *w->cw);
    w->cp = malloc(mc * sizeof *w->cp);
    w->avx512 = simd_avx512();
    if (!w->sw || !w->np || !w->cx || !w->cw || !w->cp) {
        aggregate_work_free(w);
        return NULL;
    }
    return w;
}

void aggregate_work_set_reader(struct aggregate_work *w, void (*fn)(void *ctx, int node),
                               void *ctx)
{
    w->reader = fn;
    w->reader_ctx = ctx;
}

void aggregate_work_free(struct aggregate_work *w)
{
    if (!w) return;
    free(w->sw);
    free(w->np);
    free(w->cx);
    free(w->cw);
    free(w->cp);
    free(w);
}

static double node_weight(const struct framework *fw, const double *weight,
                          int n)
{
    return weight ? weight[n] : fw->node[n].weight;
}

/* The domain error of the means: names node, child, unit and year. */
static int domain_error(const struct framework *fw, int node, int child,
                        size_t k, size_t nunit, const char *const *unit,
                        const int *year, double v, const char *what,
                        const char *need, struct diag *d)
{
    size_t t = k / nunit, u = k % nunit;
    char ubuf[32], ybuf[32];
    const char *us = unit ? unit[u] : NULL;
    if (!us) {
        snprintf(ubuf, sizeof ubuf, "#%zu", u + 1);
        us = ubuf;
    }
    if (year)
        snprintf(ybuf, sizeof ybuf, "%d", year[t]);
    else
        snprintf(ybuf, sizeof ybuf, "year #%zu", t + 1);
    diag_add(d, LCME_EINPUT, NULL, 0, 0,
             "%s of '%s' needs %s values, but unit '%s' has %.17g for '%s' "
             "in %s; normalise to a range starting above 0 (e.g. minmax to "
             "[1, 100]) or choose another aggregation",
             what, fw->node[node].code, need, us, v, fw->node[child].code, ybuf);
    return -1;
}

/* Is cell k of the accumulators covered enough to have a value? */
static int covered(const struct aggregate_work *w, size_t k, double wtot,
                   double min_cov)
{
    if (w->np[k] == 0 || !(w->sw[k] > 0.0)) return 0;
    if (min_cov > 0.0 && w->sw[k] < min_cov * wtot * (1.0 - COVERAGE_EPS))
        return 0;
    return 1;
}

enum mean_kind { MEAN_ARITH, MEAN_GEOM, MEAN_HARM, MEAN_POWER };

/* The children of one mean: their planes, weights and the rule. */
struct mean_in {
    const double *const *xc;     /* [m] child planes */
    const double *wc;            /* [m] child weights */
    int m;
    int use_thr;                 /* min_coverage > 0 */
    double thr;                  /* min_coverage * total weight * (1 - eps) */
};

/* Is a cell with np present children of weight sw covered enough? The
 * rule of covered(), on values in registers. */
static inline int mean_covered(const struct mean_in *in, unsigned np, double sw)
{
    return np != 0 && sw > 0.0 && !(in->use_thr && sw < in->thr);
}

/* The mean of kind `kind` (power p) of cells [k0, k1) into out, one cell at
 * a time: the children in their order add w to the present weight and
 * w f(x) to the sum, held in registers. Returns the cells left missing with
 * a child present; *bad becomes 1 (and the rest is left undone) when a
 * present value is outside the mean's domain. */
static size_t mean_cells(const struct mean_in *in, enum mean_kind kind, double p, size_t k0,
                         size_t k1, double *out, int *bad)
{
    size_t low = 0;
    for (size_t k = k0; k < k1; k++) {
        double sw = 0.0, acc = 0.0;
        unsigned np = 0;
        for (int j = 0; j < in->m; j++) {
            double v = in->xc[j][k], wc = in->wc[j];
            if (isnan(v)) continue;
            if (kind == MEAN_ARITH) {
                acc += wc * v;
            } else if (kind == MEAN_POWER ? (p < 0.0 ? !(v > 0.0) : !(v >= 0.0))
                                          : !(v > 0.0)) {
                *bad = 1;
                return low;
            } else {
                acc += kind == MEAN_GEOM ? wc * log(v) : kind == MEAN_HARM ? wc / v
                                                                           : wc * pow(v, p);
            }
            sw += wc;
            np++;
        }
        if (!mean_covered(in, np, sw)) {
            low += np != 0;
            out[k] = NAN;
            continue;
        }
        switch (kind) {
        case MEAN_ARITH: out[k] = acc / sw; break;
        case MEAN_GEOM: out[k] = exp(acc / sw); break;
        case MEAN_HARM: out[k] = sw / acc; break;
        case MEAN_POWER: out[k] = pow(acc / sw, 1.0 / p); break;
        }
    }
    return low;
}

#if SIMD_AVX512
/* The arithmetic (harm = 0) or harmonic mean of the plane as mean_cells
 * computes it, 8 cells a vector: the same operations on each cell in the
 * same order, so the same bits; the tail of fewer than 8 cells goes to
 * mean_cells. */
SIMD_TARGET static size_t mean_plane_avx512(const struct mean_in *in, int harm, size_t cells,
                                            double *out, int *bad)
{
    const __m512d zero = _mm512_setzero_pd(), nan = _mm512_set1_pd(NAN);
    const __m512d thr = _mm512_set1_pd(in->thr);
    size_t low = 0, k = 0;
    __mmask8 neg = 0;
    for (; k + 8 <= cells; k += 8) {
        __m512d sw = zero, acc = zero;
        __mmask8 any = 0;
        for (int j = 0; j < in->m; j++) {
            __m512d v = _mm512_loadu_pd(in->xc[j] + k), wc = _mm512_set1_pd(in->wc[j]);
            __mmask8 pr = _mm512_cmp_pd_mask(v, v, _CMP_ORD_Q);
            __m512d t = harm ? _mm512_div_pd(wc, v) : _mm512_mul_pd(wc, v);
            if (harm) neg |= _mm512_mask_cmp_pd_mask(pr, v, zero, _CMP_NGT_UQ);
            sw = _mm512_mask_add_pd(sw, pr, sw, wc);
            acc = _mm512_mask_add_pd(acc, pr, acc, t);
            any |= pr;
        }
        __mmask8 cov = any & _mm512_cmp_pd_mask(sw, zero, _CMP_GT_OQ);
        if (in->use_thr) cov &= (__mmask8)~_mm512_cmp_pd_mask(sw, thr, _CMP_LT_OQ);
        __m512d r = harm ? _mm512_div_pd(sw, acc) : _mm512_div_pd(acc, sw);
        _mm512_storeu_pd(out + k, _mm512_mask_blend_pd(cov, nan, r));
        low += (size_t)__builtin_popcount((unsigned)(any & (__mmask8)~cov));
    }
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    if (neg) {
        *bad = 1;
        return low;
    }
    return low + mean_cells(in, harm ? MEAN_HARM : MEAN_ARITH, 0.0, k, cells, out, bad);
}
#endif

/* The domain error a mean met: the first offending value child by child,
 * cell by cell, as the error message names it. */
static int mean_domain_error(const struct framework *fw, int n, enum mean_kind kind, double p,
                             size_t nunit, size_t nyear, const char *const *unit,
                             const int *year, const double *x, struct diag *d)
{
    const struct fw_node *nd = &fw->node[n];
    size_t cells = nunit * nyear;
    for (int j = 0; j < nd->nchild; j++) {
        int c = nd->child[j];
        const double *xc = x + (size_t)c * cells;
        for (size_t k = 0; k < cells; k++) {
            double v = xc[k];
            if (isnan(v)) continue;
            if (kind == MEAN_GEOM && !(v > 0.0))
                return domain_error(fw, n, c, k, nunit, unit, year, v,
                                    "geometric mean", "positive", d);
            if (kind == MEAN_HARM && !(v > 0.0))
                return domain_error(fw, n, c, k, nunit, unit, year, v,
                                    "harmonic mean", "positive", d);
            if (kind == MEAN_POWER && (p < 0.0 ? !(v > 0.0) : !(v >= 0.0)))
                return domain_error(fw, n, c, k, nunit, unit, year, v,
                                    "generalised mean",
                                    p < 0.0 ? "positive" : "non-negative", d);
        }
    }
    diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "aggregate: a domain error of '%s' not found again",
             nd->code);
    return -1;
}

/* Weighted means, cell by cell: for each cell the children in their order
 * add w to the present weight and w f(x) to the sum, and the cell is
 * finished from those two (METHODS.md §5). */
static int aggregate_mean(const struct framework *fw, int n,
                          const struct method *m, const double *weight,
                          double *x, size_t nunit, size_t nyear,
                          const char *const *unit, const int *year,
                          struct aggregate_work *w, size_t *low, struct diag *d)
{
    const struct fw_node *nd = &fw->node[n];
    size_t cells = nunit * nyear;
    enum mean_kind kind = MEAN_ARITH;
    double p = m->agg_p;
    switch (m->aggregate) {
    case AGG_GEOMETRIC: kind = MEAN_GEOM; break;
    case AGG_HARMONIC: kind = MEAN_HARM; break;
    case AGG_GENMEAN:
        if (p == 0.0) kind = MEAN_GEOM;
        else if (p == 1.0) kind = MEAN_ARITH;
        else kind = MEAN_POWER;
        break;
    default: break;
    }
    double wtot = 0.0;
    for (int j = 0; j < nd->nchild; j++) {
        int c = nd->child[j];
        w->cp[j] = x + (size_t)c * cells;
        w->cw[j] = node_weight(fw, weight, c);
        wtot += w->cw[j];
    }
    struct mean_in in = {w->cp, w->cw, nd->nchild, m->min_coverage > 0.0,
                         m->min_coverage * wtot * (1.0 - COVERAGE_EPS)};
    double *out = x + (size_t)n * cells;
    int bad = 0;
    size_t nlow;
#if SIMD_AVX512
    if (w->avx512 && (kind == MEAN_ARITH || kind == MEAN_HARM))
        nlow = mean_plane_avx512(&in, kind == MEAN_HARM, cells, out, &bad);
    else
#endif
        nlow = mean_cells(&in, kind, p, 0, cells, out, &bad);
    if (bad)
        return mean_domain_error(fw, n, kind, p, nunit, nyear, unit, year, x, d);
    *low += nlow;
    return 0;
}

/* Present weight and count of each cell (no transform), for the median and
 * Copeland, which need the coverage rule but not a running sum. */
static double accumulate_presence(const struct framework *fw, int n,
                                  const double *weight, const double *x,
                                  size_t cells, struct aggregate_work *w)
{
    const struct fw_node *nd = &fw->node[n];
    for (size_t k = 0; k < cells; k++) {
        w->sw[k] = 0.0;
        w->np[k] = 0;
    }
    double wtot = 0.0;
    for (int j = 0; j < nd->nchild; j++) {
        int c = nd->child[j];
        double wc = node_weight(fw, weight, c);
        const double *xc = x + (size_t)c * cells;
        wtot += wc;
        for (size_t k = 0; k < cells; k++) {
            if (isnan(xc[k])) continue;
            w->sw[k] += wc;
            w->np[k]++;
        }
    }
    return wtot;
}

static void aggregate_median(const struct framework *fw, int n,
                             const struct method *m, const double *weight,
                             double *x, size_t cells,
                             struct aggregate_work *w, size_t *low)
{
    const struct fw_node *nd = &fw->node[n];
    double wtot = accumulate_presence(fw, n, weight, x, cells, w);
    double *out = x + (size_t)n * cells;
    for (size_t k = 0; k < cells; k++) {
        if (!covered(w, k, wtot, m->min_coverage)) {
            if (w->np[k] > 0) (*low)++;
            out[k] = NAN;
            continue;
        }
        /* gather the present children, sorted by value (insertion sort:
         * a node has a handful of children) */
        size_t q = 0;
        for (int j = 0; j < nd->nchild; j++) {
            int c = nd->child[j];
            double v = x[(size_t)c * cells + k];
            if (isnan(v)) continue;
            double wc = node_weight(fw, weight, c);
            size_t r = q;
            while (r > 0 && w->cx[r - 1] > v) {
                w->cx[r] = w->cx[r - 1];
                w->cw[r] = w->cw[r - 1];
                r--;
            }
            w->cx[r] = v;
            w->cw[r] = wc;
            q++;
        }
        double total = w->sw[k], cum = 0.0;
        double res = w->cx[q - 1];
        for (size_t r = 0; r < q; r++) {
            cum += w->cw[r] / total;
            if (fabs(cum - 0.5) <= MEDIAN_EPS && r + 1 < q) {
                res = 0.5 * (w->cx[r] + w->cx[r + 1]);
                break;
            }
            if (cum >= 0.5) {
                res = w->cx[r];
                break;
            }
        }
        out[k] = res;
    }
}

static void aggregate_copeland(const struct framework *fw, int n,
                               const struct method *m, const double *weight,
                               double *x, size_t nunit, size_t nyear,
                               struct aggregate_work *w, size_t *low)
{
    const struct fw_node *nd = &fw->node[n];
    size_t cells = nunit * nyear;
    double wtot = accumulate_presence(fw, n, weight, x, cells, w);
    double *out = x + (size_t)n * cells;
    for (size_t k = 0; k < cells; k++) {
        if (covered(w, k, wtot, m->min_coverage)) {
            out[k] = 0.0;
        } else {
            if (w->np[k] > 0) (*low)++;
            out[k] = NAN;
        }
    }
    for (size_t t = 0; t < nyear; t++) {
        double *o = out + t * nunit;
        for (size_t a = 0; a < nunit; a++) {
            if (isnan(o[a])) continue;
            for (size_t b = a + 1; b < nunit; b++) {
                if (isnan(o[b])) continue;
                double dsum = 0.0, wsum = 0.0;
                for (int j = 0; j < nd->nchild; j++) {
                    int c = nd->child[j];
                    const double *xc = x + (size_t)c * cells + t * nunit;
                    double va = xc[a], vb = xc[b];
                    if (isnan(va) || isnan(vb)) continue;
                    double wc = node_weight(fw, weight, c);
                    wsum += wc;
                    if (va > vb) dsum += wc;
                    else if (vb > va) dsum -= wc;
                }
                if (fabs(dsum) <= TIE_EPS * wsum) continue;
                if (dsum > 0) { o[a] += 1.0; o[b] -= 1.0; }
                else { o[a] -= 1.0; o[b] += 1.0; }
            }
        }
    }
}

int aggregate_tree(const struct framework *fw, const struct method *level_method,
                   const double *weight, double *x, size_t nunit, size_t nyear,
                   const char *const *unit, const int *year,
                   struct aggregate_work *w, size_t *low_coverage,
                   struct diag *d)
{
    size_t low = 0, cells = nunit * nyear;
    int rc = 0;
    for (int n = fw->nind; n < fw->nnode && rc == 0; n++) {
        const struct fw_node *nd = &fw->node[n];
        const struct method *m = &level_method[nd->level];
        if (nd->nchild == 0) {
            double *out = x + (size_t)n * cells;
            for (size_t k = 0; k < cells; k++) out[k] = NAN;
        } else if (m->aggregate == AGG_MEDIAN) {
            aggregate_median(fw, n, m, weight, x, cells, w, &low);
        } else if (m->aggregate == AGG_COPELAND) {
            aggregate_copeland(fw, n, m, weight, x, nunit, nyear, w, &low);
        } else {
            rc = aggregate_mean(fw, n, m, weight, x, nunit, nyear, unit, year,
                                w, &low, d);
        }
        if (rc == 0 && w->reader)
            w->reader(w->reader_ctx, n);
    }
    if (low_coverage) *low_coverage = low;
    return rc;
}
