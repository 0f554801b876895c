/* transform.c: whole-profile transforms used to compare profiles: scaling, normalizing against a base, labelling. */
#include "internal.h"

#include <math.h>

/* Go's math.Round: halves away from zero. */
static int64_t scale_value(int64_t v, double r)
{
    double x = round((double)v * r);
    if (x >= 9223372036854775807.0)
        return INT64_MAX;
    if (x <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)x;
}

int pprof_profile_scale(pprof_profile *p, const double *ratios)
{
    size_t nt = p->n_sample_types, kept = 0;
    for (size_t i = 0; i < p->n_samples; i++) {
        int64_t *v = p->values + i * nt;
        bool zero = true;
        for (size_t k = 0; k < nt; k++) {
            v[k] = scale_value(v[k], ratios[k]);
            zero &= v[k] == 0;
        }
        /* Samples left with only zeros are dropped, as pprof's Scale does. */
        if (zero && nt)
            continue;
        if (kept != i) {
            p->samples[kept] = p->samples[i];
            memmove(p->values + kept * nt, v, nt * sizeof *v);
        }
        kept++;
    }
    p->n_samples = kept;
    return 0;
}

int pprof_profile_normalize(pprof_profile *p, const pprof_profile *base, pprof_error *err)
{
    size_t nt = p->n_sample_types;
    if (base->n_sample_types != nt)
        return pprof_error_set(err, PPROF_EINVAL, "cannot normalize: the base has %zu sample types, the profile %zu",
                               base->n_sample_types, nt);
    double *r = calloc(nt ? nt : 1, sizeof *r);
    if (!r)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    for (size_t k = 0; k < nt; k++) {
        double sb = 0, sp = 0;
        for (size_t i = 0; i < base->n_samples; i++)
            sb += (double)base->values[i * nt + k];
        for (size_t i = 0; i < p->n_samples; i++)
            sp += (double)p->values[i * nt + k];
        r[k] = sp != 0 ? sb / sp : 0;
    }
    int rc = pprof_profile_scale(p, r);
    free(r);
    return rc;
}

int pprof_profile_add_label_all(pprof_profile *p, const char *key, const char *value)
{
    pprof_str k, v;
    if (pprof_profile_intern(&k, p, key, strlen(key)) || pprof_profile_intern(&v, p, value, strlen(value)))
        return PPROF_ENOMEM;
    /* Each sample's labels move to the end of the label array with the new
     * one appended, keeping a sample's labels contiguous. */
    size_t extra = p->n_samples;
    pprof_label *labels = malloc((p->n_labels + extra + 1) * sizeof *labels);
    if (!labels)
        return PPROF_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < p->n_samples; i++) {
        pprof_sample *s = &p->samples[i];
        memcpy(labels + n, p->labels + s->labels_off, s->n_labels * sizeof *labels);
        s->labels_off = n;
        n += s->n_labels;
        labels[n++] = (pprof_label){.key = k, .str = v};
        s->n_labels++;
    }
    free(p->labels);
    p->labels = labels;
    p->n_labels = n;
    p->internal->cap_labels = p->n_labels + extra + 1;
    return 0;
}
