/* graph_order.c: the parts of a visual graph that read its edges: pprof's entropy node order and the removal of redundant residual edges. */
#include "graph_private.h"

#include <math.h>
#include <stdlib.h>

/* -x*log2(x), one term of a Shannon entropy. */
static double entropy_term(double x)
{
    return -x * log2(x);
}


/* What the entropy order sums for one scored node. */
typedef struct entropy_side {
    uint32_t n_in, n_out; /* edge counts */
    int64_t tot_in, tot_out; /* positive weight totals (the out side starts from the
                              * node's own flat, as pprof counts it as one more "edge") */
    double h_in, h_out;
} entropy_side;

int graph_entropy_scores(int64_t *out, const gb *b, const uint32_t *nodes, size_t k)
{
    /* Per scored node only: a drawing scores the nodes above the node
     * cutoff, 1,400 of 43,000 on m100.pb.gz, where tables for every
     * working node were 2.7 MB of page faults per sort. at[] numbers the
     * scored nodes (+1; 0: not scored); an edge counts at each end that
     * is scored. */
    uint32_t *at = calloc(b->n_work ? b->n_work : 1, sizeof *at);
    entropy_side *x = calloc(k ? k : 1, sizeof *x);
    if (!at || !x) {
        free(at);
        free(x);
        return PPROF_ENOMEM;
    }
    for (size_t j = 0; j < k; j++) {
        at[nodes[j]] = (uint32_t)j + 1;
        x[j].tot_out = b->acc[nodes[j]].flat;
    }
    for (size_t e = 0; e < b->n_edges; e++) {
        const edge_rec *r = &b->edges[e];
        uint32_t d = at[r->dst], s = at[r->src];
        if (d) {
            x[d - 1].n_in++;
            if (r->w > 0) /* Go's int64 sums wrap */
                x[d - 1].tot_in = (int64_t)((uint64_t)x[d - 1].tot_in + (uint64_t)r->w);
        }
        if (s) {
            x[s - 1].n_out++;
            if (r->w > 0)
                x[s - 1].tot_out = (int64_t)((uint64_t)x[s - 1].tot_out + (uint64_t)r->w);
        }
    }
    for (size_t e = 0; e < b->n_edges; e++) {
        const edge_rec *r = &b->edges[e];
        uint32_t d = at[r->dst], s = at[r->src];
        double w = (double)graph_abs64(r->w);
        if (d && x[d - 1].tot_in != 0)
            x[d - 1].h_in += entropy_term(w / (double)x[d - 1].tot_in);
        if (s && x[s - 1].tot_out != 0)
            x[s - 1].h_out += entropy_term(w / (double)x[s - 1].tot_out);
    }
    for (size_t j = 0; j < k; j++) {
        const entropy_side *y = &x[j];
        int64_t flat = b->acc[nodes[j]].flat;
        double score = 0;
        score += y->n_in == 0 ? 1.0 : y->h_in;
        if (y->n_out == 0) {
            score += 1.0;
        } else {
            double h = y->h_out;
            if (y->tot_out != 0 && flat > 0)
                h += entropy_term((double)flat / (double)y->tot_out);
            score += h;
        }
        /* Wraps as Go's int64 addition does. */
        out[j] = (int64_t)((uint64_t)graph_go_int64(score * (double)b->acc[nodes[j]].cum) + (uint64_t)flat);
    }
    free(at);
    free(x);
    return 0;
}

/* ---------------------------------------------------------------- redundant edges */

int pprof_edge_ref_cmp(const void *pa, const void *pb)
{
    const pprof_edge_ref *a = pa, *b = pb;
    if (a->e->weight != b->e->weight) {
        int64_t x = graph_abs64(a->e->weight), y = graph_abs64(b->e->weight);
        if (x != y)
            return x > y ? -1 : 1;
    }
    int c = strcmp(a->src, b->src);
    if (c)
        return c;
    c = strcmp(a->dst, b->dst);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Whether e's source reaches e's destination without e, walking in-edges
 * back from the destination over the edges not yet removed. */
static bool redundant(const pprof_graph *g, uint32_t edge, const bool *removed, uint32_t *queue, uint32_t *seen,
                      uint32_t stamp)
{
    const pprof_edge *e = &g->edges[edge];
    size_t head = 0, tail = 0;
    queue[tail++] = e->dst;
    seen[e->dst] = stamp;
    while (head < tail) {
        const pprof_node *n = &g->nodes[queue[head++]];
        for (uint32_t k = 0; k < n->n_in; k++) {
            uint32_t ie = g->in_edges[n->in_off + k];
            if (ie == edge || removed[ie] || seen[g->edges[ie].src] == stamp)
                continue;
            if (g->edges[ie].src == e->src)
                return true;
            seen[g->edges[ie].src] = stamp;
            queue[tail++] = g->edges[ie].src;
        }
    }
    return false;
}

int graph_remove_redundant_edges(pprof_graph *g, char *const *names)
{
    size_t nn = g->n_nodes + g->n_hidden, ne = g->n_edges; /* the search crosses hidden nodes */
    bool *removed = calloc(ne ? ne : 1, sizeof *removed);
    uint32_t *queue = malloc((nn ? nn : 1) * sizeof *queue);
    uint32_t *seen = calloc(nn ? nn : 1, sizeof *seen);
    pprof_edge_ref *items = malloc((ne ? ne : 1) * sizeof *items);
    int rc = removed && queue && seen && items ? 0 : PPROF_ENOMEM;
    size_t n_removed = 0;
    uint32_t stamp = 0;
    for (size_t i = g->n_nodes; i-- > 0 && !rc;) {
        const pprof_node *n = &g->nodes[i];
        size_t m = 0;
        for (uint32_t k = 0; k < n->n_in; k++) {
            uint32_t ie = g->in_edges[n->in_off + k];
            if (removed[ie])
                continue;
            items[m++] = (pprof_edge_ref){ie, &g->edges[ie], names[g->edges[ie].src], names[g->edges[ie].dst]};
        }
        qsort(items, m, sizeof *items, pprof_edge_ref_cmp);
        for (size_t j = m; j-- > 0;) {
            if (!items[j].e->residual)
                break;
            if (redundant(g, items[j].idx, removed, queue, seen, ++stamp)) {
                removed[items[j].idx] = true;
                n_removed++;
            }
        }
    }
    if (!rc && n_removed) {
        size_t w = 0;
        for (size_t i = 0; i < ne; i++)
            if (!removed[i])
                g->edges[w++] = g->edges[i];
        g->n_edges = w;
        rc = graph_index_edges(g);
    }
    free(removed);
    free(queue);
    free(seen);
    free(items);
    return rc;
}
