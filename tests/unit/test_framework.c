/* test_framework.c: loading COINr's ASEM iMeta and lcme's own format, the
 * node order contract, computed levels, every-problem reporting and the
 * effective weights (worked out by hand from the tree's shape). */
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
#include "framework.h"
#include "testkit_engine.h"

#define ASEM LCME_SOURCE_DIR "/../shared/conformance/asem/ASEM_iMeta.csv"
#define MINI LCME_SOURCE_DIR "/tests/data/good/mini-framework.csv"

static const char *asem_path(void)
{
    /* the conformance set lives beside the repository or inside it */
    static const char *const cand[] = {
        LCME_SOURCE_DIR "/tests/conformance/asem/ASEM_iMeta.csv",
        "/work/shared/conformance/asem/ASEM_iMeta.csv",
        ASEM,
    };
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
        if (access(cand[i], R_OK) == 0)
            return cand[i];
    return cand[1];
}

static void assert_close(double got, double want)
{
    tk_near(got, want, 1e-12);
}

/* The contract of framework.h, checked on any tree. */
static void check_order(const struct framework *fw)
{
    assert_int_equal(fw->root, fw->nnode - 1);
    assert_int_equal(fw->node[fw->root].parent, -1);
    for (int i = 0; i < fw->nnode; i++) {
        const struct fw_node *n = &fw->node[i];
        assert_int_equal(n->type, i < fw->nind ? NODE_INDICATOR : NODE_AGGREGATE);
        if (i != fw->root)
            assert_true(n->parent > i);        /* children before parents */
        for (int k = 0; k < n->nchild; k++) {
            assert_true(n->child[k] < i);
            assert_int_equal(fw->node[n->child[k]].parent, i);
            if (k > 0)                          /* file order */
                assert_true(fw->node[n->child[k - 1]].line < fw->node[n->child[k]].line);
        }
        if (i < fw->nind) {
            assert_int_equal(n->nchild, 0);
            assert_int_equal(n->level, 1);
            if (i > 0)
                assert_true(fw->node[i - 1].line < n->line);
        } else {
            assert_true(n->nchild > 0);
        }
        assert_int_equal(framework_find(fw, n->code), i);
    }
}

static void test_asem(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(asem_path());
    /* 49 indicators, 8 pillars + 2 sub-indices + 1 index */
    assert_int_equal(fw->nind, 49);
    assert_int_equal(fw->nnode, 60);
    assert_int_equal(fw->nlevel, 4);
    check_order(fw);
    /* indicators in file order: LPI first, NEET last */
    assert_int_equal(framework_find(fw, "LPI"), 0);
    assert_int_equal(framework_find(fw, "NEET"), 48);
    /* post-order: Index > (Conn > Physical ConEcFin Political Instit P2P)
     *                    (Sust > Environ Social SusEcFin) */
    static const char *const agg[] = {"Physical", "ConEcFin", "Political", "Instit", "P2P",
                                      "Conn", "Environ", "Social", "SusEcFin", "Sust", "Index"};
    for (int k = 0; k < 11; k++)
        assert_string_equal(fw->node[49 + k].code, agg[k]);
    assert_int_equal(fw->node[framework_find(fw, "Conn")].level, 3);
    assert_int_equal(fw->node[framework_find(fw, "Physical")].level, 2);
    assert_int_equal(fw->node[framework_find(fw, "Physical")].nchild, 8);
    assert_int_equal(fw->node[framework_find(fw, "Social")].nchild, 9);
    /* Group and Denominator rows are not in the tree */
    assert_int_equal(fw->ngroup, 4);
    assert_int_equal(fw->ndenom, 4);
    assert_string_equal(fw->group[0], "GDP_group");
    assert_string_equal(fw->group[3], "EurAsia_group");
    assert_string_equal(fw->denom[0], "Area");
    assert_string_equal(fw->denom[3], "Population");
    assert_int_equal(framework_find(fw, "GDP"), -1);
    assert_int_equal(framework_find(fw, "GDP_group"), -1);
    /* fields */
    const struct fw_node *lpi = &fw->node[0];
    assert_string_equal(lpi->name, "Logistics Performance Index");
    assert_string_equal(lpi->unit, "Score 1-5");
    assert_close(lpi->target, 4.11803135);
    assert_null(lpi->denominator);
    assert_true(isnan(lpi->min) && isnan(lpi->max) && isnan(lpi->lower));
    assert_int_equal(lpi->line, 2);
    const struct fw_node *fl = &fw->node[framework_find(fw, "Flights")];
    assert_string_equal(fl->denominator, "Population");
    assert_int_equal(fw->node[framework_find(fw, "CostImpEx")].direction, -1);
    assert_int_equal(fw->node[framework_find(fw, "Tariff")].direction, -1);
    assert_int_equal(lpi->direction, 1);
    assert_close(lpi->weight, 1);
    assert_true(isnan(fw->node[fw->root].target));

    /* effective weights, all raw weights 1:
     * LPI: 1/8 (Physical has 8) x 1/5 (Conn has 5 pillars) x 1/2 = 1/80
     * Embs: 1/3 (Political) x 1/5 x 1/2 = 1/30
     * Renew: 1/5 (Environ) x 1/3 (Sust has 3 pillars) x 1/2 = 1/30
     * Poverty: 1/9 (Social) x 1/3 x 1/2 = 1/54
     * Physical: 1/5 x 1/2 = 1/10; Conn: 1/2; Index: 1 */
    double w[60];
    framework_effective_weights(fw, w);
    assert_close(w[0], 1.0 / 80);
    assert_close(w[framework_find(fw, "Embs")], 1.0 / 30);
    assert_close(w[framework_find(fw, "Renew")], 1.0 / 30);
    assert_close(w[framework_find(fw, "Poverty")], 1.0 / 54);
    assert_close(w[framework_find(fw, "Physical")], 1.0 / 10);
    assert_close(w[framework_find(fw, "Conn")], 0.5);
    assert_close(w[fw->root], 1);
    double sum = 0;
    for (int i = 0; i < fw->nind; i++)
        sum += w[i];
    assert_close(sum, 1);
    framework_free(fw);
    framework_free(NULL);
}

static void test_mini(void **state)
{
    (void)state;
    struct framework *fw = tk_framework_ok(MINI);
    check_order(fw);
    assert_int_equal(fw->nind, 4);
    assert_int_equal(fw->nnode, 7);
    static const char *const order[] = {"enrol", "libs", "drop", "satis", "Access", "Quality", "City"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(fw->node[i].code, order[i]);
    assert_string_equal(fw->node[1].name, "Libraries per 100,000 people");
    assert_close(fw->node[0].min, 0);
    assert_close(fw->node[0].max, 100);
    assert_close(fw->node[1].min, 0);
    assert_true(isnan(fw->node[1].max));
    assert_int_equal(fw->node[2].direction, -1);
    assert_int_equal(fw->nlevel, 3);
    assert_int_equal(fw->ndenom, 1);
    assert_int_equal(fw->ngroup, 1);
    /* Access weight 1, Quality 2 -> 1/3, 2/3; enrol = libs = 1/3 x 1/2 = 1/6;
     * drop (weight 1 of 3) = 2/3 x 1/3 = 2/9; satis (2 of 3) = 2/3 x 2/3 = 4/9 */
    double w[7];
    framework_effective_weights(fw, w);
    assert_close(w[0], 1.0 / 6);
    assert_close(w[1], 1.0 / 6);
    assert_close(w[2], 2.0 / 9);
    assert_close(w[3], 4.0 / 9);
    assert_close(w[4], 1.0 / 3);
    assert_close(w[5], 2.0 / 3);
    assert_close(w[6], 1);
    framework_free(fw);
}

static char *write_tmp(const char *text)
{
    return tk_write_tmp("fw", text);
}

static void test_computed_levels(void **state)
{
    (void)state;
    /* no level column, no type column: an uneven tree.
     * root > A > A1 > a1, root > b1: levels a1 1, A1 2, A 3, b1 1, root 4.
     * Indicators: a1, b1 in file order (b1 comes first in the file). */
    char *p = write_tmp("Code,Parent,Weight\n"
                        "root,,\n"
                        "b1,root,3\n"
                        "A,root,1\n"
                        "A1,A,\n"
                        "a1,A1,\n");
    struct framework *fw = tk_framework_ok(p);
    unlink(p);
    check_order(fw);
    assert_int_equal(fw->nind, 2);
    assert_string_equal(fw->node[0].code, "b1");
    assert_string_equal(fw->node[1].code, "a1");
    assert_string_equal(fw->node[2].code, "A1");
    assert_string_equal(fw->node[3].code, "A");
    assert_string_equal(fw->node[4].code, "root");
    assert_int_equal(fw->node[2].level, 2);
    assert_int_equal(fw->node[3].level, 3);
    assert_int_equal(fw->node[4].level, 4);
    assert_int_equal(fw->nlevel, 4);
    /* b1 weight 3 of 4, A 1 of 4 -> a1 = 1/4 */
    double w[5];
    framework_effective_weights(fw, w);
    assert_close(w[0], 0.75);
    assert_close(w[1], 0.25);
    framework_free(fw);
}

static void test_na_cells(void **state)
{
    (void)state;
    /* R's write.csv writes NA for a missing parent, level, direction,
     * target or weight (COINr's iMeta): read as not given. Expected by
     * hand: the same tree as with empty cells, root without a parent,
     * directions 1 by default, target NaN, weight 1 by default. */
    char *p = write_tmp("iCode,Parent,Level,Weight,Direction,Target\n"
                        "idx,NA,NA,NA,NA,NA\n"
                        "a,idx,1,2,-1,5\n"
                        "b,idx,NA,1,NA,NA\n");
    struct framework *fw = tk_framework_ok(p);
    unlink(p);
    check_order(fw);
    assert_int_equal(fw->nind, 2);
    assert_string_equal(fw->node[fw->root].code, "idx");
    assert_int_equal(fw->node[0].direction, -1);
    assert_int_equal(fw->node[1].direction, 1);
    assert_close(fw->node[0].target, 5);
    assert_true(isnan(fw->node[1].target));
    assert_close(fw->node[fw->root].weight, 1);
    framework_free(fw);
}

static void test_all_problems(void **state)
{
    (void)state;
    /* three independent row problems: all reported, in file order */
    char *p = write_tmp("code,parent,weight,direction\n"
                        "idx,,1,1\n"
                        "a,idx,-2,1\n"
                        "b,idx,1,2\n"
                        "a,idx,1,1\n");
    struct diag d;
    diag_init(&d);
    struct framework *fw = (struct framework *)1;
    assert_int_equal(framework_load(&fw, p, &d), -1);
    assert_null(fw);
    assert_int_equal(diag_count(&d), 3);
    char b[512], want[512];
    snprintf(want, sizeof want, "%s:3:3: error: negative weight -2 (weights must be 0 or more)", p);
    assert_string_equal(diag_format(&d, 0, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:4:4: error: direction must be 1 or -1, not '2'", p);
    assert_string_equal(diag_format(&d, 1, b, sizeof b), want);
    snprintf(want, sizeof want, "%s:5:1: error: duplicate code 'a' (first defined on line 3)", p);
    assert_string_equal(diag_format(&d, 2, b, sizeof b), want);
    unlink(p);
    diag_free(&d);
}

static void test_zero_weights(void **state)
{
    (void)state;
    /* siblings all of weight 0: effective weight 0, never NaN */
    char *p = write_tmp("code,parent,weight\nr,,1\nx,r,0\ny,r,0\n");
    struct framework *fw = tk_framework_ok(p);
    unlink(p);
    double w[3];
    framework_effective_weights(fw, w);
    assert_close(w[0], 0);
    assert_close(w[1], 0);
    assert_close(w[2], 1);
    framework_free(fw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asem),
        cmocka_unit_test(test_mini),
        cmocka_unit_test(test_computed_levels),
        cmocka_unit_test(test_na_cells),
        cmocka_unit_test(test_all_problems),
        cmocka_unit_test(test_zero_weights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
