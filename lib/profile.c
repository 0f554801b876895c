/* profile.c: profile lifecycle, string interning and the table builder. */
#include "internal.h"

pprof_profile *pprof_profile_new(void)
{
    pprof_profile *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->internal = calloc(1, sizeof *p->internal);
    pprof_str empty;
    if (!p->internal || pprof_profile_intern(&empty, p, "", 0) != 0) {
        pprof_profile_free(p);
        return NULL;
    }
    return p;
}

void pprof_profile_free(pprof_profile *p)
{
    if (!p)
        return;
    if (p->internal) {
        pprof_arena_release(&p->internal->arena);
        pprof_stack_index_free(p->internal->stacks);
        free(p->internal->str_slots);
        for (size_t i = 0; i < p->internal->n_retired; i++)
            free(p->internal->retired[i]);
        free(p->internal->retired);
        free(p->internal);
    }
    free((void *)p->strings);
    free((void *)p->string_lens);
    free(p->sample_types);
    free(p->samples);
    free(p->values);
    free(p->sample_locs);
    free(p->labels);
    free(p->mappings);
    free(p->locations);
    free(p->lines);
    free(p->functions);
    free(p->comments);
    free(p);
}

void pprof_profile_retire(pprof_profile *p, void *ptr)
{
    struct pprof_profile_internal *in = p->internal;
    if (ptr && PPROF_GROW(in->retired, in->cap_retired, in->n_retired + 1) == 0)
        in->retired[in->n_retired++] = ptr;
    else
        free(ptr);
}

/* ---------------------------------------------------------------- strings */

static uint64_t str_hash(const char *s, size_t len)
{
    return pprof_hash_bytes(s, len);
}

/* The string table's index is the toolkit's: a slot holds string id + 1. */
static uint64_t str_entry_hash(const void *ctx, size_t id)
{
    const pprof_profile *p = ctx;
    return str_hash(p->strings[id], p->string_lens[id]);
}

/* Finds s; returns its slot (holding 0 when absent). */
static size_t str_find_slot(const pprof_profile *p, const char *s, size_t len, uint64_t h)
{
    const struct pprof_profile_internal *in = p->internal;
    size_t i = h & in->str_mask;
    for (;;) {
        uint32_t e = in->str_slots[i];
        if (!e || (p->string_lens[e - 1] == len && memcmp(p->strings[e - 1], s, len) == 0))
            return i;
        i = (i + 1) & in->str_mask;
    }
}

bool pprof_profile_find_string(pprof_str *out, const pprof_profile *p, const char *s, size_t len)
{
    if (len == 0) {
        *out = 0;
        return true;
    }
    if (!p->internal->str_slots)
        return false;
    uint32_t e = p->internal->str_slots[str_find_slot(p, s, len, str_hash(s, len))];
    *out = e ? e - 1 : 0;
    return e != 0;
}

/* intern of s, whose str_hash is h. */
static int intern_hashed(pprof_str *out, pprof_profile *p, const char *s, size_t len, uint64_t h, bool copy)
{
    struct pprof_profile_internal *in = p->internal;
    if (len == 0 && p->n_strings > 0) {
        *out = 0;
        return 0;
    }
    if (len > UINT32_MAX)
        return PPROF_ELIMIT;
    if ((p->n_strings + 1) * 2 > in->str_mask + 1 || !in->str_slots) {
        size_t slots = in->str_slots ? (in->str_mask + 1) * 2 : 1024;
        if (pprof_slots_rebuild(&in->str_slots, &in->str_mask, slots, p->n_strings, str_entry_hash, p))
            return PPROF_ENOMEM;
    }
    size_t slot = 0;
    if (p->n_strings > 0) {
        slot = str_find_slot(p, s, len, h);
        if (in->str_slots[slot]) {
            *out = in->str_slots[slot] - 1;
            return 0;
        }
    }
    if (p->n_strings >= UINT32_MAX - 1)
        return PPROF_ELIMIT;
    size_t cap = in->cap_strings;
    if (PPROF_GROW(p->strings, cap, p->n_strings + 1))
        return PPROF_ENOMEM;
    size_t cap2 = in->cap_strings;
    if (PPROF_GROW(p->string_lens, cap2, p->n_strings + 1))
        return PPROF_ENOMEM;
    in->cap_strings = cap < cap2 ? cap : cap2;
    const char *stored = s;
    if (copy) {
        char *c = pprof_arena_alloc_bytes(&in->arena, len + 1);
        if (!c)
            return PPROF_ENOMEM;
        memcpy(c, s, len);
        c[len] = 0;
        stored = c;
    }
    uint32_t id = (uint32_t)p->n_strings++;
    p->strings[id] = stored;
    ((uint32_t *)p->string_lens)[id] = (uint32_t)len;
    if (id > 0)
        in->str_slots[slot] = id + 1;
    *out = id;
    return 0;
}

static int intern(pprof_str *out, pprof_profile *p, const char *s, size_t len, bool copy)
{
    return intern_hashed(out, p, s, len, str_hash(s, len), copy);
}

int pprof_profile_intern(pprof_str *out, pprof_profile *p, const char *s, size_t len)
{
    return intern(out, p, s, len, true);
}

int pprof_profile_intern_owned(pprof_str *out, pprof_profile *p, const char *s, size_t len)
{
    return intern(out, p, s, len, false);
}

int pprof_profile_intern_owned_n(pprof_str *out, pprof_profile *p, const char *const *s, const uint32_t *len,
                                 size_t n)
{
    struct pprof_profile_internal *in = p->internal;
    /* The index sized once for all of them: grown by doubling, it was
     * rebuilt (every string hashed again) some twenty times on a profile
     * of a million strings. */
    size_t want = 1024;
    while (want < (p->n_strings + n + 1) * 2)
        want *= 2;
    if (!in->str_slots || want > in->str_mask + 1)
        if (pprof_slots_rebuild(&in->str_slots, &in->str_mask, want, p->n_strings, str_entry_hash, p))
            return PPROF_ENOMEM;
    /* Hashed a batch ahead, their slots fetched while the batch is hashed:
     * the look-ups wait on memory at random, now at once. */
    enum { AHEAD = 16 };
    uint64_t h[AHEAD];
    for (size_t b = 0; b < n; b += AHEAD) {
        size_t m = n - b < AHEAD ? n - b : AHEAD;
        for (size_t k = 0; k < m; k++) {
            h[k] = str_hash(s[b + k], len[b + k]);
            __builtin_prefetch(&in->str_slots[h[k] & in->str_mask]);
        }
        for (size_t k = 0; k < m; k++) {
            int rc = intern_hashed(&out[b + k], p, s[b + k], len[b + k], h[k], false);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- builder */

int pprof_profile_add_sample_type(pprof_profile *p, pprof_value_type vt)
{
    pprof_profile_changed(p);
    if (p->n_samples)
        return PPROF_EINVAL; /* values are laid out per sample type count */
    if (PPROF_GROW(p->sample_types, p->internal->cap_sample_types, p->n_sample_types + 1))
        return PPROF_ENOMEM;
    p->sample_types[p->n_sample_types++] = vt;
    return 0;
}

int pprof_profile_add_mapping(uint32_t *out, pprof_profile *p, const pprof_mapping *m)
{
    if (p->n_mappings >= UINT32_MAX - 1)
        return PPROF_ELIMIT;
    if (PPROF_GROW(p->mappings, p->internal->cap_mappings, p->n_mappings + 1))
        return PPROF_ENOMEM;
    p->mappings[p->n_mappings] = *m;
    if (out)
        *out = (uint32_t)p->n_mappings;
    p->n_mappings++;
    return 0;
}

int pprof_profile_add_function(uint32_t *out, pprof_profile *p, const pprof_function *f)
{
    if (p->n_functions >= UINT32_MAX - 1)
        return PPROF_ELIMIT;
    if (PPROF_GROW_AHEAD(p->functions, p->internal->cap_functions, p->n_functions + 1))
        return PPROF_ENOMEM;
    p->functions[p->n_functions] = *f;
    if (out)
        *out = (uint32_t)p->n_functions;
    p->n_functions++;
    return 0;
}

int pprof_profile_add_location(uint32_t *out, pprof_profile *p, const pprof_location *l,
                               const pprof_line *lines, size_t n_lines)
{
    struct pprof_profile_internal *in = p->internal;
    if (p->n_locations >= UINT32_MAX - 1 || p->n_lines + n_lines >= UINT32_MAX)
        return PPROF_ELIMIT;
    if (PPROF_GROW(p->locations, in->cap_locations.n, p->n_locations + 1) ||
        PPROF_GROW(p->lines, in->cap_lines.n, p->n_lines + n_lines))
        return PPROF_ENOMEM;
    pprof_location *loc = &p->locations[p->n_locations];
    *loc = *l;
    loc->lines_off = (uint32_t)p->n_lines;
    loc->n_lines = (uint32_t)n_lines;
    if (n_lines)
        memcpy(p->lines + p->n_lines, lines, n_lines * sizeof *lines);
    p->n_lines += n_lines;
    if (out)
        *out = (uint32_t)p->n_locations;
    p->n_locations++;
    return 0;
}

int pprof_profile_set_lines(pprof_profile *p, uint32_t loc, const pprof_line *lines, size_t n_lines)
{
    struct pprof_profile_internal *in = p->internal;
    if (loc >= p->n_locations)
        return PPROF_EINVAL;
    pprof_location *l = &p->locations[loc];
    if (n_lines <= l->n_lines) {
        /* Fits in place: the old lines are overwritten. */
        if (n_lines)
            memcpy(p->lines + l->lines_off, lines, n_lines * sizeof *lines);
        l->n_lines = (uint32_t)n_lines;
        return 0;
    }
    if (p->n_lines + n_lines >= UINT32_MAX)
        return PPROF_ELIMIT;
    if (PPROF_GROW(p->lines, in->cap_lines.n, p->n_lines + n_lines))
        return PPROF_ENOMEM;
    memcpy(p->lines + p->n_lines, lines, n_lines * sizeof *lines);
    l->lines_off = (uint32_t)p->n_lines;
    l->n_lines = (uint32_t)n_lines;
    p->n_lines += n_lines;
    return 0;
}

int pprof_profile_reserve_samples(pprof_profile *p, size_t n_samples, size_t n_locs)
{
    struct pprof_profile_internal *in = p->internal;
    size_t nt = p->n_sample_types;
    if (PPROF_GROW(p->samples, in->cap_samples.n, p->n_samples + n_samples) ||
        PPROF_GROW(p->sample_locs, in->cap_sample_locs, p->n_sample_locs + n_locs))
        return PPROF_ENOMEM;
    if (nt && PPROF_GROW(p->values, in->cap_values.n, (p->n_samples + n_samples) * nt))
        return PPROF_ENOMEM;
    return 0;
}

int pprof_profile_add_sample(pprof_profile *p, const uint32_t *locs, size_t n_locs,
                             const int64_t *values, const pprof_label *labels, size_t n_labels)
{
    pprof_profile_changed(p);
    struct pprof_profile_internal *in = p->internal;
    size_t nt = p->n_sample_types;
    if (n_locs > UINT32_MAX || n_labels > UINT32_MAX)
        return PPROF_ELIMIT;
    if (pprof_profile_reserve_samples(p, 1, n_locs) ||
        PPROF_GROW(p->labels, in->cap_labels.n, p->n_labels + n_labels))
        return PPROF_ENOMEM;
    pprof_sample *s = &p->samples[p->n_samples];
    s->locs_off = p->n_sample_locs;
    s->n_locs = (uint32_t)n_locs;
    s->labels_off = p->n_labels;
    s->n_labels = (uint32_t)n_labels;
    if (n_locs)
        memcpy(p->sample_locs + p->n_sample_locs, locs, n_locs * sizeof *locs);
    p->n_sample_locs += n_locs;
    if (n_labels)
        memcpy(p->labels + p->n_labels, labels, n_labels * sizeof *labels);
    p->n_labels += n_labels;
    if (nt)
        memcpy(p->values + p->n_samples * nt, values, nt * sizeof *values);
    p->n_samples++;
    return 0;
}

int pprof_profile_add_comment(pprof_profile *p, pprof_str comment)
{
    if (PPROF_GROW(p->comments, p->internal->cap_comments, p->n_comments + 1))
        return PPROF_ENOMEM;
    p->comments[p->n_comments++] = comment;
    return 0;
}

/* ---------------------------------------------------------------- checks */

int pprof_profile_check(const pprof_profile *p, pprof_error *err)
{
    if (p->n_samples && !p->n_sample_types)
        return pprof_error_set(err, PPROF_ESEMANTIC, "missing sample type information");
    for (size_t i = 0; i < p->n_samples; i++) {
        const pprof_sample *s = &p->samples[i];
        if (s->locs_off + s->n_locs > p->n_sample_locs || s->labels_off + s->n_labels > p->n_labels)
            return pprof_error_set(err, PPROF_ESEMANTIC, "sample %zu: references out of range", i);
    }
    for (size_t i = 0; i < p->n_sample_locs; i++)
        if (p->sample_locs[i] >= p->n_locations)
            return pprof_error_set(err, PPROF_ESEMANTIC, "sample has nil location");
    for (size_t i = 0; i < p->n_locations; i++) {
        const pprof_location *l = &p->locations[i];
        if (l->mapping != PPROF_NONE && l->mapping >= p->n_mappings)
            return pprof_error_set(err, PPROF_ESEMANTIC, "location %zu: mapping out of range", i);
        if ((uint64_t)l->lines_off + l->n_lines > p->n_lines)
            return pprof_error_set(err, PPROF_ESEMANTIC, "location %zu: lines out of range", i);
    }
    for (size_t i = 0; i < p->n_lines; i++)
        if (p->lines[i].function >= p->n_functions)
            return pprof_error_set(err, PPROF_ESEMANTIC, "line %zu: function out of range", i);
    return 0;
}

/* ---------------------------------------------------------------- copy */

static int dup_array(void *dst, const void *src, size_t n, size_t elem, size_t *cap)
{
    void **d = dst;
    *d = NULL;
    *cap = 0;
    if (n == 0)
        return 0;
    *d = malloc(n * elem);
    if (!*d)
        return PPROF_ENOMEM;
    memcpy(*d, src, n * elem);
    *cap = n;
    return 0;
}

int pprof_profile_copy(pprof_profile **out, const pprof_profile *src)
{
    *out = NULL;
    pprof_profile *p = pprof_profile_new();
    if (!p)
        return PPROF_ENOMEM;
    /* Strings are interned in order, so every id keeps its meaning. */
    int rc = 0;
    for (size_t i = 1; i < src->n_strings && !rc; i++) {
        pprof_str id;
        rc = pprof_profile_intern(&id, p, src->strings[i], src->string_lens[i]);
        if (!rc && id != i) {
            /* src's strings were interned, so they are unique and the ids
             * line up; a mismatch means src is corrupt. */
            rc = PPROF_EINVAL;
        }
    }
    struct pprof_profile_internal *in = p->internal;
    if (!rc)
        rc = dup_array(&p->sample_types, src->sample_types, src->n_sample_types, sizeof *src->sample_types,
                       &in->cap_sample_types);
    if (!rc)
        rc = dup_array(&p->samples, src->samples, src->n_samples, sizeof *src->samples, &in->cap_samples.n);
    if (!rc)
        rc = dup_array(&p->values, src->values, src->n_samples * src->n_sample_types, sizeof *src->values,
                       &in->cap_values.n);
    if (!rc)
        rc = dup_array(&p->sample_locs, src->sample_locs, src->n_sample_locs, sizeof *src->sample_locs,
                       &in->cap_sample_locs);
    if (!rc)
        rc = dup_array(&p->labels, src->labels, src->n_labels, sizeof *src->labels, &in->cap_labels.n);
    if (!rc)
        rc = dup_array(&p->mappings, src->mappings, src->n_mappings, sizeof *src->mappings, &in->cap_mappings);
    if (!rc)
        rc = dup_array(&p->locations, src->locations, src->n_locations, sizeof *src->locations,
                       &in->cap_locations.n);
    if (!rc)
        rc = dup_array(&p->lines, src->lines, src->n_lines, sizeof *src->lines, &in->cap_lines.n);
    if (!rc)
        rc = dup_array(&p->functions, src->functions, src->n_functions, sizeof *src->functions,
                       &in->cap_functions.n);
    if (!rc)
        rc = dup_array(&p->comments, src->comments, src->n_comments, sizeof *src->comments, &in->cap_comments);
    if (rc) {
        pprof_profile_free(p);
        return rc;
    }
    p->n_sample_types = src->n_sample_types;
    p->n_samples = src->n_samples;
    p->n_sample_locs = src->n_sample_locs;
    p->n_labels = src->n_labels;
    p->n_mappings = src->n_mappings;
    p->n_locations = src->n_locations;
    p->n_lines = src->n_lines;
    p->n_functions = src->n_functions;
    p->n_comments = src->n_comments;
    p->drop_frames = src->drop_frames;
    p->keep_frames = src->keep_frames;
    p->time_nanos = src->time_nanos;
    p->duration_nanos = src->duration_nanos;
    p->period_type = src->period_type;
    p->period = src->period;
    p->default_sample_type = src->default_sample_type;
    p->doc_url = src->doc_url;
    *out = p;
    return 0;
}

/* The identity of a sample for merging: its locations and labels (in the
 * decoder, wire string indexes before they are resolved). */
uint64_t pprof_sample_hash(const pprof_profile *p, const pprof_sample *s)
{
    uint64_t h = pprof_hash_u64(s->n_locs);
    const uint32_t *l = pprof_sample_locs(p, s); /* NULL when empty: no arithmetic on NULL */
    for (uint32_t k = 0; k < s->n_locs; k++)
        h = pprof_hash_u64(h ^ l[k]);
    const pprof_label *lb = pprof_sample_labels(p, s);
    for (uint32_t k = 0; k < s->n_labels; k++) {
        h = pprof_hash_u64(h ^ lb[k].key ^ (uint64_t)lb[k].str << 32);
        h = pprof_hash_u64(h ^ (uint64_t)lb[k].num ^ (uint64_t)lb[k].num_unit << 40);
    }
    return h;
}

bool pprof_sample_same(const pprof_profile *p, const pprof_sample *a, const pprof_sample *b)
{
    if (a->n_locs != b->n_locs || a->n_labels != b->n_labels)
        return false;
    if (a->n_locs && memcmp(p->sample_locs + a->locs_off, p->sample_locs + b->locs_off,
                            a->n_locs * sizeof *p->sample_locs) != 0)
        return false;
    const pprof_label *la = pprof_sample_labels(p, a), *lb = pprof_sample_labels(p, b);
    for (uint32_t k = 0; k < a->n_labels; k++)
        if (la[k].key != lb[k].key || la[k].str != lb[k].str || la[k].num != lb[k].num ||
            la[k].num_unit != lb[k].num_unit)
            return false;
    return true;
}

static uint64_t merge_slot_hash(const void *ctx, size_t i)
{
    const pprof_profile *p = ctx;
    return pprof_sample_hash(p, &p->samples[i]);
}

int pprof_profile_merge_samples(pprof_profile *p)
{
    size_t nt = p->n_sample_types, kept = 0;
    uint32_t *slots = NULL;
    size_t mask = 0, cap = 1024;
    while (cap < 2 * p->n_samples + 2)
        cap *= 2;
    int rc = pprof_slots_rebuild(&slots, &mask, cap, 0, merge_slot_hash, p);
    for (size_t i = 0; !rc && i < p->n_samples; i++) {
        pprof_sample s = p->samples[i];
        size_t h = (size_t)pprof_sample_hash(p, &s) & mask;
        bool merged = false;
        while (slots[h]) {
            uint32_t k = slots[h] - 1;
            if (pprof_sample_same(p, &p->samples[k], &s)) {
                for (size_t t = 0; t < nt; t++)
                    pprof_sat_add(&p->values[k * nt + t], p->values[i * nt + t]);
                merged = true;
                break;
            }
            h = (h + 1) & mask;
        }
        if (merged)
            continue;
        pprof_sample_move(p, kept, i, &s);
        slots[h] = (uint32_t)kept + 1;
        kept++;
    }
    if (!rc)
        p->n_samples = kept;
    free(slots);
    return rc;
}
