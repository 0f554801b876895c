/* write.c: the one write entry of libpprof: the table of report writers, their defaults, and pprof_write. */
#include "report.h"

#include <string.h>

static int write_raw(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    int rc = pprof_write_raw(out, p);
    return rc ? pprof_error_set(err, rc, "writing raw report: %s", pprof_strerror(rc)) : 0;
}

static int write_proto(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    if (o->ratio == 1)
        return pprof_profile_encode(out, p, true, err);
    /* -divide_by scales every value of the written profile (truncating, all
     * samples kept). */
    pprof_profile *q;
    int rc = pprof_profile_copy(&q, p);
    if (rc)
        return pprof_error_set(err, rc, "copying the profile: %s", pprof_strerror(rc));
    for (size_t i = 0; i < q->n_samples * q->n_sample_types; i++)
        q->values[i] = pprof_report_ratio(q->values[i], o->ratio);
    rc = pprof_profile_encode(out, q, true, err);
    pprof_profile_free(q);
    return rc;
}

static int write_comments(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    int rc = pprof_write_comments(out, p);
    return rc ? pprof_error_set(err, rc, "out of memory") : 0;
}

/* The stack reports: the stacks of p under o, then one writer. */
enum { STACKS_FOLDED, STACKS_SPEEDSCOPE };

static int write_stacks(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err,
                        int kind)
{
    pprof_stack_set *s;
    int rc = pprof_stacks_build(&s, p, o, err);
    if (rc)
        return rc;
    if (kind == STACKS_FOLDED)
        rc = pprof_write_folded(out, s, err);
    else
        rc = pprof_write_speedscope(out, s, o->flame.title, err);
    pprof_stack_set_free(s);
    return rc;
}

static int write_folded(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return pprof_write_folded_profile(out, p, o, err);
}

static int write_flamegraph(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err)
{
    return pprof_write_flame_profile(out, p, o, err);
}

static int write_speedscope(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o,
                            pprof_error *err)
{
    return write_stacks(out, p, o, err, STACKS_SPEEDSCOPE);
}

/* Every report, by the name of its pprof command: the writer, pprof's
 * default -nodecount for it, and whether it ignores the trimming options
 * (nodecount, nodefraction, edgefraction). */
static const struct writer {
    const char *name;
    int (*write)(pprof_buf *out, const pprof_profile *p, const pprof_report_options *o, pprof_error *err);
    int nodecount;
    bool untrimmed;
} writers[] = {
    {"callgrind", pprof_write_callgrind, 0, true},
    {"comments", write_comments, 0, false},
    {"diff", pprof_write_diff, 0, false},
    {"disasm", pprof_write_disasm, 0, true},
    {"dot", pprof_write_dot, 80, false},
    {"flamegraph", write_flamegraph, 0, true},
    {"folded", write_folded, 0, true},
    {"list", pprof_write_list, 0, true},
    {"peek", pprof_write_tree, 80, true},
    {"proto", write_proto, 0, true},
    {"raw", write_raw, 0, true},
    {"source", pprof_weblist_body, 0, true}, /* the web UI's source view: -weblist's routines alone */
    {"speedscope", write_speedscope, 0, true},
    {"tags", pprof_write_tags, 80, false},
    {"text", pprof_write_top, 0, false},
    {"top", pprof_write_top, 0, false},
    {"topproto", pprof_write_topproto, 0, false},
    {"tree", pprof_write_tree, 80, false},
    {"traces", pprof_write_traces, 80, false},
    {"weblist", pprof_write_weblist, 0, true},
};

static const struct writer *find_writer(const char *name)
{
    for (size_t i = 0; name && i < sizeof writers / sizeof writers[0]; i++)
        if (strcmp(writers[i].name, name) == 0)
            return &writers[i];
    return NULL;
}

const char *pprof_writer_name(size_t i)
{
    return i < sizeof writers / sizeof writers[0] ? writers[i].name : NULL;
}

int pprof_report_options_init(pprof_report_options *o, const char *format)
{
    memset(o, 0, sizeof *o);
    o->sample_index = -1;
    o->total = -1;
    o->ratio = 1;
    o->unit = "minimum";
    o->graph.sample_index = -1;
    o->graph.nodefraction = 0.005;
    o->graph.edgefraction = 0.001;
    o->flame.colors = "hot";
    o->flame.minwidth = 0.1;
    const struct writer *w = find_writer(format);
    if (format && !w)
        return PPROF_ENOTFOUND;
    o->graph.nodecount = w ? w->nodecount : 0;
    if (w && w->untrimmed)
        o->graph.nodefraction = o->graph.edgefraction = 0;
    return 0;
}

int pprof_write(pprof_buf *out, const char *format, const pprof_profile *p, const pprof_report_options *opt,
                pprof_error *err)
{
    const struct writer *w = find_writer(format);
    if (!w)
        return pprof_error_set(err, PPROF_ENOTFOUND, "unknown report format \"%s\"", format ? format : "");
    pprof_report_options o;
    if (opt)
        o = *opt;
    else
        pprof_report_options_init(&o, format);
    if (o.sample_index < 0) {
        int rc = pprof_sample_index(&o.sample_index, p, NULL, err);
        if (rc)
            return rc;
    }
    /* The value column and -mean are set once, for the report and its graph. */
    o.graph.sample_index = o.sample_index;
    o.graph.mean = o.mean;
    if (w->untrimmed)
        o.graph.nodecount = 0, o.graph.nodefraction = 0, o.graph.edgefraction = 0;
    if (o.total < 0)
        o.total = pprof_profile_total(p, o.sample_index, o.mean, NULL);
    return w->write(out, p, &o, err);
}
