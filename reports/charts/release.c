/* release.c: hand back the process-wide caches that pango, cairo and
 * fontconfig keep for the life of the process, so that a finished lcme run
 * is clean under LeakSanitizer and valgrind. Call once, at exit, after the
 * last chart or report has been drawn. */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "reports.h"

void reports_release(void)
{
    /* pango's font map first, then cairo's caches; fontconfig last, since
     * the others hold fontconfig objects until then */
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}
