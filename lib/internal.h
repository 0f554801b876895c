/* internal.h: private helpers shared by lib/ files (arena, growable arrays, profile internals). */
#ifndef PPROF_INTERNAL_H
#define PPROF_INTERNAL_H

#include "pprof.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- arena */

/* The state of an array populated ahead of its writes (pprof_fill_ahead). */
typedef struct pprof_pager pprof_pager;
typedef struct pprof_fill {
    const void *base;   /* the array when done was set */
    size_t done;        /* bytes from base written, populated or asked for */
    size_t next;        /* a step is due when the writes reach this */
    pprof_pager *pager; /* populates the steps in another thread (lib/pager.h), or NULL */
    size_t asked;       /* the step last asked of the pager: [asked, done) */
    size_t ticket;      /* its request (0: none pending) */
} pprof_fill;

/* A bump allocator: chunks are freed together, never one by one. */
typedef struct pprof_arena_chunk pprof_arena_chunk;
typedef struct pprof_arena {
    pprof_arena_chunk *head;
    size_t used, size; /* in the head chunk */
    uint64_t total;    /* bytes of every chunk: what the arena holds */
    pprof_fill fill;   /* the head chunk, populated ahead of its use */
} pprof_arena;

void *pprof_arena_alloc(pprof_arena *a, size_t n);
/* n bytes at any address (strings: no padding to 16 between them). */
void *pprof_arena_alloc_bytes(pprof_arena *a, size_t n);
void pprof_arena_release(pprof_arena *a);

/* ---------------------------------------------------------------- locale */

/* Numbers are printed and parsed the same under any locale: between enter
 * and leave the calling thread uses the C locale (leave restores what
 * enter returned; NULL when it could not switch). pprof_strtod is strtod
 * in the C locale. */
void *pprof_c_locale_enter(void);
void pprof_c_locale_leave(void *old);
double pprof_strtod(const char *s, char **end);

/* ---------------------------------------------------------------- vectors */

/* Grows *ptr (elements of size elem) so that it holds at least need
 * elements; *cap tracks the capacity (doubled). Returns 0 or PPROF_ENOMEM.
 * An array of PPROF_GROW_HUGE bytes or more is put on transparent huge
 * pages (lib/arena.c); it is freed with free like any other. */
int pprof_grow(void **ptr, size_t *cap, size_t need, size_t elem);

/* Huge pages make whole 2 MiB pages resident, up to 2 MiB more per array:
 * 16 MiB keeps that within the peak RSS budget (labels.pb.gz at 2 MiB:
 * 1.96x -> 2.09x the raw size; at 16 MiB 1.97x). */
#define PPROF_GROW_HUGE ((size_t)16 << 20)

/* Hints the kernel to back a large array with huge pages (no-op when small). */
void pprof_advise_huge(void *p, size_t len);

/* malloc(n), but a block of 2 MiB or more starts on a 2 MiB boundary and
 * its whole 2 MiB pages are advised for huge pages: for buffers that are
 * written through from the start (a fault per 4 KiB page costs some 10 us
 * on a virtual machine). Freed with free. */
void *pprof_alloc_huge(size_t n);

/* A working table of n bytes written all over at once (the nodemap's and
 * the graph's tables per location or per node), zeroed when zero. From
 * PPROF_WORK_HUGE bytes up it is 2 MiB-aligned: under 2 MiB on one whole
 * huge page, else its whole 2 MiB pages advised for huge pages and its
 * tail on 4 KiB pages (so under 1 MiB more resident a table; rounded
 * up to whole huge pages, big100k -top -lines went over its 2x raw
 * budget, 39.7 MB against 36.9; now 35.5): on a virtual machine
 * the first touch of a 4 KiB page costs some 6 us, populated ahead or
 * not, and a 2 MiB page's about as much as 25 of them. Freed with free;
 * NULL when out of memory. */
#define PPROF_WORK_HUGE ((size_t)1024 << 10) /* (from 512 KiB, medium.pb.gz -dot -lines
                                             * peaked at 2.04x its raw size; from 1 MiB
                                             * 1.58x, for 0-5 ms more on big100k -top) */
void *pprof_work_alloc(size_t n, bool zero);

/* Maps in now the whole pages of [p, p + len), a block about to be
 * written all over (a hash table) or through: one system call instead of
 * a page fault per 4 KiB page, which on a virtual machine cost some 12 us
 * each (and two when the page is read before it is written, as a hash
 * table's probe does on a calloc'd fresh mapping). Blocks under
 * POPULATE_MIN bytes are left alone. Its pages count in the resident
 * size from then on: only for memory that is written in full. */
#define POPULATE_MIN ((size_t)64 << 10)
void pprof_populate(void *p, size_t len);

/* A block written front to back, populated a step (32 KiB) ahead of its
 * writes instead of faulting a page at a time: pprof_fill_ahead(f, block,
 * bytes written so far, its size), called as the writes go. A block that
 * moves (an array grown elsewhere) is picked up where its writes are. At
 * most a step and a page past the writes is resident unwritten.
 *
 * With f->pager set, the writer asks the pager's host thread to populate
 * and first touch the step (lib/pager.h), a step ahead of the writes
 * (PPROF_FILL_PAGED_LEAD), so that the host has the time the writes of a
 * step take to get there first. When the writes enter a step the host
 * has not reached yet (it was busy), the writer populates it as it would
 * without a pager. At most two steps past the writes are resident
 * unwritten. The writer calls pprof_pager_forget before the block moves
 * or is freed (pprof_grow_ahead does). */
void pprof_fill_step(pprof_fill *f, void *base, size_t used, size_t cap);
/* Gives f's steps to pager g from now on (NULL: to the writer). A step
 * asked of the previous pager and not run yet is taken again. */
void pprof_fill_set_pager(pprof_fill *f, pprof_pager *g);
#define PPROF_FILL_LEAD ((size_t)4 << 10)
#define PPROF_FILL_PAGED_LEAD ((size_t)32 << 10)
/* (inline: called for each entry written; a step is taken every 32 KiB) */
static inline bool pprof_fill_behind(const pprof_fill *f, const void *base, size_t used)
{
    return base != f->base || used >= f->next;
}

static inline void pprof_fill_ahead(pprof_fill *f, void *base, size_t used, size_t cap)
{
    if (pprof_fill_behind(f, base, used))
        pprof_fill_step(f, base, used, cap);
}

/* pprof_grow, with the common case (room already) inline: decoding calls
 * it several times for each location, line and sample. */
static inline int pprof_grow_to(void **ptr, size_t *cap, size_t need, size_t elem)
{
    return need <= *cap ? 0 : pprof_grow(ptr, cap, need, elem);
}

#define PPROF_GROW(arr, cap, need) pprof_grow_to((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* The capacity of a growable array written front to back (the decoder's
 * tables), with how far its pages are populated ahead of the writes:
 * PPROF_GROW_AHEAD(arr, cap, need) makes room for need elements and keeps
 * the pages a step past them populated, in one call. */
typedef struct pprof_cap {
    size_t n; /* elements */
    pprof_fill fill;
} pprof_cap;

int pprof_grow_ahead(void **ptr, pprof_cap *cap, size_t need, size_t elem);
static inline int pprof_grow_ahead_to(void **ptr, pprof_cap *cap, size_t need, size_t elem)
{
    if (need <= cap->n && !pprof_fill_behind(&cap->fill, *ptr, need * elem))
        return 0;
    return pprof_grow_ahead(ptr, cap, need, elem);
}

#define PPROF_GROW_AHEAD(arr, cap, need) pprof_grow_ahead_to((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* ---------------------------------------------------------------- hashing */

static inline uint64_t pprof_hash_u64(uint64_t x);

/* Word at a time, finished by pprof_hash_u64 so low bits are usable as a
 * table index. Table order never reaches an output (outputs follow ids or
 * first-seen order), so the byte order of the words does not matter. */
static inline uint64_t pprof_hash_bytes(const void *data, size_t n)
{
    const uint8_t *s = data;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) /* a variable-length memcpy would be a call */
        w |= (uint64_t)s[i] << (8 * i);
    return pprof_hash_u64(h ^ w);
}

/* Hash of a list of 32-bit ids, its length included. Four lanes, each a
 * multiply chain over every fourth id, so that a long list (stacks of 200
 * frames) is not hashed at one multiply's latency per id. */
static inline uint64_t pprof_hash_u32s(const uint32_t *l, size_t n)
{
    const uint64_t k = 0x9e3779b97f4a7c15ULL;
    uint64_t h0 = pprof_hash_u64(n + 1), h1 = 1, h2 = 2, h3 = 3;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        h0 = (h0 ^ l[i]) * k;
        h1 = (h1 ^ l[i + 1]) * k;
        h2 = (h2 ^ l[i + 2]) * k;
        h3 = (h3 ^ l[i + 3]) * k;
    }
    for (; i < n; i++)
        h0 = (h0 ^ l[i]) * k;
    h1 = h1 << 16 | h1 >> 48;
    h2 = h2 << 32 | h2 >> 32;
    h3 = h3 << 48 | h3 >> 16;
    return pprof_hash_u64(h0 ^ h1 ^ h2 ^ h3);
}

static inline uint64_t pprof_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---------------------------------------------------------------- name order */

/* A name's first 8 bytes as a big-endian number (zero-padded): sorting
 * hundreds of thousands of scattered names, most comparisons end on it
 * without reading the strings. */
static inline uint64_t pprof_name_prefix(const char *s)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < 8 && s[i]; i++)
        v = v << 8 | (unsigned char)s[i];
    return i ? v << (8 * (8 - i)) : 0;
}

/* Byte order of two names from their prefixes: equal prefixes mean equal
 * names when they end within 8 bytes, else the rest decides. */
static inline int pprof_name_cmp(uint64_t px, const char *x, uint64_t py, const char *y)
{
    if (px != py)
        return px < py ? -1 : 1;
    return (px & 0xff) ? strcmp(x + 8, y + 8) : 0;
}

/* ---------------------------------------------------------------- sorted search */

/* In an array of n elements of size stride sorted by a uint64_t key at
 * byte offset key_off, the number of leading elements whose key is <= a
 * (so element [result - 1], when result > 0, is the last one starting at or
 * before a). The one binary search of the sorted
 * address tables (DWARF units and ranges, symbol tables, kallsyms). */
static inline size_t pprof_sorted_count_le(const void *base, size_t n, size_t stride, size_t key_off, uint64_t a)
{
    const unsigned char *b = base;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t key;
        memcpy(&key, b + mid * stride + key_off, sizeof key);
        if (key <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---------------------------------------------------------------- open addressing */

/* One open-addressing index over entries a user keeps in its own memory:
 * a slot holds a 32-bit value + 1 (0: empty) that leads to an entry,
 * collisions probe linearly (h + 1) & mask. Each user writes its lookup
 * inline (it compares its own keys, in hot loops).
 *
 * The value is usually an entry's index in an array. It may instead be
 * where a variable-sized entry starts (an offset in units the user picks),
 * so that an entry can hold its key's bytes: a hit then costs the slot and
 * the entry, not the slot, an array element and the bytes it points to
 * (one dependent cache miss less per lookup on a big table).
 *
 * pprof_slots_rebuild: *slots becomes a table of n_slots (a power of two,
 * more than n) holding the values 0..n-1 (entries of an array) at
 * hash(ctx, i), and *mask n_slots - 1. pprof_slots_grow: the table doubles,
 * keeping the values it holds (whatever they are), each at hash(ctx,
 * value). Both return 0, PPROF_ENOMEM, or PPROF_ELIMIT for a size that
 * cannot work (more than 2^32 slots); on failure the table is unchanged. */
typedef uint64_t (*pprof_slot_hash)(const void *ctx, size_t value);
int pprof_slots_rebuild(uint32_t **slots, size_t *mask, size_t n_slots, size_t n, pprof_slot_hash hash,
                        const void *ctx);
int pprof_slots_grow(uint32_t **slots, size_t *mask, pprof_slot_hash hash, const void *ctx);

/* ---------------------------------------------------------------- inflate thread */

/* Inflates gzip data in a second thread; chunks come back in order. */
typedef struct pprof_pipe pprof_pipe;
int pprof_pipe_start(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max, bool drop_input);
/* The same, and the thread feeds each chunk to ahead (lib/decode_ahead.h)
 * before handing it on; ahead outlives the pipe. */
typedef struct pprof_ahead pprof_ahead;
int pprof_pipe_start_ahead(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max, bool drop_input,
                           pprof_ahead *ahead);
/* Inflates all of gz (gzip members, at most max bytes; hint: the expected
 * size, or 0) with ISA-L into *out (malloc'd, *out_len bytes, not 0).
 * Returns 0, else -1 with nothing allocated: no ISA-L in this build, or
 * input ISA-L does not take to its end (broken, truncated, over max,
 * trailing junk), which the caller then inflates with zlib, whose words
 * say what is wrong. */
int pprof_isal_inflate_all(uint8_t **out, size_t *out_len, const uint8_t *gz, size_t len, uint64_t max,
                           uint64_t hint);
/* The gzip trailer's ISIZE: the inflated size of gz mod 2^32 (a hint only:
 * a truncated input ends with any 4 bytes, so it is bounded by 64 times
 * len; profiles compress 3-10 times, and a bigger one just regrows); 0
 * when gz is too short to have a trailer. */
uint64_t pprof_gzip_size_hint(const uint8_t *gz, size_t len);
/* The pipe's chunk for gz: a 64th of its inflated size rounded up to a
 * power of two, from 64 KiB to 1 MiB, so that the PPROF_PIPE_SLOTS slots,
 * and the ring of samples decoded ahead (pprof_pipe_ahead_ring), stay small
 * next to the profile they carry. */
#define PPROF_PIPE_SLOTS 4
size_t pprof_pipe_chunk(const uint8_t *gz, size_t len);
/* The bytes of the ring of samples decoded ahead for a pipe of this chunk:
 * room for the records of a full pipe of samples, whose records take up to
 * twice their bytes on the wire. */
size_t pprof_pipe_ahead_ring(size_t chunk);
/* Next chunk (valid until the next call); *len 0 at the end or on error,
 * which is returned with err filled. */
int pprof_pipe_next(pprof_pipe *p, const uint8_t **data, size_t *len, pprof_error *err);
void pprof_pipe_stop(pprof_pipe *p);
/* The pager whose host is the pipe's thread (lib/pager.h): the consumer
 * asks it for the pages it writes next, prepared while the thread has
 * nothing to inflate; NULL when there is none. Gone with the pipe. */
pprof_pager *pprof_pipe_pager(pprof_pipe *p);

/* ---------------------------------------------------------------- shared with formats/ */

/* pprof_format_scaled for many values of one unit into one output unit:
 * the unit names are looked up once, not for each value. */
typedef struct pprof_value_format {
    const char *from, *to;
    int kind; /* 0: an automatic unit, looked up per value; 1: scaled by
               * the factors below; 2: from is no known unit, values as they are */
    double from_factor, to_factor;
    const char *unit;
} pprof_value_format;
void pprof_value_format_init(pprof_value_format *f, const char *from, const char *to);
/* pprof_format_scaled(buf, n, value, from, to)'s text; returns its length. */
size_t pprof_value_format_put(const pprof_value_format *f, char *buf, size_t n, int64_t value);

/* Whether a table's wire ids (the uint64 at base + i*stride) are non-zero
 * and distinct (*ok; else writers use index+1), and whether they are exactly
 * 1..n (*seq). Returns 0 or PPROF_ENOMEM. */
int pprof_ids_usable(bool *ok, bool *seq, const void *base, size_t stride, size_t n);

/* An edge with its endpoints' printable names, for sorting edges in pprof's
 * order with pprof_edge_ref_cmp (qsort): heavier |weight| first, then by
 * source and destination name, then idx. */
typedef struct pprof_edge_ref {
    uint32_t idx;
    const pprof_edge *e;
    const char *src, *dst;
} pprof_edge_ref;
int pprof_edge_ref_cmp(const void *a, const void *b);

/* -tagfocus/-tagignore alone (part of pprof_profile_filter). */
int pprof_profile_filter_tags(pprof_profile *p, const char *focus, const char *ignore, pprof_filter_result *res,
                              pprof_error *err);

/* ---------------------------------------------------------------- profile */

/* The samples grouped by location list: stack k is the location list of
 * sample first[k] (stacks in the order of their first sample), values[k *
 * n_types + t] the saturating sum of type t over its samples. A type is
 * usable (bit t) when no sample has 0 in it (so a graph pass that skips
 * zero samples visits the same stacks, first seen in the same order) and
 * its sum of magnitudes fits in int64 (so no order of additions can
 * saturate): then a pass over the stacks gives the sums a pass over the
 * samples gives. The index remembers the arrays it was built from. */
typedef struct pprof_stack_index {
    size_t n_stacks;
    uint64_t n_stack_locs; /* location references of the stacks */
    uint32_t *first;
    uint32_t *stack_of; /* per sample: its stack */
    int64_t *values;
    uint64_t usable;
    size_t n_types, n_samples, n_sample_locs;
    const pprof_sample *samples;
    const int64_t *sample_values;
    /* The call tree of the stacks (pprof_profile_index adds it): node i,
     * in preorder, is location tree_loc[i] called from node tree_parent[i]
     * (PPROF_NONE: a root); tree_own[i * n_types + t] sums the stacks that
     * end there, tree_sum those that pass through it; stack k ends at node
     * stack_leaf[k] (PPROF_NONE: no locations). n_tree 0: no tree. */
    size_t n_tree;
    uint32_t *tree_loc, *tree_parent, *stack_leaf;
    int64_t *tree_own, *tree_sum;
    /* The node identity under the default graph options (pprof_profile_index
     * builds it; a graph built with those options copies it instead of
     * rebuilding it), and the tables it was built from. */
    pprof_nodemap *nodemap, *nodemap_lines; /* (and at line granularity) */
    pprof_node_texts *texts, *texts_lines;   /* their nodes' texts (or NULL) */
    const void *nm_tables[5];
    size_t nm_counts[5];
    /* The samples with labels and locations, ascending (the only ones a
     * drawing's tags count). */
    uint32_t *labelled;
    size_t n_labelled;
    /* The flame graph's frames of nodemap (pprof_profile_index_frames,
     * lib/flame_frames.h), or NULL; read and set atomically. */
    struct pprof_frames *frames;
} pprof_stack_index;

/* The nodemap cached in p's index for opt (a copy the caller owns), or
 * *out NULL when there is none for these options. 0 or PPROF_ENOMEM. */
int pprof_stack_index_nodemap(pprof_nodemap **out, const pprof_profile *p, const pprof_graph_options *opt);
/* The same nodemap itself (borrowed from p's index), or NULL. */
const pprof_nodemap *pprof_stack_index_cached_nodemap(const pprof_profile *p, const pprof_graph_options *opt);
/* The texts of that cached nodemap's nodes, with that nodemap, or NULL
 * (borrowed: a graph takes a reference, pprof_node_texts_ref, and uses the
 * nodemap as its own instead of a copy). */
pprof_node_texts *pprof_stack_index_texts(const pprof_profile *p, const pprof_graph_options *opt);

/* Every node's text (pprof_nodemap_text's bytes) made once for a nodemap
 * that answers many reports: a report names its nodes by a look-up, and a
 * regexp on node texts (-peek) runs on them as they are. Shared, by a
 * reference count, by the index that made it and the graphs built since
 * (which may outlive the index). */
struct pprof_node_texts {
    atomic_size_t refs;
    char *data;    /* the texts, each NUL-terminated, back to back */
    size_t *off;   /* node i's text: data + off[i] */
    size_t n;
    pprof_nodemap *nodemap; /* the node identity they name, shared with them
                             * (freed with them), or NULL */
};
int pprof_node_texts_build(pprof_node_texts **out, const pprof_nodemap *m);

/* Node i's text. */
static inline const char *pprof_node_texts_get(const pprof_node_texts *t, uint32_t i)
{
    return t->data + t->off[i];
}
pprof_node_texts *pprof_node_texts_ref(pprof_node_texts *t);
void pprof_node_texts_unref(pprof_node_texts *t);

/* Adds the call tree to x (built from p). 0 or PPROF_ENOMEM (x unchanged). */
int pprof_stack_index_tree(pprof_stack_index *x, const pprof_profile *p);

/* For a filter that keeps or drops whole stacks: x (of p before) becomes
 * the index of p after the samples of the stacks with keep[k] == 0 were
 * dropped, the others kept in order; its old arrays are retired in p
 * (pprof_profile_retire). 0, or PPROF_ENOMEM (x freed). */
int pprof_stack_index_keep(pprof_stack_index **x, pprof_profile *p, const uint8_t *keep);

/* Takes p's cached index out of p (NULL when none fits p): for a function
 * that changes p's samples and keeps the index current itself. */
pprof_stack_index *pprof_profile_take_index(pprof_profile *p);
/* Gives p the index x (dropping any it has). */
void pprof_profile_put_index(pprof_profile *p, pprof_stack_index *x);

int pprof_stack_index_build(pprof_stack_index **out, const pprof_profile *p);
void pprof_stack_index_free(pprof_stack_index *x);
/* Whether x was built from p's samples as they are (whatever their values). */
bool pprof_stack_index_describes(const pprof_stack_index *x, const pprof_profile *p);
/* Whether x describes p as it is and may stand for its samples for this
 * value column (and with mean, column 0). */
bool pprof_stack_index_fits(const pprof_stack_index *x, const pprof_profile *p, int sample_index, bool mean);
/* From this many location references, a graph or a stack set of a profile
 * without a usable cached index builds its own (hashing every sample's
 * locations once costs less than walking them all in each pass). */
#define PPROF_STACK_INDEX_MIN (1u << 20)
/* Whether building an index for p could help: p is big, has no cached
 * index describing it (one that does but does not fit a value column would
 * not fit built again), and its samples are not known to share too few
 * location lists (see stack_index.c). */
bool pprof_stack_index_worth_building(const pprof_profile *p);
/* The index pprof_profile_index cached on p, when it fits (else NULL). */
const pprof_stack_index *pprof_profile_stack_index(const pprof_profile *p, int sample_index, bool mean);
/* Drops what is cached about p's samples: every function that changes the
 * samples, their locations or their values calls it first. */
void pprof_profile_changed(pprof_profile *p);

struct pprof_profile_internal {
    pprof_arena arena;
    pprof_stack_index *stacks; /* pprof_profile_index's cache, or NULL */
    /* string interning: the toolkit's index, a slot holds string id + 1
     * ("" is always id 0 and looked up specially). */
    uint32_t *str_slots;
    size_t str_mask;
    size_t cap_strings, cap_sample_types, cap_sample_locs, cap_mappings, cap_comments;
    /* (written front to back as a profile is decoded: PPROF_GROW_AHEAD) */
    pprof_cap cap_samples, cap_values, cap_labels, cap_locations, cap_lines, cap_functions;
    void **retired; /* pprof_profile_retire's arrays */
    size_t n_retired, cap_retired;
};

/* Frees ptr (an array a filter replaced) with p, not now: its pages may be
 * shared with the process this one was forked from (a web UI view), and
 * given back to malloc they would be handed out again, each page written
 * then copied (a fault and a TLB flush). Freed at once when the list
 * cannot grow. */
void pprof_profile_retire(pprof_profile *p, void *ptr);

/* Moves sample `from` (with its values row) to slot `to` <= from, for the
 * filters that compact the sample table in place. */
static inline void pprof_sample_move(pprof_profile *p, size_t to, size_t from, const pprof_sample *s)
{
    size_t nt = p->n_sample_types;
    p->samples[to] = *s;
    if (to != from)
        memmove(p->values + to * nt, p->values + from * nt, nt * sizeof *p->values);
}

/* A sample's identity for merging: its locations and labels (string ids
 * compared as they are). */
uint64_t pprof_sample_hash(const pprof_profile *p, const pprof_sample *s);
bool pprof_sample_same(const pprof_profile *p, const pprof_sample *a, const pprof_sample *b);

/* Interns without copying when the bytes already live in the arena. */
int pprof_profile_intern_owned(pprof_str *out, pprof_profile *p, const char *s, size_t len);
/* pprof_profile_intern_owned of n strings into out[0 .. n): the index grown
 * once, the look-ups a batch at a time. 0 or PPROF_ENOMEM / PPROF_ELIMIT. */
int pprof_profile_intern_owned_n(pprof_str *out, pprof_profile *p, const char *const *s, const uint32_t *len,
                                 size_t n);

/* pprof's simplifyFunc, used to match -prune_from and drop_frames: the
 * length of name without a leading '.' (*start is 1 then) and without its
 * argument list (the parentheses of "(anonymous namespace)" and
 * "operator()" stay). */
size_t pprof_simplified_name(const char *name, size_t len, size_t *start);

/* Reserves room for n more samples (and their values), to avoid regrowth. */
int pprof_profile_reserve_samples(pprof_profile *p, size_t n_samples, size_t n_locs);

#endif
