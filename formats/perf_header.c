/* perf_header.c: perf.data file and pipe headers, event attributes and the feature sections (build ids, host, command line, event names, sample times). */
#include "perf_data.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

/*
 * File mode: a 104-byte header {magic "PERFILE2", size, attr_size,
 * attrs {offset,size}, data {offset,size}, event_types {offset,size},
 * feature bitmap 4 x u64}. The attribute section holds attr_size-byte
 * entries: a perf_event_attr then the {offset,size} of its event ids. After
 * the data section comes one {offset,size} per feature bit set, in bit
 * order. Pipe mode: a 16-byte header {magic, 16}, then records only; the
 * attributes and features come as HEADER_ATTR / HEADER_FEATURE records.
 * Every offset and size is checked against the input before use.
 */

enum { FILE_HEADER = 104, PIPE_HEADER = 16, ATTR_MIN = 64, ATTR_MAX = 4096, MAX_ATTRS = 4096 };

/* Feature bits (HEADER_*). */
enum {
    F_BUILD_ID = 2,
    F_HOSTNAME = 3,
    F_OSRELEASE = 4,
    F_VERSION = 5,
    F_ARCH = 6,
    F_CMDLINE = 11,
    F_EVENT_DESC = 12,
    F_SAMPLE_TIME = 21,
    F_DIR_FORMAT = 24,
    F_COMPRESSED = 27,
    F_CLOCK_DATA = 29,
};

void perf_file_release(perf_file *f)
{
    if (!f)
        return;
    free(f->attrs);
    free(f->decomp);
    free(f->ids);
    free(f->id_attr);
    free(f->build_ids);
    pprof_buf_release(&f->cmdline);
    memset(f, 0, sizeof *f);
}

static bool range_ok(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

/* Reads a perf_event_attr of n bytes (its own size field says how many of
 * them are meaningful). */
static int parse_attr(perf_attr *a, const uint8_t *p, size_t n, pprof_error *err)
{
    memset(a, 0, sizeof *a);
    if (n < ATTR_MIN)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: event attribute of %zu bytes (at least %d expected)",
                               n, ATTR_MIN);
    uint32_t size = perf_u32(p + 4);
    if (size == 0 || size > n)
        size = (uint32_t)n;
    a->type = perf_u32(p);
    a->config = perf_u64(p + 8);
    a->period = perf_u64(p + 16);
    a->sample_type = perf_u64(p + 24);
    a->read_format = perf_u64(p + 32);
    uint64_t flags = perf_u64(p + 40);
    a->freq = flags >> 10 & 1;
    a->sample_id_all = flags >> 18 & 1;
    a->exclude_callchain_user = flags >> 22 & 1;
    if (size >= 80)
        a->branch_sample_type = perf_u64(p + 72);
    if (size >= 96)
        a->regs_user = perf_u64(p + 80);
    if (size >= 104)
        a->regs_intr = perf_u64(p + 96);
    return 0;
}

static int add_attr(perf_file *f, const perf_attr *a, pprof_error *err)
{
    if (f->n_attrs >= MAX_ATTRS)
        return pprof_error_set(err, PPROF_ELIMIT, "perf.data: more than %d events", MAX_ATTRS);
    if (PPROF_GROW(f->attrs, f->cap_attrs, f->n_attrs + 1))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    f->attrs[f->n_attrs++] = *a;
    return 0;
}

static int add_id(perf_file *f, uint64_t id, size_t attr, pprof_error *err)
{
    size_t cap = f->cap_ids;
    if (PPROF_GROW(f->ids, cap, f->n_ids + 1) || PPROF_GROW(f->id_attr, f->cap_ids, f->n_ids + 1))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    f->ids[f->n_ids] = id;
    f->id_attr[f->n_ids++] = (uint32_t)attr;
    return 0;
}

/* ids[] are few (one per event per CPU or thread): a scan is enough. */
size_t perf_file_attr_of(const perf_file *f, uint64_t id)
{
    for (size_t i = 0; i < f->n_ids; i++)
        if (f->ids[i] == id)
            return f->id_attr[i];
    return SIZE_MAX;
}

/* A feature string: u32 length, then that many bytes, NUL-padded. */
static size_t read_string(char *out, size_t cap, const uint8_t *p, size_t n)
{
    out[0] = '\0';
    if (n < 4)
        return 0;
    uint32_t len = perf_u32(p);
    if (len > n - 4)
        return 0;
    size_t k = strnlen((const char *)p + 4, len);
    if (k >= cap)
        k = cap - 1;
    memcpy(out, p + 4, k);
    out[k] = '\0';
    return 4 + (size_t)len;
}

static int parse_build_ids(perf_file *f, const uint8_t *p, size_t n, pprof_error *err)
{
    size_t pos = 0;
    while (n - pos >= 36) {
        uint16_t misc = perf_u16(p + pos + 4), size = perf_u16(p + pos + 6);
        if (size < 36 || size > n - pos)
            break; /* a damaged table ends here: build ids are an aid, not the data */
        if (PPROF_GROW(f->build_ids, f->cap_build_ids, f->n_build_ids + 1))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        perf_build_id *b = &f->build_ids[f->n_build_ids++];
        memcpy(b->id, p + pos + 12, 20);
        b->len = (misc & 0x8000) ? p[pos + 32] : 20;
        if (b->len > 20)
            b->len = 20;
        b->name = (const char *)p + pos + 36;
        b->name_len = strnlen(b->name, size - 36);
        pos += size;
    }
    return 0;
}

static int parse_cmdline(perf_file *f, const uint8_t *p, size_t n, pprof_error *err)
{
    if (n < 4)
        return 0;
    uint32_t nr = perf_u32(p);
    size_t pos = 4;
    for (uint32_t i = 0; i < nr && n - pos >= 4; i++) {
        uint32_t len = perf_u32(p + pos);
        if (len > n - pos - 4)
            break;
        size_t k = strnlen((const char *)p + pos + 4, len);
        if ((f->cmdline.len && pprof_buf_append(&f->cmdline, " ", 1)) ||
            pprof_buf_append(&f->cmdline, p + pos + 4, k))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        pos += 4 + (size_t)len;
    }
    if (pprof_buf_append(&f->cmdline, "", 1))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    f->cmdline.len--;
    return 0;
}

/* EVENT_DESC: u32 count, u32 attr size, then per event the attribute, u32
 * id count, the name string and the ids. Names go to the attributes in
 * order (perf writes both lists in the same order); ids add to the map. */
static int parse_event_desc(perf_file *f, const uint8_t *p, size_t n, pprof_error *err)
{
    if (n < 8)
        return 0;
    uint32_t nr = perf_u32(p), asz = perf_u32(p + 4);
    size_t pos = 8;
    for (uint32_t i = 0; i < nr; i++) {
        if (asz < ATTR_MIN || asz > n - pos || n - pos - asz < 4)
            break;
        pos += asz;
        uint32_t nids = perf_u32(p + pos);
        pos += 4;
        char name[256];
        size_t used = read_string(name, sizeof name, p + pos, n - pos);
        if (!used)
            break;
        pos += used;
        if (nids > (n - pos) / 8)
            break;
        if (i < f->n_attrs && !f->attrs[i].name[0])
            snprintf(f->attrs[i].name, sizeof f->attrs[i].name, "%s", name);
        pos += (size_t)nids * 8;
    }
    return 0;
}

static int parse_feature(perf_file *f, uint64_t feat, const uint8_t *p, size_t n, pprof_error *err)
{
    switch (feat) {
    case F_BUILD_ID:
        return parse_build_ids(f, p, n, err);
    case F_VERSION:
        read_string(f->version, sizeof f->version, p, n);
        return 0;
    case F_CMDLINE:
        return parse_cmdline(f, p, n, err);
    case F_EVENT_DESC:
        return parse_event_desc(f, p, n, err);
    case F_SAMPLE_TIME:
        if (n >= 16) {
            f->has_sample_time = true;
            f->first_sample = perf_u64(p);
            f->last_sample = perf_u64(p + 8);
        }
        return 0;
    case F_CLOCK_DATA:
        if (n >= 24 && perf_u32(p) >= 1) {
            f->has_clock_data = true;
            f->clock_wall_ns = perf_u64(p + 8);
            f->clock_ref_ns = perf_u64(p + 16);
        }
        return 0;
    case F_COMPRESSED: /* u32 version, type, level, ratio, mmap_len */
        f->compressed = true;
        if (n >= 20) {
            f->comp_type = perf_u32(p + 4);
            f->comp_mmap_len = perf_u32(p + 16);
        }
        return 0;
    case F_DIR_FORMAT:
        return pprof_error_set(err, PPROF_EFORMAT,
                               "perf.data: directory format (perf record --threads) is not supported; "
                               "write a single file with 'perf record' without --threads");
    default:
        return 0;
    }
}

static int open_file_mode(perf_file *f, pprof_error *err)
{
    const uint8_t *d = f->data;
    size_t len = f->len;
    if (len < FILE_HEADER)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: truncated header (%zu of %d bytes)", len, FILE_HEADER);
    uint64_t attr_size = perf_u64(d + 16);
    uint64_t attrs_off = perf_u64(d + 24), attrs_size = perf_u64(d + 32);
    uint64_t data_off = perf_u64(d + 40), data_size = perf_u64(d + 48);
    if (!range_ok(len, data_off, data_size))
        return pprof_error_set(err, PPROF_EFORMAT,
                               "perf.data: data section [%llu, +%llu) is outside the %zu-byte file (truncated?)",
                               (unsigned long long)data_off, (unsigned long long)data_size, len);
    f->data_off = (size_t)data_off;
    f->data_end = (size_t)(data_off + data_size);
    if (attr_size < ATTR_MIN + 16 || attr_size > ATTR_MAX)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: attribute entry size %llu is out of range",
                               (unsigned long long)attr_size);
    if (!range_ok(len, attrs_off, attrs_size))
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: attribute section is outside the file (truncated?)");
    size_t n_attrs = (size_t)(attrs_size / attr_size);
    if (n_attrs > MAX_ATTRS)
        return pprof_error_set(err, PPROF_ELIMIT, "perf.data: %zu events (at most %d are read)", n_attrs, MAX_ATTRS);
    for (size_t i = 0; i < n_attrs; i++) {
        const uint8_t *e = d + attrs_off + i * attr_size;
        perf_attr a;
        int rc = parse_attr(&a, e, (size_t)attr_size - 16, err);
        if (rc == 0)
            rc = add_attr(f, &a, err);
        if (rc)
            return rc;
        uint64_t ids_off = perf_u64(e + attr_size - 16), ids_size = perf_u64(e + attr_size - 8);
        if (!range_ok(len, ids_off, ids_size))
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: ids of event %zu are outside the file", i);
        for (uint64_t k = 0; k + 8 <= ids_size; k += 8)
            if ((rc = add_id(f, perf_u64(d + ids_off + k), i, err)))
                return rc;
    }
    /* Feature sections: a table of {offset,size} after the data, one per
     * bit set. A table past the end (a file cut short) loses the features
     * only: the records are what matter. */
    size_t pos = f->data_end;
    for (unsigned bit = 0; bit < 256; bit++) {
        if (!(perf_u64(d + 72 + 8 * (bit / 64)) >> (bit % 64) & 1))
            continue;
        if (len - pos < 16)
            break;
        uint64_t off = perf_u64(d + pos), size = perf_u64(d + pos + 8);
        pos += 16;
        if (!range_ok(len, off, size))
            continue;
        int rc = parse_feature(f, bit, d + off, (size_t)size, err);
        if (rc)
            return rc;
    }
    return 0;
}

int perf_file_open(perf_file *f, const uint8_t *data, size_t len, pprof_error *err)
{
    memset(f, 0, sizeof *f);
    f->data = data;
    f->len = len;
    if (len < 16 || memcmp(data, "PERFILE2", 8) != 0) {
        if (len >= 8 && memcmp(data, "2ELIFREP", 8) == 0)
            return pprof_error_set(err, PPROF_EFORMAT,
                                   "perf.data: written on a machine of the other byte order, which is not supported");
        if (len >= 8 && memcmp(data, "PERFFILE", 8) == 0)
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: version 1 (PERFFILE) files are not supported");
        return pprof_error_set(err, PPROF_EUNRECOGNIZED, "not a perf.data file (no PERFILE2 magic)");
    }
    uint64_t hsize = perf_u64(data + 8);
    if (hsize == PIPE_HEADER) {
        f->pipe = true;
        f->data_off = PIPE_HEADER;
        f->data_end = len;
        return 0;
    }
    if (hsize != FILE_HEADER)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: header size %llu (expected %d, or %d for pipe mode)",
                               (unsigned long long)hsize, FILE_HEADER, PIPE_HEADER);
    return open_file_mode(f, err);
}

int perf_file_header_record(perf_file *f, const uint8_t *rec, size_t size, pprof_error *err)
{
    uint32_t type = perf_u32(rec);
    const uint8_t *p = rec + 8;
    size_t n = size - 8;
    switch (type) {
    case PR_HEADER_ATTR: {
        if (n < ATTR_MIN)
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: short HEADER_ATTR record");
        uint32_t asz = perf_u32(p + 4);
        if (asz < ATTR_MIN || asz > n)
            asz = (uint32_t)(n < 128 ? n : 128);
        perf_attr a;
        int rc = parse_attr(&a, p, asz, err);
        if (rc == 0)
            rc = add_attr(f, &a, err);
        for (size_t k = asz; rc == 0 && k + 8 <= n; k += 8)
            rc = add_id(f, perf_u64(p + k), f->n_attrs - 1, err);
        return rc;
    }
    case PR_HEADER_FEATURE:
        if (n < 8)
            return 0;
        return parse_feature(f, perf_u64(p), p + 8, n - 8, err);
    case PR_HEADER_BUILD_ID:
        return parse_build_ids(f, rec, size, err);
    case PR_EVENT_UPDATE:
        /* {u64 type, u64 id, payload}: type 2 names the event. */
        if (n > 16 && perf_u64(p) == 2) {
            size_t a = perf_file_attr_of(f, perf_u64(p + 8));
            if (a != SIZE_MAX) {
                size_t k = strnlen((const char *)p + 16, n - 16);
                if (k >= sizeof f->attrs[a].name)
                    k = sizeof f->attrs[a].name - 1;
                memcpy(f->attrs[a].name, p + 16, k);
                f->attrs[a].name[k] = '\0';
            }
        }
        return 0;
    default:
        return 0;
    }
}

const perf_build_id *perf_file_build_id(const perf_file *f, const char *name, size_t n)
{
    for (size_t i = f->n_build_ids; i-- > 0;)
        if (f->build_ids[i].name_len == n && memcmp(f->build_ids[i].name, name, n) == 0)
            return &f->build_ids[i];
    return NULL;
}

/* perf's names for the generic hardware and software events. */
static const char *const hw_names[] = {"cycles", "instructions", "cache-references", "cache-misses",
                                       "branches", "branch-misses", "bus-cycles", "stalled-cycles-frontend",
                                       "stalled-cycles-backend", "ref-cycles"};
static const char *const sw_names[] = {"cpu-clock", "task-clock", "page-faults", "context-switches",
                                       "cpu-migrations", "minor-faults", "major-faults", "alignment-faults",
                                       "emulation-faults", "dummy", "bpf-output", "cgroup-switches"};

/* sample_type bits this reader can lay out; the others end a sample
 * after the fields it reads, so they need no support. */
int perf_file_finish_attrs(perf_file *f, pprof_error *err)
{
    if (f->n_attrs == 0)
        return pprof_error_set(err, PPROF_EFORMAT, "perf.data: no event attributes (truncated header?)");
    for (size_t i = 0; i < f->n_attrs; i++) {
        perf_attr *a = &f->attrs[i];
        if (!a->name[0]) {
            if (a->type == 0 && a->config < sizeof hw_names / sizeof *hw_names)
                snprintf(a->name, sizeof a->name, "%s", hw_names[a->config]);
            else if (a->type == 1 && a->config < sizeof sw_names / sizeof *sw_names)
                snprintf(a->name, sizeof a->name, "%s", sw_names[a->config]);
            else
                snprintf(a->name, sizeof a->name, "event_%zu", i);
        }
        if ((a->sample_type & PS_STACK_USER) && (a->sample_type & PS_REGS_USER))
            return pprof_error_set(err, PPROF_EFORMAT,
                                   "perf.data: event %s was recorded with DWARF call graphs (--call-graph=dwarf: "
                                   "user stack dumps), which this reader does not unwind; record with -g "
                                   "(frame pointers) or --call-graph=lbr",
                                   a->name);
    }
    /* With several events a sample names its event by id. */
    if (f->n_attrs > 1)
        for (size_t i = 0; i < f->n_attrs; i++)
            if (!(f->attrs[i].sample_type & (PS_ID | PS_IDENTIFIER)))
                return pprof_error_set(err, PPROF_EFORMAT,
                                       "perf.data: %zu events but event %s has no sample ids "
                                       "(sample_type 0x%llx): samples cannot be told apart",
                                       f->n_attrs, f->attrs[i].name, (unsigned long long)f->attrs[i].sample_type);
    return 0;
}
