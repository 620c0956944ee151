/* sobol.c: the Saltelli (2010) design on GSL's Sobol sequence and the
 * first-order (Saltelli 2010) and total (Jansen 1999) estimators with their
 * bootstrap; the contract is in sobol.h.
 *
 * One routine (estimate_rows) computes every index from a list of row
 * indices: the point estimates take the rows 0..n-1, a bootstrap resample
 * its drawn rows, so the two cannot differ in anything but the rows.
 */
#include "sobol.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>

#include "sensitivity_int.h"
#include "uncertainty.h"

int sobol_design(size_t n, int d, double *a, double *b)
{
    if (d < 1 || d > SOBOL_MAX_D)
        return -1;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * d));
    if (!q)
        return -1;
    double v[2 * SOBOL_MAX_D];
    for (size_t j = 0; j < n; j++) {
        gsl_qrng_get(q, v);
        for (int i = 0; i < d; i++) {
            a[j * (size_t)d + (size_t)i] = v[i];
            b[j * (size_t)d + (size_t)i] = v[d + i];
        }
    }
    gsl_qrng_free(q);
    return 0;
}

/* Sample variance (n - 1) of the finite yA[row] and yB[row] over the m rows
 * in row (NULL: 0..m-1). NaN with fewer than two values. */
static double variance_rows(const double *ya, const double *yb, const size_t *row, size_t m)
{
    double sum = 0, ss = 0;
    size_t k = 0;
    for (size_t q = 0; q < m; q++) {
        size_t j = row ? row[q] : q;
        double v[2] = {ya[j], yb[j]};
        for (int h = 0; h < 2; h++)
            if (isfinite(v[h])) {
                sum += v[h];
                k++;
            }
    }
    if (k < 2)
        return NAN;
    double mean = sum / (double)k;
    for (size_t q = 0; q < m; q++) {
        size_t j = row ? row[q] : q;
        double v[2] = {ya[j], yb[j]};
        for (int h = 0; h < 2; h++)
            if (isfinite(v[h]))
                ss += (v[h] - mean) * (v[h] - mean);
    }
    return ss / (double)(k - 1);
}

/* S_i and ST_i of every input over the m rows in row (NULL: 0..m-1);
 * rows[i] (may be NULL) receives n_i. */
static void estimate_rows(const double *y, size_t n, int d, const size_t *row, size_t m,
                          double *si, double *sti, size_t *rows)
{
    const double *ya = y, *yb = y + n;
    double v = variance_rows(ya, yb, row, m);
    for (int i = 0; i < d; i++) {
        const double *yab = y + (2 + (size_t)i) * n;
        double s1 = 0, st = 0;
        size_t k = 0;
        for (size_t q = 0; q < m; q++) {
            size_t j = row ? row[q] : q;
            if (!isfinite(ya[j]) || !isfinite(yb[j]) || !isfinite(yab[j]))
                continue;
            s1 += yb[j] * (yab[j] - ya[j]);
            st += (ya[j] - yab[j]) * (ya[j] - yab[j]);
            k++;
        }
        int ok = k > 0 && v > 0 && isfinite(v);
        si[i] = ok ? s1 / (double)k / v : NAN;
        sti[i] = ok ? st / (2.0 * (double)k) / v : NAN;
        if (rows)
            rows[i] = k;
    }
}

void sobol_point(const double *y, size_t n, int d, double *si, double *sti)
{
    estimate_rows(y, n, d, NULL, n, si, sti, NULL);
}

int sobol_estimate(const double *y, size_t n, int d, long nboot, double level,
                   unsigned long seed, struct sobol_index *out)
{
    double si[SOBOL_MAX_D], sti[SOBOL_MAX_D];
    size_t rows[SOBOL_MAX_D];
    if (d < 1 || d > SOBOL_MAX_D)
        return -1;
    estimate_rows(y, n, d, NULL, n, si, sti, rows);
    for (int i = 0; i < d; i++)
        out[i] = (struct sobol_index){si[i], NAN, NAN, sti[i], NAN, NAN, rows[i]};
    if (nboot <= 0 || n == 0)
        return 0;
    size_t nb = (size_t)nboot;
    size_t *row = malloc(n * sizeof *row);
    double *bs = malloc(nb * (size_t)d * sizeof *bs), *bt = malloc(nb * (size_t)d * sizeof *bt);
    double *col = malloc(nb * sizeof *col);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = -1;
    if (!row || !bs || !bt || !col || !rng)
        goto done;
    for (size_t b = 0; b < nb; b++) {
        gsl_rng_set(rng, sens_stream_seed(seed, SENS_STREAM_BOOTSTRAP, (long)b));
        for (size_t q = 0; q < n; q++)
            row[q] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
        estimate_rows(y, n, d, row, n, bs + b * (size_t)d, bt + b * (size_t)d, NULL);
    }
    double plo = (1.0 - level) / 2.0, phi = 1.0 - plo;
    for (int i = 0; i < d; i++) {
        double *src[2] = {bs, bt};
        double *lo[2] = {&out[i].si_low, &out[i].sti_low}, *hi[2] = {&out[i].si_high,
                                                                    &out[i].sti_high};
        for (int h = 0; h < 2; h++) {
            for (size_t b = 0; b < nb; b++)
                col[b] = src[h][b * (size_t)d + (size_t)i];
            *lo[h] = uncertainty_quantile(col, nb, plo);
            for (size_t b = 0; b < nb; b++)
                col[b] = src[h][b * (size_t)d + (size_t)i];
            *hi[h] = uncertainty_quantile(col, nb, phi);
        }
    }
    rc = 0;
done:
    free(row);
    free(bs);
    free(bt);
    free(col);
    gsl_rng_free(rng);
    return rc;
}
