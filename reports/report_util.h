/* report_util.h: small helpers shared by the report writers: which year a
 * report evaluates, round-trip number text for CSV files, file-name pieces.
 * They format; they never compute a statistic.
 */
#ifndef LCME_REPORT_UTIL_H
#define LCME_REPORT_UTIL_H

#include <stddef.h>

#include "reports.h"

/* Longest text report_fmt_double writes, with its NUL. */
#define REPORT_NUM_MAX 32

/* Index in in->cube of the year under evaluation: cfg->year when the cube
 * holds it, else the latest year held (*fallback set to 1), or -1 when the
 * cube holds no year. fallback may be NULL. Never fails otherwise. */
int report_eval_year_index(const struct report_input *in, int *fallback);

/* Write v into buf (REPORT_NUM_MAX bytes) as the shortest decimal text that
 * reads back to the same double ("%.15g", "%.16g" or "%.17g", whichever is
 * shortest and exact; integers below 2^53 without exponent). A missing value
 * (NaN or infinite) gives "". Always '.' as the decimal point, whatever
 * LC_NUMERIC is. Returns the length written. */
size_t report_fmt_double(char *buf, double v);

/* Write v into buf (REPORT_NUM_MAX bytes) as the first of "%.15g", "%.16g"
 * and "%.17g" that reads back to the same double, byte for byte what printf
 * writes in the C locale ("0.1", "-0", "1e+20", "inf"), without printf's
 * cost for most values (report_util.c). Returns the length written. Never
 * fails. */
size_t report_fmt_shortest(char *buf, double v);

/* The last component of path (after the last '/'); path itself when it has
 * none; "" for NULL. Borrowed from path. */
const char *report_basename(const char *path);

/* v, or +0 when it is negative but prints as zero with `decimals` decimals
 * ("%+.1f" would print "-0.0" for a change of -0.04). */
double report_plain_zero(double v, int decimals);

/* text as XML 1.0 and a PDF's metadata may hold it: a control character
 * other than tab, LF and CR becomes a space, a byte that is not UTF-8 (or
 * a code point XML forbids) U+FFFD. Returns text itself when it is clean
 * (*owned NULL), else the cleaned copy, also in *owned for the caller to
 * free; "" for NULL text or when memory runs out. Every text from the
 * inputs or the store that goes into the workbook (cells, table headers,
 * document properties, image descriptions) or into PDF metadata passes
 * through here. */
const char *report_text(const char *text, char **owned);

#endif
