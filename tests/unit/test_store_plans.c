/* test_store_plans.c: action plans in the store (store_plans.c): a plan
 * revised in a later year keeps its first version with its objectives and
 * its runs; storing a version again changes only its first year; each run
 * names the version it was judged on; a store that never saw a plan has no
 * plan tables and an empty plan history, also after a rolled-back batch.
 *
 * Plans are built by hand (plain structs), so the test depends on the store
 * alone; contents are checked through a second sqlite3 connection.
 */
#include "testkit.h"

#include <sqlite3.h>

#include "plan.h"
#include "store.h"

/* A plan of two objectives, version id ver (16 hex digits, made up). */
struct fixture_plan {
    struct plan p;
    struct plan_objective obj[2];
    char *path[1], *name[1];
};

static void make_plan(struct fixture_plan *f, const char *ver, double city_target)
{
    memset(f, 0, sizeof *f);
    static char unit_all[] = "*", unit_a[] = "A", rate[] = "rate", city[] = "City";
    static char lt[] = "long term", mt[] = "medium term", owner[] = "Education Bureau",
                empty[] = "", file[] = "plan.csv";
    f->obj[0] = (struct plan_objective){unit_all, rate, 3, 60, 2026, 2016, lt, owner, empty,
                                        0, 2, 1};
    f->obj[1] = (struct plan_objective){unit_a, city, 5, city_target, 2030, 0, mt, empty,
                                        empty, 0, 3, 1};
    f->path[0] = f->name[0] = file;
    f->p.n = 2;
    f->p.obj = f->obj;
    f->p.nfile = 1;
    f->p.path = f->path;
    f->p.name = f->name;
    snprintf(f->p.version, sizeof f->p.version, "%s", ver);
    snprintf(f->p.sha256, sizeof f->p.sha256, "%s%048d", ver, 0);
}

/* The single integer a query yields, on its own connection. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Begin run id of year, store plan f for it, commit. */
static void judged_on(struct store *s, const char *id, int year, struct fixture_plan *f,
                      struct diag *d)
{
    assert_int_equal(store_begin(s, d), 0);
    assert_int_equal(store_run_begin(s, id, "Plans", year, "2026-12-31T00:00:00Z", "", 1,
                                     "ff", d),
                     0);
    assert_int_equal(store_put_plan(s, id, &f->p, year, d), 0);
    assert_int_equal(store_run_finish(s, id, "done", d), 0);
    tk_print_diag(d);
    assert_int_equal(store_commit(s, d), 0);
}

/* A new store tk_dir/name, its path into path. */
static struct store *new_store(const char *name, char *path, size_t len, struct diag *d)
{
    snprintf(path, len, "%s/%s", tk_dir, name);
    diag_init(d);
    struct store *s = NULL;
    assert_int_equal(store_open(&s, path, 0, d), 0);
    return s;
}

static void test_revised_plan_keeps_first_version(void **state)
{
    (void)state;
    char path[256];
    struct diag d;
    struct store *s = new_store("lcme.db", path, sizeof path, &d);
    struct store_plan_history h;
    assert_int_equal(store_plan_history_read(s, &h, &d), 0);
    assert_int_equal(h.n, 0);                       /* no plan tables yet */
    store_plan_history_free(&h);

    struct fixture_plan v1, v2;
    make_plan(&v1, "1111111111111111", 70);
    make_plan(&v2, "2222222222222222", 75);        /* the City target revised */
    judged_on(s, "run2025", 2025, &v1, &d);
    judged_on(s, "run2026", 2026, &v2, &d);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM plan_version"), 2);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM plan_objective "
                                   "WHERE version = '1111111111111111'"), 2);
    assert_int_equal(raw_int(path, "SELECT target FROM plan_objective "
                                   "WHERE version = '1111111111111111' AND node = 'City'"), 70);
    assert_int_equal(raw_int(path, "SELECT target FROM plan_objective "
                                   "WHERE version = '2222222222222222' AND node = 'City'"), 75);
    assert_int_equal(raw_int(path, "SELECT baseline_year IS NULL FROM plan_objective "
                                   "WHERE version = '1111111111111111' AND seq = 2"), 1);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM run_plan WHERE run = 'run2025' "
                                   "AND version = '1111111111111111'"), 1);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM run_plan WHERE run = 'run2026' "
                                   "AND version = '2222222222222222'"), 1);

    /* a rerun of 2025 on the first version and an earlier 2024 run on it:
       its objectives are not written again, its first year becomes 2024 */
    judged_on(s, "run2025", 2025, &v1, &d);
    judged_on(s, "run2024", 2024, &v1, &d);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM plan_objective"), 4);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM run_plan"), 3);

    assert_int_equal(store_plan_history_read(s, &h, &d), 0);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.v[0].id, "1111111111111111");   /* first judged earliest */
    assert_int_equal(h.v[0].first_year, 2024);
    assert_int_equal(h.v[0].objectives, 2);
    assert_string_equal(h.v[0].years, "2024, 2025");
    assert_string_equal(h.v[0].files, "plan.csv");
    assert_string_equal(h.v[1].id, "2222222222222222");
    assert_int_equal(h.v[1].first_year, 2026);
    assert_string_equal(h.v[1].years, "2026");
    store_plan_history_free(&h);
    store_plan_history_free(&h);                    /* harmless twice */
    store_plan_history_free(NULL);
    store_close(s);
    diag_free(&d);
}

static void test_rolled_back_plan_leaves_nothing(void **state)
{
    (void)state;
    char path[256];
    struct diag d;
    struct store *s = new_store("rb.db", path, sizeof path, &d);
    struct fixture_plan v1;
    make_plan(&v1, "1111111111111111", 70);
    assert_int_equal(store_begin(s, &d), 0);
    assert_int_equal(store_run_begin(s, "r", "Plans", 2025, "", "", 1, "ff", &d), 0);
    assert_int_equal(store_put_plan(s, "r", &v1.p, 2025, &d), 0);
    store_rollback(s);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
                                   "WHERE name LIKE 'plan%' OR name = 'run_plan'"), 0);
    /* a run never begun cannot be judged on a plan (foreign key) */
    assert_int_equal(store_put_plan(s, "nobody", &v1.p, 2025, &d), -1);
    assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master "
                                   "WHERE name LIKE 'plan%'"), 0);
    store_close(s);
    /* read-only, without the tables: an empty history */
    assert_int_equal(store_open(&s, path, 1, &d), 0);
    struct store_plan_history h;
    assert_int_equal(store_plan_history_read(s, &h, &d), 0);
    assert_int_equal(h.n, 0);
    store_close(s);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_revised_plan_keeps_first_version, tk_dir_setup,
                                        tk_dir_teardown),
        cmocka_unit_test_setup_teardown(test_rolled_back_plan_leaves_nothing, tk_dir_setup,
                                        tk_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
