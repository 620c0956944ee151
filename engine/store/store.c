/* store.c: the SQLite store's file: its schema, opening and closing it,
 * transactions, and the SQL helpers the other store files share
 * (store_int.h lists them). Every year's observations, the runs and their
 * results live in one file an analyst can open with the sqlite3 shell.
 *
 * Schema (version STORE_SCHEMA_VERSION, kept in PRAGMA user_version):
 *
 *   source(name PK, sha256, rows, loaded, sheet)   one row per data file loaded;
 *                                                   sheet: the sheet read from a
 *                                                   workbook, NULL for CSV (a
 *                                                   store made before it had the
 *                                                   column gets it at its first
 *                                                   write: store_source_sheet)
 *   unit(code PK, name)                             every unit ever loaded
 *   unit_attr(code -> unit, attr, value)            PK (code, attr)
 *   observation(unit -> unit, year, indicator, value, se, n, lower, upper,
 *               flag, source -> source, line, loaded)
 *                                                   flag: the text as given,
 *                                                   NULL when none
 *                                                   PK (unit, year, indicator),
 *                                                   index (source, year)
 *   run(id PK, batch, year, started, settings, seed, engine_version,
 *       input_sha256, status)                       index (started, id)
 *   result(run -> run, unit, year, node, level, score, ci_low, ci_high,
 *          rank, rank_low, rank_high, coverage)     PK (run, node, year, unit)
 *
 * Action plans (store_plans.c, its own block: store_plan_schema_sql), made
 * by the first batch with a plan inside its transaction, absent otherwise:
 *
 *   plan_version(id PK, sha256, files, objectives, first_year, stored)
 *   plan_objective(version -> plan_version, seq, unit, node, target, year,
 *                  baseline_year, label, owner, note, source, line)
 *                                                   PK (version, seq)
 *   run_plan(run PK -> run, version -> plan_version)
 *
 * observation, unit_attr and result are WITHOUT ROWID tables: their primary
 * key is the table's only B-tree, so a row insert touches one tree (two for
 * observation, whose (source, year) index serves reloads and `lcme history`).
 * Missing numbers are NULL, never NaN. Times are ISO 8601 UTC text.
 *
 * Versions: 1 kept observation.flag as 0/1 and result had no coverage.
 * A store of version 1 opened for writing is migrated in one transaction
 * (migrate_v1): observation is rebuilt with flag TEXT (0 becomes NULL, 1
 * becomes '1': the letter was not kept) and result gains coverage (NULL for
 * earlier runs). Opened read-only it is read as it is (nothing read-only
 * reads those two columns).
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
 *    commits its own IMMEDIATE transaction (store_op_begin, store_op_end).
 *  - No statement outlives the call that prepared it, so store_close only has
 *    to roll back and close.
 *  - A store opened for writing has passed PRAGMA quick_check: nothing is
 *    written into a damaged file (check_pages says what it costs).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pguri.h"
#include "store_pg_int.h"

#define STORE_SCHEMA_VERSION 2
#define STORE_BUSY_TIMEOUT_MS 5000

/* The observation table's columns, for the schema and the migration. */
#define OBSERVATION_COLUMNS                                   \
    "(\n"                                                     \
    "  unit      TEXT NOT NULL REFERENCES unit(code),\n"      \
    "  year      INTEGER NOT NULL,\n"                         \
    "  indicator TEXT NOT NULL,\n"                            \
    "  value     REAL NOT NULL,\n"                            \
    "  se        REAL,\n"                                     \
    "  n         REAL,\n"                                     \
    "  lower     REAL,\n"                                     \
    "  upper     REAL,\n"                                     \
    "  flag      TEXT,\n"                                     \
    "  source    TEXT NOT NULL REFERENCES source(name),\n"    \
    "  line      INTEGER,\n"                                  \
    "  loaded    TEXT NOT NULL,\n"                            \
    "  PRIMARY KEY (unit, year, indicator)\n"                 \
    ") WITHOUT ROWID;\n"

static const char store_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS source(\n"
    "  name    TEXT PRIMARY KEY,\n"
    "  sha256  TEXT NOT NULL,\n"
    "  rows    INTEGER NOT NULL,\n"
    "  loaded  TEXT NOT NULL,\n"
    "  sheet   TEXT\n"
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
    "CREATE TABLE IF NOT EXISTS observation" OBSERVATION_COLUMNS
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
    "  coverage  REAL,\n"
    "  PRIMARY KEY (run, node, year, unit)\n"
    ") WITHOUT ROWID;\n";

/* Version 1 to 2: observation.flag as text, result.coverage. Runs inside
 * the caller's transaction. */
static const char store_migrate_v1_sql[] =
    "CREATE TABLE observation_v2" OBSERVATION_COLUMNS
    "INSERT INTO observation_v2 SELECT unit, year, indicator, value, se, n, lower, upper,\n"
    "  CASE WHEN flag IS NULL OR flag = 0 THEN NULL ELSE CAST(flag AS TEXT) END,\n"
    "  source, line, loaded FROM observation;\n"
    "DROP TABLE observation;\n"
    "ALTER TABLE observation_v2 RENAME TO observation;\n"
    "CREATE INDEX observation_source ON observation(source, year);\n"
    "ALTER TABLE result ADD COLUMN coverage REAL;\n"
    "PRAGMA user_version = 2;\n";

/* ---- errors ------------------------------------------------------------ */

/* The status and wording depend on the kind of failure: the one thing a
 * user can act on. */
int store_fail(struct store *s, struct diag *d, int rc, const char *what)
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

int store_nomem(struct store *s, struct diag *d, const char *what)
{
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "store '%s': out of memory while %s", s->path,
             what);
    return -1;
}

/* ---- SQL helpers --------------------------------------------------------- */

sqlite3_stmt *store_prepare(struct store *s, const char *sql, const char *what,
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

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what, struct diag *d)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(s, d, rc, what);
    return 0;
}

int store_exec(struct store *s, const char *sql, const char *what, struct diag *d)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : store_fail(s, d, rc, what);
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
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

/* Bring a version 1 store to version 2 (store_migrate_v1_sql) in one
 * IMMEDIATE transaction, rechecking the version inside it in case another
 * process migrated it meanwhile. */
static int migrate_v1(struct store *s, struct diag *d)
{
    if (store_exec(s, "BEGIN IMMEDIATE", "migrating the store to schema 2", d) != 0)
        return -1;
    int version = 0, nobj = 0;
    if (read_version(s, &version, &nobj, d) != 0)
        goto fail;
    if (version == 1 &&
        store_exec(s, store_migrate_v1_sql, "migrating the store to schema 2", d) != 0)
        goto fail;
    if (store_exec(s, "COMMIT", "migrating the store to schema 2", d) != 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* The file at path may be opened: it exists, or may be created (not
 * readonly), and is not a folder. 0, or -1 after reporting. */
static int open_check_path(struct store *s, const char *path, int readonly, struct diag *d)
{
    if (!path || !*path)
        return open_fail(s, d, "no path given");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (readonly || errno != ENOENT)
            return open_fail(s, d, strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        return open_fail(s, d, "it is a folder");
    }
    return 0;
}

/* Open the connection and set it up: busy timeout, foreign keys, cache.
 * 0, or -1 after reporting (s->db may be set and is closed by the caller). */
static int open_connect(struct store *s, const char *path, int readonly, struct diag *d)
{
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        char reason[512];
        int sys = s->db ? sqlite3_system_errno(s->db) : 0;
        const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
        if (sys)
            snprintf(reason, sizeof reason, "%s (%s)", msg, strerror(sys));
        else
            snprintf(reason, sizeof reason, "%s", msg);
        return open_fail(s, d, reason);
    }
    sqlite3_busy_timeout(s->db, busy_timeout_ms());
    /* 64 MiB of page cache (SQLite's default is 2 MiB): 493,416 observations
     * make 38 MiB of table and 14 MiB of (source, year) index, and with the
     * default cache every insert evicts and re-reads pages. Measured with
     * tests/bench/bench_store.c: put_obsset 3.2 s -> 1.6 s, load_cube
     * 0.47 s -> 0.26 s, 687,000 results 2.4 s -> 1.1 s. */
    rc = sqlite3_exec(s->db, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536", NULL,
                      NULL, NULL);
    return rc == SQLITE_OK ? 0 : open_sqlite_fail(s, d, rc);
}

/* PRAGMA quick_check over the whole file before it is written to: a damaged
 * page that no statement of the run would read (another run's results) is
 * found now, not after more data went into a damaged store. It reads every
 * page once: 0.3 s of CPU (0.9 s wall, cold) for a 100 MB store of 468,965
 * observations and one run's results, against 37 s for that run. 0, or -1
 * after reporting. */
static int check_pages(struct store *s, struct diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    int ok = 0;
    char what[160] = "";
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        ok = t && strcmp(t, "ok") == 0;
        static const char head[] = "*** in database main ***\n";
        if (t && strncmp(t, head, sizeof head - 1) == 0)
            t += sizeof head - 1;
        snprintf(what, sizeof what, "%s", t ? t : "");
        for (char *c = what; *c; c++)
            if (*c == '\n')
                *c = ' ';
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return open_sqlite_fail(s, d, rc);
    if (!ok) {
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s' is damaged (%s); nothing was written to it: restore it from a "
                 "backup", s->path, what);
        return -1;
    }
    return 0;
}

/* Check the schema version, creating the schema in an empty file. 0, or -1
 * after reporting. */
static int open_schema(struct store *s, int readonly, struct diag *d)
{
    int version = 0, nobj = 0;
    if (read_version(s, &version, &nobj, d) != 0)
        return -1;
    if (version > STORE_SCHEMA_VERSION) {
        char reason[160];
        snprintf(reason, sizeof reason,
                 "its schema version %d is newer than this lcme's (%d); use a newer lcme",
                 version, STORE_SCHEMA_VERSION);
        return open_fail(s, d, reason);
    }
    if (version == 0 && nobj > 0)
        return open_fail(s, d, "it is an SQLite database but not an lcme store");
    if (version == 0 && readonly)
        return open_fail(s, d, "the file is empty, not an lcme store");
    if (version == 0)
        return create_schema(s, d);
    if (version == 1 && !readonly && migrate_v1(s, d) != 0)
        return -1;
    return readonly ? 0 : check_pages(s, d);
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
    if (pguri_is(path)) {
        char shown[1024];
        s->path = strdup(pguri_scrub(path, shown, sizeof shown));
    } else {
        s->path = strdup(path ? path : "");
    }
    if (!s->path) {
        free(s);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "cannot open store: out of memory");
        return -1;
    }
    if (pguri_is(path)) {
        if (store_pg_open(s, path, readonly, d) != 0) {
            free(s->path);
            free(s);
            return -1;
        }
        *out = s;
        return 0;
    }
    if (open_check_path(s, path, readonly, d) != 0 ||
        open_connect(s, path, readonly, d) != 0 || open_schema(s, readonly, d) != 0) {
        if (s->db)
            sqlite3_close(s->db);
        free(s->path);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int store_source_sheet(struct store *s, int add, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM pragma_table_info('source') "
                                        "WHERE name = 'sheet'", "reading the schema", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading the schema");
    if (!add)
        return 0;
    return store_exec(s, "ALTER TABLE source ADD COLUMN sheet TEXT", "adding source.sheet", d)
               ? -1
               : 1;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    if (s->pg)
        store_pg_close(s);
    if (s->db) {
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(s->db);
    }
    free(s->path);
    free(s);
}

void store_close_discard(struct store *s)
{
    if (!s)
        return;
    if (s->db && !s->readonly) {
        store_rollback(s);
        /* Under an exclusive lock, so no other connection is inside it; a
         * store another run has begun to fill is never empty. */
        sqlite3_busy_timeout(s->db, 0);
        sqlite3_stmt *st = NULL;
        if (sqlite3_exec(s->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK) {
            if (sqlite3_prepare_v2(s->db,
                                   "SELECT (SELECT count(*) FROM source) + "
                                   "(SELECT count(*) FROM run) + (SELECT count(*) FROM unit)",
                                   -1, &st, NULL) == SQLITE_OK &&
                sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0)
                unlink(s->path);
            sqlite3_finalize(st);
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    store_close(s);
}

/* ---- transactions ------------------------------------------------------ */

int store_begin(struct store *s, struct diag *d)
{
    if (s->pg)
        return store_pg_begin(s, d);
    if (!sqlite3_get_autocommit(s->db)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': a transaction is already open", s->path);
        return -1;
    }
    return store_exec(s, "BEGIN IMMEDIATE", "beginning a transaction", d);
}

int store_commit(struct store *s, struct diag *d)
{
    if (s->pg)
        return store_pg_commit(s, d);
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

int store_release_memory(struct store *s, struct diag *d)
{
    if (s->pg)
        return 0;
    int rc = sqlite3_db_cacheflush(s->db);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        return store_fail(s, d, rc, "writing the page cache");
    sqlite3_db_release_memory(s->db);
    return 0;
}

void store_rollback(struct store *s)
{
    if (s && s->pg) {
        store_pg_rollback(s);
        return;
    }
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_op_begin(struct store *s, struct store_op *op, struct diag *d)
{
    op->own = sqlite3_get_autocommit(s->db) != 0;
    if (op->own)
        return store_begin(s, d);
    return store_exec(s, "SAVEPOINT store_op", "beginning a savepoint", d);
}

int store_op_end(struct store *s, struct store_op *op, int ok, struct diag *d)
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
