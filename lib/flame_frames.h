/* flame_frames.h: the frame names of folded stacks and flame graphs: each location's frames (outermost first) as ids of distinct names, made as a walk first needs them or all at once, and kept in a loaded profile's index for the web UI. */
#ifndef PPROF_FLAME_FRAMES_H
#define PPROF_FLAME_FRAMES_H

#include "internal.h"

/* A location's frames in pprof_frames.loc_frames: the name id of its only
 * frame, or PPROF_FRAMES_MULTI | offset of its entry in multi (count,
 * then the name ids, outermost first); PPROF_NONE before its first use. */
#define PPROF_FRAMES_MULTI 0x80000000u

typedef struct pprof_frames {
    const pprof_nodemap *nm; /* borrowed: the node identity the names are of */
    bool lines;              /* "function:line" frames (line granularity) */
    pprof_node_texts *texts; /* nm's node texts (a reference), or NULL: names made from them */
    bool borrowed;           /* names point into texts instead of being copies */
    char **names;            /* distinct frame names, NUL-terminated (owned unless borrowed) */
    size_t n_names, cap_names;
    uint32_t *name_slots;    /* name index: id + 1 */
    size_t name_mask;
    uint32_t *node_name;     /* per nodemap node: its name id, or PPROF_NONE (NULL once complete) */
    uint32_t *loc_frames;    /* per location of the profile: see PPROF_FRAMES_MULTI */
    uint32_t *multi;
    size_t n_multi, cap_multi;
    uint32_t *rank;          /* pprof_frames_complete: per name, its place in byte order */
    pprof_buf scratch;
} pprof_frames;

/* Frames of nm's profile with none made yet; lines: at line granularity.
 * texts (or NULL), the texts of nm's nodes (pprof_stack_index_texts), are
 * read instead of making each node's text again (not at line
 * granularity, whose frames are "function:line"); with borrow the names
 * point into them (f keeps a reference) instead of being copied. 0 or
 * PPROF_ENOMEM (f released). */
int pprof_frames_init(pprof_frames *f, const pprof_nodemap *nm, bool lines, pprof_node_texts *texts, bool borrow);
void pprof_frames_release(pprof_frames *f);
/* Room for about n names, made at once instead of as the names come. */
void pprof_frames_reserve_names(pprof_frames *f, size_t n);
/* *out: the name id of nodemap node `node`, made on first use. 0,
 * PPROF_ENOMEM or PPROF_ELIMIT (ids reaching PPROF_FRAMES_MULTI). */
int pprof_frames_node(pprof_frames *f, uint32_t node, uint32_t *out);
/* *out: loc_frames[L], made on first use (then also in f->loc_frames). */
int pprof_frames_location(pprof_frames *f, uint32_t L, uint32_t *out);
/* Makes the frames of every location, and the names' ranks; f is then
 * only read (its name index and node_name are gone). */
int pprof_frames_complete(pprof_frames *f);

/* The complete frames kept in p's index (pprof_profile_index_frames) for
 * graph options opt (whose node identity is the index's, without noinlines
 * or anything else that names frames differently), or NULL. */
const pprof_frames *pprof_profile_frames(const pprof_profile *p, const pprof_graph_options *opt);

#endif
