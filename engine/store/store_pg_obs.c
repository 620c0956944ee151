/* store_pg_obs.c: writing an obsset into the PostgreSQL store, with the
 * SQLite store's semantics (store_obs.c) while other batches write beside
 * it. One atomic call (store_pg_op_begin / store_pg_op_end).
 *
 * The units, their attributes and the observations go in with COPY, into
 * temporary tables of this session (lcme_*_stage, dropped at the end), and
 * from there into the store's tables in a few set-wise statements:
 *
 *   unit, unit_attr   INSERT ... ON CONFLICT DO NOTHING, then UPDATE only the
 *                     rows whose name or value changes: ON CONFLICT DO UPDATE
 *                     would lock every row it meets (PostgreSQL's documented
 *                     behaviour), and every batch naming the same units would
 *                     then wait for the others to commit.
 *   source            one upsert per file, in name order, before its earlier
 *                     rows are deleted: the row lock it takes makes a batch
 *                     loading a file of the same name wait until this one
 *                     commits, so the two replace each other as in SQLite,
 *                     one after the other, never half and half.
 *   observation       INSERT ... ON CONFLICT DO NOTHING, then UPDATE the rows
 *                     held from another source (the revisions, counted), until
 *                     every row is in: a row another batch deletes or commits
 *                     between the two statements is caught by the next round.
 *
 * Invariants: every row of one call gets the same load time, read once from
 * the server's clock; rows are written in key order (units by code, sources
 * by name, observations by unit, year, indicator), so two batches meeting
 * on the same rows wait for each other in one order and never deadlock.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* Rounds of the insert-then-update loop before giving up: each round
 * finishes unless another batch deletes the very rows in between. */
#define PUT_ROUNDS 16

static const char *source_name(const struct obs_source *f)
{
    return f->name ? f->name : f->path;
}

static int stage_units(struct store *s, const struct obsset *o, struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c, "COPY lcme_unit_stage FROM STDIN (FORMAT binary)",
                            "storing units", d) != 0)
        return -1;
    for (size_t u = 0; u < o->nunit; u++) {
        store_pg_copy_row(&c, 2);
        store_pg_copy_text(&c, o->unit[u]);
        store_pg_copy_text(&c, o->unit_name && o->unit_name[u] ? o->unit_name[u] : "");
    }
    if (store_pg_copy_end(&c, d) != 0)
        return -1;
    if (store_pg_copy_begin(s, &c, "COPY lcme_attr_stage FROM STDIN (FORMAT binary)",
                            "storing unit attributes", d) != 0)
        return -1;
    for (size_t u = 0; u < o->nunit && o->attr; u++)
        for (size_t a = 0; a < o->nattr; a++) {
            const char *v = o->attr[u * o->nattr + a];
            if (!v || !*v)
                continue;   /* unknown here: keep what the store knows */
            store_pg_copy_row(&c, 3);
            store_pg_copy_text(&c, o->unit[u]);
            store_pg_copy_text(&c, o->attr_name[a]);
            store_pg_copy_text(&c, v);
        }
    return store_pg_copy_end(&c, d);
}

static int put_units(struct store *s, const struct obsset *o, struct diag *d)
{
    const char *w = "storing units", *wa = "storing unit attributes";
    return store_pg_exec(s,
                         "CREATE TEMP TABLE lcme_unit_stage (LIKE unit);"
                         "CREATE TEMP TABLE lcme_attr_stage (LIKE unit_attr)",
                         w, d) == 0 &&
                   stage_units(s, o, d) == 0 &&
                   store_pg_run(s,
                                "INSERT INTO unit(code, name) SELECT code, name "
                                "FROM lcme_unit_stage ORDER BY code ON CONFLICT (code) DO NOTHING",
                                0, NULL, NULL, w, d) == 0 &&
                   store_pg_run(s,
                                "UPDATE unit u SET name = s.name FROM lcme_unit_stage s "
                                "WHERE u.code = s.code AND s.name <> '' AND u.name <> s.name",
                                0, NULL, NULL, w, d) == 0 &&
                   store_pg_run(s,
                                "INSERT INTO unit_attr(code, attr, value) "
                                "SELECT code, attr, value FROM lcme_attr_stage "
                                "ORDER BY code, attr ON CONFLICT (code, attr) DO NOTHING",
                                0, NULL, NULL, wa, d) == 0 &&
                   store_pg_run(s,
                                "UPDATE unit_attr a SET value = s.value FROM lcme_attr_stage s "
                                "WHERE a.code = s.code AND a.attr = s.attr AND a.value <> s.value",
                                0, NULL, NULL, wa, d) == 0 &&
                   store_pg_exec(s, "DROP TABLE lcme_unit_stage, lcme_attr_stage", w, d) == 0
               ? 0
               : -1;
}

/* Array parameter text "{v0,v1,...}" of n whole numbers; NULL on ENOMEM,
 * else the caller frees. */
static char *int_array(const long long *v, size_t n)
{
    char *t = malloc(n * 21 + 3), *p = t;
    if (!t)
        return NULL;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%lld", i ? "," : "", v[i]);
    strcpy(p, "}");
    return t;
}

/* The advisory lock key of a source name (64-bit FNV-1a). */
static long long source_key(const char *name)
{
    uint64_t h = 14695981039346656037u;
    for (const char *c = "lcme source "; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    for (const char *c = name; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    return (long long)h;
}

/* Take (or wait for) the transaction's lock on every source name of o, in
 * key order: a batch loading or dropping a file of the same name waits
 * here until this one ends, and then sees what it committed. */
static int lock_sources(struct store *s, const struct obsset *o, struct diag *d)
{
    long long *k = malloc((o->nfile ? o->nfile : 1) * sizeof *k);
    char *arr = NULL;
    int rc = -1;
    if (k) {
        for (size_t f = 0; f < o->nfile; f++)
            k[f] = source_key(source_name(&o->file[f]));
        arr = int_array(k, o->nfile);
    }
    const char *p[1] = {arr};
    if (!arr)
        store_nomem(s, d, "locking the data files' names");
    else
        rc = store_pg_run(s,
                          "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k "
                          "ORDER BY k",
                          1, p, NULL, "waiting for another batch loading a file of the same "
                          "name", d);
    free(arr);
    free(k);
    return rc;
}

/* Delete the rows loaded earlier under file f's name for the years it
 * gives. */
static int delete_years(struct store *s, const struct obsset *o, size_t f, struct diag *d)
{
    int *years = NULL;
    long ny = store_source_years(o, f, &years);
    long long *y = ny >= 0 ? malloc(((size_t)ny + 1) * sizeof *y) : NULL;
    char *arr = NULL;
    if (y) {
        for (long i = 0; i < ny; i++)
            y[i] = years[i];
        arr = int_array(y, (size_t)ny);
    }
    free(years);
    free(y);
    if (!arr)
        return store_nomem(s, d, "replacing a reloaded source");
    const char *p[2] = {source_name(&o->file[f]), arr};
    int rc = store_pg_run(s,
                          "DELETE FROM observation WHERE source = $1 AND year = ANY($2::bigint[])",
                          2, p, NULL, "replacing a reloaded source", d);
    free(arr);
    return rc;
}

/* Each source: the rows loaded earlier under its name for the years it
 * gives deleted, then its row upserted. */
static int put_sources(struct store *s, const struct obsset *o, const char *loaded,
                       struct diag *d)
{
    if (lock_sources(s, o, d) != 0)
        return -1;
    int ret = 0;
    for (size_t f = 0; f < o->nfile && ret == 0; f++) {
        const struct obs_source *v = &o->file[f];
        char rows[24];
        const char *p[5] = {source_name(v), v->sha256,
                            store_pg_int_text((long long)v->rows, rows), loaded, v->sheet};
        ret = delete_years(s, o, f, d);
        if (ret == 0)
            ret = store_pg_run(s,
                               "INSERT INTO source(name, sha256, rows, loaded, sheet) "
                               "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET "
                               "sha256 = excluded.sha256, rows = excluded.rows, "
                               "loaded = excluded.loaded, sheet = excluded.sheet",
                               5, p, NULL, "storing sources", d);
    }
    return ret;
}

/* Every observation of o with COPY into table (observation, or the
 * staging table like it). 0, -1 after reporting, or -2 when a row's key is
 * held already (conflict_ok; the transaction is then failed). */
static int copy_observations(struct store *s, const struct obsset *o,
                             const struct framework *fw, const char *loaded, const char *sql,
                             int conflict_ok, struct diag *d)
{
    struct store_pg_copy c;
    if (store_pg_copy_begin(s, &c, sql, "storing observations", d) != 0)
        return -1;
    c.conflict_ok = conflict_ok;
    for (size_t i = 0; i < o->n; i++) {
        const struct obs *ob = &o->v[i];
        store_pg_copy_row(&c, 12);
        store_pg_copy_text(&c, o->unit[ob->unit]);
        store_pg_copy_int(&c, ob->year);
        store_pg_copy_text(&c, obs_ind_code(fw, ob->ind));
        store_pg_copy_num(&c, ob->value);
        store_pg_copy_num(&c, ob->se);
        store_pg_copy_num(&c, ob->n);
        store_pg_copy_num(&c, ob->lower);
        store_pg_copy_num(&c, ob->upper);
        store_pg_copy_text(&c, obs_flag(o, ob));
        store_pg_copy_text(&c, source_name(&o->file[ob->file]));
        store_pg_copy_int(&c, ob->line);
        store_pg_copy_text(&c, loaded);
    }
    return store_pg_copy_end(&c, d);
}

#define OBS_COLUMNS "unit, year, indicator, value, se, n, lower, upper, flag, source, line, loaded"

/* The usual case: no row's key is held from another source (this batch's
 * sources lost their rows already), so the rows go straight into the table,
 * in a savepoint. 1 when they did, 0 when a key was held (nothing written:
 * the caller takes the staged path), -1 after reporting. */
static int put_direct(struct store *s, const struct obsset *o, const struct framework *fw,
                      const char *loaded, struct diag *d)
{
    if (store_pg_exec(s, "SAVEPOINT lcme_direct", "storing observations", d) != 0)
        return -1;
    int rc = copy_observations(s, o, fw, loaded,
                               "COPY observation(" OBS_COLUMNS ") FROM STDIN (FORMAT binary)",
                               1, d);
    if (rc == -2 && store_pg_exec(s, "ROLLBACK TO lcme_direct", "storing observations", d) != 0)
        return -1;
    if (rc == -1 || store_pg_exec(s, "RELEASE lcme_direct", "storing observations", d) != 0)
        return -1;
    return rc == 0;
}

/* The staged rows into observation: inserted where the store holds no row
 * of their key, replacing (and counted in *revised) a row held from another
 * source. */
static int put_staged(struct store *s, size_t n, size_t *revised, struct diag *d)
{
    long long done = 0, upd = 0;
    for (int round = 0; round < PUT_ROUNDS && done < (long long)n; round++) {
        long long ins = 0, rev = 0;
        if (store_pg_run(s,
                         "INSERT INTO observation(" OBS_COLUMNS ") SELECT " OBS_COLUMNS
                         " FROM lcme_obs_stage ORDER BY unit, year, indicator "
                         "ON CONFLICT (unit, year, indicator) DO NOTHING",
                         0, NULL, &ins, "storing observations", d) != 0)
            return -1;
        done += ins;
        if (done < (long long)n &&
            store_pg_run(s,
                         "UPDATE observation o SET value = s.value, se = s.se, n = s.n, "
                         "lower = s.lower, upper = s.upper, flag = s.flag, source = s.source, "
                         "line = s.line, loaded = s.loaded FROM lcme_obs_stage s "
                         "WHERE o.unit = s.unit AND o.year = s.year AND "
                         "o.indicator = s.indicator AND o.source <> s.source",
                         0, NULL, &rev, "storing observations", d) != 0)
            return -1;
        done += rev;
        upd += rev;
    }
    if (done != (long long)n) {
        diag_add(d, LCME_EBUSY, NULL, 0, 0,
                 "store '%s': other batches kept replacing the rows this one stores; run it "
                 "again", s->path);
        return -1;
    }
    if (revised)
        *revised = (size_t)upd;
    return 0;
}

/* The observations: straight in, else through the staging table. */
static int put_observations(struct store *s, const struct obsset *o,
                            const struct framework *fw, const char *loaded, size_t *revised,
                            struct diag *d)
{
    int direct = put_direct(s, o, fw, loaded, d);
    if (direct != 0)
        return direct > 0 ? 0 : -1;
    const char *w = "storing observations";
    return store_pg_exec(s, "CREATE TEMP TABLE lcme_obs_stage (LIKE observation)", w, d) == 0 &&
                   copy_observations(s, o, fw, loaded,
                                     "COPY lcme_obs_stage FROM STDIN (FORMAT binary)", 0,
                                     d) == 0 &&
                   put_staged(s, o->n, revised, d) == 0 &&
                   store_pg_exec(s, "DROP TABLE lcme_obs_stage", w, d) == 0
               ? 0
               : -1;
}

int store_pg_put_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                        size_t *revised, struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    char loaded[32];
    int ok = store_pg_now(s, loaded, d) == 0 && put_units(s, o, d) == 0 &&
             put_sources(s, o, loaded, d) == 0 &&
             put_observations(s, o, fw, loaded, revised, d) == 0;
    return store_pg_op_end(s, &op, ok, d);
}

int store_pg_drop_sources(struct store *s, const struct obsset *o, struct diag *d)
{
    struct store_op op;
    if (store_pg_op_begin(s, &op, d) != 0)
        return -1;
    int ok = lock_sources(s, o, d) == 0;
    for (size_t f = 0; f < o->nfile && ok; f++) {
        if (!o->file[f].name && !o->file[f].path)
            continue;
        const char *p[1] = {source_name(&o->file[f])};
        ok = store_pg_run(s, "DELETE FROM observation WHERE source = $1", 1, p, NULL,
                          "dropping a source's rows", d) == 0;
    }
    return store_pg_op_end(s, &op, ok, d);
}

int store_pg_source_kept(struct store *s, const struct obsset *o, size_t f, size_t *rows,
                         int *first, int *last, struct diag *d)
{
    int *years = NULL;
    long ny = store_source_years(o, f, &years);
    if (ny < 0)
        return store_nomem(s, d, "reading a source's years");
    const char *p[1] = {source_name(&o->file[f])};
    PGresult *r = store_pg_query(s,
                                 "SELECT year, count(*) FROM observation WHERE source = $1 "
                                 "GROUP BY year ORDER BY year",
                                 1, p, "reading a source's years", d);
    long k = 0;
    int ok = r != NULL;
    for (int i = 0; ok && i < PQntuples(r); i++)
        store_kept_add(years, ny, &k, (int)strtol(PQgetvalue(r, i, 0), NULL, 10),
                       strtoll(PQgetvalue(r, i, 1), NULL, 10), rows, first, last);
    PQclear(r);
    free(years);
    return ok ? 0 : -1;
}
