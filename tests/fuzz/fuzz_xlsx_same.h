/* fuzz_xlsx_same.h: two readings of one workbook by the xlsx reader with
 * different scanners (XLSX_SCAN_*: xlsx_scan.c, xlsx_dir.c) must agree:
 * what opening returned, every record (row, width, fields), what the last
 * csv_next returned and every message. For fuzz_xlsx.c and
 * fuzz_xlsx_scan.c. */
#ifndef LCME_FUZZ_XLSX_SAME_H
#define LCME_FUZZ_XLSX_SAME_H

#include "fuzz_util.h"
#include "xlsx_int.h"

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

/* The workbook read with the scanners of scan_a and with those of scan_b
 * (XLSX_SCAN_*): the two readings agree, or abort. */
static void same_readings(const unsigned char *book, size_t len, const struct xlsx_limits *lim,
                          int scan_a, int scan_b)
{
    struct diag da, db;
    diag_init(&da);
    diag_init(&db);
    struct csv *a = NULL, *b = NULL;
    int ra = xlsx_open_book(&a, "f.xlsx", book, len, lim, scan_a, NULL, &da);
    int rb = xlsx_open_book(&b, "f.xlsx", book, len, lim, scan_b, NULL, &db);
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
    fuzz_drain(&da, last < 0);
    fuzz_drain(&db, last < 0);
}

#endif
