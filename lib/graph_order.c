/* graph_order.c: the parts of a visual graph that read its edges: pprof's entropy node order and the removal of redundant residual edges. */
#include "graph_private.h"

#include <math.h>
#include <stdlib.h>

/* -x*log2(x), one term of a Shannon entropy. */
static double entropy_term(double x)
{
    return -x * log2(x);
}


int graph_entropy_scores(int64_t *out, const gb *b)
{
    size_t n = b->n_work;
    /* Per node: edge counts, positive weight totals (the out side starts
     * from the node's own flat, as pprof counts it as one more "edge"). */
    uint32_t *n_in = calloc(n ? n : 1, sizeof *n_in);
    uint32_t *n_out = calloc(n ? n : 1, sizeof *n_out);
    double *tot_in = calloc(n ? n : 1, sizeof *tot_in);
    double *tot_out = calloc(n ? n : 1, sizeof *tot_out);
    double *h_in = calloc(n ? n : 1, sizeof *h_in);
    double *h_out = calloc(n ? n : 1, sizeof *h_out);
    int rc = 0;
    if (!n_in || !n_out || !tot_in || !tot_out || !h_in || !h_out) {
        rc = PPROF_ENOMEM;
        goto done;
    }
    int64_t *itot = calloc(2 * (n ? n : 1), sizeof *itot);
    if (!itot) {
        rc = PPROF_ENOMEM;
        goto done;
    }
    int64_t *iin = itot, *iout = itot + n;
    for (size_t i = 0; i < n; i++)
        iout[i] = b->acc[i].flat;
    for (size_t e = 0; e < b->n_edges; e++) {
        const edge_rec *r = &b->edges[e];
        n_in[r->dst]++;
        n_out[r->src]++;
        if (r->w > 0) { /* Go's int64 sums wrap */
            iin[r->dst] = (int64_t)((uint64_t)iin[r->dst] + (uint64_t)r->w);
            iout[r->src] = (int64_t)((uint64_t)iout[r->src] + (uint64_t)r->w);
        }
    }
    for (size_t i = 0; i < n; i++) {
        tot_in[i] = (double)iin[i];
        tot_out[i] = (double)iout[i];
    }
    free(itot);
    for (size_t e = 0; e < b->n_edges; e++) {
        const edge_rec *r = &b->edges[e];
        double w = (double)graph_abs64(r->w);
        if (tot_in[r->dst] != 0)
            h_in[r->dst] += entropy_term(w / tot_in[r->dst]);
        if (tot_out[r->src] != 0)
            h_out[r->src] += entropy_term(w / tot_out[r->src]);
    }
    for (size_t i = 0; i < n; i++) {
        if (!b->kept[i]) {
            out[i] = 0;
            continue;
        }
        int64_t flat = b->acc[i].flat;
        double score = 0;
        score += n_in[i] == 0 ? 1.0 : h_in[i];
        if (n_out[i] == 0) {
            score += 1.0;
        } else {
            double h = h_out[i];
            if (tot_out[i] != 0 && flat > 0)
                h += entropy_term((double)flat / tot_out[i]);
            score += h;
        }
        /* Wraps as Go's int64 addition does. */
        out[i] = (int64_t)((uint64_t)graph_go_int64(score * (double)b->acc[i].cum) + (uint64_t)flat);
    }
done:
    free(n_in);
    free(n_out);
    free(tot_in);
    free(tot_out);
    free(h_in);
    free(h_out);
    return rc;
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
