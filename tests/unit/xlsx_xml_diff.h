/* xlsx_xml_diff.h: the same bytes through the xlsx reader's XML reader
 * (engine/input/xlsx_xml.h) and through expat, for tests/unit/test_xlsx_xml.c
 * and tests/fuzz/fuzz_xlsx_xml.c.
 *
 * Each parser writes what its handlers see into a log: "<name att=value ..."
 * for a start tag, ">name" for an end tag, "'text" for character data, the
 * pieces of one run of text joined (each parser cuts text where it likes).
 * expat runs as the reader ran it before: XML_ParserCreate(NULL), no
 * namespace processing, a document type declaration stopping it. The
 * reader reads the bytes in blocks of `chunk` bytes (0: all at once), so a
 * block boundary falls inside every kind of token.
 *
 * xml_diff returns XML_DIFF_SAME when both accept with the same log or
 * both refuse, XML_DIFF_SKIP when the reader refused an encoding other
 * than UTF-8 (which expat reads and the reader, by design, does not), else
 * XML_DIFF_ACCEPT (one accepts, the other refuses) or XML_DIFF_EVENTS (both
 * accept, the logs differ); *why says which.
 */
#ifndef LCME_XLSX_XML_DIFF_H
#define LCME_XLSX_XML_DIFF_H

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_xml.h"

enum { XML_DIFF_SAME, XML_DIFF_SKIP, XML_DIFF_ACCEPT, XML_DIFF_EVENTS };

struct xml_log {
    char *s;
    size_t n, cap;
    int in_text;               /* the last thing logged is text */
    int dtd;                   /* expat met a document type declaration */
    XML_Parser xp;
};

static void xml_log_put(struct xml_log *l, const char *s, size_t n)
{
    if (l->n + n + 1 > l->cap) {
        l->cap = 2 * (l->n + n + 1);
        l->s = realloc(l->s, l->cap);
        if (!l->s)
            abort();
    }
    memcpy(l->s + l->n, s, n);
    l->n += n;
    l->s[l->n] = '\0';
}

static void xml_log_start(void *ud, const char *name, const char **atts)
{
    struct xml_log *l = ud;
    l->in_text = 0;
    xml_log_put(l, "\n<", 2);
    xml_log_put(l, name, strlen(name));
    for (size_t i = 0; atts[i]; i += 2) {
        xml_log_put(l, " ", 1);
        xml_log_put(l, atts[i], strlen(atts[i]));
        xml_log_put(l, "=\"", 2);
        xml_log_put(l, atts[i + 1], strlen(atts[i + 1]));
        xml_log_put(l, "\"", 1);
    }
}

static void xml_log_end(void *ud, const char *name)
{
    struct xml_log *l = ud;
    l->in_text = 0;
    xml_log_put(l, "\n>", 2);
    xml_log_put(l, name, strlen(name));
}

static void xml_log_text(void *ud, const char *s, int len)
{
    struct xml_log *l = ud;
    if (!l->in_text)
        xml_log_put(l, "\n'", 2);
    l->in_text = 1;
    xml_log_put(l, s, (size_t)len);
}

static void XMLCALL xml_log_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                    const XML_Char *pubid, int has_internal)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal;
    struct xml_log *l = ud;
    l->dtd = 1;
    XML_StopParser(l->xp, XML_FALSE);
}

/* expat on data: 1 accepted, 0 refused; *line, *col where. */
static int xml_diff_expat(const void *data, size_t len, struct xml_log *l, unsigned long *line,
                          unsigned long *col)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p)
        abort();
    l->xp = p;
    XML_SetUserData(p, l);
    XML_SetElementHandler(p, xml_log_start, xml_log_end);
    XML_SetCharacterDataHandler(p, xml_log_text);
    XML_SetStartDoctypeDeclHandler(p, xml_log_doctype);
    int ok = XML_Parse(p, data, (int)len, 1) == XML_STATUS_OK;
    *line = (unsigned long)XML_GetCurrentLineNumber(p);
    *col = (unsigned long)XML_GetCurrentColumnNumber(p);
    XML_ParserFree(p);
    return ok;
}

/* A reader kept from the call of xml_diff_reader before, reset for the
 * next (xlsx_xml_reset), as the workbook reader keeps one for each thread;
 * freed by xml_diff_done. */
static struct xlsx_xml *xml_diff_kept;

static void xml_diff_done(void)
{
    xlsx_xml_free(xml_diff_kept);
    xml_diff_kept = NULL;
}

/* A reader for the next document: every other call the one kept from the
 * call before (*turn counts them), reset; else a new one. */
static struct xlsx_xml *xml_diff_take(unsigned *turn, const struct xlsx_handlers *h, void *ud)
{
    struct xlsx_xml *x;
    if ((*turn)++ % 2 && xml_diff_kept) {
        x = xml_diff_kept;
        xml_diff_kept = NULL;
        xlsx_xml_reset(x, h, ud);
    } else if (!(x = xlsx_xml_new(h, ud))) {
        abort();
    }
    return x;
}

/* Done with x: kept for the next call when none is. */
static void xml_diff_give(struct xlsx_xml *x)
{
    if (xml_diff_kept)
        xlsx_xml_free(x);
    else
        xml_diff_kept = x;
}

/* The reader on data, chunk bytes at a time: 1 accepted, 0 refused. Every
 * other call reads with the reader of the call before, reset, so that its
 * kept buffer and pool (larger or smaller than these bytes need, holding
 * the bytes before) must read as new ones do. */
static int xml_diff_reader(const void *data, size_t len, size_t chunk, struct xml_log *l,
                           enum xlsx_xml_status *st, unsigned long *line, unsigned long *col)
{
    static unsigned turn;
    const struct xlsx_handlers h = {xml_log_start, xml_log_end, xml_log_text};
    struct xlsx_xml *x = xml_diff_take(&turn, &h, l);
    if (chunk == 0)
        chunk = len ? len : 1;
    int r = 0;
    for (size_t at = 0;; at += chunk) {
        size_t n = at < len ? (len - at < chunk ? len - at : chunk) : 0;
        void *buf = xlsx_xml_buffer(x, chunk);
        if (!buf)
            abort();
        memcpy(buf, (const char *)data + at, n);
        if ((r = xlsx_xml_parse(x, n, n == 0)) != 0 || n == 0)
            break;
    }
    *st = xlsx_xml_error(x, line, col);
    xml_diff_give(x);
    return r == 0;
}

static int xml_diff(const void *data, size_t len, size_t chunk, const char **why)
{
    struct xml_log a = {0}, b = {0};
    unsigned long la, ca, lb, cb;
    enum xlsx_xml_status st;
    int ea = xml_diff_expat(data, len, &a, &la, &ca);
    int rb = xml_diff_reader(data, len, chunk, &b, &st, &lb, &cb);
    int res = XML_DIFF_SAME;
    *why = "same";
    if (!rb && st == XLSX_XML_ENCODING) {
        res = XML_DIFF_SKIP;
        *why = "not UTF-8";
    } else if (ea != rb) {
        res = XML_DIFF_ACCEPT;
        *why = ea ? "expat accepts, the reader refuses" : "the reader accepts, expat refuses";
    } else if (ea && (a.n != b.n || (a.n && memcmp(a.s, b.s, a.n) != 0))) {
        res = XML_DIFF_EVENTS;
        *why = "both accept, with different events";
    }
    free(a.s);
    free(b.s);
    return res;
}

/* ---- a muted reader's rest, checked in one pass or by the reader -------- */

struct xml_mute {
    struct xlsx_xml *x;
    int after, seen;
};

static void xml_mute_start(void *ud, const char *name, const char **atts)
{
    (void)name, (void)atts;
    struct xml_mute *m = ud;
    if (++m->seen > m->after)
        xlsx_xml_mute(m->x);
}

static void xml_mute_end(void *ud, const char *name)
{
    (void)ud, (void)name;
}

/* The reader on data, muted by its start handler at start tag after + 1
 * (as the workbook's handlers mute it when they have what they need), the
 * first cut bytes in one call and the rest in the last; the rest checked
 * in one pass when skim (xlsx_xml_set_skim), else by the reader. 1
 * accepted, 0 refused; *st, *line, *col what it says; *skimmed whether the
 * one pass read the rest. Every other call reads with the reader of the
 * call before, reset (xml_diff_take): xml_skim_same then holds a reset
 * reader and a new one to the same verdict, error and place. */
static int xml_muted_reader(const void *data, size_t len, size_t cut, int after, int skim,
                            enum xlsx_xml_status *st, unsigned long *line, unsigned long *col,
                            int *skimmed)
{
    static unsigned turn;
    struct xml_mute m = {NULL, after, 0};
    const struct xlsx_handlers h = {xml_mute_start, xml_mute_end, NULL};
    struct xlsx_xml *x = m.x = xml_diff_take(&turn, &h, &m);
    xlsx_xml_set_skim(x, skim);
    if (cut > len)
        cut = len;
    void *buf = xlsx_xml_buffer(x, cut);
    if (!buf)
        abort();
    memcpy(buf, data, cut);
    int r = xlsx_xml_parse(x, cut, 0);
    if (r == 0) {
        if (!(buf = xlsx_xml_buffer(x, len - cut)))
            abort();
        memcpy(buf, (const char *)data + cut, len - cut);
        r = xlsx_xml_parse(x, len - cut, 1);
    }
    *st = xlsx_xml_error(x, line, col);
    *skimmed = xlsx_xml_skimmed(x);
    xml_diff_give(x);
    return r == 0;
}

/* xml_muted_reader with the one pass and without it: the same verdict,
 * and when refused the same error at the same line and column (1); else
 * 0. *skimmed: the one pass read the rest. */
static int xml_skim_same(const void *data, size_t len, size_t cut, int after, int *skimmed)
{
    enum xlsx_xml_status sa, sb;
    unsigned long la, ca, lb, cb;
    int na, a = xml_muted_reader(data, len, cut, after, 0, &sa, &la, &ca, &na),
            b = xml_muted_reader(data, len, cut, after, 1, &sb, &lb, &cb, skimmed);
    return a == b && sa == sb && (a || (la == lb && ca == cb)) && !na;
}

#endif
