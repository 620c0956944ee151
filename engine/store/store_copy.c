/* store_copy.c: `lcme store copy FROM TO`: every table of one store into
 * another, SQLite or PostgreSQL on either side (store.h).
 *
 * store_tables[] is the one list of what a store holds, in the order rows
 * are written (a table before the tables that refer to it), with each
 * column's kind. A backend reads a table as rows of store_values and writes
 * them back: SQLite with SELECT and a prepared INSERT (here), PostgreSQL
 * with COPY in binary (store_pg_tables.c). A column an older SQLite store
 * lacks (source.sheet) reads as NULL; a table it lacks (the plan tables)
 * reads as empty, and a SQLite store copied into gets the plan tables only
 * when there is a plan to put in them, as a batch would make them.
 *
 * Invariants: from is read in one read transaction and to written in one
 * transaction, so the copy is the store at one moment, all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "store_pg_int.h"

static const struct store_table store_tables[STORE_COPY_NTABLE] = {
    {"source", "name, sha256, rows, loaded, sheet", "TTITT", "name"},
    {"unit", "code, name", "TT", "code"},
    {"unit_attr", "code, attr, value", "TTT", "code, attr"},
    {"observation",
     "unit, year, indicator, value, se, n, lower, upper, flag, source, line, loaded",
     "TITRRRRRITIT", "unit, year, indicator"},
    {"run", "id, batch, year, started, settings, seed, engine_version, input_sha256, status",
     "TTITTITTT", "id"},
    {"result",
     "run, unit, year, node, level, score, ci_low, ci_high, rank, rank_low, rank_high",
     "TTITIRRRRRR", "run, node, year, unit"},
    {"plan_version", "id, sha256, files, objectives, first_year, stored", "TTTIIT", "id"},
    {"plan_objective",
     "version, seq, unit, node, target, year, baseline_year, label, owner, note, source, "
     "line",
     "TITTRIITTTTI", "version, seq"},
    {"run_plan", "run, version", "TT", "run"},
};

/* The tables that must be empty in the store copied into. */
static const char *const must_be_empty[] = {"source", "unit", "run", "plan_version"};

/* ---- SQLite -------------------------------------------------------------- */

/* 1 when the SQLite store has table t, 0 when not, -1 after reporting. */
static int sqlite_has_table(struct store *s, const char *t, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
        "reading the schema", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading the schema");
    return rc == SQLITE_ROW;
}

/* t's column list for a SELECT, a column the table lacks read as NULL. */
static int sqlite_select_cols(struct store *s, const struct store_table *t, char *out,
                              size_t len, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
                                     "reading the schema", d);
    if (!st)
        return -1;
    size_t k = 0;
    out[0] = '\0';
    const char *c = t->cols;
    while (*c) {
        size_t n = strcspn(c, ",");
        char col[64];
        snprintf(col, sizeof col, "%.*s", (int)n, c);
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return store_fail(s, d, rc, "reading the schema");
        }
        k += (size_t)snprintf(out + k, len - k, "%s%s", k ? ", " : "",
                              rc == SQLITE_ROW ? col : "NULL");
        c += n;
        while (*c == ',' || *c == ' ')
            c++;
    }
    sqlite3_finalize(st);
    return 0;
}

static int sqlite_read(struct store *s, const struct store_table *t, store_row_fn *fn,
                       void *ctx, struct diag *d)
{
    int has = sqlite_has_table(s, t->name, d);
    if (has <= 0)
        return has;
    char cols[512], sql[768], what[64];
    if (sqlite_select_cols(s, t, cols, sizeof cols, d) != 0)
        return -1;
    snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s", cols, t->name, t->order);
    snprintf(what, sizeof what, "reading %s", t->name);
    sqlite3_stmt *st = store_prepare(s, sql, what, d);
    if (!st)
        return -1;
    int ncol = (int)strlen(t->kinds), rc;
    struct store_value v[STORE_MAX_COLS];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol; i++) {
            memset(&v[i], 0, sizeof v[i]);
            v[i].null = sqlite3_column_type(st, i) == SQLITE_NULL;
            if (t->kinds[i] == 'T')
                v[i].t = (const char *)sqlite3_column_text(st, i);
            else if (t->kinds[i] == 'I')
                v[i].i = sqlite3_column_int64(st, i);
            else
                v[i].r = sqlite3_column_double(st, i);
        }
        if (fn(ctx, v, d) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, what);
}

static int sqlite_rows(struct store *s, const struct store_table *t, long long *n,
                       struct diag *d)
{
    *n = 0;
    int has = sqlite_has_table(s, t->name, d);
    if (has <= 0)
        return has;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
    sqlite3_stmt *st = store_prepare(s, sql, "counting rows", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_fail(s, d, rc, "counting rows");
}

/* ---- the copy ------------------------------------------------------------ */

/* The table being written: a prepared INSERT (SQLite) or a COPY (PostgreSQL). */
struct sink {
    struct store *to;
    const struct store_table *t;
    sqlite3_stmt *st;
    struct store_pg_copy copy;
    long long rows;
};

static int sink_row(void *ctx, const struct store_value *v, struct diag *d)
{
    struct sink *k = ctx;
    k->rows++;
    if (k->to->pg) {
        store_pg_table_put(&k->copy, k->t, v);
        return 0;
    }
    for (int i = 0; k->t->kinds[i]; i++) {
        if (v[i].null)
            sqlite3_bind_null(k->st, i + 1);
        else if (k->t->kinds[i] == 'T')
            sqlite3_bind_text(k->st, i + 1, v[i].t, -1, SQLITE_TRANSIENT);
        else if (k->t->kinds[i] == 'I')
            sqlite3_bind_int64(k->st, i + 1, v[i].i);
        else
            sqlite3_bind_double(k->st, i + 1, v[i].r);
    }
    return store_step_done(k->to, k->st, k->t->name, d);
}

static int sink_begin(struct sink *k, struct diag *d)
{
    if (k->to->pg)
        return store_pg_table_begin(k->to, &k->copy, k->t, d);
    char sql[640], *p = sql;
    p += snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES (", k->t->name, k->t->cols);
    for (int i = 0; k->t->kinds[i]; i++)
        p += snprintf(p, sizeof sql - (size_t)(p - sql), "%s?%d", i ? ", " : "", i + 1);
    snprintf(p, sizeof sql - (size_t)(p - sql), ")");
    k->st = store_prepare(k->to, sql, k->t->name, d);
    return k->st ? 0 : -1;
}

/* Finish the table; ok=0 abandons it. 0, or -1 after reporting. */
static int sink_end(struct sink *k, int ok, struct diag *d)
{
    if (k->to->pg && ok)
        return store_pg_copy_end(&k->copy, d);
    if (k->to->pg) {
        struct diag quiet;   /* the abandoned COPY's own error says nothing new */
        diag_init(&quiet);
        k->copy.err = 1;
        store_pg_copy_end(&k->copy, &quiet);
        diag_free(&quiet);
        return -1;
    }
    sqlite3_finalize(k->st);
    return ok ? 0 : -1;
}

static int table_read(struct store *s, const struct store_table *t, store_row_fn *fn,
                      void *ctx, struct diag *d)
{
    return s->pg ? store_pg_table_read(s, t, fn, ctx, d) : sqlite_read(s, t, fn, ctx, d);
}

static int table_rows(struct store *s, const struct store_table *t, long long *n,
                      struct diag *d)
{
    return s->pg ? store_pg_table_rows(s, t, n, d) : sqlite_rows(s, t, n, d);
}

/* The SQLite store copied into gets source.sheet and, when from holds a
 * plan, the plan tables. */
static int prepare_to(struct store *from, struct store *to, struct diag *d)
{
    if (to->pg)
        return 0;
    long long plans = 0;
    if (store_source_sheet(to, 1, d) < 0 || table_rows(from, &store_tables[6], &plans, d) != 0)
        return -1;
    return plans > 0 ? store_plan_tables(to, d) : 0;
}

/* to holds nothing yet. */
static int check_empty(struct store *to, struct diag *d)
{
    for (size_t i = 0; i < sizeof must_be_empty / sizeof *must_be_empty; i++)
        for (int k = 0; k < STORE_COPY_NTABLE; k++) {
            if (strcmp(store_tables[k].name, must_be_empty[i]) != 0)
                continue;
            long long n = 0;
            if (table_rows(to, &store_tables[k], &n, d) != 0)
                return -1;
            if (n > 0) {
                diag_add(d, LCME_EINPUT, NULL, 0, 0,
                         "store '%s' holds %lld row%s in %s already; copy into a new store "
                         "(an empty file or database)",
                         to->path, n, n == 1 ? "" : "s", must_be_empty[i]);
                return -1;
            }
        }
    return 0;
}

static int read_begin(struct store *s, struct diag *d)
{
    return s->pg ? store_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                 "reading the store", d)
                 : store_exec(s, "BEGIN", "reading the store", d);
}

int store_copy(struct store *from, struct store *to, struct store_copy_count *n,
               struct diag *d)
{
    for (int k = 0; k < STORE_COPY_NTABLE; k++)
        n[k] = (struct store_copy_count){store_tables[k].name, 0};
    if (read_begin(from, d) != 0)
        return -1;
    int ok = store_begin(to, d) == 0;
    ok = ok && check_empty(to, d) == 0 && prepare_to(from, to, d) == 0;
    for (int k = 0; k < STORE_COPY_NTABLE && ok; k++) {
        struct sink sk = {to, &store_tables[k], NULL, {0}, 0};
        if (sink_begin(&sk, d) != 0) {
            ok = 0;
            break;
        }
        ok = table_read(from, &store_tables[k], sink_row, &sk, d) == 0;
        ok = sink_end(&sk, ok, d) == 0 && ok;
        n[k].rows = sk.rows;
    }
    ok = ok && store_commit(to, d) == 0;
    if (!ok)
        store_rollback(to);
    store_rollback(from);   /* the read transaction: nothing to keep */
    return ok ? 0 : -1;
}
