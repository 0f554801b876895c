/* flame_layout.c: builds the frame trie of a stack set and lays it out in rows for the flame-graph SVG. */
#include "flame_layout.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int64_t magnitude(int64_t v)
{
    return v >= 0 ? v : v == INT64_MIN ? INT64_MAX : -v;
}

/* Saturates instead of wrapping: a clipped total is wrong, a negative one
 * would break every width. */
static void add_sat(int64_t *a, int64_t b)
{
    if (__builtin_add_overflow(*a, b, a))
        *a = INT64_MAX;
}

/* qsort has no context argument, so the keys travel with the items. A
 * name's first 8 bytes ride along as a big-endian number (zero-padded):
 * most comparisons end there, without reading the string (a profile may
 * have hundreds of thousands of names, scattered in memory). */
typedef struct kid_key {
    int64_t weight;  /* negated value, or 0 when ordering by name */
    uint64_t prefix; /* of the name */
    const char *name;
    uint32_t id;     /* of the name */
    uint32_t node;
} kid_key;

static int cmp_kids(const void *a, const void *b)
{
    const kid_key *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    int c = pprof_name_cmp(x->prefix, x->name, y->prefix, y->name);
    return c ? c : x->id < y->id ? -1 : x->id > y->id;
}


/* Each node's children, ordered by name (bytes), or by weight (heaviest
 * first) then name: siblings have distinct names, so the order is the
 * same however the trie was grown. Only siblings are compared: most nodes
 * have one child or none, so this is far less than sorting every name. */
static int order_kids(flame_tree *t, const uint32_t *rank, bool by_weight)
{
    const char *const *names = t->names;
    size_t n = t->n_nodes;
    uint32_t *count = calloc(n, sizeof *count);
    t->kids = malloc((n > 1 ? n - 1 : 1) * sizeof *t->kids);
    if (!count || !t->kids) {
        free(count);
        return PPROF_ENOMEM;
    }
    for (size_t i = 1; i < n; i++)
        count[t->nodes[i].parent]++;
    uint32_t off = 0, most = 0;
    for (size_t i = 0; i < n; i++) {
        t->nodes[i].kids_off = off;
        off += count[i];
        most = count[i] > most ? count[i] : most;
        count[i] = 0;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t p = t->nodes[i].parent;
        t->kids[t->nodes[p].kids_off + count[p]++] = (uint32_t)i;
    }
    free(count);
    kid_key *keys = malloc((most ? most : 1) * sizeof *keys);
    if (!keys)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t nk = flame_n_kids(t, (uint32_t)i);
        if (nk < 2)
            continue;
        uint32_t *k = t->kids + t->nodes[i].kids_off;
        for (uint32_t j = 0; j < nk; j++) {
            const flame_node *c = &t->nodes[k[j]];
            keys[j].weight = by_weight ? -c->value : 0;
            /* With the names' ranks, the rank stands for the name (in a
             * prefix that ends the name: no string is read). */
            keys[j].name = rank ? "" : names[c->name] ? names[c->name] : "";
            keys[j].prefix = rank ? (uint64_t)rank[c->name] << 8 : pprof_name_prefix(keys[j].name);
            keys[j].id = c->name;
            keys[j].node = k[j];
        }
        qsort(keys, nk, sizeof *keys, cmp_kids);
        for (uint32_t j = 0; j < nk; j++)
            k[j] = keys[j].node;
    }
    free(keys);
    return 0;
}

/* ---------------------------------------------------------------- the trie */

static uint64_t trie_key_hash(const void *ctx, size_t i)
{
    return pprof_hash_u64(((const flame_trie *)ctx)->key[i]);
}

int flame_trie_init(flame_trie *b, flame_tree *out, bool with_base)
{
    memset(b, 0, sizeof *b);
    memset(out, 0, sizeof *out);
    b->t = out;
    if (PPROF_GROW(out->nodes, b->cap_nodes, 1024) ||
        (with_base && PPROF_GROW(out->base_self, b->cap_base, 1024)) ||
        pprof_slots_rebuild(&b->slots, &b->mask, 2048, 0, trie_key_hash, b)) {
        flame_trie_abort(b);
        return PPROF_ENOMEM;
    }
    out->nodes[0] = (flame_node){0, FLAME_ROOT_NAME, 0, 0, 0};
    if (with_base)
        out->base_self[0] = 0;
    out->n_nodes = 1;
    return 0;
}

int flame_trie_reserve(flame_trie *b, size_t n)
{
    flame_tree *t = b->t;
    if (n <= t->n_nodes || n >= UINT32_MAX)
        return 0;
    if (PPROF_GROW(t->nodes, b->cap_nodes, n) || PPROF_GROW(b->key, b->cap_key, n) ||
        (t->base_self && PPROF_GROW(t->base_self, b->cap_base, n)))
        return PPROF_ENOMEM;
    /* The index at most half full, as flame_trie_find keeps it. */
    size_t slots = b->mask + 1;
    while (slots < n * 2)
        slots *= 2;
    if (slots > b->mask + 1)
        return pprof_slots_rebuild(&b->slots, &b->mask, slots, t->n_nodes - 1, trie_key_hash, b);
    return 0;
}

/* Lookups compare keys in their own dense array (entry i is node i + 1:
 * the root is not in the index), not in the nodes: on big tries the
 * memory touched per frame is what costs. */
int flame_trie_find(flame_trie *b, uint32_t *node, uint64_t key, uint64_t hash, uint8_t flags)
{
    flame_tree *t = b->t;
    size_t h = hash & b->mask;
    for (; b->slots[h]; h = (h + 1) & b->mask) {
        uint32_t c = b->slots[h];
        if (b->key[c - 1] == key) {
            if (flags)
                t->nodes[c].flags |= flags;
            *node = c;
            return 0;
        }
    }
    size_t n = t->n_nodes;
    if (n >= UINT32_MAX)
        return PPROF_ELIMIT;
    if (PPROF_GROW(t->nodes, b->cap_nodes, n + 1) || PPROF_GROW(b->key, b->cap_key, n) ||
        (t->base_self && PPROF_GROW(t->base_self, b->cap_base, n + 1)))
        return PPROF_ENOMEM;
    t->nodes[n] = (flame_node){0, (uint32_t)key, (uint32_t)(key >> 32), 0, flags};
    if (t->base_self)
        t->base_self[n] = 0;
    b->key[n - 1] = key;
    t->n_nodes = n + 1;
    b->slots[h] = (uint32_t)n;
    *node = (uint32_t)n;
    if (n * 2 > b->mask + 1 && pprof_slots_rebuild(&b->slots, &b->mask, (b->mask + 1) * 2, n, trie_key_hash, b))
        return PPROF_ENOMEM;
    return 0;
}

int flame_trie_child(flame_trie *b, uint32_t *node, uint32_t parent, uint32_t name, uint8_t flags)
{
    uint64_t k = flame_trie_key(parent, name);
    return flame_trie_find(b, node, k, pprof_hash_u64(k), flags);
}

void flame_trie_add(flame_trie *b, uint32_t node, int64_t value, int64_t base)
{
    /* value holds the node's own value until flame_trie_finish. */
    add_sat(&b->t->nodes[node].value, magnitude(value));
    if (b->t->base_self)
        add_sat(&b->t->base_self[node], magnitude(base));
}

void flame_trie_abort(flame_trie *b)
{
    free(b->slots);
    free(b->key);
    if (b->t)
        flame_tree_release(b->t);
    memset(b, 0, sizeof *b);
}

int flame_trie_finish(flame_trie *b, const char *const *names, size_t n_names, const uint32_t *rank,
                      bool sort_by_weight)
{
    flame_tree *t = b->t;
    t->names = names;
    t->n_names = n_names;
    free(b->slots);
    free(b->key);
    b->slots = NULL;
    b->key = NULL;
    /* Parents come before their children, so one backward pass sums the
     * subtrees. */
    for (size_t i = t->n_nodes; i-- > 1;)
        add_sat(&t->nodes[t->nodes[i].parent].value, t->nodes[i].value);
    int rc = 0;
    if (t->base_self) {
        t->base = malloc(t->n_nodes * sizeof *t->base);
        if (!t->base)
            rc = PPROF_ENOMEM;
        else
            memcpy(t->base, t->base_self, t->n_nodes * sizeof *t->base);
        for (size_t i = t->n_nodes; i-- > 1 && !rc;)
            add_sat(&t->base[t->nodes[i].parent], t->base[i]);
    }
    if (!rc)
        rc = order_kids(t, rank, sort_by_weight);
    if (rc)
        flame_trie_abort(b);
    memset(b, 0, sizeof *b);
    return rc;
}

/* Checks every stack against the set before any of it is trusted. */
static int check_set(const pprof_stack_set *s, pprof_error *err)
{
    if (s->n_names >= UINT32_MAX || s->n_frames >= UINT32_MAX - 1 || s->n_stacks >= UINT32_MAX)
        return pprof_error_set(err, PPROF_ELIMIT, "flame graph: %zu frame names, %zu frames", s->n_names,
                               s->n_frames);
    for (size_t i = 0; i < s->n_stacks; i++) {
        const pprof_stack *st = &s->stacks[i];
        if (st->frames_off > s->n_frames || st->n_frames > s->n_frames - st->frames_off)
            return pprof_error_set(err, PPROF_EINVAL, "flame graph: stack %zu: frames out of range", i);
        const uint32_t *f = pprof_stack_frames(s, st);
        for (uint32_t j = 0; j < st->n_frames; j++)
            if (f[j] >= s->n_names || !s->names[f[j]])
                return pprof_error_set(err, PPROF_EINVAL, "flame graph: stack %zu: frame %u: bad name id %u", i,
                                       j, f[j]);
    }
    return 0;
}

int flame_tree_build(flame_tree *out, const pprof_stack_set *s, bool sort_by_weight, pprof_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_set(s, err);
    if (rc)
        return rc;
    flame_trie b;
    rc = flame_trie_init(&b, out, s->has_base);
    for (size_t i = 0; i < s->n_stacks && !rc; i++) {
        const pprof_stack *st = &s->stacks[i];
        if (st->value == 0 && (!s->has_base || st->base == 0))
            continue;
        const uint32_t *f = pprof_stack_frames(s, st);
        const uint8_t *fl = s->frame_flags ? s->frame_flags + st->frames_off : NULL;
        uint32_t cur = 0;
        for (uint32_t j = 0; j < st->n_frames && !rc; j++)
            rc = flame_trie_child(&b, &cur, cur, f[j], fl ? fl[j] : 0);
        if (!rc)
            flame_trie_add(&b, cur, st->value, s->has_base ? st->base : 0);
    }
    if (!rc)
        rc = flame_trie_finish(&b, (const char *const *)s->names, s->n_names, NULL, sort_by_weight);
    else if (b.t)
        flame_trie_abort(&b);
    if (rc)
        return pprof_error_set(err, rc, rc == PPROF_ELIMIT ? "flame graph: too many frames" : "flame graph: out of memory");
    return 0;
}

void flame_tree_release(flame_tree *t)
{
    free(t->nodes);
    free(t->kids);
    free(t->base);
    free(t->base_self);
    memset(t, 0, sizeof *t);
}

static int push_item(flame_layout *l, size_t *cap, const flame_item *it)
{
    if (PPROF_GROW(l->items, *cap, l->n_items + 1))
        return PPROF_ENOMEM;
    l->items[l->n_items++] = *it;
    return 0;
}

/* Stable counting sort into rows; GONE markers after the rest of a row. */
static int sort_rows(flame_layout *l)
{
    uint32_t rows = 0;
    for (size_t i = 0; i < l->n_items; i++)
        if (l->items[i].depth + 1 > rows)
            rows = l->items[i].depth + 1;
    size_t nb = (size_t)rows * 2;
    size_t *at = calloc(nb + 1, sizeof *at);
    flame_item *sorted = malloc((l->n_items ? l->n_items : 1) * sizeof *sorted);
    l->row_off = malloc(((size_t)rows + 1) * sizeof *l->row_off);
    if (!at || !sorted || !l->row_off) {
        free(at);
        free(sorted);
        return PPROF_ENOMEM;
    }
    for (size_t i = 0; i < l->n_items; i++)
        at[(size_t)l->items[i].depth * 2 + (l->items[i].kind == FLAME_GONE) + 1]++;
    for (size_t k = 0; k < nb; k++)
        at[k + 1] += at[k];
    for (uint32_t r = 0; r <= rows; r++)
        l->row_off[r] = at[(size_t)r * 2];
    for (size_t i = 0; i < l->n_items; i++)
        sorted[at[(size_t)l->items[i].depth * 2 + (l->items[i].kind == FLAME_GONE)]++] = l->items[i];
    free(at);
    free(l->items);
    l->items = sorted;
    l->n_rows = rows;
    return 0;
}

static int64_t base_of(const flame_tree *t, uint32_t n)
{
    return t->base ? t->base[n] : 0;
}

/* The children of node n narrower than min_value, summed, placed right of
 * the kept ones. */
static flame_item elided_of(const flame_tree *t, uint32_t n, uint32_t depth, int64_t x, double min_value)
{
    flame_item it = {x, 0, 0, n, depth + 1, 0, FLAME_ELIDED};
    const uint32_t *k = t->kids + t->nodes[n].kids_off;
    uint32_t nk = flame_n_kids(t, n);
    for (uint32_t j = 0; j < nk; j++) {
        const flame_node *c = &t->nodes[k[j]];
        if (c->value == 0)
            continue;
        if ((double)c->value < min_value) {
            it.count++;
            add_sat(&it.w, c->value);
            add_sat(&it.base, base_of(t, k[j]));
        } else {
            add_sat(&it.x, c->value);
        }
    }
    return it;
}

/* A pending node, or (stub) the ELIDED item of one, with its x. */
typedef struct pending {
    int64_t x;
    uint32_t node;
    uint32_t depth : 31;
    uint32_t stub : 1;
} pending;

int flame_layout_build(flame_layout *out, const flame_tree *t, double min_value, pprof_error *err)
{
    memset(out, 0, sizeof *out);
    if (t->n_nodes >= UINT32_C(1) << 31) /* depths fit in 31 bits */
        return pprof_error_set(err, PPROF_ELIMIT, "flame graph layout: %zu frames", t->n_nodes);
    size_t cap = 0, sp = 0;
    /* Each node leaves at most its kept children and one stub; only the
     * part in use is ever touched. */
    pending *stack = malloc(t->n_nodes * 2 * sizeof *stack);
    int rc = stack ? 0 : PPROF_ENOMEM;
    if (!rc)
        stack[sp++] = (pending){0, 0, 0, 0};
    while (sp && !rc) {
        pending e = stack[--sp];
        if (e.stub) {
            /* Popped after the node's subtree, so the stub follows its
             * kept siblings in the row. */
            flame_item it = elided_of(t, e.node, e.depth, e.x, min_value);
            rc = push_item(out, &cap, &it);
            continue;
        }
        const flame_node *p = &t->nodes[e.node];
        flame_item it = {e.x, p->value, base_of(t, e.node), e.node, e.depth, 0, FLAME_FRAME};
        rc = push_item(out, &cap, &it);
        int64_t end = e.x;
        add_sat(&end, p->value); /* a saturated total: x stays in range */
        flame_item gone = {end, 0, 0, e.node, e.depth + 1, 0, FLAME_GONE};
        bool elided = false;
        int64_t cursor = e.x;
        const uint32_t *k = t->kids ? t->kids + p->kids_off : NULL;
        uint32_t nk = flame_n_kids(t, e.node);
        size_t first = sp;
        for (uint32_t j = 0; j < nk && !rc; j++) {
            const flame_node *c = &t->nodes[k[j]];
            if (c->value == 0) {
                gone.count++;
                add_sat(&gone.base, base_of(t, k[j]));
            } else if ((double)c->value < min_value) {
                elided = true;
            } else {
                stack[sp++] = (pending){cursor, k[j], e.depth + 1, 0};
                add_sat(&cursor, c->value);
            }
        }
        /* Reversed so the leftmost child pops first: rows come out in x order. */
        for (size_t a = first, b = sp; a + 1 < b; a++, b--) {
            pending tmp = stack[a];
            stack[a] = stack[b - 1];
            stack[b - 1] = tmp;
        }
        if (elided) {
            memmove(stack + first + 1, stack + first, (sp - first) * sizeof *stack);
            stack[first] = (pending){e.x, e.node, e.depth, 1};
            sp++;
        }
        if (!rc && gone.count)
            rc = push_item(out, &cap, &gone);
    }
    free(stack);
    if (!rc)
        rc = sort_rows(out);
    if (rc) {
        flame_layout_release(out);
        return pprof_error_set(err, rc, "flame graph layout: out of memory");
    }
    return 0;
}

void flame_layout_release(flame_layout *l)
{
    free(l->items);
    free(l->row_off);
    memset(l, 0, sizeof *l);
}
