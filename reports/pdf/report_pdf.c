/* report_pdf.c: writes report.pdf (see report_pdf.h).
 *
 * The document is laid out twice with the same code: a dry pass onto a PDF
 * surface that discards its bytes, with the pen measuring text without
 * drawing it, records the page of every section, then the real pass writes
 * the pages with the contents filled in. Both passes use the same pen
 * (the real pass draws the text the dry pass laid out), so they break pages
 * at the same places. The dry pass lays the contents out as one page; the
 * pages the full contents take are then measured with the same routine
 * (contents_flow) and every later section's page is moved on by the extra
 * pages, so the contents may run over any number of pages.
 *
 * Page layout: A4 portrait, 50 pt margins, page number and batch name in
 * the footer of every page but the cover. Invariant: no text is drawn below
 * BOTTOM except the footer: paragraphs that do not fit move to the next
 * page, and a paragraph taller than a page is cut at spaces and flows on.
 *
 * Wording follows the run: intervals are printed only when some interval
 * has a width (a batch without sampling error has exact scores), trends and
 * progress arrows only with at least 3 years, changes with at least 2;
 * progress is described as judged against targets ("on track or better")
 * or with the bands without one, as the run classed it. Nodes are named by
 * the batch's level names and their own names; a code is printed beside a
 * name only when it differs from it. The charts keep the titles chart.c
 * wrote; they are drawn with has_ci cleared when the intervals have no
 * width, and the progress and trend charts are left out when the run has
 * too few years for them (the text says why).
 */
#include "report_pdf.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "chart_pen.h"
#include "report_sens.h"
#include "report_pdf_int.h"
#include "report_util.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 50.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - 10)
#define FOOTER_Y (PAGE_H - 30)

struct section {
    char title[200];
    int page;
    int level;
};

struct doc {
    cairo_surface_t *sf;
    cairo_t *cr;
    struct chart_pen *pen;
    const struct chart_ctx *c;   /* has_ci set only when intervals have width */
    const char *batch;
    int dry;             /* 1: measure only, record section pages */
    int page;            /* current page, 1-based; 0 before the first */
    double y;            /* next free line on the page */
    int nsec, asec;      /* sections recorded (grown on demand) */
    struct section *sec;
    int oom;             /* sticky: a section could not be recorded */
    const struct section *toc;   /* the dry pass's sections (real pass) */
    int ntoc;
    int toc_pages;       /* dry pass: pages the full contents take */
    int outline_parent;  /* outline id of the current top section */
    int nyear;           /* years of the run */
    int trends;          /* 1: trends and progress classes can exist (>= 3 years) */
    int changes;         /* 1: changes can exist (>= 2 years) */
};

static int fin(double x) { return isfinite(x) != 0; }

/* ---- words ------------------------------------------------------------- */

/* A number as written in a batch file: up to 6 significant digits, no
 * trailing zeros ("0.95", "0.66", "100"). */
static const char *num(char *b, size_t len, double v)
{
    snprintf(b, len, "%.6g", v == 0 ? 0.0 : v);
    return b;
}

/* The name of a framework level: the batch's level_names when set, else
 * index, area, area of focus, key feature, indicator. */
static const char *level_word(const struct doc *dc, int lv)
{
    return chart_level_word(dc->c->in, lv, 1);
}

/* The first letter in upper case (for headings). */
static const char *cap(const char *w, char *b, size_t len)
{
    snprintf(b, len, "%s", w);
    if (b[0])
        b[0] = (char)toupper((unsigned char)b[0]);
    return b;
}

static int focus_level(const struct doc *dc)
{
    return dc->c->nfocus > 0 ? dc->c->in->fw->node[dc->c->focus[0]].level
                             : dc->c->in->fw->nlevel - 2;
}

static int feature_level(const struct doc *dc)
{
    return dc->c->nfeat > 0 ? dc->c->in->fw->node[dc->c->feat[0]].level : 2;
}

/* ---- progress classes ---------------------------------------------------- */

/* How the progress of node (every node when node < 0) was classed, over all
 * units: bit 1 against a target, bit 2 with the bands without one. */
static int progress_kinds(const struct doc *dc, int node)
{
    const struct trends *tr = dc->c->tr;
    int kinds = 0;
    if (!tr || !dc->trends)
        return 0;
    size_t n0 = node < 0 ? 0 : (size_t)node, n1 = node < 0 ? tr->nnode : n0 + 1;
    for (size_t k = n0; k < n1 && k < tr->nnode; k++)
        for (size_t u = 0; u < tr->nunit; u++) {
            size_t at = TREND_AT(tr, k, u);
            switch (tr->progress[at]) {
            case TREND_TARGET_MET:
            case TREND_ON_TRACK:
            case TREND_ACCELERATION_NEEDED: kinds |= 1; break;
            case TREND_SUBSTANTIAL:
            case TREND_MODERATE: kinds |= 2; break;
            case TREND_LIMITED:
            case TREND_DETERIORATION:
                kinds |= tr->target && fin(tr->target[at]) ? 1 : 2;
                break;
            default: break;
            }
        }
    return kinds;
}

/* ---- pages and text -------------------------------------------------------- */

static void page_footer(struct doc *dc)
{
    if (dc->page <= 1)
        return;
    char b[300];
    snprintf(b, sizeof b, "%s \xC2\xB7 page %d", dc->batch, dc->page);
    struct chart_font f = {7.5, 0, 0x777777, CHART_CENTER, 0, 0};
    chart_text(dc->pen, b, &f, PAGE_W / 2, FOOTER_Y, 1, NULL);
}

static void new_page(struct doc *dc)
{
    if (dc->page > 0)
        cairo_show_page(dc->cr);
    dc->page++;
    dc->y = MARGIN;
    page_footer(dc);
}

/* Start a new page unless h points fit above the footer band. */
static void need(struct doc *dc, double h)
{
    if (dc->y + h > BOTTOM)
        new_page(dc);
}

/* One line of text (no newline), wrapped across the body. It moves to the
 * next page when it does not fit; one taller than a whole page is cut at a
 * space near its middle and each half placed in turn, so no line is lost
 * and none reaches the footer. */
static void piece(struct doc *dc, const char *text, const struct chart_font *f)
{
    double h = chart_text(dc->pen, text, f, 0, 0, 0, NULL);
    if (dc->y + h > BOTTOM) {
        size_t n = strlen(text);
        if (h > BOTTOM - MARGIN && n > 1) {
            size_t cut = n / 2;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                for (cut = n / 2; cut < n && text[cut] != ' '; cut++)
                    ;
            if (cut > 0 && cut < n) {
                char *a = malloc(n + 1);
                if (a) {
                    memcpy(a, text, cut);
                    a[cut] = '\0';
                    piece(dc, a, f);
                    piece(dc, text + cut + 1, f);
                    free(a);
                    return;
                }
            }
        }
        new_page(dc);
    }
    chart_text(dc->pen, text, f, MARGIN, dc->y, 1, NULL);
    dc->y += h;
}

/* Text block across the body: each line (split at '\n') is placed with
 * piece, so a long block flows over pages; then `after` points of space. */
static void para(struct doc *dc, const char *text, double size, int bold,
                 uint32_t rgb, double after)
{
    struct chart_font f = {size, bold, rgb, CHART_LEFT, BODY_W, 1};
    const char *nl = strchr(text, '\n');
    if (!nl) {
        piece(dc, text, &f);
    } else {
        char *buf = malloc(strlen(text) + 1);
        if (!buf) {
            piece(dc, text, &f);
        } else {
            strcpy(buf, text);
            char *s = buf;
            for (;;) {
                char *e = strchr(s, '\n');
                if (e)
                    *e = '\0';
                if (*s)
                    piece(dc, s, &f);
                if (!e)
                    break;
                s = e + 1;
            }
            free(buf);
        }
    }
    dc->y += after;
}

static void paraf(struct doc *dc, double size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void paraf(struct doc *dc, double size, const char *fmt, ...)
{
    char b[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    para(dc, b, size, 0, 0x222222, 5);
}

/* Record a section for the contents; sets dc->oom when memory runs out. */
static void record(struct doc *dc, const char *title, int level)
{
    if (dc->nsec == dc->asec) {
        int na = dc->asec ? 2 * dc->asec : 64;
        struct section *s = realloc(dc->sec, (size_t)na * sizeof *s);
        if (!s) {
            dc->oom = 1;
            return;
        }
        dc->sec = s;
        dc->asec = na;
    }
    struct section *s = &dc->sec[dc->nsec++];
    snprintf(s->title, sizeof s->title, "%s", title);
    s->page = dc->page;
    s->level = level;
}

/* A section heading: level 1 starts a new page, level 2 one when less than
 * 120 pt are left. Recorded for the contents and the PDF outline. */
static void heading(struct doc *dc, const char *title, int level)
{
    if (level == 1 || dc->y > BOTTOM - 120)
        new_page(dc);
    record(dc, title, level);
    if (!dc->dry) {
        char dest[32];
        snprintf(dest, sizeof dest, "page=%d", dc->page);
        int id = cairo_pdf_surface_add_outline(
            dc->sf, level == 1 ? CAIRO_PDF_OUTLINE_ROOT : dc->outline_parent,
            title, dest, 0);
        if (level == 1)
            dc->outline_parent = id;
    }
    para(dc, title, level == 1 ? 17 : 13, 1, 0x111111, level == 1 ? 10 : 6);
}

/* ---- charts ---------------------------------------------------------------- */

static double sc(const struct chart_ctx *c, int node, size_t u)
{
    const struct results *r = c->in->res;
    return r->score[RES_AT(r, node, c->t, u)];
}

/* A chart scaled to the body width and at most maxh tall, then its
 * alternative text. */
static void chart(struct doc *dc, const struct chart_item *planned, double maxh)
{
    const struct chart_item *it = planned;
    double s = BODY_W / it->width;
    if (it->height * s > maxh)
        s = maxh / it->height;
    if (s > 1)
        s = 1;
    struct chart_font f = {7, 0, 0x666666, CHART_LEFT, BODY_W, 1};
    char alt[1300];
    snprintf(alt, sizeof alt, "Figure: %s", it->alt);
    double ha = chart_text(dc->pen, alt, &f, 0, 0, 0, NULL);
    if (dc->y + it->height * s + ha + 4 > BOTTOM)
        new_page(dc);
    if (!dc->dry) {
        cairo_save(dc->cr);
        cairo_translate(dc->cr, MARGIN + (BODY_W - it->width * s) / 2, dc->y);
        cairo_scale(dc->cr, s, s);
        chart_render(dc->pen, dc->c, it);
        cairo_restore(dc->cr);
    }
    dc->y += it->height * s + 3;
    chart_text(dc->pen, alt, &f, MARGIN, dc->y, 1, NULL);
    dc->y += ha + 12;
}

static const struct chart_item *find_chart(const struct chart_list *l,
                                           enum chart_kind k, int node, long unit,
                                           int page)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct chart_item *it = &l->v[i];
        if (it->kind == k && (node < 0 || it->node == node) &&
            (unit < 0 || it->unit == unit) && (page < 1 || it->page == page))
            return it;
    }
    return NULL;
}

/* ---- for the sections in other files (report_pdf_int.h) ------------------ */

const struct chart_ctx *rpdf_ctx(const struct doc *dc) { return dc->c; }

void rpdf_heading(struct doc *dc, const char *title, int level) { heading(dc, title, level); }

void rpdf_need(struct doc *dc, double h) { need(dc, h); }

void rpdf_para(struct doc *dc, const char *text, double size, int bold, uint32_t rgb,
               double after)
{
    para(dc, text, size, bold, rgb, after);
}

void rpdf_chart(struct doc *dc, const struct chart_item *it, double maxh)
{
    chart(dc, it, maxh);
}

/* ---- sentences ----------------------------------------------------------- */

/* "74.4 [72.9–75.9]", or "74.4" without intervals, "–" when missing. */
static const char *with_ci(const struct chart_ctx *c, int node, size_t u,
                           char *b, size_t len)
{
    const struct results *r = c->in->res;
    size_t at = RES_AT(r, node, c->t, u);
    double v = r->score[at];
    if (!fin(v))
        snprintf(b, len, "\xE2\x80\x93");
    else if (c->has_ci && fin(r->ci_low[at]) && fin(r->ci_high[at]))
        snprintf(b, len, "%.1f [%.1f\xE2\x80\x93%.1f]", v, r->ci_low[at], r->ci_high[at]);
    else
        snprintf(b, len, "%.1f", v);
    return b;
}

/* Arrow for a progress class: up for target met or on track (against a
 * target) and substantial or moderate progress (without one), right for
 * acceleration needed or limited progress, down for deterioration, a dot
 * when not assessed; nothing when the run has too few years for classes. */
static const char *arrow(const struct doc *dc, int node, size_t u)
{
    const struct chart_ctx *c = dc->c;
    if (!c->tr || !dc->trends)
        return "";
    switch (c->tr->progress[TREND_AT(c->tr, node, u)]) {
    case TREND_TARGET_MET:
    case TREND_ON_TRACK:
    case TREND_SUBSTANTIAL:
    case TREND_MODERATE: return " \xE2\x86\x91";
    case TREND_ACCELERATION_NEEDED:
    case TREND_LIMITED: return " \xE2\x86\x92";
    case TREND_DETERIORATION: return " \xE2\x86\x93";
    default: return " \xC2\xB7";
    }
}

/* "Trends ... need at least 3 years": for a run with fewer. */
static void few_years(struct doc *dc, double size)
{
    const struct cube *cb = dc->c->in->cube;
    char yrs[40];
    if (cb->nyear == 1)
        snprintf(yrs, sizeof yrs, "1 year (%d)", cb->year[0]);
    else
        snprintf(yrs, sizeof yrs, "%zu years (%d\xE2\x80\x93%d)", cb->nyear, cb->year[0],
                 cb->year[cb->nyear - 1]);
    paraf(dc, size, "Trends and progress classes need at least 3 years of scores, "
          "and changes at least 2; this batch has %s, so %s.", yrs,
          dc->changes ? "changes are reported but no trends or progress classes"
                      : "no trend, change or progress class is reported");
}

/* Units of node by change since the base year; writes the best k gains
 * (sign +1) or falls (-1) as "A (+1.2), B (+0.8, 2018-2021)": each change
 * compares like with like (compare.h), and its years are given when they
 * are not the base year and the year evaluated. Sorting only. */
static void changes(const struct doc *dc, int node, int sign, char *out, size_t len)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    out[0] = '\0';
    if (!c->tr || !dc->changes)
        return;
    int used[3] = {-1, -1, -1};
    for (int k = 0; k < 3; k++) {
        long best = -1;
        double bv = 0;
        for (size_t u = 0; u < nu; u++) {
            double ch = c->tr->change_since_base[TREND_AT(c->tr, node, u)];
            if (!fin(ch) || sign * ch <= 0 || (long)u == used[0] || (long)u == used[1])
                continue;
            if (best < 0 || sign * ch > sign * bv) {
                best = (long)u;
                bv = ch;
            }
        }
        if (best < 0)
            break;
        used[k] = (int)best;
        size_t l = strlen(out), at = TREND_AT(c->tr, node, (size_t)best);
        int y0 = c->tr->base_year[at], y1 = c->tr->last_year[at];
        if (y0 == c->in->cfg->base_year && y1 == c->year)
            snprintf(out + l, len - l, "%s%s (%+.1f)", k ? ", " : "", c->label[best], bv);
        else
            snprintf(out + l, len - l, "%s%s (%+.1f, %d\xE2\x80\x93%d)", k ? ", " : "",
                     c->label[best], bv, y0, y1);
    }
}

static void cover(struct doc *dc)
{
    const struct report_input *in = dc->c->in;
    new_page(dc);
    dc->y = 220;
    para(dc, dc->batch, 24, 1, 0x111111, 14);
    paraf(dc, 14, "Evaluation report, %d", dc->c->year);
    dc->y += 20;
    paraf(dc, 10, "Date: %s", in->run->created ? in->run->created : "");
    paraf(dc, 10, "Units: %zu. Framework: %s (%d nodes).", in->cube->nunit,
          chart_node_short(dc->c, in->fw->root), in->fw->nnode);
    paraf(dc, 10, "Run %s, lcme %s, seed %lu.", in->run->id,
          in->run->version ? in->run->version : LCME_VERSION, in->run->seed);
}

/* The contents from a fresh page: every section of level 1 and 2, over as
 * many pages as they need. With draw 0 nothing is drawn and no page is
 * started; the pages are only counted (the dry pass sizes the contents with
 * it). Returns the pages taken. */
static int contents_flow(struct doc *dc, const struct section *toc, int ntoc, int draw)
{
    struct chart_font fh = {17, 1, 0x111111, CHART_LEFT, BODY_W, 1};
    struct chart_font fl = {10, 0, 0x222222, CHART_LEFT, BODY_W - 40, 0};
    struct chart_font fr = {10, 0, 0x222222, CHART_RIGHT, 0, 0};
    int pages = 1;
    if (draw)
        new_page(dc);
    double y = MARGIN;
    y += chart_text(dc->pen, "Contents", &fh, MARGIN, y, draw, NULL) + 12;
    for (int i = 0; i < ntoc; i++) {
        const struct section *s = &toc[i];
        if (s->level > 2)
            continue;
        fl.bold = s->level == 1;
        fl.size = fr.size = s->level == 1 ? 10.5 : 9.5;
        double x = MARGIN + (s->level - 1) * 14;
        double h = chart_text(dc->pen, s->title, &fl, x, y, 0, NULL);
        if (y + h > BOTTOM) {
            pages++;
            y = MARGIN;
            if (draw)
                new_page(dc);
        }
        if (draw) {
            chart_text(dc->pen, s->title, &fl, x, y, 1, NULL);
            char b[16];
            snprintf(b, sizeof b, "%d", s->page);
            chart_text(dc->pen, b, &fr, PAGE_W - MARGIN, y, 1, NULL);
        }
        y += h + 3;
    }
    if (draw)
        dc->y = y;
    return pages;
}

/* Units x (index, areas) table, index order, header repeated per page. */
static void summary_table(struct doc *dc)
{
    /* Each row is two lines when there are intervals: the score and
     * progress arrow, then its interval in smaller grey type, so that
     * nothing is cut. Columns: the index and up to six areas, headed by
     * their names (wrapped). */
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    const struct fw_node *root = &fw->node[fw->root];
    const struct results *res = c->in->res;
    int ncol = 1 + root->nchild;
    if (ncol > 7)
        ncol = 7;
    double uw = 140, cw = (BODY_W - uw) / ncol;
    double pitch = c->has_ci ? 19 : 12;
    struct chart_font fh = {6.8, 1, 0x111111, CHART_LEFT, cw - 6, 1};
    struct chart_font fc = {7.2, 0, 0x222222, CHART_LEFT, cw - 4, 0};
    struct chart_font fi = {6, 0, 0x666666, CHART_LEFT, cw - 4, 0};
    struct chart_font fu = {7, 0, 0x222222, CHART_LEFT, uw - 6, 1};
    size_t nu = c->in->cube->nunit;
    char b[96], cell[260], idx[64];
    cap(level_word(dc, root->level), idx, sizeof idx);
    /* header height: the tallest wrapped area name */
    double hh = 10;
    for (int k = 1; k < ncol; k++) {
        chart_node_label(&fw->node[root->child[k - 1]], cell, sizeof cell);
        double h = chart_text(dc->pen, cell, &fh, 0, 0, 0, NULL);
        if (h > hh)
            hh = h;
    }
    int header = 1;
    for (size_t r = 0; r < nu; r++) {
        if (dc->y + pitch + (header ? hh + 4 : 0) > BOTTOM) {
            new_page(dc);
            header = 1;
        }
        if (header) {
            chart_text(dc->pen, "Unit", &fh, MARGIN, dc->y, 1, NULL);
            for (int k = 0; k < ncol; k++) {
                if (k == 0)
                    snprintf(cell, sizeof cell, "%s", idx);
                else
                    chart_node_label(&fw->node[root->child[k - 1]], cell, sizeof cell);
                chart_text(dc->pen, cell, &fh, MARGIN + uw + k * cw, dc->y, 1, NULL);
            }
            dc->y += hh + 4;
            cairo_set_line_width(dc->cr, 0.5);
            chart_rgb(dc->cr, 0x999999);
            cairo_move_to(dc->cr, MARGIN, dc->y - 2);
            cairo_line_to(dc->cr, PAGE_W - MARGIN, dc->y - 2);
            cairo_stroke(dc->cr);
            header = 0;
        }
        size_t u = c->order[r];
        if (r % 2 == 0) {
            cairo_rectangle(dc->cr, MARGIN, dc->y - 1, BODY_W, pitch);
            chart_rgb(dc->cr, 0xF3F3F3);
            cairo_fill(dc->cr);
        }
        chart_text(dc->pen, c->label[u], &fu, MARGIN, dc->y, 1, NULL);
        for (int k = 0; k < ncol; k++) {
            int node = k == 0 ? fw->root : root->child[k - 1];
            size_t at = RES_AT(res, node, c->t, u);
            double v = res->score[at];
            if (!fin(v)) {
                chart_text(dc->pen, "\xE2\x80\x93", &fc, MARGIN + uw + k * cw, dc->y, 1, NULL);
                continue;
            }
            snprintf(cell, sizeof cell, "%.1f%s", v, arrow(dc, node, u));
            chart_text(dc->pen, cell, &fc, MARGIN + uw + k * cw, dc->y, 1, NULL);
            if (c->has_ci && fin(res->ci_low[at]) && fin(res->ci_high[at])) {
                snprintf(b, sizeof b, "[%.1f\xE2\x80\x93%.1f]", res->ci_low[at],
                         res->ci_high[at]);
                chart_text(dc->pen, b, &fi, MARGIN + uw + k * cw, dc->y + 9, 1, NULL);
            }
        }
        dc->y += pitch;
    }
    dc->y += 4;
    if (!c->tr) {
        para(dc, "Trends were not computed for this run.", 7, 0, 0x555555, 10);
        return;
    }
    if (!dc->trends) {
        few_years(dc, 7);
        return;
    }
    int kinds = 0;
    for (int k = 0; k < ncol; k++)
        kinds |= progress_kinds(dc, k == 0 ? fw->root : root->child[k - 1]);
    const char *up = kinds == 1 ? "target met or on track"
                   : kinds == 2 ? "substantial or moderate progress"
                                : "on track or better (against a target) or at least "
                                  "moderate progress (without one)";
    const char *mid = kinds == 2 ? "limited progress"
                                 : "progress with acceleration needed, or limited progress";
    paraf(dc, 7, "Arrows, progress since the base year%s: \xE2\x86\x91 %s, \xE2\x86\x92 %s, "
          "\xE2\x86\x93 deterioration, \xC2\xB7 not assessed (see Methods).",
          kinds == 1 ? " judged against the target scores"
          : kinds == 2 ? " (no target scores)" : "", up, mid);
}

/* Sentences about one node, written from the numbers. ci_arrays: the run
 * has interval arrays (possibly all of zero width). */
static void node_sentences(struct doc *dc, int node, int ci_arrays)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    const struct results *r = c->in->res;
    long top = -1, bot = -1;
    size_t unranked = 0;
    for (size_t u = 0; u < nu; u++) {
        double v = sc(c, node, u);
        if (!fin(v))
            continue;
        size_t at = RES_AT(r, node, c->t, u);
        if (r->coverage && r->rank_threshold &&
            r->coverage[at] < r->rank_threshold[node] * (1 - 1e-12)) {   /* too little data */
            unranked++;
            continue;
        }
        if (top < 0 || v > sc(c, node, (size_t)top))
            top = (long)u;
        if (bot < 0 || v < sc(c, node, (size_t)bot))
            bot = (long)u;
    }
    char a[96], b[96], g[600];
    if (top < 0) {
        paraf(dc, 9.5, unranked ? "No unit has enough data to be ranked in %d."
                                : "No unit has a score in %d.", c->year);
        return;
    }
    paraf(dc, 9.5, "%s has the highest score in %d, %s; %s the lowest, %s.",
          c->label[top], c->year, with_ci(c, node, (size_t)top, a, sizeof a),
          c->label[bot], with_ci(c, node, (size_t)bot, b, sizeof b));
    if (unranked)
        paraf(dc, 9.5, "Not ranked: too little data for %zu unit%s (coverage of the "
              "framework's weight below the threshold in Methods).", unranked,
              unranked == 1 ? "" : "s");
    changes(dc, node, +1, g, sizeof g);
    if (g[0])
        paraf(dc, 9.5, "Largest gains since the base year, over the same indicators in both "
              "years: %s.", g);
    double med = chart_median(c, node, c->t);
    if (c->has_ci && fin(med)) {
        size_t above = 0, below = 0;
        for (size_t u = 0; u < nu; u++) {
            size_t at = RES_AT(r, node, c->t, u);
            above += fin(r->ci_low[at]) && r->ci_low[at] > med;
            below += fin(r->ci_high[at]) && r->ci_high[at] < med;
        }
        paraf(dc, 9.5, "%zu units have an interval entirely above the network "
              "median (%.1f) and %zu entirely below it.", above, med, below);
    } else if (node == c->in->fw->root && ci_arrays) {
        paraf(dc, 9.5, "No observation carries a sampling error, so every score is "
              "exact: there are no intervals, and no unit is set apart from the "
              "network median by one.");
    } else if (node == c->in->fw->root) {
        paraf(dc, 9.5, "Intervals were not computed, so no unit can be said to "
              "differ from the median.");
    }
}

/* ---- methods ------------------------------------------------------------- */

/* "• text" as a paragraph (any length: notes may be long). */
static void bullet(struct doc *dc, const char *text)
{
    size_t n = strlen(text) + 8;
    char *b = malloc(n);
    if (!b) {
        para(dc, text, 9, 0, 0x333333, 3);
        return;
    }
    snprintf(b, n, "\xE2\x80\xA2 %s", text);
    para(dc, b, 9, 0, 0x333333, 3);
    free(b);
}

/* Appends printf text to b (of size len, holding a string). */
static void cat(char *b, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cat(char *b, size_t len, const char *fmt, ...)
{
    size_t l = strlen(b);
    if (l + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + l, len - l, fmt, ap);
    va_end(ap);
}

static void agg_text(const struct method *m, char *b, size_t len)
{
    char n[32];
    switch (m->aggregate) {
    case AGG_ARITHMETIC: snprintf(b, len, "weighted arithmetic mean"); break;
    case AGG_GEOMETRIC: snprintf(b, len, "weighted geometric mean"); break;
    case AGG_HARMONIC: snprintf(b, len, "weighted harmonic mean"); break;
    case AGG_GENMEAN:
        snprintf(b, len, "generalised mean with p = %s", num(n, sizeof n, m->agg_p));
        break;
    case AGG_MEDIAN: snprintf(b, len, "weighted median"); break;
    case AGG_COPELAND: snprintf(b, len, "Copeland method"); break;
    default: snprintf(b, len, "%s", agg_method_name(m->aggregate)); break;
    }
    if (m->min_coverage > 0)
        cat(b, len, " (a score needs children carrying at least %s of its weight)",
            num(n, sizeof n, m->min_coverage));
}

/* The settings that shape the results, in words, with the numbers as the
 * batch file writes them; only the keys that apply to this run (the levels
 * of the framework, the parameters of the methods chosen). */
static void settings(struct doc *dc)
{
    const struct config *cfg = dc->c->in->cfg;
    const struct framework *fw = dc->c->in->fw;
    char b[1200], n1[32], n2[32], w[400];
    need(dc, 60);
    para(dc, "Settings (from the batch file)", 11, 1, 0x111111, 4);

    snprintf(b, sizeof b, "Year evaluated: %d", cfg->year);
    if (dc->changes)
        cat(b, sizeof b, "; changes measured from the base year %d", cfg->base_year);
    if (dc->trends)
        cat(b, sizeof b, "; progress judged towards %d", cfg->target_year);
    cat(b, sizeof b, ".");
    bullet(dc, b);

    /* data preparation, stages in the configured order */
    b[0] = '\0';
    int seen = 0, nstage = 0;
    for (int i = 0; i < PREP_NSTAGE; i++) {
        int s = cfg->order[i];
        if (s < 0 || s >= PREP_NSTAGE || (seen & (1 << s)))
            continue;
        seen |= 1 << s;
        char st[400] = "";
        if (s == PREP_DENOMINATE && cfg->denominate) {
            snprintf(st, sizeof st, "indicators divided by their denominators");
            if (cfg->denominate_scale != 1)
                cat(st, sizeof st, " (scale %s)", num(n1, sizeof n1, cfg->denominate_scale));
        } else if (s == PREP_SCREEN && cfg->screen != SCREEN_NONE) {
            snprintf(st, sizeof st, "unit-years screened out with");
            if (cfg->screen == SCREEN_BYNA || cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " less than %s of the indicators present",
                    num(n1, sizeof n1, cfg->dat_thresh));
            if (cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " or");
            if (cfg->screen == SCREEN_BYZEROS || cfg->screen == SCREEN_BOTH)
                cat(st, sizeof st, " less than %s of the present values non-zero",
                    num(n2, sizeof n2, cfg->nonzero_thresh));
            if (cfg->force_include && cfg->force_include[0])
                cat(st, sizeof st, ", always keeping %s", cfg->force_include);
            if (cfg->force_exclude && cfg->force_exclude[0])
                cat(st, sizeof st, ", always dropping %s", cfg->force_exclude);
        } else if (s == PREP_IMPUTE && cfg->impute != IMPUTE_NONE) {
            static const char *const im[] = {
                [IMPUTE_MEAN] = "the mean", [IMPUTE_MEDIAN] = "the median",
                [IMPUTE_GROUP_MEAN] = "the group mean",
                [IMPUTE_GROUP_MEDIAN] = "the group median",
                [IMPUTE_LATEST] = "the latest earlier value",
                [IMPUTE_CONSTANT] = "a constant",
                [IMPUTE_LINEAR] = "linear interpolation",
            };
            const char *t = (size_t)cfg->impute < sizeof im / sizeof im[0] && im[cfg->impute]
                                ? im[cfg->impute] : impute_method_name(cfg->impute);
            snprintf(st, sizeof st, "missing values imputed by %s", t);
            if ((cfg->impute == IMPUTE_GROUP_MEAN || cfg->impute == IMPUTE_GROUP_MEDIAN) &&
                cfg->group && cfg->group[0])
                cat(st, sizeof st, " of %s", cfg->group);
        } else if (s == PREP_TREAT && cfg->treat != TREAT_NONE) {
            if (cfg->treat == TREAT_WINSORISE)
                snprintf(st, sizeof st, "outliers winsorised (up to %d points, else a "
                         "log transform)", cfg->winmax);
            else if (cfg->treat == TREAT_BOXCOX)
                snprintf(st, sizeof st, "skewed indicators Box-Cox transformed "
                         "(lambda %s)", num(n1, sizeof n1, cfg->boxcox_lambda));
            else
                snprintf(st, sizeof st, "skewed indicators transformed (%s)",
                         treat_method_name(cfg->treat));
        }
        if (st[0]) {
            cat(b, sizeof b, "%s%s", nstage ? "; " : "", st);
            nstage++;
        }
    }
    if (nstage == 0)
        bullet(dc, "Data preparation: none (no denominators, screening, imputation "
                   "or outlier treatment).");
    else {
        char t[1400];
        snprintf(t, sizeof t, "Data preparation%s: %s.", nstage > 1 ? ", in this order" : "", b);
        bullet(dc, t);
    }

    /* normalisation of the indicators */
    const struct method *m = config_method(cfg, 1);
    switch (m->normalise) {
    case NORM_NONE: snprintf(b, sizeof b, "none"); break;
    case NORM_MINMAX:
        snprintf(b, sizeof b, "min-max to [%s, %s]", num(n1, sizeof n1, m->norm_low),
                 num(n2, sizeof n2, m->norm_high));
        break;
    case NORM_ZSCORE:
        snprintf(b, sizeof b, "z-scores with mean %s and standard deviation %s",
                 num(n1, sizeof n1, m->z_mean), num(n2, sizeof n2, m->z_sd));
        break;
    case NORM_GOALPOSTS:
        snprintf(b, sizeof b, "goalposts, scale %s", num(n1, sizeof n1, m->gp_scale));
        break;
    case NORM_DIST2TARGET:
        snprintf(b, sizeof b, "distance to target%s", m->dist2target_cap ? ", capped at 1" : "");
        break;
    case NORM_SCALED:
        snprintf(b, sizeof b, "scaled between the framework's lower and upper "
                 "bounds, else [%s, %s]", num(n1, sizeof n1, m->norm_low),
                 num(n2, sizeof n2, m->norm_high));
        break;
    case NORM_DIST2REF:
        snprintf(b, sizeof b, "distance to the reference unit %s",
                 cfg->ref_unit ? cfg->ref_unit : "");
        break;
    default: snprintf(b, sizeof b, "%s", norm_method_name(m->normalise)); break;
    }
    {
        char t[1400];
        snprintf(t, sizeof t, "Normalisation of the indicators: %s, %s.", b,
                 m->scope == SCOPE_POOLED ? "pooled over the years" : "year by year");
        bullet(dc, t);
    }

    /* aggregation: one line when every level is the same, else one a level */
    int same = 1;
    char first[600];
    agg_text(config_method(cfg, 2), first, sizeof first);
    for (int lv = 3; lv <= fw->nlevel && lv <= CONFIG_MAX_LEVELS; lv++) {
        agg_text(config_method(cfg, lv), b, sizeof b);
        same &= strcmp(b, first) == 0;
    }
    if (same) {
        char t[1400];
        snprintf(t, sizeof t, "Aggregation at every level: %s.", first);
        bullet(dc, t);
    } else {
        for (int lv = 2; lv <= fw->nlevel && lv <= CONFIG_MAX_LEVELS; lv++) {
            char t[1400];
            agg_text(config_method(cfg, lv), b, sizeof b);
            snprintf(t, sizeof t, "Aggregation to the %s level: %s.",
                     level_word(dc, lv), b);
            bullet(dc, t);
        }
    }
    if (cfg->weights) {
        int nw = 0;
        for (int i = 0; i < cfg->nweight; i++)
            nw += cfg->weight[i].set && strcmp(cfg->weight[i].set, cfg->weights) == 0;
        snprintf(w, sizeof w, "Weights: the set '%s' of the batch file (%d node%s "
                 "reweighted).", cfg->weights, nw, nw == 1 ? "" : "s");
        bullet(dc, w);
    }
}

static void methods(struct doc *dc, int ci_arrays)
{
    const struct chart_ctx *c = dc->c;
    const struct report_input *in = c->in;
    const struct results *r = in->res;
    heading(dc, "Methods and data quality", 1);
    if (in->cfg)
        settings(dc);
    dc->y += 4;
    if (c->has_ci)
        paraf(dc, 9.5, "Intervals: %d%% Monte Carlo intervals over sampling error, "
              "%ld replications, seed %lu.", (int)lround((in->cfg ? in->cfg->ci_level : 0.95) * 100),
              in->run->replications, in->run->seed);
    else if (ci_arrays)
        paraf(dc, 9.5, "Intervals: none. No observation carries a sampling error, so "
              "every score is exact and no interval is printed.");
    else
        paraf(dc, 9.5, "Intervals were not computed for this run.");
    if (c->tr && !dc->trends)
        few_years(dc, 9.5);
    size_t imputed = 0, treated = 0, flagged = 0, cells = 0;
    if (r->flag) {
        cells = (size_t)in->fw->nind * r->nyear * r->nunit;
        for (size_t i = 0; i < cells; i++) {
            imputed += (r->flag[i] & CUBE_IMPUTED) != 0;
            treated += (r->flag[i] & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) != 0;
            flagged += (r->flag[i] & CUBE_FLAGGED) != 0;
        }
    }
    paraf(dc, 9.5, "Coverage: %zu observations in %zu units, %zu year%s and %d "
          "indicators; %zu carry a sampling error; %zu were revised by this batch; "
          "%zu store rows of indicators outside the framework were skipped.",
          in->obs_total, in->cube->nunit, in->cube->nyear, in->cube->nyear == 1 ? "" : "s",
          in->fw->nind, in->obs_with_error, in->obs_revised, in->obs_skipped);
    paraf(dc, 9.5, "Data preparation: %zu values imputed, %zu treated for "
          "outliers, %zu flagged in the data files; %zu constant indicators "
          "normalised to the midpoint.", imputed, treated, flagged,
          r->constant_indicators);
    need(dc, 50);
    para(dc, "Notes and fallbacks", 11, 1, 0x111111, 4);
    if (r->notes.n == 0)
        para(dc, "None.", 9, 0, 0x333333, 4);
    for (size_t i = 0; i < r->notes.n; i++)
        bullet(dc, r->notes.line[i]);
}

/* ---- robustness of the ranks ---------------------------------------------- */

/* The section of a [sensitivity] analysis: its paragraphs (report_sens.c)
 * and its two charts. */
static void robustness(struct doc *dc, const struct chart_list *l)
{
    char *p[REPORT_SENS_MAX];
    const struct chart_item *it;
    heading(dc, "How robust are the ranks?", 1);
    size_t n = report_sens_paragraphs(dc->c, p);
    if (n == 0)
        dc->oom = 1;
    for (size_t i = 0; i < n; i++) {
        para(dc, p[i], 9.5, 0, 0x222222, 5);
        free(p[i]);
    }
    if ((it = find_chart(l, CHART_SENS_INDICES, -1, -1, 0)))
        chart(dc, it, 300);
    if ((it = find_chart(l, CHART_SENS_RANKS, -1, -1, 0)))
        chart(dc, it, BOTTOM - MARGIN - 40);
}

/* ---- the document -------------------------------------------------------- */

static void layout(struct doc *dc, const struct chart_list *l, int ci_arrays)
{
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    const struct fw_node *root = &fw->node[fw->root];
    const struct chart_item *it;
    size_t nu = c->in->cube->nunit;
    char b[600], w[200], w2[200];

    cover(dc);
    contents_flow(dc, dc->toc, dc->ntoc, 1);

    heading(dc, "Summary", 1);
    node_sentences(dc, fw->root, ci_arrays);
    changes(dc, fw->root, -1, b, sizeof b);
    if (b[0])
        paraf(dc, 9.5, "Largest falls since the base year: %s.", b);
    summary_table(dc);
    if ((it = find_chart(l, CHART_DOT, fw->root, -1, 0)))
        chart(dc, it, 420);
    if (dc->trends && (it = find_chart(l, CHART_PROGRESS, -1, -1, 0)))
        chart(dc, it, 300);

    for (int k = 0; k < root->nchild; k++) {
        int area = root->child[k];
        heading(dc, chart_node_label(&fw->node[area], b, sizeof b), 1);
        node_sentences(dc, area, ci_arrays);
        if ((it = find_chart(l, CHART_DOT, area, -1, 0)))
            chart(dc, it, 420);
        for (int f = 0; f < c->nfocus; f++) {
            int node = c->focus[f];
            if (node == area || fw->node[node].parent != area)
                continue;
            heading(dc, chart_node_label(&fw->node[node], b, sizeof b), 2);
            node_sentences(dc, node, ci_arrays);
            if ((it = find_chart(l, CHART_DOT, node, -1, 0)))
                chart(dc, it, 420);
        }
    }

    cap(chart_level_words(dc->c->in, feature_level(dc), 1, w, sizeof w), w2, sizeof w2);
    snprintf(b, sizeof b, "%s%s", w2, c->tr && dc->changes ? " and network trends" : "");
    heading(dc, b, 1);
    for (int p = 1; (it = find_chart(l, CHART_HEATMAP, -1, -1, p)); p++)
        chart(dc, it, BOTTOM - MARGIN - 40);
    if (dc->changes && (it = find_chart(l, CHART_TREND_MEDIAN, -1, -1, 0)))
        chart(dc, it, 380);
    else if (c->tr && !dc->changes)
        few_years(dc, 9.5);

    if (c->in->sens)
        robustness(dc, l);

    heading(dc, "Units", 1);
    chart_level_words(dc->c->in, focus_level(dc), 1, w, sizeof w);
    paraf(dc, 9.5, "One page per unit, in index order: its scores on the %s%s "
          "against the network median%s.", w, c->has_ci ? " with intervals" : "",
          dc->changes ? ", then its trends" : "");
    for (size_t r = 0; r < nu; r++) {
        size_t u = c->order[r];
        if (r > 0)
            new_page(dc);
        heading(dc, c->label[u], 2);
        if ((it = find_chart(l, CHART_PROFILE, -1, (long)u, 0)))
            chart(dc, it, 330);
        if (dc->changes && (it = find_chart(l, CHART_TREND, -1, (long)u, 0)))
            chart(dc, it, 330);
    }
    rpdf_objectives(dc, l);
    methods(dc, ci_arrays);
    cairo_show_page(dc->cr);
    if (dc->dry)
        dc->toc_pages = contents_flow(dc, dc->sec, dc->nsec, 0);
}

static cairo_status_t discard(void *closure, const unsigned char *data,
                              unsigned int len)
{
    (void)closure;
    (void)data;
    (void)len;
    return CAIRO_STATUS_SUCCESS;
}

/* One pass; *pen is made on the first pass and kept for the second, so
 * that the real pass draws the text the dry pass laid out. */
static int run_pass(struct doc *dc, const char *path, const struct chart_list *l,
                    struct chart_pen **pen, int ci_arrays)
{
    dc->sf = dc->dry ? cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H)
                     : cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (!dc->dry) {
        const struct report_input *in = dc->c->in;
        const char *created = in->run->created;
        char title[400];
        snprintf(title, sizeof title, "%s: report %d", dc->batch, dc->c->year);
        char *owned;
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_TITLE,
                                       report_text(title, &owned));
        free(owned);
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_CREATOR, "lcme " LCME_VERSION);
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_SUBJECT,
                                       "Monitoring and evaluation report");
        if (created && created[0]) {
            cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_CREATE_DATE, created);
            cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_MOD_DATE, created);
        }
    }
    dc->cr = cairo_create(dc->sf);
    if (*pen)
        chart_pen_set_cr(*pen, dc->cr);
    else
        *pen = chart_pen_new(dc->cr);
    dc->pen = *pen;
    int rc = -1;
    if (dc->pen) {
        chart_pen_measure_only(dc->pen, dc->dry);
        layout(dc, l, ci_arrays);
        rc = dc->oom ? -1 : 0;
    }
    dc->pen = NULL;
    cairo_destroy(dc->cr);
    cairo_surface_finish(dc->sf);
    if (cairo_surface_status(dc->sf) != CAIRO_STATUS_SUCCESS)
        rc = -1;
    cairo_surface_destroy(dc->sf);
    return rc;
}

int report_pdf_write(const char *path, const struct report_input *in,
                     const struct trends *tr, const struct chart_list *charts,
                     struct diag *d)
{
    struct chart_ctx *c = chart_ctx_new(in, tr, d);
    if (!c)
        return -1;
    /* the report's view: intervals only when they have a width */
    struct chart_ctx view = *c;
    int ci_arrays = c->has_ci;
    view.has_ci = c->has_ci && !c->exact;   /* zero-width intervals are none */
    struct chart_list own;
    chart_list_init(&own);
    if (!charts) {
        if (chart_list_build(&view, &own, d) != 0) {
            chart_ctx_free(c);
            chart_list_free(&own);
            return -1;
        }
        charts = &own;
    }
    struct doc *dry = calloc(1, sizeof *dry), *real = calloc(1, sizeof *real);
    int rc = -1;
    struct chart_pen *pen = NULL;
    if (dry && real) {
        dry->c = real->c = &view;
        dry->batch = real->batch = in->cfg && in->cfg->name ? in->cfg->name : "lcme batch";
        dry->nyear = real->nyear = (int)in->cube->nyear;
        dry->trends = real->trends = tr && in->cube->nyear >= 3;
        dry->changes = real->changes = tr && in->cube->nyear >= 2;
        dry->dry = 1;
        rc = run_pass(dry, NULL, charts, &pen, ci_arrays);
        /* the dry pass gave the contents one page (page 2); move what follows
         * on by the pages the full contents take */
        for (int i = 0; i < dry->nsec; i++)
            if (dry->sec[i].page > 2)
                dry->sec[i].page += dry->toc_pages - 1;
        real->toc = dry->sec;
        real->ntoc = dry->nsec;
        if (rc == 0)
            rc = run_pass(real, path, charts, &pen, ci_arrays);
        if (rc != 0)
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write report '%s'", path);
    } else {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "report: out of memory");
    }
    chart_pen_free(pen);
    if (dry)
        free(dry->sec);
    if (real)
        free(real->sec);
    free(dry);
    free(real);
    chart_list_free(&own);
    chart_ctx_free(c);
    return rc;
}
