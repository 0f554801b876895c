/* perf_data.c: the perf.data reader's entry points: sniffing, the walk over the record stream, time ordering, and the profile. */
#include "perf_build.h"
#include "internal.h"
#include "readers.h"

#include <stdio.h>
#include <string.h>
#include <zstd.h>

/* A record to apply, in time order; seq keeps the file order of equal
 * times (and of records without a time). */
typedef struct rec_ref {
    uint64_t time;
    uint64_t seq_off; /* stream position (perf_file_at): increases with seq */
} rec_ref;

static bool ref_less(const rec_ref *x, const rec_ref *y)
{
    return x->time < y->time || (x->time == y->time && x->seq_off < y->seq_off);
}

/* Sorts by (time, offset): a natural merge sort, since the records come
 * as a few interleaved sorted runs (one per CPU buffer and round), so
 * merging the runs is close to linear. tmp has room for n. */
static void sort_refs(rec_ref *a, rec_ref *tmp, size_t n)
{
    rec_ref *src = a, *dst = tmp;
    for (;;) {
        size_t runs = 0;
        for (size_t lo = 0; lo < n;) {
            size_t mid = lo + 1;
            while (mid < n && !ref_less(&src[mid], &src[mid - 1]))
                mid++;
            size_t hi = mid;
            if (hi < n) {
                hi++;
                while (hi < n && !ref_less(&src[hi], &src[hi - 1]))
                    hi++;
            }
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = ref_less(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
            lo = hi;
            runs++;
        }
        rec_ref *t = src;
        src = dst;
        dst = t;
        if (runs <= 1)
            break;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

bool pprof_perf_sniff(const void *data, size_t len)
{
    return len >= 8 && (memcmp(data, "PERFILE2", 8) == 0 || memcmp(data, "2ELIFREP", 8) == 0 ||
                        memcmp(data, "PERFFILE", 8) == 0);
}

static bool is_header_record(uint32_t type)
{
    return type == PR_HEADER_ATTR || type == PR_HEADER_FEATURE || type == PR_HEADER_BUILD_ID ||
           type == PR_EVENT_UPDATE;
}

static bool is_applied(uint32_t type)
{
    return type == PR_SAMPLE || type == PR_MMAP || type == PR_MMAP2 || type == PR_COMM || type == PR_FORK ||
           type == PR_LOST || type == PR_LOST_SAMPLES || type == PR_EXIT;
}

/* The walk over the record stream: records to apply, in stream order. */
typedef struct walker {
    perf_file *f;
    rec_ref *r;
    size_t n, cap;
    bool attrs_done;
    uint64_t last_time;
    ZSTD_DStream *zd;   /* one zstd stream runs through all compressed records */
    size_t decomp_done; /* decompressed bytes taken as records */
} walker;

/* Takes the record rec[0..size) at stream position pos: header records
 * (pipe mode's attributes and features, event names, build ids) are read
 * into the file; those a profile needs are listed with their time. */
static int take(walker *w, const uint8_t *rec, size_t size, uint64_t pos, pprof_error *err)
{
    perf_file *f = w->f;
    uint32_t type = perf_u32(rec);
    if (is_header_record(type))
        return pos < f->len ? perf_file_header_record(f, rec, size, err) : 0; /* never compressed by perf */
    if (!is_applied(type))
        return 0;
    if (!w->attrs_done) {
        w->attrs_done = true;
        int rc = perf_file_finish_attrs(f, err);
        if (rc)
            return rc;
    }
    uint64_t t = type == PR_SAMPLE ? perf_sample_time(f, rec, size) : perf_record_time(f, rec, size);
    /* Records without a time stay where they are among the others. */
    if (t == 0 && type != PR_SAMPLE)
        t = w->last_time;
    else if (t)
        w->last_time = t;
    if (PPROF_GROW(w->r, w->cap, w->n + 1))
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    w->r[w->n++] = (rec_ref){t, pos};
    return 0;
}

/* A decompressed record is at most this big when the file does not say
 * its ring buffer size (perf decompresses one record into one buffer). */
enum { DEFAULT_DECOMP_LIMIT = 64 << 20, MIN_DECOMP_LIMIT = 4096 };

/* COMPRESSED (81): the header, then zstd data to the record's end;
 * COMPRESSED2 (83): the header, u64 data size, the data, padding to 8.
 * perf flushes its one zstd stream at the end of each record but never
 * ends it, so the data of all of them is decoded as one stream, and a
 * record inside may continue into the next compressed record. Each
 * record's output is bounded by perf's ring buffer size (what perf itself
 * decompresses into), the whole by the decompression cap. */
static int decompress(walker *w, const uint8_t *rec, size_t size, size_t pos, pprof_error *err)
{
    perf_file *f = w->f;
    const uint8_t *src = rec + 8;
    size_t n = size - 8;
    if (perf_u32(rec) == PR_COMPRESSED2) {
        if (size < 16 || perf_u64(rec + 8) > size - 16)
            return pprof_error_set(err, PPROF_EFORMAT,
                                   "perf.data: COMPRESSED2 record at offset %zu: data size %llu exceeds the record (%zu bytes)",
                                   pos, size < 16 ? 0ULL : (unsigned long long)perf_u64(rec + 8), size);
        src = rec + 16;
        n = (size_t)perf_u64(rec + 8);
    }
    if (f->comp_type != 0 && f->comp_type != 1)
        return pprof_error_set(err, PPROF_EFORMAT,
                               "perf.data: compressed records of compressor type %u are not supported (only zstd)",
                               (unsigned)f->comp_type);
    if (!w->zd) {
        w->zd = ZSTD_createDStream();
        if (!w->zd || ZSTD_isError(ZSTD_initDStream(w->zd)))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    }
    uint64_t limit = f->comp_mmap_len >= MIN_DECOMP_LIMIT ? f->comp_mmap_len : DEFAULT_DECOMP_LIMIT;
    size_t chunk = ZSTD_DStreamOutSize();
    ZSTD_inBuffer in = {src, n, 0};
    uint64_t produced = 0;
    for (;;) {
        if (PPROF_GROW(f->decomp, f->decomp_cap, f->decomp_len + chunk))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        ZSTD_outBuffer out = {f->decomp + f->decomp_len, chunk, 0};
        size_t ret = ZSTD_decompressStream(w->zd, &out, &in);
        if (ZSTD_isError(ret))
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: compressed record at offset %zu: zstd: %s", pos,
                                   ZSTD_getErrorName(ret));
        f->decomp_len += out.pos;
        produced += out.pos;
        if (produced > limit)
            return pprof_error_set(err, PPROF_EFORMAT,
                                   "perf.data: compressed record at offset %zu decompresses to more than %llu bytes "
                                   "(the ring buffer size)",
                                   pos, (unsigned long long)limit);
        if (f->decomp_len > PPROF_DEFAULT_MAX_INFLATED)
            return pprof_error_set(err, PPROF_ELIMIT,
                                   "perf.data: compressed records decompress to more than %llu bytes",
                                   (unsigned long long)PPROF_DEFAULT_MAX_INFLATED);
        if (in.pos == in.size && out.pos < out.size)
            break; /* all input taken and nothing held back */
    }
    /* The complete records now decompressed. */
    while (f->decomp_len - w->decomp_done >= 8) {
        const uint8_t *r = f->decomp + w->decomp_done;
        size_t avail = f->decomp_len - w->decomp_done, rsize = perf_u16(r + 6);
        uint32_t type = perf_u32(r);
        if (rsize < 8 || type == PR_COMPRESSED || type == PR_COMPRESSED2)
            return pprof_error_set(err, PPROF_EFORMAT,
                                   "perf.data: malformed record (type %u, size %zu) in the compressed records at offset %zu",
                                   (unsigned)type, rsize, pos);
        size_t span = perf_record_span(r, avail);
        if (rsize > avail || span == 0)
            break; /* continues in the next compressed record */
        int rc = take(w, r, rsize, (uint64_t)f->len + w->decomp_done, err);
        if (rc)
            return rc;
        w->decomp_done += span;
    }
    return 0;
}

/* Walks the records once (take, decompress). perf writes each CPU's
 * buffer in turn, so records are only ordered per CPU: they are sorted
 * by time before being applied, as perf does. */
static int walk_records(walker *w, pprof_error *err)
{
    perf_file *f = w->f;
    for (size_t pos = f->data_off; pos < f->data_end;) {
        const uint8_t *rec = f->data + pos;
        size_t avail = f->data_end - pos;
        size_t span = perf_record_span(rec, avail);
        if (span == 0) {
            if (avail < 8 || perf_u16(rec + 6) > avail ||
                (perf_u16(rec + 6) >= 16 && (perf_u32(rec) == PR_AUXTRACE || perf_u32(rec) == PR_HEADER_TRACING_DATA)))
                return pprof_error_set(err, PPROF_EFORMAT,
                                       "perf.data: truncated: the record at offset %zu runs past the end of the data",
                                       pos);
            return pprof_error_set(err, PPROF_EFORMAT, "perf.data: malformed record (size %u) at offset %zu",
                                   (unsigned)perf_u16(rec + 6), pos);
        }
        uint32_t type = perf_u32(rec);
        size_t size = perf_u16(rec + 6);
        int rc = type == PR_COMPRESSED || type == PR_COMPRESSED2 ? decompress(w, rec, size, pos, err)
                                                                : take(w, rec, size, pos, err);
        if (rc)
            return rc;
        pos += span;
    }
    if (w->decomp_done < f->decomp_len)
        return pprof_error_set(err, PPROF_EFORMAT,
                               "perf.data: truncated compressed records: the last %zu decompressed bytes are not a "
                               "whole record",
                               f->decomp_len - w->decomp_done);
    if (!w->attrs_done)
        return perf_file_finish_attrs(f, err);
    return 0;
}

static int walk(perf_file *f, rec_ref **refs, size_t *n_refs, pprof_error *err)
{
    walker w = {.f = f};
    int rc = walk_records(&w, err);
    ZSTD_freeDStream(w.zd);
    if (rc) {
        free(w.r);
        return rc;
    }
    bool sorted = true;
    for (size_t i = 1; i < w.n && sorted; i++)
        sorted = w.r[i - 1].time <= w.r[i].time;
    if (!sorted) {
        rec_ref *tmp = malloc(w.n * sizeof *tmp);
        if (!tmp) {
            free(w.r);
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        }
        sort_refs(w.r, tmp, w.n);
        free(tmp);
    }
    *refs = w.r;
    *n_refs = w.n;
    return 0;
}

int pprof_read_perf(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err)
{
    *out = NULL;
    perf_file f;
    int rc = perf_file_open(&f, data, len, err);
    rec_ref *refs = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = walk(&f, &refs, &n, err);
    perf_builder b;
    bool built = false;
    if (rc == 0) {
        rc = perf_builder_init(&b, &f, err);
        built = true;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const uint8_t *rec = perf_file_at(&f, refs[i].seq_off);
        rc = perf_builder_record(&b, rec, perf_u16(rec + 6), err);
    }
    if (rc == 0 && b.n_raw_samples == 0)
        rc = pprof_error_set(err, PPROF_EEMPTY, "perf.data: no samples");
    if (rc == 0)
        rc = perf_builder_finish(&b, out, err);
    if (built)
        perf_builder_release(&b);
    free(refs);
    perf_file_release(&f);
    return rc;
}

/* The perf clock runs from boot; only a file with clock data (perf record
 * --clockid) ties it to the wall clock. Without it the caller may place
 * the profile by the file's time (pprof_perf_set_time). */
void perf_file_span(const perf_file *f, uint64_t min_time, uint64_t max_time, int64_t *time_nanos,
                    int64_t *duration_nanos)
{
    /* Pipe mode sends the feature before any sample: zeros then. */
    bool feature = f->has_sample_time && f->last_sample > f->first_sample;
    uint64_t first = feature ? f->first_sample : min_time;
    uint64_t last = feature ? f->last_sample : max_time;
    *time_nanos = 0;
    *duration_nanos = 0;
    if (last > first && last - first < (uint64_t)INT64_MAX)
        *duration_nanos = (int64_t)(last - first);
    if (f->has_clock_data && first) {
        int64_t t = (int64_t)(f->clock_wall_ns + (first - f->clock_ref_ns));
        if (t > 0)
            *time_nanos = t;
    }
}

int pprof_perf_peek_times(const void *bytes, size_t len, int64_t end_ns, int64_t *time_nanos,
                          int64_t *duration_nanos, pprof_error *err)
{
    const uint8_t *data = bytes;
    perf_file f;
    int rc = perf_file_open(&f, data, len, err);
    uint64_t lo = 0, hi = 0;
    bool any = false;
    if (rc == 0 && !(f.has_sample_time && f.last_sample > f.first_sample)) {
        /* Pipe mode has its features in the stream: read the header
         * records and the samples' times. */
        for (size_t pos = f.data_off; pos < f.data_end && rc == 0;) {
            const uint8_t *rec = data + pos;
            size_t span = perf_record_span(rec, f.data_end - pos);
            if (span == 0)
                break;
            uint32_t type = perf_u32(rec);
            if (type == PR_HEADER_ATTR || type == PR_HEADER_FEATURE)
                rc = perf_file_header_record(&f, rec, perf_u16(rec + 6), err);
            else if (type == PR_SAMPLE && f.n_attrs) {
                perf_sample s;
                if (perf_sample_decode(&s, &f, rec, perf_u16(rec + 6), err) == 0 && s.time) {
                    lo = !any || s.time < lo ? s.time : lo;
                    hi = s.time > hi ? s.time : hi;
                    any = true;
                }
            }
            pos += span;
        }
    }
    if (rc == 0) {
        perf_file_span(&f, lo, hi, time_nanos, duration_nanos);
        if (*time_nanos == 0 && end_ns > *duration_nanos)
            *time_nanos = end_ns - *duration_nanos;
    }
    perf_file_release(&f);
    return rc;
}

void pprof_perf_set_time(pprof_profile *p, int64_t end_ns)
{
    if (p->time_nanos == 0 && end_ns > p->duration_nanos)
        p->time_nanos = end_ns - p->duration_nanos;
}
