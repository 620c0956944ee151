/* quality.h: quality.csv and the workbook's Quality sheet: coverage,
 * imputed, treated and screened counts per unit, node and year; the
 * outlier-treatment table; and the coherence statistics (coherence.h).
 *
 * One tidy layout serves both, one row per fact:
 *   section, unit, year, node, other, statistic, value, note
 * section is one of
 *   unit        per unit and year: statistic present_share, imputed,
 *               treated, screened (1 = dropped; note "screened")
 *   indicator   per indicator and year: present, imputed, treated (cells)
 *   treatment   per indicator and year tested: skew_before, kurt_before,
 *               skew_after, kurt_after, winsorised (points); note = the
 *               method that passed (none, winsorise, log_CT, ...)
 *   flag        per indicator (node) and flag text as given (other), over
 *               every year: observations; note "break in series" for a
 *               break (cube_flag_is_break)
 *   correlation node with its parent (other): pearson, spearman, n
 *   alpha       aggregate (node): cronbach_alpha
 *   pca         aggregate (node): variance_share; and per child (other):
 *               loading
 *   corr_flag   indicator pair (node, other) in one level-2 group: pearson;
 *               note collinear (> 0.9) or negative (< -0.4)
 *   stats       indicator (node), raw values of the analysed year:
 *               available, zero, unique, skew, kurtosis; each flag in the
 *               note of the row it judges: LowAvail (available), HighZero
 *               (zero), LowUnique (unique), Outliers (skew)
 * Empty fields are empty cells; numbers are numbers. A sheet holds at most
 * 1,048,575 rows below its header: when the rows are more (two thousand
 * indicators under one parent give millions of correlation flags), the
 * sheet shows the flags that fit and a corr_flag row with statistic
 * not_shown counting the others; quality.csv always has every row.
 */
#ifndef LCME_QUALITY_H
#define LCME_QUALITY_H

#include <xlsxwriter.h>

#include "reports.h"

/* Write quality.csv to path. Returns 0, or -1 with the reason in d. */
int quality_csv_write(const char *path, const struct report_input *in,
                      struct diag *d);

/* Fill worksheet ws (borrowed, of an open workbook) with the same rows,
 * the header in row first_row: an Excel table named Quality when table is
 * 1, else (constant-memory workbooks, which cannot hold tables) a header
 * row with an autofilter. With year != 0 the sections counted per year
 * (unit, indicator, treatment) keep only that year's rows (quality.csv has
 * every year). Returns 0, or -1 with the reason in d. */
int quality_sheet_fill(lxw_worksheet *ws, const struct report_input *in, int table,
                       size_t first_row, int year, struct diag *d);

#endif
