/* main.c: the lcme command line: dispatch to a command, the help text and
 * the options of run.
 *
 *   lcme run BATCH.ini [-o DIR] [--seed N] [--replications N] [--threads N]
 *            [--quiet] [--timings] [--no-charts] [--replace]
 *   lcme validate BATCH.ini
 *   lcme history BATCH.ini
 *   lcme template BATCH.ini [--unit CODE]... [--by unit|indicator] -o DIR
 *   lcme gen [options] -o DIR
 *   lcme --help | --version
 *
 * Only cli/ prints (cli_int.h lists its files). Exit codes: 0 done, 1 bad
 * input, 2 bad usage, 3 internal or I/O failure.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "reports.h"

void cli_usage(FILE *fp)
{
    fputs("Usage: lcme run BATCH.ini [-o DIR] [--seed N] [--replications N] [--threads N]\n"
          "                [--quiet] [--timings] [--no-charts] [--replace]\n"
          "       lcme validate BATCH.ini\n"
          "       lcme history BATCH.ini\n"
          "       lcme template BATCH.ini [--unit CODE]... [--by unit|indicator] -o DIR\n"
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
          "  history   list the runs, years, sources and plan versions the store holds\n"
          "  template  write data-entry workbooks for the batch's year (lcme template --help)\n"
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
          "      --replace           each data file replaces every row loaded before under\n"
          "                          its name, also of years it no longer gives\n"
          "  -h, --help              show this help and exit\n"
          "  -V, --version           show the version and exit\n"
          "\n"
          "Exit status: 0 done, 1 bad input, 2 bad usage, 3 internal or I/O failure.\n"
          "Full documentation: README.md beside the sources.\n", fp);
}

/* The value of --NAME, a whole number in [lo, hi]; else a message and *bad
 * set. */
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

/* lcme run: parse its options (argv[0] is "run"), run, release the drawing
 * caches. */
static int run_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"replications", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"timings", no_argument, NULL, 'T'},
        {"no-charts", no_argument, NULL, 'C'},
        {"replace", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct run_opts ro = {NULL, -1, -1, 0, 0, 0};
    int bad = 0, ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:qhV", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': ro.output = optarg; break;
        case 's': ro.seed = parse_long_opt("seed", optarg, 0, 4294967295L, &bad); break;
        case 'r': ro.replications = parse_long_opt("replications", optarg, 0, 10000000, &bad); break;
        case 't': ro.threads = parse_long_opt("threads", optarg, 1, 1024, &bad); break;
        case 'q': cli_quiet = 1; break;
        case 'T': cli_timings = 1; break;
        case 'C': ro.no_charts = 1; break;
        case 'R': ro.replace = 1; break;
        case 'h': cli_usage(stdout); return 0;
        case 'V': printf("lcme %s\n", LCME_VERSION); return 0;
        default: bad = 1;
        }
    }
    if (bad || optind != argc - 1) {
        if (!bad)
            fprintf(stderr, "lcme: run needs exactly one batch file\n");
        fprintf(stderr, "Try 'lcme --help' for more information.\n");
        return 2;
    }
    int rc = cmd_run(argv[optind], &ro);
    reports_release();
    return rc;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C");
    cli_tty = isatty(STDERR_FILENO);
    if (argc < 2) {
        cli_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage(stdout);
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
    if (strcmp(cmd, "template") == 0)
        return cmd_template(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return run_main(argc - 1, argv + 1);
    fprintf(stderr, "lcme: unknown command '%s'\n", cmd);
    cli_usage(stderr);
    return 2;
}
