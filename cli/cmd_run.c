/* cmd_run.c: `lcme run BATCH.ini`, as the steps of run_steps[] over one run
 * context that owns what they make.
 *
 * A run reads and checks everything before it touches the store; the store
 * work (observations, run, results) is one transaction that commits only
 * after every output has been written under the output folder's temporary
 * folder; the outputs are then renamed into place. So bad input leaves the
 * store and the output folder as they were, and an interrupted run leaves no
 * half-written file under a final name. The first step that fails ends the
 * run: its problems are printed and the run context freed, which rolls back
 * the store and removes the temporary folder.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "cli_int.h"
#include "config.h"
#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "path.h"
#include "pipeline.h"
#include "reports.h"
#include "sensitivity.h"
#include "store.h"
#include "trend.h"
#include "uncertainty.h"

/* What a run makes, owned here until run_free. */
struct run {
    const char *batch;             /* the batch file, as given */
    const struct run_opts *ro;     /* borrowed */
    struct diag d;                 /* every step's problems */
    const char *failed;            /* the summary's end when a step fails */
    int reading;                   /* 1 while the inputs are read: an unreadable
                                      input is then bad input (exit 1) */
    double t_start;                /* for the "total" --timings line */
    struct inputs in;
    struct config *cfg;            /* in.cfg, with the command line's overrides */
    struct outdir out;
    struct store *st;
    int in_tx;                     /* the store's transaction is open */
    size_t revised;                /* observations this batch replaced */
    size_t skipped;                /* store rows of indicators not in the framework */
    struct cube *c;
    struct results *res;
    struct uncertainty_change *chg;
    struct sensitivity *sens;      /* NULL without [sensitivity] */
    struct trends *tr;
    struct run_info ri;
    struct report_input rin;       /* what every writer reads */
    struct chart_list charts;
    char *charts_dir;              /* the temporary charts/ folder */
    char xlsx[128];                /* the workbook's file name */
};

static const char *const NOTHING_WRITTEN = "nothing written, store unchanged";

/* The batch, framework, units and data files; then the command line's
 * overrides of the batch. */
static int run_read_inputs(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "ingest");
    if (inputs_read(r->batch, &r->in, &r->d) != 0)
        return -1;
    cli_stage_end(&sc, "ingest");
    r->reading = 0;
    struct config *cfg = r->cfg = r->in.cfg;
    if (r->ro->seed >= 0)
        cfg->seed = (unsigned long)r->ro->seed;
    if (r->ro->replications >= 0)
        cfg->replications = r->ro->replications;
    if (r->ro->output) {
        free(cfg->output);
        cfg->output = strdup(r->ro->output);
    }
    return 0;
}

/* The output folder must be writable before anything is stored. */
static int run_prepare_output(struct run *r)
{
    return outdir_open(&r->out, r->cfg->output, &r->d);
}

/* Open the store, begin the run's transaction and store the observations. */
static int run_store_observations(struct run *r)
{
    const struct config *cfg = r->cfg;
    struct stage_clock sc;
    cli_stage_begin(&sc, "store");
    struct stat sst;
    if (stat(cfg->store, &sst) == 0 && !S_ISREG(sst.st_mode)) {
        diag_input(&r->d, cfg->path, 0, 0, "store '%s' is %s, not a file", cfg->store,
                   S_ISDIR(sst.st_mode) ? "a folder" : "not a regular file");
        return -1;
    }
    if (store_open(&r->st, cfg->store, 0, &r->d) != 0 || store_begin(r->st, &r->d) != 0)
        return -1;
    r->in_tx = 1;
    if (store_put_obsset(r->st, r->in.obs, r->in.fw, &r->revised, &r->d) != 0)
        return -1;
    cli_stage_end(&sc, "store");
    return 0;
}

/* Every year the store holds, which must include the evaluation year. */
static int run_load_cube(struct run *r)
{
    struct config *cfg = r->cfg;
    struct stage_clock sc;
    cli_stage_begin(&sc, "cube");
    if (store_load_cube(r->st, r->in.fw, cfg->ci_level, &r->c, &r->skipped, &r->d) != 0)
        return -1;
    cli_stage_end(&sc, "cube");
    if (cube_year_index(r->c, cfg->year) < 0) {
        diag_input(&r->d, cfg->path, 0, 0,
                   "no observations for the evaluation year %d in the data or the store",
                   cfg->year);
        return -1;
    }
    if (!cfg->base_year)
        cfg->base_year = r->c->year[0];
    return 0;
}

static int run_scores(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "scores");
    if (pipeline_run(r->cfg, r->in.fw, r->c, &r->res, &r->d) != 0)
        return -1;
    cli_stage_end(&sc, "scores");
    if (r->cfg->weights)
        notes_add(&r->res->notes, "Weights: the batch's weight set '%s' replaces the framework's "
                  "weights of the nodes it names; the Framework sheet shows the effective "
                  "weights used.", r->cfg->weights);
    return 0;
}

/* The Monte Carlo replications, with the bar on a terminal; under --timings
 * their two parts come before the stage's own line. */
static int run_uncertainty(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "uncertainty");
    struct uncertainty_summary usum;
    memset(&usum, 0, sizeof usum);
    int threads = (int)(r->ro->threads > 0 ? r->ro->threads : 0);
    int bar = cli_tty && !cli_quiet;
    if (uncertainty_run(r->cfg, r->in.fw, r->c, r->res, &r->chg, threads,
                        bar ? cli_progress_bar : NULL, NULL, 0, &usum, &r->d) != 0)
        return -1;
    if (bar && usum.replications > 0)
        fputc('\n', stderr);
    uncertainty_notes_add(&usum, &r->res->notes);
    if (cli_timings && usum.replications > 0)
        fprintf(stderr, "uncertainty replications: %.6f\nuncertainty percentiles: %.6f\n",
                usum.loop_seconds, usum.summary_seconds);
    cli_stage_end(&sc, "uncertainty");
    return 0;
}

/* The sensitivity analysis of [sensitivity], when the batch has one, with
 * the bar on a terminal. */
static int run_sensitivity(struct run *r)
{
    if (!r->cfg->sens)
        return 0;
    struct stage_clock sc;
    cli_stage_begin(&sc, "sensitivity");
    int threads = (int)(r->ro->threads > 0 ? r->ro->threads : 0);
    int bar = cli_tty && !cli_quiet;
    static char label[] = "sensitivity";
    if (sensitivity_run(r->cfg, r->in.fw, r->c, r->res, threads,
                        bar ? cli_progress_bar : NULL, label, &r->sens, &r->d) != 0)
        return -1;
    if (bar)
        fputc('\n', stderr);
    sensitivity_notes_add(r->sens, r->cfg, r->in.fw, &r->res->notes);
    cli_stage_end(&sc, "sensitivity");
    return 0;
}

static int run_trends(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "trends");
    if (trend_compute_all(r->cfg, r->in.fw, r->c, r->res, &r->tr, &r->d) != 0)
        return -1;
    uncertainty_change_apply(r->chg, r->tr);
    trend_notes_add(r->cfg, r->in.fw, r->tr, &r->res->notes);
    cli_stage_end(&sc, "trends");
    return 0;
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

/* The facts every output carries (run id and digest, observation counts)
 * and the report input the writers read. */
static int run_facts(struct run *r)
{
    const struct config *cfg = r->cfg;
    const struct cube *c = r->c;
    char fw_sha[65];
    if (sha256_file(cfg->framework, fw_sha) != 0)
        memset(fw_sha, '0', 64), fw_sha[64] = '\0';
    run_digest(cfg, r->in.obs, c, fw_sha, &r->ri);
    r->ri.version = LCME_VERSION;
    r->ri.created = cfg->created;
    r->ri.seed = cfg->seed;
    r->ri.replications = cfg->replications;
    r->ri.threads = (int)(r->ro->threads > 0 ? r->ro->threads : sysconf(_SC_NPROCESSORS_ONLN));

    size_t with_err = 0, total = 0;
    size_t planes = c->nind * c->nyear * c->nunit;
    for (size_t i = 0; i < planes; i++) {
        if (isnan(c->value[i]))
            continue;
        total++;
        if (!isnan(c->se[i]) || !isnan(c->n[i]))
            with_err++;
    }
    r->rin = (struct report_input){
        .cfg = cfg, .fw = r->in.fw, .cube = c, .res = r->res, .run = &r->ri,
        .obs_total = total, .obs_with_error = with_err,
        .obs_revised = r->revised, .obs_skipped = r->skipped, .trends = r->tr,
        .threads = r->ri.threads, .sens = r->sens,
    };
    char slug[96];
    path_slug(cfg->name, slug, sizeof slug);
    snprintf(r->xlsx, sizeof r->xlsx, "%s.xlsx", slug);
    return 0;
}

/* charts/ under the temporary folder, unless --no-charts; the writers after
 * it read the charts from there. */
static int run_charts(struct run *r)
{
    if (r->ro->no_charts)
        return 0;
    struct stage_clock sc;
    cli_stage_begin(&sc, "charts");
    r->charts_dir = outdir_tmp(&r->out, "charts");
    int ok = 1;
    if (mkdir(r->charts_dir, 0777) != 0) {
        diag_add(&r->d, LCME_EIO, r->charts_dir, 0, 0, "cannot create the charts folder: %s",
                 strerror(errno));
        ok = 0;
    }
    if (ok)
        ok = charts_write_all(r->charts_dir, &r->rin, r->tr, &r->charts, &r->d) == 0;
    r->rin.charts = &r->charts;
    r->rin.charts_dir = r->charts_dir;
    cli_stage_end(&sc, "charts");
    return ok ? 0 : -1;
}

/* The workbook, the results in the store and the other files; then the run
 * is marked done (still inside the transaction). */
static int run_writers(struct run *r)
{
    if (writers_run(&r->out, r->xlsx, r->st, &r->rin, &r->d) != 0)
        return -1;
    return store_run_finish(r->st, r->ri.id, "done", &r->d);
}

/* Commit the store, then rename the outputs into place. */
static int run_commit(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "commit");
    if (store_commit(r->st, &r->d) != 0)
        return -1;
    r->in_tx = 0;
    r->failed = "some outputs could not be moved into place";
    if (outdir_commit(&r->out, &r->d) != 0)
        return -1;
    cli_stage_end(&sc, "commit");
    return 0;
}

/* The steps of a run, in order; each returns 0, or -1 with its problems in
 * r->d. */
static int (*const run_steps[])(struct run *r) = {
    run_read_inputs,
    run_prepare_output,
    run_store_observations,
    run_load_cube,
    run_scores,
    run_uncertainty,
    run_sensitivity,
    run_trends,
    run_facts,
    run_charts,
    run_writers,
    run_commit,
};

/* The closing lines of a run that succeeded. */
static void run_say_done(const struct run *r)
{
    if (cli_timings)
        fprintf(stderr, "total: %.6f\n", cli_now() - r->t_start);
    if (!cli_quiet)
        fprintf(stderr, "lcme: run %s done: %zu unit%s, %zu year%s, %d nodes; outputs in %s\n",
                r->ri.id, r->c->nunit, r->c->nunit == 1 ? "" : "s", r->c->nyear,
                r->c->nyear == 1 ? "" : "s", r->in.fw->nnode, r->cfg->output);
}

/* Roll back an open transaction, remove the temporary folder, free all. */
static void run_free(struct run *r)
{
    if (r->in_tx)
        store_rollback(r->st);
    store_close(r->st);
    outdir_free(&r->out);
    chart_list_free(&r->charts);
    free(r->charts_dir);
    trends_free(r->tr);
    uncertainty_change_free(r->chg);
    sensitivity_free(r->sens);
    results_free(r->res);
    cube_free(r->c);
    inputs_free(&r->in);
    diag_free(&r->d);
}

int cmd_run(const char *batch, const struct run_opts *ro)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.batch = batch;
    r.ro = ro;
    r.failed = NOTHING_WRITTEN;
    r.reading = 1;
    r.t_start = cli_now();
    diag_init(&r.d);
    const size_t nstep = sizeof run_steps / sizeof *run_steps;
    size_t done = 0;
    while (done < nstep && run_steps[done](&r) == 0)
        done++;
    int rc = 0;
    if (done < nstep) {
        rc = cli_report(&r.d, r.failed);
        if (r.reading && r.d.worst == LCME_EIO)
            rc = 1;   /* a missing or unreadable input is bad input */
    } else {
        run_say_done(&r);
    }
    run_free(&r);
    return rc;
}
