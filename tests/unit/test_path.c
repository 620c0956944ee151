/* test_path.c: file names made from data (path_slug) never leave the folder
 * they are joined to, never name a device and never come out empty; plus
 * path_join, path_dirname, path_mkdir_p, path_remove_tree (never through a
 * link: issue 14 item 2), path_canonical and path_relative (the store's key
 * of a data file: item 3). Expected slugs
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

/* Write text to dir/name. */
static void put_file(const char *dir, const char *name, const char *text)
{
    char *p = path_join(dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(p);
}

/* Issue 14 item 2: a link, as the folder itself or inside it, is removed
 * as a link: what it points to is untouched. */
static void test_remove_never_follows(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/lcme-test-path-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *victim = path_join(tmpl, "victim"), *vsub = path_join(tmpl, "victim/sub");
    assert_int_equal(path_mkdir_p(vsub), 0);
    put_file(victim, "precious", "x");
    put_file(vsub, "deep", "y");
    char *link = path_join(tmpl, "link");
    assert_int_equal(symlink(victim, link), 0);
    path_remove_tree(link);   /* the folder itself is a link: left alone */
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    char *tree = path_join(tmpl, "tree"), *inner = path_join(tmpl, "tree/in");
    assert_int_equal(path_mkdir_p(inner), 0);
    char *l1 = path_join(tmpl, "tree/to-victim"), *l2 = path_join(tmpl, "tree/in/to-file");
    char *vfile = path_join(victim, "precious");
    assert_int_equal(symlink(victim, l1), 0);
    assert_int_equal(symlink(vfile, l2), 0);
    put_file(inner, "mine", "z");
    path_remove_tree(tree);
    assert_int_not_equal(lstat(tree, &st), 0);
    assert_int_equal(stat(vfile, &st), 0);
    char *vdeep = path_join(vsub, "deep");
    assert_int_equal(stat(vdeep, &st), 0);
    unlink(link);
    path_remove_tree(tmpl);
    assert_int_not_equal(stat(tmpl, &st), 0);
    free(vdeep);
    free(vfile);
    free(l2);
    free(l1);
    free(inner);
    free(tree);
    free(link);
    free(vsub);
    free(victim);
}

/* Issue 14 item 3: the store keys a data file by its path from the store's
 * folder, links and dot-dots resolved; a path that does not exist yet is
 * resolved through its folder. */
static void test_relative(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/lcme-test-path-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *ab = path_join(tmpl, "a/b"), *c = path_join(tmpl, "c");
    assert_int_equal(path_mkdir_p(ab), 0);
    assert_int_equal(path_mkdir_p(c), 0);
    put_file(ab, "x.csv", "1");
    struct {
        const char *dir, *path, *want;
    } cases[] = {
        {"c", "a/b/x.csv", "../a/b/x.csv"},
        {"a", "a/b/x.csv", "b/x.csv"},
        {"a/b", "a/b/x.csv", "x.csv"},
        {"a/b/../../c/..", "c/../a/b/x.csv", "a/b/x.csv"},
        {"a/b", "a/b/new.csv", "new.csv"},      /* not there yet */
        {"a/b", "a", ".."},
        {"a", "a", "."},
        {"a", "nowhere/x.csv", NULL},           /* its folder is not there */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = path_join(tmpl, cases[i].dir), *p = path_join(tmpl, cases[i].path);
        char *got = path_relative(d, p);
        if (cases[i].want) {
            assert_non_null(got);
            assert_string_equal(got, cases[i].want);
        } else {
            assert_null(got);
        }
        free(got);
        free(d);
        free(p);
    }
    char *r = path_relative("/", tmpl);
    assert_string_equal(r, tmpl + 1);
    free(r);
    path_remove_tree(tmpl);
    free(ab);
    free(c);
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
        cmocka_unit_test(test_remove_never_follows),
        cmocka_unit_test(test_relative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
