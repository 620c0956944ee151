/* reports.h: everything lcme writes for people: the workbook and the tidy CSV
 * files. Reports format; they never compute a statistic. Each writer writes to
 * exactly the path it is given (the caller passes a temporary name and renames
 * it when complete) and returns 0, or -1 with the reason in d.
 */
#ifndef LCME_REPORTS_H
#define LCME_REPORTS_H

#include "config.h"
#include "cube.h"
#include "diag.h"
#include "framework.h"
#include "pipeline.h"

struct trends;
struct chart_list;
struct sensitivity;
struct objectives;

struct report_input {
    const struct config *cfg;
    const struct framework *fw;
    const struct cube *cube;       /* raw values as loaded from the store */
    const struct results *res;
    const struct run_info *run;
    size_t obs_total;              /* observations in the cube */
    size_t obs_with_error;         /* of which carry se, n or lower/upper */
    size_t obs_revised;            /* replaced in the store by this batch */
    size_t obs_skipped;            /* store rows of indicators not in the framework */
    const struct trends *trends;   /* trends per node and unit; may be NULL */
    const struct chart_list *charts; /* charts already written; may be NULL */
    const char *charts_dir;        /* folder holding them (STEM.png) */
    int threads;                   /* drawing threads for the charts; <= 0:
                                      run->threads, else one */
    const struct sensitivity *sens; /* the [sensitivity] analysis; NULL when
                                       the batch has none */
    void (*progress)(void *ctx, long done, long total);
                                   /* charts_write_all: chart files written
                                      of total, from any of its threads, one
                                      call at a time; may be NULL */
    void *progress_ctx;            /* progress's first argument */
    const struct objectives *objectives; /* progress against the action plan
                                      (objectives.h); NULL: the batch has none */
};

/* NAME.xlsx, the analysts' workbook: the sheets listed in
 * reports/workbook/workbook.c (wb_sheets[], one row a sheet), Cover first. */
int workbook_write(const char *path, const struct report_input *in, struct diag *d);

/* scores.csv: unit, year, node, level, score, ci_low, ci_high, rank,
 * rank_low, rank_high, coverage; one row per unit, year and node. */
int scores_csv_write(const char *path, const struct report_input *in, struct diag *d);

/* Release the font and drawing caches the charts and report leave behind
 * (pango, cairo, fontconfig). Call once at exit; nothing may be drawn after. */
void reports_release(void);

#endif
