/* csv_num.h: the decimal text csv_parse_double's own fast path leaves (more
 * than 15 significant digits, an exponent), read by fast_float
 * (engine/input/csv_num.cc, the C interface to Debian's libfast-float-dev).
 */
#ifndef LCME_CSV_NUM_H
#define LCME_CSV_NUM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The n bytes at s, all of them, as strtod reads a decimal number (an
 * optional sign, digits with an optional point, an optional exponent), into
 * *out, rounded to nearest as strtod rounds in the default rounding mode
 * (lcme never sets another); ±inf past the largest double,
 * 0 or a subnormal below the smallest. 0, or -1 when they are not such a
 * number as a whole. Unlike strtod it reads no locale, no hexadecimal, no
 * inf or nan, and no space. */
int csv_num_read(const char *s, size_t n, double *out);

#ifdef __cplusplus
}
#endif

#endif
