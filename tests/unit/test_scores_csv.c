/* test_scores_csv.c: unit tests of reports/csv/scores_csv.c (scores.csv).
 *
 * The fixture (reports_fixture.h) is written by hand; the expected text
 * below is written out from the fixture's rule (score = 10 k + u + 0.5 t,
 * rank = 3 - u, with the three exceptions), rows by year, node, unit. The
 * shortest round-trip texts (0.1, 0.3333333333333333, -0.6666666666666667,
 * 1.3333333333333333, -0.9, 1.1) are Python's repr of the same doubles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reports.h"
#include "reports_fixture.h"
#include "testkit.h"

static const char expected_no_ci[] =
    "unit,year,node,level,score,ci_low,ci_high,rank,rank_low,rank_high,coverage\n"
    "U1,2020,I1,1,0.1,,,3,,,\n"
    "U2,2020,I1,1,1,,,2,,,\n"
    "\"'=U3\",2020,I1,1,2,,,1,,,\n"
    "U1,2020,I2,1,10,,,3,,,\n"
    "U2,2020,I2,1,11,,,2,,,\n"
    "\"'=U3\",2020,I2,1,,,,,,,\n"
    "U1,2020,I3,1,20,,,3,,,\n"
    "U2,2020,I3,1,21,,,2,,,\n"
    "\"'=U3\",2020,I3,1,22,,,1,,,\n"
    "U1,2020,I4,1,30,,,3,,,\n"
    "U2,2020,I4,1,31,,,2,,,\n"
    "\"'=U3\",2020,I4,1,32,,,1,,,\n"
    "U1,2020,A1,2,40,,,3,,,\n"
    "U2,2020,A1,2,41,,,2,,,\n"
    "\"'=U3\",2020,A1,2,42,,,1,,,\n"
    "U1,2020,A2,2,50,,,3,,,\n"
    "U2,2020,A2,2,51,,,2,,,\n"
    "\"'=U3\",2020,A2,2,52,,,1,,,\n"
    "U1,2020,IDX,3,60,,,3,,,\n"
    "U2,2020,IDX,3,61,,,2,,,\n"
    "\"'=U3\",2020,IDX,3,62,,,1,,,\n"
    "U1,2021,I1,1,0.5,,,3,,,\n"
    "U2,2021,I1,1,1.5,,,2,,,\n"
    "\"'=U3\",2021,I1,1,2.5,,,1,,,\n"
    "U1,2021,I2,1,10.5,,,3,,,\n"
    "U2,2021,I2,1,11.5,,,2,,,\n"
    "\"'=U3\",2021,I2,1,12.5,,,1,,,\n"
    "U1,2021,I3,1,20.5,,,3,,,\n"
    "U2,2021,I3,1,21.5,,,2,,,\n"
    "\"'=U3\",2021,I3,1,22.5,,,1,,,\n"
    "U1,2021,I4,1,30.5,,,3,,,\n"
    "U2,2021,I4,1,31.5,,,2,,,\n"
    "\"'=U3\",2021,I4,1,32.5,,,1,,,\n"
    "U1,2021,A1,2,40.5,,,3,,,\n"
    "U2,2021,A1,2,41.5,,,2,,,\n"
    "\"'=U3\",2021,A1,2,42.5,,,1,,,\n"
    "U1,2021,A2,2,50.5,,,3,,,\n"
    "U2,2021,A2,2,51.5,,,2,,,\n"
    "\"'=U3\",2021,A2,2,52.5,,,1,,,\n"
    "U1,2021,IDX,3,60.5,,,3,,,\n"
    "U2,2021,IDX,3,0.3333333333333333,,,2,,,\n"
    "\"'=U3\",2021,IDX,3,62.5,,,1,,,\n";

static char *write_csv(struct fixture *f, const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tk_dir, name);
    struct diag d;
    diag_init(&d);
    int rc = scores_csv_write(path, &f->in, &d);
    assert_int_equal(rc, 0);
    assert_int_equal(diag_count(&d), 0);
    diag_free(&d);
    return tk_slurp(path, NULL);
}

static void test_exact_text_without_intervals(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    char *got = write_csv(&f, "scores.csv");
    assert_non_null(got);
    assert_string_equal(got, expected_no_ci);
    free(got);
}

static void test_intervals(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    char *got = write_csv(&f, "scores_ci.csv");
    assert_non_null(got);
    assert_non_null(strstr(got, "\nU1,2020,I1,1,0.1,-0.9,1.1,3,3,4,\n"));
    assert_non_null(strstr(got, "\nU2,2021,IDX,3,0.3333333333333333,-0.6666666666666667,"
                                "1.3333333333333333,2,2,3,\n"));
    assert_non_null(strstr(got, "\n\"'=U3\",2020,I2,1,,,,,,,\n"));
    assert_non_null(strstr(got, "\n\"'=U3\",2021,A2,2,52.5,51.5,53.5,1,1,2,\n"));
    free(got);
}

static void test_quoting(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    f.unit[0] = (char *)"Kowloon, \"East\"";
    f.unit[1] = (char *)"+852";
    f.node[6].code = (char *)"@IDX";
    char *got = write_csv(&f, "quoted.csv");
    assert_non_null(got);
    assert_non_null(strstr(got, "\n\"Kowloon, \"\"East\"\"\",2020,I1,1,0.1,,,3,,,\n"));
    assert_non_null(strstr(got, "\n\"'+852\",2021,\"'@IDX\",3,0.3333333333333333,,,2,,,\n"));
    free(got);
}

static void test_disk_full(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 1);
    struct diag d;
    diag_init(&d);
    assert_int_equal(scores_csv_write("/dev/full", &f.in, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_int_equal(d.v[0].status, LCME_EIO);
    assert_string_equal(d.v[0].msg, "cannot write '/dev/full': No space left on device");
    diag_free(&d);
}

static void test_missing_folder(void **state)
{
    (void)state;
    static struct fixture f;
    fixture_init(&f, 0);
    struct diag d;
    diag_init(&d);
    assert_int_equal(scores_csv_write("/nonexistent-lcme/scores.csv", &f.in, &d), -1);
    assert_int_equal(diag_count(&d), 1);
    assert_string_equal(d.v[0].msg,
                        "cannot write '/nonexistent-lcme/scores.csv': No such file or directory");
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_text_without_intervals),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_missing_folder),
    };
    return cmocka_run_group_tests(tests, tk_dir_setup, tk_dir_teardown);
}
