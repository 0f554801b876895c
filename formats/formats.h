/* formats.h: the public interface of the readers and report writers in formats/ (installed as <pprof/formats.h>). */
#ifndef PPROF_FORMATS_H
#define PPROF_FORMATS_H

#include "pprof.h"

/* ---------------------------------------------------------------- readers */

/* Reads a profile in any supported format: profile.proto (gzip or raw),
 * the legacy formats (gperftools CPU and heap, Go debug=1 text, threadz,
 * contention, Java) and folded stacks, gzip-compressed or not. Data that
 * cannot be a profile (an HTML page, zstd, ...) is refused first
 * (pprof_read_check_prefix); then each reader is tried in turn. opt may be
 * NULL (defaults). *out is owned by the caller (pprof_profile_free).
 * Errors: PPROF_EUNRECOGNIZED when no reader takes the data; a reader's
 * own error when the data is in its format but broken (PPROF_EGZIP,
 * PPROF_ECONCAT, PPROF_ESEMANTIC, PPROF_EFORMAT), PPROF_EEMPTY,
 * PPROF_ELIMIT, PPROF_ENOMEM. */
PPROF_API int pprof_read(pprof_profile **out, const void *data, size_t len, const pprof_parse_options *opt,
                         pprof_error *err);

/* How many leading bytes pprof_read_check_prefix looks at. */
#define PPROF_READ_PREFIX (64 * 1024)

/* Refuses, from its first PPROF_READ_PREFIX bytes (gzip inflated), data
 * that cannot be a profile: PPROF_EUNRECOGNIZED with a message saying what
 * it is (HTML, zstd, zlib, nested gzip, binary junk); else 0. For streams,
 * so that junk is refused before all of it is read. */
PPROF_API int pprof_read_check_prefix(const void *data, size_t len, pprof_error *err);


/* Linux perf's perf.data is one of pprof_read's formats (file or pipe
 * mode). Its clock runs from boot, so a profile read from one has time 0
 * unless the file holds clock data (perf record --clockid): */

/* True when data starts with a perf.data magic. */
PPROF_API bool pprof_perf_sniff(const void *data, size_t len);

/* Places a profile read from a perf.data so that it ends at end_ns (the
 * file's modification time, or now for a stream); a known time stays. */
PPROF_API void pprof_perf_set_time(pprof_profile *p, int64_t end_ns);

/* The time span of a perf.data without building its profile (the header's
 * sample times, or the samples' own in pipe mode), placed as
 * pprof_perf_set_time(end_ns) would place it. */
PPROF_API int pprof_perf_peek_times(const void *data, size_t len, int64_t end_ns, int64_t *time_nanos,
                                    int64_t *duration_nanos, pprof_error *err);

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
    int sample_index;         /* value column; -1: the default (pprof_sample_index of "") */
    bool mean;                /* divide by value[0] (-mean) */
    double ratio;             /* 1/divide_by, applied when formatting */
    const char *unit;         /* "minimum", "auto", or a unit name */
    bool compact_labels;
    pprof_graph_options graph;
    int64_t total;            /* the report total (pprof_profile_total); -1: computed by pprof_write */
    const char *const *filters; /* "key=value" lines for "Active filters:", NULL-terminated */
    const char *symbol;         /* -peek/-list regexp: only nodes whose name matches */
    const char *source_path;    /* -list: where to look for sources (":"-separated) */
    const char *trim_path;      /* -list: prefixes to remove from source paths */
    bool intel_syntax;          /* -disasm: Intel rather than AT&T syntax */
    bool json;                  /* -top and -diff as JSON */
    double fail_above;          /* -diff: percentage points a share may grow */
    size_t *threshold_exceeded; /* -diff: set to the number of functions over fail_above */
    pprof_flame_options flame;
    bool call_tree;             /* -dot and -callgrind: one node per call path */
    /* -tree and -peek: with n_parts > 1, only part `part`
     * (0-based) of the entries (lines), split by their number;
     * part 0 has the header. The parts, concatenated in order, are the
     * whole report. With split set, the part is split(split_ctx, lines)'s
     * answer, asked once the report's graph is made, lines being
     * how many entries there are (n_parts or more: all of it): a caller
     * that forks there writes the parts in several processes at once. */
    unsigned part, n_parts;
    unsigned (*split)(void *split_ctx, uint64_t lines);
    void *split_ctx;
} pprof_report_options;

/* Fills o with pprof's defaults for report `format` (a name from
 * pprof_writer_name, or NULL for defaults common to all): default sample
 * index and total (-1: resolved by pprof_write), ratio 1, unit "minimum",
 * nodefraction 0.005, edgefraction 0.001, the report's -nodecount (80 for
 * dot, tree, peek, tags and traces, else all), the "hot" flame palette.
 * Returns 0, or PPROF_ENOTFOUND for an unknown format (o still filled). */
PPROF_API int pprof_report_options_init(pprof_report_options *o, const char *format);

/* Writes report `format` of p ("top", "tree", "peek", "list", "traces",
 * "tags", "comments", "raw", "proto", "topproto", "dot", "callgrind",
 * "folded", "flamegraph", "speedscope", "diff", ...; every name
 * pprof_writer_name lists) to out, as go tool pprof writes it. o may be
 * NULL for the format's defaults. Reports that pprof never trims (raw,
 * proto, list, peek, callgrind, stacks) ignore the trimming options.
 * Returns 0, PPROF_ENOTFOUND for an unknown format, or the writer's error
 * (PPROF_EREGEXP for a bad o->symbol, PPROF_ENOMEM, PPROF_EIO from a sink). */
PPROF_API int pprof_write(pprof_buf *out, const char *format, const pprof_profile *p,
                          const pprof_report_options *o, pprof_error *err);

/* The name of report i (0, 1, ...); NULL past the last. */
PPROF_API const char *pprof_writer_name(size_t i);

/* Appends pprof's ProfileLabels lines (File, Build ID, comments, Type, Doc,
 * Time, Duration) formatting the total with unit `out_unit`. */
PPROF_API int pprof_write_profile_labels(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               const char *out_unit);













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

/* The frames of stack st (root first); NULL for a set without frames (no
 * arithmetic on a NULL array, which C leaves undefined). */
static inline const uint32_t *pprof_stack_frames(const pprof_stack_set *s, const pprof_stack *st)
{
    return s->frames ? s->frames + st->frames_off : NULL;
}

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


/* ---------------------------------------------------------------- call graphs */




/* ---------------------------------------------------------------- writers */



/* Appends profile string id escaped for a terminal (pprof_escape_text),
 * right-aligned in width columns when width > 0 (printf's %*s). */
PPROF_API int pprof_put_string(pprof_buf *out, const pprof_profile *p, pprof_str id, int width);

#endif
