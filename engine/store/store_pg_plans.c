/* store_pg_plans.c: action plans in the PostgreSQL store, as store_plans.c
 * keeps them in SQLite: every plan version a batch was judged on, its
 * objectives, and the version each run used.
 *
 * The plan tables exist from the start (store_pg.c says why). A version is
 * inserted with ON CONFLICT DO NOTHING, and its objectives written only when
 * this call inserted it: a batch storing the same new version meanwhile
 * makes the insert wait for it, and then finds it held. Lowering the first
 * year is a separate UPDATE that touches (and locks) the row only when the
 * year is earlier, so batches judged on one plan do not wait for each other.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "store_pg_int.h"

/* Insert the version (*inserted 1) or lower the first year of one held. */
static int put_version(struct store *s, const struct plan *p, int year, int *inserted,
                       struct diag *d)
{
    char *files = store_plan_files(p);
    if (!files)
        return store_nomem(s, d, "storing the plan");
    char nbuf[24], ybuf[24];
    const char *v[5] = {p->version, p->sha256, files, store_pg_int_text((long long)p->n, nbuf),
                        store_pg_int_text(year, ybuf)};
    long long n = 0;
    int rc = store_pg_run(s,
                          "INSERT INTO plan_version(id, sha256, files, objectives, first_year, "
                          "stored) VALUES ($1, $2, $3, $4, $5, to_char(clock_timestamp() AT "
                          "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) "
                          "ON CONFLICT (id) DO NOTHING",
                          5, v, &n, "storing the plan", d);
    free(files);
    *inserted = n == 1;
    const char *u[2] = {p->version, ybuf};
    if (rc == 0 && !*inserted)
        rc = store_pg_run(s,
                          "UPDATE plan_version SET first_year = $2 "
                          "WHERE id = $1 AND first_year > $2",
                          2, u, NULL, "storing the plan", d);
    return rc;
}

/* The version's objectives, in plan order. */
static int put_objectives(struct store *s, const struct plan *p, struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c,
                            "COPY plan_objective(version, seq, unit, node, target, year, "
                            "baseline_year, label, owner, note, source, line) "
                            "FROM STDIN (FORMAT binary)",
                            "storing the plan's objectives", d) != 0)
        return -1;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_objective *o = &p->obj[i];
        store_pg_copy_row(&c, 12);
        store_pg_copy_text(&c, p->version);
        store_pg_copy_int(&c, (long long)i + 1);
        store_pg_copy_text(&c, o->unit);
        store_pg_copy_text(&c, o->node);
        store_pg_copy_num(&c, o->target);
        store_pg_copy_int(&c, o->year);
        if (o->baseline_year)
            store_pg_copy_int(&c, o->baseline_year);
        else
            store_pg_copy_null(&c);
        store_pg_copy_text(&c, o->label);
        store_pg_copy_text(&c, o->owner);
        store_pg_copy_text(&c, o->note);
        store_pg_copy_text(&c, p->name[o->file]);
        store_pg_copy_int(&c, o->line);
    }
    return store_pg_copy_end(&c, d);
}

int store_pg_put_plan(struct store *s, const char *run_id, const struct plan *p, int year,
                      struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    int inserted = 0;
    const char *v[2] = {run_id, p->version};
    int ok = put_version(s, p, year, &inserted, d) == 0 &&
             (!inserted || put_objectives(s, p, d) == 0) &&
             store_pg_run(s,
                          "INSERT INTO run_plan(run, version) VALUES ($1, $2) "
                          "ON CONFLICT (run) DO UPDATE SET version = excluded.version",
                          2, v, NULL, "recording the run's plan version", d) == 0;
    return store_pg_op_end(s, &op, ok, d);
}
