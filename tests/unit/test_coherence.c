/* test_coherence.c: correlations, Cronbach's alpha and the first principal
 * component against base R (tests/conformance/pipelines/unit_values.R:
 * cor(), cor(method = "spearman"), cov() and eigen()). Relative 1e-12.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coherence.h"
#include "framework.h"
#include "testkit_engine.h"

static void near(double got, double want)
{
    if (fabs(got - want) > 1e-12 * fmax(1.0, fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

static const double A[] = {1, 2, 3, 4, 5, 6}, B[] = {2, 1, 4, 3, 6, 5},
                    C[] = {1, 3, 2, 5, 4, 9};

static void test_correlations(void **s)
{
    (void)s;
    double work[24];
    size_t n;
    near(coherence_pearson(A, C, 6, &n), 0.86931828792122257);
    assert_int_equal(n, 6);
    near(coherence_spearman(A, C, 6, &n, work), 0.88571428571428579);
    const double D[] = {1, 1, 2, 2, 3, 9};   /* ties: average ranks */
    near(coherence_spearman(A, D, 6, &n, work), 0.97100831245522445);
    /* pairwise complete: a NaN drops the pair */
    const double An[] = {1, 2, NAN}, Cn[] = {1, 3, 2};
    assert_true(isnan(coherence_pearson(An, Cn, 3, &n)));   /* only 2 pairs */
    assert_int_equal(n, 2);
}

/* Framework: indicators a, b, c under g (level 2) under root (level 3);
 * scores: a, b, c as above, g and root their mean. */
static void test_groups(void **s)
{
    (void)s;
    struct framework fw;
    struct fw_node nd[5];
    int gch[] = {0, 1, 2}, rch[] = {3};
    const char *codes[] = {"a", "b", "c", "g", "root"};
    for (int i = 0; i < 5; i++) {
        tk_node(&nd[i], codes[i], i < 3 ? 1 : i - 1);
        nd[i].parent = i < 3 ? 3 : (i == 3 ? 4 : -1);
    }
    nd[3].nchild = 3;
    nd[3].child = gch;
    nd[4].nchild = 1;
    nd[4].child = rch;
    tk_fw(&fw, nd, 5, 3, 3);
    double score[30];
    memcpy(score, A, sizeof A);
    memcpy(score + 6, B, sizeof B);
    memcpy(score + 12, C, sizeof C);
    for (int u = 0; u < 6; u++) score[18 + u] = score[24 + u] = (A[u] + B[u] + C[u]) / 3;
    struct diag d;
    diag_init(&d);
    struct coherence *co = coherence_compute(&fw, score, NULL, 6, 1, 0, 2020, &d);
    assert_non_null(co);
    assert_int_equal(co->npair, 4);
    assert_int_equal(co->ngroup, 2);
    const struct coherence_group *g = &co->group[0];
    assert_int_equal(g->node, 3);
    near(g->alpha, 0.8607954545454547);
    near(g->pca_share, 0.82377134700277665);
    near(g->loading[0], 0.63230560730168905);
    near(g->loading[1], 0.54120614245394671);
    near(g->loading[2], 0.55433341081425047);
    assert_true(isnan(co->group[1].alpha));   /* one child */
    /* a-b: r = 0.82857..., a-c 0.869: none above 0.9 or below -0.4 */
    assert_int_equal(co->nflag, 0);
    assert_int_equal(co->nind, 3);
    near(co->stat[0].avail, 1.0);
    coherence_free(co);
    diag_free(&d);
}

/* Issue 14 item 7: five children over four units, fewer complete cases than
 * children, the case of 2,000 indicators under one parent: the first
 * component comes from the 4 x 4 problem (pca_dual) and equals R's eigen()
 * of the 5 x 5 correlation matrix (unit_values.R). */
static void test_more_children_than_units(void **s)
{
    (void)s;
    static const double v[5][4] = {
        {1, 2, 3, 4}, {2, 1, 4, 3}, {1, 3, 2, 5}, {4, 3, 2, 1.5}, {0, 1, 1, 3}};
    struct framework fw;
    struct fw_node nd[6];
    int gch[] = {0, 1, 2, 3, 4};
    const char *codes[] = {"a", "b", "c", "d", "e", "g"};
    for (int i = 0; i < 6; i++) {
        tk_node(&nd[i], codes[i], i < 5 ? 1 : 2);
        nd[i].parent = i < 5 ? 5 : -1;
    }
    nd[5].nchild = 5;
    nd[5].child = gch;
    tk_fw(&fw, nd, 6, 5, 2);
    double score[24];
    memcpy(score, v, sizeof v);
    for (int u = 0; u < 4; u++)
        score[20 + u] = (v[0][u] + v[1][u] + v[2][u] + v[3][u] + v[4][u]) / 5;
    struct diag d;
    diag_init(&d);
    struct coherence *co = coherence_compute(&fw, score, NULL, 4, 1, 0, 2020, &d);
    assert_non_null(co);
    const struct coherence_group *g = &co->group[0];
    assert_int_equal(g->n, 4);
    near(g->pca_share, 0.78204042758386338);
    near(g->loading[0], 0.50358935385293246);
    near(g->loading[1], 0.27472295791283974);
    near(g->loading[2], 0.44213551938272944);
    near(g->loading[3], -0.49240471213191001);
    near(g->loading[4], 0.48267881769563986);
    coherence_free(co);
    diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correlations),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_more_children_than_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
