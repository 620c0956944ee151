/* ingest_stage.c: the staging area one file is read into, and its commit
 * into the obsset.
 *
 * Staging only appends to the stage's own arrays; the obsset is not touched
 * until ingest_stage_commit, which builds every new obsset array (unit codes
 * and names, attribute names and cells, rows, file records, the unit index)
 * beside the old ones and swaps them in only when all were built. On ENOMEM
 * it frees what it built and leaves the obsset exactly as it was.
 *
 * New flag texts are staged like new units (fnew, copied when staged since
 * a flag is short and rare) and appended to the obsset's flags at commit.
 *
 * Invariants: ucode and uline hold anew slots each (uline is resized after
 * every GROW of ucode); staged strings point into the CSV buffer and are
 * copied at commit; a unit staged is never also in the obsset
 * (ingest_stage_unit looks there first).
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

void ingest_free_strs(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int ingest_stage_init(struct ingest_stage *g, struct obsset *s, struct diag *d)
{
    memset(g, 0, sizeof *g);
    g->s = s;
    g->d = d;
    g->fileidx = (int)s->nfile;
    g->newu = strmap_new();
    g->newf = strmap_new();
    return g->newu && g->newf ? 0 : -1;
}

void ingest_stage_free(struct ingest_stage *g)
{
    strmap_free(g->newu);
    strmap_free(g->newf);
    ingest_free_strs(g->fnew, g->nfnew);
    free((void *)g->ucode);
    free(g->uline);
    free((void *)g->aname);
    free(g->attr);
    free(g->name);
    free(g->obs);
    csv_free(g->c);
}

void ingest_stage_nomem(struct ingest_stage *g)
{
    if (!g->stop)
        diag_add(g->d, LCME_ENOMEM, g->c ? g->c->path : NULL, 0, 0, "out of memory");
    g->stop = 1;
    g->errors++;
}

/* Stage a new unit (units not fixed, under the limit); its index or -1. */
static int stage_new_unit(struct ingest_stage *g, const char *code, size_t len, long col)
{
    struct obsset *s = g->s;
    if (s->nunit + g->nnew >= INGEST_MAX_UNITS) {
        csv_error(g->c, g->d, col, "more than %d units", INGEST_MAX_UNITS);
        g->errors++;
        g->stop = 1;
        return -1;
    }
    if (GROW(g->ucode, g->nnew, g->anew) != 0) {
        ingest_stage_nomem(g);
        return -1;
    }
    /* uline is resized to ucode's capacity on every call, so a failed
     * realloc here cannot leave it shorter than ucode */
    long *nl = realloc(g->uline, g->anew * sizeof *nl);
    if (!nl) {
        ingest_stage_nomem(g);
        return -1;
    }
    g->uline = nl;
    g->ucode[g->nnew] = code;
    g->uline[g->nnew] = g->c->line_no;
    if (strmap_put(g->newu, code, len, (int)g->nnew) != 0) {
        ingest_stage_nomem(g);
        return -1;
    }
    return (int)s->nunit + (int)g->nnew++;
}

int ingest_stage_unit(struct ingest_stage *g, const char *code, size_t len, long col)
{
    struct obsset *s = g->s;
    int u = strmap_get(s->unit_index, code, len);
    if (u >= 0)
        return u;
    int k = strmap_get(g->newu, code, len);
    if (k >= 0)
        return (int)s->nunit + k;
    if (s->units_fixed) {
        char q[64];
        csv_error(g->c, g->d, col, "unknown unit '%s' (not in the units file)",
                  csv_quote(code, len, q, sizeof q));
        g->errors++;
        return -1;
    }
    return stage_new_unit(g, code, len, col);
}

int ingest_stage_attr_name(struct ingest_stage *g, const char *name)
{
    for (size_t a = 0; a < g->s->nattr; a++)
        if (strcmp(g->s->attr_name[a], name) == 0)
            return (int)a;
    for (size_t a = 0; a < g->nanew; a++)
        if (strcmp(g->aname[a], name) == 0)
            return (int)(g->s->nattr + a);
    if (GROW(g->aname, g->nanew, g->aanew) != 0) {
        ingest_stage_nomem(g);
        return -1;
    }
    g->aname[g->nanew] = name;
    return (int)(g->s->nattr + g->nanew++);
}

void ingest_stage_attr(struct ingest_stage *g, int unit, int attr, const char *val)
{
    if (GROW(g->attr, g->nattr, g->aattr) != 0) {
        ingest_stage_nomem(g);
        return;
    }
    g->attr[g->nattr++] = (struct sattr){unit, attr, val};
}

void ingest_stage_name(struct ingest_stage *g, int unit, const char *name)
{
    if (GROW(g->name, g->nname, g->aname_alloc) != 0) {
        ingest_stage_nomem(g);
        return;
    }
    g->name[g->nname++] = (struct sname){unit, name};
}

int ingest_stage_flag(struct ingest_stage *g, const char *text, size_t len)
{
    struct obsset *s = g->s;
    while (len && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (!len)
        return 0;
    int k = strmap_get(s->flag_index, text, len);
    if (k >= 0)
        return k + 1;
    k = strmap_get(g->newf, text, len);
    if (k >= 0)
        return (int)(s->nflag + (size_t)k) + 1;
    char *t = NULL;
    if (GROW(g->fnew, g->nfnew, g->afnew) != 0 || !(t = malloc(len + 1)) ||
        strmap_put(g->newf, text, len, (int)g->nfnew) != 0) {
        free(t);
        ingest_stage_nomem(g);
        return -1;
    }
    memcpy(t, text, len);
    t[len] = '\0';
    g->fnew[g->nfnew++] = t;
    return (int)(s->nflag + g->nfnew);
}

void ingest_stage_obs(struct ingest_stage *g, const struct obs *o, long col)
{
    if (g->s->n + g->nobs >= INGEST_MAX_ROWS) {
        csv_error(g->c, g->d, col, "more than %d observations", INGEST_MAX_ROWS);
        g->errors++;
        g->stop = 1;
        return;
    }
    if (GROW(g->obs, g->nobs, g->aobs) != 0) {
        ingest_stage_nomem(g);
        return;
    }
    g->obs[g->nobs++] = *o;
}

/* ---- commit -------------------------------------------------------------- */

/* The obsset's arrays as they will be after the commit, built beside the
 * current ones. */
struct commit {
    size_t nu, na;               /* units and attribute columns after */
    char **unit, **uname;        /* [nu] */
    char **aname;                /* [na] */
    char **attr;                 /* [nu * na] */
    struct obs *v;               /* the staged rows taken over (the set had none),
                                    s->v with room made for them, or NULL
                                    when the file adds none */
    struct obs_source *files;    /* NULL when no file record is added */
    struct strmap *index;        /* NULL when no unit is new */
    char **flag;                 /* [nflag + nfnew] when flags are new, else NULL */
    struct strmap *flag_index;   /* NULL when no flag is new */
};

/* Unit codes and names: the obsset's, then the staged units' ("" names). */
static int commit_units(const struct ingest_stage *g, struct commit *k)
{
    const struct obsset *s = g->s;
    k->unit = calloc(k->nu ? k->nu : 1, sizeof *k->unit);
    k->uname = calloc(k->nu ? k->nu : 1, sizeof *k->uname);
    if (!k->unit || !k->uname)
        return -1;
    for (size_t u = 0; u < k->nu; u++) {
        k->unit[u] = strdup(u < s->nunit ? s->unit[u] : g->ucode[u - s->nunit]);
        k->uname[u] = strdup(u < s->nunit ? s->unit_name[u] : "");
        if (!k->unit[u] || !k->uname[u])
            return -1;
    }
    return 0;
}

/* Attribute names and the cells of every unit ("" where none is known). */
static int commit_attrs(const struct ingest_stage *g, struct commit *k)
{
    const struct obsset *s = g->s;
    size_t cells = k->nu * k->na;
    k->aname = calloc(k->na ? k->na : 1, sizeof *k->aname);
    k->attr = calloc(cells ? cells : 1, sizeof *k->attr);
    if (!k->aname || !k->attr)
        return -1;
    for (size_t a = 0; a < k->na; a++)
        if (!(k->aname[a] = strdup(a < s->nattr ? s->attr_name[a] : g->aname[a - s->nattr])))
            return -1;
    for (size_t u = 0; u < k->nu; u++)
        for (size_t a = 0; a < k->na; a++) {
            const char *old = (u < s->nunit && a < s->nattr) ? s->attr[u * s->nattr + a] : "";
            if (!(k->attr[u * k->na + a] = strdup(old)))
                return -1;
        }
    return 0;
}

/* Replace *slot by a copy of text. */
static int commit_set(char **slot, const char *text)
{
    char *p = strdup(text);
    if (!p)
        return -1;
    free(*slot);
    *slot = p;
    return 0;
}

/* The names and attribute values the file gave, in file order (a later one
 * wins). Empty ones are no information and change nothing; a name fills an
 * empty one, or replaces any when names_win. */
static int commit_given(const struct ingest_stage *g, struct commit *k, int names_win)
{
    for (size_t i = 0; i < g->nname; i++) {
        const struct sname *sn = &g->name[i];
        if (!sn->name[0] || (!names_win && k->uname[sn->unit][0]))
            continue;
        if (commit_set(&k->uname[sn->unit], sn->name) != 0)
            return -1;
    }
    for (size_t i = 0; i < g->nattr; i++) {
        const struct sattr *sa = &g->attr[i];
        if (sa->val[0] &&
            commit_set(&k->attr[(size_t)sa->unit * k->na + (size_t)sa->attr], sa->val) != 0)
            return -1;
    }
    return 0;
}

/* The rows after: the staged ones alone are taken over as they are (the
 * usual first file); otherwise room is made in the set's array, whose rows
 * stay as they are (so a failure later leaves the obsset as it was), and the
 * staged ones are copied in at the swap. Copying the set's rows into a new
 * array for every file made reading many returns quadratic. */
static int commit_rows(struct ingest_stage *g, struct commit *k)
{
    struct obsset *s = g->s;
    if (!g->nobs)
        return 0;
    if (s->n == 0) {
        k->v = realloc(g->obs, g->nobs * sizeof *k->v);   /* trimmed */
        if (!k->v)
            k->v = g->obs;
        g->obs = NULL;
        return 0;
    }
    if (array_grow((void **)&s->v, &s->alloc, s->n + g->nobs, sizeof *s->v) != 0)
        return -1;
    k->v = s->v;
    return 0;
}

static int commit_files(const struct ingest_stage *g, struct commit *k,
                        const struct obs_source *src)
{
    const struct obsset *s = g->s;
    if (!src)
        return 0;
    k->files = malloc((s->nfile + 1) * sizeof *k->files);
    if (!k->files)
        return -1;
    if (s->nfile)
        memcpy(k->files, s->file, s->nfile * sizeof *k->files);
    k->files[s->nfile] = *src;
    return 0;
}

/* A fresh unit index when units are new, so a failure leaves the old one. */
static int commit_index(const struct ingest_stage *g, struct commit *k)
{
    if (!g->nnew)
        return 0;
    k->index = strmap_new();
    if (!k->index)
        return -1;
    for (size_t u = 0; u < k->nu; u++)
        if (strmap_put(k->index, k->unit[u], strlen(k->unit[u]), (int)u) != 0)
            return -1;
    return 0;
}

/* The flag texts after: the obsset's pointers, then the staged ones (moved
 * at the swap), with a fresh index. */
static int commit_flags(const struct ingest_stage *g, struct commit *k)
{
    const struct obsset *s = g->s;
    if (!g->nfnew)
        return 0;
    size_t n = s->nflag + g->nfnew;
    k->flag = malloc(n * sizeof *k->flag);
    k->flag_index = strmap_new();
    if (!k->flag || !k->flag_index)
        return -1;
    for (size_t i = 0; i < n; i++) {
        k->flag[i] = i < s->nflag ? s->flag[i] : g->fnew[i - s->nflag];
        if (strmap_put(k->flag_index, k->flag[i], strlen(k->flag[i]), (int)i) != 0)
            return -1;
    }
    return 0;
}

/* Free what was built; staged rows taken over go back to the stage. */
static void commit_discard(struct ingest_stage *g, struct commit *k)
{
    ingest_free_strs(k->unit, k->nu);
    ingest_free_strs(k->uname, k->nu);
    ingest_free_strs(k->aname, k->na);
    ingest_free_strs(k->attr, k->nu * k->na);
    if (k->v && !g->obs)
        g->obs = k->v;
    else if (k->v != g->s->v)
        free(k->v);
    free(k->files);
    strmap_free(k->index);
    free(k->flag);   /* the texts stay the obsset's and the stage's */
    strmap_free(k->flag_index);
}

/* Put the built arrays in place of the obsset's and free the old ones. */
static void commit_swap(struct ingest_stage *g, struct commit *k)
{
    struct obsset *s = g->s;
    ingest_free_strs(s->unit, s->nunit);
    ingest_free_strs(s->unit_name, s->nunit);
    ingest_free_strs(s->attr, s->nunit * s->nattr);
    ingest_free_strs(s->attr_name, s->nattr);
    s->unit = k->unit;
    s->unit_name = k->uname;
    s->attr_name = k->aname;
    s->attr = k->attr;
    s->nunit = k->nu;
    s->nattr = k->na;
    if (k->v) {
        if (k->v == s->v) {   /* room made: the staged rows go after the set's */
            memcpy(s->v + s->n, g->obs, g->nobs * sizeof *s->v);
        } else {              /* the staged rows taken over */
            free(s->v);
            s->v = k->v;
            s->alloc = g->nobs;
        }
        s->n += g->nobs;
        ingest_keys_added(s, s->n - g->nobs);
    }
    if (k->files) {
        free(s->file);
        s->file = k->files;
        s->nfile++;
    }
    if (k->index) {
        strmap_free(s->unit_index);
        s->unit_index = k->index;
    }
    if (k->flag) {
        free(s->flag);
        s->flag = k->flag;
        s->nflag += g->nfnew;
        strmap_free(s->flag_index);
        s->flag_index = k->flag_index;
        g->nfnew = 0;   /* the texts moved into the obsset */
    }
}

int ingest_stage_commit(struct ingest_stage *g, const struct obs_source *src, int names_win)
{
    struct commit k;
    memset(&k, 0, sizeof k);
    k.nu = g->s->nunit + g->nnew;
    k.na = g->s->nattr + g->nanew;
    if (commit_units(g, &k) != 0 || commit_attrs(g, &k) != 0 ||
        commit_given(g, &k, names_win) != 0 || commit_rows(g, &k) != 0 ||
        commit_files(g, &k, src) != 0 || commit_index(g, &k) != 0 ||
        commit_flags(g, &k) != 0) {
        commit_discard(g, &k);
        return -1;
    }
    commit_swap(g, &k);
    return 0;
}
