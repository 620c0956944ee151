/* test_csv.c: the RFC 4180 reader (records, line tracking across quoted
 * newlines and CRLF, BOM, every error message) and the strict number and
 * year parsers. Expected values are worked out by hand from the inputs, but
 * for test_parse_double_as_strtod's, which are glibc's strtod's. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "diag.h"

#define LEN(s) (sizeof(s) - 1)

static void assert_field(const struct csv *c, size_t i, const char *want)
{
    assert_true(i < c->nf);
    assert_int_equal(c->flen[i], strlen(want));
    assert_memory_equal(c->f[i], want, strlen(want));
    assert_int_equal(c->f[i][c->flen[i]], '\0');
}

/* Parse data to the end; return the first formatted diag (or "" if none). */
static const char *first_error(const char *data, size_t len, size_t max_field,
                               size_t max_cols, char *buf, size_t buflen)
{
    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    if (csv_open_mem(&c, "t.csv", data, len, &d) == 0) {
        if (max_field)
            c->max_field = max_field;
        if (max_cols)
            c->max_cols = max_cols;
        while (csv_next(c, &d) > 0)
            ;
        assert_int_equal(csv_next(c, &d), d.n ? -1 : 0); /* sticky */
    }
    csv_free(c);
    buf[0] = '\0';
    if (d.n)
        diag_format(&d, 0, buf, buflen);
    assert_true(d.n <= 1); /* the reader stops at its first problem */
    diag_free(&d);
    return buf;
}

static void test_records(void **state)
{
    (void)state;
    /* line 1: header after a BOM, CRLF
     * line 2-3: a quoted field with an embedded CRLF, and "" escapes
     * line 4: empty (skipped)
     * line 5: empty unquoted and empty quoted fields, LF end
     * line 6: last record without a line end */
    static const char in[] = "\xEF\xBB\xBF" "a,b,c\r\n"
                             "1,\"x\r\ny\",\"he said \"\"hi\"\"\"\r\n"
                             "\r\n"
                             "4,,\"\"\n"
                             "5,6";
    struct diag d;
    diag_init(&d);
    struct csv *c;
    assert_int_equal(csv_open_mem(&c, "t.csv", in, LEN(in), &d), 0);
    assert_int_equal(c->bom, 1);

    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->line_no, 1);
    assert_int_equal(c->nf, 3);
    assert_field(c, 0, "a");
    assert_field(c, 2, "c");

    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->line_no, 2);
    assert_int_equal(c->nf, 3);
    assert_field(c, 0, "1");
    assert_field(c, 1, "x\r\ny");
    assert_field(c, 2, "he said \"hi\"");
    assert_int_equal(c->quoted[0], 0);
    assert_int_equal(c->quoted[1], 1);

    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->line_no, 5);
    assert_int_equal(c->nf, 3);
    assert_field(c, 0, "4");
    assert_field(c, 1, "");
    assert_field(c, 2, "");
    assert_int_equal(c->quoted[1], 0);
    assert_int_equal(c->quoted[2], 1);

    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->line_no, 6);
    assert_int_equal(c->nf, 2);
    assert_field(c, 1, "6");

    assert_int_equal(csv_next(c, &d), 0);
    assert_int_equal(c->nrec, 4);
    assert_int_equal(diag_count(&d), 0);

    /* width check message */
    csv_free(c);
    assert_int_equal(csv_open_mem(&c, "t.csv", "a,b\n1,2,3\n4\n", 12, &d), 0);
    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(csv_check_width(c, &d, 2), -1);
    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(csv_check_width(c, &d, 2), -1);
    assert_int_equal(csv_check_width(c, &d, 1), 0);
    char b[256];
    assert_string_equal(diag_format(&d, 0, b, sizeof b),
                        "t.csv:2:3: error: row has 3 fields but the header has 2");
    assert_string_equal(diag_format(&d, 1, b, sizeof b),
                        "t.csv:3:1: error: row has 1 field but the header has 2");
    csv_free(c);
    csv_free(NULL);
    diag_free(&d);
}

static void test_trailing_comma_and_utf8(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    /* "香港" is E9 A6 99 E6 B8 AF; a trailing comma makes an empty last field */
    static const char in[] = "\xE9\xA6\x99\xE6\xB8\xAF,2018,\n";
    assert_int_equal(csv_open_mem(&c, "t.csv", in, LEN(in), &d), 0);
    assert_int_equal(c->bom, 0);
    assert_int_equal(csv_next(c, &d), 1);
    assert_int_equal(c->nf, 3);
    assert_field(c, 0, "\xE9\xA6\x99\xE6\xB8\xAF");
    assert_field(c, 2, "");
    assert_int_equal(csv_next(c, &d), 0);
    csv_free(c);
    assert_true(csv_name_is(" Indicator ", 11, "indicator"));
    assert_false(csv_name_is("indicators", 10, "indicator"));
    assert_true(csv_blank(" \t", 2));
    assert_false(csv_blank(" x", 2));
    diag_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    char b[512];
#define ERR(in, mf, mc) first_error((in), LEN(in), (mf), (mc), b, sizeof b)
    assert_string_equal(ERR("a,b\nx,\xFF\n", 0, 0),
                        "t.csv:2:2: error: invalid UTF-8 byte 0xFF (save the file as UTF-8)");
    /* overlong encoding of '/', surrogate half, truncated sequence at the end */
    assert_string_equal(ERR("a,\xC0\xAF\n", 0, 0),
                        "t.csv:1:2: error: invalid UTF-8 byte 0xC0 (save the file as UTF-8)");
    assert_string_equal(ERR("a\n\"b\xED\xA0\x80\"\n", 0, 0),
                        "t.csv:2:1: error: invalid UTF-8 byte 0xED (save the file as UTF-8)");
    assert_string_equal(ERR("a,b,\xE9\xA6", 0, 0),
                        "t.csv:1:3: error: invalid UTF-8 byte 0xE9 (save the file as UTF-8)");
    assert_string_equal(ERR("a,b\n1,2\x00" "3\n", 0, 0),
                        "t.csv:2:2: error: NUL byte in file (is it really a CSV text file?)");
    assert_string_equal(ERR("a,b\n\xEF\xBB\xBF" "1,2\n", 0, 0),
                        "t.csv:2:1: error: byte-order mark not at the start of the file");
    assert_string_equal(ERR("a,b\r1,2\r", 0, 0),
                        "t.csv:1:2: error: line ends with a bare carriage return (CR-only line "
                        "ends are not supported; save the file with LF or CRLF line ends)");
    /* the quote opens on line 2 and runs to the end: reported where it opens */
    assert_string_equal(ERR("a,b\n1,\"2\n3,4\n", 0, 0),
                        "t.csv:2:2: error: unterminated quoted field (the closing quote is missing)");
    /* a quoted newline on line 2 puts the bad character on line 3 */
    assert_string_equal(ERR("a,b\n1,\"2\n2\"x\n", 0, 0),
                        "t.csv:3:2: error: unexpected character 'x' after the closing quote");
    assert_string_equal(ERR("a,b\n1,2 \"3\"\n", 0, 0),
                        "t.csv:2:2: error: quote inside an unquoted field (quote the whole "
                        "field and double inner quotes)");
    assert_string_equal(ERR("ab,abcde\n", 4, 0), "t.csv:1:2: error: field longer than 4 bytes");
    assert_string_equal(ERR("a,\"abc\"\"de\"\n", 4, 0), "t.csv:1:2: error: field longer than 4 bytes");
    assert_string_equal(ERR("a,b,c\n1,2,3,4\n", 0, 3), "t.csv:2:4: error: more than 3 columns");
    assert_string_equal(ERR("", 0, 0), "t.csv:1:1: error: file is empty");
    assert_string_equal(ERR("\xEF\xBB\xBF", 0, 0), "t.csv:1:1: error: file is empty");
    /* only blank lines: no records, no error (the caller asks for a header) */
    assert_string_equal(ERR("\n\r\n\n", 0, 0), "");
#undef ERR

    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    assert_int_equal(csv_open(&c, "/nonexistent/x.csv", &d), -1);
    assert_null(c);
    assert_int_equal(d.worst, LCME_EIO);
    assert_string_equal(diag_format(&d, 0, b, sizeof b),
                        "/nonexistent/x.csv: error: cannot open '/nonexistent/x.csv': "
                        "No such file or directory");
    diag_free(&d);
}

static void test_parse_double(void **state)
{
    (void)state;
    char msg[256];
    double v;
#define P(s) csv_parse_double((s), strlen(s), &v, msg, sizeof msg)
    assert_int_equal(P("  3.5 "), CSV_NUM_OK);
    assert_true(v == 3.5);
    assert_int_equal(P("-1e3"), CSV_NUM_OK);
    assert_true(v == -1000.0);
    assert_int_equal(P("+.5"), CSV_NUM_OK);
    assert_true(v == 0.5);
    assert_int_equal(P("1e-400"), CSV_NUM_OK); /* underflows to 0: accepted */
    assert_true(fabs(v) < 1e-300);
    assert_int_equal(P(""), CSV_NUM_MISSING);
    assert_true(isnan(v));
    assert_int_equal(P(" \t "), CSV_NUM_MISSING);
    assert_int_equal(P(" NA "), CSV_NUM_MISSING);   /* R's write.csv token */
    assert_true(isnan(v));
    assert_int_equal(P("na"), CSV_NUM_BAD);         /* only R's exact token */
    assert_string_equal(msg, "'na' is not a number");
    assert_int_equal(P("1,234"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1,234' is not a number (no thousands separators, please: write 1234)");
    assert_int_equal(P("-1,234,567.5"), CSV_NUM_BAD);
    assert_string_equal(msg, "'-1,234,567.5' is not a number (no thousands separators, please: "
                             "write -1234567.5)");
    assert_int_equal(P("1,5"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1,5' is not a number (decimal comma? use a point: 1.5)");
    assert_int_equal(P("12,3456"), CSV_NUM_BAD);
    assert_string_equal(msg, "'12,3456' is not a number (decimal comma? use a point: 12.3456)");
    assert_int_equal(P("0x1A"), CSV_NUM_BAD);
    assert_string_equal(msg, "'0x1A' is not a number (hexadecimal is not accepted)");
    assert_int_equal(P("inf"), CSV_NUM_BAD);
    assert_string_equal(msg, "'inf' is not a finite number");
    assert_int_equal(P("-NaN"), CSV_NUM_BAD);
    assert_string_equal(msg, "'-NaN' is not a finite number");
    assert_int_equal(P("1e999"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1e999' is out of range (too large for a number)");
    assert_int_equal(P("1.2.3"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1.2.3' is not a number");
    assert_int_equal(P("12abc"), CSV_NUM_BAD);
    assert_string_equal(msg, "'12abc' is not a number");
    assert_int_equal(P("1 2"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1 2' is not a number");
    assert_int_equal(P("n/a"), CSV_NUM_BAD);
    assert_string_equal(msg, "'n/a' is not a number");
    assert_int_equal(P("12345678901234567890123456789012345678901234567890x"), CSV_NUM_BAD);
    assert_string_equal(msg, "'1234567890123456789012345678901234567890...' is not a number");
#undef P
    /* msg may be NULL */
    assert_int_equal(csv_parse_double("x", 1, &v, NULL, 0), CSV_NUM_BAD);
}

/* The verdict and value glibc's strtod gives the len bytes at s (digits,
 * '.', '+', '-', 'e', 'E' only): CSV_NUM_OK with *v when it reads them all
 * to a finite number, else CSV_NUM_BAD; what csv_parse_double did before
 * it read long numbers with fast_float. */
static enum csv_num strtod_verdict(const char *s, size_t len, double *v)
{
    char t[160];
    memcpy(t, s, len);
    t[len] = '\0';
    char *end;
    errno = 0;
    *v = strtod(t, &end);
    if (end == t || *end != '\0' || (errno == ERANGE && fabs(*v) > 1.0) || !isfinite(*v))
        return CSV_NUM_BAD;
    return CSV_NUM_OK;
}

static uint64_t next64(uint64_t *x)   /* xorshift64*, a fixed seed: the same cases each run */
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545F4914F6CDD1Dull;
}

/* d in the k-th of eight ways (literal formats: -Wformat-nonliteral). */
static int write_double(char *s, size_t n, int k, double d)
{
    switch (k) {
    case 0: return snprintf(s, n, "%.17g", d);
    case 1: return snprintf(s, n, "%.16g", d);
    case 2: return snprintf(s, n, "%.15g", d);
    case 3: return snprintf(s, n, "%.17e", d);
    case 4: return snprintf(s, n, "%.3e", d);
    case 5: return snprintf(s, n, "%.20f", d);
    case 6: return snprintf(s, n, "%+.17g", d);
    default: return snprintf(s, n, "%.1f", d);
    }
}

/* csv_parse_double against strtod (strtod_verdict), bit for bit: doubles
 * of every magnitude written as spreadsheets and R write them (17, 16 and
 * 15 significant digits, fixed and with exponents, subnormals, near the
 * largest double), the points halfway between two doubles in 101 digits
 * (the tie itself, or a hair off it), and strings of number characters at random, most of them not
 * numbers. */
static void test_parse_double_as_strtod(void **state)
{
    (void)state;
    static const char alpha[] = "0123456789012345678901234567890123456789..+-eE";
    uint64_t x = 0x6c636d6521ull;
    char s[160];
    long agreed = 0, numbers = 0;
    for (int i = 0; i < 400000; i++) {
        size_t len;
        if (i % 2 == 0) {   /* a double's text */
            uint64_t bits = next64(&x);
            double d;
            if (i % 6 == 0)   /* the magnitudes of indicators: 1e-3 to 1e9 */
                d = (double)(bits >> 11) / 9007199254740992.0 * pow(10.0, (int)(bits % 13) - 3);
            else
                memcpy(&d, &bits, sizeof d);
            if (!isfinite(d))
                continue;
            int n = write_double(s, sizeof s, (int)((bits >> 7) % 8), d);
            if (n <= 0 || (size_t)n >= sizeof s || (size_t)n >= 128)
                continue;
            len = (size_t)n;
        } else if (i % 10 == 1) {   /* near a halfway point: fast_float's exact fallback */
            uint64_t bits = next64(&x) >> 1;   /* a positive double */
            double d;
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d) || !isfinite(nextafter(d, INFINITY)))
                continue;
            long double mid = ((long double)d + (long double)nextafter(d, INFINITY)) / 2;
            int n = snprintf(s, sizeof s, "%.100Le", mid);   /* the tie itself when its */
            if (n <= 0 || (size_t)n >= 128)                  /* digits fit, else a hair off */
                continue;
            len = (size_t)n;
        } else {            /* characters of numbers at random */
            len = 1 + next64(&x) % 24;
            for (size_t k = 0; k < len; k++)
                s[k] = alpha[next64(&x) % (sizeof alpha - 1)];
        }
        double want, got;
        enum csv_num w = strtod_verdict(s, len, &want);
        enum csv_num g = csv_parse_double(s, len, &got, NULL, 0);
        if (w != g || (w == CSV_NUM_OK && memcmp(&want, &got, sizeof want) != 0)) {
            fprintf(stderr, "'%.*s': strtod %d %.17g, csv_parse_double %d %.17g\n", (int)len,
                    s, (int)w, want, (int)g, got);
            fail();
        }
        agreed++;
        numbers += w == CSV_NUM_OK;
    }
    assert_true(agreed > 380000);   /* the texts past 127 bytes or of inf and nan skipped */
    assert_true(numbers > 250000);   /* most of the doubles' texts, some of the random ones */
    char msg[256];
    double v;
    assert_int_equal(csv_parse_double("81.59999999999999", 17, &v, msg, sizeof msg), CSV_NUM_OK);
    assert_true(v == 81.6);   /* libxlsxwriter's text for 81.6 */
    assert_int_equal(csv_parse_double("+-1.5", 5, &v, msg, sizeof msg), CSV_NUM_BAD);
    assert_string_equal(msg, "'+-1.5' is not a number");
    assert_int_equal(csv_parse_double("1.7976931348623159e308", 22, &v, msg, sizeof msg),
                     CSV_NUM_BAD);   /* rounds past the largest double */
    assert_string_equal(msg, "'1.7976931348623159e308' is out of range (too large for a number)");
    assert_int_equal(csv_parse_double("4.9406564584124654e-324", 23, &v, msg, sizeof msg),
                     CSV_NUM_OK);
    assert_true(v == 4.9406564584124654e-324);   /* the smallest subnormal */
}

static void test_parse_year(void **state)
{
    (void)state;
    char msg[256];
    int y;
#define Y(s) csv_parse_year((s), strlen(s), &y, msg, sizeof msg)
    assert_int_equal(Y("2018"), CSV_NUM_OK);
    assert_int_equal(y, 2018);
    assert_int_equal(Y(" 1000 "), CSV_NUM_OK);
    assert_int_equal(y, 1000);
    assert_int_equal(Y("9999"), CSV_NUM_OK);
    assert_int_equal(y, 9999);
    assert_int_equal(Y(""), CSV_NUM_MISSING);
    assert_int_equal(Y("999"), CSV_NUM_BAD);
    assert_string_equal(msg, "'999' is not a year (expected a whole number from 1000 to 9999)");
    assert_int_equal(Y("10000"), CSV_NUM_BAD);
    assert_int_equal(Y("0999"), CSV_NUM_BAD);
    assert_int_equal(Y("2018.0"), CSV_NUM_BAD);
    assert_string_equal(msg, "'2018.0' is not a year (expected a whole number from 1000 to 9999)");
    assert_int_equal(Y("-201"), CSV_NUM_BAD);
#undef Y
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_trailing_comma_and_utf8),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_parse_double_as_strtod),
        cmocka_unit_test(test_parse_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
