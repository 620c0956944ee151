/* sensitivity_csv.h: the CSV files of a [sensitivity] analysis
 * (engine/sensitivity/sensitivity.h), written only for batches with one.
 *
 *   sensitivity.csv       unit,nominal_rank,mean_rank,median_rank,rank_q05,
 *                         rank_q95: one row per unit in cube order (the
 *                         target node's ranks in the evaluation year)
 *   sobol.csv             assumption,si,si_low,si_high,sti,sti_low,sti_high:
 *                         one row per assumption (sa only), named by its
 *                         [sensitivity] key, in key order
 *   sensitivity_runs.csv  run,block,varied,row, one column per assumption
 *                         (named by its key: the value the run took, or
 *                         "nominal"), mean_abs_rank_shift,status: one row
 *                         per run, the design's then the exclusion runs
 *
 * Numbers round-trip (csvout.h), NaN is an empty field, LF line ends. Each
 * writes to exactly path and returns 0, or -1 with the reason in d. */
#ifndef LCME_SENSITIVITY_CSV_H
#define LCME_SENSITIVITY_CSV_H

#include "diag.h"
#include "reports.h"

int sensitivity_csv_write(const char *path, const struct report_input *in, struct diag *d);
int sobol_csv_write(const char *path, const struct report_input *in, struct diag *d);
int sensitivity_runs_csv_write(const char *path, const struct report_input *in,
                               struct diag *d);

#endif
