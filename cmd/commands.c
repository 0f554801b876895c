/* commands.c: the table of report commands (flags, shell commands, help) and running one. */
#include "cmd.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reports are the library's (pprof_write); images are rendered here
 * from its DOT output. */
const command_def commands[] = {
    {"callgrind", false, true, "callgraph.out", "callgrind", NULL, "Outputs a graph in callgrind format"},
    {"comments", false, false, NULL, "comments", NULL, "Output all profile comments"},
    {"diff", false, false, NULL, "diff", NULL, "Outputs old, new and delta per function (with -diff_base)"},
    {"disasm", true, false, NULL, "disasm", NULL, "Output assembly listings annotated with samples"},
    {"dot", false, false, NULL, "dot", NULL, "Outputs a graph in DOT format"},
    {"flamegraph", false, false, "svg", "flamegraph", NULL, "Outputs an interactive flame graph (SVG)"},
    {"gif", false, true, "gif", "dot", cmd_report_gif, "Outputs a graph image in GIF format"},
    {"folded", false, false, NULL, "folded", NULL, "Outputs collapsed stacks (root;...;leaf value)"},
    {"list", true, false, NULL, "list", NULL, "Output annotated source for functions matching regexp"},
    {"pdf", false, true, "pdf", "dot", cmd_report_pdf, "Outputs a graph in PDF format"},
    {"peek", true, false, NULL, "peek", NULL, "Outputs callers/callees of functions matching regexp"},
    {"png", false, true, "png", "dot", cmd_report_png, "Outputs a graph image in PNG format"},
    {"proto", false, true, "pb.gz", "proto", NULL, "Outputs the profile in compressed protobuf format"},
    {"ps", false, true, "ps", "dot", cmd_report_ps, "Outputs a graph in PS format"},
    {"raw", false, false, NULL, "raw", NULL, "Outputs a text representation of the raw profile"},
    {"speedscope", false, false, "speedscope.json", "speedscope", NULL,
     "Outputs a speedscope JSON profile (https://www.speedscope.app)"},
    {"svg", false, true, "svg", "dot", cmd_report_svg, "Outputs a graph in SVG format"},
    {"tags", false, false, NULL, "tags", NULL, "Outputs all tags in the profile"},
    {"text", false, false, NULL, "text", NULL, "Outputs top entries in text form"},
    {"top", false, false, NULL, "top", NULL, "Outputs top entries in text form"},
    {"topproto", false, true, "pb.gz", "topproto", NULL, "Outputs top entries in compressed protobuf format"},
    {"tree", false, false, NULL, "tree", NULL, "Outputs a text rendering of call graph"},
    {"traces", false, false, NULL, "traces", NULL, "Outputs all profile samples in text form"},
    {"web", false, true, "svg", "dot", cmd_report_svg, "Visualize graph through web browser"},
    {"weblist", true, true, "html", "weblist", NULL, "Display annotated source in a web browser"},
};
const size_t n_commands = sizeof commands / sizeof commands[0];

/* Commands whose output goes to a temporary file opened in a browser. */
static const char *const view_commands[] = {"web", "weblist"};

bool cmd_is_view_command(const command_def *c)
{
    for (size_t i = 0; i < sizeof view_commands / sizeof view_commands[0]; i++)
        if (strcmp(c->name, view_commands[i]) == 0)
            return true;
    return false;
}

const command_def *cmd_find_command(const char *name)
{
    for (size_t i = 0; i < n_commands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static const struct {
    const char *name;
    pprof_granularity g;
} granularities[] = {
    {"", PPROF_GRAN_FUNCTIONS},          {"functions", PPROF_GRAN_FUNCTIONS},
    {"filefunctions", PPROF_GRAN_FILEFUNCTIONS}, {"files", PPROF_GRAN_FILES},
    {"lines", PPROF_GRAN_LINES},         {"addresses", PPROF_GRAN_ADDRESSES},
};

static const char *const palettes[] = {"hot", "mem", "io", "blue", "green", "aqua", "orange",
                                       "purple", "red", "yellow", "java", "js", "go"};

/* Flame options from the configuration; fails with a message on a bad value. */
static int set_flame_options(pprof_flame_options *f, const pprof_config *cfg, pprof_error *err)
{
    memset(f, 0, sizeof *f);
    f->title = cfg->title && *cfg->title ? cfg->title : NULL;
    f->subtitle = cfg->subtitle && *cfg->subtitle ? cfg->subtitle : NULL;
    f->inverted = cfg->inverted;
    f->diff_total = cfg->diff_total;
    f->sort_by_weight = cfg->sort && strcmp(cfg->sort, "weight") == 0;
    if (cfg->width < 0) {
        return pprof_error_set(err, PPROF_EINVAL, "-width must be 0 (fit the window) or a number of pixels, not %d",
                               cfg->width);
    }
    f->width = cfg->width;
    f->colors = "hot";
    const char *c = cfg->colors && *cfg->colors ? cfg->colors : "hot";
    bool known = false;
    for (size_t i = 0; i < sizeof palettes / sizeof palettes[0]; i++)
        if (strcmp(palettes[i], c) == 0) {
            f->colors = palettes[i];
            known = true;
        }
    if (!known) {
        return pprof_error_set(err, PPROF_EINVAL,
                               "unknown -colors palette \"%s\" (hot, mem, io, blue, green, aqua, orange, purple, "
                               "red, yellow, java, js, go)", c);
    }
    const char *mw = cfg->minwidth && *cfg->minwidth ? cfg->minwidth : "0";
    char *end;
    double v = strtod(mw, &end);
    f->minwidth_percent = *end == '%';
    if (end == mw || (*end && strcmp(end, "%") != 0) || v < 0 || v != v) {
        return pprof_error_set(err, PPROF_EINVAL,
                               "-minwidth takes a number of pixels or a percentage (e.g. 0.5 or 0.1%%), not \"%s\"", mw);
    }
    f->minwidth = v;
    return 0;
}

/* Picks a fresh profileNNN.<ext> in the current directory. */
static int default_output_name(char *buf, size_t n, const char *ext)
{
    for (int i = 1; i < 1000; i++) {
        snprintf(buf, n, "profile%03d.%s", i, ext);
        if (access(buf, F_OK) != 0)
            return 0;
    }
    return -1;
}

static int run_report(const command_def *c, pprof_profile *p, pprof_profile **release, const pprof_config *cfg,
                      cmd_report *rep);

/* The filter options, in pprof's order for the "Active filters:" header. */
static const struct {
    const char *name;
    size_t off;
} filter_options[] = {
    {"focus", offsetof(pprof_config, focus)},         {"ignore", offsetof(pprof_config, ignore)},
    {"prune_from", offsetof(pprof_config, prune_from)}, {"hide", offsetof(pprof_config, hide)},
    {"show", offsetof(pprof_config, show)},           {"show_from", offsetof(pprof_config, show_from)},
    {"tagfocus", offsetof(pprof_config, tagfocus)},   {"tagignore", offsetof(pprof_config, tagignore)},
    {"tagshow", offsetof(pprof_config, tagshow)},     {"taghide", offsetof(pprof_config, taghide)},
};
#define N_FILTERS (sizeof filter_options / sizeof filter_options[0])

static const char *filter_value(const pprof_config *cfg, size_t i)
{
    const char *v = *(char *const *)((const char *)cfg + filter_options[i].off);
    return v && *v ? v : NULL;
}

/* A note for the user: into notes when given (the web UI shows them), else on stderr. */
static void note(pprof_buf *notes, const char *fmt, const char *a, const char *b)
{
    if (notes)
        pprof_buf_printf(notes, fmt, a, b);
    else
        fprintf(stderr, fmt, a, b);
}

/* Applies the filters to p; gives pprof's notes about filters that matched
 * nothing. Fills r's list with "name=value" for the report header. */
static int apply_filters(cmd_report *rep, pprof_profile *p, const pprof_config *cfg, pprof_buf *notes,
                         pprof_error *err)
{
    size_t n = 0;
    bool any = false;
    for (size_t i = 0; i < N_FILTERS; i++) {
        any |= filter_value(cfg, i) != NULL;
        /* pprof applies prune_from but does not list it as a filter. */
        if (filter_value(cfg, i) && strcmp(filter_options[i].name, "prune_from") != 0) {
            snprintf(rep->filter_lines[n], sizeof rep->filter_lines[n], "%s=%s", filter_options[i].name,
                     filter_value(cfg, i));
            rep->filter_list[n] = rep->filter_lines[n];
            n++;
        }
    }
    rep->filter_list[n] = NULL;
    if (!any)
        return 0;
    pprof_filter_options fo = {cfg->focus, cfg->ignore, cfg->hide, cfg->show, cfg->show_from, cfg->prune_from,
                               cfg->tagfocus, cfg->tagignore, cfg->tagshow, cfg->taghide};
    pprof_filter_result r;
    if (pprof_profile_filter(p, &fo, &r, err) != 0)
        return EXIT_USAGE;
    /* The note names the range without its "key=". */
    if (r.tagfocus_numeric)
        note(notes, "%s:Interpreted '%s' as range, not regexp\n", "tagfocus",
             strchr(cfg->tagfocus, '=') ? strchr(cfg->tagfocus, '=') + 1 : cfg->tagfocus);
    if (r.tagignore_numeric)
        note(notes, "%s:Interpreted '%s' as range, not regexp\n", "tagignore",
             strchr(cfg->tagignore, '=') ? strchr(cfg->tagignore, '=') + 1 : cfg->tagignore);
    const struct {
        const char *value;
        bool matched;
        const char *what;
    } notes_table[] = {
        {cfg->focus, r.focus_matched, "Focus"},         {cfg->ignore, r.ignore_matched, "Ignore"},
        {cfg->hide, r.hide_matched, "Hide"},            {cfg->show, r.show_matched, "Show"},
        {cfg->show_from, r.show_from_matched, "ShowFrom"}, {cfg->tagfocus, r.tagfocus_matched, "TagFocus"},
        {cfg->tagignore, r.tagignore_matched, "TagIgnore"}, {cfg->tagshow, r.tagshow_matched, "TagShow"},
        {cfg->taghide, r.taghide_matched, "TagHide"},
    };
    for (size_t i = 0; i < sizeof notes_table / sizeof notes_table[0]; i++)
        if (notes_table[i].value && *notes_table[i].value && !notes_table[i].matched)
            note(notes, "%s expression matched no samples%s\n", notes_table[i].what, "");
    return 0;
}

int cmd_report_setup(cmd_report *rep, const command_def *c, const char *param, pprof_profile *p,
                     const pprof_config *cfg, const cmd_args *args, pprof_buf *notes, pprof_error *err)
{
    memset(rep, 0, sizeof *rep);
    pprof_report_options *o = &rep->o;
    /* A CI gate that never fires is worse than none: only -diff computes
     * what -fail_above compares, so any other report refuses it. */
    if (cfg->fail_above != 0 && strcmp(c->name, "diff") != 0) {
        pprof_error_set(err, PPROF_EINVAL,
                        "-fail_above gates only the diff report (pprof -diff -fail_above=N -diff_base=OLD NEW), not %s",
                        c->name);
        return EXIT_USAGE;
    }
    /* pprof's defaults for this report come from the library. */
    pprof_report_options_init(o, c->writer);
    int default_nodecount = o->graph.nodecount;
    const char *si = cfg->sample_index && *cfg->sample_index ? cfg->sample_index : args->sample_flag;
    if (pprof_sample_index(&o->sample_index, p, si, err) != 0)
        return EXIT_USAGE;
    if (cfg->divide_by == 0) {
        pprof_error_set(err, PPROF_EINVAL, "zero divisor specified");
        return EXIT_USAGE;
    }
    o->mean = cfg->mean || args->sample_flag_mean;
    /* pprof divides only by a positive number (a negative one, or one so
     * large the ratio is 0, leaves the values as they are). */
    o->ratio = 1.0 / cfg->divide_by;
    if (!(o->ratio > 0))
        o->ratio = 1;
    o->unit = cfg->unit && *cfg->unit ? cfg->unit : "minimum";
    o->compact_labels = cfg->compact_labels;
    o->call_tree = cfg->call_tree;
    pprof_graph_options *g = &o->graph;
    g->sample_index = o->sample_index;
    g->mean = o->mean;
    g->sort_cum = cfg->sort && strcmp(cfg->sort, "cum") == 0;
    g->noinlines = cfg->noinlines;
    g->showcolumns = cfg->showcolumns;
    g->drop_negative = cfg->drop_negative;
    g->single_threaded = cfg->single_threaded;
    g->nodecount = cfg->nodecount < 0 ? default_nodecount : cfg->nodecount;
    g->nodefraction = cfg->nodefraction;
    g->edgefraction = cfg->edgefraction;
    for (size_t i = 0; i < sizeof granularities / sizeof granularities[0]; i++)
        if (strcmp(granularities[i].name, cfg->granularity ? cfg->granularity : "") == 0)
            g->granularity = granularities[i].g;
    /* Reports pprof never trims are left untrimmed by pprof_write. */
    if (!cfg->trim)
        g->nodecount = 0, g->nodefraction = 0, g->edgefraction = 0;
    if (set_flame_options(&o->flame, cfg, err) != 0)
        return EXIT_USAGE;
    /* The total is the whole profile's, unless percentages are to be
     * relative to what the filters keep. */
    if (cfg->relative_percentages && apply_filters(rep, p, cfg, notes, err))
        return EXIT_USAGE;
    bool saturated = false;
    o->total = pprof_profile_total(p, o->sample_index, o->mean, &saturated);
    /* Every sum in a report is bounded by this total of magnitudes: when it
     * saturated, some of the report's sums may have too. */
    if (saturated)
        cmd_warning("the total of the sample values overflows 64 bits: totals and sums saturate at %s",
                    "+/-9223372036854775807");
    if (!cfg->relative_percentages && apply_filters(rep, p, cfg, notes, err))
        return EXIT_USAGE;
    o->filters = rep->filter_list;
    o->symbol = param && *param ? param : NULL;
    o->source_path = cfg->source_path;
    o->intel_syntax = cfg->intel_syntax;
    o->json = cfg->json;
    o->fail_above = cfg->fail_above;
    o->threshold_exceeded = &rep->over;
    o->trim_path = cfg->trim_path;
    o->graph.trim_path = cfg->trim_path;
    o->graph.source_path = cfg->source_path;
    return 0;
}

int cmd_run_report(const command_def *c, const char *param, pprof_profile *p, pprof_profile **release,
                   const pprof_config *cfg, const cmd_args *args)
{
    pprof_error err;
    cmd_report *rep = malloc(sizeof *rep);
    if (!rep) {
        cmd_error("out of memory");
        return EXIT_DATA;
    }
    int rc = cmd_report_setup(rep, c, param, p, cfg, args, NULL, &err);
    if (rc) {
        cmd_error("%s", err.msg);
        free(rep);
        return rc;
    }
    rc = run_report(c, p, release, cfg, rep);
    free(rep);
    return rc;
}

/* Writes the report set up in rep to cfg->output, stdout or a browser. */
/* Writes c's report of p to out: a picture Graphviz draws (its writer the
 * DOT report; its extension Graphviz's format) from DOT text made first,
 * the profile freed in between when the caller lets it go (release): the
 * layout's memory then takes the place of the profile's, not more. */
static int write_report(pprof_buf *out, const command_def *c, pprof_profile *p, pprof_profile **release,
                        const pprof_report_options *op, pprof_error *err)
{
    if (!c->render || !release || strcmp(c->writer, "dot") != 0)
        return c->render ? c->render(out, p, op, err) : pprof_write(out, c->writer, p, op, err);
    pprof_buf dot = {0};
    int rc = cmd_graph_dot(&dot, p, op, err);
    if (!rc) {
        pprof_profile_free(*release);
        *release = NULL;
        malloc_trim(0); /* (what it held in small blocks, and the inflating thread's arena) */
        rc = cmd_graph_draw(out, &dot, c->ext, err);
    }
    pprof_buf_release(&dot);
    return rc;
}

static int run_report(const command_def *c, pprof_profile *p, pprof_profile **release, const pprof_config *cfg,
                      cmd_report *rep)
{
    pprof_report_options *op = &rep->o;
    pprof_error err;
    const char *path = cfg->output && *cfg->output ? cfg->output : NULL;
    char name[64], view_name[4096];
    if (!path && cmd_is_view_command(c)) {
        if (cmd_view_temp_name(view_name, sizeof view_name, c->ext) != 0) {
            cmd_error("no free temporary file name for the graph");
            return EXIT_DATA;
        }
        path = view_name;
    } else if (!path && c->binary && isatty(STDOUT_FILENO)) {
        if (default_output_name(name, sizeof name, c->ext) == 0) {
            path = name;
            fprintf(stderr, "Generating report in %s\n", name);
        }
    }
    /* Reports stream into the output as they are made; a file is written
     * under a temporary name and renamed only when complete. */
    cmd_output dst;
    int rc = cmd_output_open(&dst, path);
    if (rc)
        return rc;
    pprof_buf out = {0};
    out.sink = cmd_output_sink;
    out.sink_ctx = &dst;
    out.flush_at = 1 << 20;
    rc = write_report(&out, c, p, release, op, &err);
    if (!rc)
        rc = pprof_buf_flush(&out);
    if (rc) {
        if (out.sink_error == EPIPE)
            cmd_error("write: broken pipe");
        else if (out.sink_error)
            cmd_error("write %s: %s", path ? path : "/dev/stdout", strerror(out.sink_error));
        else
            cmd_error("%s", err.msg);
        pprof_buf_release(&out);
        cmd_output_abort(&dst);
        /* A report refusing its options (-diff without a base, ...) is a
         * usage error; anything else is the data's or the system's. */
        return !out.sink_error && rc == PPROF_EINVAL && err.code == PPROF_EINVAL ? EXIT_USAGE : EXIT_DATA;
    }
    pprof_buf_release(&out);
    rc = cmd_output_commit(&dst);
    /* -web and -weblist open a browser only on a file of their own: with
     * -output they write that file, as pprof does. */
    if (rc == 0 && path == view_name && !cmd_view_file(path)) {
        /* No browser to start: say where the graph is. */
        fprintf(stderr, "pprof: no browser found (set $BROWSER); the %s is in:\n",
                strcmp(c->name, "weblist") == 0 ? "listing" : "graph");
        printf("%s\n", path);
    }
    if (rc == 0 && rep->over) {
        size_t over = rep->over;
        cmd_error("%zu function%s grew by more than -fail_above=%g percentage points", over, over == 1 ? "" : "s",
                  cfg->fail_above);
        return EXIT_THRESHOLD;
    }
    return rc;
}
