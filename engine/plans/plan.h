/* plan.h: a city's action plan, its medium- and long-term objectives, read
 * from the files [batch] plan names (DESIGN.md "Batch file").
 *
 *     struct plan *p;
 *     if (plan_load(&p, cfg, fw, d) != 0) return -1;   // every problem in d
 *     if (p && plan_check_units(p, (const char *const *)c->unit, c->nunit, d) != 0) ...
 *     ... p->obj[i] ...; p->version names it in every output and the store
 *     plan_free(p);
 *
 * A plan file is CSV (the reader of csv.h: UTF-8, RFC 4180, LF or CRLF), one
 * row per objective, header names in any order and case:
 *
 *   unit           required  a unit code, or * for every unit
 *   node           required  a node of the framework: an indicator or any
 *                            aggregate (key feature, area of focus, area,
 *                            the index)
 *   target         required  the value to reach: raw units for an indicator,
 *                            score points for an aggregate
 *   year           required  the target year (target_year is read as year)
 *   baseline_year  optional  the year the planned path starts from; empty:
 *                            the batch's [trend] base_year
 *   label          optional  e.g. "medium term", "long term"
 *   owner          optional  the office or stakeholder responsible
 *   note           optional  free text
 *
 * A record whose first field starts with '#' is a comment (before the header
 * too), so a plan can say where it comes from. Codes are taken exactly as
 * written, like the observation files'.
 *
 * Rejected, each at FILE:LINE:COL (COL the field): an unknown, repeated or
 * missing column; a row of another width; an empty unit or node; a node
 * that is not in the framework; a target that is not a number, or outside
 * the indicator's declared [min, max]; a year or baseline year that is not
 * a year; a baseline year after the evaluation year; a target year not after
 * the baseline year; the same unit (or *), node and target year twice (the
 * second row is reported, naming the first); a plan with no objective. A
 * unit that exists neither in the data, the units file nor the store is
 * reported by plan_check_units, once the units are known.
 *
 * A row for a unit overrides a * row with the same node and target year for
 * that unit (objectives.h): the network-wide plan, with district plans
 * where a district set its own.
 *
 * The version: the SHA-256 of the objectives as read (every field, in file
 * and row order; file names and formatting do not count), its first 16 hex
 * digits the plan version id. The same objectives give the same id in any
 * store; a revised plan gets a new one, and the store keeps both
 * (store_put_plan).
 */
#ifndef LCME_PLAN_H
#define LCME_PLAN_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "framework.h"

#define PLAN_ALL_UNITS "*"

struct plan_objective {
    char *unit;          /* a unit code, or PLAN_ALL_UNITS; owned */
    char *node;          /* node code; owned */
    int inode;           /* its framework node index */
    double target;       /* raw units (indicator) or score points (aggregate) */
    int year;            /* target year */
    int baseline_year;   /* 0: not given, the batch's base year applies */
    char *label, *owner, *note;   /* owned; "" when not given */
    int file;            /* index into plan->name and plan->path */
    long line;           /* its line in that file */
    long unit_col;       /* the column of its unit field */
};

struct plan {
    size_t n;
    struct plan_objective *obj;   /* files in batch order, rows in file order */
    int nfile;
    char **path;         /* the files, resolved; owned */
    char **name;         /* as named in the batch file; owned */
    char sha256[65];     /* of the objectives as read */
    char version[17];    /* its first 16 hex digits: the plan version id */
};

/* Read and check every plan file cfg names (cfg->plan), against the
 * framework fw and the evaluation year cfg->year. Returns 0 with *out set
 * (free with plan_free), or 0 with *out NULL when the batch names no plan;
 * -1 with every problem found in d (at most one per field) and *out NULL.
 * A file that cannot be opened is LCME_EIO, as for data files. */
int plan_load(struct plan **out, const struct config *cfg, const struct framework *fw,
              struct diag *d);

void plan_free(struct plan *p);   /* NULL is harmless */

/* Every unit code the objectives name (other than *) must be one of the n
 * codes in units (sorted or not). Returns 0, or -1 with each unknown unit
 * reported at its plan file, line and column. */
int plan_check_units(const struct plan *p, const char *const *units, size_t n,
                     struct diag *d);

#endif
