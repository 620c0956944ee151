/* chart_ctx.c: the chart context (chart.h) and the words the charts are
 * written in: node and unit names, level words, number text.
 *
 * Invariants: a context borrows its input and owns only what it built
 * (node sets, unit labels, unit order, unit selection, footer); focus, top and feat are in
 * tree order; order holds every unit once, scored units first, best first,
 * ties and unscored units by code. Nothing here draws.
 */
#include "chart_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report_util.h"

/* ---- text --------------------------------------------------------------- */

char *chart_fmt(const char *fmt, ...)
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

char *chart_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *r = malloc(n);
    if (r)
        memcpy(r, s ? s : "", n);
    return r;
}

const char *chart_num1(char *buf, size_t len, double v)
{
    if (!fin(v))
        snprintf(buf, len, "\xE2\x80\x93");
    else
        snprintf(buf, len, "%.1f", v == 0 ? 0.0 : v);
    return buf;
}

void chart_widen(double *lo, double *hi, const double *v, int n)
{
    for (int j = 0; j < n; j++)
        if (fin(v[j])) {
            *lo = fmin(*lo, v[j]);
            *hi = fmax(*hi, v[j]);
        }
}

/* ---- names and words ---------------------------------------------------- */

const char *chart_node_short(const struct chart_ctx *c, int node)
{
    const struct fw_node *x = nd(c, node);
    return x->name && x->name[0] ? x->name : x->code;
}

const char *chart_unit_title(const struct chart_ctx *c, size_t u)
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

const char *chart_node_label(const struct fw_node *x, char *buf, size_t len)
{
    if (!x->name || !x->name[0] || strcasecmp(x->name, x->code) == 0)
        snprintf(buf, len, "%s", x->name && x->name[0] ? x->name : x->code);
    else
        snprintf(buf, len, "%s %s", x->code, x->name);
    return buf;
}

const char *chart_node_phrase(const struct chart_ctx *c, int node, char *buf, size_t len)
{
    const struct fw_node *x = nd(c, node);
    const char *word = chart_level_word(c->in, x->level, 0);
    if (node == c->in->fw->root)
        snprintf(buf, len, "the %s", word);
    else if (x->name && x->name[0])
        snprintf(buf, len, "%s", x->name);
    else
        snprintf(buf, len, "%s %s", word, x->code);
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

/* ---- unit order --------------------------------------------------------- */

struct ukey {
    double v;
    size_t u;
    const char *code;
    int unranked;
};

static int ukey_cmp(const void *a, const void *b)
{
    const struct ukey *x = a, *y = b;
    int nx = !fin(x->v), ny = !fin(y->v);
    if (nx != ny)
        return nx - ny;               /* missing last */
    if (x->unranked != y->unranked)
        return x->unranked - y->unranked;   /* not ranked after the ranked */
    if (!nx && x->v != y->v)
        return x->v > y->v ? -1 : 1;  /* best first */
    return strcmp(x->code, y->code);
}

size_t chart_sort_units(const struct chart_ctx *c, int node, int t, size_t *out)
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
        k[u].unranked = t >= 0 && !ranked_at(c, node, t, u);
        ns += fin(k[u].v);
    }
    qsort(k, nu, sizeof *k, ukey_cmp);
    for (size_t u = 0; u < nu; u++)
        out[u] = k[u].u;
    free(k);
    return ns;
}

/* ---- context ------------------------------------------------------------ */

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

/* 1 when in's results, cube and framework are there and agree in size. */
static int input_ok(const struct report_input *in)
{
    return in && in->fw && in->cube && in->res && in->run &&
           in->res->nnode == (size_t)in->fw->nnode &&
           in->res->nunit == in->cube->nunit && in->res->nyear == in->cube->nyear &&
           in->cube->nyear > 0 && in->fw->nnode >= 1;
}

/* The node sets: top (index, areas, areas of focus; the root alone when
 * there are none), focus (the level two above the indicators, at least 2;
 * the root when there are none) and feat (aggregates whose children are all
 * indicators), each in tree order. Returns 0, or -1 on ENOMEM. */
static int ctx_nodes(struct chart_ctx *c)
{
    const struct framework *fw = c->in->fw;
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
    int *all = malloc((size_t)fw->nnode * sizeof *all), nall = 0;
    if (!all)
        return -1;
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
    return 0;
}

/* Each unit's label: "name name_zh" when the Chinese name differs, else
 * the name, else the code. Returns 0, or -1 on ENOMEM. */
static int ctx_labels(struct chart_ctx *c)
{
    const struct cube *cb = c->in->cube;
    int zh = cube_attr_index(cb, "name_zh");
    for (size_t u = 0; u < cb->nunit; u++) {
        const char *nm = cb->unit_name && cb->unit_name[u] && cb->unit_name[u][0]
                             ? cb->unit_name[u] : cb->unit[u];
        const char *z = zh >= 0 ? cb->attr[u * cb->nattr + (size_t)zh] : "";
        if (z && z[0] && strcmp(z, nm) != 0)
            c->label[u] = chart_fmt("%s %s", nm, z);
        else
            c->label[u] = chart_strdup(nm);
        if (!c->label[u])
            return -1;
    }
    return 0;
}

int chart_unit_selected(const struct chart_ctx *c, size_t u)
{
    return c->selected && u < c->in->cube->nunit && c->selected[u];
}

/* c->selected from [report] units: "all", "none", or unit codes separated
 * by commas (blanks around them ignored); without the key, all in networks
 * of up to CHART_UNITS_ALL units. Only units with an index score in the
 * year are selected. Returns 0, or -1 on ENOMEM. */
static int ctx_select(struct chart_ctx *c)
{
    const struct cube *cb = c->in->cube;
    const char *spec = c->in->cfg ? c->in->cfg->report_units : NULL;
    if (!(c->selected = calloc(cb->nunit ? cb->nunit : 1, 1)))
        return -1;
    int all = spec ? strcasecmp(spec, "all") == 0 : cb->nunit <= CHART_UNITS_ALL;
    if (all)
        memset(c->selected, 1, cb->nunit);
    else if (spec && strcasecmp(spec, "none") != 0) {
        const char *s = spec;
        while (*s) {
            while (*s == ',' || *s == ' ' || *s == '\t')
                s++;
            size_t n = strcspn(s, ",");
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            if (n == 0)
                break;
            size_t u = 0;
            while (u < cb->nunit && (strlen(cb->unit[u]) != n || strncmp(cb->unit[u], s, n)))
                u++;
            if (u < cb->nunit)
                c->selected[u] = 1;
            else
                c->nunknown++;
            s += n;
            while (*s && *s != ',')
                s++;
        }
    }
    for (size_t u = 0; u < cb->nunit; u++) {
        if (c->selected[u] && !fin(score_at(c, c->in->fw->root, c->t, u)))
            c->selected[u] = 0;
        c->nselected += c->selected[u];
    }
    return 0;
}

struct chart_ctx *chart_ctx_new(const struct report_input *in,
                                const struct trends *tr, struct diag *d)
{
    if (!input_ok(in)) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "charts: results, cube and framework are missing or do not match");
        return NULL;
    }
    if (tr && (tr->nnode != in->res->nnode || tr->nunit != in->res->nunit))
        tr = NULL;
    struct chart_ctx *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    const struct cube *cb = in->cube;
    c->in = in;
    c->tr = tr;
    c->t = report_eval_year_index(in, NULL);
    c->year = cb->year[c->t];
    c->has_ci = in->res->ci_low && in->res->ci_high;
    c->exact = c->has_ci && zero_width(in->res);
    size_t nn = (size_t)in->fw->nnode;
    c->focus = malloc(nn * sizeof *c->focus);
    c->top = malloc(nn * sizeof *c->top);
    c->feat = malloc(nn * sizeof *c->feat);
    c->label = calloc(cb->nunit ? cb->nunit : 1, sizeof *c->label);
    c->order = malloc((cb->nunit ? cb->nunit : 1) * sizeof *c->order);
    if (!c->focus || !c->top || !c->feat || !c->label || !c->order ||
        ctx_nodes(c) != 0 || ctx_labels(c) != 0)
        goto nomem;
    c->nscored = chart_sort_units(c, in->fw->root, c->t, c->order);
    if (ctx_select(c) != 0)
        goto nomem;
    const struct run_info *run = in->run;
    const struct config *cfg = in->cfg;
    const char *src = cfg && cfg->source ? cfg->source : cfg && cfg->name ? cfg->name
                                                                          : "lcme batch";
    int n = (int)strlen(src);
    while (n > 0 && src[n - 1] == '.')
        n--;
    c->footer = chart_fmt("Source: %.*s%s%s%s%s. Run %s, lcme %s, %s.", n, src,
                          cfg && cfg->licence ? " (" : "", cfg && cfg->licence ? cfg->licence : "",
                          cfg && cfg->licence ? ")" : "",
                          cfg && cfg->synthetic && !cfg->source ? " (synthetic data)" : "",
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
    free(c->selected);
    free(c->footer);
    free(c);
}
