/* flame_frames.c: the frame names of folded stacks and flame graphs, per nodemap node and per location, interned once; all of them kept in a loaded profile's index for a server's many flame graphs. */
#include "flame_frames.h"

#include <stdlib.h>
#include <string.h>

static uint64_t name_entry_hash(const void *ctx, size_t i)
{
    const char *name = ((const pprof_frames *)ctx)->names[i];
    return pprof_hash_bytes(name, strlen(name));
}

int pprof_frames_init(pprof_frames *f, const pprof_nodemap *nm, bool lines, pprof_node_texts *texts, bool borrow)
{
    memset(f, 0, sizeof *f);
    f->nm = nm;
    f->lines = lines;
    if (texts && !lines) {
        f->texts = pprof_node_texts_ref(texts);
        f->borrowed = borrow;
    }
    const pprof_profile *p = nm->profile;
    f->node_name = malloc((nm->n_nodes ? nm->n_nodes : 1) * sizeof *f->node_name);
    f->loc_frames = malloc((p->n_locations ? p->n_locations : 1) * sizeof *f->loc_frames);
    if (!f->node_name || !f->loc_frames) {
        pprof_frames_release(f);
        return PPROF_ENOMEM;
    }
    memset(f->node_name, 0xff, nm->n_nodes * sizeof *f->node_name);
    memset(f->loc_frames, 0xff, p->n_locations * sizeof *f->loc_frames);
    return 0;
}

void pprof_frames_release(pprof_frames *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_names && !f->borrowed; i++)
        free(f->names[i]);
    free(f->names);
    pprof_node_texts_unref(f->texts);
    free(f->name_slots);
    free(f->node_name);
    free(f->loc_frames);
    free(f->multi);
    free(f->rank);
    pprof_buf_release(&f->scratch);
    memset(f, 0, sizeof *f);
}

void pprof_frames_reserve_names(pprof_frames *f, size_t n)
{
    /* Each rebuild as the index grows rehashes every name (reading each
     * string again): made once here when the count is known. */
    size_t slots = 1024;
    while (slots < n * 2 && slots < ((size_t)1 << 31))
        slots *= 2;
    if (!f->name_slots || slots > f->name_mask + 1)
        (void)pprof_slots_rebuild(&f->name_slots, &f->name_mask, slots, f->n_names, name_entry_hash, f);
}

/* Interns a frame name (copied); *out gets its id. */
static int name_id(pprof_frames *f, const char *name, size_t len, uint32_t *out)
{
    if (!f->name_slots || (f->n_names + 1) * 2 > f->name_mask + 1) {
        int rc = pprof_slots_rebuild(&f->name_slots, &f->name_mask, f->name_slots ? (f->name_mask + 1) * 2 : 1024,
                                     f->n_names, name_entry_hash, f);
        if (rc)
            return rc;
    }
    size_t h = pprof_hash_bytes(name, len) & f->name_mask;
    while (f->name_slots[h]) {
        uint32_t i = f->name_slots[h] - 1;
        if (strncmp(f->names[i], name, len) == 0 && f->names[i][len] == 0) {
            *out = i;
            return 0;
        }
        h = (h + 1) & f->name_mask;
    }
    if (f->n_names >= PPROF_FRAMES_MULTI)
        return PPROF_ELIMIT;
    if (PPROF_GROW(f->names, f->cap_names, f->n_names + 1))
        return PPROF_ENOMEM;
    char *copy = f->borrowed ? (char *)name : malloc(len + 1);
    if (!copy)
        return PPROF_ENOMEM;
    if (!f->borrowed) {
        memcpy(copy, name, len);
        copy[len] = 0;
    }
    f->names[f->n_names] = copy;
    f->name_slots[h] = (uint32_t)++f->n_names;
    *out = (uint32_t)(f->n_names - 1);
    return 0;
}

int pprof_frames_node(pprof_frames *f, uint32_t node, uint32_t *out)
{
    if (f->node_name[node] != PPROF_NONE) {
        *out = f->node_name[node];
        return 0;
    }
    const pprof_nodemap *nm = f->nm;
    const pprof_node_info *ni = &nm->nodes[node];
    if (f->texts) {
        /* (made once per indexed profile: the texts of its nodes) */
        const char *text = pprof_node_texts_get(f->texts, node);
        size_t len = node + 1 < f->texts->n ? f->texts->off[node + 1] - f->texts->off[node] - 1 : strlen(text);
        int rc = name_id(f, text, len, &f->node_name[node]);
        *out = f->node_name[node];
        return rc;
    }
    pprof_buf *name = &f->scratch;
    name->len = 0;
    int rc;
    /* At line granularity a frame is "function:line": short enough to
     * read in a flame graph, and unique per line. */
    if (f->lines && ni->name && ni->line) {
        rc = pprof_escape_text(name, pprof_nodemap_string(nm, ni->name), pprof_nodemap_string_len(nm, ni->name));
        rc = rc ? rc : pprof_buf_printf(name, ":%lld", (long long)ni->line);
    } else {
        rc = pprof_nodemap_text(name, nm, node);
    }
    rc = rc ? rc : name_id(f, (const char *)name->data, name->len, &f->node_name[node]);
    *out = f->node_name[node];
    return rc;
}

int pprof_frames_location(pprof_frames *f, uint32_t L, uint32_t *out)
{
    const pprof_nodemap *nm = f->nm;
    uint32_t lo = nm->loc_off[L], hi = nm->loc_off[L + 1], n = hi - lo;
    if (f->loc_frames[L] != PPROF_NONE) {
        *out = f->loc_frames[L];
        return 0;
    }
    if (n == 1) {
        int rc = pprof_frames_node(f, nm->loc_nodes[lo], &f->loc_frames[L]);
        *out = f->loc_frames[L];
        return rc;
    }
    size_t at = f->n_multi;
    if (at + n + 1 >= PPROF_FRAMES_MULTI || PPROF_GROW(f->multi, f->cap_multi, at + n + 1))
        return PPROF_ENOMEM;
    f->multi[at] = n;
    for (uint32_t k = hi, i = 1; k-- > lo; i++) {
        int rc = pprof_frames_node(f, nm->loc_nodes[k], &f->multi[at + i]);
        if (rc)
            return rc;
    }
    f->n_multi = at + n + 1;
    *out = f->loc_frames[L] = PPROF_FRAMES_MULTI | (uint32_t)at;
    return 0;
}

/* Names in byte order: their first 8 bytes as a big-endian number decide
 * most comparisons without reading the strings. */
typedef struct ranked {
    uint64_t prefix;
    const char *name;
    uint32_t id;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return pprof_name_cmp(x->prefix, x->name, y->prefix, y->name);
}


int pprof_frames_complete(pprof_frames *f)
{
    const pprof_profile *p = f->nm->profile;
    pprof_frames_reserve_names(f, f->nm->n_nodes);
    for (size_t L = 0; L < p->n_locations; L++) {
        uint32_t c;
        int rc = pprof_frames_location(f, (uint32_t)L, &c);
        if (rc)
            return rc;
    }
    ranked *r = malloc((f->n_names ? f->n_names : 1) * sizeof *r);
    free(f->rank);
    f->rank = malloc((f->n_names ? f->n_names : 1) * sizeof *f->rank);
    if (!r || !f->rank) {
        free(r);
        return PPROF_ENOMEM;
    }
    for (size_t i = 0; i < f->n_names; i++)
        r[i] = (ranked){pprof_name_prefix(f->names[i]), f->names[i], (uint32_t)i};
    qsort(r, f->n_names, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < f->n_names; i++)
        f->rank[r[i].id] = (uint32_t)i;
    free(r);
    /* Done with: a reader only looks frames up (no name is made again). */
    free(f->name_slots);
    free(f->node_name);
    f->name_slots = NULL;
    f->node_name = NULL;
    pprof_buf_release(&f->scratch);
    return 0;
}

const pprof_frames *pprof_profile_frames(const pprof_profile *p, const pprof_graph_options *opt)
{
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    /* (published whole by pprof_profile_index_frames, maybe from another thread) */
    const pprof_frames *f = x ? __atomic_load_n(&x->frames, __ATOMIC_ACQUIRE) : NULL;
    if (!f || f->lines != (opt->granularity == PPROF_GRAN_LINES))
        return NULL;
    return f->nm == pprof_stack_index_cached_nodemap(p, opt) ? f : NULL;
}

int pprof_profile_index_frames(pprof_profile *p, pprof_error *err)
{
    pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    pprof_graph_options o;
    memset(&o, 0, sizeof o);
    const pprof_nodemap *nm = pprof_stack_index_cached_nodemap(p, &o);
    if (!nm || __atomic_load_n(&x->frames, __ATOMIC_ACQUIRE))
        return 0;
    pprof_frames *f = malloc(sizeof *f);
    /* (the names are the index's node texts, deduplicated, not copies) */
    int rc = f ? pprof_frames_init(f, nm, false, x->texts, true) : PPROF_ENOMEM;
    if (!rc)
        rc = pprof_frames_complete(f);
    if (rc) {
        pprof_frames_release(f);
        free(f);
        return pprof_error_set(err, rc, "indexing the frame names: %s", pprof_strerror(rc));
    }
    /* Whole or not at all for a reader that forks meanwhile. */
    __atomic_store_n(&x->frames, f, __ATOMIC_RELEASE);
    return 0;
}
