/* fuzz_regex.c: libFuzzer harness for the regexp engine: the first line is the pattern, the rest the text. */
#include "pprof.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    pprof_regex *re;
    if (pprof_regex_compile(&re, (const char *)data, plen, NULL) == 0) {
        size_t off = nl ? plen + 1 : size;
        pprof_regex_match(re, (const char *)data + off, size - off);
        pprof_regex_free(re);
    }
    return 0;
}
