/* sample_total.c: sample-type selection and the report total, as pprof computes them. */
#include "internal.h"

#include <stdlib.h>

static bool parse_index(const char *s, long *out)
{
    if (!*s)
        return false;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

int pprof_sample_index(int *out, const pprof_profile *p, const char *name, pprof_error *err)
{
    size_t n = p->n_sample_types;
    if (!name || !*name) {
        if (p->default_sample_type) {
            for (size_t i = 0; i < n; i++)
                if (p->sample_types[i].type == p->default_sample_type) {
                    *out = (int)i;
                    return 0;
                }
        }
        *out = n ? (int)n - 1 : 0;
        return 0;
    }
    long idx;
    if (parse_index(name, &idx)) {
        if (idx < 0 || (size_t)idx >= n)
            return pprof_error_set(err, PPROF_EINVAL, "sample_index %s is outside the range [0..%zu]",
                                   name, n ? n - 1 : 0);
        *out = (int)idx;
        return 0;
    }
    const char *bare = strncmp(name, "inuse_", 6) == 0 ? name + 6 : NULL;
    for (size_t i = 0; i < n; i++) {
        const char *t = p->strings[p->sample_types[i].type];
        if (strcmp(t, name) == 0 || (bare && strcmp(t, bare) == 0)) {
            *out = (int)i;
            return 0;
        }
    }
    pprof_buf types = {0};
    for (size_t i = 0; i < n; i++)
        pprof_buf_printf(&types, "%s%s", i ? " " : "", p->strings[p->sample_types[i].type]);
    pprof_error_set(err, PPROF_ENOTFOUND, "sample_index \"%s\" must be one of: [%s]", name,
                    types.data ? (const char *)types.data : "");
    pprof_buf_release(&types);
    return PPROF_ENOTFOUND;
}

static inline int64_t abs_sat(int64_t v)
{
    return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

int64_t pprof_profile_total(const pprof_profile *p, int sample_index, bool mean, bool *overflow)
{
    size_t nt = p->n_sample_types;
    if (overflow)
        *overflow = false;
    if (sample_index < 0 || (size_t)sample_index >= nt)
        return 0;
    /* With diff_base, the base samples (labelled pprof::base) alone make the total. */
    pprof_str base_key = 0, true_val = 0;
    bool have_base = pprof_profile_find_string(&base_key, p, "pprof::base", 11) &&
                     pprof_profile_find_string(&true_val, p, "true", 4);
    bool any_base = false;
    uint8_t *is_base = NULL;
    if (have_base) {
        is_base = calloc(p->n_samples ? p->n_samples : 1, 1);
        for (size_t i = 0; is_base && i < p->n_samples; i++) {
            const pprof_sample *s = &p->samples[i];
            for (uint32_t k = 0; k < s->n_labels; k++) {
                const pprof_label *l = &p->labels[s->labels_off + k];
                if (l->key == base_key && l->str == true_val) {
                    is_base[i] = 1;
                    any_base = true;
                }
            }
        }
    }
    int64_t total = 0, div = 0;
    bool ovf = false;
    for (size_t i = 0; i < p->n_samples; i++) {
        if (any_base && !is_base[i])
            continue;
        const int64_t *v = p->values + i * nt;
        int64_t mag = abs_sat(v[sample_index]);
        /* A value at the bound may itself be a clamped sum (the decoder
         * merges identical samples with saturating adds): said too. */
        if (mag == INT64_MAX)
            ovf = true;
        if (__builtin_add_overflow(total, mag, &total)) {
            total = INT64_MAX;
            ovf = true;
        }
        if (mean && __builtin_add_overflow(div, v[0], &div)) {
            div = INT64_MAX;
            ovf = true;
        }
    }
    free(is_base);
    if (overflow)
        *overflow = ovf;
    if (mean)
        total = div ? pprof_quotient(total, div) : 0;
    return total;
}
