/* store_cube.c: the cube from everything the store holds, through the one
 * cube builder (cube_builder.h lays out the result).
 *
 * Three reads, in one pass each: the unit table (every unit ever loaded,
 * with its name), unit_attr (attribute columns in name order, then every
 * unit's values), and the observation table. Observations of codes that are
 * neither an indicator nor a denominator of the framework are skipped and
 * counted; the years of the cube are those of the observations kept.
 *
 * The observation table comes in primary-key order (unit, year,
 * indicator), so a unit code repeats over many consecutive rows: the builder
 * keeps the last code and skips the hash lookup for those rows. Every
 * column read takes and releases SQLite's connection mutex, so lower and
 * upper are read only for rows without an se (the only rows they matter
 * for): on bench_store's 493,416 rows, a third with an se, reading them on
 * every row cost 3 % more instructions (1.96 G against 1.91 G a load,
 * counted with valgrind's callgrind).
 *
 * Invariants: the store is only read; a cube is returned only when all three
 * reads succeeded (the builder is freed on every path).
 */
#include <math.h>
#include <string.h>

#include "cube_builder.h"
#include "store_pg_int.h"
#include "strmap.h"

struct strmap *store_ind_map(const struct framework *fw)
{
    struct strmap *m = strmap_new();
    if (!m)
        return NULL;
    size_t nind = fw->nind > 0 ? (size_t)fw->nind : 0;
    for (int k = 0; k < fw->ndenom; k++)
        if (strmap_put(m, fw->denom[k], strlen(fw->denom[k]), (int)nind + k) != 0)
            goto nomem;
    for (int i = 0; i < fw->nind; i++)
        if (strmap_put(m, fw->node[i].code, strlen(fw->node[i].code), i) != 0)
            goto nomem;
    return m;
nomem:
    strmap_free(m);
    return NULL;
}

/* Every unit of the unit table, with its name. */
static int load_units(struct store *s, struct cube_builder *b, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT code, name FROM unit", "reading units", d);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (code)
            cube_builder_unit(b, code, len, (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading units");
}

/* Attribute columns in name order, then every unit's values. unit_attr's
 * codes are units of the unit table (a foreign key). */
static int load_attrs(struct store *s, struct cube_builder *b, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT DISTINCT attr FROM unit_attr ORDER BY attr",
                                     "reading unit attributes", d);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *attr = (const char *)sqlite3_column_text(st, 0);
        cube_builder_attr(b, attr ? attr : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(s, d, rc, "reading unit attributes");
    st = store_prepare(s, "SELECT code, attr, value FROM unit_attr", "reading unit attributes",
                       d);
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *attr = (const char *)sqlite3_column_text(st, 1);
        if (!code || !attr)
            continue;
        int u = cube_builder_unit(b, code, (size_t)sqlite3_column_bytes(st, 0), NULL);
        cube_builder_set_attr(b, u, cube_builder_attr(b, attr),
                              (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading unit attributes");
}

/* Every observation of a code in ind; the others counted in *skipped. */
static int load_rows(struct store *s, struct cube_builder *b, const struct strmap *ind,
                     size_t *skipped, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT unit, year, indicator, value, se, n, lower, upper, flag FROM observation",
        "reading observations", d);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 2);
        int k = code ? strmap_get(ind, code, (size_t)sqlite3_column_bytes(st, 2)) : -1;
        if (k < 0) {
            (*skipped)++;
            continue;
        }
        const char *unit = (const char *)sqlite3_column_text(st, 0);
        size_t ulen = (size_t)sqlite3_column_bytes(st, 0);
        struct cube_obs o = {
            .unit = cube_builder_unit(b, unit ? unit : "", ulen, NULL),
            .ind = k,
            .year = sqlite3_column_int(st, 1),
            .value = store_col_num(st, 3),
            .se = store_col_num(st, 4),
            .n = store_col_num(st, 5),
            .lower = NAN,
            .upper = NAN,
            .flag = (const char *)sqlite3_column_text(st, 8),
        };
        /* the interval counts only where no se is given */
        if (isnan(o.se)) {
            o.lower = store_col_num(st, 6);
            o.upper = store_col_num(st, 7);
        }
        cube_builder_add(b, &o);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading observations");
}

/* The store's units, attributes and observations into b, from either
 * backend. 0, or -1 after reporting. */
static int fill_cube(struct store *s, struct cube_builder *b, const struct strmap *ind,
                     size_t *skip, struct diag *d)
{
    if (s->pg)
        return store_pg_fill_cube(s, b, ind, skip, d);
    return load_units(s, b, d) == 0 && load_attrs(s, b, d) == 0 &&
                   load_rows(s, b, ind, skip, d) == 0 ? 0 : -1;
}

int store_load_cube(struct store *s, const struct framework *fw, double ci_level,
                    struct cube **out, size_t *skipped, struct diag *d)
{
    *out = NULL;
    size_t skip = 0;
    if (skipped)
        *skipped = 0;
    struct cube_builder *b = NULL;
    size_t nind = fw->nind > 0 ? (size_t)fw->nind : 0;
    size_t ndenom = fw->ndenom > 0 ? (size_t)fw->ndenom : 0;
    if (cube_builder_new(&b, nind, ndenom, ci_level, d) != 0)
        return -1;
    struct strmap *ind = store_ind_map(fw);
    int ret = -1;
    if (!ind)
        store_nomem(s, d, "loading the cube");
    else if (fill_cube(s, b, ind, &skip, d) == 0 && cube_builder_finish(b, out, d) == 0)
        ret = 0;
    if (ret == 0 && skipped)
        *skipped = skip;
    strmap_free(ind);
    cube_builder_free(b);
    return ret;
}
