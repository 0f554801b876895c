/* inflate.c: bounded reading of inputs and bounded gunzip of whole buffers. */
#include "internal.h"

#include <errno.h>
#include <unistd.h>
#include <zlib.h>

uint64_t pprof_default_max_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t half = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 : 0;
    return half > (1ULL << 30) ? half : (1ULL << 30);
}

uint64_t pprof_parse_max_memory(const pprof_parse_options *opt)
{
    return opt && opt->max_memory ? opt->max_memory : pprof_default_max_memory();
}

int pprof_read_stream(pprof_buf *out, FILE *f, const pprof_parse_options *opt, pprof_error *err)
{
    uint64_t max = opt && opt->max_inflated ? opt->max_inflated : PPROF_DEFAULT_MAX_INFLATED;
    /* What is read stays in memory while it is decoded: the budget bounds it too. */
    uint64_t budget = pprof_parse_max_memory(opt);
    bool over_budget = budget < max;
    if (over_budget)
        max = budget;
    for (;;) {
        if (out->len > max)
            return pprof_error_set(err, PPROF_ELIMIT, "input exceeds the %s of %llu bytes",
                                   over_budget ? "memory budget (max_memory)" : "limit", (unsigned long long)max);
        if (pprof_buf_reserve(out, 1 << 16))
            return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
        /* Never read (so never hold) more than one byte past the cap: the
         * buffer doubles, and a full read into the doubled room would hold
         * twice the cap before the check below. */
        size_t room = out->cap - out->len - 1;
        if (room > max + 1 - out->len)
            room = (size_t)(max + 1 - out->len);
        size_t n = fread(out->data + out->len, 1, room, f);
        out->len += n;
        if (out->len > max)
            return pprof_error_set(err, PPROF_ELIMIT, "input exceeds the %s of %llu bytes",
                                   over_budget ? "memory budget (max_memory)" : "limit", (unsigned long long)max);
        if (n < room) {
            if (ferror(f))
                return pprof_error_set(err, PPROF_EIO, "read: %s", strerror(errno ? errno : EIO));
            break;
        }
    }
    return 0;
}

/* Output room reserved per inflate call; fuzzing builds take it small (no
 * 1 MiB allocation per input, and the buffer's growth is reached). */
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define GUNZIP_STEP (1u << 20)
#else
#define GUNZIP_STEP (1u << 12)
#endif

int pprof_gunzip(pprof_buf *out, const void *data, size_t len, uint64_t max, pprof_error *err)
{
    if (!max)
        max = PPROF_DEFAULT_MAX_INFLATED;
    if (len > UINT32_MAX)
        return pprof_error_set(err, PPROF_ELIMIT, "decompressing profile: compressed input over 4 GiB");
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return pprof_error_set(err, PPROF_ENOMEM, "out of memory");
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    size_t start = out->len;
    int rc = 0;
    for (;;) {
        /* (no more than a small cap needs: the sniffs' head is 4 KiB) */
        uint64_t room = max + 1 - (out->len - start);
        if (pprof_buf_reserve(out, room < GUNZIP_STEP ? (size_t)room : GUNZIP_STEP)) {
            rc = pprof_error_set(err, PPROF_ENOMEM, "out of memory");
            break;
        }
        z.next_out = out->data + out->len;
        z.avail_out = (uInt)(out->cap - out->len - 1);
        /* Past max + 1 bytes nothing is kept: a small cap (the sniffs' head
         * of a file) inflates that much, not a whole step of the file. */
        if (z.avail_out > max + 1 - (out->len - start))
            z.avail_out = (uInt)(max + 1 - (out->len - start));
        uInt before = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        out->len += before - z.avail_out;
        if (out->len - start > max) {
            rc = pprof_error_set(err, PPROF_ELIMIT,
                                 "decompressing profile: decompressed size exceeds the limit of %llu bytes",
                                 (unsigned long long)max);
            break;
        }
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
                inflateReset(&z);
                continue;
            }
            rc = pprof_error_set(err, PPROF_EGZIP,
                                 "decompressing profile: trailing garbage after gzip data (invalid header)");
            break;
        }
        if (zr == Z_BUF_ERROR && z.avail_in == 0) {
            rc = pprof_error_set(err, PPROF_EGZIP,
                                 "decompressing profile: unexpected end of gzip data (truncated)");
            break;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = pprof_error_set(err, PPROF_EGZIP, "decompressing profile: %s",
                                 z.msg ? z.msg : "invalid gzip data");
            break;
        }
    }
    inflateEnd(&z);
    if (out->data)
        out->data[out->len] = 0;
    return rc;
}
