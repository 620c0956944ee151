/* ingest.c: the obsset, and the two ways in and one way out of it:
 * ingest_file reads one data file (long or wide layout) into it,
 * ingest_units (ingest_units.c) the units file, and obsset_to_cube turns it
 * into a cube through the one cube builder.
 *
 * A data file goes through these steps, each in its own file:
 *   open and hash it (sha256 of the bytes on disk, before parsing in place);
 *   a workbook (.xlsx) is opened by xlsx_read.c, whose sheet then reads as
 *   the records of a CSV file, so every step below is the same for both
 *   read its header and decide the layout (ingest_long.c, ingest_wide.c)
 *   check every row (ingest_check.c) and stage what passes (ingest_stage.c)
 *   find duplicates against the set and the file itself (ingest_dedup.c)
 *   commit the stage to the obsset, only when no problem was found.
 * The layout of the staging area and what the files share is in
 * ingest_int.h.
 *
 * Invariants: a file changes the obsset only through ingest_stage_commit,
 * and only when no problem was reported for it; obsset_to_cube only reads
 * the obsset.
 */
#include <stdlib.h>
#include <string.h>

#include "cube_builder.h"
#include "ingest_int.h"
#include "sha256.h"
#include "xlsx_read.h"

const char *obs_ind_code(const struct framework *fw, int ind)
{
    return ind < fw->nnode ? fw->node[ind].code : fw->denom[ind - fw->nnode];
}

const char *obs_flag(const struct obsset *s, const struct obs *o)
{
    return o->flag > 0 && (size_t)o->flag <= s->nflag ? s->flag[o->flag - 1] : NULL;
}

struct obsset *obsset_new(void)
{
    struct obsset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->unit_index = strmap_new();
    s->flag_index = strmap_new();
    if (!s->unit_index || !s->flag_index) {
        strmap_free(s->unit_index);
        strmap_free(s->flag_index);
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
    ingest_free_strs(s->unit, s->nunit);
    ingest_free_strs(s->unit_name, s->nunit);
    ingest_free_strs(s->attr, s->nunit * s->nattr);
    ingest_free_strs(s->attr_name, s->nattr);
    for (size_t i = 0; i < s->nfile; i++) {
        free(s->file[i].path);
        free(s->file[i].name);
        free(s->file[i].sheet);
    }
    free(s->file);
    strmap_free(s->unit_index);
    ingest_free_strs(s->flag, s->nflag);
    strmap_free(s->flag_index);
    obs_keys_free(s->keys);
    free(s);
}

/* ---- data files ---------------------------------------------------------- */

/* The framework's Group and Denominator codes as maps. 0, or -1 on ENOMEM. */
static int codes_init(struct ingest_codes *cd, const struct framework *fw)
{
    cd->group = strmap_new();
    cd->denom = strmap_new();
    if (!cd->group || !cd->denom)
        return -1;
    for (int k = 0; k < fw->ngroup; k++)
        if (strmap_put(cd->group, fw->group[k], strlen(fw->group[k]), k) != 0)
            return -1;
    for (int k = 0; k < fw->ndenom; k++)
        if (strmap_put(cd->denom, fw->denom[k], strlen(fw->denom[k]), k) != 0)
            return -1;
    return 0;
}

/* Reserve the staged rows once: about one per line (long) or one per line
 * and value column (wide), at most INGEST_MAX_ROWS. Growing by doubling
 * instead cost copies and page faults. 0, or -1 on ENOMEM. */
static int reserve_rows(struct ingest_stage *g, int is_long)
{
    const struct csv *c = g->c;
    size_t lines = csv_records_hint(c);
    size_t est = is_long ? lines : lines * (c->nf > 2 ? c->nf - 2 : 1);
    if (est > INGEST_MAX_ROWS)
        est = INGEST_MAX_ROWS;
    g->aobs = est;
    g->obs = csv_big_alloc(est * sizeof *g->obs);
    return g->obs ? 0 : -1;
}

/* Commit the clean stage with its file record. 0, or -1 on ENOMEM. */
static int commit_file(struct ingest_stage *g, const char *path, const char *name,
                       const char sha[SHA256_HEX_SIZE])
{
    struct obs_source src;
    memset(&src, 0, sizeof src);
    memcpy(src.sha256, sha, sizeof src.sha256);
    src.path = strdup(path);
    src.name = strdup(name ? name : path);
    src.sheet = g->c->sheet ? strdup(g->c->sheet) : NULL;
    src.rows = g->nobs;
    src.first = g->s->n;
    if (!src.path || !src.name || (g->c->sheet && !src.sheet) ||
        ingest_stage_commit(g, &src, 0) != 0) {
        free(src.path);
        free(src.name);
        free(src.sheet);
        return -1;
    }
    return 0;
}

int ingest_file(struct obsset *s, const char *path, const char *name,
                const struct framework *fw, struct diag *d)
{
    struct ingest_stage g;
    struct ingest_codes cd = {NULL, NULL};
    char sha[SHA256_HEX_SIZE];
    int rc = -1;
    if (ingest_stage_init(&g, s, d) != 0 || codes_init(&cd, fw) != 0)
        goto oom;
    if (xlsx_is_workbook_name(path)) {
        if (xlsx_open(&g.c, path, sha, d) != 0)
            goto done;
    } else {
        if (csv_open(&g.c, path, d) != 0)
            goto done;
        sha256_hex(g.c->buf, g.c->len, sha);
    }
    if (csv_header(g.c, d) <= 0)
        goto done;
    int is_long = ingest_is_long(g.c);
    if (reserve_rows(&g, is_long) != 0)
        goto oom;
    if (is_long)
        ingest_read_long(&g, fw, &cd);
    else
        ingest_read_wide(&g, fw, &cd);
    if (!g.errors && !g.c->failed && g.c->nrec == 1) {
        /* a sheet's header is at its row; a CSV file's is line 1 */
        csv_error_at(g.c, d, g.c->sheet ? g.c->line_no : 1, 1, "no data rows (only a header)");
        g.errors++;
    }
    if (g.errors || g.c->failed)
        goto done;
    if (commit_file(&g, path, name, sha) != 0)
        goto oom;
    rc = 0;
    goto done;
oom:
    diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
done:
    strmap_free(cd.group);
    strmap_free(cd.denom);
    ingest_stage_free(&g);
    return rc;
}

/* ---- the cube ------------------------------------------------------------ */

int obsset_to_cube(const struct obsset *s, const struct framework *fw, double ci_level,
                   struct cube **out, struct diag *d)
{
    *out = NULL;
    struct cube_builder *b;
    if (cube_builder_new(&b, (size_t)fw->nind, (size_t)fw->ndenom, ci_level, d) != 0)
        return -1;
    /* units and attribute columns are distinct in an obsset, so the
     * builder's indices are the obsset's */
    for (size_t u = 0; u < s->nunit; u++)
        cube_builder_unit(b, s->unit[u], strlen(s->unit[u]), s->unit_name[u]);
    for (size_t a = 0; a < s->nattr; a++)
        cube_builder_attr(b, s->attr_name[a]);
    for (size_t u = 0; u < s->nunit; u++)
        for (size_t a = 0; a < s->nattr; a++) {
            const char *v = s->attr[u * s->nattr + a];
            if (v && v[0])   /* "" is the cube's own default */
                cube_builder_set_attr(b, (int)u, (int)a, v);
        }
    for (size_t i = 0; i < s->n; i++) {
        const struct obs *o = &s->v[i];
        /* the obsset numbers denominators after all nodes, the cube after
         * the indicators; an aggregate (never staged) becomes -1, which the
         * builder refuses */
        int ind = o->ind < fw->nind    ? o->ind
                  : o->ind < fw->nnode ? -1
                                       : fw->nind + (o->ind - fw->nnode);
        cube_builder_add(b, &(struct cube_obs){o->unit, ind, o->year, o->value, o->se, o->n,
                                                o->lower, o->upper, obs_flag(s, o)});
    }
    int rc = cube_builder_finish(b, out, d);
    cube_builder_free(b);
    return rc;
}
