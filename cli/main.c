/* main.c: the lcme command line.
 *
 *   lcme run BATCH.ini [-o DIR] [--seed N] [--replications N] [--threads N]
 *            [--quiet] [--timings]
 *   lcme validate BATCH.ini
 *   lcme history BATCH.ini
 *   lcme gen [options] -o DIR
 *   lcme --help | --version
 *
 * Only this file prints. A run reads and checks everything before it touches
 * the store; the store work (observations, run, results) is one transaction
 * that commits only after every output has been written under a temporary
 * name; the outputs are then renamed into place. So bad input leaves the
 * store and the output folder as they were, and an interrupted run leaves no
 * half-written file under a final name.
 *
 * Exit codes: 0 done, 1 bad input, 2 bad usage, 3 internal or I/O failure.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "gen.h"
#include "ingest.h"
#include "path.h"
#include "chart.h"
#include "report_pdf.h"
#include "pipeline.h"
#include "quality.h"
#include "reports.h"
#include "store.h"
#include "trend.h"
#include "uncertainty.h"
#include "trends_csv.h"

#ifndef LCME_VERSION
#define LCME_VERSION "0.0.0"
#endif

static int quiet;
static int timings;
static int tty;

static void usage(FILE *fp)
{
    fputs("Usage: lcme run BATCH.ini [-o DIR] [--seed N] [--replications N] [--threads N]\n"
          "                [--quiet] [--timings] [--no-charts]\n"
          "       lcme validate BATCH.ini\n"
          "       lcme history BATCH.ini\n"
          "       lcme gen [OPTIONS] -o DIR\n"
          "       lcme --help | --version\n"
          "\n"
          "Monitoring and evaluation of learning cities: ingest a year of indicator data,\n"
          "keep every year in a SQLite store, and compute scores, ranks, intervals and\n"
          "trends for every node of the framework, written to a workbook, CSV files,\n"
          "charts and a PDF report.\n"
          "\n"
          "Commands:\n"
          "  run       ingest, validate, store, compute and write the outputs\n"
          "  validate  report every problem in the batch without computing or writing\n"
          "  history   list the runs, years and sources the store holds\n"
          "  gen       write a synthetic batch (lcme gen --help for its options)\n"
          "\n"
          "Options for run:\n"
          "  -o, --output DIR        write outputs to DIR instead of the batch's output\n"
          "      --seed N            random seed (overrides [uncertainty] seed)\n"
          "      --replications N    Monte Carlo replications (overrides the batch)\n"
          "      --threads N         worker threads (default: all cores)\n"
          "  -q, --quiet             no progress on stderr\n"
          "      --timings           print each stage's wall time on stderr\n"
          "      --no-charts         skip the charts and report.pdf (workbook and CSV only)\n"
          "  -h, --help              show this help and exit\n"
          "  -V, --version           show the version and exit\n"
          "\n"
          "Exit status: 0 done, 1 bad input, 2 bad usage, 3 internal or I/O failure.\n"
          "Full documentation: README.md beside the sources.\n", fp);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct stage_clock {
    double t0;
};

static void stage_begin(struct stage_clock *sc, const char *name)
{
    if (!quiet && tty)
        fprintf(stderr, "lcme: %s...\n", name);
    sc->t0 = now();
}

static void stage_end(struct stage_clock *sc, const char *name)
{
    if (timings)
        fprintf(stderr, "%s: %.6f\n", name, now() - sc->t0);
}

/* Print every problem, then a one-line summary; return the exit code. */
static int report(struct diag *d, const char *what)
{
    char buf[2048];
    diag_sort(d);
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "%s\n", diag_format(d, i, buf, sizeof buf));
    if (d->total > d->n)
        fprintf(stderr, "lcme: ... and %zu more problems not shown\n", d->total - d->n);
    fprintf(stderr, "lcme: %zu problem%s found; %s\n", d->total, d->total == 1 ? "" : "s", what);
    return lcme_status_exit(d->worst);
}

/* Everything read before the store is touched. */
struct inputs {
    struct config *cfg;
    struct framework *fw;
    struct obsset *obs;
};

static void inputs_free(struct inputs *in)
{
    obsset_free(in->obs);
    framework_free(in->fw);
    config_free(in->cfg);
}

/* 0 when the file the batch names at line:col exists; else -1 with an
 * error at that place in the batch file, so that a mistyped name points at
 * the line to mend (folders, FIFOs and unreadable files are left to the
 * readers, which say what is wrong with them). */
static int named_file_exists(const struct config *cfg, const char *key, const char *path,
                             const char *as_written, long line, int col, struct diag *d)
{
    if (access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR))
        return 0;
    if (strcmp(as_written, path) == 0)
        diag_input(d, cfg->path, line, col, "[batch] %s: '%s' does not exist", key, path);
    else
        diag_input(d, cfg->path, line, col, "[batch] %s: '%s' does not exist (looked for %s)",
                   key, as_written, path);
    return -1;
}

static int read_inputs(const char *batch, struct inputs *in, struct diag *d)
{
    memset(in, 0, sizeof *in);
    if (config_load(&in->cfg, batch, d) != 0)
        return -1;
    const struct config *cfg = in->cfg;
    if (named_file_exists(cfg, "framework", cfg->framework,
                          cfg->framework_name ? cfg->framework_name : cfg->framework,
                          cfg->framework_line, cfg->framework_col, d) != 0)
        return -1;
    if (framework_load(&in->fw, in->cfg->framework, d) != 0 ||
        config_apply_weights(in->cfg, in->fw, d) != 0)
        return -1;
    in->obs = obsset_new();
    if (!in->obs) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    if (cfg->units && named_file_exists(cfg, "units", cfg->units,
                                        cfg->units_name ? cfg->units_name : cfg->units,
                                        cfg->units_line, cfg->units_col, d) == 0)
        ingest_units(in->obs, cfg->units, d);
    for (int i = 0; i < cfg->ndata; i++)
        if (named_file_exists(cfg, "data", cfg->data[i], cfg->data_name[i], cfg->data_line[i],
                              cfg->data_col[i], d) == 0)
            ingest_file(in->obs, cfg->data[i], cfg->data_name[i], in->fw, d);
    return diag_count(d) ? -1 : 0;
}

/* Whether the batch's store (when it exists) already holds observations of
 * the evaluation year; validate never creates or changes the store. */
static int store_holds_year(const struct config *cfg)
{
    if (access(cfg->store, F_OK) != 0)
        return 0;
    struct diag quiet_d;
    diag_init(&quiet_d);
    struct store *st = NULL;
    struct store_history h;
    memset(&h, 0, sizeof h);
    int found = 0;
    if (store_open(&st, cfg->store, 1, &quiet_d) == 0 && store_history_read(st, &h, &quiet_d) == 0)
        for (size_t i = 0; i < h.nyear; i++)
            found |= h.year[i] == cfg->year;
    store_history_free(&h);
    store_close(st);
    diag_free(&quiet_d);
    return found;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "lcme: validate needs exactly one batch file\n");
        usage(stderr);
        return 2;
    }
    struct diag d;
    diag_init(&d);
    struct inputs in;
    int rc = read_inputs(argv[1], &in, &d);
    struct cube *c = NULL;
    if (rc == 0 && obsset_to_cube(in.obs, in.fw, in.cfg->ci_level, &c, &d) != 0)
        rc = -1;
    if (rc == 0 && cube_year_index(c, in.cfg->year) < 0 && !store_holds_year(in.cfg)) {
        diag_input(&d, in.cfg->path, 0, 0,
                   "no observations for the evaluation year %d in the data or the store",
                   in.cfg->year);
        rc = -1;
    }
    if (rc == 0) {
        printf("%s: valid: %zu observation%s of %d indicator%s for %zu unit%s in %zu "
               "file%s\n", argv[1], in.obs->n, in.obs->n == 1 ? "" : "s", in.fw->nind,
               in.fw->nind == 1 ? "" : "s", in.obs->nunit, in.obs->nunit == 1 ? "" : "s",
               in.obs->nfile, in.obs->nfile == 1 ? "" : "s");
    } else {
        rc = report(&d, "validation failed");
        if (d.worst == LCME_EIO)
            rc = 1;   /* a missing or unreadable input is bad input */
    }
    cube_free(c);
    inputs_free(&in);
    diag_free(&d);
    return rc;
}

/* The run digest: engine version, settings, seed, every input's checksum and
 * the cube's contents (the store may hold earlier years). */
static void run_digest(const struct config *cfg, const struct obsset *obs,
                       const struct cube *c, const char *fw_sha, struct run_info *ri)
{
    char *settings = config_settings_text(cfg);
    size_t planes = c->nind * c->nyear * c->nunit;
    size_t len = 256 + (settings ? strlen(settings) : 0) + obs->nfile * 80;
    char *buf = malloc(len);
    size_t k = (size_t)snprintf(buf, len, "lcme %s\nseed=%lu\nframework=%s\n%s",
                                LCME_VERSION, cfg->seed, fw_sha, settings ? settings : "");
    for (size_t i = 0; i < obs->nfile && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "input=%s\n", obs->file[i].sha256);
    char cube_sha[3][65];
    sha256_hex(c->value, planes * sizeof(double), cube_sha[0]);
    sha256_hex(c->se, planes * sizeof(double), cube_sha[1]);
    sha256_hex(c->n, planes * sizeof(double), cube_sha[2]);
    size_t total = k + 3 * 64 + 1;
    char *all = malloc(total);
    memcpy(all, buf, k);
    for (int i = 0; i < 3; i++)
        memcpy(all + k + 64 * (size_t)i, cube_sha[i], 64);
    sha256_hex(all, k + 192, ri->digest);
    memcpy(ri->id, ri->digest, 16);
    ri->id[16] = '\0';
    free(all);
    free(buf);
    free(settings);
}

/* Outputs written under tmpdir, renamed into outdir at the end. */
struct outputs {
    char *outdir;
    char *tmpdir;
    int n;
    char *name[16];
};

static char *out_tmp(struct outputs *o, const char *name)
{
    o->name[o->n++] = strdup(name);
    return path_join(o->tmpdir, name);
}

/* Move every finished output into place. A file replaces its old self in
 * one rename; a folder (charts/) cannot replace a non-empty folder, so the
 * old one is first moved aside into the temporary folder (removed with it). */
static int out_commit(struct outputs *o, struct diag *d)
{
    for (int i = 0; i < o->n; i++) {
        char *from = path_join(o->tmpdir, o->name[i]);
        char *to = path_join(o->outdir, o->name[i]);
        struct stat st;
        if (stat(from, &st) == 0 && S_ISDIR(st.st_mode) && stat(to, &st) == 0) {
            char aside[64];
            snprintf(aside, sizeof aside, "old-%d", i);
            char *old = path_join(o->tmpdir, aside);
            if (rename(to, old) != 0)
                diag_add(d, LCME_EIO, to, 0, 0, "cannot move the previous folder aside: %s",
                         strerror(errno));
            free(old);
        }
        if (rename(from, to) != 0)
            diag_add(d, LCME_EIO, to, 0, 0, "cannot move the finished file into place: %s",
                     strerror(errno));
        free(from);
        free(to);
    }
    return diag_count(d) ? -1 : 0;
}

static void out_free(struct outputs *o)
{
    if (o->tmpdir)
        path_remove_tree(o->tmpdir);
    free(o->tmpdir);
    for (int i = 0; i < o->n; i++)
        free(o->name[i]);
}

/* The Monte Carlo bar on stderr (only when it is a terminal). */
static void progress_bar(void *ctx, long done_, long total)
{
    (void)ctx;
    if (total <= 0)
        return;
    int width = 40, fill = (int)(width * done_ / total);
    fprintf(stderr, "\rlcme: Monte Carlo [%.*s%*s] %3ld%%", fill,
            "########################################", width - fill, "",
            100 * done_ / total);
    fflush(stderr);
}

/* Remove the temporary folders that killed runs left in the output folder:
 * ".lcme-tmp-PID-XXXXXX" whose PID no longer runs. A live run's folder is
 * never touched. */
static void remove_stale_tmp(const char *outdir)
{
    DIR *dir = opendir(outdir);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        if (strncmp(e->d_name, ".lcme-tmp-", 10) != 0)
            continue;
        errno = 0;
        long pid = strtol(e->d_name + 10, &end, 10);
        if (errno || end == e->d_name + 10 || *end != '-' || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *p = path_join(outdir, e->d_name);
        if (p)
            path_remove_tree(p);
        free(p);
    }
    closedir(dir);
}

struct run_opts {
    const char *output;
    long seed, replications, threads;
    int no_charts;       /* --no-charts: skip charts/ and report.pdf */
};

/* The writers that run beside the workbook (see cmd_run): the results into
 * the store (the store is not used elsewhere meanwhile), report.pdf when
 * charts are drawn, and the CSV files, in that order, stopping at the first
 * failure. */
struct side_job {
    struct store *st;
    const char *run_id;
    const struct report_input *in;
    char *path[5];                    /* temporary file of each stage, owned;
                                         NULL: not written */
    const struct trends *tr;
    const struct chart_list *charts;  /* NULL: no report */
    struct diag d;
    int rc;
    double seconds[5];
    pthread_t thread;
    int started;                      /* a thread runs it: join before use */
};

static const char *const side_stage[5] = {"results", "report", "scores.csv",
                                          "trends.csv", "quality.csv"};
static const char *const side_file[5] = {NULL, "report.pdf", "scores.csv",
                                         "trends.csv", "quality.csv"};

static void *side_job(void *arg)
{
    struct side_job *j = arg;
    const struct report_input *in = j->in;
    const struct config *cfg = in->cfg;
    j->rc = -1;
    double t0 = now();
    char *settings = config_settings_text(cfg);
    int stored = store_run_begin(j->st, j->run_id, cfg->name, cfg->year, cfg->created,
                                 settings, cfg->seed, in->run->digest, &j->d) == 0 &&
                 store_put_results(j->st, j->run_id, in->fw, in->cube, in->res, &j->d) == 0;
    free(settings);
    if (!stored)
        return NULL;
    j->seconds[0] = now() - t0;
    for (int k = 1; k < 5; k++) {
        const char *p = j->path[k];
        if (!p)
            continue;
        t0 = now();
        int ok;
        switch (k) {
        case 1: ok = report_pdf_write(p, in, j->tr, j->charts, &j->d) == 0; break;
        case 2: ok = scores_csv_write(p, in, &j->d) == 0; break;
        case 3: ok = trends_csv_write(p, in, j->tr, &j->d) == 0; break;
        default: ok = quality_csv_write(p, in, &j->d) == 0; break;
        }
        if (!ok)
            return NULL;
        j->seconds[k] = now() - t0;
    }
    j->rc = 0;
    return NULL;
}

static void side_join(struct side_job *j)
{
    if (j->started)
        pthread_join(j->thread, NULL);
    j->started = 0;
}

/* Append every problem of from to to. */
static void diag_merge(struct diag *to, const struct diag *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct diag_entry *e = &from->v[i];
        diag_add(to, e->status, e->file, e->line, e->col, "%s", e->msg);
    }
}

static int cmd_run(const char *batch, const struct run_opts *ro)
{
    struct diag d;
    diag_init(&d);
    struct stage_clock sc;
    double t_start = now();
    struct inputs in;
    struct store *st = NULL;
    struct cube *c = NULL;
    struct results *res = NULL;
    struct trends *tr = NULL;
    struct uncertainty_change *chg = NULL;
    struct chart_list charts;
    char *chdir_tmp = NULL;
    struct outputs out;
    memset(&out, 0, sizeof out);
    struct side_job side;
    memset(&side, 0, sizeof side);
    diag_init(&side.d);
    memset(&charts, 0, sizeof charts);
    int rc = 3, in_tx = 0;

    stage_begin(&sc, "ingest");
    if (read_inputs(batch, &in, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        if (d.worst == LCME_EIO)
            rc = 1;   /* a missing or unreadable input is bad input */
        goto done;
    }
    stage_end(&sc, "ingest");
    struct config *cfg = in.cfg;
    if (ro->seed >= 0)
        cfg->seed = (unsigned long)ro->seed;
    if (ro->replications >= 0)
        cfg->replications = ro->replications;
    if (ro->output) {
        free(cfg->output);
        cfg->output = strdup(ro->output);
    }

    /* The output folder must be writable before anything is stored. */
    out.outdir = cfg->output;
    if (path_mkdir_p(cfg->output) != 0) {
        diag_input(&d, cfg->output, 0, 0, "cannot create the output folder: %s", strerror(errno));
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    remove_stale_tmp(cfg->output);
    {
        char tmpl[64];
        snprintf(tmpl, sizeof tmpl, ".lcme-tmp-%ld-XXXXXX", (long)getpid());
        char *t = path_join(cfg->output, tmpl);
        if (!mkdtemp(t)) {
            diag_input(&d, cfg->output, 0, 0, "cannot write to the output folder: %s",
                       strerror(errno));
            free(t);
            rc = report(&d, "nothing written, store unchanged");
            goto done;
        }
        out.tmpdir = t;
    }

    stage_begin(&sc, "store");
    struct stat sst;
    if (stat(cfg->store, &sst) == 0 && !S_ISREG(sst.st_mode)) {
        diag_input(&d, cfg->path, 0, 0, "store '%s' is %s, not a file", cfg->store,
                   S_ISDIR(sst.st_mode) ? "a folder" : "not a regular file");
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    if (store_open(&st, cfg->store, 0, &d) != 0 || store_begin(st, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    in_tx = 1;
    size_t revised = 0, skipped = 0;
    if (store_put_obsset(st, in.obs, in.fw, &revised, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    stage_end(&sc, "store");
    stage_begin(&sc, "cube");
    if (store_load_cube(st, in.fw, cfg->ci_level, &c, &skipped, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    stage_end(&sc, "cube");
    if (cube_year_index(c, cfg->year) < 0) {
        diag_input(&d, cfg->path, 0, 0,
                   "no observations for the evaluation year %d in the data or the store",
                   cfg->year);
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    if (!cfg->base_year)
        cfg->base_year = c->year[0];

    stage_begin(&sc, "scores");
    if (pipeline_run(cfg, in.fw, c, &res, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    stage_end(&sc, "scores");
    if (cfg->weights)
        notes_add(&res->notes, "Weights: the batch's weight set '%s' replaces the framework's "
                  "weights of the nodes it names; the Framework sheet shows the effective "
                  "weights used.", cfg->weights);

    stage_begin(&sc, "uncertainty");
    struct uncertainty_summary usum;
    memset(&usum, 0, sizeof usum);
    int threads = (int)(ro->threads > 0 ? ro->threads : 0);
    int bar = tty && !quiet;
    if (uncertainty_run(cfg, in.fw, c, res, &chg, threads, bar ? progress_bar : NULL, NULL, 0,
                        &usum, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    if (bar && usum.replications > 0)
        fputc('\n', stderr);
    uncertainty_notes_add(&usum, &res->notes);
    if (timings && usum.replications > 0)
        fprintf(stderr, "uncertainty replications: %.6f\nuncertainty percentiles: %.6f\n",
                usum.loop_seconds, usum.summary_seconds);
    stage_end(&sc, "uncertainty");

    stage_begin(&sc, "trends");
    if (trend_compute_all(cfg, in.fw, c, res, &tr, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    uncertainty_change_apply(chg, tr);
    trend_notes_add(cfg, in.fw, tr, &res->notes);
    stage_end(&sc, "trends");

    char fw_sha[65];
    if (sha256_file(cfg->framework, fw_sha) != 0)
        memset(fw_sha, '0', 64), fw_sha[64] = '\0';
    struct run_info ri;
    memset(&ri, 0, sizeof ri);
    run_digest(cfg, in.obs, c, fw_sha, &ri);
    ri.version = LCME_VERSION;
    ri.created = cfg->created;
    ri.seed = cfg->seed;
    ri.replications = cfg->replications;
    ri.threads = (int)(ro->threads > 0 ? ro->threads : sysconf(_SC_NPROCESSORS_ONLN));

    size_t with_err = 0, total = 0;
    size_t planes = c->nind * c->nyear * c->nunit;
    for (size_t i = 0; i < planes; i++) {
        if (isnan(c->value[i]))
            continue;
        total++;
        if (!isnan(c->se[i]) || !isnan(c->n[i]))
            with_err++;
    }
    struct report_input rin = {
        .cfg = cfg, .fw = in.fw, .cube = c, .res = res, .run = &ri,
        .obs_total = total, .obs_with_error = with_err,
        .obs_revised = revised, .obs_skipped = skipped, .trends = tr,
        .threads = ri.threads,
    };

    char slug[96];
    path_slug(cfg->name, slug, sizeof slug);
    char xlsx[128];
    snprintf(xlsx, sizeof xlsx, "%s.xlsx", slug);

    int ok = 1;
    if (!ro->no_charts) {
        stage_begin(&sc, "charts");
        chdir_tmp = out_tmp(&out, "charts");
        if (mkdir(chdir_tmp, 0777) != 0) {
            diag_add(&d, LCME_EIO, chdir_tmp, 0, 0, "cannot create the charts folder: %s",
                     strerror(errno));
            ok = 0;
        }
        if (ok)
            ok = charts_write_all(chdir_tmp, &rin, tr, &charts, &d) == 0;
        rin.charts = &charts;
        rin.charts_dir = chdir_tmp;
        stage_end(&sc, "charts");
        if (!ok) {
            rc = report(&d, "nothing written, store unchanged");
            goto done;
        }
    }

    /* The workbook, the longest writer, is written on this thread while a
     * second thread stores the results and
     * writes the report and the CSV files; every writer only reads rin.
     * Problems are reported as if they ran in turn: the workbook's, else
     * the others'. */
    char *p = out_tmp(&out, xlsx);
    side.st = st;
    side.run_id = ri.id;
    side.in = &rin;
    side.tr = tr;
    side.charts = &charts;
    for (int k = 1; k < 5; k++)
        if (k != 1 || !ro->no_charts)
            side.path[k] = out_tmp(&out, side_file[k]);
    side.started = pthread_create(&side.thread, NULL, side_job, &side) == 0;
    if (!side.started)
        side_job(&side);

    stage_begin(&sc, "workbook");
    ok = p && workbook_write(p, &rin, &d) == 0;
    if (!p)
        diag_add(&d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    free(p);
    stage_end(&sc, "workbook");
    side_join(&side);
    for (int k = 0; timings && k < 5; k++)
        if (side.seconds[k] > 0)
            fprintf(stderr, "%s: %.6f\n", side_stage[k], side.seconds[k]);
    if (ok && side.rc != 0)
        diag_merge(&d, &side.d);
    ok = ok && side.rc == 0;
    if (!ok || store_run_finish(st, ri.id, "done", &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    stage_begin(&sc, "commit");
    if (store_commit(st, &d) != 0) {
        rc = report(&d, "nothing written, store unchanged");
        goto done;
    }
    in_tx = 0;
    if (out_commit(&out, &d) != 0) {
        rc = report(&d, "some outputs could not be moved into place");
        goto done;
    }
    stage_end(&sc, "commit");
    if (timings)
        fprintf(stderr, "total: %.6f\n", now() - t_start);
    if (!quiet)
        fprintf(stderr, "lcme: run %s done: %zu unit%s, %zu year%s, %d nodes; outputs in %s\n",
                ri.id, c->nunit, c->nunit == 1 ? "" : "s", c->nyear, c->nyear == 1 ? "" : "s",
                in.fw->nnode, cfg->output);
    rc = 0;
done:
    side_join(&side);
    if (in_tx)
        store_rollback(st);
    store_close(st);
    diag_free(&side.d);
    for (int k = 0; k < 5; k++)
        free(side.path[k]);
    out_free(&out);
    chart_list_free(&charts);
    free(chdir_tmp);
    trends_free(tr);
    uncertainty_change_free(chg);
    results_free(res);
    cube_free(c);
    inputs_free(&in);
    diag_free(&d);
    return rc;
}

static int cmd_history(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "lcme: history needs exactly one batch file\n");
        return 2;
    }
    struct diag d;
    diag_init(&d);
    struct config *cfg = NULL;
    struct store *st = NULL;
    struct store_history h;
    memset(&h, 0, sizeof h);
    int rc;
    if (config_load(&cfg, argv[1], &d) != 0 || store_open(&st, cfg->store, 1, &d) != 0 ||
        store_history_read(st, &h, &d) != 0) {
        rc = report(&d, "cannot read the history");
        goto done;
    }
    printf("Store %s\n\nRuns (%zu):\n", cfg->store, h.nrun);
    printf("  %-16s  %-4s  %-20s  %-7s  %-10s  %s\n", "id", "year", "dated (batch)", "status",
           "seed", "batch");
    for (size_t i = 0; i < h.nrun; i++)
        printf("  %-16s  %-4d  %-20s  %-7s  %-10lu  %s\n", h.run[i].id, h.run[i].year,
               h.run[i].started, h.run[i].status, h.run[i].seed, h.run[i].batch);
    printf("\nYears held (%zu):\n", h.nyear);
    for (size_t i = 0; i < h.nyear; i++)
        printf("  %d  %ld observations\n", h.year[i], h.year_rows[i]);
    printf("\nSources (%zu):\n", h.nsource);
    for (size_t i = 0; i < h.nsource; i++) {
        char span[32];
        if (h.source[i].first_year == h.source[i].last_year)
            snprintf(span, sizeof span, "%d", h.source[i].first_year);
        else
            snprintf(span, sizeof span, "%d-%d", h.source[i].first_year, h.source[i].last_year);
        printf("  %s  %ld row%s, %s, sha256 %.16s, loaded %s\n", h.source[i].name,
               h.source[i].rows, h.source[i].rows == 1 ? "" : "s", span, h.source[i].sha256,
               h.source[i].loaded);
    }
    rc = 0;
done:
    store_history_free(&h);
    store_close(st);
    config_free(cfg);
    diag_free(&d);
    return rc;
}

static int cmd_gen(int argc, char **argv)
{
    struct diag d;
    diag_init(&d);
    struct gen_options o;
    int rc = gen_parse_args(argc, argv, &o, &d);
    if (rc > 0) {          /* --help was asked for */
        fputs(gen_usage(), stdout);
        diag_free(&d);
        return 0;
    }
    if (rc != 0 || gen_write(&o, &d) != 0)
        rc = report(&d, "nothing generated");
    else if (!quiet)
        fprintf(stderr, "lcme: synthetic batch written to %s\n", o.outdir);
    gen_options_free(&o);
    diag_free(&d);
    return rc;
}

static long parse_long_opt(const char *name, const char *v, long lo, long hi, int *bad)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi) {
        fprintf(stderr, "lcme: --%s: '%s' is not a whole number in [%ld, %ld]\n", name, v, lo, hi);
        *bad = 1;
    }
    return x;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C");
    tty = isatty(STDERR_FILENO);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("lcme %s\n", LCME_VERSION);
        return 0;
    }
    if (strcmp(cmd, "gen") == 0)
        return cmd_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "history") == 0)
        return cmd_history(argc - 1, argv + 1);
    if (strcmp(cmd, "run") != 0) {
        fprintf(stderr, "lcme: unknown command '%s'\n", cmd);
        usage(stderr);
        return 2;
    }

    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"replications", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"timings", no_argument, NULL, 'T'},
        {"no-charts", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct run_opts ro = {NULL, -1, -1, 0, 0};
    int bad = 0, ch;
    optind = 1;
    int rargc = argc - 1;
    char **rargv = argv + 1;
    while ((ch = getopt_long(rargc, rargv, "o:qhV", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': ro.output = optarg; break;
        case 's': ro.seed = parse_long_opt("seed", optarg, 0, 4294967295L, &bad); break;
        case 'r': ro.replications = parse_long_opt("replications", optarg, 0, 10000000, &bad); break;
        case 't': ro.threads = parse_long_opt("threads", optarg, 1, 1024, &bad); break;
        case 'q': quiet = 1; break;
        case 'T': timings = 1; break;
        case 'C': ro.no_charts = 1; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("lcme %s\n", LCME_VERSION); return 0;
        default: bad = 1;
        }
    }
    if (bad || optind != rargc - 1) {
        if (!bad)
            fprintf(stderr, "lcme: run needs exactly one batch file\n");
        fprintf(stderr, "Try 'lcme --help' for more information.\n");
        return 2;
    }
    int rc = cmd_run(rargv[optind], &ro);
    reports_release();
    return rc;
}
