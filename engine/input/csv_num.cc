/* csv_num.cc: csv_num_read (see csv_num.h) on fast_float's from_chars, the
 * Eisel-Lemire algorithm with an exact fallback. Compiled as C++ without
 * exceptions or RTTI; nothing here allocates.
 *
 * Why not strtod: Excel and libxlsxwriter write a double with 15 to 17
 * significant digits (81.59999999999999 for 81.6), past the Clinger fast
 * path in csv.c, and glibc's strtod took 280 ns for each of them against
 * fast_float's 43 ns (the 35 such values of tests/bench's one return, on
 * the machine of the figures in tests/bench/bench_xlsx.c). The values are
 * the same, bit for bit: tests/unit/test_csv.c holds the two to it.
 */
#include "csv_num.h"

#include <fast_float/fast_float.h>

int csv_num_read(const char *s, size_t n, double *out)
{
    const char *e = s + n;
    if (s < e && *s == '+') {   /* strtod's plus sign; from_chars takes none */
        s++;
        if (s < e && (*s == '+' || *s == '-'))
            return -1;
    }
    const char *d = s < e && *s == '-' ? s + 1 : s;
    if (d < e && (*d == 'i' || *d == 'I' || *d == 'n' || *d == 'N'))
        return -1;   /* from_chars reads inf and nan */
    double v;
    fast_float::from_chars_result r = fast_float::from_chars(s, e, v);
    if (r.ec != std::errc() || r.ptr != e)
        return -1;
    *out = v;
    return 0;
}
