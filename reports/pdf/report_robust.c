/* report_robust.c: the report's section on how robust the ranks are, for a
 * batch with a [sensitivity] section: the paragraphs of report_sens.c (what
 * was varied, which choices matter, which units' ranks are fragile and
 * which hold), then the Sobol indices chart (mode = sa) and the chart of
 * each unit's rank range. Placed after the network's trends, before the
 * units; the summary's caveats say in a sentence what it finds
 * (report_words.c).
 */
#include <stdlib.h>

#include "report_pdf_int.h"
#include "report_sens.h"

void rpdf_robustness(struct doc *dc)
{
    if (!dc->c->in->sens)
        return;
    char *p[REPORT_SENS_MAX];
    rpdf_heading(dc, "How robust are the ranks?", 1);
    size_t n = report_sens_paragraphs(dc->c, p);
    if (n == 0)
        dc->oom = 1;
    for (size_t i = 0; i < n; i++) {
        rpdf_para(dc, p[i], 9.5, 0, INK_TEXT, 5);
        free(p[i]);
    }
    const struct chart_item *it;
    if ((it = rpdf_find_chart(dc, CHART_SENS_INDICES, -1, -1, 0)))
        rpdf_chart_fill(dc, it, 300, 0.8);
    if ((it = rpdf_find_chart(dc, CHART_SENS_RANKS, -1, -1, 0)))
        rpdf_chart_fill(dc, it, BOTTOM - MARGIN - 40, 0.6);
}
