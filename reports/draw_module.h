/* draw_module.h: the charts and report.pdf as a module loaded at run time.
 *
 * Drawing needs cairo, pango, fontconfig and libpng, which pull some thirty
 * shared libraries into a process: mapping and relocating them took about
 * 10 ms of every lcme start (measured: 20 ms against 9 ms for a program
 * linked without them). The lcme executable therefore links no drawing
 * library; the first run that draws loads lcme-draw.so from the folder of
 * the executable and calls it through this table. Tests link the drawing
 * code directly.
 */
#ifndef LCME_DRAW_MODULE_H
#define LCME_DRAW_MODULE_H

#include "chart.h"
#include "report_pdf.h"
#include "reports.h"

#define LCME_DRAW_FILE "lcme-draw.so"
#define LCME_DRAW_SYMBOL "lcme_draw_module"
#define LCME_DRAW_ABI 1   /* raise when the table or the structs it passes change */

struct lcme_draw {
    int abi;             /* LCME_DRAW_ABI of the module */
    const char *version; /* LCME_VERSION the module was built as */
    int (*charts_write_all)(const char *dir, const struct report_input *in,
                            const struct trends *tr, struct chart_list *out_list,
                            struct diag *d);
    int (*report_pdf_write)(const char *path, const struct report_input *in,
                            const struct trends *tr, const struct chart_list *charts,
                            struct diag *d);
    void (*chart_list_free)(struct chart_list *l);
    void (*release)(void);   /* reports_release */
};

/* The module's table (the one symbol lcme-draw.so exports). */
const struct lcme_draw *lcme_draw_module(void);

#endif
