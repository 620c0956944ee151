/* store_int.h: what the store's files share, private to them.
 *
 *   store.c          the schema, opening and closing, transactions, and the
 *                    SQL helpers below
 *   store_obs.c      observations, units and sources (store_put_obsset)
 *   store_cube.c     the cube from the observation table (store_load_cube)
 *   store_runs.c     runs and their results
 *   store_history.c  the history `lcme history` prints
 *   store_plans.c    action plans: versions, objectives, the run's version
 *   store_sensitivity.c  a run's sensitivity analysis, in its own tables
 *
 * Every helper that can fail reports into d in words a user can act on and
 * returns -1 (or NULL), so a caller only passes the failure on.
 */
#ifndef LCME_STORE_INT_H
#define LCME_STORE_INT_H

#include <math.h>
#include <sqlite3.h>

#include "diag.h"
#include "store.h"

struct store {
    sqlite3 *db;
    char *path;          /* as given, for messages */
    int readonly;
};

/* Report a failed SQLite call (status rc) made while doing `what`, with the
 * status and wording that fit the kind of failure (busy, disk full,
 * read-only, damaged, ...). Returns -1. */
int store_fail(struct store *s, struct diag *d, int rc, const char *what);

/* Report running out of memory while doing `what`. Returns -1. */
int store_nomem(struct store *s, struct diag *d, const char *what);

/* Prepare fixed SQL text; NULL after reporting. */
sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *what,
                            struct diag *d);

/* Step a bound statement that returns no rows, then reset it (bindings
 * stay). 0, or -1 after reporting. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, struct diag *d);

/* Run fixed SQL text without any data in it (schema, transaction control).
 * 0, or -1 after reporting. */
int store_exec(struct store *s, const char *sql, const char *what, struct diag *d);

/* Bind a double, or NULL for NaN. Returns SQLite's status. Inline: it is
 * called for several columns of every row written or read. */
static inline int store_bind_num(sqlite3_stmt *st, int i, double x)
{
    return isnan(x) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, x);
}

/* A column as a double, NaN for NULL. */
static inline double store_col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Whether the source table has its sheet column (stores made before it
 * have not): 1 yes, 0 no; with add, a missing column is added (inside the
 * caller's transaction) and 1 returned. -1 after reporting. */
int store_source_sheet(struct store *s, int add, struct diag *d);

/* A text column copied; "" for NULL. NULL on ENOMEM. */
char *store_col_dup(sqlite3_stmt *st, int i);

/* A write call's own unit of work. Inside the caller's transaction,
 * store_op_begin opens a savepoint and store_op_end releases it (ok) or
 * undoes the call's own part (!ok); outside one, they begin and commit (or
 * roll back) an IMMEDIATE transaction of their own. */
struct store_op {
    int own;             /* 1: the call began the transaction */
};

/* 0, or -1 after reporting. */
int store_op_begin(struct store *s, struct store_op *op, struct diag *d);

/* ok=1: keep the work; ok=0: undo it. Returns 0 when the work is kept. */
int store_op_end(struct store *s, struct store_op *op, int ok, struct diag *d);

#endif
