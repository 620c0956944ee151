/* fuzz_xlsx.c: libFuzzer harness for the xlsx reader
 * (engine/input/xlsx_read.h).
 *
 * Any bytes go through xlsx_open_mem and, when a sheet is read, csv_next to
 * the end. Every record must have the header's width, rows must increase,
 * every field must be NUL-terminated at its recorded length with no NUL
 * inside; a failure must come with a message, and a sheet whose cells had
 * problems must end with -1. Half the inputs get small limits, so that the
 * cell, text, cell-count and part limits are reached. Each input is also
 * read with the zip directory reader (xlsx_dir.c) and with minizip alone,
 * and the two readings must agree (fuzz_xlsx_same.h). The seed corpus
 * (corpus/xlsx) holds workbooks written by libxlsxwriter (lcme's template),
 * Gnumeric and LibreOffice, some re-zipped without compression so that
 * mutations reach the XML, and the malformed ones of tests/data/bad.
 */
#include "fuzz_util.h"
#include "fuzz_xlsx_same.h"
#include "xlsx_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag d;
    diag_init(&d);
    struct xlsx_limits lim = xlsx_limits_default();
    if (size > 0 && (data[size - 1] & 1)) {
        lim.max_part = 1 << 16;
        lim.max_small = 1 << 12;
        lim.max_cell = 16;
        lim.max_text = 1 << 12;
        lim.max_cells = 64;
    }
    same_readings(data, size, &lim, XLSX_SCAN_ROWS | XLSX_SCAN_SST,
                  XLSX_SCAN_ROWS | XLSX_SCAN_SST | XLSX_SCAN_ZIP);
    struct csv *c = NULL;
    if (xlsx_open_mem(&c, "fuzz.xlsx", data, size, &lim, &d) != 0) {
        if (c)
            abort();
        fuzz_drain(&d, 1);
        return 0;
    }
    int r;
    long last = 0;
    size_t width = 0;
    while ((r = csv_next(c, &d)) > 0) {
        if (c->line_no <= last || c->nf < 1 || !c->sheet)
            abort();
        if (c->nrec == 1)
            width = c->nf;
        else if (c->nf != width)
            abort();
        last = c->line_no;
        for (size_t i = 0; i < c->nf; i++)
            if (c->f[i][c->flen[i]] != '\0' || memchr(c->f[i], '\0', c->flen[i]) ||
                c->quoted[i])
                abort();
    }
    if (r < 0 && diag_count(&d) == 0)
        abort();
    csv_free(c);
    fuzz_drain(&d, r < 0);
    return 0;
}
