/* store_pg_sensitivity.c: a run's sensitivity analysis in the PostgreSQL
 * store, as store_sensitivity.c keeps it in SQLite: the same five tables
 * and rows (sensitivity_run, _param, _rank, _index, _unit_index), the
 * run's earlier analysis deleted first, one atomic call.
 *
 * The tables are made with the schema (store_pg.c), as every table of this
 * store is. Rows go in with one COPY per table: the run's row, locked since
 * store_pg_run_begin, keeps any other batch from writing rows of this run
 * until this one commits.
 */
#include <math.h>
#include <string.h>

#include "config.h"
#include "sensitivity.h"
#include "store_pg_int.h"

static const char *const block_name[] = {
    [SENS_BLOCK_A] = "A", [SENS_BLOCK_B] = "B", [SENS_BLOCK_AB] = "AB",
    [SENS_BLOCK_EXCLUDE] = "exclude",
};

/* Removing a run's earlier analysis, one table each. */
static const char *const delete_sql[] = {
    "DELETE FROM sensitivity_run WHERE run = $1",
    "DELETE FROM sensitivity_param WHERE run = $1",
    "DELETE FROM sensitivity_rank WHERE run = $1",
    "DELETE FROM sensitivity_index WHERE run = $1",
    "DELETE FROM sensitivity_unit_index WHERE run = $1",
};

/* What the store holds for run_id in every table of the block, removed. */
static int delete_earlier(struct store *s, const char *run_id, struct diag *d)
{
    const char *p[1] = {run_id};
    for (size_t i = 0; i < sizeof delete_sql / sizeof delete_sql[0]; i++)
        if (store_pg_run(s, delete_sql[i], 1, p, NULL, "removing an earlier sensitivity analysis",
                         d) != 0)
            return -1;
    return 0;
}

static int copy_runs(struct store *s, const char *run_id, const struct sensitivity *x,
                     struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c,
                            "COPY sensitivity_run(run, seq, block, varied, row, "
                            "mean_abs_rank_shift, status) FROM STDIN (FORMAT binary)",
                            "storing sensitivity runs", d) != 0)
        return -1;
    for (size_t r = 0; r < x->nrun + x->nexcl; r++) {
        const struct sens_run *run = &x->run[r];
        store_pg_copy_row(&c, 7);
        store_pg_copy_text(&c, run_id);
        store_pg_copy_int(&c, (long long)r + 1);
        store_pg_copy_text(&c, block_name[run->block]);
        store_pg_copy_text(&c, run->varied >= 0
                                   ? sens_key_name((enum sens_key)x->key[run->varied])
                                   : NULL);
        store_pg_copy_int(&c, (long long)run->row + 1);
        store_pg_copy_num(&c, run->shift);
        store_pg_copy_text(&c, run->failed ? "failed" : "ok");
    }
    return store_pg_copy_end(&c, d);
}

static int copy_params(struct store *s, const char *run_id, const struct config *cfg,
                       const struct framework *fw, const struct sensitivity *x,
                       struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c,
                            "COPY sensitivity_param(run, seq, assumption, value) "
                            "FROM STDIN (FORMAT binary)",
                            "storing sensitivity runs", d) != 0)
        return -1;
    char buf[256];
    for (size_t r = 0; r < x->nrun + x->nexcl; r++)
        for (int a = 0; a < x->d; a++) {
            store_pg_copy_row(&c, 4);
            store_pg_copy_text(&c, run_id);
            store_pg_copy_int(&c, (long long)r + 1);
            store_pg_copy_text(&c, sens_key_name((enum sens_key)x->key[a]));
            store_pg_copy_text(&c, sensitivity_value_text(x, cfg, fw, r, a, buf, sizeof buf));
        }
    return store_pg_copy_end(&c, d);
}

static int copy_ranks(struct store *s, const char *run_id, const struct framework *fw,
                      const struct cube *cube, const struct sensitivity *x, struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c,
                            "COPY sensitivity_rank(run, unit, node, year, nominal_rank, "
                            "mean_rank, median_rank, rank_q05, rank_q95) "
                            "FROM STDIN (FORMAT binary)",
                            "storing sensitivity ranks", d) != 0)
        return -1;
    for (size_t u = 0; u < x->nunit; u++) {
        const double v[] = {x->nominal_rank[u], x->mean_rank[u], x->median_rank[u],
                            x->rank_q05[u], x->rank_q95[u]};
        store_pg_copy_row(&c, 9);
        store_pg_copy_text(&c, run_id);
        store_pg_copy_text(&c, cube->unit[u]);
        store_pg_copy_text(&c, fw->node[x->target].code);
        store_pg_copy_int(&c, x->year);
        for (int i = 0; i < 5; i++)
            store_pg_copy_num(&c, v[i]);
    }
    return store_pg_copy_end(&c, d);
}

static int copy_indices(struct store *s, const char *run_id, const struct cube *cube,
                        const struct sensitivity *x, struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c,
                            "COPY sensitivity_index(run, assumption, si, si_low, si_high, sti, "
                            "sti_low, sti_high) FROM STDIN (FORMAT binary)",
                            "storing sensitivity indices", d) != 0)
        return -1;
    for (int a = 0; a < x->d; a++) {
        const struct sobol_index *q = &x->index[a];
        const double v[] = {q->si, q->si_low, q->si_high, q->sti, q->sti_low, q->sti_high};
        store_pg_copy_row(&c, 8);
        store_pg_copy_text(&c, run_id);
        store_pg_copy_text(&c, sens_key_name((enum sens_key)x->key[a]));
        for (int i = 0; i < 6; i++)
            store_pg_copy_num(&c, v[i]);
    }
    if (store_pg_copy_end(&c, d) != 0 ||
        store_pg_copy_begin(s, &c,
                            "COPY sensitivity_unit_index(run, unit, assumption, si, sti) "
                            "FROM STDIN (FORMAT binary)",
                            "storing sensitivity indices", d) != 0)
        return -1;
    for (size_t u = 0; u < x->nunit; u++)
        for (int a = 0; a < x->d; a++) {
            size_t k = u * (size_t)x->d + (size_t)a;
            store_pg_copy_row(&c, 5);
            store_pg_copy_text(&c, run_id);
            store_pg_copy_text(&c, cube->unit[u]);
            store_pg_copy_text(&c, sens_key_name((enum sens_key)x->key[a]));
            store_pg_copy_num(&c, x->unit_si[k]);
            store_pg_copy_num(&c, x->unit_sti[k]);
        }
    return store_pg_copy_end(&c, d);
}

int store_pg_put_sensitivity(struct store *s, const char *run_id, const struct config *cfg,
                             const struct framework *fw, const struct cube *c,
                             const struct sensitivity *x, struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    int ok = delete_earlier(s, run_id, d) == 0 && copy_runs(s, run_id, x, d) == 0 &&
             copy_params(s, run_id, cfg, fw, x, d) == 0 &&
             copy_ranks(s, run_id, fw, c, x, d) == 0 &&
             (x->mode != SENS_SA || copy_indices(s, run_id, c, x, d) == 0);
    return store_pg_op_end(s, &op, ok, d);
}
