/* chart.c: plans and draws the charts of a run (see chart.h) and writes them
 * as PNG and PDF files.
 *
 * Every chart is drawn by one function in points on any cairo context: the
 * PNG writer scales an image surface by CHART_DPI/72, the PDF writer and the
 * report draw as vectors. Layout is fixed per kind:
 *
 *   +-------------------------------------------------+
 *   | active title (13 pt bold)                       |  CHART_HEAD
 *   | subtitle: what is drawn (8.5 pt, wraps)         |
 *   | legend line                                     |
 *   |   plot area (rows at a fixed pitch / panels)    |
 *   |   axis with nice ticks and a labelled unit      |
 *   | footer: source, run id, engine version, notes   |  CHART_FOOT
 *   +-------------------------------------------------+
 *
 * Colour is never the only cue: markers differ in shape, values are printed
 * next to marks or inside cells, and series are labelled directly.
 * Nothing here computes a statistic (see chart.h).
 */
#include "chart.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cairo-pdf.h>
#include <pthread.h>

#include "chart_geom.h"
#include "chart_png.h"
#include "path.h"
#include "report_util.h"

#define CHART_HEAD 72.0
#define CHART_FOOT 34.0
#define CHART_W 560.0
#define DOT_PITCH 12.0
#define GREY 0x777777
#define LIGHT 0xDDDDDD
#define INK 0x222222
#define BLUE 0x0072B2     /* Okabe-Ito blue: the unit */
#define VERM 0xD55E00     /* Okabe-Ito vermillion: trend lines, below median */
#define GREEN 0x009E73    /* Okabe-Ito bluish green: above median */
#define CHART_PI 3.14159265358979323846

/* ---- small helpers ------------------------------------------------------ */

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *r = malloc(n);
    if (r)
        memcpy(r, s ? s : "", n);
    return r;
}

static int fin(double x) { return isfinite(x) != 0; }

/* The 14-point line sample of a legend entry whose text starts at (x + 18,
 * y): in the current colour, width and dash. */
static void legend_line(cairo_t *cr, double x, double y)
{
    cairo_move_to(cr, x, y + 5);
    cairo_line_to(cr, x + 14, y + 5);
    cairo_stroke(cr);
}

/* The legend entry of a unit's score series at (x, y): a blue line in the
 * current line width with a circle of radius r, then "score" at x + 18;
 * returns the width of that label. */
static double legend_score(struct chart_pen *p, const struct chart_font *f, double x,
                           double y, double r)
{
    cairo_t *cr = chart_pen_cr(p);
    double w;
    chart_rgb(cr, BLUE);
    legend_line(cr, x, y);
    chart_marker(cr, CHART_CIRCLE, x + 7, y + 5, r, BLUE);
    chart_text(p, "score", f, x + 18, y, 1, &w);
    return w;
}

/* Widens the domain [*lo, *hi] to take in the finite values of v[0..n). */
static void widen(double *lo, double *hi, const double *v, int n)
{
    for (int j = 0; j < n; j++)
        if (fin(v[j])) {
            *lo = fmin(*lo, v[j]);
            *hi = fmax(*hi, v[j]);
        }
}

static double score_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return r->score[RES_AT(r, node, t, u)];
}

/* Interval bounds, NaN when the context shows no intervals (a view with
 * has_ci cleared draws neither whiskers nor the above/below shapes). */
static double lo_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return c->has_ci && r->ci_low ? r->ci_low[RES_AT(r, node, t, u)] : NAN;
}

static double hi_at(const struct chart_ctx *c, int node, int t, size_t u)
{
    const struct results *r = c->in->res;
    return c->has_ci && r->ci_high ? r->ci_high[RES_AT(r, node, t, u)] : NAN;
}

static const struct fw_node *nd(const struct chart_ctx *c, int node)
{
    return &c->in->fw->node[node];
}

const char *chart_node_short(const struct chart_ctx *c, int node)
{
    const struct fw_node *x = nd(c, node);
    return x->name && x->name[0] ? x->name : x->code;
}

/* A unit's name for titles: its name without the Chinese name (titles stay
 * short; the labels, subtitle and alternative text carry both), or its
 * label when it has no name. */
static const char *unit_title(const struct chart_ctx *c, size_t u)
{
    const struct cube *cb = c->in->cube;
    if (cb->unit_name && cb->unit_name[u] && cb->unit_name[u][0])
        return cb->unit_name[u];
    return c->label[u];
}

const char *chart_level_word(const struct report_input *in, int lv, int full)
{
    const struct framework *fw = in->fw;
    const struct config *cfg = in->cfg;
    if (cfg && lv >= 1 && lv <= cfg->nlevel_names && lv <= CONFIG_MAX_LEVELS &&
        cfg->level_name[lv] && cfg->level_name[lv][0])
        return cfg->level_name[lv];
    if (lv == fw->nlevel)
        return "index";
    if (lv == 1)
        return "indicator";
    if (lv == fw->nlevel - 1)
        return "area";
    if (lv == fw->nlevel - 2)
        return full ? "area of focus" : "focus";
    return full ? "key feature" : "feature";
}

/* The name of a node's level, short form (chart_level_word). */
static const char *level_word(const struct chart_ctx *c, int node)
{
    return chart_level_word(c->in, c->in->fw->node[node].level, 0);
}

const char *chart_level_words(const struct report_input *in, int lv, int plural, char *buf,
                              size_t len)
{
    const char *nm = chart_level_word(in, lv, 1);
    if (strcasecmp(nm, "focus") == 0)
        nm = "area of focus";
    else if (strcasecmp(nm, "feature") == 0)
        nm = "key feature";
    char w[96];
    size_t n = strlen(nm);
    if (n >= sizeof w)
        n = sizeof w - 1;
    for (size_t i = 0; i < n; i++)
        w[i] = (char)tolower((unsigned char)nm[i]);
    w[n] = '\0';
    const char *of = strstr(w, " of ");
    if (!plural) {
        snprintf(buf, len, "%s", w);
    } else if (of) {   /* "areas of focus" */
        snprintf(buf, len, "%.*ss%s", (int)(of - w), w, of);
    } else {
        int es = n > 0 && (w[n - 1] == 's' || w[n - 1] == 'x' || w[n - 1] == 'z' ||
                           (n > 1 && w[n - 1] == 'h' && (w[n - 2] == 's' || w[n - 2] == 'c')));
        int ies = n > 1 && w[n - 1] == 'y' && !strchr("aeiou", w[n - 2]);
        if (ies)
            snprintf(buf, len, "%.*sies", (int)(n - 1), w);
        else
            snprintf(buf, len, "%s%s", w, es ? "es" : "s");
    }
    return buf;
}

/* Running-text words for the areas of focus (the level of c->focus) and
 * the areas (level nlevel - 1). */
#define FOCUS_WORDS(c, plural, buf) \
    chart_level_words((c)->in, (c)->in->fw->node[(c)->focus[0]].level, (plural), (buf), \
                      sizeof (buf))
#define AREA_WORDS(c, plural, buf) \
    chart_level_words((c)->in, (c)->in->fw->nlevel - 1, (plural), (buf), sizeof (buf))

const char *chart_node_label(const struct fw_node *x, char *buf, size_t len)
{
    if (!x->name || !x->name[0] || strcasecmp(x->name, x->code) == 0)
        snprintf(buf, len, "%s", x->name && x->name[0] ? x->name : x->code);
    else
        snprintf(buf, len, "%s %s", x->code, x->name);
    return buf;
}

/* A node as a title phrase in plain words: "the index" for the root, else
 * its name (a long name makes the title shrink or wrap, never a code), and
 * level and code ("area A1") only for a node without a name. */
static const char *node_phrase(const struct chart_ctx *c, int node, char *buf,
                               size_t len)
{
    const struct fw_node *x = nd(c, node);
    if (node == c->in->fw->root)
        snprintf(buf, len, "the %s", level_word(c, node));
    else if (x->name && x->name[0])
        snprintf(buf, len, "%s", x->name);
    else
        snprintf(buf, len, "%s %s", level_word(c, node), x->code);
    return buf;
}

/* A radar axis name: the node's name (its code when it has none), cut at
 * a word boundary with an ellipsis when longer than max bytes, so that
 * it wraps to at most about three lines at 7 pt in 118 pt (the longest
 * area-of-focus name of the UNESCO framework, 51 characters, takes two). */
static const char *axis_name(const struct chart_ctx *c, int node, char *buf,
                             size_t len, size_t max)
{
    const char *s = chart_node_short(c, node);
    size_t n = strlen(s);
    if (max + 4 > len)
        max = len > 4 ? len - 4 : 0;
    if (n <= max) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    size_t cut = max;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut == 0) {               /* one long word: cut at a character */
        cut = max;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == ',' ||
                       s[cut - 1] == ';' || s[cut - 1] == ':'))
        cut--;
    snprintf(buf, len, "%.*s\xE2\x80\xA6", (int)cut, s);
    return buf;
}

double chart_median(const struct chart_ctx *c, int node, int t)
{
    const struct trends *tr = c->tr;
    if (!tr || !tr->median || t < 0 || (size_t)t >= tr->nyear ||
        node < 0 || (size_t)node >= tr->nnode)
        return NAN;
    return tr->median[(size_t)node * tr->nyear + (size_t)t];
}

/* "72.3", or "–" for a missing value. */
/* The node's target score in year index t (results->target_score: the
 * score of a unit at every target), NaN when there is none. */
static double target_at(const struct chart_ctx *c, int node, int t)
{
    const struct results *r = c->in->res;
    if (!r || !r->target_score || node < 0 || (size_t)node >= r->nnode || t < 0 ||
        (size_t)t >= r->nyear)
        return NAN;
    return r->target_score[(size_t)node * r->nyear + (size_t)t];
}

/* 1 when some area of focus has a target score in some year. */
static int focus_has_target(const struct chart_ctx *c)
{
    for (int f = 0; f < c->nfocus; f++)
        for (size_t t = 0; t < c->in->cube->nyear; t++)
            if (fin(target_at(c, c->focus[f], (int)t)))
                return 1;
    return 0;
}

static const char *num1(char *buf, size_t len, double v)
{
    if (!fin(v))
        snprintf(buf, len, "\xE2\x80\x93");
    else
        snprintf(buf, len, "%.1f", v == 0 ? 0.0 : v);
    return buf;
}

static int level_pct(const struct chart_ctx *c)
{
    double lv = c->in->cfg ? c->in->cfg->ci_level : 0.95;
    return (int)lround(lv * 100);
}

/* 1 when the charts draw and name intervals: results carry them and they
 * have width (with no sampling error they are points, and saying "95%
 * interval" would claim an uncertainty the run does not have). */
static int has_iv(const struct chart_ctx *c) { return c->has_ci && !c->exact; }

/* The sentence that says there is no sampling error. */
#define NO_SAMPLING_ERROR "No sampling error: every observation is exact, so " \
                          "scores have no interval."

/* ---- context ------------------------------------------------------------ */

struct ukey {
    double v;
    size_t u;
    const char *code;
};

static int ukey_cmp(const void *a, const void *b)
{
    const struct ukey *x = a, *y = b;
    int nx = !fin(x->v), ny = !fin(y->v);
    if (nx != ny)
        return nx - ny;               /* missing last */
    if (!nx && x->v != y->v)
        return x->v > y->v ? -1 : 1;  /* best first */
    return strcmp(x->code, y->code);
}

/* Units by score of node in year t, best first, missing last. Returns the
 * number with a score. */
static size_t sort_units(const struct chart_ctx *c, int node, int t, size_t *out)
{
    size_t nu = c->in->cube->nunit, ns = 0;
    struct ukey *k = malloc((nu ? nu : 1) * sizeof *k);
    if (!k) {
        for (size_t u = 0; u < nu; u++)
            out[u] = u;
        return 0;
    }
    for (size_t u = 0; u < nu; u++) {
        k[u].v = t >= 0 ? score_at(c, node, t, u) : NAN;
        k[u].u = u;
        k[u].code = c->in->cube->unit[u];
        ns += fin(k[u].v);
    }
    qsort(k, nu, sizeof *k, ukey_cmp);
    for (size_t u = 0; u < nu; u++)
        out[u] = k[u].u;
    free(k);
    return ns;
}

static void preorder(const struct framework *fw, int node, int *buf, int *n,
                     int minlevel)
{
    const struct fw_node *x = &fw->node[node];
    if (x->type != NODE_AGGREGATE || x->level < minlevel)
        return;
    buf[(*n)++] = node;
    for (int k = 0; k < x->nchild; k++)
        preorder(fw, x->child[k], buf, n, minlevel);
}

/* 1 when some interval is finite and every finite one has zero width (up
 * to 1e-9 of the score's size): nothing had sampling error. */
static int zero_width(const struct results *r)
{
    size_t cells = r->nnode * r->nyear * r->nunit, seen = 0;
    for (size_t i = 0; i < cells; i++) {
        double l = r->ci_low[i], h = r->ci_high[i];
        if (!fin(l) || !fin(h))
            continue;
        double v = fin(r->score[i]) ? fabs(r->score[i]) : 0;
        if (fabs(h - l) > 1e-9 * (1 + v))
            return 0;
        seen++;
    }
    return seen > 0;
}

struct chart_ctx *chart_ctx_new(const struct report_input *in,
                                const struct trends *tr, struct diag *d)
{
    if (!in || !in->fw || !in->cube || !in->res || !in->run ||
        in->res->nnode != (size_t)in->fw->nnode ||
        in->res->nunit != in->cube->nunit || in->res->nyear != in->cube->nyear ||
        in->cube->nyear == 0 || in->fw->nnode < 1) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "charts: results, cube and framework are missing or do not match");
        return NULL;
    }
    if (tr && (tr->nnode != in->res->nnode || tr->nunit != in->res->nunit))
        tr = NULL;
    struct chart_ctx *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    const struct framework *fw = in->fw;
    const struct cube *cb = in->cube;
    c->in = in;
    c->tr = tr;
    c->t = report_eval_year_index(in, NULL);
    c->year = cb->year[c->t];
    c->has_ci = in->res->ci_low && in->res->ci_high;
    c->exact = c->has_ci && zero_width(in->res);
    size_t nn = (size_t)fw->nnode;
    c->focus = malloc(nn * sizeof *c->focus);
    c->top = malloc(nn * sizeof *c->top);
    c->feat = malloc(nn * sizeof *c->feat);
    c->label = calloc(cb->nunit ? cb->nunit : 1, sizeof *c->label);
    c->order = malloc((cb->nunit ? cb->nunit : 1) * sizeof *c->order);
    if (!c->focus || !c->top || !c->feat || !c->label || !c->order)
        goto nomem;

    int fl = fw->nlevel - 2;
    if (fl < 2)
        fl = 2;
    preorder(fw, fw->root, c->top, &c->ntop, fl);
    if (c->ntop == 0)
        c->top[c->ntop++] = fw->root;
    for (int k = 0; k < c->ntop; k++)
        if (fw->node[c->top[k]].level == fl)
            c->focus[c->nfocus++] = c->top[k];
    if (c->nfocus == 0)
        c->focus[c->nfocus++] = fw->root;
    /* key features: aggregates whose children are all indicators, tree order */
    int *all = malloc(nn * sizeof *all), nall = 0;
    if (!all)
        goto nomem;
    preorder(fw, fw->root, all, &nall, 0);
    for (int k = 0; k < nall; k++) {
        const struct fw_node *x = &fw->node[all[k]];
        int ok = x->nchild > 0;
        for (int j = 0; j < x->nchild && ok; j++)
            ok = fw->node[x->child[j]].type == NODE_INDICATOR;
        if (ok)
            c->feat[c->nfeat++] = all[k];
    }
    free(all);

    int zh = cube_attr_index(cb, "name_zh");
    for (size_t u = 0; u < cb->nunit; u++) {
        const char *nm = cb->unit_name && cb->unit_name[u] && cb->unit_name[u][0]
                             ? cb->unit_name[u] : cb->unit[u];
        const char *z = zh >= 0 ? cb->attr[u * cb->nattr + (size_t)zh] : "";
        if (z && z[0] && strcmp(z, nm) != 0)
            c->label[u] = xfmt("%s %s", nm, z);
        else
            c->label[u] = xstrdup(nm);
        if (!c->label[u])
            goto nomem;
    }
    c->nscored = sort_units(c, fw->root, c->t, c->order);

    const struct run_info *run = in->run;
    c->footer = xfmt("Source: %s. Run %s, lcme %s, %s.",
                     in->cfg && in->cfg->name ? in->cfg->name : "lcme batch",
                     run->id, run->version ? run->version : LCME_VERSION,
                     run->created ? run->created : "");
    if (!c->footer)
        goto nomem;
    return c;
nomem:
    chart_ctx_free(c);
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
    return NULL;
}

void chart_ctx_free(struct chart_ctx *c)
{
    if (!c)
        return;
    if (c->label)
        for (size_t u = 0; u < c->in->cube->nunit; u++)
            free(c->label[u]);
    free(c->label);
    free(c->focus);
    free(c->top);
    free(c->feat);
    free(c->order);
    free(c->footer);
    free(c);
}

/* ---- list --------------------------------------------------------------- */

void chart_list_init(struct chart_list *l) { memset(l, 0, sizeof *l); }

void chart_list_free(struct chart_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].stem);
        free(l->v[i].title);
        free(l->v[i].subtitle);
        free(l->v[i].alt);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

static struct chart_item *list_add(struct chart_list *l, enum chart_kind k,
                                   int node, long unit)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 64;
        struct chart_item *v = realloc(l->v, na * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->alloc = na;
    }
    struct chart_item *it = &l->v[l->n++];
    memset(it, 0, sizeof *it);
    it->kind = k;
    it->node = node;
    it->unit = unit;
    it->page = it->npage = 1;
    return it;
}

/* stem = prefix-slug(text), made unique within l (strmap-free: the list is
 * at most a few thousand items and this runs once per chart). */
static char *unique_stem(const struct chart_list *l, size_t upto,
                         const char *prefix, const char *text)
{
    char slug[128], buf[200];
    if (text)
        path_slug(text, slug, sizeof slug);
    if (text)
        snprintf(buf, sizeof buf, "%s-%s", prefix, slug);
    else
        snprintf(buf, sizeof buf, "%s", prefix);
    char try[220];
    snprintf(try, sizeof try, "%s", buf);
    for (int k = 2;; k++) {
        int clash = 0;
        for (size_t i = 0; i < upto && !clash; i++)
            clash = l->v[i].stem && strcmp(l->v[i].stem, try) == 0;
        if (!clash)
            break;
        snprintf(try, sizeof try, "%s-%d", buf, k);
    }
    return xstrdup(try);
}

/* ---- planning: titles, alt text, sizes ----------------------------------- */

static size_t dot_rows(const struct chart_ctx *c, size_t nscored, int *split)
{
    size_t nu = c->in->cube->nunit;
    *split = nscored > CHART_DOT_ALL;
    if (*split)
        return 2 * CHART_DOT_EDGE + 2;   /* the band takes two rows */
    return nu;                           /* every unit, missing ones last */
}

static int plan_dot(const struct chart_ctx *c, struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord)
        return -1;
    size_t ns = sort_units(c, it->node, c->t, ord);
    const struct fw_node *x = nd(c, it->node);
    char a[32], b[32];
    if (ns == 0) {
        it->title = xfmt("No unit has a %s score in %d", chart_node_short(c, it->node),
                         c->year);
        it->alt = xfmt("Dot plot of %s (%s) scores in %d: no unit has a score.",
                       chart_node_short(c, it->node), x->code, c->year);
    } else {
        size_t top = ord[0], bot = ord[ns - 1];
        int tie = ns > 1 && score_at(c, it->node, c->t, ord[1]) ==
                                score_at(c, it->node, c->t, top);
        char ph[160];
        node_phrase(c, it->node, ph, sizeof ph);
        it->title = tie ? xfmt("%s and %s share the lead in %s in %d",
                               unit_title(c, top), unit_title(c, ord[1]), ph,
                               c->year)
                        : xfmt("%s leads %s in %d", unit_title(c, top), ph,
                               c->year);
        it->alt = xfmt("Dot plot of %s (%s) scores in %d for %zu units, sorted "
                       "from %s (%s) to %s (%s)%s.",
                       chart_node_short(c, it->node), x->code, c->year, ns,
                       c->label[top],
                       num1(a, sizeof a, score_at(c, it->node, c->t, top)),
                       c->label[bot],
                       num1(b, sizeof b, score_at(c, it->node, c->t, bot)),
                       has_iv(c) ? ", with interval whiskers and the network median"
                       : c->exact ? ", with the network median; there is no "
                                    "sampling error, so no intervals"
                                  : ", without intervals");
    }
    it->subtitle = xfmt("%s %s: score in %d%s, units sorted by score.", x->code,
                        x->name && x->name[0] ? x->name : "", c->year,
                        has_iv(c) ? " with its interval"
                        : c->exact ? " (exact: no sampling error)" : "");
    int split;
    size_t rows = dot_rows(c, ns, &split);
    it->width = CHART_W;
    it->height = CHART_HEAD + 14 + 14 + (double)rows * DOT_PITCH + 34 + CHART_FOOT;
    free(ord);
    return 0;
}

static int plan_heatmap(const struct chart_ctx *c, struct chart_item *it)
{
    size_t nu = c->in->cube->nunit;
    size_t first = (size_t)(it->page - 1) * CHART_HEAT_ROWS;
    size_t last = first + CHART_HEAT_ROWS;
    if (last > nu)
        last = nu;
    /* the unit with the highest score in the most key features */
    int *wins = calloc(nu ? nu : 1, sizeof *wins);
    if (!wins)
        return -1;
    for (int f = 0; f < c->nfeat; f++) {
        long best = -1;
        double bv = -INFINITY;
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, c->feat[f], c->t, u);
            if (fin(v) && v > bv) {
                bv = v;
                best = (long)u;
            }
        }
        if (best >= 0)
            wins[best]++;
    }
    size_t bu = 0;
    for (size_t u = 1; u < nu; u++)
        if (wins[u] > wins[bu])
            bu = u;
    if (c->nfeat > 0 && wins[bu] > 0)
        it->title = xfmt("%s tops %d of %d key features in %d", unit_title(c, bu),
                         wins[bu], c->nfeat, c->year);
    else
        it->title = xfmt("Key feature scores in %d", c->year);
    free(wins);
    it->subtitle = xfmt("Score of each unit (rows, in index order%s) on each key "
                        "feature (columns) in %d; darker is lower, yellow is higher."
                        "%s",
                        it->npage > 1 ? "" : "", c->year,
                        it->npage > 1 ? " Units split over several pages." : "");
    it->alt = xfmt("Heatmap of %d key-feature scores in %d for units ranked %zu to "
                   "%zu of %zu by the index, on a viridis colour scale with the "
                   "value printed in each cell%s.",
                   c->nfeat, c->year, first + 1, last, nu,
                   it->npage > 1 ? "" : "");
    it->width = 12 + 150 + (double)c->nfeat * 18 + 80;
    if (it->width < 520)
        it->width = 520;
    it->height = CHART_HEAD + 60 + (double)(last - first) * 12 + 10 + CHART_FOOT;
    return 0;
}

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

static int plan_progress(const struct chart_ctx *c, struct chart_item *it)
{
    const struct cube *cb = c->in->cube;
    struct prog_count pc;
    prog_count(c, c->in->fw->root, &pc);
    size_t assessed = pc.target + pc.bands, good = pc.target_good + pc.bands_good;
    int base = c->in->cfg && c->in->cfg->base_year ? c->in->cfg->base_year
                                                   : cb->year[0];
    char of[64], idx[96];
    node_phrase(c, c->in->fw->root, idx, sizeof idx);
    if (assessed == pc.nu)
        snprintf(of, sizeof of, "%zu of %zu units", good, pc.nu);
    else
        snprintf(of, sizeof of, "%zu of %zu assessed units", good, assessed);
    int too_short = assessed == 0 && pc.unavailable == pc.nu;
    if (too_short && cb->nyear < 3)
        it->title = xfmt("Progress cannot be judged yet: trends need at least 3 "
                         "years of scores, and this run has %zu", cb->nyear);
    else if (too_short)
        it->title = xfmt("Progress cannot be judged yet: no unit has 3 years of "
                         "scores");
    else if (assessed == 0)
        it->title = xfmt("Progress could not be assessed for %s", idx);
    else if (pc.bands == 0)
        it->title = xfmt("%s %s on track or better towards the target for %s",
                         of, good == 1 ? "is" : "are", idx);
    else if (pc.target == 0)
        it->title = xfmt("%s made at least moderate progress overall", of);
    else
        it->title = xfmt("%s %s on track or made at least moderate progress "
                         "overall", of, good == 1 ? "is" : "are");

    /* what the classes mean, and who was left out */
    char how[320], left[200], tv[32], aw[64], fw[64];
    if (too_short)
        snprintf(how, sizeof how, "Every unit is \"trend unavailable\" for the "
                 "index, the %s and the %s.", AREA_WORDS(c, 1, aw), FOCUS_WORDS(c, 1, fw));
    else if (assessed == 0)
        snprintf(how, sizeof how, "Every unit is \"trend unavailable\" or \"not "
                 "assessed\" for the index (reasons in trends.csv).");
    else if (pc.bands == 0 && fin(pc.tscore))
        snprintf(how, sizeof how, "The index is judged against its target score, "
                 "%s (every indicator at its target), due in %d.",
                 num1(tv, sizeof tv, pc.tscore),
                 c->in->cfg ? c->in->cfg->target_year : c->year);
    else if (pc.bands == 0)
        snprintf(how, sizeof how, "The index is judged against its target score "
                 "(a unit at every target).");
    else if (pc.target == 0)
        snprintf(how, sizeof how, "The index has no target score: classes by its "
                 "yearly growth (substantial 1.5%% or more, moderate 0.5%% to "
                 "1.5%%).");
    else
        snprintf(how, sizeof how, "%zu units are judged against the index's target "
                 "score, %zu by its yearly growth.", pc.target, pc.bands);
    left[0] = 0;
    if (assessed > 0 && pc.unavailable > 0)
        snprintf(left, sizeof left, " %zu unit%s had fewer than 3 years of scores "
                 "(trend unavailable).", pc.unavailable, pc.unavailable == 1 ? "" : "s");
    if (assessed > 0 && pc.not_assessed > 0) {
        size_t k = strlen(left);
        snprintf(left + k, sizeof left - k, " %zu unit%s could not be assessed.",
                 pc.not_assessed, pc.not_assessed == 1 ? "" : "s");
    }
    if (too_short && cb->nyear < 3) {
        char yrs[48];
        if (cb->nyear == 1)
            snprintf(yrs, sizeof yrs, "%d", cb->year[0]);
        else
            snprintf(yrs, sizeof yrs, "%d to %d", cb->year[0], cb->year[cb->nyear - 1]);
        it->subtitle = xfmt("%s The run has %zu year%s of scores (%s); progress "
                            "classes need 3 or more.", how, cb->nyear,
                            cb->nyear == 1 ? "" : "s", yrs);
    } else {
        it->subtitle = xfmt("Units per progress class since %d for the index, "
                            "%s and %s. %s%s", base, AREA_WORDS(c, 1, aw),
                            FOCUS_WORDS(c, 1, fw), how, left);
    }
    if (assessed == 0)
        it->alt = xfmt("Stacked bars counting the units in each progress class for "
                       "%d nodes; no unit could be assessed (%zu with trends "
                       "unavailable, %zu not assessed).",
                       c->ntop, pc.unavailable, pc.not_assessed);
    else
        it->alt = xfmt("Stacked bars counting the units in each progress class for "
                       "%d nodes; for the index, %zu of %zu assessed units %s%s "
                       "(%zu of %zu units assessed).",
                       c->ntop, good, assessed,
                       pc.target == 0 ? "" : good == 1 ? "is " : "are ",
                       pc.bands == 0 ? "on track or better towards the target"
                       : pc.target == 0 ? "made at least moderate progress"
                                        : "on track or made at least moderate "
                                          "progress",
                       assessed, pc.nu);
    it->width = CHART_W;
    it->height = CHART_HEAD + 40 + (double)c->ntop * 18 + 30 + CHART_FOOT;
    return 0;
}

static void trend_size(const struct chart_ctx *c, struct chart_item *it)
{
    int cols = c->nfocus < 4 ? c->nfocus : 4;
    int rows = (c->nfocus + cols - 1) / cols;
    it->width = CHART_W;
    it->height = CHART_HEAD + 18 + rows * 140.0 + CHART_FOOT;
}

static int plan_trend_median(const struct chart_ctx *c, struct chart_item *it)
{
    const struct cube *cb = c->in->cube;
    int base = c->in->cfg ? c->in->cfg->base_year : cb->year[0];
    int tb = cube_year_index(cb, base);
    if (tb < 0)
        tb = 0;
    int rose = 0, known = 0;
    for (int f = 0; f < c->nfocus; f++) {
        double m0 = chart_median(c, c->focus[f], tb), m1 = chart_median(c, c->focus[f], c->t);
        if (fin(m0) && fin(m1)) {
            known++;
            rose += m1 > m0;
        }
    }
    char f1[64], fn[64];
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    it->title = known ? xfmt("Network median rose in %d of %d %s since %d",
                             rose, known, fn, cb->year[tb])
                      : xfmt("Network median by %s", f1);
    int tg = focus_has_target(c);
    it->subtitle = xfmt("Median score across units (black) in each %s, "
                        "%d to %d; each unit's series in grey%s.", f1,
                        cb->year[0], cb->year[cb->nyear - 1],
                        tg ? "; dashed: the score of a unit at every target" : "");
    it->alt = xfmt("Small multiples of the network median score in %d %s "
                   "from %d to %d, drawn over every unit's series in grey%s.",
                   c->nfocus, fn, cb->year[0], cb->year[cb->nyear - 1],
                   tg ? ", with the target score as a dashed line" : "");
    trend_size(c, it);
    return 0;
}

static int plan_trend(const struct chart_ctx *c, struct chart_item *it)
{
    const struct cube *cb = c->in->cube;
    size_t u = (size_t)it->unit;
    int up = 0, known = 0;
    for (int f = 0; f < c->nfocus; f++) {
        double ch = c->tr->change_since_base[TREND_AT(c->tr, c->focus[f], u)];
        if (fin(ch)) {
            known++;
            up += ch > 0;
        }
    }
    int base = c->in->cfg ? c->in->cfg->base_year : cb->year[0];
    char f1[64], fn[64];
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    it->title = known ? xfmt("%s gained in %d of %d %s since %d",
                             unit_title(c, u), up, known, fn, base)
                      : xfmt("%s: too few years for trends", unit_title(c, u));
    int tg = focus_has_target(c);
    it->subtitle = xfmt("%s: score in each %s, %d to %d%s, with the "
                        "OLS trend, the network median%s.",
                        c->label[u], f1, cb->year[0], cb->year[cb->nyear - 1],
                        has_iv(c) ? ", interval shaded" : "",
                        tg ? " and the target score (a unit at every target)" : "");
    it->alt = xfmt("Small multiples of %s's scores in %d %s from %d to "
                   "%d%s, with OLS trend lines, the network median%s; scores rose "
                   "since the base year in %d of %d %s.",
                   c->label[u], c->nfocus, fn, cb->year[0], cb->year[cb->nyear - 1],
                   has_iv(c) ? " with interval bands" : "",
                   tg ? " and the target score as a dashed line" : "", up, known, fn);
    trend_size(c, it);
    return 0;
}

/* Focus areas of unit u by score in year t, best first; returns the count
 * with a score. */
static int sort_focus(const struct chart_ctx *c, size_t u, int *out)
{
    int n = 0;
    for (int f = 0; f < c->nfocus; f++)
        if (fin(score_at(c, c->focus[f], c->t, u)))
            out[n++] = c->focus[f];
    /* insertion sort: nfocus is small (12 in the UNESCO framework) */
    for (int i = 1; i < n; i++) {
        int k = out[i], j = i;
        double v = score_at(c, k, c->t, u);
        while (j > 0 && score_at(c, out[j - 1], c->t, u) < v) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = k;
    }
    int m = n;
    for (int f = 0; f < c->nfocus; f++)
        if (!fin(score_at(c, c->focus[f], c->t, u)))
            out[m++] = c->focus[f];
    return n;
}

static int plan_profile(const struct chart_ctx *c, struct chart_item *it, int radar)
{
    size_t u = (size_t)it->unit;
    int *ord = malloc((size_t)c->nfocus * sizeof *ord);
    if (!ord)
        return -1;
    int n = sort_focus(c, u, ord);
    char a[32], b[32], f1[64], fn[64];
    FOCUS_WORDS(c, 0, f1);
    FOCUS_WORDS(c, 1, fn);
    if (n == 0) {
        it->title = xfmt("%s has no %s scores in %d", unit_title(c, u), f1, c->year);
        it->alt = xfmt("%s of %s in %d: no %s has a score.",
                       radar ? "Radar chart" : "Dot plot", c->label[u], c->year, f1);
    } else {
        char ph[160];
        node_phrase(c, ord[0], ph, sizeof ph);
        it->title = radar ? xfmt("%s is strongest in %s", unit_title(c, u), ph)
                          : xfmt("%s scores highest in %s", unit_title(c, u), ph);
        char iv[96];
        if (has_iv(c))
            snprintf(iv, sizeof iv, ", each score with its %d%% interval%s", level_pct(c),
                     radar ? " (a whisker along its axis over a shaded band)" : "");
        else if (c->exact)
            snprintf(iv, sizeof iv, "; no sampling error, so no intervals");
        else
            snprintf(iv, sizeof iv, "; intervals were not computed");
        it->alt = xfmt("%s of %s's scores in %d %s in %d%s%s, highest "
                       "%s (%s), lowest %s (%s), with the network median.",
                       radar ? "Radar chart" : "Dot plot", c->label[u], n, fn, c->year,
                       radar ? ", axes in framework order" : ", sorted by score", iv,
                       chart_node_short(c, ord[0]),
                       num1(a, sizeof a, score_at(c, ord[0], c->t, u)),
                       chart_node_short(c, ord[n - 1]),
                       num1(b, sizeof b, score_at(c, ord[n - 1], c->t, u)));
    }
    it->subtitle = radar
        ? xfmt("%s: score in each %s in %d (blue%s)%s, network median "
               "dashed; axes in framework order.", c->label[u], f1, c->year,
               c->exact ? "; exact: no sampling error" : "",
               has_iv(c) ? ", its interval as a whisker over a shaded band" : "")
        : xfmt("%s: score in each %s in %d%s, sorted; network median "
               "marked.", c->label[u], f1, c->year,
               has_iv(c) ? " with its interval"
               : c->exact ? " (exact: no sampling error)" : "");
    it->width = CHART_W;
    it->height = radar ? CHART_HEAD + 400 + CHART_FOOT
                       : CHART_HEAD + 14 + 14 + c->nfocus * 16.0 + 34 + CHART_FOOT;
    free(ord);
    return 0;
}

int chart_list_build(const struct chart_ctx *c, struct chart_list *out,
                     struct diag *d)
{
    const struct framework *fw = c->in->fw;
    const struct cube *cb = c->in->cube;
    struct chart_item *it;
    int rc = 0;
#define ADD(kind, node, unit, prefix, text)                                 \
    do {                                                                    \
        if (!(it = list_add(out, kind, node, unit)))                        \
            goto nomem;                                                     \
        if (!(it->stem = unique_stem(out, out->n - 1, prefix, text)))       \
            goto nomem;                                                     \
    } while (0)
    for (int k = 0; k < c->ntop; k++) {
        ADD(CHART_DOT, c->top[k], -1, "dot", fw->node[c->top[k]].code);
        rc |= plan_dot(c, it);
    }
    if (c->nfeat > 0) {
        int np = (int)((cb->nunit + CHART_HEAT_ROWS - 1) / CHART_HEAT_ROWS);
        if (np < 1)
            np = 1;
        for (int p = 1; p <= np; p++) {
            char num[16];
            snprintf(num, sizeof num, "%d", p);
            ADD(CHART_HEATMAP, -1, -1, "heatmap", np > 1 ? num : NULL);
            it->page = p;
            it->npage = np;
            rc |= plan_heatmap(c, it);
        }
    }
    if (c->tr) {
        ADD(CHART_PROGRESS, -1, -1, "progress", NULL);
        rc |= plan_progress(c, it);
        ADD(CHART_TREND_MEDIAN, -1, -1, "trend-median", NULL);
        rc |= plan_trend_median(c, it);
    }
    for (size_t u = 0; u < cb->nunit; u++) {
        size_t un = c->order[u];   /* in index order: reads well in a folder too */
        if (c->tr) {
            ADD(CHART_TREND, -1, (long)un, "trend", cb->unit[un]);
            rc |= plan_trend(c, it);
        }
        ADD(CHART_PROFILE, -1, (long)un, "profile", cb->unit[un]);
        rc |= plan_profile(c, it, 0);
        ADD(CHART_RADAR, -1, (long)un, "radar", cb->unit[un]);
        rc |= plan_profile(c, it, 1);
    }
#undef ADD
    for (size_t i = 0; i < out->n; i++)
        if (!out->v[i].title || !out->v[i].subtitle || !out->v[i].alt)
            rc = -1;
    if (rc == 0)
        return 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
    return -1;
}

/* ---- drawing: frame ----------------------------------------------------- */

static const struct chart_font F_TITLE = {13, 1, 0x111111, CHART_LEFT, 0, 0};

static void frame(struct chart_pen *p, const struct chart_ctx *c,
                  const struct chart_item *it, const char *note)
{
    cairo_t *cr = chart_pen_cr(p);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, it->width, it->height);
    chart_rgb(cr, 0xFFFFFF);
    cairo_fill(cr);
    cairo_restore(cr);
    /* the title is never cut: it shrinks to fit one line (13 to 10 pt) and
     * wraps at 10 pt when it still does not fit */
    struct chart_font f = F_TITLE;
    double avail = it->width - 24, tw;
    while (f.size > 10 && (chart_text(p, it->title, &f, 0, 0, 0, &tw), tw > avail))
        f.size -= 1;
    f.width = avail;
    f.wrap = 1;
    double h = chart_text(p, it->title, &f, 12, 10, 1, NULL);
    /* the subtitle shrinks (8.5 to 7 pt) when a wrapped title would push it
     * into the legend line at CHART_HEAD */
    struct chart_font s = {8.5, 0, 0x444444, CHART_LEFT, it->width - 24, 1};
    while (s.size > 7 &&
           10 + h + 2 + chart_text(p, it->subtitle, &s, 0, 0, 0, NULL) > CHART_HEAD - 3)
        s.size -= 0.5;
    chart_text(p, it->subtitle, &s, 12, 10 + h + 2, 1, NULL);
    struct chart_font ft = {6.5, 0, 0x666666, CHART_LEFT, it->width - 24, 1};
    char *txt = xfmt("%s%s%s", c->footer, note && note[0] ? " " : "", note ? note : "");
    chart_text(p, txt ? txt : c->footer, &ft, 12, it->height - CHART_FOOT + 8, 1, NULL);
    free(txt);
}

static const char *ci_note(const struct chart_ctx *c, char *buf, size_t len)
{
    if (c->exact)
        snprintf(buf, len, "%s", NO_SAMPLING_ERROR);
    else if (c->has_ci)
        snprintf(buf, len, "Intervals: %d%% Monte Carlo over sampling error "
                 "(%ld replications).", level_pct(c), c->in->run->replications);
    else
        snprintf(buf, len, "Intervals were not computed for this run.");
    return buf;
}

/* x axis: grid lines, tick labels below at y, axis title under them. */
static void x_axis(struct chart_pen *p, const struct chart_scale *sx,
                   const struct chart_ticks *tk, double ytop, double ybot,
                   const char *title)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7, 0, 0x444444, CHART_CENTER, 0, 0};
    cairo_set_line_width(cr, 0.4);
    for (int i = 0; i < tk->n; i++) {
        double v = chart_tick_value(tk, i), x = chart_scale_map(sx, v);
        chart_rgb(cr, 0xE4E4E4);
        cairo_move_to(cr, x, ytop);
        cairo_line_to(cr, x, ybot);
        cairo_stroke(cr);
        char b[32];
        snprintf(b, sizeof b, "%.*f", tk->decimals, v);
        chart_text(p, b, &f, x, ybot + 2, 1, NULL);
    }
    chart_text(p, title, &f, (sx->r0 + sx->r1) / 2, ybot + 13, 1, NULL);
}

/* ---- dot plot ----------------------------------------------------------- */

/* Marker by the interval's position against the median: above, below, or
 * overlapping (or unknown). */
static enum chart_shape vs_median(double lo, double hi, double med, uint32_t *col)
{
    if (fin(lo) && fin(hi) && fin(med)) {
        if (lo > med) {
            *col = GREEN;
            return CHART_TRI_UP;
        }
        if (hi < med) {
            *col = VERM;
            return CHART_TRI_DOWN;
        }
    }
    *col = BLUE;
    return CHART_CIRCLE;
}

/* One row of a dot plot at height y: the interval [l, h] as a whisker, the
 * score v as a marker of radius r whose shape and colour say where the
 * interval lies against the median med, and v printed to the right; "no
 * score" when v is missing. Used by the node dot plots and the unit profiles,
 * which both draw the median as a vertical mark through the row: a value
 * that would cross it is printed left of the marker instead (when it fits
 * right of x0). */
static void dot_row(struct chart_pen *p, const struct chart_scale *sx,
                    const struct chart_font *fv, double x0, double y, double v,
                    double l, double h, double med, double r)
{
    cairo_t *cr = chart_pen_cr(p);
    char b[32];
    if (!fin(v)) {
        chart_text(p, "no score", fv, x0 + 2, y - 4.5, 1, NULL);
        return;
    }
    double xv = chart_scale_map(sx, v), xr = xv;
    if (fin(l) && fin(h)) {
        double xl = chart_scale_map(sx, l), xh = chart_scale_map(sx, h);
        cairo_set_line_width(cr, 0.9);
        chart_rgb(cr, 0x555555);
        cairo_move_to(cr, xl, y);
        cairo_line_to(cr, xh, y);
        cairo_move_to(cr, xl, y - 2.5);
        cairo_line_to(cr, xl, y + 2.5);
        cairo_move_to(cr, xh, y - 2.5);
        cairo_line_to(cr, xh, y + 2.5);
        cairo_stroke(cr);
        xr = xh;
    }
    uint32_t col;
    enum chart_shape sh = vs_median(l, h, med, &col);
    chart_marker(cr, sh, xv, y, r, col);
    num1(b, sizeof b, v);
    double tw, xt = xr + 5;
    chart_text(p, b, fv, 0, 0, 0, &tw);
    struct chart_font f = *fv;
    if (fin(med)) {
        double xm = chart_scale_map(sx, med);
        double xl = fmin(fin(l) && fin(h) ? chart_scale_map(sx, l) : xv, xv - r) - 4;
        if (xm >= xt - 2.5 && xm <= xt + tw + 2.5 && xl - tw >= x0) {
            f.align = CHART_RIGHT;
            xt = xl;
        }
    }
    chart_text(p, b, &f, xt, y - 4.5, 1, NULL);
}


static void median_legend(struct chart_pen *p, const struct chart_ctx *c,
                          double x, double y, int with_shapes)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    if (with_shapes && c->has_ci) {
        /* exact scores: the shapes compare the score itself with the median */
        chart_marker(cr, CHART_TRI_UP, x + 4, y + 5, 3.2, GREEN);
        chart_text(p, c->exact ? "above median" : "interval above median", &f,
                   x + 10, y, 1, &w);
        x += w + 22;
        chart_marker(cr, CHART_CIRCLE, x + 4, y + 5, 3, BLUE);
        chart_text(p, c->exact ? "at median" : "overlaps median", &f, x + 10, y,
                   1, &w);
        x += w + 22;
        chart_marker(cr, CHART_TRI_DOWN, x + 4, y + 5, 3.2, VERM);
        chart_text(p, "below median", &f, x + 10, y, 1, &w);
        x += w + 22;
    } else {
        chart_marker(cr, CHART_CIRCLE, x + 4, y + 5, 3, BLUE);
        chart_text(p, "score", &f, x + 10, y, 1, &w);
        x += w + 22;
    }
    cairo_set_line_width(cr, 1);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    legend_line(cr, x, y);
    cairo_set_dash(cr, NULL, 0, 0);
    chart_text(p, "network median", &f, x + 18, y, 1, NULL);
}

static void draw_dot(struct chart_pen *p, const struct chart_ctx *c,
                     const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t nu = c->in->cube->nunit;
    size_t *ord = malloc((nu ? nu : 1) * sizeof *ord);
    if (!ord)
        return;
    int node = it->node, t = c->t;
    size_t ns = sort_units(c, node, t, ord);
    double med = chart_median(c, node, t);
    char note[160], extra[360];
    ci_note(c, note, sizeof note);
    int split;
    size_t rows = dot_rows(c, ns, &split);
    if (split)
        snprintf(extra, sizeof extra, "%s Showing the top and bottom %d of %zu "
                 "units with a score%s.", note, CHART_DOT_EDGE, ns,
                 nu > ns ? "; units without a score are left out" : "");
    else
        snprintf(extra, sizeof extra, "%s", note);
    frame(p, c, it, extra);
    median_legend(p, c, 12, CHART_HEAD, 1);

    /* domain over what is drawn */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < ns; k++) {
        size_t u = ord[k];
        double v[3] = {score_at(c, node, t, u), lo_at(c, node, t, u), hi_at(c, node, t, u)};
        widen(&lo, &hi, v, 3);
    }
    widen(&lo, &hi, &med, 1);
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 6, &tk);
    double x0 = 172, x1 = it->width - 46;
    double y0 = CHART_HEAD + 28, y1 = y0 + (double)rows * DOT_PITCH;
    struct chart_scale sx = {tk.lo, tk.hi, x0, x1};
    for (size_t r = 0; r < rows; r += 2) {
        cairo_rectangle(cr, 12, y0 + (double)r * DOT_PITCH, x1 - 12, DOT_PITCH);
        chart_rgba(cr, 0xF3F3F3, 1);
        cairo_fill(cr);
    }
    x_axis(p, &sx, &tk, y0 - 4, y1 + 2, "Score (normalised; higher is better)");

    struct chart_font fl = {7.5, 0, INK, CHART_RIGHT, 156, 0};
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    char b[32];
    for (size_t r = 0; r < rows; r++) {
        size_t k;
        double y = y0 + ((double)r + 0.5) * DOT_PITCH;
        if (split) {
            if (r == CHART_DOT_EDGE) {   /* the band: two rows */
                cairo_rectangle(cr, x0, y - DOT_PITCH / 2 + 1, x1 - x0, 2 * DOT_PITCH - 2);
                chart_rgba(cr, 0xEEEEEE, 1);
                cairo_fill(cr);
                char band[160];
                snprintf(band, sizeof band, "\xE2\x80\xA6 %zu units ranked %d to %zu "
                         "not shown (median %s) \xE2\x80\xA6",
                         ns - 2 * CHART_DOT_EDGE, CHART_DOT_EDGE + 1,
                         ns - CHART_DOT_EDGE, num1(b, sizeof b, med));
                struct chart_font fb = {7.5, 0, 0x444444, CHART_CENTER, 0, 0};
                chart_text_mid(p, band, &fb, (x0 + x1) / 2, y + DOT_PITCH / 2);
                continue;
            }
            if (r == CHART_DOT_EDGE + 1)
                continue;
            k = r < CHART_DOT_EDGE ? r : ns - (rows - r);
        } else {
            k = r;
        }
        size_t u = ord[k];
        double v = score_at(c, node, t, u);
        double l = lo_at(c, node, t, u), h = hi_at(c, node, t, u);
        chart_text_mid(p, c->label[u], &fl, 164, y);
        dot_row(p, &sx, &fv, x0, y, v, l, h, med, 3);
    }
    if (fin(med)) {
        double xm = chart_scale_map(&sx, med);
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, GREY);
        double dash[] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, xm, y0 - 4);
        cairo_line_to(cr, xm, y1);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        char m[48];
        snprintf(m, sizeof m, "median %s", num1(b, sizeof b, med));
        struct chart_font fm = {6.5, 0, 0x555555, CHART_CENTER, 0, 0};
        chart_text(p, m, &fm, xm, y0 - 13, 1, NULL);
    }
    free(ord);
}

/* ---- heatmap ------------------------------------------------------------ */

static void draw_heatmap(struct chart_pen *p, const struct chart_ctx *c,
                         const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t nu = c->in->cube->nunit;
    size_t first = (size_t)(it->page - 1) * CHART_HEAT_ROWS;
    size_t last = first + CHART_HEAT_ROWS < nu ? first + CHART_HEAT_ROWS : nu;
    char note[200];
    snprintf(note, sizeof note, "Page %d of %d. Grey hatched cells: no score.",
             it->page, it->npage);
    frame(p, c, it, note);
    /* one colour scale for every page: nice ticks over all key features */
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfeat; f++)
        for (size_t u = 0; u < nu; u++) {
            double v = score_at(c, c->feat[f], c->t, u);
            widen(&lo, &hi, &v, 1);
        }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 5, &tk);
    double cw = 18, ch = 12, x0 = 162, y0 = CHART_HEAD + 52;
    struct chart_font fc = {6.5, 0, INK, CHART_LEFT, 0, 0};
    for (int f = 0; f < c->nfeat; f++)
        chart_text_up(p, nd(c, c->feat[f])->code, &fc, x0 + f * cw + cw / 2 + 4, y0 - 3);
    struct chart_font fl = {7, 0, INK, CHART_RIGHT, 146, 0};
    struct chart_font fv = {6, 0, 0, CHART_CENTER, 0, 0};
    char b[32];
    for (size_t r = first; r < last; r++) {
        size_t u = c->order[r];
        double y = y0 + (double)(r - first) * ch;
        chart_text_mid(p, c->label[u], &fl, x0 - 4, y + ch / 2);
        for (int f = 0; f < c->nfeat; f++) {
            double v = score_at(c, c->feat[f], c->t, u), x = x0 + f * cw;
            cairo_rectangle(cr, x, y, cw, ch);
            if (!fin(v)) {
                chart_rgb(cr, 0xEEEEEE);
                cairo_fill(cr);
                cairo_save(cr);
                cairo_rectangle(cr, x, y, cw, ch);
                cairo_clip(cr);
                chart_rgb(cr, 0xAAAAAA);
                cairo_set_line_width(cr, 0.5);
                for (double k = -ch; k < cw; k += 4) {
                    cairo_move_to(cr, x + k, y + ch);
                    cairo_line_to(cr, x + k + ch, y);
                }
                cairo_stroke(cr);
                cairo_restore(cr);
                continue;
            }
            double z = (v - tk.lo) / (tk.hi - tk.lo);
            uint32_t col = chart_viridis(z);
            chart_rgb(cr, col);
            cairo_fill(cr);
            fv.rgb = chart_text_on(col);
            snprintf(b, sizeof b, "%.0f", v == 0 ? 0.0 : v);
            chart_text_mid(p, b, &fv, x + cw / 2, y + ch / 2);
        }
    }
    /* white grid between cells */
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xFFFFFF);
    for (int f = 0; f <= c->nfeat; f++) {
        cairo_move_to(cr, x0 + f * cw, y0);
        cairo_line_to(cr, x0 + f * cw, y0 + (double)(last - first) * ch);
    }
    for (size_t r = first; r <= last; r++) {
        cairo_move_to(cr, x0, y0 + (double)(r - first) * ch);
        cairo_line_to(cr, x0 + c->nfeat * cw, y0 + (double)(r - first) * ch);
    }
    cairo_stroke(cr);
    /* legend: vertical colour bar with ticks */
    double lx = x0 + c->nfeat * cw + 16, ly = y0, lh = 120;
    if (lh > (double)(last - first) * ch + 40)
        lh = (double)(last - first) * ch + 40;
    for (int k = 0; k < 60; k++) {
        cairo_rectangle(cr, lx, ly + lh - (k + 1) * lh / 60, 10, lh / 60 + 0.3);
        chart_rgb(cr, chart_viridis((k + 0.5) / 60));
        cairo_fill(cr);
    }
    struct chart_font ft = {6.5, 0, INK, CHART_LEFT, 0, 0};
    for (int i = 0; i < tk.n; i++) {
        double v = chart_tick_value(&tk, i);
        double y = ly + lh - (v - tk.lo) / (tk.hi - tk.lo) * lh;
        snprintf(b, sizeof b, "%.*f", tk.decimals, v);
        chart_text(p, b, &ft, lx + 13, y - 4, 1, NULL);
    }
    chart_text(p, "Score", &ft, lx, ly - 12, 1, NULL);
}

/* ---- progress ------------------------------------------------------------ */

/* Bar order (left to right) and colours: good news in blue-green, bad in
 * vermillion, not assessed in greys. Classes with a target and without one
 * share colours by rank; the legend names every class drawn. */
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

static void draw_progress(struct chart_pen *p, const struct chart_ctx *c,
                          const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t nu = c->in->cube->nunit;
    frame(p, c, it, "Classes as in trends.csv; thresholds in the Notes sheet and the "
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
    /* legend, wrapping */
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
        cairo_rectangle(cr, x, y + 1.5, 9, 8);
        chart_rgb(cr, prog_colour(PROG_ORDER[j]));
        cairo_fill_preserve(cr);
        chart_rgb(cr, 0x555555);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        chart_text(p, name, &fl, x + 12, y, 1, NULL);
        x += w + 26;
    }
    double x0 = 250, x1 = it->width - 20, y0 = CHART_HEAD + 40;
    struct chart_scale sx = {0, (double)(nu ? nu : 1), x0, x1};
    struct chart_ticks tk;
    chart_nice_ticks(0, (double)nu, 6, &tk);
    double ylast = y0 + c->ntop * 18.0;
    cairo_set_line_width(cr, 0.4);
    struct chart_font fa = {7, 0, 0x444444, CHART_CENTER, 0, 0};
    char b[48];
    for (int i = 0; i < tk.n; i++) {
        double v = chart_tick_value(&tk, i);
        if (v > (double)nu + 1e-9)
            break;
        double xx = chart_scale_map(&sx, v);
        chart_rgb(cr, 0xE4E4E4);
        cairo_move_to(cr, xx, y0 - 2);
        cairo_line_to(cr, xx, ylast + 2);
        cairo_stroke(cr);
        snprintf(b, sizeof b, "%.0f", v);
        chart_text(p, b, &fa, xx, ylast + 3, 1, NULL);
    }
    chart_text(p, "Number of units", &fa, (x0 + x1) / 2, ylast + 14, 1, NULL);
    /* node labels wrap to two lines (three at 6 pt) rather than being cut */
    struct chart_font fn = {7, 0, INK, CHART_RIGHT, 232, 1};
    for (int k = 0; k < c->ntop && fn.size > 6.5; k++) {
        const struct fw_node *xn = nd(c, c->top[k]);
        char lab[300];
        chart_node_label(xn, lab, sizeof lab);
        fn.bold = k == 0;
        if (chart_text(p, lab, &fn, 0, 0, 0, NULL) > 12)
            fn.size = 6.5;   /* one size for every label */
    }
    struct chart_font fc = {7, 1, 0, CHART_CENTER, 0, 0};
    for (int k = 0; k < c->ntop; k++) {
        double yy = y0 + k * 18.0;
        const struct fw_node *xn = nd(c, c->top[k]);
        int indent = c->in->fw->nlevel - xn->level;
        char lab[300];
        chart_node_label(xn, lab, sizeof lab);
        fn.bold = indent == 0;
        chart_text_mid(p, lab, &fn, x0 - 6, yy + 9);
        double acc = 0;
        for (size_t j = 0; j < NPROG; j++) {
            if (!cnt[k][j])
                continue;
            double xa = chart_scale_map(&sx, acc);
            double xb = chart_scale_map(&sx, acc + (double)cnt[k][j]);
            cairo_rectangle(cr, xa, yy + 2, xb - xa, 14);
            uint32_t col = prog_colour(PROG_ORDER[j]);
            chart_rgb(cr, col);
            cairo_fill_preserve(cr);
            chart_rgb(cr, 0xFFFFFF);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
            snprintf(b, sizeof b, "%zu", cnt[k][j]);
            double tw;
            chart_text(p, b, &fc, 0, 0, 0, &tw);
            if (tw + 3 < xb - xa) {
                fc.rgb = chart_text_on(col);
                chart_text(p, b, &fc, (xa + xb) / 2, yy + 4, 1, NULL);
            }
            acc += (double)cnt[k][j];
        }
    }
    free(cnt);
}

/* ---- trend small multiples ----------------------------------------------- */

static void polyline(cairo_t *cr, const struct chart_scale *sx,
                     const struct chart_scale *sy, const int *years,
                     const double *v, size_t n)
{
    int pen = 0;
    for (size_t t = 0; t < n; t++) {
        if (!fin(v[t])) {
            pen = 0;
            continue;
        }
        double x = chart_scale_map(sx, years[t]), y = chart_scale_map(sy, v[t]);
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = 1;
    }
}

static void draw_trend(struct chart_pen *p, const struct chart_ctx *c,
                       const struct chart_item *it, int median_only)
{
    cairo_t *cr = chart_pen_cr(p);
    const struct cube *cb = c->in->cube;
    size_t ny = cb->nyear, nu = cb->nunit, u = it->unit < 0 ? 0 : (size_t)it->unit;
    char note[200];
    ci_note(c, note, sizeof note);
    frame(p, c, it, median_only ? "" : note);
    double *v = malloc(ny * 3 * sizeof *v);
    if (!v)
        return;
    double *vl = v + ny, *vh = v + 2 * ny;
    /* one y scale for every panel */
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfocus; f++)
        for (size_t t = 0; t < ny; t++) {
            double m = chart_median(c, c->focus[f], (int)t);
            double w[4] = {m, NAN, NAN, target_at(c, c->focus[f], (int)t)};
            if (!median_only) {
                w[1] = lo_at(c, c->focus[f], (int)t, u);
                w[2] = hi_at(c, c->focus[f], (int)t, u);
                if (!fin(w[1]))
                    w[1] = score_at(c, c->focus[f], (int)t, u);
            } else {
                for (size_t k = 0; k < nu; k++) {
                    double s = score_at(c, c->focus[f], (int)t, k);
                    widen(&lo, &hi, &s, 1);
                }
            }
            widen(&lo, &hi, w, 4);
        }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 4, &tk);

    /* legend */
    struct chart_font fl = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double lx = 12, ly = CHART_HEAD, w;
    cairo_set_line_width(cr, 1.4);
    if (median_only) {
        chart_rgb(cr, 0x111111);
        legend_line(cr, lx, ly);
        chart_marker(cr, CHART_SQUARE, lx + 7, ly + 5, 2.2, 0x111111);
        chart_text(p, "network median", &fl, lx + 18, ly, 1, &w);
        lx += w + 40;
        chart_rgb(cr, 0xC8C8C8);
        cairo_set_line_width(cr, 0.6);
        legend_line(cr, lx, ly);
        chart_text(p, "each unit", &fl, lx + 18, ly, 1, &w);
        lx += w + 30;
    } else {
        lx += legend_score(p, &fl, lx, ly, 2.2) + 30;
        if (has_iv(c)) {
            cairo_rectangle(cr, lx, ly + 1, 14, 8);
            chart_rgba(cr, BLUE, 0.2);
            cairo_fill(cr);
            chart_text(p, "interval", &fl, lx + 18, ly, 1, &w);
            lx += w + 30;
        }
        chart_rgb(cr, VERM);
        cairo_set_line_width(cr, 1);
        legend_line(cr, lx, ly);
        chart_text(p, "OLS trend", &fl, lx + 18, ly, 1, &w);
        lx += w + 30;
        chart_rgb(cr, GREY);
        double dash[] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        legend_line(cr, lx, ly);
        cairo_set_dash(cr, NULL, 0, 0);
        chart_text(p, "network median", &fl, lx + 18, ly, 1, &w);
        lx += w + 30;
    }
    int has_target = focus_has_target(c);
    if (has_target) {
        cairo_set_line_width(cr, 1.2);
        chart_rgb(cr, 0x000000);
        double dash2[] = {4, 2};
        cairo_set_dash(cr, dash2, 2, 0);
        legend_line(cr, lx, ly);
        cairo_set_dash(cr, NULL, 0, 0);
        chart_text(p, "target score", &fl, lx + 18, ly, 1, NULL);
    }

    int cols = c->nfocus < 4 ? c->nfocus : 4;
    double pw = (it->width - 24 - (cols - 1) * 10.0) / cols, ph = 130;
    /* panel titles wrap (up to three lines) rather than being cut */
    struct chart_font ft = {6, 1, INK, CHART_LEFT, pw, 1};
    struct chart_font fs = {6.5, 0, 0x444444, CHART_LEFT, pw - 24, 0};
    struct chart_font fa = {6, 0, 0x555555, CHART_RIGHT, 0, 0};
    char b[96], b2[32];
    for (int f = 0; f < c->nfocus; f++) {
        int node = c->focus[f];
        const struct fw_node *xn = nd(c, node);
        double px = 12 + (f % cols) * (pw + 10), py = CHART_HEAD + 18 + (f / cols) * 140.0;
        chart_node_label(xn, b, sizeof b);
        chart_text(p, b, &ft, px, py - 2, 1, NULL);
        double ax0 = px + 22, ax1 = px + pw - 4, ay0 = py + 30, ay1 = py + ph - 24;
        struct chart_scale sx = {cb->year[0], cb->year[ny - 1], ax0, ax1};
        struct chart_scale sy = {tk.lo, tk.hi, ay1, ay0};
        cairo_rectangle(cr, ax0, ay0, ax1 - ax0, ay1 - ay0);
        chart_rgb(cr, 0xFAFAFA);
        cairo_fill(cr);
        cairo_set_line_width(cr, 0.4);
        for (int i = 0; i < tk.n; i++) {
            double tv = chart_tick_value(&tk, i), y = chart_scale_map(&sy, tv);
            chart_rgb(cr, 0xE0E0E0);
            cairo_move_to(cr, ax0, y);
            cairo_line_to(cr, ax1, y);
            cairo_stroke(cr);
            snprintf(b2, sizeof b2, "%.*f", tk.decimals, tv);
            chart_text(p, b2, &fa, ax0 - 2, y - 4, 1, NULL);
        }
        /* the first year starts at the axis, clear of the lowest tick
         * label; the last ends at the panel's edge */
        fa.align = CHART_LEFT;
        snprintf(b2, sizeof b2, "%d", cb->year[0]);
        chart_text(p, b2, &fa, ax0, ay1 + 1, 1, NULL);
        if (ny > 1) {
            fa.align = CHART_RIGHT;
            snprintf(b2, sizeof b2, "%d", cb->year[ny - 1]);
            chart_text(p, b2, &fa, ax1, ay1 + 1, 1, NULL);
        }
        fa.align = CHART_RIGHT;
        if (has_target) {
            /* the score of a unit at every target (results->target_score) */
            for (size_t t = 0; t < ny; t++)
                vh[t] = target_at(c, node, (int)t);
            cairo_set_line_width(cr, 1.2);
            chart_rgb(cr, 0x000000);
            double dash3[] = {4, 2};
            cairo_set_dash(cr, dash3, 2, 0);
            polyline(cr, &sx, &sy, cb->year, vh, ny);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        for (size_t t = 0; t < ny; t++)
            v[t] = chart_median(c, node, (int)t);
        if (median_only) {
            cairo_set_line_width(cr, 0.5);
            chart_rgb(cr, 0xC8C8C8);
            for (size_t k = 0; k < nu; k++) {
                for (size_t t = 0; t < ny; t++)
                    vl[t] = score_at(c, node, (int)t, k);
                polyline(cr, &sx, &sy, cb->year, vl, ny);
                cairo_stroke(cr);
            }
            cairo_set_line_width(cr, 1.6);
            chart_rgb(cr, 0x111111);
            polyline(cr, &sx, &sy, cb->year, v, ny);
            cairo_stroke(cr);
            for (size_t t = 0; t < ny; t++)
                if (fin(v[t]))
                    chart_marker(cr, CHART_SQUARE, chart_scale_map(&sx, cb->year[t]),
                                 chart_scale_map(&sy, v[t]), 1.8, 0x111111);
            snprintf(b, sizeof b, "median %s in %d", num1(b2, sizeof b2, v[c->t]), c->year);
            chart_text(p, b, &fs, ax0, ay1 + 10, 1, NULL);
            continue;
        }
        /* network median */
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, GREY);
        double dash[] = {3, 2};
        cairo_set_dash(cr, dash, 2, 0);
        polyline(cr, &sx, &sy, cb->year, v, ny);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        /* interval band: one polygon per run of years with both bounds */
        for (size_t t = 0; t < ny; t++) {
            vl[t] = lo_at(c, node, (int)t, u);
            vh[t] = hi_at(c, node, (int)t, u);
            v[t] = score_at(c, node, (int)t, u);
        }
        for (size_t t = 0; t < ny;) {
            if (!fin(vl[t]) || !fin(vh[t])) {
                t++;
                continue;
            }
            size_t e = t;
            while (e + 1 < ny && fin(vl[e + 1]) && fin(vh[e + 1]))
                e++;
            double half = e == t ? 0.25 : 0;   /* a lone year: a small box */
            cairo_move_to(cr, chart_scale_map(&sx, cb->year[t] - half),
                          chart_scale_map(&sy, vl[t]));
            for (size_t k = t; k <= e; k++)
                cairo_line_to(cr, chart_scale_map(&sx, cb->year[k] + (k == e ? half : 0)),
                              chart_scale_map(&sy, vl[k]));
            for (size_t k = e + 1; k-- > t;)
                cairo_line_to(cr, chart_scale_map(&sx, cb->year[k] - (k == t ? half : 0)),
                              chart_scale_map(&sy, vh[k]));
            cairo_close_path(cr);
            chart_rgba(cr, BLUE, 0.2);
            cairo_fill(cr);
            t = e + 1;
        }
        /* OLS line over the fitted years */
        size_t cell = TREND_AT(c->tr, node, u);
        double sl = c->tr->slope[cell];
        double ic = c->tr->intercept ? c->tr->intercept[cell] : NAN;
        if (fin(sl) && fin(ic) && c->tr->points[cell] >= 2) {
            double ya = c->tr->first_year[cell], yb = c->tr->last_year[cell];
            cairo_save(cr);
            cairo_rectangle(cr, ax0, ay0, ax1 - ax0, ay1 - ay0);
            cairo_clip(cr);
            cairo_set_line_width(cr, 1);
            chart_rgb(cr, VERM);
            cairo_move_to(cr, chart_scale_map(&sx, ya), chart_scale_map(&sy, ic + sl * ya));
            cairo_line_to(cr, chart_scale_map(&sx, yb), chart_scale_map(&sy, ic + sl * yb));
            cairo_stroke(cr);
            cairo_restore(cr);
        }
        /* the unit's scores, on top */
        cairo_set_line_width(cr, 1.4);
        chart_rgb(cr, BLUE);
        polyline(cr, &sx, &sy, cb->year, v, ny);
        cairo_stroke(cr);
        for (size_t t = 0; t < ny; t++)
            if (fin(v[t]))
                chart_marker(cr, CHART_CIRCLE, chart_scale_map(&sx, cb->year[t]),
                             chart_scale_map(&sy, v[t]), 1.9, BLUE);
        /* panel footnote: slope and progress class */
        if (fin(sl)) {
            snprintf(b, sizeof b, "slope %+.2f a year", sl);
            chart_text(p, b, &fs, ax0, ay1 + 10, 1, NULL);
        }
        chart_text(p, trend_class_name(c->tr->progress[cell]), &fs, ax0, ay1 + 18, 1, NULL);
    }
    free(v);
}

/* ---- profile and radar --------------------------------------------------- */

static void draw_profile(struct chart_pen *p, const struct chart_ctx *c,
                         const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t u = (size_t)it->unit;
    char note[200];
    ci_note(c, note, sizeof note);
    frame(p, c, it, note);
    median_legend(p, c, 12, CHART_HEAD, 1);
    int *ord = malloc((size_t)c->nfocus * sizeof *ord);
    if (!ord)
        return;
    sort_focus(c, u, ord);
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < c->nfocus; f++) {
        double w[4] = {score_at(c, ord[f], c->t, u), lo_at(c, ord[f], c->t, u),
                       hi_at(c, ord[f], c->t, u), chart_median(c, ord[f], c->t)};
        widen(&lo, &hi, w, 4);
    }
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 6, &tk);
    double x0 = 222, x1 = it->width - 46, pitch = 16;
    double y0 = CHART_HEAD + 28, y1 = y0 + c->nfocus * pitch;
    struct chart_scale sx = {tk.lo, tk.hi, x0, x1};
    x_axis(p, &sx, &tk, y0 - 4, y1 + 2, "Score (normalised; higher is better)");
    struct chart_font fl = {7.5, 0, INK, CHART_RIGHT, 204, 0};
    struct chart_font fv = {6.5, 0, 0x555555, CHART_LEFT, 0, 0};
    char lab[300];
    for (int f = 0; f < c->nfocus; f++) {
        int node = ord[f];
        double y = y0 + (f + 0.5) * pitch;
        chart_node_label(nd(c, node), lab, sizeof lab);
        chart_text_mid(p, lab, &fl, x0 - 8, y);
        double v = score_at(c, node, c->t, u), l = lo_at(c, node, c->t, u),
               h = hi_at(c, node, c->t, u), m = chart_median(c, node, c->t);
        if (fin(m)) {
            double xm = chart_scale_map(&sx, m);
            cairo_set_line_width(cr, 1.6);
            chart_rgb(cr, GREY);
            cairo_move_to(cr, xm, y - 5);
            cairo_line_to(cr, xm, y + 5);
            cairo_stroke(cr);
        }
        dot_row(p, &sx, &fv, x0, y, v, l, h, m, 3.4);
    }
    free(ord);
}

/* The radar's legend: score, interval (whisker over band) when drawn,
 * network median. */
static void radar_legend(struct chart_pen *p, const struct chart_ctx *c, double x,
                         double y)
{
    cairo_t *cr = chart_pen_cr(p);
    struct chart_font f = {7.5, 0, 0x333333, CHART_LEFT, 0, 0};
    double w;
    cairo_set_line_width(cr, 1.6);
    x += legend_score(p, &f, x, y, 2.6) + 40;
    if (has_iv(c)) {
        cairo_rectangle(cr, x, y + 2, 14, 6);
        chart_rgba(cr, BLUE, 0.22);
        cairo_fill(cr);
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, 0x333333);
        cairo_move_to(cr, x + 1, y + 5);
        cairo_line_to(cr, x + 13, y + 5);
        cairo_move_to(cr, x + 1, y + 2);
        cairo_line_to(cr, x + 1, y + 8);
        cairo_move_to(cr, x + 13, y + 2);
        cairo_line_to(cr, x + 13, y + 8);
        cairo_stroke(cr);
        char b[64];
        snprintf(b, sizeof b, "%d%% interval", level_pct(c));
        chart_text(p, b, &f, x + 18, y, 1, &w);
        x += w + 40;
    }
    cairo_set_line_width(cr, 1.2);
    chart_rgb(cr, GREY);
    double dash[] = {3, 2};
    cairo_set_dash(cr, dash, 2, 0);
    legend_line(cr, x, y);
    cairo_set_dash(cr, NULL, 0, 0);
    chart_text(p, "network median", &f, x + 18, y, 1, NULL);
}

/* A closed polygon through radius r(v[k]) on each of the n radar axes;
 * returns 0 (nothing drawn) when some value is missing. */
static int radar_path(cairo_t *cr, double cx, double cy, const struct chart_scale *sr,
                      const double *v, int n)
{
    for (int k = 0; k < n; k++)
        if (!fin(v[k]))
            return 0;
    for (int k = 0; k < n; k++) {
        double a = -CHART_PI / 2 + 2 * CHART_PI * k / n, r = chart_scale_map(sr, v[k]);
        if (k == 0)
            cairo_move_to(cr, cx + r * cos(a), cy + r * sin(a));
        else
            cairo_line_to(cr, cx + r * cos(a), cy + r * sin(a));
    }
    cairo_close_path(cr);
    return 1;
}

/* A new path through the present values of v, axis k at angle
 * -pi/2 + step k, back to axis 0, broken over missing values (the caller
 * strokes it). */
static void radar_polyline(cairo_t *cr, double cx, double cy, const struct chart_scale *sr,
                           const double *v, int n, double step)
{
    int pen = 0;
    cairo_new_path(cr);
    for (int f = 0; f <= n; f++) {
        int k = f % n;
        if (!fin(v[k])) {
            pen = 0;
            continue;
        }
        double a = -CHART_PI / 2 + step * k, r = chart_scale_map(sr, v[k]);
        if (pen)
            cairo_line_to(cr, cx + r * cos(a), cy + r * sin(a));
        else
            cairo_move_to(cr, cx + r * cos(a), cy + r * sin(a));
        pen = 1;
    }
}

/* The radar. Axes run clockwise from the top in framework order, each
 * named (axis_name) with the unit's score under the name; rings carry
 * nice ticks, labelled in the gap between axes that the polygons cross
 * farthest from the labels (chart_radar_label_gap). Intervals: a band
 * between the polygons of the low and high bounds (when every axis has
 * both) and a whisker with caps along each axis; the markers on top. */
static void draw_radar(struct chart_pen *p, const struct chart_ctx *c,
                       const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    size_t u = (size_t)it->unit;
    int n = c->nfocus;
    char note[200], foot[320];
    ci_note(c, note, sizeof note);
    snprintf(foot, sizeof foot, "%s Axes run clockwise from the top.", note);
    frame(p, c, it, foot);
    if (n < 1)
        return;
    /* per axis: score, median, low, high (the series the ring labels avoid) */
    double *v = malloc((size_t)n * 4 * sizeof *v), *rad = malloc((size_t)n * 4 * sizeof *rad);
    if (!v || !rad) {
        free(v);
        free(rad);
        return;
    }
    double *vm = v + n, *vl = v + 2 * n, *vh = v + 3 * n;
    int iv = has_iv(c);
    double lo = INFINITY, hi = -INFINITY;
    for (int f = 0; f < n; f++) {
        v[f] = score_at(c, c->focus[f], c->t, u);
        vm[f] = chart_median(c, c->focus[f], c->t);
        vl[f] = iv && fin(v[f]) ? lo_at(c, c->focus[f], c->t, u) : NAN;
        vh[f] = iv && fin(v[f]) ? hi_at(c, c->focus[f], c->t, u) : NAN;
        double w[4] = {v[f], vm[f], vl[f], vh[f]};
        widen(&lo, &hi, w, 4);
    }
    if (fin(lo) && lo > 0)
        lo = 0;   /* radii from zero when every score is positive */
    struct chart_ticks tk;
    chart_nice_ticks(lo, hi, 5, &tk);
    double cx = it->width / 2, cy = CHART_HEAD + 205, R = 132;
    struct chart_scale sr = {tk.lo, tk.hi, 0, R};
    double step = 2 * CHART_PI / n;

    /* rings and spokes */
    cairo_set_line_width(cr, 0.5);
    chart_rgb(cr, 0xDDDDDD);
    double ring[CHART_TICKS_MAX];
    int nring = 0;
    for (int i = 1; i < tk.n; i++) {
        double r = chart_scale_map(&sr, chart_tick_value(&tk, i));
        ring[nring++] = r;
        for (int f = 0; f <= n; f++) {
            double a = -CHART_PI / 2 + step * (f % n);
            if (f == 0)
                cairo_move_to(cr, cx + r * cos(a), cy + r * sin(a));
            else
                cairo_line_to(cr, cx + r * cos(a), cy + r * sin(a));
        }
        cairo_stroke(cr);
    }
    chart_rgb(cr, 0xCCCCCC);
    for (int f = 0; f < n; f++) {
        double a = -CHART_PI / 2 + step * f;
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, cx + R * cos(a), cy + R * sin(a));
        cairo_stroke(cr);
    }
    /* ring labels, in the clearest gap, on a white patch over the ring */
    for (int k = 0; k < 4 * n; k++)
        rad[k] = fin(v[k]) ? chart_scale_map(&sr, v[k]) : NAN;
    struct chart_font fr = {6, 0, 0x666666, CHART_CENTER, 0, 0};
    char b[160];
    double lw = 0, lh = 0;   /* the largest ring label, for the gap choice */
    for (int i = 1; i < tk.n; i++) {
        double tw;
        snprintf(b, sizeof b, "%.*f", tk.decimals, chart_tick_value(&tk, i));
        lh = fmax(lh, chart_text(p, b, &fr, 0, 0, 0, &tw));
        lw = fmax(lw, tw);
    }
    int gap[CHART_TICKS_MAX];
    chart_radar_ring_gaps(rad, 4, n, ring, nring, lw / 2 + 2.5, lh / 2 + 1.5, gap);
    double half = cos(step / 2);
    for (int i = 1; i < tk.n; i++) {
        double ag = -CHART_PI / 2 + step * gap[i - 1] + step / 2;
        double r = ring[i - 1] * half, tw;
        snprintf(b, sizeof b, "%.*f", tk.decimals, chart_tick_value(&tk, i));
        double th = chart_text(p, b, &fr, 0, 0, 0, &tw);
        double x = cx + r * cos(ag), y = cy + r * sin(ag);
        cairo_rectangle(cr, x - tw / 2 - 1, y - th / 2, tw + 2, th);
        chart_rgb(cr, 0xFFFFFF);
        cairo_fill(cr);
        chart_text_mid(p, b, &fr, x, y);
    }
    /* axis names with the score under them, placed outside the ring on the
     * side the axis points to */
    struct chart_font fa = {7, 0, INK, CHART_CENTER, 118, 1};
    for (int f = 0; f < n; f++) {
        double a = -CHART_PI / 2 + step * f, ca = cos(a), sa = sin(a);
        char nm[96], v1[32];
        axis_name(c, c->focus[f], nm, sizeof nm, 56);
        snprintf(b, sizeof b, "%s\n%s", nm, num1(v1, sizeof v1, v[f]));
        fa.align = ca > 0.3 ? CHART_LEFT : ca < -0.3 ? CHART_RIGHT : CHART_CENTER;
        double h = chart_text(p, b, &fa, 0, 0, 0, NULL);
        double px = cx + (R + 8) * ca, py = cy + (R + 8) * sa;
        /* top edge: above the point at the top, below it at the bottom,
         * centred on it at the sides */
        double y = py - h / 2 + sa * h / 2 + (sa < -0.3 ? -2 : sa > 0.3 ? 2 : 0);
        chart_text(p, b, &fa, px, y, 1, NULL);
    }
    /* median polygon, dashed (a broken line over missing axes) */
    double dash[] = {3, 2};
    radar_polyline(cr, cx, cy, &sr, vm, n, step);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_line_width(cr, 1.2);
    chart_rgb(cr, GREY);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    /* interval band: the ring between the high and the low polygon */
    if (iv) {
        cairo_new_path(cr);
        if (radar_path(cr, cx, cy, &sr, vh, n) && radar_path(cr, cx, cy, &sr, vl, n)) {
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            chart_rgba(cr, BLUE, 0.22);
            cairo_fill(cr);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        }
        cairo_new_path(cr);
    }
    /* the score polygon (a broken line over missing axes), its area shaded
     * when no interval band is drawn */
    if (!iv) {
        cairo_new_path(cr);
        if (radar_path(cr, cx, cy, &sr, v, n)) {
            chart_rgba(cr, BLUE, 0.15);
            cairo_fill(cr);
        }
    }
    radar_polyline(cr, cx, cy, &sr, v, n, step);
    cairo_set_line_width(cr, 1.6);
    chart_rgb(cr, BLUE);
    cairo_stroke(cr);
    /* whiskers along each axis, with caps across it */
    if (iv) {
        cairo_set_line_width(cr, 1);
        chart_rgb(cr, 0x333333);
        for (int f = 0; f < n; f++) {
            if (!fin(vl[f]) || !fin(vh[f]))
                continue;
            double a = -CHART_PI / 2 + step * f, ca = cos(a), sa = sin(a);
            double r0 = chart_scale_map(&sr, vl[f]), r1 = chart_scale_map(&sr, vh[f]);
            cairo_move_to(cr, cx + r0 * ca, cy + r0 * sa);
            cairo_line_to(cr, cx + r1 * ca, cy + r1 * sa);
            for (int e = 0; e < 2; e++) {
                double r = e ? r1 : r0;
                cairo_move_to(cr, cx + r * ca + 3 * sa, cy + r * sa - 3 * ca);
                cairo_line_to(cr, cx + r * ca - 3 * sa, cy + r * sa + 3 * ca);
            }
        }
        cairo_stroke(cr);
    }
    for (int f = 0; f < n; f++) {
        if (!fin(v[f]))
            continue;
        double a = -CHART_PI / 2 + step * f, r = chart_scale_map(&sr, v[f]);
        chart_marker(cr, CHART_CIRCLE, cx + r * cos(a), cy + r * sin(a), 2.6, BLUE);
    }
    radar_legend(p, c, 12, CHART_HEAD);
    free(v);
    free(rad);
}

void chart_render(struct chart_pen *p, const struct chart_ctx *c,
                  const struct chart_item *it)
{
    cairo_t *cr = chart_pen_cr(p);
    cairo_save(cr);
    switch (it->kind) {
    case CHART_DOT: draw_dot(p, c, it); break;
    case CHART_HEATMAP: draw_heatmap(p, c, it); break;
    case CHART_PROGRESS: if (c->tr) draw_progress(p, c, it); break;
    case CHART_TREND_MEDIAN: if (c->tr) draw_trend(p, c, it, 1); break;
    case CHART_TREND: if (c->tr) draw_trend(p, c, it, 0); break;
    case CHART_PROFILE: draw_profile(p, c, it); break;
    case CHART_RADAR: draw_radar(p, c, it); break;
    }
    cairo_restore(cr);
}

/* ---- files --------------------------------------------------------------- */

/* A worker's pixel buffer, reused from chart to chart: a fresh 4 MB image
 * per chart cost more in page faults than in drawing. It is allocated once
 * at the size of the largest image of the run (want), so that it never
 * grows (each growth was a fresh mapping to fault in again). */
struct png_buf {
    unsigned char *data;
    size_t cap, want;
    struct chart_pen *png, *pdf;   /* the worker's pens, kept from chart to chart */
};

static size_t png_bytes(const struct chart_item *it)
{
    double s = CHART_DPI / 72.0;
    int w = (int)ceil(it->width * s), h = (int)ceil(it->height * s);
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
    return stride > 0 && h > 0 ? (size_t)stride * (size_t)h : 0;
}

static int write_png(const char *path, const struct chart_ctx *c,
                     const struct chart_item *it, struct png_buf *pb)
{
    double s = CHART_DPI / 72.0;
    int w = (int)ceil(it->width * s), h = (int)ceil(it->height * s);
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
    size_t need = (size_t)stride * (size_t)h;
    if (stride <= 0 || h <= 0)
        return -1;
    if (need > pb->cap) {
        size_t n = pb->want > need ? pb->want : need;
        free(pb->data);
        pb->cap = 0;
        if (!(pb->data = malloc(n)))
            return -1;
        pb->cap = n;
    }
    memset(pb->data, 0, need);   /* same start as a new surface: bytes stay the same */
    cairo_surface_t *sf = cairo_image_surface_create_for_data(pb->data, CAIRO_FORMAT_RGB24,
                                                              w, h, stride);
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, s, s);
    if (pb->png)
        chart_pen_set_cr(pb->png, cr);
    else
        pb->png = chart_pen_new(cr);
    struct chart_pen *p = pb->png;
    if (p)
        chart_render(p, c, it);
    cairo_destroy(cr);
    int rc = p && cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS &&
                     chart_png_write(sf, path, CHART_DPI) == 0
                 ? 0 : -1;
    cairo_surface_destroy(sf);
    return rc;
}

static int write_pdf(const char *path, const struct chart_ctx *c,
                     const struct chart_item *it, struct png_buf *pb)
{
    cairo_surface_t *sf = cairo_pdf_surface_create(path, it->width, it->height);
    const char *created = c->in->run->created;
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, it->title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, it->alt);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "lcme " LCME_VERSION);
    if (created && created[0]) {
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATE_DATE, created);
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_MOD_DATE, created);
    }
    cairo_t *cr = cairo_create(sf);
    if (pb->pdf) {
        chart_pen_set_cr(pb->pdf, cr);
    } else if ((pb->pdf = chart_pen_new(cr))) {
        chart_pen_outline_cjk(pb->pdf, 1);
    }
    struct chart_pen *p = pb->pdf;
    if (p)
        chart_render(p, c, it);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    int rc = p && cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(sf);
    return rc;
}

/* Charts are drawn on several threads: each file is independent (its own
 * surface and cairo context; each worker keeps one pen for its PNG files
 * and one for its PDF files, whose kept layouts do not change what is
 * drawn; pango's cairo font map is per thread), so the bytes do not depend
 * on the thread count. Workers take the next file from a shared counter,
 * largest charts first (so that no thread is left with a big chart at the
 * end while the others wait), and record a failure per file; the
 * diagnostics are added afterwards in list order by the calling thread. */
struct chart_job {
    const char *dir;
    const struct chart_ctx *c;
    const struct chart_list *l;
    size_t start, nfile;          /* files: 2 per item (PNG, PDF) from start */
    size_t *order;                /* the files in the order they are taken */
    size_t png_max;               /* bytes of the largest chart image */
    signed char *status;          /* per file: 0 ok, 1 ENOMEM, 2 write error */
    pthread_mutex_t lock;
    size_t next;
};

/* File order: items by area, largest first, ties in list order; each
 * item's PNG before its PDF. */
struct item_key {
    double area;
    size_t i;
};

static int by_area(const void *a, const void *b)
{
    const struct item_key *x = a, *y = b;
    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int job_order(struct chart_job *j)
{
    size_t n = j->nfile / 2;
    struct item_key *key = malloc((n ? n : 1) * sizeof *key);
    j->order = malloc(j->nfile * sizeof *j->order);
    if (!key || !j->order) {
        free(key);
        free(j->order);
        j->order = NULL;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct chart_item *it = &j->l->v[j->start + i];
        key[i].area = it->width * it->height;
        key[i].i = i;
        size_t b = png_bytes(it);
        if (b > j->png_max)
            j->png_max = b;
    }
    qsort(key, n, sizeof *key, by_area);
    for (size_t i = 0; i < n; i++) {
        j->order[2 * i] = 2 * key[i].i;
        j->order[2 * i + 1] = 2 * key[i].i + 1;
    }
    free(key);
    return 0;
}

static void *chart_worker(void *arg)
{
    struct chart_job *j = arg;
    struct png_buf pb = {NULL, 0, j->png_max, NULL, NULL};
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t k = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (k >= j->nfile)
            break;
        size_t f = j->order[k];
        const struct chart_item *it = &j->l->v[j->start + f / 2];
        int pdf = (int)(f % 2);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", it->stem, pdf ? "pdf" : "png");
        char *path = path_join(j->dir, name);
        if (!path)
            j->status[f] = 1;
        else if ((pdf ? write_pdf(path, j->c, it, &pb) : write_png(path, j->c, it, &pb)) != 0)
            j->status[f] = 2;
        free(path);
    }
    free(pb.data);
    chart_pen_free(pb.png);
    chart_pen_free(pb.pdf);
    return NULL;
}

static int chart_threads(const struct report_input *in, size_t nfile)
{
    int n = in->threads > 0 ? in->threads
          : in->run && in->run->threads > 0 ? in->run->threads : 1;
    if (n > 64)
        n = 64;
    if ((size_t)n > nfile)
        n = nfile ? (int)nfile : 1;
    return n;
}

int charts_write_all(const char *dir, const struct report_input *in,
                     const struct trends *tr, struct chart_list *out_list,
                     struct diag *d)
{
    struct chart_list local;
    chart_list_init(&local);
    struct chart_list *l = out_list ? out_list : &local;
    size_t start = l->n;
    struct chart_ctx *c = chart_ctx_new(in, tr, d);
    if (!c)
        return -1;
    int rc = chart_list_build(c, l, d);
    struct chart_job j = {.dir = dir, .c = c, .l = l, .start = start,
                          .nfile = 2 * (l->n - start)};
    if (rc == 0 && j.nfile > 0) {
        j.status = calloc(j.nfile, 1);
        if (!j.status || job_order(&j) != 0 || pthread_mutex_init(&j.lock, NULL) != 0) {
            free(j.status);
            free(j.order);
            j.status = NULL;
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
            rc = -1;
        }
    }
    if (rc == 0 && j.status) {
        int nt = chart_threads(in, j.nfile);
        pthread_t tid[64];
        int started = 0;
        for (int k = 1; k < nt; k++) {
            if (pthread_create(&tid[started], NULL, chart_worker, &j) != 0)
                break;   /* fewer threads: the work is still all done */
            started++;
        }
        chart_worker(&j);
        for (int k = 0; k < started; k++)
            pthread_join(tid[k], NULL);
        pthread_mutex_destroy(&j.lock);
        for (size_t f = 0; f < j.nfile; f++) {
            if (j.status[f] == 0)
                continue;
            const struct chart_item *it = &l->v[start + f / 2];
            char name[256];
            snprintf(name, sizeof name, "%s.%s", it->stem, f % 2 ? "pdf" : "png");
            if (j.status[f] == 1)
                diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
            else
                diag_add(d, LCME_EIO, name, 0, 0, "cannot write chart '%s/%s'", dir, name);
            rc = -1;
            break;
        }
        free(j.status);
        free(j.order);
    }
    chart_ctx_free(c);
    chart_list_free(&local);
    return rc;
}
