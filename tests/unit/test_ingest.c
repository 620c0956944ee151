/* test_ingest.c: wide ingest of the ASEM conformance data (values checked
 * against the file's cells, the file's checksum against sha256_file); long
 * and wide fixtures with se, n, lower/upper, flags, denominators, units file
 * and attributes; all-or-nothing appends; duplicates among many small
 * returns (the key index's path); shares under a percent unit;
 * obsset_to_cube and the cube
 * helpers. Counts of ASEM cells were taken with Python's csv module,
 * independently of lcme's reader. SHA-256 itself is tested in
 * test_sha256.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"
#include "sha256.h"
#include "testkit_engine.h"

#define ASEM_DIR "/work/shared/conformance/asem/"
#define GOOD LCME_SOURCE_DIR "/tests/data/good/"

static const char *asem(const char *file)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/tests/conformance/asem/%s", LCME_SOURCE_DIR, file);
    if (access(path, R_OK) != 0)
        snprintf(path, sizeof path, ASEM_DIR "%s", file);
    return path;
}

static void assert_close(double got, double want)
{
    tk_near(got, want, 1e-12);
}

static void ingest_ok(struct obsset *s, const char *path, const struct framework *fw)
{
    struct diag d;
    diag_init(&d);
    int rc = ingest_file(s, path, path, fw, &d);
    tk_print_diag(&d);
    assert_int_equal(rc, 0);
    diag_free(&d);
}

static const struct obs *find_obs(const struct obsset *s, const struct framework *fw,
                                  const char *unit, int year, const char *ind)
{
    int u = -1;
    for (size_t i = 0; i < s->nunit; i++)
        if (strcmp(s->unit[i], unit) == 0)
            u = (int)i;
    int k = framework_find(fw, ind);
    for (int j = 0; k < 0 && j < fw->ndenom; j++)
        if (strcmp(fw->denom[j], ind) == 0)
            k = fw->nnode + j;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].unit == u && s->v[i].year == year && s->v[i].ind == k)
            return &s->v[i];
    return NULL;
}

static char *write_tmp(const char *text)
{
    return tk_write_tmp("ingest", text);
}

static void test_asem_wide(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(asem("ASEM_iMeta.csv"));
    struct obsset *s = obsset_new();
    ingest_ok(s, asem("ASEM_iData.csv"), fw);
    /* 51 countries; 2436 indicator cells and 203 denominator cells present */
    assert_int_equal(s->nunit, 51);
    assert_int_equal(s->n, 2436 + 203);
    assert_int_equal(s->nfile, 1);
    assert_int_equal(s->file[0].rows, 2639);
    assert_string_equal(s->unit[0], "AUT");     /* first appearance */
    assert_string_equal(s->unit_name[0], "Austria");
    assert_int_equal(s->nattr, 4);
    assert_string_equal(s->attr_name[0], "GDP_group");
    assert_string_equal(s->attr_name[3], "EurAsia_group");
    assert_string_equal(s->attr[0 * 4 + 1], "XL");  /* AUT GDPpc_group */
    assert_string_equal(s->attr[0 * 4 + 3], "Europe");
    /* rows stay in file order: the first is AUT's Area on line 2 */
    assert_int_equal(s->v[0].line, 2);
    assert_int_equal(s->v[0].ind, fw->nnode + 0);
    assert_close(s->v[0].value, 83871);
    const struct obs *o = find_obs(s, fw, "AUT", 2018, "LPI");
    assert_non_null(o);
    assert_close(o->value, 4.097985);
    assert_true(isnan(o->se) && isnan(o->n));
    o = find_obs(s, fw, "BEL", 2018, "Flights");
    assert_non_null(o);
    assert_close(o->value, 31.88546);
    assert_int_equal(o->line, 3);
    o = find_obs(s, fw, "AUT", 2018, "Population");
    assert_non_null(o);
    assert_close(o->value, 8735.453);
    char hex[65];
    assert_int_equal(sha256_file(asem("ASEM_iData.csv"), hex), 0);
    assert_string_equal(s->file[0].sha256, hex);

    /* the panel repeats the 2018 rows: rejected as duplicates, set unchanged */
    struct diag d;
    diag_init(&d);
    assert_int_equal(ingest_file(s, asem("ASEM_iData_p.csv"), "p", fw, &d), -1);
    assert_int_equal(s->n, 2639);
    assert_int_equal(s->nfile, 1);
    assert_int_equal(diag_count(&d), 2639);  /* every 2018 cell of the panel */
    assert_non_null(strstr(d.v[0].msg, "duplicate observation for unit 'AUT', year 2018"));

    /* cube */
    struct cube *c = NULL;
    assert_int_equal(obsset_to_cube(s, fw, 0.95, &c, &d), 0);
    assert_int_equal(c->nunit, 51);
    assert_int_equal(c->nind, 49);
    assert_int_equal(c->nyear, 1);
    assert_int_equal(c->year[0], 2018);
    for (size_t u = 1; u < c->nunit; u++)
        assert_true(strcmp(c->unit[u - 1], c->unit[u]) < 0);
    int aut = cube_unit_index(c, "AUT");
    assert_true(aut >= 0);
    assert_string_equal(c->unit_name[aut], "Austria");
    assert_close(c->value[CUBE_AT(c, 0, 0, aut)], 4.097985);
    assert_int_equal(c->ndenom, 4);
    assert_close(c->denom[(3 * c->nyear + 0) * c->nunit + (size_t)aut], 8735.453);
    int ea = cube_attr_index(c, "EurAsia_group");
    assert_int_equal(ea, 3);
    assert_string_equal(c->attr[(size_t)aut * c->nattr + (size_t)ea], "Europe");
    cube_free(c);
    diag_free(&d);
    obsset_free(s);
    framework_free(fw);
}

static void test_asem_panel(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(asem("ASEM_iMeta.csv"));
    struct obsset *s = obsset_new();
    ingest_ok(s, asem("ASEM_iData_p.csv"), fw);
    assert_int_equal(s->nunit, 51);
    assert_int_equal(s->n, 12180 + 1015);
    struct diag d;
    diag_init(&d);
    struct cube *c = NULL;
    assert_int_equal(obsset_to_cube(s, fw, 0.95, &c, &d), 0);
    assert_int_equal(c->nyear, 5);
    for (int t = 0; t < 5; t++)
        assert_int_equal(c->year[t], 2018 + t);
    assert_int_equal(cube_year_index(c, 2021), 3);
    assert_int_equal(cube_year_index(c, 2017), -1);
    int aut = cube_unit_index(c, "AUT"), nzl = cube_unit_index(c, "NZL");
    int lpi = framework_find(fw, "LPI"), co2 = framework_find(fw, "CO2");
    /* ASEM_iData_p.csv line 206: AUT 2022 LPI; NZL 2021 CO2 */
    assert_close(c->value[CUBE_AT(c, lpi, 4, aut)], 4.10043732769853);
    assert_close(c->value[CUBE_AT(c, co2, 3, nzl)], 10.0463227955121);
    assert_close(c->value[CUBE_AT(c, co2, 0, nzl)], 7.68657582544293);
    assert_int_equal(cube_unit_index(c, "XXX"), -1);

    struct cube *k = cube_clone(c);
    assert_non_null(k);
    assert_int_equal(k->nyear, 5);
    assert_string_equal(k->unit[aut], "AUT");
    assert_true(k->unit[aut] != c->unit[aut]);
    assert_close(k->value[CUBE_AT(k, co2, 3, nzl)], 10.0463227955121);
    assert_close(k->denom[(3 * 5 + 4) * k->nunit + (size_t)aut], 8735.453);
    cube_free(k);
    cube_free(c);
    cube_free(NULL);
    diag_free(&d);
    obsset_free(s);
    obsset_free(NULL);
    framework_free(fw);
}

static void test_long(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(GOOD "mini-framework.csv");
    struct obsset *s = obsset_new();
    ingest_ok(s, GOOD "mini-long.csv", fw);
    /* 7 data rows, one with an empty value (skipped) */
    assert_int_equal(s->n, 6);
    static const long lines[] = {2, 3, 4, 5, 7, 8};
    for (int i = 0; i < 6; i++)
        assert_int_equal(s->v[i].line, lines[i]);
    assert_int_equal(s->nunit, 2);
    assert_string_equal(s->unit[0], "HKG");
    assert_string_equal(s->unit[1], "SZX");
    assert_close(s->v[0].value, 45.5);
    assert_close(s->v[0].se, 1.2);
    assert_close(s->v[2].lower, 40);
    assert_close(s->v[2].upper, 54);
    assert_int_equal(s->v[3].flag, 1);
    assert_close(s->v[3].value, 12);   /* " 12 " */
    assert_int_equal(s->v[0].flag, 0);
    assert_close(s->v[4].n, 250);
    assert_close(s->v[4].value, 4.2);
    assert_int_equal(s->v[5].ind, fw->nnode + 0);  /* pop is a denominator */

    struct diag d;
    diag_init(&d);
    struct cube *c = NULL;
    assert_int_equal(obsset_to_cube(s, fw, 0.95, &c, &d), 0);
    assert_int_equal(c->nunit, 2);
    assert_int_equal(c->nyear, 2);
    assert_int_equal(c->year[0], 2022);
    assert_int_equal(c->year[1], 2023);
    /* enrol 0, libs 1, drop 2, satis 3; HKG 0, SZX 1 */
    assert_close(c->value[CUBE_AT(c, 0, 0, 0)], 45.5);
    assert_close(c->se[CUBE_AT(c, 0, 0, 0)], 1.2);
    /* se from [40, 54] at 95%: 14 / (2 x 1.959963984540054) */
    assert_close(c->se[CUBE_AT(c, 0, 1, 0)], 14 / (2 * 1.959963984540054));
    /* at 90%: z = 1.6448536269514722 */
    struct cube *c90 = NULL;
    assert_int_equal(obsset_to_cube(s, fw, 0.90, &c90, &d), 0);
    assert_close(c90->se[CUBE_AT(c90, 0, 1, 0)], 14 / (2 * 1.6448536269514722));
    cube_free(c90);
    assert_true(isnan(c->value[CUBE_AT(c, 1, 1, 0)]));   /* HKG libs 2023 missing */
    assert_true(isnan(c->value[CUBE_AT(c, 3, 0, 1)]));   /* SZX satis 2022 empty */
    assert_int_equal(c->flag[CUBE_AT(c, 2, 0, 1)], CUBE_FLAGGED);
    assert_int_equal(c->flag[CUBE_AT(c, 0, 0, 0)], 0);
    assert_close(c->n[CUBE_AT(c, 3, 1, 1)], 250);
    assert_close(c->denom[(0 * 2 + 0) * 2 + 0], 7400);
    assert_true(isnan(c->denom[(0 * 2 + 1) * 2 + 0]));
    cube_free(c);
    assert_int_equal(obsset_to_cube(s, fw, 1.5, &c, &d), -1);
    assert_null(c);
    diag_free(&d);
    obsset_free(s);
    framework_free(fw);
}

static void test_units_and_wide(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(GOOD "mini-framework.csv");
    struct obsset *s = obsset_new();
    struct diag d;
    diag_init(&d);
    assert_int_equal(ingest_units(s, GOOD "mini-units.csv", &d), 0);
    assert_int_equal(s->units_fixed, 1);
    assert_int_equal(s->nunit, 2);
    assert_string_equal(s->unit_name[0], "Hong Kong");
    assert_string_equal(s->unit_name[1], "Shenzhen");
    assert_int_equal(s->nattr, 1);
    assert_string_equal(s->attr_name[0], "region");
    assert_string_equal(s->attr[1], "East Asia");

    /* an unknown unit is now an error, and nothing is appended */
    char *p = write_tmp("unit,year,indicator,value\nHKG,2024,enrol,50\nMAC,2024,enrol,60\n");
    char want[512], b[512];
    snprintf(want, sizeof want, "%s:3:1: error: unknown unit 'MAC' (not in the units file)", p);
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    assert_int_equal(s->n, 0);
    assert_int_equal(s->nunit, 2);
    assert_int_equal(s->nfile, 0);
    unlink(p);
    diag_clear(&d);

    /* wide with a name, a group column, a denominator and empty cells:
     * HKG pop, enrol, libs, satis (drop empty) = 4; SZX pop, libs, drop = 3 */
    ingest_ok(s, GOOD "mini-wide.csv", fw);
    assert_int_equal(s->n, 7);
    assert_int_equal(s->nattr, 1);
    assert_int_equal(s->nfile, 1);
    assert_int_equal(s->file[0].rows, 7);
    const struct obs *o = find_obs(s, fw, "SZX", 2024, "drop");
    assert_non_null(o);
    assert_close(o->value, 9.5);
    assert_null(find_obs(s, fw, "HKG", 2024, "drop"));
    o = find_obs(s, fw, "SZX", 2024, "pop");
    assert_non_null(o);
    assert_close(o->value, 17500);

    /* a second file adds a year; a bad one after it changes nothing */
    ingest_ok(s, GOOD "mini-long.csv", fw);
    assert_int_equal(s->n, 13);
    assert_int_equal(s->nfile, 2);
    p = write_tmp("unit,year,indicator,value\nHKG,2025,enrol,50\nHKG,2025,satis,9\nSZX,2025,x,1\n");
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 2);
    assert_int_equal(s->n, 13);
    assert_int_equal(s->nfile, 2);
    unlink(p);
    diag_clear(&d);

    /* duplicates across files name the earlier file and line */
    p = write_tmp("unit,year,indicator,value\nSZX,2022,drop,3\n");
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    snprintf(want, sizeof want,
             "%s:2:4: error: duplicate observation for unit 'SZX', year 2022, indicator 'drop' "
             "(first given at %s:5)", p, GOOD "mini-long.csv");
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    unlink(p);

    struct cube *c = NULL;
    assert_int_equal(obsset_to_cube(s, fw, 0.95, &c, &d), 0);
    assert_int_equal(c->nyear, 3);
    assert_int_equal(c->nattr, 1);
    assert_string_equal(c->attr[1], "East Asia");
    assert_string_equal(c->unit_name[1], "Shenzhen");
    cube_free(c);
    diag_free(&d);
    obsset_free(s);
    framework_free(fw);
}

/* A year's returns, one small file per unit, into one set: past the eighth
 * file a file is checked against the set's key index instead of being
 * sorted with the set (ingest_dedup.c). Duplicates against any earlier
 * file, within the file, and both at once are reported as the sort
 * reported them; the rows of every file stay as they were read. The
 * expected lines and files are the fixtures' own (each return: header, then
 * enrol, libs, drop, satis on lines 2-5). */
static void test_many_returns(void **state)
{
    (void)state;
    enum { NRET = 40 };
    struct framework *fw = tk_framework_ok(GOOD "mini-framework.csv");
    struct obsset *s = obsset_new();
    char path[NRET][96], text[512], want[1024], b[1024];
    for (int u = 0; u < NRET; u++) {
        snprintf(text, sizeof text,
                 "unit,year,indicator,value\nU%02d,2022,enrol,%d\nU%02d,2022,libs,%d.5\n"
                 "U%02d,2022,drop,%d\nU%02d,2022,satis,3\n", u, 40 + u, u, u, u, u, u);
        snprintf(path[u], sizeof path[u], "%s", write_tmp(text));
        ingest_ok(s, path[u], fw);
    }
    assert_int_equal(s->n, 4 * NRET);
    assert_int_equal(s->nfile, NRET);
    struct diag d;
    diag_init(&d);

    /* a row of the fourth return again: first given there, on line 3 */
    char *p = write_tmp("unit,year,indicator,value\nNEW,2022,enrol,1\nU03,2022,libs,9\n");
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    snprintf(want, sizeof want,
             "%s:3:4: error: duplicate observation for unit 'U03', year 2022, indicator 'libs' "
             "(first given at %s:3)", p, path[3]);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    assert_int_equal(s->n, 4 * NRET);
    assert_int_equal(s->nfile, NRET);
    assert_int_equal(s->nunit, NRET);
    unlink(p);
    diag_free(&d);

    /* within the file (a new unit), and a set row given twice: each later
     * one is a duplicate of the first, reported in row order */
    diag_init(&d);
    p = write_tmp("unit,year,indicator,value\nNEW,2022,enrol,1\nU39,2022,satis,2\n"
                  "NEW,2022,enrol,2\nU39,2022,satis,4\n");
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 3);
    snprintf(want, sizeof want, "%s:3:4: error: duplicate observation for unit 'U39', year "
             "2022, indicator 'satis' (first given at %s:5)", p, path[39]);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:4:4: error: duplicate observation for unit 'NEW', year "
             "2022, indicator 'enrol' (first given at %s:2)", p, p);
    assert_string_equal(diag_format(&d, 1, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:5:4: error: duplicate observation for unit 'U39', year "
             "2022, indicator 'satis' (first given at %s:5)", p, path[39]);
    assert_string_equal(diag_format(&d, 2, b, sizeof b), want);
    unlink(p);
    diag_free(&d);

    /* a clean return after the refused ones, then its row again */
    char clean[96];
    snprintf(clean, sizeof clean, "%s",
             write_tmp("unit,year,indicator,value\nU07,2023,enrol,50\nNEW,2022,enrol,1\n"));
    ingest_ok(s, clean, fw);
    diag_init(&d);
    char *q = write_tmp("unit,year,indicator,value\nNEW,2022,enrol,1\n");
    assert_int_equal(ingest_file(s, q, q, fw, &d), -1);
    snprintf(want, sizeof want, "%s:2:4: error: duplicate observation for unit 'NEW', year "
             "2022, indicator 'enrol' (first given at %s:3)", q, clean);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    unlink(q);
    unlink(clean);
    diag_free(&d);

    /* every row as read: values, lines and files */
    assert_int_equal(s->n, 4 * NRET + 2);
    for (int u = 0; u < NRET; u++) {
        char code[8];
        snprintf(code, sizeof code, "U%02d", u);
        const struct obs *o = find_obs(s, fw, code, 2022, "libs");
        assert_non_null(o);
        assert_close(o->value, u + 0.5);
        assert_int_equal(o->line, 3);
        assert_int_equal(o->file, u);
        assert_close(find_obs(s, fw, code, 2022, "enrol")->value, 40 + u);
        unlink(path[u]);
    }
    assert_close(find_obs(s, fw, "U07", 2023, "enrol")->value, 50);
    assert_int_equal(find_obs(s, fw, "NEW", 2022, "enrol")->file, NRET);
    obsset_free(s);
    framework_free(fw);
}

/* The message for shares under the percent unit of code, at line, column 4. */
static const char *shares_msg(char want[1024], const char *path, int line, const char *code)
{
    snprintf(want, 1024, "%s:%d:4: error: '%s' is in percent (unit 'Percent') but every value "
             "with a sample size in this file is between 0 and 1: give shares in percent "
             "(x 100) or change the unit", path, line, code);
    return want;
}

/* Shares under a percent unit (ingest_check.c): refused when the file
 * gives evidence enough (three values of the indicator, or three values of
 * percent indicators and every one of them in [0, 1]); a lone value below
 * 1 % in a return is a percentage. enrol and drop are in percent in the
 * mini framework; the expected cells are the fixtures' own. */
static void test_percent_shares(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(GOOD "mini-framework.csv");
    struct diag d;
    char want[1024], b[1024];
    static const char *accepted[] = {
        /* a return: 0.4 % beside a 12 % */
        "unit,year,indicator,value,n\nA,2022,enrol,0.4,200\nA,2022,drop,12,200\n",
        /* a lone value */
        "unit,year,indicator,value,n\nA,2022,enrol,0.4,200\n",
        /* two small values of one indicator, a large one of the other */
        "unit,year,indicator,value,n\nA,2022,enrol,0.4,200\nB,2022,enrol,0.7,90\n"
        "B,2022,drop,30,90\n",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct obsset *s = obsset_new();
        char *p = write_tmp(accepted[i]);
        ingest_ok(s, p, fw);
        unlink(p);
        obsset_free(s);
    }
    /* three values of enrol, all shares */
    struct obsset *s = obsset_new();
    char *p = write_tmp("unit,year,indicator,value,n\nA,2022,enrol,0,200\nB,2022,enrol,0.3,90\n"
                        "C,2022,enrol,0.5,80\nC,2022,drop,12,80\n");
    diag_init(&d);
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), shares_msg(want, p, 3, "enrol"));
    assert_int_equal(s->n, 0);
    unlink(p);
    diag_free(&d);
    /* every percent value of the file in [0, 1]: each indicator at its first */
    p = write_tmp("unit,year,indicator,value,n\nA,2022,libs,3,\nA,2022,enrol,0.3,200\n"
                  "A,2023,enrol,0.35,210\nA,2022,drop,0.05,200\n");
    diag_init(&d);
    assert_int_equal(ingest_file(s, p, p, fw, &d), -1);
    assert_int_equal(diag_count(&d), 2);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), shares_msg(want, p, 3, "enrol"));
    assert_string_equal(diag_format(&d, 1, b, sizeof b), shares_msg(want, p, 5, "drop"));
    unlink(p);
    diag_free(&d);
    obsset_free(s);
    framework_free(fw);
}

static void test_units_errors(void **state)
{
    (void)state;
    struct obsset *s = obsset_new();
    struct diag d;
    diag_init(&d);
    /* line 3 repeats HKG, line 4 has no code, line 5 is one field short */
    char *p = write_tmp("uCode,uName,region\nHKG,Hong Kong,East Asia\nHKG,Again,x\n,No code,x\n"
                        "MAC,Macao\n");
    assert_int_equal(ingest_units(s, p, &d), -1);
    assert_int_equal(diag_count(&d), 3);
    char want[512], b[512];
    snprintf(want, sizeof want, "%s:3:1: error: duplicate unit 'HKG' (first on line 2)", p);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:4:1: error: empty unit code", p);
    assert_string_equal(diag_format(&d, 1, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:5:2: error: row has 2 fields but the header has 3", p);
    assert_string_equal(diag_format(&d, 2, b, sizeof b), want);
    assert_int_equal(s->nunit, 0);
    assert_int_equal(s->units_fixed, 0);
    unlink(p);
    diag_free(&d);
    obsset_free(s);
}

static void test_cube_new(void **state)
{
    (void)state;
    struct cube *c = cube_new(3, 2, 4, 1, 0);
    assert_non_null(c);
    assert_null(c->denom);
    assert_string_equal(c->unit_name[2], "");
    assert_string_equal(c->attr[2], "");
    for (size_t i = 0; i < 3 * 2 * 4; i++) {
        assert_true(isnan(c->value[i]) && isnan(c->se[i]) && isnan(c->n[i]));
        assert_int_equal(c->flag[i], 0);
    }
    /* layout: CUBE_AT(i=1, t=2, u=0) = (1*4 + 2)*3 + 0 = 18 */
    assert_int_equal(CUBE_AT(c, 1, 2, 0), 18);
    assert_int_equal(cube_attr_index(c, "region"), -1);
    cube_free(c);
    /* sizes that overflow are refused, not wrapped */
    assert_null(cube_new(SIZE_MAX / 2, 4, 4, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asem_wide),
        cmocka_unit_test(test_asem_panel),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_units_and_wide),
        cmocka_unit_test(test_units_errors),
        cmocka_unit_test(test_many_returns),
        cmocka_unit_test(test_percent_shares),
        cmocka_unit_test(test_cube_new),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
