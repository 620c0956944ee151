/* quality.c: the rows of quality.csv and of the Quality sheet (layout in
 * quality.h), built once into an array and then written as CSV or as an
 * Excel table. Rows borrow their strings from the framework, the cube and
 * static text, so the array lives only as long as one write. Formats only:
 * every statistic comes from results->prep and results->coherence.
 */
#include "quality.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coherence.h"
#include "csvout.h"
#include "prepare.h"
#include "report_util.h"

struct qrow {
    const char *section, *unit, *node, *other, *stat, *note;
    int year;            /* 0: empty */
    double value;        /* NaN: empty */
};

struct qrows {
    size_t n, alloc;
    struct qrow *v;
    int nomem;
};

static void add(struct qrows *q, const char *section, const char *unit,
                int year, const char *node, const char *other,
                const char *stat, double value, const char *note)
{
    if (q->nomem) return;
    if (q->n == q->alloc) {
        size_t na = q->alloc ? 2 * q->alloc : 256;
        struct qrow *nv = realloc(q->v, na * sizeof *nv);
        if (!nv) {
            q->nomem = 1;
            return;
        }
        q->v = nv;
        q->alloc = na;
    }
    struct qrow *r = &q->v[q->n++];
    r->section = section;
    r->unit = unit;
    r->year = year;
    r->node = node;
    r->other = other;
    r->stat = stat;
    r->value = value;
    r->note = note;
}

/* Cells present, imputed and treated, counted over one unit-year or one
 * indicator-year. */
struct cell_counts {
    size_t present, imputed, treated;
};

static void count_cell(struct cell_counts *n, const struct cube *c,
                       const struct results *r, size_t k)
{
    n->present += !isnan(c->value[k]);
    n->imputed += (r->flag[k] & CUBE_IMPUTED) != 0;
    n->treated += (r->flag[k] & (CUBE_TREATED_HIGH | CUBE_TREATED_LOW)) != 0;
}

/* Observations of each indicator by flag as given, over every year: one
 * row per indicator and flag text (none without flags). */
static void add_flags(struct qrows *q, const struct report_input *in)
{
    const struct cube *c = in->cube;
    size_t plane = c->nyear * c->nunit;
    if (!c->nflagtext || !c->flagid) return;
    size_t *count = calloc(c->nflagtext + 1, sizeof *count);
    if (!count) {
        q->nomem = 1;
        return;
    }
    for (size_t i = 0; i < c->nind; i++) {
        for (size_t k = 0; k <= c->nflagtext; k++) count[k] = 0;
        for (size_t k = i * plane; k < (i + 1) * plane; k++) count[c->flagid[k]]++;
        for (size_t f = 1; f <= c->nflagtext; f++)
            if (count[f])
                add(q, "flag", NULL, 0, in->fw->node[i].code, c->flagtext[f - 1],
                    "observations", (double)count[f],
                    cube_flag_is_break(c->flagtext[f - 1]) ? "break in series" : NULL);
    }
    free(count);
}

static void build(struct qrows *q, const struct report_input *in)
{
    const struct framework *fw = in->fw;
    const struct cube *c = in->cube;
    const struct results *r = in->res;
    const struct prepare_report *p = r->prep;
    size_t nu = r->nunit, ny = r->nyear, ni = (size_t)fw->nind;

    for (size_t t = 0; t < ny; t++)
        for (size_t u = 0; u < nu; u++) {
            struct cell_counts n = {0, 0, 0};
            for (size_t i = 0; i < ni; i++)
                count_cell(&n, c, r, RES_AT(r, i, t, u));
            int y = c->year[t];
            const char *un = c->unit[u];
            int drop = p && p->dropped[t * nu + u];
            add(q, "unit", un, y, NULL, NULL, "present_share",
                ni ? (double)n.present / (double)ni : NAN, NULL);
            add(q, "unit", un, y, NULL, NULL, "imputed", (double)n.imputed, NULL);
            add(q, "unit", un, y, NULL, NULL, "treated", (double)n.treated, NULL);
            add(q, "unit", un, y, NULL, NULL, "screened", drop ? 1.0 : 0.0,
                drop ? "screened" : NULL);
        }
    for (size_t i = 0; i < ni; i++)
        for (size_t t = 0; t < ny; t++) {
            struct cell_counts n = {0, 0, 0};
            for (size_t u = 0; u < nu; u++)
                count_cell(&n, c, r, RES_AT(r, i, t, u));
            const char *nd = fw->node[i].code;
            int y = c->year[t];
            add(q, "indicator", NULL, y, nd, NULL, "present", (double)n.present, NULL);
            add(q, "indicator", NULL, y, nd, NULL, "imputed", (double)n.imputed, NULL);
            add(q, "indicator", NULL, y, nd, NULL, "treated", (double)n.treated, NULL);
        }
    if (p && p->treat_done)
        for (size_t i = 0; i < ni; i++)
            for (size_t t = 0; t < ny; t++) {
                const struct prepare_treat_row *w = &p->treat[i * ny + t];
                const char *nd = fw->node[i].code, *how = prepare_treat_how_name(w->how);
                int y = c->year[t];
                add(q, "treatment", NULL, y, nd, NULL, "skew_before", w->skew0, how);
                add(q, "treatment", NULL, y, nd, NULL, "kurt_before", w->kurt0, how);
                add(q, "treatment", NULL, y, nd, NULL, "skew_after", w->skew1, how);
                add(q, "treatment", NULL, y, nd, NULL, "kurt_after", w->kurt1, how);
                add(q, "treatment", NULL, y, nd, NULL, "winsorised",
                    (double)(w->nhigh + w->nlow), how);
            }
    add_flags(q, in);
    const struct coherence *co = r->coherence;
    if (!co) return;
    int y = co->year;
    for (size_t k = 0; k < co->npair; k++) {
        const struct coherence_pair *pr = &co->pair[k];
        const char *a = fw->node[pr->node].code, *b = fw->node[pr->parent].code;
        add(q, "correlation", NULL, y, a, b, "pearson", pr->pearson, NULL);
        add(q, "correlation", NULL, y, a, b, "spearman", pr->spearman, NULL);
        add(q, "correlation", NULL, y, a, b, "n", (double)pr->n, NULL);
    }
    for (size_t k = 0; k < co->ngroup; k++) {
        const struct coherence_group *g = &co->group[k];
        const struct fw_node *nd = &fw->node[g->node];
        add(q, "alpha", NULL, y, nd->code, NULL, "cronbach_alpha", g->alpha, NULL);
        add(q, "pca", NULL, y, nd->code, NULL, "variance_share", g->pca_share, NULL);
        for (int a = 0; a < g->k; a++)
            add(q, "pca", NULL, y, nd->code, fw->node[nd->child[a]].code, "loading",
                g->loading[a], NULL);
    }
    for (size_t k = 0; k < co->nflag; k++) {
        const struct coherence_flag *f = &co->flag[k];
        add(q, "corr_flag", NULL, y, fw->node[f->a].code, fw->node[f->b].code,
            "pearson", f->r, f->kind == COHERENCE_COLLINEAR ? "collinear" : "negative");
    }
    for (size_t i = 0; i < co->nind; i++) {
        const struct coherence_stat *s = &co->stat[i];
        const char *nd = fw->node[i].code;
        /* each flag on the row of the statistic it judges; Outliers
         * (|skew| > 2 and kurtosis > 3.5) on the skew row */
        add(q, "stats", NULL, y, nd, NULL, "available", s->avail,
            s->low_avail ? "LowAvail" : NULL);
        add(q, "stats", NULL, y, nd, NULL, "zero", s->zero, s->high_zero ? "HighZero" : NULL);
        add(q, "stats", NULL, y, nd, NULL, "unique", s->unique,
            s->low_unique ? "LowUnique" : NULL);
        add(q, "stats", NULL, y, nd, NULL, "skew", s->skew, s->outliers ? "Outliers" : NULL);
        add(q, "stats", NULL, y, nd, NULL, "kurtosis", s->kurt, NULL);
    }
}


static const char *const header[] = {"section", "unit", "year", "node", "other",
                                     "statistic", "value", "note"};
#define NCOL 8

int quality_csv_write(const char *path, const struct report_input *in,
                      struct diag *d)
{
    struct qrows q = {0};
    build(&q, in);
    if (q.nomem) {
        free(q.v);
        diag_add(d, LCME_ENOMEM, path, 0, 0, "quality.csv: out of memory");
        return -1;
    }
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(errno));
        free(q.v);
        return -1;
    }
    for (int j = 0; j < NCOL; j++) {
        if (j) fputc(',', fp);
        fputs(header[j], fp);
    }
    fputc('\n', fp);
    for (size_t k = 0; k < q.n; k++) {
        const struct qrow *r = &q.v[k];
        csvout_text(fp, r->section);
        fputc(',', fp);
        csvout_text(fp, r->unit ? r->unit : "");
        fputc(',', fp);
        if (r->year) fprintf(fp, "%d", r->year);
        fputc(',', fp);
        csvout_text(fp, r->node ? r->node : "");
        fputc(',', fp);
        csvout_text(fp, r->other ? r->other : "");
        fputc(',', fp);
        csvout_text(fp, r->stat);
        fputc(',', fp);
        csvout_num(fp, r->value);
        fputc(',', fp);
        csvout_text(fp, r->note ? r->note : "");
        fputc('\n', fp);
    }
    free(q.v);
    if (ferror(fp) | (fclose(fp) != 0)) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s'", path);
        return -1;
    }
    return 0;
}

/* Rows a worksheet holds (Excel's 1,048,576). */
#define QUALITY_SHEET_ROWS 1048576

/* How many corr_flag rows the sheet shows when room rows fit below the
 * header: all of them when every row fits, else as many as leave room for
 * every other row and for one row saying how many flags only quality.csv
 * lists (2,000 indicators under one parent give about two million pairs). */
static size_t flags_shown(const struct qrows *q, size_t room, size_t *flags)
{
    *flags = 0;
    for (size_t k = 0; k < q->n; k++)
        *flags += strcmp(q->v[k].section, "corr_flag") == 0;
    if (q->n <= room)
        return *flags;
    size_t others = q->n - *flags;
    return others + 1 < room ? room - 1 - others : 0;
}

/* Row r into the sheet at row; text through report_text. */
static lxw_error sheet_row(lxw_worksheet *ws, lxw_row_t row, const struct qrow *r)
{
    const char *txt[NCOL] = {r->section, r->unit, NULL, r->node, r->other,
                             r->stat, NULL, r->note};
    lxw_error err = LXW_NO_ERROR;
    for (int j = 0; j < NCOL && err == LXW_NO_ERROR; j++)
        if (txt[j] && *txt[j]) {
            char *owned;
            err = worksheet_write_string(ws, row, (lxw_col_t)j, report_text(txt[j], &owned),
                                         NULL);
            free(owned);
        }
    if (err == LXW_NO_ERROR && r->year)
        err = worksheet_write_number(ws, row, 2, r->year, NULL);
    if (err == LXW_NO_ERROR && isfinite(r->value))
        err = worksheet_write_number(ws, row, 6, r->value, NULL);
    return err;
}

/* 1 when row r is in the sheet of year y (y 0: every row): the sections
 * counted per year (unit, indicator, treatment) keep only year y. */
static int in_year(const struct qrow *r, int y)
{
    if (!y || !r->year)
        return 1;
    int per_year = strcmp(r->section, "unit") == 0 || strcmp(r->section, "indicator") == 0 ||
                   strcmp(r->section, "treatment") == 0;
    return !per_year || r->year == y;
}

int quality_sheet_fill(lxw_worksheet *ws, const struct report_input *in, int table,
                       size_t first_row, int year, struct diag *d)
{
    struct qrows q = {0};
    build(&q, in);
    if (q.nomem) {
        free(q.v);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "Quality sheet: out of memory");
        return -1;
    }
    size_t keep = 0;   /* the rows of the year, in order */
    for (size_t k = 0; k < q.n; k++)
        if (in_year(&q.v[k], year))
            q.v[keep++] = q.v[k];
    q.n = keep;
    size_t room = QUALITY_SHEET_ROWS - 1 - first_row;   /* rows below the header */
    size_t nflag, show = flags_shown(&q, room, &nflag);
    size_t nrow = q.n - nflag + show + (show < nflag);
    lxw_table_column col[NCOL], *ptr[NCOL + 1];
    memset(col, 0, sizeof col);
    for (int j = 0; j < NCOL; j++) {
        col[j].header = (char *)header[j];
        ptr[j] = &col[j];
    }
    ptr[NCOL] = NULL;
    lxw_table_options opt;
    memset(&opt, 0, sizeof opt);
    opt.name = "Quality";
    opt.style_type = LXW_TABLE_STYLE_TYPE_MEDIUM;
    opt.style_type_number = 2;
    opt.columns = ptr;
    lxw_error err;
    lxw_row_t top = (lxw_row_t)first_row;
    if (table) {
        err = worksheet_add_table(ws, top, 0, top + (lxw_row_t)(nrow ? nrow : 1), NCOL - 1,
                                  &opt);
    } else {
        /* constant-memory workbooks cannot hold tables: a header row with an
         * autofilter over the same range instead */
        err = LXW_NO_ERROR;
        for (int j = 0; j < NCOL && err == LXW_NO_ERROR; j++)
            err = worksheet_write_string(ws, top, (lxw_col_t)j, header[j], NULL);
        if (err == LXW_NO_ERROR)
            err = worksheet_autofilter(ws, top, 0, top + (lxw_row_t)(nrow ? nrow : 1),
                                       NCOL - 1);
    }
    lxw_row_t row = top + 1;
    size_t flag = 0;
    for (size_t k = 0; k < q.n && err == LXW_NO_ERROR; k++) {
        const struct qrow *r = &q.v[k];
        if (strcmp(r->section, "corr_flag") == 0 && flag++ >= show) {
            if (flag == show + 1) {
                struct qrow more = {"corr_flag", NULL, NULL, NULL, "not_shown",
                                    "more pairs than a sheet holds: quality.csv lists every one",
                                    r->year, (double)(nflag - show)};
                err = sheet_row(ws, row++, &more);
            }
            continue;
        }
        err = sheet_row(ws, row++, r);
    }
    if (err == LXW_NO_ERROR) {
        worksheet_set_column(ws, 0, 0, 12, NULL);
        worksheet_set_column(ws, 1, 5, 14, NULL);
        worksheet_set_column(ws, 6, 6, 12, NULL);
        worksheet_set_column(ws, 7, 7, 24, NULL);
        worksheet_freeze_panes(ws, top + 1, 0);
    }
    free(q.v);
    if (err != LXW_NO_ERROR) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "Quality sheet: %s", lxw_strerror(err));
        return -1;
    }
    return 0;
}
