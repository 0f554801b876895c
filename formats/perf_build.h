/* perf_build.h: private interface of the perf.data profile builder (processes, threads, mappings, locations, samples). */
#ifndef PPROF_PERF_BUILD_H
#define PPROF_PERF_BUILD_H

#include "perf_data.h"

/* An open-addressing table of dense indices: slots hold index+1 (0 =
 * empty); each entry's hash is kept so the table can grow. */
typedef struct perf_tab {
    uint32_t *slots;
    uint64_t *hashes; /* by entry index */
    size_t mask, n, cap_hashes;
} perf_tab;

/* One address range of a process (or of the kernel). */
typedef struct perf_range {
    uint64_t start, end, pgoff;
    uint32_t mapping; /* builder mapping index */
} perf_range;

typedef struct perf_proc {
    int32_t pid;
    perf_range *ranges; /* sorted by start, disjoint */
    size_t n_ranges, cap_ranges;
    uint64_t samples;
} perf_proc;

typedef struct perf_comm {
    int32_t tid;
    pprof_str comm;
} perf_comm;

typedef struct perf_thread {
    int32_t pid, tid;
    pprof_str comm;
} perf_thread;

typedef struct perf_map {
    uint64_t start, limit, offset;
    pprof_str file, build_id;
    int32_t pid;
    uint64_t uses; /* frames resolved in it */
} perf_map;

typedef struct perf_loc {
    uint32_t mapping; /* PPROF_NONE when the address is in no mapping */
    uint64_t addr;
} perf_loc;

typedef struct perf_bsample {
    size_t locs_off;
    uint32_t n_locs;
    uint32_t thread;
} perf_bsample;

typedef struct perf_builder {
    const perf_file *f;
    pprof_profile *p; /* strings are interned here as they come; tables are added at the end */
    size_t n_types;   /* two per event: samples, then period */

    perf_proc *procs;
    size_t n_procs, cap_procs;
    perf_tab proc_tab;
    perf_comm *comms;
    size_t n_comms, cap_comms;
    perf_tab comm_tab;
    perf_thread *threads;
    size_t n_threads, cap_threads;
    perf_tab thread_tab;
    perf_map *maps;
    size_t n_maps, cap_maps;
    perf_tab map_tab;
    perf_loc *locs;
    size_t n_locs, cap_locs;
    perf_tab loc_tab;
    perf_bsample *samples;
    size_t n_samples, cap_samples;
    perf_tab sample_tab;
    uint32_t *sample_locs;
    size_t n_sample_locs, cap_sample_locs;
    int64_t *values;
    size_t cap_values;

    uint32_t *frames; /* the current sample's locations, leaf first */
    size_t n_frames, cap_frames;

    uint64_t lost;
    uint64_t min_time, max_time;
    size_t n_raw_samples;
} perf_builder;

int perf_builder_init(perf_builder *b, const perf_file *f, pprof_error *err);
void perf_builder_release(perf_builder *b);
/* Applies one record (in time order). */
int perf_builder_record(perf_builder *b, const uint8_t *rec, size_t size, pprof_error *err);
/* Hands over the profile: tables, sample types, comments, times. */
int perf_builder_finish(perf_builder *b, pprof_profile **out, pprof_error *err);

#endif
