/* bench_store.c: how fast the store writes observations, reads the cube back
 * and writes results, at the size of a large batch: 356 units x 126
 * indicators x 11 years (493,416 observations) and 179 nodes of results
 * (700,964 rows).
 *
 * Each figure is the median of 5 runs; every run writes into a fresh store
 * file in a temporary folder, removed at the end, or in the folder given as
 * the only argument, where the last run's bench.db is kept to be looked at.
 * Times include the COMMIT (and so the fsyncs of a rollback journal).
 *
 * Built with the benchmarks (cmake -DLCME_BENCH=ON, as ./build.sh bench
 * does) as build/bench_store; run it by hand: build/bench_store [FOLDER].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cube.h"
#include "bench_clock.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"
#include "store.h"
#include "bench_util.h"

#define NUNIT 356
#define NIND 126
#define NAGG 53           /* aggregates above the indicators, root last */
#define NYEAR 11
#define FIRST_YEAR 2016
#define RUNS 5

static void die(struct diag *d, const char *what)
{
    char buf[1024];
    fprintf(stderr, "bench_store: %s failed\n", what);
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s\n", diag_format(d, i, buf, sizeof buf));
    exit(1);
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fprintf(stderr, "bench_store: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    char dir[256];
    int own_dir = argc < 2;
    if (own_dir) {
        snprintf(dir, sizeof dir, "/tmp/lcme-bench-store-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
    } else {
        snprintf(dir, sizeof dir, "%s", argv[1]);
    }
    char path[300], journal[320];
    snprintf(path, sizeof path, "%s/bench.db", dir);
    snprintf(journal, sizeof journal, "%s-journal", path);

    /* framework: I001..I126, then A01..A53 (root last) */
    static struct fw_node node[NIND + NAGG];
    char code[16];
    for (int i = 0; i < NIND + NAGG; i++) {
        memset(&node[i], 0, sizeof node[i]);
        if (i < NIND)
            snprintf(code, sizeof code, "I%03d", i + 1);
        else
            snprintf(code, sizeof code, "A%02d", i - NIND + 1);
        node[i].code = xstrdup(code);
        node[i].level = i < NIND ? 1 : (i == NIND + NAGG - 1 ? 4 : 2);
        node[i].type = i < NIND ? NODE_INDICATOR : NODE_AGGREGATE;
    }
    struct framework fw;
    memset(&fw, 0, sizeof fw);
    fw.nnode = NIND + NAGG;
    fw.nind = NIND;
    fw.root = fw.nnode - 1;
    fw.node = node;

    /* obsset: units in a shuffled-looking order, rows unit by unit, as a
     * long file sorted by unit would give them */
    struct obsset o;
    memset(&o, 0, sizeof o);
    o.nunit = NUNIT;
    o.unit = calloc(NUNIT, sizeof *o.unit);
    o.unit_name = calloc(NUNIT, sizeof *o.unit_name);
    for (int u = 0; u < NUNIT; u++) {
        snprintf(code, sizeof code, "U%04d", (u * 7919) % 10000);
        o.unit[u] = xstrdup(code);
        snprintf(code, sizeof code, "City %d", u);
        o.unit_name[u] = xstrdup(code);
    }
    struct obs_source src = {"obs.csv", "obs.csv", "0123456789abcdef", 0, NULL, 0};
    o.nfile = 1;
    o.file = &src;
    o.n = src.rows = (size_t)NUNIT * NIND * NYEAR;
    o.v = calloc(o.n, sizeof *o.v);
    if (!o.v || !o.unit || !o.unit_name) {
        fprintf(stderr, "bench_store: out of memory\n");
        return 1;
    }
    size_t k = 0;
    for (int u = 0; u < NUNIT; u++)
        for (int t = 0; t < NYEAR; t++)
            for (int i = 0; i < NIND; i++, k++) {
                struct obs *ob = &o.v[k];
                ob->unit = u;
                ob->ind = i;
                ob->year = FIRST_YEAR + t;
                ob->file = 0;
                ob->line = (long)k + 2;
                ob->value = (double)((k * 2654435761u) % 100000) / 1000.0;
                ob->se = (k % 3 == 0) ? 0.5 : NAN;
                ob->n = NAN;
                ob->lower = (k % 5 == 0) ? ob->value - 1 : NAN;
                ob->upper = (k % 5 == 0) ? ob->value + 1 : NAN;
                ob->flag = k % 97 == 0;
            }
    src.rows = o.n;

    struct diag d;
    diag_init(&d);
    double tput[RUNS], tload[RUNS], tres[RUNS], cput[RUNS], cload[RUNS], cres[RUNS];
    size_t nres = 0;
    for (int run = 0; run < RUNS; run++) {
        unlink(path);
        unlink(journal);
        struct store *s = NULL;
        if (store_open(&s, path, 0, &d) != 0)
            die(&d, "store_open");

        double t0 = bench_now(), c0 = bench_cpu();
        if (store_begin(s, &d) || store_put_obsset(s, &o, &fw, NULL, &d) ||
            store_commit(s, &d))
            die(&d, "store_put_obsset");
        tput[run] = bench_now() - t0;
        cput[run] = bench_cpu() - c0;

        struct cube *c = NULL;
        size_t skipped = 0;
        t0 = bench_now();
        c0 = bench_cpu();
        if (store_load_cube(s, &fw, 0.95, &c, &skipped, &d))
            die(&d, "store_load_cube");
        tload[run] = bench_now() - t0;
        cload[run] = bench_cpu() - c0;
        if (c->nunit != NUNIT || c->nyear != NYEAR || skipped != 0) {
            fprintf(stderr, "bench_store: cube is %zu units x %zu years\n", c->nunit, c->nyear);
            return 1;
        }

        /* results: every node scored except one cell in 50 */
        struct results r;
        memset(&r, 0, sizeof r);
        r.nnode = (size_t)fw.nnode;
        r.nyear = NYEAR;
        r.nunit = NUNIT;
        size_t cells = r.nnode * r.nyear * r.nunit;
        r.score = malloc(cells * sizeof *r.score);
        r.rank = malloc(cells * sizeof *r.rank);
        r.ci_low = malloc(cells * sizeof *r.ci_low);
        r.ci_high = malloc(cells * sizeof *r.ci_high);
        if (!r.score || !r.rank || !r.ci_low || !r.ci_high) {
            fprintf(stderr, "bench_store: out of memory\n");
            return 1;
        }
        nres = 0;
        for (size_t j = 0; j < cells; j++) {
            r.score[j] = j % 50 == 49 ? NAN : (double)(j % 1000) / 10.0;
            r.rank[j] = (double)(j % NUNIT + 1);
            r.ci_low[j] = r.score[j] - 1;
            r.ci_high[j] = r.score[j] + 1;
            nres += !isnan(r.score[j]);
        }
        t0 = bench_now();
        c0 = bench_cpu();
        if (store_begin(s, &d) ||
            store_run_begin(s, "0123456789abcdef", "bench", 2026, "2026-12-31T00:00:00",
                            "", 20161112UL, "ff", &d) ||
            store_put_results(s, "0123456789abcdef", &fw, c, &r, &d) ||
            store_run_finish(s, "0123456789abcdef", "done", &d) || store_commit(s, &d))
            die(&d, "store_put_results");
        tres[run] = bench_now() - t0;
        cres[run] = bench_cpu() - c0;
        free(r.score);
        free(r.rank);
        free(r.ci_low);
        free(r.ci_high);
        cube_free(c);
        store_close(s);
    }
    double mp = bench_median(tput, RUNS), ml = bench_median(tload, RUNS), mr = bench_median(tres, RUNS);
    printf("store_put_obsset:  %zu observations, median %.3f s (cpu %.3f s), %.0f rows/s\n",
           o.n, mp, bench_median(cput, RUNS), (double)o.n / mp);
    printf("store_load_cube:   %zu observations, median %.3f s (cpu %.3f s), %.0f rows/s\n",
           o.n, ml, bench_median(cload, RUNS), (double)o.n / ml);
    printf("store_put_results: %zu results,      median %.3f s (cpu %.3f s), %.0f rows/s\n",
           nres, mr, bench_median(cres, RUNS), (double)nres / mr);

    if (own_dir) {
        unlink(path);
        unlink(journal);
        rmdir(dir);
    }
    diag_free(&d);
    for (int u = 0; u < NUNIT; u++) {
        free(o.unit[u]);
        free(o.unit_name[u]);
    }
    free(o.unit);
    free(o.unit_name);
    free(o.v);
    for (int i = 0; i < NIND + NAGG; i++)
        free(node[i].code);
    return 0;
}
