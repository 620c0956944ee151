/* framework.c: load and check the indicator tree from lcme's framework CSV or
 * COINr's iMeta export.
 *
 * Loading runs in passes so that every problem is reported, not only the
 * first: (1) the header is mapped to columns; (2) each row is parsed into a
 * struct row (strings point into the CSV buffer, which lives until the end of
 * the load); Group rows go to their own list, Denominator and Other rows
 * (COINr's columns kept in the data but outside the tree) to the list of
 * data columns, where Other rows are marked so that no indicator can name
 * one as its denominator; (3) parents
 * are resolved, roots counted, cycles found; (4) only when the tree is sound:
 * breadth-first order from the root gives depths, its reverse gives children
 * before parents for levels and "has an indicator below"; (5) the nodes are
 * renumbered: indicators in file order, then aggregates in post-order with the
 * root last (framework.h's node order contract), and copied out.
 */
#include "framework.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "strmap.h"

#define FW_MAX_INDICATORS 100000
#define FW_MAX_DEPTH 16

enum fcol {
    F_CODE, F_PARENT, F_NAME, F_LEVEL, F_WEIGHT, F_DIRECTION, F_UNIT, F_TARGET,
    F_LOWER, F_UPPER, F_MIN, F_MAX, F_DENOM, F_TYPE, F_ADAPTED, F_NCOL
};

/* lcme's names; COINr's iMeta differs only in iCode and iName */
static const char *const fcol_name[F_NCOL] = {
    "code", "parent", "name", "level", "weight", "direction", "unit", "target",
    "lower", "upper", "min", "max", "denominator", "type", "adapted",
};

enum rtype { R_UNSET, R_IND, R_AGG, R_GROUP, R_DENOM, R_OTHER };

struct row {
    const char *code, *parent, *name, *unit, *denom, *adapted;
    enum rtype type;
    int level;          /* 0 = not given */
    double weight, target, lower, upper, min, max;
    int direction;
    long line;
    int pidx;           /* tree-row index of the parent, -1 root/unknown */
    int nchild;
    int *child;         /* tree-row indices, file order */
    int has_ind;
    int depth;
    int newidx;
};

struct loader {
    struct csv *c;
    struct diag *d;
    int col[F_NCOL];    /* 1-based column of each field, 0 when absent */
    int coinr;
    struct row *r;      /* tree rows */
    int nr, ralloc;
    const char **group, **denom;
    int ngroup, ndenom, galloc, dalloc;
    struct strmap *codes;   /* code -> tree row index, or -2 - k for group k,
                               -1000000 - k for data column k */
    long *gline, *dline;    /* line of each group / data-column row */
    unsigned char *dother;  /* per data column: 1 for an Other row */
    int dotheralloc;
    int errors;
};

#define DENOM_BASE (-1000000)

static const char *code_name(const struct loader *L) { return L->coinr ? "iCode" : "code"; }

static void err(struct loader *L, long line, int field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void err(struct loader *L, long line, int field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(L->d, LCME_EINPUT, L->c->path, line, field >= 0 ? L->col[field] : 0, fmt, ap);
    va_end(ap);
    L->errors++;
}

static int map_header(struct loader *L)
{
    struct csv *c = L->c;
    for (size_t i = 0; i < c->nf; i++)
        if (csv_name_is(c->f[i], c->flen[i], "iCode"))
            L->coinr = 1;
    int bad = 0;
    for (size_t i = 0; i < c->nf; i++) {
        const char *h = c->f[i];
        size_t hl = c->flen[i];
        int k = -1;
        for (int j = 0; j < F_NCOL; j++) {
            const char *nm = fcol_name[j];
            if (L->coinr && j == F_CODE)
                nm = "iCode";
            if (L->coinr && j == F_NAME)
                nm = "iName";
            if (csv_name_is(h, hl, nm)) {
                k = j;
                break;
            }
        }
        char q[64];
        if (k < 0) {
            csv_error(c, L->d, (long)i + 1,
                      "unknown column '%s' (framework columns are %s, parent, %s, level, "
                      "weight, direction, unit, target, lower, upper, min, max, denominator, "
                      "type, adapted)",
                      csv_quote(h, hl, q, sizeof q), code_name(L), L->coinr ? "iName" : "name");
            bad = 1;
        } else if (L->col[k]) {
            csv_error(c, L->d, (long)i + 1, "duplicate column '%s' (also column %d)",
                      csv_quote(h, hl, q, sizeof q), L->col[k]);
            bad = 1;
        } else {
            L->col[k] = (int)i + 1;
        }
    }
    if (!L->col[F_CODE]) {
        csv_error(c, L->d, 1, "no 'code' column (nor COINr's 'iCode') in the framework header");
        bad = 1;
    }
    if (!L->col[F_PARENT]) {
        csv_error(c, L->d, 1, "no 'parent' column in the framework header");
        bad = 1;
    }
    L->errors += bad;
    return bad ? -1 : 0;
}

/* field k of the current record, or NULL (absent column) / "" */
static const char *fld(const struct loader *L, int k, size_t *len)
{
    if (!L->col[k]) {
        *len = 0;
        return NULL;
    }
    *len = L->c->flen[L->col[k] - 1];
    return L->c->f[L->col[k] - 1];
}

static const char *text(const struct loader *L, int k)
{
    size_t n;
    const char *s = fld(L, k, &n);
    return (s && n) ? s : NULL;
}

static double num(struct loader *L, int k, double dflt, const char *what)
{
    size_t n;
    const char *s = fld(L, k, &n);
    if (!s)
        return dflt;
    double v;
    char msg[256];
    enum csv_num st = csv_parse_double(s, n, &v, msg, sizeof msg);
    if (st == CSV_NUM_MISSING)
        return dflt;
    if (st == CSV_NUM_BAD) {
        err(L, L->c->line_no, k, "%s: %s", what, msg);
        return dflt;
    }
    return v;
}

static int add_str(const char ***v, long **lines, int *n, int *alloc, const char *s,
                   long line)
{
    if (*n == *alloc) {
        int na = *alloc ? *alloc * 2 : 8;
        const char **nv = realloc((void *)*v, (size_t)na * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        long *nl = realloc(*lines, (size_t)na * sizeof *nl);
        if (!nl)
            return -1;
        *lines = nl;
        *alloc = na;
    }
    (*v)[*n] = s;
    (*lines)[(*n)++] = line;
    return 0;
}

/* Record whether data column k is an Other row; grows with the list. */
static int mark_other(struct loader *L, int k, int other)
{
    if (k >= L->dotheralloc) {
        int na = L->dotheralloc ? L->dotheralloc * 2 : 8;
        while (na <= k)
            na *= 2;
        unsigned char *nv = realloc(L->dother, (size_t)na);
        if (!nv)
            return -1;
        L->dother = nv;
        L->dotheralloc = na;
    }
    L->dother[k] = (unsigned char)other;
    return 0;
}

/* "a Group", "a Denominator" or "an Other": the kind of a row outside the
 * tree, from its strmap value (see struct loader's codes). */
static const char *column_kind(const struct loader *L, int v)
{
    if (v > DENOM_BASE)
        return "a Group";
    return L->dother[DENOM_BASE - v] ? "an Other" : "a Denominator";
}

/* An empty field, or R's NA (as COINr's iMeta exports write a missing
 * parent, level or direction): both read as not given. Blanks around are
 * allowed. */
static int blank_or_na(const char *s, size_t n)
{
    if (!s || csv_blank(s, n))
        return 1;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n == 2 && s[0] == 'N' && s[1] == 'A';
}

/* The row's type column: R_UNSET when empty; reported when unknown. */
static enum rtype row_type(struct loader *L, long line)
{
    size_t tl;
    const char *ts = fld(L, F_TYPE, &tl);
    if (!ts || csv_blank(ts, tl)) return R_UNSET;
    static const struct { const char *name; enum rtype type; } kinds[] = {
        {"Indicator", R_IND}, {"Aggregate", R_AGG}, {"Group", R_GROUP},
        {"Denominator", R_DENOM}, {"Other", R_OTHER},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (csv_name_is(ts, tl, kinds[k].name)) return kinds[k].type;
    char q[64];
    err(L, line, F_TYPE, "unknown type '%s' (expected Indicator, Aggregate, Group, Denominator "
        "or Other)", csv_quote(ts, tl, q, sizeof q));
    return R_UNSET;
}

/* A Group, Denominator or Other row: a data column, not a node. 0, or -1 on
 * ENOMEM. */
static int add_column(struct loader *L, enum rtype type, const char *code, size_t cl,
                      long line)
{
    if (type == R_GROUP) {
        int k = L->ngroup;
        return add_str(&L->group, &L->gline, &L->ngroup, &L->galloc, code, line) != 0 ||
               strmap_put(L->codes, code, cl, -2 - k) != 0 ? -1 : 0;
    }
    int k = L->ndenom;
    return add_str(&L->denom, &L->dline, &L->ndenom, &L->dalloc, code, line) != 0 ||
           mark_other(L, k, type == R_OTHER) != 0 ||
           strmap_put(L->codes, code, cl, DENOM_BASE - k) != 0 ? -1 : 0;
}

/* The line a code was first defined on (0 when new). */
static long first_line(const struct loader *L, int prev)
{
    return prev >= 0 ? L->r[prev].line
         : prev == -1 ? 0
         : prev > DENOM_BASE ? L->gline[-2 - prev]
         : L->dline[DENOM_BASE - prev];
}

/* The level and direction columns of row w. */
static void row_level_direction(struct loader *L, struct row *w, long line)
{
    char q[64];
    size_t ll, dl;
    const char *ls = fld(L, F_LEVEL, &ll), *ds = fld(L, F_DIRECTION, &dl);
    if (ls && !blank_or_na(ls, ll)) {
        double lv;
        enum csv_num st = csv_parse_double(ls, ll, &lv, NULL, 0);
        if (st != CSV_NUM_OK || lv < 1 || lv > 1000 || lv != floor(lv))
            err(L, line, F_LEVEL, "level must be a whole number from 1 up, not '%s'",
                csv_quote(ls, ll, q, sizeof q));
        else
            w->level = (int)lv;
    }
    w->direction = 1;
    if (ds && !blank_or_na(ds, dl)) {
        double dv;
        enum csv_num st = csv_parse_double(ds, dl, &dv, NULL, 0);
        if (st == CSV_NUM_OK && (dv == 1 || dv == -1))
            w->direction = (int)dv;
        else
            err(L, line, F_DIRECTION, "direction must be 1 or -1, not '%s'",
                csv_quote(ds, dl, q, sizeof q));
    }
}

/* The numbers of row w: weight, target, goalposts and range. */
static void row_numbers(struct loader *L, struct row *w, long line)
{
    w->weight = num(L, F_WEIGHT, 1.0, "weight");
    if (w->weight < 0) {
        err(L, line, F_WEIGHT, "negative weight %g (weights must be 0 or more)", w->weight);
        w->weight = 0;
    }
    w->target = num(L, F_TARGET, NAN, "target");
    w->lower = num(L, F_LOWER, NAN, "lower");
    w->upper = num(L, F_UPPER, NAN, "upper");
    w->min = num(L, F_MIN, NAN, "min");
    w->max = num(L, F_MAX, NAN, "max");
    if (w->min > w->max)
        err(L, line, F_MAX, "min %g is greater than max %g", w->min, w->max);
    if (w->lower > w->upper)
        err(L, line, F_UPPER, "lower %g is greater than upper %g", w->lower, w->upper);
}

/* A node row (indicator or aggregate) into L->r. 0, or -1 on ENOMEM. */
static int add_node(struct loader *L, enum rtype type, const char *code, size_t cl, long line)
{
    if (L->nr == L->ralloc) {
        int na = L->ralloc ? L->ralloc * 2 : 64;
        struct row *nv = realloc(L->r, (size_t)na * sizeof *nv);
        if (!nv)
            return -1;
        L->r = nv;
        L->ralloc = na;
    }
    struct row *w = &L->r[L->nr];
    memset(w, 0, sizeof *w);
    w->code = code;
    w->line = line;
    w->type = type;
    w->pidx = -1;
    size_t pl;
    const char *ps = fld(L, F_PARENT, &pl);
    w->parent = blank_or_na(ps, pl) ? NULL : ps;
    w->name = text(L, F_NAME);
    w->unit = text(L, F_UNIT);
    w->denom = text(L, F_DENOM);
    w->adapted = text(L, F_ADAPTED);
    row_level_direction(L, w, line);
    row_numbers(L, w, line);
    if (strmap_put(L->codes, code, cl, L->nr) != 0)
        return -1;
    L->nr++;
    return 0;
}

static int read_rows(struct loader *L)
{
    struct csv *c = L->c;
    size_t width = c->nf;
    int nind = 0, r;
    while ((r = csv_next(c, L->d)) > 0) {
        if (csv_check_width(c, L->d, width) != 0) {
            L->errors++;
            continue;
        }
        long line = c->line_no;
        size_t cl;
        const char *code = fld(L, F_CODE, &cl);
        if (csv_blank(code, cl)) {
            err(L, line, F_CODE, "empty %s", code_name(L));
            continue;
        }
        enum rtype type = row_type(L, line);
        int prev = strmap_get(L->codes, code, cl);
        if (prev != -1) {
            err(L, line, F_CODE, "duplicate code '%s' (first defined on line %ld)", code,
                first_line(L, prev));
            continue;
        }
        if (type == R_GROUP || type == R_DENOM || type == R_OTHER) {
            if (add_column(L, type, code, cl, line) != 0)
                return -1;
            continue;
        }
        if ((type == R_IND || type == R_UNSET) && ++nind > FW_MAX_INDICATORS) {
            err(L, line, F_CODE, "more than %d indicators", FW_MAX_INDICATORS);
            return -1;
        }
        if (add_node(L, type, code, cl, line) != 0)
            return -1;
    }
    return r < 0 ? -1 : 0;
}

/* Resolve parents, count roots, find cycles. Returns the root's row or -1. */
static int link_tree(struct loader *L)
{
    int root = -1;
    int bad = 0;
    for (int i = 0; i < L->nr; i++) {
        struct row *w = &L->r[i];
        if (!w->parent) {
            if (root < 0) {
                root = i;
            } else {
                err(L, w->line, F_PARENT,
                    "second root '%s': only one node may have an empty parent "
                    "(the first root is '%s' on line %ld)",
                    w->code, L->r[root].code, L->r[root].line);
                bad = 1;
            }
            continue;
        }
        int p = strmap_get(L->codes, w->parent, strlen(w->parent));
        if (p == -1) {
            err(L, w->line, F_PARENT, "unknown parent '%s'", w->parent);
            bad = 1;
        } else if (p < 0) {
            err(L, w->line, F_PARENT, "parent '%s' is %s row, not a node of the tree",
                w->parent, column_kind(L, p));
            bad = 1;
        } else if (p == i) {
            err(L, w->line, F_PARENT, "'%s' is its own parent", w->code);
            bad = 1;
        } else {
            w->pidx = p;
            if (L->r[p].type == R_IND) {
                err(L, w->line, F_PARENT,
                    "parent '%s' is an indicator (line %ld); indicators cannot have children",
                    w->parent, L->r[p].line);
                bad = 1;
            }
        }
    }
    if (L->nr > 0 && root < 0) {
        err(L, 1, F_PARENT, "no root: every node has a parent");
        bad = 1;
    }
    /* cycles: walk up from each node; state 0 new, 1 on this walk, 2 done */
    unsigned char *state = calloc((size_t)(L->nr > 0 ? L->nr : 0) + 1, 1);
    if (!state)
        return -1;
    for (int i = 0; i < L->nr; i++) {
        int j = i;
        while (j >= 0 && state[j] == 0) {
            state[j] = 1;
            j = L->r[j].pidx;
        }
        if (j >= 0 && state[j] == 1) {
            /* cycle through j: name it from its earliest row in file order */
            int first = j;
            for (int k = L->r[j].pidx; k != j; k = L->r[k].pidx)
                if (k < first)
                    first = k;
            char msg[512];
            size_t off = 0;
            int k = first;
            do {
                int n = snprintf(msg + off, sizeof msg - off, "%s -> ", L->r[k].code);
                if (n < 0 || (size_t)n >= sizeof msg - off) {
                    off = sizeof msg - 1;
                    break;
                }
                off += (size_t)n;
                k = L->r[k].pidx;
            } while (k != first);
            if (off < sizeof msg - 1)
                snprintf(msg + off, sizeof msg - off, "%s", L->r[first].code);
            err(L, L->r[first].line, F_PARENT, "cycle in the tree: %s", msg);
            bad = 1;
        }
        for (j = i; j >= 0 && state[j] == 1; j = L->r[j].pidx)
            state[j] = 2;
    }
    free(state);
    return bad ? -2 : root;
}

static void post_order(struct loader *L, int i, int *next)
{
    struct row *w = &L->r[i];
    for (int k = 0; k < w->nchild; k++)
        post_order(L, w->child[k], next);
    if (w->type == R_AGG)
        w->newidx = (*next)++;
}

/* A copy of s, or of dflt when s is NULL; NULL when both are (or on ENOMEM). */
static char *dup_or(const char *s, const char *dflt)
{
    if (!s)
        s = dflt;
    return s ? strdup(s) : NULL;
}

/* Everything after linking: children, types, depth, levels, output. */
/* Each row's children, in file order, into childbuf; rows without a type
 * become aggregates when they have children, else indicators. */
static void link_children(struct loader *L, int *childbuf)
{
    int n = L->nr, off = 0;
    for (int i = 0; i < n; i++)
        if (L->r[i].pidx >= 0)
            L->r[L->r[i].pidx].nchild++;
    for (int i = 0; i < n; i++) {
        L->r[i].child = childbuf + off;
        off += L->r[i].nchild;
        L->r[i].nchild = 0;
    }
    for (int i = 0; i < n; i++)
        if (L->r[i].pidx >= 0) {
            struct row *p = &L->r[L->r[i].pidx];
            p->child[p->nchild++] = i;
        }
    for (int i = 0; i < n; i++)
        if (L->r[i].type == R_UNSET)
            L->r[i].type = L->r[i].nchild ? R_AGG : R_IND;
}

/* Breadth-first from the root into bfs: each row's depth. Returns the rows
 * visited, or -1 after reporting a tree too deep. */
static int depths(struct loader *L, int root, int *bfs)
{
    int head = 0, tail = 0;
    bfs[tail++] = root;
    L->r[root].depth = 1;
    while (head < tail) {
        struct row *w = &L->r[bfs[head++]];
        if (w->depth > FW_MAX_DEPTH) {
            err(L, w->line, F_PARENT, "tree deeper than %d levels ('%s' is at depth %d)",
                FW_MAX_DEPTH, w->code, w->depth);
            return -1;
        }
        for (int k = 0; k < w->nchild; k++) {
            L->r[w->child[k]].depth = w->depth + 1;
            bfs[tail++] = w->child[k];
        }
    }
    return tail;
}

/* Levels, children before parents (reverse breadth-first order): an
 * indicator is level 1; an aggregate one above its highest child unless
 * given, and it needs an indicator below it. */
static void levels(struct loader *L, const int *bfs, int nvisited)
{
    for (int q = nvisited - 1; q >= 0; q--) {
        struct row *w = &L->r[bfs[q]];
        if (w->type == R_IND) {
            w->has_ind = 1;
            if (!w->level)
                w->level = 1;
            else if (w->level != 1)
                err(L, w->line, F_LEVEL, "indicator '%s' has level %d; indicators are level 1",
                    w->code, w->level);
            continue;
        }
        int maxl = 0;
        for (int k = 0; k < w->nchild; k++) {
            struct row *ch = &L->r[w->child[k]];
            w->has_ind |= ch->has_ind;
            if (ch->level > maxl)
                maxl = ch->level;
        }
        if (!w->has_ind)
            err(L, w->line, F_CODE, "aggregate '%s' has no indicator below it", w->code);
        if (!w->level) {
            w->level = maxl + 1;
            continue;
        }
        for (int k = 0; k < w->nchild; k++) {
            struct row *ch = &L->r[w->child[k]];
            if (ch->level >= w->level)
                err(L, ch->line, F_LEVEL,
                    "level %d of '%s' is not below the level %d of its parent '%s'",
                    ch->level, ch->code, w->level, w->code);
        }
    }
}

/* Denominators named by nodes must be Denominator rows. */
static void check_denominators(struct loader *L)
{
    for (int i = 0; i < L->nr; i++) {
        const char *dn = L->r[i].denom;
        if (!dn)
            continue;
        int v = strmap_get(L->codes, dn, strlen(dn));
        if (v > DENOM_BASE || (v < -1 && L->dother[DENOM_BASE - v]))
            err(L, L->r[i].line, F_DENOM,
                "denominator '%s' is not a Denominator row of the framework%s%s%s", dn,
                v < -1 ? " (it is " : "", v < -1 ? column_kind(L, v) : "",
                v < -1 ? " row)" : "");
    }
}

/* Row w as node nd of the framework. 0, or -1 on ENOMEM. */
static int fill_node(const struct loader *L, const struct row *w, struct fw_node *nd)
{
    nd->code = dup_or(w->code, NULL);
    nd->name = dup_or(w->name, "");
    nd->unit = dup_or(w->unit, "");
    nd->denominator = w->denom ? dup_or(w->denom, NULL) : NULL;
    nd->adapted = w->adapted ? dup_or(w->adapted, NULL) : NULL;
    if (!nd->code || !nd->name || !nd->unit || (w->denom && !nd->denominator) ||
        (w->adapted && !nd->adapted))
        return -1;
    nd->type = w->type == R_IND ? NODE_INDICATOR : NODE_AGGREGATE;
    nd->level = w->level;
    nd->weight = w->weight;
    nd->direction = w->direction;
    nd->target = w->target;
    nd->lower = w->lower;
    nd->upper = w->upper;
    nd->min = w->min;
    nd->max = w->max;
    nd->parent = w->pidx >= 0 ? L->r[w->pidx].newidx : -1;
    nd->line = w->line;
    nd->nchild = w->nchild;
    if (w->nchild) {
        nd->child = malloc((size_t)w->nchild * sizeof *nd->child);
        if (!nd->child)
            return -1;
        for (int k = 0; k < w->nchild; k++)
            nd->child[k] = L->r[w->child[k]].newidx;
    }
    return 0;
}

/* The framework of the checked rows, nodes renumbered: indicators first in
 * file order, then the aggregates in post-order. NULL on ENOMEM. */
static struct framework *assemble(struct loader *L, int root)
{
    int n = L->nr, nind = 0;
    for (int i = 0; i < n; i++)
        if (L->r[i].type == R_IND)
            L->r[i].newidx = nind++;
    int next = nind;
    post_order(L, root, &next);
    struct framework *fw = calloc(1, sizeof *fw);
    if (!fw)
        return NULL;
    fw->nnode = next;
    fw->nind = nind;
    fw->root = next - 1;
    fw->nlevel = L->r[root].level;
    fw->path = dup_or(L->c->path, "");
    fw->node = calloc((size_t)next, sizeof *fw->node);
    fw->index = strmap_new();
    fw->ngroup = L->ngroup;
    fw->ndenom = L->ndenom;
    fw->group = calloc((size_t)L->ngroup + 1, sizeof *fw->group);
    fw->denom = calloc((size_t)L->ndenom + 1, sizeof *fw->denom);
    int ok = fw->path && fw->node && fw->index && fw->group && fw->denom;
    for (int i = 0; ok && i < n; i++) {
        const struct row *w = &L->r[i];
        ok = fill_node(L, w, &fw->node[w->newidx]) == 0 &&
             strmap_put(fw->index, w->code, strlen(w->code), w->newidx) == 0;
    }
    for (int k = 0; ok && k < L->ngroup; k++)
        ok = (fw->group[k] = dup_or(L->group[k], NULL)) != NULL;
    for (int k = 0; ok && k < L->ndenom; k++)
        ok = (fw->denom[k] = dup_or(L->denom[k], NULL)) != NULL;
    if (!ok) {
        framework_free(fw);
        return NULL;
    }
    return fw;
}

static int build(struct loader *L, int root, struct framework **out)
{
    int n = L->nr, rc = -1;
    int *childbuf = malloc(((size_t)n + 1) * sizeof *childbuf);
    int *bfs = malloc(((size_t)n + 1) * sizeof *bfs);
    if (!childbuf || !bfs) {
        diag_add(L->d, LCME_ENOMEM, L->c->path, 0, 0, "out of memory");
        goto done;
    }
    link_children(L, childbuf);
    int nvisited = depths(L, root, bfs);
    if (nvisited < 0)
        goto done;
    levels(L, bfs, nvisited);
    check_denominators(L);
    if (L->errors)
        goto done;
    if (!(*out = assemble(L, root))) {
        diag_add(L->d, LCME_ENOMEM, L->c->path, 0, 0, "out of memory");
        goto done;
    }
    rc = 0;
done:
    free(childbuf);
    free(bfs);
    return rc;
}

int framework_load(struct framework **out, const char *path, struct diag *d)
{
    *out = NULL;
    struct loader L;
    memset(&L, 0, sizeof L);
    L.d = d;
    if (csv_open(&L.c, path, d) != 0)
        return -1;
    int rc = -1;
    L.codes = strmap_new();
    if (!L.codes) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if (csv_header(L.c, d) <= 0)
        goto done;
    if (map_header(&L) != 0)
        goto done;
    if (read_rows(&L) != 0) {
        if (!L.errors && diag_count(d) == 0)
            diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if (L.nr == 0) {
        diag_input(d, path, 1, 1, "framework has no nodes (only a header)");
        goto done;
    }
    int root = link_tree(&L);
    if (root == -1) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if (root < 0 || L.errors)
        goto done;
    rc = build(&L, root, out);
done:
    free(L.r);
    free((void *)L.group);
    free((void *)L.denom);
    free(L.gline);
    free(L.dline);
    free(L.dother);
    strmap_free(L.codes);
    csv_free(L.c);
    return rc;
}

void framework_free(struct framework *fw)
{
    if (!fw)
        return;
    if (fw->node)
        for (int i = 0; i < fw->nnode; i++) {
            struct fw_node *nd = &fw->node[i];
            free(nd->code);
            free(nd->name);
            free(nd->unit);
            free(nd->denominator);
            free(nd->adapted);
            free(nd->child);
        }
    free(fw->node);
    if (fw->group)
        for (int k = 0; k < fw->ngroup; k++)
            free(fw->group[k]);
    if (fw->denom)
        for (int k = 0; k < fw->ndenom; k++)
            free(fw->denom[k]);
    free(fw->group);
    free(fw->denom);
    strmap_free(fw->index);
    free(fw->path);
    free(fw);
}

int framework_find(const struct framework *fw, const char *code)
{
    return strmap_get(fw->index, code, strlen(code));
}

void framework_effective_weights(const struct framework *fw, double *w)
{
    /* parents come after their children: walk from the root down */
    for (int i = 0; i < fw->nnode; i++)
        w[i] = 0;
    w[fw->root] = 1;
    for (int i = fw->nnode - 1; i >= 0; i--) {
        const struct fw_node *p = &fw->node[i];
        double sum = 0;
        for (int k = 0; k < p->nchild; k++)
            sum += fw->node[p->child[k]].weight;
        for (int k = 0; k < p->nchild; k++) {
            int c = p->child[k];
            w[c] = sum > 0 ? w[i] * fw->node[c].weight / sum : 0;
        }
    }
}

int framework_unit_is_percent(const char *s)
{
    if (!s) return 0;
    if (strchr(s, '%')) return 1;
    for (const char *p = s; *p; p++) {
        const char *a = p, *b = "percent";
        while (*a && *b && tolower((unsigned char)*a) == *b) {
            a++;
            b++;
        }
        if (!*b) return 1;
    }
    return 0;
}
