/* plan.c: reads and checks the action-plan files (plan.h) and gives the
 * plan its version id.
 *
 * Each file is read with the CSV reader (csv.h), so every problem is
 * reported at FILE:LINE:COL; a row is kept only when all its fields pass,
 * and every problem in it is reported. Duplicates are found across files
 * with a map from "unit, node, year" to the first objective's index.
 *
 * Invariants: a kept objective has a unit (or *), a node of the framework,
 * a finite target (inside an indicator's declared [min, max]), a target
 * year, and, when given, a baseline year before the target year and not
 * after the evaluation year; no two objectives share unit, node and target
 * year; the version is a function of the objectives alone.
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "csv.h"
#include "sha256.h"
#include "strmap.h"

enum pcol { P_UNIT, P_NODE, P_TARGET, P_YEAR, P_BASE, P_LABEL, P_OWNER, P_NOTE, P_NCOL };
static const char *const pcol_name[P_NCOL] = {
    "unit", "node", "target", "year", "baseline_year", "label", "owner", "note",
};

/* What reading one file needs. */
struct plan_read {
    struct plan *p;
    const struct config *cfg;
    const struct framework *fw;
    struct csv *c;
    struct diag *d;
    struct strmap *seen;     /* "unit\x1fnode\x1fyear" -> objective index */
    size_t alloc;            /* of p->obj */
    int file;                /* index of the file */
    long col[P_NCOL];        /* 1-based columns; 0 when absent */
    int errors;
};

/* 1 when the record is a comment: its first field starts with '#'. */
static int is_comment(const struct csv *c)
{
    return c->nf > 0 && c->flen[0] > 0 && c->f[0][0] == '#';
}

/* Map the header's columns, reporting unknown, repeated and missing ones. */
static void plan_header(struct plan_read *r)
{
    struct csv *c = r->c;
    char q[64];
    for (size_t i = 0; i < c->nf; i++) {
        int k = -1;
        for (int j = 0; j < P_NCOL; j++)
            if (csv_name_is(c->f[i], c->flen[i], pcol_name[j]))
                k = j;
        if (k < 0 && csv_name_is(c->f[i], c->flen[i], "target_year"))
            k = P_YEAR;
        if (k < 0) {
            csv_error(c, r->d, (long)i + 1,
                      "unknown column '%s' (a plan's columns are unit, node, target, year, "
                      "baseline_year, label, owner, note)",
                      csv_quote(c->f[i], c->flen[i], q, sizeof q));
            r->errors++;
        } else if (r->col[k]) {
            csv_error(c, r->d, (long)i + 1, "duplicate column '%s' (also column %ld)",
                      csv_quote(c->f[i], c->flen[i], q, sizeof q), r->col[k]);
            r->errors++;
        } else {
            r->col[k] = (long)i + 1;
        }
    }
    for (int j = P_UNIT; j <= P_YEAR; j++)
        if (!r->col[j]) {
            csv_error(c, r->d, 1, "no '%s' column in the header (a plan needs unit, node, "
                      "target and year)", pcol_name[j]);
            r->errors++;
        }
}

/* Field k of the current record ("" when the column is absent). */
static const char *field(const struct plan_read *r, enum pcol k, size_t *len)
{
    if (!r->col[k]) {
        *len = 0;
        return "";
    }
    *len = r->c->flen[r->col[k] - 1];
    return r->c->f[r->col[k] - 1];
}

/* A year field: 0 when empty (and not required), -1 after reporting. */
static int year_field(struct plan_read *r, enum pcol k, int required, int *year)
{
    size_t len;
    const char *s = field(r, k, &len);
    char msg[256];
    *year = 0;
    enum csv_num st = csv_parse_year(s, len, year, msg, sizeof msg);
    if (st == CSV_NUM_OK)
        return 0;
    if (st == CSV_NUM_MISSING && !required)
        return 0;
    if (st == CSV_NUM_MISSING)
        csv_error(r->c, r->d, r->col[k], "empty %s", k == P_YEAR ? "target year" : "year");
    else
        csv_error(r->c, r->d, r->col[k], "%s", msg);
    return -1;
}

/* The node code: its index, or -1 after reporting. */
static int node_field(struct plan_read *r)
{
    size_t len;
    const char *s = field(r, P_NODE, &len);
    char q[64];
    if (csv_blank(s, len)) {
        csv_error(r->c, r->d, r->col[P_NODE], "empty node code");
        return -1;
    }
    int k = strmap_get(r->fw->index, s, len);
    if (k < 0)
        csv_error(r->c, r->d, r->col[P_NODE], "'%s' is not a node of the framework %s",
                  csv_quote(s, len, q, sizeof q), r->fw->path);
    return k;
}

/* The target: 0 and *v, or -1 after reporting. */
static int target_field(struct plan_read *r, int node, double *v)
{
    size_t len;
    const char *s = field(r, P_TARGET, &len);
    char msg[256];
    enum csv_num st = csv_parse_double(s, len, v, msg, sizeof msg);
    long col = r->col[P_TARGET];
    if (st == CSV_NUM_MISSING) {
        csv_error(r->c, r->d, col, "empty target (an objective needs a number to reach)");
        return -1;
    }
    if (st == CSV_NUM_BAD) {
        csv_error(r->c, r->d, col, "%s", msg);
        return -1;
    }
    if (node < 0 || node >= r->fw->nind)
        return 0;
    const struct fw_node *nd = &r->fw->node[node];
    if (*v < nd->min || *v > nd->max) {
        csv_error(r->c, r->d, col, "target %.15g is %s the %s %.15g declared for '%s'", *v,
                  *v < nd->min ? "below" : "above", *v < nd->min ? "minimum" : "maximum",
                  *v < nd->min ? nd->min : nd->max, nd->code);
        return -1;
    }
    return 0;
}

static char *dup_field(const struct plan_read *r, enum pcol k)
{
    size_t len;
    const char *s = field(r, k, &len);
    char *t = malloc(len + 1);
    if (t) {
        memcpy(t, s, len);
        t[len] = '\0';
    }
    return t;
}

/* Years that must agree: the baseline before the target year and not
 * after the evaluation year. 0, or -1 after reporting. */
static int check_years(struct plan_read *r, int year, int base)
{
    int bad = 0;
    if (base && r->cfg->year && base > r->cfg->year) {
        csv_error(r->c, r->d, r->col[P_BASE],
                  "baseline year %d is after the evaluation year %d", base, r->cfg->year);
        bad = 1;
    }
    if (base && year <= base) {
        csv_error(r->c, r->d, r->col[P_YEAR],
                  "target year %d is not after the baseline year %d", year, base);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* A second objective for the same unit, node and target year: reported
 * naming the first. 0 when new (and remembered), -1 otherwise. */
static int check_duplicate(struct plan_read *r, const struct plan_objective *o)
{
    size_t cap = strlen(o->unit) + strlen(o->node) + 16;
    char *key = malloc(cap);
    if (!key)
        return -1;
    int n = snprintf(key, cap, "%s\x1f%s\x1f%d", o->unit, o->node, o->year);
    int first = strmap_get(r->seen, key, (size_t)n);
    int rc = 0;
    if (first >= 0) {
        const struct plan_objective *f = &r->p->obj[first];
        csv_error(r->c, r->d, r->col[P_UNIT],
                  "duplicate objective for unit '%s', node '%s', target year %d (first given "
                  "at %s:%ld)", o->unit, o->node, o->year, r->p->path[f->file], f->line);
        rc = -1;
    } else if (strmap_put(r->seen, key, (size_t)n, (int)r->p->n) != 0) {
        rc = -1;
    }
    free(key);
    return rc;
}

static void objective_free(struct plan_objective *o)
{
    free(o->unit);
    free(o->node);
    free(o->label);
    free(o->owner);
    free(o->note);
}

/* Check the current row; keep its objective when every field passes. */
static void plan_row(struct plan_read *r)
{
    struct plan_objective o;
    memset(&o, 0, sizeof o);
    int bad = 0;
    size_t ulen;
    const char *u = field(r, P_UNIT, &ulen);
    if (csv_blank(u, ulen)) {
        csv_error(r->c, r->d, r->col[P_UNIT], "empty unit code (use * for every unit)");
        bad = 1;
    }
    o.inode = node_field(r);
    bad |= o.inode < 0;
    bad |= target_field(r, o.inode, &o.target) != 0;
    bad |= year_field(r, P_YEAR, 1, &o.year) != 0;
    bad |= year_field(r, P_BASE, 0, &o.baseline_year) != 0;
    if (!bad)
        bad |= check_years(r, o.year, o.baseline_year) != 0;
    if (bad) {
        r->errors++;
        return;
    }
    o.unit = dup_field(r, P_UNIT);
    o.node = dup_field(r, P_NODE);
    o.label = dup_field(r, P_LABEL);
    o.owner = dup_field(r, P_OWNER);
    o.note = dup_field(r, P_NOTE);
    o.file = r->file;
    o.line = r->c->line_no;
    o.unit_col = r->col[P_UNIT];
    if (!o.unit || !o.node || !o.label || !o.owner || !o.note ||
        array_grow((void **)&r->p->obj, &r->alloc, r->p->n + 1, sizeof o) != 0) {
        diag_add(r->d, LCME_ENOMEM, r->c->path, r->c->line_no, 0, "out of memory");
        objective_free(&o);
        r->errors++;
        return;
    }
    if (check_duplicate(r, &o) != 0) {
        objective_free(&o);
        r->errors++;
        return;
    }
    r->p->obj[r->p->n++] = o;
}

/* Read one file into r->p. */
static void plan_read_file(struct plan_read *r, const char *path)
{
    if (csv_open(&r->c, path, r->d) != 0) {
        r->errors++;
        return;
    }
    struct csv *c = r->c;
    int rc = csv_header(c, r->d);
    while (rc > 0 && is_comment(c))
        rc = csv_next(c, r->d);
    if (rc == 0)
        csv_error(c, r->d, 1, "no header (a plan needs unit, node, target and year)");
    if (rc <= 0) {
        r->errors++;
        goto done;
    }
    memset(r->col, 0, sizeof r->col);
    plan_header(r);
    if (r->errors)
        goto done;
    size_t width = c->nf, before = r->p->n;
    long header_line = c->line_no;
    int errors = r->errors;
    while ((rc = csv_next(c, r->d)) > 0) {
        if (is_comment(c))
            continue;
        if (csv_check_width(c, r->d, width) != 0) {
            r->errors++;
            continue;
        }
        plan_row(r);
    }
    if (rc < 0)
        r->errors++;
    else if (r->p->n == before && r->errors == errors) {
        diag_input(r->d, path, header_line, 1, "the plan file holds no objective (only a header)");
        r->errors++;
    }
done:
    csv_free(r->c);
    r->c = NULL;
}

/* The version: SHA-256 over every objective's fields, each text field with
 * its length so that no two plans can give the same text. */
static int plan_version(struct plan *p)
{
    size_t cap = 1;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_objective *o = &p->obj[i];
        cap += strlen(o->unit) + strlen(o->node) + strlen(o->label) + strlen(o->owner) +
               strlen(o->note) + 5 * 24 + 64;
    }
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < p->n && k < cap; i++) {
        const struct plan_objective *o = &p->obj[i];
        k += (size_t)snprintf(buf + k, cap - k, "%zu:%s %zu:%s %.17g %d %d %zu:%s %zu:%s %zu:%s\n",
                              strlen(o->unit), o->unit, strlen(o->node), o->node, o->target,
                              o->year, o->baseline_year, strlen(o->label), o->label,
                              strlen(o->owner), o->owner, strlen(o->note), o->note);
    }
    sha256_hex(buf, k, p->sha256);
    memcpy(p->version, p->sha256, 16);
    p->version[16] = '\0';
    free(buf);
    return 0;
}

int plan_load(struct plan **out, const struct config *cfg, const struct framework *fw,
              struct diag *d)
{
    *out = NULL;
    if (cfg->nplan == 0)
        return 0;
    struct plan_read r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.fw = fw;
    r.d = d;
    r.p = calloc(1, sizeof *r.p);
    r.seen = strmap_new();
    if (r.p) {
        r.p->path = calloc((size_t)cfg->nplan, sizeof *r.p->path);
        r.p->name = calloc((size_t)cfg->nplan, sizeof *r.p->name);
    }
    if (!r.p || !r.seen || !r.p->path || !r.p->name)
        goto nomem;
    for (int i = 0; i < cfg->nplan; i++) {
        r.p->path[i] = strdup(cfg->plan[i]);
        r.p->name[i] = strdup(cfg->plan_name[i]);
        r.p->nfile = i + 1;
        if (!r.p->path[i] || !r.p->name[i])
            goto nomem;
        r.file = i;
        plan_read_file(&r, cfg->plan[i]);
    }
    if (r.errors == 0 && plan_version(r.p) != 0)
        goto nomem;
    strmap_free(r.seen);
    if (r.errors) {
        plan_free(r.p);
        return -1;
    }
    *out = r.p;
    return 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "reading the plan: out of memory");
    strmap_free(r.seen);
    plan_free(r.p);
    return -1;
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        objective_free(&p->obj[i]);
    free(p->obj);
    for (int i = 0; i < p->nfile; i++) {
        free(p->path[i]);
        free(p->name[i]);
    }
    free(p->path);
    free(p->name);
    free(p);
}

int plan_check_units(const struct plan *p, const char *const *units, size_t n,
                     struct diag *d)
{
    struct strmap *m = strmap_new();
    if (!m) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "checking the plan's units: out of memory");
        return -1;
    }
    for (size_t u = 0; u < n; u++)
        if (strmap_put(m, units[u], strlen(units[u]), (int)u) != 0) {
            strmap_free(m);
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "checking the plan's units: out of memory");
            return -1;
        }
    int rc = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct plan_objective *o = &p->obj[i];
        if (strcmp(o->unit, PLAN_ALL_UNITS) == 0 || strmap_gets(m, o->unit) >= 0)
            continue;
        diag_input(d, p->path[o->file], o->line, o->unit_col,
                   "unit '%s' is in neither the data, the units file nor the store", o->unit);
        rc = -1;
    }
    strmap_free(m);
    return rc;
}
