/* report_units.c: the units. Each unit chart_unit_selected selects (every
 * unit with an index score in networks of up to CHART_UNITS_ALL units,
 * else those [report] units names) gets one page, in index order:
 *
 *   Yuen Long 元朗區                              (heading, in the contents)
 *   region: New Territories
 *   Index 92.5 [91.2–93.1], rank 1 of 18 [1–1]. Since 2025: +1.2 [...],
 *   a significant rise. Since 2016: ...                         (headline)
 *   Highest and lowest area of focus; progress of the index.
 *   table: the index and the areas (with trends), or the index, areas and
 *          areas of focus (without): score, rank, changes, progress
 *   chart: the unit's trends (trend-UNIT), or without trends its profile,
 *          scaled to the rest of the page, footer cropped
 *
 * In larger networks the other units are listed, grouped by the report's
 * attribute when it has one (a subsection per group), one table row each;
 * units without an index score are named, never given a page ("not
 * scored: too little data").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pdf_int.h"

#define DASH "\xE2\x80\x93"

static int fin(double x) { return isfinite(x) != 0; }

static double sc(const struct doc *dc, int node, size_t u)
{
    const struct results *r = dc->c->in->res;
    return r->score[RES_AT(r, node, dc->c->t, u)];
}

/* Units with a score of node in the year. */
static size_t scored(const struct doc *dc, int node)
{
    size_t n = 0;
    for (size_t u = 0; u < dc->c->in->cube->nunit; u++)
        n += fin(sc(dc, node, u));
    return n;
}

/* The headline of unit u: index with interval, rank with its interval of
 * how many, the two changes with their intervals and significance. */
static void headline(struct doc *dc, size_t u)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    char b[1200], s1[96], r1[64], ch[96];
    snprintf(b, sizeof b, "Index %s, rank %s of %zu.", rpdf_score(dc, root, u, s1, sizeof s1),
             rpdf_rank(dc, root, c->t, u, r1, sizeof r1), scored(dc, root));
    for (int prev = 1; prev >= 0 && dc->changes && c->tr; prev--) {
        int sign = rpdf_change_sign(dc, root, u, prev);
        if (sign == 3)
            continue;
        int since = prev ? c->year - 1 : rpdf_base_year(dc, root, u);
        size_t l = strlen(b);
        snprintf(b + l, sizeof b - l, " Since %d: %s, %s.", since,
                 rpdf_change(dc, root, u, prev, 1, ch, sizeof ch), rpdf_change_word(sign));
    }
    rpdf_para(dc, b, 10, 1, 0x111111, 4);
}

/* Its highest and lowest area of focus and the index's progress class. */
static void strengths(struct doc *dc, size_t u)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    long hi = -1, lo = -1;
    for (int f = 0; f < c->nfocus; f++) {
        double v = sc(dc, c->focus[f], u);
        if (!fin(v) || c->focus[f] == root)
            continue;
        if (hi < 0 || v > sc(dc, c->focus[hi], u))
            hi = f;
        if (lo < 0 || v < sc(dc, c->focus[lo], u))
            lo = f;
    }
    char b[1200], w[64], r1[64], r2[64];
    b[0] = '\0';
    if (hi >= 0 && lo != hi)
        snprintf(b, sizeof b, "Its highest %s: %s, %.1f (rank %s); its lowest: %s, %.1f "
                 "(rank %s).", chart_level_words(c->in, c->in->fw->node[c->focus[0]].level, 0,
                                                 w, sizeof w),
                 chart_node_short(c, c->focus[hi]), sc(dc, c->focus[hi], u),
                 rpdf_rank(dc, c->focus[hi], c->t, u, r1, sizeof r1),
                 chart_node_short(c, c->focus[lo]), sc(dc, c->focus[lo], u),
                 rpdf_rank(dc, c->focus[lo], c->t, u, r2, sizeof r2));
    const char *pg = rpdf_progress(dc, root, u);
    if (pg[0]) {
        size_t l = strlen(b);
        snprintf(b + l, sizeof b - l, "%sProgress of the index since %d: %s.", l ? " " : "",
                 rpdf_base_year(dc, root, u), pg);
    }
    if (b[0])
        rpdf_para(dc, b, 9.5, 0, INK_TEXT, 6);
}

/* The unit's table: the areas (and the index when the headline gives no
 * changes), and the areas of focus when focus is set. */
static void unit_table(struct doc *dc, size_t u, int focus)
{
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    int chg = dc->changes && c->tr;
    char h1[64], h3[64], h4[64];
    int base = c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0];
    snprintf(h1, sizeof h1, "Score %d", c->year);
    snprintf(h3, sizeof h3, "Since %d", c->year - 1);
    snprintf(h4, sizeof h4, "Since %d", base);
    const char *head[6] = {"", h1, "Rank", h3, h4, "Progress"};
    static const double wc[6] = {122, 80, 44, 84, 84, 81};
    static const double wn[3] = {275, 130, 90};
    static const char al[6] = {'l', 'l', 'l', 'l', 'l', 'l'};
    struct rpdf_table t = {chg ? 6 : 3, chg ? wc : wn, al, head, 7, 0, 0};
    rpdf_table_begin(dc, &t);
    for (int k = 0; k < c->ntop; k++) {
        int node = c->top[k];
        int lv = fw->node[node].level, is_focus = lv < fw->nlevel - 1;
        if ((is_focus && !focus) || (node == fw->root && chg))
            continue;   /* with changes the headline has the index */
        char name[300], s1[96], r1[64], p1[128], p0[128];
        if (node == fw->root)
            snprintf(name, sizeof name, "%s", chart_node_short(c, node));
        else
            chart_node_label(&fw->node[node], name, sizeof name);
        const char *cell[6] = {name, rpdf_score(dc, node, u, s1, sizeof s1),
                               rpdf_rank(dc, node, c->t, u, r1, sizeof r1),
                               rpdf_change_cell(dc, node, u, 1, 1, p1, sizeof p1),
                               rpdf_change_cell(dc, node, u, 0, 1, p0, sizeof p0),
                               rpdf_progress(dc, node, u)};
        rpdf_table_row(dc, &t, cell, node == fw->root, is_focus ? 10 : 0);
    }
    rpdf_table_end(dc, &t);
}

static void unit_page(struct doc *dc, size_t u, int first)
{
    const struct chart_ctx *c = dc->c;
    if (!first)
        rpdf_new_page(dc);
    rpdf_heading_keep(dc, c->label[u], 2, 300);
    char at[600];
    if (rpdf_unit_attrs(dc, u, at, sizeof at)[0])
        rpdf_para(dc, at, 9, 0, INK_SOFT, 4);
    headline(dc, u);
    strengths(dc, u);
    const struct chart_item *it = dc->changes ? rpdf_find_chart(dc, CHART_TREND, -1, (long)u, 0)
                                              : NULL;
    unit_table(dc, u, it == NULL);
    if (!it)
        it = rpdf_find_chart(dc, CHART_PROFILE, -1, (long)u, 0);
    if (it)
        rpdf_chart_fill(dc, it, BOTTOM - MARGIN, 0.45);
}

/* ---- larger networks: units listed ---------------------------------------- */

static void list_head(const struct doc *dc, const char **head, char (*hb)[64])
{
    int base = dc->c->in->cfg ? dc->c->in->cfg->base_year : dc->c->in->cube->year[0];
    snprintf(hb[0], sizeof hb[0], "Index %d", dc->c->year);
    snprintf(hb[1], sizeof hb[1], "Since %d", base);
    head[0] = "Unit";
    head[1] = hb[0];
    head[2] = "Rank";
    head[3] = hb[1];
    head[4] = "Progress";
}

/* The units of group k (every unit when g is NULL) in index order: a row
 * each for those with an index score, then a sentence naming the others. */
static void list_units(struct doc *dc, const struct groups *g, size_t k)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    size_t nu = c->in->cube->nunit;
    const char *head[5];
    char hb[2][64];
    list_head(dc, head, hb);
    static const double w[5] = {175, 85, 70, 90, 75};
    static const char al[5] = {'l', 'l', 'l', 'l', 'l'};
    struct rpdf_table t = {dc->changes ? 5 : 3, w, al, head, 7.5, 0, 0};
    char *none = malloc(8192);
    if (!none) {
        dc->oom = 1;
        return;
    }
    none[0] = '\0';
    size_t nnone = 0;
    int rows = 0;
    for (size_t i = 0; i < nu; i++) {
        size_t u = c->order[i];
        if (g) {
            int in = 0;
            for (size_t m = 0; m < g->units[k] && !in; m++)
                in = g->member[g->first[k] + m] == u;
            if (!in)
                continue;
        }
        if (!fin(sc(dc, root, u))) {
            size_t l = strlen(none);
            snprintf(none + l, 8192 - l, "%s%s", nnone++ ? ", " : "", c->label[u]);
            continue;
        }
        if (rows++ == 0)
            rpdf_table_begin(dc, &t);
        char s1[96], r1[64], p0[128];
        const char *cell[5] = {c->label[u], rpdf_score(dc, root, u, s1, sizeof s1),
                               rpdf_rank(dc, root, c->t, u, r1, sizeof r1),
                               rpdf_change_cell(dc, root, u, 0, 1, p0, sizeof p0),
                               rpdf_progress(dc, root, u)};
        rpdf_table_row(dc, &t, cell, chart_unit_selected(c, u), 0);
    }
    if (rows)
        rpdf_table_end(dc, &t);
    if (nnone) {
        char *b = malloc(8400);
        if (b) {
            snprintf(b, 8400, "Not scored in %d (too little data): %s.", c->year, none);
            rpdf_para(dc, b, 8.5, 0, INK_SOFT, 6);
            free(b);
        }
    }
    free(none);
}

void rpdf_units(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    char w[64];
    rpdf_heading(dc, "Units", 1);
    chart_level_words(c->in, c->in->fw->nlevel - 1, 1, w, sizeof w);
    int listed = c->nselected < c->nscored;
    if (c->nselected)
        rpdf_paraf(dc, "One page per unit%s, in index order: its index score and rank with "
                   "their intervals%s, its %s, then %s.",
                   listed ? " named in the batch's [report] units" : "",
                   dc->changes ? " and its changes" : "", w,
                   dc->changes ? "its trends in each area of focus"
                               : "its scores in each area of focus against the network median");
    char an[128];
    if (listed && dc->groups)
        rpdf_paraf(dc, "%s %zu units by their %s, in index order, one row each%s.",
                   c->nselected ? "Then all" : "All", nu,
                   rpdf_words(dc->groups->attr_name, an, sizeof an),
                   c->nselected ? " (in bold those with a page)" : "");
    else if (listed)
        rpdf_paraf(dc, "%s %zu units in index order, one row each%s.",
                   c->nselected ? "Then all" : "All", nu,
                   c->nselected ? " (in bold those with a page)" : "");
    int first = 1;
    for (size_t r = 0; r < nu; r++) {
        size_t u = c->order[r];
        if (!chart_unit_selected(c, u))
            continue;
        unit_page(dc, u, first);
        first = 0;
    }
    if (!listed) {
        /* units without a score: named once, after the pages */
        char *b = malloc(8192);
        size_t n = 0;
        if (b) {
            b[0] = '\0';
            for (size_t r = c->nscored; r < nu; r++) {
                size_t l = strlen(b);
                snprintf(b + l, 8192 - l, "%s%s", n++ ? ", " : "", c->label[c->order[r]]);
            }
            if (n) {
                char *t = malloc(8400);
                if (t) {
                    snprintf(t, 8400, "Not scored in %d (too little data): %s.", c->year, b);
                    rpdf_need(dc, 40);
                    rpdf_para(dc, t, 8.5, 0, INK_SOFT, 6);
                    free(t);
                }
            }
            free(b);
        }
        return;
    }
    const struct groups *g = dc->groups;
    if (!g) {
        if (c->nselected)
            rpdf_heading(dc, "Every unit", 2);
        list_units(dc, NULL, 0);
        return;
    }
    for (size_t k = 0; k < g->ngroup; k++) {
        char t[200];
        char cap[128];
        snprintf(t, sizeof t, "%s: %s",
                 rpdf_cap(rpdf_words(g->attr_name, an, sizeof an), cap, sizeof cap),
                 g->value[k][0] ? g->value[k] : "(none given)");
        rpdf_heading_keep(dc, t, 2, 60);
        list_units(dc, g, k);
    }
}
