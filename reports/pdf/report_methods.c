/* report_methods.c: the report's last section, methods and data quality:
 * the settings that shape the results in words (only the keys that apply
 * to the run, with the numbers as the batch file writes them), where the
 * intervals come from, the data's coverage and preparation, and every
 * note and fallback of the run. Charts' sources and run facts, cropped
 * from the charts in the report, are said here once.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pdf_int.h"

/* A number as written in a batch file: up to 6 significant digits, no
 * trailing zeros ("0.95", "0.66", "100"). */
static const char *num(char *b, size_t len, double v)
{
    snprintf(b, len, "%.6g", v == 0 ? 0.0 : v);
    return b;
}

/* Appends printf text to b (of size len, holding a string). */
static void cat(char *b, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cat(char *b, size_t len, const char *fmt, ...)
{
    size_t l = strlen(b);
    if (l + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + l, len - l, fmt, ap);
    va_end(ap);
}

static void agg_text(const struct method *m, char *b, size_t len)
{
    char n[32];
    switch (m->aggregate) {
    case AGG_ARITHMETIC: snprintf(b, len, "weighted arithmetic mean"); break;
    case AGG_GEOMETRIC: snprintf(b, len, "weighted geometric mean"); break;
    case AGG_HARMONIC: snprintf(b, len, "weighted harmonic mean"); break;
    case AGG_GENMEAN:
        snprintf(b, len, "generalised mean with p = %s", num(n, sizeof n, m->agg_p));
        break;
    case AGG_MEDIAN: snprintf(b, len, "weighted median"); break;
    case AGG_COPELAND: snprintf(b, len, "Copeland method"); break;
    default: snprintf(b, len, "%s", agg_method_name(m->aggregate)); break;
    }
    if (m->min_coverage > 0)
        cat(b, len, " (a score needs children carrying at least %s of its weight)",
            num(n, sizeof n, m->min_coverage));
}

/* Settings: the data-preparation stages in the configured order. */
static void settings_prepare(struct doc *dc)
{
    const struct config *cfg = dc->c->in->cfg;
    char b[1200], n1[32], n2[32];
    b[0] = '\0';
    int seen = 0, nstage = 0;
    for (int i = 0; i < PREP_NSTAGE; i++) {
        int s = cfg->order[i];
        if (s < 0 || s >= PREP_NSTAGE || (seen & (1 << s)))
            continue;
        seen |= 1 << s;
        char st[400] = "";
        if (s == PREP_DENOMINATE && cfg->denominate) {
            snprintf(st, sizeof st, "indicators divided by their denominators");
            if (cfg->denominate_scale != 1)
                cat(st, sizeof st, " (scale %s)", num(n1, sizeof n1, cfg->denominate_scale));
        } else if (s == PREP_SCREEN && cfg->screen != SCREEN_NONE) {
            snprintf(st, sizeof st, "unit-years screened out with");
            if (cfg->screen == SCREEN_BYNA || cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " less than %s of the indicators present",
                    num(n1, sizeof n1, cfg->dat_thresh));
            if (cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " or");
            if (cfg->screen == SCREEN_BYZEROS || cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " less than %s of the present values non-zero",
                    num(n2, sizeof n2, cfg->nonzero_thresh));
            if (cfg->force_include && cfg->force_include[0])
                cat(st, sizeof st, ", always keeping %s", cfg->force_include);
            if (cfg->force_exclude && cfg->force_exclude[0])
                cat(st, sizeof st, ", always dropping %s", cfg->force_exclude);
        } else if (s == PREP_IMPUTE && cfg->impute != IMPUTE_NONE) {
            static const char *const im[] = {
                [IMPUTE_MEAN] = "the mean", [IMPUTE_MEDIAN] = "the median",
                [IMPUTE_GROUP_MEAN] = "the group mean",
                [IMPUTE_GROUP_MEDIAN] = "the group median",
                [IMPUTE_LATEST] = "the latest earlier value",
                [IMPUTE_CONSTANT] = "a constant",
                [IMPUTE_LINEAR] = "linear interpolation",
            };
            const char *t = (size_t)cfg->impute < sizeof im / sizeof im[0] && im[cfg->impute]
                                ? im[cfg->impute] : impute_method_name(cfg->impute);
            snprintf(st, sizeof st, "missing values imputed by %s", t);
            if ((cfg->impute == IMPUTE_GROUP_MEAN || cfg->impute == IMPUTE_GROUP_MEDIAN) &&
                cfg->group && cfg->group[0])
                cat(st, sizeof st, " of %s", cfg->group);
        } else if (s == PREP_TREAT && cfg->treat != TREAT_NONE) {
            if (cfg->treat == TREAT_WINSORISE)
                snprintf(st, sizeof st, "outliers winsorised (up to %d points, else a "
                         "log transform)", cfg->winmax);
            else if (cfg->treat == TREAT_BOXCOX)
                snprintf(st, sizeof st, "skewed indicators Box-Cox transformed "
                         "(lambda %s)", num(n1, sizeof n1, cfg->boxcox_lambda));
            else
                snprintf(st, sizeof st, "skewed indicators transformed (%s)",
                         treat_method_name(cfg->treat));
        }
        if (st[0]) {
            cat(b, sizeof b, "%s%s", nstage ? "; " : "", st);
            nstage++;
        }
    }
    if (nstage == 0)
        rpdf_bullet(dc, "Data preparation: none (no denominators, screening, imputation "
                   "or outlier treatment).");
    else {
        char t[1400];
        snprintf(t, sizeof t, "Data preparation%s: %s.", nstage > 1 ? ", in this order" : "", b);
        rpdf_bullet(dc, t);
    }
}

/* Settings: the normalisation of the indicators. */
static void settings_normalise(struct doc *dc)
{
    const struct config *cfg = dc->c->in->cfg;
    char b[1200], n1[32], n2[32];
    const struct method *m = config_method(cfg, 1);
    switch (m->normalise) {
    case NORM_NONE: snprintf(b, sizeof b, "none"); break;
    case NORM_MINMAX:
        snprintf(b, sizeof b, "min-max to [%s, %s]", num(n1, sizeof n1, m->norm_low),
                 num(n2, sizeof n2, m->norm_high));
        break;
    case NORM_ZSCORE:
        snprintf(b, sizeof b, "z-scores with mean %s and standard deviation %s",
                 num(n1, sizeof n1, m->z_mean), num(n2, sizeof n2, m->z_sd));
        break;
    case NORM_GOALPOSTS:
        snprintf(b, sizeof b, "goalposts, scale %s", num(n1, sizeof n1, m->gp_scale));
        break;
    case NORM_DIST2TARGET:
        snprintf(b, sizeof b, "distance to target%s", m->dist2target_cap ? ", capped at 1" : "");
        break;
    case NORM_SCALED:
        snprintf(b, sizeof b, "scaled between the framework's lower and upper "
                 "bounds, else [%s, %s]", num(n1, sizeof n1, m->norm_low),
                 num(n2, sizeof n2, m->norm_high));
        break;
    case NORM_DIST2REF:
        snprintf(b, sizeof b, "distance to the reference unit %s",
                 cfg->ref_unit ? cfg->ref_unit : "");
        break;
    default: snprintf(b, sizeof b, "%s", norm_method_name(m->normalise)); break;
    }
    {
        char t[1400];
        snprintf(t, sizeof t, "Normalisation of the indicators: %s, %s.", b,
                 m->scope == SCOPE_POOLED ? "pooled over the years" : "year by year");
        rpdf_bullet(dc, t);
    }
}

/* Settings: the aggregation, one line when every level is the same, else
 * one a level; the weights' set. */
static void settings_aggregate(struct doc *dc)
{
    const struct config *cfg = dc->c->in->cfg;
    const struct framework *fw = dc->c->in->fw;
    char b[1200], w[400];
    int same = 1;
    char first[600];
    agg_text(config_method(cfg, 2), first, sizeof first);
    for (int lv = 3; lv <= fw->nlevel && lv <= CONFIG_MAX_LEVELS; lv++) {
        agg_text(config_method(cfg, lv), b, sizeof b);
        same &= strcmp(b, first) == 0;
    }
    if (same) {
        char t[1400];
        snprintf(t, sizeof t, "Aggregation at every level: %s.", first);
        rpdf_bullet(dc, t);
    } else {
        for (int lv = 2; lv <= fw->nlevel && lv <= CONFIG_MAX_LEVELS; lv++) {
            char t[1400];
            agg_text(config_method(cfg, lv), b, sizeof b);
            snprintf(t, sizeof t, "Aggregation to the %s level: %s.",
                     chart_level_word(dc->c->in, lv, 1), b);
            rpdf_bullet(dc, t);
        }
    }
    if (cfg->weights) {
        int nw = 0;
        for (int i = 0; i < cfg->nweight; i++)
            nw += cfg->weight[i].set && strcmp(cfg->weight[i].set, cfg->weights) == 0;
        snprintf(w, sizeof w, "Weights: the set '%s' of the batch file (%d node%s "
                 "reweighted).", cfg->weights, nw, nw == 1 ? "" : "s");
        rpdf_bullet(dc, w);
    }
}

/* The settings that shape the results, in words, with the numbers as the
 * batch file writes them; only the keys that apply to this run (the levels
 * of the framework, the parameters of the methods chosen). */
static void settings(struct doc *dc)
{
    const struct config *cfg = dc->c->in->cfg;
    char b[1200];
    rpdf_need(dc, 60);
    rpdf_para(dc, "Settings (from the batch file)", 11, 1, 0x111111, 4);

    snprintf(b, sizeof b, "Year evaluated: %d", cfg->year);
    if (dc->changes)
        cat(b, sizeof b, "; changes measured from the base year %d", cfg->base_year);
    if (dc->trends)
        cat(b, sizeof b, "; progress judged towards %d", cfg->target_year);
    cat(b, sizeof b, ".");
    rpdf_bullet(dc, b);
    settings_prepare(dc);
    settings_normalise(dc);
    settings_aggregate(dc);
}

void rpdf_methods(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    const struct report_input *in = c->in;
    const struct results *r = in->res;
    int ci_arrays = dc->ci_arrays;
    rpdf_heading(dc, "Methods and data quality", 1);
    if (in->cfg && (in->cfg->source || in->cfg->licence)) {
        char b[1600];
        snprintf(b, sizeof b, "Data: %s%s%s%s. The charts in this report leave out their "
                 "footer, which gives this source and the run: %s, lcme %s, %s.",
                 in->cfg->source ? in->cfg->source : "", in->cfg->licence ? " (licence " : "",
                 in->cfg->licence ? in->cfg->licence : "", in->cfg->licence ? ")" : "",
                 in->run->id, in->run->version ? in->run->version : LCME_VERSION,
                 in->run->created ? in->run->created : "");
        rpdf_para(dc, b, 9.5, 0, INK_TEXT, 5);
    }
    if (in->cfg)
        settings(dc);
    dc->y += 4;
    if (c->has_ci)
        rpdf_paraf(dc, "Intervals: %d%% Monte Carlo intervals over sampling error, "
              "%ld replications, seed %lu.", (int)lround((in->cfg ? in->cfg->ci_level : 0.95) * 100),
              in->run->replications, in->run->seed);
    else if (ci_arrays)
        rpdf_paraf(dc, "Intervals: none. No observation carries a sampling error, so "
              "every score is exact and no interval is printed.");
    else
        rpdf_paraf(dc, "Intervals were not computed for this run.");
    if (c->tr && !dc->trends)
        rpdf_few_years(dc, 9.5);
    size_t imputed = 0, treated = 0, flagged = 0, cells = 0;
    if (r->flag) {
        cells = (size_t)in->fw->nind * r->nyear * r->nunit;
        for (size_t i = 0; i < cells; i++) {
            imputed += (r->flag[i] & CUBE_IMPUTED) != 0;
            treated += (r->flag[i] & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) != 0;
            flagged += (r->flag[i] & CUBE_FLAGGED) != 0;
        }
    }
    rpdf_paraf(dc, "Coverage: %zu observations in %zu units, %zu year%s and %d "
          "indicators; %zu carry a sampling error; %zu were revised by this batch; "
          "%zu store rows of indicators outside the framework were skipped.",
          in->obs_total, in->cube->nunit, in->cube->nyear, in->cube->nyear == 1 ? "" : "s",
          in->fw->nind, in->obs_with_error, in->obs_revised, in->obs_skipped);
    rpdf_paraf(dc, "Data preparation: %zu values imputed, %zu treated for "
          "outliers, %zu flagged in the data files; %zu constant indicators "
          "normalised to the midpoint.", imputed, treated, flagged,
          r->constant_indicators);
    rpdf_need(dc, 50);
    rpdf_para(dc, "Notes and fallbacks", 11, 1, 0x111111, 4);
    if (r->notes.n == 0)
        rpdf_para(dc, "None.", 9, 0, 0x333333, 4);
    for (size_t i = 0; i < r->notes.n; i++)
        rpdf_bullet(dc, r->notes.line[i]);
}

