/* chart_write.c: writes every chart of a run as DIR/STEM.pdf and, where
 * chart_has_png, DIR/STEM.png (CHART_DPI) (charts_write_all), on worker
 * threads.
 *
 * Charts are drawn on several threads: each file is independent (its own
 * surface and cairo context; each worker keeps one pen for its PNG files
 * and one for its PDF files, whose kept layouts do not change what is
 * drawn; pango's cairo font map is per thread), so the bytes do not depend
 * on the thread count. Workers take the next file from a shared counter,
 * largest charts first (so that no thread is left with a big chart at the
 * end while the others wait), and record a failure per file; the
 * diagnostics are added afterwards in list order by the calling thread.
 * PDF metadata dates come from run->created, so reruns give the same bytes.
 */
#include "chart_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pthread.h>

#include "chart_png.h"
#include "path.h"
#include "report_util.h"

#define CHART_MAX_THREADS 64

/* A worker's pixel buffer, reused from chart to chart: a fresh 4 MB image
 * per chart cost more in page faults than in drawing. It is allocated once
 * at the size of the largest image of the run (want), so that it never
 * grows (each growth was a fresh mapping to fault in again). */
struct png_buf {
    unsigned char *data;
    size_t cap, want;
    struct chart_pen *png, *pdf;   /* the worker's pens, kept from chart to chart */
};

static size_t png_bytes(const struct chart_item *it)
{
    double s = CHART_DPI / 72.0;
    int w = (int)ceil(it->width * s), h = (int)ceil(it->height * s);
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
    return stride > 0 && h > 0 ? (size_t)stride * (size_t)h : 0;
}

static int write_png(const char *path, const struct chart_ctx *c,
                     const struct chart_item *it, struct png_buf *pb)
{
    double s = CHART_DPI / 72.0;
    int w = (int)ceil(it->width * s), h = (int)ceil(it->height * s);
    int stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, w);
    size_t need = (size_t)stride * (size_t)h;
    if (stride <= 0 || h <= 0)
        return -1;
    if (need > pb->cap) {
        size_t n = pb->want > need ? pb->want : need;
        free(pb->data);
        pb->cap = 0;
        if (!(pb->data = malloc(n)))
            return -1;
        pb->cap = n;
    }
    memset(pb->data, 0, need);   /* same start as a new surface: bytes stay the same */
    cairo_surface_t *sf = cairo_image_surface_create_for_data(pb->data, CAIRO_FORMAT_RGB24,
                                                              w, h, stride);
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, s, s);
    if (pb->png)
        chart_pen_set_cr(pb->png, cr);
    else
        pb->png = chart_pen_new(cr);
    struct chart_pen *p = pb->png;
    if (p)
        chart_render(p, c, it);
    cairo_destroy(cr);
    int rc = p && cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS &&
                     chart_png_write(sf, path, CHART_DPI) == 0
                 ? 0 : -1;
    cairo_surface_destroy(sf);
    return rc;
}

static int write_pdf(const char *path, const struct chart_ctx *c,
                     const struct chart_item *it, struct png_buf *pb)
{
    cairo_surface_t *sf = cairo_pdf_surface_create(path, it->width, it->height);
    const char *created = c->in->run->created;
    char *t_owned, *s_owned;
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, report_text(it->title, &t_owned));
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, report_text(it->alt, &s_owned));
    free(t_owned);
    free(s_owned);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "lcme " LCME_VERSION);
    if (created && created[0]) {
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATE_DATE, created);
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_MOD_DATE, created);
    }
    cairo_t *cr = cairo_create(sf);
    if (pb->pdf)
        chart_pen_set_cr(pb->pdf, cr);
    else
        pb->pdf = chart_pen_new(cr);
    struct chart_pen *p = pb->pdf;
    if (p)
        chart_render(p, c, it);
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    int rc = p && cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS ? 0 : -1;
    cairo_surface_destroy(sf);
    return rc;
}

int chart_has_png(const struct report_input *in, const struct chart_item *it)
{
    return it->unit < 0 || in->cube->nunit <= CHART_PNG_UNITS;
}

/* ---- the job the workers share ------------------------------------------ */

struct chart_job {
    const char *dir;
    const struct chart_ctx *c;
    const struct chart_list *l;
    size_t start, nfile;          /* files: 2 per item (PNG, PDF) from start */
    size_t *order;                /* the files in the order they are taken */
    size_t png_max;               /* bytes of the largest chart image */
    signed char *status;          /* per file: 0 ok, 1 ENOMEM, 2 write error */
    pthread_mutex_t lock;
    size_t next, done;            /* files taken, files finished */
};

/* File order: items by area, largest first, ties in list order; each
 * item's PNG before its PDF. */
struct item_key {
    double area;
    size_t i;
};

static int by_area(const void *a, const void *b)
{
    const struct item_key *x = a, *y = b;
    if (x->area != y->area)
        return x->area > y->area ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static int job_order(struct chart_job *j)
{
    size_t n = j->nfile / 2;
    struct item_key *key = malloc((n ? n : 1) * sizeof *key);
    j->order = malloc(j->nfile * sizeof *j->order);
    if (!key || !j->order) {
        free(key);
        free(j->order);
        j->order = NULL;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct chart_item *it = &j->l->v[j->start + i];
        key[i].area = it->width * it->height;
        key[i].i = i;
        size_t b = chart_has_png(j->c->in, it) ? png_bytes(it) : 0;
        if (b > j->png_max)
            j->png_max = b;
    }
    qsort(key, n, sizeof *key, by_area);
    for (size_t i = 0; i < n; i++) {
        j->order[2 * i] = 2 * key[i].i;
        j->order[2 * i + 1] = 2 * key[i].i + 1;
    }
    free(key);
    return 0;
}

/* The file name of file f of the job: STEM.png or STEM.pdf. */
static void file_name(const struct chart_job *j, size_t f, char *name, size_t len)
{
    const struct chart_item *it = &j->l->v[j->start + f / 2];
    snprintf(name, len, "%s.%s", it->stem, f % 2 ? "pdf" : "png");
}

static void *chart_worker(void *arg)
{
    struct chart_job *j = arg;
    struct png_buf pb = {NULL, 0, j->png_max, NULL, NULL};
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t k = j->next++;
        pthread_mutex_unlock(&j->lock);
        if (k >= j->nfile)
            break;
        size_t f = j->order[k];
        const struct chart_item *it = &j->l->v[j->start + f / 2];
        char name[256];
        file_name(j, f, name, sizeof name);
        char *path = path_join(j->dir, name);
        if (!path)
            j->status[f] = 1;
        else if (f % 2 == 0 && !chart_has_png(j->c->in, it))
            ;   /* vectors only */
        else if ((f % 2 ? write_pdf(path, j->c, it, &pb) : write_png(path, j->c, it, &pb)) != 0)
            j->status[f] = 2;
        free(path);
        const struct report_input *in = j->c->in;
        if (in->progress) {
            pthread_mutex_lock(&j->lock);
            j->done++;
            in->progress(in->progress_ctx, (long)j->done, (long)j->nfile);
            pthread_mutex_unlock(&j->lock);
        }
    }
    free(pb.data);
    chart_pen_free(pb.png);
    chart_pen_free(pb.pdf);
    return NULL;
}

/* Threads to draw with: the report's setting, else the run's, at most
 * CHART_MAX_THREADS and no more than files. */
static int chart_threads(const struct report_input *in, size_t nfile)
{
    int n = in->threads > 0 ? in->threads
          : in->run && in->run->threads > 0 ? in->run->threads : 1;
    if (n > CHART_MAX_THREADS)
        n = CHART_MAX_THREADS;
    if ((size_t)n > nfile)
        n = nfile ? (int)nfile : 1;
    return n;
}

/* Sets up the job's per-file status, file order and lock. Returns 0, or
 * -1 on ENOMEM (nothing left to free). */
static int job_init(struct chart_job *j)
{
    j->status = calloc(j->nfile, 1);
    if (!j->status || job_order(j) != 0 || pthread_mutex_init(&j->lock, NULL) != 0) {
        free(j->status);
        free(j->order);
        j->status = NULL;
        j->order = NULL;
        return -1;
    }
    return 0;
}

/* Runs the job on nt threads, this one included (fewer when a thread
 * cannot be started: the work is still all done). */
static void job_run(struct chart_job *j, int nt)
{
    pthread_t tid[CHART_MAX_THREADS];
    int started = 0;
    for (int k = 1; k < nt; k++) {
        if (pthread_create(&tid[started], NULL, chart_worker, j) != 0)
            break;
        started++;
    }
    chart_worker(j);
    for (int k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
}

/* The first failed file in list order, as a diagnostic in d. Returns 0
 * when every file was written, else -1. */
static int job_report(const struct chart_job *j, struct diag *d)
{
    for (size_t f = 0; f < j->nfile; f++) {
        if (j->status[f] == 0)
            continue;
        char name[256];
        file_name(j, f, name, sizeof name);
        if (j->status[f] == 1)
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
        else
            diag_add(d, LCME_EIO, name, 0, 0, "cannot write chart '%s/%s'", j->dir, name);
        return -1;
    }
    return 0;
}

int charts_write_all(const char *dir, const struct report_input *in,
                     const struct trends *tr, struct chart_list *out_list,
                     struct diag *d)
{
    struct chart_list local;
    chart_list_init(&local);
    struct chart_list *l = out_list ? out_list : &local;
    size_t start = l->n;
    struct chart_ctx *c = chart_ctx_new(in, tr, d);
    if (!c)
        return -1;
    int rc = chart_list_build(c, l, d);
    struct chart_job j = {.dir = dir, .c = c, .l = l, .start = start,
                          .nfile = 2 * (l->n - start)};
    if (rc == 0 && j.nfile > 0) {
        if (job_init(&j) != 0) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "charts: out of memory");
            rc = -1;
        } else {
            job_run(&j, chart_threads(in, j.nfile));
            pthread_mutex_destroy(&j.lock);
            rc = job_report(&j, d);
            free(j.status);
            free(j.order);
        }
    }
    chart_ctx_free(c);
    chart_list_free(&local);
    return rc;
}
