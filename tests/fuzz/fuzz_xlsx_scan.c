/* fuzz_xlsx_scan.c: libFuzzer harness holding the scanner of a sheet's rows
 * (engine/input/xlsx_scan.c) to the XML reader and its handlers.
 *
 * The input is a sheet's XML. It goes into a one-sheet workbook, deflated
 * so that the sheet is inflated whole and its rows handed to the scanner,
 * beside fixed shared strings and styles (a date style among them); the
 * workbook is read with the scanner and without it, and the two readings
 * must agree: what opening returned, every message, every record (row,
 * width, fields) and what the last csv_next returned. Half the inputs get
 * small limits, so that the scanner meets them too. A difference aborts.
 * The seed corpus (corpus/xlsx_scan) holds sheets of the shapes the
 * scanner reads and of those it leaves to the reader.
 */
#include <libdeflate.h>

#include "fuzz_util.h"
#include "xlsx_int.h"

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

/* The workbook around the sheet's XML s[0..n). Free its bytes. */
static unsigned char *workbook(const uint8_t *s, size_t n, size_t *len)
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
        {"xl/sharedStrings.xml", "<sst " NS "><si><t>unit</t></si><si><t>value</t></si>"
                                 "<si><t>U1</t></si><si><t>n/a</t></si></sst>"},
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
    add_part(&zip, &dir, c, "xl/worksheets/sheet1.xml", s, n);
    libdeflate_free_compressor(c);
    uint32_t at = (uint32_t)zip.n, entries = (uint32_t)nparts + 1;
    put(&zip, dir.p, dir.n);
    const uint32_t end[] = {0x06054b50, 0, 0, entries, entries, (uint32_t)dir.n, at, 0};
    const int size[] = {4, 2, 2, 2, 2, 4, 4, 2};
    for (int i = 0; i < 8; i++)
        put_le(&zip, end[i], size[i]);
    free(dir.p);
    *len = zip.n;
    return zip.p;
}

/* The two readings' messages agree. */
static void same_messages(const struct diag *a, const struct diag *b)
{
    char x[512], y[512];
    if (a->n != b->n)
        abort();
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(diag_format(a, i, x, sizeof x), diag_format(b, i, y, sizeof y)) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xlsx_limits lim = xlsx_limits_default();
    if (size > 0 && (data[size - 1] & 1)) {
        lim.max_cell = 16;
        lim.max_text = 1 << 12;
        lim.max_cells = 64;
    }
    size_t len;
    unsigned char *book = workbook(data, size, &len);
    struct diag da, db;
    diag_init(&da);
    diag_init(&db);
    struct csv *a = NULL, *b = NULL;
    int scanned, ra = xlsx_open_book(&a, "f.xlsx", book, len, &lim, 0, NULL, &da);
    int rb = xlsx_open_book(&b, "f.xlsx", book, len, &lim, 1, &scanned, &db);
    if (ra != rb || !a != !b)
        abort();
    int last = ra;
    while (a) {
        int na = csv_next(a, &da), nb = csv_next(b, &db);
        if (na != nb)
            abort();
        last = na;
        if (na <= 0)
            break;
        if (a->line_no != b->line_no || a->nf != b->nf)
            abort();
        for (size_t i = 0; i < a->nf; i++)
            if (a->flen[i] != b->flen[i] || strcmp(a->f[i], b->f[i]) != 0)
                abort();
    }
    same_messages(&da, &db);
    csv_free(a);
    csv_free(b);
    free(book);
    fuzz_drain(&da, last < 0);
    fuzz_drain(&db, last < 0);
    return 0;
}
