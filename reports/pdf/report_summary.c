/* report_summary.c: the cover and the executive summary, at most two pages
 * a funder reads in five minutes:
 *
 *   - the network's direction: the median index in the year, since the
 *     year before and since the base year (or, per-year scope, where the
 *     scores lie);
 *   - who rose or fell significantly since the year before and since the
 *     base year, with each change's interval;
 *   - the ranks in a table: index score with its interval, rank with its
 *     rank interval, the change of rank since the year before, the two
 *     changes (a triangle marks a significant one) and the progress class;
 *   - the outlook against the targets (progress classes of the index and
 *     the areas);
 *   - the groups compared (report_groups.c has the full comparison);
 *   - the caveats that matter (rpdf_caveats);
 *   - the progress chart, when it fits on the second page.
 *
 * Words only: counts, sorts and ranks' differences are the arithmetic done
 * here; every score, interval, change and flag comes from the engine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pdf_int.h"
#include "report_util.h"

#define DASH "\xE2\x80\x93"
#define TABLE_ALL 25           /* units listed in full up to this many */
#define TABLE_TOP 15           /* else the top and bottom this many */
#define TABLE_BOTTOM 5
#define LIST_MAX 6             /* names listed in a sentence, then "and N more" */

static int fin(double x) { return isfinite(x) != 0; }

/* ---- the cover ------------------------------------------------------------- */

/* "31 December 2026" from an ISO 8601 time, into b; the text as it is when
 * it does not parse. */
static const char *long_date(const char *iso, char *b, size_t len)
{
    static const char *const mon[] = {"January", "February", "March", "April", "May",
                                      "June", "July", "August", "September", "October",
                                      "November", "December"};
    int y, m, d;
    if (iso && sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
        snprintf(b, len, "%d %s %d", d, mon[m - 1], y);
    else
        snprintf(b, len, "%s", iso ? iso : "");
    return b;
}

void rpdf_cover(struct doc *dc)
{
    const struct report_input *in = dc->c->in;
    const struct config *cfg = in->cfg;
    const struct cube *cb = in->cube;
    char b[1600], dt[64];
    rpdf_new_page(dc);
    dc->y = 180;
    rpdf_para(dc, dc->batch, 24, 1, 0x111111, 14);
    rpdf_para(dc, "Evaluation report", 14, 0, INK_TEXT, 16);
    if (cfg && cfg->description)
        rpdf_para(dc, cfg->description, 11, 0, INK_TEXT, 12);
    if (cfg && cfg->synthetic)
        rpdf_para(dc, "Synthetic data: the values in this report are made up and describe no "
                      "real unit.", 11, 1, 0xB0450A, 12);
    dc->y += 14;
    snprintf(b, sizeof b, "Year evaluated: %d. Years held: %d" DASH "%d.", dc->c->year,
             cb->year[0], cb->year[cb->nyear - 1]);
    rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    snprintf(b, sizeof b, "Units: %zu, of which %zu have an index score in %d.", cb->nunit,
             dc->c->nscored, dc->c->year);
    rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    snprintf(b, sizeof b, "Framework: %s (%d nodes, %d indicators).",
             chart_node_short(dc->c, in->fw->root), in->fw->nnode, in->fw->nind);
    rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    if (cfg && cfg->source) {
        snprintf(b, sizeof b, "Source: %s.", cfg->source);
        rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    }
    if (cfg && cfg->licence) {
        snprintf(b, sizeof b, "Licence: %s.", cfg->licence);
        rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    }
    if (cfg && cfg->contact) {
        snprintf(b, sizeof b, "Contact: %s.", cfg->contact);
        rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    }
    snprintf(b, sizeof b, "Date: %s.", long_date(in->run->created, dt, sizeof dt));
    rpdf_para(dc, b, 10, 0, INK_TEXT, 4);
    snprintf(b, sizeof b, "Run %s, lcme %s, seed %lu.", in->run->id,
             in->run->version ? in->run->version : LCME_VERSION, in->run->seed);
    rpdf_para(dc, b, 9, 0, INK_SOFT, 4);
}

/* ---- direction and significant changes ------------------------------------ */

static double median_at(const struct doc *dc, int node, int t)
{
    return t < 0 ? NAN : chart_median(dc->c, node, t);
}

/* The network's direction: the median index, its changes; the range of
 * the scores. */
static void direction(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    const struct cube *cb = c->in->cube;
    int root = c->in->fw->root;
    double m = median_at(dc, root, c->t);
    char b[1200];
    if (c->nscored == 0) {
        rpdf_paraf(dc, "No unit has an index score in %d.", c->year);
        return;
    }
    size_t nr = 0;   /* ranked units come first in c->order */
    while (nr < c->nscored && rpdf_ranked(dc, root, c->t, c->order[nr]))
        nr++;
    char a1[96], a2[96];
    if (nr == 0) {
        snprintf(b, sizeof b, "In %d, %zu units have an index score, none with enough data "
                 "to be ranked", c->year, c->nscored);
    } else {
        size_t top = c->order[0], bot = c->order[nr - 1];
        char lead[80] = ",";
        if (nr < c->nscored)
            snprintf(lead, sizeof lead, "; the %zu ranked run", nr);
        snprintf(b, sizeof b, "In %d, %zu units have an index score%s from %s for %s to %s "
                 "for %s", c->year, c->nscored, lead, rpdf_score(dc, root, top, a1, sizeof a1),
                 c->label[top], rpdf_score(dc, root, bot, a2, sizeof a2), c->label[bot]);
    }
    size_t l = strlen(b);
    if (fin(m))
        snprintf(b + l, sizeof b - l, "; the network median is %.1f.", m);
    else
        snprintf(b + l, sizeof b - l, ".");
    if (dc->changes) {
        int base = c->in->cfg ? c->in->cfg->base_year : cb->year[0];
        double mp = median_at(dc, root, dc->prev_t);
        double mb = median_at(dc, root, cube_year_index(cb, base));
        l = strlen(b);
        if (fin(mp) && fin(m))
            snprintf(b + l, sizeof b - l, " The median %s from %.1f in %d (%+.1f)", m > mp
                     ? "rose" : m < mp ? "fell" : "stayed", mp, c->year - 1,
                     report_plain_zero(m - mp, 1));
        l = strlen(b);
        if (fin(mb) && fin(m) && base != c->year - 1)
            snprintf(b + l, sizeof b - l, "%s %.1f in %d (%+.1f)",
                     fin(mp) ? " and from" : " The median moved from", mb, base,
                     report_plain_zero(m - mb, 1));
        l = strlen(b);
        if (fin(mp) || fin(mb))
            snprintf(b + l, sizeof b - l, ".");
    }
    rpdf_para(dc, b, 10, 0, INK_TEXT, 6);
}

struct ch {
    size_t u;
    double v;
};

static int by_change(const void *a, const void *b)
{
    const struct ch *x = a, *y = b;
    if (fabs(x->v) != fabs(y->v))
        return fabs(x->v) > fabs(y->v) ? -1 : 1;
    return x->u < y->u ? -1 : x->u > y->u;
}

/* The units whose change (prev: since the year before) of the index is
 * significant in direction sign, largest first, as "A +1.2 [+0.4, +2.0],
 * B ..." (LIST_MAX named, then "and N more"); returns how many. */
static size_t significant(const struct doc *dc, int prev, int sign, char *out, size_t len,
                          struct ch *buf)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    size_t n = 0;
    for (size_t u = 0; u < c->in->cube->nunit; u++)
        if (rpdf_change_sign(dc, root, u, prev) == sign) {
            size_t at = TREND_AT(c->tr, root, u);
            buf[n].u = u;
            buf[n++].v = prev ? c->tr->change_prev[at] : c->tr->change_since_base[at];
        }
    qsort(buf, n, sizeof *buf, by_change);
    out[0] = '\0';
    char ch[96], yrs[40];
    int base = c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0];
    for (size_t k = 0; k < n && k < LIST_MAX; k++) {
        size_t l = strlen(out), at = TREND_AT(c->tr, root, buf[k].u);
        int y0 = c->tr->base_year[at], y1 = c->tr->last_year[at];
        yrs[0] = '\0';   /* a change since the base year between other years says so */
        if (!prev && (y0 != base || y1 != c->year))
            snprintf(yrs, sizeof yrs, " (%d" DASH "%d)", y0, y1);
        snprintf(out + l, len - l, "%s%s %s%s", k ? ", " : "", c->label[buf[k].u],
                 rpdf_change(dc, root, buf[k].u, prev, 1, ch, sizeof ch), yrs);
    }
    if (n > LIST_MAX) {
        size_t l = strlen(out);
        snprintf(out + l, len - l, " and %zu more", n - LIST_MAX);
    }
    return n;
}

/* One paragraph on the index's changes since the year before (prev) or the
 * base year. */
static void changes(struct doc *dc, int prev)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    size_t nu = c->in->cube->nunit, cnt[4] = {0, 0, 0, 0};   /* rise, fall, none, n.a. */
    for (size_t u = 0; u < nu; u++) {
        int s = rpdf_change_sign(dc, root, u, prev);
        if (s != 3)
            cnt[s == 1 ? 0 : s == -1 ? 1 : s == 0 ? 2 : 3]++;
    }
    size_t with = cnt[0] + cnt[1] + cnt[2] + cnt[3];
    if (with == 0)
        return;
    int since = prev ? c->year - 1 : (c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0]);
    struct ch *buf = malloc((nu + 1) * sizeof *buf);
    char *up = malloc(4096), *down = malloc(4096), b[1024];
    if (!buf || !up || !down) {
        dc->oom = 1;
        free(buf);
        free(up);
        free(down);
        return;
    }
    snprintf(b, sizeof b, "Since %d%s", since, prev ? " (last year)" : " (the base year)");
    rpdf_need(dc, 60);
    rpdf_para(dc, b, 11, 1, 0x111111, 3);
    if (cnt[3] == with) {
        rpdf_paraf(dc, "%zu units have an index score in both years; no measured error "
                   "enters their changes, so none is called significant (see the caveats).",
                   with);
    } else {
        significant(dc, prev, 1, up, 4096, buf);
        significant(dc, prev, -1, down, 4096, buf);
        snprintf(b, sizeof b, "Of the %zu units with an index score in both years, %zu rose "
                 "significantly, %zu fell significantly and %zu did not change "
                 "significantly%s.", with, cnt[0], cnt[1], cnt[2],
                 cnt[3] ? " (the changes of the others are not assessed)" : "");
        rpdf_para(dc, b, 9.5, 0, INK_TEXT, 3);
        if (cnt[0]) {
            snprintf(b, sizeof b, "Rose: %s.", up);
            rpdf_para(dc, b, 9, 0, INK_TEXT, 3);
        }
        if (cnt[1]) {
            snprintf(b, sizeof b, "Fell: %s.", down);
            rpdf_para(dc, b, 9, 0, INK_TEXT, 3);
        }
        dc->y += 3;
    }
    free(buf);
    free(up);
    free(down);
}

/* ---- the ranks table ------------------------------------------------------- */

/* The change of rank since the year before: "+2" (up two places), "0". */
static const char *rank_move(const struct doc *dc, size_t u, char *b, size_t len)
{
    const struct chart_ctx *c = dc->c;
    const struct results *r = c->in->res;
    int root = c->in->fw->root;
    snprintf(b, len, DASH);
    if (dc->prev_t < 0 || !dc->changes)
        return b;
    double now = r->rank[RES_AT(r, root, c->t, u)];
    double was = r->rank[RES_AT(r, root, (size_t)dc->prev_t, u)];
    if (fin(now) && fin(was) && was == now)
        snprintf(b, len, "0");
    else if (fin(now) && fin(was))
        snprintf(b, len, "%+.0f", report_plain_zero(was - now, 0));
    return b;
}

static void ranks_row(struct doc *dc, struct rpdf_table *t, size_t u)
{
    const struct chart_ctx *c = dc->c;
    int root = c->in->fw->root;
    char sc[96], rk[64], mv[32], cp[128], cb[128];
    const char *cell[7] = {c->label[u], rpdf_score(dc, root, u, sc, sizeof sc),
                           rpdf_rank(dc, root, c->t, u, rk, sizeof rk),
                           rank_move(dc, u, mv, sizeof mv),
                           rpdf_change_cell(dc, root, u, 1, 0, cp, sizeof cp),
                           rpdf_change_cell(dc, root, u, 0, 0, cb, sizeof cb),
                           rpdf_progress(dc, root, u)};
    rpdf_table_row(dc, t, cell, 0, 0);
}

static void ranks_table(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    char h1[64], h2[64], h3[64], h4[64];
    int base = c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0];
    snprintf(h1, sizeof h1, "Index %d", c->year);
    snprintf(h2, sizeof h2, "Places since %d", c->year - 1);
    snprintf(h3, sizeof h3, "Since %d", c->year - 1);
    snprintf(h4, sizeof h4, "Since %d", base);
    const char *head[7] = {"Unit", h1, "Rank", h2, h3, h4, "Progress"};
    static const double w[7] = {118, 86, 60, 42, 46, 46, 97};
    static const char al[7] = {'l', 'l', 'l', 'r', 'l', 'l', 'l'};
    struct rpdf_table t = {dc->changes ? 7 : 3, w, al, head, 7.2, 0, 0};
    rpdf_need(dc, 80);
    rpdf_para(dc, "Ranks", 11, 1, 0x111111, 3);
    rpdf_table_begin(dc, &t);
    size_t ns = c->nscored;
    int cut = ns > TABLE_ALL;
    for (size_t r = 0; r < ns; r++) {
        if (cut && r == TABLE_TOP) {
            char gap[96];
            snprintf(gap, sizeof gap, "\xE2\x80\xA6 %zu more (%d" DASH "%zu)",
                     ns - TABLE_TOP - TABLE_BOTTOM, TABLE_TOP + 1, ns - TABLE_BOTTOM);
            const char *cell[7] = {gap, "", "", "", "", "", ""};
            rpdf_table_row(dc, &t, cell, 0, 0);
            r = ns - TABLE_BOTTOM;
        }
        ranks_row(dc, &t, c->order[r]);
    }
    rpdf_table_end(dc, &t);
    char b[600];
    snprintf(b, sizeof b, "Rank 1 is the highest index score%s.%s%s",
             c->has_ci ? "; in brackets the 95% intervals of scores and ranks (the "
                         "changes' intervals are in the workbook's Trends sheet)" : "",
             dc->changes ? " " RPDF_UP "/" RPDF_DOWN ": a significant rise or fall (Benjamini"
                           DASH "Hochberg across the units)." : "",
             cut ? " The full table is the Summary sheet of the workbook." : "");
    rpdf_para(dc, b, 7.5, 0, INK_SOFT, 8);
}

/* ---- outlook and groups --------------------------------------------------- */

/* The index's progress classes in one sentence, then each area's share on
 * track or better. */
static void outlook(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    const struct trends *tr = c->tr;
    const struct framework *fw = c->in->fw;
    if (!tr || !dc->trends)
        return;
    size_t nu = c->in->cube->nunit, k[TREND_MODERATE + 1] = {0};
    double tg = NAN;
    for (size_t u = 0; u < nu; u++) {
        size_t at = TREND_AT(tr, fw->root, u);
        k[tr->progress[at]]++;
        if (tr->target && fin(tr->target[at]))
            tg = tr->target[at];
    }
    int target_year = c->in->cfg ? c->in->cfg->target_year : 2030;
    char b[1400];
    rpdf_need(dc, 60);
    snprintf(b, sizeof b, "Outlook to %d", target_year);
    rpdf_para(dc, b, 11, 1, 0x111111, 3);
    if (fin(tg))
        snprintf(b, sizeof b, "Against the index's target score (%.1f, the score of a unit "
                 "at every target) by %d: %zu %s met it, %zu %s on track, %zu need%s to "
                 "accelerate, %zu make%s limited progress and %zu move%s away from it",
                 tg, target_year, k[TREND_TARGET_MET], k[TREND_TARGET_MET] == 1 ? "unit has"
                 : "units have", k[TREND_ON_TRACK], k[TREND_ON_TRACK] == 1 ? "is" : "are",
                 k[TREND_ACCELERATION_NEEDED], k[TREND_ACCELERATION_NEEDED] == 1 ? "s" : "",
                 k[TREND_LIMITED], k[TREND_LIMITED] == 1 ? "s" : "", k[TREND_DETERIORATION],
                 k[TREND_DETERIORATION] == 1 ? "s" : "");
    else
        snprintf(b, sizeof b, "The index has no target score, so its progress is judged by "
                 "its pace: %zu %s substantially, %zu moderately, %zu a little and %zu "
                 "deteriorate%s", k[TREND_SUBSTANTIAL], k[TREND_SUBSTANTIAL] == 1
                 ? "unit progresses" : "units progress", k[TREND_MODERATE], k[TREND_LIMITED],
                 k[TREND_DETERIORATION], k[TREND_DETERIORATION] == 1 ? "s" : "");
    size_t l = strlen(b), na = k[TREND_NOT_ASSESSED] + k[TREND_UNAVAILABLE];
    snprintf(b + l, sizeof b - l, "%s (progress since the base year against the time left; "
             "Methods).", na ? "; the others are not assessed" : "");
    rpdf_para(dc, b, 9.5, 0, INK_TEXT, 3);
    const struct fw_node *root = &fw->node[fw->root];
    b[0] = '\0';
    for (int a = 0; a < root->nchild; a++) {
        size_t good = 0, n = 0;
        for (size_t u = 0; u < nu; u++) {
            enum trend_class cl = tr->progress[TREND_AT(tr, root->child[a], u)];
            n += cl != TREND_NOT_ASSESSED && cl != TREND_UNAVAILABLE;
            good += cl == TREND_TARGET_MET || cl == TREND_ON_TRACK ||
                    cl == TREND_SUBSTANTIAL || cl == TREND_MODERATE;
        }
        l = strlen(b);
        snprintf(b + l, sizeof b - l, "%s%s %zu of %zu", a ? "; " : "On track or better, by "
                 "area: ", chart_node_short(c, root->child[a]), good, n);
    }
    if (b[0]) {
        l = strlen(b);
        snprintf(b + l, sizeof b - l, ".");
        rpdf_para(dc, b, 9.5, 0, INK_TEXT, 6);
    }
}

/* One sentence on the groups: the highest and lowest median index. */
static void groups_line(struct doc *dc)
{
    const struct groups *g = dc->groups;
    if (!g || g->ngroup < 2)
        return;
    long hi = -1, lo = -1;
    char an[128];
    for (size_t k = 0; k < g->ngroup; k++) {
        double m = g->median[GROUPS_AT(g, k, 0)];
        if (!fin(m) || !g->value[k][0])
            continue;
        if (hi < 0 || m > g->median[GROUPS_AT(g, hi, 0)])
            hi = (long)k;
        if (lo < 0 || m < g->median[GROUPS_AT(g, lo, 0)])
            lo = (long)k;
    }
    if (hi < 0 || hi == lo)
        return;
    rpdf_paraf(dc, "By %s: %s has the highest median index (%.1f, %zu units), %s the lowest "
               "(%.1f, %zu units); the index's section compares the %zu groups.",
               rpdf_words(g->attr_name, an, sizeof an), g->value[hi],
               g->median[GROUPS_AT(g, hi, 0)], g->units[hi],
               g->value[lo], g->median[GROUPS_AT(g, lo, 0)], g->units[lo], g->ngroup);
}

static void caveats(struct doc *dc)
{
    char *cv[RPDF_MAX_CAVEATS];
    size_t n = rpdf_caveats(dc, cv);
    if (n == 0)
        return;
    rpdf_need(dc, 50);
    rpdf_para(dc, "Read with care", 11, 1, 0x111111, 3);
    for (size_t i = 0; i < n; i++) {
        rpdf_bullet(dc, cv[i]);
        free(cv[i]);
    }
    dc->y += 4;
}

void rpdf_summary(struct doc *dc)
{
    rpdf_heading(dc, "Summary", 1);
    int first = dc->page;
    direction(dc);
    if (dc->changes && dc->c->tr) {
        if (dc->prev_t >= 0)
            changes(dc, 1);
        changes(dc, 0);
    } else if (dc->c->tr && dc->c->tr->comparable) {
        rpdf_few_years(dc, 9.5);   /* per-year scope: a caveat says why */
    }
    ranks_table(dc);
    outlook(dc);
    groups_line(dc);
    caveats(dc);
    /* the outlook as a chart, when it fits in the summary's two pages at
     * no less than 80% of its size (smaller, its labels are too small to
     * read in print): on the first page, or the second; else the network's
     * trends show it */
    const struct chart_item *it = dc->trends ? rpdf_find_chart(dc, CHART_PROGRESS, -1, -1, 0)
                                             : NULL;
    double full = it ? rpdf_chart_height(dc, it, 420) : 0;
    if (it && (dc->page == first || rpdf_left(dc) >= 0.8 * full)) {
        rpdf_chart_fill(dc, it, 420, 0.8);
        dc->progress_shown = 1;
    }
}
