/* decode_ahead.h: samples decoded ahead, in the inflating thread, for the decoder to merge. */
#ifndef PPROF_DECODE_AHEAD_H
#define PPROF_DECODE_AHEAD_H

#include "internal.h"

/*
 * The inflating thread (lib/inflate_pipe.c) hands each chunk of inflated
 * bytes to pprof_ahead_feed before it publishes it. The feed splits the
 * byte stream into top-level Profile fields and decodes each Sample whose
 * every field is of the common kinds (location ids of 1 to 2^32 - 2,
 * values, labels of strings and numbers) into a record: its location ids
 * as on the wire, values, labels, and the hashes the decoder merges by.
 * The decoder (lib/decode.c), on reaching a Sample field, takes the record
 * made for that field's offset, if there is one, instead of decoding the
 * bytes; a sample without one (unusual, or dropped when the ring was full)
 * is decoded by the decoder as before, which also reports every error. So
 * the records change where work is done, never what is decoded.
 *
 * The records live in one ring of bytes, one writer (the inflating
 * thread) and one reader (the decoder). The writer never waits for room:
 * it drops a record that does not fit.
 */

/* Reads a varint from [*p, end); false when it runs off the end or exceeds
 * 10 bytes (*p then stays). */
static inline bool pprof_rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    const uint8_t *q = *p;
    if (q < end && *q < 0x80) {
        *out = *q;
        *p = q + 1;
        return true;
    }
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (q >= end)
            return false;
        uint8_t b = *q++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *out = v;
            *p = q;
            return true;
        }
    }
    return false;
}

/* The value of a varint of 1 to 4 bytes, x its bytes (little-endian). */
static inline uint32_t pprof_varint4(uint64_t x)
{
    return (uint32_t)((x & 0x7f) | (x >> 1 & 0x3f80) | (x >> 2 & 0x1fc000) | (x >> 3 & 0xfe00000));
}

/* The common case of a packed location list in raw-id mode, 8 bytes at a
 * time: each varint of 1 to 4 bytes (an id from 1 to 2^28 - 1) goes to dst.
 * Two such varints always fit in 8 bytes: each load takes two (the bytes'
 * top bits say where they end), so the loop does the same steps every
 * time, without a branch that depends on the lengths, and the next load
 * waits on one step per two ids. Stops before anything else (a longer
 * varint, id 0, the last 7 bytes), which the caller's byte-wise loop then
 * reads or reports; *q moves past what was taken. Returns the number of
 * ids stored (dst has room for one per byte). */
static inline size_t pprof_raw_ids_packed(const uint8_t **q, const uint8_t *end, uint32_t *dst)
{
    size_t n = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint8_t *p = *q;
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t stop = ~w & 0x8080808080808080ULL; /* bit 7 of each byte ending a varint */
        uint64_t next = stop & (stop - 1);
        if (!next)
            break;
        unsigned e0 = (unsigned)__builtin_ctzll(stop) + 1, e1 = (unsigned)__builtin_ctzll(next) + 1;
        if (e0 > 32 || e1 - e0 > 32)
            break;
        uint32_t v0 = pprof_varint4(w & ((1ULL << e0) - 1));
        uint32_t v1 = pprof_varint4((w >> e0) & ((1ULL << (e1 - e0)) - 1));
        if (v0 == 0 || v1 == 0)
            break;
        dst[n] = v0;
        dst[n + 1] = v1;
        n += 2;
        p += e1 >> 3;
    }
    /* One at a time: what is left of the last 8 bytes, or up to the one
     * not taken. */
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t stop = ~w & 0x8080808080808080ULL;
        if (!stop)
            break;
        unsigned len = ((unsigned)__builtin_ctzll(stop) >> 3) + 1;
        if (len > 4)
            break;
        uint32_t v = pprof_varint4(w & (((uint64_t)1 << (8 * len)) - 1));
        if (v == 0)
            break;
        dst[n++] = v;
        p += len;
    }
    *q = p;
#else
    (void)q;
    (void)end;
    (void)dst;
#endif
    return n;
}

/* A decoded Sample; its arrays follow it (pprof_ahead_locs, _values, _labels). */
typedef struct pprof_ahead_rec {
    uint64_t off;        /* decompressed offset of the Sample field's tag */
    uint64_t stack_hash; /* pprof_ahead_stack_hash of the location ids */
    uint64_t key_hash;   /* pprof_ahead_key_hash of the labels, from stack_hash */
    uint32_t n_locs, n_values, n_labels;
    uint32_t size; /* of the record and its arrays, in bytes */
} pprof_ahead_rec;

static inline const uint32_t *pprof_ahead_locs(const pprof_ahead_rec *r)
{
    return (const uint32_t *)(const void *)(r + 1);
}

static inline const int64_t *pprof_ahead_values(const pprof_ahead_rec *r)
{
    return (const int64_t *)(const void *)((const uint8_t *)(r + 1) + (((size_t)r->n_locs * 4 + 7) & ~(size_t)7));
}

static inline const pprof_label *pprof_ahead_labels(const pprof_ahead_rec *r)
{
    return (const pprof_label *)(const void *)(pprof_ahead_values(r) + r->n_values);
}

/* The hash of a sample's location list (the decoder's merge tables use it
 * while location references are still wire ids). */
static inline uint64_t pprof_ahead_stack_hash(const uint32_t *locs, size_t n)
{
    if (n == 0)
        return pprof_hash_u64(0);
    /* Four lanes of 8 bytes side by side, so that the multiplies of a deep
     * stack do not wait on one another; then what is left, as
     * pprof_hash_bytes does. */
    const uint8_t *s = (const uint8_t *)locs;
    size_t len = n * sizeof *locs;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    if (len >= 32) {
        uint64_t a = h, b = 0xbf58476d1ce4e5b9ULL, c = 0x94d049bb133111ebULL, d = 0x2545f4914f6cdd1dULL;
        for (; len >= 32; s += 32, len -= 32) {
            uint64_t w[4];
            memcpy(w, s, sizeof w);
            a = (a ^ w[0]) * 0xff51afd7ed558ccdULL;
            b = (b ^ w[1]) * 0xff51afd7ed558ccdULL;
            c = (c ^ w[2]) * 0xff51afd7ed558ccdULL;
            d = (d ^ w[3]) * 0xff51afd7ed558ccdULL;
            a ^= a >> 29;
            b ^= b >> 29;
            c ^= c >> 29;
            d ^= d >> 29;
        }
        h = a ^ (b << 1 | b >> 63) ^ (c << 2 | c >> 62) ^ (d << 3 | d >> 61);
    }
    for (; len >= 8; s += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    if (len) { /* (one id left) */
        uint32_t w;
        memcpy(&w, s, 4);
        h ^= w;
    }
    return pprof_hash_u64(h);
}

/* The merge key's hash: the stack's hash h, then the labels. */
static inline uint64_t pprof_ahead_key_hash(const pprof_label *lb, size_t n, uint64_t h)
{
    for (size_t k = 0; k < n; k++) {
        h = pprof_hash_u64(h ^ lb[k].key ^ (uint64_t)lb[k].str << 32);
        h = pprof_hash_u64(h ^ (uint64_t)lb[k].num ^ (uint64_t)lb[k].num_unit << 40);
    }
    return h;
}

/* 0, PPROF_ENOMEM, or PPROF_EINVAL when ring (the bytes of records it
 * holds; 0 for the default) is not a power of two of 4 KiB or more. all:
 * every sample that can be is decoded ahead, not only while the reader
 * has a chunk ready (pprof_ahead_feed); for tests, which then know which
 * path each sample took. */
int pprof_ahead_new(pprof_ahead **out, size_t ring, bool all);
void pprof_ahead_free(pprof_ahead *a);

/* Writer: the next n bytes of the inflated stream. ready: the reader has a
 * chunk ready besides the one it reads. Samples are decoded ahead only
 * then: when it has none, it waits for these bytes, this thread is the
 * slower of the two, and the reader would decode them sooner itself. */
void pprof_ahead_feed(pprof_ahead *a, const uint8_t *data, size_t n, bool ready);

/* Parses as pprof_profile_parse does, a gzip input over the pipe's chunk
 * size in two threads, with every sample that can be decoded ahead (all:
 * pprof_ahead_new); for tests. */
int pprof_profile_parse_ahead_all(pprof_profile **out, const void *data, size_t len,
                                  const pprof_parse_options *opt, pprof_error *err);

/* Reader: the record of the Sample field whose tag is at decompressed
 * offset off, or NULL. Records of earlier offsets are dropped; the one
 * returned stays valid until the next call. Offsets asked must grow. */
const pprof_ahead_rec *pprof_ahead_take(pprof_ahead *a, uint64_t off);

#endif
