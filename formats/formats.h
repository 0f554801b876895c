/* formats.h: the interface of every reader and writer in formats/ (readers of
 * non-proto inputs, writers of reports), used by cmd/. */
#ifndef PPROF_FORMATS_H
#define PPROF_FORMATS_H

#include "pprof.h"

/* ---------------------------------------------------------------- readers */

/* Legacy profiles (gperftools CPU binary, heap/growth text, Go count
 * profiles, threadz, contention, Java): parses raw (inflated) bytes.
 * Returns PPROF_EUNRECOGNIZED when data is in none of these formats. */
int pprof_read_legacy(pprof_profile **out, const uint8_t *data, size_t len, pprof_error *err);

/* Looks at the first bytes: returns what the data is when it cannot be a
 * profile (HTML, zstd, zlib, nested gzip, binary junk), else NULL. inflated
 * says the bytes came out of gzip already. */
const char *pprof_sniff_not_profile(const uint8_t *data, size_t len, bool inflated);

/* ---------------------------------------------------------------- reports */

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
} pprof_report_options;

/* Appends pprof's ProfileLabels lines (File, Build ID, comments, Type, Doc,
 * Time, Duration) formatting the total with unit `out_unit`. */
int pprof_write_profile_labels(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               const char *out_unit);

/* Formats value v (sample units) for display with the ratio and unit. */
void pprof_report_format(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o,
                         const char *out_unit, int64_t v);

/* -top / -text. */
int pprof_write_top(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -comments: every comment, one per line. */
int pprof_write_comments(pprof_buf *out, const pprof_profile *p);

/* ---------------------------------------------------------------- writers */

/* -raw: current upstream's Profile.String() text. */
int pprof_write_raw(pprof_buf *out, const pprof_profile *p);

#endif
