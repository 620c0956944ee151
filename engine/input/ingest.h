/* ingest.h: read observation files (long or wide CSV, or the same layouts
 * in a workbook's sheet: xlsx_read.h) and the units file into an obsset,
 * checking every row against the framework.
 *
 * Formats (see datasets/README.md):
 *  - long: unit|uCode, year, indicator, value [, se, n, lower, upper, flag,
 *    source, name], any order; the source column is accepted and not read
 *    (the store names each observation's source by its file); so are the
 *    columns a data-entry template adds (unit_name, read as name;
 *    indicator_name, unit_of_measure, previous_year, previous_value,
 *    comment)
 *  - wide: unit|uCode, [name|uName], year|Time, group columns, one column per
 *    indicator code (COINr's iData); columns that are neither an indicator,
 *    a known key column, a framework Group/Denominator code nor a units-file
 *    attribute are errors.
 *  - units: unit, name [, any attribute columns such as name_zh, region]
 * UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting. A data file
 * whose name ends in .xlsx or .xlsm is a workbook: its sheet "Data" (else
 * its first) is read, with the same layouts and checks.
 *
 * Every problem is reported with file:line:col (col = CSV field, 1-based),
 * in a workbook with the cell (file:Data!G14):
 * unknown indicator or unit codes, duplicate (unit, year, indicator) within
 * the set, a year after s->last_year, unparsable or non-finite numbers and
 * numbers beyond +-INGEST_MAX_ABS, values outside the indicator's
 * declared [min, max], a negative se, an n not above 0, lower > upper.
 */
#ifndef LCME_INGEST_H
#define LCME_INGEST_H

#include <stddef.h>

#include "diag.h"
#include "framework.h"
#include "sha256.h"   /* obs_source's digest; sha256_hex, sha256_file */

/* The largest magnitude of a number in a data file (value, se, n, lower,
 * upper). No indicator comes near it (a city's product in Vietnamese dong is
 * about 1e18), and below it every stage's arithmetic stays finite (fourth
 * powers in the skew and kurtosis test: 1e120); at 1e308 minmax's range
 * overflows and every score of the indicator would be blank. */
#define INGEST_MAX_ABS 1e30

struct obs {
    int unit;          /* index into obsset units */
    int ind;           /* framework node index of an indicator, or
                          fw->nnode + k for denominator column fw->denom[k] */
    int year;
    int file;          /* index into obsset files */
    long line;         /* line in that file */
    double value;      /* never NaN: empty cells are not observations */
    double se, n, lower, upper;  /* NaN when absent */
    int flag;          /* 0 when the 'flag' column is empty or absent, else
                          k: the text as given is obsset flag[k - 1] */
};

struct obs_source {
    char *path;        /* as opened */
    char *name;        /* the name the store keys it by (path relative to
                          the batch folder) */
    char sha256[SHA256_HEX_SIZE]; /* sha256_hex of the file's bytes */
    size_t rows;       /* observations read from it: v[first .. first + rows)
                          of the obsset (a file's rows are appended whole) */
    char *sheet;       /* the sheet read, for a workbook; NULL for CSV */
    size_t first;
};

struct obs_keys;

struct obsset {
    size_t n, alloc;   /* rows held, rows allocated */
    struct obs *v;
    size_t nunit;
    char **unit;       /* codes, in order of first appearance */
    char **unit_name;  /* "" when unknown */
    size_t nattr;
    char **attr_name;  /* attribute columns (region, EurAsia_group, ...) */
    char **attr;       /* [u*nattr + a], "" when unknown; rebuilt when a
                          file adds units or attributes */
    int units_fixed;   /* 1 once a units file was read: unknown codes are errors */
    int last_year;     /* set by the caller: a year after it is an error (the
                          batch's evaluation year); 0: no such limit */
    size_t nfile;
    struct obs_source *file;
    struct strmap *unit_index;   /* unit code -> index */
    size_t nflag;
    char **flag;       /* distinct flag texts, in order of first appearance */
    struct strmap *flag_index;   /* flag text -> index in flag */
    struct obs_keys *keys;       /* (unit, year, ind) -> row, or NULL: the
                                    duplicate check's index (ingest_dedup.c) */
};

/* The flag text of an observation, or NULL when it has none. */
const char *obs_flag(const struct obsset *s, const struct obs *o);

/* The code of an observation's ind: the indicator's, or the denominator
 * column's. */
const char *obs_ind_code(const struct framework *fw, int ind);

struct obsset *obsset_new(void);          /* NULL on ENOMEM */
void obsset_free(struct obsset *s);       /* NULL is harmless */

/* Read the units file (unit, name, attributes). Its names replace names
 * known from earlier files. After it, data rows naming a unit not in it are
 * errors. Returns 0, or -1 with problems in d and s unchanged. */
int ingest_units(struct obsset *s, const char *path, struct diag *d);

/* Read one data file, long or wide (long when its header names an
 * 'indicator' or a 'value' column), under the store key `name` (NULL: path).
 * Rows are appended only when the whole file is clean: returns 0, or -1 with
 * every problem found in d and s unchanged. */
int ingest_file(struct obsset *s, const char *path, const char *name,
                const struct framework *fw, struct diag *d);

/* Build a cube straight from an obsset (no store), with the builder
 * store_load_cube uses too (cube_builder.h says how the cube is laid out):
 * every unit of the set in code order, years ascending, attribute columns
 * in the set's order, lower/upper turned into se with the normal quantile of
 * ci_level. For `lcme validate` and for tests. Returns 0 and *out (free
 * with cube_free), or -1 with the problem in d: LCME_EUSAGE when ci_level is
 * not between 0 and 1, LCME_ENOMEM. */
struct cube;
int obsset_to_cube(const struct obsset *s, const struct framework *fw,
                   double ci_level, struct cube **out, struct diag *d);

#endif
