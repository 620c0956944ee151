/* report_pdf_int.h: what the files of reports/pdf share, private to them:
 * the document being laid out (struct doc), the layout helpers every
 * section uses, the words several sections write, and each section.
 *
 *   report_doc.c         the document: passes, pages, text, headings kept
 *                        with what follows, contents with links, charts,
 *                        tables, the language of the PDF, report_pdf_write
 *   report_words.c       numbers and changes in words, unit names, the
 *                        caveats of a run
 *   report_summary.c     the cover and the executive summary
 *   report_groups.c      the comparison of groups of units (an attribute),
 *                        a subsection of the index's section
 *   report_areas.c       the index, a page per area, key features and
 *                        network trends
 *   report_robust.c      how robust the ranks are ([sensitivity]; its
 *                        words in report_sens.c)
 *   report_units.c       a page per unit, or units listed by group
 *   report_objectives.c  the action-plan section (a subsection per unit)
 *   report_methods.c     methods and data quality
 *
 * A section is a function of the document: it adds headings, text, tables
 * and charts through the helpers below, which break pages; it never draws
 * below BOTTOM. Both passes run the same sections (report_doc.c).
 */
#ifndef LCME_REPORT_PDF_INT_H
#define LCME_REPORT_PDF_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cairo.h>

#include "chart.h"
#include "groups.h"
#include "trend.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 50.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - 10)
#define FOOTER_Y (PAGE_H - 30)

#define INK_TEXT 0x222222
#define INK_SOFT 0x555555

struct section {
    char title[200];
    int page;
    double y;            /* top of the heading on its page */
    int level;
};

struct doc {
    cairo_surface_t *sf;
    cairo_t *cr;
    struct chart_pen *pen;
    const struct chart_ctx *c;   /* has_ci set only when intervals have width */
    const struct chart_list *charts;
    const char *batch;
    int dry;             /* 1: measure only, record section pages */
    int page;            /* current page, 1-based; 0 before the first */
    double y;            /* next free line on the page */
    int nsec, asec;      /* sections recorded (grown on demand) */
    struct section *sec;
    int oom;             /* sticky: something could not be allocated */
    const struct section *toc;   /* the dry pass's sections (real pass) */
    int ntoc;
    int toc_pages;       /* dry pass: pages the full contents take */
    int outline_parent;  /* outline id of the current top section */
    int nyear;           /* years of the run */
    int trends;          /* 1: trends and progress classes can exist (>= 3
                            years, scores comparable over time) */
    int changes;         /* 1: changes of scores can exist (>= 2 years,
                            comparable over time) */
    int ci_arrays;       /* the results carry interval arrays (maybe of
                            zero width) */
    int prev_t;          /* index of the year before the evaluation year,
                            -1 when the cube does not hold it */
    const struct groups *groups; /* the groups the report compares; NULL */
    int progress_shown;  /* the summary has drawn the progress chart */
};

/* ---- layout (report_doc.c) ---------------------------------------------- */

/* A section heading: level 1 on a new page; level 2 on a new page unless
 * the heading and keep points after it fit (keep 0: 120 points). Both in
 * the contents, the PDF outline and as a link target. */
void rpdf_heading(struct doc *dc, const char *title, int level);
void rpdf_heading_keep(struct doc *dc, const char *title, int level, double keep);

/* Start a new page unless h points fit above the footer band. */
void rpdf_need(struct doc *dc, double h);

/* Start a new page. */
void rpdf_new_page(struct doc *dc);

/* Points left on the page. */
double rpdf_left(const struct doc *dc);

/* A text block across the body, flowing over pages (lines split at '\n'),
 * then after points. */
void rpdf_para(struct doc *dc, const char *text, double size, int bold, uint32_t rgb,
               double after);

/* rpdf_para at 9.5 points in the body's ink, 5 points after. */
void rpdf_paraf(struct doc *dc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "• text" at 9.5 points (any length). */
void rpdf_bullet(struct doc *dc, const char *text);

/* The height rpdf_para would take for text at size across width w. */
double rpdf_measure(struct doc *dc, const char *text, double size, int bold, double w);

/* A chart of the list scaled to the body width and at most maxh tall, its
 * footer (source and run, said once in Methods) left off when crop is set,
 * then its alternative text as a caption. */
void rpdf_chart(struct doc *dc, const struct chart_item *it, double maxh);
void rpdf_chart_crop(struct doc *dc, const struct chart_item *it, double maxh);

/* rpdf_chart_crop scaled to fill the rest of the page (at most maxh
 * tall), or on the next page when less than min_share of the size it
 * would have at maxh is left. */
void rpdf_chart_fill(struct doc *dc, const struct chart_item *it, double maxh,
                     double min_share);

/* The height rpdf_chart_crop takes for it at most maxh tall, caption
 * included. */
double rpdf_chart_height(struct doc *dc, const struct chart_item *it, double maxh);

/* The first chart of kind k for node (any when < 0), unit (any when < 0)
 * and page (any when < 1), or NULL. */
const struct chart_item *rpdf_find_chart(const struct doc *dc, enum chart_kind k, int node,
                                         long unit, int page);

/* A table: ncol columns of the given widths (points, summing to at most
 * BODY_W) and alignment; the header repeated on each page. Rows are added
 * one by one; a row's cells wrap within their column, and a row is never
 * split over pages. */
struct rpdf_table {
    int ncol;
    const double *width;
    const char *align;       /* per column: 'l' or 'r' */
    const char *const *head;
    double size;             /* type size of the cells */
    int stripe;              /* next row shaded */
    int need_head;           /* the header is due before the next row */
};
void rpdf_table_begin(struct doc *dc, struct rpdf_table *t);
/* A row of ncol cells; bold: the row in bold (an index or total row);
 * indent: points the first cell is indented. */
void rpdf_table_row(struct doc *dc, struct rpdf_table *t, const char *const *cell, int bold,
                    double indent);
void rpdf_table_end(struct doc *dc, struct rpdf_table *t);

/* Height of a table row of those cells. */
double rpdf_table_row_height(struct doc *dc, const struct rpdf_table *t,
                             const char *const *cell, int bold, double indent);

/* ---- words (report_words.c) --------------------------------------------- */

/* The first letter in upper case, in b. Returns b. */
const char *rpdf_cap(const char *w, char *b, size_t len);

/* An attribute's name as words: underscores as spaces ("income_group" ->
 * "income group"), in b. Returns b. */
const char *rpdf_words(const char *name, char *b, size_t len);

/* "74.4 [72.9–75.9]", "74.4" without intervals, "–" when missing. */
const char *rpdf_score(const struct doc *dc, int node, size_t u, char *b, size_t len);

/* 1 when unit u's score of node in year index t may be ranked: its
 * coverage reaches the node's rank threshold (results without coverage
 * rank every score). */
int rpdf_ranked(const struct doc *dc, int node, int t, size_t u);

/* "3 [2–5]" (rank with its interval, rounded to whole ranks), "3" without
 * intervals, "not ranked" when the unit has a score too little covered to
 * be ranked, "–" when it has no score. */
const char *rpdf_rank(const struct doc *dc, int node, int t, size_t u, char *b, size_t len);

/* Change of node for unit u since the base year (prev 0) or the year
 * before (prev 1) in words: "+1.2 [+0.4, +2.0]" with its interval when
 * with_iv is set and it has one, else "+1.2"; "–" when there is none. */
const char *rpdf_change(const struct doc *dc, int node, size_t u, int prev, int with_iv,
                        char *b, size_t len);

/* rpdf_change after RPDF_UP or RPDF_DOWN when the change is a significant
 * rise or fall, for a table's cell. */
#define RPDF_UP "\xE2\x96\xB2"
#define RPDF_DOWN "\xE2\x96\xBC"
const char *rpdf_change_cell(const struct doc *dc, int node, size_t u, int prev,
                             int with_iv, char *b, size_t len);

/* Whether that change is a significant rise (+1), fall (-1), neither (0),
 * or not assessed (2: no measured error enters it) or missing (3). */
int rpdf_change_sign(const struct doc *dc, int node, size_t u, int prev);

/* Words for rpdf_change_sign: "a significant rise", "a significant fall",
 * "no significant change", "not assessed (exact data)", "". */
const char *rpdf_change_word(int sign);

/* The year a change since the base year starts, or 0. */
int rpdf_base_year(const struct doc *dc, int node, size_t u);

/* The progress class of node for unit u as text ("" without trends;
 * "progress, acceleration needed" shortened to "acceleration needed"). */
const char *rpdf_progress(const struct doc *dc, int node, size_t u);

/* Unit u's attributes as "region: Kowloon; country: Ghana" (name_zh left
 * out), in b; "" when it has none. Returns b. */
const char *rpdf_unit_attrs(const struct doc *dc, size_t u, char *b, size_t len);

/* The caveats of the run, each a sentence into out[] (heap strings the
 * caller frees), at most RPDF_MAX_CAVEATS; returns how many. A caveat is
 * a row of the table in report_words.c: synthetic data, exact data or no
 * intervals, no trends, per-year scope, imputed values, units without a
 * score, units with a score too little covered to be ranked, changes
 * compared over the indicators both years have, [report] units naming no
 * unit, and the robustness of the ranks. */
#define RPDF_MAX_CAVEATS 12
size_t rpdf_caveats(const struct doc *dc, char **out);

/* "Trends ... need at least 3 years": for a run with fewer, or with scores
 * not comparable over time, at size. */
void rpdf_few_years(struct doc *dc, double size);

/* ---- sections ------------------------------------------------------------ */

void rpdf_cover(struct doc *dc);
void rpdf_summary(struct doc *dc);
void rpdf_groups(struct doc *dc);
void rpdf_areas(struct doc *dc);
void rpdf_robustness(struct doc *dc);   /* with [sensitivity] only */
void rpdf_units(struct doc *dc);
void rpdf_objectives(struct doc *dc, const struct chart_list *l);
void rpdf_methods(struct doc *dc);

/* The charts' context the report draws with (report_objectives.c). */
const struct chart_ctx *rpdf_ctx(const struct doc *dc);

#endif
