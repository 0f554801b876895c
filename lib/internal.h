/* internal.h: private helpers shared by lib/ files (arena, growable arrays, profile internals). */
#ifndef PPROF_INTERNAL_H
#define PPROF_INTERNAL_H

#include "pprof.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- arena */

/* A bump allocator: chunks are freed together, never one by one. */
typedef struct pprof_arena_chunk pprof_arena_chunk;
typedef struct pprof_arena {
    pprof_arena_chunk *head;
    size_t used, size; /* in the head chunk */
    uint64_t total;    /* bytes of every chunk: what the arena holds */
} pprof_arena;

void *pprof_arena_alloc(pprof_arena *a, size_t n);
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
 * elements; *cap tracks the capacity. Returns 0 or PPROF_ENOMEM. */
int pprof_grow(void **ptr, size_t *cap, size_t need, size_t elem);

/* Hints the kernel to back a large array with huge pages (no-op when small). */
void pprof_advise_huge(void *p, size_t len);

#define PPROF_GROW(arr, cap, need) pprof_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

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

static inline uint64_t pprof_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* ---------------------------------------------------------------- open addressing */

/* One open-addressing index over entries a user keeps in its own arrays:
 * a slot holds an entry's index + 1 (0: empty), collisions probe linearly
 * (h + 1) & mask. Each user writes its lookup inline (it compares its own
 * keys, in hot loops); growing is this one function: *slots becomes a table
 * of n_slots (a power of two, more than n) holding entries 0..n-1 at
 * hash(ctx, i), and *mask n_slots - 1. 0, PPROF_ENOMEM, or PPROF_ELIMIT
 * for a size that cannot work. */
typedef uint64_t (*pprof_slot_hash)(const void *ctx, size_t i);
int pprof_slots_rebuild(uint32_t **slots, size_t *mask, size_t n_slots, size_t n, pprof_slot_hash hash,
                        const void *ctx);

/* ---------------------------------------------------------------- inflate thread */

/* Inflates gzip data in a second thread; chunks come back in order. */
typedef struct pprof_pipe pprof_pipe;
int pprof_pipe_start(pprof_pipe **out, const uint8_t *gz, size_t len, uint64_t max, bool drop_input);
/* Next chunk (valid until the next call); *len 0 at the end or on error,
 * which is returned with err filled. */
int pprof_pipe_next(pprof_pipe *p, const uint8_t **data, size_t *len, pprof_error *err);
void pprof_pipe_stop(pprof_pipe *p);

/* ---------------------------------------------------------------- shared with formats/ */

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

struct pprof_profile_internal {
    pprof_arena arena;
    /* string interning: the toolkit's index, a slot holds string id + 1
     * ("" is always id 0 and looked up specially). */
    uint32_t *str_slots;
    size_t str_mask;
    size_t cap_strings, cap_sample_types, cap_samples, cap_values, cap_sample_locs, cap_labels,
        cap_mappings, cap_locations, cap_lines, cap_functions, cap_comments;
};

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

/* pprof's simplifyFunc, used to match -prune_from and drop_frames: the
 * length of name without a leading '.' (*start is 1 then) and without its
 * argument list (the parentheses of "(anonymous namespace)" and
 * "operator()" stay). */
size_t pprof_simplified_name(const char *name, size_t len, size_t *start);

/* Reserves room for n more samples (and their values), to avoid regrowth. */
int pprof_profile_reserve_samples(pprof_profile *p, size_t n_samples, size_t n_locs);

#endif
