/* objectives_csv.c: writes objectives.csv (objectives_csv.h) from struct
 * objectives. Formats only: every number comes from objectives_compute.
 */
#include "objectives_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csvout.h"
#include "objectives.h"
#include "objectives_report.h"

/* ",number", an empty field for NaN. */
static void put_num(FILE *f, double v)
{
    fputc(',', f);
    csvout_num(f, v);
}

/* ",year", an empty field for 0. */
static void put_year(FILE *f, int y)
{
    if (y)
        fprintf(f, ",%d", y);
    else
        fputc(',', f);
}

static void put_text(FILE *f, const char *s)
{
    fputc(',', f);
    csvout_text(f, s ? s : "");
}

static void put_row(FILE *f, const struct report_input *in, const struct objective_row *rw)
{
    const struct objectives *ob = in->objectives;
    const struct plan_objective *o = &ob->plan->obj[rw->obj];
    csvout_text(f, in->cube->unit[rw->unit]);
    put_text(f, o->node);
    put_text(f, o->label);
    put_text(f, o->owner);
    put_year(f, rw->baseline_year);
    put_num(f, rw->baseline);
    put_num(f, o->target);
    put_year(f, o->year);
    put_year(f, rw->latest_year);
    put_num(f, rw->latest);
    put_num(f, rw->latest_low);
    put_num(f, rw->latest_high);
    put_num(f, rw->pr.planned);
    put_num(f, rw->pr.gap);
    put_text(f, objective_status_name(rw->pr.status));
    put_num(f, rw->pr.required);
    put_num(f, rw->pr.observed);
    put_num(f, rw->pr.projected);
    put_text(f, ob->plan->version);
    put_text(f, o->note);
    put_text(f, rw->reason);
    fputc('\n', f);
}

int objectives_csv_write(const char *path, const struct report_input *in, struct diag *d)
{
    if (!in || !in->objectives) {
        diag_add(d, LCME_EINTERNAL, path, 0, 0, "objectives.csv: the run has no objectives");
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot open for writing: %s", strerror(errno));
        return -1;
    }
#define OBJECTIVES_HEADER(name) "," #name
    static const char header[] = OBJECTIVES_COLUMNS(OBJECTIVES_HEADER);
#undef OBJECTIVES_HEADER
    errno = 0;
    fputs(header + 1, f);
    fputc('\n', f);
    for (size_t i = 0; i < in->objectives->n; i++)
        put_row(f, in, &in->objectives->row[i]);
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        diag_add(d, LCME_EIO, path, 0, 0, "cannot write: %s",
                 errno ? strerror(errno) : "write failed");
        return -1;
    }
    return 0;
}
