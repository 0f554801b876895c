/* perf_data.h: private interface of the perf.data reader (header and attributes, records, profile building). */
#ifndef PPROF_PERF_DATA_H
#define PPROF_PERF_DATA_H

#include "formats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The format, as Linux perf writes it (file mode and pipe mode), is
 * described where it is read: perf_header.c (header, attributes, feature
 * sections), perf_records.c (record stream, samples). */

/* sample_type bits (PERF_SAMPLE_*). */
enum {
    PS_IP = 1u << 0,
    PS_TID = 1u << 1,
    PS_TIME = 1u << 2,
    PS_ADDR = 1u << 3,
    PS_READ = 1u << 4,
    PS_CALLCHAIN = 1u << 5,
    PS_ID = 1u << 6,
    PS_CPU = 1u << 7,
    PS_PERIOD = 1u << 8,
    PS_STREAM_ID = 1u << 9,
    PS_RAW = 1u << 10,
    PS_BRANCH_STACK = 1u << 11,
    PS_REGS_USER = 1u << 12,
    PS_STACK_USER = 1u << 13,
    PS_IDENTIFIER = 1u << 16,
};

/* read_format bits. */
enum { RF_TOTAL_TIME_ENABLED = 1, RF_TOTAL_TIME_RUNNING = 2, RF_ID = 4, RF_GROUP = 8, RF_LOST = 16 };

/* branch_sample_type bits this reader looks at. */
enum { BS_CALL_STACK = 1u << 11, BS_HW_INDEX = 1u << 17 };

/* One event (perf_event_attr and what the file says about it). */
typedef struct perf_attr {
    uint32_t type;           /* 0 hardware, 1 software, 2 tracepoint, 3 cache, 4 raw, 5 breakpoint, else a PMU */
    uint64_t config;
    uint64_t period;         /* sample_period, or sample_freq when freq */
    uint64_t sample_type;
    uint64_t read_format;
    uint64_t branch_sample_type;
    uint64_t regs_user, regs_intr; /* register masks: their popcounts size REGS_USER/REGS_INTR */
    bool freq, sample_id_all, exclude_callchain_user;
    char name[256];          /* event name ("cpu-clock"), "" until known */
} perf_attr;

/* A build id from the header (feature BUILD_ID, HEADER_BUILD_ID records). */
typedef struct perf_build_id {
    const char *name; /* in the input, not NUL-terminated */
    size_t name_len;
    uint8_t id[20];
    uint8_t len;
} perf_build_id;

/* What the header and its features say, and where the records are. */
typedef struct perf_file {
    const uint8_t *data;
    size_t len;
    bool pipe;
    size_t data_off, data_end; /* records: data[data_off .. data_end) */

    perf_attr *attrs;
    size_t n_attrs, cap_attrs;
    uint64_t *ids;      /* event id -> attr: ids[i] belongs to attrs[id_attr[i]] */
    uint32_t *id_attr;
    size_t n_ids, cap_ids;

    perf_build_id *build_ids;
    size_t n_build_ids, cap_build_ids;

    char version[64]; /* perf's version, said in a comment */
    pprof_buf cmdline; /* NUL-terminated, arguments joined by spaces */
    bool has_sample_time;
    uint64_t first_sample, last_sample; /* perf clock (ns) */
    bool has_clock_data;
    uint64_t clock_wall_ns, clock_ref_ns; /* wall time at the perf clock's clock_ref_ns */
    bool compressed;             /* feature COMPRESSED: records may come zstd-compressed */
    uint32_t comp_type, comp_mmap_len; /* its compressor (1 = zstd) and the ring buffer size */

    /* Records decompressed from COMPRESSED/COMPRESSED2 records (perf record
     * -z), back to back. A record at stream position pos >= len lies at
     * decomp[pos - len]: positions number the input, then these. */
    uint8_t *decomp;
    size_t decomp_len, decomp_cap;
} perf_file;

/* Reads the 8-byte aligned little-endian fields perf writes (the reader
 * refuses byte-swapped files, so input order is the host's on x86/arm). */
static inline uint64_t perf_u64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static inline uint32_t perf_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t perf_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Record types (PERF_RECORD_*) the reader acts on or must size specially. */
enum {
    PR_MMAP = 1,
    PR_LOST = 2,
    PR_COMM = 3,
    PR_EXIT = 4,
    PR_FORK = 7,
    PR_SAMPLE = 9,
    PR_MMAP2 = 10,
    PR_LOST_SAMPLES = 13,
    PR_HEADER_ATTR = 64,
    PR_HEADER_TRACING_DATA = 66,
    PR_HEADER_BUILD_ID = 67,
    PR_AUXTRACE = 71,
    PR_EVENT_UPDATE = 78,
    PR_HEADER_FEATURE = 80,
    PR_COMPRESSED = 81,
    PR_COMPRESSED2 = 83,
};

/* The record at stream position pos (see perf_file.decomp). */
static inline const uint8_t *perf_file_at(const perf_file *f, uint64_t pos)
{
    return pos < f->len ? f->data + pos : f->decomp + (pos - f->len);
}

/* The stream position of rec, for messages. */
static inline size_t perf_file_pos(const perf_file *f, const uint8_t *rec)
{
    if (f->decomp && rec >= f->decomp && rec < f->decomp + f->decomp_len)
        return f->len + (size_t)(rec - f->decomp);
    return (size_t)(rec - f->data);
}

/* perf_header.c */
void perf_file_release(perf_file *f);
/* Parses the file header (file or pipe mode), the attributes and the
 * feature sections of a file; pipe mode leaves attributes and features to
 * perf_file_pipe_record. */
int perf_file_open(perf_file *f, const uint8_t *data, size_t len, pprof_error *err);
/* Pipe mode: a HEADER_ATTR, HEADER_FEATURE, EVENT_UPDATE or
 * HEADER_BUILD_ID record (rec points at its 8-byte header, size bytes). */
int perf_file_header_record(perf_file *f, const uint8_t *rec, size_t size, pprof_error *err);
/* The attribute of event id, or SIZE_MAX. */
size_t perf_file_attr_of(const perf_file *f, uint64_t id);
/* Gives every attribute a name (its description, else perf's name for
 * type/config, else "event_<k>") and checks the sample layouts can be
 * read (one clear error naming what is not supported). */
int perf_file_finish_attrs(perf_file *f, pprof_error *err);
/* The build id recorded for file name[0..n), or NULL. */
const perf_build_id *perf_file_build_id(const perf_file *f, const char *name, size_t n);

/* perf_data.c: the profile's time (0 when only the perf clock is known)
 * and duration, from the header's sample times or else the samples'
 * [min_time, max_time]. */
void perf_file_span(const perf_file *f, uint64_t min_time, uint64_t max_time, int64_t *time_nanos,
                    int64_t *duration_nanos);

/* perf_records.c: a decoded sample. */
typedef struct perf_sample {
    size_t attr;
    uint64_t ip, time, period;
    int32_t pid, tid;
    uint16_t misc;
    const uint8_t *chain; /* nr u64 entries (callchain), or NULL */
    uint64_t chain_nr;
    const uint8_t *lbr;   /* branch stack: lbr_nr {from, to, flags}, or NULL */
    uint64_t lbr_nr;
} perf_sample;

/* Decodes the SAMPLE record rec[0..size) (header included). */
int perf_sample_decode(perf_sample *out, const perf_file *f, const uint8_t *rec, size_t size, pprof_error *err);
/* The time of a SAMPLE record (0 when none), without decoding the rest;
 * all events lay TIME out alike (perf requires it), IDENTIFIER aside. */
uint64_t perf_sample_time(const perf_file *f, const uint8_t *rec, size_t size);
/* The time of a non-sample record, from its sample_id trailer (0 when none). */
uint64_t perf_record_time(const perf_file *f, const uint8_t *rec, size_t size);

/* Bytes a record takes in the stream: its header's size plus, for the two
 * records followed by unaccounted payload (tracing data, auxtrace), that
 * payload. 0 when the record is malformed. */
size_t perf_record_span(const uint8_t *rec, size_t avail);

#endif
