/* ingest_dedup.c: find the staged observations whose (unit, year,
 * indicator) is already in the obsset or earlier in the same file.
 *
 * Every row, the set's and the staged ones, becomes a 64-bit key (dup_key)
 * with its position (set rows 0..s->n-1, then staged rows). One stable LSD
 * radix sort puts equal keys side by side, still in row order, so the first
 * of a run is where the observation was first given and every later one is
 * a duplicate. On 500,000 rows an open-addressing hash table's random probes
 * took a quarter of the ingest time; the sort's sequential passes do not.
 * A few thousand rows are sorted 8 bits a pass, so that the passes' fixed
 * cost (clearing the counters) stays below the rows'.
 *
 * A file much smaller than the set (a return among a year's returns) is not
 * sorted with the set: only its own rows are sorted, and the first of each
 * run is looked up in the set's key index (struct obs_keys, built once and
 * kept up to date as files are committed), so a file costs in proportion to
 * its own rows. Sorting the whole set for every file made reading a
 * network's returns quadratic: 352 one-unit returns (42,157 rows) took
 * 0.26-0.52 s from CSV, half of it here (tests/bench/bench_xlsx.c has the
 * figures after).
 *
 * Invariants: the key is exact (no hashing): unit < 2^17 (INGEST_MAX_UNITS
 * is 100,000), year - 1000 < 2^14 (csv_parse_year gives 1000..9999), ind in
 * the 33 bits above. Duplicates are reported in row order. The key index,
 * when there is one, holds every row of the set once (the set has no two
 * rows with one key) with its position; it is only a cache: when memory
 * runs out it is dropped, never wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

/* Key of (unit, ind, year): year - 1000 in bits 0-13, unit in bits 14-30,
 * ind from bit 31. */
static uint64_t dup_key(int unit, int ind, int year)
{
    return ((uint64_t)(unsigned)ind << 31) | ((uint64_t)(unsigned)unit << 14) |
           (uint64_t)(unsigned)(year - 1000);
}

/* Up to this many rows (the set's and the file's) are sorted 8 bits a
 * pass, more 16: each 16-bit pass clears and sums 65,536 counters, which
 * for the Hong Kong sample's 2026 rows read as 18 returns (120 to 2,169
 * rows each time) was most of the sorting's time. */
#define DEDUP_SMALL 8192
/* A file is checked against the set's key index, not sorted with the set,
 * when the set holds this many times its rows or more. */
#define DEDUP_RATIO 8

struct keypos {
    uint64_t key;
    uint64_t pos;
};

/* ---- the set's key index ------------------------------------------------ */

/* Open addressing with linear probing, at most half full. */
struct obs_keys {
    struct keypos *slot;       /* [cap]; key KEY_FREE when empty */
    size_t cap, n;             /* cap a power of two */
    unsigned shift;            /* 64 - log2(cap) */
};

#define KEY_FREE UINT64_MAX    /* no key: ind would be 2^33 - 1 */
#define KEYS_MIN 1024          /* slots of a new index */

static size_t key_home(const struct obs_keys *k, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15u) >> k->shift);   /* Fibonacci hashing */
}

/* Place key (not yet in k) at a free slot; k has room. */
static void keys_place(struct obs_keys *k, uint64_t key, uint64_t pos)
{
    size_t i = key_home(k, key), mask = k->cap - 1;
    while (k->slot[i].key != KEY_FREE)
        i = (i + 1) & mask;
    k->slot[i] = (struct keypos){key, pos};
    k->n++;
}

/* Make room for n keys in all (rehashing into a table twice as large or
 * more). 0, or -1 on ENOMEM (k unchanged). */
static int keys_reserve(struct obs_keys *k, size_t n)
{
    if (2 * n <= k->cap)
        return 0;
    size_t cap = k->cap ? k->cap : KEYS_MIN;
    unsigned bits = 0;
    while (cap < 2 * n)
        cap *= 2;
    while (((size_t)1 << bits) < cap)
        bits++;
    struct keypos *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < cap; i++)
        slot[i].key = KEY_FREE;
    struct obs_keys nk = {slot, cap, 0, 64 - bits};
    for (size_t i = 0; i < k->cap; i++)
        if (k->slot[i].key != KEY_FREE)
            keys_place(&nk, k->slot[i].key, k->slot[i].pos);
    free(k->slot);
    *k = nk;
    return 0;
}

/* Position of the set's row with key, or -1. */
static int64_t keys_find(const struct obs_keys *k, uint64_t key)
{
    size_t i = key_home(k, key), mask = k->cap - 1;
    for (; k->slot[i].key != KEY_FREE; i = (i + 1) & mask)
        if (k->slot[i].key == key)
            return (int64_t)k->slot[i].pos;
    return -1;
}

void obs_keys_free(struct obs_keys *k)
{
    if (!k)
        return;
    free(k->slot);
    free(k);
}

/* Add rows from..s->n-1 of s to its index (all of them when it is new). 0,
 * or -1 on ENOMEM, with the index dropped. */
static int keys_add(struct obsset *s, size_t from)
{
    struct obs_keys *k = s->keys;
    if (keys_reserve(k, k->n + (s->n - from)) != 0) {
        obs_keys_free(k);
        s->keys = NULL;
        return -1;
    }
    for (size_t i = from; i < s->n; i++)
        keys_place(k, dup_key(s->v[i].unit, s->v[i].ind, s->v[i].year), i);
    return 0;
}

void ingest_keys_added(struct obsset *s, size_t from)
{
    if (s->keys)
        (void)keys_add(s, from);
}

/* The set's index, built now when it has none. NULL on ENOMEM. */
static struct obs_keys *keys_of(struct obsset *s)
{
    if (s->keys)
        return s->keys;
    if (!(s->keys = calloc(1, sizeof *s->keys)))
        return NULL;
    return keys_add(s, 0) == 0 ? s->keys : NULL;
}

/* Stable LSD radix sort on key, `bits` bits a pass (8 or 16), as many
 * passes as the largest key needs. tmp has n slots, count 2^bits. Returns
 * the array that holds the result (a or tmp). */
static struct keypos *radix_sort(struct keypos *a, struct keypos *tmp, size_t n,
                                 size_t *count, unsigned bits)
{
    uint64_t max = 0, mask = ((uint64_t)1 << bits) - 1;
    for (size_t i = 0; i < n; i++)
        if (a[i].key > max)
            max = a[i].key;
    for (unsigned shift = 0; shift < 64 && (max >> shift) != 0; shift += bits) {
        memset(count, 0, ((size_t)mask + 1) * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].key >> shift) & mask]++;
        size_t sum = 0;
        for (size_t k = 0; k <= mask; k++) {
            size_t c = count[k];
            count[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & mask]++] = a[i];
        struct keypos *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static int cmp_pos(const void *x, const void *y)
{
    uint64_t a = ((const struct keypos *)x)->pos, b = ((const struct keypos *)y)->pos;
    return (a > b) - (a < b);
}

/* The column a staged observation of indicator ind was read from: the
 * value column (long), its indicator's column (wide). */
static long staged_col(const struct ingest_stage *g, int ind)
{
    for (size_t j = 0; g->widx && j < g->wwidth; j++)
        if (g->widx[j] == ind)
            return (long)j + 1;
    return g->vcol;
}

/* Position p in (set rows, then staged rows) as "FILE:LINE", or in a
 * workbook "FILE:SHEET!D4" (a row of an earlier file: "FILE:SHEET!4:4"). */
static void where(const struct ingest_stage *g, size_t p, char *buf, size_t len)
{
    const struct obsset *s = g->s;
    if (p < s->n) {
        const struct obs *o = &s->v[p];
        const struct obs_source *f = &s->file[o->file];
        diag_place(f->path, f->sheet, o->line, 0, buf, len);
    } else {
        const struct obs *o = &g->obs[p - s->n];
        diag_place(g->c->path, g->c->sheet, o->line, g->c->sheet ? staged_col(g, o->ind) : 0,
                   buf, len);
    }
}

/* Report staged row pos, a duplicate of the row at position first. */
static void report_dup(struct ingest_stage *g, const struct framework *fw, size_t pos,
                       size_t first)
{
    const struct obsset *s = g->s;
    const struct obs *o = &g->obs[pos - s->n];
    char at[512];
    where(g, first, at, sizeof at);
    const char *ucode = o->unit < (int)s->nunit ? s->unit[o->unit]
                                                : g->ucode[o->unit - (int)s->nunit];
    csv_error_at(g->c, g->d, o->line, staged_col(g, o->ind),
               "duplicate observation for unit '%s', year %d, indicator '%s' "
               "(first given at %s)",
               ucode, o->year, obs_ind_code(fw, o->ind), at);
    g->errors++;
}

void ingest_dedup(struct ingest_stage *g, const struct framework *fw)
{
    struct obsset *s = g->s;
    if (g->nobs == 0)
        return;
    /* a file much smaller than the set: its rows alone, and the index */
    struct obs_keys *k = s->keys || g->nobs * DEDUP_RATIO <= s->n ? keys_of(s) : NULL;
    size_t nset = k ? 0 : s->n, n = nset + g->nobs;
    unsigned bits = n <= DEDUP_SMALL ? 8 : 16;
    struct keypos *a = csv_big_alloc(n * sizeof *a);
    struct keypos *tmp = csv_big_alloc(n * sizeof *tmp);
    size_t *count = malloc(((size_t)1 << bits) * sizeof *count);
    if (!a || !tmp || !count) {
        free(a);
        free(tmp);
        free(count);
        ingest_stage_nomem(g);
        return;
    }
    for (size_t i = 0; i < nset; i++)
        a[i] = (struct keypos){dup_key(s->v[i].unit, s->v[i].ind, s->v[i].year), i};
    for (size_t i = 0; i < g->nobs; i++)
        a[nset + i] = (struct keypos){dup_key(g->obs[i].unit, g->obs[i].ind, g->obs[i].year),
                                      s->n + i};
    struct keypos *r = radix_sort(a, tmp, n, count, bits);
    struct keypos *dups = r == a ? tmp : a;   /* the other array, free again */
    size_t nd = 0;
    for (size_t first = 0, end; first < n; first = end) {
        for (end = first + 1; end < n && r[end].key == r[first].key; end++)
            ;
        int64_t in_set = k ? keys_find(k, r[first].key) : -1;
        uint64_t orig = in_set >= 0 ? (uint64_t)in_set : r[first].pos;
        /* pos: this row; the key slot holds the first row's position */
        for (size_t i = in_set >= 0 ? first : first + 1; i < end; i++)
            dups[nd++] = (struct keypos){orig, r[i].pos};
    }
    qsort(dups, nd, sizeof *dups, cmp_pos);   /* report in row order */
    for (size_t j = 0; j < nd; j++)
        report_dup(g, fw, (size_t)dups[j].pos, (size_t)dups[j].key);
    free(a);
    free(tmp);
    free(count);
}
