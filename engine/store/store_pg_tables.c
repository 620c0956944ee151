/* store_pg_tables.c: whole tables of the PostgreSQL store as rows, read
 * with one COPY ... TO STDOUT and written with one COPY ... FROM STDIN
 * (binary both ways, so numbers keep their bits), for store_copy.
 *
 * The SQL is store_copy.c's fixed text for each table; data never becomes
 * SQL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

int store_pg_table_read(struct store *s, const struct store_table *t, store_row_fn *fn,
                        void *ctx, struct diag *d)
{
    char what[64];
    snprintf(what, sizeof what, "reading %s", t->name);
    struct store_pg_rows r;
    if (store_pg_rows_open(s, &r, t->pg_copy_out, what, d) != 0)
        return -1;
    int ncol = (int)strlen(t->kinds);
    struct store_value v[STORE_MAX_COLS];
    int rc;
    while ((rc = store_pg_rows_next(&r, d)) == 1) {
        if (r.nfield != ncol) {
            store_pg_rows_close(&r);
            diag_add(d, LCME_ESTORE, NULL, 0, 0, "store '%s': %s: %d columns, not %d",
                     s->path, what, r.nfield, ncol);
            return -1;
        }
        for (int i = 0; i < ncol; i++) {
            memset(&v[i], 0, sizeof v[i]);
            v[i].null = r.field[i] == NULL;
            if (t->kinds[i] == 'T')
                v[i].t = r.field[i];
            else if (t->kinds[i] == 'I')
                v[i].i = store_pg_rows_int(&r, i);
            else
                v[i].r = store_pg_rows_num(&r, i);
        }
        if (fn(ctx, v, d) != 0) {
            store_pg_rows_close(&r);
            return -1;
        }
    }
    return rc;
}

int store_pg_table_begin(struct store *s, struct store_pg_copy *c,
                         const struct store_table *t, struct diag *d)
{
    return store_pg_copy_begin(s, c, t->pg_copy_in, t->name, d);
}

void store_pg_table_put(struct store_pg_copy *c, const struct store_table *t,
                        const struct store_value *v)
{
    int ncol = (int)strlen(t->kinds);
    store_pg_copy_row(c, ncol);
    for (int i = 0; i < ncol; i++) {
        if (v[i].null)
            store_pg_copy_null(c);
        else if (t->kinds[i] == 'T')
            store_pg_copy_text(c, v[i].t);
        else if (t->kinds[i] == 'I')
            store_pg_copy_int(c, v[i].i);
        else
            store_pg_copy_num(c, v[i].r);
    }
}

int store_pg_table_rows(struct store *s, const struct store_table *t, long long *n,
                        struct diag *d)
{
    PGresult *r = store_pg_query(s, t->count, 0, NULL, "counting rows", d);
    if (!r)
        return -1;
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}
