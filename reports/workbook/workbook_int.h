/* workbook_int.h: what the files of reports/workbook/ share, private to
 * them: the writing context (struct wb), the cell, width and table helpers
 * (workbook_cells.c), the table of sheets (workbook.c) and each sheet's
 * writer (sheet_*.c).
 *
 * A sheet is one row of wb_sheets[]: its name, its line in the Cover's
 * contents, its writer and, for a sheet only some runs have, when it is
 * there. Adding a sheet is adding a row there and a
 * sheet_NAME.c with its writer (declared below).
 *
 * Every writer writes its sheet strictly row by row, top to bottom, so the
 * same code serves libxlsxwriter's constant-memory mode (w->streaming), and
 * adds a table before the rows under it (worksheet_add_table writes the
 * header cells itself). Writers do not return errors: a libxlsxwriter error
 * is kept in w->err (the first one, sticky; wb_check), an allocation
 * failure in w->nomem, and workbook_write reports them once at the end.
 */
#ifndef LCME_WORKBOOK_INT_H
#define LCME_WORKBOOK_INT_H

#include <math.h>
#include <stddef.h>

#include <xlsxwriter.h>

#include "reports.h"

struct strmap;

#define XLSX_MAX_COLS 16384     /* columns in a worksheet */
#define XLSX_MAX_STRING 32767   /* bytes in a cell */
#define XLSX_MAX_HEADER 255     /* bytes in a table's column name */

/* The topics of the Notes a sheet refers to as "[note N]": each topic is
 * one numbered note (sheet_notes.c), its number in struct wb's note_no. */
enum wb_note {
    WBN_READING,      /* the year shown, where the complete tables are */
    WBN_MISSING,      /* empty cells and the status column */
    WBN_RANKS,        /* rank 1, ties, rank intervals */
    WBN_NORMALISE,    /* normalisation and its scope */
    WBN_AGGREGATE,    /* how each level combines its children */
    WBN_INTERVALS,    /* where intervals come from */
    WBN_CHANGES,      /* changes, p-values, significance */
    WBN_TRENDS,       /* slopes and progress classes */
    WBN_DATA,         /* the data: counts, revisions */
    WBN_PREPARE,      /* imputation and outlier treatment, the Data fills */
    WBN_GROUPS,       /* the groups of units compared */
    WBN_SENSITIVITY,  /* the sensitivity analysis of the ranks */
    WBN_FRAMEWORK,    /* the framework file's columns */
    WBN_NTOPIC
};

/* Notes text (sheet_notes.c): numbered notes, each with its section. */
struct wb_lines {
    size_t n, alloc;
    char **text;
    const char **section;     /* static text */
};

struct wb {
    lxw_workbook *book;
    const struct report_input *in;
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *c;
    const struct results *r;
    const struct run_info *run;
    lxw_error err;            /* first libxlsxwriter error; sticky */
    int streaming;            /* constant-memory mode: no tables */
    int nomem;                /* an allocation failed; sticky */

    int ty;                   /* evaluation year index, -1 when none */
    int year_fallback;        /* cfg->year not held: the latest year is used */
    int *area, narea;         /* level nlevel-1 nodes, in node order */
    int *feat, nfeat;         /* level-2 nodes, in node order */
    size_t max_data_rows;     /* rows below a header */
    int *node_order;          /* the nodes from the index down the levels
                                 (aggregates first, indicators last),
                                 framework order within a level */
    size_t score_rows;        /* rows Scores needs: units x nodes (0 without
                                 an evaluation year) */
    size_t history_rows;      /* rows History needs: units x aggregates */
    size_t cells;             /* cells of the largest sheets (Scores,
                                 History, Trends, Data), for the choice of
                                 constant-memory mode */
    size_t data_ind;          /* indicators shown on Data (column limit) */
    size_t *flag_ind, nflag_ind; /* of those, the ones with a flag: a flag
                                    column each on Data */
    int narea_shown, nfeat_shown; /* areas and key features that fit in a
                                     sheet's columns */

    struct wb_lines notes;    /* composed before the sheets are written */
    int note_no[WBN_NTOPIC];  /* the number of each topic's note, 0: none */
    char *tmpbuf;             /* for strings cut to Excel's limit */

    /* formats, made once by make_formats (workbook.c) */
    lxw_format *f_title, *f_heading, *f_bold, *f_wrap, *f_head_wrap;
    lxw_format *f_1dp, *f_2dp, *f_3dp, *f_pct, *f_date;
    lxw_format *f_imp, *f_imp2, *f_trt, *f_trt2;   /* imputed, treated fills;
                                                      2: with two decimals */
};

/* ---- the sheets (workbook.c) ------------------------------------------- */

struct wb_sheet {
    const char *name;         /* tab name; the Cover links to it */
    const char *what;         /* its line in the Cover's contents */
    /* Exactly one of: */
    void (*write)(struct wb *w, lxw_worksheet *ws);  /* fills the sheet
                                                         workbook_write adds */
    int (*add)(struct wb *w, const char *name, struct diag *d);
                              /* adds the sheet named name and fills it;
                                 0, or -1 with the reason in d */
    int (*present)(const struct wb *w);
                              /* NULL: always there; else the sheet (and
                                 its line in the contents) is there only
                                 when it returns 1 */
};

extern const struct wb_sheet wb_sheets[];   /* in tab order */
extern const size_t wb_nsheets;

/* 1 when sheet s is in this workbook (s->present). */
int wb_sheet_present(const struct wb *w, const struct wb_sheet *s);

void wb_cover_write(struct wb *w, lxw_worksheet *ws);
void wb_notes_write(struct wb *w, lxw_worksheet *ws);
void wb_summary_write(struct wb *w, lxw_worksheet *ws);
void wb_scores_write(struct wb *w, lxw_worksheet *ws);
void wb_history_write(struct wb *w, lxw_worksheet *ws);
void wb_features_write(struct wb *w, lxw_worksheet *ws);
void wb_trends_write(struct wb *w, lxw_worksheet *ws);
void wb_objectives_write(struct wb *w, lxw_worksheet *ws);
int wb_objectives_present(const struct wb *w);   /* the batch has a plan */
void wb_data_write(struct wb *w, lxw_worksheet *ws);
void wb_indicators_write(struct wb *w, lxw_worksheet *ws);
void wb_groups_write(struct wb *w, lxw_worksheet *ws);
int wb_groups_present(const struct wb *w);   /* the units have attributes */
void wb_composition_write(struct wb *w, lxw_worksheet *ws);
void wb_framework_write(struct wb *w, lxw_worksheet *ws);
void wb_charts_write(struct wb *w, lxw_worksheet *ws);
void wb_sensitivity_write(struct wb *w, lxw_worksheet *ws);
int wb_sensitivity_present(const struct wb *w);   /* the batch has [sensitivity] */

/* Compose the Notes text into w->notes from the run (before the workbook is
 * opened: it needs only the plan). An allocation failure sets w->nomem. */
void wb_notes_compose(struct wb *w);

/* Free the Notes text; the lines are empty afterwards. */
void wb_notes_free(struct wb_lines *l);

/* ---- cells (workbook_cells.c) ------------------------------------------ */

/* Keep e in w->err when it is the first error. */
void wb_check(struct wb *w, lxw_error e);

/* Length of s (len bytes) cut to at most max bytes on a UTF-8 character
 * boundary. */
size_t wb_utf8_cut(const char *s, size_t len, size_t max);

/* A text cell, cut to Excel's limit; NULL or "" leaves the cell empty.
 * Always a string, never a formula. */
void wb_put_str(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, const char *s,
                lxw_format *f);

/* A number cell; a missing value leaves the cell empty (or blank with f's
 * fill when blank_fill is set). */
void wb_put_num(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, double v,
                lxw_format *f, int blank_fill);

/* Width (and format) of columns first..last; nothing when last < first. */
void wb_set_width(struct wb *w, lxw_worksheet *ws, size_t first, size_t last, double width,
                  lxw_format *f);

/* Widths of column ranges, as a table: one wb_set_width each, in order. */
struct wb_cols {
    unsigned short first, last;
    double width;
};
void wb_set_widths(struct wb *w, lxw_worksheet *ws, const struct wb_cols *cols, size_t n);

/* The unit code and name columns that open most sheets: their widths, and
 * unit u's two cells in a row. */
void wb_unit_widths(struct wb *w, lxw_worksheet *ws);
void wb_put_unit(struct wb *w, lxw_worksheet *ws, size_t row, size_t u);

/* In row row, from column col on: the score of each of the n nodes for
 * unit u in the year evaluated (w->ty >= 0), with one decimal. */
void wb_put_scores(struct wb *w, lxw_worksheet *ws, size_t row, size_t col, const int *node,
                   int n, size_t u);

/* a[i], or NaN when the array is absent. */
static inline double wb_at(const double *a, size_t i)
{
    return a ? a[i] : (double)NAN;
}

/* Column names of one table: unique (case-insensitively, as Excel
 * requires), at most 255 bytes, without control characters. Start from
 * {0}; wb_headers_free releases it. */
struct wb_headers {
    size_t n, alloc;
    char **name;
    struct strmap *seen;      /* lower-cased names */
    lxw_table_column *col;
    lxw_table_column **ptr;   /* NULL-terminated, for lxw_table_options */
};

/* Append a column name: text ("column" when empty), control characters
 * blanked, cut to fit, " 2", " 3", ... added until it is unique. */
void wb_headers_add(struct wb *w, struct wb_headers *h, const char *text);
void wb_headers_free(struct wb_headers *h);

/* Rows above every sheet's table: the sheet's title in A1 and what the
 * table holds, with the notes it refers to, in A2 (the UK Government
 * Analysis Function's spreadsheet guidance); the header is row WB_TOP. */
#define WB_TOP 2

/* The title (A1) and the sentence on the table (A2): "This worksheet
 * contains one table. " about, then "Notes: [note N], ..." for the n
 * topics given that have a note. */
void wb_sheet_head(struct wb *w, lxw_worksheet *ws, const char *title, const char *about,
                   const enum wb_note *topic, int n);

/* wb_sheet_head for a sheet of ntables tables side by side ("This worksheet
 * contains four tables. "). */
void wb_sheet_head_tables(struct wb *w, lxw_worksheet *ws, const char *title, int ntables,
                          const char *about, const enum wb_note *topic, int n);

/* Add a table named name with h's columns over rows WB_TOP..WB_TOP+nrows
 * (header in row WB_TOP; an empty table gets one empty row, as Excel wants
 * one). In constant-memory mode, where libxlsxwriter 1.1.4 makes no
 * tables, the header row is written in bold (or header_format) with an
 * autofilter over the same range instead. */
void wb_add_table(struct wb *w, lxw_worksheet *ws, const char *name, size_t nrows,
                  struct wb_headers *h, lxw_format *header_format);

/* wb_add_table for a table whose columns start at first_col (its header
 * still in row WB_TOP), for sheets that hold tables side by side. In
 * constant-memory mode a sheet has one autofilter: only the table at
 * column 0 gets it, the others a bold header row. */
void wb_add_table_at(struct wb *w, lxw_worksheet *ws, const char *name, size_t first_col,
                     size_t nrows, struct wb_headers *h, lxw_format *header_format);

/* wb_add_table with column names from a fixed list. */
void wb_add_table_of(struct wb *w, lxw_worksheet *ws, const char *name, size_t nrows,
                     const char *const *col, size_t ncol);

/* The status of unit u's score of node in year index t, for the status
 * columns: "scored", "scored, not ranked: too little data" (its coverage
 * is below the node's rank threshold), "screened out" (the unit-year had
 * too few data),
 * "no data" (nothing under the node was observed) or "too little data"
 * (its children cover less than the aggregation needs). Static text. */
const char *wb_score_status(const struct wb *w, int node, size_t t, size_t u);

/* The significance of change TREND_AT index at, since the year before
 * (prev) or the base year: "significant rise", "significant fall", "no
 * significant change", "not assessed" (no measured error enters it); ""
 * when the change is missing. Static text. */
struct trends;
const char *wb_significance(const struct trends *tr, size_t at, int prev);

/* "CODE name" for a node in buf ("CODE" without a name). Returns buf. */
const char *wb_node_label(const struct fw_node *n, char *buf, size_t len);

/* The workbook's three-colour scale (orange, near-white, blue) over a
 * range; nothing for an empty range. */
void wb_colour_scale(struct wb *w, lxw_worksheet *ws, size_t first_row, size_t first_col,
                     size_t last_row, size_t last_col);

/* ---- document properties (workbook_props.c) ---------------------------- */

/* Set the title, subject, author, comments and the creation time, which is
 * run->created (else cfg->created, else 31 December of cfg->year, or of
 * 2000), never the clock, so that reruns give the same bytes. An allocation failure sets w->nomem. */
void wb_set_properties(struct wb *w);

#endif
