/* chart_list.c: the kind table, the list of charts a run draws
 * (chart_list_build) and chart_render, which draws one item with its
 * kind's drawer.
 *
 * Invariants: KIND[] is CHART_KINDS expanded, indexed by enum chart_kind,
 * so a kind's stem prefix, scope, planner and drawer cannot drift apart;
 * the list holds the once, per-node and per-page kinds in table order,
 * then for each unit in index order (c->order) its per-unit kinds in table
 * order; every stem is unique within the list. Planning draws nothing.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "sensitivity.h"

typedef int (*chart_plan_fn)(const struct chart_ctx *c, struct chart_item *it);
typedef void (*chart_draw_fn)(struct chart_pen *p, const struct chart_ctx *c,
                              const struct chart_item *it);

static const struct {
    const char *prefix;      /* file stem: prefix, or prefix-slug */
    enum chart_scope scope;
    int needs;               /* CHART_NEEDS_* bits */
    chart_plan_fn plan;
    chart_draw_fn draw;
} KIND[] = {
#define X(KIND, name, prefix, scope, needs) \
    {prefix, scope, needs, chart_plan_##name, chart_draw_##name},
    CHART_KINDS(X)
#undef X
};

/* Does the run have what kind k needs? Trends: computed, and scores
 * comparable over time (not per-year scope, where no chart may claim a
 * change). */
static int kind_ready(const struct chart_ctx *c, int k)
{
    const struct sensitivity *s = c->in->sens;
    int needs = KIND[k].needs;
    return !((needs & CHART_NEEDS_TRENDS && !(c->tr && c->tr->comparable)) ||
             (needs & CHART_NEEDS_SENSITIVITY && !s) ||
             (needs & CHART_NEEDS_SOBOL && (!s || s->mode != SENS_SA)));
}

void chart_list_init(struct chart_list *l) { memset(l, 0, sizeof *l); }

void chart_list_free(struct chart_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].stem);
        free(l->v[i].title);
        free(l->v[i].subtitle);
        free(l->v[i].alt);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static struct chart_item *list_add(struct chart_list *l, enum chart_kind k,
                                   int node, long unit)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        struct chart_item *v = realloc(l->v, na * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->alloc = na;
    }
    struct chart_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    it->kind = k;
    it->node = node;
    it->unit = unit;
    it->page = it->npage = 1;
    return it;
}

/* stem = prefix-slug(text), or prefix when text is NULL, made unique
 * within the first upto items of l with -2, -3, ... (a linear search: the
 * list is at most a few thousand items and this runs once per chart). */
static char *unique_stem(const struct chart_list *l, size_t upto,
                         const char *prefix, const char *text)
{
    char slug[128], buf[200];
    if (text)
        path_slug(text, slug, sizeof slug);
    if (text)
        snprintf(buf, sizeof buf, "%s-%s", prefix, slug);
    else
        snprintf(buf, sizeof buf, "%s", prefix);
    char try[220];
    snprintf(try, sizeof try, "%s", buf);
    for (int k = 2;; k++) {
        int clash = 0;
        for (size_t i = 0; i < upto && !clash; i++)
            clash = l->v[i].stem && strcmp(l->v[i].stem, try) == 0;
        if (!clash)
            break;
        snprintf(try, sizeof try, "%s-%d", buf, k);
    }
    return chart_strdup(try);
}

/* Appends an item of kind k with its stem (from text, may be NULL) and
 * plans it. Returns 0, or -1 on ENOMEM. */
static int add(const struct chart_ctx *c, struct chart_list *out, enum chart_kind k,
               int node, long unit, int page, int npage, const char *text)
{
    struct chart_item *it = list_add(out, k, node, unit);
    if (!it)
        return -1;
    it->page = page;
    it->npage = npage;
    if (!(it->stem = unique_stem(out, out->n - 1, KIND[k].prefix, text)))
        return -1;
    return KIND[k].plan(c, it);
}

/* The items of a kind that is not per unit. Returns 0, or -1 on ENOMEM. */
static int add_kind(const struct chart_ctx *c, struct chart_list *out, enum chart_kind k)
{
    const struct framework *fw = c->in->fw;
    int rc = 0;
    switch (KIND[k].scope) {
    case CHART_ONCE:
        return add(c, out, k, -1, -1, 1, 1, NULL);
    case CHART_PER_NODE:
        for (int i = 0; i < c->ntop && rc == 0; i++)
            rc = add(c, out, k, c->top[i], -1, 1, 1, fw->node[c->top[i]].code);
        return rc;
    case CHART_PER_PAGE: {
        int np = chart_heatmap_pages(c);
        for (int p = 1; p <= np && rc == 0; p++) {
            char num[16];
            snprintf(num, sizeof num, "%d", p);
            rc = add(c, out, k, -1, -1, p, np, np > 1 ? num : NULL);
        }
        return rc;
    }
    case CHART_PER_UNIT:
    case CHART_PER_PLANNED_UNIT:
        break;
    }
    return 0;
}

/* 1 for the scopes whose items are made unit by unit. */
static int per_unit(enum chart_scope s)
{
    return s == CHART_PER_UNIT || s == CHART_PER_PLANNED_UNIT;
}

int chart_list_build(const struct chart_ctx *c, struct chart_list *out,
                     struct diag *d)
{
    const struct cube *cb = c->in->cube;
    int rc = 0;
    for (int k = 0; k < CHART_NKIND && rc == 0; k++)
        if (!per_unit(KIND[k].scope) && kind_ready(c, k))
            rc = add_kind(c, out, (enum chart_kind)k);
    for (size_t i = 0; i < cb->nunit && rc == 0; i++) {
        size_t u = c->order[i];   /* in index order: reads well in a folder too */
        for (int k = 0; k < CHART_NKIND && rc == 0; k++)
            if (per_unit(KIND[k].scope) && kind_ready(c, k) &&
                (KIND[k].scope == CHART_PER_PLANNED_UNIT ? chart_unit_has_objectives(c, u)
                                                         : chart_unit_selected(c, u)))
                rc = add(c, out, (enum chart_kind)k, -1, (long)u, 1, 1, cb->unit[u]);
    }
    for (size_t i = 0; i < out->n; i++)
        if (!out->v[i].title || !out->v[i].subtitle || !out->v[i].alt)
            rc = -1;
    if (rc == 0)
        return 0;
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
    return -1;
}

void chart_render(struct chart_pen *p, const struct chart_ctx *c,
                  const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    cairo_save(cr);
    if ((unsigned)it->kind < CHART_NKIND && kind_ready(c, (int)it->kind))
        KIND[it->kind].draw(p, c, it);
    cairo_restore(cr);
}
