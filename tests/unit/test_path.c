/* test_path.c: file names made from data (path_slug) never leave the folder
 * they are joined to, never name a device and never come out empty; plus
 * path_join, path_dirname, path_mkdir_p and path_remove_tree. Expected slugs
 * are worked out by hand from the documented rule: ASCII letters and digits
 * kept (lower-cased), every other run of bytes becomes one '-' between kept
 * characters, at most 80 bytes, "unnamed" when nothing is left, a '-'
 * appended to a reserved device name. */
#include <errno.h>
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

#include "path.h"

static const char *slug(const char *text)
{
    static char out[96];
    memset(out, 'Z', sizeof out);
    char *r = path_slug(text, out, sizeof out);
    assert_ptr_equal(r, out);
    return out;
}

/* A text and the slug the documented rule makes of it. */
struct slug_case {
    const char *text, *want;
};

static void check_slugs(const struct slug_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(slug(c[i].text), c[i].want) != 0)
            fail_msg("slug(\"%s\") is \"%s\", want \"%s\"", c[i].text, slug(c[i].text),
                     c[i].want);
}

static void test_slug_examples(void **state)
{
    (void)state;
    static const struct slug_case cases[] = {
        {"../../etc/x", "etc-x"}, /* the header's example */
        {"Hong Kong", "hong-kong"},
        {"  Hong   Kong  ", "hong-kong"}, /* no leading/trailing '-' */
        {"/etc/passwd", "etc-passwd"},
        {"..\\..\\windows\\system32", "windows-system32"},
        {"a/b\\c:d*e?f\"g<h>i|j", "a-b-c-d-e-f-g-h-i-j"},
        {"=HYPERLINK(\"x\")", "hyperlink-x"},
        {"KF 1.2.3", "kf-1-2-3"},
        {"\xe9\xa6\x99\xe6\xb8\xaf Hong Kong", "hong-kong"}, /* 香港: not ASCII */
    };
    check_slugs(cases, sizeof cases / sizeof cases[0]);
}

static void test_slug_never_empty_or_dots(void **state)
{
    (void)state;
    static const struct slug_case cases[] = {
        {"", "unnamed"},
        {".", "unnamed"},
        {"..", "unnamed"},
        {"../..", "unnamed"},
        {"///", "unnamed"},
        {"\xe9\xa6\x99\xe6\xb8\xaf", "unnamed"},
    };
    check_slugs(cases, sizeof cases / sizeof cases[0]);
}

static void test_slug_reserved_devices(void **state)
{
    (void)state;
    static const struct slug_case cases[] = {
        {"CON", "con-"},
        {"con", "con-"},
        {"NUL", "nul-"},
        {"Prn", "prn-"},
        {"AUX", "aux-"},
        {"COM1", "com1-"},
        {"LPT9", "lpt9-"},
        {"../CON", "con-"},
        /* not devices: kept as they are */
        {"COM10", "com10"},
        {"CONSOLE", "console"},
        {"CON X", "con-x"},
    };
    check_slugs(cases, sizeof cases / sizeof cases[0]);
}

static void test_slug_length_cap(void **state)
{
    (void)state;
    char text[400];
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    const char *s = slug(text);
    assert_int_equal(strlen(s), 80);
    /* "ab " repeated: 'ab-ab-...' cut at 80 bytes */
    char rep[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(rep, "ab ");
    s = slug(rep);
    assert_true(strlen(s) <= 80);
    assert_int_equal(strncmp(s, "ab-ab-ab", 8), 0);
    /* a small buffer is respected */
    char small[8];
    memset(small, 'Z', sizeof small);
    path_slug("abcdefghijkl", small, sizeof small);
    assert_string_equal(small, "abcdefg");
}

/* Random bytes: every slug is a single safe path component. */
static void test_slug_random_bytes(void **state)
{
    (void)state;
    unsigned long x = 88172645463325252UL;   /* xorshift64, fixed seed */
    for (int t = 0; t < 20000; t++) {
        char text[64];
        size_t n = (size_t)(t % 63);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[i] = (char)((x % 255) + 1);   /* no NUL inside */
        }
        text[n] = '\0';
        const char *s = slug(text);
        size_t len = strlen(s);
        assert_true(len >= 1 && len <= 80);
        assert_true(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
        for (size_t i = 0; i < len; i++)
            assert_true((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
                        s[i] == '-');
        assert_true(s[0] != '-');
    }
}

static void test_join_dirname(void **state)
{
    (void)state;
    char *p = path_join("out", "scores.csv");
    assert_string_equal(p, "out/scores.csv");
    free(p);
    p = path_join("out/", "scores.csv");
    assert_string_equal(p, "out/scores.csv");
    free(p);
    p = path_join("out", "/abs/x.csv");   /* absolute names stay absolute */
    assert_string_equal(p, "/abs/x.csv");
    free(p);
    p = path_join(NULL, "x");
    assert_string_equal(p, "x");
    free(p);
    p = path_join("", "x");
    assert_string_equal(p, "x");
    free(p);
    p = path_dirname("a/b/batch.ini");
    assert_string_equal(p, "a/b");
    free(p);
    p = path_dirname("batch.ini");
    assert_string_equal(p, ".");
    free(p);
    p = path_dirname("/batch.ini");
    assert_string_equal(p, "/");
    free(p);
}

static void test_mkdir_remove(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/lcme-test-path-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *deep = path_join(tmpl, "a/b/c");
    assert_int_equal(path_mkdir_p(deep), 0);
    assert_int_equal(path_mkdir_p(deep), 0);   /* existing: fine */
    struct stat st;
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* a file in the way: -1 with ENOTDIR */
    char *file = path_join(tmpl, "f");
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fclose(fp);
    errno = 0;
    assert_int_equal(path_mkdir_p(file), -1);
    assert_int_equal(errno, ENOTDIR);
    char *under = path_join(file, "x");
    assert_int_equal(path_mkdir_p(under), -1);
    /* an empty path is refused without reading past it (-o "") */
    assert_int_equal(path_mkdir_p(""), -1);
    /* remove_tree: files and one level of sub-folders */
    char *sub = path_join(tmpl, "a/b/c/x.txt");
    fp = fopen(sub, "w");
    assert_non_null(fp);
    fclose(fp);
    char *ab = path_join(tmpl, "a/b");
    path_remove_tree(ab);
    assert_int_not_equal(stat(ab, &st), 0);
    char *a = path_join(tmpl, "a");
    assert_int_equal(stat(a, &st), 0);
    path_remove_tree(tmpl);
    assert_int_not_equal(stat(tmpl, &st), 0);
    free(a);
    free(ab);
    free(sub);
    free(under);
    free(file);
    free(deep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slug_examples),
        cmocka_unit_test(test_slug_never_empty_or_dots),
        cmocka_unit_test(test_slug_reserved_devices),
        cmocka_unit_test(test_slug_length_cap),
        cmocka_unit_test(test_slug_random_bytes),
        cmocka_unit_test(test_join_dirname),
        cmocka_unit_test(test_mkdir_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
