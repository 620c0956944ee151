/* report_sens.h: the words of the report's section on the robustness of
 * the ranks (a [sensitivity] analysis), private to reports/pdf: what was
 * varied, which choices matter, which units' ranks are fragile and which
 * hold, what leaving components out does, and which uncertainty the
 * ranges measure. report_robust.c lays the paragraphs out with the two
 * sensitivity charts.
 */
#ifndef LCME_REPORT_SENS_H
#define LCME_REPORT_SENS_H

#include <stddef.h>

#include "chart.h"

#define REPORT_SENS_MAX 8   /* paragraphs at most */

/* The section's paragraphs for c's input (c->in->sens must be set), as
 * heap strings into para (the caller frees each). Returns how many (0 on
 * ENOMEM). */
size_t report_sens_paragraphs(const struct chart_ctx *c, char **para);

#endif
