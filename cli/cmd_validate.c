/* cmd_validate.c: reading and checking a batch. inputs_read loads the batch
 * file, the framework, the units, every data file and the action plan,
 * collecting every problem rather than stopping at the first; `lcme
 * validate` runs it (and builds the cube, and checks the plan's units
 * against the data's and the store's) to report them, and `lcme run` runs
 * it as its first step. Neither reading nor validate creates or changes the
 * store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "config.h"
#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "path.h"
#include "plan.h"
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

/* The name the store keys a data file (at path, named `name` in the batch
 * file) by: its path relative to the store's folder, so that two batches
 * sharing a store never take each other's file of the same name for their
 * own (the name as written when either path cannot be resolved; the same
 * as written when the store is beside the batch). Caller frees; NULL on
 * ENOMEM. */
static char *source_key(const struct config *cfg, const char *path, const char *name)
{
    char *dir = path_dirname(cfg->store);
    char *key = dir ? path_relative(dir, path) : NULL;
    free(dir);
    return key ? key : strdup(name);
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
    in->obs->last_year = cfg->year;
    if (cfg->units && named_file_exists(cfg, "units", cfg->units,
                                        cfg->units_name ? cfg->units_name : cfg->units,
                                        cfg->units_line, cfg->units_col, d) == 0)
        ingest_units(in->obs, cfg->units, d);
    struct config_file *files;
    size_t nfile;
    config_data_files(cfg, &files, &nfile, d);   /* patterns matched */
    for (size_t i = 0; i < nfile; i++) {
        if (named_file_exists(cfg, "data", files[i].path, files[i].name, files[i].line,
                              files[i].col, d) != 0)
            continue;
        char *key = source_key(cfg, files[i].path, files[i].name);
        if (!key) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            continue;
        }
        ingest_file(in->obs, files[i].path, key, in->fw, d);
        free(key);
    }
    config_files_free(files, nfile);
    int plans_exist = 1;
    for (int i = 0; i < cfg->nplan; i++)
        plans_exist &= named_file_exists(cfg, "plan", cfg->plan[i], cfg->plan_name[i],
                                         cfg->plan_line[i], cfg->plan_col[i], d) == 0;
    if (plans_exist)
        plan_load(&in->plan, cfg, in->fw, d);
    return diag_count(d) ? -1 : 0;
}

int inputs_check_plan_units(const struct inputs *in, const struct cube *c, struct diag *d)
{
    if (!in->plan)
        return 0;
    return plan_check_units(in->plan, (const char *const *)c->unit, c->nunit, d);
}

void inputs_free(struct inputs *in)
{
    plan_free(in->plan);
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

/* The plan's units against the cube's (the data's and the units file's)
 * and, when the batch's store exists, the store's. */
static int validate_plan_units(const struct inputs *in, const struct cube *c, struct diag *d)
{
    if (!in->plan)
        return 0;
    struct cube *held = NULL;
    if (access(in->cfg->store, F_OK) == 0) {
        struct diag quiet_d;
        diag_init(&quiet_d);
        struct store *st = NULL;
        if (store_open(&st, in->cfg->store, 1, &quiet_d) == 0)
            store_load_cube(st, in->fw, in->cfg->ci_level, &held, NULL, &quiet_d);
        store_close(st);
        diag_free(&quiet_d);
    }
    size_t n = c->nunit + (held ? held->nunit : 0);
    const char **units = malloc((n + 1) * sizeof *units);
    int rc = -1;
    if (!units) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    } else {
        for (size_t u = 0; u < c->nunit; u++)
            units[u] = c->unit[u];
        for (size_t u = 0; held && u < held->nunit; u++)
            units[c->nunit + u] = held->unit[u];
        rc = plan_check_units(in->plan, units, n, d);
    }
    free(units);
    cube_free(held);
    return rc;
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
    if (rc == 0 && validate_plan_units(&in, c, &d) != 0)
        rc = -1;
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
