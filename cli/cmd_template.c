/* cmd_template.c: `lcme template BATCH.ini [--unit CODE]... [--by unit|indicator]
 * -o DIR`: data-entry workbooks for the batch's year (reports/template).
 *
 * The units are those of the batch's units file, then those its store
 * holds (opened read-only, never created), or, with neither, the codes
 * given with --unit; --unit picks some of them. The previous value beside
 * each entry cell is the latest the store holds before the batch's year.
 * Without --by one workbook holds every unit chosen; --by unit writes one
 * per unit (named after the unit), --by indicator one per indicator. Each
 * workbook is written under a temporary name and renamed into place; the
 * paths written are printed on stdout.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "config.h"
#include "cube.h"
#include "framework.h"
#include "ingest.h"
#include "path.h"
#include "store.h"
#include "template.h"

enum tpl_by { BY_NONE, BY_UNIT, BY_INDICATOR };

struct tpl_opts {
    const char *batch, *outdir;
    const char **unit;           /* --unit codes, in order given */
    size_t nunit;
    enum tpl_by by;
};

struct tpl_ctx {
    struct config *cfg;
    struct framework *fw;
    struct obsset *units_file;   /* the batch's units file, or NULL */
    struct cube *held;           /* what the store holds, or NULL */
    struct template_unit *unit;  /* known units (strings borrowed) */
    size_t nunit;
    size_t *sel;                 /* the units chosen */
    size_t nsel;
    int *inds;                   /* every indicator, in framework order */
    double *prev;                /* [u * nind + i] */
    int *prev_year;
};

static void template_usage(FILE *fp)
{
    fputs("Usage: lcme template BATCH.ini [--unit CODE]... [--by unit|indicator] -o DIR\n"
          "\n"
          "Write data-entry workbooks for the batch's year: one row per unit and\n"
          "indicator, the value to fill in beside the latest value held, checked as it is\n"
          "typed. Returned workbooks are read by naming them in the batch's data\n"
          "(e.g. data = returns/*.xlsx).\n"
          "\n"
          "  --unit CODE     only this unit (repeat for more)\n"
          "  --by unit       one workbook per unit (default: one for all)\n"
          "  --by indicator  one workbook per indicator, every unit in it\n"
          "  -o, --output DIR  the folder to write to (created when missing)\n", fp);
}

/* 0, 1 for --help, 2 for bad usage (reported). */
static int parse_opts(int argc, char **argv, struct tpl_opts *o)
{
    static const struct option opts[] = {
        {"unit", required_argument, NULL, 'u'}, {"by", required_argument, NULL, 'b'},
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch, bad = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'u': o->unit[o->nunit++] = optarg; break;
        case 'o': o->outdir = optarg; break;
        case 'h': return 1;
        case 'b':
            if (strcmp(optarg, "unit") == 0) {
                o->by = BY_UNIT;
            } else if (strcmp(optarg, "indicator") == 0) {
                o->by = BY_INDICATOR;
            } else {
                fprintf(stderr, "lcme: --by: '%s' is neither unit nor indicator\n", optarg);
                bad = 1;
            }
            break;
        default: bad = 1;
        }
    }
    if (!bad && optind != argc - 1)
        fprintf(stderr, "lcme: template needs exactly one batch file\n");
    else if (!bad && !o->outdir)
        fprintf(stderr, "lcme: template needs -o DIR, the folder to write to\n");
    if (bad || optind != argc - 1 || !o->outdir) {
        fprintf(stderr, "Try 'lcme template --help' for more information.\n");
        return 2;
    }
    o->batch = argv[optind];
    return 0;
}

/* ---- units and what the store holds ------------------------------------- */

/* Index of code among the known units, or -1. */
static long find_unit(const struct tpl_ctx *x, const char *code)
{
    for (size_t u = 0; u < x->nunit; u++)
        if (strcmp(x->unit[u].code, code) == 0)
            return (long)u;
    return -1;
}

/* The units file's units, then the store's others. 0, or -1 in d. */
static int load_units(struct tpl_ctx *x, struct diag *d)
{
    const struct config *cfg = x->cfg;
    if (cfg->units) {
        if (!(x->units_file = obsset_new())) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            return -1;
        }
        if (ingest_units(x->units_file, cfg->units, d) != 0)
            return -1;
    }
    if (access(cfg->store, F_OK) == 0) {
        struct store *st = NULL;
        int rc = store_open(&st, cfg->store, 1, d) != 0 ||
                 store_load_cube(st, x->fw, cfg->ci_level, &x->held, NULL, d) != 0;
        store_close(st);
        if (rc)
            return -1;
    }
    size_t cap = (x->units_file ? x->units_file->nunit : 0) + (x->held ? x->held->nunit : 0);
    x->unit = calloc(cap + 1, sizeof *x->unit);
    if (!x->unit) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    for (size_t u = 0; x->units_file && u < x->units_file->nunit; u++)
        x->unit[x->nunit++] =
            (struct template_unit){x->units_file->unit[u], x->units_file->unit_name[u]};
    for (size_t u = 0; x->held && u < x->held->nunit; u++) {
        long k = find_unit(x, x->held->unit[u]);
        if (k < 0)
            x->unit[x->nunit++] =
                (struct template_unit){x->held->unit[u], x->held->unit_name[u]};
        else if (!x->unit[k].name[0])
            x->unit[k].name = x->held->unit_name[u];
    }
    return 0;
}

/* The units chosen: --unit's (known ones, when any are known), else all.
 * 0, or -1 in d. */
static int select_units(struct tpl_ctx *x, const struct tpl_opts *o, struct diag *d)
{
    if (x->nunit == 0 && o->nunit > 0) {   /* nothing known: take the codes */
        struct template_unit *v = realloc(x->unit, o->nunit * sizeof *v);
        if (!v)
            goto nomem;
        x->unit = v;
        for (size_t i = 0; i < o->nunit; i++)
            if (find_unit(x, o->unit[i]) < 0)
                x->unit[x->nunit++] = (struct template_unit){o->unit[i], ""};
    }
    if (x->nunit == 0) {
        diag_input(d, x->cfg->path, 0, 0, "no units to write templates for: the batch names "
                   "no units file and its store holds none (give them with --unit CODE)");
        return -1;
    }
    if (!(x->sel = malloc((x->nunit + o->nunit) * sizeof *x->sel)))
        goto nomem;
    for (size_t i = 0; i < o->nunit; i++) {
        long k = find_unit(x, o->unit[i]);
        if (k < 0)
            diag_input(d, x->cfg->path, 0, 0, "--unit %s: no such unit in the units file or "
                       "the store", o->unit[i]);
        else
            x->sel[x->nsel++] = (size_t)k;
    }
    for (size_t u = 0; o->nunit == 0 && u < x->nunit; u++)
        x->sel[x->nsel++] = u;
    return o->nunit && x->nsel < o->nunit ? -1 : 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    return -1;
}

/* Each known unit's latest value held before the batch's year, per
 * indicator. 0, or -1 on ENOMEM. */
static int previous_values(struct tpl_ctx *x)
{
    size_t ni = (size_t)x->fw->nind, n = x->nunit * ni;
    x->inds = malloc((ni + 1) * sizeof *x->inds);
    x->prev = malloc((n + 1) * sizeof *x->prev);
    x->prev_year = calloc(n + 1, sizeof *x->prev_year);
    if (!x->inds || !x->prev || !x->prev_year)
        return -1;
    for (size_t i = 0; i < ni; i++)
        x->inds[i] = (int)i;
    for (size_t k = 0; k < n; k++)
        x->prev[k] = NAN;
    const struct cube *c = x->held;
    for (size_t u = 0; c && u < x->nunit; u++) {
        int cu = cube_unit_index(c, x->unit[u].code);
        for (size_t i = 0; cu >= 0 && i < ni && i < c->nind; i++)
            for (size_t t = c->nyear; t-- > 0;) {
                double v = c->value[CUBE_AT(c, i, t, cu)];
                if (c->year[t] < x->cfg->year && !isnan(v)) {
                    x->prev[u * ni + i] = v;
                    x->prev_year[u * ni + i] = c->year[t];
                    break;
                }
            }
    }
    return 0;
}

/* ---- the workbooks ------------------------------------------------------ */

/* Write one workbook as DIR/file (through a temporary name) and print its
 * path. 0, or -1 in d. */
static int write_one(const struct tpl_ctx *x, const struct tpl_opts *o,
                     const struct template_part *part, const char *file, struct diag *d)
{
    struct template_req req = {x->cfg, x->fw, x->unit, x->nunit, x->prev, x->prev_year};
    char tmpname[160];
    snprintf(tmpname, sizeof tmpname, ".lcme-tmp-%ld-%s", (long)getpid(), file);
    char *path = path_join(o->outdir, file), *tmp = path_join(o->outdir, tmpname);
    int rc = -1;
    if (!path || !tmp)
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
    else if (template_write(tmp, &req, part, d) == 0) {
        if (rename(tmp, path) == 0) {
            printf("%s\n", path);
            rc = 0;
        } else {
            diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s'", path);
            unlink(tmp);
        }
    }
    free(path);
    free(tmp);
    return rc;
}

/* A file name for unit k that no earlier unit of this call took: its
 * name's slug, else its code's, else both. */
static void unit_file(const struct tpl_ctx *x, size_t j, char *out, size_t len)
{
    const struct template_unit *u = &x->unit[x->sel[j]];
    char slug[96], other[96], both[256];
    path_slug(u->name[0] ? u->name : u->code, slug, sizeof slug);
    int taken = 0;
    for (size_t i = 0; i < j; i++) {
        const struct template_unit *v = &x->unit[x->sel[i]];
        path_slug(v->name[0] ? v->name : v->code, other, sizeof other);
        taken |= strcmp(other, slug) == 0;
    }
    if (taken) {
        snprintf(both, sizeof both, "%s %s", u->code, u->name);
        path_slug(both, slug, sizeof slug);
    }
    snprintf(out, len, "%s.xlsx", slug);
}

static int write_all(const struct tpl_ctx *x, const struct tpl_opts *o, struct diag *d)
{
    char file[128], who[512], slug[96];
    struct template_part part = {x->sel, x->nsel, x->inds, (size_t)x->fw->nind, 0, who};
    int rc = 0;
    if (o->by == BY_NONE) {
        snprintf(who, sizeof who, "%zu unit%s", x->nsel, x->nsel == 1 ? "" : "s");
        snprintf(file, sizeof file, "template-%d.xlsx", x->cfg->year);
        return write_one(x, o, &part, file, d);
    }
    size_t n = o->by == BY_UNIT ? x->nsel : (size_t)x->fw->nind;
    for (size_t k = 0; k < n; k++) {
        if (o->by == BY_UNIT) {
            const struct template_unit *u = &x->unit[x->sel[k]];
            part.units = &x->sel[k];
            part.nunits = 1;
            snprintf(who, sizeof who, "%s (%s)", u->name[0] ? u->name : u->code, u->code);
            unit_file(x, k, file, sizeof file);
        } else {
            const struct fw_node *nd = &x->fw->node[x->inds[k]];
            part.inds = &x->inds[k];
            part.ninds = 1;
            part.by_indicator = 1;
            snprintf(who, sizeof who, "indicator %s, %s", nd->code, nd->name);
            snprintf(file, sizeof file, "%s.xlsx", path_slug(nd->code, slug, sizeof slug));
        }
        if (write_one(x, o, &part, file, d) != 0)
            rc = -1;
    }
    return rc;
}

int cmd_template(int argc, char **argv)
{
    struct tpl_opts o = {NULL, NULL, NULL, 0, BY_NONE};
    o.unit = calloc((size_t)argc + 1, sizeof *o.unit);
    if (!o.unit)
        return 3;
    int prc = parse_opts(argc, argv, &o);
    if (prc == 1)
        template_usage(stdout);
    if (prc != 0) {
        free(o.unit);
        return prc == 1 ? 0 : 2;
    }
    struct diag d;
    diag_init(&d);
    struct tpl_ctx x;
    memset(&x, 0, sizeof x);
    int rc = -1, read = 0;
    if (config_load(&x.cfg, o.batch, &d) == 0 &&
        framework_load(&x.fw, x.cfg->framework, &d) == 0 && load_units(&x, &d) == 0 &&
        select_units(&x, &o, &d) == 0) {
        read = 1;
        if (previous_values(&x) != 0)
            diag_add(&d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        else if (path_mkdir_p(o.outdir) != 0)
            diag_add(&d, LCME_EINPUT, o.outdir, 0, 0, "cannot create the folder '%s'", o.outdir);
        else
            rc = write_all(&x, &o, &d);
    }
    int exit_code = rc == 0 ? 0 : cli_report(&d, "templates not written");
    if (!read && d.worst == LCME_EIO)
        exit_code = 1;   /* a missing or unreadable input is bad input, as in validate */
    free(x.inds);
    free(x.prev);
    free(x.prev_year);
    free(x.sel);
    free(x.unit);
    cube_free(x.held);
    obsset_free(x.units_file);
    framework_free(x.fw);
    config_free(x.cfg);
    diag_free(&d);
    free(o.unit);
    return exit_code;
}
