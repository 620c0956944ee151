/* cmd_history.c: `lcme history BATCH.ini`: the runs, years and sources the
 * batch's store holds, and the action-plan versions when it holds any, on
 * stdout. The store is opened read-only; names from it reach the terminal
 * only through cli_print_text.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "config.h"
#include "store.h"

/* The plan versions, oldest first; nothing for a store without a plan. */
static void print_plans(const struct store_plan_history *ph)
{
    if (ph->n == 0)
        return;
    printf("\nPlan versions (%zu):\n", ph->n);
    for (size_t i = 0; i < ph->n; i++) {
        const struct store_plan_row *v = &ph->v[i];
        char line[1024];
        snprintf(line, sizeof line, "  %s  first judged %d, %ld objective%s, %s, stored %s; "
                 "runs: %s", v->id, v->first_year, v->objectives,
                 v->objectives == 1 ? "" : "s", v->files, v->stored,
                 v->years[0] ? v->years : "none");
        cli_print_text(stdout, line);
    }
}

/* Print text that holds line breaks of its own, line by line. */
static void print_lines(char *text)
{
    for (char *l = text, *nl; l; l = nl) {
        nl = strchr(l, '\n');
        if (nl)
            *nl++ = '\0';
        cli_print_text(stdout, l);
    }
}

int cmd_history(int argc, char **argv)
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
    struct store_plan_history ph;
    memset(&h, 0, sizeof h);
    memset(&ph, 0, sizeof ph);
    int rc;
    if (config_load(&cfg, argv[1], &d) != 0 || store_open(&st, cfg->store, 1, &d) != 0 ||
        store_history_read(st, &h, &d) != 0 || store_plan_history_read(st, &ph, &d) != 0) {
        rc = cli_report(&d, "cannot read the history");
        goto done;
    }
    /* Every line goes through cli_print_text: names in the store come from
     * the inputs of earlier runs, possibly of older lcme versions. */
    char line[4096];
    snprintf(line, sizeof line, "Store %s\n\nRuns (%zu):", cfg->store, h.nrun);
    print_lines(line);
    snprintf(line, sizeof line, "  %-16s  %-4s  %-20s  %-7s  %-10s  %s", "id", "year",
             "dated (batch)", "status", "seed", "batch");
    cli_print_text(stdout, line);
    for (size_t i = 0; i < h.nrun; i++) {
        snprintf(line, sizeof line, "  %-16s  %-4d  %-20s  %-7s  %-10lu  %s", h.run[i].id,
                 h.run[i].year, h.run[i].started, h.run[i].status, h.run[i].seed,
                 h.run[i].batch);
        cli_print_text(stdout, line);
    }
    snprintf(line, sizeof line, "\nYears held (%zu):", h.nyear);
    print_lines(line);
    for (size_t i = 0; i < h.nyear; i++)
        printf("  %d  %ld observations\n", h.year[i], h.year_rows[i]);
    snprintf(line, sizeof line, "\nSources (%zu):", h.nsource);
    print_lines(line);
    for (size_t i = 0; i < h.nsource; i++) {
        char span[32];
        if (h.source[i].first_year == h.source[i].last_year)
            snprintf(span, sizeof span, "%d", h.source[i].first_year);
        else
            snprintf(span, sizeof span, "%d-%d", h.source[i].first_year, h.source[i].last_year);
        snprintf(line, sizeof line, "  %s%s%s%s  %ld row%s, %s, sha256 %.16s, loaded %s",
                 h.source[i].name, h.source[i].sheet[0] ? " (sheet " : "", h.source[i].sheet,
                 h.source[i].sheet[0] ? ")" : "", h.source[i].rows,
                 h.source[i].rows == 1 ? "" : "s", span, h.source[i].sha256,
                 h.source[i].loaded);
        cli_print_text(stdout, line);
    }
    print_plans(&ph);
    rc = 0;
done:
    store_plan_history_free(&ph);
    store_history_free(&h);
    store_close(st);
    config_free(cfg);
    diag_free(&d);
    return rc;
}
