/* workbook_tuning.h: the size limits workbook_write works with, exposed so
 * that tests can exercise the constant-memory and truncation paths on small
 * inputs. Callers other than tests use workbook_write (reports.h).
 */
#ifndef LCME_WORKBOOK_TUNING_H
#define LCME_WORKBOOK_TUNING_H

#include <stddef.h>

#include "reports.h"

struct workbook_tuning {
    size_t constant_memory_cells; /* above this many cells in the largest
                                     sheets the workbook is written in
                                     libxlsxwriter's constant-memory mode;
                                     default 1500000 (workbook.c) */
    size_t max_rows;             /* rows a sheet may hold, header included;
                                    default 1048576 (Excel's limit) */
};

/* The defaults workbook_write uses. */
extern const struct workbook_tuning workbook_tuning_default;

/* workbook_write with explicit limits. tune NULL means the defaults. */
int workbook_write_tuned(const char *path, const struct report_input *in,
                         const struct workbook_tuning *tune, struct diag *d);

#endif
