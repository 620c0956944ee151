/* report_pdf.h: report.pdf, the funders' report (DESIGN.md "Outputs"): an A4
 * PDF with a cover, contents, a one-page summary, a section per area, the
 * key-feature heatmap and network trends, a page per unit, the action plan
 * when the batch has one (report_objectives.c), and the methods and data
 * quality notes. Charts are drawn as vectors (chart_render), each
 * followed by its alternative text. It formats; it never computes a
 * statistic.
 *
 * Reruns give the same bytes: the PDF's creation and modification dates are
 * fixed from run->created, and nothing else varies between runs.
 */
#ifndef LCME_REPORT_PDF_H
#define LCME_REPORT_PDF_H

#include "chart.h"
#include "reports.h"
#include "trend.h"

/* Write the report to exactly path (the caller passes a temporary name and
 * renames it). tr may be NULL (no trend sections or progress arrows).
 * charts may be NULL: the chart list is then planned here; when given it
 * must come from chart_list_build/charts_write_all on the same input.
 * Returns 0, or -1 with the reason in d. */
int report_pdf_write(const char *path, const struct report_input *in,
                     const struct trends *tr, const struct chart_list *charts,
                     struct diag *d);

#endif
