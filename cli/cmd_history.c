/* cmd_history.c: `lcme history BATCH.ini`: the runs, years and sources the
 * batch's store holds, and the action-plan versions when it holds any, on
 * stdout. The store is opened read-only.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "config.h"
#include "pguri.h"
#include "store.h"

/* The plan versions, oldest first; nothing for a store without a plan. */
static void print_plans(const struct store_plan_history *ph)
{
    if (ph->n == 0)
        return;
    printf("\nPlan versions (%zu):\n", ph->n);
    for (size_t i = 0; i < ph->n; i++) {
        const struct store_plan_row *v = &ph->v[i];
        printf("  %s  first judged %d, %ld objective%s, %s, stored %s; runs: %s\n", v->id,
               v->first_year, v->objectives, v->objectives == 1 ? "" : "s", v->files,
               v->stored, v->years[0] ? v->years : "none");
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
    char shown[1024];
    printf("Store %s\n\nRuns (%zu):\n", pguri_scrub(cfg->store, shown, sizeof shown), h.nrun);
    printf("  %-16s  %-4s  %-20s  %-7s  %-10s  %s\n", "id", "year", "dated (batch)", "status",
           "seed", "batch");
    for (size_t i = 0; i < h.nrun; i++)
        printf("  %-16s  %-4d  %-20s  %-7s  %-10lu  %s\n", h.run[i].id, h.run[i].year,
               h.run[i].started, h.run[i].status, h.run[i].seed, h.run[i].batch);
    printf("\nYears held (%zu):\n", h.nyear);
    for (size_t i = 0; i < h.nyear; i++)
        printf("  %d  %ld observations\n", h.year[i], h.year_rows[i]);
    printf("\nSources (%zu):\n", h.nsource);
    for (size_t i = 0; i < h.nsource; i++) {
        char span[32];
        if (h.source[i].first_year == h.source[i].last_year)
            snprintf(span, sizeof span, "%d", h.source[i].first_year);
        else
            snprintf(span, sizeof span, "%d-%d", h.source[i].first_year, h.source[i].last_year);
        printf("  %s%s%s%s  %ld row%s, %s, sha256 %.16s, loaded %s\n", h.source[i].name,
               h.source[i].sheet[0] ? " (sheet " : "", h.source[i].sheet,
               h.source[i].sheet[0] ? ")" : "", h.source[i].rows,
               h.source[i].rows == 1 ? "" : "s", span, h.source[i].sha256, h.source[i].loaded);
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
