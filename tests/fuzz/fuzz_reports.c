/* fuzz_reports.c: libFuzzer harness for the paths from outside data to every report: a profile (proto, legacy or folded) plus options read from the input (filters, tag filters and ranges, granularity, -mean, drop_frames pruning, merge, -diff_base, the writer). One writer per input, chosen by a byte of it: running all 19 cost each input some 19x for the same coverage, which the fuzzer reaches by mutating that byte. */
#include "formats.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout: 3 bytes of switches, 1 byte choosing the writer (modulo
 * their number), 1 byte n, n bytes of option text
 * ('\n'-separated: focus, ignore, hide, show, show_from, prune_from,
 * tagfocus, tagignore, tagshow, taghide, peek/list regexp), then the profile. */
enum { N_TEXT = 11 };

static int parse_any(pprof_profile **p, const uint8_t *data, size_t size)
{
    pprof_parse_options opt = {.max_inflated = 16u << 20};
    pprof_error err;
    return pprof_read(p, data, size, &opt, &err); /* sniffing, then every reader */
}

static size_t n_writers(void)
{
    size_t n = 0;
    while (pprof_writer_name(n))
        n++;
    return n;
}

/* Writer `w` of pprof_write, with options taken from the input. */
static void report(pprof_profile *p, const uint8_t *sw, size_t w, const char *const *text)
{
    pprof_error err;
    pprof_buf b = {0};
    const char *name = pprof_writer_name(w);
    pprof_report_options o;
    pprof_report_options_init(&o, name);
    o.ratio = (sw[1] & 0x80) ? 0.001 : 1;
    o.unit = (sw[1] & 0x40) ? "ms" : "minimum";
    o.sample_index = p->n_sample_types ? (int)(sw[2] % p->n_sample_types) : -1;
    o.mean = sw[0] & 1;
    o.graph.sample_index = o.sample_index;
    o.graph.mean = o.mean;
    o.graph.granularity = (pprof_granularity)((sw[0] >> 1) % 5);
    o.graph.noinlines = sw[0] & 0x10;
    if (sw[0] & 0x20)
        o.graph.nodecount = 0;
    if (sw[0] & 0x40)
        o.graph.nodefraction = o.graph.edgefraction = 0;
    o.graph.showcolumns = sw[1] & 1;
    o.graph.sort_cum = sw[1] & 2;
    o.symbol = *text[10] ? text[10] : ".";
    o.source_path = "/nonexistent-fuzz-dir";
    o.json = sw[1] & 4;
    o.fail_above = 1;
    size_t over = 0;
    o.threshold_exceeded = &over;
    o.call_tree = sw[1] & 0x20;
    o.flame.inverted = sw[1] & 8;
    o.flame.sort_by_weight = sw[1] & 16;
    pprof_write(&b, name, p, &o, &err);
    pprof_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { HEAD = 5 };
    if (size < HEAD || (size_t)data[4] + HEAD > size)
        return 0;
    const uint8_t *sw = data;
    size_t writer = data[3] % n_writers();
    size_t n = data[4];
    char *opts = malloc(n + 1);
    if (!opts)
        return 0;
    memcpy(opts, data + HEAD, n);
    opts[n] = 0;
    const char *text[N_TEXT];
    char *at = opts;
    for (int i = 0; i < N_TEXT; i++) {
        text[i] = at;
        char *nl = at ? strchr(at, '\n') : NULL;
        if (nl)
            *nl = 0;
        at = nl ? nl + 1 : at + strlen(at);
    }
    pprof_profile *p = NULL;
    pprof_error err;
    if (parse_any(&p, data + HEAD + n, size - HEAD - n) != 0) {
        free(opts);
        return 0;
    }
    if (pprof_profile_check(p, &err) != 0)
        __builtin_trap(); /* readers must only return consistent profiles */
    if (sw[2] & 0x80)
        pprof_profile_prune_frames(p, &err);
    if (sw[2] & 0x40) {
        /* -diff_base against itself, as cmd does it: labelled, negated, merged. */
        pprof_profile *base = NULL, *merged = NULL;
        if (pprof_profile_copy(&base, p) == 0) {
            double neg[64];
            for (int i = 0; i < 64; i++)
                neg[i] = -1;
            if (p->n_sample_types <= 64 && pprof_profile_add_label_all(base, "pprof::base", "true") == 0 &&
                pprof_profile_scale(base, neg) == 0) {
                pprof_profile *both[2] = {p, base};
                if (pprof_profile_merge(&merged, both, 2, &err) == 0) {
                    pprof_profile_free(p);
                    p = merged;
                }
            }
            pprof_profile_free(base);
        }
    }
    pprof_filter_options fo = {text[0], text[1], text[2], text[3], text[4], text[5],
                               text[6], text[7], text[8], text[9]};
    pprof_filter_result res;
    if (pprof_profile_filter(p, &fo, &res, &err) == 0)
        report(p, sw, writer, text);
    pprof_profile_free(p);
    free(opts);
    return 0;
}
