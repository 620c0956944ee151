/* test_store.c: the SQLite store — observations in and the cube out (the
 * same cube obsset_to_cube builds from the same observations), reloads and
 * revisions, rollback, a busy store, bad files, runs, results, history.
 *
 * Frameworks, obsets and results are built by hand (plain structs), so these
 * tests depend only on the store, the cube and its builder, not on the
 * readers. Counts and values are checked with
 * a second, independent sqlite3 connection where the store's contents matter.
 * Expected numbers are worked by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"
#include "store.h"
#include "testkit_engine.h"

/* ---- fixtures ---------------------------------------------------------- */

/* The framework the data is written with: indicators I1..I4, root IDX,
 * denominator POP. Node indices: I1 0, I2 1, I3 2, I4 3, IDX 4; POP is
 * obs.ind 5 (= nnode + 0). */
static struct fw_node full_node[5];
static char *full_denom[] = {"POP"};
static struct framework fw_full;

/* The framework the cube is read with: I1..I3 and root IDX (I4 is unknown to
 * it, so its rows are skipped); same denominator. */
static struct fw_node small_node[4];
static struct framework fw_small;

/* nind indicators from I1 and root IDX in node, denominator POP. */
static void make_framework(struct framework *fw, struct fw_node *node, int nind)
{
    const char *codes[] = {"I1", "I2", "I3", "I4"};
    for (int i = 0; i < nind; i++)
        tk_node(&node[i], codes[i], 1);
    tk_node(&node[nind], "IDX", 2);
    tk_fw(fw, node, nind + 1, nind, 2);
    fw->ndenom = 1;
    fw->denom = full_denom;
}

static void make_frameworks(void)
{
    make_framework(&fw_full, full_node, 4);
    make_framework(&fw_small, small_node, 3);
}

/* Units in order of first appearance B, A, C: the cube must sort them. */
static char *unit_code[] = {"B", "A", "C"};
static char *unit_name[] = {"Beta", "Alpha", ""};
static char *attr_name[] = {"region", "group"};
static char *attr_val[] = {"north", "g1", /* B */
                           "south", "",   /* A */
                           "",      "g2"}; /* C */

#define OBS(u, i, y, f, ln, v, se, n, lo, hi, fl) \
    {(u), (i), (y), (f), (ln), (v), (se), (n), (lo), (hi), (fl)}

/* Source a.csv: seven rows. Units B=0, A=1, C=2. */
static struct obs obs_a[] = {
    OBS(1, 0, 2020, 0, 2, 10.0, NAN, NAN, 8.0, 12.0, 0),    /* A 2020 I1, CI only */
    OBS(0, 1, 2021, 0, 3, 0.5, NAN, 200.0, NAN, NAN, 1),    /* B 2021 I2, n, flag */
    OBS(2, 2, 2020, 0, 4, 3.0, 0.25, NAN, NAN, NAN, 0),     /* C 2020 I3, se */
    OBS(1, 5, 2021, 0, 5, 1000.0, NAN, NAN, NAN, NAN, 0),   /* A 2021 POP */
    OBS(0, 0, 2020, 0, 6, 7.0, 0.5, NAN, 1.0, 2.0, 0),      /* B 2020 I1, se wins */
    OBS(0, 3, 2019, 0, 7, 42.0, NAN, NAN, NAN, NAN, 0),     /* B 2019 I4: skipped */
    OBS(2, 0, 2021, 0, 8, -1.5, NAN, NAN, NAN, NAN, 0),     /* C 2021 I1 */
};

static struct obs_source src_a = {"a.csv", "a.csv", "aaaa", 7, NULL, 0};
static struct obs_source src_b = {"b.csv", "b.csv", "bbbb", 1, NULL, 0};

static char *flag_text[] = {"e"};   /* obs flag 1 */

static void make_obsset(struct obsset *o, struct obs *v, size_t n, struct obs_source *src)
{
    memset(o, 0, sizeof *o);
    o->nflag = 1;
    o->flag = flag_text;
    o->n = o->alloc = n;
    o->v = v;
    o->nunit = 3;
    o->unit = unit_code;
    o->unit_name = unit_name;
    o->nattr = 2;
    o->attr_name = attr_name;
    o->attr = attr_val;
    o->nfile = 1;
    o->file = src;
}

struct env {
    char dir[64];
    char path[128];
    struct diag d;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    snprintf(e->dir, sizeof e->dir, "/tmp/lcme-store-XXXXXX");
    if (!mkdtemp(e->dir)) {
        free(e);
        return -1;
    }
    snprintf(e->path, sizeof e->path, "%s/lcme.db", e->dir);
    diag_init(&e->d);
    make_frameworks();
    unsetenv("LCME_BUSY_TIMEOUT_MS");
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    char p[160];
    unlink(e->path);
    snprintf(p, sizeof p, "%s-journal", e->path);
    unlink(p);
    snprintf(p, sizeof p, "%s/not.db", e->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/new.db", e->dir);
    unlink(p);
    rmdir(e->dir);
    diag_free(&e->d);
    free(e);
    return 0;
}

/* ---- checks through an independent connection -------------------------- */

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    return db;
}

/* The first row of a query on its own connection *db, stepped to. */
static sqlite3_stmt *raw_row(const char *path, const char *sql, sqlite3 **db)
{
    *db = raw_open(path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(*db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    return st;
}

static void raw_done(sqlite3 *db, sqlite3_stmt *st)
{
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The single integer a query yields. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st = raw_row(path, sql, &db);
    long long v = sqlite3_column_int64(st, 0);
    raw_done(db, st);
    return v;
}

static void raw_text(const char *path, const char *sql, char *buf, size_t len)
{
    sqlite3 *db;
    sqlite3_stmt *st = raw_row(path, sql, &db);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "(null)");
    raw_done(db, st);
}

static void assert_integrity(const char *path)
{
    char buf[64];
    raw_text(path, "PRAGMA integrity_check", buf, sizeof buf);
    assert_string_equal(buf, "ok");
    assert_int_equal(raw_int(path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

static int diag_has(const struct diag *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (strstr(d->v[i].msg, needle))
            return 1;
    return 0;
}

static struct store *open_store(struct env *e)
{
    struct store *s = NULL;
    assert_int_equal(store_open(&s, e->path, 0, &e->d), 0);
    assert_non_null(s);
    return s;
}

static void put(struct env *e, struct store *s, struct obsset *o, size_t *revised)
{
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_put_obsset(s, o, &fw_full, revised, &e->d), 0);
    assert_int_equal(store_commit(s, &e->d), 0);
}

/* store_source_kept of o's file f must say rows, first and last. */
static void expect_kept(struct env *e, struct store *s, const struct obsset *o, size_t f,
                        size_t rows, int first, int last)
{
    size_t got = 99;
    int gf = -1, gl = -1;
    assert_int_equal(store_source_kept(s, o, f, &got, &gf, &gl, &e->d), 0);
    assert_int_equal(got, rows);
    assert_int_equal(gf, first);
    assert_int_equal(gl, last);
}

/* ---- tests ------------------------------------------------------------- */

static void test_schema(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    store_close(s);
    assert_int_equal(raw_int(e->path, "PRAGMA user_version"), 2);
    char mode[32];
    raw_text(e->path, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "delete");
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM sqlite_master WHERE type='table' "
                                      "AND name IN ('observation','source','unit','unit_attr',"
                                      "'run','result')"),
                     6);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM sqlite_master WHERE type='index' "
                                      "AND name='observation_source'"),
                     1);
    /* reopening an existing store neither fails nor recreates */
    s = open_store(e);
    store_close(s);
    store_close(NULL);
    assert_integrity(e->path);
}

static void test_put_and_load(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obsset o;
    make_obsset(&o, obs_a, 7, &src_a);
    size_t revised = 99;
    put(e, s, &o, &revised);
    assert_int_equal(revised, 0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 7);
    assert_int_equal(raw_int(e->path, "SELECT rows FROM source WHERE name='a.csv'"), 7);
    assert_int_equal(raw_int(e->path, "SELECT line FROM observation WHERE unit='C' AND "
                                      "year=2021 AND indicator='I1'"),
                     8);
    assert_int_equal(raw_int(e->path, "SELECT se IS NULL FROM observation WHERE unit='A' "
                                      "AND year=2020 AND indicator='I1'"),
                     1);

    struct cube *c = NULL;
    size_t skipped = 99;
    assert_int_equal(store_load_cube(s, &fw_small, 0.95, &c, &skipped, &e->d), 0);
    assert_non_null(c);
    assert_int_equal(skipped, 1);                   /* the I4 row */
    assert_int_equal(c->nunit, 3);
    assert_string_equal(c->unit[0], "A");
    assert_string_equal(c->unit[1], "B");
    assert_string_equal(c->unit[2], "C");
    assert_string_equal(c->unit_name[0], "Alpha");
    assert_string_equal(c->unit_name[1], "Beta");
    assert_string_equal(c->unit_name[2], "");
    assert_int_equal(c->nind, 3);
    assert_int_equal(c->nyear, 2);                  /* 2019 held only by I4 */
    assert_int_equal(c->year[0], 2020);
    assert_int_equal(c->year[1], 2021);
    /* attributes sorted by name: group, region */
    assert_int_equal(c->nattr, 2);
    assert_string_equal(c->attr_name[0], "group");
    assert_string_equal(c->attr_name[1], "region");
    assert_string_equal(c->attr[0 * 2 + 0], "");      /* A group unknown */
    assert_string_equal(c->attr[0 * 2 + 1], "south"); /* A region */
    assert_string_equal(c->attr[1 * 2 + 0], "g1");    /* B group */
    assert_string_equal(c->attr[2 * 2 + 0], "g2");    /* C group */
    assert_string_equal(c->attr[2 * 2 + 1], "");

    /* A 2020 I1: value 10, CI [8, 12] at 95 %: z = 1.959963984540054,
     * se = (12 - 8) / (2 z) = 2 / 1.959963984540054 = 1.0204269…  */
    size_t at = CUBE_AT(c, 0, 0, 0);
    tk_near(c->value[at], 10.0, 1e-15);
    tk_near(c->se[at], 2.0 / 1.959963984540054, 1e-12);
    assert_true(isnan(c->n[at]));
    assert_int_equal(c->flag[at], 0);
    /* B 2020 I1: se given (0.5) wins over the CI */
    at = CUBE_AT(c, 0, 0, 1);
    tk_near(c->value[at], 7.0, 1e-15);
    tk_near(c->se[at], 0.5, 1e-15);
    /* B 2021 I2: proportion with n = 200, flagged */
    at = CUBE_AT(c, 1, 1, 1);
    tk_near(c->value[at], 0.5, 1e-15);
    tk_near(c->n[at], 200.0, 1e-15);
    assert_true(isnan(c->se[at]));
    assert_int_equal(c->flag[at], CUBE_FLAGGED);
    assert_string_equal(cube_flag_at(c, at), "e");
    /* C 2020 I3 */
    at = CUBE_AT(c, 2, 0, 2);
    tk_near(c->value[at], 3.0, 1e-15);
    tk_near(c->se[at], 0.25, 1e-15);
    /* C 2021 I1 negative value */
    tk_near(c->value[CUBE_AT(c, 0, 1, 2)], -1.5, 1e-15);
    /* nothing else: 5 of 18 cells are set */
    size_t set = 0;
    for (size_t i = 0; i < c->nind * c->nyear * c->nunit; i++)
        set += !isnan(c->value[i]);
    assert_int_equal(set, 5);
    assert_true(isnan(c->value[CUBE_AT(c, 1, 0, 0)]));
    /* denominator POP, A 2021 = 1000; the rest missing */
    assert_int_equal(c->ndenom, 1);
    tk_near(c->denom[(0 * 2 + 1) * 3 + 0], 1000.0, 1e-15);
    assert_true(isnan(c->denom[(0 * 2 + 0) * 3 + 0]));
    assert_true(isnan(c->denom[(0 * 2 + 1) * 3 + 1]));
    cube_free(c);

    /* a 90 % level: z = 1.6448536269514722, se = 2 / z */
    assert_int_equal(store_load_cube(s, &fw_small, 0.90, &c, NULL, &e->d), 0);
    tk_near(c->se[CUBE_AT(c, 0, 0, 0)], 2.0 / 1.6448536269514722, 1e-12);
    cube_free(c);
    /* a level outside (0, 1) is refused */
    assert_int_equal(store_load_cube(s, &fw_small, 95, &c, NULL, &e->d), -1);
    assert_null(c);
    assert_int_equal(e->d.worst, LCME_EUSAGE);
    store_close(s);
    assert_integrity(e->path);
}

/* A unit's attribute value by column name ("" when the cube lacks the
 * column). */
static const char *attr_of(const struct cube *c, size_t u, const char *name)
{
    int a = cube_attr_index(c, name);
    return a < 0 ? "" : c->attr[u * c->nattr + (size_t)a];
}

/* Bitwise equal, so NaN equals NaN and se computed twice must agree to the
 * last bit. */
static void assert_same_doubles(const double *x, const double *y, size_t n)
{
    assert_memory_equal(x, y, n * sizeof *x);
}

static void test_same_cube_both_ways(void **state)
{
    /* The store and obsset_to_cube build their cubes with one builder: the
     * same observations give the same cube, but for the attribute columns'
     * order (the store's in name order, the obsset's as first given). */
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obsset o;
    make_obsset(&o, obs_a, 7, &src_a);
    put(e, s, &o, NULL);
    struct cube *a = NULL, *b = NULL;
    assert_int_equal(store_load_cube(s, &fw_full, 0.95, &a, NULL, &e->d), 0);
    assert_int_equal(obsset_to_cube(&o, &fw_full, 0.95, &b, &e->d), 0);
    assert_int_equal(a->nunit, b->nunit);
    assert_int_equal(a->nind, b->nind);
    assert_int_equal(a->nyear, b->nyear);
    assert_int_equal(a->nyear, 3);                  /* 2019 from I4, 2020, 2021 */
    assert_int_equal(a->ndenom, b->ndenom);
    assert_int_equal(a->nattr, b->nattr);
    assert_memory_equal(a->year, b->year, a->nyear * sizeof *a->year);
    for (size_t u = 0; u < a->nunit; u++) {
        assert_string_equal(a->unit[u], b->unit[u]);
        assert_string_equal(a->unit_name[u], b->unit_name[u]);
        for (size_t k = 0; k < a->nattr; k++) {
            const char *name = a->attr_name[k];
            assert_string_equal(attr_of(a, u, name), attr_of(b, u, name));
        }
    }
    assert_string_equal(a->attr_name[0], "group");
    assert_string_equal(b->attr_name[0], "region");
    size_t cells = a->nind * a->nyear * a->nunit;
    assert_same_doubles(a->value, b->value, cells);
    assert_same_doubles(a->se, b->se, cells);
    assert_same_doubles(a->n, b->n, cells);
    assert_memory_equal(a->flag, b->flag, cells);
    assert_same_doubles(a->denom, b->denom, a->ndenom * a->nyear * a->nunit);
    cube_free(a);
    cube_free(b);
    store_close(s);
}

static void test_reload_and_revise(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obsset o;
    make_obsset(&o, obs_a, 7, &src_a);
    put(e, s, &o, NULL);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 7);

    /* Reload a.csv with only its first three rows (2020 and 2021, issue 14
     * item 3): a.csv's rows of 2020 and 2021 are replaced (three of their
     * six go), its row of 2019, a year the file no longer gives, is kept
     * and counted by store_source_kept. */
    struct obs_source a3 = {"a.csv", "a.csv", "a3a3", 3, NULL, 0};
    make_obsset(&o, obs_a, 3, &a3);
    size_t revised = 99;
    put(e, s, &o, &revised);
    assert_int_equal(revised, 0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 4);
    assert_int_equal(raw_int(e->path, "SELECT rows FROM source WHERE name='a.csv'"), 3);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation WHERE unit='C' "
                                      "AND year=2021"),
                     0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation WHERE unit='B' "
                                      "AND year=2019 AND source='a.csv'"),
                     1);
    expect_kept(e, s, &o, 0, 1, 2019, 2019);
    /* Asked to replace, a.csv drops every row it loaded, 2019's too. */
    assert_int_equal(store_drop_sources(s, &o, &e->d), 0);
    put(e, s, &o, &revised);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 3);
    expect_kept(e, s, &o, 0, 0, 0, 0);

    /* b.csv revises A 2020 I1 (held from a.csv) and adds nothing else. */
    struct obs obs_b[] = {OBS(1, 0, 2020, 0, 2, 11.0, NAN, NAN, NAN, NAN, 0)};
    make_obsset(&o, obs_b, 1, &src_b);
    put(e, s, &o, &revised);
    assert_int_equal(revised, 1);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 3);
    char src[32];
    raw_text(e->path, "SELECT source FROM observation WHERE unit='A' AND year=2020 AND "
                      "indicator='I1'", src, sizeof src);
    assert_string_equal(src, "b.csv");
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM source"), 2);

    /* Loading b.csv again replaces its own row: not a revision. */
    put(e, s, &o, &revised);
    assert_int_equal(revised, 0);

    struct cube *c = NULL;
    assert_int_equal(store_load_cube(s, &fw_small, 0.95, &c, NULL, &e->d), 0);
    tk_near(c->value[CUBE_AT(c, 0, 0, cube_unit_index(c, "A"))], 11.0, 1e-15);
    assert_true(isnan(c->se[CUBE_AT(c, 0, 0, cube_unit_index(c, "A"))]));
    cube_free(c);

    /* Reloading all of a.csv, outside an explicit transaction (the call is
     * atomic on its own): its A 2020 I1 takes the row back from b.csv, which
     * is one revision; the other six rows are new or a.csv's own. */
    make_obsset(&o, obs_a, 7, &src_a);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, &revised, &e->d), 0);
    assert_int_equal(revised, 1);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 7);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation WHERE "
                                      "source='b.csv'"),
                     0);
    store_close(s);
    assert_integrity(e->path);
}

static void test_rollback(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obsset o;
    struct obs_source a3 = {"a.csv", "a.csv", "a3a3", 3, NULL, 0};
    make_obsset(&o, obs_a, 3, &a3);
    put(e, s, &o, NULL);
    long long obs0 = raw_int(e->path, "SELECT count(*) FROM observation");
    long long src0 = raw_int(e->path, "SELECT count(*) FROM source");
    long long run0 = raw_int(e->path, "SELECT count(*) FROM run");

    assert_int_equal(store_begin(s, &e->d), 0);
    make_obsset(&o, obs_a, 7, &src_a);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, NULL, &e->d), 0);
    struct obsset ob;
    struct obs obs_b[] = {OBS(2, 2, 2022, 0, 2, 1.0, NAN, NAN, NAN, NAN, 0)};
    make_obsset(&ob, obs_b, 1, &src_b);
    assert_int_equal(store_put_obsset(s, &ob, &fw_full, NULL, &e->d), 0);
    assert_int_equal(store_run_begin(s, "r1", "batch", 2022, "2022-12-31T00:00:00", "{}",
                                     7, "abc", &e->d),
                     0);
    store_rollback(s);

    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), obs0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM source"), src0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM run"), run0);
    assert_int_equal(raw_int(e->path, "SELECT rows FROM source WHERE name='a.csv'"), 3);

    /* A transaction left open is rolled back by store_close. */
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_put_obsset(s, &ob, &fw_full, NULL, &e->d), 0);
    store_close(s);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), obs0);
    assert_integrity(e->path);
}

/* Two files in one obsset, each file's rows a block of its own (as ingest
 * appends them): reloading q.csv with only its 2022 row replaces that year
 * and keeps its 2019 row, which store_source_kept counts; p.csv's rows are
 * untouched. Expected counts follow from the rows below, by hand. */
static void test_two_files(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obs v[] = {
        OBS(0, 0, 2020, 0, 2, 1.0, NAN, NAN, NAN, NAN, 0),   /* p.csv */
        OBS(1, 0, 2021, 0, 3, 2.0, NAN, NAN, NAN, NAN, 0),
        OBS(0, 1, 2019, 1, 2, 3.0, NAN, NAN, NAN, NAN, 0),   /* q.csv */
        OBS(2, 1, 2022, 1, 3, 4.0, NAN, NAN, NAN, NAN, 0),
    };
    struct obs_source src[2] = {{"p.csv", "p.csv", "pppp", 2, NULL, 0},
                                {"q.csv", "q.csv", "qqqq", 2, NULL, 2}};
    struct obsset o;
    make_obsset(&o, v, 4, src);
    o.nfile = 2;
    put(e, s, &o, NULL);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation "
                                      "WHERE source = 'q.csv'"), 2);

    struct obs v2[] = {
        OBS(0, 0, 2020, 0, 2, 1.0, NAN, NAN, NAN, NAN, 0),
        OBS(1, 0, 2021, 0, 3, 2.0, NAN, NAN, NAN, NAN, 0),
        OBS(2, 1, 2022, 1, 2, 5.0, NAN, NAN, NAN, NAN, 0),
    };
    struct obs_source src2[2] = {{"p.csv", "p.csv", "pppp", 2, NULL, 0},
                                 {"q.csv", "q.csv", "q2q2", 1, NULL, 2}};
    make_obsset(&o, v2, 3, src2);
    o.nfile = 2;
    expect_kept(e, s, &o, 1, 1, 2019, 2019);
    expect_kept(e, s, &o, 0, 0, 0, 0);
    put(e, s, &o, NULL);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation "
                                      "WHERE source = 'q.csv'"), 2);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation WHERE year = 2022 AND "
                                      "value = 5"), 1);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation "
                                      "WHERE source = 'p.csv'"), 2);
    store_close(s);
    assert_integrity(e->path);
}

/* A bad observation index fails the whole call inside the caller's
 * transaction, and what the call had written is undone. */
static void test_failed_put_is_undone(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct obsset o;
    make_obsset(&o, obs_a, 3, &src_a);
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, NULL, &e->d), 0);
    struct obs bad[] = {OBS(0, 17, 2020, 0, 2, 1.0, NAN, NAN, NAN, NAN, 0)};
    struct obsset ob;
    make_obsset(&ob, bad, 1, &src_b);
    assert_int_equal(store_put_obsset(s, &ob, &fw_full, NULL, &e->d), -1);
    assert_int_equal(e->d.worst, LCME_EINTERNAL);
    assert_int_equal(store_commit(s, &e->d), 0);
    store_close(s);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 3);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM source"), 1);
    assert_integrity(e->path);
}

static void test_busy(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    store_close(s);

    sqlite3 *other = raw_open(e->path);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    setenv("LCME_BUSY_TIMEOUT_MS", "100", 1);
    s = open_store(e);   /* reading the schema is allowed beside a writer */
    assert_int_equal(store_begin(s, &e->d), -1);
    assert_int_equal(e->d.worst, LCME_EBUSY);
    char want[256];
    snprintf(want, sizeof want,
             "store '%s' is busy (another lcme run holds it); try again later", e->path);
    assert_int_equal(e->d.n, 1);
    assert_string_equal(e->d.v[0].msg, want);
    /* a write outside a transaction waits and fails the same way */
    diag_clear(&e->d);
    struct obsset o;
    make_obsset(&o, obs_a, 3, &src_a);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, NULL, &e->d), -1);
    assert_int_equal(e->d.worst, LCME_EBUSY);

    /* once the other writer is gone the store is free again */
    assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    diag_clear(&e->d);
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_commit(s, &e->d), 0);
    store_close(s);
    unsetenv("LCME_BUSY_TIMEOUT_MS");
    assert_integrity(e->path);
}

static void test_bad_files(void **state)
{
    struct env *e = *state;
    struct store *s = NULL;
    char p[160];

    /* not a database */
    snprintf(p, sizeof p, "%s/not.db", e->dir);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    for (int i = 0; i < 64; i++)
        fputs("unit,year,indicator,value\n", f);
    fclose(f);
    assert_int_equal(store_open(&s, p, 0, &e->d), -1);
    assert_null(s);
    char want[256];
    snprintf(want, sizeof want, "cannot open store '%s': the file is not an SQLite database",
             p);
    assert_string_equal(e->d.v[0].msg, want);
    diag_clear(&e->d);
    assert_int_equal(store_open(&s, p, 1, &e->d), -1);
    assert_true(diag_has(&e->d, "not an SQLite database"));
    unlink(p);

    /* read-only and missing: clear, and nothing is created */
    diag_clear(&e->d);
    snprintf(p, sizeof p, "%s/new.db", e->dir);
    assert_int_equal(store_open(&s, p, 1, &e->d), -1);
    snprintf(want, sizeof want, "cannot open store '%s': No such file or directory", p);
    assert_string_equal(e->d.v[0].msg, want);
    assert_int_equal(access(p, F_OK), -1);

    /* a newer schema version */
    diag_clear(&e->d);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA user_version = 99", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(&s, p, 0, &e->d), -1);
    assert_true(diag_has(&e->d, "schema version 99 is newer"));

    /* an SQLite database that is not a store */
    diag_clear(&e->d);
    assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(store_open(&s, p, 0, &e->d), -1);
    assert_true(diag_has(&e->d, "not an lcme store"));
    unlink(p);

    /* a folder that does not exist */
    diag_clear(&e->d);
    snprintf(p, sizeof p, "%s/no/such/dir/x.db", e->dir);
    assert_int_equal(store_open(&s, p, 0, &e->d), -1);
    assert_true(diag_has(&e->d, "cannot open store"));

    /* read-only store: reads work, writes give a clear message */
    diag_clear(&e->d);
    s = open_store(e);
    store_close(s);
    assert_int_equal(store_open(&s, e->path, 1, &e->d), 0);
    struct cube *c = NULL;
    assert_int_equal(store_load_cube(s, &fw_small, 0.95, &c, NULL, &e->d), 0);
    assert_int_equal(c->nunit, 0);
    cube_free(c);
    struct obsset o;
    make_obsset(&o, obs_a, 3, &src_a);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, NULL, &e->d), -1);
    assert_true(diag_has(&e->d, "is read-only"));
    store_close(s);
    assert_integrity(e->path);
}

/* Results for the 3 units (A, B, C) x 2 years x 4 nodes of fw_small. */
static void make_results(struct results *r, double *score, double *rank, double *lo,
                         double *hi)
{
    memset(r, 0, sizeof *r);
    r->nnode = 4;
    r->nyear = 2;
    r->nunit = 3;
    for (size_t i = 0; i < 24; i++)
        score[i] = rank[i] = lo[i] = hi[i] = NAN;
    r->score = score;
    r->rank = rank;
    /* I1 2020: A 100, B 0, C missing */
    score[RES_AT(r, 0, 0, 0)] = 100.0;
    rank[RES_AT(r, 0, 0, 0)] = 1;
    score[RES_AT(r, 0, 0, 1)] = 0.0;
    rank[RES_AT(r, 0, 0, 1)] = 2;
    /* IDX 2021: A 40, B 55.5 with CI [50, 60], C 40 (tie) */
    score[RES_AT(r, 3, 1, 0)] = 40.0;
    rank[RES_AT(r, 3, 1, 0)] = 2;
    score[RES_AT(r, 3, 1, 1)] = 55.5;
    rank[RES_AT(r, 3, 1, 1)] = 1;
    lo[RES_AT(r, 3, 1, 1)] = 50.0;
    hi[RES_AT(r, 3, 1, 1)] = 60.0;
    score[RES_AT(r, 3, 1, 2)] = 40.0;
    rank[RES_AT(r, 3, 1, 2)] = 2;
}

/* Store a.csv in s and return the cube of fw_small it gives (3 units,
 * 2020 and 2021). */
static struct cube *put_a(struct env *e, struct store *s)
{
    struct obsset o;
    make_obsset(&o, obs_a, 7, &src_a);
    put(e, s, &o, NULL);
    struct cube *c = NULL;
    assert_int_equal(store_load_cube(s, &fw_small, 0.95, &c, NULL, &e->d), 0);
    return c;
}

static void test_runs_results_history(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct cube *c = put_a(e, s);
    assert_int_equal(c->nunit, 3);
    assert_int_equal(c->nyear, 2);

    double score[24], rank[24], lo[24], hi[24];
    struct results r;
    make_results(&r, score, rank, lo, hi);

    /* run r1 without intervals */
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_run_begin(s, "r1", "HK 2021", 2021, "2021-12-31T00:00:00",
                                     "[method]\nnormalise=minmax\n", 4000000000UL, "ffee",
                                     &e->d),
                     0);
    assert_int_equal(store_put_results(s, "r1", &fw_small, c, &r, &e->d), 0);
    assert_int_equal(store_run_finish(s, "r1", "done", &e->d), 0);
    assert_int_equal(store_commit(s, &e->d), 0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM result WHERE run='r1'"), 5);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM result WHERE ci_low IS NOT NULL"),
                     0);
    char txt[64];
    raw_text(e->path, "SELECT engine_version FROM run WHERE id='r1'", txt, sizeof txt);
    assert_string_equal(txt, LCME_VERSION);
    raw_text(e->path, "SELECT status FROM run WHERE id='r1'", txt, sizeof txt);
    assert_string_equal(txt, "done");

    /* rerun r1 with intervals: the old results go first */
    r.ci_low = lo;
    r.ci_high = hi;
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_run_begin(s, "r1", "HK 2021", 2021, "2021-12-31T00:00:00", "",
                                     4000000000UL, "ffee", &e->d),
                     0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM result WHERE run='r1'"), 5);
    assert_int_equal(store_put_results(s, "r1", &fw_small, c, &r, &e->d), 0);
    assert_int_equal(store_run_finish(s, "r1", "done", &e->d), 0);
    assert_int_equal(store_commit(s, &e->d), 0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM result WHERE run='r1'"), 5);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM run"), 1);
    /* the row IDX, B, 2021 */
    sqlite3 *db = raw_open(e->path);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT level, score, ci_low, ci_high, rank, "
                                        "rank_low IS NULL, rank_high IS NULL FROM result "
                                        "WHERE run='r1' AND node='IDX' AND year=2021 AND "
                                        "unit='B'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    tk_near(sqlite3_column_double(st, 1), 55.5, 1e-15);
    tk_near(sqlite3_column_double(st, 2), 50.0, 1e-15);
    tk_near(sqlite3_column_double(st, 3), 60.0, 1e-15);
    tk_near(sqlite3_column_double(st, 4), 1.0, 1e-15);
    assert_int_equal(sqlite3_column_int(st, 5), 1);
    assert_int_equal(sqlite3_column_int(st, 6), 1);
    sqlite3_finalize(st);
    /* the row I1, A, 2020: an indicator's level is 1, missing CI is NULL */
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT level, score, ci_low IS NULL FROM result "
                                        "WHERE run='r1' AND node='I1' AND year=2020 AND "
                                        "unit='A'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    tk_near(sqlite3_column_double(st, 1), 100.0, 1e-15);
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* an earlier run r0 that failed (begun outside a transaction) */
    assert_int_equal(store_run_begin(s, "r0", "HK 2020", 2020, "2020-12-31T00:00:00", NULL,
                                     1, NULL, &e->d),
                     0);
    assert_int_equal(store_run_finish(s, "r0", "failed", &e->d), 0);
    /* bad status, unknown run, results of a run never begun */
    assert_int_equal(store_run_finish(s, "r0", "finished", &e->d), -1);
    assert_int_equal(store_run_finish(s, "nope", "done", &e->d), -1);
    assert_int_equal(store_put_results(s, "nope", &fw_small, c, &r, &e->d), -1);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM result"), 5);
    /* results that do not fit the cube */
    r.nunit = 2;
    assert_int_equal(store_put_results(s, "r1", &fw_small, c, &r, &e->d), -1);
    r.nunit = 3;

    /* b.csv adds a 2018 row */
    struct obs obs_b[] = {OBS(2, 2, 2018, 0, 2, 1.0, NAN, NAN, NAN, NAN, 0)};
    struct obsset o;
    make_obsset(&o, obs_b, 1, &src_b);
    put(e, s, &o, NULL);

    struct store_history h;
    assert_int_equal(store_history_read(s, &h, &e->d), 0);
    assert_int_equal(h.nrun, 2);
    assert_string_equal(h.run[0].id, "r0");        /* started earlier */
    assert_string_equal(h.run[0].status, "failed");
    assert_int_equal(h.run[0].year, 2020);
    assert_int_equal(h.run[0].seed, 1);
    assert_string_equal(h.run[1].id, "r1");
    assert_string_equal(h.run[1].batch, "HK 2021");
    assert_string_equal(h.run[1].started, "2021-12-31T00:00:00");
    assert_string_equal(h.run[1].status, "done");
    assert_string_equal(h.run[1].engine_version, LCME_VERSION);
    assert_true(h.run[1].seed == 4000000000UL);
    assert_int_equal(h.nsource, 2);
    assert_string_equal(h.source[0].name, "a.csv");
    assert_string_equal(h.source[0].sha256, "aaaa");
    assert_int_equal(h.source[0].rows, 7);
    assert_int_equal(h.source[0].first_year, 2019);
    assert_int_equal(h.source[0].last_year, 2021);
    assert_int_equal(strlen(h.source[0].loaded), 20);   /* YYYY-MM-DDTHH:MM:SSZ */
    assert_string_equal(h.source[1].name, "b.csv");
    assert_int_equal(h.source[1].rows, 1);
    assert_int_equal(h.source[1].first_year, 2018);
    assert_int_equal(h.source[1].last_year, 2018);
    /* years: 2018 (1, b.csv), 2019 (1: I4), 2020 (3), 2021 (3) */
    assert_int_equal(h.nyear, 4);
    int wy[] = {2018, 2019, 2020, 2021};
    long wr[] = {1, 1, 3, 3};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(h.year[i], wy[i]);
        assert_int_equal(h.year_rows[i], wr[i]);
    }
    store_history_free(&h);
    store_history_free(&h);   /* harmless twice */
    store_history_free(NULL);

    cube_free(c);
    store_close(s);
    assert_integrity(e->path);
}

/* Issue 14 item 7: a damaged page of the result table, which no statement
 * of a run reads, is found when the store is opened for writing (quick
 * check) and nothing is written; read-only opening (history) still works.
 * Also store_run_status, which the output folder's recovery asks. */
static void test_damaged_page(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    struct cube *c = put_a(e, s);
    double score[24], rank[24], lo[24], hi[24];
    struct results r;
    make_results(&r, score, rank, lo, hi);
    assert_int_equal(store_begin(s, &e->d), 0);
    assert_int_equal(store_run_begin(s, "r1", "HK 2021", 2021, "2021-12-31T00:00:00", "", 1,
                                     "ff", &e->d),
                     0);
    assert_int_equal(store_put_results(s, "r1", &fw_small, c, &r, &e->d), 0);
    assert_int_equal(store_run_finish(s, "r1", "done", &e->d), 0);
    assert_int_equal(store_commit(s, &e->d), 0);
    char status[16];
    assert_int_equal(store_run_status(s, "r1", status, sizeof status, &e->d), 0);
    assert_string_equal(status, "done");
    assert_int_equal(store_run_status(s, "r9", status, sizeof status, &e->d), 0);
    assert_string_equal(status, "");
    cube_free(c);
    store_close(s);

    /* scribble over the result table's root page, keeping the file's size */
    long long root = raw_int(e->path, "SELECT rootpage FROM sqlite_master WHERE name='result'");
    long long psize = raw_int(e->path, "PRAGMA page_size");
    FILE *fp = fopen(e->path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, (long)((root - 1) * psize), SEEK_SET), 0);
    for (int i = 0; i < 64; i++)
        fputc(0xA5, fp);
    fclose(fp);
    s = NULL;
    assert_int_equal(store_open(&s, e->path, 0, &e->d), -1);
    assert_null(s);
    assert_int_equal(e->d.worst, LCME_ESTORE);
    assert_true(diag_has(&e->d, "is damaged"));
    diag_clear(&e->d);
    assert_int_equal(store_open(&s, e->path, 1, &e->d), 0);
    store_close(s);
}

/* Issue 14 item 8: a store a failed first run created holds nothing and is
 * deleted by store_close_discard; one that holds data is only closed. */
static void test_discard_empty(void **state)
{
    struct env *e = *state;
    struct store *s = open_store(e);
    assert_int_equal(store_begin(s, &e->d), 0);
    struct obsset o;
    make_obsset(&o, obs_a, 7, &src_a);
    assert_int_equal(store_put_obsset(s, &o, &fw_full, NULL, &e->d), 0);
    store_close_discard(s);   /* rolls back: nothing was committed */
    assert_int_equal(access(e->path, F_OK), -1);
    s = open_store(e);
    put(e, s, &o, NULL);
    store_close_discard(s);
    assert_int_equal(access(e->path, F_OK), 0);
    assert_int_equal(raw_int(e->path, "SELECT count(*) FROM observation"), 7);
    store_close_discard(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_cube_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_and_revise, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_put_is_undone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_runs_results_history, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discard_empty, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
