/* idmap.h: map from wire ids (uint64) to dense table indices, dense for small ids; and a set of ids, a bitmap for small ids. */
#ifndef PPROF_IDMAP_H
#define PPROF_IDMAP_H

#include "internal.h"

/* Ids below this go into a directly indexed array; larger ones into a hash,
 * unless the ids stay dense: the array then grows past this while it holds
 * at least one id in 4 slots (10M locations numbered 1..10M cost 64 MB of
 * array instead of 200 MB of hash). */
#define PPROF_IDMAP_DENSE_MAX (1u << 22)

typedef struct pprof_idmap_entry {
    uint64_t id;
    uint32_t index;
} pprof_idmap_entry;

typedef struct pprof_idmap {
    uint32_t *dense; /* value index+1; 0 = absent */
    size_t dense_cap, dense_count;
    pprof_idmap_entry *entries; /* hashed ids, in the toolkit's table (slots.c) */
    size_t count, cap_entries;
    uint32_t *slots; /* entry index + 1 */
    size_t mask;
} pprof_idmap;

void pprof_idmap_release(pprof_idmap *m);

/* Returns the index stored for id, or PPROF_NONE. */
static inline uint32_t pprof_idmap_get(const pprof_idmap *m, uint64_t id)
{
    if (id < m->dense_cap)
        return m->dense[id] - 1; /* 0 - 1 wraps to PPROF_NONE */
    if (id < PPROF_IDMAP_DENSE_MAX || !m->slots)
        return PPROF_NONE; /* ids below the dense array's end are never hashed */
    for (size_t i = pprof_hash_u64(id) & m->mask; m->slots[i]; i = (i + 1) & m->mask) {
        const pprof_idmap_entry *e = &m->entries[m->slots[i] - 1];
        if (e->id == id)
            return e->index;
    }
    return PPROF_NONE;
}

/* Makes room for ids up to max_id in the dense array, when they go there,
 * so that it does not grow (copied) a doubling at a time. 0 or
 * PPROF_ENOMEM. */
int pprof_idmap_reserve(pprof_idmap *m, uint64_t max_id);

/* Stores id -> index (id must be non-zero). Returns 0 or PPROF_ENOMEM. */
int pprof_idmap_put(pprof_idmap *m, uint64_t id, uint32_t index);

/* A set of wire ids: a bit per id below PPROF_IDSET_BITS_MAX (a million
 * function ids in 128 KiB, which stays in cache where the map's array of
 * 4 MiB would not; at most 16 MiB, what the map's array may take for ids
 * below PPROF_IDMAP_DENSE_MAX), larger ids in a map. */
#define PPROF_IDSET_BITS_MAX ((uint64_t)1 << 27)
typedef struct pprof_idset {
    uint64_t *bits;
    size_t n_words;
    pprof_idmap big;
} pprof_idset;

void pprof_idset_release(pprof_idset *s);

static inline bool pprof_idset_has(const pprof_idset *s, uint64_t id)
{
    if (id < (uint64_t)s->n_words * 64)
        return s->bits[id >> 6] >> (id & 63) & 1;
    return id >= PPROF_IDSET_BITS_MAX && pprof_idmap_get(&s->big, id) != PPROF_NONE;
}

/* Adds id. Returns 0 or PPROF_ENOMEM. */
int pprof_idset_add(pprof_idset *s, uint64_t id);

/* The number of ids in s; the largest in *max (0 when empty, or
 * PPROF_IDSET_BITS_MAX when it is that or more). */
size_t pprof_idset_count(const pprof_idset *s, uint64_t *max);

#endif
