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
 *   sensitivity_* (store_sensitivity.c), for runs of batches with
 *   [sensitivity]
 *
 * A batch's writes go between store_begin and store_commit, so the batch is
 * one transaction: a failure rolls everything back and earlier runs stay as
 * they were. Each write call is atomic by itself too: a savepoint inside the
 * caller's transaction, a transaction of its own outside one. SQL is always
 * prepared with bound parameters. A store locked by another process is
 * waited for (busy timeout, 5 s; LCME_BUSY_TIMEOUT_MS sets another in
 * milliseconds), then reported as LCME_EBUSY.
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

/* BEGIN IMMEDIATE. 0, or -1 in d (a transaction already open is an
 * LCME_EINTERNAL error). */
int store_begin(struct store *s, struct diag *d);
/* COMMIT. 0, or -1 in d with the transaction rolled back. */
int store_commit(struct store *s, struct diag *d);
/* Roll back an open transaction; nothing when none is open or s is NULL. */
void store_rollback(struct store *s);

/* Write an obsset: for each of its sources, the rows previously loaded from a
 * source of the same name are deleted first (a reload replaces); a row for a
 * (unit, year, indicator) already held from another source is replaced and
 * counted in *revised (may be NULL). Units and attributes are upserted. */
int store_put_obsset(struct store *s, const struct obsset *o,
                     const struct framework *fw, size_t *revised, struct diag *d);

/* Build the cube from every observation the store holds for the framework's
 * indicators and denominators (all years), with the builder obsset_to_cube
 * uses too (cube_builder.h): every unit of the store in code order, years
 * ascending, attribute columns in name order, lower/upper turned into
 * se = (upper - lower) / (2 z) with z the normal quantile of ci_level.
 * Observations of codes the framework lacks are skipped and counted in
 * *skipped (may be NULL). Returns 0 and *out (free with cube_free), or -1
 * with the problem in d (LCME_EUSAGE when ci_level is not between 0 and 1). */
int store_load_cube(struct store *s, const struct framework *fw, double ci_level,
                    struct cube **out, size_t *skipped, struct diag *d);

/* Runs. status is "running", "done" or "failed". A run id already present is
 * replaced and its results deleted (a rerun of the same batch). Each call
 * returns 0, or -1 with the problem in d and the store as it was. */
int store_run_begin(struct store *s, const char *run_id, const char *batch,
                    int year, const char *started, const char *settings,
                    unsigned long seed, const char *input_sha256, struct diag *d);
/* One result row per node, year and unit with a score (the run's earlier
 * results replaced); the run must have been begun, and r must have the
 * framework's nodes and the cube's years and units (else LCME_EINTERNAL). */
int store_put_results(struct store *s, const char *run_id,
                      const struct framework *fw, const struct cube *c,
                      const struct results *r, struct diag *d);
int store_run_finish(struct store *s, const char *run_id, const char *status,
                     struct diag *d);

/* A run's sensitivity analysis (engine/sensitivity) in the tables of
 * store_sensitivity.c (made on first use; README.md "The store"): every
 * sensitivity run with its parameters and mean absolute rank shift, the rank
 * statistics per unit and, for mode = sa, the indices. The run must have
 * been begun; its earlier analysis is replaced. sens NULL: nothing is
 * written. cfg gives the alternatives' text. Returns 0, or -1 with the
 * problem in d and the store as it was. */
struct config;
struct sensitivity;
int store_put_sensitivity(struct store *s, const char *run_id, const struct config *cfg,
                          const struct framework *fw, const struct cube *c,
                          const struct sensitivity *sens, struct diag *d);

/* History, for `lcme history`. */
struct store_run_row {
    char *id, *batch, *started, *status, *engine_version;
    int year;
    unsigned long seed;
};
struct store_source_row {
    char *name, *sha256, *loaded;
    long rows;
    int first_year, last_year;   /* 0 when none of its rows remain */
};
struct store_history {
    size_t nrun, nsource, nyear;
    struct store_run_row *run;
    struct store_source_row *source;
    int *year;               /* years held, ascending */
    long *year_rows;         /* observations per year */
};
/* Runs by start time, sources by name, years ascending, read in one
 * transaction. Returns 0 and fills *h (free with store_history_free), or -1
 * with the problem in d and *h empty. */
int store_history_read(struct store *s, struct store_history *h, struct diag *d);
void store_history_free(struct store_history *h);   /* NULL is harmless */

#endif
