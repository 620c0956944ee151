/* uncertainty_run.c: the Monte Carlo stage as a run (settings, memory,
 * node chunks, batches, threads), the changes and their significance, and
 * the notes; the contract is in uncertainty.h, the passes in uncertainty.c.
 */
#include "uncertainty.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "prepare.h"
#include "uncertainty_int.h"

static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- the change struct -------------------------------------------------------- */

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
    free(ch->base_assessed);
    free(ch->prev_assessed);
    free(ch->base_p);
    free(ch->prev_p);
    free(ch->base_excludes_zero);
    free(ch->prev_excludes_zero);
    free(ch->base_significant);
    free(ch->prev_significant);
    free(ch);
}

static struct uncertainty_change *change_new(size_t nnode, size_t nunit)
{
    struct uncertainty_change *ch = calloc(1, sizeof *ch);
    if (!ch) return NULL;
    size_t k = nnode * nunit > 0 ? nnode * nunit : 1;
    ch->nnode = nnode;
    ch->nunit = nunit;
    int **ints[] = {&ch->base_year, &ch->last_year, &ch->prev_year};
    unsigned char **flags[] = {&ch->base_assessed, &ch->prev_assessed,
                               &ch->base_excludes_zero, &ch->prev_excludes_zero,
                               &ch->base_significant, &ch->prev_significant};
    double **num[] = {&ch->base, &ch->base_low, &ch->base_high, &ch->prev, &ch->prev_low,
                      &ch->prev_high, &ch->base_p, &ch->prev_p};
    int ok = 1;
    for (size_t a = 0; a < sizeof ints / sizeof ints[0]; a++)
        ok &= (*ints[a] = calloc(k, sizeof(int))) != NULL;
    for (size_t a = 0; a < sizeof flags / sizeof flags[0]; a++)
        ok &= (*flags[a] = calloc(k, 1)) != NULL;
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

void uncertainty_change_apply(const struct uncertainty_change *ch, struct trends *tr)
{
    if (!ch || !tr || ch->nnode != tr->nnode || ch->nunit != tr->nunit) return;
    if (!tr->comparable) return;   /* per-year scores: no change is claimed */
    for (size_t k = 0; k < ch->nnode * ch->nunit; k++) {
        if (!isnan(tr->change_since_base[k]) && tr->base_year[k] == ch->base_year[k] &&
            tr->last_year[k] == ch->last_year[k]) {
            tr->change_low[k] = ch->base_low[k];
            tr->change_high[k] = ch->base_high[k];
            tr->change_assessed[k] = ch->base_assessed[k];
            tr->change_p[k] = ch->base_p[k];
            tr->change_excludes_zero[k] = ch->base_excludes_zero[k];
            tr->change_significant[k] = ch->base_significant[k];
        }
        tr->prev_year[k] = ch->prev_year[k];
        tr->change_prev[k] = ch->prev[k];
        tr->change_prev_low[k] = ch->prev_low[k];
        tr->change_prev_high[k] = ch->prev_high[k];
        tr->change_prev_assessed[k] = ch->prev_assessed[k];
        tr->change_prev_p[k] = ch->prev_p[k];
        tr->change_prev_excludes_zero[k] = ch->prev_excludes_zero[k];
        tr->change_prev_significant[k] = ch->prev_significant[k];
    }
}

/* Base, last and previous year index of every node x unit, and the nominal
 * changes: the comparisons of the nominal run (res->compare: the ends and
 * the values each change compares, compare.h). */
static void change_years(const struct cube *c, const struct results *res,
                         struct uncertainty_change *ch, int *tl, int *tb, int *tp)
{
    const struct compare *cm = res->compare;
    const struct compare_change *cb = &cm->ch[COMPARE_BASE], *cp = &cm->ch[COMPARE_PREV];
    for (size_t cell = 0; cell < res->nnode * res->nunit; cell++) {
        tl[cell] = tb[cell] = tp[cell] = -1;
        if (cb->t0[cell] >= 0) {
            tl[cell] = cb->t1[cell];
            tb[cell] = cb->t0[cell];
            ch->last_year[cell] = c->year[cb->t1[cell]];
            ch->base_year[cell] = c->year[cb->t0[cell]];
            ch->base[cell] = cb->x1[cell] - cb->x0[cell];
        }
        if (cp->t0[cell] >= 0) {
            tl[cell] = cp->t1[cell];
            tp[cell] = cp->t0[cell];
            ch->last_year[cell] = c->year[cp->t1[cell]];
            ch->prev_year[cell] = c->year[cp->t0[cell]];
            ch->prev[cell] = cp->x1[cell] - cp->x0[cell];
        }
    }
}

/* err[(node * ny + t) * nu + u] = 1 when an observation of unit u in year t
 * under node carries a measured error: one draws perturbs, or, for a value
 * imputed, such an observation among what it may have been imputed from:
 * the indicator's observations that year (imputation across units) or the
 * unit's in other years (imputation over time). */
static uint8_t *error_bits(const struct framework *fw, const struct cube *c,
                           const struct results *res, const struct draws *dr)
{
    size_t nu = c->nunit, ny = c->nyear, plane = ny * nu;
    uint8_t *err = calloc((size_t)fw->nnode * plane + 1, 1);
    if (!err) return NULL;
    uint8_t *year_err = calloc(ny + 1, 1), *unit_err = calloc(nu + 1, 1);
    if (!year_err || !unit_err) {
        free(err);
        free(year_err);
        free(unit_err);
        return NULL;
    }
    draws_mark(dr, err);
    for (size_t i = 0; i < c->nind; i++) {
        memset(year_err, 0, ny);
        memset(unit_err, 0, nu);
        for (size_t t = 0; t < ny; t++)
            for (size_t u = 0; u < nu; u++) {
                uint8_t e = err[CUBE_AT(c, i, t, u)];
                year_err[t] |= e;
                unit_err[u] |= e;
            }
        for (size_t t = 0; t < ny; t++)
            for (size_t u = 0; u < nu; u++) {
                size_t k = CUBE_AT(c, i, t, u);
                if ((res->flag[k] & CUBE_IMPUTED) && (year_err[t] || unit_err[u]))
                    err[k] = 1;
            }
    }
    free(year_err);
    free(unit_err);
    for (int n = fw->nind; n < fw->nnode; n++)
        for (int j = 0; j < fw->node[n].nchild; j++) {
            const uint8_t *src = err + (size_t)fw->node[n].child[j] * plane;
            uint8_t *dst = err + (size_t)n * plane;
            for (size_t k = 0; k < plane; k++) dst[k] |= src[k];
        }
    return err;
}

/* ---- Benjamini-Hochberg ------------------------------------------------------- */

static const double *bh_p;
static int cmp_by_p(const void *a, const void *b)
{
    double x = bh_p[*(const size_t *)a], y = bh_p[*(const size_t *)b];
    if (x != y) return (x > y) - (x < y);
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    return (i > j) - (i < j);
}

size_t uncertainty_bh(const double *p, size_t n, double q, unsigned char *flag, size_t *idx)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        flag[k] = 0;
        if (!isnan(p[k])) idx[m++] = k;
    }
    if (m == 0) return 0;
    /* qsort has no context argument; this runs on one thread only */
    bh_p = p;
    qsort(idx, m, sizeof *idx, cmp_by_p);
    size_t last = 0;    /* the largest j (1-based) with p_(j) <= j q / m */
    for (size_t j = 1; j <= m; j++)
        if (p[idx[j - 1]] <= (double)j * q / (double)m) last = j;
    for (size_t j = 0; j < last; j++) flag[idx[j]] = 1;
    return last;
}

/* BH within each node, kind and last year: the units tested together. */
static int significance(struct uncertainty_change *ch, double q, struct uncertainty_summary *sum)
{
    size_t nu = ch->nunit;
    double *p = malloc((nu + 1) * sizeof *p);
    unsigned char *f = malloc(nu + 1);
    size_t *idx = malloc((nu + 1) * sizeof *idx);
    if (!p || !f || !idx) {
        free(p);
        free(f);
        free(idx);
        return -1;
    }
    for (int kind = 0; kind < 2; kind++) {
        const double *pv = kind ? ch->prev_p : ch->base_p;
        const unsigned char *as = kind ? ch->prev_assessed : ch->base_assessed;
        const double *chg = kind ? ch->prev : ch->base;
        unsigned char *sig = kind ? ch->prev_significant : ch->base_significant;
        for (size_t node = 0; node < ch->nnode; node++) {
            const int *ly = ch->last_year + node * nu;
            for (size_t u0 = 0; u0 < nu; u0++) {
                /* each distinct last year once, at its first unit */
                int seen = 0;
                for (size_t v = 0; v < u0 && !seen; v++) seen = ly[v] == ly[u0];
                if (seen) continue;
                for (size_t u = 0; u < nu; u++)
                    p[u] = ly[u] == ly[u0] ? pv[node * nu + u] : NAN;
                uncertainty_bh(p, nu, q, f, idx);
                for (size_t u = 0; u < nu; u++)
                    if (ly[u] == ly[u0]) sig[node * nu + u] = f[u];
            }
            for (size_t u = 0; u < nu; u++) {
                size_t k = node * nu + u;
                if (isnan(chg[k])) continue;
                if (as[k]) sum->changes_assessed++;
                else sum->changes_not_assessed++;
                sum->changes_significant += sig[k];
            }
        }
    }
    free(p);
    free(f);
    free(idx);
    return 0;
}

/* ---- the run ------------------------------------------------------------------ */

/* What uncertainty_run allocates, freed by run_free. */
struct run {
    struct unc U;
    struct worker w[MAX_THREADS];
    int nt;
    struct draws *dr;
    int *tl, *tb, *tp;
    uint8_t *err;
    struct uncertainty_change *ch;
};

static void worker_release(struct worker *w)
{
    pipeline_work_free(w->pw);
    free(w->x);
    free(w->s);
    free(w->chrow);
    diag_free(&w->d);
}

static void run_free(struct run *rn)
{
    for (int k = 0; k < MAX_THREADS; k++)
        if (rn->w[k].U) worker_release(&rn->w[k]);
    draws_free(rn->dr);
    free(rn->tl);
    free(rn->tb);
    free(rn->tp);
    free(rn->err);
    free(rn->U.dev);
    free(rn->U.rk);
    free(rn->U.le);
    free(rn->U.ge);
    free(rn->U.cha);
    free(rn->U.chb);
    free(rn->U.chnom);
    free(rn->U.scale_lo);
    free(rn->U.scale_hi);
    tails_free(rn->U.tl);
    tails_free(rn->U.tch);
}

static int check_settings(const struct config *cfg, const struct framework *fw,
                          const struct cube *c, const struct results *res, struct diag *d)
{
    if (!(cfg->ci_level > 0.0 && cfg->ci_level < 1.0)) {
        diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                 "uncertainty: level %g is not between 0 and 1", cfg->ci_level);
        return -1;
    }
    if (cfg->replications < 0 || cfg->replications > UNCERTAINTY_MAX_REPLICATIONS) {
        diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                 "uncertainty: replications %ld is not between 0 and %ld",
                 cfg->replications, (long)UNCERTAINTY_MAX_REPLICATIONS);
        return -1;
    }
    double p = (1.0 - cfg->ci_level) / 2.0;
    if (cfg->replications > tails_max_replications(p)) {
        diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                 "uncertainty: %ld replications at level %g is more than the %ld whose "
                 "order statistics lcme keeps; lower [uncertainty] replications",
                 cfg->replications, cfg->ci_level, tails_max_replications(p));
        return -1;
    }
    if ((size_t)fw->nind != c->nind || (size_t)fw->nnode != res->nnode ||
        res->nunit != c->nunit || res->nyear != c->nyear || !res->pipeline) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "uncertainty: the results do not match the cube and framework");
        return -1;
    }
    if (c->nind * c->nyear * c->nunit > UINT32_MAX) {
        diag_add(d, LCME_ELIMIT, NULL, 0, 0, "uncertainty: %zu cube cells is more than "
                 "the %u the observation list addresses",
                 c->nind * c->nyear * c->nunit, (unsigned)UINT32_MAX);
        return -1;
    }
    return 0;
}

/* The threads a run uses: threads, or one per processor when <= 0. */
static int thread_count(int threads)
{
    if (threads <= 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        threads = nc > 0 ? (int)nc : 1;
    }
    return threads > MAX_THREADS ? MAX_THREADS : threads;
}

/* Rows of a batch: UNCERTAINTY_BATCH, or as many as UNCERTAINTY_BATCH_BYTES
 * hold, but a block of TAILS_BLOCK_ROWS where UNCERTAINTY_BLOCK_BYTES holds
 * it, at least 2; a multiple of the block past it; then a multiple of the
 * threads (at least one each), so
 * that every thread replicates as many rows of a batch: at network scale 7
 * rows on 2 threads kept one thread idle an eighth of the replication
 * phase. */
static long batch_rows(size_t rowbytes, int nt)
{
    long batch = UNCERTAINTY_BATCH;
    if ((size_t)batch * rowbytes > UNCERTAINTY_BATCH_BYTES)
        batch = (long)(UNCERTAINTY_BATCH_BYTES / (rowbytes ? rowbytes : 1));
    if (batch < TAILS_BLOCK_ROWS &&
        (size_t)TAILS_BLOCK_ROWS * rowbytes <= UNCERTAINTY_BLOCK_BYTES)
        batch = TAILS_BLOCK_ROWS;
    if (batch < 2) batch = 2;
    if (batch >= TAILS_BLOCK_ROWS) batch -= batch % TAILS_BLOCK_ROWS;
    if (batch >= nt) batch -= batch % nt;
    return batch < nt ? nt : batch;
}

/* Workers with their work areas; batch rows split among them later. */
static int workers_new(struct run *rn, const struct cube *c)
{
    struct unc *U = &rn->U;
    size_t nraw = c->nind * U->ny * U->nu;
    for (int k = 0; k < rn->nt; k++) {
        struct worker *w = &rn->w[k];
        w->U = U;
        w->err_r = -1;
        diag_init(&w->d);
        w->pw = pipeline_work_new(U->pl);
        w->x = malloc((nraw + 1) * sizeof *w->x);
        w->s = malloc((U->rowcells + 1) * sizeof *w->s);
        w->chrow = malloc((size_t)U->batch * 4096 * sizeof *w->chrow);
        if (!w->pw || !w->x || !w->s || !w->chrow) return -1;
        pipeline_work_set_reader(w->pw, uncertainty_deviations, w);
    }
    return 0;
}

/* Nodes per chunk: as many as the budget holds (at least one). */
static size_t chunk_nodes(const struct unc *U, double p, int changes, size_t budget)
{
    size_t per_node = tails_bytes(U->ny * U->nu, U->R, p, 1) +
                      (changes ? tails_bytes(2 * U->nu, U->R, p, 0) +
                                 2 * U->nu * 2 * sizeof(uint32_t) : 0);
    size_t n = per_node ? budget / per_node : U->nnode;
    if (n < 1) n = 1;
    return n < U->nnode ? n : U->nnode;
}

/* The first failing replication's problem into d; -1 when there is one. */
static int replication_error(struct run *rn, struct diag *d)
{
    long err_r = -1;
    int err_k = -1;
    for (int k = 0; k < rn->nt; k++)
        if (rn->w[k].err_r >= 0 && (err_r < 0 || rn->w[k].err_r < err_r)) {
            err_r = rn->w[k].err_r;
            err_k = k;
        }
    if (err_k < 0) return 0;
    const struct diag *wd = &rn->w[err_k].d;
    size_t i = rn->w[err_k].err_i;
    diag_add(d, LCME_EINPUT, NULL, 0, 0, "uncertainty: Monte Carlo replication %ld: %s",
             err_r + 1, i < wd->n ? wd->v[i].msg : "failed");
    return -1;
}

/* The chunk's change cells: base changes of nodes [n0, n1) x units, then
 * the changes since the previous year; each as the row offsets of the two
 * values it compares (a node score, or one recomputed on the change's
 * composition: compare.h) and its nominal value. */
static void change_offsets(struct unc *U)
{
    size_t nu = U->nu, half = (U->n1 - U->n0) * nu;
    const struct compare *cm = U->res->compare;
    for (size_t h = 0; h < U->nchcell; h++) {
        int prev = h >= half;
        size_t j = prev ? h - half : h, node = U->n0 + j / nu, u = j % nu;
        size_t cell = node * nu + u;
        const struct compare_change *cc = &cm->ch[prev ? COMPARE_PREV : COMPARE_BASE];
        double nom = prev ? U->ch->prev[cell] : U->ch->base[cell];
        U->cha[h] = U->chb[h] = -1;
        U->chnom[h] = nom;
        if (cc->at0[cell] < 0 || isnan(nom)) continue;
        U->cha[h] = cc->at1[cell];
        U->chb[h] = cc->at0[cell];
    }
}

/* The replications' work areas, once the last chunk's replications are in:
 * the quantiles read only the buffers, so their result planes (65 MB at
 * 1,000 units) take the place of these (110 MB at R = 200) instead of
 * adding to the run's peak. Most of them lie inside the heap, which free
 * keeps: handed back, the read's peak fell from 535 to 452 MB. */
static void replication_areas_free(struct run *rn)
{
    for (int k = 0; k < rn->nt; k++) {
        struct worker *w = &rn->w[k];
        pipeline_work_free(w->pw);
        free(w->x);
        free(w->s);
        free(w->chrow);
        w->pw = NULL;
        w->x = w->s = NULL;
        w->chrow = NULL;
    }
    free(rn->U.dev);
    free(rn->U.rk);
    rn->U.dev = NULL;
    rn->U.rk = NULL;
    draws_free(rn->dr);
    rn->dr = NULL;
    rn->U.dr = NULL;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Every replication through one chunk of nodes [n0, n1), then its
 * quantiles. */
static int run_chunk(struct run *rn, size_t n0, size_t n1, double p,
                     void (*progress)(void *, long, long), void *ctx, long done0,
                     long total, struct uncertainty_summary *sum, struct diag *d)
{
    struct unc *U = &rn->U;
    U->n0 = n0;
    U->n1 = n1;
    U->ncell = (n1 - n0) * U->ny * U->nu;
    U->nchcell = U->ch ? 2 * (n1 - n0) * U->nu : 0;
    tails_free(U->tl);
    tails_free(U->tch);
    U->tch = NULL;
    U->tl = tails_new(U->ncell, U->R, p, 1);
    if (U->ch) {
        U->tch = tails_new(U->nchcell, U->R, p, 0);
        memset(U->le, 0, U->nchcell * sizeof *U->le);
        memset(U->ge, 0, U->nchcell * sizeof *U->ge);
        change_offsets(U);
    }
    if (!U->tl || (U->ch && !U->tch)) return -2;
    int nt = rn->nt;
    for (int k = 0; k < nt; k++) {
        size_t a, b;
        a = U->ncell * (size_t)k / (size_t)nt;
        b = U->ncell * (size_t)(k + 1) / (size_t)nt;
        rn->w[k].k0 = a;
        rn->w[k].k1 = b;
        rn->w[k].h0 = U->nchcell * (size_t)k / (size_t)nt;
        rn->w[k].h1 = U->nchcell * (size_t)(k + 1) / (size_t)nt;
    }
    for (U->r0 = 0; U->r0 < U->R; U->r0 += U->batch) {
        U->nb = U->R - U->r0 < U->batch ? U->R - U->r0 : U->batch;
        atomic_store(&U->next_row, 0);
        atomic_store(&U->next_cell, 0);
        atomic_store(&U->next_change, 0);
        double t0 = wall_seconds();
        uncertainty_threads(rn->w, nt, uncertainty_worker_replicate);
        sum->loop_seconds += wall_seconds() - t0;
        if (replication_error(rn, d) != 0) return -1;
        t0 = wall_seconds();
        uncertainty_threads(rn->w, nt, uncertainty_worker_feed);
        sum->summary_seconds += wall_seconds() - t0;
        if (progress) progress(ctx, done0 + U->r0 + U->nb, total);
    }
    if (n1 == U->nnode)
        replication_areas_free(rn);
    double t0 = wall_seconds();
    uncertainty_threads(rn->w, nt, uncertainty_worker_read);
    sum->summary_seconds += wall_seconds() - t0;
    return 0;
}

/* The bounds of each node's score scale: min-max to [l, u] and goalposts
 * to [0, scale] bound the indicators' scores, and every aggregation but
 * Copeland keeps an aggregate within its children's bounds; open
 * otherwise. 0, or -1 on ENOMEM. */
static int scale_bounds(struct unc *U, const struct config *cfg, const struct framework *fw)
{
    U->scale_lo = malloc((U->nnode + 1) * sizeof *U->scale_lo);
    U->scale_hi = malloc((U->nnode + 1) * sizeof *U->scale_hi);
    if (!U->scale_lo || !U->scale_hi) return -1;
    const struct method *m = config_method(cfg, 1);
    double lo = -INFINITY, hi = INFINITY;
    if (m->normalise == NORM_MINMAX) {
        lo = fmin(m->norm_low, m->norm_high);
        hi = fmax(m->norm_low, m->norm_high);
    } else if (m->normalise == NORM_GOALPOSTS) {
        lo = 0.0;
        hi = m->gp_scale > 0 ? m->gp_scale : 100.0;
    }
    for (size_t n = 0; n < U->nnode; n++) {
        /* an aggregate is bounded when every level up to it is a mean */
        int bounded = 1;
        for (int level = 2; level <= fw->node[n].level && n >= (size_t)fw->nind; level++)
            if (config_method(cfg, level)->aggregate == AGG_COPELAND) bounded = 0;
        U->scale_lo[n] = bounded ? lo : -INFINITY;
        U->scale_hi[n] = bounded ? hi : INFINITY;
    }
    return 0;
}

/* Observation counts, the change struct and its year indices. */
static int run_setup(struct run *rn, const struct config *cfg, const struct framework *fw,
                     const struct cube *c, struct results *res, int changes,
                     struct uncertainty_summary *sum)
{
    struct draws_count dc;
    rn->dr = draws_new(fw, c, cfg->ci_level, &dc);
    if (!rn->dr) return -1;
    sum->obs_present = dc.present;
    sum->obs_se = dc.se;
    sum->obs_wilson = dc.wilson;
    sum->obs_percent = dc.percent;
    sum->obs_exact = dc.exact;
    sum->wilson_ignored = dc.wilson_ignored;
    sum->obs_bounded = dc.bounded;
    size_t cells = res->nnode * c->nunit;
    rn->tl = malloc((cells + 1) * sizeof *rn->tl);
    rn->tb = malloc((cells + 1) * sizeof *rn->tb);
    rn->tp = malloc((cells + 1) * sizeof *rn->tp);
    if (!rn->tl || !rn->tb || !rn->tp) return -1;
    if (changes) {
        rn->ch = change_new(res->nnode, c->nunit);
        if (!rn->ch) return -1;
        change_years(c, res, rn->ch, rn->tl, rn->tb, rn->tp);
    }
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
    if (check_settings(cfg, fw, c, res, d) != 0) return -1;
    struct run rn;
    memset(&rn, 0, sizeof rn);
    struct unc *U = &rn.U;
    int rc = -1;
    long R = cfg->replications;
    if (run_setup(&rn, cfg, fw, c, res, chg != NULL, sum) != 0) goto nomem;
    if (R == 0 || c->nyear == 0 || c->nunit == 0) {
        rc = 0;
        goto done;
    }
    U->pl = res->pipeline;
    U->c = c;
    U->res = res;
    U->dr = rn.dr;
    U->seed = cfg->seed;
    U->R = R;
    U->nu = c->nunit;
    U->ny = c->nyear;
    U->nnode = res->nnode;
    U->rowcells = pipeline_row_cells(U->pl);
    U->ch = rn.ch;
    U->tlast = rn.tl;
    U->tbase = rn.tb;
    U->tprev = rn.tp;
    atomic_init(&U->unstable, 0);
    double p = (1.0 - cfg->ci_level) / 2.0;
    rn.err = error_bits(fw, c, res, rn.dr);
    U->err = rn.err;
    rn.nt = thread_count(threads);
    U->batch = batch_rows(U->rowcells * (sizeof *U->dev + sizeof *U->rk), rn.nt);
    size_t batch = (size_t)U->batch * U->rowcells;
    U->dev = malloc(batch * sizeof *U->dev + 1);
    U->rk = malloc(batch * sizeof *U->rk + 1);
    size_t nch = 2 * U->nnode * U->nu + 1;
    U->le = malloc(nch * sizeof *U->le);
    U->ge = malloc(nch * sizeof *U->ge);
    U->cha = malloc(nch * sizeof *U->cha);
    U->chb = malloc(nch * sizeof *U->chb);
    U->chnom = malloc(nch * sizeof *U->chnom);
    if (!rn.err || !U->dev || !U->rk || !U->le || !U->ge || !U->cha || !U->chb || !U->chnom ||
        scale_bounds(U, cfg, fw) != 0)
        goto nomem;
    if (workers_new(&rn, c) != 0) goto nomem;
    sum->threads = rn.nt;
    size_t nres = U->nnode * U->ny * U->nu;
    res->ci_low = malloc(nres * sizeof(double) + 1);
    res->ci_high = malloc(nres * sizeof(double) + 1);
    res->rank_low = malloc(nres * sizeof(double) + 1);
    res->rank_high = malloc(nres * sizeof(double) + 1);
    if (!res->ci_low || !res->ci_high || !res->rank_low || !res->rank_high) goto nomem;

    size_t per = chunk_nodes(U, p, chg != NULL, budget ? budget : UNCERTAINTY_DEFAULT_BUDGET);
    sum->chunks = (U->nnode + per - 1) / per;
    sum->store_bytes = tails_bytes(per * U->ny * U->nu, R, p, 1);
    long total = R * (long)sum->chunks;
    if (progress) progress(ctx, 0, total);
    for (size_t n0 = 0, k = 0; n0 < U->nnode; n0 += per, k++) {
        size_t n1 = n0 + per < U->nnode ? n0 + per : U->nnode;
        int r = run_chunk(&rn, n0, n1, p, progress, ctx, R * (long)k, total, sum, d);
        if (r == -2) goto nomem;
        if (r != 0) goto done;
    }
    if (rn.ch && significance(rn.ch, 1.0 - cfg->ci_level, sum) != 0) goto nomem;
    sum->replications = R;
    sum->unstable_cells = atomic_load(&U->unstable);
    rc = 0;
    goto done;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0,
             "uncertainty: out of memory for %ld replications of %zu nodes x "
             "%zu units x %zu years", R, res->nnode, c->nunit, c->nyear);
done:
    run_free(&rn);
    if (rc != 0) {
        free(res->ci_low);
        free(res->ci_high);
        free(res->rank_low);
        free(res->rank_high);
        res->ci_low = res->ci_high = res->rank_low = res->rank_high = NULL;
        uncertainty_change_free(rn.ch);
    } else if (chg) {
        *chg = rn.ch;
    } else {
        uncertainty_change_free(rn.ch);
    }
    return rc;
}

/* ---- notes -------------------------------------------------------------------- */

void uncertainty_notes_add(const struct uncertainty_summary *sum, struct notes *nt)
{
    if (sum->replications == 0) {
        notes_add(nt, "Confidence intervals: not computed (replications = 0); no change "
                  "is called significant.");
        return;
    }
    if (sum->obs_se + sum->obs_wilson == 0) {
        notes_add(nt, "Confidence intervals: none of the %zu observations carries a "
                  "sampling error (no se, lower/upper or sample size), so the data give "
                  "no measure of their error: every score, rank and change is shown "
                  "without an interval of sampling error, and no change is called "
                  "significant or not (\u201cnot assessed\u201d). %ld Monte Carlo "
                  "replications, seed %lu.", sum->obs_present, sum->replications, sum->seed);
        return;
    }
    notes_add(nt, "Confidence intervals: %g %% percentile intervals (R's quantile type 7) "
              "from %ld Monte Carlo replications of the observations' sampling error, "
              "seed %lu. Each replication runs the whole pipeline on its perturbed raw "
              "values (denominate, screen, impute, treat, direction, normalise, aggregate, "
              "rank) with the same code as the nominal run: it re-derives the imputed "
              "values, the winsorisation limits and the normalisation bounds from its own "
              "values, and holds the nominal run's decisions of which unit-years are "
              "screened out, which indicators are winsorised (and how many points) or "
              "transformed, and which are constant. So the intervals cover the "
              "uncertainty of the bounds as well as of each unit's own data. Rank "
              "intervals use the same rule and may be fractional. An interval holds "
              "its own score, rank or change: where every replication falls on one "
              "side of it (units tied at a bound of the scale), it is extended to it.",
              100.0 * sum->level, sum->replications, sum->seed);
    notes_add(nt, "Sampling error: %zu of %zu observations with a standard "
              "error (normal), %zu survey proportions with a sample size "
              "(normal with the Wilson centre and width; %zu of them given in percent), "
              "%zu taken as exact. Draws stay within what a value can be (a proportion "
              "in [0, 1] or [0, 100], the framework's min and max): %zu observations "
              "have such a range, and a draw beyond it takes its bound.",
              sum->obs_se, sum->obs_present, sum->obs_wilson, sum->obs_percent,
              sum->obs_exact, sum->obs_bounded);
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
    if (2.0 / ((double)sum->replications + 1.0) > 1.0 - sum->level)
        notes_add(nt, "With %ld replications the smallest possible p-value, 2 / (R + 1), is "
                  "above %g, so no change can be called significant: use at least %ld "
                  "replications.", sum->replications, 1.0 - sum->level,
                  (long)ceil(2.0 / (1.0 - sum->level)));
    notes_add(nt, "Changes since the base year and since the previous year carry "
              "intervals from the same replications. A change is assessed when one of "
              "the unit's observations under the node, in either year, carries a "
              "measured error (%zu changes); one computed from exact observations only "
              "is \u201cnot assessed\u201d (%zu), whatever its interval. For an assessed "
              "change the p-value is the two-sided Monte Carlo p-value of no change, "
              "2 (1 + the replications on the far side of 0) / (R + 1), capped at 1; a "
              "change is called significant when it passes the Benjamini\u2013Hochberg "
              "procedure at %g %% among the units of the same node and years, which "
              "keeps the expected share of false calls among them at that level (%zu "
              "significant).", sum->changes_assessed, sum->changes_not_assessed,
              100.0 * (1.0 - sum->level), sum->changes_significant);
}
