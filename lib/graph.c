/* graph.c: builds pprof's call graph from a profile: node identity per
 * granularity, flat/cum/edge accumulation, nodefraction/nodecount trimming
 * and the flat/cum name orders. */
#include "internal.h"

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

/* ---------------------------------------------------------------- builder state */

typedef struct node_acc {
    int64_t flat, flat_div, cum, cum_div;
    uint32_t stamp;
} node_acc;

typedef struct edge_rec {
    uint32_t src, dst;
    int64_t w, wd;
    uint32_t stamp;
    bool residual, is_inline;
} edge_rec;

typedef struct gb {
    const pprof_profile *p;
    const pprof_graph_options *opt;
    pprof_graph *g;
    /* node identity per location line (innermost line first) */
    pprof_nodemap *nm;
    const pprof_node_info *info;
    size_t n_nodes;
    const uint32_t *loc_off;
    const uint32_t *loc_nodes;
    /* per-pass accumulators */
    node_acc *acc;
    bool *kept;
    bool *track;
    uint8_t *sample_edges; /* per sample: has a tracked node */
    uint32_t *loc_single;  /* per location: its only node, or PPROF_NONE */
    uint32_t *stamps;      /* per node: last sample that counted its cum */
    edge_rec *edges;
    size_t n_edges, cap_edges;
    uint32_t *edge_slots; /* hash (src,dst) -> edge index + 1 */
    size_t edge_mask;
    char **names; /* printable name per node, for sorting */
    bool overflow;
    int si;
} gb;

/* ---------------------------------------------------------------- accumulation */

static inline void add_sat(int64_t *dst, int64_t v, bool *overflow)
{
    if (__builtin_add_overflow(*dst, v, dst)) {
        *dst = v > 0 ? INT64_MAX : INT64_MIN;
        *overflow = true;
    }
}

static int edge_rehash(gb *b, size_t slots)
{
    uint32_t *t = calloc(slots, sizeof *t);
    if (!t)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < b->n_edges; i++) {
        uint64_t key = (uint64_t)b->edges[i].src << 32 | b->edges[i].dst;
        size_t h = pprof_hash_u64(key) & (slots - 1);
        while (t[h])
            h = (h + 1) & (slots - 1);
        t[h] = (uint32_t)i + 1;
    }
    free(b->edge_slots);
    b->edge_slots = t;
    b->edge_mask = slots - 1;
    return 0;
}

static int edge_add(gb *b, uint32_t src, uint32_t dst, int64_t w, int64_t wd, bool residual,
                    bool is_inline, uint32_t stamp)
{
    uint64_t key = (uint64_t)src << 32 | dst;
    size_t h = pprof_hash_u64(key) & b->edge_mask;
    for (;;) {
        uint32_t e = b->edge_slots[h];
        if (!e)
            break;
        edge_rec *r = &b->edges[e - 1];
        if (r->src == src && r->dst == dst) {
            if (r->stamp == stamp)
                return 0; /* once per sample */
            r->stamp = stamp;
            add_sat(&r->w, w, &b->overflow);
            add_sat(&r->wd, wd, &b->overflow);
            r->residual |= residual;
            r->is_inline &= is_inline;
            return 0;
        }
        h = (h + 1) & b->edge_mask;
    }
    if (PPROF_GROW(b->edges, b->cap_edges, b->n_edges + 1))
        return PPROF_ENOMEM;
    edge_rec *r = &b->edges[b->n_edges];
    r->src = src;
    r->dst = dst;
    r->w = w;
    r->wd = wd;
    r->stamp = stamp;
    r->residual = residual;
    r->is_inline = is_inline;
    b->edge_slots[h] = (uint32_t)++b->n_edges;
    if (b->n_edges * 2 > b->edge_mask + 1)
        return edge_rehash(b, (b->edge_mask + 1) * 2);
    return 0;
}

/* Node pass: flat and cum of every node. Dropping nodes later never changes
 * the flat or cum of the nodes that stay (cum is counted once per node per
 * sample; flat goes to the leaf-most node), so this runs once. Also marks
 * the samples that contain a tracked node, for the edge pass. */
static int accumulate_nodes(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nt = p->n_sample_types;
    memset(b->acc, 0, b->n_nodes * sizeof *b->acc);
    const int si = b->si;
    const bool mean = b->opt->mean;
    const uint32_t *loc_off = b->loc_off, *loc_nodes = b->loc_nodes, *single = b->loc_single;
    node_acc *acc = b->acc;
    uint32_t *stamps = b->stamps;
    const bool *track = b->track;
    memset(stamps, 0, b->n_nodes * sizeof *stamps);
    for (size_t s = 0; s < p->n_samples; s++) {
        const pprof_sample *sm = &p->samples[s];
        int64_t w = p->values[s * nt + (size_t)si];
        int64_t dw = mean ? p->values[s * nt] : 0;
        b->sample_edges[s] = 0;
        if (w == 0 && dw == 0)
            continue;
        uint32_t stamp = (uint32_t)s + 1;
        const uint32_t *locs = p->sample_locs + sm->locs_off;
        bool tracked = false;
        for (size_t i = 0; i < sm->n_locs; i++) {
            uint32_t L = locs[i];
            uint32_t n = single[L];
            if (n != PPROF_NONE) {
                /* Most locations have one line: one lookup, no loop. */
                tracked |= track[n];
                if (stamps[n] != stamp) {
                    stamps[n] = stamp;
                    add_sat(&acc[n].cum, w, &b->overflow);
                    add_sat(&acc[n].cum_div, dw, &b->overflow);
                }
                continue;
            }
            for (uint32_t k = loc_off[L], hi = loc_off[L + 1]; k < hi; k++) {
                n = loc_nodes[k];
                tracked |= track[n];
                if (stamps[n] != stamp) {
                    stamps[n] = stamp;
                    add_sat(&acc[n].cum, w, &b->overflow);
                    add_sat(&acc[n].cum_div, dw, &b->overflow);
                }
            }
        }
        b->sample_edges[s] = tracked;
        if (sm->n_locs) {
            uint32_t leaf = loc_nodes[loc_off[locs[0]]];
            add_sat(&acc[leaf].flat, w, &b->overflow);
            add_sat(&acc[leaf].flat_div, dw, &b->overflow);
        }
    }
    for (size_t i = 0; i < b->n_nodes; i++)
        acc[i].stamp = stamps[i];
    return 0;
}

/* Edge pass with the current kept set: an edge once per pair per sample,
 * residual when it skips dropped nodes, inline when it stays inside one
 * location. Only edges into tracked nodes are recorded. */
static int accumulate_edges(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nt = p->n_sample_types;
    b->n_edges = 0;
    if (b->edge_slots)
        memset(b->edge_slots, 0, (b->edge_mask + 1) * sizeof *b->edge_slots);
    else if (edge_rehash(b, 1024))
        return PPROF_ENOMEM;
    const int si = b->si;
    const bool mean = b->opt->mean;
    const uint32_t *loc_off = b->loc_off, *loc_nodes = b->loc_nodes;
    for (size_t s = 0; s < p->n_samples; s++) {
        if (!b->sample_edges[s])
            continue;
        const pprof_sample *sm = &p->samples[s];
        int64_t w = p->values[s * nt + (size_t)si];
        int64_t dw = mean ? p->values[s * nt] : 0;
        uint32_t stamp = (uint32_t)s + 1;
        uint32_t parent = PPROF_NONE;
        bool residual = false;
        const uint32_t *locs = p->sample_locs + sm->locs_off;
        for (size_t i = sm->n_locs; i-- > 0;) {
            uint32_t L = locs[i];
            uint32_t lo = loc_off[L], hi = loc_off[L + 1];
            for (uint32_t k = hi; k-- > lo;) {
                uint32_t n = loc_nodes[k];
                if (!b->kept[n]) {
                    residual = true;
                    continue;
                }
                if (parent != PPROF_NONE && parent != n && b->track[n]) {
                    int rc = edge_add(b, parent, n, w, dw, residual, k != hi - 1, stamp);
                    if (rc)
                        return rc;
                }
                parent = n;
                residual = false;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- naming and order */

static inline int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* Sorting context (qsort has none): the graph being sorted. */
typedef struct sort_item {
    uint32_t node;
    const char *name;
    int64_t flat, cum;
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

static int cmp_flat(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int64_t fa = abs64(a->flat), fb = abs64(b->flat);
    if (fa != fb)
        return fa > fb ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    int64_t ca = abs64(a->cum), cb = abs64(b->cum);
    if (ca != cb)
        return ca > cb ? -1 : 1;
    return cmp_info(a->info, b->info);
}

static int cmp_cum(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int64_t ca = abs64(a->cum), cb = abs64(b->cum);
    if (ca != cb)
        return ca > cb ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    int64_t fa = abs64(a->flat), fb = abs64(b->flat);
    if (fa != fb)
        return fa > fb ? -1 : 1;
    return cmp_info(a->info, b->info);
}

static int compute_names(gb *b)
{
    b->names = calloc(b->n_nodes ? b->n_nodes : 1, sizeof *b->names);
    if (!b->names)
        return PPROF_ENOMEM;
    pprof_buf buf = {0};
    for (size_t i = 0; i < b->n_nodes; i++) {
        buf.len = 0;
        if (pprof_nodemap_info_name(&buf, b->nm, &b->info[i])) {
            pprof_buf_release(&buf);
            return PPROF_ENOMEM;
        }
        b->names[i] = strdup((const char *)buf.data);
        if (!b->names[i]) {
            pprof_buf_release(&buf);
            return PPROF_ENOMEM;
        }
    }
    pprof_buf_release(&buf);
    return 0;
}

/* Sorts the kept nodes; fills order[] and returns their count. */
static size_t sorted_kept(gb *b, sort_item *items)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_nodes; i++) {
        if (!b->kept[i])
            continue;
        items[n].node = (uint32_t)i;
        items[n].name = b->names[i];
        items[n].flat = b->acc[i].flat;
        items[n].cum = b->acc[i].cum;
        items[n].info = &b->info[i];
        n++;
    }
    qsort(items, n, sizeof *items, b->opt->sort_cum ? cmp_cum : cmp_flat);
    return n;
}

/* ---------------------------------------------------------------- output graph */

static int emit(gb *b, const sort_item *items, size_t n)
{
    pprof_graph *g = b->g;
    uint32_t *newidx = malloc((b->n_nodes ? b->n_nodes : 1) * sizeof *newidx);
    g->nodes = calloc(n ? n : 1, sizeof *g->nodes);
    if (!newidx || !g->nodes) {
        free(newidx);
        return PPROF_ENOMEM;
    }
    for (size_t i = 0; i < b->n_nodes; i++)
        newidx[i] = PPROF_NONE;
    for (size_t i = 0; i < n; i++) {
        uint32_t o = items[i].node;
        newidx[o] = (uint32_t)i;
        pprof_node *nd = &g->nodes[i];
        nd->info = b->info[o];
        nd->flat = b->acc[o].flat;
        nd->flat_div = b->acc[o].flat_div;
        nd->cum = b->acc[o].cum;
        nd->cum_div = b->acc[o].cum_div;
    }
    g->n_nodes = n;
    /* Edges below the cutoff are dropped here, and counted. */
    size_t ne = 0;
    for (size_t i = 0; i < b->n_edges; i++) {
        edge_rec *r = &b->edges[i];
        if (newidx[r->src] == PPROF_NONE || newidx[r->dst] == PPROF_NONE)
            continue;
        if (abs64(r->w) < g->edge_cutoff) {
            g->dropped_edges++;
            continue;
        }
        ne++;
    }
    g->edges = calloc(ne ? ne : 1, sizeof *g->edges);
    g->in_edges = calloc(ne ? ne : 1, sizeof *g->in_edges);
    g->out_edges = calloc(ne ? ne : 1, sizeof *g->out_edges);
    if (!g->edges || !g->in_edges || !g->out_edges) {
        free(newidx);
        return PPROF_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < b->n_edges; i++) {
        edge_rec *r = &b->edges[i];
        if (newidx[r->src] == PPROF_NONE || newidx[r->dst] == PPROF_NONE || abs64(r->w) < g->edge_cutoff)
            continue;
        pprof_edge *e = &g->edges[k++];
        e->src = newidx[r->src];
        e->dst = newidx[r->dst];
        e->weight = r->w;
        e->weight_div = r->wd;
        e->residual = r->residual;
        e->is_inline = r->is_inline;
        g->nodes[e->dst].n_in++;
        g->nodes[e->src].n_out++;
    }
    g->n_edges = ne;
    uint32_t in_pos = 0, out_pos = 0;
    for (size_t i = 0; i < n; i++) {
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
    free(newidx);
    return 0;
}

static void gb_release(gb *b)
{
    free(b->acc);
    free(b->kept);
    free(b->track);
    free(b->sample_edges);
    free(b->loc_single);
    free(b->stamps);
    free(b->edges);
    free(b->edge_slots);
    if (b->names)
        for (size_t i = 0; i < b->n_nodes; i++)
            free(b->names[i]);
    free(b->names);
}

void pprof_graph_free(pprof_graph *g)
{
    if (!g)
        return;
    pprof_nodemap_free(g->nodemap);
    free(g->nodes);
    free(g->edges);
    free(g->in_edges);
    free(g->out_edges);
    free(g);
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
    int rc = pprof_nodemap_build(&b.g->nodemap, p, opt, err);
    if (!rc) {
        b.nm = b.g->nodemap;
        b.info = b.nm->nodes;
        b.n_nodes = b.nm->n_nodes;
        b.loc_off = b.nm->loc_off;
        b.loc_nodes = b.nm->loc_nodes;
    }
    size_t nn = b.n_nodes;
    if (!rc) {
        b.acc = calloc(nn ? nn : 1, sizeof *b.acc);
        b.kept = malloc(nn ? nn : 1);
        b.track = malloc(nn ? nn : 1);
        b.sample_edges = malloc(p->n_samples ? p->n_samples : 1);
        b.stamps = malloc((nn ? nn : 1) * sizeof *b.stamps);
        b.loc_single = malloc((p->n_locations ? p->n_locations : 1) * sizeof *b.loc_single);
        if (!b.acc || !b.kept || !b.track || !b.sample_edges || !b.stamps || !b.loc_single)
            rc = PPROF_ENOMEM;
    }
    if (!rc) {
        memset(b.kept, 1, nn);
        for (size_t i = 0; i < p->n_locations; i++)
            b.loc_single[i] = b.loc_off[i + 1] - b.loc_off[i] == 1 ? b.loc_nodes[b.loc_off[i]] : PPROF_NONE;
        if (opt->inline_edges_only) {
            /* Only nodes that appear as inlined lines can have inline in-edges. */
            memset(b.track, 0, nn);
            for (size_t i = 0; i < p->n_locations; i++)
                for (uint32_t k = b.loc_off[i]; k + 1 < b.loc_off[i + 1]; k++)
                    b.track[b.loc_nodes[k]] = 1;
        } else {
            memset(b.track, 1, nn);
        }
        rc = accumulate_nodes(&b);
    }
    if (!rc)
        rc = compute_names(&b);
    sort_item *items = NULL;
    if (!rc) {
        items = malloc((nn ? nn : 1) * sizeof *items);
        if (!items)
            rc = PPROF_ENOMEM;
    }
    if (!rc) {
        pprof_graph *g = b.g;
        int64_t total = 0;
        for (size_t i = 0; i < nn; i++)
            add_sat(&total, b.acc[i].flat, &b.overflow);
        g->node_cutoff = abs64((int64_t)((double)total * opt->nodefraction));
        g->edge_cutoff = abs64((int64_t)((double)total * opt->edgefraction));
        /* Nodes below the cutoff go; the graph is rebuilt without them so
         * edges across them become residual. */
        size_t kept = 0;
        for (size_t i = 0; i < nn; i++) {
            b.kept[i] = abs64(b.acc[i].cum) >= g->node_cutoff;
            if (opt->drop_negative && (b.acc[i].flat < 0 || (b.acc[i].flat == 0 && b.acc[i].cum < 0)))
                b.kept[i] = 0;
            kept += b.kept[i];
        }
        /* Nodes with neither flat nor cum are not part of pprof's graph. */
        size_t present = 0;
        for (size_t i = 0; i < nn; i++) {
            bool empty = b.acc[i].cum == 0 && b.acc[i].flat == 0;
            present += !empty;
            if (empty && b.kept[i]) {
                b.kept[i] = 0;
                kept--;
            }
        }
        g->dropped_nodes = present - kept;
        size_t n = sorted_kept(&b, items);
        bool cut = opt->nodecount > 0 && n > (size_t)opt->nodecount;
        g->orig_nodes = n;
        if (cut) {
            memset(b.kept, 0, nn);
            for (size_t i = 0; i < (size_t)opt->nodecount; i++)
                b.kept[items[i].node] = 1;
            n = sorted_kept(&b, items);
        }
        rc = accumulate_edges(&b);
        if (!rc)
            rc = emit(&b, items, n);
    }
    free(items);
    gb_release(&b);
    if (rc) {
        pprof_graph_free(b.g);
        return pprof_error_set(err, rc, "building graph: %s", pprof_strerror(rc));
    }
    *out = b.g;
    return 0;
}
