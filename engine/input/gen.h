/* gen.h: synthetic batches for `lcme gen` (tests, benchmarks, demonstrations).
 *
 * gen_write writes a complete batch into a folder:
 *
 *   framework.csv     only for a synthetic tree; with --framework the batch
 *                     refers to the given file (path relative to the folder)
 *   units.csv         unit,name,region; with --unit-file the batch refers to
 *                     the given file instead and nothing is written
 *   observations.csv  long format: unit,year,indicator,value,se,n
 *   batch.ini         a runnable batch (see datasets/README.md)
 *
 * The synthetic tree mirrors the Key Features of Learning Cities: 1 index ▸
 * 3 areas ▸ 12 areas of focus ▸ 42 key features (4,4,3 | 4,4,3,3,3,4 | 3,4,3)
 * ▸ K indicators per feature, codes as in indicators/kflc.csv (KFLC, A1,
 * F1_1, K1_1_1, I1_1_1a ...).
 *
 * Model of a value (unit u, indicator i, year t, s = t - first year):
 *   strength  z_u ~ N(0,1) + region shift (N(0, 0.5) per region, when the
 *             units file has a 'region' column)
 *   position  p = logistic(0.9 z_u + 0.6 e_ui), e_ui ~ N(0,1): the share of the
 *             way from the bad to the good goalpost in the first year
 *   start     v0 = lower + p (upper - lower), or upper - p (...) when lower is
 *             better; goalposts are the framework's lower/upper, else its
 *             min/max, else [0, 100]
 *   trend     v0 + s r_ui (target - v0), r_ui = max(0, 0.03 + 0.02 z_u +
 *             0.02 N(0,1)): a linear move towards the 2030 target (the
 *             good goalpost when there is no target)
 *   noise     AR(1): a_s = 0.5 a_{s-1} + N(0, (0.03 (upper - lower))^2)
 *   clamp     to the declared [min, max] (open ends are not clamped)
 * Survey indicators (unit "percent (survey)") get n, uniform in 200..2000;
 * about a quarter of the other indicators get se = (0.5..2 %) of the
 * goalpost range. A cell is left out (missing) with probability `missing`,
 * independently, from a second generator, so the values present do not
 * depend on the missing share.
 *
 * Values are printed with fixed decimals (counts 0, percents 1, else about
 * three significant digits of the goalpost range; a value clamped to a bound
 * prints as the bound), se with 3 significant digits, n as a whole number.
 *
 * Reproducible: everything is drawn from GSL's mt19937 seeded from the seed
 * in a fixed order, and numbers are printed as above, so the same
 * options give byte-identical files. Files are written under temporary names
 * and renamed into place. Nothing is printed.
 *
 * Measured: 356 units x 126 indicators x 11 years (468,964 rows, 12.5 MB)
 * in 0.16 s of CPU time (-O2; 0.2-0.4 s wall on the shared 2-core
 * development machine, depending on its load).
 */
#ifndef LCME_GEN_H
#define LCME_GEN_H

#include "diag.h"

#define GEN_MAX_UNITS 100000
#define GEN_MAX_PER_FEATURE 100
#define GEN_MAX_YEARS 200
#define GEN_MAX_ROWS 100000000L   /* units x indicators x years */

struct gen_options {
    const char *framework;   /* framework CSV, or NULL for a synthetic tree */
    const char *unit_file;   /* units CSV (unit, name, ...), or NULL */
    int units;               /* synthetic units when no unit_file; default 20 */
    int per_feature;         /* synthetic tree: indicators per key feature; 3 */
    int first_year;          /* default 2016 */
    int years;               /* default 11 */
    double missing;          /* share of cells left out, [0, 1); default 0.05 */
    double survey;           /* synthetic tree: share of indicators that are
                                survey proportions with n, [0, 1]; 1/3 */
    unsigned long seed;      /* 0 to 4294967295 (the batch's seed range); default 20161112 */
    const char *outdir;      /* required */
    const char *name;        /* batch name; NULL = "Synthetic learning city
                                batch YEAR" */
    int year;                /* year under evaluation; 0 = the last year */
    int per_year_scope;      /* 1: batch.ini says scope = per-year */
    int help;                /* 1 when --help was given (nothing else checked) */
};

/* Defaults as documented above; outdir NULL. */
void gen_options_init(struct gen_options *o);

/* Release what gen_parse_args allocated. It allocates nothing today (every
 * string is borrowed from argv), so this only resets *o; NULL is harmless. */
void gen_options_free(struct gen_options *o);

/* Parse the options of `lcme gen` (argv[0] is the command name and is
 * skipped): --units N, --unit-file FILE, --framework FILE,
 * --indicators-per-feature K, --first-year Y, --years N, --year Y,
 * --missing F, --survey F, --seed S, --name TEXT, --scope pooled|per-year,
 * -o DIR (also --output DIR), -h/--help. "--opt=value", "--opt value", "-o DIR"
 * and "-oDIR" are accepted. Calls gen_options_init first. Strings in *o point
 * into argv (borrowed). Returns 1 when --help was asked for (o->help set,
 * nothing else checked: print gen_usage), 0 when the options are good, or -1
 * with one LCME_EUSAGE entry per
 * problem in d (unknown option, missing or bad value, -o missing, --units with
 * --unit-file, --indicators-per-feature or --survey with --framework). */
int gen_parse_args(int argc, char **argv, struct gen_options *o, struct diag *d);

/* Usage text for `lcme gen` (static; never NULL). */
const char *gen_usage(void);

/* Write the batch described by o into o->outdir (created with its parents
 * when missing). Returns 0, or -1 with the problem in d: a bad framework or
 * units file (LCME_EINPUT, from framework_load / the units reader), a units
 * file that gives no units, options out of range (LCME_EUSAGE), a folder or
 * file that cannot be written (LCME_EIO), ENOMEM. On failure no final-named
 * file is left half-written. */
int gen_write(const struct gen_options *o, struct diag *d);

#endif
