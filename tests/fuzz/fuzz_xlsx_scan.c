/* fuzz_xlsx_scan.c: libFuzzer harness holding the scanners of a sheet's
 * rows and of the shared strings (engine/input/xlsx_scan.c) to the XML
 * reader and its handlers.
 *
 * The input is read twice: as a sheet's XML, in a one-sheet workbook
 * beside fixed shared strings and styles (a date style among them); and
 * as the shared strings' XML, beside a fixed sheet that shows strings 0 to
 * 7. Every part is deflated, so that it is inflated whole and handed to
 * the scanners. Each workbook is read with the scanners and the zip
 * directory reader (xlsx_dir.c) and without them,
 * and the two readings must agree: what opening returned, every message,
 * every record (row, width, fields) and what the last csv_next returned.
 * Half the inputs get small limits, so that the scanners meet them too. A
 * difference aborts. The seed corpus (corpus/xlsx_scan) holds sheets and
 * shared strings of the shapes the scanners read and of those they leave
 * to the reader.
 */
#include <libdeflate.h>

#include "fuzz_util.h"
#include "fuzz_xlsx_same.h"

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
           "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define RT "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#define RELS "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"

struct zbuf {
    unsigned char *p;
    size_t n, cap;
};

static void put(struct zbuf *z, const void *s, size_t n)
{
    if (z->n + n > z->cap) {
        z->cap = 2 * (z->n + n) + 256;
        if (!(z->p = realloc(z->p, z->cap)))
            abort();
    }
    memcpy(z->p + z->n, s, n);
    z->n += n;
}

static void put_le(struct zbuf *z, uint32_t v, int bytes)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(z, b, (size_t)bytes);
}

/* One deflated part: its local header and data into zip, its directory
 * entry into dir. */
static void add_part(struct zbuf *zip, struct zbuf *dir, struct libdeflate_compressor *c,
                     const char *name, const void *data, size_t len)
{
    size_t cap = libdeflate_deflate_compress_bound(c, len);
    unsigned char *out = malloc(cap);
    if (!out)
        abort();
    size_t clen = libdeflate_deflate_compress(c, data, len, out, cap);
    uint32_t crc = libdeflate_crc32(0, data, len), at = (uint32_t)zip->n;
    uint16_t nlen = (uint16_t)strlen(name);
    const uint32_t head[] = {0x04034b50, 20, 0, 8, 0, 0x21, crc, (uint32_t)clen, (uint32_t)len,
                             nlen, 0};
    const int size[] = {4, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2};
    for (int i = 0; i < 11; i++)
        put_le(zip, head[i], size[i]);
    put(zip, name, nlen);
    put(zip, out, clen);
    const uint32_t ent[] = {0x02014b50, 20, 20, 0, 8, 0, 0x21, crc, (uint32_t)clen,
                            (uint32_t)len, nlen, 0, 0, 0, 0, 0, at};
    const int esize[] = {4, 2, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4};
    for (int i = 0; i < 17; i++)
        put_le(dir, ent[i], esize[i]);
    put(dir, name, nlen);
    free(out);
}

/* The workbook of the sheet's XML sheet[0..n) and the shared strings' XML
 * sst[0..m). Free its bytes. */
static unsigned char *workbook(const void *sheet, size_t n, const void *sst, size_t m,
                               size_t *len)
{
    static const char *const parts[][2] = {
        {"_rels/.rels", RELS "<Relationship Id=\"rId1\" Type=\"" RT "officeDocument\" "
                        "Target=\"xl/workbook.xml\"/></Relationships>"},
        {"xl/workbook.xml", "<workbook " NS "><sheets><sheet name=\"Data\" sheetId=\"1\" "
                            "r:id=\"rId1\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels",
         RELS "<Relationship Id=\"rId1\" Type=\"" RT "worksheet\" Target=\"worksheets/"
              "sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" RT "sharedStrings\" "
              "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"" RT "styles\" "
              "Target=\"styles.xml\"/></Relationships>"},
        {"xl/styles.xml", "<styleSheet " NS "><cellXfs><xf numFmtId=\"0\"/>"
                          "<xf numFmtId=\"14\"/><xf numFmtId=\"22\"/></cellXfs></styleSheet>"},
    };
    struct zbuf zip = {NULL, 0, 0}, dir = {NULL, 0, 0};
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(1);
    if (!c)
        abort();
    size_t nparts = sizeof parts / sizeof parts[0];
    for (size_t i = 0; i < nparts; i++)
        add_part(&zip, &dir, c, parts[i][0], parts[i][1], strlen(parts[i][1]));
    add_part(&zip, &dir, c, "xl/sharedStrings.xml", sst, m);
    add_part(&zip, &dir, c, "xl/worksheets/sheet1.xml", sheet, n);
    libdeflate_free_compressor(c);
    uint32_t at = (uint32_t)zip.n, entries = (uint32_t)nparts + 2;
    put(&zip, dir.p, dir.n);
    const uint32_t end[] = {0x06054b50, 0, 0, entries, entries, (uint32_t)dir.n, at, 0};
    const int size[] = {4, 2, 2, 2, 2, 4, 4, 2};
    for (int i = 0; i < 8; i++)
        put_le(&zip, end[i], size[i]);
    free(dir.p);
    *len = zip.n;
    return zip.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sst[] = "<sst " NS "><si><t>unit</t></si><si><t>value</t></si>"
                              "<si><t>U1</t></si><si><t>n/a</t></si></sst>";
    static const char sheet[] =
        "<worksheet " NS "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>k</t></is></c>"
        "<c t=\"inlineStr\"><is><t>v</t></is></c></row><row r=\"2\"><c><v>0</v></c><c "
        "t=\"s\"><v>0</v></c></row><row r=\"3\"><c><v>1</v></c><c t=\"s\"><v>1</v></c></row>"
        "<row r=\"4\"><c><v>2</v></c><c t=\"s\"><v>2</v></c></row><row r=\"5\"><c><v>3</v>"
        "</c><c t=\"s\"><v>3</v></c></row><row r=\"6\"><c><v>4</v></c><c t=\"s\"><v>4</v></c>"
        "</row><row r=\"7\"><c><v>5</v></c><c t=\"s\"><v>5</v></c></row><row r=\"8\"><c><v>6"
        "</v></c><c t=\"s\"><v>6</v></c></row><row r=\"9\"><c><v>7</v></c><c t=\"s\"><v>7"
        "</v></c></row></sheetData></worksheet>";
    struct xlsx_limits lim = xlsx_limits_default();
    if (size > 0 && (data[size - 1] & 1)) {
        lim.max_cell = 16;
        lim.max_text = 1 << 12;
        lim.max_cells = 64;
    }
    size_t len;
    unsigned char *book = workbook(data, size, sst, strlen(sst), &len);
    same_readings(book, len, &lim, 0, XLSX_SCAN_ROWS | XLSX_SCAN_ZIP);
    free(book);
    book = workbook(sheet, strlen(sheet), data, size, &len);
    same_readings(book, len, &lim, 0, XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP);
    free(book);
    return 0;
}
