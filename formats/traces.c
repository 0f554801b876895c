/* traces.c: the -traces report: every sample with its labels and its stack, leaf first. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "-----------+-------------------------------------------------------\n"

/* Character i of the line "%10s:" for key k (NUL past the colon). */
static int padded_char(const char *k, size_t len, size_t i)
{
    size_t pad = len < 10 ? 10 - len : 0;
    if (i < pad)
        return ' ';
    i -= pad;
    return i < len ? (unsigned char)k[i] : i == len ? ':' : 0;
}

/* A label key by its text, for sorting. */
typedef struct key_text {
    const char *s;
    size_t len;
    pprof_str id;
} key_text;

/* pprof sorts the printed "%10s:  values" lines: a key shorter than 10
 * characters is padded with spaces and so comes before longer ones. */
static int cmp_padded(const key_text *x, const key_text *y)
{
    for (size_t i = 0;; i++) {
        int cx = padded_char(x->s, x->len, i), cy = padded_char(y->s, y->len, i);
        if (cx != cy || !cx)
            return cx - cy;
    }
}

static int cmp_key_text(const void *a, const void *b)
{
    const key_text *x = a, *y = b;
    int c = cmp_padded(x, y);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* The label keys of the profile, sorted once in the order pprof prints
 * them, each with its line head and numeric unit: a sample's labels then
 * sort by integers, and nothing per sample looks at a key's text. */
typedef struct trace_keys {
    uint32_t *slot;    /* per string id: its place among the sorted keys, or PPROF_NONE */
    uint32_t *rank;    /* per slot: keys equal to the comparison share a rank */
    const char **unit; /* per slot: pprof_label_unit of the key */
    size_t *head;      /* per slot: its "%10s:  " is text.data[head[i], head[i + 1]) */
    pprof_buf text;
    uint8_t *safe; /* per string id: 0 not seen yet, 1 printable as is, 2 escaped */
} trace_keys;

static void trace_keys_release(trace_keys *k)
{
    free(k->slot);
    free(k->rank);
    free(k->unit);
    free(k->head);
    free(k->safe);
    pprof_buf_release(&k->text);
}

static int trace_keys_build(trace_keys *k, const pprof_profile *p)
{
    memset(k, 0, sizeof *k);
    size_t ns = p->n_strings ? p->n_strings : 1;
    k->slot = malloc(ns * sizeof *k->slot);
    k->safe = calloc(ns, 1);
    if (!k->slot || !k->safe)
        return PPROF_ENOMEM;
    memset(k->slot, 0xff, ns * sizeof *k->slot);
    key_text *keys = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < p->n_labels; i++) {
        pprof_str key = p->labels[i].key;
        if (k->slot[key] != PPROF_NONE)
            continue;
        k->slot[key] = 0;
        if (PPROF_GROW(keys, cap, n + 1)) {
            free(keys);
            return PPROF_ENOMEM;
        }
        /* (the text up to a NUL, as pprof compares the lines) */
        keys[n++] = (key_text){p->strings[key], strlen(p->strings[key]), key};
    }
    if (n)
        qsort(keys, n, sizeof *keys, cmp_key_text);
    k->rank = malloc((n ? n : 1) * sizeof *k->rank);
    k->unit = malloc((n ? n : 1) * sizeof *k->unit);
    k->head = malloc((n + 1) * sizeof *k->head);
    int rc = k->rank && k->unit && k->head ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        k->slot[keys[i].id] = (uint32_t)i;
        k->rank[i] = i && cmp_padded(&keys[i - 1], &keys[i]) == 0 ? k->rank[i - 1] : (uint32_t)i;
        k->unit[i] = pprof_label_unit(p, keys[i].id);
        k->head[i] = k->text.len;
        pprof_put_string(&k->text, p, keys[i].id, 10);
        pprof_buf_puts(&k->text, ":  ");
    }
    if (!rc) {
        k->head[n] = k->text.len;
        rc = k->text.failed ? PPROF_ENOMEM : 0;
    }
    free(keys);
    return rc;
}

/* A label of the sample being written: its key's rank, then its place in
 * the sample (pprof's sort keeps profile order among equal lines); slot:
 * its key. */
typedef struct label_ref {
    uint32_t rank, idx, slot;
} label_ref;

static int cmp_label_ref(const void *a, const void *b)
{
    const label_ref *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Formatted values met before: samples and labels repeat a few values. */
enum { FMT_SLOTS = 256 };
typedef struct fmt_cache {
    struct {
        int64_t v;
        uint32_t tag1; /* its tag + 1; 0: empty */
        char s[64];
    } e[FMT_SLOTS];
} fmt_cache;

/* The text of value v under tag (a key's slot, or VALUE_TAG): *hit when
 * it is there, else the caller writes it there. */
#define VALUE_TAG (UINT32_MAX - 1)

static char *fmt_slot(fmt_cache *c, int64_t v, uint32_t tag, bool *hit)
{
    uint64_t h = pprof_hash_u64((uint64_t)v ^ (uint64_t)tag << 40);
    size_t i = (size_t)(h >> 56) % FMT_SLOTS;
    *hit = c->e[i].tag1 == tag + 1 && c->e[i].v == v;
    c->e[i].v = v;
    c->e[i].tag1 = tag + 1;
    return c->e[i].s;
}

static void put_value_string(pprof_buf *out, trace_keys *k, const pprof_profile *p, pprof_str id)
{
    if (!k->safe[id])
        k->safe[id] = pprof_text_is_safe(p->strings[id], p->string_lens[id]) ? 1 : 2;
    if (k->safe[id] == 1)
        pprof_buf_append(out, p->strings[id], p->string_lens[id]);
    else
        pprof_put_string(out, p, id, 0);
}

/* Label lines: string labels, then numeric ones, each sorted as pprof
 * sorts the padded lines, with the values of one key joined by spaces
 * (in profile order). */
static void write_labels(pprof_buf *out, trace_keys *k, fmt_cache *fc, const pprof_profile *p,
                         const pprof_sample *sm, label_ref *refs, bool numeric)
{
    const pprof_label *L = p->labels + sm->labels_off;
    size_t n = 0;
    for (uint32_t i = 0; i < sm->n_labels; i++)
        if ((L[i].str == 0) == numeric)
            refs[n++] = (label_ref){k->rank[k->slot[L[i].key]], i, k->slot[L[i].key]};
    if (n < 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && cmp_label_ref(&refs[j - 1], &refs[j]) > 0; j--) {
                label_ref t = refs[j];
                refs[j] = refs[j - 1];
                refs[j - 1] = t;
            }
    } else {
        qsort(refs, n, sizeof *refs, cmp_label_ref);
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint32_t r = refs[i].slot;
        pprof_buf_append(out, k->text.data + k->head[r], k->head[r + 1] - k->head[r]);
        for (; j < n && refs[j].slot == r; j++) {
            const pprof_label *l = &L[refs[j].idx];
            if (j > i)
                pprof_buf_append(out, " ", 1);
            if (numeric) {
                bool hit;
                char *v = fmt_slot(fc, l->num, r, &hit);
                if (!hit)
                    pprof_format_scaled(v, sizeof fc->e[0].s, l->num, k->unit[r], "auto");
                pprof_buf_puts(out, v);
            } else {
                put_value_string(out, k, p, l->str);
            }
        }
        pprof_buf_append(out, "\n", 1);
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
    fmt_cache *fc = calloc(1, sizeof *fc);
    trace_keys keys = {0};
    loc_text text;
    rc = loc_text_build(&text, nm, p);
    if (!rc)
        rc = trace_keys_build(&keys, p);
    if (!refs || !fc)
        rc = PPROF_ENOMEM;
    for (size_t i = 0; i < p->n_samples && !rc && nt; i++) {
        const pprof_sample *sm = &p->samples[i];
        if (sm->n_locs == 0)
            continue;
        int64_t w = pprof_sample_weight(p, i, o->sample_index, o->mean);
        if (sm->n_labels) {
            write_labels(out, &keys, fc, p, sm, refs, false);
            write_labels(out, &keys, fc, p, sm, refs, true);
        }
        bool hit;
        char *val = fmt_slot(fc, w, VALUE_TAG, &hit);
        if (!hit)
            pprof_report_format(val, sizeof fc->e[0].s, p, &lo, lo.unit, w);
        rc = write_frames(out, &text, pprof_sample_locs(p, sm), sm->n_locs, val);
        pprof_buf_append(out, SEPARATOR, sizeof SEPARATOR - 1);
    }
    loc_text_release(&text);
    trace_keys_release(&keys);
    free(fc);
    free(refs);
    pprof_nodemap_free(nm);
    if (rc || out->failed)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}
