/* progress.c: what a command prints on stderr as it goes: the name of each
 * stage on a terminal, each stage's wall time under --timings, the bars of
 * the stages that take more than a moment at scale (the Monte Carlo, the
 * charts, the outputs), and at the end the problems found with a one-line
 * summary. Stage names and bars go only to a terminal and never under
 * --quiet. Text that may carry names from the inputs goes out through
 * cli_print_text, so no control character reaches the terminal.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_int.h"
#include "csv.h"

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

void cli_progress(const char *what, long done, long total)
{
    static const char *last_what;   /* callers serialise their calls */
    static long last_pct = -1;
    if (total <= 0)
        return;
    long pct = 100 * done / total;
    if (what == last_what && pct == last_pct)
        return;   /* the same bar: thousands of chart files redraw nothing */
    last_what = what;
    last_pct = pct;
    int width = 40, fill = (int)(width * done / total);
    fprintf(stderr, "\rlcme: %-11s [%.*s%*s] %3ld%%", what, fill,
            "########################################", width - fill, "",
            pct);
    fflush(stderr);
}

void cli_progress_bar(void *ctx, long done, long total)
{
    cli_progress(ctx ? (const char *)ctx : "Monte Carlo", done, total);
}

/* Length of the valid UTF-8 sequence at s that is not a C1 control
 * (U+0080 to U+009F, C2 80 to C2 9F, which some terminals obey), or 0. A
 * NUL ends the check: csv_utf8_len stops at the first byte that is not a
 * continuation. */
static size_t utf8_ok(const unsigned char *s)
{
    size_t n = csv_utf8_len(s, 4);
    return n == 2 && s[0] == 0xC2 && s[1] < 0xA0 ? 0 : n;
}

void cli_print_text(FILE *fp, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        size_t n = utf8_ok(s);
        if (n == 1 && (*s >= 0x20 || *s == '\t') && *s != 0x7F) {
            putc(*s++, fp);
        } else if (n > 1) {
            fwrite(s, 1, n, fp);
            s += n;
        } else {
            fprintf(fp, "\\x%02X", *s++);
        }
    }
    putc('\n', fp);
}

void cli_diag_where(struct diag *d, size_t from, const char *file, long line, long col)
{
    for (size_t i = from; i < d->n; i++) {
        struct diag_entry *e = &d->v[i];
        if (e->file)
            continue;
        e->file = strdup(file);
        e->line = e->file ? line : 0;
        e->col = e->file && line ? col : 0;
    }
}

int cli_report(struct diag *d, const char *what)
{
    char buf[2048];
    diag_sort(d);
    for (size_t i = 0; i < d->n; i++)
        cli_print_text(stderr, diag_format(d, i, buf, sizeof buf));
    if (d->total > d->n)
        fprintf(stderr, "lcme: ... and %zu more problems not shown\n", d->total - d->n);
    fprintf(stderr, "lcme: %zu problem%s found; %s\n", d->total, d->total == 1 ? "" : "s", what);
    return lcme_status_exit(d->worst);
}

void cli_fault(const char *point)
{
    static int count;
    const char *f = getenv("LCME_FAULT");
    size_t len = strlen(point);
    if (!f || strncmp(f, point, len) != 0 || (f[len] != '\0' && f[len] != ':'))
        return;
    char *end = (char *)f + len;
    long want = 1;
    if (*end == ':' && end[1] >= '0' && end[1] <= '9')
        want = strtol(end + 1, &end, 10);
    if (++count == want)
        raise(strstr(end, ":stop") == end ? SIGSTOP : SIGKILL);
}
