/* transform.c: whole-profile transforms used to compare profiles: scaling, normalizing against a base, labelling. */
#include "idmap.h"
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
    pprof_profile_changed(p);
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
    pprof_profile_changed(p);
    size_t nt = p->n_sample_types;
    if (base->n_sample_types != nt)
        return pprof_error_set(err, PPROF_EINVAL, "cannot normalize: the base has %zu sample types, the profile %zu",
                               base->n_sample_types, nt);
    /* pprof normalizes before it rescales units for the merge: periods in
     * different units (even compatible ones) are an error here. */
    const char *pt = pprof_string(p, p->period_type.type), *pu = pprof_string(p, p->period_type.unit);
    const char *bt = pprof_string(base, base->period_type.type), *bu = pprof_string(base, base->period_type.unit);
    if (strcmp(pt, bt) != 0 || strcmp(pu, bu) != 0)
        return pprof_error_set(err, PPROF_EINVAL, "incompatible period types %s/%s and %s/%s", pt, pu, bt, bu);
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
    pprof_profile_changed(p);
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
        if (s->n_labels)
            memcpy(labels + n, p->labels + s->labels_off, s->n_labels * sizeof *labels);
        s->labels_off = n;
        n += s->n_labels;
        labels[n++] = (pprof_label){.key = k, .str = v};
        s->n_labels++;
    }
    free(p->labels);
    p->labels = labels;
    p->n_labels = n;
    p->internal->cap_labels.n = p->n_labels + extra + 1;
    return 0;
}

/* The text of a tag frame: the sample's values for key, joined by ",". */
static int tag_value(pprof_buf *v, const pprof_profile *p, const pprof_sample *s, pprof_str key, const char *unit)
{
    v->len = 0;
    for (uint32_t k = 0; k < s->n_labels; k++) {
        const pprof_label *l = &p->labels[s->labels_off + k];
        if (l->key != key || l->str == 0)
            continue;
        if (v->len)
            pprof_buf_puts(v, ",");
        pprof_buf_append(v, p->strings[l->str], p->string_lens[l->str]);
    }
    for (uint32_t k = 0; k < s->n_labels; k++) {
        const pprof_label *l = &p->labels[s->labels_off + k];
        if (l->key != key || l->str != 0)
            continue;
        char num[64];
        /* pprof scales by the label's own unit here, not the key's default. */
        pprof_format_scaled(num, sizeof num, l->num, p->strings[l->num_unit], unit);
        if (v->len)
            pprof_buf_puts(v, ",");
        pprof_buf_puts(v, num);
    }
    return v->failed ? PPROF_ENOMEM : 0;
}

/* Location for the tag frame (key k, value name), made on first use. */
static int tag_location(pprof_profile *p, pprof_idmap *made, pprof_str key, size_t k, pprof_str name,
                        uint64_t *next_fn, uint64_t *next_loc, uint32_t *out)
{
    /* Keys of the map: name id and key slot, plus one so 0 is never used. */
    uint64_t id = ((uint64_t)name << 7 | k) + 1;
    uint32_t loc = pprof_idmap_get(made, id);
    if (loc != PPROF_NONE) {
        *out = loc;
        return 0;
    }
    pprof_function fn = {.id = ++*next_fn, .name = name, .filename = key};
    uint32_t f;
    int rc = pprof_profile_add_function(&f, p, &fn);
    pprof_line line = {.function = f};
    pprof_location l = {.id = ++*next_loc, .mapping = PPROF_NONE};
    if (!rc)
        rc = pprof_profile_add_location(&loc, p, &l, &line, 1);
    if (!rc)
        rc = pprof_idmap_put(made, id, loc);
    *out = loc;
    return rc;
}

int pprof_profile_add_tag_frames(pprof_profile *p, const char *keys, bool at_root, const char *unit,
                                 pprof_error *err)
{
    pprof_profile_changed(p);
    pprof_str key_ids[64];
    size_t n_keys = 0;
    for (const char *k = keys; k && *k && n_keys < 64;) {
        const char *comma = strchr(k, ',');
        size_t len = comma ? (size_t)(comma - k) : strlen(k);
        if (len && pprof_profile_intern(&key_ids[n_keys++], p, k, len))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        k = comma ? comma + 1 : NULL;
    }
    if (n_keys == 0)
        return 0;
    uint64_t next_fn = 0, next_loc = 0;
    for (size_t i = 0; i < p->n_functions; i++)
        next_fn = p->functions[i].id > next_fn ? p->functions[i].id : next_fn;
    for (size_t i = 0; i < p->n_locations; i++)
        next_loc = p->locations[i].id > next_loc ? p->locations[i].id : next_loc;
    /* (Samples may share their ranges: each gets its own copy here.) */
    size_t total = p->n_samples * n_keys;
    for (size_t i = 0; i < p->n_samples; i++)
        total += p->samples[i].n_locs;
    uint32_t *locs = malloc((total ? total : 1) * sizeof *locs);
    pprof_idmap made;
    memset(&made, 0, sizeof made);
    pprof_buf v = {0};
    int rc = locs ? 0 : PPROF_ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < p->n_samples && !rc; i++) {
        pprof_sample *s = &p->samples[i];
        uint32_t tag[64];
        for (size_t k = 0; k < n_keys && !rc; k++) {
            pprof_str name = 0;
            rc = tag_value(&v, p, s, key_ids[k], unit);
            if (!rc)
                rc = pprof_profile_intern(&name, p, v.data ? (const char *)v.data : "", v.len);
            if (!rc)
                rc = tag_location(p, &made, key_ids[k], k, name, &next_fn, &next_loc, &tag[k]);
        }
        if (rc)
            break;
        /* Stacks are leaf first: root tags go after the stack, the first key
         * outermost; leaf tags before it, the last key innermost. */
        size_t off = w;
        if (!at_root)
            for (size_t k = n_keys; k-- > 0;)
                locs[w++] = tag[k];
        if (s->n_locs)
            memcpy(locs + w, p->sample_locs + s->locs_off, s->n_locs * sizeof *locs);
        w += s->n_locs;
        if (at_root)
            for (size_t k = n_keys; k-- > 0;)
                locs[w++] = tag[k];
        s->locs_off = off;
        s->n_locs += (uint32_t)n_keys;
    }
    pprof_idmap_release(&made);
    pprof_buf_release(&v);
    if (rc) {
        free(locs);
        return pprof_error_set(err, rc, "adding tag frames: %s", pprof_strerror(rc));
    }
    free(p->sample_locs);
    p->sample_locs = locs;
    p->n_sample_locs = w;
    p->internal->cap_sample_locs = total;
    return 0;
}
