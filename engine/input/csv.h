/* csv.h: a small, fast RFC 4180 reader that knows where every field came from.
 *
 * The whole file is read into one buffer (at most CSV_MAX_FILE bytes) and
 * parsed in place, one record per csv_next call: each field is unescaped
 * ("" -> ") and NUL-terminated inside the buffer, so a record costs no
 * allocation and a field is a plain C string (it may contain embedded
 * newlines, but never a NUL byte: those are rejected).
 *
 *     struct csv *c;
 *     if (csv_open(&c, path, d) != 0) return -1;       // problem is in d
 *     int r;
 *     while ((r = csv_next(c, d)) > 0) {
 *         for (size_t i = 0; i < c->nf; i++)
 *             use(c->f[i], c->flen[i]);                // field i is column i+1
 *         ... csv_error(c, d, col, "bad %s", ...);     // at c->line_no:col
 *     }
 *     csv_free(c);                                     // r < 0: problem in d
 *
 * Accepted: a UTF-8 byte-order mark at the very start (skipped), LF or CRLF
 * record ends (a last record without one is fine), quoted fields with ""
 * escapes, commas and line breaks inside quotes (kept as they are). Lines
 * that are completely empty are skipped: they are not records. Nothing is
 * trimmed; csv_parse_double and csv_parse_year allow spaces around numbers.
 *
 * Rejected (one diag entry at FILE:LINE:COL, where LINE is the line on which
 * the problem byte lies, COL the 1-based field number; the reader then stops
 * and every later csv_next returns -1): invalid UTF-8, NUL bytes, other
 * control characters (tab aside, and CR or LF ending a line or inside
 * quotes), a byte-order mark after the start, CR-only line ends, an unterminated quote
 * (reported where the quoted field starts), characters after a closing
 * quote, a quote inside an unquoted field, a field longer than max_field
 * bytes, more than max_cols fields in a record. csv_open rejects an empty
 * file and a file over CSV_MAX_FILE. Whether a header alone is enough, and
 * whether every record has as many fields as the header, is the caller's
 * business (csv_check_width helps).
 *
 * Measured: opening, splitting and parsing one number of each of 500,000
 * long-format rows (14 MB) takes about 0.05 s of CPU on the 2-core build VM.
 *
 * The same struct is the record interface ingest reads from, whatever the
 * file: a workbook's sheet (xlsx_read.h) is a struct csv whose records come
 * from a struct csv_source instead of the buffer. Its records, fields and
 * errors behave as a CSV file's, except that c->sheet names the sheet, a
 * record's line_no is its row, field i is column i+1 (A is 1), and every
 * message is placed at a cell ("FILE:Data!G14", diag.h).
 */
#ifndef LCME_CSV_H
#define LCME_CSV_H

#include <stddef.h>

#include "diag.h"

#define CSV_MAX_FILE (1024UL * 1024 * 1024) /* 1 GiB */
#define CSV_MAX_FIELD (1024UL * 1024)       /* 1 MiB per field */
#define CSV_MAX_COLS 100000                 /* fields per record */

struct csv;

/* Records from another reader: next() sets c->nf, c->f, c->flen, c->quoted
 * (arrays the source owns, valid until csv_free) and c->line_no for the
 * next record and returns 1; 0 at the end; -1 when the source found
 * problems (already in d). free() releases ctx and everything the records
 * point into. */
struct csv_source {
    int (*next)(void *ctx, struct csv *c, struct diag *d);
    void (*free)(void *ctx);
    void *ctx;
    size_t nrec;       /* records it holds (csv_records_hint) */
};

struct csv {
    char *path;        /* owned copy; the FILE of every message */
    char *sheet;       /* owned; NULL for a CSV file, the sheet's name for
                          records from a workbook (messages then name cells) */
    char *buf;         /* the file's bytes (+1 spare byte); until the first
                          csv_next they are exactly the bytes on disk, after
                          it they are being parsed in place */
    size_t len;        /* bytes in buf, BOM included */
    int bom;           /* 1 when the file starts with a UTF-8 BOM */

    /* the current record, valid until the next csv_next */
    long line_no;      /* 1-based line on which the record starts */
    long next_line;    /* line of the parse cursor */
    size_t nf;         /* fields in the record (>= 1) */
    char **f;          /* f[i]: field i+1, NUL-terminated, inside buf */
    size_t *flen;      /* flen[i]: its length in bytes */
    unsigned char *quoted; /* quoted[i]: 1 when field i+1 was quoted */
    long nrec;         /* records returned so far (the header is record 1) */

    /* limits; set after csv_open to tighten them (tests do) */
    size_t max_field;  /* CSV_MAX_FIELD */
    size_t max_cols;   /* CSV_MAX_COLS */

    /* private */
    size_t pos;
    size_t falloc;
    int failed;
    struct csv_source src; /* src.next NULL: records come from buf */
};

/* malloc for buffers of several MiB that are filled once front to back
 * (the file buffer here, ingest's observation and sort arrays): 2 MiB-aligned
 * and marked for transparent huge pages where the system has them. On a
 * 500,000-row file this cut page faults five-fold and the ingest time from
 * 0.31 s to 0.11 s (CPU time, 2-core VM). NULL on ENOMEM; free with free(). */
void *csv_big_alloc(size_t bytes);

/* Read the file at path. Returns 0 and *out (free with csv_free), or -1 with
 * *out NULL and one entry in d: "cannot open 'PATH': REASON" (LCME_EIO),
 * "file is larger than the 1 GiB limit" (LCME_ELIMIT), "file is empty"
 * (LCME_EINPUT, at line 1 column 1; a file holding only a BOM is empty). */
int csv_open(struct csv **out, const char *path, struct diag *d);

/* The same for bytes already in memory (copied); name is used in messages. */
int csv_open_mem(struct csv **out, const char *name, const char *data,
                 size_t len, struct diag *d);

/* Records from src (taken over: freed with c, also when this fails) under
 * the file name path and the sheet name sheet (copied). Returns 0 and *out,
 * or -1 (ENOMEM, in d). */
int csv_open_source(struct csv **out, const char *path, const char *sheet,
                    const struct csv_source *src, struct diag *d);

void csv_free(struct csv *c);  /* NULL is harmless */

/* At least as many records as the file holds, for reserving arrays: the
 * lines in a CSV file (counted once, O(N)), a source's records. */
size_t csv_records_hint(const struct csv *c);

/* Parse the next record. Returns 1 with c->nf, c->f, c->flen, c->line_no set;
 * 0 at the end of the file; -1 on a malformed file (one entry in d). */
int csv_next(struct csv *c, struct diag *d);

/* Parse the header, the first record: csv_next, and when the file holds no
 * record at all (only empty lines) one entry "file is empty" at line 1
 * column 1. Returns what csv_next returns. */
int csv_header(struct csv *c, struct diag *d);

/* Report bad input at the current record's line and column col (1-based;
 * 0 for the whole record). */
void csv_error(const struct csv *c, struct diag *d, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The same at another line (or sheet row) of the file. */
void csv_error_at(const struct csv *c, struct diag *d, long line, long col, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* Check that the current record has want fields. If not, reports
 * "row has N fields but the header has M" (at column M+1 when there are too
 * many, at the last field when too few) and returns -1; else 0. A sheet's
 * records always have the header's width (xlsx_read.h). */
int csv_check_width(const struct csv *c, struct diag *d, size_t want);

/* 1 when field s (len bytes) equals name ignoring ASCII case and surrounding
 * spaces, else 0. For header matching. */
int csv_name_is(const char *s, size_t len, const char *name);

/* 1 when the field is empty or only spaces/tabs. */
int csv_blank(const char *s, size_t len);

/* Result of the number parsers. */
enum csv_num {
    CSV_NUM_OK = 0,       /* *out set */
    CSV_NUM_MISSING = 1,  /* empty or blank, or NA for a double (R's token
                             for a missing value, as COINr's iData and
                             iMeta exports write it): *out is NaN (double)
                             / 0 (year) */
    CSV_NUM_BAD = -1,     /* msg holds why, e.g. "'1,5' is not a number
                             (decimal comma? use a point: 1.5)" */
};

/* Strict decimal number: spaces/tabs around it allowed; read as strtod
 * reads it (csv.c's fast path, else fast_float: csv_num.h), the whole
 * text and finiteness checked. Rejects hexadecimal, inf/nan,
 * thousands separators ("1,234"), decimal commas ("1,5"), and anything with
 * trailing characters. msg (may be NULL) receives the reason on CSV_NUM_BAD;
 * the value is quoted in it (cut at 40 bytes). */
enum csv_num csv_parse_double(const char *s, size_t len, double *out,
                              char *msg, size_t msglen);

/* A year: 4 digits, 1000..9999, spaces around allowed. */
enum csv_num csv_parse_year(const char *s, size_t len, int *out, char *msg,
                            size_t msglen);

/* Write s (len bytes) into buf for quoting in a message: cut at 40 bytes on a
 * character boundary with "..." appended. Returns buf. */
char *csv_quote(const char *s, size_t len, char *buf, size_t buflen);

/* Length of the valid UTF-8 sequence at p (n bytes left, n >= 1), or 0.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
size_t csv_utf8_len(const unsigned char *p, size_t n);

#endif
