/* pipeline.c: one evaluation of the whole pipeline (pipeline_eval), the
 * nominal run built on it (pipeline_run) and the Monte Carlo replication
 * (pipeline_replicate); the contract is in pipeline.h.
 *
 * pipeline_eval is the only place the stages are called from: the nominal
 * run calls it in DERIVE mode on a copy of the cube's values, a replication
 * in HOLD mode on its perturbed values. The two modes differ only where a
 * stage takes a decision (screening, treatment, the normalisation method
 * and constant slices); every other line is shared, so no replication can
 * leave a stage out.
 *
 * Invariants: the cube is never written; a replication's numbers depend
 * only on its input values and the nominal decisions (not on the work area
 * it ran in or on earlier replications), so they are the same on any
 * thread.
 */
#include "pipeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coherence.h"
#include "pipeline_int.h"

enum eval_mode { EVAL_DERIVE, EVAL_HOLD };

static int pipeline_eval(const struct pipeline *p, enum eval_mode mode,
                         struct pipeline_work *w, double *x, double *score,
                         uint16_t *rank, struct diag *d);
static void node_done(void *ctx, int n);

void results_free(struct results *r)
{
    if (!r) return;
    free(r->score);
    free(r->rank);
    free(r->coverage);
    free(r->rank_threshold);
    compare_free(r->compare);
    free(r->ci_low);
    free(r->ci_high);
    free(r->rank_low);
    free(r->rank_high);
    free(r->present);
    free(r->flag);
    free(r->eff_weight);
    free(r->target_score);
    prepare_report_free(r->prep);
    coherence_free(r->coherence);
    notes_free(&r->notes);
    pipeline_free(r->pipeline);
    free(r);
}

void pipeline_free(struct pipeline *p)
{
    if (!p) return;
    free(p->lm);
    free(p->grp);
    normalise_params_free(p->held_np);
    free(p->rank_ok_own);
    free(p);
}

void pipeline_set_weights(struct pipeline *p, const double *weight)
{
    p->weight = weight;
}

int pipeline_evaluate(const struct pipeline *p, struct pipeline_work *w, double *x,
                      double *score, uint16_t *rank, struct diag *d)
{
    return pipeline_eval(p, EVAL_DERIVE, w, x, score, rank, d);
}

/* ---- settings ------------------------------------------------------------ */

/* The preparation order: cfg->order when it is a permutation of the four
 * stages (a config built without config_load may leave it zeroed), else
 * the default order. */
static void resolve_order(const struct config *cfg, int *order)
{
    int seen = 0;
    for (int s = 0; s < PREP_NSTAGE; s++) {
        order[s] = cfg->order[s];
        if (order[s] >= 0 && order[s] < PREP_NSTAGE) seen |= 1 << order[s];
    }
    if (seen != (1 << PREP_NSTAGE) - 1)
        for (int s = 0; s < PREP_NSTAGE; s++) order[s] = s;
}

struct pipeline *pipeline_new(const struct config *cfg, const struct framework *fw,
                              const struct cube *c, struct diag *d)
{
    struct pipeline *p = calloc(1, sizeof *p);
    if (!p || !(p->lm = calloc((size_t)fw->nlevel + 2, sizeof *p->lm))) {
        free(p);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "pipeline: out of memory");
        return NULL;
    }
    p->cfg = cfg;
    p->fw = fw;
    p->c = c;
    for (int level = 0; level <= fw->nlevel; level++)
        p->lm[level] = *config_method(cfg, level);
    p->m1 = *config_method(cfg, 1);
    if (p->m1.normalise == NORM_DIST2REF) {
        p->m1.ref_index = cfg->ref_unit ? cube_unit_index(c, cfg->ref_unit) : -1;
        if (p->m1.ref_index < 0) {
            diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                     "normalise = dist2ref needs [method] ref_unit naming a "
                     "unit of the data%s%s%s", cfg->ref_unit ? " ('" : "",
                     cfg->ref_unit ? cfg->ref_unit : "",
                     cfg->ref_unit ? "' is not one)" : "");
            goto fail;
        }
    }
    resolve_order(cfg, p->order);
    p->screen_on = cfg->screen != SCREEN_NONE || cfg->force_exclude;
    p->so = (struct prepare_screen_opts){cfg->screen, cfg->dat_thresh, cfg->nonzero_thresh,
                                         cfg->force_include, cfg->force_exclude};
    p->to = (struct prepare_treat_opts){cfg->treat, cfg->winmax, 2.0, 3.5, cfg->boxcox_lambda,
                                        p->m1.scope == SCOPE_POOLED};
    if ((cfg->impute == IMPUTE_GROUP_MEAN || cfg->impute == IMPUTE_GROUP_MEDIAN) &&
        prepare_groups(c, cfg->group, cfg->impute, &p->grp, &p->ngrp, d) != 0)
        goto fail;
    return p;
fail:
    free(p->lm);
    free(p->grp);
    free(p);
    return NULL;
}

const struct normalise_params *pipeline_nominal_params(const struct pipeline *p)
{
    return p->held_np;
}

size_t pipeline_row_cells(const struct pipeline *p)
{
    return (size_t)p->fw->nnode * p->c->nyear * p->c->nunit + (p->cmp ? p->cmp->nextra : 0);
}

/* ---- work areas ------------------------------------------------------------ */

void pipeline_work_free(struct pipeline_work *w)
{
    if (!w) return;
    free(w->flag);
    prepare_report_free(w->rep);
    normalise_params_free(w->np);
    normalise_work_free(w->nw);
    aggregate_work_free(w->aw);
    rank_plane_work_free(w->rw);
    free(w->buf);
    free(w->ibuf);
    compare_work_free(w->cw);
    free(w);
}

struct pipeline_work *pipeline_work_new(const struct pipeline *p)
{
    const struct cube *c = p->c;
    size_t nu = c->nunit, ny = c->nyear, cells = c->nind * ny * nu;
    struct pipeline_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->flag = malloc(cells + 1);
    w->rep = prepare_report_new(c);
    w->np = normalise_params_alloc(c->nind, ny);
    w->nw = normalise_work_alloc(nu, ny);
    w->aw = aggregate_work_alloc(p->fw, nu, ny);
    w->rw = rank_plane_work_alloc(nu ? nu : 1);
    w->buf = malloc((nu + 1) * sizeof *w->buf);
    w->ibuf = malloc((ny * nu + 1) * sizeof *w->ibuf);
    if (p->cmp && p->cmp->nextra)
        w->cw = compare_work_new(p->cmp, p->fw);
    if (!w->flag || !w->rep || !w->np || !w->nw || !w->aw || !w->rw || !w->buf || !w->ibuf ||
        (p->cmp && p->cmp->nextra && !w->cw)) {
        pipeline_work_free(w);
        return NULL;
    }
    aggregate_work_set_reader(w->aw, node_done, w);
    return w;
}

void pipeline_work_set_reader(struct pipeline_work *w, pipeline_cells_fn fn, void *ctx)
{
    w->reader = fn;
    w->reader_ctx = ctx;
}

/* ---- one evaluation ---------------------------------------------------------- */

/* Preparation stage `stage` on x: in DERIVE mode screening and treatment
 * decide (into w->rep), in HOLD mode they apply p->held's decisions. */
static int prepare_stage(const struct pipeline *p, enum eval_mode mode, int stage,
                         double *x, struct pipeline_work *w, struct diag *d)
{
    const struct config *cfg = p->cfg;
    const struct cube *c = p->c;
    switch ((enum prep_stage)stage) {
    case PREP_DENOMINATE:
        if (!cfg->denominate) return 0;
        return prepare_denominate(p->fw, c, x, cfg->denominate_scale, w->rep, d);
    case PREP_SCREEN:
        if (!p->screen_on) return 0;
        if (mode == EVAL_HOLD) {
            prepare_screen_hold(c, x, NULL, p->held->dropped);
            memcpy(w->rep->dropped, p->held->dropped, c->nunit * c->nyear);
            return 0;
        }
        return prepare_screen(c, x, w->flag, &p->so, w->rep, d);
    case PREP_IMPUTE:
        if (cfg->impute == IMPUTE_NONE) return 0;
        return prepare_impute_grouped(c, x, mode == EVAL_HOLD ? NULL : w->flag, cfg->impute,
                                      p->grp, p->ngrp, w->rep, d);
    case PREP_TREAT:
        if (cfg->treat == TREAT_NONE) return 0;
        if (mode == EVAL_HOLD) {
            prepare_treat_hold(c, x, &p->to, p->held, w->ibuf);
            return 0;
        }
        return prepare_treat(c, x, w->flag, &p->to, w->rep, d);
    default:
        return 0;
    }
}

/* Direction, normalisation parameters (held in HOLD mode), scores and
 * ranks of the indicators, NORMALISE_BLOCK indicators at a time: each step
 * reads planes the one before has just written, while they are still in
 * the cache (at network scale a block is 250 KB; the prepared values 3.9
 * MB). The blocks give the parameters of one call over all indicators
 * (normalise.h). Against one pass of each step over every indicator, in
 * profiles of the network-scale pipeline benchmark (perf, share of the
 * samples): the scores 7.5 % to 5.9 %, the statistics 5.2 % to 3.9 %, the
 * ranks' reads of their planes 3.2 % to 1.5 %. */
static int normalise_blocks(const struct pipeline *p, enum eval_mode mode,
                            struct pipeline_work *w, double *x, double *score,
                            uint16_t *rank, struct diag *d)
{
    const struct framework *fw = p->fw;
    size_t nu = p->c->nunit, ny = p->c->nyear, ni = (size_t)fw->nind;
    for (size_t i0 = 0; i0 < ni; i0 += NORMALISE_BLOCK) {
        size_t i1 = i0 + NORMALISE_BLOCK < ni ? i0 + NORMALISE_BLOCK : ni;
        normalise_direction_range(fw, x, nu, ny, i0, i1);
        if (normalise_params_compute_range(w->np, &p->m1, fw, x, nu, i0, i1, d) != 0)
            return -1;
        if (mode == EVAL_HOLD)
            normalise_params_hold_range(w->np, p->held_np, i0, i1);
        for (size_t i = i0; i < i1; i++) {
            normalise_apply_one(w->np, i, x + i * ny * nu, score + i * ny * nu, nu, w->nw);
            if (rank)
                pipeline_rank_planes(p, score, rank, i * ny, (i + 1) * ny, w);
            if (w->reader)
                w->reader(w->reader_ctx, score, i * ny * nu, (i + 1) * ny * nu);
        }
    }
    return 0;
}

/* An aggregate node's plane is written (aggregate_work_set_reader): its
 * ranks, and the score row's reader, while the plane is in the cache. */
static void node_done(void *ctx, int n)
{
    struct pipeline_work *w = ctx;
    size_t nu = w->cur_p->c->nunit, ny = w->cur_p->c->nyear, node = (size_t)n;
    if (w->cur_rank)
        pipeline_rank_planes(w->cur_p, w->cur_score, w->cur_rank, node * ny, (node + 1) * ny,
                             w);
    if (w->reader)
        w->reader(w->reader_ctx, w->cur_score, node * ny * nu, (node + 1) * ny * nu);
}

/* The whole pipeline on x (raw values in, prepared values out): scores of
 * every node into score, then (HOLD mode) the changes recomputed on their
 * composition after them; plane ranks into rank (may be NULL). */
static int pipeline_eval(const struct pipeline *p, enum eval_mode mode,
                         struct pipeline_work *w, double *x, double *score,
                         uint16_t *rank, struct diag *d)
{
    const struct framework *fw = p->fw;
    const struct cube *c = p->c;
    size_t nu = c->nunit, ny = c->nyear;
    /* flags record what preparation did for the nominal run and a
       sensitivity run; a replication's are read by nothing */
    if (mode == EVAL_DERIVE)
        memcpy(w->flag, c->flag, c->nind * ny * nu);
    /* imputation skips the unit-years screened out so far, as in the
       nominal run (screening may come before or after it) */
    memset(w->rep->dropped, 0, nu * ny);
    for (int s = 0; s < PREP_NSTAGE; s++)
        if (prepare_stage(p, mode, p->order[s], x, w, d) != 0)
            return -1;
    if (normalise_blocks(p, mode, w, x, score, rank, d) != 0)
        return -1;
    w->low_coverage = 0;
    w->cur_p = p;
    w->cur_score = score;
    w->cur_rank = rank;
    if (aggregate_tree(fw, p->lm, p->weight, score, nu, ny, (const char *const *)c->unit,
                       c->year, w->aw, &w->low_coverage, d) != 0)
        return -1;
    if (w->cw)
        compare_replicate(p->cmp, fw, p->lm, p->weight, score,
                          score + (size_t)fw->nnode * ny * nu, w->cw);
    if (w->reader)
        w->reader(w->reader_ctx, score, (size_t)fw->nnode * ny * nu, pipeline_row_cells(p));
    return 0;
}

int pipeline_replicate(const struct pipeline *p, struct pipeline_work *w, double *x,
                       double *score, uint16_t *rank, struct diag *d)
{
    return pipeline_eval(p, EVAL_HOLD, w, x, score, rank, d);
}

/* ---- the nominal run ----------------------------------------------------------- */

static struct results *results_alloc(size_t nnode, size_t nyear, size_t nunit)
{
    struct results *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->nnode = nnode;
    r->nyear = nyear;
    r->nunit = nunit;
    size_t cells = nyear * nunit;
    r->score = malloc((nnode * cells + 1) * sizeof *r->score);
    r->rank = malloc((nnode * cells + 1) * sizeof *r->rank);
    r->present = calloc(nyear + 1, sizeof *r->present);
    r->eff_weight = malloc((nnode + 1) * sizeof *r->eff_weight);
    if (!r->score || !r->rank || !r->present || !r->eff_weight) {
        results_free(r);
        return NULL;
    }
    return r;
}

/* Ranks as doubles (NaN for missing) from the evaluation's uint16 ranks. */
static void ranks_to_double(const uint16_t *rk, double *out, size_t n)
{
    for (size_t k = 0; k < n; k++)
        out[k] = rk[k] ? (double)rk[k] : NAN;
}

/* The notes of a nominal run, in their fixed order (after nominal_keep). */
static void nominal_notes(const struct pipeline *p, struct results *r,
                          const struct pipeline_work *w)
{
    struct notes *nt = &r->notes;
    for (int s = 0; s < PREP_NSTAGE; s++)
        pipeline_note_preparation(nt, p, r->prep, p->order[s]);
    pipeline_note_direction(nt, p->fw);
    pipeline_note_normalisation(nt, &p->m1, p->c);
    pipeline_note_fallbacks(nt, p->held_np, p->fw);
    pipeline_note_constants(nt, p->held_np, p->fw, p->c);
    pipeline_note_aggregation(nt, p->cfg, p->fw, p->lm);
    size_t low = w->low_coverage;
    if (low)
        notes_add(nt, "%zu aggregate score%s (unit \u00d7 node \u00d7 year) "
                  "%s missing because the children present carried less than "
                  "the required share of weight.", low, low == 1 ? "" : "s",
                  low == 1 ? "is" : "are");
    if (r->target_indicators)
        notes_add(nt, "Target scores: the score of a unit with every indicator "
                  "that has a target (%zu of %zu) exactly at it, normalised with the year's "
                  "parameters and aggregated like the units' scores; drawn as the dashed "
                  "target line of the trend charts.", r->target_indicators, p->c->nind);
    pipeline_note_ranks(nt, p, r);
    compare_notes_add(r->compare, nt);
}

/* Move what the nominal evaluation recorded into r and keep its decisions
 * in p for the replications. */
static void nominal_keep(struct pipeline *p, struct results *r, struct pipeline_work *w)
{
    r->flag = w->flag;
    w->flag = NULL;
    r->prep = w->rep;
    w->rep = NULL;
    p->held_np = w->np;
    w->np = NULL;
    p->held = r->prep;
    r->constant_indicators = normalise_params_constant_count(p->held_np);
    r->imputed = r->prep->imputed;
    r->treated = r->prep->treated_points;
    r->treated_indicators = r->prep->treated_slices;
    r->screened = r->prep->screened;
}

int pipeline_run(const struct config *cfg, const struct framework *fw,
                 const struct cube *c, struct results **out, struct diag *d)
{
    *out = NULL;
    if (!cfg || !fw || !c || (size_t)fw->nind != c->nind) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "pipeline: the cube has %zu indicators but the framework %d",
                 c ? c->nind : 0, fw ? fw->nind : -1);
        return -1;
    }
    if (c->nunit > PIPELINE_MAX_UNITS) {
        diag_add(d, LCME_ELIMIT, NULL, 0, 0, "pipeline: %zu units is more than the %d "
                 "a ranking holds", c->nunit, PIPELINE_MAX_UNITS);
        return -1;
    }
    size_t nunit = c->nunit, nyear = c->nyear, nind = c->nind;
    size_t nnode = (size_t)fw->nnode, planes = nnode * nyear * nunit;
    struct results *r = results_alloc(nnode, nyear, nunit);
    struct pipeline_work *w = NULL;
    uint16_t *rk = malloc((planes + 1) * sizeof *rk);
    double *x = malloc((nind * nyear * nunit + 1) * sizeof *x);
    int rc = -1;
    if (!r || !rk || !x) goto nomem;
    if (!(r->pipeline = pipeline_new(cfg, fw, c, d)))
        goto done;
    struct pipeline *p = r->pipeline;
    if (!(w = pipeline_work_new(p)))
        goto nomem;
    memcpy(x, c->value, nind * nyear * nunit * sizeof *x);
    if (pipeline_eval(p, EVAL_DERIVE, w, x, r->score, NULL, d) != 0)
        goto done;
    for (size_t k = 0; k < nind * nyear * nunit; k++)
        r->present[k / nunit % nyear] += isfinite(x[k]) != 0;
    free(x);
    x = NULL;
    nominal_keep(p, r, w);
    if (pipeline_coverage(p, r) != 0)
        goto nomem;
    pipeline_rank(p, r->score, rk, w);
    ranks_to_double(rk, r->rank, planes);
    if (pipeline_target_scores(p, r, p->held_np) != 0)
        goto nomem;
    if (!(r->compare = compare_new(cfg, fw, c, p->lm, p->weight, r, d)))
        goto done;
    p->cmp = r->compare;
    nominal_notes(p, r, w);
    framework_effective_weights(fw, r->eff_weight);

    /* coherence in the evaluation year (the last year when it is absent) */
    if (nyear > 0) {
        int t = cube_year_index(c, cfg->year);
        if (t < 0) t = (int)nyear - 1;
        r->coherence = coherence_compute(fw, r->score, c->value, nunit, nyear, (size_t)t,
                                         c->year[t], d);
        if (!r->coherence) goto done;
        pipeline_note_coherence(&r->notes, cfg, c->year[t]);
    }
    rc = 0;
    goto done;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0,
             "pipeline: out of memory for %zu units x %zu nodes x %zu years",
             nunit, nnode, nyear);
done:
    free(rk);
    free(x);
    pipeline_work_free(w);
    if (rc == 0)
        *out = r;
    else
        results_free(r);
    return rc;
}
