/* pipeline.h: the statistical stages from cube to scores, and the results
 * every report formats.
 *
 * pipeline_run is a pure function of (config, framework, cube): it copies the
 * cube, applies direction (and the data-preparation stages the config asks
 * for), normalises each indicator, aggregates up the tree in node order
 * (children before parents), and ranks every node within each year. Nothing is
 * printed; what a reader must know (constant indicators, missing nodes, every
 * fallback) goes into results->notes.
 */
#ifndef LCME_PIPELINE_H
#define LCME_PIPELINE_H

#include <stddef.h>

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"

struct prepare_report;
struct coherence;

struct notes {
    size_t n, alloc;
    char **line;         /* owned */
};
void notes_add(struct notes *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void notes_free(struct notes *nt);

/* Results use the cube's layout with framework nodes in place of indicators:
 * RES_AT(r, node, t, u). */
#define RES_AT(r, node, t, u) \
    (((size_t)(node) * (r)->nyear + (size_t)(t)) * (r)->nunit + (size_t)(u))

struct results {
    size_t nnode, nyear, nunit;
    double *score;       /* normalised value (indicators) or aggregate; NaN missing */
    double *rank;        /* 1 = best, ties share the minimum rank; NaN missing */
    double *ci_low, *ci_high;     /* NULL until uncertainty is computed */
    double *rank_low, *rank_high; /* NULL until uncertainty is computed */
    double *prepared;    /* the cube's values after direction and data
                            preparation, before normalisation [nind planes] */
    uint8_t *flag;       /* cube flags after preparation [nind planes] */
    double *eff_weight;  /* [nnode] effective weights (framework_effective_weights) */
    size_t constant_indicators;   /* normalised to the midpoint */
    struct notes notes;  /* methods and fallbacks, one sentence each */
    /* data preparation (prepare.h) and coherence (coherence.h); added
       fields, owned by the results */
    struct prepare_report *prep;  /* what denominate, screen, impute and
                                     treat did; never NULL after a run */
    size_t imputed;      /* cells imputed (flag CUBE_IMPUTED) */
    size_t treated;      /* cells winsorised (CUBE_TREATED_HIGH/LOW) */
    size_t treated_indicators; /* indicator-years winsorised or transformed */
    size_t screened;     /* unit-years screened out (CUBE_SCREENED) */
    struct coherence *coherence;  /* statistical coherence in the
                                     evaluation year; NULL if not computed */
    /* Target scores (added): [node * nyear + t], the score of a unit whose
     * every indicator with a target stood exactly at it in year t,
     * normalised with that year's parameters and aggregated with the same
     * weights and methods (indicators without a target count as missing,
     * under the usual coverage rule). NaN where it cannot be said exactly:
     * no target below the node, a denominated or log/Box-Cox-transformed
     * indicator, a constant slice, the rank-based normalisations (rank,
     * prank, borda) or Copeland aggregation. For indicators it is the
     * normalised target. */
    double *target_score;
    size_t target_indicators;     /* indicators with a target score */
};

/* Run the stages. Returns 0 and *out (free with results_free), or -1 with the
 * reason in d (e.g. geometric aggregation of a non-positive value). */
int pipeline_run(const struct config *cfg, const struct framework *fw,
                 const struct cube *c, struct results **out, struct diag *d);

void results_free(struct results *r);   /* NULL is harmless */

/* Facts about a run that every output carries. */
struct run_info {
    char id[17];         /* first 16 hex digits of the run digest */
    char digest[65];     /* SHA-256 of inputs, settings, seed and version */
    const char *version; /* LCME_VERSION */
    const char *created; /* ISO 8601, fixed from the batch (config->created) */
    unsigned long seed;
    long replications;
    int threads;
};

#endif
