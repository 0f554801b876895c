/* jit.c: a tiny "JIT" for tests/perf/run.sh: copies a spin loop into anonymous executable memory,
 * names it in /tmp/perf-<pid>.map as perf's JIT interface says, and runs it (x86-64 only). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
#if defined(__x86_64__)
    /* mov $N, %rcx; 1: dec %rcx; jnz 1b; ret */
    unsigned char code[] = {0x48, 0xc7, 0xc1, 0, 0, 0, 0, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3};
    unsigned n = argc > 1 ? (unsigned)atol(argv[1]) : 200000000u;
    memcpy(code + 3, &n, 4);
    unsigned char *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return 1;
    memcpy(mem + 64, code, sizeof code);
    char path[64];
    snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    fprintf(f, "%lx %zx jitted_spin\n", (unsigned long)(mem + 64), sizeof code);
    fclose(f);
    ((void (*)(void))(mem + 64))();
    printf("%s\n", path);
    return 0;
#else
    (void)argc;
    (void)argv;
    return 2;
#endif
}
