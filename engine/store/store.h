/* store.h: the SQLite store that keeps every year's observations, the runs
 * and their results. Schema (documented in README.md):
 *
 *   observation(unit, year, indicator, value, se, n, lower, upper, flag,
 *               source, line, loaded)    PRIMARY KEY (unit, year, indicator)
 *   source(name PRIMARY KEY, sha256, rows, loaded)
 *   unit(code PRIMARY KEY, name)          unit_attr(code, attr, value)
 *   run(id PRIMARY KEY, batch, year, started, settings, seed, engine_version,
 *       input_sha256, status)
 *   result(run, unit, year, node, level, score, ci_low, ci_high, rank,
 *          rank_low, rank_high)
 *
 * Every write goes through store_begin/store_commit so a batch is one
 * transaction: a failure rolls everything back and earlier runs stay as they
 * were. SQL is always prepared with bound parameters. A store locked by
 * another process is waited for (busy timeout), then reported as LCME_EBUSY.
 */
#ifndef LCME_STORE_H
#define LCME_STORE_H

#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"

struct store;
struct results;

/* Open (creating file and schema when missing). readonly=1 never creates.
 * Returns 0 and *out, or -1 with the reason in d. */
int store_open(struct store **out, const char *path, int readonly, struct diag *d);
void store_close(struct store *s);   /* rolls back an open transaction; NULL ok */

int store_begin(struct store *s, struct diag *d);    /* BEGIN IMMEDIATE */
int store_commit(struct store *s, struct diag *d);
void store_rollback(struct store *s);

/* Write an obsset: for each of its sources, the rows previously loaded from a
 * source of the same name are deleted first (a reload replaces); a row for a
 * (unit, year, indicator) already held from another source is replaced and
 * counted in *revised (may be NULL). Units and attributes are upserted. */
int store_put_obsset(struct store *s, const struct obsset *o,
                     const struct framework *fw, size_t *revised, struct diag *d);

/* Build the cube from every observation the store holds for the framework's
 * indicators (all years). Observations of indicators the framework lacks are
 * skipped and counted in *skipped (may be NULL). lower/upper become
 * se = (upper - lower) / (2 z) with z the normal quantile of ci_level.
 * Units come in code order, years ascending. */
int store_load_cube(struct store *s, const struct framework *fw, double ci_level,
                    struct cube **out, size_t *skipped, struct diag *d);

/* Runs. status is "running", "done" or "failed". A run id already present is
 * replaced (a rerun of the same batch). */
int store_run_begin(struct store *s, const char *run_id, const char *batch,
                    int year, const char *started, const char *settings,
                    unsigned long seed, const char *input_sha256, struct diag *d);
int store_put_results(struct store *s, const char *run_id,
                      const struct framework *fw, const struct cube *c,
                      const struct results *r, struct diag *d);
int store_run_finish(struct store *s, const char *run_id, const char *status,
                     struct diag *d);

/* History, for `lcme history`. */
struct store_run_row {
    char *id, *batch, *started, *status, *engine_version;
    int year;
    unsigned long seed;
};
struct store_source_row {
    char *name, *sha256, *loaded;
    long rows;
    int first_year, last_year;
};
struct store_history {
    size_t nrun, nsource, nyear;
    struct store_run_row *run;
    struct store_source_row *source;
    int *year;               /* years held, ascending */
    long *year_rows;         /* observations per year */
};
int store_history_read(struct store *s, struct store_history *h, struct diag *d);
void store_history_free(struct store_history *h);

#endif
