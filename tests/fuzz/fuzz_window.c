/* fuzz_window.c: libFuzzer harness for time-window selection and capture-time peeking: a -window text (dates, times of day, zones, durations, open ends) parsed, resolved and matched against the times peeked from a profile, whose peek must agree with a full decode. Input: 8 bytes of "now", the window text up to '\n', then the profile. */
#include "pprof.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    int64_t now;
    memcpy(&now, data, 8);
    const uint8_t *rest = data + 8, *end = data + size;
    const uint8_t *nl = memchr(rest, '\n', (size_t)(end - rest));
    size_t tlen = nl ? (size_t)(nl - rest) : (size_t)(end - rest);
    char *text = malloc(tlen + 1);
    if (!text)
        return 0;
    memcpy(text, rest, tlen);
    text[tlen] = 0;
    const uint8_t *prof = nl ? nl + 1 : end;
    size_t plen = (size_t)(end - prof);

    int64_t tn = 0, dn = 0;
    pprof_error err;
    int prc = pprof_profile_peek_times(prof, plen, &tn, &dn, &err);
    if (prc == 0 && plen) {
        /* The peek and a full decode read the same times. */
        pprof_profile *p = NULL;
        pprof_parse_options opt = {.max_memory = 64u << 20, .single_threaded = true};
        if (pprof_profile_parse(&p, prof, plen, &opt, &err) == 0) {
            if (p->time_nanos != tn || p->duration_nanos != dn)
                __builtin_trap();
            pprof_profile_free(p);
        }
    }
    pprof_time_window w;
    if (pprof_window_parse(&w, text, now, &err) == 0) {
        int64_t start, stop;
        pprof_window_resolve(&w, tn + dn, &start, &stop);
        bool in = pprof_window_overlaps(start, stop, tn, dn);
        /* An instant inside [start, stop) is in the window. */
        if (dn == 0 && start < stop && tn >= start && tn < stop && !in)
            __builtin_trap();
        char buf[64];
        if (pprof_format_time(buf, sizeof buf, start) < 0 || pprof_format_time(buf, sizeof buf, stop) < 0)
            __builtin_trap();
    }
    free(text);
    return 0;
}
