/* testkit_engine.h: engine fixtures shared by the cmocka test programs
 * under tests/unit/ (not a test program itself): framework nodes and trees
 * built by hand, the default method and config, the ASEM conformance data
 * read through the real readers, and the cell comparison of the reference
 * files (COINr's, or pipelines.R's).
 *
 * Everything is static inline (see testkit.h).
 */
#ifndef LCME_TESTKIT_ENGINE_H
#define LCME_TESTKIT_ENGINE_H

#include <errno.h>

#include "testkit.h"

#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"

#ifndef LCME_SOURCE_DIR
#define LCME_SOURCE_DIR "."
#endif

/* ---- frameworks built by hand ----------------------------------------------- */

/* Clear n and give it the loaders' defaults: code (borrowed), empty name
 * and unit, the level and its type (indicator at level 1), weight 1,
 * higher is better, no target, bounds or range, no parent, no children. */
static inline void tk_node(struct fw_node *n, const char *code, int level)
{
    memset(n, 0, sizeof *n);
    n->code = (char *)code;
    n->name = (char *)"";
    n->unit = (char *)"";
    n->level = level;
    n->type = level == 1 ? NODE_INDICATOR : NODE_AGGREGATE;
    n->weight = 1;
    n->direction = 1;
    n->target = n->lower = n->upper = n->min = n->max = NAN;
    n->parent = -1;
}

/* Clear fw and point it at node[0 .. nnode): indicators first, the root
 * last (framework.h's order). */
static inline void tk_fw(struct framework *fw, struct fw_node *node, int nnode, int nind,
                         int nlevel)
{
    memset(fw, 0, sizeof *fw);
    fw->node = node;
    fw->nnode = nnode;
    fw->nind = nind;
    fw->root = nnode - 1;
    fw->nlevel = nlevel;
}

/* framework_load of path; fails the test, printing the diagnostics, unless
 * it loads. Caller frees with framework_free. */
static inline struct framework *tk_framework_ok(const char *path)
{
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    int rc = framework_load(&fw, path, &d);
    tk_print_diag(&d);
    assert_int_equal(rc, 0);
    assert_non_null(fw);
    diag_free(&d);
    return fw;
}

/* ---- methods and configs ---------------------------------------------------- */

/* A method: normaliser nm over scope, aggregator a; min-max to [0, 100],
 * z-scores mean 0 and sd 1, distance to target capped at 1, power mean
 * p = 1, goalposts scaled to 100, everything else zero. */
static inline struct method tk_method(enum norm_method nm, enum norm_scope scope,
                                      enum agg_method a)
{
    struct method m;
    memset(&m, 0, sizeof m);
    m.normalise = nm;
    m.norm_low = 0;
    m.norm_high = 100;
    m.z_mean = 0;
    m.z_sd = 1;
    m.dist2target_cap = 1;
    m.scope = scope;
    m.aggregate = a;
    m.agg_p = 1;
    m.gp_scale = 100;
    return m;
}

/* A config (calloc'd, caller frees with free()) with method m at every
 * level; no imputation, no treatment, everything else zero. */
static inline struct config *tk_config_new(struct method m)
{
    struct config *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->method = m;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++) c->level[l] = m;
    c->impute = IMPUTE_NONE;
    c->treat = TREAT_NONE;
    return c;
}

/* ---- the ASEM conformance data ---------------------------------------------- */

/* The folder holding ASEM_iMeta.csv: $LCME_ASEM_DIR, else
 * LCME_SOURCE_DIR/tests/conformance/asem, else the shared copy beside the
 * repository, else /work/shared/conformance/asem. NULL when none has it.
 * The name is in a static buffer. */
static inline const char *tk_asem_dir(void)
{
    static char dir[1024];
    const char *cand[4] = {getenv("LCME_ASEM_DIR"),
                           LCME_SOURCE_DIR "/tests/conformance/asem",
                           LCME_SOURCE_DIR "/../shared/conformance/asem",
                           "/work/shared/conformance/asem"};
    for (int i = 0; i < 4; i++) {
        char probe[1200];
        if (!cand[i]) continue;
        snprintf(probe, sizeof probe, "%s/ASEM_iMeta.csv", cand[i]);
        if (access(probe, R_OK) == 0) {
            snprintf(dir, sizeof dir, "%s", cand[i]);
            return dir;
        }
    }
    return NULL;
}

/* Read dir/ASEM_iMeta.csv and dir/DATA through the real readers
 * (framework_load, ingest_file, obsset_to_cube at level 0.95); fails the
 * test, printing the diagnostics, if any step fails. */
static inline void tk_asem_load(const char *dir, const char *data, struct framework **fw,
                                struct cube **cube)
{
    char path[1400];
    struct diag d;
    diag_init(&d);
    snprintf(path, sizeof path, "%s/ASEM_iMeta.csv", dir);
    if (framework_load(fw, path, &d) != 0) {
        tk_print_diag(&d);
        fail_msg("framework_load failed");
    }
    struct obsset *s = obsset_new();
    assert_non_null(s);
    snprintf(path, sizeof path, "%s/%s", dir, data);
    if (ingest_file(s, path, data, *fw, &d) != 0) {
        tk_print_diag(&d);
        fail_msg("ingest_file failed");
    }
    if (obsset_to_cube(s, *fw, 0.95, cube, &d) != 0) {
        tk_print_diag(&d);
        fail_msg("obsset_to_cube failed");
    }
    obsset_free(s);
    diag_free(&d);
}

/* pipeline_run; fails the test, printing the diagnostics, if it fails. */
static inline struct results *tk_pipeline_ok(const struct config *cfg, const struct framework *fw,
                                             const struct cube *c, struct diag *d)
{
    struct results *r = NULL;
    if (pipeline_run(cfg, fw, c, &r, d) != 0) {
        tk_print_diag(d);
        fail_msg("pipeline_run failed");
    }
    return r;
}

/* ---- reference cells -------------------------------------------------------- */

/* A reference file's cell: "" is NaN (missing), else a finite number with
 * nothing after it. 0, or -1 for anything else. */
static inline int tk_parse_cell(const char *s, double *v)
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

/* Whether got agrees with the reference want: both NaN, or neither and a
 * relative error (absolute below magnitude 1) of at most tol; the error of
 * a pair of numbers raises *worst. */
static inline int tk_cell_agrees(double got, double want, double tol, double *worst)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    double err = fabs(got - want) / fmax(1.0, fabs(want));
    if (err > *worst) *worst = err;
    return err <= tol;
}

#endif
