/* trend_notes.c: the Notes sheet's sentences on trends, changes and
 * progress: what was computed on what, the class rules and thresholds,
 * which targets were used, and why rows were not assessed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "trend.h"

/* Counts over a run's trends, for the notes. */
struct trend_tally {
    size_t unavailable, fitted, weighted, moved_base, not_assessed;
    size_t ind_target, ind_bands, agg_target, agg_bands;
    const char *why[8];     /* the distinct reasons for 'not assessed' */
    size_t nwhy[8], kinds, other;
};

static void tally_reason(struct trend_tally *a, const char *r)
{
    size_t j = 0;
    while (j < a->kinds && strcmp(a->why[j], r) != 0) j++;
    if (j == a->kinds && a->kinds < 8) {
        a->why[a->kinds] = r;
        a->nwhy[a->kinds++] = 0;
    }
    if (j < a->kinds) a->nwhy[j]++;
    else a->other++;
}

static void tally(const struct config *cfg, size_t nind, const struct trends *tr,
                  struct trend_tally *a)
{
    memset(a, 0, sizeof *a);
    for (size_t node = 0; node < tr->nnode; node++)
        for (size_t u = 0; u < tr->nunit; u++) {
            size_t cell = TREND_AT(tr, node, u);
            enum trend_class k = tr->progress[cell];
            if (!isnan(tr->slope[cell])) {
                a->fitted++;
                a->weighted += tr->weighted[cell];
            }
            if (k == TREND_UNAVAILABLE) {
                a->unavailable++;
                continue;
            }
            if (tr->base_year[cell] && tr->base_year[cell] != cfg->base_year)
                a->moved_base++;
            if (k == TREND_NOT_ASSESSED) {
                a->not_assessed++;
                tally_reason(a, tr->reason[cell] ? tr->reason[cell] : "");
                continue;
            }
            int targeted = !isnan(tr->target[cell]);
            if (node < nind) {
                a->ind_target += (size_t)targeted;
                a->ind_bands += (size_t)!targeted;
            } else if (targeted) {
                a->agg_target++;
            } else {
                a->agg_bands++;
            }
        }
}

static void note_not_assessed(const struct trend_tally *a, struct notes *nt)
{
    if (a->not_assessed == 0) return;
    char buf[1024];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < a->kinds && len < sizeof buf; j++) {
        int w = snprintf(buf + len, sizeof buf - len, "%s%s (%zu)", j ? "; " : "",
                         a->why[j], a->nwhy[j]);
        if (w < 0) break;
        len += (size_t)w;
    }
    if (a->other > 0 && len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, "; other reasons (%zu)", a->other);
    notes_add(nt, "Not assessed: %zu row%s whose progress cannot be classed: %s.",
              a->not_assessed, a->not_assessed == 1 ? "" : "s", buf);
}

void trend_notes_add(const struct config *cfg, const struct framework *fw,
                     const struct trends *tr, struct notes *nt)
{
    if (!cfg || !fw || !tr || !nt || fw->nind < 0)
        return;
    struct trend_tally a;
    tally(cfg, (size_t)fw->nind, tr, &a);
    if (tr->comparable)
        notes_add(nt, "Trends (Trends sheet, trends.csv): for each node and unit over the "
                  "years with a score. OLS slope of the score on the year with its %g %% t "
                  "interval (slope +/- t(1 - a/2, n - 2) se), weighted by 1/se^2 when every "
                  "year has an interval (se = interval width / 2z; %zu of %zu fits "
                  "weighted); Sen's slope (median of the pairwise slopes); Mann-Kendall S, "
                  "Z and the two-sided p (exact for up to %d years without ties, else the "
                  "normal approximation with the tie and continuity corrections). These "
                  "need 3 years with a score; a change and a progress class need 2.",
                  100.0 * cfg->ci_level, a.weighted, a.fitted, TREND_MK_EXACT_MAX);
    else
        notes_add(nt, "Trends: the scores are normalised within each year (scope = "
                  "per-year), so a score says where a unit stands among the units of its "
                  "year and is not comparable from one year to the next. No slope, change "
                  "of score or score-based progress class is computed; indicators' progress "
                  "is judged on their raw values, which are comparable. Use scope = pooled "
                  "to follow scores over time.");
    notes_add(nt, "Progress of indicators runs from the base year %d (the first year with "
              "a value where %d has none: %zu rows) to the last year, on the raw values "
              "(for a denominated indicator its rate, the value divided by its "
              "denominator, which is what its target is set in), following the Open SDG "
              "method: against a target, the ratio of the observed CAGR to the CAGR needed "
              "to reach the target in %d: >= 0.95 on track, 0.60-0.95 progress, "
              "acceleration needed, 0-0.60 limited progress, < 0 deterioration; a target "
              "already met counts as met, one met in the base year but missed now as "
              "deterioration (%zu rows). Without a target, the CAGR: >= 1.5 %% "
              "substantial, 0.5-1.5 %% moderate, 0-0.5 %% limited progress, < 0 "
              "deterioration, signs flipped where lower is better (%zu rows).",
              cfg->base_year, cfg->base_year, a.moved_base, cfg->target_year,
              a.ind_target, a.ind_bands);
    if (tr->comparable)
        notes_add(nt, "Progress of aggregates: a score is on an interval scale whose origin "
                  "and unit the normalisation's range fixes, so growth rates of scores mean "
                  "nothing; the classes use rules that do not change when the scores are "
                  "rescaled. Against the target score in the last year (the score of a "
                  "unit with every indicator that has a target exactly at it; only where it "
                  "lies on the score scale): the share of the distance to it closed since "
                  "the base year against the share of the time to %d elapsed, with the "
                  "thresholds above (%zu rows). Without one, the change per year as a share "
                  "of the node's score range across units and years: >= 1.5 %% "
                  "substantial, 0.5-1.5 %% moderate, 0-0.5 %% limited, < 0 deterioration "
                  "(%zu rows). CAGR is given for indicators only.",
                  cfg->target_year, a.agg_target, a.agg_bands);
    note_not_assessed(&a, nt);
}
