/* pipeline_int.h: what the files of the pipeline module share (pipeline.c,
 * pipeline_notes.c, pipeline_targets.c); not for other modules. */
#ifndef LCME_PIPELINE_INT_H
#define LCME_PIPELINE_INT_H

#include "aggregate.h"
#include "compare.h"
#include "normalise.h"
#include "pipeline.h"
#include "prepare.h"
#include "rank_plane.h"

/* Longest note kept; longer sentences are cut (they are built from codes
 * and numbers, so this is far above any real one). */
#define NOTE_MAX 4096
/* Codes listed in one sentence before "and N more". */
#define NOTE_LIST_MAX 12

struct pipeline {
    const struct config *cfg;      /* borrowed */
    const struct framework *fw;    /* borrowed */
    const struct cube *c;          /* borrowed */
    struct method m1;              /* indicators' method, ref_index resolved */
    struct method *lm;             /* [fw->nlevel + 2] method per level */
    int order[PREP_NSTAGE];        /* preparation stages in the batch's order */
    int screen_on;                 /* screening or force_exclude asked for */
    struct prepare_screen_opts so;
    struct prepare_treat_opts to;
    int *grp;                      /* [nunit] imputation group, or NULL */
    int ngrp;
    const double *weight;          /* [nnode] weights, or NULL: the framework's */
    /* the nominal run's decisions, set by pipeline_run */
    const struct prepare_report *held;   /* borrowed from the results */
    struct normalise_params *held_np;    /* owned */
    const uint8_t *rank_ok;        /* [RES cells] 1: may be ranked; NULL:
                                      every score may (borrowed from the
                                      results' coverage rule, set by
                                      pipeline_run) */
    const struct compare *cmp;     /* borrowed from the results, or NULL */
    uint8_t *rank_ok_own;          /* owned storage behind rank_ok */
};

struct pipeline_work {
    uint8_t *flag;                 /* [nind planes] flags after preparation
                                      (nominal and sensitivity runs; a
                                      replication leaves them alone) */
    struct prepare_report *rep;    /* what the stages did */
    struct normalise_params *np;
    struct normalise_work *nw;
    struct aggregate_work *aw;
    struct rank_plane_work *rw;
    double *buf;                   /* [nunit] a plane to rank */
    size_t *ibuf;                  /* [nyear * nunit] */
    size_t low_coverage;           /* aggregate cells missing for coverage */
    struct compare_work *cw;       /* NULL when there is nothing to recompute */
    pipeline_cells_fn reader;      /* NULL, or the score row's reader */
    void *reader_ctx;
    /* the evaluation in flight, for node_done (pipeline.c) */
    const struct pipeline *cur_p;
    const double *cur_score;
    uint16_t *cur_rank;
};

/* Notes of the nominal run (pipeline_notes.c), in the order they appear. */
void pipeline_note_preparation(struct notes *nt, const struct pipeline *p,
                               const struct prepare_report *rep, int stage);
void pipeline_note_direction(struct notes *nt, const struct framework *fw);
void pipeline_note_normalisation(struct notes *nt, const struct method *m,
                                 const struct cube *c);
void pipeline_note_fallbacks(struct notes *nt, const struct normalise_params *np,
                             const struct framework *fw);
void pipeline_note_constants(struct notes *nt, const struct normalise_params *np,
                             const struct framework *fw, const struct cube *c);
void pipeline_note_aggregation(struct notes *nt, const struct config *cfg,
                               const struct framework *fw, const struct method *lm);
void pipeline_note_coherence(struct notes *nt, const struct config *cfg, int year);
/* "name (level L)" or "level L". */
const char *pipeline_level_label(const struct config *cfg, int level, char *buf,
                                 size_t len);

/* results->coverage, rank_threshold and unranked, and p->rank_ok
 * (pipeline_cover.c). Returns 0, or -1 on ENOMEM. */
int pipeline_coverage(struct pipeline *p, struct results *r);
/* Plane ranks of score into rank, among the scores p->rank_ok allows
 * (pipeline_cover.c); buf holds a plane. */
void pipeline_rank(const struct pipeline *p, const double *score, uint16_t *rank,
                   struct pipeline_work *w);
/* The same for planes [k0, k1) only (plane k: node k / nyear, year
 * k % nyear). */
void pipeline_rank_planes(const struct pipeline *p, const double *score, uint16_t *rank,
                          size_t k0, size_t k1, struct pipeline_work *w);
void pipeline_note_ranks(struct notes *nt, const struct pipeline *p, const struct results *r);

/* results->target_score (pipeline_targets.c). Returns 0, or -1 on ENOMEM. */
int pipeline_target_scores(const struct pipeline *p, struct results *r,
                           const struct normalise_params *np);

#endif
