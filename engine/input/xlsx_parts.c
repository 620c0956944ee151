/* xlsx_parts.c: the small parts of a workbook that say where its cells are
 * and how to read them: the package's relationships (which part is the
 * workbook), the workbook (its sheets in tab order, the 1904 date system),
 * the workbook's relationships (each sheet's part, the shared strings and
 * styles parts), the shared strings and the styles (only which cell styles
 * show a date).
 *
 * Element and attribute names are matched by their local name, whatever
 * prefix or namespace a writer used (transitional and strict OOXML alike).
 *
 * The shared strings, when their part is inflated whole, go from right
 * after the <sst> tag to the scanner of xlsx_scan.c, which reads the
 * shapes writers use through the same text and push functions below; on
 * anything else it declines, the strings kept so far and this parse are
 * put back (sst_rest), and the reader reads them with its messages.
 *
 * Invariants: every part name kept is resolved against the folder of the
 * part that named it and normalised ("xl/worksheets/sheet1.xml"); the
 * shared strings live in b->text, each NUL-terminated and at most
 * lim.max_cell bytes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "xlsx_int.h"

/* ---- part names --------------------------------------------------------- */

/* target resolved against the folder of part from ("xl/workbook.xml" ->
 * "xl/"), "." and ".." segments removed. NULL on ENOMEM. */
static char *resolve(const char *from, const char *target)
{
    size_t dl = 0;
    if (target[0] == '/')
        target++;
    else if (strrchr(from, '/'))
        dl = (size_t)(strrchr(from, '/') - from) + 1;
    size_t tl = strlen(target);
    char *p = malloc(dl + tl + 1);
    if (!p)
        return NULL;
    memcpy(p, from, dl);
    memcpy(p + dl, target, tl + 1);
    /* normalise in place, segment by segment */
    size_t w = 0;
    for (char *seg = p, *next; seg; seg = next) {
        next = strchr(seg, '/');
        size_t n = next ? (size_t)(next - seg) : strlen(seg);
        if (next)
            next++;
        if (n == 0 || (n == 1 && seg[0] == '.'))
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (w > 0 && p[w - 1] != '/')
                w--;
            if (w > 0)
                w--;
            while (w > 0 && p[w - 1] != '/')
                w--;
            continue;
        }
        memmove(p + w, seg, n);
        w += n;
        if (next)
            p[w++] = '/';
    }
    p[w] = '\0';
    return p;
}

/* The relationships part of part: "xl/workbook.xml" ->
 * "xl/_rels/workbook.xml.rels". NULL on ENOMEM. */
static char *rels_of(const char *part)
{
    const char *slash = strrchr(part, '/');
    size_t dl = slash ? (size_t)(slash - part) + 1 : 0;
    size_t n = strlen(part) + 12;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%.*s_rels/%s.rels", (int)dl, part, part + dl);
    return r;
}

/* 1 when a relationship type URI ends in "/" + kind. */
static int rel_is(const char *type, const char *kind)
{
    const char *s = strrchr(type, '/');
    return s && strcmp(s + 1, kind) == 0;
}

static int nomem(struct xlsx_book *b)
{
    xlsx_error(b, NULL, LCME_ENOMEM, "out of memory");
    return -1;
}

/* ---- relationships ------------------------------------------------------ */

struct rels_parse {
    struct xlsx_pctx x;
    const char *from;          /* the part the relationships belong to */
    int package;               /* _rels/.rels: look for the workbook */
    int oom;
};

/* Keep what one relationship of the package or the workbook says. */
static void rels_start(void *ud, const char *name, const char **atts)
{
    struct rels_parse *p = ud;
    struct xlsx_book *b = p->x.b;
    if (p->x.stopped || strcmp(xlsx_local(name), "Relationship") != 0)
        return;
    const char *id = xlsx_attr(atts, "Id"), *type = xlsx_attr(atts, "Type");
    const char *target = xlsx_attr(atts, "Target"), *mode = xlsx_attr(atts, "TargetMode");
    if (!id || !type || !target || (mode && strcmp(mode, "External") == 0))
        return;
    char **slot = NULL;
    if (p->package && rel_is(type, "officeDocument") && !b->wb_part)
        slot = &b->wb_part;
    else if (!p->package && rel_is(type, "sharedStrings") && !b->sst_part)
        slot = &b->sst_part;
    else if (!p->package && rel_is(type, "styles") && !b->styles_part)
        slot = &b->styles_part;
    for (size_t i = 0; !p->package && i < b->nsheet; i++)
        if (!b->sheet[i].part && strcmp(b->sheet[i].rid, id) == 0) {
            slot = &b->sheet[i].part;
            b->sheet[i].chart = rel_is(type, "chartsheet");
        }
    if (slot && !(*slot = resolve(p->from, target))) {
        p->oom = 1;
        xlsx_stop(&p->x);
    }
}

/* Parse the relationships of part from. 0; 1 when there are none; -1
 * after reporting. */
static int read_rels(struct xlsx_book *b, const char *from, int package)
{
    char *rels = package ? strdup("_rels/.rels") : rels_of(from);
    struct rels_parse p = {.x.memo = 1, .from = from, .package = package};
    if (!rels)
        return nomem(b);
    const struct xlsx_handlers h = {rels_start, NULL, NULL};
    int rc = xlsx_parse_part(&p.x, b, NULL, rels, b->lim.max_small, &h);
    free(rels);
    return p.oom ? nomem(b) : rc;
}

/* ---- the workbook ------------------------------------------------------- */

struct wb_parse {
    struct xlsx_pctx x;
    int oom;
};

static void wb_start(void *ud, const char *name, const char **atts)
{
    struct wb_parse *p = ud;
    struct xlsx_book *b = p->x.b;
    const char *n = xlsx_local(name);
    if (p->x.stopped)
        return;
    if (strcmp(n, "workbookPr") == 0) {
        const char *v = xlsx_attr(atts, "date1904");
        b->date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
        return;
    }
    if (strcmp(n, "sheet") != 0)
        return;
    const char *sname = xlsx_attr(atts, "name"), *rid = xlsx_attr(atts, "id");
    if (!sname || !rid)
        return;
    if (array_grow((void **)&b->sheet, &b->asheet, b->nsheet + 1, sizeof *b->sheet) != 0)
        goto oom;
    struct xlsx_sheetref *s = &b->sheet[b->nsheet];
    memset(s, 0, sizeof *s);
    s->name = strdup(sname);
    s->rid = strdup(rid);
    b->nsheet++;
    if (s->name && s->rid)
        return;
oom:
    p->oom = 1;
    xlsx_stop(&p->x);
}

int xlsx_read_workbook(struct xlsx_book *b)
{
    int rc = read_rels(b, "", 1);
    if (rc < 0)
        return -1;
    if (rc > 0 && !(b->wb_part = strdup("xl/workbook.xml")))   /* no package rels */
        return nomem(b);
    if (!b->wb_part) {
        xlsx_error(b, NULL, LCME_EINPUT, "not an xlsx workbook: the package names no "
                   "workbook (no officeDocument in _rels/.rels)");
        return -1;
    }
    struct wb_parse p = {.x.memo = 1, .oom = 0};
    const struct xlsx_handlers h = {wb_start, NULL, NULL};
    rc = xlsx_parse_part(&p.x, b, NULL, b->wb_part, b->lim.max_small, &h);
    if (p.oom)
        return nomem(b);
    if (rc > 0)
        xlsx_error(b, NULL, LCME_EINPUT, "not an xlsx workbook: the package has no workbook "
                   "(its part '%s' is missing)", b->wb_part);
    if (rc != 0)
        return -1;
    if (b->nsheet == 0) {
        xlsx_error(b, NULL, LCME_EINPUT, "the workbook has no sheet");
        return -1;
    }
    return read_rels(b, b->wb_part, 0) < 0 ? -1 : 0;
}

/* ---- shared strings ----------------------------------------------------- */

static int sst_rest(struct xlsx_pctx *ctx, const char *s, size_t n, size_t *used);


static void sst_start(void *ud, const char *name, const char **atts)
{
    (void)atts;
    struct xlsx_sst *p = ud;
    const char *n = xlsx_local(name);
    int root = !p->seen;
    p->seen = 1;
    if (strcmp(n, "si") == 0) {
        p->len = 0;
        p->in_t = p->rph = 0;
    }
    else if (strcmp(n, "rPh") == 0)
        p->rph++;
    else if (strcmp(n, "t") == 0 && !p->rph)
        p->in_t = 1;
    else if (root && p->x.b->scan & XLSX_SCAN_SST && strcmp(n, "sst") == 0 &&
             strlen(name) < sizeof p->root_name) {   /* the strings, the short way */
        memcpy(p->root_name, name, strlen(name) + 1);
        xlsx_handoff(&p->x, sst_rest);
    }
}

/* Report a problem of the shared strings, or, while the scanner reads
 * them, only note it: the reader reads them again and reports it. */
static void sst_fail(struct xlsx_sst *p, int oom, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sst_fail(struct xlsx_sst *p, int oom, const char *fmt, ...)
{
    va_list ap;
    if (p->scanning) {
        p->declined = 1;
        return;
    }
    if (oom) {
        nomem(p->x.b);
    } else {
        va_start(ap, fmt);
        diag_vadd(p->x.b->d, LCME_ELIMIT, p->x.b->file, 0, 0, fmt, ap);
        va_end(ap);
    }
    xlsx_stop(&p->x);
}

void xlsx_sst_text(void *ud, const char *s, int len)
{
    struct xlsx_sst *p = ud;
    struct xlsx_book *b = p->x.b;
    if (!p->in_t || p->x.stopped)
        return;
    if (p->len + (size_t)len > b->lim.max_cell) {
        sst_fail(p, 0, "shared string %zu is longer than the %zu bytes a cell may hold",
                 b->nsst + 1, b->lim.max_cell);
        return;
    }
    if (array_grow((void **)&p->buf, &p->alloc, p->len + (size_t)len + 1, 1) != 0) {
        sst_fail(p, 1, "%s", "out of memory");
        return;
    }
    memcpy(p->buf + p->len, s, (size_t)len);
    p->len += (size_t)len;
}

/* Keep s[0..n) as the next shared string (its text as the handlers leave
 * it: references replaced, _xHHHH_ escapes undone). */
static void sst_keep(struct xlsx_sst *p, const char *s, size_t n)
{
    struct xlsx_book *b = p->x.b;
    char *k;
    if (b->text.total + n + 1 > b->lim.max_text) {
        sst_fail(p, 0, "the shared strings hold more than the %zu MiB of text a workbook may",
                 b->lim.max_text >> 20);
        return;
    }
    if (b->nsst == b->asst) {
        size_t cap = b->asst;
        if (array_grow((void **)&b->sst, &b->asst, b->nsst + 1, sizeof *b->sst) != 0 ||
            array_grow((void **)&b->sst_len, &cap, b->nsst + 1, sizeof *b->sst_len) != 0) {
            sst_fail(p, 1, "%s", "out of memory");
            return;
        }
    }
    if (!(k = xlsx_text_put(&b->text, s, n))) {
        sst_fail(p, 1, "%s", "out of memory");
        return;
    }
    b->sst[b->nsst] = k;
    b->sst_len[b->nsst++] = n;
}

void xlsx_sst_push(struct xlsx_sst *p)
{
    if (p->buf)
        xlsx_unescape(p->buf, &p->len);
    sst_keep(p, p->buf ? p->buf : "", p->len);
}

void xlsx_sst_string(struct xlsx_sst *p, const char *s, size_t n)
{
    if (n > p->x.b->lim.max_cell || xlsx_maybe_escape(s, n)) {   /* as the handlers take it */
        p->len = 0;
        p->in_t = 1;
        if (n)
            xlsx_sst_text(p, s, (int)n);
        p->in_t = p->rph = 0;
        if (!p->x.stopped && !p->declined)
            xlsx_sst_push(p);
        return;
    }
    sst_keep(p, s, n);
}

static void sst_end(void *ud, const char *name)
{
    struct xlsx_sst *p = ud;
    const char *n = xlsx_local(name);
    if (p->x.stopped)
        return;
    if (strcmp(n, "t") == 0)
        p->in_t = 0;
    else if (strcmp(n, "rPh") == 0 && p->rph)
        p->rph--;
    else if (strcmp(n, "si") == 0)
        xlsx_sst_push(p);
}

/* The strings after the <sst> tag to the scanner (xlsx_handoff): 0 when it
 * read them, to </sst> (*used bytes); 1 when it declined, with the strings
 * kept and the parse as they were, for the reader to read them again. */
static int sst_rest(struct xlsx_pctx *ctx, const char *s, size_t n, size_t *used)
{
    struct xlsx_sst *p = (struct xlsx_sst *)ctx;   /* ctx is its first member */
    struct xlsx_book *b = p->x.b;
    struct xlsx_sst saved = *p;
    size_t nsst = b->nsst;
    struct xlsx_text_mark m = xlsx_text_tell(&b->text);
    p->scanning = 1;
    int r = xlsx_scan_strings(p, s, n, used);
    p->scanning = 0;
    if (r == 0) {
        b->sst_scanned = 1;
        return 0;
    }
    saved.buf = p->buf;   /* the string buffer may have moved */
    saved.alloc = p->alloc;
    *p = saved;
    b->nsst = nsst;
    xlsx_text_rewind(&b->text, m);
    return 1;
}

int xlsx_read_strings(struct xlsx_book *b)
{
    if (!b->sst_part)
        return 0;
    struct xlsx_sst p;
    memset(&p, 0, sizeof p);
    const struct xlsx_handlers h = {sst_start, sst_end, xlsx_sst_text};
    int rc = xlsx_parse_part(&p.x, b, NULL, b->sst_part, b->lim.max_part, &h);
    free(p.buf);
    return rc < 0 ? -1 : 0;   /* a missing part: no shared strings */
}

/* ---- styles: which cell formats are dates ------------------------------- */

/* Excel's built-in number formats that show a date or a time. */
static int builtin_date(long id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* 1 when a format code shows a date or time: a d, m, y, h or s outside
 * quoted text, escapes and [colour] or [$-locale] brackets ([h] elapsed
 * hours count). */
static int code_is_date(const char *s)
{
    for (; *s; s++) {
        if (*s == '"') {
            while (s[1] && s[1] != '"')
                s++;
            if (s[1])
                s++;
        } else if (*s == '\\' || *s == '_' || *s == '*') {
            if (s[1])
                s++;
        } else if (*s == '[') {
            if (strchr("hHmMsS", s[1]) && s[1])
                return 1;
            while (s[1] && s[1] != ']')
                s++;
        } else if (strchr("dDmMyYhHsS", *s)) {
            return 1;
        }
    }
    return 0;
}

struct styles_parse {
    struct xlsx_pctx x;
    int in_xfs;                /* inside <cellXfs> */
    size_t ncustom, acustom;
    long *custom;              /* custom format ids that show dates */
    size_t axf;
    int oom;
};

static void styles_start(void *ud, const char *name, const char **atts)
{
    struct styles_parse *p = ud;
    struct xlsx_book *b = p->x.b;
    const char *n = xlsx_local(name);
    if (p->x.stopped)
        return;
    if (strcmp(n, "cellXfs") == 0) {
        p->in_xfs = 1;
    } else if (strcmp(n, "numFmt") == 0) {
        const char *id = xlsx_attr(atts, "numFmtId"), *code = xlsx_attr(atts, "formatCode");
        if (!id || !code || !code_is_date(code))
            return;
        if (array_grow((void **)&p->custom, &p->acustom, p->ncustom + 1, sizeof *p->custom))
            goto oom;
        p->custom[p->ncustom++] = strtol(id, NULL, 10);
    } else if (strcmp(n, "xf") == 0 && p->in_xfs) {
        const char *v = xlsx_attr(atts, "numFmtId");
        long id = v ? strtol(v, NULL, 10) : 0;
        int date = builtin_date(id);
        for (size_t i = 0; !date && i < p->ncustom; i++)
            date = p->custom[i] == id;
        if (array_grow((void **)&b->xf_date, &p->axf, b->nxf + 1, 1) != 0)
            goto oom;
        b->xf_date[b->nxf++] = (unsigned char)date;
    }
    return;
oom:
    p->oom = 1;
    xlsx_stop(&p->x);
}

/* After </cellXfs> nothing else is needed (a styleSheet has one, after
 * its numFmts): the rest (cell styles, dxfs, colours) is only checked,
 * without the reader's tokens. */
static void styles_end(void *ud, const char *name)
{
    struct styles_parse *p = ud;
    if (strcmp(xlsx_local(name), "cellXfs") == 0) {
        p->in_xfs = 0;
        xlsx_done(&p->x);
    }
}

int xlsx_read_styles(struct xlsx_book *b)
{
    if (!b->styles_part)
        return 0;
    struct styles_parse p;
    memset(&p, 0, sizeof p);
    p.x.memo = 1;
    const struct xlsx_handlers h = {styles_start, styles_end, NULL};
    int rc = xlsx_parse_part(&p.x, b, NULL, b->styles_part, b->lim.max_small, &h);
    free(p.custom);
    if (p.oom)
        return nomem(b);
    return rc < 0 ? -1 : 0;   /* a missing part: no dates */
}
