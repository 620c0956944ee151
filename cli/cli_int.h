/* cli_int.h: what the files of the command line share (private to cli/).
 *
 *   main.c          dispatch, usage, the options of run
 *   cmd_run.c       run: its steps, in order, over one run context
 *   outdir.c        the output folder: temporary folder, stale folders, renames
 *   writers.c       the workbook and the writers that run beside it
 *   cmd_validate.c  reading and checking a batch (validate; run's first step)
 *   cmd_history.c   history
 *   cmd_gen.c       gen
 *   progress.c      what a command prints on stderr as it goes
 *
 * Only cli/ prints; engine/ and reports/ fill a struct diag instead.
 */
#ifndef LCME_CLI_INT_H
#define LCME_CLI_INT_H

#include <stdio.h>

#include "diag.h"

struct report_input;
struct store;

#ifndef LCME_VERSION
#define LCME_VERSION "0.0.0"
#endif

/* The command-line switches every file reads; set once by main. */
extern int cli_quiet;    /* --quiet: no progress and no closing line on stderr */
extern int cli_timings;  /* --timings: each stage's wall time on stderr */
extern int cli_tty;      /* stderr is a terminal: stage names and the Monte Carlo bar */

/* The help text of lcme (main.c). */
void cli_usage(FILE *fp);

/* progress.c */

/* Seconds on the monotonic clock. */
double cli_now(void);

/* One stage's wall time: cli_stage_begin names the stage on a terminal,
 * cli_stage_end prints "NAME: SECONDS" under --timings. */
struct stage_clock {
    double t0;
};
void cli_stage_begin(struct stage_clock *sc, const char *name);
void cli_stage_end(struct stage_clock *sc, const char *name);

/* A progress bar on stderr, a progress callback of uncertainty_run and
 * sensitivity_run: ctx is its label (a string), NULL for "Monte Carlo". */
void cli_progress_bar(void *ctx, long done, long total);

/* Print every problem in d (sorted), then "lcme: N problems found; WHAT".
 * Returns the exit code of the worst problem. */
int cli_report(struct diag *d, const char *what);

/* cmd_validate.c: everything read before the store is touched. */
struct inputs {
    struct config *cfg;
    struct framework *fw;
    struct obsset *obs;
};

/* Load the batch file, its framework (with the batch's weights), units and
 * data files into in (owned; free with inputs_free even on failure). A file
 * the batch names that does not exist is reported at its line in the batch.
 * Returns 0, or -1 with every problem found in d. */
int inputs_read(const char *batch, struct inputs *in, struct diag *d);
void inputs_free(struct inputs *in);

/* outdir.c: outputs are written under a temporary folder inside the output
 * folder and renamed into place at the end. */
struct outdir {
    const char *dir;     /* the output folder; borrowed */
    char *tmp;           /* DIR/.lcme-tmp-PID-XXXXXX; owned, removed by outdir_free */
    int n;               /* names registered by outdir_tmp, in order */
    char *name[16];      /* owned */
};

/* Create dir if needed, remove the temporary folders killed runs left in it
 * and make this run's. Returns 0, or -1 with the reason (bad input: the
 * folder cannot be created or written) in d. */
int outdir_open(struct outdir *o, const char *dir, struct diag *d);

/* Register name as an output and return its temporary path (the caller
 * frees it); NULL when out of memory or past 16 outputs. */
char *outdir_tmp(struct outdir *o, const char *name);

/* Rename every registered output into the output folder, in the order
 * registered. Returns 0, or -1 with every failed rename in d. */
int outdir_commit(struct outdir *o, struct diag *d);

/* Remove the temporary folder (with anything not yet renamed) and free o's
 * contents; o itself is borrowed. Harmless on a zeroed o. */
void outdir_free(struct outdir *o);

/* writers.c: write the workbook xlsx on this thread while a second thread
 * stores the results in st (inside the open transaction) and writes the
 * other files, all under o's temporary folder; in is borrowed and only read.
 * Prints each writer's --timings line. Returns 0, or -1 with the problems in
 * d: the workbook's, else those of the writers beside it. */
int writers_run(struct outdir *o, const char *xlsx, struct store *st,
                const struct report_input *in, struct diag *d);

/* The commands; each returns the exit code. */
struct run_opts {
    const char *output;  /* -o: NULL, or the output folder to use */
    long seed;           /* --seed; -1: the batch's */
    long replications;   /* --replications; -1: the batch's */
    long threads;        /* --threads; 0: all cores */
    int no_charts;       /* --no-charts: skip charts/ and report.pdf */
};
int cmd_run(const char *batch, const struct run_opts *ro);
int cmd_validate(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_gen(int argc, char **argv);

#endif
