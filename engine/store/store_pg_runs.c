/* store_pg_runs.c: runs and their results in the PostgreSQL store, as
 * store_runs.c keeps them in SQLite: a run begun ('running'), given its
 * results, finished ('done' or 'failed'), each step one atomic call.
 *
 * Results go in with one COPY straight into the result table: beginning the
 * run upserted (and so locked) its row and deleted its earlier results, so
 * no other batch can write rows of this run until this one commits; two
 * batches with the same run id (the same batch run twice at once) follow
 * each other.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pipeline.h"
#include "store_pg_int.h"

#ifndef LCME_VERSION
#define LCME_VERSION "unknown"
#endif

int store_pg_run_begin(struct store *s, const char *run_id, const char *batch, int year,
                       const char *started, const char *settings, unsigned long seed,
                       const char *input_sha256, struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    char ybuf[24], sbuf[24];
    /* the seed's bits as a 64-bit integer, as SQLite keeps them */
    const char *p[8] = {run_id,
                        batch ? batch : "",
                        store_pg_int_text(year, ybuf),
                        started ? started : "",
                        settings,
                        store_pg_int_text((long long)(int64_t)(uint64_t)seed, sbuf),
                        LCME_VERSION,
                        input_sha256};
    int ok =
        store_pg_run(s, "DELETE FROM result WHERE run = $1", 1, p, NULL,
                     "removing a run's earlier results", d) == 0 &&
        store_pg_run(s,
                     "INSERT INTO run(id, batch, year, started, settings, seed, "
                     "engine_version, input_sha256, status) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running') "
                     "ON CONFLICT (id) DO UPDATE SET batch = excluded.batch, "
                     "year = excluded.year, started = excluded.started, "
                     "settings = excluded.settings, seed = excluded.seed, "
                     "engine_version = excluded.engine_version, "
                     "input_sha256 = excluded.input_sha256, status = excluded.status",
                     8, p, NULL, "storing the run", d) == 0;
    return store_pg_op_end(s, &op, ok, d);
}

/* The result rows of r, by node, year and unit, with a score. */
static int copy_results(struct store *s, const char *run_id, const struct framework *fw,
                        const struct cube *c, const struct results *r, struct diag *d)
{
    struct store_pg_copy cp;
    if (store_pg_copy_begin(s, &cp,
                            "COPY result(run, unit, year, node, level, score, ci_low, "
                            "ci_high, rank, rank_low, rank_high, coverage) "
                            "FROM STDIN (FORMAT binary)",
                            "storing results", d) != 0)
        return -1;
    for (size_t k = 0; k < r->nnode; k++)
        for (size_t t = 0; t < r->nyear; t++)
            for (size_t u = 0; u < r->nunit; u++) {
                size_t at = RES_AT(r, k, t, u);
                if (isnan(r->score[at]))
                    continue;
                store_pg_copy_row(&cp, 12);
                store_pg_copy_text(&cp, run_id);
                store_pg_copy_text(&cp, c->unit[u]);
                store_pg_copy_int(&cp, c->year[t]);
                store_pg_copy_text(&cp, fw->node[k].code);
                store_pg_copy_int(&cp, fw->node[k].level);
                store_pg_copy_num(&cp, r->score[at]);
                store_pg_copy_num(&cp, r->ci_low ? r->ci_low[at] : NAN);
                store_pg_copy_num(&cp, r->ci_high ? r->ci_high[at] : NAN);
                store_pg_copy_num(&cp, r->rank ? r->rank[at] : NAN);
                store_pg_copy_num(&cp, r->rank_low ? r->rank_low[at] : NAN);
                store_pg_copy_num(&cp, r->rank_high ? r->rank_high[at] : NAN);
                store_pg_copy_num(&cp, r->coverage ? r->coverage[at] : NAN);
            }
    return store_pg_copy_end(&cp, d);
}

int store_pg_put_results(struct store *s, const char *run_id, const struct framework *fw,
                         const struct cube *c, const struct results *r, struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    const char *p[1] = {run_id};
    int ok = 0;
    /* FOR UPDATE: the run's row stays this batch's until it commits */
    PGresult *res = store_pg_query(s, "SELECT 1 FROM run WHERE id = $1 FOR UPDATE", 1, p,
                                   "reading runs", d);
    if (res && PQntuples(res) == 0)
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': results for run '%s', which was never begun", s->path, run_id);
    else if (res)
        ok = store_pg_run(s, "DELETE FROM result WHERE run = $1", 1, p, NULL,
                          "removing a run's earlier results", d) == 0 &&
             copy_results(s, run_id, fw, c, r, d) == 0;
    PQclear(res);
    return store_pg_op_end(s, &op, ok, d);
}

int store_pg_run_finish(struct store *s, const char *run_id, const char *status,
                        struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    const char *p[2] = {run_id, status};
    long long n = 0;
    int ok = store_pg_run(s, "UPDATE run SET status = $2 WHERE id = $1", 2, p, &n,
                          "finishing the run", d) == 0;
    if (ok && n != 1) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': cannot finish run '%s', which was never begun", s->path, run_id);
        ok = 0;
    }
    return store_pg_op_end(s, &op, ok, d);
}

int store_pg_run_status(struct store *s, const char *run_id, char *buf, size_t len,
                        struct diag *d)
{
    /* FOR SHARE (when the store may be written): a run another connection
     * is still committing or rolling back is waited for, so the status read
     * is the one that stays */
    const char *p[1] = {run_id ? run_id : ""};
    PGresult *r = store_pg_query(s,
                                 s->readonly ? "SELECT status FROM run WHERE id = $1"
                                             : "SELECT status FROM run WHERE id = $1 FOR SHARE",
                                 1, p, "reading a run's status", d);
    if (!r)
        return -1;
    if (PQntuples(r) == 1 && len)
        snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}
