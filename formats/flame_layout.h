/* flame_layout.h: the frame trie and row layout behind the flame-graph SVG writer (private to formats/). */
#ifndef PPROF_FLAME_LAYOUT_H
#define PPROF_FLAME_LAYOUT_H

#include "formats.h"

#define FLAME_ROOT_NAME UINT32_MAX

/* One merged frame: the stacks sharing a path from the root. Values are
 * magnitudes, so a width is never negative whatever the sign convention of
 * the producer. Kept small (24 bytes): big profiles have millions. */
typedef struct flame_node {
    int64_t value;     /* new profile, inclusive */
    uint32_t name;     /* index into set->names; FLAME_ROOT_NAME for the root */
    uint32_t parent;
    uint32_t kids_off; /* children: tree->kids[kids_off .. next node's kids_off) */
    uint8_t flags;     /* PPROF_FRAME_* of any stack through here */
} flame_node;

typedef struct flame_tree {
    flame_node *nodes; /* nodes[0] is the root */
    size_t n_nodes;
    uint32_t *kids;    /* n_nodes - 1 entries, each node's children in display order */
    int64_t *base, *base_self; /* per node, differential sets only (else NULL) */
    const char *const *names;  /* borrowed: the text of each name id */
    size_t n_names;
} flame_tree;

/* Builds the trie of s without recursion; siblings ordered by name (byte
 * order) or by weight (heaviest first, ties by name). Fails with
 * PPROF_EINVAL on an inconsistent set, PPROF_ELIMIT or PPROF_ENOMEM. */
int flame_tree_build(flame_tree *out, const pprof_stack_set *s, bool sort_by_weight, pprof_error *err);
void flame_tree_release(flame_tree *t);

/* A trie grown frame by frame, root first: whoever walks the stacks (a
 * stack set, a profile's samples or its call tree) finds or makes each
 * frame under its caller's node, then adds the stack's value at its last
 * node. Nodes are numbered as they are made (a parent before its
 * children); the order of the walk never shows in the finished tree. */
typedef struct flame_trie {
    flame_tree *t;
    size_t cap_nodes, cap_base, cap_key;
    uint64_t *key;   /* of node i + 1: its parent and name */
    uint32_t *slots; /* index of the keys */
    size_t mask;
} flame_trie;

/* Starts out as a tree holding only the root; with_base keeps base values
 * too (differential sets). 0 or PPROF_ENOMEM (nothing to release). */
int flame_trie_init(flame_trie *b, flame_tree *out, bool with_base);
/* Room for n nodes in all, so a walk that knows about how many it makes
 * grows nothing as it goes. 0 or PPROF_ENOMEM (b unchanged, still usable). */
int flame_trie_reserve(flame_trie *b, size_t n);
/* *node: the child of parent called name, made when new; its flags gain
 * flags. 0, PPROF_ELIMIT (2^32 - 1 nodes) or PPROF_ENOMEM. */
int flame_trie_child(flame_trie *b, uint32_t *node, uint32_t parent, uint32_t name, uint8_t flags);
/* The same in parts, for a walk that looks up several stacks at once: the
 * key of (parent, name), its hash (pprof_hash_u64), a prefetch of where
 * the lookup starts, and the lookup. */
static inline uint64_t flame_trie_key(uint32_t parent, uint32_t name)
{
    return (uint64_t)parent << 32 | name;
}
static inline void flame_trie_prefetch(const flame_trie *b, uint64_t hash)
{
    __builtin_prefetch(&b->slots[hash & b->mask]);
}
/* Then, once the slot is in, of the key it points to. */
static inline void flame_trie_prefetch_key(const flame_trie *b, uint64_t hash)
{
    uint32_t c = b->slots[hash & b->mask];
    if (c)
        __builtin_prefetch(&b->key[c - 1]);
}
int flame_trie_find(flame_trie *b, uint32_t *node, uint64_t key, uint64_t hash, uint8_t flags);
/* Adds magnitudes to the node's own value (saturating). */
void flame_trie_add(flame_trie *b, uint32_t node, int64_t value, int64_t base);
/* Sums the subtrees and orders each node's children as flame_tree_build
 * does, names[id] being the text of name id (n_names of them, borrowed
 * by the tree), rank[id] (or NULL) its place in their byte order. The
 * tree is complete, or released on failure (PPROF_ENOMEM); b is done with
 * either way. */
int flame_trie_finish(flame_trie *b, const char *const *names, size_t n_names, const uint32_t *rank,
                      bool sort_by_weight);
/* Drops a trie that will not be finished, with its tree. */
void flame_trie_abort(flame_trie *b);

/* The flame tree of p's samples under o (value column, granularity,
 * inlining) made directly from p, without a stack set: from p's cached
 * call tree when it has one, else from its samples, each frame found in
 * the trie as it is walked. *names gets a set holding the frame names
 * (ids as in t), unit, type and total but no stacks. Applies when the
 * stacks' values and their sums are exact and of one sign, as their
 * magnitudes are then the same summed before or after grouping stacks by
 * frame path: no -mean, no -diff_base base samples, one sign in the
 * column, a sum of magnitudes that fits. Otherwise returns 0 with *names
 * NULL (pprof_stacks_build applies). 0, or an error with nothing to free. */
int flame_tree_of_profile(pprof_stack_set **names, flame_tree *t, const pprof_profile *p,
                          const pprof_report_options *o, pprof_error *err);

static inline uint32_t flame_n_kids(const flame_tree *t, uint32_t i)
{
    uint32_t end = i + 1 < t->n_nodes ? t->nodes[i + 1].kids_off : (uint32_t)(t->n_nodes - 1);
    return end - t->nodes[i].kids_off;
}

/* The node's own value: inclusive minus its children. */
static inline int64_t flame_self(const flame_tree *t, uint32_t i)
{
    int64_t v = t->nodes[i].value;
    uint32_t n = flame_n_kids(t, i);
    for (uint32_t j = 0; j < n; j++)
        v -= t->nodes[t->kids[t->nodes[i].kids_off + j]].value;
    return v;
}

enum {
    FLAME_FRAME,  /* a node */
    FLAME_ELIDED, /* the children of node narrower than the minimum width, summed */
    FLAME_GONE    /* the children of node present only in the base profile */
};

typedef struct flame_item {
    int64_t x, w;   /* offset and width in value units */
    int64_t base;   /* base value (summed for ELIDED and GONE) */
    uint32_t node;  /* FRAME: the node; ELIDED, GONE: their parent */
    uint32_t depth; /* row: 0 is the root */
    uint32_t count; /* ELIDED, GONE: how many children they stand for */
    uint8_t kind;
} flame_item;

/* The items row by row (root row first), left to right within a row, with
 * GONE markers last in their row so that they paint on top. */
typedef struct flame_layout {
    flame_item *items;
    size_t n_items;
    uint32_t n_rows;
    size_t *row_off; /* n_rows + 1 offsets into items */
} flame_layout;

/* Lays out t: children of a kept node are packed from its left edge, each
 * as wide as its value; those with value < min_value become one ELIDED item
 * after them. Iterative, O(nodes). */
int flame_layout_build(flame_layout *out, const flame_tree *t, double min_value, pprof_error *err);
void flame_layout_release(flame_layout *l);

#endif
