/* report_objectives.c: the report's action-plan section (report_pdf_int.h):
 * the plan version and the statuses across units, then a subsection per
 * unit with objectives, in index order: how many are achieved or on track,
 * the plan-UNIT chart, and per objective its title and a sentence on where
 * it stands and what it would take to get back on course
 * (objectives_sentence). Words only; every number comes from struct
 * objectives.
 */
#include <stdio.h>
#include <stdlib.h>

#include "objectives_report.h"
#include "report_pdf_int.h"

#define INK_TEXT 0x222222
#define CHART_SCALE 0.9      /* a chart 560 pt wide drawn across the body */

/* The plan and its statuses over every unit, and what the statuses mean. */
static void objectives_intro(struct doc *dc)
{
    const struct chart_ctx *c = rpdf_ctx(dc);
    const struct objectives *ob = c->in->objectives;
    const size_t *sc = ob->status_count;
    char b[1600];
    size_t units = 0;   /* rows come unit by unit */
    for (size_t i = 0; i < ob->n; i++)
        units += i == 0 || ob->row[i].unit != ob->row[i - 1].unit;
    snprintf(b, sizeof b,
             "Each unit's progress in %d against its action plan (plan version %s, %zu "
             "objective%s), one line per objective and unit over %zu unit%s: %zu achieved, "
             "%zu on track, %zu behind, %zu off track, %zu moving away%s.",
             ob->year, ob->plan->version, ob->plan->n, ob->plan->n == 1 ? "" : "s", units,
             units == 1 ? "" : "s", sc[OBJECTIVE_ACHIEVED], sc[OBJECTIVE_ON_TRACK],
             sc[OBJECTIVE_BEHIND], sc[OBJECTIVE_OFF_TRACK], sc[OBJECTIVE_MOVING_AWAY],
             sc[OBJECTIVE_NONE] ? " and some without a status (the Notes say why)" : "");
    rpdf_para(dc, b, 9.5, 0, INK_TEXT, 5);
    rpdf_para(dc,
              "An objective's planned path runs straight from its baseline value to its "
              "target. Achieved: the latest value meets the target. On track: it is at or "
              "beyond the planned value for its year. Behind: it falls short, but the "
              "planned value lies inside its interval. Off track: the whole interval falls "
              "short. Moving away: it is worse than the baseline. What it would take is the "
              "change a year needed from now to reach the target in its year, set against "
              "the change a year observed since the baseline (a straight-line fit). "
              "Indicators are in their own units, key features and other aggregates in "
              "score points.",
              9, 0, 0x444444, 8);
}

/* The plan-UNIT chart of unit u, or NULL. */
static const struct chart_item *plan_chart(const struct chart_list *l, size_t u)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (l->v[i].kind == CHART_PLAN && l->v[i].unit == (long)u)
            return &l->v[i];
    return NULL;
}

/* Unit u's subsection; rows holds room for every row. */
static void objectives_unit(struct doc *dc, const struct chart_list *l, size_t u,
                            size_t *rows)
{
    const struct chart_ctx *c = rpdf_ctx(dc);
    const struct objectives *ob = c->in->objectives;
    size_t n = objectives_unit_rows(c->in, u, rows);
    if (n == 0)
        return;
    size_t good = 0;
    for (size_t i = 0; i < n; i++)
        good += ob->row[rows[i]].pr.status == OBJECTIVE_ACHIEVED ||
                ob->row[rows[i]].pr.status == OBJECTIVE_ON_TRACK;
    const struct chart_item *it = plan_chart(l, u);
    /* the heading stays with the chart (drawn at about 0.9 of its size) */
    rpdf_need(dc, 60 + (it ? it->height * CHART_SCALE + 40 : 0));
    rpdf_heading(dc, c->label[u], 2);
    char b[1400], t[400];
    snprintf(b, sizeof b, "%zu of %zu objective%s achieved or on track in %d.", good, n,
             n == 1 ? "" : "s", ob->year);
    rpdf_para(dc, b, 9.5, 0, INK_TEXT, 5);
    if (it)
        rpdf_chart(dc, it, 360);
    for (size_t i = 0; i < n; i++) {
        const struct objective_row *rw = &ob->row[rows[i]];
        const char *st = objective_status_name(rw->pr.status);
        snprintf(b, sizeof b, "%s%s%s", objectives_title(c->in, rw, t, sizeof t),
                 st[0] ? ": " : "", st);
        char sn[1400];
        objectives_sentence(c->in, rw, sn, sizeof sn);
        /* its title with its text, measured: a paragraph moves to the next
         * page whole when it does not fit */
        rpdf_need(dc, rpdf_measure(dc, b, 9, 1, BODY_W) + 1 + rpdf_measure(dc, sn, 9, 0, BODY_W));
        rpdf_para(dc, b, 9, 1, INK_TEXT, 1);
        rpdf_para(dc, sn, 9, 0, INK_TEXT, 6);
    }
}

void rpdf_objectives(struct doc *dc, const struct chart_list *l)
{
    const struct chart_ctx *c = rpdf_ctx(dc);
    const struct objectives *ob = c->in->objectives;
    if (!ob)
        return;
    rpdf_heading(dc, "Action plan", 1);
    objectives_intro(dc);
    size_t *rows = malloc((ob->n + 1) * sizeof *rows);
    if (!rows)
        return;
    for (size_t r = 0; r < c->in->cube->nunit; r++)
        objectives_unit(dc, l, c->order[r], rows);
    free(rows);
}
