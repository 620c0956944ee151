/* csvout.c: field writers for the tidy CSV outputs (see csvout.h). */
#include "csvout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

char *csvout_number(double v, char *buf)
{
    if (isnan(v))
        buf[0] = '\0';
    else
        report_fmt_shortest(buf, v);
    return buf;
}

int csvout_guarded(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
           s[0] == '\r';
}

void csvout_text(FILE *fp, const char *s)
{
    int guard = csvout_guarded(s);
    int quote = guard || strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        fputs(s, fp);
        return;
    }
    putc('"', fp);
    if (guard)
        putc('\'', fp);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            putc('"', fp);
        putc(*p, fp);
    }
    putc('"', fp);
}

void csvout_num(FILE *fp, double v)
{
    char buf[32];
    fputs(csvout_number(v, buf), fp);
}
