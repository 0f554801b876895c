/* fuzz_flags.c: libFuzzer harness for command-line parsing (cmd/flags.c, cmd/config.c): the input, split at NUL bytes, is the arguments after "pprof": Go flag rules, report options and their values, -max_memory sizes, sources. */
#include "cmd.h"
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_ARGS = 64 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = 0;
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)"pprof";
    for (char *at = copy; argc <= MAX_ARGS && at <= copy + size; at += strlen(at) + 1)
        argv[argc++] = at;
    argv[argc] = NULL;
    pprof_config cfg;
    config_init(&cfg);
    cmd_args args;
    int rc = cmd_parse_args(&args, &cfg, argc, argv);
    /* A successful parse names at least one source, each one of argv's. */
    if (rc == 0) {
        if (args.n_sources == 0)
            __builtin_trap();
        for (size_t i = 0; i < args.n_sources; i++)
            if (args.sources[i] < copy || args.sources[i] > copy + size)
                __builtin_trap();
        if (args.max_memory_flag && args.max_memory == 0)
            __builtin_trap(); /* a -max_memory accepted is a positive size */
    }
    config_release(&cfg);
    free(copy);
    return 0;
}
