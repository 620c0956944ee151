/* xlsx_read.h: one sheet of an .xlsx workbook as the records of a CSV file.
 *
 *     struct csv *c;
 *     char sha[SHA256_HEX_SIZE];
 *     if (xlsx_open(&c, "returns/wan-chai.xlsx", sha, d) != 0) return -1;
 *     while ((r = csv_next(c, d)) > 0)           // c->line_no is the row
 *         use(c->f[0], c->flen[0]);              // column A
 *     csv_free(c);                               // r < 0: problems in d
 *
 * The sheet read is the one named "Data" (any case), else the workbook's
 * first sheet; c->sheet is its name. The package is opened with minizip
 * from memory and its parts read through the XML reader of xlsx_xml.h
 * (strict XML 1.0, UTF-8 only, no DTD): the relationships
 * (_rels/.rels, the workbook's), xl/workbook.xml, the shared strings,
 * the sheet, row by row, and then the styles, only to know which numbers
 * are dates, and only when a number kept is in a cell with a style (a
 * plain export's numbers have none, and its styles part is not read).
 * A part is inflated whole when its zip entry allows (xlsx_read.c), else
 * streamed; the sheet's rows, when inflated whole, are read by a scanner
 * of the shapes workbooks have (xlsx_scan.c), which leaves any other to
 * the XML reader, so that both read every sheet alike. What is kept is
 * the text of the cells.
 *
 * What a cell becomes (its text is then read exactly as a CSV field is, so
 * every check, error and duplicate rule of ingest applies unchanged):
 *   number            the text stored in the file ("87.4", "1.5E-3"),
 *                     which reads back to the same double
 *   date (a number in a date format)  "2026-03-31", or "2026-03-31T08:30:00"
 *                     with a time of day (1900 or 1904 date system)
 *   shared, inline or formula string  its text; rich-text runs joined,
 *                     phonetic runs left out, _xHHHH_ escapes decoded
 *   boolean           "TRUE" or "FALSE"
 *   formula           its cached value, as above
 *   empty             "" (rows are padded to the header's width)
 * So a number typed as text ("87.4" in a text cell) is read as that
 * number, as it would be in a CSV file, and text that is no number is
 * reported where a number is needed: "'n/a' is not a number".
 *
 * The first row with a non-empty cell is the header; its last non-empty
 * cell fixes the width. Rows without a non-empty cell are skipped, like
 * empty lines in a CSV file.
 *
 * Problems, each reported once with the file and, where there is one, the
 * cell ("FILE:Data!G14: error: ..."):
 *  - at the cell, the row left out and the file refused: a formula without
 *    a cached value, an error value (#N/A, #DIV/0!, ...), a number cell
 *    that holds no number, a shared string index out of range, a value
 *    right of the header's last column;
 *  - at the cell, reading stops: a cell's text over the cell limit (1 MiB,
 *    as a CSV field), the sheet past its limits (cells, text, XML bytes),
 *    cells or rows out of order or past Excel's last column (XFD) or row
 *    (1048576), a problem in the header row, malformed XML anywhere in
 *    the part, after the rows too (with the line and column in the part;
 *    at the file alone when it is not in a row), a DTD;
 *  - at the file: not a zip file (an old .xls or a password-protected
 *    workbook is named as such), no workbook in the package, no sheet, the
 *    sheet's part missing or a chart sheet, an encrypted or damaged part
 *    (checksum), a part over its limit, malformed shared strings, or
 *    malformed styles when they are read,
 *    a part in an encoding other than UTF-8.
 * A file that is not a regular file, is empty or is over 1 GiB is refused
 * as csv_open refuses it.
 *
 * Measured (tests/bench/bench_xlsx.c, which has the figures; CPU time on
 * a shared 2-core machine): one return of 117 rows reads in 0.15 ms
 * against 0.06 ms as CSV (2.6 times; 2.96 after another program's book, 3.5
 * as Gnumeric indents it), a year's returns (356 such files) 1.9 times
 * their CSV files' time, the Hong Kong sample's 23,722 rows 2.3 times and
 * a network's 468,642 rows (97 MB of sheet XML) 2.5 times. A returned
 * template saved by LibreOffice reads in 0.57 ms, 4.7 times its Data sheet
 * as CSV: it carries 189 KB of XML (styles, 471 shared strings,
 * 70 KB of data validations after the rows, which are checked as all XML
 * is: xlsx_sheet.c) for what the CSV says in 15 KB. What is left past the
 * CSV path is inflating the parts, the scanner of the rows and the cells'
 * handlers, and for a small return the fixed costs of the zip and its
 * small parts.
 */
#ifndef LCME_XLSX_READ_H
#define LCME_XLSX_READ_H

#include <stddef.h>

#include "csv.h"
#include "diag.h"
#include "sha256.h"

/* Limits of one workbook; xlsx_limits_default() gives these. */
struct xlsx_limits {
    size_t max_part;   /* uncompressed bytes of the sheet or shared strings
                          (1 GiB, as a CSV file) */
    size_t max_small;  /* uncompressed bytes of any other part (16 MiB) */
    size_t max_cell;   /* bytes of one cell's text (CSV_MAX_FIELD, 1 MiB) */
    size_t max_text;   /* bytes of all text kept (1 GiB) */
    size_t max_cells;  /* cells kept, empty ones in rows included (2^26) */
};

struct xlsx_limits xlsx_limits_default(void);

/* 1 when path names a workbook this reader reads: it ends in .xlsx or
 * .xlsm (any case). */
int xlsx_is_workbook_name(const char *path);

/* Read path's sheet into *out (free with csv_free) and the SHA-256 of the
 * file's bytes into sha. Returns 0, or -1 with *out NULL and the problems
 * in d. When cell problems were found (first list above) *out is returned
 * all the same, without those rows, and its csv_next returns -1 at the end,
 * so a reader reports every problem of the file and never commits it. */
int xlsx_open(struct csv **out, const char *path, char sha[SHA256_HEX_SIZE],
              struct diag *d);

/* The same for a workbook already in memory (borrowed; not hashed); name is
 * used in messages; lim NULL gives the defaults. */
int xlsx_open_mem(struct csv **out, const char *name, const void *data, size_t len,
                  const struct xlsx_limits *lim, struct diag *d);

#endif
