/* ingest.h: read observation files (long or wide CSV) and the units file into
 * an obsset, checking every row against the framework.
 *
 * Formats (see datasets/README.md):
 *  - long: unit, year, indicator, value [, se, n, lower, upper, flag, source]
 *  - wide: unit|uCode, [name|uName], year|Time, group columns, one column per
 *    indicator code (COINr's iData); columns that are neither an indicator,
 *    a known key column, a framework Group/Denominator code nor a units-file
 *    attribute are errors.
 *  - units: unit, name [, any attribute columns such as name_zh, region]
 * UTF-8 with or without BOM, LF or CRLF, RFC 4180 quoting.
 *
 * Every problem is reported with file:line:col (col = CSV field, 1-based):
 * unknown indicator or unit codes, duplicate (unit, year, indicator) within
 * the set, unparsable or non-finite numbers, values outside the indicator's
 * declared [min, max], negative se or n, lower > upper.
 */
#ifndef LCME_INGEST_H
#define LCME_INGEST_H

#include <stddef.h>

#include "diag.h"
#include "framework.h"

struct obs {
    int unit;          /* index into obsset units */
    int ind;           /* framework node index of an indicator, or
                          fw->nnode + k for denominator column fw->denom[k] */
    int year;
    int file;          /* index into obsset files */
    long line;         /* line in that file */
    double value;      /* never NaN: empty cells are not observations */
    double se, n, lower, upper;  /* NaN when absent */
    int flag;          /* 1 when the 'flag' column is non-empty */
};

struct obs_source {
    char *path;        /* as opened */
    char *name;        /* the name the store keys it by (path relative to
                          the batch folder) */
    char sha256[65];   /* hex digest of the file's bytes */
    size_t rows;       /* observations read from it */
};

struct obsset {
    size_t n, alloc;
    struct obs *v;
    size_t nunit;
    char **unit;       /* codes, in order of first appearance */
    char **unit_name;  /* "" when unknown */
    size_t nattr;
    char **attr_name;  /* attribute columns (region, EurAsia_group, ...) */
    char **attr;       /* [u*nattr + a], "" when unknown; reallocated as
                          units or attributes are added */
    int units_fixed;   /* 1 once a units file was read: unknown codes are errors */
    size_t nfile;
    struct obs_source *file;
    struct strmap *unit_index;
};

struct obsset *obsset_new(void);          /* NULL on ENOMEM */
void obsset_free(struct obsset *s);       /* NULL is harmless */

/* Read the units file (unit, name, attributes). After it, data rows naming a
 * unit not in it are errors. Returns 0, or -1 with problems in d. */
int ingest_units(struct obsset *s, const char *path, struct diag *d);

/* Read one data file, long or wide (told apart by its header), under the
 * store key `name`. Rows are appended only when the whole file is clean:
 * returns 0, or -1 with every problem found in d and s unchanged. */
int ingest_file(struct obsset *s, const char *path, const char *name,
                const struct framework *fw, struct diag *d);

/* Build a cube straight from an obsset (no store), as store_load_cube does:
 * units in code order, years ascending, lower/upper turned into se with the
 * normal quantile of ci_level. For `lcme validate` and for tests. */
struct cube;
int obsset_to_cube(const struct obsset *s, const struct framework *fw,
                   double ci_level, struct cube **out, struct diag *d);

/* SHA-256 of a file's bytes as 64 hex digits in hex[65]. 0 or -1 (I/O). */
int sha256_file(const char *path, char hex[65]);

/* SHA-256 of a buffer. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
