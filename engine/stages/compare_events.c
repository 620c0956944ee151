/* compare_events.c: the composition changes of the published scores
 * (struct compare_event, compare.h): for every unit, aggregate node and
 * year with a score, the indicators that entered or left the node's score
 * since the node's previous year with a score.
 *
 * An indicator is in a node's score in year t when it has a value then
 * (observed or imputed) and every node from its parent up to the node has
 * a score (a feature left out by the coverage rule takes its indicators
 * out with it). Cost: for each unit, node and pair of years, one walk up
 * from each indicator under the node (the tree is a few levels deep).
 */
#include <stdlib.h>

#include "array.h"
#include "compare_int.h"

/* Is indicator i in node n's score for unit u in year t? */
static int counts_in(const struct compare_ctx *x, size_t i, size_t n, size_t t, size_t u)
{
    if (!compare_present(x, i, t, u)) return 0;
    for (int a = x->fw->node[i].parent; a >= 0; a = x->fw->node[a].parent) {
        if (!compare_present(x, (size_t)a, t, u)) return 0;
        if ((size_t)a == n) return 1;
    }
    return 0;
}

int compare_events(const struct compare_ctx *x, struct compare *cm)
{
    size_t alloc = 0;
    for (size_t u = 0; u < x->nu; u++) {
        size_t before = cm->nevent;
        for (size_t n = x->ni; n < x->nn; n++) {
            int prev = -1;
            for (size_t t = 0; t < x->ny; t++) {
                if (!compare_present(x, n, t, u)) continue;
                for (int k = 0; prev >= 0 && k < x->nleaves[n]; k++) {
                    size_t i = (size_t)x->leaves[n][k];
                    int was = counts_in(x, i, n, (size_t)prev, u), is = counts_in(x, i, n, t, u);
                    if (was == is) continue;
                    if (array_grow((void **)&cm->event, &alloc, cm->nevent + 1,
                                   sizeof *cm->event) != 0)
                        return -1;
                    cm->event[cm->nevent++] =
                        (struct compare_event){(int)u, (int)n, (int)t, (int)i, is, prev};
                }
                prev = (int)t;
            }
        }
        cm->n.units_changed += cm->nevent > before;
    }
    /* the doubling leaves up to half the room unused, kept through the
       Monte Carlo stage (at 1,000 units: 483,000 events in room for
       524,288, 12.6 MB) */
    if (cm->nevent > 0 && cm->nevent < alloc) {
        struct compare_event *v = realloc(cm->event, cm->nevent * sizeof *v);
        if (v) cm->event = v;
    }
    return 0;
}
