/* store_pg_int.h: the PostgreSQL store, private to the store's files. Each
 * public store_* function hands a store opened on a postgresql:// URI to
 * its store_pg_* counterpart here, after the checks both backends share:
 *
 *   store_pg.c          connecting, the schema, transactions, errors, and the
 *                       helpers below (statements, COPY in and out)
 *   store_pg_obs.c      observations, units and sources (store_put_obsset)
 *   store_pg_cube.c     the cube from the observation table (store_load_cube)
 *   store_pg_runs.c     runs and their results
 *   store_pg_history.c  what `lcme history` prints, plans included
 *   store_pg_plans.c    action plans: versions, objectives, the run's version
 *   store_pg_sensitivity.c  a run's sensitivity analysis
 *   store_pg_tables.c   whole tables as rows, for store_copy
 *
 * Same tables, columns and semantics as the SQLite store (store.c draws
 * them); what differs is written where it happens: every table exists from
 * the start, text compares bytewise (COLLATE "C", as SQLite's BINARY), an
 * INTEGER column is BIGINT, and writes take row locks, never the whole
 * store, so batches write side by side (store_pg_obs.c).
 */
#ifndef LCME_STORE_PG_INT_H
#define LCME_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store_int.h"

struct store_pg {
    PGconn *conn;
};

/* ---- store_pg.c: connection, transactions ------------------------------- */

/* Connect to uri (no password in it: PGPASSWORD or ~/.pgpass give it) and
 * check or create the schema; s->path is the URI to show (pguri_scrub).
 * 0, or -1 with the reason in d (s->pg freed). */
int store_pg_open(struct store *s, const char *uri, int readonly, struct diag *d);
void store_pg_close(struct store *s);     /* rolls back an open transaction */
int store_pg_begin(struct store *s, struct diag *d);
int store_pg_commit(struct store *s, struct diag *d);
void store_pg_rollback(struct store *s);
/* 1 when a transaction is open (or failed and not yet rolled back). */
int store_pg_in_tx(struct store *s);
int store_pg_op_begin(struct store *s, struct store_op *op, struct diag *d);
int store_pg_op_end(struct store *s, struct store_op *op, int ok, struct diag *d);

/* ---- store_pg.c: helpers ------------------------------------------------- */

/* Report the failure of a statement (r, may be NULL: the connection's
 * error) made while doing `what`, with the status and wording that fit its
 * SQLSTATE (connection lost, busy, disk full, read-only, permission, ...).
 * Returns -1. */
int store_pg_fail(struct store *s, const PGresult *r, const char *what, struct diag *d);

/* Run sql with n text parameters (v[i] NULL is SQL NULL). Returns the
 * result (the caller PQclears it) when the statement succeeded, else NULL
 * after reporting. */
PGresult *store_pg_query(struct store *s, const char *sql, int n, const char *const *v,
                         const char *what, struct diag *d);

/* store_pg_query for a statement whose rows are not wanted; *changed (may
 * be NULL) gets the number of rows it inserted, updated or deleted. 0, or
 * -1 after reporting. */
int store_pg_run(struct store *s, const char *sql, int n, const char *const *v,
                 long long *changed, const char *what, struct diag *d);

/* Fixed SQL text without data, any number of statements (schema,
 * temporary tables, transaction control). 0, or -1 after reporting. */
int store_pg_exec(struct store *s, const char *sql, const char *what, struct diag *d);

/* Current UTC time as the store writes it (2026-01-31T12:00:00Z), from the
 * server's clock, into buf[32]. 0, or -1 after reporting. */
int store_pg_now(struct store *s, char buf[32], struct diag *d);

/* A whole number as parameter text, into buf[24]; returns buf. */
const char *store_pg_int_text(long long v, char buf[24]);

/* ---- store_pg.c: COPY ... FROM STDIN (FORMAT binary) ---------------------
 *
 *     struct store_pg_copy c;
 *     if (store_pg_copy_begin(s, &c, "COPY t(a, b) FROM STDIN (FORMAT binary)",
 *                             "storing t", d) != 0)
 *         return -1;
 *     for (...) {
 *         store_pg_copy_row(&c, 2);
 *         store_pg_copy_text(&c, a);
 *         store_pg_copy_num(&c, b);       // NaN: NULL
 *     }
 *     return store_pg_copy_end(&c, d);   // sends, checks, frees
 *
 * Rows are buffered and sent 256 KiB at a time. Errors are sticky: the
 * first failure (out of memory, the connection) is reported by _end, which
 * must always be called.
 */
struct store_pg_copy {
    struct store *s;
    const char *what;
    char *buf;
    size_t len, cap;
    int err;             /* 0, or 1 after a failure (_end reports it) */
    int nomem;
    int conflict_ok;     /* set by the caller: a unique violation or a
                            deadlock makes _end return -2, unreported */
};
int store_pg_copy_begin(struct store *s, struct store_pg_copy *c, const char *sql,
                        const char *what, struct diag *d);
void store_pg_copy_row(struct store_pg_copy *c, int nfield);
void store_pg_copy_text(struct store_pg_copy *c, const char *t);     /* NULL: NULL */
void store_pg_copy_int(struct store_pg_copy *c, long long v);        /* int8 */
void store_pg_copy_num(struct store_pg_copy *c, double x);           /* float8; NaN: NULL */
void store_pg_copy_null(struct store_pg_copy *c);
/* 0; -1 after reporting; -2 (only with conflict_ok) when a row's key was
 * held already or the COPY met another batch in a deadlock: the caller's
 * transaction is then failed until it rolls back to a savepoint. */
int store_pg_copy_end(struct store_pg_copy *c, struct diag *d);

/* ---- store_pg.c: COPY (SELECT ...) TO STDOUT (FORMAT binary) -------------
 *
 * One row at a time, as the server sends it. Every text field is
 * NUL-terminated in place; the row's memory lasts until the next call.
 */
#define STORE_PG_MAX_FIELDS 16
struct store_pg_rows {
    struct store *s;
    const char *what;
    char *msg;                          /* the current row, from libpq */
    int header;                         /* the file header was read */
    int nfield;
    const char *field[STORE_PG_MAX_FIELDS];   /* NULL for SQL NULL */
    int len[STORE_PG_MAX_FIELDS];
};
int store_pg_rows_open(struct store *s, struct store_pg_rows *r, const char *sql,
                       const char *what, struct diag *d);
/* 1 and the next row in r, 0 at the end (the COPY checked and finished),
 * or -1 after reporting. After 0 or -1, r holds nothing. */
int store_pg_rows_next(struct store_pg_rows *r, struct diag *d);
/* Abandon a COPY before its end (the connection drains it). */
void store_pg_rows_close(struct store_pg_rows *r);
/* Field i as a double (NaN for NULL) or a whole number (0 for NULL). */
double store_pg_rows_num(const struct store_pg_rows *r, int i);
long long store_pg_rows_int(const struct store_pg_rows *r, int i);

/* ---- store_pg_tables.c: tables as rows, for store_copy -------------------- */

/* Every row of t in key order, to fn. 0, or -1 after reporting. */
int store_pg_table_read(struct store *s, const struct store_table *t, store_row_fn *fn,
                        void *ctx, struct diag *d);
/* Rows into t: _begin, one _put per row, _end (always). */
int store_pg_table_begin(struct store *s, struct store_pg_copy *c,
                         const struct store_table *t, struct diag *d);
void store_pg_table_put(struct store_pg_copy *c, const struct store_table *t,
                        const struct store_value *v);
/* Rows t holds (a table missing from the schema holds none), into *n. */
int store_pg_table_rows(struct store *s, const struct store_table *t, long long *n,
                        struct diag *d);

/* ---- the store's operations ---------------------------------------------- */

int store_pg_put_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                        size_t *revised, struct diag *d);
int store_pg_drop_sources(struct store *s, const struct obsset *o, struct diag *d);
int store_pg_source_kept(struct store *s, const struct obsset *o, size_t f, size_t *rows,
                         int *first, int *last, struct diag *d);
struct cube_builder;
struct strmap;

/* The store's units, their attributes and every observation into b, as
 * store_load_cube's SQLite steps do; skipped counts rows of indicators the
 * framework lacks. 0, or -1 after reporting. */
int store_pg_fill_cube(struct store *s, struct cube_builder *b, const struct strmap *ind,
                       size_t *skipped, struct diag *d);
int store_pg_run_begin(struct store *s, const char *run_id, const char *batch, int year,
                       const char *started, const char *settings, unsigned long seed,
                       const char *input_sha256, struct diag *d);
int store_pg_put_results(struct store *s, const char *run_id, const struct framework *fw,
                         const struct cube *c, const struct results *r, struct diag *d);
int store_pg_run_finish(struct store *s, const char *run_id, const char *status,
                        struct diag *d);
int store_pg_run_status(struct store *s, const char *run_id, char *buf, size_t len,
                        struct diag *d);
int store_pg_history_read(struct store *s, struct store_history *h, struct diag *d);
int store_pg_put_plan(struct store *s, const char *run_id, const struct plan *p, int year,
                      struct diag *d);
struct config;
struct sensitivity;
int store_pg_put_sensitivity(struct store *s, const char *run_id, const struct config *cfg,
                             const struct framework *fw, const struct cube *c,
                             const struct sensitivity *x, struct diag *d);
int store_pg_plan_history_read(struct store *s, struct store_plan_history *h,
                               struct diag *d);

#endif
