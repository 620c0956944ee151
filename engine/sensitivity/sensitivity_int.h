/* sensitivity_int.h: what the files of the sensitivity module share, not
 * for other modules.
 *
 *   sobol.c        the design and the estimators (sobol.h)
 *   sens_plan.c    assumptions, components, the runs and their settings
 *   sens_run.c     the runs on threads, and sensitivity_run
 *   sens_stats.c   rank statistics, shifts and indices from the runs' ranks
 *   sensitivity.c  checks against the framework, notes, freeing
 */
#ifndef LCME_SENSITIVITY_INT_H
#define LCME_SENSITIVITY_INT_H

#include <gsl/gsl_rng.h>

#include "sensitivity.h"

/* Random streams of the module: stream s of index r is an mt19937 seeded
 * with sens_stream_seed(seed, s, r) (splitmix64 of seed, then of the
 * stream tag, then of r, folded to 32 bits), so a draw depends only on
 * (seed, s, r), never on the thread. */
enum sens_stream {
    SENS_STREAM_WEIGHTS = 0x5745,    /* the weights of draw r */
    SENS_STREAM_BOOTSTRAP = 0x424f,  /* bootstrap resample r */
};
unsigned long sens_stream_seed(unsigned long seed, enum sens_stream s, long r);

/* ---- sens_plan.c ----------------------------------------------------------- */

/* The assumptions of cfg->sens (s->d, s->key, s->nalt), the exclusion
 * components (s->excl_node, s->nexcl: each code of exclude, or every
 * indicator under s->target for exclude = each) and every run with its
 * parameters (s->run, s->nrun; design runs, then one exclusion run per
 * component). s->mode, s->n, s->target and s->seed must be set. Returns 0,
 * or -1 with the reason in d (too many runs, ENOMEM). */
int sens_plan(struct sensitivity *s, const struct config *cfg, const struct framework *fw,
              struct diag *d);

/* The settings of run r: a copy of cfg (sharing its strings) with the
 * run's alternatives in place of the [method] settings they vary. */
void sens_run_config(const struct sensitivity *s, const struct config *cfg, size_t r,
                     struct config *out);

/* The weights of run r into w (fw->nnode values): the framework's (with
 * the batch's weight set), perturbed by the run's weight draw and with its
 * excluded component at 0. rng is the caller's. Returns 1 when w holds
 * them, 0 when the run uses the framework's weights unchanged. */
int sens_run_weights(const struct sensitivity *s, const struct config *cfg,
                     const struct framework *fw, size_t r, gsl_rng *rng, double *w);

/* Is node n under node top (a descendant, not top itself)? */
int sens_under(const struct framework *fw, int n, int top);

/* The index of the assumption with key k, or -1 when it is not varied. */
int sens_assumption(const struct sensitivity *s, enum sens_key k);

/* ---- sens_stats.c ---------------------------------------------------------- */

/* From s->rank and res: the nominal ranks, each run's shift, the rank
 * statistics per unit, and (sa) the indices. Returns 0, or -1 on ENOMEM. */
int sens_summarise(struct sensitivity *s, const struct results *res, struct diag *d);

#endif
