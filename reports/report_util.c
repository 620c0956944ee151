/* report_util.c: helpers shared by the report writers (see report_util.h).
 *
 * report_fmt_double is on the hot path of scores.csv (about 5 million numbers
 * for 356 units x 184 nodes x 11 years), so integers (ranks, most raw counts)
 * take a direct conversion and other values try 15 significant digits first:
 * most scores need 15 to 17, and the strtod check keeps every text exact.
 */
#include "report_util.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int report_eval_year_index(const struct report_input *in, int *fallback)
{
    if (fallback)
        *fallback = 0;
    if (!in || !in->cube || in->cube->nyear == 0)
        return -1;
    const struct cube *c = in->cube;
    if (in->cfg) {
        for (size_t t = 0; t < c->nyear; t++)
            if (c->year[t] == in->cfg->year)
                return (int)t;
    }
    if (fallback)
        *fallback = 1;
    return (int)c->nyear - 1;
}

/* Replace the locale's decimal point by '.', for callers that left
 * LC_NUMERIC set to something other than "C". */
static void fix_decimal_point(char *buf)
{
    const char *dp = localeconv()->decimal_point;
    if (!dp || (dp[0] == '.' && dp[1] == '\0'))
        return;
    size_t dl = strlen(dp);
    char *p = strstr(buf, dp);
    if (!p)
        return;
    *p = '.';
    memmove(p + 1, p + dl, strlen(p + dl) + 1);
}

size_t report_fmt_double(char *buf, double v)
{
    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    /* Integers below 2^53 print exactly without an exponent. */
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        long long k = (long long)v;
        char tmp[24];
        size_t n = 0;
        unsigned long long m = k < 0 ? (unsigned long long)(-k) : (unsigned long long)k;
        do {
            tmp[n++] = (char)('0' + m % 10);
            m /= 10;
        } while (m);
        size_t len = 0;
        if (k < 0)
            buf[len++] = '-';
        while (n)
            buf[len++] = tmp[--n];
        buf[len] = '\0';
        return len;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, REPORT_NUM_MAX, "%.*g", prec, v);
        fix_decimal_point(buf);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return strlen(buf);
}

const char *report_basename(const char *path)
{
    if (!path)
        return "";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Length of the UTF-8 sequence at s that XML 1.0 may hold: valid
 * (csv_utf8_len, which also refuses surrogates; a NUL ends it) and neither
 * U+FFFE nor U+FFFF (EF BF BE, EF BF BF); 0 otherwise. */
static size_t xml_utf8_len(const unsigned char *s)
{
    size_t n = csv_utf8_len(s, 4);
    return n == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE ? 0 : n;
}

/* Length of the clean run at the start of s: bytes XML holds as they are. */
static size_t clean_run(const unsigned char *s)
{
    size_t i = 0;
    for (;;) {
        if (s[i] >= 0x20 && s[i] < 0x80)
            i++;
        else if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
            i++;
        else if (s[i] >= 0x80 && xml_utf8_len(s + i))
            i += xml_utf8_len(s + i);
        else
            return i;
    }
}

const char *report_text(const char *text, char **owned)
{
    *owned = NULL;
    if (!text)
        return "";
    const unsigned char *s = (const unsigned char *)text;
    size_t ok = clean_run(s);
    if (!s[ok])
        return text;
    size_t len = strlen(text);
    char *out = malloc(3 * len + 1);   /* a byte becomes at most U+FFFD */
    if (!out)
        return "";
    memcpy(out, text, ok);
    size_t k = ok;
    for (size_t i = ok; s[i];) {
        size_t run = clean_run(s + i);
        memcpy(out + k, s + i, run);
        k += run;
        i += run;
        if (!s[i])
            break;
        if (s[i] < 0x80) {
            out[k++] = ' ';                /* a control character */
        } else {
            memcpy(out + k, "\xEF\xBF\xBD", 3);   /* U+FFFD for a stray byte */
            k += 3;
        }
        i++;
    }
    out[k] = '\0';
    *owned = out;
    return out;
}
