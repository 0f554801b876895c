/* fuzz_perfsym.c: libFuzzer harness for perf.data and native symbolization together: a perf.data file and an ELF file (or kallsyms text) from one input; the perf profile's mappings are pointed at the ELF, then symbolized locally (build ids checked or not, DWARF or symbol tables only) and demangled, and the result must be a consistent profile that the text reports can print (-raw always, then -top, -traces or -list, chosen by two bits of the input: the three on every input cost half of each execution). */
#define _GNU_SOURCE
#include "formats.h"
#include "readers.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An in-memory file holding data[0..n); its /proc path in path. -1 on failure. */
static int memfile(const uint8_t *data, size_t n, char *path, size_t len)
{
    int fd = memfd_create("fuzz-perfsym", 0);
    if (fd < 0)
        return -1;
    if (n && write(fd, data, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

static void show_warning(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "warning: %s\n", msg);
}

/* Input: one byte of switches, two bytes (little-endian) of perf.data
 * length L, L bytes of perf.data, then the ELF (or kallsyms) bytes.
 * Switches: 1 keep the build ids (else cleared, so the ELF is used
 * whatever its id), 2 symbol tables only (fastlocal), 4 the rest is
 * kallsyms for [kernel.kallsyms] too, 8 force, 0x30 demangle mode, 0xc0
 * the report (0 -top, 0x40 -traces, 0x80 -list, 0xc0 -top). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint8_t sw = data[0];
    size_t l = (size_t)data[1] | (size_t)data[2] << 8;
    if (l > size - 3)
        return 0;
    const uint8_t *perf = data + 3, *elf = perf + l;
    size_t n_elf = size - 3 - l;

    pprof_error err;
    pprof_profile *p = NULL;
    if (pprof_read_perf(&p, perf, l, &err) != 0)
        return 0;
    char path[64];
    int fd = memfile(elf, n_elf, path, sizeof path);
    if (fd < 0) {
        pprof_profile_free(p);
        return 0;
    }
    pprof_str file;
    if (pprof_profile_intern(&file, p, path, strlen(path)) != 0) {
        close(fd);
        pprof_profile_free(p);
        return 0;
    }
    for (size_t i = 0; i < p->n_mappings; i++) {
        const char *name = pprof_string(p, p->mappings[i].file);
        if (strcmp(name, "[kernel.kallsyms]") == 0 || strncmp(name, "[vdso", 5) == 0)
            continue; /* named otherwise: kallsyms, the vDSO */
        p->mappings[i].file = file;
        if (!(sw & 1))
            p->mappings[i].build_id = 0;
    }
    pprof_symbolize_options opt;
    if (pprof_symbolize_parse(&opt, "local", &err) != 0)
        __builtin_trap();
    opt.fast = sw & 2;
    opt.force = sw & 8;
    opt.demangle = (pprof_demangle_mode)((sw >> 4) & 3);
    opt.binary_path = "/nonexistent-fuzz-dir";
    opt.debug_dir = "/nonexistent-fuzz-dir";
    opt.kallsyms = (sw & 4) ? path : NULL;
    if (getenv("FUZZ_PERFSYM_SHOW"))
        opt.warn = show_warning;
    if (pprof_symbolize(p, &opt, &err) == 0) {
        if (pprof_profile_check(p, &err) != 0)
            __builtin_trap(); /* symbolization must leave a consistent profile */
        pprof_buf b = {0};
        pprof_write_raw(&b, p);
        if (getenv("FUZZ_PERFSYM_SHOW")) /* to see what a seed reaches */
            fwrite(b.data, 1, b.len, stderr);
        static const char *const writers[] = {"top", "traces", "list"};
        const char *w = writers[(sw >> 6) % 3];
        pprof_report_options o;
        pprof_report_options_init(&o, w);
        o.symbol = ".";
        o.source_path = "/nonexistent-fuzz-dir";
        b.len = 0;
        pprof_write(&b, w, p, &o, &err);
        pprof_buf_release(&b);
    }
    close(fd);
    pprof_profile_free(p);
    return 0;
}
