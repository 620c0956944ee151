/* prepare.c: denomination, screening, imputation and outlier treatment, in
 * place on indicator planes (cube layout), following COINr's Denominate,
 * Screen, Impute and Treat with their defaults.
 *
 * Layout reminder: x[(i*nyear + t)*nunit + u]; one indicator in one year is
 * the contiguous run x + (i*nyear + t)*nunit of nunit values (the "slice"
 * that screening counts across, and imputation and treatment work on).
 *
 * Invariants: present values are never changed by screening or imputation;
 * cells of a screened unit-year stay NaN through every later stage (they
 * carry CUBE_SCREENED and imputation skips them, so they are not ranked);
 * every imputed cell carries CUBE_IMPUTED and is counted once; winsorised
 * cells carry CUBE_TREATED_HIGH or _LOW. Library code: nothing is printed.
 */
#include "prepare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

#define AT(c, i, t, u) CUBE_AT(c, i, t, u)

struct prepare_report *prepare_report_new(const struct cube *c)
{
    struct prepare_report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    size_t uy = c->nunit * c->nyear, sl = c->nind * c->nyear;
    r->nunit = c->nunit;
    r->nind = c->nind;
    r->nyear = c->nyear;
    r->avail = calloc(uy ? uy : 1, sizeof *r->avail);
    r->nonzero = calloc(uy ? uy : 1, sizeof *r->nonzero);
    r->dropped = calloc(uy ? uy : 1, 1);
    r->imputed_by_unit = calloc(uy ? uy : 1, sizeof *r->imputed_by_unit);
    r->treated_by_unit = calloc(uy ? uy : 1, sizeof *r->treated_by_unit);
    r->treat = calloc(sl ? sl : 1, sizeof *r->treat);
    if (!r->avail || !r->nonzero || !r->dropped || !r->imputed_by_unit ||
        !r->treated_by_unit || !r->treat) {
        prepare_report_free(r);
        return NULL;
    }
    for (size_t i = 0; i < c->nind; i++)
        for (size_t t = 0; t < c->nyear; t++) {
            struct prepare_treat_row *w = &r->treat[i * c->nyear + t];
            w->ind = (int)i;
            w->year = (int)t;
            w->skew0 = w->kurt0 = w->skew_win = w->kurt_win = NAN;
            w->skew1 = w->kurt1 = NAN;
            w->pass0 = w->pass1 = 1;
        }
    for (size_t k = 0; k < uy; k++) r->avail[k] = r->nonzero[k] = NAN;
    return r;
}

void prepare_report_free(struct prepare_report *r)
{
    if (!r) return;
    free(r->avail);
    free(r->nonzero);
    free(r->dropped);
    free(r->imputed_by_unit);
    free(r->treated_by_unit);
    free(r->treat);
    free(r);
}

const char *prepare_treat_how_name(enum prepare_treat_how h)
{
    switch (h) {
    case PREP_TREAT_NOT_NEEDED: return "none";
    case PREP_TREAT_WINSORISED: return "winsorise";
    case PREP_TREAT_LOG_CT: return "log_CT";
    case PREP_TREAT_LOG: return "log";
    case PREP_TREAT_BOXCOX: return "boxcox";
    case PREP_TREAT_TOO_FEW: return "too few values";
    case PREP_TREAT_CONSTANT: return "constant";
    }
    return "?";
}

/* ---- denominate ------------------------------------------------------- */

int prepare_denominate(const struct framework *fw, const struct cube *c,
                       double *x, double scale, struct prepare_report *rep,
                       struct diag *d)
{
    int rc = 0;
    for (int i = 0; i < fw->nind && (size_t)i < c->nind; i++) {
        const char *dn = fw->node[i].denominator;
        if (!dn || !*dn) continue;
        int k = -1;
        for (int j = 0; j < fw->ndenom; j++)
            if (strcmp(fw->denom[j], dn) == 0) k = j;
        if (k < 0 || (size_t)k >= c->ndenom || !c->denom) {
            diag_add(d, LCME_EINPUT, fw->path, fw->node[i].line, 0,
                     "indicator %s: denominator '%s' is not a Denominator "
                     "column of the framework and the data", fw->node[i].code, dn);
            rc = -1;
            continue;
        }
        rep->denom_indicators++;
        for (size_t t = 0; t < c->nyear; t++) {
            const double *dv = c->denom + ((size_t)k * c->nyear + t) * c->nunit;
            double *xv = x + AT(c, i, t, 0);
            for (size_t u = 0; u < c->nunit; u++) {
                if (isnan(xv[u])) continue;
                double den = dv[u] / scale;
                if (isnan(dv[u]) || den == 0.0) {
                    xv[u] = NAN;
                    rep->denom_missing++;
                    continue;
                }
                xv[u] = xv[u] / den;
                rep->denominated++;
            }
        }
    }
    return rc;
}

/* ---- screen ----------------------------------------------------------- */

/* Mark units named in a comma-separated list: mark[u] = v. -1 on unknown. */
static int mark_units(const struct cube *c, const char *list, uint8_t *mark,
                      uint8_t v, const char *key, struct diag *d)
{
    if (!list) return 0;
    int rc = 0;
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *te = e;
        while (te > p && (te[-1] == ' ' || te[-1] == '\t')) te--;
        size_t len = (size_t)(te - p);
        int found = 0;
        for (size_t u = 0; u < c->nunit; u++) {
            if (strlen(c->unit[u]) == len && memcmp(c->unit[u], p, len) == 0) {
                mark[u] = v;
                found = 1;
            }
        }
        if (!found) {
            diag_add(d, LCME_EINPUT, NULL, 0, 0,
                     "[method] %s: unit '%.*s' is not in the data", key,
                     (int)len, p);
            rc = -1;
        }
        p = e;
    }
    return rc;
}

int prepare_screen(const struct cube *c, double *x, uint8_t *flag,
                   const struct prepare_screen_opts *o,
                   struct prepare_report *rep, struct diag *d)
{
    size_t nu = c->nunit, ny = c->nyear, ni = c->nind;
    uint8_t *force = calloc(nu ? nu : 1, 1); /* 0 none, 1 include, 2 exclude */
    if (!force) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "screen: out of memory");
        return -1;
    }
    int rc = 0;
    if (mark_units(c, o->force_include, force, 1, "force_include", d) != 0) rc = -1;
    if (mark_units(c, o->force_exclude, force, 2, "force_exclude", d) != 0) rc = -1;
    if (rc != 0) {
        free(force);
        return -1;
    }
    rep->screened_done = o->method != SCREEN_NONE || o->force_exclude;
    for (size_t t = 0; t < ny; t++) {
        for (size_t u = 0; u < nu; u++) {
            size_t present = 0, zero = 0;
            for (size_t i = 0; i < ni; i++) {
                double v = x[AT(c, i, t, u)];
                if (isnan(v)) continue;
                present++;
                if (v == 0.0) zero++;
            }
            double avail = ni ? (double)present / (double)ni : 0.0;
            double nonzero = present ? 1.0 - (double)zero / (double)present : 1.0;
            rep->avail[t * nu + u] = avail;
            rep->nonzero[t * nu + u] = nonzero;
            int low_na = avail < o->dat_thresh;
            int low_nz = nonzero < o->nonzero_thresh;
            int drop;
            switch (o->method) {
            case SCREEN_BYNA: drop = low_na; break;
            case SCREEN_BYZEROS: drop = low_nz; break;
            case SCREEN_BOTH: drop = low_na || low_nz; break;
            default: drop = 0; break;
            }
            if (force[u] == 1) drop = 0;
            if (force[u] == 2) drop = 1;
            rep->dropped[t * nu + u] = (uint8_t)drop;
            if (!drop) continue;
            rep->screened++;
            for (size_t i = 0; i < ni; i++) {
                size_t k = AT(c, i, t, u);
                x[k] = NAN;
                flag[k] |= CUBE_SCREENED;
            }
        }
    }
    free(force);
    return 0;
}

/* ---- impute ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean or median (R's: average of the two middle values) of the values
 * v[k] for which sel(k) holds; NaN when none. buf holds n doubles. */
static double centre(const double *v, size_t n, const int *grp, int g,
                     int median, double *buf)
{
    size_t m = 0;
    double s = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(v[k]) || (grp && grp[k] != g)) continue;
        buf[m++] = v[k];
        s += v[k];
    }
    if (m == 0) return NAN;
    if (!median) {
        /* R's mean: sum/n, then one refinement pass */
        double mu = s / (double)m, r = 0.0;
        for (size_t k = 0; k < m; k++) r += buf[k] - mu;
        return mu + r / (double)m;
    }
    qsort(buf, m, sizeof *buf, cmp_double);
    return (m % 2) ? buf[m / 2] : 0.5 * (buf[m / 2 - 1] + buf[m / 2]);
}

static void fill_cell(const struct cube *c, double *x, uint8_t *flag,
                      size_t k, size_t t, size_t u, double v,
                      struct prepare_report *rep)
{
    x[k] = v;
    if (flag) flag[k] |= CUBE_IMPUTED;
    rep->imputed++;
    rep->imputed_by_unit[t * c->nunit + u]++;
}

int prepare_groups(const struct cube *c, const char *group,
                   enum impute_method method, int **grp, int *ngrp,
                   struct diag *d)
{
    size_t nu = c->nunit;
    *grp = NULL;
    *ngrp = 0;
    int a = group ? cube_attr_index(c, group) : -1;
    if (a < 0) {
        diag_add(d, LCME_EINPUT, NULL, 0, 0,
                 "impute = %s needs [batch] group naming a unit attribute "
                 "column of the data%s%s%s", impute_method_name(method),
                 group ? " ('" : "", group ? group : "", group ? "' is not one)" : "");
        return -1;
    }
    int *g = malloc((nu ? nu : 1) * sizeof *g);
    if (!g) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "impute: out of memory");
        return -1;
    }
    int n = 0;
    for (size_t u = 0; u < nu; u++) {
        const char *su = c->attr[u * c->nattr + (size_t)a];
        g[u] = -1;
        if (!su || !*su) continue;
        for (size_t v = 0; v < u; v++)
            if (g[v] >= 0 && strcmp(c->attr[v * c->nattr + (size_t)a], su) == 0) {
                g[u] = g[v];
                break;
            }
        if (g[u] < 0) g[u] = n++;
    }
    *grp = g;
    *ngrp = n;
    return 0;
}

int prepare_impute(const struct cube *c, double *x, uint8_t *flag,
                   enum impute_method method, const char *group,
                   struct prepare_report *rep, struct diag *d)
{
    int *grp = NULL, ngrp = 0;
    if ((method == IMPUTE_GROUP_MEAN || method == IMPUTE_GROUP_MEDIAN) &&
        prepare_groups(c, group, method, &grp, &ngrp, d) != 0)
        return -1;
    int rc = prepare_impute_grouped(c, x, flag, method, grp, ngrp, rep, d);
    free(grp);
    return rc;
}

/* Time-series imputation (latest, constant, linear) of every series by a
 * scan of its years: for series of more than 64 years, which the bits of
 * impute_series do not hold. buf holds ny doubles. */
static void impute_series_scan(const struct cube *c, double *x, uint8_t *flag,
                               enum impute_method method, double *buf,
                               struct prepare_report *rep)
{
    size_t nu = c->nunit, ny = c->nyear, ni = c->nind;
    const uint8_t *drop = rep->dropped;
    for (size_t i = 0; i < ni; i++)
        for (size_t u = 0; u < nu; u++) {
            /* the known values of this series, before filling */
            int first = -1, last = -1, nknown = 0;
            for (size_t t = 0; t < ny; t++) {
                buf[t] = x[AT(c, i, t, u)];
                if (isnan(buf[t])) continue;
                if (first < 0) first = (int)t;
                last = (int)t;
                nknown++;
            }
            if (nknown == 0 || nknown == (int)ny) continue;
            int prev = -1;
            for (size_t t = 0; t < ny; t++) {
                if (!isnan(buf[t])) {
                    prev = (int)t;
                    continue;
                }
                if (drop[t * nu + u]) continue;
                double v = NAN;
                if (method == IMPUTE_LATEST) {
                    if (prev >= 0) v = buf[prev];
                } else if ((int)t < first) {
                    v = buf[first];
                } else if ((int)t > last) {
                    v = buf[last];
                } else if (method == IMPUTE_CONSTANT) {
                    v = buf[prev];
                } else {
                    int next = (int)t + 1;
                    while (isnan(buf[next])) next++;
                    /* R approx: y0 + (y1 - y0) * (x - x0)/(x1 - x0) */
                    double x0 = c->year[prev], x1 = c->year[next];
                    double y0 = buf[prev], y1 = buf[next];
                    v = y0 + (y1 - y0) * (((double)c->year[t] - x0) / (x1 - x0));
                }
                if (!isnan(v))
                    fill_cell(c, x, flag, AT(c, i, t, u), t, u, v, rep);
            }
        }
}

/* The value time-series imputation gives year t of a series (xs: its year
 * 0, years nu apart) whose known years are the bits of kb (t not one, kb not
 * 0): latest the last known year before t (NaN when none); constant and
 * linear the first or last known value beyond the ends, else the last
 * known before t (constant) or R approx's line between the known years on
 * either side (linear). */
static double series_value(const struct cube *c, enum impute_method method, const double *xs,
                           size_t nu, uint64_t kb, int t)
{
    uint64_t below = kb & (((uint64_t)1 << t) - 1);
    uint64_t above = t < 63 ? kb >> (t + 1) : 0;
    int prev = below ? 63 - __builtin_clzll(below) : -1;
    int next = above ? t + 1 + __builtin_ctzll(above) : -1;
    if (method == IMPUTE_LATEST) return prev >= 0 ? xs[(size_t)prev * nu] : NAN;
    if (prev < 0) return xs[(size_t)next * nu];
    if (next < 0 || method == IMPUTE_CONSTANT) return xs[(size_t)prev * nu];
    /* R approx: y0 + (y1 - y0) * (x - x0)/(x1 - x0) */
    double x0 = c->year[prev], x1 = c->year[next];
    double y0 = xs[(size_t)prev * nu], y1 = xs[(size_t)next * nu];
    return y0 + (y1 - y0) * (((double)c->year[t] - x0) / (x1 - x0));
}

/* known[u]: bit t set when year t of unit u's series is known (not NaN),
 * from the ny <= 64 rows of one indicator (x: its first row), for units
 * [u0, nu), row by row. */
static void series_known_base(const double *restrict x, size_t u0, size_t nu, size_t ny,
                              uint64_t *restrict known)
{
    for (size_t u = u0; u < nu; u++) known[u] = 0;
    for (size_t t = 0; t < ny; t++) {
        const double *restrict row = x + t * nu;
        uint64_t bit = (uint64_t)1 << t;
        for (size_t u = u0; u < nu; u++) known[u] |= row[u] == row[u] ? bit : 0;
    }
}

#if SIMD_AVX512
/* The same for 8 units a vector, the bits kept in a register over the
 * years; the last nu % 8 units by series_known_base. */
SIMD_TARGET static void series_known_avx512(const double *x, size_t nu, size_t ny,
                                            uint64_t *known)
{
    size_t u = 0;
    for (; u + 8 <= nu; u += 8) {
        __m512i kb = _mm512_setzero_si512();
        for (size_t t = 0; t < ny; t++) {
            __m512d v = _mm512_loadu_pd(x + t * nu + u);
            __mmask8 pr = _mm512_cmp_pd_mask(v, v, _CMP_ORD_Q);
            kb = _mm512_mask_or_epi64(kb, pr, kb, _mm512_set1_epi64((long long)1 << t));
        }
        _mm512_storeu_si512(known + u, kb);
    }
    _mm256_zeroupper();   /* before scalar code: see simd.h */
    series_known_base(x, u, nu, ny, known);
}
#endif

static void series_known(const double *x, size_t nu, size_t ny, uint64_t *known, int avx512)
{
#if SIMD_AVX512
    if (avx512) {
        series_known_avx512(x, nu, ny, known);
        return;
    }
#endif
    (void)avx512;
    series_known_base(x, 0, nu, ny, known);
}

/* Time-series imputation (latest, constant, linear) of every series of at
 * most 64 years: the known years of each series are bits, so a series with
 * every year or none known is passed over and a missing year finds its
 * neighbours without a scan; drop[u] holds the bits of u's unit-years
 * screened out. Returns the cells left missing (not counting screened
 * unit-years); known and drop hold nu words. */
static size_t impute_series(const struct cube *c, double *x, uint8_t *flag,
                            enum impute_method method, uint64_t *known, uint64_t *drop,
                            struct prepare_report *rep)
{
    size_t nu = c->nunit, ny = c->nyear, left = 0;
    uint64_t full = ny == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ny) - 1;
    int avx512 = simd_avx512();
    for (size_t u = 0; u < nu; u++) {
        drop[u] = 0;
        for (size_t t = 0; t < ny; t++)
            drop[u] |= (uint64_t)(rep->dropped[t * nu + u] != 0) << t;
    }
    for (size_t i = 0; i < c->nind; i++) {
        double *xi = x + AT(c, i, 0, 0);
        series_known(xi, nu, ny, known, avx512);
        for (size_t u = 0; u < nu; u++) {
            uint64_t kb = known[u], miss = ~kb & full & ~drop[u];
            if (!miss) continue;
            if (kb == 0) {
                left += (size_t)__builtin_popcountll(miss);
                continue;
            }
            /* counted bit by bit: the baseline x86-64 has no popcnt, and
               the library call cost 1 % of a replication */
            for (; miss; miss &= miss - 1) {
                int t = __builtin_ctzll(miss);
                double v = series_value(c, method, xi + u, nu, kb, t);
                if (isnan(v)) {
                    left++;
                    continue;
                }
                fill_cell(c, x, flag, AT(c, i, (size_t)t, u), (size_t)t, u, v, rep);
            }
        }
    }
    return left;
}

int prepare_impute_grouped(const struct cube *c, double *x, uint8_t *flag,
                           enum impute_method method, const int *grp, int ngrp,
                           struct prepare_report *rep, struct diag *d)
{
    size_t nu = c->nunit, ny = c->nyear, ni = c->nind;
    if (method == IMPUTE_NONE) goto count;
    size_t nbuf = nu > ny ? nu : ny;
    double *buf = malloc((nbuf ? nbuf : 1) * sizeof *buf);
    double *gc = malloc(((size_t)ngrp + 1) * sizeof *gc);
    uint64_t *known = malloc((2 * nu + 1) * sizeof *known);
    if (!buf || !gc || !known) {
        free(buf);
        free(gc);
        free(known);
        goto nomem;
    }
    const uint8_t *drop = rep->dropped;
    switch (method) {
    case IMPUTE_MEAN: case IMPUTE_MEDIAN:
    case IMPUTE_GROUP_MEAN: case IMPUTE_GROUP_MEDIAN: {
        int med = method == IMPUTE_MEDIAN || method == IMPUTE_GROUP_MEDIAN;
        for (size_t i = 0; i < ni; i++)
            for (size_t t = 0; t < ny; t++) {
                double *xv = x + AT(c, i, t, 0);
                int any = 0;
                for (size_t u = 0; u < nu; u++)
                    if (isnan(xv[u]) && !drop[t * nu + u]) any = 1;
                if (!any) continue;
                double all = NAN;
                if (grp)
                    for (int g = 0; g < ngrp; g++)
                        gc[g] = centre(xv, nu, grp, g, med, buf);
                else
                    all = centre(xv, nu, NULL, 0, med, buf);
                for (size_t u = 0; u < nu; u++) {
                    if (!isnan(xv[u]) || drop[t * nu + u]) continue;
                    double v = grp ? (grp[u] >= 0 ? gc[grp[u]] : NAN) : all;
                    if (!isnan(v))
                        fill_cell(c, x, flag, AT(c, i, t, u), t, u, v, rep);
                }
            }
        break;
    }
    case IMPUTE_LATEST: case IMPUTE_CONSTANT: case IMPUTE_LINEAR:
        if (ny <= 64) {
            rep->impute_left = impute_series(c, x, flag, method, known, known + nu, rep);
            free(buf);
            free(gc);
            free(known);
            return 0;
        }
        impute_series_scan(c, x, flag, method, buf, rep);
        break;
    default:
        break;
    }
    free(buf);
    free(gc);
    free(known);
count:;
    size_t left = 0;
    for (size_t i = 0; i < ni; i++)
        for (size_t t = 0; t < ny; t++) {
            const double *xv = x + AT(c, i, t, 0);
            const uint8_t *dr = rep->dropped + t * nu;
            for (size_t u = 0; u < nu; u++) left += isnan(xv[u]) && !dr[u];
        }
    rep->impute_left = left;
    return 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "impute: out of memory");
    return -1;
}

/* ---- treat ------------------------------------------------------------ */

/* Central moments of the non-NaN values: n, Σd², Σd³, Σd⁴ about the mean. */
static size_t moments(const double *x, size_t n, double *m2, double *m3,
                      double *m4)
{
    size_t m = 0;
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k])) {
            s += x[k];
            m++;
        }
    *m2 = *m3 = *m4 = 0.0;
    if (m == 0) return 0;
    double mu = s / (double)m, r = 0.0;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k])) r += x[k] - mu;
    mu += r / (double)m;
    for (size_t k = 0; k < n; k++) {
        if (isnan(x[k])) continue;
        double dv = x[k] - mu, d2 = dv * dv;
        *m2 += d2;
        *m3 += d2 * dv;
        *m4 += d2 * d2;
    }
    return m;
}

double prepare_skew(const double *x, size_t n)
{
    double m2, m3, m4;
    size_t m = moments(x, n, &m2, &m3, &m4);
    if (m < 3 || m2 == 0.0) return NAN;
    double dn = (double)m;
    double y = sqrt(dn) * m3 / pow(m2, 1.5);
    return y * sqrt(dn * (dn - 1.0)) / (dn - 2.0);
}

double prepare_kurt(const double *x, size_t n)
{
    double m2, m3, m4;
    size_t m = moments(x, n, &m2, &m3, &m4);
    if (m < 4 || m2 == 0.0) return NAN;
    double dn = (double)m;
    double r = dn * m4 / (m2 * m2);
    return ((dn + 1.0) * (r - 3.0) + 6.0) * (dn - 1.0) / ((dn - 2.0) * (dn - 3.0));
}

/* COINr check_SkewKurt: pass when |skew| < ts or kurt < tk. */
static int passes(const double *x, size_t n, const struct prepare_treat_opts *o,
                  double *sk, double *kt)
{
    *sk = prepare_skew(x, n);
    *kt = prepare_kurt(x, n);
    if (isnan(*sk) || isnan(*kt)) return 1;
    return fabs(*sk) < o->skew_thresh || *kt < o->kurt_thresh;
}

static void log_ct(const double *x, double *y, size_t n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (!isnan(x[k])) {
            if (x[k] < lo) lo = x[k];
            if (x[k] > hi) hi = x[k];
        }
    for (size_t k = 0; k < n; k++)
        y[k] = isnan(x[k]) ? NAN : log(x[k] - lo + 0.01 * (hi - lo));
}

/* Transform a failing slice; returns how it was treated. */
static enum prepare_treat_how transform(const double *x, double *y, size_t n,
                                        const struct prepare_treat_opts *o)
{
    if (o->method == TREAT_LOG) {
        int ok = 1;
        for (size_t k = 0; k < n; k++)
            if (!isnan(x[k]) && x[k] <= 0.0) ok = 0;
        if (ok) {
            for (size_t k = 0; k < n; k++) y[k] = log(x[k]);
            return PREP_TREAT_LOG;
        }
    } else if (o->method == TREAT_BOXCOX) {
        double lo = INFINITY, lam = o->boxcox_lambda;
        for (size_t k = 0; k < n; k++)
            if (!isnan(x[k]) && x[k] < lo) lo = x[k];
        for (size_t k = 0; k < n; k++) {
            double v = x[k] - lo + 1.0;
            y[k] = lam == 0.0 ? log(v) : (pow(v, lam) - 1.0) / lam;
        }
        return PREP_TREAT_BOXCOX;
    }
    log_ct(x, y, n);
    return PREP_TREAT_LOG_CT;
}

/* COINr winsorise on w[0..n): returns 1 when it ends passing; hi/lo mark the
 * points of the last high / low replacement (COINr's imax / imin). */
static int winsorise(double *w, size_t n, const struct prepare_treat_opts *o,
                     uint8_t *hi, uint8_t *lo, int *nwin, double *sk,
                     double *kt)
{
    int passing = passes(w, n, o, sk, kt);
    int cnt = 0;
    memset(hi, 0, n);
    memset(lo, 0, n);
    while (!passing && cnt < o->winmax) {
        double s = prepare_skew(w, n);
        if (isnan(s)) break;
        int high = s >= 0.0;
        uint8_t *mk = high ? hi : lo;
        double ext = high ? -INFINITY : INFINITY;
        for (size_t k = 0; k < n; k++)
            if (!isnan(w[k]) && (high ? w[k] > ext : w[k] < ext)) ext = w[k];
        memset(mk, 0, n);
        double next = high ? -INFINITY : INFINITY;
        for (size_t k = 0; k < n; k++) {
            if (isnan(w[k])) continue;
            if (w[k] == ext) mk[k] = 1;
            else if (high ? w[k] > next : w[k] < next) next = w[k];
        }
        if (isinf(next)) break;    /* every value ties: nothing to replace by */
        for (size_t k = 0; k < n; k++)
            if (mk[k]) w[k] = next;
        cnt = 0;
        for (size_t k = 0; k < n; k++) cnt += hi[k] + lo[k];
        passing = passes(w, n, o, sk, kt);
    }
    *nwin = cnt;
    return passing;
}

/* Test and treat one slice xv[0..n) (one indicator in one year, or over
 * every year); the decision goes into row. Winsorised cells are flagged in
 * flag (the slice's own flags) and counted per unit-year through cell_ty,
 * the unit-year index of each cell. */
static void treat_slice(double *xv, uint8_t *flag, size_t n, const size_t *cell_ty,
                        const struct prepare_treat_opts *o, double *w, uint8_t *hi,
                        uint8_t *lo, struct prepare_treat_row *row,
                        struct prepare_report *rep)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) m += !isnan(xv[k]);
    row->n = m;
    row->how = PREP_TREAT_NOT_NEEDED;
    if (m < 4) {
        row->how = PREP_TREAT_TOO_FEW;
        return;
    }
    row->pass0 = passes(xv, n, o, &row->skew0, &row->kurt0);
    row->skew1 = row->skew0;
    row->kurt1 = row->kurt0;
    row->pass1 = row->pass0;
    if (isnan(row->skew0)) {
        row->how = PREP_TREAT_CONSTANT;
        return;
    }
    if (row->pass0) return;
    if (o->method == TREAT_WINSORISE) {
        memcpy(w, xv, n * sizeof *w);
        int ok = winsorise(w, n, o, hi, lo, &row->nwin, &row->skew_win, &row->kurt_win);
        if (ok) {
            for (size_t k = 0; k < n; k++) {
                if (w[k] == xv[k] || isnan(xv[k])) continue;
                if (w[k] < xv[k]) row->whigh++;
                else row->wlow++;
            }
            memcpy(xv, w, n * sizeof *w);
            row->how = PREP_TREAT_WINSORISED;
            row->skew1 = row->skew_win;
            row->kurt1 = row->kurt_win;
            row->pass1 = 1;
            for (size_t k = 0; k < n; k++) {
                if (!hi[k] && !lo[k]) continue;
                flag[k] |= hi[k] ? CUBE_TREATED_HIGH : CUBE_TREATED_LOW;
                if (hi[k]) row->nhigh++;
                else row->nlow++;
                rep->treated_points++;
                rep->treated_by_unit[cell_ty[k]]++;
            }
            rep->treated_slices++;
            return;
        }
    }
    /* transform the original values */
    row->how = transform(xv, w, n, o);
    memcpy(xv, w, n * sizeof *w);
    row->pass1 = passes(xv, n, o, &row->skew1, &row->kurt1);
    rep->treated_slices++;
}

int prepare_treat(const struct cube *c, double *x, uint8_t *flag,
                  const struct prepare_treat_opts *o,
                  struct prepare_report *rep, struct diag *d)
{
    size_t nu = c->nunit, ny = c->nyear;
    if (o->method == TREAT_NONE) return 0;
    int pooled = o->pooled && ny > 1;
    size_t len = pooled ? ny * nu : nu;
    double *w = malloc((len ? len : 1) * sizeof *w);
    uint8_t *hi = malloc(len ? len : 1), *lo = malloc(len ? len : 1);
    size_t *cell_ty = malloc((len ? len : 1) * sizeof *cell_ty);
    if (!w || !hi || !lo || !cell_ty) {
        free(w);
        free(hi);
        free(lo);
        free(cell_ty);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "treat: out of memory");
        return -1;
    }
    rep->treat_done = 1;
    rep->treat_pooled = pooled;
    for (size_t i = 0; i < c->nind; i++) {
        if (pooled) {
            /* the indicator's years are contiguous: one slice */
            for (size_t k = 0; k < len; k++) cell_ty[k] = k;
            struct prepare_treat_row *row = &rep->treat[i * ny];
            treat_slice(x + AT(c, i, 0, 0), flag + AT(c, i, 0, 0), len, cell_ty, o, w,
                        hi, lo, row, rep);
            for (size_t t = 1; t < ny; t++) {
                struct prepare_treat_row *r = &rep->treat[i * ny + t];
                *r = *row;
                r->year = (int)t;
            }
            continue;
        }
        for (size_t t = 0; t < ny; t++) {
            for (size_t u = 0; u < nu; u++) cell_ty[u] = t * nu + u;
            treat_slice(x + AT(c, i, t, 0), flag + AT(c, i, t, 0), nu, cell_ty, o, w, hi,
                        lo, &rep->treat[i * ny + t], rep);
        }
    }
    free(w);
    free(hi);
    free(lo);
    free(cell_ty);
    return 0;
}

void prepare_screen_hold(const struct cube *c, double *x, uint8_t *flag,
                         const uint8_t *dropped)
{
    size_t nu = c->nunit, ny = c->nyear;
    for (size_t t = 0; t < ny; t++)
        for (size_t u = 0; u < nu; u++) {
            if (!dropped[t * nu + u]) continue;
            for (size_t i = 0; i < c->nind; i++) {
                x[AT(c, i, t, u)] = NAN;
                if (flag) flag[AT(c, i, t, u)] |= CUBE_SCREENED;
            }
        }
}

/* Replace the k largest (high) or smallest present values of x[0..n) by
 * the next one, ties broken by position; best holds k + 1 indices.
 * O(n k): k is the count winsorised, at most winmax (5 by default). */
static void clamp_extremes(double *x, size_t n, int k, int high, size_t *best)
{
    int m = 0;
    for (size_t j = 0; j < n; j++) {
        double v = x[j];
        if (isnan(v)) continue;
        /* insertion into the k + 1 most extreme, most extreme first */
        int pos = m;
        while (pos > 0 && (high ? v > x[best[pos - 1]] : v < x[best[pos - 1]])) pos--;
        if (pos > k) continue;
        int last = m < k + 1 ? m : k;
        for (int q = last; q > pos; q--) best[q] = best[q - 1];
        best[pos] = j;
        if (m < k + 1) m++;
    }
    if (m <= k) return;    /* fewer values than the count held */
    double limit = x[best[k]];
    for (int q = 0; q < k; q++) x[best[q]] = limit;
}

void prepare_treat_hold(const struct cube *c, double *x,
                        const struct prepare_treat_opts *o,
                        const struct prepare_report *held, size_t *ibuf)
{
    size_t nu = c->nunit, ny = c->nyear;
    if (o->method == TREAT_NONE || !held->treat_done) return;
    int pooled = held->treat_pooled;
    size_t len = pooled ? ny * nu : nu, nslice = pooled ? 1 : ny;
    for (size_t i = 0; i < c->nind; i++)
        for (size_t t = 0; t < nslice; t++) {
            const struct prepare_treat_row *row = &held->treat[i * ny + t];
            double *xv = x + AT(c, i, t, 0);
            switch (row->how) {
            case PREP_TREAT_WINSORISED:
                if (row->whigh > 0)
                    clamp_extremes(xv, len, row->whigh, 1, ibuf);
                if (row->wlow > 0)
                    clamp_extremes(xv, len, row->wlow, 0, ibuf);
                break;
            case PREP_TREAT_LOG:
                /* held, so no fallback to log_CT when a value is <= 0: that
                   would put this evaluation's whole slice on another scale */
                for (size_t k = 0; k < len; k++)
                    if (!isnan(xv[k])) xv[k] = xv[k] > 0.0 ? log(xv[k]) : NAN;
                break;
            case PREP_TREAT_LOG_CT: case PREP_TREAT_BOXCOX: {
                struct prepare_treat_opts to = *o;
                to.method = row->how == PREP_TREAT_LOG_CT ? TREAT_LOG_CT : TREAT_BOXCOX;
                transform(xv, xv, len, &to);   /* in place: y[k] reads only x[k] */
                break;
            }
            default:
                break;
            }
        }
}
