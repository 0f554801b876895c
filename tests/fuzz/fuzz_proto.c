/* fuzz_proto.c: libFuzzer harness for the profile.proto decoder and the reports that walk a decoded profile (text, stacks, DOT, callgrind). */
#include "report.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pprof_parse_options opt = {.max_inflated = 64u << 20};
    pprof_profile *p = NULL;
    pprof_error err;
    if (pprof_profile_parse(&p, data, size, &opt, &err) != 0)
        return 0;
    if (pprof_profile_check(p, &err) != 0)
        __builtin_trap(); /* the decoder must only return consistent profiles */
    pprof_report_options o;
    memset(&o, 0, sizeof o);
    o.ratio = 1;
    o.unit = "minimum";
    o.graph.nodefraction = 0.005;
    o.graph.edgefraction = 0.001;
    pprof_buf b = {0};
    pprof_write_raw(&b, p);
    b.len = 0;
    if (p->n_sample_types) {
        o.sample_index = (int)p->n_sample_types - 1;
        o.graph.sample_index = o.sample_index;
        o.total = pprof_profile_total(p, o.sample_index, false, NULL);
        pprof_write_top(&b, p, &o, &err);
        b.len = 0;
        pprof_write_traces(&b, p, &o, &err);
        b.len = 0;
        o.graph.nodecount = 80;
        pprof_write_dot(&b, p, &o, &err);
        b.len = 0;
        o.call_tree = true;
        pprof_write_dot(&b, p, &o, &err);
        b.len = 0;
        pprof_write_callgrind(&b, p, &o, &err);
        o.call_tree = false;
        o.graph.nodecount = 0;
        pprof_stack_set *st;
        if (pprof_stacks_build(&st, p, &o, &err) == 0) {
            b.len = 0;
            pprof_write_folded(&b, st, &err);
            pprof_flame_options fo;
            memset(&fo, 0, sizeof fo);
            fo.colors = "hot";
            b.len = 0;
            pprof_write_flame_svg(&b, st, &fo, &err);
            pprof_stack_set_free(st);
        }
    }
    b.len = 0;
    pprof_profile_encode(&b, p, false, &err);
    pprof_buf_release(&b);
    pprof_profile_free(p);
    return 0;
}
