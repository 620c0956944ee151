/* test_badinput.c: every bad-input fixture under tests/data/bad/ whose name
 * starts with fw- (framework files) or data- (observation files, CSV or
 * workbooks, read against
 * tests/data/good/mini-framework.csv) must be rejected, and the first error
 * (after diag_sort, as the command line prints them) must read exactly as the
 * sibling .expect file says. The expected lines were written by hand from
 * the fixture's content; paths are relative to the repository root. */
#include <dirent.h>
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
#include "framework.h"
#include "ingest.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_expect(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    if (!fgets(buf, (int)len, fp)) {
        fclose(fp);
        return -1;
    }
    fclose(fp);
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static void test_fixtures(void **state)
{
    (void)state;
    assert_int_equal(chdir(LCME_SOURCE_DIR), 0);
    struct diag d;
    diag_init(&d);
    struct framework *mini = NULL;
    int rc = framework_load(&mini, "tests/data/good/mini-framework.csv", &d);
    if (rc != 0) {
        char b[1024];
        for (size_t i = 0; i < d.n; i++)
            print_error("%s\n", diag_format(&d, i, b, sizeof b));
    }
    assert_int_equal(rc, 0);
    diag_clear(&d);

    DIR *dir = opendir("tests/data/bad");
    assert_non_null(dir);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < 512) {
        size_t l = strlen(e->d_name);
        if ((strncmp(e->d_name, "fw-", 3) == 0 || strncmp(e->d_name, "data-", 5) == 0) &&
            ((l > 4 && strcmp(e->d_name + l - 4, ".csv") == 0) ||
             (l > 5 && strncmp(e->d_name, "data-", 5) == 0 &&
              strcmp(e->d_name + l - 5, ".xlsx") == 0)))
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_str);
    assert_true(n >= 25);

    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512], expath[512], want[1024], got[1024];
        snprintf(path, sizeof path, "tests/data/bad/%s", names[i]);
        snprintf(expath, sizeof expath, "tests/data/bad/%.*s.expect",
                 (int)(strcspn(names[i], ".")), names[i]);
        if (read_expect(expath, want, sizeof want) != 0) {
            print_error("%s: no .expect file\n", path);
            failures++;
            continue;
        }
        diag_clear(&d);
        if (strncmp(names[i], "fw-", 3) == 0) {
            struct framework *fw = NULL;
            rc = framework_load(&fw, path, &d);
            framework_free(fw);
        } else {
            struct obsset *s = obsset_new();
            assert_non_null(s);
            rc = ingest_file(s, path, names[i], mini, &d);
            if (rc != 0)
                assert_int_equal(s->n, 0); /* nothing appended */
            obsset_free(s);
        }
        if (rc == 0 || d.n == 0) {
            print_error("%s: accepted, expected\n  %s\n", path, want);
            failures++;
            continue;
        }
        diag_sort(&d);
        diag_format(&d, 0, got, sizeof got);
        if (strcmp(got, want) != 0) {
            print_error("%s:\n  got  %s\n  want %s\n", path, got, want);
            failures++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    framework_free(mini);
    diag_free(&d);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
