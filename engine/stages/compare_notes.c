/* compare_notes.c: the Notes sentences of the comparisons over time
 * (compare.h): how changes compare like with like and how many did which
 * way, the composition changes, imputed values, breaks in series and
 * aggregate targets.
 */
#include "compare.h"
#include "pipeline.h"

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The sentence on aggregate changes of one kind. */
static void note_kind(struct notes *nt, const struct compare *cm, int kind, const char *what)
{
    const size_t *n = cm->n.changes[kind];
    size_t total = n[COMPARE_NONE] + n[COMPARE_CONSTANT] + n[COMPARE_COMMON];
    if (!total) return;
    notes_add(nt, "Aggregate changes %s: of %zu, %zu compare the published scores (the same "
              "indicators in both years: a constant composition), %zu were computed again "
              "over the indicators observed in both years, and %zu could not be made because "
              "those carry too little of the node's weight; %zu end before the node's last "
              "published year, at the latest year that could be compared (its year is given "
              "with the change).", what, total, n[COMPARE_CONSTANT], n[COMPARE_COMMON],
              n[COMPARE_NONE], cm->n.stepped_back[kind]);
}

void compare_notes_add(const struct compare *cm, struct notes *nt)
{
    if (!cm) return;
    notes_add(nt, "Comparisons over time compare like with like. A published aggregate score "
              "uses the children present in its year, so the indicators behind it can differ "
              "from year to year. A change or trend of an aggregate is therefore computed over "
              "the indicators observed in both years it compares (in every year of a trend), "
              "aggregating them again with the same weights, methods and coverage rule; when "
              "those are the indicators of both published scores, the published scores are "
              "compared. An imputed value (carried forward, interpolated or filled from other "
              "units) is not an observation: it counts in neither an indicator's trend nor an "
              "aggregate's comparison.");
    note_kind(nt, cm, COMPARE_BASE, "since the base year");
    note_kind(nt, cm, COMPARE_PREV, "since the previous year");
    if (cm->n.trend_recomputed || cm->n.trend_none)
        notes_add(nt, "Aggregate trends: %zu series were computed again over the indicators "
                  "observed in every year of the trend; %zu had none carrying enough weight "
                  "(no slope or test).", cm->n.trend_recomputed, cm->n.trend_none);
    size_t imp = cm->n.ind_imputed_end[COMPARE_BASE];
    if (imp)
        notes_add(nt, "%zu indicator series end in an imputed value; their changes, trends "
                  "and progress run to their last observed year.", imp);
    if (cm->nevent)
        notes_add(nt, "Composition changes: %zu times an indicator entered or left a unit's "
                  "aggregate score from one scored year to the next (%zu %s; one row each on "
                  "the Composition sheet, at every aggregate the indicator is under).",
                  cm->nevent, cm->n.units_changed, plural(cm->n.units_changed, "unit", "units"));
    if (cm->n.breaks && cm->across_breaks)
        notes_add(nt, "Breaks in series: %zu %s flagged as a break (flag b or B); the batch "
                  "sets [trend] across_breaks = yes, so changes, trends and progress classes "
                  "are computed across them.", cm->n.breaks,
                  plural(cm->n.breaks, "observation is", "observations are"));
    else if (cm->n.breaks)
        notes_add(nt, "Breaks in series: %zu %s flagged as a break (flag b or B: the value is "
                  "not comparable with earlier years). A break splits a series: %zu indicator "
                  "series were cut there (their trends, changes and progress classes use the "
                  "years from the last break on), and %zu aggregate changes left an indicator "
                  "out for a break between their two years. [trend] across_breaks = yes would "
                  "compare across breaks.", cm->n.breaks,
                  plural(cm->n.breaks, "observation is", "observations are"),
                  cm->n.series_split, cm->n.break_left_out);
    if (cm->n.targets_like || cm->n.targets_uncovered)
        notes_add(nt, "Aggregate targets compare like with like: an aggregate's progress "
                  "towards its target compares the unit's score over its indicators that have "
                  "a target (among those its change compares) with the target score over the "
                  "same indicators (%zu %s). Where those carry too little of the node's weight "
                  "(%zu), the progress class is given without a target: no unit meets an "
                  "aggregate's target without the indicators that set it.",
                  cm->n.targets_like, plural(cm->n.targets_like, "change", "changes"),
                  cm->n.targets_uncovered);
}
