/* template.h: data-entry workbooks for a batch's year (lcme template): a
 * workbook an office fills in and returns, which the batch then reads
 * directly (data = returns/ followed by *.xlsx, xlsx_read.h).
 *
 * Each workbook has three sheets:
 *   Instructions  what to fill in, how numbers are written, what each
 *                 column means (from the same table as the Data sheet)
 *   Data          a header row, then one row per unit and indicator:
 *                 unit, unit_name, year, indicator, indicator_name,
 *                 unit_of_measure, value, previous_value, previous_year,
 *                 se, n, lower, upper, source, comment. The key columns and
 *                 the previous value are locked (sheet protection without a
 *                 password); only value, se, n, lower, upper, source and
 *                 comment are open. Each value cell validates a number in
 *                 the indicator's declared [min, max]; se a number >= 0, n
 *                 a number > 0, lower and upper numbers.
 *   Framework     the indicator tree, for reference (locked)
 * The Data sheet is the long layout of ingest.h with the template's extra
 * columns, which ingest accepts, so a returned workbook reads as it is.
 *
 * Reruns give the same bytes: the document's time is the batch's created.
 */
#ifndef LCME_TEMPLATE_H
#define LCME_TEMPLATE_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "framework.h"

struct template_unit {
    const char *code;
    const char *name;            /* "" when unknown */
};

/* What every workbook of one call shares; all borrowed. */
struct template_req {
    const struct config *cfg;    /* name, year, created */
    const struct framework *fw;
    const struct template_unit *unit;
    size_t nunit;
    const double *prev_value;    /* [u * fw->nind + i]: the latest value held
                                    before cfg->year, NaN when none; the
                                    array may be NULL */
    const int *prev_year;        /* its year, same layout */
};

/* One workbook's rows: units × indicators, unit by unit (by_indicator 0) or
 * indicator by indicator; for is the text naming who it is for ("Wan Chai
 * (WC)", "all units", ...). */
struct template_part {
    const size_t *units;         /* indices into req->unit */
    size_t nunits;
    const int *inds;             /* indicator nodes */
    size_t ninds;
    int by_indicator;
    const char *for_whom;
};

/* Write the workbook at path. Returns 0, or -1 with the problem in d
 * (LCME_EIO: cannot write; LCME_ENOMEM) and no file left at path. */
int template_write(const char *path, const struct template_req *req,
                   const struct template_part *part, struct diag *d);

#endif
