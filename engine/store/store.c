/* store.c: the SQLite store — every year's observations, the runs and their
 * results, in one file an analyst can open with the sqlite3 shell.
 *
 * Schema (version STORE_SCHEMA_VERSION, kept in PRAGMA user_version):
 *
 *   source(name PK, sha256, rows, loaded)          one row per data file loaded
 *   unit(code PK, name)                             every unit ever loaded
 *   unit_attr(code -> unit, attr, value)            PK (code, attr)
 *   observation(unit -> unit, year, indicator, value, se, n, lower, upper,
 *               flag, source -> source, line, loaded)
 *                                                   PK (unit, year, indicator),
 *                                                   index (source, year)
 *   run(id PK, batch, year, started, settings, seed, engine_version,
 *       input_sha256, status)                       index (started, id)
 *   result(run -> run, unit, year, node, level, score, ci_low, ci_high,
 *          rank, rank_low, rank_high)               PK (run, node, year, unit)
 *
 * observation, unit_attr and result are WITHOUT ROWID tables: their primary
 * key is the table's only B-tree, so a row insert touches one tree (two for
 * observation, whose (source, year) index serves reloads and `lcme history`).
 * Missing numbers are NULL, never NaN. Times are ISO 8601 UTC text.
 *
 * Invariants:
 *  - The journal stays a rollback journal (no WAL), so the store is one file.
 *  - foreign_keys is ON for every connection: an observation always names a
 *    loaded source and a known unit, a result a begun run. The two checks
 *    per observation cost about a quarter of put_obsset's time (1.6 s vs
 *    1.2 s for 493,416 rows); a store that cannot hold an orphan is worth it.
 *  - Every statement is prepared with bound parameters; data never becomes
 *    SQL text. A statement used over many rows is prepared once per call and
 *    reset between rows; bindings that do not change (the load time, the run
 *    id) are bound once, since sqlite3_reset keeps them.
 *  - A write call is atomic: inside the caller's transaction it works in a
 *    savepoint and undoes its own part on failure; outside one it begins and
 *    commits its own IMMEDIATE transaction.
 *  - No statement outlives the call that prepared it, so store_close only has
 *    to roll back and close.
 */
#include "store.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline.h"
#include "strmap.h"

#ifndef LCME_VERSION
#define LCME_VERSION "unknown"
#endif

#define STORE_SCHEMA_VERSION 1
#define STORE_BUSY_TIMEOUT_MS 5000

struct store {
    sqlite3 *db;
    char *path;          /* as given, for messages */
    int readonly;
};

static const char store_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS source(\n"
    "  name    TEXT PRIMARY KEY,\n"
    "  sha256  TEXT NOT NULL,\n"
    "  rows    INTEGER NOT NULL,\n"
    "  loaded  TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS unit(\n"
    "  code TEXT PRIMARY KEY,\n"
    "  name TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS unit_attr(\n"
    "  code  TEXT NOT NULL REFERENCES unit(code) ON DELETE CASCADE,\n"
    "  attr  TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n"
    "  PRIMARY KEY (code, attr)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS observation(\n"
    "  unit      TEXT NOT NULL REFERENCES unit(code),\n"
    "  year      INTEGER NOT NULL,\n"
    "  indicator TEXT NOT NULL,\n"
    "  value     REAL NOT NULL,\n"
    "  se        REAL,\n"
    "  n         REAL,\n"
    "  lower     REAL,\n"
    "  upper     REAL,\n"
    "  flag      INTEGER NOT NULL DEFAULT 0,\n"
    "  source    TEXT NOT NULL REFERENCES source(name),\n"
    "  line      INTEGER,\n"
    "  loaded    TEXT NOT NULL,\n"
    "  PRIMARY KEY (unit, year, indicator)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX IF NOT EXISTS observation_source ON observation(source, year);\n"
    "CREATE TABLE IF NOT EXISTS run(\n"
    "  id             TEXT PRIMARY KEY,\n"
    "  batch          TEXT NOT NULL,\n"
    "  year           INTEGER NOT NULL,\n"
    "  started        TEXT NOT NULL,\n"
    "  settings       TEXT,\n"
    "  seed           INTEGER NOT NULL,\n"
    "  engine_version TEXT NOT NULL,\n"
    "  input_sha256   TEXT,\n"
    "  status         TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed'))\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS run_started ON run(started, id);\n"
    "CREATE TABLE IF NOT EXISTS result(\n"
    "  run       TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  unit      TEXT NOT NULL,\n"
    "  year      INTEGER NOT NULL,\n"
    "  node      TEXT NOT NULL,\n"
    "  level     INTEGER NOT NULL,\n"
    "  score     REAL NOT NULL,\n"
    "  ci_low    REAL,\n"
    "  ci_high   REAL,\n"
    "  rank      REAL,\n"
    "  rank_low  REAL,\n"
    "  rank_high REAL,\n"
    "  PRIMARY KEY (run, node, year, unit)\n"
    ") WITHOUT ROWID;\n";

/* ---- errors ------------------------------------------------------------ */

/* Report a failed SQLite call made while doing `what`; returns -1. The status
 * and wording depend on the kind of failure, the one thing a user can act on. */
static int store_fail(struct store *s, struct diag *d, int rc, const char *what)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        diag_add(d, LCME_EBUSY, NULL, 0, 0,
                 "store '%s' is busy (another lcme run holds it); try again later",
                 s->path);
        break;
    case SQLITE_FULL:
        diag_add(d, LCME_EIO, NULL, 0, 0,
                 "store '%s': the disk is full (while %s); free some space and try again",
                 s->path, what);
        break;
    case SQLITE_READONLY:
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s' is read-only (while %s): check the permissions of the "
                 "file and its folder", s->path, what);
        break;
    case SQLITE_NOMEM:
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "store '%s': out of memory while %s",
                 s->path, what);
        break;
    case SQLITE_IOERR:
        diag_add(d, LCME_EIO, NULL, 0, 0, "store '%s': input/output failure while %s: %s",
                 s->path, what, msg);
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s' is damaged or not an SQLite database (while %s): %s",
                 s->path, what, msg);
        break;
    default:
        diag_add(d, LCME_ESTORE, NULL, 0, 0, "store '%s': %s failed: %s", s->path, what,
                 msg);
        break;
    }
    return -1;
}

static int store_nomem(struct store *s, struct diag *d, const char *what)
{
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "store '%s': out of memory while %s", s->path,
             what);
    return -1;
}

/* ---- small helpers ----------------------------------------------------- */

static sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *what,
                                   struct diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, d, rc, what);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Run a statement that returns no rows (already bound), then reset it. */
static int store_step_done(struct store *s, sqlite3_stmt *st, const char *what,
                           struct diag *d)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(s, d, rc, what);
    return 0;
}

/* Fixed SQL text without any data in it (schema, transaction control). */
static int store_exec(struct store *s, const char *sql, const char *what, struct diag *d)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, d, rc, what);
}

/* A double, or NULL for NaN. */
static int bind_num(sqlite3_stmt *st, int i, double x)
{
    return isnan(x) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, x);
}

/* A column as a double, NaN for NULL. */
static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* A text column copied; "" for NULL. NULL on ENOMEM. */
static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

static char *dup_str(const char *t)
{
    return strdup(t ? t : "");
}

/* Busy timeout: STORE_BUSY_TIMEOUT_MS, or LCME_BUSY_TIMEOUT_MS when that is
 * a whole number of milliseconds in [0, INT_MAX] (tests use 100). */
static int busy_timeout_ms(void)
{
    const char *e = getenv("LCME_BUSY_TIMEOUT_MS");
    if (!e || !*e)
        return STORE_BUSY_TIMEOUT_MS;
    char *end;
    errno = 0;
    long v = strtol(e, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX)
        return STORE_BUSY_TIMEOUT_MS;
    return (int)v;
}

/* ---- open / close ------------------------------------------------------ */

static int open_fail(struct store *s, struct diag *d, const char *reason)
{
    diag_add(d, LCME_ESTORE, NULL, 0, 0, "cannot open store '%s': %s", s->path, reason);
    return -1;
}

static int open_sqlite_fail(struct store *s, struct diag *d, int rc);

/* Read PRAGMA user_version and the number of schema objects. */
static int read_version(struct store *s, int *version, int *nobj, struct diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) {
        st = NULL;
        rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *nobj = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_ROW)
        return 0;
    return open_sqlite_fail(s, d, rc);
}

/* A failure while first reading the file, in the words a user acts on. */
static int open_sqlite_fail(struct store *s, struct diag *d, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return open_fail(s, d, "the file is not an SQLite database");
    case SQLITE_CORRUPT:
        return open_fail(s, d, "the database file is damaged");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return store_fail(s, d, rc, "opening");
    default:
        return open_fail(s, d, sqlite3_errmsg(s->db));
    }
}

/* Create the schema in a fresh database, rechecking inside an IMMEDIATE
 * transaction in case another process created it meanwhile. */
static int create_schema(struct store *s, struct diag *d)
{
    if (store_exec(s, "BEGIN IMMEDIATE", "creating the schema", d) != 0)
        return -1;
    int version = 0, nobj = 0;
    if (read_version(s, &version, &nobj, d) != 0)
        goto fail;
    if (version == 0 && nobj == 0) {
        if (store_exec(s, store_schema_sql, "creating the schema", d) != 0)
            goto fail;
        /* The version is a compile-time constant, not data. */
#define STR2(x) #x
#define STR(x) STR2(x)
        if (store_exec(s, "PRAGMA user_version = " STR(STORE_SCHEMA_VERSION),
                       "creating the schema", d) != 0)
            goto fail;
#undef STR
#undef STR2
    }
    if (store_exec(s, "COMMIT", "creating the schema", d) != 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_open(struct store **out, const char *path, int readonly, struct diag *d)
{
    *out = NULL;
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "cannot open store '%s': out of memory",
                 path ? path : "");
        return -1;
    }
    s->readonly = readonly != 0;
    s->path = dup_str(path);
    if (!s->path) {
        free(s);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "cannot open store: out of memory");
        return -1;
    }
    if (!path || !*path) {
        open_fail(s, d, "no path given");
        goto fail;
    }
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (readonly || errno != ENOENT) {
            open_fail(s, d, strerror(errno));
            goto fail;
        }
    } else if (S_ISDIR(sb.st_mode)) {
        open_fail(s, d, "it is a folder");
        goto fail;
    }

    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        char reason[512];
        int sys = s->db ? sqlite3_system_errno(s->db) : 0;
        if (sys)
            snprintf(reason, sizeof reason, "%s (%s)",
                     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), strerror(sys));
        else
            snprintf(reason, sizeof reason, "%s",
                     s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        open_fail(s, d, reason);
        goto fail;
    }
    sqlite3_busy_timeout(s->db, busy_timeout_ms());
    /* 64 MiB of page cache (SQLite's default is 2 MiB): 493,416 observations
     * make 38 MiB of table and 14 MiB of (source, year) index, and with the
     * default cache every insert evicts and re-reads pages. Measured with
     * tests/bench/bench_store.c: put_obsset 3.2 s -> 1.6 s, load_cube
     * 0.47 s -> 0.26 s, 687,000 results 2.4 s -> 1.1 s. */
    if ((rc = sqlite3_exec(s->db, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536", NULL,
                     NULL, NULL)) != SQLITE_OK) {
        open_sqlite_fail(s, d, rc);
        goto fail;
    }

    int version = 0, nobj = 0;
    if (read_version(s, &version, &nobj, d) != 0)
        goto fail;
    if (version > STORE_SCHEMA_VERSION) {
        char reason[160];
        snprintf(reason, sizeof reason,
                 "its schema version %d is newer than this lcme's (%d); use a newer lcme",
                 version, STORE_SCHEMA_VERSION);
        open_fail(s, d, reason);
        goto fail;
    }
    if (version == 0 && nobj > 0) {
        open_fail(s, d, "it is an SQLite database but not an lcme store");
        goto fail;
    }
    if (version == 0) {
        if (readonly) {
            open_fail(s, d, "the file is empty, not an lcme store");
            goto fail;
        }
        if (create_schema(s, d) != 0)
            goto fail;
    }
    *out = s;
    return 0;
fail:
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s);
    return -1;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->db) {
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(s->db);
    }
    free(s->path);
    free(s);
}

/* ---- transactions ------------------------------------------------------ */

int store_begin(struct store *s, struct diag *d)
{
    if (!sqlite3_get_autocommit(s->db)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': a transaction is already open", s->path);
        return -1;
    }
    return store_exec(s, "BEGIN IMMEDIATE", "beginning a transaction", d);
}

int store_commit(struct store *s, struct diag *d)
{
    if (sqlite3_get_autocommit(s->db)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': no transaction is open to commit", s->path);
        return -1;
    }
    if (store_exec(s, "COMMIT", "committing", d) != 0) {
        /* A failed COMMIT may leave the transaction open; never leave it
         * half-done behind the caller's back. */
        store_rollback(s);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *s)
{
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A write call's own unit of work: see the invariants at the top. */
struct store_op {
    int own;             /* 1: we began the transaction */
};

static int op_begin(struct store *s, struct store_op *op, struct diag *d)
{
    op->own = sqlite3_get_autocommit(s->db) != 0;
    if (op->own)
        return store_begin(s, d);
    return store_exec(s, "SAVEPOINT store_op", "beginning a savepoint", d);
}

/* ok=1: keep the work; ok=0: undo it. Returns 0 when the work is kept. */
static int op_end(struct store *s, struct store_op *op, int ok, struct diag *d)
{
    if (op->own) {
        if (ok)
            return store_commit(s, d);
        store_rollback(s);
        return -1;
    }
    if (ok)
        return store_exec(s, "RELEASE store_op", "releasing a savepoint", d);
    /* After some errors (SQLITE_FULL, I/O) SQLite has already rolled the
     * whole transaction back and the savepoint is gone: nothing to undo. */
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "ROLLBACK TO store_op", NULL, NULL, NULL);
        sqlite3_exec(s->db, "RELEASE store_op", NULL, NULL, NULL);
    }
    return -1;
}

/* ---- observations ------------------------------------------------------ */

/* Current UTC time as the store writes it, into buf[32]. */
static int store_now(struct store *s, char buf[32], struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                                     "reading the clock", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_fail(s, d, rc, "reading the clock");
        sqlite3_finalize(st);
        return -1;
    }
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, 32, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return 0;
}

static int count_observations(struct store *s, sqlite3_stmt *st, long long *n, struct diag *d)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return store_fail(s, d, rc, "counting observations");
    }
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* Every index in the obsset must point inside it and the framework. */
static int check_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                        struct diag *d)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct obs *ob = &o->v[i];
        if (ob->unit < 0 || (size_t)ob->unit >= o->nunit || ob->file < 0 ||
            (size_t)ob->file >= o->nfile || ob->ind < 0 ||
            ob->ind >= fw->nnode + fw->ndenom) {
            diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                     "store '%s': observation %zu refers to no unit, file or indicator",
                     s->path, i);
            return -1;
        }
    }
    for (size_t f = 0; f < o->nfile; f++)
        if (!o->file[f].name && !o->file[f].path) {
            diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "store '%s': data file %zu has no name",
                     s->path, f);
            return -1;
        }
    return 0;
}

static const char *source_name(const struct obs_source *f)
{
    return f->name ? f->name : f->path;
}

static int put_units(struct store *s, const struct obsset *o, struct diag *d)
{
    sqlite3_stmt *su = store_prepare(
        s,
        "INSERT INTO unit(code, name) VALUES (?1, ?2) "
        "ON CONFLICT(code) DO UPDATE SET name = excluded.name WHERE excluded.name <> ''",
        "storing units", d);
    sqlite3_stmt *sa = store_prepare(
        s,
        "INSERT INTO unit_attr(code, attr, value) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(code, attr) DO UPDATE SET value = excluded.value",
        "storing unit attributes", d);
    int ret = -1;
    if (!su || !sa)
        goto out;
    for (size_t u = 0; u < o->nunit; u++) {
        const char *name = o->unit_name && o->unit_name[u] ? o->unit_name[u] : "";
        sqlite3_bind_text(su, 1, o->unit[u], -1, SQLITE_STATIC);
        sqlite3_bind_text(su, 2, name, -1, SQLITE_STATIC);
        if (store_step_done(s, su, "storing units", d) != 0)
            goto out;
        for (size_t a = 0; a < o->nattr && o->attr; a++) {
            const char *v = o->attr[u * o->nattr + a];
            if (!v || !*v)
                continue;   /* unknown here: keep what the store knows */
            sqlite3_bind_text(sa, 1, o->unit[u], -1, SQLITE_STATIC);
            sqlite3_bind_text(sa, 2, o->attr_name[a], -1, SQLITE_STATIC);
            sqlite3_bind_text(sa, 3, v, -1, SQLITE_STATIC);
            if (store_step_done(s, sa, "storing unit attributes", d) != 0)
                goto out;
        }
    }
    ret = 0;
out:
    sqlite3_finalize(su);
    sqlite3_finalize(sa);
    return ret;
}

static int put_sources(struct store *s, const struct obsset *o, const char *loaded,
                       struct diag *d)
{
    sqlite3_stmt *sd = store_prepare(s, "DELETE FROM observation WHERE source = ?1",
                                     "replacing a reloaded source", d);
    sqlite3_stmt *ss = store_prepare(
        s,
        "INSERT INTO source(name, sha256, rows, loaded) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(name) DO UPDATE SET sha256 = excluded.sha256, "
        "rows = excluded.rows, loaded = excluded.loaded",
        "storing sources", d);
    int ret = -1;
    if (!sd || !ss)
        goto out;
    for (size_t f = 0; f < o->nfile; f++) {
        const char *name = source_name(&o->file[f]);
        sqlite3_bind_text(sd, 1, name, -1, SQLITE_STATIC);
        if (store_step_done(s, sd, "replacing a reloaded source", d) != 0)
            goto out;
        sqlite3_bind_text(ss, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ss, 2, o->file[f].sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ss, 3, (sqlite3_int64)o->file[f].rows);
        sqlite3_bind_text(ss, 4, loaded, -1, SQLITE_STATIC);
        if (store_step_done(s, ss, "storing sources", d) != 0)
            goto out;
    }
    ret = 0;
out:
    sqlite3_finalize(sd);
    sqlite3_finalize(ss);
    return ret;
}

static const char *obs_code(const struct framework *fw, int ind)
{
    return ind < fw->nnode ? fw->node[ind].code : fw->denom[ind - fw->nnode];
}

static int put_observations(struct store *s, const struct obsset *o,
                            const struct framework *fw, const char *loaded, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT OR REPLACE INTO observation(unit, year, indicator, value, se, n, lower, "
        "upper, flag, source, line, loaded) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        "storing observations", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 12, loaded, -1, SQLITE_STATIC);
    int ret = 0;
    for (size_t i = 0; i < o->n; i++) {
        const struct obs *ob = &o->v[i];
        const char *ind = obs_code(fw, ob->ind);
        sqlite3_bind_text(st, 1, o->unit[ob->unit], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, ob->year);
        sqlite3_bind_text(st, 3, ind, -1, SQLITE_STATIC);
        bind_num(st, 4, ob->value);
        bind_num(st, 5, ob->se);
        bind_num(st, 6, ob->n);
        bind_num(st, 7, ob->lower);
        bind_num(st, 8, ob->upper);
        sqlite3_bind_int(st, 9, ob->flag != 0);
        sqlite3_bind_text(st, 10, source_name(&o->file[ob->file]), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)ob->line);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            ret = store_fail(s, d, rc, "storing observations");
            break;
        }
    }
    sqlite3_finalize(st);
    return ret;
}

int store_put_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                     size_t *revised, struct diag *d)
{
    if (revised)
        *revised = 0;
    if (check_obsset(s, o, fw, d) != 0)
        return -1;
    struct store_op op;
    if (op_begin(s, &op, d) != 0)
        return -1;
    char loaded[32];
    long long before = 0, after = 0;
    int ok = 0;
    sqlite3_stmt *cnt = NULL;
    if (store_now(s, loaded, d) != 0 || put_units(s, o, d) != 0 ||
        put_sources(s, o, loaded, d) != 0)
        goto out;
    /* Every source in the set has lost its earlier rows, and the set holds
     * no (unit, year, indicator) twice, so each row the inserts below
     * replace came from another source: revised = before + n - after. */
    cnt = store_prepare(s, "SELECT count(*) FROM observation", "counting observations", d);
    if (!cnt || count_observations(s, cnt, &before, d) != 0)
        goto out;
    if (put_observations(s, o, fw, loaded, d) != 0)
        goto out;
    if (count_observations(s, cnt, &after, d) != 0)
        goto out;
    if (revised) {
        long long r = before + (long long)o->n - after;
        *revised = r > 0 ? (size_t)r : 0;
    }
    ok = 1;
out:
    sqlite3_finalize(cnt);
    return op_end(s, &op, ok, d);
}

/* ---- the cube ---------------------------------------------------------- */

/* One observation as read, before the units and years are known. */
struct raw_obs {
    double value, se, n;
    int unit;            /* provisional unit index (order of first sight) */
    int ind;             /* cube indicator, or nind + k for denominator k */
    int year;
    uint8_t flag;
};

struct load_state {
    struct strmap *ind;  /* indicator / denominator code -> index */
    struct strmap *unit; /* unit code -> provisional index */
    char **ucode, **uname;
    size_t nunit, aunit;
    struct raw_obs *row;
    size_t nrow, arow;
    int *year;           /* distinct years, unsorted */
    size_t nyear, ayear;
    char **attr_name;
    size_t nattr, aattr;
};

static void load_state_free(struct load_state *ls)
{
    strmap_free(ls->ind);
    strmap_free(ls->unit);
    for (size_t u = 0; u < ls->nunit; u++) {
        free(ls->ucode[u]);
        free(ls->uname[u]);
    }
    free(ls->ucode);
    free(ls->uname);
    free(ls->row);
    free(ls->year);
    for (size_t a = 0; a < ls->nattr; a++)
        free(ls->attr_name[a]);
    free(ls->attr_name);
}

static int grow(void **p, size_t *alloc, size_t need, size_t size)
{
    if (need <= *alloc)
        return 0;
    size_t na = *alloc ? *alloc : 16;
    while (na < need)
        na *= 2;
    void *np = realloc(*p, na * size);
    if (!np)
        return -1;
    *p = np;
    *alloc = na;
    return 0;
}

/* Provisional index of a unit code (len bytes), adding it when new; -1 ENOMEM. */
static int load_unit(struct load_state *ls, const char *code, size_t len, const char *name)
{
    int u = strmap_get(ls->unit, code, len);
    if (u >= 0)
        return u;
    if (ls->nunit >= (size_t)INT_MAX)
        return -1;
    if (grow((void **)&ls->ucode, &ls->aunit, ls->nunit + 1, sizeof *ls->ucode) != 0)
        return -1;
    /* uname grows with ucode: same alloc count */
    char **nn = realloc(ls->uname, ls->aunit * sizeof *nn);
    if (!nn)
        return -1;
    ls->uname = nn;
    char *c = malloc(len + 1);
    char *n = strdup(name ? name : "");
    if (!c || !n) {
        free(c);
        free(n);
        return -1;
    }
    memcpy(c, code, len);
    c[len] = '\0';
    u = (int)ls->nunit;
    if (strmap_put(ls->unit, c, len, u) != 0) {
        free(c);
        free(n);
        return -1;
    }
    ls->ucode[ls->nunit] = c;
    ls->uname[ls->nunit] = n;
    ls->nunit++;
    return u;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int year_index(const int *year, size_t nyear, int y)
{
    size_t lo = 0, hi = nyear;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (year[mid] < y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < nyear && year[lo] == y ? (int)lo : -1;
}

/* Read the unit and unit_attr tables into ls. */
static int load_units(struct store *s, struct load_state *ls, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT code, name FROM unit", "reading units", d);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        int len = sqlite3_column_bytes(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!code)
            continue;
        if (load_unit(ls, code, (size_t)len, name) < 0) {
            sqlite3_finalize(st);
            return store_nomem(s, d, "reading units");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading units");

    st = store_prepare(s, "SELECT DISTINCT attr FROM unit_attr ORDER BY attr",
                       "reading unit attributes", d);
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&ls->attr_name, &ls->aattr, ls->nattr + 1, sizeof *ls->attr_name) ||
            !(ls->attr_name[ls->nattr] = col_dup(st, 0))) {
            sqlite3_finalize(st);
            return store_nomem(s, d, "reading unit attributes");
        }
        ls->nattr++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading unit attributes");
    return 0;
}

/* One pass over the observation table into ls->row. */
static int load_rows(struct store *s, struct load_state *ls, double z, size_t *skipped,
                     struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT unit, year, indicator, value, se, n, lower, upper, flag FROM observation",
        "reading observations", d);
    if (!st)
        return -1;
    /* Rows come in primary-key order, so a unit repeats for many rows in a
     * row: remember the last one and skip its hash lookup. */
    char *last = NULL;
    size_t lastlen = 0, lastalloc = 0;
    int lastu = -1, lasty = INT_MIN, rc, ret = -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ind = (const char *)sqlite3_column_text(st, 2);
        int ilen = sqlite3_column_bytes(st, 2);
        int k = ind ? strmap_get(ls->ind, ind, (size_t)ilen) : -1;
        if (k < 0) {
            (*skipped)++;
            continue;
        }
        const char *code = (const char *)sqlite3_column_text(st, 0);
        size_t ulen = (size_t)sqlite3_column_bytes(st, 0);
        if (!code)
            code = "";
        if (lastu < 0 || ulen != lastlen || memcmp(code, last, ulen) != 0) {
            lastu = load_unit(ls, code, ulen, "");
            if (lastu < 0 || grow((void **)&last, &lastalloc, ulen + 1, 1) != 0) {
                store_nomem(s, d, "reading observations");
                goto out;
            }
            memcpy(last, code, ulen);
            lastlen = ulen;
        }
        int y = sqlite3_column_int(st, 1);
        if (y != lasty) {
            size_t t = 0;
            while (t < ls->nyear && ls->year[t] != y)
                t++;
            if (t == ls->nyear) {
                if (grow((void **)&ls->year, &ls->ayear, ls->nyear + 1, sizeof *ls->year)) {
                    store_nomem(s, d, "reading observations");
                    goto out;
                }
                ls->year[ls->nyear++] = y;
            }
            lasty = y;
        }
        if (grow((void **)&ls->row, &ls->arow, ls->nrow + 1, sizeof *ls->row) != 0) {
            store_nomem(s, d, "reading observations");
            goto out;
        }
        struct raw_obs *r = &ls->row[ls->nrow++];
        r->unit = lastu;
        r->ind = k;
        r->year = y;
        r->value = col_num(st, 3);
        r->se = col_num(st, 4);
        r->n = col_num(st, 5);
        if (isnan(r->se)) {
            double lo = col_num(st, 6), hi = col_num(st, 7);
            if (!isnan(lo) && !isnan(hi))
                r->se = (hi - lo) / (2.0 * z);
        }
        r->flag = sqlite3_column_int(st, 8) != 0 ? CUBE_FLAGGED : 0;
    }
    if (rc != SQLITE_DONE) {
        store_fail(s, d, rc, "reading observations");
        goto out;
    }
    ret = 0;
out:
    free(last);
    sqlite3_finalize(st);
    return ret;
}

/* Fill the cube's attribute cells from unit_attr; perm maps provisional unit
 * indices to cube indices. */
static int load_attrs(struct store *s, struct load_state *ls, const int *perm,
                      struct cube *c, struct diag *d)
{
    if (ls->nattr == 0)
        return 0;
    sqlite3_stmt *st = store_prepare(s, "SELECT code, attr, value FROM unit_attr",
                                     "reading unit attributes", d);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *attr = (const char *)sqlite3_column_text(st, 1);
        const char *val = (const char *)sqlite3_column_text(st, 2);
        if (!code || !attr)
            continue;
        int u = strmap_get(ls->unit, code, (size_t)sqlite3_column_bytes(st, 0));
        if (u < 0)
            continue;
        char *const *a = bsearch(&attr, ls->attr_name, ls->nattr, sizeof *ls->attr_name,
                                 cmp_str);
        if (!a)
            continue;
        size_t cell = (size_t)perm[u] * c->nattr + (size_t)(a - ls->attr_name);
        char *v = strdup(val ? val : "");
        if (!v) {
            sqlite3_finalize(st);
            return store_nomem(s, d, "reading unit attributes");
        }
        free(c->attr[cell]);
        c->attr[cell] = v;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading unit attributes");
}

struct unit_order {
    const char *code;
    int prov;            /* provisional index */
};

static int cmp_unit_order(const void *a, const void *b)
{
    return strcmp(((const struct unit_order *)a)->code, ((const struct unit_order *)b)->code);
}

int store_load_cube(struct store *s, const struct framework *fw, double ci_level,
                    struct cube **out, size_t *skipped, struct diag *d)
{
    *out = NULL;
    size_t skip = 0;
    if (skipped)
        *skipped = 0;
    if (!(ci_level > 0.0 && ci_level < 1.0)) {
        diag_add(d, LCME_EUSAGE, NULL, 0, 0,
                 "store '%s': confidence level %g is not between 0 and 1", s->path, ci_level);
        return -1;
    }
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - ci_level) / 2.0);

    struct load_state ls;
    memset(&ls, 0, sizeof ls);
    struct cube *c = NULL;
    struct unit_order *ord = NULL;
    int *perm = NULL, ret = -1;
    size_t nind = fw->nind > 0 ? (size_t)fw->nind : 0;
    size_t ndenom = fw->ndenom > 0 ? (size_t)fw->ndenom : 0;

    ls.ind = strmap_new();
    ls.unit = strmap_new();
    if (!ls.ind || !ls.unit) {
        store_nomem(s, d, "loading the cube");
        goto out;
    }
    for (size_t k = 0; k < ndenom; k++)
        if (strmap_put(ls.ind, fw->denom[k], strlen(fw->denom[k]), (int)(nind + k)) != 0) {
            store_nomem(s, d, "loading the cube");
            goto out;
        }
    for (size_t i = 0; i < nind; i++)
        if (strmap_put(ls.ind, fw->node[i].code, strlen(fw->node[i].code), (int)i) != 0) {
            store_nomem(s, d, "loading the cube");
            goto out;
        }

    if (load_units(s, &ls, d) != 0 || load_rows(s, &ls, z, &skip, d) != 0)
        goto out;

    /* Units in code order, years ascending. */
    ord = malloc((ls.nunit ? ls.nunit : 1) * sizeof *ord);
    perm = malloc((ls.nunit ? ls.nunit : 1) * sizeof *perm);
    if (!ord || !perm) {
        store_nomem(s, d, "loading the cube");
        goto out;
    }
    for (size_t u = 0; u < ls.nunit; u++) {
        ord[u].code = ls.ucode[u];
        ord[u].prov = (int)u;
    }
    qsort(ord, ls.nunit, sizeof *ord, cmp_unit_order);
    for (size_t u = 0; u < ls.nunit; u++)
        perm[ord[u].prov] = (int)u;
    if (ls.nyear)
        qsort(ls.year, ls.nyear, sizeof *ls.year, cmp_int);

    c = cube_new(ls.nunit, nind, ls.nyear, ls.nattr, ndenom);
    if (!c) {
        store_nomem(s, d, "loading the cube");
        goto out;
    }
    /* Hand the strings over to the cube (it owns its names). */
    for (size_t u = 0; u < ls.nunit; u++) {
        size_t p = (size_t)ord[u].prov;
        free(c->unit[u]);
        c->unit[u] = ls.ucode[p];
        free(c->unit_name[u]);
        c->unit_name[u] = ls.uname[p];
    }
    for (size_t u = 0; u < ls.nunit; u++)
        ls.ucode[u] = ls.uname[u] = NULL;
    for (size_t a = 0; a < ls.nattr; a++) {
        free(c->attr_name[a]);
        c->attr_name[a] = strdup(ls.attr_name[a]);
        if (!c->attr_name[a]) {
            store_nomem(s, d, "loading the cube");
            goto out;
        }
    }
    for (size_t t = 0; t < ls.nyear; t++)
        c->year[t] = ls.year[t];
    if (load_attrs(s, &ls, perm, c, d) != 0)
        goto out;

    for (size_t i = 0; i < ls.nrow; i++) {
        const struct raw_obs *r = &ls.row[i];
        size_t t = (size_t)year_index(ls.year, ls.nyear, r->year);
        size_t u = (size_t)perm[r->unit];
        if ((size_t)r->ind < nind) {
            size_t at = CUBE_AT(c, r->ind, t, u);
            c->value[at] = r->value;
            c->se[at] = r->se;
            c->n[at] = r->n;
            c->flag[at] = r->flag;
        } else {
            size_t k = (size_t)r->ind - nind;
            c->denom[(k * c->nyear + t) * c->nunit + u] = r->value;
        }
    }
    *out = c;
    c = NULL;
    if (skipped)
        *skipped = skip;
    ret = 0;
out:
    cube_free(c);
    free(ord);
    free(perm);
    load_state_free(&ls);
    return ret;
}

/* ---- runs and results -------------------------------------------------- */

static int run_exists(struct store *s, const char *run_id, int *exists, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM run WHERE id = ?1", "reading runs", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading runs");
    *exists = rc == SQLITE_ROW;
    return 0;
}

static int delete_results(struct store *s, const char *run_id, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "DELETE FROM result WHERE run = ?1",
                                     "removing a run's earlier results", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    int ret = store_step_done(s, st, "removing a run's earlier results", d);
    sqlite3_finalize(st);
    return ret;
}

int store_run_begin(struct store *s, const char *run_id, const char *batch, int year,
                    const char *started, const char *settings, unsigned long seed,
                    const char *input_sha256, struct diag *d)
{
    if (!run_id || !*run_id) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "store '%s': a run needs an id", s->path);
        return -1;
    }
    struct store_op op;
    if (op_begin(s, &op, d) != 0)
        return -1;
    int ok = 0;
    sqlite3_stmt *st = NULL;
    if (delete_results(s, run_id, d) != 0)
        goto out;
    st = store_prepare(
        s,
        "INSERT INTO run(id, batch, year, started, settings, seed, engine_version, "
        "input_sha256, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running') "
        "ON CONFLICT(id) DO UPDATE SET batch = excluded.batch, year = excluded.year, "
        "started = excluded.started, settings = excluded.settings, seed = excluded.seed, "
        "engine_version = excluded.engine_version, input_sha256 = excluded.input_sha256, "
        "status = excluded.status",
        "storing the run", d);
    if (!st)
        goto out;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, batch ? batch : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, year);
    sqlite3_bind_text(st, 4, started ? started : "", -1, SQLITE_STATIC);
    if (settings)
        sqlite3_bind_text(st, 5, settings, -1, SQLITE_STATIC);
    /* The seed's bits as a 64-bit integer; read back with the same cast. */
    sqlite3_bind_int64(st, 6, (sqlite3_int64)(uint64_t)seed);
    sqlite3_bind_text(st, 7, LCME_VERSION, -1, SQLITE_STATIC);
    if (input_sha256)
        sqlite3_bind_text(st, 8, input_sha256, -1, SQLITE_STATIC);
    if (store_step_done(s, st, "storing the run", d) != 0)
        goto out;
    ok = 1;
out:
    sqlite3_finalize(st);
    return op_end(s, &op, ok, d);
}

int store_put_results(struct store *s, const char *run_id, const struct framework *fw,
                      const struct cube *c, const struct results *r, struct diag *d)
{
    if (r->nnode != (size_t)fw->nnode || r->nyear != c->nyear || r->nunit != c->nunit) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': results (%zu nodes, %zu years, %zu units) do not match the "
                 "framework and cube (%d nodes, %zu years, %zu units)",
                 s->path, r->nnode, r->nyear, r->nunit, fw->nnode, c->nyear, c->nunit);
        return -1;
    }
    struct store_op op;
    if (op_begin(s, &op, d) != 0)
        return -1;
    int ok = 0, exists = 0;
    sqlite3_stmt *st = NULL;
    if (run_exists(s, run_id, &exists, d) != 0)
        goto out;
    if (!exists) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': results for run '%s', which was never begun", s->path, run_id);
        goto out;
    }
    if (delete_results(s, run_id, d) != 0)
        goto out;
    st = store_prepare(s,
                       "INSERT INTO result(run, unit, year, node, level, score, ci_low, "
                       "ci_high, rank, rank_low, rank_high) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                       "storing results", d);
    if (!st)
        goto out;
    /* Bindings survive sqlite3_reset: bind the run once, the node once per
     * node, the year once per year. */
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    for (size_t k = 0; k < r->nnode; k++) {
        sqlite3_bind_text(st, 4, fw->node[k].code, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, fw->node[k].level);
        for (size_t t = 0; t < r->nyear; t++) {
            sqlite3_bind_int(st, 3, c->year[t]);
            for (size_t u = 0; u < r->nunit; u++) {
                size_t at = RES_AT(r, k, t, u);
                if (isnan(r->score[at]))
                    continue;
                sqlite3_bind_text(st, 2, c->unit[u], -1, SQLITE_STATIC);
                sqlite3_bind_double(st, 6, r->score[at]);
                bind_num(st, 7, r->ci_low ? r->ci_low[at] : NAN);
                bind_num(st, 8, r->ci_high ? r->ci_high[at] : NAN);
                bind_num(st, 9, r->rank ? r->rank[at] : NAN);
                bind_num(st, 10, r->rank_low ? r->rank_low[at] : NAN);
                bind_num(st, 11, r->rank_high ? r->rank_high[at] : NAN);
                int rc = sqlite3_step(st);
                sqlite3_reset(st);
                if (rc != SQLITE_DONE) {
                    store_fail(s, d, rc, "storing results");
                    goto out;
                }
            }
        }
    }
    ok = 1;
out:
    sqlite3_finalize(st);
    return op_end(s, &op, ok, d);
}

int store_run_finish(struct store *s, const char *run_id, const char *status,
                     struct diag *d)
{
    if (!status || (strcmp(status, "running") && strcmp(status, "done") &&
                    strcmp(status, "failed"))) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': run status '%s' is not running, done or failed", s->path,
                 status ? status : "(null)");
        return -1;
    }
    struct store_op op;
    if (op_begin(s, &op, d) != 0)
        return -1;
    int ok = 0;
    sqlite3_stmt *st = store_prepare(s, "UPDATE run SET status = ?2 WHERE id = ?1",
                                     "finishing the run", d);
    if (!st)
        goto out;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    if (store_step_done(s, st, "finishing the run", d) != 0)
        goto out;
    if (sqlite3_changes(s->db) != 1) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': cannot finish run '%s', which was never begun", s->path, run_id);
        goto out;
    }
    ok = 1;
out:
    sqlite3_finalize(st);
    return op_end(s, &op, ok, d);
}

/* ---- history ----------------------------------------------------------- */

static int history_runs(struct store *s, struct store_history *h, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT id, batch, started, status, engine_version, "
                                     "year, seed FROM run ORDER BY started, id",
                                     "reading runs", d);
    if (!st)
        return -1;
    size_t alloc = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&h->run, &alloc, h->nrun + 1, sizeof *h->run) != 0)
            goto nomem;
        struct store_run_row *r = &h->run[h->nrun];
        memset(r, 0, sizeof *r);
        h->nrun++;
        r->id = col_dup(st, 0);
        r->batch = col_dup(st, 1);
        r->started = col_dup(st, 2);
        r->status = col_dup(st, 3);
        r->engine_version = col_dup(st, 4);
        if (!r->id || !r->batch || !r->started || !r->status || !r->engine_version)
            goto nomem;
        r->year = sqlite3_column_int(st, 5);
        r->seed = (unsigned long)(uint64_t)sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading runs");
nomem:
    sqlite3_finalize(st);
    return store_nomem(s, d, "reading runs");
}

static int history_sources(struct store *s, struct store_history *h, struct diag *d)
{
    /* min/max per source come from the (source, year) index, O(log n) each. */
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT s.name, s.sha256, s.loaded, s.rows, "
        "(SELECT min(year) FROM observation o WHERE o.source = s.name), "
        "(SELECT max(year) FROM observation o WHERE o.source = s.name) "
        "FROM source s ORDER BY s.name",
        "reading sources", d);
    if (!st)
        return -1;
    size_t alloc = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&h->source, &alloc, h->nsource + 1, sizeof *h->source) != 0)
            goto nomem;
        struct store_source_row *r = &h->source[h->nsource];
        memset(r, 0, sizeof *r);
        h->nsource++;
        r->name = col_dup(st, 0);
        r->sha256 = col_dup(st, 1);
        r->loaded = col_dup(st, 2);
        if (!r->name || !r->sha256 || !r->loaded)
            goto nomem;
        r->rows = (long)sqlite3_column_int64(st, 3);
        r->first_year = sqlite3_column_int(st, 4);   /* 0 when none remain */
        r->last_year = sqlite3_column_int(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading sources");
nomem:
    sqlite3_finalize(st);
    return store_nomem(s, d, "reading sources");
}

static int history_years(struct store *s, struct store_history *h, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT year, count(*) FROM observation GROUP BY year ORDER BY year",
        "reading years", d);
    if (!st)
        return -1;
    size_t ay = 0, ar = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&h->year, &ay, h->nyear + 1, sizeof *h->year) != 0 ||
            grow((void **)&h->year_rows, &ar, h->nyear + 1, sizeof *h->year_rows) != 0) {
            sqlite3_finalize(st);
            return store_nomem(s, d, "reading years");
        }
        h->year[h->nyear] = sqlite3_column_int(st, 0);
        h->year_rows[h->nyear] = (long)sqlite3_column_int64(st, 1);
        h->nyear++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading years");
}

int store_history_read(struct store *s, struct store_history *h, struct diag *d)
{
    memset(h, 0, sizeof *h);
    /* One read transaction, so the three lists agree with each other. */
    int own = sqlite3_get_autocommit(s->db) != 0;
    if (own && store_exec(s, "BEGIN", "reading the history", d) != 0)
        return -1;
    int ret = history_runs(s, h, d) == 0 && history_sources(s, h, d) == 0 &&
                      history_years(s, h, d) == 0
                  ? 0
                  : -1;
    if (own)
        sqlite3_exec(s->db, ret == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    if (ret != 0)
        store_history_free(h);
    return ret;
}

void store_history_free(struct store_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nrun; i++) {
        free(h->run[i].id);
        free(h->run[i].batch);
        free(h->run[i].started);
        free(h->run[i].status);
        free(h->run[i].engine_version);
    }
    for (size_t i = 0; i < h->nsource; i++) {
        free(h->source[i].name);
        free(h->source[i].sha256);
        free(h->source[i].loaded);
    }
    free(h->run);
    free(h->source);
    free(h->year);
    free(h->year_rows);
    memset(h, 0, sizeof *h);
}
