/* weight.c: a sample's weight for reports (sample index, -mean, saturation) and the one safe quotient every writer divides with. */
#include "internal.h"

/* Only INT64_MIN / -1 overflows (and traps on x86): it saturates. */
int64_t pprof_quotient(int64_t a, int64_t b)
{
    if (b == 0)
        return a;
    if (b == -1)
        return a == INT64_MIN ? INT64_MAX : -a;
    return a / b;
}

int64_t pprof_sample_weight(const pprof_profile *p, size_t s, int sample_index, bool mean)
{
    size_t nt = p->n_sample_types;
    if (sample_index < 0 || (size_t)sample_index >= nt || s >= p->n_samples)
        return 0;
    const int64_t *v = p->values + s * nt;
    return mean ? pprof_quotient(v[sample_index], v[0]) : v[sample_index];
}
