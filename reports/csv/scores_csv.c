/* scores_csv.c: scores.csv, the tidy table of every score.
 *
 * Layout (RFC 4180, UTF-8 without byte-order mark, LF line ends):
 *
 *     unit,year,node,level,score,ci_low,ci_high,rank,rank_low,rank_high,coverage
 *
 * one row per year, node and unit, in that nesting: years ascending, nodes in
 * framework order (indicators in file order, then aggregates children before
 * parents, the root last), units in cube order. So one node in one year is a
 * contiguous block of units, the same walk as the results' memory layout.
 *
 * Numbers are the shortest text that reads back to the same double
 * (report_fmt_double); a missing value is an empty field; the interval
 * columns are empty when no uncertainty was computed; coverage is the share
 * of the node's framework weight present (results->coverage), and a score
 * below its level's rank_min_coverage has an empty rank. Text fields are
 * quoted when they hold a comma, quote, CR or LF; a text starting with '=',
 * '+', '-', '@', a tab or a CR (csvout_guarded) is quoted with a leading
 * apostrophe ("'=x", as trends.csv does) so a spreadsheet shows it as text
 * instead of running it as a formula.
 *
 * Unit and node fields are escaped once up front; each row is assembled in a
 * line buffer sized for the longest codes and written through a 1 MiB stdio
 * buffer. Every write and the close are checked: a full disk gives -1 and
 * "cannot write 'PATH': reason".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "report_util.h"
#include "reports.h"

#define CSV_STDIO_BUFFER (1u << 20)

static const char csv_header[] =
    "unit,year,node,level,score,ci_low,ci_high,rank,rank_low,rank_high,coverage\n";

/* Escaped copy of a text field; NULL on ENOMEM. */
static char *csv_escape(const char *s)
{
    if (!s)
        s = "";
    size_t len = strlen(s);
    int guard = csvout_guarded(s);
    int quote = guard || strpbrk(s, ",\"\r\n") != NULL;
    size_t nq = 0;
    for (const char *p = s; *p; p++)
        nq += *p == '"';
    char *out = malloc(len + nq + 4);
    if (!out)
        return NULL;
    char *o = out;
    if (quote)
        *o++ = '"';
    if (guard)
        *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    if (quote)
        *o++ = '"';
    *o = '\0';
    return out;
}

static void free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Append a number field (empty when missing) and the separator. */
static char *put_num(char *o, double v, char sep)
{
    o += report_fmt_double(o, v);
    *o++ = sep;
    return o;
}

static double at_or_nan(const double *a, size_t i)
{
    return a ? a[i] : (double)NAN;
}

int scores_csv_write(const char *path, const struct report_input *in, struct diag *d)
{
    const struct framework *fw = in->fw;
    const struct cube *c = in->cube;
    const struct results *r = in->res;
    size_t nunit = r->nunit, nyear = r->nyear, nnode = r->nnode;
    int rc = -1;
    char **ucode = NULL, **ncode = NULL, *line = NULL, *iobuf = NULL;
    FILE *f = NULL;
    int err = 0;

    if (nunit != c->nunit || nyear != c->nyear || nnode != (size_t)fw->nnode) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0,
                 "cannot write '%s': results do not match the cube and framework", path);
        return -1;
    }

    ucode = calloc(nunit ? nunit : 1, sizeof *ucode);
    ncode = calloc(nnode ? nnode : 1, sizeof *ncode);
    if (!ucode || !ncode)
        goto nomem;
    size_t umax = 0, nmax = 0;
    for (size_t u = 0; u < nunit; u++) {
        if (!(ucode[u] = csv_escape(c->unit[u])))
            goto nomem;
        size_t l = strlen(ucode[u]);
        umax = l > umax ? l : umax;
    }
    for (size_t k = 0; k < nnode; k++) {
        if (!(ncode[k] = csv_escape(fw->node[k].code)))
            goto nomem;
        size_t l = strlen(ncode[k]);
        nmax = l > nmax ? l : nmax;
    }
    /* unit, node, 9 numbers (year, level and seven doubles), separators. */
    line = malloc(umax + nmax + 9 * REPORT_NUM_MAX + 16);
    iobuf = malloc(CSV_STDIO_BUFFER);
    if (!line || !iobuf)
        goto nomem;

    f = fopen(path, "w");
    if (!f) {
        err = errno;
        goto ioerr;
    }
    if (setvbuf(f, iobuf, _IOFBF, CSV_STDIO_BUFFER) != 0) {
        /* Keep the default buffer; iobuf stays ours to free. */
    }
    if (fwrite(csv_header, 1, sizeof csv_header - 1, f) != sizeof csv_header - 1) {
        err = errno;
        goto ioerr;
    }
    for (size_t t = 0; t < nyear; t++) {
        for (size_t k = 0; k < nnode; k++) {
            char *o;
            for (size_t u = 0; u < nunit; u++) {
                size_t i = RES_AT(r, k, t, u);
                o = line;
                size_t l = strlen(ucode[u]);
                memcpy(o, ucode[u], l);
                o += l;
                *o++ = ',';
                o = put_num(o, (double)c->year[t], ',');
                l = strlen(ncode[k]);
                memcpy(o, ncode[k], l);
                o += l;
                *o++ = ',';
                o = put_num(o, (double)fw->node[k].level, ',');
                o = put_num(o, r->score[i], ',');
                o = put_num(o, at_or_nan(r->ci_low, i), ',');
                o = put_num(o, at_or_nan(r->ci_high, i), ',');
                o = put_num(o, at_or_nan(r->rank, i), ',');
                o = put_num(o, at_or_nan(r->rank_low, i), ',');
                o = put_num(o, at_or_nan(r->rank_high, i), ',');
                o = put_num(o, at_or_nan(r->coverage, i), '\n');
                size_t n = (size_t)(o - line);
                if (fwrite(line, 1, n, f) != n) {
                    err = errno;
                    goto ioerr;
                }
            }
        }
    }
    if (fflush(f) != 0 || ferror(f)) {
        err = errno;
        goto ioerr;
    }
    {
        FILE *g = f;
        f = NULL;
        if (fclose(g) != 0) {
            err = errno;
            goto ioerr;
        }
    }
    rc = 0;
    goto done;

nomem:
    diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot write '%s': out of memory", path);
    goto done;
ioerr:
    diag_add(d, LCME_EIO, path, 0, 0, "cannot write '%s': %s", path,
             err ? strerror(err) : "write failed");
done:
    if (f)
        fclose(f);
    free(iobuf);
    free(line);
    free_strings(ucode, nunit);
    free_strings(ncode, nnode);
    return rc;
}
