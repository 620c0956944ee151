/* sheet_notes.c: the Notes sheet, a table of numbered notes (number,
 * section, text) that the other sheets refer to as "[note N]" (the UK
 * Government Analysis Function's spreadsheet guidance): first one note per
 * topic (enum wb_note: how to read the workbook, missing values and the
 * status columns, ranks, the methods, changes and their significance,
 * trends, the data and their preparation, the groups, the framework's
 * columns), then every note of the run (results->notes), the aggregation
 * rules said once when every level shares them.
 *
 * The text is composed before the workbook is opened (wb_notes_compose);
 * numbers in it are printed as report_util prints them elsewhere.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"
#include "trend.h"
#include "workbook_int.h"

#define SEC_READING "Reading this workbook"
#define SEC_METHOD "Method"
#define SEC_DATA "Data"
#define SEC_RUN "Run notes"

/* ---- notes -------------------------------------------------------------- */

void wb_notes_free(struct wb_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->text[i]);
    free(l->text);
    free(l->section);
    memset(l, 0, sizeof *l);
}

/* Append a note printf-formatted from fmt under section; returns its
 * number (1-based), 0 when an allocation failed (w->nomem set). */
static int notes_vadd(struct wb *w, const char *section, const char *fmt, va_list ap)
{
    struct wb_lines *l = &w->notes;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? 2 * l->alloc : 32;
        char **t = realloc(l->text, na * sizeof *t);
        if (!t)
            goto nomem;
        l->text = t;
        const char **sc = realloc(l->section, na * sizeof *sc);
        if (!sc)
            goto nomem;
        l->section = sc;
        l->alloc = na;
    }
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s)
        goto nomem;
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    l->text[l->n] = s;
    l->section[l->n] = section;
    return (int)++l->n;
nomem:
    w->nomem = 1;
    return 0;
}

/* A note of topic t (its number kept in w->note_no). */
__attribute__((format(printf, 4, 5)))
static void topic(struct wb *w, enum wb_note t, const char *section, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int no = notes_vadd(w, section, fmt, ap);
    va_end(ap);
    if (!w->note_no[t])
        w->note_no[t] = no;
}

/* A note of no topic. */
__attribute__((format(printf, 3, 4)))
static void note(struct wb *w, const char *section, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    notes_vadd(w, section, fmt, ap);
    va_end(ap);
}

/* share as a percentage: 0.95 gives "95%". */
static void pct_text(char *buf, size_t len, double share)
{
    char num[REPORT_NUM_MAX];
    report_fmt_double(num, share * 100.0);
    snprintf(buf, len, "%s%%", num);
}

/* ---- the topics ---------------------------------------------------------- */

/* Reading this workbook: the year shown, where the full tables are, and
 * what the writing left out. */
static void notes_reading(struct wb *w)
{
    const struct config *cfg = w->cfg;
    const struct cube *c = w->c;
    char extra[1200] = "";
    size_t l = 0;
    if (w->streaming)
        l += (size_t)snprintf(extra + l, sizeof extra - l, " This workbook is large (%zu cells "
                              "on its largest sheets), so it was written row by row; its "
                              "sheets carry a filtered header row instead of an Excel table.",
                              w->cells);
    if (w->score_rows > w->max_data_rows && l < sizeof extra)
        l += (size_t)snprintf(extra + l, sizeof extra - l, " The Scores sheet holds the first "
                              "%zu of %zu rows.", w->max_data_rows, w->score_rows);
    if (w->history_rows > w->max_data_rows && l < sizeof extra)
        l += (size_t)snprintf(extra + l, sizeof extra - l, " The History sheet holds the first "
                              "%zu of %zu rows.", w->max_data_rows, w->history_rows);
    if (c->nunit * c->nyear > w->max_data_rows && l < sizeof extra)
        l += (size_t)snprintf(extra + l, sizeof extra - l, " The Data sheet holds the first %zu "
                              "of %zu unit-year rows.", w->max_data_rows, c->nunit * c->nyear);
    if (w->data_ind < (size_t)w->fw->nind && l < sizeof extra)
        l += (size_t)snprintf(extra + l, sizeof extra - l, " The Data and Indicators sheets "
                              "show the first %zu of %d indicators.", w->data_ind, w->fw->nind);
    if ((w->nfeat_shown < w->nfeat || w->narea_shown < w->narea) && l < sizeof extra)
        snprintf(extra + l, sizeof extra - l, " The Features and Summary sheets show the first "
                 "%d of %d key features and %d of %d areas.", w->nfeat_shown, w->nfeat,
                 w->narea_shown, w->narea);
    char yr[300] = "";
    if (w->ty >= 0 && w->year_fallback && cfg)
        snprintf(yr, sizeof yr, "The batch evaluates %d, but no data are held for that year, "
                 "so the sheets of one year show the latest year held, %d.", cfg->year,
                 c->year[w->ty]);
    else if (w->ty >= 0)
        snprintf(yr, sizeof yr, "The Summary, Scores, Indicators and Features sheets show the "
                 "year evaluated, %d.", c->year[w->ty]);
    topic(w, WBN_READING, SEC_READING,
          "%s History holds the aggregates' scores in every year and Data the indicators' "
          "raw values in every year. The complete long tables are the CSV files beside this "
          "workbook: scores.csv (every score of every unit, year and node, indicators "
          "included, with its interval and rank), trends.csv (the trend of every node, "
          "indicators included) and quality.csv (every year); and the store's result "
          "table.%s", yr, extra);
    topic(w, WBN_MISSING, SEC_READING,
          "An empty cell is a missing value, never a zero, and never text. The status column "
          "beside a score says why it is missing: 'no data' (nothing under the node was "
          "observed), 'too little data' (its children cover less of its weight than the "
          "aggregation needs), 'screened out' (the unit had too few data that year); "
          "'scored, not ranked: too little data' marks a score without a rank. A change "
          "is empty where the earlier year has no score; its significance column says 'not "
          "assessed' where no measured error enters it.");
    topic(w, WBN_RANKS, SEC_READING,
          "Rank 1 is the best score of a node in a year; tied units share the better rank. "
          "Rank bounds are the %s Monte Carlo interval of a unit's rank; they may be "
          "fractional (quantiles), shown rounded. The coverage column beside a score is the "
          "share of the node's framework weight present; a score whose coverage is below the "
          "threshold in the Method notes is not ranked (its status says so).",
          cfg ? (cfg->ci_level == 0.95 ? "95%" : "chosen level's") : "95%");
}

/* Method: normalisation (level 1's settings) and its scope. */
static void notes_normalise(struct wb *w, const struct method *m)
{
    char a[REPORT_NUM_MAX], b[REPORT_NUM_MAX], how[300];
    if (m->normalise == NORM_MINMAX) {
        report_fmt_double(a, m->norm_low);
        report_fmt_double(b, m->norm_high);
        snprintf(how, sizeof how, "the %s method onto the range %s to %s",
                 norm_method_name(m->normalise), a, b);
    } else if (m->normalise == NORM_ZSCORE) {
        report_fmt_double(a, m->z_mean);
        report_fmt_double(b, m->z_sd);
        snprintf(how, sizeof how, "the %s method to mean %s and standard deviation %s",
                 norm_method_name(m->normalise), a, b);
    } else {
        snprintf(how, sizeof how, "the %s method", norm_method_name(m->normalise));
    }
    topic(w, WBN_NORMALISE, SEC_METHOD, "Indicators are normalised with %s, %s", how,
          m->scope == SCOPE_POOLED
              ? "pooled over all years (scope = pooled), so scores are comparable across "
                "years."
              : "year by year (scope = per-year), so scores compare units within a year, "
                "not across years: no change of a score is reported.");
}

/* Method: how the levels combine their children, once when they all do it
 * alike. */
static void notes_aggregate(struct wb *w)
{
    const struct config *cfg = w->cfg;
    char all[600] = "", one[300], pct[REPORT_NUM_MAX + 2], b[REPORT_NUM_MAX];
    int same = 1;
    size_t l = 0;
    for (int lv = 2; lv <= w->fw->nlevel && lv <= CONFIG_MAX_LEVELS; lv++) {
        const struct method *ml = &cfg->level[lv];
        pct_text(pct, sizeof pct, ml->min_coverage);
        if (ml->aggregate == AGG_GENMEAN)
            snprintf(one, sizeof one, "the %s method (exponent %s), with at least %s of the "
                     "children's weight present", agg_method_name(ml->aggregate),
                     report_fmt_double(b, ml->agg_p) ? b : "", pct);
        else
            snprintf(one, sizeof one, "the %s method, with at least %s of the children's "
                     "weight present", agg_method_name(ml->aggregate), pct);
        const struct method *m2 = &cfg->level[2];
        same &= ml->aggregate == m2->aggregate && ml->min_coverage == m2->min_coverage &&
                ml->agg_p == m2->agg_p;
        if (l < sizeof all)
            l += (size_t)snprintf(all + l, sizeof all - l, "%slevel %d: %s", l ? "; " : "",
                                  lv, one);
    }
    if (same)
        topic(w, WBN_AGGREGATE, SEC_METHOD, "Every level above the indicators combines its "
              "children with %s.", one);
    else
        topic(w, WBN_AGGREGATE, SEC_METHOD, "How each level combines its children: %s.", all);
}

/* Method: intervals, changes, trends. */
static void notes_uncertainty(struct wb *w)
{
    const struct config *cfg = w->cfg;
    const struct trends *tr = w->in->trends;
    char a[REPORT_NUM_MAX], pct[REPORT_NUM_MAX + 2];
    double lvl = cfg ? cfg->ci_level : 0.95;
    long reps = w->run ? w->run->replications : cfg ? cfg->replications : 0;
    unsigned long seed = w->run ? w->run->seed : cfg ? cfg->seed : 0;
    pct_text(pct, sizeof pct, lvl);
    if (w->r->ci_low)
        topic(w, WBN_INTERVALS, SEC_METHOD, "Lower and upper bounds are %s intervals from %ld "
              "Monte Carlo replications over the sampling error of the data (level = %s, seed "
              "= %lu); an observation without a standard error, sample size or interval "
              "counts as exact.", pct, reps, report_fmt_double(a, lvl) ? a : "", seed);
    else
        topic(w, WBN_INTERVALS, SEC_METHOD, "No intervals were computed (replications = %ld), "
              "so the lower and upper bound columns are empty and no change is called "
              "significant.", reps);
    if (!tr || !tr->comparable)
        return;
    topic(w, WBN_CHANGES, SEC_METHOD, "Changes are the score in the last year minus the score "
          "in the base year (or the year before), with their %s interval. The p-value is the "
          "two-sided Monte Carlo p-value; 'significant rise' or 'significant fall' means the "
          "change passes the Benjamini-Hochberg procedure at %s across the units of the same "
          "node; 'not assessed' means no measured error enters the change (exact data), "
          "whatever its size.", pct, report_fmt_double(a, 1 - lvl) ? a : "");
    topic(w, WBN_TRENDS, SEC_METHOD, "The slope is the ordinary least-squares change a year "
          "(weighted by 1/se^2 where intervals exist) with its %s interval; progress classes "
          "compare the change since the base year with what the target needs by the target "
          "year (the Run notes give the thresholds). The Trends sheet holds the aggregates; "
          "trends.csv holds every node, indicators included.", pct);
}

/* Data: observations, revisions, preparation and the Data sheet's marks. */
static void notes_data(struct wb *w)
{
    const struct report_input *in = w->in;
    const struct config *cfg = w->cfg;
    topic(w, WBN_DATA, SEC_DATA, "The data hold %zu observations for %zu units, %d indicators "
          "and %zu years; %zu of them carry a sampling error (standard error, sample size or "
          "interval). This batch revised %zu observation%s already in the store; %zu stored "
          "observation%s of indicators outside this framework %s skipped; %zu indicator%s "
          "constant and normalised to the midpoint.",
          in->obs_total, w->c->nunit, w->fw->nind, w->c->nyear, in->obs_with_error,
          in->obs_revised, in->obs_revised == 1 ? "" : "s", in->obs_skipped,
          in->obs_skipped == 1 ? "" : "s", in->obs_skipped == 1 ? "was" : "were",
          w->r->constant_indicators, w->r->constant_indicators == 1 ? " was" : "s were");
    char imp[200], trt[200];
    if (!cfg || cfg->impute == IMPUTE_NONE)
        snprintf(imp, sizeof imp, "Missing values are not imputed");
    else
        snprintf(imp, sizeof imp, "Missing values are imputed with the %s method",
                 impute_method_name(cfg->impute));
    if (!cfg || cfg->treat == TREAT_NONE)
        snprintf(trt, sizeof trt, "outliers are not treated");
    else
        snprintf(trt, sizeof trt, "outlying indicators are treated (%s, at most %d points "
                 "each)", treat_method_name(cfg->treat), cfg->winmax);
    topic(w, WBN_PREPARE, SEC_DATA, "%s; %s. The Data sheet shows the raw values as loaded: "
          "an imputed cell has a light yellow fill and a treated one a light blue fill, and "
          "each row counts both in the two columns after the indicators, so colour is never "
          "the only mark; an indicator with flags in its data has a column of them after "
          "those, as given ('b' or 'B' marks a break in series).",
          imp, trt);
    if (wb_groups_present(w))
        topic(w, WBN_GROUPS, SEC_DATA, "The Groups sheet compares the units grouped by each "
              "attribute of the units file: for each group, node and the year evaluated, the "
              "units with a score and the median, lowest and highest score, the median "
              "changes, and how many units rose or fell significantly. Medians of a few "
              "units move with each of them; no difference between groups is tested.");
    if (w->in->sens)
        topic(w, WBN_SENSITIVITY, SEC_DATA, "The Sensitivity sheet shows how the ranks of "
              "the [sensitivity] section's target move when the method's choices change: "
              "each unit's nominal rank and the mean, median, 5th and 95th percentile of its "
              "rank over the runs; with mode = sa, each choice's first-order and total Sobol "
              "index with bootstrap bounds; the rank shift of leaving each component out; and "
              "every run's settings (sensitivity.csv, sobol.csv and sensitivity_runs.csv "
              "hold the same; METHODS.md section 8 the method).");
    topic(w, WBN_FRAMEWORK, SEC_DATA, "The Framework sheet is the framework file as read: "
          "weights, the effective weight of each node in the index, direction (1 higher is "
          "better, -1 lower), unit, target and bounds, the file's free-text note column "
          "('adapted' in the framework file: in kflc.csv the word 'adapted' marks wording "
          "that paraphrases UNESCO's text; other frameworks may give a rationale or a "
          "source there), and each node's target score in the year evaluated.");
}

/* Run notes: every note of the run, the aggregation rules of the levels
 * said once when they differ only by the level's name. */
static void notes_run(struct wb *w)
{
    const struct notes *rn = &w->r->notes;
    static const char agg[] = "Aggregation to ";
    for (size_t i = 0; i < rn->n; i++) {
        const char *t = rn->line[i] ? rn->line[i] : "";
        const char *rest = strncmp(t, agg, sizeof agg - 1) == 0 ? strstr(t, ": ") : NULL;
        size_t j = i + 1;
        while (rest && j < rn->n && rn->line[j] &&
               strncmp(rn->line[j], agg, sizeof agg - 1) == 0 && strstr(rn->line[j], ": ") &&
               strcmp(strstr(rn->line[j], ": "), rest) == 0)
            j++;
        if (rest && j > i + 1) {
            note(w, SEC_RUN, "Aggregation to every level above the indicators%s", rest);
            i = j - 1;
        } else {
            note(w, SEC_RUN, "%s", t);
        }
    }
}

void wb_notes_compose(struct wb *w)
{
    memset(w->note_no, 0, sizeof w->note_no);
    notes_reading(w);
    if (w->cfg) {
        notes_normalise(w, &w->cfg->level[1]);
        notes_aggregate(w);
    }
    notes_uncertainty(w);
    notes_data(w);
    notes_run(w);
}

/* ---- the sheet ---------------------------------------------------------- */

void wb_notes_write(struct wb *w, lxw_worksheet *ws)
{
    static const char *const col[] = {"Note number", "Section", "Note text"};
    static const struct wb_cols width[] = {{0, 0, 12}, {1, 1, 22}, {2, 2, 120}};
    wb_sheet_head(w, ws, "Notes", "The notes the other sheets refer to as [note N], one a "
                  "row: first how to read the workbook and the methods, then every note of "
                  "the run.", NULL, 0);
    wb_add_table_of(w, ws, "tblNotes", w->notes.n, col, 3);
    wb_set_widths(w, ws, width, sizeof width / sizeof width[0]);
    for (size_t i = 0; i < w->notes.n; i++) {
        size_t row = WB_TOP + 1 + i;
        wb_put_num(w, ws, row, 0, (double)(i + 1), NULL, 0);
        wb_put_str(w, ws, row, 1, w->notes.section[i], NULL);
        wb_put_str(w, ws, row, 2, w->notes.text[i], w->f_wrap);
    }
}
