/* graph_private.h: what the lib/graph*.c files share: the builder's state, its working nodes and edges, and the steps each file provides. */
#ifndef PPROF_GRAPH_PRIVATE_H
#define PPROF_GRAPH_PRIVATE_H

#include "internal.h"

static inline int64_t graph_abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static inline void graph_add_sat(int64_t *dst, int64_t v, bool *overflow)
{
    if (__builtin_add_overflow(*dst, v, dst)) {
        *dst = v > 0 ? INT64_MAX : INT64_MIN;
        *overflow = true;
    }
}

/* Go's float64 to int64 conversion on amd64: NaN and out of range give
 * the smallest int64 (C leaves them undefined). */
static inline int64_t graph_go_int64(double x)
{
    return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
}

/* Values of one working node. */
typedef struct node_acc {
    int64_t flat, flat_div, cum, cum_div;
} node_acc;

/* An edge between two working nodes. */
typedef struct edge_rec {
    uint32_t src, dst;
    int64_t w, wd;
    uint32_t stamp; /* last sample that added to it */
    bool residual, is_inline;
} edge_rec;

typedef struct graph_tags graph_tags;

/* One block the builder's small working tables are cut from (graph.c). */
typedef struct graph_scratch {
    char *base;
    size_t used, size;
} graph_scratch;

/* n bytes (zeroed when zero) from s when it has room, else from malloc;
 * NULL when out of memory. s may be NULL. Freed with graph_scratch_free
 * (a no-op for what came from s, freed with it). */
void *graph_scratch_alloc(graph_scratch *s, size_t n, bool zero);
void graph_scratch_free(const graph_scratch *s, void *p);

/* The builder. Working nodes are the nodemap's nodes, or with call_tree one
 * per distinct call path (info_of then names each one's nodemap node). */
typedef struct gb {
    const pprof_profile *p;
    const pprof_graph_options *opt;
    pprof_graph *g;
    pprof_nodemap *nm;
    const pprof_node_info *info;
    size_t n_nodes; /* nodemap nodes */
    const uint32_t *loc_off;
    const uint32_t *loc_nodes;
    int si;
    bool overflow;
    /* The rows the accumulation passes walk: the samples, or with an index
     * the distinct stacks with their summed values (the same sums). */
    const pprof_stack_index *stacks;
    size_t n_rows;
    char **names; /* printable name per nodemap node */
    pprof_node_texts *texts; /* or each one's text, made once for the profile (borrowed) */

    size_t n_work;
    uint32_t *info_of; /* call tree: nodemap node of each working node */
    node_acc *acc;     /* per working node */
    bool *kept;        /* per working node */
    bool *hidden;      /* per working node, or NULL: in the edge passes (kept)
                        * but not a node of the graph (pprof_graph.n_hidden) */
    size_t n_hidden;
    size_t n_others; /* matched_first: the kept nodes not tracked (nor hidden) */

    /* nodemap-graph passes */
    bool *track;
    bool track_src;        /* edges out of tracked nodes count too (edges_of) */
    size_t n_tracked;      /* with track_src: how many nodes are tracked */
    uint8_t *sample_edges; /* per sample: has a tracked node */
    uint32_t *loc_single;  /* per location: its only node, or PPROF_NONE */
    edge_rec *edges;
    size_t n_edges, cap_edges;
    uint32_t *edge_slots; /* hash (src,dst) -> edge index + 1 */
    uint32_t *last_edge;  /* per working node: its in-edge found last (PPROF_NONE) */
    uint32_t *last_edge_two; /* the same for a second thread's part, kept from pass to pass */
    bool split;           /* the node pass ran on two threads, with sums that
                           * cannot saturate: the edge passes may split too */
    size_t edge_mask;

    /* call tree: each path's parent, its current parent (after trimming)
     * and the edge into it */
    uint32_t *parent, *up;
    bool *has_in, *in_residual, *in_inline;
    int64_t *in_w, *in_wd;
    uint32_t *tree_slots; /* hash (parent, nodemap node) -> working node + 1 */
    size_t tree_mask, cap_work;

    graph_tags *tags; /* visual mode: nodelets of the candidate nodes */
    /* the samples the tag passes visit (those with labels and locations,
     * ascending), and the copy made for this graph if any */
    const uint32_t *tag_rows;
    size_t n_tag_rows;
    uint32_t *own_tag_rows;
    graph_scratch *scratch; /* (shared with copies of the builder) or NULL */
} gb;

/* Row r's sample (for its locations) and its values. */
static inline const pprof_sample *graph_row_sample(const gb *b, size_t r)
{
    return &b->p->samples[b->stacks ? b->stacks->first[r] : r];
}

static inline const int64_t *graph_row_values(const gb *b, size_t r)
{
    return (b->stacks ? b->stacks->values : b->p->values) + r * b->p->n_sample_types;
}

/* ---------------------------------------------------------------- graph.c */

/* The bits set in x, without the popcnt instruction. __builtin_popcountll
 * is a call into libgcc on the baseline x86-64 this builds for: on
 * big100k.pb.gz 9 million instructions of -top's edge passes and 19
 * million of -dot's, calls and table look-ups this does inline. */
static inline uint32_t graph_popcount64_soft(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555u;
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (uint32_t)((x * 0x0101010101010101u) >> 56);
}

/* Whether the processor has the popcnt instruction (a flag libgcc sets
 * at start). The edge passes rank each kept frame's location with it:
 * on deep.pb.gz (-dot's first pass: 6.1 million kept frames) each part
 * of that pass took 21.5 -> 17.5 ms. */
static inline bool graph_have_popcnt(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    return __builtin_cpu_supports("popcnt");
#else
    return false;
#endif
}

/* The bits set in x: with hw (graph_have_popcnt()), one popcnt
 * instruction, else graph_popcount64_soft. (A loop that counts often
 * asks graph_have_popcnt once and passes it as a constant.) */
__attribute__((always_inline)) static inline uint32_t graph_popcount64_as(uint64_t x, bool hw)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (hw) {
        uint64_t r;
        __asm__("popcnt %1, %0" : "=r"(r) : "r"(x) : "cc");
        return (uint32_t)r;
    }
#else
    (void)hw;
#endif
    return graph_popcount64_soft(x);
}

/* The bits set in x, with graph_have_popcnt asked at each call (where
 * counts are few: a set's ranks, a location's number outside the passes). */
static inline uint32_t graph_popcount64(uint64_t x)
{
    return graph_popcount64_as(x, graph_have_popcnt());
}

/* ---------------------------------------------------------------- graph_order.c */

/* pprof's entropy score (EntropyOrder) of the k working nodes listed in
 * nodes, into out[0..k), from the edges b->edges[0..n_edges): favours
 * entry and leaf nodes and nodes whose in or out weight is spread over
 * many edges. */
int graph_entropy_scores(int64_t *out, const gb *b, const uint32_t *nodes, size_t k);

/* pprof's RemoveRedundantEdges on the emitted graph: from the last node
 * up, drops residual in-edges (lightest first, stopping at the first
 * non-residual one) whose source still reaches the node another way.
 * names are the nodes' printable names. */
int graph_remove_redundant_edges(pprof_graph *g, char *const *names);

/* (Re)builds the in/out edge index arrays of g from g->edges. */
int graph_index_edges(pprof_graph *g);

/* ---------------------------------------------------------------- graph_tree.c */

/* Builds the call tree of the profile: working nodes, their flat and cum,
 * and the edge into each from its parent. */
int graph_tree_build(gb *b);

/* pprof's TrimTree: each kept node hangs from its nearest kept ancestor
 * (a residual edge, inline only if every skipped edge was), or becomes a
 * root when the path up meets a removed root. */
void graph_tree_trim(gb *b);

/* Drops in-edges lighter than cutoff; returns how many. */
size_t graph_tree_trim_edges(gb *b, int64_t cutoff);

/* Fills b->edges with the tree's current edges. */
int graph_tree_edges(gb *b);

/* Feeds every labelled sample's path nodes to b->tags. */
int graph_tree_tags(gb *b);

/* ---------------------------------------------------------------- graph_tags.c */

/* Tag accumulation for the working nodes marked in want (n_work of them):
 * label tags keyed by the sample's sorted "key:value" set (pprof::base
 * left out), numeric tags (only "bytes" ones, as pprof) by that set and
 * the value formatted in unit. */
int graph_tags_new(graph_tags **out, const gb *b, const bool *want, const char *unit);
void graph_tags_free(graph_tags *t);

/* Starts sample s; false when it has no labels (nothing to add). */
int graph_tags_sample(graph_tags *t, size_t s, bool *has_labels);
/* Feeds sample s's labels to b->tags when they count (the sample has a
 * stack and a value); *has tells whether it had any to count. */
int graph_tags_take(gb *b, size_t s, bool *has);

/* Adds the current sample to node's tags (cum, or flat for its leaf);
 * nothing for a node not wanted. */
int graph_tags_add(graph_tags *t, uint32_t node, bool flat);
/* The wanted nodes are numbered 0 .. graph_tags_n_wanted - 1 in node
 * order: graph_tags_wanted is a node's number (PPROF_NONE: not wanted),
 * graph_tags_add_wanted adds to the tags of wanted node wi. */
uint32_t graph_tags_wanted(const graph_tags *t, uint32_t node);
size_t graph_tags_n_wanted(const graph_tags *t);
int graph_tags_add_wanted(graph_tags *t, uint32_t wi, bool flat);
/* Pruning: graph_tags_weigh after each graph_tags_sample of a first pass
 * over the samples, then graph_tags_prune: from then on, samples and tags
 * that cannot reach the cutoff are left out. */
int graph_tags_weigh(graph_tags *t);
void graph_tags_prune(graph_tags *t, int64_t cutoff);
/* Before the first pass: weighs each label value over the samples, and
 * from then on leaves out the samples holding a value under cutoff (their
 * label set, and so each of their tags, is under it too). */
int graph_tags_bound(graph_tags *t, int64_t cutoff);

/* Tags of node that survive the cutoff (|flat| or |cum| >= cutoff) and
 * have a flat value: pprof's countTags after TrimLowFrequencyTags. */
size_t graph_tags_count(const graph_tags *t, uint32_t node, int64_t cutoff);

/* Moves the surviving tags of the emitted nodes (working node of output
 * node i: work_of[i]) into g, with the strings they use. */
int graph_tags_emit(graph_tags *t, pprof_graph *g, const uint32_t *work_of, size_t n, int64_t cutoff);

#endif
