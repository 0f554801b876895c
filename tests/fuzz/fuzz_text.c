/* fuzz_text.c: libFuzzer harness for the text readers: legacy profiles and folded stacks. */
#include "readers.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pprof_error err;
    for (int reader = 0; reader < 2; reader++) {
        pprof_profile *p = NULL;
        int rc = reader ? pprof_read_folded(&p, data, size, &err) : pprof_read_legacy(&p, data, size, &err);
        if (rc != 0)
            continue;
        if (pprof_profile_check(p, &err) != 0)
            __builtin_trap();
        pprof_buf b = {0};
        pprof_write_raw(&b, p);
        pprof_buf_release(&b);
        pprof_profile_free(p);
    }
    return 0;
}
