/* store_copy.c: `lcme store copy FROM TO`: every table of one store into
 * another, SQLite or PostgreSQL on either side (store.h).
 *
 * store_tables[] is the one list of what a store holds, in the order rows
 * are written (a table before the tables that refer to it), with each
 * column's kind. A backend reads a table as rows of store_values and writes
 * them back: SQLite with SELECT and a prepared INSERT (here), PostgreSQL
 * with COPY in binary (store_pg_tables.c). Every statement is fixed text
 * (STORE_TABLE). A column an older SQLite store lacks (source.sheet,
 * schema 1's result.coverage) reads as NULL and schema 1's 0/1 flag as its
 * migration reads it; a table it lacks (the plan or sensitivity tables)
 * reads as empty, and a SQLite store copied into gets those tables only when
 * there is a plan (an analysis) to put in them, as a batch would make them.
 *
 * Invariants: from is read in one read transaction and to written in one
 * transaction, so the copy is the store at one moment, all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "store_pg_int.h"

/* A table from its name, columns, kinds, key and INSERT parameters: every
 * statement is a literal, so no SQL is ever assembled at run time. */
#define STORE_TABLE(name, cols, kinds, order, params, probe, old)                       \
    {name,                                                                             \
     kinds,                                                                            \
     "SELECT " cols " FROM " name " ORDER BY " order,                                  \
     "INSERT INTO " name "(" cols ") VALUES (" params ")",                             \
     "COPY (SELECT " cols " FROM " name " ORDER BY " order ") TO STDOUT (FORMAT binary)", \
     "COPY " name "(" cols ") FROM STDIN (FORMAT binary)",                             \
     "SELECT count(*) FROM " name,                                                     \
     probe,                                                                            \
     old}

#define OBS_COLS_HEAD "unit, year, indicator, value, se, n, lower, upper, "
#define RESULT_COLS_HEAD "run, unit, year, node, level, score, ci_low, ci_high, rank, rank_low, rank_high"

static const struct store_table store_tables[STORE_COPY_NTABLE] = {
    STORE_TABLE("source", "name, sha256, rows, loaded, sheet", "TTITT", "name",
                "?1, ?2, ?3, ?4, ?5",
                "SELECT 1 FROM pragma_table_info('source') WHERE name = 'sheet'",
                "SELECT name, sha256, rows, loaded, NULL FROM source ORDER BY name"),
    STORE_TABLE("unit", "code, name", "TT", "code", "?1, ?2", NULL, NULL),
    STORE_TABLE("unit_attr", "code, attr, value", "TTT", "code, attr", "?1, ?2, ?3", NULL,
                NULL),
    /* schema 1's 0/1 flag read as its migration to schema 2 reads it
       (store.c): 0 none, 1 the text '1' */
    STORE_TABLE("observation", OBS_COLS_HEAD "flag, source, line, loaded", "TITRRRRRTTIT",
                "unit, year, indicator", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12",
                "SELECT 1 FROM pragma_table_info('observation') "
                "WHERE name = 'flag' AND type = 'TEXT'",
                "SELECT " OBS_COLS_HEAD
                "CASE WHEN flag IS NULL OR flag = 0 THEN NULL ELSE CAST(flag AS TEXT) END, "
                "source, line, loaded FROM observation ORDER BY unit, year, indicator"),
    STORE_TABLE("run",
                "id, batch, year, started, settings, seed, engine_version, input_sha256, status",
                "TTITTITTT", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9", NULL, NULL),
    STORE_TABLE("result", RESULT_COLS_HEAD ", coverage", "TTITIRRRRRRR", "run, node, year, unit",
                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12",
                "SELECT 1 FROM pragma_table_info('result') WHERE name = 'coverage'",
                "SELECT " RESULT_COLS_HEAD ", NULL FROM result ORDER BY run, node, year, unit"),
    STORE_TABLE("plan_version", "id, sha256, files, objectives, first_year, stored", "TTTIIT",
                "id", "?1, ?2, ?3, ?4, ?5, ?6", NULL, NULL),
    STORE_TABLE("plan_objective",
                "version, seq, unit, node, target, year, baseline_year, label, owner, note, "
                "source, line",
                "TITTRIITTTTI", "version, seq",
                "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12", NULL, NULL),
    STORE_TABLE("run_plan", "run, version", "TT", "run", "?1, ?2", NULL, NULL),
    STORE_TABLE("sensitivity_run", "run, seq, block, varied, row, mean_abs_rank_shift, status",
                "TITTIRT", "run, seq", "?1, ?2, ?3, ?4, ?5, ?6, ?7", NULL, NULL),
    STORE_TABLE("sensitivity_param", "run, seq, assumption, value", "TITT",
                "run, seq, assumption", "?1, ?2, ?3, ?4", NULL, NULL),
    STORE_TABLE("sensitivity_rank",
                "run, unit, node, year, nominal_rank, mean_rank, median_rank, rank_q05, "
                "rank_q95",
                "TTTIRRRRR", "run, unit", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9", NULL, NULL),
    STORE_TABLE("sensitivity_index", "run, assumption, si, si_low, si_high, sti, sti_low, sti_high",
                "TTRRRRRR", "run, assumption", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8", NULL, NULL),
    STORE_TABLE("sensitivity_unit_index", "run, unit, assumption, si, sti", "TTTRR",
                "run, unit, assumption", "?1, ?2, ?3, ?4, ?5", NULL, NULL),
};

/* store_tables[] of the first plan and the first sensitivity table. */
enum { TABLE_PLAN_VERSION = 6, TABLE_SENSITIVITY_RUN = 9 };

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

/* 1 when the SQLite store's table t has its present form, 0 when it is
 * read with t->sqlite_old, -1 after reporting. */
static int sqlite_present_form(struct store *s, const struct store_table *t, struct diag *d)
{
    if (!t->sqlite_probe)
        return 1;
    const char *sql = t->sqlite_probe;
    sqlite3_stmt *st = store_prepare(s, sql, "reading the schema", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading the schema");
    return rc == SQLITE_ROW;
}

static int sqlite_read(struct store *s, const struct store_table *t, store_row_fn *fn,
                       void *ctx, struct diag *d)
{
    int has = sqlite_has_table(s, t->name, d);
    if (has <= 0)
        return has;
    int present = sqlite_present_form(s, t, d);
    if (present < 0)
        return -1;
    const char *sql = present ? t->sqlite_select : t->sqlite_old;
    char what[64];
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
    const char *sql = t->count;
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
    const char *sql = k->t->sqlite_insert;
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
 * plan or a sensitivity analysis, their tables. */
static int prepare_to(struct store *from, struct store *to, struct diag *d)
{
    if (to->pg)
        return 0;
    long long plans = 0, sens = 0;
    if (store_source_sheet(to, 1, d) < 0 ||
        table_rows(from, &store_tables[TABLE_PLAN_VERSION], &plans, d) != 0 ||
        table_rows(from, &store_tables[TABLE_SENSITIVITY_RUN], &sens, d) != 0)
        return -1;
    return (plans > 0 ? store_plan_tables(to, d) : 0) == 0 &&
                   (sens > 0 ? store_sensitivity_tables(to, d) : 0) == 0
               ? 0
               : -1;
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
        /* a SQLite store copied into lacks a table prepare_to did not make:
           from holds none of its rows */
        int has = to->pg ? 1 : sqlite_has_table(to, store_tables[k].name, d);
        if (has <= 0) {
            ok = has == 0;
            continue;
        }
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
