/* objectives_notes.c: the Notes sentences of an action plan's progress:
 * which plan version was used, the rule with its thresholds, the rows by
 * status, and every row left without a status or an interval, counted by
 * reason. Words only; every number comes from struct objectives.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "objectives.h"

#define NOTE_FILES_MAX 512

/* The plan's files as named in the batch, "a.csv, b.csv", in buf. */
static const char *file_list(const struct plan *p, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < p->nfile && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", p->name[i]);
    return buf;
}

/* One sentence per distinct reason, with its count of rows and of those
 * achieved all the same. */
static void notes_reasons(const struct objectives *o, struct notes *nt)
{
    for (size_t i = 0; i < o->n; i++) {
        const char *why = o->row[i].reason;
        if (!why[0])
            continue;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = o->row[j].reason != why;
        if (!first)
            continue;
        size_t count = 0, met = 0;
        for (size_t j = i; j < o->n; j++) {
            count += o->row[j].reason == why;
            met += o->row[j].reason == why && o->row[j].pr.status == OBJECTIVE_ACHIEVED;
        }
        char also[96] = "";
        if (met)
            snprintf(also, sizeof also, " (%zu of them achieved all the same: the latest "
                     "value meets the target)", met);
        notes_add(nt, "Objectives without a planned path: %zu row%s, %s%s.", count,
                  count == 1 ? "" : "s", why, also);
    }
}

void objectives_notes_add(const struct config *cfg, const struct objectives *o,
                          struct notes *nt)
{
    const struct plan *p = o->plan;
    size_t all = 0;
    for (size_t i = 0; i < p->n; i++)
        all += strcmp(p->obj[i].unit, PLAN_ALL_UNITS) == 0;
    const size_t *sc = o->status_count;
    char files[NOTE_FILES_MAX];
    notes_add(nt, "Action plan: plan version %s (%s), %zu objective%s (%zu for every unit), "
              "judged in %d on %zu rows, one per objective and unit: %zu achieved, %zu on "
              "track, %zu behind, %zu off track, %zu moving away, %zu without a status "
              "(objectives.csv, Objectives sheet).",
              p->version, file_list(p, files, sizeof files), p->n, p->n == 1 ? "" : "s", all,
              o->year, o->n, sc[OBJECTIVE_ACHIEVED], sc[OBJECTIVE_ON_TRACK],
              sc[OBJECTIVE_BEHIND], sc[OBJECTIVE_OFF_TRACK], sc[OBJECTIVE_MOVING_AWAY],
              sc[OBJECTIVE_NONE]);
    notes_add(nt, "Objectives: the planned path runs straight from the baseline value (in "
              "the objective's baseline year, else the base year %d when the unit has a "
              "value then, else its first year with one) to the target in the target year; "
              "the gap is the latest value minus the planned value, its sign turned where "
              "lower is better, so that above 0 is ahead of the plan. Achieved: the latest "
              "value meets the target; on track: it is at or beyond the planned value; "
              "moving away: it is worse than the baseline value, beyond its interval; "
              "behind: the planned value lies inside its %g %% interval; off track: the "
              "whole interval falls short. Required change a year: (target - latest) / "
              "(target year - latest year); observed: the OLS slope over the years from the "
              "baseline year; projected year: the latest year plus (target - latest) / "
              "observed, when the observed change moves toward the target. Indicators in "
              "raw units with their direction, aggregates in score points.",
              cfg->base_year, 100 * cfg->ci_level);
    if (config_method(cfg, 1)->scope == SCOPE_PER_YEAR)
        notes_add(nt, "Objectives on aggregates: scores normalised per year are not "
                  "comparable across years, so aggregates get no planned path, pace or "
                  "status (their latest score and interval are given).");
    notes_add(nt, "Objectives' intervals: an aggregate's from the Monte Carlo replications "
              "of its score; an indicator's, judged in raw units, is its observation's own "
              "sampling interval (value -/+ z se, or the Wilson interval of a survey "
              "proportion, within the indicator's range) on %zu row%s; %zu row%s %s "
              "assessed with the latest value as a point (an exact observation, or no "
              "replications for an aggregate).",
              o->raw_interval, o->raw_interval == 1 ? "" : "s", o->no_interval,
              o->no_interval == 1 ? "" : "s", o->no_interval == 1 ? "was" : "were");
    notes_reasons(o, nt);
}
