/* cmd_run.c: `lcme run BATCH.ini`, as the steps of run_steps[] over one run
 * context that owns what they make.
 *
 * A run reads and checks everything before it touches the store, including
 * that no output would replace an input, the store or a folder lcme did not
 * write; the store work (observations, run, results) is one transaction. The
 * outputs are written under the output folder's temporary folder, installed
 * (the previous ones moved aside) while the transaction is still open, and
 * the transaction commits last; a failed commit puts the previous outputs
 * back (outdir.c). So the store says "done" only when every output is in
 * place, bad input leaves the store and the output folder as they were, and
 * an interrupted run leaves no half-written file under a final name. The
 * first step that fails ends the run: its problems are printed and the run
 * context freed, which rolls back the store, removes the temporary folder
 * and, when this run created them and they hold nothing, the store file and
 * the output folder.
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
#include "objectives.h"
#include "path.h"
#include "pguri.h"
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
    int created_store;             /* the store file did not exist before */
    int in_tx;                     /* the store's transaction is open */
    int ok;                        /* every step succeeded */
    struct kept {                  /* per data file: rows of earlier loads of */
        size_t rows;               /* its name for years it no longer gives, */
        int first, last;           /* kept (store_source_kept) */
    } *kept;
    size_t revised;                /* observations this batch replaced */
    size_t skipped;                /* store rows of indicators not in the framework */
    struct cube *c;
    struct results *res;
    struct uncertainty_change *chg;
    struct sensitivity *sens;      /* NULL without [sensitivity] */
    struct trends *tr;
    struct objectives *obj;        /* progress against the plan; NULL without one */
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

/* Add input path, named "KIND 'PATH'" in messages (names[n] owns the
 * text). */
static void add_input(struct outdir_input *in, char **names, int *n, const char *path,
                      const char *kind)
{
    size_t len = strlen(kind) + strlen(path) + 4;
    char *t = malloc(len);
    if (t)
        snprintf(t, len, "%s '%s'", kind, path);
    in[*n].path = path;
    in[*n].what = t ? t : kind;
    names[(*n)++] = t;
}

/* The inputs of the run as outdir_check wants them (the batch file, the
 * store, the framework, the units file, every data file with its patterns
 * matched, every plan file), named for messages in names (the caller frees
 * each); their count, at most max. */
static int run_inputs(const struct run *r, struct outdir_input *in, char **names, int max,
                      struct config_file **files, size_t *nfile)
{
    const struct config *cfg = r->cfg;
    int n = 0;
    add_input(in, names, &n, cfg->path, "the batch file");
    if (!pguri_is(cfg->store))
        add_input(in, names, &n, cfg->store, "the store");
    add_input(in, names, &n, cfg->framework, "the framework");
    if (cfg->units)
        add_input(in, names, &n, cfg->units, "the units file");
    struct diag quiet;   /* the data were read already: patterns match */
    diag_init(&quiet);
    config_data_files(cfg, files, nfile, &quiet);
    diag_free(&quiet);
    for (size_t i = 0; i < *nfile && n < max; i++)
        add_input(in, names, &n, (*files)[i].path, "the data file");
    for (int i = 0; i < cfg->nplan && n < max; i++)
        add_input(in, names, &n, cfg->plan[i], "the plan file");
    return n;
}

/* The output folder must be writable, and its outputs must replace nothing
 * but earlier outputs, before anything is stored. */
static int run_prepare_output(struct run *r)
{
    const struct config *cfg = r->cfg;
    char slug[96];
    path_slug(cfg->name, slug, sizeof slug);
    snprintf(r->xlsx, sizeof r->xlsx, "%s.xlsx", slug);
    if (!r->ro->output) {
        r->out.where = cfg->path;
        r->out.line = cfg->output_line;
        r->out.col = cfg->output_col;
    }
    if (outdir_open(&r->out, cfg->output, &r->d) != 0)
        return -1;
    cli_fault("opened");
    const char *names[OUTDIR_MAX_NAMES];
    int n = writers_outputs(r->xlsx, !r->ro->no_charts, cfg, names, OUTDIR_MAX_NAMES - 1);
    if (!r->ro->no_charts)
        names[n++] = "charts";
    enum { MAX_INPUTS = 1024 };
    struct outdir_input *in = malloc(MAX_INPUTS * sizeof *in);
    char **what = malloc(MAX_INPUTS * sizeof *what);
    struct config_file *files = NULL;
    size_t nfile = 0;
    if (!in || !what) {
        free(in);
        free(what);
        diag_add(&r->d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    int nin = run_inputs(r, in, what, MAX_INPUTS, &files, &nfile);
    int rc = outdir_check(&r->out, names, n, in, nin, &r->d);
    for (int i = 0; i < nin; i++)
        free(what[i]);
    free(in);
    free(what);
    config_files_free(files, nfile);
    return rc;
}

/* Give the store's problems reported since entry from the place the batch
 * file names the store (they name no file of their own). */
static void run_store_where(struct run *r, size_t from)
{
    cli_diag_where(&r->d, from, r->cfg->path, r->cfg->store_line, r->cfg->store_col);
}

/* For each data file, the rows earlier loads of its name left for years it
 * no longer gives: kept, counted for the closing lines and the Notes. */
static int run_kept(struct run *r)
{
    const struct obsset *o = r->in.obs;
    r->kept = calloc(o->nfile ? o->nfile : 1, sizeof *r->kept);
    if (!r->kept) {
        diag_add(&r->d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    for (size_t f = 0; f < o->nfile; f++)
        if (store_source_kept(r->st, o, f, &r->kept[f].rows, &r->kept[f].first,
                              &r->kept[f].last, &r->d) != 0)
            return -1;
    return 0;
}

/* Open the store, begin the run's transaction and store the observations. */
static int run_store_observations(struct run *r)
{
    const struct config *cfg = r->cfg;
    struct stage_clock sc;
    cli_stage_begin(&sc, "store");
    struct stat sst;
    if (!pguri_is(cfg->store) && stat(cfg->store, &sst) == 0 && !S_ISREG(sst.st_mode)) {
        diag_input(&r->d, cfg->path, 0, 0, "store '%s' is %s, not a file", cfg->store,
                   S_ISDIR(sst.st_mode) ? "a folder" : "not a regular file");
        return -1;
    }
    size_t from = r->d.n;
    r->created_store = !pguri_is(cfg->store) && access(cfg->store, F_OK) != 0 && errno == ENOENT;
    int ok = store_open(&r->st, cfg->store, 0, &r->d) == 0 && store_begin(r->st, &r->d) == 0;
    r->in_tx = ok;
    ok = ok && (!r->ro->replace || store_drop_sources(r->st, r->in.obs, &r->d) == 0) &&
         store_put_obsset(r->st, r->in.obs, r->in.fw, &r->revised, &r->d) == 0 &&
         run_kept(r) == 0;
    if (!ok) {
        run_store_where(r, from);
        return -1;
    }
    cli_stage_end(&sc, "store");
    return 0;
}

/* Every year the store holds, which must include the evaluation year. */
static int run_load_cube(struct run *r)
{
    struct config *cfg = r->cfg;
    struct stage_clock sc;
    cli_stage_begin(&sc, "cube");
    size_t from = r->d.n;
    if (store_load_cube(r->st, r->in.fw, cfg->ci_level, &r->c, &r->skipped, &r->d) != 0) {
        run_store_where(r, from);
        return -1;
    }
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

/* What the stages after the cube no longer need, before the Monte Carlo
 * stage: the observations read (stored, and the cube loaded from the store;
 * their files' names and checksums stay for the notes and the digest) and
 * the store's page cache. At 1,000 units x 11 years: 95 MB of rows and
 * 64 MB of cache, which were alive at the run's peak. */
static int run_release_inputs(struct run *r)
{
    struct obsset *o = r->in.obs;
    free(o->v);
    o->v = NULL;
    o->n = o->alloc = 0;
    size_t from = r->d.n;
    if (store_release_memory(r->st, &r->d) != 0) {
        run_store_where(r, from);
        return -1;
    }
    return 0;
}

/* The units the plan names must be units of the cube, which holds the
 * store's units too. */
static int run_plan_units(struct run *r)
{
    return inputs_check_plan_units(&r->in, r->c, &r->d);
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
    for (size_t f = 0; f < r->in.obs->nfile; f++)
        if (r->kept[f].rows)
            notes_add(&r->res->notes, "Store: the data file '%s' no longer gives %d-%d, "
                      "which an earlier run loaded from a file of that name; those %zu "
                      "observations are kept and used (run with --replace to drop them).",
                      r->in.obs->file[f].name, r->kept[f].first, r->kept[f].last,
                      r->kept[f].rows);
    return 0;
}

/* The Monte Carlo replications, with the bar on a terminal; under --timings
 * their two parts come before the stage's own line. The coverage plane,
 * which they do not read, is dropped over them (the run's peak memory). */
static int run_uncertainty(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "uncertainty");
    struct uncertainty_summary usum;
    memset(&usum, 0, sizeof usum);
    int threads = (int)(r->ro->threads > 0 ? r->ro->threads : 0);
    int bar = cli_tty && !cli_quiet;
    results_coverage_drop(r->res);
    if (uncertainty_run(r->cfg, r->in.fw, r->c, r->res, &r->chg, threads,
                        bar ? cli_progress_bar : NULL, NULL, 0, &usum, &r->d) != 0)
        return -1;
    if (results_coverage_restore(r->res) != 0) {
        diag_add(&r->d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
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

/* Progress against the plan's objectives, from the scores and their
 * intervals; nothing without a plan. */
static int run_objectives(struct run *r)
{
    if (!r->in.plan)
        return 0;
    struct stage_clock sc;
    cli_stage_begin(&sc, "objectives");
    if (objectives_compute(r->cfg, r->in.fw, r->c, r->res, r->in.plan, &r->obj, &r->d) != 0)
        return -1;
    objectives_notes_add(r->cfg, r->obj, &r->res->notes);
    cli_stage_end(&sc, "objectives");
    return 0;
}

/* The run digest: engine version, settings, seed, every input's checksum,
 * the plan's version when there is one, and the cube's contents (the store
 * may hold earlier years). */
static void run_digest(const struct config *cfg, const struct obsset *obs,
                       const struct plan *plan, const struct cube *c, const char *fw_sha,
                       struct run_info *ri)
{
    char *settings = config_settings_text(cfg);
    size_t planes = c->nind * c->nyear * c->nunit;
    size_t len = 256 + (settings ? strlen(settings) : 0) + obs->nfile * 80;
    char *buf = malloc(len);
    size_t k = (size_t)snprintf(buf, len, "lcme %s\nseed=%lu\nframework=%s\n%s",
                                LCME_VERSION, cfg->seed, fw_sha, settings ? settings : "");
    for (size_t i = 0; i < obs->nfile && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "input=%s\n", obs->file[i].sha256);
    if (plan && k < len)
        k += (size_t)snprintf(buf + k, len - k, "plan=%s\n", plan->sha256);
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
    run_digest(cfg, r->in.obs, r->in.plan, c, fw_sha, &r->ri);
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
        .threads = r->ri.threads, .sens = r->sens, .objectives = r->obj,
    };
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
    if (cli_tty && !cli_quiet) {
        r->rin.progress = cli_progress_bar;
        r->rin.progress_ctx = (void *)"charts";
    }
    if (ok)
        ok = charts_write_all(r->charts_dir, &r->rin, r->tr, &r->charts, &r->d) == 0;
    if (r->rin.progress)
        fputc('\n', stderr);
    r->rin.progress = NULL;
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
    size_t from = r->d.n;
    if (store_run_finish(r->st, r->ri.id, "done", &r->d) != 0) {
        run_store_where(r, from);
        return -1;
    }
    return 0;
}

/* Install the outputs, then commit the store; a failed commit puts the
 * previous outputs back. */
static int run_commit(struct run *r)
{
    struct stage_clock sc;
    cli_stage_begin(&sc, "commit");
    cli_fault("written");
    if (outdir_install(&r->out, r->cfg->store, r->ri.id, &r->d) != 0)
        return -1;
    cli_fault("installed");
    size_t from = r->d.n;
    r->in_tx = 0;   /* store_commit rolls back itself when it fails */
    if (store_commit(r->st, &r->d) != 0) {
        outdir_restore(&r->out);
        run_store_where(r, from);
        return -1;
    }
    cli_fault("committed");
    outdir_done(&r->out);
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
    run_release_inputs,
    run_plan_units,
    run_scores,
    run_uncertainty,
    run_sensitivity,
    run_trends,
    run_objectives,
    run_facts,
    run_charts,
    run_writers,
    run_commit,
};

/* The closing lines of a run that succeeded: the rows kept from earlier
 * loads of a data file's name, then the run. */
static void run_say_done(const struct run *r)
{
    if (cli_timings)
        fprintf(stderr, "total: %.6f\n", cli_now() - r->t_start);
    if (cli_quiet)
        return;
    char line[1024];
    for (size_t f = 0; f < r->in.obs->nfile; f++)
        if (r->kept[f].rows) {
            snprintf(line, sizeof line,
                     "lcme: %s: %zu observations of %d-%d, loaded earlier under this name, "
                     "are kept (the file no longer gives those years; --replace drops them)",
                     r->in.obs->file[f].name, r->kept[f].rows, r->kept[f].first,
                     r->kept[f].last);
            cli_print_text(stderr, line);
        }
    snprintf(line, sizeof line,
             "lcme: run %s done: %zu unit%s, %zu year%s, %d nodes; outputs in %s", r->ri.id,
             r->c->nunit, r->c->nunit == 1 ? "" : "s", r->c->nyear,
             r->c->nyear == 1 ? "" : "s", r->in.fw->nnode, r->cfg->output);
    cli_print_text(stderr, line);
}

/* Roll back an open transaction, remove the temporary folder, free all. */
static void run_free(struct run *r)
{
    if (r->in_tx)
        store_rollback(r->st);
    if (r->created_store && !r->ok)
        store_close_discard(r->st);
    else
        store_close(r->st);
    outdir_free(&r->out);
    free(r->kept);
    chart_list_free(&r->charts);
    free(r->charts_dir);
    objectives_free(r->obj);
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
        r.ok = 1;
        run_say_done(&r);
    }
    run_free(&r);
    return rc;
}
