/* report_pdf_int.h: what the files of reports/pdf share, private to them:
 * the document being laid out (struct doc, opaque outside report_pdf.c)
 * and the few layout helpers that sections written in their own files use.
 *
 *   report_pdf.c         the document: passes, pages, text, the sections
 *   report_objectives.c  the action-plan section (a subsection per unit)
 */
#ifndef LCME_REPORT_PDF_INT_H
#define LCME_REPORT_PDF_INT_H

#include <stdint.h>

#include "chart.h"

struct doc;

/* The charts' context the report draws with (intervals only when they
 * have a width). */
const struct chart_ctx *rpdf_ctx(const struct doc *dc);

/* A section heading: level 1 on a new page, level 2 on a new page when
 * less than 120 pt are left; both in the contents and the PDF outline. */
void rpdf_heading(struct doc *dc, const char *title, int level);

/* Start a new page unless h points fit above the footer band. */
void rpdf_need(struct doc *dc, double h);

/* A text block across the body, flowing over pages, then after points. */
void rpdf_para(struct doc *dc, const char *text, double size, int bold, uint32_t rgb,
               double after);

/* A chart of the list scaled to the body width and at most maxh tall, then
 * its alternative text. */
void rpdf_chart(struct doc *dc, const struct chart_item *it, double maxh);

/* The action-plan section: the plan and its statuses, then for each unit
 * with objectives (in index order) its chart, its objectives, their status
 * and what it would take to get back on course. Nothing without a plan. */
void rpdf_objectives(struct doc *dc, const struct chart_list *l);

#endif
