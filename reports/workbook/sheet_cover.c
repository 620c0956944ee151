/* sheet_cover.c: the Cover sheet, as the UK Government Analysis Function's
 * spreadsheet guidance lays one out: the title in A1; what the workbook
 * holds ([batch] description), a warning when the data are synthetic, the
 * source, licence and contact, the period covered, the year evaluated and
 * the date of the run (a date cell); the run facts; then the contents, a
 * link to every sheet of wb_sheets[] the workbook has with its line, and
 * where the notes are. Two columns of label and value, no table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objectives.h"
#include "report_util.h"
#include "workbook_int.h"

/* A label in column A and text in column B, then the next row. */
static void line(struct wb *w, lxw_worksheet *ws, size_t *row, const char *label,
                 const char *text)
{
    if (!text || !text[0])
        return;
    wb_put_str(w, ws, *row, 0, label, w->f_bold);
    wb_put_str(w, ws, *row, 1, text, w->f_wrap);
    (*row)++;
}

/* text, or "not given ([batch] KEY)" when it is empty (static storage for
 * the four keys of the cover). */
static const char *given(const char *text, const char *key)
{
    if (text && text[0])
        return text;
    return strcmp(key, "description") == 0 ? "not given ([batch] description)"
           : strcmp(key, "source") == 0    ? "not given ([batch] source)"
           : strcmp(key, "licence") == 0   ? "not given ([batch] licence)"
                                           : "not given ([batch] contact)";
}

/* The date of the run as an Excel date, from run->created (ISO 8601). */
static void date_line(struct wb *w, lxw_worksheet *ws, size_t *row, const char *iso)
{
    int y, m, d;
    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return;
    lxw_datetime dt = {y, m, d, 0, 0, 0};
    wb_put_str(w, ws, *row, 0, "Date of this run", w->f_bold);
    wb_check(w, worksheet_write_datetime(ws, (lxw_row_t)*row, 1, &dt, w->f_date));
    (*row)++;
}

/* About the data: description, source, licence, contact, period, dates. */
static void cover_about(struct wb *w, lxw_worksheet *ws, size_t *row)
{
    const struct config *cfg = w->cfg;
    const struct cube *c = w->c;
    char buf[512];
    if (cfg && cfg->synthetic)
        line(w, ws, row, "Synthetic data",
             "The values in this workbook are made up (synthetic data): they describe no "
             "real unit. Use them to learn and test, not to judge any unit named.");
    /* every one of the four, as the guidance asks: "not given" names the
     * batch-file key that would give it */
    line(w, ws, row, "Description", given(cfg ? cfg->description : NULL, "description"));
    line(w, ws, row, "Source", given(cfg ? cfg->source : NULL, "source"));
    line(w, ws, row, "Licence", given(cfg ? cfg->licence : NULL, "licence"));
    line(w, ws, row, "Contact", given(cfg ? cfg->contact : NULL, "contact"));
    if (c->nyear) {
        snprintf(buf, sizeof buf, "%d to %d (%zu years)", c->year[0], c->year[c->nyear - 1],
                 c->nyear);
        line(w, ws, row, "Period covered", buf);
    }
    if (w->ty >= 0) {
        snprintf(buf, sizeof buf, "%d", c->year[w->ty]);
        line(w, ws, row, "Year evaluated", buf);
    }
    date_line(w, ws, row, w->run && w->run->created ? w->run->created
                          : cfg ? cfg->created : NULL);
    line(w, ws, row, "Notes",
         "The Notes sheet explains the methods, missing values and every fallback of this "
         "run, one numbered note a row; the tables refer to them as [note N].");
}

/* The run facts, from row *row on; *row ends below the last. */
static void cover_facts(struct wb *w, lxw_worksheet *ws, size_t *row)
{
    const struct config *cfg = w->cfg;
    const struct run_info *run = w->run;
    const struct cube *c = w->c;
    char buf[256];
    size_t r = *row;
    wb_put_str(w, ws, r++, 0, "Run facts", w->f_heading);
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
    wb_put_str(w, ws, r, 0, "Framework", w->f_bold);
    wb_put_str(w, ws, r++, 1,
               report_basename(cfg && cfg->framework ? cfg->framework : w->fw->path), NULL);
    wb_put_str(w, ws, r, 0, "Units", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)c->nunit, NULL, 0);
    wb_put_str(w, ws, r, 0, "Indicators", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->fw->nind, NULL, 0);
    wb_put_str(w, ws, r, 0, "Framework nodes", w->f_bold);
    wb_put_num(w, ws, r++, 1, (double)w->fw->nnode, NULL, 0);
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

    wb_set_width(w, ws, 0, 0, 24, NULL);
    wb_set_width(w, ws, 1, 1, 100, NULL);
    wb_put_str(w, ws, row++, 0, cfg && cfg->name ? cfg->name : "lcme evaluation", w->f_title);
    cover_about(w, ws, &row);
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
