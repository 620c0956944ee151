/* report_pdf.c: writes report.pdf (see report_pdf.h).
 *
 * The document is laid out twice with the same code: a dry pass onto a PDF
 * surface that discards its bytes, with the pen measuring text without
 * drawing it, records the page of every section, then the real pass writes
 * the pages with the contents page filled in. Both passes use the same pen
 * (the real pass draws the text the dry pass laid out), so they break pages
 * at the same places. Page layout: A4 portrait, 50 pt margins,
 * page number and batch name in the footer of every page but the cover.
 */
#include "report_pdf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "chart_pen.h"

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 50.0
#define BODY_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - MARGIN - 10)
#define MAX_SEC 64

struct section {
    char title[200];
    int page;
    int level;
};

struct doc {
    cairo_surface_t *sf;
    cairo_t *cr;
    struct chart_pen *pen;
    const struct chart_ctx *c;
    const char *batch;
    int dry;             /* 1: measure only, record section pages */
    int page;            /* current page, 1-based; 0 before the first */
    double y;            /* next free line on the page */
    int nsec;
    struct section sec[MAX_SEC];
    const struct section *toc;   /* the dry pass's sections (real pass) */
    int ntoc;
    int outline_parent;  /* outline id of the current top section */
};

static int fin(double x) { return isfinite(x) != 0; }

static void page_footer(struct doc *dc)
{
    if (dc->page <= 1)
        return;
    char b[300];
    snprintf(b, sizeof b, "%s \xC2\xB7 page %d", dc->batch, dc->page);
    struct chart_font f = {7.5, 0, 0x777777, CHART_CENTER, 0, 0};
    chart_text(dc->pen, b, &f, PAGE_W / 2, PAGE_H - 30, 1, NULL);
}

static void new_page(struct doc *dc)
{
    if (dc->page > 0)
        cairo_show_page(dc->cr);
    dc->page++;
    dc->y = MARGIN;
    page_footer(dc);
}

/* Text block across the body; breaks the page when it does not fit. */
static void para(struct doc *dc, const char *text, double size, int bold,
                 uint32_t rgb, double after)
{
    struct chart_font f = {size, bold, rgb, CHART_LEFT, BODY_W, 1};
    double h = chart_text(dc->pen, text, &f, 0, 0, 0, NULL);
    if (dc->y + h > BOTTOM)
        new_page(dc);
    chart_text(dc->pen, text, &f, MARGIN, dc->y, 1, NULL);
    dc->y += h + after;
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

/* A section heading: level 1 starts a new page. Recorded for the contents
 * and the PDF outline. */
static void heading(struct doc *dc, const char *title, int level)
{
    if (level == 1 || dc->y > BOTTOM - 120)
        new_page(dc);
    if (dc->nsec < MAX_SEC && (level == 1 || dc->nsec < MAX_SEC - 8)) {
        struct section *s = &dc->sec[dc->nsec++];
        snprintf(s->title, sizeof s->title, "%s", title);
        s->page = dc->page;
        s->level = level;
    }
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

/* A chart scaled to the body width and at most maxh tall, then its
 * alternative text. */
static void chart(struct doc *dc, const struct chart_item *it, double maxh)
{
    double s = BODY_W / it->width;
    if (it->height * s > maxh)
        s = maxh / it->height;
    if (s > 1)
        s = 1;
    struct chart_font f = {7, 0, 0x666666, CHART_LEFT, BODY_W, 1};
    char alt[1200];
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

static double sc(const struct chart_ctx *c, int node, size_t u)
{
    const struct results *r = c->in->res;
    return r->score[RES_AT(r, node, c->t, u)];
}

/* "74.4 [72.9–75.9]" or "74.4" without intervals, "–" when missing. */
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

/* Arrow for a progress class: up for at least moderate progress (or on
 * track / target met), right for limited or acceleration needed, down for
 * deterioration, a dot when not assessed. */
static const char *arrow(const struct chart_ctx *c, int node, size_t u)
{
    if (!c->tr)
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

/* Units of node by change since the base year; writes the best k gains
 * (sign +1) or falls (-1) as "A (+1.2), B (+0.8)". Sorting only. */
static void changes(const struct chart_ctx *c, int node, int sign, char *out,
                    size_t len)
{
    size_t nu = c->in->cube->nunit;
    out[0] = '\0';
    if (!c->tr)
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
        size_t l = strlen(out);
        snprintf(out + l, len - l, "%s%s (%+.1f)", k ? ", " : "", c->label[best], bv);
    }
}

static void cover(struct doc *dc)
{
    const struct report_input *in = dc->c->in;
    new_page(dc);
    dc->y = 220;
    para(dc, dc->batch, 24, 1, 0x111111, 14);
    paraf(dc, 14, "Learning city evaluation report, %d", dc->c->year);
    dc->y += 20;
    paraf(dc, 10, "Date: %s", in->run->created ? in->run->created : "");
    paraf(dc, 10, "Units: %zu. Framework: %s (%d nodes).", in->cube->nunit,
          in->fw->node[in->fw->root].name[0] ? in->fw->node[in->fw->root].name
                                             : in->fw->node[in->fw->root].code,
          in->fw->nnode);
    paraf(dc, 10, "Run %s, lcme %s, seed %lu.", in->run->id,
          in->run->version ? in->run->version : LCME_VERSION, in->run->seed);
}

static void contents(struct doc *dc)
{
    new_page(dc);
    para(dc, "Contents", 17, 1, 0x111111, 12);
    struct chart_font fl = {10, 0, 0x222222, CHART_LEFT, BODY_W - 40, 0};
    struct chart_font fr = {10, 0, 0x222222, CHART_RIGHT, 0, 0};
    for (int i = 0; i < dc->ntoc && dc->y < BOTTOM - 14; i++) {
        const struct section *s = &dc->toc[i];
        if (s->level > 2)
            continue;
        fl.bold = s->level == 1;
        fl.size = fr.size = s->level == 1 ? 10.5 : 9.5;
        double x = MARGIN + (s->level - 1) * 14;
        double h = chart_text(dc->pen, s->title, &fl, x, dc->y, 1, NULL);
        char b[16];
        snprintf(b, sizeof b, "%d", s->page);
        chart_text(dc->pen, b, &fr, PAGE_W - MARGIN, dc->y, 1, NULL);
        dc->y += h + 3;
    }
}

/* Units x (index, areas) table, index order, header repeated per page. */
static void summary_table(struct doc *dc)
{
    /* Each row is two lines: the score and progress arrow, then its
     * interval in smaller grey type, so that nothing is cut. Columns: the
     * index and up to six areas, headed by their names (wrapped). */
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
    char b[96], cell[128];
    /* header height: the tallest wrapped area name */
    double hh = 10;
    for (int k = 1; k < ncol; k++) {
        const struct fw_node *x = &fw->node[root->child[k - 1]];
        snprintf(cell, sizeof cell, "%s %s", x->code, x->name ? x->name : "");
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
                const struct fw_node *x = &fw->node[k == 0 ? fw->root : root->child[k - 1]];
                if (k == 0)
                    snprintf(cell, sizeof cell, "Index");
                else
                    snprintf(cell, sizeof cell, "%s %s", x->code, x->name ? x->name : "");
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
            snprintf(cell, sizeof cell, "%.1f%s", v, arrow(c, node, u));
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
    para(dc, c->tr ? "Arrows: \xE2\x86\x91 at least moderate progress (or on track), "
                     "\xE2\x86\x92 limited progress or acceleration needed, "
                     "\xE2\x86\x93 deterioration, \xC2\xB7 not assessed (too few years)."
                   : "Trends were not computed for this run.",
         7, 0, 0x555555, 10);
}

/* Sentences about one node, written from the numbers. */
static void node_sentences(struct doc *dc, int node)
{
    const struct chart_ctx *c = dc->c;
    size_t nu = c->in->cube->nunit;
    const struct results *r = c->in->res;
    long top = -1, bot = -1;
    for (size_t u = 0; u < nu; u++) {
        double v = sc(c, node, u);
        if (!fin(v))
            continue;
        if (top < 0 || v > sc(c, node, (size_t)top))
            top = (long)u;
        if (bot < 0 || v < sc(c, node, (size_t)bot))
            bot = (long)u;
    }
    char a[96], b[96], g[600];
    if (top < 0) {
        paraf(dc, 9.5, "No unit has a score in %d.", c->year);
        return;
    }
    paraf(dc, 9.5, "%s has the highest score in %d, %s; %s the lowest, %s.",
          c->label[top], c->year, with_ci(c, node, (size_t)top, a, sizeof a),
          c->label[bot], with_ci(c, node, (size_t)bot, b, sizeof b));
    changes(c, node, +1, g, sizeof g);
    if (g[0])
        paraf(dc, 9.5, "Largest gains since the base year: %s.", g);
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
    } else if (!c->has_ci) {
        paraf(dc, 9.5, "Intervals were not computed, so no unit can be said to "
              "differ from the median.");
    }
}

static void methods(struct doc *dc)
{
    const struct chart_ctx *c = dc->c;
    const struct report_input *in = c->in;
    const struct results *r = in->res;
    heading(dc, "Methods and data quality", 1);
    if (in->cfg && in->cfg->path) {
        char *set = config_settings_text(in->cfg);
        if (set) {
            para(dc, "Settings (as in the batch file):", 10, 1, 0x111111, 4);
            para(dc, set, 8, 0, 0x333333, 8);
            free(set);
        }
    }
    if (c->has_ci)
        paraf(dc, 9.5, "Intervals: %d%% Monte Carlo intervals over sampling error, "
              "%ld replications, seed %lu.", (int)lround((in->cfg ? in->cfg->ci_level : 0.95) * 100),
              in->run->replications, in->run->seed);
    else
        paraf(dc, 9.5, "Intervals were not computed for this run.");
    size_t imputed = 0, treated = 0, flagged = 0, cells = 0;
    if (r->flag) {
        cells = (size_t)in->fw->nind * r->nyear * r->nunit;
        for (size_t i = 0; i < cells; i++) {
            imputed += (r->flag[i] & CUBE_IMPUTED) != 0;
            treated += (r->flag[i] & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) != 0;
            flagged += (r->flag[i] & CUBE_FLAGGED) != 0;
        }
    }
    paraf(dc, 9.5, "Coverage: %zu observations in %zu units, %zu years and %d "
          "indicators; %zu carry a sampling error; %zu were revised by this batch; "
          "%zu store rows of indicators outside the framework were skipped.",
          in->obs_total, in->cube->nunit, in->cube->nyear, in->fw->nind,
          in->obs_with_error, in->obs_revised, in->obs_skipped);
    paraf(dc, 9.5, "Data preparation: %zu values imputed, %zu treated for "
          "outliers, %zu flagged in the data files; %zu constant indicators "
          "normalised to the midpoint.", imputed, treated, flagged,
          r->constant_indicators);
    para(dc, "Notes and fallbacks", 11, 1, 0x111111, 4);
    if (r->notes.n == 0)
        para(dc, "None.", 9, 0, 0x333333, 4);
    for (size_t i = 0; i < r->notes.n; i++) {
        char b[1200];
        snprintf(b, sizeof b, "\xE2\x80\xA2 %s", r->notes.line[i]);
        para(dc, b, 9, 0, 0x333333, 3);
    }
}

static void layout(struct doc *dc, const struct chart_list *l)
{
    const struct chart_ctx *c = dc->c;
    const struct framework *fw = c->in->fw;
    const struct fw_node *root = &fw->node[fw->root];
    const struct chart_item *it;
    size_t nu = c->in->cube->nunit;
    char b[600];

    cover(dc);
    contents(dc);

    heading(dc, "Summary", 1);
    node_sentences(dc, fw->root);
    changes(c, fw->root, -1, b, sizeof b);
    if (b[0])
        paraf(dc, 9.5, "Largest falls since the base year: %s.", b);
    summary_table(dc);
    if ((it = find_chart(l, CHART_DOT, fw->root, -1, 0)))
        chart(dc, it, 420);
    if ((it = find_chart(l, CHART_PROGRESS, -1, -1, 0)))
        chart(dc, it, 300);

    for (int k = 0; k < root->nchild; k++) {
        int area = root->child[k];
        snprintf(b, sizeof b, "%s %s", fw->node[area].code, fw->node[area].name);
        heading(dc, b, 1);
        node_sentences(dc, area);
        if ((it = find_chart(l, CHART_DOT, area, -1, 0)))
            chart(dc, it, 420);
        for (int f = 0; f < c->nfocus; f++) {
            int node = c->focus[f];
            if (node == area || fw->node[node].parent != area)
                continue;
            snprintf(b, sizeof b, "%s %s", fw->node[node].code, fw->node[node].name);
            heading(dc, b, 2);
            node_sentences(dc, node);
            if ((it = find_chart(l, CHART_DOT, node, -1, 0)))
                chart(dc, it, 420);
        }
    }

    heading(dc, "Key features and network trends", 1);
    for (int p = 1; (it = find_chart(l, CHART_HEATMAP, -1, -1, p)); p++)
        chart(dc, it, BOTTOM - MARGIN - 40);
    if ((it = find_chart(l, CHART_TREND_MEDIAN, -1, -1, 0)))
        chart(dc, it, 380);

    heading(dc, "Units", 1);
    para(dc, "One page per unit, in index order: its areas of focus with "
         "intervals against the network median, then its trends.", 9.5, 0, 0x222222, 6);
    for (size_t r = 0; r < nu; r++) {
        size_t u = c->order[r];
        if (r > 0)
            new_page(dc);
        if (dc->nsec < MAX_SEC - 8) {
            heading(dc, c->label[u], 2);
        } else {
            para(dc, c->label[u], 13, 1, 0x111111, 6);
        }
        if ((it = find_chart(l, CHART_PROFILE, -1, (long)u, 0)))
            chart(dc, it, 330);
        if ((it = find_chart(l, CHART_TREND, -1, (long)u, 0)))
            chart(dc, it, 330);
    }
    methods(dc);
    cairo_show_page(dc->cr);
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
                    struct chart_pen **pen)
{
    dc->sf = dc->dry ? cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H)
                     : cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (!dc->dry) {
        const struct report_input *in = dc->c->in;
        const char *created = in->run->created;
        char title[400];
        snprintf(title, sizeof title, "%s: report %d", dc->batch, dc->c->year);
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_TITLE, title);
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_CREATOR, "lcme " LCME_VERSION);
        cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_SUBJECT,
                                       "Learning city monitoring and evaluation");
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
        layout(dc, l);
        rc = 0;
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
    struct chart_list own;
    chart_list_init(&own);
    if (!charts) {
        if (chart_list_build(c, &own, d) != 0) {
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
        dry->c = real->c = c;
        dry->batch = real->batch = in->cfg && in->cfg->name ? in->cfg->name : "lcme batch";
        dry->dry = 1;
        rc = run_pass(dry, NULL, charts, &pen);
        real->toc = dry->sec;
        real->ntoc = dry->nsec;
        if (rc == 0)
            rc = run_pass(real, path, charts, &pen);
        if (rc != 0)
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write report '%s'", path);
    } else {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "report: out of memory");
    }
    chart_pen_free(pen);
    free(dry);
    free(real);
    chart_list_free(&own);
    chart_ctx_free(c);
    return rc;
}
