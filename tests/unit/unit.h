/* unit.h: a tiny unit-test harness; each test file ends with "N passed, N failed". */
#ifndef PPROF_UNIT_H
#define PPROF_UNIT_H

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

/* Prints the closing line and returns the exit status for main. */
static inline int unit_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed ? 1 : 0;
}

#endif
