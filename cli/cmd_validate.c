/* cmd_validate.c: reading and checking a batch. inputs_read loads the batch
 * file, the framework, the units and every data file, collecting every
 * problem rather than stopping at the first; `lcme validate` runs it (and
 * builds the cube) to report them, and `lcme run` runs it as its first step.
 * Neither reading nor validate creates or changes the store.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "config.h"
#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "sensitivity.h"
#include "store.h"

/* 0 when the file the batch names at line:col exists; else -1 with an
 * error at that place in the batch file, so that a mistyped name points at
 * the line to mend (folders, FIFOs and unreadable files are left to the
 * readers, which say what is wrong with them). */
static int named_file_exists(const struct config *cfg, const char *key, const char *path,
                             const char *as_written, long line, int col, struct diag *d)
{
    if (access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR))
        return 0;
    if (strcmp(as_written, path) == 0)
        diag_input(d, cfg->path, line, col, "[batch] %s: '%s' does not exist", key, path);
    else
        diag_input(d, cfg->path, line, col, "[batch] %s: '%s' does not exist (looked for %s)",
                   key, as_written, path);
    return -1;
}

int inputs_read(const char *batch, struct inputs *in, struct diag *d)
{
    memset(in, 0, sizeof *in);
    if (config_load(&in->cfg, batch, d) != 0)
        return -1;
    const struct config *cfg = in->cfg;
    if (named_file_exists(cfg, "framework", cfg->framework,
                          cfg->framework_name ? cfg->framework_name : cfg->framework,
                          cfg->framework_line, cfg->framework_col, d) != 0)
        return -1;
    if (framework_load(&in->fw, in->cfg->framework, d) != 0 ||
        config_apply_weights(in->cfg, in->fw, d) != 0 ||
        sensitivity_check(in->cfg, in->fw, d) != 0)
        return -1;
    in->obs = obsset_new();
    if (!in->obs) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    if (cfg->units && named_file_exists(cfg, "units", cfg->units,
                                        cfg->units_name ? cfg->units_name : cfg->units,
                                        cfg->units_line, cfg->units_col, d) == 0)
        ingest_units(in->obs, cfg->units, d);
    for (int i = 0; i < cfg->ndata; i++)
        if (named_file_exists(cfg, "data", cfg->data[i], cfg->data_name[i], cfg->data_line[i],
                              cfg->data_col[i], d) == 0)
            ingest_file(in->obs, cfg->data[i], cfg->data_name[i], in->fw, d);
    return diag_count(d) ? -1 : 0;
}

void inputs_free(struct inputs *in)
{
    obsset_free(in->obs);
    framework_free(in->fw);
    config_free(in->cfg);
}

/* Whether the batch's store (when it exists) already holds observations of
 * the evaluation year; validate never creates or changes the store. */
static int store_holds_year(const struct config *cfg)
{
    if (access(cfg->store, F_OK) != 0)
        return 0;
    struct diag quiet_d;
    diag_init(&quiet_d);
    struct store *st = NULL;
    struct store_history h;
    memset(&h, 0, sizeof h);
    int found = 0;
    if (store_open(&st, cfg->store, 1, &quiet_d) == 0 && store_history_read(st, &h, &quiet_d) == 0)
        for (size_t i = 0; i < h.nyear; i++)
            found |= h.year[i] == cfg->year;
    store_history_free(&h);
    store_close(st);
    diag_free(&quiet_d);
    return found;
}

int cmd_validate(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "lcme: validate needs exactly one batch file\n");
        cli_usage(stderr);
        return 2;
    }
    struct diag d;
    diag_init(&d);
    struct inputs in;
    int rc = inputs_read(argv[1], &in, &d);
    struct cube *c = NULL;
    if (rc == 0 && obsset_to_cube(in.obs, in.fw, in.cfg->ci_level, &c, &d) != 0)
        rc = -1;
    if (rc == 0 && cube_year_index(c, in.cfg->year) < 0 && !store_holds_year(in.cfg)) {
        diag_input(&d, in.cfg->path, 0, 0,
                   "no observations for the evaluation year %d in the data or the store",
                   in.cfg->year);
        rc = -1;
    }
    if (rc == 0) {
        printf("%s: valid: %zu observation%s of %d indicator%s for %zu unit%s in %zu "
               "file%s\n", argv[1], in.obs->n, in.obs->n == 1 ? "" : "s", in.fw->nind,
               in.fw->nind == 1 ? "" : "s", in.obs->nunit, in.obs->nunit == 1 ? "" : "s",
               in.obs->nfile, in.obs->nfile == 1 ? "" : "s");
    } else {
        rc = cli_report(&d, "validation failed");
        if (d.worst == LCME_EIO)
            rc = 1;   /* a missing or unreadable input is bad input */
    }
    cube_free(c);
    inputs_free(&in);
    diag_free(&d);
    return rc;
}
