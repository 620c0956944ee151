/* chart_plan.c: plan-UNIT, a unit's action-plan objectives (objectives.h):
 * one panel per node the plan names for the unit, in the node's own units
 * (raw for an indicator, score points for an aggregate), over the years
 * from the first with a value (or the earliest baseline) to the last target
 * year. Each panel draws the actual values (blue) with the latest value's
 * interval as a whisker, each objective's planned path from its baseline to
 * its target (black, dashed), the target as a milestone diamond coloured by
 * status with its year beside it, and the observed pace from the latest
 * value (grey, dotted); under the panel one line per objective: its target
 * year, label and status.
 *
 * Only units with objectives get the chart (scope CHART_PER_PLANNED_UNIT).
 * Invariants: statuses, paces and intervals come from struct objectives;
 * the one arithmetic is where the pace line ends (the latest value plus the
 * observed change a year times the years to the target), as the trend
 * charts draw their OLS lines; panels run three to a row in plan order.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objectives_report.h"

#define PLAN_COLS 3          /* panels a row, at most */
#define PLAN_TOP 36.0        /* panel title (up to three lines) above the plot */
#define PLAN_PLOT 96.0       /* plot height */
#define PLAN_LINE 9.0        /* one status line under a panel */
#define PLAN_PACE 0x555555   /* the observed pace */

/* Colour of a status (Okabe-Ito; grey without one). */
static uint32_t status_rgb(enum objective_status s)
{
    switch (s) {
    case OBJECTIVE_ACHIEVED: return 0x009E73;     /* bluish green */
    case OBJECTIVE_ON_TRACK: return 0x56B4E9;     /* sky blue */
    case OBJECTIVE_BEHIND: return 0xE69F00;       /* orange */
    case OBJECTIVE_OFF_TRACK: return 0xD55E00;    /* vermillion */
    case OBJECTIVE_MOVING_AWAY: return 0xCC79A7;  /* reddish purple */
    default: return 0xBBBBBB;
    }
}

/* A unit's rows and the nodes they name, in plan order. */
struct plan_set {
    size_t *row, nrow;       /* indices into objectives->row */
    int *node, nnode;        /* distinct nodes */
    int most;                /* most rows of one node: status lines a panel */
};

static void plan_set_free(struct plan_set *s)
{
    free(s->row);
    free(s->node);
}

/* Fill s for unit u; -1 on ENOMEM. */
static int plan_set_of(const struct chart_ctx *c, size_t u, struct plan_set *s)
{
    const struct objectives *ob = c->in->objectives;
    memset(s, 0, sizeof *s);
    size_t n = ob ? ob->n : 0;
    s->row = malloc((n + 1) * sizeof *s->row);
    s->node = malloc((n + 1) * sizeof *s->node);
    if (!s->row || !s->node)
        return -1;
    s->nrow = ob ? objectives_unit_rows(c->in, u, s->row) : 0;
    for (size_t i = 0; i < s->nrow; i++) {
        int k = ob->row[s->row[i]].node, seen = 0, count = 0;
        for (int j = 0; j < s->nnode; j++)
            seen |= s->node[j] == k;
        if (!seen)
            s->node[s->nnode++] = k;
        for (size_t j = 0; j < s->nrow; j++)
            count += ob->row[s->row[j]].node == k;
        if (count > s->most)
            s->most = count;
    }
    return 0;
}

int chart_unit_has_objectives(const struct chart_ctx *c, size_t u)
{
    const struct objectives *ob = c->in->objectives;
    for (size_t i = 0; ob && i < ob->n; i++)
        if (ob->row[i].unit == u)
            return 1;
    return 0;
}

static double panel_pitch(const struct plan_set *s)
{
    return PLAN_TOP + PLAN_PLOT + 16 + s->most * PLAN_LINE + 8;
}

/* ---- planning ----------------------------------------------------------- */

int chart_plan_plan(const struct chart_ctx *c, struct chart_item *it)
{
    size_t u = (size_t)it->unit;
    const struct objectives *ob = c->in->objectives;
    struct plan_set s;
    if (plan_set_of(c, u, &s) != 0) {
        plan_set_free(&s);
        return -1;
    }
    size_t count[OBJECTIVE_NSTATUS] = {0};
    for (size_t i = 0; i < s.nrow; i++)
        count[ob->row[s.row[i]].pr.status]++;
    size_t good = count[OBJECTIVE_ACHIEVED] + count[OBJECTIVE_ON_TRACK];
    it->title = chart_fmt("%s: %zu of %zu objective%s achieved or on track in %d",
                          chart_unit_title(c, u), good, s.nrow, s.nrow == 1 ? "" : "s",
                          c->year);
    it->subtitle = chart_fmt("%s, action plan %s: actual values (blue)%s, each objective's "
                             "planned path from its baseline (dashed) to its target (a "
                             "diamond coloured by status), and the observed pace from the "
                             "latest value (dotted).", c->label[u], ob->plan->version,
                             has_iv(c) ? " with the latest value's interval" : "");
    it->alt = chart_fmt("Small multiples of %s's action-plan objectives on %d node%s, each "
                        "value against its planned path and milestones: %zu achieved, %zu "
                        "on track, %zu behind, %zu off track, %zu moving away, %zu without "
                        "a status.", c->label[u], s.nnode, s.nnode == 1 ? "" : "s",
                        count[OBJECTIVE_ACHIEVED], count[OBJECTIVE_ON_TRACK],
                        count[OBJECTIVE_BEHIND], count[OBJECTIVE_OFF_TRACK],
                        count[OBJECTIVE_MOVING_AWAY], count[OBJECTIVE_NONE]);
    int cols = s.nnode < PLAN_COLS ? (s.nnode > 0 ? s.nnode : 1) : PLAN_COLS;
    int rows = (s.nnode + cols - 1) / cols;
    it->width = CHART_W;
    it->height = CHART_HEAD + 16 + (rows > 0 ? rows : 1) * panel_pitch(&s) + CHART_FOOT;
    plan_set_free(&s);
    return 0;
}

/* ---- drawing ------------------------------------------------------------ */

/* Node k's value of unit u in year index t: raw for an indicator, the score
 * for an aggregate (the units objectives are judged in). */
static double node_value(const struct chart_ctx *c, int k, size_t t, size_t u)
{
    const struct cube *cb = c->in->cube;
    if (k < c->in->fw->nind)
        return cb->value[CUBE_AT(cb, k, t, u)];
    return score_at(c, k, (int)t, u);
}

/* One panel: its plot area and scales. */
struct plan_panel {
    double x0, y0, w;            /* top-left corner and width of the panel */
    double ax0, ax1, ay0, ay1;   /* plot area */
    struct chart_scale sx, sy;
    struct chart_ticks tk;
};

/* The panel's domains: years from the first with a value (or the earliest
 * baseline) to the last target year; values over everything drawn but the
 * pace lines, which are clipped. */
static void panel_domain(const struct chart_ctx *c, const struct plan_set *s, int node,
                         size_t u, struct plan_panel *pn)
{
    const struct objectives *ob = c->in->objectives;
    const struct cube *cb = c->in->cube;
    double ylo = INFINITY, yhi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    for (size_t t = 0; t < cb->nyear && cb->year[t] <= c->in->cfg->year; t++) {
        double v = node_value(c, node, t, u);
        if (fin(v)) {
            chart_widen(&ylo, &yhi, &v, 1);
            double yr = cb->year[t];
            chart_widen(&xlo, &xhi, &yr, 1);
        }
    }
    for (size_t i = 0; i < s->nrow; i++) {
        const struct objective_row *rw = &ob->row[s->row[i]];
        if (rw->node != node)
            continue;
        const struct plan_objective *o = &ob->plan->obj[rw->obj];
        double w[5] = {o->target, rw->baseline, rw->pr.planned, rw->latest_low,
                       rw->latest_high};
        chart_widen(&ylo, &yhi, w, 5);
        double yr[2] = {o->year, fin(rw->baseline) ? rw->baseline_year : NAN};
        chart_widen(&xlo, &xhi, yr, 2);
    }
    if (!fin(xlo))
        xlo = xhi = c->year;
    if (xhi <= xlo)
        xhi = xlo + 1;
    chart_nice_ticks(ylo, yhi, 4, &pn->tk);
    pn->sx = (struct chart_scale){xlo, xhi, pn->ax0, pn->ax1};
    pn->sy = (struct chart_scale){pn->tk.lo, pn->tk.hi, pn->ay1, pn->ay0};
}

/* The panel's title, background, y grid with labels, first and last year. */
static void panel_frame(struct chart_pen *p, const struct chart_ctx *c, int node,
                        const struct plan_panel *pn)
{
    cairo_t *cr = chart_pen_cr(p);
    char b[160];
    struct chart_font ft = {6.2, 1, INK, CHART_LEFT, pn->w, 1};
    chart_node_label(nd(c, node), b, sizeof b);
    chart_text(p, b, &ft, pn->x0, pn->y0, 1, NULL);
    cairo_rectangle(cr, pn->ax0, pn->ay0, pn->ax1 - pn->ax0, pn->ay1 - pn->ay0);
    chart_rgb(cr, 0xFAFAFA);
    cairo_fill(cr);
    cairo_set_line_width(cr, 0.4);
    struct chart_font fa = {6, 0, 0x555555, CHART_RIGHT, 0, 0};
    for (int i = 0; i < pn->tk.n; i++) {
        double tv = chart_tick_value(&pn->tk, i), y = chart_scale_map(&pn->sy, tv);
        chart_rgb(cr, 0xE0E0E0);
        cairo_move_to(cr, pn->ax0, y);
        cairo_line_to(cr, pn->ax1, y);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.*f", pn->tk.decimals, tv);
        chart_text(p, b, &fa, pn->ax0 - 2, y - 4, 1, NULL);
    }
    fa.align = CHART_LEFT;
    snprintf(b, sizeof b, "%.0f", pn->sx.d0);
    chart_text(p, b, &fa, pn->ax0, pn->ay1 + 1, 1, NULL);
    fa.align = CHART_RIGHT;
    snprintf(b, sizeof b, "%.0f", pn->sx.d1);
    chart_text(p, b, &fa, pn->ax1, pn->ay1 + 1, 1, NULL);
}

/* The unit's actual values of node, blue, a missing year breaking the line. */
static void panel_actual(cairo_t *cr, const struct chart_ctx *c, int node, size_t u,
                         const struct plan_panel *pn)
{
    const struct cube *cb = c->in->cube;
    cairo_set_line_width(cr, 1.3);
    chart_rgb(cr, BLUE);
    int pen = 0;
    for (size_t t = 0; t < cb->nyear && cb->year[t] <= c->in->cfg->year; t++) {
        double v = node_value(c, node, t, u);
        if (!fin(v)) {
            pen = 0;
            continue;
        }
        double x = chart_scale_map(&pn->sx, cb->year[t]), y = chart_scale_map(&pn->sy, v);
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = 1;
    }
    cairo_stroke(cr);
    for (size_t t = 0; t < cb->nyear && cb->year[t] <= c->in->cfg->year; t++) {
        double v = node_value(c, node, t, u);
        if (fin(v))
            chart_marker(cr, CHART_CIRCLE, chart_scale_map(&pn->sx, cb->year[t]),
                         chart_scale_map(&pn->sy, v), 1.7, BLUE);
    }
}

/* One objective: the latest value's whisker, the planned path, the pace
 * from the latest value, the milestone with its year. */
static void panel_objective(struct chart_pen *p, const struct chart_ctx *c,
                            const struct objective_row *rw, const struct plan_panel *pn)
{
    cairo_t *cr = chart_pen_cr(p);
    const struct plan_objective *o = &c->in->objectives->plan->obj[rw->obj];
    const struct chart_scale *sx = &pn->sx, *sy = &pn->sy;
    double xl = chart_scale_map(sx, rw->latest_year);
    if (has_iv(c) && fin(rw->latest_low) && fin(rw->latest_high)) {
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, BLUE);
        cairo_move_to(cr, xl, chart_scale_map(sy, rw->latest_low));
        cairo_line_to(cr, xl, chart_scale_map(sy, rw->latest_high));
        cairo_stroke(cr);
    }
    double xt = chart_scale_map(sx, o->year), yt = chart_scale_map(sy, o->target);
    cairo_save(cr);
    cairo_rectangle(cr, pn->ax0, pn->ay0, pn->ax1 - pn->ax0, pn->ay1 - pn->ay0);
    cairo_clip(cr);
    if (fin(rw->baseline)) {
        double dash[] = {4, 2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, 0x000000);
        cairo_move_to(cr, chart_scale_map(sx, rw->baseline_year), chart_scale_map(sy, rw->baseline));
        cairo_line_to(cr, xt, yt);
        cairo_stroke(cr);
    }
    if (fin(rw->pr.observed) && rw->latest_year && o->year > rw->latest_year) {
        double dot[] = {1, 2};
        cairo_set_dash(cr, dot, 2, 0);
        cairo_set_line_width(cr, 1.1);
        chart_rgb(cr, PLAN_PACE);
        double end = rw->latest + rw->pr.observed * (o->year - rw->latest_year);
        cairo_move_to(cr, xl, chart_scale_map(sy, rw->latest));
        cairo_line_to(cr, xt, chart_scale_map(sy, end));
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    chart_marker(cr, CHART_DIAMOND, xt, yt, 3.2, status_rgb(rw->pr.status));
    char b[16];
    snprintf(b, sizeof b, "%d", o->year);
    struct chart_font fy = {5.5, 0, 0x333333, CHART_RIGHT, 0, 0};
    chart_text_mid(p, b, &fy, xt - 5, yt);
}

/* Under the panel: per objective a marker in its status colour, then
 * "2030 long term: off track". */
static void panel_statuses(struct chart_pen *p, const struct chart_ctx *c,
                           const struct plan_set *s, int node, const struct plan_panel *pn)
{
    const struct objectives *ob = c->in->objectives;
    struct chart_font fs = {6.2, 0, 0x333333, CHART_LEFT, pn->w - 10, 0};
    double y = pn->ay1 + 12;
    for (size_t i = 0; i < s->nrow; i++) {
        const struct objective_row *rw = &ob->row[s->row[i]];
        if (rw->node != node)
            continue;
        const struct plan_objective *o = &ob->plan->obj[rw->obj];
        char b[160];
        snprintf(b, sizeof b, "%d%s%s: %s", o->year, o->label[0] ? " " : "", o->label,
                 rw->pr.status != OBJECTIVE_NONE ? objective_status_name(rw->pr.status)
                                                 : "no status");
        chart_marker(chart_pen_cr(p), CHART_DIAMOND, pn->x0 + 3, y + 4, 2.6,
                     status_rgb(rw->pr.status));
        chart_text(p, b, &fs, pn->x0 + 9, y, 1, NULL);
        y += PLAN_LINE;
    }
}

/* The legend line under the subtitle. */
static void plan_legend(struct chart_pen *p, const struct chart_ctx *c)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font fl = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double lx = 12, ly = CHART_HEAD, w;
    cairo_set_line_width(cr, 1.3);
    chart_rgb(cr, BLUE);
    chart_legend_line(cr, lx, ly);
    chart_marker(cr, CHART_CIRCLE, lx + 7, ly + 5, 2, BLUE);
    chart_text(p, "actual", &fl, lx + 18, ly, 1, &w);
    lx += w + 26;
    if (has_iv(c)) {
        chart_rgb(cr, BLUE);
        cairo_set_line_width(cr, 1);
        cairo_move_to(cr, lx + 7, ly);
        cairo_line_to(cr, lx + 7, ly + 10);
        cairo_stroke(cr);
        chart_text(p, "latest interval", &fl, lx + 18, ly, 1, &w);
        lx += w + 26;
    }
    double dash[] = {4, 2}, dot[] = {1, 2};
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, 0x000000);
    cairo_set_dash(cr, dash, 2, 0);
    chart_legend_line(cr, lx, ly);
    cairo_set_dash(cr, NULL, 0, 0);
    chart_text(p, "planned path", &fl, lx + 18, ly, 1, &w);
    lx += w + 26;
    chart_marker(cr, CHART_DIAMOND, lx + 7, ly + 5, 3, 0xBBBBBB);
    chart_text(p, "target (status colour)", &fl, lx + 18, ly, 1, &w);
    lx += w + 26;
    chart_rgb(cr, PLAN_PACE);
    cairo_set_line_width(cr, 1.1);
    cairo_set_dash(cr, dot, 2, 0);
    chart_legend_line(cr, lx, ly);
    cairo_set_dash(cr, NULL, 0, 0);
    chart_text(p, "observed pace", &fl, lx + 18, ly, 1, NULL);
}

void chart_draw_plan(struct chart_pen *p, const struct chart_ctx *c,
                     const struct chart_item *it)
{
    size_t u = (size_t)it->unit;
    char note[200];
    chart_ci_note(c, note, sizeof note);
    chart_frame(p, c, it, note);
    struct plan_set s;
    if (plan_set_of(c, u, &s) != 0 || s.nnode == 0) {
        plan_set_free(&s);
        return;
    }
    plan_legend(p, c);
    int cols = s.nnode < PLAN_COLS ? s.nnode : PLAN_COLS;
    double pw = (it->width - 24 - (cols - 1) * 14.0) / cols, pitch = panel_pitch(&s);
    for (int f = 0; f < s.nnode; f++) {
        int node = s.node[f];
        struct plan_panel pn;
        pn.x0 = 12 + (f % cols) * (pw + 14);
        pn.y0 = CHART_HEAD + 16 + (f / cols) * pitch;
        pn.w = pw;
        pn.ax0 = pn.x0 + 24;
        pn.ax1 = pn.x0 + pw - 6;
        pn.ay0 = pn.y0 + PLAN_TOP;
        pn.ay1 = pn.ay0 + PLAN_PLOT;
        panel_domain(c, &s, node, u, &pn);
        panel_frame(p, c, node, &pn);
        panel_actual(chart_pen_cr(p), c, node, u, &pn);
        for (size_t i = 0; i < s.nrow; i++)
            if (c->in->objectives->row[s.row[i]].node == node)
                panel_objective(p, c, &c->in->objectives->row[s.row[i]], &pn);
        panel_statuses(p, c, &s, node, &pn);
    }
    plan_set_free(&s);
}
