/* store_history.c: what `lcme history` prints: the runs in the order they
 * were started, the sources with the years their observations span, and
 * the observations per year, read in one transaction so the three lists
 * agree with each other.
 *
 * Invariants: on failure nothing is left allocated and the history is
 * empty; a store_history is freed by store_history_free whatever it holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "store_int.h"

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
        if (array_grow((void **)&h->run, &alloc, h->nrun + 1, sizeof *h->run) != 0)
            goto nomem;
        struct store_run_row *r = &h->run[h->nrun];
        memset(r, 0, sizeof *r);
        h->nrun++;
        r->id = store_col_dup(st, 0);
        r->batch = store_col_dup(st, 1);
        r->started = store_col_dup(st, 2);
        r->status = store_col_dup(st, 3);
        r->engine_version = store_col_dup(st, 4);
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
    /* min/max per source come from the (source, year) index, O(log n) each;
     * a store made before source.sheet existed has no sheets */
    int has_sheet = store_source_sheet(s, 0, d);
    if (has_sheet < 0)
        return -1;
    sqlite3_stmt *st;
    if (has_sheet)
        st = store_prepare(s,
                           "SELECT s.name, s.sha256, s.loaded, s.rows, "
                           "(SELECT min(year) FROM observation o WHERE o.source = s.name), "
                           "(SELECT max(year) FROM observation o WHERE o.source = s.name), "
                           "s.sheet FROM source s ORDER BY s.name",
                           "reading sources", d);
    else
        st = store_prepare(s,
                           "SELECT s.name, s.sha256, s.loaded, s.rows, "
                           "(SELECT min(year) FROM observation o WHERE o.source = s.name), "
                           "(SELECT max(year) FROM observation o WHERE o.source = s.name), "
                           "NULL FROM source s ORDER BY s.name",
                           "reading sources", d);
    if (!st)
        return -1;
    size_t alloc = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (array_grow((void **)&h->source, &alloc, h->nsource + 1, sizeof *h->source) != 0)
            goto nomem;
        struct store_source_row *r = &h->source[h->nsource];
        memset(r, 0, sizeof *r);
        h->nsource++;
        r->name = store_col_dup(st, 0);
        r->sha256 = store_col_dup(st, 1);
        r->loaded = store_col_dup(st, 2);
        r->sheet = store_col_dup(st, 6);
        if (!r->name || !r->sha256 || !r->loaded || !r->sheet)
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
        if (array_grow((void **)&h->year, &ay, h->nyear + 1, sizeof *h->year) != 0 ||
            array_grow((void **)&h->year_rows, &ar, h->nyear + 1, sizeof *h->year_rows) != 0) {
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
        free(h->source[i].sheet);
    }
    free(h->run);
    free(h->source);
    free(h->year);
    free(h->year_rows);
    memset(h, 0, sizeof *h);
}
