/* writers.c: the outputs written once the charts are drawn, the rows of
 * writers[]: report.pdf (when charts were drawn), the workbook, the results
 * into the store (and, when the batch has a plan, the plan version the run
 * was judged on, and with [sensitivity] its analysis; the store is used by
 * that one writer only) and the CSV files, objectives.csv with a plan and
 * the sensitivity files with [sensitivity]. They are independent and only
 * read the report input, so up to
 * in->threads threads (both cores of the usual machine) take them in table
 * order, each the next one nobody took: the longest come first, so that no
 * thread is left alone with a long writer at the end. After a failure no
 * further writer is started. Problems are reported writer by writer in
 * table order, as if they had run in turn.
 *
 * Network scale (356 units, 184 nodes, 11 years; R = 0), CPU seconds from
 * a profile of a whole run: report 4.7, workbook 3.5, results 2.2,
 * trends.csv 0.5, scores.csv 0.3: 11 s in turn; on two threads the report
 * on one and the rest, 6.5 s, on the other.
 *
 * To add an output, add a row to writers[], in order of its usual length.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "chart.h"
#include "cli_int.h"
#include "config.h"
#include "objectives.h"
#include "objectives_csv.h"
#include "quality.h"
#include "report_pdf.h"
#include "reports.h"
#include "sensitivity.h"
#include "sensitivity_csv.h"
#include "store.h"
#include "trends_csv.h"

/* A writer: writes to path (NULL for the store), or returns -1 with the
 * reason in d. */
typedef int write_fn(struct store *st, const struct report_input *in, const char *path,
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
             store_put_results(st, in->run->id, in->fw, in->cube, in->res, d) == 0 &&
             (!in->objectives ||
              store_put_plan(st, in->run->id, in->objectives->plan, cfg->year, d) == 0) &&
             (!in->sens ||
              store_put_sensitivity(st, in->run->id, cfg, in->fw, in->cube, in->sens, d) == 0);
    free(settings);
    return ok ? 0 : -1;
}

static int write_report(struct store *st, const struct report_input *in, const char *path,
                        struct diag *d)
{
    (void)st;
    return report_pdf_write(path, in, in->trends, in->charts, d);
}

static int write_workbook(struct store *st, const struct report_input *in, const char *path,
                          struct diag *d)
{
    (void)st;
    return workbook_write(path, in, d);
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

static int write_objectives(struct store *st, const struct report_input *in,
                            const char *path, struct diag *d)
{
    (void)st;
    return objectives_csv_write(path, in, d);
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

/* What a writer needs to run at all. */
enum writer_needs {
    NEEDS_NOTHING,
    NEEDS_CHARTS,         /* left out when no charts were drawn (--no-charts) */
    NEEDS_PLAN,           /* left out when the batch has no plan */
    NEEDS_SENSITIVITY,    /* left out without [sensitivity] */
    NEEDS_SOBOL,          /* left out unless [sensitivity] mode = sa */
};

/* The writers, longest first; their files are renamed into place in this
 * order. The workbook's file name is the batch's (NULL here). */
static const struct writer {
    const char *stage;    /* its --timings name */
    const char *file;     /* the output it writes; NULL: the store, or the workbook */
    enum writer_needs needs;
    write_fn *write;
} writers[] = {
    {"report", "report.pdf", NEEDS_CHARTS, write_report},
    {"workbook", NULL, NEEDS_NOTHING, write_workbook},
    {"results", NULL, NEEDS_NOTHING, write_results},
    {"scores.csv", "scores.csv", NEEDS_NOTHING, write_scores},
    {"trends.csv", "trends.csv", NEEDS_NOTHING, write_trends},
    {"quality.csv", "quality.csv", NEEDS_NOTHING, write_quality},
    {"objectives.csv", "objectives.csv", NEEDS_PLAN, write_objectives},
    {"sensitivity.csv", "sensitivity.csv", NEEDS_SENSITIVITY, write_sensitivity_csv},
    {"sobol.csv", "sobol.csv", NEEDS_SOBOL, write_sobol},
    {"sensitivity_runs.csv", "sensitivity_runs.csv", NEEDS_SENSITIVITY,
     write_sensitivity_runs},
};

#define NWRITER (sizeof writers / sizeof *writers)
#define WORKBOOK 1   /* writers[WORKBOOK] writes the workbook */

/* What the threads share and what each writer leaves. */
struct job {
    struct store *st;                 /* inside the run's transaction */
    const struct report_input *in;
    char *path[NWRITER];              /* each writer's temporary file, owned;
                                         NULL: the store, or left out */
    int skip[NWRITER];                /* left out (--no-charts, no plan) */
    double seconds[NWRITER];          /* wall time of each writer done */
    struct diag d[NWRITER];           /* each writer's problems */
    int rc[NWRITER];                  /* 0 ok, -1 failed; 1 not run */
    pthread_mutex_t lock;
    size_t next, done, total;         /* writers taken, finished, to run */
    int failed;                       /* a writer failed: start no more */
};

/* Take writers until none is left or one failed. */
static void *job_run(void *arg)
{
    struct job *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        while (j->next < NWRITER && j->skip[j->next])
            j->next++;
        size_t k = j->failed ? NWRITER : j->next++;
        pthread_mutex_unlock(&j->lock);
        if (k >= NWRITER)
            return NULL;
        double t0 = cli_now();
        int rc = writers[k].write(j->st, j->in, j->path[k], &j->d[k]);
        pthread_mutex_lock(&j->lock);
        j->seconds[k] = cli_now() - t0;
        j->rc[k] = rc;
        j->failed |= rc != 0;
        j->done++;
        if (cli_tty && !cli_quiet)
            cli_progress("outputs", (long)j->done, (long)j->total);
        pthread_mutex_unlock(&j->lock);
    }
}

/* Is w left out of a run with these outputs? sens: -1 without
 * [sensitivity], else its mode. */
static int writer_skipped(const struct writer *w, int charts, int plan, int sens)
{
    switch (w->needs) {
    case NEEDS_CHARTS: return !charts;
    case NEEDS_PLAN: return !plan;
    case NEEDS_SENSITIVITY: return sens < 0;
    case NEEDS_SOBOL: return sens != SENS_SA;
    default: return 0;
    }
}

/* Register the files of the writers that run; -1 when out of memory. */
static int job_paths(struct job *j, struct outdir *o, const char *xlsx)
{
    for (size_t k = 0; k < NWRITER; k++) {
        const struct writer *w = &writers[k];
        j->rc[k] = 1;
        if (writer_skipped(w, j->in->charts != NULL, j->in->objectives != NULL,
                           j->in->sens ? (int)j->in->sens->mode : -1)) {
            j->skip[k] = 1;
            continue;
        }
        j->total++;
        const char *file = k == WORKBOOK ? xlsx : w->file;
        if (file && !(j->path[k] = outdir_tmp(o, file)))
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

/* Run the writers on this thread and up to in->threads - 1 others (fewer
 * when a thread cannot be started: the work is still all done); their
 * --timings lines, in table order. */
static int write_all(struct job *j, struct diag *d)
{
    int nt = j->in->threads > 0 ? j->in->threads : 1;
    if ((size_t)nt > j->total)
        nt = j->total ? (int)j->total : 1;
    pthread_t tid[NWRITER];
    int started = 0;
    for (int k = 1; k < nt; k++) {
        if (pthread_create(&tid[started], NULL, job_run, j) != 0)
            break;
        started++;
    }
    job_run(j);
    for (int k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    if (cli_tty && !cli_quiet && j->done > 0)
        fputc('\n', stderr);
    int ok = 1;
    for (size_t k = 0; k < NWRITER; k++) {
        if (j->rc[k] == 0 && cli_timings)
            fprintf(stderr, "%s: %.6f\n", writers[k].stage, j->seconds[k]);
        if (j->rc[k] < 0) {
            diag_merge(d, &j->d[k]);
            ok = 0;
        }
    }
    return ok ? 0 : -1;
}

int writers_outputs(const char *xlsx, int charts, const struct config *cfg,
                    const char **names, int max)
{
    int n = 0;
    int sens = cfg->sens ? (int)cfg->sens->mode : -1;
    for (size_t k = 0; k < NWRITER && n < max; k++) {
        const struct writer *w = &writers[k];
        if (writer_skipped(w, charts, cfg->nplan > 0, sens))
            continue;
        if (k == WORKBOOK)
            names[n++] = xlsx;
        else if (w->file)
            names[n++] = w->file;
    }
    return n;
}

int writers_run(struct outdir *o, const char *xlsx, struct store *st,
                const struct report_input *in, struct diag *d)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j || pthread_mutex_init(&j->lock, NULL) != 0) {
        free(j);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    j->st = st;
    j->in = in;
    for (size_t k = 0; k < NWRITER; k++)
        diag_init(&j->d[k]);
    int rc;
    if (job_paths(j, o, xlsx) != 0) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        rc = -1;
    } else {
        rc = write_all(j, d);
    }
    for (size_t k = 0; k < NWRITER; k++) {
        free(j->path[k]);
        diag_free(&j->d[k]);
    }
    pthread_mutex_destroy(&j->lock);
    free(j);
    return rc;
}
