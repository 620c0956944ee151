/* objectives_report.h: what the outputs of an action plan share: the
 * columns of objectives.csv and the Objectives sheet, the numbers of a row
 * as words, and the sentences of the report. They format; every number
 * comes from objectives_compute (engine/plans/objectives.h).
 */
#ifndef LCME_OBJECTIVES_REPORT_H
#define LCME_OBJECTIVES_REPORT_H

#include <stddef.h>

#include "objectives.h"
#include "reports.h"

/* The columns, in order: the contract (unit .. projected_year), then the
 * plan version every row was judged on, the plan's note and the reason
 * for anything left empty. */
#define OBJECTIVES_COLUMNS(X)                                                   \
    X(unit) X(node) X(label) X(owner) X(baseline_year) X(baseline) X(target)     \
    X(target_year) X(latest_year) X(latest) X(latest_low) X(latest_high)         \
    X(planned) X(gap) X(status) X(required_per_year) X(observed_per_year)        \
    X(projected_year) X(plan_version) X(note) X(reason)

/* A value for reading, in buf: no decimals from 100 on, one from 10, two
 * below; with a sign when signed is set; "–" when missing. Returns buf. */
const char *objectives_num(char *buf, size_t len, double v, int with_sign);

/* The objective of row rw in words, in buf: "<node name>, <label> (<target
 * year>), <owner>" with the parts it has. Returns buf. */
const char *objectives_title(const struct report_input *in, const struct objective_row *rw,
                             char *buf, size_t len);

/* Where row rw stands and what it would take, in buf: the latest value
 * (with its interval) against the planned value and the target, the
 * status, then the change a year needed against the one observed and the
 * year the observed pace would reach the target; for a row without a
 * status, why. Returns buf. */
const char *objectives_sentence(const struct report_input *in,
                                const struct objective_row *rw, char *buf, size_t len);

/* Rows of unit u (indices into in->objectives->row, in order) into out
 * (room for in->objectives->n); returns how many. */
size_t objectives_unit_rows(const struct report_input *in, size_t u, size_t *out);

#endif
