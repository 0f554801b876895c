/* config.c: the option table, defaults and typed setters shared by flags and the shell. */
#include "config.h"

#include <pprof/formats.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OFF(f) offsetof(pprof_config, f)

/* Choice flags (flat/cum, functions/.../addresses) are bools whose group
 * names the string option they set. */
const option_def config_options[] = {
    {"output", OPT_STRING, OFF(output), NULL, "Output filename for file-based outputs"},
    {"call_tree", OPT_BOOL, OFF(call_tree), NULL, "Create a context-sensitive call tree"},
    {"relative_percentages", OPT_BOOL, OFF(relative_percentages), NULL,
     "Show percentages relative to focused subgraph"},
    {"unit", OPT_STRING, OFF(unit), NULL, "Measurement units to display"},
    {"compact_labels", OPT_BOOL, OFF(compact_labels), NULL, "Show minimal headers"},
    {"source_path", OPT_STRING, OFF(source_path), NULL, "Search path for source files"},
    {"trim_path", OPT_STRING, OFF(trim_path), NULL, "Path to trim from source paths before search"},
    {"intel_syntax", OPT_BOOL, OFF(intel_syntax), NULL, "Show assembly in Intel syntax"},
    {"mean", OPT_BOOL, OFF(mean), NULL, "Average sample value over first value (count)"},
    {"sample_index", OPT_STRING, OFF(sample_index), NULL, "Sample value to report (0-based index or name)"},
    {"divide_by", OPT_FLOAT, OFF(divide_by), NULL, "Ratio to divide all samples before visualization"},
    {"normalize", OPT_BOOL, OFF(normalize), NULL, "Scales profile based on the base profile."},
    {"flat", OPT_BOOL, 0, "sort", "Sort entries based on own weight"},
    {"cum", OPT_BOOL, 0, "sort", "Sort entries based on cumulative weight"},
    {"tagroot", OPT_STRING, OFF(tagroot), NULL, "Adds pseudo stack frames for labels key/value pairs at the callstack root."},
    {"tagleaf", OPT_STRING, OFF(tagleaf), NULL, "Adds pseudo stack frames for labels key/value pairs at the callstack leaf."},
    {"drop_negative", OPT_BOOL, OFF(drop_negative), NULL, "Ignore negative differences"},
    {"nodecount", OPT_INT, OFF(nodecount), NULL, "Max number of nodes to show"},
    {"nodefraction", OPT_FLOAT, OFF(nodefraction), NULL, "Hide nodes below <f>*total"},
    {"edgefraction", OPT_FLOAT, OFF(edgefraction), NULL, "Hide edges below <f>*total"},
    {"trim", OPT_BOOL, OFF(trim), NULL, "Honor nodefraction/edgefraction/nodecount defaults"},
    {"focus", OPT_STRING, OFF(focus), NULL, "Restricts to samples going through a node matching regexp"},
    {"ignore", OPT_STRING, OFF(ignore), NULL, "Skips paths going through any nodes matching regexp"},
    {"prune_from", OPT_STRING, OFF(prune_from), NULL, "Drops any functions below the matched frame."},
    {"hide", OPT_STRING, OFF(hide), NULL, "Skips nodes matching regexp"},
    {"show", OPT_STRING, OFF(show), NULL, "Only show nodes matching regexp"},
    {"show_from", OPT_STRING, OFF(show_from), NULL, "Drops functions above the highest matched frame."},
    {"tagfocus", OPT_STRING, OFF(tagfocus), NULL, "Restricts to samples with tags in range or matched by regexp"},
    {"tagignore", OPT_STRING, OFF(tagignore), NULL, "Discard samples with tags in range or matched by regexp"},
    {"tagshow", OPT_STRING, OFF(tagshow), NULL, "Only consider tags matching this regexp"},
    {"taghide", OPT_STRING, OFF(taghide), NULL, "Skip tags matching this regexp"},
    {"noinlines", OPT_BOOL, OFF(noinlines), NULL, "Ignore inlines."},
    {"showcolumns", OPT_BOOL, OFF(showcolumns), NULL, "Show column numbers at the source code line level."},
    {"functions", OPT_BOOL, 0, "granularity", "Aggregate at the function level."},
    {"filefunctions", OPT_BOOL, 0, "granularity", "Aggregate at the function level."},
    {"files", OPT_BOOL, 0, "granularity", "Aggregate at the file level."},
    {"lines", OPT_BOOL, 0, "granularity", "Aggregate at the source code line level."},
    {"addresses", OPT_BOOL, 0, "granularity", "Aggregate at the address level."},
    {"sort", OPT_STRING, OFF(sort), NULL, "Order: flat or cum (text reports); name or weight (flame graphs)"},
    {"title", OPT_STRING, OFF(title), NULL, "Flame graph title"},
    {"subtitle", OPT_STRING, OFF(subtitle), NULL, "Flame graph subtitle"},
    {"width", OPT_INT, OFF(width), NULL, "Flame graph width in pixels (0: fit the window)"},
    {"minwidth", OPT_STRING, OFF(minwidth), NULL, "Omit flame graph frames narrower than this (pixels, or N% of the total)"},
    {"colors", OPT_STRING, OFF(colors), NULL, "Flame graph palette: hot, mem, io, blue, green, aqua, orange, purple, red, yellow, java, js, go"},
    {"inverted", OPT_BOOL, OFF(inverted), NULL, "Icicle graph: flame graph with the roots at the top"},
    {"json", OPT_BOOL, OFF(json), NULL, "Print -top and -diff reports as JSON"},
    {"fail_above", OPT_FLOAT, OFF(fail_above), NULL, "-diff exits 3 when a function's share grew by more than this many points"},
    {"diff_total", OPT_BOOL, OFF(diff_total), NULL, "Differential flame graph colours by inclusive change"},
};
const size_t n_config_options = sizeof config_options / sizeof config_options[0];

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void config_init(pprof_config *c)
{
    /* pprof's report defaults live in the library. */
    pprof_report_options d;
    pprof_report_options_init(&d, NULL);
    char minwidth[32];
    snprintf(minwidth, sizeof minwidth, "%g", d.flame.minwidth);
    memset(c, 0, sizeof *c);
    c->unit = strdup(d.unit);
    c->divide_by = 1.0 / d.ratio;
    c->sort = strdup("flat");
    c->nodecount = -1;
    c->nodefraction = d.graph.nodefraction;
    c->edgefraction = d.graph.edgefraction;
    c->trim = true;
    c->granularity = strdup("");
    c->colors = strdup(d.flame.colors);
    c->minwidth = strdup(minwidth);
}

static char **string_field(pprof_config *c, size_t off)
{
    return (char **)((char *)c + off);
}

void config_release(pprof_config *c)
{
    for (size_t i = 0; i < n_config_options; i++) {
        const option_def *d = &config_options[i];
        if (d->kind == OPT_STRING) {
            free(*string_field(c, d->offset));
            *string_field(c, d->offset) = NULL;
        }
    }
    free(c->granularity);
    c->granularity = NULL;
}

int config_copy(pprof_config *dst, const pprof_config *src)
{
    *dst = *src;
    int rc = 0;
    for (size_t i = 0; i < n_config_options; i++) {
        const option_def *d = &config_options[i];
        if (d->kind != OPT_STRING)
            continue;
        char **f = string_field(dst, d->offset);
        *f = dup_or_null(*f);
        if (!*f && *string_field((pprof_config *)src, d->offset))
            rc = -1;
    }
    dst->granularity = dup_or_null(src->granularity);
    return rc;
}

const option_def *config_find(const char *name)
{
    for (size_t i = 0; i < n_config_options; i++)
        if (strcmp(config_options[i].name, name) == 0)
            return &config_options[i];
    return NULL;
}

/* Go's strconv.ParseBool. */
static int parse_bool(const char *v, bool *out)
{
    static const char *yes[] = {"", "1", "t", "T", "true", "TRUE", "True"};
    static const char *no[] = {"0", "f", "F", "false", "FALSE", "False"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    return -1;
}

int config_set(pprof_config *c, const option_def *d, const char *value, char *err, size_t errlen)
{
    if (d->group) {
        bool on;
        if (parse_bool(value, &on)) {
            snprintf(err, errlen, "invalid boolean value \"%s\" for -%s", value, d->name);
            return -1;
        }
        char **f = strcmp(d->group, "sort") == 0 ? &c->sort : &c->granularity;
        if (on) {
            char *v = strdup(d->name);
            if (!v)
                return -1;
            free(*f);
            *f = v;
        } else if (strcmp(*f, d->name) == 0) {
            /* Turning a choice off resets the group to its default. */
            char *v = strdup(strcmp(d->group, "sort") == 0 ? "flat" : "");
            if (!v)
                return -1;
            free(*f);
            *f = v;
        }
        return 0;
    }
    void *field = (char *)c + d->offset;
    switch (d->kind) {
    case OPT_BOOL:
        if (parse_bool(value, (bool *)field)) {
            snprintf(err, errlen, "invalid boolean value \"%s\" for -%s", value, d->name);
            return -1;
        }
        return 0;
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 0);
        if (!*value || *end || errno || v < -2147483647L - 1 || v > 2147483647L) {
            snprintf(err, errlen, "invalid value \"%s\" for flag -%s: parse error", value, d->name);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    case OPT_FLOAT: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (!*value || *end || errno || isnan(v)) {
            snprintf(err, errlen, "invalid value \"%s\" for flag -%s: parse error", value, d->name);
            return -1;
        }
        *(double *)field = v;
        return 0;
    }
    case OPT_STRING: {
        char *v = strdup(value);
        if (!v)
            return -1;
        free(*(char **)field);
        *(char **)field = v;
        return 0;
    }
    }
    return -1;
}
