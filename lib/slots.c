/* slots.c: the toolkit's one open-addressing index (a value + 1 per slot, linear probing), rebuilt or grown. */
#include "internal.h"

/* A zeroed table of n_slots (a power of two, more than n, at most 2^32),
 * for n values. Populated when the values land on all of its pages (64
 * or more per 4 KiB page of 1,024 slots, on average): calloc leaves a
 * fresh mapping untouched, and each probe's read then write of a slot
 * would fault its page twice (the zero page, then a copy); and memory
 * calloc clears would fault a page at a time as it is cleared, so such a
 * table is populated before it is cleared. */
static int slots_new(uint32_t **out, size_t n_slots, size_t n)
{
    if (n >= n_slots || n_slots > (size_t)UINT32_MAX + 1 || n_slots > SIZE_MAX / sizeof **out ||
        (n_slots & (n_slots - 1)))
        return PPROF_ELIMIT;
    if (n < n_slots / 16) {
        *out = calloc(n_slots, sizeof **out);
    } else if ((*out = malloc(n_slots * sizeof **out)) != NULL) {
        pprof_populate(*out, n_slots * sizeof **out);
        memset(*out, 0, n_slots * sizeof **out);
    }
    return *out ? 0 : PPROF_ENOMEM;
}

static void slots_put(uint32_t *t, size_t m, uint64_t hash, uint32_t slot)
{
    size_t h = (size_t)hash & m;
    while (t[h])
        h = (h + 1) & m;
    t[h] = slot;
}

static void slots_replace(uint32_t **slots, size_t *mask, uint32_t *t, size_t n_slots)
{
    free(*slots);
    *slots = t;
    *mask = n_slots - 1;
}

int pprof_slots_rebuild(uint32_t **slots, size_t *mask, size_t n_slots, size_t n, pprof_slot_hash hash,
                        const void *ctx)
{
    uint32_t *t = NULL;
    int rc = slots_new(&t, n_slots, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        slots_put(t, n_slots - 1, hash(ctx, i), (uint32_t)i + 1);
    slots_replace(slots, mask, t, n_slots);
    return 0;
}

int pprof_slots_grow(uint32_t **slots, size_t *mask, pprof_slot_hash hash, const void *ctx)
{
    size_t old = *mask + 1;
    uint32_t *t = NULL;
    int rc = old > SIZE_MAX / 2 ? PPROF_ELIMIT : slots_new(&t, old * 2, old / 2); /* (grown half full) */
    if (rc)
        return rc;
    for (size_t i = 0; i < old; i++)
        if ((*slots)[i])
            slots_put(t, old * 2 - 1, hash(ctx, (*slots)[i] - 1), (*slots)[i]);
    slots_replace(slots, mask, t, old * 2);
    return 0;
}
