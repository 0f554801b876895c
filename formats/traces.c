/* traces.c: the -traces report: every sample with its labels and its stack, leaf first. */
#include "formats.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "-----------+-------------------------------------------------------\n"

typedef struct label_ref {
    const pprof_profile *p;
    const pprof_label *l;
} label_ref;

static int cmp_label_key(const void *a, const void *b)
{
    const label_ref *x = a, *y = b;
    int c = strcmp(pprof_string(x->p, x->l->key), pprof_string(y->p, y->l->key));
    if (c)
        return c;
    return x->l < y->l ? -1 : x->l > y->l; /* keep profile order within a key */
}

/* Label lines: string labels, then numeric ones, each sorted by key, with
 * the values of one key joined by spaces. */
static void write_labels(pprof_buf *out, const pprof_profile *p, const pprof_sample *sm, label_ref *refs,
                         bool numeric)
{
    size_t n = 0;
    for (uint32_t k = 0; k < sm->n_labels; k++) {
        const pprof_label *l = &p->labels[sm->labels_off + k];
        if ((l->str == 0) == numeric)
            refs[n++] = (label_ref){p, l};
    }
    qsort(refs, n, sizeof *refs, cmp_label_key);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        pprof_buf_printf(out, "%10s:  ", pprof_string(p, refs[i].l->key));
        for (; j < n && refs[j].l->key == refs[i].l->key; j++) {
            if (j > i)
                pprof_buf_puts(out, " ");
            if (numeric) {
                char v[64];
                pprof_format_scaled(v, sizeof v, refs[j].l->num, pprof_label_unit(p, refs[j].l->key), "auto");
                pprof_buf_puts(out, v);
            } else {
                pprof_buf_puts(out, pprof_string(p, refs[j].l->str));
            }
        }
        pprof_buf_puts(out, "\n");
        i = j;
    }
}

int pprof_write_traces(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_nodemap *nm;
    int rc = pprof_nodemap_build(&nm, p, &o->graph, err);
    if (rc)
        return rc;
    /* Traces format each value on its own (pprof never selects a unit here). */
    pprof_report_options lo = *o;
    lo.unit = strcmp(o->unit, "minimum") == 0 ? "auto" : o->unit;
    pprof_write_profile_labels(out, p, &lo, lo.unit);
    pprof_buf_puts(out, SEPARATOR);
    size_t nt = p->n_sample_types;
    size_t max_labels = 0;
    for (size_t i = 0; i < p->n_samples; i++)
        if (p->samples[i].n_labels > max_labels)
            max_labels = p->samples[i].n_labels;
    label_ref *refs = malloc((max_labels ? max_labels : 1) * sizeof *refs);
    /* Each node's name once, with its inline suffix variant built on demand. */
    char **names = calloc(nm->n_nodes ? nm->n_nodes : 1, sizeof *names);
    size_t *name_lens = calloc(nm->n_nodes ? nm->n_nodes : 1, sizeof *name_lens);
    pprof_buf name = {0};
    if (!refs || !names || !name_lens)
        rc = PPROF_ENOMEM;
    for (size_t i = 0; i < nm->n_nodes && !rc; i++) {
        name.len = 0;
        if (pprof_nodemap_name(&name, nm, (uint32_t)i) || !(names[i] = strdup((char *)name.data)))
            rc = PPROF_ENOMEM;
        else
            name_lens[i] = name.len;
    }
    for (size_t i = 0; i < p->n_samples && !rc && nt; i++) {
        const pprof_sample *sm = &p->samples[i];
        if (sm->n_locs == 0)
            continue;
        const int64_t *v = p->values + i * nt;
        int64_t w = v[o->sample_index];
        if (o->mean && v[0] != 0)
            w /= v[0];
        write_labels(out, p, sm, refs, false);
        write_labels(out, p, sm, refs, true);
        char val[64];
        pprof_report_format(val, sizeof val, p, &lo, lo.unit, w);
        bool first = true;
        const uint32_t *locs = p->sample_locs + sm->locs_off;
        for (uint32_t j = 0; j < sm->n_locs; j++) {
            uint32_t L = locs[j], lo_ = nm->loc_off[L], hi = nm->loc_off[L + 1];
            for (uint32_t k = lo_; k < hi; k++) {
                /* Only the first frame carries the value; the others share a
                 * blank 13-column prefix (the hot path: one line per frame). */
                if (first)
                    pprof_buf_printf(out, "%10s   ", val);
                else
                    pprof_buf_append(out, "             ", 13);
                pprof_buf_append(out, names[nm->loc_nodes[k]], name_lens[nm->loc_nodes[k]]);
                if (k + 1 < hi)
                    pprof_buf_append(out, " (inline)\n", 10);
                else
                    pprof_buf_append(out, "\n", 1);
                first = false;
            }
        }
        pprof_buf_puts(out, SEPARATOR);
    }
    pprof_buf_release(&name);
    for (size_t i = 0; names && i < nm->n_nodes; i++)
        free(names[i]);
    free(names);
    free(name_lens);
    free(refs);
    pprof_nodemap_free(nm);
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
