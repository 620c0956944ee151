/* groups.c: scores compared across the groups of a unit attribute (see
 * groups.h).
 *
 * Layout: the units are sorted once into groups (member[], each group's
 * units contiguous, in cube order within it); every statistic is then one
 * pass over a group's members for each node, into a scratch buffer sorted
 * for the median. Invariant: every array is [ngroup * nnode] in
 * GROUPS_AT order, allocated in one block with the struct.
 */
#include "groups.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int groups_attr_usable(const struct cube *c, int attr)
{
    if (!c || attr < 0 || (size_t)attr >= c->nattr || !c->attr)
        return 0;
    if (c->attr_name && c->attr_name[attr] && strcmp(c->attr_name[attr], "name_zh") == 0)
        return 0;
    size_t with = 0, distinct = 0;
    for (size_t u = 0; u < c->nunit; u++) {
        const char *v = c->attr[u * c->nattr + (size_t)attr];
        if (!v || !v[0])
            continue;
        with++;
        size_t k = 0;
        for (; k < u; k++) {
            const char *w = c->attr[k * c->nattr + (size_t)attr];
            if (w && strcmp(v, w) == 0)
                break;
        }
        distinct += k == u;
    }
    return distinct >= 2 && distinct < with;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n), sorted in place; NaN when n is 0. */
static double median_of(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_dbl);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void groups_free(struct groups *g)
{
    if (!g)
        return;
    free(g->value);
    free(g->units);
    free(g->member);
    free(g->first);
    free(g->node);
    free(g->scored);
    free(g->median);
    free(g->base_rise);
    free(g);
}

/* The distinct values of attr into g->value (sorted, "" last when some
 * unit has none) and each unit's group into member/first/units. Returns 0,
 * or -1 on ENOMEM. */
static int group_units(struct groups *g, const struct cube *c, int attr)
{
    size_t nu = c->nunit, nv = 0;
    const char **val = malloc((nu + 1) * sizeof *val);
    g->member = malloc((nu + 1) * sizeof *g->member);
    if (!val || !g->member) {
        free(val);
        return -1;
    }
    int none = 0;
    for (size_t u = 0; u < nu; u++) {
        const char *v = c->attr[u * c->nattr + (size_t)attr];
        if (!v || !v[0]) {
            none = 1;
            continue;
        }
        size_t k = 0;
        while (k < nv && strcmp(val[k], v) != 0)
            k++;
        if (k == nv)
            val[nv++] = v;
    }
    qsort(val, nv, sizeof *val, cmp_str);
    if (none)
        val[nv++] = "";
    g->value = val;
    g->ngroup = nv;
    g->units = calloc(nv + 1, sizeof *g->units);
    g->first = calloc(nv + 1, sizeof *g->first);
    if (!g->units || !g->first)
        return -1;
    size_t m = 0;
    for (size_t k = 0; k < nv; k++) {
        g->first[k] = m;
        for (size_t u = 0; u < nu; u++) {
            const char *v = c->attr[u * c->nattr + (size_t)attr];
            if (strcmp(v ? v : "", val[k]) == 0)
                g->member[m++] = u;
        }
        g->units[k] = m - g->first[k];
    }
    return 0;
}

/* The statistics of group k and node j. buf holds nunit doubles. */
static void group_cell(struct groups *g, const struct results *r, const struct trends *tr,
                       size_t k, int j, size_t t, double *buf)
{
    size_t at = GROUPS_AT(g, k, j), n = 0, nb = 0, np = 0;
    int node = g->node[j];
    double lo = INFINITY, hi = -INFINITY;
    const size_t *mem = g->member + g->first[k];
    for (size_t i = 0; i < g->units[k]; i++) {
        double v = r->score[RES_AT(r, (size_t)node, t, mem[i])];
        if (!isfinite(v))
            continue;
        buf[n++] = v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    g->scored[at] = n;
    g->median[at] = median_of(buf, n);
    g->low[at] = n ? lo : NAN;
    g->high[at] = n ? hi : NAN;
    g->base_median[at] = g->prev_median[at] = NAN;
    if (!tr)
        return;
    for (size_t i = 0; i < g->units[k]; i++) {
        size_t c = TREND_AT(tr, node, mem[i]);
        if (isfinite(tr->change_since_base[c]))
            buf[nb++] = tr->change_since_base[c];
        if (tr->change_significant && tr->change_significant[c]) {
            g->base_rise[at] += tr->change_since_base[c] > 0;
            g->base_fall[at] += tr->change_since_base[c] < 0;
        }
    }
    g->base_median[at] = median_of(buf, nb);
    for (size_t i = 0; i < g->units[k]; i++) {
        size_t c = TREND_AT(tr, node, mem[i]);
        if (tr->change_prev && isfinite(tr->change_prev[c]))
            buf[np++] = tr->change_prev[c];
        if (tr->change_prev_significant && tr->change_prev_significant[c]) {
            g->prev_rise[at] += tr->change_prev[c] > 0;
            g->prev_fall[at] += tr->change_prev[c] < 0;
        }
    }
    g->prev_median[at] = median_of(buf, np);
}

int groups_compute(const struct cube *c, const struct results *r, const struct trends *tr,
                   int attr, int t, const int *node, int nnode, struct groups **out,
                   struct diag *d)
{
    *out = NULL;
    if (!c || !r || attr < 0 || (size_t)attr >= c->nattr || t < 0 || (size_t)t >= r->nyear ||
        nnode < 0 || r->nunit != c->nunit) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "groups: attribute or year out of range");
        return -1;
    }
    for (int j = 0; j < nnode; j++)
        if (node[j] < 0 || (size_t)node[j] >= r->nnode) {
            diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "groups: node %d out of range", node[j]);
            return -1;
        }
    if (tr && (tr->nunit != r->nunit || tr->nnode != r->nnode))
        tr = NULL;
    struct groups *g = calloc(1, sizeof *g);
    double *buf = malloc((c->nunit + 1) * sizeof *buf);
    if (!g || !buf || group_units(g, c, attr) != 0)
        goto nomem;
    g->attr = attr;
    g->attr_name = c->attr_name ? c->attr_name[attr] : "";
    g->year = c->year[t];
    g->nnode = nnode;
    size_t cells = g->ngroup * (size_t)nnode + 1;
    g->node = malloc(((size_t)nnode + 1) * sizeof *g->node);
    g->scored = calloc(cells, sizeof *g->scored);
    g->median = malloc(5 * cells * sizeof *g->median);   /* median, low, high, base, prev */
    g->base_rise = calloc(4 * cells, sizeof *g->base_rise);
    if (!g->node || !g->scored || !g->median || !g->base_rise)
        goto nomem;
    memcpy(g->node, node, (size_t)nnode * sizeof *node);
    g->low = g->median + cells;
    g->high = g->median + 2 * cells;
    g->base_median = g->median + 3 * cells;
    g->prev_median = g->median + 4 * cells;
    g->base_fall = g->base_rise + cells;
    g->prev_rise = g->base_rise + 2 * cells;
    g->prev_fall = g->base_rise + 3 * cells;
    for (size_t k = 0; k < g->ngroup; k++)
        for (int j = 0; j < nnode; j++)
            group_cell(g, r, tr, k, j, (size_t)t, buf);
    free(buf);
    *out = g;
    return 0;
nomem:
    free(buf);
    groups_free(g);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "groups: out of memory");
    return -1;
}
