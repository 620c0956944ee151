/* chart_geom.h: pure geometry for the charts: linear scales, "nice" tick
 * choice, label de-overlap and the colour scales (viridis, Okabe-Ito).
 *
 * Nothing here draws or allocates beyond what is documented; every function
 * is a pure function of its arguments so that it can be unit-tested.
 */
#ifndef LCME_CHART_GEOM_H
#define LCME_CHART_GEOM_H

#include <stddef.h>
#include <stdint.h>

/* A linear map from the data domain [d0, d1] to the range [r0, r1]. */
struct chart_scale {
    double d0, d1;       /* domain; d0 != d1 */
    double r0, r1;       /* range (page units); r1 < r0 for upward y axes */
};

/* The page position of data value v (extrapolates outside the domain). A
 * degenerate domain (d0 == d1) maps everything to the middle of the range. */
double chart_scale_map(const struct chart_scale *s, double v);

/* Ticks: lo, lo + step, ..., hi. */
struct chart_ticks {
    double lo, hi, step;
    int n;               /* number of ticks, 2 .. CHART_TICKS_MAX */
    int decimals;        /* digits after the point a tick label needs */
};
#define CHART_TICKS_MAX 32

/* "Nice" ticks covering [lo, hi] with about `target` ticks (Heckbert's
 * algorithm: the range rounded to 1, 2, 5 or 10 times a power of ten, the
 * step to the nearest of those): [0, 87.3] with 6 gives 0, 20, ..., 100.
 * lo > hi are swapped; a non-finite bound takes the other's value ([0, 1]
 * when neither is finite); a zero-width range [v, v] is widened by a tenth
 * of |v| each way (by 1 when v is 0). target < 2 counts as 2. Returns the
 * number of ticks. */
int chart_nice_ticks(double lo, double hi, int target, struct chart_ticks *t);

/* The value of tick i (lo + i * step, with the rounding error of the
 * multiplication removed). */
double chart_tick_value(const struct chart_ticks *t, int i);

/* Label de-overlap along one axis. pos[i] is the wanted centre of label i and
 * size[i] its extent along the axis; on return pos[i] is a centre such that
 * no two labels overlap (at least gap apart) and the displacement is small:
 * overlapping labels are merged into clusters whose mean centre stays at the
 * mean of their wanted centres, then the set is pushed inside [lo, hi] when
 * it fits there. Label order along the axis is kept (ties by index).
 * Allocates O(n) scratch. Returns 0, or -1 on ENOMEM (pos unchanged). */
int chart_labels_spread(double *pos, const double *size, size_t n, double lo,
                        double hi, double gap);

/* Radar ring labels: in which gap between neighbouring axes to write each
 * ring's label, so that it stays clear of the drawn polygons. n axes at
 * equal angles 2 pi / n apart, axis 0 first; gap g lies on the bisector
 * between axes g and (g + 1) mod n. r[s * n + k] is the radius (page units)
 * of series s (score, median, interval bounds, ...) on axis k, NaN when not
 * drawn; nseries series. ring[i] is the radius of ring i; rings are drawn
 * as polygons through the axes, so ring i meets the bisector at
 * ring[i] cos(pi / n), where its label goes. The segment of series s
 * between axes g and g + 1 (radii a and b) meets the bisector at
 * 2 a b cos(pi / n) / (a + b) (0 when a + b == 0; no crossing when a or b
 * is NaN). A label is a box of half-width hw and half-height hh (margins
 * included), upright, so along a bisector at angle a (from the x axis,
 * a_g = -pi/2 + 2 pi (g + 1/2) / n) it reaches |cos a| hw + |sin a| hh.
 * The slack of ring i in gap g is the smallest distance along the bisector
 * from its label's centre to a crossing (infinite when none) less that
 * reach; the label is clear when the slack is not negative.
 *
 * One gap G is chosen for every label: the one where the most rings are
 * clear, then with the largest smallest slack, then the first. gap[i] = G
 * when ring i is clear there, else the gap where ring i's slack is largest
 * (the first on ties). With n < 2 every gap[i] is 0. Returns G. Pure;
 * O(n * nseries * nring). */
int chart_radar_ring_gaps(const double *r, int nseries, int n, const double *ring,
                          int nring, double hw, double hh, int *gap);

/* Colours as 0xRRGGBB. */

/* viridis at x in [0, 1] (clamped; NaN gives mid grey 0x999999): linear
 * interpolation in sRGB between the ten stops of R's viridisLite::viridis(10),
 * #440154 (0) ... #FDE725 (1). */
uint32_t chart_viridis(double x);

/* The Okabe-Ito palette: 0 black, 1 orange #E69F00, 2 sky blue #56B4E9,
 * 3 bluish green #009E73, 4 yellow #F0E442, 5 blue #0072B2, 6 vermillion
 * #D55E00, 7 reddish purple #CC79A7; i is taken modulo 8. */
uint32_t chart_okabe_ito(unsigned i);

/* Black (0x000000) or white (0xFFFFFF), whichever reads better on bg (WCAG
 * relative luminance above 0.179 takes black). */
uint32_t chart_text_on(uint32_t bg);

#endif
