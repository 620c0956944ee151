/* bench_uncertainty.c: speed of the Monte Carlo uncertainty stage at network
 * scale (356 units x 126 indicators x 11 years, 184 nodes, every observation
 * with a standard error, R = 1000 by default), every replication running the
 * whole pipeline: pooled min-max, with 5 % of the values missing and imputed
 * (linear over time) and outliers treated (winsorise; one indicator in five
 * drawn lognormal, so that some fail the skew and kurtosis test).
 *
 * Reports, for 1 and 2 threads, the median wall time of 3 runs of
 * uncertainty_run, the draws per second, the speed-up of the second thread,
 * and the time of the random draws alone (the same number of draws from
 * lcme's generator, normal.h, seeded per (replication, year), nothing
 * else), and the ratio of the two; and, as a yardstick of the host's
 * speed, the same draws from GSL's mt19937 and gsl_ran_gaussian_ziggurat
 * (lcme's generator before; earlier figures were measured against it).
 * Peak memory: run it under /usr/bin/time -v.
 *
 * Built by CMake with -DLCME_BENCH=ON (never run by ctest):
 *   cmake -S . -B build-mc -DCMAKE_BUILD_TYPE=Release -DLCME_BENCH=ON
 *   cmake --build build-mc --target bench_uncertainty -j2
 *   build-mc/bench_uncertainty [R] [runs] [max threads (1 or 2)] [min threads]
 * (min threads 2: the two-thread runs alone).
 *
 * With LCME_BENCH_DUMP=file in the environment, the intervals and change
 * intervals of the last run are written to file as raw doubles, so that two
 * builds can be checked for byte-identical output (cmp). LCME_BENCH_UNITS=n
 * runs n units instead of 356.
 *
 * With LCME_BENCH_PIPELINE=n the program times the pipeline alone instead:
 * n calls of pipeline_replicate on perturbed raw values (value + se times a
 * normal draw; the draws are made before and not timed), reporting the
 * median, first decile and total CPU time of the calls (the thread's CPU clock: on a
 * shared machine it moves much less than the wall time), and a checksum of every score and
 * rank they wrote, so that two builds can be compared for identical
 * replications.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "normal.h"
#include "pipeline.h"
#include "rank_plane.h"
#include "uncertainty.h"

/* units: 356, or LCME_BENCH_UNITS from the environment (1,000: the size of
 * issue 18's memory target) */
static size_t NU = 356;
#define NI 126
#define NY 11

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU seconds of the whole process: on a shared machine the wall time
 * depends on the other users' load, the CPU time much less. */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* 126 indicators > 42 features (3 each) > 12 focus areas (6 x 3, 6 x 4)
 * > 3 areas (4 each) > index: 184 nodes. */
static struct framework *make_fw(void)
{
    struct framework *fw = calloc(1, sizeof *fw);
    int nn = 184;
    fw->nnode = nn;
    fw->nind = NI;
    fw->root = nn - 1;
    fw->nlevel = 5;
    fw->node = calloc((size_t)nn, sizeof *fw->node);
    int first[5] = {0, 126, 168, 180, 183}, count[5] = {126, 42, 12, 3, 1};
    for (int L = 0; L < 5; L++)
        for (int k = 0; k < count[L]; k++) {
            struct fw_node *nd = &fw->node[first[L] + k];
            char buf[32];
            snprintf(buf, sizeof buf, "N%d_%d", L + 1, k);
            nd->code = strdup(buf);
            nd->name = nd->unit = (char *)"";
            nd->level = L + 1;
            nd->type = L == 0 ? NODE_INDICATOR : NODE_AGGREGATE;
            nd->weight = 1;
            nd->direction = (k % 5 == 4) ? -1 : 1;
            nd->target = nd->lower = nd->upper = nd->min = nd->max = NAN;
            nd->parent = -1;
        }
    /* children */
    int fa_size[12] = {3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4};
    int next = 0;
    for (int k = 0; k < 42; k++) {            /* features */
        struct fw_node *nd = &fw->node[126 + k];
        nd->nchild = 3;
        nd->child = malloc(3 * sizeof(int));
        for (int j = 0; j < 3; j++) nd->child[j] = next++;
    }
    next = 126;
    for (int k = 0; k < 12; k++) {
        struct fw_node *nd = &fw->node[168 + k];
        nd->nchild = fa_size[k];
        nd->child = malloc((size_t)fa_size[k] * sizeof(int));
        for (int j = 0; j < fa_size[k]; j++) nd->child[j] = next++;
    }
    next = 168;
    for (int k = 0; k < 3; k++) {
        struct fw_node *nd = &fw->node[180 + k];
        nd->nchild = 4;
        nd->child = malloc(4 * sizeof(int));
        for (int j = 0; j < 4; j++) nd->child[j] = next++;
    }
    fw->node[183].nchild = 3;
    fw->node[183].child = malloc(3 * sizeof(int));
    for (int j = 0; j < 3; j++) fw->node[183].child[j] = 180 + j;
    for (int n = NI; n < nn; n++)
        for (int j = 0; j < fw->node[n].nchild; j++)
            fw->node[fw->node[n].child[j]].parent = n;
    return fw;
}

static struct config *make_cfg(long R)
{
    struct config *c = calloc(1, sizeof *c);
    struct method m = {0};
    m.normalise = NORM_MINMAX;
    m.norm_low = 0;
    m.norm_high = 100;
    m.z_sd = 1;
    m.dist2target_cap = 1;
    m.scope = SCOPE_POOLED;
    m.aggregate = AGG_ARITHMETIC;
    m.agg_p = 1;
    m.gp_scale = 100;
    c->method = m;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) c->level[l] = m;
    c->ci_level = 0.95;
    c->replications = R;
    c->seed = 20161112;
    c->base_year = 2016;
    c->impute = IMPUTE_LINEAR;
    c->treat = TREAT_WINSORISE;
    c->winmax = 5;
    c->boxcox_lambda = 1;
    for (int s = 0; s < PREP_NSTAGE; s++) c->order[s] = s;
    return c;
}

/* draws alone: the same number of draws, seeded per (replication, year)
 * and written to a buffer: with lcme's generator (normal.h), or, as a
 * yardstick of the host's speed that earlier figures were measured
 * against, GSL's mt19937 and gsl_ran_gaussian_ziggurat. */
struct dj { long r0, r1; int gsl; double sink; };
static void *draw_only(void *arg)
{
    struct dj *j = arg;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc((size_t)NI * NU * sizeof *x);
    double s = 0;
    struct normal_lanes z;
    for (long r = j->r0; r < j->r1; r++)
        for (int t = 0; t < NY; t++) {
            unsigned long h = (unsigned long)(r * 1315423911UL + (unsigned long)t);
            if (j->gsl) {
                gsl_rng_set(g, h);
                for (size_t k = 0; k < (size_t)NI * NU; k++)
                    x[k] = 50.0 + 2.0 * gsl_ran_gaussian_ziggurat(g, 1.0);
            } else {
                normal_seed(&z, h);
                normal_fill(&z, x, (size_t)NI * NU, 0);
                for (size_t k = 0; k < (size_t)NI * NU; k++) x[k] = 50.0 + 2.0 * x[k];
            }
            s += x[r % (NI * NU)];
        }
    j->sink = s;
    free(x);
    gsl_rng_free(g);
    return NULL;
}

static double time_draws(long R, int nt, int gsl, double *cpu_s)
{
    pthread_t th[2];
    struct dj j[2];
    double c0 = cpu();
    double t0 = now();
    for (int k = 0; k < nt; k++) {
        j[k].r0 = R * k / nt;
        j[k].r1 = R * (k + 1) / nt;
        j[k].gsl = gsl;
        pthread_create(&th[k], NULL, draw_only, &j[k]);
    }
    for (int k = 0; k < nt; k++) pthread_join(th[k], NULL);
    *cpu_s = cpu() - c0;
    return now() - t0;
}

/* FNV-1a over 64-bit words, then the bytes of the tail */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t v;
        memcpy(&v, b + k, 8);
        h = (h ^ v) * 1099511628211ULL;
    }
    for (; k < n; k++) h = (h ^ b[k]) * 1099511628211ULL;
    return h;
}

/* LCME_BENCH_PIPELINE: n replications of the pipeline alone. */
static int time_pipeline(const struct results *res, const struct cube *c, long n)
{
    const struct pipeline *pl = res->pipeline;
    size_t nraw = c->nind * c->nyear * c->nunit, row = pipeline_row_cells(pl);
    size_t nres = res->nnode * res->nyear * res->nunit;
    enum { NPERT = 8 };
    double *pert = malloc(NPERT * nraw * sizeof *pert);
    double *x = malloc(nraw * sizeof *x), *s = malloc(row * sizeof *s);
    uint16_t *rk = malloc(nres * sizeof *rk);
    double *tc = malloc((size_t)n * sizeof *tc);
    struct pipeline_work *w = pipeline_work_new(pl);
    if (!pert || !x || !s || !rk || !tc || !w) return 1;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    for (size_t k = 0; k < NPERT * nraw; k++) {
        double v = c->value[k % nraw], se = c->se[k % nraw];
        pert[k] = isnan(v) ? v : v + se * gsl_ran_gaussian_ziggurat(g, 1.0);
    }
    struct diag d;
    diag_init(&d);
    uint64_t h = 14695981039346656037ULL;
    double total = 0;
    for (long r = 0; r < n; r++) {
        memcpy(x, pert + (size_t)(r % NPERT) * nraw, nraw * sizeof *x);
        struct timespec t0, t1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        int rc = pipeline_replicate(pl, w, x, s, rk, &d);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        if (rc != 0) return 1;
        tc[r] = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        total += tc[r];
        h = fnv(h, s, row * sizeof *s);
        h = fnv(h, rk, nres * sizeof *rk);
    }
    qsort(tc, (size_t)n, sizeof *tc, cmpd);
    printf("pipeline alone: %ld replications, CPU %.2f ms a replication (median; "
           "fastest tenth %.2f), %.3f s in all; checksum %016llx\n", n, 1e3 * tc[n / 2],
           1e3 * tc[n / 10], total, (unsigned long long)h);
    gsl_rng_free(g);
    diag_free(&d);
    pipeline_work_free(w);
    free(pert);
    free(x);
    free(s);
    free(rk);
    free(tc);
    return 0;
}

/* Raw intervals and change intervals, for byte comparison of builds. */
static int dump_results(const char *path, const struct results *res,
                        const struct uncertainty_change *ch)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = res->nnode * res->nyear * res->nunit, m = ch->nnode * ch->nunit;
    const double *a[] = {res->ci_low, res->ci_high, res->rank_low,
                         res->rank_high};
    for (int k = 0; k < 4; k++) fwrite(a[k], sizeof(double), n, f);
    const double *b[] = {ch->base, ch->base_low, ch->base_high, ch->prev,
                         ch->prev_low, ch->prev_high};
    for (int k = 0; k < 6; k++) fwrite(b[k], sizeof(double), m, f);
    fwrite(ch->base_excludes_zero, 1, m, f);
    fwrite(ch->prev_excludes_zero, 1, m, f);
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    long R = argc > 1 ? strtol(argv[1], NULL, 10) : 1000;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    int maxt = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 2;
    int mint = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 1;
    if (R <= 0 || runs <= 0 || runs > 15 || maxt < 1 || maxt > 2 || mint < 1 ||
        mint > maxt)
        return 2;
    const char *dump = getenv("LCME_BENCH_DUMP");
    const char *units = getenv("LCME_BENCH_UNITS");
    if (units && strtol(units, NULL, 10) > 1) NU = (size_t)strtol(units, NULL, 10);
    struct framework *fw = make_fw();
    struct config *cfg = make_cfg(R);
    struct cube *c = cube_new(NU, NI, NY, 0, 0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 42);
    for (int t = 0; t < NY; t++) c->year[t] = 2016 + t;
    for (size_t k = 0; k < (size_t)NU * NI * NY; k++) {
        size_t i = k / ((size_t)NU * NY);
        double v = i % 5 == 0 ? exp(2.0 + gsl_ran_gaussian(g, 1.0))
                              : 100.0 * gsl_rng_uniform(g);
        c->value[k] = gsl_rng_uniform(g) < 0.05 ? NAN : v;
        c->se[k] = (i % 5 == 0 ? 0.02 * v : 1.0) + 4.0 * gsl_rng_uniform(g);
    }
    struct diag d;
    diag_init(&d);
    struct results *res = NULL;
    if (pipeline_run(cfg, fw, c, &res, &d) != 0) {
        fprintf(stderr, "pipeline failed\n");
        return 1;
    }
    const char *pipe_only = getenv("LCME_BENCH_PIPELINE");
    if (pipe_only && strtol(pipe_only, NULL, 10) > 0) {
        int rc = time_pipeline(res, c, strtol(pipe_only, NULL, 10));
        results_free(res);
        cube_free(c);
        gsl_rng_free(g);
        diag_free(&d);
        free(cfg);
        return rc;
    }
    struct rank_plane_work *rw = rank_plane_work_alloc(NU);
    if (!rw) return 1;
    printf("ranks of a plane: %s\n",
           rank_plane_path_name(rank_plane_work_path(rw)));
    rank_plane_work_free(rw);
    double draws = (double)R * (double)(NU * NI * NY) * 0.95;
    double med[3] = {0, 0, 0}, dmed[3] = {0, 0, 0};
    for (int nt = mint; nt <= maxt; nt++) {
        double tm[15], td[15], cm[15], cd[15], tl[15], ts[15], tg[15], cg[15];
        for (int k = 0; k < runs; k++) {
            struct uncertainty_summary sum;
            struct uncertainty_change *ch = NULL;
            free(res->ci_low); free(res->ci_high);
            free(res->rank_low); free(res->rank_high);
            res->ci_low = res->ci_high = res->rank_low = res->rank_high = NULL;
            double t0 = now(), c0 = cpu();
            if (uncertainty_run(cfg, fw, c, res, &ch, nt, NULL, NULL, 0, &sum,
                                &d) != 0) {
                char buf[512];
                for (size_t e = 0; e < d.n; e++)
                    fprintf(stderr, "%s\n", diag_format(&d, e, buf, sizeof buf));
                return 1;
            }
            tm[k] = now() - t0;
            cm[k] = cpu() - c0;
            tl[k] = sum.loop_seconds;
            ts[k] = sum.summary_seconds;
            if (dump && nt == maxt && k == runs - 1 && dump_results(dump, res, ch) != 0)
                fprintf(stderr, "cannot write %s\n", dump);
            uncertainty_change_free(ch);
            td[k] = time_draws(R, nt, 0, &cd[k]);
            tg[k] = time_draws(R, nt, 1, &cg[k]);
            if (k == 0 && nt == mint)
                printf("order statistics %.0f MB, %zu chunk(s); %zu observations "
                       "with error\n", (double)sum.store_bytes / 1048576.0,
                       sum.chunks, sum.obs_se);
        }
        qsort(tm, (size_t)runs, sizeof *tm, cmpd);
        qsort(td, (size_t)runs, sizeof *td, cmpd);
        qsort(cm, (size_t)runs, sizeof *cm, cmpd);
        qsort(cd, (size_t)runs, sizeof *cd, cmpd);
        qsort(tl, (size_t)runs, sizeof *tl, cmpd);
        qsort(ts, (size_t)runs, sizeof *ts, cmpd);
        qsort(tg, (size_t)runs, sizeof *tg, cmpd);
        qsort(cg, (size_t)runs, sizeof *cg, cmpd);
        med[nt] = tm[runs / 2];
        dmed[nt] = td[runs / 2];
        printf("threads %d: uncertainty_run median %.2f s (%.1f M draws/s); "
               "draws alone %.2f s; ratio %.2f\n", nt, med[nt],
               draws / med[nt] / 1e6, dmed[nt], med[nt] / dmed[nt]);
        printf("threads %d: CPU seconds: uncertainty_run %.2f, draws alone "
               "%.2f, ratio %.2f\n", nt, cm[runs / 2], cd[runs / 2],
               cm[runs / 2] / cd[runs / 2]);
        printf("threads %d: replication loop (draws, normalise, aggregate, "
               "ranks) median %.2f s, ratio to draws alone %.2f; order "
               "statistics %.2f s\n", nt, tl[runs / 2], tl[runs / 2] / dmed[nt],
               ts[runs / 2]);
        printf("threads %d: yardstick, the same draws from GSL mt19937: %.2f s "
               "(CPU %.2f s); uncertainty_run / yardstick %.2f\n", nt, tg[runs / 2],
               cg[runs / 2], med[nt] / tg[runs / 2]);
    }
    if (maxt == 2 && mint == 1)
        printf("speed-up from the second thread: %.2fx (draws alone %.2fx)\n",
               med[1] / med[2], dmed[1] / dmed[2]);
    results_free(res);
    cube_free(c);
    gsl_rng_free(g);
    diag_free(&d);
    free(cfg);
    return 0;
}
