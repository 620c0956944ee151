/* store_obs.c: writing an obsset into the store: its units and their
 * attributes, its sources (data files) and its observations, in one call
 * that is atomic (store_op_begin / store_op_end).
 *
 * A source loaded again replaces itself year by year: for each year the file
 * gives, the rows loaded earlier under its name for that year are deleted
 * before the new ones go in; the years it no longer gives keep their rows
 * (store_source_kept counts them; store_drop_sources drops them all when the
 * user asks to replace). A source read from a workbook keeps the sheet
 * read. An observation of a (unit, year, indicator) the
 * store holds from another source replaces it and is counted as revised. Units are
 * upserted: a known unit keeps its name when the set gives none, and keeps
 * the attribute values the set does not give.
 *
 * Invariants: the obsset's indices are checked before anything is written;
 * every row and source of one call gets the same load time, read once from
 * SQLite's clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* Current UTC time as the store writes it, into buf[32]. */
static int store_now(struct store *s, char buf[32], struct diag *d)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                                     "reading the clock", d);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_fail(s, d, rc, "reading the clock");
        sqlite3_finalize(st);
        return -1;
    }
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, 32, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return 0;
}

static int count_observations(struct store *s, sqlite3_stmt *st, long long *n, struct diag *d)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return store_fail(s, d, rc, "counting observations");
    }
    *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* Every index in the obsset must point inside it and the framework. */
static int check_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                        struct diag *d)
{
    for (size_t i = 0; i < o->n; i++) {
        const struct obs *ob = &o->v[i];
        if (ob->unit < 0 || (size_t)ob->unit >= o->nunit || ob->file < 0 ||
            (size_t)ob->file >= o->nfile || ob->ind < 0 ||
            ob->ind >= fw->nnode + fw->ndenom) {
            diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                     "store '%s': observation %zu refers to no unit, file or indicator",
                     s->path, i);
            return -1;
        }
    }
    for (size_t f = 0; f < o->nfile; f++)
        if (!o->file[f].name && !o->file[f].path) {
            diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "store '%s': data file %zu has no name",
                     s->path, f);
            return -1;
        }
    return 0;
}

static const char *source_name(const struct obs_source *f)
{
    return f->name ? f->name : f->path;
}

static int put_units(struct store *s, const struct obsset *o, struct diag *d)
{
    sqlite3_stmt *su = store_prepare(
        s,
        "INSERT INTO unit(code, name) VALUES (?1, ?2) "
        "ON CONFLICT(code) DO UPDATE SET name = excluded.name WHERE excluded.name <> ''",
        "storing units", d);
    sqlite3_stmt *sa = store_prepare(
        s,
        "INSERT INTO unit_attr(code, attr, value) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(code, attr) DO UPDATE SET value = excluded.value",
        "storing unit attributes", d);
    int ret = -1;
    if (!su || !sa)
        goto out;
    for (size_t u = 0; u < o->nunit; u++) {
        const char *name = o->unit_name && o->unit_name[u] ? o->unit_name[u] : "";
        sqlite3_bind_text(su, 1, o->unit[u], -1, SQLITE_STATIC);
        sqlite3_bind_text(su, 2, name, -1, SQLITE_STATIC);
        if (store_step_done(s, su, "storing units", d) != 0)
            goto out;
        for (size_t a = 0; a < o->nattr && o->attr; a++) {
            const char *v = o->attr[u * o->nattr + a];
            if (!v || !*v)
                continue;   /* unknown here: keep what the store knows */
            sqlite3_bind_text(sa, 1, o->unit[u], -1, SQLITE_STATIC);
            sqlite3_bind_text(sa, 2, o->attr_name[a], -1, SQLITE_STATIC);
            sqlite3_bind_text(sa, 3, v, -1, SQLITE_STATIC);
            if (store_step_done(s, sa, "storing unit attributes", d) != 0)
                goto out;
        }
    }
    ret = 0;
out:
    sqlite3_finalize(su);
    sqlite3_finalize(sa);
    return ret;
}

long store_source_years(const struct obsset *o, size_t f, int **years)
{
    size_t n = 0, end = o->file[f].first + o->file[f].rows;
    int *v = NULL;
    /* the file's rows only: scanning every row for every file made the
     * store stage of 3,844 returns (one per unit and year) take 30-37 s
     * (now 3.4-3.5 s) */
    for (size_t i = o->file[f].first; i < end && i < o->n; i++) {
        if ((size_t)o->v[i].file != f)
            continue;
        int y = o->v[i].year;
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (v[mid] < y)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && v[lo] == y)
            continue;
        int *nv = realloc(v, (n + 1) * sizeof *v);
        if (!nv) {
            free(v);
            return -1;
        }
        v = nv;
        memmove(v + lo + 1, v + lo, (n - lo) * sizeof *v);
        v[lo] = y;
        n++;
    }
    *years = v;
    return (long)n;
}

static int put_sources(struct store *s, const struct obsset *o, const char *loaded,
                       struct diag *d)
{
    sqlite3_stmt *sd = store_prepare(s, "DELETE FROM observation WHERE source = ?1 AND year = ?2",
                                     "replacing a reloaded source", d);
    sqlite3_stmt *ss = NULL;
    int ret = -1, *years = NULL;
    if (!sd || store_source_sheet(s, 1, d) < 0)
        goto out;
    ss = store_prepare(
        s,
        "INSERT INTO source(name, sha256, rows, loaded, sheet) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(name) DO UPDATE SET sha256 = excluded.sha256, "
        "rows = excluded.rows, loaded = excluded.loaded, sheet = excluded.sheet",
        "storing sources", d);
    if (!ss)
        goto out;
    for (size_t f = 0; f < o->nfile; f++) {
        const char *name = source_name(&o->file[f]);
        long ny = store_source_years(o, f, &years);
        if (ny < 0) {
            store_nomem(s, d, "replacing a reloaded source");
            goto out;
        }
        sqlite3_bind_text(sd, 1, name, -1, SQLITE_STATIC);
        for (long k = 0; k < ny; k++) {
            sqlite3_bind_int(sd, 2, years[k]);
            if (store_step_done(s, sd, "replacing a reloaded source", d) != 0)
                goto out;
        }
        free(years);
        years = NULL;
        sqlite3_bind_text(ss, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ss, 2, o->file[f].sha256, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ss, 3, (sqlite3_int64)o->file[f].rows);
        sqlite3_bind_text(ss, 4, loaded, -1, SQLITE_STATIC);
        if (o->file[f].sheet)
            sqlite3_bind_text(ss, 5, o->file[f].sheet, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ss, 5);
        if (store_step_done(s, ss, "storing sources", d) != 0)
            goto out;
    }
    ret = 0;
out:
    free(years);
    sqlite3_finalize(sd);
    sqlite3_finalize(ss);
    return ret;
}

static int put_observations(struct store *s, const struct obsset *o,
                            const struct framework *fw, const char *loaded, struct diag *d)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT OR REPLACE INTO observation(unit, year, indicator, value, se, n, lower, "
        "upper, flag, source, line, loaded) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        "storing observations", d);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 12, loaded, -1, SQLITE_STATIC);
    int ret = 0;
    for (size_t i = 0; i < o->n; i++) {
        const struct obs *ob = &o->v[i];
        const char *ind = obs_ind_code(fw, ob->ind);
        sqlite3_bind_text(st, 1, o->unit[ob->unit], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, ob->year);
        sqlite3_bind_text(st, 3, ind, -1, SQLITE_STATIC);
        store_bind_num(st, 4, ob->value);
        store_bind_num(st, 5, ob->se);
        store_bind_num(st, 6, ob->n);
        store_bind_num(st, 7, ob->lower);
        store_bind_num(st, 8, ob->upper);
        const char *flag = obs_flag(o, ob);
        if (flag)
            sqlite3_bind_text(st, 9, flag, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 9);
        sqlite3_bind_text(st, 10, source_name(&o->file[ob->file]), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, (sqlite3_int64)ob->line);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            ret = store_fail(s, d, rc, "storing observations");
            break;
        }
    }
    sqlite3_finalize(st);
    return ret;
}

int store_put_obsset(struct store *s, const struct obsset *o, const struct framework *fw,
                     size_t *revised, struct diag *d)
{
    if (revised)
        *revised = 0;
    if (check_obsset(s, o, fw, d) != 0)
        return -1;
    if (s->pg)
        return store_pg_put_obsset(s, o, fw, revised, d);
    struct store_op op;
    if (store_op_begin(s, &op, d) != 0)
        return -1;
    char loaded[32];
    long long before = 0, after = 0;
    int ok = 0;
    sqlite3_stmt *cnt = NULL;
    if (store_now(s, loaded, d) != 0 || put_units(s, o, d) != 0 ||
        put_sources(s, o, loaded, d) != 0)
        goto out;
    /* Every source in the set has lost its earlier rows of the years it
     * gives, and the set holds no (unit, year, indicator) twice, so each row
     * the inserts below replace came from another source:
     * revised = before + n - after. */
    cnt = store_prepare(s, "SELECT count(*) FROM observation", "counting observations", d);
    if (!cnt || count_observations(s, cnt, &before, d) != 0)
        goto out;
    if (put_observations(s, o, fw, loaded, d) != 0)
        goto out;
    if (count_observations(s, cnt, &after, d) != 0)
        goto out;
    if (revised) {
        long long r = before + (long long)o->n - after;
        *revised = r > 0 ? (size_t)r : 0;
    }
    ok = 1;
out:
    sqlite3_finalize(cnt);
    return store_op_end(s, &op, ok, d);
}

int store_drop_sources(struct store *s, const struct obsset *o, struct diag *d)
{
    if (s->pg)
        return store_pg_drop_sources(s, o, d);
    struct store_op op;
    if (store_op_begin(s, &op, d) != 0)
        return -1;
    int ok = 0;
    sqlite3_stmt *st = store_prepare(s, "DELETE FROM observation WHERE source = ?1",
                                     "dropping a source's rows", d);
    if (!st)
        goto out;
    for (size_t f = 0; f < o->nfile; f++) {
        if (!o->file[f].name && !o->file[f].path)
            continue;
        sqlite3_bind_text(st, 1, source_name(&o->file[f]), -1, SQLITE_STATIC);
        if (store_step_done(s, st, "dropping a source's rows", d) != 0)
            goto out;
    }
    ok = 1;
out:
    sqlite3_finalize(st);
    return store_op_end(s, &op, ok, d);
}

void store_kept_add(const int *years, long ny, long *k, int y, long long count,
                    size_t *rows, int *first, int *last)
{
    while (*k < ny && years[*k] < y)
        (*k)++;
    if (*k < ny && years[*k] == y)
        return;   /* a year the file gives: its rows are the file's */
    if (!*rows)
        *first = y;
    *last = y;
    *rows += (size_t)count;
}

int store_source_kept(struct store *s, const struct obsset *o, size_t f, size_t *rows,
                      int *first, int *last, struct diag *d)
{
    *rows = 0;
    *first = *last = 0;
    if (f >= o->nfile || (!o->file[f].name && !o->file[f].path)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "store '%s': no data file %zu", s->path, f);
        return -1;
    }
    if (s->pg)
        return store_pg_source_kept(s, o, f, rows, first, last, d);
    int *years = NULL;
    long ny = store_source_years(o, f, &years);
    if (ny < 0)
        return store_nomem(s, d, "reading a source's years");
    sqlite3_stmt *st = store_prepare(s,
                                     "SELECT year, count(*) FROM observation WHERE source = ?1 "
                                     "GROUP BY year ORDER BY year",
                                     "reading a source's years", d);
    int rc = SQLITE_DONE;
    if (st) {
        sqlite3_bind_text(st, 1, source_name(&o->file[f]), -1, SQLITE_STATIC);
        long k = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            store_kept_add(years, ny, &k, sqlite3_column_int(st, 0),
                           sqlite3_column_int64(st, 1), rows, first, last);
        sqlite3_finalize(st);
    }
    free(years);
    if (!st)
        return -1;
    return rc == SQLITE_DONE ? 0 : store_fail(s, d, rc, "reading a source's years");
}
