/* ingest_int.h: what the ingest files share, private to them.
 *
 *   ingest.c        the obsset, ingest_file (one data file, start to end),
 *                   obsset_to_cube
 *   ingest_stage.c  the staging area a file is read into, and its commit
 *   ingest_dedup.c  duplicate (unit, year, indicator) detection
 *   ingest_check.c  checks of one row's unit, year, indicator and numbers
 *   ingest_long.c   the long layout (unit, year, indicator, value, ...)
 *   ingest_wide.c   the wide layout (a column per indicator)
 *   ingest_units.c  the units file
 *
 * A file is read into a struct ingest_stage: the observations, the units
 * first seen in it, and the names and attribute values it gives. Strings in the stage
 * point into the CSV buffer. Only when the whole file is clean is the stage
 * committed (ingest_stage_commit): every new array is built first and then swapped
 * in (the rows' array only gets room: its rows are copied in at the swap), so
 * on any error the obsset is exactly as it was.
 *
 * Indices in a stage: a unit is an obsset unit index, or s->nunit + k for
 * the k-th unit new in this file; an attribute column likewise s->nattr + k.
 * An observation's ind follows struct obs (fw->nnode + k for denominator k).
 */
#ifndef LCME_INGEST_INT_H
#define LCME_INGEST_INT_H

#include <stddef.h>

#include "array.h"
#include "csv.h"
#include "diag.h"
#include "framework.h"
#include "ingest.h"
#include "strmap.h"

#define INGEST_MAX_UNITS 100000      /* the duplicate key holds unit < 2^17 */
#define INGEST_MAX_ROWS 50000000

struct sattr {
    int unit;          /* obsset unit index, or nunit + new-unit index */
    int attr;          /* obsset attr index, or nattr + new-attr index */
    const char *val;
};

struct sname {
    int unit;
    const char *name;
};

struct ingest_stage {
    struct obsset *s;
    struct csv *c;
    struct diag *d;
    int errors;              /* problems reported for this file */
    int stop;                /* a limit was hit or memory ran out: stop reading */
    struct strmap *newu;     /* code -> new-unit index */
    const char **ucode;      /* new units' codes */
    long *uline;             /* line each new unit was first seen on */
    size_t nnew, anew;
    const char **aname;      /* new attribute names */
    size_t nanew, aanew;
    struct sattr *attr;      /* attribute values given, in order */
    size_t nattr, aattr;
    struct sname *name;      /* unit names given, in order */
    size_t nname, aname_alloc;
    struct obs *obs;         /* the file's observations */
    size_t nobs, aobs;
    long vcol;               /* long: the value column, where duplicates are shown */
    struct strmap *newf;     /* flag text -> new-flag index */
    char **fnew;             /* new flag texts (copies, owned until commit) */
    size_t nfnew, afnew;
    const int *widx;         /* wide: ind of each column, -1 when none */
    size_t wwidth;
    int fileidx;             /* index the file will have in the obsset */
};

/* The framework's Group and Denominator codes, for telling what a column or
 * an indicator code is. */
struct ingest_codes {
    struct strmap *group, *denom;
};

/* GROW(ptr, n, alloc): make room for element n of ptr (array_grow, called
 * only when full); 0, or -1 on ENOMEM (ptr unchanged). */
#define GROW(ptr, n, alloc)                                                   \
    ((n) < (alloc) ? 0 : array_grow((void **)&(ptr), &(alloc), (n) + 1, sizeof *(ptr)))

void ingest_free_strs(char **v, size_t n);

/* ---- ingest_stage.c ---- */

/* 0, or -1 on ENOMEM (then ingest_stage_free is still safe). */
int ingest_stage_init(struct ingest_stage *g, struct obsset *s, struct diag *d);
void ingest_stage_free(struct ingest_stage *g);
/* Report "out of memory" once and stop reading. */
void ingest_stage_nomem(struct ingest_stage *g);
/* Unit index for code (existing or staged); stages a new unit unless the
 * units are fixed. -1 after reporting (unknown unit, too many units, ENOMEM). */
int ingest_stage_unit(struct ingest_stage *g, const char *code, size_t len, long col);
/* Index of attribute column name (existing or staged), staging it when new;
 * -1 on ENOMEM. */
int ingest_stage_attr_name(struct ingest_stage *g, const char *name);
void ingest_stage_attr(struct ingest_stage *g, int unit, int attr, const char *val);
void ingest_stage_name(struct ingest_stage *g, int unit, const char *name);
/* The id struct obs keeps for a flag text (len bytes, need not be
 * NUL-terminated): 0 for a blank one, else the obsset's flag number or a new
 * one staged. -1 after reporting ENOMEM. */
int ingest_stage_flag(struct ingest_stage *g, const char *text, size_t len);
/* Stage one observation; duplicates are found afterwards by ingest_dedup. */
void ingest_stage_obs(struct ingest_stage *g, const struct obs *o, long col);
/* Build the obsset's new arrays and swap them in; src (may be NULL) becomes
 * the file record, taken over on success. names_win: a name given here
 * replaces a known one (the units file) instead of only filling an empty
 * one. 0, or -1 on ENOMEM with the obsset unchanged. */
int ingest_stage_commit(struct ingest_stage *g, const struct obs_source *src,
                        int names_win);

/* ---- ingest_dedup.c ---- */

/* Report every staged observation whose (unit, year, indicator) is already
 * in the set or earlier in the file, at its line and column. */
void ingest_dedup(struct ingest_stage *g, const struct framework *fw);
/* Rows from..s->n-1 were committed: add them to the set's key index, when
 * it has one (on ENOMEM the index is dropped; it is only a cache). */
void ingest_keys_added(struct obsset *s, size_t from);
void obs_keys_free(struct obs_keys *k);   /* NULL is harmless */

/* ---- ingest_check.c ---- */

/* Optional number in column col (0 = absent: NaN); sets *bad after reporting. */
double ingest_opt_num(struct ingest_stage *g, long col, int *bad);
/* Value v of indicator ind inside its declared [min, max]? 0, or -1 after
 * reporting at column col. Denominators have no range. */
int ingest_check_range(struct ingest_stage *g, const struct framework *fw, int ind,
                       double v, long col);
/* Indicator (or fw->nnode + k for denominator k) named by code, or -1 after
 * reporting why it is none. */
int ingest_indicator(struct ingest_stage *g, const struct framework *fw,
                     const struct ingest_codes *cd, const char *code, size_t len, long col);
/* The row's unit (staged when new) and year from columns ucol and ycol; a
 * year after s->last_year (when set) is an error. 0, or -1 after reporting. */
int ingest_unit_year(struct ingest_stage *g, long ucol, long ycol, int *u, int *year);
/* Parse the value in column col of the current row: 0 with *v set, 1 when
 * missing (no observation), -1 after reporting (not a number, or beyond
 * +-INGEST_MAX_ABS). */
int ingest_value(struct ingest_stage *g, long col, double *v);

/* Survey proportions (observations with a sample size n and no se) of
 * indicators whose unit is a percentage: a value outside [0, 100] is
 * reported at its cell, and so is such an indicator whose every value with
 * n in the file lies in [0, 1] with at least one strictly between (shares
 * given under a percent unit), when that is evidence enough: the indicator
 * has SHARES_EVIDENCE such values in the file, or every value with n of
 * every percent indicator in the file (SHARES_EVIDENCE or more) lies in
 * [0, 1]. A lone 0.4 % in a one-unit return is a percentage; a return
 * giving all its percentages as shares is refused. Other indicators' values with n are
 * proportions when in [0, 1]; outside it the sample size is not used (the
 * value is exact, as the Notes count).
 * Called by the readers once the file is read, while g->vcol (long) or
 * g->widx (wide) says which column holds an indicator's values. */
void ingest_check_proportions(struct ingest_stage *g, const struct framework *fw);

/* ---- ingest_long.c, ingest_wide.c ---- */

/* 1 when the header (the current record) names an 'indicator' or 'value'
 * column: the file is in the long layout. */
int ingest_is_long(const struct csv *c);
/* Read a file in the long layout, header included, into the stage. */
void ingest_read_long(struct ingest_stage *g, const struct framework *fw,
                      const struct ingest_codes *cd);
/* Read a file in the wide layout, header included, into the stage. */
void ingest_read_wide(struct ingest_stage *g, const struct framework *fw,
                      const struct ingest_codes *cd);

#endif
