/* test_xlsx_read.c: the xlsx reader (engine/input/xlsx_read.h) on
 * workbooks built part by part here with minizip, each as small as the
 * point it makes: which sheet is read, what each kind of cell becomes
 * (shared, inline and rich strings, numbers, dates in both date systems,
 * booleans, formulas' cached values), empty rows and gaps, every problem
 * with the cell it is reported at, the limits, and the places diag writes
 * for sheets; and the scanners of a sheet's rows and of the shared strings
 * (xlsx_scan.c) held to the XML reader and its handlers, record by record
 * and message by message, on the shapes they read (cells in one pass,
 * entities, rich text runs, phonetic runs), on those they leave to the
 * reader, at the limits, on every cut and on every byte changed. The round trip through lcme template and the workbooks of
 * other programs are in tests/e2e/xlsx_returns.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <minizip/zip.h>
#include <pthread.h>

#include "testkit.h"
#include "xlsx_int.h"
#include "xlsx_read.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
           "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define PKG_RELS                                                                         \
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
    "<Relationship Id=\"rId1\" Type=\"" RT "officeDocument\" Target=\"xl/workbook.xml\"/>"    \
    "</Relationships>"
#define WB_ONE "<workbook " NS "><sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/>" \
               "</sheets></workbook>"
#define WB_RELS                                                                            \
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
    "<Relationship Id=\"rId1\" Type=\"" RT "worksheet\" Target=\"worksheets/sheet1.xml\"/>"   \
    "<Relationship Id=\"rId2\" Type=\"" RT "sharedStrings\" Target=\"sharedStrings.xml\"/>"   \
    "<Relationship Id=\"rId3\" Type=\"" RT "styles\" Target=\"styles.xml\"/>"                 \
    "</Relationships>"
#define SHEET(rows) "<worksheet " NS "><sheetData>" rows "</sheetData></worksheet>"

struct part {
    const char *name, *text;
};

/* A zip of the parts (text NULL: left out), read back into memory. */
static char *zip_parts(const struct part *p, size_t n, size_t *len)
{
    char path[256];
    tk_tmpfile(path, sizeof path, "xlsx");
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        if (!p[i].text)
            continue;
        assert_int_equal(zipOpenNewFileInZip64(z, p[i].name, NULL, NULL, 0, NULL, 0, NULL,
                                               Z_DEFLATED, Z_DEFAULT_COMPRESSION, 0),
                         ZIP_OK);
        assert_int_equal(zipWriteInFileInZip(z, p[i].text, (unsigned)strlen(p[i].text)),
                         ZIP_OK);
        assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    }
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
    char *data = tk_slurp(path, len);
    unlink(path);
    assert_non_null(data);
    return data;
}

/* A one-sheet workbook of the given sheet, shared strings and styles (NULL:
 * none), as the bytes of its file. */
static char *book_bytes(const char *sheet, const char *sst, const char *styles, size_t *len)
{
    const struct part p[] = {
        {"_rels/.rels", PKG_RELS},           {"xl/workbook.xml", WB_ONE},
        {"xl/_rels/workbook.xml.rels", WB_RELS}, {"xl/worksheets/sheet1.xml", sheet},
        {"xl/sharedStrings.xml", sst},        {"xl/styles.xml", styles},
    };
    return zip_parts(p, sizeof p / sizeof p[0], len);
}

/* That workbook opened; returns what xlsx_open_mem returned. */
static int open_book(struct csv **c, struct diag *d, const char *sheet, const char *sst,
                     const char *styles, const struct xlsx_limits *lim)
{
    size_t len;
    char *data = book_bytes(sheet, sst, styles, &len);
    int rc = xlsx_open_mem(c, "t.xlsx", data, len, lim, d);
    free(data);
    return rc;
}

/* The first problem, formatted. */
static const char *first(struct diag *d, char *buf, size_t len)
{
    assert_true(d->n > 0);
    diag_sort(d);
    return diag_format(d, 0, buf, len);
}

static char *read_all(const char *data, size_t len, int scan, int *scanned);

/* Next record must be row `row` with these fields (NULL-terminated). */
static void expect_row(struct csv *c, struct diag *d, long row, ...)
{
    assert_int_equal(csv_next(c, d), 1);
    assert_int_equal(c->line_no, row);
    va_list ap;
    va_start(ap, row);
    size_t i = 0;
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
        assert_true(i < c->nf);
        assert_string_equal(c->f[i], want);
        assert_int_equal(c->flen[i], strlen(want));
    }
    va_end(ap);
    assert_int_equal(c->nf, i);
}

static void test_cells(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    const char *sst = "<sst " NS "><si><t>unit</t></si><si><r><t>val</t></r><r><rPr><b/></rPr>"
                      "<t>ue</t></r><rPh><t>PHONETIC</t></rPh></si><si><t>a_x000D_b_x005F_x</t>"
                      "</si></sst>";
    const char *styles = "<styleSheet " NS "><numFmts><numFmt numFmtId=\"164\" "
                         "formatCode=\"yyyy\\-mm\\-dd\"/><numFmt numFmtId=\"165\" "
                         "formatCode=\"0.0&quot;d&quot;\"/></numFmts><cellStyleXfs>"
                         "<xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/>"
                         "<xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
                         "<xf numFmtId=\"22\"/></cellXfs></styleSheet>";
    const char *sheet = SHEET(
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c></row>"
        "<row r=\"3\"/><row r=\"4\"><c r=\"A4\" s=\"1\"/><c r=\"B4\" t=\"inlineStr\"><is><t/></is></c></row>"
        "<row r=\"5\"><c r=\"A5\"><v>87.4</v></c><c r=\"B5\" t=\"inlineStr\"><is><t>x</t>"
        "<r><t xml:space=\"preserve\"> y</t></r></is></c><c r=\"C5\" t=\"b\"><v>1</v></c></row>"
        "<row r=\"6\"><c r=\"A6\" s=\"1\"><v>46112</v></c><c r=\"B6\" s=\"2\"><v>60</v></c>"
        "<c r=\"C6\" s=\"3\"><v>1.5</v></c></row>"
        "<row r=\"7\"><c r=\"A7\" s=\"4\"><v>46112.354166666664</v></c><c r=\"B7\" "
        "t=\"str\"><f>A1&amp;\"\"</f><v>cached</v></c><c r=\"C7\"><f>1+1</f><v>2</v></c></row>"
        "<row r=\"8\"><c r=\"A8\" t=\"s\"><v>2</v></c><c t=\"d\"><v>2026-01-02</v></c>"
        "<c r=\"C8\" s=\"1\"><v>0.5</v></c></row>");
    assert_int_equal(open_book(&c, &d, sheet, sst, styles, NULL), 0);
    assert_string_equal(c->sheet, "Data");
    assert_int_equal(csv_header(c, &d), 1);
    assert_int_equal(c->line_no, 2);                 /* the first row with a value */
    assert_int_equal(c->nf, 3);                      /* up to its last one, C */
    assert_string_equal(c->f[0], "unit");
    assert_string_equal(c->f[1], "");                /* a gap */
    assert_string_equal(c->f[2], "value");           /* runs joined, phonetic left out */
    /* rows 3 and 4 hold nothing and are skipped */
    expect_row(c, &d, 5, "87.4", "x y", "TRUE", NULL);
    /* dates: 46112 is 2026-03-31; serial 60 is Excel's 1900-02-29; a
     * custom format with quoted text only is no date */
    expect_row(c, &d, 6, "2026-03-31", "1900-02-29", "1.5", NULL);
    expect_row(c, &d, 7, "2026-03-31T08:30:00", "cached", "2", NULL);
    expect_row(c, &d, 8, "a\rb_x", "2026-01-02", "12:00:00", NULL);
    assert_int_equal(csv_next(c, &d), 0);
    assert_int_equal(d.n, 0);
    csv_free(c);
    diag_free(&d);
}

static void test_sheet_choice(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    const char *wb = "<workbook " NS "><workbookPr date1904=\"1\"/><sheets>"
                     "<sheet name=\"Notes\" sheetId=\"1\" r:id=\"rId1\"/>"
                     "<sheet name=\"data\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>";
    const char *rels =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" RT "worksheet\" Target=\"/xl/worksheets/a.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"" RT "worksheet\" Target=\"sub/../worksheets/b.xml\"/>"
        "<Relationship Id=\"rId3\" Type=\"" RT "styles\" Target=\"styles.xml\"/>"
        "</Relationships>";
    /* prefixed element names, as some writers use */
    const char *b = "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/"
                    "2006/main\"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c><x:c s=\"1\">"
                    "<x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>";
    const struct part p[] = {
        {"_rels/.rels", PKG_RELS},
        {"xl/workbook.xml", wb},
        {"xl/_rels/workbook.xml.rels", rels},
        {"xl/worksheets/a.xml", SHEET("<row r=\"1\"><c r=\"A1\"><v>9</v></c></row>")},
        {"xl/worksheets/b.xml", b},
        {"xl/styles.xml", "<styleSheet " NS "><cellXfs><xf/><xf numFmtId=\"14\"/></cellXfs>"
                          "</styleSheet>"},
    };
    size_t len;
    char *data = zip_parts(p, sizeof p / sizeof p[0], &len);
    struct csv *c;
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", data, len, NULL, &d), 0);
    assert_string_equal(c->sheet, "data");           /* "Data" in any case wins */
    expect_row(c, &d, 1, "1", "1904-01-01", NULL);   /* no r attributes; 1904 dates */
    csv_free(c);
    free(data);
    diag_free(&d);
}

/* The styles are read once the rows are, and only when a number kept is
 * in a cell with a style: a plain export's broken styles part is never
 * read, a styled one's is refused; a row left out takes its styled
 * numbers with it (else the next row's number in the same place would be
 * shown as a date: 5 would read 1900-01-05). Fails when the styles are
 * read up front, or when a left-out row's styled cells are kept. */
static void test_styles_when_needed(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    char buf[512];
    const char *broken = "<styleSheet " NS "><cellXfs><xf numFmtId=\"14\"/></styleSheet>";
    const char *plain = SHEET("<row r=\"1\"><c r=\"A1\"><v>46112</v></c></row>");
    assert_int_equal(open_book(&c, &d, plain, NULL, broken, NULL), 0);
    expect_row(c, &d, 1, "46112", NULL);
    assert_int_equal(d.n, 0);
    csv_free(c);
    const char *styled = SHEET("<row r=\"1\"><c r=\"A1\" s=\"0\"><v>46112</v></c></row>");
    assert_int_equal(open_book(&c, &d, styled, NULL, broken, NULL), -1);
    assert_null(strstr(first(&d, buf, sizeof buf), "Data!"));
    assert_non_null(strstr(buf, "xl/styles.xml"));
    diag_clear(&d);

    const char *dates = "<styleSheet " NS "><cellXfs><xf/><xf numFmtId=\"14\"/></cellXfs>"
                        "</styleSheet>";
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"B1\" "
        "t=\"inlineStr\"><is><t>b</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>46112</v></c><c r=\"B2\" t=\"e\"><v>#N/A</v>"
        "</c></row>"
        "<row r=\"3\"><c r=\"A3\"><v>5</v></c><c r=\"B3\" s=\"1\"><v>46112</v></c></row>");
    /* a date counts against the text limit as its text, not as the number
     * it replaces, and a date past the limit is named at its cell:
     * 45000 (6 bytes with its NUL) is 2023-03-15 (11) */
    struct xlsx_limits lim = xlsx_limits_default();
    const char *one = SHEET("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>45000</v></c></row>");
    lim.max_text = 11;
    assert_int_equal(open_book(&c, &d, one, NULL, dates, &lim), 0);
    expect_row(c, &d, 1, "2023-03-15", NULL);
    assert_int_equal(d.n, 0);
    csv_free(c);
    lim.max_text = 10;
    assert_int_equal(open_book(&c, &d, one, NULL, dates, &lim), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx:Data!A1: error: the sheet holds "
                        "more than the 0 MiB of text a workbook may");
    diag_clear(&d);

    for (int scan = 0; scan < 2; scan++) {   /* through the reader, and the scanner */
        size_t len;
        char *data = book_bytes(sheet, NULL, dates, &len);
        int rc = xlsx_open_book(&c, "t.xlsx", data, len, NULL,
                                scan ? XLSX_SCAN_ROWS | XLSX_SCAN_ZIP : 0, NULL, &d);
        free(data);
        assert_int_equal(rc, 0);
        assert_int_equal(csv_header(c, &d), 1);
        expect_row(c, &d, 3, "5", "2026-03-31", NULL);
        assert_int_equal(csv_next(c, &d), -1);
        assert_int_equal(d.n, 1);   /* B2's error */
        csv_free(c);
        diag_clear(&d);
    }
    diag_free(&d);
}

/* The cell problems: each reported at its cell, its row left out, the
 * records ending with -1 so the file is never committed. */
static void test_cell_problems(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    char buf[512];
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"B1\" "
        "t=\"inlineStr\"><is><t>b</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\"><f>X()</f></c></row>"
        "<row r=\"3\"><c r=\"A3\"><v>2</v></c></row>"
        "<row r=\"4\"><c r=\"A4\" t=\"e\"><v>#N/A</v></c></row>"
        "<row r=\"5\"><c r=\"A5\"><v>abc</v></c><c r=\"C5\"><v>1</v></c></row>"
        "<row r=\"6\"><c r=\"B6\" t=\"s\"><v>7</v></c></row>"
        "<row r=\"7\"><c r=\"A7\" t=\"b\"><v>2</v></c><c r=\"D7\"><v>1</v></c></row>");
    assert_int_equal(open_book(&c, &d, sheet, NULL, NULL, NULL), 0);
    assert_int_equal(csv_header(c, &d), 1);
    expect_row(c, &d, 3, "2", "", NULL);             /* the only good row */
    assert_int_equal(csv_next(c, &d), -1);
    assert_int_equal(d.n, 7);
    diag_sort(&d);
    static const char *const want[] = {
        "t.xlsx:Data!B2: error: a formula without a cached value (the workbook was saved "
        "without calculating it: open it in a spreadsheet program and save it again)",
        "t.xlsx:Data!A4: error: the cell holds the error #N/A (a formula failed: correct it "
        "or clear the cell)",
        "t.xlsx:Data!A5: error: a number cell holds 'abc', which is not a number",
        "t.xlsx:Data!C5: error: a value right of the header (the header row ends at column B)",
        "t.xlsx:Data!B6: error: the cell refers to shared string '7' but the workbook has 0",
        "t.xlsx:Data!A7: error: a true/false cell holds '2'",
        "t.xlsx:Data!D7: error: a value right of the header (the header row ends at column B)",
    };
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(diag_format(&d, i, buf, sizeof buf), want[i]);
    csv_free(c);
    diag_clear(&d);

    /* a value right of the header; in the header row a problem stops it all */
    assert_int_equal(open_book(&c, &d,
                               SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\">"
                                     "<c r=\"A2\"><v>1</v></c><c r=\"AB2\"><v>5</v></c></row>"),
                               NULL, NULL, NULL), 0);
    assert_int_equal(csv_header(c, &d), 1);
    assert_int_equal(csv_next(c, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx:Data!AB2: error: a value right "
                        "of the header (the header row ends at column A)");
    csv_free(c);
    diag_clear(&d);
    assert_int_equal(open_book(&c, &d, SHEET("<row r=\"1\"><c r=\"A1\"><f>1</f></c></row>"),
                               NULL, NULL, NULL), -1);
    assert_null(c);
    diag_free(&d);
}

/* Problems that stop reading, and the file-level ones. */
static void test_fatal(void **state)
{
    (void)state;
    static const struct {
        const char *sheet, *want;
    } cases[] = {
        {SHEET("<row r=\"2\"/><row r=\"1\"/>"),
         "t.xlsx:Data!1:1: error: rows out of order: row 1 comes after row 2"},
        {SHEET("<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>"),
         "t.xlsx:Data!A1: error: cells out of order: this cell comes after column B of its row"},
        {SHEET("<row r=\"1\"><c r=\"A2\"><v>1</v></c></row>"),
         "t.xlsx:Data!1:1: error: cell reference 'A2' is not a cell of row 1"},
        {SHEET("<row r=\"1048577\"/>"),
         "t.xlsx: error: row number '1048577' in the sheet 'Data' is not one of a sheet's "
         "rows (1 to 1048576)"},
        {SHEET("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"),
         "t.xlsx:Data!XFE1: error: a cell right of the last column a sheet has (XFD)"},
        {"<!DOCTYPE x [<!ENTITY e \"eeee\">]>" SHEET(""),
         "t.xlsx: error: the workbook's XML declares a document type (DTD), which workbooks "
         "never do; it is not read"},
        {SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>1"),
         "t.xlsx:Data!A2: error: malformed XML in the part 'xl/worksheets/sheet1.xml': "
         "mismatched tag (its line 1, column 233)"},
    };
    char buf[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_init(&d);
        struct csv *c;
        assert_int_equal(open_book(&c, &d, cases[i].sheet, NULL, NULL, NULL), -1);
        assert_string_equal(first(&d, buf, sizeof buf), cases[i].want);
        diag_free(&d);
    }
}

/* Malformed XML anywhere in a part is refused, with the part, its line and
 * column, and reads the same with the scanner of the rows as without it:
 * before the rows, after an empty <sheetData/> (the shape fuzz_xlsx_scan
 * found, which the reader once took for an empty sheet, since it stopped
 * reading at the end of the rows), inside the rows, after </sheetData>, in
 * the shared strings and in the workbook part. Each place is where
 * Python's xml.etree (expat) puts the error, its column counted from 1;
 * only past the root element (the shared strings' case) does expat point
 * one byte further, inside the tag it calls an invalid token. */
static void test_malformed_anywhere(void **state)
{
    (void)state;
#define PART_ERR(part) "error: malformed XML in the part '" part "': "
#define TAIL "<pageMargins left=\"0.7\"/></sh54</v></worksheet>"
    static const struct {
        const char *sheet, *sst, *wb, *want;
    } cases[] = {
        {"<worksheet " NS "><sheetViews><sheetView workbookViewId=\"0\"><selection/></sh54"
         "</v></sheetView></sheetViews><sheetData/></worksheet>", NULL, NULL,
         "t.xlsx: " PART_ERR("xl/worksheets/sheet1.xml") "not well-formed (invalid token) "
         "(its line 1, column 216)"},
        {"<worksheet " NS "><sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
         "<sheetData pane=\"topRight\"/><selection pane=\"bottomRight\"/></sh54</v></c>"
         "</row><row r=\"2\"><c r=\"A2\"><v>1</v></c></row></worksheet>", NULL, NULL,
         "t.xlsx: " PART_ERR("xl/worksheets/sheet1.xml") "not well-formed (invalid token) "
         "(its line 1, column 277)"},
        {SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\">"
               "<v>1</x></c></row>"),
         NULL, NULL,
         "t.xlsx:Data!A2: " PART_ERR("xl/worksheets/sheet1.xml") "mismatched tag (its line "
         "1, column 233)"},
        {"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
         "</sheetData>" TAIL, NULL, NULL,
         "t.xlsx: " PART_ERR("xl/worksheets/sheet1.xml") "not well-formed (invalid token) "
         "(its line 1, column 249)"},
        {"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
         "</sheetData><pageMargins left=\"0.7\"", NULL, NULL,
         "t.xlsx: " PART_ERR("xl/worksheets/sheet1.xml") "unclosed token (its line 1, "
         "column 218)"},
        {"<worksheet " NS "><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
         "</sheetData></worksheet><x/>", NULL, NULL,
         "t.xlsx: " PART_ERR("xl/worksheets/sheet1.xml") "junk after document element (its "
         "line 1, column 230)"},
        {SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
         "<sst " NS "><si><t>unit</t></si></sst></sh54</v>", NULL,
         "t.xlsx: " PART_ERR("xl/sharedStrings.xml") "junk after document element (its line "
         "1, column 176)"},
        {SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), NULL,
         "<workbook " NS "><sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/>"
         "</sheets><calcPr/></sh54</v></workbook>",
         "t.xlsx: " PART_ERR("xl/workbook.xml") "not well-formed (invalid token) (its line "
         "1, column 231)"},
    };
#undef TAIL
#undef PART_ERR
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct part p[] = {
            {"_rels/.rels", PKG_RELS},
            {"xl/workbook.xml", cases[i].wb ? cases[i].wb : WB_ONE},
            {"xl/_rels/workbook.xml.rels", WB_RELS},
            {"xl/worksheets/sheet1.xml", cases[i].sheet},
            {"xl/sharedStrings.xml", cases[i].sst},
        };
        size_t len = 0, wl = strlen(cases[i].want);
        char *data = zip_parts(p, sizeof p / sizeof p[0], &len);
        char *a = read_all(data, len, 0, NULL), *b = read_all(data, len, 1, NULL);
        assert_string_equal(a, b);
        assert_memory_equal(a, "open -1\n", 8);
        assert_memory_equal(a + 8, cases[i].want, wl);
        assert_string_equal(a + 8 + wl, "\n");
        free(a);
        free(b);
        free(data);
    }
}

/* Limits: a long cell, too many cells, too much text, a big part. */
static void test_limits(void **state)
{
    (void)state;
    struct xlsx_limits lim = xlsx_limits_default();
    assert_int_equal(lim.max_cell, CSV_MAX_FIELD);
    lim.max_cell = 100;
    lim.max_cells = 6;
    lim.max_text = 4096;
    lim.max_part = 8192;
    size_t big = 50000;
    char *sheet = malloc(big + 512), *cells = malloc(big + 512), *bigsst = malloc(big + 512);
    assert_non_null(sheet);
    assert_non_null(cells);
    assert_non_null(bigsst);
    char *long_text = malloc(201);
    memset(long_text, 'x', 200);
    long_text[200] = '\0';
    snprintf(sheet, big, SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\">"
                               "<c r=\"A2\" t=\"inlineStr\"><is><t>%s</t></is></c></row>"),
             long_text);
    struct diag d;
    diag_init(&d);
    struct csv *c;
    char buf[512];
    assert_int_equal(open_book(&c, &d, sheet, NULL, NULL, &lim), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx:Data!A2: error: the cell's text "
                        "is longer than the 100 bytes a cell may hold");
    assert_int_equal(d.worst, LCME_ELIMIT);
    diag_clear(&d);
    /* header A..C, then rows of 3 cells: the third row passes 6 cells */
    assert_int_equal(open_book(&c, &d, SHEET("<row r=\"1\"><c r=\"C1\"><v>1</v></c></row>"
                                             "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>"
                                             "<row r=\"3\"><c r=\"A3\"><v>1</v></c></row>"),
                               NULL, NULL, &lim), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx:Data!3:3: error: the sheet has "
                        "more than 6 cells (counting the empty ones inside the header's "
                        "columns)");
    diag_clear(&d);
    /* 60 cells of 90 bytes pass 4096 bytes of text */
    size_t k = (size_t)sprintf(cells, "<row r=\"1\">");
    memset(long_text, 'y', 90);
    long_text[90] = '\0';
    for (int i = 0; i < 60; i++)
        k += (size_t)sprintf(cells + k, "<c t=\"inlineStr\"><is><t>%s</t></is></c>",
                             long_text);
    strcpy(cells + k, "</row>");
    snprintf(sheet, big + 512, SHEET("%s"), cells);
    lim.max_cells = 1000;
    assert_int_equal(open_book(&c, &d, sheet, NULL, NULL, &lim), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx:Data!AT1: error: the sheet holds "
                        "more than the 0 MiB of text a workbook may");
    diag_clear(&d);
    /* a sheet over max_part bytes once inflated: reported where reading was */
    lim.max_text = 1 << 20;
    k = 0;
    for (int r = 1; r <= 400; r++)
        k += (size_t)sprintf(cells + k, "<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c></row>", r, r,
                             r);
    snprintf(sheet, big + 512, SHEET("%s"), cells);
    assert_int_equal(open_book(&c, &d, sheet, NULL, NULL, &lim), -1);
    assert_int_equal(d.worst, LCME_ELIMIT);
    assert_non_null(strstr(first(&d, buf, sizeof buf), "error: the part "
                           "'xl/worksheets/sheet1.xml' is larger than the 0 MiB limit once "
                           "inflated"));
    diag_clear(&d);
    /* a shared string over the cell limit */
    snprintf(bigsst, big, "<sst " NS "><si><t>%s</t></si></sst>", long_text);
    lim.max_cell = 50;
    assert_int_equal(open_book(&c, &d, SHEET(""), bigsst, NULL, &lim), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: shared string 1 is longer "
                        "than the 50 bytes a cell may hold");
    free(long_text);
    free(sheet);
    free(cells);
    free(bigsst);
    diag_free(&d);
}

/* The package: not a zip, no workbook, no sheet, a chart, a missing part. */
static void test_package(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    char buf[512];
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", "unit,year\n", 10, NULL, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: not an xlsx workbook: the "
                        "file is not a zip package (a CSV file must be named .csv)");
    diag_clear(&d);
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", "PK\3\4 and then nothing", 21, NULL, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: not an xlsx workbook: the "
                        "zip package is damaged (its directory cannot be read)");
    diag_clear(&d);
    const char *chart_rels =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"" RT "chartsheet\" Target=\"chartsheets/c.xml\"/>"
        "</Relationships>";
    const struct part chart[] = {
        {"_rels/.rels", PKG_RELS},
        {"xl/workbook.xml", WB_ONE},
        {"xl/_rels/workbook.xml.rels", chart_rels},
    };
    size_t len = 0;
    char *data = zip_parts(chart, 3, &len);
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", data, len, NULL, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: the sheet 'Data' is a "
                        "chart, not a sheet of cells");
    free(data);
    diag_clear(&d);
    const struct part empty_wb[] = {
        {"_rels/.rels", PKG_RELS},
        {"xl/workbook.xml", "<workbook " NS "><sheets/></workbook>"},
    };
    data = zip_parts(empty_wb, 2, &len);
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", data, len, NULL, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: the workbook has no sheet");
    free(data);
    diag_clear(&d);
    const struct part no_office[] = {
        {"_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                        "relationships\"/>"},
    };
    data = zip_parts(no_office, 1, &len);
    assert_int_equal(xlsx_open_mem(&c, "t.xlsx", data, len, NULL, &d), -1);
    assert_string_equal(first(&d, buf, sizeof buf), "t.xlsx: error: not an xlsx workbook: the "
                        "package names no workbook (no officeDocument in _rels/.rels)");
    free(data);
    diag_free(&d);
}

/* Parts found in the zip's directory as unzLocateFile finds them: by name
 * in any case, the first of two entries with one name; and when an entry
 * cannot be listed (a name past the list's 1,024 bytes, before the
 * workbook's parts), by looking each part up in the zip itself. */
static void test_entries(void **state)
{
    (void)state;
    struct diag d;
    diag_init(&d);
    struct csv *c;
    char longname[1101];
    memset(longname, 'a', 1100);
    longname[1100] = '\0';
    const char *sheet1 = SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>first</t>"
                               "</is></c></row>");
    const char *sheet2 = SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>second</t>"
                               "</is></c></row>");
    for (int partial = 0; partial < 2; partial++) {
        const struct part p[] = {
            {partial ? longname : "docProps/app.xml", "<Properties/>"},
            {"_RELS/.rels", PKG_RELS},
            {"XL/Workbook.XML", WB_ONE},
            {"xl/_rels/workbook.xml.rels", WB_RELS},
            {"xl/worksheets/Sheet1.xml", sheet1},
            {"xl/worksheets/sheet1.xml", sheet2},
        };
        size_t len;
        char *data = zip_parts(p, sizeof p / sizeof p[0], &len);
        assert_int_equal(xlsx_open_mem(&c, "t.xlsx", data, len, NULL, &d), 0);
        assert_int_equal(csv_header(c, &d), 1);
        assert_string_equal(c->f[0], "first");
        assert_int_equal(d.n, 0);
        csv_free(c);
        free(data);
    }
    diag_free(&d);
}

/* The places diag writes for sheets, and CSV's unchanged. */
static void test_places(void **state)
{
    (void)state;
    char buf[256], col[8];
    assert_string_equal(diag_column_name(1, col), "A");
    assert_string_equal(diag_column_name(26, col), "Z");
    assert_string_equal(diag_column_name(27, col), "AA");
    assert_string_equal(diag_column_name(16384, col), "XFD");
    assert_string_equal(diag_column_name(0, col), "?");
    assert_string_equal(diag_place("r.xlsx", "Data", 14, 7, buf, sizeof buf), "r.xlsx:Data!G14");
    assert_string_equal(diag_place("r.xlsx", "My data", 3, 1, buf, sizeof buf),
                        "r.xlsx:'My data'!A3");
    assert_string_equal(diag_place("r.xlsx", "It's", 3, 0, buf, sizeof buf),
                        "r.xlsx:'It''s'!3:3");
    assert_string_equal(diag_place("r.xlsx", "2026", 3, 2, buf, sizeof buf), "r.xlsx:'2026'!B3");
    assert_string_equal(diag_place("r.xlsx", "數據", 3, 2, buf, sizeof buf), "r.xlsx:數據!B3");
    assert_string_equal(diag_place("r.xlsx", "Data", 0, 0, buf, sizeof buf), "r.xlsx");
    assert_string_equal(diag_place("d.csv", NULL, 4, 2, buf, sizeof buf), "d.csv:4:2");
    assert_string_equal(diag_place("d.csv", NULL, 4, 0, buf, sizeof buf), "d.csv:4");
    assert_int_equal(xlsx_is_workbook_name("a/B.XLSX"), 1);
    assert_int_equal(xlsx_is_workbook_name("b.xlsm"), 1);
    assert_int_equal(xlsx_is_workbook_name("b.xls"), 0);
    assert_int_equal(xlsx_is_workbook_name(".xlsx"), 0);
}

/* ---- the scanner against the reader ------------------------------------- */

static const char scan_sst[] = "<sst " NS "><si><t>unit</t></si><si><t>value</t></si>"
                               "<si><t>U1</t></si></sst>";
static const char scan_styles[] =
    "<styleSheet " NS "><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"
    "</numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "<xf numFmtId=\"0\"/><xf numFmtId=\"22\"/></cellXfs></styleSheet>";

/* Rows of the shapes the scanner reads: attributes in any order, either
 * quote, whitespace in tags and between them, entities, character
 * references, UTF-8, CR LF, empty cells, values and strings, rows and
 * cells without r=, formulas, _xHHHH_ escapes, booleans, dates. */
#define SCAN_ROWS                                                                        \
    "<row r=\"1\" spans=\"1:4\" x14ac:dyDescent=\"0.25\"><c r=\"A1\" t=\"s\"><v>0</v></c>" \
    "<c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c><c r=\"C1\" t=\"s\" s=\"0\">"      \
    "<v>1</v></c><c r=\"D1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> a &amp; b "   \
    "&lt;c&gt; &quot;&apos; &#233;&#x4E2D; ]x</t></is></c></row>"                          \
    "<row r=\"2\"><c s=\"1\" r=\"A2\"><v>46112</v></c><c t='inlineStr' r='B2'><is><t>"      \
    "caf\xc3\xa9\r\nl\rine_x000D_</t></is></c><c r=\"C2\" s=\"2\"><v>60</v></c>"           \
    "<c r=\"D2\" t=\"b\"><v>0</v></c></row><row r=\"3\"/>"                                  \
    "<row><c><v>1</v></c><c/><c t=\"str\"><f>A1&amp;\"x\"</f><v>cached</v></c>"              \
    "<c r=\"D4\" t=\"n\"><f t=\"shared\" si=\"0\"/><v>2.5E-3</v></c></row>"                 \
    "<row r=\"5\" >\n  <c r = \"A5\" s = '4' >\n    <v>46112.354166666664</v>\n  </c >\n"  \
    "  <c r=\"B5\"><v/></c><c r=\"C5\" t=\"inlineStr\"><is/></c><c r=\"D5\" t=\"s\">"       \
    "<v>2</v></c>\n</row >\n<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>x</t>\n<t>y"   \
    "</t></is></c><c r=\"B6\" t=\"d\"><v>2026-01-02</v></c><c r=\"c6\"><v>-1</v></c>"       \
    "<c r=\"D6\" t=\"b\"><v>1</v></c></row>"

/* All a reader of the workbook sees, as text: what xlsx_open_book
 * returned, each record (row, fields), what the last csv_next returned,
 * and every message. scan 0: the reader alone; lim NULL: the defaults.
 * Free the text. */
static char *read_all_lim(const char *data, size_t len, const struct xlsx_limits *lim,
                          int scan, int *scanned)
{
    struct diag d;
    diag_init(&d);
    struct csv *c = NULL;
    size_t cap = (size_t)1 << 20, n = 0;
    char *out = malloc(cap), buf[512];
    assert_non_null(out);
    int rc = xlsx_open_book(&c, "t.xlsx", data, len, lim, scan, scanned, &d);
    n += (size_t)snprintf(out + n, cap - n, "open %d\n", rc);
    if (rc == 0) {
        int r;
        while ((r = csv_next(c, &d)) > 0) {
            n += (size_t)snprintf(out + n, cap - n, "%ld:", c->line_no);
            for (size_t i = 0; i < c->nf; i++) {
                assert_int_equal(strlen(c->f[i]), c->flen[i]);
                n += (size_t)snprintf(out + n, cap - n, " [%s]", c->f[i]);
            }
            n += (size_t)snprintf(out + n, cap - n, "\n");
            assert_true(n < cap - 4096);
        }
        n += (size_t)snprintf(out + n, cap - n, "end %d\n", r);
    }
    for (size_t i = 0; i < d.n; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s\n", diag_format(&d, i, buf, sizeof buf));
    assert_true(n < cap);
    csv_free(c);
    diag_free(&d);
    return out;
}

static char *read_all(const char *data, size_t len, int scan, int *scanned)
{
    return read_all_lim(data, len, NULL, scan, scanned);
}

/* The workbook of this sheet reads the same with the scanner as without
 * it; the scanner read the rows exactly when want_scanned (-1: either). */
static void same_reading(const char *sheet, int want_scanned)
{
    size_t len;
    char *data = book_bytes(sheet, scan_sst, scan_styles, &len);
    int scanned = -1, off = -1;
    char *a = read_all(data, len, 0, &off), *b = read_all(data, len, 1, &scanned);
    assert_int_equal(off, 0);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "sheet: %s\nreader:\n%sscanner:\n%s", sheet, a, b);
    assert_string_equal(a, b);
    if (want_scanned >= 0)
        assert_int_equal(scanned, want_scanned);
    free(a);
    free(b);
    free(data);
}

/* same_reading of a sheet holding these rows. */
static void same_rows(const char *rows, int want_scanned)
{
    char sheet[4096];
    snprintf(sheet, sizeof sheet, "<worksheet " NS "><sheetData>%s</sheetData></worksheet>", rows);
    same_reading(sheet, want_scanned);
}

static void test_scan_shapes(void **state)
{
    (void)state;
    same_reading(SHEET(SCAN_ROWS), 1);
    same_reading("<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
                 "main\"><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" t=\"inlineStr\"><x:is>"
                 "<x:t>unit</x:t></x:is></x:c><x:c r=\"B1\"><x:v>1</x:v></x:c></x:row>"
                 "<x:row r=\"2\" x:r=\"3\"><x:c x:r=\"A2\" s=\"1\" x:s=\"0\"><x:v>46112"
                 "</x:v></x:c></x:row></x:sheetData></x:worksheet>", 1);
    same_reading(SHEET(""), 1);
    same_reading("<worksheet " NS "><sheetData/></worksheet>", 0);
    /* what the scanner leaves to the reader (0), and odd endings it reads (1) */
    static const struct { const char *rows; int scanned; } other[] = {
        {"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t><![CDATA[a<b\r\n]]></t></is></c>"
         "</row>", 0},
        {"<row r=\"1\"><!-- a comment --><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><?pi x?><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r>"
         "<rPh><t>P</t></rPh></is></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\" s=\"&#49;\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\" s=\"\t1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><extLst/><v>1</v></c><other/></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><other><row r=\"2\"/></other>", 0},
        {"<row r=\"1\"><c r=\"A1\" t=\"s\"><t>x</t><v>0</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><r\xc3\xa9/>", 0},
        /* problems: the reader reports them */
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c></row>"
         "<row r=\"2\"><c r=\"A2\"><v>n/a</v></c><c r=\"C2\"><v>3</v></c></row>"
         "<row r=\"3\"><c r=\"A3\" t=\"e\"><v>#N/A</v></c><c r=\"B3\"><f>1/0</f></c></row>"
         "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>9</v></c><c r=\"B4\" t=\"b\"><v>2</v></c></row>"
         "<row r=\"5\"><c r=\"A5\" t=\"zz\"><v>1</v></c></row>", 0},
        {"<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"1\"/>", 0},
        {"<row r=\"1\"><c r=\"B1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A2\"><v>1</v></c></row>", 0},
        {"<row r=\"0\"><c><v>1</v></c></row>", 0},
        /* malformed: the reader says where */
        {"<row r=\"1\"><c r=\"A1\"><v>1</x></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1\x01</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1\xff</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1\xc3</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>]]></v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>&foo;</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>&#0;</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\" r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"t=\"s\"><v>0</v></c></row>", 0},
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetDat>", 0},
        /* rows' tags: LibreOffice's seven attributes and Excel's, read by
         * scan_row_fast; any other shape goes the general way, and a name
         * twice (in either way) is malformed */
        {"<row r=\"1\" customFormat=\"false\" ht=\"12.8\" hidden=\"false\" "
         "customHeight=\"false\" outlineLevel=\"0\" collapsed=\"false\"><c r=\"A1\">"
         "<v>1</v></c></row><row r=\"2\" spans=\"1:2\" x14ac:dyDescent=\"0.25\" s=\"3\"><c "
         "r=\"A2\"><v>2</v></c></row><row spans='1:2'><c><v>3</v></c></row>", 1},
        {"<row r=\"1\" other=\"x\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"\tht=\"1\">"
         "<c r=\"A2\"><v>2</v></c></row><row r=\"3\" ht =\"1\"><c r=\"A3\"><v>3</v></c>"
         "</row><row r=\"4\" spans=\"1'2\"><c r=\"A4\"><v>4</v></c></row><row r=\"5\"/>"
         "<row r=\"6\" ht=\"1\"/>", 1},
        {"<row r=\"1\" ht=\"1\" ht=\"2\"><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\" r=\"1\"><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\" ht=\"1\"spans=\"1:1\"><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"1\" ht=\"1&amp;\"><c r=\"A1\"><v>1</v></c></row>", 0},
        {"<row r=\"01\" ht=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B01\"><v>2</v></c></row>", 1},
        {"<row r=\"1234567890\" ht=\"1\"><c><v>1</v></c></row>", 0},
        /* the sheet's rows end at the first </sheetData>, for both */
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData >", 1},
        {"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row ></sheetData\t>", 1},
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        same_rows(other[i].rows, other[i].scanned);
}

/* Every cut of sheet's XML from its <sheetData> on, and every step-th
 * byte of its rows changed to each byte of swap (nswap of them), read the
 * same with the scanner as without. */
static void cuts_and_swaps(const char *sheet, const char *swap, size_t nswap, size_t step)
{
    size_t n = strlen(sheet), from = (size_t)(strstr(sheet, "<sheetData>") - sheet);
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t k = from; k <= n; k++) {
        memcpy(s, sheet, k);
        s[k] = '\0';
        same_reading(s, k >= n - strlen("</worksheet>") ? 1 : 0);
    }
    for (size_t k = from + 11; k + 24 < n; k += step)
        for (size_t j = 0; j < nswap; j++) {
            memcpy(s, sheet, n + 1);
            if (s[k] == swap[j])
                continue;
            s[k] = swap[j];
            same_reading(s, -1);
        }
    free(s);
}

/* Cuts and changed bytes (cuts_and_swaps) of rows of every shape: bytes
 * that end tokens. */
static void test_scan_cuts(void **state)
{
    (void)state;
    static const char swap[] = {'<', '"', '>', '&', '\x01', '\x80'};
    cuts_and_swaps(SHEET(SCAN_ROWS), swap, sizeof swap, 3);
}

/* The reader hands the rows over from inside a 64 KiB window of its own
 * (xlsx_xml.c), and reads on from there when the scanner declines: with
 * the <sheetData> tag at each place around a window's end, the rows read
 * the same, whether the scanner reads them or not. */
static void test_scan_windows(void **state)
{
    (void)state;
    const char *head = "<worksheet " NS "><sheetPr><!--";
    const char *tail[] = {"--></sheetPr><sheetData>" SCAN_ROWS "</sheetData></worksheet>",
                          "--></sheetPr><sheetData>" SCAN_ROWS "<!-- the reader's -->"
                          "</sheetData></worksheet>"};
    size_t hl = strlen(head);
    char *s = malloc(70000 + strlen(tail[1]));
    assert_non_null(s);
    for (int k = 0; k < 2; k++)
        for (size_t pad = 65536 - hl - 40; pad < 65536 - hl + 8; pad++) {
            memcpy(s, head, hl);
            memset(s + hl, 'x', pad);
            memcpy(s + hl + pad, tail[k], strlen(tail[k]) + 1);
            same_reading(s, k == 0);
        }
    free(s);
}


/* Cells at the edges of the scanner's one-pass shape (scan_cell_fast):
 * each reads as the reader reads it, whether the one pass or the general
 * path takes it. */
static void test_scan_fast_cells(void **state)
{
    (void)state;
    static const char *rows[] = {
        /* the one pass: r, s, t in any order, either quote, empty cells */
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c s=\"3\" t=\"s\" r=\"B1\"><v>1</v>"
        "</c><c r='C1' t='s'><v>2</v></c><c r=\"D1\"/><c/><c><v>7</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>46112</v></c><c r=\"B2\"><v></v></c>"
        "<c r=\"C2\"><v>1\t2\n3</v></c><c r=\"D2\" s=\"0\"/></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>U001</t></is></c><c r=\"B3\" "
        "t=\"inlineStr\"><is><t></t></is></c><c t=\"inlineStr\" r=\"C3\"><is><t> x\n</t>"
        "</is></c><c r=\"D3\" t=\"str\"><is><t>y</t></is></c></row>",
        /* the general path: spaces, other attributes, prefixes, references */
        "<row r=\"1\"><c  r=\"A1\"><v>1</v></c><c r=\"B1\" ><v>2</v></c>"
        "<c r =\"C1\"><v>3</v></c><c r=\"D1\" cm=\"1\"><v>4</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" x:r=\"A2\"><v>1</v></c><c r=\"B2\"><v >2</v></c>"
        "<c r=\"C2\"><v>3</v ></c><c r=\"D2\"><v>&#52;</v></c></row>"
        "<row r=\"3\"><c r=\"A3\"><v>1</v></c ><c r=\"B3\" u=\"1\"><v>2</v></c>"
        "<c r=\"C3\"><f>A3</f><v>3</v></c><c r=\"D3\" t=\"s\"><v>2</v><extLst/></c></row>"
        "<row r=\"4\"><c r=\"A4\" s=\"1\" /><c r=\"B4\"><v>2\r</v></c><c r=\"C4\"><v>3]</v>"
        "</c><c r=\"D4\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
        "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t xml:space=\"preserve\">a</t></is>"
        "</c><c r=\"B5\" t=\"inlineStr\"><is><t>a</t><t>b</t></is></c><c r=\"C5\" "
        "t=\"inlineStr\"><is><t>a</t></is ></c><c r=\"D5\" t=\"inlineStr\"><is><t>&amp;"
        "</t></is></c></row>"
        "<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"B6\" "
        "t=\"inlineStr\"><is><r><t>a</t></r></is></c><c r=\"C6\" t=\"inlineStr\"><is><t>"
        "a</t></is><v>1</v></c><c r=\"D6\" t=\"inlineStr\"><is><t>a</t></is></c ></row>",
        /* values at the length kept, and one past it */
        "<row r=\"1\"><c r=\"A1\" s=\"00000000000000000000001\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" s=\"000000000000000000000001\"><v>1</v></c></row>",
        /* problems in cells of the one-pass shape: the reader reports them */
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c></row>"
        "<row r=\"2\"><c r=\"A2\"><v>n/a</v></c><c r=\"B2\" t=\"s\"><v>9</v></c></row>"
        "<row r=\"3\"><c r=\"B3\"><v>1</v></c><c r=\"A3\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"A1\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A2\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" r=\"A1\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"s\"t=\"s\"><v>0</v></c></row>",
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>1</v></x>"
        "</row>",
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>0</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"e\"><v>#N/A</v></c></row>",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        same_rows(rows[i], -1);
    same_reading(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\"/><c r=\"C1\">"
                       "<v>2</v></c></row>"), 1);
    /* a cell's text over the limit in the one pass: the reader reports it */
    struct xlsx_limits lim = xlsx_limits_default();
    lim.max_cell = 5;
    size_t len;
    char *data = book_bytes(SHEET("<row r=\"1\"><c r=\"A1\"><v>123456</v></c></row>"), scan_sst,
                            scan_styles, &len);
    int scanned = -1;
    char *a = read_all_lim(data, len, &lim, 0, NULL), *b = read_all_lim(data, len, &lim, 1,
                                                                          &scanned);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "t.xlsx:Data!A1: error: the cell's text is longer than the 5 "
                              "bytes a cell may hold"));
    assert_int_equal(scanned, 0);
    free(a);
    free(b);
    free(data);
}

/* Rows as Gnumeric writes them: indented, a line per tag (body_spaced). */
#define SPACED_ROWS                                                                      \
    "\n    <row r=\"1\" spans=\"1:3\">\n      <c r=\"A1\" t=\"inlineStr\">\n        <is>\n"   \
    "          <t>unit</t>\n        </is>\n      </c>\n      <c r=\"B1\" t=\"s\">\n"         \
    "        <v>0</v>\n      </c>\n      <c r=\"C1\" t=\"inlineStr\"><is>\t<t>value</t>"   \
    "\r\n</is>\r\n</c>\n    </row>\n    <row r=\"2\" spans=\"1:3\">\n      <c r=\"A2\" "    \
    "t=\"inlineStr\">\n        <is>\n          <t>U001</t>\n        </is>\n      </c>\n"   \
    "      <c r=\"B2\" s=\"1\">\n        <v>46112</v>\n      </c>\n      <c r=\"C2\">"      \
    "<v>63.7000000000000000007</v>  </c>\n      <c r=\"D2\"/>\n    </row>\n  "

/* Cells and rows with whitespace between their elements: each reads as
 * the reader reads it, whether body_spaced takes it or the general path;
 * then cuts and changed bytes of such rows (cuts_and_swaps), with bytes
 * that end tokens or are whitespace. */
static void test_scan_spaced_cells(void **state)
{
    (void)state;
    same_reading(SHEET(SPACED_ROWS), 1);
    static const char *rows[] = {
        /* body_spaced's edges: whitespace of each kind, none, an empty value */
        "<row r=\"1\"> <c r=\"A1\"> <v>1</v> </c> <c r=\"B1\">\t<v></v>\r</c>"
        "<c r=\"C1\" t=\"inlineStr\">\n<is>\n<t> a </t>\n</is>\n</c>"
        "<c r=\"D1\" t=\"inlineStr\"><is>\n<t></t></is></c></row>",
        /* the general path: text that is not whitespace, other children,
         * runs, an end tag spaced inside, a value that is not plain */
        "<row r=\"1\"><c r=\"A1\">x<v>1</v></c><c r=\"B1\">\n<v>2</v>\ny</c>"
        "<c r=\"C1\">\n<f>A1</f>\n<v>3</v>\n</c><c r=\"D1\">\n<v>4</v>\n<extLst/></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\">\n<is>\n<t>a</t>\n<t>b</t>\n</is></c>"
        "<c r=\"B2\" t=\"inlineStr\">\n<is>\n<r><t>a</t></r></is></c><c r=\"C2\" "
        "t=\"inlineStr\">\n<is>\n<t>a</t>\n</is >\n</c><c r=\"D2\">\n<v>&#52;</v>\n</c></row>"
        "<row r=\"3\"><c r=\"A3\">\n<v>1</v >\n</c><c r=\"B3\">\n<v >2</v>\n</c>"
        "<c r=\"C3\">\n<v>3</v>\n</c ><c r=\"D3\">\n<is><t>x</t></is>\n</c></row>",
        /* malformed and problems: the reader says where */
        "<row r=\"1\"><c r=\"A1\">\n<v>1</v>\n</x></row>",
        "<row r=\"1\"><c r=\"A1\">\n<v>1</x>\n</c></row>",
        "<row r=\"1\"><c r=\"A1\">\n<v>1</v>\n\x01</c></row>",
        "<row r=\"1\">\n<c r=\"A1\">\n<v>n/a</v>\n</c>\n</row>\n<row r=\"1\"/>",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        same_rows(rows[i], -1);
    static const char swap[] = {'<', '>', '/', ' ', '\n', 'x', '&', '\x01'};
    cuts_and_swaps(SHEET(SPACED_ROWS), swap, sizeof swap, 1);
}

/* ---- the scanner of the shared strings against the reader --------------- */

/* A sheet whose rows show shared strings 0 to 11 (those past the count are
 * problems, the same either way). */
#define SST_SHEET                                                                           \
    SHEET("<row r=\"1\"><c t=\"inlineStr\"><is><t>k</t></is></c><c t=\"inlineStr\"><is><t>" \
          "v</t></is></c></row>"                                                           \
          "<row r=\"2\"><c><v>0</v></c><c t=\"s\"><v>0</v></c></row>"                      \
          "<row r=\"3\"><c><v>1</v></c><c t=\"s\"><v>1</v></c></row>"                      \
          "<row r=\"4\"><c><v>2</v></c><c t=\"s\"><v>2</v></c></row>"                      \
          "<row r=\"5\"><c><v>3</v></c><c t=\"s\"><v>3</v></c></row>"                      \
          "<row r=\"6\"><c><v>4</v></c><c t=\"s\"><v>4</v></c></row>"                      \
          "<row r=\"7\"><c><v>5</v></c><c t=\"s\"><v>5</v></c></row>"                      \
          "<row r=\"8\"><c><v>6</v></c><c t=\"s\"><v>6</v></c></row>"                      \
          "<row r=\"9\"><c><v>7</v></c><c t=\"s\"><v>7</v></c></row>"                      \
          "<row r=\"10\"><c><v>8</v></c><c t=\"s\"><v>8</v></c></row>"                     \
          "<row r=\"11\"><c><v>9</v></c><c t=\"s\"><v>9</v></c></row>"                     \
          "<row r=\"12\"><c><v>10</v></c><c t=\"s\"><v>10</v></c></row>"                   \
          "<row r=\"13\"><c><v>11</v></c><c t=\"s\"><v>11</v></c></row>")

/* The workbook of these shared strings reads the same with their scanner
 * as without it (under lim; NULL: the defaults); the scanner read them
 * exactly when want_scanned (-1: either). */
static void same_strings_lim(const char *sst, const struct xlsx_limits *lim, int want_scanned)
{
    size_t len;
    char *data = book_bytes(SST_SHEET, sst, NULL, &len);
    int scanned = -1, off = -1;
    char *a = read_all_lim(data, len, lim, 0, &off);
    char *b = read_all_lim(data, len, lim, XLSX_SCAN_ROWS | XLSX_SCAN_SST, &scanned);
    assert_int_equal(off, 0);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "sst: %s\nreader:\n%sscanner:\n%s", sst, a, b);
    assert_string_equal(a, b);
    if (want_scanned >= 0)
        assert_int_equal((scanned & XLSX_SCAN_SST) != 0, want_scanned);
    free(a);
    free(b);
    free(data);
}

static void same_strings(const char *sst, int want_scanned)
{
    same_strings_lim(sst, NULL, want_scanned);
}

/* Strings of the shapes the scanner reads: plain, entities and character
 * references, CR LF, _xHHHH_ escapes, UTF-8, xml:space, rich text runs
 * with their properties, phonetic runs and their properties (skipped),
 * empty strings, whitespace and stray text between tags (not kept). */
#define SST_ITEMS                                                                           \
    "<si><t>unit</t></si>"                                                                  \
    "<si><t>a &amp; b &lt;c&gt; &quot;&apos; &#233;&#x4E2D; ]x</t></si>"                    \
    "<si><t xml:space=\"preserve\"> l1\r\nl2\rl3_x000D_ </t></si>"                          \
    "<si><r><rPr><b/><sz val=\"11\"/><color rgb=\"FFFF0000\"/><rFont val=\"Calibri\"/>"     \
    "</rPr><t>bold</t></r><r><t xml:space='preserve'> &amp; plain</t></r><r/></si>"         \
    "<si><t>\xe6\x9d\xb1\xe4\xba\xac</t><rPh sb=\"0\" eb=\"2\"><t>\xe3\x83\x88\xe3\x82\xa6"  \
    "</t></rPh><rPh sb=\"2\" eb=\"2\"/><phoneticPr fontId=\"1\" type=\"noConversion\"/></si>" \
    "<si/><si></si><si><t/></si>"                                                           \
    "\n  <si>\n    <t>x</t>\n  </si >\n"                                                   \
    "<si>stray<r><rPr/><t>y</t></r>text<t>z</t></si>"

static void test_sst_shapes(void **state)
{
    (void)state;
    same_strings("<sst " NS ">" SST_ITEMS "</sst>", 1);
    same_strings("<sst " NS " count=\"3\" uniqueCount=\"3\"><si><t>a</t></si><si><t>b</t>"
                 "</si><si><t>c</t></si></sst>", 1);
    same_strings("<sst " NS "/>", 0);
    same_strings("<sst " NS "></sst>", 1);
    same_strings("<x:sst xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                 "<x:si><x:t>p</x:t></x:si><x:si><x:r><x:t>q</x:t></x:r><x:rPh><x:t>r</x:t>"
                 "</x:rPh></x:si></x:sst>", 1);
    /* LibreOffice's strings: <t xml:space="preserve">, read in one pass,
       with what that pass leaves to the scanner's general path (a
       reference, a CR, a byte past ASCII, text of 16 bytes and more) */
    same_strings("<sst " NS "><si><t xml:space=\"preserve\">Adult literacy rate (aged 15 and over)"
                 "</t></si><si><t xml:space=\"preserve\"> a </t></si><si><t xml:space=\"preserve\">"
                 "</t></si><si><t xml:space=\"preserve\">Fill in the sheet &apos;Data&apos;</t></si>"
                 "<si><t xml:space=\"preserve\">a\r\nb\rc, caf\xc3\xa9 ]</t></si>"
                 "<si><t xml:space='preserve'>q</t></si><si><t xml:space=\"default\">r</t></si>"
                 "<si><t xml:space=\"preserve\">s</t><phoneticPr fontId=\"1\"/></si></sst>", 1);
    /* what the scanner leaves to the reader (0) */
    static const char *other[] = {
        "<si><t xml:space=\"preserve\">a</t></si><si><t xml:space=\"preserve\">b</x></si>",
        "<si><t xml:space=\"preserve\">0123456789abcdef0123456789]]></t></si>",
        "<si><t xml:space=\"preserve\">0123456789abcdef0123456789\x02</t></si>",
        /* an empty <si/> below a run's properties or a phonetic run: the
           reader keeps a string for it */
        "<si><r><rPr><si/></rPr><t>a</t></r></si>",
        "<si><rPh><si/></rPh><t>a</t></si>",
        "<si><rPh sb=\"0\"><t>x</t><si/></rPh><t>a</t></si>",
        "<si><phoneticPr><si/></phoneticPr><t>a</t></si>",
        "<si><t>a<b/>c</t></si>",
        "<si><foo/><t>a</t></si>",
        "<si><!-- c --><t>a</t></si>",
        "<si><t><![CDATA[a<b]]></t></si>",
        "<si><?pi x?><t>a</t></si>",
        "<si><r><rPr><b>x</b></rPr><t>a</t></r></si>",
        "<si><r><t>a</t><foo/></r></si>",
        "<si><rPh><r><t>x</t></r></rPh><t>a</t></si>",
        "<si><rPh><t>x<b/></t></rPh><t>a</t></si>",
        "<si><phoneticPr><x>y</x></phoneticPr><t>a</t></si>",
        "<si><t>a</t></si><extLst/>",
        "<si><si><t>a</t></si></si>",
        "<t>a</t><si><t>b</t></si>",
        "<si><t a=\"&amp;\">a</t></si>",
        /* malformed: the reader says where */
        "<si><t>a</x></si>",
        "<si><t>&foo;</t></si>",
        "<si><t>]]></t></si>",
        "<si><t>a\x01</t></si>",
        "<si><t>a\xff</t></si>",
        "<si><t>a\xc3</t></si>",
        "<si><t>a</t></si></ss>",
        "<si><t a=\"1\" a=\"2\">a</t></si>",
        "<si><t>a</t>",
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        char sst[1024];
        snprintf(sst, sizeof sst, "<sst " NS ">%s</sst>", other[i]);
        same_strings(sst, 0);
    }
    same_strings("<root><sst " NS "><si><t>a</t></si></sst></root>", 0);
    same_strings("<sst " NS "><si><t>a</t></si></sst><!-- after -->", 1);
    same_strings("<sst " NS "><si><t>a</t></si></sst><after/>", 1);
    /* the limits: the reader reports them, at the same string */
    struct xlsx_limits lim = xlsx_limits_default();
    lim.max_cell = 6;
    same_strings_lim("<sst " NS "><si><t>abc</t></si><si><t>abcdefg</t></si></sst>", &lim, 0);
    same_strings_lim("<sst " NS "><si><r><t>abc</t></r><r><t>defg</t></r></si></sst>", &lim, 0);
    same_strings_lim("<sst " NS "><si><t>abc&amp;def</t></si></sst>", &lim, 0);
    lim = xlsx_limits_default();
    lim.max_text = 8192;
    char *big = malloc(20000);
    assert_non_null(big);
    size_t k = (size_t)sprintf(big, "<sst " NS ">");
    for (int i = 0; i < 200; i++)
        k += (size_t)sprintf(big + k, "<si><t>string %03d of two hundred, 50 bytes long</t></si>", i);
    strcpy(big + k, "</sst>");
    same_strings_lim(big, &lim, 0);
    lim.max_text = 1 << 20;
    same_strings_lim(big, &lim, 1);
    free(big);
}

/* Every cut of the shared strings' XML, and every byte of its strings
 * changed to one of a few that end tokens, read the same with the scanner
 * as without. */
static void test_sst_cuts(void **state)
{
    (void)state;
    const char *sst = "<sst " NS ">" SST_ITEMS "</sst>";
    size_t n = strlen(sst), from = (size_t)(strchr(sst, '>') - sst) + 1;
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t k = from; k <= n; k++) {
        memcpy(s, sst, k);
        s[k] = '\0';
        same_strings(s, k == n ? 1 : 0);
    }
    static const char swap[] = {'<', '"', '>', '&', '/', '\x01', '\x80'};
    for (size_t k = from; k + 6 < n; k++)
        for (size_t j = 0; j < sizeof swap; j++) {
            memcpy(s, sst, n + 1);
            if (s[k] == swap[j])
                continue;
            s[k] = swap[j];
            same_strings(s, -1);
        }
    free(s);
}

/* ---- the zip's directory (xlsx_dir.c) ------------------------------------ */

/* The workbook reads the same with xlsx_dir.c as with minizip alone,
 * record by record and message by message; *dir whether xlsx_dir.c read
 * the directory. */
static void same_zip(const char *data, size_t len, int *dir)
{
    int s0 = 0, s1 = 0;
    char *a = read_all(data, len, XLSX_SCAN_ROWS | XLSX_SCAN_SST, &s0),
         *b = read_all(data, len, XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP, &s1);
    assert_int_equal(s0 & XLSX_SCAN_ZIP, 0);
    if (strcmp(a, b) != 0)
        fprintf(stderr, "minizip:\n%sxlsx_dir.c:\n%s", a, b);
    assert_string_equal(a, b);
    *dir = (s1 & XLSX_SCAN_ZIP) != 0;
    free(a);
    free(b);
}

static unsigned le16(const unsigned char *p)
{
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const unsigned char *p)
{
    return (unsigned long)le16(p) | (unsigned long)le16(p + 2) << 16;
}

/* Every byte of the zip's structure changed, one at a time, to each of
 * four values (its low bit flipped, 0, 0xFF, one more): the end record,
 * every directory entry, every local header with its name; then the file
 * cut short at its last 64 bytes, and bytes added after its end. Returns
 * how many of those xlsx_dir.c read itself (the others it left to
 * minizip). */
static size_t zip_mutations(const char *orig, size_t len)
{
    const unsigned char *u = (const unsigned char *)orig;
    size_t end = len - 22, cd = le32(u + end + 16), read = 0;
    unsigned char *m = malloc(len + 64);
    assert_non_null(m);
    /* the places: [cd, len) and each local header */
    size_t *from = malloc(sizeof *from * 512), *to = malloc(sizeof *to * 512), nr = 0;
    assert_true(from && to);
    from[nr] = cd;
    to[nr++] = len;
    for (size_t at = cd; at + 46 <= end && nr < 512; at += 46 + le16(u + at + 28) +
                                                           le16(u + at + 30) + le16(u + at + 32)) {
        size_t local = le32(u + at + 42);
        from[nr] = local;
        to[nr++] = local + 30 + le16(u + at + 28);
    }
    for (size_t r = 0; r < nr; r++)
        for (size_t k = from[r]; k < to[r]; k++) {
            const unsigned char v[4] = {(unsigned char)(u[k] ^ 1), 0, 0xFF,
                                        (unsigned char)(u[k] + 1)};
            for (int j = 0; j < 4; j++) {
                if (v[j] == u[k])
                    continue;
                memcpy(m, orig, len);
                m[k] = v[j];
                int dir;
                same_zip((const char *)m, len, &dir);
                read += (size_t)dir;
            }
        }
    for (size_t cut = 1; cut <= 64 && cut < len; cut++) {
        int dir;
        same_zip(orig, len - cut, &dir);
        read += (size_t)dir;
    }
    static const char *const tails[] = {"\0", "junk", "PK\5\6", "PK\6\7xxxxxxxxxxxxxxxx"};
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        size_t n = t == 0 ? 1 : strlen(tails[t]);
        memcpy(m, orig, len);
        memcpy(m + len, tails[t], n);
        int dir;
        same_zip((const char *)m, len + n, &dir);
        read += (size_t)dir;
    }
    free(from);
    free(to);
    free(m);
    return read;
}

/* The zip's directory read by xlsx_dir.c gives what minizip gives: the
 * workbooks of every program in tests/data and the fuzzing corpus (which
 * it reads itself: plain zips of libxlsxwriter, Gnumeric and LibreOffice,
 * data descriptors and extra fields included), the damaged ones of
 * tests/data/bad, zips built here with names past the limit and in other
 * cases, and every byte of three workbooks' zip structure changed. */
static void test_zip_directory(void **state)
{
    (void)state;
    static const char *const plain[] = {
        "tests/data/good/hk-wan-chai-2026.libreoffice.xlsx",
        "tests/data/good/hk-2026.ssconvert.xlsx",
        "tests/data/good/mini-long.libreoffice.xlsx",
        "tests/data/good/mini-wide.ssconvert.xlsx",
        "tests/fuzz/corpus/xlsx/lcme-workbook.xlsx",
        "tests/fuzz/corpus/xlsx/template-filled.xlsx",
        "tests/fuzz/corpus/xlsx/template-filled-stored.xlsx",
        "tests/fuzz/corpus/xlsx/libreoffice-wide-stored.xlsx",
        "tests/fuzz/corpus/xlsx/ssconvert-long-stored.xlsx",
    };
    static const char *const other[] = {
        "tests/fuzz/corpus/xlsx/data-xlsx-damaged.xlsx",
        "tests/fuzz/corpus/xlsx/data-xlsx-not-zip.xlsx",
        "tests/fuzz/corpus/xlsx/data-xlsx-old-xls.xlsx",
        "tests/fuzz/corpus/xlsx/data-xlsx-no-workbook.xlsx",
        "tests/fuzz/corpus/xlsx/crash-sheetdata-empty-then-junk.xlsx",
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] + sizeof other / sizeof other[0]; i++) {
        int isplain = i < sizeof plain / sizeof plain[0];
        const char *name = isplain ? plain[i] : other[i - sizeof plain / sizeof plain[0]];
        size_t len;
        char *data = tk_slurpf(&len, "%s/%s", LCME_SOURCE_DIR, name);
        assert_non_null(data);
        int dir;
        same_zip(data, len, &dir);
        if (isplain && !dir)
            fail_msg("%s: xlsx_dir.c left it to minizip", name);
        free(data);
    }
    /* zips built here: names in other cases, a name past the limit */
    char longname[1101];
    memset(longname, 'a', 1100);
    longname[1100] = '\0';
    const char *sheet = SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>k</t></is></c>"
                              "</row><row r=\"2\"><c r=\"A2\"><v>1</v></c></row>");
    for (int lng = 0; lng < 2; lng++) {
        const struct part p[] = {
            {lng ? longname : "docProps/app.xml", "<Properties/>"},
            {"_RELS/.rels", PKG_RELS},
            {"XL/Workbook.XML", WB_ONE},
            {"xl/_rels/workbook.xml.rels", WB_RELS},
            {"xl/worksheets/sheet1.xml", sheet},
        };
        size_t len;
        char *data = zip_parts(p, sizeof p / sizeof p[0], &len);
        int dir;
        same_zip(data, len, &dir);
        assert_int_equal(dir, !lng);
        if (!lng)
            assert_true(zip_mutations(data, len) > 0);
        free(data);
    }
    /* every byte of the structure of a LibreOffice workbook (data
       descriptors) and a Gnumeric one (extra fields) */
    static const char *const mutated[] = {"tests/data/good/mini-long.libreoffice.xlsx",
                                          "tests/data/good/mini-long.ssconvert.xlsx"};
    for (size_t i = 0; i < sizeof mutated / sizeof mutated[0]; i++) {
        size_t len;
        char *data = tk_slurpf(&len, "%s/%s", LCME_SOURCE_DIR, mutated[i]);
        assert_non_null(data);
        assert_true(zip_mutations(data, len) > 0);
        free(data);
    }
}

/* ---- what a thread keeps between books --------------------------------- */

/* A returned template (tests/data/good: a 145 KB sheet, shared strings,
 * styles read for its dates) and a small book read one after the other,
 * each after the other's kept reader and decompressor: each read as in a
 * thread that read nothing before. */
struct kept_reads {
    const char *big, *small;
    size_t nbig, nsmall;
    char *out[4];   /* big, small, big, small */
};

static void *kept_thread(void *arg)
{
    struct kept_reads *k = arg;
    for (int i = 0; i < 4; i++)
        k->out[i] = i % 2 ? read_all(k->small, k->nsmall, 1, NULL)
                          : read_all(k->big, k->nbig, 1, NULL);
    return NULL;
}

static void test_kept_between_books(void **state)
{
    (void)state;
    FILE *f = fopen(LCME_SOURCE_DIR "/tests/data/good/hk-wan-chai-2026.libreoffice.xlsx", "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 30000);
    rewind(f);
    char *big = malloc((size_t)size);
    assert_non_null(big);
    size_t nbig = fread(big, 1, (size_t)size, f);
    fclose(f);
    assert_int_equal(nbig, (size_t)size);
    size_t nsmall;
    char *small = book_bytes(SHEET(SCAN_ROWS), scan_sst, scan_styles, &nsmall);
    /* each alone, in a thread of its own: nothing kept before it */
    struct kept_reads alone[2] = {{big, small, nbig, nsmall, {0}}, {small, big, nsmall, nbig, {0}}};
    pthread_t th;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_create(&th, NULL, kept_thread, &alone[i]), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
    }
    const char *want_big = alone[0].out[0], *want_small = alone[1].out[0];
    assert_non_null(strstr(want_big, "[WC] [Wan Chai] [2026] [I1_1_1a]"));
    assert_non_null(strstr(want_small, "[unit] [name]"));
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 4; i++) {
            int is_big = (i % 2 == 0) == (t == 0);
            assert_string_equal(alone[t].out[i], is_big ? want_big : want_small);
        }
    /* and in this thread, after all the books the tests before read */
    struct kept_reads here = {big, small, nbig, nsmall, {0}};
    kept_thread(&here);
    for (int i = 0; i < 4; i++)
        assert_string_equal(here.out[i], i % 2 ? want_small : want_big);
    for (int i = 0; i < 4; i++) {
        free(alone[0].out[i]);
        free(alone[1].out[i]);
        free(here.out[i]);
    }
    free(small);
    free(big);
}

/* The CRC-32 of the part name, in its local header and in the zip's
 * directory, changed by one bit. */
static void flip_crc(char *z, size_t n, const char *name)
{
    size_t nl = strlen(name);
    int flipped = 0;
    for (size_t i = 0; i + 46 + nl <= n; i++) {
        const unsigned char *u = (const unsigned char *)z + i;
        size_t at = 0, crc = 0;
        if (u[0] == 'P' && u[1] == 'K' && u[2] == 3 && u[3] == 4)
            at = 30, crc = 14;   /* a local header: the name at 30, the CRC at 14 */
        else if (u[0] == 'P' && u[1] == 'K' && u[2] == 1 && u[3] == 2)
            at = 46, crc = 16;   /* the directory's entry: 46 and 16 */
        if (at && (size_t)(u[at - (at == 30 ? 4 : 18)] | u[at - (at == 30 ? 3 : 17)] << 8) == nl &&
            memcmp(u + at, name, nl) == 0) {
            z[i + crc] ^= 1;
            flipped++;
        }
    }
    assert_int_equal(flipped, 2);
}

struct fresh_read {
    const char *data;
    size_t len;
    char *out;
};

static void *fresh_thread(void *arg)
{
    struct fresh_read *f = arg;
    f->out = read_all(f->data, f->len, XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP, NULL);
    return NULL;
}

/* What a thread that read nothing before reads of data (a new thread's). */
static char *fresh(const char *data, size_t len)
{
    struct fresh_read f = {data, len, NULL};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fresh_thread, &f), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    return f.out;
}

struct memo_reads {
    const char *data[4];
    size_t len[4];
    char *out[4];
};

static void *memo_thread(void *arg)
{
    struct memo_reads *m = arg;
    for (int i = 0; i < 4; i++)
        m->out[i] = read_all(m->data[i], m->len[i],
                             XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP, NULL);
    return NULL;
}

/* The small parts a thread remembers (xlsx_read.c's memo): books that share
 * them read as each does in a thread of its own, and so does a book whose
 * workbook part lies in the zip as the remembered one but whose CRC-32 its
 * entry states otherwise: damaged, and said so. */
static void test_memo(void **state)
{
    (void)state;
    size_t n1, n2;
    char *one = book_bytes(SHEET(SCAN_ROWS), scan_sst, scan_styles, &n1);
    char *two = book_bytes(SHEET("<row r=\"1\"><c r=\"A1\" s=\"1\"><v>46112</v></c></row>"),
                           scan_sst, scan_styles, &n2);
    char *bad = malloc(n1);
    assert_non_null(bad);
    memcpy(bad, one, n1);
    flip_crc(bad, n1, "xl/workbook.xml");
    char *want_one = fresh(one, n1), *want_two = fresh(two, n2), *want_bad = fresh(bad, n1);
    assert_non_null(strstr(want_two, "1: [2026-03-31]"));   /* serial 46112, style 1: a date */
    assert_non_null(strstr(want_bad, "t.xlsx: error: the part 'xl/workbook.xml' is damaged (its "
                                     "checksum does not match)"));
    struct memo_reads m = {{one, two, bad, one}, {n1, n2, n1, n1}, {NULL}};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, memo_thread, &m), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_string_equal(m.out[0], want_one);
    assert_string_equal(m.out[1], want_two);
    assert_string_equal(m.out[2], want_bad);
    assert_string_equal(m.out[3], want_one);
    for (int i = 0; i < 4; i++)
        free(m.out[i]);
    free(want_one);
    free(want_two);
    free(want_bad);
    free(bad);
    free(two);
    free(one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells),         cmocka_unit_test(test_sheet_choice),
        cmocka_unit_test(test_styles_when_needed),
        cmocka_unit_test(test_cell_problems), cmocka_unit_test(test_fatal),
        cmocka_unit_test(test_malformed_anywhere),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_package),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_places),        cmocka_unit_test(test_scan_shapes),
        cmocka_unit_test(test_scan_cuts),     cmocka_unit_test(test_scan_windows),
        cmocka_unit_test(test_scan_fast_cells), cmocka_unit_test(test_scan_spaced_cells),
        cmocka_unit_test(test_sst_shapes),
        cmocka_unit_test(test_sst_cuts),      cmocka_unit_test(test_zip_directory),
        cmocka_unit_test(test_kept_between_books), cmocka_unit_test(test_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
