/* callgrind.c: the -callgrind report: the address-level call graph in Callgrind's format (for KCachegrind), byte for byte as pprof writes it. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Callgrind's name compression: "(N) name" the first time, "(N)" after. */
typedef struct name_table {
    char **names;
    uint32_t *slots; /* open addressing: name index + 1 */
    size_t n, mask, cap_names;
} name_table;

/* Table order never reaches the output (names are numbered as first seen). */
static uint64_t name_hash(const char *s)
{
    return pprof_hash_bytes(s, strlen(s));
}

static uint64_t name_entry_hash(const void *ctx, size_t i)
{
    return name_hash(((const name_table *)ctx)->names[i]);
}

static int table_grow(name_table *t)
{
    size_t slots = t->slots ? (t->mask + 1) * 2 : 256;
    /* The names array holds up to half as many names as there are slots. */
    if (PPROF_GROW(t->names, t->cap_names, slots / 2))
        return PPROF_ENOMEM;
    return pprof_slots_rebuild(&t->slots, &t->mask, slots, t->n, name_entry_hash, t);
}

/* Names are escaped for the terminal first: one line each, no control bytes. */
static void put_name(pprof_buf *out, name_table *t, const char *raw)
{
    if (!*raw)
        return;
    pprof_buf esc = {0};
    if (pprof_escape_cstr(&esc, raw)) {
        out->failed = true;
        pprof_buf_release(&esc);
        return;
    }
    const char *name = (const char *)esc.data;
    if ((!t->slots || (t->n + 1) * 2 > t->mask + 1) && table_grow(t)) {
        out->failed = true;
        pprof_buf_release(&esc);
        return;
    }
    size_t h = name_hash(name) & t->mask;
    for (uint32_t e; (e = t->slots[h]); h = (h + 1) & t->mask) {
        if (strcmp(t->names[e - 1], name) == 0) {
            pprof_buf_printf(out, "(%u)", e);
            pprof_buf_release(&esc);
            return;
        }
    }
    t->names[t->n++] = (char *)esc.data; /* owned by the table now */
    t->slots[h] = (uint32_t)t->n;
    pprof_buf_printf(out, "(%zu) %s", t->n, name);
}

static void release_names(name_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->names[i]);
    free(t->names);
    free(t->slots);
}

/* An address relative to the previous node's when that is shorter, "*"
 * when it is the same. */
static void put_address(pprof_buf *out, const pprof_node_info *prev, uint64_t addr)
{
    char abs[32], rel[32];
    if (addr)
        snprintf(abs, sizeof abs, "0x%llx", (unsigned long long)addr);
    else
        snprintf(abs, sizeof abs, "0x0");
    if (!prev) {
        pprof_buf_puts(out, abs);
        return;
    }
    if (prev->address == addr) {
        pprof_buf_puts(out, "*");
        return;
    }
    int64_t diff = (int64_t)(addr - prev->address);
    snprintf(rel, sizeof rel, "%+lld", (long long)diff);
    pprof_buf_puts(out, strlen(rel) < strlen(abs) ? rel : abs);
}

/* pprof's output unit for callgrind: the unit of the smallest value, so
 * that no cost rounds down to nothing. */
static const char *output_unit(const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o)
{
    const char *su = pprof_string(p, p->sample_types[o->sample_index].unit);
    if (strcmp(o->unit, "minimum") != 0 || g->n_nodes == 0)
        return o->unit;
    int64_t minv = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        int64_t v = pprof_node_flat(&g->nodes[i]);
        if (v == 0)
            v = pprof_node_cum(&g->nodes[i]);
        if (v < 0)
            v = pprof_sat_neg(v);
        if (v > 0 && (minv == 0 || v < minv))
            minv = v;
    }
    if (minv == 0)
        minv = o->total;
    if (o->ratio > 0 && o->ratio != 1) {
        double x = (double)minv * o->ratio;
        minv = x < 9223372036854775808.0 ? (int64_t)x : INT64_MAX;
    }
    const char *unit;
    pprof_unit_scale(minv, su, "auto", &unit);
    return *unit ? unit : su;
}

/* A value in the output unit, truncated as pprof does. */
static long long scaled(int64_t v, const char *from, const char *to)
{
    const char *u;
    double x = pprof_unit_scale(v, from, to, &u);
    return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (long long)x : INT64_MIN;
}

typedef struct edge_item {
    uint32_t idx;
    const pprof_edge *e;
    const char *dst;
} edge_item;

/* pprof's edge order: heavier first, then by destination name. */
static int cmp_out(const void *pa, const void *pb)
{
    const edge_item *a = pa, *b = pb;
    if (a->e->weight != b->e->weight) {
        int64_t x = pprof_sat_abs(a->e->weight);
        int64_t y = pprof_sat_abs(b->e->weight);
        if (x != y)
            return x > y ? -1 : 1;
    }
    int c = strcmp(a->dst, b->dst);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* A node by function and file, and by where pprof's name table keeps it:
 * its binary and (in a call tree) its caller. */
typedef struct fn_key {
    const char *name, *file, *objfile;
    uint32_t parent, node;
    uint32_t cluster_first; /* first node of its (parent, binary) cluster */
} fn_key;

static int cmp_function(const void *pa, const void *pb)
{
    const fn_key *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (!c)
        c = strcmp(a->file, b->file);
    return c ? c : a->node < b->node ? -1 : a->node > b->node;
}

static int cmp_cluster(const void *pa, const void *pb)
{
    const fn_key *a = pa, *b = pb;
    if (a->parent != b->parent)
        return a->parent < b->parent ? -1 : 1;
    int c = strcmp(a->objfile, b->objfile);
    return c ? c : a->node < b->node ? -1 : a->node > b->node;
}

static int cmp_first(const void *pa, const void *pb)
{
    const fn_key *a = pa, *b = pb;
    if (a->cluster_first != b->cluster_first)
        return a->cluster_first < b->cluster_first ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

/* Numbers the clusters of one function's nodes k[0..n) in order of first
 * node and names each node after its cluster. */
static int name_group(char **names, fn_key *k, size_t n)
{
    qsort(k, n, sizeof *k, cmp_cluster);
    size_t clusters = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && k[j].parent == k[i].parent && strcmp(k[j].objfile, k[i].objfile) == 0)
            j++;
        for (size_t m = i; m < j; m++)
            k[m].cluster_first = k[i].node;
        clusters++;
        i = j;
    }
    qsort(k, n, sizeof *k, cmp_first);
    size_t rank = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || k[i].cluster_first != k[i - 1].cluster_first)
            rank++;
        pprof_buf b = {0};
        if (clusters > 1)
            pprof_buf_printf(&b, "%s [%zu/%zu]", k[i].name, rank, clusters);
        else
            pprof_buf_puts(&b, k[i].name);
        names[k[i].node] = (char *)b.data;
        if (b.failed || !b.data)
            return PPROF_ENOMEM;
    }
    return 0;
}

/* Callee names as pprof's callgrind writer gives them: a function whose
 * nodes sit in more than one binary or (call tree) under more than one
 * caller is told apart as "name [i/n]", i counting those places in node
 * order. */
static int callee_names(char **names, const pprof_graph *g, bool call_tree)
{
    size_t n = g->n_nodes;
    fn_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const pprof_node *nd = &g->nodes[i];
        uint32_t parent = call_tree && nd->n_in == 1 ? g->edges[g->in_edges[nd->in_off]].src : UINT32_MAX;
        k[i] = (fn_key){pprof_graph_string(g, nd->info.name), pprof_graph_string(g, nd->info.file),
                        pprof_graph_string(g, nd->info.objfile), parent, (uint32_t)i, 0};
    }
    qsort(k, n, sizeof *k, cmp_function);
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        size_t j = i + 1;
        while (j < n && strcmp(k[j].name, k[i].name) == 0 && strcmp(k[j].file, k[i].file) == 0)
            j++;
        rc = name_group(names, k + i, j - i);
        i = j;
    }
    free(k);
    return rc;
}

static int write_callgrind(pprof_buf *out, const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o,
                           char **callee, char **printable)
{
    const char *su = pprof_string(p, p->sample_types[o->sample_index].unit);
    const char *unit = output_unit(g, p, o);
    pprof_buf_printf(out, "positions: instr line\nevents: %s%s(%s)\n", o->mean ? "mean_" : "",
                     pprof_string(p, p->sample_types[o->sample_index].type), unit);
    name_table objs = {0}, files = {0}, fns = {0};
    edge_item *items = malloc((g->n_edges ? g->n_edges : 1) * sizeof *items);
    if (!items)
        return PPROF_ENOMEM;
    const pprof_node_info *prev = NULL;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const pprof_node *n = &g->nodes[i];
        const pprof_node_info *in = &n->info;
        if (!prev || in->objfile != prev->objfile || in->file != prev->file || in->name != prev->name) {
            pprof_buf_puts(out, "\nob=");
            put_name(out, &objs, pprof_graph_string(g, in->objfile));
            pprof_buf_puts(out, "\nfl=");
            put_name(out, &files, pprof_graph_string(g, in->file));
            pprof_buf_puts(out, "\nfn=");
            put_name(out, &fns, pprof_graph_string(g, in->name));
            pprof_buf_puts(out, "\n");
        }
        put_address(out, prev, in->address);
        pprof_buf_printf(out, " %lld %lld\n", (long long)in->line, scaled(pprof_node_flat(n), su, unit));
        for (uint32_t k = 0; k < n->n_out; k++) {
            const pprof_edge *e = &g->edges[g->out_edges[n->out_off + k]];
            items[k] = (edge_item){k, e, printable[e->dst]};
        }
        qsort(items, n->n_out, sizeof *items, cmp_out);
        for (uint32_t k = 0; k < n->n_out; k++) {
            const pprof_node_info *ci = &g->nodes[items[k].e->dst].info;
            pprof_buf_puts(out, "cfl=");
            put_name(out, &files, pprof_graph_string(g, ci->file));
            pprof_buf_puts(out, "\ncfn=");
            put_name(out, &fns, callee[items[k].e->dst]);
            pprof_buf_puts(out, "\ncalls=0 ");
            put_address(out, prev, ci->address);
            pprof_buf_printf(out, " %lld\n* * %lld\n", (long long)ci->line, scaled(items[k].e->weight, su, unit));
        }
        prev = in;
    }
    free(items);
    release_names(&objs);
    release_names(&files);
    release_names(&fns);
    return out->failed ? PPROF_ENOMEM : 0;
}

int pprof_write_callgrind(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    /* pprof: every node at address level, inline frames kept, untrimmed. */
    pprof_graph_options go = o->graph;
    go.granularity = PPROF_GRAN_ADDRESSES;
    go.noinlines = false;
    go.keep_objfile = true;
    go.call_tree = o->call_tree;
    go.nodecount = 0;
    go.nodefraction = go.edgefraction = 0;
    pprof_graph *g;
    int rc = pprof_graph_build(&g, p, &go, err);
    if (rc)
        return rc;
    /* A call into a hidden node (pprof_graph.n_hidden) names its file but
     * not its function, which pprof names only for the graph's nodes. */
    size_t all = g->n_nodes + g->n_hidden;
    char **callee = calloc(all ? all : 1, sizeof *callee);
    char **printable = calloc(all ? all : 1, sizeof *printable);
    rc = callee && printable ? callee_names(callee, g, o->call_tree) : PPROF_ENOMEM;
    for (size_t i = g->n_nodes; i < all && !rc; i++)
        if (!(callee[i] = strdup("")))
            rc = PPROF_ENOMEM;
    for (size_t i = 0; i < all && !rc; i++) {
        pprof_buf b = {0};
        if (pprof_node_name(&b, g, &g->nodes[i]))
            rc = PPROF_ENOMEM;
        printable[i] = (char *)b.data;
    }
    if (!rc)
        rc = write_callgrind(out, g, p, o, callee, printable);
    for (size_t i = 0; i < all; i++) {
        if (callee)
            free(callee[i]);
        if (printable)
            free(printable[i]);
    }
    free(callee);
    free(printable);
    pprof_graph_free(g);
    return rc ? pprof_error_set(err, rc, "writing callgrind report: %s", pprof_strerror(rc)) : 0;
}
