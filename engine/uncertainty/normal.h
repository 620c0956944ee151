/* normal.h: the standard normal draws of the Monte Carlo stage: eight
 * interleaved xoshiro256++ streams and a 128-layer ziggurat.
 *
 * A stream of draws is seeded from one 64-bit value h (draws.h derives it
 * from the seed, the replication and the year): lane j (0-7) is a
 * xoshiro256++ generator (Blackman and Vigna 2021) whose four state words
 * are the splitmix64 outputs 4j+1 .. 4j+4 of h, and the q-th draw of the
 * stream (q = 0, 1, ...) is lane q mod 8's next normal. Each normal is
 * Doornik's (2005) ZIGNOR ziggurat on one 64-bit word w: layer i = the low
 * 7 bits, u = 2 (w >> 11) 2^-53 - 1 from the top 53 (bits independent of
 * the layer's), accepted as u x_i when |u| < x_(i+1) / x_i (98.8 % of
 * words); the base layer's tail (Marsaglia 1964) and the wedges draw
 * further words from the same lane.
 *
 * Why not GSL's mt19937 and gsl_ran_gaussian_ziggurat, which lcme drew
 * from before: one draw took 16.6-24.7 ns there against 6.3-7.1 ns for
 * one lane of this (the same loaded host, 2 x 10^7 draws each), and the
 * Monte Carlo stage at network scale draws 4.9 x 10^8 normals at
 * R = 1000. The eight lanes let consecutive draws overlap in the CPU
 * (each lane's state is a chain of its own) and give a vector unit one
 * lane each: with normal_fill on AVX-512, bench_uncertainty's draws alone
 * took 2.73 s of CPU at network scale, R = 1000, against 9.91-10.40 s for
 * the same draws from GSL. The layer's two table entries are read by eight
 * scalar loads each, not by a vector gather: on the benchmark host an
 * 8-lane gather from the 1 KB table took 8.9 ns (about 25 cycles, against
 * 3.8 ns for a tree of permutes), and normal_fill took 3.73-3.76 ns a
 * draw with the two gathers against 2.79-2.84 ns with the loads (10^4
 * streams of 44,856 draws, one thread).
 */
#ifndef LCME_NORMAL_H
#define LCME_NORMAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define NORMAL_LANES 8
#define NORMAL_ZIG_LAYERS 128
#define NORMAL_ZIG_R 3.442619855899

/* The ziggurat's layer edges x_0 .. x_128 and ratios x_(i+1) / x_i. */
extern const double normal_zig_x[NORMAL_ZIG_LAYERS + 1];
extern const double normal_zig_ratio[NORMAL_ZIG_LAYERS];

/* Eight xoshiro256++ states: s[lane][word]. */
struct normal_lanes {
    uint64_t s[NORMAL_LANES][4];
};

/* The lanes of the stream seeded by h. */
void normal_seed(struct normal_lanes *z, uint64_t h);

/* The stream's next n draws into out[0 .. n): draw q from lane q mod 8, so
 * n must be a multiple of 8 for a later call to go on with the stream.
 * Where the CPU has AVX-512 (F and DQ) the eight lanes run in one vector
 * register, unless portable is set (for tests); the draws are the same,
 * bit for bit. */
void normal_fill(struct normal_lanes *z, double *out, size_t n, int portable);

/* The next output of splitmix64 (Steele, Lea and Flood 2014) from *x. */
static inline uint64_t normal_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The next word of the xoshiro256++ state s[4]. */
static inline uint64_t normal_xoshiro(uint64_t *s)
{
    uint64_t a = s[0] + s[3];
    uint64_t r = ((a << 23) | (a >> 41)) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return r;
}

/* The top 53 bits of w as a uniform in [0, 1). */
static inline double normal_u01(uint64_t w)
{
    return (double)(w >> 11) * 0x1.0p-53;
}

/* The ziggurat past its rectangles: layer i, u rejected there; draws from
 * the lane s. */
double normal_zig_slow(uint64_t *s, unsigned i, double u);

/* The next standard normal of lane s. */
static inline double normal_next(uint64_t *s)
{
    uint64_t w = normal_xoshiro(s);
    unsigned i = (unsigned)(w & (NORMAL_ZIG_LAYERS - 1));
    double u = 2.0 * normal_u01(w) - 1.0;
    if (fabs(u) < normal_zig_ratio[i]) return u * normal_zig_x[i];
    return normal_zig_slow(s, i, u);
}

#endif
