/* sheet_cover.c: the Cover sheet: the batch's name as the title in A1, the
 * run facts (year evaluated, run id, seed, replications, engine version,
 * creation time, framework, counts of units, indicators, nodes, years and
 * observations, and the plan version when the batch has a plan), then the
 * contents: a link to every sheet of wb_sheets[] the workbook has, with its
 * line.
 */
#include <stdio.h>

#include "objectives.h"
#include "report_util.h"
#include "workbook_int.h"

/* The run facts, from row *row on; *row ends below the last. */
static void cover_facts(struct wb *w, lxw_worksheet *ws, size_t *row)
{
    const struct config *cfg = w->cfg;
    const struct run_info *run = w->run;
    const struct cube *c = w->c;
    char buf[256];
    size_t r = *row;
    wb_put_str(w, ws, r++, 0, "Run facts", w->f_heading);
    wb_put_str(w, ws, r, 0, "Year evaluated", w->f_bold);
    if (w->ty >= 0)
        wb_put_num(w, ws, r, 1, c->year[w->ty], NULL, 0);
    r++;
    wb_put_str(w, ws, r, 0, "Run id", w->f_bold);
    wb_put_str(w, ws, r++, 1, run ? run->id : "", NULL);
    wb_put_str(w, ws, r, 0, "Seed", w->f_bold);   /* < 2^32: exact as a number */
    wb_put_num(w, ws, r++, 1, (double)(run ? run->seed : cfg ? cfg->seed : 0), NULL, 0);
    wb_put_str(w, ws, r, 0, "Replications", w->f_bold);
    wb_put_num(w, ws, r++, 1,
               (double)(run ? run->replications : cfg ? cfg->replications : 0), NULL, 0);
    wb_put_str(w, ws, r, 0, "Engine version", w->f_bold);
    snprintf(buf, sizeof buf, "lcme %s", run && run->version ? run->version : "");
    wb_put_str(w, ws, r++, 1, buf, NULL);
    wb_put_str(w, ws, r, 0, "Created", w->f_bold);
    wb_put_str(w, ws, r++, 1, run && run->created ? run->created : cfg ? cfg->created : "",
               NULL);
    wb_put_str(w, ws, r, 0, "Framework", w->f_bold);
    wb_put_str(w, ws, r++, 1,
               report_basename(cfg && cfg->framework ? cfg->framework : w->fw->path), NULL);
    wb_put_str(w, ws, r, 0, "Units", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)c->nunit, NULL, 0);
    wb_put_str(w, ws, r, 0, "Indicators", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->fw->nind, NULL, 0);
    wb_put_str(w, ws, r, 0, "Framework nodes", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->fw->nnode, NULL, 0);
    wb_put_str(w, ws, r, 0, "Years held", w->f_bold);
    if (c->nyear)
        snprintf(buf, sizeof buf, "%d to %d (%zu years)", c->year[0], c->year[c->nyear - 1],
                 c->nyear);
    else
        snprintf(buf, sizeof buf, "none");
    wb_put_str(w, ws, r++, 1, buf, NULL);
    wb_put_str(w, ws, r, 0, "Observations", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->in->obs_total, NULL, 0);
    wb_put_str(w, ws, r, 0, "with sampling error", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->in->obs_with_error, NULL, 0);
    if (w->in->objectives) {
        const struct plan *p = w->in->objectives->plan;
        wb_put_str(w, ws, r, 0, "Plan version", w->f_bold);
        snprintf(buf, sizeof buf, "%s (%zu objective%s)", p->version, p->n,
                 p->n == 1 ? "" : "s");
        wb_put_str(w, ws, r++, 1, buf, NULL);
    }
    *row = r;
}

void wb_cover_write(struct wb *w, lxw_worksheet *ws)
{
    const struct config *cfg = w->cfg;
    char buf[256];
    size_t row = 0;

    wb_set_width(w, ws, 0, 0, 30, NULL);
    wb_set_width(w, ws, 1, 1, 80, NULL);
    wb_put_str(w, ws, row++, 0, cfg && cfg->name ? cfg->name : "lcme evaluation", w->f_title);
    row++;
    cover_facts(w, ws, &row);
    row++;
    wb_put_str(w, ws, row++, 0, "Contents", w->f_heading);
    for (size_t i = 0; i < wb_nsheets; i++) {
        if (!wb_sheet_present(w, &wb_sheets[i]))
            continue;
        snprintf(buf, sizeof buf, "internal:'%s'!A1", wb_sheets[i].name);
        wb_check(w, worksheet_write_url_opt(ws, (lxw_row_t)row, 0, buf, NULL,
                                            wb_sheets[i].name, NULL));
        wb_put_str(w, ws, row++, 1, wb_sheets[i].what, NULL);
    }
}
