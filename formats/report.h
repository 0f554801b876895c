/* report.h: private interface of the report writers in formats/ (each writer, and their shared helpers); pprof_write (write.c) is the public entry. */
#ifndef PPROF_REPORT_H
#define PPROF_REPORT_H

#include "formats.h"
#include "internal.h"

/* ---------------------------------------------------------------- writers (behind pprof_write) */

/* v times ratio (1/-divide_by), truncated toward zero as Go's
 * int64(float64(v)*ratio) is; out of range (or NaN) gives INT64_MIN, as Go
 * gives on amd64. */
int64_t pprof_report_ratio(int64_t v, double ratio);
/* The unit of the values a report prints (its sample type's), "" when
 * there is none. */
const char *pprof_report_value_unit(const pprof_profile *p, const pprof_report_options *o);

/* The stacks of pprof_stacks_build (the same stacks, values and order of
 * first appearance) with their frames shared from the root in a trie,
 * for output that lists them in name order. A node's stacks are those
 * whose last frame it is: usually one, two only when the same names came
 * inlined and not. Costs a trie node per distinct path prefix instead of
 * every frame of every stack. */
typedef struct folded_end {
    int64_t value, base;
    uint32_t row;  /* the first row of the walk that made it */
    uint32_t next; /* the node's next stack + 1, or 0 */
} folded_end;

typedef struct folded_stacks {
    uint64_t *node;         /* of node i + 1 (0 is the root): its parent << 32 | name */
    size_t n_nodes;         /* with the root */
    uint32_t *kids_off, *kids; /* folded_stacks_order: node i's children, in
                             * name order, are kids[kids_off[i] .. kids_off[i + 1]) */
    pprof_stack_set *names; /* frame names, unit, type, has_base; no stacks */
    uint32_t *first;        /* per node: its first stack + 1, or 0 */
    folded_end *ends;
    size_t n_ends;
} folded_stacks;

/* 0, or an error with out released. */
int folded_stacks_build(folded_stacks *out, const pprof_profile *p, const pprof_report_options *o,
                        pprof_error *err);
void folded_stacks_release(folded_stacks *fs);

/* -folded of p under o: pprof_write_folded of pprof_stacks_build's set,
 * made without the set's frames (its peak memory is a trie of paths). */
int pprof_write_folded_profile(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                               pprof_error *err);

/* -tree: each node with its callers and callees (-peek: only the nodes
 * matching o->symbol). */
int pprof_write_tree(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* The lines -list and -weblist annotate: of each function matching
 * o->symbol, its lines (lines granularity) with a flat or cum value, each
 * sample counted once per line. */
typedef struct pprof_list_line {
    pprof_str name, file;
    int64_t line, flat, cum;
    uint32_t node; /* in the listing's node map */
    uint32_t stamp;
    bool seen; /* in a sample, even of weight 0 */
} pprof_list_line;
typedef struct pprof_list_group { /* one function in one file: lines[first .. first+count), by line */
    const char *name, *file;
    size_t first, count;
} pprof_list_group;
typedef struct pprof_listing {
    pprof_nodemap *nm;        /* lines granularity */
    pprof_list_line *lines;
    pprof_list_group *groups; /* by function name, then file */
    size_t n_groups;
    uint8_t *loc_used;        /* per location: in a sample (-list: of non-zero weight) */
    int64_t *loc_flat;        /* per location: the weight of the samples it is the leaf of */
} pprof_listing;
/* PPROF_ENOTFOUND when no function matches; on error nothing is left to
 * release. weblist: as -weblist counts, a leaf location's flat goes to each
 * of its lines (inlined callers too), and lines of samples of weight 0 are
 * kept. */
int pprof_listing_build(pprof_listing *out, const pprof_profile *p, const pprof_report_options *o, bool weblist,
                        pprof_error *err);
void pprof_listing_release(pprof_listing *l);
/* Where sources are searched: -source_path, else the working directory. */
const char *pprof_listing_search(const pprof_report_options *o, char *cwd, size_t n);

/* -list's unit: each value on its own ("auto") unless -unit names one. */
const char *pprof_list_unit(const pprof_report_options *o);

/* -list: annotated source of the functions matching o->symbol. */
int pprof_write_list(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* The graph -disasm and -weblist annotate (one node per address, nothing
 * dropped) and their symbol regexp; on error nothing is left to free. */
int pprof_address_graph(pprof_graph **out, pprof_regex **re_out, const pprof_profile *p, const pprof_report_options *o,
                        pprof_error *err);
/* A sampled address of one mapping, at its object address, with its
 * values (-disasm and -weblist); match: its function matches the regexp. */
typedef struct pprof_naddr {
    uint64_t obj;
    int64_t flat, cum;
    bool match;
} pprof_naddr;
/* qsort order of pprof_naddr: by object address. */
int pprof_naddr_cmp(const void *a, const void *b);
/* One instruction: its address, its text ("mnemonic\toperands", and for a
 * direct call to a known symbol " <name>" demangled) and the values of the
 * sampled addresses inside it. */
typedef struct pprof_insn {
    uint64_t addr;
    const char *text;
    int64_t flat, cum;
} pprof_insn;
typedef struct pprof_insns {
    pprof_insn *v;
    size_t n;
    pprof_buf text; /* holds the texts */
} pprof_insns;
/* The instructions of [start, end) of obj (its first 1 MiB at most) with
 * capstone (Intel or AT&T syntax on x86-64, AArch64 by the ELF machine),
 * the values summed from na (n_na addresses sorted by pprof_naddr_cmp).
 * capstone is loaded with dlopen (not linked; formats/disasm.c says why).
 * 0, PPROF_ENOMEM, or PPROF_EINVAL when capstone cannot be loaded or
 * started; release *out with pprof_insns_release even then. */
int pprof_disassemble(pprof_insns *out, pprof_objfile *obj, uint64_t start, uint64_t end, const pprof_naddr *na,
                      size_t n_na, bool intel);
void pprof_insns_release(pprof_insns *x);
/* -disasm: annotated disassembly of the functions matching o->symbol. */
int pprof_write_disasm(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* -weblist: the HTML source listing, each line expanding to its instructions. */
int pprof_write_weblist(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* The listing's routines alone (no page around them), as the web UI's
 * source view shows them: from the binaries when they can be opened, else
 * from the profile's line numbers (pprof_weblist_source). */
int pprof_weblist_body(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* The routines of the functions matching o->symbol from the profile's line
 * numbers: source lines with values, inlined callees under them. */
int pprof_weblist_source(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
/* The listing's parts: a value ("." for 0) in unit, a routine's head
 * (name, file, <pre> and total line), the start of a source line (number,
 * class, flat, cum, text or "???" for NULL). */
void pprof_listing_value(char *buf, size_t n, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                         int64_t v);
void pprof_listing_head(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                        const char *name, const char *file, int64_t flat, int64_t cum);
void pprof_listing_line(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, const char *unit,
                        int64_t no, const char *cls, int64_t flat, int64_t cum, const char *text, size_t len);


/* Source files of -list and -weblist: path trimmed by -trim_path (or by the
 * last directory name of a search path entry), then read as is when
 * absolute, else from each search directory and its parents. find returns
 * the malloc'd contents, or NULL with a message in err. */
const char *pprof_source_trim(const char *path, const char *trim, const char *search, char *scratch, size_t n);
char *pprof_source_find(const char *path, const char *search, size_t *len, char *err, size_t errlen);

/* -diff: old, new and delta per function (needs base samples, i.e.
 * -diff_base); sets *o->threshold_exceeded past o->fail_above. */
int pprof_write_diff(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -flamegraph of p under o: the flame tree made from p directly where
 * that gives the graph of pprof_stacks_build's set (flame_tree_of_profile),
 * else through that set. */
int pprof_write_flame_profile(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                              pprof_error *err);

/* -top / -text. */
int pprof_write_top(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -topproto: the -top nodes as a gzipped profile.proto: sample types
 * cum/<unit> and flat/<unit>, one sample, location and function per node. */
int pprof_write_topproto(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -traces: every sample, its labels and its frames (leaf first). */
int pprof_write_traces(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -tags: for each label key, the weight and share of each value. */
int pprof_write_tags(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -comments: every comment, one per line. */
int pprof_write_comments(pprof_buf *out, const pprof_profile *p);

/* -dot: pprof's call graph in Graphviz DOT (o->graph.call_tree for a
 * context-sensitive tree), byte for byte as go tool pprof writes it;
 * every string from the profile is escaped. */
int pprof_write_dot(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -callgrind: the address-level graph (untrimmed; a call tree with
 * o->call_tree) in Callgrind's format, as pprof writes it. */
int pprof_write_callgrind(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);

/* -raw: current upstream's Profile.String() text. */
int pprof_write_raw(pprof_buf *out, const pprof_profile *p);

/* ---------------------------------------------------------------- shared helpers */


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
