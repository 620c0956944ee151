/* uncertainty_int.h: what the files of the uncertainty module share
 * (uncertainty.c: the passes; uncertainty_run.c: the run, changes, notes);
 * not for other modules. */
#ifndef LCME_UNCERTAINTY_INT_H
#define LCME_UNCERTAINTY_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "draws.h"
#include "tails.h"
#include "uncertainty.h"

#define MAX_THREADS 64

/* ---- the run's shared state ---------------------------------------------- */

struct unc {
    const struct pipeline *pl;
    const struct cube *c;
    struct results *res;
    const struct draws *dr;
    unsigned long seed;
    long R;
    size_t nu, ny, nnode;
    /* chunk of nodes [n0, n1): its cells and change cells */
    size_t n0, n1, ncell, nchcell;
    /* batch in flight */
    long r0, nb;
    long batch;                  /* rows of a batch */
    float *dev;                  /* [batch * ncell of all nodes] */
    uint16_t *rk;
    size_t rowcells;             /* ncell of all nodes and the recomputed
                                    change values: a row's stride */
    struct tails *tl;            /* the chunk's cells */
    struct tails *tch;           /* its changes: base [0, nn*nu), prev after */
    uint32_t *le, *ge;           /* [nchcell] changes <= 0 and >= 0 */
    long *cha, *chb;             /* [nchcell] row offsets of the two years'
                                    deviations, -1 when the change is none */
    double *chnom;               /* [nchcell] nominal change */
    int *tlast, *tbase, *tprev;  /* [nnode * nu] year index, -1 none */
    struct uncertainty_change *ch;
    const uint8_t *err;          /* [nnode * ny * nu] measured error enters */
    double *scale_lo, *scale_hi; /* [nnode] bounds of the node's score scale
                                    (-inf, inf when open) */
    atomic_size_t unstable;
    /* work handed out in a phase, whichever thread is free first: rows of
       the batch, then cells and change cells in blocks (uncertainty.c) */
    atomic_long next_row;
    atomic_size_t next_cell, next_change;
};

struct worker {
    struct unc *U;
    struct pipeline_work *pw;
    double *x, *s;               /* one evaluation's planes */
    float *chrow;                /* [CELL_BLOCK] a block of changes */
    float *dv;                   /* the row of dev being replicated */
    size_t k0, k1;               /* chunk cells it reads */
    size_t h0, h1;               /* chunk change cells it reads */
    struct diag d;
    long err_r;                  /* first failing replication, or -1 */
    size_t err_i;                /* its first message in d */
};

/* The passes, each a pthread start routine on one struct worker. */
void *uncertainty_worker_replicate(void *arg);  /* phase 1 of a batch */
void *uncertainty_worker_feed(void *arg);       /* phase 2 of a batch */
void *uncertainty_worker_read(void *arg);       /* the quantiles */

/* The score row's reader (pipeline_cells_fn) of a worker's work area:
 * cells [k0, k1) of the replication's scores s into the worker's row of
 * dev, less their nominal values. */
void uncertainty_deviations(void *ctx, const double *s, size_t k0, size_t k1);

/* Run fn on w[0 .. nt), the first on the calling thread. */
void uncertainty_threads(struct worker *w, int nt, void *(*fn)(void *));

#endif
