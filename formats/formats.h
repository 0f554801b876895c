/* formats.h: the public interface of the readers and report writers in formats/ (installed as <pprof/formats.h>). */
#ifndef PPROF_FORMATS_H
#define PPROF_FORMATS_H

#include "pprof.h"

/* ---------------------------------------------------------------- readers */

/* Legacy profiles (gperftools CPU binary, heap/growth text, Go count
 * profiles, threadz, contention, Java): parses raw (inflated) bytes.
 * Returns PPROF_EUNRECOGNIZED when data is in none of these formats. */
PPROF_API int pprof_read_legacy(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* Linux perf's perf.data (file or pipe mode, magic "PERFILE2"): one
 * profile of all its events (<event>_sample and <event>_event sample
 * types), labels pid, tid and comm, raw addresses with mappings and build
 * ids for a symbolizer. Errors name what is not supported (DWARF call
 * graphs, compressed records, other byte order) or where the data is
 * malformed; memory stays linear in len. */
PPROF_API int pprof_read_perf(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* True when data starts with a perf.data magic (pprof_read_perf decides). */
PPROF_API bool pprof_perf_sniff(const uint8_t *data, size_t len);

/* perf.data ties sample times to the wall clock only when recorded with
 * --clockid: otherwise this places a profile read from it so that it ends
 * at end_ns (the file's modification time), leaving a known time alone. */
PPROF_API void pprof_perf_set_time(pprof_profile *p, int64_t end_ns);

/* The time span of a perf.data without building its profile: the header's
 * sample times (or the samples' own, in pipe mode), placed on the wall
 * clock as pprof_read_perf and pprof_perf_set_time(end_ns) would. */
PPROF_API int pprof_perf_peek_times(const uint8_t *data, size_t len, int64_t end_ns, int64_t *time_nanos,
                          int64_t *duration_nanos, pprof_error *err);

/* Looks at the first bytes: returns what the data is when it cannot be a
 * profile (HTML, zstd, zlib, nested gzip, binary junk), else NULL. inflated
 * says the bytes came out of gzip already. */
PPROF_API const char *pprof_sniff_not_profile(const uint8_t *data, size_t len, bool inflated);

/* ---------------------------------------------------------------- reports */

/* Options of the flame-graph SVG. */
typedef struct pprof_flame_options {
    const char *title;     /* NULL: "Flame Graph" (or "Icicle Graph") */
    const char *subtitle;  /* NULL: none */
    int width;             /* pixels; 0: fluid (the SVG scales to its container) */
    double minwidth;       /* frames narrower than this are elided (pixels, or % of total); 0 px means 0.1 px */
    bool minwidth_percent;
    const char *colors;    /* palette: hot (default), mem, io, blue, green, aqua, orange,
                            * purple, red, yellow, java, js, go */
    bool inverted;         /* icicle: root at the top */
    bool sort_by_weight;   /* siblings by weight instead of by name */
    bool diff_total;       /* differential colour by inclusive instead of self delta */
} pprof_flame_options;

/* What a report needs beyond the profile: the selected value, scaling and
 * the graph options, resolved from the command-line/shell configuration. */
typedef struct pprof_report_options {
    int sample_index;
    bool mean;
    double ratio;             /* 1/divide_by, applied when formatting */
    const char *unit;         /* "minimum", "auto", or a unit name */
    bool compact_labels;
    pprof_graph_options graph;
    int64_t total;            /* the report total (pprof_profile_total) */
    const char *const *filters; /* "key=value" lines for "Active filters:", NULL-terminated */
    const char *symbol;         /* -peek/-list regexp: only nodes whose name matches */
    const char *source_path;    /* -list: where to look for sources (":"-separated) */
    const char *trim_path;      /* -list: prefixes to remove from source paths */
    bool json;                  /* -top and -diff as JSON */
    double fail_above;          /* -diff: percentage points a share may grow */
    size_t *threshold_exceeded; /* -diff: set to the number of functions over fail_above */
    pprof_flame_options flame;
    bool call_tree;             /* -dot and -callgrind: one node per call path */
} pprof_report_options;

/* Appends pprof's ProfileLabels lines (File, Build ID, comments, Type, Doc,
 * Time, Duration) formatting the total with unit `out_unit`. */
PPROF_API int pprof_write_profile_labels(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               const char *out_unit);

/* v times ratio (1/-divide_by), truncated toward zero as Go's
 * int64(float64(v)*ratio) is; out of range (or NaN) gives INT64_MIN, as Go
 * gives on amd64. */
PPROF_API int64_t pprof_report_ratio(int64_t v, double ratio);



/* -tree: each node with its callers and callees (-peek: only the nodes
 * matching o->symbol). */
PPROF_API int pprof_write_tree(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -list: annotated source of the functions matching o->symbol. */
PPROF_API int pprof_write_list(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);


/* -diff: old, new and delta per function (needs base samples, i.e.
 * -diff_base); sets *o->threshold_exceeded past o->fail_above. */
PPROF_API int pprof_write_diff(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -top / -text. */
PPROF_API int pprof_write_top(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -topproto: the -top nodes as a gzipped profile.proto: sample types
 * cum/<unit> and flat/<unit>, one sample, location and function per node. */
PPROF_API int pprof_write_topproto(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -traces: every sample, its labels and its frames (leaf first). */
PPROF_API int pprof_write_traces(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -tags: for each label key, the weight and share of each value. */
PPROF_API int pprof_write_tags(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -comments: every comment, one per line. */
PPROF_API int pprof_write_comments(pprof_buf *out, const pprof_profile *p);

/* ---------------------------------------------------------------- stacks */

/* Stacks for folded output and flame graphs: each stack is a path of frame
 * names, root first, with its value (and, in a differential set, its value
 * in the base profile). Stacks with the same path are already summed. */
typedef struct pprof_stack {
    uint64_t frames_off; /* first frame in set->frames */
    uint32_t n_frames;
    int64_t value;       /* new (or only) profile */
    int64_t base;        /* base profile, when set->has_base */
} pprof_stack;

#define PPROF_FRAME_INLINED 1u /* frame flag: inlined into its caller */

typedef struct pprof_stack_set {
    char **names;         /* distinct frame names, owned, NUL-terminated */
    size_t n_names;
    uint32_t *frames;     /* name ids of all stacks, root first */
    uint8_t *frame_flags; /* PPROF_FRAME_* per entry of frames */
    size_t n_frames;
    pprof_stack *stacks;
    size_t n_stacks;
    bool has_base;        /* differential: base values are meaningful */
    char *unit;           /* sample unit ("nanoseconds", "bytes", "count", ...) */
    char *type;           /* sample type name ("cpu", "alloc_space", ...) */
    int64_t total;        /* sum of |value| */
    int64_t base_total;   /* sum of |base| */
} pprof_stack_set;

PPROF_API void pprof_stack_set_free(pprof_stack_set *s);

/* The stacks of p under o (sample index, mean, granularity, noinlines):
 * one stack per distinct frame path, root first, inline frames expanded;
 * samples labelled pprof::base=true go to the base values (has_base set).
 * Label frames (-tagroot/-tagleaf) are already in p as locations. */
PPROF_API int pprof_stacks_build(pprof_stack_set **out, const pprof_profile *p, const pprof_report_options *o,
                       pprof_error *err);

/* -folded: one "root;...;leaf value" line per stack (two counts, base then
 * new, for a differential set), sorted frame by frame. */
PPROF_API int pprof_write_folded(pprof_buf *out, const pprof_stack_set *s, pprof_error *err);

/* -flamegraph: one self-contained interactive SVG (differential when
 * s->has_base). */
PPROF_API int pprof_write_flame_svg(pprof_buf *out, const pprof_stack_set *s, const pprof_flame_options *o,
                          pprof_error *err);

/* -speedscope: speedscope's JSON file format (https://www.speedscope.app/file-format-schema.json),
 * "sampled" profiles: frames are the names in id order, samples the stacks in set order
 * (zero weights skipped, negative ones as magnitudes). A differential set gets two
 * profiles, "base" then the new one, and opens on the new one. name (may be NULL: the
 * sample type) names the file and the profile. */
PPROF_API int pprof_write_speedscope(pprof_buf *out, const pprof_stack_set *s, const char *name, pprof_error *err);

/* Folded text (flamegraph.pl, inferno, perf collapsed): "a;b;c 10" lines,
 * optionally with a second count column (differential: before, after).
 * Builds a profile with one function per distinct frame name and one
 * location per function; a two-column file becomes a profile whose base
 * samples carry the label pprof::base=true (negated, as -diff_base makes).
 * Returns PPROF_EUNRECOGNIZED when data does not look like folded text. */
PPROF_API int pprof_read_folded(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* ---------------------------------------------------------------- call graphs */

/* -dot: pprof's call graph in Graphviz DOT (o->graph.call_tree for a
 * context-sensitive tree), byte for byte as go tool pprof writes it;
 * every string from the profile is escaped. */
PPROF_API int pprof_write_dot(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -callgrind: the address-level graph (untrimmed; a call tree with
 * o->call_tree) in Callgrind's format, as pprof writes it. */
PPROF_API int pprof_write_callgrind(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);


/* ---------------------------------------------------------------- writers */

/* -raw: current upstream's Profile.String() text. */
PPROF_API int pprof_write_raw(pprof_buf *out, const pprof_profile *p);


/* Appends profile string id escaped for a terminal (pprof_escape_text),
 * right-aligned in width columns when width > 0 (printf's %*s). */
PPROF_API int pprof_put_string(pprof_buf *out, const pprof_profile *p, pprof_str id, int width);

#endif
