/* legacy_build.c: the legacy profile builder (samples, locations by address) and turning it into a pprof_profile; pprof_read_legacy. */
#include "legacy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ builder */

void lg_profile_init(lg_profile *lp)
{
    memset(lp, 0, sizeof *lp);
}

void lg_profile_release(lg_profile *lp)
{
    free(lp->samples);
    free(lp->values);
    free(lp->frames);
    free(lp->locs);
    free(lp->slots);
    free(lp->order);
    free(lp->maps);
    pprof_buf_release(&lp->pool);
    free(lp->funcs);
    free(lp->fslots);
    free(lp->func_order);
    free(lp->tmp);
    memset(lp, 0, sizeof *lp);
}

void lg_set_types(lg_profile *lp, const char *const *names, size_t n)
{
    lp->n_types = n > 4 ? 4 : n;
    for (size_t i = 0; i < lp->n_types; i++) {
        lp->types[i][0] = (lg_str){names[2 * i], strlen(names[2 * i])};
        lp->types[i][1] = (lg_str){names[2 * i + 1], strlen(names[2 * i + 1])};
    }
}

bool lg_find_location(const lg_profile *lp, uint64_t key, uint32_t *out)
{
    if (!lp->n_slots)
        return false;
    size_t mask = lp->n_slots - 1;
    for (size_t i = lg_slot_of(key, mask);; i = (i + 1) & mask) {
        uint32_t v = lp->slots[i];
        if (!v)
            return false;
        if (lp->locs[v - 1].addr == key) {
            *out = v - 1;
            return true;
        }
    }
}

static uint64_t loc_entry_hash(const void *ctx, size_t k)
{
    return pprof_hash_u64(((const lg_profile *)ctx)->locs[k].addr);
}

static int rehash(lg_profile *lp, size_t n_slots)
{
    size_t mask;
    int rc = pprof_slots_rebuild(&lp->slots, &mask, n_slots, lp->n_locs, loc_entry_hash, lp);
    if (!rc)
        lp->n_slots = mask + 1;
    return rc;
}

int lg_location(lg_profile *lp, uint64_t key, uint32_t *out)
{
    if (lg_find_location(lp, key, out))
        return 0;
    if (lp->n_locs >= UINT32_MAX - 2)
        return PPROF_ELIMIT;
    if ((lp->n_locs + 1) * 2 > lp->n_slots) {
        if (lp->n_slots > SIZE_MAX / 4 || rehash(lp, lp->n_slots ? lp->n_slots * 2 : 256))
            return PPROF_ENOMEM;
    }
    if (PPROF_GROW(lp->locs, lp->cap_locs, lp->n_locs + 1))
        return PPROF_ENOMEM;
    uint32_t idx = (uint32_t)lp->n_locs++;
    lp->locs[idx] = (lg_loc){.addr = key, .func = LG_NONE, .mapping = LG_NONE};
    size_t mask = lp->n_slots - 1;
    size_t i = lg_slot_of(key, mask);
    while (lp->slots[i])
        i = (i + 1) & mask;
    lp->slots[i] = idx + 1;
    *out = idx;
    return 0;
}

int lg_push_tmp(lg_profile *lp, uint64_t addr)
{
    if (PPROF_GROW(lp->tmp, lp->cap_tmp, lp->n_tmp + 1))
        return PPROF_ENOMEM;
    lp->tmp[lp->n_tmp++] = addr;
    return 0;
}

int lg_add_sample_addrs(lg_profile *lp, const int64_t *values, size_t n_values, size_t adjust_from)
{
    size_t n = lp->n_tmp;
    if (n > UINT32_MAX || lp->n_frames > SIZE_MAX - n)
        return PPROF_ELIMIT;
    /* one spare slot keeps frames allocated even for empty stacks */
    if (PPROF_GROW(lp->frames, lp->cap_frames, lp->n_frames + n + 1))
        return PPROF_ENOMEM;
    size_t base = lp->n_frames;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = lp->tmp[i];
        if (i >= adjust_from)
            a--; /* return addresses point after the call */
        uint32_t idx;
        int rc = lg_location(lp, a, &idx);
        if (rc)
            return rc;
        lp->frames[base + i] = idx;
    }
    lp->n_tmp = 0;
    if (PPROF_GROW(lp->samples, lp->cap_samples, lp->n_samples + 1) ||
        PPROF_GROW(lp->values, lp->cap_values, (lp->n_samples + 1) * 4))
        return PPROF_ENOMEM;
    lp->samples[lp->n_samples] = (lg_sample){.off = base, .n = (uint32_t)n};
    lp->n_frames = base + n;
    memset(lp->values + lp->n_samples * 4, 0, 4 * sizeof *lp->values);
    memcpy(lp->values + lp->n_samples * 4, values, (n_values < 4 ? n_values : 4) * sizeof *values);
    lp->n_samples++;
    return 0;
}

void lg_drop_frame1(lg_profile *lp, size_t i)
{
    lg_sample *s = &lp->samples[i];
    if (s->n < 2)
        return;
    uint32_t *f = lp->frames + s->off;
    memmove(f + 1, f + 2, (s->n - 2) * sizeof *f);
    s->n--;
}

bool lg_hex_addresses(lg_profile *lp, lg_str s)
{
    for (size_t i = 0; i + 2 < s.n;) {
        if (s.p[i] == '0' && s.p[i + 1] == 'x') {
            size_t e = i + 2;
            while (e < s.n && (lg_is_digit((unsigned char)s.p[e]) || (s.p[e] >= 'a' && s.p[e] <= 'f')))
                e++;
            if (e > i + 2) {
                uint64_t v;
                if (!lg_parse_uint((lg_str){s.p + i, e - i}, 0, &v))
                    return false;
                if (lg_push_tmp(lp, v))
                    return false;
                i = e;
                continue;
            }
        }
        i++;
    }
    return true;
}

void lg_cleanup_duplicate_leaf(lg_profile *lp)
{
    for (size_t i = 0; i < lp->n_samples; i++) {
        const lg_sample *s = &lp->samples[i];
        const uint32_t *f = lp->frames + s->off;
        if (s->n > 1 && lp->locs[f[0]].addr == lp->locs[f[1]].addr + 1)
            lg_drop_frame1(lp, i);
    }
}

/* ================================================================ result */

static const char *const alloc_rx =
    "calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|realloc|"
    "tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|tc_posix_memalign|"
    "tc_pvalloc|tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|tc_deletearray|"
    "tc_new_nothrow|tc_newarray_nothrow|malloc_zone_malloc|malloc_zone_calloc|"
    "malloc_zone_valloc|malloc_zone_realloc|malloc_zone_memalign|malloc_zone_free|"
    "runtime\\..*|BaseArena::.*|(::)?do_malloc_no_errno|(::)?do_malloc_pages|(::)?do_malloc|"
    "DoSampledAllocation|MallocedMemBlock::MallocedMemBlock|_M_allocate|"
    "__builtin_(vec_)?delete|__builtin_(vec_)?new|__gnu_cxx::new_allocator::allocate|"
    "__libc_malloc|__malloc_alloc_template::allocate|allocate|cpp_alloc|operator new(\\[\\])?|"
    "simple_alloc::allocate";
static const char *const alloc_skip_rx = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char *const lock_rx =
    "RecordLockProfileData|(base::)?RecordLockProfileData.*|(base::)?SubmitMutexProfileData.*|"
    "(base::)?SubmitSpinLockProfileData.*|(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|"
    "(base::Mutex::)?UnlockSlow.*|(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|"
    "(Mutex::)?AwaitCommon.*|(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
    "(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|"
    "(SpinLockHolder::)?~SpinLockHolder.*";
static const char *const profiler_rx =
    "ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore";

/* Sample-type lists that mark heap and contention profiles; NULL ends a list. */
static const char *const frame_kinds[][5] = {
    {"allocations", "size", NULL},
    {"objects", "space", NULL},
    {"inuse_objects", "inuse_space", NULL},
    {"alloc_objects", "alloc_space", NULL},
    {"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"},
    {"contentions", "delay", NULL},
};
#define FRAME_KIND_CONTENTION 5

static void frame_regexps(const lg_profile *lp, const char **drop, const char **keep)
{
    *drop = profiler_rx;
    *keep = "";
    for (size_t k = 0; k < sizeof frame_kinds / sizeof frame_kinds[0]; k++) {
        size_t n = 0;
        while (n < 4 && frame_kinds[k][n])
            n++;
        if (n != lp->n_types)
            continue;
        size_t i = 0;
        while (i < n && lg_eq(lp->types[i][0], frame_kinds[k][i]))
            i++;
        if (i < n)
            continue;
        if (k == FRAME_KIND_CONTENTION) {
            *drop = lock_rx;
        } else {
            *drop = alloc_rx;
            *keep = alloc_skip_rx;
        }
        return;
    }
}

static int intern(pprof_profile *p, lg_str s, pprof_str *out)
{
    return pprof_profile_intern(out, p, s.p, s.n);
}

static int build(pprof_profile *p, lg_profile *lp, pprof_error *err)
{
    int rc = 0;
    pprof_str bytes_key = 0;
    uint32_t *loc_new = NULL, *fn_new = NULL, *stack = NULL;

    for (size_t i = 0; i < lp->n_types; i++) {
        pprof_value_type vt;
        if ((rc = intern(p, lp->types[i][0], &vt.type)) || (rc = intern(p, lp->types[i][1], &vt.unit)) ||
            (rc = pprof_profile_add_sample_type(p, vt)))
            goto done;
    }
    if ((rc = intern(p, lp->period_type[0], &p->period_type.type)) ||
        (rc = intern(p, lp->period_type[1], &p->period_type.unit)))
        goto done;
    p->period = lp->period;
    p->duration_nanos = lp->duration_nanos;

    for (size_t i = 0; i < lp->n_maps; i++) {
        const lg_mapping *m = &lp->maps[i];
        pprof_mapping pm = {.id = i + 1, .start = m->start, .limit = m->limit, .offset = m->offset};
        if ((rc = intern(p, lg_map_file(lp, m), &pm.file)) || (rc = intern(p, lg_map_bid(lp, m), &pm.build_id)) ||
            (rc = pprof_profile_add_mapping(NULL, p, &pm)))
            goto done;
    }

    if (lp->n_funcs) {
        fn_new = malloc(lp->n_funcs * sizeof *fn_new);
        if (!fn_new) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < lp->n_funcs; i++)
            fn_new[i] = LG_NONE;
        for (size_t k = 0; k < lp->n_func_order; k++) {
            const lg_func *f = &lp->funcs[lp->func_order[k]];
            pprof_function pf = {.id = k + 1};
            if ((rc = intern(p, f->name, &pf.name)) || (rc = intern(p, f->file, &pf.filename)))
                goto done;
            pf.system_name = pf.name;
            if ((rc = pprof_profile_add_function(&fn_new[lp->func_order[k]], p, &pf)))
                goto done;
        }
    }

    if (lp->n_locs) {
        loc_new = malloc(lp->n_locs * sizeof *loc_new);
        if (!loc_new) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        for (size_t i = 0; i < lp->n_locs; i++)
            loc_new[i] = LG_NONE;
    }
    size_t n_order = lp->remapped ? lp->n_order : lp->n_locs;
    for (size_t k = 0; k < n_order; k++) {
        uint32_t old = lp->remapped ? lp->order[k] : (uint32_t)k;
        const lg_loc *l = &lp->locs[old];
        pprof_location pl = {.id = k + 1,
                             .address = lp->zero_addresses ? 0 : l->addr,
                             .mapping = l->mapping == LG_NONE ? PPROF_NONE : l->mapping};
        pprof_line line = {.function = 0, .line = l->line};
        size_t n_lines = 0;
        if (l->func != LG_NONE && fn_new && fn_new[l->func] != LG_NONE) {
            line.function = fn_new[l->func];
            n_lines = 1;
        }
        if ((rc = pprof_profile_add_location(&loc_new[old], p, &pl, &line, n_lines)))
            goto done;
    }

    if (lp->n_samples) {
        size_t max = 0;
        for (size_t i = 0; i < lp->n_samples; i++)
            if (lp->samples[i].n > max)
                max = lp->samples[i].n;
        stack = malloc((max ? max : 1) * sizeof *stack);
        if (!stack) {
            rc = PPROF_ENOMEM;
            goto done;
        }
        if ((rc = pprof_profile_intern(&bytes_key, p, "bytes", 5)))
            goto done;
    }
    for (size_t i = 0; i < lp->n_samples; i++) {
        const lg_sample *s = &lp->samples[i];
        const uint32_t *f = lp->frames + s->off;
        for (uint32_t j = 0; j < s->n; j++) {
            stack[j] = loc_new[f[j]];
            if (stack[j] == LG_NONE) {
                rc = pprof_error_set(err, PPROF_EFORMAT, "sample has nil location");
                goto done;
            }
        }
        pprof_label lab = {.key = bytes_key, .num = s->bytes};
        if ((rc = pprof_profile_add_sample(p, stack, s->n, lp->values + i * 4, &lab, s->has_bytes ? 1 : 0)))
            goto done;
    }

    const char *drop, *keep;
    frame_regexps(lp, &drop, &keep);
    if ((rc = pprof_profile_intern(&p->drop_frames, p, drop, strlen(drop))) ||
        (rc = pprof_profile_intern(&p->keep_frames, p, keep, strlen(keep))))
        goto done;

done:
    free(loc_new);
    free(fn_new);
    free(stack);
    if (rc && err && err->code != rc)
        pprof_error_set(err, rc, "legacy profile: %s", pprof_strerror(rc));
    return rc;
}

int lg_finish(pprof_profile **out, lg_profile *lp, pprof_error *err)
{
    *out = NULL;
    if (lp->n_types == 0 && lp->n_samples > 0)
        return pprof_error_set(err, PPROF_EFORMAT, "malformed profile: missing sample type information");
    pprof_profile *p = pprof_profile_new();
    if (!p)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (err)
        err->code = 0;
    int rc = build(p, lp, err);
    if (rc) {
        pprof_profile_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* ================================================================ entry */

/* In the order pprof tries them. */
static const struct {
    const char *name;
    int (*parse)(lg_profile *lp, const char *data, size_t len, pprof_error *err);
} parsers[] = {
    {"gperftools CPU", lg_parse_cpu},
    {"heap", lg_parse_heap},
    {"Go count", lg_parse_go_count},
    {"threadz", lg_parse_thread},
    {"contention", lg_parse_contention},
    {"Java", lg_parse_java},
};

int pprof_read_legacy(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err)
{
    *out = NULL;
    if (!data && len)
        return pprof_error_set(err, PPROF_EINVAL, "legacy profile: no data");
    const char *text = data ? (const char *)data : "";
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        lg_profile lp;
        lg_profile_init(&lp);
        if (err)
            err->code = 0;
        int rc = parsers[i].parse(&lp, text, len, err);
        if (rc == 0)
            rc = lg_finish(out, &lp, err);
        lg_profile_release(&lp);
        if (rc == PPROF_EUNRECOGNIZED)
            continue;
        if (rc && err && err->code != rc)
            pprof_error_set(err, rc, "legacy %s profile: %s", parsers[i].name, pprof_strerror(rc));
        return rc;
    }
    return pprof_error_set(err, PPROF_EUNRECOGNIZED, "unrecognized profile format");
}
