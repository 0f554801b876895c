/* pprof.h: the one public header of libpprof (profile model, codec, units, graph). */
#ifndef PPROF_H
#define PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ version */

#define PPROF_VERSION_MAJOR 0
#define PPROF_VERSION_MINOR 1
#define PPROF_VERSION_PATCH 0
#define PPROF_VERSION "0.1.0"

/* Marks the exported API: the library is built with -fvisibility=hidden,
 * so only these functions are visible in libpprof.so. */
#if defined(__GNUC__) || defined(__clang__)
#define PPROF_API __attribute__((visibility("default")))
#else
#define PPROF_API
#endif

/* The version of the library linked at run time ("0.1.0"); compare with
 * PPROF_VERSION, the version the caller was compiled against. */
PPROF_API const char *pprof_version(void);

/* ------------------------------------------------------------------ errors */

/* Every fallible function returns 0 or one of these negative codes; the
 * codes are fine enough to route on (never the message text). */
enum {
    PPROF_OK = 0,
    PPROF_EINVAL = -1,    /* bad argument or option value */
    PPROF_ENOMEM = -2,    /* allocation failed */
    PPROF_EIO = -3,       /* read or write failed */
    PPROF_EFORMAT = -4,   /* malformed input in a recognised text format (legacy, folded) */
    PPROF_ELIMIT = -5,    /* a configured size cap was hit */
    PPROF_EEMPTY = -6,    /* empty input */
    PPROF_ENOTFOUND = -7, /* a named thing (sample type, ...) does not exist */
    PPROF_EUNRECOGNIZED = -8, /* input is not in this format at all */
    PPROF_EGZIP = -9,     /* gzip data is corrupt, truncated or followed by garbage */
    PPROF_EWIRE = -10,    /* not valid protobuf wire data (so perhaps another format) */
    PPROF_ESEMANTIC = -11, /* valid wire data breaking profile.proto's rules (ids, indices, value counts) */
    PPROF_ECONCAT = -12,  /* several profile.proto messages concatenated into one */
    PPROF_EREGEXP = -13   /* a regular expression does not compile */
};

/* Detailed error: the code plus a message naming the field, index or offset.
 * The caller owns the struct; functions fill it on failure. */
typedef struct pprof_error {
    int code;
    char msg[1024];
} pprof_error;

/* Short, static description of a code. */
PPROF_API const char *pprof_strerror(int code);

/* Fills err (when non-NULL) with code and a printf-style message; returns code. */
PPROF_API int pprof_error_set(pprof_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ buffer */

/* A growable byte buffer. Zero-initialise, then append; release frees.
 * With a sink set, the contents are handed to the sink whenever they pass
 * flush_at bytes, so big outputs stream instead of growing in memory;
 * writers must then not keep offsets into data across appends. */
typedef struct pprof_buf {
    uint8_t *data;
    size_t len, cap;
    bool failed; /* an append ran out of memory or the sink failed */
    int (*sink)(void *ctx, const uint8_t *data, size_t len); /* 0 or an errno */
    void *sink_ctx;
    size_t flush_at;
    int sink_error; /* errno from the sink, when it failed */
} pprof_buf;

/* Hands the contents to the sink (when set) and empties the buffer. */
PPROF_API int pprof_buf_flush(pprof_buf *b);

PPROF_API void pprof_buf_release(pprof_buf *b);
PPROF_API int pprof_buf_reserve(pprof_buf *b, size_t extra);
PPROF_API int pprof_buf_append(pprof_buf *b, const void *data, size_t n);
PPROF_API int pprof_buf_puts(pprof_buf *b, const char *s);
PPROF_API int pprof_buf_printf(pprof_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s[0..n) made safe for a terminal or a text report: C0 controls,
 * DEL and invalid UTF-8 bytes become \xNN (NUL is \x00, so names that
 * differ after a NUL stay different), C1 controls and the bidirectional
 * marks, overrides and isolates (U+200E/F, U+061C, U+202A-E, U+2066-9)
 * become \uNNNN; every other byte, valid UTF-8 included, is kept.
 * Returns 0 or PPROF_ENOMEM. */
PPROF_API int pprof_escape_text(pprof_buf *out, const char *s, size_t n);
/* The same for a NUL-terminated string. */
PPROF_API int pprof_escape_cstr(pprof_buf *out, const char *s);
/* True when pprof_escape_text would copy s[0..n) unchanged. */
PPROF_API bool pprof_text_is_safe(const char *s, size_t n);
/* Appends s[0..n) as HTML text or a quoted attribute value: & < > " ' as
 * entities, NUL and the C0 controls but tab, newline and carriage return,
 * and DEL, as U+FFFD; every other byte is kept. Returns 0 or PPROF_ENOMEM. */
PPROF_API int pprof_escape_html(pprof_buf *out, const char *s, size_t n);

/* ------------------------------------------------------------------ model */

/* A string id: index into the profile's interned string table; 0 is "". */
typedef uint32_t pprof_str;

/* Index value meaning "none" for optional table references. */
#define PPROF_NONE UINT32_MAX

typedef struct pprof_value_type {
    pprof_str type, unit;
} pprof_value_type;

typedef struct pprof_mapping {
    uint64_t id; /* id as on the wire (non-zero, unique) */
    uint64_t start, limit, offset;
    pprof_str file, build_id;
    bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
} pprof_mapping;

typedef struct pprof_function {
    uint64_t id;
    pprof_str name, system_name, filename;
    int64_t start_line;
} pprof_function;

typedef struct pprof_line {
    uint32_t function; /* index into functions */
    int64_t line, column;
} pprof_line;

typedef struct pprof_location {
    uint64_t id;
    uint64_t address;
    uint32_t mapping;   /* index into mappings, or PPROF_NONE */
    uint32_t lines_off; /* first line in profile->lines */
    uint32_t n_lines;   /* lines[0] is the innermost inlined callee */
    bool is_folded;
} pprof_location;

/* A label is a string label when str != 0, else a numeric one. */
typedef struct pprof_label {
    pprof_str key, str;
    int64_t num;
    pprof_str num_unit;
} pprof_label;

typedef struct pprof_sample {
    uint64_t locs_off;   /* first location in profile->sample_locs (leaf first) */
    uint32_t n_locs;
    uint32_t n_labels;
    uint64_t labels_off; /* first label in profile->labels */
} pprof_sample;

struct pprof_profile_internal;

/* A parsed profile. Tables are dense and indexed from 0; wire ids are kept
 * only for printing. Read the fields freely; change them only through the
 * functions below. Everything lives until pprof_profile_free. */
typedef struct pprof_profile {
    const char **strings;        /* NUL-terminated, may hold embedded NULs */
    const uint32_t *string_lens; /* byte length of each string */
    size_t n_strings;

    pprof_value_type *sample_types;
    size_t n_sample_types;

    pprof_sample *samples;
    size_t n_samples;
    int64_t *values; /* n_samples * n_sample_types, row per sample */

    uint32_t *sample_locs; /* location indices, all samples, leaf first (samples
                            * with the same stack may share one range) */
    size_t n_sample_locs;
    pprof_label *labels;
    size_t n_labels;

    pprof_mapping *mappings;
    size_t n_mappings;
    pprof_location *locations;
    size_t n_locations;
    pprof_line *lines;
    size_t n_lines;
    pprof_function *functions;
    size_t n_functions;

    pprof_str drop_frames, keep_frames;
    int64_t time_nanos, duration_nanos;
    pprof_value_type period_type;
    int64_t period;
    pprof_str *comments;
    size_t n_comments;
    pprof_str default_sample_type, doc_url;
    /* Locations whose mapping_id named no mapping (kept without one, as
     * pprof does), so that a caller can warn about them. */
    size_t n_dangling_mappings;

    struct pprof_profile_internal *internal;
} pprof_profile;

/* Values of sample i: profile->values + i * profile->n_sample_types. */
static inline const int64_t *pprof_sample_values(const pprof_profile *p, size_t i)
{
    return p->values + i * p->n_sample_types;
}

/* A sample's location indices (leaf first) and labels; NULL when it has
 * none (the arrays may be NULL then, and NULL + 0 is undefined in C). */
static inline uint32_t *pprof_sample_locs(const pprof_profile *p, const pprof_sample *s)
{
    return s->n_locs ? p->sample_locs + s->locs_off : NULL;
}

static inline pprof_label *pprof_sample_labels(const pprof_profile *p, const pprof_sample *s)
{
    return s->n_labels ? p->labels + s->labels_off : NULL;
}

/* Merges identical samples (same locations, same labels) in place: the
 * first keeps its place and gets the others' values (added, saturating).
 * The readers do this (profile.proto as it decodes, the others after);
 * pprof's reports and Go's merge treat such samples as one.
 * 0 or PPROF_ENOMEM (p unchanged). */
PPROF_API int pprof_profile_merge_samples(pprof_profile *p);

/* Creates an empty profile (string table holds only ""). NULL on ENOMEM. */
PPROF_API pprof_profile *pprof_profile_new(void);

/* Frees a profile and everything in it. NULL is a no-op. */
PPROF_API void pprof_profile_free(pprof_profile *p);

/* A deep copy of src with the same ids and string ids (for working on a
 * view of a profile without re-parsing it). *out is owned by the caller. */
PPROF_API int pprof_profile_copy(pprof_profile **out, const pprof_profile *src);

/* Groups p's samples by location list once and keeps that index in p, so
 * reports on p walk each distinct stack once instead of every sample (for
 * a profile that answers many reports: the shell, the web UI). It also
 * keeps the node identity of the default graph options at function and
 * at line granularity, which graphs with those options copy. Reports are the same with or without it; any change
 * to p's samples drops it. 0 or PPROF_ENOMEM (p is unchanged then). */
PPROF_API int pprof_profile_index(pprof_profile *p, pprof_error *err);

/* Adds to p's index (pprof_profile_index) the frame names of every
 * location under the default graph options, each name made and interned
 * once, and their order: flame graphs of p with those options are then
 * made without naming a frame (for a server answering many of them). It
 * only adds: a thread may do it while others read p (or fork), which see
 * all of it or none. Reports are the same with or without it. 0 (also
 * when p has no index: nothing done) or PPROF_ENOMEM (p unchanged). */
PPROF_API int pprof_profile_index_frames(pprof_profile *p, pprof_error *err);

/* Interns s[0..len); *out is its id (existing or new). */
PPROF_API int pprof_profile_intern(pprof_str *out, pprof_profile *p, const char *s, size_t len);

/* Looks up s without adding it; returns false when it is not interned. */
PPROF_API bool pprof_profile_find_string(pprof_str *out, const pprof_profile *p, const char *s, size_t len);

/* Builder: append table entries; *out receives the new index. The added
 * entries are copied. Locations' lines are given separately. */
PPROF_API int pprof_profile_add_sample_type(pprof_profile *p, pprof_value_type vt);
PPROF_API int pprof_profile_add_mapping(uint32_t *out, pprof_profile *p, const pprof_mapping *m);
PPROF_API int pprof_profile_add_function(uint32_t *out, pprof_profile *p, const pprof_function *f);
PPROF_API int pprof_profile_add_location(uint32_t *out, pprof_profile *p, const pprof_location *l,
                               const pprof_line *lines, size_t n_lines);
/* Replaces the lines of location loc (innermost first); the old ones are
 * dropped. Returns 0, PPROF_EINVAL for a bad index, PPROF_ENOMEM. */
PPROF_API int pprof_profile_set_lines(pprof_profile *p, uint32_t loc, const pprof_line *lines, size_t n_lines);
/* values has n_sample_types entries. */
PPROF_API int pprof_profile_add_sample(pprof_profile *p, const uint32_t *locs, size_t n_locs,
                             const int64_t *values, const pprof_label *labels, size_t n_labels);
PPROF_API int pprof_profile_add_comment(pprof_profile *p, pprof_str comment);

/* The unit of numeric label key: the first unit given for it in the
 * profile, else "bytes" for alignment and request, else the key itself. */
PPROF_API const char *pprof_label_unit(const pprof_profile *p, pprof_str key);

/* Convenience: the C string of id s. */
static inline const char *pprof_string(const pprof_profile *p, pprof_str s)
{
    return p->strings[s];
}

/* ------------------------------------------------------------------ codec */

/* Options of the readers; all zero (or a NULL pointer) means the defaults. */
typedef struct pprof_parse_options {
    uint64_t max_inflated; /* cap on decompressed bytes; 0 means the default, 2 GiB */
    bool single_threaded;  /* no read-ahead thread: big gzip inputs are inflated in the
                            * calling thread (as they are when a thread cannot start) */
    bool input_mapped;     /* data is a read-only mmap of a file: the inflating thread may
                            * drop the pages of gzip input it has inflated (they read back
                            * from the file if touched again), so the input does not
                            * add to the peak memory */
    uint64_t max_memory;   /* memory budget of one read: the decoded profile, the
                            * decoder's tables and what is held of the input; a read
                            * that would pass it fails with PPROF_ELIMIT. 0 means
                            * pprof_default_max_memory() */
} pprof_parse_options;

#define PPROF_DEFAULT_MAX_INFLATED (2ULL << 30)

/* The default memory budget of a read: half of the physical memory, at
 * least 1 GiB. */
PPROF_API uint64_t pprof_default_max_memory(void);

/* The budget opt asks for (opt may be NULL): opt->max_memory, else the default. */
PPROF_API uint64_t pprof_parse_max_memory(const pprof_parse_options *opt);

/* Decodes a profile.proto message, gzip-compressed or raw (detected by the
 * magic bytes). Applies every decoder rule and CheckValid check. Locations
 * no sample uses, and functions no kept location uses, are checked, then
 * dropped (as pprof's merge drops them); mappings are all kept.
 * Threads:
 * gzip input of 1 MiB or more is inflated by a second thread while this one
 * decodes (joined before return), unless opt->single_threaded. On failure
 * returns a negative code with err naming the field and index or byte
 * offset: PPROF_EWIRE when the bytes are not valid protobuf (so other
 * readers may be tried), PPROF_EGZIP for broken gzip data, PPROF_ECONCAT
 * for concatenated profiles, PPROF_ESEMANTIC for a profile breaking the
 * model's rules, PPROF_EEMPTY, PPROF_ELIMIT, PPROF_ENOMEM. *out is owned
 * by the caller. */
PPROF_API int pprof_profile_parse(pprof_profile **out, const void *data, size_t len,
                        const pprof_parse_options *opt, pprof_error *err);

/* Reads all of f (a file or pipe) into *out as it is (gzip stays
 * compressed), failing with PPROF_ELIMIT past opt->max_inflated bytes. */
PPROF_API int pprof_read_stream(pprof_buf *out, FILE *f, const pprof_parse_options *opt, pprof_error *err);

/* True when data starts with the gzip magic. */
PPROF_API bool pprof_is_gzip(const void *data, size_t len);

/* Inflates gzip data (all members) into out, bounded by max (0: default). */
PPROF_API int pprof_gunzip(pprof_buf *out, const void *data, size_t len, uint64_t max, pprof_error *err);

/* Encodes p as profile.proto; gzip when compress is true. Appends to out.
 * With gzip, a second thread deflates (and calls out's sink) while the
 * rest is encoded; it has stopped when this returns. */
PPROF_API int pprof_profile_encode(pprof_buf *out, const pprof_profile *p, bool compress, pprof_error *err);


/* Checks the model's invariants (indices in range, value counts). */
PPROF_API int pprof_profile_check(const pprof_profile *p, pprof_error *err);

/* ------------------------------------------------------------------ merge */

/* Merges n profiles with identical sample and period types, as pprof does:
 * mappings, functions, locations and samples deduplicated (values summed,
 * all-zero and stackless samples dropped), ids renumbered in first-seen order, time the
 * earliest, durations summed, period the largest, comments deduplicated.
 * The sources are not changed. *out is owned by the caller. */
PPROF_API int pprof_profile_merge(pprof_profile **out, pprof_profile *const *srcs, size_t n, pprof_error *err);

/* The same merge, one source at a time, so that many profiles can be merged
 * with only the merged result and the current source in memory: new, add
 * each source (it may be freed right after), finish (hands over the merged
 * profile, as pprof_profile_merge would give it), free. After a failed add
 * the merger only reports that failure. */
typedef struct pprof_merger pprof_merger;
PPROF_API int pprof_merger_new(pprof_merger **out);
PPROF_API int pprof_merger_add(pprof_merger *mg, const pprof_profile *src, pprof_error *err);
PPROF_API size_t pprof_merger_count(const pprof_merger *mg); /* sources added */
PPROF_API int pprof_merger_finish(pprof_merger *mg, pprof_profile **out, pprof_error *err);
PPROF_API void pprof_merger_free(pprof_merger *mg);

/* ------------------------------------------------------------------ time windows */

/* A profile's time_nanos and duration_nanos, read without decoding it
 * (gzip or raw profile.proto; both 0 when absent). */
PPROF_API int pprof_profile_peek_times(const void *data, size_t len, int64_t *time_nanos, int64_t *duration_nanos,
                             pprof_error *err);

/* A window START..END (-window): each bound is open (empty), absolute
 * (RFC 3339 date-time or date, or a time of day meaning today, UTC unless
 * it names a zone) or relative (a Go duration such as -30m or -1h30m,
 * from the end of the newest profile). */
typedef enum { PPROF_BOUND_OPEN, PPROF_BOUND_ABSOLUTE, PPROF_BOUND_RELATIVE } pprof_bound_kind;
typedef struct pprof_time_bound {
    pprof_bound_kind kind;
    int64_t ns; /* Unix nanoseconds, or the offset */
} pprof_time_bound;
typedef struct pprof_time_window {
    pprof_time_bound start, end;
} pprof_time_window;

/* now_ns gives "today" for times of day. */
PPROF_API int pprof_window_parse(pprof_time_window *w, const char *text, int64_t now_ns, pprof_error *err);
/* [*start, *end) in Unix nanoseconds; latest is the newest profile's end. */
PPROF_API void pprof_window_resolve(const pprof_time_window *w, int64_t latest, int64_t *start, int64_t *end);
/* Whether [time, time+duration) meets [start, end); an instant (duration
 * 0) must lie inside. */
PPROF_API bool pprof_window_overlaps(int64_t start, int64_t end, int64_t time_nanos, int64_t duration_nanos);
/* "2026-11-23 10:15:00 UTC"; returns snprintf's count. */
PPROF_API int pprof_format_time(char *buf, size_t n, int64_t ns);

/* Multiplies every value of sample type k by ratios[k] (rounding half away
 * from zero, saturating); samples left all zero are dropped. */
PPROF_API int pprof_profile_scale(pprof_profile *p, const double *ratios);

/* pprof's -normalize: scales p so each sample type sums as in base. */
PPROF_API int pprof_profile_normalize(pprof_profile *p, const pprof_profile *base, pprof_error *err);

/* Adds the string label key=value to every sample (pprof::base=true for -diff_base). */
PPROF_API int pprof_profile_add_label_all(pprof_profile *p, const char *key, const char *value);

/* pprof's -tagroot/-tagleaf: for each label key in the comma-separated
 * list, a pseudo-frame per sample named by the sample's values for it
 * (joined by ",", numbers scaled to unit), with the key as its file;
 * added at the root (first key outermost) or at the leaf (last key
 * innermost). Samples without the key get a frame named "". */
PPROF_API int pprof_profile_add_tag_frames(pprof_profile *p, const char *keys, bool at_root, const char *unit,
                                 pprof_error *err);

/* ------------------------------------------------------------------ regexps */

/* Go RE2-syntax regular expressions with linear-time matching (no
 * backtracking, so no pattern can make a match hang). */
typedef struct pprof_regex pprof_regex;

/* Compiles pattern[0..len) into *out (free with pprof_regex_free).
 * PPROF_EREGEXP with Go's message ("error parsing regexp: missing closing
 * ): `(`") when it does not compile (also past 65536 bytes, 1000 nested
 * groups or 2^20 instructions), PPROF_ENOMEM. */
PPROF_API int pprof_regex_compile(pprof_regex **out, const char *pattern, size_t len, pprof_error *err);

/* True when the regexp matches anywhere in text[0..len) (unanchored, like
 * Go's MatchString), in time linear in len. A compiled regexp is only read
 * here, so several threads may match with it at once. */
PPROF_API bool pprof_regex_match(const pprof_regex *re, const char *text, size_t len);

PPROF_API void pprof_regex_free(pprof_regex *re);

/* ------------------------------------------------------------------ filters */

/* The filters of pprof's -focus ... -prune_from options (Go RE2 regexps,
 * unanchored, matched against function names, file names and binary
 * names); NULL or "" where not set. */
typedef struct pprof_filter_options {
    const char *focus, *ignore, *hide, *show, *show_from, *prune_from;
    const char *tagfocus, *tagignore, *tagshow, *taghide;
} pprof_filter_options;

/* Which filters matched something (for "... expression matched no samples"). */
typedef struct pprof_filter_result {
    bool focus_matched, ignore_matched, hide_matched, show_matched, show_from_matched;
    bool tagfocus_matched, tagignore_matched, tagshow_matched, taghide_matched;
    bool tagfocus_numeric, tagignore_numeric; /* the value was read as a range */
} pprof_filter_result;

/* Applies the filters to p in place, in pprof's order: focus/ignore/hide/
 * show, show_from, tagfocus/tagignore, tagshow/taghide, prune_from.
 * PPROF_EINVAL with a message for a bad regexp or range. */
PPROF_API int pprof_profile_filter(pprof_profile *p, const pprof_filter_options *o, pprof_filter_result *res,
                         pprof_error *err);

/* pprof's RemoveUninteresting, done once a profile is loaded: the profile's
 * drop_frames regexp (anchored, matched against function names without
 * their argument lists), except names keep_frames matches, marks frames to
 * remove. Each location loses its outermost marked line and the lines it
 * calls (a location whose outermost line is marked is marked whole); each
 * stack, read from the root past its first unmarked location, ends at the
 * first marked one: before it when marked whole, at it otherwise. Nothing
 * happens without drop_frames, or when a regexp does not compile (as in
 * pprof). Returns 0 or PPROF_ENOMEM. */
PPROF_API int pprof_profile_prune_frames(pprof_profile *p, pprof_error *err);


/* ------------------------------------------------------------------ units */

/* Scales value from unit `from` to unit `to` (a unit name, "minimum" or
 * "auto"), as pprof's measurement package does. Writes the resulting unit
 * (static string, may be "") to *out_unit. */
PPROF_API double pprof_unit_scale(int64_t value, const char *from, const char *to, const char **out_unit);

/* True when from and to are in the same unit family (and so convertible). */
PPROF_API bool pprof_unit_compatible(const char *a, const char *b);

/* The finest canonical unit among a and b, when compatible; NULL otherwise.
 * factor_a and factor_b receive the multipliers to that unit. */
PPROF_API const char *pprof_unit_finest(const char *a, const char *b, double *factor_a, double *factor_b);

/* ScaledLabel: "%.2f" with ".00" trimmed, then the unit; "0" for zero. */
PPROF_API void pprof_format_scaled(char *buf, size_t n, int64_t value, const char *from, const char *to);

/* Percentage of value in total: "  100%", "%5.2f%%" or "%5.2g%%"; "    0%" for total 0. */
PPROF_API void pprof_format_percent(char *buf, size_t n, int64_t value, int64_t total);

/* Picks the output unit for unit=minimum (pprof's selectOutputUnit) given the
 * smallest shown non-zero value and the maximum (total), both already
 * multiplied by the ratio. Returns a static string. */
PPROF_API const char *pprof_unit_select_minimum(int64_t min_value, int64_t max_value, const char *sample_unit);

/* ------------------------------------------------------------------ graph */

typedef enum pprof_granularity {
    PPROF_GRAN_FUNCTIONS = 0,
    PPROF_GRAN_FILEFUNCTIONS,
    PPROF_GRAN_FILES,
    PPROF_GRAN_LINES,
    PPROF_GRAN_ADDRESSES
} pprof_granularity;

/* Identity of a graph node; string ids belong to the graph's profile. */
typedef struct pprof_node_info {
    pprof_str name, orig_name, file, objfile;
    uint64_t address;
    int64_t start_line, line, column;
} pprof_node_info;

typedef struct pprof_node {
    pprof_node_info info;
    int64_t flat, flat_div, cum, cum_div;
    uint32_t in_off, n_in;   /* incoming edges: graph->in_edges[in_off..] */
    uint32_t out_off, n_out; /* outgoing edges: graph->out_edges[out_off..] */
    uint32_t tags_off, n_tags; /* visual graphs: graph->tags[tags_off..] */
} pprof_node;

typedef struct pprof_edge {
    uint32_t src, dst; /* node indices */
    int64_t weight, weight_div;
    bool residual, is_inline;
} pprof_edge;

typedef struct pprof_graph_options {
    int sample_index;            /* value column */
    bool mean;                   /* divide by value[0] */
    pprof_granularity granularity;
    bool noinlines;
    bool keep_objfile;           /* objfile and start_line in node identity (raw/list/callgrind) */
    int nodecount;               /* <= 0: unlimited */
    double nodefraction, edgefraction;
    bool sort_cum;               /* CumNameOrder instead of FlatNameOrder */
    bool drop_negative;
    bool inline_edges_only;      /* track only edges that can be inline (enough for top) */
    bool showcolumns;            /* keep columns at line granularity */
    bool visual;                 /* for a drawing (dot): entropy order, tags count against
                                  * nodecount, tags kept, redundant residual edges removed */
    bool call_tree;              /* one node per distinct call path (dot, callgrind) */
    const char *tag_unit;        /* unit numeric tag names are formatted in (NULL: "minimum") */
    const char *trim_path;       /* ':'-separated prefixes trimmed from file names (-trim_path) */
    const char *source_path;     /* ':'-separated search dirs (-source_path): without trim_path,
                                  * a file name loses everything up to "/<a dir's base>/" */
    bool untrimmed_files;        /* file names as the profile has them (pprof's -traces):
                                  * not even /proc/self/cwd/ is trimmed */
    bool single_threaded;        /* no second thread for a big profile's passes (as when
                                  * a thread cannot start): e.g. in a forked child */
    const pprof_regex *edges_of;   /* non-NULL, with no edge cutoff (edgefraction 0), not
                                  * visual nor call_tree: only the edges into or out of the
                                  * graph's nodes whose text matches (enough for -peek);
                                  * with no nodecount, only those are sorted (matched_first) */
} pprof_graph_options;

/* A tag of a node in a visual graph (pprof's nodelets): the samples through
 * the node that carry one set of string labels, or one numeric label value
 * under such a set. Strings belong to the graph. */
typedef struct pprof_tag {
    const char *name;   /* label tag: its sorted "key:value" pairs joined by '\n';
                         * numeric tag: the value formatted (e.g. "128B") */
    const char *labels; /* numeric tag: the label tag name it sits under ("" for none) */
    const char *unit;   /* numeric tag: unit of value */
    int64_t value;      /* numeric tag: the first value seen with this name */
    int64_t flat, flat_div, cum, cum_div;
    bool numeric;
} pprof_tag;

/* Node identity of every location line under a granularity: the nodes, and
 * for location i the nodes of its lines, innermost first, at
 * loc_nodes[loc_off[i] .. loc_off[i+1]) (one node for a location without
 * lines, only the outermost line with noinlines). */
typedef struct pprof_nodemap {
    const pprof_profile *profile; /* borrowed */
    pprof_node_info *nodes;
    size_t n_nodes;
    uint32_t *loc_off;
    uint32_t *loc_nodes;
    size_t n_loc_nodes;
    const char **extra_strings; /* strings made here (cleaned paths), ids from profile->n_strings */
    size_t n_extra_strings;
} pprof_nodemap;

/* pprof's trimming of a source file name, which node identity applies to
 * every file name: the first of trim_path's ':'-separated prefixes the path
 * starts with (as a whole directory), else "/proc/self/cwd/./" or
 * "/proc/self/cwd/"; with no trim_path, a source_path dir's last element
 * found as "/<base>/" in the path first cuts everything up to it. Returns
 * a pointer into path (the trimmed name is a suffix); NULL for NULL. */
PPROF_API const char *pprof_trim_source_path(const char *path, const char *trim_path, const char *source_path);

/* Builds the node identity of p's locations under opt's granularity and
 * noinlines. *out is owned by the caller (pprof_nodemap_free). */
PPROF_API int pprof_nodemap_build(pprof_nodemap **out, const pprof_profile *p, const pprof_graph_options *opt,
                        pprof_error *err);
PPROF_API void pprof_nodemap_free(pprof_nodemap *m);
/* The text of a string id found in a node info (profile or nodemap string). */
PPROF_API const char *pprof_nodemap_string(const pprof_nodemap *m, pprof_str id);
/* Its length in bytes (strings may hold NULs). */
PPROF_API size_t pprof_nodemap_string_len(const pprof_nodemap *m, pprof_str id);
/* Appends the printable name of node info i (pprof's PrintableName). */
PPROF_API int pprof_nodemap_info_name(pprof_buf *buf, const pprof_nodemap *m, const pprof_node_info *i);
PPROF_API int pprof_nodemap_name(pprof_buf *buf, const pprof_nodemap *m, uint32_t node);
/* The same names escaped for a terminal or a text report (pprof_escape_text);
 * the two above give the bytes as they are, for formats that escape them. */
PPROF_API int pprof_nodemap_info_text(pprof_buf *buf, const pprof_nodemap *m, const pprof_node_info *i);
PPROF_API int pprof_nodemap_text(pprof_buf *buf, const pprof_nodemap *m, uint32_t node);

/* The texts of a nodemap's nodes, made once (opaque; see pprof_graph.texts). */
typedef struct pprof_node_texts pprof_node_texts;

/* A trimmed, sorted call graph. */
typedef struct pprof_graph {
    const pprof_profile *profile; /* borrowed */
    pprof_nodemap *nodemap;       /* node identity the graph was built with (owned, or
                                   * shared with text_table) */
    pprof_node *nodes;
    size_t n_nodes;
    size_t n_hidden; /* nodes[n_nodes .. n_nodes + n_hidden): nodes pprof leaves
                      * out of the graph (neither flat nor cum, e.g. a function
                      * whose diff cancels out; or negative with drop_negative)
                      * but whose edges stay when nothing was trimmed: no node
                      * list shows them, yet edges lead to and from them */
    pprof_edge *edges; /* all edges */
    size_t n_edges;
    uint32_t *in_edges, *out_edges; /* edge indices grouped per node */
    size_t dropped_nodes;           /* removed by nodefraction */
    size_t dropped_edges;
    size_t orig_nodes;              /* nodes after nodefraction, before nodecount */
    int64_t node_cutoff, edge_cutoff;
    bool matched_first;             /* edges_of took effect (with no nodecount): nodes[0 ..
                                     * n_matched) are the nodes whose text it matches, in
                                     * order; after them come only the other nodes at the
                                     * other end of their edges, in no order */
    size_t n_matched;
    int64_t all_flat, all_min;      /* matched_first: of all the nodes the graph would list
                                     * (n_matched and every other with a value), the
                                     * saturated sum of their flat values (divided by
                                     * flat_div), and the least non-zero |flat|, or |cum|
                                     * when flat is 0 (0 when none) */
    pprof_tag *tags;                /* visual graphs: tags of all nodes, grouped by node */
    size_t n_tags;
    char **strings;                 /* owned: the tags' strings */
    size_t n_strings;
    /* Each node's text (pprof_node_text's bytes, n_nodes + n_hidden of
     * them), when the profile had them made (pprof_profile_index, for the
     * default node identity at function and line granularity), or the
     * graph made them (a graph neither visual, call_tree nor matched_first:
     * then owned, text_table NULL); else NULL. */
    const char **texts;
    pprof_node_texts *text_table;   /* (a reference to where they are, with the
                                     * nodemap then: shared, not owned) */
} pprof_graph;


/* Builds the graph of p under opt: node identity per granularity, cum once
 * per node per sample, edges once per pair per sample, then trims by
 * nodefraction (rebuilding from samples), sorts, and keeps nodecount nodes.
 * *out is owned by the caller (pprof_graph_free). */
PPROF_API int pprof_graph_build(pprof_graph **out, const pprof_profile *p, const pprof_graph_options *opt,
                      pprof_error *err);
PPROF_API void pprof_graph_free(pprof_graph *g);

/* The text of a string id found in a node_info (profile or graph string). */
PPROF_API const char *pprof_graph_string(const pprof_graph *g, pprof_str id);

/* Printable node name as pprof prints it (address, name, file:line, [obj],
 * <unknown>). Appends to buf. */
PPROF_API int pprof_node_name(pprof_buf *buf, const pprof_graph *g, const pprof_node *n);
/* The same escaped for a terminal or a text report (pprof_escape_text). */
PPROF_API int pprof_node_text(pprof_buf *buf, const pprof_graph *g, const pprof_node *n);

/* ------------------------------------------------------------------ totals */

/* Index of sample type `name` (or the numeric index in name), following
 * pprof: "" means default_sample_type, else the last type; names match the
 * type directly or after stripping "inuse_". */
PPROF_API int pprof_sample_index(int *out, const pprof_profile *p, const char *name, pprof_error *err);

/* Saturating int64 arithmetic, for sums of sample values: results clamp to
 * [INT64_MIN, INT64_MAX] instead of overflowing (undefined in C). */
/* *acc += v; returns true when the sum clamped. */
static inline bool pprof_sat_add(int64_t *acc, int64_t v)
{
    if (__builtin_add_overflow(*acc, v, acc)) {
        *acc = v > 0 ? INT64_MAX : INT64_MIN;
        return true;
    }
    return false;
}
/* a - b, clamped. */
static inline int64_t pprof_sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}
/* -v, with -INT64_MIN clamped to INT64_MAX. */
static inline int64_t pprof_sat_neg(int64_t v)
{
    return v == INT64_MIN ? INT64_MAX : -v;
}
/* |v|, with |INT64_MIN| clamped to INT64_MAX. */
static inline int64_t pprof_sat_abs(int64_t v)
{
    return v < 0 ? pprof_sat_neg(v) : v;
}

/* pprof's report total: sum of |v| over samples (over base samples only if
 * any carry pprof::base), divided by the mean divisor when mean is set.
 * Saturates instead of overflowing; *overflow is set when it did. */
PPROF_API int64_t pprof_profile_total(const pprof_profile *p, int sample_index, bool mean, bool *overflow);

/* a / b as reports divide: a when b is 0 (no divisor), and INT64_MAX for
 * INT64_MIN / -1, the one quotient that overflows; never traps. */
PPROF_API int64_t pprof_quotient(int64_t a, int64_t b);

/* The weight of sample s in a report: its value at sample_index, divided
 * by its first value when mean is set (-mean; a first value of 0 leaves it
 * undivided), by pprof_quotient. 0 when s or sample_index is out of range.
 * Every per-sample writer (traces, tags, folded, flame graphs, list) and
 * the graph builders use it. */
PPROF_API int64_t pprof_sample_weight(const pprof_profile *p, size_t s, int sample_index, bool mean);

/* ------------------------------------------------------------------ symbolization */

/* How C++ and Rust names are shown (pprof's -symbolize=demangle=...). */
typedef enum pprof_demangle_mode {
    PPROF_DEMANGLE_DEFAULT = 0, /* no parameters, no template arguments: fleet::geo::Grid::nearest */
    PPROF_DEMANGLE_NONE,        /* the raw symbol name */
    PPROF_DEMANGLE_FULL,        /* everything but clone suffixes: fleet::geo::Grid<long>::nearest(long) const */
    PPROF_DEMANGLE_TEMPLATES    /* template arguments kept, parameters dropped */
} pprof_demangle_mode;

/* Demangles one symbol name (Itanium C++, Rust legacy and v0; an already
 * demangled C++ name is simplified the same way; anything else comes back
 * unchanged). Returns a malloc'd string the caller frees, NULL on ENOMEM. */
PPROF_API char *pprof_demangle(const char *sym, pprof_demangle_mode mode);

/* Sets each function's name from its system name in mode, for functions
 * whose name is still their system name (all of them with force).
 * Returns 0 or PPROF_ENOMEM. */
PPROF_API int pprof_profile_demangle(pprof_profile *p, pprof_demangle_mode mode, bool force);

/* Receives one warning line (no newline) of the symbolizer. */
typedef void (*pprof_warn_fn)(void *ctx, const char *msg);

/* What pprof's -symbolize option asks for, and where binaries are found. */
typedef struct pprof_symbolize_options {
    bool none;     /* "none": nothing at all, not even demangling */
    bool local;    /* look names up in the binaries */
    bool fast;     /* "fastlocal": symbol tables only (no file:line, no inlined frames) */
    bool remote;   /* ask the profile's server (done by the caller, see pprof_symbolize_remote_*) */
    bool force;    /* redo mappings that already have names */
    pprof_demangle_mode demangle;
    const char *binary_path; /* ':'-separated directories searched first ($PPROF_BINARY_PATH) */
    const char *home;        /* for ~/.debug/<path>/<build id>/elf (perf's cache); NULL: not searched */
    const char *debug_dir;   /* separate debug files (build id and .gnu_debuglink); NULL: /usr/lib/debug */
    const char *kallsyms;    /* kernel symbols (/proc/kallsyms); NULL: kernel addresses stay raw */
    bool running_vdso;       /* [vdso] without a build id: this process's vDSO names it (recorded here) */
    pprof_warn_fn warn;      /* NULL: warnings are dropped */
    void *warn_ctx;
} pprof_symbolize_options;

/* Parses a -symbolize value ("local", "fastlocal", "remote", "none", "force",
 * "demangle=none|full|templates|default", joined by ':', any case) into out
 * (which it first resets; binary_path and the rest are left to the caller).
 * Without local or remote, both are on. An unrecognised part is skipped:
 * PPROF_EINVAL then, with err naming the value, and out holds the rest. */
PPROF_API int pprof_symbolize_parse(pprof_symbolize_options *out, const char *value, pprof_error *err);

/* Local symbolization, in the process: for each mapping with unsymbolized
 * locations (all of them with force), finds its binary (the mapping's file,
 * then binary_path by build id and by name, perf's cache, the build-id
 * debug directory), checks the build id, turns each address into an
 * object address (PIE, non-PIE and shared libraries), and gives the
 * location one line per frame, innermost first (inlined frames from DWARF;
 * ELF .symtab, .dynsym and MiniDebugInfo when there is no DWARF; separate
 * debug files), with the raw (mangled) names as name and system name.
 * [kernel.kallsyms] addresses are named from kallsyms when given. A binary
 * that cannot be used (missing, not ELF, build id mismatch, corrupt) is a
 * warning, and its locations stay unsymbolized: never wrong names.
 * Does not demangle (pprof_profile_demangle). Returns 0, or PPROF_ENOMEM. */
PPROF_API int pprof_symbolize_local(pprof_profile *p, const pprof_symbolize_options *opt, pprof_error *err);

/* Remote symbolization (pprof's /debug/pprof/symbol protocol): the request
 * body for mapping m ("0x<addr>+0x<addr>..." of its locations without lines,
 * each address plus shift); empty when there is nothing to ask. */
PPROF_API int pprof_symbolize_remote_body(pprof_buf *out, const pprof_profile *p, uint32_t m, bool force,
                                          uint64_t shift);
/* Applies a reply ("0x<addr> <name>" lines, others ignored; a last line
 * without newline too, as pprof) to mapping m: each named location without
 * lines gets one line with that function (one function per name). Returns 0
 * or PPROF_ENOMEM; a reply naming nothing is not an error. */
PPROF_API int pprof_symbolize_remote_apply(pprof_profile *p, uint32_t m, const char *reply, size_t len,
                                           uint64_t shift, pprof_error *err);

/* One ELF object read with elfutils, for symbolization and disassembly. */
typedef struct pprof_objfile pprof_objfile;

/* One frame of an address: innermost first. Strings live as long as the
 * objfile (they point into its ELF/DWARF data). */
typedef struct pprof_frame {
    const char *name; /* raw (mangled) name; NULL when unknown */
    const char *file; /* NULL when unknown */
    int64_t line;
} pprof_frame;

/* Opens path as an ELF object without following it into anything that
 * could block (a FIFO or device is refused: it is opened non-blocking and
 * must be a regular file). debug_dir: where separate debug files live (NULL:
 * /usr/lib/debug). *out owned by the caller (pprof_objfile_free). */
PPROF_API int pprof_objfile_open(pprof_objfile **out, const char *path, const char *debug_dir, pprof_error *err);
PPROF_API void pprof_objfile_free(pprof_objfile *o);

/* The GNU build id in lower-case hex, "" when the file has none. */
PPROF_API const char *pprof_objfile_build_id(const pprof_objfile *o);

/* Turns a runtime address of a mapping [start, limit) at file offset
 * `offset` into the address the object's symbols and DWARF use. */
PPROF_API int pprof_objfile_object_address(const pprof_objfile *o, uint64_t start, uint64_t limit, uint64_t offset,
                                 uint64_t addr, uint64_t *objaddr, pprof_error *err);

/* The frames at object address a: inlined callees first, the real function
 * last (DWARF), else one frame from the symbol tables; with symbols_only,
 * only the symbol tables' name. *n is 0 when nothing is known. */
PPROF_API int pprof_objfile_frames(pprof_objfile *o, uint64_t a, bool symbols_only, pprof_frame *frames, size_t max,
                         size_t *n);

/* The symbol table's entry covering a: name, start and size (0 when unknown). */
PPROF_API bool pprof_objfile_symbol(pprof_objfile *o, uint64_t a, const char **name, uint64_t *start, uint64_t *size);

/* Every function symbol of the symbol tables (.symtab, else .dynsym, and
 * MiniDebugInfo): fn(ctx, raw name, object address, size) until it returns
 * non-zero (which is returned). */
PPROF_API int pprof_objfile_each_symbol(pprof_objfile *o,
                                        int (*fn)(void *ctx, const char *name, uint64_t start, uint64_t size),
                                        void *ctx);

/* Copies up to len bytes of the loaded image at object address addr (from
 * the file contents of the segment holding it) into buf; *got says how many.
 * PPROF_ENOTFOUND when no segment holds addr. */
PPROF_API int pprof_objfile_read(pprof_objfile *o, uint64_t addr, void *buf, size_t len, size_t *got);

/* The ELF machine (EM_X86_64 62, EM_AARCH64 183, ...). */
PPROF_API int pprof_objfile_machine(const pprof_objfile *o);

/* Local symbolization then demangling, as opt says (nothing for none). */
PPROF_API int pprof_symbolize(pprof_profile *p, const pprof_symbolize_options *opt, pprof_error *err);

#ifdef __cplusplus
}
#endif

#endif
