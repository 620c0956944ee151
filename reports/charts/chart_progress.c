/* chart_progress.c: progress, the units per progress class (trends.csv's
 * classes) for the index, the areas and the areas of focus, as stacked
 * horizontal bars with the counts printed.
 *
 * Invariants: the classes come from struct trends, never judged here; bars
 * run in PROG_ORDER, good news first; a class judged without a target
 * (substantial, moderate progress) has the colour of its rank among the
 * target classes (target met, on track) with white diagonal hatching, so
 * no two classes look alike; the legend names every class drawn. The
 * title and subtitle say how the index was judged (against its target
 * score, by the growth bands, or both) and who was left out.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the index's progress was judged across the units. */
struct prog_count {
    size_t nu;           /* units */
    size_t target;       /* assessed against the index's target score */
    size_t target_good;  /*   of which target met or on track */
    size_t bands;        /* assessed with the bands without a target */
    size_t bands_good;   /*   of which substantial or moderate progress */
    size_t unavailable;  /* trend unavailable (fewer than 3 years) */
    size_t not_assessed; /* not assessed (a reason in trends.csv) */
    double tscore;       /* the target score when every targeted unit has the
                            same one, else NaN */
};

static int is_target_class(enum trend_class k)
{
    return k == TREND_TARGET_MET || k == TREND_ON_TRACK ||
           k == TREND_ACCELERATION_NEEDED;
}

/* Counts the units of node by the kind of class they got: a class counts
 * as target-classed when trends recorded a target for the cell or the
 * class is one only a target gives. */
static void prog_count(const struct chart_ctx *c, int node, struct prog_count *pc)
{
    memset(pc, 0, sizeof *pc);
    pc->nu = c->in->cube->nunit;
    pc->tscore = NAN;
    int same = 1;
    for (size_t u = 0; u < pc->nu; u++) {
        size_t cell = TREND_AT(c->tr, node, u);
        enum trend_class k = c->tr->progress[cell];
        double tg = c->tr->target ? c->tr->target[cell] : NAN;
        if (k == TREND_UNAVAILABLE) {
            pc->unavailable++;
        } else if (k == TREND_NOT_ASSESSED) {
            pc->not_assessed++;
        } else if (is_target_class(k) || (!isnan(tg) && k != TREND_SUBSTANTIAL &&
                                          k != TREND_MODERATE)) {
            pc->target++;
            pc->target_good += k == TREND_TARGET_MET || k == TREND_ON_TRACK;
            if (!fin(tg))
                same = 0;
            else if (pc->target == 1)
                pc->tscore = tg;
            else if (fabs(pc->tscore - tg) > 1e-9 * (1 + fabs(tg)))
                same = 0;
        } else {
            pc->bands++;
            pc->bands_good += k == TREND_SUBSTANTIAL || k == TREND_MODERATE;
        }
    }
    if (!same || pc->target == 0)
        pc->tscore = NAN;
}

/* ---- planning ----------------------------------------------------------- */

/* Every unit's index trend is unavailable: no unit has 3 years of scores. */
static int prog_too_short(const struct prog_count *pc)
{
    return pc->target + pc->bands == 0 && pc->unavailable == pc->nu;
}

static char *prog_title(const struct chart_ctx *c, const struct prog_count *pc)
{
    const struct cube *cb = c->in->cube;
    size_t assessed = pc->target + pc->bands, good = pc->target_good + pc->bands_good;
    char of[64], idx[96];
    chart_node_phrase(c, c->in->fw->root, idx, sizeof idx);
    if (assessed == pc->nu)
        snprintf(of, sizeof of, "%zu of %zu units", good, pc->nu);
    else
        snprintf(of, sizeof of, "%zu of %zu assessed units", good, assessed);
    if (prog_too_short(pc) && cb->nyear < 3)
        return chart_fmt("Progress cannot be judged yet: trends need at least 3 "
                         "years of scores, and this run has %zu", cb->nyear);
    if (prog_too_short(pc))
        return chart_fmt("Progress cannot be judged yet: no unit has 3 years of "
                         "scores");
    if (assessed == 0)
        return chart_fmt("Progress could not be assessed for %s", idx);
    if (pc->bands == 0)
        return chart_fmt("%s %s on track or better towards the target for %s",
                         of, good == 1 ? "is" : "are", idx);
    if (pc->target == 0)
        return chart_fmt("%s made at least moderate progress overall", of);
    return chart_fmt("%s %s on track or made at least moderate progress "
                     "overall", of, good == 1 ? "is" : "are");
}

/* What the classes mean for the index, in how. */
static void prog_how(const struct chart_ctx *c, const struct prog_count *pc, char *how,
                     size_t len)
{
    char tv[32], aw[64], fw[64];
    if (prog_too_short(pc))
        snprintf(how, len, "Every unit is \"trend unavailable\" for the "
                 "index, the %s and the %s.", AREA_WORDS(c, 1, aw), FOCUS_WORDS(c, 1, fw));
    else if (pc->target + pc->bands == 0)
        snprintf(how, len, "Every unit is \"trend unavailable\" or \"not "
                 "assessed\" for the index (reasons in trends.csv).");
    else if (pc->bands == 0 && fin(pc->tscore))
        snprintf(how, len, "The index is judged against its target score, "
                 "%s (every indicator at its target), due in %d.",
                 chart_num1(tv, sizeof tv, pc->tscore),
                 c->in->cfg ? c->in->cfg->target_year : c->year);
    else if (pc->bands == 0)
        snprintf(how, len, "The index is judged against its target score "
                 "(a unit at every target).");
    else if (pc->target == 0)
        snprintf(how, len, "The index has no target score: classes by its "
                 "yearly growth (substantial 1.5%% or more, moderate 0.5%% to "
                 "1.5%%).");
    else
        snprintf(how, len, "%zu units are judged against the index's target "
                 "score, %zu by its yearly growth.", pc->target, pc->bands);
}

static char *prog_subtitle(const struct chart_ctx *c, const struct prog_count *pc)
{
    const struct cube *cb = c->in->cube;
    size_t assessed = pc->target + pc->bands;
    char how[320], left[200], aw[64], fw[64];
    prog_how(c, pc, how, sizeof how);
    left[0] = 0;   /* who was left out */
    if (assessed > 0 && pc->unavailable > 0)
        snprintf(left, sizeof left, " %zu unit%s had fewer than 3 years of scores "
                 "(trend unavailable).", pc->unavailable, pc->unavailable == 1 ? "" : "s");
    if (assessed > 0 && pc->not_assessed > 0) {
        size_t k = strlen(left);
        snprintf(left + k, sizeof left - k, " %zu unit%s could not be assessed.",
                 pc->not_assessed, pc->not_assessed == 1 ? "" : "s");
    }
    if (prog_too_short(pc) && cb->nyear < 3) {
        char yrs[48];
        if (cb->nyear == 1)
            snprintf(yrs, sizeof yrs, "%d", cb->year[0]);
        else
            snprintf(yrs, sizeof yrs, "%d to %d", cb->year[0], cb->year[cb->nyear - 1]);
        return chart_fmt("%s The run has %zu year%s of scores (%s); progress "
                         "classes need 3 or more.", how, cb->nyear,
                         cb->nyear == 1 ? "" : "s", yrs);
    }
    int base = c->in->cfg && c->in->cfg->base_year ? c->in->cfg->base_year : cb->year[0];
    return chart_fmt("Units per progress class since %d for the index, "
                     "%s and %s. %s%s", base, AREA_WORDS(c, 1, aw),
                     FOCUS_WORDS(c, 1, fw), how, left);
}

static char *prog_alt(const struct chart_ctx *c, const struct prog_count *pc)
{
    size_t assessed = pc->target + pc->bands, good = pc->target_good + pc->bands_good;
    if (assessed == 0)
        return chart_fmt("Stacked bars counting the units in each progress class for "
                         "%d nodes; no unit could be assessed (%zu with trends "
                         "unavailable, %zu not assessed).",
                         c->ntop, pc->unavailable, pc->not_assessed);
    return chart_fmt("Stacked bars counting the units in each progress class for "
                     "%d nodes; for the index, %zu of %zu assessed units %s%s "
                     "(%zu of %zu units assessed).",
                     c->ntop, good, assessed,
                     pc->target == 0 ? "" : good == 1 ? "is " : "are ",
                     pc->bands == 0 ? "on track or better towards the target"
                     : pc->target == 0 ? "made at least moderate progress"
                                       : "on track or made at least moderate "
                                         "progress",
                     assessed, pc->nu);
}

int chart_plan_progress(const struct chart_ctx *c, struct chart_item *it)
{
    struct prog_count pc;
    prog_count(c, c->in->fw->root, &pc);
    it->title = prog_title(c, &pc);
    it->subtitle = prog_subtitle(c, &pc);
    it->alt = prog_alt(c, &pc);
    it->width = CHART_W;
    it->height = CHART_HEAD + 40 + (double)c->ntop * 18 + 30 + CHART_FOOT;
    return 0;
}

/* ---- drawing ------------------------------------------------------------ */

/* Bar order (left to right) and colours: good news in blue-green, bad in
 * vermillion, not assessed in greys. */
static const enum trend_class PROG_ORDER[] = {
    TREND_TARGET_MET, TREND_SUBSTANTIAL, TREND_ON_TRACK, TREND_MODERATE,
    TREND_ACCELERATION_NEEDED, TREND_LIMITED, TREND_DETERIORATION,
    TREND_NOT_ASSESSED, TREND_UNAVAILABLE,
};
#define NPROG (sizeof PROG_ORDER / sizeof PROG_ORDER[0])

static uint32_t prog_colour(enum trend_class k)
{
    switch (k) {
    case TREND_TARGET_MET:
    case TREND_SUBSTANTIAL: return 0x009E73;
    case TREND_ON_TRACK:
    case TREND_MODERATE: return 0x56B4E9;
    case TREND_ACCELERATION_NEEDED: return 0xF0E442;
    case TREND_LIMITED: return 0xE69F00;
    case TREND_DETERIORATION: return 0xD55E00;
    case TREND_NOT_ASSESSED: return 0xBBBBBB;
    case TREND_UNAVAILABLE:
    default: return 0xE2E2E2;
    }
}

/* 1 for the classes drawn hatched: those judged by the bands without a
 * target, whose colours are the target classes'. */
static int prog_hatched(enum trend_class k)
{
    return k == TREND_SUBSTANTIAL || k == TREND_MODERATE;
}

/* Fill the rectangle in class k's colour, hatched when prog_hatched. */
static void prog_fill(cairo_t *cr, enum trend_class k, double x, double y, double w,
                      double h)
{
    cairo_rectangle(cr, x, y, w, h);
    chart_rgb(cr, prog_colour(k));
    cairo_fill(cr);
    if (prog_hatched(k))
        chart_hatch(cr, x, y, w, h, 0xFFFFFF, 1.1);
}

/* The legend of the classes drawn (used[j] for PROG_ORDER[j]), wrapping
 * to the next line at the chart's right margin. */
static void prog_legend(struct chart_pen *p, const struct chart_item *it, const int *used)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font fl = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double x = 12, y = CHART_HEAD, w;
    for (size_t j = 0; j < NPROG; j++) {
        if (!used[j])
            continue;
        const char *name = trend_class_name(PROG_ORDER[j]);
        chart_text(p, name, &fl, 0, 0, 0, &w);
        if (x + w + 30 > it->width - 12) {
            x = 12;
            y += 13;
        }
        prog_fill(cr, PROG_ORDER[j], x, y + 1.5, 9, 8);
        cairo_rectangle(cr, x, y + 1.5, 9, 8);
        chart_rgb(cr, 0x555555);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        chart_text(p, name, &fl, x + 12, y, 1, NULL);
        x += w + 26;
    }
}

/* The count axis from y0 to ylast: grid lines at nice ticks up to nu,
 * labelled under ylast, and its title. */
static void prog_axis(struct chart_pen *p, const struct chart_scale *sx, size_t nu,
                      double y0, double ylast)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_ticks tk;
    chart_nice_ticks(0, (double)nu, 6, &tk);
    cairo_set_line_width(cr, 0.4);
    struct chart_font fa = {7, 0, 0x444444, CHART_CENTER, 0, 0};
    char b[48];
    for (int i = 0; i < tk.n; i++) {
        double v = chart_tick_value(&tk, i);
        if (v > (double)nu + 1e-9)
            break;
        double xx = chart_scale_map(sx, v);
        chart_rgb(cr, 0xE4E4E4);
        cairo_move_to(cr, xx, y0 - 2);
        cairo_line_to(cr, xx, ylast + 2);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.0f", v);
        chart_text(p, b, &fa, xx, ylast + 3, 1, NULL);
    }
    chart_text(p, "Number of units", &fa, (sx->r0 + sx->r1) / 2, ylast + 14, 1, NULL);
}

/* One stacked bar at height yy: cnt[j] units of class PROG_ORDER[j], each
 * count printed inside its segment when it fits. */
static void prog_bar(struct chart_pen *p, const struct chart_scale *sx, const size_t *cnt,
                     double yy)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font fc = {7, 1, 0, CHART_CENTER, 0, 0};
    char b[48];
    double acc = 0;
    for (size_t j = 0; j < NPROG; j++) {
        if (!cnt[j])
            continue;
        double xa = chart_scale_map(sx, acc);
        double xb = chart_scale_map(sx, acc + (double)cnt[j]);
        uint32_t col = prog_colour(PROG_ORDER[j]);
        prog_fill(cr, PROG_ORDER[j], xa, yy + 2, xb - xa, 14);
        cairo_rectangle(cr, xa, yy + 2, xb - xa, 14);
        chart_rgb(cr, 0xFFFFFF);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%zu", cnt[j]);
        double tw;
        chart_text(p, b, &fc, 0, 0, 0, &tw);
        if (tw + 3 < xb - xa) {
            if (prog_hatched(PROG_ORDER[j])) {   /* a plain patch behind the count */
                cairo_rectangle(cr, (xa + xb) / 2 - tw / 2 - 1.5, yy + 4, tw + 3, 10);
                chart_rgb(cr, col);
                cairo_fill(cr);
            }
            fc.rgb = chart_text_on(col);
            chart_text(p, b, &fc, (xa + xb) / 2, yy + 4, 1, NULL);
        }
        acc += (double)cnt[j];
    }
}

/* The font of the node labels: they wrap to two lines, and all drop to
 * 6.5 pt when one needs three (so none is cut). */
static struct chart_font prog_label_font(struct chart_pen *p, const struct chart_ctx *c)
{
    struct chart_font fn = {7, 0, INK, CHART_RIGHT, 232, 1};
    for (int k = 0; k < c->ntop && fn.size > 6.5; k++) {
        char lab[300];
        chart_node_label(nd(c, c->top[k]), lab, sizeof lab);
        fn.bold = k == 0;
        if (chart_text(p, lab, &fn, 0, 0, 0, NULL) > 12)
            fn.size = 6.5;
    }
    return fn;
}

void chart_draw_progress(struct chart_pen *p, const struct chart_ctx *c,
                         const struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    chart_frame(p, c, it, "Classes as in trends.csv; thresholds in the Notes sheet and the "
                          "report's Methods section.");
    size_t (*cnt)[NPROG] = calloc((size_t)c->ntop, sizeof *cnt);
    int used[NPROG] = {0};
    if (!cnt)
        return;
    for (int k = 0; k < c->ntop; k++)
        for (size_t u = 0; u < nu; u++) {
            enum trend_class cl = c->tr->progress[TREND_AT(c->tr, c->top[k], u)];
            for (size_t j = 0; j < NPROG; j++)
                if (PROG_ORDER[j] == cl) {
                    cnt[k][j]++;
                    used[j] = 1;
                }
        }
    prog_legend(p, it, used);
    double x0 = 250, x1 = it->width - 20, y0 = CHART_HEAD + 40;
    struct chart_scale sx = {0, (double)(nu ? nu : 1), x0, x1};
    prog_axis(p, &sx, nu, y0, y0 + c->ntop * 18.0);
    struct chart_font fn = prog_label_font(p, c);
    for (int k = 0; k < c->ntop; k++) {
        double yy = y0 + k * 18.0;
        const struct fw_node *xn = nd(c, c->top[k]);
        char lab[300];
        chart_node_label(xn, lab, sizeof lab);
        fn.bold = c->in->fw->nlevel - xn->level == 0;   /* the index */
        chart_text_mid(p, lab, &fn, x0 - 6, yy + 9);
        prog_bar(p, &sx, cnt[k], yy);
    }
    free(cnt);
}
