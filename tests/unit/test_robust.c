/* test_robust.c: regression cases for bad files found while hardening the
 * readers (the end-to-end versions are in tests/e2e/bad_files.sh):
 *  - a FIFO named as a CSV or batch file is refused at once (it used to
 *    block the run forever in fopen, waiting for a writer);
 *  - a folder named as a CSV or batch file says "it is a folder" (a folder
 *    batch file used to read as an empty batch: "name is missing" x4);
 *  - a batch file with CR-only line ends is reported at line 1 (it used to
 *    read as an empty batch);
 *  - [batch] created with negative fields or a 3-digit year is refused;
 *  - a batch file with per-level sections and a bad line frees everything
 *    (checked under AddressSanitizer's leak checker). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "csv.h"
#include "diag.h"
#include "path.h"
#include "testkit.h"

/* NAME in the test's own temporary folder (tk_dir_setup). */
static char *in_dir(const char *name)
{
    return path_join(tk_dir, name);
}

/* The first message in d, formatted. */
static const char *first(struct diag *d, char *buf, size_t len)
{
    assert_true(d->n >= 1);
    diag_sort(d);
    return diag_format(d, 0, buf, len);
}

static void test_csv_fifo_refused(void **state)
{
    (void)state;
    char *p = in_dir("f.csv");
    assert_int_equal(mkfifo(p, 0600), 0);
    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    assert_int_equal(csv_open(&c, p, &d), -1);   /* returns: does not block */
    assert_null(c);
    char buf[512], want[512];
    snprintf(want, sizeof want, "%s: error: cannot open '%s': not a regular file", p, p);
    assert_string_equal(first(&d, buf, sizeof buf), want);
    diag_free(&d);
    free(p);
}

static void test_csv_folder_refused(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    assert_int_equal(csv_open(&c, tk_dir, &d), -1);
    char buf[512], want[512];
    snprintf(want, sizeof want, "%s: error: cannot open '%s': it is a folder", tk_dir, tk_dir);
    assert_string_equal(first(&d, buf, sizeof buf), want);
    diag_free(&d);
}

static void expect_config_error(const char *path, const char *want_tail)
{
    struct diag d;
    diag_init(&d);
    struct config *c = NULL;
    assert_int_equal(config_load(&c, path, &d), -1);
    assert_null(c);
    char buf[512], want[512];
    snprintf(want, sizeof want, "%s%s", path, want_tail);
    assert_string_equal(first(&d, buf, sizeof buf), want);
    assert_int_equal(diag_count(&d), 1);
    diag_free(&d);
}

static void test_config_fifo_and_folder(void **state)
{
    (void)state;
    char *p = in_dir("b.ini");
    assert_int_equal(mkfifo(p, 0600), 0);
    expect_config_error(p, ": error: cannot open batch file: not a regular file");
    expect_config_error(tk_dir, ": error: cannot open batch file: it is a folder");
    free(p);
}

static void test_config_cr_only(void **state)
{
    (void)state;
    char *p = in_dir("cr.ini");
    tk_write_file(p, "[batch]\rname = X\ryear = 2023\rframework = f.csv\rdata = d.csv\r");
    expect_config_error(p, ":1: error: line ends with a bare carriage return (CR-only line "
                           "ends are not supported; save the file with LF or CRLF line ends)");
    /* a bare CR on line 3 of an otherwise LF file, after a per-level
     * section whose overrides must be freed */
    tk_write_file(p, "[method.feature]\naggregate = geometric\nname = X\rmore\n");
    expect_config_error(p, ":3: error: line ends with a bare carriage return (CR-only line "
                           "ends are not supported; save the file with LF or CRLF line ends)");
    /* CRLF is fine */
    tk_write_file(p, "[batch]\r\nname = X\r\nyear = 2023\r\nframework = f.csv\r\ndata = d.csv\r\n");
    struct diag d;
    diag_init(&d);
    struct config *c = NULL;
    assert_int_equal(config_load(&c, p, &d), 0);
    assert_string_equal(c->name, "X");
    assert_int_equal(c->year, 2023);
    config_free(c);
    diag_free(&d);
    free(p);
}

/* A long data list continues on indented lines; each name keeps its own
 * line and column for errors (by hand: 'data = a.csv, b.csv' puts b.csv
 * at column 15 of line 5; '    c.csv' puts c.csv at column 5 of line 6). */
static void test_config_data_continuation(void **state)
{
    (void)state;
    char *p = in_dir("t.ini");
    tk_write_file(p, "[batch]\nname = X\nyear = 2023\nframework = f.csv\n"
                     "data = a.csv, b.csv\n    c.csv\n");
    struct diag d;
    diag_init(&d);
    struct config *c = NULL;
    assert_int_equal(config_load(&c, p, &d), 0);
    assert_int_equal(c->ndata, 3);
    assert_string_equal(c->data_name[2], "c.csv");
    assert_int_equal(c->data_line[1], 5);
    assert_int_equal(c->data_col[1], 15);
    assert_int_equal(c->data_line[2], 6);
    assert_int_equal(c->data_col[2], 5);
    config_free(c);
    diag_free(&d);
    free(p);
}

static void test_config_created_fields(void **state)
{
    (void)state;
    char *p = in_dir("t.ini");
    const char *bad[] = { "2023-12-31T-1:00:00Z", "2023-12-31T00:-5:00Z",
                          "2023-12-31T00:00:-1Z", "-999-12-31T00:00:00Z",
                          "0999-12-31T00:00:00Z" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[256], tail[256];
        snprintf(text, sizeof text,
                 "[batch]\nname = X\nyear = 2023\nframework = f.csv\ndata = d.csv\ncreated = %s\n",
                 bad[i]);
        tk_write_file(p, text);
        snprintf(tail, sizeof tail,
                 ":6:11: error: [batch] created: '%s' is not a time like 2026-12-31T00:00:00Z", bad[i]);
        expect_config_error(p, tail);
    }
    free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tk_dir_setup, tk_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_csv_fifo_refused),
        T(test_csv_folder_refused),
        T(test_config_fifo_and_folder),
        T(test_config_cr_only),
        T(test_config_data_continuation),
        T(test_config_created_fields),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
