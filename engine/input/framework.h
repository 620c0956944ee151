/* framework.h: the indicator tree (index > areas > ... > indicators).
 *
 * Loaded from lcme's framework CSV (columns code, parent, name, level, weight,
 * direction, unit, target, lower, upper, min, max, denominator, type, adapted;
 * any order, only code and parent required) or from COINr's iMeta export
 * (iCode, Parent, iName, Level, Weight, Direction, Unit, Target, Denominator,
 * Type), told apart by the header. Rows of type Group name unit attribute
 * columns; rows of type Denominator and Other (COINr's types for data kept
 * beside the indicators but outside the tree) name data columns that are
 * read, checked and stored like indicators but never normalised or
 * aggregated; only a Denominator row can be an indicator's denominator.
 *
 * Node order is fixed so that every stage can walk arrays without lookups:
 * nodes 0 .. nind-1 are the indicators in file order; nind .. nnode-1 are the
 * aggregates in post-order (every child before its parent); the root is last.
 * A cube's indicator index i is node i.
 */
#ifndef LCME_FRAMEWORK_H
#define LCME_FRAMEWORK_H

#include "diag.h"

struct strmap;

enum node_type { NODE_INDICATOR, NODE_AGGREGATE };

struct fw_node {
    char *code;          /* unique */
    char *name;          /* "" when not given */
    char *unit;          /* measurement unit text; "" when not given */
    char *denominator;   /* code of a Denominator column, or NULL */
    char *adapted;       /* text of the 'adapted' column, or NULL */
    enum node_type type;
    int level;           /* 1 = indicator; the root has the highest level */
    double weight;       /* as given, >= 0; default 1 */
    int direction;       /* +1 higher is better, -1 lower is better */
    double target;       /* NaN when none */
    double lower, upper; /* goalposts; NaN when none */
    double min, max;     /* declared valid range of raw values; NaN when open */
    int parent;          /* node index; -1 for the root */
    int nchild;
    int *child;          /* node indices, in file order */
    long line;           /* line of this node in the framework file */
};

struct framework {
    char *path;          /* as given to framework_load */
    int nnode;
    int nind;            /* nodes [0, nind) are indicators */
    int root;            /* == nnode - 1 */
    int nlevel;          /* level of the root */
    struct fw_node *node;
    int ngroup;          /* COINr 'Group' rows: unit attribute columns */
    char **group;
    int ndenom;          /* COINr 'Denominator' and 'Other' rows, in file
                            order: data columns outside the tree */
    char **denom;
    struct strmap *index;/* code -> node index */
};

/* Load and check a framework file. Every problem (cycles, unknown parents,
 * duplicate codes, negative or non-numeric weights, bad directions, aggregates
 * without indicators below them, several roots) is reported to d with
 * file:line:col. Returns 0 and sets *out (caller frees with framework_free),
 * or -1 with *out NULL. */
int framework_load(struct framework **out, const char *path, struct diag *d);

void framework_free(struct framework *fw);          /* NULL is harmless */

/* Node index of code, or -1. */
int framework_find(const struct framework *fw, const char *code);

/* 1 when a unit text marks a percentage: it contains '%' or "percent"
 * (any case). Survey proportions of such indicators are in 0-100, of
 * others in 0-1. */
int framework_unit_is_percent(const char *unit);

/* Effective weight of each node: the product, up to the root, of its weight
 * normalised among its siblings. w must hold nnode doubles; the root gets 1. */
void framework_effective_weights(const struct framework *fw, double *w);

#endif
