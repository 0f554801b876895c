/* config.h: the report options every command honours (flags and shell variables), and their table. */
#ifndef PPROF_CMD_CONFIG_H
#define PPROF_CMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The configurable options, as pprof's config. Strings are heap-owned. */
typedef struct pprof_config {
    char *output;
    bool call_tree;
    bool relative_percentages;
    char *unit;
    bool compact_labels;
    char *source_path;
    char *trim_path;
    bool intel_syntax;
    bool mean;
    char *sample_index;
    double divide_by;
    bool normalize;
    char *sort;        /* "flat" or "cum" */
    char *tagroot, *tagleaf;
    bool drop_negative;
    int nodecount;     /* -1: the per-command default */
    double nodefraction, edgefraction;
    bool trim;
    char *focus, *ignore, *prune_from, *hide, *show, *show_from;
    char *tagfocus, *tagignore, *tagshow, *taghide;
    bool noinlines;
    bool showcolumns;
    char *granularity; /* "" means functions */
    /* flame graphs */
    char *title, *subtitle, *colors, *minwidth;
    int width;
    bool inverted, diff_total;
    /* comparisons */
    bool json;
    double fail_above;
    /* not a setting: the web UI's view children start no threads (they
     * are forks of a threaded server) */
    bool single_threaded;
} pprof_config;

typedef enum { OPT_BOOL, OPT_INT, OPT_FLOAT, OPT_STRING } opt_kind;

/* One option: its name, type, where it lives, its choice group (for the
 * flags that select one value of a string option, like -cum for sort=cum),
 * and its help text. */
typedef struct option_def {
    const char *name;
    opt_kind kind;
    size_t offset;
    const char *group;  /* for choice flags: the string option they set */
    const char *help;
} option_def;

extern const option_def config_options[];
extern const size_t n_config_options;

/* Fills c with pprof's defaults. */
void config_init(pprof_config *c);
void config_release(pprof_config *c);
/* Deep copy. Returns 0 or -1 on ENOMEM. */
int config_copy(pprof_config *dst, const pprof_config *src);

/* Finds an option by name; NULL when unknown. */
const option_def *config_find(const char *name);

/* Sets option d from text (bool options accept "" as true). Returns 0, or
 * -1 with a message in err (e.g. `invalid value "x" for flag -nodecount`). */
int config_set(pprof_config *c, const option_def *d, const char *value, char *err, size_t errlen);

#endif
