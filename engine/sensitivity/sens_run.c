/* sens_run.c: sensitivity_run: the cube the runs evaluate, the runs on
 * threads, then the summaries (sens_stats.c).
 *
 * Runs are handed out one at a time from an atomic counter (their costs
 * differ: imputation and treatment alternatives), each thread writing only
 * its runs' rows of s->rank and s->run; a run's numbers depend only on its
 * plan, the seed and the data, so the outputs do not depend on which
 * thread ran what. The calling thread runs its share too and is the only
 * one that reports progress.
 *
 * Every run makes its own pipeline (pipeline_new on a copy of the batch's
 * settings with the run's alternatives; microseconds against the
 * evaluation's milliseconds) and evaluates it in its thread's work area: a
 * work area depends only on the framework and the cube, which every run
 * shares.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "draws.h"
#include "rank_plane.h"
#include "sensitivity_int.h"

#define MAX_THREADS 64

struct exec {
    struct sensitivity *s;
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;          /* the cube the runs evaluate */
    int t;                         /* the evaluation year's index in it */
    const struct draws *dr;        /* NULL without sampling error */
    int sampling;                  /* assumption index of sampling_error, -1 */
    atomic_size_t next, done;
    atomic_int stop;               /* a fatal error: the others stop */
};

struct worker {
    struct exec *E;
    struct pipeline_work *pw;
    struct rank_plane_work *rw;
    gsl_rng *rng;
    double *x, *score, *w;
    struct diag d;                 /* a fatal error */
    size_t fail_r;                 /* first refused run, or SIZE_MAX */
    char *fail_msg;
};

static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Do the settings evaluated (the batch's and every alternative) make the
 * evaluation year's scores depend on that year's data alone? Per-year
 * normalisation and treatment (scope = per-year) and no imputation over
 * time. */
static int year_alone(const struct config *cfg)
{
    const struct config_sensitivity *cs = cfg->sens;
    if (config_method(cfg, 1)->scope != SCOPE_PER_YEAR)
        return 0;
    int imp[SENS_MAX_ALT + 1], n = 0;
    imp[n++] = cfg->impute;
    for (int i = 0; i < cs->nimpute; i++)
        imp[n++] = cs->impute[i];
    for (int i = 0; i < n; i++)
        if (imp[i] == IMPUTE_LATEST || imp[i] == IMPUTE_CONSTANT || imp[i] == IMPUTE_LINEAR)
            return 0;
    return 1;
}

/* A copy of c holding only year index t (its planes moved down in place). */
static struct cube *slice_year(const struct cube *c, int t)
{
    struct cube *y = cube_clone(c);
    if (!y)
        return NULL;
    size_t nu = c->nunit, ny = c->nyear;
    for (size_t i = 0; i < c->nind; i++) {
        size_t from = (i * ny + (size_t)t) * nu, to = i * nu;
        memmove(y->value + to, y->value + from, nu * sizeof *y->value);
        memmove(y->se + to, y->se + from, nu * sizeof *y->se);
        memmove(y->n + to, y->n + from, nu * sizeof *y->n);
        memmove(y->flag + to, y->flag + from, nu);
    }
    for (size_t k = 0; k < c->ndenom; k++)
        memmove(y->denom + k * nu, y->denom + (k * ny + (size_t)t) * nu,
                nu * sizeof *y->denom);
    y->year[0] = c->year[t];
    y->nyear = 1;
    return y;
}

/* One run into its row of s->rank. Returns 0, or -1 on a fatal error (in
 * w->d); a run the pipeline refuses is marked failed and returns 0. */
static int run_one(struct worker *w, size_t r)
{
    struct exec *E = w->E;
    struct sensitivity *s = E->s;
    const struct cube *c = E->c;
    size_t nu = c->nunit, ny = c->nyear;
    struct config cc;
    sens_run_config(s, E->cfg, r, &cc);
    memcpy(w->x, c->value, c->nind * ny * nu * sizeof *w->x);
    long draw = E->sampling >= 0 ? s->run[r].par[E->sampling] : -1;
    if (draw >= 0)
        draws_apply(E->dr, s->seed, draw, w->x);
    int own_weights = sens_run_weights(s, E->cfg, E->fw, r, w->rng, w->w);
    struct diag rd;
    diag_init(&rd);
    struct pipeline *p = pipeline_new(&cc, E->fw, c, &rd);
    int rc = -1;
    if (p) {
        if (own_weights)
            pipeline_set_weights(p, w->w);
        rc = pipeline_evaluate(p, w->pw, w->x, w->score, NULL, &rd);
    }
    pipeline_free(p);
    uint16_t *row = s->rank + r * nu;
    int ret = 0;
    if (rc == 0) {
        rank_plane(w->score + ((size_t)s->target * ny + (size_t)E->t) * nu, nu, row, w->rw);
    } else if (p && rd.worst == LCME_EINPUT) {
        s->run[r].failed = 1;
        memset(row, 0, nu * sizeof *row);
        if (r < w->fail_r && rd.n) {
            free(w->fail_msg);
            w->fail_msg = strdup(rd.v[0].msg);
            w->fail_r = r;
        }
    } else {
        for (size_t i = 0; i < rd.n; i++)
            diag_add(&w->d, rd.v[i].status, rd.v[i].file, rd.v[i].line, rd.v[i].col, "%s",
                     rd.v[i].msg);
        if (!rd.n)
            diag_add(&w->d, LCME_ENOMEM, NULL, 0, 0, "sensitivity: out of memory in run %zu",
                     r + 1);
        ret = -1;
    }
    diag_free(&rd);
    return ret;
}

struct call {
    struct worker *w;
    void (*progress)(void *ctx, long done, long total);
    void *ctx;
};

static void *worker_main(void *arg)
{
    struct call *cl = arg;
    struct worker *w = cl->w;
    struct exec *E = w->E;
    size_t total = E->s->nrun + E->s->nexcl;
    for (;;) {
        if (atomic_load(&E->stop))
            break;
        size_t r = atomic_fetch_add(&E->next, 1);
        if (r >= total)
            break;
        if (run_one(w, r) != 0) {
            atomic_store(&E->stop, 1);
            break;
        }
        size_t done = atomic_fetch_add(&E->done, 1) + 1;
        if (cl->progress)
            cl->progress(cl->ctx, (long)done, (long)total);
    }
    return NULL;
}

static void worker_free(struct worker *w)
{
    pipeline_work_free(w->pw);
    rank_plane_work_free(w->rw);
    gsl_rng_free(w->rng);
    free(w->x);
    free(w->score);
    free(w->w);
    free(w->fail_msg);
    diag_free(&w->d);
}

static int worker_init(struct worker *w, struct exec *E, const struct pipeline *base)
{
    const struct cube *c = E->c;
    size_t planes = c->nyear * c->nunit;
    memset(w, 0, sizeof *w);
    diag_init(&w->d);
    w->E = E;
    w->fail_r = SIZE_MAX;
    w->pw = pipeline_work_new(base);
    w->rw = rank_plane_work_alloc(c->nunit ? c->nunit : 1);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    w->x = malloc((c->nind * planes + 1) * sizeof *w->x);
    w->score = malloc(((size_t)E->fw->nnode * planes + 1) * sizeof *w->score);
    w->w = malloc(((size_t)E->fw->nnode + 1) * sizeof *w->w);
    return w->pw && w->rw && w->rng && w->x && w->score && w->w ? 0 : -1;
}

/* Run every run of E->s on nt threads (the first on this thread). */
static int run_all(struct exec *E, int nt, void (*progress)(void *, long, long), void *ctx,
                   struct diag *d)
{
    struct worker w[MAX_THREADS];
    struct call cl[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int started[MAX_THREADS] = {0}, ninit = 0, rc = -1;
    struct pipeline *base = pipeline_new(E->cfg, E->fw, E->c, d);
    if (!base)
        return -1;
    for (; ninit < nt; ninit++)
        if (worker_init(&w[ninit], E, base) != 0) {
            ninit++;
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "sensitivity: out of memory for %d threads", nt);
            goto done;
        }
    for (int k = 0; k < nt; k++)
        cl[k] = (struct call){&w[k], k == 0 ? progress : NULL, ctx};
    for (int k = 1; k < nt; k++)
        started[k] = pthread_create(&th[k], NULL, worker_main, &cl[k]) == 0;
    worker_main(&cl[0]);
    for (int k = 1; k < nt; k++)
        if (started[k])
            pthread_join(th[k], NULL);
        else
            worker_main(&cl[k]);   /* a thread that could not start: its share here */
    rc = 0;
    size_t first = SIZE_MAX;
    for (int k = 0; k < nt; k++) {
        for (size_t i = 0; i < w[k].d.n; i++) {
            const struct diag_entry *e = &w[k].d.v[i];
            diag_add(d, e->status, e->file, e->line, e->col, "%s", e->msg);
            rc = -1;
        }
        if (w[k].fail_r < first) {
            first = w[k].fail_r;
            free(E->s->first_failure);
            E->s->first_failure = w[k].fail_msg ? strdup(w[k].fail_msg) : NULL;
        }
    }
done:
    for (int k = 0; k < ninit; k++)
        worker_free(&w[k]);
    pipeline_free(base);
    return rc;
}

int sensitivity_run(const struct config *cfg, const struct framework *fw,
                    const struct cube *c, const struct results *res, int threads,
                    void (*progress)(void *ctx, long done, long total), void *ctx,
                    struct sensitivity **out, struct diag *d)
{
    *out = NULL;
    const struct config_sensitivity *cs = cfg->sens;
    int t = cube_year_index(c, cfg->year);
    if (!cs || t < 0 || res->nunit != c->nunit) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "sensitivity: no [sensitivity] section, evaluation year or matching results");
        return -1;
    }
    struct sensitivity *s = calloc(1, sizeof *s);
    struct cube *slice = NULL;
    struct draws *dr = NULL;
    if (!s)
        goto nomem;
    s->mode = cs->mode;
    s->n = (size_t)cs->samples;
    s->seed = cs->seed_set ? cs->seed : cfg->seed;
    s->bootstrap = cs->bootstrap;
    s->level = cfg->ci_level;
    s->year = cfg->year;
    s->year_index = t;
    s->nunit = c->nunit;
    s->target = cs->target ? framework_find(fw, cs->target) : fw->root;
    if (s->target < 0)
        s->target = fw->root;   /* sensitivity_check reports it at validation */
    if (sens_plan(s, cfg, fw, d) != 0)
        goto fail;
    int alone = year_alone(cfg) && c->nyear > 1;
    if (alone && !(slice = slice_year(c, t)))
        goto nomem;
    struct exec E = {.s = s, .cfg = cfg, .fw = fw, .c = alone ? slice : c, .t = alone ? 0 : t,
                     .sampling = sens_assumption(s, SENS_KEY_SAMPLING_ERROR)};
    s->years_held = c->nyear;
    s->years_evaluated = E.c->nyear;
    if (E.sampling >= 0) {
        struct draws_count cnt;
        if (!(dr = draws_new(fw, E.c, cfg->ci_level, &cnt)))
            goto nomem;
        E.dr = dr;
    }
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = threads > 0 ? threads : (int)(nproc > 0 ? nproc : 1);
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    s->threads = nt;
    s->rank = malloc(((s->nrun + s->nexcl) * s->nunit + 1) * sizeof *s->rank);
    if (!s->rank)
        goto nomem;
    double t0 = wall_seconds();
    if (run_all(&E, nt, progress, ctx, d) != 0)
        goto fail;
    s->seconds = wall_seconds() - t0;
    for (size_t r = 0; r < s->nrun + s->nexcl; r++)
        s->failed += (size_t)s->run[r].failed;
    if (s->failed == s->nrun + s->nexcl) {
        diag_add(d, LCME_EINPUT, cfg->path, cs->line[SENS_KEY_MODE], cs->col[SENS_KEY_MODE],
                 "[sensitivity]: every run failed; the first: %s",
                 s->first_failure ? s->first_failure : "?");
        goto fail;
    }
    if (sens_summarise(s, res, d) != 0)
        goto fail;
    cube_free(slice);
    draws_free(dr);
    *out = s;
    return 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "sensitivity: out of memory");
fail:
    cube_free(slice);
    draws_free(dr);
    sensitivity_free(s);
    return -1;
}
