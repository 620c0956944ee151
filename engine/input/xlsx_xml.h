/* xlsx_xml.h: a streaming reader of the XML of a workbook's parts, private
 * to the xlsx reader (xlsx_read.c streams every part through it).
 *
 *     struct xlsx_xml *x = xlsx_xml_new(&handlers, ctx);
 *     while (more) {
 *         void *buf = xlsx_xml_buffer(x, 65536);    // inflate into it
 *         size_t n = inflate(buf, 65536);
 *         int r = xlsx_xml_parse(x, n, n == 0);     // handlers called
 *         if (r != 0) break;                        // -1 malformed, 1 stopped
 *     }
 *     xlsx_xml_free(x);
 *
 * What it reads is XML 1.0 as a non-validating parser without namespace
 * processing reads it, and nothing less strict: one root element, start
 * and end tags that match (names are compared whole, prefix included, and
 * handed over as written: "x:c"), attributes in any order with either
 * quote, whitespace where the grammar allows it and nowhere else, no
 * attribute twice, the five predefined entities and numeric character
 * references to XML characters (any other reference is an error), CDATA
 * sections, comments without "--", processing instructions, the XML
 * declaration only at the very start (a UTF-8 byte order mark before it is
 * skipped), every byte well-formed UTF-8 of an XML character, names of the
 * XML 1.0 (fourth edition) name characters, "]]>" never in text. Line ends
 * are read as XML says (CR LF and CR become LF; in attribute values tab, CR
 * and LF become spaces). Refused: a document type declaration (DTD; no
 * workbook part has one, and entities declared there are never read) and
 * an encoding other than UTF-8 (declared, a UTF-16 byte order mark, or
 * bytes that are UTF-16), which the workbooks written by every program we
 * know never use.
 *
 * Handlers get what a SAX reader gives: start(ctx, name, atts) with atts
 * NULL-terminated name, value pairs; end(ctx, name), also for <a/>; text(
 * ctx, s, len) for character data (text and CDATA) in pieces, which the
 * handler joins. Names and values are NUL-terminated and valid during the
 * call only.
 *
 * Errors: xlsx_xml_parse returns -1, and xlsx_xml_error gives what (one of
 * the messages below) and where: the line (from 1) and column (from 0, in
 * characters) of the byte the error was found at, counted as XML counts
 * them (CR LF, CR and LF each end a line).
 *
 * Measured (xlsx_xml.c has the figures): about 350 MB/s of sheet XML,
 * handlers included, where expat reads 67 MB/s with no handlers at all.
 * tests/unit/test_xlsx_xml.c and tests/fuzz/fuzz_xlsx_xml.c hold it to the
 * same verdicts and events as expat.
 */
#ifndef LCME_XLSX_XML_H
#define LCME_XLSX_XML_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* What went wrong, with its message: one list, so they cannot drift. */
#define XLSX_XML_ERRORS(X)                                                              \
    X(XLSX_XML_OK, "no error")                                                          \
    X(XLSX_XML_NOMEM, "out of memory")                                                  \
    X(XLSX_XML_SYNTAX, "not well-formed (invalid token)")                               \
    X(XLSX_XML_NO_ELEMENTS, "no element found")                                         \
    X(XLSX_XML_UNCLOSED_TOKEN, "unclosed token")                                        \
    X(XLSX_XML_PARTIAL_CHAR, "partial character")                                       \
    X(XLSX_XML_TAG_MISMATCH, "mismatched tag")                                          \
    X(XLSX_XML_DUPLICATE_ATTRIBUTE, "duplicate attribute")                              \
    X(XLSX_XML_JUNK_AFTER_ROOT, "junk after document element")                          \
    X(XLSX_XML_UNDEFINED_ENTITY, "undefined entity")                                    \
    X(XLSX_XML_BAD_CHAR_REF, "reference to invalid character number")                   \
    X(XLSX_XML_MISPLACED_DECL, "XML or text declaration not at start of entity")        \
    X(XLSX_XML_BAD_DECL, "XML declaration not well-formed")                             \
    X(XLSX_XML_UNCLOSED_CDATA, "unclosed CDATA section")                                \
    X(XLSX_XML_ENCODING, "the part is not in UTF-8, the only encoding read")            \
    X(XLSX_XML_DTD, "a document type declaration (DTD)")

#define XLSX_XML_ENUM(name, msg) name,
enum xlsx_xml_status { XLSX_XML_ERRORS(XLSX_XML_ENUM) };
#undef XLSX_XML_ENUM

typedef void (*xlsx_xml_start_fn)(void *ctx, const char *name, const char **atts);
typedef void (*xlsx_xml_end_fn)(void *ctx, const char *name);
typedef void (*xlsx_xml_text_fn)(void *ctx, const char *s, int len);

/* The handlers of one part; any may be NULL. */
struct xlsx_handlers {
    xlsx_xml_start_fn start;
    xlsx_xml_end_fn end;
    xlsx_xml_text_fn text;
};

struct xlsx_xml;

/* A reader calling h (copied) with ctx (borrowed). NULL on ENOMEM. */
struct xlsx_xml *xlsx_xml_new(const struct xlsx_handlers *h, void *ctx);

/* Make x as xlsx_xml_new(h, ctx) would, to read another document, keeping
 * the memory it has (its buffer and pool when under a few MiB): a thread
 * reading part after part then allocates them once, not for each. */
void xlsx_xml_reset(struct xlsx_xml *x, const struct xlsx_handlers *h, void *ctx);

/* Free x; NULL is a no-op. */
void xlsx_xml_free(struct xlsx_xml *x);

/* Room for n more bytes of the part, to be written there and handed over
 * with xlsx_xml_parse (bytes kept from a token cut by the last block stay
 * in front of it). Valid until the next call; NULL on ENOMEM. Once handed
 * over, the bytes are followed by a NUL and XLSX_XML_PAD more zeros, so
 * that a scanner may compare a few bytes at a time near the end. */
#define XLSX_XML_PAD 16
void *xlsx_xml_buffer(struct xlsx_xml *x, size_t n);

/* Read the n bytes just written into the buffer; final 1 when they end
 * the part (n may be 0). Handlers are called for everything complete; a
 * token cut at the end waits for the next bytes. Returns 0; 1 when a
 * handler stopped the reader (xlsx_xml_stop), now or before; -1 when the
 * XML is malformed or memory ran out (xlsx_xml_error says which). */
int xlsx_xml_parse(struct xlsx_xml *x, size_t n, int final);

/* From inside a handler: call no handler again; xlsx_xml_parse returns 1. */
void xlsx_xml_stop(struct xlsx_xml *x);

/* After xlsx_xml_parse returned 1: the bytes not read yet, *n of them, with
 * a NUL after them, starting right after the tag whose handler stopped the
 * reader; valid until the next call. NULL when there are none to hand
 * over: the reader never had bytes, or the tag was an empty element (<a/>)
 * whose end handler was not called. The caller may read them but must not
 * change them if it will resume. */
char *xlsx_xml_rest(struct xlsx_xml *x, size_t *n);

/* Let a stopped reader go on: the next xlsx_xml_parse (n 0, final as the
 * part's bytes are) reads on from where it stopped, as if never stopped.
 * When the stopping tag was an empty element (<a/>), its end handler is
 * called here, as it would have been. */
void xlsx_xml_resume(struct xlsx_xml *x);

/* Let a stopped reader go on after the first n bytes of xlsx_xml_rest,
 * which the caller read and checked as the reader would: they end with the
 * end tag of the element whose start handler stopped the reader, and
 * nothing in them is left open. The element is closed and its end handler
 * called here; the next xlsx_xml_parse (n 0) reads on after the n bytes,
 * and errors past them point at their place in the whole part. */
void xlsx_xml_skip(struct xlsx_xml *x, size_t n);

/* From inside a handler, or between calls: call no handler again, but
 * read on to the end of the part, so that malformed XML anywhere in it is
 * still an error (in one pass when the part's last bytes are in:
 * xlsx_xml_set_skim). */
void xlsx_xml_mute(struct xlsx_xml *x);

/* Whether the rest of a muted part, when its last bytes are in, may be
 * checked in one pass without the reader's tokens (on: the default), the
 * reader reading it when that pass declines; off, the reader reads it
 * all: for tests that hold the two to each other. */
void xlsx_xml_set_skim(struct xlsx_xml *x, int on);

/* 1 when that one pass read the rest of the part. */
int xlsx_xml_skimmed(const struct xlsx_xml *x);

/* ---- for scanners that read the same XML (xlsx_scan.c) ------------------- */

/* Byte classes: xlsx_xml_cls[b] says which runs byte b ends or belongs to. */
enum {
    XLSX_K_NAME = 1,    /* an ASCII name character */
    XLSX_K_START = 2,   /* an ASCII name start character */
    XLSX_K_TEXT = 4,    /* ends a run of text: < & ] CR, controls, non-ASCII */
    XLSX_K_AVAL = 8,    /* ends a run of an attribute value: < & quotes, tab,
                           CR, LF, controls, non-ASCII */
    XLSX_K_WS = 16,     /* space, tab, CR, LF */
    XLSX_K_MISC = 32,   /* ends a run of a comment, PI or CDATA: - ? ],
                           controls, non-ASCII */
};
extern const unsigned char xlsx_xml_cls[256];

/* The first n bytes at p (up to eight of them) as a word, zeros after
 * them, in memory order whatever the byte order: the eight bytes at p must
 * be readable (in a part's buffer they are, up to its end, with the NUL
 * and XLSX_XML_PAD zeros after it). */
static inline uint64_t xlsx_xml_head8(const unsigned char *p, size_t n)
{
    static const unsigned char ones[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint64_t w, m;
    memcpy(&w, p, 8);
    memcpy(&m, ones + 8 - (n < 8 ? n : 8), 8);
    return w & m;
}

/* The first byte at or after p of class k, XLSX_K_AVAL or XLSX_K_TEXT:
 * what the loop
 *     while (!(xlsx_xml_cls[*p] & k)) p++;
 * returns, sixteen bytes at a time while sixteen are left before e, where
 * a byte of the class must lie (the NUL the buffers end in). Why: a byte
 * at a time, the values of a returned template's data validations (long
 * messages and prompts, in the part's XML after the rows) took a third of
 * the XML reader's time on its start tags, and the reader's start tags a
 * fifth of the template's read (tests/bench/bench_xlsx.c has the figures). */
static inline const unsigned char *xlsx_xml_run_end(const unsigned char *p,
                                                    const unsigned char *e, unsigned char k)
{
#if defined(__SSE2__)
    while (e - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed: below space is a control character or a byte past ASCII */
        __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('&')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('<')));
        if (k == XLSX_K_AVAL)   /* the quotes; tab, CR and LF too */
            m = _mm_or_si128(_mm_or_si128(m, low),
                             _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('\''))));
        else   /* text: tab and LF belong to it, CR and ']' end it */
            m = _mm_or_si128(
                _mm_or_si128(m, _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                                              _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                                 low)),
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8(']'))));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#else
    (void)e;
#endif
    while (!(xlsx_xml_cls[*p] & k))
        p++;
    return p;
}

/* The UTF-8 character at p (before e, p[0] >= 0x80): its length (2 to 4)
 * and *cp; 0 when e cuts it; -1 when it is no UTF-8 encoding of an XML
 * character (an overlong form, a surrogate, past U+10FFFF, U+FFFE,
 * U+FFFF). */
int xlsx_xml_utf8(const unsigned char *p, const unsigned char *e, unsigned *cp);

/* A well-formed reference at p ('&', before e): one of the five predefined
 * entities or a character reference of at most 8 digits to an XML
 * character. Returns its length, with its character's UTF-8 in out (*n
 * bytes); 0 for any other (malformed, cut, undefined, longer), which the
 * reader then tells apart. */
size_t xlsx_xml_ref(const unsigned char *p, const unsigned char *e, char out[4], size_t *n);

/* The error of the last xlsx_xml_parse that returned -1 (XLSX_XML_OK when
 * none) and where it is (line from 1, column from 0). */
enum xlsx_xml_status xlsx_xml_error(const struct xlsx_xml *x, unsigned long *line,
                                    unsigned long *col);

/* The message of a status: "mismatched tag". */
const char *xlsx_xml_message(enum xlsx_xml_status st);

#endif
