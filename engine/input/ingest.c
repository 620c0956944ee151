/* ingest.c: read the units file and observation files (long or wide CSV)
 * into an obsset, checking every row against the framework; build a cube from
 * an obsset; SHA-256 of the files read.
 *
 * A file is read into a staging area (struct stage): the observations, the
 * units first seen in it, and the names and attribute values it gives.
 * Strings in the stage point into the CSV buffer. Only when the whole file is
 * clean is the stage committed: every new array is built first and then
 * swapped in, so on any error the obsset is exactly as it was.
 *
 * Duplicates of (unit, year, indicator) are found with an open-addressing
 * table keyed by unit << 40 | ind << 16 | year (each below 2^24, 2^24 and
 * 2^16), built over the set's rows and the staged ones; its value is the
 * row's position, so the message can name the earlier file and line.
 */
#include "ingest.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "csv.h"
#include "cube.h"
#include "strmap.h"

#define INGEST_MAX_UNITS 100000
#define INGEST_MAX_ROWS 50000000

/* ------------------------------------------------------------------ */
/* small helpers                                                       */


static void free_strs(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------ */
/* obsset                                                              */

struct obsset *obsset_new(void)
{
    struct obsset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->unit_index = strmap_new();
    if (!s->unit_index) {
        free(s);
        return NULL;
    }
    return s;
}

void obsset_free(struct obsset *s)
{
    if (!s)
        return;
    free(s->v);
    free_strs(s->unit, s->nunit);
    free_strs(s->unit_name, s->nunit);
    free_strs(s->attr, s->nunit * s->nattr);
    free_strs(s->attr_name, s->nattr);
    for (size_t i = 0; i < s->nfile; i++) {
        free(s->file[i].path);
        free(s->file[i].name);
    }
    free(s->file);
    strmap_free(s->unit_index);
    free(s);
}

/* ------------------------------------------------------------------ */
/* duplicate detection                                                 */

/* Key of (unit, ind, year): unit < 2^17 (at most 100,000 units), year - 1000
 * < 2^14, ind in the 33 bits above. */
static uint64_t dup_key(int unit, int ind, int year)
{
    return ((uint64_t)(unsigned)ind << 31) | ((uint64_t)(unsigned)unit << 14) |
           (uint64_t)(unsigned)(year - 1000);
}

struct keypos {
    uint64_t key;
    uint64_t pos;
};

/* Stable LSD radix sort on key, 16 bits a pass, as many passes as the
 * largest key needs. tmp has n slots. Returns the array that holds the
 * result (a or tmp). */
static struct keypos *radix_sort(struct keypos *a, struct keypos *tmp, size_t n,
                                 size_t *count)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i].key > max)
            max = a[i].key;
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].key >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t k = 0; k < 65536; k++) {
            size_t c = count[k];
            count[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 0xFFFF]++] = a[i];
        struct keypos *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static int cmp_pos(const void *x, const void *y)
{
    uint64_t a = ((const struct keypos *)x)->pos, b = ((const struct keypos *)y)->pos;
    return (a > b) - (a < b);
}

/* ------------------------------------------------------------------ */
/* staging                                                             */

struct sattr {
    int unit;          /* obsset unit index, or nunit + new-unit index */
    int attr;          /* obsset attr index, or nattr + new-attr index */
    const char *val;
};

struct sname {
    int unit;
    const char *name;
};

struct stage {
    struct obsset *s;
    struct csv *c;
    struct diag *d;
    int errors;
    int stop;                /* a limit was hit: stop reading */
    struct strmap *newu;     /* code -> new-unit index */
    const char **ucode;      /* new units' codes */
    long *uline;
    size_t nnew, anew;
    const char **aname;      /* new attribute names */
    size_t nanew, aanew;
    struct sattr *attr;
    size_t nattr, aattr;
    struct sname *name;
    size_t nname, aname_alloc;   /* staged names and their capacity */
    struct obs *obs;
    size_t nobs, aobs;
    long vcol;               /* long: the value column */
    const int *widx;         /* wide: ind of each column, -1 when none */
    size_t wwidth;
    int fileidx;
};

#define GROW(ptr, n, alloc)                                                   \
    ((n) < (alloc) ? 0                                                        \
                   : grow_array((void **)&(ptr), &(alloc), sizeof *(ptr)))

static int grow_array(void **p, size_t *alloc, size_t size)
{
    size_t na = *alloc ? *alloc * 2 : 64;
    void *np = realloc(*p, na * size);
    if (!np)
        return -1;
    *p = np;
    *alloc = na;
    return 0;
}

static int stage_init(struct stage *g, struct obsset *s, struct diag *d)
{
    memset(g, 0, sizeof *g);
    g->s = s;
    g->d = d;
    g->fileidx = (int)s->nfile;
    g->newu = strmap_new();
    return g->newu ? 0 : -1;
}

static void stage_free(struct stage *g)
{
    strmap_free(g->newu);
    free((void *)g->ucode);
    free(g->uline);
    free((void *)g->aname);
    free(g->attr);
    free(g->name);
    free(g->obs);
    csv_free(g->c);
}

static void nomem(struct stage *g)
{
    if (!g->stop)
        diag_add(g->d, LCME_ENOMEM, g->c ? g->c->path : NULL, 0, 0, "out of memory");
    g->stop = 1;
    g->errors++;
}

/* Unit index for code (existing or staged); adds a staged unit unless the
 * units are fixed. Returns -1 after reporting. */
static int stage_unit(struct stage *g, const char *code, size_t len, long col)
{
    struct obsset *s = g->s;
    int u = strmap_get(s->unit_index, code, len);
    if (u >= 0)
        return u;
    int k = strmap_get(g->newu, code, len);
    if (k >= 0)
        return (int)s->nunit + k;
    char q[64];
    if (s->units_fixed) {
        csv_error(g->c, g->d, col, "unknown unit '%s' (not in the units file)",
                  csv_quote(code, len, q, sizeof q));
        g->errors++;
        return -1;
    }
    if (s->nunit + g->nnew >= INGEST_MAX_UNITS) {
        csv_error(g->c, g->d, col, "more than %d units", INGEST_MAX_UNITS);
        g->errors++;
        g->stop = 1;
        return -1;
    }
    if (GROW(g->ucode, g->nnew, g->anew) != 0) {
        nomem(g);
        return -1;
    }
    /* uline grows in step with ucode */
    long *nl = realloc(g->uline, g->anew * sizeof *nl);
    if (!nl) {
        nomem(g);
        return -1;
    }
    g->uline = nl;
    g->ucode[g->nnew] = code;
    g->uline[g->nnew] = g->c->line_no;
    if (strmap_put(g->newu, code, len, (int)g->nnew) != 0) {
        nomem(g);
        return -1;
    }
    return (int)s->nunit + (int)g->nnew++;
}

/* Index of attribute name (existing or staged), adding it when missing. */
static int stage_attr_name(struct stage *g, const char *name)
{
    for (size_t a = 0; a < g->s->nattr; a++)
        if (strcmp(g->s->attr_name[a], name) == 0)
            return (int)a;
    for (size_t a = 0; a < g->nanew; a++)
        if (strcmp(g->aname[a], name) == 0)
            return (int)(g->s->nattr + a);
    if (GROW(g->aname, g->nanew, g->aanew) != 0) {
        nomem(g);
        return -1;
    }
    g->aname[g->nanew] = name;
    return (int)(g->s->nattr + g->nanew++);
}

static void stage_attr(struct stage *g, int unit, int attr, const char *val)
{
    if (GROW(g->attr, g->nattr, g->aattr) != 0) {
        nomem(g);
        return;
    }
    g->attr[g->nattr++] = (struct sattr){unit, attr, val};
}

static void stage_name(struct stage *g, int unit, const char *name)
{
    if (GROW(g->name, g->nname, g->aname_alloc) != 0) {
        nomem(g);
        return;
    }
    g->name[g->nname++] = (struct sname){unit, name};
}

/* Position p in (set rows, then staged rows) as "FILE:LINE". */
static void where(const struct stage *g, size_t p, char *buf, size_t len)
{
    const struct obsset *s = g->s;
    if (p < s->n) {
        const struct obs *o = &s->v[p];
        snprintf(buf, len, "%s:%ld", s->file[o->file].path, o->line);
    } else {
        snprintf(buf, len, "%s:%ld", g->c->path, g->obs[p - s->n].line);
    }
}

static const char *ind_code(const struct framework *fw, int ind)
{
    return ind < fw->nnode ? fw->node[ind].code : fw->denom[ind - fw->nnode];
}

/* Stage one observation (duplicates are found afterwards by stage_dedup). */
static void stage_obs(struct stage *g, const struct obs *o, long col)
{
    if (g->s->n + g->nobs >= INGEST_MAX_ROWS) {
        csv_error(g->c, g->d, col, "more than %d observations", INGEST_MAX_ROWS);
        g->errors++;
        g->stop = 1;
        return;
    }
    if (GROW(g->obs, g->nobs, g->aobs) != 0) {
        nomem(g);
        return;
    }
    g->obs[g->nobs++] = *o;
}

/* Report every staged observation whose (unit, year, indicator) is already in
 * the set or earlier in the file. One radix sort of all keys (stable, so
 * equal keys stay in row order) instead of a hash table: on 500,000 rows the
 * table's random probes were a quarter of the ingest time. */
static void stage_dedup(struct stage *g, const struct framework *fw)
{
    struct obsset *s = g->s;
    size_t n = s->n + g->nobs;
    if (g->nobs == 0)
        return;
    struct keypos *a = csv_big_alloc(n * sizeof *a);
    struct keypos *tmp = csv_big_alloc(n * sizeof *tmp);
    size_t *count = malloc(65536 * sizeof *count);
    if (!a || !tmp || !count) {
        free(a);
        free(tmp);
        free(count);
        nomem(g);
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        a[i] = (struct keypos){dup_key(s->v[i].unit, s->v[i].ind, s->v[i].year), i};
    for (size_t i = 0; i < g->nobs; i++)
        a[s->n + i] = (struct keypos){dup_key(g->obs[i].unit, g->obs[i].ind, g->obs[i].year),
                                      s->n + i};
    struct keypos *r = radix_sort(a, tmp, n, count);
    struct keypos *dups_ = r == a ? tmp : a;  /* reuse the other array */
    size_t nd = 0;
    for (size_t i = 1, first = 0; i < n; i++) {
        if (r[i].key != r[first].key) {
            first = i;
            continue;
        }
        /* pos: this row; key slot reused for the first row's position */
        dups_[nd++] = (struct keypos){r[first].pos, r[i].pos};
    }
    qsort(dups_, nd, sizeof *dups_, cmp_pos);   /* report in row order */
    for (size_t k = 0; k < nd; k++) {
        const struct obs *o = &g->obs[dups_[k].pos - s->n];
        char at[512];
        where(g, (size_t)dups_[k].key, at, sizeof at);
        const char *ucode = o->unit < (int)s->nunit ? s->unit[o->unit]
                                                    : g->ucode[o->unit - (int)s->nunit];
        long col = g->vcol;
        for (size_t j = 0; g->widx && j < g->wwidth; j++)
            if (g->widx[j] == o->ind)
                col = (long)j + 1;
        diag_input(g->d, g->c->path, o->line, col,
                   "duplicate observation for unit '%s', year %d, indicator '%s' "
                   "(first given at %s)",
                   ucode, o->year, ind_code(fw, o->ind), at);
        g->errors++;
    }
    free(a);
    free(tmp);
    free(count);
}

/* Build the new obsset arrays and swap them in. The file record is added
 * when src is non-NULL. Returns 0 or -1 (ENOMEM, s unchanged). */
static int stage_commit(struct stage *g, const struct obs_source *src, int names_win)
{
    struct obsset *s = g->s;
    size_t nu = s->nunit + g->nnew, na = s->nattr + g->nanew;
    char **unit = NULL, **uname = NULL, **aname = NULL, **attr = NULL;
    struct obs *v = NULL;
    struct obs_source *files = NULL;
    size_t nattr_cells = nu * na;
    int ok = 0;

    unit = calloc(nu ? nu : 1, sizeof *unit);
    uname = calloc(nu ? nu : 1, sizeof *uname);
    aname = calloc(na ? na : 1, sizeof *aname);
    attr = calloc(nattr_cells ? nattr_cells : 1, sizeof *attr);
    if (!unit || !uname || !aname || !attr)
        goto out;
    for (size_t u = 0; u < nu; u++) {
        unit[u] = u < s->nunit ? strdup(s->unit[u]) : strdup(g->ucode[u - s->nunit]);
        uname[u] = strdup(u < s->nunit ? s->unit_name[u] : "");
        if (!unit[u] || !uname[u])
            goto out;
    }
    for (size_t a = 0; a < na; a++)
        if (!(aname[a] = strdup(a < s->nattr ? s->attr_name[a] : g->aname[a - s->nattr])))
            goto out;
    for (size_t u = 0; u < nu; u++)
        for (size_t a = 0; a < na; a++) {
            const char *old = (u < s->nunit && a < s->nattr) ? s->attr[u * s->nattr + a] : "";
            if (!(attr[u * na + a] = strdup(old)))
                goto out;
        }
    for (size_t i = 0; i < g->nname; i++) {
        const struct sname *sn = &g->name[i];
        if (!sn->name[0] || (!names_win && uname[sn->unit][0]))
            continue;
        char *p = strdup(sn->name);
        if (!p)
            goto out;
        free(uname[sn->unit]);
        uname[sn->unit] = p;
    }
    for (size_t i = 0; i < g->nattr; i++) {
        const struct sattr *sa = &g->attr[i];
        if (!sa->val[0])
            continue;
        char *p = strdup(sa->val);
        if (!p)
            goto out;
        size_t cell = (size_t)sa->unit * na + (size_t)sa->attr;
        free(attr[cell]);
        attr[cell] = p;
    }
    if (g->nobs && s->n == 0) {
        /* the common case: take the staged rows as they are, trimmed */
        v = realloc(g->obs, g->nobs * sizeof *v);
        if (!v)
            v = g->obs;
        g->obs = NULL;
    } else if (g->nobs) {
        v = malloc((s->n + g->nobs) * sizeof *v);
        if (!v)
            goto out;
        memcpy(v, s->v, s->n * sizeof *v);
        memcpy(v + s->n, g->obs, g->nobs * sizeof *v);
    }
    if (src) {
        files = malloc((s->nfile + 1) * sizeof *files);
        if (!files)
            goto out;
        if (s->nfile)
            memcpy(files, s->file, s->nfile * sizeof *files);
        files[s->nfile] = *src;
    }
    /* new unit codes into a fresh index, so a failure leaves the old one */
    if (g->nnew) {
        struct strmap *m = strmap_new();
        if (!m)
            goto out;
        for (size_t u = 0; u < nu; u++)
            if (strmap_put(m, unit[u], strlen(unit[u]), (int)u) != 0) {
                strmap_free(m);
                goto out;
            }
        strmap_free(s->unit_index);
        s->unit_index = m;
    }
    ok = 1;
out:
    if (!ok) {
        free_strs(unit, nu);
        free_strs(uname, nu);
        free_strs(aname, na);
        free_strs(attr, nattr_cells);
        if (v && !g->obs)
            g->obs = v;      /* give the staged rows back */
        else
            free(v);
        free(files);
        return -1;
    }
    free_strs(s->unit, s->nunit);
    free_strs(s->unit_name, s->nunit);
    free_strs(s->attr, s->nunit * s->nattr);
    free_strs(s->attr_name, s->nattr);
    s->unit = unit;
    s->unit_name = uname;
    s->attr_name = aname;
    s->attr = attr;
    s->nunit = nu;
    s->nattr = na;
    if (v) {
        free(s->v);
        s->v = v;
        s->n += g->nobs;
        s->alloc = s->n;
    }
    if (files) {
        free(s->file);
        s->file = files;
        s->nfile++;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* units file                                                          */

int ingest_units(struct obsset *s, const char *path, struct diag *d)
{
    struct stage g;
    if (stage_init(&g, s, d) != 0) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        return -1;
    }
    int rc = -1;
    if (csv_open(&g.c, path, d) != 0)
        goto done;
    struct csv *c = g.c;
    int r = csv_header(c, d);
    if (r <= 0)
        goto done;
    size_t width = c->nf;
    long ucol = 0, ncol = 0;
    int *acol = calloc(width, sizeof *acol); /* attr index per column, -1 none */
    if (!acol) {
        nomem(&g);
        goto done;
    }
    char q[64];
    for (size_t i = 0; i < width; i++) {
        acol[i] = -1;
        const char *h = c->f[i];
        size_t hl = c->flen[i];
        if (csv_name_is(h, hl, "unit") || csv_name_is(h, hl, "uCode")) {
            if (ucol) {
                csv_error(c, d, (long)i + 1, "duplicate unit column '%s'", csv_quote(h, hl, q, sizeof q));
                g.errors++;
            }
            ucol = (long)i + 1;
        } else if (csv_name_is(h, hl, "name") || csv_name_is(h, hl, "uName")) {
            if (ncol) {
                csv_error(c, d, (long)i + 1, "duplicate name column '%s'", csv_quote(h, hl, q, sizeof q));
                g.errors++;
            }
            ncol = (long)i + 1;
        } else if (csv_blank(h, hl)) {
            csv_error(c, d, (long)i + 1, "empty column name in the header");
            g.errors++;
        } else {
            for (size_t j = 0; j < i; j++)
                if (acol[j] >= 0 && csv_name_is(c->f[j], c->flen[j], h)) {
                    csv_error(c, d, (long)i + 1, "duplicate column '%s'", csv_quote(h, hl, q, sizeof q));
                    g.errors++;
                }
            acol[i] = stage_attr_name(&g, h);
        }
    }
    if (!ucol) {
        csv_error(c, d, 1, "no 'unit' column (nor COINr's 'uCode') in the units header");
        g.errors++;
    }
    if (g.errors) {
        free(acol);
        goto done;
    }
    struct strmap *seen = strmap_new();
    long *seen_line = NULL;
    size_t nseen = 0, aseen = 0;
    if (!seen) {
        nomem(&g);
        free(acol);
        goto done;
    }
    while (!g.stop && (r = csv_next(c, d)) > 0) {
        if (csv_check_width(c, d, width) != 0) {
            g.errors++;
            continue;
        }
        const char *code = c->f[ucol - 1];
        size_t cl = c->flen[ucol - 1];
        if (csv_blank(code, cl)) {
            csv_error(c, d, ucol, "empty unit code");
            g.errors++;
            continue;
        }
        int prev = strmap_get(seen, code, cl);
        if (prev >= 0) {
            csv_error(c, d, ucol, "duplicate unit '%s' (first on line %ld)",
                      csv_quote(code, cl, q, sizeof q), seen_line[prev]);
            g.errors++;
            continue;
        }
        if (GROW(seen_line, nseen, aseen) != 0 || strmap_put(seen, code, cl, (int)nseen) != 0) {
            nomem(&g);
            break;
        }
        seen_line[nseen++] = c->line_no;
        int saved = s->units_fixed;
        s->units_fixed = 0;
        int u = stage_unit(&g, code, cl, ucol);
        s->units_fixed = saved;
        if (u < 0)
            continue;
        if (ncol)
            stage_name(&g, u, c->f[ncol - 1]);
        for (size_t i = 0; i < width; i++)
            if (acol[i] >= 0)
                stage_attr(&g, u, acol[i], c->f[i]);
    }
    strmap_free(seen);
    free(seen_line);
    free(acol);
    if (r >= 0 && !g.errors && c->nrec == 1) {
        diag_input(d, path, 1, 1, "no data rows (only a header)");
        g.errors++;
    }
    if (r < 0 || g.errors)
        goto done;
    if (stage_commit(&g, NULL, 1) != 0) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    s->units_fixed = 1;
    rc = 0;
done:
    stage_free(&g);
    return rc;
}

/* ------------------------------------------------------------------ */
/* data files                                                          */

enum lcol { L_UNIT, L_YEAR, L_IND, L_VALUE, L_SE, L_N, L_LOWER, L_UPPER, L_FLAG,
            L_SOURCE, L_NAME, L_NCOL };
static const char *const lcol_name[L_NCOL] = {
    "unit", "year", "indicator", "value", "se", "n", "lower", "upper", "flag",
    "source", "name",
};

/* What an indicator-like code is in the framework. */
struct codes {
    struct strmap *group, *denom;
};

/* Parse an optional number in column col (0 = absent). */
static double opt_num(struct stage *g, long col, int *bad)
{
    if (!col)
        return NAN;
    struct csv *c = g->c;
    double v;
    char msg[256];
    enum csv_num st = csv_parse_double(c->f[col - 1], c->flen[col - 1], &v, msg, sizeof msg);
    if (st == CSV_NUM_BAD) {
        csv_error(c, g->d, col, "%s", msg);
        g->errors++;
        *bad = 1;
    }
    return v;
}

static int check_range(struct stage *g, const struct framework *fw, int ind, double v, long col)
{
    if (ind >= fw->nind)
        return 0;
    const struct fw_node *nd = &fw->node[ind];
    if (v < nd->min) {
        csv_error(g->c, g->d, col, "value %.15g is below the minimum %.15g declared for '%s'",
                  v, nd->min, nd->code);
        g->errors++;
        return -1;
    }
    if (v > nd->max) {
        csv_error(g->c, g->d, col, "value %.15g is above the maximum %.15g declared for '%s'",
                  v, nd->max, nd->code);
        g->errors++;
        return -1;
    }
    return 0;
}

/* Indicator (or denominator) index for code, or -1 after reporting. */
static int lookup_ind(struct stage *g, const struct framework *fw, const struct codes *cd,
                      const char *code, size_t len, long col)
{
    int i = strmap_get(fw->index, code, len);
    if (i >= 0 && i < fw->nind)
        return i;
    char q[64];
    csv_quote(code, len, q, sizeof q);
    if (i >= 0) {
        csv_error(g->c, g->d, col,
                  "'%s' is an aggregate of the framework; data are given for indicators only", q);
    } else if ((i = strmap_get(cd->denom, code, len)) >= 0) {
        return fw->nnode + i;
    } else if (strmap_get(cd->group, code, len) >= 0) {
        csv_error(g->c, g->d, col, "'%s' is a Group column of the framework, not an indicator", q);
    } else if (len == 0) {
        csv_error(g->c, g->d, col, "empty indicator code");
    } else {
        csv_error(g->c, g->d, col, "unknown indicator '%s' (not in the framework)", q);
    }
    g->errors++;
    return -1;
}

static int row_unit_year(struct stage *g, long ucol, long ycol, int *u, int *year)
{
    struct csv *c = g->c;
    const char *code = c->f[ucol - 1];
    size_t cl = c->flen[ucol - 1];
    int bad = 0;
    if (csv_blank(code, cl)) {
        csv_error(c, g->d, ucol, "empty unit code");
        g->errors++;
        bad = 1;
    } else if ((*u = stage_unit(g, code, cl, ucol)) < 0) {
        bad = 1;
    }
    char msg[256];
    enum csv_num st = csv_parse_year(c->f[ycol - 1], c->flen[ycol - 1], year, msg, sizeof msg);
    if (st == CSV_NUM_MISSING) {
        csv_error(c, g->d, ycol, "empty year");
        g->errors++;
        bad = 1;
    } else if (st == CSV_NUM_BAD) {
        csv_error(c, g->d, ycol, "%s", msg);
        g->errors++;
        bad = 1;
    }
    return bad ? -1 : 0;
}

static void read_long(struct stage *g, const struct framework *fw, const struct codes *cd,
                      const long *col, size_t width)
{
    struct csv *c = g->c;
    struct diag *d = g->d;
    int r;
    while (!g->stop && (r = csv_next(c, d)) > 0) {
        if (csv_check_width(c, d, width) != 0) {
            g->errors++;
            continue;
        }
        int u = -1, year = 0, bad = 0;
        if (row_unit_year(g, col[L_UNIT], col[L_YEAR], &u, &year) != 0)
            bad = 1;
        long icol = col[L_IND];
        int ind = lookup_ind(g, fw, cd, c->f[icol - 1], c->flen[icol - 1], icol);
        if (ind < 0)
            bad = 1;
        if (col[L_NAME] && u >= 0)
            stage_name(g, u, c->f[col[L_NAME] - 1]);
        long vcol = col[L_VALUE];
        double v;
        char msg[256];
        enum csv_num st = csv_parse_double(c->f[vcol - 1], c->flen[vcol - 1], &v, msg, sizeof msg);
        if (st == CSV_NUM_MISSING)
            continue; /* missing: not an observation */
        if (st == CSV_NUM_BAD) {
            csv_error(c, d, vcol, "%s", msg);
            g->errors++;
            bad = 1;
        } else if (ind >= 0 && check_range(g, fw, ind, v, vcol) != 0) {
            bad = 1;
        }
        struct obs o;
        o.unit = u;
        o.ind = ind;
        o.year = year;
        o.file = g->fileidx;
        o.line = c->line_no;
        o.value = v;
        o.se = opt_num(g, col[L_SE], &bad);
        o.n = opt_num(g, col[L_N], &bad);
        o.lower = opt_num(g, col[L_LOWER], &bad);
        o.upper = opt_num(g, col[L_UPPER], &bad);
        o.flag = col[L_FLAG] && !csv_blank(c->f[col[L_FLAG] - 1], c->flen[col[L_FLAG] - 1]);
        if (o.se < 0) {
            csv_error(c, d, col[L_SE], "negative standard error %.15g", o.se);
            g->errors++;
            bad = 1;
        }
        if (o.n <= 0) {
            csv_error(c, d, col[L_N], "sample size n must be greater than 0, not %.15g", o.n);
            g->errors++;
            bad = 1;
        }
        if (o.lower > o.upper) {
            csv_error(c, d, col[L_UPPER], "lower %.15g is greater than upper %.15g", o.lower,
                      o.upper);
            g->errors++;
            bad = 1;
        }
        if (!bad)
            stage_obs(g, &o, vcol);
    }
    if (!g->stop) {
        g->vcol = col[L_VALUE];
        stage_dedup(g, fw);
    }
}

/* 1 when the set already has an attribute column of this name (from the
 * units file or an earlier data file). */
static int has_attr(const struct obsset *s, const char *h, size_t hl)
{
    for (size_t a = 0; a < s->nattr; a++)
        if (strlen(s->attr_name[a]) == hl && memcmp(s->attr_name[a], h, hl) == 0)
            return 1;
    return 0;
}

enum wkind { W_NONE, W_UNIT, W_NAME, W_YEAR, W_IND, W_ATTR };

static void read_wide(struct stage *g, const struct framework *fw, const struct codes *cd)
{
    struct csv *c = g->c;
    struct diag *d = g->d;
    size_t width = c->nf;
    enum wkind *kind = calloc(width, sizeof *kind);
    int *idx = calloc(width, sizeof *idx);
    if (!kind || !idx) {
        free(kind);
        free(idx);
        nomem(g);
        return;
    }
    long ucol = 0, ncol = 0, ycol = 0;
    char q[64];
    for (size_t i = 0; i < width; i++) {
        const char *h = c->f[i];
        size_t hl = c->flen[i];
        long cc = (long)i + 1;
        csv_quote(h, hl, q, sizeof q);
        long *key = NULL;
        enum wkind k = W_NONE;
        if (csv_name_is(h, hl, "unit") || csv_name_is(h, hl, "uCode"))
            key = &ucol, k = W_UNIT;
        else if (csv_name_is(h, hl, "name") || csv_name_is(h, hl, "uName"))
            key = &ncol, k = W_NAME;
        else if (csv_name_is(h, hl, "year") || csv_name_is(h, hl, "Time"))
            key = &ycol, k = W_YEAR;
        if (key) {
            if (*key) {
                csv_error(c, d, cc, "duplicate column '%s' (also column %ld)", q, *key);
                g->errors++;
            }
            *key = cc;
            kind[i] = k;
            continue;
        }
        int n = strmap_get(fw->index, h, hl);
        if (n >= 0 && n < fw->nind) {
            kind[i] = W_IND;
            idx[i] = n;
        } else if (n >= 0) {
            csv_error(c, d, cc,
                      "column '%s' is an aggregate of the framework; data are given for "
                      "indicators only", q);
            g->errors++;
        } else if ((n = strmap_get(cd->denom, h, hl)) >= 0) {
            kind[i] = W_IND;
            idx[i] = fw->nnode + n;
        } else if (strmap_get(cd->group, h, hl) >= 0 || has_attr(g->s, h, hl)) {
            kind[i] = W_ATTR;
            idx[i] = stage_attr_name(g, h);
        } else {
            csv_error(c, d, cc,
                      "column '%s' is neither an indicator of the framework, a Group or "
                      "Denominator column, nor a unit attribute", q);
            g->errors++;
        }
        if (kind[i] == W_IND)
            for (size_t j = 0; j < i; j++)
                if (kind[j] == W_IND && idx[j] == idx[i]) {
                    csv_error(c, d, cc, "duplicate column '%s' (also column %zu)", q, j + 1);
                    g->errors++;
                }
    }
    if (!ucol) {
        csv_error(c, d, 1, "no 'unit' column (nor COINr's 'uCode') in the header");
        g->errors++;
    }
    if (!ycol) {
        csv_error(c, d, 1, "no 'year' column (nor COINr's 'Time') in the header");
        g->errors++;
    }
    if (g->errors) {
        free(kind);
        free(idx);
        return;
    }
    int r;
    while (!g->stop && (r = csv_next(c, d)) > 0) {
        if (csv_check_width(c, d, width) != 0) {
            g->errors++;
            continue;
        }
        int u = -1, year = 0;
        if (row_unit_year(g, ucol, ycol, &u, &year) != 0)
            continue;
        if (ncol)
            stage_name(g, u, c->f[ncol - 1]);
        for (size_t i = 0; i < width && !g->stop; i++) {
            if (kind[i] == W_ATTR) {
                if (idx[i] >= 0)
                    stage_attr(g, u, idx[i], c->f[i]);
                continue;
            }
            if (kind[i] != W_IND)
                continue;
            long cc = (long)i + 1;
            double v;
            char msg[256];
            enum csv_num st = csv_parse_double(c->f[i], c->flen[i], &v, msg, sizeof msg);
            if (st == CSV_NUM_MISSING)
                continue;
            if (st == CSV_NUM_BAD) {
                csv_error(c, d, cc, "%s", msg);
                g->errors++;
                continue;
            }
            if (check_range(g, fw, idx[i], v, cc) != 0)
                continue;
            struct obs o = {u, idx[i], year, g->fileidx, c->line_no, v, NAN, NAN, NAN, NAN, 0};
            stage_obs(g, &o, cc);
        }
    }
    if (!g->stop) {
        for (size_t i = 0; i < width; i++)
            if (kind[i] != W_IND)
                idx[i] = -1;
        g->widx = idx;
        g->wwidth = width;
        stage_dedup(g, fw);
        g->widx = NULL;
    }
    free(kind);
    free(idx);
}

int ingest_file(struct obsset *s, const char *path, const char *name,
                const struct framework *fw, struct diag *d)
{
    struct stage g;
    struct codes cd = {strmap_new(), strmap_new()};
    int rc = -1;
    if (stage_init(&g, s, d) != 0 || !cd.group || !cd.denom) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        g.c = NULL;
        goto done;
    }
    for (int k = 0; k < fw->ngroup; k++)
        if (strmap_put(cd.group, fw->group[k], strlen(fw->group[k]), k) != 0)
            goto oom;
    for (int k = 0; k < fw->ndenom; k++)
        if (strmap_put(cd.denom, fw->denom[k], strlen(fw->denom[k]), k) != 0)
            goto oom;
    if (csv_open(&g.c, path, d) != 0)
        goto done;
    struct obs_source src;
    memset(&src, 0, sizeof src);
    sha256_hex(g.c->buf, g.c->len, src.sha256);
    struct csv *c = g.c;
    if (csv_header(c, d) <= 0)
        goto done;
    /* long when the header names an 'indicator' or 'value' column */
    int is_long = 0;
    for (size_t i = 0; i < c->nf; i++)
        if (csv_name_is(c->f[i], c->flen[i], "indicator") || csv_name_is(c->f[i], c->flen[i], "value"))
            is_long = 1;
    /* Reserve the staging once: rows ~ lines (long) or lines x value columns
     * (wide); doubling instead cost copies and page faults. */
    size_t lines = 1;
    for (const char *q = c->buf, *e = c->buf + c->len; (q = memchr(q, '\n', (size_t)(e - q))); q++)
        lines++;
    size_t est = is_long ? lines : lines * (c->nf > 2 ? c->nf - 2 : 1);
    if (est > INGEST_MAX_ROWS)
        est = INGEST_MAX_ROWS;
    g.aobs = est;
    g.obs = csv_big_alloc(est * sizeof *g.obs);
    if (!g.obs)
        goto oom;
    if (is_long) {
        long col[L_NCOL] = {0};
        char q[64];
        for (size_t i = 0; i < c->nf; i++) {
            int k = -1;
            for (int j = 0; j < L_NCOL; j++)
                if (csv_name_is(c->f[i], c->flen[i], lcol_name[j]))
                    k = j;
            if (k < 0 && (csv_name_is(c->f[i], c->flen[i], "uCode")))
                k = L_UNIT;
            if (k < 0) {
                csv_error(c, d, (long)i + 1,
                          "unknown column '%s' (long format columns are unit, year, indicator, "
                          "value, se, n, lower, upper, flag, source, name)",
                          csv_quote(c->f[i], c->flen[i], q, sizeof q));
                g.errors++;
            } else if (col[k]) {
                csv_error(c, d, (long)i + 1, "duplicate column '%s' (also column %ld)",
                          csv_quote(c->f[i], c->flen[i], q, sizeof q), col[k]);
                g.errors++;
            } else {
                col[k] = (long)i + 1;
            }
        }
        for (int j = L_UNIT; j <= L_VALUE; j++)
            if (!col[j]) {
                csv_error(c, d, 1, "no '%s' column in the header (long format needs unit, "
                          "year, indicator and value)", lcol_name[j]);
                g.errors++;
            }
        if (!g.errors)
            read_long(&g, fw, &cd, col, c->nf);
    } else {
        read_wide(&g, fw, &cd);
    }
    if (!g.errors && !g.c->failed && g.c->nrec == 1) {
        diag_input(d, path, 1, 1, "no data rows (only a header)");
        g.errors++;
    }
    if (g.errors || g.c->failed)
        goto done;
    src.path = strdup(path);
    src.name = strdup(name ? name : path);
    src.rows = g.nobs;
    if (!src.path || !src.name || stage_commit(&g, &src, 0) != 0) {
        free(src.path);
        free(src.name);
        goto oom;
    }
    rc = 0;
    goto done;
oom:
    diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
done:
    strmap_free(cd.group);
    strmap_free(cd.denom);
    stage_free(&g);
    return rc;
}

/* ------------------------------------------------------------------ */
/* cube                                                                */

struct ucode {
    const char *code;
    int idx;
};

static int cmp_ucode(const void *a, const void *b)
{
    return strcmp(((const struct ucode *)a)->code, ((const struct ucode *)b)->code);
}

static int set_str(char **slot, const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        return -1;
    free(*slot);
    *slot = p;
    return 0;
}

int obsset_to_cube(const struct obsset *s, const struct framework *fw, double ci_level,
                   struct cube **out, struct diag *d)
{
    *out = NULL;
    if (!(ci_level > 0 && ci_level < 1)) {
        diag_add(d, LCME_EUSAGE, NULL, 0, 0, "confidence level %g is not between 0 and 1",
                 ci_level);
        return -1;
    }
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - ci_level) / 2);
    struct ucode *uc = malloc((s->nunit ? s->nunit : 1) * sizeof *uc);
    int *rank = malloc((s->nunit ? s->nunit : 1) * sizeof *rank);
    int *years = malloc(9000 * sizeof *years);
    struct cube *c = NULL;
    if (!uc || !rank || !years)
        goto oom;
    for (size_t u = 0; u < s->nunit; u++)
        uc[u] = (struct ucode){s->unit[u], (int)u};
    qsort(uc, s->nunit, sizeof *uc, cmp_ucode);
    for (size_t u = 0; u < s->nunit; u++)
        rank[uc[u].idx] = (int)u;
    /* years are 1000..9999: mark them, then read them out in order */
    unsigned char seen[9000];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < s->n; i++)
        seen[s->v[i].year - 1000] = 1;
    size_t ny = 0;
    for (int y = 0; y < 9000; y++)
        if (seen[y])
            years[ny++] = 1000 + y;
    c = cube_new(s->nunit, (size_t)fw->nind, ny, s->nattr, (size_t)fw->ndenom);
    if (!c)
        goto oom;
    memcpy(c->year, years, ny * sizeof *years);
    for (size_t a = 0; a < s->nattr; a++)
        if (set_str(&c->attr_name[a], s->attr_name[a]) != 0)
            goto oom;
    for (size_t r = 0; r < s->nunit; r++) {
        size_t u = (size_t)uc[r].idx;
        if (set_str(&c->unit[r], s->unit[u]) != 0 ||
            set_str(&c->unit_name[r], s->unit_name[u]) != 0)
            goto oom;
        for (size_t a = 0; a < s->nattr; a++)
            if (set_str(&c->attr[r * s->nattr + a], s->attr[u * s->nattr + a]) != 0)
                goto oom;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct obs *o = &s->v[i];
        int t = cube_year_index(c, o->year);
        size_t u = (size_t)rank[o->unit];
        if (o->ind >= fw->nnode) {
            size_t k = (size_t)(o->ind - fw->nnode);
            if (k < c->ndenom)
                c->denom[(k * ny + (size_t)t) * c->nunit + u] = o->value;
            continue;
        }
        if (o->ind < 0 || o->ind >= fw->nind)
            continue;
        size_t at = CUBE_AT(c, o->ind, t, u);
        c->value[at] = o->value;
        if (isfinite(o->se))
            c->se[at] = o->se;
        else if (isfinite(o->lower) && isfinite(o->upper))
            c->se[at] = (o->upper - o->lower) / (2 * z);
        c->n[at] = o->n;
        if (o->flag)
            c->flag[at] |= CUBE_FLAGGED;
    }
    free(uc);
    free(rank);
    free(years);
    *out = c;
    return 0;
oom:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory building the data cube");
    free(uc);
    free(rank);
    free(years);
    cube_free(c);
    return -1;
}

/* ------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-2)                                                 */

struct sha256 {
    uint32_t h[8];
    uint64_t len;       /* bytes hashed */
    unsigned char buf[64];
    size_t nbuf;
};

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
                      sha_k[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

static void sha_init(struct sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->nbuf = 0;
}

static void sha_update(struct sha256 *s, const unsigned char *p, size_t n)
{
    s->len += n;
    if (s->nbuf) {
        size_t k = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, k);
        s->nbuf += k;
        p += k;
        n -= k;
        if (s->nbuf == 64) {
            sha_block(s->h, s->buf);
            s->nbuf = 0;
        }
    }
    while (n >= 64) {
        sha_block(s->h, p);
        p += 64;
        n -= 64;
    }
    if (n) {
        memcpy(s->buf, p, n);
        s->nbuf = n;
    }
}

static void sha_final(struct sha256 *s, char hex[65])
{
    uint64_t bits = s->len * 8;
    unsigned char pad[72] = {0x80};
    size_t padlen = (s->nbuf < 56) ? 56 - s->nbuf : 120 - s->nbuf;
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_update(s, pad, padlen);
    sha_update(s, lenb, 8);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) {
            unsigned b = (s->h[i] >> (24 - 8 * j)) & 0xff;
            hex[i * 8 + j * 2] = digits[b >> 4];
            hex[i * 8 + j * 2 + 1] = digits[b & 15];
        }
    hex[64] = '\0';
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
    struct sha256 s;
    sha_init(&s);
    sha_update(&s, data, len);
    sha_final(&s, hex);
}

int sha256_file(const char *path, char hex[65])
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    struct sha256 s;
    sha_init(&s);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        sha_update(&s, buf, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return -1;
    sha_final(&s, hex);
    return 0;
}
