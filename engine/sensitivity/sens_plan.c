/* sens_plan.c: the plan of an analysis: its assumptions, the components
 * exclude leaves out, every run with the value of each assumption, and what
 * a run's values mean for the pipeline (its settings and weights).
 *
 * Run layout (s->run): the design runs (ua: A; sa: A, B, then A_B^(i) for
 * each assumption i, sobol.h), then one exclusion run per component. A run
 * holds, per assumption, an alternative index or a draw index, or -1 for
 * the batch's own setting (sensitivity.h says which); nothing else about a
 * run is random, so the plan alone fixes every run's numbers.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensitivity_int.h"

static uint64_t splitmix64(uint64_t x)
{
    uint64_t z = x + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

unsigned long sens_stream_seed(unsigned long seed, enum sens_stream st, long r)
{
    uint64_t h = splitmix64(splitmix64(splitmix64((uint64_t)seed) ^ (uint64_t)st) ^
                            (uint64_t)r);
    return (unsigned long)((h ^ (h >> 32)) & 0xffffffffULL);
}

int sens_assumption(const struct sensitivity *s, enum sens_key k)
{
    for (int a = 0; a < s->d; a++)
        if (s->key[a] == (int)k)
            return a;
    return -1;
}

int sens_under(const struct framework *fw, int n, int top)
{
    for (int p = fw->node[n].parent; p >= 0; p = fw->node[p].parent)
        if (p == top)
            return 1;
    return 0;
}

/* The exclusion components: the codes of exclude, or every indicator under
 * the target for exclude = each. */
static int plan_components(struct sensitivity *s, const struct config_sensitivity *cs,
                           const struct framework *fw)
{
    size_t n = 0;
    if (cs->exclude_each) {
        for (int k = 0; k < fw->nind; k++)
            n += sens_under(fw, k, s->target);
    } else {
        n = (size_t)cs->nexclude;
    }
    s->excl_node = malloc((n ? n : 1) * sizeof *s->excl_node);
    if (!s->excl_node)
        return -1;
    if (cs->exclude_each) {
        for (int k = 0; k < fw->nind; k++)
            if (sens_under(fw, k, s->target))
                s->excl_node[s->nexcl++] = k;
    } else {
        /* sensitivity_check has made sure every code is a node under the target */
        for (int i = 0; i < cs->nexclude; i++)
            s->excl_node[s->nexcl++] = framework_find(fw, cs->exclude[i].code);
    }
    return 0;
}

/* The assumptions in key order, with their alternatives (0: drawn). */
static void plan_assumptions(struct sensitivity *s, const struct config_sensitivity *cs)
{
    s->d = 0;
    for (int k = 0; k < SENS_NASSUMPTION; k++) {
        int nalt = -1;
        switch ((enum sens_key)k) {
        case SENS_KEY_WINMAX: nalt = cs->nwinmax ? cs->nwinmax : -1; break;
        case SENS_KEY_NORMALISE: nalt = cs->nnormalise ? cs->nnormalise : -1; break;
        case SENS_KEY_AGGREGATE: nalt = cs->naggregate ? cs->naggregate : -1; break;
        case SENS_KEY_IMPUTE: nalt = cs->nimpute ? cs->nimpute : -1; break;
        case SENS_KEY_WEIGHTS_NOISE: nalt = cs->weights_noise > 0 ? 0 : -1; break;
        case SENS_KEY_EXCLUDE:
            nalt = cs->exclude_each || cs->nexclude ? (int)s->nexcl + 1 : -1;
            break;
        case SENS_KEY_SAMPLING_ERROR: nalt = cs->sampling_error ? 0 : -1; break;
        default: break;
        }
        if (nalt >= 0) {
            s->key[s->d] = k;
            s->nalt[s->d] = nalt;
            s->d++;
        }
    }
}

/* The value of assumption a at design coordinate u of base-matrix row
 * `row` (A row j: j, B row j: n + j). */
static long coord_value(const struct sensitivity *s, int a, double u, long row)
{
    if (s->nalt[a] == 0)
        return row;
    long k = (long)floor(u * s->nalt[a]);
    return k < 0 ? 0 : k >= s->nalt[a] ? s->nalt[a] - 1 : k;
}

static void plan_runs(struct sensitivity *s, const double *ma, const double *mb)
{
    size_t n = s->n, d = (size_t)s->d, r = 0;
    int nblock = s->mode == SENS_SA ? 2 + s->d : 1;
    for (int blk = 0; blk < nblock; blk++)
        for (size_t j = 0; j < n; j++, r++) {
            struct sens_run *run = &s->run[r];
            run->block = blk == 0 ? SENS_BLOCK_A : blk == 1 ? SENS_BLOCK_B : SENS_BLOCK_AB;
            run->varied = blk >= 2 ? blk - 2 : -1;
            run->row = (long)j;
            for (int a = 0; a < SENS_NASSUMPTION; a++)
                run->par[a] = -1;
            for (int a = 0; a < s->d; a++) {
                int from_b = blk == 1 || (blk >= 2 && a == blk - 2);
                const double *m = from_b ? mb : ma;
                run->par[a] = coord_value(s, a, m[j * d + (size_t)a],
                                          (long)j + (from_b ? (long)n : 0));
            }
        }
    int ex = sens_assumption(s, SENS_KEY_EXCLUDE);
    for (size_t k = 0; k < s->nexcl; k++, r++) {
        struct sens_run *run = &s->run[r];
        run->block = SENS_BLOCK_EXCLUDE;
        run->varied = ex;
        run->row = (long)k;
        for (int a = 0; a < SENS_NASSUMPTION; a++)
            run->par[a] = -1;
        if (ex >= 0)
            run->par[ex] = (long)k + 1;
    }
}

int sens_plan(struct sensitivity *s, const struct config *cfg, const struct framework *fw,
              struct diag *d)
{
    const struct config_sensitivity *cs = cfg->sens;
    if ((cs->exclude_each || cs->nexclude) && plan_components(s, cs, fw) != 0)
        goto nomem;
    plan_assumptions(s, cs);
    size_t per = s->mode == SENS_SA ? (size_t)s->d + 2 : 1;
    double total = (double)s->n * (double)per + (double)s->nexcl;
    if (s->d > SOBOL_MAX_D || total > (double)SENSITIVITY_MAX_RUNS ||
        total * (double)s->nunit * 2.0 > (double)((size_t)1 << 33)) {
        diag_add(d, LCME_ELIMIT, cfg->path, cfg->sens->line[SENS_KEY_SAMPLES],
                 cfg->sens->col[SENS_KEY_SAMPLES],
                 "[sensitivity]: %.0f runs of %zu units is more than an analysis holds "
                 "(at most %ld runs and 8 GiB of ranks, %d assumptions); lower samples",
                 total, s->nunit, SENSITIVITY_MAX_RUNS, SOBOL_MAX_D);
        return -1;
    }
    s->nrun = s->n * per;
    s->run = calloc(s->nrun + s->nexcl + 1, sizeof *s->run);
    double *ma = malloc((s->n * (size_t)s->d + 1) * sizeof *ma);
    double *mb = malloc((s->n * (size_t)s->d + 1) * sizeof *mb);
    int ok = s->run && ma && mb && sobol_design(s->n, s->d, ma, mb) == 0;
    if (ok)
        plan_runs(s, ma, mb);
    free(ma);
    free(mb);
    if (ok)
        return 0;
nomem:
    diag_add(d, LCME_ENOMEM, NULL, 0, 0, "sensitivity: out of memory for the plan");
    return -1;
}

/* A normalisation alternative over a level's method. */
static void set_normalise(struct method *m, const struct sens_normalise *o)
{
    m->normalise = (enum norm_method)o->method;
    if (o->npar == 2 && o->method == NORM_MINMAX) {
        m->norm_low = o->a;
        m->norm_high = o->b;
    } else if (o->npar == 2 && o->method == NORM_ZSCORE) {
        m->z_mean = o->a;
        m->z_sd = o->b;
    }
}

static void set_aggregate(struct method *m, const struct sens_aggregate *o)
{
    m->aggregate = (enum agg_method)o->method;
    if (o->npar == 1)
        m->agg_p = o->p;
}

void sens_run_config(const struct sensitivity *s, const struct config *cfg, size_t r,
                     struct config *out)
{
    const struct config_sensitivity *cs = cfg->sens;
    const struct sens_run *run = &s->run[r];
    *out = *cfg;
    for (int a = 0; a < s->d; a++) {
        long k = run->par[a];
        if (k < 0)
            continue;
        switch ((enum sens_key)s->key[a]) {
        case SENS_KEY_WINMAX:
            out->winmax = cs->winmax[k];
            break;
        case SENS_KEY_NORMALISE:
            set_normalise(&out->method, &cs->normalise[k]);
            for (int l = 0; l <= CONFIG_MAX_LEVELS; l++)
                set_normalise(&out->level[l], &cs->normalise[k]);
            break;
        case SENS_KEY_AGGREGATE:
            set_aggregate(&out->method, &cs->aggregate[k]);
            for (int l = 0; l <= CONFIG_MAX_LEVELS; l++)
                set_aggregate(&out->level[l], &cs->aggregate[k]);
            break;
        case SENS_KEY_IMPUTE:
            out->impute = (enum impute_method)cs->impute[k];
            break;
        default:
            break;
        }
    }
}

/* Is level lv one whose weights the noise varies? */
static int noisy_level(const struct config_sensitivity *cs, int lv)
{
    if (cs->nweights_levels == 0)
        return 1;
    for (int i = 0; i < cs->nweights_levels; i++)
        if (cs->weights_level[i] == lv)
            return 1;
    return 0;
}

int sens_run_weights(const struct sensitivity *s, const struct config *cfg,
                     const struct framework *fw, size_t r, gsl_rng *rng, double *w)
{
    const struct config_sensitivity *cs = cfg->sens;
    const struct sens_run *run = &s->run[r];
    int wa = sens_assumption(s, SENS_KEY_WEIGHTS_NOISE), ea = sens_assumption(s, SENS_KEY_EXCLUDE);
    long draw = wa >= 0 ? run->par[wa] : -1, ex = ea >= 0 ? run->par[ea] : -1;
    if (draw < 0 && ex <= 0)
        return 0;
    for (int k = 0; k < fw->nnode; k++)
        w[k] = fw->node[k].weight;
    if (draw >= 0) {
        /* one uniform per node in node order, used where the level is
           noisy: a node's factor does not depend on which levels are */
        gsl_rng_set(rng, sens_stream_seed(s->seed, SENS_STREAM_WEIGHTS, draw));
        for (int k = 0; k < fw->nnode; k++) {
            double u = gsl_rng_uniform(rng);
            if (k != fw->root && noisy_level(cs, fw->node[k].level))
                w[k] *= 1.0 + cs->weights_noise * (2.0 * u - 1.0);
        }
    }
    if (ex > 0)
        w[s->excl_node[ex - 1]] = 0.0;
    return 1;
}

const char *sensitivity_value_text(const struct sensitivity *s, const struct config *cfg,
                                   const struct framework *fw, size_t r, int a, char *buf,
                                   size_t len)
{
    const struct config_sensitivity *cs = cfg->sens;
    long k = s->run[r].par[a];
    if (k < 0) {
        snprintf(buf, len, "nominal");
        return buf;
    }
    switch ((enum sens_key)s->key[a]) {
    case SENS_KEY_WINMAX:
        snprintf(buf, len, "%d", cs->winmax[k]);
        break;
    case SENS_KEY_NORMALISE:
        if (cs->normalise[k].npar == 2)
            snprintf(buf, len, "%s %g %g", norm_method_name(cs->normalise[k].method),
                     cs->normalise[k].a, cs->normalise[k].b);
        else
            snprintf(buf, len, "%s", norm_method_name(cs->normalise[k].method));
        break;
    case SENS_KEY_AGGREGATE:
        if (cs->aggregate[k].npar == 1)
            snprintf(buf, len, "%s %g", agg_method_name(cs->aggregate[k].method),
                     cs->aggregate[k].p);
        else
            snprintf(buf, len, "%s", agg_method_name(cs->aggregate[k].method));
        break;
    case SENS_KEY_IMPUTE:
        snprintf(buf, len, "%s", impute_method_name(cs->impute[k]));
        break;
    case SENS_KEY_EXCLUDE:
        snprintf(buf, len, "%s", k == 0 ? "none" : fw->node[s->excl_node[k - 1]].code);
        break;
    default:
        snprintf(buf, len, "draw %ld", k);
        break;
    }
    return buf;
}
