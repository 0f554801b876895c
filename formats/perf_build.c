/* perf_build.c: turns perf.data records (in time order) into a profile: process address spaces, thread names, mappings with build ids, deduplicated locations and samples. */
#include "perf_build.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

/*
 * What the profile holds (see man/pprof.1, "perf.data"):
 * - two sample types per event, in event order: <event>_sample/count (1
 *   per sample) and <event>_event/<unit> (the sample's period: the events
 *   it stands for; nanoseconds for cpu-clock and task-clock); the default
 *   is the last event's period, as perf_data_converter sets it;
 * - labels pid and tid (numbers) and comm (the thread's name at the time);
 * - frames: the callchain without perf's context markers (the sample's IP
 *   when there is none), return addresses moved back one byte onto their
 *   call instruction; with an LBR call stack, the user part is the leaf
 *   then the call sites the branch records hold (not moved); callers that fall in no mapping are dropped (garbage
 *   from code without frame pointers), as perf_data_converter does, and
 *   guest frames are skipped;
 * - mappings as perf saw them, with the build ids of the header or of
 *   MMAP2; the kernel under "[kernel.kallsyms]", anonymous executable
 *   memory under /tmp/perf-<pid>.map (the JIT map perf reads for it);
 *   the main binary (of the process with most samples) first.
 */

/* Context markers in callchains (u64 values of -32 ... -4095). */
#define CTX_MAX ((uint64_t)-4095)
#define CTX_HV ((uint64_t)-32)
#define CTX_KERNEL ((uint64_t)-128)
#define CTX_USER ((uint64_t)-512)
#define CTX_GUEST ((uint64_t)-2048)
#define CTX_GUEST_KERNEL ((uint64_t)-2176)
#define CTX_GUEST_USER ((uint64_t)-2560)

enum { KERNEL_PID = -1 };

/* ---------------------------------------------------------------- table */

static void tab_release(perf_tab *t)
{
    free(t->slots);
    free(t->hashes);
}

/* Finds the entry with hash h for which eq holds; returns its index or
 * PPROF_NONE, with *slot the slot to insert into. */
static uint32_t tab_find(const perf_tab *t, uint64_t h, bool (*eq)(const perf_builder *, uint32_t, const void *),
                         const perf_builder *b, const void *key, size_t *slot)
{
    if (!t->slots) {
        *slot = SIZE_MAX;
        return PPROF_NONE;
    }
    size_t i = h & t->mask;
    for (uint32_t v; (v = t->slots[i]) != 0; i = (i + 1) & t->mask)
        if (t->hashes[v - 1] == h && eq(b, v - 1, key))
            return v - 1;
    *slot = i;
    return PPROF_NONE;
}

static uint64_t tab_entry_hash(const void *ctx, size_t i)
{
    return ((const perf_tab *)ctx)->hashes[i];
}

/* Adds entry t->n (the next dense index) with hash h at slot. */
static int tab_insert(perf_tab *t, size_t slot, uint64_t h)
{
    if (PPROF_GROW(t->hashes, t->cap_hashes, t->n + 1))
        return PPROF_ENOMEM;
    t->hashes[t->n] = h;
    if (!t->slots || (t->n + 1) * 2 > t->mask + 1) {
        t->n++;
        return pprof_slots_rebuild(&t->slots, &t->mask, t->slots ? (t->mask + 1) * 2 : 64, t->n, tab_entry_hash, t);
    }
    t->slots[slot] = (uint32_t)t->n + 1;
    t->n++;
    return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    return pprof_hash_u64(h ^ v) + 0x9e3779b97f4a7c15ULL;
}

/* ---------------------------------------------------------------- processes and threads */

static bool proc_eq(const perf_builder *b, uint32_t i, const void *key)
{
    return b->procs[i].pid == *(const int32_t *)key;
}

/* The process pid, created empty when new. */
static perf_proc *proc_get(perf_builder *b, int32_t pid)
{
    uint64_t h = pprof_hash_u64((uint32_t)pid);
    size_t slot;
    uint32_t i = tab_find(&b->proc_tab, h, proc_eq, b, &pid, &slot);
    if (i != PPROF_NONE)
        return &b->procs[i];
    if (PPROF_GROW(b->procs, b->cap_procs, b->n_procs + 1) || tab_insert(&b->proc_tab, slot, h))
        return NULL;
    perf_proc *p = &b->procs[b->n_procs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    return p;
}

static perf_proc *proc_find(const perf_builder *b, int32_t pid)
{
    size_t slot;
    uint32_t i = tab_find(&b->proc_tab, pprof_hash_u64((uint32_t)pid), proc_eq, b, &pid, &slot);
    return i == PPROF_NONE ? NULL : &b->procs[i];
}

static bool comm_eq(const perf_builder *b, uint32_t i, const void *key)
{
    return b->comms[i].tid == *(const int32_t *)key;
}

static perf_comm *comm_get(perf_builder *b, int32_t tid, bool create)
{
    uint64_t h = pprof_hash_u64((uint32_t)tid);
    size_t slot;
    uint32_t i = tab_find(&b->comm_tab, h, comm_eq, b, &tid, &slot);
    if (i != PPROF_NONE)
        return &b->comms[i];
    if (!create || PPROF_GROW(b->comms, b->cap_comms, b->n_comms + 1) || tab_insert(&b->comm_tab, slot, h))
        return NULL;
    perf_comm *c = &b->comms[b->n_comms++];
    c->tid = tid;
    c->comm = 0;
    return c;
}

static bool thread_eq(const perf_builder *b, uint32_t i, const void *key)
{
    const perf_thread *k = key, *t = &b->threads[i];
    return t->pid == k->pid && t->tid == k->tid && t->comm == k->comm;
}

/* The label set (pid, tid, comm) of a sample; perf names a thread it never
 * saw a COMM for ":<tid>". */
static int thread_of(perf_builder *b, int32_t pid, int32_t tid, uint32_t *out)
{
    perf_thread key = {pid, tid, 0};
    perf_comm *c = comm_get(b, tid, false);
    if (c && c->comm)
        key.comm = c->comm;
    else {
        char name[32];
        int n = snprintf(name, sizeof name, ":%d", (int)tid);
        if (pprof_profile_intern(&key.comm, b->p, name, (size_t)n))
            return PPROF_ENOMEM;
    }
    uint64_t h = mix(mix(pprof_hash_u64((uint32_t)pid), (uint32_t)tid), key.comm);
    size_t slot;
    uint32_t i = tab_find(&b->thread_tab, h, thread_eq, b, &key, &slot);
    if (i == PPROF_NONE) {
        if (PPROF_GROW(b->threads, b->cap_threads, b->n_threads + 1) || tab_insert(&b->thread_tab, slot, h))
            return PPROF_ENOMEM;
        i = (uint32_t)b->n_threads;
        b->threads[b->n_threads++] = key;
    }
    *out = i;
    return 0;
}

/* ---------------------------------------------------------------- mappings */

static bool map_eq(const perf_builder *b, uint32_t i, const void *key)
{
    const perf_map *k = key, *m = &b->maps[i];
    return m->start == k->start && m->limit == k->limit && m->offset == k->offset && m->file == k->file &&
           m->build_id == k->build_id;
}

static int map_get(perf_builder *b, const perf_map *key, uint32_t *out)
{
    uint64_t h = mix(mix(mix(mix(pprof_hash_u64(key->start), key->limit), key->offset), key->file), key->build_id);
    size_t slot;
    uint32_t i = tab_find(&b->map_tab, h, map_eq, b, key, &slot);
    if (i == PPROF_NONE) {
        if (PPROF_GROW(b->maps, b->cap_maps, b->n_maps + 1) || tab_insert(&b->map_tab, slot, h))
            return PPROF_ENOMEM;
        i = (uint32_t)b->n_maps;
        b->maps[b->n_maps++] = *key;
    }
    *out = i;
    return 0;
}

/* Index of the first range of p ending after addr. */
static size_t range_lower(const perf_proc *p, uint64_t addr)
{
    size_t lo = 0, hi = p->n_ranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->ranges[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Puts [r.start, r.end) into p's address space: what it overlaps is cut
 * away (a new mmap replaces what was there), split when r is inside. */
static int range_insert(perf_proc *p, const perf_range *r)
{
    if (PPROF_GROW(p->ranges, p->cap_ranges, p->n_ranges + 2))
        return PPROF_ENOMEM;
    size_t i = range_lower(p, r->start);
    size_t j = i;
    perf_range tail = {0};
    bool has_tail = false;
    if (i < p->n_ranges && p->ranges[i].start < r->start) {
        /* the range at i starts before r: keep its head, maybe its tail */
        perf_range *o = &p->ranges[i];
        if (o->end > r->end) {
            tail = *o;
            tail.pgoff += r->end - o->start;
            tail.start = r->end;
            has_tail = true;
        }
        o->end = r->start;
        i++;
        j = i;
    }
    while (j < p->n_ranges && p->ranges[j].end <= r->end)
        j++;
    if (j < p->n_ranges && p->ranges[j].start < r->end) {
        perf_range *o = &p->ranges[j];
        o->pgoff += r->end - o->start;
        o->start = r->end;
    }
    /* ranges [i, j) are covered by r: replace them by r (and the tail) */
    size_t add = 1 + has_tail;
    size_t removed = j - i;
    memmove(p->ranges + i + add, p->ranges + j, (p->n_ranges - j) * sizeof *p->ranges);
    p->n_ranges = p->n_ranges - removed + add;
    p->ranges[i] = *r;
    if (has_tail)
        p->ranges[i + 1] = tail;
    return 0;
}

static const perf_range *range_find(const perf_proc *p, uint64_t addr)
{
    if (!p)
        return NULL;
    size_t i = range_lower(p, addr);
    return i < p->n_ranges && p->ranges[i].start <= addr ? &p->ranges[i] : NULL;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* MMAP (1) and MMAP2 (10). */
static int on_mmap(perf_builder *b, const uint8_t *rec, size_t size, bool v2, pprof_error *err)
{
    uint16_t misc = perf_u16(rec + 4);
    size_t name_at = v2 ? 8 + 64 : 8 + 32;
    if (size < name_at)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: short MMAP record at offset %zu",
                               perf_file_pos(b->f, rec));
    if (misc & (1u << 13))
        return 0; /* a data mapping (perf record -d): no code in it */
    int32_t pid = (int32_t)perf_u32(rec + 8);
    uint64_t start = perf_u64(rec + 16), len = perf_u64(rec + 24), pgoff = perf_u64(rec + 32);
    if (v2 && !(perf_u32(rec + 64) & 4))
        return 0; /* not executable */
    if (len == 0 || start + len < start)
        return 0;
    const char *name = (const char *)rec + name_at;
    size_t name_len = strnlen(name, size - name_at);
    perf_map m = {.start = start, .limit = start + len, .offset = pgoff, .pid = pid};
    char buf[64];
    const char *file = name;
    size_t file_len = name_len;
    bool kernel = pid == KERNEL_PID && name_len > 0 && name[0] == '[';
    if (kernel && (has_suffix(name, name_len, "]_text") || has_suffix(name, name_len, "]_stext"))) {
        file_len = (size_t)(memchr(name, ']', name_len) - (const void *)name) + 1;
        m.offset = start; /* object address = runtime address, as kallsyms lists them */
    }
    if (name_len == 6 && memcmp(name, "//anon", 6) == 0) {
        file_len = (size_t)snprintf(buf, sizeof buf, "/tmp/perf-%d.map", (int)pid);
        file = buf;
    }
    if (pprof_profile_intern(&m.file, b->p, file, file_len))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    const uint8_t *bid = NULL;
    size_t bid_len = 0;
    if (v2 && (misc & (1u << 14))) { /* MMAP2 with build id: {u8 size, 3 pad, u8 id[20]} in place of dev/inode */
        bid_len = rec[40] <= 20 ? rec[40] : 20;
        bid = rec + 44;
    } else {
        const perf_build_id *h = perf_file_build_id(b->f, file, file_len);
        if (!h && kernel)
            h = perf_file_build_id(b->f, name, name_len);
        if (h) {
            bid = h->id;
            bid_len = h->len;
        }
    }
    if (bid_len) {
        char hex[41];
        for (size_t i = 0; i < bid_len; i++)
            snprintf(hex + 2 * i, 3, "%02x", bid[i]);
        if (pprof_profile_intern(&m.build_id, b->p, hex, 2 * bid_len))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    perf_range r = {start, start + len, pgoff, 0};
    perf_proc *p = proc_get(b, kernel ? KERNEL_PID : pid);
    if (!p || map_get(b, &m, &r.mapping) || range_insert(p, &r))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}

/* COMM (3): the thread's name; an exec (misc bit 13) also replaces the
 * process's address space. */
static int on_comm(perf_builder *b, const uint8_t *rec, size_t size, pprof_error *err)
{
    if (size < 17)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: short COMM record at offset %zu",
                               perf_file_pos(b->f, rec));
    int32_t pid = (int32_t)perf_u32(rec + 8), tid = (int32_t)perf_u32(rec + 12);
    const char *name = (const char *)rec + 16;
    size_t n = strnlen(name, size - 16);
    perf_comm *c = comm_get(b, tid, true);
    if (!c || pprof_profile_intern(&c->comm, b->p, name, n))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    if (perf_u16(rec + 4) & (1u << 13)) {
        perf_proc *p = proc_find(b, pid);
        if (p)
            p->n_ranges = 0;
    }
    return 0;
}

/* FORK (7): a new thread takes its parent's name; a new process a copy of
 * the parent's address space. */
static int on_fork(perf_builder *b, const uint8_t *rec, size_t size, pprof_error *err)
{
    if (size < 24)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: short FORK record at offset %zu",
                               perf_file_pos(b->f, rec));
    int32_t pid = (int32_t)perf_u32(rec + 8), ppid = (int32_t)perf_u32(rec + 12);
    int32_t tid = (int32_t)perf_u32(rec + 16), ptid = (int32_t)perf_u32(rec + 20);
    perf_comm *pc = comm_get(b, ptid, false);
    if (pc && pc->comm) {
        pprof_str name = pc->comm;
        perf_comm *c = comm_get(b, tid, true);
        if (!c)
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        c->comm = name;
    }
    if (pid != ppid) {
        perf_proc *parent = proc_find(b, ppid);
        if (parent && parent->n_ranges) {
            size_t pi = (size_t)(parent - b->procs);
            perf_proc *child = proc_get(b, pid);
            if (!child)
                return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
            parent = &b->procs[pi]; /* proc_get may have moved the table */
            if (PPROF_GROW(child->ranges, child->cap_ranges, parent->n_ranges))
                return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
            memcpy(child->ranges, parent->ranges, parent->n_ranges * sizeof *parent->ranges);
            child->n_ranges = parent->n_ranges;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- samples */

static bool loc_eq(const perf_builder *b, uint32_t i, const void *key)
{
    const perf_loc *k = key;
    return b->locs[i].addr == k->addr && b->locs[i].mapping == k->mapping;
}

static int loc_get(perf_builder *b, uint32_t mapping, uint64_t addr, uint32_t *out)
{
    perf_loc key = {mapping, addr};
    uint64_t h = mix(pprof_hash_u64(addr), mapping);
    size_t slot;
    uint32_t i = tab_find(&b->loc_tab, h, loc_eq, b, &key, &slot);
    if (i == PPROF_NONE) {
        if (b->n_locs >= UINT32_MAX - 1 || PPROF_GROW(b->locs, b->cap_locs, b->n_locs + 1) ||
            tab_insert(&b->loc_tab, slot, h))
            return PPROF_ENOMEM;
        i = (uint32_t)b->n_locs;
        b->locs[b->n_locs++] = key;
    }
    *out = i;
    return 0;
}

/* Adds one frame: its location, when the address is in a mapping of the
 * process or of the kernel, or when it is the leaf. Return addresses are
 * moved back onto their call (adjust); branch records name the call
 * itself. */
static int add_frame(perf_builder *b, const perf_proc *proc, const perf_proc *kern, uint64_t addr, bool leaf,
                     bool adjust)
{
    const perf_range *r = range_find(proc, addr);
    if (!r)
        r = range_find(kern, addr);
    if (!r && !leaf)
        return 0;
    uint64_t a = leaf || !adjust || addr == 0 ? addr : addr - 1;
    uint32_t m = r ? r->mapping : PPROF_NONE, loc;
    if (r)
        b->maps[m].uses++;
    if (loc_get(b, m, a, &loc) || PPROF_GROW(b->frames, b->cap_frames, b->n_frames + 1))
        return PPROF_ENOMEM;
    b->frames[b->n_frames++] = loc;
    return 0;
}

/* The frames of a sample, leaf first (see the top of the file). */
static int sample_frames(perf_builder *b, const perf_sample *s, const perf_proc *proc, const perf_proc *kern)
{
    b->n_frames = 0;
    bool leaf = true, guest = false;
    int rc = 0;
    for (uint64_t i = 0; i < s->chain_nr && !rc; i++) {
        uint64_t ip = perf_u64(s->chain + 8 * i);
        if (ip >= CTX_MAX) {
            guest = ip == CTX_GUEST || ip == CTX_GUEST_KERNEL || ip == CTX_GUEST_USER;
            if (ip == CTX_USER && s->lbr && s->lbr_nr) {
                /* LBR call stack: the user part is the leaf, then the
                 * call sites the branch records hold, innermost first. */
                uint64_t leaf_ip = i + 1 < s->chain_nr ? perf_u64(s->chain + 8 * (i + 1)) : s->ip;
                if (leaf_ip < CTX_MAX)
                    rc = add_frame(b, proc, kern, leaf_ip, leaf, true);
                leaf = false;
                for (uint64_t k = 0; k < s->lbr_nr && !rc; k++)
                    rc = add_frame(b, proc, kern, perf_u64(s->lbr + 24 * k), false, false);
                return rc;
            }
            continue;
        }
        if (guest)
            continue;
        rc = add_frame(b, proc, kern, ip, leaf, true);
        leaf = false;
    }
    if (leaf && !rc) /* no callchain, or nothing but markers */
        rc = add_frame(b, proc, kern, s->ip, true, true);
    return rc;
}

static bool sample_eq(const perf_builder *b, uint32_t i, const void *key)
{
    const perf_bsample *s = &b->samples[i];
    const uint32_t *thread = key;
    return s->thread == *thread && s->n_locs == b->n_frames &&
           (b->n_frames == 0 || memcmp(b->sample_locs + s->locs_off, b->frames, b->n_frames * sizeof *b->frames) == 0);
}

static int on_sample(perf_builder *b, const uint8_t *rec, size_t size, pprof_error *err)
{
    perf_sample s;
    int rc = perf_sample_decode(&s, b->f, rec, size, err);
    if (rc)
        return rc;
    if (s.time) {
        if (!b->n_raw_samples || s.time < b->min_time)
            b->min_time = s.time;
        if (s.time > b->max_time)
            b->max_time = s.time;
    }
    b->n_raw_samples++;
    perf_proc *proc = proc_find(b, s.pid), *kern = proc_find(b, KERNEL_PID);
    if (proc)
        proc->samples++;
    else if ((proc = proc_get(b, s.pid)) != NULL)
        proc->samples++, kern = proc_find(b, KERNEL_PID);
    uint32_t thread;
    if (!proc || thread_of(b, s.pid, s.tid, &thread) || sample_frames(b, &s, proc, kern))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    uint64_t h = pprof_hash_u64(thread);
    for (size_t i = 0; i < b->n_frames; i++)
        h = mix(h, b->frames[i]);
    size_t slot;
    uint32_t i = tab_find(&b->sample_tab, h, sample_eq, b, &thread, &slot);
    if (i == PPROF_NONE) {
        if (PPROF_GROW(b->samples, b->cap_samples, b->n_samples + 1) ||
            PPROF_GROW(b->sample_locs, b->cap_sample_locs, b->n_sample_locs + b->n_frames) ||
            PPROF_GROW(b->values, b->cap_values, (b->n_samples + 1) * b->n_types) ||
            tab_insert(&b->sample_tab, slot, h))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        i = (uint32_t)b->n_samples++;
        b->samples[i] = (perf_bsample){b->n_sample_locs, (uint32_t)b->n_frames, thread};
        memcpy(b->sample_locs + b->n_sample_locs, b->frames, b->n_frames * sizeof *b->frames);
        b->n_sample_locs += b->n_frames;
        memset(b->values + (size_t)i * b->n_types, 0, b->n_types * sizeof *b->values);
    }
    int64_t *v = b->values + (size_t)i * b->n_types + 2 * s.attr;
    v[0] += 1;
    /* Periods are u64; a sum past int64 saturates rather than wrapping. */
    uint64_t sum = (uint64_t)v[1] + s.period;
    v[1] = sum < (uint64_t)v[1] || sum > INT64_MAX ? INT64_MAX : (int64_t)sum;
    return 0;
}

/* ---------------------------------------------------------------- entry points */

int perf_builder_init(perf_builder *b, const perf_file *f, pprof_error *err)
{
    memset(b, 0, sizeof *b);
    b->f = f;
    b->n_types = 2 * f->n_attrs;
    b->p = pprof_profile_new();
    if (!b->p)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    return 0;
}

void perf_builder_release(perf_builder *b)
{
    for (size_t i = 0; i < b->n_procs; i++)
        free(b->procs[i].ranges);
    free(b->procs);
    free(b->comms);
    free(b->threads);
    free(b->maps);
    free(b->locs);
    free(b->samples);
    free(b->sample_locs);
    free(b->values);
    free(b->frames);
    tab_release(&b->proc_tab);
    tab_release(&b->comm_tab);
    tab_release(&b->thread_tab);
    tab_release(&b->map_tab);
    tab_release(&b->loc_tab);
    tab_release(&b->sample_tab);
    pprof_profile_free(b->p);
    memset(b, 0, sizeof *b);
}

int perf_builder_record(perf_builder *b, const uint8_t *rec, size_t size, pprof_error *err)
{
    switch (perf_u32(rec)) {
    case PR_SAMPLE:
        return on_sample(b, rec, size, err);
    case PR_MMAP:
        return on_mmap(b, rec, size, false, err);
    case PR_MMAP2:
        return on_mmap(b, rec, size, true, err);
    case PR_COMM:
        return on_comm(b, rec, size, err);
    case PR_FORK:
        return on_fork(b, rec, size, err);
    case PR_LOST:
        if (size >= 24)
            b->lost += perf_u64(rec + 16);
        return 0;
    case PR_LOST_SAMPLES:
        if (size >= 16)
            b->lost += perf_u64(rec + 8);
        return 0;
    default:
        return 0; /* EXIT and the rest change nothing a profile shows */
    }
}
