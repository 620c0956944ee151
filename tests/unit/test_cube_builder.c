/* test_cube_builder.c: the one cube builder: units in code order whatever
 * the order they come in, years ascending, attribute columns in declaration
 * order with the last value set winning, se from the interval only when no
 * finite se is given, denominators in their own planes, and the checks: a
 * confidence level outside (0, 1), an index never declared. Expected cells
 * are worked by hand in the comments; z(0.95) = 1.959963984540054 and
 * z(0.90) = 1.6448536269514722 are the normal quantiles of 0.975 and 0.95.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cube.h"
#include "cube_builder.h"
#include "diag.h"
#include "testkit.h"

static struct cube_builder *builder(size_t nind, size_t ndenom, double level)
{
    struct diag d;
    diag_init(&d);
    struct cube_builder *b = NULL;
    assert_int_equal(cube_builder_new(&b, nind, ndenom, level, &d), 0);
    assert_non_null(b);
    diag_free(&d);
    return b;
}

static struct cube *finish_ok(struct cube_builder *b)
{
    struct diag d;
    diag_init(&d);
    struct cube *c = NULL;
    int rc = cube_builder_finish(b, &c, &d);
    tk_print_diag(&d);
    assert_int_equal(rc, 0);
    assert_non_null(c);
    diag_free(&d);
    cube_builder_free(b);
    return c;
}

static void add(struct cube_builder *b, int unit, int ind, int year, double value, double se,
                double lower, double upper)
{
    struct cube_obs o = {unit, ind, year, value, se, NAN, lower, upper, 0};
    cube_builder_add(b, &o);
}

static void test_order(void **state)
{
    (void)state;
    /* 2 indicators, 1 denominator; units declared B9, A, B10 (C has no
     * observation but is declared, so it is in the cube) */
    struct cube_builder *b = builder(2, 1, 0.95);
    int b9 = cube_builder_unit(b, "B9xx", 2, "Bee nine");   /* only 2 bytes: "B9" */
    int a = cube_builder_unit(b, "A", 1, NULL);
    int b10 = cube_builder_unit(b, "B10", 3, "Bee ten");
    assert_int_equal(cube_builder_unit(b, "C", 1, "Sea"), 3);
    assert_int_equal(b9, 0);
    assert_int_equal(a, 1);
    assert_int_equal(b10, 2);
    /* a unit declared again keeps its index and its first name */
    assert_int_equal(cube_builder_unit(b, "B9", 2, "other"), b9);
    assert_int_equal(cube_builder_unit(b, "A", 1, "Ay"), a);
    /* years out of order: 2022, 2020, 2021, 2020 again */
    add(b, b9, 0, 2022, 1.0, NAN, NAN, NAN);
    add(b, a, 1, 2020, 2.0, NAN, NAN, NAN);
    add(b, b10, 0, 2021, 3.0, NAN, NAN, NAN);
    add(b, b10, 2, 2020, 500.0, NAN, NAN, NAN);   /* denominator 0 */
    add(b, a, 1, 2020, 2.5, NAN, NAN, NAN);       /* same cell: the last wins */
    struct cube *c = finish_ok(b);
    /* bytewise code order: "A" < "B10" < "B9" < "C" */
    assert_int_equal(c->nunit, 4);
    assert_string_equal(c->unit[0], "A");
    assert_string_equal(c->unit[1], "B10");
    assert_string_equal(c->unit[2], "B9");
    assert_string_equal(c->unit[3], "C");
    assert_string_equal(c->unit_name[0], "");
    assert_string_equal(c->unit_name[1], "Bee ten");
    assert_string_equal(c->unit_name[2], "Bee nine");
    assert_string_equal(c->unit_name[3], "Sea");
    assert_int_equal(c->nind, 2);
    assert_int_equal(c->nyear, 3);
    assert_int_equal(c->year[0], 2020);
    assert_int_equal(c->year[1], 2021);
    assert_int_equal(c->year[2], 2022);
    /* B9 (cube 2) I0 2022 (t 2) = 1; A (0) I1 2020 (0) = 2.5; B10 (1) I0
     * 2021 (1) = 3 */
    tk_near(c->value[CUBE_AT(c, 0, 2, 2)], 1.0, 0);
    tk_near(c->value[CUBE_AT(c, 1, 0, 0)], 2.5, 0);
    tk_near(c->value[CUBE_AT(c, 0, 1, 1)], 3.0, 0);
    size_t set = 0;
    for (size_t i = 0; i < c->nind * c->nyear * c->nunit; i++)
        set += !isnan(c->value[i]);
    assert_int_equal(set, 3);
    /* denominator 0, 2020, B10: at (0 * 3 + 0) * 4 + 1 */
    assert_int_equal(c->ndenom, 1);
    tk_near(c->denom[(0 * 3 + 0) * 4 + 1], 500.0, 0);
    set = 0;
    for (size_t i = 0; i < c->ndenom * c->nyear * c->nunit; i++)
        set += !isnan(c->denom[i]);
    assert_int_equal(set, 1);
    assert_int_equal(c->nattr, 0);
    cube_free(c);
}

static void test_attributes(void **state)
{
    (void)state;
    struct cube_builder *b = builder(1, 0, 0.95);
    int z = cube_builder_unit(b, "Z", 1, NULL);
    int y = cube_builder_unit(b, "Y", 1, NULL);
    /* columns in declaration order, not name order */
    assert_int_equal(cube_builder_attr(b, "region"), 0);
    assert_int_equal(cube_builder_attr(b, "group"), 1);
    assert_int_equal(cube_builder_attr(b, "region"), 0);
    cube_builder_set_attr(b, z, 0, "north");
    cube_builder_set_attr(b, z, 0, "east");   /* the last wins */
    cube_builder_set_attr(b, y, 1, "g1");
    struct cube *c = finish_ok(b);
    assert_int_equal(c->nattr, 2);
    assert_string_equal(c->attr_name[0], "region");
    assert_string_equal(c->attr_name[1], "group");
    /* Y is unit 0, Z unit 1 */
    assert_string_equal(c->attr[0 * 2 + 0], "");
    assert_string_equal(c->attr[0 * 2 + 1], "g1");
    assert_string_equal(c->attr[1 * 2 + 0], "east");
    assert_string_equal(c->attr[1 * 2 + 1], "");
    assert_int_equal(c->nyear, 0);   /* no observation, no year */
    cube_free(c);
}

static void test_se_n_flag(void **state)
{
    (void)state;
    struct cube_builder *b = builder(1, 0, 0.90);
    int u = cube_builder_unit(b, "U", 1, NULL);
    add(b, u, 0, 2020, 10.0, NAN, 8.0, 12.0);      /* se = 4 / (2 z(0.90)) */
    add(b, u, 0, 2021, 10.0, 0.5, 1.0, 2.0);       /* a finite se wins: 0.5 */
    add(b, u, 0, 2022, 10.0, INFINITY, 8.0, 12.0); /* not finite: from the CI */
    add(b, u, 0, 2023, 10.0, NAN, 8.0, NAN);       /* half an interval: NaN */
    struct cube_obs o = {u, 0, 2024, 0.4, NAN, 250.0, NAN, NAN, "p"};
    cube_builder_add(b, &o);
    struct cube_obs ob = {u, 0, 2025, 0.4, NAN, NAN, NAN, NAN, "b"};
    cube_builder_add(b, &ob);
    struct cube *c = finish_ok(b);
    tk_near(c->se[CUBE_AT(c, 0, 0, 0)], 4.0 / (2 * 1.6448536269514722), 1e-12);
    tk_near(c->se[CUBE_AT(c, 0, 1, 0)], 0.5, 0);
    tk_near(c->se[CUBE_AT(c, 0, 2, 0)], 4.0 / (2 * 1.6448536269514722), 1e-12);
    assert_true(isnan(c->se[CUBE_AT(c, 0, 3, 0)]));
    assert_true(isnan(c->n[CUBE_AT(c, 0, 0, 0)]));
    tk_near(c->n[CUBE_AT(c, 0, 4, 0)], 250.0, 0);
    /* the flags as given, "b" a break */
    assert_int_equal(c->flag[CUBE_AT(c, 0, 4, 0)], CUBE_FLAGGED);
    assert_string_equal(cube_flag_at(c, CUBE_AT(c, 0, 4, 0)), "p");
    assert_int_equal(c->flag[CUBE_AT(c, 0, 5, 0)], CUBE_FLAGGED | CUBE_BREAK);
    assert_string_equal(cube_flag_at(c, CUBE_AT(c, 0, 5, 0)), "b");
    assert_int_equal(c->flag[CUBE_AT(c, 0, 1, 0)], 0);
    assert_null(cube_flag_at(c, CUBE_AT(c, 0, 1, 0)));
    assert_int_equal(c->nflagtext, 2);
    cube_free(c);
}

static void test_checks(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct cube_builder *b = (struct cube_builder *)&d;   /* any non-NULL: must become NULL */
    /* a level outside (0, 1) is refused before anything is built */
    assert_int_equal(cube_builder_new(&b, 1, 0, 95, &d), -1);
    assert_null(b);
    assert_int_equal(d.worst, LCME_EUSAGE);
    assert_int_equal(cube_builder_new(&b, 1, 0, 0.0, &d), -1);
    assert_int_equal(cube_builder_new(&b, 1, 0, NAN, &d), -1);
    diag_free(&d);

    /* an indicator past nind + ndenom: nothing is built, one internal error
     * at the end; the calls after it change nothing */
    const int bad[][2] = {{0, 3}, {0, -1}, {1, 0}, {-1, 0}};   /* {unit, ind} */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        b = builder(2, 1, 0.95);
        int u = cube_builder_unit(b, "U", 1, NULL);
        add(b, u + bad[k][0], bad[k][1], 2020, 1.0, NAN, NAN, NAN);
        add(b, u, 0, 2020, 1.0, NAN, NAN, NAN);
        diag_init(&d);
        struct cube *c = (struct cube *)&d;   /* any non-NULL: must become NULL */
        assert_int_equal(cube_builder_finish(b, &c, &d), -1);
        assert_null(c);
        assert_int_equal(d.worst, LCME_EINTERNAL);
        assert_int_equal(diag_count(&d), 1);
        diag_free(&d);
        cube_builder_free(b);
    }
    /* an attribute cell of an undeclared column or unit */
    b = builder(1, 0, 0.95);
    cube_builder_set_attr(b, cube_builder_unit(b, "U", 1, NULL), 0, "x");
    diag_init(&d);
    struct cube *c = NULL;
    assert_int_equal(cube_builder_finish(b, &c, &d), -1);
    assert_int_equal(d.worst, LCME_EINTERNAL);
    diag_free(&d);
    cube_builder_free(b);
    cube_builder_free(NULL);
}

static void test_empty(void **state)
{
    (void)state;
    struct cube *c = finish_ok(builder(3, 2, 0.95));
    assert_int_equal(c->nunit, 0);
    assert_int_equal(c->nyear, 0);
    assert_int_equal(c->nind, 3);
    assert_int_equal(c->ndenom, 2);
    cube_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_se_n_flag),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
