/* stack_index.c: the samples grouped by location list (each distinct stack once, with its summed values), so graph passes walk distinct stacks instead of samples. */
#include "internal.h"

#include <stdlib.h>

/* Hash of a location list (its length included). */
static uint64_t locs_hash(const uint32_t *l, size_t n)
{
    uint64_t h = pprof_hash_u64(n + 1);
    for (size_t i = 0; i < n; i++)
        h = (h ^ l[i]) * 0x9e3779b97f4a7c15ULL;
    return pprof_hash_u64(h);
}

typedef struct builder {
    pprof_stack_index *x;
    uint64_t *hash; /* per stack */
    size_t cap;
} builder;

static uint64_t stack_hash(const void *ctx, size_t i)
{
    return ((const builder *)ctx)->hash[i];
}

void pprof_stack_index_free(pprof_stack_index *x)
{
    if (!x)
        return;
    free(x->first);
    free(x->values);
    free(x);
}

int pprof_stack_index_build(pprof_stack_index **out, const pprof_profile *p)
{
    *out = NULL;
    size_t nt = p->n_sample_types, ns = p->n_samples;
    if (ns > UINT32_MAX - 1)
        return PPROF_ELIMIT;
    pprof_stack_index *x = calloc(1, sizeof *x);
    if (!x)
        return PPROF_ENOMEM;
    x->n_types = nt;
    x->n_samples = ns;
    x->n_sample_locs = p->n_sample_locs;
    x->samples = p->samples;
    x->sample_values = p->values;
    if (nt == 0) { /* nothing to sum: no index is usable */
        *out = x;
        return 0;
    }
    builder b = {.x = x};
    uint32_t *slots = NULL;
    size_t mask = 0, cap_values = 0, cap_first = 0;
    int rc = pprof_slots_rebuild(&slots, &mask, 4096, 0, stack_hash, &b);
    /* Sums of magnitudes per type: when one fits, no order of additions
     * of that type's values can saturate. */
    uint64_t *abs_sum = calloc(nt ? nt : 1, sizeof *abs_sum);
    if (!abs_sum)
        rc = PPROF_ENOMEM;
    uint64_t zero = 0; /* bit t: some sample has value 0 in type t */
    for (size_t s = 0; s < ns && !rc; s++) {
        const pprof_sample *sm = &p->samples[s];
        const uint32_t *locs = pprof_sample_locs(p, sm);
        const int64_t *v = p->values + s * nt;
        for (size_t t = 0; t < nt && t < 64; t++) {
            zero |= (uint64_t)(v[t] == 0) << t;
            int64_t a = v[t] < 0 ? (v[t] == INT64_MIN ? INT64_MAX : -v[t]) : v[t];
            if (__builtin_add_overflow(abs_sum[t], (uint64_t)a, &abs_sum[t]))
                abs_sum[t] = UINT64_MAX;
        }
        uint64_t hv = locs_hash(locs, sm->n_locs);
        size_t h = hv & mask;
        uint32_t found = PPROF_NONE;
        for (; slots[h]; h = (h + 1) & mask) {
            uint32_t k = slots[h] - 1;
            const pprof_sample *o = &p->samples[x->first[k]];
            if (b.hash[k] == hv && o->n_locs == sm->n_locs &&
                (sm->n_locs == 0 || memcmp(pprof_sample_locs(p, o), locs, sm->n_locs * sizeof *locs) == 0)) {
                found = k;
                break;
            }
        }
        if (found == PPROF_NONE) {
            size_t n = x->n_stacks;
            if (PPROF_GROW(x->first, cap_first, n + 1) || PPROF_GROW(b.hash, b.cap, n + 1) ||
                PPROF_GROW(x->values, cap_values, (n + 1) * nt)) {
                rc = PPROF_ENOMEM;
                break;
            }
            x->first[n] = (uint32_t)s;
            x->n_stack_locs += sm->n_locs;
            b.hash[n] = hv;
            memset(x->values + n * nt, 0, nt * sizeof *x->values);
            slots[h] = (uint32_t)n + 1;
            found = (uint32_t)n;
            x->n_stacks = n + 1;
            if (x->n_stacks * 2 > mask + 1)
                rc = pprof_slots_rebuild(&slots, &mask, (mask + 1) * 2, x->n_stacks, stack_hash, &b);
        }
        int64_t *sum = x->values + (size_t)found * nt;
        for (size_t t = 0; t < nt; t++)
            if (__builtin_add_overflow(sum[t], v[t], &sum[t]))
                sum[t] = v[t] > 0 ? INT64_MAX : INT64_MIN;
    }
    for (size_t t = 0; t < nt && t < 64 && !rc; t++)
        if (abs_sum[t] <= INT64_MAX && !(zero >> t & 1))
            x->usable |= (uint64_t)1 << t;
    free(abs_sum);
    free(slots);
    free(b.hash);
    if (rc) {
        pprof_stack_index_free(x);
        return rc;
    }
    *out = x;
    return 0;
}

bool pprof_stack_index_fits(const pprof_stack_index *x, const pprof_profile *p, int sample_index, bool mean)
{
    if (!x || x->n_types != p->n_sample_types || x->n_samples != p->n_samples ||
        x->n_sample_locs != p->n_sample_locs || x->samples != p->samples || x->sample_values != p->values)
        return false;
    if (sample_index < 0 || sample_index >= 64 || (size_t)sample_index >= x->n_types)
        return false;
    return (x->usable >> sample_index & 1) && (!mean || (x->usable & 1));
}

const pprof_stack_index *pprof_profile_stack_index(const pprof_profile *p, int sample_index, bool mean)
{
    const pprof_stack_index *x = p->internal ? p->internal->stacks : NULL;
    return pprof_stack_index_fits(x, p, sample_index, mean) ? x : NULL;
}

void pprof_profile_changed(pprof_profile *p)
{
    if (p && p->internal) {
        pprof_stack_index_free(p->internal->stacks);
        p->internal->stacks = NULL;
    }
}

int pprof_profile_index(pprof_profile *p, pprof_error *err)
{
    pprof_profile_changed(p);
    int rc = pprof_stack_index_build(&p->internal->stacks, p);
    return rc ? pprof_error_set(err, rc, "indexing the samples' stacks: %s", pprof_strerror(rc)) : 0;
}
