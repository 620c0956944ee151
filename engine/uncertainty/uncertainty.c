/* uncertainty.c: Monte Carlo confidence intervals of scores, ranks and
 * changes (METHODS.md section 6); the contract is in uncertainty.h.
 *
 * Data layout of one chunk of years [t0, t0 + nyk):
 *
 *   keep cell k = (node * nyk + tk) * nunit + u
 *   sdev[r * keepcells + k]  float   score(r) - nominal (NaN: missing)
 *   srk [same]               uint16  rank(r) (0: missing)
 *   K[(node * nunit + u) * R + r]  float deviation in the cell's last year
 *
 * Each worker thread owns a contiguous block of whole MINI-replication
 * tiles and writes each replication's planes straight into its row of the
 * store (contiguous, no copy). The percentile pass reads CELL_BLOCK
 * neighbouring cells at a time: each row gives the block's values from one
 * or two cache lines, prefetched PREFETCH rows ahead, and the transposition
 * to one run of R values a cell happens in the cache-resident block
 * buffer. The store and K are advised transparent huge pages (one page
 * fault per 2 MiB on first touch; fewer TLB misses on the strided reads).
 * History, at network scale: the first layout, [k * R + r], spent 42 % of
 * the run in the copy (R = 100); the next, tiles [tile][k][b] filled by a
 * per-worker transposition of [b][k] buffers, still spent about 8 % of
 * the run in that copy and its extra pass over memory, which the row
 * layout removes.
 *
 * Percentile pass: a cell's two tails come from tails_quantiles (tails.c:
 * a branch-free pre-filter around mean -/+ c sd of its first 64 values,
 * then a selection among the ~2 a + 16 candidates of each tail), ranks
 * from four interleaved histograms. A change's replications are K minus
 * the earlier year's deviations: with one-year chunks the block pass
 * fills K and computes the changes from the deviations it has gathered
 * anyway; with longer chunks a separate pass reads the store by columns.
 * Each worker fills K for its own node x unit cells. Ranks of a plane
 * come from rank_plane.c.
 *
 * Cost at network scale (tests/bench/bench_uncertainty 1000 3: 356 units
 * x 126 indicators x 11 years, 184 nodes, R = 1000; medians of 3 on the
 * shared 2-core machine). History: with tiles, heaps and a serial K copy,
 * 1 thread 25.3 s, 2 threads 14.9 s, draws alone 5.7 s; with the row
 * store, the bucket ranks and the quickselect tails, 17.4 s and 8.75 s,
 * the replications 14.4 s and 7.1 s, the percentile pass 4.1 s and 2.0 s;
 * ranks were then a third of the replications (2.02 M planes of 356
 * values at 2.35 us). With the AVX-512 ranks (0.54 us a plane), the
 * AVX-512 tails kernels and the changes taken from the block pass (one
 * read of the store a chunk instead of two), medians of 5: 1 thread
 * 11.3-11.9 s, the replications 8.8-9.4 s and the percentile pass 2.5 s,
 * draws alone 5.1-5.3 s; 2 threads 6.0-8.3 s (the second core is shared
 * with other machines: 1.44x to 1.99x from it, and 1.31x to 1.98x for the
 * draws alone). In cycles (rdtsc, one thread, R = 300) the replications
 * spend 66 % in the GSL draws and the scatter of their values, 14 %
 * ranking, 10 % aggregating, 5 % in deviations, 4 % normalising. Tried
 * and not kept (identical ranks, measured on the same planes): ranks
 * counted straight from the bucket counts with a chained collision list,
 * 3.7 us; a bitonic sort of 512 64-bit keys, 2.3 us (they did not fit the
 * registers); a vectorised inversion scan after the bucket pass, 1.9 us.
 * Also tried in the replications (rdtsc, one thread, R = 300, A/B runs
 * taken in turn), none of which gained: AVX-512 loops for the arithmetic
 * mean's sums (0.56-0.58 G cycles against 0.49-0.51 for the plain loop)
 * and for the deviations; non-temporal stores of the deviations; the
 * draws in a loop of their own (3.47-3.63 G cycles against 3.51-3.60);
 * rank quantiles by the float tails path instead of histograms (2.50 G
 * against 1.21 G).
 *
 * Invariants: a replication's values depend only on (seed, r, year); the
 * percentile pass only reads the store (order statistics do not depend on
 * how they are found), so every output is the same for any thread count,
 * block split or chunk size.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "uncertainty.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "aggregate.h"
#include "normalise.h"
#include "rank_plane.h"
#include "tails.h"

#define MINI 16            /* replications per worker mini-batch */
#define CELL_BLOCK 16      /* cells gathered together by the percentile pass */
#define PREFETCH 16        /* rows of the store read ahead */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH_LINE(p) __builtin_prefetch(p)
#else
#define PREFETCH_LINE(p) ((void)(p))
#endif
#define MAX_THREADS 64
#define MAX_UNITS RANK_PLANE_MAX_UNITS  /* ranks are uint16, 0 = missing */
#ifndef UNCERTAINTY_SEPARABLE_YEARS
#define UNCERTAINTY_SEPARABLE_YEARS 1  /* years per chunk when independent */
#endif

/* ---- small helpers ------------------------------------------------------ */

/* The replication store and K (hundreds of megabytes at network scale):
 * aligned to 2 MiB and advised transparent huge pages where the system has
 * them, so that their first touch costs one page fault per 2 MiB instead
 * of per 4 KiB and the percentile pass's strided reads (one row of the
 * store apart) miss the TLB less. Measured (perf, network scale): the
 * kernel's share stays 5-8 % of a thread's time either way, now spent
 * clearing pages rather than taking faults. UNCERTAINTY_NO_HUGEPAGES
 * turns the advice off. Freed with free(). */
static void *big_alloc(size_t bytes)
{
#if defined(MADV_HUGEPAGE) && !defined(UNCERTAINTY_NO_HUGEPAGES)
    if (bytes >= ((size_t)4 << 20)) {
        void *mem = NULL;
        if (posix_memalign(&mem, (size_t)2 << 20, bytes) != 0) return NULL;
        (void)madvise(mem, bytes, MADV_HUGEPAGE);   /* advice only */
        return mem;
    }
#endif
    return malloc(bytes ? bytes : 1);
}

static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t splitmix64(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seed of the stream of replication r in calendar year `year`. */
static unsigned long stream_seed(unsigned long seed, long r, int year)
{
    uint64_t h = splitmix64((uint64_t)seed);
    h = splitmix64(h ^ (uint64_t)r);
    h = splitmix64(h ^ (uint64_t)(int64_t)year);
    return (unsigned long)((h ^ (h >> 32)) & 0xffffffffULL);
}

void uncertainty_wilson(double p, double n, double z, double *centre,
                        double *half)
{
    if (!(p >= 0.0 && p <= 1.0 && n > 0.0 && isfinite(n) && z > 0.0 &&
          isfinite(z))) {
        *centre = *half = NAN;
        return;
    }
    double z2 = z * z, den = 1.0 + z2 / n;
    *centre = (p + z2 / (2.0 * n)) / den;
    *half = z / den * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double uncertainty_quantile(double *x, size_t n, double p)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k])) x[m++] = x[k];
    if (m == 0) return NAN;
    qsort(x, m, sizeof *x, cmp_double);
    double index = 1.0 + (double)(m - 1) * p;
    double lo = floor(index);
    size_t klo = (size_t)lo - 1, khi = (size_t)ceil(index) - 1;
    if (khi >= m) khi = m - 1;
    return tails_type7(x[klo], x[khi], index - lo);
}

/* ---- observations ------------------------------------------------------ */

/* A perturbed observation: x = base + sd * z, or for a survey proportion
 * (clip 1: a proportion, 2: a percentage) x = mul * clamp(base + sd * z,
 * 0, 1 or 100) with mul the direction. 24 bytes: the list is read once per
 * replication and year (1 MB a year at network scale), so its size is
 * memory traffic. */
struct obs {
    double base, sd;
    uint32_t i;
    uint16_t u;                  /* units <= MAX_UNITS */
    uint8_t clip;                /* 0 none, 1 to [0, 1], 2 to [0, 100] */
    int8_t mul;                  /* direction when clipped */
};

static int unit_is_percent(const char *s)
{
    if (!s) return 0;
    if (strchr(s, '%')) return 1;
    for (const char *p = s; *p; p++) {
        const char *a = p, *b = "percent";
        while (*a && *b && tolower((unsigned char)*a) == *b) {
            a++;
            b++;
        }
        if (!*b) return 1;
    }
    return 0;
}

/* Classify every observation, count them, and (when out is not NULL) list
 * those with error grouped by year: off[t] .. off[t+1]. */
static size_t collect_obs(const struct framework *fw, const struct cube *c,
                          const struct results *res, double z,
                          struct obs *out, size_t *off,
                          struct uncertainty_summary *sum)
{
    size_t nu = c->nunit, ny = c->nyear, total = 0;
    if (off) {
        /* first pass: counts per year */
        memset(off, 0, (ny + 1) * sizeof *off);
        for (size_t i = 0; i < c->nind; i++)
            for (size_t t = 0; t < ny; t++)
                for (size_t u = 0; u < nu; u++) {
                    size_t k = CUBE_AT(c, i, t, u);
                    double v = c->value[k];
                    if (isnan(v)) continue;
                    double se = c->se[k], n = c->n[k];
                    if ((isfinite(se) && se > 0) || (isfinite(n) && n > 0))
                        off[t + 1]++;
                }
        for (size_t t = 0; t < ny; t++) off[t + 1] += off[t];
    }
    size_t *fill = NULL;
    if (off) {
        fill = malloc((ny + 1) * sizeof *fill);
        if (!fill) return (size_t)-1;
        memcpy(fill, off, (ny + 1) * sizeof *fill);
    }
    for (size_t i = 0; i < c->nind; i++) {
        const struct fw_node *nd = &fw->node[i];
        double dir = nd->direction < 0 ? -1.0 : 1.0;
        int percent = unit_is_percent(nd->unit);
        for (size_t k = CUBE_AT(c, i, 0, 0); !percent && k < CUBE_AT(c, i + 1, 0, 0); k++)
            if (!isnan(c->value[k]) && isfinite(c->n[k]) && c->n[k] > 0 &&
                !(isfinite(c->se[k]) && c->se[k] > 0) && c->value[k] > 1.0)
                percent = 1;
        double scale = percent ? 100.0 : 1.0;
        for (size_t t = 0; t < ny; t++)
            for (size_t u = 0; u < nu; u++) {
                size_t k = CUBE_AT(c, i, t, u);
                double v = c->value[k];
                if (isnan(v)) continue;
                sum->obs_present++;
                double se = c->se[k], n = c->n[k];
                struct obs o = {0.0, 0.0, (uint32_t)i, (uint16_t)u, 0, 1};
                int has = 0;
                if (isfinite(se) && se > 0) {
                    sum->obs_se++;
                    o.base = res->prepared[k];
                    o.sd = se;
                    has = 1;
                } else if (isfinite(n) && n > 0) {
                    double p = v / scale, centre, half;
                    uncertainty_wilson(p, n, z, &centre, &half);
                    if (isnan(centre)) {
                        sum->wilson_ignored++;
                        sum->obs_exact++;
                        /* listed with sd 0 so the year's count is stable */
                        o.base = res->prepared[k];
                        o.sd = 0.0;
                    } else {
                        sum->obs_wilson++;
                        if (percent) sum->obs_percent++;
                        o.base = centre * scale;
                        o.sd = half / z * scale;
                        o.clip = percent ? 2 : 1;
                        o.mul = dir < 0 ? -1 : 1;
                    }
                    has = 1;
                } else {
                    sum->obs_exact++;
                }
                if (has) {
                    if (out) out[fill[t]++] = o;
                    total++;
                }
            }
    }
    free(fill);
    return total;
}

/* ---- the run ----------------------------------------------------------- */

struct unc {
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    struct results *res;
    size_t nunit, nind, nnode, nyear;
    long R;
    const struct obs *obs;
    const size_t *off;
    const struct method *lm;
    int allyears;
    /* current chunk */
    size_t t0, nyk;              /* kept years */
    size_t tc0, nyc;             /* computed years */
    const struct normalise_params *psub;
    const int *ysub;
    size_t keepcells;
    float *sdev;
    uint16_t *srk;
    /* changes */
    struct uncertainty_change *ch;
    int *tl, *tb, *tp;           /* [nnode*nunit] year indices, -1 none */
    float *K;
    /* progress and errors */
    atomic_long done;
    long total;
    void (*progress)(void *, long, long);
    void *ctx;
    double plo, phi;
    atomic_size_t unstable;
};

struct worker {
    struct unc *U;
    int id;
    long r0, r1;                 /* replications of this worker */
    size_t k0, k1;               /* keep cells of the percentile pass */
    size_t c0, c1;               /* node x unit cells of the change pass */
    gsl_rng *rng;
    double *x, *s;
    struct normalise_work *nw;
    struct aggregate_work *aw;
    struct rank_plane_work *rw;
    float *scratch;              /* [2 R + 32]: values, then deviations */
    struct tails_work *tw;
    uint32_t *hist;              /* [4 (nunit + 2)] rank counts, kept zero */
    float *ldev;                 /* [CELL_BLOCK R] a block's deviations */
    uint16_t *lrk;               /* [CELL_BLOCK R] and ranks */
    struct diag d;
    long err_r;                  /* first failing replication, or -1 */
};

static int replicate(struct worker *w, long r)
{
    struct unc *U = w->U;
    const struct cube *c = U->c;
    size_t nu = U->nunit, nyc = U->nyc;
    for (size_t j = 0; j < nyc; j++) {
        size_t t = U->tc0 + j;
        gsl_rng_set(w->rng, stream_seed(U->cfg->seed, r, c->year[t]));
        for (size_t q = U->off[t]; q < U->off[t + 1]; q++) {
            const struct obs *o = &U->obs[q];
            double v = o->base + o->sd * gsl_ran_gaussian_ziggurat(w->rng, 1.0);
            if (o->clip) {
                double hi = o->clip == 2 ? 100.0 : 1.0;
                if (v < 0.0) v = 0.0;
                if (v > hi) v = hi;
                v *= (double)o->mul;
            }
            w->x[(o->i * nyc + j) * nu + o->u] = v;
        }
    }
    normalise_apply(U->psub, w->x, w->s, nu, w->nw);
    if (aggregate_tree(U->fw, U->lm, NULL, w->s, nu, nyc,
                       (const char *const *)c->unit, U->ysub, w->aw, NULL,
                       &w->d) != 0)
        return -1;
    size_t nyk = U->nyk, shift = U->t0 - U->tc0;
    for (size_t node = 0; node < U->nnode; node++)
        for (size_t tk = 0; tk < nyk; tk++) {
            const double *pl = w->s + (node * nyc + shift + tk) * nu;
            const double *nom = U->res->score + RES_AT(U->res, node, U->t0 + tk, 0);
            size_t kc = (node * nyk + tk) * nu;
            float *dv = U->sdev + (size_t)r * U->keepcells + kc;
            for (size_t u = 0; u < nu; u++) dv[u] = (float)(pl[u] - nom[u]);
            rank_plane(pl, nu, U->srk + (size_t)r * U->keepcells + kc, w->rw);
        }
    return 0;
}

static void *worker_replicate(void *arg)
{
    struct worker *w = arg;
    struct unc *U = w->U;
    /* the chunk's prepared values, once: a replication overwrites exactly
     * the observations with error (the same cells every time), so the
     * exact ones keep these */
    size_t nu = U->nunit, nyc = U->nyc;
    for (size_t j = 0; j < nyc; j++)
        for (size_t i = 0; i < U->nind; i++)
            memcpy(w->x + (i * nyc + j) * nu,
                   U->res->prepared + (i * U->nyear + U->tc0 + j) * nu,
                   nu * sizeof *w->x);
    for (long r = w->r0; r < w->r1; r++) {
        if (replicate(w, r) != 0) {
            w->err_r = r;
            return NULL;
        }
        if ((r + 1 - w->r0) % MINI == 0 || r + 1 == w->r1) {
            long nb = (r + 1 - w->r0) % MINI ? (r + 1 - w->r0) % MINI : MINI;
            long done = atomic_fetch_add(&U->done, nb) + nb;
            if (w->id == 0 && U->progress) U->progress(U->ctx, done, U->total);
        }
    }
    return NULL;
}

/* Copy keep cell k's R deviations into out[0..R) in replication order.
 * The reads are one float a row of the store; the lines they bring in
 * serve the neighbouring cells, which the callers visit next. */
static void gather_dev(const struct unc *U, size_t k, float *out)
{
    size_t R = (size_t)U->R, kc = U->keepcells;
    const float *src = U->sdev + k;
    for (size_t r = 0; r < R; r++) {
        if (r + PREFETCH < R) PREFETCH_LINE(src + (r + PREFETCH) * kc);
        out[r] = src[r * kc];
    }
}

/* The R deviations and ranks of the nc (<= CELL_BLOCK) keep cells
 * kb .. kb + nc - 1 into dev[c * R + r] and rk[c * R + r]: each row of the
 * store gives the block's nc values from one or two cache lines, read
 * once, and the transposition happens in the cache-resident block. */
static void gather_block(const struct unc *U, size_t kb, size_t nc,
                         float *dev, uint16_t *rk)
{
    size_t R = (size_t)U->R, kc = U->keepcells;
    const float *sd = U->sdev + kb;
    const uint16_t *sr = U->srk + kb;
    for (size_t r = 0; r < R; r++) {
        if (r + PREFETCH < R) {
            PREFETCH_LINE(sd + (r + PREFETCH) * kc);
            PREFETCH_LINE(sd + (r + PREFETCH) * kc + nc - 1);
            PREFETCH_LINE(sr + (r + PREFETCH) * kc);
            PREFETCH_LINE(sr + (r + PREFETCH) * kc + nc - 1);
        }
        const float *a = sd + r * kc;
        const uint16_t *q = sr + r * kc;
        for (size_t c = 0; c < nc; c++) {
            dev[c * R + r] = a[c];
            rk[c * R + r] = q[c];
        }
    }
}

/* Interval of a change nominal + (K - dev) over the replications, with
 * dev the earlier year's R deviations. */
static void change_interval(struct worker *w, const float *klast,
                            const float *dev, double nominal, double *lo,
                            double *hi, unsigned char *excl)
{
    struct unc *U = w->U;
    size_t m = tails_compact_diff(w->tw, klast, dev, (size_t)U->R, w->scratch);
    if (m == 0 || isnan(nominal)) return;
    double qlo, qhi;
    tails_quantiles(w->tw, w->scratch, m, U->plo, U->phi, &qlo, &qhi);
    *lo = nominal + qlo;
    *hi = nominal + qhi;
    *excl = (unsigned char)(*lo > 0.0 || *hi < 0.0);
}

/* The change work of node x unit cell `cell` whose deviations in the
 * chunk's year t (one-year chunks) are dev[0..R): keep them in K when t is
 * the cell's last year, and the change intervals whose earlier year is t. */
static void cell_changes(struct worker *w, size_t cell, size_t t,
                         const float *dev)
{
    struct unc *U = w->U;
    struct uncertainty_change *ch = U->ch;
    size_t R = (size_t)U->R;
    float *kl = U->K + cell * R;
    if (U->tl[cell] < 0) return;
    if ((size_t)U->tl[cell] == t) memcpy(kl, dev, R * sizeof *kl);
    if (U->tb[cell] >= 0 && (size_t)U->tb[cell] == t)
        change_interval(w, kl, dev, ch->base[cell], &ch->base_low[cell],
                        &ch->base_high[cell], &ch->base_excludes_zero[cell]);
    if (U->tp[cell] >= 0 && (size_t)U->tp[cell] == t)
        change_interval(w, kl, dev, ch->prev[cell], &ch->prev_low[cell],
                        &ch->prev_high[cell], &ch->prev_excludes_zero[cell]);
}

static void *worker_percentiles(void *arg)
{
    struct worker *w = arg;
    struct unc *U = w->U;
    struct results *res = U->res;
    size_t nu = U->nunit, nyk = U->nyk, R = (size_t)U->R;
    /* One-year chunks (separable years): the changes use the deviations
     * the block pass below gathers anyway. Several years a chunk: a cell's
     * earlier years come before its last in the block order, so K is
     * filled first and the changes read the store by columns. */
    int fused = U->ch && nyk == 1;
    if (U->ch && !fused) {
        float *dev = w->scratch + R + 16;
        for (size_t cell = w->c0; cell < w->c1; cell++) {
            int t = U->tl[cell];
            if (t < 0 || (size_t)t < U->t0 || (size_t)t >= U->t0 + nyk) continue;
            size_t node = cell / nu, u = cell % nu;
            gather_dev(U, (node * nyk + ((size_t)t - U->t0)) * nu + u,
                       U->K + cell * R);
        }
        for (size_t cell = w->c0; cell < w->c1; cell++) {
            size_t node = cell / nu, u = cell % nu;
            for (size_t tk = 0; tk < nyk; tk++) {
                size_t t = U->t0 + tk;
                /* a base or previous year here (never the last year;
                 * -1 casts to no year) */
                if ((size_t)U->tb[cell] != t && (size_t)U->tp[cell] != t)
                    continue;
                gather_dev(U, (node * nyk + tk) * nu + u, dev);
                cell_changes(w, cell, t, dev);
            }
        }
    }
    size_t hs = nu + 2;
    uint32_t *h0 = w->hist;
    for (size_t kb = w->k0; kb < w->k1; kb += CELL_BLOCK) {
        size_t nc = w->k1 - kb < CELL_BLOCK ? w->k1 - kb : CELL_BLOCK;
        gather_block(U, kb, nc, w->ldev, w->lrk);
        for (size_t c = 0; c < nc; c++) {
            size_t k = kb + c;
            size_t node = k / (nyk * nu), tk = (k / nu) % nyk, u = k % nu;
            if (fused) cell_changes(w, k, U->t0, w->ldev + c * R);
            size_t rc = RES_AT(res, node, U->t0 + tk, u);
            double nom = res->score[rc];
            if (isnan(nom)) {
                res->ci_low[rc] = res->ci_high[rc] = NAN;
                res->rank_low[rc] = res->rank_high[rc] = NAN;
                continue;
            }
            const float *dv = w->ldev + c * R;
            size_t m = tails_compact(w->tw, dv, R, w->scratch);
            if (m < R) atomic_fetch_add(&U->unstable, 1);
            if (m == 0) {
                res->ci_low[rc] = res->ci_high[rc] = NAN;
                res->rank_low[rc] = res->rank_high[rc] = NAN;
                continue;
            }
            double qlo, qhi;
            tails_quantiles(w->tw, w->scratch, m, U->plo, U->phi, &qlo, &qhi);
            res->ci_low[rc] = nom + qlo;
            res->ci_high[rc] = nom + qhi;
            /* four interleaved histograms: a cell's ranks repeat, and
             * consecutive increments of one counter would wait on each
             * other */
            const uint16_t *rv = w->lrk + c * R;
            uint16_t rmin = UINT16_MAX, rmax = 0;
            size_t r = 0;
            for (; r + 4 <= R; r += 4) {
                uint16_t x0 = rv[r], x1 = rv[r + 1], x2 = rv[r + 2],
                         x3 = rv[r + 3];
                h0[x0]++;
                h0[hs + x1]++;
                h0[2 * hs + x2]++;
                h0[3 * hs + x3]++;
                uint16_t a0 = x0 < x1 ? x0 : x1, a1 = x2 < x3 ? x2 : x3;
                uint16_t b0 = x0 > x1 ? x0 : x1, b1 = x2 > x3 ? x2 : x3;
                a0 = a0 < a1 ? a0 : a1;
                b0 = b0 > b1 ? b0 : b1;
                rmin = a0 < rmin ? a0 : rmin;
                rmax = b0 > rmax ? b0 : rmax;
            }
            for (; r < R; r++) {
                uint16_t x0 = rv[r];
                h0[x0]++;
                rmin = x0 < rmin ? x0 : rmin;
                rmax = x0 > rmax ? x0 : rmax;
            }
            /* fold the four histograms into the first over [rmin, rmax]
             * (rank 0, missing, is below every rank) */
            for (size_t x = rmin; x <= rmax; x++) {
                h0[x] += h0[hs + x] + h0[2 * hs + x] + h0[3 * hs + x];
                h0[hs + x] = h0[2 * hs + x] = h0[3 * hs + x] = 0;
            }
            size_t rlo = rmin;
            if (rmin == 0) {
                /* missing ranks: the lowest present rank lies above 0 */
                rlo = 1;
                while (rlo <= rmax && h0[rlo] == 0) rlo++;
            }
            m = R - h0[0];
            h0[0] = 0;
            if (m == 0) continue;
            tails_rank_quantiles(h0, rlo, rmax, m, U->plo, U->phi, &qlo, &qhi);
            res->rank_low[rc] = qlo;
            res->rank_high[rc] = qhi;
        }
    }
    return NULL;
}

void uncertainty_change_free(struct uncertainty_change *ch)
{
    if (!ch) return;
    free(ch->base_year);
    free(ch->last_year);
    free(ch->prev_year);
    free(ch->base);
    free(ch->base_low);
    free(ch->base_high);
    free(ch->prev);
    free(ch->prev_low);
    free(ch->prev_high);
    free(ch->base_excludes_zero);
    free(ch->prev_excludes_zero);
    free(ch);
}

static struct uncertainty_change *change_new(size_t nnode, size_t nunit)
{
    struct uncertainty_change *ch = calloc(1, sizeof *ch);
    if (!ch) return NULL;
    size_t k = nnode * nunit > 0 ? nnode * nunit : 1;
    ch->nnode = nnode;
    ch->nunit = nunit;
    ch->base_year = calloc(k, sizeof(int));
    ch->last_year = calloc(k, sizeof(int));
    ch->prev_year = calloc(k, sizeof(int));
    ch->base_excludes_zero = calloc(k, 1);
    ch->prev_excludes_zero = calloc(k, 1);
    double **num[] = {&ch->base, &ch->base_low, &ch->base_high, &ch->prev,
                      &ch->prev_low, &ch->prev_high};
    int ok = ch->base_year && ch->last_year && ch->prev_year &&
             ch->base_excludes_zero && ch->prev_excludes_zero;
    for (size_t a = 0; a < sizeof num / sizeof num[0]; a++) {
        *num[a] = malloc(k * sizeof(double));
        if (!*num[a]) ok = 0;
        else for (size_t i = 0; i < k; i++) (*num[a])[i] = NAN;
    }
    if (!ok) {
        uncertainty_change_free(ch);
        return NULL;
    }
    return ch;
}

void uncertainty_change_apply(const struct uncertainty_change *ch,
                              struct trends *tr)
{
    if (!ch || !tr || ch->nnode != tr->nnode || ch->nunit != tr->nunit) return;
    for (size_t k = 0; k < ch->nnode * ch->nunit; k++) {
        if (tr->change_since_base && !isnan(tr->change_since_base[k]) &&
            tr->base_year[k] == ch->base_year[k] &&
            tr->last_year[k] == ch->last_year[k]) {
            tr->change_low[k] = ch->base_low[k];
            tr->change_high[k] = ch->base_high[k];
            if (tr->change_excludes_zero)
                tr->change_excludes_zero[k] = ch->base_excludes_zero[k];
        }
        if (tr->prev_year) tr->prev_year[k] = ch->prev_year[k];
        if (tr->change_prev) tr->change_prev[k] = ch->prev[k];
        if (tr->change_prev_low) tr->change_prev_low[k] = ch->prev_low[k];
        if (tr->change_prev_high) tr->change_prev_high[k] = ch->prev_high[k];
        if (tr->change_prev_excludes_zero)
            tr->change_prev_excludes_zero[k] = ch->prev_excludes_zero[k];
    }
}

/* Base, last and previous year index of every node x unit, and the nominal
 * changes. */
static void change_years(const struct config *cfg, const struct cube *c,
                         const struct results *res,
                         struct uncertainty_change *ch, int *tl, int *tb,
                         int *tp)
{
    size_t nu = res->nunit, ny = res->nyear;
    for (size_t node = 0; node < res->nnode; node++)
        for (size_t u = 0; u < nu; u++) {
            size_t cell = node * nu + u;
            int first = -1, last = -1, base = -1, prev = -1;
            for (size_t t = 0; t < ny; t++) {
                if (isnan(res->score[RES_AT(res, node, t, u)])) continue;
                if (first < 0) first = (int)t;
                last = (int)t;
                if (c->year[t] == cfg->base_year) base = (int)t;
            }
            tl[cell] = tb[cell] = tp[cell] = -1;
            if (last < 0) continue;
            if (base < 0) base = first;
            for (size_t t = 0; t < ny; t++)
                if (c->year[t] == c->year[last] - 1 &&
                    !isnan(res->score[RES_AT(res, node, t, u)]))
                    prev = (int)t;
            double sl = res->score[RES_AT(res, node, last, u)];
            ch->last_year[cell] = c->year[last];
            ch->base_year[cell] = c->year[base];
            tl[cell] = last;
            if (base != last) {
                tb[cell] = base;
                ch->base[cell] = sl - res->score[RES_AT(res, node, base, u)];
            }
            if (prev >= 0) {
                tp[cell] = prev;
                ch->prev_year[cell] = c->year[prev];
                ch->prev[cell] = sl - res->score[RES_AT(res, node, prev, u)];
            }
        }
}

/* Parameters restricted to years [t0, t0 + ny). */
static struct normalise_params *params_sub(const struct normalise_params *p,
                                           size_t t0, size_t ny)
{
    struct normalise_params *q = normalise_params_alloc(p->nind, ny);
    if (!q) return NULL;
    q->m = p->m;
    for (size_t i = 0; i < p->nind; i++) {
        q->method[i] = p->method[i];
        q->fallback[i] = p->fallback[i];
        q->lo[i] = p->lo[i];
        q->hi[i] = p->hi[i];
        q->target[i] = p->target[i];
        for (size_t j = 0; j < ny; j++) {
            size_t a = i * ny + j, b = i * p->nyear + t0 + j;
            q->min[a] = p->min[b];
            q->max[a] = p->max[b];
            q->mean[a] = p->mean[b];
            q->sd[a] = p->sd[b];
            q->count[a] = p->count[b];
            q->constant[a] = p->constant[b];
        }
    }
    return q;
}

static void worker_release(struct worker *w)
{
    gsl_rng_free(w->rng);
    free(w->x);
    free(w->s);
    normalise_work_free(w->nw);
    aggregate_work_free(w->aw);
    rank_plane_work_free(w->rw);
    free(w->scratch);
    tails_work_free(w->tw);
    free(w->hist);
    free(w->ldev);
    free(w->lrk);
    diag_free(&w->d);
}

static int run_threads(struct worker *w, int nt, void *(*fn)(void *))
{
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (int k = 1; k < nt; k++)
        started[k] = pthread_create(&th[k], NULL, fn, &w[k]) == 0;
    fn(&w[0]);
    /* a thread that could not start runs here, after the others */
    for (int k = 1; k < nt; k++)
        if (!started[k]) fn(&w[k]);
    for (int k = 1; k < nt; k++)
        if (started[k]) pthread_join(th[k], NULL);
    return 0;
}

int uncertainty_run(const struct config *cfg, const struct framework *fw,
                    const struct cube *c, struct results *res,
                    struct uncertainty_change **chg, int threads,
                    void (*progress)(void *ctx, long done, long total),
                    void *ctx, size_t budget,
                    struct uncertainty_summary *sum, struct diag *d)
{
    if (chg) *chg = NULL;
    memset(sum, 0, sizeof *sum);
    sum->level = cfg->ci_level;
    sum->seed = cfg->seed;
    if (!(cfg->ci_level > 0.0 && cfg->ci_level < 1.0)) {
        diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                 "uncertainty: level %g is not between 0 and 1", cfg->ci_level);
        return -1;
    }
    if (cfg->replications < 0 ||
        cfg->replications > UNCERTAINTY_MAX_REPLICATIONS) {
        diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                 "uncertainty: replications %ld is not between 0 and %ld",
                 cfg->replications, (long)UNCERTAINTY_MAX_REPLICATIONS);
        return -1;
    }
    if ((size_t)fw->nind != c->nind || (size_t)fw->nnode != res->nnode ||
        res->nunit != c->nunit || res->nyear != c->nyear) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "uncertainty: the results do not match the cube and framework");
        return -1;
    }
    if (c->nunit > MAX_UNITS) {
        diag_add(d, LCME_ELIMIT, NULL, 0, 0,
                 "uncertainty: %zu units is more than the %d the rank store "
                 "holds", c->nunit, MAX_UNITS);
        return -1;
    }
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - cfg->ci_level) / 2.0);
    long R = cfg->replications;
    size_t nu = c->nunit, ny = c->nyear, nind = c->nind, nnode = res->nnode;

    struct unc U;
    memset(&U, 0, sizeof U);
    struct worker w[MAX_THREADS];
    memset(w, 0, sizeof w);
    int nt = 0, rc = -1;
    struct obs *obs = NULL;
    size_t *off = malloc((ny + 1) * sizeof *off);
    struct normalise_params *p = NULL, *psub = NULL;
    struct method *lm = NULL;
    int *ysub = NULL, *tl = NULL, *tb = NULL, *tp = NULL;
    float *sdev = NULL, *K = NULL;
    uint16_t *srk = NULL;
    struct uncertainty_change *ch = NULL;

    /* count and list the observations with error */
    size_t nobs = 0;
    if (!off) goto nomem;
    {
        struct uncertainty_summary tmp;
        memset(&tmp, 0, sizeof tmp);
        nobs = collect_obs(fw, c, res, z, NULL, off, &tmp);
        if (nobs == (size_t)-1) goto nomem;
    }
    obs = malloc((nobs ? nobs : 1) * sizeof *obs);
    if (!obs) goto nomem;
    if (collect_obs(fw, c, res, z, obs, off, sum) == (size_t)-1) goto nomem;
    sum->level = cfg->ci_level;
    sum->seed = cfg->seed;

    if (chg) {
        ch = change_new(nnode, nu);
        tl = malloc((nnode * nu + 1) * sizeof *tl);
        tb = malloc((nnode * nu + 1) * sizeof *tb);
        tp = malloc((nnode * nu + 1) * sizeof *tp);
        if (!ch || !tl || !tb || !tp) goto nomem;
        change_years(cfg, c, res, ch, tl, tb, tp);
    }
    if (R == 0 || ny == 0 || nu == 0) {
        rc = 0;
        goto done;
    }

    /* nominal parameters and methods */
    p = normalise_params_alloc(nind, ny);
    lm = calloc((size_t)fw->nlevel + 2, sizeof *lm);
    if (!p || !lm) goto nomem;
    if (normalise_params_compute(p, config_method(cfg, 1), fw, res->prepared,
                                 nu, d) != 0)
        goto done;
    for (int level = 0; level <= fw->nlevel; level++)
        lm[level] = *config_method(cfg, level);
    int allyears = 0;
    if (p->m.scope == SCOPE_POOLED && ny > 1)
        for (size_t i = 0; i < nind; i++)
            if (p->method[i] == NORM_RANK || p->method[i] == NORM_PRANK)
                allyears = 1;

    /* chunk size from the budget */
    if (budget == 0) budget = UNCERTAINTY_DEFAULT_BUDGET;
    size_t cellyear = nnode * nu;            /* cells of one year */
    size_t rtiles = ((size_t)R + MINI - 1) / MINI * MINI;
    size_t per_year = rtiles * cellyear * 6;
    size_t kbytes = chg ? (size_t)R * cellyear * 4 : 0;
    size_t nyk = budget > kbytes + per_year ? (budget - kbytes) / per_year : 1;
    if (nyk < 1) nyk = 1;
    /* Separable years cost the same in any chunking; one year a chunk keeps
     * the workers' tile buffers small enough for the cache. */
    if (!allyears && nyk > UNCERTAINTY_SEPARABLE_YEARS)
        nyk = UNCERTAINTY_SEPARABLE_YEARS;
    if (nyk > ny) nyk = ny;
    size_t nchunk = (ny + nyk - 1) / nyk;
    sum->years_per_chunk = nyk;
    sum->chunks = nchunk;
    sum->all_years_per_replication = allyears;
    sum->store_bytes = per_year * nyk + kbytes;
    size_t keepmax = cellyear * nyk, nycmax = allyears ? ny : nyk;

    sdev = big_alloc(keepmax * rtiles * sizeof *sdev);
    srk = big_alloc(keepmax * rtiles * sizeof *srk);
    if (chg) K = big_alloc(cellyear * (size_t)R * sizeof *K);
    ysub = malloc(ny * sizeof *ysub);
    if (!sdev || !srk || (chg && !K) || !ysub) goto nomem;

    /* workers */
    if (threads <= 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (int)nc : 1;
    }
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((long)threads > R) threads = (int)R;
    nt = threads;
    sum->threads = nt;
    for (int k = 0; k < nt; k++) {
        struct worker *wk = &w[k];
        wk->U = &U;
        wk->id = k;
        wk->err_r = -1;
        diag_init(&wk->d);
        wk->rng = gsl_rng_alloc(gsl_rng_mt19937);
        wk->x = malloc((nind * nycmax * nu + 1) * sizeof *wk->x);
        wk->s = malloc((nnode * nycmax * nu + 1) * sizeof *wk->s);
        wk->nw = normalise_work_alloc(nu, nycmax);
        wk->aw = aggregate_work_alloc(fw, nu, nycmax);
        wk->rw = rank_plane_work_alloc(nu);
        wk->scratch = malloc((2 * (size_t)R + 32) * sizeof *wk->scratch);
        wk->tw = tails_work_alloc((size_t)R);
        wk->hist = calloc(4 * (nu + 2), sizeof *wk->hist);
        wk->ldev = malloc(CELL_BLOCK * (size_t)R * sizeof *wk->ldev);
        wk->lrk = malloc(CELL_BLOCK * (size_t)R * sizeof *wk->lrk);
        if (!wk->rng || !wk->x || !wk->s || !wk->nw || !wk->aw || !wk->rw ||
            !wk->scratch || !wk->tw || !wk->hist ||
            !wk->ldev || !wk->lrk)
            goto nomem;
        /* whole tiles per worker */
        long ntile = (R + MINI - 1) / MINI;
        wk->r0 = MINI * (ntile * k / nt);
        wk->r1 = MINI * (ntile * (k + 1) / nt);
        if (wk->r1 > R) wk->r1 = R;
    }

    res->ci_low = malloc(nnode * ny * nu * sizeof(double));
    res->ci_high = malloc(nnode * ny * nu * sizeof(double));
    res->rank_low = malloc(nnode * ny * nu * sizeof(double));
    res->rank_high = malloc(nnode * ny * nu * sizeof(double));
    if (!res->ci_low || !res->ci_high || !res->rank_low || !res->rank_high)
        goto nomem;

    U.cfg = cfg;
    U.fw = fw;
    U.c = c;
    U.res = res;
    U.nunit = nu;
    U.nind = nind;
    U.nnode = nnode;
    U.nyear = ny;
    U.R = R;
    U.obs = obs;
    U.off = off;
    U.lm = lm;
    U.allyears = allyears;
    U.ch = ch;
    U.tl = tl;
    U.tb = tb;
    U.tp = tp;
    U.K = K;
    U.sdev = sdev;
    U.srk = srk;
    atomic_init(&U.done, 0);
    atomic_init(&U.unstable, 0);
    U.total = R * (long)nchunk;
    U.progress = progress;
    U.ctx = ctx;
    U.plo = (1.0 - cfg->ci_level) / 2.0;
    U.phi = 1.0 - U.plo;
    if (progress) progress(ctx, 0, U.total);

    /* chunks from the last year backwards, so that a cell's last year is
     * in K before its base and previous years come by */
    for (size_t ck = 0; ck < nchunk; ck++) {
        size_t end = ny - ck * nyk;
        size_t t0 = end >= nyk ? end - nyk : 0;
        U.t0 = t0;
        U.nyk = end - t0;
        U.keepcells = cellyear * U.nyk;
        if (allyears) {
            U.tc0 = 0;
            U.nyc = ny;
            U.psub = p;
        } else {
            U.tc0 = t0;
            U.nyc = U.nyk;
            normalise_params_free(psub);
            psub = params_sub(p, t0, U.nyk);
            if (!psub) goto nomem;
            U.psub = psub;
        }
        for (size_t j = 0; j < U.nyc; j++) ysub[j] = c->year[U.tc0 + j];
        U.ysub = ysub;

        double tw = wall_seconds();
        run_threads(w, nt, worker_replicate);
        sum->loop_seconds += wall_seconds() - tw;
        long err_r = -1;
        int err_k = -1;
        for (int k = 0; k < nt; k++)
            if (w[k].err_r >= 0 && (err_r < 0 || w[k].err_r < err_r)) {
                err_r = w[k].err_r;
                err_k = k;
            }
        if (err_k >= 0) {
            const char *msg = w[err_k].d.n ? w[err_k].d.v[0].msg : "failed";
            diag_add(d, LCME_EINPUT, NULL, 0, 0,
                     "uncertainty: Monte Carlo replication %ld: %s", err_r + 1,
                     msg);
            goto done;
        }

        for (int k = 0; k < nt; k++) {
            w[k].k0 = U.keepcells * (size_t)k / (size_t)nt;
            w[k].k1 = U.keepcells * (size_t)(k + 1) / (size_t)nt;
            w[k].c0 = cellyear * (size_t)k / (size_t)nt;
            w[k].c1 = cellyear * (size_t)(k + 1) / (size_t)nt;
        }
        tw = wall_seconds();
        run_threads(w, nt, worker_percentiles);
        sum->summary_seconds += wall_seconds() - tw;
    }
    sum->replications = R;
    sum->unstable_cells = atomic_load(&U.unstable);
    if (progress) progress(ctx, U.total, U.total);
    rc = 0;
    goto done;

nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0,
             "uncertainty: out of memory for %ld replications of %zu nodes x "
             "%zu units x %zu years", R, nnode, nu, ny);
done:
    for (int k = 0; k < MAX_THREADS; k++)
        if (w[k].U) worker_release(&w[k]);
    free(obs);
    free(off);
    normalise_params_free(p);
    normalise_params_free(psub);
    free(lm);
    free(ysub);
    free(tl);
    free(tb);
    free(tp);
    free(sdev);
    free(srk);
    free(K);
    if (rc != 0) {
        free(res->ci_low);
        free(res->ci_high);
        free(res->rank_low);
        free(res->rank_high);
        res->ci_low = res->ci_high = res->rank_low = res->rank_high = NULL;
        uncertainty_change_free(ch);
    } else if (chg) {
        *chg = ch;
    } else {
        uncertainty_change_free(ch);
    }
    return rc;
}

void uncertainty_notes_add(const struct uncertainty_summary *sum, struct notes *nt)
{
    if (sum->replications == 0) {
        notes_add(nt, "Confidence intervals: not computed (replications = 0).");
        return;
    }
    if (sum->obs_se + sum->obs_wilson == 0) {
        notes_add(nt, "Confidence intervals: none of the %zu observations carries a "
                  "sampling error (no se, lower/upper or sample size), so every score, "
                  "rank and change is exact given the data: its interval has zero width "
                  "(%ld Monte Carlo replications, seed %lu, all equal to the nominal run).",
                  sum->obs_present, sum->replications, sum->seed);
        return;
    }
    notes_add(nt, "Confidence intervals: %g %% percentile intervals (R's "
              "quantile type 7) from %ld Monte Carlo replications of the "
              "observations' sampling error, seed %lu; each replication "
              "normalises with the nominal bounds and aggregates with the "
              "nominal methods, so the intervals measure data error only. "
              "Rank intervals use the same rule and may be fractional.",
              100.0 * sum->level, sum->replications, sum->seed);
    notes_add(nt, "Sampling error: %zu of %zu observations with a standard "
              "error (normal), %zu survey proportions with a sample size "
              "(normal with the Wilson centre and width, clipped to [0, 1]; "
              "%zu of them given in percent), %zu taken as exact.",
              sum->obs_se, sum->obs_present, sum->obs_wilson,
              sum->obs_percent, sum->obs_exact);
    if (sum->wilson_ignored)
        notes_add(nt, "%zu observation%s had a sample size but a value that "
                  "is not a proportion (outside [0, 1], or [0, 100] for "
                  "percentages) and %s taken as exact.", sum->wilson_ignored,
                  sum->wilson_ignored == 1 ? "" : "s",
                  sum->wilson_ignored == 1 ? "was" : "were");
    if (sum->unstable_cells)
        notes_add(nt, "%zu score%s lost their value in some replications; "
                  "their intervals use the replications that kept one.",
                  sum->unstable_cells, sum->unstable_cells == 1 ? "" : "s");
    notes_add(nt, "Changes since the base year and since the previous year "
              "carry intervals from the same replications; a change is "
              "marked significant when its interval excludes 0.");
}
