/* test_xlsx_xml.c: the xlsx reader's XML reader (engine/input/xlsx_xml.h)
 * against expat, case by case: hand-written documents that each reach one
 * rule of XML (entities and character references, CDATA, prefixes,
 * attribute order and quotes, empty elements, whitespace, comments and
 * processing instructions, the XML declaration, bad UTF-8, mismatched
 * tags, cut input), each read whole and in blocks of 1, 2, 3, 7 and 64
 * bytes, with the same verdict and the same events as expat
 * (xlsx_xml_diff.h), and again inside a document longer than the reader's
 * 64 KiB window, cut by it; then where the errors point, and the messages the
 * workbook reader builds from them. tests/fuzz/fuzz_xlsx_xml.c does the
 * same on any bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "xlsx_xml_diff.h"

struct xcase {
    const char *xml;
    size_t len;
    int ok;                    /* expat accepts it */
};

#define C(s, ok) {s, sizeof s - 1, ok}

static const struct xcase cases[] = {
    /* the document */
    C("", 0), C("   ", 0), C("<a/>", 1), C("<a></a>", 1), C("<a/><b/>", 0), C("<a/>x", 0),
    C("x<a/>", 0), C("<a/> \r\n\t", 1), C(" \n<a/>", 1), C("<a>", 0), C("<a><b></b>", 0),
    C("</a>", 0), C("<a></b>", 0), C("<a><b></a></b>", 0), C("<a\n><b></c></a>", 0),
    /* names and prefixes */
    C("<x:c r=\"A1\"><x:v>1</x:v></x:c>", 1), C("<x:c></c>", 0), C("<a:b:c/>", 1),
    C("<:a/>", 1), C("<_a.b-c/>", 1), C("<1a/>", 0), C("<-a/>", 0), C("< a/>", 0),
    C("<a ></a >", 1), C("<a></ a>", 0), C("<a/ >", 0), C("<\xc3\xa9t\xc3\xa9/>", 1),
    C("<a\xc2\xb7/>", 1), C("<\xc2\xb7/>", 0), C("<a\xe2\x80\x8b/>", 0), C("<\xe4\xb8\x80/>", 1),
    C("<a\xf0\x90\x80\x80/>", 0), C("<ab\xcc\x81/>", 1),
    /* attributes */
    C("<c r=\"A1\" t=\"s\" s=\"3\"/>", 1), C("<c s='3' t=\"s\" r='A1'/>", 1),
    C("<c\n\tr = \"A1\"\r\n t\n=\n's' />", 1), C("<a b=\"1\"c=\"2\"/>", 0),
    C("<a b=\"1\" b=\"2\"/>", 0), C("<a x:b=\"1\" y:b=\"2\"/>", 1), C("<a b='1' b=\"1\"/>", 0),
    C("<a b=1/>", 0), C("<a b/>", 0), C("<a b=\"1/>", 0), C("<a b='1\"'/>", 1),
    C("<a b=\"'\"/>", 1), C("<a b=\"<\"/>", 0), C("<a b=\">\"/>", 1), C("<a b=\"&\"/>", 0),
    C("<a b=\"&amp;&lt;&gt;&apos;&quot;\"/>", 1), C("<a b=\"x\n\t\r\ny\r\"/>", 1),
    C("<a b=\"&#10;&#13;&#9;&#x20;\"/>", 1), C("<a b=\"&nbsp;\"/>", 0),
    C("<a b=\"\x01\"/>", 0), C("<a b=\"\xc3\xa9\"/>", 1), C("<a b=\"\xc3\"/>", 0),
    C("<a b=\"1\"/ >", 0), C("<a b = \"1\" />", 1), C("<a b=\"\"/>", 1),
    C("<a a1=\"1\" a2=\"1\" a3=\"1\" a4=\"1\" a5=\"1\" a6=\"1\" a7=\"1\" a8=\"1\" a9=\"1\" "
      "a10=\"1\" a11=\"1\" a12=\"1\" a13=\"1\" a14=\"1\" a15=\"1\" a16=\"1\" a17=\"1\" "
      "a18=\"1\" a3=\"2\"/>", 0),
    C("<a a1=\"1\" a2=\"1\" a3=\"1\" a4=\"1\" a5=\"1\" a6=\"1\" a7=\"1\" a8=\"1\" a9=\"1\" "
      "a10=\"1\" a11=\"1\" a12=\"1\" a13=\"1\" a14=\"1\" a15=\"1\" a16=\"1\" a17=\"1\" "
      "a18=\"1\" a19=\"2\"/>", 1),
    /* text, entities and character references */
    C("<a>x &amp; y &lt;z&gt; &apos;&quot;</a>", 1), C("<a>&foo;</a>", 0),
    C("<a>&amp</a>", 0), C("<a>&am</a>", 0), C("<a>& </a>", 0), C("<a>&#65;&#x41;&#x0041;</a>", 1),
    C("<a>&#0;</a>", 0), C("<a>&#x0;</a>", 0), C("<a>&#1;</a>", 0), C("<a>&#9;&#10;&#13;</a>", 1),
    C("<a>&#xD800;</a>", 0), C("<a>&#xDFFF;</a>", 0), C("<a>&#xFFFE;</a>", 0),
    C("<a>&#xFFFD;</a>", 1), C("<a>&#x10FFFF;</a>", 1), C("<a>&#x110000;</a>", 0),
    C("<a>&#99999999999999999999;</a>", 0), C("<a>&#;</a>", 0), C("<a>&#x;</a>", 0),
    C("<a>&#X41;</a>", 0), C("<a>&#65</a>", 0), C("<a>&#6a;</a>", 0), C("<a>&#x4g;</a>", 0),
    C("<a>]]></a>", 0), C("<a>]]</a>", 1), C("<a>]</a>", 1), C("<a>]] ></a>", 1),
    C("<a>x > y</a>", 1), C("<a>\r\nx\ry\n\rz\r</a>", 1), C("<a>\r</a>", 1),
    C("<a>\t\n</a>", 1), C("<a>\x01</a>", 0), C("<a>\x7f</a>", 1), C("<a>x\0y</a>", 0),
    /* UTF-8 */
    C("<a>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</a>", 1), C("<a>\xc3</a>", 0),
    C("<a>\xc3\xa9\xa9</a>", 0), C("<a>\xc0\x80</a>", 0), C("<a>\xc1\xbf</a>", 0),
    C("<a>\xe0\x80\x80</a>", 0), C("<a>\xed\xa0\x80</a>", 0), C("<a>\xef\xbf\xbe</a>", 0),
    C("<a>\xef\xbf\xbf</a>", 0), C("<a>\xef\xbf\xbd</a>", 1), C("<a>\xf0\x80\x80\x80</a>", 0),
    C("<a>\xf4\x8f\xbf\xbf</a>", 1), C("<a>\xf4\x90\x80\x80</a>", 0),
    C("<a>\xf8\x88\x80\x80\x80</a>", 0),
    C("<a>\xff</a>", 0), C("<a>\xc2\x80</a>", 1), C("<a>x\xe2\x82</a>", 0), C("<a>\xe2\x82", 0),
    C("\xef\xbb\xbf<a/>", 1), C("\xef\xbb<a/>", 0), C("<a/>\xef\xbb\xbf", 0),
    /* CDATA, comments, processing instructions */
    C("<a><![CDATA[<b>&amp;]]]></a>", 1), C("<a><![CDATA[]]></a>", 1),
    C("<a><![CDATA[x\r\ny\rz]]></a>", 1), C("<a><![CDATA[\x01]]></a>", 0),
    C("<a><![CDATA[x</a>", 0), C("<a><![CDATA[", 0), C("<a><![cdata[x]]></a>", 0),
    C("<![CDATA[x]]><a/>", 0), C("<a/><![CDATA[x]]>", 0), C("<a><![CDATA[\xc3\xa9]]></a>", 1),
    C("<!-- c --><a><!-- - -->x<!---->y</a><!-- d -->", 1), C("<a><!-- a -- b --></a>", 0),
    C("<a><!-- a ---></a>", 0), C("<a><!--></a>", 0), C("<a><!--", 0), C("<a><!- x --></a>", 0),
    C("<a><!-- \x01 --></a>", 0), C("<a><!-- \xc3\xa9 --></a>", 1),
    C("<?pi x?><a><?pi?><?pi  y z ?></a><?pi?>", 1), C("<a><?xml-x x?></a>", 1),
    C("<a><?xml x?></a>", 0), C("<a><?XmL x?></a>", 0), C("<a><?XML?></a>", 0),
    C("<a><?pix?></a>", 1), C("<a><? pi?></a>", 0), C("<a><?pi", 0), C("<a><?pi ?</a>", 0),
    C("<a><?pi\x01?></a>", 0), C("<a><?1pi?></a>", 0),
    /* the XML declaration */
    C("<?xml version=\"1.0\"?><a/>", 1),
    C("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<a/>", 1),
    C("<?xml version='1.0' encoding='utf-8' standalone='no' ?><a/>", 1),
    C("<?xml version = \"1.0\"  encoding = 'UTF-8'?><a/>", 1),
    C("<?xml version=\"1.1\"?><a/>", 1), C("<?xml version=\"x\"?><a/>", 1),
    C("<?xml version=\"\"?><a/>", 1), C("<?xml version=\"1 0\"?><a/>", 0),
    C("<?xml encoding=\"UTF-8\"?><a/>", 0), C("<?xml?><a/>", 0), C("<?xml ?><a/>", 0),
    C("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", 0),
    C("<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><a/>", 0),
    C("<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", 0),
    C("<?xml version=\"1.0\" foo=\"x\"?><a/>", 0),
    C("<?xml version=\"1.0\" encoding=\"\"?><a/>", 0),
    C("<?xml version=\"1.0\" encoding=\"8\"?><a/>", 0), C("<?xml version=1.0?><a/>", 0),
    C(" <?xml version=\"1.0\"?><a/>", 0), C("<a/><?xml version=\"1.0\"?>", 0),
    C("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>", 1),
    C("<?xml version=\"1.0\" encoding=\"UTF-8\"?><?xml version=\"1.0\"?><a/>", 0),
    /* not read: other encodings (skipped), a DTD (refused by both) */
    C("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>", 1),
    C("\xff\xfe<\0a\0/\0>\0", 1), C("<\0a\0/\0>\0", 1),
    C("<!DOCTYPE a><a/>", 0), C("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", 0),
    C("<a><!DOCTYPE a></a>", 0), C("<!doctype a><a/>", 0),
    /* a sheet */
    C("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet "
      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
      "<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"1\">"
      "<v>2.5E-3</v></c><c r=\"C1\" t=\"inlineStr\"><is><r><t xml:space=\"preserve\"> a "
      "</t></r><rPh><t>b</t></rPh></is></c></row></sheetData></worksheet>", 1),
};

/* Every case, whole and in blocks: the same verdict and events as expat. */
static void test_same_as_expat(void **state)
{
    (void)state;
    static const size_t chunks[] = {0, 1, 2, 3, 7, 64};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct xcase *c = &cases[i];
        struct xml_log l = {0};
        unsigned long line, col;
        int ok = xml_diff_expat(c->xml, c->len, &l, &line, &col);
        free(l.s);
        if (ok != c->ok)
            fail_msg("case %zu: expat %s it", i, ok ? "accepts" : "refuses");
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            const char *why;
            int r = xml_diff(c->xml, c->len, chunks[k], &why);
            if (r != XML_DIFF_SAME && r != XML_DIFF_SKIP)
                fail_msg("case %zu in blocks of %zu: %s", i, chunks[k], why);
        }
    }
}

/* A part handed over whole is scanned in windows of 64 KiB (xlsx_xml.c):
 * every case inside a root element, after text that puts the first
 * window's end 1, 2, 3, 5, 8 and 13 bytes into the case, read whole, gives
 * what expat gives. */
static void test_windows(void **state)
{
    (void)state;
    static const size_t into[] = {1, 2, 3, 5, 8, 13};
    const size_t window = 64 * 1024;
    char *doc = malloc(window + 4096);
    assert_non_null(doc);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct xcase *c = &cases[i];
        for (size_t k = 0; k < sizeof into / sizeof into[0] && into[k] < c->len; k++) {
            size_t pad = window - 3 - into[k];
            memcpy(doc, "<w>", 3);
            memset(doc + 3, 'y', pad);
            memcpy(doc + 3 + pad, c->xml, c->len);
            memcpy(doc + 3 + pad + c->len, "</w>", 4);
            const char *why;
            int r = xml_diff(doc, 3 + pad + c->len + 4, 0, &why);
            if (r != XML_DIFF_SAME && r != XML_DIFF_SKIP)
                fail_msg("case %zu, window ending %zu bytes into it: %s", i, into[k], why);
        }
    }
    free(doc);
}

/* The runs of attribute values and text read sixteen bytes at a time
 * (xlsx_xml_run_end) end where the byte-by-byte loop over the classes
 * ends them: every byte value at every place in 48 bytes, whatever their
 * end; then documents with long values and texts
 * (past 16 and 32 bytes) holding each byte that ends a run there, read
 * whole and in blocks, against expat. */
static void test_runs(void **state)
{
    (void)state;
    unsigned char buf[64];
    for (int b = 0; b < 256; b++)
        for (size_t m = 1; m <= 48; m++)
            for (size_t k = 0; k <= m; k++) {
                memset(buf, 'a', sizeof buf);
                buf[k] = (unsigned char)b;
                buf[m] = 0;   /* the NUL a buffer ends in */
                const unsigned char *pa = buf, *pt = buf;
                while (!(xlsx_xml_cls[*pa] & XLSX_K_AVAL))
                    pa++;
                while (!(xlsx_xml_cls[*pt] & XLSX_K_TEXT))
                    pt++;
                if (xlsx_xml_run_end(buf, buf + m, XLSX_K_AVAL) != pa ||
                    xlsx_xml_run_end(buf, buf + m, XLSX_K_TEXT) != pt)
                    fail_msg("byte 0x%02x at %zu of %zu: the run ends elsewhere", b, k, m);
            }
    static const char *const specials[] = {"&amp;", "&#233;", "\xc3\xa9", "\xe2\x82\xac",
                                           "\t", "\r\n", "\r", "\n", "<", "\"", "'", "]]>",
                                           "]", "\x01", "\x7f", "\xff", ">"};
    static const size_t at[] = {0, 15, 16, 17, 31, 32, 33, 40};
    static const size_t chunks[] = {0, 1, 7, 64};
    char doc[256], run[64];
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        for (size_t j = 0; j < sizeof at / sizeof at[0]; j++) {
            memset(run, 'x', at[j]);
            snprintf(run + at[j], sizeof run - at[j], "%s%s", specials[i], "yyyyyyyyyyyyyyyyyyyyyyy");
            for (int form = 0; form < 3; form++) {
                int n = form == 0   ? snprintf(doc, sizeof doc, "<a v=\"%s\" w='1'/>", run)
                        : form == 1 ? snprintf(doc, sizeof doc, "<a w='%s' v=\"1\"/>", run)
                                    : snprintf(doc, sizeof doc, "<a><b>%s</b>%s</a>", run, run);
                for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
                    const char *why;
                    int r = xml_diff(doc, (size_t)n, chunks[k], &why);
                    if (r != XML_DIFF_SAME && r != XML_DIFF_SKIP)
                        fail_msg("'%s' at %zu, form %d, blocks of %zu: %s", specials[i], at[j],
                                 form, chunks[k], why);
                }
            }
        }
}

/* The rest of a muted part checked in one pass (xlsx_xml.c's skim) says
 * what the reader says: every case, muted at its first and second start
 * tag, with the bytes cut at every place between the two calls; and a
 * sheet's tail of data validations, as a returned template has, with every
 * byte swapped for each of the bytes that matter to XML. The one pass must
 * have read the tail whole, and many of the cases. */
static void test_skim(void **state)
{
    (void)state;
    size_t skims = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int after = 0; after < 2; after++)
            for (size_t cut = 0; cut <= cases[i].len; cut++) {
                int sk;
                if (!xml_skim_same(cases[i].xml, cases[i].len, cut, after, &sk))
                    fail_msg("case %zu muted after %d, cut at %zu: not what the reader says", i,
                             after, cut);
                skims += (size_t)sk;
            }
    assert_true(skims > 100);
    static const char tail[] =
        "<?xml version=\"1.0\"?>\n<worksheet xmlns=\"urn:x\"><sheetData><row r=\"1\"/>"
        "</sheetData><sheetProtection sheet=\"true\" objects='1'/><dataValidations count=\"2\">"
        "<dataValidation type=\"decimal\" error=\"The value of I1_1_1a must be a number from 0 "
        "to 100 &amp; caf\xc3\xa9 &#x20AC;&lt;\" prompt=\"Type\ta\r\nnumber\" "
        "sqref=\"G2\"><formula1>0</formula1><formula2>1&amp;0 ]</formula2>"
        "</dataValidation><x:e a=\"1\" b=\"2\"  \n/></dataValidations>\r\n</worksheet>\n ";
    size_t n = sizeof tail - 1, at = (size_t)(strstr(tail, "</sheetData>") - tail);
    int sk;
    assert_true(xml_skim_same(tail, n, at, 1, &sk));
    assert_int_equal(sk, 1);
    static const char swap[] = {'<', '>', '"', '\'', '&', '/', '=', ' ', ']', '\r', '\x01',
                                '\x80', '\0', 'a'};
    char *m = malloc(n);
    assert_non_null(m);
    for (size_t k = at; k < n; k++)
        for (size_t j = 0; j < sizeof swap; j++) {
            memcpy(m, tail, n);
            if (m[k] == swap[j])
                continue;
            m[k] = swap[j];
            if (!xml_skim_same(m, n, at, 1, &sk))
                fail_msg("byte %zu as 0x%02x: not what the reader says", k,
                         (unsigned)(unsigned char)swap[j]);
        }
    for (size_t k = at; k < n; k++) {   /* cut short */
        if (!xml_skim_same(tail, k, at, 1, &sk))
            fail_msg("cut at %zu: not what the reader says", k);
    }
    free(m);
}

/* What the reader refuses that expat reads: encodings other than UTF-8. */
static void test_encodings(void **state)
{
    (void)state;
    const char *why;
    static const char latin[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>";
    static const char utf16[] = "\xff\xfe<\0a\0/\0>\0";
    assert_int_equal(xml_diff(latin, sizeof latin - 1, 0, &why), XML_DIFF_SKIP);
    assert_int_equal(xml_diff(utf16, sizeof utf16 - 1, 0, &why), XML_DIFF_SKIP);
    static const char utf8[] = "<?xml version=\"1.0\" encoding=\"Utf-8\"?><a/>";
    assert_int_equal(xml_diff(utf8, sizeof utf8 - 1, 0, &why), XML_DIFF_SAME);
}

/* Where errors point: the line and column expat gives, for the errors a
 * workbook is likely to have. */
static void test_positions(void **state)
{
    (void)state;
    static const struct xcase errs[] = {
        C("<a><b></a>", 0), C("<a>\n\n  <b></c>", 0), C("<a>\xc3\xa9\xc3\xa9<b></c>", 0),
        C("<?xml version=\"1.0\"?>\n<a>\n<b x=\"1\"></bb>", 0), C("<a>\r\n<b>\r</c>", 0),
        C("<a b=\"1\" b=\"2\"/>", 0), C("<a>&foo;</a>", 0), C("<a>&#0;</a>", 0),
        C("<a>\x01</a>", 0), C("<a>\xc3</a>", 0), C("<a>x", 0), C("<a><b>", 0), C("", 0),
        C("<a b=\"1\"c=\"2\"/>", 0), C("<a/>x", 0), C("<a>&am</a>", 0),
        C("<a><!-- a -- b --></a>", 0), C("<a><!--", 0), C("<a>&", 0),
    };
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        struct xml_log a = {0}, b = {0};
        unsigned long la, ca, lb, cb;
        enum xlsx_xml_status st;
        assert_false(xml_diff_expat(errs[i].xml, errs[i].len, &a, &la, &ca));
        assert_false(xml_diff_reader(errs[i].xml, errs[i].len, 3, &b, &st, &lb, &cb));
        if (la != lb || ca != cb)
            fail_msg("case %zu: expat at %lu:%lu, the reader at %lu:%lu (%s)", i, la, ca, lb,
                     cb, xlsx_xml_message(st));
        free(a.s);
        free(b.s);
    }
}

/* The messages: expat's wording for what both report. */
static void test_messages(void **state)
{
    (void)state;
    static const struct { const char *xml; enum xlsx_xml_status st; } m[] = {
        {"<a><b></a>", XLSX_XML_TAG_MISMATCH},
        {"<a>", XLSX_XML_NO_ELEMENTS},
        {"<a", XLSX_XML_UNCLOSED_TOKEN},
        {"<a>&x;</a>", XLSX_XML_UNDEFINED_ENTITY},
        {"<a b='' b=''/>", XLSX_XML_DUPLICATE_ATTRIBUTE},
        {"<a/><b/>", XLSX_XML_JUNK_AFTER_ROOT},
        {"<a>&#0;</a>", XLSX_XML_BAD_CHAR_REF},
        {"<a><?xml version='1.0'?></a>", XLSX_XML_MISPLACED_DECL},
        {"<?xml?><a/>", XLSX_XML_BAD_DECL},
        {"<a><![CDATA[", XLSX_XML_UNCLOSED_CDATA},
        {"<!DOCTYPE a><a/>", XLSX_XML_DTD},
        {"<a>\x02</a>", XLSX_XML_SYNTAX},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        struct xml_log l = {0};
        unsigned long line, col;
        enum xlsx_xml_status st;
        assert_false(xml_diff_reader(m[i].xml, strlen(m[i].xml), 0, &l, &st, &line, &col));
        assert_int_equal(st, m[i].st);
        free(l.s);
    }
    assert_string_equal(xlsx_xml_message(XLSX_XML_TAG_MISMATCH), "mismatched tag");
    assert_string_equal(xlsx_xml_message(XLSX_XML_NO_ELEMENTS), "no element found");
}

/* A handler that stops the reader at <b>: no handler after it, and what
 * follows (malformed here) is not read; parse returns 1 from then on. */
static struct xlsx_xml *stop_x;
static int stop_calls;

static void stop_start(void *ctx, const char *name, const char **atts)
{
    (void)ctx, (void)atts;
    stop_calls++;
    if (strcmp(name, "b") == 0)
        xlsx_xml_stop(stop_x);
}

static void test_stop(void **state)
{
    (void)state;
    static const char doc[] = "<a><b/><c/></d>";
    const struct xlsx_handlers h = {stop_start, NULL, NULL};
    stop_x = xlsx_xml_new(&h, NULL);
    assert_non_null(stop_x);
    void *buf = xlsx_xml_buffer(stop_x, sizeof doc);
    assert_non_null(buf);
    memcpy(buf, doc, sizeof doc - 1);
    assert_int_equal(xlsx_xml_parse(stop_x, sizeof doc - 1, 0), 1);
    assert_int_equal(stop_calls, 2);
    assert_non_null(xlsx_xml_buffer(stop_x, 16));
    assert_int_equal(xlsx_xml_parse(stop_x, 0, 1), 1);
    unsigned long line, col;
    assert_int_equal(xlsx_xml_error(stop_x, &line, &col), XLSX_XML_OK);
    xlsx_xml_free(stop_x);
    xlsx_xml_free(NULL);
}

/* The events and verdict of doc through reader x (reset first when
 * reset), text appended to log. 1 accepted. */
static int read_with(struct xlsx_xml *x, int reset, const char *doc, size_t len,
                     struct xml_log *l)
{
    const struct xlsx_handlers h = {xml_log_start, xml_log_end, xml_log_text};
    if (reset)
        xlsx_xml_reset(x, &h, l);
    void *buf = xlsx_xml_buffer(x, len);
    assert_non_null(buf);
    memcpy(buf, doc, len);
    return xlsx_xml_parse(x, len, 1) == 0;
}

/* A reader reset after a document whose tag has 5,000 attributes and
 * whose elements nest 5,000 deep (its arrays grown past what a reset
 * keeps) reads the next documents as a new reader does. */
static void test_reset(void **state)
{
    (void)state;
    size_t cap = 200000, n = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    n += (size_t)snprintf(big + n, cap - n, "<r");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(big + n, cap - n, " a%d='%d'", i, i);
    n += (size_t)snprintf(big + n, cap - n, ">");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(big + n, cap - n, "<b>");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(big + n, cap - n, "</b>");
    n += (size_t)snprintf(big + n, cap - n, "</r>");
    assert_true(n < cap - 1);
    static const char *const next[] = {
        "<?xml version='1.0'?>\n<a x='1' y=\"2\">t&amp;<b/>u</a>",
        "<a><b c='1' c='2'/></a>",   /* refused: the same attribute twice */
        "<a>\r\n<b>x</b></a>",
    };
    struct xml_log l = {0};
    const struct xlsx_handlers h = {xml_log_start, xml_log_end, xml_log_text};
    struct xlsx_xml *x = xlsx_xml_new(&h, &l);
    assert_non_null(x);
    assert_true(read_with(x, 0, big, n, &l));
    for (size_t i = 0; i < sizeof next / sizeof next[0]; i++) {
        struct xml_log a = {0}, b = {0};
        struct xlsx_xml *fresh = xlsx_xml_new(&h, &a);
        assert_non_null(fresh);
        int ra = read_with(fresh, 0, next[i], strlen(next[i]), &a),
            rb = read_with(x, 1, next[i], strlen(next[i]), &b);
        unsigned long la, ca, lb, cb;
        assert_int_equal(ra, rb);
        assert_int_equal(xlsx_xml_error(fresh, &la, &ca), xlsx_xml_error(x, &lb, &cb));
        assert_int_equal(la, lb);
        assert_int_equal(ca, cb);
        assert_string_equal(a.s ? a.s : "", b.s ? b.s : "");
        assert_int_equal(ra, i != 1);
        xlsx_xml_free(fresh);
        free(a.s);
        free(b.s);
    }
    xlsx_xml_free(x);
    free(l.s);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_expat), cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_positions),     cmocka_unit_test(test_messages),
        cmocka_unit_test(test_stop),          cmocka_unit_test(test_windows),
        cmocka_unit_test(test_runs),          cmocka_unit_test(test_skim),
        cmocka_unit_test(test_reset),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xml_diff_done();
    return rc;
}
