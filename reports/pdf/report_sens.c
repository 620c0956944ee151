/* report_sens.c: the paragraphs of the report's section on how robust the
 * ranks are (report_sens.h). Formats the sensitivity analysis in plain
 * words; the only arithmetic is sorting, counting and comparing ranges and
 * indices with fixed bands:
 *
 *   total index >= 0.3  "matters most" / "matters a lot"
 *               >= 0.1  "matters"
 *               <  0.1  "hardly matters"
 *   a rank range (5th to 95th percentile) of at most STABLE places "holds".
 */
#include "report_sens.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensitivity.h"

#define STABLE 2          /* places a range may span and still hold */
#define BIG 0.3           /* total index bands */
#define SOME 0.1
#define NLIST 3           /* units named as fragile or firm */

/* A paragraph being written: a memory stream (open_memstream), so text of
 * any length is kept whole. */
struct para {
    FILE *f;
    char *buf;
    size_t len;
};

static FILE *para_open(struct para *p)
{
    p->buf = NULL;
    p->len = 0;
    return p->f = open_memstream(&p->buf, &p->len);
}

/* The paragraph as a heap string; NULL when memory ran out. */
static char *para_close(struct para *p)
{
    if (!p->f)
        return NULL;
    if (fclose(p->f) != 0) {
        free(p->buf);
        return NULL;
    }
    return p->buf;
}

/* ", " between items, " or "/" and " before the last. */
static const char *sep(int i, int n, const char *last)
{
    return i == 0 ? "" : i == n - 1 ? last : ", ";
}

/* An assumption in plain words. */
static const char *plain(int key)
{
    switch ((enum sens_key)key) {
    case SENS_KEY_WINMAX: return "the winsorisation limit";
    case SENS_KEY_NORMALISE: return "the normalisation method";
    case SENS_KEY_AGGREGATE: return "the aggregation method";
    case SENS_KEY_IMPUTE: return "the imputation method";
    case SENS_KEY_WEIGHTS_NOISE: return "the weights";
    case SENS_KEY_EXCLUDE: return "leaving a component out";
    case SENS_KEY_SAMPLING_ERROR: return "sampling error in the data";
    default: return "?";
    }
}

static const char *norm_words(const struct sens_normalise *o, const struct config *cfg,
                              char *b, size_t len)
{
    const struct method *m = config_method(cfg, 1);
    if (o->method == NORM_MINMAX)
        snprintf(b, len, "min-max to [%g, %g]", o->npar ? o->a : m->norm_low,
                 o->npar ? o->b : m->norm_high);
    else if (o->method == NORM_ZSCORE)
        snprintf(b, len, "z-scores with mean %g and standard deviation %g",
                 o->npar ? o->a : m->z_mean, o->npar ? o->b : m->z_sd);
    else
        snprintf(b, len, "%s", norm_method_name((enum norm_method)o->method));
    return b;
}

/* The alternatives of assumption a in words, onto f. */
static void alternatives(const struct chart_ctx *c, const struct sensitivity *s, int a, FILE *f)
{
    const struct config *cfg = c->in->cfg;
    const struct config_sensitivity *cs = cfg->sens;
    char w[200];
    switch ((enum sens_key)s->key[a]) {
    case SENS_KEY_WINMAX:
        fprintf(f, "winsorising up to ");
        for (int i = 0; i < cs->nwinmax; i++)
            fprintf(f, "%s%d", sep(i, cs->nwinmax, " or "), cs->winmax[i]);
        fprintf(f, " points of an indicator");
        break;
    case SENS_KEY_NORMALISE:
        fprintf(f, "normalising by ");
        for (int i = 0; i < cs->nnormalise; i++)
            fprintf(f, "%s%s", sep(i, cs->nnormalise, " or "),
                norm_words(&cs->normalise[i], cfg, w, sizeof w));
        break;
    case SENS_KEY_AGGREGATE:
        fprintf(f, "aggregating with the ");
        for (int i = 0; i < cs->naggregate; i++)
            fprintf(f, "%s%s", sep(i, cs->naggregate, " or the "),
                agg_method_name((enum agg_method)cs->aggregate[i].method));
        fprintf(f, " mean");
        break;
    case SENS_KEY_IMPUTE:
        fprintf(f, "imputing missing values by ");
        for (int i = 0; i < cs->nimpute; i++)
            fprintf(f, "%s%s", sep(i, cs->nimpute, " or "),
                cs->impute[i] == IMPUTE_NONE ? "nothing (left missing)"
                                             : impute_method_name(cs->impute[i]));
        break;
    case SENS_KEY_WEIGHTS_NOISE:
        fprintf(f, "multiplying each weight");
        for (int i = 0; i < cs->nweights_levels; i++)
            fprintf(f, "%s%s", i == 0 ? " of the " : sep(i, cs->nweights_levels, " and "),
                chart_level_words(c->in, cs->weights_level[i], 1, w, sizeof w));
        fprintf(f, " by a random factor between %g and %g", 1 - cs->weights_noise,
            1 + cs->weights_noise);
        break;
    case SENS_KEY_EXCLUDE:
        fprintf(f, "leaving out nothing or one of %zu components", s->nexcl);
        break;
    case SENS_KEY_SAMPLING_ERROR:
        fprintf(f, "drawing every observation from its sampling error");
        break;
    default:
        break;
    }
}

/* The target in words: "the index" for the root, else its name (or code). */
static const char *target_words(const struct chart_ctx *c, const struct sensitivity *s,
                                char *b, size_t len)
{
    const struct fw_node *x = &c->in->fw->node[s->target];
    if (s->target == c->in->fw->root)
        snprintf(b, len, "the index");
    else
        snprintf(b, len, "%s", x->name && x->name[0] ? x->name : x->code);
    return b;
}

/* What was varied. */
static char *para_design(const struct chart_ctx *c, const struct sensitivity *s)
{
    struct para p;
    FILE *f = para_open(&p);
    char ph[160];
    if (!f)
        return NULL;
    fprintf(f, "How much would each unit's rank in %s in %d move had other reasonable "
            "methods been chosen? The whole pipeline was recomputed %zu times, each time "
            "with another combination of: ", target_words(c, s, ph, sizeof ph), s->year,
            s->nrun + s->nexcl);
    for (int a = 0; a < s->d; a++) {
        fputs(a == 0 ? "" : a == s->d - 1 ? "; and " : "; ", f);
        alternatives(c, s, a, f);
    }
    fputs(". Every other setting is the batch's own.", f);
    if (s->failed)
        fprintf(f, " %zu run%s could not be computed (for example a geometric mean meeting "
                "a value that is not positive) and %s left out.", s->failed,
                s->failed == 1 ? "" : "s", s->failed == 1 ? "is" : "are");
    return para_close(&p);
}

/* The assumptions with an index, by total index (largest first). Returns
 * how many. */
static int by_total(const struct sensitivity *s, int *ord)
{
    int n = 0;
    for (int a = 0; a < s->d; a++)
        if (isfinite(s->index[a].sti))
            ord[n++] = a;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s->index[ord[j]].sti > s->index[ord[j - 1]].sti; j--) {
            int t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    return n;
}

/* Which choices matter (sa). */
static char *para_indices(const struct sensitivity *s)
{
    int ord[SOBOL_MAX_D], n = by_total(s, ord);
    if (n == 0)
        return strdup("No rank moved in any run, so no choice can be said to matter more "
                       "than another.");
    struct para p;
    FILE *f = para_open(&p);
    if (!f)
        return NULL;
    const struct sobol_index *x = &s->index[ord[0]];
    fprintf(f, "The choice that matters most is %s (%s): fixing it would remove about %.0f%% "
            "of the variation in how far the ranks move (total index %.2f, %.0f%% confidence "
            "interval %.2f to %.2f); on its own, without its interplay with the other "
            "choices, it accounts for about %.0f%%.", plain(s->key[ord[0]]),
            sens_key_name((enum sens_key)s->key[ord[0]]), 100 * fmin(1, fmax(0, x->sti)),
            x->sti, 100 * s->level, x->sti_low, x->sti_high, 100 * fmin(1, fmax(0, x->si)));
    int some = 0;
    for (int i = 1; i < n; i++)
        some += s->index[ord[i]].sti >= SOME;
    int little = n - 1 - some;
    for (int i = 1, k = 0; i < n; i++) {
        if (s->index[ord[i]].sti < SOME)
            continue;
        if (k == 0)
            fprintf(f, " %s also matter%s: ", some == 1 ? "One other choice" : "Others",
                    some == 1 ? "s" : "");
        fprintf(f, "%s%s (total index %.2f)%s", sep(k, some, " and "), plain(s->key[ord[i]]),
                s->index[ord[i]].sti, k + 1 == some ? "." : "");
        k++;
    }
    for (int i = 1, k = 0; i < n; i++) {
        if (s->index[ord[i]].sti >= SOME)
            continue;
        const char *w = plain(s->key[ord[i]]);
        fprintf(f, "%s%c%s (%.2f)%s", k == 0 ? " " : sep(k, little, " and "),
                k == 0 ? (char)(w[0] - 'a' + 'A') : w[0], w + 1, s->index[ord[i]].sti,
                k + 1 == little ? (little == 1 ? " hardly matters." : " hardly matter.") : "");
        k++;
    }
    return para_close(&p);
}

/* Units by nominal rank (ranked ones only). Returns how many. */
static size_t ranked(const struct sensitivity *s, size_t *ord)
{
    size_t n = 0;
    for (size_t u = 0; u < s->nunit; u++)
        if (isfinite(s->nominal_rank[u]) && isfinite(s->median_rank[u]))
            ord[n++] = u;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && s->nominal_rank[ord[j]] < s->nominal_rank[ord[j - 1]]; j--) {
            size_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    return n;
}

/* Which ranks are fragile and which hold. */
static char *para_fragile(const struct chart_ctx *c, const struct sensitivity *s)
{
    size_t *ord = malloc((s->nunit + 1) * sizeof *ord), *w = malloc((s->nunit + 1) * sizeof *w);
    if (!ord || !w) {
        free(ord);
        free(w);
        return NULL;
    }
    size_t n = ranked(s, ord), stable = 0;
    for (size_t i = 0; i < n; i++) {
        w[i] = ord[i];
        stable += s->rank_q95[ord[i]] - s->rank_q05[ord[i]] <= STABLE;
    }
    /* by range width, widest first; among equals the better nominal rank */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            double a = s->rank_q95[w[j]] - s->rank_q05[w[j]];
            double b = s->rank_q95[w[j - 1]] - s->rank_q05[w[j - 1]];
            if (!(a > b))
                break;
            size_t t = w[j];
            w[j] = w[j - 1];
            w[j - 1] = t;
        }
    struct para p;
    FILE *f = para_open(&p);
    if (!f) {
        free(ord);
        free(w);
        return NULL;
    }
    fprintf(f, "%s: %zu of %zu units stay within %d places in 90%% of the runs (their 5th "
            "and 95th percentile ranks).", 2 * stable >= n ? "Most ranks hold"
                                                           : "Many ranks move", stable, n, STABLE);
    size_t nf = 0;
    for (size_t i = 0; i < n && nf < NLIST; i++)
        if (s->rank_q95[w[i]] - s->rank_q05[w[i]] > STABLE)
            nf++;
    for (size_t i = 0; i < nf; i++) {
        size_t u = w[i];
        if (i == 0)
            fprintf(f, " The most fragile rank%s %s ", nf == 1 ? "" : "s",
                    nf == 1 ? "is that of" : "are those of");
        fprintf(f, "%s%s (rank %.0f as published, anywhere from %.0f to %.0f)%s",
                sep((int)i, (int)nf, " and "), c->label[u], s->nominal_rank[u], s->rank_q05[u],
                s->rank_q95[u], i + 1 == nf ? "." : "");
    }
    if (s->unranked)
        fprintf(f, " In some runs units lose their score (screened out, or their components' "
                "weight falls below the coverage a score needs) and the others close up, so "
                "a range can lie above the rank as published.");
    size_t nk = 0, firm[NLIST];
    for (size_t i = 0; i < n && nk < NLIST && s->nominal_rank[ord[i]] <= 10; i++)
        if (s->rank_q05[ord[i]] == s->rank_q95[ord[i]] &&
            s->rank_q05[ord[i]] == s->nominal_rank[ord[i]])
            firm[nk++] = ord[i];
    for (size_t i = 0; i < nk; i++)
        fprintf(f, "%s%s%s", i == 0 ? " " : sep((int)i, (int)nk, " and "), c->label[firm[i]],
                i + 1 == nk ? (nk == 1 ? " keeps its rank in at least 90% of the runs."
                                       : " keep their ranks in at least 90% of the runs.")
                            : "");
    free(ord);
    free(w);
    return para_close(&p);
}

/* What leaving each component out does. */
static char *para_exclusion(const struct chart_ctx *c, const struct sensitivity *s)
{
    const struct framework *fw = c->in->fw;
    size_t hi = SIZE_MAX, lo = SIZE_MAX;
    for (size_t k = 0; k < s->nexcl; k++) {
        double v = s->run[s->nrun + k].shift;
        if (!isfinite(v))
            continue;
        if (hi == SIZE_MAX || v > s->run[s->nrun + hi].shift)
            hi = k;
        if (lo == SIZE_MAX || v < s->run[s->nrun + lo].shift)
            lo = k;
    }
    if (hi == SIZE_MAX)
        return NULL;
    const struct fw_node *a = &fw->node[s->excl_node[hi]], *z = &fw->node[s->excl_node[lo]];
    struct para p;
    FILE *f = para_open(&p);
    if (!f)
        return NULL;
    fprintf(f, "Leaving one component out at a time (all else as published) moves the ranks "
            "by %.1f places on average for the most influential, %s (%s), and by %.1f for "
            "the least, %s (%s); the Sensitivity sheet lists every component.",
            s->run[s->nrun + hi].shift, a->name && a->name[0] ? a->name : a->code, a->code,
            s->run[s->nrun + lo].shift, z->name && z->name[0] ? z->name : z->code, z->code);
    return para_close(&p);
}

/* Which uncertainty the ranges measure. */
static char *para_meaning(const struct sensitivity *s)
{
    int with_error = 0;
    for (int a = 0; a < s->d; a++)
        with_error |= s->key[a] == SENS_KEY_SAMPLING_ERROR;
    struct para p;
    FILE *f = para_open(&p);
    if (!f)
        return NULL;
    fprintf(f, "These rank ranges measure method uncertainty%s. The intervals elsewhere in "
            "this report measure sampling error only, with the methods as published.",
            with_error ? " and sampling error together: every run also drew the observations "
                         "from their errors"
                       : ": the observed values are the same in every run");
    return para_close(&p);
}

size_t report_sens_paragraphs(const struct chart_ctx *c, char **para)
{
    const struct sensitivity *s = c->in->sens;
    size_t n = 0;
    char *p[5] = {para_design(c, s), s->mode == SENS_SA ? para_indices(s) : NULL,
                  para_fragile(c, s), s->nexcl ? para_exclusion(c, s) : NULL,
                  para_meaning(s)};
    for (size_t i = 0; i < 5; i++)
        if (p[i] && n < REPORT_SENS_MAX)
            para[n++] = p[i];
        else
            free(p[i]);
    return n;
}
