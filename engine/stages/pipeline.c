/* pipeline.c: from cube to scores: direction, normalisation, aggregation,
 * ranks, effective weights and the notes that explain them.
 *
 * pipeline_run never modifies its inputs: the cube's values are copied into
 * results->prepared, direction is applied there, normalised values go to
 * the indicator planes of results->score and aggregate_tree fills the rest.
 * Every method used and every fallback taken adds one sentence to
 * results->notes, in a fixed order (direction, normalisation, fallbacks,
 * constant indicators, aggregation per level, coverage, ranks), so reruns
 * give the same notes.
 */
#include "pipeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "coherence.h"
#include "normalise.h"
#include "prepare.h"

/* Longest note kept; longer sentences are cut (they are built from codes
 * and numbers, so this is far above any real one). */
#define NOTE_MAX 4096
/* Indicator codes listed in one sentence before "and N more". */
#define NOTE_LIST_MAX 12

void notes_add(struct notes *nt, const char *fmt, ...)
{
    char buf[NOTE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (nt->n == nt->alloc) {
        size_t na = nt->alloc ? 2 * nt->alloc : 16;
        char **nl = realloc(nt->line, na * sizeof *nl);
        if (!nl) return;
        nt->line = nl;
        nt->alloc = na;
    }
    char *s = strdup(buf);
    if (!s) return;
    nt->line[nt->n++] = s;
}

void notes_free(struct notes *nt)
{
    if (!nt) return;
    for (size_t i = 0; i < nt->n; i++) free(nt->line[i]);
    free(nt->line);
    nt->line = NULL;
    nt->n = nt->alloc = 0;
}

void results_free(struct results *r)
{
    if (!r) return;
    free(r->score);
    free(r->rank);
    free(r->ci_low);
    free(r->ci_high);
    free(r->rank_low);
    free(r->rank_high);
    free(r->prepared);
    free(r->flag);
    free(r->eff_weight);
    free(r->target_score);
    prepare_report_free(r->prep);
    coherence_free(r->coherence);
    notes_free(&r->notes);
    free(r);
}

static struct results *results_alloc(size_t nnode, size_t nind, size_t nyear,
                                     size_t nunit)
{
    struct results *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->nnode = nnode;
    r->nyear = nyear;
    r->nunit = nunit;
    size_t cells = nyear * nunit;
    r->score = malloc((nnode * cells + 1) * sizeof *r->score);
    r->rank = malloc((nnode * cells + 1) * sizeof *r->rank);
    r->prepared = malloc((nind * cells + 1) * sizeof *r->prepared);
    r->flag = malloc(nind * cells + 1);
    r->eff_weight = malloc((nnode + 1) * sizeof *r->eff_weight);
    if (!r->score || !r->rank || !r->prepared || !r->flag || !r->eff_weight) {
        results_free(r);
        return NULL;
    }
    return r;
}

/* "pooled over 2016–2026", "pooled over 2018" or "within each year". */
static void scope_text(char *buf, size_t len, const struct method *m,
                       const struct cube *c)
{
    if (m->scope == SCOPE_PER_YEAR)
        snprintf(buf, len, "within each year");
    else if (c->nyear == 0)
        snprintf(buf, len, "pooled over all years");
    else if (c->nyear == 1)
        snprintf(buf, len, "pooled over %d", c->year[0]);
    else
        snprintf(buf, len, "pooled over %d\u2013%d", c->year[0],
                 c->year[c->nyear - 1]);
}

static void note_normalisation(struct notes *nt, const struct method *m,
                               const struct cube *c)
{
    char sc[64];
    scope_text(sc, sizeof sc, m, c);
    switch (m->normalise) {
    case NORM_NONE:
        notes_add(nt, "Normalisation: none; indicator scores are the values "
                      "after direction.");
        break;
    case NORM_MINMAX:
        notes_add(nt, "Normalisation: min-max to [%g, %g], %s.", m->norm_low,
                  m->norm_high, sc);
        break;
    case NORM_ZSCORE:
        notes_add(nt, "Normalisation: z-scores with mean %g and standard "
                      "deviation %g (sample standard deviation), %s.",
                  m->z_mean, m->z_sd, sc);
        break;
    case NORM_GOALPOSTS:
        notes_add(nt, "Normalisation: goalposts from the framework's lower and "
                      "upper columns (swapped where lower is better), clipped "
                      "to [0, 1] and scaled by %g.",
                  m->gp_scale > 0 ? m->gp_scale : 100.0);
        break;
    case NORM_RANK:
        notes_add(nt, "Normalisation: ranks (1 for the lowest value after "
                      "direction, ties at the minimum rank), %s.", sc);
        break;
    case NORM_PRANK:
        notes_add(nt, "Normalisation: percentile ranks (rank \u2212 1)/(n \u2212 1), "
                      "ties at the minimum rank, %s.", sc);
        break;
    case NORM_DIST2TARGET:
        notes_add(nt, "Normalisation: distance to target (x \u2212 min)/(target "
                      "\u2212 min) with the framework's targets, %s, %s.",
                  m->dist2target_cap ? "capped at 1" : "not capped", sc);
        break;
    case NORM_DIST2MAX:
        notes_add(nt, "Normalisation: distance to the maximum 1 \u2212 (max "
                      "\u2212 x)/(max \u2212 min), %s.", sc);
        break;
    case NORM_FRACMAX:
        notes_add(nt, "Normalisation: fraction of the maximum x/max, %s.", sc);
        break;
    case NORM_SCALED:
        notes_add(nt, "Normalisation: scaled (x \u2212 l)/(u \u2212 l) \u00d7 100 "
                      "with the framework's lower and upper as (l, u) where "
                      "given, else (%g, %g).", m->norm_low, m->norm_high);
        break;
    case NORM_DIST2REF:
        notes_add(nt, "Normalisation: distance to a reference unit 1 \u2212 "
                      "(x_ref \u2212 x)/(x_ref \u2212 min), %s, %s.",
                  m->dist2target_cap ? "capped at 1" : "not capped", sc);
        break;
    case NORM_BORDA:
        notes_add(nt, "Normalisation: Borda scores (rank \u2212 1, 0 for the "
                      "lowest value after direction, ties at the minimum), %s.", sc);
        break;
    default:
        break;
    }
}

/* One sentence per indicator that fell back to another method. */
static void note_fallbacks(struct notes *nt, const struct normalise_params *p,
                           const struct framework *fw)
{
    const struct method *m = &p->m;
    for (size_t i = 0; i < p->nind; i++) {
        const char *code = fw->node[i].code;
        switch ((enum normalise_fallback)p->fallback[i]) {
        case NORM_FALLBACK_NO_GOALPOSTS:
            notes_add(nt, "Indicator %s has no goalposts (lower and upper) in "
                          "the framework: normalised by min-max to [%g, %g] "
                          "instead.", code, m->norm_low, m->norm_high);
            break;
        case NORM_FALLBACK_NO_TARGET:
            notes_add(nt, "Indicator %s has no target in the framework: "
                          "normalised by min-max to [%g, %g] instead.",
                      code, m->norm_low, m->norm_high);
            break;
        case NORM_FALLBACK_FRACMAX_NONPOSITIVE:
            notes_add(nt, "Indicator %s has no positive maximum, so a fraction "
                          "of the maximum is meaningless: normalised as distance "
                          "to the maximum instead.", code);
            break;
        default:
            break;
        }
    }
}

static void note_constants(struct notes *nt, const struct normalise_params *p,
                           const struct framework *fw, const struct cube *c)
{
    for (size_t i = 0; i < p->nind; i++) {
        size_t s0 = i * p->nyear, nconst = 0;
        for (size_t t = 0; t < p->nyear; t++) nconst += p->constant[s0 + t];
        if (nconst == 0) continue;
        const char *mid;
        char midbuf[64];
        switch (p->method[i]) {
        case NORM_MINMAX:
            snprintf(midbuf, sizeof midbuf, "%g",
                     0.5 * (p->m.norm_low + p->m.norm_high));
            mid = midbuf;
            break;
        case NORM_ZSCORE:
            snprintf(midbuf, sizeof midbuf, "%g", p->m.z_mean);
            mid = midbuf;
            break;
        case NORM_RANK: mid = "(n + 1)/2"; break;
        case NORM_BORDA: mid = "(n \u2212 1)/2"; break;
        default: mid = "0.5"; break;
        }
        char when[512];
        if (p->m.scope == SCOPE_POOLED) {
            if (c->nyear == 1)
                snprintf(when, sizeof when, "in %d", c->year[0]);
            else
                snprintf(when, sizeof when, "over %d\u2013%d", c->year[0],
                         c->year[c->nyear - 1]);
        } else {
            size_t k = (size_t)snprintf(when, sizeof when, "in");
            size_t listed = 0;
            for (size_t t = 0; t < p->nyear && k < sizeof when; t++) {
                if (!p->constant[s0 + t]) continue;
                k += (size_t)snprintf(when + k, sizeof when - k, "%s %d",
                                      listed ? "," : "", c->year[t]);
                listed++;
            }
        }
        notes_add(nt, "Indicator %s is constant %s (max = min): normalised to "
                      "the midpoint %s instead of dividing by zero.",
                  fw->node[i].code, when, mid);
    }
}

static const char *level_label(const struct config *cfg, int level, char *buf,
                               size_t len)
{
    if (level >= 1 && level <= cfg->nlevel_names && level <= CONFIG_MAX_LEVELS &&
        cfg->level_name[level]) {
        snprintf(buf, len, "%s (level %d)", cfg->level_name[level], level);
    } else {
        snprintf(buf, len, "level %d", level);
    }
    return buf;
}

static void note_aggregation(struct notes *nt, const struct config *cfg,
                             const struct framework *fw,
                             const struct method *lm)
{
    for (int level = 2; level <= fw->nlevel; level++) {
        int any = 0;
        for (int n = fw->nind; n < fw->nnode; n++)
            if (fw->node[n].level == level && fw->node[n].nchild > 0) any = 1;
        if (!any) continue;
        const struct method *m = &lm[level];
        char lab[128], how[160], cov[96];
        switch (m->aggregate) {
        case AGG_ARITHMETIC:
            snprintf(how, sizeof how, "weighted arithmetic mean");
            break;
        case AGG_GEOMETRIC:
            snprintf(how, sizeof how, "weighted geometric mean");
            break;
        case AGG_HARMONIC:
            snprintf(how, sizeof how, "weighted harmonic mean");
            break;
        case AGG_GENMEAN:
            snprintf(how, sizeof how, "weighted generalised mean with p = %g",
                     m->agg_p);
            break;
        case AGG_MEDIAN:
            snprintf(how, sizeof how, "weighted median");
            break;
        case AGG_COPELAND:
            snprintf(how, sizeof how, "Copeland score (for each pair of units "
                     "+1 to the one ahead on more child weight, \u22121 to the "
                     "other, 0 for a tie)");
            break;
        default:
            snprintf(how, sizeof how, "%s", agg_method_name(m->aggregate));
            break;
        }
        if (m->min_coverage > 0)
            snprintf(cov, sizeof cov, "children carrying at least %g%% of its "
                     "weight", 100.0 * m->min_coverage);
        else
            snprintf(cov, sizeof cov, "at least one child");
        notes_add(nt, "Aggregation to %s: %s of the children present, weights "
                      "renormalised among them; a score needs %s present.",
                  level_label(cfg, level, lab, sizeof lab), how, cov);
    }
}

/* Run denominate, screen, impute and treat as cfg asks, in cfg->order, on
 * r->prepared and r->flag; one note per stage that ran. */
static int prepare_stages(const struct config *cfg, const struct framework *fw,
                          const struct cube *c, struct results *r,
                          struct diag *d)
{
    struct prepare_report *rep = r->prep;
    /* a config built without config_load may leave order zeroed: use the
       default order unless it is a permutation of the four stages */
    int order[PREP_NSTAGE], seen = 0;
    for (int s = 0; s < PREP_NSTAGE; s++) {
        order[s] = cfg->order[s];
        if (order[s] >= 0 && order[s] < PREP_NSTAGE) seen |= 1 << order[s];
    }
    if (seen != (1 << PREP_NSTAGE) - 1)
        for (int s = 0; s < PREP_NSTAGE; s++) order[s] = s;
    for (int s = 0; s < PREP_NSTAGE; s++) {
        switch ((enum prep_stage)order[s]) {
        case PREP_DENOMINATE:
            if (!cfg->denominate) break;
            if (prepare_denominate(fw, c, r->prepared, cfg->denominate_scale,
                                   rep, d) != 0)
                return -1;
            notes_add(&r->notes, "Denomination: %zu indicator%s divided by "
                      "their denominator column (x / (d / %g)), %zu value%s; "
                      "%zu value%s left missing for want of a denominator.",
                      rep->denom_indicators, rep->denom_indicators == 1 ? "" : "s",
                      cfg->denominate_scale, rep->denominated,
                      rep->denominated == 1 ? "" : "s", rep->denom_missing,
                      rep->denom_missing == 1 ? "" : "s");
            break;
        case PREP_SCREEN: {
            if (cfg->screen == SCREEN_NONE && !cfg->force_exclude) break;
            struct prepare_screen_opts so = {cfg->screen, cfg->dat_thresh,
                                             cfg->nonzero_thresh,
                                             cfg->force_include,
                                             cfg->force_exclude};
            if (prepare_screen(c, r->prepared, r->flag, &so, rep, d) != 0)
                return -1;
            char list[NOTE_LIST_MAX * 48 + 64];
            size_t k = 0, listed = 0;
            list[0] = '\0';
            for (size_t t = 0; t < c->nyear; t++)
                for (size_t u = 0; u < c->nunit; u++) {
                    if (!rep->dropped[t * c->nunit + u]) continue;
                    if (listed < NOTE_LIST_MAX && k < sizeof list)
                        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s %d",
                                              listed ? ", " : "", c->unit[u],
                                              c->year[t]);
                    listed++;
                }
            if (listed > NOTE_LIST_MAX && k < sizeof list)
                snprintf(list + k, sizeof list - k, " and %zu more",
                         listed - NOTE_LIST_MAX);
            notes_add(&r->notes, "Screening (%s): a unit is dropped for a year "
                      "when less than %g%% of its indicators are present%s; "
                      "%zu unit-year%s dropped%s%s%s and not scored or ranked.",
                      screen_method_name(cfg->screen), 100.0 * cfg->dat_thresh,
                      cfg->screen == SCREEN_BYZEROS || cfg->screen == SCREEN_BOTH
                          ? " or too few are non-zero" : "",
                      rep->screened, rep->screened == 1 ? "" : "s",
                      listed ? " (" : "", list, listed ? ")" : "");
            break;
        }
        case PREP_IMPUTE:
            if (cfg->impute == IMPUTE_NONE) break;
            if (prepare_impute(c, r->prepared, r->flag, cfg->impute, cfg->group,
                               rep, d) != 0)
                return -1;
            notes_add(&r->notes, "Imputation (%s%s%s): %zu missing value%s "
                      "filled and flagged; %zu still missing.",
                      impute_method_name(cfg->impute),
                      cfg->impute == IMPUTE_GROUP_MEAN ||
                      cfg->impute == IMPUTE_GROUP_MEDIAN ? " within " : "",
                      cfg->impute == IMPUTE_GROUP_MEAN ||
                      cfg->impute == IMPUTE_GROUP_MEDIAN ? cfg->group : "",
                      rep->imputed, rep->imputed == 1 ? "" : "s",
                      rep->impute_left);
            break;
        case PREP_TREAT: {
            if (cfg->treat == TREAT_NONE) break;
            struct prepare_treat_opts to = {cfg->treat, cfg->winmax, 2.0, 3.5,
                                            cfg->boxcox_lambda};
            if (prepare_treat(c, r->prepared, r->flag, &to, rep, d) != 0)
                return -1;
            size_t nlog = 0, nwin = 0, still = 0;
            for (size_t k = 0; k < c->nind * c->nyear; k++) {
                const struct prepare_treat_row *w = &rep->treat[k];
                if (w->how == PREP_TREAT_WINSORISED) nwin++;
                else if (w->how == PREP_TREAT_LOG_CT || w->how == PREP_TREAT_LOG ||
                         w->how == PREP_TREAT_BOXCOX) nlog++;
                if (!w->pass1) still++;
            }
            notes_add(&r->notes, "Outlier treatment (%s): an indicator fails when "
                      "|skew| >= 2 and kurtosis >= 3.5 (type-2 estimators); "
                      "%zu indicator-year%s winsorised (%zu point%s, up to %d "
                      "each), %zu transformed%s; %zu still fail%s.",
                      treat_method_name(cfg->treat), nwin, nwin == 1 ? "" : "s",
                      rep->treated_points, rep->treated_points == 1 ? "" : "s",
                      cfg->winmax, nlog,
                      cfg->treat == TREAT_WINSORISE ? " by log_CT after "
                      "winsorisation could not pass" : "",
                      still, still == 1 ? "s" : "");
            break;
        }
        default:
            break;
        }
    }
    r->imputed = rep->imputed;
    r->treated = rep->treated_points;
    r->treated_indicators = rep->treated_slices;
    r->screened = rep->screened;
    return 0;
}

/* results->target_score (see pipeline.h): the targets as one more unit,
 * through the run's own normalisation parameters and aggregation. Returns
 * 0, or -1 on ENOMEM. */
static int target_scores(const struct framework *fw, const struct cube *c,
                         struct results *r, const struct normalise_params *np,
                         const struct method *lm)
{
    size_t nnode = r->nnode, nyear = r->nyear, nind = c->nind;
    r->target_score = malloc((nnode * nyear + 1) * sizeof *r->target_score);
    if (!r->target_score)
        return -1;
    double *x = r->target_score;    /* RES_AT layout with one unit */
    for (size_t k = 0; k < nnode * nyear; k++)
        x[k] = NAN;
    enum norm_method nm = np->m.normalise;
    if (nm == NORM_RANK || nm == NORM_PRANK || nm == NORM_BORDA || nyear == 0)
        return 0;
    for (int level = 1; level <= fw->nlevel; level++)
        if (lm[level].aggregate == AGG_COPELAND)
            return 0;
    struct normalise_work *w = normalise_work_alloc(1, nyear);
    struct aggregate_work *aw = aggregate_work_alloc(fw, 1, nyear);
    int rc = -1;
    if (!w || !aw)
        goto done;
    const struct prepare_report *rep = r->prep;
    for (size_t i = 0; i < nind; i++) {
        const struct fw_node *nd = &fw->node[i];
        if (isnan(nd->target) || (nd->denominator && rep && rep->denom_indicators))
            continue;
        double raw = (nd->direction < 0 ? -1.0 : 1.0) * nd->target;
        int any = 0;
        for (size_t t = 0; t < nyear; t++) {
            size_t s = i * nyear + t;
            if (np->constant[s] || np->count[s] == 0)
                continue;
            if (rep && rep->treat) {
                enum prepare_treat_how how = rep->treat[s].how;
                if (how == PREP_TREAT_LOG_CT || how == PREP_TREAT_LOG ||
                    how == PREP_TREAT_BOXCOX)
                    continue;
            }
            x[s] = raw;
            any = 1;
        }
        if (!any)
            continue;
        normalise_apply_one(np, i, x + i * nyear, x + i * nyear, 1, w);
        r->target_indicators++;
    }
    if (r->target_indicators) {
        static const char *const unit[] = {"target"};
        struct diag quiet;
        diag_init(&quiet);
        if (aggregate_tree(fw, lm, NULL, x, 1, nyear, unit, c->year, aw, NULL, &quiet) != 0)
            for (size_t k = nind * nyear; k < nnode * nyear; k++)
                x[k] = NAN;    /* e.g. a geometric mean over a zero target */
        diag_free(&quiet);
    }
    rc = 0;
done:
    normalise_work_free(w);
    aggregate_work_free(aw);
    return rc;
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
    size_t nunit = c->nunit, nyear = c->nyear, nind = c->nind;
    size_t nnode = (size_t)fw->nnode, cells = nunit * nyear;
    struct results *r = results_alloc(nnode, nind, nyear, nunit);
    struct normalise_params *np = normalise_params_alloc(nind, nyear);
    struct normalise_work *nw = normalise_work_alloc(nunit, nyear);
    struct aggregate_work *aw = aggregate_work_alloc(fw, nunit, nyear);
    struct method *lm = calloc((size_t)fw->nlevel + 2, sizeof *lm);
    int rc = -1;
    if (!r || !np || !nw || !aw || !lm) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0,
                 "pipeline: out of memory for %zu units x %zu nodes x %zu years",
                 nunit, nnode, nyear);
        goto done;
    }

    /* preparation: copy, the data-preparation stages in the configured
       order (on values in their own direction, as COINr), then direction */
    memcpy(r->prepared, c->value, nind * cells * sizeof *r->prepared);
    memcpy(r->flag, c->flag, nind * cells);
    r->prep = prepare_report_new(c);
    if (!r->prep) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "pipeline: out of memory");
        goto done;
    }
    if (prepare_stages(cfg, fw, c, r, d) != 0)
        goto done;
    normalise_direction(fw, r->prepared, nunit, nyear);
    {
        size_t nneg = 0;
        char list[NOTE_LIST_MAX * 40 + 64];
        size_t k = 0;
        list[0] = '\0';
        for (int i = 0; i < fw->nind; i++) {
            if (fw->node[i].direction >= 0) continue;
            if (nneg < NOTE_LIST_MAX && k < sizeof list)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s",
                                      nneg ? ", " : "", fw->node[i].code);
            nneg++;
        }
        if (nneg > NOTE_LIST_MAX && k < sizeof list)
            snprintf(list + k, sizeof list - k, " and %zu more",
                     nneg - NOTE_LIST_MAX);
        if (nneg)
            notes_add(&r->notes, "Direction: %zu indicator%s where lower is "
                      "better (%s) %s multiplied by \u22121 before "
                      "normalisation, so a higher score is always better.",
                      nneg, nneg == 1 ? "" : "s", list,
                      nneg == 1 ? "was" : "were");
    }

    /* normalisation */
    struct method m1v = *config_method(cfg, 1);
    const struct method *m1 = &m1v;
    if (m1v.normalise == NORM_DIST2REF) {
        m1v.ref_index = cfg->ref_unit ? cube_unit_index(c, cfg->ref_unit) : -1;
        if (m1v.ref_index < 0) {
            diag_add(d, LCME_EINPUT, cfg->path, 0, 0,
                     "normalise = dist2ref needs [method] ref_unit naming a "
                     "unit of the data%s%s%s", cfg->ref_unit ? " ('" : "",
                     cfg->ref_unit ? cfg->ref_unit : "",
                     cfg->ref_unit ? "' is not one)" : "");
            goto done;
        }
    }
    if (normalise_params_compute(np, m1, fw, r->prepared, nunit, d) != 0)
        goto done;
    normalise_apply(np, r->prepared, r->score, nunit, nw);
    r->constant_indicators = normalise_params_constant_count(np);
    note_normalisation(&r->notes, m1, c);
    note_fallbacks(&r->notes, np, fw);
    note_constants(&r->notes, np, fw, c);

    /* aggregation */
    for (int level = 0; level <= fw->nlevel; level++)
        lm[level] = *config_method(cfg, level);
    size_t low = 0;
    if (aggregate_tree(fw, lm, NULL, r->score, nunit, nyear,
                       (const char *const *)c->unit, c->year, aw, &low, d) != 0)
        goto done;
    note_aggregation(&r->notes, cfg, fw, lm);
    if (low)
        notes_add(&r->notes, "%zu aggregate score%s (unit \u00d7 node \u00d7 year) "
                  "%s missing because the children present carried less than "
                  "the required share of weight.", low, low == 1 ? "" : "s",
                  low == 1 ? "is" : "are");

    if (target_scores(fw, c, r, np, lm) != 0) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "pipeline: out of memory");
        goto done;
    }
    if (r->target_indicators)
        notes_add(&r->notes, "Target scores: the score of a unit with every indicator "
                  "that has a target (%zu of %zu) exactly at it, normalised with the year's "
                  "parameters and aggregated like the units' scores; drawn as the dashed "
                  "target line of the trend charts.", r->target_indicators, nind);

    /* ranks and weights */
    rank_planes(r->score, r->rank, nnode * nyear, nunit, aw);
    notes_add(&r->notes, "Ranks: within each node and year, 1 is the highest "
              "score; tied units share the best rank; missing scores are not "
              "ranked.");
    framework_effective_weights(fw, r->eff_weight);

    /* coherence in the evaluation year (the last year when it is absent) */
    if (nyear > 0) {
        int t = cube_year_index(c, cfg->year);
        if (t < 0) t = (int)nyear - 1;
        r->coherence = coherence_compute(fw, r->score, c->value, nunit, nyear,
                                         (size_t)t, c->year[t], d);
        if (!r->coherence) goto done;
        char l2[64];
        notes_add(&r->notes, "Statistical coherence (Quality sheet, quality.csv), in %d: "
                  "Pearson and Spearman correlations of each node with its parent; "
                  "Cronbach's alpha and the first principal component's share of "
                  "variance for each aggregate; indicator pairs within one %s node "
                  "flagged collinear (r > %g) or negative (r < %g); each indicator's raw "
                  "values flagged LowAvail (under 65 %% of units have one), HighZero "
                  "(over half are zero), LowUnique (under half are distinct) or Outliers "
                  "(|skew| > 2 and kurtosis > 3.5), each on the row of its statistic.",
                  c->year[t], level_label(cfg, 2, l2, sizeof l2), COHERENCE_HIGH,
                  COHERENCE_LOW);
    }
    rc = 0;

done:
    normalise_params_free(np);
    normalise_work_free(nw);
    aggregate_work_free(aw);
    free(lm);
    if (rc == 0) {
        *out = r;
    } else {
        results_free(r);
    }
    return rc;
}
