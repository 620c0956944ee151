/* xlsx_scan.c: the rows of a sheet, and the shared strings, read straight
 * from the inflated part, without the XML reader's tokens, for the shapes
 * that every program we know writes, and nothing else. The rows:
 *
 *   <row ...> <c r="G14" s="3" t="s"> <v>12</v> </c> ... </row>
 *             <c ...> <f ...>SUM(A1:A3)</f> <v>6</v> </c>     (or <f .../>)
 *             <c t="inlineStr"> <is> <t xml:space="preserve">a &amp; b</t> </is> </c>
 *             <c .../>   <v/>   <row .../>   </sheetData>
 *
 * with any prefix on the names (<x:c>), attributes in any order and either
 * quote, whitespace and text between the tags as XML allows. Whatever else
 * it meets (a comment, CDATA, a PI, rich text runs <r>, phonetic runs, any
 * other element, a reference or a control character in an attribute's
 * value, a name past ASCII, more than SCAN_MAX_ATTS attributes whose
 * names are longer than one letter), anything
 * malformed, and any cell or row with a problem, it declines: the sheet's
 * state is put back (xlsx_sheet.c) and the XML reader reads the rows as it
 * always did, with its messages. So what the scanner reads, it reads as
 * the reader and its handlers would (it calls the same handlers: row,
 * cell, text), and it reports nothing.
 *
 * Why: on the network-scale sheet of tests/bench/bench_xlsx.c (97 MB of
 * XML, 2.3 million cells) the reader's tokens (names copied, attributes
 * gathered into arrays, an element stack, a handler per tag) took about
 * half of the workbook's read time; bench_xlsx.c has the figures. A cell
 * of the common shape is read in one pass (scan_cell_fast): the general
 * path took about 830 instructions a cell of bench_xlsx.c's one return,
 * and the one pass took the sheet's scan there from 504 to 348 thousand
 * instructions, the network's whole read from 4.02 to 3.31 billion
 * (callgrind).
 *
 * The shared strings (xlsx_scan_strings):
 *
 *   <si><t>unit</t></si>   <si><r><rPr><b/><sz val="11"/></rPr><t>a</t></r>
 *   <r><t xml:space="preserve"> b</t></r><rPh sb="0" eb="1"><t>..</t></rPh>
 *   <phoneticPr fontId="1"/></si>   <si/>   </sst>
 *
 * with the same freedom of prefixes, quotes, whitespace and references,
 * and the same rule: anything else (a comment, CDATA, any other element,
 * an element inside <t>, a property of <rPr> that is not empty, a string
 * past a limit) declines, and the reader reads the strings again with its
 * messages (xlsx_parts.c). Through the reader they took 211 thousand
 * instructions of the one return's 1.75 million (124 strings); scanned,
 * with <si><t>plain</t></si> in one pass, about 100 thousand.
 *
 * Invariants: the bytes are only read, never changed (the reader may read
 * them again); s[n] is NUL, which no run of names, values or text passes,
 * so every loop stops at the end without a bounds test of its own, and a
 * look-ahead of two bytes past a byte before the end stays within s[n];
 * XLSX_XML_PAD zeros follow it (xlsx_xml.h), so a cell's tags are compared
 * eight bytes at a time (word8) even at the end.
 */
#include <stdint.h>
#include <string.h>

#include "xlsx_int.h"

#define SCAN_MAX_ATTS 16   /* attributes of names past one letter in a tag: more
                              (never seen) declines */
#define SCAN_VALUE 24      /* bytes of an r, t or s value kept: longer declines */

typedef const unsigned char *cursor;

struct scan_att {            /* what a start tag says */
    const char *want;        /* the one-letter local names of the attributes
                                wanted: "rts", "r", "" */
    int first;               /* the first of a name counts (else the last) */
    const char *got[3];      /* their values, NULL when absent */
    char val[3][SCAN_VALUE];
    int empty;               /* the tag ended in "/>" */
};

/* Ready a for a tag; its values are not zeroed (a cell's tag is read
 * millions of times, and zeroing them cost a tenth of the scan). */
static inline void att_init(struct scan_att *a, const char *want, int first)
{
    a->want = want;
    a->first = first;
}

static int is_ws(unsigned char c)
{
    return (xlsx_xml_cls[c] & XLSX_K_WS) != 0;
}

/* The name at *q (ASCII only), *q after it and *local at its part after
 * the last ':'. 0, or -1 (not a name start, or a name that may go on past
 * ASCII). */
static int scan_name(cursor *q, cursor *local)
{
    cursor p = *q, l = p;
    if (!(xlsx_xml_cls[*p] & XLSX_K_START))
        return -1;
    for (; xlsx_xml_cls[*p] & XLSX_K_NAME; p++)
        if (*p == ':')
            l = p + 1;
    if (*p >= 0x80)
        return -1;
    *local = l;
    *q = p;
    return 0;
}

/* The 8 bytes at p as one word (p may be up to XLSX_XML_PAD bytes before
 * the zeros after the part's NUL end: xlsx_xml.h). */
static inline uint64_t word8(cursor p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint32_t word4(cursor p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* 1 when the n bytes at p (1 to 16) are the first n of lit, a literal of
 * at least 16 bytes (zero-padded), compared eight at a time: p may be up
 * to XLSX_XML_PAD bytes before the zeros' end, as word8's. */
static inline int same16(cursor p, const char *lit, size_t n)
{
    const unsigned char *l = (const unsigned char *)lit;
    if (n <= 8)
        return xlsx_xml_head8(p, n) == xlsx_xml_head8(l, n);
    return word8(p) == word8(l) && word8(p + n - 8) == word8(l + n - 8);
}

/* 1 when n bytes at a and b are the same (names are short: no call). */
static inline int same(cursor a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != (unsigned char)b[i])
            return 0;
    return 1;
}

/* A plain attribute value at *q (its opening quote): *q after the closing
 * quote, *v and *n the bytes between. 0, or -1 (a reference, a control,
 * tab or line end, '<', a byte past ASCII, the end). */
static int scan_value(cursor *q, cursor *v, size_t *n)
{
    cursor p = *q;
    unsigned char quote = *p++;
    if (quote != '"' && quote != '\'')
        return -1;
    *v = p;
    for (;;) {
        while (!(xlsx_xml_cls[*p] & XLSX_K_AVAL))
            p++;
        if (*p == quote)
            break;
        if (*p != '"' && *p != '\'')
            return -1;
        p++;   /* the other quote */
    }
    *n = (size_t)(p - *v);
    *q = p + 1;
    return 0;
}

/* The attributes of the start tag at *q (right after its name) up to '>' or
 * "/>", *q after it; the wanted ones copied into a. 0, or -1. */
static int scan_attrs(cursor *q, struct scan_att *a)
{
    cursor p = *q, names[SCAN_MAX_ATTS];   /* the names of more than one letter */
    size_t lens[SCAN_MAX_ATTS], natt = 0;
    unsigned seen = 0;                      /* the one-letter names a-z met */
    a->got[0] = a->got[1] = a->got[2] = NULL;
    for (;;) {
        cursor w = p;
        while (is_ws(*p))
            p++;
        if (*p == '>' || (*p == '/' && p[1] == '>')) {
            a->empty = *p == '/';
            *q = p + 1 + a->empty;
            return 0;
        }
        cursor name = p, local = p, v;
        size_t vn, len = 1;
        if (p == w)
            return -1;
        if (*p >= 'a' && *p <= 'z' && p[1] < 0x80 && !(xlsx_xml_cls[p[1]] & XLSX_K_NAME)) {
            unsigned bit = 1u << (*p++ - 'a');   /* r, s, t: the short way */
            if (seen & bit)
                return -1;   /* no attribute twice */
            seen |= bit;
        } else {
            if (natt == SCAN_MAX_ATTS || scan_name(&p, &local) != 0)
                return -1;
            len = (size_t)(p - name);
            for (size_t i = 0; i < natt; i++)
                if (lens[i] == len && same(names[i], (const char *)name, len))
                    return -1;
            names[natt] = name;
            lens[natt++] = len;
        }
        while (is_ws(*p))
            p++;
        if (*p++ != '=')
            return -1;
        while (is_ws(*p))
            p++;
        if (scan_value(&p, &v, &vn) != 0)
            return -1;
        if (name + len - local != 1)
            continue;
        for (int i = 0; a->want[i]; i++) {
            if (*local != a->want[i] || (a->first && a->got[i]))
                continue;
            if (vn >= SCAN_VALUE)
                return -1;
            for (size_t k = 0; k < vn; k++)
                a->val[i][k] = (char)v[k];
            a->val[i][vn] = '\0';
            a->got[i] = a->val[i];
        }
    }
}

/* Where text goes: keep(ctx, s, len), the text handler of the sheet or of
 * the shared strings. */
typedef void (*scan_keep)(void *ctx, const char *s, int len);

/* The text at *q up to the next '<', *q at it; handed to keep(ctx, ...)
 * when keep is not NULL, as the reader hands it over (references replaced,
 * CR LF and CR as LF). 0, or -1 ("]]>", a control character, a malformed
 * reference or UTF-8, the end). */
static int scan_chars(cursor *q, cursor e, scan_keep keep, void *ctx)
{
    cursor p = *q, s = p;
    for (;;) {
        p = xlsx_xml_run_end(p, e, XLSX_K_TEXT);
        unsigned char c = *p;
        if (c == '<')
            break;
        if (c == ']') {
            if (p[1] == ']' && p[2] == '>')
                return -1;
            p++;
        } else if (c >= 0x80) {
            unsigned cp;
            int n = xlsx_xml_utf8(p, e, &cp);
            if (n <= 0)
                return -1;
            p += n;
        } else if (c == '\r' || c == '&') {
            char o[4];
            size_t n = 1, k = c == '\r' ? 1u + (p[1] == '\n') : xlsx_xml_ref(p, e, o, &n);
            if (!k)
                return -1;
            if (keep) {
                keep(ctx, (const char *)s, (int)(p - s));
                keep(ctx, c == '\r' ? "\n" : o, (int)n);
            }
            p += k;
            s = p;
        } else {
            return -1;   /* the end (NUL) or a control character */
        }
    }
    if (keep && p > s)
        keep(ctx, (const char *)s, (int)(p - s));
    *q = p;
    return 0;
}

/* scan_chars for the sheet: kept by its text handler when keep; -1 also
 * when the handler declined. */
static int scan_text(struct xlsx_sheet *sp, cursor *q, cursor e, int keep)
{
    if (scan_chars(q, e, keep ? xlsx_sheet_text : NULL, sp) != 0)
        return -1;
    return sp->declined ? -1 : 0;
}

/* The end tag at *q ("</") of the element named name[0..len), *q after it.
 * 0, or -1 (another name). */
static int scan_end(cursor *q, cursor name, size_t len)
{
    cursor p = *q + 2;
    if (!same(p, (const char *)name, len))   /* byte by byte: never past the NUL */
        return -1;
    p += len;
    if (xlsx_xml_cls[*p] & XLSX_K_NAME || *p >= 0x80)
        return -1;
    while (is_ws(*p))
        p++;
    if (*p != '>')
        return -1;
    *q = p + 1;
    return 0;
}

/* A start tag read: its name as written, its local part, its attributes. */
struct scan_tag {
    cursor name, local, end;   /* name[0..end), local in it */
    struct scan_att a;
};

/* The start tag at *q ('<' and a name start) into t, *q after it. 0, or
 * -1. */
static int scan_start(cursor *q, struct scan_tag *t)
{
    cursor p = *q + 1;
    t->name = p;
    if (scan_name(&p, &t->local) != 0)
        return -1;
    t->end = p;
    if (*p == '>') {   /* no attributes: <v>, <is>, <t> */
        t->a.empty = 0;
        t->a.got[0] = t->a.got[1] = t->a.got[2] = NULL;
        *q = p + 1;
        return 0;
    }
    if (scan_attrs(&p, &t->a) != 0)
        return -1;
    *q = p;
    return 0;
}

/* The next child of the element parent at *q, the text before it only
 * checked: 0 with its start tag in t (the attributes want wanted, the
 * first of a name or the last), *q after it; 1 at parent's end tag, *q
 * after it; -1 to decline. */
static int scan_child(cursor *q, cursor e, const struct scan_tag *parent, struct scan_tag *t,
                      const char *want, int first)
{
    if (**q != '<' && scan_chars(q, e, NULL, NULL) != 0)   /* tags mostly follow tags */
        return -1;
    if ((*q)[1] == '/')
        return scan_end(q, parent->name, (size_t)(parent->end - parent->name)) == 0 ? 1 : -1;
    att_init(&t->a, want, first);
    return scan_start(q, t);
}

/* The rest of an element that holds text only (kept when keep), at *q
 * after its start tag t, *q after its end tag. 0, or -1. */
static int scan_leaf(struct xlsx_sheet *sp, cursor *q, cursor e, const struct scan_tag *t,
                     int keep)
{
    cursor p = *q;
    if (!t->a.empty && (scan_text(sp, &p, e, keep) != 0 || p[1] != '/' ||
                        scan_end(&p, t->name, (size_t)(t->end - t->name)) != 0))
        return -1;
    *q = p;
    return 0;
}

/* The local name of t is w (a one-letter one compared without a call). */
static inline int named(const struct scan_tag *t, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(t->end - t->local) == n && (n == 1 ? *t->local == (unsigned char)*w
                                                        : same(t->local, w, n));
}

/* The <t> runs of <is> (its start tag is), at *q, to its end tag. */
static int scan_inline(struct xlsx_sheet *sp, cursor *q, cursor e, const struct scan_tag *is)
{
    struct scan_tag t;
    int r;
    while ((r = scan_child(q, e, is, &t, "", 0)) == 0) {
        if (!named(&t, "t"))
            return -1;
        sp->in_t = 1;
        r = scan_leaf(sp, q, e, &t, 1);
        sp->in_t = 0;
        if (r != 0)
            return -1;
    }
    return r > 0 ? 0 : -1;
}

/* What a cell (its start tag c) holds at *q, to its end tag: <v>, <f> and
 * <is> as the handlers take them (xlsx_sheet.c's sheet_start). */
static int scan_cell_body(struct xlsx_sheet *sp, cursor *q, cursor e, const struct scan_tag *c)
{
    struct scan_tag t;
    int r;
    while ((r = scan_child(q, e, c, &t, "", 0)) == 0) {
        if (named(&t, "v")) {
            sp->in_v = sp->has_v = 1;
            sp->blen = 0;
            r = scan_leaf(sp, q, e, &t, 1);
            sp->in_v = 0;
        } else if (named(&t, "f")) {
            sp->has_f = 1;
            r = scan_leaf(sp, q, e, &t, 0);
        } else if (named(&t, "is")) {
            sp->has_is = 1;
            sp->blen = 0;
            r = t.a.empty ? 0 : scan_inline(sp, q, e, &t);
        } else {
            return -1;
        }
        if (r != 0)
            return -1;
    }
    return r > 0 ? 0 : -1;
}

/* The three bytes at p are "<" x ">". */
static inline int tag3(cursor p, char x)
{
    return p[0] == '<' && p[1] == x && p[2] == '>';
}

/* A cell's content laid out with whitespace between its elements, as
 * Gnumeric indents it, at *p (the start tag's '>'):
 *
 *   <c r="B2">
 *     <v>2026</v>
 *   </c>
 *
 * with <v> or <is><t>, text as scan_cell_fast takes it, and whitespace
 * only around the tags (the general path checks the text there and drops
 * it). 0 with *text, *tn and *is as scan_cell_fast sets them and *p after
 * </c>; 1 for any other shape. Why: such a sheet's cells all took the
 * general path, and its rows took three times the instructions of the
 * same 117 rows written compact by libxlsxwriter (33.9 against 11.2
 * million for 41 reads of tests/bench/bench_xlsx.c's one return, callgrind);
 * in one pass, 16.8 million. */
static int body_spaced(cursor *p, cursor *text, size_t *tn, int *is)
{
    cursor q = *p + 1;
    while (is_ws(*q))
        q++;
    *is = word4(q) == word4((cursor) "<is>");
    if (*is) {
        for (q += 4; is_ws(*q);)
            q++;
        if (!tag3(q, 't'))
            return 1;
    } else if (!tag3(q, 'v')) {
        return 1;
    }
    *text = q += 3;
    while (!(xlsx_xml_cls[*q] & XLSX_K_TEXT))
        q++;
    *tn = (size_t)(q - *text);
    if (word4(q) != word4(*is ? (cursor) "</t>" : (cursor) "</v>"))
        return 1;
    for (q += 4; is_ws(*q);)
        q++;
    if (*is) {
        if (word4(q) != word4((cursor) "</is") || q[4] != '>')
            return 1;
        for (q += 5; is_ws(*q);)
            q++;
    }
    if (word4(q) != word4((cursor) "</c>"))
        return 1;
    *p = q + 4;
    return 0;
}

/* The cell at *q ("<c"), when it has the shape almost every cell has:
 *
 *   <c r="D2" t="s" s="3"><v>12</v></c>     or     <c r="D2"/>
 *   <c r="A2" t="inlineStr"><is><t>U001</t></is></c>
 *
 * no prefix, the attributes r, s and t once each, one space before each
 * and none around '=', values of plain characters shorter than
 * SCAN_VALUE, and text in <v> or in the one <t> of <is> with no
 * reference, CR, ']' or byte past ASCII; whitespace may lie between
 * the elements (body_spaced, which would also read the compact shape, for
 * 1.1 % more instructions of a one return's read: the compact shape is
 * matched a word at a time first). It is read in one pass, its
 * attributes and text handed over where they lie in the part (not copied)
 * to xlsx_sheet_cell and xlsx_sheet_cell_text, which end the cell as
 * scan_cell_body's handlers would; *q is after </c>: 0. Any other shape: 1,
 * nothing read and *q unmoved, for the general path. -1 when a handler
 * declined. Why: the general path (a start tag, then its attributes one
 * by one with a general name and value, then a child, then an end tag)
 * took about 830 instructions a cell of tests/bench/bench_xlsx.c's one
 * return; xlsx_scan.c's header has the figures. */
static int scan_cell_fast(struct xlsx_sheet *sp, cursor *q)
{
    cursor p = *q + 2;
    const char *got[3] = {NULL, NULL, NULL};   /* r, t, s: in the part, not copied */
    size_t len[3] = {0, 0, 0};
    while (*p == ' ') {
        int i = p[1] == 'r' ? 0 : p[1] == 't' ? 1 : p[1] == 's' ? 2 : -1;
        if (i < 0 || got[i] || p[2] != '=' || (p[3] != '"' && p[3] != '\''))
            return 1;
        unsigned char quote = p[3];
        cursor v = p += 4;
        if (i == 1 && word8(p) == word8((cursor) "inlineSt") && p[8] == 'r')
            p += 9;   /* the type of a string cell, whole */
        else if (i == 1 && (*p == 's' || *p == 'n'))
            p++;   /* of a shared string's or a number's; a quote must follow */
        while (!(xlsx_xml_cls[*p] & XLSX_K_AVAL))
            p++;
        size_t n = (size_t)(p - v);
        if (*p != quote || n >= SCAN_VALUE)
            return 1;
        got[i] = (const char *)v;
        len[i] = n;
        p++;
    }
    cursor text = NULL;
    size_t tn = 0;
    int is = 0;   /* the text is an inline string's */
    if (*p == '/' && p[1] == '>') {
        p += 2;
    } else if (word4(p) == word4((cursor) "><v>") ||
               (is = word8(p) == word8((cursor) "><is><t>"))) {
        text = p += is ? 8 : 4;
        while (!(xlsx_xml_cls[*p] & XLSX_K_TEXT))
            p++;
        tn = (size_t)(p - text);
        if (is ? word8(p) != word8((cursor) "</t></is") ||
                     word8(p + 5) != word8((cursor) "/is></c>")   /* "</t></is></c>" */
               : word8(p) != word8((cursor) "</v></c>"))
            return 1;
        p += is ? 13 : 8;
    } else if (*p != '>' || body_spaced(&p, &text, &tn, &is) != 0) {
        return 1;
    }
    xlsx_sheet_cell(sp, got[0], len[0], got[1], len[1], got[2], len[2]);
    if (sp->declined)
        return -1;
    if (text)
        xlsx_sheet_cell_text(sp, (const char *)text, tn, is);
    else
        xlsx_sheet_cell_end(sp);
    *q = p;
    return sp->declined ? -1 : 0;
}

/* A row's cells (its start tag row) at *q, to its end tag. */
static int scan_cells(struct xlsx_sheet *sp, cursor *q, cursor e, const struct scan_tag *row)
{
    struct scan_tag c;
    int r;
    for (;;) {
        while (is_ws(**q))   /* an indented row's (s[n] is NUL: never past e) */
            (*q)++;
        if (**q != '<' && scan_chars(q, e, NULL, NULL) != 0)   /* as scan_child would */
            return -1;
        if ((*q)[1] == 'c' && (r = scan_cell_fast(sp, q)) <= 0) {
            if (r < 0)
                return -1;
            continue;
        }
        if ((r = scan_child(q, e, row, &c, "rts", 0)) != 0)
            break;
        if (!named(&c, "c"))
            return -1;
        xlsx_sheet_cell(sp, c.a.got[0], c.a.got[0] ? strlen(c.a.got[0]) : 0, c.a.got[1],
                        c.a.got[1] ? strlen(c.a.got[1]) : 0, c.a.got[2],
                        c.a.got[2] ? strlen(c.a.got[2]) : 0);
        if (sp->declined || (!c.a.empty && scan_cell_body(sp, q, e, &c) != 0))
            return -1;
        xlsx_sheet_cell_end(sp);
        if (sp->declined)
            return -1;
    }
    return r > 0 ? 0 : -1;
}

/* The attributes a row's tag carries as spreadsheet programs write them:
 * spans (libxlsxwriter, Excel), Excel's x14ac:dyDescent, LibreOffice's
 * six, and the style ones. */
#define ROW_NAME(s) {s, sizeof s - 1}
static const struct { char name[16]; size_t len; } row_names[] = {   /* zero-padded: same16 */
    ROW_NAME("spans"), ROW_NAME("ht"), ROW_NAME("customHeight"), ROW_NAME("customFormat"),
    ROW_NAME("hidden"), ROW_NAME("outlineLevel"), ROW_NAME("collapsed"), ROW_NAME("s"),
    ROW_NAME("thickBot"), ROW_NAME("thickTop"), ROW_NAME("x14ac:dyDescent"),
};
#undef ROW_NAME

/* The start tag of a row at *q ("<row"), when it has the shape rows have:
 * no prefix, r and the names of row_names only, once each, one space
 * before each and none around '=', plain values (scan_value), and '>'.
 * 0 with t the tag (its r attribute in *r, *rn bytes, NULL when absent)
 * and *q after it; 1, *q unmoved, for the general path. Why: a row's tag
 * through the general path (scan_attrs: each name read and compared with
 * those before it) took about 1,300 instructions in a returned template,
 * whose rows LibreOffice writes with seven attributes. */
static int scan_row_fast(cursor *q, struct scan_tag *t, const char **r, size_t *rn)
{
    cursor p = *q + 4;
    unsigned seen = 0;   /* bit 0: r; bit i + 1: row_names[i] */
    *r = NULL;
    *rn = 0;
    while (*p == ' ') {
        cursor name = ++p;
        while (xlsx_xml_cls[*p] & XLSX_K_NAME)
            p++;
        size_t len = (size_t)(p - name);
        unsigned bit = 0;
        if (len == 1 && *name == 'r') {
            bit = 1;
        } else {
            for (size_t i = 0; i < sizeof row_names / sizeof row_names[0]; i++)
                if (row_names[i].len == len && same16(name, row_names[i].name, len)) {
                    bit = 2u << i;
                    break;
                }
        }
        cursor v;
        size_t vn;
        if (!bit || (seen & bit) || *p++ != '=' || scan_value(&p, &v, &vn) != 0)
            return 1;
        seen |= bit;
        if (bit == 1) {
            *r = (const char *)v;
            *rn = vn;
        }
    }
    if (*p != '>')
        return 1;
    t->name = *q + 1;
    t->local = t->name;
    t->end = t->name + 3;
    t->a.empty = 0;
    *q = p + 1;
    return 0;
}

int xlsx_scan_rows(struct xlsx_sheet *p, const char *s, size_t n, size_t *used)
{
    cursor q = (cursor)s, e = q + n;
    struct scan_tag data, row;
    int r;
    data.name = (cursor)p->data_name;
    data.end = data.name + strlen(p->data_name);
    for (cursor from = q;; from = q) {
        int header = p->header;
        const char *rv;
        size_t rn;
        while (is_ws(*q))   /* between indented rows */
            q++;
        if (*q == '<' && word4(q) == word4((cursor) "<row") && q[4] == ' ' &&
            scan_row_fast(&q, &row, &rv, &rn) == 0) {
            xlsx_sheet_row(p, rv, rn);
        } else {
            if ((r = scan_child(&q, e, &data, &row, "r", 1)) != 0)
                break;
            if (!named(&row, "row"))
                return 1;
            rv = row.a.got[0];
            xlsx_sheet_row(p, rv, rv ? strlen(rv) : 0);
        }
        if (p->declined || (!row.a.empty && scan_cells(p, &q, e, &row) != 0))
            return 1;
        xlsx_sheet_row_end(p);
        if (p->declined)
            return 1;
        if (!header && p->header)   /* rows to come: twice what the header's bytes say */
            xlsx_sheet_expect(p, 2 * (size_t)(e - q) / (size_t)(q - from) + 16);
    }
    if (r < 0)
        return 1;
    *used = (size_t)(q - (cursor)s);
    return 0;
}

/* ---- the shared strings ------------------------------------------------- */

/* The rest of a text-only element t at *q, *q after its end tag; its text
 * kept in the string when keep (as the reader keeps a <t>'s). 0, or -1. */
static int sst_leaf(struct xlsx_sst *sp, cursor *q, cursor e, const struct scan_tag *t, int keep)
{
    cursor p = *q;
    if (t->a.empty)
        return 0;
    sp->in_t = keep;
    int r = scan_chars(&p, e, keep ? xlsx_sst_text : NULL, sp);
    sp->in_t = 0;
    if (r != 0 || sp->declined || p[1] != '/' ||
        scan_end(&p, t->name, (size_t)(t->end - t->name)) != 0)
        return -1;
    *q = p;
    return 0;
}

/* The children of parent at *q, to its end tag, each an empty element
 * (<rPr>'s properties: <b/>, <sz val="11"/>) or, when leaf, a text-only
 * one whose text is not kept (<rPh>'s <t>). An empty <si/> declines: the
 * reader keeps a string for it at any depth. 0, or -1. */
static int sst_skip(struct xlsx_sst *sp, cursor *q, cursor e, const struct scan_tag *parent,
                    const char *leaf)
{
    struct scan_tag t;
    int r;
    while ((r = scan_child(q, e, parent, &t, "", 0)) == 0) {
        if (t.a.empty) {
            if (named(&t, "si"))
                return -1;
            continue;
        }
        if (!leaf || !named(&t, leaf) || sst_leaf(sp, q, e, &t, 0) != 0)
            return -1;
    }
    return r > 0 ? 0 : -1;
}

/* A rich text run (its start tag run) at *q, to its end tag: <rPr> and <t>. */
static int sst_run(struct xlsx_sst *sp, cursor *q, cursor e, const struct scan_tag *run)
{
    struct scan_tag t;
    int r;
    while ((r = scan_child(q, e, run, &t, "", 0)) == 0) {
        if (named(&t, "t"))
            r = sst_leaf(sp, q, e, &t, 1);
        else if (named(&t, "rPr"))
            r = t.a.empty ? 0 : sst_skip(sp, q, e, &t, NULL);
        else
            return -1;
        if (r != 0)
            return -1;
    }
    return r > 0 ? 0 : -1;
}

/* A string (its start tag si) at *q, to its end tag, kept as the reader's
 * handlers keep it: the text of its <t> and of its runs' <t>, not of its
 * phonetic runs <rPh>. */
static int sst_item(struct xlsx_sst *sp, cursor *q, cursor e, const struct scan_tag *si)
{
    struct scan_tag t;
    int r = 1;
    sp->len = 0;
    sp->in_t = sp->rph = 0;
    while (!si->a.empty && (r = scan_child(q, e, si, &t, "", 0)) == 0) {
        if (named(&t, "t"))
            r = sst_leaf(sp, q, e, &t, 1);
        else if (named(&t, "r"))
            r = t.a.empty ? 0 : sst_run(sp, q, e, &t);
        else if (named(&t, "rPh"))
            r = t.a.empty ? 0 : sst_skip(sp, q, e, &t, "t");
        else if (named(&t, "phoneticPr"))
            r = t.a.empty ? 0 : sst_skip(sp, q, e, &t, NULL);
        else
            return -1;
        if (r != 0)
            return -1;
    }
    if (r < 0)
        return -1;
    xlsx_sst_push(sp);
    return sp->declined ? -1 : 0;
}

/* The string at *q ("<si>") when it is plain text in one <t>, with no
 * reference, CR, ']' or byte past ASCII: <si><t>unit</t></si>, as almost
 * every string is, or <si><t xml:space="preserve">unit</t></si>, as
 * LibreOffice writes every string (xml:space changes nothing: text is
 * always kept as it is); open is the length of the tags before the text.
 * Read as sst_item reads it, *q after </si>: 0. Any other shape: 1,
 * nothing read and *q unmoved. -1 when a handler declined. */
static int sst_item_fast(struct xlsx_sst *sp, cursor *q, cursor e, size_t open)
{
    cursor p = *q + open, text = p;
    p = xlsx_xml_run_end(p, e, XLSX_K_TEXT);
    if (word8(p) != word8((cursor) "</t></si") || p[8] != '>')
        return 1;
    xlsx_sst_string(sp, (const char *)text, (size_t)(p - text));
    *q = p + 9;
    return sp->declined ? -1 : 0;
}

int xlsx_scan_strings(struct xlsx_sst *p, const char *s, size_t n, size_t *used)
{
    cursor q = (cursor)s, e = q + n;
    struct scan_tag sst, si;
    int r;
    sst.name = (cursor)p->root_name;
    sst.end = sst.name + strlen(p->root_name);
    static const char plain[16] = "<si><t>", preserve[32] = "<si><t xml:space=\"preserve\">";
    const size_t nplain = 7, npreserve = 28;   /* zero-padded for same16 */
    for (;;) {
        size_t open = same16(q, plain, nplain) ? nplain
                      : same16(q, preserve, 16) && same16(q + 16, preserve + 16, npreserve - 16)
                          ? npreserve
                          : 0;
        if (open && (r = sst_item_fast(p, &q, e, open)) <= 0) {
            if (r < 0)
                return 1;
            continue;
        }
        if ((r = scan_child(&q, e, &sst, &si, "", 0)) != 0)
            break;
        if (!named(&si, "si") || sst_item(p, &q, e, &si) != 0)
            return 1;
    }
    if (r < 0)
        return 1;
    *used = (size_t)(q - (cursor)s);
    return 0;
}
