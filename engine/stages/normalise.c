/* normalise.c: direction, normalisation parameters and their application.
 *
 * Data layout (cube.h): indicator-major planes, x[(i*nyear + t)*nunit + u].
 * A "scope slice" is what one set of parameters covers: with per-year scope
 * the nunit values of (i, t); with pooled scope the nyear*nunit values of i,
 * which are contiguous too. Parameters live per (i, t) so that apply is the
 * same loop for both scopes (pooled copies the indicator's values into each
 * year).
 *
 * Invariants: NaN in, NaN out; apply never allocates and never reads the
 * framework (everything it needs is in the params), so every pipeline
 * evaluation can call it from its own work area on any thread.
 */
#include "normalise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"
#include "simd.h"

struct normalise_work {
    size_t cap;                  /* values a slice may hold (2*cap pairs) */
    struct rank_pair *pair;
};

struct normalise_params *normalise_params_alloc(size_t nind, size_t nyear)
{
    struct normalise_params *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    size_t ns = nind * nyear;
    p->nind = nind;
    p->nyear = nyear;
    p->method = calloc(nind ? nind : 1, sizeof *p->method);
    p->fallback = calloc(nind ? nind : 1, sizeof *p->fallback);
    p->lo = calloc(nind ? nind : 1, sizeof *p->lo);
    p->hi = calloc(nind ? nind : 1, sizeof *p->hi);
    p->target = calloc(nind ? nind : 1, sizeof *p->target);
    p->min = calloc(ns ? ns : 1, sizeof *p->min);
    p->ref = calloc(ns ? ns : 1, sizeof *p->ref);
    p->max = calloc(ns ? ns : 1, sizeof *p->max);
    p->mean = calloc(ns ? ns : 1, sizeof *p->mean);
    p->sd = calloc(ns ? ns : 1, sizeof *p->sd);
    p->count = calloc(ns ? ns : 1, sizeof *p->count);
    p->constant = calloc(ns ? ns : 1, sizeof *p->constant);
    if (!p->method || !p->fallback || !p->lo || !p->hi || !p->target ||
        !p->min || !p->ref || !p->max || !p->mean || !p->sd || !p->count || !p->constant) {
        normalise_params_free(p);
        return NULL;
    }
    return p;
}

void normalise_params_free(struct normalise_params *p)
{
    if (!p) return;
    free(p->method);
    free(p->fallback);
    free(p->lo);
    free(p->hi);
    free(p->target);
    free(p->min);
    free(p->ref);
    free(p->max);
    free(p->mean);
    free(p->sd);
    free(p->count);
    free(p->constant);
    free(p);
}

struct normalise_work *normalise_work_alloc(size_t nunit, size_t nyear)
{
    struct normalise_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->cap = nunit * nyear;
    w->pair = malloc(2 * (w->cap ? w->cap : 1) * sizeof *w->pair);
    if (!w->pair) {
        free(w);
        return NULL;
    }
    return w;
}

void normalise_work_free(struct normalise_work *w)
{
    if (!w) return;
    free(w->pair);
    free(w);
}

void normalise_direction(const struct framework *fw, double *x, size_t nunit,
                         size_t nyear)
{
    normalise_direction_range(fw, x, nunit, nyear, 0, (size_t)fw->nind);
}

void normalise_direction_range(const struct framework *fw, double *x, size_t nunit,
                               size_t nyear, size_t i0, size_t i1)
{
    size_t plane = nunit * nyear;
    for (size_t i = i0; i < i1; i++) {
        if (fw->node[i].direction >= 0) continue;
        double *xi = x + (size_t)i * plane;
        for (size_t k = 0; k < plane; k++) xi[k] = -xi[k];
    }
}

/* Statistics of n values (NaN skipped): min, max, mean, sample sd, count.
 * Two passes for the sd (mean first), as R's sd() does, for accuracy. */
static void slice_stats(const double *x, size_t n, double *mn, double *mx,
                        double *mean, double *sd, size_t *count)
{
    double lo = INFINITY, hi = -INFINITY, s = 0.0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        if (isnan(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        s += v;
        m++;
    }
    *count = m;
    if (m == 0) {
        *mn = *mx = *mean = *sd = NAN;
        return;
    }
    double mu = s / (double)m;
    double ss = 0.0;
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        if (isnan(v)) continue;
        ss += (v - mu) * (v - mu);
    }
    *mn = lo;
    *mx = hi;
    *mean = mu;
    *sd = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
}

/* The finish of slice_stats for lane l: results at [l * step]. */
static void lane_finish(size_t l, size_t step, size_t m, double lo, double hi, double mu,
                        double ss, double *mn, double *mx, double *mean, double *sd,
                        size_t *count)
{
    size_t o = l * step;
    count[o] = m;
    if (m == 0) {
        mn[o] = mx[o] = mean[o] = sd[o] = NAN;
        return;
    }
    mn[o] = lo;
    mx[o] = hi;
    mean[o] = mu;
    sd[o] = m > 1 ? sqrt(ss / (double)(m - 1)) : NAN;
}

/* slice_stats of STAT_LANES slices at once, slice l at x + l * n, results
 * at [l * step]: each slice gets the same operations in the same order as
 * slice_stats gives it (a missing value adds 0.0 to a sum that starts at
 * +0.0 and so is never -0.0: the sum it would have skipped), but the
 * slices' chains of additions overlap instead of waiting on each other. */
#define STAT_LANES 4
static void slice_stats_lanes(const double *x, size_t n, double *mn, double *mx, double *mean,
                              double *sd, size_t *count, size_t step)
{
    double lo[STAT_LANES], hi[STAT_LANES], s[STAT_LANES], mu[STAT_LANES], ss[STAT_LANES];
    size_t m[STAT_LANES];
    for (int l = 0; l < STAT_LANES; l++) {
        lo[l] = INFINITY;
        hi[l] = -INFINITY;
        s[l] = ss[l] = 0.0;
        m[l] = 0;
    }
    for (size_t k = 0; k < n; k++)
        for (int l = 0; l < STAT_LANES; l++) {
            double v = x[(size_t)l * n + k];
            int pr = v == v;
            lo[l] = v < lo[l] ? v : lo[l];
            hi[l] = v > hi[l] ? v : hi[l];
            s[l] += pr ? v : 0.0;
            m[l] += (size_t)pr;
        }
    for (int l = 0; l < STAT_LANES; l++) mu[l] = m[l] ? s[l] / (double)m[l] : 0.0;
    for (size_t k = 0; k < n; k++)
        for (int l = 0; l < STAT_LANES; l++) {
            double v = x[(size_t)l * n + k], dv = v - mu[l];
            ss[l] += v == v ? dv * dv : 0.0;
        }
    for (int l = 0; l < STAT_LANES; l++)
        lane_finish((size_t)l, step, m[l], lo[l], hi[l], mu[l], ss[l], mn, mx, mean, sd, count);
}

#if SIMD_AVX512
/* r[l] = 8 values of slice l in, r[j] = value j of the 8 slices out. */
__attribute__((target("avx512f"), always_inline)) static inline void
transpose8(__m512d r[8])
{
    __m512d t[8], u[8];
    for (int j = 0; j < 8; j += 2) {
        t[j] = _mm512_unpacklo_pd(r[j], r[j + 1]);
        t[j + 1] = _mm512_unpackhi_pd(r[j], r[j + 1]);
    }
    for (int j = 0; j < 8; j += 4) {
        u[j] = _mm512_shuffle_f64x2(t[j], t[j + 2], 0x88);
        u[j + 1] = _mm512_shuffle_f64x2(t[j], t[j + 2], 0xDD);
        u[j + 2] = _mm512_shuffle_f64x2(t[j + 1], t[j + 3], 0x88);
        u[j + 3] = _mm512_shuffle_f64x2(t[j + 1], t[j + 3], 0xDD);
    }
    r[0] = _mm512_shuffle_f64x2(u[0], u[4], 0x88);
    r[4] = _mm512_shuffle_f64x2(u[0], u[4], 0xDD);
    r[2] = _mm512_shuffle_f64x2(u[1], u[5], 0x88);
    r[6] = _mm512_shuffle_f64x2(u[1], u[5], 0xDD);
    r[1] = _mm512_shuffle_f64x2(u[2], u[6], 0x88);
    r[5] = _mm512_shuffle_f64x2(u[2], u[6], 0xDD);
    r[3] = _mm512_shuffle_f64x2(u[3], u[7], 0x88);
    r[7] = _mm512_shuffle_f64x2(u[3], u[7], 0xDD);
}

/* slice_stats of 8 slices at once on AVX-512F, slice l (a lane) at
 * x + l * n, results at [l * step]: blocks of 8 values of each slice are
 * transposed so that a vector holds value k of the 8 slices, and the
 * lanes take the operations of slice_stats in its order (min_pd(v, lo) is
 * v < lo ? v : lo, max_pd likewise; a missing value is masked out of the
 * sums and the count); the last n % 8 values go one by one. */
SIMD_TARGET static void slice_stats_avx512(const double *x, size_t n, double *mn, double *mx,
                                           double *mean, double *sd, size_t *count,
                                           size_t step)
{
    const __m512i one = _mm512_set1_epi64(1);
    __m512d lo = _mm512_set1_pd(INFINITY), hi = _mm512_set1_pd(-INFINITY);
    __m512d s = _mm512_setzero_pd(), ss = _mm512_setzero_pd(), r[8];
    __m512i m = _mm512_setzero_si512();
    size_t n8 = n - n % 8;
    for (size_t k = 0; k < n8; k += 8) {
        for (int l = 0; l < 8; l++) r[l] = _mm512_loadu_pd(x + (size_t)l * n + k);
        transpose8(r);
        for (int j = 0; j < 8; j++) {
            __mmask8 pr = _mm512_cmp_pd_mask(r[j], r[j], _CMP_ORD_Q);
            lo = _mm512_min_pd(r[j], lo);
            hi = _mm512_max_pd(r[j], hi);
            s = _mm512_mask_add_pd(s, pr, s, r[j]);
            m = _mm512_mask_add_epi64(m, pr, m, one);
        }
    }
    double slo[8], shi[8], ssum[8], mu[8], sss[8];
    long long sm[8];
    _mm512_storeu_pd(slo, lo);
    _mm512_storeu_pd(shi, hi);
    _mm512_storeu_pd(ssum, s);
    _mm512_storeu_si512(sm, m);
    for (int l = 0; l < 8; l++) {
        const double *xl = x + (size_t)l * n;
        for (size_t k = n8; k < n; k++) {
            double v = xl[k];
            if (isnan(v)) continue;
            if (v < slo[l]) slo[l] = v;
            if (v > shi[l]) shi[l] = v;
            ssum[l] += v;
            sm[l]++;
        }
        mu[l] = sm[l] ? ssum[l] / (double)sm[l] : 0.0;
    }
    __m512d vmu = _mm512_loadu_pd(mu);
    for (size_t k = 0; k < n8; k += 8) {
        for (int l = 0; l < 8; l++) r[l] = _mm512_loadu_pd(x + (size_t)l * n + k);
        transpose8(r);
        for (int j = 0; j < 8; j++) {
            __mmask8 pr = _mm512_cmp_pd_mask(r[j], r[j], _CMP_ORD_Q);
            __m512d dv = _mm512_sub_pd(r[j], vmu);
            ss = _mm512_mask_add_pd(ss, pr, ss, _mm512_mul_pd(dv, dv));
        }
    }
    _mm512_storeu_pd(sss, ss);
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    for (size_t l = 0; l < 8; l++) {
        const double *xl = x + l * n;
        for (size_t k = n8; k < n; k++)
            if (!isnan(xl[k])) sss[l] += (xl[k] - mu[l]) * (xl[k] - mu[l]);
        lane_finish(l, step, (size_t)sm[l], slo[l], shi[l], mu[l], sss[l], mn, mx, mean, sd,
                    count);
    }
}
#endif

/* min, max, mean, sd and count of every scope slice of indicators [i0, i1)
 * of x into p: one slice per indicator (pooled, copied into each year) or
 * per indicator-year. Slices are taken 8 (or STAT_LANES) at a time from
 * the range's first, so a range starting at a multiple of 8 indicators
 * groups them as the whole cube does. */
static void params_stats(struct normalise_params *p, const double *x, size_t nunit,
                         int pooled, size_t i0, size_t i1)
{
    size_t ny = p->nyear, len = pooled ? ny * nunit : nunit;
    size_t ns = pooled ? i1 : i1 * ny, step = pooled ? ny : 1;
    size_t s = pooled ? i0 : i0 * ny;
#if SIMD_AVX512
    if (simd_avx512())
        for (; s + 8 <= ns; s += 8) {
            size_t o = s * step;
            slice_stats_avx512(x + s * len, len, p->min + o, p->max + o, p->mean + o,
                               p->sd + o, p->count + o, step);
        }
#endif
    for (; s + STAT_LANES <= ns; s += STAT_LANES) {
        size_t o = s * step;
        slice_stats_lanes(x + s * len, len, p->min + o, p->max + o, p->mean + o, p->sd + o,
                          p->count + o, step);
    }
    for (; s < ns; s++) {
        size_t o = s * step;
        slice_stats(x + s * len, len, p->min + o, p->max + o, p->mean + o, p->sd + o,
                    p->count + o);
    }
    if (!pooled) return;
    for (size_t i = i0; i < i1; i++)
        for (size_t t = 1; t < ny; t++) {
            size_t s0 = i * ny;
            p->min[s0 + t] = p->min[s0];
            p->max[s0 + t] = p->max[s0];
            p->mean[s0 + t] = p->mean[s0];
            p->sd[s0 + t] = p->sd[s0];
            p->count[s0 + t] = p->count[s0];
        }
}

int normalise_params_compute(struct normalise_params *p, const struct method *m,
                             const struct framework *fw, const double *x,
                             size_t nunit, struct diag *d)
{
    return normalise_params_compute_range(p, m, fw, x, nunit, 0, p->nind, d);
}

int normalise_params_compute_range(struct normalise_params *p, const struct method *m,
                                   const struct framework *fw, const double *x,
                                   size_t nunit, size_t i0, size_t i1, struct diag *d)
{
    switch (m->normalise) {
    case NORM_NONE: case NORM_MINMAX: case NORM_ZSCORE: case NORM_GOALPOSTS:
    case NORM_RANK: case NORM_PRANK: case NORM_DIST2TARGET: case NORM_DIST2MAX:
    case NORM_FRACMAX: case NORM_SCALED: case NORM_DIST2REF: case NORM_BORDA:
        break;
    default:
        diag_add(d, LCME_EINPUT, NULL, 0, 0,
                 "normalisation method %d is not implemented; use minmax, "
                 "zscore, goalposts, rank, prank, dist2target, dist2max or "
                 "fracmax", (int)m->normalise);
        return -1;
    }
    p->m = *m;
    size_t nyear = p->nyear, plane = nunit;
    params_stats(p, x, nunit, m->scope == SCOPE_POOLED, i0, i1);
    for (size_t i = i0; i < i1; i++) {
        const struct fw_node *nd = &fw->node[i];
        double dir = nd->direction < 0 ? -1.0 : 1.0;
        enum norm_method meth = m->normalise;
        p->fallback[i] = NORM_FALLBACK_NONE;
        p->lo[i] = p->hi[i] = p->target[i] = NAN;
        if (meth == NORM_GOALPOSTS) {
            if (isnan(nd->lower) || isnan(nd->upper) || nd->lower == nd->upper) {
                meth = NORM_MINMAX;
                p->fallback[i] = NORM_FALLBACK_NO_GOALPOSTS;
            } else if (dir > 0) {
                p->lo[i] = nd->lower;
                p->hi[i] = nd->upper;
            } else {
                /* x is negated: the raw lower post becomes the best one. */
                p->lo[i] = -nd->upper;
                p->hi[i] = -nd->lower;
            }
        } else if (meth == NORM_SCALED) {
            if (!isnan(nd->lower) && !isnan(nd->upper) && nd->lower != nd->upper) {
                p->lo[i] = nd->lower;
                p->hi[i] = nd->upper;
            } else {
                p->lo[i] = m->norm_low;
                p->hi[i] = m->norm_high;
            }
        } else if (meth == NORM_DIST2TARGET) {
            if (isnan(nd->target)) {
                meth = NORM_MINMAX;
                p->fallback[i] = NORM_FALLBACK_NO_TARGET;
            } else {
                p->target[i] = dir * nd->target;
            }
        }

        size_t s0 = i * nyear;
        const double *xi = x + i * nyear * plane;
        if (meth == NORM_FRACMAX) {
            /* x/max needs a positive maximum (in any slice). */
            for (size_t t = 0; t < nyear; t++) {
                if (p->count[s0 + t] > 0 && p->max[s0 + t] <= 0.0) {
                    meth = NORM_DIST2MAX;
                    p->fallback[i] = NORM_FALLBACK_FRACMAX_NONPOSITIVE;
                    break;
                }
            }
        }
        p->method[i] = meth;
        for (size_t t = 0; t < nyear; t++)
            p->ref[s0 + t] = (meth == NORM_DIST2REF && m->ref_index >= 0 &&
                              (size_t)m->ref_index < nunit)
                                 ? xi[t * plane + (size_t)m->ref_index] : NAN;

        for (size_t t = 0; t < nyear; t++) {
            size_t s = s0 + t;
            int constant = p->count[s] > 0 && p->max[s] == p->min[s];
            if (meth == NORM_NONE || meth == NORM_GOALPOSTS || meth == NORM_SCALED)
                constant = 0;
            p->constant[s] = (uint8_t)constant;
        }
    }
    return 0;
}

void normalise_params_hold_range(struct normalise_params *p,
                                 const struct normalise_params *held, size_t i0, size_t i1)
{
    for (size_t i = i0; i < i1; i++) {
        p->method[i] = held->method[i];
        p->fallback[i] = held->fallback[i];
        p->lo[i] = held->lo[i];
        p->hi[i] = held->hi[i];
        p->target[i] = held->target[i];
    }
    for (size_t s = i0 * p->nyear; s < i1 * p->nyear; s++)
        p->constant[s] |= held->constant[s];
}

size_t normalise_params_constant_count(const struct normalise_params *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nind; i++) {
        for (size_t t = 0; t < p->nyear; t++) {
            if (p->constant[i * p->nyear + t]) {
                n++;
                break;
            }
        }
    }
    return n;
}

/* Midpoint of a method's range, for constant slices. npresent is the
 * number of present values (rank's range is [1, n]). */
static double midpoint(const struct method *m, enum norm_method meth,
                       size_t npresent)
{
    switch (meth) {
    case NORM_MINMAX: return 0.5 * (m->norm_low + m->norm_high);
    case NORM_ZSCORE: return m->z_mean;
    case NORM_RANK: return 0.5 * ((double)npresent + 1.0);
    case NORM_BORDA: return 0.5 * ((double)npresent - 1.0);
    default: return 0.5;
    }
}

/* Apply a data-independent or bounds-based method to n values. */
static void apply_linear(const struct normalise_params *p, size_t i, size_t s,
                         enum norm_method meth, const double *x, double *y,
                         size_t n)
{
    const struct method *m = &p->m;
    if (p->constant[s]) {
        double mid = midpoint(m, meth, p->count[s]);
        for (size_t k = 0; k < n; k++) y[k] = isnan(x[k]) ? NAN : mid;
        return;
    }
    double mn = p->min[s], mx = p->max[s];
    switch (meth) {
    case NORM_NONE:
        if (y != x) memcpy(y, x, n * sizeof *y);
        break;
    case NORM_MINMAX: {
        double range = mx - mn, span = m->norm_high - m->norm_low;
        for (size_t k = 0; k < n; k++)
            y[k] = (x[k] - mn) / range * span + m->norm_low;
        break;
    }
    case NORM_ZSCORE: {
        double mu = p->mean[s], sd = p->sd[s];
        for (size_t k = 0; k < n; k++)
            y[k] = (x[k] - mu) / sd * m->z_sd + m->z_mean;
        break;
    }
    case NORM_GOALPOSTS: {
        double lo = p->lo[i], hi = p->hi[i];
        double scale = m->gp_scale > 0.0 ? m->gp_scale : 100.0;
        for (size_t k = 0; k < n; k++) {
            double v = (x[k] - lo) / (hi - lo);
            if (v > 1.0) v = 1.0;
            if (v < 0.0) v = 0.0;
            y[k] = isnan(x[k]) ? NAN : v * scale;
        }
        break;
    }
    case NORM_DIST2TARGET: {
        double tg = p->target[i];
        if (tg == mn) {
            /* every unit is at or past the target */
            for (size_t k = 0; k < n; k++) y[k] = isnan(x[k]) ? NAN : 1.0;
            break;
        }
        for (size_t k = 0; k < n; k++) {
            double v = (x[k] - mn) / (tg - mn);
            if (m->dist2target_cap && v > 1.0) v = 1.0;
            y[k] = v;
        }
        break;
    }
    case NORM_DIST2MAX:
        for (size_t k = 0; k < n; k++) y[k] = 1.0 - (mx - x[k]) / (mx - mn);
        break;
    case NORM_SCALED: {
        double l = p->lo[i], u = p->hi[i];
        for (size_t k = 0; k < n; k++) y[k] = (x[k] - l) / (u - l) * 100.0;
        break;
    }
    case NORM_DIST2REF: {
        double xr = p->ref[s];
        for (size_t k = 0; k < n; k++) {
            double v;
            if (isnan(x[k]) || isnan(xr)) v = NAN;
            else if (xr == mn) v = 1.0;
            else v = 1.0 - (xr - x[k]) / (xr - mn);
            if (m->dist2target_cap && v > 1.0) v = 1.0;
            y[k] = v;
        }
        break;
    }
    case NORM_FRACMAX:
        for (size_t k = 0; k < n; k++) y[k] = x[k] / mx;
        break;
    default:
        for (size_t k = 0; k < n; k++) y[k] = NAN;
        break;
    }
}

/* rank / prank over one slice of n values. */
static void apply_rank(const struct normalise_params *p, size_t s,
                       enum norm_method meth, const double *x, double *y,
                       size_t n, struct normalise_work *w)
{
    if (p->constant[s]) {
        /* constant in the nominal data: the midpoint, even if perturbed */
        size_t m = 0;
        for (size_t k = 0; k < n; k++) m += !isnan(x[k]);
        double mid = midpoint(&p->m, meth, m);
        for (size_t k = 0; k < n; k++) y[k] = isnan(x[k]) ? NAN : mid;
        return;
    }
    size_t m = rank_run(x, n, 1, 0, y, w->pair);
    if (meth == NORM_BORDA) {
        for (size_t k = 0; k < n; k++)
            if (!isnan(y[k])) y[k] -= 1.0;
    }
    if (meth == NORM_PRANK) {
        double den = (double)m - 1.0;
        for (size_t k = 0; k < n; k++)
            if (!isnan(y[k])) y[k] = m > 1 ? (y[k] - 1.0) / den : 0.5;
    }
}

void normalise_apply_one(const struct normalise_params *p, size_t i,
                         const double *x, double *y, size_t nunit,
                         struct normalise_work *w)
{
    enum norm_method meth = p->method[i];
    size_t nyear = p->nyear, s0 = i * nyear;
    if (meth == NORM_RANK || meth == NORM_PRANK || meth == NORM_BORDA) {
        if (p->m.scope == SCOPE_POOLED)
            apply_rank(p, s0, meth, x, y, nyear * nunit, w);
        else
            for (size_t t = 0; t < nyear; t++)
                apply_rank(p, s0 + t, meth, x + t * nunit, y + t * nunit,
                           nunit, w);
        return;
    }
    for (size_t t = 0; t < nyear; t++)
        apply_linear(p, i, s0 + t, meth, x + t * nunit, y + t * nunit, nunit);
}

void normalise_apply(const struct normalise_params *p, const double *x,
                     double *y, size_t nunit, struct normalise_work *w)
{
    size_t plane = p->nyear * nunit;
    for (size_t i = 0; i < p->nind; i++)
        normalise_apply_one(p, i, x + i * plane, y + i * plane, nunit, w);
}
