/* diag.h: status codes and the error record every fallible call fills.
 *
 * A fallible call takes a `struct diag *` and appends one entry per problem it
 * finds; bad input names FILE, LINE and COL (1-based; the column is the CSV
 * field), other failures give line 0. In a workbook's sheet the entry also
 * names the sheet, LINE is the row and COL the column, and the place reads
 * as a cell: "FILE:Data!G14". Library code never prints: the command line
 * formats the entries as "FILE:LINE:COL: error: message" (or
 * "FILE:SHEET!CELL: error: message") and picks the exit code from the worst
 * status recorded.
 */
#ifndef LCME_DIAG_H
#define LCME_DIAG_H

#include <stdarg.h>
#include <stddef.h>

/* One list, so codes and messages cannot drift. New codes go at the end. */
#define LCME_STATUS_LIST(X)                                   \
    X(LCME_OK, "success")                                     \
    X(LCME_EINPUT, "bad input")                               \
    X(LCME_EUSAGE, "bad usage")                               \
    X(LCME_EIO, "input/output failure")                       \
    X(LCME_ENOMEM, "out of memory")                           \
    X(LCME_ESTORE, "store failure")                           \
    X(LCME_EBUSY, "store busy")                               \
    X(LCME_ELIMIT, "limit exceeded")                          \
    X(LCME_EINTERNAL, "internal error")

enum lcme_status {
#define LCME_STATUS_ENUM(code, msg) code,
    LCME_STATUS_LIST(LCME_STATUS_ENUM)
#undef LCME_STATUS_ENUM
};

/* The message for a status code; never NULL. */
const char *lcme_status_str(enum lcme_status st);

/* Exit code for the command line: 0 done, 1 bad input, 2 usage, 3 other. */
int lcme_status_exit(enum lcme_status st);

struct diag_entry {
    enum lcme_status status;
    char *file;      /* owned; NULL when no file is concerned */
    long line;       /* 1-based; 0 when not tied to a line (a sheet's row) */
    long col;        /* 1-based field number; 0 when not tied to a field (a
                        sheet's column: 1 is A) */
    char *msg;       /* owned */
    char *sheet;     /* owned; the workbook sheet line and col are in, or
                        NULL (a text file) */
};

#define DIAG_DEFAULT_CAP 100

struct diag {
    struct diag_entry *v;  /* kept entries, at most cap */
    size_t n;              /* entries kept */
    size_t alloc;          /* allocated slots */
    size_t total;          /* problems reported, kept or not */
    size_t cap;            /* most entries kept; DIAG_DEFAULT_CAP after init */
    enum lcme_status worst;/* most severe status seen (first non-OK wins) */
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);     /* frees entries; d itself is borrowed */
void diag_clear(struct diag *d);    /* forget all entries, keep the cap */

/* Record a problem. file may be NULL; line/col 0 when unknown. Never fails:
 * if memory runs out the entry is counted in total but not kept. */
void diag_add(struct diag *d, enum lcme_status st, const char *file, long line,
              long col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void diag_vadd(struct diag *d, enum lcme_status st, const char *file, long line,
               long col, const char *fmt, va_list ap)
    __attribute__((format(printf, 6, 0)));

/* diag_add for a place in a workbook's sheet: row line, column col (either
 * 0 when unknown). sheet NULL is diag_add itself. */
void diag_add_cell(struct diag *d, enum lcme_status st, const char *file, const char *sheet,
                   long line, long col, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void diag_vadd_cell(struct diag *d, enum lcme_status st, const char *file, const char *sheet,
                    long line, long col, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

/* Shorthand for bad input at FILE:LINE:COL. */
#define diag_input(d, file, line, col, ...) \
    diag_add((d), LCME_EINPUT, (file), (line), (col), __VA_ARGS__)

/* Number of problems reported so far (kept or not). */
static inline size_t diag_count(const struct diag *d) { return d->total; }

/* Format entry i as "FILE:LINE:COL: error: msg" (parts omitted when 0/NULL)
 * into buf; returns buf. An entry in a sheet reads "FILE:SHEET!G14: error:
 * msg" ("FILE:SHEET!14:14" for a whole row, as spreadsheets write it). */
char *diag_format(const struct diag *d, size_t i, char *buf, size_t len);

/* The place alone, as diag_format writes it: "FILE:LINE:COL", "FILE:LINE",
 * "FILE", or in a sheet "FILE:SHEET!G14" (a sheet name other than letters,
 * digits, '_' and '.' in single quotes, as spreadsheets write it). Returns
 * buf, "" when file is NULL. */
char *diag_place(const char *file, const char *sheet, long line, long col, char *buf,
                 size_t len);

/* The spreadsheet name of column col (1 is A, 27 is AA) into buf[8]; "?"
 * when col is not in 1..16384*26. Returns buf. */
char *diag_column_name(long col, char buf[8]);

/* Sort kept entries by file, line, column (stable), for reproducible output. */
void diag_sort(struct diag *d);

#endif
