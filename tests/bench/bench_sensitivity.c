/* bench_sensitivity.c: speed of a [sensitivity] analysis (sensitivity_run),
 * in pipelines per second, on 1 and 2 threads: the median wall time of
 * `runs` analyses of each batch given (its inputs read as lcme run reads
 * them, without the store), and the CPU time of the process over them.
 *
 * The targets of the issue that asks for the analysis:
 *   - COINr's ASEM example with the four assumptions of COINr's vignette
 *     (datasets/asem-sensitivity), mode = sa, N = 1000: 6,000 pipelines in
 *     under 5 s;
 *   - network scale (lcme gen --units 356 --indicators-per-feature 3
 *     --first-year 2016 --years 11 --missing 0.05 --seed 1, its evaluation
 *     year), d = 6, N = 1000: 8,000 pipelines in under 60 s on 2 threads.
 * tests/bench/run.sh makes the network batch and its [sensitivity] section.
 *
 * Built by CMake with -DLCME_BENCH=ON (never run by ctest):
 *   build-b/bench_sensitivity BATCH.ini [N] [runs] [max threads] [BATCH.ini N ...]
 * N overrides the batch's samples (0: keep them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"
#include "sensitivity.h"

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(struct diag *d, const char *what)
{
    char buf[1024];
    fprintf(stderr, "bench_sensitivity: %s\n", what);
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %s\n", diag_format(d, i, buf, sizeof buf));
    exit(1);
}

/* One batch: read it, then time `runs` analyses on 1 .. maxt threads. */
static void bench(const char *path, long n, int runs, int maxt)
{
    struct diag d;
    diag_init(&d);
    struct config *cfg = NULL;
    struct framework *fw = NULL;
    struct cube *c = NULL;
    struct results *res = NULL;
    if (config_load(&cfg, path, &d) != 0 || !cfg->sens)
        die(&d, "the batch file (with a [sensitivity] section)");
    if (n > 0)
        cfg->sens->samples = n;
    if (framework_load(&fw, cfg->framework, &d) != 0 || config_apply_weights(cfg, fw, &d) != 0 ||
        sensitivity_check(cfg, fw, &d) != 0)
        die(&d, "the framework");
    struct obsset *o = obsset_new();
    if (cfg->units && ingest_units(o, cfg->units, &d) != 0)
        die(&d, "the units");
    for (int i = 0; i < cfg->ndata; i++)
        if (ingest_file(o, cfg->data[i], cfg->data_name[i], fw, &d) != 0)
            die(&d, "the data");
    if (obsset_to_cube(o, fw, cfg->ci_level, &c, &d) != 0 || pipeline_run(cfg, fw, c, &res, &d) != 0)
        die(&d, "the nominal run");
    obsset_free(o);
    printf("%s: %zu units x %zu indicators x %zu years, N = %ld\n", path, c->nunit, c->nind,
           c->nyear, cfg->sens->samples);
    double *wall = malloc((size_t)runs * sizeof *wall);
    for (int nt = 1; nt <= maxt; nt++) {
        size_t pipelines = 0, years = 0;
        double cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (int k = 0; k < runs; k++) {
            struct sensitivity *s = NULL;
            double t0 = clock_s(CLOCK_MONOTONIC);
            if (sensitivity_run(cfg, fw, c, res, nt, NULL, NULL, &s, &d) != 0)
                die(&d, "the analysis");
            wall[k] = clock_s(CLOCK_MONOTONIC) - t0;
            pipelines = s->nrun + s->nexcl;
            years = s->years_evaluated;
            sensitivity_free(s);
        }
        double cpu = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / runs;
        qsort(wall, (size_t)runs, sizeof *wall, cmpd);
        double med = runs % 2 ? wall[runs / 2] : (wall[runs / 2 - 1] + wall[runs / 2]) / 2;
        printf("  %d thread%s: %zu pipelines (%zu year%s each), median %.3f s of %d "
               "(min %.3f, max %.3f): %.0f pipelines/s; CPU %.3f s a run\n", nt,
               nt == 1 ? " " : "s", pipelines, years, years == 1 ? "" : "s", med, runs,
               wall[0], wall[runs - 1], (double)pipelines / med, cpu);
    }
    free(wall);
    results_free(res);
    cube_free(c);
    framework_free(fw);
    config_free(cfg);
    diag_free(&d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_sensitivity BATCH.ini [N] [runs] [max threads] "
                        "[BATCH.ini [N] ...]\n");
        return 2;
    }
    int runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 3;
    int maxt = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 2;
    if (runs < 1)
        runs = 1;
    if (maxt < 1)
        maxt = 1;
    bench(argv[1], argc > 2 ? strtol(argv[2], NULL, 10) : 0, runs, maxt);
    for (int i = 5; i < argc; i += 2)
        bench(argv[i], i + 1 < argc ? strtol(argv[i + 1], NULL, 10) : 0, runs, maxt);
    return 0;
}
