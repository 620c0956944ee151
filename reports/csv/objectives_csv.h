/* objectives_csv.h: objectives.csv, progress against the action plan, one
 * row per objective and unit, from objectives_compute.
 */
#ifndef LCME_OBJECTIVES_CSV_H
#define LCME_OBJECTIVES_CSV_H

#include "diag.h"
#include "reports.h"

/* Write objectives.csv to exactly path (the caller passes a temporary name
 * and renames it), with the columns of OBJECTIVES_COLUMNS
 * (objectives_report.h) in that order. Rows as in->objectives holds them:
 * units in cube order, a unit's objectives by node and target year
 * (objectives.h). Numbers are the shortest
 * text that reads back to the same double, a missing one an empty field;
 * years are whole numbers, empty when unknown. Text is quoted per RFC 4180
 * when it needs it, with a leading ' when it starts with = + - @. LF line
 * ends.
 *
 * Borrowed: in (in->objectives must be set). Returns 0, or -1 with the
 * reason in d (no objectives, a failed open, write or close). */
int objectives_csv_write(const char *path, const struct report_input *in, struct diag *d);

#endif
