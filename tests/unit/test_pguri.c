/* test_pguri.c: PostgreSQL connection URIs as a batch names its store
 * (pguri.h): which texts are URIs, where a password hides (after the user,
 * or as the password parameter, its key percent-encoded or not), and the
 * scrubbed form messages show, which never holds the password and never a
 * control character. Expected texts are written out by hand from libpq's
 * URI form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pguri.h"

static void test_is(void **state)
{
    (void)state;
    assert_true(pguri_is("postgresql://db/network"));
    assert_true(pguri_is("postgres://db/network"));
    assert_true(pguri_is("postgresql://"));
    assert_false(pguri_is("lcme.db"));
    assert_false(pguri_is("/srv/postgresql://x.db"));
    assert_false(pguri_is("postgresql:/db"));
    assert_false(pguri_is("POSTGRESQL://db"));   /* libpq's prefix is lower case */
    assert_false(pguri_is(""));
    assert_false(pguri_is(NULL));
}

/* libpq's keyword strings (its documentation's examples), told from paths */
static void test_is_keywords(void **state)
{
    (void)state;
    assert_true(pguri_is_keywords("host=localhost port=5432 dbname=mydb connect_timeout=10"));
    assert_true(pguri_is_keywords("dbname=network"));
    assert_true(pguri_is_keywords("  user = officer"));
    assert_true(pguri_is_keywords("service=lcme"));
    assert_false(pguri_is_keywords("lcme.db"));
    assert_false(pguri_is_keywords("host.db"));
    assert_false(pguri_is_keywords("hosts=1.db"));
    assert_false(pguri_is_keywords("data/host=1.db"));
    assert_false(pguri_is_keywords("postgresql://db/network"));
    assert_false(pguri_is_keywords(""));
    assert_false(pguri_is_keywords(NULL));
}

static void test_has_password(void **state)
{
    (void)state;
    assert_true(pguri_has_password("postgresql://officer:secret@db/network"));
    assert_true(pguri_has_password("postgresql://officer:@db/network"));   /* empty */
    assert_true(pguri_has_password("postgres://officer:secret@h1,h2:5433/net"));
    assert_true(pguri_has_password("postgresql://db/net?password=secret"));
    assert_true(pguri_has_password("postgresql://db/net?sslmode=require&password="));
    assert_true(pguri_has_password("postgresql://db/net?pass%77ord=secret"));
    assert_true(pguri_has_password("postgresql://db/net?%70assword=secret"));
    assert_false(pguri_has_password("postgresql://officer@db:5432/network"));
    assert_false(pguri_has_password("postgresql://db:5432/network?user=officer"));
    assert_false(pguri_has_password("postgresql:///net?host=/tmp/sock&port=5432"));
    assert_false(pguri_has_password("postgresql://db/net?passwords=x&xpassword=y"));
    assert_false(pguri_has_password("postgresql://db/net?passfile=/home/o/.pgpass"));
    assert_false(pguri_has_password("officer:secret@lcme.db"));   /* a file name */
}

static const char *scrub(const char *uri)
{
    static char out[256];
    return pguri_scrub(uri, out, sizeof out);
}

static void test_scrub(void **state)
{
    (void)state;
    assert_string_equal(scrub("postgresql://officer:secret@db/network"),
                        "postgresql://officer:***@db/network");
    assert_string_equal(scrub("postgresql://db/net?sslmode=require&password=secret&port=5"),
                        "postgresql://db/net?sslmode=require&password=***&port=5");
    assert_string_equal(scrub("postgresql://o:a@db/net?pass%77ord=b"),
                        "postgresql://o:***@db/net?pass%77ord=***");
    assert_string_equal(scrub("postgresql://officer@db/network"), "postgresql://officer@db/network");
    assert_string_equal(scrub("postgresql://db/ne\tt\x1b[2J"), "postgresql://db/ne?t?[2J");
    assert_string_equal(scrub("lcme.db"), "lcme.db");
    assert_string_equal(scrub(NULL), "");
    /* cut short, still without the password */
    char small[24];
    pguri_scrub("postgresql://officer:secret@db/network", small, sizeof small);
    assert_string_equal(small, "postgresql://officer:**");
    assert_null(strstr(small, "secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is),
        cmocka_unit_test(test_is_keywords),
        cmocka_unit_test(test_has_password),
        cmocka_unit_test(test_scrub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
