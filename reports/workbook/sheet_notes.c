/* sheet_notes.c: the Notes sheet, one sentence per row under four headings:
 * how to read the workbook (the year shown, empty cells, ranks, row order,
 * fills, and whatever the writing left out: tables in constant-memory mode,
 * rows or columns past a sheet's limits), the method settings, facts about
 * the data, and every note of the run (results->notes).
 *
 * The text is composed before the workbook is opened (wb_notes_compose) and
 * written as the second sheet; numbers in it are printed as report_util
 * prints them elsewhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"
#include "workbook_int.h"

/* ---- lines -------------------------------------------------------------- */

void wb_notes_free(struct wb_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->text[i]);
    free(l->text);
    free(l->heading);
    memset(l, 0, sizeof *l);
}

/* Append a line printf-formatted from fmt, a heading when heading is set;
 * an allocation failure sets w->nomem. */
static void lines_vadd(struct wb *w, int heading, const char *fmt, va_list ap)
{
    struct wb_lines *l = &w->notes;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? 2 * l->alloc : 32;
        char **t = realloc(l->text, na * sizeof *t);
        if (!t) {
            w->nomem = 1;
            return;
        }
        l->text = t;
        unsigned char *h = realloc(l->heading, na);
        if (!h) {
            w->nomem = 1;
            return;
        }
        l->heading = h;
        l->alloc = na;
    }
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s) {
        w->nomem = 1;
        return;
    }
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    l->text[l->n] = s;
    l->heading[l->n] = (unsigned char)heading;
    l->n++;
}

/* A sentence of the Notes. */
__attribute__((format(printf, 2, 3)))
static void note(struct wb *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lines_vadd(w, 0, fmt, ap);
    va_end(ap);
}

/* A heading of the Notes: its own format, a blank row above. */
static void heading(struct wb *w, const char *text)
{
    struct wb_lines *l = &w->notes;
    size_t n = l->n;
    note(w, "%s", text);
    if (l->n > n)
        l->heading[n] = 1;
}

/* ---- the text ----------------------------------------------------------- */

/* The configured name of a level ([batch] level_names), or NULL. */
static const char *level_name(const struct wb *w, int level)
{
    if (w->cfg && level >= 1 && level <= w->cfg->nlevel_names &&
        level <= CONFIG_MAX_LEVELS && w->cfg->level_name[level])
        return w->cfg->level_name[level];
    return NULL;
}

/* share as a percentage: 0.95 gives "95%". */
static void pct_text(char *buf, size_t len, double share)
{
    char num[REPORT_NUM_MAX];
    report_fmt_double(num, share * 100.0);
    snprintf(buf, len, "%s%%", num);
}

/* Reading this workbook: the year shown, how cells read, and what the
 * writing left out. */
static void notes_reading(struct wb *w)
{
    const struct config *cfg = w->cfg;
    const struct cube *c = w->c;
    heading(w, "Reading this workbook");
    if (w->ty >= 0 && w->year_fallback && cfg)
        note(w, "The batch evaluates %d, but no data are held for that year, so the Summary, "
                "Features and Scores sheets show the latest year held, %d.",
             cfg->year, c->year[w->ty]);
    else if (w->ty >= 0)
        note(w, "The Summary, Features and Scores sheets show the year under evaluation, %d; "
                "the History sheet holds the aggregates' scores and the Data sheet the "
                "indicators' values in every year.", c->year[w->ty]);
    note(w, "The complete long table, every score of every unit, year and node with its "
            "interval and rank, is in scores.csv and in the store's result table.");
    note(w, "Empty cells are missing values: an indicator without an observation, or an "
            "aggregate whose children cover less than the required share of its weight; "
            "missing values are never written as text.");
    note(w, "Rank 1 is the best score of a node in a year; tied units share the better rank. "
            "The coverage column beside each score is the share of the node's framework weight "
            "present; a score whose coverage is below the threshold in Methods is not ranked "
            "(\u201cnot ranked: too little data\u201d on the Summary sheet).");
    note(w, "The Scores and History sheets list rows by node, from the index down the levels "
            "to the indicators, then unit; scores.csv lists rows by year, then node in "
            "framework order (indicators first, each aggregate after its children, the index "
            "last), then unit.");
    note(w, "Indicator scores are normalised values; aggregate scores combine their children's "
            "scores with the weights shown on the Framework sheet.");
    note(w, "On the Data sheet, imputed cells have a light yellow fill and treated (winsorised) "
            "cells a light blue fill; an indicator with flags in its data has a column of them, "
            "as given (\u201cb\u201d or \u201cB\u201d marks a break in series).");
    if (w->streaming)
        note(w, "This workbook is large (%zu cells on its largest sheets), so it was written "
                "row by row to keep memory low; in that mode the sheets carry a filtered header "
                "row instead of an Excel table (Home > Format as Table turns any of them into "
                "one).",
             w->cells);
    if (w->score_rows > w->max_data_rows)
        note(w, "The Scores sheet is truncated: it holds the first %zu of %zu rows, the most a "
                "worksheet can hold; scores.csv has all rows.",
             w->max_data_rows, w->score_rows);
    if (w->history_rows > w->max_data_rows)
        note(w, "The History sheet is truncated: it holds the first %zu of %zu rows, the most a "
                "worksheet can hold; scores.csv has all rows.",
             w->max_data_rows, w->history_rows);
    if (c->nunit * c->nyear > w->max_data_rows)
        note(w, "The Data sheet is truncated: it holds the first %zu of %zu unit-year rows.",
             w->max_data_rows, c->nunit * c->nyear);
    if (w->data_ind < (size_t)w->fw->nind)
        note(w, "The Data sheet shows the first %zu of %d indicators, the most that fit in a "
                "worksheet's columns; scores.csv has the normalised values of all of them.",
             w->data_ind, w->fw->nind);
    if (w->nfeat_shown < w->nfeat)
        note(w, "The Features sheet shows the first %d of %d key features.", w->nfeat_shown,
             w->nfeat);
    if (w->narea_shown < w->narea)
        note(w, "The Summary sheet shows the first %d of %d areas.", w->narea_shown, w->narea);
}

/* Method: normalisation of the indicators (the settings of level 1). */
static void notes_normalise(struct wb *w, const struct method *m)
{
    char a[REPORT_NUM_MAX], b[REPORT_NUM_MAX];
    if (m->normalise == NORM_MINMAX) {
        report_fmt_double(a, m->norm_low);
        report_fmt_double(b, m->norm_high);
        note(w, "Indicators are normalised with the %s method onto the range %s to %s.",
             norm_method_name(m->normalise), a, b);
    } else if (m->normalise == NORM_ZSCORE) {
        report_fmt_double(a, m->z_mean);
        report_fmt_double(b, m->z_sd);
        note(w, "Indicators are normalised with the %s method to mean %s and standard "
                "deviation %s.", norm_method_name(m->normalise), a, b);
    } else {
        note(w, "Indicators are normalised with the %s method.",
             norm_method_name(m->normalise));
    }
    if (m->scope == SCOPE_POOLED)
        note(w, "Normalisation is pooled over all years (scope = pooled), so scores are "
                "comparable across years.");
    else
        note(w, "Normalisation is done year by year (scope = per-year), so scores compare "
                "units within a year, not across years.");
}

/* Method: how each level above the indicators aggregates, then imputation
 * and outlier treatment. */
static void notes_aggregate(struct wb *w)
{
    const struct config *cfg = w->cfg;
    char a[REPORT_NUM_MAX], b[REPORT_NUM_MAX], pct[REPORT_NUM_MAX + 2];
    for (int l = 2; l <= w->fw->nlevel && l <= CONFIG_MAX_LEVELS; l++) {
        const struct method *ml = &cfg->level[l];
        const char *ln = level_name(w, l);
        pct_text(pct, sizeof pct, ml->min_coverage);
        report_fmt_double(a, ml->min_coverage);
        if (ml->aggregate == AGG_GENMEAN) {
            report_fmt_double(b, ml->agg_p);
            note(w, "Nodes of level %d%s%s%s combine their children with the %s method "
                    "(exponent %s) and need at least %s of their children's weight present "
                    "(min_coverage = %s).", l, ln ? " (" : "", ln ? ln : "", ln ? ")" : "",
                 agg_method_name(ml->aggregate), b, pct, a);
        } else {
            note(w, "Nodes of level %d%s%s%s combine their children with the %s method "
                    "and need at least %s of their children's weight present "
                    "(min_coverage = %s).", l, ln ? " (" : "", ln ? ln : "", ln ? ")" : "",
                 agg_method_name(ml->aggregate), pct, a);
        }
    }
    if (cfg->impute == IMPUTE_NONE)
        note(w, "Missing values are not imputed (impute = none).");
    else
        note(w, "Missing values are imputed with the %s method.",
             impute_method_name(cfg->impute));
    if (cfg->treat == TREAT_NONE)
        note(w, "Outliers are not treated (treat = none).");
    else
        note(w, "Outlying indicators are winsorised, at most %d points each, when their "
                "skew and kurtosis pass the limits; a log transform is the fallback.",
             cfg->winmax);
}

/* Method: where the intervals come from, or why there are none. */
static void notes_intervals(struct wb *w)
{
    const struct config *cfg = w->cfg;
    char a[REPORT_NUM_MAX], pct[REPORT_NUM_MAX + 2];
    double lvl = cfg ? cfg->ci_level : NAN;
    long reps = w->run ? w->run->replications : cfg ? cfg->replications : 0;
    unsigned long seed = w->run ? w->run->seed : cfg ? cfg->seed : 0;
    if (w->r->ci_low) {
        pct_text(pct, sizeof pct, lvl);
        note(w, "Intervals are %s intervals from %ld Monte Carlo replications over the "
                "sampling error of the data (level = %s, seed = %lu).", pct, reps,
             report_fmt_double(a, lvl) ? a : "", seed);
    } else if (reps <= 0) {
        note(w, "No uncertainty analysis was run (replications = %ld), so the interval "
                "columns are empty.", reps);
    } else {
        note(w, "No intervals were computed for this run, so the interval columns are "
                "empty.");
    }
}

/* Data: observations, revisions, skipped rows, constant indicators. */
static void notes_data(struct wb *w)
{
    const struct report_input *in = w->in;
    const struct results *r = w->r;
    heading(w, "Data");
    note(w, "The data hold %zu observations for %zu units, %d indicators and %zu years; %zu "
            "of them carry a sampling error (standard error, sample size or interval).",
         in->obs_total, w->c->nunit, w->fw->nind, w->c->nyear, in->obs_with_error);
    note(w, "This batch revised %zu observation%s already in the store.", in->obs_revised,
         in->obs_revised == 1 ? "" : "s");
    note(w, "%zu stored observation%s of indicators outside this framework %s skipped.",
         in->obs_skipped, in->obs_skipped == 1 ? "" : "s",
         in->obs_skipped == 1 ? "was" : "were");
    if (r->constant_indicators)
        note(w, "%zu indicator%s constant and %s normalised to the midpoint of the range.",
             r->constant_indicators, r->constant_indicators == 1 ? " was" : "s were",
             r->constant_indicators == 1 ? "was" : "were");
    else
        note(w, "No indicator was constant.");
}

void wb_notes_compose(struct wb *w)
{
    const struct results *r = w->r;
    notes_reading(w);
    heading(w, "Method");
    if (w->cfg) {
        notes_normalise(w, &w->cfg->level[1]);
        notes_aggregate(w);
    }
    notes_intervals(w);
    notes_data(w);
    if (r->notes.n) {
        heading(w, "Run notes");
        for (size_t i = 0; i < r->notes.n; i++)
            note(w, "%s", r->notes.line[i] ? r->notes.line[i] : "");
    }
}

/* ---- the sheet ---------------------------------------------------------- */

void wb_notes_write(struct wb *w, lxw_worksheet *ws)
{
    wb_set_width(w, ws, 0, 0, 120, NULL);
    wb_put_str(w, ws, 0, 0, "Notes", w->f_title);
    size_t row = 1;
    for (size_t i = 0; i < w->notes.n; i++, row++) {
        if (w->notes.heading[i])
            row++;              /* a blank row before each heading */
        wb_put_str(w, ws, row, 0, w->notes.text[i],
                   w->notes.heading[i] ? w->f_heading : w->f_wrap);
    }
}
