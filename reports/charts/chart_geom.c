/* chart_geom.c: linear scales, nice ticks, label de-overlap and colour
 * scales for the charts (see chart_geom.h). Pure functions: no drawing, no
 * allocation, no global state.
 */
#include "chart_geom.h"

#include <math.h>
#include <stdlib.h>

double chart_scale_map(const struct chart_scale *s, double v)
{
    if (s->d1 == s->d0)
        return (s->r0 + s->r1) / 2;
    return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

/* Heckbert's nice number: 1, 2, 5 or 10 times a power of ten, rounded to
 * the nearest when round, else the smallest not below x. */
static double nice_num(double x, int round)
{
    double e = floor(log10(x));
    double p = pow(10, e);
    double f = x / p, nf;
    if (round)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * p;
}

int chart_nice_ticks(double lo, double hi, int target, struct chart_ticks *t)
{
    if (!isfinite(lo) && !isfinite(hi)) {
        lo = 0;
        hi = 1;
    } else if (!isfinite(lo)) {
        lo = hi;
    } else if (!isfinite(hi)) {
        hi = lo;
    }
    if (lo > hi) {
        double s = lo;
        lo = hi;
        hi = s;
    }
    if (hi == lo) {
        double w = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
        lo -= w;
        hi += w;
    }
    if (target < 2)
        target = 2;
    double range = nice_num(hi - lo, 0);
    double step = nice_num(range / (target - 1), 1);
    double a = floor(lo / step + 1e-9) * step;
    double b = ceil(hi / step - 1e-9) * step;
    int n = (int)lround((b - a) / step) + 1;
    while (n > CHART_TICKS_MAX) {   /* target far above the maximum */
        step *= 2;
        a = floor(lo / step + 1e-9) * step;
        b = ceil(hi / step - 1e-9) * step;
        n = (int)lround((b - a) / step) + 1;
    }
    if (n < 2) {
        b = a + step;
        n = 2;
    }
    t->lo = a;
    t->hi = b;
    t->step = step;
    t->n = n;
    int dec = (int)-floor(log10(step) + 1e-9);
    t->decimals = dec > 0 ? dec : 0;
    return n;
}

double chart_tick_value(const struct chart_ticks *t, int i)
{
    double v = t->lo + i * t->step;
    double q = pow(10, t->decimals);
    v = round(v * q) / q;
    return v == 0 ? 0 : v;   /* no "-0" */
}

/* Label order by wanted position; ties keep index order. */
static int cmp_pos_idx(const void *pa, const void *pb, const double *pos)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (pos[a] < pos[b])
        return -1;
    if (pos[a] > pos[b])
        return 1;
    return (a > b) - (a < b);
}

int chart_labels_spread(double *pos, const double *size, size_t n, double lo,
                        double hi, double gap)
{
    if (n == 0)
        return 0;
    size_t *idx = malloc(n * sizeof *idx);
    struct cl { size_t s, e; double ext, sum; } *c = malloc(n * sizeof *c);
    if (!idx || !c) {
        free(idx);
        free(c);
        return -1;
    }
    /* insertion sort (label sets are small and mostly sorted already) */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && cmp_pos_idx(&idx[j - 1], &i, pos) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    /* A cluster's top edge is the mean over its members of
     * (wanted centre - centre offset from the cluster's top), which places
     * the mean centre at the mean wanted centre. sum holds that total. */
    size_t nc = 0;
    for (size_t k = 0; k < n; k++) {
        double h = size[idx[k]];
        c[nc] = (struct cl){k, k, h, pos[idx[k]] - h / 2};
        nc++;
        while (nc >= 2) {
            struct cl *p = &c[nc - 2], *q = &c[nc - 1];
            double ptop = p->sum / (double)(p->e - p->s + 1);
            double qtop = q->sum / (double)(q->e - q->s + 1);
            if (ptop + p->ext + gap <= qtop)
                break;
            double shift = p->ext + gap;
            p->sum += q->sum - shift * (double)(q->e - q->s + 1);
            p->ext += gap + q->ext;
            p->e = q->e;
            nc--;
        }
    }
    double total = 0;
    for (size_t q = 0; q < nc; q++) {
        double y = c[q].sum / (double)(c[q].e - c[q].s + 1);
        for (size_t m = c[q].s; m <= c[q].e; m++) {
            pos[idx[m]] = y + size[idx[m]] / 2;
            y += size[idx[m]] + gap;
        }
        total += c[q].ext + (q + 1 < nc ? gap : 0);
    }
    if (hi > lo && total <= hi - lo) {
        /* nothing above lo, then nothing below hi (keeps the gaps) */
        double at = lo;
        for (size_t k = 0; k < n; k++) {
            double top = pos[idx[k]] - size[idx[k]] / 2;
            if (top < at)
                pos[idx[k]] += at - top;
            at = pos[idx[k]] + size[idx[k]] / 2 + gap;
        }
        at = hi;
        for (size_t k = n; k-- > 0;) {
            double bot = pos[idx[k]] + size[idx[k]] / 2;
            if (bot > at)
                pos[idx[k]] -= bot - at;
            at = pos[idx[k]] - size[idx[k]] / 2 - gap;
        }
    }
    free(idx);
    free(c);
    return 0;
}

static const uint32_t viridis10[10] = {
    0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E,
    0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725,
};

uint32_t chart_viridis(double x)
{
    if (isnan(x))
        return 0x999999;
    if (x < 0)
        x = 0;
    if (x > 1)
        x = 1;
    double p = x * 9;
    int k = (int)floor(p);
    if (k >= 9)
        return viridis10[9];
    double f = p - k;
    uint32_t a = viridis10[k], b = viridis10[k + 1], out = 0;
    for (int sh = 16; sh >= 0; sh -= 8) {
        double ca = (a >> sh) & 0xFF, cb = (b >> sh) & 0xFF;
        uint32_t c = (uint32_t)lround(ca + (cb - ca) * f);
        out |= c << sh;
    }
    return out;
}

uint32_t chart_okabe_ito(unsigned i)
{
    static const uint32_t pal[8] = {
        0x000000, 0xE69F00, 0x56B4E9, 0x009E73,
        0xF0E442, 0x0072B2, 0xD55E00, 0xCC79A7,
    };
    return pal[i % 8];
}

static double lin(double c)
{
    c /= 255;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

uint32_t chart_text_on(uint32_t bg)
{
    double L = 0.2126 * lin((bg >> 16) & 0xFF) + 0.7152 * lin((bg >> 8) & 0xFF) +
               0.0722 * lin(bg & 0xFF);
    return L > 0.179 ? 0x000000 : 0xFFFFFF;
}

/* The slack of a label at bisector radius rho in gap g (see
 * chart_radar_ring_gaps). */
static double ring_slack(const double *r, int nseries, int n, int g, double rho,
                         double hw, double hh)
{
    const double PI = 3.14159265358979323846;
    double half = cos(PI / n), a = -PI / 2 + 2 * PI * (g + 0.5) / n;
    int k2 = (g + 1) % n;
    double d = INFINITY;
    for (int s = 0; s < nseries; s++) {
        double ra = r[(size_t)s * (size_t)n + (size_t)g];
        double rb = r[(size_t)s * (size_t)n + (size_t)k2];
        if (!isfinite(ra) || !isfinite(rb))
            continue;
        double x = ra + rb == 0 ? 0 : 2 * ra * rb * half / (ra + rb);
        d = fmin(d, fabs(rho - x));
    }
    return d - (fabs(cos(a)) * hw + fabs(sin(a)) * hh);
}

int chart_radar_ring_gaps(const double *r, int nseries, int n, const double *ring,
                          int nring, double hw, double hh, int *gap)
{
    for (int i = 0; i < nring; i++)
        gap[i] = 0;
    if (n < 2 || nring <= 0)
        return 0;
    const double PI = 3.14159265358979323846;
    double half = cos(PI / n);
    int best = 0, best_ok = -1;
    double best_d = -INFINITY;
    for (int g = 0; g < n; g++) {
        int ok = 0;
        double d = INFINITY;
        for (int i = 0; i < nring; i++) {
            double e = ring_slack(r, nseries, n, g, ring[i] * half, hw, hh);
            ok += e >= 0;
            d = fmin(d, e);
        }
        if (ok > best_ok || (ok == best_ok && d > best_d)) {
            best_ok = ok;
            best_d = d;
            best = g;
        }
    }
    for (int i = 0; i < nring; i++) {
        double rho = ring[i] * half;
        if (ring_slack(r, nseries, n, best, rho, hw, hh) >= 0) {
            gap[i] = best;
            continue;
        }
        double bd = -INFINITY;
        for (int g = 0; g < n; g++) {
            double e = ring_slack(r, nseries, n, g, rho, hw, hh);
            if (e > bd) {
                bd = e;
                gap[i] = g;
            }
        }
    }
    return best;
}
