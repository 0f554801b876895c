/* folded_write.c: -folded: collapsed stacks ("root;...;leaf value"), sorted so output is byte-stable. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* Sort items carry their context, since qsort has no context argument. */
typedef struct name_item {
    const char *name;
    uint32_t id;
} name_item;

typedef struct stack_item {
    const uint32_t *frames; /* (here, not looked up per comparison) */
    const uint32_t *rank;   /* sorted position of each name */
    uint32_t n_frames, index;
} stack_item;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(((const name_item *)a)->name, ((const name_item *)b)->name);
}

/* Frame by frame, by name; a path sorts before its extensions. */
static int cmp_stacks(const void *a, const void *b)
{
    const stack_item *x = a, *y = b;
    const uint32_t *fx = x->frames, *fy = y->frames;
    uint32_t n = x->n_frames < y->n_frames ? x->n_frames : y->n_frames;
    for (uint32_t i = 0; i < n; i++)
        if (fx[i] != fy[i])
            return x->rank[fx[i]] < x->rank[fy[i]] ? -1 : 1;
    return x->n_frames < y->n_frames ? -1 : x->n_frames > y->n_frames;
}

/* Writes " " and v in decimal at w; returns the end. */
static char *put_count(char *w, int64_t v)
{
    char buf[24];
    char *end = buf + sizeof buf, *q = end;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    *w++ = ' ';
    memcpy(w, q, (size_t)(end - q));
    return w + (end - q);
}

/* A frame name may not contain the separators of the format: ';' becomes
 * ':' (as the stackcollapse tools do), line breaks become spaces. */
static char *safe_name(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        c[i] = s[i] == ';' ? ':' : (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
    *len = n;
    return c;
}

/* The place of each of s's names in their byte order (malloc'd), or NULL. */
static uint32_t *name_ranks(const pprof_stack_set *s)
{
    name_item *names = malloc((s->n_names ? s->n_names : 1) * sizeof *names);
    uint32_t *rank = malloc((s->n_names ? s->n_names : 1) * sizeof *rank);
    if (names && rank) {
        for (size_t i = 0; i < s->n_names; i++)
            names[i] = (name_item){s->names[i], (uint32_t)i};
        qsort(names, s->n_names, sizeof *names, cmp_names);
        for (size_t i = 0; i < s->n_names; i++)
            rank[names[i].id] = (uint32_t)i;
    } else {
        free(rank);
        rank = NULL;
    }
    free(names);
    return rank;
}

int pprof_write_folded(pprof_buf *out, const pprof_stack_set *s, pprof_error *err)
{
    uint32_t *rank = name_ranks(s);
    stack_item *order = malloc((s->n_stacks ? s->n_stacks : 1) * sizeof *order);
    if (!rank || !order) {
        free(rank);
        free(order);
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->n_stacks; i++)
        order[i] = (stack_item){pprof_stack_frames(s, &s->stacks[i]), rank, s->stacks[i].n_frames, (uint32_t)i};
    qsort(order, s->n_stacks, sizeof *order, cmp_stacks);
    char **safe = calloc(s->n_names ? s->n_names : 1, sizeof *safe);
    size_t *lens = calloc(s->n_names ? s->n_names : 1, sizeof *lens);
    int rc = safe && lens ? 0 : PPROF_ENOMEM;
    for (size_t i = 0; i < s->n_names && !rc; i++)
        if (!(safe[i] = safe_name(s->names[i], &lens[i])))
            rc = PPROF_ENOMEM;
    /* Reserve roughly what the output takes, to avoid regrowing a big buffer. */
    size_t est = 0;
    for (size_t i = 0; i < s->n_stacks && !rc; i++)
        est += (size_t)s->stacks[i].n_frames * 24 + 24;
    if (!rc && pprof_buf_reserve(out, est))
        rc = PPROF_ENOMEM;
    for (size_t i = 0; i < s->n_stacks && !rc; i++) {
        const pprof_stack *st = &s->stacks[order[i].index];
        if (st->value == 0 && st->base == 0)
            continue;
        const uint32_t *f = pprof_stack_frames(s, st);
        /* the line is written in place: its size is known */
        size_t need = sizeof "[no stack]" + 2 * 21 + 2;
        for (uint32_t k = 0; k < st->n_frames; k++)
            need += lens[f[k]] + 1;
        if (pprof_buf_reserve(out, need)) {
            rc = PPROF_ENOMEM;
            break;
        }
        char *w = (char *)out->data + out->len;
        for (uint32_t k = 0; k < st->n_frames; k++) {
            if (k)
                *w++ = ';';
            memcpy(w, safe[f[k]], lens[f[k]]);
            w += lens[f[k]];
        }
        if (st->n_frames == 0) {
            memcpy(w, "[no stack]", 10);
            w += 10;
        }
        /* Two columns (before, after) for a differential set, as difffolded.pl writes. */
        if (s->has_base)
            w = put_count(w, st->base);
        w = put_count(w, st->value);
        *w++ = '\n';
        *w = 0;
        out->len = (size_t)((uint8_t *)w - out->data);
    }
    for (size_t i = 0; safe && i < s->n_names; i++)
        free(safe[i]);
    free(safe);
    free(lens);
    free(rank);
    free(order);
    return rc || out->failed ? pprof_error_set(err, PPROF_ENOMEM, "out of memory") : 0;
}

/* Appends the frame name s made safe as safe_name makes it. */
static int put_safe(pprof_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (pprof_buf_reserve(b, n))
        return PPROF_ENOMEM;
    char *w = (char *)b->data + b->len;
    for (size_t i = 0; i < n; i++)
        w[i] = s[i] == ';' ? ':' : (s[i] == '\n' || s[i] == '\r') ? ' ' : s[i];
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

/* The lines of the stacks ending at node, its path's text in path. */
static int put_stacks(pprof_buf *out, const folded_stacks *fs, uint32_t node, const pprof_buf *path)
{
    for (uint32_t i = fs->first[node]; i; i = fs->ends[i - 1].next) {
        const folded_end *e = &fs->ends[i - 1];
        if (e->value == 0 && e->base == 0)
            continue;
        if (pprof_buf_reserve(out, path->len + sizeof "[no stack]" + 2 * 21 + 2))
            return PPROF_ENOMEM;
        char *w = (char *)out->data + out->len;
        if (node == 0) {
            memcpy(w, "[no stack]", 10);
            w += 10;
        } else {
            memcpy(w, path->data, path->len);
            w += path->len;
        }
        if (fs->names->has_base)
            w = put_count(w, e->base);
        w = put_count(w, e->value);
        *w++ = '\n';
        *w = 0;
        out->len = (size_t)((uint8_t *)w - out->data);
    }
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Fills fs's kids: each node's children, by the byte order of their names. */
static int order_kids(folded_stacks *fs)
{
    size_t n = fs->n_nodes;
    uint32_t *rank = name_ranks(fs->names);
    uint32_t *off = fs->kids_off = calloc(n + 2, sizeof *off);
    uint32_t *kids = fs->kids = malloc((n > 1 ? n - 1 : 1) * sizeof *kids);
    if (!rank || !off || !kids) {
        free(rank);
        return PPROF_ENOMEM;
    }
    /* Counted in off[parent + 2], summed, then placed with off[parent + 1]
     * as the cursor: it ends at the next node's start. */
    for (size_t i = 1; i < n; i++)
        off[(fs->node[i - 1] >> 32) + 2]++;
    for (size_t i = 2; i < n + 2; i++)
        off[i] += off[i - 1];
    for (size_t i = 1; i < n; i++)
        kids[off[(fs->node[i - 1] >> 32) + 1]++] = (uint32_t)i;
    /* Siblings have distinct names: sorted by rank << 32 | node. */
    uint64_t *keys = NULL;
    size_t cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t *k = kids + off[i], nk = off[i + 1] - off[i];
        if (nk < 2)
            continue;
        if (PPROF_GROW(keys, cap, nk)) {
            rc = PPROF_ENOMEM;
            break;
        }
        for (uint32_t j = 0; j < nk; j++)
            keys[j] = (uint64_t)rank[(uint32_t)fs->node[k[j] - 1]] << 32 | k[j];
        qsort(keys, nk, sizeof *keys, cmp_u64);
        for (uint32_t j = 0; j < nk; j++)
            k[j] = (uint32_t)keys[j];
    }
    free(keys);
    free(rank);
    return rc;
}

/* The same lines as pprof_write_folded of pprof_stacks_build's set, from
 * the trie: a walk of it in order is the set's sort, and each line's text
 * is its parent's path and one name, so frames are neither stored per
 * stack nor copied per line from their names. */
int pprof_write_folded_profile(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               pprof_error *err)
{
    folded_stacks fs;
    int rc = folded_stacks_build(&fs, p, o, err);
    if (rc)
        return rc;
    const char *const *names = (const char *const *)fs.names->names;
    /* The walk: the node at each depth, the next of its children, and
     * the length of the path's text before it. */
    uint32_t *at = NULL, *next = NULL;
    size_t *len = NULL, cap_at = 0, cap_next = 0, cap_len = 0, d = 0;
    pprof_buf path = {0};
    if (order_kids(&fs) || PPROF_GROW(at, cap_at, 1) || PPROF_GROW(next, cap_next, 1) || PPROF_GROW(len, cap_len, 1))
        rc = PPROF_ENOMEM;
    if (!rc) {
        at[0] = next[0] = 0;
        len[0] = 0;
        rc = put_stacks(out, &fs, 0, &path);
    }
    while (!rc) {
        uint32_t v = at[d];
        if (next[d] == fs.kids_off[v + 1] - fs.kids_off[v]) {
            if (d-- == 0)
                break;
            path.len = len[d + 1];
            continue;
        }
        uint32_t c = fs.kids[fs.kids_off[v] + next[d]++];
        if (PPROF_GROW(at, cap_at, d + 2) || PPROF_GROW(next, cap_next, d + 2) || PPROF_GROW(len, cap_len, d + 2)) {
            rc = PPROF_ENOMEM;
            break;
        }
        d++;
        at[d] = c;
        next[d] = 0;
        len[d] = path.len;
        if ((d > 1 && pprof_buf_append(&path, ";", 1)) || put_safe(&path, names[(uint32_t)fs.node[c - 1]]))
            rc = PPROF_ENOMEM;
        else
            rc = put_stacks(out, &fs, c, &path);
    }
    free(at);
    free(next);
    free(len);
    pprof_buf_release(&path);
    folded_stacks_release(&fs);
    return rc || out->failed ? pprof_error_set(err, PPROF_ENOMEM, "out of memory") : 0;
}
