/* draws.c: the observations with sampling error and their perturbation;
 * the model is in draws.h.
 *
 * Layout: the observations with error are listed by year, and within a
 * year by indicator (runs), each run sharing the indicator's range:
 *
 *   obs[q] = {base, sd, cell}          16 bytes, read once a replication
 *   run[(t * nind) + i] = first obs    of indicator i in year t
 *   range[i] = [lo, hi]                the censoring bounds (+-inf when open)
 *   keep[2j], keep[2j + 1] = [a, b)    the j-th run of cells no draw writes
 *
 * so the draw loop keeps the bounds in registers and reads 16 bytes an
 * observation (at network scale 493,416 observations, 7.9 MB a
 * replication), and a replication copies only the cells in the runs of
 * keep from the raw values (draws_start): in the network-scale benchmark
 * 24,511 cells in 23,316 runs instead of the 3.9 MB of the whole cube; the
 * copy and the draws took 4.14-4.52 ms a replication against 4.55-4.87 ms
 * for a memcpy of every cell and the draws (thread CPU time, medians of 9
 * x 100 replications, shared 2-core Xeon, gcc 12 -O2).
 */
#include "draws.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "normal.h"
#include "simd.h"

struct obs {
    double base;        /* centre of the normal, raw units */
    float sd;
    uint32_t cell;      /* CUBE_AT index */
};

struct draws {
    size_t nobs, nind, nyear;
    struct obs *obs;
    size_t *run;        /* [nyear * nind + 1] */
    double *lo, *hi;    /* [nind] */
    int *year;          /* [nyear] */
    uint32_t *keep;     /* [2 nkeep] runs [a, b) of the cells no draw writes */
    size_t nkeep;
};

void draws_wilson(double p, double n, double z, double *centre, double *half)
{
    if (!(p >= 0.0 && p <= 1.0 && n > 0.0 && isfinite(n) && z > 0.0 && isfinite(z))) {
        *centre = *half = NAN;
        return;
    }
    double z2 = z * z, den = 1.0 + z2 / n;
    *centre = (p + z2 / (2.0 * n)) / den;
    *half = z / den * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
}

void draws_free(struct draws *dr)
{
    if (!dr) return;
    free(dr->obs);
    free(dr->run);
    free(dr->lo);
    free(dr->hi);
    free(dr->year);
    free(dr->keep);
    free(dr);
}

size_t draws_size(const struct draws *dr)
{
    return dr->nobs;
}

/* Classify cell k of indicator nd; fills *o and returns 1 when it has an
 * error, 0 when exact. */
static int classify(const struct cube *c, size_t k, int percent, double z, struct obs *o,
                    struct draws_count *n)
{
    double v = c->value[k], se = c->se[k], ns = c->n[k];
    n->present++;
    o->cell = (uint32_t)k;
    if (isfinite(se) && se > 0) {
        n->se++;
        o->base = v;
        o->sd = (float)se;
        return 1;
    }
    if (isfinite(ns) && ns > 0) {
        double scale = percent ? 100.0 : 1.0, centre, half;
        draws_wilson(v / scale, ns, z, &centre, &half);
        if (isnan(centre)) {
            n->wilson_ignored++;
            n->exact++;
            return 0;
        }
        n->wilson++;
        if (percent) n->percent++;
        o->base = centre * scale;
        o->sd = (float)(half / z * scale);
        return 1;
    }
    n->exact++;
    return 0;
}

/* Truncation bounds of indicator i: the framework's min/max, and for an
 * indicator with survey proportions their scale. */
static void indicator_range(const struct framework *fw, const struct cube *c, size_t i,
                            int percent, double *lo, double *hi)
{
    const struct fw_node *nd = &fw->node[i];
    *lo = isnan(nd->min) ? -INFINITY : nd->min;
    *hi = isnan(nd->max) ? INFINITY : nd->max;
    int survey = 0;
    for (size_t k = CUBE_AT(c, i, 0, 0); !survey && k < CUBE_AT(c, i + 1, 0, 0); k++)
        survey = !isnan(c->value[k]) && isfinite(c->n[k]) && c->n[k] > 0 &&
                 !(isfinite(c->se[k]) && c->se[k] > 0);
    if (survey) {
        *lo = fmax(*lo, 0.0);
        *hi = fmin(*hi, percent ? 100.0 : 1.0);
    }
}

/* dr->keep: the runs of the ncell cube cells that no observation of dr
 * covers. Returns 0, or -1 on ENOMEM. */
static int keep_runs(struct draws *dr, size_t ncell)
{
    uint8_t *drawn = calloc(ncell + 1, 1);
    if (!drawn) return -1;
    draws_mark(dr, drawn);
    drawn[ncell] = 1;           /* a sentinel that ends the last run */
    size_t n = 0;
    for (size_t k = 0; k < ncell; k++) n += !drawn[k] && (k == 0 || drawn[k - 1]);
    dr->keep = malloc((2 * n + 1) * sizeof *dr->keep);
    if (!dr->keep) {
        free(drawn);
        return -1;
    }
    dr->nkeep = n;
    size_t j = 0;
    for (size_t k = 0; k < ncell; k++) {
        if (drawn[k]) continue;
        size_t a = k;
        while (!drawn[k]) k++;
        dr->keep[j++] = (uint32_t)a;
        dr->keep[j++] = (uint32_t)k;
    }
    free(drawn);
    return 0;
}

struct draws *draws_new(const struct framework *fw, const struct cube *c, double level,
                        struct draws_count *count)
{
    size_t ni = c->nind, ny = c->nyear, nu = c->nunit;
    memset(count, 0, sizeof *count);
    struct draws *dr = calloc(1, sizeof *dr);
    if (!dr) return NULL;
    dr->nind = ni;
    dr->nyear = ny;
    dr->obs = malloc((ni * ny * nu + 1) * sizeof *dr->obs);
    dr->run = malloc((ny * ni + 1) * sizeof *dr->run);
    dr->lo = malloc((ni + 1) * sizeof *dr->lo);
    dr->hi = malloc((ni + 1) * sizeof *dr->hi);
    dr->year = malloc((ny + 1) * sizeof *dr->year);
    if (!dr->obs || !dr->run || !dr->lo || !dr->hi || !dr->year) {
        draws_free(dr);
        return NULL;
    }
    memcpy(dr->year, c->year, ny * sizeof *dr->year);
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - level) / 2.0);
    int *percent = malloc((ni + 1) * sizeof *percent);
    if (!percent) {
        draws_free(dr);
        return NULL;
    }
    for (size_t i = 0; i < ni; i++) {
        percent[i] = framework_unit_is_percent(fw->node[i].unit);
        indicator_range(fw, c, i, percent[i], &dr->lo[i], &dr->hi[i]);
    }
    size_t q = 0;
    for (size_t t = 0; t < ny; t++)
        for (size_t i = 0; i < ni; i++) {
            dr->run[t * ni + i] = q;
            for (size_t u = 0; u < nu; u++) {
                size_t k = CUBE_AT(c, i, t, u);
                if (isnan(c->value[k])) continue;
                if (classify(c, k, percent[i], z, &dr->obs[q], count)) {
                    q++;
                    if (isfinite(dr->lo[i]) || isfinite(dr->hi[i])) count->bounded++;
                }
            }
        }
    dr->run[ny * ni] = q;
    dr->nobs = q;
    free(percent);
    if (keep_runs(dr, ni * ny * nu) != 0) {
        draws_free(dr);
        return NULL;
    }
    return dr;
}

void draws_mark(const struct draws *dr, unsigned char *mask)
{
    for (size_t q = 0; q < dr->nobs; q++) mask[dr->obs[q].cell] = 1;
}

void draws_start(const struct draws *dr, const double *value, double *x)
{
    const uint32_t *kp = dr->keep;
    for (size_t j = 0; j < dr->nkeep; j++) {
        size_t a = kp[2 * j], b = kp[2 * j + 1];
        /* most runs are one or two cells: a call to memcpy costs more */
        if (b - a <= 2) {
            x[a] = value[a];
            if (b - a == 2) x[a + 1] = value[a + 1];
        } else {
            memcpy(x + a, value + a, (b - a) * sizeof *x);
        }
    }
}

/* Seed of the stream of replication r in calendar year `year`: draws.h. */
static uint64_t stream_seed(unsigned long seed, long r, int year)
{
    uint64_t x = (uint64_t)seed, h = normal_splitmix64(&x);
    x = h ^ (uint64_t)r;
    h = normal_splitmix64(&x);
    x = h ^ (uint64_t)(int64_t)year;
    return normal_splitmix64(&x);
}

/* Draws filled at once: a multiple of the stream's 8 lanes (8 KB). */
#define DRAWS_CHUNK 1024

/* x[o[j].cell] = o[j].base + o[j].sd z[j], censored at [lo, hi] when
 * bounded, for j < n: the loop of draws_apply. */
static void apply_scalar(const struct obs *o, const double *z, size_t n, double lo, double hi,
                         int bounded, double *x)
{
    for (size_t j = 0; j < n; j++) {
        double v = o[j].base + o[j].sd * z[j];
        if (bounded) {
            if (v < lo) v = lo;
            if (v > hi) v = hi;
        }
        x[o[j].cell] = v;
    }
}

#if SIMD_AVX512
/* The same 8 observations at a time in AVX-512F registers: the same
 * operations in the same order (a product, a sum, then each bound by a
 * comparison), so the same values, bit for bit. */
SIMD_TARGET static void apply_avx512(const struct obs *o, const double *z, size_t n,
                                     double lo, double hi, int bounded, double *x)
{
    const __m512i even = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi64(15, 13, 11, 9, 7, 5, 3, 1);
    const __m512d vlo = _mm512_set1_pd(lo), vhi = _mm512_set1_pd(hi);
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m512d a = _mm512_loadu_pd((const double *)(o + j));
        __m512d b = _mm512_loadu_pd((const double *)(o + j + 4));
        __m512d base = _mm512_permutex2var_pd(a, even, b);
        __m512i sc = _mm512_castpd_si512(_mm512_permutex2var_pd(a, odd, b));
        __m512d sd = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm512_cvtepi64_epi32(sc)));
        __m512i cell = _mm512_srli_epi64(sc, 32);
        __m512d v = _mm512_add_pd(base, _mm512_mul_pd(sd, _mm512_loadu_pd(z + j)));
        if (bounded) {
            v = _mm512_mask_mov_pd(v, _mm512_cmp_pd_mask(v, vlo, _CMP_LT_OQ), vlo);
            v = _mm512_mask_mov_pd(v, _mm512_cmp_pd_mask(v, vhi, _CMP_GT_OQ), vhi);
        }
        _mm512_i64scatter_pd(x, cell, v, 8);
    }
    _mm256_zeroupper();
    apply_scalar(o + j, z + j, n - j, lo, hi, bounded, x);
}
#endif

void draws_apply(const struct draws *dr, unsigned long seed, long r, double *x)
{
    size_t ni = dr->nind;
    struct normal_lanes z;
    double zq[DRAWS_CHUNK];
    void (*apply)(const struct obs *, const double *, size_t, double, double, int, double *) =
        apply_scalar;
#if SIMD_AVX512
    if (simd_avx512()) apply = apply_avx512;
#endif
    for (size_t t = 0; t < dr->nyear; t++) {
        size_t q0 = dr->run[t * ni], qend = dr->run[(t + 1) * ni];
        if (q0 == qend) continue;
        normal_seed(&z, stream_seed(seed, r, dr->year[t]));
        size_t i0 = 0;          /* the first indicator with draws in the chunk */
        /* chunk by chunk of draws, each split at the indicators' runs */
        for (size_t c0 = q0; c0 < qend; c0 += DRAWS_CHUNK) {
            size_t c1 = qend - c0 < DRAWS_CHUNK ? qend : c0 + DRAWS_CHUNK;
            normal_fill(&z, zq, c1 - c0, 0);
            while (dr->run[t * ni + i0 + 1] <= c0) i0++;
            for (size_t i = i0; i < ni && dr->run[t * ni + i] < c1; i++) {
                size_t a = dr->run[t * ni + i], b = dr->run[t * ni + i + 1];
                if (a < c0) a = c0;
                if (b > c1) b = c1;
                if (a >= b) continue;
                double lo = dr->lo[i], hi = dr->hi[i];
                apply(dr->obs + a, zq + (a - c0), b - a, lo, hi, isfinite(lo) || isfinite(hi),
                      x);
            }
        }
    }
}
