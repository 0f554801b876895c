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
    size_t len;       /* its length */
} edge_item;

static int cmp_edges(const void *a, const void *b)
{
    const edge_item *x = a, *y = b;
    int64_t wx = abs64(x->e->weight), wy = abs64(y->e->weight);
    if (wx != wy)
        return wx > wy ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A peek of a big profile prints hundreds of thousands of values, most of
 * them repeats: each formatted text is kept in a small direct-mapped
 * cache, with its length. (Its percentages, of each node's own cum, seldom
 * repeat: they are made each time.) */
#define FORMAT_SLOTS 4096

typedef struct format_slot {
    int64_t a; /* the value */
    bool used;
    uint8_t len;
    char s[64];
} format_slot;

typedef struct writer {
    pprof_buf *out;
    const pprof_profile *p;
    const pprof_report_options *o;
    pprof_value_format vf; /* the values' unit into the report's */
    format_slot *values;
    format_slot percent; /* the last percentage made */
} writer;

static format_slot *slot_of(format_slot *t, int64_t a)
{
    uint64_t h = (uint64_t)a * UINT64_C(0x9E3779B97F4A7C15);
    return &t[(h >> 40) % FORMAT_SLOTS];
}

/* pprof_report_format's text of v. */
static const format_slot *value_text(writer *w, int64_t v)
{
    format_slot *c = slot_of(w->values, v);
    if (!c->used || c->a != v) {
        int64_t r = w->o->ratio != 1.0 ? pprof_report_ratio(v, w->o->ratio) : v;
        size_t n = pprof_value_format_put(&w->vf, c->s, sizeof c->s, r);
        c->len = (uint8_t)(n < sizeof c->s ? n : sizeof c->s - 1);
        c->a = v;
        c->used = true;
    }
    return c;
}

static const format_slot *percent_text(writer *w, int64_t v, int64_t total)
{
    format_slot *c = &w->percent;
    pprof_format_percent(c->s, 32, v, total); /* (the report's buffer size) */
    c->len = (uint8_t)strlen(c->s);
    return c;
}

/* Lines are put together in place in the output buffer: at is where the
 * next bytes go (room for them was reserved). */
static char *put(char *at, const char *s, size_t n)
{
    memcpy(at, s, n);
    return at + n;
}

static char *put_text(char *at, const format_slot *s)
{
    return put(at, s->s, s->len);
}

/* s right-aligned in width columns (printf's %*s). */
static char *put_padded(char *at, const format_slot *s, size_t width)
{
    if (s->len < width) {
        memset(at, ' ', width - s->len);
        at += width - s->len;
    }
    return put(at, s->s, s->len);
}

/* Room for n more bytes of out, or NULL when out failed. */
static char *room(pprof_buf *out, size_t n)
{
    return pprof_buf_reserve(out, n) == 0 ? (char *)out->data + out->len : NULL;
}

/* The line put together from at: out's bytes up to end. */
static void done(pprof_buf *out, const char *end)
{
    out->len = (size_t)((const uint8_t *)end - out->data);
    out->data[out->len] = 0;
}

/* Node i's printable name, made when first asked for (unless the graph
 * has them made): a peek names only the nodes it prints and their callers
 * and callees. NULL: out of memory. */
static const char *name_of(char **names, const pprof_graph *g, size_t i, pprof_buf *tmp)
{
    if (g->texts)
        return g->texts[i];
    if (!names[i]) {
        tmp->len = 0;
        if (pprof_node_text(tmp, g, &g->nodes[i]) == 0)
            names[i] = strdup(tmp->data ? (const char *)tmp->data : "");
    }
    return names[i];
}

/* The length of node i's name s, measured once (a node is the caller or
 * callee of many): lens[i] is it + 1, or 0 before. */
static size_t name_len(uint32_t *lens, size_t i, const char *s)
{
    if (!lens[i]) {
        size_t n = strlen(s);
        lens[i] = n < UINT32_MAX - 1 ? (uint32_t)n + 1 : 0;
        return n;
    }
    return lens[i] - 1;
}

static int write_edges(writer *w, const pprof_graph *g, const uint32_t *idx, uint32_t n, bool incoming,
                       int64_t node_cum, char **names, uint32_t *lens, pprof_buf *tmp, edge_item *items)
{
    /* The other ends' names lie all over the texts: fetched at once, the
     * waits for them overlap. */
    for (uint32_t i = 0; g->texts && i < n; i++) {
        const pprof_edge *e = &g->edges[idx[i]];
        __builtin_prefetch(g->texts[incoming ? e->src : e->dst]);
    }
    for (uint32_t i = 0; i < n; i++) {
        const pprof_edge *e = &g->edges[idx[i]];
        uint32_t other = incoming ? e->src : e->dst;
        items[i] = (edge_item){e, name_of(names, g, other, tmp), 0};
        if (!items[i].name)
            return PPROF_ENOMEM;
        items[i].len = name_len(lens, other, items[i].name);
    }
    qsort(items, n, sizeof *items, cmp_edges);
    for (uint32_t i = 0; i < n; i++) {
        int64_t v = edge_value(items[i].e);
        /* "%50s %s |   %s%s\n" */
        char *at = room(w->out, 50 + 2 * sizeof w->values->s + items[i].len + 32);
        if (!at)
            return PPROF_ENOMEM;
        at = put_padded(at, value_text(w, v), 50);
        *at++ = ' ';
        at = put_text(at, percent_text(w, v, node_cum));
        at = put(at, " |   ", 5);
        at = put(at, items[i].name, items[i].len);
        at = items[i].e->is_inline ? put(at, " (inline)\n", 10) : put(at, "\n", 1);
        done(w->out, at);
    }
    return 0;
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
    char **names = g->texts ? NULL : calloc(all ? all : 1, sizeof *names); /* (texts: not made here) */
    uint32_t *lens = calloc(all ? all : 1, sizeof *lens);
    edge_item *items = malloc((g->n_edges ? g->n_edges : 1) * sizeof *items);
    bool *shown = malloc(g->n_nodes ? g->n_nodes : 1);
    pprof_buf name = {0};
    rc = (names || g->texts) && lens && items && shown ? 0 : PPROF_ENOMEM;
    /* -peek shows only the nodes whose printable name (with the address,
     * file and line the granularity keeps) matches: the graph put them
     * first (matched_first), else each is matched here. */
    bool any = false;
    const char *text;
    for (size_t i = 0; i < g->n_nodes && !rc; i++) {
        if (symbol && g->matched_first) {
            shown[i] = i < g->n_matched;
        } else if (!(text = name_of(names, g, i, &name))) {
            rc = PPROF_ENOMEM;
        } else {
            shown[i] = !symbol || pprof_regex_match(symbol, text, strlen(text));
        }
        any |= !rc && shown[i];
    }
    if (!rc && symbol && !any)
        rc = pprof_error_set(err, PPROF_ENOTFOUND, "no matches found for regexp: %s", o->symbol);
    /* One part of the entries (o->part of o->n_parts): those whose lines
     * start in its share of all the entries' lines. */
    uint64_t lines = 0, line = 0;
    for (size_t i = 0; !rc && o->n_parts > 1 && i < g->n_nodes; i++)
        if (shown[i])
            lines += (uint64_t)g->nodes[i].n_in + g->nodes[i].n_out + 2;
    unsigned part = o->part;
    if (!rc && o->split && o->n_parts > 1)
        part = o->split(o->split_ctx, lines);
    bool parts = o->n_parts > 1 && part < o->n_parts;
    const char *unit = pprof_report_output_unit(g, p, o);
    writer w = {out, p, o, {0}, calloc(FORMAT_SLOTS, sizeof *w.values), {0}};
    pprof_value_format_init(&w.vf, pprof_report_value_unit(p, o), unit);
    if (!rc && !w.values)
        rc = PPROF_ENOMEM;
    int64_t flat_sum = g->matched_first ? g->all_flat : 0; /* (it lists few of the nodes) */
    for (size_t i = 0; i < g->n_nodes && !g->matched_first; i++)
        pprof_sat_add(&flat_sum, pprof_node_flat(&g->nodes[i])); /* saturating, as the totals */
    bool head = !parts || part == 0;
    if (!rc && head && !o->compact_labels)
        pprof_write_profile_labels(out, p, o, unit);
    if (!rc && head)
        pprof_write_report_labels(out, g, p, o, unit, flat_sum);
    if (!rc) {
        if (head) {
            pprof_buf_puts(out, SEPARATOR);
            pprof_buf_puts(out, "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n");
            if (g->n_nodes) /* an empty graph ends with the legend */
                pprof_buf_puts(out, SEPARATOR);
        }
        int64_t running = 0;
        for (size_t i = 0; i < g->n_nodes; i++) {
            const pprof_node *n = &g->nodes[i];
            if (!shown[i])
                continue;
            int64_t fv = pprof_node_flat(n), cv = pprof_node_cum(n);
            pprof_sat_add(&running, fv);
            if (parts) {
                uint64_t at = line;
                line += (uint64_t)n->n_in + n->n_out + 2;
                if (at * o->n_parts / lines != part)
                    continue;
            }
            if ((rc = write_edges(&w, g, g->in_edges + n->in_off, n->n_in, true, cv, names, lens, &name, items)) ||
                !(text = name_of(names, g, i, &name))) {
                rc = PPROF_ENOMEM;
                break;
            }
            /* "%10s %s %s %10s %s                | %s\n" */
            /* (Each text is copied before the next is made: two values may
             * share a cache slot, the percentages share one place.) */
            size_t tl = name_len(lens, i, text);
            char *at = room(out, 5 * sizeof w.values->s + tl + 64);
            if (!at) {
                rc = PPROF_ENOMEM;
                break;
            }
            at = put_padded(at, value_text(&w, fv), 10);
            *at++ = ' ';
            at = put_text(at, percent_text(&w, fv, o->total));
            *at++ = ' ';
            at = put_text(at, percent_text(&w, running, o->total));
            *at++ = ' ';
            at = put_padded(at, value_text(&w, cv), 10);
            *at++ = ' ';
            at = put_text(at, percent_text(&w, cv, o->total));
            at = put(at, "                | ", 18);
            at = put(at, text, tl);
            *at++ = '\n';
            done(out, at);
            if ((rc = write_edges(&w, g, g->out_edges + n->out_off, n->n_out, false, cv, names, lens, &name, items)))
                break;
            pprof_buf_append(out, SEPARATOR, sizeof SEPARATOR - 1);
        }
    }
    for (size_t i = 0; names && i < all; i++)
        free(names[i]);
    free(names);
    free(lens);
    free(items);
    free(shown);
    free(w.values);
    pprof_buf_release(&name);
    pprof_regex_free(symbol);
    pprof_graph_free(g);
    if (rc == PPROF_ENOTFOUND)
        return rc;
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
