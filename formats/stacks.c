/* stacks.c: builds the stack set (distinct root-first frame paths with their
 * values) that folded output and flame graphs are made from. */
#include "flame_frames.h"
#include "flame_layout.h"
#include "internal.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

typedef struct builder {
    pprof_stack_set *s;
    size_t cap_frames, cap_flags, cap_stacks;
    uint32_t *stack_slots; /* stack hash: index + 1 */
    size_t stack_mask;
    uint64_t *stack_hash;
    size_t cap_stack_hash;
} builder;

/* Frame names of o's granularity over nodemap nm of p (none made yet),
 * from the texts of p's index when nm is its node identity. */
static int frames_init(pprof_frames *f, const pprof_nodemap *nm, const pprof_profile *p, const pprof_report_options *o)
{
    return pprof_frames_init(f, nm, o->graph.granularity == PPROF_GRAN_LINES, pprof_stack_index_texts(p, &o->graph),
                             false);
}

/* Gives s the names f made (f keeps none). */
static void take_names(pprof_stack_set *s, pprof_frames *f)
{
    s->names = f->names;
    s->n_names = f->n_names;
    f->names = NULL;
    f->n_names = f->cap_names = 0;
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

/* A builder of an empty stack set named by sample type si (unnamed when p
 * has no sample types); PPROF_ENOMEM with nothing left to free. */
static int builder_start(builder *b, const pprof_profile *p, int si)
{
    memset(b, 0, sizeof *b);
    pprof_stack_set *s = b->s = calloc(1, sizeof *b->s);
    if (!s)
        return PPROF_ENOMEM;
    bool named = p->n_sample_types && si >= 0 && (size_t)si < p->n_sample_types;
    s->unit = strdup(named ? pprof_string(p, p->sample_types[si].unit) : "");
    s->type = strdup(named ? pprof_string(p, p->sample_types[si].type) : "");
    if (s->unit && s->type)
        return 0;
    pprof_stack_set_free(s);
    b->s = NULL;
    return PPROF_ENOMEM;
}

/* The rows the stacks are made from, in the order they are walked: p's
 * samples, or the distinct location lists of a stack index (each with the
 * sum of its samples), with every node's frame name made. */
typedef struct stack_rows {
    const pprof_profile *p;
    pprof_nodemap *nm;
    pprof_frames f;
    pprof_stack_index *own; /* an index made for the walk (NULL: none) */
    const pprof_stack_index *x;
    size_t n_rows;
    int si;
    bool mean;
    pprof_str base_key, true_val;
} stack_rows;

static void rows_close(stack_rows *r)
{
    pprof_stack_index_free(r->own);
    pprof_frames_release(&r->f);
    pprof_nodemap_free(r->nm);
}

/* The rows of p under o, their names to be taken by s (take_names); 0 or
 * an error with r closed. */
static int rows_open(stack_rows *r, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->si = o->sample_index;
    r->mean = o->mean;
    /* The node identity of p's index for its options (whose node texts
     * name the frames then), else a new one. */
    int rc = pprof_stack_index_nodemap(&r->nm, p, &o->graph);
    if (!rc && !r->nm)
        rc = pprof_nodemap_build(&r->nm, p, &o->graph, err);
    if (rc)
        return rc == PPROF_ENOMEM ? pprof_error_set(err, rc, "out of memory") : rc;
    /* Frame name of each node, computed once (ids in node order: the
     * order speedscope lists its frames in). */
    rc = frames_init(&r->f, r->nm, p, o);
    if (rc) {
        pprof_nodemap_free(r->nm);
        return pprof_error_set(err, rc, "building stacks: %s", pprof_strerror(rc));
    }
    pprof_frames_reserve_names(&r->f, r->nm->n_nodes);
    for (size_t i = 0; i < r->nm->n_nodes && !rc; i++) {
        uint32_t ignored;
        rc = pprof_frames_node(&r->f, (uint32_t)i, &ignored);
    }
    r->base_key = r->true_val = PPROF_NONE;
    pprof_str id;
    if (pprof_profile_find_string(&id, p, "pprof::base", 11))
        r->base_key = id;
    if (pprof_profile_find_string(&id, p, "true", 4))
        r->true_val = id;
    /* Without -diff_base's base samples or -mean, samples with one location
     * list make one path: the stack index walks each list once, with the
     * sum of its samples (its own for a big profile, else p's if cached). */
    if (!o->mean && (r->base_key == PPROF_NONE || r->true_val == PPROF_NONE)) {
        r->x = pprof_profile_stack_index(p, r->si, false);
        if (!r->x && !rc && pprof_stack_index_worth_building(p) && pprof_stack_index_build(&r->own, p) == 0 &&
            pprof_stack_index_fits(r->own, p, r->si, false))
            r->x = r->own;
    }
    r->n_rows = p->n_sample_types ? r->x ? r->x->n_stacks : p->n_samples : 0;
    if (rc) {
        rows_close(r);
        return pprof_error_set(err, rc, "building stacks: %s", pprof_strerror(rc));
    }
    return 0;
}

/* The sample of row i (the first of its stack's, for an index). */
static inline const pprof_sample *row_at(const stack_rows *r, size_t i)
{
    return &r->p->samples[r->x ? r->x->first[i] : i];
}

/* Row i's sample, its value in *w and whether it is a base sample; false
 * for a row that makes no stack. */
static const pprof_sample *row_sample(const stack_rows *r, size_t i, int64_t *w, bool *is_base)
{
    const pprof_profile *p = r->p;
    size_t nt = p->n_sample_types;
    /* (An indexed stack's samples are all non-zero, whatever their sum.) */
    *w = r->x ? r->x->values[i * nt + (size_t)r->si] : pprof_sample_weight(p, i, r->si, r->mean);
    if (*w == 0 && !r->x)
        return NULL;
    const pprof_sample *sm = row_at(r, i);
    *is_base = false;
    for (uint32_t k = 0; k < sm->n_labels; k++) {
        const pprof_label *l = &p->labels[sm->labels_off + k];
        if (l->key == r->base_key && l->str == r->true_val)
            *is_base = true;
    }
    return sm;
}

/* The number of frames of sample sm. */
static size_t row_depth(const stack_rows *r, const pprof_sample *sm)
{
    const uint32_t *locs = pprof_sample_locs(r->p, sm);
    size_t depth = 0;
    for (size_t j = 0; j < sm->n_locs; j++)
        depth += r->nm->loc_off[locs[j] + 1] - r->nm->loc_off[locs[j]];
    return depth;
}

/* The sample of the first row from *i on that makes a stack (*i its row),
 * with its value, whether it is a base sample and its number of frames
 * (*n); NULL after the last. */
static const pprof_sample *row_next(const stack_rows *r, size_t *i, int64_t *w, bool *is_base, size_t *n)
{
    for (; *i < r->n_rows; ++*i) {
        const pprof_sample *sm = row_sample(r, *i, w, is_base);
        if (sm) {
            *n = row_depth(r, sm);
            return sm;
        }
    }
    return NULL;
}

/* Writes the frames of sm, root first: row_depth names and flags. */
static void row_frames(const stack_rows *r, const pprof_sample *sm, uint32_t *names, uint8_t *flags)
{
    const pprof_nodemap *nm = r->nm;
    const uint32_t *locs = pprof_sample_locs(r->p, sm), *node_name = r->f.node_name;
    size_t n = 0;
    for (size_t j = sm->n_locs; j-- > 0;) {
        uint32_t L = locs[j], lo = nm->loc_off[L], hi = nm->loc_off[L + 1];
        for (uint32_t k = hi; k-- > lo; n++) {
            names[n] = node_name[nm->loc_nodes[k]];
            flags[n] = k != hi - 1 ? PPROF_FRAME_INLINED : 0;
        }
    }
}

int pprof_stacks_build(pprof_stack_set **out, const pprof_profile *p, const pprof_report_options *o,
                       pprof_error *err)
{
    *out = NULL;
    builder b;
    if (builder_start(&b, p, o->sample_index))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    pprof_stack_set *s = b.s;
    stack_rows r;
    int rc = rows_open(&r, p, o, err);
    if (rc) {
        pprof_stack_set_free(s);
        return rc;
    }
    int64_t w;
    bool is_base;
    const pprof_sample *sm;
    for (size_t i = 0, n; !rc && (sm = row_next(&r, &i, &w, &is_base, &n)); i++) {
        /* staged after the frames the stacks own */
        rc = reserve_frames(&b, n);
        if (rc)
            break;
        row_frames(&r, sm, s->frames + s->n_frames, s->frame_flags + s->n_frames);
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
    take_names(s, &r.f);
    rows_close(&r);
    free(b.stack_slots);
    free(b.stack_hash);
    if (rc) {
        pprof_stack_set_free(s);
        return pprof_error_set(err, rc, "building stacks: %s", pprof_strerror(rc));
    }
    *out = s;
    return 0;
}

/* ---------------------------------------------------------------- folded stacks in a trie */

void folded_stacks_release(folded_stacks *fs)
{
    pprof_stack_set_free(fs->names);
    free(fs->node);
    free(fs->kids_off);
    free(fs->kids);
    free(fs->first);
    free(fs->ends);
    memset(fs, 0, sizeof *fs);
}

/* The frames of a row, staged: names and flags, room for cap of each. */
typedef struct staged {
    uint32_t *names;
    uint8_t *flags;
    size_t cap_names, cap_flags;
} staged;

static int stage_row(staged *st, const stack_rows *r, const pprof_sample *sm, size_t n)
{
    if (PPROF_GROW(st->names, st->cap_names, n) || PPROF_GROW(st->flags, st->cap_flags, n))
        return PPROF_ENOMEM;
    row_frames(r, sm, st->names, st->flags);
    return 0;
}

/* The stack of fs ending at trie node `node` whose frames' flags are
 * those staged in row (n frames), made when new (last in its node's
 * list, so a node's stacks stay in the order they came). One node holds
 * more than one stack only when the same names came inlined and not. */
static int find_end(folded_stacks *fs, size_t *cap_ends, const stack_rows *r, const staged *row, staged *other,
                    size_t n, uint32_t node, size_t row_i, folded_end **out)
{
    uint32_t last = 0;
    for (uint32_t i = fs->first[node]; i; i = fs->ends[i - 1].next) {
        folded_end *e = &fs->ends[i - 1];
        if (stage_row(other, r, row_at(r, e->row), n))
            return PPROF_ENOMEM;
        if (memcmp(other->flags, row->flags, n) == 0) {
            *out = e;
            return 0;
        }
        last = i;
    }
    if (fs->n_ends >= UINT32_MAX - 1 || PPROF_GROW(fs->ends, *cap_ends, fs->n_ends + 1))
        return PPROF_ENOMEM;
    *out = &fs->ends[fs->n_ends];
    **out = (folded_end){0, 0, (uint32_t)row_i, 0};
    *(last ? &fs->ends[last - 1].next : &fs->first[node]) = (uint32_t)++fs->n_ends;
    return 0;
}

/* The trie as it grows: an index of its nodes' keys. */
typedef struct path_trie {
    folded_stacks *fs;
    size_t cap_node;
    uint32_t *slots; /* node ids (the root is not in it) */
    size_t mask;
} path_trie;

static uint64_t path_key_hash(const void *ctx, size_t i)
{
    return pprof_hash_u64(((const folded_stacks *)ctx)->node[i]);
}

/* *cur: its child called name, made when new. */
static int path_child(path_trie *t, uint32_t *cur, uint32_t name)
{
    folded_stacks *fs = t->fs;
    uint64_t key = (uint64_t)*cur << 32 | name;
    size_t h = pprof_hash_u64(key) & t->mask;
    for (; t->slots[h]; h = (h + 1) & t->mask)
        if (fs->node[t->slots[h] - 1] == key) {
            *cur = t->slots[h];
            return 0;
        }
    size_t id = fs->n_nodes;
    if (id >= UINT32_MAX)
        return PPROF_ELIMIT;
    if (PPROF_GROW(fs->node, t->cap_node, id))
        return PPROF_ENOMEM;
    fs->node[id - 1] = key;
    fs->n_nodes = id + 1;
    t->slots[h] = (uint32_t)id;
    *cur = (uint32_t)id;
    /* (at most half full) */
    if (id * 2 > t->mask + 1)
        return pprof_slots_rebuild(&t->slots, &t->mask, (t->mask + 1) * 2, id, path_key_hash, fs);
    return 0;
}

/* A first stack (none yet) for each node of the trie made so far. */
static int grow_first(folded_stacks *fs, size_t *cap, size_t *n)
{
    if (PPROF_GROW(fs->first, *cap, fs->n_nodes))
        return PPROF_ENOMEM;
    for (; *n < fs->n_nodes; ++*n)
        fs->first[*n] = 0;
    return 0;
}

int folded_stacks_build(folded_stacks *out, const pprof_profile *p, const pprof_report_options *o,
                        pprof_error *err)
{
    memset(out, 0, sizeof *out);
    builder b;
    if (builder_start(&b, p, o->sample_index))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    out->names = b.s;
    stack_rows r;
    int rc = rows_open(&r, p, o, err);
    if (rc) {
        folded_stacks_release(out);
        return rc;
    }
    path_trie trie = {out, 0, NULL, 0};
    staged row = {0}, other = {0};
    size_t cap_first = 0, cap_ends = 0, n_first = 0;
    out->n_nodes = 1; /* the root */
    rc = r.n_rows > UINT32_MAX ? PPROF_ELIMIT : pprof_slots_rebuild(&trie.slots, &trie.mask, 4096, 0, path_key_hash, out);
    int64_t w;
    bool is_base;
    const pprof_sample *sm;
    for (size_t i = 0, n; !rc && (sm = row_next(&r, &i, &w, &is_base, &n)); i++) {
        uint32_t cur = 0;
        rc = stage_row(&row, &r, sm, n);
        for (size_t k = 0; k < n && !rc; k++)
            rc = path_child(&trie, &cur, row.names[k]);
        if (!rc)
            rc = grow_first(out, &cap_first, &n_first);
        if (rc)
            break;
        folded_end *e;
        rc = find_end(out, &cap_ends, &r, &row, &other, n, cur, i, &e);
        if (rc)
            break;
        /* A base sample was negated by -diff_base; the base value is positive. */
        if (is_base)
            pprof_sat_add(&e->base, pprof_sat_neg(w));
        else
            pprof_sat_add(&e->value, w);
        out->names->has_base |= is_base;
    }
    if (!rc) /* (the root's, when no row made a stack) */
        rc = grow_first(out, &cap_first, &n_first);
    free(row.names);
    free(row.flags);
    free(other.names);
    free(other.flags);
    free(trie.slots);
    take_names(out->names, &r.f);
    rows_close(&r);
    if (rc) {
        folded_stacks_release(out);
        return pprof_error_set(err, rc, "building stacks: %s", pprof_strerror(rc));
    }
    return 0;
}

/* ---------------------------------------------------------------- flame tree without stacks */

/* Whether the values of column si are exact when summed in any grouping
 * and have one sign: then a frame path's magnitude is the sum of its
 * stacks' magnitudes, whichever stacks share it. */
static bool one_signed_column(const pprof_profile *p, int si)
{
    size_t nt = p->n_sample_types;
    bool neg = false, pos = false;
    uint64_t sum = 0;
    for (size_t i = 0; i < p->n_samples; i++) {
        int64_t v = p->values[i * nt + (size_t)si];
        neg |= v < 0;
        pos |= v > 0;
        if (v == INT64_MIN || __builtin_add_overflow(sum, (uint64_t)(v < 0 ? -v : v), &sum))
            return false;
    }
    return !(neg && pos) && sum <= INT64_MAX;
}

/* What a walk over the frames needs: the frames it reads (fr), made as
 * it goes in own, or all made already (the loaded profile's, own NULL). */
typedef struct frame_walk {
    flame_trie *trie;
    const pprof_frames *fr;
    pprof_frames *own;
} frame_walk;

/* loc_frames of location L, made on its first visit. */
static inline int location_frames(const frame_walk *w, uint32_t L, uint32_t *out)
{
    uint32_t c = w->fr->loc_frames[L];
    if (c != PPROF_NONE || !w->own) {
        *out = c;
        return c == PPROF_NONE ? PPROF_EINVAL : 0;
    }
    return pprof_frames_location(w->own, L, out);
}

/* Stage k of fetching what the first visit of location L reads, each
 * stage reading what the one before fetched: 0 its frames and node
 * range, 1 its first node, 2 that node's name and info, 3 the name's
 * string slot, 4 the string. */
static void prefetch_frames(const frame_walk *w, uint32_t L, size_t stage)
{
    const pprof_frames *fr = w->fr;
    const pprof_nodemap *nm = fr->nm;
    if (stage == 0) {
        __builtin_prefetch(&fr->loc_frames[L]);
        __builtin_prefetch(&nm->loc_off[L]);
        return;
    }
    if (fr->loc_frames[L] != PPROF_NONE)
        return;
    const uint32_t *first = &nm->loc_nodes[nm->loc_off[L]];
    if (stage == 1) {
        __builtin_prefetch(first);
        return;
    }
    uint32_t node = *first;
    if (stage == 2) {
        __builtin_prefetch(&fr->node_name[node]);
        __builtin_prefetch(&nm->nodes[node]);
        return;
    }
    pprof_str id = nm->nodes[node].name;
    const pprof_profile *p = nm->profile;
    if (fr->node_name[node] != PPROF_NONE || id >= p->n_strings)
        return;
    if (stage == 3) {
        __builtin_prefetch(&p->strings[id]);
        __builtin_prefetch(&p->string_lens[id]);
    } else {
        __builtin_prefetch(p->strings[id]);
    }
}

/* *cur: the node of location L's frames (outermost first) under *cur. */
static int walk_location(frame_walk *w, uint32_t *cur, uint32_t L)
{
    uint32_t c;
    int rc = location_frames(w, L, &c);
    if (rc || !(c & PPROF_FRAMES_MULTI))
        return rc ? rc : flame_trie_child(w->trie, cur, *cur, c, 0);
    const uint32_t *f = w->fr->multi + (c & ~PPROF_FRAMES_MULTI);
    for (uint32_t i = 0; i < f[0] && !rc; i++)
        rc = flame_trie_child(w->trie, cur, *cur, f[1 + i], i ? PPROF_FRAME_INLINED : 0);
    return rc;
}

/* From the call tree of p's cached index: each of its nodes is walked
 * once, from the trie node of its caller. Its nodes with no value in the
 * column (nor below them) stay out, as the stacks of 0 do. */
static int walk_call_tree(frame_walk *w, const pprof_stack_index *x, int si)
{
    size_t nt = x->n_types;
    uint32_t *at = malloc(x->n_tree * sizeof *at);
    if (!at)
        return PPROF_ENOMEM;
    /* About one node per call-tree node, and some for inlined frames:
     * made room for at once instead of grown (and rehashed) as it goes.
     * (Without the room, the trie grows as it needs.) */
    flame_trie_reserve(w->trie, x->n_tree + x->n_tree / 4 + 1);
    /* and at most a name per node of the call tree and of the node map */
    size_t n_nodes = w->fr->nm->n_nodes;
    if (w->own)
        pprof_frames_reserve_names(w->own, x->n_tree < n_nodes ? x->n_tree : n_nodes);
    /* (Frames made already need only their first stage.) */
    size_t stages = w->own ? 5 : 1;
    int rc = 0;
    for (size_t i = 0; i < x->n_tree && !rc; i++) {
        /* The locations ahead are in no order: what the first visit of
         * one needs (its frames, its first node, that node's name and the
         * name's bytes) is fetched in stages, so it is in when the walk
         * gets there (the lookups in the trie wait on each other, these
         * need not). */
        for (size_t stage = 0; stage < stages; stage++)
            if (i + (5 - stage) * 4 < x->n_tree)
                prefetch_frames(w, x->tree_loc[i + (5 - stage) * 4], stage);
        uint32_t up = x->tree_parent[i];
        if (x->tree_sum[i * nt + (size_t)si] == 0 || (up != PPROF_NONE && at[up] == PPROF_NONE)) {
            at[i] = PPROF_NONE;
            continue;
        }
        uint32_t cur = up == PPROF_NONE ? 0 : at[up];
        rc = walk_location(w, &cur, x->tree_loc[i]);
        at[i] = cur;
        int64_t own = x->tree_own[i * nt + (size_t)si];
        if (!rc && own)
            flame_trie_add(w->trie, cur, own, 0);
    }
    free(at);
    /* Stacks without locations are not in the tree: the root's own. */
    for (size_t k = 0; k < x->n_stacks && !rc; k++)
        if (x->stack_leaf[k] == PPROF_NONE && x->values[k * nt + (size_t)si])
            flame_trie_add(w->trie, 0, x->values[k * nt + (size_t)si], 0);
    return rc;
}

/* A stack being walked, with the lookup of its next frame under way. */
typedef struct lane {
    const uint32_t *locs; /* leaf first */
    uint32_t j;           /* locations left: the next is locs[j - 1] */
    uint32_t left, at;    /* inline frames left in multi, the next at multi[at] */
    uint32_t cur;         /* node of the frames walked */
    uint8_t flags;
    uint64_t key, hash;
    int64_t value;
} lane;

/* Stacks walked at once: a lookup in a big trie waits on memory, so the
 * lookups of several stacks are kept in flight together. */
#define LANES 16

/* Finds l's next frame and starts its lookup; *more false at the end of
 * the stack. */
static int lane_next(frame_walk *w, lane *l, bool *more)
{
    uint32_t name;
    const pprof_frames *fr = w->fr;
    if (l->left) {
        name = fr->multi[l->at++];
        l->left--;
        l->flags = PPROF_FRAME_INLINED;
    } else {
        for (;;) {
            if (l->j == 0) {
                *more = false;
                return 0;
            }
            uint32_t L = l->locs[--l->j];
            if (l->j)
                __builtin_prefetch(&fr->loc_frames[l->locs[l->j - 1]]);
            uint32_t c;
            int rc = location_frames(w, L, &c);
            if (rc)
                return rc;
            if (!(c & PPROF_FRAMES_MULTI)) {
                name = c;
                break;
            }
            /* (read after location_frames: it may have grown multi) */
            const uint32_t *f = fr->multi + (c & ~PPROF_FRAMES_MULTI);
            if (f[0]) {
                name = f[1];
                l->left = f[0] - 1;
                l->at = (c & ~PPROF_FRAMES_MULTI) + 2;
                break;
            }
        }
        l->flags = 0;
    }
    l->key = flame_trie_key(l->cur, name);
    l->hash = pprof_hash_u64(l->key);
    flame_trie_prefetch(w->trie, l->hash);
    *more = true;
    return 0;
}

/* From the samples (or the distinct stacks of an index), root first,
 * LANES stacks at a time. */
static int walk_samples(frame_walk *w, const pprof_profile *p, const pprof_stack_index *x, int si)
{
    size_t nt = p->n_sample_types, rows = x ? x->n_stacks : p->n_samples, r = 0;
    lane lanes[LANES];
    uint8_t busy[LANES] = {0}; /* 0 free, 1 slot fetched, 2 key fetched */
    size_t n_busy = 0;
    int rc = 0;
    do {
        for (size_t i = 0; i < LANES && !rc; i++) {
            lane *l = &lanes[i];
            bool more = false;
            if (busy[i] == 1) {
                /* its slot has come in: fetch the key it points to */
                flame_trie_prefetch_key(w->trie, l->hash);
                busy[i] = 2;
                continue;
            }
            if (busy[i] == 2) {
                rc = flame_trie_find(w->trie, &l->cur, l->key, l->hash, l->flags);
                if (!rc)
                    rc = lane_next(w, l, &more);
                if (rc || more) {
                    busy[i] = 1;
                    continue;
                }
                flame_trie_add(w->trie, l->cur, l->value, 0);
                busy[i] = 0;
                n_busy--;
            }
            /* the next stack of a value into the free lane */
            while (!more && r < rows && !rc) {
                size_t row = r++, s = x ? x->first[row] : row;
                int64_t v = x ? x->values[row * nt + (size_t)si] : p->values[s * nt + (size_t)si];
                if (v == 0)
                    continue;
                const pprof_sample *sm = &p->samples[s];
                *l = (lane){pprof_sample_locs(p, sm), sm->n_locs, 0, 0, 0, 0, 0, 0, v};
                rc = lane_next(w, l, &more);
                if (!rc && !more)
                    flame_trie_add(w->trie, 0, v, 0); /* no frames: the root's own */
            }
            if (more) {
                busy[i] = 1;
                n_busy++;
            }
        }
    } while (n_busy && !rc);
    return rc;
}

int flame_tree_of_profile(pprof_stack_set **names, flame_tree *t, const pprof_profile *p,
                          const pprof_report_options *o, pprof_error *err)
{
    *names = NULL;
    memset(t, 0, sizeof *t);
    size_t nt = p->n_sample_types;
    int si = o->sample_index;
    pprof_str id;
    bool has_base = pprof_profile_find_string(&id, p, "pprof::base", 11) && pprof_profile_find_string(&id, p, "true", 4);
    if (o->mean || has_base || nt == 0 || si < 0 || (size_t)si >= nt || !one_signed_column(p, si))
        return 0;
    builder b;
    if (builder_start(&b, p, si))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    pprof_stack_set *s = b.s;
    /* The loaded profile's index may keep every frame of the default
     * options (a server's), else they are made as the walk meets them,
     * from the index's node identity of those options or a new one. */
    const pprof_frames *fr = pprof_profile_frames(p, &o->graph);
    pprof_frames own_frames;
    pprof_nodemap *nm = NULL;
    int rc = 0;
    if (!fr) {
        rc = pprof_stack_index_nodemap(&nm, p, &o->graph);
        if (!rc && !nm)
            rc = pprof_nodemap_build(&nm, p, &o->graph, err);
        if (rc) {
            pprof_stack_set_free(s);
            return rc == PPROF_ENOMEM ? pprof_error_set(err, rc, "out of memory") : rc;
        }
        rc = frames_init(&own_frames, nm, p, o);
        fr = &own_frames;
    }
    flame_trie trie;
    frame_walk w = {&trie, fr, fr == &own_frames ? &own_frames : NULL};
    if (!rc)
        rc = flame_trie_init(&trie, t, false);
    if (!rc) {
        /* The index may stand for the samples whatever their zeros: a
         * stack or call-tree node of 0 is skipped as a sample of 0 is. */
        const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
        pprof_stack_index *own = NULL;
        if (!pprof_stack_index_describes(x, p))
            x = NULL;
        /* A big profile without one: its distinct stacks are fewer
         * frames to walk than its samples, for less than they save. */
        if (!x && pprof_stack_index_worth_building(p) && pprof_stack_index_build(&own, p) == 0)
            x = own;
        rc = x && x->n_tree ? walk_call_tree(&w, x, si) : walk_samples(&w, p, x, si);
        pprof_stack_index_free(own);
        if (w.own)
            take_names(s, w.own);
        const char *const *text = w.own ? (const char *const *)s->names : (const char *const *)fr->names;
        size_t n_names = w.own ? s->n_names : fr->n_names;
        if (!rc)
            rc = flame_trie_finish(&trie, text, n_names, fr->rank, o->flame.sort_by_weight);
        else
            flame_trie_abort(&trie);
    }
    if (w.own)
        pprof_frames_release(w.own);
    pprof_nodemap_free(nm);
    if (rc) {
        pprof_stack_set_free(s);
        return pprof_error_set(err, rc, "building the flame graph: %s", pprof_strerror(rc));
    }
    s->total = t->nodes[0].value;
    *names = s;
    return 0;
}
