/* report_areas.c: the report's sections on the framework: the index (its
 * sentences and dot plot), a page per area (sentences, its dot plot, and a
 * table of its areas of focus: median, highest and lowest unit, units
 * above and below the median, significant rises and falls), then the key
 * features (the heatmap) and the network's trends (medians over the years,
 * the progress classes).
 *
 * Sentences follow the numbers: a unit is said to lead only when no other
 * unit is level with it (an equal score, or an interval reaching its
 * lower bound); "above the median" means the whole interval is; a change
 * is significant only by the engine's flag. The dot plots of the areas of
 * focus are in charts/; the report gives their table instead, so an area
 * takes one page.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pdf_int.h"

#define DASH "\xE2\x80\x93"
#define DOT_MAXH 420.0      /* an area's dot plot, footer cropped */

static int fin(double x) { return isfinite(x) != 0; }

static double sc(const struct doc *dc, int node, size_t u)
{
    const struct results *r = dc->c->in->res;
    return r->score[RES_AT(r, node, dc->c->t, u)];
}

/* Units of node by score, best first, into ord (nunit); returns how many
 * have a score. */
static size_t sorted(const struct doc *dc, int node, size_t *ord)
{
    return chart_sort_units(dc->c, node, dc->c->t, ord);
}

/* How many of the ns units in ord are level with the first (see the top of
 * the file). */
static size_t level_at_top(const struct doc *dc, int node, const size_t *ord, size_t ns)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    size_t n = 1;
    double v0 = sc(dc, node, ord[0]);
    double l0 = c->has_ci ? r->ci_low[RES_AT(r, node, c->t, ord[0])] : NAN;
    for (size_t k = 1; k < ns; k++) {
        double v = sc(dc, node, ord[k]);
        double h = c->has_ci ? r->ci_high[RES_AT(r, node, c->t, ord[k])] : NAN;
        n += fin(l0) && fin(h) ? h >= l0 : v == v0;
    }
    return n;
}

/* Units whose interval lies entirely above (*above) or below (*below) the
 * median med. */
static void vs_median(const struct doc *dc, int node, double med, size_t *above,
                      size_t *below)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    *above = *below = 0;
    if (!c->has_ci || !fin(med))
        return;
    for (size_t u = 0; u < c->in->cube->nunit; u++) {
        size_t at = RES_AT(r, node, c->t, u);
        *above += fin(r->ci_low[at]) && r->ci_low[at] > med;
        *below += fin(r->ci_high[at]) && r->ci_high[at] < med;
    }
}

/* Significant rises and falls of node since the year before (prev) or the
 * base year; *assessed: changes with a measured error. */
static void sig_count(const struct doc *dc, int node, int prev, size_t *up, size_t *down,
                      size_t *assessed)
{
    *up = *down = *assessed = 0;
    for (size_t u = 0; u < dc->c->in->cube->nunit; u++) {
        int s = rpdf_change_sign(dc, node, u, prev);
        *up += s == 1;
        *down += s == -1;
        *assessed += s == 1 || s == -1 || s == 0;
    }
}

/* The sentences about a node. */
static void node_sentences(struct doc *dc, int node)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord) {
        dc->oom = 1;
        return;
    }
    size_t ns = sorted(dc, node, ord), nr = 0;
    while (nr < ns && rpdf_ranked(dc, node, c->t, ord[nr]))   /* ranked units first */
        nr++;
    char a[96], b[96];
    if (nr == 0) {
        rpdf_paraf(dc, ns ? "No unit has enough data to be ranked in %d."
                          : "No unit has a score in %d.", c->year);
        free(ord);
        return;
    }
    size_t top = ord[0], bot = ord[nr - 1], lead = level_at_top(dc, node, ord, nr);
    if (lead == 1)
        rpdf_paraf(dc, "%s has the highest score in %d, %s; %s the lowest, %s.",
                   c->label[top], c->year, rpdf_score(dc, node, top, a, sizeof a),
                   c->label[bot], rpdf_score(dc, node, bot, b, sizeof b));
    else
        rpdf_paraf(dc, "%zu units are level at the top in %d%s, %s highest with %s; %s has "
                   "the lowest score, %s.", lead, c->year,
                   c->has_ci ? " (their intervals overlap)" : " (equal scores)",
                   c->label[top], rpdf_score(dc, node, top, a, sizeof a), c->label[bot],
                   rpdf_score(dc, node, bot, b, sizeof b));
    if (nr < ns)
        rpdf_paraf(dc, "Not ranked: too little data for %zu unit%s (coverage of the "
                   "framework's weight below the threshold in Methods).", ns - nr,
                   ns - nr == 1 ? "" : "s");
    double med = chart_median(c, node, c->t);
    size_t above, below;
    vs_median(dc, node, med, &above, &below);
    if (c->has_ci && fin(med))
        rpdf_paraf(dc, "%zu units have an interval entirely above the network median (%.1f) "
                   "and %zu entirely below it.", above, med, below);
    if (dc->changes && c->tr) {
        size_t u1, d1, a1, u0, d0, a0;
        sig_count(dc, node, 1, &u1, &d1, &a1);
        sig_count(dc, node, 0, &u0, &d0, &a0);
        int base = c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0];
        if (a1 + a0 > 0)
            rpdf_paraf(dc, "Since %d, %zu units rose significantly and %zu fell; since %d, "
                       "%zu rose and %zu fell.", c->year - 1, u1, d1, base, u0, d0);
    }
    free(ord);
}

/* The table of an area's areas of focus; with draw 0 nothing is drawn and
 * the height it would take is returned. */
static double focus_table(struct doc *dc, int area, int draw)
{
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    size_t nu = c->in->cube->nunit;
    char fw1[64], h0[80], h4[80];
    chart_level_words(c->in, fw->node[c->focus[0]].level, 0, fw1, sizeof fw1);
    rpdf_cap(fw1, h0, sizeof h0);
    snprintf(h4, sizeof h4, "Rises / falls since %d", c->year - 1);
    const char *head[6] = {h0, "Median", "Highest", "Lowest", "Above / below median",
                           h4};
    static const double w[6] = {146, 44, 105, 105, 45, 50};
    static const char al[6] = {'l', 'r', 'l', 'l', 'r', 'r'};
    int ncol = dc->changes && c->tr && c->has_ci ? 6 : c->has_ci ? 5 : 4;
    struct rpdf_table t = {ncol, w, al, head, 7.5, 0, 0};
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord) {
        dc->oom = 1;
        return 0;
    }
    int rows = 0;
    double h = rpdf_table_row_height(dc, &t, head, 1, 0) + 7;
    for (int f = 0; f < c->nfocus; f++) {
        int node = c->focus[f];
        if (fw->node[node].parent != area)
            continue;
        if (rows++ == 0 && draw)
            rpdf_table_begin(dc, &t);
        size_t ns = sorted(dc, node, ord);
        char name[300], med[32], hi[160], lo[160], ab[32], rf[32];
        chart_node_label(&fw->node[node], name, sizeof name);
        chart_num1(med, sizeof med, chart_median(c, node, c->t));
        if (ns) {
            size_t lead = level_at_top(dc, node, ord, ns);
            if (lead > 1)
                snprintf(hi, sizeof hi, "%s %.1f, level with %zu other%s", c->label[ord[0]],
                         sc(dc, node, ord[0]), lead - 1, lead == 2 ? "" : "s");
            else
                snprintf(hi, sizeof hi, "%s %.1f", c->label[ord[0]], sc(dc, node, ord[0]));
            snprintf(lo, sizeof lo, "%s %.1f", c->label[ord[ns - 1]], sc(dc, node, ord[ns - 1]));
        } else {
            snprintf(hi, sizeof hi, DASH);
            snprintf(lo, sizeof lo, DASH);
        }
        size_t above, below, up, down, as;
        vs_median(dc, node, chart_median(c, node, c->t), &above, &below);
        snprintf(ab, sizeof ab, "%zu / %zu", above, below);
        sig_count(dc, node, 1, &up, &down, &as);
        snprintf(rf, sizeof rf, "%zu / %zu", up, down);
        const char *cell[6] = {name, med, hi, lo, ab, rf};
        if (draw)
            rpdf_table_row(dc, &t, cell, 0, 0);
        else
            h += rpdf_table_row_height(dc, &t, cell, 0, 0);
    }
    if (rows && draw)
        rpdf_table_end(dc, &t);
    free(ord);
    return rows ? h : 0;
}

/* The index: its sentences, its dot plot and the comparison of groups. */
static void index_section(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    char b[200], w[64];
    snprintf(b, sizeof b, "The %s", chart_level_word(c->in, c->in->fw->nlevel, 1));
    rpdf_heading(dc, b, 1);
    rpdf_paraf(dc, "%s combines the %s of the framework. Each of the following pages "
               "takes one %s.", chart_node_short(c, root),
               chart_level_words(c->in, c->in->fw->nlevel - 1, 1, w, sizeof w),
               chart_level_word(c->in, c->in->fw->nlevel - 1, 1));
    node_sentences(dc, root);
    /* the dot plot fills the rest of the page (a page of its own left the
     * sentences' page half empty), leaving room for the groups' comparison
     * below it when the plot keeps 60% of its size that way */
    const struct chart_item *it = rpdf_find_chart(dc, CHART_DOT, root, -1, 0);
    const struct groups *g = dc->groups;
    double hg = g && g->ngroup >= 2 ? 150 + 28.0 * (double)(g->ngroup + 1) : 0;
    if (it) {
        double full = rpdf_chart_height(dc, it, BOTTOM - MARGIN), room = rpdf_left(dc) - hg;
        double maxh = room - 40;
        while (hg > 0 && maxh > 100 && rpdf_chart_height(dc, it, maxh) > room)
            maxh -= 10;
        if (hg > 0 && rpdf_chart_height(dc, it, maxh) <= room &&
            rpdf_chart_height(dc, it, maxh) >= 0.6 * full)
            rpdf_chart_crop(dc, it, maxh);
        else
            rpdf_chart_fill(dc, it, BOTTOM - MARGIN, 0.6);
    }
    rpdf_groups(dc);
}

/* The key features (the heatmap: every page in networks with unit pages,
 * else the first) and the network's trends (none when scores are not
 * comparable over time or there is one year: the summary's caveats and
 * Methods say so). */
static void features_and_trends(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    char w[200], b[240];
    chart_level_words(c->in, c->nfeat ? c->in->fw->node[c->feat[0]].level : 2, 1, w, sizeof w);
    const struct chart_item *it = rpdf_find_chart(dc, CHART_HEATMAP, -1, -1, 1);
    if (it) {
        rpdf_cap(w, b, sizeof b);
        rpdf_heading(dc, b, 1);
        int all = c->in->cube->nunit <= CHART_UNITS_ALL;
        if (!all && it->npage > 1)
            rpdf_paraf(dc, "The first of the heatmap's %d pages: the units with the highest "
                       "index scores. Every page is in charts/ (heatmap-1 to heatmap-%d).",
                       it->npage, it->npage);
        for (int p = 1; (it = rpdf_find_chart(dc, CHART_HEATMAP, -1, -1, p)); p++) {
            rpdf_chart_fill(dc, it, BOTTOM - MARGIN, 0.8);
            if (!all)
                break;
        }
    }
    if (!c->tr || !dc->changes)
        return;   /* the summary's caveats and Methods say why */
    rpdf_heading(dc, "Network trends", 1);
    if ((it = rpdf_find_chart(dc, CHART_TREND_MEDIAN, -1, -1, 0)))
        rpdf_chart_fill(dc, it, BOTTOM - MARGIN, 0.6);
    if (dc->trends && !dc->progress_shown &&
        (it = rpdf_find_chart(dc, CHART_PROGRESS, -1, -1, 0)))
        rpdf_chart_fill(dc, it, BOTTOM - MARGIN, 0.6);
}

void rpdf_areas(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    const struct fw_node *root = &fw->node[fw->root];
    char b[300];
    index_section(dc);
    for (int k = 0; k < root->nchild; k++) {
        int area = root->child[k];
        rpdf_heading(dc, chart_node_label(&fw->node[area], b, sizeof b), 1);
        node_sentences(dc, area);
        const struct chart_item *it = rpdf_find_chart(dc, CHART_DOT, area, -1, 0);
        double th = focus_table(dc, area, 0);
        if (it) {   /* as large as leaves room for the table, on one page */
            double cap = rpdf_chart_height(dc, it, DOT_MAXH) - DOT_MAXH;
            double room = rpdf_left(dc) - th - (cap > 0 ? cap : 30) - 6;
            rpdf_chart_crop(dc, it, room > 200 && room < DOT_MAXH ? room : DOT_MAXH);
        }
        focus_table(dc, area, 1);
    }
    features_and_trends(dc);
}
