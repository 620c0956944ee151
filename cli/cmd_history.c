/* cmd_history.c: `lcme history BATCH.ini`: the runs, years and sources the
 * batch's store holds, on stdout. The store is opened read-only; names from
 * it reach the terminal only through cli_print_text.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "config.h"
#include "store.h"

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
    memset(&h, 0, sizeof h);
    int rc;
    if (config_load(&cfg, argv[1], &d) != 0 || store_open(&st, cfg->store, 1, &d) != 0 ||
        store_history_read(st, &h, &d) != 0) {
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
        snprintf(line, sizeof line, "  %s  %ld row%s, %s, sha256 %.16s, loaded %s",
                 h.source[i].name, h.source[i].rows, h.source[i].rows == 1 ? "" : "s", span,
                 h.source[i].sha256, h.source[i].loaded);
        cli_print_text(stdout, line);
    }
    rc = 0;
done:
    store_history_free(&h);
    store_close(st);
    config_free(cfg);
    diag_free(&d);
    return rc;
}
