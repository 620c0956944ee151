/* cube.c: allocation, deep copy and lookups for the units x indicators x
 * years cube.
 *
 * Invariants: every string array entry is an owned heap string (never NULL
 * once cube_new returns: names and attributes start as ""); unit codes start
 * as "" too until the caller fills them. denom is NULL exactly when ndenom is
 * 0. Sizes are checked for overflow before any allocation.
 */
#include "cube.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void free_strs(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char **empty_strs(size_t n)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        v[i] = strdup("");
        if (!v[i]) {
            free_strs(v, i);
            return NULL;
        }
    }
    return v;
}

static double *nan_array(size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (v)
        for (size_t i = 0; i < n; i++)
            v[i] = NAN;
    return v;
}

void cube_free(struct cube *c)
{
    if (!c)
        return;
    free_strs(c->unit, c->nunit);
    free_strs(c->unit_name, c->nunit);
    free_strs(c->attr_name, c->nattr);
    free_strs(c->attr, c->nunit * c->nattr);
    free(c->year);
    free(c->value);
    free(c->se);
    free(c->n);
    free(c->flag);
    free(c->flagid);
    free_strs(c->flagtext, c->nflagtext);
    free(c->denom);
    free(c);
}

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

struct cube *cube_new(size_t nunit, size_t nind, size_t nyear, size_t nattr,
                      size_t ndenom)
{
    size_t uy, cells, dcells, ua;
    if (!mul_ok(nunit, nyear, &uy) || !mul_ok(uy, nind, &cells) ||
        !mul_ok(uy, ndenom, &dcells) || !mul_ok(nunit, nattr, &ua) ||
        cells > SIZE_MAX / sizeof(double) || dcells > SIZE_MAX / sizeof(double))
        return NULL;
    struct cube *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nunit = nunit;
    c->nind = nind;
    c->nyear = nyear;
    c->nattr = nattr;
    c->ndenom = ndenom;
    /* strings: each array is allocated fully before the count is kept */
    c->unit = empty_strs(nunit);
    c->unit_name = empty_strs(nunit);
    c->attr_name = empty_strs(nattr);
    c->attr = empty_strs(ua);
    c->year = calloc(nyear ? nyear : 1, sizeof *c->year);
    c->value = nan_array(cells);
    c->se = nan_array(cells);
    c->n = nan_array(cells);
    c->flag = calloc(cells ? cells : 1, 1);
    c->flagid = calloc(cells ? cells : 1, sizeof *c->flagid);
    if (ndenom)
        c->denom = nan_array(dcells);
    if (!c->unit || !c->unit_name || !c->attr_name || !c->attr || !c->year ||
        !c->value || !c->se || !c->n || !c->flag || !c->flagid || (ndenom && !c->denom)) {
        /* free_strs tolerates NULL arrays; counts match what was built */
        cube_free(c);
        return NULL;
    }
    return c;
}

static int copy_strs(char **dst, char *const *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = strdup(src[i] ? src[i] : "");
        if (!p)
            return -1;
        free(dst[i]);
        dst[i] = p;
    }
    return 0;
}

struct cube *cube_clone(const struct cube *c)
{
    struct cube *k = cube_new(c->nunit, c->nind, c->nyear, c->nattr, c->ndenom);
    if (!k)
        return NULL;
    size_t cells = c->nunit * c->nyear * c->nind;
    if (copy_strs(k->unit, c->unit, c->nunit) ||
        copy_strs(k->unit_name, c->unit_name, c->nunit) ||
        copy_strs(k->attr_name, c->attr_name, c->nattr) ||
        copy_strs(k->attr, c->attr, c->nunit * c->nattr)) {
        cube_free(k);
        return NULL;
    }
    if (c->nyear)
        memcpy(k->year, c->year, c->nyear * sizeof *c->year);
    if (cells) {
        memcpy(k->value, c->value, cells * sizeof(double));
        memcpy(k->se, c->se, cells * sizeof(double));
        memcpy(k->n, c->n, cells * sizeof(double));
        memcpy(k->flag, c->flag, cells);
        memcpy(k->flagid, c->flagid, cells * sizeof *c->flagid);
    }
    if (c->nflagtext && (cube_alloc_flagtext(k, c->nflagtext) != 0 ||
                         copy_strs(k->flagtext, c->flagtext, c->nflagtext) != 0)) {
        cube_free(k);
        return NULL;
    }
    if (c->ndenom && c->denom)
        memcpy(k->denom, c->denom, c->ndenom * c->nyear * c->nunit * sizeof(double));
    return k;
}

int cube_alloc_flagtext(struct cube *c, size_t n)
{
    if (n > CUBE_MAX_FLAGTEXT)
        return -1;
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return -1;
    free_strs(c->flagtext, c->nflagtext);
    c->flagtext = v;
    c->nflagtext = n;
    return 0;
}

int cube_set_flagtext(struct cube *c, size_t id, const char *text)
{
    if (id == 0 || id > c->nflagtext)
        return -1;
    char *p = strdup(text ? text : "");
    if (!p)
        return -1;
    free(c->flagtext[id - 1]);
    c->flagtext[id - 1] = p;
    return 0;
}

const char *cube_flag_at(const struct cube *c, size_t k)
{
    uint16_t id = c->flagid ? c->flagid[k] : 0;
    return id && id <= c->nflagtext ? c->flagtext[id - 1] : NULL;
}

static int is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

int cube_flag_is_break(const char *flag)
{
    if (!flag)
        return 0;
    size_t len = strlen(flag), letters = 0;
    while (letters < len && is_letter(flag[letters]))
        letters++;
    if (letters == len && len >= 1 && len <= 4)
        return memchr(flag, 'b', len) || memchr(flag, 'B', len);
    /* words: a break is a word that is "b" or "B" alone */
    for (size_t k = 0; k < len;) {
        while (k < len && strchr(" ,;|\t", flag[k]))
            k++;
        size_t e = k;
        while (e < len && !strchr(" ,;|\t", flag[e]))
            e++;
        if (e - k == 1 && (flag[k] == 'b' || flag[k] == 'B'))
            return 1;
        k = e;
    }
    return 0;
}

size_t cube_year_slot(const int *years, size_t n, int year)
{
    /* binary search */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (years[mid] < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int cube_year_index(const struct cube *c, int year)
{
    size_t t = cube_year_slot(c->year, c->nyear, year);
    return (t < c->nyear && c->year[t] == year) ? (int)t : -1;
}

int cube_unit_index(const struct cube *c, const char *code)
{
    for (size_t u = 0; u < c->nunit; u++)
        if (c->unit[u] && strcmp(c->unit[u], code) == 0)
            return (int)u;
    return -1;
}

int cube_attr_index(const struct cube *c, const char *name)
{
    for (size_t a = 0; a < c->nattr; a++)
        if (c->attr_name[a] && strcmp(c->attr_name[a], name) == 0)
            return (int)a;
    return -1;
}
