/* pipeline_cover.c: the coverage of every score (the share of its framework
 * weight present) and the rule that ranks a score only when its coverage
 * reaches its level's rank_min_coverage (METHODS.md section 11 "Coverage and
 * ranks"), for the nominal run and, held, every replication.
 *
 * coverage(indicator) = 1 where it has a value;
 * coverage(aggregate) = sum_c w_c [c scored] coverage(c) / sum_c w_c
 * over all its children c (weights as the aggregation uses them), so an
 * index made of two of three equal areas, each with all of its indicators,
 * covers 2/3; with each of those areas at 3/4, 1/2.
 *
 * The plane can be dropped and computed again (results_coverage_drop,
 * results_coverage_restore) by a run short of memory.
 *
 * Invariants: the coverage depends only on which cells have a value. A
 * replication changes that in one case only: a log-treated indicator (the
 * decision held) whose draw is <= 0 loses that value there (METHODS.md,
 * counted in the Notes); screening is held and imputation fills the same
 * cells. The nominal rule applies to every replication unchanged, that
 * case included: which scores are ranked is held like screening.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline_int.h"

#define COVER_EPS 1e-12   /* as the aggregation's coverage test */

static double child_weight(const struct pipeline *p, int c)
{
    return p->weight ? p->weight[c] : p->fw->node[c].weight;
}

/* coverage planes, children before parents */
static void coverage_planes(const struct pipeline *p, const double *score, double *cov,
                            size_t plane)
{
    const struct framework *fw = p->fw;
    for (int n = 0; n < fw->nnode; n++) {
        const struct fw_node *nd = &fw->node[n];
        const double *sn = score + (size_t)n * plane;
        double *cn = cov + (size_t)n * plane;
        if (n < fw->nind) {
            for (size_t k = 0; k < plane; k++) cn[k] = isnan(sn[k]) ? NAN : 1.0;
            continue;
        }
        double wtot = 0.0;
        for (size_t k = 0; k < plane; k++) cn[k] = 0.0;
        for (int j = 0; j < nd->nchild; j++) {
            int c = nd->child[j];
            double wc = child_weight(p, c);
            const double *cc = cov + (size_t)c * plane;
            wtot += wc;
            for (size_t k = 0; k < plane; k++)
                if (!isnan(cc[k])) cn[k] += wc * cc[k];
        }
        for (size_t k = 0; k < plane; k++)
            cn[k] = isnan(sn[k]) ? NAN : wtot > 0.0 ? cn[k] / wtot : 0.0;
    }
}

int pipeline_coverage(struct pipeline *p, struct results *r)
{
    const struct framework *fw = p->fw;
    size_t plane = r->nyear * r->nunit, cells = r->nnode * plane;
    r->coverage = malloc((cells + 1) * sizeof *r->coverage);
    r->rank_threshold = malloc((r->nnode + 1) * sizeof *r->rank_threshold);
    uint8_t *ok = malloc(cells + 1);
    if (!r->coverage || !r->rank_threshold || !ok) {
        free(ok);
        return -1;
    }
    coverage_planes(p, r->score, r->coverage, plane);
    r->unranked = 0;
    for (size_t n = 0; n < r->nnode; n++) {
        double thr = config_rank_min_coverage(p->cfg, fw->node[n].level);
        r->rank_threshold[n] = thr;
        for (size_t k = n * plane; k < (n + 1) * plane; k++) {
            ok[k] = !isnan(r->coverage[k]) && r->coverage[k] >= thr * (1.0 - COVER_EPS);
            r->unranked += !isnan(r->score[k]) && !ok[k];
        }
    }
    if (r->unranked == 0) {
        free(ok);
        ok = NULL;
    }
    p->rank_ok_own = ok;
    p->rank_ok = ok;
    return 0;
}

void results_coverage_drop(struct results *r)
{
    if (!r) return;
    free(r->coverage);
    r->coverage = NULL;
}

int results_coverage_restore(struct results *r)
{
    if (!r || r->coverage) return 0;
    size_t plane = r->nyear * r->nunit;
    r->coverage = malloc((r->nnode * plane + 1) * sizeof *r->coverage);
    if (!r->coverage) return -1;
    coverage_planes(r->pipeline, r->score, r->coverage, plane);
    return 0;
}

void pipeline_rank_planes(const struct pipeline *p, const double *score, uint16_t *rank,
                          size_t k0, size_t k1, struct pipeline_work *w)
{
    size_t nu = p->c->nunit;
    for (size_t k = k0; k < k1; k++) {
        const double *x = score + k * nu;
        /* the next plane comes from memory while this one is sorted (a
           replication's planes are far more than a core's cache holds, and
           a plane is too short for the hardware to fetch ahead by itself) */
        if (k + 1 < k1)
            for (size_t u = 0; u < nu; u += 8) __builtin_prefetch(x + nu + u);
        const uint8_t *ok = p->rank_ok ? p->rank_ok + k * nu : NULL;
        int all = 1;
        for (size_t u = 0; ok && u < nu && all; u++) all = ok[u];
        if (!all) {
            for (size_t u = 0; u < nu; u++) w->buf[u] = ok[u] ? x[u] : NAN;
            x = w->buf;
        }
        rank_plane(x, nu, rank + k * nu, w->rw);
    }
}

void pipeline_rank(const struct pipeline *p, const double *score, uint16_t *rank,
                   struct pipeline_work *w)
{
    pipeline_rank_planes(p, score, rank, 0, (size_t)p->fw->nnode * p->c->nyear, w);
}

void pipeline_note_ranks(struct notes *nt, const struct pipeline *p, const struct results *r)
{
    const struct config *cfg = p->cfg;
    const struct framework *fw = p->fw;
    int t = cube_year_index(p->c, cfg->year);
    size_t root_scored = 0, root_unranked = 0;
    for (size_t u = 0; t >= 0 && u < r->nunit; u++) {
        size_t k = RES_AT(r, fw->root, t, u);
        if (isnan(r->score[k])) continue;
        root_scored++;
        root_unranked += isnan(r->rank[k]);
    }
    notes_add(nt, "Ranks: within each node and year, 1 is the highest score; tied units "
              "share the best rank; missing scores are not ranked. A score is ranked only "
              "when its coverage (the share of the node's framework weight present, "
              "weighted down the tree; the Scores sheet's coverage column) reaches the "
              "level's rank_min_coverage (%g for %s; by default each level's "
              "min_coverage): %zu score%s (unit \u00d7 node \u00d7 year) %s not ranked "
              "for too little data, %zu of the %zu %s scores in %d. The Monte Carlo rank "
              "intervals rank the same units.",
              r->rank_threshold[fw->root], fw->node[fw->root].code, r->unranked,
              r->unranked == 1 ? "" : "s", r->unranked == 1 ? "is" : "are", root_unranked,
              root_scored, fw->node[fw->root].code, cfg->year);
}
