/* report.h: private helpers shared by the report writers in formats/ (not installed, not exported). */
#ifndef PPROF_REPORT_H
#define PPROF_REPORT_H

#include "formats.h"
#include "internal.h"

/* Formats value v (sample units) for display with the ratio and unit. */
void pprof_report_format(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o,
                         const char *out_unit, int64_t v);

/* Shared by graph reports: node values divided by the mean divisor, the
 * unit pprof selects for unit=minimum, and the "Showing nodes" lines. */
int64_t pprof_node_flat(const pprof_node *n);
int64_t pprof_node_cum(const pprof_node *n);
const char *pprof_report_output_unit(const pprof_graph *g, const pprof_profile *p, const pprof_report_options *o);
void pprof_write_report_labels(pprof_buf *out, const pprof_graph *g, const pprof_profile *p,
                               const pprof_report_options *o, const char *unit, int64_t flat_sum);

/* Appends s as a JSON string: quotes, backslashes and control characters
 * escaped, invalid UTF-8 replaced by U+FFFD. */
void pprof_json_string(pprof_buf *out, const char *s);

/* Appends s[0..n) for a double-quoted DOT string: quote and backslash
 * escaped, newline as \l, NUL dropped, control characters, invalid UTF-8
 * and bidi controls as U+FFFD, so no input can end the string. */
void pprof_dot_escape(pprof_buf *out, const char *s, size_t n);
void pprof_dot_escape_str(pprof_buf *out, const char *s);

/* pprof's ShortenFunctionName: the name without Go package path and
 * module version, Java package and arguments, or C++ namespaces. */
int pprof_shorten_function_name(pprof_buf *out, const char *name);

/* The escaped multi-line DOT label of a node's identity (shortened name
 * split at "::" and ".", file base name, line), ending in \n. */
int pprof_dot_node_name(pprof_buf *out, const pprof_graph *g, const pprof_node_info *info);

/* The tag nodelets of node i (sets *wrote when there were any). */
int pprof_dot_nodelets(pprof_buf *out, const pprof_graph *g, size_t i, const pprof_profile *p,
                       const pprof_report_options *o, const char *unit, bool *wrote);

/* Go's filepath.Base of path, as a range (not NUL-terminated): the last
 * element without trailing slashes, "." for "", "/" for slashes only. */
const char *pprof_path_base(const char *path, size_t *len);

#endif
