/* csv.c: RFC 4180 reader parsing in place, plus strict number parsers.
 *
 * Invariants: buf holds len bytes plus one spare byte, so the last field of a
 * file without a final newline can still be NUL-terminated. Unescaping only
 * ever shortens a field (write cursor w <= read cursor pos), so fields are
 * rewritten in place and each terminator (',' '\n' '\r' or the spare byte)
 * is overwritten by the field's NUL only after it has been read. Plain ASCII
 * bytes are classified by one table lookup each; only bytes >= 0x80 go
 * through the UTF-8 check, which is why an ASCII file parses at memory speed.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "csv.h"
#include "csv_num.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large, huge-page-aligned buffers (see csv.h for the measurement). */
void *csv_big_alloc(size_t bytes)
{
#ifdef MADV_HUGEPAGE
    if (bytes >= (4u << 20)) {
        void *mem = NULL;
        if (posix_memalign(&mem, 2u << 20, bytes) == 0) {
            madvise(mem, bytes, MADV_HUGEPAGE);
            return mem;
        }
        return NULL;
    }
#endif
    return malloc(bytes ? bytes : 1);
}

enum { C_PLAIN = 0, C_COMMA, C_LF, C_CR, C_QUOTE, C_NUL, C_HIGH, C_CTRL };

static unsigned char cls[256];
static int cls_ready;

static void cls_init(void)
{
    if (cls_ready)
        return;
    for (int i = 0x80; i < 256; i++)
        cls[i] = C_HIGH;
    for (int i = 1; i < 0x20; i++)
        cls[i] = C_CTRL;
    cls[0x7F] = C_CTRL;
    cls['\t'] = C_PLAIN;
    cls[','] = C_COMMA;
    cls['\n'] = C_LF;
    cls['\r'] = C_CR;
    cls['"'] = C_QUOTE;
    cls[0] = C_NUL;
    cls_ready = 1;
}

static int csv_init(struct csv **out, const char *name, struct diag *d)
{
    cls_init();
    struct csv *c = calloc(1, sizeof *c);
    if (!c) {
        diag_add(d, LCME_ENOMEM, name, 0, 0, "out of memory");
        return -1;
    }
    size_t n = strlen(name) + 1;
    c->path = malloc(n);
    if (!c->path) {
        free(c);
        diag_add(d, LCME_ENOMEM, name, 0, 0, "out of memory");
        return -1;
    }
    memcpy(c->path, name, n);
    c->max_field = CSV_MAX_FIELD;
    c->max_cols = CSV_MAX_COLS;
    c->next_line = 1;
    *out = c;
    return 0;
}

static int csv_start(struct csv *c, struct diag *d)
{
    if (c->len >= 3 && (unsigned char)c->buf[0] == 0xEF &&
        (unsigned char)c->buf[1] == 0xBB && (unsigned char)c->buf[2] == 0xBF) {
        c->bom = 1;
        c->pos = 3;
    }
    if (c->pos >= c->len) {
        diag_input(d, c->path, 1, 1, "file is empty");
        return -1;
    }
    return 0;
}

int csv_open(struct csv **out, const char *path, struct diag *d)
{
    *out = NULL;
    struct csv *c;
    if (csv_init(&c, path, d) != 0)
        return -1;
    /* O_NONBLOCK: a FIFO (or a device) named as a data file must be refused,
     * not waited on; opening a FIFO without it blocks until a writer comes.
     * It changes nothing for regular files. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        csv_free(c);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
        diag_add(d, LCME_EIO, path, 0, 0, "cannot open '%s': %s", path,
                 is_dir ? "it is a folder" : "not a regular file");
        close(fd);
        csv_free(c);
        return -1;
    }
    FILE *fp = fdopen(fd, "rb");
    if (!fp) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "cannot open '%s': %s", path, strerror(errno));
        close(fd);
        csv_free(c);
        return -1;
    }
    if ((unsigned long long)st.st_size > CSV_MAX_FILE) {
        diag_add(d, LCME_ELIMIT, path, 0, 0, "file is larger than the 1 GiB limit");
        fclose(fp);
        csv_free(c);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    c->buf = csv_big_alloc(size + 1);
    if (!c->buf) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory reading '%s'", path);
        fclose(fp);
        csv_free(c);
        return -1;
    }
    size_t got = size ? fread(c->buf, 1, size, fp) : 0;
    int rerr = ferror(fp);
    fclose(fp);
    if (got != size || rerr) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot read '%s'", path);
        csv_free(c);
        return -1;
    }
    c->buf[size] = '\0';
    c->len = size;
    if (csv_start(c, d) != 0) {
        csv_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int csv_open_mem(struct csv **out, const char *name, const char *data, size_t len,
                 struct diag *d)
{
    *out = NULL;
    struct csv *c;
    if (csv_init(&c, name, d) != 0)
        return -1;
    if (len > CSV_MAX_FILE) {
        diag_add(d, LCME_ELIMIT, name, 0, 0, "file is larger than the 1 GiB limit");
        csv_free(c);
        return -1;
    }
    c->buf = malloc(len + 1);
    if (!c->buf) {
        diag_add(d, LCME_ENOMEM, name, 0, 0, "out of memory");
        csv_free(c);
        return -1;
    }
    if (len)
        memcpy(c->buf, data, len);
    c->buf[len] = '\0';
    c->len = len;
    if (csv_start(c, d) != 0) {
        csv_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int csv_open_source(struct csv **out, const char *path, const char *sheet,
                    const struct csv_source *src, struct diag *d)
{
    *out = NULL;
    struct csv *c;
    if (csv_init(&c, path, d) != 0) {
        src->free(src->ctx);
        return -1;
    }
    c->src = *src;
    c->sheet = strdup(sheet ? sheet : "");
    if (!c->sheet) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        csv_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void csv_free(struct csv *c)
{
    if (!c)
        return;
    if (c->src.next) {
        c->src.free(c->src.ctx);   /* the field arrays are the source's */
    } else {
        free(c->f);
        free(c->flen);
        free(c->quoted);
    }
    free(c->path);
    free(c->sheet);
    free(c->buf);
    free(c);
}

size_t csv_records_hint(const struct csv *c)
{
    if (c->src.next)
        return c->src.nrec ? c->src.nrec : 1;
    size_t lines = 1;
    for (const char *q = c->buf, *e = c->buf + c->len;
         (q = memchr(q, '\n', (size_t)(e - q))); q++)
        lines++;
    return lines;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
size_t csv_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    if (b < 0x80)
        return 1;
    if (b < 0xC2)
        return 0;
    if (b < 0xE0) {
        if (n < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (b < 0xF0) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (b == 0xE0 && p[1] < 0xA0)
            return 0;
        if (b == 0xED && p[1] >= 0xA0)
            return 0;
        return 3;
    }
    if (b < 0xF5) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (b == 0xF0 && p[1] < 0x90)
            return 0;
        if (b == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

static int fail(struct csv *c, struct diag *d, long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(struct csv *c, struct diag *d, long line, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, LCME_EINPUT, c->path, line, col, fmt, ap);
    va_end(ap);
    c->failed = 1;
    return -1;
}

/* Check the byte(s) >= 0x80 at pos; returns the sequence length or 0 after
 * reporting. */
static size_t high_byte(struct csv *c, struct diag *d, size_t pos, long col)
{
    const unsigned char *p = (const unsigned char *)c->buf + pos;
    size_t k = csv_utf8_len(p, c->len - pos);
    if (k == 0) {
        fail(c, d, c->next_line, col, "invalid UTF-8 byte 0x%02X (save the file as UTF-8)", p[0]);
        return 0;
    }
    if (k == 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        fail(c, d, c->next_line, col, "byte-order mark not at the start of the file");
        return 0;
    }
    return k;
}

static int push_field(struct csv *c, struct diag *d, size_t start, size_t flen, int quoted)
{
    if (c->nf == c->falloc) {
        size_t na = c->falloc ? c->falloc * 2 : 32;
        char **nfp = realloc(c->f, na * sizeof *nfp);
        if (!nfp)
            goto nomem;
        c->f = nfp;
        size_t *nl = realloc(c->flen, na * sizeof *nl);
        if (!nl)
            goto nomem;
        c->flen = nl;
        unsigned char *nq = realloc(c->quoted, na);
        if (!nq)
            goto nomem;
        c->quoted = nq;
        c->falloc = na;
    }
    c->buf[start + flen] = '\0';
    c->f[c->nf] = c->buf + start;
    c->flen[c->nf] = flen;
    c->quoted[c->nf] = (unsigned char)quoted;
    c->nf++;
    return 0;
nomem:
    c->failed = 1;
    diag_add(d, LCME_ENOMEM, c->path, c->next_line, 0, "out of memory");
    return -1;
}

/* A control character (other than tab, and CR or LF ending a line or
 * inside quotes) in a field: never part of a name or a number, and it
 * would make the workbook's XML invalid or act on a terminal. */
static int control_char(struct csv *c, struct diag *d, long col, unsigned char ch)
{
    return fail(c, d, c->next_line, col,
                "control character 0x%02X in a field (a CSV file holds text only)", ch);
}

static int too_long(struct csv *c, struct diag *d, long col)
{
    return fail(c, d, c->next_line, col, "field longer than %zu bytes", c->max_field);
}

/* The next record of a source (csv_open_source). */
static int source_next(struct csv *c, struct diag *d)
{
    int r = c->src.next(c->src.ctx, c, d);
    if (r > 0)
        c->nrec++;
    else if (r < 0)
        c->failed = 1;
    return r;
}

int csv_next(struct csv *c, struct diag *d)
{
    if (c->failed)
        return -1;
    if (c->src.next)
        return source_next(c, d);
    char *b = c->buf;
    size_t len = c->len;
    size_t pos = c->pos;

    /* skip empty lines */
    for (;;) {
        if (pos < len && b[pos] == '\n') {
            pos++;
            c->next_line++;
        } else if (pos + 1 < len && b[pos] == '\r' && b[pos + 1] == '\n') {
            pos += 2;
            c->next_line++;
        } else {
            break;
        }
    }
    if (pos >= len) {
        c->pos = pos;
        return 0;
    }
    c->line_no = c->next_line;
    c->nf = 0;

    for (;;) {
        long col = (long)c->nf + 1;
        if (c->nf >= c->max_cols)
            return fail(c, d, c->next_line, col, "more than %zu columns", c->max_cols);
        size_t start = pos;
        int quoted = 0;
        size_t w;
        unsigned char term; /* class of the terminator */
        if (pos < len && b[pos] == '"') {
            quoted = 1;
            long qline = c->next_line;
            pos++;
            w = start;
            for (;;) {
                if (pos >= len)
                    return fail(c, d, qline, col,
                                "unterminated quoted field (the closing quote is missing)");
                unsigned char ch = (unsigned char)b[pos];
                if (ch == '"') {
                    if (pos + 1 < len && b[pos + 1] == '"') {
                        b[w++] = '"';
                        pos += 2;
                        continue;
                    }
                    pos++;
                    break;
                }
                if (ch == 0)
                    return fail(c, d, c->next_line, col, "NUL byte in file (is it really a CSV text file?)");
                if (cls[ch] == C_CTRL)
                    return control_char(c, d, col, ch);
                if (ch >= 0x80) {
                    size_t k = high_byte(c, d, pos, col);
                    if (!k)
                        return -1;
                    memmove(b + w, b + pos, k);
                    w += k;
                    pos += k;
                } else {
                    if (ch == '\n')
                        c->next_line++;
                    b[w++] = (char)ch;
                    pos++;
                }
                if (w - start > c->max_field)
                    return too_long(c, d, col);
            }
            if (pos >= len) {
                term = C_LF; /* end of file */
            } else {
                term = cls[(unsigned char)b[pos]];
                if (term != C_COMMA && term != C_LF && term != C_CR) {
                    char q[64];
                    unsigned char ch = (unsigned char)b[pos];
                    if (ch >= 0x20 && ch < 0x7F)
                        snprintf(q, sizeof q, "'%c'", ch);
                    else
                        snprintf(q, sizeof q, "byte 0x%02X", ch);
                    return fail(c, d, c->next_line, col,
                                "unexpected character %s after the closing quote", q);
                }
            }
        } else {
            for (;;) {
                if (pos >= len) {
                    term = C_LF;
                    break;
                }
                unsigned char k = cls[(unsigned char)b[pos]];
                if (k == C_PLAIN) {
                    pos++;
                    continue;
                }
                if (k == C_HIGH) {
                    size_t n = high_byte(c, d, pos, col);
                    if (!n)
                        return -1;
                    pos += n;
                    continue;
                }
                if (k == C_QUOTE)
                    return fail(c, d, c->next_line, col,
                                "quote inside an unquoted field (quote the whole field and double inner quotes)");
                if (k == C_NUL)
                    return fail(c, d, c->next_line, col, "NUL byte in file (is it really a CSV text file?)");
                if (k == C_CTRL)
                    return control_char(c, d, col, (unsigned char)b[pos]);
                term = k;
                break;
            }
            w = pos;
            if (w - start > c->max_field)
                return too_long(c, d, col);
        }
        /* pos is at the terminator (or len) */
        if (pos < len && term == C_CR) {
            if (pos + 1 >= len || b[pos + 1] != '\n')
                return fail(c, d, c->next_line, col,
                            "line ends with a bare carriage return (CR-only line ends are not "
                            "supported; save the file with LF or CRLF line ends)");
        }
        if (push_field(c, d, start, w - start, quoted) != 0)
            return -1;
        if (pos >= len) {
            break;
        }
        if (term == C_COMMA) {
            pos++;
            continue;
        }
        /* LF or CRLF */
        pos += (term == C_CR) ? 2 : 1;
        c->next_line++;
        break;
    }
    c->pos = pos;
    c->nrec++;
    return 1;
}

int csv_header(struct csv *c, struct diag *d)
{
    int r = csv_next(c, d);
    if (r == 0 && c->sheet)
        diag_add_cell(d, LCME_EINPUT, c->path, c->sheet, 1, 1, "the sheet is empty");
    else if (r == 0)
        diag_input(d, c->path, 1, 1, "file is empty");
    return r;
}

void csv_error(const struct csv *c, struct diag *d, long col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd_cell(d, LCME_EINPUT, c->path, c->sheet, c->line_no, col, fmt, ap);
    va_end(ap);
}

void csv_error_at(const struct csv *c, struct diag *d, long line, long col, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd_cell(d, LCME_EINPUT, c->path, c->sheet, line, col, fmt, ap);
    va_end(ap);
}

int csv_check_width(const struct csv *c, struct diag *d, size_t want)
{
    if (c->nf == want)
        return 0;
    long col = c->nf > want ? (long)want + 1 : (long)c->nf;
    csv_error(c, d, col, "row has %zu field%s but the header has %zu", c->nf,
              c->nf == 1 ? "" : "s", want);
    return -1;
}

static int lower_ascii(int ch)
{
    return (ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch;
}

static void trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    *s = p;
    *len = n;
}

int csv_name_is(const char *s, size_t len, const char *name)
{
    trim(&s, &len);
    size_t n = strlen(name);
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower_ascii((unsigned char)s[i]) != lower_ascii((unsigned char)name[i]))
            return 0;
    return 1;
}

int csv_blank(const char *s, size_t len)
{
    trim(&s, &len);
    return len == 0;
}

char *csv_quote(const char *s, size_t len, char *buf, size_t buflen)
{
    size_t cut = len;
    int dots = 0;
    if (cut > 40) {
        cut = 40;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
        dots = 1;
    }
    snprintf(buf, buflen, "%.*s%s", (int)cut, s, dots ? "..." : "");
    return buf;
}

static void setmsg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void setmsg(char *msg, size_t msglen, const char *fmt, ...)
{
    if (!msg || !msglen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msglen, fmt, ap);
    va_end(ap);
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* "1,234" or "-12,345,678.5": digit groups of three after the first. */
static int looks_thousands(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t lead = 0;
    while (i < n && is_digit(s[i])) {
        i++;
        lead++;
    }
    if (lead < 1 || lead > 3 || i >= n || s[i] != ',')
        return 0;
    while (i < n && s[i] == ',') {
        i++;
        size_t g = 0;
        while (i < n && is_digit(s[i])) {
            i++;
            g++;
        }
        if (g != 3)
            return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        size_t f = 0;
        while (i < n && is_digit(s[i])) {
            i++;
            f++;
        }
        if (!f)
            return 0;
    }
    return i == n;
}

/* "1,5" or "-0,25": digits, one comma, digits. */
static int looks_decimal_comma(const char *s, size_t n, size_t *comma)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t a = 0;
    while (i < n && is_digit(s[i])) {
        i++;
        a++;
    }
    if (!a || i >= n || s[i] != ',')
        return 0;
    *comma = i;
    i++;
    size_t f = 0;
    while (i < n && is_digit(s[i])) {
        i++;
        f++;
    }
    return f > 0 && i == n;
}

/* "0x1A", "-0X1p3" */
static int is_hex(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    return i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
}

/* "inf", "-Infinity", "NaN" */
static int is_infnan(const char *s, size_t n)
{
    static const char *const words[] = {"inf", "infinity", "nan"};
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (csv_name_is(s + i, n - i, words[w]))
            return 1;
    return 0;
}

/* Clinger's fast path: [-+]digits[.digits] with at most 15 significant
 * digits and at most 22 decimals is m / 10^k with m and 10^k exact doubles,
 * so one IEEE division gives the correctly rounded value, the same as
 * strtod. Returns 0 (use csv_num_read) for anything else. strtod was an
 * eighth of the ingest time of a 500,000-row file; on short values this is
 * also faster than fast_float (19 against 21 to 24 ns a value, the 383
 * values of tests/bench/bench_xlsx.c's one return and of
 * tests/data/good/hk-wan-chai-2026.csv). */
static int fast_decimal(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    uint64_t m = 0;
    int digits = 0, frac = 0, seen_point = 0, any = 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            any = 1;
            if (m == 0 && ch == '0') {
                if (seen_point)
                    frac++;
                continue; /* leading zeros are not significant */
            }
            if (++digits > 15)
                return 0;
            m = m * 10 + (uint64_t)(ch - '0');
            if (seen_point)
                frac++;
        } else if (ch == '.' && !seen_point) {
            seen_point = 1;
        } else {
            return 0;
        }
    }
    if (!any || frac > 22)
        return 0;
    double v = (double)m / p10[frac];
    *out = neg ? -v : v;
    return 1;
}

#define CSV_NUM_MAX 128   /* bytes of a number's text, spaces around it apart */

enum csv_num csv_parse_double(const char *s, size_t len, double *out, char *msg,
                              size_t msglen)
{
    *out = NAN;
    trim(&s, &len);
    if (len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A'))
        return CSV_NUM_MISSING;   /* R's write.csv writes NA for missing */
    char q[64];
    if (msg && msglen)
        q[0] = '\0';
#define QUOTE() csv_quote(s, len, q, sizeof q)
    if (len >= CSV_NUM_MAX) {
        QUOTE();
        setmsg(msg, msglen, "'%s' is not a number (too long)", q);
        return CSV_NUM_BAD;
    }
    int other = 0, comma = 0, alpha = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (is_digit(ch) || ch == '.' || ch == '+' || ch == '-' || ch == 'e' || ch == 'E')
            continue;
        if (ch == ',')
            comma = 1;
        else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
            alpha = 1;
        other = 1;
    }
    if (other) {
        QUOTE();
        size_t cpos;
        if (comma && looks_thousands(s, len)) {
            char plain[128];
            size_t k = 0;
            for (size_t i = 0; i < len; i++)
                if (s[i] != ',')
                    plain[k++] = s[i];
            plain[k] = '\0';
            setmsg(msg, msglen,
                   "'%s' is not a number (no thousands separators, please: write %s)", q, plain);
        } else if (comma && looks_decimal_comma(s, len, &cpos)) {
            setmsg(msg, msglen, "'%s' is not a number (decimal comma? use a point: %.*s.%.*s)",
                   q, (int)cpos, s, (int)(len - cpos - 1), s + cpos + 1);
        } else if (alpha && is_hex(s, len)) {
            setmsg(msg, msglen, "'%s' is not a number (hexadecimal is not accepted)", q);
        } else if (alpha && is_infnan(s, len)) {
            setmsg(msg, msglen, "'%s' is not a finite number", q);
        } else {
            setmsg(msg, msglen, "'%s' is not a number", q);
        }
        return CSV_NUM_BAD;
    }
    if (fast_decimal(s, len, out))
        return CSV_NUM_OK;
    double v;
    if (csv_num_read(s, len, &v) != 0) {
        QUOTE();
        setmsg(msg, msglen, "'%s' is not a number", q);
        return CSV_NUM_BAD;
    }
    if (!isfinite(v)) {
        QUOTE();
        setmsg(msg, msglen, "'%s' is out of range (too large for a number)", q);
        return CSV_NUM_BAD;
    }
    *out = v;
    return CSV_NUM_OK;
#undef QUOTE
}

enum csv_num csv_parse_year(const char *s, size_t len, int *out, char *msg, size_t msglen)
{
    *out = 0;
    trim(&s, &len);
    if (len == 0)
        return CSV_NUM_MISSING;
    int ok = len == 4;
    for (size_t i = 0; ok && i < len; i++)
        if (!is_digit(s[i]))
            ok = 0;
    if (!ok || s[0] == '0') {
        char q[64];
        csv_quote(s, len, q, sizeof q);
        setmsg(msg, msglen, "'%s' is not a year (expected a whole number from 1000 to 9999)", q);
        return CSV_NUM_BAD;
    }
    *out = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return CSV_NUM_OK;
}
