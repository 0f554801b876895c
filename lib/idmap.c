/* idmap.c: growth of the wire-id to index map (lookups are inline in idmap.h). */
#include "idmap.h"

void pprof_idmap_release(pprof_idmap *m)
{
    free(m->dense);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Rebuilds the hash at `slots`, leaving out the ids below keep_below (moved
 * to the dense array by the caller). */
static int hash_rebuild(pprof_idmap *m, size_t slots, uint64_t keep_below)
{
    uint64_t *keys = calloc(slots, sizeof *keys);
    uint32_t *vals = calloc(slots, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return PPROF_ENOMEM;
    }
    size_t count = 0;
    if (m->keys) {
        for (size_t i = 0; i <= m->mask; i++) {
            if (!m->keys[i] || m->keys[i] < keep_below)
                continue;
            size_t j = pprof_hash_u64(m->keys[i]) & (slots - 1);
            while (keys[j])
                j = (j + 1) & (slots - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
            count++;
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->mask = slots - 1;
    m->count = count;
    return 0;
}

/* Grows the dense array to cover id; hashed ids it now covers move into it. */
static int dense_grow(pprof_idmap *m, uint64_t id)
{
    size_t cap = m->dense_cap ? m->dense_cap : 1024;
    while (cap <= id) {
        if (cap > SIZE_MAX / 2 / sizeof *m->dense)
            return PPROF_ENOMEM;
        cap *= 2;
    }
    uint32_t *d = realloc(m->dense, cap * sizeof *d);
    if (!d)
        return PPROF_ENOMEM;
    memset(d + m->dense_cap, 0, (cap - m->dense_cap) * sizeof *d);
    m->dense = d;
    m->dense_cap = cap;
    if (m->keys && m->count) {
        for (size_t i = 0; i <= m->mask; i++)
            if (m->keys[i] && m->keys[i] < cap) {
                d[m->keys[i]] = m->vals[i] + 1;
                m->dense_count++;
            }
        return hash_rebuild(m, m->mask + 1, cap);
    }
    return 0;
}

int pprof_idmap_put(pprof_idmap *m, uint64_t id, uint32_t index)
{
    /* Dense below PPROF_IDMAP_DENSE_MAX, and above it while the array,
     * grown to cover id, would hold at least one id in 4 slots. */
    uint64_t stored = m->dense_count + m->count + 1;
    if (id >= m->dense_cap &&
        (id < PPROF_IDMAP_DENSE_MAX || (id <= ((uint64_t)UINT32_MAX << 2) && id / 4 < stored)))
        if (dense_grow(m, id))
            return PPROF_ENOMEM;
    if (id < m->dense_cap) {
        if (!m->dense[id])
            m->dense_count++;
        m->dense[id] = index + 1;
        return 0;
    }
    if (!m->keys || (m->count + 1) * 2 > m->mask + 1)
        if (hash_rebuild(m, m->keys ? (m->mask + 1) * 2 : 1024, 0))
            return PPROF_ENOMEM;
    size_t i = pprof_hash_u64(id) & m->mask;
    while (m->keys[i] && m->keys[i] != id)
        i = (i + 1) & m->mask;
    if (!m->keys[i])
        m->count++;
    m->keys[i] = id;
    m->vals[i] = index;
    return 0;
}
