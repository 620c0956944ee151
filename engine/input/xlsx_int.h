/* xlsx_int.h: what the xlsx reader's files share, private to them.
 *
 *   xlsx_read.c   the package: the zip in memory, streaming a part through
 *                 the XML reader, the text blocks; xlsx_open
 *   xlsx_xml.c    the XML reader (xlsx_xml.h)
 *   xlsx_parts.c  the small parts: relationships, the workbook's sheets,
 *                 shared strings, which cell styles are dates
 *   xlsx_sheet.c  one sheet streamed row by row into a table of cells, and
 *                 the table as the csv_source the records come from
 *
 * Text is kept in a struct xlsx_text: blocks that never move, so a cell is
 * a pointer and a length into them, the shared strings are pointed to by
 * every cell that uses them (never copied), and ingest's staged strings,
 * which point into the records, stay valid until csv_free.
 *
 *   xlsx_text:  [block]->[block]->...  each "text\0text\0..."
 *   table:      s[] / len[]  one entry per cell, rows one after another,
 *                            every row exactly `width` cells (the header's)
 *               rec[]        { row number, first cell } per row kept
 */
#ifndef LCME_XLSX_INT_H
#define LCME_XLSX_INT_H

#include <minizip/unzip.h>
#include <stddef.h>

#include "xlsx_read.h"
#include "xlsx_xml.h"

struct libdeflate_decompressor;

/* ---- text that never moves ---------------------------------------------- */

struct xlsx_block {
    struct xlsx_block *next;
    size_t used, size;
    char data[];
};

struct xlsx_text {
    struct xlsx_block *head;   /* the block being filled; older ones behind */
    size_t total;              /* bytes kept, NULs included */
};

/* A NUL-terminated copy of s[0..len) that stays put until xlsx_text_free;
 * NULL on ENOMEM. */
char *xlsx_text_add(struct xlsx_text *t, const char *s, size_t len);
void xlsx_text_free(struct xlsx_text *t);

/* ---- the workbook ------------------------------------------------------- */

struct xlsx_sheetref {
    char *name;                /* the tab's name */
    char *rid;                 /* its relationship id in the workbook */
    char *part;                /* its part in the package, NULL when the
                                  relationships do not name one */
    int chart;                 /* a chart sheet, not a worksheet */
};

struct xlsx_mem {              /* the zip's bytes, read by minizip */
    const unsigned char *data;
    size_t len, pos;
};

struct xlsx_book {
    const char *file;          /* the name in messages; borrowed */
    struct diag *d;
    struct xlsx_limits lim;
    struct xlsx_mem mem;
    unzFile zip;
    struct libdeflate_decompressor *inflater;  /* made by the first part read
                                                  whole (xlsx_read.c) */
    char *wb_part;             /* e.g. "xl/workbook.xml" */
    int date1904;              /* the workbook counts days from 1904 */
    size_t nsheet, asheet;
    struct xlsx_sheetref *sheet;
    char *sst_part, *styles_part;  /* NULL when the workbook has none */
    size_t nsst, asst;
    char **sst;                /* shared string i, inside text */
    size_t *sst_len;
    size_t nxf;
    unsigned char *xf_date;    /* cell style i shows a date (numFmt) */
    struct xlsx_text text;     /* shared strings and cell text */
    int problems;              /* cell problems reported (rows left out) */
};

/* Where a message points: a cell of a sheet (row > 0; col 0 for the whole
 * row), or the file alone (sheet NULL or row 0). */
struct xlsx_at {
    const char *sheet;
    long row, col;
};

/* Report at `at` (may be NULL: the file). */
void xlsx_error(struct xlsx_book *b, const struct xlsx_at *at, enum lcme_status st,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* What every part's handlers get first: each parse context starts with
 * one, so xlsx_stop and xlsx_done can reach the reader and the book. */
struct xlsx_pctx {
    struct xlsx_book *b;
    struct xlsx_xml *xp;
    const struct xlsx_at *at;  /* where messages point; may be NULL */
    int stopped;               /* a handler reported and stopped the parser */
    int done;                  /* a handler has all it needs (xlsx_done) */
};


/* Stop the parser from inside a handler, after the handler reported. */
void xlsx_stop(struct xlsx_pctx *ctx);

/* From inside a handler: the rest of the part is not needed. It is still
 * inflated, for its checksum, but no longer parsed. */
void xlsx_done(struct xlsx_pctx *ctx);

/* Read the package's part, at most limit uncompressed bytes (inflated
 * whole or streamed: xlsx_read.c says when), through a parser whose
 * handlers get ctx (the first member of their context), with
 * DTDs refused; messages point at `at` (may be NULL). Returns 0; 1 when the
 * package has no such part (nothing reported); -1 after reporting (a
 * handler that stopped the parser has reported already). */
int xlsx_parse_part(struct xlsx_pctx *ctx, struct xlsx_book *b, const struct xlsx_at *at,
                    const char *part, size_t limit, const struct xlsx_handlers *h);

/* ---- the small parts (xlsx_parts.c) ------------------------------------- */

/* Find the workbook part (_rels/.rels), read its sheets and date system
 * (the workbook part) and its relationships (each sheet's part, the shared
 * strings and styles parts). 0, or -1 after reporting. */
int xlsx_read_workbook(struct xlsx_book *b);

/* Read the shared strings into b->sst and the date styles into b->xf_date,
 * when the workbook has them. 0, or -1 after reporting. */
int xlsx_read_strings(struct xlsx_book *b);
int xlsx_read_styles(struct xlsx_book *b);

/* The local part of an element or attribute name ("x:c" -> "c"). */
const char *xlsx_local(const char *name);

/* The value of the attribute with that local name, or NULL. */
const char *xlsx_attr(const char **atts, const char *local);

/* Decode the _xHHHH_ escapes of OOXML text in place (s[0..*len), NUL at the
 * end kept); an escape of NUL or a surrogate is left as it is. */
void xlsx_unescape(char *s, size_t *len);

/* ---- the sheet (xlsx_sheet.c) ------------------------------------------- */

/* Read sheet k of b into *out (free with csv_free), under the name b->file.
 * b->text moves into the records (b's becomes empty). Returns 0, or -1 with
 * the problems in d. */
int xlsx_sheet_read(struct xlsx_book *b, size_t k, struct csv **out);

#endif
