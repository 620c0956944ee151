/* chart.h: the charts lcme draws (README.md "Outputs"), each written as a
 * vector PDF under charts/, and as a PNG (150 dpi) where an image is used
 * (chart_has_png), and drawn again, as vectors, inside report.pdf.
 *
 * Charts format results; they never compute a statistic: scores, intervals,
 * slopes, intercepts, progress classes and network medians all come from
 * struct results and struct trends. Sorting, counting and comparing (an
 * interval with the median, a median with its base-year value) are the only
 * arithmetic done on them here; the rest is layout.
 *
 * Kinds (file names are slugs from path_slug, made unique with -2, -3, ...):
 *   dot-NODE        units sorted by score with interval whiskers and the
 *                   network median, for the index, each area and each area
 *                   of focus. Up to CHART_DOT_ALL units with a score, every
 *                   unit is drawn at a fixed row pitch (the chart grows in
 *                   height); above that the top and bottom CHART_DOT_EDGE
 *                   are drawn around a band that gives the number of units
 *                   left out and the median.
 *   heatmap[-P]     key features (rows, named) x units with an index score
 *                   (columns) in the evaluation year, viridis, value
 *                   printed in each cell, at most CHART_HEAT_COLS units a
 *                   page (units in index order; pages heatmap-1, -2, ...
 *                   when more are needed).
 *   progress        units per progress class for the index, areas and areas
 *                   of focus (stacked horizontal bars, counts printed).
 *   trend-median    one panel per area of focus: the network median over the
 *                   years, every unit's series in light grey behind it, and
 *                   the target score (results->target_score) dashed when
 *                   the node has one.
 *   trend-UNIT      one panel per area of focus: the unit's score over the
 *                   years with its interval band, its OLS line, the network
 *                   median and the target score, dashed, when the node has
 *                   one.
 *   profile-UNIT    the unit's areas of focus sorted by score, with
 *                   intervals and the network median.
 *   radar-UNIT      the same scores on a radar with fixed axis order,
 *                   axes named (long names shortened at a word), each
 *                   score's interval as a whisker along its axis over a
 *                   shaded band between the low and high bounds.
 *   sensitivity-ranks    ([sensitivity] only) each unit's median rank of
 *                   the target node with its 5-95% range over the
 *                   sensitivity runs and its nominal rank, units in their
 *                   nominal order: a row per unit up to CHART_DOT_ALL
 *                   units, above that a column per unit without labels.
 *   sensitivity-indices  ([sensitivity] mode = sa only) each assumption's
 *                   first-order and total Sobol index with its bootstrap
 *                   interval, assumptions by total index.
 *   (The per-unit kinds trend, profile and radar are drawn for the units
 *   chart_unit_selected selects: every unit with an index score in
 *   networks of up to CHART_UNITS_ALL units, else those [report] units
 *   names.)
 *   plan-UNIT       for a unit with action-plan objectives only: one panel
 *                   per node the plan names, the actual values against
 *                   each objective's planned path, the milestones coloured
 *                   by status and the observed pace (chart_plan.c).
 */
#ifndef LCME_CHART_H
#define LCME_CHART_H

#include <stddef.h>

#include <cairo.h>

#include "chart_pen.h"
#include "reports.h"
#include "trend.h"

#define CHART_DPI 150
#define CHART_FOOT 34.0      /* the footer band at the bottom of every chart
                                (source, run, notes), in points */
#define CHART_DOT_ALL 60     /* dot plots list every unit up to this many */
#define CHART_DOT_EDGE 25    /* else the top and bottom this many */
#define CHART_HEAT_COLS 18   /* heatmap units (columns) per page */
#define CHART_PNG_UNITS 30   /* per-unit charts get a PNG up to this many units */
#define CHART_UNITS_ALL 50   /* every unit gets its page and per-unit charts up to
                                this many, unless [report] units says otherwise */

/* The kinds, one row each: X(KIND, name, stem prefix, scope, needs).
 * KIND makes CHART_KIND; name makes the kind's planner and drawer,
 * chart_plan_name and chart_draw_name (reports/charts/chart_int.h); scope
 * says how many the list holds (enum chart_scope: once, per node of the
 * index, areas and areas of focus, per heatmap page, per unit, per unit
 * with action-plan objectives); needs (bits of CHART_NEEDS_*) what a run
 * must have for the kind to be drawn: trends, a sensitivity analysis, one
 * with Sobol indices. The list holds the kinds
 * drawn once, per node or per page in this order, then, unit by unit in
 * index order, the per-unit kinds in this order. Adding a kind is a row
 * here and a file with its planner and drawer. */
#define CHART_NEEDS_TRENDS 1
#define CHART_NEEDS_SENSITIVITY 2
#define CHART_NEEDS_SOBOL 4
#define CHART_KINDS(X)                                                       \
    X(DOT, dot, "dot", CHART_PER_NODE, 0)                                    \
    X(HEATMAP, heatmap, "heatmap", CHART_PER_PAGE, 0)                        \
    X(PROGRESS, progress, "progress", CHART_ONCE, CHART_NEEDS_TRENDS)        \
    X(TREND_MEDIAN, trend_median, "trend-median", CHART_ONCE, CHART_NEEDS_TRENDS) \
    X(TREND, trend, "trend", CHART_PER_UNIT, CHART_NEEDS_TRENDS)             \
    X(PROFILE, profile, "profile", CHART_PER_UNIT, 0)                        \
    X(RADAR, radar, "radar", CHART_PER_UNIT, 0)                              \
    X(PLAN, plan, "plan", CHART_PER_PLANNED_UNIT, 0)                         \
    X(SENS_RANKS, sens_ranks, "sensitivity-ranks", CHART_ONCE,               \
      CHART_NEEDS_SENSITIVITY)                                               \
    X(SENS_INDICES, sens_indices, "sensitivity-indices", CHART_ONCE,         \
      CHART_NEEDS_SOBOL)

enum chart_kind {
#define X(KIND, name, prefix, scope, needs) CHART_##KIND,
    CHART_KINDS(X)
#undef X
    CHART_NKIND
};

struct chart_item {
    enum chart_kind kind;
    int node;            /* the node of a dot plot; -1 otherwise */
    long unit;           /* the unit of trend/profile/radar charts; -1 otherwise */
    int page, npage;     /* heatmap page (1-based) of npage; 1 of 1 otherwise */
    char *stem;          /* file name without extension, e.g. "dot-kflc" */
    char *title;         /* active title, written from the numbers */
    char *subtitle;      /* what is drawn, in full */
    char *alt;           /* one-sentence description (alternative text) */
    double width, height;/* points */
};

struct chart_list {
    size_t n, alloc;
    struct chart_item *v;   /* owned, with every string in it */
};

/* Everything the charts look up more than once: the evaluation year, the
 * node sets, the unit labels. Built by chart_ctx_new from borrowed input. */
struct chart_ctx {
    const struct report_input *in;   /* borrowed */
    const struct trends *tr;         /* borrowed; may be NULL */
    int t;               /* index of the evaluation year in the cube */
    int year;            /* the evaluation year */
    int nfocus, *focus;  /* areas of focus (level nlevel-2, at least 2; the
                            root when there are none), tree order */
    int ntop, *top;      /* index, areas, areas of focus, tree order */
    int nfeat, *feat;    /* key features (aggregates whose children are all
                            indicators), tree order */
    char **label;        /* display name of each unit: "name name_zh", the
                            name, or the code */
    size_t *order;       /* units by index score in the year, best first, then
                            units without a score (by code) */
    size_t nscored;      /* units with an index score in the year */
    int has_ci;          /* results carry intervals (the report draws with
                            a copy that clears it when exact is set) */
    char *footer;        /* "Source: SOURCE (LICENCE). Run ID, lcme VERSION,
                            CREATED."; SOURCE is [batch] source, else the
                            batch name and "(synthetic data)" when it is */
    int exact;           /* has_ci, and every interval has zero width: no
                            sampling error (every observation exact), so the
                            charts claim no interval */
    unsigned char *selected; /* [nunit] 1: the unit gets its per-unit charts
                            and its page in the report ([report] units:
                            all, none or codes; by default every unit in
                            networks of up to CHART_UNITS_ALL units), and
                            has an index score in the year */
    size_t nselected;    /* units selected */
    size_t nunknown;     /* codes in [report] units that are no unit */
};

/* A context for in (borrowed, must outlive it) and tr (may be NULL: no trend
 * or progress charts, no medians; a tr whose sizes differ from the results'
 * counts as NULL). Returns NULL with the reason in d when the input is
 * empty or inconsistent, or on ENOMEM. */
struct chart_ctx *chart_ctx_new(const struct report_input *in,
                                const struct trends *tr, struct diag *d);
void chart_ctx_free(struct chart_ctx *c);   /* NULL is harmless */

/* Units by score of node in year t (none when t < 0), best first, ranked
 * units (coverage at the node's rank threshold) before those with too
 * little data to be ranked, missing last, ties by code, into out[nunit]. Returns the number with a score (0,
 * with out in cube order, on ENOMEM). */
size_t chart_sort_units(const struct chart_ctx *c, int node, int t, size_t *out);

/* "72.3", or "–" for a missing value, in buf. Returns buf. */
const char *chart_num1(char *buf, size_t len, double v);

/* 1 when unit u gets its per-unit charts and report page (c->selected). */
int chart_unit_selected(const struct chart_ctx *c, size_t u);

/* Name of a node for titles: its name, or its code when it has no name
 * (titles are for readers who do not know the codes). Borrowed from the
 * framework. */
const char *chart_node_short(const struct chart_ctx *c, int node);

/* A row label in buf: "CODE name" ("A1 Wider benefits"), just the name
 * when it is the code's word in any case ("Physical", not "Physical
 * Physical"), the code when there is no name. Returns buf. */
const char *chart_node_label(const struct fw_node *x, char *buf, size_t len);

/* The name of framework level lv: the batch's level_names entry when set,
 * else counted from the top and bottom: index, area, then "area of focus"
 * and "key feature" (full = 1) or "focus" and "feature" (full = 0), and
 * indicator. Never NULL. */
const char *chart_level_word(const struct report_input *in, int lv, int full);

/* The same for running text, in buf: lower case, the learning-city short
 * names "focus" and "feature" as "area of focus" and "key feature", and
 * plural when asked ("areas of focus", "pillars", "sub-indexes",
 * "policies"). Returns buf. */
const char *chart_level_words(const struct report_input *in, int lv, int plural, char *buf,
                              size_t len);

/* The network median of node in year index t (from tr->median), NaN when
 * not available. */
double chart_median(const struct chart_ctx *c, int node, int t);

void chart_list_init(struct chart_list *l);
void chart_list_free(struct chart_list *l);  /* frees the items; l is borrowed */

/* Plan every chart (kind, file stem, titles, alternative text, size) without
 * drawing, in the order CHART_KINDS gives. Appends to out. Returns 0, or -1
 * with the reason in d (ENOMEM). */
int chart_list_build(const struct chart_ctx *c, struct chart_list *out,
                     struct diag *d);

/* Draw item with its kind's drawer, its top-left corner at the origin of
 * the pen's cairo context, in points (scale the context first to fit a
 * box). A kind draws nothing when the run lacks what it needs. The
 * context's state is restored afterwards. */
void chart_render(struct chart_pen *p, const struct chart_ctx *c,
                  const struct chart_item *it);

/* Whether a chart is written as a PNG besides its PDF: the charts of the
 * whole network always (the workbook and slides use their images); the
 * per-unit charts (trend, profile, radar) only in networks of at most
 * CHART_PNG_UNITS units, where the workbook's Charts sheet shows every
 * image. Above that the per-unit charts are vectors only (their PDF files
 * and report.pdf): at network scale (356 units) their 1,068 PNGs took 16 s
 * of the run's 46 s of CPU (R = 0), and no output used them. */
int chart_has_png(const struct report_input *in, const struct chart_item *it);

/* Write every chart as DIR/STEM.pdf and, where chart_has_png, DIR/STEM.png
 * (CHART_DPI) (PDF
 * metadata: title, subject (the alternative text), creator, creation and
 * modification dates fixed from run->created, so reruns give the same
 * bytes), on in->threads threads (else the run's; the bytes do not depend
 * on it). dir must exist; the caller
 * passes a temporary folder and renames it. out_list (may be NULL) receives
 * the list (chart_list_init'ed by the caller; free with chart_list_free).
 * Returns 0, or -1 with the reason in d. */
int charts_write_all(const char *dir, const struct report_input *in,
                     const struct trends *tr, struct chart_list *out_list,
                     struct diag *d);

#endif
