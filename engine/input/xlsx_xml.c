/* xlsx_xml.c: the XML reader of the workbook parts (xlsx_xml.h says what it
 * accepts): a hand-written scanner over a buffer the caller inflates into.
 *
 * Why hand-written: on the network-scale sheet (84 MB of XML) expat with
 * no handlers at all took 1.25 s of CPU (67 MB/s) and libxml2's SAX2 push
 * parser 0.81 s, against 0.17 s for the whole ingest of the same rows as
 * CSV, so no general XML library could read returns within three times the
 * CSV path. The scanner looks at each byte once through a table of byte
 * classes, copies only names and attribute values, and hands text over
 * where it lies in the buffer: on the same 97 MB sheet (inline strings) it
 * takes 0.26 s with handlers that count the events, against 0.92 s for
 * expat with the same handlers, and inflating the part takes 0.17 s.
 *
 *   buf:  [ consumed | unconsumed (a cut token) | new bytes | NUL ]
 *         0          pos                                    end
 *
 * Invariants: buf[end] is NUL (a sentinel no scanning loop passes, since
 * NUL is never an XML character), so loops test for the end only where
 * they stop; a token (tag, reference, comment, PI, CDATA section, CR LF)
 * is read whole or not at all: cut by the end of the bytes, it is read
 * again from its start once more bytes came, and never before the bytes
 * kept have doubled, so a huge token costs linear time; text is handed
 * over as far as it goes. Line and column count the bytes before pos when
 * they leave the buffer, and the rest only when an error needs them.
 * Open elements' names are kept on a stack (names[], open[]).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "csv.h"
#include "hexdigit.h"
#include "xlsx_xml.h"

enum { ST_START, ST_PROLOG, ST_CONTENT, ST_EPILOG };
#define XML_WINDOW (64u * 1024)   /* bytes scanned at once (scan_windows) */
/* A first buffer of this many bytes or more (a part inflated whole) comes
 * from csv_big_alloc, in huge pages, as a CSV file's bytes do (csv.h has
 * the measurement): the 97 MB sheet of tests/bench/bench_xlsx.c then
 * faults in 49 pages instead of 23,700. */
#define XML_BIG (4u << 20)
/* xlsx_xml_reset keeps a buffer or pool of up to this many bytes for the
 * next document (a returned template's sheet, 145 KB, and the pool of
 * twice a 64 KiB window among them), and frees a larger one; and arrays of
 * up to XML_KEEP_N attributes or open elements (a workbook's tags have a
 * few dozen at most), freeing those a strange document grew past it. */
#define XML_KEEP XML_BIG
#define XML_KEEP_N 4096
enum { T_OK = 0, T_MORE = 1, T_ERR = -1 };   /* what a token's reader says */

struct xlsx_xml {
    struct xlsx_handlers h;
    void *ctx;
    unsigned char *buf;
    size_t cap, pos, end;
    size_t need;               /* unconsumed bytes wanted before reading again */
    int state;                 /* ST_* */
    int decl_ok;               /* the next token may be the XML declaration */
    int stopped;
    int stopped_empty;         /* stopped in the start handler of an <a/> */
    enum xlsx_xml_status err;
    const unsigned char *errp; /* where the error is, in buf */
    int cdata;                 /* the cut token is a CDATA section */
    unsigned long line, col;   /* of buf[0] */
    int cr;                    /* the byte before buf[0] is CR */
    char *names;               /* open elements' names, NUL-terminated */
    size_t nlen, nalloc;
    size_t *open;              /* offset of each open element's name */
    size_t depth, aopen;
    char *pool;                /* the start tag being read: names, values */
    size_t plen, palloc;
    size_t *aoff;              /* offsets of its attributes' names, values */
    size_t *asrc;              /* and where they are in the tag */
    size_t naoff, aaoff;
    const char **atts;
    size_t aatts;
    int no_skim;               /* xlsx_xml_set_skim(x, 0): tests */
    int skimmed;               /* skim() read the rest */
    int muted;                 /* muted since the last token: skim() may
                                  read the rest */
    int kept, pool_kept;       /* buf, pool are kept from the document
                                  before (xlsx_xml_reset) and hold nothing
                                  of this one yet */
};

static int name_start_cp(unsigned cp);
static int name_cp(unsigned cp);
static int skim_rest(struct xlsx_xml *x);

static const char *const messages[] = {
#define XLSX_XML_MSG(name, msg) msg,
    XLSX_XML_ERRORS(XLSX_XML_MSG)
#undef XLSX_XML_MSG
};

const char *xlsx_xml_message(enum xlsx_xml_status st)
{
    return (size_t)st < sizeof messages / sizeof messages[0] ? messages[st] : "?";
}

/* ---- the reader --------------------------------------------------------- */

/* The class of each byte (xlsx_xml.h): XLSX_K_START | XLSX_K_NAME for A-Z a-z
 * _ :, XLSX_K_NAME for 0-9 - .; XLSX_K_TEXT for controls but tab and LF,
 * < & ] and 0x80 up; XLSX_K_AVAL for controls, < & " ' and 0x80 up; XLSX_K_WS
 * for space, tab, CR, LF; XLSX_K_MISC for controls but tab, CR, LF, - ? ] and
 * 0x80 up. */
const unsigned char xlsx_xml_cls[256] = {
    44, 44, 44, 44, 44, 44, 44, 44, 44, 24, 24, 44, 44, 28, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    16,  0,  8,  0,  0,  0, 12,  8,  0,  0,  0,  0,  0, 33,  1,  0,
     1,  1,  1,  1,  1,  1,  1,  1,  1,  1,  3,  0, 12,  0,  0, 32,
     0,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  0,  0, 36,  0,  3,
     0,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  0,  0,  0,  0,  0,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
    44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44, 44,
};

struct xlsx_xml *xlsx_xml_new(const struct xlsx_handlers *h, void *ctx)
{
    struct xlsx_xml *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->h = *h;
    x->ctx = ctx;
    x->line = 1;
    return x;
}

void xlsx_xml_reset(struct xlsx_xml *x, const struct xlsx_handlers *h, void *ctx)
{
    struct xlsx_xml k = *x;
    if (k.cap > XML_KEEP) {
        free(k.buf);
        k.buf = NULL;
        k.cap = 0;
    }
    if (k.palloc > XML_KEEP) {
        free(k.pool);
        k.pool = NULL;
        k.palloc = 0;
    }
    if (k.nalloc > XML_KEEP_N * 16 || k.aopen > XML_KEEP_N) {   /* names of open elements */
        free(k.names);
        free(k.open);
        k.names = NULL;
        k.open = NULL;
        k.nalloc = k.aopen = 0;
    }
    if (k.aaoff > XML_KEEP_N || k.aatts > XML_KEEP_N) {   /* a tag's attributes */
        free(k.aoff);
        free(k.asrc);
        free(k.atts);
        k.aoff = k.asrc = NULL;
        k.atts = NULL;
        k.aaoff = k.aatts = 0;
    }
    *x = (struct xlsx_xml){
        .h = *h, .ctx = ctx, .line = 1,
        .buf = k.buf, .cap = k.cap, .kept = k.buf != NULL,
        .pool = k.pool, .palloc = k.palloc, .pool_kept = k.pool != NULL,
        .names = k.names, .nalloc = k.nalloc, .open = k.open, .aopen = k.aopen,
        .aoff = k.aoff, .asrc = k.asrc, .aaoff = k.aaoff, .atts = k.atts, .aatts = k.aatts,
    };
}

void xlsx_xml_free(struct xlsx_xml *x)
{
    if (!x)
        return;
    free(x->buf);
    free(x->names);
    free(x->open);
    free(x->pool);
    free(x->aoff);
    free(x->asrc);
    free(x->atts);
    free(x);
}

void xlsx_xml_stop(struct xlsx_xml *x)
{
    x->stopped = 1;
}

void xlsx_xml_mute(struct xlsx_xml *x)
{
    memset(&x->h, 0, sizeof x->h);
    x->muted = 1;
}

void xlsx_xml_resume(struct xlsx_xml *x)
{
    x->stopped = 0;
    if (x->stopped_empty) {   /* the <a/> whose start handler stopped: its end */
        x->stopped_empty = 0;
        if (x->h.end)
            x->h.end(x->ctx, x->pool);
    }
}

void xlsx_xml_skip(struct xlsx_xml *x, size_t n)
{
    x->stopped = 0;
    x->pos += n;
    x->depth--;
    x->nlen = x->open[x->depth];
    if (!x->depth)
        x->state = ST_EPILOG;
    if (x->h.end)
        x->h.end(x->ctx, x->names + x->nlen);
}

char *xlsx_xml_rest(struct xlsx_xml *x, size_t *n)
{
    if (!x->buf || x->kept || x->stopped_empty) {
        *n = 0;
        return NULL;
    }
    *n = x->end - x->pos;
    return (char *)x->buf + x->pos;
}

/* Characters in p[0..n): bytes that are not UTF-8 continuation bytes,
 * eight at a time. */
static size_t count_chars(const unsigned char *p, size_t n)
{
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t c = w & ~(w << 1) & 0x8080808080808080ull;   /* bytes 10xxxxxx */
        cont += (size_t)(((c >> 7) * 0x0101010101010101ull) >> 56);
    }
    for (; i < n; i++)
        cont += (p[i] & 0xC0) == 0x80;
    return n - cont;
}

/* Move the line and column from p to e (both in buf). */
static void position_add(struct xlsx_xml *x, const unsigned char *p, const unsigned char *e)
{
    if (p == e)
        return;
    if (!memchr(p, '\r', (size_t)(e - p))) {
        const unsigned char *nl;
        if (x->cr && *p == '\n')
            p++;   /* the LF of a CR LF: the line was counted at the CR */
        x->cr = 0;
        while ((nl = memchr(p, '\n', (size_t)(e - p)))) {
            x->line++;
            x->col = 0;
            p = nl + 1;
        }
        x->col += count_chars(p, (size_t)(e - p));
        return;
    }
    for (; p < e; p++) {
        if (*p == '\r' || (*p == '\n' && !x->cr)) {
            x->line++;
            x->col = 0;
        } else if (*p != '\n' && (*p & 0xC0) != 0x80) {
            x->col++;
        }
        x->cr = *p == '\r';
    }
}

enum xlsx_xml_status xlsx_xml_error(const struct xlsx_xml *x, unsigned long *line,
                                    unsigned long *col)
{
    *line = x->line;
    *col = x->col;
    return x->err;
}

static int fail(struct xlsx_xml *x, enum xlsx_xml_status st, const unsigned char *at)
{
    if (!x->err) {
        x->err = st;
        x->errp = at;
    }
    return T_ERR;
}

void *xlsx_xml_buffer(struct xlsx_xml *x, size_t n)
{
    if (x->pos > 0) {   /* what was read leaves; a cut token moves to the front */
        position_add(x, x->buf, x->buf + x->pos);
        memmove(x->buf, x->buf + x->pos, x->end - x->pos);
        x->end -= x->pos;
        x->pos = 0;
    }
    size_t tail = 1 + XLSX_XML_PAD;   /* the NUL and the zeros after it */
    if (n > SIZE_MAX / 2 - x->end - tail)
        return NULL;
    if (x->kept) {   /* a buffer kept from the document before: used when
                        the first bytes fit, else they get their own */
        x->kept = 0;
        if (n + tail > x->cap) {
            free(x->buf);
            x->buf = NULL;
            x->cap = 0;
        }
    }
    if (!x->buf) {   /* the first bytes: exactly as many (a part inflated
                        whole asks once), in huge pages when large; see
                        scan() on the pool for why exactly */
        if (!(x->buf = n >= XML_BIG ? csv_big_alloc(n + tail) : malloc(n + tail)))
            return NULL;
        x->cap = n + tail;
    }
    if (x->end + n + tail > x->cap &&
        array_grow((void **)&x->buf, &x->cap, x->end + n + tail, 1))
        return NULL;
    return x->buf + x->end;
}

/* ---- characters and names ----------------------------------------------- */

int xlsx_xml_utf8(const unsigned char *p, const unsigned char *e, unsigned *cp)
{
    unsigned c = p[0];
    int n;
    if (c < 0xC2)
        return -1;
    if (c < 0xE0) {
        n = 2;
        c &= 0x1F;
    } else if (c < 0xF0) {
        n = 3;
        c &= 0x0F;
    } else if (c < 0xF5) {
        n = 4;
        c &= 0x07;
    } else {
        return -1;
    }
    for (int i = 1; i < n; i++) {
        if (p + i >= e)
            return 0;
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        c = c << 6 | (p[i] & 0x3Fu);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
        (c >= 0xD800 && c <= 0xDFFF) || c == 0xFFFE || c == 0xFFFF)
        return -1;
    *cp = c;
    return n;
}

/* Skip the non-ASCII character at *pp (a name's when name is 1: its
 * start's when start is 1 too). T_OK, T_MORE (cut), or T_ERR: malformed;
 * when it is no name character, T_OK with *pp unmoved. */
static int skip_utf8(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                     int name, int start)
{
    unsigned cp;
    int n = xlsx_xml_utf8(*pp, e, &cp);
    if (n == 0)
        return T_MORE;
    if (n < 0)
        return fail(x, XLSX_XML_SYNTAX, *pp);
    if (!name || (start ? name_start_cp(cp) : name_cp(cp)))
        *pp += n;
    return T_OK;
}

/* Read the name at *pp, leaving *pp after it (read_name: ASCII names here,
 * the others in read_name_slow). */
static int read_name_slow(struct xlsx_xml *x, const unsigned char **pp,
                          const unsigned char *e)
{
    const unsigned char *p = *pp;
    if (p >= e)
        return T_MORE;
    if (*p >= 0x80) {
        int r = skip_utf8(x, &p, e, 1, 1);
        if (r != T_OK)
            return r;
    } else if (xlsx_xml_cls[*p] & XLSX_K_START) {
        p++;
    }
    if (p == *pp)
        return fail(x, XLSX_XML_SYNTAX, p);
    for (;;) {
        while (xlsx_xml_cls[*p] & XLSX_K_NAME)
            p++;
        if (*p < 0x80)
            break;
        const unsigned char *q = p;
        int r = skip_utf8(x, &p, e, 1, 0);
        if (r != T_OK)
            return r;
        if (p == q)
            break;
    }
    if (p >= e)
        return T_MORE;   /* the name may go on */
    *pp = p;
    return T_OK;
}

static inline int read_name(struct xlsx_xml *x, const unsigned char **pp,
                            const unsigned char *e)
{
    const unsigned char *p = *pp;
    if (xlsx_xml_cls[*p] & XLSX_K_START) {
        p++;
        while (xlsx_xml_cls[*p] & XLSX_K_NAME)
            p++;
        if (*p < 0x80 && p < e) {
            *pp = p;
            return T_OK;
        }
    }
    return read_name_slow(x, pp, e);
}

static int xml_char(unsigned cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static size_t utf8_put(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t xlsx_xml_ref(const unsigned char *p, const unsigned char *e, char out[4], size_t *n)
{
    static const struct { char name[5]; unsigned char len; char c; } ent[] = {
        {"lt", 2, '<'}, {"gt", 2, '>'}, {"amp", 3, '&'}, {"apos", 4, '\''}, {"quot", 4, '"'},
    };
    const unsigned char *q = p + 1;
    if (q < e && *q == '#') {
        int hex = ++q < e && *q == 'x';
        unsigned long cp = 0;
        int digits = 0;
        for (q += hex; q < e && digits < 8; q++, digits++) {
            int d = hexdigit_value((char)*q);
            if (d < 0 || (!hex && d > 9))
                break;
            cp = cp * (hex ? 16u : 10u) + (unsigned)d;
        }
        if (q >= e || *q != ';' || !digits || !xml_char((unsigned)cp))
            return 0;
        *n = utf8_put((unsigned)cp, out);
        return (size_t)(q + 1 - p);
    }
    for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
        if (e - q > ent[i].len && memcmp(q, ent[i].name, ent[i].len) == 0 &&
            q[ent[i].len] == ';') {
            out[0] = ent[i].c;
            *n = 1;
            return ent[i].len + 2u;
        }
    return 0;
}

/* The reference at *pp ('&'): its character's UTF-8 in out (*n bytes),
 * *pp after the ';'. Well-formed ones the short way (xlsx_xml_ref), the
 * rest here, to tell a cut one from each kind of error. */
static int read_ref(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                    char out[4], size_t *n)
{
    size_t k = xlsx_xml_ref(*pp, e, out, n);
    if (k) {
        *pp += k;
        return T_OK;
    }
    const unsigned char *amp = *pp, *p = amp + 1;
    if (p >= e)
        return T_MORE;
    if (*p == '#') {
        int hex = ++p < e && *p == 'x';
        unsigned long cp = 0;
        int digits = 0;
        for (p += hex;; p++) {
            int d = *p >= '0' && *p <= '9'                ? *p - '0'
                    : hex && *p >= 'a' && *p <= 'f'       ? *p - 'a' + 10
                    : hex && *p >= 'A' && *p <= 'F'       ? *p - 'A' + 10
                                                          : -1;
            if (d < 0)
                break;
            cp = cp * (hex ? 16u : 10u) + (unsigned)d;
            if (cp > 0x10FFFF)
                cp = 0x110000;   /* too large, however many digits follow */
            digits++;
        }
        if (p >= e)
            return T_MORE;
        if (*p != ';' || !digits)
            return fail(x, XLSX_XML_SYNTAX, p);
        if (!xml_char((unsigned)cp))
            return fail(x, XLSX_XML_BAD_CHAR_REF, amp);
        *n = utf8_put((unsigned)cp, out);
        *pp = p + 1;
        return T_OK;
    }
    const unsigned char *name = p;
    int r = read_name(x, &p, e);
    if (r != T_OK)
        return r;
    if (*p != ';')
        return fail(x, XLSX_XML_SYNTAX, p);
    static const struct { const char *name; char c; } ent[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"apos", '\''}, {"quot", '"'},
    };
    size_t len = (size_t)(p - name);
    for (size_t i = 0; i < sizeof ent / sizeof ent[0]; i++)
        if (strlen(ent[i].name) == len && memcmp(ent[i].name, name, len) == 0) {
            out[0] = ent[i].c;
            *n = 1;
            *pp = p + 1;
            return T_OK;
        }
    return fail(x, XLSX_XML_UNDEFINED_ENTITY, amp);
}

/* ---- text --------------------------------------------------------------- */

static void deliver(struct xlsx_xml *x, const void *s, size_t n)
{
    if (n && x->h.text && !x->stopped)
        x->h.text(x->ctx, s, (int)n);
}

/* Text at *pp in an element, handed over up to the next markup (or as far
 * as the bytes go). */
static int read_text(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                     int final)
{
    const unsigned char *p = *pp, *s = p;
    for (;;) {
        p = xlsx_xml_run_end(p, e, XLSX_K_TEXT);
        int r = T_OK;
        if (*p == ']') {
            if (e - p < 3 && !final)
                r = T_MORE;
            else if (e - p >= 3 && p[1] == ']' && p[2] == '>')
                return fail(x, XLSX_XML_SYNTAX, p + 2);
            else
                p++;
        } else if (*p >= 0x80) {
            r = skip_utf8(x, &p, e, 0, 0);
            if (r == T_ERR)
                return r;
        } else if (*p == '\r') {
            if (p + 1 >= e && !final) {
                r = T_MORE;
            } else {
                deliver(x, s, (size_t)(p - s));
                deliver(x, "\n", 1);
                p += p + 1 < e && p[1] == '\n' ? 2 : 1;
                s = p;
            }
        } else if (*p == '&') {
            char c[4];
            size_t n;
            const unsigned char *q = p;
            deliver(x, s, (size_t)(p - s));
            s = p;
            r = read_ref(x, &q, e, c, &n);
            if (r == T_ERR)
                return r;
            if (r == T_OK) {
                deliver(x, c, n);
                s = p = q;
            }
        } else if (*p == '<' || p >= e) {
            break;
        } else {
            return fail(x, XLSX_XML_SYNTAX, p);
        }
        if (r == T_MORE)
            break;
        if (x->stopped)
            return T_OK;
    }
    deliver(x, s, (size_t)(p - s));
    if (p == *pp)
        return T_MORE;   /* nothing read: a token cut at the end */
    *pp = p;
    return T_OK;
}

/* Skip a comment's, PI's or CDATA section's characters from *pp to the
 * terminator: "-->" (the comment), "?>" or "]]>". *pp ends at its start. */
static int skip_to(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                   unsigned char term)
{
    const unsigned char *p = *pp;
    for (;;) {
        while (!(xlsx_xml_cls[*p] & XLSX_K_MISC))
            p++;
        if (p >= e)
            return T_MORE;
        if (*p >= 0x80) {
            int r = skip_utf8(x, &p, e, 0, 0);
            if (r != T_OK)
                return r;
            continue;
        }
        if (*p != term) {
            if (*p < 0x20)
                return fail(x, XLSX_XML_SYNTAX, p);
            p++;
            continue;
        }
        if (term == '-') {   /* "--" only as "-->" */
            if (e - p < 3)
                return T_MORE;
            if (p[1] != '-') {
                p++;
                continue;
            }
            if (p[2] != '>')
                return fail(x, XLSX_XML_SYNTAX, p + 2);
        } else if (term == '?') {
            if (e - p < 2)
                return T_MORE;
            if (p[1] != '>') {
                p++;
                continue;
            }
        } else {
            if (e - p < 3)
                return T_MORE;
            if (p[1] != ']' || p[2] != '>') {
                p++;
                continue;
            }
        }
        *pp = p;
        return T_OK;
    }
}

/* Hand over a CDATA section's text s[0..e) (checked), CR LF and CR as LF. */
static void deliver_cdata(struct xlsx_xml *x, const unsigned char *s, const unsigned char *e)
{
    const unsigned char *cr;
    while ((cr = memchr(s, '\r', (size_t)(e - s)))) {
        deliver(x, s, (size_t)(cr - s));
        deliver(x, "\n", 1);
        s = cr + 1 + (cr + 1 < e && cr[1] == '\n');
    }
    deliver(x, s, (size_t)(e - s));
}

/* ---- tags --------------------------------------------------------------- */

/* Mark where the next name or value starts: in the pool, and in the tag
 * (at, for messages). */
static int marks_grow(struct xlsx_xml *x)
{
    size_t cap = x->aaoff;
    if (array_grow((void **)&x->aoff, &x->aaoff, x->naoff + 1, sizeof *x->aoff) != 0 ||
        array_grow((void **)&x->asrc, &cap, x->naoff + 1, sizeof *x->asrc) != 0)
        return fail(x, XLSX_XML_NOMEM, NULL);
    return T_OK;
}

static inline int mark(struct xlsx_xml *x, size_t at)
{
    if (x->naoff + 1 > x->aaoff && marks_grow(x) != T_OK)
        return T_ERR;
    x->asrc[x->naoff] = at;
    x->aoff[x->naoff++] = x->plen;
    return T_OK;
}

/* Copy s[0..n) to the pool, and a NUL (the pool has room: scan saw to it). */
static void pool_name(struct xlsx_xml *x, const unsigned char *s, size_t n)
{
    char *w = x->pool + x->plen;
    for (size_t i = 0; i < n; i++)
        w[i] = (char)s[i];
    w[n] = '\0';
    x->plen += n + 1;
}

/* An attribute's value at *pp (its opening quote) into the pool, references
 * replaced and tab, CR LF, CR and LF as spaces; *pp after the closing quote. */
static int read_value(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp + 1;
    unsigned char q = **pp, c;
    char *w = x->pool + x->plen;
    for (;;) {
        const unsigned char *run = xlsx_xml_run_end(p, e, XLSX_K_AVAL);
        memcpy(w, p, (size_t)(run - p));
        w += run - p;
        c = *(p = run);
        if (p >= e)
            return T_MORE;
        if (c == q)
            break;
        if (c == '"' || c == '\'') {
            *w++ = (char)*p++;
        } else if (c == '&') {
            char o[4];
            size_t n;
            int r = read_ref(x, &p, e, o, &n);
            if (r != T_OK)
                return r;
            for (size_t i = 0; i < n; i++)
                *w++ = o[i];
        } else if (c == '\t' || c == '\n' || c == '\r') {
            if (c == '\r' && p + 1 >= e)
                return T_MORE;
            p += c == '\r' && p[1] == '\n' ? 2 : 1;
            *w++ = ' ';
        } else if (c >= 0x80) {
            const unsigned char *s = p;
            int r = skip_utf8(x, &p, e, 0, 0);
            if (r != T_OK)
                return r;
            while (s < p)
                *w++ = (char)*s++;
        } else {   /* < or a control character */
            return fail(x, XLSX_XML_SYNTAX, p);
        }
    }
    *w++ = '\0';
    x->plen = (size_t)(w - x->pool);
    *pp = p + 1;
    return T_OK;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The index of the first attribute whose name an earlier one has, of the
 * n (names at atts[0], atts[2], ...); 0 when none; -1 on ENOMEM. */
static long duplicate(const char **atts, size_t n)
{
    if (n > 16) {   /* sorted first: a tag of a million attributes stays fast */
        const char **s = malloc(n * sizeof *s);
        if (!s)
            return -1;
        for (size_t i = 0; i < n; i++)
            s[i] = atts[2 * i];
        qsort(s, n, sizeof *s, cmp_name);
        int dup = 0;
        for (size_t i = 1; i < n && !dup; i++)
            dup = strcmp(s[i], s[i - 1]) == 0;
        free(s);
        if (!dup)
            return 0;
    }
    /* each name's value follows it in the pool: its length is the gap, and
     * names of another length or first letter (most) are not compared */
    for (size_t i = 1; i < n; i++) {
        size_t li = (size_t)(atts[2 * i + 1] - atts[2 * i]);
        for (size_t j = 0; j < i; j++)
            if ((size_t)(atts[2 * j + 1] - atts[2 * j]) == li &&
                atts[2 * i][0] == atts[2 * j][0] && memcmp(atts[2 * i], atts[2 * j], li) == 0)
                return (long)i;
    }
    return 0;
}

/* Push the open element's name (n bytes). */
static int push_name(struct xlsx_xml *x, const char *name, size_t n)
{
    if ((x->nlen + n + 1 > x->nalloc &&
         array_grow((void **)&x->names, &x->nalloc, x->nlen + n + 1, 1) != 0) ||
        (x->depth + 1 > x->aopen &&
         array_grow((void **)&x->open, &x->aopen, x->depth + 1, sizeof *x->open) != 0))
        return fail(x, XLSX_XML_NOMEM, NULL);
    for (size_t i = 0; i <= n; i++)   /* names are short: no memcpy call */
        x->names[x->nlen + i] = name[i];
    x->open[x->depth++] = x->nlen;
    x->nlen += n + 1;
    return T_OK;
}

/* The start tag at *pp ('<' and a name start). */
static int read_start(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp + 1, *s = p;
    int empty = 0, r;
    x->plen = x->naoff = 0;
    if ((r = read_name(x, &p, e)) != T_OK)
        return r;
    size_t nlen = (size_t)(p - s);
    pool_name(x, s, nlen);
    if (*p == '>' && x->aatts) {   /* no attributes (<v>, <is>, <t>): the short way */
        x->atts[0] = NULL;
        if (push_name(x, x->pool, nlen) != T_OK)
            return T_ERR;
        *pp = p + 1;
        if (x->h.start && !x->stopped)
            x->h.start(x->ctx, x->pool, x->atts);
        x->state = ST_CONTENT;
        return T_OK;
    }
    for (;;) {
        const unsigned char *w = p;
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        if (p >= e)
            return T_MORE;
        if (*p == '>') {
            p++;
            break;
        }
        if (*p == '/') {
            if (p + 1 >= e)
                return T_MORE;
            if (p[1] != '>')
                return fail(x, XLSX_XML_SYNTAX, p + 1);
            p += 2;
            empty = 1;
            break;
        }
        if (p == w)   /* an attribute needs whitespace before it */
            return fail(x, XLSX_XML_SYNTAX, p);
        s = p;
        if ((r = read_name(x, &p, e)) != T_OK || (r = mark(x, (size_t)(s - *pp))) != T_OK)
            return r;
        pool_name(x, s, (size_t)(p - s));
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        if (p >= e)
            return T_MORE;
        if (*p != '=')
            return fail(x, XLSX_XML_SYNTAX, p);
        p++;
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        if (p >= e)
            return T_MORE;
        if (*p != '"' && *p != '\'')
            return fail(x, XLSX_XML_SYNTAX, p);
        if ((r = mark(x, (size_t)(p - *pp))) != T_OK || (r = read_value(x, &p, e)) != T_OK)
            return r;
    }
    /* the tag is whole: its names and values become pointers */
    size_t natt = x->naoff / 2;
    if (x->naoff + 1 > x->aatts &&
        array_grow((void **)&x->atts, &x->aatts, x->naoff + 1, sizeof *x->atts) != 0)
        return fail(x, XLSX_XML_NOMEM, NULL);
    for (size_t i = 0; i < x->naoff; i++)
        x->atts[i] = x->pool + x->aoff[i];
    x->atts[x->naoff] = NULL;
    if (natt > 1) {   /* no attribute twice */
        long dup = duplicate(x->atts, natt);
        if (dup < 0)
            return fail(x, XLSX_XML_NOMEM, NULL);
        if (dup)
            return fail(x, XLSX_XML_DUPLICATE_ATTRIBUTE, *pp + x->asrc[2 * dup]);
    }
    if (!empty && push_name(x, x->pool, nlen) != T_OK)
        return T_ERR;
    *pp = p;
    if (x->h.start && !x->stopped) {
        x->h.start(x->ctx, x->pool, x->atts);
        x->stopped_empty = empty && x->stopped;
    }
    if (empty && x->h.end && !x->stopped)
        x->h.end(x->ctx, x->pool);
    x->state = x->depth ? ST_CONTENT : ST_EPILOG;
    return T_OK;
}

/* The end tag at *pp ("</"). */
static int read_end(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp + 2, *name = p;
    int r = read_name(x, &p, e);
    if (r != T_OK)
        return r;
    size_t len = (size_t)(p - name);
    while (xlsx_xml_cls[*p] & XLSX_K_WS)
        p++;
    if (p >= e)
        return T_MORE;
    if (*p != '>')
        return fail(x, XLSX_XML_SYNTAX, p);
    const char *open = x->names + x->open[x->depth - 1];
    if (x->nlen - x->open[x->depth - 1] - 1 != len)
        return fail(x, XLSX_XML_TAG_MISMATCH, name);
    for (size_t i = 0; i < len; i++)   /* names are short: no memcmp call */
        if (open[i] != (char)name[i])
            return fail(x, XLSX_XML_TAG_MISMATCH, name);
    *pp = p + 1;
    x->depth--;
    x->nlen = x->open[x->depth];
    if (x->h.end && !x->stopped)
        x->h.end(x->ctx, open);
    if (!x->depth)
        x->state = ST_EPILOG;
    return T_OK;
}

/* ---- comments, processing instructions, the XML declaration -------------- */

/* 1 when the bytes at p are lit, 0 when they differ, 2 when they agree as
 * far as they go but e cuts them. */
static int prefix(const unsigned char *p, const unsigned char *e, const char *lit)
{
    for (; *lit; p++, lit++) {
        if (p >= e)
            return 2;
        if (*p != (unsigned char)*lit)
            return 0;
    }
    return 1;
}

static int space(const unsigned char *p, const unsigned char *e)
{
    return p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r');
}

/* One pseudo-attribute of the XML declaration at *pp (before e): 1 with
 * *name NULL at the end, 1 with its name and value, 0 when malformed. */
static int pseudo_attr(const unsigned char **pp, const unsigned char *e,
                       const unsigned char **name, size_t *nlen, const unsigned char **val,
                       size_t *vlen)
{
    const unsigned char *p = *pp;
    *name = NULL;
    if (p == e)
        return 1;
    if (!space(p, e))
        return 0;
    while (space(p, e))
        p++;
    if (p == e)
        return 1;
    const unsigned char *n = p;
    while (p < e && *p < 0x80 && *p != '=' && !space(p, e))
        p++;
    *nlen = (size_t)(p - n);
    while (space(p, e))
        p++;
    if (p == e || *p != '=' || *nlen == 0)
        return 0;
    p++;
    while (space(p, e))
        p++;
    if (p == e || (*p != '"' && *p != '\''))
        return 0;
    unsigned char q = *p++;
    *val = p;
    for (; p < e && *p != q; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    if (p == e)
        return 0;
    *name = n;
    *vlen = (size_t)(p - *val);
    *pp = p + 1;
    return 1;
}

static int is_word(const unsigned char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* The XML declaration's pseudo-attributes, p to e (before "?>"): version,
 * then encoding (UTF-8 only), then standalone (yes or no), in that order. */
static int read_decl(struct xlsx_xml *x, const unsigned char *p, const unsigned char *e,
                     const unsigned char *at)
{
    const unsigned char *n, *v;
    size_t nl = 0, vl = 0;
    if (!pseudo_attr(&p, e, &n, &nl, &v, &vl) || !n || !is_word(n, nl, "version") ||
        !pseudo_attr(&p, e, &n, &nl, &v, &vl))
        return fail(x, XLSX_XML_BAD_DECL, at);
    if (!n)
        return T_OK;
    if (is_word(n, nl, "encoding")) {
        if (!vl || !((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z')))
            return fail(x, XLSX_XML_BAD_DECL, at);
        static const char utf8[] = "utf-8";
        for (size_t i = 0; i < vl || i < 5; i++)
            if (i >= vl || i >= 5 || (v[i] | (v[i] >= 'A' && v[i] <= 'Z' ? 0x20 : 0)) != utf8[i])
                return fail(x, XLSX_XML_ENCODING, at);
        if (!pseudo_attr(&p, e, &n, &nl, &v, &vl))
            return fail(x, XLSX_XML_BAD_DECL, at);
        if (!n)
            return T_OK;
    }
    if (!is_word(n, nl, "standalone") || !(is_word(v, vl, "yes") || is_word(v, vl, "no")))
        return fail(x, XLSX_XML_BAD_DECL, at);
    while (space(p, e))
        p++;
    return p == e ? T_OK : fail(x, XLSX_XML_BAD_DECL, at);
}

/* The processing instruction at *pp ("<?"), or the XML declaration when
 * x->decl_ok. */
static int read_pi(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp + 2, *target = p;
    int r = read_name(x, &p, e);
    if (r != T_OK)
        return r;
    int decl = 0;
    if (p - target == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
        (target[2] | 0x20) == 'l') {
        if (memcmp(target, "xml", 3) != 0)
            return fail(x, XLSX_XML_SYNTAX, p);
        if (!x->decl_ok)
            return fail(x, XLSX_XML_MISPLACED_DECL, *pp);
        decl = 1;
    }
    const unsigned char *body = p;
    if (!space(p, e)) {   /* "?>" right after the target, or nothing else */
        if (e - p < 2)
            return T_MORE;
        if (p[0] != '?' || p[1] != '>')
            return fail(x, XLSX_XML_SYNTAX, p);
    } else if ((r = skip_to(x, &p, e, '?')) != T_OK) {
        return r;
    }
    if (decl && (r = read_decl(x, body, p, *pp)) != T_OK)
        return r;
    *pp = p + 2;
    return T_OK;
}

/* <!-- a comment --> or <![CDATA[ a CDATA section ]]> at *pp ("<!"),
 * in an element when content is 1. */
static int read_bang(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                     int content)
{
    const unsigned char *p = *pp;
    int m = prefix(p, e, "<!--"), r;
    if (m == 1) {
        p += 4;
        if ((r = skip_to(x, &p, e, '-')) != T_OK)
            return r;
        *pp = p + 3;
        return T_OK;
    }
    int c = m == 2 ? 2 : prefix(p, e, content ? "<![CDATA[" : "<!DOCTYPE");
    if (c == 2)
        return T_MORE;
    if (c == 0)
        return fail(x, x->state == ST_EPILOG ? XLSX_XML_JUNK_AFTER_ROOT : XLSX_XML_SYNTAX, p + 2);
    if (!content)
        return fail(x, XLSX_XML_DTD, p);
    const unsigned char *s = p + 9;
    p = s;
    x->cdata = 1;
    if ((r = skip_to(x, &p, e, ']')) != T_OK)
        return r;
    x->cdata = 0;
    *pp = p + 3;
    deliver_cdata(x, s, p);
    return T_OK;
}

/* ---- the document ------------------------------------------------------- */

/* Before the root element (and its XML declaration) or after it. */
static int read_outside(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e,
                        int final)
{
    const unsigned char *p = *pp;
    if (x->state == ST_START) {   /* a byte order mark, and no UTF-16 */
        if (e - p < 4 && !final)
            return T_MORE;
        if (prefix(p, e, "\xEF\xBB\xBF") == 1)
            p += 3;
        else if (p < e && (p[0] == 0 || p[0] == 0xFE || p[0] == 0xFF || (p + 1 < e && !p[1])))
            return fail(x, XLSX_XML_ENCODING, p);
        x->state = ST_PROLOG;
        x->decl_ok = 1;
        *pp = p;
        return T_OK;
    }
    int r;
    if (xlsx_xml_cls[*p] & XLSX_K_WS) {
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        r = T_OK;
    } else if (*p != '<') {
        return fail(x, x->state == ST_EPILOG ? XLSX_XML_JUNK_AFTER_ROOT : XLSX_XML_SYNTAX, p);
    } else if (e - p < 2) {
        return T_MORE;
    } else if (p[1] == '?') {
        r = read_pi(x, &p, e);
    } else if (p[1] == '!') {
        r = read_bang(x, &p, e, 0);
    } else if (x->state == ST_EPILOG) {
        return fail(x, XLSX_XML_JUNK_AFTER_ROOT, p);
    } else {
        r = read_start(x, &p, e);
    }
    if (r == T_OK) {
        x->decl_ok = 0;
        *pp = p;
    }
    return r;
}

static int read_markup(struct xlsx_xml *x, const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp;
    if (e - p < 2)
        return T_MORE;
    switch (p[1]) {
    case '/': return read_end(x, pp, e);
    case '?': return read_pi(x, pp, e);
    case '!': return read_bang(x, pp, e, 1);
    default: return read_start(x, pp, e);
    }
}

static int scan(struct xlsx_xml *x, int final)
{
    const unsigned char *p = x->buf + x->pos, *e = x->buf + x->end;
    int r = T_OK;
    /* room in the pool for any tag in the bytes left: each byte copied at
     * most once (references and line ends only shrink), a NUL per name or
     * value */
    size_t room = 2 * (size_t)(e - p) + 2;
    /* The first time exactly, as the buffer; then doubling. Rounded up to
     * powers of two, the buffer and pool of a one-return sheet (19 KB) were
     * 32 and 64 KiB, which took a lone read's transient memory past
     * glibc's 128 KiB trim threshold, so that every read grew the heap and
     * gave it back (brk twice, and page faults); exact, they stay under it
     * and no read calls brk. */
    if (room > x->palloc) {   /* a pool kept from the document before holds
                                 nothing of this one: replaced, not grown */
        char *np = x->palloc && !x->pool_kept ? NULL : malloc(room);
        if (np) {
            free(x->pool);
            x->pool = np;
            x->palloc = room;
        } else if (array_grow((void **)&x->pool, &x->palloc, room, 1) != 0) {
            fail(x, XLSX_XML_NOMEM, NULL);
            return -1;
        }
    }
    x->pool_kept = 0;
    while (!x->stopped && (p < e || x->state == ST_START)) {
        const unsigned char *q = p;
        x->cdata = 0;
        if (x->state == ST_CONTENT)
            r = *p == '<' ? read_markup(x, &q, e) : read_text(x, &q, e, final);
        else
            r = read_outside(x, &q, e, final);
        if (r != T_OK)
            break;
        p = q;
        if (x->muted) {   /* a handler muted the reader (a styles part after
                             its cell formats): the rest checked in one pass
                             when it is all in this window, the last (a
                             mute in an earlier one leaves it to tokens) */
            x->muted = 0;
            x->pos = (size_t)(p - x->buf);
            if (final && !x->stopped && skim_rest(x)) {
                p = x->buf + x->pos;
                break;
            }
        }
    }
    x->pos = (size_t)(p - x->buf);
    if (r == T_ERR) {
        position_add(x, x->buf, x->errp ? x->errp : p);
        return -1;
    }
    if (x->stopped)
        return 1;
    if (!final) {
        if (r == T_MORE)
            x->need = 2 * (x->end - x->pos);
        return 0;
    }
    if (r == T_MORE)
        fail(x, x->cdata ? XLSX_XML_UNCLOSED_CDATA : *p >= 0x80 ? XLSX_XML_PARTIAL_CHAR
                                                                : XLSX_XML_UNCLOSED_TOKEN, p);
    else if (x->state != ST_EPILOG)
        fail(x, XLSX_XML_NO_ELEMENTS, e);
    else
        return 0;
    position_add(x, x->buf, x->errp);
    return -1;
}

/* Scan the bytes up to x->end in windows of XML_WINDOW bytes or more, so
 * that a part handed over whole (xlsx_read.c inflates it so) needs no pool
 * of twice its size: each window ends in a NUL put in place of the byte
 * there, which is put back after it, and a token the window cuts is read
 * again in a window at least twice as long as what was left unread. */
static int scan_windows(struct xlsx_xml *x, int final)
{
    size_t end = x->end, win = XML_WINDOW;
    for (;;) {
        if (end - x->pos <= win)
            return scan(x, final);
        size_t w = x->pos + win;
        unsigned char keep = x->buf[w];
        x->buf[w] = '\0';
        x->end = w;
        int r = scan(x, 0);
        x->buf[w] = keep;
        x->end = end;
        x->need = 0;
        if (r != 0)
            return r;
        win = 2 * (w - x->pos) > XML_WINDOW ? 2 * (w - x->pos) : XML_WINDOW;
    }
}

/* ---- the rest of a muted part, checked without tokens ------------------ */

#define SKIM_DEPTH 64   /* elements open at once: deeper declines */
#define SKIM_ATTS 32    /* attributes in a tag: more declines */

struct skim_name {
    const unsigned char *s;
    size_t n;
    uint64_t head;   /* its first eight bytes (zeros past its end) */
};

/* The first byte at or after p that is not an ASCII name character (A-Z
 * a-z 0-9 _ : - .), sixteen at a time: the bytes up to 15 past it must be
 * readable, as the NUL and zeros after the buffer's end make them. */
static inline const unsigned char *name_end(const unsigned char *p)
{
#if defined(__SSE2__)
    for (;;) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* a byte in [lo, lo + n) when v - lo, moved to signed, is below
         * n - 128 */
        __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20)),
                letter = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8((char)(128 - 'a'))),
                                        _mm_set1_epi8(26 - 128)),
                digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(128 - '0'))),
                                       _mm_set1_epi8(10 - 128)),
                other = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')),
                                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))));
        unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit),
                                                                  other)) & 0xFFFFu;
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#else
    while (xlsx_xml_cls[*p] & XLSX_K_NAME)
        p++;
    return p;
#endif
}

/* An ASCII name at *pp (else 0: a name past ASCII, or none): its length,
 * *pp after it. */
static inline size_t skim_name(const unsigned char **pp)
{
    const unsigned char *p = *pp, *s = p;
    if (!(xlsx_xml_cls[*p] & XLSX_K_START))
        return 0;
    p = name_end(p + 1);
    if (*p >= 0x80)
        return 0;
    *pp = p;
    return (size_t)(p - s);
}

/* A reference (at '&') or a character past ASCII at *pp that the reader
 * accepts: 1 with *pp after it; else 0. */
static int skim_special(const unsigned char **pp, const unsigned char *e)
{
    const unsigned char *p = *pp;
    char o[4];
    size_t n;
    unsigned cp;
    int k = *p == '&' ? (int)xlsx_xml_ref(p, e, o, &n) : *p >= 0x80 ? xlsx_xml_utf8(p, e, &cp) : 0;
    if (k <= 0)
        return 0;
    *pp = p + k;
    return 1;
}

/* The attributes of a start tag, from *pp (right after its name) to the
 * tag's end: *pp after it, *empty for "/>". 1, or 0 when it declines. */
static int skim_attributes(const unsigned char **pp, const unsigned char *e, int *empty)
{
    const unsigned char *p = *pp;
    struct skim_name att[SKIM_ATTS];
    size_t natt = 0;
    uint64_t seen = 0;   /* a bit for each name's hash: most names are
                            new, and need no comparison */
    for (;;) {
        const unsigned char *w = p;
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        if (*p == '>' || (*p == '/' && p[1] == '>')) {
            *empty = *p == '/';
            *pp = p + 1 + *empty;
            return 1;
        }
        if (p == w || natt == SKIM_ATTS)
            return 0;
        const unsigned char *name = p;
        size_t len = skim_name(&p);
        if (!len)
            return 0;
        uint64_t head = xlsx_xml_head8(name, len), bit = 1ull << ((head * 0x9E3779B97F4A7C15ull) >> 58);
        if (seen & bit)
            for (size_t i = 0; i < natt; i++)
                if (att[i].n == len && att[i].head == head &&
                    (len <= 8 || memcmp(att[i].s + 8, name + 8, len - 8) == 0))
                    return 0;
        seen |= bit;
        att[natt].s = name;
        att[natt].n = len;
        att[natt++].head = head;
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        if (*p++ != '=')
            return 0;
        while (xlsx_xml_cls[*p] & XLSX_K_WS)
            p++;
        unsigned char q = *p++;
        if (q != '"' && q != '\'')
            return 0;
        for (;;) {
            p = xlsx_xml_run_end(p, e, XLSX_K_AVAL);
            if (*p == q)
                break;
            if (*p == '"' || *p == '\'' || *p == '\t' || *p == '\n' ||
                (*p == '\r' && p + 1 < e))
                p++;
            else if (!skim_special(&p, e))
                return 0;
        }
        p++;
    }
}

/* The rest of the buffer, when no handler is left to call (the part's
 * handlers have what they need and muted the reader: a sheet after its
 * rows, where a returned template keeps its data validations) and the
 * bytes are the last: checked for what the reader would find wrong, in
 * one pass without its tokens (no names or values copied, no attribute
 * arrays), and taken as read when it finds nothing. It reads elements,
 * attributes, text, references and UTF-8 to the end of the open elements
 * and whitespace after them; it declines anything else (a comment, a PI,
 * CDATA, a name past ASCII, more than SKIM_DEPTH elements open or
 * SKIM_ATTS attributes) and anything malformed, and then the reader reads
 * the same bytes as before and says what is wrong: so what it accepts the
 * reader accepts, and nothing it reads is reported. 1 when it read to the
 * end (the reader is then done), 0 when it declined (nothing changed).
 * Why: the 70 KB of data validations after the rows of a returned
 * template took the reader a fifth of the template's read
 * (tests/bench/bench_xlsx.c has the figures). */
static int skim(struct xlsx_xml *x)
{
    const unsigned char *p = x->buf + x->pos, *e = x->buf + x->end;
    struct skim_name open[SKIM_DEPTH];
    size_t depth = 0, closed = 0;   /* opened here; of the reader's, closed */
    while (closed < x->depth) {
        p = xlsx_xml_run_end(p, e, XLSX_K_TEXT);
        if (*p != '<') {
            if (*p == ']' && !(p[1] == ']' && p[2] == '>'))
                p++;
            else if (*p == '\r' && p < e)
                p++;
            else if (!skim_special(&p, e))
                return 0;
            continue;
        }
        if (p[1] == '/') {   /* an end tag: the innermost open element's */
            const unsigned char *name = p += 2;
            size_t len = skim_name(&p), want;
            const char *wname;
            if (!len)
                return 0;
            while (xlsx_xml_cls[*p] & XLSX_K_WS)
                p++;
            if (*p++ != '>')
                return 0;
            if (depth) {
                depth--;
                wname = (const char *)open[depth].s;
                want = open[depth].n;
            } else {
                size_t k = x->depth - 1 - closed++;
                wname = x->names + x->open[k];
                want = (k + 1 < x->depth ? x->open[k + 1] : x->nlen) - x->open[k] - 1;
            }
            if (want != len || memcmp(wname, name, len) != 0)
                return 0;
            continue;
        }
        const unsigned char *name = ++p;
        size_t len = skim_name(&p);
        int empty;
        if (!len || !skim_attributes(&p, e, &empty))
            return 0;
        if (!empty) {
            if (depth == SKIM_DEPTH)
                return 0;
            open[depth].s = name;
            open[depth++].n = len;
        }
    }
    while (xlsx_xml_cls[*p] & XLSX_K_WS)
        p++;
    if (p != e)
        return 0;
    x->pos = x->end;
    x->depth = x->nlen = 0;
    x->state = ST_EPILOG;
    x->skimmed = 1;
    return 1;
}

/* skim() when it may read the rest (on, and inside the root element): 1
 * when it did. */
static int skim_rest(struct xlsx_xml *x)
{
    return !x->no_skim && x->state == ST_CONTENT && x->depth > 0 && skim(x);
}

void xlsx_xml_set_skim(struct xlsx_xml *x, int on)
{
    x->no_skim = !on;
}

int xlsx_xml_skimmed(const struct xlsx_xml *x)
{
    return x->skimmed;
}

int xlsx_xml_parse(struct xlsx_xml *x, size_t n, int final)
{
    if (x->err)
        return -1;
    if (x->stopped)
        return 1;
    if ((!x->buf || x->kept) && !xlsx_xml_buffer(x, 0)) {
        x->err = XLSX_XML_NOMEM;
        return -1;
    }
    x->end += n;
    memset(x->buf + x->end, 0, 1 + XLSX_XML_PAD);
    if (!final && x->end - x->pos < x->need)
        return 0;
    x->need = 0;
    x->muted = 0;
    if (final && !x->h.start && !x->h.end && !x->h.text && skim_rest(x))
        return 0;
    return scan_windows(x, final);
}

/* ---- name characters ---------------------------------------------------- */

/* Name characters past ASCII, as XML 1.0 (fourth edition, Appendix B)
 * lists them and expat's tables hold them: ranges of code points, sorted;
 * name_more holds the name characters, starts included. */
static const unsigned name_start[][2] = {
    {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x131}, {0x134, 0x13E}, {0x141, 0x148}, {0x14A, 0x17E},
    {0x180, 0x1C3}, {0x1CD, 0x1F0}, {0x1F4, 0x1F5}, {0x1FA, 0x217}, {0x250, 0x2A8},
    {0x2BB, 0x2C1}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1},
    {0x3A3, 0x3CE}, {0x3D0, 0x3D6}, {0x3DA, 0x3DA}, {0x3DC, 0x3DC}, {0x3DE, 0x3DE},
    {0x3E0, 0x3E0}, {0x3E2, 0x3F3}, {0x401, 0x40C}, {0x40E, 0x44F}, {0x451, 0x45C},
    {0x45E, 0x481}, {0x490, 0x4C4}, {0x4C7, 0x4C8}, {0x4CB, 0x4CC}, {0x4D0, 0x4EB},
    {0x4EE, 0x4F5}, {0x4F8, 0x4F9}, {0x531, 0x556}, {0x559, 0x559}, {0x561, 0x586},
    {0x5D0, 0x5EA}, {0x5F0, 0x5F2}, {0x621, 0x63A}, {0x641, 0x64A}, {0x671, 0x6B7},
    {0x6BA, 0x6BE}, {0x6C0, 0x6CE}, {0x6D0, 0x6D3}, {0x6D5, 0x6D5}, {0x6E5, 0x6E6},
    {0x905, 0x939}, {0x93D, 0x93D}, {0x958, 0x961}, {0x985, 0x98C}, {0x98F, 0x990},
    {0x993, 0x9A8}, {0x9AA, 0x9B0}, {0x9B2, 0x9B2}, {0x9B6, 0x9B9}, {0x9DC, 0x9DD},
    {0x9DF, 0x9E1}, {0x9F0, 0x9F1}, {0xA05, 0xA0A}, {0xA0F, 0xA10}, {0xA13, 0xA28},
    {0xA2A, 0xA30}, {0xA32, 0xA33}, {0xA35, 0xA36}, {0xA38, 0xA39}, {0xA59, 0xA5C},
    {0xA5E, 0xA5E}, {0xA72, 0xA74}, {0xA85, 0xA8B}, {0xA8D, 0xA8D}, {0xA8F, 0xA91},
    {0xA93, 0xAA8}, {0xAAA, 0xAB0}, {0xAB2, 0xAB3}, {0xAB5, 0xAB9}, {0xABD, 0xABD},
    {0xAE0, 0xAE0}, {0xB05, 0xB0C}, {0xB0F, 0xB10}, {0xB13, 0xB28}, {0xB2A, 0xB30},
    {0xB32, 0xB33}, {0xB36, 0xB39}, {0xB3D, 0xB3D}, {0xB5C, 0xB5D}, {0xB5F, 0xB61},
    {0xB85, 0xB8A}, {0xB8E, 0xB90}, {0xB92, 0xB95}, {0xB99, 0xB9A}, {0xB9C, 0xB9C},
    {0xB9E, 0xB9F}, {0xBA3, 0xBA4}, {0xBA8, 0xBAA}, {0xBAE, 0xBB5}, {0xBB7, 0xBB9},
    {0xC05, 0xC0C}, {0xC0E, 0xC10}, {0xC12, 0xC28}, {0xC2A, 0xC33}, {0xC35, 0xC39},
    {0xC60, 0xC61}, {0xC85, 0xC8C}, {0xC8E, 0xC90}, {0xC92, 0xCA8}, {0xCAA, 0xCB3},
    {0xCB5, 0xCB9}, {0xCDE, 0xCDE}, {0xCE0, 0xCE1}, {0xD05, 0xD0C}, {0xD0E, 0xD10},
    {0xD12, 0xD28}, {0xD2A, 0xD39}, {0xD60, 0xD61}, {0xE01, 0xE2E}, {0xE30, 0xE30},
    {0xE32, 0xE33}, {0xE40, 0xE45}, {0xE81, 0xE82}, {0xE84, 0xE84}, {0xE87, 0xE88},
    {0xE8A, 0xE8A}, {0xE8D, 0xE8D}, {0xE94, 0xE97}, {0xE99, 0xE9F}, {0xEA1, 0xEA3},
    {0xEA5, 0xEA5}, {0xEA7, 0xEA7}, {0xEAA, 0xEAB}, {0xEAD, 0xEAE}, {0xEB0, 0xEB0},
    {0xEB2, 0xEB3}, {0xEBD, 0xEBD}, {0xEC0, 0xEC4}, {0xF40, 0xF47}, {0xF49, 0xF69},
    {0x10A0, 0x10C5}, {0x10D0, 0x10F6}, {0x1100, 0x1100}, {0x1102, 0x1103}, {0x1105, 0x1107},
    {0x1109, 0x1109}, {0x110B, 0x110C}, {0x110E, 0x1112}, {0x113C, 0x113C}, {0x113E, 0x113E},
    {0x1140, 0x1140}, {0x114C, 0x114C}, {0x114E, 0x114E}, {0x1150, 0x1150}, {0x1154, 0x1155},
    {0x1159, 0x1159}, {0x115F, 0x1161}, {0x1163, 0x1163}, {0x1165, 0x1165}, {0x1167, 0x1167},
    {0x1169, 0x1169}, {0x116D, 0x116E}, {0x1172, 0x1173}, {0x1175, 0x1175}, {0x119E, 0x119E},
    {0x11A8, 0x11A8}, {0x11AB, 0x11AB}, {0x11AE, 0x11AF}, {0x11B7, 0x11B8}, {0x11BA, 0x11BA},
    {0x11BC, 0x11C2}, {0x11EB, 0x11EB}, {0x11F0, 0x11F0}, {0x11F9, 0x11F9}, {0x1E00, 0x1E9B},
    {0x1EA0, 0x1EF9}, {0x1F00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D},
    {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D},
    {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC},
    {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC},
    {0x2126, 0x2126}, {0x212A, 0x212B}, {0x212E, 0x212E}, {0x2180, 0x2182}, {0x3007, 0x3007},
    {0x3021, 0x3029}, {0x3041, 0x3094}, {0x30A1, 0x30FA}, {0x3105, 0x312C}, {0x4E00, 0x9FA5},
    {0xAC00, 0xD7A3},
};
static const unsigned name_more[][2] = {
    {0xB7, 0xB7}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x131}, {0x134, 0x13E}, {0x141, 0x148},
    {0x14A, 0x17E}, {0x180, 0x1C3}, {0x1CD, 0x1F0}, {0x1F4, 0x1F5}, {0x1FA, 0x217},
    {0x250, 0x2A8}, {0x2BB, 0x2C1}, {0x2D0, 0x2D1}, {0x300, 0x345}, {0x360, 0x361},
    {0x386, 0x38A}, {0x38C, 0x38C}, {0x38E, 0x3A1}, {0x3A3, 0x3CE}, {0x3D0, 0x3D6},
    {0x3DA, 0x3DA}, {0x3DC, 0x3DC}, {0x3DE, 0x3DE}, {0x3E0, 0x3E0}, {0x3E2, 0x3F3},
    {0x401, 0x40C}, {0x40E, 0x44F}, {0x451, 0x45C}, {0x45E, 0x481}, {0x483, 0x486},
    {0x490, 0x4C4}, {0x4C7, 0x4C8}, {0x4CB, 0x4CC}, {0x4D0, 0x4EB}, {0x4EE, 0x4F5},
    {0x4F8, 0x4F9}, {0x531, 0x556}, {0x559, 0x559}, {0x561, 0x586}, {0x591, 0x5A1},
    {0x5A3, 0x5B9}, {0x5BB, 0x5BD}, {0x5BF, 0x5BF}, {0x5C1, 0x5C2}, {0x5C4, 0x5C4},
    {0x5D0, 0x5EA}, {0x5F0, 0x5F2}, {0x621, 0x63A}, {0x640, 0x652}, {0x660, 0x669},
    {0x670, 0x6B7}, {0x6BA, 0x6BE}, {0x6C0, 0x6CE}, {0x6D0, 0x6D3}, {0x6D5, 0x6E8},
    {0x6EA, 0x6ED}, {0x6F0, 0x6F9}, {0x901, 0x903}, {0x905, 0x939}, {0x93C, 0x94D},
    {0x951, 0x954}, {0x958, 0x963}, {0x966, 0x96F}, {0x981, 0x983}, {0x985, 0x98C},
    {0x98F, 0x990}, {0x993, 0x9A8}, {0x9AA, 0x9B0}, {0x9B2, 0x9B2}, {0x9B6, 0x9B9},
    {0x9BC, 0x9BC}, {0x9BE, 0x9C4}, {0x9C7, 0x9C8}, {0x9CB, 0x9CD}, {0x9D7, 0x9D7},
    {0x9DC, 0x9DD}, {0x9DF, 0x9E3}, {0x9E6, 0x9F1}, {0xA02, 0xA02}, {0xA05, 0xA0A},
    {0xA0F, 0xA10}, {0xA13, 0xA28}, {0xA2A, 0xA30}, {0xA32, 0xA33}, {0xA35, 0xA36},
    {0xA38, 0xA39}, {0xA3C, 0xA3C}, {0xA3E, 0xA42}, {0xA47, 0xA48}, {0xA4B, 0xA4D},
    {0xA59, 0xA5C}, {0xA5E, 0xA5E}, {0xA66, 0xA74}, {0xA81, 0xA83}, {0xA85, 0xA8B},
    {0xA8D, 0xA8D}, {0xA8F, 0xA91}, {0xA93, 0xAA8}, {0xAAA, 0xAB0}, {0xAB2, 0xAB3},
    {0xAB5, 0xAB9}, {0xABC, 0xAC5}, {0xAC7, 0xAC9}, {0xACB, 0xACD}, {0xAE0, 0xAE0},
    {0xAE6, 0xAEF}, {0xB01, 0xB03}, {0xB05, 0xB0C}, {0xB0F, 0xB10}, {0xB13, 0xB28},
    {0xB2A, 0xB30}, {0xB32, 0xB33}, {0xB36, 0xB39}, {0xB3C, 0xB43}, {0xB47, 0xB48},
    {0xB4B, 0xB4D}, {0xB56, 0xB57}, {0xB5C, 0xB5D}, {0xB5F, 0xB61}, {0xB66, 0xB6F},
    {0xB82, 0xB83}, {0xB85, 0xB8A}, {0xB8E, 0xB90}, {0xB92, 0xB95}, {0xB99, 0xB9A},
    {0xB9C, 0xB9C}, {0xB9E, 0xB9F}, {0xBA3, 0xBA4}, {0xBA8, 0xBAA}, {0xBAE, 0xBB5},
    {0xBB7, 0xBB9}, {0xBBE, 0xBC2}, {0xBC6, 0xBC8}, {0xBCA, 0xBCD}, {0xBD7, 0xBD7},
    {0xBE7, 0xBEF}, {0xC01, 0xC03}, {0xC05, 0xC0C}, {0xC0E, 0xC10}, {0xC12, 0xC28},
    {0xC2A, 0xC33}, {0xC35, 0xC39}, {0xC3E, 0xC44}, {0xC46, 0xC48}, {0xC4A, 0xC4D},
    {0xC55, 0xC56}, {0xC60, 0xC61}, {0xC66, 0xC6F}, {0xC82, 0xC83}, {0xC85, 0xC8C},
    {0xC8E, 0xC90}, {0xC92, 0xCA8}, {0xCAA, 0xCB3}, {0xCB5, 0xCB9}, {0xCBE, 0xCC4},
    {0xCC6, 0xCC8}, {0xCCA, 0xCCD}, {0xCD5, 0xCD6}, {0xCDE, 0xCDE}, {0xCE0, 0xCE1},
    {0xCE6, 0xCEF}, {0xD02, 0xD03}, {0xD05, 0xD0C}, {0xD0E, 0xD10}, {0xD12, 0xD28},
    {0xD2A, 0xD39}, {0xD3E, 0xD43}, {0xD46, 0xD48}, {0xD4A, 0xD4D}, {0xD57, 0xD57},
    {0xD60, 0xD61}, {0xD66, 0xD6F}, {0xE01, 0xE2E}, {0xE30, 0xE3A}, {0xE40, 0xE4E},
    {0xE50, 0xE59}, {0xE81, 0xE82}, {0xE84, 0xE84}, {0xE87, 0xE88}, {0xE8A, 0xE8A},
    {0xE8D, 0xE8D}, {0xE94, 0xE97}, {0xE99, 0xE9F}, {0xEA1, 0xEA3}, {0xEA5, 0xEA5},
    {0xEA7, 0xEA7}, {0xEAA, 0xEAB}, {0xEAD, 0xEAE}, {0xEB0, 0xEB9}, {0xEBB, 0xEBD},
    {0xEC0, 0xEC4}, {0xEC6, 0xEC6}, {0xEC8, 0xECD}, {0xED0, 0xED9}, {0xF18, 0xF19},
    {0xF20, 0xF29}, {0xF35, 0xF35}, {0xF37, 0xF37}, {0xF39, 0xF39}, {0xF3E, 0xF47},
    {0xF49, 0xF69}, {0xF71, 0xF84}, {0xF86, 0xF8B}, {0xF90, 0xF95}, {0xF97, 0xF97},
    {0xF99, 0xFAD}, {0xFB1, 0xFB7}, {0xFB9, 0xFB9}, {0x10A0, 0x10C5}, {0x10D0, 0x10F6},
    {0x1100, 0x1100}, {0x1102, 0x1103}, {0x1105, 0x1107}, {0x1109, 0x1109}, {0x110B, 0x110C},
    {0x110E, 0x1112}, {0x113C, 0x113C}, {0x113E, 0x113E}, {0x1140, 0x1140}, {0x114C, 0x114C},
    {0x114E, 0x114E}, {0x1150, 0x1150}, {0x1154, 0x1155}, {0x1159, 0x1159}, {0x115F, 0x1161},
    {0x1163, 0x1163}, {0x1165, 0x1165}, {0x1167, 0x1167}, {0x1169, 0x1169}, {0x116D, 0x116E},
    {0x1172, 0x1173}, {0x1175, 0x1175}, {0x119E, 0x119E}, {0x11A8, 0x11A8}, {0x11AB, 0x11AB},
    {0x11AE, 0x11AF}, {0x11B7, 0x11B8}, {0x11BA, 0x11BA}, {0x11BC, 0x11C2}, {0x11EB, 0x11EB},
    {0x11F0, 0x11F0}, {0x11F9, 0x11F9}, {0x1E00, 0x1E9B}, {0x1EA0, 0x1EF9}, {0x1F00, 0x1F15},
    {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
    {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC},
    {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB},
    {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC}, {0x20D0, 0x20DC}, {0x20E1, 0x20E1},
    {0x2126, 0x2126}, {0x212A, 0x212B}, {0x212E, 0x212E}, {0x2180, 0x2182}, {0x3005, 0x3005},
    {0x3007, 0x3007}, {0x3021, 0x302F}, {0x3031, 0x3035}, {0x3041, 0x3094}, {0x3099, 0x309A},
    {0x309D, 0x309E}, {0x30A1, 0x30FA}, {0x30FC, 0x30FE}, {0x3105, 0x312C}, {0x4E00, 0x9FA5},
    {0xAC00, 0xD7A3},
};

static int in_ranges(const unsigned (*r)[2], size_t n, unsigned cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static int name_start_cp(unsigned cp)
{
    return in_ranges(name_start, sizeof name_start / sizeof name_start[0], cp);
}

static int name_cp(unsigned cp)
{
    return in_ranges(name_more, sizeof name_more / sizeof name_more[0], cp);
}
