/* fuzz_elf.c: libFuzzer harness for native symbolization: the input as an ELF file (symbols, DWARF frames, segments, code bytes) and as a symbol name to demangle. */
#define _GNU_SOURCE
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int count_symbol(void *ctx, const char *name, uint64_t start, uint64_t size)
{
    (void)name;
    (void)size;
    uint64_t *n = ctx;
    *n = (*n + 1) ^ start;
    return *n > (1u << 20); /* enough */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* As a name: the demangler in every mode. */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    for (int m = 0; m < 4; m++)
        free(pprof_demangle(s, (pprof_demangle_mode)m));
    free(s);
    /* As a file: what symbolization and -disasm read. */
    int fd = memfd_create("fuzz-elf", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    pprof_objfile *o;
    pprof_error err;
    if (pprof_objfile_open(&o, path, "/nonexistent", &err) == 0) {
        uint64_t n = 0;
        pprof_objfile_each_symbol(o, count_symbol, &n);
        static const uint64_t addrs[] = {0, 0x1000, 0x1139, 0x401000, 0x401136, 0x10, 0xffffffff};
        for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
            uint64_t a;
            if (pprof_objfile_object_address(o, 0x555555554000, 0x555555600000, 0, 0x555555554000 + addrs[i], &a,
                                             &err) != 0)
                a = addrs[i];
            pprof_frame fr[16];
            size_t nf;
            pprof_objfile_frames(o, a, false, fr, 16, &nf);
            for (size_t k = 0; k < nf; k++)
                if (fr[k].name)
                    n += strlen(fr[k].name);
            uint8_t code[64];
            size_t got;
            pprof_objfile_read(o, a, code, sizeof code, &got);
        }
        pprof_objfile_free(o);
    }
    close(fd);
    return 0;
}
