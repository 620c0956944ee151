/* bench_xlsx.c: how long ingest takes to read the same observations from a
 * workbook (.xlsx) as from a CSV file, at three sizes: one return (1 unit x
 * 126 indicators, one year), the Hong Kong sample's size (18 units x 126
 * indicators x 11 years) and a network's (356 units x 11 years).
 *
 * Each size is a batch written by the generator (gen.h); its
 * observations.csv is copied cell for cell into a workbook with
 * libxlsxwriter (numbers as numbers; shared strings, or inline strings in
 * constant-memory mode for the network, as a large export would write
 * them), and ingest_file reads each file RUNS times into a fresh obsset.
 * The figures are medians of CPU time (on a shared machine it varies less
 * than wall time), with the ratio xlsx / csv.
 *
 * Built with the benchmarks (cmake -DLCME_BENCH=ON, as ./build.sh bench
 * does) as build/bench_xlsx; run it by hand: build/bench_xlsx.
 *
 * Measured on the shared 2-core VM, loaded by other builds (medians of
 * CPU time over six runs of this program, alternating with a build of the
 * commit before; single runs move by 20 % and more):
 *                               before                  after
 *   one return, 117 obs         csv 0.3 ms  xlsx 0.8 ms csv 0.1 ms  xlsx 0.4 ms
 *                               2.7 x                   6.3 x
 *   Hong Kong size, 23,722 obs  csv 11.8 ms xlsx 48 ms  csv 12.8 ms xlsx 44 ms
 *                               4.1 x                   3.6 x
 *   network, 468,642 obs        csv 0.27 s  xlsx 1.20 s csv 0.25 s  xlsx 1.07 s
 *                               4.6 x                   4.4 x
 * (97 MB of sheet XML in a 13.6 MB file). What changed: the sheet is
 * inflated whole by libdeflate (0.24 s with zlib in blocks, 0.10 s), tags
 * without attributes and the common cell types take a short way, and
 * ingest_dedup sorts small sets 8 bits a pass; the last made a small CSV
 * file three times as fast, so the one return's ratio grew though its
 * workbook reads in half the time. In one process with nothing written
 * before (ingest_file alone, medians of 3 to 15, alternating): network
 * 1.37 s before, 1.09 s after; zlib in blocks instead of libdeflate
 * 1.31 s against 1.13 s. Of the network sheet's time the XML reader and
 * the cells' handlers are now about half, hashing the file 6 %, inflating
 * 9 %, page faults (the 97 MB part, 45 MB of cells) 10 to 35 % as the
 * host allows. The Hong Kong sample's 2026 rows (2,169) as 18 returned
 * templates (tests/bench/run.sh, 'Spreadsheet returns'), ingest_file on
 * each into one set: 33 ms before, 22 ms after, against 7 ms and then
 * 2.2 ms for the same rows as 18 CSV files (1.5 and 1.2 ms as one). A
 * template is 33 KB of zip, 145 KB of XML to read for 120 rows: hashing
 * the file (a fifth of the time), inflating its parts and reading their
 * XML weigh more than its cells.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "csv.h"
#include "framework.h"
#include "gen.h"
#include "ingest.h"
#include "path.h"
#include "bench_util.h"

#define RUNS 5


/* Copy the CSV file into a one-sheet workbook ("Data"). 0 or -1. */
static int csv_to_xlsx(const char *csv_path, const char *xlsx_path, int streaming)
{
    struct diag d;
    diag_init(&d);
    struct csv *c;
    if (csv_open(&c, csv_path, &d) != 0)
        return -1;
    lxw_workbook_options opt = {.constant_memory = (uint8_t)streaming, .tmpdir = NULL};
    lxw_workbook *b = workbook_new_opt(xlsx_path, &opt);
    lxw_worksheet *ws = workbook_add_worksheet(b, "Data");
    lxw_row_t r = 0;
    while (csv_next(c, &d) > 0) {
        for (size_t i = 0; i < c->nf; i++) {
            char *end;
            double v = strtod(c->f[i], &end);
            if (c->flen[i] == 0)
                continue;
            if (r > 0 && *end == '\0')
                worksheet_write_number(ws, r, (lxw_col_t)i, v, NULL);
            else
                worksheet_write_string(ws, r, (lxw_col_t)i, c->f[i], NULL);
        }
        r++;
    }
    csv_free(c);
    diag_free(&d);
    return workbook_close(b) == LXW_NO_ERROR ? 0 : -1;
}

/* Median CPU seconds of ingest_file on path; *rows gets the rows read. */
static double time_ingest(const char *path, const struct framework *fw, size_t *rows)
{
    double t[RUNS];
    for (int k = 0; k < RUNS; k++) {
        struct diag d;
        diag_init(&d);
        struct obsset *s = obsset_new();
        double t0 = bench_cpu();
        if (ingest_file(s, path, NULL, fw, &d) != 0) {
            char buf[1024];
            fprintf(stderr, "%s\n", diag_format(&d, 0, buf, sizeof buf));
            exit(1);
        }
        t[k] = bench_cpu() - t0;
        *rows = s->n;
        obsset_free(s);
        diag_free(&d);
    }
    return bench_median(t, RUNS);
}

static void bench(const char *dir, const char *what, int units, int years, int streaming)
{
    struct gen_options o;
    gen_options_init(&o);
    o.units = units;
    o.years = years;
    o.first_year = 2026 - years + 1;
    o.missing = 0.05;
    o.seed = 1;
    o.outdir = dir;
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    char *csv = path_join(dir, "observations.csv"), *xlsx = path_join(dir, "observations.xlsx");
    char *fwp = path_join(dir, "framework.csv");
    if (gen_write(&o, &d) != 0 || framework_load(&fw, fwp, &d) != 0 ||
        csv_to_xlsx(csv, xlsx, streaming) != 0) {
        fprintf(stderr, "bench_xlsx: cannot prepare %s\n", what);
        exit(1);
    }
    size_t rows = 0, rows2 = 0;
    double tc = time_ingest(csv, fw, &rows), tx = time_ingest(xlsx, fw, &rows2);
    if (rows != rows2) {
        fprintf(stderr, "bench_xlsx: %s: %zu rows from CSV, %zu from xlsx\n", what, rows, rows2);
        exit(1);
    }
    FILE *f = fopen(xlsx, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    printf("%-28s %8zu obs  csv %8.4f s  xlsx %8.4f s (%6.1f MB%s)  xlsx/csv %.2f\n", what,
           rows, tc, tx, (double)size / 1e6, streaming ? ", inline strings" : "", tx / tc);
    framework_free(fw);
    diag_free(&d);
    free(csv);
    free(xlsx);
    free(fwp);
}

int main(void)
{
    char tmpl[] = "/tmp/lcme-bench-xlsx-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        return 1;
    printf("ingest_file, median CPU time of %d runs\n", RUNS);
    bench(dir, "one return (1 x 126 x 1)", 1, 1, 0);
    bench(dir, "Hong Kong size (18 x 126 x 11)", 18, 11, 0);
    bench(dir, "network (356 x 126 x 11)", 356, 11, 1);
    path_remove_tree(dir);
    return 0;
}
