/* peek_times.c: reads a profile's time_nanos and duration_nanos (fields 9 and 10) without decoding the rest. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The inflated bytes, read through a small window: a peek holds 64 KiB,
 * whatever the profile inflates to. For raw input the window is the input. */
typedef struct rd {
    const uint8_t *p, *end;
    bool gz, done;
    z_stream z;
    uint8_t buf[1 << 16];
    uint64_t total, max;
    pprof_error *err;
    int failed;
} rd;

/* Refills an empty window; false at the end of the data or on an error (failed set). */
static bool rd_fill(rd *r)
{
    while (r->gz && !r->done && !r->failed && r->p == r->end) {
        r->z.next_out = r->buf;
        r->z.avail_out = sizeof r->buf;
        int zr = inflate(&r->z, Z_NO_FLUSH);
        size_t got = sizeof r->buf - r->z.avail_out;
        r->p = r->buf;
        r->end = r->buf + got;
        r->total += got;
        if (r->total > r->max) {
            r->failed = pprof_error_set(r->err, PPROF_ELIMIT,
                                        "decompressing profile: decompressed size exceeds the limit of %llu bytes",
                                        (unsigned long long)r->max);
        } else if (zr == Z_STREAM_END) {
            if (r->z.avail_in >= 2 && r->z.next_in[0] == 0x1f && r->z.next_in[1] == 0x8b)
                inflateReset(&r->z);
            else if (r->z.avail_in == 0)
                r->done = true;
            else
                r->failed = pprof_error_set(r->err, PPROF_EGZIP,
                                            "decompressing profile: trailing garbage after gzip data (invalid header)");
        } else if (zr == Z_BUF_ERROR && r->z.avail_in == 0 && got == 0) {
            r->failed = pprof_error_set(r->err, PPROF_EGZIP, "decompressing profile: unexpected end of gzip data (truncated)");
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            r->failed = pprof_error_set(r->err, PPROF_EGZIP, "decompressing profile: %s",
                                        r->z.msg ? r->z.msg : "invalid gzip data");
        }
    }
    return r->p < r->end;
}

static bool rd_byte(rd *r, uint8_t *b)
{
    if (r->p == r->end && !rd_fill(r))
        return false;
    *b = *r->p++;
    return true;
}

/* Skips n bytes; false when the data ends first. */
static bool rd_skip(rd *r, uint64_t n)
{
    while (n) {
        if (r->p == r->end && !rd_fill(r))
            return false;
        size_t have = (size_t)(r->end - r->p);
        size_t take = n < have ? (size_t)n : have;
        r->p += take;
        n -= take;
    }
    return true;
}

/* A varint; 0 when the data ends before it starts, 1 read, -1 broken. */
static int rd_varint(rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t b;
        if (!rd_byte(r, &b))
            return shift == 0 ? 0 : -1;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
    }
    return -1;
}

/* Walks the top-level fields, skipping every sub-message by its length. */
static int scan(rd *r, int64_t *time_nanos, int64_t *duration_nanos, pprof_error *err)
{
    for (;;) {
        uint64_t key, v;
        int k = rd_varint(r, &key);
        if (r->failed)
            return r->failed;
        if (k == 0)
            return 0;
        if (k < 0)
            return pprof_error_set(err, PPROF_EWIRE, "parsing profile: bad field key");
        bool ok;
        switch (key & 7) {
        case 0:
            ok = rd_varint(r, &v) == 1;
            if (ok && key >> 3 == 9)
                *time_nanos = (int64_t)v;
            else if (ok && key >> 3 == 10)
                *duration_nanos = (int64_t)v;
            break;
        case 1: ok = rd_skip(r, 8); break;
        case 2: ok = rd_varint(r, &v) == 1 && rd_skip(r, v); break;
        case 5: ok = rd_skip(r, 4); break;
        default:
            return pprof_error_set(err, PPROF_EWIRE, "parsing profile: bad wire type %u", (unsigned)(key & 7));
        }
        if (r->failed)
            return r->failed;
        if (!ok)
            return pprof_error_set(err, PPROF_EWIRE, "parsing profile: truncated field");
    }
}

int pprof_profile_peek_times(const void *data, size_t len, int64_t *time_nanos, int64_t *duration_nanos,
                             pprof_error *err)
{
    *time_nanos = *duration_nanos = 0;
    rd *r = calloc(1, sizeof *r);
    if (!r)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    r->err = err;
    r->max = PPROF_DEFAULT_MAX_INFLATED;
    r->gz = pprof_is_gzip(data, len);
    if (r->gz) {
        if (len > UINT32_MAX || inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK) {
            free(r);
            return pprof_error_set(err, PPROF_ELIMIT, "decompressing profile: compressed input over 4 GiB");
        }
        r->z.next_in = (Bytef *)data;
        r->z.avail_in = (uInt)len;
    } else if (len) {
        r->p = data;
        r->end = r->p + len;
    }
    int rc = scan(r, time_nanos, duration_nanos, err);
    if (r->gz)
        inflateEnd(&r->z);
    free(r);
    return rc;
}
