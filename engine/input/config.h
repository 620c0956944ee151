/* config.h: the batch file (INI) and the method settings it selects.
 *
 * Sections: [batch], [method], [method.LEVEL] (LEVEL a level name from
 * level_names or a level number; overrides [method] for the nodes of that
 * level: 'aggregate' and 'min_coverage' apply to how a node of that level
 * combines its children, 'normalise' and its parameters to indicators),
 * [uncertainty], [trend], [sensitivity], [report]. Unknown sections and keys
 * are errors, and so is a key or a section given twice. An indented line
 * after a key continues its value (joined with a space; with a comma for the
 * list keys level_names, force_include, force_exclude, order and [report]
 * units; each `data` line adds its files); an indented line that reads like a
 * key or a section is an error. The file must be text: a NUL byte or another
 * control character (tab, CR and LF aside) is an error at its line and
 * column. Paths are resolved relative to the batch file's folder.
 *
 * Data-preparation keys of [method] (METHODS.md §1-3; COINr's Denominate,
 * Screen, Impute and Treat are the reference):
 *   denominate       = yes|no    divide indicators that name a denominator
 *                                column in the framework (default no)
 *   denominate_scale = 1         x <- x / (d / scale)
 *   screen           = none|byNA|byzeros|both  drop unit-years with too few
 *                                data (default none)
 *   dat_thresh       = 0.66..    share of indicators present needed (2/3)
 *   nonzero_thresh   = 0.05      share of non-zero present values needed
 *   force_include    = A, B      unit codes always kept
 *   force_exclude    = C         unit codes always dropped
 *   impute           = none|mean|median|group_mean|group_median|latest|
 *                      constant|linear  ([batch] group names the attribute
 *                                for the group methods)
 *   treat            = none|winsorise|log|log_CT|boxcox  winsorise is COINr's
 *                                default (winsorise up to winmax points, else
 *                                log_CT of the original values); log, log_CT
 *                                and boxcox transform each indicator that fails
 *                                the skew/kurtosis test
 *   winmax           = 5
 *   boxcox_lambda    = 1
 *   order            = denominate, screen, impute, treat  the order of the
 *                                preparation stages (any permutation; COINr's
 *                                example coin uses denominate, impute,
 *                                screen, treat)
 *   ref_unit         = CODE      reference unit of normalise = dist2ref
 *   weights          = NAME      use the weight set [weights.NAME]: one
 *                                `CODE = weight` line per node to reweight
 *                                (weights >= 0; other nodes keep theirs)
 * normalise = scaled uses the framework's lower/upper as (l, u) where given,
 * else the range key: (x - l)/(u - l)*100 (COINr n_scaled).
 *
 * Comparisons (METHODS.md section 11):
 *   [method] rank_min_coverage = 0.8  a score is ranked only when the share
 *                                of its framework weight present (its
 *                                coverage) reaches this; default the
 *                                level's min_coverage; per level in
 *                                [method.LEVEL] like min_coverage
 *   [trend] across_breaks = no   yes: changes, trends and progress classes
 *                                run across a break in series (a flag "b"
 *                                or "B"); no (default): a break splits the
 *                                series and nothing is compared across it
 *
 * [sensitivity] (config_sensitivity.c; struct config_sensitivity below):
 * each key that names a method choice is one uncertain assumption with its
 * alternatives, the nominal run being [method]'s own:
 *   mode           = ua|sa       ua: rank uncertainty (N runs); sa: also
 *                                Sobol indices (N (d + 2) runs); default ua
 *   samples        = 1000        N, 2 or more
 *   seed           = 42          default: [uncertainty] seed
 *   bootstrap      = 200         resamples for the indices' intervals (0: none)
 *   target         = CODE        the node whose ranks are studied (default:
 *                                the root)
 *   winmax         = 1, 2, 3     alternatives of [method] winmax (needs
 *                                treat = winsorise)
 *   normalise      = minmax 1 100, zscore 10 2   a method and, for minmax
 *                                and zscore, its two parameters
 *   aggregate      = arithmetic, geometric, genmean 0.5
 *   impute         = none, mean, group_mean
 *   weights_noise  = 0.25        each weight x U(1 - 0.25, 1 + 0.25) ...
 *   weights_levels = 2, 3        ... at these levels (numbers or level
 *                                names; default: every level)
 *   exclude        = each        or a list of codes: leave one component
 *                                out at a time (each: every indicator
 *                                under the target)
 *   sampling_error = yes|no      also draw every observation from its
 *                                sampling error (default no)
 * A list takes at least two alternatives; sa needs at least two
 * assumptions. Codes and level numbers are checked against the framework
 * by sensitivity_check (engine/sensitivity).
 */
#ifndef LCME_CONFIG_H
#define LCME_CONFIG_H

#include "diag.h"

#define CONFIG_MAX_LEVELS 16
#define CONFIG_MAX_DATA 64

enum norm_method {
    NORM_NONE, NORM_MINMAX, NORM_ZSCORE, NORM_GOALPOSTS, NORM_RANK, NORM_PRANK,
    NORM_DIST2TARGET, NORM_DIST2MAX, NORM_FRACMAX, NORM_SCALED, NORM_DIST2REF,
    NORM_BORDA,
};
enum norm_scope { SCOPE_POOLED, SCOPE_PER_YEAR };
enum agg_method {
    AGG_ARITHMETIC, AGG_GEOMETRIC, AGG_HARMONIC, AGG_GENMEAN, AGG_MEDIAN,
    AGG_COPELAND,
};
enum impute_method {
    IMPUTE_NONE, IMPUTE_MEAN, IMPUTE_MEDIAN, IMPUTE_GROUP_MEAN,
    IMPUTE_GROUP_MEDIAN, IMPUTE_LATEST, IMPUTE_CONSTANT, IMPUTE_LINEAR,
};
enum treat_method { TREAT_NONE, TREAT_WINSORISE, TREAT_LOG, TREAT_LOG_CT,
                    TREAT_BOXCOX };
enum screen_method { SCREEN_NONE, SCREEN_BYNA, SCREEN_BYZEROS, SCREEN_BOTH };
/* Preparation stages, for config->order. */
enum prep_stage { PREP_DENOMINATE, PREP_SCREEN, PREP_IMPUTE, PREP_TREAT,
                  PREP_NSTAGE };

/* [sensitivity]: the uncertain assumptions (see the top of this file).
 * Every list holds at least two alternatives when present (n > 0). */
#define SENS_MAX_ALT 32          /* alternatives of one assumption */
enum sens_mode { SENS_UA, SENS_SA };
/* The keys, in the order the assumptions are numbered (the method choices
 * first, then the settings of the analysis). */
enum sens_key {
    SENS_KEY_WINMAX, SENS_KEY_NORMALISE, SENS_KEY_AGGREGATE, SENS_KEY_IMPUTE,
    SENS_KEY_WEIGHTS_NOISE, SENS_KEY_EXCLUDE, SENS_KEY_SAMPLING_ERROR,
    SENS_KEY_MODE, SENS_KEY_SAMPLES, SENS_KEY_SEED, SENS_KEY_BOOTSTRAP,
    SENS_KEY_TARGET, SENS_KEY_WEIGHTS_LEVELS, SENS_NKEY
};
/* The assumptions are the keys before SENS_KEY_MODE. */
#define SENS_NASSUMPTION SENS_KEY_MODE

struct config_sensitivity {
    enum sens_mode mode;
    long samples;                /* N; default 1000 */
    unsigned long seed;
    int seed_set;                /* 0: [uncertainty] seed is used */
    long bootstrap;              /* default 200 */
    char *target;                /* node code, or NULL: the root */
    int nwinmax;
    int winmax[SENS_MAX_ALT];
    int nnormalise;
    struct sens_normalise {
        int method;              /* enum norm_method */
        int npar;                /* 0: [method]'s parameters; 2: a, b */
        double a, b;             /* minmax low, high; zscore mean, sd */
    } normalise[SENS_MAX_ALT];
    int naggregate;
    struct sens_aggregate {
        int method;              /* enum agg_method */
        int npar;                /* 0: [method]'s p; 1: p */
        double p;
    } aggregate[SENS_MAX_ALT];
    int nimpute;
    int impute[SENS_MAX_ALT];    /* enum impute_method */
    double weights_noise;        /* 0: weights not varied */
    int nweights_levels;         /* 0: every level */
    int weights_level[CONFIG_MAX_LEVELS];
    char *weights_levels_text;   /* weights_levels as written (resolved into
                                    weights_level once the file is read) */
    int exclude_each;            /* exclude = each */
    int nexclude;
    struct sens_code {
        char *code;              /* owned */
        int col;                 /* its column in the batch file */
    } *exclude;
    int sampling_error;          /* 1: sampling error drawn in every run */
    int nbad;                    /* keys read with an error (the checks of
                                    the whole section are then skipped) */
    long line[SENS_NKEY];        /* where each key's value is; 0: absent */
    int col[SENS_NKEY];
};

/* The key of an assumption (its name in sobol.csv and every output). */
const char *sens_key_name(enum sens_key k);

struct method {
    enum norm_method normalise;  /* default minmax */
    double norm_low, norm_high;  /* minmax range; default [0, 100] */
    double z_mean, z_sd;         /* zscore target mean and sd; default 0, 1 */
    int dist2target_cap;         /* 1: cap dist2target at 1 (default 1) */
    enum norm_scope scope;       /* default pooled */
    enum agg_method aggregate;   /* default arithmetic */
    double agg_p;                /* generalised mean exponent; default 1 */
    double min_coverage;         /* share of children's weight; default 0 */
    double rank_min_coverage;    /* coverage a score needs to be ranked;
                                    NaN (default): min_coverage */
    double gp_scale;             /* goalposts scale; default 100 */
    long ref_index;              /* dist2ref: unit index of the reference
                                    (set by the pipeline from ref_unit); -1 */
};

struct config {
    char *path;                  /* the batch file as given */
    char *dir;                   /* its folder */
    char *name;                  /* [batch] name */
    int year;                    /* [batch] year under evaluation */
    char *framework;             /* resolved path */
    int ndata;
    char *data[CONFIG_MAX_DATA]; /* resolved paths (or patterns: see
                                    config_data_files) */
    char *data_name[CONFIG_MAX_DATA]; /* as written in the batch file: the
                                        store keys sources by these names */
    char *units;                 /* resolved path of the units file, or NULL */
    char *store;                 /* resolved path, or a PostgreSQL connection
                                    URI as written (pguri.h; no password) */
    char *output;                /* resolved output folder */
    char *group;                 /* unit attribute used by group imputation */
    int nlevel_names;
    char *level_name[CONFIG_MAX_LEVELS + 1]; /* [1..n]; NULL when unnamed */
    char *created;               /* [batch] created: ISO 8601 time stamped
                                    into outputs (default year-12-31T00:00:00) */
    /* What the outputs say about the batch and its data (the workbook's
     * Cover, the report's cover and caveats); NULL when not given. None of
     * them changes a result, so none enters the settings text. */
    char *description;           /* [batch] description: what the data are */
    char *source;                /* [batch] source: who published them */
    char *licence;               /* [batch] licence (or license) */
    char *contact;               /* [batch] contact: who answers questions */
    int synthetic;               /* [batch] synthetic = yes: made-up values */
    /* [report] (report.pdf): units = all | none | CODE, CODE, ...: the
     * units that get a page and per-unit charts (NULL: all in networks of
     * up to 50 units, else none); group = ATTRIBUTE: the unit attribute
     * the report compares and lists units by (NULL: [batch] group, else
     * the first attribute of the units file that forms groups). */
    char *report_units;
    char *report_group;

    struct method method;                        /* [method] */
    struct method level[CONFIG_MAX_LEVELS + 1];  /* resolved per level */
    enum impute_method impute;
    enum treat_method treat;
    int winmax;                  /* default 5 */

    double ci_level;             /* [uncertainty] level, default 0.95 */
    long replications;           /* default 1000 */
    unsigned long seed;          /* default 20161112 */

    int base_year;               /* [trend]; default first year in store */
    int target_year;             /* default 2030 */
    int across_breaks;           /* [trend] across_breaks; default 0 */

    /* data preparation (see the header comment) */
    int denominate;              /* 1: divide by the framework's denominators */
    double denominate_scale;     /* default 1 */
    enum screen_method screen;   /* default none */
    double dat_thresh;           /* default 2/3 (COINr) */
    double nonzero_thresh;       /* default 0.05 */
    char *force_include;         /* comma-separated unit codes, or NULL */
    char *force_exclude;
    double boxcox_lambda;        /* default 1 */
    int order[PREP_NSTAGE];      /* default denominate, screen, impute, treat */
    char *ref_unit;              /* dist2ref reference unit code, or NULL */

    /* Named weight sets: [weights.NAME] sections of `CODE = weight` lines;
     * [method] weights = NAME selects one (config_apply_weights). */
    char *weights;               /* the selected set, or NULL: the framework's */
    long weights_line;           /* line of the 'weights' key */
    int nweight;
    struct config_weight {
        char *set, *code;        /* owned */
        double weight;           /* finite, >= 0 */
        long line;
        int col;                 /* column of the node code */
    } *weight;
    /* Where the input files, the store and the output folder are named in
     * the batch file: line and column of each name (0 when the default is
     * used), for errors about the files themselves. */
    long framework_line, units_line, data_line[CONFIG_MAX_DATA];
    int framework_col, units_col, data_col[CONFIG_MAX_DATA];
    long store_line, output_line;
    int store_col, output_col;
    char *framework_name, *units_name; /* as written in the batch file, or NULL */

    /* [batch] plan: action-plan files (engine/plans/plan.h), any number,
     * listed like data; nplan 0 when the batch has no plan. */
    int nplan;
    char *plan[CONFIG_MAX_DATA];      /* resolved paths */
    char *plan_name[CONFIG_MAX_DATA]; /* as written in the batch file */
    long plan_line[CONFIG_MAX_DATA];  /* where each is named */
    int plan_col[CONFIG_MAX_DATA];
    struct config_sensitivity *sens;   /* [sensitivity], or NULL when absent */
};

/* Read and check a batch file. Every problem is reported with file:line.
 * Returns 0 and *out (free with config_free), or -1. */
int config_load(struct config **out, const char *path, struct diag *d);
void config_free(struct config *c);  /* NULL is harmless */

/* One data file of the batch (config_data.c). */
struct config_file {
    char *path;                  /* resolved: the file to open */
    char *name;                  /* the store's key: as written in the batch
                                    file, or for a pattern's match the match
                                    relative to the batch file's folder */
    long line;                   /* where the batch file names it (the */
    int col;                     /* pattern, for a match) */
};

/* The batch's data files in the order named, each pattern (a name with *, ?
 * or [...], such as "*.xlsx" in a folder of returns) replaced by the files
 * it matches in name order, leaving out folders, spreadsheet lock files
 * (~$NAME) and files named before. A pattern that matches no file is bad input at its place in
 * the batch file. Returns 0 with *out (free with config_files_free) and *n,
 * or -1 with the problems in d (*out still to be freed). */
int config_data_files(const struct config *c, struct config_file **out, size_t *n,
                      struct diag *d);
void config_files_free(struct config_file *f, size_t n);   /* NULL is harmless */

/* Put the selected weight set's weights into the framework's nodes, so that
 * aggregation, effective weights, the Monte Carlo stage and the reports all
 * use them. No set selected: nothing changes. A code that is no node of the
 * framework is bad input at its batch-file line. Returns 0 or -1. */
struct framework;
int config_apply_weights(const struct config *c, struct framework *fw, struct diag *d);

/* Method in force for nodes of the given level (1 = indicators). */
const struct method *config_method(const struct config *c, int level);

/* The coverage a score of a node of this level needs to be ranked: the
 * level's rank_min_coverage, else its min_coverage. */
double config_rank_min_coverage(const struct config *c, int level);

/* Names for printing and the Notes sheet. */
const char *norm_method_name(enum norm_method m);
const char *agg_method_name(enum agg_method m);
const char *impute_method_name(enum impute_method m);
const char *treat_method_name(enum treat_method m);
const char *screen_method_name(enum screen_method m);
const char *prep_stage_name(enum prep_stage s);

/* A canonical text of every setting that affects results (one key = value
 * per line, fixed order), for the run id and the store's runs table.
 * Caller frees. */
char *config_settings_text(const struct config *c);

#endif
