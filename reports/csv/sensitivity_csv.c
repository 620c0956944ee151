/* sensitivity_csv.c: sensitivity.csv, sobol.csv and sensitivity_runs.csv
 * (sensitivity_csv.h). Formats only: every number comes from the
 * sensitivity analysis. Write errors are sticky in the FILE and checked
 * once at the close.
 */
#include "sensitivity_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csvout.h"
#include "sensitivity.h"

typedef void body_fn(FILE *f, const struct report_input *in);

/* Open path, write the body, close; report a failure once. */
static int write_file(const char *path, const struct report_input *in, body_fn *body,
                      struct diag *d)
{
    if (!in || !in->sens || !in->cube || !in->fw) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0, "%s: no sensitivity analysis to write", path);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot open for writing: %s", strerror(errno));
        return -1;
    }
    errno = 0;
    body(f, in);
    int bad = ferror(f), err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write: %s",
                 err ? strerror(err) : "write failed");
        return -1;
    }
    return 0;
}

/* ",v" for each of the n numbers, then the line end. */
static void nums(FILE *f, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fputc(',', f);
        csvout_num(f, v[i]);
    }
    fputc('\n', f);
}

static void ranks_body(FILE *f, const struct report_input *in)
{
    const struct sensitivity *s = in->sens;
    fputs("unit,nominal_rank,mean_rank,median_rank,rank_q05,rank_q95\n", f);
    for (size_t u = 0; u < s->nunit; u++) {
        csvout_text(f, in->cube->unit[u]);
        double v[] = {s->nominal_rank[u], s->mean_rank[u], s->median_rank[u], s->rank_q05[u],
                      s->rank_q95[u]};
        nums(f, v, sizeof v / sizeof v[0]);
    }
}

static void sobol_body(FILE *f, const struct report_input *in)
{
    const struct sensitivity *s = in->sens;
    fputs("assumption,si,si_low,si_high,sti,sti_low,sti_high\n", f);
    for (int a = 0; a < s->d; a++) {
        const struct sobol_index *x = &s->index[a];
        csvout_text(f, sens_key_name((enum sens_key)s->key[a]));
        double v[] = {x->si, x->si_low, x->si_high, x->sti, x->sti_low, x->sti_high};
        nums(f, v, sizeof v / sizeof v[0]);
    }
}

static const char *const block_name[] = {
    [SENS_BLOCK_A] = "A", [SENS_BLOCK_B] = "B", [SENS_BLOCK_AB] = "AB",
    [SENS_BLOCK_EXCLUDE] = "exclude",
};

static void runs_body(FILE *f, const struct report_input *in)
{
    const struct sensitivity *s = in->sens;
    char buf[256];
    fputs("run,block,varied,row", f);
    for (int a = 0; a < s->d; a++) {
        fputc(',', f);
        csvout_text(f, sens_key_name((enum sens_key)s->key[a]));
    }
    fputs(",mean_abs_rank_shift,status\n", f);
    for (size_t r = 0; r < s->nrun + s->nexcl; r++) {
        const struct sens_run *run = &s->run[r];
        fprintf(f, "%zu,%s,", r + 1, block_name[run->block]);
        if (run->varied >= 0)
            csvout_text(f, sens_key_name((enum sens_key)s->key[run->varied]));
        fprintf(f, ",%ld", run->row + 1);
        for (int a = 0; a < s->d; a++) {
            fputc(',', f);
            csvout_text(f, sensitivity_value_text(s, in->cfg, in->fw, r, a, buf, sizeof buf));
        }
        fputc(',', f);
        csvout_num(f, run->shift);
        fputs(run->failed ? ",failed\n" : ",ok\n", f);
    }
}

int sensitivity_csv_write(const char *path, const struct report_input *in, struct diag *d)
{
    return write_file(path, in, ranks_body, d);
}

int sobol_csv_write(const char *path, const struct report_input *in, struct diag *d)
{
    return write_file(path, in, sobol_body, d);
}

int sensitivity_runs_csv_write(const char *path, const struct report_input *in,
                               struct diag *d)
{
    return write_file(path, in, runs_body, d);
}
