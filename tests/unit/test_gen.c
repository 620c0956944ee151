/* test_gen.c: the synthetic batch generator (engine/input/gen.c).
 *
 * Checks option parsing (defaults, every option, bad values refused with
 * LCME_EUSAGE), determinism (same seed -> same bytes in every file, another
 * seed -> other values), the row count against units x indicators x years x
 * (1 - missing) (binomial tolerance), that every value lies in the
 * indicator's declared [min, max] and carries n only for survey indicators,
 * that a higher missing share only removes rows, and that batch.ini's
 * framework path resolves to the framework given.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "diag.h"
#include "framework.h"
#include "gen.h"
#include "path.h"
#include "testkit.h"

#ifndef LCME_SOURCE_DIR
#define LCME_SOURCE_DIR "."
#endif

/* DIR/NAME, whole; NULL if absent. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    return tk_slurpf(len, "%s/%s", dir, name);
}

static char *tmpdir(void)
{
    char *out = tk_tmpdir("gen");
    assert_non_null(out);
    return out;
}

static void rmdir_all(char *dir)
{
    path_remove_tree(dir);
    free(dir);
}

/* Parse a NULL-terminated argument list. */
static int parse(struct gen_options *o, struct diag *d, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "gen";
    va_list ap;
    va_start(ap, d);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return gen_parse_args(argc, argv, o, d);
}

static void test_parse_defaults(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct gen_options o;
    assert_int_equal(parse(&o, &d, "-o", "out", NULL), 0);
    assert_int_equal(diag_count(&d), 0);
    assert_string_equal(o.outdir, "out");
    assert_null(o.framework);
    assert_null(o.unit_file);
    assert_int_equal(o.units, 20);
    assert_int_equal(o.per_feature, 3);
    assert_int_equal(o.first_year, 2016);
    assert_int_equal(o.years, 11);
    assert_true(fabs(o.missing - 0.05) < 1e-12);
    assert_int_equal(o.seed, 20161112UL);
    assert_int_equal(o.year, 0);
    assert_int_equal(o.help, 0);
    diag_free(&d);
}

static void test_parse_all(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct gen_options o;
    assert_int_equal(parse(&o, &d, "--units", "356", "--indicators-per-feature=4",
                           "--first-year", "2010", "--years=15", "--year", "2020",
                           "--missing", "0.25", "--survey=0.5", "--seed", "42",
                           "--name", "Network run", "--scope=per-year", "-oDIR", NULL),
                     0);
    assert_int_equal(o.units, 356);
    assert_int_equal(o.per_feature, 4);
    assert_int_equal(o.first_year, 2010);
    assert_int_equal(o.years, 15);
    assert_int_equal(o.year, 2020);
    assert_true(fabs(o.missing - 0.25) < 1e-12);
    assert_true(fabs(o.survey - 0.5) < 1e-12);
    assert_int_equal(o.seed, 42);
    assert_string_equal(o.name, "Network run");
    assert_int_equal(o.per_year_scope, 1);
    assert_string_equal(o.outdir, "DIR");

    assert_int_equal(parse(&o, &d, "--framework", "fw.csv", "--unit-file", "u.csv",
                           "--output", "x", NULL), 0);
    assert_string_equal(o.framework, "fw.csv");
    assert_string_equal(o.unit_file, "u.csv");
    assert_string_equal(o.outdir, "x");

    assert_int_equal(parse(&o, &d, "--help", NULL), 1);
    assert_int_equal(o.help, 1);
    assert_int_equal(parse(&o, &d, "-h", "--units", "3", NULL), 1);
    gen_options_free(&o);
    assert_null(o.outdir);
    gen_options_free(NULL);
    assert_int_equal(diag_count(&d), 0);
    assert_non_null(strstr(gen_usage(), "--unit-file"));
    diag_free(&d);
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const char *bad[][6] = {
        {"--units", "0", "-o", "x"},
        {"--units", "12abc", "-o", "x"},
        {"--units", "-5", "-o", "x"},
        {"--units", "99999999999999999999", "-o", "x"},
        {"--years", "0", "-o", "x"},
        {"--first-year", "99", "-o", "x"},
        {"--first-year", "9999", "--years", "2", "-o", "x"},
        {"--missing", "1", "-o", "x"},
        {"--missing", "-0.1", "-o", "x"},
        {"--missing", "nan", "-o", "x"},
        {"--missing", "0,05", "-o", "x"},
        {"--survey", "1.5", "-o", "x"},
        {"--seed", "-1", "-o", "x"},
        {"--seed", "12x", "-o", "x"},
        {"--seed", "4294967296", "-o", "x"},    /* issue 14 item 8: past the batch's */
        {"--seed", "5000000000", "-o", "x"},    /* seed range, which run would refuse */
        {"--indicators-per-feature", "0", "-o", "x"},
        {"--year", "2040", "-o", "x"},
        {"--scope", "yearly", "-o", "x"},
        {"--name", "a;b", "-o", "x"},
        {"--bogus", "1", "-o", "x"},
        {"-q", "-o", "x"},
        {"stray", "-o", "x"},
        {"--units", "3"},                       /* no -o */
        {"-o"},                                 /* -o without value */
        {"--units", "3", "--unit-file", "u.csv", "-o", "x"},
        {"--framework", "f.csv", "--indicators-per-feature", "2", "-o", "x"},
        {"--framework", "f.csv", "--survey", "0.2", "-o", "x"},
        {"--units", "3", "--units", "4", "-o", "x"},
        {"--help=yes"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char *argv[8] = {"gen"};
        int argc = 1;
        for (int j = 0; j < 6 && bad[k][j]; j++)
            argv[argc++] = (char *)bad[k][j];
        struct diag d;
        diag_init(&d);
        struct gen_options o;
        int r = gen_parse_args(argc, argv, &o, &d);
        if (r != -1 || d.worst != LCME_EUSAGE || d.n == 0)
            fail_msg("case %zu (%s %s) was not refused", k, argv[1], argc > 2 ? argv[2] : "");
        assert_non_null(d.v[0].msg);
        assert_true(strlen(d.v[0].msg) > 10);
        diag_free(&d);
    }
}

/* Run gen_write into a fresh folder; returns the folder (caller removes). */
static char *run(struct gen_options *o)
{
    char *dir = tmpdir();
    o->outdir = dir;
    struct diag d;
    diag_init(&d);
    int r = gen_write(o, &d);
    if (r != 0) {
        char buf[512];
        fail_msg("gen_write failed: %s", d.n ? diag_format(&d, 0, buf, sizeof buf) : "?");
    }
    diag_free(&d);
    return dir;
}

static int same_file(const char *a, const char *b, const char *name)
{
    size_t la = 0, lb = 0;
    char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
    assert_non_null(x);
    assert_non_null(y);
    int same = la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void test_deterministic(void **state)
{
    (void)state;
    struct gen_options o;
    gen_options_init(&o);
    o.units = 12;
    o.years = 4;
    o.seed = 7;
    char *a = run(&o), *b = run(&o);
    static const char *files[] = {"framework.csv", "units.csv", "observations.csv", "batch.ini"};
    for (int k = 0; k < 4; k++)
        assert_true(same_file(a, b, files[k]));
    o.seed = 8;
    char *c = run(&o);
    assert_false(same_file(a, c, "observations.csv"));
    assert_true(same_file(a, c, "framework.csv"));   /* the tree does not depend on the seed */
    rmdir_all(a);
    rmdir_all(b);
    rmdir_all(c);
}

static long count_lines(const char *dir, const char *name)
{
    size_t len = 0;
    char *s = slurp(dir, name, &len);
    assert_non_null(s);
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    free(s);
    return n;
}

static void test_row_count(void **state)
{
    (void)state;
    struct gen_options o;
    gen_options_init(&o);
    o.units = 30;
    o.per_feature = 2;   /* 84 indicators */
    o.years = 6;
    o.missing = 0;
    char *a = run(&o);
    long cells = 30L * 84 * 6;   /* 15,120 */
    assert_int_equal(count_lines(a, "observations.csv") - 1, cells);
    assert_int_equal(count_lines(a, "units.csv") - 1, 30);
    /* 1 root + 3 areas + 12 focus + 42 features + 84 indicators, plus header */
    assert_int_equal(count_lines(a, "framework.csv"), 1 + 1 + 3 + 12 + 42 + 84);
    rmdir_all(a);

    o.missing = 0.2;
    a = run(&o);
    /* expected 0.8 x 15,120 = 12,096; binomial sd = sqrt(15120 x 0.2 x 0.8) = 49.2;
     * allow 5 sd = 246 */
    long rows = count_lines(a, "observations.csv") - 1;
    if (labs(rows - 12096) > 246)
        fail_msg("%ld rows with 20%% missing, expected 12096 +- 246", rows);
    rmdir_all(a);
}

/* Read observations.csv into a list of "unit,year,indicator" -> value lines,
 * checking each row against the framework. Returns the number of rows. */
static long check_obs(const char *dir, const struct framework *fw, long *nsurvey_rows)
{
    char *p = path_join(dir, "observations.csv");
    struct csv *c;
    struct diag d;
    diag_init(&d);
    assert_int_equal(csv_open(&c, p, &d), 0);
    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->nf, 6);
    assert_string_equal(c->f[0], "unit");
    assert_string_equal(c->f[5], "n");
    long rows = 0, ns = 0;
    while (csv_next(c, &d) > 0) {
        assert_int_equal(c->nf, 6);
        int i = framework_find(fw, c->f[2]);
        if (i < 0 || i >= fw->nind)
            fail_msg("line %ld: unknown indicator '%s'", c->line_no, c->f[2]);
        const struct fw_node *nd = &fw->node[i];
        double v, se, n;
        assert_int_equal(csv_parse_double(c->f[3], c->flen[3], &v, NULL, 0), CSV_NUM_OK);
        if ((!isnan(nd->min) && v < nd->min) || (!isnan(nd->max) && v > nd->max))
            fail_msg("line %ld: %s = %g outside [%g, %g]", c->line_no, nd->code, v, nd->min,
                     nd->max);
        enum csv_num s1 = csv_parse_double(c->f[4], c->flen[4], &se, NULL, 0);
        enum csv_num s2 = csv_parse_double(c->f[5], c->flen[5], &n, NULL, 0);
        assert_true(s1 != CSV_NUM_BAD && s2 != CSV_NUM_BAD);
        int survey = strcmp(nd->unit, "percent (survey)") == 0;
        if (survey) {
            assert_int_equal(s2, CSV_NUM_OK);
            assert_true(n >= 200 && n <= 2000 && n == floor(n));
            assert_int_equal(s1, CSV_NUM_MISSING);
            ns++;
        } else {
            assert_int_equal(s2, CSV_NUM_MISSING);
            if (s1 == CSV_NUM_OK)
                assert_true(se > 0);
        }
        rows++;
    }
    assert_int_equal(diag_count(&d), 0);
    csv_free(c);
    free(p);
    diag_free(&d);
    *nsurvey_rows = ns;
    return rows;
}

static void test_kflc_ranges(void **state)
{
    (void)state;
    char *fwpath = path_join(LCME_SOURCE_DIR, "indicators/kflc.csv");
    char *units = path_join(LCME_SOURCE_DIR, "datasets/hong-kong/units.csv");
    struct diag d;
    diag_init(&d);
    struct framework *fw;
    assert_int_equal(framework_load(&fw, fwpath, &d), 0);
    assert_int_equal(fw->nind, 126);

    struct gen_options o;
    gen_options_init(&o);
    o.framework = fwpath;
    o.unit_file = units;
    o.missing = 0;
    char *a = run(&o);
    long ns = 0;
    long rows = check_obs(a, fw, &ns);
    assert_int_equal(rows, 18L * 126 * 11);
    assert_int_equal(ns, 18L * 42 * 11);   /* 42 survey indicators in KFLC */
    /* no units.csv or framework.csv: the batch refers to the given files */
    size_t len;
    char *x = slurp(a, "units.csv", &len);
    assert_null(x);
    x = slurp(a, "framework.csv", &len);
    assert_null(x);

    /* batch.ini's framework path, relative to the folder, names the same file */
    char *ini = slurp(a, "batch.ini", &len);
    assert_non_null(ini);
    ini = realloc(ini, len + 1);
    ini[len] = '\0';
    char *line = strstr(ini, "\nframework");
    assert_non_null(line);
    char *eq = strchr(line, '=');
    assert_non_null(eq);
    eq += 1 + strspn(eq + 1, " ");
    eq[strcspn(eq, "\n")] = '\0';
    assert_true(eq[0] != '/');
    char *joined = path_join(a, eq);
    char *r1 = realpath(joined, NULL), *r2 = realpath(fwpath, NULL);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_string_equal(r1, r2);
    assert_non_null(strstr(eq + strlen(eq) + 1, "level_names"));
    free(r1);
    free(r2);
    free(joined);
    free(ini);
    rmdir_all(a);

    /* a higher missing share only removes rows: every line of the sparser
     * file is a line of the full file, in the same order */
    char *full = NULL, *sparse = NULL;
    size_t lf, ls;
    a = run(&o);
    full = slurp(a, "observations.csv", &lf);
    rmdir_all(a);
    o.missing = 0.3;
    a = run(&o);
    sparse = slurp(a, "observations.csv", &ls);
    rmdir_all(a);
    assert_true(ls < lf);
    size_t i = 0, j = 0;
    long kept = 0;
    while (j < ls) {
        size_t e = j + strcspn(sparse + j, "\n");
        size_t n = e - j + 1;
        while (i < lf && !(i + n <= lf && memcmp(full + i, sparse + j, n) == 0 &&
                           (i == 0 || full[i - 1] == '\n')))
            i += strcspn(full + i, "\n") + 1;
        if (i >= lf)
            fail_msg("row %ld of the sparse file is not in the full file", kept);
        i += n;
        j += n;
        kept++;
    }
    free(full);
    free(sparse);

    framework_free(fw);
    free(fwpath);
    free(units);
    diag_free(&d);
}

static void test_synthetic_ranges(void **state)
{
    (void)state;
    struct gen_options o;
    gen_options_init(&o);
    o.units = 25;
    o.per_feature = 30;   /* codes with numeric suffixes, 1,260 indicators */
    o.years = 3;
    o.survey = 0.5;
    char *a = run(&o);
    char *fwp = path_join(a, "framework.csv");
    struct diag d;
    diag_init(&d);
    struct framework *fw;
    assert_int_equal(framework_load(&fw, fwp, &d), 0);
    assert_int_equal(fw->nind, 42 * 30);
    assert_int_equal(fw->nlevel, 5);
    int ns = 0;
    for (int i = 0; i < fw->nind; i++)
        ns += strcmp(fw->node[i].unit, "percent (survey)") == 0;
    assert_int_equal(ns, 630);
    long nsr = 0;
    long rows = check_obs(a, fw, &nsr);
    assert_true(rows > 0.9 * 25 * 1260 * 3);
    framework_free(fw);
    free(fwp);
    diag_free(&d);
    rmdir_all(a);
}

static void test_write_errors(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct gen_options o;
    gen_options_init(&o);
    char *a = tmpdir();
    o.outdir = a;
    o.framework = "/nonexistent/fw.csv";
    assert_int_equal(gen_write(&o, &d), -1);
    assert_true(diag_count(&d) > 0);
    diag_clear(&d);

    /* a units file naming a unit twice */
    char *u = path_join(a, "units.csv");
    FILE *f = fopen(u, "w");
    assert_non_null(f);
    fputs("unit,name\nA,Alpha\nB,Beta\nA,Again\n", f);
    fclose(f);
    o.framework = NULL;
    o.unit_file = u;
    assert_int_equal(gen_write(&o, &d), -1);
    assert_int_equal(d.worst, LCME_EINPUT);
    assert_int_equal(d.v[0].line, 4);
    diag_clear(&d);

    /* no unit column */
    f = fopen(u, "w");
    assert_non_null(f);
    fputs("code,name\nA,Alpha\n", f);
    fclose(f);
    assert_int_equal(gen_write(&o, &d), -1);
    assert_int_equal(d.worst, LCME_EINPUT);
    diag_clear(&d);

    /* nothing written under a final name on failure */
    size_t len;
    assert_null(slurp(a, "observations.csv", &len));
    assert_null(slurp(a, "batch.ini", &len));

    /* options out of range are refused by gen_write too */
    gen_options_init(&o);
    o.outdir = a;
    o.missing = 1.5;
    assert_int_equal(gen_write(&o, &d), -1);
    assert_int_equal(d.worst, LCME_EUSAGE);

    free(u);
    rmdir_all(a);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_all),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_row_count),
        cmocka_unit_test(test_kflc_ranges),
        cmocka_unit_test(test_synthetic_ranges),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
