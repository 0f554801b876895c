/* text_tree.c: the -tree report: per node, its callers, its own line and its callees, with edge weights. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "----------------------------------------------------------+-------------\n"

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* pprof prints edge weights undivided, even with -mean. */
static int64_t edge_value(const pprof_edge *e)
{
    return e->weight;
}

/* Edges of one node, sorted by weight, then by the other end's name. */
typedef struct edge_item {
    const pprof_edge *e;
    const char *name; /* the other end */
} edge_item;

static int cmp_edges(const void *a, const void *b)
{
    const edge_item *x = a, *y = b;
    int64_t wx = abs64(x->e->weight), wy = abs64(y->e->weight);
    if (wx != wy)
        return wx > wy ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void write_edges(pprof_buf *out, const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o,
                        const char *unit, const uint32_t *idx, uint32_t n, bool incoming, int64_t node_cum,
                        char **names, edge_item *items)
{
    for (uint32_t i = 0; i < n; i++) {
        const pprof_edge *e = &g->edges[idx[i]];
        items[i] = (edge_item){e, names[incoming ? e->src : e->dst]};
    }
    qsort(items, n, sizeof *items, cmp_edges);
    for (uint32_t i = 0; i < n; i++) {
        char w[64], pct[32];
        int64_t v = edge_value(items[i].e);
        pprof_report_format(w, sizeof w, p, o, unit, v);
        pprof_format_percent(pct, sizeof pct, v, node_cum);
        pprof_buf_printf(out, "%50s %s |   %s%s\n", w, pct, items[i].name, items[i].e->is_inline ? " (inline)" : "");
    }
}

int pprof_write_tree(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_regex *symbol = NULL;
    if (o->symbol) {
        pprof_error rerr;
        int rrc = pprof_regex_compile(&symbol, o->symbol, strlen(o->symbol), &rerr);
        if (rrc)
            return pprof_error_set(err, rrc, "parsing argument regexp %s: %s", o->symbol, rerr.msg);
    }
    pprof_graph *g;
    pprof_graph_options go = o->graph;
    go.edges_of = symbol; /* -peek prints only the matching nodes' edges */
    int rc = pprof_graph_build(&g, p, &go, err);
    if (rc) {
        pprof_regex_free(symbol);
        return rc;
    }
    /* Callers and callees may be hidden nodes (pprof_graph.n_hidden). */
    size_t all = g->n_nodes + g->n_hidden;
    char **names = calloc(all ? all : 1, sizeof *names);
    edge_item *items = malloc((g->n_edges ? g->n_edges : 1) * sizeof *items);
    bool *shown = malloc(g->n_nodes ? g->n_nodes : 1);
    pprof_buf name = {0};
    rc = names && items && shown ? 0 : PPROF_ENOMEM;
    /* -peek shows only the nodes whose printable name (with the address,
     * file and line the granularity keeps) matches. */
    bool any = false;
    for (size_t i = 0; i < g->n_nodes && !rc; i++) {
        name.len = 0;
        if (pprof_node_text(&name, g, &g->nodes[i]) || !(names[i] = strdup((char *)name.data)))
            rc = PPROF_ENOMEM;
        else
            shown[i] = !symbol || pprof_regex_match(symbol, names[i], name.len);
        any |= !rc && shown[i];
    }
    for (size_t i = g->n_nodes; i < all && !rc; i++) {
        name.len = 0;
        if (pprof_node_text(&name, g, &g->nodes[i]) || !(names[i] = strdup((char *)name.data)))
            rc = PPROF_ENOMEM;
    }
    if (!rc && symbol && !any)
        rc = pprof_error_set(err, PPROF_ENOTFOUND, "no matches found for regexp: %s", o->symbol);
    const char *unit = pprof_report_output_unit(g, p, o);
    int64_t flat_sum = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        pprof_sat_add(&flat_sum, pprof_node_flat(&g->nodes[i])); /* saturating, as the totals */
    if (!rc && !o->compact_labels)
        pprof_write_profile_labels(out, p, o, unit);
    if (!rc)
        pprof_write_report_labels(out, g, p, o, unit, flat_sum);
    if (!rc) {
        pprof_buf_puts(out, SEPARATOR);
        pprof_buf_puts(out, "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n");
        if (g->n_nodes) /* an empty graph ends with the legend */
            pprof_buf_puts(out, SEPARATOR);
        int64_t running = 0;
        for (size_t i = 0; i < g->n_nodes; i++) {
            const pprof_node *n = &g->nodes[i];
            if (!shown[i])
                continue;
            int64_t fv = pprof_node_flat(n), cv = pprof_node_cum(n);
            pprof_sat_add(&running, fv);
            write_edges(out, g, p, o, unit, g->in_edges + n->in_off, n->n_in, true, cv, names, items);
            char f[64], fp[32], sp[32], c[64], cp[32];
            pprof_report_format(f, sizeof f, p, o, unit, fv);
            pprof_format_percent(fp, sizeof fp, fv, o->total);
            pprof_format_percent(sp, sizeof sp, running, o->total);
            pprof_report_format(c, sizeof c, p, o, unit, cv);
            pprof_format_percent(cp, sizeof cp, cv, o->total);
            pprof_buf_printf(out, "%10s %s %s %10s %s                | %s\n", f, fp, sp, c, cp, names[i]);
            write_edges(out, g, p, o, unit, g->out_edges + n->out_off, n->n_out, false, cv, names, items);
            pprof_buf_puts(out, SEPARATOR);
        }
    }
    for (size_t i = 0; names && i < all; i++)
        free(names[i]);
    free(names);
    free(items);
    free(shown);
    pprof_buf_release(&name);
    pprof_regex_free(symbol);
    pprof_graph_free(g);
    if (rc == PPROF_ENOTFOUND)
        return rc;
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
