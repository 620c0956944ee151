/* coherence.h: statistical coherence of the framework in one year
 * (METHODS.md §9; COINr's get_corr, get_cronbach, get_PCA, get_corr_flags
 * and get_stats are the reference).
 *
 * Reads the results layout (RES_AT: x[(node*nyear + t)*nunit + u], NaN
 * missing) for one year t and computes:
 *   pairs   every non-root node with its parent: Pearson and Spearman
 *           correlation over the units where both are present (pairwise
 *           complete; Spearman ranks ties by their average, as R's cor)
 *   groups  every aggregate over its children: Cronbach's alpha
 *           k/(k-1) (1 - trace(S)/sum(S)) = k^2 mean off-diagonal cov /
 *           sum(S), S the pairwise-complete covariance matrix; and the first
 *           principal component of the children's correlation matrix over
 *           the units with every child present (gsl_eigen_symmv): loadings
 *           (unit eigenvector, sign fixed so the loading of largest
 *           magnitude is positive) and the share of variance it explains
 *           (eigenvalue / k)
 *   flags   pairs of indicators in the same level-2 group (siblings under
 *           the same parent at level 2) whose Pearson correlation is above
 *           COHERENCE_HIGH (0.9, COINr get_corr_flags default: collinear)
 *           or below COHERENCE_LOW (-0.4, the threshold COINr's
 *           documentation uses with thresh_type = "low": conflicting)
 *   stats   per indicator, on the raw values of the year (COINr get_stats
 *           defaults): share available (< 0.65 flagged), share zero
 *           (> 0.5), share unique (< 0.5), skew and kurtosis (type 2;
 *           outlier flag when |skew| > 2 and kurt > 3.5)
 */
#ifndef LCME_COHERENCE_H
#define LCME_COHERENCE_H

#include <stddef.h>

#include "diag.h"
#include "framework.h"

#define COHERENCE_HIGH 0.9
#define COHERENCE_LOW (-0.4)

struct coherence_pair {
    int node, parent;       /* framework node indices */
    size_t n;               /* units with both present */
    double pearson, spearman; /* NaN when n < 3 or no spread */
};

struct coherence_group {
    int node;               /* an aggregate */
    int k;                  /* its children (fw->node[node].child order) */
    size_t n;               /* units with every child present (PCA) */
    double alpha;           /* Cronbach's alpha; NaN when k < 2 */
    double pca_share;       /* first component's share of variance; NaN */
    double *loading;        /* [k] first component loadings; NaN when none */
};

enum coherence_flag_kind { COHERENCE_COLLINEAR, COHERENCE_NEGATIVE };

struct coherence_flag {
    int a, b;               /* indicator node indices, a < b */
    int group;              /* their level-2 ancestor */
    double r;               /* Pearson correlation */
    enum coherence_flag_kind kind;
};

struct coherence_stat {
    size_t n;               /* present values */
    double avail, zero, unique; /* shares (zero and unique of present) */
    double skew, kurt;
    int low_avail, high_zero, low_unique, outliers; /* get_stats flags */
};

struct coherence {
    int year;               /* the year analysed */
    size_t npair;
    struct coherence_pair *pair;   /* [npair], node order */
    size_t ngroup;
    struct coherence_group *group; /* [ngroup], node order */
    size_t nflag;
    struct coherence_flag *flag;   /* [nflag] */
    size_t nind;
    struct coherence_stat *stat;   /* [nind] */
};

/* Compute the coherence of year index t. score holds fw->nnode planes (the
 * results' scores: indicators normalised, aggregates aggregated); raw holds
 * fw->nind indicator planes of raw values (for the stats; may be NULL, then
 * stats use the scores). year labels the result. Returns NULL with an
 * LCME_ENOMEM entry in d on failure. */
struct coherence *coherence_compute(const struct framework *fw,
                                    const double *score, const double *raw,
                                    size_t nunit, size_t nyear, size_t t,
                                    int year, struct diag *d);

void coherence_free(struct coherence *co);   /* NULL is harmless */

/* Pearson and Spearman correlation of the pairs (x[k], y[k]) where both are
 * present; *n receives their number. NaN when fewer than 3 or no spread.
 * work holds 4*len doubles. */
double coherence_pearson(const double *x, const double *y, size_t len, size_t *n);
double coherence_spearman(const double *x, const double *y, size_t len,
                          size_t *n, double *work);

#endif
