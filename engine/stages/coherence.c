/* coherence.c: correlations of nodes with their parents, Cronbach's alpha
 * and the first principal component per aggregate, correlation flags and
 * per-indicator statistics, for one year (see coherence.h).
 *
 * Every statistic skips missing values: correlations and covariances use the
 * pairwise-complete units (R's use = "pairwise.complete.obs"), the PCA the
 * units with every child present (prcomp on complete cases). Everything is
 * allocated once per call; nothing is printed.
 */
#include "coherence.h"
#include "rank.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prepare.h"

/* Means of x and y over the pairwise-complete entries (both present) into
 * *mx and *my; returns how many there are (the means are NaN when none). */
static size_t pair_means(const double *x, const double *y, size_t len,
                         double *mx, double *my)
{
    size_t m = 0;
    double sx = 0, sy = 0;
    for (size_t k = 0; k < len; k++) {
        if (isnan(x[k]) || isnan(y[k])) continue;
        sx += x[k];
        sy += y[k];
        m++;
    }
    *mx = m ? sx / (double)m : NAN;
    *my = m ? sy / (double)m : NAN;
    return m;
}

double coherence_pearson(const double *x, const double *y, size_t len, size_t *n)
{
    double mx, my;
    size_t m = pair_means(x, y, len, &mx, &my);
    if (n) *n = m;
    if (m < 3) return NAN;
    double sxx = 0, syy = 0, sxy = 0;
    for (size_t k = 0; k < len; k++) {
        if (isnan(x[k]) || isnan(y[k])) continue;
        double dx = x[k] - mx, dy = y[k] - my;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if (sxx <= 0 || syy <= 0) return NAN;
    return sxy / sqrt(sxx * syy);
}

double coherence_spearman(const double *x, const double *y, size_t len,
                          size_t *n, double *work)
{
    double *px = work, *py = work + len, *rx = work + 2 * len, *ry = work + 3 * len;
    size_t m = 0;
    for (size_t k = 0; k < len; k++) {
        if (isnan(x[k]) || isnan(y[k])) continue;
        px[m] = x[k];
        py[m] = y[k];
        m++;
    }
    if (n) *n = m;
    if (m < 3) return NAN;
    struct rank_pair *tmp = malloc(2 * m * sizeof *tmp);
    if (!tmp) return NAN;
    rank_run_ties(px, m, 1, 0, 1, rx, tmp);
    rank_run_ties(py, m, 1, 0, 1, ry, tmp);
    free(tmp);
    return coherence_pearson(rx, ry, m, NULL);
}

void coherence_free(struct coherence *co)
{
    if (!co) return;
    for (size_t g = 0; g < co->ngroup; g++) free(co->group[g].loading);
    free(co->pair);
    free(co->group);
    free(co->flag);
    free(co->stat);
    free(co);
}

/* Pairwise-complete sample covariance of x and y (n - 1). */
static double cov_pair(const double *x, const double *y, size_t len)
{
    double mx, my, s = 0;
    size_t m = pair_means(x, y, len, &mx, &my);
    if (m < 2) return NAN;
    for (size_t k = 0; k < len; k++) {
        if (isnan(x[k]) || isnan(y[k])) continue;
        s += (x[k] - mx) * (y[k] - my);
    }
    return s / (double)(m - 1);
}

/* Fix the sign of loading vector v[k] (the loading of largest magnitude is
 * positive) into g->loading. */
static void set_loadings(struct coherence_group *g, const double *v, int k)
{
    int big = 0;
    for (int a = 1; a < k; a++)
        if (fabs(v[a]) > fabs(v[big]))
            big = a;
    double sign = v[big] < 0 ? -1.0 : 1.0;
    for (int a = 0; a < k; a++) g->loading[a] = sign * v[a];
}

/* The first principal component of the k children's correlation matrix R
 * over n complete cases (buf: child a's n values at a * stride), by the
 * k x k eigenproblem of R. Returns -1 on ENOMEM; a constant child leaves
 * no PCA. */
static int pca_primal(const double *buf, size_t n, size_t stride, int k,
                      struct coherence_group *g)
{
    gsl_matrix *R = gsl_matrix_alloc((size_t)k, (size_t)k);
    gsl_matrix *V = gsl_matrix_alloc((size_t)k, (size_t)k);
    gsl_vector *ev = gsl_vector_alloc((size_t)k);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t)k);
    double *v = malloc((size_t)k * sizeof *v);
    int rc = 0;
    if (!R || !V || !ev || !ws || !v) {
        rc = -1;
        goto out;
    }
    for (int a = 0; a < k; a++)
        for (int b = a; b < k; b++) {
            double r = a == b ? 1.0
                : coherence_pearson(buf + (size_t)a * stride, buf + (size_t)b * stride, n, NULL);
            if (isnan(r)) goto out;   /* a constant child: no PCA */
            gsl_matrix_set(R, (size_t)a, (size_t)b, r);
            gsl_matrix_set(R, (size_t)b, (size_t)a, r);
        }
    gsl_eigen_symmv(R, ev, V, ws);
    gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC);
    g->pca_share = gsl_vector_get(ev, 0) / (double)k;
    for (int a = 0; a < k; a++) v[a] = gsl_matrix_get(V, (size_t)a, 0);
    set_loadings(g, v, k);
out:
    free(v);
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(V);
    gsl_matrix_free(R);
    return rc;
}

/* The same component when there are fewer complete cases than children
 * (n < k), by the n x n eigenproblem: with Z the n x k matrix of the
 * children centred and scaled to unit length, R = Z'Z, and G = ZZ' has the
 * same non-zero eigenvalues; the first loading vector is Z'u / sqrt(l) for
 * G's first eigenpair (u, l). Same result up to rounding, at O(n^2 k + n^3)
 * instead of O(k^3): 2,000 children of 5 units took 88 s as a 2000 x 2000
 * eigenproblem. Returns -1 on ENOMEM. */
static int pca_dual(const double *buf, size_t n, size_t stride, int k,
                    struct coherence_group *g)
{
    double *z = malloc((size_t)k * n * sizeof *z), *v = malloc((size_t)k * sizeof *v);
    gsl_matrix *G = gsl_matrix_alloc(n, n), *U = gsl_matrix_alloc(n, n);
    gsl_vector *ev = gsl_vector_alloc(n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    int rc = 0;
    if (!z || !v || !G || !U || !ev || !ws) {
        rc = -1;
        goto out;
    }
    for (int a = 0; a < k; a++) {
        const double *x = buf + (size_t)a * stride;
        double m = 0, ss = 0;
        for (size_t i = 0; i < n; i++) m += x[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
        if (!(ss > 0)) goto out;   /* a constant child: no PCA */
        double sc = 1.0 / sqrt(ss);
        for (size_t i = 0; i < n; i++) z[(size_t)a * n + i] = (x[i] - m) * sc;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double s = 0;
            for (int a = 0; a < k; a++) s += z[(size_t)a * n + i] * z[(size_t)a * n + j];
            gsl_matrix_set(G, i, j, s);
            gsl_matrix_set(G, j, i, s);
        }
    gsl_eigen_symmv(G, ev, U, ws);
    gsl_eigen_symmv_sort(ev, U, GSL_EIGEN_SORT_VAL_DESC);
    double l = gsl_vector_get(ev, 0);
    if (!(l > 0)) goto out;
    g->pca_share = l / (double)k;
    for (int a = 0; a < k; a++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += z[(size_t)a * n + i] * gsl_matrix_get(U, i, 0);
        v[a] = s / sqrt(l);
    }
    set_loadings(g, v, k);
out:
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(ev);
    gsl_matrix_free(U);
    gsl_matrix_free(G);
    free(v);
    free(z);
    return rc;
}

/* Alpha and PCA of one aggregate. Returns -1 on ENOMEM. */
static int group_stats(const struct framework *fw, const double *score,
                       size_t nunit, size_t nyear, size_t t,
                       struct coherence_group *g)
{
    const struct fw_node *nd = &fw->node[g->node];
    int k = nd->nchild;
    g->k = k;
    g->alpha = g->pca_share = NAN;
    g->loading = malloc((size_t)(k ? k : 1) * sizeof *g->loading);
    if (!g->loading) return -1;
    for (int a = 0; a < k; a++) g->loading[a] = NAN;
    if (k < 2) return 0;
#define PLANE(n) (score + ((size_t)(n) * nyear + t) * nunit)
    /* Cronbach's alpha from the pairwise covariance matrix */
    double tr = 0, sum = 0;
    int ok = 1;
    for (int a = 0; a < k && ok; a++)
        for (int b = a; b < k; b++) {
            double cv = cov_pair(PLANE(nd->child[a]), PLANE(nd->child[b]), nunit);
            if (isnan(cv)) {
                ok = 0;
                break;
            }
            if (a == b) {
                tr += cv;
                sum += cv;
            } else {
                sum += 2 * cv;
            }
        }
    if (ok && sum != 0)
        g->alpha = ((double)k / (k - 1.0)) * (1.0 - tr / sum);

    /* PCA on the correlation matrix of the complete cases */
    size_t n = 0;
    double *buf = malloc(nunit * (size_t)k * sizeof *buf + 1);
    if (!buf) return -1;
    for (size_t u = 0; u < nunit; u++) {
        int all = 1;
        for (int a = 0; a < k; a++)
            if (isnan(PLANE(nd->child[a])[u])) all = 0;
        if (!all) continue;
        for (int a = 0; a < k; a++) buf[(size_t)a * nunit + n] = PLANE(nd->child[a])[u];
        n++;
    }
#undef PLANE
    g->n = n;
    int rc = 0;
    if (n >= 3)
        rc = n < (size_t)k ? pca_dual(buf, n, nunit, k, g) : pca_primal(buf, n, nunit, k, g);
    free(buf);
    return rc;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void indicator_stats(const double *x, size_t nunit, struct coherence_stat *s,
                            double *buf)
{
    size_t m = 0, zero = 0;
    for (size_t u = 0; u < nunit; u++) {
        if (isnan(x[u])) continue;
        buf[m++] = x[u];
        if (x[u] == 0.0) zero++;
    }
    s->n = m;
    s->avail = nunit ? (double)m / (double)nunit : NAN;
    s->zero = m ? (double)zero / (double)m : NAN;
    qsort(buf, m, sizeof *buf, cmp_dbl);
    size_t uniq = 0;
    for (size_t k = 0; k < m; k++)
        if (k == 0 || buf[k] != buf[k - 1]) uniq++;
    s->unique = m ? (double)uniq / (double)m : NAN;
    s->skew = prepare_skew(x, nunit);
    s->kurt = prepare_kurt(x, nunit);
    s->low_avail = s->avail < 0.65;
    s->high_zero = m && s->zero > 0.5;
    s->low_unique = m && s->unique < 0.5;
    s->outliers = !isnan(s->skew) && !isnan(s->kurt) && fabs(s->skew) > 2 &&
                  s->kurt > 3.5;
}

/* Level-2 ancestor of node n (itself when level 2), or -1. */
static int level2_of(const struct framework *fw, int n)
{
    while (n >= 0 && fw->node[n].level < 2) n = fw->node[n].parent;
    return (n >= 0 && fw->node[n].level == 2) ? n : -1;
}

struct coherence *coherence_compute(const struct framework *fw,
                                    const double *score, const double *raw,
                                    size_t nunit, size_t nyear, size_t t,
                                    int year, struct diag *d)
{
    struct coherence *co = calloc(1, sizeof *co);
    double *work = malloc((4 * nunit + 1) * sizeof *work);
    if (!co || !work) goto nomem;
    co->year = year;
    size_t nn = (size_t)fw->nnode;
    co->pair = calloc(nn, sizeof *co->pair);
    co->group = calloc(nn, sizeof *co->group);
    co->stat = calloc((size_t)fw->nind + 1, sizeof *co->stat);
    if (!co->pair || !co->group || !co->stat) goto nomem;
#define PLANE(b, n) ((b) + ((size_t)(n) * nyear + t) * nunit)
    for (int n = 0; n < fw->nnode; n++) {
        int p = fw->node[n].parent;
        if (p < 0) continue;
        struct coherence_pair *pr = &co->pair[co->npair++];
        pr->node = n;
        pr->parent = p;
        pr->pearson = coherence_pearson(PLANE(score, n), PLANE(score, p), nunit, &pr->n);
        pr->spearman = coherence_spearman(PLANE(score, n), PLANE(score, p), nunit,
                                          NULL, work);
    }
    for (int n = fw->nind; n < fw->nnode; n++) {
        if (fw->node[n].nchild == 0) continue;
        struct coherence_group *g = &co->group[co->ngroup++];
        g->node = n;
        if (group_stats(fw, score, nunit, nyear, t, g) != 0) goto nomem;
    }
    co->nind = (size_t)fw->nind;
    for (int i = 0; i < fw->nind; i++)
        indicator_stats(PLANE(raw ? raw : score, i), nunit, &co->stat[i], work);
    /* correlation flags within level-2 groups */
    size_t cap = 0;
    for (int a = 0; a < fw->nind; a++) {
        int ga = level2_of(fw, a);
        if (ga < 0) continue;
        for (int b = a + 1; b < fw->nind; b++) {
            if (level2_of(fw, b) != ga) continue;
            double r = coherence_pearson(PLANE(score, a), PLANE(score, b), nunit, NULL);
            if (isnan(r) || (r <= COHERENCE_HIGH && r >= COHERENCE_LOW)) continue;
            if (co->nflag == cap) {
                size_t nc = cap ? 2 * cap : 16;
                struct coherence_flag *nf = realloc(co->flag, nc * sizeof *nf);
                if (!nf) goto nomem;
                co->flag = nf;
                cap = nc;
            }
            co->flag[co->nflag++] = (struct coherence_flag){
                a, b, ga, r, r > COHERENCE_HIGH ? COHERENCE_COLLINEAR : COHERENCE_NEGATIVE};
        }
    }
#undef PLANE
    free(work);
    return co;
nomem:
    free(work);
    coherence_free(co);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "coherence: out of memory");
    return NULL;
}
