/* store_pg_history.c: what `lcme history` prints, from the PostgreSQL store:
 * the runs by start time, the sources with the years their observations
 * span, the observations per year (one REPEATABLE READ transaction, so the
 * three lists agree, as SQLite's one read transaction makes them), and the
 * plan versions. The same queries and order as store_history.c and
 * store_plans.c; text sorts bytewise (COLLATE "C" columns).
 *
 * Invariants: on failure nothing is left allocated and the history is
 * empty; only committed runs are seen (a batch still running is another
 * transaction).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

static char *dup_value(const PGresult *r, int row, int col)
{
    return strdup(PQgetvalue(r, row, col));   /* "" for NULL */
}

static long long int_value(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int history_runs(struct store *s, struct store_history *h, struct diag *d)
{
    PGresult *r = store_pg_query(s,
                                 "SELECT id, batch, started, status, engine_version, year, "
                                 "seed FROM run ORDER BY started, id",
                                 0, NULL, "reading runs", d);
    if (!r)
        return -1;
    int n = PQntuples(r);
    h->run = calloc(n ? (size_t)n : 1, sizeof *h->run);
    if (!h->run)
        goto nomem;
    for (int i = 0; i < n; i++) {
        struct store_run_row *w = &h->run[h->nrun++];
        w->id = dup_value(r, i, 0);
        w->batch = dup_value(r, i, 1);
        w->started = dup_value(r, i, 2);
        w->status = dup_value(r, i, 3);
        w->engine_version = dup_value(r, i, 4);
        if (!w->id || !w->batch || !w->started || !w->status || !w->engine_version)
            goto nomem;
        w->year = (int)int_value(r, i, 5);
        w->seed = (unsigned long)(uint64_t)int_value(r, i, 6);
    }
    PQclear(r);
    return 0;
nomem:
    PQclear(r);
    return store_nomem(s, d, "reading runs");
}

static int history_sources(struct store *s, struct store_history *h, struct diag *d)
{
    PGresult *r = store_pg_query(
        s,
        "SELECT s.name, s.sha256, s.loaded, s.rows, "
        "(SELECT min(year) FROM observation o WHERE o.source = s.name), "
        "(SELECT max(year) FROM observation o WHERE o.source = s.name), "
        "s.sheet FROM source s ORDER BY s.name",
        0, NULL, "reading sources", d);
    if (!r)
        return -1;
    int n = PQntuples(r);
    h->source = calloc(n ? (size_t)n : 1, sizeof *h->source);
    if (!h->source)
        goto nomem;
    for (int i = 0; i < n; i++) {
        struct store_source_row *w = &h->source[h->nsource++];
        w->name = dup_value(r, i, 0);
        w->sha256 = dup_value(r, i, 1);
        w->loaded = dup_value(r, i, 2);
        w->sheet = dup_value(r, i, 6);
        if (!w->name || !w->sha256 || !w->loaded || !w->sheet)
            goto nomem;
        w->rows = (long)int_value(r, i, 3);
        w->first_year = (int)int_value(r, i, 4);   /* 0 when none remain */
        w->last_year = (int)int_value(r, i, 5);
    }
    PQclear(r);
    return 0;
nomem:
    PQclear(r);
    return store_nomem(s, d, "reading sources");
}

static int history_years(struct store *s, struct store_history *h, struct diag *d)
{
    PGresult *r = store_pg_query(
        s, "SELECT year, count(*) FROM observation GROUP BY year ORDER BY year", 0, NULL,
        "reading years", d);
    if (!r)
        return -1;
    int n = PQntuples(r);
    h->year = calloc(n ? (size_t)n : 1, sizeof *h->year);
    h->year_rows = calloc(n ? (size_t)n : 1, sizeof *h->year_rows);
    if (!h->year || !h->year_rows) {
        PQclear(r);
        return store_nomem(s, d, "reading years");
    }
    for (int i = 0; i < n; i++) {
        h->year[h->nyear] = (int)int_value(r, i, 0);
        h->year_rows[h->nyear++] = (long)int_value(r, i, 1);
    }
    PQclear(r);
    return 0;
}

int store_pg_history_read(struct store *s, struct store_history *h, struct diag *d)
{
    int own = !store_pg_in_tx(s);
    if (own && store_pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                             "reading the history", d) != 0)
        return -1;
    int ret = history_runs(s, h, d) == 0 && history_sources(s, h, d) == 0 &&
                      history_years(s, h, d) == 0
                  ? 0
                  : -1;
    if (own) {
        if (ret == 0)
            ret = store_pg_exec(s, "COMMIT", "reading the history", d);
        else
            store_pg_rollback(s);
    }
    if (ret != 0)
        store_history_free(h);
    return ret;
}

int store_pg_plan_history_read(struct store *s, struct store_plan_history *h,
                               struct diag *d)
{
    PGresult *r = store_pg_query(
        s,
        "SELECT v.id, v.files, v.stored, v.objectives, v.first_year, "
        "(SELECT string_agg(y::text, ', ' ORDER BY y) FROM (SELECT DISTINCT r.year AS y "
        "FROM run_plan rp JOIN run r ON r.id = rp.run WHERE rp.version = v.id) x) "
        "FROM plan_version v ORDER BY v.first_year, v.stored, v.id",
        0, NULL, "reading plan versions", d);
    if (!r)
        return -1;
    int n = PQntuples(r);
    h->v = calloc(n ? (size_t)n : 1, sizeof *h->v);
    if (!h->v)
        goto nomem;
    for (int i = 0; i < n; i++) {
        struct store_plan_row *w = &h->v[h->n++];
        w->id = dup_value(r, i, 0);
        w->files = dup_value(r, i, 1);
        w->stored = dup_value(r, i, 2);
        w->years = dup_value(r, i, 5);
        if (!w->id || !w->files || !w->stored || !w->years)
            goto nomem;
        w->objectives = (long)int_value(r, i, 3);
        w->first_year = (int)int_value(r, i, 4);
    }
    PQclear(r);
    return 0;
nomem:
    PQclear(r);
    store_plan_history_free(h);
    return store_nomem(s, d, "reading plan versions");
}
