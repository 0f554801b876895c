/* graph_tree.c: pprof's call_tree graph: one node per distinct call path, and TrimTree, which hangs kept nodes from their nearest kept ancestor. */
#include "graph_private.h"

#include <stdlib.h>

static uint64_t path_hash(uint32_t parent, uint32_t info)
{
    return pprof_hash_u64((uint64_t)parent << 32 | info);
}

static uint64_t tree_entry_hash(const void *ctx, size_t i)
{
    const gb *b = ctx;
    return path_hash(b->parent[i], b->info_of[i]);
}

static int tree_rehash(gb *b, size_t slots)
{
    return pprof_slots_rebuild(&b->tree_slots, &b->tree_mask, slots, b->n_work, tree_entry_hash, b);
}

/* The working node of path parent -> info, or PPROF_NONE. */
static uint32_t tree_find(const gb *b, uint32_t parent, uint32_t info)
{
    size_t h = path_hash(parent, info) & b->tree_mask;
    for (uint32_t e; (e = b->tree_slots[h]); h = (h + 1) & b->tree_mask)
        if (b->parent[e - 1] == parent && b->info_of[e - 1] == info)
            return e - 1;
    return PPROF_NONE;
}

/* Room for one more tree node in each of the parallel arrays: the
 * toolkit's growth (its capacity depends only on the count, so every
 * array ends with the same cap_work). */
static int grow_work(gb *b)
{
    size_t need = b->n_work + 1, cap;
    if (need > UINT32_MAX - 1)
        return PPROF_ELIMIT;
#define GROW(f) (cap = b->cap_work, PPROF_GROW(b->f, cap, need))
    if (GROW(info_of) || GROW(up) || GROW(parent) || GROW(acc) || GROW(kept) || GROW(has_in) || GROW(in_residual) ||
        GROW(in_inline) || GROW(in_w) || GROW(in_wd))
        return PPROF_ENOMEM;
#undef GROW
    b->cap_work = cap;
    return 0;
}

/* The child of parent for nodemap node info, made when new. */
static int tree_child(gb *b, uint32_t parent, uint32_t info, uint32_t *out)
{
    uint32_t n = tree_find(b, parent, info);
    if (n != PPROF_NONE) {
        *out = n;
        return 0;
    }
    if (b->n_work == b->cap_work) {
        int rc = grow_work(b);
        if (rc)
            return rc;
    }
    n = (uint32_t)b->n_work++;
    b->info_of[n] = info;
    b->up[n] = b->parent[n] = parent;
    memset(&b->acc[n], 0, sizeof b->acc[n]);
    b->kept[n] = 1;
    b->has_in[n] = parent != PPROF_NONE;
    b->in_residual[n] = false;
    b->in_inline[n] = true;
    b->in_w[n] = b->in_wd[n] = 0;
    *out = n;
    if ((b->n_work + 1) * 2 > b->tree_mask + 1)
        return tree_rehash(b, (b->tree_mask + 1) * 2);
    size_t h = path_hash(parent, info) & b->tree_mask;
    while (b->tree_slots[h])
        h = (h + 1) & b->tree_mask;
    b->tree_slots[h] = n + 1;
    return 0;
}

int graph_tree_build(gb *b)
{
    const pprof_profile *p = b->p;
    int rc = grow_work(b);
    if (!rc)
        rc = tree_rehash(b, 4096);
    for (size_t r = 0; r < b->n_rows && !rc; r++) {
        const pprof_sample *sm = graph_row_sample(b, r);
        const int64_t *v = graph_row_values(b, r);
        int64_t w = v[b->si];
        int64_t dw = b->opt->mean ? v[0] : 0;
        if (w == 0 && dw == 0 && !b->stacks) /* a stack's samples are all non-zero */
            continue;
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
        uint32_t parent = PPROF_NONE;
        for (size_t i = sm->n_locs; i-- > 0 && !rc;) {
            uint32_t L = locs[i];
            uint32_t lo = b->loc_off[L], hi = b->loc_off[L + 1];
            for (uint32_t k = hi; k-- > lo;) {
                uint32_t n;
                if ((rc = tree_child(b, parent, b->loc_nodes[k], &n)))
                    break;
                graph_add_sat(&b->acc[n].cum, w, &b->overflow);
                graph_add_sat(&b->acc[n].cum_div, dw, &b->overflow);
                if (parent != PPROF_NONE) {
                    graph_add_sat(&b->in_w[n], w, &b->overflow);
                    graph_add_sat(&b->in_wd[n], dw, &b->overflow);
                    b->in_inline[n] &= k != hi - 1;
                }
                parent = n;
            }
        }
        if (!rc && parent != PPROF_NONE) {
            graph_add_sat(&b->acc[parent].flat, w, &b->overflow);
            graph_add_sat(&b->acc[parent].flat_div, dw, &b->overflow);
        }
    }
    return rc;
}

void graph_tree_trim(gb *b)
{
    /* Removed nodes keep their links, so the walk up sees the tree as it
     * was, whatever the order nodes are visited in. */
    for (size_t i = 0; i < b->n_work; i++) {
        if (!b->kept[i] || !b->has_in[i])
            continue;
        uint32_t u = b->up[i];
        bool residual = b->in_residual[i], inl = b->in_inline[i];
        while (!b->kept[u]) {
            if (!b->has_in[u]) {
                u = PPROF_NONE;
                break;
            }
            inl = inl && b->in_inline[u];
            residual = true;
            u = b->up[u];
        }
        if (u == PPROF_NONE) {
            b->has_in[i] = false;
            continue;
        }
        b->up[i] = u;
        b->in_residual[i] = residual;
        b->in_inline[i] = inl;
    }
}

size_t graph_tree_trim_edges(gb *b, int64_t cutoff)
{
    size_t dropped = 0;
    for (size_t i = 0; i < b->n_work; i++) {
        if (b->kept[i] && b->has_in[i] && graph_abs64(b->in_w[i]) < cutoff) {
            b->has_in[i] = false;
            dropped++;
        }
    }
    return dropped;
}

int graph_tree_edges(gb *b)
{
    b->n_edges = 0;
    for (size_t i = 0; i < b->n_work; i++) {
        if (!b->kept[i] || !b->has_in[i])
            continue;
        if (PPROF_GROW(b->edges, b->cap_edges, b->n_edges + 1))
            return PPROF_ENOMEM;
        edge_rec *r = &b->edges[b->n_edges++];
        r->src = b->up[i];
        r->dst = (uint32_t)i;
        r->w = b->in_w[i];
        r->wd = b->in_wd[i];
        r->stamp = 0;
        r->residual = b->in_residual[i];
        r->is_inline = b->in_inline[i];
    }
    return 0;
}

int graph_tree_tags(gb *b)
{
    const pprof_profile *p = b->p;
    for (size_t r = 0; r < b->n_tag_rows; r++) {
        size_t s = b->tag_rows[r];
        const pprof_sample *sm = &p->samples[s];
        bool has;
        int rc = graph_tags_take(b, s, &has);
        if (rc)
            return rc;
        if (!has)
            continue;
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
        uint32_t parent = PPROF_NONE;
        for (size_t i = sm->n_locs; i-- > 0;) {
            uint32_t L = locs[i];
            for (uint32_t k = b->loc_off[L + 1]; k-- > b->loc_off[L];) {
                uint32_t n = tree_find(b, parent, b->loc_nodes[k]);
                if (n == PPROF_NONE)
                    return PPROF_EINVAL; /* the tree was built from these samples */
                if ((rc = graph_tags_add(b->tags, n, false)))
                    return rc;
                parent = n;
            }
        }
        if ((rc = graph_tags_add(b->tags, parent, true)))
            return rc;
    }
    return 0;
}
