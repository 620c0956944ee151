/* store_pg_cube.c: the cube from everything the PostgreSQL store holds,
 * through the one cube builder, as store_cube.c builds it from SQLite.
 *
 * Other batches commit while this one reads, and each statement of a READ
 * COMMITTED transaction sees the store as it is when the statement starts.
 * So the three reads SQLite makes (units, attributes, observations) are one
 * statement here, one COPY of a UNION ALL, and the cube is the store at one
 * moment: a unit another batch commits between two reads could otherwise
 * come with its observations but without its name. Rows carry their kind:
 *
 *   0  an observation, with its unit's name (a join: the rows of a unit may
 *      come before the unit's own row)
 *   1  a unit and its name (every unit, with or without observations)
 *   2  a unit attribute; kept aside and set at the end, attribute columns
 *      in name order (strcmp, as SQLite's ORDER BY attr)
 *
 * The builder sorts units and years itself, so the order rows arrive in
 * does not change the cube.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "cube_builder.h"
#include "store_pg_int.h"
#include "strmap.h"

static const char cube_sql[] =
    "COPY (SELECT 0, o.unit, u.name, o.indicator, o.year, o.value, o.se, o.n, o.lower, "
    "o.upper, o.flag FROM observation o JOIN unit u ON u.code = o.unit "
    "UNION ALL SELECT 1, code, name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM unit "
    "UNION ALL SELECT 2, code, attr, value, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM unit_attr) TO STDOUT (FORMAT binary)";

/* Attribute cells kept until every unit is declared. */
struct attrs {
    size_t n, alloc;
    char **cell;         /* code, attr, value: 3 per cell */
};

static void attrs_free(struct attrs *a)
{
    for (size_t i = 0; i < 3 * a->n; i++)
        free(a->cell[i]);
    free(a->cell);
}

static int attrs_add(struct attrs *a, const struct store_pg_rows *r)
{
    if (array_grow((void **)&a->cell, &a->alloc, 3 * (a->n + 1), sizeof *a->cell) != 0)
        return -1;
    char **c = &a->cell[3 * a->n];
    c[0] = strdup(r->field[1] ? r->field[1] : "");
    c[1] = strdup(r->field[2] ? r->field[2] : "");
    c[2] = strdup(r->field[3] ? r->field[3] : "");
    a->n++;
    return c[0] && c[1] && c[2] ? 0 : -1;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Attribute columns in name order, then every cell. -1 on ENOMEM. */
static int attrs_apply(struct attrs *a, struct cube_builder *b)
{
    char **name = malloc((a->n ? a->n : 1) * sizeof *name);
    if (!name)
        return -1;
    for (size_t i = 0; i < a->n; i++)
        name[i] = a->cell[3 * i + 1];
    qsort(name, a->n, sizeof *name, cmp_str);
    for (size_t i = 0; i < a->n; i++)
        if (i == 0 || strcmp(name[i], name[i - 1]) != 0)
            cube_builder_attr(b, name[i]);
    free(name);
    for (size_t i = 0; i < a->n; i++) {
        char **c = &a->cell[3 * i];
        int u = cube_builder_unit(b, c[0], strlen(c[0]), NULL);
        cube_builder_set_attr(b, u, cube_builder_attr(b, c[1]), c[2]);
    }
    return 0;
}

/* One observation row (kind 0); skipped and counted when its code is not
 * in ind. */
static void add_row(struct cube_builder *b, const struct strmap *ind,
                    const struct store_pg_rows *r, size_t *skipped)
{
    const char *code = r->field[3];
    int k = code ? strmap_get(ind, code, (size_t)r->len[3]) : -1;
    if (k < 0) {
        (*skipped)++;
        return;
    }
    const char *unit = r->field[1] ? r->field[1] : "";
    struct cube_obs o = {
        .unit = cube_builder_unit(b, unit, strlen(unit), r->field[2]),
        .ind = k,
        .year = (int)store_pg_rows_int(r, 4),
        .value = store_pg_rows_num(r, 5),
        .se = store_pg_rows_num(r, 6),
        .n = store_pg_rows_num(r, 7),
        .lower = NAN,
        .upper = NAN,
        .flag = r->field[10],
    };
    /* the interval counts only where no se is given */
    if (isnan(o.se)) {
        o.lower = store_pg_rows_num(r, 8);
        o.upper = store_pg_rows_num(r, 9);
    }
    cube_builder_add(b, &o);
}

/* Every row of cube_sql into b (store_pg_int.h). */
int store_pg_fill_cube(struct store *s, struct cube_builder *b, const struct strmap *ind,
                       size_t *skipped, struct diag *d)
{
    struct store_pg_rows r;
    if (store_pg_rows_open(s, &r, cube_sql, "reading observations", d) != 0)
        return -1;
    struct attrs a = {0, 0, NULL};
    int rc;
    while ((rc = store_pg_rows_next(&r, d)) == 1) {
        if (r.nfield != 11)
            continue;
        long long kind = store_pg_rows_int(&r, 0);
        if (kind == 0) {
            add_row(b, ind, &r, skipped);
        } else if (kind == 1) {
            const char *code = r.field[1] ? r.field[1] : "";
            cube_builder_unit(b, code, strlen(code), r.field[2]);
        } else if (attrs_add(&a, &r) != 0) {
            store_pg_rows_close(&r);
            rc = store_nomem(s, d, "reading unit attributes");
            break;
        }
    }
    if (rc == 0 && attrs_apply(&a, b) != 0)
        rc = store_nomem(s, d, "reading unit attributes");
    attrs_free(&a);
    return rc;
}
