/* rank_plane.h: descending ranks of one plane of scores, the inner step of
 * every Monte Carlo replication (184 planes of 356 units per replication and
 * year at network scale).
 *
 * Ranks are those of rank_run (rank.h) with descending = 1: 1 for the
 * highest score, tied scores (== as doubles) share the smallest rank of
 * their group, NaN gets 0. They are stored as uint16, so a plane holds at
 * most RANK_PLANE_MAX_UNITS values.
 *
 * Two paths give identical ranks: a bucket pass finished by an insertion
 * sort (any x86-64 or other CPU), and, on CPUs with AVX-512F and planes of
 * up to 512 values, a sorting network on packed (quantised score, unit)
 * keys held in vector registers. The work area picks the faster path the
 * CPU offers when it is allocated.
 */
#ifndef LCME_RANK_PLANE_H
#define LCME_RANK_PLANE_H

#include <stddef.h>
#include <stdint.h>

#define RANK_PLANE_MAX_UNITS 65534

enum rank_plane_path {
    RANK_PLANE_BUCKET,           /* bucket pass and insertion sort */
    RANK_PLANE_AVX512            /* sorting network, up to 512 values */
};

struct rank_plane_work;

/* A work area for planes of up to nunit values (nunit <=
 * RANK_PLANE_MAX_UNITS), on the fastest path this CPU has. Returns NULL when
 * out of memory or nunit is too large. Free with rank_plane_work_free. */
struct rank_plane_work *rank_plane_work_alloc(size_t nunit);
void rank_plane_work_free(struct rank_plane_work *w);   /* NULL harmless */

/* Use path p from now on. Returns 0, or -1 (path unchanged) when this CPU
 * or build lacks it. For tests and benchmarks: both paths give the same
 * ranks. */
int rank_plane_work_set_path(struct rank_plane_work *w, enum rank_plane_path p);
enum rank_plane_path rank_plane_work_path(const struct rank_plane_work *w);
const char *rank_plane_path_name(enum rank_plane_path p);

/* Ranks of x[0..n) into out[0..n) (n <= the work area's nunit). Cannot
 * fail. */
void rank_plane(const double *x, size_t n, uint16_t *out,
                struct rank_plane_work *w);

#endif
