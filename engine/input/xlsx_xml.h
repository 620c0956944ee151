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

/* Free x; NULL is a no-op. */
void xlsx_xml_free(struct xlsx_xml *x);

/* Room for n more bytes of the part, to be written there and handed over
 * with xlsx_xml_parse (bytes kept from a token cut by the last block stay
 * in front of it). Valid until the next call; NULL on ENOMEM. */
void *xlsx_xml_buffer(struct xlsx_xml *x, size_t n);

/* Read the n bytes just written into the buffer; final 1 when they end
 * the part (n may be 0). Handlers are called for everything complete; a
 * token cut at the end waits for the next bytes. Returns 0; 1 when a
 * handler stopped the reader (xlsx_xml_stop), now or before; -1 when the
 * XML is malformed or memory ran out (xlsx_xml_error says which). */
int xlsx_xml_parse(struct xlsx_xml *x, size_t n, int final);

/* From inside a handler: call no handler again; xlsx_xml_parse returns 1. */
void xlsx_xml_stop(struct xlsx_xml *x);

/* The error of the last xlsx_xml_parse that returned -1 (XLSX_XML_OK when
 * none) and where it is (line from 1, column from 0). */
enum xlsx_xml_status xlsx_xml_error(const struct xlsx_xml *x, unsigned long *line,
                                    unsigned long *col);

/* The message of a status: "mismatched tag". */
const char *xlsx_xml_message(enum xlsx_xml_status st);

#endif
