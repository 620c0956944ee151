/* test_config.c: the batch file's reading that the bad-input catalogue
 * cannot show, because it concerns batches that load (issue 14, item 5):
 * an indented line continues its key's value (joined with a space, or a
 * comma for the list keys) instead of replacing it; data lines keep each
 * file's line and column; where the store and the output folder are named
 * is kept for messages. And the refusals, whose first message the
 * catalogue checks too, with every message listed here: a key or a section
 * given twice, an indented line that reads like a key, a NUL byte, another
 * control character, bytes that are not UTF-8 (items 4 and 8).
 *
 * Every expected value is read off the batch text beside it.
 */
#include "testkit.h"

#include "config.h"

static struct config *load(const char *text, struct diag *d)
{
    char *path = tk_write_tmp("batch", text);
    struct config *c = NULL;
    int rc = config_load(&c, path, d);
    unlink(path);
    if (rc != 0) {
        assert_null(c);
        return NULL;
    }
    return c;
}

static const char head[] = "[batch]\n"
                           "year = 2023\n"
                           "framework = fw.csv\n";

static void test_continuation_continues(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    char text[1024];
    snprintf(text, sizeof text,
             "%s"                                          /* lines 1-3 */
             "name = Hong Kong learning\n"                  /* 4 */
             "    city evaluation   ; a comment\n"          /* 5 */
             "data = a.csv, b.csv\n"                        /* 6 */
             "  c.csv\n"                                    /* 7 */
             "level_names = indicator,\n"                   /* 8 */
             "\tfeature\n"                                  /* 9 */
             "   area, index\n"                             /* 10 */
             "store = s/lcme.db\n"                          /* 11 */
             "output = out\n"                               /* 12 */
             "[method]\n"                                   /* 13 */
             "force_include = A\n"                          /* 14 */
             "  B\n"                                        /* 15 */
             "order = impute, screen,\n"                    /* 16 */
             "  denominate, treat\n",                       /* 17 */
             head);
    struct config *c = load(text, &d);
    tk_print_diag(&d);
    assert_non_null(c);
    assert_string_equal(c->name, "Hong Kong learning city evaluation");
    assert_int_equal(c->ndata, 3);
    assert_string_equal(c->data_name[0], "a.csv");
    assert_string_equal(c->data_name[2], "c.csv");
    assert_int_equal(c->data_line[1], 6);
    assert_int_equal(c->data_col[1], 15);   /* "data = a.csv, b.csv": b at byte 15 */
    assert_int_equal(c->data_line[2], 7);
    assert_int_equal(c->data_col[2], 3);
    assert_int_equal(c->nlevel_names, 4);
    assert_string_equal(c->level_name[1], "indicator");
    assert_string_equal(c->level_name[2], "feature");
    assert_string_equal(c->level_name[3], "area");
    assert_string_equal(c->level_name[4], "index");
    assert_int_equal(c->store_line, 11);
    assert_int_equal(c->store_col, 9);
    assert_int_equal(c->output_line, 12);
    assert_int_equal(c->output_col, 10);
    assert_string_equal(c->force_include, "A, B");
    assert_int_equal(c->order[0], PREP_IMPUTE);
    assert_int_equal(c->order[1], PREP_SCREEN);
    assert_int_equal(c->order[2], PREP_DENOMINATE);
    assert_int_equal(c->order[3], PREP_TREAT);
    config_free(c);
    diag_free(&d);
}

/* A value on the next line, after an empty first one; a bad value is
 * reported at its key's line, whatever line continues it. */
static void test_continuation_lines(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    char text[512];
    snprintf(text, sizeof text, "%sname =\n  Only on line five\ndata = a.csv\n", head);
    struct config *c = load(text, &d);
    assert_non_null(c);
    assert_string_equal(c->name, "Only on line five");
    config_free(c);
    snprintf(text, sizeof text,
             "[batch]\nname = N\nframework = fw.csv\ndata = a.csv\nyear = 20\n  23\n");
    assert_null(load(text, &d));
    diag_sort(&d);
    char buf[512];
    assert_true(strstr(diag_format(&d, 0, buf, sizeof buf),
                       ":5:8: error: [batch] year: '20 23' is not a whole number") != NULL);
    diag_free(&d);
}

/* Every message of a refused batch, in order. */
static void expect(const char *text, const char *const *want, size_t n)
{
    struct diag d;
    diag_init(&d);
    assert_null(load(text, &d));
    diag_sort(&d);
    tk_print_diag(&d);
    assert_int_equal(d.n, n);
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        const char *got = strchr(diag_format(&d, i, buf, sizeof buf), ':');
        assert_non_null(got);
        assert_string_equal(got, want[i]);
    }
    diag_free(&d);
}

static void test_repeats_refused(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text,
             "%s"                           /* 1-3 */
             "name = A\n"                   /* 4 */
             "Name = B\n"                   /* 5: keys have no case */
             "data = a.csv\n"               /* 6 */
             "data = b.csv\n"               /* 7 */
             "[method]\n"                   /* 8 */
             "normalise = minmax\n"         /* 9 */
             "normalize = zscore\n"         /* 10: the same key */
             "[weights.w]\n"                /* 11 */
             "A1 = 1\n"                     /* 12 */
             "a1 = 2\n"                     /* 13: codes keep their case */
             "A1 = 3\n"                     /* 14 */
             "[method]\n",                  /* 15 */
             head);
    static const char *const want[] = {
        ":5:1: error: [batch] Name is given twice (first on line 4); give it once",
        ":7:1: error: [batch] data is given twice (first on line 6); give it once",
        ":10:1: error: [method] normalize is given twice (first on line 9); give it once",
        ":14:1: error: [weights.w] A1 is given twice (first on line 12); give it once",
        ":15:1: error: section [method] is given twice (first on line 8); put its keys under "
        "one header",
    };
    expect(text, want, sizeof want / sizeof *want);
}

static void test_indented_key_refused(void **state)
{
    (void)state;
    static const char *const want[] = {
        ":3:3: error: indented, this line would continue the value of 'name' (line 2): start "
        "a key or a section at the beginning of its line",
        ":6:2: error: indented, this line would continue the value of 'data' (line 5): start "
        "a key or a section at the beginning of its line",
    };
    expect("[batch]\nname = A\n  year = 2023\nframework = fw.csv\ndata = a.csv\n [trend]\n",
           want, 2);
}

static void test_binary_refused(void **state)
{
    (void)state;
    static const char *const nul[] = {":2:9: error: NUL byte: a batch file is text (save it as "
                                      "UTF-8 text)"};
    char text[] = "[batch]\nname = A\0B\nyear = 2023\n";
    char *path = tk_write_tmp("batch", "");
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(text, 1, sizeof text - 1, fp);
    fclose(fp);
    struct diag d;
    diag_init(&d);
    struct config *c = NULL;
    assert_int_equal(config_load(&c, path, &d), -1);
    unlink(path);
    char buf[512];
    assert_int_equal(d.n, 1);
    assert_string_equal(strchr(diag_format(&d, 0, buf, sizeof buf), ':'), nul[0]);
    diag_free(&d);

    static const char *const esc[] = {":2:10: error: control character 0x1B: a batch file is "
                                      "text (save it as UTF-8 text)"};
    expect("[batch]\nname = Ev\033[2Jil\nyear = 2023\n", esc, 1);
    static const char *const del[] = {":3:1: error: control character 0x7F: a batch file is "
                                      "text (save it as UTF-8 text)"};
    expect("[batch]\nname = A\n\177\n", del, 1);
    static const char *const latin1[] = {":2:9: error: invalid UTF-8 byte 0xE3 (save the file "
                                         "as UTF-8 text)"};
    expect("[batch]\nname = S\343o Paulo\n", latin1, 1);
    /* tabs, CRLF line ends and UTF-8 are text */
    char ok[512];
    snprintf(ok, sizeof ok, "%sname =\tS\xc3\xa3o Paulo\r\ndata = a.csv\r\n", head);
    struct config *good = load(ok, &d);
    assert_non_null(good);
    assert_string_equal(good->name, "S\xc3\xa3o Paulo");
    config_free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_continuation_continues),
        cmocka_unit_test(test_continuation_lines),
        cmocka_unit_test(test_repeats_refused),
        cmocka_unit_test(test_indented_key_refused),
        cmocka_unit_test(test_binary_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
