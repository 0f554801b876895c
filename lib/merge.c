/* merge.c: merges profiles with identical sample types the way pprof does:
 * mappings, functions, locations and samples deduplicated, ids renumbered in
 * first-seen order, headers combined. */
#include "idmap.h"
#include "internal.h"

/* A hash set of variable-length uint64 keys mapping to an index, on the
 * toolkit's open-addressing index; each key's hash is kept, so a probe
 * reads a key only when the hashes agree and growing hashes nothing. */
typedef struct keyset {
    uint64_t *keys; /* concatenated keys */
    size_t n_keys, cap_keys;
    uint64_t *offs; /* offset of key i in keys, plus a final end */
    size_t n, cap_offs;
    uint64_t *hashes; /* of key i */
    size_t cap_hashes;
    uint32_t *slots;
    size_t mask;
} keyset;

/* Word at a time (keys are long: a sample's locations), finished by the
 * toolkit's mixer. */
static uint64_t key_hash(const uint64_t *k, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 0xff51afd7ed558ccdULL;
    return pprof_hash_u64(h);
}

static uint64_t keyset_entry_hash(const void *ctx, size_t i)
{
    return ((const keyset *)ctx)->hashes[i];
}

/* Finds key k; when absent adds it. *out gets its index, *added whether new. */
static int keyset_put(keyset *s, const uint64_t *k, size_t n, uint32_t *out, bool *added)
{
    uint64_t full = key_hash(k, n);
    size_t h = full & s->mask;
    if (s->slots) {
        for (uint32_t slot; (slot = s->slots[h]) != 0; h = (h + 1) & s->mask) {
            uint32_t i = slot - 1;
            if (s->hashes[i] != full)
                continue;
            size_t len = s->offs[i + 1] - s->offs[i];
            if (len == n && memcmp(s->keys + s->offs[i], k, n * sizeof *k) == 0) {
                *out = i;
                *added = false;
                return 0;
            }
        }
    }
    if (s->n >= UINT32_MAX - 1)
        return PPROF_ELIMIT;
    if (PPROF_GROW(s->keys, s->cap_keys, s->n_keys + n) || PPROF_GROW(s->offs, s->cap_offs, s->n + 2) ||
        PPROF_GROW(s->hashes, s->cap_hashes, s->n + 1))
        return PPROF_ENOMEM;
    if (s->n == 0)
        s->offs[0] = 0;
    memcpy(s->keys + s->n_keys, k, n * sizeof *k);
    s->n_keys += n;
    s->offs[s->n + 1] = s->n_keys;
    s->hashes[s->n] = full;
    *out = (uint32_t)s->n;
    *added = true;
    s->n++;
    if (!s->slots || s->n * 2 > s->mask + 1)
        return pprof_slots_rebuild(&s->slots, &s->mask, s->slots ? (s->mask + 1) * 2 : 1024, s->n, keyset_entry_hash, s);
    s->slots[h] = (uint32_t)s->n;
    return 0;
}

static void keyset_release(keyset *s)
{
    free(s->keys);
    free(s->offs);
    free(s->hashes);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

typedef struct merger {
    pprof_profile *m;
    keyset maps, funcs, locs, samples;
    uint64_t *key;
    size_t cap_key;
    pprof_error *err;
} merger;

static int str_of(merger *g, const pprof_profile *src, pprof_str s, pprof_str *out)
{
    return pprof_profile_intern(out, g->m, src->strings[s], src->string_lens[s]);
}

static bool same_string(const pprof_profile *a, pprof_str sa, const pprof_profile *b, pprof_str sb)
{
    return a->string_lens[sa] == b->string_lens[sb] &&
           memcmp(a->strings[sa], b->strings[sb], a->string_lens[sa]) == 0;
}

/* Period types must name the same thing in units of one family: pprof
 * rescales wall/microseconds (pprof-nodejs) and wall/nanoseconds (Datadog)
 * to the finer unit before merging. */
static int check_compatible(const pprof_profile *a, const pprof_profile *b, pprof_error *err)
{
    if (!same_string(a, a->period_type.type, b, b->period_type.type) ||
        (!same_string(a, a->period_type.unit, b, b->period_type.unit) &&
         !pprof_unit_finest(a->strings[a->period_type.unit], b->strings[b->period_type.unit], NULL, NULL)))
        return pprof_error_set(err, PPROF_EINVAL, "incompatible period types %s/%s and %s/%s",
                               a->strings[a->period_type.type], a->strings[a->period_type.unit],
                               b->strings[b->period_type.type], b->strings[b->period_type.unit]);
    return 0;
}

/* How one source's values map onto the merged sample types: pprof keeps
 * the types every source has (in the first's order) and converts compatible
 * units to the finest one (ms and ns give ns). The merge is incremental, so
 * each new source may drop merged columns or make a merged unit finer
 * (scaling what was summed so far: exact, the factors are integers). */
typedef struct src_plan {
    size_t *col;    /* merged type k -> source column */
    double *factor; /* merged type k -> multiplier into the merged unit */
} src_plan;

/* Removes merged sample type k and its column of values. */
static void drop_type(pprof_profile *m, size_t k)
{
    size_t nt = m->n_sample_types;
    for (size_t s = 0; s < m->n_samples; s++)
        for (size_t t = 0; t < nt; t++)
            if (t != k)
                m->values[s * (nt - 1) + t - (t > k)] = m->values[s * nt + t];
    memmove(m->sample_types + k, m->sample_types + k + 1, (nt - k - 1) * sizeof *m->sample_types);
    m->n_sample_types = nt - 1;
}

static int64_t scale_round(int64_t v, double f);

/* Matches src's sample types against the merged ones (the first source
 * defines them), adjusting the merged profile as the rules say. */
static int make_plan(src_plan *pl, merger *g, const pprof_profile *src, bool first, pprof_error *err)
{
    pprof_profile *m = g->m;
    size_t nt = first ? src->n_sample_types : m->n_sample_types;
    pl->col = malloc((nt + 1) * sizeof *pl->col);
    pl->factor = malloc((nt + 1) * sizeof *pl->factor);
    if (!pl->col || !pl->factor)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (first) {
        for (size_t k = 0; k < nt; k++) {
            pprof_value_type vt;
            int rc = str_of(g, src, src->sample_types[k].type, &vt.type);
            if (!rc)
                rc = str_of(g, src, src->sample_types[k].unit, &vt.unit);
            if (!rc)
                rc = pprof_profile_add_sample_type(m, vt);
            if (rc)
                return pprof_error_set(err, rc, "out of memory");
            pl->col[k] = k;
            pl->factor[k] = 1;
        }
        return 0;
    }
    for (size_t k = 0; k < m->n_sample_types;) {
        const pprof_value_type *mt = &m->sample_types[k];
        size_t c = src->n_sample_types;
        for (size_t j = 0; j < src->n_sample_types && c == src->n_sample_types; j++)
            if (same_string(m, mt->type, src, src->sample_types[j].type))
                c = j;
        if (c == src->n_sample_types) {
            drop_type(m, k);
            continue;
        }
        pprof_str su = src->sample_types[c].unit;
        double fm = 1, fs = 1;
        if (!same_string(m, mt->unit, src, su)) {
            if (!pprof_unit_finest(m->strings[mt->unit], src->strings[su], &fm, &fs))
                return pprof_error_set(err, PPROF_EINVAL, "incompatible sample types: %s/%s and %s/%s",
                                       m->strings[mt->type], m->strings[mt->unit],
                                       src->strings[src->sample_types[c].type], src->strings[su]);
            if (fm != 1) {
                pprof_str nu;
                if (str_of(g, src, su, &nu))
                    return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
                m->sample_types[k].unit = nu;
                size_t mnt = m->n_sample_types;
                for (size_t s = 0; s < m->n_samples; s++)
                    m->values[s * mnt + k] = scale_round(m->values[s * mnt + k], fm);
            }
        }
        pl->col[k] = c;
        pl->factor[k] = fs;
        k++;
    }
    if (m->n_sample_types == 0 && nt > 0)
        return pprof_error_set(err, PPROF_EINVAL, "profiles have empty common sample type list");
    return 0;
}

static int key_room(merger *g, size_t n)
{
    return PPROF_GROW(g->key, g->cap_key, n);
}

/* Per source: merged index of each mapping/function/location, or NONE. */
typedef struct src_maps {
    uint32_t *map, *fn, *loc;
    int64_t *map_shift; /* merged start - source start, per source mapping */
} src_maps;

static int merge_mapping(merger *g, const pprof_profile *src, src_maps *sm, uint32_t i, uint32_t *out)
{
    if (sm->map[i] != PPROF_NONE) {
        *out = sm->map[i];
        return 0;
    }
    const pprof_mapping *mp = &src->mappings[i];
    pprof_mapping nm = *mp;
    int rc = str_of(g, src, mp->file, &nm.file);
    if (!rc)
        rc = str_of(g, src, mp->build_id, &nm.build_id);
    if (rc)
        return rc;
    /* pprof's key: size rounded to 4 KiB, offset, and build id or file. */
    uint64_t size = mp->limit - mp->start;
    size = (size + 0xfff) & ~(uint64_t)0xfff;
    uint64_t k[4] = {size, mp->offset, nm.build_id ? 1 : (nm.file ? 2 : 0),
                     nm.build_id ? nm.build_id : nm.file};
    uint32_t idx;
    bool added;
    if (keyset_put(&g->maps, k, 4, &idx, &added))
        return PPROF_ENOMEM;
    if (added) {
        nm.id = idx + 1;
        if (pprof_profile_add_mapping(NULL, g->m, &nm))
            return PPROF_ENOMEM;
    }
    sm->map[i] = idx;
    sm->map_shift[i] = (int64_t)(g->m->mappings[idx].start - mp->start);
    *out = idx;
    return 0;
}

static int merge_function(merger *g, const pprof_profile *src, src_maps *sm, uint32_t i, uint32_t *out)
{
    if (sm->fn[i] != PPROF_NONE) {
        *out = sm->fn[i];
        return 0;
    }
    const pprof_function *f = &src->functions[i];
    pprof_function nf = *f;
    int rc = str_of(g, src, f->name, &nf.name);
    if (!rc)
        rc = str_of(g, src, f->system_name, &nf.system_name);
    if (!rc)
        rc = str_of(g, src, f->filename, &nf.filename);
    if (rc)
        return rc;
    uint64_t k[4] = {(uint64_t)f->start_line, nf.name, nf.system_name, nf.filename};
    uint32_t idx;
    bool added;
    if (keyset_put(&g->funcs, k, 4, &idx, &added))
        return PPROF_ENOMEM;
    if (added) {
        nf.id = idx + 1;
        if (pprof_profile_add_function(NULL, g->m, &nf))
            return PPROF_ENOMEM;
    }
    sm->fn[i] = idx;
    *out = idx;
    return 0;
}

static int merge_location(merger *g, const pprof_profile *src, src_maps *sm, uint32_t i, uint32_t *out)
{
    if (sm->loc[i] != PPROF_NONE) {
        *out = sm->loc[i];
        return 0;
    }
    const pprof_location *l = &src->locations[i];
    uint32_t mi = PPROF_NONE;
    uint64_t addr = l->address;
    if (l->mapping != PPROF_NONE) {
        if (merge_mapping(g, src, sm, l->mapping, &mi))
            return PPROF_ENOMEM;
        addr = (uint64_t)((int64_t)addr + sm->map_shift[l->mapping]);
    }
    pprof_line lines[64];
    pprof_line *ln = l->n_lines <= 64 ? lines : malloc(l->n_lines * sizeof *ln);
    if (!ln || key_room(g, 3 + 3 * (size_t)l->n_lines)) {
        if (ln != lines)
            free(ln);
        return PPROF_ENOMEM;
    }
    size_t kn = 0;
    uint64_t mstart = mi != PPROF_NONE ? g->m->mappings[mi].start : 0;
    g->key[kn++] = addr - mstart;
    g->key[kn++] = mi;
    g->key[kn++] = l->is_folded;
    int rc = 0;
    for (uint32_t k = 0; k < l->n_lines && !rc; k++) {
        const pprof_line *sl = &src->lines[l->lines_off + k];
        ln[k] = *sl;
        rc = merge_function(g, src, sm, sl->function, &ln[k].function);
        g->key[kn++] = ln[k].function;
        g->key[kn++] = (uint64_t)sl->line;
        g->key[kn++] = (uint64_t)sl->column;
    }
    uint32_t idx = 0;
    bool added = false;
    if (!rc && keyset_put(&g->locs, g->key, kn, &idx, &added))
        rc = PPROF_ENOMEM;
    if (!rc && added) {
        pprof_location nl = *l;
        nl.id = idx + 1;
        nl.address = addr;
        nl.mapping = mi;
        rc = pprof_profile_add_location(NULL, g->m, &nl, ln, l->n_lines);
    }
    if (ln != lines)
        free(ln);
    if (rc)
        return rc;
    sm->loc[i] = idx;
    *out = idx;
    return 0;
}

static int cmp_label(const void *a, const void *b)
{
    const pprof_label *x = a, *y = b;
    if ((x->str != 0) != (y->str != 0))
        return x->str ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->str != y->str)
        return x->str < y->str ? -1 : 1;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->num_unit < y->num_unit ? -1 : x->num_unit > y->num_unit;
}

static int64_t scale_round(int64_t v, double f)
{
    if (f == 1)
        return v;
    double x = (double)v * f;
    x = x < 0 ? x - 0.5 : x + 0.5;
    if (x >= 9223372036854775807.0)
        return INT64_MAX;
    if (x <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)x;
}

static int merge_samples(merger *g, const pprof_profile *src, src_maps *sm, const src_plan *pl)
{
    pprof_profile *m = g->m;
    size_t nt = m->n_sample_types, snt = src->n_sample_types;
    int64_t *row = malloc((nt + 1) * sizeof *row);
    if (!row)
        return PPROF_ENOMEM;
    uint32_t *locs = NULL;
    size_t cap_locs = 0;
    pprof_label *labels = NULL;
    size_t cap_labels = 0;
    int rc = 0;
    for (size_t s = 0; s < src->n_samples && !rc; s++) {
        const pprof_sample *smp = &src->samples[s];
        const int64_t *sv = src->values + s * snt;
        for (size_t k = 0; k < nt; k++)
            row[k] = scale_round(sv[pl->col[k]], pl->factor[k]);
        const int64_t *v = row;
        bool zero = true;
        for (size_t k = 0; k < nt; k++)
            zero &= v[k] == 0;
        /* pprof's merge also leaves out samples without a stack. */
        if (zero || smp->n_locs == 0)
            continue;
        if (PPROF_GROW(locs, cap_locs, smp->n_locs + 1) || PPROF_GROW(labels, cap_labels, smp->n_labels + 1)) {
            rc = PPROF_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < smp->n_locs && !rc; k++)
            rc = merge_location(g, src, sm, src->sample_locs[smp->locs_off + k], &locs[k]);
        for (uint32_t k = 0; k < smp->n_labels && !rc; k++) {
            const pprof_label *l = &src->labels[smp->labels_off + k];
            labels[k] = *l;
            rc = str_of(g, src, l->key, &labels[k].key);
            if (!rc)
                rc = str_of(g, src, l->str, &labels[k].str);
            if (!rc)
                rc = str_of(g, src, l->num_unit, &labels[k].num_unit);
        }
        if (rc)
            break;
        qsort(labels, smp->n_labels, sizeof *labels, cmp_label);
        size_t kn = 0;
        /* The sample's key: its merged location indices two to a word, a
         * separator, then its labels (key and string ids share a word). */
        if (key_room(g, (size_t)smp->n_locs / 2 + 2 + 3 * (size_t)smp->n_labels)) {
            rc = PPROF_ENOMEM;
            break;
        }
        for (uint32_t k = 0; k < smp->n_locs; k += 2)
            g->key[kn++] = (uint64_t)locs[k] << 32 | (k + 1 < smp->n_locs ? locs[k + 1] : UINT32_MAX);
        g->key[kn++] = UINT64_MAX;
        for (uint32_t k = 0; k < smp->n_labels; k++) {
            g->key[kn++] = (uint64_t)labels[k].key << 32 | labels[k].str;
            g->key[kn++] = (uint64_t)labels[k].num;
            g->key[kn++] = labels[k].num_unit;
        }
        uint32_t idx;
        bool added;
        if (keyset_put(&g->samples, g->key, kn, &idx, &added)) {
            rc = PPROF_ENOMEM;
            break;
        }
        if (added) {
            rc = pprof_profile_add_sample(m, locs, smp->n_locs, v, labels, smp->n_labels);
        } else {
            int64_t *dst = m->values + (size_t)idx * nt;
            for (size_t k = 0; k < nt; k++)
                if (__builtin_add_overflow(dst[k], v[k], &dst[k]))
                    dst[k] = v[k] > 0 ? INT64_MAX : INT64_MIN;
        }
    }
    free(locs);
    free(labels);
    free(row);
    return rc;
}

static int merge_headers(merger *g, const pprof_profile *src, bool first)
{
    pprof_profile *m = g->m;
    int rc = 0;
    if (first) {
        rc = str_of(g, src, src->period_type.type, &m->period_type.type);
        if (!rc)
            rc = str_of(g, src, src->period_type.unit, &m->period_type.unit);
        if (!rc)
            rc = str_of(g, src, src->drop_frames, &m->drop_frames);
        if (!rc)
            rc = str_of(g, src, src->keep_frames, &m->keep_frames);
    }
    /* pprof keeps a running minimum in which 0 means unset, so a source
     * without a time resets it until the next one that has one. */
    if (!m->time_nanos || src->time_nanos < m->time_nanos)
        m->time_nanos = src->time_nanos;
    if (__builtin_add_overflow(m->duration_nanos, src->duration_nanos, &m->duration_nanos))
        m->duration_nanos = INT64_MAX;
    int64_t period = src->period;
    if (!first && !same_string(m, m->period_type.unit, src, src->period_type.unit)) {
        /* Compatible units (check_compatible): both periods in the finer. */
        double fm = 1, fs = 1;
        pprof_unit_finest(m->strings[m->period_type.unit], src->strings[src->period_type.unit], &fm, &fs);
        if (fm != 1) {
            m->period = scale_round(m->period, fm);
            rc = str_of(g, src, src->period_type.unit, &m->period_type.unit);
        }
        period = scale_round(period, fs);
    }
    if (period > m->period)
        m->period = period;
    if (!rc && !m->default_sample_type && src->default_sample_type)
        rc = str_of(g, src, src->default_sample_type, &m->default_sample_type);
    if (!rc && !m->doc_url && src->doc_url)
        rc = str_of(g, src, src->doc_url, &m->doc_url);
    for (size_t i = 0; i < src->n_comments && !rc; i++) {
        pprof_str c;
        rc = str_of(g, src, src->comments[i], &c);
        bool seen = false;
        for (size_t k = 0; k < m->n_comments && !seen; k++)
            seen = m->comments[k] == c;
        if (!rc && !seen)
            rc = pprof_profile_add_comment(m, c);
    }
    return rc;
}

struct pprof_merger {
    merger g;
    size_t n_sources;
    int failed; /* an earlier add failed: the merge is unusable */
};

int pprof_merger_new(pprof_merger **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return PPROF_ENOMEM;
    (*out)->g.m = pprof_profile_new();
    if (!(*out)->g.m) {
        free(*out);
        *out = NULL;
        return PPROF_ENOMEM;
    }
    return 0;
}

void pprof_merger_free(pprof_merger *mg)
{
    if (!mg)
        return;
    keyset_release(&mg->g.maps);
    keyset_release(&mg->g.funcs);
    keyset_release(&mg->g.locs);
    keyset_release(&mg->g.samples);
    free(mg->g.key);
    pprof_profile_free(mg->g.m);
    free(mg);
}

size_t pprof_merger_count(const pprof_merger *mg)
{
    return mg->n_sources;
}

int pprof_merger_add(pprof_merger *mg, const pprof_profile *src, pprof_error *err)
{
    if (mg->failed)
        return pprof_error_set(err, mg->failed, "merging profiles: an earlier profile failed to merge");
    merger *g = &mg->g;
    bool first = mg->n_sources == 0;
    if (!first) {
        int rc = check_compatible(g->m, src, err);
        if (rc)
            return mg->failed = rc;
    }
    g->err = err;
    src_plan plan;
    int rc = make_plan(&plan, g, src, first, err);
    if (!rc && merge_headers(g, src, first))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    src_maps sm;
    sm.map = malloc((src->n_mappings + 1) * sizeof *sm.map);
    sm.map_shift = malloc((src->n_mappings + 1) * sizeof *sm.map_shift);
    sm.fn = malloc((src->n_functions + 1) * sizeof *sm.fn);
    sm.loc = malloc((src->n_locations + 1) * sizeof *sm.loc);
    if (!rc && (!sm.map || !sm.map_shift || !sm.fn || !sm.loc))
        rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (!rc) {
        memset(sm.map, 0xff, (src->n_mappings + 1) * sizeof *sm.map);
        memset(sm.fn, 0xff, (src->n_functions + 1) * sizeof *sm.fn);
        memset(sm.loc, 0xff, (src->n_locations + 1) * sizeof *sm.loc);
        /* pprof keeps the main binary first: the first source with
         * mappings contributes its first mapping before anything else. */
        if (src->n_mappings && g->m->n_mappings == 0) {
            uint32_t idx;
            rc = merge_mapping(g, src, &sm, 0, &idx);
        }
        if (!rc)
            rc = merge_samples(g, src, &sm, &plan);
        if (rc)
            rc = pprof_error_set(err, rc, "merging profiles: %s", pprof_strerror(rc));
    }
    free(sm.map);
    free(sm.map_shift);
    free(sm.fn);
    free(sm.loc);
    free(plan.col);
    free(plan.factor);
    if (rc)
        return mg->failed = rc;
    mg->n_sources++;
    return 0;
}

int pprof_merger_finish(pprof_merger *mg, pprof_profile **out, pprof_error *err)
{
    *out = NULL;
    if (mg->failed)
        return pprof_error_set(err, mg->failed, "merging profiles: an earlier profile failed to merge");
    if (mg->n_sources == 0)
        return pprof_error_set(err, PPROF_EINVAL, "no profiles to merge");
    pprof_profile *m = mg->g.m;
    mg->g.m = NULL;
    /* A default type that did not survive gives way to the first kept one. */
    if (m->default_sample_type) {
        bool kept = false;
        for (size_t k = 0; k < m->n_sample_types; k++)
            kept |= m->sample_types[k].type == m->default_sample_type;
        if (!kept)
            m->default_sample_type = m->n_sample_types ? m->sample_types[0].type : 0;
    }
    /* Values that cancelled out (a -base equal to the source), or that
     * lived only in types a later source lacked, leave all-zero samples;
     * merging once more drops them and what only they used. */
    size_t nt = m->n_sample_types;
    bool zeros = false;
    for (size_t i = 0; i < m->n_samples && !zeros; i++) {
        bool zero = nt > 0;
        for (size_t k = 0; k < nt; k++)
            zero &= m->values[i * nt + k] == 0;
        zeros = zero;
    }
    if (zeros) {
        pprof_profile *again;
        int rc = pprof_profile_merge(&again, &m, 1, err);
        pprof_profile_free(m);
        if (rc)
            return rc;
        m = again;
    }
    *out = m;
    return 0;
}

int pprof_profile_merge(pprof_profile **out, pprof_profile *const *srcs, size_t n, pprof_error *err)
{
    *out = NULL;
    if (n == 0)
        return pprof_error_set(err, PPROF_EINVAL, "no profiles to merge");
    pprof_merger *mg;
    if (pprof_merger_new(&mg))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = pprof_merger_add(mg, srcs[i], err);
    if (!rc)
        rc = pprof_merger_finish(mg, out, err);
    pprof_merger_free(mg);
    return rc;
}
