/* pipeline_targets.c: target scores (results->target_score, pipeline.h):
 * the framework's targets as one more unit, normalised with the nominal
 * run's parameters and aggregated with its methods and weights.
 */
#include <math.h>
#include <stdlib.h>

#include "pipeline_int.h"

int pipeline_target_scores(const struct pipeline *p, struct results *r,
                           const struct normalise_params *np)
{
    const struct framework *fw = p->fw;
    const struct cube *c = p->c;
    const struct method *lm = p->lm;
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
        if (aggregate_tree(fw, lm, p->weight, x, 1, nyear, unit, c->year, aw, NULL, &quiet) != 0)
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

