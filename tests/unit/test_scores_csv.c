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

#include <math.h>

#include "csvout.h"
#include "report_util.h"
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

/* The definition report_fmt_shortest must meet, written the slow way:
 * the first of %.15g, %.16g and %.17g that strtod reads back as v. */
static void printf_text(double v, char *buf)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

static void check_text(double v)
{
    char want[40], got[REPORT_NUM_MAX];
    printf_text(v, want);
    report_fmt_shortest(got, v);
    if (strcmp(want, got) != 0)
        fail_msg("%a: printf writes %s, report_fmt_shortest %s", v, want, got);
}

/* xorshift64*: the same values on every machine. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* report_fmt_shortest writes printf's bytes: on hand-picked values (exact
 * halfway cases at 16 and 17 digits, which printf rounds to even, powers of
 * two, the exponent form's edges, subnormals, zeros, infinities) and on
 * 400,000 pseudo-random ones: any bit pattern, scores with few decimals,
 * averages of such scores, and dyadic fractions with few bits. */
static void test_number_text_is_printfs(void **state)
{
    (void)state;
    static const double fixed[] = {
        0.1, 0.3, 1.0 / 3, 2.0 / 3, 8.0000152587890625, 8 + 0x1p-16, 80 + 0x1p-15,
        1234567890123456.25, 1234567890123456.75, 0.5, 1e15, 1e16, 1e17, 1e21, 1e22,
        123456789012345.6, 9007199254740993.0, 0x1p-1074, 0x1p-1022, 2.2250738585072009e-308,
        1.7976931348623157e308, 1e-5, 1e-4, 0.0001234, 99999.99999999999, 1e-300, 0.0, -0.0,
        5e-324, 4.35, 2.675, 1.005, 100, 59.999999999999993, 0x1p52, 0x1p53 + 2, 3e-5,
        INFINITY, -INFINITY, 123456789012345678.0, 0.30000000000000004, 1e100, 4.5e15};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        check_text(fixed[i]);
        check_text(-fixed[i]);
    }
    for (int e = -1074; e <= 1023; e++)
        check_text(ldexp(1, e));
    uint64_t s = 20161112;
    for (int i = 0; i < 100000; i++) {
        uint64_t b = next_random(&s);
        double v;
        memcpy(&v, &b, sizeof v);
        if (isfinite(v))
            check_text(v);
        check_text((double)(next_random(&s) % 1000000) / 1000.0);
        double a = (double)(next_random(&s) % 1001) / 10, c = (double)(next_random(&s) % 1001) / 10;
        check_text((a + c + a * c / 100) / 3);
        check_text(ldexp((double)(next_random(&s) % (1u << 20)), -(int)(next_random(&s) % 40)));
    }
    char buf[40];
    assert_string_equal(csvout_number(NAN, buf), "");
    assert_string_equal(csvout_number(-0.0, buf), "-0");
    assert_int_equal(report_fmt_double(buf, -0.0), 1);
    assert_string_equal(buf, "0");
}

/* Signed numbers in the report and charts never print "-0.0": every value
 * from -1 to 1 in steps of 0.0005 (and the exact halves) printed with
 * "%+.Nf" after report_plain_zero prints what printf prints of the value
 * itself, except that "-0..." becomes "+0..." (the expectation is made from
 * printf's own output, not from the function's rule). */
static void test_plain_zero(void **state)
{
    (void)state;
    for (int d = 0; d <= 2; d++)
        for (int i = -2001; i <= 2001; i++) {
            double v = i == -2001 ? -0.5 : i == 2001 ? -0.25 : i * 0.0005;
            char want[32], got[32];
            snprintf(want, sizeof want, "%+.*f", d, v);
            if (strncmp(want, "-0", 2) == 0 && strspn(want + 2, ".0") == strlen(want + 2))
                want[0] = '+';
            snprintf(got, sizeof got, "%+.*f", d, report_plain_zero(v, d));
            assert_string_equal(got, want);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_text_without_intervals),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_number_text_is_printfs),
        cmocka_unit_test(test_plain_zero),
    };
    return cmocka_run_group_tests(tests, tk_dir_setup, tk_dir_teardown);
}
