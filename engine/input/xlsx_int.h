/* xlsx_int.h: what the xlsx reader's files share, private to them.
 *
 *   xlsx_read.c   the package: the zip in memory, streaming a part through
 *                 the XML reader, the text blocks; xlsx_open
 *   xlsx_xml.c    the XML reader (xlsx_xml.h)
 *   xlsx_parts.c  the small parts: relationships, the workbook's sheets,
 *                 shared strings, which cell styles are dates
 *   xlsx_sheet.c  one sheet streamed row by row into a table of cells, and
 *                 the table as the csv_source the records come from
 *   xlsx_scan.c   the sheet's rows and the shared strings read straight
 *                 from the inflated part, for the shapes workbooks have,
 *                 through the same handlers
 *   xlsx_dir.c    the zip's directory and local headers read straight from
 *                 the bytes, for the plain zips programs write, minizip
 *                 reading the others
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
#include <string.h>

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
 * NULL on ENOMEM. xlsx_text_add makes room in a new block first; the
 * inline one is called for every cell kept, and only calls it when the
 * block is full. */
char *xlsx_text_add(struct xlsx_text *t, const char *s, size_t len);
static inline char *xlsx_text_put(struct xlsx_text *t, const char *s, size_t len)
{
    struct xlsx_block *h = t->head;
    if (!h || h->size - h->used < len + 1)
        return xlsx_text_add(t, s, len);
    char *p = h->data + h->used;
    memcpy(p, s, len);
    p[len] = '\0';
    h->used += len + 1;
    t->total += len + 1;
    return p;
}
void xlsx_text_free(struct xlsx_text *t);

/* Where t's text ends, and back there: the text added since is freed. */
struct xlsx_text_mark {
    struct xlsx_block *head;
    size_t used, total;
};
struct xlsx_text_mark xlsx_text_tell(const struct xlsx_text *t);
void xlsx_text_rewind(struct xlsx_text *t, struct xlsx_text_mark m);

/* ---- the workbook ------------------------------------------------------- */

/* what xlsx_scan.c may read; XLSX_SCAN_ZIP: what xlsx_dir.c may */
enum { XLSX_SCAN_ROWS = 1, XLSX_SCAN_SST = 2, XLSX_SCAN_ZIP = 4 };

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

/* Longest part name kept in the list of entries; a longer one (never
 * written: part names are short paths) makes the list partial. */
#define XLSX_NAME_MAX 1024

/* A part of the package and where its entry is in the zip's directory;
 * when xlsx_dir.c read the directory, what the entry says. */
struct xlsx_entry {
    char *name;
    unz64_file_pos pos;
    unsigned flag, method, nlen;       /* nlen: the name's bytes in the zip */
    unsigned long crc;
    unsigned long long csize, usize;   /* compressed and inflated sizes */
    unsigned long long local;          /* where its local header is */
};

struct xlsx_book {
    const char *file;          /* the name in messages; borrowed */
    struct diag *d;
    struct xlsx_limits lim;
    struct xlsx_mem mem;
    unzFile zip;               /* NULL until a part needs minizip when
                                  xlsx_dir.c read the directory */
    int dir_read;              /* xlsx_dir.c read the directory */
    struct libdeflate_decompressor *inflater;  /* the thread's, or the book's
                                                  own when it keeps none
                                                  (xlsx_read.c) */
    int own_inflater;          /* inflater is the book's, freed with it */
    struct xlsx_entry *entry;  /* the zip's directory, read once: name and
                                  place of each part (xlsx_read.c) */
    size_t nentry;
    int entries_partial;       /* an entry could not be listed: parts are
                                  looked up in the zip itself */
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
    int scan;                  /* XLSX_SCAN_ROWS: the sheet's rows may go to
                                  xlsx_scan.c; XLSX_SCAN_SST: the shared
                                  strings may */
    int scanned;               /* the rows went, and it read them */
    int sst_scanned;           /* the shared strings went, and it read them */
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
    int whole;                 /* the part is inflated whole: xlsx_handoff works */
    int memo;                  /* set by the caller: a part that the returns
                                  of one template share byte for byte,
                                  whose inflated bytes the thread may
                                  remember (xlsx_read.c, memo_get) */
    int (*rest)(struct xlsx_pctx *ctx, const char *s, size_t n,
                size_t *used);     /* xlsx_handoff */
};


/* Stop the parser from inside a handler, after the handler reported. */
void xlsx_stop(struct xlsx_pctx *ctx);

/* From inside a handler: the rest of the part is not needed. No handler
 * is called again, but the rest is still read to the end of the part, so
 * that malformed XML there is an error as it is anywhere else. */
void xlsx_done(struct xlsx_pctx *ctx);

/* From inside a start handler, when ctx->whole: stop the parser and hand
 * the rest of the part, from right after this tag, to rest(ctx, s, n, used)
 * (s[n] is NUL; rest must not change the bytes). rest returns 0 when it
 * read the element's content and its end tag, all well-formed, in the
 * first *used bytes: the parser then closes the element, calls its end
 * handler and reads on after them (xlsx_xml_skip); -1 after reporting; 1
 * to decline: the parser then goes on after the tag as if never stopped,
 * so rest must leave the handlers' context as it found it. */
void xlsx_handoff(struct xlsx_pctx *ctx, int (*rest)(struct xlsx_pctx *ctx, const char *s,
                                                     size_t n, size_t *used));

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

/* Read the shared strings into b->sst, and the date styles into
 * b->xf_date, when the workbook has them. 0, or -1 after reporting. The
 * styles are read once a sheet's rows are, and only when some number kept
 * is in a cell with a style (xlsx_sheet.c): a plain export has none. */
int xlsx_read_strings(struct xlsx_book *b);
int xlsx_read_styles(struct xlsx_book *b);

/* The state of the shared strings' reading, which the reader's handlers
 * (xlsx_parts.c) and the scanner (xlsx_scan.c) share. */
struct xlsx_sst {
    struct xlsx_pctx x;
    int seen;                  /* an element was met: <sst> is the root */
    char root_name[32];        /* the <sst> tag's name as written */
    int in_t;                  /* inside a <t> that is not phonetic */
    int rph;                   /* depth of <rPh> (phonetic runs, skipped) */
    int scanning;              /* the scanner is reading: a problem declines */
    int declined;              /* ... and it met one: the reader reads again */
    char *buf;                 /* the string's text so far */
    size_t len, alloc;
};

/* What the reader's handlers do with text (kept when p->in_t) and at
 * </si> (the string kept in b->sst). Problems (a limit, ENOMEM) are
 * reported and stop the parser, or, while p->scanning, are only noted in
 * p->declined. */
void xlsx_sst_text(void *p, const char *s, int len);

/* The scanner's one pass: a string whose whole text is s[0..n) (no
 * reference in it), as xlsx_sst_text and xlsx_sst_push would keep it. */
void xlsx_sst_string(struct xlsx_sst *p, const char *s, size_t n);
void xlsx_sst_push(struct xlsx_sst *p);

/* Read the shared strings from s[0..n) (s[n] NUL), the bytes right after
 * the <sst> tag, through the two functions above, as the reader and its
 * handlers would, up to the </sst> tag. Returns 0 when it read them all,
 * with *used the bytes up to the end of that tag; 1 when it declines: the
 * XML there is of a shape it does not read (anything but <si> items of
 * <t> text, <r> runs with <rPr> properties of empty elements, <rPh>
 * phonetic runs and <phoneticPr>: xlsx_scan.c), it is malformed, or a
 * string has a problem; what it did must then be undone (xlsx_parts.c),
 * and the reader reads the strings again and reports what is wrong.
 * Nothing is reported here. */
int xlsx_scan_strings(struct xlsx_sst *p, const char *s, size_t n, size_t *used);

/* The local part of an element or attribute name ("x:c" -> "c"). */
const char *xlsx_local(const char *name);

/* The value of the attribute with that local name, or NULL. */
const char *xlsx_attr(const char **atts, const char *local);

/* Decode the _xHHHH_ escapes of OOXML text in place (s[0..*len), NUL at the
 * end kept); an escape of NUL or a surrogate is left as it is. */
void xlsx_unescape(char *s, size_t *len);

/* 0 when s[0..n) holds no _xHHHH_ escape for xlsx_unescape to undo (no
 * "_x" with a '_' five bytes on: codes such as I1_1_1a hold '_' but no
 * escape), so the text can be kept as it is. */
static inline int xlsx_maybe_escape(const char *s, size_t n)
{
    for (size_t i = 0; i + 6 < n; i++)
        if (s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_')
            return 1;
    return 0;
}

/* ---- the sheet (xlsx_sheet.c, xlsx_scan.c) ------------------------------- */

enum xlsx_ctype { T_NUM, T_SST, T_STR, T_INLINE, T_BOOL, T_ERR, T_DATE, T_UNKNOWN };

struct xlsx_table;

/* The state of one sheet's reading, which the reader's handlers
 * (xlsx_sheet.c) and the scanner (xlsx_scan.c) share. */
struct xlsx_sheet {
    struct xlsx_pctx x;
    struct xlsx_table *t;
    struct xlsx_at at;         /* the cell being read (row, col) */
    char row_digits[8];        /* at.row in digits: row_ndigits of them */
    size_t row_ndigits;
    int in_data, in_row, in_cell, in_v, in_t, rph;
    enum xlsx_ctype type;
    char tname[16];            /* the t attribute, for messages */
    long style;                /* the s attribute; -1 when none */
    int has_f, has_v, has_is;
    char *buf;                 /* the cell's text so far */
    size_t blen, balloc;
    long last_row, last_col;
    int header;                /* 1 once the header row is kept */
    size_t row_first;          /* the current row's first cell */
    long row_last;             /* its last non-empty column */
    int row_bad;               /* a problem: the row is left out */
    int scan;                  /* hand the rows to the scanner */
    int scanning;              /* the scanner is reading: a problem declines */
    int declined;              /* ... and it met one: the reader reads again */
    int scanned;               /* the scanner read the rows */
    char data_name[32];        /* the sheetData tag's name as written */
};

/* What the reader's handlers do at <row r=...> (r NULL when absent), at
 * </row>, at <c r= t= s=> (NULL when absent; rn, tn, sn their lengths),
 * at </c>, and with text (kept when in <v> or an inline string's <t>).
 * Problems are reported as xlsx_read.h says, or, while p->scanning, only
 * noted in p->declined. */
void xlsx_sheet_row(struct xlsx_sheet *p, const char *r, size_t rn);
void xlsx_sheet_row_end(struct xlsx_sheet *p);
void xlsx_sheet_cell(struct xlsx_sheet *p, const char *r, size_t rn, const char *t, size_t tn,
                     const char *s, size_t sn);
void xlsx_sheet_cell_end(struct xlsx_sheet *p);

/* The scanner's one pass: the cell (since xlsx_sheet_cell) ends holding
 * the n bytes at s, the text of its <v> (or, when is, of its inline
 * string's one <t>), as xlsx_sheet_text and xlsx_sheet_cell_end would
 * take it; s is only read. */
void xlsx_sheet_cell_text(struct xlsx_sheet *p, const char *s, size_t n, int is);
void xlsx_sheet_text(void *p, const char *s, int len);

/* After the header row: room for about rows more rows, at once, so that
 * the table does not grow by doubling (a hint: nothing happens when memory
 * is short, and the table still grows as needed). */
void xlsx_sheet_expect(struct xlsx_sheet *p, size_t rows);

/* Read the rows of a sheet from s[0..n) (s[n] NUL), the bytes right after
 * its <sheetData> tag, through the functions above, as the reader and its
 * handlers would, up to the </sheetData> tag. Returns 0 when it read them
 * all, with *used the bytes up to the end of that tag; 1 when it
 * declines: the XML there is of a shape it does not read (anything but
 * rows of cells with values, formulas and plain inline strings:
 * xlsx_scan.c), it is malformed, or a cell has a problem; what it
 * did must then be undone (xlsx_sheet.c), and the reader reads the rows
 * again and reports what is wrong. Nothing is reported here. */
int xlsx_scan_rows(struct xlsx_sheet *p, const char *s, size_t n, size_t *used);

/* The zip's directory of b->mem into b->entry (xlsx_dir.c): 0, with
 * b->dir_read set; 1 when it declines (the zip is not of the plain shape it
 * reads: minizip must read it), with nothing kept; -1 on ENOMEM after
 * reporting. */
int xlsx_dir_list(struct xlsx_book *b);

/* Check the local header of the entry en of a directory xlsx_dir_list
 * read, as minizip checks it when it opens the part: 0, with *at where the
 * part's data starts; 1 when it declines (minizip must open the part and
 * say what is wrong). */
int xlsx_dir_local(const struct xlsx_book *b, const struct xlsx_entry *en, size_t *at);

/* xlsx_open_mem with the scanners of a sheet's rows (scan & XLSX_SCAN_ROWS)
 * and of the shared strings (scan & XLSX_SCAN_SST) on or off, and
 * *scanned (may be NULL) XLSX_SCAN_ROWS when the scanner read the rows,
 * | XLSX_SCAN_SST when it read the shared strings, | XLSX_SCAN_ZIP when
 * xlsx_dir.c read the zip's directory (scan & XLSX_SCAN_ZIP lets it): for
 * tests that hold the scanners to the reader and minizip. */
int xlsx_open_book(struct csv **out, const char *name, const void *data, size_t len,
                   const struct xlsx_limits *lim, int scan, int *scanned, struct diag *d);

/* Read sheet k of b into *out (free with csv_free), under the name b->file.
 * b->text moves into the records (b's becomes empty). Returns 0, or -1 with
 * the problems in d. */
int xlsx_sheet_read(struct xlsx_book *b, size_t k, struct csv **out);

#endif
