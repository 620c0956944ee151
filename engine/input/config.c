/* config.c: reads the batch file with inih and checks every key.
 *
 * inih (as Debian builds it) does not pass line numbers to the handler, so the
 * file is fed through a reader that counts lines; the handler reports at the
 * line just read. Per-level sections ([method.feature]) may come before the
 * level_names key that names them, so their keys are kept and applied once
 * the whole file is read. Unknown sections and keys are errors, and so are
 * a second key of the same name in a section and a second header of the
 * same section. A key's value is applied once its continuation lines are
 * read (see "continuation lines" below).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
#include "csv.h"
#include "framework.h"
#include "path.h"
#include "pguri.h"

#define MAX_OVERRIDES 256

struct override {
    char *section;   /* the text after "method." */
    char *key, *value;
    long line;
    int kcol, vcol;
};

/* A key whose value may go on over indented lines: applied once the next
 * key, or the end of the file, shows the value is complete. */
struct pending {
    int set;
    char *section, *name, *value;   /* owned */
    long line;
    int kcol, vcol;
};

/* A key or section seen, to refuse a second one. */
struct seen {
    char *section, *key;   /* owned; key NULL for a section header */
    long line;
};

struct parse {
    struct config *c;
    struct diag *d;
    FILE *fp;
    long line;
    int kcol, vcol;  /* columns of the current line's key and value */
    int after_key;   /* a key line came since the last section header: an
                        indented line now continues that key's value */
    int cont;        /* the line just read is such a continuation */
    long key_line;   /* line of the key a continuation continues */
    char key_name[64]; /* and its name, as written */
    int skip_key;    /* the last key was a repeat: its lines are not applied */
    struct pending pend;
    int nseen, aseen;
    struct seen *seen;
    int has_name, has_year, has_framework, has_data, has_base;
    int unreadable;  /* 1 when reading stopped at a malformed line */
    int misread;     /* 1 when a line was not read as written (an indented
                        key): what seems missing after it is not reported */
    long base_line, target_line;
    int base_col, target_col, weights_col;
    int nover;
    struct override over[MAX_OVERRIDES];
};

static const char *const norm_names[] = {
    [NORM_NONE] = "none", [NORM_MINMAX] = "minmax", [NORM_ZSCORE] = "zscore",
    [NORM_GOALPOSTS] = "goalposts", [NORM_RANK] = "rank", [NORM_PRANK] = "prank",
    [NORM_DIST2TARGET] = "dist2target", [NORM_DIST2MAX] = "dist2max",
    [NORM_FRACMAX] = "fracmax", [NORM_SCALED] = "scaled",
    [NORM_DIST2REF] = "dist2ref", [NORM_BORDA] = "borda",
};
static const char *const agg_names[] = {
    [AGG_ARITHMETIC] = "arithmetic", [AGG_GEOMETRIC] = "geometric",
    [AGG_HARMONIC] = "harmonic", [AGG_GENMEAN] = "genmean",
    [AGG_MEDIAN] = "median", [AGG_COPELAND] = "copeland",
};
static const char *const impute_names[] = {
    [IMPUTE_NONE] = "none", [IMPUTE_MEAN] = "mean", [IMPUTE_MEDIAN] = "median",
    [IMPUTE_GROUP_MEAN] = "group_mean", [IMPUTE_GROUP_MEDIAN] = "group_median",
    [IMPUTE_LATEST] = "latest", [IMPUTE_CONSTANT] = "constant",
    [IMPUTE_LINEAR] = "linear",
};
static const char *const treat_names[] = {
    [TREAT_NONE] = "none", [TREAT_WINSORISE] = "winsorise",
    [TREAT_LOG] = "log", [TREAT_LOG_CT] = "log_CT", [TREAT_BOXCOX] = "boxcox",
};
static const char *const screen_names[] = {
    [SCREEN_NONE] = "none", [SCREEN_BYNA] = "byNA",
    [SCREEN_BYZEROS] = "byzeros", [SCREEN_BOTH] = "both",
};
static const char *const stage_names[] = {
    [PREP_DENOMINATE] = "denominate", [PREP_SCREEN] = "screen",
    [PREP_IMPUTE] = "impute", [PREP_TREAT] = "treat",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *norm_method_name(enum norm_method m)
{
    return (size_t)m < COUNT(norm_names) ? norm_names[m] : "?";
}
const char *agg_method_name(enum agg_method m)
{
    return (size_t)m < COUNT(agg_names) ? agg_names[m] : "?";
}
const char *impute_method_name(enum impute_method m)
{
    return (size_t)m < COUNT(impute_names) ? impute_names[m] : "?";
}
const char *treat_method_name(enum treat_method m)
{
    return (size_t)m < COUNT(treat_names) ? treat_names[m] : "?";
}
const char *screen_method_name(enum screen_method m)
{
    return (size_t)m < COUNT(screen_names) ? screen_names[m] : "?";
}
const char *prep_stage_name(enum prep_stage st)
{
    return (size_t)st < COUNT(stage_names) ? stage_names[st] : "?";
}

/* yes/no values: 1, 0, or -1 when neither. */
static int parse_yesno(const char *v)
{
    if (strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
        return 1;
    if (strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
        return 0;
    return -1;
}

static void method_defaults(struct method *m)
{
    m->normalise = NORM_MINMAX;
    m->norm_low = 0;
    m->norm_high = 100;
    m->z_mean = 0;
    m->z_sd = 1;
    m->dist2target_cap = 1;
    m->scope = SCOPE_POOLED;
    m->aggregate = AGG_ARITHMETIC;
    m->agg_p = 1;
    m->min_coverage = 0;
    m->rank_min_coverage = NAN;
    m->gp_scale = 100;
    m->ref_index = -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Index of value in names[0..n), or -1. */
static int lookup(const char *const *names, size_t n, const char *value)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && strcasecmp(names[i], value) == 0)
            return (int)i;
    return -1;
}

static void list_names(const char *const *names, size_t n, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && k < len; i++) {
        if (!names[i] || strcmp(names[i], "none") == 0)
            continue;
        k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "", names[i]);
    }
}

static int parse_num(struct parse *p, const char *sec, const char *key,
                     const char *value, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end || errno || !isfinite(v) || v < lo || v > hi) {
        diag_input(p->d, p->c->path, p->line, p->vcol,
                   "[%s] %s: '%s' is not a number in [%g, %g]", sec, key, value, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_int(struct parse *p, const char *sec, const char *key,
                     const char *value, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (end == value || *end || errno || v < lo || v > hi) {
        diag_input(p->d, p->c->path, p->line, p->vcol,
                   "[%s] %s: '%s' is not a whole number in [%ld, %ld]", sec, key, value, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_enum(struct parse *p, const char *sec, const char *key, const char *value,
                      const char *const *names, size_t n, int *out)
{
    int i = lookup(names, n, value);
    if (i < 0) {
        char buf[512];
        list_names(names, n, buf, sizeof buf);
        diag_input(p->d, p->c->path, p->line, p->vcol,
                   "[%s] %s: unknown method '%s' (expected one of: %s)", sec, key, value, buf);
        return -1;
    }
    *out = i;
    return 0;
}

/* A method key, for [method] or a [method.LEVEL] section. Returns 1 when the
 * key is a method key (valid or not), 0 when it is unknown. */
static int method_key(struct parse *p, const char *sec, struct method *m,
                      const char *key, const char *value)
{
    int e = 0;
    double v;
    if (strcmp(key, "normalise") == 0 || strcmp(key, "normalize") == 0) {
        if (parse_enum(p, sec, key, value, norm_names, COUNT(norm_names), &e) == 0)
            m->normalise = (enum norm_method)e;
    } else if (strcmp(key, "range") == 0) {
        double lo, hi;
        char extra;
        if (sscanf(value, "%lf , %lf %c", &lo, &hi, &extra) != 2 || !isfinite(lo) ||
            !isfinite(hi) || lo >= hi)
            diag_input(p->d, p->c->path, p->line, p->vcol,
                       "[%s] range: '%s' is not 'low, high' with low < high", sec, value);
        else {
            m->norm_low = lo;
            m->norm_high = hi;
        }
    } else if (strcmp(key, "mean") == 0) {
        if (parse_num(p, sec, key, value, -1e300, 1e300, &v) == 0)
            m->z_mean = v;
    } else if (strcmp(key, "sd") == 0) {
        if (parse_num(p, sec, key, value, 1e-300, 1e300, &v) == 0)
            m->z_sd = v;
    } else if (strcmp(key, "cap") == 0) {
        if (strcasecmp(value, "yes") == 0 || strcmp(value, "1") == 0 || strcasecmp(value, "true") == 0)
            m->dist2target_cap = 1;
        else if (strcasecmp(value, "no") == 0 || strcmp(value, "0") == 0 || strcasecmp(value, "false") == 0)
            m->dist2target_cap = 0;
        else
            diag_input(p->d, p->c->path, p->line, p->vcol, "[%s] cap: '%s' is not yes or no", sec, value);
    } else if (strcmp(key, "scope") == 0) {
        if (strcasecmp(value, "pooled") == 0)
            m->scope = SCOPE_POOLED;
        else if (strcasecmp(value, "per-year") == 0 || strcasecmp(value, "per_year") == 0)
            m->scope = SCOPE_PER_YEAR;
        else
            diag_input(p->d, p->c->path, p->line, p->vcol,
                       "[%s] scope: '%s' is not pooled or per-year", sec, value);
    } else if (strcmp(key, "aggregate") == 0) {
        if (parse_enum(p, sec, key, value, agg_names, COUNT(agg_names), &e) == 0)
            m->aggregate = (enum agg_method)e;
    } else if (strcmp(key, "p") == 0) {
        if (parse_num(p, sec, key, value, -1e6, 1e6, &v) == 0)
            m->agg_p = v;
    } else if (strcmp(key, "min_coverage") == 0) {
        if (parse_num(p, sec, key, value, 0, 1, &v) == 0)
            m->min_coverage = v;
    } else if (strcmp(key, "rank_min_coverage") == 0) {
        if (parse_num(p, sec, key, value, 0, 1, &v) == 0)
            m->rank_min_coverage = v;
    } else {
        return 0;
    }
    return 1;
}

static char *resolve(struct parse *p, const char *value)
{
    return path_join(p->c->dir, value);
}

static void set_str(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

/* [batch] plan: action-plan files, a comma-separated list that may go on
 * over indented lines as data's does; where each file is named is kept for
 * errors about the file itself. */
static void plan_key(struct parse *p, const char *value)
{
    struct config *c = p->c;
    int before = c->nplan;
    char *copy = strdup(value), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *name = trim(tok);
        if (!*name)
            continue;
        if (c->nplan == CONFIG_MAX_DATA) {
            diag_input(p->d, c->path, p->line, p->vcol, "[batch] plan: more than %d files",
                       CONFIG_MAX_DATA);
            break;
        }
        int k = c->nplan++;
        c->plan_line[k] = p->line;
        c->plan_col[k] = p->vcol + (int)(name - copy);
        c->plan_name[k] = strdup(name);
        c->plan[k] = resolve(p, name);
    }
    free(copy);
    if (c->nplan == before)
        diag_input(p->d, c->path, p->line, p->vcol, "[batch] plan: no file named");
}

static void batch_key(struct parse *p, const char *key, const char *value)
{
    struct config *c = p->c;
    long v;
    if (strcmp(key, "name") == 0) {
        set_str(&c->name, strdup(value));
        p->has_name = 1;
    } else if (strcmp(key, "year") == 0) {
        p->has_year = 1;   /* present: a bad value is reported, not "missing" */
        if (parse_int(p, "batch", key, value, 1000, 9999, &v) == 0)
            c->year = (int)v;
    } else if (strcmp(key, "framework") == 0) {
        set_str(&c->framework, resolve(p, value));
        set_str(&c->framework_name, strdup(value));
        c->framework_line = p->line;
        c->framework_col = p->vcol;
        p->has_framework = 1;
    } else if (strcmp(key, "units") == 0) {
        set_str(&c->units, resolve(p, value));
        set_str(&c->units_name, strdup(value));
        c->units_line = p->line;
        c->units_col = p->vcol;
    } else if (strcmp(key, "store") == 0) {
        /* a connection URI is kept as written; it may not carry a
           password, and the message never repeats it */
        if (pguri_is_keywords(value))
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[batch] store: a PostgreSQL store is named by its URI, "
                       "postgresql://USER@HOST:PORT/DBNAME, not by libpq keywords "
                       "(host=..., dbname=...); a path names a SQLite file");
        else if (pguri_is(value) && pguri_has_password(value))
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[batch] store: the connection URI gives a password; give it in "
                       "PGPASSWORD or ~/.pgpass instead, never in the batch file");
        set_str(&c->store, pguri_is(value) ? strdup(value) : resolve(p, value));
        c->store_line = p->line;
        c->store_col = p->vcol;
    } else if (strcmp(key, "output") == 0) {
        set_str(&c->output, resolve(p, value));
        c->output_line = p->line;
        c->output_col = p->vcol;
    } else if (strcmp(key, "group") == 0) {
        set_str(&c->group, strdup(value));
    } else if (strcmp(key, "description") == 0) {
        set_str(&c->description, strdup(value));
    } else if (strcmp(key, "source") == 0) {
        set_str(&c->source, strdup(value));
    } else if (strcmp(key, "licence") == 0 || strcmp(key, "license") == 0) {
        set_str(&c->licence, strdup(value));
    } else if (strcmp(key, "contact") == 0) {
        set_str(&c->contact, strdup(value));
    } else if (strcmp(key, "synthetic") == 0) {
        int yn = parse_yesno(value);
        if (yn < 0)
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[batch] synthetic: '%s' is not yes or no", value);
        else
            c->synthetic = yn;
    } else if (strcmp(key, "created") == 0) {
        int y, mo, d, h, mi, s;
        char extra;
        if (sscanf(value, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &extra) < 6 ||
            y < 1000 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
            s < 0 || s > 60)
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[batch] created: '%s' is not a time like 2026-12-31T00:00:00Z", value);
        else {
            char buf[32];
            snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
            set_str(&c->created, strdup(buf));
        }
    } else if (strcmp(key, "data") == 0) {
        char *copy = strdup(value), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            tok = trim(tok);
            if (!*tok)
                continue;
            if (c->ndata == CONFIG_MAX_DATA) {
                diag_input(p->d, c->path, p->line, p->vcol,
                           "[batch] data: more than %d files", CONFIG_MAX_DATA);
                break;
            }
            c->data_line[c->ndata] = p->line;
            c->data_col[c->ndata] = p->vcol + (int)(tok - copy);
            c->data_name[c->ndata] = strdup(tok);
            c->data[c->ndata++] = resolve(p, tok);
        }
        free(copy);
        p->has_data = 1;
        if (c->ndata == 0)
            diag_input(p->d, c->path, p->line, p->vcol, "[batch] data: no file named");
    } else if (strcmp(key, "plan") == 0) {
        plan_key(p, value);
    } else if (strcmp(key, "level_names") == 0) {
        for (int i = 1; i <= c->nlevel_names; i++) {
            free(c->level_name[i]);
            c->level_name[i] = NULL;
        }
        c->nlevel_names = 0;
        char *copy = strdup(value), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            tok = trim(tok);
            if (c->nlevel_names == CONFIG_MAX_LEVELS) {
                diag_input(p->d, c->path, p->line, p->vcol,
                           "[batch] level_names: more than %d levels", CONFIG_MAX_LEVELS);
                break;
            }
            c->level_name[++c->nlevel_names] = strdup(tok);
        }
        free(copy);
    } else {
        diag_input(p->d, c->path, p->line, p->kcol, "[batch] unknown key '%s'", key);
    }
}

/* The data-preparation keys of [method]. Returns 1 when key is one. */
static int prep_key(struct parse *p, const char *key, const char *val)
{
    struct config *c = p->c;
    double v;
    int e = 0;
    if (strcmp(key, "denominate") == 0) {
        int yn = parse_yesno(val);
        if (yn < 0)
            diag_input(p->d, c->path, p->line, p->vcol, "[method] denominate: '%s' is not yes or no", val);
        else
            c->denominate = yn;
    } else if (strcmp(key, "denominate_scale") == 0) {
        if (parse_num(p, "method", key, val, 1e-300, 1e300, &v) == 0)
            c->denominate_scale = v;
    } else if (strcmp(key, "screen") == 0) {
        if (parse_enum(p, "method", key, val, screen_names, COUNT(screen_names), &e) == 0)
            c->screen = (enum screen_method)e;
    } else if (strcmp(key, "dat_thresh") == 0) {
        if (parse_num(p, "method", key, val, 0, 1, &v) == 0)
            c->dat_thresh = v;
    } else if (strcmp(key, "nonzero_thresh") == 0) {
        if (parse_num(p, "method", key, val, 0, 1, &v) == 0)
            c->nonzero_thresh = v;
    } else if (strcmp(key, "force_include") == 0) {
        set_str(&c->force_include, strdup(val));
    } else if (strcmp(key, "force_exclude") == 0) {
        set_str(&c->force_exclude, strdup(val));
    } else if (strcmp(key, "boxcox_lambda") == 0) {
        if (parse_num(p, "method", key, val, -100, 100, &v) == 0)
            c->boxcox_lambda = v;
    } else if (strcmp(key, "ref_unit") == 0) {
        set_str(&c->ref_unit, strdup(val));
    } else if (strcmp(key, "order") == 0) {
        int ord[PREP_NSTAGE], n = 0, seen[PREP_NSTAGE] = {0}, bad = 0;
        char *copy = strdup(val), *save = NULL;
        for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
             tok = strtok_r(NULL, ",", &save)) {
            tok = trim(tok);
            int k = -1;
            for (int s = 0; s < PREP_NSTAGE; s++)
                if (strcasecmp(tok, stage_names[s]) == 0) k = s;
            if (k < 0 || seen[k] || n == PREP_NSTAGE) {
                bad = 1;
                break;
            }
            seen[k] = 1;
            ord[n++] = k;
        }
        free(copy);
        if (bad || n != PREP_NSTAGE)
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[method] order: '%s' is not an order of the four stages "
                       "denominate, screen, impute, treat", val);
        else
            memcpy(c->order, ord, sizeof ord);
    } else {
        return 0;
    }
    return 1;
}

/* [report]: units (a list: all, none or unit codes) and group. */
static void report_key(struct parse *p, const char *key, const char *val)
{
    struct config *c = p->c;
    if (strcmp(key, "units") == 0)
        set_str(&c->report_units, strdup(val));
    else if (strcmp(key, "group") == 0)
        set_str(&c->report_group, strdup(val));
    else
        diag_input(p->d, c->path, p->line, p->kcol, "[report] unknown key '%s'", key);
}

/* Apply one key of a section, its value complete (continuation lines
 * joined), reporting at p->line and the columns in p. Returns 1. */
static int apply_key(struct parse *p, const char *section, const char *name, const char *value)
{
    struct config *c = p->c;
    char key[64];
    snprintf(key, sizeof key, "%s", name);
    for (char *k = key; *k; k++)
        *k = (char)tolower((unsigned char)*k);
    char vbuf[4096];
    snprintf(vbuf, sizeof vbuf, "%s", value);
    char *val = trim(vbuf);
    double v;
    long l;
    int e = 0;

    if (strcmp(section, "batch") == 0) {
        batch_key(p, key, val);
    } else if (strcmp(section, "method") == 0) {
        if (method_key(p, "method", &c->method, key, val))
            ;
        else if (strcmp(key, "impute") == 0) {
            if (parse_enum(p, "method", key, val, impute_names, COUNT(impute_names), &e) == 0)
                c->impute = (enum impute_method)e;
        } else if (strcmp(key, "treat") == 0) {
            if (parse_enum(p, "method", key, val, treat_names, COUNT(treat_names), &e) == 0)
                c->treat = (enum treat_method)e;
        } else if (strcmp(key, "winmax") == 0) {
            if (parse_int(p, "method", key, val, 0, 1000000, &l) == 0)
                c->winmax = (int)l;
        } else if (prep_key(p, key, val)) {
            ;
        } else if (strcmp(key, "weights") == 0) {
            free(c->weights);
            c->weights = strdup(val);
            c->weights_line = p->line;
            p->weights_col = p->vcol;
        } else
            diag_input(p->d, c->path, p->line, p->kcol, "[method] unknown key '%s'", key);
    } else if (strncmp(section, "method.", 7) == 0) {
        if (p->nover == MAX_OVERRIDES) {
            diag_input(p->d, c->path, p->line, p->kcol, "too many per-level method keys");
            return 1;
        }
        struct override *o = &p->over[p->nover++];
        o->section = strdup(section + 7);
        o->key = strdup(key);
        o->value = strdup(val);
        o->line = p->line;
        o->kcol = p->kcol;
        o->vcol = p->vcol;
    } else if (strncmp(section, "weights.", 8) == 0 && section[8]) {
        char *end;
        errno = 0;
        double w = strtod(val, &end);
        if (end == val || *end || errno || !isfinite(w) || w < 0) {
            diag_input(p->d, c->path, p->line, p->vcol,
                       "[%s] %s: '%s' is not a weight (a number, 0 or more)", section, name, val);
            w = NAN;   /* reported; kept so the set is known to exist */
        }
        struct config_weight *nw = realloc(c->weight, (size_t)(c->nweight + 1) * sizeof *nw);
        if (!nw) {
            diag_add(p->d, LCME_ENOMEM, c->path, p->line, p->kcol, "out of memory");
            return 1;
        }
        c->weight = nw;
        nw[c->nweight].set = strdup(section + 8);
        nw[c->nweight].code = strdup(name);
        nw[c->nweight].weight = w;
        nw[c->nweight].line = p->line;
        nw[c->nweight].col = p->kcol;
        c->nweight++;
    } else if (strcmp(section, "uncertainty") == 0) {
        if (strcmp(key, "level") == 0) {
            if (parse_num(p, section, key, val, 0.5, 0.999, &v) == 0)
                c->ci_level = v;
        } else if (strcmp(key, "replications") == 0) {
            if (parse_int(p, section, key, val, 0, 10000000, &l) == 0)
                c->replications = l;
        } else if (strcmp(key, "seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(val, &end, 10);
            if (end == val || *end || errno || val[0] == '-' || s > 0xffffffffULL)
                diag_input(p->d, c->path, p->line, p->vcol,
                           "[uncertainty] seed: '%s' is not a whole number in [0, 4294967295]", val);
            else
                c->seed = (unsigned long)s;
        } else
            diag_input(p->d, c->path, p->line, p->kcol, "[uncertainty] unknown key '%s'", key);
    } else if (strcmp(section, "report") == 0) {
        report_key(p, key, val);
    } else if (strcmp(section, "sensitivity") == 0) {
        struct config_at at = {c->path, p->line, p->kcol, p->vcol};
        config_sens_key(c, &at, key, val, p->d);
    } else if (strcmp(section, "trend") == 0) {
        if (strcmp(key, "base_year") == 0) {
            if (parse_int(p, section, key, val, 1000, 9999, &l) == 0) {
                c->base_year = (int)l;
                p->has_base = 1;
                p->base_line = p->line;
                p->base_col = p->vcol;
            }
        } else if (strcmp(key, "target_year") == 0) {
            if (parse_int(p, section, key, val, 1000, 9999, &l) == 0) {
                c->target_year = (int)l;
                p->target_line = p->line;
                p->target_col = p->vcol;
            }
        } else if (strcmp(key, "across_breaks") == 0) {
            int yn = parse_yesno(val);
            if (yn < 0)
                diag_input(p->d, c->path, p->line, p->vcol,
                           "[trend] across_breaks: '%s' is not yes or no", val);
            else
                c->across_breaks = yn;
        } else
            diag_input(p->d, c->path, p->line, p->kcol, "[trend] unknown key '%s'", key);
    } else {
        diag_input(p->d, c->path, p->line, p->kcol, "unknown section [%s]", section);
    }
    return 1;
}

/* ---- continuation lines and repeated keys --------------------------------
 *
 * inih hands an indented line that follows a key to the handler again under
 * that key's name (a continuation). A key's value is therefore kept pending
 * and applied once complete: a continuation adds its text after a space, or
 * after a comma for the list keys below. `data` is the exception: each of its
 * lines is applied at once, so every file keeps the line and column where it
 * is named. A key or a section given twice is an error at the second. */

/* Keys whose value is a list: a line break separates items, as a comma. */
static int list_key(const char *section, const char *key)
{
    if (strcmp(section, "batch") == 0)
        return strcasecmp(key, "level_names") == 0;
    if (strcmp(section, "report") == 0)
        return strcasecmp(key, "units") == 0;
    return strcmp(section, "method") == 0 &&
           (strcasecmp(key, "force_include") == 0 || strcasecmp(key, "force_exclude") == 0 ||
            strcasecmp(key, "order") == 0);
}

static void pending_clear(struct pending *q)
{
    free(q->section);
    free(q->name);
    free(q->value);
    memset(q, 0, sizeof *q);
}

/* Apply the pending key at its own line and columns, then forget it. */
static void pending_flush(struct parse *p)
{
    struct pending *q = &p->pend;
    if (!q->set)
        return;
    long line = p->line;
    int kcol = p->kcol, vcol = p->vcol;
    p->line = q->line;
    p->kcol = q->kcol;
    p->vcol = q->vcol;
    if (q->section && q->name && q->value)
        apply_key(p, q->section, q->name, q->value);
    else
        diag_add(p->d, LCME_ENOMEM, p->c->path, q->line, q->kcol, "out of memory");
    p->line = line;
    p->kcol = kcol;
    p->vcol = vcol;
    pending_clear(q);
}

/* Add a continuation line's text to the pending value. */
static void pending_append(struct parse *p, const char *more)
{
    struct pending *q = &p->pend;
    if (!q->set || !q->value || !*more)
        return;
    size_t a = strlen(q->value), b = strlen(more);
    int comma = list_key(q->section, q->name) && a && q->value[a - 1] != ',';
    char *v = realloc(q->value, a + b + 3);
    if (!v) {
        diag_add(p->d, LCME_ENOMEM, p->c->path, p->line, p->vcol, "out of memory");
        return;
    }
    size_t k = a;
    if (a) {
        if (comma)
            v[k++] = ',';
        v[k++] = ' ';
    }
    memcpy(v + k, more, b + 1);
    q->value = v;
}

/* Remember a section (key NULL) or a key of a section; a second one is
 * reported at col of the current line. Returns 1 when it was seen before. */
static int seen_twice(struct parse *p, const char *section, const char *key, int col)
{
    char canon[64];
    if (key) {
        /* keys are read without case, and normalize is normalise; the node
         * codes of a weight set keep their case */
        snprintf(canon, sizeof canon, "%s", key);
        if (strncmp(section, "weights.", 8) != 0)
            for (char *k = canon; *k; k++)
                *k = (char)tolower((unsigned char)*k);
        if (strcmp(canon, "normalize") == 0)
            memcpy(canon, "normalise", sizeof "normalise");
    }
    for (int i = 0; i < p->nseen; i++) {
        const struct seen *e = &p->seen[i];
        if (strcmp(e->section, section) != 0 || (e->key == NULL) != (key == NULL) ||
            (key && strcmp(e->key, canon) != 0))
            continue;
        if (key)
            diag_input(p->d, p->c->path, p->line, col,
                       "[%s] %s is given twice (first on line %ld); give it once", section,
                       key, e->line);
        else
            diag_input(p->d, p->c->path, p->line, col,
                       "section [%s] is given twice (first on line %ld); put its keys "
                       "under one header", section, e->line);
        return 1;
    }
    if (p->nseen == p->aseen) {
        int na = p->aseen ? 2 * p->aseen : 32;
        struct seen *nv = realloc(p->seen, (size_t)na * sizeof *nv);
        if (!nv)
            return 0;
        p->seen = nv;
        p->aseen = na;
    }
    struct seen *e = &p->seen[p->nseen];
    e->section = strdup(section);
    e->key = key ? strdup(canon) : NULL;
    e->line = p->line;
    if (e->section && (!key || e->key))
        p->nseen++;
    else {
        free(e->section);
        free(e->key);
    }
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse *p = user;
    int data = strcmp(section, "batch") == 0 && strcasecmp(name, "data") == 0;
    if (p->cont) {
        /* inih (55) keeps a continuation line's inline comment: drop it as
         * it drops a key line's (a ';' after a blank), and the blanks. */
        char more[INI_MAX_LINE];
        snprintf(more, sizeof more, "%s", value);
        for (char *c = more; *c; c++)
            if (*c == ';' && c > more && isspace((unsigned char)c[-1])) {
                *c = '\0';
                break;
            }
        char *v = trim(more);
        if (p->cont == 1 && data && !p->skip_key)
            apply_key(p, section, name, v);
        else if (p->cont == 1 && !p->skip_key)
            pending_append(p, v);
        return 1;
    }
    pending_flush(p);
    p->skip_key = seen_twice(p, section, name, p->kcol);
    if (p->skip_key)
        return 1;
    if (data)
        return apply_key(p, section, name, value);
    struct pending *q = &p->pend;
    q->set = 1;
    q->section = strdup(section);
    q->name = strdup(name);
    q->value = strdup(value);
    q->line = p->line;
    q->kcol = p->kcol;
    q->vcol = p->vcol;
    return 1;
}

/* What the line just read is, as inih will take it: a section header (its
 * name remembered, a second one reported), a key, or an indented line after
 * a key, which continues that key's value (p->cont = 1). An indented line
 * that reads like a key or a section header would silently become part of
 * the value above it: it is reported (p->cont = 2, its text ignored). */
static void line_kind(struct parse *p, const char *r)
{
    size_t k = 0;
    if ((unsigned char)r[0] == 0xEF && (unsigned char)r[1] == 0xBB &&
        (unsigned char)r[2] == 0xBF)
        k = 3;
    size_t start = k;
    while (r[k] == ' ' || r[k] == '\t')
        k++;
    p->cont = 0;
    if (!r[k] || r[k] == '\n' || r[k] == '\r' || r[k] == ';' || r[k] == '#')
        return;
    if (k > start && p->after_key) {
        p->cont = 1;
        size_t e = k;
        while (isalnum((unsigned char)r[e]) || r[e] == '_' || r[e] == '.')
            e++;
        size_t v = e;
        while (r[v] == ' ' || r[v] == '\t')
            v++;
        if (r[k] == '[' || (e > k && (r[v] == '=' || r[v] == ':'))) {
            diag_input(p->d, p->c->path, p->line, (long)k + 1,
                       "indented, this line would continue the value of '%s' (line %ld): "
                       "start a key or a section at the beginning of its line", p->key_name,
                       p->key_line);
            p->cont = 2;
            p->misread = 1;
        }
        return;
    }
    if (r[k] == '[') {
        p->after_key = 0;
        size_t e = k + 1;
        while (r[e] && r[e] != ']' && r[e] != '\n' && r[e] != '\r')
            e++;
        if (r[e] == ']') {
            char name[INI_MAX_LINE];
            snprintf(name, sizeof name, "%.*s", (int)(e - k - 1), r + k + 1);
            seen_twice(p, name, NULL, (int)k + 1);
        }
        return;
    }
    p->after_key = 1;
    p->key_line = p->line;
    size_t e = k;
    while (r[e] && r[e] != '=' && r[e] != ':' && r[e] != '\n' && r[e] != '\r')
        e++;
    while (e > k && (r[e - 1] == ' ' || r[e - 1] == '\t'))
        e--;
    snprintf(p->key_name, sizeof p->key_name, "%.*s", (int)(e - k), r + k);
}

/* The 1-based columns of a line's key (or section bracket) and of its
 * value (the first character after '=' or ':' and the blanks after it; the
 * column just past the delimiter when the value is empty). A line without
 * a delimiter gives its first non-blank column for both. Columns count
 * bytes, as the CSV readers' do. */
static void line_columns(const char *r, int *kcol, int *vcol)
{
    size_t k = 0;
    if ((unsigned char)r[0] == 0xEF && (unsigned char)r[1] == 0xBB &&
        (unsigned char)r[2] == 0xBF)
        k = 3;   /* a byte-order mark before the first line */
    while (r[k] == ' ' || r[k] == '\t')
        k++;
    *kcol = *vcol = (int)k + 1;
    if (r[k] == '[' || r[k] == ';' || r[k] == '#')
        return;
    size_t v = k;
    while (r[v] && r[v] != '=' && r[v] != ':' && r[v] != '\n' && r[v] != '\r')
        v++;
    if (r[v] != '=' && r[v] != ':')
        return;
    v++;
    while (r[v] == ' ' || r[v] == '\t')
        v++;
    *vcol = (int)v + 1;
}

/* The reader inih calls for each line: counts lines, so the handler knows
 * where it is, and stops at what inih would misread or pass on into names
 * that reach the workbook and the terminal: a NUL byte or another control
 * character (inih would cut the line at a NUL), bytes that are not UTF-8,
 * a line longer than inih's buffer, a bare CR. */
static char *line_reader(char *str, int num, void *stream)
{
    struct parse *p = stream;
    int n = 0, ch;
    while (n < num - 1 && (ch = getc(p->fp)) != EOF) {
        if (ch == 0 || ch == 0x7f || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')) {
            if (ch == 0)
                diag_input(p->d, p->c->path, p->line + 1, n + 1,
                           "NUL byte: a batch file is text (save it as UTF-8 text)");
            else
                diag_input(p->d, p->c->path, p->line + 1, n + 1,
                           "control character 0x%02X: a batch file is text (save it as "
                           "UTF-8 text)", ch);
            p->unreadable = 1;
            return NULL;
        }
        str[n++] = (char)ch;
        if (ch == '\n')
            break;
    }
    if (n == 0)
        return NULL;
    str[n] = '\0';
    char *r = str;
    size_t len = (size_t)n;
    /* A line longer than inih's buffer would be cut, its rest read as a
     * line of its own (a long data list would lose files silently). */
    if (len + 1 == (size_t)num && r[len - 1] != '\n') {
        ch = fgetc(p->fp);
        if (ch != EOF)
            ungetc(ch, p->fp);
        if (ch != EOF && ch != '\n') {
            diag_input(p->d, p->c->path, p->line + 1, num,
                       "line longer than %d bytes (continue a long list on indented "
                       "lines: 'data = a.csv, b.csv' then '    c.csv')", num - 1);
            p->unreadable = 1;
            return NULL;
        }
    }
    /* A bare CR would hide every later line inside this one (inih splits
     * on LF only), so the file would read as an empty batch. */
    for (size_t i = 0; i < len; i++)
        if (r[i] == '\r' && r[i + 1] != '\n' && !(i + 1 == len && len + 1 == (size_t)num)) {
            diag_input(p->d, p->c->path, p->line + 1, 0,
                       "line ends with a bare carriage return (CR-only line ends are not "
                       "supported; save the file with LF or CRLF line ends)");
            p->unreadable = 1;
            return NULL;
        }
    for (size_t i = 0; i < len;) {
        size_t k = csv_utf8_len((const unsigned char *)r + i, len - i);
        if (k == 0) {
            diag_input(p->d, p->c->path, p->line + 1, (long)i + 1,
                       "invalid UTF-8 byte 0x%02X (save the file as UTF-8 text)",
                       (unsigned char)r[i]);
            p->unreadable = 1;
            return NULL;
        }
        i += k;
    }
    if (r[len - 1] == '\n' || feof(p->fp))
        p->line++;
    line_columns(r, &p->kcol, &p->vcol);
    line_kind(p, r);
    return r;
}

/* Free the parse state and the per-level overrides it still holds. */
static void parse_free(struct parse *p)
{
    for (int i = 0; i < p->nover; i++) {
        free(p->over[i].section);
        free(p->over[i].key);
        free(p->over[i].value);
    }
    for (int i = 0; i < p->nseen; i++) {
        free(p->seen[i].section);
        free(p->seen[i].key);
    }
    free(p->seen);
    pending_clear(&p->pend);
    free(p);
}

int config_level_of(const struct config *c, const char *name)
{
    char *end;
    long v = strtol(name, &end, 10);
    if (end != name && !*end && v >= 1 && v <= CONFIG_MAX_LEVELS)
        return (int)v;
    for (int i = 1; i <= c->nlevel_names; i++)
        if (c->level_name[i] && strcasecmp(c->level_name[i], name) == 0)
            return i;
    return -1;
}

int config_load(struct config **out, const char *path, struct diag *d)
{
    *out = NULL;
    struct config *c = calloc(1, sizeof *c);
    struct parse *p = calloc(1, sizeof *p);
    if (!c || !p) {
        free(c);
        free(p);
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory");
        return -1;
    }
    size_t before = diag_count(d);
    c->path = strdup(path);
    c->dir = path_dirname(path);
    method_defaults(&c->method);
    c->winmax = 5;
    c->denominate_scale = 1;
    c->dat_thresh = 2.0 / 3.0;
    c->nonzero_thresh = 0.05;
    c->boxcox_lambda = 1;
    for (int s = 0; s < PREP_NSTAGE; s++)
        c->order[s] = s;
    c->ci_level = 0.95;
    c->replications = 1000;
    c->seed = 20161112UL;
    c->target_year = 2030;
    p->c = c;
    p->d = d;

    /* Opened without blocking and checked to be a regular file: a folder
     * would read as an empty batch and a FIFO would block the run. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        diag_input(d, path, 0, 0, "cannot open batch file: %s", strerror(errno));
        goto fail;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int is_dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
        diag_input(d, path, 0, 0, "cannot open batch file: %s",
                   is_dir ? "it is a folder" : "not a regular file");
        close(fd);
        goto fail;
    }
    p->fp = fdopen(fd, "r");
    if (!p->fp) {
        diag_input(d, path, 0, 0, "cannot open batch file: %s", strerror(errno));
        close(fd);
        goto fail;
    }
    int rc = ini_parse_stream(line_reader, p, handler, p);
    pending_flush(p);
    fclose(p->fp);
    if (rc > 0)
        diag_input(d, path, rc, 1, "not an INI line (expected [section] or key = value)");
    else if (rc < 0)
        diag_input(d, path, 0, 0, "cannot read batch file");

    if (p->unreadable || p->misread)
        goto fail;
    if (!p->has_name)
        diag_input(d, path, 0, 0, "[batch] name is missing");
    if (!p->has_year)
        diag_input(d, path, 0, 0, "[batch] year is missing");
    if (!p->has_framework)
        diag_input(d, path, 0, 0, "[batch] framework is missing");
    if (!p->has_data)
        diag_input(d, path, 0, 0, "[batch] data is missing");
    if (!c->store)
        c->store = path_join(c->dir, "lcme.db");
    if (!c->output)
        c->output = path_join(c->dir, "out");
    if (!c->created) {
        char buf[32];
        snprintf(buf, sizeof buf, "%04d-12-31T00:00:00Z", c->year ? c->year : 2000);
        c->created = strdup(buf);
    }
    if (p->has_base && c->year && c->base_year > c->year)
        diag_input(d, path, p->base_line, p->base_col, "[trend] base_year %d is after the evaluation year %d",
                   c->base_year, c->year);
    if (c->target_year && c->year && c->target_year < c->year)
        diag_input(d, path, p->target_line, p->target_col, "[trend] target_year %d is before the evaluation year %d",
                   c->target_year, c->year);

    if (c->weights) {
        int found = 0;
        for (int i = 0; i < c->nweight; i++)
            found |= strcmp(c->weight[i].set, c->weights) == 0;
        if (!found)
            diag_input(d, path, c->weights_line, p->weights_col,
                       "[method] weights: no section [weights.%s] in the batch file", c->weights);
    }
    for (int l = 0; l <= CONFIG_MAX_LEVELS; l++)
        c->level[l] = c->method;
    for (int i = 0; i < p->nover; i++) {
        struct override *o = &p->over[i];
        char sec[96];
        snprintf(sec, sizeof sec, "method.%s", o->section);
        int lv = config_level_of(c, o->section);
        p->line = o->line;
        p->kcol = o->kcol;
        p->vcol = o->vcol;
        if (lv < 0) {
            diag_input(d, path, o->line, o->kcol,
                       "unknown section [%s] (no level is named '%s'; see level_names)",
                       sec, o->section);
            continue;
        }
        if (!method_key(p, sec, &c->level[lv], o->key, o->value))
            diag_input(d, path, o->line, o->kcol, "[%s] unknown key '%s'", sec, o->key);
    }
    config_sens_finish(c, d);
    if (diag_count(d) > before)
        goto fail;
    parse_free(p);
    *out = c;
    return 0;
fail:
    parse_free(p);
    config_free(c);
    return -1;
}

int config_apply_weights(const struct config *c, struct framework *fw, struct diag *d)
{
    if (!c->weights)
        return 0;
    int rc = 0;
    for (int i = 0; i < c->nweight; i++) {
        const struct config_weight *w = &c->weight[i];
        if (strcmp(w->set, c->weights) != 0)
            continue;
        int k = framework_find(fw, w->code);
        if (k < 0) {
            diag_input(d, c->path, w->line, w->col,
                       "[weights.%s] '%s' is not a node of the framework", w->set, w->code);
            rc = -1;
            continue;
        }
        fw->node[k].weight = w->weight;
    }
    return rc;
}

void config_free(struct config *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->nweight; i++) {
        free(c->weight[i].set);
        free(c->weight[i].code);
    }
    free(c->weight);
    free(c->weights);
    free(c->path);
    free(c->dir);
    free(c->name);
    free(c->framework);
    free(c->framework_name);
    free(c->units_name);
    for (int i = 0; i < c->ndata; i++) {
        free(c->data[i]);
        free(c->data_name[i]);
    }
    for (int i = 0; i < c->nplan; i++) {
        free(c->plan[i]);
        free(c->plan_name[i]);
    }
    free(c->units);
    free(c->store);
    free(c->output);
    free(c->group);
    free(c->created);
    free(c->description);
    free(c->source);
    free(c->licence);
    free(c->contact);
    free(c->report_units);
    free(c->report_group);
    free(c->force_include);
    free(c->force_exclude);
    free(c->ref_unit);
    for (int i = 0; i <= CONFIG_MAX_LEVELS; i++)
        free(c->level_name[i]);
    config_sens_free(c->sens);
    free(c);
}

const struct method *config_method(const struct config *c, int level)
{
    if (level < 0 || level > CONFIG_MAX_LEVELS)
        return &c->method;
    return &c->level[level];
}

double config_rank_min_coverage(const struct config *c, int level)
{
    const struct method *m = config_method(c, level);
    return isnan(m->rank_min_coverage) ? m->min_coverage : m->rank_min_coverage;
}

static size_t method_text(char *buf, size_t len, const char *prefix, const struct method *m)
{
    return (size_t)snprintf(buf, len,
        "%snormalise=%s\n%srange=%.17g,%.17g\n%smean=%.17g\n%ssd=%.17g\n%scap=%d\n"
        "%sscope=%s\n%saggregate=%s\n%sp=%.17g\n%smin_coverage=%.17g\n",
        prefix, norm_method_name(m->normalise), prefix, m->norm_low, m->norm_high,
        prefix, m->z_mean, prefix, m->z_sd, prefix, m->dist2target_cap,
        prefix, m->scope == SCOPE_POOLED ? "pooled" : "per-year",
        prefix, agg_method_name(m->aggregate), prefix, m->agg_p,
        prefix, m->min_coverage);
}

char *config_settings_text(const struct config *c)
{
    size_t cap = 4096 + (CONFIG_MAX_LEVELS + 1) * 512;
    for (int i = 0; i < c->nweight; i++)
        cap += strlen(c->weight[i].code) + 48;
    if (c->sens)
        cap += config_sens_text(c->sens, NULL, 0) + 1;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    size_t k = (size_t)snprintf(buf, cap,
        "year=%d\nimpute=%s\ntreat=%s\nwinmax=%d\ngroup=%s\nlevel=%.17g\n"
        "replications=%ld\nseed=%lu\nbase_year=%d\ntarget_year=%d\ncreated=%s\n",
        c->year, impute_method_name(c->impute), treat_names[c->treat], c->winmax,
        c->group ? c->group : "", c->ci_level, c->replications, c->seed,
        c->base_year, c->target_year, c->created);
    /* preparation settings, only when they differ from the defaults (so the
       settings text, hence run ids, of batches without them is unchanged) */
    int default_order = 1;
    for (int s = 0; s < PREP_NSTAGE; s++)
        if (c->order[s] != s) default_order = 0;
    if (k < cap && (c->denominate || c->screen != SCREEN_NONE || !default_order ||
                    c->ref_unit || c->treat == TREAT_BOXCOX))
        k += (size_t)snprintf(buf + k, cap - k,
            "denominate=%d\ndenominate_scale=%.17g\nscreen=%s\ndat_thresh=%.17g\n"
            "nonzero_thresh=%.17g\nforce_include=%s\nforce_exclude=%s\n"
            "boxcox_lambda=%.17g\norder=%s,%s,%s,%s\nref_unit=%s\n",
            c->denominate, c->denominate_scale, screen_names[c->screen],
            c->dat_thresh, c->nonzero_thresh,
            c->force_include ? c->force_include : "",
            c->force_exclude ? c->force_exclude : "", c->boxcox_lambda,
            stage_names[c->order[0]], stage_names[c->order[1]],
            stage_names[c->order[2]], stage_names[c->order[3]],
            c->ref_unit ? c->ref_unit : "");
    for (int l = 1; l <= CONFIG_MAX_LEVELS && k < cap; l++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "level%d.", l);
        k += method_text(buf + k, cap - k, prefix, &c->level[l]);
    }
    /* settings of comparisons over time and ranks, only when given (run ids
       of batches without them are unchanged) */
    if (c->across_breaks && k < cap)
        k += (size_t)snprintf(buf + k, cap - k, "across_breaks=1\n");
    for (int l = 1; l <= CONFIG_MAX_LEVELS && k < cap; l++)
        if (!isnan(c->level[l].rank_min_coverage))
            k += (size_t)snprintf(buf + k, cap - k, "level%d.rank_min_coverage=%.17g\n", l,
                                  c->level[l].rank_min_coverage);
    /* the selected weight set, only when there is one (run ids of batches
       without one are unchanged) */
    if (c->weights && k < cap)
        k += (size_t)snprintf(buf + k, cap - k, "weights=%s\n", c->weights);
    for (int i = 0; c->weights && i < c->nweight && k < cap; i++)
        if (strcmp(c->weight[i].set, c->weights) == 0)
            k += (size_t)snprintf(buf + k, cap - k, "weight.%s=%.17g\n", c->weight[i].code,
                                  c->weight[i].weight);
    /* [sensitivity], only when there is one */
    if (c->sens && k < cap)
        config_sens_text(c->sens, buf + k, cap - k);
    return buf;
}
