/* sensitivity.c: the checks of [sensitivity] against the framework, the
 * Notes sentences of an analysis, and freeing it; the contract is in
 * sensitivity.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensitivity_int.h"

void sensitivity_free(struct sensitivity *s)
{
    if (!s)
        return;
    free(s->run);
    free(s->rank);
    free(s->first_failure);
    free(s->nominal_rank);
    free(s->mean_rank);
    free(s->median_rank);
    free(s->rank_q05);
    free(s->rank_q95);
    free(s->unit_si);
    free(s->unit_sti);
    free(s->excl_node);
    free(s);
}

int sensitivity_check(const struct config *cfg, const struct framework *fw, struct diag *d)
{
    const struct config_sensitivity *cs = cfg->sens;
    if (!cs)
        return 0;
    size_t before = diag_count(d);
    int target = fw->root;
    if (cs->target && (target = framework_find(fw, cs->target)) < 0)
        diag_input(d, cfg->path, cs->line[SENS_KEY_TARGET], cs->col[SENS_KEY_TARGET],
                   "[sensitivity] target: '%s' is not a node of the framework", cs->target);
    if (target >= 0 && cs->exclude_each && fw->node[target].nchild == 0)
        diag_input(d, cfg->path, cs->line[SENS_KEY_EXCLUDE], cs->col[SENS_KEY_EXCLUDE],
                   "[sensitivity] exclude: the target '%s' is an indicator: nothing is "
                   "under it to leave out", fw->node[target].code);
    for (int i = 0; i < cs->nexclude && target >= 0; i++) {
        int k = framework_find(fw, cs->exclude[i].code);
        if (k < 0 || !sens_under(fw, k, target))
            diag_input(d, cfg->path, cs->line[SENS_KEY_EXCLUDE], cs->exclude[i].col,
                       "[sensitivity] exclude: '%s' is %s", cs->exclude[i].code,
                       k < 0 ? "not a node of the framework" : "not under the target");
    }
    for (int i = 0; i < cs->nweights_levels; i++)
        if (cs->weights_level[i] >= fw->nlevel)
            diag_input(d, cfg->path, cs->line[SENS_KEY_WEIGHTS_LEVELS],
                       cs->col[SENS_KEY_WEIGHTS_LEVELS],
                       "[sensitivity] weights_levels: level %d has no weight that enters an "
                       "aggregation (the framework's levels are 1 to %d, %d the index)",
                       cs->weights_level[i], fw->nlevel, fw->nlevel);
    return diag_count(d) > before ? -1 : 0;
}

/* "winmax (5 alternatives), normalise (2), ..." into b. */
static void varied_list(const struct sensitivity *s, const struct config *cfg, char *b,
                        size_t len)
{
    size_t k = 0;
    b[0] = '\0';
    for (int a = 0; a < s->d && k < len; a++) {
        const char *key = sens_key_name((enum sens_key)s->key[a]);
        const char *sep = a == 0 ? "" : a == s->d - 1 ? " and " : ", ";
        if (s->key[a] == SENS_KEY_WEIGHTS_NOISE)
            k += (size_t)snprintf(b + k, len - k, "%s%s (each weight times U(%g, %g))", sep, key,
                                  1 - cfg->sens->weights_noise, 1 + cfg->sens->weights_noise);
        else if (s->key[a] == SENS_KEY_SAMPLING_ERROR)
            k += (size_t)snprintf(b + k, len - k, "%s%s (the observations drawn from their "
                                  "errors)", sep, key);
        else if (s->key[a] == SENS_KEY_EXCLUDE)
            k += (size_t)snprintf(b + k, len - k, "%s%s (none or one of %zu components left "
                                  "out)", sep, key, s->nexcl);
        else
            k += (size_t)snprintf(b + k, len - k, "%s%s (%d alternatives)", sep, key, s->nalt[a]);
    }
}

void sensitivity_notes_add(const struct sensitivity *s, const struct config *cfg,
                           const struct framework *fw, struct notes *nt)
{
    char list[1024];
    varied_list(s, cfg, list, sizeof list);
    notes_add(nt, "Sensitivity analysis: %zu runs of the whole pipeline (%s, N = %zu%s) varied "
              "%s; the ranks studied are those of %s's scores in %d; every other setting "
              "is the batch's own.", s->nrun,
              s->mode == SENS_SA ? "sa: N (d + 2) on Saltelli's design" : "ua: N",
              s->n, s->mode == SENS_SA ? "" : " points", list, fw->node[s->target].code, s->year);
    notes_add(nt, "Sensitivity design: assumptions take their alternatives from the points of "
              "a quasi-random Sobol sequence (the first N of %s); weights and sampling error "
              "are drawn for run r from (seed %lu, r), so the runs are reproducible and do not "
              "depend on the threads.", s->mode == SENS_SA ? "2d dimensions, split into A and B"
                                                        : "d dimensions", s->seed);
    if (s->years_held == 1)
        notes_add(nt, "Each sensitivity run evaluated the one year of data the batch holds.");
    else if (s->years_evaluated == 1)
        notes_add(nt, "Each sensitivity run evaluated the evaluation year alone: with scope = "
                  "per-year and no imputation over time, its scores depend on that year's data "
                  "only, as in the batch's run.");
    else
        notes_add(nt, "Each sensitivity run evaluated all %zu years: pooled normalisation, "
                  "treatment or imputation over time make the evaluation year's scores depend "
                  "on the other years.", s->years_evaluated);
    if (s->mode == SENS_SA)
        notes_add(nt, "Sobol indices: first order (Saltelli et al. 2010) and total (Jansen "
                  "1999) of the mean absolute rank shift from the nominal ranks, as COINr's "
                  "get_sensitivity computes them, and of each unit's rank; rank statistics "
                  "over the 2N runs of the A and B samples.");
    if (s->nexcl)
        notes_add(nt, "Exclusion: each of %zu components left out in turn with every other "
                  "setting nominal, by giving it weight 0 (as COINr's remove_elements): "
                  "screening, imputation and coverage still see its data.", s->nexcl);
    if (s->failed)
        notes_add(nt, "%zu sensitivity run%s failed and %s left out of the statistics; the "
                  "first: %s", s->failed, s->failed == 1 ? "" : "s",
                  s->failed == 1 ? "is" : "are", s->first_failure ? s->first_failure : "");
    if (s->unranked)
        notes_add(nt, "In %zu of the sensitivity runs' unit ranks a unit ranked nominally had "
                  "no score (screened out, or its children's weight below min_coverage under "
                  "the run's weights); it is left out of that run's ranks, which the others "
                  "then close up.", s->unranked);
    int with_error = sens_assumption(s, SENS_KEY_SAMPLING_ERROR) >= 0;
    notes_add(nt, "Which interval measures what: the score and rank intervals of Scores "
              "(ci_low, ci_high, rank_low, rank_high) measure sampling error only, with the "
              "batch's own methods. The rank ranges of the Sensitivity sheet (rank_q05 to "
              "rank_q95) measure method uncertainty%s. The intervals of the Sobol indices are "
              "%d%% bootstrap intervals (%ld resamples) of the estimates: their Monte Carlo "
              "error, not an uncertainty of the ranks.",
              with_error ? " and sampling error together (every run also draws the "
                           "observations from their errors)"
                         : " alone (every run uses the observed values)",
              (int)lround(s->level * 100), s->bootstrap);
}
