/* bench_outputs.c: each output stage of lcme beside the bare library
 * writing the same bytes, on a batch made by `lcme gen` (tests/bench/run.sh
 * makes the network-scale one: 356 units x 126 indicators x 11 years).
 *
 *   bench_outputs BATCH.ini [RUNS]      (default 3 runs; medians printed)
 *
 * The batch is read and computed as `lcme run --replications 0` does,
 * without the store. Then, each RUNS times, in a temporary folder:
 *
 *   scores.csv  lcme's scores_csv_write; the same file with the former
 *               printf and strtod number text ("%.15g", "%.16g", "%.17g",
 *               the first that reads back); and the bare minimum: one
 *               libdouble-conversion call a number (its shortest digits,
 *               laid out as %g would) and fwrite, checked to give the same
 *               bytes.
 *   workbook    lcme's workbook_write; then the same cells (every number,
 *               string and blank cell lcme wrote, recorded through the
 *               linker's --wrap of worksheet_write_number, _string and
 *               _blank) written by bare libxlsxwriter calls into sheets of
 *               the same names, in the same memory mode, without formats,
 *               tables, widths, charts or images.
 *   charts      lcme's charts_write_all (PNG where chart_has_png, PDF); then
 *               bare cairo writing the same files from recordings of the
 *               drawings (made beforehand, untimed): each painted onto an
 *               image surface written with cairo_surface_write_to_png and
 *               onto a PDF surface. The difference is lcme's own work
 *               (layout, text shaping, its PNG encoder).
 *
 * Every figure is CPU seconds of the whole process (on a shared machine it
 * varies less than wall time; the charts run on in->threads threads, the
 * bare replays on one), the median of RUNS, with wall seconds beside it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <xlsxwriter.h>

#include "chart.h"
#include "config.h"
#include "cube.h"
#include "bench_clock.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"
#include "pipeline.h"
#include "report_dtoa.h"
#include "report_util.h"
#include "reports.h"
#include "trend.h"

#define MAX_RUNS 15

static void die(struct diag *d, const char *what)
{
    char buf[1024];
    fprintf(stderr, "bench_outputs: %s failed\n", what);
    for (size_t i = 0; d && i < d->n; i++)
        fprintf(stderr, "%s\n", diag_format(d, i, buf, sizeof buf));
    exit(1);
}

/* One timed figure: CPU and wall seconds of each run. */
struct figure {
    const char *name;
    double cpu[MAX_RUNS], wall[MAX_RUNS];
    int n;
    double t0, c0;
};

static void fig_start(struct figure *f)
{
    f->t0 = now();
    f->c0 = cpu();
}

static void fig_stop(struct figure *f)
{
    f->cpu[f->n] = cpu() - f->c0;
    f->wall[f->n] = now() - f->t0;
    f->n++;
}

static double fig_cpu(struct figure *f)
{
    double v[MAX_RUNS];
    memcpy(v, f->cpu, sizeof v);
    return median(v, f->n);
}

static void fig_print(struct figure *f, struct figure *limit)
{
    double w[MAX_RUNS];
    memcpy(w, f->wall, sizeof w);
    double c = fig_cpu(f);
    printf("  %-34s cpu %7.3f s  wall %7.3f s", f->name, c, median(w, f->n));
    if (limit && fig_cpu(limit) > 0)
        printf("  %.2fx the bare library", c / fig_cpu(limit));
    printf("\n");
}

/* ---- the batch, computed as lcme run does -------------------------------- */

struct batch {
    struct config *cfg;
    struct framework *fw;
    struct obsset *obs;
    struct cube *c;
    struct results *res;
    struct trends *tr;
    struct run_info ri;
    struct report_input in;
};

static void batch_load(struct batch *b, const char *path)
{
    struct diag d;
    diag_init(&d);
    memset(b, 0, sizeof *b);
    if (config_load(&b->cfg, path, &d) || framework_load(&b->fw, b->cfg->framework, &d) ||
        config_apply_weights(b->cfg, b->fw, &d) || !(b->obs = obsset_new()))
        die(&d, "reading the batch");
    if (b->cfg->units)
        ingest_units(b->obs, b->cfg->units, &d);
    for (int i = 0; i < b->cfg->ndata; i++)
        ingest_file(b->obs, b->cfg->data[i], b->cfg->data_name[i], b->fw, &d);
    if (diag_count(&d) || obsset_to_cube(b->obs, b->fw, b->cfg->ci_level, &b->c, &d))
        die(&d, "ingest");
    b->cfg->replications = 0;
    if (!b->cfg->base_year)
        b->cfg->base_year = b->c->year[0];
    if (pipeline_run(b->cfg, b->fw, b->c, &b->res, &d) ||
        trend_compute_all(b->cfg, b->fw, b->c, b->res, &b->tr, &d))
        die(&d, "computing");
    snprintf(b->ri.id, sizeof b->ri.id, "0123456789abcdef");
    memset(b->ri.digest, 'f', 64);
    b->ri.version = "bench";
    b->ri.created = b->cfg->created;
    b->ri.seed = b->cfg->seed;
    b->ri.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    b->in = (struct report_input){.cfg = b->cfg, .fw = b->fw, .cube = b->c, .res = b->res,
                                  .run = &b->ri, .trends = b->tr, .threads = b->ri.threads};
    diag_free(&d);
}

/* ---- scores.csv --------------------------------------------------------- */

/* The former number text: printf, then strtod to check, up to 3 times. */
static size_t printf_text(char *buf, double v)
{
    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        return (size_t)snprintf(buf, 32, "%lld", (long long)v);
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return strlen(buf);
}

/* The bare minimum: one shortest-digits call a number, laid out in fixed
 * notation (scores, ranks and years are all between 1e-4 and 1e15). */
static size_t bare_text(char *buf, double v)
{
    if (!isfinite(v)) {
        buf[0] = '\0';
        return 0;
    }
    char d[24];
    int point, n = report_dtoa_shortest(v, d, &point);
    char *o = buf;
    if (v < 0)
        *o++ = '-';
    if (v == 0) {
        *o++ = '0';
    } else if (point <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -point; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)n);
        o += n;
    } else if (n <= point) {
        memcpy(o, d, (size_t)n);
        o += n;
        for (int i = n; i < point; i++)
            *o++ = '0';
    } else {
        memcpy(o, d, (size_t)point);
        o += point;
        *o++ = '.';
        memcpy(o, d + point, (size_t)(n - point));
        o += n - point;
    }
    *o = '\0';
    return (size_t)(o - buf);
}

/* scores.csv's rows with number text from text(); unit and node codes are
 * plain in the generated batch (no quoting needed). */
static void csv_with(const struct batch *b, const char *path, size_t (*text)(char *, double))
{
    const struct results *r = b->res;
    FILE *f = fopen(path, "w");
    if (!f)
        die(NULL, "opening a CSV file");
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    fputs("unit,year,node,level,score,ci_low,ci_high,rank,rank_low,rank_high\n", f);
    char line[512];
    for (size_t t = 0; t < r->nyear; t++)
        for (size_t k = 0; k < r->nnode; k++)
            for (size_t u = 0; u < r->nunit; u++) {
                size_t i = RES_AT(r, k, t, u);
                char *o = line;
                size_t l = strlen(b->c->unit[u]);
                memcpy(o, b->c->unit[u], l);
                o += l;
                *o++ = ',';
                o += text(o, b->c->year[t]);
                *o++ = ',';
                l = strlen(b->fw->node[k].code);
                memcpy(o, b->fw->node[k].code, l);
                o += l;
                *o++ = ',';
                o += text(o, b->fw->node[k].level);
                *o++ = ',';
                o += text(o, r->score[i]);
                *o++ = ',';
                *o++ = ',';
                *o++ = ',';
                o += text(o, r->rank[i]);
                *o++ = ',';
                *o++ = ',';
                *o++ = '\n';
                fwrite(line, 1, (size_t)(o - line), f);
            }
    fclose(f);
}

static int same_file(const char *a, const char *b)
{
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

static void bench_csv(const struct batch *b, const char *dir, int runs)
{
    struct figure lc = {.name = "scores.csv (lcme)"}, pf = {.name = "scores.csv, printf number text"},
                  bare = {.name = "scores.csv, bare libdouble-conversion"};
    char p1[400], p2[400], p3[400];
    snprintf(p1, sizeof p1, "%s/scores.csv", dir);
    snprintf(p2, sizeof p2, "%s/scores-printf.csv", dir);
    snprintf(p3, sizeof p3, "%s/scores-bare.csv", dir);
    struct diag d;
    diag_init(&d);
    for (int k = 0; k < runs; k++) {
        fig_start(&lc);
        if (scores_csv_write(p1, &b->in, &d) != 0)
            die(&d, "scores_csv_write");
        fig_stop(&lc);
        fig_start(&pf);
        csv_with(b, p2, printf_text);
        fig_stop(&pf);
        fig_start(&bare);
        csv_with(b, p3, bare_text);
        fig_stop(&bare);
    }
    printf("scores.csv (%zu rows):\n", b->res->nunit * b->res->nyear * b->res->nnode);
    fig_print(&lc, &bare);
    fig_print(&pf, &bare);
    fig_print(&bare, NULL);
    printf("  same bytes: printf %s, bare %s\n", same_file(p1, p2) ? "yes" : "NO",
           same_file(p1, p3) ? "yes" : "NO (intervals in the batch?)");
    diag_free(&d);
}

/* ---- workbook: the cells lcme writes, recorded ------------------------- */

lxw_error __real_worksheet_write_number(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        double v, lxw_format *f);
lxw_error __real_worksheet_write_string(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        const char *s, lxw_format *f);
lxw_error __real_worksheet_write_blank(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                       lxw_format *f);

struct cell {
    uint32_t row;
    uint16_t col, sheet;
    uint8_t type;          /* 0 number, 1 string, 2 blank */
    double num;
    size_t str;            /* offset in strbuf */
};

static struct {
    int on;
    struct cell *v;
    size_t n, cap;
    char *strbuf;
    size_t slen, scap;
    lxw_worksheet *ws[64];
    char *name[64];
    int nws;
} rec;

static int sheet_of(lxw_worksheet *ws)
{
    for (int i = 0; i < rec.nws; i++)
        if (rec.ws[i] == ws)
            return i;
    if (rec.nws == 64)
        die(NULL, "recording: too many sheets");
    rec.ws[rec.nws] = ws;
    rec.name[rec.nws] = strdup(ws->name);
    return rec.nws++;
}

static void record(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int type, double v,
                   const char *s)
{
    if (rec.n == rec.cap) {
        rec.cap = rec.cap ? 2 * rec.cap : 1 << 20;
        if (!(rec.v = realloc(rec.v, rec.cap * sizeof *rec.v)))
            die(NULL, "recording: out of memory");
    }
    struct cell *c = &rec.v[rec.n++];
    c->row = row;
    c->col = col;
    c->sheet = (uint16_t)sheet_of(ws);
    c->type = (uint8_t)type;
    c->num = v;
    c->str = 0;
    if (type == 1) {
        size_t l = strlen(s) + 1;
        while (rec.slen + l > rec.scap) {
            rec.scap = rec.scap ? 2 * rec.scap : 1 << 22;
            if (!(rec.strbuf = realloc(rec.strbuf, rec.scap)))
                die(NULL, "recording: out of memory");
        }
        memcpy(rec.strbuf + rec.slen, s, l);
        c->str = rec.slen;
        rec.slen += l;
    }
}

lxw_error __wrap_worksheet_write_number(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        double v, lxw_format *f);
lxw_error __wrap_worksheet_write_number(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        double v, lxw_format *f)
{
    if (rec.on)
        record(ws, row, col, 0, v, NULL);
    return __real_worksheet_write_number(ws, row, col, v, f);
}

lxw_error __wrap_worksheet_write_string(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        const char *s, lxw_format *f);
lxw_error __wrap_worksheet_write_string(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                        const char *s, lxw_format *f)
{
    if (rec.on)
        record(ws, row, col, 1, 0, s ? s : "");
    return __real_worksheet_write_string(ws, row, col, s, f);
}

lxw_error __wrap_worksheet_write_blank(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                       lxw_format *f);
lxw_error __wrap_worksheet_write_blank(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                                       lxw_format *f)
{
    if (rec.on)
        record(ws, row, col, 2, 0, NULL);
    return __real_worksheet_write_blank(ws, row, col, f);
}

/* The recorded cells through bare libxlsxwriter calls. A blank cell needs a
 * format to be written at all, so blanks get one plain format. */
static void replay(const char *path, int constant_memory)
{
    lxw_workbook_options opt = {.constant_memory = (uint8_t)constant_memory};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        die(NULL, "workbook_new_opt");
    lxw_format *plain = workbook_add_format(wb);
    lxw_worksheet *ws[64];
    for (int i = 0; i < rec.nws; i++)
        ws[i] = NULL;
    for (size_t i = 0; i < rec.n; i++) {
        const struct cell *c = &rec.v[i];
        lxw_worksheet *w = ws[c->sheet];
        if (!w) {
            /* sheets in the order lcme added them, including those it only
             * added before writing the first cell */
            for (int s = 0; s <= c->sheet; s++)
                if (!ws[s])
                    ws[s] = workbook_add_worksheet(wb, rec.name[s]);
            w = ws[c->sheet];
        }
        if (c->type == 0)
            __real_worksheet_write_number(w, c->row, c->col, c->num, NULL);
        else if (c->type == 1)
            __real_worksheet_write_string(w, c->row, c->col, rec.strbuf + c->str, NULL);
        else
            __real_worksheet_write_blank(w, c->row, c->col, plain);
    }
    if (workbook_close(wb) != LXW_NO_ERROR)
        die(NULL, "workbook_close (bare)");
}

/* Whether lcme wrote the workbook in constant-memory mode: its sheets then
 * hold inline strings. */
static int lcme_streamed(const char *xlsx)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' 'xl/worksheets/sheet4.xml' | grep -q inlineStr",
             xlsx);
    return system(cmd) == 0;
}

static void bench_workbook(const struct batch *b, const char *dir, int runs)
{
    struct figure lc = {.name = "workbook (lcme)"}, bare = {.name = "workbook, bare libxlsxwriter"};
    char p1[400], p2[400];
    snprintf(p1, sizeof p1, "%s/book.xlsx", dir);
    snprintf(p2, sizeof p2, "%s/bare.xlsx", dir);
    struct diag d;
    diag_init(&d);
    rec.on = 1;
    if (workbook_write(p1, &b->in, &d) != 0)
        die(&d, "workbook_write");
    rec.on = 0;
    int cm = lcme_streamed(p1);
    for (int k = 0; k < runs; k++) {
        fig_start(&lc);
        if (workbook_write(p1, &b->in, &d) != 0)
            die(&d, "workbook_write");
        fig_stop(&lc);
        fig_start(&bare);
        replay(p2, cm);
        fig_stop(&bare);
    }
    struct stat s1, s2;
    stat(p1, &s1);
    stat(p2, &s2);
    printf("workbook (%zu cells on %d sheets, %s mode; %.1f MB, bare %.1f MB):\n", rec.n,
           rec.nws, cm ? "constant-memory" : "normal", (double)s1.st_size / 1e6,
           (double)s2.st_size / 1e6);
    fig_print(&lc, &bare);
    fig_print(&bare, NULL);
    diag_free(&d);
}

/* ---- charts: bare cairo replaying the same drawings -------------------- */

static void bench_charts(struct batch *b, const char *dir, int runs)
{
    struct figure lc = {.name = "charts (lcme)"}, bare = {.name = "charts, bare cairo replay"};
    struct diag d;
    diag_init(&d);
    char cdir[400];
    snprintf(cdir, sizeof cdir, "%s/charts", dir);
    mkdir(cdir, 0777);
    struct chart_list l;
    chart_list_init(&l);
    struct chart_ctx *c = chart_ctx_new(&b->in, b->tr, &d);
    if (!c || chart_list_build(c, &l, &d) != 0)
        die(&d, "chart planning");
    /* the drawings, recorded once */
    cairo_surface_t **recs = calloc(l.n, sizeof *recs);
    struct chart_pen *pen = NULL;
    for (size_t i = 0; i < l.n; i++) {
        cairo_rectangle_t ext = {0, 0, l.v[i].width, l.v[i].height};
        recs[i] = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
        cairo_t *cr = cairo_create(recs[i]);
        if (pen)
            chart_pen_set_cr(pen, cr);
        else
            pen = chart_pen_new(cr);
        chart_render(pen, c, &l.v[i]);
        cairo_destroy(cr);
    }
    size_t npng = 0;
    for (int k = 0; k < runs; k++) {
        struct chart_list out;
        chart_list_init(&out);
        fig_start(&lc);
        if (charts_write_all(cdir, &b->in, b->tr, &out, &d) != 0)
            die(&d, "charts_write_all");
        fig_stop(&lc);
        chart_list_free(&out);
        fig_start(&bare);
        npng = 0;
        for (size_t i = 0; i < l.n; i++) {
            const struct chart_item *it = &l.v[i];
            char path[600];
            if (chart_has_png(&b->in, it)) {
                double s = CHART_DPI / 72.0;
                cairo_surface_t *img = cairo_image_surface_create(
                    CAIRO_FORMAT_RGB24, (int)ceil(it->width * s), (int)ceil(it->height * s));
                cairo_t *cr = cairo_create(img);
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_paint(cr);
                cairo_scale(cr, s, s);
                cairo_set_source_surface(cr, recs[i], 0, 0);
                cairo_paint(cr);
                cairo_destroy(cr);
                snprintf(path, sizeof path, "%s/bare-%zu.png", cdir, i);
                cairo_surface_write_to_png(img, path);
                cairo_surface_destroy(img);
                npng++;
            }
            snprintf(path, sizeof path, "%s/bare-%zu.pdf", cdir, i);
            cairo_surface_t *pdf = cairo_pdf_surface_create(path, it->width, it->height);
            cairo_t *cr = cairo_create(pdf);
            cairo_set_source_surface(cr, recs[i], 0, 0);
            cairo_paint(cr);
            cairo_show_page(cr);
            cairo_destroy(cr);
            cairo_surface_destroy(pdf);
        }
        fig_stop(&bare);
    }
    printf("charts (%zu charts: %zu PNG at %d dpi, %zu PDF; lcme on %d threads):\n", l.n, npng,
           CHART_DPI, l.n, b->in.threads);
    fig_print(&lc, &bare);
    fig_print(&bare, NULL);
    for (size_t i = 0; i < l.n; i++)
        cairo_surface_destroy(recs[i]);
    free(recs);
    chart_pen_free(pen);
    chart_list_free(&l);
    chart_ctx_free(c);
    diag_free(&d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_outputs BATCH.ini [RUNS]\n");
        return 2;
    }
    char *end = NULL;
    long runs = argc > 2 ? strtol(argv[2], &end, 10) : 3;
    if (argc > 2 && (*end || runs < 1 || runs > MAX_RUNS)) {
        fprintf(stderr, "bench_outputs: RUNS must be 1 to %d\n", MAX_RUNS);
        return 2;
    }
    char dir[] = "/tmp/lcme-bench-outputs-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    struct batch b;
    batch_load(&b, argv[1]);
    printf("%zu units x %d nodes x %zu years; CPU seconds, median of %d runs\n", b.c->nunit,
           b.fw->nnode, b.c->nyear, (int)runs);
    bench_csv(&b, dir, (int)runs);
    bench_workbook(&b, dir, (int)runs);
    bench_charts(&b, dir, (int)runs);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_outputs: could not remove %s\n", dir);
    reports_release();
    return 0;
}
