/* bench_xlsx.c: how long ingest takes to read the same observations from a
 * workbook (.xlsx) as from a CSV file, at five sizes: one return (1 unit x
 * 126 indicators, one year; also after another program's book, and as
 * Gnumeric saves it), a returned template (lcme's template filled
 * and saved by LibreOffice, against its Data sheet as CSV: bench_template),
 * the Hong Kong sample's size (18 units x 126 indicators x 11 years), a
 * network's (356 units x 11 years), and a network's year of returns: 356
 * files of one unit each, read in turn into one obsset as a data entry
 * naming a folder of returns reads them.
 *
 * Each size but the template is a batch written by the generator (gen.h); its
 * observations.csv is copied cell for cell into a workbook with
 * libxlsxwriter (numbers as numbers; shared strings, or inline strings in
 * constant-memory mode for the network, as a large export would write
 * them), and ingest_file reads each file into a fresh obsset, 201 times
 * for the one return, 21 for the Hong Kong size and 5 for the network.
 * The figures are medians of CPU time (on a shared machine it varies less
 * than wall time), with the ratio xlsx / csv.
 *
 * Built with the benchmarks (cmake -DLCME_BENCH=ON, as ./build.sh bench
 * does) as build/bench_xlsx; run it by hand: build/bench_xlsx.
 *
 * Measured on the shared 2-core VM, loaded by other builds (load average
 * about 4; medians over six runs of this program, alternating with the
 * same program built on the commit before; single runs move by 20 % and
 * more; the ratio is the median of each run's ratio):
 *                               before                    after
 *   one return, 117 obs         csv 0.047 ms xlsx 0.34 ms csv 0.050 ms xlsx 0.30 ms
 *                               7.3 x                     6.0 x
 *   Hong Kong size, 23,722 obs  csv 8.7 ms   xlsx 43 ms   csv 9.8 ms   xlsx 29 ms
 *                               4.5 x                     2.9 x
 *   network, 468,642 obs        csv 0.18 s   xlsx 1.02 s  csv 0.18 s   xlsx 0.66 s
 *                               5.9 x                     3.7 x
 * (97 MB of sheet XML in a 13.6 MB file). What changed: the rows are read
 * by the scanner of xlsx_scan.c instead of the XML reader's tokens and
 * handlers (about 66 ns a tag before), one-letter attributes take a short
 * way, a tag right after a tag skips the text reader, the cell table is reserved once after the header row instead of
 * doubling (a twentieth of the Hong Kong read), the inflated part lies in
 * huge pages. Of the workbook's read (a profile of this program, all three
 * sizes) the scanner and the cell handlers it calls are now two thirds,
 * inflating a quarter, hashing and the small parts the rest; of the
 * scanner, a third is reading attributes (r="G14" t="s": a branch per
 * byte, whose ends the runs' lengths make hard to predict; eight bytes at
 * a time, tried, was no faster). For the one return, 19 KB of sheet XML,
 * the fixed costs weigh as much as the sheet: opening the zip and reading
 * its small parts (relationships, workbook, shared strings, styles) are
 * two fifths of its read, finding each part in the zip's directory alone
 * a tenth, hashing the file a twentieth. A returned template (33 KB of
 * zip, 145 KB of XML for 120 rows) weighs the same way.
 *
 * A year's returns (the fourth size): before, every file was checked for
 * duplicates by sorting it with the whole set, and the set's rows were
 * copied into a new array at each commit, so each file cost in proportion
 * to the set: 352 returns took 0.26-0.52 s from CSV and 0.32-0.48 s from
 * workbooks. With the key index (ingest_dedup.c) and rows appended in
 * place: 22-29 ms and 69-84 ms, 0.06-0.08 and 0.20-0.24 ms a return
 * (alternating runs, shared machine); xlsx/csv 2.9-3.2 on a quiet machine,
 * 3.4-3.6 under load. Listing the zip's directory once instead of looking
 * each part up took a one-return read from 1.81 to 1.70 million
 * instructions (callgrind; the CSV read: 0.38 million).
 *
 * Instructions (callgrind, a read after the first, so not subject to the
 * load; the CSV reads: 0.38 million and 1.27 billion):
 *                              before       after
 *   one return                 1.75 M       1.48 M
 *   network                    4.02 G       3.31 G
 * What changed: a cell of the common shapes (<c r="D2" t="s"><v>12</v>
 * </c>, an inline string's one <t>) is read in one pass (the sheet's scan
 * of the one return 504 to 348 thousand); the shared strings are scanned
 * like the rows instead of going through the XML reader (211 to about 100
 * thousand); the XML reader's first buffer and pool are allocated at the
 * size asked, not rounded up to a power of two, so a lone read's
 * transient memory stays under glibc's trim threshold and no read grows
 * and trims the heap (before: brk twice a read). What is left of the one
 * return's 1.48 million: the sheet's scan 23 %, hashing the file 17 %,
 * ingest's checks of the rows 16 %, inflating the parts 15 %, minizip
 * (opening the zip, listing and opening the parts, its headers read a
 * byte or two at a time through mem_read) 13 %, the XML reader on the
 * small parts (relationships, workbook, styles) 5 %.
 * CPU time, xlsx/csv: the ratios of six runs of this program alternating
 * with the same program built on the commit before (shared machine, load
 * average 2-3.5), each side's median (and range):
 *                              before              after
 *   one return                 5.3 (3.0-8.7)       4.4 (4.1-4.6)
 *   Hong Kong size             2.9 (1.7-3.1)       2.4 (2.3-2.9)
 *   network                    3.5 (3.0-3.8)       3.2 (2.4-3.6)
 *   a year's returns           3.1 (2.8-3.3)       2.8 (2.7-2.8)
 *
 * A returned template (the fifth size, added then): the one return above is
 * a plain export, four columns and no styles; what an office sends back is
 * lcme's template filled and saved by a spreadsheet program, here by
 * LibreOffice: 15 columns, three sheets, styles, 471 shared strings and,
 * after the rows, 70 KB of data validations (145 KB of sheet XML, 30 KB of
 * strings, 10 KB of styles for 122 observations). Read at 0.85 ms against
 * 0.11 ms for its Data sheet as CSV: 8.0 x. What changed since, measured
 * on the commit before and after (instructions by callgrind, a read after
 * the first; CPU time the medians of three runs of this program
 * alternating with the same program built on the commit before, a quiet
 * machine):
 *   - the zip's directory and the parts' local headers are read straight
 *     from the bytes (engine/input/xlsx_dir.c) for the plain zips programs
 *     write, minizip reading any other: minizip read its headers a few
 *     bytes at a time through the I/O callbacks, walked the directory twice
 *     and allocated an inflate state for each part, about a tenth of the
 *     one return's read;
 *   - attribute values and runs of text are scanned sixteen bytes at a
 *     time, attribute names compared by length first;
 *   - the rest of a part whose handlers are done (the data validations) is
 *     checked in one pass without the reader's tokens (xlsx_xml.c's skim),
 *     the reader reading it when that pass declines;
 *   - LibreOffice's <si><t xml:space="preserve"> strings in one pass.
 *                              before              after
 *   one return, instructions   1.49 M              1.30 M     (CSV 0.40 M)
 *   template, instructions     5.65 M              4.60 M     (CSV 1.17 M)
 *   one return                 0.236 ms, 4.4 x     0.205 ms, 3.8-4.0 x
 *   a returned template        0.85 ms, 8.0 x      0.66 ms, 6.2 x
 *   a year's returns           2.6-2.7 x           2.4 x
 *   Hong Kong size, network    2.5, 3.0-3.3 x      2.6, 3.5 x (the same
 *                              CPU time within the noise; the CSV reads
 *                              varied by a tenth)
 * (callgrind hashes in software: SHA-256 is 0.29 M of the one return's
 * instructions and 1.15 M of the template's; with the CPU's SHA
 * instructions it is 4-5 % of their time.) What is left of the template's
 * 0.66 ms (perf): the rows' scan and cell handlers 29 %, inflating the
 * parts 23 % (the whole 145 KB sheet part is inflated, validations
 * included), the shared strings 13 %, the one pass over the validations
 * 9 %, the styles 8.5 %, the workbook and relationships 5.5 %, hashing
 * 5 %, ingest's row checks 5 %, the heap grown and trimmed again on each
 * read (brk and page faults) 3-8 %. Inflating alone takes 1.4 times the
 * CSV file's whole read.
 *
 * Then, the handlers' side of a cell (measured as above, the commit before
 * and after; "101 units" is a network-shaped sheet of inline strings,
 * 12,726 observations, small enough for callgrind):
 *   - a cell of the one-pass shape is handed to the handlers where it lies
 *     in the inflated part: its attributes and text were copied twice
 *     (into the scanner's values and the cell's buffer) before the one
 *     copy that is kept; its reference's digits are compared with its
 *     row's as written before they are read as a number;
 *   - the styles part is read only when a number kept is in a cell with a
 *     style, once the rows are read (a plain export has none: its styles
 *     part was a tenth of a one return's read, with its inflating);
 *   - a row's tag of the shapes programs write (LibreOffice's seven
 *     attributes among them) is read in one pass, and a shared string's
 *     text kept where it lies; tags and short names are compared eight
 *     bytes at a time, the XML reader's buffer being followed by 16 zero
 *     bytes (xlsx_xml.h);
 *   - a code such as I1_1_1a, which holds '_' but no _xHHHH_ escape, is
 *     no longer copied to be searched for escapes.
 *                              before              after
 *   one return, instructions   1.32 M              1.16 M     (CSV 0.40 M)
 *   template, instructions     4.43 M              4.24 M     (CSV 1.17 M)
 *   101 units, instructions    77.4 M              70.3 M     (CSV 37.5 M)
 * CPU time, medians of four runs of this program alternating with the
 * same program built on the commit before (xlsx time, and the median of
 * each run's xlsx/csv):
 *   one return                 0.214 ms, 4.0 x     0.172 ms, 3.2 x
 *   a returned template        0.667 ms, 6.3 x     0.598 ms, 5.6 x
 *   Hong Kong size             24.0 ms, 2.5 x      21.0 ms, 2.1 x
 *   network                    0.65 s, 3.4 x       0.48 s, 2.6 x
 *   a year's returns           102 ms, 2.4 x       87 ms, 2.1 x
 * In observations a second from workbooks: a year's returns 0.42 M/s
 * before, 0.49 M/s after (1.05 M/s from CSV); the network 0.72 and 0.97
 * M/s. The template's 185 KB of XML for 15 KB of CSV keep it past 3 x: its
 * inflating alone takes 1.4 times the CSV file's whole read.
 *
 * Then, what a thread keeps between books (xlsx_read.c): the decompressor
 * (about 10 KB, zeroed when made) and one XML reader with its buffer and
 * pool were made and freed for each book and each part; a returned
 * template's 145 KB sheet buffer and 128 KiB pool grew the heap and gave it
 * back at each read (in a loop of template reads the kernel's share, brk
 * and page faults, went from 13 % to 5 % of the time). Also: a styles part
 * is only checked after </cellXfs> (one pass, xlsx_xml.c's skim), and that
 * pass reads names sixteen bytes at a time and compares an attribute's
 * name with the tag's others only when a 64-bit hash of their first bytes
 * says it may be one of them. Instructions (callgrind, 41 reads):
 *                              before              after
 *   one return, instructions   1.183 M             1.160 M
 *   template, instructions     4.245 M             4.055 M
 * CPU time, medians of six runs of this program alternating with the same
 * program built on the commit before (xlsx time; the median of each run's
 * xlsx/csv; load average 1-2.5):
 *   one return                 0.175 ms, 3.31 x    0.164 ms, 3.04 x
 *   a returned template        0.609 ms, 5.67 x    0.573 ms, 5.39 x
 *   Hong Kong size             20.9 ms, 2.25 x     20.2 ms, 2.12 x
 *   network                    0.474 s, 2.69 x     0.465 s, 2.59 x
 *   a year's returns           84.2 ms, 2.15 x     80.4 ms, 2.05 x
 * In observations a second from workbooks: a year's returns 0.51 M/s
 * before, 0.53 M/s after (1.09 M/s from CSV); the network 0.99 and 1.01
 * M/s (2.6 M/s from CSV).
 *
 * Then three changes. Numbers past csv.c's fast path (Excel and
 * libxlsxwriter write 81.6 as 81.59999999999999, Gnumeric as
 * 63.7000000000000000007) are read by fast_float instead of strtod (43
 * and 70 against 280 and 235 ns a value). A thread remembers the small
 * parts it inflated (relationships, workbook, styles: xlsx_read.c), so
 * that the returns of one program after the first copy them instead of
 * building Huffman tables for each (4 to 6 microseconds a part). And cells
 * laid out with whitespace between their elements, as Gnumeric indents
 * them, are read in the scanner's one pass (xlsx_scan.c's body_spaced)
 * instead of the general path. Two rows were added: the one return after
 * a read of another program's book (not timed; it takes the remembered
 * parts' places, so none of the return's are remembered), and the one
 * return as Gnumeric saves it (ssconvert, when it is installed; 41 KB of
 * indented XML and inline strings for the 19 KB of libxlsxwriter's).
 * And the CSV file and the workbook are now read in turn, one of each,
 * instead of all the CSV runs and then all the workbook runs: the
 * machine's moods fall on both, and each run's ratio moves by 0.05 or less
 * instead of 0.3 and more (the cost: neither read finds the caches as the
 * same file's read before it left them, so both take longer than read in
 * a row, the template's CSV 0.12 ms instead of 0.107).
 *                              before              after
 *   one return, instructions   1.160 M             1.085 M    (CSV 0.501 M)
 *   Gnumeric's, instructions   1.809 M             1.392 M
 *   template, instructions     4.055 M             3.985 M    (CSV 1.174 M)
 * CPU time, medians of six runs of this program (read in turn as above)
 * alternating with the same program built on the commit before; the
 * median of each run's xlsx/csv; load average about 1:
 *   one return                 0.174 ms, 2.93 x    0.151 ms, 2.59 x
 *     after another program's  0.189 ms, 3.08 x    0.176 ms, 2.96 x
 *     saved by Gnumeric        0.339 ms, 5.47 x    0.207 ms, 3.54 x
 *   a returned template        0.629 ms, 4.96 x    0.572 ms, 4.69 x
 *   Hong Kong size             22.5 ms, 2.44 x     20.6 ms, 2.29 x
 *   network                    0.539 s, 2.75 x     0.499 s, 2.54 x
 *   a year's returns           89.7 ms, 2.06 x     83.0 ms, 1.90 x
 * In observations a second from workbooks: a year's returns 0.48 M/s
 * before, 0.51 M/s after (0.98 M/s from CSV); the network 0.87 and 0.94
 * M/s (2.4 M/s from CSV). Gnumeric's return and the template stay past
 * 3 x. The parts read of Gnumeric's hold 45 KB of XML where
 * libxlsxwriter's hold 24 KB for the same rows; the template's 189 KB for
 * 15 KB of CSV. The template with its data validations, its empty entry
 * cells and LibreOffice's six row attributes cut out of its sheet (145 KB
 * to 50 KB, rezipped) still took 3.6 times its CSV (each file read 20
 * times in a row, medians of five runs; 4.2 times without the validations
 * alone).
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

#define RUNS_MAX 201   /* runs of the one return, whose read takes 0.1 ms */
#define RETURNS_RUNS 7 /* runs of a year's returns */


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

/* What the observations of s add up to (values, standard errors, sizes,
 * bounds, years, indicators): equal when two files gave the same rows. */
static double obs_sum(const struct obsset *s)
{
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct obs *o = &s->v[i];
        double f[] = {o->value, o->se, o->n, o->lower, o->upper};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            sum += f[k] == f[k] ? f[k] * (double)(k + 1) : 0;
        sum += o->year + 7.0 * o->ind;
    }
    return sum;
}

/* ingest_file of path into s; on failure the message, and exit. */
static void ingest_or_exit(struct obsset *s, const char *path, const struct framework *fw)
{
    struct diag d;
    diag_init(&d);
    if (ingest_file(s, path, NULL, fw, &d) != 0) {
        char buf[1024];
        fprintf(stderr, "%s\n", diag_format(&d, 0, buf, sizeof buf));
        exit(1);
    }
    diag_free(&d);
}

/* CPU seconds of ingest_file on path, after a read of before (not timed;
 * NULL: none); *rows gets the rows read and *sum what they add up to
 * (obs_sum). */
static double time_ingest(const char *path, const char *before, const struct framework *fw,
                          size_t *rows, double *sum)
{
    if (before) {
        struct obsset *b = obsset_new();
        ingest_or_exit(b, before, fw);
        obsset_free(b);
    }
    struct obsset *s = obsset_new();
    double t0 = bench_cpu();
    ingest_or_exit(s, path, fw);
    double t = bench_cpu() - t0;
    *rows = s->n;
    *sum = obs_sum(s);
    obsset_free(s);
    return t;
}

/* The generator's batch of units x years (the last 2026, 5 % missing, seed
 * 1) in dir. What gen_write returns. */
static int generate(const char *dir, int units, int years, struct diag *d)
{
    struct gen_options o;
    gen_options_init(&o);
    o.units = units;
    o.years = years;
    o.first_year = 2026 - years + 1;
    o.missing = 0.05;
    o.seed = 1;
    o.outdir = dir;
    return gen_write(&o, d);
}

/* Time ingest_file on the CSV file and the workbook (each read of it after
 * a read of before, when not NULL), which must give the same observations,
 * and print both and their ratio. */
static void bench_pair(const char *what, const char *csv, const char *xlsx, const char *before,
                       const struct framework *fw, int runs, const char *note)
{
    size_t rows = 0, rows2 = 0;
    double sum = 0, sum2 = 0, c[RUNS_MAX], x[RUNS_MAX];
    for (int k = 0; k < runs; k++) {   /* one of each in turn: the machine's moods fall on both */
        c[k] = time_ingest(csv, NULL, fw, &rows, &sum);
        x[k] = time_ingest(xlsx, before, fw, &rows2, &sum2);
    }
    double tc = bench_median(c, runs), tx = bench_median(x, runs);
    if (rows != rows2 || sum != sum2) {
        fprintf(stderr, "bench_xlsx: %s: %zu rows from CSV, %zu from xlsx, not the same "
                "observations\n", what, rows, rows2);
        exit(1);
    }
    FILE *f = fopen(xlsx, "rb");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    printf("%-28s %8zu obs  csv %9.3f ms  xlsx %9.3f ms (%6.1f %s%s)  xlsx/csv %.2f\n",
           what, rows, tc * 1e3, tx * 1e3, size < 1000000 ? (double)size / 1e3 : (double)size / 1e6,
           size < 1000000 ? "KB" : "MB", note, tx / tc);
}

/* A returned template, as an office sends it back: `lcme template` for one
 * district of the Hong Kong sample, filled and saved by LibreOffice
 * (tests/data/good/README.md), against its Data sheet as CSV (the same 15
 * columns, exported by Gnumeric's ssconvert -O sheet=Data). */
static void bench_template(void)
{
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    const char *src = LCME_SOURCE_DIR;
    char *fwp = path_join(src, "indicators/kflc.csv");
    char *csv = path_join(src, "tests/data/good/hk-wan-chai-2026.csv");
    char *xlsx = path_join(src, "tests/data/good/hk-wan-chai-2026.libreoffice.xlsx");
    if (framework_load(&fw, fwp, &d) != 0) {
        fprintf(stderr, "bench_xlsx: cannot read %s\n", fwp);
        exit(1);
    }
    bench_pair("a returned template (1 x 126)", csv, xlsx, NULL, fw, RUNS_MAX, ", 1 of 3 sheets");
    framework_free(fw);
    diag_free(&d);
    free(fwp);
    free(csv);
    free(xlsx);
}

static void bench(const char *dir, const char *what, int units, int years, int streaming)
{
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    char *csv = path_join(dir, "observations.csv"), *xlsx = path_join(dir, "observations.xlsx");
    char *fwp = path_join(dir, "framework.csv");
    if (generate(dir, units, years, &d) != 0 || framework_load(&fw, fwp, &d) != 0 ||
        csv_to_xlsx(csv, xlsx, streaming) != 0) {
        fprintf(stderr, "bench_xlsx: cannot prepare %s\n", what);
        exit(1);
    }
    int runs = units == 1 ? RUNS_MAX : units < 100 ? 21 : 5;
    bench_pair(what, csv, xlsx, NULL, fw, runs, streaming ? ", inline strings" : "");
    char *gn = path_join(dir, "observations.gnumeric.xlsx"), cmd[1024];
    snprintf(cmd, sizeof cmd, "ssconvert '%s' '%s' >/dev/null 2>&1", csv, gn);
    if (units == 1 && system(cmd) == 0) {   /* Gnumeric's (build.sh installs it) */
        bench_pair("  after another program's", csv, xlsx, gn, fw, runs, ", parts not remembered");
        bench_pair("  saved by Gnumeric", csv, gn, NULL, fw, runs, ", indented");
    }
    free(gn);
    framework_free(fw);
    diag_free(&d);
    free(csv);
    free(xlsx);
    free(fwp);
}

/* Split dir's observations.csv (sorted by unit) into one CSV file per unit,
 * returns/UNIT.csv, each copied into returns/UNIT.xlsx. The paths of the
 * files ingest accepts on their own go into csv[] and xlsx[] (a return
 * whose only survey percentage is below 1 is refused as given in shares,
 * as an officer's would be). Their count. */
static int split_returns(const char *dir, const struct framework *fw, char **csv, char **xlsx,
                         int max)
{
    char *src = path_join(dir, "observations.csv"), *rdir = path_join(dir, "returns");
    FILE *in = fopen(src, "r");
    char header[4096], line[4096], unit[64] = "";
    if (!in || path_mkdir_p(rdir) != 0 || !fgets(header, sizeof header, in))
        exit(1);
    FILE *out = NULL;
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        size_t len = strcspn(line, ",");
        if (out && strlen(unit) == len && strncmp(line, unit, len) == 0) {
            fputs(line, out);
            continue;
        }
        if (out)
            fclose(out);
        if (n == max || len >= sizeof unit)
            exit(1);
        snprintf(unit, sizeof unit, "%.*s", (int)len, line);
        char name[96];
        snprintf(name, sizeof name, "%s.csv", unit);
        csv[n] = path_join(rdir, name);
        snprintf(name, sizeof name, "%s.xlsx", unit);
        xlsx[n++] = path_join(rdir, name);
        if (!(out = fopen(csv[n - 1], "w")))
            exit(1);
        fputs(header, out);
        fputs(line, out);
    }
    if (out)
        fclose(out);
    fclose(in);
    free(src);
    free(rdir);
    int kept = 0;
    for (int i = 0; i < n; i++) {
        struct diag d;
        diag_init(&d);
        struct obsset *s = obsset_new();
        int ok = ingest_file(s, csv[i], NULL, fw, &d) == 0;
        obsset_free(s);
        diag_free(&d);
        if (!ok || csv_to_xlsx(csv[i], xlsx[i], 0) != 0) {
            free(csv[i]);
            free(xlsx[i]);
            continue;
        }
        csv[kept] = csv[i];
        xlsx[kept++] = xlsx[i];
    }
    return kept;
}

/* CPU seconds to read the n files into one fresh obsset, in turn. */
static double time_returns(char **paths, int n, const struct framework *fw, size_t *rows)
{
    struct obsset *s = obsset_new();
    double t0 = bench_cpu();
    for (int i = 0; i < n; i++)
        ingest_or_exit(s, paths[i], fw);
    double t = bench_cpu() - t0;
    *rows = s->n;
    obsset_free(s);
    return t;
}

/* A year's returns of a network: one file per unit, all read into one
 * obsset, as a data entry naming a folder of returns reads them; CSV files against
 * workbooks, medians of RETURNS_RUNS runs. */
static void bench_returns(const char *dir, int units)
{
    struct diag d;
    diag_init(&d);
    struct framework *fw = NULL;
    char *fwp = path_join(dir, "framework.csv");
    char **csv = calloc((size_t)units, sizeof *csv), **xlsx = calloc((size_t)units, sizeof *xlsx);
    if (!csv || !xlsx || generate(dir, units, 1, &d) != 0 ||
        framework_load(&fw, fwp, &d) != 0) {
        fprintf(stderr, "bench_xlsx: cannot prepare the returns\n");
        exit(1);
    }
    int n = split_returns(dir, fw, csv, xlsx, units);
    double tc[RETURNS_RUNS], tx[RETURNS_RUNS];
    size_t rows = 0, rows2 = 0;
    for (int k = 0; k < RETURNS_RUNS; k++) {   /* alternating */
        tc[k] = time_returns(csv, n, fw, &rows);
        tx[k] = time_returns(xlsx, n, fw, &rows2);
    }
    if (rows != rows2) {
        fprintf(stderr, "bench_xlsx: returns: %zu rows from CSV, %zu from xlsx\n", rows, rows2);
        exit(1);
    }
    double c = bench_median(tc, RETURNS_RUNS), x = bench_median(tx, RETURNS_RUNS);
    char what[64];
    snprintf(what, sizeof what, "a year's returns (%d files)", n);
    printf("%-28s %8zu obs  csv %9.3f ms  xlsx %9.3f ms (a return: %.3f and %.3f ms)  "
           "xlsx/csv %.2f\n", what, rows, c * 1e3, x * 1e3, c * 1e3 / n, x * 1e3 / n, x / c);
    for (int i = 0; i < n; i++) {
        free(csv[i]);
        free(xlsx[i]);
    }
    free(csv);
    free(xlsx);
    free(fwp);
    framework_free(fw);
    diag_free(&d);
}

int main(void)
{
    char tmpl[] = "/tmp/lcme-bench-xlsx-XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (!dir)
        return 1;
    printf("ingest_file, median CPU time of %d runs (one return), 21 (Hong Kong), 5 (network)\n",
           RUNS_MAX);
    bench(dir, "one return (1 x 126 x 1)", 1, 1, 0);
    bench_template();
    bench(dir, "Hong Kong size (18 x 126 x 11)", 18, 11, 0);
    bench(dir, "network (356 x 126 x 11)", 356, 11, 1);
    bench_returns(dir, 356);
    path_remove_tree(dir);
    return 0;
}
