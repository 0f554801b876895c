/* idmap.c: growth of the wire-id to index map and of the id set (lookups are inline in idmap.h). */
#include "idmap.h"

void pprof_idmap_release(pprof_idmap *m)
{
    free(m->dense);
    free(m->entries);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static uint64_t entry_hash(const void *ctx, size_t i)
{
    return pprof_hash_u64(((const pprof_idmap *)ctx)->entries[i].id);
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
    size_t old_cap = m->dense_cap;
    if (PPROF_GROW(m->dense, m->dense_cap, cap))
        return PPROF_ENOMEM;
    /* (all of it written: its pages mapped in one call, not faulted) */
    pprof_populate(m->dense + old_cap, (m->dense_cap - old_cap) * sizeof *m->dense);
    memset(m->dense + old_cap, 0, (m->dense_cap - old_cap) * sizeof *m->dense);
    if (!m->count)
        return 0;
    size_t kept = 0;
    for (size_t i = 0; i < m->count; i++) {
        pprof_idmap_entry e = m->entries[i];
        if (e.id < m->dense_cap) {
            m->dense[e.id] = e.index + 1;
            m->dense_count++;
        } else {
            m->entries[kept++] = e;
        }
    }
    if (kept == m->count)
        return 0;
    m->count = kept;
    return pprof_slots_rebuild(&m->slots, &m->mask, m->mask + 1, kept, entry_hash, m);
}

int pprof_idmap_reserve(pprof_idmap *m, uint64_t max_id)
{
    return max_id < PPROF_IDMAP_DENSE_MAX && max_id >= m->dense_cap ? dense_grow(m, max_id) : 0;
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
    if (!m->slots || (m->count + 1) * 2 > m->mask + 1) {
        int rc = pprof_slots_rebuild(&m->slots, &m->mask, m->slots ? (m->mask + 1) * 2 : 1024, m->count,
                                     entry_hash, m);
        if (rc)
            return rc;
    }
    size_t i = pprof_hash_u64(id) & m->mask;
    for (; m->slots[i]; i = (i + 1) & m->mask)
        if (m->entries[m->slots[i] - 1].id == id) {
            m->entries[m->slots[i] - 1].index = index;
            return 0;
        }
    if (PPROF_GROW(m->entries, m->cap_entries, m->count + 1))
        return PPROF_ENOMEM;
    m->entries[m->count] = (pprof_idmap_entry){id, index};
    m->slots[i] = (uint32_t)++m->count;
    return 0;
}

void pprof_idset_release(pprof_idset *s)
{
    free(s->bits);
    pprof_idmap_release(&s->big);
    memset(s, 0, sizeof *s);
}

int pprof_idset_add(pprof_idset *s, uint64_t id)
{
    if (id >= PPROF_IDSET_BITS_MAX)
        return pprof_idmap_put(&s->big, id, 0);
    size_t w = (size_t)(id >> 6), old = s->n_words;
    if (w >= old) {
        if (PPROF_GROW(s->bits, s->n_words, w + 1))
            return PPROF_ENOMEM;
        memset(s->bits + old, 0, (s->n_words - old) * sizeof *s->bits);
    }
    s->bits[w] |= (uint64_t)1 << (id & 63);
    return 0;
}

size_t pprof_idset_count(const pprof_idset *s, uint64_t *max)
{
    size_t n = s->big.dense_count + s->big.count;
    *max = n ? PPROF_IDSET_BITS_MAX : 0;
    for (size_t w = 0; w < s->n_words; w++) {
        n += (size_t)__builtin_popcountll(s->bits[w]);
        if (s->bits[w] && *max < PPROF_IDSET_BITS_MAX)
            *max = (uint64_t)w * 64 + 63 - (unsigned)__builtin_clzll(s->bits[w]);
    }
    return n;
}
