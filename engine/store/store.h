/* store.h: the store that keeps every year's observations, the runs and
 * their results: a SQLite file, or a PostgreSQL database when the batch names
 * it with a postgresql:// connection URI (store_pg.c; the same tables and
 * semantics, many batches writing at once). Schema (documented in README.md):
 *
 *   observation(unit, year, indicator, value, se, n, lower, upper, flag,
 *               source, line, loaded)    PRIMARY KEY (unit, year, indicator)
 *   source(name PRIMARY KEY, sha256, rows, loaded, sheet)
 *   unit(code PRIMARY KEY, name)          unit_attr(code, attr, value)
 *   run(id PRIMARY KEY, batch, year, started, settings, seed, engine_version,
 *       input_sha256, status)
 *   result(run, unit, year, node, level, score, ci_low, ci_high, rank,
 *          rank_low, rank_high, coverage)
 *   sensitivity_* (store_sensitivity.c), for runs of batches with
 *   [sensitivity]
 *
 * observation.flag is the data file's flag text as given (NULL when none);
 * result.coverage the share of the node's framework weight present
 * (results->coverage). A store of schema 1 (flag 0/1, no coverage) is
 * migrated when opened for writing.
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
 * path is a file (SQLite) or a postgresql:// URI (pguri.h), which may not
 * give a password (LCME_EUSAGE): libpq takes it from PGPASSWORD or
 * ~/.pgpass; messages show the URI scrubbed (pguri_scrub). A SQLite file
 * opened for writing is checked first (PRAGMA quick_check): a damaged store
 * is LCME_ESTORE before anything is written to it.
 * Returns 0 and *out, or -1 with the reason in d. */
int store_open(struct store **out, const char *path, int readonly, struct diag *d);
void store_close(struct store *s);   /* rolls back an open transaction; NULL ok */
/* Close s and, when it holds no source, run or unit (the bare schema of a
 * store the caller created and then could not fill), delete its file, so a
 * failed first run leaves no empty store behind. Rolls back first; a store
 * another connection holds, and a PostgreSQL store, is only closed. NULL
 * ok. */
void store_close_discard(struct store *s);

/* BEGIN IMMEDIATE. 0, or -1 in d (a transaction already open is an
 * LCME_EINTERNAL error). */
int store_begin(struct store *s, struct diag *d);
/* COMMIT. 0, or -1 in d with the transaction rolled back. */
int store_commit(struct store *s, struct diag *d);
/* Roll back an open transaction; nothing when none is open or s is NULL. */
void store_rollback(struct store *s);

/* Hand the page cache's memory back between a run's store stages: the
 * dirty pages of the open transaction are written to the file (the
 * transaction stays open; a reader holding the file leaves them cached) and
 * every page is dropped from the cache, which later statements refill. The
 * cache holds up to 64 MiB (store.c); nothing for PostgreSQL. 0, or -1 in d
 * when the pages cannot be written. */
int store_release_memory(struct store *s, struct diag *d);

/* Write an obsset. A source is keyed by its name (obs_source.name, else its
 * path); for each source and each year it gives, the rows loaded earlier
 * under that name for that year are deleted first, so a reloaded file
 * replaces what it loaded for the years it still gives and the other years
 * keep their rows (store_source_kept counts them). A row for a (unit, year,
 * indicator) already held from another source is replaced and counted in
 * *revised (may be NULL). Units and attributes are upserted. */
int store_put_obsset(struct store *s, const struct obsset *o,
                     const struct framework *fw, size_t *revised, struct diag *d);

/* Delete every row loaded under the names of o's sources, whatever their
 * year: the user's "replace" before store_put_obsset, so that a reloaded
 * file's years it no longer gives leave the store. Atomic; 0, or -1 in d. */
int store_drop_sources(struct store *s, const struct obsset *o, struct diag *d);

/* The rows the store holds under the name of o's source f for the years f
 * does not give (what earlier loads of that name left), in *rows, and the
 * first and last of those years (0 when none). 0, or -1 in d. */
int store_source_kept(struct store *s, const struct obsset *o, size_t f, size_t *rows,
                      int *first, int *last, struct diag *d);

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
/* The status of run run_id into buf ("running", "done" or "failed"; "" when
 * the store holds no such run). 0, or -1 with the problem in d. */
int store_run_status(struct store *s, const char *run_id, char *buf, size_t len,
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
    char *sheet;                 /* the workbook sheet read; "" for CSV */
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

/* ---- action plans (store_plans.c) ---------------------------------------
 *
 *   plan_version(id PK, sha256, files, objectives, first_year, stored)
 *   plan_objective(version, seq, unit, node, target, year, baseline_year,
 *                  label, owner, note, source, line)  PK (version, seq)
 *   run_plan(run PK, version)                          the version a run used
 *
 * Created by the first batch with a plan; a store without them holds no plan.
 */
struct plan;

/* Keep plan p's version with its objectives (a version already held keeps
 * its objectives; its first_year becomes the earlier of its own and year)
 * and record that run run_id, begun already, was judged on it. year is the
 * run's evaluation year. Atomic; 0, or -1 with the problem in d. */
int store_put_plan(struct store *s, const char *run_id, const struct plan *p, int year,
                   struct diag *d);

struct store_plan_row {
    char *id;            /* the plan version id */
    char *files;         /* its files as named in the batch, comma-separated */
    char *stored;        /* when it was first stored (UTC, ISO 8601) */
    char *years;         /* evaluation years of the runs judged on it, "2025, 2026" */
    long objectives;
    int first_year;      /* the earliest evaluation year judged on it */
};
struct store_plan_history {
    size_t n;
    struct store_plan_row *v;   /* by first year, then first stored */
};
/* The plan versions the store holds (none in a store without plan tables).
 * Returns 0 and fills *h (free with store_plan_history_free), or -1 with
 * the problem in d and *h empty. */
int store_plan_history_read(struct store *s, struct store_plan_history *h, struct diag *d);
void store_plan_history_free(struct store_plan_history *h);   /* NULL is harmless */

/* ---- copying a store (store_copy.c) --------------------------------------
 *
 * Every row of every table of from into to, as they are (load times, run
 * statuses and plan versions included), between any two stores: SQLite to
 * PostgreSQL, back, or the same kind. from is read in one read transaction;
 * to is written in one transaction, so a failed copy leaves it as it was.
 */
struct store_copy_count {
    const char *table;       /* static */
    long long rows;
};
#define STORE_COPY_NTABLE 14
/* to must hold no source, unit, run or plan version (LCME_EINPUT with the
 * table's name otherwise). Fills n[STORE_COPY_NTABLE] with the rows copied
 * per table, in copy order. 0, or -1 with the problem in d. */
int store_copy(struct store *from, struct store *to, struct store_copy_count *n,
               struct diag *d);

#endif
