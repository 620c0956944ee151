/* store_runs.c: runs and their results. A run is begun (status
 * 'running'), given its results, and finished ('done' or 'failed'); each
 * step is one atomic call (store_op_begin / store_op_end).
 *
 * Beginning a run whose id the store already holds (a rerun of the same
 * batch gets the same id) replaces the run's row and deletes its earlier
 * results. Only the cells with a score become result rows; intervals and
 * ranks the results lack are NULL.
 *
 * Invariants: results are written only for a run that was begun, and only
 * when their shape matches the framework and the cube.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pipeline.h"
#include "store_int.h"

#ifndef LCME_VERSION
#define LCME_VERSION "unknown"
#endif

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
    if (store_op_begin(s, &op, d) != 0)
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
    return store_op_end(s, &op, ok, d);
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
    if (store_op_begin(s, &op, d) != 0)
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
                       "ci_high, rank, rank_low, rank_high, coverage) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
                store_bind_num(st, 7, r->ci_low ? r->ci_low[at] : NAN);
                store_bind_num(st, 8, r->ci_high ? r->ci_high[at] : NAN);
                store_bind_num(st, 9, r->rank ? r->rank[at] : NAN);
                store_bind_num(st, 10, r->rank_low ? r->rank_low[at] : NAN);
                store_bind_num(st, 11, r->rank_high ? r->rank_high[at] : NAN);
                store_bind_num(st, 12, r->coverage ? r->coverage[at] : NAN);
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
    return store_op_end(s, &op, ok, d);
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
    if (store_op_begin(s, &op, d) != 0)
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
    return store_op_end(s, &op, ok, d);
}

int store_run_status(struct store *s, const char *run_id, char *buf, size_t len,
                     struct diag *d)
{
    if (len)
        buf[0] = '\0';
    sqlite3_stmt *st = store_prepare(s, "SELECT status FROM run WHERE id = ?1",
                                     "reading a run's status", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, run_id ? run_id : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && len) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, len, "%s", t ? (const char *)t : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading a run's status");
    return 0;
}
