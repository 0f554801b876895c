/* graph.c: builds pprof's call graph from a profile: flat/cum/edge
 * accumulation over the nodemap's nodes, nodefraction/nodecount trimming,
 * the node orders, and the output graph. */
#include "graph_private.h"

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
    return pprof_nodemap_info_text(buf, g->nodemap, &n->info);
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
            graph_add_sat(&r->w, w, &b->overflow);
            graph_add_sat(&r->wd, wd, &b->overflow);
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
    memset(b->acc, 0, b->n_work * sizeof *b->acc);
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
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
        bool tracked = false;
        for (size_t i = 0; i < sm->n_locs; i++) {
            uint32_t L = locs[i];
            uint32_t n = single[L];
            if (n != PPROF_NONE) {
                /* Most locations have one line: one lookup, no loop. */
                tracked |= track[n];
                if (stamps[n] != stamp) {
                    stamps[n] = stamp;
                    graph_add_sat(&acc[n].cum, w, &b->overflow);
                    graph_add_sat(&acc[n].cum_div, dw, &b->overflow);
                }
                continue;
            }
            for (uint32_t k = loc_off[L], hi = loc_off[L + 1]; k < hi; k++) {
                n = loc_nodes[k];
                tracked |= track[n];
                if (stamps[n] != stamp) {
                    stamps[n] = stamp;
                    graph_add_sat(&acc[n].cum, w, &b->overflow);
                    graph_add_sat(&acc[n].cum_div, dw, &b->overflow);
                }
            }
        }
        b->sample_edges[s] = tracked;
        if (sm->n_locs) {
            uint32_t leaf = loc_nodes[loc_off[locs[0]]];
            graph_add_sat(&acc[leaf].flat, w, &b->overflow);
            graph_add_sat(&acc[leaf].flat_div, dw, &b->overflow);
        }
    }
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
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
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
    return cmp_last(a, b);
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
    return cmp_last(a, b);
}

/* Larger scores first, by magnitude (diff profiles score below zero). */
static int cmp_entropy(const void *pa, const void *pb)
{
    const sort_item *a = pa, *b = pb;
    int64_t x = abs64(a->score), y = abs64(b->score);
    if (x != y)
        return x > y ? -1 : 1;
    int c = strcmp(a->name, b->name);
    if (c)
        return c;
    return cmp_last(a, b);
}

static int compute_names(gb *b)
{
    b->names = calloc(b->n_nodes ? b->n_nodes : 1, sizeof *b->names);
    if (!b->names)
        return PPROF_ENOMEM;
    pprof_buf buf = {0};
    for (size_t i = 0; i < b->n_nodes; i++) {
        buf.len = 0;
        if (pprof_nodemap_info_text(&buf, b->nm, &b->info[i])) {
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
    int64_t *scores = NULL;
    if (b->opt->visual) {
        scores = malloc((b->n_work ? b->n_work : 1) * sizeof *scores);
        if (!scores)
            return PPROF_ENOMEM;
        int rc = graph_entropy_scores(scores, b);
        if (rc) {
            free(scores);
            return rc;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < b->n_work; i++) {
        if (!b->kept[i])
            continue;
        uint32_t inf = info_index(b, (uint32_t)i);
        items[n].node = (uint32_t)i;
        items[n].name = b->names[inf];
        items[n].flat = b->acc[i].flat;
        items[n].cum = b->acc[i].cum;
        items[n].score = scores ? scores[i] : 0;
        items[n].info = &b->info[inf];
        n++;
    }
    free(scores);
    qsort(items, n, sizeof *items, b->opt->visual ? cmp_entropy : b->opt->sort_cum ? cmp_cum : cmp_flat);
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

/* Feeds the labelled samples to b->tags: each distinct node of the stack
 * once as cum, the leaf-most one also as flat. */
static int nodemap_tags(gb *b)
{
    const pprof_profile *p = b->p;
    memset(b->stamps, 0, b->n_work * sizeof *b->stamps);
    for (size_t s = 0; s < p->n_samples; s++) {
        const pprof_sample *sm = &p->samples[s];
        bool has;
        int rc = graph_tags_take(b, s, &has);
        if (rc)
            return rc;
        if (!has)
            continue;
        uint32_t stamp = (uint32_t)s + 1;
        const uint32_t *locs = sm->n_locs ? p->sample_locs + sm->locs_off : NULL; /* no arithmetic on NULL */
        for (size_t i = 0; i < sm->n_locs; i++) {
            uint32_t L = locs[i];
            for (uint32_t k = b->loc_off[L]; k < b->loc_off[L + 1]; k++) {
                uint32_t n = b->loc_nodes[k];
                if (b->stamps[n] == stamp)
                    continue;
                b->stamps[n] = stamp;
                if ((rc = graph_tags_add(b->tags, n, false)))
                    return rc;
            }
        }
        if ((rc = graph_tags_add(b->tags, b->loc_nodes[b->loc_off[locs[0]]], true)))
            return rc;
    }
    return 0;
}

/* Computes the tags of the first n sorted nodes (the only ones nodecount
 * can keep). */
static int compute_tags(gb *b, const sort_item *items, size_t n)
{
    bool *want = calloc(b->n_work ? b->n_work : 1, 1);
    if (!want)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < n; i++)
        want[items[i].node] = 1;
    int rc = graph_tags_new(&b->tags, b, want, b->opt->tag_unit ? b->opt->tag_unit : "minimum");
    free(want);
    if (!rc)
        rc = b->opt->call_tree ? graph_tree_tags(b) : nodemap_tags(b);
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
    for (size_t i = 0; i < g->n_nodes; i++)
        g->nodes[i].n_in = g->nodes[i].n_out = 0;
    for (size_t i = 0; i < ne; i++) {
        g->nodes[g->edges[i].dst].n_in++;
        g->nodes[g->edges[i].src].n_out++;
    }
    uint32_t in_pos = 0, out_pos = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
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
 * the edge cutoff (the others counted as dropped), and their tags. */
static int emit(gb *b, const sort_item *items, size_t n)
{
    pprof_graph *g = b->g;
    uint32_t *newidx = malloc((b->n_work ? b->n_work : 1) * sizeof *newidx);
    uint32_t *work_of = malloc((n ? n : 1) * sizeof *work_of);
    g->nodes = calloc(n ? n : 1, sizeof *g->nodes);
    if (!newidx || !work_of || !g->nodes) {
        free(newidx);
        free(work_of);
        return PPROF_ENOMEM;
    }
    for (size_t i = 0; i < b->n_work; i++)
        newidx[i] = PPROF_NONE;
    for (size_t i = 0; i < n; i++) {
        uint32_t o = items[i].node;
        newidx[o] = (uint32_t)i;
        work_of[i] = o;
        pprof_node *nd = &g->nodes[i];
        nd->info = b->info[info_index(b, o)];
        nd->flat = b->acc[o].flat;
        nd->flat_div = b->acc[o].flat_div;
        nd->cum = b->acc[o].cum;
        nd->cum_div = b->acc[o].cum_div;
    }
    g->n_nodes = n;
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
    int rc = g->edges ? 0 : PPROF_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < b->n_edges && !rc; i++) {
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
    }
    g->n_edges = ne;
    if (!rc)
        rc = graph_index_edges(g);
    if (!rc && b->tags)
        rc = graph_tags_emit(b->tags, g, work_of, n, g->node_cutoff);
    free(newidx);
    free(work_of);
    return rc;
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
    free(b->info_of);
    free(b->up);
    free(b->parent);
    free(b->has_in);
    free(b->in_residual);
    free(b->in_inline);
    free(b->in_w);
    free(b->in_wd);
    free(b->tree_slots);
    graph_tags_free(b->tags);
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
    free(g->tags);
    for (size_t i = 0; i < g->n_strings; i++)
        free(g->strings[i]);
    free(g->strings);
    free(g);
}

/* The working arrays of the nodemap graph (the call tree makes its own). */
static int alloc_nodemap_work(gb *b)
{
    const pprof_profile *p = b->p;
    size_t nn = b->n_nodes;
    b->n_work = nn;
    b->acc = calloc(nn ? nn : 1, sizeof *b->acc);
    b->kept = malloc(nn ? nn : 1);
    b->track = malloc(nn ? nn : 1);
    b->sample_edges = malloc(p->n_samples ? p->n_samples : 1);
    b->stamps = malloc((nn ? nn : 1) * sizeof *b->stamps);
    b->loc_single = malloc((p->n_locations ? p->n_locations : 1) * sizeof *b->loc_single);
    if (!b->acc || !b->kept || !b->track || !b->sample_edges || !b->stamps || !b->loc_single)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < p->n_locations; i++)
        b->loc_single[i] = b->loc_off[i + 1] - b->loc_off[i] == 1 ? b->loc_nodes[b->loc_off[i]] : PPROF_NONE;
    if (b->opt->inline_edges_only && !b->opt->visual) {
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

/* Keeps the first n sorted nodes. */
static void keep_first(gb *b, const sort_item *items, size_t n)
{
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
    int rc = opt->visual ? current_edges(b) : 0;
    size_t n = 0;
    if (!rc)
        rc = sorted_kept(b, items, &n);
    if (rc)
        return rc;
    g->orig_nodes = n;
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
    if (!edges_current && (rc = current_edges(b)))
        return rc;
    if ((rc = emit(b, items, n)))
        return rc;
    if (!count_dropped)
        g->dropped_edges = 0;
    if (opt->visual) {
        char **names = malloc((n ? n : 1) * sizeof *names);
        if (!names)
            return PPROF_ENOMEM;
        for (size_t i = 0; i < n; i++)
            names[i] = b->names[info_index(b, items[i].node)];
        rc = graph_remove_redundant_edges(g, names);
        free(names);
    }
    return rc;
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
        rc = opt->call_tree ? graph_tree_build(&b) : alloc_nodemap_work(&b);
    }
    if (!rc)
        rc = compute_names(&b);
    sort_item *items = NULL;
    if (!rc) {
        items = malloc((b.n_work ? b.n_work : 1) * sizeof *items);
        rc = items ? trim_and_emit(&b, items) : PPROF_ENOMEM;
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
