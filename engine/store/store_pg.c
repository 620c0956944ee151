/* store_pg.c: the PostgreSQL store's database: connecting through libpq,
 * its schema, transactions, errors, and the helpers the other store_pg
 * files share (store_pg_int.h lists them).
 *
 * Schema: the SQLite store's tables and columns (store.c), plus
 * schema_version(version), the one row PRAGMA user_version is in SQLite:
 *
 *   schema_version(version)
 *   source(name PK, sha256, rows, loaded, sheet)
 *   unit(code PK, name)            unit_attr(code -> unit, attr, value)
 *   observation(unit, year, indicator, value, se, n, lower, upper, flag,
 *               source, line, loaded)                   PK (unit, year,
 *               indicator), index (source, year)
 *   run(id PK, batch, year, started, settings, seed, engine_version,
 *       input_sha256, status)                           index (started, id)
 *   result(run, unit, year, node, level, score, ci_low, ci_high, rank,
 *          rank_low, rank_high, coverage)               PK (run, node, year, unit)
 *   plan_version, plan_objective, run_plan              (store_plans.c)
 *   sensitivity_run, _param, _rank, _index, _unit_index (store_sensitivity.c)
 *
 * Where it differs from SQLite, and why:
 *  - Every table, the plan and sensitivity tables too, is made with the
 *    schema. SQLite makes those inside the first batch that needs them; here
 *    that would make every other batch creating them wait for it or fail.
 *    Empty plan tables hold no plan, as absent ones do.
 *  - Text columns are COLLATE "C": they sort and compare bytewise, as
 *    SQLite's BINARY collation does, whatever the database's locale.
 *  - INTEGER is BIGINT (SQLite's integers are 64-bit) and REAL is DOUBLE
 *    PRECISION; numbers travel in binary, so a double comes back with the
 *    bits it went in with.
 *  - observation and result carry no foreign keys. PostgreSQL checks a
 *    foreign key with a trigger per row: with the two of observation,
 *    loading the network-scale batch (468,642 rows) took 19.8 s against
 *    4.7 s without (INSERT ... SELECT, the machine loaded, SQLite's whole
 *    store stage about 3 s), and result's made storing 700,000 results 4x
 *    slower. The references hold by construction instead: a batch writes
 *    its units and sources before its observations, in the same
 *    transaction, and lcme deletes no unit or source; results are written
 *    only for a run whose row the batch holds locked (store_pg_runs.c).
 *  - The schema is made (or checked) under a transaction-scoped advisory
 *    lock, so batches opening an empty database at once make it once.
 *
 * Invariants:
 *  - The connection's URI carries no password (refused before connecting)
 *    and s->path, the only form messages use, is the URI scrubbed.
 *  - libpq's notices never reach the terminal (library code never prints).
 *  - Statements take parameters as text or COPY data in binary; data never
 *    becomes SQL text.
 *  - A write call is atomic as in SQLite: a savepoint inside the caller's
 *    transaction, a transaction of its own outside one (store_pg_op_*).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pguri.h"
#include "store_pg_int.h"

/* The SQLite store's numbering (store.c): a PostgreSQL store begins at 2,
 * the first schema with observation.flag as text and result.coverage. */
#define STORE_PG_SCHEMA_VERSION 2
#define STR2(x) #x
#define STR(x) STR2(x)
/* pg_advisory_xact_lock key of schema creation: "lcme" in ASCII */
#define STORE_PG_SCHEMA_LOCK "1819569509"
#define STORE_PG_COPY_CHUNK (256 * 1024)

static const char store_pg_schema_sql[] =
    "CREATE TABLE schema_version(version BIGINT NOT NULL);\n"
    "CREATE TABLE source(\n"
    "  name    TEXT COLLATE \"C\" PRIMARY KEY,\n"
    "  sha256  TEXT COLLATE \"C\" NOT NULL,\n"
    "  rows    BIGINT NOT NULL,\n"
    "  loaded  TEXT COLLATE \"C\" NOT NULL,\n"
    "  sheet   TEXT COLLATE \"C\"\n"
    ");\n"
    "CREATE TABLE unit(\n"
    "  code TEXT COLLATE \"C\" PRIMARY KEY,\n"
    "  name TEXT COLLATE \"C\" NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE TABLE unit_attr(\n"
    "  code  TEXT COLLATE \"C\" NOT NULL REFERENCES unit(code) ON DELETE CASCADE,\n"
    "  attr  TEXT COLLATE \"C\" NOT NULL,\n"
    "  value TEXT COLLATE \"C\" NOT NULL,\n"
    "  PRIMARY KEY (code, attr)\n"
    ");\n"
    "CREATE TABLE observation(\n"
    "  unit      TEXT COLLATE \"C\" NOT NULL,\n"
    "  year      BIGINT NOT NULL,\n"
    "  indicator TEXT COLLATE \"C\" NOT NULL,\n"
    "  value     DOUBLE PRECISION NOT NULL,\n"
    "  se        DOUBLE PRECISION,\n"
    "  n         DOUBLE PRECISION,\n"
    "  lower     DOUBLE PRECISION,\n"
    "  upper     DOUBLE PRECISION,\n"
    "  flag      TEXT COLLATE \"C\",\n"
    "  source    TEXT COLLATE \"C\" NOT NULL,\n"
    "  line      BIGINT,\n"
    "  loaded    TEXT COLLATE \"C\" NOT NULL,\n"
    "  PRIMARY KEY (unit, year, indicator)\n"
    ");\n"
    "CREATE INDEX observation_source ON observation(source, year);\n"
    "CREATE TABLE run(\n"
    "  id             TEXT COLLATE \"C\" PRIMARY KEY,\n"
    "  batch          TEXT COLLATE \"C\" NOT NULL,\n"
    "  year           BIGINT NOT NULL,\n"
    "  started        TEXT COLLATE \"C\" NOT NULL,\n"
    "  settings       TEXT COLLATE \"C\",\n"
    "  seed           BIGINT NOT NULL,\n"
    "  engine_version TEXT COLLATE \"C\" NOT NULL,\n"
    "  input_sha256   TEXT COLLATE \"C\",\n"
    "  status         TEXT COLLATE \"C\" NOT NULL\n"
    "                 CHECK (status IN ('running', 'done', 'failed'))\n"
    ");\n"
    "CREATE INDEX run_started ON run(started, id);\n"
    "CREATE TABLE result(\n"
    "  run       TEXT COLLATE \"C\" NOT NULL,\n"
    "  unit      TEXT COLLATE \"C\" NOT NULL,\n"
    "  year      BIGINT NOT NULL,\n"
    "  node      TEXT COLLATE \"C\" NOT NULL,\n"
    "  level     BIGINT NOT NULL,\n"
    "  score     DOUBLE PRECISION NOT NULL,\n"
    "  ci_low    DOUBLE PRECISION,\n"
    "  ci_high   DOUBLE PRECISION,\n"
    "  rank      DOUBLE PRECISION,\n"
    "  rank_low  DOUBLE PRECISION,\n"
    "  rank_high DOUBLE PRECISION,\n"
    "  coverage  DOUBLE PRECISION,\n"
    "  PRIMARY KEY (run, node, year, unit)\n"
    ");\n";

/* The plan and sensitivity tables (store_plans.c, store_sensitivity.c). */
static const char store_pg_block_schema_sql[] =
    "CREATE TABLE plan_version(\n"
    "  id          TEXT COLLATE \"C\" PRIMARY KEY,\n"
    "  sha256      TEXT COLLATE \"C\" NOT NULL,\n"
    "  files       TEXT COLLATE \"C\" NOT NULL,\n"
    "  objectives  BIGINT NOT NULL,\n"
    "  first_year  BIGINT NOT NULL,\n"
    "  stored      TEXT COLLATE \"C\" NOT NULL\n"
    ");\n"
    "CREATE TABLE plan_objective(\n"
    "  version       TEXT COLLATE \"C\" NOT NULL\n"
    "                REFERENCES plan_version(id) ON DELETE CASCADE,\n"
    "  seq           BIGINT NOT NULL,\n"
    "  unit          TEXT COLLATE \"C\" NOT NULL,\n"
    "  node          TEXT COLLATE \"C\" NOT NULL,\n"
    "  target        DOUBLE PRECISION NOT NULL,\n"
    "  year          BIGINT NOT NULL,\n"
    "  baseline_year BIGINT,\n"
    "  label         TEXT COLLATE \"C\" NOT NULL,\n"
    "  owner         TEXT COLLATE \"C\" NOT NULL,\n"
    "  note          TEXT COLLATE \"C\" NOT NULL,\n"
    "  source        TEXT COLLATE \"C\" NOT NULL,\n"
    "  line          BIGINT NOT NULL,\n"
    "  PRIMARY KEY (version, seq)\n"
    ");\n"
    "CREATE TABLE run_plan(\n"
    "  run     TEXT COLLATE \"C\" PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,\n"
    "  version TEXT COLLATE \"C\" NOT NULL REFERENCES plan_version(id)\n"
    ");\n"
    "CREATE TABLE sensitivity_run(\n"
    "  run    TEXT COLLATE \"C\" NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  seq    BIGINT NOT NULL,\n"
    "  block  TEXT COLLATE \"C\" NOT NULL,\n"
    "  varied TEXT COLLATE \"C\",\n"
    "  row    BIGINT NOT NULL,\n"
    "  mean_abs_rank_shift DOUBLE PRECISION,\n"
    "  status TEXT COLLATE \"C\" NOT NULL,\n"
    "  PRIMARY KEY (run, seq)\n"
    ");\n"
    "CREATE TABLE sensitivity_param(\n"
    "  run        TEXT COLLATE \"C\" NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  seq        BIGINT NOT NULL,\n"
    "  assumption TEXT COLLATE \"C\" NOT NULL,\n"
    "  value      TEXT COLLATE \"C\" NOT NULL,\n"
    "  PRIMARY KEY (run, seq, assumption)\n"
    ");\n"
    "CREATE TABLE sensitivity_rank(\n"
    "  run  TEXT COLLATE \"C\" NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  unit TEXT COLLATE \"C\" NOT NULL,\n"
    "  node TEXT COLLATE \"C\" NOT NULL,\n"
    "  year BIGINT NOT NULL,\n"
    "  nominal_rank DOUBLE PRECISION, mean_rank DOUBLE PRECISION,\n"
    "  median_rank DOUBLE PRECISION, rank_q05 DOUBLE PRECISION, rank_q95 DOUBLE PRECISION,\n"
    "  PRIMARY KEY (run, unit)\n"
    ");\n"
    "CREATE TABLE sensitivity_index(\n"
    "  run        TEXT COLLATE \"C\" NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  assumption TEXT COLLATE \"C\" NOT NULL,\n"
    "  si DOUBLE PRECISION, si_low DOUBLE PRECISION, si_high DOUBLE PRECISION,\n"
    "  sti DOUBLE PRECISION, sti_low DOUBLE PRECISION, sti_high DOUBLE PRECISION,\n"
    "  PRIMARY KEY (run, assumption)\n"
    ");\n"
    "CREATE TABLE sensitivity_unit_index(\n"
    "  run        TEXT COLLATE \"C\" NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  unit       TEXT COLLATE \"C\" NOT NULL,\n"
    "  assumption TEXT COLLATE \"C\" NOT NULL,\n"
    "  si DOUBLE PRECISION, sti DOUBLE PRECISION,\n"
    "  PRIMARY KEY (run, unit, assumption)\n"
    ");\n";

/* ---- errors ------------------------------------------------------------ */

/* The server's message (or the connection's) on one line, into buf. */
static const char *pg_message(const struct store *s, const PGresult *r, char *buf,
                              size_t len)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m || !*m)
        m = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r)
                                          : PQerrorMessage(s->pg->conn);
    size_t k = 0;
    for (const char *p = m; *p && k + 1 < len; p++) {
        unsigned char c = (unsigned char)*p;
        int space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
        if (space && (k == 0 || buf[k - 1] == ' '))
            continue;   /* libpq's line breaks and indents: one space */
        buf[k++] = space ? ' ' : (c < 0x20 || c == 0x7f ? '?' : (char)c);
    }
    while (k > 0 && buf[k - 1] == ' ')
        k--;
    buf[k] = '\0';
    return buf;
}

/* The connection is gone (the server stopped, the network failed). */
static int pg_lost(const struct store *s, const char *state)
{
    return PQstatus(s->pg->conn) == CONNECTION_BAD ||
           (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0));
}

int store_pg_fail(struct store *s, const PGresult *r, const char *what, struct diag *d)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    char msg[512];
    pg_message(s, r, msg, sizeof msg);
    const char *path = s->path;
    if (pg_lost(s, st))
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s': the connection to the server was lost while %s (%s); nothing "
                 "of this batch was committed", path, what, msg);
    else if (st && (!strcmp(st, "40P01") || !strcmp(st, "40001")))
        diag_add(d, LCME_EBUSY, NULL, 0, 0,
                 "store '%s': another batch was writing the same rows while %s and one of "
                 "the two had to give way; run this batch again", path, what);
    else if (st && !strcmp(st, "55P03"))
        diag_add(d, LCME_EBUSY, NULL, 0, 0,
                 "store '%s' is busy (another batch holds the rows this one writes); try "
                 "again later", path);
    else if (st && !strcmp(st, "53100"))
        diag_add(d, LCME_EIO, NULL, 0, 0,
                 "store '%s': the server's disk is full (while %s); free some space and try "
                 "again", path, what);
    else if (st && !strcmp(st, "25006"))
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s' is read-only (while %s): the server or the database accepts "
                 "no writes", path, what);
    else if (st && !strcmp(st, "42501"))
        diag_add(d, LCME_ESTORE, NULL, 0, 0,
                 "store '%s': permission denied while %s (%s): the database role needs the "
                 "rights to read and write the store's tables", path, what, msg);
    else if (st && (!strcmp(st, "XX001") || !strcmp(st, "XX002")))
        diag_add(d, LCME_ESTORE, NULL, 0, 0, "store '%s' is damaged (while %s): %s", path,
                 what, msg);
    else if (st && !strcmp(st, "53200"))
        diag_add(d, LCME_ESTORE, NULL, 0, 0, "store '%s': the server ran out of memory "
                 "while %s", path, what);
    else
        diag_add(d, LCME_ESTORE, NULL, 0, 0, "store '%s': %s failed: %s", path, what, msg);
    return -1;
}

/* ---- statements ---------------------------------------------------------- */

PGresult *store_pg_query(struct store *s, const char *sql, int n, const char *const *v,
                         const char *what, struct diag *d)
{
    PGresult *r = PQexecParams(s->pg->conn, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    store_pg_fail(s, r, what, d);
    PQclear(r);
    return NULL;
}

int store_pg_run(struct store *s, const char *sql, int n, const char *const *v,
                 long long *changed, const char *what, struct diag *d)
{
    PGresult *r = store_pg_query(s, sql, n, v, what, d);
    if (!r)
        return -1;
    if (changed) {
        const char *t = PQcmdTuples(r);
        *changed = *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return 0;
}

int store_pg_exec(struct store *s, const char *sql, const char *what, struct diag *d)
{
    PGresult *r = PQexec(s->pg->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        store_pg_fail(s, r, what, d);
    PQclear(r);
    return ok ? 0 : -1;
}

int store_pg_now(struct store *s, char buf[32], struct diag *d)
{
    PGresult *r = store_pg_query(
        s,
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        0, NULL, "reading the clock", d);
    if (!r)
        return -1;
    snprintf(buf, 32, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return 0;
}

const char *store_pg_int_text(long long v, char buf[24])
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

/* ---- COPY in -------------------------------------------------------------- */

static void copy_bytes(struct store_pg_copy *c, const void *p, size_t n)
{
    if (c->err)
        return;
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : STORE_PG_COPY_CHUNK + 4096;
        while (cap < c->len + n)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b) {
            c->err = c->nomem = 1;
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
}

static void copy_be(struct store_pg_copy *c, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    copy_bytes(c, b, (size_t)bytes);
}

/* Send what is buffered. */
static void copy_flush(struct store_pg_copy *c)
{
    if (c->err || c->len == 0)
        return;
    if (PQputCopyData(c->s->pg->conn, c->buf, (int)c->len) != 1)
        c->err = 1;
    c->len = 0;
}

/* Run the COPY statement sql, which must leave the connection in the
 * state want (PGRES_COPY_IN or PGRES_COPY_OUT). 0, or -1 in d. */
static int copy_start(struct store *s, const char *sql, ExecStatusType want, const char *what,
                      struct diag *d)
{
    PGresult *r = PQexec(s->pg->conn, sql);
    if (PQresultStatus(r) != want) {
        store_pg_fail(s, r, what, d);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

int store_pg_copy_begin(struct store *s, struct store_pg_copy *c, const char *sql,
                        const char *what, struct diag *d)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->what = what;
    if (copy_start(s, sql, PGRES_COPY_IN, what, d) != 0)
        return -1;
    static const char sig[] = "PGCOPY\n\377\r\n";   /* with its NUL: 11 bytes */
    copy_bytes(c, sig, 11);
    copy_be(c, 0, 4);   /* flags */
    copy_be(c, 0, 4);   /* header extension length */
    return 0;
}

void store_pg_copy_row(struct store_pg_copy *c, int nfield)
{
    if (c->len >= STORE_PG_COPY_CHUNK)
        copy_flush(c);
    copy_be(c, (uint64_t)(uint16_t)nfield, 2);
}

void store_pg_copy_null(struct store_pg_copy *c)
{
    copy_be(c, 0xffffffffu, 4);
}

void store_pg_copy_text(struct store_pg_copy *c, const char *t)
{
    if (!t) {
        store_pg_copy_null(c);
        return;
    }
    size_t n = strlen(t);
    copy_be(c, (uint64_t)n, 4);
    copy_bytes(c, t, n);
}

void store_pg_copy_int(struct store_pg_copy *c, long long v)
{
    copy_be(c, 8, 4);
    copy_be(c, (uint64_t)v, 8);
}

void store_pg_copy_num(struct store_pg_copy *c, double x)
{
    if (isnan(x)) {
        store_pg_copy_null(c);
        return;
    }
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    copy_be(c, 8, 4);
    copy_be(c, bits, 8);
}

int store_pg_copy_end(struct store_pg_copy *c, struct diag *d)
{
    PGconn *conn = c->s->pg->conn;
    copy_be(c, 0xffff, 2);   /* trailer */
    copy_flush(c);
    int sent = PQputCopyEnd(conn, c->err ? "lcme: the COPY was abandoned" : NULL) == 1;
    free(c->buf);
    c->buf = NULL;
    int ret = 0;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && ret == 0 && !c->nomem) {
            const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (c->conflict_ok && st && (!strcmp(st, "23505") || !strcmp(st, "40P01")))
                ret = -2;
            else
                ret = store_pg_fail(c->s, r, c->what, d);
        }
        PQclear(r);
    }
    if (c->nomem)
        return store_nomem(c->s, d, c->what);
    if (ret == 0 && (c->err || !sent))
        ret = store_pg_fail(c->s, NULL, c->what, d);
    return ret;
}

/* ---- COPY out ------------------------------------------------------------ */

int store_pg_rows_open(struct store *s, struct store_pg_rows *r, const char *sql,
                       const char *what, struct diag *d)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->what = what;
    return copy_start(s, sql, PGRES_COPY_OUT, what, d);
}

static uint64_t be_read(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

/* Parse the row in r->msg (n bytes): fields, each NUL-terminated in place
 * (libpq's buffer has a NUL past its end). 1 row, 0 trailer, -1 damaged. */
static int rows_parse(struct store_pg_rows *r, int n)
{
    unsigned char *p = (unsigned char *)r->msg, *end = p + n;
    if (!r->header) {
        if (n < 19 || memcmp(p, "PGCOPY\n\377\r\n", 11) != 0)
            return -1;
        uint64_t ext = be_read(p + 15, 4);
        if (ext > (uint64_t)(n - 19))
            return -1;
        p += 19 + ext;
        r->header = 1;
    }
    if (end - p < 2)
        return -1;
    int nf = (int16_t)be_read(p, 2);
    p += 2;
    if (nf == -1)
        return 0;
    if (nf < 0 || nf > STORE_PG_MAX_FIELDS)
        return -1;
    unsigned char *term[STORE_PG_MAX_FIELDS];
    for (int i = 0; i < nf; i++) {
        if (end - p < 4)
            return -1;
        int32_t len = (int32_t)be_read(p, 4);
        p += 4;
        term[i] = NULL;
        if (len < 0) {
            r->field[i] = NULL;
            r->len[i] = -1;
            continue;
        }
        if (end - p < len)
            return -1;
        r->field[i] = (const char *)p;
        r->len[i] = len;
        p += len;
        term[i] = p;
    }
    /* terminate after every length was read: a field's NUL lands on the
     * next field's length */
    for (int i = 0; i < nf; i++)
        if (term[i])
            *term[i] = '\0';
    r->nfield = nf;
    return 1;
}

int store_pg_rows_next(struct store_pg_rows *r, struct diag *d)
{
    PGconn *conn = r->s->pg->conn;
    if (r->msg) {
        PQfreemem(r->msg);
        r->msg = NULL;
    }
    int n = PQgetCopyData(conn, &r->msg, 0);
    if (n > 0) {
        int k = rows_parse(r, n);
        if (k == 1)
            return 1;
        if (k < 0) {
            store_pg_rows_close(r);
            diag_add(d, LCME_ESTORE, NULL, 0, 0,
                     "store '%s': %s: the server sent a row this lcme cannot read",
                     r->s->path, r->what);
            return -1;
        }
        PQfreemem(r->msg);
        r->msg = NULL;
        n = PQgetCopyData(conn, &r->msg, 0);   /* the end, after the trailer */
    }
    if (n == -2 || n > 0) {
        store_pg_rows_close(r);
        return store_pg_fail(r->s, NULL, r->what, d);
    }
    int ret = 0;
    PGresult *res;
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0)
            ret = store_pg_fail(r->s, res, r->what, d);
        PQclear(res);
    }
    return ret;
}

void store_pg_rows_close(struct store_pg_rows *r)
{
    if (r->msg) {
        PQfreemem(r->msg);
        r->msg = NULL;
    }
    PGconn *conn = r->s->pg->conn;
    if (PQisBusy(conn) || PQtransactionStatus(conn) == PQTRANS_ACTIVE) {
        /* drain the rest of the COPY: the connection stays usable */
        char *m = NULL;
        while (PQgetCopyData(conn, &m, 0) > 0) {
            PQfreemem(m);
            m = NULL;
        }
        PGresult *res;
        while ((res = PQgetResult(conn)) != NULL)
            PQclear(res);
    }
}

double store_pg_rows_num(const struct store_pg_rows *r, int i)
{
    if (i >= r->nfield || !r->field[i] || r->len[i] != 8)
        return NAN;
    uint64_t bits = be_read((const unsigned char *)r->field[i], 8);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

long long store_pg_rows_int(const struct store_pg_rows *r, int i)
{
    if (i >= r->nfield || !r->field[i])
        return 0;
    if (r->len[i] == 8)
        return (long long)(int64_t)be_read((const unsigned char *)r->field[i], 8);
    if (r->len[i] == 4)
        return (long long)(int32_t)be_read((const unsigned char *)r->field[i], 4);
    return 0;
}

/* ---- open / close -------------------------------------------------------- */

static int open_fail(struct store *s, struct diag *d, const char *reason)
{
    diag_add(d, LCME_ESTORE, NULL, 0, 0, "cannot open store '%s': %s", s->path, reason);
    return -1;
}

static void pg_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Lock waits: none by default (a batch waits for the batches writing the
 * same rows to finish); LCME_BUSY_TIMEOUT_MS, when it is a whole number of
 * milliseconds, limits them as it limits SQLite's busy wait. */
static int set_lock_timeout(struct store *s, struct diag *d)
{
    const char *e = getenv("LCME_BUSY_TIMEOUT_MS");
    if (!e || !*e)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(e, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX)
        return 0;
    char buf[24];
    const char *p[1] = {store_pg_int_text(v, buf)};
    return store_pg_run(s, "SELECT set_config('lock_timeout', $1, false)", 1, p, NULL,
                        "setting the lock timeout", d);
}

/* Connect: the URI first, then what lcme needs of the session, which the
 * URI cannot change (client_encoding). 0, or -1 after reporting. */
static int pg_connect(struct store *s, const char *uri, int readonly, struct diag *d)
{
    static const char *const keys[] = {"connect_timeout", "fallback_application_name",
                                       "dbname", "client_encoding", NULL};
    const char *vals[] = {"10", "lcme", uri, "UTF8", NULL};
    s->pg->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->pg->conn)
        return open_fail(s, d, "out of memory");
    if (PQstatus(s->pg->conn) != CONNECTION_OK) {
        char msg[512], reason[700];
        pg_message(s, NULL, msg, sizeof msg);
        if (PQconnectionNeedsPassword(s->pg->conn))
            snprintf(reason, sizeof reason,
                     "the server asks for a password (%s): give it in PGPASSWORD or "
                     "~/.pgpass", msg);
        else
            snprintf(reason, sizeof reason, "cannot connect to the server: %s", msg);
        return open_fail(s, d, reason);
    }
    PQsetNoticeProcessor(s->pg->conn, pg_notice_ignore, NULL);
    if (PQserverVersion(s->pg->conn) < 90500)
        return open_fail(s, d, "the server is older than PostgreSQL 9.5");
    const char *enc = PQparameterStatus(s->pg->conn, "server_encoding");
    if (!enc || (strcmp(enc, "UTF8") != 0 && strcmp(enc, "SQL_ASCII") != 0)) {
        char reason[160];
        snprintf(reason, sizeof reason,
                 "the database's encoding is %s; an lcme store needs UTF8", enc ? enc : "?");
        return open_fail(s, d, reason);
    }
    if (readonly && store_pg_exec(s, "SET default_transaction_read_only = on",
                            "opening the store read-only", d) != 0)
        return -1;
    return set_lock_timeout(s, d);
}

/* In a transaction holding the schema lock: the schema's version (0 when
 * the database has no lcme store) and whether the schema holds other
 * tables. 0, or -1 after reporting. */
static int read_version(struct store *s, long long *version, int *other, struct diag *d)
{
    PGresult *r = store_pg_query(
        s,
        "SELECT to_regclass('schema_version') IS NOT NULL, "
        "(SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())",
        0, NULL, "reading the schema", d);
    if (!r)
        return -1;
    int has = PQgetvalue(r, 0, 0)[0] == 't';
    *other = !has && strtoll(PQgetvalue(r, 0, 1), NULL, 10) > 0;
    PQclear(r);
    *version = 0;
    if (!has)
        return 0;
    r = store_pg_query(s, "SELECT max(version) FROM schema_version", 0, NULL,
                       "reading the schema", d);
    if (!r)
        return -1;
    *version = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

/* Check the schema, creating it in a database without one (not read-only),
 * in one transaction under the schema lock. 0, or -1 after reporting. */
static int open_schema(struct store *s, int readonly, struct diag *d)
{
    const char *what = "checking the schema";
    if (store_pg_exec(s, "BEGIN", what, d) != 0)
        return -1;
    long long version = 0;
    int other = 0, ret = -1;
    char reason[200];
    if ((!readonly && store_pg_exec(s, "SELECT pg_advisory_xact_lock(" STORE_PG_SCHEMA_LOCK ")",
                              what, d) != 0) ||
        read_version(s, &version, &other, d) != 0)
        goto out;
    if (version > STORE_PG_SCHEMA_VERSION) {
        snprintf(reason, sizeof reason,
                 "its schema version %lld is newer than this lcme's (%d); use a newer lcme",
                 version, STORE_PG_SCHEMA_VERSION);
        open_fail(s, d, reason);
    } else if (version == 0 && other) {
        open_fail(s, d, "the database's schema holds tables but no lcme store; name an "
                        "empty database or schema");
    } else if (version == 0 && readonly) {
        open_fail(s, d, "the database holds no lcme store");
    } else if (version == 0) {
        int ok = store_pg_exec(s, store_pg_schema_sql, "creating the schema", d) == 0 &&
                 store_pg_exec(s, store_pg_block_schema_sql, "creating the schema", d) == 0 &&
                 store_pg_exec(s,
                               "INSERT INTO schema_version VALUES ("
                               STR(STORE_PG_SCHEMA_VERSION) ")",
                               "creating the schema", d) == 0;
        ret = ok ? 0 : -1;
    } else {
        ret = 0;
    }
out:
    if (ret == 0)
        return store_pg_exec(s, "COMMIT", what, d);
    store_pg_rollback(s);
    return -1;
}

int store_pg_open(struct store *s, const char *uri, int readonly, struct diag *d)
{
    if (pguri_has_password(uri)) {
        diag_add(d, LCME_EUSAGE, NULL, 0, 0,
                 "store '%s': the connection URI gives a password; give it in PGPASSWORD "
                 "or ~/.pgpass instead", s->path);
        return -1;
    }
    s->pg = calloc(1, sizeof *s->pg);
    if (!s->pg)
        return store_nomem(s, d, "opening the store");
    if (pg_connect(s, uri, readonly, d) != 0 || open_schema(s, readonly, d) != 0) {
        PQfinish(s->pg->conn);
        free(s->pg);
        s->pg = NULL;
        return -1;
    }
    return 0;
}

void store_pg_close(struct store *s)
{
    store_pg_rollback(s);
    PQfinish(s->pg->conn);
    free(s->pg);
    s->pg = NULL;
}

/* ---- transactions -------------------------------------------------------- */

int store_pg_in_tx(struct store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(s->pg->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

int store_pg_begin(struct store *s, struct diag *d)
{
    if (store_pg_in_tx(s)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': a transaction is already open", s->path);
        return -1;
    }
    return store_pg_exec(s, "BEGIN ISOLATION LEVEL READ COMMITTED", "beginning a transaction", d);
}

/* Whether the connection still stands, read without sending anything: what
 * the server sent while the session was idle (a shutdown's last message,
 * then the end of the stream) is taken in first. */
static int pg_alive(struct store *s)
{
    struct pollfd p = {.fd = PQsocket(s->pg->conn), .events = POLLIN};
    for (int i = 0; i < 8 && p.fd >= 0 && poll(&p, 1, 0) > 0; i++)
        if (!PQconsumeInput(s->pg->conn))
            break;
    return p.fd >= 0 && PQstatus(s->pg->conn) == CONNECTION_OK;
}

int store_pg_commit(struct store *s, struct diag *d)
{
    PGTransactionStatusType t = PQtransactionStatus(s->pg->conn);
    if (t == PQTRANS_IDLE) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': no transaction is open to commit", s->path);
        return -1;
    }
    if (t == PQTRANS_INERROR) {
        store_pg_rollback(s);
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': the transaction failed earlier and was rolled back", s->path);
        return -1;
    }
    /* A session the server ended while the batch computed (a shutdown)
     * shows here, before COMMIT is sent: then nothing was committed. */
    if (!pg_alive(s)) {
        store_pg_fail(s, NULL, "committing", d);
        store_pg_rollback(s);
        return -1;
    }
    PGresult *r = PQexec(s->pg->conn, "COMMIT");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    /* the server's own shutdown or crash (SQLSTATE class 57P) ends the
       session before the commit record is written */
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!ok) {
        if (PQstatus(s->pg->conn) == CONNECTION_BAD && !(st && strncmp(st, "57P", 3) == 0))
            diag_add(d, LCME_ESTORE, NULL, 0, 0,
                     "store '%s': the connection to the server was lost while committing; "
                     "the server may or may not have kept this batch (lcme history shows "
                     "whether its run is there)", s->path);
        else
            store_pg_fail(s, r, "committing", d);
    }
    PQclear(r);
    if (!ok)
        store_pg_rollback(s);
    return ok ? 0 : -1;
}

void store_pg_rollback(struct store *s)
{
    if (s && s->pg && s->pg->conn && PQstatus(s->pg->conn) == CONNECTION_OK &&
        store_pg_in_tx(s))
        PQclear(PQexec(s->pg->conn, "ROLLBACK"));
}

int store_pg_op_begin(struct store *s, struct store_op *op, struct diag *d)
{
    op->own = !store_pg_in_tx(s);
    if (op->own)
        return store_pg_begin(s, d);
    return store_pg_exec(s, "SAVEPOINT store_op", "beginning a savepoint", d);
}

int store_pg_op_end(struct store *s, struct store_op *op, int ok, struct diag *d)
{
    if (op->own) {
        if (ok)
            return store_pg_commit(s, d);
        store_pg_rollback(s);
        return -1;
    }
    if (ok)
        return store_pg_exec(s, "RELEASE store_op", "releasing a savepoint", d);
    if (PQstatus(s->pg->conn) == CONNECTION_OK && store_pg_in_tx(s)) {
        PQclear(PQexec(s->pg->conn, "ROLLBACK TO store_op"));
        PQclear(PQexec(s->pg->conn, "RELEASE store_op"));
    }
    return -1;
}
