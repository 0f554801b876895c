/* text_top.c: the -top/-text report: the header, then one row per node, as text or JSON. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* s right-aligned in 10 columns (printf's %10s), then a space. */
static void put_value(pprof_buf *out, const char *s)
{
    size_t n = strlen(s);
    if (n < 10)
        pprof_buf_append(out, "          ", 10 - n);
    pprof_buf_append(out, s, n);
    pprof_buf_append(out, " ", 1);
}

int pprof_write_top(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_graph *g;
    pprof_graph_options go = o->graph;
    go.inline_edges_only = true;
    int rc = pprof_graph_build(&g, p, &go, err);
    if (rc)
        return rc;
    const char *unit = pprof_report_output_unit(g, p, o);
    int64_t flat_sum = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        pprof_sat_add(&flat_sum, pprof_node_flat(&g->nodes[i])); /* saturating, as the totals */
    if (o->json) {
        /* Raw values in the sample unit, for other tools. */
        pprof_buf_puts(out, "{\"type\":");
        pprof_json_string(out, pprof_string(p, p->sample_types[o->sample_index].type));
        pprof_buf_puts(out, ",\"unit\":");
        pprof_json_string(out, pprof_string(p, p->sample_types[o->sample_index].unit));
        pprof_buf_printf(out, ",\"total\":%lld,\"dropped_nodes\":%zu,\"nodes\":[", (long long)o->total,
                         g->dropped_nodes);
        pprof_buf name = {0};
        for (size_t i = 0; i < g->n_nodes; i++) {
            name.len = 0;
            pprof_node_name(&name, g, &g->nodes[i]);
            pprof_buf_puts(out, i ? ",\n{\"name\":" : "\n{\"name\":");
            pprof_json_string(out, name.data ? (const char *)name.data : "");
            pprof_buf_printf(out, ",\"flat\":%lld,\"cum\":%lld}", (long long)pprof_node_flat(&g->nodes[i]),
                             (long long)pprof_node_cum(&g->nodes[i]));
        }
        pprof_buf_puts(out, "\n]}\n");
        pprof_buf_release(&name);
        pprof_graph_free(g);
        return out->failed ? pprof_error_set(err, PPROF_ENOMEM, "out of memory") : 0;
    }
    if (!o->compact_labels)
        pprof_write_profile_labels(out, p, o, unit);
    pprof_write_report_labels(out, g, p, o, unit, flat_sum);
    pprof_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
    pprof_buf name = {0};
    int64_t running = 0;
    /* (pprof_report_format's units looked up once, not twice a row) */
    pprof_value_format vf;
    pprof_value_format_init(&vf, pprof_report_value_unit(p, o), unit);
    for (size_t i = 0; i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        int64_t fv = pprof_node_flat(n), cv = pprof_node_cum(n);
        pprof_sat_add(&running, fv);
        char f[64], fp[32], sp[32], c[64], cp[32];
        pprof_value_format_put(&vf, f, sizeof f, o->ratio != 1.0 ? pprof_report_ratio(fv, o->ratio) : fv);
        pprof_format_percent(fp, sizeof fp, fv, o->total);
        pprof_format_percent(sp, sizeof sp, running, o->total);
        pprof_value_format_put(&vf, c, sizeof c, o->ratio != 1.0 ? pprof_report_ratio(cv, o->ratio) : cv);
        pprof_format_percent(cp, sizeof cp, cv, o->total);
        bool inl = false, noinl = false;
        for (uint32_t k = 0; k < n->n_in; k++) {
            if (g->edges[g->in_edges[n->in_off + k]].is_inline)
                inl = true;
            else
                noinl = true;
        }
        name.len = 0;
        pprof_node_text(&name, g, n);
        /* "%10s %s %s %10s %s  %s%s\n" put together by hand: through
         * printf it was 2,900 instructions a row (big100k.pb.gz: 1,432
         * rows, 4.1 million), as many as the rest of the row. */
        put_value(out, f);
        pprof_buf_puts(out, fp);
        pprof_buf_append(out, " ", 1);
        pprof_buf_puts(out, sp);
        pprof_buf_append(out, " ", 1);
        put_value(out, c);
        pprof_buf_puts(out, cp);
        pprof_buf_append(out, "  ", 2);
        pprof_buf_append(out, name.data, name.len);
        pprof_buf_puts(out, inl ? (noinl ? " (partial-inline)\n" : " (inline)\n") : "\n");
    }
    pprof_buf_release(&name);
    pprof_graph_free(g);
    if (out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
