/* report_groups.c: the comparison of groups of units, the values of a unit
 * attribute ([report] group, [batch] group, or the first attribute of the
 * units file that forms groups; report_doc.c chooses it): a table of the
 * groups (units, the median index with the lowest and highest, the median
 * of each area, the median change since the base year and the significant
 * rises and falls since the year before). The units of each group are
 * listed by report_units.c in networks too large for a page per unit.
 *
 * Every statistic comes from groups_compute (engine/trends/groups.h); the
 * section says that medians of small groups move with each unit and that
 * no difference between groups is tested.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_pdf_int.h"
#include "report_util.h"

#define DASH "\xE2\x80\x93"
#define MAX_COLS 12

static int fin(double x) { return isfinite(x) != 0; }

/* An area's column heading: its code (the table's key gives its name). */
static const char *area_head(const struct chart_ctx *c, int node)
{
    return c->in->fw->node[node].code;
}

static const char *median_cell(const struct groups *g, size_t k, int j, char *b, size_t len)
{
    size_t at = GROUPS_AT(g, k, j);
    if (!fin(g->median[at]))
        snprintf(b, len, DASH);
    else
        snprintf(b, len, "%.1f", g->median[at]);
    return b;
}

/* Width the table's fixed columns take. */
static double fixed_width(const struct doc *dc)
{
    return 95 + 34 + 44 + 62 + (dc->changes && dc->c->tr ? 50 + 44 : 0);
}

/* How many areas have a column: as many as fit at 34 points each. */
static int areas_shown(const struct doc *dc, const struct groups *g)
{
    int shown = g->nnode - 1;
    while (shown > 0 && (BODY_W - fixed_width(dc)) / shown < 34)
        shown--;
    return shown;
}

/* The table of the groups. */
static void groups_table(struct doc *dc, const struct groups *g)
{
    const struct chart_ctx *c = dc->c;
    int chg = dc->changes && c->tr;
    int shown = areas_shown(dc, g);
    double aw = shown ? (BODY_W - fixed_width(dc)) / shown : 0;
    double w[MAX_COLS];
    char al[MAX_COLS];
    const char *head[MAX_COLS];
    char hb[MAX_COLS][160];
    int n = 0;
    char an[128];
    rpdf_cap(rpdf_words(g->attr_name, an, sizeof an), hb[n], sizeof hb[n]);
    w[n] = 95, al[n] = 'l', head[n] = hb[n], n++;
    w[n] = 34, al[n] = 'r', head[n++] = "Units";
    w[n] = 44, al[n] = 'r', head[n++] = "Median index";
    w[n] = 62, al[n] = 'l', head[n++] = "Range";
    for (int a = 0; a < shown && n < MAX_COLS - 2; a++) {
        snprintf(hb[n], sizeof hb[n], "%s", area_head(c, g->node[1 + a]));
        w[n] = aw, al[n] = 'r', head[n] = hb[n], n++;
    }
    if (chg) {
        int base = c->in->cfg ? c->in->cfg->base_year : c->in->cube->year[0];
        snprintf(hb[n], sizeof hb[n], "Median change since %d", base);
        w[n] = 50, al[n] = 'r', head[n] = hb[n], n++;
        snprintf(hb[n], sizeof hb[n], "Rises / falls since %d", c->year - 1);
        w[n] = 44, al[n] = 'r', head[n] = hb[n], n++;
    }
    struct rpdf_table t = {n, w, al, head, 7.5, 0, 0};
    rpdf_table_begin(dc, &t);
    char cell[MAX_COLS][96];
    for (size_t k = 0; k < g->ngroup; k++) {
        const char *row[MAX_COLS];
        int j = 0;
        snprintf(cell[j], sizeof cell[j], "%s", g->value[k][0] ? g->value[k] : "(none given)");
        row[j] = cell[j], j++;
        snprintf(cell[j], sizeof cell[j], "%zu", g->scored[GROUPS_AT(g, k, 0)]);
        row[j] = cell[j], j++;
        row[j] = median_cell(g, k, 0, cell[j], sizeof cell[j]), j++;
        size_t at0 = GROUPS_AT(g, k, 0);
        if (g->scored[at0] > 1)
            snprintf(cell[j], sizeof cell[j], "%.1f" DASH "%.1f", g->low[at0], g->high[at0]);
        else
            snprintf(cell[j], sizeof cell[j], DASH);
        row[j] = cell[j], j++;
        for (int a = 0; a < shown && j < MAX_COLS - 2; a++, j++)
            row[j] = median_cell(g, k, 1 + a, cell[j], sizeof cell[j]);
        if (chg) {
            double m = g->base_median[GROUPS_AT(g, k, 0)];
            if (fin(m))
                snprintf(cell[j], sizeof cell[j], "%+.1f", report_plain_zero(m, 1));
            else
                snprintf(cell[j], sizeof cell[j], DASH);
            row[j] = cell[j], j++;
            if (c->has_ci)
                snprintf(cell[j], sizeof cell[j], "%zu / %zu", g->prev_rise[GROUPS_AT(g, k, 0)],
                         g->prev_fall[GROUPS_AT(g, k, 0)]);
            else
                snprintf(cell[j], sizeof cell[j], DASH);
            row[j] = cell[j], j++;
        }
        rpdf_table_row(dc, &t, row, 0, 0);
    }
    rpdf_table_end(dc, &t);
}

/* The areas' codes that head the table's columns, in words, above it. */
static void groups_key(struct doc *dc, const struct groups *g)
{
    const struct chart_ctx *c = dc->c;
    char key[1200] = "";
    for (int a = 0; a < areas_shown(dc, g); a++) {
        size_t l = strlen(key);
        snprintf(key + l, sizeof key - l, "%s%s %s", a ? "; " : "Columns: ",
                 area_head(c, g->node[1 + a]), chart_node_short(c, g->node[1 + a]));
    }
    if (key[0]) {
        size_t l = strlen(key);
        snprintf(key + l, sizeof key - l, " (median scores in %d).", c->year);
        rpdf_para(dc, key, 7.5, 0, INK_SOFT, 4);
    }
}

void rpdf_groups(struct doc *dc)
{
    const struct groups *g = dc->groups;
    const struct chart_ctx *c = dc->c;
    if (!g || g->ngroup < 2)
        return;
    char t[200], w[64];
    char an[128];
    rpdf_words(g->attr_name, an, sizeof an);
    snprintf(t, sizeof t, "Comparison by %s", an);
    /* the heading with the paragraph, the key and the whole table */
    rpdf_heading_keep(dc, t, 2, 120 + 28.0 * (double)(g->ngroup + 1));
    chart_level_words(c->in, c->in->fw->nlevel - 1, 1, w, sizeof w);
    rpdf_paraf(dc, "The units grouped by their %s (units file): the median of the units' "
               "scores in %d on the index and the %s%s. A median of a few units moves with "
               "each of them and no difference between groups is tested: a description, "
               "not a finding.", an, c->year, w,
               dc->changes && c->tr ? ", the median change of the index since the base year, "
                                      "and the units' significant rises and falls since last "
                                      "year" : "");
    groups_key(dc, g);
    groups_table(dc, g);
}
