/* csvout.h: writing tidy CSV files people open in spreadsheets.
 *
 * Numbers round-trip (the first of %.15g, %.16g and %.17g that reads back as
 * the same double: report_fmt_shortest), NaN is an empty field, text is
 * quoted per RFC 4180 when it needs it, and text starting with '=', '+',
 * '-', '@', a tab or a CR gets a leading apostrophe so a spreadsheet shows
 * it instead of running it as a formula (a spreadsheet skips a leading tab
 * or CR and reads the formula after it).
 */
#ifndef LCME_CSVOUT_H
#define LCME_CSVOUT_H

#include <stdio.h>

/* Text that strtod reads back as v (report_fmt_shortest), into buf (>= 32
 * bytes); "" for NaN. Returns buf. */
char *csvout_number(double v, char *buf);

/* Whether text s must be written as "'s" (quoted, a leading apostrophe):
 * it starts with '=', '+', '-', '@', a tab or a CR. Every CSV writer asks
 * this one test. */
int csvout_guarded(const char *s);

/* Write one text field (quoted and formula-guarded as needed). */
void csvout_text(FILE *fp, const char *s);

/* Write one number field. */
void csvout_num(FILE *fp, double v);

#endif
