/* fuzz_inflate.c: libFuzzer harness for the streaming inflate: gzip input (members, trailers, truncation, junk, size cap) inflated three ways must agree: whole (pprof_gunzip), by the read-ahead thread in chunks (lib/inflate_pipe.c; 4 KiB chunks in fuzzing builds, so the ring wraps), and through the decoder's window, one thread or two (lib/decode.c; a 4 KiB window and the thread from 4 KiB of input in fuzzing builds). The cap is 64 KiB: a bomb costs each input little, and the cap's path is the same at any size. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX = 64u << 10 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pprof_is_gzip(data, size))
        return 0;
    pprof_buf whole = {0};
    pprof_error e1, e2;
    int r1 = pprof_gunzip(&whole, data, size, MAX, &e1);
    pprof_pipe *pp = NULL;
    if (pprof_pipe_start(&pp, data, size, MAX, false) == 0) {
        pprof_buf chunks = {0};
        int r2;
        for (;;) {
            const uint8_t *c;
            size_t n;
            r2 = pprof_pipe_next(pp, &c, &n, &e2);
            if (r2 || n == 0)
                break;
            if (pprof_buf_append(&chunks, c, n))
                break;
        }
        pprof_pipe_stop(pp);
        /* Both succeed or both fail; on success, the same bytes. */
        if ((r1 == 0) != (r2 == 0))
            __builtin_trap();
        if (r1 == 0 && (whole.len != chunks.len || (whole.len && memcmp(whole.data, chunks.data, whole.len))))
            __builtin_trap();
        pprof_buf_release(&chunks);
    }
    /* The decoder inflating as it goes, in this thread and with the
     * read-ahead thread (from 4 KiB of input in fuzzing builds, 1 MiB
     * otherwise): the same verdict, and on success the same profile. The
     * error named may differ when an input has two: a malformed field
     * before the size cap is met first by this thread, the cap first by
     * the read-ahead thread. */
    pprof_profile *a = NULL, *b = NULL;
    pprof_parse_options one = {.max_inflated = MAX, .single_threaded = true, .max_memory = 64u << 20};
    pprof_parse_options two = {.max_inflated = MAX, .max_memory = 64u << 20};
    int ra = pprof_profile_parse(&a, data, size, &one, &e1);
    int rb = pprof_profile_parse(&b, data, size, &two, &e2);
    if ((ra == 0) != (rb == 0))
        __builtin_trap();
    if (a && b && (a->n_samples != b->n_samples || a->n_strings != b->n_strings))
        __builtin_trap();
    pprof_profile_free(a);
    pprof_profile_free(b);
    pprof_buf_release(&whole);
    return 0;
}
