/* workbook_props.c: the workbook's document properties (docProps/core.xml):
 * title, subject, author, comments and the creation time.
 *
 * The creation time is parsed from run->created (ISO 8601), never read from
 * the clock, so that reruns of a batch give byte-identical files; without
 * one it is cfg->created, else 31 December of the batch's year (cfg->year,
 * or 2000 without one), at midnight UTC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report_util.h"
#include "workbook_int.h"

/* The n characters at s as a decimal number in *out; -1 when one is not a
 * digit. */
static int digits(const char *s, int n, long *out)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long long)era * 146097 + doe - 719468;
}

/* Parse "YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM|-HH:MM]" as UTC seconds. */
static int parse_iso8601(const char *s, time_t *out)
{
    long y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970)
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi))
            return -1;
        p += 6;
        if (*p == ':') {
            if (digits(p + 1, 2, &se))
                return -1;
            p += 3;
            if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++) {
                }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
    }
    long off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        long oh, om = 0;
        if (digits(p + 1, 2, &oh))
            return -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (*q && digits(q, 2, &om))
            return -1;
        if (*q)
            q += 2;
        off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p = q;
    }
    if (*p)
        return -1;
    long long t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se - off;
    if (t <= 0)
        return -1;
    *out = (time_t)t;
    return 0;
}

/* The creation time (see the top of this file). */
static time_t created_time(const struct wb *w)
{
    time_t t;
    if (w->run && parse_iso8601(w->run->created, &t) == 0)
        return t;
    if (w->cfg && parse_iso8601(w->cfg->created, &t) == 0)
        return t;
    long y = w->cfg && w->cfg->year >= 1970 && w->cfg->year <= 9999 ? w->cfg->year : 2000;
    return (time_t)(days_from_civil(y, 12, 31) * 86400LL);
}


void wb_set_properties(struct wb *w)
{
    char *owned;
    const char *name = report_text(w->cfg && w->cfg->name ? w->cfg->name : "lcme evaluation",
                                   &owned);
    size_t len = strlen(name) + 64;
    char *title = malloc(len), *subject = malloc(len), *comments = malloc(256);
    if (!title || !subject || !comments) {
        w->nomem = 1;
        goto out;
    }
    snprintf(title, len, "%s", name);
    if (w->ty >= 0)
        snprintf(subject, len, "Learning city evaluation %d", w->c->year[w->ty]);
    else
        snprintf(subject, len, "Learning city evaluation");
    snprintf(comments, 256, "Run %s, seed %lu, lcme %s", w->run ? w->run->id : "",
             w->run ? w->run->seed : w->cfg ? w->cfg->seed : 0,
             w->run && w->run->version ? w->run->version : "");
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = title;
    props.subject = subject;
    props.author = "lcme";
    props.comments = comments;
    props.created = created_time(w);
    wb_check(w, workbook_set_properties(w->book, &props));   /* copies the strings */
out:
    free(owned);
    free(title);
    free(subject);
    free(comments);
}
