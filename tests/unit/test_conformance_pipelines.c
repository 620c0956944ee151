/* test_conformance_pipelines.c: lcme's data preparation and scoring against
 * an independent base-R re-implementation of COINr's steps on ASEM
 * (tests/conformance/pipelines/pipelines.R wrote the fixtures there).
 *
 * Pipeline 1: Denominate (iMeta's denominators) > Screen (byNA, dat_thresh
 * 0.9) > Impute (group mean by EurAsia_group) > Treat (COINr defaults) >
 * Normalise (min-max [0, 100]) > Aggregate (arithmetic mean). Every
 * intermediate data set is compared: the stages are run one by one with
 * prepare.h on the cube read by the real readers, then pipeline_run runs
 * them all from the config. Pipeline 3: the same preparation with min-max
 * [1, 100] and the geometric mean, and with z-scores and the arithmetic mean.
 * Pipeline 2: COINr's build_example_coin() order, config order = denominate,
 * impute, screen, treat (byNA, dat_thresh 0.9 on the imputed data, so no
 * unit is dropped). Pipeline 4: the panel ASEM_iData_p.csv (2018-2022) with
 * the ten cells of p4_deleted[] removed (pipelines.R removes the same),
 * imputed over time (linear, R approx rule = 2; latest, carry forward), then
 * min-max [0, 100] pooled over the years and the arithmetic mean; the imputed
 * panel and every node's score in every year are compared.
 * Cells agree to a relative error of 1e-9 (absolute below magnitude 1); an
 * empty fixture cell <=> NaN; units the fixture does not list were screened
 * out and must be NaN and unranked.
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

#include "csv.h"
#include "prepare.h"
#include "testkit_engine.h"

#define REL_TOL 1e-9

static char asem_dir[1200], fix_dir[1200];

static int find_dirs(void)
{
    snprintf(asem_dir, sizeof asem_dir, "%s/tests/conformance/asem", LCME_SOURCE_DIR);
    snprintf(fix_dir, sizeof fix_dir, "%s/tests/conformance/pipelines", LCME_SOURCE_DIR);
    char probe[1400];
    snprintf(probe, sizeof probe, "%s/p1_aggregated.csv", fix_dir);
    if (access(probe, R_OK) != 0) return 0;
    snprintf(probe, sizeof probe, "%s/ASEM_iMeta.csv", asem_dir);
    return access(probe, R_OK) == 0;
}

static void load(struct framework **fw, struct cube **c)
{
    tk_asem_load(asem_dir, "ASEM_iData.csv", fw, c);
}

/* Pipeline 1's config: the COINr steps in config order, min-max [0, 100]
 * per year, the arithmetic mean. */
static struct config *pipeline1_config(void)
{
    struct method m = tk_method(NORM_MINMAX, SCOPE_PER_YEAR, AGG_ARITHMETIC);
    m.ref_index = -1;
    struct config *c = tk_config_new(m);
    c->year = 2018;
    c->denominate = 1;
    c->denominate_scale = 1;
    c->screen = SCREEN_BYNA;
    c->dat_thresh = 0.9;
    c->nonzero_thresh = 0.05;
    c->impute = IMPUTE_GROUP_MEAN;
    c->group = "EurAsia_group";
    c->treat = TREAT_WINSORISE;
    c->winmax = 5;
    c->boxcox_lambda = 1;
    for (int s = 0; s < PREP_NSTAGE; s++) c->order[s] = s;
    c->ci_level = 0.95;
    return c;
}

/* The working copy of a cube's values for prepare.h's stages, run one by
 * one: x (the values), flag, the report. */
struct stages {
    size_t cells;
    double *x;
    uint8_t *flag;
    struct prepare_report *rep;
};

static struct stages stages_new(const struct cube *c)
{
    struct stages s;
    s.cells = c->nind * c->nyear * c->nunit;
    s.x = malloc(s.cells * sizeof *s.x);
    s.flag = calloc(s.cells, 1);
    assert_non_null(s.x);
    assert_non_null(s.flag);
    memcpy(s.x, c->value, s.cells * sizeof *s.x);
    s.rep = prepare_report_new(c);
    assert_non_null(s.rep);
    return s;
}

static void stages_free(struct stages *s)
{
    prepare_report_free(s->rep);
    free(s->x);
    free(s->flag);
}

static size_t count_imputed(const struct stages *s)
{
    size_t n = 0;
    for (size_t k = 0; k < s->cells; k++) n += (s->flag[k] & CUBE_IMPUTED) != 0;
    return n;
}

/* Compare a fixture (uCode + node columns) with planes x (results layout,
 * year 0), or a panel fixture (Time, uCode + node columns) with every year.
 * seen[u] is set for every unit listed. Returns cells compared. */
static size_t compare(const char *name, const struct framework *fw,
                      const struct cube *c, const double *x, uint8_t *seen)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", fix_dir, name);
    struct csv *cv;
    struct diag d;
    diag_init(&d);
    if (csv_open(&cv, path, &d) != 0) {
        tk_print_diag(&d);
        fail_msg("cannot read %s", name);
    }
    assert_true(csv_next(cv, &d) > 0);
    size_t ncol = cv->nf;
    size_t key = strcmp(cv->f[0], "Time") == 0 ? 2 : 1;
    int *node = calloc(ncol, sizeof *node);
    for (size_t j = key; j < ncol; j++) {
        node[j] = framework_find(fw, cv->f[j]);
        if (node[j] < 0) fail_msg("%s: '%s' is not a node", name, cv->f[j]);
    }
    size_t n = 0, bad = 0;
    double worst = 0;
    while (csv_next(cv, &d) > 0) {
        int t = 0;
        if (key == 2) {
            double yr;
            assert_int_equal(tk_parse_cell(cv->f[0], &yr), 0);
            t = cube_year_index(c, (int)yr);
            if (t < 0) fail_msg("%s: year %s", name, cv->f[0]);
        }
        const char *ucode = cv->f[key - 1];
        int u = cube_unit_index(c, ucode);
        if (u < 0) fail_msg("%s: unit %s", name, ucode);
        if (seen) seen[u] = 1;
        for (size_t j = key; j < ncol; j++) {
            double want, got = x[RES_AT(c, node[j], t, u)];
            assert_int_equal(tk_parse_cell(cv->f[j], &want), 0);
            int ok = tk_cell_agrees(got, want, REL_TOL, &worst);
            if (!ok && bad++ < 10)
                print_error("%s: %s %s %s: got %.17g, want %.17g\n", name,
                            key == 2 ? cv->f[0] : "", ucode,
                            fw->node[node[j]].code, got, want);
            n++;
        }
    }
    print_message("%s: %zu cells, worst relative error %.3g\n", name, n, worst);
    free(node);
    csv_free(cv);
    diag_free(&d);
    if (bad) fail_msg("%s: %zu of %zu cells differ", name, bad, n);
    return n;
}

/* Units listed in the file (one code a line), as a mask. */
static void removed_units_file(const struct cube *c, uint8_t *rm, const char *name)
{
    char path[1400], line[64];
    snprintf(path, sizeof path, "%s/%s", fix_dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line) continue;
        int u = cube_unit_index(c, line);
        assert_true(u >= 0);
        rm[u] = 1;
    }
    fclose(f);
}

static void removed_units(const struct cube *c, uint8_t *rm)
{
    removed_units_file(c, rm, "p1_removed_units.txt");
}

/* Stage by stage with prepare.h. */
static void test_p1_stages(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct framework *fw;
    struct cube *c;
    load(&fw, &c);
    assert_int_equal(c->nunit, 51);
    struct stages st = stages_new(c);
    double *x = st.x;
    uint8_t *flag = st.flag;
    struct prepare_report *rep = st.rep;
    struct diag d;
    diag_init(&d);

    assert_int_equal(prepare_denominate(fw, c, x, 1.0, rep, &d), 0);
    compare("p1_denominated.csv", fw, c, x, NULL);

    struct prepare_screen_opts so = {SCREEN_BYNA, 0.9, 0.05, NULL, NULL};
    assert_int_equal(prepare_screen(c, x, flag, &so, rep, &d), 0);
    uint8_t seen[64] = {0}, rm[64] = {0};
    compare("p1_screened.csv", fw, c, x, seen);
    removed_units(c, rm);
    for (size_t u = 0; u < c->nunit; u++) {
        assert_int_equal(rep->dropped[u], rm[u]);
        assert_int_equal(seen[u], !rm[u]);
    }
    assert_int_equal(rep->screened, 5);

    assert_int_equal(prepare_impute(c, x, flag, IMPUTE_GROUP_MEAN, "EurAsia_group",
                                    rep, &d), 0);
    compare("p1_imputed.csv", fw, c, x, NULL);
    assert_int_equal(rep->imputed, 25);   /* pipelines.R prints the count */
    assert_int_equal(count_imputed(&st), 25);

    struct prepare_treat_opts to = {TREAT_WINSORISE, 5, 2.0, 3.5, 1.0, 0};
    assert_int_equal(prepare_treat(c, x, flag, &to, rep, &d), 0);
    compare("p1_treated.csv", fw, c, x, NULL);

    /* the treatment table: p1_treatment.csv has iCode, skew0, kurt0, pass0,
       nwin, skew1, kurt1, pass1, method, ... */
    char path[1400];
    snprintf(path, sizeof path, "%s/p1_treatment.csv", fix_dir);
    struct csv *cv;
    assert_int_equal(csv_open(&cv, path, &d), 0);
    assert_true(csv_next(cv, &d) > 0);
    size_t rows = 0;
    while (csv_next(cv, &d) > 0) {
        int i = framework_find(fw, cv->f[0]);
        assert_true(i >= 0 && i < fw->nind);
        const struct prepare_treat_row *w = &rep->treat[i];
        double s0, k0, s1, k1;
        assert_int_equal(tk_parse_cell(cv->f[1], &s0), 0);
        assert_int_equal(tk_parse_cell(cv->f[2], &k0), 0);
        assert_true(fabs(w->skew0 - s0) <= REL_TOL * fmax(1, fabs(s0)));
        assert_true(fabs(w->kurt0 - k0) <= REL_TOL * fmax(1, fabs(k0)));
        assert_int_equal(w->pass0, strcmp(cv->f[3], "TRUE") == 0);
        const char *how = cv->f[8];
        if (strcmp(how, "winsorise") == 0) {
            assert_int_equal(w->how, PREP_TREAT_WINSORISED);
            assert_int_equal(w->nwin, atoi(cv->f[4]));
            assert_int_equal(tk_parse_cell(cv->f[5], &s1), 0);
            assert_int_equal(tk_parse_cell(cv->f[6], &k1), 0);
            assert_true(fabs(w->skew1 - s1) <= REL_TOL * fmax(1, fabs(s1)));
            assert_true(fabs(w->kurt1 - k1) <= REL_TOL * fmax(1, fabs(k1)));
            assert_int_equal((int)(w->nhigh + w->nlow), w->nwin);
        } else if (strcmp(how, "log_CT") == 0) {
            assert_int_equal(w->how, PREP_TREAT_LOG_CT);
        } else {
            assert_int_equal(w->how, PREP_TREAT_NOT_NEEDED);
        }
        rows++;
    }
    assert_int_equal(rows, 49);
    csv_free(cv);

    /* treated points: iCode, uCode, how */
    snprintf(path, sizeof path, "%s/p1_treated_points.csv", fix_dir);
    assert_int_equal(csv_open(&cv, path, &d), 0);
    assert_true(csv_next(cv, &d) > 0);
    size_t npts = 0;
    while (csv_next(cv, &d) > 0) {
        int i = framework_find(fw, cv->f[0]), u = cube_unit_index(c, cv->f[1]);
        assert_true(i >= 0 && u >= 0);
        uint8_t want = strcmp(cv->f[2], "winhi") == 0 ? CUBE_TREATED_HIGH : CUBE_TREATED_LOW;
        assert_int_equal(flag[CUBE_AT(c, i, 0, u)] & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW), want);
        npts++;
    }
    csv_free(cv);
    assert_int_equal(rep->treated_points, npts);

    stages_free(&st);
    diag_free(&d);
    cube_free(c);
    framework_free(fw);
}

/* Run cfg on the 2018 data and compare; removed lists the screened-out
 * units, nscreen and nimp the counts pipelines.R printed. */
static void run_and_compare_n(struct config *cfg, const char *norm_fixture,
                              const char *agg_fixture, const char *removed,
                              size_t nscreen, size_t nimp)
{
    struct framework *fw;
    struct cube *c;
    load(&fw, &c);
    struct diag d;
    diag_init(&d);
    struct results *r = tk_pipeline_ok(cfg, fw, c, &d);
    uint8_t seen[64] = {0}, rm[64] = {0};
    if (norm_fixture) compare(norm_fixture, fw, c, r->score, NULL);
    compare(agg_fixture, fw, c, r->score, seen);
    removed_units_file(c, rm, removed);
    for (size_t u = 0; u < c->nunit; u++) {
        assert_int_equal(seen[u], !rm[u]);
        if (!rm[u]) continue;
        for (int n = 0; n < fw->nnode; n++) {
            assert_true(isnan(r->score[RES_AT(r, n, 0, u)]));
            assert_true(isnan(r->rank[RES_AT(r, n, 0, u)]));
        }
    }
    assert_int_equal(r->screened, nscreen);
    assert_int_equal(r->imputed, nimp);
    assert_non_null(r->prep);
    assert_non_null(r->coherence);
    results_free(r);
    diag_free(&d);
    cube_free(c);
    framework_free(fw);
}

static void run_and_compare(struct config *cfg, const char *norm_fixture,
                            const char *agg_fixture)
{
    run_and_compare_n(cfg, norm_fixture, agg_fixture, "p1_removed_units.txt", 5, 25);
}

static void test_p1_pipeline(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct config *cfg = pipeline1_config();
    run_and_compare(cfg, "p1_normalised.csv", "p1_aggregated.csv");
    free(cfg);
}

static void test_p3_geometric(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct config *cfg = pipeline1_config();
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) {
        cfg->level[l].norm_low = 1;
        cfg->level[l].aggregate = AGG_GEOMETRIC;
    }
    run_and_compare(cfg, NULL, "p3_geometric_aggregated.csv");
    free(cfg);
}

static void test_p3_zscore(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct config *cfg = pipeline1_config();
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) cfg->level[l].normalise = NORM_ZSCORE;
    run_and_compare(cfg, NULL, "p3_zscore_aggregated.csv");
    free(cfg);
}

/* Pipeline 2, stage by stage: denominate > impute > screen > treat. */
static void test_p2_stages(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct framework *fw;
    struct cube *c;
    load(&fw, &c);
    struct stages st = stages_new(c);
    double *x = st.x;
    uint8_t *flag = st.flag;
    struct prepare_report *rep = st.rep;
    struct diag d;
    diag_init(&d);

    assert_int_equal(prepare_denominate(fw, c, x, 1.0, rep, &d), 0);
    compare("p1_denominated.csv", fw, c, x, NULL);

    assert_int_equal(prepare_impute(c, x, flag, IMPUTE_GROUP_MEAN, "EurAsia_group",
                                    rep, &d), 0);
    compare("p2_imputed.csv", fw, c, x, NULL);
    assert_int_equal(rep->imputed, 65);   /* pipelines.R prints the count */

    struct prepare_screen_opts so = {SCREEN_BYNA, 0.9, 0.05, NULL, NULL};
    assert_int_equal(prepare_screen(c, x, flag, &so, rep, &d), 0);
    uint8_t seen[64] = {0}, rm[64] = {0};
    compare("p2_screened.csv", fw, c, x, seen);
    removed_units_file(c, rm, "p2_removed_units.txt");
    for (size_t u = 0; u < c->nunit; u++) {
        assert_int_equal(rep->dropped[u], rm[u]);
        assert_int_equal(seen[u], !rm[u]);
    }
    assert_int_equal(rep->screened, 0);

    struct prepare_treat_opts to = {TREAT_WINSORISE, 5, 2.0, 3.5, 1.0, 0};
    assert_int_equal(prepare_treat(c, x, flag, &to, rep, &d), 0);
    compare("p2_treated.csv", fw, c, x, NULL);
    assert_int_equal(rep->treated_points, 35);   /* printed by pipelines.R */

    stages_free(&st);
    diag_free(&d);
    cube_free(c);
    framework_free(fw);
}

static void test_p2_pipeline(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct config *cfg = pipeline1_config();
    cfg->order[0] = PREP_DENOMINATE;
    cfg->order[1] = PREP_IMPUTE;
    cfg->order[2] = PREP_SCREEN;
    cfg->order[3] = PREP_TREAT;
    run_and_compare_n(cfg, "p2_normalised.csv", "p2_aggregated.csv",
                      "p2_removed_units.txt", 0, 65);
    free(cfg);
}

/* The cells pipelines.R deletes from the panel: an interior gap, an interior
 * run of two, a trailing gap, a leading gap, a series left with one known
 * value (2020), and one more interior gap. */
static const struct {
    const char *unit, *ind;
    int year;
} p4_deleted[] = {
    {"AUT", "Goods", 2019},    {"BEL", "LPI", 2020},      {"BEL", "LPI", 2021},
    {"CHN", "FDI", 2022},      {"DEU", "Flights", 2018},  {"FRA", "Services", 2018},
    {"FRA", "Services", 2019}, {"FRA", "Services", 2021}, {"FRA", "Services", 2022},
    {"JPN", "CO2", 2020},
};
#define P4_NDELETED (sizeof p4_deleted / sizeof p4_deleted[0])

static void p4_load(struct framework **fw, struct cube **c)
{
    tk_asem_load(asem_dir, "ASEM_iData_p.csv", fw, c);
    assert_int_equal((*c)->nunit, 51);
    assert_int_equal((*c)->nyear, 5);
    for (size_t k = 0; k < P4_NDELETED; k++) {
        int i = framework_find(*fw, p4_deleted[k].ind);
        int u = cube_unit_index(*c, p4_deleted[k].unit);
        int t = cube_year_index(*c, p4_deleted[k].year);
        assert_true(i >= 0 && i < (*fw)->nind && u >= 0 && t >= 0);
        double *v = &(*c)->value[CUBE_AT(*c, i, t, u)];
        assert_false(isnan(*v));
        *v = NAN;
    }
}

/* Impute the panel (stage alone, then the whole pipeline, pooled min-max
 * [0, 100], arithmetic mean) and compare with p4_<how>_*.csv. */
static void p4_run(enum impute_method how, const char *imputed_fixture,
                   const char *agg_fixture, size_t nimp)
{
    struct framework *fw;
    struct cube *c;
    p4_load(&fw, &c);
    struct stages st = stages_new(c);
    struct diag d;
    diag_init(&d);
    assert_int_equal(prepare_impute(c, st.x, st.flag, how, NULL, st.rep, &d), 0);
    assert_int_equal(compare(imputed_fixture, fw, c, st.x, NULL), 255 * 49);
    assert_int_equal(st.rep->imputed, nimp);
    assert_int_equal(count_imputed(&st), nimp);
    stages_free(&st);

    struct config *cfg = pipeline1_config();
    cfg->year = 2022;
    cfg->denominate = 0;
    cfg->screen = SCREEN_NONE;
    cfg->treat = TREAT_NONE;
    cfg->impute = how;
    cfg->group = NULL;
    cfg->method.scope = SCOPE_POOLED;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) cfg->level[l].scope = SCOPE_POOLED;
    struct results *r = tk_pipeline_ok(cfg, fw, c, &d);
    assert_int_equal(r->imputed, nimp);
    uint8_t seen[64] = {0};
    assert_int_equal(compare(agg_fixture, fw, c, r->score, seen),
                     255 * (size_t)fw->nnode);
    results_free(r);
    free(cfg);
    diag_free(&d);
    cube_free(c);
    framework_free(fw);
}

static void test_p4_linear(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    p4_run(IMPUTE_LINEAR, "p4_linear_imputed.csv", "p4_linear_aggregated.csv", 10);
}

static void test_p4_latest(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    /* the three leading gaps (DEU Flights 2018, FRA Services 2018-2019) have
       no earlier value and stay missing */
    p4_run(IMPUTE_LATEST, "p4_latest_imputed.csv", "p4_latest_aggregated.csv", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p1_stages),
        cmocka_unit_test(test_p1_pipeline),
        cmocka_unit_test(test_p3_geometric),
        cmocka_unit_test(test_p3_zscore),
        cmocka_unit_test(test_p2_stages),
        cmocka_unit_test(test_p2_pipeline),
        cmocka_unit_test(test_p4_linear),
        cmocka_unit_test(test_p4_latest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
