/* hexdigit.h: the value of a hexadecimal digit, for the escapes lcme reads
 * (percent-encoded URI keys: pguri.c; _xHHHH_ in workbook text: xlsx_read.c).
 */
#ifndef LCME_HEXDIGIT_H
#define LCME_HEXDIGIT_H

/* 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for any other character. */
static inline int hexdigit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
