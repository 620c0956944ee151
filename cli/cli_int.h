/* cli_int.h: what the files of the command line share (private to cli/).
 *
 *   main.c          dispatch, usage, the options of run
 *   cmd_run.c       run: its steps, in order, over one run context
 *   outdir.c        the output folder: temporary folder, stale folders, renames
 *   writers.c       the workbook and the writers that run beside it
 *   cmd_validate.c  reading and checking a batch (validate; run's first step)
 *   cmd_history.c   history
 *   cmd_template.c  template (data-entry workbooks)
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
extern int cli_tty;      /* stderr is a terminal: stage names and progress bars */

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

/* A test hook for crash safety (tests/e2e/faults.sh): when the environment
 * variable LCME_FAULT is POINT, POINT:N, POINT:stop or POINT:N:stop, the
 * process kills itself with SIGKILL (stops itself with SIGSTOP) the Nth
 * time (default 1) it reaches point. The points: "opened" (the output
 * folder settled), "written" (every output written, none installed),
 * "install" (after each output moved into place), "installed" (before the
 * store commits), "committed" (after). */
void cli_fault(const char *point);


/* A bar on stderr, "lcme: WHAT [####    ]  45%", redrawn in place (the
 * caller ends it with a newline); nothing when total <= 0. The caller
 * checks cli_tty and cli_quiet. */
void cli_progress(const char *what, long done, long total);

/* cli_progress as a progress callback (uncertainty_run, sensitivity_run,
 * charts_write_all): ctx is the label, NULL for "Monte Carlo". */
void cli_progress_bar(void *ctx, long done, long total);

/* Print every problem in d (sorted, through cli_print_text), then
 * "lcme: N problems found; WHAT". Returns the exit code of the worst
 * problem. */
int cli_report(struct diag *d, const char *what);

/* Print text and a newline to fp with every control character (tab aside),
 * C1 control and byte that is not UTF-8 written as \xHH, so that a name
 * from the inputs or the store cannot move the cursor, recolour or forge a
 * line on a terminal. */
void cli_print_text(FILE *fp, const char *text);

/* Give the entries of d from index from on that name no file the place
 * FILE:LINE:COL (LINE 0: the file alone): for the store's problems, at the
 * line of the batch file that names the store. */
void cli_diag_where(struct diag *d, size_t from, const char *file, long line, long col);

/* cmd_validate.c: everything read before the store is touched. */
struct inputs {
    struct config *cfg;
    struct framework *fw;
    struct obsset *obs;
    struct plan *plan;   /* the action plan; NULL when the batch has none */
};

/* Load the batch file, its framework (with the batch's weights), units,
 * data and plan files into in (owned; free with inputs_free even on
 * failure). A file the batch names that does not exist is reported at its
 * line in the batch. The plan's units are checked later, against the units
 * the store holds too (inputs_check_plan_units). Returns 0, or -1 with
 * every problem found in d. */
int inputs_read(const char *batch, struct inputs *in, struct diag *d);
void inputs_free(struct inputs *in);

/* The units the plan names must be units of the cube (the data's, the
 * units file's and, in a run, the store's). 0 when they are or there is no
 * plan; -1 with each unknown unit in d. */
struct cube;
int inputs_check_plan_units(const struct inputs *in, const struct cube *c, struct diag *d);

/* outdir.c: outputs are written under a temporary folder inside the output
 * folder and installed together with the store's commit (outdir.c says
 * how, and how a killed run is settled by the next). */
#define OUTDIR_MAX_NAMES 16
#define OUTDIR_MAX_MADE 8
#define OUTDIR_MOVED_OLD 1   /* the previous output is aside in T/.old */
#define OUTDIR_MOVED_NEW 2   /* the new output is in place */
struct outdir {
    const char *dir;     /* the output folder; borrowed */
    const char *where;   /* the batch file naming it (NULL: -o), for errors */
    long line;           /* where it is named in the batch file; 0: default */
    int col;
    char *tmp;           /* DIR/.lcme-tmp-PID-XXXXXX; owned, removed by outdir_free */
    int n;               /* names registered by outdir_tmp, in order */
    char *name[OUTDIR_MAX_NAMES];  /* owned */
    int moved[OUTDIR_MAX_NAMES];   /* OUTDIR_MOVED_* of each, while installing */
    int lock;            /* the folder's lock while installing: fd + 1; 0 */
    int ok;              /* outdir_done was called: the run succeeded */
    int nmade;           /* folders outdir_open created for dir, deepest first */
    char *made[OUTDIR_MAX_MADE];   /* owned; removed (when empty) unless ok */
};

/* An input of the run, for outdir_check: its path and how to name it in a
 * message ("the store 'lcme.db'"). Both borrowed. */
struct outdir_input {
    const char *path;
    const char *what;
};

/* Create dir if needed (remembering the folders it made), settle the
 * temporary folders killed runs left in it, and make this run's. Returns
 * 0, or -1 with the reason (bad input: the folder cannot be created or
 * written) in d. o must be zeroed, with where/line/col set or not. */
int outdir_open(struct outdir *o, const char *dir, struct diag *d);

/* Check the n output names the run will write into o's folder before
 * anything is stored: no name may be one of the nin inputs (compared after
 * resolving links), charts/ may not hold one, and what stands under a name
 * must be a file (or nothing) for a file and a folder of chart files (or
 * nothing) for charts. Returns 0, or -1 with every problem in d, reported
 * at o->where:line:col as bad input. */
int outdir_check(const struct outdir *o, const char *const *names, int n,
                 const struct outdir_input *in, int nin, struct diag *d);

/* Register name as an output and return its temporary path (the caller
 * frees it); NULL when out of memory or past OUTDIR_MAX_NAMES outputs. */
char *outdir_tmp(struct outdir *o, const char *name);

/* Install every registered output, in the order registered: record them
 * (with the store's path and the run id), move each previous output aside
 * and the new one into place. Call with the store's transaction open, and
 * commit it after. Returns 0 (the folder stays locked until outdir_done or
 * outdir_restore), or -1 with the problems in d and every output back as
 * it was. */
int outdir_install(struct outdir *o, const char *store, const char *run_id,
                   struct diag *d);

/* The store did not commit: put the previous outputs back. */
void outdir_restore(struct outdir *o);

/* The store committed: forget the record; the run succeeded. */
void outdir_done(struct outdir *o);

/* Remove the temporary folder (with anything not installed and the
 * previous outputs), and the folders outdir_open created when the run did
 * not succeed and they are empty; free o's contents (o itself is
 * borrowed). Harmless on a zeroed o. */
void outdir_free(struct outdir *o);

/* writers.c: write the workbook xlsx and the other files under o's
 * temporary folder and store the results in st (inside the open
 * transaction), on up to in->threads threads; in is borrowed and only read.
 * Prints a bar on a terminal and each writer's --timings line. Returns 0,
 * or -1 with the problems of every writer that failed in d. */
int writers_run(struct outdir *o, const char *xlsx, struct store *st,
                const struct report_input *in, struct diag *d);

/* The files writers_run writes for the batch cfg, in the order they are
 * installed: report.pdf (only when charts is set), the workbook xlsx, the
 * CSV files (objectives.csv only when the batch has a plan, the sensitivity
 * files only with [sensitivity]). Fills names (borrowed strings, at most
 * max) and returns how many. */
int writers_outputs(const char *xlsx, int charts, const struct config *cfg,
                    const char **names, int max);

/* The commands; each returns the exit code. */
struct run_opts {
    const char *output;  /* -o: NULL, or the output folder to use */
    long seed;           /* --seed; -1: the batch's */
    long replications;   /* --replications; -1: the batch's */
    long threads;        /* --threads; 0: all cores */
    int no_charts;       /* --no-charts: skip charts/ and report.pdf */
    int replace;         /* --replace: each data file drops every row loaded
                            before under its name, not only its years' */
};
int cmd_run(const char *batch, const struct run_opts *ro);
int cmd_validate(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_template(int argc, char **argv);

#endif
