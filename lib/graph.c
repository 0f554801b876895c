/* graph.c: builds pprof's call graph from a profile: flat/cum/edge
 * accumulation over the nodemap's nodes, nodefraction/nodecount trimming,
 * the node orders, and the output graph. */
#include "graph_private.h"

#include <pthread.h>

#include <stdlib.h>

/* ---------------------------------------------------------------- graph strings */

const char *pprof_graph_string(const pprof_graph *g, pprof_str id)
{
    return pprof_nodemap_string(g->nodemap, id);
}

int pprof_node_name(pprof_buf *buf, const pprof_graph *g, const pprof_node *n)
{
    return pprof_nodemap_info_name(buf, g->nodemap, &n->info);
}

int pprof_node_text(pprof_buf *buf, const pprof_graph *g, const pprof_node *n)
{
    if (g->texts)
        return pprof_buf_puts(buf, g->texts[n - g->nodes]);
    return pprof_nodemap_info_text(buf, g->nodemap, &n->info);
}

/* ---------------------------------------------------------------- scratch */

/* The builder's small working tables (flags per node, the names' and the
 * last edges' indexes, the edge passes' location sets, the output's
 * renumbering) are written soon after they are made, and on a virtual
 * machine each fresh 4 KiB page costs some 6 us at its first touch: on
 * big100k.pb.gz they were 200 page faults of -top's graph and 400 of
 * -dot's. Cut from one block on huge pages when together they are big
 * (graph_scratch_init), front to back and never reused; what does not fit
 * is malloc'd. */
/* Below this many location references one thread does the node pass. */
#define NODE_PASS_SPLIT (1u << 19)

static void graph_scratch_init(graph_scratch *s, const gb *b)
{
    const size_t huge = (size_t)2 << 20;
    size_t nn = b->n_nodes, nl = b->p->n_locations;
    /* names, kept, track, hidden, want; sample_edges; two last_edge and
     * newidx; a few edge passes' location sets; a drawing's tags' tables
     * (graph_tags.c: per node, per sample, per string) */
    size_t need = nn * (sizeof(char *) + 4) + b->n_rows + 3 * nn * sizeof(uint32_t) + 3 * (nl / 4 + 256);
    if (b->opt->visual)
        need += 2 * nn * sizeof(uint32_t) + b->p->n_samples + b->p->n_strings * (sizeof(int64_t) + 1) + 4 * 64;
    /* A node pass split in two: the second part's sums per node, cut
     * after kept, track and sample_edges and given back after the pass */
    uint64_t refs = b->stacks ? b->stacks->n_stack_locs : b->p->n_sample_locs;
    size_t split = 2 * nn + b->n_rows + 3 * 64 + nn * sizeof(node_acc);
    if (refs >= NODE_PASS_SPLIT && !b->opt->single_threaded && !b->opt->call_tree && split > need)
        need = split;
    memset(s, 0, sizeof *s);
    if (need < PPROF_WORK_HUGE || need > SIZE_MAX / 2)
        return;
    s->size = need < huge ? huge : need; /* (pprof_work_alloc's block) */
    if (!(s->base = pprof_work_alloc(s->size, false)))
        s->size = 0;
}

/* n bytes from s alone, or NULL when it has no room. */
static void *scratch_take(graph_scratch *s, size_t n)
{
    size_t want = ((n ? n : 1) + 63) & ~(size_t)63; /* (cache lines apart: the edge passes' parts) */
    if (!s || !s->base || want < n || s->size - s->used < want)
        return NULL;
    void *p = s->base + s->used;
    s->used += want;
    return p;
}

/* Gives back what was cut from s since it had mark bytes cut: the last
 * tables, which nothing cut after them uses. */
static void scratch_pop(graph_scratch *s, size_t mark)
{
    if (s && mark <= s->used)
        s->used = mark;
}

void *graph_scratch_alloc(graph_scratch *s, size_t n, bool zero)
{
    void *p = scratch_take(s, n);
    if (p && zero)
        memset(p, 0, n);
    if (p)
        return p;
    return zero ? calloc(n ? n : 1, 1) : malloc(n ? n : 1);
}

void graph_scratch_free(const graph_scratch *s, void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (s && s->base && a >= (uintptr_t)s->base && a < (uintptr_t)s->base + s->size)
        return;
    free(p);
}

static void *gb_alloc(const gb *b, size_t n, bool zero)
{
    return graph_scratch_alloc(b->scratch, n, zero);
}

static void gb_free(const gb *b, void *p)
{
    graph_scratch_free(b->scratch, p);
}

/* ---------------------------------------------------------------- accumulation */

static uint64_t edge_key_hash(const void *ctx, size_t i)
{
    const gb *b = ctx;
    return pprof_hash_u64((uint64_t)b->edges[i].src << 32 | b->edges[i].dst);
}

static int edge_rehash(gb *b, size_t slots)
{
    return pprof_slots_rebuild(&b->edge_slots, &b->edge_mask, slots, b->n_edges, edge_key_hash, b);
}

static inline void edge_update(gb *b, edge_rec *r, int64_t w, int64_t wd, bool residual, bool is_inline,
                               uint32_t stamp)
{
    if (r->stamp == stamp)
        return; /* once per sample */
    r->stamp = stamp;
    graph_add_sat(&r->w, w, &b->overflow);
    graph_add_sat(&r->wd, wd, &b->overflow);
    r->residual |= residual;
    r->is_inline &= is_inline;
}

static int edge_add_at(gb *b, uint32_t src, uint32_t dst, int64_t w, int64_t wd, bool residual, bool is_inline,
                       uint32_t stamp, uint32_t *at);

static int edge_add(gb *b, uint32_t src, uint32_t dst, int64_t w, int64_t wd, bool residual,
                    bool is_inline, uint32_t stamp)
{
    uint32_t at;
    return edge_add_at(b, src, dst, w, wd, residual, is_inline, stamp, &at);
}

/* Finds edge (src, dst), made when new with the flags given and no
 * weight, by its hash alone; *at gets its index. */
static int edge_find(gb *b, uint32_t src, uint32_t dst, bool residual, bool is_inline, uint32_t *at)
{
    uint64_t key = (uint64_t)src << 32 | dst;
    size_t h = pprof_hash_u64(key) & b->edge_mask;
    for (;;) {
        uint32_t e = b->edge_slots[h];
        if (!e)
            break;
        const edge_rec *r = &b->edges[e - 1];
        if (r->src == src && r->dst == dst) {
            *at = e - 1;
            return 0;
        }
        h = (h + 1) & b->edge_mask;
    }
    if (PPROF_GROW(b->edges, b->cap_edges, b->n_edges + 1))
        return PPROF_ENOMEM;
    b->edges[b->n_edges] = (edge_rec){.src = src, .dst = dst, .residual = residual, .is_inline = is_inline};
    *at = (uint32_t)b->n_edges;
    b->edge_slots[h] = (uint32_t)++b->n_edges;
    if (b->n_edges * 2 > b->edge_mask + 1)
        return edge_rehash(b, (b->edge_mask + 1) * 2);
    return 0;
}

/* Adds to edge (src, dst), made when new; *at gets its index. */
static int edge_add_at(gb *b, uint32_t src, uint32_t dst, int64_t w, int64_t wd, bool residual, bool is_inline,
                       uint32_t stamp, uint32_t *at)
{
    /* Samples come in call-tree order often enough that a node's last
     * in-edge is the one asked for again: no hashing then. */
    uint32_t last = b->last_edge[dst];
    if (last != PPROF_NONE && b->edges[last].src == src) {
        edge_update(b, &b->edges[last], w, wd, residual, is_inline, stamp);
        *at = last;
        return 0;
    }
    size_t before = b->n_edges;
    int rc = edge_find(b, src, dst, residual, is_inline, at);
    if (rc)
        return rc;
    edge_rec *r = &b->edges[*at];
    b->last_edge[dst] = *at;
    if (b->n_edges > before) { /* made now, with its flags and no weight */
        r->w = w;
        r->wd = wd;
        r->stamp = stamp;
    } else {
        edge_update(b, r, w, wd, residual, is_inline, stamp);
    }
    return 0;
}

/* What the node pass keeps per node, in one cache line's quarter (it
 * touches a node per frame, at random): its cum, the last row that
 * counted it, and whether it is tracked. */
typedef struct node_rec {
    int64_t cum;
    uint32_t stamp;
    uint32_t track;
} node_rec;

/* One half of the node pass: samples [lo, hi) into acc, with its own
 * working records (rec, and cum_div with mean) and overflow flag. abs_sum
 * gets the saturated sum of |w| + |dw|, which tells whether any order of
 * additions could have overflowed. */
typedef struct node_part {
    gb *b;
    size_t lo, hi;
    node_acc *acc; /* its flat (and flat_div) go here */
    bool own_acc;  /* a second thread's part: acc is its own, made there and
                    * folded into the first's (node_part_fold) */
    node_rec *rec;
    int64_t *cum_div;
    bool overflow;
    bool failed; /* a second thread's part could not get its records */
    uint64_t abs_sum;
    size_t *next; /* or NULL: the rows are taken NODE_CHUNK at a time from
                   * *next (shared by the parts) up to hi, not lo to hi */
} node_part;

/* Rows a part of the node pass takes at a time. The second thread starts
 * a millisecond or more after the first (its tables made there: deep.pb.gz
 * 1.3 ms), and at a fixed split the first then waited for it. */
#define NODE_CHUNK 64

/* Node n's cum (and cum_div) gets the row's weight unless it already has. */
static inline uint32_t node_once(node_rec *rec, int64_t *cum_div, uint32_t n, int64_t w, int64_t dw, uint32_t stamp,
                                 bool *overflow)
{
    node_rec *r = &rec[n];
    if (r->stamp != stamp) {
        r->stamp = stamp;
        graph_add_sat(&r->cum, w, overflow);
        if (cum_div)
            graph_add_sat(&cum_div[n], dw, overflow);
    }
    return r->track;
}

/* A row's frames into rec (and cum_div): each node once per row. */
static inline bool node_frames(const gb *b, const uint32_t *locs, size_t n_locs, node_rec *rec, int64_t *cum_div,
                               int64_t w, int64_t dw, uint32_t stamp, bool *overflow)
{
    const uint32_t *loc_off = b->loc_off, *loc_nodes = b->loc_nodes, *single = b->loc_single;
    uint32_t tracked = 0;
    for (size_t i = 0; i < n_locs; i++) {
        uint32_t L = locs[i];
        uint32_t n = single[L];
        if (n != PPROF_NONE) { /* most locations have one line: one lookup, no loop */
            tracked |= node_once(rec, cum_div, n, w, dw, stamp, overflow);
            continue;
        }
        for (uint32_t k = loc_off[L], hi = loc_off[L + 1]; k < hi; k++)
            tracked |= node_once(rec, cum_div, loc_nodes[k], w, dw, stamp, overflow);
    }
    return tracked != 0;
}

/* Rows [lo, hi) into t. */
static void node_rows(node_part *t, size_t lo, size_t hi)
{
    gb *b = t->b;
    const pprof_profile *p = b->p;
    const int si = b->si;
    const bool mean = b->opt->mean;
    node_acc *acc = t->acc;
    uint64_t abs_sum = t->abs_sum;
    for (size_t s = lo; s < hi; s++) {
        const pprof_sample *sm = graph_row_sample(b, s);
        const int64_t *v = graph_row_values(b, s);
        int64_t w = v[si];
        int64_t dw = mean ? v[0] : 0;
        b->sample_edges[s] = 0;
        /* (A stack's samples are all non-zero, whatever their sum.) */
        if (w == 0 && dw == 0 && !b->stacks)
            continue;
        if (__builtin_add_overflow(abs_sum, (uint64_t)graph_abs64(w) + (uint64_t)graph_abs64(dw), &abs_sum))
            abs_sum = UINT64_MAX;
        if (!sm->n_locs)
            continue;
        const uint32_t *locs = p->sample_locs + sm->locs_off;
        uint32_t stamp = (uint32_t)s + 1;
        /* The leaf's record (at random, in a table of a megabyte or more) is fetched
         * while the frames are counted: it waited on memory at the row's
         * end, a sixth of the pass on deep.pb.gz. The leaf is found through
         * loc_single, which the frames' walk reads first anyway: through
         * loc_off and loc_nodes, two misses in a row, it was a quarter of
         * the pass on big100k.pb.gz. */
        uint32_t leaf = b->loc_single[locs[0]];
        if (leaf == PPROF_NONE)
            leaf = b->loc_nodes[b->loc_off[locs[0]]];
        if (acc)
            __builtin_prefetch(&acc[leaf], 1);
        /* (Two copies: without mean, no cum_div test in the loop.) */
        b->sample_edges[s] = mean ? node_frames(b, locs, sm->n_locs, t->rec, t->cum_div, w, dw, stamp, &t->overflow)
                                  : node_frames(b, locs, sm->n_locs, t->rec, NULL, w, 0, stamp, &t->overflow);
        if (acc) {
            graph_add_sat(&acc[leaf].flat, w, &t->overflow);
            graph_add_sat(&acc[leaf].flat_div, dw, &t->overflow);
        }
    }
    t->abs_sum = abs_sum;
}

static void *node_pass(void *arg)
{
    node_part *t = arg;
    t->abs_sum = 0;
    if (!t->next) {
        node_rows(t, t->lo, t->hi);
        return NULL;
    }
    for (size_t lo; (lo = __atomic_fetch_add(t->next, NODE_CHUNK, __ATOMIC_RELAXED)) < t->hi;)
        node_rows(t, lo, t->hi - lo > NODE_CHUNK ? lo + NODE_CHUNK : t->hi);
    return NULL;
}

/* A node pass part's working arrays: records with the tracked flags set,
 * cum_div with mean, and its own acc if own_acc. 0 or PPROF_ENOMEM. */
static int node_part_alloc(node_part *t)
{
    const gb *b = t->b;
    size_t nn = b->n_nodes;
    /* Written in full (here and when folded): on huge pages when big. */
    t->rec = pprof_work_alloc(nn * sizeof *t->rec, false);
    t->cum_div = b->opt->mean ? pprof_work_alloc(nn * sizeof *t->cum_div, true) : NULL;
    if (t->own_acc && t->acc)
        memset(t->acc, 0, nn * sizeof *t->acc);
    else if (t->own_acc)
        t->acc = pprof_work_alloc(nn * sizeof *t->acc, true);
    if (!t->rec || (b->opt->mean && !t->cum_div) || (t->own_acc && !t->acc))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < nn; i++)
        t->rec[i] = (node_rec){.track = b->track[i]};
    return 0;
}

/* A second thread's part: its tables made there, their page faults off
 * the first thread's path. */
static void *node_part_run(void *arg)
{
    node_part *t = arg;
    t->failed = node_part_alloc(t) != 0;
    return t->failed ? NULL : node_pass(t);
}

static void node_part_release(node_part *t)
{
    free(t->rec);
    free(t->cum_div);
    if (t->own_acc) {
        gb_free(t->b, t->acc);
        t->acc = NULL;
    }
    t->rec = NULL;
    t->cum_div = NULL;
}

/* Adds a part's cum (and cum_div), and its flat if its acc is its own,
 * into acc. */
static void node_part_fold(node_acc *acc, const node_part *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        acc[i].cum += t->rec[i].cum;
        if (t->cum_div)
            acc[i].cum_div += t->cum_div[i];
        if (t->own_acc) {
            acc[i].flat += t->acc[i].flat;
            acc[i].flat_div += t->acc[i].flat_div;
        }
    }
}

/* Node pass over the index's call tree (a profile indexed once for many
 * reports): each tree node adds the sum of the stacks through it to the
 * cum of its location's nodes not already on the path above it (once per
 * sample, as the sample pass counts), and the stacks ending there to the
 * flat of its innermost line. Then marks the stacks that hold a tracked
 * node, for the edge pass. The index's sums are exact, so this gives the
 * sample pass's sums. */
static int tree_node_pass(gb *b)
{
    const pprof_stack_index *x = b->stacks;
    size_t nt = x->n_types, si = (size_t)b->si;
    const bool mean = b->opt->mean;
    const uint32_t *loc_off = b->loc_off, *loc_nodes = b->loc_nodes, *single = b->loc_single;
    node_acc *acc = b->acc;
    /* Per node, in one record: its cum, how often it is on the current
     * path (stamp), and whether it is tracked. */
    node_part part = {.b = b};
    uint32_t *path = malloc((x->n_tree ? x->n_tree : 1) * sizeof *path);
    uint8_t *tracked = malloc(x->n_tree ? x->n_tree : 1);
    if (node_part_alloc(&part) || !path || !tracked) {
        node_part_release(&part);
        free(path);
        free(tracked);
        return PPROF_ENOMEM;
    }
    node_rec *rec = part.rec;
    int64_t *cum_div = part.cum_div;
    memset(acc, 0, b->n_work * sizeof *acc);
    size_t depth = 0;
    for (size_t i = 0; i < x->n_tree; i++) {
        /* The tree's locations come in no order: their nodes' records are
         * fetched ahead, in two steps (the node, then its records). */
        if (i + 16 < x->n_tree)
            __builtin_prefetch(&single[x->tree_loc[i + 16]]);
        if (i + 8 < x->n_tree) {
            uint32_t f = single[x->tree_loc[i + 8]];
            if (f != PPROF_NONE) {
                __builtin_prefetch(&rec[f], 1);
                if (x->tree_own[(i + 8) * nt + si] != 0)
                    __builtin_prefetch(&acc[f], 1);
            }
        }
        uint32_t up = x->tree_parent[i];
        while (depth > 0 && path[depth - 1] != up) {
            uint32_t L = x->tree_loc[path[--depth]];
            if (single[L] != PPROF_NONE) {
                rec[single[L]].stamp--;
                continue;
            }
            for (uint32_t k = loc_off[L]; k < loc_off[L + 1]; k++)
                rec[loc_nodes[k]].stamp--;
        }
        uint32_t L = x->tree_loc[i];
        const int64_t *sum = x->tree_sum + i * nt, *own = x->tree_own + i * nt;
        int64_t w = sum[si], dw = mean ? sum[0] : 0;
        uint32_t tr = up != PPROF_NONE && tracked[up];
        uint32_t leaf = single[L];
        if (leaf != PPROF_NONE) {
            /* Most locations have one line: no loop. */
            node_rec *r = &rec[leaf];
            tr |= r->track;
            if (r->stamp++ == 0) {
                graph_add_sat(&r->cum, w, &b->overflow);
                if (cum_div)
                    graph_add_sat(&cum_div[leaf], dw, &b->overflow);
            }
        } else {
            leaf = loc_nodes[loc_off[L]];
            for (uint32_t k = loc_off[L]; k < loc_off[L + 1]; k++) {
                uint32_t n = loc_nodes[k];
                node_rec *r = &rec[n];
                tr |= r->track;
                if (r->stamp++ == 0) {
                    graph_add_sat(&r->cum, w, &b->overflow);
                    if (cum_div)
                        graph_add_sat(&cum_div[n], dw, &b->overflow);
                }
            }
        }
        tracked[i] = tr != 0;
        /* (Most tree nodes end no stack: nothing to add, nothing to fetch.) */
        if (own[si] != 0 || (mean && own[0] != 0)) {
            graph_add_sat(&acc[leaf].flat, own[si], &b->overflow);
            graph_add_sat(&acc[leaf].flat_div, mean ? own[0] : 0, &b->overflow);
        }
        path[depth++] = (uint32_t)i;
    }
    for (size_t n = 0; n < b->n_work; n++) {
        acc[n].cum = rec[n].cum;
        acc[n].cum_div = cum_div ? cum_div[n] : 0;
    }
    for (size_t r = 0; r < b->n_rows; r++)
        b->sample_edges[r] = x->stack_leaf[r] != PPROF_NONE && tracked[x->stack_leaf[r]];
    node_part_release(&part);
    free(path);
    free(tracked);
    return 0;
}

/* Node pass: flat and cum of every node. Dropping nodes later never changes
 * the flat or cum of the nodes that stay (cum is counted once per node per
 * sample; flat goes to the leaf-most node), so this runs once. Also marks
 * the samples that contain a tracked node, for the edge pass. A big profile
 * is split between two threads (the pass is a third of -top on 1M
 * samples); their sums are the serial ones unless a partial sum could have
 * saturated, and then the pass runs again in one thread. */
static int accumulate_nodes(gb *b)
{
    const pprof_profile *p = b->p;
    if (b->stacks && b->stacks->n_tree && b->n_work == b->n_nodes)
        return tree_node_pass(b);
    memset(b->acc, 0, b->n_work * sizeof *b->acc);
    size_t n_rows = b->n_rows;
    uint64_t refs = b->stacks ? b->stacks->n_stack_locs : p->n_sample_locs;
    node_part one = {.b = b, .lo = 0, .hi = n_rows, .acc = b->acc};
    int rc = node_part_alloc(&one);
    if (rc) {
        node_part_release(&one);
        return rc;
    }
    if (refs >= NODE_PASS_SPLIT && b->n_work == b->n_nodes && !b->opt->single_threaded) {
        node_part two = one;
        two.rec = NULL;
        two.cum_div = NULL;
        /* The parts take their rows a chunk at a time (their sums, when
         * exact, do not depend on which part adds what); the edge passes
         * split at half the frames. */
        size_t next = 0;
        one.next = two.next = &next;
        /* The second part's flat goes to a table of its own (on huge
         * pages: a fault per 2 MiB), folded after: added here after the
         * first part's rows, a row's leaf at a time, it cost this thread
         * 0.8-1.2 ms of big100k.pb.gz's -top (a cache miss or more a row). */
        /* It is given back right after the pass: from the builder's block
         * when it has room, already mapped (a huge page's first touch
         * costs this thread 0.1 ms to a few, clearing it), zeroed there. */
        two.own_acc = true;
        size_t mark = b->scratch ? b->scratch->used : 0;
        two.acc = scratch_take(b->scratch, b->n_work * sizeof *two.acc);
        pthread_t th;
        bool threaded = pthread_create(&th, NULL, node_part_run, &two) == 0;
        if (threaded) {
            node_pass(&one);
            pthread_join(th, NULL);
            uint64_t total;
            bool exact = !two.failed && !one.overflow && !two.overflow &&
                         !__builtin_add_overflow(one.abs_sum, two.abs_sum, &total) && total <= INT64_MAX;
            if (exact) {
                b->split = true;
                node_part_fold(b->acc, &one, b->n_work);
                node_part_fold(b->acc, &two, b->n_work);
            }
            node_part_release(&two);
            scratch_pop(b->scratch, mark);
            if (exact) {
                node_part_release(&one);
                return 0;
            }
            memset(b->acc, 0, b->n_work * sizeof *b->acc);
            node_part_release(&one);
            if ((rc = node_part_alloc(&one))) {
                node_part_release(&one);
                return rc;
            }
            one.overflow = false;
        } else {
            node_part_release(&two);
            scratch_pop(b->scratch, mark);
        }
        one.next = NULL;
    }
    node_pass(&one);
    b->overflow |= one.overflow;
    /* (The serial sums saturate as they go: copied, not added.) */
    for (size_t i = 0; i < b->n_work; i++) {
        b->acc[i].cum = one.rec[i].cum;
        b->acc[i].cum_div = one.cum_div ? one.cum_div[i] : 0;
    }
    node_part_release(&one);
    return 0;
}


/* A set of locations, each numbered by its rank (the set's locations
 * before it): a bit per location, and per 64 of them the count before.
 * Tables indexed by rank hold only the set's locations: most locations
 * have no kept node. */
typedef struct loc_set {
    uint64_t *bits;
    uint32_t *rank;
} loc_set;

/* An empty set for nl locations. 0 or PPROF_ENOMEM. */
static int loc_set_alloc(loc_set *s, const gb *b, size_t nl)
{
    s->bits = gb_alloc(b, (nl / 64 + 1) * sizeof *s->bits, true);
    s->rank = gb_alloc(b, (nl / 64 + 1) * sizeof *s->rank, false);
    return s->bits && s->rank ? 0 : PPROF_ENOMEM;
}

static void loc_set_release(loc_set *s, const gb *b)
{
    gb_free(b, s->bits);
    gb_free(b, s->rank);
}

static inline void loc_set_add(loc_set *s, size_t L)
{
    s->bits[L / 64] |= (uint64_t)1 << (L % 64);
}

/* Numbers the set's locations (after the last loc_set_add). */
static void loc_set_rank(loc_set *s, size_t nl)
{
    uint32_t r = 0;
    for (size_t i = 0; i < nl / 64 + 1; i++) {
        s->rank[i] = r;
        r += graph_popcount64(s->bits[i]);
    }
}

static inline bool loc_set_has(const loc_set *s, uint32_t L)
{
    return s->bits[L / 64] >> (L % 64) & 1;
}

/* The number of location L, which is in the set. */
static inline uint32_t loc_set_rank_of(const loc_set *s, uint32_t L)
{
    return s->rank[L / 64] + graph_popcount64(s->bits[L / 64] & (((uint64_t)1 << (L % 64)) - 1));
}

/* The same, counting with the popcnt instruction when hw. */
__attribute__((always_inline)) static inline uint32_t loc_set_rank_as(const loc_set *s, uint32_t L, bool hw)
{
    return s->rank[L / 64] + graph_popcount64_as(s->bits[L / 64] & (((uint64_t)1 << (L % 64)) - 1), hw);
}

/* Location L's number in the set, or PPROF_NONE. */
static inline uint32_t loc_set_at(const loc_set *s, uint32_t L)
{
    return loc_set_has(s, L) ? loc_set_rank_of(s, L) : PPROF_NONE;
}

/* The frame nearest below frame i (i - 1 down to 0) whose location is in
 * the bit map bits, or SIZE_MAX. The walks' loops over the frames between
 * kept ones, apart from the rest of their state: inside them, a frame cost
 * 15 instructions (reloads of spilled registers, the error test), here 8. */
static inline size_t next_marked(const uint32_t *locs, size_t i, const uint64_t *bits)
{
    while (i-- > 0) {
        uint32_t L = locs[i];
        if (bits[L / 64] >> (L % 64) & 1)
            return i;
    }
    return SIZE_MAX;
}

/* What one location contributes to a sample's path under the current kept
 * set, worked out once per edge pass instead of once per sample: its
 * outermost kept line (the one whose in-edge comes from the previous
 * location), its innermost kept line (the next location's parent), and
 * the edges between its own consecutive kept lines (its pairs). In 16
 * bytes, with the edge the walk made last into the location's outer line
 * (a location is mostly reached from the same caller): on deep.pb.gz
 * (79,000 locations, stacks of 200 frames) the walk waits on these more
 * than it computes. Each part of the walk has its own copy (last_in). */
typedef struct loc_step {
    uint32_t outer, inner; /* nodes */
    uint32_t last_in;      /* PPROF_NONE, or the edge this part last added into outer from
                            * the location before */
    uint8_t flags;
} loc_step;

/* STEP_OUTER_INLINE: outer is not the location's last line: the in-edge
 * is inline and residual (lines skipped); STEP_INNER_RESIDUAL: lines
 * after inner are dropped; STEP_PAIRS: the location has pairs. */
enum { STEP_OUTER_INLINE = 1, STEP_OUTER_TRACK = 2, STEP_INNER_RESIDUAL = 4, STEP_PAIRS = 8 };

typedef struct loc_pair {
    uint32_t src, dst;
    bool residual;
} loc_pair;

/* The steps of the locations with a kept line (kept), by their number in
 * that set: a step per location was 1.3 MB of page faults on m100.pb.gz
 * (79,000 locations), where -top keeps 1,400 of 43,000 nodes. A kept
 * location's pairs are pairs[pair_off[r] .. pair_off[r + 1]). */
typedef struct loc_steps {
    loc_set kept;
    uint64_t *edge; /* bit L: location L can make an edge (an in-edge into a
                     * tracked outer line, or inner ones) */
    loc_step *steps;
    uint32_t *pair_off;
    loc_pair *pairs;
    size_t n_kept, n_edge, n_pairs;
} loc_steps;

static void loc_steps_release(loc_steps *x, const gb *b)
{
    loc_set_release(&x->kept, b);
    gb_free(b, x->edge);
    free(x->steps);
    free(x->pair_off);
    free(x->pairs);
}

static int loc_steps_build(loc_steps *x, gb *b)
{
    const pprof_profile *p = b->p;
    size_t nl = p->n_locations, n_pairs = 0, cap_pairs = 0, n_kept = 0;
    memset(x, 0, sizeof *x);
    x->edge = gb_alloc(b, (nl / 64 + 1) * sizeof *x->edge, true);
    if (loc_set_alloc(&x->kept, b, nl) || !x->edge)
        return PPROF_ENOMEM;
    for (size_t L = 0; L < nl; L++)
        for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++)
            if (b->kept[b->loc_nodes[k]]) {
                loc_set_add(&x->kept, L);
                n_kept++;
                break;
            }
    loc_set_rank(&x->kept, nl);
    x->steps = malloc((n_kept ? n_kept : 1) * sizeof *x->steps);
    x->pair_off = malloc((n_kept + 1) * sizeof *x->pair_off);
    if (!x->steps || !x->pair_off)
        return PPROF_ENOMEM;
    size_t r = 0;
    for (size_t w = 0; w < nl / 64 + 1; w++)
        for (uint64_t m = x->kept.bits[w]; m; m &= m - 1, r++) {
            size_t L = w * 64 + (size_t)__builtin_ctzll(m);
            uint32_t lo = b->loc_off[L], hi = b->loc_off[L + 1];
            uint32_t outer = PPROF_NONE, inner = PPROF_NONE;
            uint8_t flags = 0;
            x->pair_off[r] = (uint32_t)n_pairs;
            uint32_t last_k = 0;
            for (uint32_t k = hi; k-- > lo;) {
                uint32_t n = b->loc_nodes[k];
                if (!b->kept[n])
                    continue;
                if (outer == PPROF_NONE) {
                    outer = n;
                    flags |= (k != hi - 1 ? STEP_OUTER_INLINE : 0) | (b->track[n] ? STEP_OUTER_TRACK : 0);
                } else if (inner != n && (b->track[n] || (b->track_src && b->track[inner]))) {
                    if (PPROF_GROW(x->pairs, cap_pairs, n_pairs + 1))
                        return PPROF_ENOMEM;
                    x->pairs[n_pairs].src = inner;
                    x->pairs[n_pairs].dst = n;
                    x->pairs[n_pairs].residual = last_k - k > 1;
                    n_pairs++;
                    flags |= STEP_PAIRS;
                }
                inner = n;
                last_k = k;
            }
            if (last_k != lo)
                flags |= STEP_INNER_RESIDUAL;
            if (flags & (STEP_OUTER_TRACK | STEP_PAIRS)) {
                x->edge[w] |= (uint64_t)1 << (L % 64);
                x->n_edge++;
            }
            x->steps[r] = (loc_step){.outer = outer, .inner = inner, .last_in = PPROF_NONE, .flags = flags};
        }
    x->pair_off[n_kept] = (uint32_t)n_pairs;
    x->n_kept = n_kept;
    x->n_pairs = n_pairs;
    return 0;
}

/* Edge pass with the current kept set: an edge once per pair per sample,
 * residual when it skips dropped nodes, inline when it stays inside one
 * location. Only edges into tracked nodes are recorded. Each location's
 * part is precomputed (loc_steps_build), so a frame whose location has no
 * kept line costs one lookup. */
/* One part of the edge pass: samples [lo, hi) into t->b's edges. */
typedef struct edge_part {
    gb *b;
    const loc_steps *ls;
    loc_step *steps;          /* per kept location: its step (this part's own) */
    const uint64_t *has_edge; /* or NULL: ls->edge, for the sparse walk */
    uint32_t *pair_edge;      /* per pair: its edge once made (this part's own), or PPROF_NONE */
    size_t lo, hi;
    size_t *next;   /* or NULL: rows lo to hi; else EDGE_CHUNK rows at a time from *next
                     * (shared by the parts) up to hi */
    uint32_t *first; /* with next: per edge this part made, the row that made it */
    size_t cap_first;
    int rc;
} edge_part;

/* Rows a part of a split edge pass takes at a time. */
#define EDGE_CHUNK 64

/* The edges a frame of kept location number r (step d) makes on a
 * path whose kept node above it is parent (PPROF_NONE: none), reached
 * across dropped lines when residual: its in-edge, and its inner edges. */
/* (Inlined into both walks of edge_pass: a call per frame costs a third more.) */
__attribute__((always_inline)) static inline int step_edges(gb *b, const edge_part *t, loc_step *d, uint32_t r,
                                                             uint32_t parent, bool residual, int64_t w, int64_t dw,
                                                             uint32_t stamp)
{
    int rc = 0;
    if (parent != PPROF_NONE && parent != d->outer &&
        ((d->flags & STEP_OUTER_TRACK) || (b->track_src && b->track[parent]))) {
        bool inl = d->flags & STEP_OUTER_INLINE;
        /* The edge this location made last, when from parent, is this one. */
        uint32_t e = d->last_in;
        if (e != PPROF_NONE && b->edges[e].src == parent) {
            edge_update(b, &b->edges[e], w, dw, residual || inl, inl, stamp);
        } else {
            rc = edge_add_at(b, parent, d->outer, w, dw, residual || inl, inl, stamp, &e);
            d->last_in = e;
        }
    }
    /* A pair's edge, once made, stays where it is: no look-up after. */
    if (d->flags & STEP_PAIRS)
        for (uint32_t k = t->ls->pair_off[r], end = t->ls->pair_off[r + 1]; k < end && !rc; k++) {
            const loc_pair *pr = &t->ls->pairs[k];
            if (t->pair_edge[k] != PPROF_NONE)
                edge_update(b, &b->edges[t->pair_edge[k]], w, dw, pr->residual, true, stamp);
            else
                rc = edge_add_at(b, pr->src, pr->dst, w, dw, pr->residual, true, stamp, &t->pair_edge[k]);
        }
    return rc;
}

__attribute__((always_inline)) static inline void edge_rows(edge_part *t, bool hw)
{
    gb *b = t->b;
    const pprof_profile *p = b->p;
    const int si = b->si;
    const bool mean = b->opt->mean;
    loc_step *steps = t->steps;
    const loc_set *kept = &t->ls->kept;
    const uint64_t *has_edge = t->has_edge;
    int rc = 0;
    size_t made = b->n_edges; /* edges whose first row is known */
    for (size_t s = t->lo; s < t->hi && !rc; s++) {
        if (t->next && b->n_edges > made) {
            /* (the edges the row before made) */
            if (PPROF_GROW(t->first, t->cap_first, b->n_edges)) {
                rc = PPROF_ENOMEM;
                break;
            }
            for (; made < b->n_edges; made++)
                t->first[made] = (uint32_t)s - 1;
        }
        if (!b->sample_edges[s])
            continue;
        const pprof_sample *sm = graph_row_sample(b, s);
        const int64_t *v = graph_row_values(b, s);
        int64_t w = v[si];
        int64_t dw = mean ? v[0] : 0;
        uint32_t stamp = (uint32_t)s + 1;
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
        size_t n = sm->n_locs;
        /* The walk reads a row's locations from its root down, which the
         * hardware's prefetchers do not follow from row to row (measured:
         * a sixth of the pass's CPU time on deep.pb.gz): the locations of
         * the row after next are fetched ahead, a cache line at a time. */
        if (s + 2 < t->hi) {
            const pprof_sample *ahead = graph_row_sample(b, s + 2);
            const char *at = (const char *)(p->sample_locs + ahead->locs_off);
            for (size_t off = 0; off < (size_t)ahead->n_locs * sizeof *locs; off += 64)
                __builtin_prefetch(at + off);
        }
        if (has_edge) {
            /* Few locations make edges (-top tracks only the nodes that
             * can have inline in-edges): only their frames are looked at,
             * each with the kept frame above it, in the same root-to-leaf
             * order (the first occurrence in a sample sets an edge's flags). */
            for (size_t i = next_marked(locs, n, has_edge); i != SIZE_MAX && !rc;
                 i = next_marked(locs, i, has_edge)) {
                uint32_t L = locs[i];
                size_t j = i + 1;
                while (j < n && !loc_set_has(kept, locs[j]))
                    j++;
                uint32_t parent = PPROF_NONE;
                bool residual = j > i + 1;
                if (j < n) {
                    const loc_step *up = &steps[loc_set_rank_as(kept, locs[j], hw)];
                    parent = up->inner;
                    residual |= (up->flags & STEP_INNER_RESIDUAL) != 0;
                }
                uint32_t r = loc_set_rank_as(kept, L, hw);
                rc = step_edges(b, t, &steps[r], r, parent, residual, w, dw, stamp);
            }
            continue;
        }
        /* Most frames have no kept line: a bit of a small map (it stays in
         * cache) tells, without a look at the steps' big table; a run of
         * them makes the next in-edge residual. */
        uint32_t parent = PPROF_NONE;
        bool residual = false;
        for (size_t i = n, k; !rc && (k = next_marked(locs, i, kept->bits)) != SIZE_MAX; i = k) {
            uint32_t r = loc_set_rank_as(kept, locs[k], hw);
            loc_step *d = &steps[r];
            rc = step_edges(b, t, d, r, parent, residual || k + 1 < i, w, dw, stamp);
            parent = d->inner;
            residual = d->flags & STEP_INNER_RESIDUAL;
        }
    }
    if (!rc && t->next && b->n_edges > made) {
        if (PPROF_GROW(t->first, t->cap_first, b->n_edges))
            rc = PPROF_ENOMEM;
        for (; !rc && made < b->n_edges; made++)
            t->first[made] = (uint32_t)t->hi - 1;
    }
    t->rc = rc;
}

/* (Two copies of the walk: the processor's popcnt asked once, not per
 * frame: deep.pb.gz -dot's first pass 6.1 million times.) */
static void edge_span(edge_part *t)
{
    if (graph_have_popcnt())
        edge_rows(t, true);
    else
        edge_rows(t, false);
}

static void *edge_pass(void *arg)
{
    edge_part *t = arg;
    if (!t->next) {
        edge_span(t);
        return NULL;
    }
    size_t end = t->hi;
    for (size_t lo; !t->rc && (lo = __atomic_fetch_add(t->next, EDGE_CHUNK, __ATOMIC_RELAXED)) < end;) {
        t->lo = lo;
        t->hi = end - lo > EDGE_CHUNK ? lo + EDGE_CHUNK : end;
        edge_span(t);
    }
    t->hi = end;
    return NULL;
}

/* Empties b's edge set (keeping its hash table's size). */
static int edges_reset(gb *b)
{
    b->n_edges = 0;
    if (b->edge_slots)
        memset(b->edge_slots, 0, (b->edge_mask + 1) * sizeof *b->edge_slots);
    else if (edge_rehash(b, 1024))
        return PPROF_ENOMEM;
    if (!b->last_edge && !(b->last_edge = gb_alloc(b, b->n_work * sizeof *b->last_edge, false)))
        return PPROF_ENOMEM;
    memset(b->last_edge, 0xff, b->n_work * sizeof *b->last_edge); /* PPROF_NONE */
    return 0;
}

/* The edges of two parts that took their rows in chunks (b's and o's,
 * each made in the order of their rows, first[i] the row that made edge
 * i) into b, in the order of the rows that made them first: the order
 * one pass over all the rows makes them in. */
static int edges_merge_rows(gb *b, const uint32_t *first_b, const gb *o, const uint32_t *first_o)
{
    size_t nb = b->n_edges, no = o->n_edges;
    edge_rec *mine = malloc((nb ? nb : 1) * sizeof *mine);
    if (!mine)
        return PPROF_ENOMEM;
    if (nb)
        memcpy(mine, b->edges, nb * sizeof *mine);
    int rc = edges_reset(b);
    for (size_t i = 0, j = 0; !rc && (i < nb || j < no);) {
        bool take_b = j == no || (i < nb && first_b[i] < first_o[j]);
        const edge_rec *r = take_b ? &mine[i++] : &o->edges[j++];
        /* Stamps no sample has, one per part: an edge both made adds up. */
        rc = edge_add(b, r->src, r->dst, r->w, r->wd, r->residual, r->is_inline, take_b ? UINT32_MAX : UINT32_MAX - 1);
    }
    free(mine);
    return rc;
}

/* Edge pass with the current kept set: an edge once per pair per sample,
 * residual when it skips dropped nodes, inline when it stays inside one
 * location. Only edges into tracked nodes are recorded. Each location's
 * part is precomputed (loc_steps_build), so a frame whose location has no
 * kept line costs one lookup. Split between two threads as the node pass
 * was, when its sums were exact. */
/* The edge pass over the stacks of an index with a call tree, in one walk
 * of the tree in preorder: what each tree node adds to a path (its
 * in-edge, from the kept node above it, and its location's inner edges)
 * is looked up once. A stack counts an edge once, at its occurrence
 * nearest the root: so an edge gets the sums (tree_sum) of the tree nodes
 * where it occurs with no occurrence above them (a count per edge of its
 * occurrences on the current path tells). The index's sums are exact, so
 * these are the sums a walk over the stacks makes. Edges are then put in
 * the order that walk makes them: by the first stack through the node of
 * their first occurrence, then by its depth on that stack's path. */
/* Per edge, in the tree walk: its occurrences on the current path, and
 * where a walk over the stacks first makes it (stack, depth on its path,
 * place among the edges a tree node adds). */
typedef struct edge_walk {
    uint32_t on_path;
    uint32_t row, depth, sub;
} edge_walk;

/* Occurrence (row, depth, sub) of edge e at a tree node whose stacks sum
 * to w, dw: added to the edge when no occurrence is above it. */
static int edge_occurs(gb *b, edge_walk **walk, size_t *cap, uint32_t e, int64_t w, int64_t dw, bool residual,
                       bool is_inline, edge_walk at)
{
    if (b->n_edges > *cap) {
        size_t old = *cap;
        if (PPROF_GROW(*walk, *cap, b->n_edges))
            return PPROF_ENOMEM;
        for (size_t q = old; q < *cap; q++)
            (*walk)[q] = (edge_walk){0, UINT32_MAX, UINT32_MAX, UINT32_MAX};
    }
    edge_walk *ew = &(*walk)[e];
    if (ew->on_path++ != 0)
        return 0;
    edge_rec *r = &b->edges[e];
    graph_add_sat(&r->w, w, &b->overflow);
    graph_add_sat(&r->wd, dw, &b->overflow);
    r->residual |= residual;
    r->is_inline &= is_inline;
    if (at.row < ew->row || (at.row == ew->row && (at.depth < ew->depth || (at.depth == ew->depth && at.sub < ew->sub)))) {
        ew->row = at.row;
        ew->depth = at.depth;
        ew->sub = at.sub;
    }
    return 0;
}

static bool walk_before(const edge_walk *x, const edge_walk *y)
{
    return x->depth < y->depth || (x->depth == y->depth && x->sub < y->sub);
}

/* Puts b's edges in the order of walk's first occurrences: by stack (a
 * counting sort), then by depth and place (a stack makes few). */
static int edges_reorder(gb *b, const edge_walk *walk)
{
    size_t ne = b->n_edges, nr = b->n_rows;
    uint32_t *order = malloc((ne ? ne : 1) * sizeof *order);
    size_t *count = calloc(nr + 2, sizeof *count);
    edge_rec *re = malloc((ne ? ne : 1) * sizeof *re);
    int rc = order && count && re ? 0 : PPROF_ENOMEM;
    if (!rc) {
        for (size_t e = 0; e < ne; e++)
            count[(walk[e].row < nr ? walk[e].row : nr) + 1]++;
        for (size_t r = 0; r <= nr; r++)
            count[r + 1] += count[r];
        for (size_t e = 0; e < ne; e++)
            order[count[walk[e].row < nr ? walk[e].row : nr]++] = (uint32_t)e;
        for (size_t lo = 0, hi; lo < ne; lo = hi) {
            for (hi = lo + 1; hi < ne && walk[order[hi]].row == walk[order[lo]].row; hi++)
                ;
            for (size_t k = lo + 1; k < hi; k++) {
                uint32_t v = order[k];
                size_t c = k;
                for (; c > lo && walk_before(&walk[v], &walk[order[c - 1]]); c--)
                    order[c] = order[c - 1];
                order[c] = v;
            }
        }
        for (size_t k = 0; k < ne; k++)
            re[k] = b->edges[order[k]];
        if (ne)
            memcpy(b->edges, re, ne * sizeof *re); /* b->edges is NULL when there are none */
        rc = edge_rehash(b, b->edge_mask + 1);
        memset(b->last_edge, 0xff, b->n_work * sizeof *b->last_edge); /* PPROF_NONE */
    }
    free(order);
    free(count);
    free(re);
    return rc;
}

static int tree_edge_pass(gb *b, const loc_steps *ls)
{
    const loc_step *steps = ls->steps;
    const uint32_t *pair_off = ls->pair_off;
    const loc_pair *pairs = ls->pairs;
    size_t n_pairs = ls->n_pairs;
    const pprof_stack_index *x = b->stacks;
    size_t n = x->n_tree, nt = x->n_types, si = (size_t)b->si;
    const bool mean = b->opt->mean;
    enum { AFTER_RESIDUAL = 1, COUNTED = 2 };
    uint32_t *after = malloc((n ? n : 1) * sizeof *after); /* kept node the path ends in after i */
    uint32_t *edge_of = malloc((n ? n : 1) * sizeof *edge_of);
    uint32_t *pair_edge = malloc((n_pairs ? n_pairs : 1) * sizeof *pair_edge);
    uint8_t *flags = malloc(n ? n : 1);
    uint32_t *path = malloc((n ? n : 1) * sizeof *path);
    uint32_t *first_row = malloc((n ? n : 1) * sizeof *first_row); /* first stack walked through node i */
    edge_walk *walk = NULL;
    size_t cap_walk = 0;
    int rc = after && edge_of && pair_edge && flags && path && first_row ? 0 : PPROF_ENOMEM;
    /* The first stack walked (one with a tracked node) through each tree
     * node: its own, or its children's (which come after it). A node that
     * has an edge has a tracked node, so every stack through it is walked. */
    if (!rc)
        memset(first_row, 0xff, n * sizeof *first_row);
    for (size_t r = 0; r < b->n_rows && !rc; r++) {
        uint32_t t = x->stack_leaf[r];
        if (b->sample_edges[r] && t != PPROF_NONE && first_row[t] == UINT32_MAX)
            first_row[t] = (uint32_t)r;
    }
    for (size_t i = n; i-- > 0 && !rc;) {
        uint32_t up = x->tree_parent[i];
        if (up != PPROF_NONE && first_row[i] < first_row[up])
            first_row[up] = first_row[i];
    }
    /* Many tree nodes make an edge: a hash table sized for them (up to 8
     * MiB) saves rehashing as it fills. With edges_of only the tracked
     * nodes' edges are made, a few per node (the table grows if need be):
     * the whole tree's size would be mostly untouched pages. */
    size_t want = 1024, most = n + n_pairs;
    if (b->track_src && b->n_tracked < most / 8)
        most = 8 * b->n_tracked + n_pairs;
    while (!rc && want < 2 * most && want < ((size_t)1 << 21))
        want *= 2;
    if (!rc && want > b->edge_mask + 1)
        rc = edge_rehash(b, want);
    if (!rc)
        memset(pair_edge, 0xff, n_pairs * sizeof *pair_edge);
    size_t depth = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t up = x->tree_parent[i];
        while (depth > 0 && path[depth - 1] != up) {
            uint32_t j = path[--depth];
            if (!(flags[j] & COUNTED))
                continue;
            if (edge_of[j] != PPROF_NONE)
                walk[edge_of[j]].on_path--;
            uint32_t rj = loc_set_at(&ls->kept, x->tree_loc[j]); /* (counted: kept) */
            for (uint32_t k = pair_off[rj], end = pair_off[rj + 1]; k < end; k++)
                walk[pair_edge[k]].on_path--;
        }
        path[depth++] = (uint32_t)i;
        /* The locations come in no order: fetch ahead (the walk waits on
         * memory more than it computes). */
        if (i + 16 < n) {
            uint32_t ahead = loc_set_at(&ls->kept, x->tree_loc[i + 16]);
            if (ahead != PPROF_NONE)
                __builtin_prefetch(&steps[ahead]);
        }
        uint32_t parent = up == PPROF_NONE ? PPROF_NONE : after[up];
        bool residual = up != PPROF_NONE && (flags[up] & AFTER_RESIDUAL);
        uint32_t r = loc_set_at(&ls->kept, x->tree_loc[i]);
        flags[i] = 0;
        edge_of[i] = PPROF_NONE;
        if (r == PPROF_NONE) {
            after[i] = parent;
            flags[i] = AFTER_RESIDUAL;
            continue;
        }
        const loc_step *d = &steps[r];
        after[i] = d->inner;
        if (d->flags & STEP_INNER_RESIDUAL)
            flags[i] |= AFTER_RESIDUAL;
        if (first_row[i] == UINT32_MAX)
            continue; /* no stack walked goes through here */
        const int64_t *sum = x->tree_sum + i * nt;
        int64_t w = sum[si], dw = mean ? sum[0] : 0;
        edge_walk at = {0, first_row[i], (uint32_t)depth, 0};
        flags[i] |= COUNTED;
        if (((d->flags & STEP_OUTER_TRACK) || (b->track_src && parent != PPROF_NONE && b->track[parent])) &&
            parent != PPROF_NONE && parent != d->outer) {
            bool inl = d->flags & STEP_OUTER_INLINE, res = residual || inl;
            rc = edge_find(b, parent, d->outer, res, inl, &edge_of[i]);
            if (!rc)
                rc = edge_occurs(b, &walk, &cap_walk, edge_of[i], w, dw, res, inl, at);
        }
        for (uint32_t k = pair_off[r], end = pair_off[r + 1]; k < end && !rc; k++) {
            if (pair_edge[k] == PPROF_NONE)
                rc = edge_find(b, pairs[k].src, pairs[k].dst, pairs[k].residual, true, &pair_edge[k]);
            at.sub = 1 + k - pair_off[r];
            if (!rc)
                rc = edge_occurs(b, &walk, &cap_walk, pair_edge[k], w, dw, pairs[k].residual, true, at);
        }
    }
    if (!rc)
        rc = edges_reorder(b, walk);
    free(walk);
    free(first_row);
    free(after);
    free(edge_of);
    free(pair_edge);
    free(flags);
    free(path);
    return rc;
}

/* An edge pass under way: made and perhaps running its second part in a
 * thread (edges_start), until edges_finish runs the first part, waits
 * for the second and puts the edges together. Stays where it is between. */
typedef struct edge_job {
    loc_steps ls;
    int rc;
    bool done; /* (nothing left for edges_finish but its rc) */
    bool threaded;
    uint32_t *pair_edge;
    loc_step *steps_two;
    edge_part one, two;
    gb other;
    pthread_t th;
    size_t next;
} edge_job;

static void edges_start(gb *b, edge_job *j)
{
    memset(j, 0, sizeof *j);
    j->done = true;
    if ((j->rc = edges_reset(b)))
        return;
    if ((j->rc = loc_steps_build(&j->ls, b)))
        return;
    if (b->stacks && b->stacks->n_tree) {
        j->rc = tree_edge_pass(b, &j->ls);
        return;
    }
    /* Few of the kept locations make edges (-top: those with a line that
     * can be inlined): the pass visits only their frames. (Not with
     * edges_of, whose edges out of a tracked node start anywhere.) It
     * still reads every frame, as long as the node pass: split the same
     * way, with a second part's own steps (last_in) and edge tables,
     * big100k.pb.gz -top's pass took 2.0 ms instead of 4.6 (best of 9),
     * with no more page faults than the run's noise (perf stat). The
     * parts take their rows a chunk at a time, so that the first part
     * may start late (-top: after the sort, edges_finish). */
    const loc_steps *ls = &j->ls;
    bool sparse = !b->track_src && 4 * ls->n_edge <= 3 * ls->n_kept;
    size_t parts = b->split ? 2 : 1;
    size_t n_pairs = ls->n_pairs;
    /* (a second part's pairs' edges after the first's) */
    j->pair_edge = malloc((n_pairs ? n_pairs : 1) * sizeof *j->pair_edge * parts);
    j->steps_two = parts == 2 ? malloc((ls->n_kept ? ls->n_kept : 1) * sizeof *j->steps_two) : NULL;
    if (!j->pair_edge || (parts == 2 && !j->steps_two)) {
        j->rc = PPROF_ENOMEM;
        return;
    }
    j->done = false;
    if (j->steps_two && ls->n_kept)
        memcpy(j->steps_two, ls->steps, ls->n_kept * sizeof *j->steps_two);
    memset(j->pair_edge, 0xff, n_pairs * parts * sizeof *j->pair_edge); /* PPROF_NONE */
    j->one = (edge_part){.b = b, .ls = ls, .steps = ls->steps, .has_edge = sparse ? ls->edge : NULL,
                         .pair_edge = j->pair_edge, .lo = 0, .hi = b->n_rows};
    if (parts == 2) {
        gb *other = &j->other;
        *other = *b;
        other->edges = NULL;
        other->n_edges = other->cap_edges = 0;
        other->edge_slots = NULL;
        other->last_edge = b->last_edge_two;
        other->overflow = false;
        j->two = j->one;
        j->two.b = other;
        j->two.steps = j->steps_two;
        j->two.pair_edge = j->pair_edge + n_pairs;
        j->one.next = j->two.next = &j->next;
        j->threaded = edges_reset(other) == 0;
        b->last_edge_two = other->last_edge;
        j->threaded = j->threaded && pthread_create(&j->th, NULL, edge_pass, &j->two) == 0;
        if (!j->threaded) {
            j->one.next = NULL;
            free(other->edges);
            free(other->edge_slots);
        }
    }
}

static int edges_finish(gb *b, edge_job *j)
{
    int rc = j->rc;
    if (!j->done) {
        edge_pass(&j->one);
        rc = j->one.rc;
        if (j->threaded) {
            pthread_join(j->th, NULL);
            if (!rc)
                rc = j->two.rc;
            if (!rc)
                rc = edges_merge_rows(b, j->one.first, &j->other, j->two.first);
            free(j->other.edges);
            free(j->other.edge_slots);
        }
    }
    free(j->one.first);
    free(j->two.first);
    free(j->steps_two);
    free(j->pair_edge);
    loc_steps_release(&j->ls, b);
    return rc;
}

static int accumulate_edges(gb *b)
{
    edge_job j;
    edges_start(b, &j);
    return edges_finish(b, &j);
}

/* ---------------------------------------------------------------- naming and order */

#define abs64 graph_abs64

/* One working node being sorted. */
typedef struct sort_item {
    uint32_t node;
    const char *name;
    int64_t flat, cum, score;
    const pprof_node_info *info;
} sort_item;

static int cmp_info(const pprof_node_info *a, const pprof_node_info *b)
{
    /* A deterministic last resort for nodes with equal printable names. */
    if (a->orig_name != b->orig_name)
        return a->orig_name < b->orig_name ? -1 : 1;
    if (a->objfile != b->objfile)
        return a->objfile < b->objfile ? -1 : 1;
    if (a->start_line != b->start_line)
        return a->start_line < b->start_line ? -1 : 1;
    return 0;
}

/* Equal nodes (call-tree paths of one function) keep their creation order. */
static int cmp_last(const sort_item *a, const sort_item *b)
{
    int c = cmp_info(a->info, b->info);
    if (c)
        return c;
    return a->node < b->node ? -1 : a->node > b->node;
}

/* Heavier |flat| (|cum| when cum_first) first, then by name, then heavier
 * |cum| (|flat|), then cmp_last. */
static int cmp_weights(const sort_item *a, const sort_item *b, bool cum_first)
{
    int64_t a1 = abs64(cum_first ? a->cum : a->flat), b1 = abs64(cum_first ? b->cum : b->flat);
    if (a1 != b1)
        return a1 > b1 ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    int64_t a2 = abs64(cum_first ? a->flat : a->cum), b2 = abs64(cum_first ? b->flat : b->cum);
    if (a2 != b2)
        return a2 > b2 ? -1 : 1;
    return cmp_last(a, b);
}

static int cmp_flat(const void *a, const void *b)
{
    return cmp_weights(a, b, false);
}

static int cmp_cum(const void *a, const void *b)
{
    return cmp_weights(a, b, true);
}

/* A score's magnitude as pprof takes it: negating the smallest int64
 * leaves it negative, so a score that overflowed to it (a NaN or infinite
 * entropy, common in diff profiles) sorts last, not first. */
static int64_t score_magnitude(int64_t v)
{
    return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* Larger scores first, by magnitude (diff profiles score below zero). */
static int cmp_entropy(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int64_t x = score_magnitude(a->score), y = score_magnitude(b->score);
    if (x != y)
        return x > y ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return cmp_last(a, b);
}

/* The printable names of the nodemap nodes, made when first asked for
 * (node_name): most reports name only the nodes they keep. */
static int compute_names(gb *b)
{
    b->names = gb_alloc(b, b->n_nodes * sizeof *b->names, true);
    return b->names ? 0 : PPROF_ENOMEM;
}

/* Node i's printable name into *out (made now if not yet). */
static int node_name(gb *b, uint32_t i, char **out)
{
    if (b->texts) {
        *out = (char *)pprof_node_texts_get(b->texts, i); /* (not freed: names[i] stays NULL) */
        return 0;
    }
    if (!b->names[i]) {
        pprof_buf buf = {0};
        int rc = pprof_nodemap_info_text(&buf, b->nm, &b->info[i]);
        if (!rc && !(b->names[i] = strdup(buf.data ? (const char *)buf.data : "")))
            rc = PPROF_ENOMEM;
        pprof_buf_release(&buf);
        if (rc)
            return rc;
    }
    *out = b->names[i];
    return 0;
}

static inline uint32_t info_index(const gb *b, uint32_t work)
{
    return b->info_of ? b->info_of[work] : work;
}

/* The edges of the current kept set (rebuilt from the samples, or the
 * call tree's), as the entropy order and the output need them. */
static int current_edges(gb *b)
{
    return b->opt->call_tree ? graph_tree_edges(b) : accumulate_edges(b);
}

/* Sorts the kept working nodes into items; returns their count. The
 * entropy order reads b->edges, which must be current. */
static int sorted_kept(gb *b, sort_item *items, size_t *count)
{
    /* edges_of with no node selection: only the tracked nodes are sorted,
     * the graph lists the others in working order (emit). */
    bool partial = b->track_src && b->opt->nodecount <= 0;
    size_t n = 0;
    for (size_t i = 0; i < b->n_work; i++) {
        if (!b->kept[i] || (b->hidden && b->hidden[i]) || (partial && !b->track[i]))
            continue;
        uint32_t inf = info_index(b, (uint32_t)i);
        items[n].node = (uint32_t)i;
        char *name;
        int rc = node_name(b, inf, &name);
        if (rc)
            return rc;
        items[n].name = name;
        items[n].flat = b->acc[i].flat;
        items[n].cum = b->acc[i].cum;
        items[n].score = 0;
        items[n].info = &b->info[inf];
        n++;
    }
    if (b->opt->visual) {
        int64_t *scores = malloc((n ? n : 1) * sizeof *scores);
        uint32_t *nodes = malloc((n ? n : 1) * sizeof *nodes);
        int rc = scores && nodes ? 0 : PPROF_ENOMEM;
        for (size_t j = 0; j < n && !rc; j++)
            nodes[j] = items[j].node;
        if (!rc)
            rc = graph_entropy_scores(scores, b, nodes, n);
        for (size_t j = 0; j < n && !rc; j++)
            items[j].score = scores[j];
        free(scores);
        free(nodes);
        if (rc)
            return rc;
    }
    qsort(items, n, sizeof *items, b->opt->visual ? cmp_entropy : b->opt->sort_cum ? cmp_cum : cmp_flat);
    b->g->matched_first = partial;
    b->g->n_matched = partial ? n : 0;
    /* (The others are not sorted: emit takes those it lists, counted here.) */
    b->n_others = 0;
    for (size_t i = 0; partial && i < b->n_work; i++)
        b->n_others += b->kept[i] && !(b->hidden && b->hidden[i]) && !b->track[i];
    *count = n;
    return 0;
}

/* ---------------------------------------------------------------- tags */

int graph_tags_take(gb *b, size_t s, bool *has)
{
    const pprof_profile *p = b->p;
    const pprof_sample *sm = &p->samples[s];
    size_t nt = p->n_sample_types;
    *has = false;
    if (sm->n_labels == 0 || sm->n_locs == 0)
        return 0;
    if (p->values[s * nt + (size_t)b->si] == 0 && (!b->opt->mean || p->values[s * nt] == 0))
        return 0;
    return graph_tags_sample(b->tags, s, has);
}

/* The samples graph_tags_take may feed (with labels and locations), in
 * order, into b->tag_rows: the tag passes visit only those. The profile's
 * index, or this graph's, lists them. */
static int tag_rows(gb *b)
{
    const pprof_profile *p = b->p;
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    if (!pprof_stack_index_describes(x, p))
        x = b->stacks;
    if (x && x->labelled) {
        b->tag_rows = x->labelled;
        b->n_tag_rows = x->n_labelled;
        return 0;
    }
    size_t n = 0, cap = 0;
    for (size_t s = 0; s < p->n_samples; s++) {
        if (p->samples[s].n_labels == 0 || p->samples[s].n_locs == 0)
            continue;
        if (PPROF_GROW(b->own_tag_rows, cap, n + 1))
            return PPROF_ENOMEM;
        b->own_tag_rows[n++] = (uint32_t)s;
    }
    b->tag_rows = b->own_tag_rows;
    b->n_tag_rows = n;
    return 0;
}

/* The locations with a wanted node, for the tag pass (set), then for the
 * wanted ones (by their number in the set) their wanted nodes' numbers
 * (graph_tags_wanted) in nodes[off[i] .. off[i + 1]), and first[i] that
 * of the location's first node (its leaf-most line), or PPROF_NONE. All
 * of it small: most locations are of no kept node. */
typedef struct loc_wanted {
    loc_set set;
    uint32_t *off, *nodes, *first;
} loc_wanted;

static void loc_wanted_release(loc_wanted *w, const gb *b)
{
    loc_set_release(&w->set, b);
    free(w->off);
    free(w->nodes);
    free(w->first);
}

static int loc_wanted_build(loc_wanted *w, const gb *b)
{
    const pprof_profile *p = b->p;
    size_t nl = p->n_locations, nw = nl / 64 + 1, n_locs = 0, n_nodes = 0;
    if (loc_set_alloc(&w->set, b, nl))
        return PPROF_ENOMEM;
    for (size_t L = 0; L < nl; L++) {
        size_t here = 0;
        for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++)
            here += graph_tags_wanted(b->tags, b->loc_nodes[k]) != PPROF_NONE;
        if (here) {
            loc_set_add(&w->set, L);
            n_locs++;
            n_nodes += here;
        }
    }
    w->off = malloc((n_locs + 1) * sizeof *w->off);
    w->nodes = malloc((n_nodes ? n_nodes : 1) * sizeof *w->nodes);
    w->first = malloc((n_locs ? n_locs : 1) * sizeof *w->first);
    if (!w->off || !w->nodes || !w->first)
        return PPROF_ENOMEM;
    loc_set_rank(&w->set, nl);
    uint32_t r = 0, at = 0;
    for (size_t i = 0; i < nw; i++) {
        for (uint64_t m = w->set.bits[i]; m; m &= m - 1) {
            size_t L = i * 64 + (size_t)__builtin_ctzll(m);
            w->off[r] = at;
            w->first[r] = graph_tags_wanted(b->tags, b->loc_nodes[b->loc_off[L]]);
            for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++) {
                uint32_t wi = graph_tags_wanted(b->tags, b->loc_nodes[k]);
                if (wi != PPROF_NONE)
                    w->nodes[at++] = wi;
            }
            r++;
        }
    }
    w->off[r] = at;
    return 0;
}

/* Location L's number among the wanted, or PPROF_NONE. */
static inline uint32_t loc_wanted_at(const loc_wanted *w, uint32_t L)
{
    return loc_set_at(&w->set, L);
}

/* Adds the sample fed last to wanted location at's nodes (once each: the
 * stamps), as cum. */
static inline int add_wanted_loc(gb *b, const loc_wanted *w, uint32_t at, uint32_t *stamps, uint32_t stamp)
{
    int rc = 0;
    for (uint32_t k = w->off[at]; k < w->off[at + 1] && !rc; k++) {
        uint32_t wi = w->nodes[k];
        if (stamps[wi] != stamp) {
            stamps[wi] = stamp;
            rc = graph_tags_add_wanted(b->tags, wi, false);
        }
    }
    return rc;
}

/* With the index's call tree: per tree node, the nearest node at or above
 * it whose location has a wanted node (PPROF_NONE: none), so that a
 * sample's path is walked only through those. */
static int tree_wanted_up(uint32_t **out, const pprof_stack_index *x, const loc_wanted *w)
{
    uint32_t *up = malloc((x->n_tree ? x->n_tree : 1) * sizeof *up);
    *out = up;
    if (!up)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < x->n_tree; i++) { /* (preorder: parents first) */
        uint32_t parent = x->tree_parent[i];
        up[i] = loc_wanted_at(w, x->tree_loc[i]) != PPROF_NONE ? (uint32_t)i
                : parent == PPROF_NONE                          ? PPROF_NONE
                                                                : up[parent];
    }
    return 0;
}

/* Feeds the labelled samples to b->tags: each distinct wanted node of the
 * stack once as cum (from the leaf up), the leaf-most one also as flat
 * (the other nodes have no tags to add to). */
static int nodemap_tags(gb *b)
{
    const pprof_profile *p = b->p;
    const pprof_stack_index *x = b->stacks && b->stacks->n_tree ? b->stacks : NULL;
    loc_wanted w = {0};
    uint32_t *up = NULL;
    size_t nw = graph_tags_n_wanted(b->tags);
    uint32_t *stamps = calloc(nw ? nw : 1, sizeof *stamps); /* per wanted node: last sample + 1 */
    int rc = stamps ? loc_wanted_build(&w, b) : PPROF_ENOMEM;
    if (!rc && x)
        rc = tree_wanted_up(&up, x, &w);
    for (size_t r = 0; r < b->n_tag_rows && !rc; r++) {
        size_t s = b->tag_rows[r];
        /* The labelled samples lie apart: their records fetched ahead,
         * then (once there) their locations (or stack), labels and values. */
        if (r + 16 < b->n_tag_rows) {
            __builtin_prefetch(&p->samples[b->tag_rows[r + 16]]);
            if (x)
                __builtin_prefetch(&x->stack_of[b->tag_rows[r + 16]]);
        }
        if (r + 8 < b->n_tag_rows) {
            size_t f = b->tag_rows[r + 8];
            const pprof_sample *fs = &p->samples[f];
            if (x)
                __builtin_prefetch(&x->stack_leaf[x->stack_of[f]]);
            else
                __builtin_prefetch(p->sample_locs + fs->locs_off);
            __builtin_prefetch(p->labels + fs->labels_off);
            __builtin_prefetch(p->values + f * p->n_sample_types);
        }
        if (x && r + 4 < b->n_tag_rows) {
            uint32_t leaf = x->stack_leaf[x->stack_of[b->tag_rows[r + 4]]];
            __builtin_prefetch(&x->tree_loc[leaf]);
            __builtin_prefetch(&up[leaf]);
        }
        const pprof_sample *sm = &p->samples[s];
        bool has;
        if ((rc = graph_tags_take(b, s, &has)) || !has)
            continue;
        uint32_t stamp = (uint32_t)s + 1, leaf_loc;
        if (x) {
            /* the tree path from the sample's leaf up is its locations */
            uint32_t leaf = x->stack_leaf[x->stack_of[s]];
            leaf_loc = x->tree_loc[leaf];
            for (uint32_t u = up[leaf]; u != PPROF_NONE && !rc;) {
                rc = add_wanted_loc(b, &w, loc_wanted_at(&w, x->tree_loc[u]), stamps, stamp);
                u = x->tree_parent[u] == PPROF_NONE ? PPROF_NONE : up[x->tree_parent[u]];
            }
        } else {
            const uint32_t *locs = p->sample_locs + sm->locs_off; /* (n_locs > 0) */
            leaf_loc = locs[0];
            for (size_t i = 0; i < sm->n_locs && !rc; i++) {
                uint32_t at = loc_wanted_at(&w, locs[i]);
                if (at != PPROF_NONE)
                    rc = add_wanted_loc(b, &w, at, stamps, stamp);
            }
        }
        uint32_t at = loc_wanted_at(&w, leaf_loc);
        if (!rc && at != PPROF_NONE && w.first[at] != PPROF_NONE)
            rc = graph_tags_add_wanted(b->tags, w.first[at], true);
    }
    free(up);
    free(stamps);
    loc_wanted_release(&w, b);
    return rc;
}

/* Computes the tags of the first n sorted nodes (the only ones nodecount
 * can keep). */
static int compute_tags(gb *b, const sort_item *items, size_t n)
{
    bool *want = gb_alloc(b, b->n_work, true);
    int rc = want ? tag_rows(b) : PPROF_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        want[items[i].node] = 1;
    if (!rc)
        rc = graph_tags_new(&b->tags, b, want, b->opt->tag_unit ? b->opt->tag_unit : "minimum");
    gb_free(b, want);
    /* A first pass bounds each label set's weight, so that the second
     * keeps only the tags that can pass the node cutoff; before it, the
     * samples with a label value under the cutoff are left out of both. */
    int64_t cutoff = b->g->node_cutoff;
    if (!rc)
        rc = graph_tags_bound(b->tags, cutoff);
    for (size_t r = 0; !rc && cutoff > 0 && r < b->n_tag_rows; r++) {
        bool has;
        rc = graph_tags_take(b, b->tag_rows[r], &has);
        if (!rc && has)
            rc = graph_tags_weigh(b->tags);
    }
    if (!rc) {
        graph_tags_prune(b->tags, cutoff);
        rc = b->opt->call_tree ? graph_tree_tags(b) : nodemap_tags(b);
    }
    return rc;
}

/* pprof's node selection for a drawing: each node also takes a slot per
 * tag with a flat value (at most 4). */
static size_t select_visual(const gb *b, const sort_item *items, size_t n, size_t nodecount)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t t = graph_tags_count(b->tags, items[i].node, b->g->node_cutoff);
        count += (t > 4 ? 4 : t) + 1;
        if (count >= nodecount)
            return i + 1;
    }
    return n;
}

/* ---------------------------------------------------------------- output graph */

int graph_index_edges(pprof_graph *g)
{
    size_t ne = g->n_edges;
    free(g->in_edges);
    free(g->out_edges);
    g->in_edges = calloc(ne ? ne : 1, sizeof *g->in_edges);
    g->out_edges = calloc(ne ? ne : 1, sizeof *g->out_edges);
    if (!g->in_edges || !g->out_edges)
        return PPROF_ENOMEM;
    size_t nn = g->n_nodes + g->n_hidden;
    for (size_t i = 0; i < nn; i++)
        g->nodes[i].n_in = g->nodes[i].n_out = 0;
    for (size_t i = 0; i < ne; i++) {
        g->nodes[g->edges[i].dst].n_in++;
        g->nodes[g->edges[i].src].n_out++;
    }
    uint32_t in_pos = 0, out_pos = 0;
    for (size_t i = 0; i < nn; i++) {
        g->nodes[i].in_off = in_pos;
        g->nodes[i].out_off = out_pos;
        in_pos += g->nodes[i].n_in;
        out_pos += g->nodes[i].n_out;
        g->nodes[i].n_in = g->nodes[i].n_out = 0;
    }
    for (size_t i = 0; i < ne; i++) {
        pprof_node *d = &g->nodes[g->edges[i].dst], *s = &g->nodes[g->edges[i].src];
        g->in_edges[d->in_off + d->n_in++] = (uint32_t)i;
        g->out_edges[s->out_off + s->n_out++] = (uint32_t)i;
    }
    return 0;
}

/* The output graph: the n sorted nodes, the edges among them that reach
 * the edge cutoff (the others counted as dropped), and their tags. After
 * the n nodes of a matched_first graph come, in working order, only those
 * of its other nodes at the other end of an edge; all_flat and all_min
 * tell of all of them (-peek prints the edges of a few of many nodes). */
static int emit(gb *b, const sort_item *items, size_t n)
{
    pprof_graph *g = b->g;
    size_t nh = b->hidden ? b->n_hidden : 0;
    bool others = g->matched_first;
    size_t most = n + nh + (others ? b->n_others : 0);
    uint32_t *newidx = gb_alloc(b, b->n_work * sizeof *newidx, false);
    uint32_t *work_of = malloc((most ? most : 1) * sizeof *work_of); /* emitted node -> working node */
    uint8_t *end = others ? calloc(b->n_work ? b->n_work : 1, 1) : NULL;
    if (!newidx || !work_of || (others && !end)) {
        gb_free(b, newidx);
        free(work_of);
        free(end);
        return PPROF_ENOMEM;
    }
    for (size_t i = 0; i < b->n_work; i++)
        newidx[i] = PPROF_NONE;
    size_t h = 0;
    for (size_t i = 0; i < n; i++)
        work_of[h++] = items[i].node;
    if (others) {
        for (size_t i = 0; i < b->n_edges; i++)
            end[b->edges[i].src] = end[b->edges[i].dst] = 1;
        /* The flat sum and least value of every node listed or not, in
         * the order the whole list would have (pprof_write_report_labels,
         * pprof_report_output_unit). */
        g->all_flat = g->all_min = 0;
        for (size_t k = 0; k < n + b->n_work; k++) {
            size_t i = k < n ? items[k].node : k - n;
            if (k >= n && (!b->kept[i] || (b->hidden && b->hidden[i]) || b->track[i]))
                continue;
            int64_t flat = pprof_quotient(b->acc[i].flat, b->acc[i].flat_div);
            int64_t v = abs64(flat);
            if (v == 0)
                v = abs64(pprof_quotient(b->acc[i].cum, b->acc[i].cum_div));
            if (v > 0 && (g->all_min == 0 || v < g->all_min))
                g->all_min = v;
            pprof_sat_add(&g->all_flat, flat);
            if (k >= n && end[i])
                work_of[h++] = (uint32_t)i;
        }
    }
    size_t listed = h;
    /* Hidden nodes after the others, in working order. */
    for (size_t i = 0; i < b->n_work && nh; i++)
        if (b->hidden[i] && (!others || end[i]))
            work_of[h++] = (uint32_t)i;
    free(end);
    g->nodes = calloc(h ? h : 1, sizeof *g->nodes);
    if (!g->nodes) {
        gb_free(b, newidx);
        free(work_of);
        return PPROF_ENOMEM;
    }
    for (size_t k = 0; k < h; k++) {
        uint32_t o = work_of[k];
        newidx[o] = (uint32_t)k;
        pprof_node *nd = &g->nodes[k];
        nd->info = b->info[info_index(b, o)];
        nd->flat = b->acc[o].flat;
        nd->flat_div = b->acc[o].flat_div;
        nd->cum = b->acc[o].cum;
        nd->cum_div = b->acc[o].cum_div;
    }
    g->n_nodes = listed;
    g->n_hidden = h - listed;
    n = listed; /* (from here: the listed nodes) */
    if (b->texts) {
        g->texts = malloc((h ? h : 1) * sizeof *g->texts);
        if (!g->texts) {
            gb_free(b, newidx);
            free(work_of);
            return PPROF_ENOMEM;
        }
        for (size_t k = 0; k < h; k++)
            g->texts[k] = pprof_node_texts_get(b->texts, info_index(b, work_of[k]));
    } else if (!b->opt->visual && !b->opt->call_tree && !g->matched_first) {
        /* The names the sort made (pprof_node_text's bytes) move to the
         * graph, which frees them: a text report prints them as they are
         * (big100k.pb.gz -top: 1,432 names not escaped again). (Not in a
         * drawing, which names its nodes again after this; nor in a call
         * tree, whose nodes share names; nor with matched_first, which
         * names few of the nodes it lists.) */
        const char **texts = malloc((h ? h : 1) * sizeof *texts);
        int rc = texts ? 0 : PPROF_ENOMEM;
        size_t moved = 0;
        for (char *name; moved < h && !rc && !(rc = node_name(b, work_of[moved], &name)); moved++) {
            texts[moved] = name;
            b->names[work_of[moved]] = NULL;
        }
        if (rc) {
            for (size_t k = 0; k < moved; k++)
                free((char *)texts[k]);
            free(texts);
            gb_free(b, newidx);
            free(work_of);
            return rc;
        }
        g->texts = texts;
    }
    /* pprof trims the in-edges of the graph's nodes: an edge into a hidden
     * node stays whatever its weight. */
    size_t ne = 0;
    for (size_t i = 0; i < b->n_edges; i++) {
        edge_rec *r = &b->edges[i];
        if (newidx[r->src] == PPROF_NONE || newidx[r->dst] == PPROF_NONE)
            continue;
        if (newidx[r->dst] < n && abs64(r->w) < g->edge_cutoff) {
            g->dropped_edges++;
            continue;
        }
        ne++;
    }
    g->edges = calloc(ne ? ne : 1, sizeof *g->edges);
    int rc = g->edges ? 0 : PPROF_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < b->n_edges && !rc; i++) {
        edge_rec *r = &b->edges[i];
        if (newidx[r->src] == PPROF_NONE || newidx[r->dst] == PPROF_NONE ||
            (newidx[r->dst] < n && abs64(r->w) < g->edge_cutoff))
            continue;
        pprof_edge *e = &g->edges[k++];
        e->src = newidx[r->src];
        e->dst = newidx[r->dst];
        e->weight = r->w;
        e->weight_div = r->wd;
        e->residual = r->residual;
        e->is_inline = r->is_inline;
    }
    g->n_edges = ne;
    if (!rc)
        rc = graph_index_edges(g);
    if (!rc && b->tags)
        rc = graph_tags_emit(b->tags, g, work_of, n, g->node_cutoff);
    gb_free(b, newidx);
    free(work_of);
    return rc;
}

static void gb_release(gb *b)
{
    free(b->acc);
    gb_free(b, b->kept);
    gb_free(b, b->hidden);
    gb_free(b, b->track);
    gb_free(b, b->sample_edges);
    free(b->loc_single);
    free(b->edges);
    free(b->edge_slots);
    gb_free(b, b->last_edge);
    gb_free(b, b->last_edge_two);
    if (b->names)
        for (size_t i = 0; i < b->n_nodes; i++)
            free(b->names[i]);
    gb_free(b, b->names);
    free(b->info_of);
    free(b->up);
    free(b->parent);
    free(b->has_in);
    free(b->in_residual);
    free(b->in_inline);
    free(b->in_w);
    free(b->in_wd);
    free(b->tree_slots);
    free(b->own_tag_rows);
    graph_tags_free(b->tags);
}

void pprof_graph_free(pprof_graph *g)
{
    if (!g)
        return;
    if (!g->text_table) /* (else it is theirs) */
        pprof_nodemap_free(g->nodemap);
    free(g->nodes);
    free(g->edges);
    free(g->in_edges);
    free(g->out_edges);
    free(g->tags);
    for (size_t i = 0; i < g->n_strings; i++)
        free(g->strings[i]);
    free(g->strings);
    if (g->texts && !g->text_table) /* (its own: the builder's names) */
        for (size_t i = 0; i < g->n_nodes + g->n_hidden; i++)
            free((char *)g->texts[i]);
    free(g->texts);
    pprof_node_texts_unref(g->text_table);
    free(g);
}

/* edges_of, after the node pass: tracks the nodes with a value (the only
 * ones a graph lists: a report prints no other node's edges) whose text
 * matches, naming only those, and marks the rows through a tracked node
 * for the edge pass. */
static int track_matching(gb *b)
{
    const pprof_profile *p = b->p;
    pprof_buf name = {0};
    int rc = 0;
    size_t any = 0;
    /* The names' strings lie all over the profile: fetched ahead, in two
     * steps (their address, then their bytes), the loop waits less. */
    const pprof_node_info *info = b->info;
    const char **strs = p->strings;
    size_t n_strs = p->n_strings;
    for (size_t i = 0; i < b->n_work && !rc; i++) {
        /* (The texts made once lie in node order: nothing to fetch ahead.) */
        if (i + 16 < b->n_work && !b->texts) {
            const pprof_node_info *f = &info[i + 16];
            if (f->name < n_strs)
                __builtin_prefetch(&strs[f->name]), __builtin_prefetch(&p->string_lens[f->name]);
            if (f->file < n_strs)
                __builtin_prefetch(&strs[f->file]), __builtin_prefetch(&p->string_lens[f->file]);
        }
        if (i + 8 < b->n_work && !b->texts) {
            const pprof_node_info *f = &info[i + 8];
            if (f->name < n_strs)
                __builtin_prefetch(strs[f->name]);
            if (f->file < n_strs)
                __builtin_prefetch(strs[f->file]);
        }
        if (b->acc[i].flat == 0 && b->acc[i].cum == 0)
            continue;
        if (b->texts) {
            const char *t = pprof_node_texts_get(b->texts, (uint32_t)i);
            if (pprof_regex_match(b->opt->edges_of, t, strlen(t))) {
                b->track[i] = 1;
                any++;
            }
            continue;
        }
        name.len = 0;
        rc = pprof_nodemap_info_text(&name, b->nm, &b->info[i]);
        if (rc || !pprof_regex_match(b->opt->edges_of, name.data ? (const char *)name.data : "", name.len))
            continue;
        b->track[i] = 1;
        any++;
        /* (kept: the sort needs it) */
        if (!(b->names[i] = strdup(name.data ? (const char *)name.data : "")))
            rc = PPROF_ENOMEM;
    }
    pprof_buf_release(&name);
    b->n_tracked = any;
    if (rc)
        return rc;
    if (!any) {
        memset(b->sample_edges, 0, b->n_rows);
        return 0;
    }
    /* Locations with a tracked line, as a bit map. */
    size_t nl = p->n_locations;
    uint8_t *loc_tracked = calloc(nl / 8 + 1, 1);
    if (!loc_tracked)
        return PPROF_ENOMEM;
    for (size_t L = 0; L < nl; L++)
        for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++)
            if (b->track[b->loc_nodes[k]])
                loc_tracked[L >> 3] |= (uint8_t)(1u << (L & 7));
    const pprof_stack_index *x = b->stacks;
    if (x && x->n_tree) {
        /* A tree node is on a tracked path when it or a node above is. */
        uint8_t *on = malloc(x->n_tree);
        if (!on) {
            free(loc_tracked);
            return PPROF_ENOMEM;
        }
        for (size_t i = 0; i < x->n_tree; i++) {
            uint32_t up = x->tree_parent[i], L = x->tree_loc[i];
            on[i] = (up != PPROF_NONE && on[up]) || (loc_tracked[L >> 3] >> (L & 7) & 1);
        }
        for (size_t r = 0; r < b->n_rows; r++)
            b->sample_edges[r] = x->stack_leaf[r] != PPROF_NONE && on[x->stack_leaf[r]];
        free(on);
    } else {
        /* The rows the node pass counted: with a location and a value. */
        const int si = b->si;
        const bool mean = b->opt->mean;
        for (size_t s = 0; s < b->n_rows; s++) {
            const pprof_sample *sm = graph_row_sample(b, s);
            const int64_t *v = graph_row_values(b, s);
            uint8_t mark = 0;
            if (sm->n_locs && (v[si] != 0 || (mean && v[0] != 0) || b->stacks)) {
                const uint32_t *locs = p->sample_locs + sm->locs_off;
                for (size_t i = 0; i < sm->n_locs && !mark; i++)
                    mark = loc_tracked[locs[i] >> 3] >> (locs[i] & 7) & 1;
            }
            b->sample_edges[s] = mark;
        }
    }
    free(loc_tracked);
    return 0;
}

/* The working arrays of the nodemap graph (the call tree makes its own). */
static int alloc_nodemap_work(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nn = b->n_nodes;
    b->n_work = nn;
    /* Both written in full before they are read (the node pass, below):
     * on huge pages when big (big100k.pb.gz: 1.6 MB and 0.8 MB; mapped
     * ahead a 4 KiB page at a time, the node pass's first touches of
     * them cost more than its sums). acc is zeroed by the node pass. */
    b->acc = pprof_work_alloc(nn * sizeof *b->acc, false);
    b->kept = gb_alloc(b, nn, false);
    b->track = gb_alloc(b, nn, false);
    b->sample_edges = gb_alloc(b, b->n_rows, false);
    b->loc_single = pprof_work_alloc(p->n_locations * sizeof *b->loc_single, false);
    if (!b->acc || !b->kept || !b->track || !b->sample_edges || !b->loc_single)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < p->n_locations; i++)
        b->loc_single[i] = b->loc_off[i + 1] - b->loc_off[i] == 1 ? b->loc_nodes[b->loc_off[i]] : PPROF_NONE;
    if (b->track_src) {
        /* Only the edges into or out of the nodes named by edges_of: known
         * once the node pass tells which nodes have a value (track_matching). */
        memset(b->track, 0, nn);
        int rc = accumulate_nodes(b);
        return rc ? rc : track_matching(b);
    } else if (b->opt->inline_edges_only && !b->opt->visual) {
        /* Only nodes that appear as inlined lines can have inline in-edges. */
        memset(b->track, 0, nn);
        for (size_t i = 0; i < p->n_locations; i++)
            for (uint32_t k = b->loc_off[i]; k + 1 < b->loc_off[i + 1]; k++)
                b->track[b->loc_nodes[k]] = 1;
    } else {
        memset(b->track, 1, nn);
    }
    return accumulate_nodes(b);
}

/* pprof drops a node with neither flat nor cum (or a negative one with
 * drop_negative) from the graph's node list, yet its edges stay in the
 * graph until a trim rebuilds it: such a node, when some counted sample
 * passes through it, joins the edge passes as a hidden node. */
static int mark_hidden(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nt = p->n_sample_types;
    b->hidden = gb_alloc(b, b->n_work * sizeof *b->hidden, true);
    if (!b->hidden)
        return PPROF_ENOMEM;
    bool any = false;
    for (size_t i = 0; i < b->n_work && !any; i++)
        any = !b->kept[i];
    const pprof_stack_index *x = b->stacks;
    if (x && x->n_tree) {
        /* The locations of the index's call tree are those of its stacks
         * (no sample of which is 0). When all of them are above 0, so is
         * the cum of every node on them: none is hidden. */
        bool positive = true;
        for (size_t k = 0; k < x->n_stacks && positive; k++)
            positive = x->values[k * x->n_types + (size_t)b->si] > 0;
        for (size_t i = 0; i < x->n_tree && any && !positive; i++) {
            uint32_t L = x->tree_loc[i];
            for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++) {
                uint32_t n = b->loc_nodes[k];
                if (!b->kept[n] && !b->hidden[n]) {
                    b->hidden[n] = true;
                    b->n_hidden++;
                }
            }
        }
        any = false;
    }
    /* With an index, its distinct stacks (no sample of them is 0). */
    size_t rows = b->stacks ? b->n_rows : p->n_samples;
    for (size_t s = 0; s < rows && any; s++) {
        const pprof_sample *sm = b->stacks ? graph_row_sample(b, s) : &p->samples[s];
        if (!b->stacks && p->values[s * nt + (size_t)b->si] == 0 && (!b->opt->mean || p->values[s * nt] == 0))
            continue;
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL;
        for (size_t i = 0; i < sm->n_locs; i++)
            for (uint32_t k = b->loc_off[locs[i]]; k < b->loc_off[locs[i] + 1]; k++) {
                uint32_t n = b->loc_nodes[k];
                if (!b->kept[n] && !b->hidden[n]) {
                    b->hidden[n] = true;
                    b->n_hidden++;
                }
            }
    }
    for (size_t i = 0; i < b->n_work; i++)
        b->kept[i] |= b->hidden[i];
    return 0;
}

/* Keeps the first n sorted nodes. */
static void keep_first(gb *b, const sort_item *items, size_t n)
{
    gb_free(b, b->hidden); /* a rebuilt graph has only the nodes it keeps */
    b->hidden = NULL;
    b->n_hidden = 0;
    memset(b->kept, 0, b->n_work);
    for (size_t i = 0; i < n; i++)
        b->kept[items[i].node] = 1;
}

/* pprof's newTrimmedGraph after the full graph: nodefraction, order,
 * nodecount (tags counted in a drawing), edgefraction, redundant edges. */
static int trim_and_emit(gb *b, sort_item *items)
{
    const pprof_graph_options *opt = b->opt;
    pprof_graph *g = b->g;
    int rc = 0;
    /* pprof's graph leaves out nodes with neither flat nor cum, and with
     * drop_negative the negative ones; the total is over what stays. */
    for (size_t i = 0; i < b->n_work; i++) {
        const node_acc *a = &b->acc[i];
        b->kept[i] = !(a->cum == 0 && a->flat == 0) &&
                     !(opt->drop_negative && (a->flat < 0 || (a->flat == 0 && a->cum < 0)));
    }
    int64_t total = 0;
    for (size_t i = 0; i < b->n_work; i++)
        if (b->kept[i])
            graph_add_sat(&total, b->acc[i].flat, &b->overflow);
    g->node_cutoff = abs64(graph_go_int64((double)total * opt->nodefraction));
    g->edge_cutoff = abs64(graph_go_int64((double)total * opt->edgefraction));
    /* Nodes below the cutoff go; edges across them become residual. */
    size_t present = 0, kept = 0;
    for (size_t i = 0; i < b->n_work; i++) {
        present += b->kept[i];
        b->kept[i] = b->kept[i] && abs64(b->acc[i].cum) >= g->node_cutoff;
        kept += b->kept[i];
    }
    g->dropped_nodes = present - kept;
    if (opt->call_tree && g->dropped_nodes)
        graph_tree_trim(b);
    if (!opt->call_tree && !g->dropped_nodes && (opt->visual || !opt->inline_edges_only) &&
        (rc = mark_hidden(b)))
        return rc;
    if (!rc && opt->visual)
        rc = current_edges(b);
    /* With no node selection (-top) the kept set is final here and the
     * sort reads no edge: the edge pass's second part runs while this
     * thread sorts (deep.pb.gz -top: 3,127 nodes named and sorted). */
    edge_job early;
    bool started = !rc && !opt->visual && !opt->call_tree && opt->nodecount <= 0;
    if (started)
        edges_start(b, &early);
    size_t n = 0;
    if (!rc)
        rc = sorted_kept(b, items, &n);
    if (started && rc)
        edges_finish(b, &early);
    if (rc)
        return rc;
    g->orig_nodes = n + b->n_others;
    bool edges_current = opt->visual;
    /* Edges trimmed before the selection stay trimmed only in a call tree;
     * a nodemap graph gets them back when it is rebuilt, else pprof counts
     * none as dropped. */
    bool count_dropped = true;
    if (opt->nodecount > 0) {
        size_t nodecount = (size_t)opt->nodecount;
        if (opt->visual && (rc = compute_tags(b, items, n < nodecount ? n : nodecount)))
            return rc;
        if (opt->call_tree)
            graph_tree_trim_edges(b, g->edge_cutoff);
        size_t sel = opt->visual ? select_visual(b, items, n, nodecount) : (n < nodecount ? n : nodecount);
        if (sel < n) {
            keep_first(b, items, sel);
            if (opt->call_tree)
                graph_tree_trim(b);
            if (opt->visual && (rc = current_edges(b)))
                return rc;
            if ((rc = sorted_kept(b, items, &n)))
                return rc;
        } else {
            count_dropped = opt->call_tree;
            if (opt->call_tree)
                edges_current = false;
        }
    } else if (opt->visual && (rc = compute_tags(b, items, n))) {
        return rc;
    }
    if (started)
        rc = edges_finish(b, &early);
    else if (!edges_current)
        rc = current_edges(b);
    if (rc || (rc = emit(b, items, n)))
        return rc;
    if (!count_dropped)
        g->dropped_edges = 0;
    if (opt->visual) {
        size_t all = g->n_nodes + g->n_hidden;
        char **names = malloc((all ? all : 1) * sizeof *names);
        if (!names)
            return PPROF_ENOMEM;
        for (size_t i = 0; i < n && !rc; i++)
            rc = node_name(b, info_index(b, items[i].node), &names[i]);
        for (size_t i = 0, h = n; i < b->n_work && h < all && !rc; i++)
            if (b->hidden && b->hidden[i])
                rc = node_name(b, info_index(b, (uint32_t)i), &names[h++]);
        if (!rc)
            rc = graph_remove_redundant_edges(g, names);
        free(names);
    }
    return rc;
}

/* A stack index built in a thread (x NULL when it could not be). */
typedef struct index_job {
    const pprof_profile *p;
    pprof_stack_index *x;
} index_job;

static void *index_build(void *arg)
{
    index_job *j = arg;
    if (pprof_stack_index_build(&j->x, j->p) != 0)
        j->x = NULL;
    return NULL;
}

int pprof_graph_build(pprof_graph **out, const pprof_profile *p, const pprof_graph_options *opt,
                      pprof_error *err)
{
    *out = NULL;
    if (opt->sample_index < 0 || (size_t)opt->sample_index >= p->n_sample_types) {
        if (p->n_samples || opt->sample_index != 0)
            return pprof_error_set(err, PPROF_EINVAL, "sample_index %d is outside the range [0..%zu]",
                                   opt->sample_index, p->n_sample_types ? p->n_sample_types - 1 : 0);
    }
    gb b;
    memset(&b, 0, sizeof b);
    b.p = p;
    b.opt = opt;
    b.si = opt->sample_index;
    b.g = calloc(1, sizeof *b.g);
    if (!b.g)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    b.g->profile = p;
    /* A profile that answers many reports keeps its index; a big one
     * without gets one for this graph, built in a second thread while
     * this one builds the nodes. */
    index_job job = {.p = p};
    graph_scratch scratch = {0};
    b.stacks = pprof_profile_stack_index(p, b.si, opt->mean);
    bool build_index = !b.stacks && pprof_stack_index_worth_building(p);
    pthread_t th;
    bool threaded = build_index && !opt->single_threaded && pthread_create(&th, NULL, index_build, &job) == 0;
    /* The profile's node identity for these options, with its nodes'
     * texts, shared by reference; else a copy of it, else made now. */
    int rc = 0;
    b.texts = pprof_stack_index_texts(p, opt);
    if (b.texts) {
        b.g->nodemap = b.texts->nodemap;
        b.g->text_table = pprof_node_texts_ref(b.texts);
    } else if ((rc = pprof_stack_index_nodemap(&b.g->nodemap, p, opt)) != 0) {
        rc = pprof_error_set(err, rc, "building nodes: %s", pprof_strerror(rc));
    } else if (!b.g->nodemap) {
        rc = pprof_nodemap_build(&b.g->nodemap, p, opt, err);
    }
    if (threaded)
        pthread_join(th, NULL);
    else if (build_index)
        index_build(&job);
    pprof_stack_index *own = job.x;
    if (own && pprof_stack_index_fits(own, p, b.si, opt->mean))
        b.stacks = own;
    b.n_rows = b.stacks ? b.stacks->n_stacks : p->n_samples;
    if (!rc) {
        b.nm = b.g->nodemap;
        b.info = b.nm->nodes;
        b.n_nodes = b.nm->n_nodes;
        b.loc_off = b.nm->loc_off;
        b.loc_nodes = b.nm->loc_nodes;
        graph_scratch_init(&scratch, &b);
        b.scratch = &scratch;
        /* edges_of: only the edges of the nodes it names, when no other
         * edge can show (no drawing, no edge cutoff, no call tree). */
        b.track_src = opt->edges_of && !opt->call_tree && !opt->visual && opt->edgefraction == 0;
        if (b.track_src)
            rc = compute_names(&b);
        if (!rc)
            rc = opt->call_tree ? graph_tree_build(&b) : alloc_nodemap_work(&b);
    }
    if (!rc && !b.names)
        rc = compute_names(&b);
    sort_item *items = NULL;
    if (!rc) {
        items = malloc((b.n_work ? b.n_work : 1) * sizeof *items);
        rc = items ? trim_and_emit(&b, items) : PPROF_ENOMEM;
    }
    free(items);
    gb_release(&b);
    free(scratch.base);
    pprof_stack_index_free(own);
    if (rc) {
        pprof_graph_free(b.g);
        return pprof_error_set(err, rc, "building graph: %s", pprof_strerror(rc));
    }
    *out = b.g;
    return 0;
}
