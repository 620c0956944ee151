/* chart_int.h: what the files of reports/charts share and nothing outside
 * them may use: the layout every chart keeps, the palette, lookups into the
 * results, the text helpers, the parts every chart draws, and each kind's
 * planner and drawer, declared from the kind table (CHART_KINDS in chart.h).
 *
 * Files:
 *   chart_ctx.c       the context (chart_ctx_new), unit order, names, words
 *   chart_list.c      the kind table, the list builder, chart_render
 *   chart_draw.c      frame, interval note, x axis, legend samples, dot row
 *   chart_dot.c       dot-NODE
 *   chart_heatmap.c   heatmap[-P]
 *   chart_progress.c  progress
 *   chart_trend.c     trend-median and trend-UNIT
 *   chart_profile.c   profile-UNIT, and the planning of radar-UNIT
 *   chart_radar.c     the drawing of radar-UNIT
 *   chart_sens_ranks.c    sensitivity-ranks
 *   chart_sens_indices.c  sensitivity-indices
 *   chart_plan.c      plan-UNIT
 *   chart_write.c     PNG and PDF files, on worker threads
 *   chart_geom.c, chart_pen.c, chart_png.c: scales and ticks, text and
 *   marks, PNG encoding (their own headers).
 */
#ifndef LCME_CHART_INT_H
#define LCME_CHART_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "chart.h"
#include "chart_geom.h"

/* Layout shared by every kind, in points:
 *
 *   +-------------------------------------------------+
 *   | active title (13 pt bold)                       |  CHART_HEAD
 *   | subtitle: what is drawn (8.5 pt, wraps)         |
 *   | legend line                                     |
 *   |   plot area (rows at a fixed pitch / panels)    |
 *   |   axis with nice ticks and a labelled unit      |
 *   | footer: source, run id, engine version, notes   |  CHART_FOOT
 *   +-------------------------------------------------+
 */
#define CHART_HEAD 72.0
#define CHART_W 560.0     /* width of every kind but the heatmap */

/* Palette: Okabe-Ito hues for what carries meaning, greys for the rest. */
#define GREY 0x777777     /* network median */
#define INK 0x222222      /* labels */
#define BLUE 0x0072B2     /* Okabe-Ito blue: the unit */
#define VERM 0xD55E00     /* Okabe-Ito vermillion: trend lines, below median */
#define GREEN 0x009E73    /* Okabe-Ito bluish green: above median */

/* ---- the kinds: one planner and one drawer each, from CHART_KINDS ------ */

/* How many items of a kind the list holds (the SCOPE column of
 * CHART_KINDS): one per run, one per node of c->top, one per heatmap page,
 * one per unit, one per unit with action-plan objectives. */
enum chart_scope { CHART_ONCE, CHART_PER_NODE, CHART_PER_PAGE, CHART_PER_UNIT,
                   CHART_PER_PLANNED_UNIT };

/* 1 when the run has action-plan objectives for unit u (chart_plan.c). */
int chart_unit_has_objectives(const struct chart_ctx *c, size_t u);

/* chart_plan_NAME completes an item the list builder has made (kind, node
 * or unit, page, stem): its title, subtitle and alt (heap strings, left
 * NULL on ENOMEM) and its size in points. Returns 0, or -1 on ENOMEM.
 * chart_draw_NAME draws it as chart_render says. A kind is only planned
 * and drawn when the run has what it needs (chart_kind_ready). */
#define X(KIND, name, prefix, scope, needs)                                         \
    int chart_plan_##name(const struct chart_ctx *c, struct chart_item *it);        \
    void chart_draw_##name(struct chart_pen *p, const struct chart_ctx *c,          \
                           const struct chart_item *it);
CHART_KINDS(X)
#undef X

/* Number of heatmap pages: CHART_HEAT_COLS units with an index score a
 * page, none when the framework has no key features or no unit scores. */
int chart_heatmap_pages(const struct chart_ctx *c);

/* ---- lookups ------------------------------------------------------------ */

static inline int fin(double x) { return isfinite(x) != 0; }

static inline double score_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return r->score[RES_AT(r, node, t, u)];
}

/* Interval bounds, NaN when the context shows no intervals (a view with
 * has_ci cleared draws neither whiskers nor the above/below shapes). */
static inline double lo_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return c->has_ci && r->ci_low ? r->ci_low[RES_AT(r, node, t, u)] : NAN;
}

static inline double hi_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return c->has_ci && r->ci_high ? r->ci_high[RES_AT(r, node, t, u)] : NAN;
}

/* 1 when the score of node in year t for unit u may be ranked: its
 * coverage reaches the node's rank threshold (results->coverage; results
 * without coverage rank every score). */
static inline int ranked_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    size_t at = RES_AT(r, node, t, u);
    return !r->coverage || !r->rank_threshold ||
           r->coverage[at] >= r->rank_threshold[node] * (1 - 1e-12);
}

static inline const struct fw_node *nd(const struct chart_ctx *c, int node)
{
    return &c->in->fw->node[node];
}

/* The interval level in percent (95 by default). */
static inline int level_pct(const struct chart_ctx *c)
{
    double lv = c->in->cfg ? c->in->cfg->ci_level : 0.95;
    return (int)lround(lv * 100);
}

/* 1 when the charts draw and name intervals: results carry them and they
 * have width (with no sampling error they are points, and saying "95%
 * interval" would claim an uncertainty the run does not have). */
static inline int has_iv(const struct chart_ctx *c) { return c->has_ci && !c->exact; }

/* Widens the domain [*lo, *hi] to take in the finite values of v[0..n). */
void chart_widen(double *lo, double *hi, const double *v, int n);

/* ---- text --------------------------------------------------------------- */

/* printf into a new heap string; NULL on ENOMEM. */
char *chart_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A heap copy of s ("" for NULL); NULL on ENOMEM. */
char *chart_strdup(const char *s);

/* A unit's name for titles: its name without the Chinese name (titles stay
 * short; the labels, subtitle and alternative text carry both), or its
 * label when it has no name. Borrowed. */
const char *chart_unit_title(const struct chart_ctx *c, size_t u);

/* A node as a title phrase in plain words, in buf: "the index" for the
 * root, else its name (a long name makes the title shrink or wrap, never a
 * code), and level and code ("area A1") only for a node without a name.
 * Returns buf. */
const char *chart_node_phrase(const struct chart_ctx *c, int node, char *buf, size_t len);

/* Running-text words for the areas of focus (the level of c->focus) and
 * the areas (level nlevel - 1), into the array buf. */
#define FOCUS_WORDS(c, plural, buf) \
    chart_level_words((c)->in, (c)->in->fw->node[(c)->focus[0]].level, (plural), (buf), \
                      sizeof (buf))
#define AREA_WORDS(c, plural, buf) \
    chart_level_words((c)->in, (c)->in->fw->nlevel - 1, (plural), (buf), sizeof (buf))

/* ---- parts every chart draws (chart_draw.c) ----------------------------- */

/* The white page, the title (shrunk from 13 to 10 pt to fit one line, then
 * wrapped), the subtitle (shrunk from 8.5 to 7 pt to stay above the legend
 * line at CHART_HEAD) and the footer: c->footer, then note (may be NULL). */
void chart_frame(struct chart_pen *p, const struct chart_ctx *c,
                 const struct chart_item *it, const char *note);

/* The footer's sentence on intervals, in buf: their level and replications,
 * that there is no sampling error, or that none were computed. Returns
 * buf. */
const char *chart_ci_note(const struct chart_ctx *c, char *buf, size_t len);

/* x axis: grid lines from ytop to ybot, tick labels under ybot, the axis
 * title under them. */
void chart_x_axis(struct chart_pen *p, const struct chart_scale *sx,
                  const struct chart_ticks *tk, double ytop, double ybot,
                  const char *title);

/* The 14-point line sample of a legend entry whose text starts at (x + 18,
 * y): in the current colour, width and dash. */
void chart_legend_line(cairo_t *cr, double x, double y);

/* The dashed grey line of the network median in the current line width
 * (from x to x + 14 at y + 5), then "network median" at x + 18 in font f. */
void chart_legend_median(struct chart_pen *p, const struct chart_font *f, double x,
                         double y, double *w);

/* The legend entry of a unit's score series at (x, y): a blue line in the
 * current line width with a circle of radius r, then "score" at x + 18;
 * returns the width of that label. */
double chart_legend_score(struct chart_pen *p, const struct chart_font *f, double x,
                          double y, double r);

/* A legend entry at (*x, y): a marker of shape sh, radius r and colour col,
 * then text in 7.5 pt; *x moves past it (and a gap). */
void chart_legend_mark(struct chart_pen *p, double *x, double y, enum chart_shape sh, double r,
                       uint32_t col, const char *text);

/* The legend of the dot plots and profiles at (x, y): the three marker
 * shapes against the median (with_shapes, when results carry intervals) or
 * the score's circle, then the network median. */
void chart_median_legend(struct chart_pen *p, const struct chart_ctx *c, double x,
                         double y, int with_shapes);

/* Diagonal hatching over the rectangle (x, y, w, h), lines 4 points apart
 * in colour rgb and width lw, clipped to it. */
void chart_hatch(cairo_t *cr, double x, double y, double w, double h, uint32_t rgb,
                 double lw);

/* An interval from xl to xh at height y as a whisker with caps 5 points
 * high, in dark grey. */
void chart_whisker(cairo_t *cr, double xl, double xh, double y);

/* One row of a dot plot at height y: the interval [l, h] as a whisker, the
 * score v as a marker of radius r whose shape and colour say where the
 * interval lies against the median med, and v printed to the right; "no
 * score" when v is missing. The node dot plots and the unit profiles both
 * draw the median as a vertical mark through the row: a value that would
 * cross it is printed left of the marker instead (when it fits right of
 * x0). */
void chart_dot_row(struct chart_pen *p, const struct chart_scale *sx,
                   const struct chart_font *fv, double x0, double y, double v, double l,
                   double h, double med, double r);

#endif
