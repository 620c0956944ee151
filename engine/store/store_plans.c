/* store_plans.c: action plans in the store: every plan version a batch was
 * judged on, its objectives, and which version each run used; and the
 * versions `lcme history` lists.
 *
 * The plan tables (store_plan_schema_sql) are created by the first batch
 * with a plan, inside its transaction, so a store that never saw a plan has
 * none of them (and a failed batch leaves none behind); readers take a
 * store without them as holding no plan.
 *
 * A version is keyed by its id (plan.h: from the objectives alone), so a
 * plan revised in a later year is a new version and the earlier one stays
 * with its objectives and its runs; storing a version again changes only its
 * first year, which is the earliest evaluation year judged on it.
 *
 * Invariants: a version's objectives are written once, with the version;
 * every run_plan row names a stored run and version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "plan.h"
#include "store_pg_int.h"

/* The plan tables (schema block "action plans" of store.c's list). */
static const char store_plan_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS plan_version(\n"
    "  id          TEXT PRIMARY KEY,\n"
    "  sha256      TEXT NOT NULL,\n"
    "  files       TEXT NOT NULL,\n"
    "  objectives  INTEGER NOT NULL,\n"
    "  first_year  INTEGER NOT NULL,\n"
    "  stored      TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS plan_objective(\n"
    "  version       TEXT NOT NULL REFERENCES plan_version(id) ON DELETE CASCADE,\n"
    "  seq           INTEGER NOT NULL,\n"
    "  unit          TEXT NOT NULL,\n"
    "  node          TEXT NOT NULL,\n"
    "  target        REAL NOT NULL,\n"
    "  year          INTEGER NOT NULL,\n"
    "  baseline_year INTEGER,\n"
    "  label         TEXT NOT NULL,\n"
    "  owner         TEXT NOT NULL,\n"
    "  note          TEXT NOT NULL,\n"
    "  source        TEXT NOT NULL,\n"
    "  line          INTEGER NOT NULL,\n"
    "  PRIMARY KEY (version, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS run_plan(\n"
    "  run     TEXT PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,\n"
    "  version TEXT NOT NULL REFERENCES plan_version(id)\n"
    ");\n";

char *store_plan_files(const struct plan *p)
{
    size_t len = 1;
    for (int i = 0; i < p->nfile; i++)
        len += strlen(p->name[i]) + 2;
    char *s = malloc(len);
    if (!s)
        return NULL;
    size_t k = 0;
    s[0] = '\0';
    for (int i = 0; i < p->nfile; i++)
        k += (size_t)snprintf(s + k, len - k, "%s%s", i ? ", " : "", p->name[i]);
    return s;
}

int store_plan_tables(struct store *s, struct diag *d)
{
    return store_exec(s, store_plan_schema_sql, "creating the plan tables", d);
}

/* *held: 1 when the store holds version id already. */
static int version_held(struct store *s, const char *id, int *held, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM plan_version WHERE id = ?1",
                                     "reading plan versions", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading plan versions");
    *held = rc == SQLITE_ROW;
    return 0;
}

/* Insert the version, or lower the first year of one already held. */
static int put_version(struct store *s, const struct plan *p, int year, struct diag *d)
{
    char *files = store_plan_files(p);
    if (!files)
        return store_nomem(s, d, "storing the plan");
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO plan_version(id, sha256, files, objectives, first_year, stored) "
        "VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
        "ON CONFLICT(id) DO UPDATE SET first_year = min(first_year, excluded.first_year)",
        "storing the plan", d);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, p->version, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p->sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, files, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)p->n);
        sqlite3_bind_int(st, 5, year);
        rc = store_step_done(s, st, "storing the plan", d);
    }
    sqlite3_finalize(st);
    free(files);
    return rc;
}

/* The version's objectives, in plan order. */
static int put_objectives(struct store *s, const struct plan *p, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO plan_objective(version, seq, unit, node, target, year, baseline_year, "
        "label, owner, note, source, line) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        "storing the plan's objectives", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, p->version, -1, SQLITE_STATIC);
    int rc = 0;
    for (size_t i = 0; i < p->n && rc == 0; i++) {
        const struct plan_objective *o = &p->obj[i];
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
        sqlite3_bind_text(st, 3, o->unit, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, o->node, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 5, o->target);
        sqlite3_bind_int(st, 6, o->year);
        if (o->baseline_year)
            sqlite3_bind_int(st, 7, o->baseline_year);
        else
            sqlite3_bind_null(st, 7);
        sqlite3_bind_text(st, 8, o->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, o->owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, o->note, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, p->name[o->file], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, o->line);
        rc = store_step_done(s, st, "storing the plan's objectives", d);
    }
    sqlite3_finalize(st);
    return rc;
}

static int put_run_plan(struct store *s, const char *run_id, const struct plan *p,
                        struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO run_plan(run, version) VALUES (?1, ?2) "
        "ON CONFLICT(run) DO UPDATE SET version = excluded.version",
        "recording the run's plan version", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->version, -1, SQLITE_STATIC);
    int rc = store_step_done(s, st, "recording the run's plan version", d);
    sqlite3_finalize(st);
    return rc;
}

int store_put_plan(struct store *s, const char *run_id, const struct plan *p, int year,
                   struct diag *d)
{
    if (s->pg)
        return store_pg_put_plan(s, run_id, p, year, d);
    struct store_op op;
    if (store_op_begin(s, &op, d) != 0)
        return -1;
    int held = 0;
    int ok = store_plan_tables(s, d) == 0 &&
             version_held(s, p->version, &held, d) == 0 && put_version(s, p, year, d) == 0 &&
             (held || put_objectives(s, p, d) == 0) && put_run_plan(s, run_id, p, d) == 0;
    return store_op_end(s, &op, ok, d);
}

/* ---- history ------------------------------------------------------------- */

/* 1 when the store holds the plan tables, 0 when not, -1 after reporting. */
static int has_plan_tables(struct store *s, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'plan_version'",
        "reading plan versions", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int has = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? has : store_fail(s, d, rc, "reading plan versions");
}

int store_plan_history_read(struct store *s, struct store_plan_history *h, struct diag *d)
{
    memset(h, 0, sizeof *h);
    if (s->pg)
        return store_pg_plan_history_read(s, h, d);
    int has = has_plan_tables(s, d);
    if (has <= 0)
        return has;
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT v.id, v.files, v.stored, v.objectives, v.first_year, "
        "(SELECT group_concat(y, ', ') FROM (SELECT DISTINCT r.year AS y FROM run_plan rp "
        "JOIN run r ON r.id = rp.run WHERE rp.version = v.id ORDER BY r.year)) "
        "FROM plan_version v ORDER BY v.first_year, v.stored, v.id",
        "reading plan versions", d);
    if (!st)
        return -1;
    size_t alloc = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (array_grow((void **)&h->v, &alloc, h->n + 1, sizeof *h->v) != 0)
            goto nomem;
        struct store_plan_row *r = &h->v[h->n++];
        memset(r, 0, sizeof *r);
        r->id = store_col_dup(st, 0);
        r->files = store_col_dup(st, 1);
        r->stored = store_col_dup(st, 2);
        r->years = store_col_dup(st, 5);
        if (!r->id || !r->files || !r->stored || !r->years)
            goto nomem;
        r->objectives = (long)sqlite3_column_int64(st, 3);
        r->first_year = sqlite3_column_int(st, 4);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    store_plan_history_free(h);
    return store_fail(s, d, rc, "reading plan versions");
nomem:
    sqlite3_finalize(st);
    store_plan_history_free(h);
    return store_nomem(s, d, "reading plan versions");
}

void store_plan_history_free(struct store_plan_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->v[i].id);
        free(h->v[i].files);
        free(h->v[i].stored);
        free(h->v[i].years);
    }
    free(h->v);
    memset(h, 0, sizeof *h);
}
