/* report_dtoa.h: decimal digits of a double, from libdouble-conversion
 * (Debian: libdouble-conversion-dev), for report_util.c's number text. The
 * library is C++; report_dtoa.cc is the only C++ file of lcme and gives its
 * two calls a C interface. Private to reports/.
 *
 * Both take a finite, nonzero v (its sign is ignored) and write the digits
 * of |v|, without a sign, point or exponent, into digits (at least 20
 * bytes), NUL-terminated: |v| is digits * 10^(point - length). They return
 * the length. They cannot fail.
 */
#ifndef LCME_REPORT_DTOA_H
#define LCME_REPORT_DTOA_H

#ifdef __cplusplus
extern "C" {
#endif

/* The fewest digits that read back as v (at most 17), the closest to v when
 * several have as few. */
int report_dtoa_shortest(double v, char *digits, int *point);

/* v correctly rounded to ndigits significant digits (1..17; halfway cases
 * away from zero), trailing zeros removed. */
int report_dtoa_precision(double v, int ndigits, char *digits, int *point);

#ifdef __cplusplus
}
#endif

#endif
