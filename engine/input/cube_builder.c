/* cube_builder.c: collect units, attributes and observations in any order,
 * then lay them out as a cube (units in code order, years ascending).
 *
 * Layout while collecting:
 *
 *   units   unit[p]: code, len, name     p = provisional index (order of
 *           unit_index: code -> p         first declaration); last_unit
 *                                         caches the previous lookup
 *   attrs   attr_name[a]                  a = column, order of declaration
 *           cell[]: (p, a, value)         in order of setting; the last
 *                                         setting of a cell wins
 *   years   year[], distinct, ascending   kept sorted on insertion
 *   rows    row[]: value, se (already resolved from the interval), n,
 *           p, ind, year, flag bits, flag text id
 *   flags   flagtext[]: distinct flag texts  id = index + 1 (0: none)
 *           flag_index: text -> index
 *
 * cube_builder_finish sorts the provisional units by code into perm[p] (the
 * cube index of unit p), makes the cube, moves the strings into it and
 * writes every row at CUBE_AT(ind, year index, perm[p]).
 *
 * Invariants: every string the builder holds is owned by it until finish
 * moves it into the cube (leaving NULL behind); err is LCME_OK until the
 * first failure and never goes back; after a failure every call is a no-op.
 */
#include "cube_builder.h"

#include <gsl/gsl_cdf.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "strmap.h"

struct cb_unit {
    char *code;          /* owned until finish */
    size_t len;          /* strlen(code) */
    char *name;          /* owned until finish; "" when none */
};

struct cb_row {
    double value, se, n;
    int unit;            /* provisional index */
    int ind;             /* indicator, or nind + k for denominator k */
    int year;
    uint8_t flag;        /* CUBE_FLAGGED (| CUBE_BREAK) or 0 */
    uint16_t flagid;     /* 0, or flagtext[flagid - 1] */
};

struct cb_cell {
    int unit, attr;
    char *value;         /* owned until finish */
};

struct cube_builder {
    size_t nind, ndenom;
    double z;                    /* normal quantile of the interval's level */
    enum lcme_status err;        /* first failure, LCME_OK while none */

    struct strmap *unit_index;   /* code -> provisional index */
    struct cb_unit *unit;        /* [nunit] */
    size_t nunit, aunit;
    int last_unit;               /* previous cube_builder_unit result, or -1 */

    char **attr_name;            /* [nattr], owned */
    size_t nattr, aattr;
    struct cb_cell *cell;
    size_t ncell, acell;

    int *year;                   /* distinct, ascending */
    size_t nyear, ayear;

    struct strmap *flag_index;   /* flag text -> index in flagtext */
    char **flagtext;             /* [nflag], owned until finish */
    size_t nflag, aflag;

    struct cb_row *row;
    size_t nrow, arow;
};

static void cb_fail(struct cube_builder *b, enum lcme_status st)
{
    if (b->err == LCME_OK)
        b->err = st;
}

int cube_builder_new(struct cube_builder **out, size_t nind, size_t ndenom, double ci_level,
                     struct diag *d)
{
    *out = NULL;
    if (!(ci_level > 0.0 && ci_level < 1.0)) {
        diag_add(d, LCME_EUSAGE, NULL, 0, 0, "confidence level %g is not between 0 and 1",
                 ci_level);
        return -1;
    }
    struct cube_builder *b = calloc(1, sizeof *b);
    if (!b || !(b->unit_index = strmap_new()) || !(b->flag_index = strmap_new())) {
        if (b)
            strmap_free(b->unit_index);
        free(b);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory building the data cube");
        return -1;
    }
    b->nind = nind;
    b->ndenom = ndenom;
    b->z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - ci_level) / 2.0);
    b->last_unit = -1;
    *out = b;
    return 0;
}

void cube_builder_free(struct cube_builder *b)
{
    if (!b)
        return;
    strmap_free(b->unit_index);
    for (size_t p = 0; p < b->nunit; p++) {
        free(b->unit[p].code);
        free(b->unit[p].name);
    }
    free(b->unit);
    for (size_t a = 0; a < b->nattr; a++)
        free(b->attr_name[a]);
    free(b->attr_name);
    for (size_t i = 0; i < b->ncell; i++)
        free(b->cell[i].value);
    free(b->cell);
    free(b->year);
    free(b->row);
    strmap_free(b->flag_index);
    for (size_t i = 0; i < b->nflag; i++)
        free(b->flagtext[i]);
    free(b->flagtext);
    free(b);
}

/* ---- units and attributes ------------------------------------------------ */

/* Declare a new unit at the end; its provisional index, or -1 on ENOMEM. */
static int cb_new_unit(struct cube_builder *b, const char *code, size_t len, const char *name)
{
    if (b->nunit >= (size_t)INT_MAX ||
        array_grow((void **)&b->unit, &b->aunit, b->nunit + 1, sizeof *b->unit) != 0)
        return -1;
    char *c = malloc(len + 1);
    char *n = strdup(name ? name : "");
    int p = (int)b->nunit;
    if (!c || !n || strmap_put(b->unit_index, code, len, p) != 0) {
        free(c);
        free(n);
        return -1;
    }
    memcpy(c, code, len);
    c[len] = '\0';
    b->unit[p] = (struct cb_unit){c, len, n};
    b->nunit++;
    return p;
}

int cube_builder_unit(struct cube_builder *b, const char *code, size_t len, const char *name)
{
    if (b->err)
        return -1;
    int p = b->last_unit;
    if (p >= 0 && b->unit[p].len == len && memcmp(b->unit[p].code, code, len) == 0)
        return p;
    p = strmap_get(b->unit_index, code, len);
    if (p < 0 && (p = cb_new_unit(b, code, len, name)) < 0) {
        cb_fail(b, LCME_ENOMEM);
        return -1;
    }
    b->last_unit = p;
    return p;
}

int cube_builder_attr(struct cube_builder *b, const char *name)
{
    if (b->err)
        return -1;
    for (size_t a = 0; a < b->nattr; a++)
        if (strcmp(b->attr_name[a], name) == 0)
            return (int)a;
    char *n = NULL;
    if (b->nattr >= (size_t)INT_MAX ||
        array_grow((void **)&b->attr_name, &b->aattr, b->nattr + 1, sizeof *b->attr_name) ||
        !(n = strdup(name))) {
        cb_fail(b, LCME_ENOMEM);
        return -1;
    }
    b->attr_name[b->nattr] = n;
    return (int)b->nattr++;
}

void cube_builder_set_attr(struct cube_builder *b, int unit, int attr, const char *value)
{
    if (b->err)
        return;
    if (unit < 0 || (size_t)unit >= b->nunit || attr < 0 || (size_t)attr >= b->nattr) {
        cb_fail(b, LCME_EINTERNAL);
        return;
    }
    char *v = NULL;
    if (array_grow((void **)&b->cell, &b->acell, b->ncell + 1, sizeof *b->cell) != 0 ||
        !(v = strdup(value ? value : ""))) {
        cb_fail(b, LCME_ENOMEM);
        return;
    }
    b->cell[b->ncell++] = (struct cb_cell){unit, attr, v};
}

/* ---- observations -------------------------------------------------------- */

/* Record year among the distinct years; -1 on ENOMEM. */
static int cb_note_year(struct cube_builder *b, int year)
{
    size_t t = cube_year_slot(b->year, b->nyear, year);
    if (t < b->nyear && b->year[t] == year)
        return 0;
    if (array_grow((void **)&b->year, &b->ayear, b->nyear + 1, sizeof *b->year) != 0)
        return -1;
    memmove(b->year + t + 1, b->year + t, (b->nyear - t) * sizeof *b->year);
    b->year[t] = year;
    b->nyear++;
    return 0;
}

/* The id of flag text f (interned), 0 for none; marks the builder and
 * returns 0 on ENOMEM or past CUBE_MAX_FLAGTEXT texts. */
static uint16_t cb_flag_id(struct cube_builder *b, const char *f)
{
    if (!f || !f[0])
        return 0;
    size_t len = strlen(f);
    int k = strmap_get(b->flag_index, f, len);
    if (k >= 0)
        return (uint16_t)(k + 1);
    char *t = NULL;
    if (b->nflag >= CUBE_MAX_FLAGTEXT) {
        cb_fail(b, LCME_ELIMIT);
        return 0;
    }
    if (array_grow((void **)&b->flagtext, &b->aflag, b->nflag + 1, sizeof *b->flagtext) ||
        !(t = strdup(f)) || strmap_put(b->flag_index, f, len, (int)b->nflag) != 0) {
        free(t);
        cb_fail(b, LCME_ENOMEM);
        return 0;
    }
    b->flagtext[b->nflag] = t;
    return (uint16_t)++b->nflag;
}

void cube_builder_add(struct cube_builder *b, const struct cube_obs *o)
{
    if (b->err)
        return;
    if (o->unit < 0 || (size_t)o->unit >= b->nunit || o->ind < 0 ||
        (size_t)o->ind >= b->nind + b->ndenom) {
        cb_fail(b, LCME_EINTERNAL);
        return;
    }
    /* the previous row's year is nearly always this one's */
    if ((b->nrow == 0 || b->row[b->nrow - 1].year != o->year) &&
        cb_note_year(b, o->year) != 0) {
        cb_fail(b, LCME_ENOMEM);
        return;
    }
    if (b->nrow == b->arow &&
        array_grow((void **)&b->row, &b->arow, b->nrow + 1, sizeof *b->row) != 0) {
        cb_fail(b, LCME_ENOMEM);
        return;
    }
    double se = o->se;
    if (!isfinite(se))
        se = isfinite(o->lower) && isfinite(o->upper) ? (o->upper - o->lower) / (2.0 * b->z)
                                                      : NAN;
    uint16_t fid = cb_flag_id(b, o->flag);
    if (b->err)
        return;
    uint8_t bits = 0;
    if (fid)
        bits = CUBE_FLAGGED | (cube_flag_is_break(o->flag) ? CUBE_BREAK : 0);
    b->row[b->nrow++] = (struct cb_row){o->value, se, o->n, o->unit, o->ind, o->year, bits,
                                        fid};
}

/* ---- the cube ------------------------------------------------------------ */

struct cb_order {
    const char *code;
    int p;               /* provisional index */
};

static int cb_cmp_order(const void *x, const void *y)
{
    return strcmp(((const struct cb_order *)x)->code, ((const struct cb_order *)y)->code);
}

/* perm[p] = the cube index of provisional unit p: units in code order. Codes
 * are distinct, so the unstable qsort gives one order. NULL on ENOMEM. */
static int *cb_unit_perm(const struct cube_builder *b)
{
    size_t n = b->nunit ? b->nunit : 1;
    struct cb_order *ord = malloc(n * sizeof *ord);
    int *perm = malloc(n * sizeof *perm);
    if (!ord || !perm) {
        free(ord);
        free(perm);
        return NULL;
    }
    for (size_t p = 0; p < b->nunit; p++)
        ord[p] = (struct cb_order){b->unit[p].code, (int)p};
    qsort(ord, b->nunit, sizeof *ord, cb_cmp_order);
    for (size_t u = 0; u < b->nunit; u++)
        perm[ord[u].p] = (int)u;
    free(ord);
    return perm;
}

/* Move *from into *slot (freeing what was there); *from becomes NULL. */
static void cb_move(char **slot, char **from)
{
    free(*slot);
    *slot = *from;
    *from = NULL;
}

/* Units, names, attribute columns and cells, years: everything but values. */
static void cb_fill_labels(struct cube_builder *b, const int *perm, struct cube *c)
{
    for (size_t p = 0; p < b->nunit; p++) {
        cb_move(&c->unit[perm[p]], &b->unit[p].code);
        cb_move(&c->unit_name[perm[p]], &b->unit[p].name);
    }
    for (size_t a = 0; a < b->nattr; a++)
        cb_move(&c->attr_name[a], &b->attr_name[a]);
    for (size_t i = 0; i < b->ncell; i++) {
        const struct cb_cell *e = &b->cell[i];
        size_t at = (size_t)perm[e->unit] * c->nattr + (size_t)e->attr;
        cb_move(&c->attr[at], &b->cell[i].value);
    }
    if (b->nyear)
        memcpy(c->year, b->year, b->nyear * sizeof *b->year);
    for (size_t i = 0; i < b->nflag; i++)
        cb_move(&c->flagtext[i], &b->flagtext[i]);
}

/* Every row into its cell: indicators in the four planes, denominators in
 * their own. Consecutive rows mostly share a year, so its index is looked
 * up only when the year changes. */
static void cb_fill_values(const struct cube_builder *b, const int *perm, struct cube *c)
{
    size_t t = 0;
    for (size_t i = 0; i < b->nrow; i++) {
        const struct cb_row *r = &b->row[i];
        if (i == 0 || r->year != b->row[i - 1].year)
            t = cube_year_slot(b->year, b->nyear, r->year);
        size_t u = (size_t)perm[r->unit];
        if ((size_t)r->ind < b->nind) {
            size_t at = CUBE_AT(c, r->ind, t, u);
            c->value[at] = r->value;
            c->se[at] = r->se;
            c->n[at] = r->n;
            c->flag[at] = r->flag;
            c->flagid[at] = r->flagid;
        } else {
            size_t k = (size_t)r->ind - b->nind;
            c->denom[(k * c->nyear + t) * c->nunit + u] = r->value;
        }
    }
}

int cube_builder_finish(struct cube_builder *b, struct cube **out, struct diag *d)
{
    *out = NULL;
    if (b->err == LCME_EINTERNAL) {
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0,
                 "building the data cube: an observation or attribute names a unit, "
                 "indicator or attribute column that was never declared");
        return -1;
    }
    if (b->err == LCME_ELIMIT) {
        diag_add(d, LCME_ELIMIT, NULL, 0, 0, "building the data cube: more than %d distinct "
                 "flags", CUBE_MAX_FLAGTEXT);
        return -1;
    }
    int *perm = b->err ? NULL : cb_unit_perm(b);
    struct cube *c = perm ? cube_new(b->nunit, b->nind, b->nyear, b->nattr, b->ndenom) : NULL;
    if (c && cube_alloc_flagtext(c, b->nflag) != 0) {
        cube_free(c);
        c = NULL;
    }
    if (!c) {
        free(perm);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory building the data cube");
        return -1;
    }
    cb_fill_labels(b, perm, c);
    cb_fill_values(b, perm, c);
    free(perm);
    *out = c;
    return 0;
}
