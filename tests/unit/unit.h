/* unit.h: a tiny unit-test harness; each test file ends with "N passed, N failed". */
#ifndef PPROF_UNIT_H
#define PPROF_UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            unit_passed++;                                                       \
        } else {                                                                 \
            unit_failed++;                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                     \
    do {                                                                         \
        const char *g_ = (got), *w_ = (want);                                    \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                   \
            unit_passed++;                                                       \
        } else {                                                                 \
            unit_failed++;                                                       \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)");                     \
        }                                                                        \
    } while (0)

#define CHECK_INT(got, want)                                                     \
    do {                                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want);                 \
        if (g_ == w_) {                                                          \
            unit_passed++;                                                       \
        } else {                                                                 \
            unit_failed++;                                                       \
            fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
        }                                                                        \
    } while (0)

/* The tests' random numbers: xorshift64 over the caller's state, so each
 * test keeps its own seed and sequence. */
static inline uint64_t unit_rng(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* The line of /proc/self/smaps starting with prefix, of the mapping
 * holding addr, into line; false when there is none or it cannot be read. */
static inline bool vma_line(const void *addr, const char *prefix, char *line, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return false;
    bool in = false, found = false;
    uintptr_t a = (uintptr_t)addr;
    while (!found && fgets(line, (int)size, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
            in = a >= lo && a < hi;
        else
            found = in && strncmp(line, prefix, strlen(prefix)) == 0;
    }
    fclose(f);
    return found;
}

/* Whether the mapping holding addr has the VmFlag flag (/proc/self/smaps);
 * -1 when that cannot be read. */
static inline int vma_has_flag(const void *addr, const char *flag)
{
    char line[512], want[8];
    if (!vma_line(addr, "VmFlags:", line, sizeof line))
        return -1;
    snprintf(want, sizeof want, " %s", flag);
    return strstr(line, want) != NULL;
}

/* Kilobytes resident of the mapping holding addr, or -1 when that cannot
 * be read. */
static inline long vma_rss_kb(const void *addr)
{
    char line[512];
    long kb = -1;
    if (vma_line(addr, "Rss:", line, sizeof line) && sscanf(line, "Rss: %ld kB", &kb) != 1)
        kb = -1;
    return kb;
}

/* Prints the closing line and returns the exit status for main. */
static inline int unit_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

#endif
