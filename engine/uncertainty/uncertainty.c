/* uncertainty.c: the three passes of the Monte Carlo stage (replications,
 * feeding the order statistics, reading them), run by uncertainty_run.c;
 * the contract is in uncertainty.h.
 *
 * Data flow of one node chunk (all nodes unless the budget splits them):
 *
 *   for each batch of B replications:
 *     phase 1, replications split among threads: raw values ▸ draws
 *       (draws.c) ▸ pipeline_replicate ▸ row b of the batch:
 *         dev[b * ncell + k]  float   score(r) - nominal (NaN missing),
 *                                     then the values changes recompute on
 *                                     their composition (compare.h), less
 *                                     their nominal values
 *         rk [b * ncell + k]  uint16  rank(r) (0 missing)
 *     phase 2, cells split among threads: each row into the order-
 *       statistic buffers of its cells (tails.c), and each node x unit's
 *       changes (last year's deviation minus the base or previous year's)
 *       into theirs, with the counts of changes <= 0 and >= 0;
 *   then, cells split among threads: the quantiles into res and the
 *   change struct.
 *
 * Cells k of a chunk of nodes [n0, n1) are RES_AT cells minus
 * n0 * nyear * nunit (a node's years and units are contiguous), so a
 * chunk's cells are one run of the results' planes.
 *
 * Invariants: a replication's values depend only on (seed, r) and the
 * data; order statistics do not depend on the order rows arrive in; so
 * every output is the same for any thread count, batch size or chunking.
 */
#include "uncertainty.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "compare.h"
#include "uncertainty_int.h"

#define CELL_BLOCK 4096   /* change cells fed together in phase 2 (16 KB a
                             row) */
#define FEED_BLOCK 8192   /* cells a thread takes at a time in phase 2 (a
                             multiple of tails.c's 16) */

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

/* ---- phase 1: replications ------------------------------------------------ */

void uncertainty_deviations(void *ctx, const double *s, size_t k0, size_t k1)
{
    struct worker *w = ctx;
    const struct unc *U = w->U;
    const double *nom = U->res->score, *extra = U->res->compare->extra;
    size_t nres = U->nnode * U->ny * U->nu, k = k0;
    float *dv = w->dv;
    for (; k < k1 && k < nres; k++) dv[k] = (float)(s[k] - nom[k]);
    for (; k < k1; k++) dv[k] = (float)(s[k] - extra[k - nres]);
}

void *uncertainty_worker_replicate(void *arg)
{
    struct worker *w = arg;
    struct unc *U = w->U;
    const struct cube *c = U->c;
    size_t all = U->rowcells;
    while (w->err_r < 0) {
        long b = atomic_fetch_add(&U->next_row, 1);
        if (b >= U->nb) break;
        long r = U->r0 + b;
        size_t nd = w->d.n;
        draws_start(U->dr, c->value, w->x);
        draws_apply(U->dr, U->seed, r, w->x);
        uint16_t *rk = U->rk + (size_t)b * all;
        /* the pipeline hands each part of the score row, as soon as it is
           final, to uncertainty_deviations (set in workers_new), which
           writes this row of dev */
        w->dv = U->dev + (size_t)b * all;
        if (pipeline_replicate(U->pl, w->pw, w->x, w->s, rk, &w->d) != 0) {
            w->err_r = r;
            w->err_i = nd;
            break;
        }
    }
    return NULL;
}

/* ---- phase 2: order statistics ---------------------------------------------- */

/* Change cell h of the chunk: node, unit, and the two year indices whose
 * deviations it subtracts (-1 when the change does not exist). */
static void change_cell(const struct unc *U, size_t h, size_t *node, size_t *u, int *ta,
                        int *tb)
{
    size_t nn = U->n1 - U->n0, half = nn * U->nu;
    int prev = h >= half;
    size_t j = prev ? h - half : h;
    *node = U->n0 + j / U->nu;
    *u = j % U->nu;
    size_t cell = *node * U->nu + *u;
    *ta = U->tlast[cell];
    *tb = prev ? U->tprev[cell] : U->tbase[cell];
}

static void feed_changes(struct worker *w)
{
    struct unc *U = w->U;
    for (;;) {
        size_t h0 = atomic_fetch_add(&U->next_change, CELL_BLOCK);
        if (h0 >= U->nchcell) break;
        size_t h1 = h0 + CELL_BLOCK < U->nchcell ? h0 + CELL_BLOCK : U->nchcell;
        size_t len = h1 - h0;
        for (long b = 0; b < U->nb; b++) {
            const float *dv = U->dev + (size_t)b * U->rowcells;
            float *row = w->chrow + (size_t)b * len;
            for (size_t h = h0; h < h1; h++) {
                float v = NAN;
                if (U->cha[h] >= 0) {
                    v = dv[U->cha[h]] - dv[U->chb[h]];
                    double change = U->chnom[h] + (double)v;
                    U->le[h] += change <= 0.0;
                    U->ge[h] += change >= 0.0;
                }
                row[h - h0] = v;
            }
        }
        tails_add_rows(U->tch, w->chrow, NULL, len, U->nb, h0, h1);
    }
}

void *uncertainty_worker_feed(void *arg)
{
    struct worker *w = arg;
    struct unc *U = w->U;
    size_t off = U->n0 * U->ny * U->nu;    /* the chunk's first RES cell */
    for (;;) {
        size_t k0 = atomic_fetch_add(&U->next_cell, FEED_BLOCK);
        if (k0 >= U->ncell) break;
        size_t k1 = k0 + FEED_BLOCK < U->ncell ? k0 + FEED_BLOCK : U->ncell;
        tails_add_rows(U->tl, U->dev + off + k0, U->rk + off + k0, U->rowcells, U->nb, k0,
                       k1);
    }
    if (U->ch)
        feed_changes(w);
    return NULL;
}

/* ---- the last pass: quantiles ------------------------------------------------ */

static void read_changes(struct worker *w)
{
    struct unc *U = w->U;
    size_t nu = U->nu, half = (U->n1 - U->n0) * nu;
    struct uncertainty_change *ch = U->ch;
    for (size_t h = w->h0; h < w->h1; h++) {
        size_t node, u;
        int ta, tb;
        change_cell(U, h, &node, &u, &ta, &tb);
        if (ta < 0 || tb < 0) continue;
        int prev = h >= half;
        size_t k = node * nu + u;
        double nomc = prev ? ch->prev[k] : ch->base[k];
        if (isnan(nomc)) continue;
        double qlo, qhi;
        size_t n;
        tails_quantiles(U->tch, h, &qlo, &qhi, &n);
        /* extended to the nominal change when every replication lies on
           one side of it (METHODS.md section 6, Intervals) */
        double lo = nomc + fmin(qlo, 0.0), hi = nomc + fmax(qhi, 0.0);
        int assessed = U->err[(node * U->ny + (size_t)ta) * nu + u] ||
                       U->err[(node * U->ny + (size_t)tb) * nu + u];
        double m = (double)(U->le[h] < U->ge[h] ? U->le[h] : U->ge[h]);
        double p = n ? fmin(1.0, 2.0 * (1.0 + m) / ((double)n + 1.0)) : NAN;
        (prev ? ch->prev_low : ch->base_low)[k] = lo;
        (prev ? ch->prev_high : ch->base_high)[k] = hi;
        (prev ? ch->prev_assessed : ch->base_assessed)[k] = (unsigned char)assessed;
        (prev ? ch->prev_p : ch->base_p)[k] = assessed ? p : NAN;
        (prev ? ch->prev_excludes_zero : ch->base_excludes_zero)[k] =
            (unsigned char)(assessed && (lo > 0.0 || hi < 0.0));
    }
}

void *uncertainty_worker_read(void *arg)
{
    struct worker *w = arg;
    struct unc *U = w->U;
    struct results *res = U->res;
    size_t off = U->n0 * U->ny * U->nu;
    size_t unstable = 0;
    for (size_t k = w->k0; k < w->k1; k++) {
        size_t g = off + k;
        double s0 = res->score[g];
        res->ci_low[g] = res->ci_high[g] = res->rank_low[g] = res->rank_high[g] = NAN;
        if (isnan(s0)) continue;
        double qlo, qhi;
        size_t n;
        tails_quantiles(U->tl, k, &qlo, &qhi, &n);
        if (n < (size_t)U->R) unstable++;
        if (n == 0) continue;
        /* extended to the nominal score (and rank) when the replications
           all lie on one side of it, as with ties at a bound (METHODS.md
           section 6, Intervals); the replications lie on the score's
           scale, their float deviations could step out by rounding */
        size_t node = U->n0 + k / (U->ny * U->nu);
        res->ci_low[g] = fmax(s0 + fmin(qlo, 0.0), U->scale_lo[node]);
        res->ci_high[g] = fmin(s0 + fmax(qhi, 0.0), U->scale_hi[node]);
        tails_rank_quantiles(U->tl, k, &res->rank_low[g], &res->rank_high[g]);
        double r0 = res->rank[g];
        if (!isnan(r0) && !isnan(res->rank_low[g])) {
            res->rank_low[g] = fmin(res->rank_low[g], r0);
            res->rank_high[g] = fmax(res->rank_high[g], r0);
        }
    }
    atomic_fetch_add(&U->unstable, unstable);
    if (U->ch)
        read_changes(w);
    return NULL;
}

/* ---- threads ----------------------------------------------------------------- */

void uncertainty_threads(struct worker *w, int nt, void *(*fn)(void *))
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
}


