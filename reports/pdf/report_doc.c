/* report_doc.c: writes report.pdf (see report_pdf.h): the document and its
 * layout helpers (report_pdf_int.h); the sections are in their own files.
 *
 * The document is laid out twice with the same code: a dry pass onto a PDF
 * surface that discards its bytes, with the pen measuring text without
 * drawing it, records the page and place of every section, then the real
 * pass writes the pages with the contents filled in, each line of the
 * contents a link to its section. Both passes use the same pen (the real
 * pass draws the text the dry pass laid out), so they break pages at the
 * same places. The dry pass lays the contents out as one page; the pages
 * the full contents take are then measured with the same routine
 * (contents_flow) and every later section's page is moved on by the extra
 * pages, so the contents may run over any number of pages.
 *
 * The real pass writes into memory; the document's language (/Lang, which
 * cairo does not set) is then put into its catalog and the cross-reference
 * offsets after it moved on, and the bytes written to the path.
 *
 * Page layout: A4 portrait, 50 pt margins, page number and batch name in
 * the footer of every page but the cover. Invariant: no text is drawn below
 * BOTTOM except the footer: paragraphs that do not fit move to the next
 * page, a paragraph taller than a page is cut at spaces and flows on, a
 * table row never splits, and a heading moves to the next page unless what
 * must follow it fits under it.
 */
#include "report_pdf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>

#include "chart_pen.h"
#include "report_pdf_int.h"
#include "report_util.h"

#define REPORT_LANG "en-GB"

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

void rpdf_new_page(struct doc *dc) { new_page(dc); }

void rpdf_need(struct doc *dc, double h)
{
    if (dc->y + h > BOTTOM)
        new_page(dc);
}

double rpdf_left(const struct doc *dc) { return BOTTOM - dc->y; }

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

void rpdf_para(struct doc *dc, const char *text, double size, int bold, uint32_t rgb,
               double after)
{
    struct chart_font f = {size, bold, rgb, CHART_LEFT, BODY_W, 1};
    char *buf = malloc(strlen(text) + 1);
    if (!buf) {
        piece(dc, text, &f);
    } else {
        strcpy(buf, text);
        for (char *s = buf;;) {
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
    dc->y += after;
}

void rpdf_paraf(struct doc *dc, const char *fmt, ...)
{
    char b[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    rpdf_para(dc, b, 9.5, 0, INK_TEXT, 5);
}

void rpdf_bullet(struct doc *dc, const char *text)
{
    size_t n = strlen(text) + 8;
    char *b = malloc(n);
    if (!b) {
        rpdf_para(dc, text, 9.5, 0, INK_TEXT, 3);
        return;
    }
    snprintf(b, n, "\xE2\x80\xA2 %s", text);
    rpdf_para(dc, b, 9.5, 0, INK_TEXT, 3);
    free(b);
}

double rpdf_measure(struct doc *dc, const char *text, double size, int bold, double w)
{
    struct chart_font f = {size, bold, 0, CHART_LEFT, w, 1};
    return chart_text(dc->pen, text, &f, 0, 0, 0, NULL);
}

/* ---- sections and headings ----------------------------------------------- */

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
    s->y = dc->y;
    s->level = level;
}

void rpdf_heading_keep(struct doc *dc, const char *title, int level, double keep)
{
    double size = level == 1 ? 17 : 13, after = level == 1 ? 10 : 6;
    double h = rpdf_measure(dc, title, size, 1, BODY_W) + after;
    if (level == 1 || dc->y + h + (keep > 0 ? keep : 120) > BOTTOM)
        new_page(dc);
    record(dc, title, level);
    if (!dc->dry) {
        char dest[64];
        snprintf(dest, sizeof dest, "page=%d pos=[%.1f %.1f]", dc->page, MARGIN,
                 dc->y > MARGIN ? dc->y - 6 : 0.0);
        int id = cairo_pdf_surface_add_outline(
            dc->sf, level == 1 ? CAIRO_PDF_OUTLINE_ROOT : dc->outline_parent, title, dest, 0);
        if (level == 1)
            dc->outline_parent = id;
    }
    rpdf_para(dc, title, size, 1, 0x111111, after);
}

void rpdf_heading(struct doc *dc, const char *title, int level)
{
    rpdf_heading_keep(dc, title, level, 0);
}

/* One line of the contents at (x, y), w wide: the title (cut with an
 * ellipsis when it does not fit), the page number at the right, both a link
 * to the section. Returns the line's height. */
static double contents_line(struct doc *dc, const struct section *s, double x, double y,
                            double w, int draw)
{
    double size = s->level == 1 ? 10.5 : 9.5;
    struct chart_font fl = {size, s->level == 1, 0x222222, CHART_LEFT, w - 30, 0};
    struct chart_font fr = {size, 0, 0x222222, CHART_RIGHT, 0, 0};
    double h = chart_text(dc->pen, s->title, &fl, x, y, 0, NULL);
    if (draw) {
        char attr[128], b[16];
        snprintf(attr, sizeof attr, "rect=[%.1f %.1f %.1f %.1f] page=%d pos=[%.1f %.1f]", x, y,
                 w, h, s->page, MARGIN, s->y > MARGIN ? s->y - 6 : 0.0);
        cairo_tag_begin(dc->cr, CAIRO_TAG_LINK, attr);
        chart_text(dc->pen, s->title, &fl, x, y, 1, NULL);
        snprintf(b, sizeof b, "%d", s->page);
        chart_text(dc->pen, b, &fr, x + w, y, 1, NULL);
        cairo_tag_end(dc->cr, CAIRO_TAG_LINK);
    }
    return h;
}

/* The contents from a fresh page: every section of level 1 and, under it,
 * its sections of level 2, in two columns when there are more than four
 * of them (so that a page per unit keeps the contents on one page), over
 * as many pages as they need, each line a link to its section. With draw 0
 * nothing is drawn and no page is started; the pages are only counted (the
 * dry pass sizes the contents with it). Returns the pages taken. */
static int contents_flow(struct doc *dc, const struct section *toc, int ntoc, int draw)
{
    struct chart_font fh = {17, 1, 0x111111, CHART_LEFT, BODY_W, 1};
    int pages = 1;
    if (draw)
        new_page(dc);
    double y = MARGIN;
    y += chart_text(dc->pen, "Contents", &fh, MARGIN, y, draw, NULL) + 12;
    for (int i = 0; i < ntoc;) {
        const struct section *s = &toc[i];
        int n = 0;   /* the run of level-2 sections from i */
        while (i + n < ntoc && toc[i + n].level == 2)
            n++;
        if (s->level > 2) {
            i++;
            continue;
        }
        int two = n > 4, rows = two ? (n + 1) / 2 : n ? n : 1;
        for (int r = 0; r < rows; r++) {
            const struct section *a = &toc[i + r];
            double colw = two ? (BODY_W - 14) / 2 - 8 : BODY_W - (a->level - 1) * 14;
            double x = MARGIN + (a->level - 1) * 14;
            double h = contents_line(dc, a, x, y, colw, 0);
            if (y + h > BOTTOM) {
                pages++;
                y = MARGIN;
                if (draw)
                    new_page(dc);
            }
            contents_line(dc, a, x, y, colw, draw);
            if (two && r + rows < n)
                contents_line(dc, &toc[i + r + rows], x + colw + 16, y, colw, draw);
            y += h + 3;
        }
        i += n ? n : 1;
    }
    if (draw)
        dc->y = y;
    return pages;
}

/* ---- charts ---------------------------------------------------------------- */

const struct chart_ctx *rpdf_ctx(const struct doc *dc) { return dc->c; }

const struct chart_item *rpdf_find_chart(const struct doc *dc, enum chart_kind k, int node,
                                         long unit, int page)
{
    const struct chart_list *l = dc->charts;
    for (size_t i = 0; l && i < l->n; i++) {
        const struct chart_item *it = &l->v[i];
        if (it->kind == k && (node < 0 || it->node == node) &&
            (unit < 0 || it->unit == unit) && (page < 1 || it->page == page))
            return it;
    }
    return NULL;
}

/* The scale of a chart drawn across the body at most maxh tall (of height
 * h), never above 1. */
static double chart_scale(const struct chart_item *it, double h, double maxh)
{
    double s = BODY_W / it->width;
    if (h * s > maxh)
        s = maxh / h;
    return s > 1 ? 1 : s;
}

static void draw_chart(struct doc *dc, const struct chart_item *it, double maxh, int crop)
{
    double h = crop ? it->height - CHART_FOOT + 4 : it->height;
    double s = chart_scale(it, h, maxh);
    struct chart_font f = {7, 0, 0x666666, CHART_LEFT, BODY_W, 1};
    char alt[1400];
    snprintf(alt, sizeof alt, "Figure: %s", it->alt);
    double ha = chart_text(dc->pen, alt, &f, 0, 0, 0, NULL);
    if (dc->y + h * s + ha + 4 > BOTTOM)
        new_page(dc);
    if (!dc->dry) {
        cairo_save(dc->cr);
        cairo_translate(dc->cr, MARGIN + (BODY_W - it->width * s) / 2, dc->y);
        cairo_scale(dc->cr, s, s);
        cairo_rectangle(dc->cr, 0, 0, it->width, h);
        cairo_clip(dc->cr);
        chart_render(dc->pen, dc->c, it);
        cairo_restore(dc->cr);
    }
    dc->y += h * s + 3;
    chart_text(dc->pen, alt, &f, MARGIN, dc->y, 1, NULL);
    dc->y += ha + 10;
}

void rpdf_chart(struct doc *dc, const struct chart_item *it, double maxh)
{
    draw_chart(dc, it, maxh, 0);
}

void rpdf_chart_crop(struct doc *dc, const struct chart_item *it, double maxh)
{
    draw_chart(dc, it, maxh, 1);
}

void rpdf_chart_fill(struct doc *dc, const struct chart_item *it, double maxh,
                     double min_share)
{
    double h = it->height - CHART_FOOT + 4;
    struct chart_font f = {7, 0, 0x666666, CHART_LEFT, BODY_W, 1};
    char alt[1400];
    snprintf(alt, sizeof alt, "Figure: %s", it->alt);
    double ha = chart_text(dc->pen, alt, &f, 0, 0, 0, NULL);
    double room = BOTTOM - dc->y - ha - 8;
    if (room < min_share * h * chart_scale(it, h, maxh))
        room = maxh;   /* too little left: the next page */
    draw_chart(dc, it, room < maxh ? room : maxh, 1);
}

double rpdf_chart_height(struct doc *dc, const struct chart_item *it, double maxh)
{
    double h = it->height - CHART_FOOT + 4;
    struct chart_font f = {7, 0, 0x666666, CHART_LEFT, BODY_W, 1};
    char alt[1400];
    snprintf(alt, sizeof alt, "Figure: %s", it->alt);
    return h * chart_scale(it, h, maxh) + 3 + chart_text(dc->pen, alt, &f, 0, 0, 0, NULL) + 10;
}

/* ---- tables ---------------------------------------------------------------- */

static double cell_x(const struct rpdf_table *t, int j)
{
    double x = MARGIN;
    for (int k = 0; k < j; k++)
        x += t->width[k];
    return x;
}

static struct chart_font cell_font(const struct rpdf_table *t, int j, int bold, int head,
                                   double indent)
{
    struct chart_font f = {head ? t->size - 0.5 : t->size, bold || head, INK_TEXT,
                           t->align[j] == 'r' ? CHART_RIGHT : CHART_LEFT,
                           t->width[j] - 5 - (j == 0 ? indent : 0), 1};
    return f;
}

static double row_height(struct doc *dc, const struct rpdf_table *t, const char *const *cell,
                         int bold, int head, double indent)
{
    double h = 0;
    for (int j = 0; j < t->ncol; j++) {
        struct chart_font f = cell_font(t, j, bold, head, indent);
        double hj = chart_text(dc->pen, cell[j] ? cell[j] : "", &f, 0, 0, 0, NULL);
        h = hj > h ? hj : h;
    }
    return h + 3;
}

double rpdf_table_row_height(struct doc *dc, const struct rpdf_table *t,
                             const char *const *cell, int bold, double indent)
{
    return row_height(dc, t, cell, bold, 0, indent);
}

static void draw_row(struct doc *dc, const struct rpdf_table *t, const char *const *cell,
                     int bold, int head, double indent, double h)
{
    for (int j = 0; j < t->ncol; j++) {
        struct chart_font f = cell_font(t, j, bold, head, indent);
        double x = cell_x(t, j) + (j == 0 ? indent : 0);
        if (f.align == CHART_RIGHT)
            x = cell_x(t, j) + t->width[j] - 5;
        chart_text(dc->pen, cell[j] ? cell[j] : "", &f, x, dc->y + 1, 1, NULL);
    }
    if (head) {
        cairo_set_line_width(dc->cr, 0.6);
        chart_rgb(dc->cr, 0x888888);
        cairo_move_to(dc->cr, MARGIN, dc->y + h);
        cairo_line_to(dc->cr, cell_x(t, t->ncol), dc->y + h);
        cairo_stroke(dc->cr);
    }
}

void rpdf_table_begin(struct doc *dc, struct rpdf_table *t)
{
    (void)dc;
    t->stripe = 0;
    t->need_head = 1;
}

void rpdf_table_row(struct doc *dc, struct rpdf_table *t, const char *const *cell, int bold,
                    double indent)
{
    double hh = row_height(dc, t, t->head, 0, 1, 0);
    double h = row_height(dc, t, cell, bold, 0, indent);
    if (dc->y + h + (t->need_head ? hh : 0) > BOTTOM) {
        new_page(dc);
        t->need_head = 1;
    }
    if (t->need_head) {
        draw_row(dc, t, t->head, 0, 1, 0, hh);
        dc->y += hh + 1;
        t->need_head = 0;
        t->stripe = 0;
    }
    if (t->stripe && !dc->dry) {
        cairo_rectangle(dc->cr, MARGIN, dc->y, cell_x(t, t->ncol) - MARGIN, h);
        chart_rgb(dc->cr, 0xF2F2F2);
        cairo_fill(dc->cr);
    }
    t->stripe = !t->stripe;
    draw_row(dc, t, cell, bold, 0, indent, h);
    dc->y += h;
}

void rpdf_table_end(struct doc *dc, struct rpdf_table *t)
{
    (void)t;
    dc->y += 6;
}

/* ---- the document -------------------------------------------------------- */

/* Every section in order; the dry pass then sizes the contents. */
static void layout(struct doc *dc)
{
    rpdf_cover(dc);
    contents_flow(dc, dc->toc, dc->ntoc, 1);
    rpdf_summary(dc);
    rpdf_areas(dc);
    rpdf_robustness(dc);
    rpdf_units(dc);
    rpdf_objectives(dc, dc->charts);
    rpdf_methods(dc);
    cairo_show_page(dc->cr);
    if (dc->dry)
        dc->toc_pages = contents_flow(dc, dc->sec, dc->nsec, 0);
}

/* The PDF in memory. */
struct pdf_buf {
    unsigned char *b;
    size_t n, cap;
    int oom;
};

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdf_buf *pb = closure;
    if (!pb)   /* the dry pass: discard */
        return CAIRO_STATUS_SUCCESS;
    if (pb->n + len > pb->cap) {
        size_t nc = pb->cap ? pb->cap : 1 << 20;
        while (nc < pb->n + len)
            nc *= 2;
        unsigned char *nb = realloc(pb->b, nc);
        if (!nb) {
            pb->oom = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        pb->b = nb;
        pb->cap = nc;
    }
    memcpy(pb->b + pb->n, data, len);
    pb->n += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The last occurrence of the n bytes of s in h[0..hn), or NULL. */
static unsigned char *find_last(unsigned char *h, size_t hn, const char *s, size_t n)
{
    for (size_t i = hn >= n ? hn - n + 1 : 0; i-- > 0;)
        if (memcmp(h + i, s, n) == 0)
            return h + i;
    return NULL;
}

/* 1 when the 20 bytes at e are a cross-reference entry: "nnnnnnnnnn ggggg n \n". */
static int xref_entry(const unsigned char *e)
{
    for (int i = 0; i < 10; i++)
        if (e[i] < '0' || e[i] > '9')
            return 0;
    return e[10] == ' ' && e[16] == ' ' && (e[17] == 'n' || e[17] == 'f');
}

/* Write pb to path with /Lang in the catalog (cairo writes the catalog as
 * its last object, then a classic cross-reference table of 20-byte
 * entries): the text is inserted after "/Type /Catalog", every entry whose
 * offset lies past it and startxref moved on by its length. A file that
 * does not look like that is written as it is. Returns 0 or -1. */
static int write_with_lang(const struct pdf_buf *pb, const char *path)
{
    static const char ins[] = "\n   /Lang (" REPORT_LANG ")";
    const size_t nins = sizeof ins - 1;
    unsigned char *cat = find_last(pb->b, pb->n, "/Type /Catalog", 14);
    unsigned char *xref = find_last(pb->b, pb->n, "\nxref\n", 6);
    unsigned char *sx = find_last(pb->b, pb->n, "\nstartxref\n", 11);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    int ok = 1;
    if (!cat || !xref || !sx || cat > xref || xref > sx) {
        ok = fwrite(pb->b, 1, pb->n, fp) == pb->n;
    } else {
        size_t at = (size_t)(cat - pb->b) + 14;
        ok = fwrite(pb->b, 1, at, fp) == at && fwrite(ins, 1, nins, fp) == nins;
        /* up to the table's first entry unchanged; then each entry */
        unsigned char *p = xref + 6, *end = sx + 1;
        unsigned char *nl = memchr(p, '\n', (size_t)(end - p));   /* "0 N" */
        unsigned char *e = nl ? nl + 1 : end;
        ok = ok && fwrite(pb->b + at, 1, (size_t)(e - (pb->b + at)), fp) == (size_t)(e - (pb->b + at));
        while (ok && e + 20 <= end && xref_entry(e)) {
            char num[11];
            memcpy(num, e, 10);
            num[10] = '\0';
            unsigned long long off = strtoull(num, NULL, 10);
            if (off > at && e[17] == 'n')
                off += nins;
            ok = fprintf(fp, "%010llu", off) == 10 && fwrite(e + 10, 1, 10, fp) == 10;
            e += 20;
        }
        /* the trailer, then startxref's number moved on */
        ok = ok && fwrite(e, 1, (size_t)(end - e), fp) == (size_t)(end - e);
        unsigned char *q = sx + 11;
        unsigned long long sxv = strtoull((const char *)q, NULL, 10);
        while (q < pb->b + pb->n && *q >= '0' && *q <= '9')
            q++;
        size_t rest = (size_t)(pb->b + pb->n - q);
        ok = ok && fwrite("startxref\n", 1, 10, fp) == 10 &&
             fprintf(fp, "%llu", sxv + nins) > 0 && fwrite(q, 1, rest, fp) == rest;
    }
    if (fclose(fp) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* One pass; *pen is made on the first pass and kept for the second, so
 * that the real pass draws the text the dry pass laid out. The real pass
 * writes to pb. */
static int run_pass(struct doc *dc, struct pdf_buf *pb, struct chart_pen **pen)
{
    dc->sf = cairo_pdf_surface_create_for_stream(to_buf, dc->dry ? NULL : pb, PAGE_W, PAGE_H);
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
        if (in->cfg && in->cfg->source) {
            cairo_pdf_surface_set_metadata(dc->sf, CAIRO_PDF_METADATA_AUTHOR,
                                           report_text(in->cfg->source, &owned));
            free(owned);
        }
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
        layout(dc);
        rc = dc->oom ? -1 : 0;
    }
    dc->pen = NULL;
    cairo_destroy(dc->cr);
    cairo_surface_finish(dc->sf);
    if (cairo_surface_status(dc->sf) != CAIRO_STATUS_SUCCESS || (pb && pb->oom))
        rc = -1;
    cairo_surface_destroy(dc->sf);
    return rc;
}

/* The attribute the report compares groups by: [report] group, else
 * [batch] group, else the first attribute of the units file that forms
 * groups of which there are at most half as many as units; -1 for none. */
static int group_attr(const struct report_input *in)
{
    const struct cube *cb = in->cube;
    const struct config *cfg = in->cfg;
    const char *want = cfg && cfg->report_group ? cfg->report_group
                     : cfg && cfg->group ? cfg->group : NULL;
    if (want) {
        int a = cube_attr_index(cb, want);
        return groups_attr_usable(cb, a) ? a : -1;
    }
    for (size_t a = 0; a < cb->nattr; a++) {
        if (!groups_attr_usable(cb, (int)a))
            continue;
        size_t distinct = 0;
        for (size_t u = 0; u < cb->nunit; u++) {
            const char *v = cb->attr[u * cb->nattr + a];
            size_t k = 0;
            while (k < u && strcmp(cb->attr[k * cb->nattr + a], v) != 0)
                k++;
            distinct += k == u && v[0];
        }
        if (2 * distinct <= cb->nunit)
            return (int)a;
    }
    return -1;
}

/* The groups of the report: the index and the areas, in the year. */
static struct groups *make_groups(const struct chart_ctx *c, struct diag *d)
{
    const struct framework *fw = c->in->fw;
    int a = group_attr(c->in);
    if (a < 0)
        return NULL;
    const struct fw_node *root = &fw->node[fw->root];
    int *nodes = malloc(((size_t)root->nchild + 1) * sizeof *nodes), n = 0;
    if (!nodes)
        return NULL;
    nodes[n++] = fw->root;
    for (int k = 0; k < root->nchild; k++)
        nodes[n++] = root->child[k];
    struct groups *g = NULL;
    groups_compute(c->in->cube, c->in->res, c->tr, a, c->t, nodes, n, &g, d);
    free(nodes);
    return g;
}

static void doc_init(struct doc *dc, const struct chart_ctx *view, const struct chart_list *l,
                     const struct trends *tr, int ci_arrays, const struct groups *g)
{
    const struct report_input *in = view->in;
    dc->c = view;
    dc->charts = l;
    dc->batch = in->cfg && in->cfg->name ? in->cfg->name : "lcme batch";
    dc->nyear = (int)in->cube->nyear;
    int comparable = tr && tr->comparable;
    dc->trends = comparable && in->cube->nyear >= 3;
    dc->changes = comparable && in->cube->nyear >= 2;
    dc->ci_arrays = ci_arrays;
    dc->prev_t = cube_year_index(in->cube, view->year - 1);
    dc->groups = g;
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
    struct groups *g = make_groups(&view, d);
    struct doc *dry = calloc(1, sizeof *dry), *real = calloc(1, sizeof *real);
    struct pdf_buf pb = {0};
    int rc = -1;
    struct chart_pen *pen = NULL;
    if (dry && real) {
        doc_init(dry, &view, charts, tr, ci_arrays, g);
        doc_init(real, &view, charts, tr, ci_arrays, g);
        dry->dry = 1;
        rc = run_pass(dry, NULL, &pen);
        /* the dry pass gave the contents one page (page 2); move what follows
         * on by the pages the full contents take */
        for (int i = 0; i < dry->nsec; i++)
            if (dry->sec[i].page > 2)
                dry->sec[i].page += dry->toc_pages - 1;
        real->toc = dry->sec;
        real->ntoc = dry->nsec;
        if (rc == 0)
            rc = run_pass(real, &pb, &pen);
        if (rc == 0)
            rc = write_with_lang(&pb, path);
        if (rc != 0)
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write report '%s'", path);
    } else {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "report: out of memory");
    }
    chart_pen_free(pen);
    free(pb.b);
    if (dry)
        free(dry->sec);
    if (real)
        free(real->sec);
    free(dry);
    free(real);
    groups_free(g);
    chart_list_free(&own);
    chart_ctx_free(c);
    return rc;
}
