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

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* qsort has no context argument, so the keys travel with the items. */
typedef struct kid_key {
    int64_t weight; /* negated value */
    uint32_t rank;  /* of the name */
    uint32_t node;
} kid_key;

static int cmp_kids(const void *a, const void *b)
{
    const kid_key *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

typedef struct name_key {
    const char *s;
    uint32_t id;
} name_key;

static int cmp_names(const void *a, const void *b)
{
    const name_key *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

/* A stack to sort, by the ranks of its frames. */
typedef struct stack_key {
    uint64_t head;        /* ranks + 1 of the first in_head frames (0: none), packed */
    const uint32_t *frames;
    const uint32_t *rank; /* of every name */
    uint32_t n;
    uint32_t index;
    uint32_t in_head;     /* frames the head decides */
    uint32_t common;      /* after sorting: frames shared with the previous stack */
} stack_key;

static int cmp_stacks(const void *a, const void *b)
{
    const stack_key *x = a, *y = b;
    if (x->head != y->head)
        return x->head < y->head ? -1 : 1;
    uint32_t n = x->n < y->n ? x->n : y->n;
    for (uint32_t i = x->in_head; i < n; i++)
        if (x->frames[i] != y->frames[i])
            return x->rank[x->frames[i]] < x->rank[y->frames[i]] ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Children lists, in creation order (which is name order), then by
 * weight when asked. */
static int order_kids(flame_tree *t, const uint32_t *rank, bool by_weight)
{
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
    if (!by_weight)
        return 0;
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
            keys[j].weight = -c->value;
            keys[j].rank = rank[c->name];
            keys[j].node = k[j];
        }
        qsort(keys, nk, sizeof *keys, cmp_kids);
        for (uint32_t j = 0; j < nk; j++)
            k[j] = keys[j].node;
    }
    free(keys);
    return 0;
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

/* The names sorted by bytes: rank[id] is the position of name id. */
static uint32_t *rank_names(const pprof_stack_set *s)
{
    name_key *nk = malloc((s->n_names ? s->n_names : 1) * sizeof *nk);
    uint32_t *rank = malloc((s->n_names ? s->n_names : 1) * sizeof *rank);
    if (!nk || !rank) {
        free(nk);
        free(rank);
        return NULL;
    }
    for (size_t i = 0; i < s->n_names; i++) {
        nk[i].s = s->names[i] ? s->names[i] : "";
        nk[i].id = (uint32_t)i;
    }
    qsort(nk, s->n_names, sizeof *nk, cmp_names);
    for (size_t i = 0; i < s->n_names; i++)
        rank[nk[i].id] = (uint32_t)i;
    free(nk);
    return rank;
}

static uint32_t common_prefix(const pprof_stack_set *s, const pprof_stack *a, const pprof_stack *b)
{
    if (!a)
        return 0;
    const uint32_t *fa = pprof_stack_frames(s, a), *fb = pprof_stack_frames(s, b);
    uint32_t n = a->n_frames < b->n_frames ? a->n_frames : b->n_frames, i = 0;
    while (i < n && fa[i] == fb[i])
        i++;
    return i;
}

/* Sorted by the ranks of their frames, stacks sharing a prefix are
 * adjacent: the trie grows in one pass without any lookup (a frame past
 * the prefix shared with the previous stack is always new), nodes come out
 * in preorder and every node's children in name order. */
int flame_tree_build(flame_tree *out, const pprof_stack_set *s, bool sort_by_weight, pprof_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_set(s, err);
    if (rc)
        return rc;
    uint32_t *rank = rank_names(s);
    stack_key *order = malloc((s->n_stacks ? s->n_stacks : 1) * sizeof *order);
    uint32_t *path = malloc((s->n_frames ? s->n_frames : 1) * sizeof *path);
    size_t n_order = 0;
    if (!rank || !order || !path) {
        rc = PPROF_ENOMEM;
        goto done;
    }
    /* Most comparisons end within the first frames: pack as many ranks
     * into one integer as fit (4 frames for up to 65534 names). */
    uint32_t bits = 1;
    while (bits < 32 && ((uint64_t)1 << bits) < (uint64_t)s->n_names + 1)
        bits++;
    uint32_t in_head = 64 / bits;
    int64_t g = 0;
    for (size_t i = 0; i < s->n_stacks; i++) {
        const pprof_stack *st = &s->stacks[i];
        int64_t v = magnitude(st->value);
        if (v == 0 && (!s->has_base || st->base == 0))
            continue;
        g = gcd64(g, v);
        const uint32_t *f = pprof_stack_frames(s, st);
        uint64_t head = 0;
        for (uint32_t j = 0; j < in_head; j++)
            head = head << bits | (j < st->n_frames ? rank[f[j]] + 1 : 0);
        order[n_order++] = (stack_key){head, f, rank, st->n_frames, (uint32_t)i, in_head, 0};
    }
    qsort(order, n_order, sizeof *order, cmp_stacks);
    /* Counted first, so the nodes are allocated once and exactly (first
     * touches of fresh memory dominate the cost of a big trie). */
    size_t n_nodes = 1;
    for (size_t i = n_order; i-- > 0;) {
        uint32_t c = common_prefix(s, i ? &s->stacks[order[i - 1].index] : NULL, &s->stacks[order[i].index]);
        order[i].common = c;
        n_nodes += order[i].n - c;
    }
    out->nodes = malloc(n_nodes * sizeof *out->nodes);
    if (s->has_base) {
        out->base = calloc(n_nodes, sizeof *out->base);
        out->base_self = calloc(n_nodes, sizeof *out->base_self);
    }
    if (!out->nodes || (s->has_base && (!out->base || !out->base_self))) {
        rc = PPROF_ENOMEM;
        goto done;
    }
    memset(&out->nodes[0], 0, sizeof out->nodes[0]);
    out->nodes[0].name = FLAME_ROOT_NAME;
    out->n_nodes = 1;
    for (size_t i = 0; i < n_order; i++) {
        const pprof_stack *st = &s->stacks[order[i].index];
        const uint32_t *f = pprof_stack_frames(s, st);
        const uint8_t *fl = s->frame_flags ? s->frame_flags + st->frames_off : NULL;
        uint32_t common = order[i].common, cur = common ? path[common - 1] : 0;
        for (uint32_t j = 0; fl && j < common; j++)
            out->nodes[path[j]].flags |= fl[j];
        for (uint32_t j = common; j < st->n_frames; j++) {
            out->nodes[out->n_nodes] = (flame_node){0, f[j], cur, 0, fl ? fl[j] : 0};
            cur = path[j] = (uint32_t)out->n_nodes++;
        }
        /* value holds self until the subtrees are summed below. */
        add_sat(&out->nodes[cur].value, magnitude(st->value));
        if (out->base_self)
            add_sat(&out->base_self[cur], magnitude(st->base));
    }
    /* Preorder: every child comes after its parent, so one backward pass
     * sums the subtrees. */
    for (size_t i = out->n_nodes; i-- > 1;)
        add_sat(&out->nodes[out->nodes[i].parent].value, out->nodes[i].value);
    if (out->base) {
        memcpy(out->base, out->base_self, out->n_nodes * sizeof *out->base);
        for (size_t i = out->n_nodes; i-- > 1;)
            add_sat(&out->base[out->nodes[i].parent], out->base[i]);
    }
    out->gcd = g ? g : 1;
    rc = order_kids(out, rank, sort_by_weight);
done:
    free(rank);
    free(order);
    free(path);
    if (rc) {
        flame_tree_release(out);
        return pprof_error_set(err, rc, "flame graph: out of memory");
    }
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
