/* dot_tags.c: the tag nodelets of a DOT node: up to 4 label sets, and numeric label values grouped into up to 4 ranges, as pprof draws them. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NODELETS 4

/* A tag as drawn: a graph tag, or a group of numeric ones. */
typedef struct dtag {
    const char *name; /* NULL for a group: its label */
    const char *unit;
    int64_t value;
    int64_t flat, flat_div, cum, cum_div;
    char label[160]; /* a group's "min..max" */
} dtag;

static int64_t abs64(int64_t v)
{
    return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

static const char *tag_name(const dtag *t)
{
    return t->name ? t->name : t->label;
}

/* a/b as Go computes it (the one overflowing quotient wraps). */
static int64_t quotient(int64_t a, int64_t b)
{
    return b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b;
}

static int64_t flat_value(const dtag *t)
{
    return t->flat_div ? quotient(t->flat, t->flat_div) : t->flat;
}

static int64_t cum_value(const dtag *t)
{
    return t->cum_div ? quotient(t->cum, t->cum_div) : t->cum;
}

/* pprof's tag order: by cum unless sorting flat, then by flat, then name. */
static int cmp_flat_tags(const void *pa, const void *pb)
{
    const dtag *a = pa, *b = pb;
    if (a->flat != b->flat && abs64(a->flat) != abs64(b->flat))
        return abs64(a->flat) > abs64(b->flat) ? -1 : 1;
    return strcmp(tag_name(a), tag_name(b));
}

static int cmp_cum_tags(const void *pa, const void *pb)
{
    const dtag *a = pa, *b = pb;
    if (a->cum != b->cum && abs64(a->cum) != abs64(b->cum))
        return abs64(a->cum) > abs64(b->cum) ? -1 : 1;
    return cmp_flat_tags(pa, pb);
}

static void sort_tags(dtag *t, size_t n, bool flat)
{
    qsort(t, n, sizeof *t, flat ? cmp_flat_tags : cmp_cum_tags);
}

static void from_graph(dtag *d, const pprof_tag *t)
{
    memset(d, 0, sizeof *d);
    d->name = t->name;
    d->unit = t->unit;
    d->value = t->value;
    d->flat = t->flat;
    d->flat_div = t->flat_div;
    d->cum = t->cum;
    d->cum_div = t->cum_div;
}

/* Go's float64 to int64 conversion on amd64 (out of range: the minimum). */
static int64_t to_int64(double x)
{
    return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
}

/* How far u's value is from t's, in t's unit. */
static double distance(const dtag *t, const dtag *u)
{
    const char *unit;
    double v = pprof_unit_scale(u->value, u->unit, t->unit, &unit);
    return v < (double)t->value ? (double)t->value - v : v - (double)t->value;
}

/* Groups numeric tags (sorted) around the first MAX_NODELETS by nearest
 * value; each group is labelled "min..max" (a single one by its value). */
static size_t collapse(dtag *ts, size_t n, bool flat, dtag *groups)
{
    sort_tags(ts, n, flat);
    if (n <= MAX_NODELETS) {
        memcpy(groups, ts, n * sizeof *ts);
        return n;
    }
    size_t *group_of = malloc(n * sizeof *group_of);
    if (!group_of)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i < MAX_NODELETS) {
            group_of[i] = i;
            continue;
        }
        size_t best = 0;
        double d = distance(&ts[i], &ts[0]);
        for (size_t k = 1; k < MAX_NODELETS; k++) {
            double nd = distance(&ts[i], &ts[k]);
            if (nd < d)
                best = k, d = nd;
        }
        group_of[i] = best;
    }
    for (size_t k = 0; k < MAX_NODELETS; k++) {
        dtag *g = &groups[k];
        memset(g, 0, sizeof *g);
        size_t members = 0;
        const dtag *min = &ts[k], *max = &ts[k];
        int64_t f = 0, df = 0, c = 0, dc = 0;
        for (size_t i = 0; i < n; i++) {
            if (group_of[i] != k)
                continue;
            const dtag *t = &ts[i];
            const char *u;
            if (members) {
                if (to_int64(pprof_unit_scale(t->value, t->unit, min->unit, &u)) < min->value)
                    min = t;
                if (to_int64(pprof_unit_scale(t->value, t->unit, max->unit, &u)) > max->value)
                    max = t;
            }
            members++;
            /* Go's int64 sums wrap. */
            f = (int64_t)((uint64_t)f + (uint64_t)t->flat);
            df = (int64_t)((uint64_t)df + (uint64_t)t->flat_div);
            c = (int64_t)((uint64_t)c + (uint64_t)t->cum);
            dc = (int64_t)((uint64_t)dc + (uint64_t)t->cum_div);
        }
        if (members == 1) {
            pprof_format_scaled(g->label, sizeof g->label, min->value, min->unit, "auto");
            g->flat = flat_value(min);
            g->cum = cum_value(min);
        } else {
            char lo[64], hi[64];
            pprof_format_scaled(lo, sizeof lo, min->value, min->unit, "auto");
            pprof_format_scaled(hi, sizeof hi, max->value, max->unit, "auto");
            snprintf(g->label, sizeof g->label, "%s..%s", lo, hi);
            g->flat = df ? quotient(f, df) : f;
            g->cum = dc ? quotient(c, dc) : c;
        }
    }
    free(group_of);
    sort_tags(groups, MAX_NODELETS, flat);
    return MAX_NODELETS;
}

typedef struct nodelet_ctx {
    pprof_buf *out;
    const pprof_profile *p;
    const pprof_report_options *o;
    const char *unit;
    bool wrote;
} nodelet_ctx;

/* One nodelet box and the edge from its parent (source) to it. */
static void nodelet(nodelet_ctx *c, const char *source, const char *id, const char *label, bool split_lines,
                    int64_t w, const char *attr)
{
    char wv[64];
    pprof_report_format(wv, sizeof wv, c->p, c->o, c->unit, w);
    pprof_buf *out = c->out;
    pprof_buf_printf(out, "%s [label = \"", id);
    if (split_lines) {
        /* A label set: one "key:value" per line. */
        for (const char *s = label;;) {
            const char *nl = strchr(s, '\n');
            pprof_dot_escape(out, s, nl ? (size_t)(nl - s) : strlen(s));
            if (!nl)
                break;
            pprof_buf_puts(out, "\\n");
            s = nl + 1;
        }
    } else {
        pprof_dot_escape_str(out, label);
    }
    pprof_buf_printf(out, "\" id=\"%s\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", id, wv);
    pprof_buf_printf(out, "%s -> %s [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"%s]\n", source, id, wv,
                     wv, wv, attr);
    c->wrote = true;
}

/* The numeric tags of g's node i under label set `labels`, grouped. */
static int numeric_nodelets(nodelet_ctx *c, const pprof_graph *g, const pprof_node *n, const char *labels,
                            bool flat, const char *source)
{
    size_t m = 0;
    for (uint32_t k = 0; k < n->n_tags; k++) {
        const pprof_tag *t = &g->tags[n->tags_off + k];
        m += t->numeric && strcmp(t->labels, labels) == 0;
    }
    if (m == 0)
        return 0;
    dtag *ts = malloc(m * sizeof *ts);
    dtag *groups = malloc((m > MAX_NODELETS ? m : MAX_NODELETS) * sizeof *groups);
    if (!ts || !groups) {
        free(ts);
        free(groups);
        return PPROF_ENOMEM;
    }
    m = 0;
    for (uint32_t k = 0; k < n->n_tags; k++) {
        const pprof_tag *t = &g->tags[n->tags_off + k];
        if (t->numeric && strcmp(t->labels, labels) == 0)
            from_graph(&ts[m++], t);
    }
    size_t ng = collapse(ts, m, flat, groups);
    for (size_t j = 0; j < ng; j++) {
        int64_t fv = flat_value(&groups[j]), cv = cum_value(&groups[j]);
        int64_t w = cv;
        const char *attr = " style=\"dotted\"";
        if (flat || fv == cv)
            w = fv, attr = "";
        if (w == 0)
            continue;
        char id[64];
        snprintf(id, sizeof id, "N%s_%zu", source, j);
        nodelet(c, source, id, tag_name(&groups[j]), false, w, attr);
    }
    free(ts);
    free(groups);
    return 0;
}

int pprof_dot_nodelets(pprof_buf *out, const pprof_graph *g, size_t i, const pprof_profile *p,
                       const pprof_report_options *o, const char *unit, bool *wrote)
{
    const pprof_node *n = &g->nodes[i];
    nodelet_ctx c = {out, p, o, unit, false};
    *wrote = false;
    if (n->n_tags == 0)
        return 0;
    /* Leaves show cum values (weight of dropped callees included), the
     * others only what they hold themselves. */
    bool flat = n->n_out > 0;
    dtag *ts = malloc(n->n_tags * sizeof *ts);
    if (!ts)
        return PPROF_ENOMEM;
    size_t m = 0;
    for (uint32_t k = 0; k < n->n_tags; k++)
        if (!g->tags[n->tags_off + k].numeric)
            from_graph(&ts[m++], &g->tags[n->tags_off + k]);
    sort_tags(ts, m, flat);
    int rc = 0;
    for (size_t j = 0; j < m && j < MAX_NODELETS && !rc; j++) {
        int64_t w = flat ? flat_value(&ts[j]) : cum_value(&ts[j]);
        if (w == 0)
            continue;
        char source[32], id[48];
        snprintf(source, sizeof source, "N%zu", i + 1);
        snprintf(id, sizeof id, "N%zu_%zu", i + 1, j);
        nodelet(&c, source, id, ts[j].name, true, w, "");
        rc = numeric_nodelets(&c, g, n, ts[j].name, flat, id);
    }
    if (!rc) {
        char source[32];
        snprintf(source, sizeof source, "N%zu", i + 1);
        rc = numeric_nodelets(&c, g, n, "", flat, source);
    }
    free(ts);
    *wrote = c.wrote;
    return rc ? rc : out->failed ? PPROF_ENOMEM : 0;
}
