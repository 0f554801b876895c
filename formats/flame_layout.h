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
    int64_t gcd;       /* of all stack values, so widths print as small integers */
} flame_tree;

/* Builds the trie of s without recursion; siblings ordered by name (byte
 * order) or by weight (heaviest first, ties by name). Fails with
 * PPROF_EINVAL on an inconsistent set, PPROF_ELIMIT or PPROF_ENOMEM. */
int flame_tree_build(flame_tree *out, const pprof_stack_set *s, bool sort_by_weight, pprof_error *err);
void flame_tree_release(flame_tree *t);

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
