/* draw_module.c: the entry point of lcme-draw.so (see draw_module.h). Built
 * only into the module; the executable reaches it with dlopen/dlsym. */
#include "draw_module.h"

__attribute__((visibility("default"))) const struct lcme_draw *lcme_draw_module(void)
{
    static const struct lcme_draw api = {
        .abi = LCME_DRAW_ABI,
        .version = LCME_VERSION,
        .charts_write_all = charts_write_all,
        .report_pdf_write = report_pdf_write,
        .chart_list_free = chart_list_free,
        .release = reports_release,
    };
    return &api;
}
