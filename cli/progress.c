/* progress.c: what a command prints on stderr as it goes: the name of each
 * stage on a terminal, each stage's wall time under --timings, the Monte
 * Carlo bar, and at the end the problems found with a one-line summary.
 * Stage names and the bar go only to a terminal and never under --quiet.
 */
#include <stdio.h>
#include <time.h>

#include "cli_int.h"

int cli_quiet;
int cli_timings;
int cli_tty;

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void cli_stage_begin(struct stage_clock *sc, const char *name)
{
    if (!cli_quiet && cli_tty)
        fprintf(stderr, "lcme: %s...\n", name);
    sc->t0 = cli_now();
}

void cli_stage_end(struct stage_clock *sc, const char *name)
{
    if (cli_timings)
        fprintf(stderr, "%s: %.6f\n", name, cli_now() - sc->t0);
}

void cli_progress_bar(void *ctx, long done, long total)
{
    const char *label = ctx ? ctx : "Monte Carlo";
    if (total <= 0)
        return;
    int width = 40, fill = (int)(width * done / total);
    fprintf(stderr, "\rlcme: %s [%.*s%*s] %3ld%%", label, fill,
            "########################################", width - fill, "",
            100 * done / total);
    fflush(stderr);
}

int cli_report(struct diag *d, const char *what)
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
