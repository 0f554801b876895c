/* topproto.c: the -topproto report: the top nodes as a profile.proto, one sample per node (cum, flat). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* A value in the output unit, as pprof writes it: scaled from the sample
 * unit and truncated to an integer. pprof does not apply -divide_by here
 * (only the unit choice sees it). */
static int64_t in_unit(int64_t v, const char *from, const char *to)
{
    const char *u;
    double x = pprof_unit_scale(v, from, to, &u);
    if (x >= 9223372036854775807.0)
        return INT64_MAX;
    if (x <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)x;
}

static int intern(pprof_str *out, pprof_profile *q, const char *s)
{
    return pprof_profile_intern(out, q, s, strlen(s));
}

/* Functions of q by (name, file): chains from the name's string id. */
typedef struct fn_index {
    uint32_t *head; /* per string id of q: first function with that name + 1, 0 none */
    uint32_t *next; /* per function: next one with the same name + 1 */
    size_t cap_head, cap_next;
} fn_index;

/* The toolkit's growth, with the new entries zeroed (0: no entry). */
static int grow(uint32_t **a, size_t *cap, size_t need)
{
    size_t old = *cap;
    if (PPROF_GROW(*a, *cap, need))
        return PPROF_ENOMEM;
    memset(*a + old, 0, (*cap - old) * sizeof **a);
    return 0;
}

/* The function named name in file (one per distinct pair, ids in first-seen
 * order, as pprof makes them). */
static int function_of(uint32_t *out, pprof_profile *q, fn_index *x, pprof_str name, pprof_str file)
{
    if (grow(&x->head, &x->cap_head, q->n_strings))
        return PPROF_ENOMEM;
    for (uint32_t f = x->head[name]; f; f = x->next[f - 1])
        if (q->functions[f - 1].filename == file) {
            *out = f - 1;
            return 0;
        }
    pprof_function fn = {.id = q->n_functions + 1, .name = name, .filename = file};
    int rc = pprof_profile_add_function(out, q, &fn);
    if (!rc)
        rc = grow(&x->next, &x->cap_next, q->n_functions);
    if (rc)
        return rc;
    x->next[*out] = x->head[name];
    x->head[name] = *out + 1;
    return 0;
}

/* The profile pprof builds: sample types cum/<unit> and flat/<unit>; per
 * node (in report order, id i+1) a location with its address and one line
 * (the function of its name and file, its line number), and a sample
 * holding cum and flat; the time, duration and period of p. */
static int build(pprof_profile *q, const pprof_graph *g, const pprof_profile *p, const char *unit,
                 const char *sample_unit)
{
    fn_index x = {0};
    pprof_value_type cum, flat;
    int rc = intern(&cum.type, q, "cum");
    if (!rc)
        rc = intern(&cum.unit, q, unit);
    if (!rc)
        rc = intern(&flat.type, q, "flat");
    flat.unit = cum.unit;
    if (!rc)
        rc = pprof_profile_add_sample_type(q, cum);
    if (!rc)
        rc = pprof_profile_add_sample_type(q, flat);
    for (size_t i = 0; i < g->n_nodes && !rc; i++) {
        const pprof_node *n = &g->nodes[i];
        pprof_str name, file;
        uint32_t f = 0, loc;
        rc = intern(&name, q, pprof_graph_string(g, n->info.name));
        if (!rc)
            rc = intern(&file, q, pprof_graph_string(g, n->info.file));
        if (!rc)
            rc = function_of(&f, q, &x, name, file);
        pprof_line line = {.function = f, .line = n->info.line, .column = n->info.column};
        pprof_location l = {.id = i + 1, .address = n->info.address, .mapping = PPROF_NONE};
        if (!rc)
            rc = pprof_profile_add_location(&loc, q, &l, &line, 1);
        int64_t v[2] = {in_unit(pprof_node_cum(n), sample_unit, unit), in_unit(pprof_node_flat(n), sample_unit, unit)};
        if (!rc)
            rc = pprof_profile_add_sample(q, &loc, 1, v, NULL, 0);
    }
    free(x.head);
    free(x.next);
    if (rc)
        return rc;
    q->time_nanos = p->time_nanos;
    q->duration_nanos = p->duration_nanos;
    q->period = p->period;
    rc = intern(&q->period_type.type, q, pprof_string(p, p->period_type.type));
    if (!rc)
        rc = intern(&q->period_type.unit, q, pprof_string(p, p->period_type.unit));
    return rc;
}

int pprof_write_topproto(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_graph *g;
    pprof_graph_options go = o->graph;
    go.inline_edges_only = true;
    int rc = pprof_graph_build(&g, p, &go, err);
    if (rc)
        return rc;
    const char *unit = pprof_report_output_unit(g, p, o);
    const char *sample_unit = pprof_string(p, p->sample_types[o->sample_index].unit);
    pprof_profile *q = pprof_profile_new();
    rc = q ? build(q, g, p, unit, sample_unit) : PPROF_ENOMEM;
    pprof_graph_free(g);
    if (rc) {
        pprof_profile_free(q);
        return pprof_error_set(err, rc, "building the top profile: %s", pprof_strerror(rc));
    }
    rc = pprof_profile_encode(out, q, true, err);
    pprof_profile_free(q);
    return rc;
}
