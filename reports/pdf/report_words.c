/* report_words.c: the numbers of a run as the report writes them (scores
 * with intervals, ranks with rank intervals, changes with their intervals
 * and significance, classes, unit attributes) and the caveats that apply to
 * a run. Words only: every number comes from struct results and struct
 * trends; significance is the engine's Benjamini-Hochberg flag, and a
 * change no measured error enters is "not assessed", never significant.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report_pdf_int.h"
#include "sensitivity.h"
#include "report_util.h"

#define DASH "\xE2\x80\x93"

static int fin(double x) { return isfinite(x) != 0; }

const char *rpdf_cap(const char *w, char *b, size_t len)
{
    snprintf(b, len, "%s", w);
    if (b[0])
        b[0] = (char)toupper((unsigned char)b[0]);
    return b;
}

const char *rpdf_words(const char *name, char *b, size_t len)
{
    snprintf(b, len, "%s", name ? name : "");
    for (char *q = b; *q; q++)
        if (*q == '_')
            *q = ' ';
    return b;
}

const char *rpdf_score(const struct doc *dc, int node, size_t u, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    size_t at = RES_AT(r, node, c->t, u);
    double v = r->score[at];
    if (!fin(v))
        snprintf(b, len, DASH);
    else if (c->has_ci && fin(r->ci_low[at]) && fin(r->ci_high[at]))
        snprintf(b, len, "%.1f [%.1f" DASH "%.1f]", v, r->ci_low[at], r->ci_high[at]);
    else
        snprintf(b, len, "%.1f", v);
    return b;
}

int rpdf_ranked(const struct doc *dc, int node, int t, size_t u)
{
    const struct results *r = dc->c->in->res;
    if (t < 0 || !r->coverage || !r->rank_threshold)
        return 1;
    return r->coverage[RES_AT(r, node, (size_t)t, u)] >=
           r->rank_threshold[node] * (1 - 1e-12);
}

const char *rpdf_rank(const struct doc *dc, int node, int t, size_t u, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    if (t < 0) {
        snprintf(b, len, DASH);
        return b;
    }
    size_t at = RES_AT(r, node, (size_t)t, u);
    double k = r->rank[at];
    if (!fin(k) && fin(r->score[at]) && !rpdf_ranked(dc, node, t, u))
        snprintf(b, len, "not ranked");
    else if (!fin(k))
        snprintf(b, len, DASH);
    else if (c->has_ci && r->rank_low && fin(r->rank_low[at]) && fin(r->rank_high[at]) &&
             (lround(r->rank_low[at]) != lround(k) || lround(r->rank_high[at]) != lround(k)))
        snprintf(b, len, "%.0f [%ld" DASH "%ld]", k, lround(r->rank_low[at]),
                 lround(r->rank_high[at]));
    else
        snprintf(b, len, "%.0f", k);
    return b;
}

const char *rpdf_change(const struct doc *dc, int node, size_t u, int prev, int with_iv,
                        char *b, size_t len)
{
    const struct trends *tr = dc->c->tr;
    if (!tr || !dc->changes) {
        snprintf(b, len, DASH);
        return b;
    }
    size_t at = TREND_AT(tr, node, u);
    double v = prev ? tr->change_prev[at] : tr->change_since_base[at];
    double l = prev ? tr->change_prev_low[at] : tr->change_low[at];
    double h = prev ? tr->change_prev_high[at] : tr->change_high[at];
    if (!fin(v))
        snprintf(b, len, DASH);
    else if (with_iv && dc->c->has_ci && fin(l) && fin(h))
        snprintf(b, len, "%+.1f [%+.1f, %+.1f]", report_plain_zero(v, 1),
                 report_plain_zero(l, 1), report_plain_zero(h, 1));
    else
        snprintf(b, len, "%+.1f", report_plain_zero(v, 1));
    return b;
}

const char *rpdf_change_cell(const struct doc *dc, int node, size_t u, int prev,
                             int with_iv, char *b, size_t len)
{
    char v[96];
    int s = rpdf_change_sign(dc, node, u, prev);
    rpdf_change(dc, node, u, prev, with_iv, v, sizeof v);
    snprintf(b, len, "%s%s", s == 1 ? RPDF_UP " " : s == -1 ? RPDF_DOWN " " : "", v);
    return b;
}

int rpdf_change_sign(const struct doc *dc, int node, size_t u, int prev)
{
    const struct trends *tr = dc->c->tr;
    if (!tr || !dc->changes)
        return 3;
    size_t at = TREND_AT(tr, node, u);
    double v = prev ? tr->change_prev[at] : tr->change_since_base[at];
    if (!fin(v))
        return 3;
    const unsigned char *as = prev ? tr->change_prev_assessed : tr->change_assessed;
    const unsigned char *sg = prev ? tr->change_prev_significant : tr->change_significant;
    if (!as || !as[at] || !dc->c->has_ci)
        return 2;
    if (sg && sg[at])
        return v > 0 ? 1 : -1;
    return 0;
}

const char *rpdf_change_word(int sign)
{
    switch (sign) {
    case 1: return "a significant rise";
    case -1: return "a significant fall";
    case 0: return "no significant change";
    case 2: return "not assessed (exact data)";
    default: return "";
    }
}

int rpdf_base_year(const struct doc *dc, int node, size_t u)
{
    const struct trends *tr = dc->c->tr;
    return tr && tr->base_year ? tr->base_year[TREND_AT(tr, node, u)] : 0;
}

const char *rpdf_progress(const struct doc *dc, int node, size_t u)
{
    const struct trends *tr = dc->c->tr;
    if (!tr || !dc->trends)
        return "";
    enum trend_class k = tr->progress[TREND_AT(tr, node, u)];
    return k == TREND_ACCELERATION_NEEDED ? "acceleration needed" : trend_class_name(k);
}

const char *rpdf_unit_attrs(const struct doc *dc, size_t u, char *b, size_t len)
{
    const struct cube *cb = dc->c->in->cube;
    b[0] = '\0';
    for (size_t a = 0; a < cb->nattr; a++) {
        const char *v = cb->attr[u * cb->nattr + a];
        if (!v || !v[0] || strcmp(cb->attr_name[a], "name_zh") == 0)
            continue;
        size_t l = strlen(b);
        char an[128];
        snprintf(b + l, len - l, "%s%s: %s", l ? "; " : "",
                 rpdf_words(cb->attr_name[a], an, sizeof an), v);
    }
    return b;
}

void rpdf_few_years(struct doc *dc, double size)
{
    const struct cube *cb = dc->c->in->cube;
    char yrs[40], b[600];
    if (dc->c->tr && !dc->c->tr->comparable) {
        snprintf(b, sizeof b, "Scores are normalised year by year (scope = per-year): they "
                 "compare units within a year, not over time, so no change, trend or "
                 "progress class of a score is reported; indicators' progress is judged on "
                 "their raw values (trends.csv).");
        rpdf_para(dc, b, size, 0, INK_TEXT, 5);
        return;
    }
    if (cb->nyear == 1)
        snprintf(yrs, sizeof yrs, "1 year (%d)", cb->year[0]);
    else
        snprintf(yrs, sizeof yrs, "%zu years (%d" DASH "%d)", cb->nyear, cb->year[0],
                 cb->year[cb->nyear - 1]);
    snprintf(b, sizeof b, "Trends and progress classes need at least 3 years of scores, "
             "and changes at least 2; this batch has %s, so %s.", yrs,
             dc->changes ? "changes are reported but no trends or progress classes"
                         : "no trend, change or progress class is reported");
    rpdf_para(dc, b, size, 0, INK_TEXT, 5);
}

/* ---- caveats --------------------------------------------------------------- */

/* A caveat: a sentence into b when it applies (return 1), else 0. */
typedef int (*caveat_fn)(const struct doc *dc, char *b, size_t len);

static int cav_synthetic(const struct doc *dc, char *b, size_t len)
{
    const struct config *cfg = dc->c->in->cfg;
    if (!cfg || !cfg->synthetic)
        return 0;
    snprintf(b, len, "The data are synthetic: the values are made up and describe no real "
             "unit. Read this report for how lcme reports, not for what it says about the "
             "units named.");
    return 1;
}

static int cav_intervals(const struct doc *dc, char *b, size_t len)
{
    const struct report_input *in = dc->c->in;
    if (dc->c->has_ci)
        return 0;
    if (in->obs_with_error == 0)
        snprintf(b, len, "No observation carries a sampling error (a standard error, "
                 "sample size or interval), so every score is exact: no interval is "
                 "printed and no change is called significant, however large; a small "
                 "difference between two units may still be noise in the data.");
    else
        snprintf(b, len, "Intervals were not computed for this run (replications = %ld), "
                 "although %zu observations carry a sampling error: no difference or change "
                 "is called significant.", in->run->replications, in->obs_with_error);
    return 1;
}

static int cav_no_trends(const struct doc *dc, char *b, size_t len)
{
    if (dc->c->tr)
        return 0;
    snprintf(b, len, "Trends were not computed for this run: no change, trend or progress "
             "class is reported.");
    return 1;
}

static int cav_scope(const struct doc *dc, char *b, size_t len)
{
    if (!dc->c->tr || dc->c->tr->comparable)
        return 0;
    snprintf(b, len, "Scores are normalised year by year (scope = per-year): they rank "
             "units within %d and say nothing about change over time, so no change, trend "
             "or progress class of a score is reported.", dc->c->year);
    return 1;
}

static int cav_imputed(const struct doc *dc, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    if (!r->flag)
        return 0;
    size_t imp = 0, present = r->present ? r->present[c->t] : 0;
    size_t ni = (size_t)c->in->fw->nind;
    for (size_t i = 0; i < ni; i++)
        for (size_t u = 0; u < r->nunit; u++)
            imp += (r->flag[RES_AT(r, i, c->t, u)] & CUBE_IMPUTED) != 0;
    if (imp == 0 || present == 0)
        return 0;
    snprintf(b, len, "%zu of the %zu indicator values behind the scores of %d (%.0f%%) were "
             "imputed, not observed; the Data sheet marks them.", imp, present, c->year,
             100.0 * (double)imp / (double)present);
    return 1;
}

static int cav_unscored(const struct doc *dc, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    if (c->nscored == nu)
        return 0;
    snprintf(b, len, "%zu of the %zu units have no index score in %d: too little data "
             "(screened out, or their indicators cover less of the framework than the "
             "aggregation needs). They are listed, not ranked.", nu - c->nscored, nu,
             c->year);
    return 1;
}

static int cav_unranked(const struct doc *dc, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    int root = c->in->fw->root;
    size_t n = 0;
    for (size_t u = 0; u < c->in->cube->nunit; u++)
        n += fin(r->score[RES_AT(r, root, c->t, u)]) && !rpdf_ranked(dc, root, c->t, u);
    if (n == 0)
        return 0;
    snprintf(b, len, "%zu unit%s an index score but too little data to be ranked in %d "
             "(\u201cnot ranked\u201d: the indicators present cover less of the framework's "
             "weight than the threshold in Methods); their scores are shown, after the "
             "ranked units.", n, n == 1 ? " has" : "s have", c->year);
    return 1;
}

/* Changes compared like with like: when an indicator entered or left a
 * unit's aggregate between two scored years, the change is recomputed over
 * the indicators both years have (compare.h). */
static int cav_composition(const struct doc *dc, char *b, size_t len)
{
    const struct compare *cm = dc->c->in->res->compare;
    if (!dc->changes || !cm || cm->nevent == 0)
        return 0;
    char n[32];
    if (cm->nevent >= 1000)
        snprintf(n, sizeof n, "%zu,%03zu", cm->nevent / 1000, cm->nevent % 1000);
    else
        snprintf(n, sizeof n, "%zu", cm->nevent);
    snprintf(b, len, "The indicators behind some aggregate scores changed over the years "
             "(%s entries and exits, the workbook's Composition sheet): each change is "
             "computed over the indicators both of its years have, and a change whose years "
             "are not the base year and %d gives its years.", n, dc->c->year);
    return 1;
}

static int cav_unknown_units(const struct doc *dc, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    if (!c->nunknown)
        return 0;
    snprintf(b, len, "%zu of the codes in the batch's [report] units are not units of this "
             "batch and were left out.", c->nunknown);
    return 1;
}

/* The robustness of the ranks to the method's choices, when a
 * [sensitivity] analysis ran: how many units keep their rank within 2
 * places over the runs (5th to 95th percentile, as report_sens.c's
 * "holds"), and with mode = sa the choice with the largest total index. */
static int cav_robustness(const struct doc *dc, char *b, size_t len)
{
    const struct sensitivity *s = dc->c->in->sens;
    if (!s)
        return 0;
    size_t ranked = 0, hold = 0;
    for (size_t u = 0; u < s->nunit; u++) {
        if (!fin(s->nominal_rank[u]) || !fin(s->rank_q05[u]) || !fin(s->rank_q95[u]))
            continue;
        ranked++;
        hold += s->rank_q95[u] - s->rank_q05[u] <= 2;
    }
    size_t l = (size_t)snprintf(b, len, "The ranks were recomputed in %zu runs under other "
                                "method choices (section \u201cHow robust are the ranks?\u201d): "
                                "%zu of %zu ranked units stay within 2 places (5th to 95th "
                                "percentile of their rank)", s->nrun + s->nexcl, hold, ranked);
    int top = -1;
    for (int a = 0; s->mode == SENS_SA && a < s->d; a++)
        if (fin(s->index[a].sti) && (top < 0 || s->index[a].sti > s->index[top].sti))
            top = a;
    if (top >= 0 && l < len)
        l += (size_t)snprintf(b + l, len - l, "; the choice that moves them most is %s "
                              "(total index %.2f)", sens_key_name((enum sens_key)s->key[top]),
                              s->index[top].sti);
    if (l < len)
        snprintf(b + l, len - l, ".");
    return 1;
}

static const caveat_fn CAVEATS[] = {
    cav_synthetic, cav_intervals, cav_no_trends, cav_scope, cav_imputed,
    cav_unscored, cav_unranked, cav_composition, cav_unknown_units, cav_robustness,
};

size_t rpdf_caveats(const struct doc *dc, char **out)
{
    size_t n = 0;
    char b[1200];
    for (size_t i = 0; i < sizeof CAVEATS / sizeof CAVEATS[0] && n < RPDF_MAX_CAVEATS; i++)
        if (CAVEATS[i](dc, b, sizeof b)) {
            size_t l = strlen(b) + 1;
            if (!(out[n] = malloc(l)))
                break;
            memcpy(out[n++], b, l);
        }
    return n;
}
