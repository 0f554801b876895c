/* legacy_cpu.c: gperftools binary CPU profiles (32/64-bit words, either byte order; Java variant). */
#include "legacy.h"

#include <stdlib.h>
#include <string.h>

/* Reads fixed-size words; once a read runs past the end every later read
 * gives 0 and the reader stays exhausted (as pprof's readers do). */
typedef struct word_reader {
    const unsigned char *p;
    size_t len, pos;
    unsigned width;
    bool big_endian;
    bool exhausted;
} word_reader;

static uint64_t next_word(word_reader *r)
{
    if (r->exhausted || r->len - r->pos < r->width) {
        r->exhausted = true;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < r->width; i++) {
        unsigned k = r->big_endian ? i : r->width - 1 - i;
        v = (v << 8) | r->p[r->pos + k];
    }
    r->pos += r->width;
    return v;
}

static size_t remaining(const word_reader *r)
{
    return r->exhausted ? 0 : r->len - r->pos;
}

/* Word layouts, in the order pprof tries them. */
static const struct {
    unsigned width;
    bool big_endian;
} layouts[] = {{4, false}, {4, true}, {8, false}, {8, true}};

static const char *const cpu_types[] = {"samples", "count", "cpu", "nanoseconds"};

/* Reads count, depth, addresses... records up to the 0,1,0 end marker.
 * Frames after the first are adjusted by -1 when adjust is set. */
static int read_samples(lg_profile *lp, word_reader *r, bool adjust, pprof_error *err)
{
    while (remaining(r) > 0) {
        uint64_t count = next_word(r);
        uint64_t depth = next_word(r);
        if (r->exhausted || depth > remaining(r) / 4)
            return PPROF_EUNRECOGNIZED;
        lp->n_tmp = 0;
        for (uint64_t i = 0; i < depth; i++)
            if (lg_push_tmp(lp, next_word(r)))
                return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        if (count == 0 && depth == 1 && lp->tmp[0] == 0)
            break;
        int64_t values[2] = {(int64_t)count, lg_mul_wrap((int64_t)count, lp->period)};
        int rc = lg_add_sample_addrs(lp, values, 2, adjust ? 1 : SIZE_MAX);
        if (rc)
            return pprof_error_set(err, rc, "legacy CPU profile: %s", pprof_strerror(rc));
    }
    return 0;
}

/* Drops a frame the signal handler pushed: when (nearly) all samples share
 * the same second frame, it is an artifact, not a caller. */
static int strip_signal_frames(lg_profile *lp)
{
    if (!lp->n_locs)
        return 0;
    size_t *counts = malloc(lp->n_locs * sizeof *counts);
    if (!counts)
        return PPROF_ENOMEM;
    size_t n = lp->n_samples, margin = n / 32;
    for (int iter = 0; iter < 2; iter++) {
        memset(counts, 0, lp->n_locs * sizeof *counts);
        for (size_t i = 0; i < n; i++)
            if (lp->samples[i].n > 1)
                counts[lg_sample_frames(lp, i)[1]]++;
        for (size_t loc = 0; loc < lp->n_locs; loc++) {
            if (counts[loc] == 0 || counts[loc] < n - margin)
                continue;
            for (size_t i = 0; i < n; i++)
                if (lp->samples[i].n > 1 && lg_sample_frames(lp, i)[1] == loc)
                    lg_drop_frame1(lp, i);
            break;
        }
    }
    free(counts);
    return 0;
}

int lg_parse_cpu(lg_profile *lp, const char *data, size_t len, pprof_error *err)
{
    for (size_t k = 0; k < sizeof layouts / sizeof layouts[0]; k++) {
        word_reader r = {(const unsigned char *)data, len, 0, layouts[k].width, layouts[k].big_endian, false};
        uint64_t w[5];
        for (int i = 0; i < 5; i++)
            w[i] = next_word(&r);
        if (r.exhausted || w[0] != 0 || w[1] != 3 || w[2] > 1 || w[3] == 0 || w[4] != 0)
            continue;
        bool java = w[2] == 1;
        lg_set_types(lp, cpu_types, 2);
        lp->period_type[0] = lp->types[1][0];
        lp->period_type[1] = lp->types[1][1];
        lp->period = lg_mul_wrap((int64_t)w[3], 1000);
        int rc = read_samples(lp, &r, !java, err);
        if (rc)
            return rc;
        lg_str rest = {data + (len - remaining(&r)), remaining(&r)};
        if (java)
            return lg_java_locations(lp, rest, err);
        if (strip_signal_frames(lp))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        lg_scanner s;
        lg_scanner_init(&s, rest.p, rest.n);
        if ((rc = lg_memory_map(lp, &s, err)) != 0)
            return rc;
        lg_cleanup_duplicate_leaf(lp);
        return 0;
    }
    return PPROF_EUNRECOGNIZED;
}
