/* writers.c: the outputs written once the charts are drawn. The workbook, the
 * longest writer, is written on the calling thread while a second thread
 * runs the writers of side_writers[] in turn: the results into the store (the
 * store is not used elsewhere meanwhile), report.pdf when charts were drawn,
 * and the CSV files, stopping at the first failure. Every writer only reads
 * the report input. Problems are reported as if the two threads ran in turn:
 * the workbook's, else the others'.
 *
 * To add an output beside the workbook, add a row to side_writers[].
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "chart.h"
#include "cli_int.h"
#include "config.h"
#include "quality.h"
#include "report_pdf.h"
#include "reports.h"
#include "sensitivity.h"
#include "sensitivity_csv.h"
#include "store.h"
#include "trends_csv.h"

/* A writer beside the workbook: writes to path (NULL for the store), or
 * returns -1 with the reason in d. */
typedef int side_write_fn(struct store *st, const struct report_input *in, const char *path,
                          struct diag *d);

/* The run and its results, into the store's open transaction. */
static int write_results(struct store *st, const struct report_input *in, const char *path,
                         struct diag *d)
{
    (void)path;
    const struct config *cfg = in->cfg;
    char *settings = config_settings_text(cfg);
    int ok = store_run_begin(st, in->run->id, cfg->name, cfg->year, cfg->created, settings,
                             cfg->seed, in->run->digest, d) == 0 &&
             store_put_results(st, in->run->id, in->fw, in->cube, in->res, d) == 0;
    free(settings);
    return ok ? 0 : -1;
}

static int write_report(struct store *st, const struct report_input *in, const char *path,
                        struct diag *d)
{
    (void)st;
    return report_pdf_write(path, in, in->trends, in->charts, d);
}

static int write_scores(struct store *st, const struct report_input *in, const char *path,
                        struct diag *d)
{
    (void)st;
    return scores_csv_write(path, in, d);
}

static int write_trends(struct store *st, const struct report_input *in, const char *path,
                        struct diag *d)
{
    (void)st;
    return trends_csv_write(path, in, in->trends, d);
}

static int write_quality(struct store *st, const struct report_input *in, const char *path,
                         struct diag *d)
{
    (void)st;
    return quality_csv_write(path, in, d);
}

/* The sensitivity analysis into the store's open transaction. */
static int write_sensitivity(struct store *st, const struct report_input *in,
                             const char *path, struct diag *d)
{
    (void)path;
    return store_put_sensitivity(st, in->run->id, in->cfg, in->fw, in->cube, in->sens, d);
}

static int write_sensitivity_csv(struct store *st, const struct report_input *in,
                                 const char *path, struct diag *d)
{
    (void)st;
    return sensitivity_csv_write(path, in, d);
}

static int write_sobol(struct store *st, const struct report_input *in, const char *path,
                       struct diag *d)
{
    (void)st;
    return sobol_csv_write(path, in, d);
}

static int write_sensitivity_runs(struct store *st, const struct report_input *in,
                                  const char *path, struct diag *d)
{
    (void)st;
    return sensitivity_runs_csv_write(path, in, d);
}

/* What a writer needs, else it is left out: charts drawn (not --no-charts),
 * a [sensitivity] analysis, one with Sobol indices (mode = sa). */
enum { NEEDS_CHARTS = 1, NEEDS_SENSITIVITY = 2, NEEDS_SOBOL = 4 };

/* The writers beside the workbook, in the order they run and their files are
 * renamed into place. */
static const struct side_writer {
    const char *stage;    /* its --timings name */
    const char *file;     /* the output it writes; NULL: it writes into the store */
    int needs;            /* NEEDS_* bits */
    side_write_fn *write;
} side_writers[] = {
    {"results", NULL, 0, write_results},
    {"report", "report.pdf", NEEDS_CHARTS, write_report},
    {"scores.csv", "scores.csv", 0, write_scores},
    {"trends.csv", "trends.csv", 0, write_trends},
    {"quality.csv", "quality.csv", 0, write_quality},
    {"sensitivity results", NULL, NEEDS_SENSITIVITY, write_sensitivity},
    {"sensitivity.csv", "sensitivity.csv", NEEDS_SENSITIVITY, write_sensitivity_csv},
    {"sobol.csv", "sobol.csv", NEEDS_SOBOL, write_sobol},
    {"sensitivity_runs.csv", "sensitivity_runs.csv", NEEDS_SENSITIVITY,
     write_sensitivity_runs},
};

#define NSIDE (sizeof side_writers / sizeof *side_writers)

/* Does the run have what w needs? */
static int side_wanted(const struct side_writer *w, const struct report_input *in)
{
    const struct sensitivity *s = in->sens;
    return !((w->needs & NEEDS_CHARTS && !in->charts) || (w->needs & NEEDS_SENSITIVITY && !s) ||
             (w->needs & NEEDS_SOBOL && (!s || s->mode != SENS_SA)));
}

/* The second thread's work and what it leaves. */
struct side_job {
    struct store *st;                 /* inside the run's transaction */
    const struct report_input *in;
    char *path[NSIDE];                /* each writer's temporary file, owned;
                                         NULL: the store, or left out */
    double seconds[NSIDE];            /* wall time of each writer done; 0: not run */
    struct diag d;                    /* the writers' problems */
    int rc;                           /* 0 when every writer succeeded */
};

/* Run the writers in turn, stopping at the first failure. */
static void *side_job_run(void *arg)
{
    struct side_job *j = arg;
    j->rc = -1;
    for (size_t k = 0; k < NSIDE; k++) {
        const struct side_writer *w = &side_writers[k];
        if (!side_wanted(w, j->in) || (w->file && !j->path[k]))
            continue;
        double t0 = cli_now();
        if (w->write(j->st, j->in, j->path[k], &j->d) != 0)
            return NULL;
        j->seconds[k] = cli_now() - t0;
    }
    j->rc = 0;
    return NULL;
}

/* Register the files of the writers that run; -1 when out of memory. */
static int side_job_paths(struct side_job *j, struct outdir *o)
{
    for (size_t k = 0; k < NSIDE; k++) {
        const struct side_writer *w = &side_writers[k];
        if (!w->file || !side_wanted(w, j->in))
            continue;
        j->path[k] = outdir_tmp(o, w->file);
        if (!j->path[k])
            return -1;
    }
    return 0;
}

/* Append every problem of from to to. */
static void diag_merge(struct diag *to, const struct diag *from)
{
    for (size_t i = 0; i < from->n; i++) {
        const struct diag_entry *e = &from->v[i];
        diag_add(to, e->status, e->file, e->line, e->col, "%s", e->msg);
    }
}

/* The workbook on this thread, the side writers on another (or before it,
 * when no thread can be started); their --timings lines. */
static int write_all(struct side_job *side, const char *xlsx_path, struct diag *d)
{
    pthread_t thread;
    int started = pthread_create(&thread, NULL, side_job_run, side) == 0;
    if (!started)
        side_job_run(side);
    struct stage_clock sc;
    cli_stage_begin(&sc, "workbook");
    int ok = workbook_write(xlsx_path, side->in, d) == 0;
    cli_stage_end(&sc, "workbook");
    if (started)
        pthread_join(thread, NULL);
    for (size_t k = 0; cli_timings && k < NSIDE; k++)
        if (side->seconds[k] > 0)
            fprintf(stderr, "%s: %.6f\n", side_writers[k].stage, side->seconds[k]);
    if (ok && side->rc != 0)
        diag_merge(d, &side->d);
    return ok && side->rc == 0 ? 0 : -1;
}

int writers_run(struct outdir *o, const char *xlsx, struct store *st,
                const struct report_input *in, struct diag *d)
{
    struct side_job side = {.st = st, .in = in};
    diag_init(&side.d);
    char *p = outdir_tmp(o, xlsx);
    int rc;
    if (!p || side_job_paths(&side, o) != 0) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        rc = -1;
    } else {
        rc = write_all(&side, p, d);
    }
    free(p);
    for (size_t k = 0; k < NSIDE; k++)
        free(side.path[k]);
    diag_free(&side.d);
    return rc;
}
