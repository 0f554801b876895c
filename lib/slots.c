/* slots.c: the toolkit's one open-addressing index (entry index + 1 per slot, linear probing), rebuilt at a new size. */
#include "internal.h"

int pprof_slots_rebuild(uint32_t **slots, size_t *mask, size_t n_slots, size_t n, pprof_slot_hash hash,
                        const void *ctx)
{
    if (n >= n_slots || n_slots > (size_t)UINT32_MAX + 1 || (n_slots & (n_slots - 1)))
        return PPROF_ELIMIT;
    uint32_t *t = calloc(n_slots, sizeof *t);
    if (!t)
        return PPROF_ENOMEM;
    size_t m = n_slots - 1;
    for (size_t i = 0; i < n; i++) {
        size_t h = (size_t)hash(ctx, i) & m;
        while (t[h])
            h = (h + 1) & m;
        t[h] = (uint32_t)i + 1;
    }
    free(*slots);
    *slots = t;
    *mask = m;
    return 0;
}
