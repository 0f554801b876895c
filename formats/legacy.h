/* legacy.h: private interface of the legacy profile readers (text helpers, profile builder). */
#ifndef PPROF_LEGACY_H
#define PPROF_LEGACY_H

#include "internal.h"
#include "readers.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A borrowed byte string (not NUL-terminated). */
typedef struct lg_str {
    const char *p;
    size_t n;
} lg_str;

#define LG_NONE UINT32_MAX

/* ------------------------------------------------------------ scanning */

/* Longest line bufio.Scanner (used by the reference) accepts: longer lines
 * make the whole parse fail with "token too long". */
#define LG_MAX_LINE 65535

/* Splits input into lines like bufio.Scanner with ScanLines: '\n' ends a
 * line, one trailing '\r' is dropped, a final unterminated line counts, and
 * after the last line (or an overlong one) text is empty. */
typedef struct lg_scanner {
    const char *data;
    size_t len, pos;
    lg_str text;   /* current line */
    bool too_long; /* scanning stopped at a line longer than LG_MAX_LINE */
    size_t line_no;
} lg_scanner;

void lg_scanner_init(lg_scanner *s, const char *data, size_t len);
bool lg_scan(lg_scanner *s);
/* Sets err for a scanner that stopped on an overlong line; returns the code. */
int lg_scan_error(const lg_scanner *s, pprof_error *err);

/* Go's strings.TrimSpace (Unicode white space). */
lg_str lg_trim(lg_str s);
bool lg_has_prefix(lg_str s, const char *prefix);
bool lg_contains(lg_str s, const char *needle);
/* Index of needle in s at or after from, or SIZE_MAX. */
size_t lg_find(lg_str s, size_t from, const char *needle);
bool lg_eq(lg_str s, const char *lit);
/* RE2's \s: [\t\n\f\r ]. */
bool lg_is_re_space(int c);
bool lg_is_digit(int c);
bool lg_is_xdigit(int c);
/* End of the run of bytes starting at i for which pred holds. */
size_t lg_run(lg_str s, size_t i, bool (*pred)(int));
/* pprof's isSpaceOrComment and isMemoryMapSentinel. */
bool lg_is_space_or_comment(lg_str line);
bool lg_is_map_sentinel(lg_str line);

/* Go's strconv.ParseUint / ParseInt for base 0, 10 or 16 (base 0 takes the
 * 0x/0o/0b/0 prefixes and '_' separators). Return false on a syntax or
 * range error. */
bool lg_parse_uint(lg_str s, int base, uint64_t *out);
bool lg_parse_int(lg_str s, int base, int64_t *out);

/* Go's int64(f) on amd64: out-of-range and NaN give INT64_MIN. */
int64_t lg_f64_to_i64(double f);
/* Wrapping int64 arithmetic, as Go does. */
int64_t lg_mul_wrap(int64_t a, int64_t b);

/* ------------------------------------------------------------ builder */


typedef struct lg_sample {
    size_t off;      /* first frame in lg_profile.frames */
    uint32_t n;      /* frames, leaf first */
    bool has_bytes;  /* carries the numeric label bytes=... */
    int64_t bytes;
} lg_sample;

typedef struct lg_loc {
    uint64_t addr;
    uint32_t func;   /* LG_NONE when the location has no line */
    int64_t line;
    uint32_t mapping; /* LG_NONE until assigned */
    bool symbolized;  /* Java: has a symbol, so its address counts as 0 */
} lg_loc;

typedef struct lg_mapping {
    uint64_t start, limit, offset;
    size_t file_off, file_len; /* bytes in lg_profile.pool */
    size_t bid_off, bid_len;
} lg_mapping;

typedef struct lg_func {
    lg_str name, file; /* borrowed from the input */
} lg_func;

/* A legacy profile under construction. Locations are deduplicated by
 * address (as parsed and adjusted); the final location order is set by
 * lg_remap_locations. */
typedef struct lg_profile {
    lg_str types[4][2];
    size_t n_types;
    lg_str period_type[2];
    int64_t period, duration_nanos;

    lg_sample *samples;
    size_t n_samples, cap_samples;
    int64_t *values; /* n_samples * n_types */
    size_t cap_values;
    uint32_t *frames; /* location indices */
    size_t n_frames, cap_frames;

    lg_loc *locs;
    size_t n_locs, cap_locs;
    uint32_t *slots; /* open addressing over locs[].addr, 0 = empty, else index+1 */
    size_t n_slots;

    uint32_t *order; /* final location order (indices into locs) */
    size_t n_order;
    bool remapped;

    lg_mapping *maps;
    size_t n_maps, cap_maps;
    pprof_buf pool;

    lg_func *funcs;
    size_t n_funcs, cap_funcs;
    uint32_t *fslots; /* open addressing over funcs[].name, 0 = empty, else index+1 */
    size_t fslot_mask;
    uint32_t *func_order;
    size_t n_func_order;
    bool zero_addresses; /* Java: addresses stripped after symbolization */

    uint64_t *tmp; /* scratch address list */
    size_t n_tmp, cap_tmp;
} lg_profile;

/* A mapping's file name and build id (bytes in lp->pool). */
static inline lg_str lg_map_file(const lg_profile *lp, const lg_mapping *m)
{
    return (lg_str){m->file_len ? (const char *)lp->pool.data + m->file_off : "", m->file_len};
}

static inline lg_str lg_map_bid(const lg_profile *lp, const lg_mapping *m)
{
    return (lg_str){m->bid_len ? (const char *)lp->pool.data + m->bid_off : "", m->bid_len};
}

/* The slot of a 64-bit key in an open-addressing table of mask+1 slots. */
static inline size_t lg_slot_of(uint64_t key, size_t mask)
{
    return (size_t)pprof_hash_u64(key) & mask;
}

void lg_profile_init(lg_profile *lp);
void lg_profile_release(lg_profile *lp);
/* Adds a sample type (at most 4). */
void lg_set_types(lg_profile *lp, const char *const *names, size_t n);
/* Location index for address key, created when new. */
int lg_location(lg_profile *lp, uint64_t key, uint32_t *out);
/* Looks a location up by key without creating it. */
bool lg_find_location(const lg_profile *lp, uint64_t key, uint32_t *out);
/* Appends a sample with n_values (at most 4) values whose frames are the
 * locations of lp->tmp's addresses, each adjusted by -1 when adjust_from <=
 * its position (return addresses point after the call); empties tmp. */
int lg_add_sample_addrs(lg_profile *lp, const int64_t *values, size_t n_values, size_t adjust_from);
int lg_push_tmp(lg_profile *lp, uint64_t addr);
/* Removes frame 1 of sample i. */
void lg_drop_frame1(lg_profile *lp, size_t i);
static inline uint32_t *lg_sample_frames(lg_profile *lp, size_t i)
{
    return lp->frames + lp->samples[i].off;
}

/* Appends every 0x[0-9a-f]+ in s to lp->tmp (pprof's parseHexAddresses).
 * Returns false when a number does not fit 64 bits. */
bool lg_hex_addresses(lg_profile *lp, lg_str s);

/* pprof's cleanupDuplicateLocations: drops frame 1 when it repeats the leaf
 * (adjusted by -1). */
void lg_cleanup_duplicate_leaf(lg_profile *lp);

/* Parses the remaining lines of s as a memory map, then orders locations by
 * first use and assigns mappings (pprof's ParseMemoryMapFromScanner). */
int lg_memory_map(lg_profile *lp, lg_scanner *s, pprof_error *err);
/* Skips to the memory-map sentinel (or the end), then lg_memory_map. */
int lg_additional_sections(lg_profile *lp, lg_scanner *s, pprof_error *err);
int lg_remap_locations(lg_profile *lp);
int lg_remap_mappings(lg_profile *lp);

/* Builds the final profile (drop/keep frames included). */
int lg_finish(pprof_profile **out, lg_profile *lp, pprof_error *err);

/* ------------------------------------------------------------ parsers */

/* Each returns 0, PPROF_EUNRECOGNIZED (try the next parser) or another
 * error (stop). */
int lg_parse_cpu(lg_profile *lp, const char *data, size_t len, pprof_error *err);
int lg_parse_heap(lg_profile *lp, const char *data, size_t len, pprof_error *err);
int lg_parse_go_count(lg_profile *lp, const char *data, size_t len, pprof_error *err);
int lg_parse_thread(lg_profile *lp, const char *data, size_t len, pprof_error *err);
int lg_parse_contention(lg_profile *lp, const char *data, size_t len, pprof_error *err);
int lg_parse_java(lg_profile *lp, const char *data, size_t len, pprof_error *err);

/* Java symbol lines ("0xADDR func (file:line)") after the samples; also
 * orders locations and functions and strips addresses. */
int lg_java_locations(lg_profile *lp, lg_str rest, pprof_error *err);

/* Scales sampled heap values (pprof's scaleHeapSample). */
void lg_scale_heap(int64_t *count, int64_t *size, int64_t rate);

#endif
