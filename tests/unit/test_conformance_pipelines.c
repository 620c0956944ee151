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
 * Cells agree to a relative error of 1e-9 (absolute below magnitude 1); an
 * empty fixture cell <=> NaN; units the fixture does not list were screened
 * out and must be NaN and unranked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"
#include "prepare.h"

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

static void print_diag(const struct diag *d)
{
    char buf[1024];
    for (size_t i = 0; i < d->n; i++)
        print_error("%s\n", diag_format(d, i, buf, sizeof buf));
}

static void load(struct framework **fw, struct cube **c)
{
    char path[1400];
    struct diag d;
    diag_init(&d);
    snprintf(path, sizeof path, "%s/ASEM_iMeta.csv", asem_dir);
    if (framework_load(fw, path, &d) != 0) {
        print_diag(&d);
        fail_msg("framework_load");
    }
    struct obsset *s = obsset_new();
    snprintf(path, sizeof path, "%s/ASEM_iData.csv", asem_dir);
    if (ingest_file(s, path, "ASEM_iData.csv", *fw, &d) != 0 ||
        obsset_to_cube(s, *fw, 0.95, c, &d) != 0) {
        print_diag(&d);
        fail_msg("ingest");
    }
    obsset_free(s);
    diag_free(&d);
}

static struct config *pipeline1_config(void)
{
    struct config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    struct method m;
    memset(&m, 0, sizeof m);
    m.normalise = NORM_MINMAX;
    m.norm_low = 0;
    m.norm_high = 100;
    m.z_sd = 1;
    m.dist2target_cap = 1;
    m.scope = SCOPE_PER_YEAR;
    m.aggregate = AGG_ARITHMETIC;
    m.agg_p = 1;
    m.gp_scale = 100;
    m.ref_index = -1;
    c->method = m;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) c->level[l] = m;
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

static int parse_number(const char *s, double *v)
{
    if (*s == '\0') {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return (errno || *end != '\0' || !isfinite(*v)) ? -1 : 0;
}

/* Compare a fixture (uCode + node columns) with planes x (results layout,
 * year 0). seen[u] is set for every unit listed. Returns cells compared. */
static size_t compare(const char *name, const struct framework *fw,
                      const struct cube *c, const double *x, uint8_t *seen)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", fix_dir, name);
    struct csv *cv;
    struct diag d;
    diag_init(&d);
    if (csv_open(&cv, path, &d) != 0) {
        print_diag(&d);
        fail_msg("cannot read %s", name);
    }
    assert_true(csv_next(cv, &d) > 0);
    size_t ncol = cv->nf;
    int *node = calloc(ncol, sizeof *node);
    for (size_t j = 1; j < ncol; j++) {
        node[j] = framework_find(fw, cv->f[j]);
        if (node[j] < 0) fail_msg("%s: '%s' is not a node", name, cv->f[j]);
    }
    size_t n = 0, bad = 0;
    double worst = 0;
    while (csv_next(cv, &d) > 0) {
        int u = cube_unit_index(c, cv->f[0]);
        if (u < 0) fail_msg("%s: unit %s", name, cv->f[0]);
        if (seen) seen[u] = 1;
        for (size_t j = 1; j < ncol; j++) {
            double want, got = x[RES_AT(c, node[j], 0, u)];
            assert_int_equal(parse_number(cv->f[j], &want), 0);
            int ok;
            if (isnan(want) || isnan(got)) {
                ok = isnan(want) && isnan(got);
            } else {
                double e = fabs(got - want) / fmax(1.0, fabs(want));
                if (e > worst) worst = e;
                ok = e <= REL_TOL;
            }
            if (!ok && bad++ < 10)
                print_error("%s: %s %s: got %.17g, want %.17g\n", name, cv->f[0],
                            cv->f[j], got, want);
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

/* Units listed in p1_removed_units.txt, as a mask. */
static void removed_units(const struct cube *c, uint8_t *rm)
{
    char path[1400], line[64];
    snprintf(path, sizeof path, "%s/p1_removed_units.txt", fix_dir);
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

/* Stage by stage with prepare.h. */
static void test_p1_stages(void **state)
{
    (void)state;
    if (!find_dirs()) skip();
    struct framework *fw;
    struct cube *c;
    load(&fw, &c);
    assert_int_equal(c->nunit, 51);
    size_t cells = c->nind * c->nunit;
    double *x = malloc(cells * sizeof *x);
    uint8_t *flag = calloc(cells, 1);
    memcpy(x, c->value, cells * sizeof *x);
    struct prepare_report *rep = prepare_report_new(c);
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
    size_t nflag = 0;
    for (size_t k = 0; k < cells; k++) nflag += (flag[k] & CUBE_IMPUTED) != 0;
    assert_int_equal(nflag, 25);

    struct prepare_treat_opts to = {TREAT_WINSORISE, 5, 2.0, 3.5, 1.0};
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
        assert_int_equal(parse_number(cv->f[1], &s0), 0);
        assert_int_equal(parse_number(cv->f[2], &k0), 0);
        assert_true(fabs(w->skew0 - s0) <= REL_TOL * fmax(1, fabs(s0)));
        assert_true(fabs(w->kurt0 - k0) <= REL_TOL * fmax(1, fabs(k0)));
        assert_int_equal(w->pass0, strcmp(cv->f[3], "TRUE") == 0);
        const char *how = cv->f[8];
        if (strcmp(how, "winsorise") == 0) {
            assert_int_equal(w->how, PREP_TREAT_WINSORISED);
            assert_int_equal(w->nwin, atoi(cv->f[4]));
            assert_int_equal(parse_number(cv->f[5], &s1), 0);
            assert_int_equal(parse_number(cv->f[6], &k1), 0);
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

    prepare_report_free(rep);
    diag_free(&d);
    free(x);
    free(flag);
    cube_free(c);
    framework_free(fw);
}

static void run_and_compare(struct config *cfg, const char *norm_fixture,
                            const char *agg_fixture)
{
    struct framework *fw;
    struct cube *c;
    load(&fw, &c);
    struct results *r;
    struct diag d;
    diag_init(&d);
    if (pipeline_run(cfg, fw, c, &r, &d) != 0) {
        print_diag(&d);
        fail_msg("pipeline_run");
    }
    uint8_t seen[64] = {0}, rm[64] = {0};
    if (norm_fixture) compare(norm_fixture, fw, c, r->score, NULL);
    compare(agg_fixture, fw, c, r->score, seen);
    removed_units(c, rm);
    for (size_t u = 0; u < c->nunit; u++) {
        assert_int_equal(seen[u], !rm[u]);
        if (!rm[u]) continue;
        for (int n = 0; n < fw->nnode; n++) {
            assert_true(isnan(r->score[RES_AT(r, n, 0, u)]));
            assert_true(isnan(r->rank[RES_AT(r, n, 0, u)]));
        }
    }
    assert_int_equal(r->screened, 5);
    assert_int_equal(r->imputed, 25);
    assert_non_null(r->prep);
    assert_non_null(r->coherence);
    results_free(r);
    diag_free(&d);
    cube_free(c);
    framework_free(fw);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p1_stages),
        cmocka_unit_test(test_p1_pipeline),
        cmocka_unit_test(test_p3_geometric),
        cmocka_unit_test(test_p3_zscore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
