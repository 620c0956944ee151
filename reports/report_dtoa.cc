/* report_dtoa.cc: a C interface to libdouble-conversion's DoubleToAscii
 * (see report_dtoa.h). Compiled as C++ without exceptions or RTTI; nothing
 * here allocates.
 */
#include "report_dtoa.h"

#include <cmath>

#include <double-conversion/double-to-string.h>

using double_conversion::DoubleToStringConverter;

#define DTOA_BUF 20   /* 17 digits, the NUL, and room the library may use */

int report_dtoa_shortest(double v, char *digits, int *point)
{
    bool sign;
    int length;
    DoubleToStringConverter::DoubleToAscii(std::fabs(v), DoubleToStringConverter::SHORTEST, 0,
                                           digits, DTOA_BUF, &sign, &length, point);
    return length;
}

int report_dtoa_precision(double v, int ndigits, char *digits, int *point)
{
    bool sign;
    int length;
    DoubleToStringConverter::DoubleToAscii(std::fabs(v), DoubleToStringConverter::PRECISION,
                                           ndigits, digits, DTOA_BUF, &sign, &length, point);
    while (length > 1 && digits[length - 1] == '0')
        digits[--length] = '\0';
    return length;
}
