/* test_chart_fixture.h: a small hand-built run (framework, cube, results,
 * trends) for the chart and report tests. Not a test program itself.
 *
 * Tree (nlevel 5): IDX > A1 (F1 > K1 > I1 I2; F2 > K2 > I3 I4)
 *                      > A2 (F3 > K3 > I5 I6; F4 > K4 > I7 I8).
 * Node order: indicators 0..7, then K1 F1 K2 F2 A1 K3 F3 K4 F4 A2 IDX (8..18).
 *
 * Scores are set directly (no pipeline): for unit u, node k, year index t
 * of ny, score = base(u) + (k % 5) * 1.3 - 2 + (t - (ny - 1)) * slope(u),
 * base(u) = 30 + 2.5 * b(u) with b(u) = 7u mod 18 except b(15) = 17 and
 * b(5) = 15, slope(u) = (u mod 4 - 1) * 0.8; interval score -/+ (1.5 + u mod 3).
 * So with 18 units Sha Tin (u = 15) leads the index (node 18) in the last
 * year: 30 + 42.5 + 3 * 1.3 - 2 = 74.4, interval [72.9, 75.9]; Central and
 * Western (u = 0) is last: 31.9, [30.4, 33.4].
 * Unit 3 has no F4 score in the last year.
 */
#ifndef TEST_CHART_FIXTURE_H
#define TEST_CHART_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "reports.h"
#include "trend.h"

struct fixture {
    struct config cfg;
    struct framework *fw;
    struct cube *cube;
    struct results *res;
    struct trends *tr;
    struct run_info run;
    struct report_input in;
};

static char *fx_dup(const char *s)
{
    char *r = malloc(strlen(s) + 1);
    strcpy(r, s);
    return r;
}

static double fx_score(size_t u, size_t k, size_t t, size_t ny)
{
    int b = (int)((7 * u) % 18);
    if (u == 15)
        b = 17;
    else if (u == 5)
        b = 15;
    double slope = ((double)(u % 4) - 1) * 0.8;
    return 30 + 2.5 * b + (double)(k % 5) * 1.3 - 2 +
           ((double)t - (double)(ny - 1)) * slope;
}

static void fx_node(struct framework *fw, int i, const char *code, const char *name,
                    int level, int parent)
{
    struct fw_node *n = &fw->node[i];
    n->code = fx_dup(code);
    n->name = fx_dup(name);
    n->unit = fx_dup("");
    n->type = level == 1 ? NODE_INDICATOR : NODE_AGGREGATE;
    n->level = level;
    n->weight = 1;
    n->direction = 1;
    n->target = NAN;
    n->lower = n->upper = n->min = n->max = NAN;
    n->parent = parent;
    if (parent >= 0) {
        struct fw_node *p = &fw->node[parent];
        p->child = realloc(p->child, (size_t)(p->nchild + 1) * sizeof *p->child);
        p->child[p->nchild++] = i;
    }
}

static const char *fx_hk[18][3] = {
    {"CW", "Central and Western", "中西區"}, {"WC", "Wan Chai", "灣仔區"},
    {"EA", "Eastern", "東區"}, {"SO", "Southern", "南區"},
    {"YTM", "Yau Tsim Mong", "油尖旺區"}, {"SSP", "Sham Shui Po", "深水埗區"},
    {"KC", "Kowloon City", "九龍城區"}, {"WTS", "Wong Tai Sin", "黃大仙區"},
    {"KT", "Kwun Tong", "觀塘區"}, {"KWT", "Kwai Tsing", "葵青區"},
    {"TW", "Tsuen Wan", "荃灣區"}, {"TM", "Tuen Mun", "屯門區"},
    {"YL", "Yuen Long", "元朗區"}, {"NO", "North", "北區"},
    {"TP", "Tai Po", "大埔區"}, {"ST", "Sha Tin", "沙田區"},
    {"SK", "Sai Kung", "西貢區"}, {"../../etc/IS", "Islands", "離島區"},
};

/* nunit 18 gives the Hong Kong districts; other sizes get U0001, ... */
static struct fixture *fx_new(size_t nunit, size_t nyear, int with_ci)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->cfg.name = fx_dup("Hong Kong learning city evaluation 2026");
    f->cfg.year = 2026;
    f->cfg.ci_level = 0.95;
    f->cfg.replications = 1000;
    f->cfg.seed = 20161112;
    f->cfg.base_year = (int)(2026 - nyear + 1);
    f->cfg.target_year = 2030;
    f->cfg.created = fx_dup("2026-12-31T00:00:00");

    struct framework *fw = calloc(1, sizeof *fw);
    fw->nnode = 19;
    fw->nind = 8;
    fw->root = 18;
    fw->nlevel = 5;
    fw->node = calloc(19, sizeof *fw->node);
    fx_node(fw, 18, "IDX", "Learning City Index", 5, -1);
    fx_node(fw, 12, "A1", "Wider benefits", 4, 18);
    fx_node(fw, 17, "A2", "Major building blocks", 4, 18);
    fx_node(fw, 9, "F1", "Individual empowerment", 3, 12);
    fx_node(fw, 11, "F2", "Economic development and cultural prosperity", 3, 12);
    fx_node(fw, 14, "F3", "Inclusive learning", 3, 17);
    fx_node(fw, 16, "F4", "Quality in learning", 3, 17);
    fx_node(fw, 8, "K1", "Literacy for all", 2, 9);
    fx_node(fw, 10, "K2", "Skills for work", 2, 11);
    fx_node(fw, 13, "K3", "Access to learning", 2, 14);
    fx_node(fw, 15, "K4", "Trained educators", 2, 16);
    const int kf[4] = {8, 10, 13, 15};
    for (int i = 0; i < 8; i++) {
        char code[8], name[32];
        snprintf(code, sizeof code, "I%d", i + 1);
        snprintf(name, sizeof name, "Indicator %d", i + 1);
        fx_node(fw, i, code, name, 1, kf[i / 2]);
    }
    fw->node[0].target = 95;
    f->fw = fw;

    struct cube *c = cube_new(nunit, 8, nyear, 1, 0);
    free(c->attr_name[0]);
    c->attr_name[0] = fx_dup("name_zh");
    for (size_t t = 0; t < nyear; t++)
        c->year[t] = (int)(2026 - nyear + 1 + t);
    for (size_t u = 0; u < nunit; u++) {
        char code[32], name[32];
        free(c->unit[u]);
        free(c->unit_name[u]);
        if (nunit == 18) {
            c->unit[u] = fx_dup(fx_hk[u][0]);
            c->unit_name[u] = fx_dup(fx_hk[u][1]);
            free(c->attr[u]);
            c->attr[u] = fx_dup(fx_hk[u][2]);
        } else {
            snprintf(code, sizeof code, "U%04zu", u + 1);
            snprintf(name, sizeof name, "Unit %04zu", u + 1);
            c->unit[u] = fx_dup(code);
            c->unit_name[u] = fx_dup(name);
        }
    }
    f->cube = c;

    struct results *r = calloc(1, sizeof *r);
    r->nnode = 19;
    r->nyear = nyear;
    r->nunit = nunit;
    size_t cells = 19 * nyear * nunit;
    r->score = malloc(cells * sizeof *r->score);
    r->rank = malloc(cells * sizeof *r->rank);
    if (with_ci) {
        r->ci_low = malloc(cells * sizeof *r->ci_low);
        r->ci_high = malloc(cells * sizeof *r->ci_high);
    }
    for (size_t k = 0; k < 19; k++)
        for (size_t t = 0; t < nyear; t++)
            for (size_t u = 0; u < nunit; u++) {
                size_t at = RES_AT(r, k, t, u);
                double s = fx_score(u, k, t, nyear);
                if (k == 16 && u == 3 && t == nyear - 1)
                    s = NAN;
                r->score[at] = s;
                r->rank[at] = NAN;
                if (with_ci) {
                    double h = 1.5 + (double)(u % 3);
                    r->ci_low[at] = s - h;
                    r->ci_high[at] = s + h;
                }
                if (k < 8)
                    c->value[CUBE_AT(c, k, t, u)] = s;
            }
    notes_add(&r->notes, "Indicator I3 was constant in 2022 and scored the midpoint.");
    notes_add(&r->notes, "Geometric aggregation fell back to arithmetic for K2.");
    f->res = r;

    struct diag d;
    diag_init(&d);
    trend_compute_all(&f->cfg, fw, c, r, &f->tr, &d);
    diag_free(&d);

    strcpy(f->run.id, "0123456789abcdef");
    f->run.version = "0.1.0";
    f->run.created = f->cfg.created;
    f->run.seed = f->cfg.seed;
    f->run.replications = 1000;
    f->run.threads = 1;
    f->in.cfg = &f->cfg;
    f->in.fw = fw;
    f->in.cube = c;
    f->in.res = r;
    f->in.run = &f->run;
    f->in.obs_total = nunit * nyear * 8;
    f->in.obs_with_error = nunit * nyear * 4;
    return f;
}

static void fx_free(struct fixture *f)
{
    if (!f)
        return;
    trends_free(f->tr);
    results_free(f->res);
    cube_free(f->cube);
    framework_free(f->fw);
    free(f->cfg.name);
    free(f->cfg.created);
    free(f);
}

#endif
