/* graph_tags.c: the tags of visual graph nodes (pprof's nodelets): per node, the weight of each set of string labels and of each numeric label value. */
#include "graph_private.h"

#include <stdlib.h>

typedef struct tag_rec {
    uint32_t node, set, name, unit; /* string ids; a label tag's name is its set */
    uint32_t next;                  /* next tag of the same node, or PPROF_NONE */
    int64_t value;
    bool numeric;
} tag_rec;

/* A numeric label of the current sample. */
typedef struct num_label {
    uint32_t name, unit;
    int64_t value;
} num_label;

/* A "key:value" piece of the current sample's label set, in scratch. */
typedef struct piece {
    size_t off, len;
    const char *s;
} piece;

/* A label set by ids: its pairs, its text once made. */
typedef struct id_set {
    uint32_t off, n; /* pairs[2 * off ..], n pairs */
    uint32_t str;    /* interned joined text, PPROF_NONE until made */
    uint64_t hash;
} id_set;

struct graph_tags {
    const pprof_profile *p;
    graph_scratch *work; /* the builder's scratch, for the tables per node, sample and string */
    const uint32_t *rows; /* the samples that may be fed (gb.tag_rows) */
    size_t n_rows;
    int si;
    bool mean;
    const char *unit;
    pprof_str bytes_key, base_key; /* "bytes" and "pprof::base", PPROF_NONE if absent */
    const char *bytes_unit;
    size_t n_work;
    uint32_t *head; /* per working node: its first tag */
    tag_rec *tags;
    size_t n_tags, cap_tags;
    /* each tag's sums, by tag (apart from the records: a sample adds to
     * many tags, and these stay in cache) */
    int64_t *flat, *cum, *flat_div, *cum_div;
    size_t cap_flat, cap_cum, cap_flat_div, cap_cum_div;
    uint32_t *slots; /* hash of (node, set, name, numeric) -> tag + 1 */
    size_t mask;
    /* interned strings; id 0 is "" */
    char **strs;
    size_t *lens;
    size_t n_strs, cap_strs, cap_lens;
    uint32_t *str_slots;
    size_t str_mask;
    /* the current sample */
    uint32_t set;
    bool set_tag; /* whether its label set makes a tag (not pruned) */
    int64_t w, dw;
    num_label *nums;
    size_t n_nums, cap_nums;
    piece *pieces;
    size_t cap_pieces;
    pprof_buf scratch, joined;
    bool overflow;
    /* "bytes" values repeat: their tag names (interned) in a small
     * direct-mapped cache, and their unit interned once */
    struct num_name {
        int64_t value;
        uint32_t name; /* PPROF_NONE: empty */
    } num_names[256];
    uint32_t bytes_unit_id;
    /* Pruning (graph_tags_weigh, graph_tags_prune): per interned string, the
     * sum of |weight| of the samples whose label set (or numeric tag name)
     * it is. A tag's flat and cum can never exceed that sum, so a set or
     * name whose sum is under the cutoff makes no tag that survives: with
     * one span id per sample, that is nearly all of them. (Sets by ids
     * are weighed in buckets instead: bucket_w below.) */
    int64_t *set_w, *num_w;
    uint32_t *sample_set; /* per sample, its set as the first pass found it (sets by text) */
    size_t cur;           /* the sample graph_tags_sample took last */
    size_t cap_set_w, cap_num_w;
    int64_t cutoff;
    bool pruning;
    /* graph_tags_bound: per sample, whether one of its label values
     * weighs under the cutoff summed over all the samples carrying it
     * (under any key); its set is lighter still, so the sample is left out
     * before its set is even looked up: with a span id per sample, nearly
     * all of them are. */
    uint8_t *light;
    uint8_t *str_flags; /* per string: STR_* (0: not read yet) */
    bool newline;       /* whether a string of the profile holds '\n' */
    /* Label sets by their (key, value) string ids, when that identifies
     * them as their joined text does (by_ids: no key holds ':' or '\n' and
     * no value '\n', so the text splits back into the same pairs): a
     * sample's set is found without reading its strings, and its text is
     * made only for the sets that make tags. ids[0] is the empty set. */
    bool by_ids, ids_ready; /* (ids_init runs before the first set is looked up) */
    uint32_t *pairs; /* the sets' sorted (key, value) pairs, then the current sample's */
    size_t n_pairs, cap_pairs;
    id_set *ids;
    size_t n_ids, cap_ids;
    uint32_t *id_slots; /* hash of pairs -> set + 1 */
    size_t id_mask;
    /* the current sample's set: its pairs after the sets' (cur_np of them,
     * hash cur_hash), looked up into cur_id (PPROF_NONE until a tag needs
     * it, 0: empty) */
    uint32_t cur_id;
    size_t cur_np;
    uint64_t cur_hash;
    /* The weighing by ids: per bucket of set hashes, the sum of |weight|
     * of the samples whose set falls in it. Sets sharing a bucket share a
     * bound, which can only keep more of them; a set itself is stored only
     * when a tag needs it (with one span id per sample, their pairs were
     * most of a tagged graph's memory). */
    int64_t *bucket_w;
    size_t bucket_mask;
    /* Tag look-up without hashing per node: each tag key (set, name,
     * numeric) a sample carries gets a dense id once per sample (key_of),
     * and the tag of (key k, wanted node i) is dense[k * n_wanted + i] + 1
     * (0: none yet). Keys past DENSE_MAX entries are looked up in the hash
     * (slots) as before; every tag is in the hash either way. */
    uint32_t *wanted_at;   /* per working node: its index among the wanted, or PPROF_NONE */
    uint32_t *wanted_node; /* per wanted index: its working node */
    size_t n_wanted;
    struct tag_key {
        uint32_t set, name;
        bool numeric;
    } *keys;
    size_t n_keys, cap_keys;
    uint32_t *key_slots; /* hash of a key -> its id + 1 */
    size_t key_mask;
    uint32_t *dense;
    size_t cap_dense;
    bool keys_full; /* no more dense ids */
    /* the current sample's keys (valid once cur_keys): its set's, then
     * each numeric label's, PPROF_NONE when not dense */
    bool cur_keys;
    uint32_t set_key, *num_keys;
    size_t cap_num_keys;
};

/* Entries of the dense tag table (4 bytes each), at most. */
#define DENSE_MAX ((size_t)1 << 18)

/* ---------------------------------------------------------------- strings */

static uint64_t str_hash(const char *s, size_t n)
{
    return pprof_hash_bytes(s, n);
}

static uint64_t str_entry_hash(const void *ctx, size_t i)
{
    const graph_tags *t = ctx;
    return str_hash(t->strs[i], t->lens[i]);
}

static int str_rehash(graph_tags *t, size_t slots)
{
    return pprof_slots_rebuild(&t->str_slots, &t->str_mask, slots, t->n_strs, str_entry_hash, t);
}

static int intern(graph_tags *t, const char *s, size_t n, uint32_t *out)
{
    if (!t->str_slots || (t->n_strs + 1) * 2 > t->str_mask + 1)
        if (str_rehash(t, t->str_slots ? (t->str_mask + 1) * 2 : 256))
            return PPROF_ENOMEM;
    size_t h = str_hash(s, n) & t->str_mask;
    for (uint32_t e; (e = t->str_slots[h]); h = (h + 1) & t->str_mask) {
        if (t->lens[e - 1] == n && memcmp(t->strs[e - 1], s, n) == 0) {
            *out = e - 1;
            return 0;
        }
    }
    char *copy = malloc(n + 1);
    if (!copy || PPROF_GROW(t->strs, t->cap_strs, t->n_strs + 1) ||
        PPROF_GROW(t->lens, t->cap_lens, t->n_strs + 1)) {
        free(copy);
        return PPROF_ENOMEM;
    }
    memcpy(copy, s, n);
    copy[n] = 0;
    t->strs[t->n_strs] = copy;
    t->lens[t->n_strs] = n;
    t->str_slots[h] = (uint32_t)t->n_strs + 1;
    *out = (uint32_t)t->n_strs++;
    return 0;
}

/* ---------------------------------------------------------------- label sets by ids */

static uint64_t id_set_hash(const uint32_t *pairs, size_t n)
{
    uint64_t h = n;
    for (size_t i = 0; i < 2 * n; i++)
        h = pprof_hash_u64(h ^ pairs[i]);
    return h;
}

static uint64_t id_entry_hash(const void *ctx, size_t i)
{
    return ((const graph_tags *)ctx)->ids[i].hash;
}

/* What a string may break in a label set's text, read once per string. */
#define STR_READ 1
#define STR_BAD_KEY 2   /* holds ':' or '\n' */
#define STR_BAD_VALUE 4 /* holds '\n' */

static uint8_t str_flags(graph_tags *t, pprof_str id)
{
    uint8_t f = t->str_flags[id];
    if (!f) {
        const char *s = t->p->strings[id];
        size_t n = t->p->string_lens[id];
        bool nl = memchr(s, '\n', n) != NULL;
        f = (uint8_t)(STR_READ | (nl || memchr(s, ':', n) ? STR_BAD_KEY : 0) | (nl ? STR_BAD_VALUE : 0));
        t->str_flags[id] = f;
    }
    return f;
}

/* Whether a sample's label set text may equal that of other (key, value)
 * pairs: one of its keys holds ':' or '\n', or a value '\n'
 * ("a:b"="c" and "a"="b:c" both print "a:b:c"). Else its text is its
 * pairs, told apart by their ids. Values are read only when some string
 * of the profile holds a newline (newline): the strings, read in the
 * order they lie in memory, cost less than the values looked up sample by
 * sample; keys are few. */
static bool ambiguous(graph_tags *t, const pprof_label *ls, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (ls[i].str == 0 || ls[i].key == t->base_key)
            continue; /* (not in the set) */
        if ((str_flags(t, ls[i].key) & STR_BAD_KEY) || (t->newline && (str_flags(t, ls[i].str) & STR_BAD_VALUE)))
            return true;
    }
    return false;
}

/* Readies ambiguous(): the flags, and whether a string holds a newline. */
static int ambiguous_init(graph_tags *t)
{
    const pprof_profile *p = t->p;
    if (t->str_flags)
        return 0;
    t->str_flags = graph_scratch_alloc(t->work, p->n_strings, true);
    if (!t->str_flags)
        return PPROF_ENOMEM;
    for (size_t i = 0; i < p->n_strings && !t->newline; i++)
        t->newline = memchr(p->strings[i], '\n', p->string_lens[i]) != NULL;
    return 0;
}

/* Whether the label sets of the samples not left out may be told apart by
 * ids (by_ids): none is ambiguous. Then the empty set, ids[0]. */
static int ids_init(graph_tags *t)
{
    const pprof_profile *p = t->p;
    if (ambiguous_init(t))
        return PPROF_ENOMEM;
    bool ok = true;
    for (size_t r = 0; r < t->n_rows && ok; r++) {
        size_t s = t->rows[r];
        if (!t->light || !t->light[s])
            ok = !ambiguous(t, pprof_sample_labels(p, &p->samples[s]), p->samples[s].n_labels);
    }
    t->ids_ready = true;
    t->by_ids = ok;
    if (!ok)
        return 0;
    if (PPROF_GROW(t->ids, t->cap_ids, 1))
        return PPROF_ENOMEM;
    t->ids[0] = (id_set){0, 0, 0, id_set_hash(NULL, 0)}; /* empty: text "" (string 0) */
    t->n_ids = 1;
    return pprof_slots_rebuild(&t->id_slots, &t->id_mask, 1024, t->n_ids, id_entry_hash, t);
}

/* The current sample's sorted pairs after the sets' (not stored yet),
 * their count and hash into cur_np and cur_hash; cur_id 0 when there are
 * none, else PPROF_NONE (not looked up). */
static int pairs_of(graph_tags *t, const pprof_label *ls, uint32_t n)
{
    if (PPROF_GROW(t->pairs, t->cap_pairs, 2 * (t->n_pairs + n) + 2))
        return PPROF_ENOMEM;
    uint32_t *q = t->pairs + 2 * t->n_pairs; /* the new set's place, if it is new */
    size_t np = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (ls[i].str == 0 || ls[i].key == t->base_key)
            continue;
        /* Insertion sort by (key, value): a sample has few labels. */
        size_t j = np++;
        for (; j > 0 && (q[2 * (j - 1)] > ls[i].key || (q[2 * (j - 1)] == ls[i].key && q[2 * j - 1] > ls[i].str)); j--) {
            q[2 * j] = q[2 * (j - 1)];
            q[2 * j + 1] = q[2 * j - 1];
        }
        q[2 * j] = ls[i].key;
        q[2 * j + 1] = ls[i].str;
    }
    t->cur_np = np;
    t->cur_hash = np ? id_set_hash(q, np) : 0;
    t->cur_id = np ? PPROF_NONE : 0;
    return 0;
}

/* Looks the current sample's pairs up into t->cur_id, storing them as a
 * new set when they are one. */
static int id_set_find(graph_tags *t)
{
    const uint32_t *q = t->pairs + 2 * t->n_pairs;
    size_t np = t->cur_np;
    uint64_t h = t->cur_hash;
    size_t slot = h & t->id_mask;
    for (uint32_t e; (e = t->id_slots[slot]); slot = (slot + 1) & t->id_mask) {
        const id_set *c = &t->ids[e - 1];
        if (c->hash == h && c->n == np && memcmp(t->pairs + 2 * (size_t)c->off, q, 2 * np * sizeof *q) == 0) {
            t->cur_id = e - 1;
            return 0;
        }
    }
    if (PPROF_GROW(t->ids, t->cap_ids, t->n_ids + 1))
        return PPROF_ENOMEM;
    t->ids[t->n_ids] = (id_set){(uint32_t)t->n_pairs, (uint32_t)np, PPROF_NONE, h};
    t->n_pairs += np;
    t->id_slots[slot] = (uint32_t)++t->n_ids;
    t->cur_id = (uint32_t)t->n_ids - 1;
    if (t->n_ids * 2 > t->id_mask + 1)
        return pprof_slots_rebuild(&t->id_slots, &t->id_mask, (t->id_mask + 1) * 2, t->n_ids, id_entry_hash, t);
    return 0;
}

static int label_text(graph_tags *t, const pprof_label *ls, uint32_t n);

/* The current set's text (interned) into t->set, made once per set. */
static int id_set_text(graph_tags *t)
{
    if (t->cur_id == PPROF_NONE && id_set_find(t))
        return PPROF_ENOMEM;
    id_set *d = &t->ids[t->cur_id];
    if (d->str == PPROF_NONE) {
        pprof_label ls[64] = {{0}}, *lp = ls;
        if (d->n > sizeof ls / sizeof ls[0] && !(lp = malloc(d->n * sizeof *lp)))
            return PPROF_ENOMEM;
        for (uint32_t i = 0; i < d->n; i++)
            lp[i] = (pprof_label){.key = t->pairs[2 * ((size_t)d->off + i)], .str = t->pairs[2 * ((size_t)d->off + i) + 1]};
        int rc = label_text(t, lp, d->n);
        if (lp != ls)
            free(lp);
        if (rc)
            return rc;
        t->ids[t->cur_id].str = t->set;
    }
    t->set = t->ids[t->cur_id].str;
    return 0;
}

/* ---------------------------------------------------------------- life cycle */

int graph_tags_new(graph_tags **out, const gb *b, const bool *want, const char *unit)
{
    graph_tags *t = calloc(1, sizeof *t);
    *out = t;
    if (!t)
        return PPROF_ENOMEM;
    t->p = b->p;
    t->rows = b->tag_rows;
    t->n_rows = b->n_tag_rows;
    t->si = b->si;
    t->mean = b->opt->mean;
    t->unit = unit;
    t->n_work = b->n_work;
    size_t n = b->n_work ? b->n_work : 1;
    t->work = b->scratch;
    t->wanted_at = graph_scratch_alloc(t->work, n * sizeof *t->wanted_at, false);
    t->wanted_node = malloc(n * sizeof *t->wanted_node);
    t->head = graph_scratch_alloc(t->work, n * sizeof *t->head, false);
    t->slots = calloc(1024, sizeof *t->slots);
    t->mask = 1023;
    uint32_t empty;
    if (!t->wanted_at || !t->wanted_node || !t->head || !t->slots || intern(t, "", 0, &empty))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < b->n_work; i++) {
        t->wanted_at[i] = want[i] ? (uint32_t)t->n_wanted : PPROF_NONE;
        if (want[i])
            t->wanted_node[t->n_wanted++] = (uint32_t)i;
    }
    if (!pprof_profile_find_string(&t->bytes_key, t->p, "bytes", 5))
        t->bytes_key = PPROF_NONE;
    if (!pprof_profile_find_string(&t->base_key, t->p, "pprof::base", 11))
        t->base_key = PPROF_NONE;
    t->bytes_unit = t->bytes_key != PPROF_NONE ? pprof_label_unit(t->p, t->bytes_key) : "";
    if (intern(t, t->bytes_unit, strlen(t->bytes_unit), &t->bytes_unit_id))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < sizeof t->num_names / sizeof t->num_names[0]; i++)
        t->num_names[i].name = PPROF_NONE;
    memset(t->head, 0xff, n * sizeof *t->head);
    return 0;
}

void graph_tags_free(graph_tags *t)
{
    if (!t)
        return;
    graph_scratch_free(t->work, t->head);
    free(t->tags);
    free(t->flat);
    free(t->cum);
    free(t->flat_div);
    free(t->cum_div);
    free(t->slots);
    for (size_t i = 0; i < t->n_strs; i++)
        free(t->strs[i]);
    free(t->strs);
    free(t->lens);
    free(t->str_slots);
    free(t->nums);
    free(t->pieces);
    free(t->set_w);
    graph_scratch_free(t->work, t->light);
    graph_scratch_free(t->work, t->str_flags);
    free(t->num_w);
    free(t->sample_set);
    free(t->pairs);
    free(t->ids);
    free(t->id_slots);
    free(t->bucket_w);
    graph_scratch_free(t->work, t->wanted_at);
    free(t->wanted_node);
    free(t->keys);
    free(t->key_slots);
    free(t->dense);
    free(t->num_keys);
    pprof_buf_release(&t->scratch);
    pprof_buf_release(&t->joined);
    free(t);
}

/* ---------------------------------------------------------------- samples */

static int cmp_piece(const void *pa, const void *pb)
{
    const piece *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* The sample's string labels as pprof joins them: "key:value" pieces,
 * sorted, joined by newlines, interned into t->set. */
static int label_text(graph_tags *t, const pprof_label *ls, uint32_t n)
{
    const pprof_profile *p = t->p;
    t->scratch.len = 0;
    size_t np = 0;
    if (PPROF_GROW(t->pieces, t->cap_pieces, n ? n : 1))
        return PPROF_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        /* pprof leaves its own -diff_base marker out of the label sets. */
        if (ls[i].str == 0 || ls[i].key == t->base_key)
            continue;
        size_t off = t->scratch.len;
        pprof_buf_append(&t->scratch, p->strings[ls[i].key], p->string_lens[ls[i].key]);
        pprof_buf_append(&t->scratch, ":", 1);
        pprof_buf_append(&t->scratch, p->strings[ls[i].str], p->string_lens[ls[i].str]);
        t->pieces[np++] = (piece){off, t->scratch.len - off, NULL};
    }
    if (t->scratch.failed)
        return PPROF_ENOMEM;
    t->set = 0;
    if (np == 0)
        return 0;
    for (size_t i = 0; i < np; i++)
        t->pieces[i].s = (const char *)t->scratch.data + t->pieces[i].off;
    qsort(t->pieces, np, sizeof *t->pieces, cmp_piece);
    t->joined.len = 0;
    for (size_t i = 0; i < np; i++) {
        if (i)
            pprof_buf_append(&t->joined, "\n", 1);
        pprof_buf_append(&t->joined, t->pieces[i].s, t->pieces[i].len);
    }
    if (t->joined.failed)
        return PPROF_ENOMEM;
    return intern(t, (const char *)t->joined.data, t->joined.len, &t->set);
}

/* A string's weight sum; one never weighed keeps its tags. */
static int64_t sum_of(const int64_t *sums, size_t cap, uint32_t id)
{
    return id < cap ? sums[id] : INT64_MAX;
}

/* The current set's bucket sum (by ids); without a weighing, no bound. */
static int64_t bucket_sum(const graph_tags *t)
{
    return t->bucket_w ? t->bucket_w[t->cur_hash & t->bucket_mask] : INT64_MAX;
}

int graph_tags_sample(graph_tags *t, size_t s, bool *has_labels)
{
    const pprof_profile *p = t->p;
    const pprof_sample *sm = &p->samples[s];
    const pprof_label *ls = pprof_sample_labels(p, sm);
    size_t nt = p->n_sample_types;
    t->w = p->values[s * nt + (size_t)t->si];
    t->dw = t->mean ? p->values[s * nt] : 0;
    t->n_nums = 0;
    t->cur = s;
    t->set_tag = false;
    t->cur_keys = false;
    if (t->light && t->light[s]) {
        *has_labels = false;
        return 0;
    }
    if (!t->ids_ready) {
        int rc = ids_init(t);
        if (rc)
            return rc;
    }
    if (t->by_ids) {
        if (pairs_of(t, ls, sm->n_labels))
            return PPROF_ENOMEM;
        /* a light set makes no tag; the set is looked up, and its text
         * made, when a tag needs it */
        if (t->pruning && t->cur_np && bucket_sum(t) < t->cutoff) {
            *has_labels = false;
            return 0;
        }
        t->set = PPROF_NONE;
    } else if (t->pruning && t->sample_set && t->sample_set[s] != PPROF_NONE) {
        /* the first pass found this sample's set: a light one makes no tag */
        t->set = t->sample_set[s];
        if (t->set && sum_of(t->set_w, t->cap_set_w, t->set) < t->cutoff) {
            *has_labels = false;
            return 0;
        }
    } else {
        int rc = label_text(t, ls, sm->n_labels);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < sm->n_labels; i++) {
        /* pprof keeps only the "bytes" numeric labels for graphs, in the
         * profile's unit for that key. A numeric label with neither value
         * nor unit is not one (pprof drops it). */
        if (ls[i].str != 0 || ls[i].key != t->bytes_key || (ls[i].num == 0 && ls[i].num_unit == 0))
            continue;
        if (PPROF_GROW(t->nums, t->cap_nums, t->n_nums + 1))
            return PPROF_ENOMEM;
        num_label *nl = &t->nums[t->n_nums++];
        nl->value = ls[i].num;
        nl->unit = t->bytes_unit_id;
        struct num_name *c = &t->num_names[((uint64_t)ls[i].num * UINT64_C(0x9E3779B97F4A7C15)) >> 56];
        if (c->name == PPROF_NONE || c->value != ls[i].num) {
            char name[400];
            pprof_format_scaled(name, sizeof name, ls[i].num, t->bytes_unit, t->unit);
            if (intern(t, name, strlen(name), &c->name))
                return PPROF_ENOMEM;
            c->value = ls[i].num;
        }
        nl->name = c->name;
    }
    bool any_set = t->by_ids ? t->cur_np != 0 : t->set != 0;
    *has_labels = any_set || t->n_nums != 0;
    t->set_tag = any_set;
    if (t->pruning) {
        /* Every tag of this sample is keyed by its label set, so a light
         * set makes only light tags, numeric ones included. */
        bool light = any_set && (t->by_ids ? bucket_sum(t) : sum_of(t->set_w, t->cap_set_w, t->set)) < t->cutoff;
        t->set_tag = any_set && !light;
        size_t keep = 0;
        for (size_t i = 0; i < t->n_nums && !light; i++)
            if (sum_of(t->num_w, t->cap_num_w, t->nums[i].name) >= t->cutoff)
                t->nums[keep++] = t->nums[i];
        t->n_nums = keep;
        *has_labels = t->set_tag || t->n_nums != 0;
    }
    return 0;
}

/* Grows a per-string sum array to the strings interned so far. */
static int grow_sums(int64_t **sums, size_t *cap, size_t n)
{
    size_t old = *cap;
    if (PPROF_GROW(*sums, *cap, n))
        return PPROF_ENOMEM;
    memset(*sums + old, 0, (*cap - old) * sizeof **sums);
    return 0;
}

int graph_tags_weigh(graph_tags *t)
{
    size_t ns = t->p->n_samples;
    bool ignored = false; /* a saturated bound only keeps more tags */
    int64_t w = graph_abs64(t->w);
    if (t->by_ids) {
        if (!t->bucket_w) {
            /* about two weighed samples a bucket (the labelled ones, a
             * tenth of m100.pb.gz's: sized by all, it was 128 page faults
             * of 512 KiB): a few MiB at most per million */
            size_t nb = 1024;
            while (nb < t->n_rows / 2 && nb < ((size_t)1 << 24))
                nb *= 2;
            if (!(t->bucket_w = calloc(nb, sizeof *t->bucket_w)))
                return PPROF_ENOMEM;
            t->bucket_mask = nb - 1;
        }
        if (t->cur_np)
            graph_add_sat(&t->bucket_w[t->cur_hash & t->bucket_mask], w, &ignored);
        if (grow_sums(&t->num_w, &t->cap_num_w, t->n_strs))
            return PPROF_ENOMEM;
        for (size_t i = 0; i < t->n_nums; i++)
            graph_add_sat(&t->num_w[t->nums[i].name], w, &ignored);
        return 0;
    }
    if (!t->sample_set) {
        t->sample_set = malloc((ns ? ns : 1) * sizeof *t->sample_set);
        if (!t->sample_set)
            return PPROF_ENOMEM;
        memset(t->sample_set, 0xff, ns * sizeof *t->sample_set); /* PPROF_NONE: not seen */
    }
    t->sample_set[t->cur] = t->set;
    if (grow_sums(&t->set_w, &t->cap_set_w, t->n_strs) || grow_sums(&t->num_w, &t->cap_num_w, t->n_strs))
        return PPROF_ENOMEM;
    if (t->set)
        graph_add_sat(&t->set_w[t->set], w, &ignored);
    for (size_t i = 0; i < t->n_nums; i++)
        graph_add_sat(&t->num_w[t->nums[i].name], w, &ignored);
    return 0;
}

int graph_tags_bound(graph_tags *t, int64_t cutoff)
{
    const pprof_profile *p = t->p;
    if (cutoff <= 0 || t->ids_ready)
        return 0;
    int64_t *value_w = graph_scratch_alloc(t->work, p->n_strings * sizeof *value_w, true);
    t->light = graph_scratch_alloc(t->work, p->n_samples, true);
    if (!value_w || !t->light || ambiguous_init(t)) {
        graph_scratch_free(t->work, value_w);
        return PPROF_ENOMEM;
    }
    /* A sample's set is lighter than each of its values, and than the
     * samples of other pairs that may print alike (amb: the ambiguous
     * ones, which are never left out). */
    size_t nt = p->n_sample_types;
    int64_t amb = 0;
    bool ignored = false; /* a saturated bound only keeps more tags */
    for (size_t r = 0; r < t->n_rows; r++) {
        size_t s = t->rows[r]; /* (with labels and locations) */
        const pprof_sample *sm = &p->samples[s];
        const pprof_label *ls = pprof_sample_labels(p, sm);
        int64_t w = graph_abs64(p->values[s * nt + (size_t)t->si]);
        if (ambiguous(t, ls, sm->n_labels)) {
            graph_add_sat(&amb, w, &ignored);
            t->light[s] = 2; /* (kept) */
            continue;
        }
        for (uint32_t i = 0; i < sm->n_labels; i++)
            if (ls[i].str != 0)
                graph_add_sat(&value_w[ls[i].str], w, &ignored);
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        size_t s = t->rows[r];
        const pprof_sample *sm = &p->samples[s];
        const pprof_label *ls = pprof_sample_labels(p, sm);
        bool light = false;
        for (uint32_t i = 0; i < sm->n_labels && !light && t->light[s] != 2; i++)
            if (ls[i].str != 0 && ls[i].key != t->base_key) {
                int64_t bound = value_w[ls[i].str];
                graph_add_sat(&bound, amb, &ignored);
                light = bound < cutoff;
            }
        t->light[s] = light;
    }
    graph_scratch_free(t->work, value_w);
    return 0;
}

void graph_tags_prune(graph_tags *t, int64_t cutoff)
{
    t->cutoff = cutoff;
    t->pruning = cutoff > 0;
}

/* ---------------------------------------------------------------- accumulation */

static uint64_t tag_hash(uint32_t node, uint32_t set, uint32_t name, bool numeric)
{
    uint64_t h = pprof_hash_u64((uint64_t)node << 32 | set);
    return pprof_hash_u64(h ^ ((uint64_t)name << 1 | numeric));
}

static uint64_t tag_entry_hash(const void *ctx, size_t i)
{
    const tag_rec *r = &((const graph_tags *)ctx)->tags[i];
    return tag_hash(r->node, r->set, r->name, r->numeric);
}

static int tags_rehash(graph_tags *t, size_t slots)
{
    return pprof_slots_rebuild(&t->slots, &t->mask, slots, t->n_tags, tag_entry_hash, t);
}

/* The tag of (node, the current set, name, numeric) by hash, made when
 * new. */
static int tag_find(graph_tags *t, uint32_t node, uint32_t name, bool numeric, uint32_t unit, int64_t value,
                    uint32_t *out)
{
    size_t h = tag_hash(node, t->set, name, numeric) & t->mask;
    for (uint32_t e; (e = t->slots[h]); h = (h + 1) & t->mask) {
        tag_rec *c = &t->tags[e - 1];
        if (c->node == node && c->set == t->set && c->name == name && c->numeric == numeric) {
            *out = e - 1;
            return 0;
        }
    }
    size_t n = t->n_tags;
    if (PPROF_GROW(t->tags, t->cap_tags, n + 1) || PPROF_GROW(t->flat, t->cap_flat, n + 1) ||
        PPROF_GROW(t->cum, t->cap_cum, n + 1) || PPROF_GROW(t->flat_div, t->cap_flat_div, n + 1) ||
        PPROF_GROW(t->cum_div, t->cap_cum_div, n + 1))
        return PPROF_ENOMEM;
    t->flat[n] = t->cum[n] = t->flat_div[n] = t->cum_div[n] = 0;
    tag_rec *r = &t->tags[n];
    memset(r, 0, sizeof *r);
    r->node = node;
    r->set = t->set;
    r->name = name;
    r->numeric = numeric;
    r->unit = unit;
    r->value = value;
    r->next = t->head[node];
    t->head[node] = (uint32_t)t->n_tags;
    t->slots[h] = (uint32_t)++t->n_tags;
    if (t->n_tags * 2 > t->mask + 1 && tags_rehash(t, (t->mask + 1) * 2))
        return PPROF_ENOMEM;
    *out = (uint32_t)n;
    return 0;
}

static uint64_t key_hash(uint32_t set, uint32_t name, bool numeric)
{
    return pprof_hash_u64(((uint64_t)set << 32 | name) ^ ((uint64_t)numeric << 63));
}

static uint64_t key_entry_hash(const void *ctx, size_t i)
{
    const struct tag_key *k = &((const graph_tags *)ctx)->keys[i];
    return key_hash(k->set, k->name, k->numeric);
}

/* The dense id of the key (the current set, name, numeric) into *out,
 * given one when new and there is room; else PPROF_NONE. */
static int key_of(graph_tags *t, uint32_t name, bool numeric, uint32_t *out)
{
    *out = PPROF_NONE;
    if (!t->key_slots && pprof_slots_rebuild(&t->key_slots, &t->key_mask, 64, 0, key_entry_hash, t))
        return PPROF_ENOMEM;
    size_t h = key_hash(t->set, name, numeric) & t->key_mask;
    for (uint32_t e; (e = t->key_slots[h]); h = (h + 1) & t->key_mask) {
        const struct tag_key *k = &t->keys[e - 1];
        if (k->set == t->set && k->name == name && k->numeric == numeric) {
            *out = e - 1;
            return 0;
        }
    }
    if (t->keys_full || (t->n_keys + 1) * t->n_wanted > DENSE_MAX) {
        t->keys_full = true;
        return 0;
    }
    size_t at = t->n_keys * t->n_wanted;
    if (PPROF_GROW(t->keys, t->cap_keys, t->n_keys + 1) || PPROF_GROW(t->dense, t->cap_dense, at + t->n_wanted))
        return PPROF_ENOMEM;
    memset(t->dense + at, 0, t->n_wanted * sizeof *t->dense);
    t->keys[t->n_keys] = (struct tag_key){t->set, name, numeric};
    t->key_slots[h] = (uint32_t)++t->n_keys;
    *out = (uint32_t)t->n_keys - 1;
    if (t->n_keys * 2 > t->key_mask + 1)
        return pprof_slots_rebuild(&t->key_slots, &t->key_mask, (t->key_mask + 1) * 2, t->n_keys, key_entry_hash, t);
    return 0;
}

/* Adds the current sample to the tag of (wanted node wi, key), key its
 * dense id or PPROF_NONE. */
static int tag_add(graph_tags *t, uint32_t wi, uint32_t key, uint32_t name, bool numeric, uint32_t unit,
                   int64_t value, bool flat)
{
    uint32_t k;
    uint32_t *d = key != PPROF_NONE ? &t->dense[(size_t)key * t->n_wanted + wi] : NULL;
    if (d && *d) {
        k = *d - 1;
    } else {
        if (tag_find(t, t->wanted_node[wi], name, numeric, unit, value, &k))
            return PPROF_ENOMEM;
        if (d)
            *d = k + 1;
    }
    graph_add_sat(flat ? &t->flat[k] : &t->cum[k], t->w, &t->overflow);
    if (t->dw) /* (0 but with mean) */
        graph_add_sat(flat ? &t->flat_div[k] : &t->cum_div[k], t->dw, &t->overflow);
    return 0;
}

/* The current sample's set text and its keys' dense ids, made at its first
 * wanted node. */
static int sample_keys(graph_tags *t)
{
    if (t->by_ids && t->set == PPROF_NONE && id_set_text(t))
        return PPROF_ENOMEM;
    if (t->set_tag && key_of(t, t->set, false, &t->set_key))
        return PPROF_ENOMEM;
    if (PPROF_GROW(t->num_keys, t->cap_num_keys, t->n_nums + 1))
        return PPROF_ENOMEM;
    for (size_t i = 0; i < t->n_nums; i++)
        if (key_of(t, t->nums[i].name, true, &t->num_keys[i]))
            return PPROF_ENOMEM;
    t->cur_keys = true;
    return 0;
}

uint32_t graph_tags_wanted(const graph_tags *t, uint32_t node)
{
    return node < t->n_work ? t->wanted_at[node] : PPROF_NONE;
}

size_t graph_tags_n_wanted(const graph_tags *t)
{
    return t->n_wanted;
}

int graph_tags_add_wanted(graph_tags *t, uint32_t wi, bool flat)
{
    int rc = t->cur_keys ? 0 : sample_keys(t);
    if (t->set_tag && !rc)
        rc = tag_add(t, wi, t->set_key, t->set, false, 0, 0, flat);
    for (size_t i = 0; i < t->n_nums && !rc; i++)
        rc = tag_add(t, wi, t->num_keys[i], t->nums[i].name, true, t->nums[i].unit, t->nums[i].value, flat);
    return rc;
}

int graph_tags_add(graph_tags *t, uint32_t node, bool flat)
{
    uint32_t wi = graph_tags_wanted(t, node);
    return wi == PPROF_NONE ? 0 : graph_tags_add_wanted(t, wi, flat);
}

/* ---------------------------------------------------------------- results */

static bool survives(const graph_tags *t, uint32_t k, int64_t cutoff)
{
    return graph_abs64(t->flat[k]) >= cutoff || graph_abs64(t->cum[k]) >= cutoff;
}

size_t graph_tags_count(const graph_tags *t, uint32_t node, int64_t cutoff)
{
    size_t n = 0;
    for (uint32_t i = t->head[node]; i != PPROF_NONE; i = t->tags[i].next)
        if (survives(t, i, cutoff) && t->flat[i] != 0)
            n++;
    return n;
}

int graph_tags_emit(graph_tags *t, pprof_graph *g, const uint32_t *work_of, size_t n, int64_t cutoff)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = t->head[work_of[i]]; k != PPROF_NONE; k = t->tags[k].next)
            total += survives(t, k, cutoff);
    g->tags = calloc(total ? total : 1, sizeof *g->tags);
    if (!g->tags)
        return PPROF_ENOMEM;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        g->nodes[i].tags_off = (uint32_t)pos;
        for (uint32_t k = t->head[work_of[i]]; k != PPROF_NONE; k = t->tags[k].next) {
            const tag_rec *r = &t->tags[k];
            if (!survives(t, k, cutoff))
                continue;
            pprof_tag *o = &g->tags[pos++];
            o->name = t->strs[r->name];
            o->labels = t->strs[r->set];
            o->unit = t->strs[r->unit];
            o->value = r->value;
            o->flat = t->flat[k];
            o->flat_div = t->flat_div[k];
            o->cum = t->cum[k];
            o->cum_div = t->cum_div[k];
            o->numeric = r->numeric;
        }
        g->nodes[i].n_tags = (uint32_t)(pos - g->nodes[i].tags_off);
    }
    g->n_tags = pos;
    /* The graph now owns the strings its tags point to. */
    g->strings = t->strs;
    g->n_strings = t->n_strs;
    t->strs = NULL;
    t->n_strs = 0;
    return 0;
}
