/* trends_csv.h: trends.csv, one row per unit and node with the trend
 * statistics and progress class computed by trend_compute_all.
 */
#ifndef LCME_TRENDS_CSV_H
#define LCME_TRENDS_CSV_H

#include "diag.h"
#include "reports.h"
#include "trend.h"

/* Write trends.csv to exactly `path` (the caller passes a temporary name and
 * renames it when complete). Header:
 *   unit,node,first_year,last_year,points,slope,slope_low,slope_high,
 *   sen_slope,mk_s,mk_z,mk_p,cagr,change_since_base,change_low,change_high,
 *   progress,base_year,change_excludes_zero,prev_year,change_since_prev,
 *   change_prev_low,change_prev_high,change_prev_excludes_zero,target,
 *   change_p,change_significant,change_prev_p,change_prev_significant,
 *   change_constant,change_indicators,change_prev_constant,
 *   change_prev_indicators
 * The first 17 columns are DESIGN.md's contract; the rest are appended:
 * the year change_since_base is measured from, the change since the year
 * before the last (prev_year, when the unit has a score then) with its
 * Monte Carlo interval, whether each change's interval excludes 0 (1 or
 * 0; empty when there is no interval), and the target the progress class
 * was judged against (struct trends target: raw units for indicators, the
 * target score for aggregates; empty when classed without one), each
 * change's Monte Carlo p-value and Benjamini-Hochberg flag (empty where not
 * assessed), and how each change compares like with like (compare.h): 1
 * when on a constant composition (the published scores), 0 when recomputed
 * over the indicators observed in both years, with the number of
 * indicators compared (empty where there is no change).
 * Rows: units in cube order, and within a unit the nodes in framework order.
 * Numbers as %.17g, NaN as an empty cell; first_year/last_year empty when a
 * unit has no score for the node. Text is quoted per RFC 4180 when it holds
 * a comma, quote, CR or LF, and text starting with = + - @ gets a leading '
 * so spreadsheets do not read it as a formula. LF line ends.
 *
 * Borrowed: in (uses in->fw for node codes and in->cube for unit codes), tr.
 * Returns 0, or -1 with the reason in d (sizes that do not match, a failed
 * open, write or close). On failure the file may be partly written. */
int trends_csv_write(const char *path, const struct report_input *in,
                     const struct trends *tr, struct diag *d);

#endif
