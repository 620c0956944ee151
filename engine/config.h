/* config.h: the batch file (INI) and the method settings it selects.
 *
 * Sections: [batch], [method], [method.LEVEL] (LEVEL a level name from
 * level_names or a level number; overrides [method] for the nodes of that
 * level: 'aggregate' and 'min_coverage' apply to how a node of that level
 * combines its children, 'normalise' and its parameters to indicators),
 * [uncertainty], [trend]. Unknown sections and keys are errors. Paths are
 * resolved relative to the batch file's folder.
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
enum treat_method { TREAT_NONE, TREAT_WINSORISE };

struct method {
    enum norm_method normalise;  /* default minmax */
    double norm_low, norm_high;  /* minmax range; default [0, 100] */
    double z_mean, z_sd;         /* zscore target mean and sd; default 0, 1 */
    int dist2target_cap;         /* 1: cap dist2target at 1 (default 1) */
    enum norm_scope scope;       /* default pooled */
    enum agg_method aggregate;   /* default arithmetic */
    double agg_p;                /* generalised mean exponent; default 1 */
    double min_coverage;         /* share of children's weight; default 0 */
    double gp_scale;             /* goalposts scale; default 100 */
};

struct config {
    char *path;                  /* the batch file as given */
    char *dir;                   /* its folder */
    char *name;                  /* [batch] name */
    int year;                    /* [batch] year under evaluation */
    char *framework;             /* resolved path */
    int ndata;
    char *data[CONFIG_MAX_DATA]; /* resolved paths */
    char *data_name[CONFIG_MAX_DATA]; /* as written in the batch file: the
                                        store keys sources by these names */
    char *units;                 /* resolved path of the units file, or NULL */
    char *store;                 /* resolved path */
    char *output;                /* resolved output folder */
    char *group;                 /* unit attribute used by group imputation */
    int nlevel_names;
    char *level_name[CONFIG_MAX_LEVELS + 1]; /* [1..n]; NULL when unnamed */
    char *created;               /* [batch] created: ISO 8601 time stamped
                                    into outputs (default year-12-31T00:00:00) */

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
};

/* Read and check a batch file. Every problem is reported with file:line.
 * Returns 0 and *out (free with config_free), or -1. */
int config_load(struct config **out, const char *path, struct diag *d);
void config_free(struct config *c);  /* NULL is harmless */

/* Method in force for nodes of the given level (1 = indicators). */
const struct method *config_method(const struct config *c, int level);

/* Names for printing and the Notes sheet. */
const char *norm_method_name(enum norm_method m);
const char *agg_method_name(enum agg_method m);
const char *impute_method_name(enum impute_method m);

/* A canonical text of every setting that affects results (one key = value
 * per line, fixed order), for the run id and the store's runs table.
 * Caller frees. */
char *config_settings_text(const struct config *c);

#endif
