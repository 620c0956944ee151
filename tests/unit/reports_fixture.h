/* reports_fixture.h: a tiny hand-built batch for the report writers' tests
 * (test_scores_csv.c, test_workbook.c). Built directly in memory, without the
 * engine's loaders, so the tests see exactly the numbers written below.
 *
 *   IDX (level 3, "Learning city index")
 *   +-- A1 (level 2)  I1, I2
 *   +-- A2 (level 2)  I3, I4
 *
 * Units U1, U2 and "=U3" (a code a spreadsheet would run as a formula);
 * years 2020 and 2021. Node order as framework.h fixes it: I1 I2 I3 I4 A1 A2
 * IDX. Scores are arbitrary but easy to write by hand:
 *
 *   score(node k, year t, unit u) = 10 k + u + 0.5 t
 *   except score(I1, 2020, U1) = 0.1, score(IDX, 2021, U2) = 1/3 and
 *   score(I2, 2020, =U3) = NaN (missing; its rank is NaN too);
 *   rank = 3 - u;
 *   with intervals: ci = score -/+ 1, rank_low = rank, rank_high = rank + 1.
 *
 * Raw values: value(indicator i, t, u) = 100 i + 10 t + u, NaN for
 * (I2, 2020, =U3), which is flagged imputed; (I3, 2021, U1) is flagged
 * treated.
 */
#ifndef LCME_TEST_REPORTS_FIXTURE_H
#define LCME_TEST_REPORTS_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports.h"

struct fixture {
    struct framework fw;
    struct fw_node node[7];
    int child_a1[2], child_a2[2], child_idx[2];
    struct cube cube;
    char *unit[3], *unit_name[3];
    int year[2];
    double value[4 * 2 * 3];
    uint8_t cflag[4 * 2 * 3];
    struct results res;
    double score[7 * 2 * 3], rank[7 * 2 * 3];
    double ci_low[7 * 2 * 3], ci_high[7 * 2 * 3], rank_low[7 * 2 * 3], rank_high[7 * 2 * 3];
    uint8_t rflag[4 * 2 * 3];
    double eff_weight[7];
    char *note_line[2];
    struct config cfg;
    struct run_info run;
    struct report_input in;
};

static void fixture_node(struct fw_node *n, const char *code, const char *name, int level,
                         enum node_type type, int parent)
{
    memset(n, 0, sizeof *n);
    n->code = (char *)code;
    n->name = (char *)name;
    n->unit = (char *)"";
    n->type = type;
    n->level = level;
    n->weight = 1;
    n->direction = 1;
    n->target = n->lower = n->upper = n->min = n->max = NAN;
    n->parent = parent;
}

/* Fill f (caller's storage); with_ci adds intervals. */
static void fixture_init(struct fixture *f, int with_ci)
{
    memset(f, 0, sizeof *f);
    static const char *const code[7] = {"I1", "I2", "I3", "I4", "A1", "A2", "IDX"};
    static const char *const name[7] = {"Adults in learning", "Library visits",
                                        "Family learning", "Learning festivals",
                                        "Inclusive learning", "Learning in families",
                                        "Learning city index"};
    static const int parent[7] = {4, 4, 5, 5, 6, 6, -1};
    static const int level[7] = {1, 1, 1, 1, 2, 2, 3};
    for (int k = 0; k < 7; k++)
        fixture_node(&f->node[k], code[k], name[k], level[k],
                     k < 4 ? NODE_INDICATOR : NODE_AGGREGATE, parent[k]);
    f->node[1].direction = -1;
    f->node[1].target = 80;
    f->node[2].lower = 0;
    f->node[2].upper = 100;
    f->node[3].adapted = (char *)"proxy";
    f->node[0].unit = (char *)"%";
    f->child_a1[0] = 0, f->child_a1[1] = 1;
    f->child_a2[0] = 2, f->child_a2[1] = 3;
    f->child_idx[0] = 4, f->child_idx[1] = 5;
    f->node[4].nchild = 2, f->node[4].child = f->child_a1;
    f->node[5].nchild = 2, f->node[5].child = f->child_a2;
    f->node[6].nchild = 2, f->node[6].child = f->child_idx;
    f->fw.path = (char *)"/batch/indicators/kflc.csv";
    f->fw.nnode = 7;
    f->fw.nind = 4;
    f->fw.root = 6;
    f->fw.nlevel = 3;
    f->fw.node = f->node;

    f->unit[0] = (char *)"U1", f->unit[1] = (char *)"U2", f->unit[2] = (char *)"=U3";
    f->unit_name[0] = (char *)"Alpha", f->unit_name[1] = (char *)"Beta, City";
    f->unit_name[2] = (char *)"Gamma";
    f->year[0] = 2020, f->year[1] = 2021;
    struct cube *c = &f->cube;
    c->nunit = 3, c->nind = 4, c->nyear = 2;
    c->unit = f->unit;
    c->unit_name = f->unit_name;
    c->year = f->year;
    c->value = f->value;
    c->flag = f->cflag;
    for (int i = 0; i < 4; i++)
        for (int t = 0; t < 2; t++)
            for (int u = 0; u < 3; u++)
                f->value[CUBE_AT(c, i, t, u)] = 100 * i + 10 * t + u;
    f->value[CUBE_AT(c, 1, 0, 2)] = NAN;
    f->rflag[CUBE_AT(c, 1, 0, 2)] = CUBE_IMPUTED;
    f->rflag[CUBE_AT(c, 2, 1, 0)] = CUBE_TREATED_HIGH;

    struct results *r = &f->res;
    r->nnode = 7, r->nyear = 2, r->nunit = 3;
    r->score = f->score;
    r->rank = f->rank;
    r->flag = f->rflag;
    r->eff_weight = f->eff_weight;
    for (int k = 0; k < 7; k++)
        for (int t = 0; t < 2; t++)
            for (int u = 0; u < 3; u++) {
                size_t i = RES_AT(r, k, t, u);
                f->score[i] = 10 * k + u + 0.5 * t;
                f->rank[i] = 3 - u;
            }
    f->score[RES_AT(r, 0, 0, 0)] = 0.1;
    f->score[RES_AT(r, 6, 1, 1)] = 1.0 / 3.0;
    f->score[RES_AT(r, 1, 0, 2)] = NAN;
    f->rank[RES_AT(r, 1, 0, 2)] = NAN;
    if (with_ci) {
        r->ci_low = f->ci_low, r->ci_high = f->ci_high;
        r->rank_low = f->rank_low, r->rank_high = f->rank_high;
        for (size_t i = 0; i < 7 * 2 * 3; i++) {
            f->ci_low[i] = f->score[i] - 1;
            f->ci_high[i] = f->score[i] + 1;
            f->rank_low[i] = f->rank[i];
            f->rank_high[i] = f->rank[i] + 1;
        }
    }
    static const double ew[7] = {0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 1};
    memcpy(f->eff_weight, ew, sizeof ew);
    r->constant_indicators = 1;
    f->note_line[0] = (char *)"Indicator I4 is constant in 2020 and is set to the midpoint.";
    f->note_line[1] = (char *)"Unit =U3 has no value for I2 in 2020.";
    r->notes.n = 2;
    r->notes.line = f->note_line;

    struct config *cfg = &f->cfg;
    cfg->name = (char *)"Test city evaluation 2021";
    cfg->year = 2021;
    cfg->framework = (char *)"/batch/indicators/kflc.csv";
    cfg->created = (char *)"2022-03-04T05:06:07+02:00";
    cfg->nlevel_names = 3;
    cfg->level_name[1] = (char *)"indicator";
    cfg->level_name[2] = (char *)"area";
    cfg->level_name[3] = (char *)"index";
    struct method m = {0};
    m.normalise = NORM_MINMAX;
    m.norm_low = 0, m.norm_high = 100;
    m.scope = SCOPE_POOLED;
    m.aggregate = AGG_ARITHMETIC;
    m.agg_p = 1;
    m.min_coverage = 0.5;
    cfg->method = m;
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++)
        cfg->level[l] = m;
    cfg->ci_level = 0.95;
    cfg->replications = 1000;
    cfg->seed = 20161112;

    f->run.version = "0.1.0";
    strcpy(f->run.id, "0123456789abcdef");
    f->run.created = "2022-03-04T05:06:07+02:00";
    f->run.seed = 20161112;
    f->run.replications = with_ci ? 1000 : 0;
    f->run.threads = 1;

    f->in.cfg = cfg;
    f->in.fw = &f->fw;
    f->in.cube = c;
    f->in.res = r;
    f->in.run = &f->run;
    f->in.obs_total = 23;
    f->in.obs_with_error = 5;
    f->in.obs_revised = 2;
    f->in.obs_skipped = 1;
}

#endif
