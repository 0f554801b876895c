/* dot.c: the -dot report: pprof's call graph in Graphviz DOT (legend, nodes sized and coloured by value, tag nodelets, weighted edges). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Go's int64 arithmetic wraps; these keep its results without C's
 * undefined behaviour. */
static int64_t go_abs(int64_t v)
{
    return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

static int64_t go_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

static int64_t go_div(int64_t a, int64_t b)
{
    return (b == -1) ? (int64_t)(0 - (uint64_t)a) : a / b;
}

/* Go's float64 to int64 conversion on amd64: NaN and out of range give
 * the smallest int64. */
static int64_t go_int64(double x)
{
    return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
}

/* Go's float64 to uint8 conversion on amd64 (through int64). */
static unsigned go_u8(double x)
{
    return (unsigned)((uint64_t)go_int64(x) & 0xff);
}

/* pprof's dotColor: grey near 0, red for positive and green for negative
 * scores, pale for backgrounds. */
static void dot_color(char *buf, size_t n, double score, bool background)
{
    const double shift = 0.7;
    double saturation = background ? 0.1 : 1.0;
    double value = background ? 0.93 : 0.7;
    if (!isnan(score)) /* Go's Min and Max keep a NaN, C's drop it */
        score = fmax(-1.0, fmin(1.0, score));
    if (fabs(score) < 0.2)
        saturation *= fabs(score) / 0.2;
    if (score > 0.0)
        score = pow(score, 1.0 - shift);
    if (score < 0.0)
        score = -pow(-score, 1.0 - shift);
    double r, g, b;
    if (score < 0.0) {
        g = value;
        r = value * (1 + saturation * score);
    } else {
        r = value;
        g = value * (1 - saturation * score);
    }
    b = value * (1 - saturation);
    snprintf(buf, n, "#%02x%02x%02x", go_u8(r * 255.0), go_u8(g * 255.0), go_u8(b * 255.0));
}

/* Go's float64 division: x/0 is an infinity or NaN, not a trap. */
static double ratio(int64_t v, int64_t total)
{
    if (total == 0)
        return v > 0 ? INFINITY : v < 0 ? -INFINITY : NAN;
    return (double)v / (double)go_abs(total);
}

static void percent(char *buf, size_t n, int64_t v, int64_t total)
{
    char tmp[32];
    pprof_format_percent(tmp, sizeof tmp, v, total);
    const char *t = tmp;
    while (*t == ' ')
        t++;
    snprintf(buf, n, "%s", t);
}

/* ---------------------------------------------------------------- legend */

typedef struct dot_ctx {
    pprof_buf *out;
    const pprof_graph *g;
    const pprof_profile *p;
    const pprof_report_options *o;
    const char *unit;
    char **names; /* printable name per node */
} dot_ctx;

static void fmt_value(const dot_ctx *c, char *buf, size_t n, int64_t v)
{
    pprof_report_format(buf, n, c->p, c->o, c->unit, v);
}

/* pprof's report labels, one per line of lines (escaped when written). */
static int legend_lines(const dot_ctx *c, pprof_buf *lines)
{
    const pprof_graph *g = c->g;
    const pprof_report_options *o = c->o;
    pprof_write_profile_labels(lines, c->p, o, c->unit);
    if (o->filters && o->filters[0]) {
        pprof_buf_puts(lines, "Active filters:\n");
        for (const char *const *f = o->filters; *f; f++) {
            if (strlen(*f) > 80)
                pprof_buf_printf(lines, "   %.80s\xe2\x80\xa6\n", *f);
            else
                pprof_buf_printf(lines, "   %s\n", *f);
        }
    }
    int64_t flat_sum = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        flat_sum = (int64_t)((uint64_t)flat_sum + (uint64_t)pprof_node_flat(&g->nodes[i])); /* wraps, as Go */
    char a[64], b[64], pct[32];
    fmt_value(c, a, sizeof a, flat_sum);
    fmt_value(c, b, sizeof b, o->total);
    percent(pct, sizeof pct, flat_sum, o->total);
    pprof_buf_printf(lines, "Showing nodes accounting for %s, %s of %s total\n", a, pct, b);
    if (o->total != 0) {
        if (g->dropped_nodes) {
            fmt_value(c, a, sizeof a, go_abs(go_int64((double)o->total * o->graph.nodefraction)));
            pprof_buf_printf(lines, "Dropped %zu node%s (cum <= %s)\n", g->dropped_nodes,
                             g->dropped_nodes == 1 ? "" : "s", a);
        }
        if (g->dropped_edges) {
            fmt_value(c, a, sizeof a, go_abs(go_int64((double)o->total * o->graph.edgefraction)));
            pprof_buf_printf(lines, "Dropped %zu edge%s (freq <= %s)\n", g->dropped_edges,
                             g->dropped_edges == 1 ? "" : "s", a);
        }
        if (g->n_nodes > 0 && g->n_nodes < g->orig_nodes)
            pprof_buf_printf(lines, "Showing top %zu nodes out of %zu\n", g->n_nodes, g->orig_nodes);
    }
    return lines->failed ? PPROF_ENOMEM : 0;
}

/* Go's filepath.Base of the main binary: the graph's title ("" if none). */
static void title_of(pprof_buf *out, const pprof_profile *p)
{
    if (!p->n_mappings || !p->strings[p->mappings[0].file][0])
        return;
    size_t len;
    const char *base = pprof_path_base(p->strings[p->mappings[0].file], &len);
    pprof_buf_append(out, base, len);
}

static void write_legend(const dot_ctx *c, const char *title, size_t title_len, const pprof_buf *lines)
{
    pprof_buf *out = c->out;
    const char *s = (const char *)lines->data;
    size_t n = lines->len;
    const char *nl = memchr(s, '\n', n);
    size_t first = nl ? (size_t)(nl - s) : n;
    pprof_buf_puts(out, "subgraph cluster_L { \"");
    pprof_dot_escape(out, s, first);
    pprof_buf_puts(out, "\" [shape=box fontsize=16 label=\"");
    for (size_t i = 0; i < n;) {
        const char *e = memchr(s + i, '\n', n - i);
        size_t len = e ? (size_t)(e - s) - i : n - i;
        pprof_dot_escape(out, s + i, len);
        pprof_buf_puts(out, "\\l");
        i += len + 1;
    }
    /* An empty line, then pprof's pointer for new readers. */
    pprof_buf_puts(out, "\\lSee https://git.io/JfYMW for how to read the graph\\l\"");
    if (title_len) {
        pprof_buf_puts(out, " tooltip=\"");
        pprof_dot_escape(out, title, title_len);
        pprof_buf_puts(out, "\"");
    }
    pprof_buf_puts(out, "] }\n");
}

/* ---------------------------------------------------------------- nodes and edges */

static void write_node(const dot_ctx *c, size_t i, double max_flat)
{
    pprof_buf *out = c->out;
    const pprof_node *n = &c->g->nodes[i];
    int64_t flat = pprof_node_flat(n), cum = pprof_node_cum(n);
    char fv[64], cv[64], pct[32];
    fmt_value(c, fv, sizeof fv, flat);
    pprof_buf_printf(out, "N%zu [label=\"", i + 1);
    pprof_dot_node_name(out, c->g, &n->info);
    if (flat != 0) {
        percent(pct, sizeof pct, flat, c->o->total);
        pprof_buf_printf(out, "%s (%s)", fv, pct);
    } else {
        pprof_buf_puts(out, "0");
    }
    const char *shown = fv;
    if (cum != flat) {
        pprof_buf_puts(out, flat != 0 ? "\\n" : " ");
        fmt_value(c, cv, sizeof cv, cum);
        percent(pct, sizeof pct, cum, c->o->total);
        pprof_buf_printf(out, "of %s (%s)", cv, pct);
        shown = cv;
    }
    /* Font size grows from 8 to 24 with the square root of the flat share
     * (Go's conversions kept for the value that has no absolute value). */
    int64_t font = 8;
    double af = (double)go_abs(flat);
    if (max_flat != 0 && flat != 0 && af <= max_flat)
        font = (int64_t)((uint64_t)font + (uint64_t)go_int64(ceil(16.0 * sqrt(af / max_flat))));
    char fg[16], bg[16];
    dot_color(fg, sizeof fg, ratio(cum, c->o->total), false);
    dot_color(bg, sizeof bg, ratio(cum, c->o->total), true);
    pprof_buf_printf(out, "\" id=\"node%zu\" fontsize=%lld shape=box tooltip=\"", i + 1, (long long)font);
    pprof_dot_escape_str(out, c->names[i]);
    pprof_buf_printf(out, " (%s)\" color=\"%s\" fillcolor=\"%s\"]\n", shown, fg, bg);
}

static int64_t edge_value(const pprof_edge *e)
{
    return e->weight_div ? go_div(e->weight, e->weight_div) : e->weight;
}

static void write_edge(const dot_ctx *c, const pprof_edge *e, bool src_has_nodelets)
{
    pprof_buf *out = c->out;
    int64_t w = edge_value(e);
    int64_t total = c->o->total;
    char wv[64];
    fmt_value(c, wv, sizeof wv, w);
    /* An edge into a hidden node (pprof_graph.n_hidden) points at N0, a
     * node the graph does not define, as pprof's does. */
    uint32_t dst = e->dst < c->g->n_nodes ? e->dst + 1 : 0;
    pprof_buf_printf(out, "N%u -> N%u [label=\" %s%s\"", e->src + 1, dst, wv, e->is_inline ? "\\n (inline)" : "");
    if (total != 0) {
        int64_t weight = go_abs(go_div(go_mul(w, 100), total));
        weight = 1 + (weight < 100 ? weight : 100);
        if (weight > 1)
            pprof_buf_printf(out, " weight=%lld", (long long)weight);
        int64_t width = go_abs(go_div(go_mul(w, 5), total));
        width = 1 + (width < 5 ? width : 5);
        if (width > 1)
            pprof_buf_printf(out, " penwidth=%lld", (long long)width);
        char col[16];
        dot_color(col, sizeof col, ratio(w, total), false);
        pprof_buf_printf(out, " color=\"%s\"", col);
    }
    const char *arrow = e->residual ? "..." : "->";
    for (int k = 0; k < 2; k++) {
        pprof_buf_puts(out, k ? " labeltooltip=\"" : " tooltip=\"");
        pprof_dot_escape_str(out, c->names[e->src]);
        pprof_buf_printf(out, " %s ", arrow);
        pprof_dot_escape_str(out, c->names[e->dst]);
        pprof_buf_printf(out, " (%s)\"", wv);
    }
    if (e->residual)
        pprof_buf_puts(out, " style=\"dotted\"");
    if (src_has_nodelets)
        pprof_buf_puts(out, " minlen=2");
    pprof_buf_puts(out, "]\n");
}

/* ---------------------------------------------------------------- the report */

static int write_graph(const dot_ctx *c)
{
    const pprof_graph *g = c->g;
    pprof_buf *out = c->out;
    pprof_buf title = {0}, lines = {0};
    title_of(&title, c->p);
    int rc = legend_lines(c, &lines);
    pprof_buf_puts(out, "digraph \"");
    if (title.len)
        pprof_dot_escape(out, (const char *)title.data, title.len);
    else
        pprof_buf_puts(out, "unnamed");
    pprof_buf_puts(out, "\" {\nnode [style=filled fillcolor=\"#f8f8f8\"]\n");
    if (!rc && lines.len)
        write_legend(c, (const char *)title.data, title.len, &lines);
    pprof_buf_release(&title);
    pprof_buf_release(&lines);
    bool *nodelets = calloc(g->n_nodes ? g->n_nodes : 1, sizeof *nodelets);
    pprof_edge_ref *edges = malloc((g->n_edges ? g->n_edges : 1) * sizeof *edges);
    if (!rc && (!nodelets || !edges))
        rc = PPROF_ENOMEM;
    double max_flat = 0;
    if (g->n_nodes)
        max_flat = (double)go_abs(pprof_node_flat(&g->nodes[0]));
    for (size_t i = 0; i < g->n_nodes; i++) {
        double f = (double)go_abs(pprof_node_flat(&g->nodes[i]));
        if (f > max_flat)
            max_flat = f;
    }
    for (size_t i = 0; i < g->n_nodes && !rc; i++) {
        write_node(c, i, max_flat);
        rc = pprof_dot_nodelets(out, g, i, c->p, c->o, c->unit, &nodelets[i]);
    }
    for (size_t i = 0; i < g->n_edges && !rc; i++)
        edges[i] = (pprof_edge_ref){(uint32_t)i, &g->edges[i], c->names[g->edges[i].src], c->names[g->edges[i].dst]};
    if (!rc) {
        qsort(edges, g->n_edges, sizeof *edges, pprof_edge_ref_cmp);
        for (size_t i = 0; i < g->n_edges; i++)
            if (edges[i].e->src < g->n_nodes) /* pprof draws the out-edges of its nodes */
                write_edge(c, edges[i].e, nodelets[edges[i].e->src]);
        pprof_buf_puts(out, "}\n");
    }
    free(nodelets);
    free(edges);
    return rc ? rc : out->failed ? PPROF_ENOMEM : 0;
}

int pprof_write_dot(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_graph_options go = o->graph;
    go.visual = true;
    go.call_tree = o->call_tree;
    go.tag_unit = o->unit;
    pprof_graph *g;
    int rc = pprof_graph_build(&g, p, &go, err);
    if (rc)
        return rc;
    pprof_report_options ro = *o;
    ro.graph = go;
    dot_ctx c = {out, g, p, &ro, pprof_report_output_unit(g, p, &ro), NULL};
    size_t all = g->n_nodes + g->n_hidden;
    c.names = calloc(all ? all : 1, sizeof *c.names);
    pprof_buf name = {0};
    rc = c.names ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < all && !rc; i++) {
        name.len = 0;
        if (pprof_node_name(&name, g, &g->nodes[i]) || !(c.names[i] = strdup((const char *)name.data)))
            rc = PPROF_ENOMEM;
    }
    pprof_buf_release(&name);
    if (!rc)
        rc = write_graph(&c);
    for (size_t i = 0; c.names && i < all; i++)
        free(c.names[i]);
    free(c.names);
    pprof_graph_free(g);
    return rc ? pprof_error_set(err, rc, "writing dot report: %s", pprof_strerror(rc)) : 0;
}
