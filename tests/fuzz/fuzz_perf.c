/* fuzz_perf.c: libFuzzer harness for the perf.data reader (file and pipe mode) and its time peek. */
#include "readers.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pprof_error err;
    int64_t t, d;
    (void)pprof_perf_peek_times(data, size, 1, &t, &d, &err);
    pprof_profile *p = NULL;
    if (pprof_read_perf(&p, data, size, &err) != 0)
        return 0;
    if (pprof_profile_check(p, &err) != 0)
        __builtin_trap();
    pprof_buf b = {0};
    pprof_write_raw(&b, p);
    pprof_buf_release(&b);
    pprof_profile_free(p);
    return 0;
}
