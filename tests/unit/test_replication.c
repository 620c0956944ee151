/* test_replication.c: the Monte Carlo intervals when a preparation step or a
 * method other than min-max ▸ arithmetic mean is used: each replication must
 * run the whole pipeline on its drawn raw values, holding the nominal run's
 * screening and treatment decisions and re-deriving the bounds (pipeline.h,
 * uncertainty.h). One test per configuration that gave wrong intervals
 * before (issue 12): denominate, treat = log, treat = winsorise (per year
 * and pooled), screen, normalise = borda (pooled) and dist2ref, aggregate =
 * geometric with range 1, 100, and survey percentages and shares near 0
 * and 1; and every bound on the score's scale.
 *
 * Each case is a small cube built here and run through pipeline_run and
 * uncertainty_run with R = 20,000. The expected nominal scores and interval
 * bands come from tests/replication/expected.R (its output is kept in
 * expected.out), which draws the same model 200,000 times and writes the
 * pipeline out by hand in R (or takes the quantile of a truncated normal in
 * closed form). A bound passes when it lies in its band [Q(p - d),
 * Q(p + d)]; expected.R's header derives d from the Monte Carlo error of a
 * 2.5 % quantile (a correct engine fails a bound with probability below
 * 1e-6). Every row of the tables below is copied from expected.out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "prepare.h"
#include "testkit_engine.h"
#include "uncertainty.h"

#define REPS 20000L

/* One expected cell (a row of expected.out): node, year index, unit index,
 * nominal score, R's quantiles at 0.025 and 0.975, and the bands each of
 * lcme's bounds must fall in. */
struct want {
    int node, t, u;
    double score, q_lo, q_hi, lo_from, lo_to, hi_from, hi_to;
};

/* ---- fixture ------------------------------------------------------------- */

/* nind indicators A, B, C, ... under one root (arithmetic unless the config
 * says otherwise), nunit units U1.. over nyear years from 2023 (2024 when
 * there is one year). */
struct fx {
    struct framework fw;
    struct fw_node node[8];
    int kids[8];
    char *denom_codes[1];
    struct cube *c;
    struct config *cfg;
    struct results *res;
    struct uncertainty_change *ch;
    struct uncertainty_summary sum;
    struct diag d;
};

static void fx_init(struct fx *f, int nind, size_t nunit, size_t nyear, size_t ndenom,
                    enum norm_method nm)
{
    static const char *codes[8] = {"A", "B", "C", "D", "E", "F", "G", "root"};
    memset(f, 0, sizeof *f);
    for (int i = 0; i < nind; i++) {
        tk_node(&f->node[i], codes[i], 1);
        f->node[i].parent = nind;
        f->kids[i] = i;
    }
    tk_node(&f->node[nind], codes[7], 2);
    f->node[nind].nchild = nind;
    f->node[nind].child = f->kids;
    tk_fw(&f->fw, f->node, nind + 1, nind, 2);
    f->c = cube_new(nunit, (size_t)nind, nyear, 0, ndenom);
    assert_non_null(f->c);
    for (size_t u = 0; u < nunit; u++) {
        char buf[32];
        snprintf(buf, sizeof buf, "U%zu", u + 1);
        free(f->c->unit[u]);
        f->c->unit[u] = strdup(buf);
    }
    for (size_t t = 0; t < nyear; t++)
        f->c->year[t] = (nyear == 1 ? 2024 : 2023) + (int)t;
    f->cfg = tk_config_new(tk_method(nm, SCOPE_POOLED, AGG_ARITHMETIC));
    f->cfg->ci_level = 0.95;
    f->cfg->replications = REPS;
    f->cfg->seed = 20161112;
    f->cfg->base_year = f->c->year[0];
    f->cfg->winmax = 5;
    f->cfg->denominate_scale = 1;
    f->cfg->dat_thresh = 2.0 / 3.0;
    diag_init(&f->d);
}

/* Values of indicator i in year t for every unit; se (may be NULL: exact)
 * and n (may be NULL) alike. */
static void fx_set(struct fx *f, int i, size_t t, const double *v, const double *se,
                   const double *n)
{
    for (size_t u = 0; u < f->c->nunit; u++) {
        size_t k = CUBE_AT(f->c, i, t, u);
        f->c->value[k] = v[u];
        if (se) f->c->se[k] = se[u];
        if (n) f->c->n[k] = n[u];
    }
}

static void fx_run(struct fx *f)
{
    results_free(f->res);
    uncertainty_change_free(f->ch);
    f->res = tk_pipeline_ok(f->cfg, &f->fw, f->c, &f->d);
    if (uncertainty_run(f->cfg, &f->fw, f->c, f->res, &f->ch, 2, NULL, NULL, 0, &f->sum,
                        &f->d) != 0) {
        tk_print_diag(&f->d);
        fail_msg("uncertainty_run failed");
    }
}

static void fx_free(struct fx *f)
{
    results_free(f->res);
    uncertainty_change_free(f->ch);
    cube_free(f->c);
    free(f->cfg);
    diag_free(&f->d);
}

/* ---- checks -------------------------------------------------------------- */

/* Float deviations carry 6e-8 of their size (uncertainty.h): a bound may
 * pass its band by that much. */
static int in_band(double x, double from, double to)
{
    double slack = 1e-5 * fmax(1.0, fmax(fabs(from), fabs(to)));
    return x >= from - slack && x <= to + slack;
}

/* Each row's nominal score, and its interval within the bands (ranks: the
 * rank interval, the nominal rank). */
static void check_rows(const struct fx *f, const char *what, const struct want *w,
                       size_t n, int ranks)
{
    const struct results *r = f->res;
    for (size_t j = 0; j < n; j++) {
        size_t k = RES_AT(r, w[j].node, w[j].t, w[j].u);
        double nom = ranks ? r->rank[k] : r->score[k];
        double lo = ranks ? r->rank_low[k] : r->ci_low[k];
        double hi = ranks ? r->rank_high[k] : r->ci_high[k];
        if (!(fabs(nom - w[j].score) <= 1e-9 * fmax(1.0, fabs(w[j].score))))
            fail_msg("%s node %d year %d U%d: nominal %.17g, want %.17g", what, w[j].node,
                     w[j].t, w[j].u + 1, nom, w[j].score);
        if (!in_band(lo, w[j].lo_from, w[j].lo_to) || !in_band(hi, w[j].hi_from, w[j].hi_to))
            fail_msg("%s node %d year %d U%d: [%.6g, %.6g], want [%.6g, %.6g] (bands "
                     "[%.6g, %.6g] and [%.6g, %.6g])", what, w[j].node, w[j].t, w[j].u + 1,
                     lo, hi, w[j].q_lo, w[j].q_hi, w[j].lo_from, w[j].lo_to, w[j].hi_from,
                     w[j].hi_to);
    }
    /* one line of evidence per case: the first row, expected and got */
    size_t k = RES_AT(r, w[0].node, w[0].t, w[0].u);
    print_message("%-22s node %d U%d: expected [%.4f, %.4f], got [%.4f, %.4f]\n", what,
                  w[0].node, w[0].u + 1, w[0].q_lo, w[0].q_hi,
                  ranks ? r->rank_low[k] : r->ci_low[k],
                  ranks ? r->rank_high[k] : r->ci_high[k]);
}

/* Every present score of every node inside [from, to] with its interval,
 * up to the float rounding of the deviations (test_bounds_on_scale holds
 * the bounds to the scale exactly); inside: the nominal score inside its
 * own interval too. */
static void check_scale(const struct fx *f, double from, double to, int inside)
{
    const struct results *r = f->res;
    size_t cells = r->nnode * r->nyear * r->nunit;
    double round = 1e-6 * fmax(fabs(from), fabs(to));
    for (size_t k = 0; k < cells; k++) {
        if (isnan(r->score[k])) {
            assert_true(isnan(r->ci_low[k]) && isnan(r->ci_high[k]));
            continue;
        }
        if (!(r->ci_low[k] >= from - round && r->ci_high[k] <= to + round))
            fail_msg("cell %zu: interval [%.17g, %.17g] leaves [%g, %g]", k, r->ci_low[k],
                     r->ci_high[k], from, to);
        double slack = 1e-5 * fmax(1.0, fabs(r->score[k]));
        if (inside && !(r->ci_low[k] <= r->score[k] + slack &&
                        r->score[k] <= r->ci_high[k] + slack))
            fail_msg("cell %zu: score %.17g outside its interval [%.17g, %.17g]", k,
                     r->score[k], r->ci_low[k], r->ci_high[k]);
    }
}

#define ROWS(a) (a), sizeof(a) / sizeof((a)[0])

/* ---- denominate ------------------------------------------------------------ */

/* expected.R [denominate]: A (counts, se) / (pop / 1000), B exact, minmax */
static const struct want w_denom[] = {
    {0, 0, 0, 20, 9.6564534551108139, 29.968900351127605, 9.0402488506968979, 10.164921673826928, 29.523125303951986, 30.538017516596419},
    {0, 0, 1, 80, 66.87526058037075, 95.00466574571179, 66.167254313344046, 67.461265819080268, 94.291707585789069, 95.952204639701648},
    {0, 0, 2, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 3, 50, 39.168444837023351, 61.597486882120734, 38.56508809638261, 39.671019661119637, 61.014734044356729, 62.295608575306503},
    {0, 0, 4, 65, 52.9939629691265, 78.24861520218937, 52.415002030012715, 53.526336722689742, 77.630217421386348, 79.043357083474774},
    {0, 0, 5, 100, 100, 100, 100, 100, 100, 100},
    {2, 0, 0, 10, 4.8282267275554069, 14.984450175563802, 4.5201244253484489, 5.0824608369134641, 14.761562651975993, 15.269008758298209},
    {2, 0, 1, 73.333333333333329, 66.770963623518711, 80.835666206189217, 66.416960490005351, 67.063966242873462, 80.479187126227856, 81.309435653184153},
    {2, 0, 2, 16.666666666666664, 16.666666666666664, 16.666666666666664, 16.666666666666664, 16.666666666666664, 16.666666666666664, 16.666666666666664},
    {2, 0, 3, 75, 69.584222418511672, 80.798743441060367, 69.282544048191298, 69.835509830559815, 80.507367022178371, 81.147804287653258},
    {2, 0, 4, 40.833333333333329, 34.830314817896586, 47.457640934428021, 34.540834348339686, 35.096501694678203, 47.148442044026496, 47.855011875070716},
    {2, 0, 5, 75, 75, 75, 75, 75, 75, 75},
};

/* expected.R [denominate goalposts]: A's posts 0 and 400 on the rate */
static const struct want w_denom_gp[] = {
    {0, 0, 0, 30, 28.040036015459947, 31.959963984540053, 27.935394040386274, 28.126792239340233, 31.873207760659767, 32.064605959613729},
    {0, 0, 1, 45, 42.386714687279927, 47.613285312720073, 42.247192053848366, 42.502389652453644, 47.497610347546356, 47.752807946151634},
    {0, 0, 2, 25, 23.162533764493698, 26.837466235506302, 23.06443191286213, 23.24386772438147, 26.75613227561853, 26.93556808713787},
    {0, 0, 3, 37.5, 35.295040517392444, 39.704959482607556, 35.177318295434553, 35.392641269257766, 39.607358730742234, 39.822681704565447},
    {0, 0, 4, 41.25, 38.800045019324934, 43.699954980675066, 38.669242550482842, 38.908490299175291, 43.591509700824709, 43.830757449517158},
    {0, 0, 5, 50, 47.141719189212417, 52.858280810787583, 46.989116308896648, 47.26823868237117, 52.73176131762883, 53.010883691103352},
};

/* Counts of learners with a raw-unit se, divided by population per 1,000:
 * the interval is that of the rate (about [42, 48] for U2's 45 under the
 * goalposts), not the raw se added to the rate. */
static void test_denominate(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 6, 1, 1, NORM_MINMAX);
    const double pop[6] = {10000, 30000, 8000, 20000, 40000, 12000};
    const double cnt[6] = {1200, 5400, 800, 3000, 6600, 2400};
    const double se[6] = {40, 160, 30, 90, 200, 70};
    const double B[6] = {3, 7, 5, 9, 4, 6};
    fx_set(&f, 0, 0, cnt, se, NULL);
    fx_set(&f, 1, 0, B, NULL, NULL);
    memcpy(f.c->denom, pop, sizeof pop);
    f.denom_codes[0] = (char *)"pop";
    f.fw.ndenom = 1;
    f.fw.denom = f.denom_codes;
    f.node[0].denominator = (char *)"pop";
    f.node[0].min = 0;
    f.cfg->denominate = 1;
    f.cfg->denominate_scale = 1000;
    fx_run(&f);
    check_rows(&f, "denominate minmax", ROWS(w_denom), 0);
    check_scale(&f, 0, 100, 1);
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) f.cfg->level[l].normalise = NORM_GOALPOSTS;
    f.node[0].lower = 0;
    f.node[0].upper = 400;
    fx_run(&f);
    check_rows(&f, "denominate goalposts", ROWS(w_denom_gp), 0);
    check_scale(&f, 0, 100, 1);
    fx_free(&f);
}

/* ---- treat = log ------------------------------------------------------------ */

/* expected.R [log]: normalise = none, the score of A is log(draw) */
static const struct want w_log[] = {
    {0, 0, 0, 0, -0.21815153027838463, 0.1789796441978235, -0.23125208172482714, -0.20741880579975081, 0.1716993201181472, 0.18769094575795553},
    {0, 0, 1, 0.18232155679395459, -0.035829973484430018, 0.36130120099177798, -0.048930524930872618, -0.025097249005796282, 0.35402087691210182, 0.37001250255190998},
    {0, 0, 2, 0.40546510810816438, 0.18731357782977975, 0.58444475230598791, 0.17421302638333713, 0.19804630230841355, 0.57716442822631153, 0.5931560538661198},
    {0, 0, 3, 0.69314718055994529, 0.47499565028156071, 0.87212682475776881, 0.46189509883511815, 0.48572837476019448, 0.86484650067809254, 0.88083812631790082},
    {0, 0, 4, 0.78845736036427028, 0.57030583008588565, 0.96743700456209381, 0.55720527863944314, 0.58103855456451925, 0.96015668048241753, 0.97614830612222581},
    {0, 0, 5, 0.91629073187415511, 0.69813920159577059, 1.0952703760719784, 0.68503865014932797, 0.7088719260744043, 1.0879900519923023, 1.1039816776321105},
    {0, 0, 6, 1.0986122886681098, 0.88046075838972504, 1.2775919328659331, 0.86736020694328242, 0.89119348286835887, 1.2703116087862569, 1.2863032344260652},
    {0, 0, 7, 1.1939224684724346, 0.97577093819405003, 1.3729021126702579, 0.9626703867476073, 0.98650366267268363, 1.3656217885905817, 1.38161341423039},
    {0, 0, 8, 1.3862943611198906, 1.1681428308415061, 1.5652740053177141, 1.1550422793950634, 1.1788755553201398, 1.5579936812380377, 1.5739853068778462},
    {0, 0, 9, 4.0943445622221004, 3.8761930319437163, 4.2733242064199244, 3.8630924804972735, 3.8869257564223498, 4.2660438823402478, 4.2820355079800558},
};

/* expected.R [log minmax] */
static const struct want w_log_mm[] = {
    {0, 0, 0, 0, 0, 2.4922230487844361, 0, 0, 2.153275271498043, 2.8869856460095122},
    {0, 0, 4, 19.257230269265744, 13.003067614441171, 25.366481300275655, 12.614480437040189, 13.321760612622626, 25.106271248700889, 25.700925412990753},
    {0, 0, 8, 33.858761519756285, 27.809833420388056, 39.753028693742102, 27.442667597119662, 28.110841161567254, 39.496796723869117, 40.060723286760755},
    {0, 0, 9, 100, 100, 100, 100, 100, 100, 100},
    {2, 0, 0, 16.666666666666664, 16.666666666666664, 17.912778191058884, 16.666666666666664, 16.666666666666664, 17.743304302415687, 18.110159489671421},
    {2, 0, 4, 9.6286151346328719, 6.5015338072205857, 12.683240650137828, 6.3072402185200946, 6.6608803063113129, 12.553135624350444, 12.850462706495376},
    {2, 0, 8, 44.707158537655921, 41.682694487971808, 47.654292124648826, 41.499111576337611, 41.833198358561404, 47.526176139712334, 47.80813942115816},
    {2, 0, 9, 72.222222222222229, 72.222222222222229, 72.222222222222229, 72.222222222222229, 72.222222222222229, 72.222222222222229, 72.222222222222229},
};

/* A skewed indicator with se 10 % of each value, logged: each replication
 * logs its own draws (about [-0.22, 0.18] around log 1 = 0), not the raw se
 * added to the logged value. */
static void test_treat_log(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 10, 1, 0, NORM_NONE);
    const double A[10] = {1, 1.2, 1.5, 2, 2.2, 2.5, 3, 3.3, 4, 60};
    const double B[10] = {4, 9, 2, 7, 1, 10, 3, 8, 6, 5};
    double se[10];
    for (int u = 0; u < 10; u++) se[u] = A[u] / 10;
    fx_set(&f, 0, 0, A, se, NULL);
    fx_set(&f, 1, 0, B, NULL, NULL);
    f.node[0].min = 0;
    f.cfg->treat = TREAT_LOG;
    fx_run(&f);
    assert_int_equal(f.res->prep->treat[0].how, PREP_TREAT_LOG);
    assert_int_equal(f.res->prep->treat[1].how, PREP_TREAT_NOT_NEEDED);
    check_rows(&f, "treat log", ROWS(w_log), 0);
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) f.cfg->level[l].normalise = NORM_MINMAX;
    fx_run(&f);
    check_rows(&f, "treat log minmax", ROWS(w_log_mm), 0);
    check_scale(&f, 0, 100, 1);
    fx_free(&f);
}

/* The same data with U1's error large (se 0.8 on 1, no framework min): about
 * one replication in ten draws U1 at or below 0, where log is undefined. The
 * decision held is "log" for the indicator: the other units' scores must
 * stay the logs of their own draws in every replication (their intervals
 * those of w_log); U1's log is missing in those replications. */
static void test_treat_log_nonpositive(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 10, 1, 0, NORM_NONE);
    const double A[10] = {1, 1.2, 1.5, 2, 2.2, 2.5, 3, 3.3, 4, 60};
    const double B[10] = {4, 9, 2, 7, 1, 10, 3, 8, 6, 5};
    double se[10];
    for (int u = 0; u < 10; u++) se[u] = A[u] / 10;
    se[0] = 0.8;
    fx_set(&f, 0, 0, A, se, NULL);
    fx_set(&f, 1, 0, B, NULL, NULL);
    f.cfg->treat = TREAT_LOG;
    fx_run(&f);
    assert_int_equal(f.res->prep->treat[0].how, PREP_TREAT_LOG);
    check_rows(&f, "treat log, U1 <= 0", w_log + 1, sizeof w_log / sizeof w_log[0] - 1, 0);
    /* U1's log is missing where its draw is <= 0: its A cell lost its value
     * in some replications (the root, with no coverage rule, keeps B's) */
    assert_int_equal(f.sum.unstable_cells, 1);
    fx_free(&f);
}

/* ---- treat = winsorise ------------------------------------------------------- */

/* expected.R [winsorise]: normalise = none */
static const struct want w_win[] = {
    {0, 0, 0, 20, 15.047316018905871, 26.070976474587145, 14.732489234494436, 15.296729421646102, 25.814733511739668, 26.374824052609718},
    {0, 0, 8, 38, 31.538680175299611, 44.872197304418499, 31.170672727495816, 31.864685505924918, 44.560125147370961, 45.259909806864478},
    {0, 0, 9, 38, 34.463612474946359, 44.991951666365495, 34.229417893995304, 34.64077154468842, 44.690197547070504, 45.371717708493009},
};

/* expected.R [winsorise minmax] */
static const struct want w_win_mm[] = {
    {0, 0, 0, 0, 0, 31.03111221256064, 0, 0, 29.361321762996567, 33.014461115348041},
    {0, 0, 8, 100, 64.151814269067216, 100, 61.713134649558626, 66.119557908779313, 100, 100},
    {0, 0, 9, 100, 100, 100, 100, 100, 100, 100},
    {2, 0, 0, 22.222222222222221, 22.222222222222221, 37.737778328502536, 22.222222222222221, 22.222222222222221, 36.902883103720505, 38.729452779896235},
    {2, 0, 8, 100, 82.075907134533608, 100, 80.85656732477932, 83.059778954389657, 100, 100},
    {2, 0, 9, 77.777777777777771, 77.777777777777771, 77.777777777777771, 77.777777777777771, 77.777777777777771, 77.777777777777771, 77.777777777777771},
};

/* Survey percentages (n = 200) with one outlier, winsorised to the next
 * value: each replication winsorises the same count of its own largest
 * draws (U10 about [34, 45] around 38), not the untreated 95. */
static void test_treat_winsorise(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 10, 1, 0, NORM_NONE);
    const double A[10] = {20, 22, 25, 27, 30, 31, 33, 35, 38, 95};
    const double n[10] = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200};
    const double B[10] = {5, 3, 8, 1, 9, 2, 7, 4, 10, 6};
    fx_set(&f, 0, 0, A, NULL, n);
    fx_set(&f, 1, 0, B, NULL, NULL);
    f.node[0].unit = (char *)"percent (survey)";
    f.cfg->treat = TREAT_WINSORISE;
    fx_run(&f);
    const struct prepare_treat_row *row = &f.res->prep->treat[0];
    assert_int_equal(row->how, PREP_TREAT_WINSORISED);
    assert_int_equal(row->whigh, 1);
    assert_int_equal(row->wlow, 0);
    assert_int_equal(f.res->treated, 1);
    assert_true(f.res->flag[CUBE_AT(f.c, 0, 0, 9)] & CUBE_TREATED_HIGH);
    check_rows(&f, "treat winsorise", ROWS(w_win), 0);
    check_scale(&f, 0, 100, 0);
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) f.cfg->level[l].normalise = NORM_MINMAX;
    fx_run(&f);
    check_rows(&f, "treat winsorise minmax", ROWS(w_win_mm), 0);
    check_scale(&f, 0, 100, 1);
    fx_free(&f);
}

/* expected.R [winsorise pooled low]: normalise = none */
static const struct want w_win_low[] = {
    {0, 0, 0, 50, 46.0938413807581, 53.902081921339807, 45.857352552174021, 46.274506435462442, 53.721274016950488, 54.123791093071716},
    {0, 0, 7, 50, 45.838475802267773, 51.746377022819779, 45.642882819582503, 46.0138465865165, 51.635932230180813, 51.879855456704959},
    {0, 1, 7, 68, 64.069833891428587, 71.915536017934087, 63.857490047908414, 64.261227965600014, 71.733964681072408, 72.131925716198097},
};

/* Pooled scope: one treatment slice of A's 16 values over 2023 and 2024,
 * whose low outlier (U8's 5 in 2023) is winsorised up to the next smallest:
 * each replication raises its own smallest of the 16 draws to the next. */
static void test_treat_winsorise_pooled_low(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 8, 2, 0, NORM_NONE);
    const double A[2][8] = {{50, 52, 55, 57, 60, 62, 65, 5}, {51, 53, 56, 58, 61, 63, 66, 68}};
    const double B[8] = {5, 3, 8, 1, 9, 2, 7, 4};
    const double se[8] = {2, 2, 2, 2, 2, 2, 2, 2};
    for (size_t t = 0; t < 2; t++) {
        fx_set(&f, 0, t, A[t], se, NULL);
        fx_set(&f, 1, t, B, NULL, NULL);
    }
    f.cfg->treat = TREAT_WINSORISE;
    fx_run(&f);
    assert_int_equal(f.res->prep->treat_pooled, 1);
    const struct prepare_treat_row *row = &f.res->prep->treat[0];
    assert_int_equal(row->how, PREP_TREAT_WINSORISED);
    assert_int_equal(row->wlow, 1);
    assert_int_equal(row->whigh, 0);
    assert_true(f.res->flag[CUBE_AT(f.c, 0, 0, 7)] & CUBE_TREATED_LOW);
    check_rows(&f, "winsorise pooled low", ROWS(w_win_low), 0);
    fx_free(&f);
}

/* ---- screen -------------------------------------------------------------------- */

/* expected.R [screen] and [screen ranks]: root scores and ranks of U2..U6 */
static const struct want w_screen[] = {
    {3, 0, 1, 0, 0, 0, 0, 0, 0, 0},
    {3, 0, 2, 28.327228327228326, 26.265001158563074, 30.366079112750242, 26.144171083882011, 26.363198087341207, 30.276924778166379, 30.483064331305911},
    {3, 0, 3, 28.427350427350429, 26.355655998183821, 30.460909426928147, 26.241678021175048, 26.454755076087935, 30.363589684300539, 30.574329139153914},
    {3, 0, 4, 67.228327228327231, 65.198101524427898, 69.289605770505929, 65.08332716768254, 65.286967446094891, 69.195463216379125, 69.404850154839451},
    {3, 0, 5, 100, 100, 100, 100, 100, 100, 100},
};
static const struct want w_screen_rank[] = {
    {3, 0, 1, 5, 5, 5, 5, 5, 5, 5},
    {3, 0, 2, 4, 3, 4, 3, 3, 4, 4},
    {3, 0, 3, 3, 3, 4, 3, 3, 4, 4},
    {3, 0, 4, 2, 2, 2, 2, 2, 2, 2},
    {3, 0, 5, 1, 1, 1, 1, 1, 1, 1},
};

/* U1 has 1 indicator of 3 and is screened out; with its 99 it would lead A
 * and shift every other unit's scores and ranks. It stays out of every
 * replication: no score, no interval, and the others' ranks move only
 * between themselves (U3 and U4 swap, [3, 4]). */
static void test_screen(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 3, 6, 1, 0, NORM_MINMAX);
    const double A[6] = {99, 10, 30, 31, 60, 80};
    const double B[6] = {NAN, 15, 40, 38, 55, 90};
    const double C[6] = {NAN, 20, 35, 36, 70, 85};
    const double se[6] = {1, 1, 1, 1, 1, 1};
    fx_set(&f, 0, 0, A, se, NULL);
    fx_set(&f, 1, 0, B, se, NULL);
    fx_set(&f, 2, 0, C, se, NULL);
    f.cfg->screen = SCREEN_BYNA;
    fx_run(&f);
    assert_int_equal(f.res->screened, 1);
    for (int node = 0; node < 4; node++) {
        size_t k = RES_AT(f.res, node, 0, 0);
        assert_true(isnan(f.res->score[k]) && isnan(f.res->rank[k]));
        assert_true(isnan(f.res->ci_low[k]) && isnan(f.res->ci_high[k]));
        assert_true(isnan(f.res->rank_low[k]) && isnan(f.res->rank_high[k]));
    }
    check_rows(&f, "screen", ROWS(w_screen), 0);
    check_rows(&f, "screen ranks", ROWS(w_screen_rank), 1);
    check_scale(&f, 0, 100, 1);
    fx_free(&f);
}

/* ---- borda (pooled) ---------------------------------------------------------- */

/* expected.R [borda] */
static const struct want w_borda[] = {
    {2, 0, 0, 0, 0, 2.5, 0, 0, 2.5, 2.5},
    {2, 0, 1, 5, 3, 7, 2.5, 3, 7, 7},
    {2, 0, 2, 2.5, 1, 5, 0.5, 1, 5, 5},
    {2, 0, 3, 6, 3.5, 8, 3.5, 3.5, 8, 8.5},
    {2, 0, 4, 6, 3.5, 8, 3.5, 4, 8, 8},
    {2, 0, 5, 10, 8, 11, 7.5, 8, 11, 11},
    {2, 1, 0, 1, 0, 3.5, 0, 0, 3.5, 3.5},
    {2, 1, 1, 6.5, 4, 8.5, 4, 4, 8, 8.5},
    {2, 1, 2, 5, 2.5, 7.5, 2.5, 3, 7, 7.5},
    {2, 1, 3, 5, 3, 7, 3, 3, 7, 7.5},
    {2, 1, 4, 8, 6, 10, 5.5, 6, 10, 10},
    {2, 1, 5, 11, 8.5, 11, 8.5, 8.5, 11, 11},
    {0, 0, 0, 0, 0, 3, 0, 0, 3, 3},
    {0, 0, 5, 10, 8, 11, 8, 8, 11, 11},
    {0, 1, 2, 5, 2, 8, 2, 2, 8, 8},
};

/* Borda scores over both years pooled: each replication ranks its 12 draws
 * of an indicator together, as the nominal run does, so every score lies
 * in its own interval. */
static void test_borda(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 6, 2, 0, NORM_BORDA);
    const double A[2][6] = {{10, 12, 13, 16, 18, 21}, {11, 14, 15, 17, 20, 22}};
    const double B[2][6] = {{5, 9, 6, 8, 7, 10}, {5.5, 9.5, 7.5, 6.5, 8.5, 10.5}};
    const double sA[6] = {1.5, 1.5, 1.5, 1.5, 1.5, 1.5}, sB[6] = {1, 1, 1, 1, 1, 1};
    for (size_t t = 0; t < 2; t++) {
        fx_set(&f, 0, t, A[t], sA, NULL);
        fx_set(&f, 1, t, B[t], sB, NULL);
    }
    fx_run(&f);
    check_rows(&f, "borda pooled", ROWS(w_borda), 0);
    check_scale(&f, 0, 11, 1);
    fx_free(&f);
}

/* ---- dist2ref ------------------------------------------------------------------ */

/* expected.R [dist2ref] */
static const struct want w_d2r[] = {
    {2, 0, 0, 0.16666666666666669, 0, 0.51856983083920716, 0, 0, 0.50423557804125696, 0.53553854074965512},
    {2, 0, 1, 0.69999999999999996, 0.50497221128446501, 0.88711124679896192, 0.5, 0.51669654898857453, 0.87798912448995381, 0.89859453324322669},
    {2, 0, 2, 1, 1, 1, 1, 1, 1, 1},
    {2, 0, 3, 1, 1, 1, 1, 1, 1, 1},
    {2, 0, 4, 0.099999999999999978, 0, 0.46643635848675258, 0, 0, 0.44716829166785826, 0.49111407882894464},
    {2, 0, 5, 1, 0.97550510712505611, 1, 0.96113549906730733, 0.98694389403808724, 1, 1},
    {2, 1, 0, 0.23295454545454547, 0.035942361524559652, 0.54729949032724878, 0.024206154036102181, 0.045421535488319779, 0.53413501364282567, 0.56381757994932002},
    {2, 1, 1, 0.71022727272727271, 0.46417795703995307, 0.91924143239939882, 0.44994756739560438, 0.47589222894750621, 0.90984924665581501, 0.93065547350845979},
    {2, 1, 2, 1, 1, 1, 1, 1, 1, 1},
    {2, 1, 3, 1, 0.94118387639908607, 1, 0.9328707108322406, 0.94856463802823199, 1, 1},
    {2, 1, 4, 0.19886363636363635, 0.037900790170964954, 0.50957383515006971, 0.027891752659759489, 0.0456046834248863, 0.49722653644567788, 0.52604959542788521},
    {2, 1, 5, 1, 0.93307501904613699, 1, 0.92206876414533467, 0.94234592996995792, 1, 1},
    {0, 0, 0, 0, 0, 0.31776335554904855, 0, 0, 0.30105395975094157, 0.33781226529920455},
    {0, 0, 2, 1, 1, 1, 1, 1, 1, 1},
    {0, 1, 3, 1, 0.9154041883023295, 1, 0.89950871349780948, 0.9283692265141793, 1, 1},
};

/* Distance to U3, the reference unit, in each year, scaled by the pooled
 * minimum: each replication takes its own reference value and minimum. */
static void test_dist2ref(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 6, 2, 0, NORM_DIST2REF);
    const double A[2][6] = {{10, 14, 20, 25, 12, 30}, {11, 16, 21, 24, 13, 28}};
    const double B[2][6] = {{3, 6, 5, 9, 2, 7}, {3.5, 5.5, 6, 8, 2.5, 7.5}};
    const double sA[6] = {1.5, 1.5, 1.5, 1.5, 1.5, 1.5};
    const double sB[6] = {0.8, 0.8, 0.8, 0.8, 0.8, 0.8};
    for (size_t t = 0; t < 2; t++) {
        fx_set(&f, 0, t, A[t], sA, NULL);
        fx_set(&f, 1, t, B[t], sB, NULL);
    }
    f.cfg->ref_unit = (char *)"U3";
    fx_run(&f);
    check_rows(&f, "dist2ref", ROWS(w_d2r), 0);
    check_scale(&f, 0, 1, 1);
    f.cfg->ref_unit = NULL;
    fx_free(&f);
}

/* ---- geometric mean over [1, 100] ---------------------------------------------- */

/* expected.R [geometric] */
static const struct want w_geo[] = {
    {3, 0, 0, 2.7953197860840078, 1, 12.320364672774696, 1, 1.0277753778123939, 11.334076984546069, 13.890978010295729},
    {3, 0, 1, 13.383281621007223, 7.323445980413406, 50.533169153220634, 6.6990837932604812, 7.7797097477885231, 49.222510278021716, 52.085991586052707},
    {3, 0, 2, 66.914572478583494, 29.434996907624271, 87.918612852716038, 24.216120919503176, 32.327348273562052, 86.892187195009981, 89.099971528721227},
    {3, 0, 3, 40.104619735299089, 11.380240926360491, 63.589158682742074, 10.666741548127114, 11.949899844373228, 62.610650532539303, 64.892290593425301},
    {3, 0, 4, 42.165042609172168, 10.937785849115775, 63.57530056764115, 10.233977345883861, 11.561498700279854, 62.524362482344223, 64.806747805726886},
    {3, 0, 5, 67.352456107732365, 20.027156985269905, 88.57411603595213, 19.510723176662367, 20.522511894884335, 87.739135429605398, 89.648558354253382},
    {3, 0, 6, 50.196518266164837, 14.146769822901765, 69.865984187519445, 13.703815040730348, 14.51599047368412, 68.936869651223716, 71.001867680428617},
    {3, 0, 7, 38.128208756932025, 15.975509965702344, 65.235340557366058, 15.74890344310931, 16.152019360041209, 64.421719314979256, 66.248220563206772},
};

/* Geometric mean of min-max scores on [1, 100], the range the domain error
 * advises, with errors up to a quarter of the spread: every replication
 * runs (its bounds are its own, so no score falls below 1), and every
 * interval stays in [1, 100]. */
static void test_geometric(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 3, 8, 1, 0, NORM_MINMAX);
    const double A[8] = {20, 35, 50, 42, 28, 60, 33, 45};
    const double B[8] = {30, 22, 48, 55, 40, 35, 60, 25};
    const double C[8] = {15, 40, 38, 20, 45, 50, 30, 55};
    const double sA[8] = {4, 6, 8, 10, 5, 7, 9, 4};
    const double sB[8] = {4, 9, 7, 5, 10, 8, 6, 4};   /* rev(sA) */
    const double sC[8] = {6, 8, 10, 5, 7, 9, 4, 4};   /* sA[c(2:8, 1)] */
    fx_set(&f, 0, 0, A, sA, NULL);
    fx_set(&f, 1, 0, B, sB, NULL);
    fx_set(&f, 2, 0, C, sC, NULL);
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) {
        f.cfg->level[l].aggregate = AGG_GEOMETRIC;
        f.cfg->level[l].norm_low = 1;
    }
    fx_run(&f);
    check_rows(&f, "geometric [1, 100]", ROWS(w_geo), 0);
    check_scale(&f, 1, 100, 1);
    fx_free(&f);
}

/* ---- survey proportions near 0 and 1 ------------------------------------------- */

/* expected.R [percent]: A percent (n = 30), B shares (n = 40), normalise =
 * none: the truncated normal's quantiles in closed form */
static const struct want w_pct[] = {
    {0, 0, 0, 0, 0.8948608649478107, 11.382636208518656, 0.73509076661419648, 1.0412765493332392, 11.132460513215332, 11.684468563157225},
    {0, 0, 1, 1, 1.0543338099447332, 13.090528155653185, 0.86759528517452034, 1.2250565529745663, 12.804213192222033, 13.435957537738558},
    {0, 0, 2, 3, 1.4723111133832871, 16.209179030384352, 1.2227390389769388, 1.6977239754729769, 15.863143646802087, 16.626635883697194},
    {0, 0, 3, 50, 33.154126058197797, 66.845873941802196, 32.254729245238956, 33.899795022250906, 66.100204977749087, 67.745270754761037},
    {0, 0, 4, 97, 83.790820969615652, 98.527688886616716, 83.37336411630281, 84.136856353197913, 98.302276024527032, 98.77726096102306},
    {0, 0, 5, 99, 86.909471844346825, 98.945666190055277, 86.564042462261455, 87.195786807777992, 98.774943447025436, 99.132404714825483},
    {0, 0, 6, 100, 88.617363791481353, 99.105139135052184, 88.31553143684279, 88.867539486784679, 98.958723450666767, 99.264909233385794},
    {0, 0, 7, 60, 42.320358270354689, 75.409294539682747, 41.437051418643634, 43.05268740007692, 74.676977561653445, 76.292582799058806},
    {1, 0, 0, 0, 0.0069074793416973798, 0.087863183589981436, 0.0056742053245966706, 0.0080376699163536985, 0.085932063887698695, 0.090193043835287146},
    {1, 0, 1, 0.02, 0.010729864277965101, 0.12135915342978033, 0.008891921166898055, 0.01239448328970956, 0.11875420397185184, 0.12450179901571361},
    {1, 0, 2, 0.5, 0.35199526935650743, 0.64800473064349251, 0.34409333470435105, 0.35854657930059036, 0.64145342069940969, 0.65590666529564889},
    {1, 0, 3, 0.94999999999999996, 0.83479188152994288, 0.98048639504599144, 0.83076158704113701, 0.83813294312713005, 0.9779159860627743, 0.98341090900527295},
    {1, 0, 4, 1, 0.91213681641001843, 0.99309252065830256, 0.90980695616471274, 0.91406793611230119, 0.9919623300836462, 0.99432579467540327},
    {1, 0, 5, 0.29999999999999999, 0.18075157416675067, 0.45430026823297909, 0.17344989908414721, 0.18680535439389964, 0.44824599753536865, 0.46160269373112373},
    {1, 0, 6, 0.69999999999999996, 0.54569973176702091, 0.81924842583324931, 0.53839730626887616, 0.55175400246463147, 0.81319464560610033, 0.82655010091585268},
    {1, 0, 7, 0.98999999999999999, 0.894734131571152, 0.9913987345306462, 0.89196446390521933, 0.89702983389491897, 0.99001476050424941, 0.99291470602997067},
};

/* Survey proportions at and near 0 and 100 with small samples: draws stay
 * on the scale (no interval leaves 0-100 or 0-1), and each interval is the
 * quantiles of the Wilson normal truncated to it. Then under min-max every
 * score's interval stays in [0, 100]. */
static void test_percent(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 2, 8, 1, 0, NORM_NONE);
    const double A[8] = {0, 1, 3, 50, 97, 99, 100, 60};
    const double B[8] = {0, 0.02, 0.5, 0.95, 1, 0.3, 0.7, 0.99};
    const double nA[8] = {30, 30, 30, 30, 30, 30, 30, 30};
    const double nB[8] = {40, 40, 40, 40, 40, 40, 40, 40};
    fx_set(&f, 0, 0, A, NULL, nA);
    fx_set(&f, 1, 0, B, NULL, nB);
    f.node[0].unit = (char *)"percent (survey)";
    f.node[1].unit = (char *)"proportion";
    fx_run(&f);
    assert_int_equal(f.sum.obs_wilson, 16);
    assert_int_equal(f.sum.obs_percent, 8);
    assert_int_equal(f.sum.obs_truncated, 16);
    check_rows(&f, "percent survey", ROWS(w_pct), 0);
    for (size_t u = 0; u < 8; u++) {
        size_t a = RES_AT(f.res, 0, 0, u), b = RES_AT(f.res, 1, 0, u);
        assert_true(f.res->ci_low[a] >= 0 && f.res->ci_high[a] <= 100);
        assert_true(f.res->ci_low[b] >= 0 && f.res->ci_high[b] <= 1);
    }
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) f.cfg->level[l].normalise = NORM_MINMAX;
    fx_run(&f);
    check_scale(&f, 0, 100, 0);
    fx_free(&f);
}

/* ---- bounds exactly on the scale ----------------------------------------------- */

/* 20 units of one indicator with overlapping errors under min-max [0, 100]:
 * the lowest units are the minimum in many replications and the highest
 * the maximum, so their bounds are exactly 0 and 100 in the replications.
 * Every bound must lie in [0, 100] exactly, as scores.csv prints it (an
 * interval "from -8.9e-08" leaves the scale as surely as one from -12). */
static void test_bounds_on_scale(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 1, 20, 1, 0, NORM_MINMAX);
    double v[20], se[20];
    for (int u = 0; u < 20; u++) {
        v[u] = 10 + 0.37 * u;
        se[u] = 1.5;
    }
    fx_set(&f, 0, 0, v, se, NULL);
    f.cfg->replications = 2000;
    fx_run(&f);
    size_t at_bound = 0, outside = 0;
    for (size_t node = 0; node < 2; node++)
        for (size_t u = 0; u < 20; u++) {
            size_t k = RES_AT(f.res, node, 0, u);
            double lo = f.res->ci_low[k], hi = f.res->ci_high[k];
            at_bound += fabs(lo) < 1e-4 || fabs(hi - 100) < 1e-4;
            if (lo < 0 || hi > 100) {
                outside++;
                print_message("node %zu U%zu: score %.17g, interval [%.17g, %.17g]\n", node,
                              u + 1, f.res->score[k], lo, hi);
            }
        }
    fx_free(&f);
    assert_true(at_bound >= 8);
    if (outside) fail_msg("%zu of 40 intervals leave [0, 100]", outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_denominate),
        cmocka_unit_test(test_treat_log),
        cmocka_unit_test(test_treat_log_nonpositive),
        cmocka_unit_test(test_treat_winsorise),
        cmocka_unit_test(test_treat_winsorise_pooled_low),
        cmocka_unit_test(test_screen),
        cmocka_unit_test(test_borda),
        cmocka_unit_test(test_dist2ref),
        cmocka_unit_test(test_geometric),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_bounds_on_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
