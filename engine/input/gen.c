/* gen.c: synthetic batches for `lcme gen`.
 *
 * Data layout while writing: one unit at a time, a block of
 * nind x nyear values (indicator-major, years contiguous, so the AR(1) noise
 * of one indicator runs along a row), with se and n beside it; the block is
 * printed year by year, indicator by indicator, so observations.csv reads
 * unit ▸ year ▸ indicator. Memory is O(nind x nyear), whatever the number of
 * units.
 *
 * Invariants: every value printed lies in the indicator's declared
 * [min, max]; the value generator and the missing-cell generator are two
 * separate mt19937 streams drawn in a fixed order, so a seed fixes every
 * byte and changing the missing share does not move the values present.
 */
#define _XOPEN_SOURCE 700   /* realpath */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "csv.h"
#include "framework.h"
#include "path.h"
#include "strmap.h"

#define GEN_SURVEY_UNIT "percent (survey)"
#define GEN_FILE_BUF (1u << 20)

/* Key features per area of focus, and areas of focus per area, as in KFLC. */
static const int gen_feat_per_focus[12] = {4, 4, 3, 4, 4, 3, 3, 3, 4, 3, 4, 3};
static const int gen_focus_per_area[3] = {3, 6, 3};
static const char *const gen_regions[5] = {
    "Africa", "Arab States", "Asia and the Pacific", "Europe and North America",
    "Latin America and the Caribbean",
};

/* ---------------------------------------------------------------- options */

void gen_options_init(struct gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->units = 20;
    o->per_feature = 3;
    o->first_year = 2016;
    o->years = 11;
    o->missing = 0.05;
    o->survey = 1.0 / 3.0;
    o->seed = 20161112UL;
}

void gen_options_free(struct gen_options *o)
{
    if (o)
        gen_options_init(o);
}

const char *gen_usage(void)
{
    return "usage: lcme gen [options] -o DIR\n"
           "Write a synthetic batch (batch.ini, observations.csv, units.csv and,\n"
           "for a synthetic tree, framework.csv) into DIR.\n"
           "\n"
           "  --framework FILE            use this framework (default: a synthetic tree\n"
           "                              shaped like KFLC: 3 areas, 12 areas of focus,\n"
           "                              42 key features)\n"
           "  --indicators-per-feature K  synthetic tree: indicators per key feature (3)\n"
           "  --survey F                  synthetic tree: share of survey indicators (0.333)\n"
           "  --units N                   number of synthetic units (20)\n"
           "  --unit-file FILE            use these units (CSV with a 'unit' column)\n"
           "  --first-year Y              first year (2016)\n"
           "  --years N                   number of years (11)\n"
           "  --year Y                    year under evaluation (the last year)\n"
           "  --missing F                 share of cells left empty, 0 <= F < 1 (0.05)\n"
           "  --seed S                    random seed, 0 to 4294967295 (20161112)\n"
           "  --name TEXT                 batch name\n"
           "  --scope pooled|per-year     normalisation scope written to batch.ini (pooled)\n"
           "  -o, --output DIR            output folder (created when missing)\n"
           "  -h, --help                  show this help\n";
}

static int usage_err(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_err(struct diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(d, LCME_EUSAGE, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole number in [lo, hi]. */
static int parse_long(const char *opt, const char *s, long lo, long hi, long *out,
                      struct diag *d)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return usage_err(d, "%s: '%s' is not a whole number from %ld to %ld", opt, s, lo, hi);
    *out = v;
    return 0;
}

/* A finite number in [lo, hi] (hi_open: [lo, hi)). */
static int parse_share(const char *opt, const char *s, double lo, double hi, int hi_open,
                       double *out, struct diag *d)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo ||
        (hi_open ? v >= hi : v > hi))
        return usage_err(d, "%s: '%s' is not a number with %g <= F %s %g", opt, s, lo,
                         hi_open ? "<" : "<=", hi);
    *out = v;
    return 0;
}

/* The seed goes into the batch's [uncertainty] seed, which takes 32 bits:
 * a larger one would make a batch `lcme run` refuses. */
#define GEN_SEED_MAX 4294967295UL

static int parse_seed(const char *s, unsigned long *out, struct diag *d)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return usage_err(d, "--seed: '%s' is not a whole number from 0 to %lu", s, GEN_SEED_MAX);
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v > GEN_SEED_MAX)
        return usage_err(d, "--seed: '%s' is not a whole number from 0 to %lu", s, GEN_SEED_MAX);
    *out = v;
    return 0;
}

enum gen_opt {
    OPT_UNITS, OPT_UNIT_FILE, OPT_FRAMEWORK, OPT_PER_FEATURE, OPT_FIRST_YEAR,
    OPT_YEARS, OPT_YEAR, OPT_MISSING, OPT_SURVEY, OPT_SEED, OPT_NAME, OPT_SCOPE,
    OPT_OUTPUT, OPT_HELP, OPT_COUNT
};

static const struct {
    const char *name;
    int has_arg;
} gen_opts[OPT_COUNT] = {
    [OPT_UNITS] = {"units", 1},
    [OPT_UNIT_FILE] = {"unit-file", 1},
    [OPT_FRAMEWORK] = {"framework", 1},
    [OPT_PER_FEATURE] = {"indicators-per-feature", 1},
    [OPT_FIRST_YEAR] = {"first-year", 1},
    [OPT_YEARS] = {"years", 1},
    [OPT_YEAR] = {"year", 1},
    [OPT_MISSING] = {"missing", 1},
    [OPT_SURVEY] = {"survey", 1},
    [OPT_SEED] = {"seed", 1},
    [OPT_NAME] = {"name", 1},
    [OPT_SCOPE] = {"scope", 1},
    [OPT_OUTPUT] = {"output", 1},
    [OPT_HELP] = {"help", 0},
};

int gen_parse_args(int argc, char **argv, struct gen_options *o, struct diag *d)
{
    gen_options_init(o);
    size_t before = diag_count(d);
    int seen[OPT_COUNT] = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        int opt = -1;
        char shown[64];
        if (strcmp(a, "-o") == 0 || (a[0] == '-' && a[1] == 'o' && a[2] != '\0')) {
            opt = OPT_OUTPUT;
            if (a[2] != '\0')
                val = a + 2;
            snprintf(shown, sizeof shown, "-o");
        } else if (strcmp(a, "-h") == 0) {
            opt = OPT_HELP;
        } else if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
            const char *nm = a + 2;
            const char *eq = strchr(nm, '=');
            size_t nl = eq ? (size_t)(eq - nm) : strlen(nm);
            for (int k = 0; k < OPT_COUNT; k++)
                if (strlen(gen_opts[k].name) == nl && strncmp(gen_opts[k].name, nm, nl) == 0)
                    opt = k;
            if (opt < 0) {
                usage_err(d, "unknown option '%.*s' (see lcme gen --help)", (int)(nl + 2), a);
                continue;
            }
            snprintf(shown, sizeof shown, "--%s", gen_opts[opt].name);
            if (eq) {
                if (!gen_opts[opt].has_arg) {
                    usage_err(d, "%s takes no value", shown);
                    continue;
                }
                val = eq + 1;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            usage_err(d, "unknown option '%s' (see lcme gen --help)", a);
            continue;
        } else {
            usage_err(d, "unexpected argument '%s' (lcme gen takes options only)", a);
            continue;
        }
        if (opt == OPT_HELP) {
            o->help = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) {
                usage_err(d, "%s needs a value", shown);
                continue;
            }
            val = argv[++i];
        }
        if (seen[opt]++)
            usage_err(d, "%s given more than once", shown);
        long lv = 0;
        switch (opt) {
        case OPT_UNITS:
            if (parse_long(shown, val, 1, GEN_MAX_UNITS, &lv, d) == 0)
                o->units = (int)lv;
            break;
        case OPT_UNIT_FILE:
            if (!*val)
                usage_err(d, "--unit-file needs a file name");
            o->unit_file = val;
            break;
        case OPT_FRAMEWORK:
            if (!*val)
                usage_err(d, "--framework needs a file name");
            o->framework = val;
            break;
        case OPT_PER_FEATURE:
            if (parse_long(shown, val, 1, GEN_MAX_PER_FEATURE, &lv, d) == 0)
                o->per_feature = (int)lv;
            break;
        case OPT_FIRST_YEAR:
            if (parse_long(shown, val, 1000, 9999, &lv, d) == 0)
                o->first_year = (int)lv;
            break;
        case OPT_YEARS:
            if (parse_long(shown, val, 1, GEN_MAX_YEARS, &lv, d) == 0)
                o->years = (int)lv;
            break;
        case OPT_YEAR:
            if (parse_long(shown, val, 1000, 9999, &lv, d) == 0)
                o->year = (int)lv;
            break;
        case OPT_MISSING:
            parse_share(shown, val, 0, 1, 1, &o->missing, d);
            break;
        case OPT_SURVEY:
            parse_share(shown, val, 0, 1, 0, &o->survey, d);
            break;
        case OPT_SEED:
            parse_seed(val, &o->seed, d);
            break;
        case OPT_NAME:
            if (!*val || strpbrk(val, ";\r\n"))
                usage_err(d, "--name must be a non-empty single line without ';'");
            o->name = val;
            break;
        case OPT_SCOPE:
            if (strcmp(val, "pooled") == 0)
                o->per_year_scope = 0;
            else if (strcmp(val, "per-year") == 0)
                o->per_year_scope = 1;
            else
                usage_err(d, "--scope: '%s' is not pooled or per-year", val);
            break;
        case OPT_OUTPUT:
            if (!*val)
                usage_err(d, "-o needs a folder name");
            o->outdir = val;
            break;
        default:
            break;
        }
    }
    if (o->help)
        return diag_count(d) > before ? -1 : 1;
    if (seen[OPT_UNITS] && o->unit_file)
        usage_err(d, "give --units or --unit-file, not both");
    if (o->framework && seen[OPT_PER_FEATURE])
        usage_err(d, "--indicators-per-feature applies to the synthetic tree only, "
                     "not with --framework");
    if (o->framework && seen[OPT_SURVEY])
        usage_err(d, "--survey applies to the synthetic tree only; with --framework the "
                     "unit '" GEN_SURVEY_UNIT "' marks survey indicators");
    if (!o->outdir)
        usage_err(d, "-o DIR is required (the folder to write the batch into)");
    if ((long)o->first_year + o->years - 1 > 9999)
        usage_err(d, "--first-year %d with --years %d runs past 9999", o->first_year,
                  o->years);
    if (o->year && (o->year < o->first_year || o->year > o->first_year + o->years - 1))
        usage_err(d, "--year %d is outside the generated years %d-%d", o->year,
                  o->first_year, o->first_year + o->years - 1);
    return diag_count(d) > before ? -1 : 0;
}

/* ---------------------------------------------------------------- model */

struct gen_ind {
    const char *code;
    double lo, hi;      /* goalposts used by the model */
    double min, max;    /* clamp range; NaN = open */
    double target;      /* the good goalpost when the framework has none */
    int dir;
    int survey;         /* gets n */
    int has_se;         /* gets se */
    double se_frac;     /* se as a share of hi - lo */
    int dec;            /* decimals printed */
};

struct gen_units {
    int n;
    char **code;        /* owned */
    int *region;        /* region index per unit, -1 none */
    int nregion;
};

static void gen_units_clear(struct gen_units *u)
{
    for (int i = 0; i < u->n; i++)
        free(u->code[i]);
    free(u->code);
    free(u->region);
    memset(u, 0, sizeof *u);
}

/* Decimals for an indicator: counts whole, percents one, else about three
 * significant digits of the goalpost range. */
static int gen_decimals(const char *unit, double width)
{
    if (unit && strncmp(unit, "count", 5) == 0)
        return 0;
    if (unit && strncmp(unit, "percent", 7) == 0 && width >= 10)
        return 1;
    if (!(width > 0))
        return 2;
    int dec = 2 - (int)floor(log10(width));
    return dec < 0 ? 0 : dec > 3 ? 3 : dec;
}

/* Read unit codes (column 'unit' or 'uCode') and the optional 'region'. */
static int gen_read_units(const char *path, struct gen_units *u, struct diag *d)
{
    struct csv *c;
    if (csv_open(&c, path, d) != 0)
        return -1;
    int st = -1, r;
    long ucol = -1, rcol = -1;
    size_t ncol = 0, alloc = 0;
    struct strmap *seen = strmap_new(), *regions = strmap_new();
    if (!seen || !regions) {
        diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory reading units");
        goto done;
    }
    if ((r = csv_next(c, d)) <= 0) {
        if (r == 0)
            diag_input(d, path, 1, 1, "units file has no header");
        goto done;
    }
    ncol = c->nf;
    for (size_t i = 0; i < c->nf; i++) {
        if (ucol < 0 && (csv_name_is(c->f[i], c->flen[i], "unit") ||
                         csv_name_is(c->f[i], c->flen[i], "uCode")))
            ucol = (long)i;
        else if (rcol < 0 && csv_name_is(c->f[i], c->flen[i], "region"))
            rcol = (long)i;
    }
    if (ucol < 0) {
        diag_input(d, path, c->line_no, 1, "units file has no 'unit' column");
        goto done;
    }
    int bad = 0;
    while ((r = csv_next(c, d)) > 0) {
        if (csv_check_width(c, d, ncol) != 0) {
            bad = 1;
            continue;
        }
        const char *code = c->f[ucol];
        size_t cl = c->flen[ucol];
        if (csv_blank(code, cl)) {
            csv_error(c, d, ucol + 1, "empty unit code");
            bad = 1;
            continue;
        }
        if (strmap_get(seen, code, cl) >= 0) {
            char q[64];
            csv_error(c, d, ucol + 1, "unit '%s' appears twice", csv_quote(code, cl, q, sizeof q));
            bad = 1;
            continue;
        }
        if (u->n >= GEN_MAX_UNITS) {
            csv_error(c, d, 0, "more than %d units", GEN_MAX_UNITS);
            bad = 1;
            break;
        }
        if ((size_t)u->n == alloc) {
            size_t na = alloc ? 2 * alloc : 64;
            char **nc = realloc(u->code, na * sizeof *nc);
            if (nc)
                u->code = nc;
            int *nr = realloc(u->region, na * sizeof *nr);
            if (nr)
                u->region = nr;
            if (!nc || !nr) {
                diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory reading units");
                goto done;
            }
            alloc = na;
        }
        int reg = -1;
        if (rcol >= 0) {
            reg = strmap_get(regions, c->f[rcol], c->flen[rcol]);
            if (reg < 0) {
                reg = u->nregion++;
                if (strmap_put(regions, c->f[rcol], c->flen[rcol], reg) != 0) {
                    diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory reading units");
                    goto done;
                }
            }
        }
        char *cp = strndup(code, cl);
        if (!cp || strmap_put(seen, code, cl, u->n) != 0) {
            free(cp);
            diag_add(d, LCME_ENOMEM, path, 0, 0, "out of memory reading units");
            goto done;
        }
        u->code[u->n] = cp;
        u->region[u->n] = reg;
        u->n++;
    }
    if (r < 0 || bad)
        goto done;
    if (u->n == 0) {
        diag_input(d, path, 0, 0, "units file lists no units");
        goto done;
    }
    st = 0;
done:
    strmap_free(seen);
    strmap_free(regions);
    csv_free(c);
    return st;
}

/* ---------------------------------------------------------------- files */

/* A file written under NAME.tmp and renamed into place by gen_close. */
struct gen_file {
    FILE *f;
    char *path, *tmp;
    char *buf;
};

static int gen_open(struct gen_file *g, const char *dir, const char *name, struct diag *d)
{
    memset(g, 0, sizeof *g);
    g->path = path_join(dir, name);
    size_t n = g->path ? strlen(g->path) : 0;
    g->tmp = g->path ? malloc(n + 5) : NULL;
    g->buf = malloc(GEN_FILE_BUF);
    if (!g->path || !g->tmp || !g->buf) {
        free(g->path);
        free(g->tmp);
        free(g->buf);
        memset(g, 0, sizeof *g);
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        return -1;
    }
    memcpy(g->tmp, g->path, n);
    memcpy(g->tmp + n, ".tmp", 5);
    g->f = fopen(g->tmp, "wb");
    if (!g->f) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot create '%s': %s", g->tmp, strerror(errno));
        free(g->path);
        free(g->tmp);
        free(g->buf);
        memset(g, 0, sizeof *g);
        return -1;
    }
    setvbuf(g->f, g->buf, _IOFBF, GEN_FILE_BUF);
    return 0;
}

/* Finish (ok != 0: flush and rename into place) or abandon the file. */
static int gen_close(struct gen_file *g, int ok, struct diag *d)
{
    if (!g->f)
        return -1;
    int st = 0;
    if (ok && (fflush(g->f) != 0 || ferror(g->f))) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot write '%s': %s", g->tmp, strerror(errno));
        ok = 0;
    }
    if (fclose(g->f) != 0 && ok) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot write '%s': %s", g->tmp, strerror(errno));
        ok = 0;
    }
    if (ok && rename(g->tmp, g->path) != 0) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot rename '%s' to '%s': %s", g->tmp, g->path,
                 strerror(errno));
        ok = 0;
    }
    if (!ok) {
        remove(g->tmp);
        st = -1;
    }
    free(g->path);
    free(g->tmp);
    free(g->buf);
    memset(g, 0, sizeof *g);
    return st;
}

/* Path of file `to` relative to folder `from` (both made absolute with
 * realpath). Caller frees; NULL with d filled on failure. */
static char *gen_relpath(const char *from_dir, const char *to, struct diag *d)
{
    char *a = realpath(from_dir, NULL);
    char *b = realpath(to, NULL);
    char *out = NULL;
    if (!a || !b) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot resolve '%s': %s", a ? to : from_dir,
                 strerror(errno));
        goto done;
    }
    /* longest common prefix ending at a component boundary */
    size_t i = 0, common = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/')
            common = i;
        i++;
    }
    if (a[i] == '\0' && b[i] == '/')
        common = i;
    size_t ups = 0;
    for (const char *p = a + common; *p; p++)
        if (*p == '/')
            ups++;
    if (strcmp(a, "/") == 0)
        ups = 0;
    const char *rest = b + common + 1;
    out = malloc(3 * ups + strlen(rest) + 1);
    if (!out) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    char *w = out;
    for (size_t k = 0; k < ups; k++) {
        memcpy(w, "../", 3);
        w += 3;
    }
    strcpy(w, rest);
done:
    free(a);
    free(b);
    return out;
}

/* Write one CSV field, quoted when needed. */
static void gen_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Indicator code suffix for the k-th (0-based) indicator of a feature. */
static void gen_suffix(int k, int per_feature, char *buf, size_t len)
{
    if (per_feature <= 26)
        snprintf(buf, len, "%c", 'a' + k);
    else
        snprintf(buf, len, "_%02d", k + 1);
}

/* Build the synthetic tree's indicators (and write framework.csv when f). */
static int gen_synthetic_tree(const struct gen_options *o, struct gen_ind *ind,
                              char (*codes)[64], FILE *f)
{
    static const char *area_name[3] = {
        "Synthetic area 1: wider benefits", "Synthetic area 2: building blocks",
        "Synthetic area 3: fundamental conditions",
    };
    if (f) {
        fputs("code,parent,name,level,weight,direction,unit,target,lower,upper,min,max,"
              "denominator,type,adapted\n", f);
        fputs("INDEX,,Synthetic learning city index,5,1,,,,,,,,,Aggregate,\n", f);
    }
    int focus = 0, feat = 0, n = 0;
    double acc = 0;
    for (int a = 0; a < 3; a++) {
        if (f)
            fprintf(f, "A%d,INDEX,%s,4,1,,,,,,,,,Aggregate,\n", a + 1, area_name[a]);
        for (int fa = 0; fa < gen_focus_per_area[a]; fa++, focus++) {
            if (f)
                fprintf(f, "F%d_%d,A%d,Synthetic area of focus %d.%d,3,1,,,,,,,,,Aggregate,\n",
                        a + 1, fa + 1, a + 1, a + 1, fa + 1);
            for (int k = 0; k < gen_feat_per_focus[focus]; k++, feat++) {
                if (f)
                    fprintf(f, "K%d_%d_%d,F%d_%d,Synthetic key feature %d.%d.%d,2,1,,,,,,,,,"
                               "Aggregate,\n",
                            a + 1, fa + 1, k + 1, a + 1, fa + 1, a + 1, fa + 1, k + 1);
                for (int j = 0; j < o->per_feature; j++, n++) {
                    char sfx[16];
                    gen_suffix(j, o->per_feature, sfx, sizeof sfx);
                    snprintf(codes[n], sizeof codes[n], "I%d_%d_%d%s", a + 1, fa + 1, k + 1,
                             sfx);
                    /* survey indicators spread evenly: exactly round(share x n) */
                    double next = acc + o->survey;
                    int survey = floor(next + 1e-9) > floor(acc + 1e-9);
                    acc = next;
                    int dir = (n % 5 == 4) ? -1 : 1;
                    double target = dir > 0 ? 80 : 20;
                    struct gen_ind *g = &ind[n];
                    memset(g, 0, sizeof *g);
                    g->code = codes[n];
                    g->lo = 0;
                    g->hi = 100;
                    g->min = 0;
                    g->max = 100;
                    g->target = target;
                    g->dir = dir;
                    g->survey = survey;
                    g->dec = 1;
                    if (f)
                        fprintf(f, "%s,K%d_%d_%d,Synthetic indicator %d.%d.%d%s,1,1,%d,%s,"
                                   "%g,0,100,0,100,,Indicator,\n",
                                codes[n], a + 1, fa + 1, k + 1, a + 1, fa + 1, k + 1, sfx, dir,
                                survey ? GEN_SURVEY_UNIT : "index 0-100", target);
                }
            }
        }
    }
    return n;
}

/* Print v with dec decimals, or the bound itself (%.15g) when v reached it,
 * so the printed number never leaves [min, max]. */
static int gen_fmt(char *buf, size_t len, double v, const struct gen_ind *g)
{
    if (!isnan(g->max) && v >= g->max)
        return snprintf(buf, len, "%.15g", g->max);
    if (!isnan(g->min) && v <= g->min)
        return snprintf(buf, len, "%.15g", g->min);
    return snprintf(buf, len, "%.*f", g->dec, v);
}

static const double gen_pow10[5] = {1, 10, 100, 1000, 10000};

static double gen_round(double v, int dec)
{
    double r = round(v * gen_pow10[dec]) / gen_pow10[dec];
    return r == 0 ? 0.0 : r;   /* no "-0.0" */
}

/* observations.csv: see the model in gen.h. */
static int gen_observations(const struct gen_options *o, const struct gen_ind *ind, int nind,
                            const struct gen_units *un, struct diag *d)
{
    const int ny = o->years;
    size_t block = (size_t)nind * (size_t)ny;
    double *val = malloc(block * sizeof *val);
    double *se = malloc(block * sizeof *se);
    int *nn = malloc(block * sizeof *nn);
    double *zu = malloc((size_t)un->n * sizeof *zu);
    double *shift = malloc((size_t)(un->nregion ? un->nregion : 1) * sizeof *shift);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *miss = gsl_rng_alloc(gsl_rng_mt19937);
    struct gen_file out = {0};
    int st = -1;
    if (!val || !se || !nn || !zu || !shift || !rng || !miss) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory generating observations");
        goto done;
    }
    gsl_rng_set(rng, o->seed);
    gsl_rng_set(miss, o->seed ^ 0x5bd1e995UL);
    for (int r = 0; r < un->nregion; r++)
        shift[r] = gsl_ran_gaussian(rng, 0.5);
    for (int u = 0; u < un->n; u++)
        zu[u] = gsl_ran_gaussian(rng, 1.0) + (un->region[u] >= 0 ? shift[un->region[u]] : 0);

    if (gen_open(&out, o->outdir, "observations.csv", d) != 0)
        goto done;
    FILE *f = out.f;
    fputs("unit,year,indicator,value,se,n\n", f);
    for (int u = 0; u < un->n; u++) {
        double z = zu[u];
        for (int i = 0; i < nind; i++) {
            const struct gen_ind *g = &ind[i];
            double w = g->hi - g->lo;
            double e = gsl_ran_gaussian(rng, 1.0);
            double p = 1.0 / (1.0 + exp(-(0.9 * z + 0.6 * e)));
            double v0 = g->dir > 0 ? g->lo + p * w : g->hi - p * w;
            double rate = 0.03 + 0.02 * z + gsl_ran_gaussian(rng, 0.02);
            if (rate < 0 || (g->target - v0) * g->dir < 0)
                rate = 0;   /* already past the target: no trend */
            double slope = rate * (g->target - v0);
            double a = 0;
            double *vv = val + (size_t)i * ny, *ss = se + (size_t)i * ny;
            int *n = nn + (size_t)i * ny;
            for (int t = 0; t < ny; t++) {
                a = 0.5 * a + gsl_ran_gaussian(rng, 0.03 * w);
                double v = v0 + t * slope + a;
                if (!isnan(g->min) && v < g->min)
                    v = g->min;
                if (!isnan(g->max) && v > g->max)
                    v = g->max;
                vv[t] = gen_round(v, g->dec);
                n[t] = g->survey ? 200 + (int)gsl_rng_uniform_int(rng, 1801) : 0;
                ss[t] = g->has_se ? g->se_frac * w * (0.8 + 0.4 * gsl_rng_uniform(rng)) : NAN;
            }
        }
        const char *code = un->code[u];
        for (int t = 0; t < ny; t++) {
            int year = o->first_year + t;
            for (int i = 0; i < nind; i++) {
                if (gsl_rng_uniform(miss) < o->missing)
                    continue;
                const struct gen_ind *g = &ind[i];
                size_t k = (size_t)i * ny + (size_t)t;
                char vb[48], sb[48] = "", nb[16] = "";
                gen_fmt(vb, sizeof vb, val[k], g);
                if (!isnan(se[k]))
                    snprintf(sb, sizeof sb, "%.3g", se[k]);
                if (nn[k])
                    snprintf(nb, sizeof nb, "%d", nn[k]);
                fprintf(f, "%s,%d,%s,%s,%s,%s\n", code, year, g->code, vb, sb, nb);
            }
        }
    }
    st = gen_close(&out, 1, d);
done:
    if (st != 0 && out.f)
        gen_close(&out, 0, d);
    gsl_rng_free(rng);
    gsl_rng_free(miss);
    free(val);
    free(se);
    free(nn);
    free(zu);
    free(shift);
    return st;
}

/* Draw the per-indicator se choice (a quarter of the non-survey indicators)
 * from its own stream, so it does not depend on the number of units. */
static void gen_choose_se(struct gen_ind *ind, int nind, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return;   /* no se at all: still a valid batch */
    gsl_rng_set(r, seed ^ 0x2545f491UL);
    for (int i = 0; i < nind; i++) {
        double u1 = gsl_rng_uniform(r), u2 = gsl_rng_uniform(r);
        ind[i].has_se = !ind[i].survey && u1 < 0.25;
        ind[i].se_frac = 0.005 + 0.015 * u2;
    }
    gsl_rng_free(r);
}

static int gen_units_file(const struct gen_options *o, const struct gen_units *un,
                          struct diag *d)
{
    struct gen_file g;
    if (gen_open(&g, o->outdir, "units.csv", d) != 0)
        return -1;
    fputs("unit,name,region\n", g.f);
    for (int u = 0; u < un->n; u++) {
        fprintf(g.f, "%s,Synthetic city %s,", un->code[u], un->code[u] + 1);
        gen_field(g.f, gen_regions[un->region[u]]);
        fputc('\n', g.f);
    }
    return gen_close(&g, 1, d);
}

static int gen_batch(const struct gen_options *o, const char *fw_rel, const char *units_rel,
                     int nlevel, struct diag *d)
{
    struct gen_file g;
    if (gen_open(&g, o->outdir, "batch.ini", d) != 0)
        return -1;
    FILE *f = g.f;
    int last = o->first_year + o->years - 1;
    int year = o->year ? o->year : last;
    fprintf(f, "; Synthetic batch written by lcme gen (seed %lu): the values are made up.\n",
            o->seed);
    fputs("[batch]\n", f);
    if (o->name)
        fprintf(f, "name         = %s\n", o->name);
    else
        fprintf(f, "name         = Synthetic learning city batch %d\n", year);
    fprintf(f, "year         = %d\n", year);
    fprintf(f, "framework    = %s\n", fw_rel);
    fputs("data         = observations.csv\n", f);
    fprintf(f, "units        = %s\n", units_rel);
    fputs("store        = lcme.db\n", f);
    fputs("output       = out\n", f);
    fputs("synthetic    = yes\n", f);
    if (nlevel == 5)
        fputs("level_names  = indicator, feature, focus, area, index\n", f);
    fputs("\n[method]\n", f);
    fputs("normalise    = minmax\n", f);
    fprintf(f, "scope        = %s\n", o->per_year_scope ? "per-year" : "pooled");
    fputs("aggregate    = arithmetic\n", f);
    fputs("min_coverage = 0.66\n", f);
    fputs("impute       = none\n", f);
    fputs("treat        = none\n", f);
    fputs("\n[uncertainty]\n", f);
    fputs("level        = 0.95\n", f);
    fputs("replications = 1000\n", f);
    fprintf(f, "seed         = %lu\n", o->seed);
    fputs("\n[trend]\n", f);
    fprintf(f, "base_year    = %d\n", o->first_year);
    fprintf(f, "target_year  = %d\n", last > 2030 ? last : 2030);
    return gen_close(&g, 1, d);
}

int gen_write(const struct gen_options *o, struct diag *d)
{
    size_t before = diag_count(d);
    if (!o->outdir)
        return usage_err(d, "-o DIR is required (the folder to write the batch into)");
    if (o->years < 1 || o->years > GEN_MAX_YEARS || o->first_year < 1000 ||
        o->first_year + o->years - 1 > 9999)
        return usage_err(d, "years %d-%d are out of range", o->first_year,
                         o->first_year + o->years - 1);
    if (!(o->missing >= 0 && o->missing < 1) || !(o->survey >= 0 && o->survey <= 1))
        return usage_err(d, "missing share must be in [0, 1) and survey share in [0, 1]");
    if (!o->framework && (o->per_feature < 1 || o->per_feature > GEN_MAX_PER_FEATURE))
        return usage_err(d, "indicators per feature must be 1 to %d", GEN_MAX_PER_FEATURE);
    if (!o->unit_file && (o->units < 1 || o->units > GEN_MAX_UNITS))
        return usage_err(d, "units must be 1 to %d", GEN_MAX_UNITS);

    struct framework *fw = NULL;
    struct gen_units un = {0};
    struct gen_ind *ind = NULL;
    char (*codes)[64] = NULL;
    char *fw_rel = NULL, *units_rel = NULL;
    int nind = 0, nlevel = 5, st = -1;

    if (o->framework && framework_load(&fw, o->framework, d) != 0)
        goto done;
    if (o->unit_file && gen_read_units(o->unit_file, &un, d) != 0)
        goto done;
    nind = fw ? fw->nind : 42 * o->per_feature;
    long nunit = o->unit_file ? un.n : o->units;
    if (nunit * nind * o->years > GEN_MAX_ROWS) {
        usage_err(d, "%ld units x %d indicators x %d years is more than %ld rows", nunit, nind,
                  o->years, GEN_MAX_ROWS);
        goto done;
    }
    if (path_mkdir_p(o->outdir) != 0) {
        diag_add(d, LCME_EIO, NULL, 0, 0, "cannot create folder '%s': %s", o->outdir,
                 strerror(errno));
        goto done;
    }

    /* indicators */
    ind = calloc((size_t)nind, sizeof *ind);
    if (!ind) {
        diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if (fw) {
        nlevel = fw->nlevel;
        for (int i = 0; i < nind; i++) {
            const struct fw_node *nd = &fw->node[i];
            struct gen_ind *g = &ind[i];
            g->code = nd->code;
            g->dir = nd->direction < 0 ? -1 : 1;
            g->min = nd->min;
            g->max = nd->max;
            g->lo = !isnan(nd->lower) ? nd->lower : !isnan(nd->min) ? nd->min : 0;
            g->hi = !isnan(nd->upper) ? nd->upper : !isnan(nd->max) ? nd->max : 100;
            if (!(g->hi > g->lo))
                g->hi = g->lo + (g->lo != 0 ? fabs(g->lo) : 1);
            g->target = !isnan(nd->target) ? nd->target : g->dir > 0 ? g->hi : g->lo;
            g->survey = nd->unit && strstr(nd->unit, "(survey)") && g->lo >= 0 &&
                        g->hi <= 100;
            g->dec = gen_decimals(nd->unit, g->hi - g->lo);
        }
        fw_rel = gen_relpath(o->outdir, o->framework, d);
        if (!fw_rel)
            goto done;
    } else {
        codes = calloc((size_t)nind, sizeof *codes);
        if (!codes) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
        struct gen_file g;
        if (gen_open(&g, o->outdir, "framework.csv", d) != 0)
            goto done;
        gen_synthetic_tree(o, ind, codes, g.f);
        if (gen_close(&g, 1, d) != 0)
            goto done;
        fw_rel = strdup("framework.csv");
        if (!fw_rel) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
    }
    gen_choose_se(ind, nind, o->seed);

    /* units */
    if (o->unit_file) {
        units_rel = gen_relpath(o->outdir, o->unit_file, d);
        if (!units_rel)
            goto done;
    } else {
        un.n = 0;
        un.code = calloc((size_t)o->units, sizeof *un.code);
        un.region = calloc((size_t)o->units, sizeof *un.region);
        if (!un.code || !un.region) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
        int width = o->units < 1000 ? 3 : o->units < 10000 ? 4 : o->units < 100000 ? 5 : 6;
        for (int u = 0; u < o->units; u++) {
            char buf[16];
            snprintf(buf, sizeof buf, "U%0*d", width, u + 1);
            un.code[u] = strdup(buf);
            if (!un.code[u]) {
                diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
                goto done;
            }
            un.region[u] = u % 5;
            un.n++;
        }
        un.nregion = 5;
        if (gen_units_file(o, &un, d) != 0)
            goto done;
        units_rel = strdup("units.csv");
        if (!units_rel) {
            diag_add(d, LCME_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
    }
    if (gen_observations(o, ind, nind, &un, d) != 0)
        goto done;
    if (gen_batch(o, fw_rel, units_rel, nlevel, d) != 0)
        goto done;
    st = 0;
done:
    framework_free(fw);
    gen_units_clear(&un);
    free(ind);
    free(codes);
    free(fw_rel);
    free(units_rel);
    if (st != 0 && diag_count(d) == before)
        diag_add(d, LCME_EINTERNAL, NULL, 0, 0, "gen failed");
    return st;
}
