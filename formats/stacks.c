/* stacks.c: builds the stack set (distinct root-first frame paths with their
 * values) that folded output and flame graphs are made from. */
#include "formats.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct builder {
    pprof_stack_set *s;
    size_t cap_names, cap_frames, cap_flags, cap_stacks;
    uint32_t *name_slots; /* name hash: id + 1 */
    size_t name_mask;
    uint32_t *stack_slots; /* stack hash: index + 1 */
    size_t stack_mask;
    uint64_t *stack_hash;
    size_t cap_stack_hash;
} builder;

static uint64_t name_entry_hash(const void *ctx, size_t i)
{
    const char *name = ((const builder *)ctx)->s->names[i];
    return pprof_hash_bytes(name, strlen(name));
}

/* Interns a frame name (copied); *out gets its id. */
static int name_id(builder *b, const char *name, size_t len, uint32_t *out)
{
    pprof_stack_set *s = b->s;
    if (!b->name_slots || (s->n_names + 1) * 2 > b->name_mask + 1) {
        int rc = pprof_slots_rebuild(&b->name_slots, &b->name_mask, b->name_slots ? (b->name_mask + 1) * 2 : 1024,
                                     s->n_names, name_entry_hash, b);
        if (rc)
            return rc;
    }
    size_t h = pprof_hash_bytes(name, len) & b->name_mask;
    while (b->name_slots[h]) {
        uint32_t i = b->name_slots[h] - 1;
        if (strncmp(s->names[i], name, len) == 0 && s->names[i][len] == 0) {
            *out = i;
            return 0;
        }
        h = (h + 1) & b->name_mask;
    }
    if (PPROF_GROW(s->names, b->cap_names, s->n_names + 1))
        return PPROF_ENOMEM;
    char *copy = malloc(len + 1);
    if (!copy)
        return PPROF_ENOMEM;
    memcpy(copy, name, len);
    copy[len] = 0;
    s->names[s->n_names] = copy;
    b->name_slots[h] = (uint32_t)++s->n_names;
    *out = (uint32_t)(s->n_names - 1);
    return 0;
}

static uint64_t path_hash(const uint32_t *f, const uint8_t *fl, size_t n)
{
    uint64_t h = pprof_hash_u64(n + 1);
    for (size_t i = 0; i < n; i++)
        h = pprof_hash_u64(h ^ ((uint64_t)f[i] << 1 | fl[i]));
    return h;
}

static uint64_t stack_entry_hash(const void *ctx, size_t i)
{
    return ((const builder *)ctx)->stack_hash[i];
}

static int stack_rehash(builder *b, size_t slots)
{
    return pprof_slots_rebuild(&b->stack_slots, &b->stack_mask, slots, b->s->n_stacks, stack_entry_hash, b);
}

/* Adds the path staged at the end of s->frames (n entries, not yet owned by
 * a stack) with its values: to an existing stack when the path is known. */
static int add_path(builder *b, size_t n, int64_t value, int64_t base)
{
    pprof_stack_set *s = b->s;
    /* (an empty path of the first stack: no arithmetic on NULL) */
    const uint32_t *f = s->frames ? s->frames + s->n_frames : s->frames;
    const uint8_t *fl = s->frame_flags ? s->frame_flags + s->n_frames : s->frame_flags;
    if (!b->stack_slots || (s->n_stacks + 1) * 2 > b->stack_mask + 1)
        if (stack_rehash(b, b->stack_slots ? (b->stack_mask + 1) * 2 : 4096))
            return PPROF_ENOMEM;
    uint64_t hv = path_hash(f, fl, n);
    size_t h = hv & b->stack_mask;
    while (b->stack_slots[h]) {
        pprof_stack *st = &s->stacks[b->stack_slots[h] - 1];
        if (b->stack_hash[b->stack_slots[h] - 1] == hv && st->n_frames == n &&
            (n == 0 || (memcmp(s->frames + st->frames_off, f, n * sizeof *f) == 0 &&
                        memcmp(s->frame_flags + st->frames_off, fl, n) == 0))) {
            pprof_sat_add(&st->value, value);
            pprof_sat_add(&st->base, base);
            return 0;
        }
        h = (h + 1) & b->stack_mask;
    }
    if (n > UINT32_MAX || PPROF_GROW(s->stacks, b->cap_stacks, s->n_stacks + 1) ||
        PPROF_GROW(b->stack_hash, b->cap_stack_hash, s->n_stacks + 1))
        return PPROF_ENOMEM;
    pprof_stack *st = &s->stacks[s->n_stacks];
    st->frames_off = s->n_frames;
    st->n_frames = (uint32_t)n;
    st->value = value;
    st->base = base;
    b->stack_hash[s->n_stacks] = hv;
    s->n_frames += n;
    b->stack_slots[h] = (uint32_t)++s->n_stacks;
    return 0;
}

/* Makes room to stage n more frames after the owned ones. */
static int reserve_frames(builder *b, size_t n)
{
    pprof_stack_set *s = b->s;
    size_t need = s->n_frames + n;
    if (PPROF_GROW(s->frames, b->cap_frames, need) || PPROF_GROW(s->frame_flags, b->cap_flags, need))
        return PPROF_ENOMEM;
    return 0;
}

static inline void stage(builder *b, size_t at, uint32_t name, uint8_t flags)
{
    b->s->frames[at] = name;
    b->s->frame_flags[at] = flags;
}

void pprof_stack_set_free(pprof_stack_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_names; i++)
        free(s->names[i]);
    free(s->names);
    free(s->frames);
    free(s->frame_flags);
    free(s->stacks);
    free(s->unit);
    free(s->type);
    free(s);
}

int pprof_stacks_build(pprof_stack_set **out, const pprof_profile *p, const pprof_report_options *o,
                       pprof_error *err)
{
    *out = NULL;
    builder b;
    memset(&b, 0, sizeof b);
    b.s = calloc(1, sizeof *b.s);
    if (!b.s)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    pprof_stack_set *s = b.s;
    size_t nt = p->n_sample_types;
    int si = o->sample_index;
    s->unit = strdup(nt ? pprof_string(p, p->sample_types[si].unit) : "");
    s->type = strdup(nt ? pprof_string(p, p->sample_types[si].type) : "");
    pprof_nodemap *nm = NULL;
    int rc = (!s->unit || !s->type) ? PPROF_ENOMEM : pprof_nodemap_build(&nm, p, &o->graph, err);
    if (rc) {
        pprof_stack_set_free(s);
        return rc == PPROF_ENOMEM ? pprof_error_set(err, rc, "out of memory") : rc;
    }
    /* Frame name of each node, computed once. */
    uint32_t *node_name = malloc((nm->n_nodes ? nm->n_nodes : 1) * sizeof *node_name);
    pprof_buf name = {0};
    rc = node_name ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < nm->n_nodes && !rc; i++) {
        name.len = 0;
        const pprof_node_info *ni = &nm->nodes[i];
        /* At line granularity a frame is "function:line": short enough to
         * read in a flame graph, and unique per line. */
        if (o->graph.granularity == PPROF_GRAN_LINES && ni->name && ni->line)
        {
            rc = pprof_escape_text(&name, pprof_nodemap_string(nm, ni->name), pprof_nodemap_string_len(nm, ni->name));
            rc = rc ? rc : pprof_buf_printf(&name, ":%lld", (long long)ni->line);
        }
        else
            rc = pprof_nodemap_text(&name, nm, (uint32_t)i);
        if (!rc)
            rc = name_id(&b, (const char *)name.data, name.len, &node_name[i]);
    }
    pprof_buf_release(&name);
    pprof_str base_key = PPROF_NONE, true_val = PPROF_NONE;
    pprof_str id;
    if (pprof_profile_find_string(&id, p, "pprof::base", 11))
        base_key = id;
    if (pprof_profile_find_string(&id, p, "true", 4))
        true_val = id;
    /* Without -diff_base's base samples or -mean, samples with one location
     * list make one path: the stack index walks each list once, with the
     * sum of its samples (its own for a big profile, else p's if cached). */
    pprof_stack_index *own = NULL;
    const pprof_stack_index *x = NULL;
    if (!o->mean && (base_key == PPROF_NONE || true_val == PPROF_NONE)) {
        x = pprof_profile_stack_index(p, si, false);
        if (!x && !rc && pprof_stack_index_worth_building(p) && pprof_stack_index_build(&own, p) == 0 &&
            pprof_stack_index_fits(own, p, si, false))
            x = own;
    }
    size_t n_rows = x ? x->n_stacks : p->n_samples;
    for (size_t r = 0; r < n_rows && !rc && nt; r++) {
        size_t i = x ? x->first[r] : r;
        const pprof_sample *sm = &p->samples[i];
        /* (An indexed stack's samples are all non-zero, whatever their sum.) */
        int64_t w = x ? x->values[r * nt + (size_t)si] : pprof_sample_weight(p, i, si, o->mean);
        if (w == 0 && !x)
            continue;
        bool is_base = false;
        for (uint32_t k = 0; k < sm->n_labels; k++) {
            const pprof_label *l = &p->labels[sm->labels_off + k];
            if (l->key == base_key && l->str == true_val)
                is_base = true;
        }
        const uint32_t *locs = pprof_sample_locs(p, sm);
        size_t depth = 0;
        for (size_t j = 0; j < sm->n_locs; j++)
            depth += nm->loc_off[locs[j] + 1] - nm->loc_off[locs[j]];
        rc = reserve_frames(&b, depth);
        size_t at = s->n_frames, n = 0;
        for (size_t j = sm->n_locs; j-- > 0 && !rc;) {
            uint32_t L = locs[j], lo = nm->loc_off[L], hi = nm->loc_off[L + 1];
            for (uint32_t k = hi; k-- > lo;)
                stage(&b, at + n++, node_name[nm->loc_nodes[k]], k != hi - 1 ? PPROF_FRAME_INLINED : 0);
        }
        if (rc)
            break;
        /* A base sample was negated by -diff_base; the base value is positive. */
        if (is_base)
            rc = add_path(&b, n, 0, pprof_sat_neg(w));
        else
            rc = add_path(&b, n, w, 0);
        if (is_base)
            s->has_base = true;
    }
    for (size_t i = 0; i < s->n_stacks; i++) {
        int64_t a = s->stacks[i].value, c = s->stacks[i].base;
        pprof_sat_add(&s->total, pprof_sat_abs(a));
        pprof_sat_add(&s->base_total, pprof_sat_abs(c));
    }
    pprof_stack_index_free(own);
    free(node_name);
    free(b.name_slots);
    free(b.stack_slots);
    free(b.stack_hash);
    pprof_nodemap_free(nm);
    if (rc) {
        pprof_stack_set_free(s);
        return pprof_error_set(err, rc, "building stacks: %s", pprof_strerror(rc));
    }
    *out = s;
    return 0;
}
