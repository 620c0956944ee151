/* pipeline_notes.c: the sentences the nominal run adds to the Notes sheet:
 * one per preparation stage that ran, direction, normalisation and its
 * fallbacks, constant indicators, aggregation per level, and coherence.
 *
 * Each is a pure function of the settings and what the stage recorded, and
 * they are added in a fixed order, so reruns give the same notes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coherence.h"
#include "pipeline_int.h"

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

void pipeline_note_normalisation(struct notes *nt, const struct method *m,
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
void pipeline_note_fallbacks(struct notes *nt, const struct normalise_params *p,
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

void pipeline_note_constants(struct notes *nt, const struct normalise_params *p,
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

const char *pipeline_level_label(const struct config *cfg, int level, char *buf,
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

void pipeline_note_aggregation(struct notes *nt, const struct config *cfg,
                               const struct framework *fw, const struct method *lm)
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
                  pipeline_level_label(cfg, level, lab, sizeof lab), how, cov);
    }
}


/* One sentence for preparation stage `stage` (enum prep_stage) of the
 * nominal run, from what it recorded in rep; nothing when it did not run. */
void pipeline_note_preparation(struct notes *nt, const struct pipeline *p,
                               const struct prepare_report *rep, int stage)
{
    const struct config *cfg = p->cfg;
    const struct cube *c = p->c;
    switch ((enum prep_stage)stage) {
    case PREP_DENOMINATE:
        if (!cfg->denominate) break;
        notes_add(nt, "Denomination: %zu indicator%s divided by "
                  "their denominator column (x / (d / %g)), %zu value%s; "
                  "%zu value%s left missing for want of a denominator.",
                  rep->denom_indicators, rep->denom_indicators == 1 ? "" : "s",
                  cfg->denominate_scale, rep->denominated,
                  rep->denominated == 1 ? "" : "s", rep->denom_missing,
                  rep->denom_missing == 1 ? "" : "s");
        break;
    case PREP_SCREEN: {
        if (!p->screen_on) break;
        char list[NOTE_LIST_MAX * 48 + 64];
        size_t k = 0, listed = 0;
        list[0] = '\0';
        for (size_t t = 0; t < c->nyear; t++)
            for (size_t u = 0; u < c->nunit; u++) {
                if (!rep->dropped[t * c->nunit + u]) continue;
                if (listed < NOTE_LIST_MAX && k < sizeof list)
                    k += (size_t)snprintf(list + k, sizeof list - k, "%s%s %d",
                                          listed ? ", " : "", c->unit[u], c->year[t]);
                listed++;
            }
        if (listed > NOTE_LIST_MAX && k < sizeof list)
            snprintf(list + k, sizeof list - k, " and %zu more", listed - NOTE_LIST_MAX);
        notes_add(nt, "Screening (%s): a unit is dropped for a year "
                  "when less than %g%% of its indicators are present%s; "
                  "%zu unit-year%s dropped%s%s%s and not scored or ranked.",
                  screen_method_name(cfg->screen), 100.0 * cfg->dat_thresh,
                  cfg->screen == SCREEN_BYZEROS || cfg->screen == SCREEN_BOTH
                      ? " or too few are non-zero" : "",
                  rep->screened, rep->screened == 1 ? "" : "s",
                  listed ? " (" : "", list, listed ? ")" : "");
        break;
    }
    case PREP_IMPUTE: {
        if (cfg->impute == IMPUTE_NONE) break;
        int grouped = cfg->impute == IMPUTE_GROUP_MEAN || cfg->impute == IMPUTE_GROUP_MEDIAN;
        notes_add(nt, "Imputation (%s%s%s): %zu missing value%s "
                  "filled and flagged; %zu still missing.",
                  impute_method_name(cfg->impute), grouped ? " within " : "",
                  grouped ? cfg->group : "", rep->imputed, rep->imputed == 1 ? "" : "s",
                  rep->impute_left);
        break;
    }
    case PREP_TREAT: {
        if (cfg->treat == TREAT_NONE) break;
        size_t nlog = 0, nwin = 0, still = 0;
        size_t step = rep->treat_pooled ? c->nyear : 1;
        for (size_t k = 0; k < c->nind * c->nyear; k += step) {
            const struct prepare_treat_row *w = &rep->treat[k];
            if (w->how == PREP_TREAT_WINSORISED) nwin++;
            else if (w->how == PREP_TREAT_LOG_CT || w->how == PREP_TREAT_LOG ||
                     w->how == PREP_TREAT_BOXCOX) nlog++;
            if (!w->pass1) still++;
        }
        const char *what = rep->treat_pooled ? "indicator" : "indicator-year";
        notes_add(nt, "Outlier treatment (%s%s): an indicator fails when "
                  "|skew| >= 2 and kurtosis >= 3.5 (type-2 estimators); "
                  "%zu %s%s winsorised (%zu point%s, up to %d "
                  "each), %zu transformed%s; %zu still fail%s.",
                  treat_method_name(cfg->treat),
                  rep->treat_pooled ? ", decided once per indicator over every year, "
                                      "since the normalisation pools the years" : "",
                  nwin, what, nwin == 1 ? "" : "s",
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

void pipeline_note_direction(struct notes *nt, const struct framework *fw)
{
    size_t nneg = 0;
    char list[NOTE_LIST_MAX * 40 + 64];
    size_t k = 0;
    list[0] = '\0';
    for (int i = 0; i < fw->nind; i++) {
        if (fw->node[i].direction >= 0) continue;
        if (nneg < NOTE_LIST_MAX && k < sizeof list)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", nneg ? ", " : "",
                                  fw->node[i].code);
        nneg++;
    }
    if (nneg > NOTE_LIST_MAX && k < sizeof list)
        snprintf(list + k, sizeof list - k, " and %zu more", nneg - NOTE_LIST_MAX);
    if (nneg)
        notes_add(nt, "Direction: %zu indicator%s where lower is "
                  "better (%s) %s multiplied by \u22121 before "
                  "normalisation, so a higher score is always better.",
                  nneg, nneg == 1 ? "" : "s", list, nneg == 1 ? "was" : "were");
}

void pipeline_note_coherence(struct notes *nt, const struct config *cfg, int year)
{
    char l2[64];
    notes_add(nt, "Statistical coherence (Quality sheet, quality.csv), in %d: "
              "Pearson and Spearman correlations of each node with its parent; "
              "Cronbach's alpha and the first principal component's share of "
              "variance for each aggregate; indicator pairs within one %s node "
              "flagged collinear (r > %g) or negative (r < %g); each indicator's raw "
              "values flagged LowAvail (under 65 %% of units have one), HighZero "
              "(over half are zero), LowUnique (under half are distinct) or Outliers "
              "(|skew| > 2 and kurtosis > 3.5), each on the row of its statistic.",
              year, pipeline_level_label(cfg, 2, l2, sizeof l2), COHERENCE_HIGH,
              COHERENCE_LOW);
}
