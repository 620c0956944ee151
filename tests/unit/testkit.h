/* testkit.h: scaffolding shared by the cmocka test programs under
 * tests/unit/ (not a test program itself: CMake builds only test_*.c).
 *
 * Files (read whole, write, temporary files and folders), shell commands and
 * their output, diagnostics printed on failure, and doubles compared with a
 * relative tolerance. Everything is static inline, so a program that uses
 * only some of it compiles without unused-function warnings. Helpers that
 * fail the current test do so with cmocka's asserts; the ones documented to
 * return NULL or -1 leave the verdict to the caller.
 */
#ifndef LCME_TESTKIT_H
#define LCME_TESTKIT_H

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

#include "diag.h"

/* ---- files ---------------------------------------------------------------- */

/* The whole of path, NUL-terminated (also after binary data); its length
 * without the NUL goes to *len when len is not NULL. NULL when the file
 * cannot be opened. Caller frees. */
static inline char *tk_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* tk_slurp of the path printf-formatted from fmt. */
static inline char *tk_slurpf(size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline char *tk_slurpf(size_t *len, const char *fmt, ...)
{
    char path[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return tk_slurp(path, len);
}

/* Fails the test unless files a and b exist and hold the same bytes. */
static inline void tk_assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = tk_slurp(a, &na), *y = tk_slurp(b, &nb);
    if (!x || !y)
        fail_msg("cannot read '%s' or '%s'", a, b);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

/* Write text to path (created or truncated); fails the test if it cannot. */
static inline void tk_write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* Write text to a new file /tmp/lcme-test-TAG-XXXXXX; returns its name in a
 * static buffer (overwritten by the next call). The caller unlinks it. */
static inline char *tk_write_tmp(const char *tag, const char *text)
{
    static char path[96];
    snprintf(path, sizeof path, "/tmp/lcme-test-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* A new, empty file /tmp/lcme-test-TAG-XXXXXX, its name written into path
 * (len >= 64). The caller unlinks it. */
static inline void tk_tmpfile(char *path, size_t len, const char *tag)
{
    snprintf(path, len, "/tmp/lcme-test-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

/* A new folder /tmp/lcme-test-TAG-XXXXXX; NULL if it cannot be made.
 * Caller removes it (tk_rm_rf) and frees the name. */
static inline char *tk_tmpdir(const char *tag)
{
    char tmpl[96];
    snprintf(tmpl, sizeof tmpl, "/tmp/lcme-test-%s-XXXXXX", tag);
    return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

/* One temporary folder, tk_dir, for the tests of a group (or for each test):
 * made by tk_dir_setup, removed with all it holds by tk_dir_teardown; pass
 * them to cmocka_run_group_tests or cmocka_unit_test_setup_teardown. */
static char *tk_dir __attribute__((unused));

static inline int tk_rm_rf(const char *dir);

static inline int tk_dir_setup(void **state)
{
    (void)state;
    tk_dir = tk_tmpdir("dir");
    return tk_dir ? 0 : -1;
}

static inline int tk_dir_teardown(void **state)
{
    (void)state;
    int rc = tk_rm_rf(tk_dir);
    free(tk_dir);
    tk_dir = NULL;
    return rc;
}

/* ---- shell commands --------------------------------------------------------- */

/* Run the command printf-formatted from fmt with sh -c; returns system()'s
 * status (0 when the command exited 0). */
static inline int tk_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int tk_sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof cmd);
    return system(cmd);
}

/* Remove the folder dir and everything under it; 0 on success. */
static inline int tk_rm_rf(const char *dir)
{
    return tk_sh("rm -rf '%s'", dir) == 0 ? 0 : -1;
}

/* What the command printf-formatted from fmt writes to its standard output,
 * NUL-terminated; fails the test unless the command exits 0. Caller frees. */
static inline char *tk_output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *tk_output(const char *fmt, ...)
{
    char cmd[2048], out[] = "/tmp/lcme-test-out-XXXXXX";
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof cmd);
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tk_sh("%s > '%s'", cmd, out), 0);
    char *text = tk_slurp(out, NULL);
    unlink(out);
    assert_non_null(text);
    return text;
}

/* ---- diagnostics and numbers ------------------------------------------------ */

/* Print every diagnostic in d (through cmocka, so a failing test shows why). */
static inline void tk_print_diag(const struct diag *d)
{
    char buf[1024];
    for (size_t i = 0; i < d->n; i++)
        print_error("%s\n", diag_format(d, i, buf, sizeof buf));
}

/* Fails the test unless |got - want| <= rel * max(1, |want|); a NaN got
 * fails. */
static inline void tk_near(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fmax(1.0, fabs(want))))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* Element by element: want[k] NaN <=> got[k] NaN, else got[k] within a
 * relative 1e-12 (absolute below magnitude 1) of want[k]. */
static inline void tk_expect_vec(const double *got, const double *want, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (isnan(want[k])) {
            if (!isnan(got[k])) fail_msg("[%zu]: got %.17g, want NaN", k, got[k]);
            continue;
        }
        double tol = 1e-12 * fmax(1.0, fabs(want[k]));
        if (!(fabs(got[k] - want[k]) <= tol))
            fail_msg("[%zu]: got %.17g, want %.17g", k, got[k], want[k]);
    }
}

#endif
