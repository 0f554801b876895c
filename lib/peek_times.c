/* peek_times.c: reads a profile's time_nanos and duration_nanos (fields 9 and 10) without decoding the rest. */
#include "internal.h"

#include <string.h>

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Walks the top-level fields, skipping every sub-message by its length. */
static int scan(const uint8_t *p, size_t len, int64_t *time_nanos, int64_t *duration_nanos, pprof_error *err)
{
    const uint8_t *end = p + len;
    while (p < end) {
        uint64_t key, v;
        if (!varint(&p, end, &key))
            return pprof_error_set(err, PPROF_EWIRE, "parsing profile: bad field key");
        switch (key & 7) {
        case 0:
            if (!varint(&p, end, &v))
                return pprof_error_set(err, PPROF_EWIRE, "parsing profile: truncated varint");
            if (key >> 3 == 9)
                *time_nanos = (int64_t)v;
            else if (key >> 3 == 10)
                *duration_nanos = (int64_t)v;
            break;
        case 1:
            if ((size_t)(end - p) < 8)
                return pprof_error_set(err, PPROF_EWIRE, "parsing profile: truncated field");
            p += 8;
            break;
        case 2:
            if (!varint(&p, end, &v) || v > (uint64_t)(end - p))
                return pprof_error_set(err, PPROF_EWIRE, "parsing profile: truncated field");
            p += v;
            break;
        case 5:
            if ((size_t)(end - p) < 4)
                return pprof_error_set(err, PPROF_EWIRE, "parsing profile: truncated field");
            p += 4;
            break;
        default:
            return pprof_error_set(err, PPROF_EWIRE, "parsing profile: bad wire type %u", (unsigned)(key & 7));
        }
    }
    return 0;
}

int pprof_profile_peek_times(const void *data, size_t len, int64_t *time_nanos, int64_t *duration_nanos,
                             pprof_error *err)
{
    *time_nanos = *duration_nanos = 0;
    if (!pprof_is_gzip(data, len))
        return scan(data, len, time_nanos, duration_nanos, err);
    pprof_buf raw = {0};
    int rc = pprof_gunzip(&raw, data, len, 0, err);
    if (rc == 0)
        rc = scan(raw.data, raw.len, time_nanos, duration_nanos, err);
    pprof_buf_release(&raw);
    return rc;
}
