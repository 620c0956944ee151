/* sens_stats.c: what an analysis reports, from the runs' ranks: the
 * nominal ranks (the batch's run), each run's mean absolute rank shift, the
 * rank statistics of each unit, and (sa) the Sobol indices of the shift and
 * of each unit's rank.
 *
 * Rank statistics use the runs drawn independently from the assumptions'
 * distribution: A and B in sa (the A_B^(i) rows are not independent of
 * them), A in ua, as COINr's get_sensitivity does. Missing ranks (a unit
 * screened out, a failed run) are skipped; a unit without any rank gets
 * NaN. Quantiles are R's type 7 (uncertainty_quantile).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sensitivity_int.h"
#include "uncertainty.h"

/* The mean absolute rank shift of run r from the nominal ranks, over the
 * units ranked in both; NaN for a failed run or when none is. */
static double shift_of(const struct sensitivity *s, size_t r)
{
    if (s->run[r].failed)
        return NAN;
    const uint16_t *row = s->rank + r * s->nunit;
    double sum = 0;
    size_t n = 0;
    for (size_t u = 0; u < s->nunit; u++)
        if (row[u] && !isnan(s->nominal_rank[u])) {
            sum += fabs((double)row[u] - s->nominal_rank[u]);
            n++;
        }
    return n ? sum / (double)n : NAN;
}

/* Mean, median, 5th and 95th percentile of unit u's ranks over the first
 * m runs; buf holds m doubles. */
static void unit_stats(struct sensitivity *s, size_t u, size_t m, double *buf)
{
    double sum = 0;
    size_t k = 0;
    for (size_t r = 0; r < m; r++) {
        uint16_t v = s->rank[r * s->nunit + u];
        buf[r] = v ? (double)v : NAN;
        if (v) {
            sum += v;
            k++;
        }
    }
    s->mean_rank[u] = k ? sum / (double)k : NAN;
    double p[3] = {0.5, 0.05, 0.95}, *q[3] = {&s->median_rank[u], &s->rank_q05[u],
                                               &s->rank_q95[u]};
    for (int i = 0; i < 3; i++) {
        /* uncertainty_quantile reorders: refill from the ranks each time */
        if (i > 0)
            for (size_t r = 0; r < m; r++) {
                uint16_t v = s->rank[r * s->nunit + u];
                buf[r] = v ? (double)v : NAN;
            }
        *q[i] = uncertainty_quantile(buf, m, p[i]);
    }
}

/* Point indices of each unit's rank (no bootstrap): y holds nrun doubles. */
static void unit_indices(struct sensitivity *s, double *y)
{
    double si[SOBOL_MAX_D], sti[SOBOL_MAX_D];
    for (size_t u = 0; u < s->nunit; u++) {
        for (size_t r = 0; r < s->nrun; r++) {
            uint16_t v = s->rank[r * s->nunit + u];
            y[r] = v ? (double)v : NAN;
        }
        sobol_point(y, s->n, s->d, si, sti);
        for (int a = 0; a < s->d; a++) {
            s->unit_si[u * (size_t)s->d + (size_t)a] = si[a];
            s->unit_sti[u * (size_t)s->d + (size_t)a] = sti[a];
        }
    }
}

int sens_summarise(struct sensitivity *s, const struct results *res, struct diag *d)
{
    size_t nu = s->nunit, nall = s->nrun + s->nexcl;
    size_t m = s->mode == SENS_SA ? 2 * s->n : s->n;
    double *arrs[5];
    double **dst[5] = {&s->nominal_rank, &s->mean_rank, &s->median_rank, &s->rank_q05,
                       &s->rank_q95};
    int ok = 1;
    for (int i = 0; i < 5; i++)
        ok &= (*dst[i] = arrs[i] = malloc((nu + 1) * sizeof(double))) != NULL;
    double *buf = malloc(((m > s->nrun ? m : s->nrun) + 1) * sizeof *buf);
    if (s->mode == SENS_SA) {
        s->unit_si = malloc((nu * (size_t)s->d + 1) * sizeof *s->unit_si);
        s->unit_sti = malloc((nu * (size_t)s->d + 1) * sizeof *s->unit_sti);
        ok &= s->unit_si && s->unit_sti;
    }
    if (!ok || !buf)
        goto nomem;
    for (size_t u = 0; u < nu; u++)
        s->nominal_rank[u] = res->rank[RES_AT(res, s->target, s->year_index, u)];
    for (size_t r = 0; r < nall; r++)
        s->run[r].shift = shift_of(s, r);
    for (size_t u = 0; u < nu; u++) {
        unit_stats(s, u, m, buf);
        for (size_t r = 0; r < m && !isnan(s->nominal_rank[u]); r++)
            s->unranked += !s->run[r].failed && !s->rank[r * nu + u];
    }
    if (s->mode == SENS_SA) {
        for (size_t r = 0; r < s->nrun; r++)
            buf[r] = s->run[r].shift;
        if (sobol_estimate(buf, s->n, s->d, s->bootstrap, s->level, s->seed, s->index) != 0)
            goto nomem;
        unit_indices(s, buf);
    }
    free(buf);
    return 0;
nomem:
    free(buf);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "sensitivity: out of memory for the summaries");
    return -1;
}
