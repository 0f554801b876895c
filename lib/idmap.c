/* idmap.c: growth of the wire-id to index map (lookups are inline in idmap.h). */
#include "idmap.h"

void pprof_idmap_release(pprof_idmap *m)
{
    free(m->dense);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int hash_grow(pprof_idmap *m)
{
    size_t slots = m->keys ? (m->mask + 1) * 2 : 1024;
    uint64_t *keys = calloc(slots, sizeof *keys);
    uint32_t *vals = calloc(slots, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return PPROF_ENOMEM;
    }
    if (m->keys) {
        for (size_t i = 0; i <= m->mask; i++) {
            if (!m->keys[i])
                continue;
            size_t j = pprof_hash_u64(m->keys[i]) & (slots - 1);
            while (keys[j])
                j = (j + 1) & (slots - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->mask = slots - 1;
    return 0;
}

int pprof_idmap_put(pprof_idmap *m, uint64_t id, uint32_t index)
{
    if (id < PPROF_IDMAP_DENSE_MAX) {
        if (id >= m->dense_cap) {
            size_t cap = m->dense_cap ? m->dense_cap : 1024;
            while (cap <= id)
                cap *= 2;
            uint32_t *d = realloc(m->dense, cap * sizeof *d);
            if (!d)
                return PPROF_ENOMEM;
            memset(d + m->dense_cap, 0, (cap - m->dense_cap) * sizeof *d);
            m->dense = d;
            m->dense_cap = cap;
        }
        m->dense[id] = index + 1;
        return 0;
    }
    if (!m->keys || (m->count + 1) * 2 > m->mask + 1)
        if (hash_grow(m))
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
