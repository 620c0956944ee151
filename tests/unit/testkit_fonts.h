/* testkit_fonts.h: for the test programs that draw text (charts, the PDF
 * report, the workbook's chart images); not a test program itself. */
#ifndef LCME_TESTKIT_FONTS_H
#define LCME_TESTKIT_FONTS_H

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

/* Release the process-wide font caches so that LeakSanitizer reports only
 * our own leaks: pango's font map, cairo's caches, then fontconfig's
 * configuration and caches (last: the others hold fontconfig objects).
 * Call once, at the end of main, after the tests have run. */
static inline void tk_release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

#endif
