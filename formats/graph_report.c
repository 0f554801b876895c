/* graph_report.c: what the graph reports (top, tree, peek, dot, topproto, ...) share: node values under -mean, the unit for unit=minimum, the "Showing nodes" lines. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

static int64_t abs64(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

/* Node values as pprof reports them: divided by the mean divisor when set. */
int64_t pprof_node_flat(const pprof_node *n)
{
    return pprof_quotient(n->flat, n->flat_div);
}

int64_t pprof_node_cum(const pprof_node *n)
{
    return pprof_quotient(n->cum, n->cum_div);
}

/* pprof's selectOutputUnit for unit=minimum. */
const char *pprof_report_output_unit(const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o)
{
    if (strcmp(o->unit, "minimum") != 0 || g->n_nodes == 0)
        return o->unit;
    int64_t minv = g->matched_first ? g->all_min : 0; /* (it lists few of the nodes) */
    for (size_t i = 0; i < g->n_nodes && !g->matched_first; i++) {
        int64_t v = abs64(pprof_node_flat(&g->nodes[i]));
        if (v == 0)
            v = abs64(pprof_node_cum(&g->nodes[i]));
        if (v > 0 && (minv == 0 || v < minv))
            minv = v;
    }
    int64_t maxv = o->total;
    if (minv == 0)
        minv = maxv;
    if (o->ratio > 0 && o->ratio != 1) {
        minv = pprof_report_ratio(minv, o->ratio);
        maxv = pprof_report_ratio(maxv, o->ratio);
    }
    const char *su = pprof_string(p, p->sample_types[o->sample_index].unit);
    return pprof_unit_select_minimum(minv, maxv, su);
}

static const char *trim_left(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

/* The "Active filters:" block and the "Showing nodes ..." lines. */
void pprof_write_report_labels(pprof_buf *out, const pprof_graph *g, const pprof_profile *p,
                                const pprof_report_options *o, const char *unit, int64_t flat_sum)
{
    char a[64], b[64], pct[32];
    if (o->filters && o->filters[0]) {
        pprof_buf_puts(out, "Active filters:\n");
        for (const char *const *f = o->filters; *f; f++) {
            size_t n = strlen(*f);
            if (n > 80)
                pprof_buf_printf(out, "   %.80s…\n", *f);
            else
                pprof_buf_printf(out, "   %s\n", *f);
        }
    }
    pprof_report_format(a, sizeof a, p, o, unit, flat_sum);
    pprof_report_format(b, sizeof b, p, o, unit, o->total);
    pprof_format_percent(pct, sizeof pct, flat_sum, o->total);
    pprof_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n", a, trim_left(pct), b);
    if (g->dropped_nodes) {
        pprof_report_format(a, sizeof a, p, o, unit, (int64_t)((double)o->total * o->graph.nodefraction));
        pprof_buf_printf(out, "Dropped %zu node%s (cum <= %s)\n", g->dropped_nodes,
                         g->dropped_nodes == 1 ? "" : "s", a);
    }
    if (o->graph.nodecount > 0 && g->n_nodes < g->orig_nodes)
        pprof_buf_printf(out, "Showing top %zu nodes out of %zu\n", g->n_nodes, g->orig_nodes);
}
