/* stack_index.c: the samples grouped by location list (each distinct stack once, with its summed values), so graph passes walk distinct stacks instead of samples. */
#include "flame_frames.h"
#include "internal.h"

#include <stdlib.h>

static void add_sat(int64_t *dst, int64_t v)
{
    if (__builtin_add_overflow(*dst, v, dst))
        *dst = v > 0 ? INT64_MAX : INT64_MIN;
}

typedef struct builder {
    pprof_stack_index *x;
    uint64_t *hash; /* per stack */
    size_t cap;
} builder;

static uint64_t stack_hash(const void *ctx, size_t i)
{
    return ((const builder *)ctx)->hash[i];
}

void pprof_stack_index_free(pprof_stack_index *x)
{
    if (!x)
        return;
    free(x->first);
    free(x->stack_of);
    free(x->values);
    free(x->tree_loc);
    free(x->tree_parent);
    free(x->stack_leaf);
    free(x->tree_own);
    free(x->tree_sum);
    free(x->labelled);
    pprof_frames_release(x->frames);
    free(x->frames);
    /* (a nodemap with texts is theirs) */
    if (x->texts)
        pprof_node_texts_unref(x->texts);
    else
        pprof_nodemap_free(x->nodemap);
    if (x->texts_lines)
        pprof_node_texts_unref(x->texts_lines);
    else
        pprof_nodemap_free(x->nodemap_lines);
    free(x);
}

int pprof_stack_index_build(pprof_stack_index **out, const pprof_profile *p)
{
    *out = NULL;
    size_t nt = p->n_sample_types, ns = p->n_samples;
    if (ns > UINT32_MAX - 1)
        return PPROF_ELIMIT;
    pprof_stack_index *x = calloc(1, sizeof *x);
    if (!x)
        return PPROF_ENOMEM;
    x->n_types = nt;
    x->n_samples = ns;
    x->n_sample_locs = p->n_sample_locs;
    x->samples = p->samples;
    x->sample_values = p->values;
    if (nt == 0) { /* nothing to sum: no index is usable */
        *out = x;
        return 0;
    }
    builder b = {.x = x};
    uint32_t *slots = NULL;
    size_t mask = 0, cap_values = 0, cap_first = 0, cap_labelled = 0;
    int rc = pprof_slots_rebuild(&slots, &mask, 4096, 0, stack_hash, &b);
    /* Sums of magnitudes per type: when one fits, no order of additions
     * of that type's values can saturate. */
    uint64_t *abs_sum = calloc(nt ? nt : 1, sizeof *abs_sum);
    if (!abs_sum)
        rc = PPROF_ENOMEM;
    x->stack_of = malloc((ns ? ns : 1) * sizeof *x->stack_of);
    if (!x->stack_of)
        rc = PPROF_ENOMEM;
    uint64_t zero = 0; /* bit t: some sample has value 0 in type t */
    for (size_t s = 0; s < ns && !rc; s++) {
        const pprof_sample *sm = &p->samples[s];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        const int64_t *v = p->values + s * nt;
        if (sm->n_labels && sm->n_locs) {
            if (PPROF_GROW(x->labelled, cap_labelled, x->n_labelled + 1)) {
                rc = PPROF_ENOMEM;
                break;
            }
            x->labelled[x->n_labelled++] = (uint32_t)s;
        }
        for (size_t t = 0; t < nt && t < 64; t++) {
            zero |= (uint64_t)(v[t] == 0) << t;
            int64_t a = v[t] < 0 ? (v[t] == INT64_MIN ? INT64_MAX : -v[t]) : v[t];
            if (__builtin_add_overflow(abs_sum[t], (uint64_t)a, &abs_sum[t]))
                abs_sum[t] = UINT64_MAX;
        }
        uint64_t hv = pprof_hash_u32s(locs, sm->n_locs);
        size_t h = hv & mask;
        uint32_t found = PPROF_NONE;
        for (; slots[h]; h = (h + 1) & mask) {
            uint32_t k = slots[h] - 1;
            const pprof_sample *o = &p->samples[x->first[k]];
            if (b.hash[k] == hv && o->n_locs == sm->n_locs &&
                (sm->n_locs == 0 || memcmp(pprof_sample_locs(p, o), locs, sm->n_locs * sizeof *locs) == 0)) {
                found = k;
                break;
            }
        }
        if (found == PPROF_NONE) {
            size_t n = x->n_stacks;
            if (PPROF_GROW(x->first, cap_first, n + 1) || PPROF_GROW(b.hash, b.cap, n + 1) ||
                PPROF_GROW(x->values, cap_values, (n + 1) * nt)) {
                rc = PPROF_ENOMEM;
                break;
            }
            x->first[n] = (uint32_t)s;
            x->n_stack_locs += sm->n_locs;
            b.hash[n] = hv;
            memset(x->values + n * nt, 0, nt * sizeof *x->values);
            slots[h] = (uint32_t)n + 1;
            found = (uint32_t)n;
            x->n_stacks = n + 1;
            if (x->n_stacks * 2 > mask + 1)
                rc = pprof_slots_rebuild(&slots, &mask, (mask + 1) * 2, x->n_stacks, stack_hash, &b);
        }
        x->stack_of[s] = found;
        int64_t *sum = x->values + (size_t)found * nt;
        for (size_t t = 0; t < nt; t++)
            if (__builtin_add_overflow(sum[t], v[t], &sum[t]))
                sum[t] = v[t] > 0 ? INT64_MAX : INT64_MIN;
    }
    if (!rc && !x->labelled && !(x->labelled = malloc(sizeof *x->labelled))) /* (made, if empty) */
        rc = PPROF_ENOMEM;
    for (size_t t = 0; t < nt && t < 64 && !rc; t++)
        if (abs_sum[t] <= INT64_MAX && !(zero >> t & 1))
            x->usable |= (uint64_t)1 << t;
    free(abs_sum);
    free(slots);
    free(b.hash);
    if (rc) {
        pprof_stack_index_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

bool pprof_stack_index_describes(const pprof_stack_index *x, const pprof_profile *p)
{
    return x && x->n_types == p->n_sample_types && x->n_samples == p->n_samples &&
           x->n_sample_locs == p->n_sample_locs && x->samples == p->samples && x->sample_values == p->values;
}

bool pprof_stack_index_fits(const pprof_stack_index *x, const pprof_profile *p, int sample_index, bool mean)
{
    if (!pprof_stack_index_describes(x, p))
        return false;
    if (sample_index < 0 || sample_index >= 64 || (size_t)sample_index >= x->n_types)
        return false;
    return (x->usable >> sample_index & 1) && (!mean || (x->usable & 1));
}

pprof_stack_index *pprof_profile_take_index(pprof_profile *p)
{
    pprof_stack_index *x = p->internal->stacks;
    p->internal->stacks = NULL;
    if (x && !pprof_stack_index_describes(x, p)) {
        pprof_stack_index_free(x);
        x = NULL;
    }
    return x;
}

void pprof_profile_put_index(pprof_profile *p, pprof_stack_index *x)
{
    pprof_profile_changed(p);
    p->internal->stacks = x;
}

/* n elements of `size` bytes (at least one), or NULL. */
static void *alloc_n(size_t n, size_t size)
{
    return malloc((n ? n : 1) * size);
}

/* The index's arrays are made anew for the kept stacks, not rewritten in
 * place, and the old ones retired (pprof_profile_retire): they are usually
 * shared with the process that forked this one (a web UI view), where each
 * page written would be copied, a fault and a flush of the TLB each. */
int pprof_stack_index_keep(pprof_stack_index **xp, pprof_profile *p, const uint8_t *keep)
{
    pprof_stack_index *x = *xp;
    size_t nt = x->n_types, ns = x->n_stacks, nn = x->n_tree;
    uint32_t *renum = alloc_n(ns, sizeof *renum);
    uint32_t *tree_id = nn ? malloc(nn * sizeof *tree_id) : NULL;
    int rc = renum && (!nn || tree_id) ? 0 : PPROF_ENOMEM;
    /* The counts first: kept stacks, samples, labelled samples, nodes. */
    size_t kept = 0, n = 0, n_lab = 0, m = 0;
    for (size_t k = 0; k < ns && !rc; k++)
        renum[k] = keep[k] ? (uint32_t)n++ : PPROF_NONE;
    for (size_t i = 0; i < x->n_samples && !rc; i++)
        kept += renum[x->stack_of[i]] != PPROF_NONE;
    for (size_t j = 0; j < x->n_labelled && !rc; j++)
        n_lab += renum[x->stack_of[x->labelled[j]]] != PPROF_NONE;
    /* Tree: the nodes on a kept stack's path. Up from the kept leaves:
     * children come after their parent (in preorder), so one backward pass
     * marks every node above one without chasing each path. */
    if (nn && !rc) {
        memset(tree_id, 0, nn * sizeof *tree_id);
        for (size_t k = 0; k < ns; k++)
            if (keep[k] && x->stack_leaf[k] != PPROF_NONE)
                tree_id[x->stack_leaf[k]] = 1;
        for (size_t t = nn; t-- > 0;)
            if (tree_id[t] && x->tree_parent[t] != PPROF_NONE)
                tree_id[x->tree_parent[t]] = 1;
        for (size_t t = 0; t < nn; t++)
            tree_id[t] = tree_id[t] ? (uint32_t)m++ : PPROF_NONE;
    }
    pprof_stack_index y = *x;
    y.stack_of = alloc_n(kept, sizeof *y.stack_of);
    y.first = alloc_n(n, sizeof *y.first);
    y.values = alloc_n(n * nt, sizeof *y.values);
    y.labelled = alloc_n(n_lab, sizeof *y.labelled);
    if (nn) {
        y.stack_leaf = alloc_n(n, sizeof *y.stack_leaf);
        y.tree_loc = alloc_n(m, sizeof *y.tree_loc);
        y.tree_parent = alloc_n(m, sizeof *y.tree_parent);
        y.tree_own = alloc_n(m * nt, sizeof *y.tree_own);
        y.tree_sum = alloc_n(m * nt, sizeof *y.tree_sum);
    }
    if (!y.stack_of || !y.first || !y.values || !y.labelled ||
        (nn && (!y.stack_leaf || !y.tree_loc || !y.tree_parent || !y.tree_own || !y.tree_sum)))
        rc = PPROF_ENOMEM;
    if (rc) {
        free(y.stack_of), free(y.first), free(y.values), free(y.labelled);
        if (nn)
            free(y.stack_leaf), free(y.tree_loc), free(y.tree_parent), free(y.tree_own), free(y.tree_sum);
        free(renum);
        free(tree_id);
        pprof_stack_index_free(x);
        *xp = NULL;
        return PPROF_ENOMEM;
    }
    /* Samples: the kept ones in order, as the filter keeps them (and the
     * labelled ones among them, renumbered alike). */
    size_t w = 0, lab = 0, wl = 0;
    for (size_t i = 0; i < x->n_samples; i++) {
        uint32_t k = x->stack_of[i];
        bool labelled = lab < x->n_labelled && x->labelled[lab] == i;
        lab += labelled;
        if (renum[k] == PPROF_NONE)
            continue;
        if (labelled)
            y.labelled[wl++] = (uint32_t)w;
        if (x->first[k] == i)
            y.first[renum[k]] = (uint32_t)w;
        y.stack_of[w++] = renum[k];
    }
    /* Stacks: the kept ones in order. */
    y.n_stack_locs = 0;
    for (size_t k = 0; k < ns; k++) {
        uint32_t to = renum[k];
        if (to == PPROF_NONE)
            continue;
        memcpy(y.values + (size_t)to * nt, x->values + k * nt, nt * sizeof *y.values);
        if (nn)
            y.stack_leaf[to] = x->stack_leaf[k] == PPROF_NONE ? PPROF_NONE : tree_id[x->stack_leaf[k]];
        y.n_stack_locs += p->samples[y.first[to]].n_locs;
    }
    y.n_stacks = n;
    y.n_samples = kept;
    y.n_labelled = n_lab;
    /* Tree: the kept nodes, still in preorder, their sums made again. */
    if (nn) {
        for (size_t t = 0; t < nn; t++) {
            uint32_t to = tree_id[t], up = x->tree_parent[t];
            if (to == PPROF_NONE)
                continue;
            y.tree_loc[to] = x->tree_loc[t];
            y.tree_parent[to] = up == PPROF_NONE ? PPROF_NONE : tree_id[up];
        }
        memset(y.tree_own, 0, m * nt * sizeof *y.tree_own);
        for (size_t k = 0; k < n; k++) {
            if (y.stack_leaf[k] == PPROF_NONE)
                continue;
            int64_t *own = y.tree_own + (size_t)y.stack_leaf[k] * nt;
            for (size_t v = 0; v < nt; v++)
                add_sat(&own[v], y.values[k * nt + v]);
        }
        memcpy(y.tree_sum, y.tree_own, m * nt * sizeof *y.tree_sum);
        for (size_t t = m; t-- > 0;) {
            uint32_t up = y.tree_parent[t];
            if (up != PPROF_NONE)
                for (size_t v = 0; v < nt; v++)
                    add_sat(&y.tree_sum[(size_t)up * nt + v], y.tree_sum[t * nt + v]);
        }
        y.n_tree = m;
        void *const old_tree[] = {x->stack_leaf, x->tree_loc, x->tree_parent, x->tree_own, x->tree_sum};
        for (size_t i = 0; i < sizeof old_tree / sizeof *old_tree; i++)
            pprof_profile_retire(p, old_tree[i]);
    }
    void *const old[] = {x->stack_of, x->first, x->values, x->labelled};
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        pprof_profile_retire(p, old[i]);
    *x = y;
    free(renum);
    free(tree_id);
    return 0;
}

/* Whether p's samples are known to repeat too few stacks for an index to
 * pay: the decoder stores each distinct location list once (samples that
 * differ only in labels share it), so the references beyond the stored
 * lists are the frames an index saves each pass. When some are shared
 * but fewer than the stored ones (m100.pb.gz: 1.29 million references to
 * 1.07 million), hashing every list, and the index's tables (page
 * faults), cost more than the passes save: -top 8 ms more CPU. (No list
 * shared says nothing: a profile built sample by sample shares none.) */
static bool few_repeats(const pprof_profile *p)
{
    uint64_t refs = 0;
    for (size_t s = 0; s < p->n_samples; s++)
        refs += p->samples[s].n_locs;
    return refs > p->n_sample_locs && refs - p->n_sample_locs < p->n_sample_locs;
}

bool pprof_stack_index_worth_building(const pprof_profile *p)
{
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    /* A cached index that describes p but not this value column says the
     * same of one built again. */
    return p->n_sample_locs >= PPROF_STACK_INDEX_MIN &&
           !(x && x->n_samples == p->n_samples && x->samples == p->samples && x->sample_values == p->values &&
             x->n_sample_locs == p->n_sample_locs && x->n_types == p->n_sample_types) &&
           !few_repeats(p);
}

const pprof_stack_index *pprof_profile_stack_index(const pprof_profile *p, int sample_index, bool mean)
{
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    return pprof_stack_index_fits(x, p, sample_index, mean) ? x : NULL;
}

void pprof_profile_changed(pprof_profile *p)
{
    if (p && p->internal) {
        pprof_stack_index_free(p->internal->stacks);
        p->internal->stacks = NULL;
    }
}

/* ---------------------------------------------------------------- call tree */

typedef struct tree_builder {
    uint32_t *loc, *parent; /* per node, in creation order */
    size_t n, cap_loc, cap_parent;
} tree_builder;

static uint64_t child_hash(uint32_t parent, uint32_t loc)
{
    return pprof_hash_u64((uint64_t)parent << 32 | loc);
}

static uint64_t tree_node_hash(const void *ctx, size_t i)
{
    const tree_builder *t = ctx;
    return child_hash(t->parent[i], t->loc[i]);
}

int pprof_stack_index_tree(pprof_stack_index *x, const pprof_profile *p)
{
    size_t nt = x->n_types;
    if (nt == 0 || x->n_tree)
        return 0;
    tree_builder t = {0};
    uint32_t *slots = NULL, *leaf = malloc((x->n_stacks ? x->n_stacks : 1) * sizeof *leaf);
    size_t mask = 0;
    int rc = leaf ? pprof_slots_rebuild(&slots, &mask, 4096, 0, tree_node_hash, &t) : PPROF_ENOMEM;
    /* Each stack's path from its root, nodes made as they are first met. */
    for (size_t k = 0; k < x->n_stacks && !rc; k++) {
        const pprof_sample *sm = &p->samples[x->first[k]];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        uint32_t node = PPROF_NONE;
        for (size_t i = sm->n_locs; i-- > 0 && !rc;) {
            uint32_t L = locs[i];
            size_t h = child_hash(node, L) & mask;
            uint32_t found = PPROF_NONE;
            for (; slots[h]; h = (h + 1) & mask) {
                uint32_t c = slots[h] - 1;
                if (t.parent[c] == node && t.loc[c] == L) {
                    found = c;
                    break;
                }
            }
            if (found == PPROF_NONE) {
                if (t.n >= UINT32_MAX - 1 || PPROF_GROW(t.loc, t.cap_loc, t.n + 1) ||
                    PPROF_GROW(t.parent, t.cap_parent, t.n + 1)) {
                    rc = PPROF_ENOMEM;
                    break;
                }
                t.loc[t.n] = L;
                t.parent[t.n] = node;
                found = (uint32_t)t.n++;
                slots[h] = found + 1;
                if (t.n * 2 > mask + 1)
                    rc = pprof_slots_rebuild(&slots, &mask, (mask + 1) * 2, t.n, tree_node_hash, &t);
            }
            node = found;
        }
        leaf[k] = node;
    }
    free(slots);
    /* Renumbered in preorder (children after their parent, each subtree
     * contiguous), which the passes over the tree walk with a path stack. */
    size_t n = t.n;
    uint32_t *first_child = NULL, *next_sibling = NULL, *order = NULL, *stack = NULL;
    if (!rc) {
        first_child = malloc((n ? n : 1) * sizeof *first_child);
        next_sibling = malloc((n ? n : 1) * sizeof *next_sibling);
        order = malloc((n ? n : 1) * sizeof *order); /* old index -> preorder */
        stack = malloc((n ? n : 1) * sizeof *stack);
        x->tree_loc = malloc((n ? n : 1) * sizeof *x->tree_loc);
        x->tree_parent = malloc((n ? n : 1) * sizeof *x->tree_parent);
        x->tree_own = calloc(n ? n * nt : 1, sizeof *x->tree_own);
        x->tree_sum = calloc(n ? n * nt : 1, sizeof *x->tree_sum);
        if (!first_child || !next_sibling || !order || !stack || !x->tree_loc || !x->tree_parent || !x->tree_own ||
            !x->tree_sum)
            rc = PPROF_ENOMEM;
    }
    if (!rc) {
        memset(first_child, 0xff, n * sizeof *first_child);
        uint32_t first_root = PPROF_NONE;
        /* Children linked in reverse creation order, then walked in it. */
        for (size_t i = n; i-- > 0;) {
            uint32_t *head = t.parent[i] == PPROF_NONE ? &first_root : &first_child[t.parent[i]];
            next_sibling[i] = *head;
            *head = (uint32_t)i;
        }
        size_t depth = 0, next = 0;
        for (uint32_t r = first_root; r != PPROF_NONE; r = next_sibling[r]) {
            stack[depth++] = r;
            while (depth) {
                uint32_t i = stack[--depth];
                order[i] = (uint32_t)next++;
                /* push children so that the first is visited first */
                size_t at = depth;
                for (uint32_t c = first_child[i]; c != PPROF_NONE; c = next_sibling[c])
                    stack[depth++] = c;
                for (size_t a = at, b = depth; a + 1 < b; a++, b--) {
                    uint32_t tmp = stack[a];
                    stack[a] = stack[b - 1];
                    stack[b - 1] = tmp;
                }
            }
        }
        for (size_t i = 0; i < n; i++) {
            x->tree_loc[order[i]] = t.loc[i];
            x->tree_parent[order[i]] = t.parent[i] == PPROF_NONE ? PPROF_NONE : order[t.parent[i]];
        }
        for (size_t k = 0; k < x->n_stacks; k++) {
            if (leaf[k] == PPROF_NONE)
                continue;
            leaf[k] = order[leaf[k]];
            int64_t *own = x->tree_own + (size_t)leaf[k] * nt;
            for (size_t v = 0; v < nt; v++)
                add_sat(&own[v], x->values[k * nt + v]); /* exact for the usable types */
        }
        memcpy(x->tree_sum, x->tree_own, n * nt * sizeof *x->tree_sum);
        for (size_t i = n; i-- > 0;) {
            uint32_t up = x->tree_parent[i];
            if (up != PPROF_NONE)
                for (size_t v = 0; v < nt; v++)
                    add_sat(&x->tree_sum[(size_t)up * nt + v], x->tree_sum[i * nt + v]);
        }
        x->stack_leaf = leaf;
        leaf = NULL;
        x->n_tree = n;
    }
    free(first_child);
    free(next_sibling);
    free(order);
    free(stack);
    free(t.loc);
    free(t.parent);
    free(leaf);
    if (rc) {
        free(x->tree_loc);
        free(x->tree_parent);
        free(x->tree_own);
        free(x->tree_sum);
        x->tree_loc = x->tree_parent = NULL;
        x->tree_own = x->tree_sum = NULL;
        x->n_tree = 0;
    }
    return rc;
}

/* ---------------------------------------------------------------- node identity */

/* The tables a nodemap is made from, to tell that p still has them. */
static void nodemap_tables(const pprof_profile *p, const void *tables[5], size_t counts[5])
{
    tables[0] = p->locations, counts[0] = p->n_locations;
    tables[1] = p->lines, counts[1] = p->n_lines;
    tables[2] = p->functions, counts[2] = p->n_functions;
    tables[3] = p->mappings, counts[3] = p->n_mappings;
    tables[4] = p->strings, counts[4] = p->n_strings;
}

/* The cached nodes opt builds, if any: those of the default options at
 * function or line granularity (node identity reads no other fields). */
static const pprof_nodemap *cached_nodes(const pprof_stack_index *x, const pprof_graph_options *opt)
{
    if (opt->showcolumns || opt->keep_objfile || opt->noinlines || opt->untrimmed_files || opt->trim_path ||
        opt->source_path)
        return NULL;
    return opt->granularity == PPROF_GRAN_FUNCTIONS ? x->nodemap
           : opt->granularity == PPROF_GRAN_LINES   ? x->nodemap_lines
                                                    : NULL;
}

const pprof_nodemap *pprof_stack_index_cached_nodemap(const pprof_profile *p, const pprof_graph_options *opt)
{
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    const pprof_nodemap *m = x ? cached_nodes(x, opt) : NULL;
    if (!m)
        return NULL;
    const void *tables[5];
    size_t counts[5];
    nodemap_tables(p, tables, counts);
    if (memcmp(tables, x->nm_tables, sizeof tables) != 0 || memcmp(counts, x->nm_counts, sizeof counts) != 0)
        return NULL;
    return m;
}

pprof_node_texts *pprof_stack_index_texts(const pprof_profile *p, const pprof_graph_options *opt)
{
    const pprof_nodemap *m = pprof_stack_index_cached_nodemap(p, opt);
    if (!m)
        return NULL;
    const pprof_stack_index *x = p->internal->stacks;
    return m == x->nodemap ? x->texts : x->texts_lines;
}

int pprof_stack_index_nodemap(pprof_nodemap **out, const pprof_profile *p, const pprof_graph_options *opt)
{
    *out = NULL;
    const pprof_nodemap *m = pprof_stack_index_cached_nodemap(p, opt);
    if (!m)
        return 0;
    /* A copy (some milliseconds) is a tenth of a build on 1M locations. */
    pprof_nodemap *c = calloc(1, sizeof *c);
    if (!c)
        return PPROF_ENOMEM;
    c->profile = p;
    c->n_nodes = m->n_nodes;
    c->n_loc_nodes = m->n_loc_nodes;
    c->nodes = malloc((m->n_nodes ? m->n_nodes : 1) * sizeof *c->nodes);
    c->loc_off = malloc((p->n_locations + 1) * sizeof *c->loc_off);
    c->loc_nodes = malloc((m->n_loc_nodes ? m->n_loc_nodes : 1) * sizeof *c->loc_nodes);
    c->extra_strings = malloc((m->n_extra_strings ? m->n_extra_strings : 1) * sizeof *c->extra_strings);
    if (!c->nodes || !c->loc_off || !c->loc_nodes || !c->extra_strings) {
        pprof_nodemap_free(c);
        return PPROF_ENOMEM;
    }
    if (m->n_nodes)
        memcpy(c->nodes, m->nodes, m->n_nodes * sizeof *c->nodes);
    memcpy(c->loc_off, m->loc_off, (p->n_locations + 1) * sizeof *c->loc_off);
    if (m->n_loc_nodes)
        memcpy(c->loc_nodes, m->loc_nodes, m->n_loc_nodes * sizeof *c->loc_nodes);
    for (size_t i = 0; i < m->n_extra_strings; i++) {
        char *s = strdup(m->extra_strings[i]);
        if (!s) {
            pprof_nodemap_free(c);
            return PPROF_ENOMEM;
        }
        c->extra_strings[c->n_extra_strings++] = s;
    }
    *out = c;
    return 0;
}

int pprof_profile_index(pprof_profile *p, pprof_error *err)
{
    pprof_profile_changed(p);
    pprof_stack_index *x;
    int rc = pprof_stack_index_build(&x, p);
    if (!rc && (rc = pprof_stack_index_tree(x, p)) != 0)
        pprof_stack_index_free(x);
    if (!rc) {
        /* Node identity is a good part of a report on many locations; the
         * shell and the web UI mostly ask with the default options, and
         * the web UI's peek at line granularity. */
        pprof_graph_options o;
        memset(&o, 0, sizeof o);
        pprof_error ignored;
        if (pprof_nodemap_build(&x->nodemap, p, &o, &ignored) == 0) {
            o.granularity = PPROF_GRAN_LINES;
            if (pprof_nodemap_build(&x->nodemap_lines, p, &o, &ignored) != 0)
                x->nodemap_lines = NULL;
            nodemap_tables(p, x->nm_tables, x->nm_counts);
            /* And their texts: naming a report's nodes (all of them, to
             * sort them; a peek's callers and callees; each node a peek's
             * regexp is tried on) was a fifth of a web UI view. Without
             * memory for them, reports make the names they need. */
            if (pprof_node_texts_build(&x->texts, x->nodemap) == 0)
                x->texts->nodemap = x->nodemap;
            else
                x->texts = NULL;
            if (x->nodemap_lines && pprof_node_texts_build(&x->texts_lines, x->nodemap_lines) == 0)
                x->texts_lines->nodemap = x->nodemap_lines;
            else
                x->texts_lines = NULL;
        }
    }
    if (rc)
        return pprof_error_set(err, rc, "indexing the samples' stacks: %s", pprof_strerror(rc));
    p->internal->stacks = x;
    return 0;
}
