/* report_util.c: helpers shared by the report writers (see report_util.h).
 *
 * Number text is on the hot path of scores.csv (about 5 million numbers for
 * 356 units x 184 nodes x 11 years). It is the text of the first of "%.15g",
 * "%.16g" and "%.17g" that reads back as the same double, and is made from
 * libdouble-conversion's shortest digits (report_dtoa.h) instead of printf
 * and strtod:
 *
 *   shortest digits k <= 15   they are %.15g's digits: the value rounded to
 *                             15 digits lies within half an ulp of them
 *   k = 16                    %.16g's digits when the value rounded to 16
 *                             digits is those digits, else %.17g's
 *   k = 17                    %.17g's digits (they always read back)
 *
 * and laid out as %g lays them out (exponent form when the exponent is below
 * -4 or at least the precision). Where rounding to 16 or 17 digits could be
 * an exact halfway case (the value has at most that many decimals: a dyadic
 * fraction with few bits, or a large number), printf's round-half-even and
 * the library's may differ, so those few values take printf's path, as do
 * subnormals (their ulp is too coarse for the first line) and infinities. Integers
 * (ranks, most raw counts) take a direct conversion. Measured on the
 * network-scale scores.csv (720,544 rows; tests/bench/bench_outputs.c, CPU
 * seconds on the shared 2-core machine): 0.26 s, against 1.35 s with printf
 * and strtod for the same bytes.
 */
#include "report_util.h"

#include "report_dtoa.h"

#include <float.h>
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

/* The old way, printf and strtod: for the values report_fmt_shortest
 * cannot settle from the library's digits. */
static size_t fmt_printf(char *buf, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, REPORT_NUM_MAX, "%.*g", prec, v);
        fix_decimal_point(buf);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return strlen(buf);
}

/* Whether rounding v (exponent x) to prec digits may be an exact halfway
 * case: v has at most prec - x decimals, i.e. v * 2^(prec - x) is whole. */
static int maybe_halfway(double v, int x, int prec)
{
    double s = ldexp(fabs(v), prec - x);
    return s == floor(s);
}

/* digits (n of them, no trailing zeros) times 10^x, with sign neg, as
 * "%.<prec>g" writes it. */
static size_t lay_out(char *buf, int neg, const char *d, int n, int x, int prec)
{
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (x < -4 || x >= prec) {
        *o++ = d[0];
        if (n > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)n - 1);
            o += n - 1;
        }
        *o++ = 'e';
        *o++ = x < 0 ? '-' : '+';
        int e = x < 0 ? -x : x;
        if (e >= 100)
            *o++ = (char)('0' + e / 100);
        *o++ = (char)('0' + e / 10 % 10);
        *o++ = (char)('0' + e % 10);
    } else if (x >= 0) {
        int whole = x + 1;
        int m = n < whole ? n : whole;
        memcpy(o, d, (size_t)m);
        o += m;
        for (int i = n; i < whole; i++)
            *o++ = '0';
        if (n > whole) {
            *o++ = '.';
            memcpy(o, d + whole, (size_t)(n - whole));
            o += n - whole;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)n);
        o += n;
    }
    *o = '\0';
    return (size_t)(o - buf);
}

size_t report_fmt_shortest(char *buf, double v)
{
    if (!isfinite(v) || (v != 0 && fabs(v) < DBL_MIN))
        return fmt_printf(buf, v);   /* the proof above needs a normal double */
    if (v == 0) {
        return (size_t)snprintf(buf, REPORT_NUM_MAX, "%s", signbit(v) ? "-0" : "0");
    }
    char d[24], p[24];
    int point, ppoint;
    int n = report_dtoa_shortest(v, d, &point);
    int x = point - 1, prec = 15;
    if (n == 16) {
        if (maybe_halfway(v, x, 16))
            return fmt_printf(buf, v);
        int m = report_dtoa_precision(v, 16, p, &ppoint);
        if (m == n && ppoint == point && memcmp(p, d, (size_t)n) == 0) {
            prec = 16;
        } else {
            if (maybe_halfway(v, x, 17))
                return fmt_printf(buf, v);
            n = report_dtoa_precision(v, 17, d, &point);
            x = point - 1;
            prec = 17;
        }
    } else if (n == 17) {
        if (maybe_halfway(v, x, 17))
            return fmt_printf(buf, v);
        prec = 17;
    }
    return lay_out(buf, v < 0, d, n, x, prec);
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
    return report_fmt_shortest(buf, v);
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

double report_plain_zero(double v, int decimals)
{
    static const double half[] = {0.5, 0.05, 0.005, 0.0005};
    int d = decimals < 0 ? 0 : decimals > 3 ? 3 : decimals;
    /* printf rounds half to even: -0.5 prints "-0" at no decimals (the
       other halves are not exact doubles) */
    return v < 0.0 && (v > -half[d] || (d == 0 && v == -0.5)) ? 0.0 : v;
}
