/* chart_pen.c: text through pango and simple marks for the charts and the
 * report (see chart_pen.h), with hinting off so that the same text measures
 * the same everywhere.
 *
 * Laid-out text is kept: every (text, size, weight, width, wrap) a pen has
 * laid out keeps its own PangoLayout, so a label drawn again (unit names,
 * tick labels, footers, panel titles: the same in chart after chart) costs
 * no shaping, only drawing. pango lays text out for a transformation (it
 * rounds glyph positions on the device), so the kept layouts are grouped by
 * the transformation they were made for, one PangoContext each. The pen
 * behaves as a single layout that follows the transformation only when it
 * draws: text is measured for the transformation of the last text drawn
 * (at first, that of the context the pen was made on) and drawn for the
 * current one. Rotated text (chart_text_up) goes through a separate layout
 * that follows the transformation, as pango chooses the text's gravity
 * from it.
 */
#include "chart_pen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <pango/pangocairo.h>

#define PEN_PI 3.14159265358979323846
#define PEN_BUCKETS 1024     /* hash buckets of a layout cache */
#define PEN_MAX 4096         /* layouts kept per transformation; then a scratch layout */
#define PEN_NCTX 6           /* transformations kept */

struct pen_entry {
    struct pen_entry *next;
    unsigned hash;
    int size, width, bold, mode;     /* pango units; mode: see style_mode */
    PangoLayout *layout;
    PangoRectangle lr;               /* logical extents */
    char text[];
};

/* The layouts made for one transformation (its linear part, as pango
 * keeps it). */
struct pen_ctx {
    double m[4];                     /* xx, yx, xy, yy */
    PangoContext *ctx;               /* NULL: slot unused */
    PangoLayout *scratch;            /* when the cache is full */
    struct pen_entry *bucket[PEN_BUCKETS];
    size_t nentry;
};

struct chart_pen {
    cairo_t *cr;
    PangoLayout *layout;             /* rotated text: follows the transformation */
    PangoFontDescription *font[2];   /* regular, bold; size set per call */
    int measure_only;                /* lay out and measure, never draw */
    double last[4];                  /* transformation of the last text drawn */
    struct pen_ctx *ctx[PEN_NCTX];
    int victim;                      /* next slot to reuse when all are taken */
};

static int set_options(PangoContext *ctx)
{
    cairo_font_options_t *fo = cairo_font_options_create();
    if (cairo_font_options_status(fo) != CAIRO_STATUS_SUCCESS) {
        cairo_font_options_destroy(fo);
        return -1;
    }
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(ctx, fo);
    pango_context_changed(ctx);
    cairo_font_options_destroy(fo);
    return 0;
}

static void ctx_clear(struct pen_ctx *x)
{
    for (size_t b = 0; b < PEN_BUCKETS; b++) {
        struct pen_entry *e = x->bucket[b];
        while (e) {
            struct pen_entry *n = e->next;
            g_object_unref(e->layout);
            free(e);
            e = n;
        }
        x->bucket[b] = NULL;
    }
    x->nentry = 0;
    if (x->scratch)
        g_object_unref(x->scratch);
    if (x->ctx)
        g_object_unref(x->ctx);
    x->scratch = NULL;
    x->ctx = NULL;
}

static void cr_matrix(cairo_t *cr, double m[4])
{
    cairo_matrix_t cm;
    cairo_get_matrix(cr, &cm);
    m[0] = cm.xx;
    m[1] = cm.yx;
    m[2] = cm.xy;
    m[3] = cm.yy;
}

/* The layouts for transformation m: kept, or a slot set up for it (on the
 * pen's current cairo context, for its surface's font options). NULL on
 * ENOMEM. */
static struct pen_ctx *ctx_for(struct chart_pen *p, const double m[4])
{
    int free_slot = -1;
    for (int i = 0; i < PEN_NCTX; i++) {
        struct pen_ctx *x = p->ctx[i];
        if (x && x->ctx && memcmp(x->m, m, sizeof x->m) == 0)
            return x;
        if (free_slot < 0 && (!x || !x->ctx))
            free_slot = i;
    }
    if (free_slot < 0) {   /* all taken: reuse one, never the measuring one */
        for (int k = 0; k < PEN_NCTX; k++) {
            int i = (p->victim + k) % PEN_NCTX;
            if (memcmp(p->ctx[i]->m, p->last, sizeof p->last) != 0) {
                free_slot = i;
                break;
            }
        }
        if (free_slot < 0)
            return NULL;
        p->victim = (free_slot + 1) % PEN_NCTX;
        ctx_clear(p->ctx[free_slot]);
    }
    if (!p->ctx[free_slot] && !(p->ctx[free_slot] = calloc(1, sizeof *p->ctx[free_slot])))
        return NULL;
    struct pen_ctx *x = p->ctx[free_slot];
    memcpy(x->m, m, sizeof x->m);
    x->ctx = pango_cairo_create_context(p->cr);
    if (!x->ctx || set_options(x->ctx) != 0) {
        ctx_clear(x);
        return NULL;
    }
    /* as pango_cairo_update_context sets it: no translation, NULL when identity */
    PangoMatrix pm = {m[0], m[2], m[1], m[3], 0, 0};
    int identity = m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 1;
    pango_context_set_matrix(x->ctx, identity ? NULL : &pm);
    pango_context_changed(x->ctx);
    if (!(x->scratch = pango_layout_new(x->ctx))) {
        ctx_clear(x);
        return NULL;
    }
    return x;
}

struct chart_pen *chart_pen_new(cairo_t *cr)
{
    struct chart_pen *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cr = cr;
    cr_matrix(cr, p->last);
    p->layout = pango_cairo_create_layout(cr);
    p->font[0] = pango_font_description_from_string(CHART_FONT " 9");
    p->font[1] = pango_font_description_from_string(CHART_FONT " Bold 9");
    if (!p->layout || !p->font[0] || !p->font[1] ||
        set_options(pango_layout_get_context(p->layout)) != 0 || !ctx_for(p, p->last)) {
        chart_pen_free(p);
        return NULL;
    }
    pango_layout_context_changed(p->layout);
    return p;
}

void chart_pen_free(struct chart_pen *p)
{
    if (!p)
        return;
    for (int i = 0; i < PEN_NCTX; i++)
        if (p->ctx[i]) {
            ctx_clear(p->ctx[i]);
            free(p->ctx[i]);
        }
    if (p->layout)
        g_object_unref(p->layout);
    for (int i = 0; i < 2; i++)
        if (p->font[i])
            pango_font_description_free(p->font[i]);
    free(p);
}

void chart_pen_set_cr(struct chart_pen *p, cairo_t *cr) { p->cr = cr; }

cairo_t *chart_pen_cr(const struct chart_pen *p) { return p->cr; }

void chart_pen_measure_only(struct chart_pen *p, int on) { p->measure_only = on != 0; }

/* The length of the UTF-8 character at s (1 for a stray byte), and whether
 * it is a CJK character (U+2E80 radicals to U+9FFF, U+F900-U+FAFF
 * compatibility ideographs, U+FF00-U+FFEF full-width forms). */
static size_t utf8_cjk(const unsigned char *s, int *cjk)
{
    unsigned cp = s[0];
    size_t n = 1;
    if (cp >= 0xF0 && s[1] && s[2] && s[3]) {
        cp = (cp & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
        n = 4;
    } else if (cp >= 0xE0 && s[1] && s[2]) {
        cp = (cp & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        n = 3;
    } else if (cp >= 0xC0 && s[1]) {
        cp = (cp & 0x1Fu) << 6 | (s[1] & 0x3Fu);
        n = 2;
    }
    *cjk = (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x3FFFF);
    return n;
}

/* Attributes that keep each run of CJK characters of text on one line
 * (UAX #14 would break between any two of them); NULL when there is none. */
static PangoAttrList *cjk_no_breaks(const char *text)
{
    PangoAttrList *al = NULL;
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, start = 0;
    int in = 0;
    for (;;) {
        int cjk = 0;
        size_t n = u[i] ? utf8_cjk(u + i, &cjk) : 0;
        if (cjk && !in) {
            start = i;
            in = 1;
        } else if (!cjk && in) {
            in = 0;
            if (i - start > 3) {   /* two characters or more */
                if (!al && !(al = pango_attr_list_new()))
                    return NULL;
                PangoAttribute *a = pango_attr_allow_breaks_new(FALSE);
                a->start_index = (guint)start;
                a->end_index = (guint)i;
                pango_attr_list_insert(al, a);
            }
        }
        if (!u[i])
            break;
        i += n;
    }
    return al;
}

/* How a layout breaks and aligns (part of its key in the cache): 0 no
 * width, 1 ellipsized, 2 wrapped left, 3 wrapped centred, 4 wrapped right. */
static int style_mode(const struct chart_font *f)
{
    if (f->width <= 0)
        return 0;
    if (!f->wrap)
        return 1;
    return f->align == CHART_CENTER ? 3 : f->align == CHART_RIGHT ? 4 : 2;
}

static void set_style(struct chart_pen *p, PangoLayout *layout, const char *text,
                      const struct chart_font *f)
{
    PangoFontDescription *fd = p->font[f->bold ? 1 : 0];
    pango_font_description_set_size(fd, (gint)lround(f->size * PANGO_SCALE));
    pango_layout_set_font_description(layout, fd);
    pango_layout_set_text(layout, text ? text : "", -1);
    if (f->width > 0) {
        pango_layout_set_width(layout, (int)lround(f->width * PANGO_SCALE));
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_ellipsize(layout, f->wrap ? PANGO_ELLIPSIZE_NONE
                                                   : PANGO_ELLIPSIZE_END);
    } else {
        pango_layout_set_width(layout, -1);
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
    }
    PangoAttrList *al = f->width > 0 && f->wrap && text ? cjk_no_breaks(text) : NULL;
    pango_layout_set_attributes(layout, al);
    if (al)
        pango_attr_list_unref(al);
    /* wrapped lines line up on the side the text is anchored to */
    pango_layout_set_alignment(layout,
                               f->width <= 0 || !f->wrap ? PANGO_ALIGN_LEFT
                               : f->align == CHART_RIGHT ? PANGO_ALIGN_RIGHT
                               : f->align == CHART_CENTER ? PANGO_ALIGN_CENTER
                                                          : PANGO_ALIGN_LEFT);
}

/* The laid-out text for f, from the cache (added when missing), with its
 * logical extents in *lr. */
static PangoLayout *pen_layout(struct chart_pen *p, struct pen_ctx *x, const char *text,
                               const struct chart_font *f, PangoRectangle *lr)
{
    if (!text)
        text = "";
    int size = (int)lround(f->size * PANGO_SCALE), bold = f->bold != 0;
    int mode = style_mode(f);
    int width = mode ? (int)lround(f->width * PANGO_SCALE) : -1;
    unsigned h = 2166136261u;   /* FNV-1a */
    size_t n = 0;
    for (const unsigned char *u = (const unsigned char *)text; *u; u++, n++)
        h = (h ^ *u) * 16777619u;
    h = (h ^ (unsigned)size) * 16777619u;
    h = (h ^ (unsigned)width) * 16777619u;
    h = (h ^ (unsigned)(bold | mode << 1)) * 16777619u;
    struct pen_entry **b = &x->bucket[h % PEN_BUCKETS];
    for (struct pen_entry *e = *b; e; e = e->next)
        if (e->hash == h && e->size == size && e->width == width && e->bold == bold &&
            e->mode == mode && strcmp(e->text, text) == 0) {
            *lr = e->lr;
            return e->layout;
        }
    struct pen_entry *e = NULL;
    PangoLayout *layout = x->scratch;
    if (x->nentry < PEN_MAX && (e = malloc(sizeof *e + n + 1)) &&
        !(layout = pango_layout_new(x->ctx))) {
        free(e);
        e = NULL;
        layout = x->scratch;   /* out of memory: lay out without keeping it */
    }
    set_style(p, layout, text, f);
    pango_layout_get_extents(layout, NULL, lr);
    if (e) {
        e->hash = h;
        e->size = size;
        e->width = width;
        e->bold = bold;
        e->mode = mode;
        e->layout = layout;
        e->lr = *lr;
        memcpy(e->text, text, n + 1);
        e->next = *b;
        *b = e;
        x->nentry++;
    }
    return layout;
}

double chart_text(struct chart_pen *p, const char *text, const struct chart_font *f,
                  double x, double y, int draw, double *w)
{
    struct pen_ctx *m = ctx_for(p, p->last);
    if (!m) {   /* out of memory */
        if (w)
            *w = 0;
        return 0;
    }
    PangoRectangle lr;
    PangoLayout *layout = pen_layout(p, m, text, f, &lr);
    double tw = (double)lr.width / PANGO_SCALE, th = (double)lr.height / PANGO_SCALE;
    if (w)
        *w = tw;
    if (draw && !p->measure_only) {
        double cur[4];
        cr_matrix(p->cr, cur);
        if (memcmp(cur, p->last, sizeof cur) != 0) {
            /* measured for the last transformation, drawn for this one */
            struct pen_ctx *d = ctx_for(p, cur);
            if (!d)
                return th;
            PangoRectangle dr;
            layout = pen_layout(p, d, text, f, &dr);
            memcpy(p->last, cur, sizeof cur);
        }
        double x0 = x - (double)lr.x / PANGO_SCALE;
        if (f->align == CHART_CENTER)
            x0 -= tw / 2;
        else if (f->align == CHART_RIGHT)
            x0 -= tw;
        cairo_save(p->cr);
        chart_rgb(p->cr, f->rgb);
        cairo_move_to(p->cr, x0, y);
        pango_cairo_show_layout(p->cr, layout);
        cairo_restore(p->cr);
    }
    return th;
}

void chart_text_mid(struct chart_pen *p, const char *text, const struct chart_font *f,
                    double x, double ymid)
{
    double h = chart_text(p, text, f, 0, 0, 0, NULL);
    chart_text(p, text, f, x, ymid - h / 2, 1, NULL);
}

void chart_text_up(struct chart_pen *p, const char *text, const struct chart_font *f,
                   double x, double y)
{
    if (p->measure_only)
        return;
    struct pen_ctx *m = ctx_for(p, p->last);
    if (!m)
        return;
    PangoRectangle lr;
    pen_layout(p, m, text, f, &lr);
    double th = (double)lr.height / PANGO_SCALE;
    cairo_save(p->cr);
    chart_rgb(p->cr, f->rgb);
    cairo_translate(p->cr, x - th, y);
    cairo_rotate(p->cr, -PEN_PI / 2);
    cairo_move_to(p->cr, 0, 0);
    set_style(p, p->layout, text, f);
    pango_cairo_update_layout(p->cr, p->layout);
    pango_cairo_show_layout(p->cr, p->layout);
    cairo_restore(p->cr);
    cr_matrix(p->cr, p->last);
}

void chart_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0,
                         ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

void chart_rgba(cairo_t *cr, uint32_t rgb, double alpha)
{
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0,
                          ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0,
                          alpha);
}

void chart_marker(cairo_t *cr, enum chart_shape s, double x, double y, double r,
                  uint32_t fill)
{
    cairo_new_path(cr);
    switch (s) {
    case CHART_SQUARE:
        cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
        break;
    case CHART_DIAMOND:
        cairo_move_to(cr, x, y - r * 1.2);
        cairo_line_to(cr, x + r * 1.2, y);
        cairo_line_to(cr, x, y + r * 1.2);
        cairo_line_to(cr, x - r * 1.2, y);
        cairo_close_path(cr);
        break;
    case CHART_TRI_UP:
        cairo_move_to(cr, x, y - r * 1.25);
        cairo_line_to(cr, x + r * 1.15, y + r * 0.85);
        cairo_line_to(cr, x - r * 1.15, y + r * 0.85);
        cairo_close_path(cr);
        break;
    case CHART_TRI_DOWN:
        cairo_move_to(cr, x, y + r * 1.25);
        cairo_line_to(cr, x + r * 1.15, y - r * 0.85);
        cairo_line_to(cr, x - r * 1.15, y - r * 0.85);
        cairo_close_path(cr);
        break;
    case CHART_CIRCLE:
    default:
        cairo_arc(cr, x, y, r, 0, 2 * PEN_PI);
        break;
    }
    chart_rgb(cr, fill);
    cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0x222222);
    cairo_stroke(cr);
}
