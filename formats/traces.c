/* traces.c: the -traces report: every sample with its labels and its stack, leaf first. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "-----------+-------------------------------------------------------\n"

typedef struct label_ref {
    const pprof_profile *p;
    const pprof_label *l;
} label_ref;

/* Character i of the line "%10s:" for key k (NUL past the colon). */
static int padded_char(const char *k, size_t len, size_t i)
{
    size_t pad = len < 10 ? 10 - len : 0;
    if (i < pad)
        return ' ';
    i -= pad;
    return i < len ? (unsigned char)k[i] : i == len ? ':' : 0;
}

/* pprof sorts the printed "%10s:  values" lines: a key shorter than 10
 * characters is padded with spaces and so comes before longer ones. */
static int cmp_label_key(const void *a, const void *b)
{
    const label_ref *x = a, *y = b;
    const char *kx = pprof_string(x->p, x->l->key), *ky = pprof_string(y->p, y->l->key);
    size_t lx = strlen(kx), ly = strlen(ky);
    int c = 0;
    for (size_t i = 0; !c; i++) {
        int cx = padded_char(kx, lx, i), cy = padded_char(ky, ly, i);
        c = cx - cy;
        if (!cx || !cy)
            break;
    }
    if (c)
        return c;
    return x->l < y->l ? -1 : x->l > y->l; /* keep profile order within a key */
}

/* Label lines: string labels, then numeric ones, each sorted as pprof
 * sorts the padded lines, with the values of one key joined by spaces. */
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
        pprof_put_string(out, p, refs[i].l->key, 10);
        pprof_buf_puts(out, ":  ");
        for (; j < n && refs[j].l->key == refs[i].l->key; j++) {
            if (j > i)
                pprof_buf_puts(out, " ");
            if (numeric) {
                char v[64];
                pprof_format_scaled(v, sizeof v, refs[j].l->num, pprof_label_unit(p, refs[j].l->key), "auto");
                pprof_buf_puts(out, v);
            } else {
                pprof_put_string(out, p, refs[j].l->str, 0);
            }
        }
        pprof_buf_puts(out, "\n");
        i = j;
    }
}

/* The text of every location's frames, one "             name[ (inline)]\n"
 * line each (the callers' lines after the inlined callee's), made once so a
 * sample's stack is one copy per location: -traces writes each frame of
 * each sample, which is most of its time on big profiles. */
typedef struct loc_text {
    char *text;
    uint64_t *off; /* location i: text[off[i] .. off[i+1]) */
} loc_text;

#define INDENT 13 /* "%10s   " without a value */

static int loc_text_build(loc_text *t, const pprof_nodemap *nm, const pprof_profile *p)
{
    size_t nn = nm->n_nodes, nl = p->n_locations;
    char **names = calloc(nn ? nn : 1, sizeof *names);
    size_t *lens = calloc(nn ? nn : 1, sizeof *lens);
    t->off = malloc((nl + 1) * sizeof *t->off);
    t->text = NULL;
    pprof_buf name = {0};
    int rc = names && lens && t->off ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < nn && !rc; i++) {
        name.len = 0;
        if (pprof_nodemap_text(&name, nm, (uint32_t)i) || !(names[i] = malloc(name.len + 1)))
            rc = PPROF_ENOMEM;
        else {
            memcpy(names[i], name.data, name.len + 1);
            lens[i] = name.len;
        }
    }
    uint64_t size = 0;
    for (size_t i = 0; i < nl && !rc; i++) {
        t->off[i] = size;
        for (uint32_t k = nm->loc_off[i]; k < nm->loc_off[i + 1]; k++)
            size += INDENT + lens[nm->loc_nodes[k]] + (k + 1 < nm->loc_off[i + 1] ? 10 : 1);
    }
    if (!rc) {
        t->off[nl] = size;
        t->text = malloc(size ? size : 1);
        rc = t->text ? 0 : PPROF_ENOMEM;
    }
    for (size_t i = 0; i < nl && !rc; i++) {
        char *w = t->text + t->off[i];
        for (uint32_t k = nm->loc_off[i]; k < nm->loc_off[i + 1]; k++) {
            uint32_t n = nm->loc_nodes[k];
            memset(w, ' ', INDENT);
            memcpy(w + INDENT, names[n], lens[n]);
            w += INDENT + lens[n];
            if (k + 1 < nm->loc_off[i + 1]) {
                memcpy(w, " (inline)\n", 10);
                w += 10;
            } else {
                *w++ = '\n';
            }
        }
    }
    for (size_t i = 0; names && i < nn; i++)
        free(names[i]);
    free(names);
    free(lens);
    pprof_buf_release(&name);
    return rc;
}

static void loc_text_release(loc_text *t)
{
    free(t->text);
    free(t->off);
}

/* One sample's frames: its value right-aligned in 10 columns on the first
 * frame line (in place of the indent), the other lines as made. */
static int write_frames(pprof_buf *out, const loc_text *t, const uint32_t *locs, uint32_t n, const char *val)
{
    size_t need = 0, vlen = strlen(val);
    for (uint32_t j = 0; j < n; j++)
        need += t->off[locs[j] + 1] - t->off[locs[j]];
    if (need == 0)
        return 0;
    size_t lead = vlen > 10 ? vlen + 3 : INDENT;
    if (pprof_buf_reserve(out, need + lead))
        return PPROF_ENOMEM;
    char *w = (char *)out->data + out->len;
    bool first = true;
    for (uint32_t j = 0; j < n; j++) {
        const char *src = t->text + t->off[locs[j]];
        size_t len = t->off[locs[j] + 1] - t->off[locs[j]];
        if (len && first) {
            memset(w, ' ', lead);
            memcpy(w + (lead - 3 - vlen), val, vlen);
            w += lead;
            src += INDENT;
            len -= INDENT;
            first = false;
        }
        memcpy(w, src, len);
        w += len;
    }
    *w = 0;
    out->len = (size_t)(w - (char *)out->data);
    return 0;
}

int pprof_write_traces(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    pprof_nodemap *nm;
    /* pprof's traces show file names as the profile has them. */
    pprof_graph_options go = o->graph;
    go.trim_path = go.source_path = NULL;
    go.untrimmed_files = true;
    int rc = pprof_nodemap_build(&nm, p, &go, err);
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
    loc_text text;
    rc = loc_text_build(&text, nm, p);
    if (!refs)
        rc = PPROF_ENOMEM;
    for (size_t i = 0; i < p->n_samples && !rc && nt; i++) {
        const pprof_sample *sm = &p->samples[i];
        if (sm->n_locs == 0)
            continue;
        int64_t w = pprof_sample_weight(p, i, o->sample_index, o->mean);
        if (sm->n_labels) {
            write_labels(out, p, sm, refs, false);
            write_labels(out, p, sm, refs, true);
        }
        char val[64];
        pprof_report_format(val, sizeof val, p, &lo, lo.unit, w);
        rc = write_frames(out, &text, pprof_sample_locs(p, sm), sm->n_locs, val);
        pprof_buf_append(out, SEPARATOR, sizeof SEPARATOR - 1);
    }
    loc_text_release(&text);
    free(refs);
    pprof_nodemap_free(nm);
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
