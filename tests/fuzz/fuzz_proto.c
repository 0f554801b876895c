/* fuzz_proto.c: libFuzzer harness for the profile.proto decoder and the reports that walk a decoded profile (text, stacks, DOT, callgrind, flame graph), with and without -mean. Every input is decoded, checked, printed raw and re-encoded; one report runs per input, chosen by the input's size (size % 10), so that an input costs one report, not all of them twice; inserting or erasing bytes (an unknown field keeps a profile's meaning) moves to another. */
#include "report.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_REPORTS = 5 };

static void report(pprof_profile *p, int which, bool mean)
{
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.ratio = 1;
    o.unit = "minimum";
    o.graph.nodefraction = 0.005;
    o.graph.edgefraction = 0.001;
    /* -mean divides each sample by its first value: that must never trap
     * (INT64_MIN / -1). */
    o.mean = mean;
    o.graph.mean = mean;
    o.sample_index = (int)p->n_sample_types - 1;
    o.graph.sample_index = o.sample_index;
    o.total = pprof_profile_total(p, o.sample_index, o.mean, NULL);
    pprof_buf b = {0};
    pprof_error err;
    switch (which) {
    case 0:
        pprof_write_top(&b, p, &o, &err);
        b.len = 0;
        pprof_write_traces(&b, p, &o, &err);
        b.len = 0;
        pprof_write_tags(&b, p, &o, &err);
        break;
    case 1:
    case 2:
        o.graph.nodecount = 80;
        o.call_tree = which == 2;
        pprof_write_dot(&b, p, &o, &err);
        break;
    case 3:
        o.graph.nodecount = 80;
        o.call_tree = true;
        pprof_write_callgrind(&b, p, &o, &err);
        break;
    default: {
        pprof_stack_set *st;
        if (pprof_stacks_build(&st, p, &o, &err) == 0) {
            pprof_write_folded(&b, st, &err);
            pprof_flame_options fo;
            memset(&fo, 0, sizeof fo);
            fo.colors = "hot";
            b.len = 0;
            pprof_write_flame_svg(&b, st, &fo, &err);
            pprof_stack_set_free(st);
        }
        break;
    }
    }
    pprof_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pprof_parse_options opt = {.max_inflated = 64u << 20};
    pprof_profile *p = NULL;
    pprof_error err;
    if (pprof_profile_parse(&p, data, size, &opt, &err) != 0)
        return 0;
    if (pprof_profile_check(p, &err) != 0)
        __builtin_trap(); /* the decoder must only return consistent profiles */
    pprof_buf b = {0};
    pprof_write_raw(&b, p);
    b.len = 0;
    pprof_profile_encode(&b, p, false, &err);
    pprof_buf_release(&b);
    if (p->n_sample_types)
        report(p, (int)(size % N_REPORTS), size % (2 * N_REPORTS) >= N_REPORTS);
    pprof_profile_free(p);
    return 0;
}
