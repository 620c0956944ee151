/* config_sensitivity.c: the [sensitivity] section of the batch file (keys in
 * config.h), read into struct config_sensitivity.
 *
 * Each key's value is checked where it is read, and an error points at the
 * value's line and column (a list item at its own column). What needs the
 * whole file (the [method] settings an alternative varies, level names that
 * level_names may give later, the number of assumptions) is checked by
 * config_sens_finish. Codes are checked against the framework later
 * (sensitivity_check), with the line and column kept here.
 *
 * Invariants: every list present holds 2..SENS_MAX_ALT alternatives;
 * line[k] is 0 exactly for the keys the file does not give.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"

static const char *const key_names[SENS_NKEY] = {
    [SENS_KEY_WINMAX] = "winmax", [SENS_KEY_NORMALISE] = "normalise",
    [SENS_KEY_AGGREGATE] = "aggregate", [SENS_KEY_IMPUTE] = "impute",
    [SENS_KEY_WEIGHTS_NOISE] = "weights_noise", [SENS_KEY_EXCLUDE] = "exclude",
    [SENS_KEY_SAMPLING_ERROR] = "sampling_error", [SENS_KEY_MODE] = "mode",
    [SENS_KEY_SAMPLES] = "samples", [SENS_KEY_SEED] = "seed",
    [SENS_KEY_BOOTSTRAP] = "bootstrap", [SENS_KEY_TARGET] = "target",
    [SENS_KEY_WEIGHTS_LEVELS] = "weights_levels",
};

const char *sens_key_name(enum sens_key k)
{
    return (unsigned)k < SENS_NKEY ? key_names[k] : "?";
}

/* A list item: its text (NUL-terminated inside the caller's copy) and its
 * column in the batch file. */
struct item {
    char *text;
    int col;
};

/* Split value (a copy the caller owns) at commas into trimmed items; an
 * empty item is kept (and reported by the caller). Returns the count, at
 * most max (-1 when there are more). */
static int split(char *value, int vcol, struct item *it, int max)
{
    int n = 0;
    char *s = value;
    for (;;) {
        char *e = strchr(s, ',');
        if (e)
            *e = '\0';
        while (isspace((unsigned char)*s))
            s++;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = '\0';
        if (n == max)
            return -1;
        it[n].text = s;
        it[n].col = vcol + (int)(s - value);
        n++;
        if (!e)
            return n;
        s = e + 1;
    }
}

/* strtod of a whole word, finite. */
static int word_num(const char *w, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(w, &end);
    if (end == w || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Index of name among the names fn gives for 0, 1, ... (until "?"), or -1. */
static int find_name(const char *(*fn)(int), const char *name)
{
    for (int i = 0;; i++) {
        const char *s = fn(i);
        if (strcmp(s, "?") == 0)
            return -1;
        if (strcasecmp(s, name) == 0)
            return i;
    }
}

static const char *norm_name_i(int i) { return norm_method_name((enum norm_method)i); }
static const char *agg_name_i(int i) { return agg_method_name((enum agg_method)i); }
static const char *impute_name_i(int i) { return impute_method_name((enum impute_method)i); }

struct ctx {
    struct config *c;
    const struct config_at *at;
    struct diag *d;
    const char *key;
};

static void bad(const struct ctx *x, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void bad(const struct ctx *x, int col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_input(x->d, x->at->path, x->at->line, col, "[sensitivity] %s: %s", x->key, msg);
    x->c->sens->nbad++;
}

/* One alternative "METHOD [P1 [P2]]" of normalise or aggregate: the method
 * index into *m, the numbers into par (at most maxpar). Returns the number
 * of numbers, or -1 after reporting. */
static int method_words(const struct ctx *x, const struct item *it,
                        const char *(*names)(int), int maxpar, int *m, double *par)
{
    char *save = NULL, *w = strtok_r(it->text, " \t", &save);
    if (!w) {
        bad(x, it->col, "an empty alternative");
        return -1;
    }
    if ((*m = find_name(names, w)) < 0 || strcmp(w, "none") == 0) {
        bad(x, it->col, "unknown method '%s'", w);
        return -1;
    }
    int n = 0;
    while ((w = strtok_r(NULL, " \t", &save))) {
        if (n == maxpar) {
            bad(x, it->col, "too many parameters after '%s'", it->text);
            return -1;
        }
        if (word_num(w, &par[n]) != 0) {
            bad(x, it->col, "'%s' is not a number", w);
            return -1;
        }
        n++;
    }
    return n;
}

static int parse_normalise(const struct ctx *x, const struct item *it, struct sens_normalise *o)
{
    double par[2];
    int n = method_words(x, it, norm_name_i, 2, &o->method, par);
    if (n < 0)
        return -1;
    int takes = o->method == NORM_MINMAX || o->method == NORM_ZSCORE;
    if ((n != 0 && n != 2) || (n == 2 && !takes)) {
        bad(x, it->col, "%s takes two parameters (minmax LOW HIGH, zscore MEAN SD) or "
            "none", norm_method_name((enum norm_method)o->method));
        return -1;
    }
    if (n == 2 && ((o->method == NORM_MINMAX && !(par[0] < par[1])) ||
                   (o->method == NORM_ZSCORE && !(par[1] > 0)))) {
        bad(x, it->col, "%s: minmax needs LOW < HIGH, zscore SD > 0",
            norm_method_name((enum norm_method)o->method));
        return -1;
    }
    o->npar = n;
    o->a = n ? par[0] : NAN;
    o->b = n ? par[1] : NAN;
    return 0;
}

static int parse_aggregate(const struct ctx *x, const struct item *it, struct sens_aggregate *o)
{
    double p = NAN;
    int n = method_words(x, it, agg_name_i, 1, &o->method, &p);
    if (n < 0)
        return -1;
    if (n == 1 && o->method != AGG_GENMEAN) {
        bad(x, it->col, "only genmean takes a parameter (its exponent), not %s",
            agg_method_name((enum agg_method)o->method));
        return -1;
    }
    o->npar = n;
    o->p = p;
    return 0;
}

static int parse_winmax(const struct ctx *x, const struct item *it, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(it->text, &end, 10);
    if (end == it->text || *end || errno || v < 0 || v > 1000000) {
        bad(x, it->col, "'%s' is not a whole number in [0, 1000000]", it->text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_impute(const struct ctx *x, const struct item *it, int *out)
{
    if ((*out = find_name(impute_name_i, it->text)) < 0) {
        bad(x, it->col, "unknown method '%s'", it->text);
        return -1;
    }
    return 0;
}

/* A list of alternatives: each item parsed by the key's parser into its
 * array (stride bytes apart); *count set when every item is good. */
static void parse_list(const struct ctx *x, const char *val, int *count, void *arr,
                       size_t stride, int (*one)(const struct ctx *, const struct item *, void *))
{
    char *copy = strdup(val);
    struct item it[SENS_MAX_ALT];
    if (!copy) {
        diag_add(x->d, LCME_ENOMEM, x->at->path, x->at->line, x->at->vcol, "out of memory");
        return;
    }
    int n = split(copy, x->at->vcol, it, SENS_MAX_ALT), ok = 1;
    if (n < 0)
        bad(x, x->at->vcol, "more than %d alternatives", SENS_MAX_ALT);
    else if (n < 2)
        bad(x, x->at->vcol, "'%s' names one alternative; an assumption needs at least two "
            "(the nominal [method] setting may be one of them)", val);
    for (int i = 0; i < n && ok; i++)
        if (!it[i].text[0]) {
            bad(x, it[i].col, "an empty alternative");
            ok = 0;
        } else {
            ok = one(x, &it[i], (char *)arr + (size_t)i * stride) == 0;
        }
    if (n >= 2 && ok)
        *count = n;
    free(copy);
}

/* The parsers with the signature parse_list takes. */
static int one_winmax(const struct ctx *x, const struct item *it, void *o)
{
    return parse_winmax(x, it, o);
}
static int one_normalise(const struct ctx *x, const struct item *it, void *o)
{
    return parse_normalise(x, it, o);
}
static int one_aggregate(const struct ctx *x, const struct item *it, void *o)
{
    return parse_aggregate(x, it, o);
}
static int one_impute(const struct ctx *x, const struct item *it, void *o)
{
    return parse_impute(x, it, o);
}

/* exclude = each | CODE, CODE, ... */
static void parse_exclude(const struct ctx *x, struct config_sensitivity *s, const char *val)
{
    for (int i = 0; i < s->nexclude; i++)
        free(s->exclude[i].code);
    free(s->exclude);
    s->exclude = NULL;
    s->nexclude = 0;
    s->exclude_each = 0;
    if (strcasecmp(val, "each") == 0) {
        s->exclude_each = 1;
        return;
    }
    size_t n = 1;
    for (const char *p = val; *p; p++)
        n += *p == ',';
    char *copy = strdup(val);
    struct item *it = malloc(n * sizeof *it);
    s->exclude = calloc(n, sizeof *s->exclude);
    if (!copy || !it || !s->exclude) {
        diag_add(x->d, LCME_ENOMEM, x->at->path, x->at->line, x->at->vcol, "out of memory");
    } else {
        int m = split(copy, x->at->vcol, it, (int)n);
        for (int i = 0; i < m; i++) {
            if (!it[i].text[0]) {
                bad(x, it[i].col, "an empty code");
                continue;
            }
            s->exclude[s->nexclude].col = it[i].col;
            s->exclude[s->nexclude++].code = strdup(it[i].text);
        }
    }
    free(copy);
    free(it);
}

/* The settings of the analysis (not assumptions). Returns 1 when key is
 * one of them. */
static int setting_key(const struct ctx *x, struct config_sensitivity *s, int k,
                       const char *val)
{
    char *end;
    errno = 0;
    switch (k) {
    case SENS_KEY_MODE:
        if (strcasecmp(val, "ua") == 0)
            s->mode = SENS_UA;
        else if (strcasecmp(val, "sa") == 0)
            s->mode = SENS_SA;
        else
            bad(x, x->at->vcol, "'%s' is not ua (rank uncertainty) or sa (also Sobol indices)",
                val);
        return 1;
    case SENS_KEY_SAMPLES:
    case SENS_KEY_BOOTSTRAP: {
        long lo = k == SENS_KEY_SAMPLES ? 2 : 0, v = strtol(val, &end, 10);
        if (end == val || *end || errno || v < lo || v > 1000000)
            bad(x, x->at->vcol, "'%s' is not a whole number in [%ld, 1000000]", val, lo);
        else if (k == SENS_KEY_SAMPLES)
            s->samples = v;
        else
            s->bootstrap = v;
        return 1;
    }
    case SENS_KEY_SEED: {
        unsigned long long v = strtoull(val, &end, 10);
        if (end == val || *end || errno || val[0] == '-' || v > 0xffffffffULL)
            bad(x, x->at->vcol, "'%s' is not a whole number in [0, 4294967295]", val);
        else {
            s->seed = (unsigned long)v;
            s->seed_set = 1;
        }
        return 1;
    }
    case SENS_KEY_TARGET:
        free(s->target);
        s->target = NULL;
        if (!val[0])
            bad(x, x->at->vcol, "no node named (leave target out for the root)");
        else
            s->target = strdup(val);
        return 1;
    default:
        return 0;
    }
}

void config_sens_key(struct config *c, const struct config_at *at, const char *key,
                     const char *val, struct diag *d)
{
    if (!c->sens) {
        c->sens = calloc(1, sizeof *c->sens);
        if (!c->sens) {
            diag_add(d, LCME_ENOMEM, at->path, at->line, at->kcol, "out of memory");
            return;
        }
        c->sens->samples = 1000;
        c->sens->bootstrap = 200;
    }
    struct config_sensitivity *s = c->sens;
    int k = 0;
    while (k < SENS_NKEY && strcmp(key, key_names[k]) != 0)
        k++;
    if (k == SENS_NKEY && strcmp(key, "normalize") == 0)
        k = SENS_KEY_NORMALISE;
    if (k == SENS_NKEY) {
        diag_input(d, at->path, at->line, at->kcol, "[sensitivity] unknown key '%s'", key);
        s->nbad++;
        return;
    }
    struct ctx x = {c, at, d, key_names[k]};
    s->line[k] = at->line;
    s->col[k] = at->vcol;
    double v;
    switch (k) {
    case SENS_KEY_WINMAX:
        parse_list(&x, val, &s->nwinmax, s->winmax, sizeof s->winmax[0], one_winmax);
        break;
    case SENS_KEY_NORMALISE:
        parse_list(&x, val, &s->nnormalise, s->normalise, sizeof s->normalise[0],
                   one_normalise);
        break;
    case SENS_KEY_AGGREGATE:
        parse_list(&x, val, &s->naggregate, s->aggregate, sizeof s->aggregate[0],
                   one_aggregate);
        break;
    case SENS_KEY_IMPUTE:
        parse_list(&x, val, &s->nimpute, s->impute, sizeof s->impute[0], one_impute);
        break;
    case SENS_KEY_WEIGHTS_NOISE:
        if (word_num(val, &v) != 0 || !(v > 0) || !(v < 1))
            bad(&x, at->vcol, "'%s' is not a number between 0 and 1 (0.25: each weight "
                "x U(0.75, 1.25))", val);
        else
            s->weights_noise = v;
        break;
    case SENS_KEY_EXCLUDE:
        parse_exclude(&x, s, val);
        break;
    case SENS_KEY_SAMPLING_ERROR:
        if (strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0 || strcmp(val, "1") == 0)
            s->sampling_error = 1;
        else if (strcasecmp(val, "no") == 0 || strcasecmp(val, "false") == 0 ||
                 strcmp(val, "0") == 0)
            s->sampling_error = 0;
        else
            bad(&x, at->vcol, "'%s' is not yes or no", val);
        break;
    case SENS_KEY_WEIGHTS_LEVELS:
        /* resolved by config_sens_finish, once level_names is known */
        free(s->weights_levels_text);
        s->weights_levels_text = strdup(val);
        break;
    default:
        setting_key(&x, s, k, val);
        break;
    }
}

/* weights_levels: level numbers or names, each once. */
static void resolve_levels(struct config *c, struct diag *d)
{
    struct config_sensitivity *s = c->sens;
    struct config_at at = {c->path, s->line[SENS_KEY_WEIGHTS_LEVELS], 0,
                           s->col[SENS_KEY_WEIGHTS_LEVELS]};
    struct ctx x = {c, &at, d, "weights_levels"};
    char *copy = strdup(s->weights_levels_text);
    struct item it[CONFIG_MAX_LEVELS];
    int n = copy ? split(copy, at.vcol, it, CONFIG_MAX_LEVELS) : 0;
    if (n < 0)
        bad(&x, at.vcol, "more than %d levels", CONFIG_MAX_LEVELS);
    for (int i = 0; i < n; i++) {
        int lv = config_level_of(c, it[i].text);
        int dup = 0;
        for (int j = 0; j < s->nweights_levels; j++)
            dup |= s->weights_level[j] == lv;
        if (lv < 0)
            bad(&x, it[i].col, "'%s' is neither a level number nor a name of level_names",
                it[i].text);
        else if (dup)
            bad(&x, it[i].col, "level '%s' is named twice", it[i].text);
        else
            s->weights_level[s->nweights_levels++] = lv;
    }
    free(copy);
}

/* An error at key k's value. */
static void key_error(const struct config *c, int k, struct diag *d, const char *msg)
{
    diag_input(d, c->path, c->sens->line[k], c->sens->col[k], "[sensitivity] %s: %s",
               key_names[k], msg);
}

void config_sens_finish(struct config *c, struct diag *d)
{
    struct config_sensitivity *s = c->sens;
    if (!s)
        return;
    if (s->weights_levels_text) {
        if (!s->weights_noise)
            key_error(c, SENS_KEY_WEIGHTS_LEVELS, d,
                      "weights_levels needs weights_noise (how much to vary the weights)");
        else
            resolve_levels(c, d);
    }
    if (s->nwinmax && c->treat != TREAT_WINSORISE)
        key_error(c, SENS_KEY_WINMAX, d, "winmax only acts with [method] treat = winsorise; "
                  "set it there, or leave winmax out");
    for (int i = 0; i < s->nimpute; i++)
        if ((s->impute[i] == IMPUTE_GROUP_MEAN || s->impute[i] == IMPUTE_GROUP_MEDIAN) &&
            !c->group) {
            key_error(c, SENS_KEY_IMPUTE, d, "group_mean and group_median need [batch] group "
                      "(the unit attribute that makes the groups)");
            break;
        }
    for (int i = 0; i < s->nnormalise; i++)
        if (s->normalise[i].method == NORM_DIST2REF && !c->ref_unit) {
            key_error(c, SENS_KEY_NORMALISE, d, "dist2ref needs [method] ref_unit (the "
                      "reference unit)");
            break;
        }
    if (s->nbad)
        return;   /* a key's own error: counting assumptions would add a second */
    int nas = (s->nwinmax > 0) + (s->nnormalise > 0) + (s->naggregate > 0) +
              (s->nimpute > 0) + (s->weights_noise > 0) +
              (s->exclude_each || s->nexclude > 0) + s->sampling_error;
    if (nas == 0)
        diag_input(d, c->path, s->line[SENS_KEY_MODE] ? s->line[SENS_KEY_MODE] : 0,
                   s->col[SENS_KEY_MODE], "[sensitivity] names no assumption to vary (winmax, "
                   "normalise, aggregate, impute, weights_noise, exclude or sampling_error)");
    else if (nas == 1 && s->mode == SENS_SA)
        key_error(c, SENS_KEY_MODE, d, "sa needs at least two assumptions (with one, every "
                  "index is 1); use mode = ua");
}

void config_sens_free(struct config_sensitivity *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nexclude; i++)
        free(s->exclude[i].code);
    free(s->exclude);
    free(s->target);
    free(s->weights_levels_text);
    free(s);
}

/* snprintf onto buf + *k, keeping *k the length it would have. */
static void put(char *buf, size_t len, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*k < len ? buf + *k : NULL, *k < len ? len - *k : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *k += (size_t)n;
}

size_t config_sens_text(const struct config_sensitivity *s, char *buf, size_t len)
{
    size_t k = 0;
    put(buf, len, &k, "sensitivity.mode=%s\nsensitivity.samples=%ld\nsensitivity.seed=%lu:%d\n"
        "sensitivity.bootstrap=%ld\nsensitivity.target=%s\nsensitivity.winmax=",
        s->mode == SENS_SA ? "sa" : "ua", s->samples, s->seed, s->seed_set, s->bootstrap,
        s->target ? s->target : "");
    for (int i = 0; i < s->nwinmax; i++)
        put(buf, len, &k, "%d,", s->winmax[i]);
    put(buf, len, &k, "\nsensitivity.normalise=");
    for (int i = 0; i < s->nnormalise; i++)
        put(buf, len, &k, "%s %d %.17g %.17g,", norm_method_name(s->normalise[i].method),
            s->normalise[i].npar, s->normalise[i].a, s->normalise[i].b);
    put(buf, len, &k, "\nsensitivity.aggregate=");
    for (int i = 0; i < s->naggregate; i++)
        put(buf, len, &k, "%s %d %.17g,", agg_method_name(s->aggregate[i].method),
            s->aggregate[i].npar, s->aggregate[i].p);
    put(buf, len, &k, "\nsensitivity.impute=");
    for (int i = 0; i < s->nimpute; i++)
        put(buf, len, &k, "%s,", impute_method_name(s->impute[i]));
    put(buf, len, &k, "\nsensitivity.weights_noise=%.17g\nsensitivity.weights_levels=",
        s->weights_noise);
    for (int i = 0; i < s->nweights_levels; i++)
        put(buf, len, &k, "%d,", s->weights_level[i]);
    put(buf, len, &k, "\nsensitivity.exclude=%s", s->exclude_each ? "each" : "");
    for (int i = 0; i < s->nexclude; i++)
        put(buf, len, &k, "%s,", s->exclude[i].code);
    put(buf, len, &k, "\nsensitivity.sampling_error=%d\n", s->sampling_error);
    return k;
}
