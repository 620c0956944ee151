/* workbook.c: NAME.xlsx, the analysts' workbook, written with libxlsxwriter:
 * the table of sheets and workbook_write, which plans the workbook, composes
 * the Notes, adds the sheets in tab order, sets the document properties and
 * closes the file.
 *
 * The sheets are the rows of wb_sheets[] below, each written by its own file
 * (sheet_NAME.c; Quality by reports/quality.c); the Cover's contents are
 * made from the same table. The shared context and helpers are in
 * workbook_int.h.
 *
 * Invariants:
 * - What it holds at any size (README.md "Outputs"): the year evaluated on
 *   Summary, Features and Scores (every node's score, interval and rank:
 *   units x nodes rows), the aggregates' history on History (units x
 *   aggregates rows, a column per year), every year's indicator values on
 *   Data (units x years rows); so 2,000 units x 200 nodes x 20 years fit a
 *   worksheet's 1,048,576 rows without truncation. The complete long table
 *   of every score in every year is scores.csv and the store (Notes says so).
 * - Every sheet is written strictly row by row, top to bottom, so the same
 *   code serves libxlsxwriter's constant-memory mode, which the workbook uses
 *   when its largest sheets would pass tuning.constant_memory_cells cells
 *   (1.5 million by default: in normal mode libxlsxwriter keeps every cell in
 *   memory, about 140 bytes each, so that is about 200 MB; 7.2 million cells
 *   peaked at 1.0 GB there against 43 MB in constant-memory mode). Tables are
 *   added before their rows, since worksheet_add_table writes the header
 *   cells itself.
 * - Speed: tests/bench/bench_outputs.c writes the same cells with bare
 *   libxlsxwriter calls beside workbook_write; the time is libxlsxwriter's
 *   number printing and zlib (xlsx_zip.h: the zip level).
 * - Every table, header row included, is a real Excel table with unique
 *   column names (case-insensitive, as Excel requires) and a valid name;
 *   except in constant-memory mode, where libxlsxwriter 1.1.4 refuses
 *   tables: there each sheet gets a bold header row with an autofilter, and
 *   Notes says so.
 * - Text is always written with worksheet_write_string, never as a formula;
 *   numbers as numbers; a missing value (NaN) is an empty cell.
 * - The document's creation time is parsed from run->created, so reruns of a
 *   batch give byte-identical files (workbook_props.c).
 * - A sheet holds at most tuning.max_rows rows; what does not fit is left out
 *   and Notes says so (scores.csv always has every row).
 * - libxlsxwriter errors are sticky: the first one is kept, the rest of the
 *   writing goes on harmlessly and workbook_write reports it once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quality.h"
#include "report_util.h"
#include "workbook_int.h"
#include "workbook_tuning.h"

const struct workbook_tuning workbook_tuning_default = {
    .constant_memory_cells = 1500000,
    .max_rows = 1048576,
};

#define FILL_IMPUTED 0xFFF2CC   /* light yellow */
#define FILL_TREATED 0xDDEBF7   /* light blue */

/* ---- the sheets --------------------------------------------------------- */

static int quality_add(struct wb *w, const char *name, struct diag *d);

/* The workbook's sheets in tab order: a new sheet is a new row. */
const struct wb_sheet wb_sheets[] = {
    {"Cover", "What the workbook holds, its source, licence, contact and dates, the run "
              "facts and these contents.", wb_cover_write, NULL, NULL},
    {"Notes", "Numbered notes the tables refer to as [note N]: how to read the workbook, the "
              "methods and every note and fallback of the run.", wb_notes_write, NULL, NULL},
    {"Summary", "Each unit in index order: attributes, index score and rank with their "
                "bounds, changes and their significance, progress class, area scores.",
     wb_summary_write, NULL, NULL},
    {"Scores", "Every aggregate's score in the year evaluated with its interval, status and "
               "rank: one row per aggregate and unit (every node and year: scores.csv).",
     wb_scores_write, NULL, NULL},
    {"Indicators", "Each unit's normalised indicator values in the year evaluated.",
     wb_indicators_write, NULL, NULL},
    {"History", "The aggregates' scores in every year, the latest first: one row per "
                "aggregate and unit.", wb_history_write, NULL, NULL},
    {"Features", "Each unit's key feature scores in the year evaluated.", wb_features_write,
     NULL, NULL},
    {"Trends", "Each unit and aggregate: changes since the base year and the year before "
               "with intervals, p-values and significance, slope, progress class "
               "(every node: trends.csv).", wb_trends_write, NULL, NULL},
    {"Groups", "The units grouped by each attribute of the units file: medians, lowest and "
               "highest scores and significant changes of each group.",
     wb_groups_write, NULL, wb_groups_present},
    {"Objectives", "Progress against the action plan: one row per objective and unit, with "
                   "the planned value, the gap, the status and the paces (as objectives.csv).",
     wb_objectives_write, NULL, wb_objectives_present},
    {"Composition", "Each unit, aggregate and year whose indicators changed since the "
                    "previous scored year: the indicators that entered and those that left.",
     wb_composition_write, NULL, NULL},
    {"Quality", "Coverage, imputed and treated counts in the year evaluated, flags, outlier "
                "treatment and coherence (correlations, Cronbach's alpha, principal "
                "components); every year: quality.csv.",
     NULL, quality_add, NULL},
    {"Data", "Every indicator's raw value, one row per unit and year, with the imputed and "
             "treated values marked and counted, and each flagged indicator's flags as "
             "given.", wb_data_write, NULL, NULL},
    {"Framework", "The indicator tree with weights, effective weights, directions, targets, "
                  "the framework file's note on each row and each node's target score.",
     wb_framework_write, NULL, NULL},
    {"Charts", "Every chart file in charts/ with its title, links and description, and a "
               "native chart of the index to restyle.", wb_charts_write, NULL, NULL},
    {"Sensitivity", "How the ranks move under other method choices ([sensitivity]): each "
                    "unit's rank range, the Sobol indices of each choice, leaving components "
                    "out, and every run's settings.",
     wb_sensitivity_write, NULL, wb_sensitivity_present},
};
const size_t wb_nsheets = sizeof wb_sheets / sizeof wb_sheets[0];

int wb_sheet_present(const struct wb *w, const struct wb_sheet *s)
{
    return !s->present || s->present(w);
}

/* Quality: the title rows here, the table by quality.c (quality.h), the
 * year evaluated only (quality.csv has every year). */
static int quality_add(struct wb *w, const char *name, struct diag *d)
{
    lxw_worksheet *ws = workbook_add_worksheet(w->book, name);
    if (!ws) {
        w->nomem = 1;
        return 0;
    }
    static const enum wb_note topics[] = {WBN_PREPARE, WBN_DATA};
    char title[96];
    snprintf(title, sizeof title, "Data quality in %d", w->ty >= 0 ? w->c->year[w->ty] : 0);
    wb_sheet_head(w, ws, title, "One row per fact: coverage, imputed, treated and screened "
                  "counts per unit and indicator, outlier treatment, correlations, Cronbach's "
                  "alpha and principal components (every year: quality.csv).", topics, 2);
    return quality_sheet_fill(ws, w->in, !w->streaming, WB_TOP,
                              w->ty >= 0 ? w->c->year[w->ty] : 0, d);
}

/* Add every sheet of wb_sheets[] in order; -1 when a sheet that adds itself
 * failed (the reason in d). Other failures are left in w->err and w->nomem. */
static int add_sheets(struct wb *w, struct diag *d)
{
    for (size_t i = 0; i < wb_nsheets && !w->nomem; i++) {
        const struct wb_sheet *s = &wb_sheets[i];
        if (!wb_sheet_present(w, s))
            continue;
        if (s->add) {
            if (s->add(w, s->name, d) != 0)
                return -1;
            continue;
        }
        lxw_worksheet *ws = workbook_add_worksheet(w->book, s->name);
        if (!ws)
            w->nomem = 1;
        else
            s->write(w, ws);
    }
    return 0;
}

/* ---- planning ----------------------------------------------------------- */

/* Whether node x comes before node y on Scores and History: aggregates
 * before indicators, higher levels first, then framework order. */
static int before(const struct framework *fw, int x, int y)
{
    int ix = x < fw->nind, iy = y < fw->nind;
    if (ix != iy)
        return ix < iy;
    if (fw->node[x].level != fw->node[y].level)
        return fw->node[x].level > fw->node[y].level;
    return x < y;
}

/* The evaluation year, the areas and key features, the node order of Scores
 * and History, and what fits in a sheet; -1 when out of memory. */
static int plan(struct wb *w, const struct workbook_tuning *tune)
{
    const struct framework *fw = w->fw;
    w->ty = report_eval_year_index(w->in, &w->year_fallback);
    w->area = malloc((size_t)fw->nnode * sizeof *w->area + 1);
    w->feat = malloc((size_t)fw->nnode * sizeof *w->feat + 1);
    w->tmpbuf = malloc(XLSX_MAX_STRING + 1);
    w->node_order = malloc((size_t)fw->nnode * sizeof *w->node_order + 1);
    if (!w->area || !w->feat || !w->tmpbuf || !w->node_order)
        return -1;
    for (int k = 0; k < fw->nnode; k++) {   /* insertion: a few hundred nodes */
        int j = k;
        for (; j > 0 && before(fw, k, w->node_order[j - 1]); j--)
            w->node_order[j] = w->node_order[j - 1];
        w->node_order[j] = k;
    }
    for (int k = 0; k < fw->nnode; k++) {
        if (k != fw->root && fw->node[k].level == fw->nlevel - 1)
            w->area[w->narea++] = k;
        if (fw->node[k].level == 2)
            w->feat[w->nfeat++] = k;
    }
    w->max_data_rows = tune->max_rows > 1 ? tune->max_rows - 1 : 1;
    size_t nu = w->r->nunit, nagg = (size_t)(fw->nnode - fw->nind);
    w->score_rows = w->ty >= 0 ? nu * nagg : 0;
    w->history_rows = nu * nagg;
    w->cells = w->score_rows * 12 + w->history_rows * (5 + w->c->nyear) + nu * nagg * 24 +
               nu * w->c->nyear * (5 + (size_t)fw->nind) + nu * (2 + (size_t)fw->nind);
    size_t ni = (size_t)fw->nind;
    w->data_ind = ni <= XLSX_MAX_COLS - 5 ? ni : XLSX_MAX_COLS - 5;
    /* a flag column for each indicator shown that has a flag, as room allows */
    w->flag_ind = malloc((w->data_ind + 1) * sizeof *w->flag_ind);
    if (!w->flag_ind)
        return -1;
    const struct cube *c = w->c;
    size_t plane = c->nyear * c->nunit, room = XLSX_MAX_COLS - 5 - w->data_ind;
    for (size_t i = 0; i < w->data_ind && w->nflag_ind < room; i++)
        for (size_t k = i * plane; k < (i + 1) * plane; k++)
            if (c->flagid && c->flagid[k]) {
                w->flag_ind[w->nflag_ind++] = i;
                break;
            }
    w->narea_shown = w->narea <= XLSX_MAX_COLS - 5 ? w->narea : XLSX_MAX_COLS - 5;
    w->nfeat_shown = w->nfeat <= XLSX_MAX_COLS - 2 ? w->nfeat : XLSX_MAX_COLS - 2;
    return 0;
}

/* The formats of struct wb; a failure sets w->nomem. */
static void make_formats(struct wb *w)
{
    lxw_workbook *b = w->book;
    w->f_title = workbook_add_format(b);
    format_set_bold(w->f_title);
    format_set_font_size(w->f_title, 15);
    w->f_heading = workbook_add_format(b);
    format_set_bold(w->f_heading);
    format_set_font_size(w->f_heading, 13);
    w->f_bold = workbook_add_format(b);
    format_set_bold(w->f_bold);
    w->f_wrap = workbook_add_format(b);
    format_set_text_wrap(w->f_wrap);
    format_set_align(w->f_wrap, LXW_ALIGN_VERTICAL_TOP);
    w->f_head_wrap = workbook_add_format(b);
    format_set_bold(w->f_head_wrap);
    format_set_text_wrap(w->f_head_wrap);
    format_set_align(w->f_head_wrap, LXW_ALIGN_VERTICAL_TOP);
    w->f_1dp = workbook_add_format(b);
    format_set_num_format(w->f_1dp, "0.0");
    w->f_2dp = workbook_add_format(b);
    format_set_num_format(w->f_2dp, "0.00");
    w->f_3dp = workbook_add_format(b);
    format_set_num_format(w->f_3dp, "0.000");
    w->f_pct = workbook_add_format(b);
    format_set_num_format(w->f_pct, "0.0%");
    w->f_date = workbook_add_format(b);
    format_set_num_format(w->f_date, "d mmmm yyyy");
    format_set_align(w->f_date, LXW_ALIGN_LEFT);
    w->f_imp = workbook_add_format(b);
    format_set_bg_color(w->f_imp, FILL_IMPUTED);
    w->f_imp2 = workbook_add_format(b);
    format_set_bg_color(w->f_imp2, FILL_IMPUTED);
    format_set_num_format(w->f_imp2, "0.00");
    w->f_trt = workbook_add_format(b);
    format_set_bg_color(w->f_trt, FILL_TREATED);
    w->f_trt2 = workbook_add_format(b);
    format_set_bg_color(w->f_trt2, FILL_TREATED);
    format_set_num_format(w->f_trt2, "0.00");
    if (!w->f_title || !w->f_heading || !w->f_bold || !w->f_wrap || !w->f_head_wrap ||
        !w->f_1dp || !w->f_2dp || !w->f_3dp || !w->f_pct || !w->f_date || !w->f_imp ||
        !w->f_imp2 || !w->f_trt || !w->f_trt2)
        w->nomem = 1;
}

/* ---- entry points ------------------------------------------------------- */

/* The folder of path, for libxlsxwriter's temporary files; NULL when out of
 * memory. Caller frees. */
static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    size_t n = s ? (size_t)(s - path) : 0;
    if (s && n == 0)
        n = 1;                  /* "/x.xlsx" lives in "/" */
    char *d = malloc(n + 2);
    if (!d)
        return NULL;
    if (s)
        memcpy(d, path, n);
    else
        d[n++] = '.';
    d[n] = '\0';
    return d;
}

/* Open the output once ourselves: an unwritable path is then reported here,
 * instead of by libxlsxwriter on stderr at close. */
static int probe(const char *path, struct diag *d)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        int e = errno;
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, strerror(e));
        return -1;
    }
    fclose(fp);
    return 0;
}

/* Close the workbook (libxlsxwriter writes the file now) and report its
 * first error; 0 or -1 with the reason in d and the file removed. An
 * allocation failure is left to the caller (w->nomem). */
static int close_book(struct wb *w, const char *path, struct diag *d)
{
    errno = 0;
    lxw_error e = workbook_close(w->book);   /* frees the workbook in any case */
    int saved = errno;
    w->book = NULL;
    if (w->nomem)
        return -1;
    if (e == LXW_NO_ERROR)
        e = w->err;
    if (e == LXW_NO_ERROR)
        return 0;
    if (saved && (e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ||
                  e == LXW_ERROR_ZIP_FILE_OPERATION || e == LXW_ERROR_ZIP_CLOSE ||
                  e == LXW_ERROR_ZIP_FILE_ADD))
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s (%s)", path,
                 lxw_strerror(e), strerror(saved));
    else
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path, lxw_strerror(e));
    unlink(path);
    return -1;
}

int workbook_write_tuned(const char *path, const struct report_input *in,
                         const struct workbook_tuning *tune, struct diag *d)
{
    struct wb w;
    int rc = -1;
    char *tmpdir = NULL;

    if (!tune)
        tune = &workbook_tuning_default;
    memset(&w, 0, sizeof w);
    w.in = in;
    w.cfg = in->cfg;
    w.fw = in->fw;
    w.c = in->cube;
    w.r = in->res;
    w.run = in->run;
    w.ty = -1;
    if (w.r->nunit != w.c->nunit || w.r->nyear != w.c->nyear ||
        w.r->nnode != (size_t)w.fw->nnode || w.fw->nind < 0 ||
        w.c->nind != (size_t)w.fw->nind) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0,
                 "cannot write '%s': results do not match the cube and framework", path);
        return -1;
    }
    if (plan(&w, tune) != 0 || !(tmpdir = dir_of(path)))
        goto nomem;
    lxw_workbook_options opt;
    memset(&opt, 0, sizeof opt);
    opt.constant_memory = w.cells > tune->constant_memory_cells ? LXW_TRUE : LXW_FALSE;
    opt.tmpdir = tmpdir;
    w.streaming = opt.constant_memory;
    wb_notes_compose(&w);
    if (w.nomem)
        goto nomem;
    if (probe(path, d) != 0)
        goto done;
    w.book = workbook_new_opt(path, &opt);
    if (!w.book)
        goto nomem;
    make_formats(&w);
    if (add_sheets(&w, d) != 0)
        goto done_close;
    wb_set_properties(&w);
    if (close_book(&w, path, d) == 0)
        rc = 0;
    else if (w.nomem)
        goto nomem;
    goto done;

nomem:
    diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot write '%s': out of memory", path);
done_close:
    if (w.book)
        workbook_close(w.book);
    unlink(path);
done:
    free(tmpdir);
    free(w.area);
    free(w.feat);
    free(w.node_order);
    free(w.flag_ind);
    free(w.tmpbuf);
    wb_notes_free(&w.notes);
    return rc;
}

int workbook_write(const char *path, const struct report_input *in, struct diag *d)
{
    return workbook_write_tuned(path, in, NULL, d);
}
