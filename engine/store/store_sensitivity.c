/* store_sensitivity.c: a run's sensitivity analysis in the store, so that an
 * analyst can see what every sensitivity run did (its parameters and its
 * summary statistic) beside the results.
 *
 * Schema (its own block, made on first use with CREATE TABLE IF NOT EXISTS,
 * so stores of batches without [sensitivity] never hold it and the store's
 * schema version is unchanged):
 *
 *   sensitivity_run(run -> run, seq, block, varied, row,
 *                   mean_abs_rank_shift, status)     PK (run, seq)
 *   sensitivity_param(run -> run, seq, assumption, value)
 *                                                     PK (run, seq, assumption)
 *   sensitivity_rank(run -> run, unit, node, year, nominal_rank, mean_rank,
 *                    median_rank, rank_q05, rank_q95) PK (run, unit)
 *   sensitivity_index(run -> run, assumption, si, si_low, si_high, sti,
 *                     sti_low, sti_high)              PK (run, assumption)
 *   sensitivity_unit_index(run -> run, unit, assumption, si, sti)
 *                                                     PK (run, unit, assumption)
 *
 * seq is the run's number in sensitivity_runs.csv; block is A, B, AB or
 * exclude; varied the assumption an AB or exclusion run varies; value the
 * assumption's value in words ("nominal" for the batch's own setting).
 * Writing a run's analysis first deletes what the store held for that run
 * id (a rerun of the same batch). One write is atomic (store_op_begin).
 */
#include <math.h>
#include <string.h>

#include "config.h"
#include "sensitivity.h"
#include "store_int.h"

static const char sensitivity_schema_sql[] =
    "CREATE TABLE IF NOT EXISTS sensitivity_run(\n"
    "  run    TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  seq    INTEGER NOT NULL,\n"
    "  block  TEXT NOT NULL,\n"
    "  varied TEXT,\n"
    "  row    INTEGER NOT NULL,\n"
    "  mean_abs_rank_shift REAL,\n"
    "  status TEXT NOT NULL,\n"
    "  PRIMARY KEY (run, seq)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS sensitivity_param(\n"
    "  run        TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  seq        INTEGER NOT NULL,\n"
    "  assumption TEXT NOT NULL,\n"
    "  value      TEXT NOT NULL,\n"
    "  PRIMARY KEY (run, seq, assumption)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS sensitivity_rank(\n"
    "  run  TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  unit TEXT NOT NULL,\n"
    "  node TEXT NOT NULL,\n"
    "  year INTEGER NOT NULL,\n"
    "  nominal_rank REAL, mean_rank REAL, median_rank REAL, rank_q05 REAL, rank_q95 REAL,\n"
    "  PRIMARY KEY (run, unit)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS sensitivity_index(\n"
    "  run        TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  assumption TEXT NOT NULL,\n"
    "  si REAL, si_low REAL, si_high REAL, sti REAL, sti_low REAL, sti_high REAL,\n"
    "  PRIMARY KEY (run, assumption)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS sensitivity_unit_index(\n"
    "  run        TEXT NOT NULL REFERENCES run(id) ON DELETE CASCADE,\n"
    "  unit       TEXT NOT NULL,\n"
    "  assumption TEXT NOT NULL,\n"
    "  si REAL, sti REAL,\n"
    "  PRIMARY KEY (run, unit, assumption)\n"
    ") WITHOUT ROWID;\n";

/* Removing a run's earlier analysis, one table each. */
static const char *const delete_sql[] = {
    "DELETE FROM sensitivity_run WHERE run = ?1",
    "DELETE FROM sensitivity_param WHERE run = ?1",
    "DELETE FROM sensitivity_rank WHERE run = ?1",
    "DELETE FROM sensitivity_index WHERE run = ?1",
    "DELETE FROM sensitivity_unit_index WHERE run = ?1",
};

static const char *const block_name[] = {
    [SENS_BLOCK_A] = "A", [SENS_BLOCK_B] = "B", [SENS_BLOCK_AB] = "AB",
    [SENS_BLOCK_EXCLUDE] = "exclude",
};

/* Remove what the store holds for run_id in every table of the block. */
static int delete_earlier(struct store *s, const char *run_id, struct diag *d)
{
    for (size_t i = 0; i < sizeof delete_sql / sizeof delete_sql[0]; i++) {
        const char *sql = delete_sql[i];
        sqlite3_stmt *st = store_prepare(s, sql, "removing an earlier sensitivity analysis", d);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
        int rc = store_step_done(s, st, "removing an earlier sensitivity analysis", d);
        sqlite3_finalize(st);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Step st and reset it; -1 after reporting. */
static int step(struct store *s, sqlite3_stmt *st, struct diag *d)
{
    return store_step_done(s, st, "storing the sensitivity analysis", d);
}

static int put_runs(struct store *s, const char *run_id, const struct config *cfg,
                    const struct framework *fw, const struct sensitivity *x, struct diag *d)
{
    sqlite3_stmt *rs = store_prepare(s, "INSERT INTO sensitivity_run(run, seq, block, varied, "
                                     "row, mean_abs_rank_shift, status) VALUES "
                                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", "storing sensitivity runs", d);
    sqlite3_stmt *ps = store_prepare(s, "INSERT INTO sensitivity_param(run, seq, assumption, "
                                     "value) VALUES (?1, ?2, ?3, ?4)", "storing sensitivity runs",
                                     d);
    int rc = rs && ps ? 0 : -1;
    if (rc == 0) {
        sqlite3_bind_text(rs, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ps, 1, run_id, -1, SQLITE_STATIC);
    }
    char buf[256];
    for (size_t r = 0; rc == 0 && r < x->nrun + x->nexcl; r++) {
        const struct sens_run *run = &x->run[r];
        sqlite3_bind_int64(rs, 2, (sqlite3_int64)r + 1);
        sqlite3_bind_text(rs, 3, block_name[run->block], -1, SQLITE_STATIC);
        if (run->varied >= 0)
            sqlite3_bind_text(rs, 4, sens_key_name((enum sens_key)x->key[run->varied]), -1,
                              SQLITE_STATIC);
        else
            sqlite3_bind_null(rs, 4);
        sqlite3_bind_int64(rs, 5, (sqlite3_int64)run->row + 1);
        store_bind_num(rs, 6, run->shift);
        sqlite3_bind_text(rs, 7, run->failed ? "failed" : "ok", -1, SQLITE_STATIC);
        rc = step(s, rs, d);
        sqlite3_bind_int64(ps, 2, (sqlite3_int64)r + 1);
        for (int a = 0; rc == 0 && a < x->d; a++) {
            sqlite3_bind_text(ps, 3, sens_key_name((enum sens_key)x->key[a]), -1, SQLITE_STATIC);
            sqlite3_bind_text(ps, 4, sensitivity_value_text(x, cfg, fw, r, a, buf, sizeof buf),
                              -1, SQLITE_TRANSIENT);
            rc = step(s, ps, d);
        }
    }
    sqlite3_finalize(rs);
    sqlite3_finalize(ps);
    return rc;
}

static int put_ranks(struct store *s, const char *run_id, const struct framework *fw,
                     const struct cube *c, const struct sensitivity *x, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "INSERT INTO sensitivity_rank(run, unit, node, year, "
                                     "nominal_rank, mean_rank, median_rank, rank_q05, rank_q95) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                     "storing sensitivity ranks", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, fw->node[x->target].code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, x->year);
    int rc = 0;
    for (size_t u = 0; rc == 0 && u < x->nunit; u++) {
        sqlite3_bind_text(st, 2, c->unit[u], -1, SQLITE_STATIC);
        const double v[] = {x->nominal_rank[u], x->mean_rank[u], x->median_rank[u],
                            x->rank_q05[u], x->rank_q95[u]};
        for (int i = 0; i < 5; i++)
            store_bind_num(st, 5 + i, v[i]);
        rc = step(s, st, d);
    }
    sqlite3_finalize(st);
    return rc;
}

static int put_indices(struct store *s, const char *run_id, const struct cube *c,
                       const struct sensitivity *x, struct diag *d)
{
    sqlite3_stmt *is = store_prepare(s, "INSERT INTO sensitivity_index(run, assumption, si, "
                                     "si_low, si_high, sti, sti_low, sti_high) VALUES "
                                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                     "storing sensitivity indices", d);
    sqlite3_stmt *us = store_prepare(s, "INSERT INTO sensitivity_unit_index(run, unit, "
                                     "assumption, si, sti) VALUES (?1, ?2, ?3, ?4, ?5)",
                                     "storing sensitivity indices", d);
    int rc = is && us ? 0 : -1;
    if (rc == 0) {
        sqlite3_bind_text(is, 1, run_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(us, 1, run_id, -1, SQLITE_STATIC);
    }
    for (int a = 0; rc == 0 && a < x->d; a++) {
        const struct sobol_index *q = &x->index[a];
        const double v[] = {q->si, q->si_low, q->si_high, q->sti, q->sti_low, q->sti_high};
        sqlite3_bind_text(is, 2, sens_key_name((enum sens_key)x->key[a]), -1, SQLITE_STATIC);
        for (int i = 0; i < 6; i++)
            store_bind_num(is, 3 + i, v[i]);
        rc = step(s, is, d);
    }
    for (size_t u = 0; rc == 0 && u < x->nunit; u++) {
        sqlite3_bind_text(us, 2, c->unit[u], -1, SQLITE_STATIC);
        for (int a = 0; rc == 0 && a < x->d; a++) {
            size_t k = u * (size_t)x->d + (size_t)a;
            sqlite3_bind_text(us, 3, sens_key_name((enum sens_key)x->key[a]), -1, SQLITE_STATIC);
            store_bind_num(us, 4, x->unit_si[k]);
            store_bind_num(us, 5, x->unit_sti[k]);
            rc = step(s, us, d);
        }
    }
    sqlite3_finalize(is);
    sqlite3_finalize(us);
    return rc;
}

int store_put_sensitivity(struct store *s, const char *run_id, const struct config *cfg,
                          const struct framework *fw, const struct cube *c,
                          const struct sensitivity *x, struct diag *d)
{
    if (!x)
        return 0;
    if (x->nunit != c->nunit) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "store '%s': the sensitivity analysis has %zu units, the cube %zu", s->path,
                 x->nunit, c->nunit);
        return -1;
    }
    struct store_op op;
    if (store_op_begin(s, &op, d) != 0)
        return -1;
    const char *sql = sensitivity_schema_sql;
    int ok = store_exec(s, sql, "creating the sensitivity tables", d) == 0 &&
             delete_earlier(s, run_id, d) == 0 && put_runs(s, run_id, cfg, fw, x, d) == 0 &&
             put_ranks(s, run_id, fw, c, x, d) == 0 &&
             (x->mode != SENS_SA || put_indices(s, run_id, c, x, d) == 0);
    return store_op_end(s, &op, ok, d);
}
